//! What a change does, in one line of words in the chosen language (`recorded #12: item 5 平成26年度上半期:
//! rating A`, in `log` and after every write). The English is the library's `describe::change`, for
//! embedders (checked by a test); the JSON of a change (`describe::change_json`) never changes with the
//! language. Not escaped here: the caller escapes what it prints.

use hyoka::domain::event::Change;
use hyoka::domain::people::Verdict;

use super::i18n::t;

/// One line saying what a change does.
pub fn change(c: &Change) -> String {
    match c {
        Change::PlanDefined {
            name,
            grades,
            default_era,
            origin,
            cadence,
            years,
        } => t!(
            "change-plan-defined",
            name = name.as_str(),
            grades = grades.join(","),
            era = default_era.map_or_else(|| t!("era-none"), |e| e.romaji().to_string()),
            origin = origin.as_str(),
            cadence = cadence.id(),
            years = years.map_or(String::new(), |(a, b)| t!(
                "change-plan-years",
                first = a,
                last = b
            ))
        ),
        Change::CategoryAdded { name } => t!("change-heading-added", name = name.as_str()),
        Change::HeadingRenamed { from, to } => {
            t!(
                "change-heading-renamed",
                from = from.as_str(),
                to = to.as_str()
            )
        }
        Change::ItemRegistered {
            id,
            title,
            department,
            category,
            relisting_of,
            from,
            after,
        } => {
            let mut more = String::new();
            if let Some(n) = relisting_of {
                more.push_str(&t!("change-registered-relisting", id = n.as_str()));
            }
            if let Some(p) = from {
                more.push_str(&t!("change-registered-from", point = p.label()));
            }
            if let Some(a) = after {
                more.push_str(&t!("change-registered-after", id = a.as_str()));
            }
            t!(
                "change-item-registered",
                id = id.as_str(),
                title = title.as_str(),
                department = department.as_str(),
                category = category.as_str(),
                more = more
            )
        }
        Change::ItemAmended {
            id,
            title,
            department,
            category,
            relisting_of,
            from,
            after,
        } => {
            let mut parts = Vec::new();
            if let Some(v) = title {
                parts.push(t!("change-amended-title", value = v.as_str()));
            }
            if let Some(v) = department {
                parts.push(t!("change-amended-department", value = v.as_str()));
            }
            if let Some(v) = category {
                parts.push(t!("change-amended-heading", value = v.as_str()));
            }
            if let Some(r) = relisting_of {
                parts.push(match r {
                    Some(n) => t!("change-amended-relisting", id = n.as_str()),
                    None => t!("change-amended-not-relisting"),
                });
            }
            if let Some(f) = from {
                parts.push(match f {
                    Some(p) => t!("change-amended-from", point = p.label()),
                    None => t!("change-amended-every-point"),
                });
            }
            if let Some(a) = after {
                parts.push(match a {
                    Some(a) => t!("change-amended-after", id = a.as_str()),
                    None => t!("change-amended-natural-place"),
                });
            }
            t!(
                "change-item-amended",
                id = id.as_str(),
                parts = parts.join(&t!("change-amended-separator"))
            )
        }
        Change::ItemWithdrawn { id } => t!("change-item-withdrawn", id = id.as_str()),
        Change::ItemReinstated { id } => t!("change-item-reinstated", id = id.as_str()),
        Change::RatingRecorded {
            item,
            period,
            grade,
        } => t!(
            "change-rating",
            item = item.as_str(),
            point = period.label(),
            grade = grade.as_str()
        ),
        Change::RatingWithdrawn { item, period } => t!(
            "change-rating-withdrawn",
            item = item.as_str(),
            point = period.label()
        ),
        Change::FollowUpSet {
            item,
            period,
            flagged,
        } => t!(
            "change-follow-up",
            item = item.as_str(),
            point = period.label(),
            state = if *flagged { "on" } else { "off" }
        ),
        Change::RemarkSet { item, period, text } if text.is_empty() => t!(
            "change-remark-cleared",
            item = item.as_str(),
            point = period.label()
        ),
        Change::RemarkSet { item, period, text } => t!(
            "change-remark",
            item = item.as_str(),
            point = period.label(),
            text = text.as_str()
        ),
        Change::ClockBehind { clock } => t!(
            "change-clock-behind",
            clock = hyoka::domain::when::format_text(*clock)
        ),
        Change::ItemExcluded { item, period } => t!(
            "change-excluded",
            item = item.as_str(),
            point = period.label()
        ),
        Change::ExclusionWithdrawn { item, period } => t!(
            "change-exclusion-withdrawn",
            item = item.as_str(),
            point = period.label()
        ),
        Change::ItemMerged { item, into, from } => t!(
            "change-merged",
            item = item.as_str(),
            into = into.as_str(),
            point = from.label()
        ),
        Change::MergeWithdrawn { item } => t!("change-merge-withdrawn", item = item.as_str()),
        Change::PeopleEnabled { admin, .. } => t!(
            "change-people-enabled",
            id = admin.id.as_str(),
            department = admin.department.as_str()
        ),
        Change::PersonRegistered { person } => t!(
            "change-person-registered",
            id = person.id.as_str(),
            department = person.department.as_str(),
            roles = person
                .roles
                .iter()
                .map(|r| r.id())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Change::RoleGranted { person, role } => t!(
            "change-role-granted",
            person = person.as_str(),
            role = role.id(),
            label = role.label()
        ),
        Change::RoleRevoked { person, role } => t!(
            "change-role-revoked",
            person = person.as_str(),
            role = role.id(),
            label = role.label()
        ),
        Change::KeyRotated { person, .. } => t!("change-key-rotated", person = person.as_str()),
        Change::KeyRevoked { person } => t!("change-key-revoked", person = person.as_str()),
        Change::RoundOpened { period, due } => t!(
            "change-round-opened",
            point = period.label(),
            due = due.as_str()
        ),
        Change::Submitted { period, department } => t!(
            "change-submitted",
            point = period.label(),
            department = department.as_str()
        ),
        Change::Reviewed {
            period,
            item,
            stage,
            verdict,
        } => t!(
            "change-reviewed",
            item = item.as_str(),
            point = period.label(),
            stage = stage.label(),
            verdict = match verdict {
                Verdict::Approve => "approve",
                Verdict::Return => "return",
            }
        ),
        Change::OpinionRecorded {
            period,
            item: Some(i),
            text,
        } => t!(
            "change-opinion-item",
            item = i.as_str(),
            point = period.label(),
            text = text.as_str()
        ),
        Change::OpinionRecorded {
            period,
            item: None,
            text,
        } => t!(
            "change-opinion-round",
            point = period.label(),
            text = text.as_str()
        ),
        Change::RoundClosed { period } => t!("change-round-closed", point = period.label()),
        Change::RoundPublished {
            period,
            table_sha256,
        } => t!(
            "change-round-published",
            point = period.label(),
            sha256 = hex::encode(table_sha256)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::i18n::{Lang, in_lang};
    use super::*;
    use hyoka::domain::period::{Cadence, Era, Period};

    /// One change of every kind, with every option set and unset.
    fn every_change() -> Vec<Change> {
        use hyoka::domain::people::{Person, Role, Stage};
        let p = Period::parse("H27上半期", None).unwrap();
        let person = Person {
            id: "P0000000a".into(),
            name_commitment: [0; 32],
            department: "財政課".into(),
            roles: vec![Role::Staff, Role::Head],
            vkey: "k".into(),
        };
        vec![
            Change::PlanDefined {
                name: "計画".into(),
                grades: vec!["S".into(), "A".into()],
                default_era: Some(Era::Heisei),
                origin: "a/b".into(),
                cadence: Cadence::HalfYear,
                years: Some((2019, 2022)),
            },
            Change::PlanDefined {
                name: "計画".into(),
                grades: vec!["S".into()],
                default_era: None,
                origin: "a/b".into(),
                cadence: Cadence::YearEnd,
                years: None,
            },
            Change::CategoryAdded {
                name: "見出し".into(),
            },
            Change::HeadingRenamed {
                from: "a".into(),
                to: "b".into(),
            },
            Change::ItemRegistered {
                id: 5.into(),
                title: "t".into(),
                department: "d".into(),
                category: "c".into(),
                relisting_of: Some(3.into()),
                from: Some(p),
                after: Some(4.into()),
            },
            Change::ItemRegistered {
                id: 5.into(),
                title: "t".into(),
                department: "d".into(),
                category: "c".into(),
                relisting_of: None,
                from: None,
                after: None,
            },
            Change::ItemAmended {
                id: 5.into(),
                title: Some("t".into()),
                department: Some("d".into()),
                category: Some("c".into()),
                relisting_of: Some(Some(3.into())),
                from: Some(Some(p)),
                after: Some(Some(4.into())),
            },
            Change::ItemAmended {
                id: 5.into(),
                title: None,
                department: None,
                category: None,
                relisting_of: Some(None),
                from: Some(None),
                after: Some(None),
            },
            Change::ItemWithdrawn { id: 5.into() },
            Change::ItemReinstated { id: 5.into() },
            Change::RatingRecorded {
                item: 5.into(),
                period: p,
                grade: "A".into(),
            },
            Change::RatingWithdrawn {
                item: 5.into(),
                period: p,
            },
            Change::FollowUpSet {
                item: 5.into(),
                period: p,
                flagged: true,
            },
            Change::FollowUpSet {
                item: 5.into(),
                period: p,
                flagged: false,
            },
            Change::RemarkSet {
                item: 5.into(),
                period: p,
                text: String::new(),
            },
            Change::RemarkSet {
                item: 5.into(),
                period: p,
                text: "継続".into(),
            },
            Change::ClockBehind { clock: 0 },
            Change::ItemExcluded {
                item: 5.into(),
                period: p,
            },
            Change::ExclusionWithdrawn {
                item: 5.into(),
                period: p,
            },
            Change::ItemMerged {
                item: 5.into(),
                into: 4.into(),
                from: p,
            },
            Change::MergeWithdrawn { item: 5.into() },
            Change::PeopleEnabled {
                log_vkey: "v".into(),
                admin: person.clone(),
            },
            Change::PersonRegistered { person },
            Change::RoleGranted {
                person: "P0000000a".into(),
                role: Role::Hq,
            },
            Change::RoleRevoked {
                person: "P0000000a".into(),
                role: Role::Hq,
            },
            Change::KeyRotated {
                person: "P0000000a".into(),
                vkey: "v".into(),
            },
            Change::KeyRevoked {
                person: "P0000000a".into(),
            },
            Change::RoundOpened {
                period: p,
                due: "2015-10-31".into(),
            },
            Change::Submitted {
                period: p,
                department: "財政課".into(),
            },
            Change::Reviewed {
                period: p,
                item: 5.into(),
                stage: Stage::First,
                verdict: Verdict::Approve,
            },
            Change::Reviewed {
                period: p,
                item: 5.into(),
                stage: Stage::Second,
                verdict: Verdict::Return,
            },
            Change::OpinionRecorded {
                period: p,
                item: Some(5.into()),
                text: "意見".into(),
            },
            Change::OpinionRecorded {
                period: p,
                item: None,
                text: "意見".into(),
            },
            Change::RoundClosed { period: p },
            Change::RoundPublished {
                period: p,
                table_sha256: [7; 32],
            },
        ]
    }

    #[test]
    fn the_english_is_the_libraries() {
        in_lang(Lang::En, || {
            for c in every_change() {
                assert_eq!(change(&c), hyoka::domain::describe::change(&c), "{c:?}");
            }
        });
    }

    #[test]
    fn every_change_is_worded_in_japanese() {
        in_lang(Lang::Ja, || {
            for c in every_change() {
                let ja = change(&c);
                assert_ne!(ja, hyoka::domain::describe::change(&c), "{c:?}");
                assert!(!ja.contains("item "), "{c:?}: {ja}");
            }
            let p = Period::parse("H27上半期", None).unwrap();
            assert_eq!(
                change(&Change::RatingRecorded {
                    item: 12.into(),
                    period: p,
                    grade: "A".into()
                }),
                "項目 12 平成27年度上半期: 評価 A"
            );
        });
    }
}
