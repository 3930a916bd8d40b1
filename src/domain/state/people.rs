//! The state of people and rounds: how their changes apply ([`State::apply_people`]), who may record
//! what ([`State::authorize`]), and the canonical form of a published table
//! ([`State::published_table`]). Specified in `schema/FORMAT.md`, sections "People and rounds" and
//! "The published table".

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

use super::{Action, Refused, Rule, State, refuse};
use crate::domain::event::Change;
use crate::domain::item_id::ItemId;
use crate::domain::people::{
    ItemReview, People, Person, PersonState, Role, Round, RoundStatus, Stage, Verdict, check_due,
};
use crate::domain::period::Period;
use crate::domain::{ident, text};

/// The first line of the canonical form of a published table (its version).
pub const PUBLISHED_TABLE_V1: &str = "hyoka published table v1";

/// What the grade field of a published row holds for an item not evaluated at the point (対象外).
pub const NOT_EVALUATED: &str = "対象外";

/// One row of a published table: the fields of its line in the canonical form.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PublishedRow {
    /// The item's id, as the city writes it.
    pub id: String,
    /// Its heading.
    pub heading: String,
    /// Its title.
    pub title: String,
    /// Its department.
    pub department: String,
    /// The grade at the point, `対象外`, or empty.
    pub grade: String,
    /// The follow-up flag at the point.
    pub follow_up: bool,
    /// The remark at the point.
    pub remark: String,
}

/// The canonical form of a published table (see [`State::published_table`]) from its plan's name,
/// point (its id, `FY2020-YE`) and rows: the one writer of those bytes, so anyone holding the rows (a publication pack's
/// `table.json`) recomputes the digest `round publish` recorded.
pub fn canonical_table(plan: &str, point_id: &str, rows: &[PublishedRow]) -> String {
    fn field(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c => out.push(c),
            }
        }
        out
    }
    let mut out = format!(
        "{PUBLISHED_TABLE_V1}\nplan\t{}\npoint\t{}\n",
        field(plan),
        field(point_id)
    );
    for r in rows {
        let fields = [
            field(&r.id),
            field(&r.heading),
            field(&r.title),
            field(&r.department),
            field(&r.grade),
            (if r.follow_up { "1" } else { "0" }).to_string(),
            field(&r.remark),
        ];
        out.push_str(&fields.join("\t"));
        out.push('\n');
    }
    out
}

impl State {
    /// Whether the ledger has people (from its `people.enabled` event on).
    pub fn has_people(&self) -> bool {
        self.people.is_some()
    }

    fn people_mut(&mut self) -> Result<&mut People, Refused> {
        self.people.as_mut().ok_or(Refused::Rule(Rule::NoPeople))
    }

    fn person(&self, id: &str) -> Result<&PersonState, Refused> {
        self.people.as_ref().and_then(|p| p.get(id)).ok_or_else(|| {
            Refused::Rule(Rule::NoSuchPerson {
                person: text::escape(id),
            })
        })
    }

    fn round(&self, period: Period) -> Result<&Round, Refused> {
        self.rounds.get(&period).ok_or_else(|| {
            Refused::Rule(Rule::NoRound {
                period: period.label(),
                open: self.open_rounds(),
            })
        })
    }

    /// The points whose rounds are open, their labels.
    pub fn open_rounds(&self) -> Vec<String> {
        self.rounds
            .iter()
            .filter(|(_, r)| r.status == RoundStatus::Open)
            .map(|(p, _)| p.label())
            .collect()
    }

    /// The items of a department that are part of the plan at a point, in the plan's order.
    pub fn items_of(&self, department: &str, period: Period) -> Vec<&ItemId> {
        self.items_in_order()
            .into_iter()
            .filter(|i| ident::same(&i.department, department) && i.in_plan_at(period))
            .map(|i| &i.id)
            .collect()
    }

    fn check_person(&self, p: &Person) -> Result<(), Refused> {
        text::check_token("person id", &p.id).map_err(Refused::from)?;
        text::check_line("department", &p.department).map_err(Refused::from)?;
        text::check_token("verifier key", &p.vkey).map_err(Refused::from)?;
        if p.roles.is_empty() {
            return refuse(Rule::NoRoleGiven {
                person: text::escape(&p.id),
            });
        }
        let distinct: BTreeSet<_> = p.roles.iter().collect();
        if distinct.len() != p.roles.len() {
            return refuse(Rule::RoleTwice {
                person: text::escape(&p.id),
            });
        }
        if let Some(people) = &self.people {
            if people.get(&p.id).is_some() {
                return refuse(Rule::PersonExists {
                    person: text::escape(&p.id),
                });
            }
            if let Some(other) = people.key_in_use(&p.vkey) {
                return refuse(Rule::KeyOfAnother {
                    other: text::escape(other),
                });
            }
        }
        Ok(())
    }

    fn registered(p: &Person) -> PersonState {
        PersonState {
            name_commitment: p.name_commitment,
            department: p.department.clone(),
            roles: p.roles.iter().copied().collect(),
            vkey: Some(p.vkey.clone()),
            keys: vec![p.vkey.clone()],
        }
    }

    /// Applies a change of people or rounds (the part of [`State::apply`] for them).
    pub(super) fn apply_people(&mut self, change: &Change) -> Result<(), Refused> {
        match change {
            Change::PeopleEnabled { log_vkey, admin } => {
                if self.people.is_some() {
                    return refuse(Rule::HasPeople);
                }
                text::check_token("log key", log_vkey).map_err(Refused::from)?;
                self.check_person(admin)?;
                if !admin.roles.contains(&Role::Admin) {
                    return refuse(Rule::FirstNotAdmin);
                }
                let mut people = People {
                    log_vkey: log_vkey.clone(),
                    ..People::default()
                };
                people
                    .people
                    .insert(admin.id.clone(), Self::registered(admin));
                self.people = Some(people);
            }
            Change::PersonRegistered { person } => {
                self.people_mut()?;
                self.check_person(person)?;
                let p = Self::registered(person);
                self.people_mut()?.people.insert(person.id.clone(), p);
            }
            Change::RoleGranted { person, role } => {
                if self.person(person)?.has(*role) {
                    return refuse(Rule::HasRole {
                        person: text::escape(person),
                        role: *role,
                    });
                }
                if let Some(p) = self.people_mut()?.people.get_mut(person) {
                    p.roles.insert(*role);
                }
            }
            Change::RoleRevoked { person, role } => {
                if !self.person(person)?.has(*role) {
                    return refuse(Rule::LacksRole {
                        person: text::escape(person),
                        role: *role,
                    });
                }
                let people = self.people_mut()?;
                let admins = people
                    .people
                    .values()
                    .filter(|p| p.has(Role::Admin) && p.vkey.is_some())
                    .count();
                let keyed = people.people.get(person).is_some_and(|p| p.vkey.is_some());
                if *role == Role::Admin && keyed && admins <= 1 {
                    return refuse(Rule::LastAdmin);
                }
                if let Some(p) = people.people.get_mut(person) {
                    p.roles.remove(role);
                }
            }
            Change::KeyRotated { person, vkey } => {
                self.person(person)?;
                text::check_token("verifier key", vkey).map_err(Refused::from)?;
                let people = self.people_mut()?;
                if let Some(other) = people.key_in_use(vkey) {
                    return refuse(Rule::KeyUsedBefore {
                        other: text::escape(other),
                    });
                }
                if let Some(p) = people.people.get_mut(person) {
                    p.vkey = Some(vkey.clone());
                    p.keys.push(vkey.clone());
                }
            }
            Change::KeyRevoked { person } => {
                let who = self.person(person)?;
                if who.vkey.is_none() {
                    return refuse(Rule::NoKeyToRevoke {
                        person: text::escape(person),
                    });
                }
                let keyed_admins = self
                    .people
                    .iter()
                    .flat_map(|p| p.people.values())
                    .filter(|p| p.has(Role::Admin) && p.vkey.is_some())
                    .count();
                if who.has(Role::Admin) && keyed_admins <= 1 {
                    return refuse(Rule::LastAdminKey);
                }
                if let Some(p) = self.people_mut()?.people.get_mut(person) {
                    p.vkey = None;
                }
            }
            Change::RoundOpened { period, due } => {
                self.people_mut()?;
                self.check_point(*period)?;
                check_due(due).map_err(|_| {
                    Refused::Rule(Rule::BadDue {
                        due: text::escape(due),
                    })
                })?;
                if let Some(r) = self.rounds.get(period) {
                    return refuse(Rule::RoundExists {
                        period: period.label(),
                        status: r.status,
                    });
                }
                self.rounds.insert(*period, Round::open(due.clone()));
            }
            Change::Submitted { period, department } => {
                let round = self.round(*period)?;
                let items = self.items_of(department, *period);
                // A closed round takes back what it returned (差し戻し).
                let reopened = round.status == RoundStatus::Closed
                    && items.iter().any(|i| {
                        round
                            .items
                            .get(*i)
                            .is_some_and(|r| r.reopened && !r.submitted)
                    });
                if round.status == RoundStatus::Published
                    || (round.status == RoundStatus::Closed && !reopened)
                {
                    return refuse(Rule::CannotSubmit {
                        period: period.label(),
                        status: round.status,
                    });
                }
                if items.is_empty() {
                    return refuse(Rule::DepartmentEmpty {
                        department: text::escape(department),
                        period: period.label(),
                    });
                }
                let undecided: Vec<String> = items
                    .iter()
                    .filter(|i| self.rating(i, *period).is_none() && !self.is_excluded(i, *period))
                    .map(|i| i.to_string())
                    .collect();
                if !undecided.is_empty() {
                    return refuse(Rule::NotRated {
                        department: text::escape(department),
                        period: period.label(),
                        items: undecided,
                    });
                }
                let returned: Vec<String> = items
                    .iter()
                    .filter(|i| round.review(i).returned)
                    .map(|i| i.to_string())
                    .collect();
                if !returned.is_empty() {
                    return refuse(Rule::ReturnedNotRated {
                        department: text::escape(department),
                        items: returned,
                    });
                }
                if items.iter().all(|i| round.review(i).submitted) {
                    return refuse(Rule::AlreadySubmitted {
                        department: text::escape(department),
                        period: period.label(),
                    });
                }
                let ids: Vec<ItemId> = items.into_iter().cloned().collect();
                if let Some(round) = self.rounds.get_mut(period) {
                    for id in ids {
                        round.items.entry(id).or_default().submitted = true;
                    }
                }
            }
            Change::Reviewed {
                period,
                item,
                stage,
                verdict,
            } => {
                let round = self.round(*period)?;
                if round.status == RoundStatus::Published {
                    return refuse(Rule::ReviewPublished {
                        period: period.label(),
                    });
                }
                self.item_at(item, *period)?;
                let review = round.review(item);
                if !review.submitted {
                    return refuse(Rule::NotSubmitted {
                        id: item.clone(),
                        period: period.label(),
                    });
                }
                match (stage, verdict) {
                    (Stage::First, _) if review.second => {
                        return refuse(Rule::FirstOver {
                            id: item.clone(),
                            period: period.label(),
                        });
                    }
                    (Stage::First, Verdict::Approve) if review.first => {
                        return refuse(Rule::FirstApproved {
                            id: item.clone(),
                            period: period.label(),
                        });
                    }
                    (Stage::Second, _) if !review.first => {
                        return refuse(Rule::FirstNeeded {
                            id: item.clone(),
                            period: period.label(),
                        });
                    }
                    (Stage::Second, Verdict::Approve) if review.second => {
                        return refuse(Rule::SecondApproved {
                            id: item.clone(),
                            period: period.label(),
                        });
                    }
                    _ => {}
                }
                let new = match verdict {
                    Verdict::Approve => ItemReview {
                        first: true,
                        second: review.second || *stage == Stage::Second,
                        reopened: review.reopened && *stage != Stage::Second,
                        ..review
                    },
                    Verdict::Return => ItemReview {
                        submitted: false,
                        first: false,
                        second: false,
                        returned: true,
                        reopened: true,
                    },
                };
                if let Some(round) = self.rounds.get_mut(period) {
                    round.items.insert(item.clone(), new);
                }
            }
            Change::OpinionRecorded { period, item, text } => {
                self.round(*period)?;
                if let Some(item) = item {
                    self.items
                        .get(item)
                        .ok_or_else(|| Refused::NoSuchItem(item.clone()))?;
                }
                text::check_multiline("opinion", text, false).map_err(Refused::from)?;
            }
            Change::RoundClosed { period } => {
                let round = self.round(*period)?;
                if round.status != RoundStatus::Open {
                    return refuse(Rule::RoundNotOpen {
                        period: period.label(),
                        status: round.status,
                    });
                }
                if let Some(r) = self.rounds.get_mut(period) {
                    r.status = RoundStatus::Closed;
                }
            }
            Change::RoundPublished {
                period,
                table_sha256,
            } => {
                let round = self.round(*period)?;
                if round.status == RoundStatus::Published {
                    return refuse(Rule::AlreadyPublished {
                        period: period.label(),
                    });
                }
                let pending: Vec<String> = self
                    .items_in_order()
                    .into_iter()
                    .filter(|i| i.in_plan_at(*period))
                    .filter(|i| {
                        let rated = self.rating(&i.id, *period).is_some();
                        let excluded = self.is_excluded(&i.id, *period);
                        !(excluded || rated && round.review(&i.id).second)
                    })
                    .map(|i| i.id.to_string())
                    .collect();
                if !pending.is_empty() {
                    return refuse(Rule::Unfinished {
                        period: period.label(),
                        items: pending,
                    });
                }
                let digest = self.published_table_sha256(*period);
                if digest != *table_sha256 {
                    return refuse(Rule::DigestMismatch {
                        period: period.label(),
                        digest: hex::encode(digest),
                    });
                }
                if let Some(r) = self.rounds.get_mut(period) {
                    r.status = RoundStatus::Published;
                    r.published = Some(*table_sha256);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The person who may record `change` as `author`, or why not: in a ledger with people, the author
    /// must be a registered person with a key, holding the role the change needs for the item's
    /// department, and a cell may change only in an open round (or, in a published round, as a
    /// correction by 行革本部). A ledger without people authorizes everything, as it always did.
    pub fn authorize(&self, author: &str, change: &Change) -> Result<(), Refused> {
        let Some(people) = &self.people else {
            return Ok(());
        };
        let who = people.get(author).ok_or_else(|| {
            Refused::Rule(Rule::NotAPerson {
                author: text::escape(author),
            })
        })?;
        if who.vkey.is_none() {
            return refuse(Rule::NoKey {
                person: text::escape(author),
            });
        }
        let needs = |roles: &[Role], action: Action| -> Result<(), Refused> {
            if roles.iter().any(|r| who.has(*r)) {
                Ok(())
            } else {
                refuse(Rule::NeedsRole {
                    person: text::escape(author),
                    action,
                    roles: roles.to_vec(),
                })
            }
        };
        let own_department = |item: &ItemId, review: bool| -> Result<(), Refused> {
            let dept = &self
                .items
                .get(item)
                .ok_or_else(|| Refused::NoSuchItem(item.clone()))?
                .department;
            if ident::same(dept, &who.department) {
                Ok(())
            } else {
                refuse(Rule::OtherDepartment {
                    person: text::escape(author),
                    department: text::escape(&who.department),
                    review,
                    id: item.clone(),
                    owner: text::escape(dept),
                })
            }
        };
        let by_role = match change {
            Change::ClockBehind { .. } => Ok(()),
            Change::PlanDefined { .. } | Change::PeopleEnabled { .. } => refuse(Rule::DefinedOnce),
            Change::CategoryAdded { .. }
            | Change::HeadingRenamed { .. }
            | Change::ItemRegistered { .. }
            | Change::ItemAmended { .. }
            | Change::ItemWithdrawn { .. }
            | Change::ItemReinstated { .. }
            | Change::ItemMerged { .. }
            | Change::MergeWithdrawn { .. } => needs(&[Role::Admin], Action::ChangeItems),
            Change::PersonRegistered { .. }
            | Change::RoleGranted { .. }
            | Change::RoleRevoked { .. } => needs(&[Role::Admin], Action::ManagePeople),
            Change::KeyRotated { person, .. } | Change::KeyRevoked { person } => {
                if person == author {
                    Ok(())
                } else {
                    needs(&[Role::Admin], Action::ChangeOthersKey)
                }
            }
            Change::RoundOpened { .. }
            | Change::RoundClosed { .. }
            | Change::RoundPublished { .. } => needs(&[Role::Admin], Action::ManageRounds),
            Change::ItemExcluded { period, .. } | Change::ExclusionWithdrawn { period, .. } => {
                match self.rounds.get(period).map(|r| r.status) {
                    Some(RoundStatus::Published) => needs(&[Role::Hq], Action::ExcludePublished),
                    _ => needs(&[Role::Hq, Role::Admin], Action::Exclude),
                }
            }
            Change::OpinionRecorded { .. } => needs(&[Role::Committee], Action::RecordOpinion),
            Change::Submitted { department, .. } => {
                needs(&[Role::Staff, Role::Head], Action::Submit)?;
                if ident::same(department, &who.department) {
                    Ok(())
                } else {
                    refuse(Rule::SubmitOther {
                        person: text::escape(author),
                        department: text::escape(&who.department),
                        other: text::escape(department),
                    })
                }
            }
            Change::Reviewed { item, stage, .. } => match stage {
                Stage::First => {
                    needs(&[Role::Head], Action::ReviewFirst)?;
                    own_department(item, true)
                }
                Stage::Second => needs(&[Role::Hq], Action::ReviewSecond),
            },
            Change::RatingRecorded { item, period, .. }
            | Change::RatingWithdrawn { item, period }
            | Change::FollowUpSet { item, period, .. }
            | Change::RemarkSet { item, period, .. } => {
                let round = self.rounds.get(period);
                match round.map(|r| r.status) {
                    None => refuse(Rule::NoRound {
                        period: period.label(),
                        open: self.open_rounds(),
                    }),
                    Some(RoundStatus::Closed)
                        if !round.is_some_and(|r| r.review(item).returned) =>
                    {
                        refuse(Rule::RoundClosed {
                            period: period.label(),
                        })
                    }
                    Some(RoundStatus::Closed) => {
                        needs(&[Role::Staff, Role::Head], Action::Rate)?;
                        own_department(item, false)
                    }
                    Some(RoundStatus::Published) => needs(&[Role::Hq], Action::CorrectPublished),
                    Some(RoundStatus::Open) => {
                        needs(&[Role::Staff, Role::Head], Action::Rate)?;
                        own_department(item, false)?;
                        let review = round.map(|r| r.review(item)).unwrap_or_default();
                        if review.submitted {
                            return refuse(Rule::UnderReview {
                                id: item.clone(),
                                period: period.label(),
                            });
                        }
                        Ok(())
                    }
                }
            }
        };
        // An auditor (監査) reads and records nothing, not even a change of their own key: a person
        // whose only role that is authors no event (rule A15, checked after the others).
        by_role?;
        if who.has(Role::Auditor) && who.roles.len() == 1 {
            return refuse(Rule::AuditorRecords {
                person: text::escape(author),
            });
        }
        Ok(())
    }

    /// The canonical form of the table of a point as published (`schema/FORMAT.md`, "The published
    /// table"): UTF-8, lines ending in LF; [`PUBLISHED_TABLE_V1`], `plan<TAB>name`, `point<TAB>id`, then
    /// one line per item part of the plan at the point, in the plan's order: id, heading, title,
    /// department, the grade (or `対象外`, or empty), the follow-up flag (`1` or `0`) and the remark,
    /// separated by TABs, each field with `\\`, TAB, LF and CR written `\\\\`, `\\t`, `\\n`, `\\r`.
    pub fn published_table(&self, period: Period) -> String {
        canonical_table(
            self.plan.as_ref().map_or("", |p| p.name.as_str()),
            &period.id(),
            &self.published_rows(period),
        )
    }

    /// The rows of the table of a point as published: each item part of the plan at the point, in
    /// the plan's order (what [`State::published_table`] writes, one line each).
    pub fn published_rows(&self, period: Period) -> Vec<PublishedRow> {
        let mut rows = Vec::new();
        for item in self.items_in_order() {
            if !item.in_plan_at(period) {
                continue;
            }
            let cell = self.cell(&item.id, period);
            let grade = match (&cell.rating, self.is_excluded(&item.id, period)) {
                (Some(g), _) => g.clone(),
                (None, true) => NOT_EVALUATED.to_string(),
                (None, false) => String::new(),
            };
            rows.push(PublishedRow {
                id: item.id.as_str().to_string(),
                heading: item.category.clone(),
                title: item.title.clone(),
                department: item.department.clone(),
                grade,
                follow_up: cell.follow_up,
                remark: cell.remark,
            });
        }
        rows
    }

    /// SHA-256 of [`State::published_table`].
    pub fn published_table_sha256(&self, period: Period) -> [u8; 32] {
        Sha256::digest(self.published_table(period).as_bytes()).into()
    }
}
