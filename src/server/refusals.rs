//! A refusal of the ledger's rules in one Japanese sentence that says what to do next: the one
//! wording every signed-in page uses (the department's sheet, the reviewers' queue, the
//! administrators' pages, an uploaded sheet's problems).
//!
//! Invariant: every sentence is Japanese and ends with `。`; a rule no page expects is said in
//! general, and its English is kept in the server's log.

use crate::domain::people::Role;
use crate::domain::state::{Refused, Rule};
use crate::views::round::status_label;

const GENERIC: &str = "この変更は台帳の規則で受け付けられません。内容を確かめ、分からないときは管理者に相談してください。";

/// Roles by their Japanese labels, joined by `・`.
pub fn roles_ja(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join("・")
}

/// Why the ledger refuses a change, in Japanese, with what to do next.
pub fn refused_ja(r: &Refused) -> String {
    match r {
        Refused::NoSuchItem(id) => {
            format!("項目 {id} は台帳にありません。項目番号を確かめ、ページを開き直してください。")
        }
        Refused::ItemWithdrawn(id) => {
            format!("項目 {id} は取り下げられています。管理者に確認してください。")
        }
        Refused::NewPoint { period, latest, .. } => format!(
            "{period}は、最新の評価時点（{latest}）より2つ以上先の時点です。時点を確かめてください。"
        ),
        Refused::EarlyPoint { period, earliest } => format!(
            "{period}は、最初の評価時点（{earliest}）より2つ以上前の時点です。時点を確かめてください。"
        ),
        Refused::Rule(rule) => rule_ja(rule).unwrap_or_else(|| generic(r)),
        _ => generic(r),
    }
}

/// A refusal no page expects: its English kept in the server's log, the person told in general.
fn generic(r: &Refused) -> String {
    tracing::warn!("a page's change refused: {r}");
    GENERIC.to_string()
}

fn rule_ja(rule: &Rule) -> Option<String> {
    Some(match rule {
        Rule::GradeNotInScale { grade, scale } => format!(
            "評価「{grade}」は計画の評価段階にありません。{}のいずれか、または対象外にしてください。",
            scale.join("・")
        ),
        Rule::AlreadyRated { id, grade, period } => {
            format!("項目 {id} の{period}の評価はすでに {grade} です（変わるところはありません）。")
        }
        Rule::FollowUpAlready { id, period, .. } => format!(
            "項目 {id} の{period}のフォローアップ対象の印はすでにそのとおりです（変わるところはありません）。"
        ),
        Rule::RemarkAlready { id, period } => format!(
            "項目 {id} の{period}の理由等はすでにその文です（変わるところはありません）。"
        ),
        Rule::RatingExcluded { id, period } => {
            format!("項目 {id} は{period}では対象外です。評価するには行革本部に対象外の取消しを依頼してください。")
        }
        Rule::NoRating { id, period } => {
            format!("項目 {id} には{period}の取り消す評価がありません。ページを開き直してください。")
        }
        Rule::NoRound { period, .. } => format!(
            "{period}の評価ラウンドは開かれていません。管理者にラウンドの開始を依頼してください。"
        ),
        Rule::RoundClosed { period } => format!(
            "{period}の評価ラウンドは締め切られています（差し戻された項目だけ評価し直せます）。"
        ),
        Rule::UnderReview { id, period } => format!(
            "項目 {id}（{period}）は提出済みで審査中です。差し戻されるまで変更できません。"
        ),
        Rule::OtherDepartment {
            department,
            id,
            owner,
            review,
            ..
        } => match review {
            true => format!("{department}の人は、{owner}の項目 {id} を審査できません。"),
            false => format!("{department}の人は、{owner}の項目 {id} を変更できません。"),
        },
        Rule::SubmitOther {
            department, other, ..
        } => format!("{department}の人は、{other}の項目を提出できません。その課の担当者が提出します。"),
        Rule::NeedsRole { roles, .. } => format!(
            "この操作には{}の役割が必要です。必要なら管理者に役割の付与を依頼してください。",
            roles_ja(roles)
        ),
        Rule::NoKey { person } => format!(
            "{person} さんの鍵は失効しています。管理者に新しい鍵の設定を依頼してください。"
        ),
        Rule::NotAPerson { author } => {
            format!("{author} は台帳に登録された人ではありません。管理者に確認してください。")
        }
        Rule::NoSuchPerson { person } => format!("{person} という人は台帳に登録されていません。"),
        Rule::HasRole { person, role } => {
            format!("{person} さんはすでに{}の役割を持っています。", role.label())
        }
        Rule::LacksRole { person, role } => {
            format!("{person} さんは{}の役割を持っていません。", role.label())
        }
        Rule::LastAdmin => "鍵を持つ最後の管理者です。先にほかの人に管理者の役割を付与してください。".into(),
        Rule::NoKeyToRevoke { person } => format!("{person} さんには失効させる鍵がありません。"),
        Rule::LastAdminKey => "鍵を持つ最後の管理者の鍵です。失効させると誰も台帳を管理できなくなります。先にほかの人を管理者にしてください。".into(),
        Rule::BadDue { due } => {
            format!("提出期限「{due}」は日付として読めません（例: 2021-04-30）。")
        }
        Rule::RoundExists { period, status } => format!(
            "{period}の評価ラウンドはすでにあります（{}）。",
            status_label(*status)
        ),
        Rule::RoundNotOpen { period, status } => format!(
            "{period}の評価ラウンドは受付中ではありません（{}）。",
            status_label(*status)
        ),
        Rule::AlreadyPublished { period } => {
            format!("{period}の評価ラウンドはすでに公表されています。")
        }
        Rule::ReviewPublished { period } => {
            format!("{period}の評価結果は公表済みのため、審査できません。")
        }
        Rule::Unfinished { period, items } => format!(
            "{period}の評価ラウンドはまだ公表できません。対象外でも2次評価の承認済みでもない項目があります（{}）。",
            items.join("、")
        ),
        Rule::DigestMismatch { period, .. } => format!(
            "{period}の公表する表が確認したときと違います。確認画面を開き直してください。"
        ),
        Rule::DepartmentEmpty { department, period } => {
            format!("{department}には{period}の項目がありません。")
        }
        Rule::NotRated {
            department,
            period,
            items,
        } => format!(
            "{department}の{period}の項目に未評価のものがあります（{}）。評価してから提出してください。",
            items.join("、")
        ),
        Rule::ReturnedNotRated { department, items } => format!(
            "{department}の差し戻された項目がまだ評価し直されていません（{}）。評価し直してから提出してください。",
            items.join("、")
        ),
        Rule::AlreadySubmitted { department, period } => format!(
            "{department}は{period}の項目をすでに提出しています（その後の変更はありません）。"
        ),
        Rule::CannotSubmit { period, status } => format!(
            "{period}の評価ラウンドは{}のため提出できません。",
            status_label(*status)
        ),
        Rule::NotSubmitted { id, .. } => {
            format!("項目 {id} はまだ提出されていません。課からの提出を待ってください。")
        }
        Rule::FirstOver { id, .. } => {
            format!("項目 {id} は2次評価で承認済みのため、1次評価はもう変えられません。")
        }
        Rule::FirstApproved { id, .. } => {
            format!("項目 {id} は1次評価で承認済みです。ページを開き直してください。")
        }
        Rule::FirstNeeded { id, .. } => {
            format!("項目 {id} は1次評価がまだです。課長の承認を待ってください。")
        }
        Rule::SecondApproved { id, .. } => {
            format!("項目 {id} は2次評価で承認済みです。ページを開き直してください。")
        }
        Rule::Period(_) => "時点を読めません。例: 令和2年度末、FY2020-YE。".into(),
        Rule::Text(_) => "文字に使えないもの（制御文字や見えない文字）が含まれているか、長すぎます。書き直してください。".into(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::item_id::ItemId;
    use crate::domain::people::RoundStatus;

    fn id(s: &str) -> ItemId {
        ItemId::parse(s).expect("a valid id")
    }

    /// The refusals the pages meet, one of each kind the wording names.
    fn samples() -> Vec<Refused> {
        let p = || "令和2年度末".to_string();
        let dept = || "総務課".to_string();
        let items = || vec!["1".to_string(), "2".to_string()];
        let rules = vec![
            Rule::GradeNotInScale {
                grade: "Z".into(),
                scale: vec!["S".into(), "A".into(), "B".into()],
            },
            Rule::NoRating {
                id: id("3"),
                period: p(),
            },
            Rule::UnderReview {
                id: id("3"),
                period: p(),
            },
            Rule::RoundClosed { period: p() },
            Rule::NotRated {
                department: dept(),
                period: p(),
                items: items(),
            },
            Rule::ReturnedNotRated {
                department: dept(),
                items: items(),
            },
            Rule::DepartmentEmpty {
                department: dept(),
                period: p(),
            },
            Rule::ReviewPublished { period: p() },
            Rule::NotSubmitted {
                id: id("3"),
                period: p(),
            },
            Rule::FirstOver {
                id: id("3"),
                period: p(),
            },
            Rule::FirstApproved {
                id: id("3"),
                period: p(),
            },
            Rule::FirstNeeded {
                id: id("3"),
                period: p(),
            },
            Rule::SecondApproved {
                id: id("3"),
                period: p(),
            },
            Rule::AlreadyPublished { period: p() },
            Rule::Unfinished {
                period: p(),
                items: items(),
            },
            Rule::CannotSubmit {
                period: p(),
                status: RoundStatus::Closed,
            },
            Rule::LastAdmin,
        ];
        let mut v: Vec<Refused> = rules.into_iter().map(Refused::Rule).collect();
        v.push(Refused::NoSuchItem(id("3")));
        v.push(Refused::ItemWithdrawn(id("3")));
        v
    }

    #[test]
    fn refusals_are_japanese_sentences() {
        for r in samples() {
            let s = refused_ja(&r);
            assert!(s.ends_with('。'), "{s}");
            assert!(s != GENERIC, "worded in general: {r:?}");
            assert!(
                !s.chars().any(|c| c.is_ascii_lowercase()),
                "no English words: {s}"
            );
        }
        let s = refused_ja(&Refused::Rule(Rule::NotRated {
            department: "総務課".into(),
            period: "令和2年度末".into(),
            items: vec!["1".into(), "2".into()],
        }));
        assert!(s.contains("1、2"), "{s}");
    }

    #[test]
    fn reviewing_and_changing_another_departments_item_are_told_apart() {
        let other = |review| {
            refused_ja(&Refused::Rule(Rule::OtherDepartment {
                person: "sato".into(),
                department: "総務課".into(),
                review,
                id: id("3"),
                owner: "政策課".into(),
            }))
        };
        assert!(other(true).contains("審査できません"), "{}", other(true));
        assert!(other(false).contains("変更できません"), "{}", other(false));
    }

    #[test]
    fn a_rule_no_page_expects_is_said_in_general() {
        let s = refused_ja(&Refused::Rule(Rule::ItemZero));
        assert_eq!(s, GENERIC);
    }
}
