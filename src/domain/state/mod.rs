//! The projection: a pure fold of events into the plan, its items and their cells.
//!
//! [`State::apply`] is the single place where the domain rules live: a change that breaks one is refused
//! with a message saying what is wrong and what is valid. The ledger applies every new change to a copy
//! of the state before anything is written, and folds stored events with the same function, so what was
//! accepted once always folds again.
//!
//! Rules that apply to what is written from now on only, such as the identifier rule of
//! [`crate::domain::ident`], are in [`State::admit`], which the ledger calls on each new change before
//! [`State::apply`] and which the fold never calls: events recorded before such a rule stay valid.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::domain::event::{Change, Event};
use crate::domain::period::{Era, MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, Period};
use crate::domain::{ident, text};

/// The plan a ledger evaluates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The plan's name.
    pub name: String,
    /// Grade scale, best first.
    pub grades: Vec<String>,
    /// Default era for era-less fiscal years.
    pub default_era: Option<Era>,
    /// Ledger origin (checkpoint origin and key name).
    pub origin: String,
}

/// An item of the plan as it currently stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Number, unique in the plan.
    pub number: u32,
    /// Title.
    pub title: String,
    /// Responsible department.
    pub department: String,
    /// Heading.
    pub category: String,
    /// The item this one re-lists, if any.
    pub relisting_of: Option<u32>,
    /// Withdrawn from the plan.
    pub withdrawn: bool,
}

/// What was decided for one item in one period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// The grade, if rated.
    pub rating: Option<String>,
    /// Flagged for follow-up.
    pub follow_up: bool,
    /// Remark (empty when none).
    pub remark: String,
}

/// The current state of a ledger, rebuilt from its events.
///
/// Its serialized form (bincode, in the state snapshots) is that of the four fields with the cells
/// as a map from `(item, period)` to [`Cell`]; in memory a cell is kept smaller (see `Slot`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    /// The plan, once defined.
    pub plan: Option<Plan>,
    /// Headings in the order they were added.
    pub categories: Vec<String>,
    /// Items by number.
    pub items: BTreeMap<u32, Item>,
    /// Cells by item and period.
    cells: Cells,
}

/// The cells, by item, each item's in period order: a small sorted vector per item rather than one
/// map entry per cell (a B-tree filled in order keeps its nodes about half full: 64 bytes a cell
/// instead of about 36).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Cells(BTreeMap<u32, Vec<(Period, Slot)>>);

impl Cells {
    fn get(&self, key: &(u32, Period)) -> Option<&Slot> {
        let row = self.0.get(&key.0)?;
        let i = row.binary_search_by_key(&key.1, |(p, _)| *p).ok()?;
        Some(&row[i].1)
    }

    fn get_mut(&mut self, key: &(u32, Period)) -> Option<&mut Slot> {
        let row = self.0.get_mut(&key.0)?;
        let i = row.binary_search_by_key(&key.1, |(p, _)| *p).ok()?;
        Some(&mut row[i].1)
    }

    /// The slot of `key`, created empty if there is none.
    fn or_default(&mut self, key: (u32, Period)) -> &mut Slot {
        let row = self.0.entry(key.0).or_default();
        let i = match row.binary_search_by_key(&key.1, |(p, _)| *p) {
            Ok(i) => i,
            Err(i) => {
                // Grow by a quarter, not double: an item has a few dozen cells at most.
                if row.len() == row.capacity() {
                    row.reserve_exact(row.len() / 4 + 1);
                }
                row.insert(i, (key.1, Slot::default()));
                i
            }
        };
        &mut row[i].1
    }

    fn iter(&self) -> impl Iterator<Item = ((u32, Period), &Slot)> + '_ {
        self.0
            .iter()
            .flat_map(|(n, row)| row.iter().map(move |(p, s)| ((*n, *p), s)))
    }

    /// The number of cells.
    fn len(&self) -> usize {
        self.0.values().map(Vec::len).sum()
    }
}

/// A cell as the state keeps it: its grade as a position in the plan's scale (fixed once the plan is
/// defined: a rating's grade is always one of it), the remark only when there is one. 24 bytes
/// instead of 56 and no allocation for a grade: a million cells take about 60 MB, not 160.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Slot {
    /// 0 when unrated, else 1 + the grade's position in the plan's scale.
    grade: u32,
    follow_up: bool,
    remark: Option<Box<str>>,
}

impl Slot {
    fn remark(&self) -> &str {
        self.remark.as_deref().unwrap_or("")
    }
}

/// A cell as the views read it, borrowed from the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellRef<'a> {
    /// The grade, if rated.
    pub rating: Option<&'a str>,
    /// Flagged for follow-up.
    pub follow_up: bool,
    /// Remark (empty when none).
    pub remark: &'a str,
}

impl CellRef<'_> {
    /// The owned cell.
    pub fn to_cell(&self) -> Cell {
        Cell {
            rating: self.rating.map(str::to_string),
            follow_up: self.follow_up,
            remark: self.remark.to_string(),
        }
    }
}

/// A change that the domain rules refuse. The message says what is wrong, as data; what the user can do
/// about it is the front end's to say, and the variants other than [`Refused::Rule`] are there so that it
/// can.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refused {
    /// A change before the plan is defined, where a plan is needed.
    #[error("the ledger has no plan yet")]
    NoPlan,
    /// A change to an item number that was never added.
    #[error("there is no item {0}")]
    NoSuchItem(u32),
    /// A change to a withdrawn item (other than reinstating it).
    #[error("item {0} is withdrawn")]
    ItemWithdrawn(u32),
    /// Adding an item number that exists.
    #[error("item {0} already exists")]
    ItemExists(u32),
    /// Any other rule of `schema/FORMAT.md` section 12, in words.
    #[error("{0}")]
    Rule(String),
}

impl Refused {
    /// A stable name for the kind of refusal (snake case).
    pub fn kind(&self) -> &'static str {
        match self {
            Refused::NoPlan => "no_plan",
            Refused::NoSuchItem(_) => "no_such_item",
            Refused::ItemWithdrawn(_) => "item_withdrawn",
            Refused::ItemExists(_) => "item_exists",
            Refused::Rule(_) => "refused",
        }
    }
}

fn refuse<T>(msg: impl Into<String>) -> Result<T, Refused> {
    Err(Refused::Rule(msg.into()))
}

impl State {
    /// The plan, or a refusal for a ledger without one.
    pub fn plan(&self) -> Result<&Plan, Refused> {
        self.plan.as_ref().ok_or(Refused::NoPlan)
    }

    /// Periods that have at least one rating, in order.
    pub fn rated_periods(&self) -> BTreeSet<Period> {
        self.cells
            .iter()
            .filter(|(_, c)| c.grade != 0)
            .map(|((_, p), _)| p)
            .collect()
    }

    fn grade_name(&self, grade: u32) -> Option<&str> {
        let i = usize::try_from(grade.checked_sub(1)?).ok()?;
        Some(self.plan.as_ref()?.grades.get(i)?.as_str())
    }

    fn grade_index(&self, grade: &str) -> Option<u32> {
        let i = self.plan.as_ref()?.grades.iter().position(|g| g == grade)?;
        u32::try_from(i).ok()?.checked_add(1)
    }

    fn view<'a>(&'a self, slot: &'a Slot) -> CellRef<'a> {
        CellRef {
            rating: self.grade_name(slot.grade),
            follow_up: slot.follow_up,
            remark: slot.remark(),
        }
    }

    /// The cell of an item in a period, borrowed (`None` if nothing was ever decided there).
    pub fn cell_ref(&self, item: u32, period: Period) -> Option<CellRef<'_>> {
        self.cells.get(&(item, period)).map(|s| self.view(s))
    }

    /// Every cell where something was decided, by item then period.
    pub fn cells(&self) -> impl Iterator<Item = ((u32, Period), CellRef<'_>)> + '_ {
        self.cells.iter().map(|(k, s)| (k, self.view(s)))
    }

    /// The grade of an item in a period, if rated.
    pub fn rating(&self, item: u32, period: Period) -> Option<&str> {
        self.cells
            .get(&(item, period))
            .and_then(|s| self.grade_name(s.grade))
    }

    /// The latest period with a rating, if any.
    pub fn latest_period(&self) -> Option<Period> {
        self.rated_periods().last().copied()
    }

    /// An item that exists and is not withdrawn.
    pub fn active_item(&self, number: u32) -> Result<&Item, Refused> {
        match self.items.get(&number) {
            None => Err(Refused::NoSuchItem(number)),
            Some(i) if i.withdrawn => Err(Refused::ItemWithdrawn(number)),
            Some(i) => Ok(i),
        }
    }

    /// The heading named `name`: the one spelled so, else one equal to it under the identifier rule
    /// ([`ident::same`]: NFKC).
    pub fn heading(&self, name: &str) -> Option<&String> {
        self.categories
            .iter()
            .find(|c| *c == name)
            .or_else(|| self.categories.iter().find(|c| ident::same(c, name)))
    }

    /// A new change as it is to be recorded, or why it may not be: the identifier rule
    /// ([`crate::domain::ident`]) for the departments, headings, grades and origin it gives; a heading added
    /// under a name equal (in NFKC) to an existing one's; and the names it refers to put in the form
    /// the ledger holds: a heading or a grade equal in NFKC to one of the ledger's becomes the
    /// ledger's own, and any other grade is in NFKC. Then [`State::apply`] checks the domain rules.
    ///
    /// For changes written from now on only (the ledger calls it before encoding each new change):
    /// the fold of recorded events never does, so a ledger written before these rules keeps folding
    /// and verifying.
    pub fn admit(&self, change: Change) -> Result<Change, Refused> {
        let check = |field: &str, s: &str| ident::check(field, s).map_err(Refused::Rule);
        Ok(match change {
            Change::PlanDefined {
                name,
                grades,
                default_era,
                origin,
            } => {
                check("origin", &origin)?;
                let grades = grades
                    .iter()
                    .map(|g| ident::token("grade", g).map_err(Refused::Rule))
                    .collect::<Result<Vec<_>, _>>()?;
                Change::PlanDefined {
                    name,
                    grades,
                    default_era,
                    origin,
                }
            }
            Change::CategoryAdded { name } => {
                check("heading", &name)?;
                if let Some(other) = self.heading(&name).filter(|c| **c != name) {
                    return refuse(format!(
                        "heading `{}` already exists as `{}` (the same name in NFKC); use `{}`",
                        text::escape(&name),
                        text::escape(other),
                        text::escape(other)
                    ));
                }
                Change::CategoryAdded { name }
            }
            Change::ItemRegistered {
                number,
                title,
                department,
                category,
                relisting_of,
            } => {
                check("department", &department)?;
                Change::ItemRegistered {
                    number,
                    title,
                    department,
                    category: self.heading_for(category)?,
                    relisting_of,
                }
            }
            Change::ItemAmended {
                number,
                title,
                department,
                category,
                relisting_of,
            } => {
                if let Some(d) = &department {
                    check("department", d)?;
                }
                let category = category.map(|c| self.heading_for(c)).transpose()?;
                Change::ItemAmended {
                    number,
                    title,
                    department,
                    category,
                    relisting_of,
                }
            }
            Change::RatingRecorded {
                item,
                period,
                grade,
            } => {
                let grades = self.plan.as_ref().map_or(&[][..], |p| &p.grades[..]);
                let grade = match grades.contains(&grade) {
                    // One of the scale's grades as the ledger holds it (if recorded before the rule).
                    true => grade,
                    false => {
                        let grade = ident::token("grade", &grade).map_err(Refused::Rule)?;
                        let in_scale = grades.iter().find(|g| ident::same(g, &grade));
                        in_scale.cloned().unwrap_or(grade)
                    }
                };
                Change::RatingRecorded {
                    item,
                    period,
                    grade,
                }
            }
            other => other,
        })
    }

    /// A heading a new change refers to, as the ledger holds it: one of its headings, as spelled (even
    /// if recorded before the identifier rule), or checked by the rule and then the ledger's heading
    /// equal to it in NFKC, if any.
    fn heading_for(&self, name: String) -> Result<String, Refused> {
        if self.categories.contains(&name) {
            return Ok(name);
        }
        ident::check("heading", &name).map_err(Refused::Rule)?;
        Ok(self.heading(&name).cloned().unwrap_or(name))
    }

    fn check_grade(&self, grade: &str) -> Result<(), Refused> {
        let plan = self.plan()?;
        if plan.grades.iter().any(|g| g == grade) {
            Ok(())
        } else {
            refuse(format!(
                "grade `{}` is not in the plan's scale; use one of {}",
                text::escape(grade),
                plan.grades.join(", ")
            ))
        }
    }

    fn check_category(&self, name: &str) -> Result<(), Refused> {
        if self.categories.iter().any(|c| c == name) {
            Ok(())
        } else {
            refuse(format!(
                "there is no heading `{}`; use one of: {}",
                text::escape(name),
                self.categories.join(", ")
            ))
        }
    }

    /// Applies one change, or refuses it and leaves the state as it was.
    pub fn apply(&mut self, change: &Change) -> Result<(), Refused> {
        if self.plan.is_none() && !matches!(change, Change::PlanDefined { .. }) {
            return refuse("the ledger has no plan yet: the first event must define it");
        }
        if let Some(period) = change.period() {
            check_period(period)?;
        }
        match change {
            Change::PlanDefined {
                name,
                grades,
                default_era,
                origin,
            } => {
                if self.plan.is_some() {
                    return refuse("the plan is already defined");
                }
                text::check_line("plan name", name).map_err(Refused::Rule)?;
                check_origin(origin)?;
                if grades.is_empty() {
                    return refuse("the grade scale is empty; give grades best first, e.g. S,A,B");
                }
                let mut seen = BTreeSet::new();
                for g in grades {
                    text::check_token("grade", g).map_err(Refused::Rule)?;
                    if !seen.insert(g) {
                        return refuse(format!("grade `{g}` appears twice in the scale"));
                    }
                }
                self.plan = Some(Plan {
                    name: name.clone(),
                    grades: grades.clone(),
                    default_era: *default_era,
                    origin: origin.clone(),
                });
            }
            Change::CategoryAdded { name } => {
                text::check_line("heading", name).map_err(Refused::Rule)?;
                if self.categories.contains(name) {
                    return refuse(format!("heading `{name}` already exists"));
                }
                self.categories.push(name.clone());
            }
            Change::ItemRegistered {
                number,
                title,
                department,
                category,
                relisting_of,
            } => {
                if *number == 0 {
                    return refuse("item numbers start at 1");
                }
                if self.items.contains_key(number) {
                    return Err(Refused::ItemExists(*number));
                }
                text::check_line("title", title).map_err(Refused::Rule)?;
                text::check_line("department", department).map_err(Refused::Rule)?;
                self.check_category(category)?;
                if let Some(of) = relisting_of {
                    self.check_relisting(*number, *of)?;
                }
                self.items.insert(
                    *number,
                    Item {
                        number: *number,
                        title: title.clone(),
                        department: department.clone(),
                        category: category.clone(),
                        relisting_of: *relisting_of,
                        withdrawn: false,
                    },
                );
            }
            Change::ItemAmended {
                number,
                title,
                department,
                category,
                relisting_of,
            } => {
                let item = self.active_item(*number)?.clone();
                let mut new = item.clone();
                if let Some(t) = title {
                    text::check_line("title", t).map_err(Refused::Rule)?;
                    new.title = t.clone();
                }
                if let Some(d) = department {
                    text::check_line("department", d).map_err(Refused::Rule)?;
                    new.department = d.clone();
                }
                if let Some(c) = category {
                    self.check_category(c)?;
                    new.category = c.clone();
                }
                if let Some(r) = relisting_of {
                    if let Some(of) = r {
                        self.check_relisting(*number, *of)?;
                    }
                    new.relisting_of = *r;
                }
                if new == item {
                    return refuse(format!(
                        "the amendment changes nothing: item {number} already reads so"
                    ));
                }
                self.items.insert(*number, new);
            }
            Change::ItemWithdrawn { number } => {
                self.active_item(*number)?;
                if let Some(i) = self.items.get_mut(number) {
                    i.withdrawn = true;
                }
            }
            Change::ItemReinstated { number } => match self.items.get_mut(number) {
                Some(i) if i.withdrawn => i.withdrawn = false,
                Some(_) => return refuse(format!("item {number} is not withdrawn")),
                None => return refuse(format!("there is no item {number}")),
            },
            Change::RatingRecorded {
                item,
                period,
                grade,
            } => {
                self.active_item(*item)?;
                self.check_grade(grade)?;
                let index = self.grade_index(grade).ok_or_else(|| {
                    Refused::Rule(format!(
                        "grade `{}` is not in the plan's scale",
                        text::escape(grade)
                    ))
                })?;
                let key = (*item, *period);
                if self.cells.get(&key).map(|c| c.grade) == Some(index) {
                    return refuse(format!(
                        "item {item} is already rated {grade} for {}; nothing to change",
                        period.label()
                    ));
                }
                self.cells.or_default(key).grade = index;
            }
            Change::RatingWithdrawn { item, period } => {
                self.active_item(*item)?;
                match self.cells.get_mut(&(*item, *period)) {
                    Some(c) if c.grade != 0 => c.grade = 0,
                    _ => {
                        return refuse(format!(
                            "item {item} has no rating for {} to withdraw",
                            period.label()
                        ));
                    }
                }
            }
            Change::FollowUpSet {
                item,
                period,
                flagged,
            } => {
                self.active_item(*item)?;
                let key = (*item, *period);
                if self.cells.get(&key).is_some_and(|c| c.follow_up) == *flagged {
                    return refuse(format!(
                        "the follow-up flag of item {item} for {} is already {}; nothing to change",
                        period.label(),
                        if *flagged { "on" } else { "off" }
                    ));
                }
                self.cells.or_default(key).follow_up = *flagged;
            }
            Change::RemarkSet { item, period, text } => {
                self.active_item(*item)?;
                text::check_multiline("remark", text, true).map_err(Refused::Rule)?;
                let key = (*item, *period);
                if self.cells.get(&key).map_or("", Slot::remark) == text {
                    return refuse(format!(
                        "item {item} already has that remark for {}; nothing to change",
                        period.label()
                    ));
                }
                self.cells.or_default(key).remark =
                    (!text.is_empty()).then(|| text.as_str().into());
            }
            // A note on the batch's time, written by the ledger: nothing to check, nothing changes.
            Change::ClockBehind { .. } => {}
        }
        Ok(())
    }

    /// The cell of an item in a period (empty if nothing was decided).
    pub fn cell(&self, item: u32, period: Period) -> Cell {
        self.cell_ref(item, period)
            .map(|c| c.to_cell())
            .unwrap_or_default()
    }

    fn check_relisting(&self, number: u32, of: u32) -> Result<(), Refused> {
        if of == number {
            return refuse(format!("item {number} cannot re-list itself"));
        }
        match self.items.get(&of) {
            None => refuse(format!(
                "item {number} re-lists item {of}, which does not exist; register item {of} first"
            )),
            Some(i) if i.relisting_of.is_some() => refuse(format!(
                "item {of} is itself a re-listing; re-list the original item instead"
            )),
            Some(_) => Ok(()),
        }
    }
}

/// Checks a period's fiscal year: within [`MIN_FISCAL_YEAR`]..=[`MAX_FISCAL_YEAR`], the only years
/// [`Period::new`] (and so every reader of a period) ever accepted.
fn check_period(period: Period) -> Result<(), Refused> {
    let fy = period.fiscal_year;
    if !(MIN_FISCAL_YEAR..=MAX_FISCAL_YEAR).contains(&fy) {
        return refuse(format!(
            "the period's fiscal year {fy} is out of range {MIN_FISCAL_YEAR}..={MAX_FISCAL_YEAR}"
        ));
    }
    Ok(())
}

/// The rules on who, why and where from that every recorded event obeys (`schema/FORMAT.md`, section
/// 12): the author is non-blank and free of control characters, the reason non-blank and free of
/// control characters other than newline and tab, and a source's file name is a file name
/// ([`check_file_name`]). Every writer has checked the first two since the first version, and the
/// command line the third, so `verify` and `restore` check them on stored events too.
pub fn check_recorded_meta(event: &Event) -> Result<(), Refused> {
    text::check_line("author", &event.author).map_err(Refused::Rule)?;
    text::check_multiline("reason", &event.reason, false).map_err(Refused::Rule)?;
    if let Some(s) = &event.source {
        check_file_name(&s.file_name).map_err(Refused::Rule)?;
    }
    Ok(())
}

/// Checks a source's file name: the last component of a path, as the command line records it (Rust's
/// `Path::file_name`): non-empty, neither `.` nor `..`, without `/` or NUL.
pub fn check_file_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
        return Err(format!(
            "the source file name `{}` is not a file name without directories",
            text::escape(name)
        ));
    }
    Ok(())
}

/// Checks a ledger origin: non-empty, printable, no white space and no `+` (it is also a key name).
pub fn check_origin(origin: &str) -> Result<(), Refused> {
    if origin.is_empty()
        || origin.contains('+')
        || origin.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return refuse(format!(
            "origin `{}` is not valid: it must be non-empty, without spaces or `+`, e.g. city.kodaira.example/reform-plan-2",
            text::escape(origin)
        ));
    }
    Ok(())
}

mod wire;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::period::Part;

    fn plan() -> Change {
        Change::PlanDefined {
            name: "plan".into(),
            grades: vec!["S".into(), "A".into(), "B".into()],
            default_era: None,
            origin: "example/plan".into(),
        }
    }

    fn p() -> Period {
        Period {
            fiscal_year: 2014,
            part: Part::FirstHalf,
        }
    }

    fn with_item() -> State {
        let mut s = State::default();
        for c in [
            plan(),
            Change::CategoryAdded { name: "c".into() },
            Change::ItemRegistered {
                number: 1,
                title: "t".into(),
                department: "d".into(),
                category: "c".into(),
                relisting_of: None,
            },
        ] {
            s.apply(&c).unwrap();
        }
        s
    }

    #[test]
    fn refusals_leave_the_state_unchanged() {
        let mut s = with_item();
        let before = s.clone();
        let bad = [
            Change::RatingRecorded {
                item: 2,
                period: p(),
                grade: "A".into(),
            },
            Change::RatingRecorded {
                item: 1,
                period: p(),
                grade: "Z".into(),
            },
            Change::RatingWithdrawn {
                item: 1,
                period: p(),
            },
            Change::FollowUpSet {
                item: 1,
                period: p(),
                flagged: false,
            },
            Change::ItemRegistered {
                number: 1,
                title: "t".into(),
                department: "d".into(),
                category: "c".into(),
                relisting_of: None,
            },
            Change::ItemRegistered {
                number: 3,
                title: "t".into(),
                department: "d".into(),
                category: "nope".into(),
                relisting_of: None,
            },
            Change::ItemRegistered {
                number: 3,
                title: "t".into(),
                department: "d".into(),
                category: "c".into(),
                relisting_of: Some(9),
            },
            Change::ItemAmended {
                number: 1,
                title: Some("t".into()),
                department: None,
                category: None,
                relisting_of: None,
            },
            plan(),
        ];
        for c in bad {
            let err = s.apply(&c).unwrap_err();
            assert!(!err.to_string().is_empty());
            assert_eq!(s, before, "{c:?} changed the state");
        }
        assert!(
            s.apply(&Change::RatingRecorded {
                item: 1,
                period: p(),
                grade: "Z".into()
            })
            .unwrap_err()
            .to_string()
            .contains("S, A, B")
        );
    }

    #[test]
    fn ratings_flags_and_remarks_fold() {
        let mut s = with_item();
        s.apply(&Change::RatingRecorded {
            item: 1,
            period: p(),
            grade: "A".into(),
        })
        .unwrap();
        s.apply(&Change::RatingRecorded {
            item: 1,
            period: p(),
            grade: "B".into(),
        })
        .unwrap();
        s.apply(&Change::FollowUpSet {
            item: 1,
            period: p(),
            flagged: true,
        })
        .unwrap();
        s.apply(&Change::RemarkSet {
            item: 1,
            period: p(),
            text: "r".into(),
        })
        .unwrap();
        let cell = &s.cell(1, p());
        assert_eq!(cell.rating.as_deref(), Some("B"));
        assert!(cell.follow_up);
        assert_eq!(cell.remark, "r");
        assert_eq!(s.latest_period(), Some(p()));
        s.apply(&Change::RatingWithdrawn {
            item: 1,
            period: p(),
        })
        .unwrap();
        assert_eq!(s.latest_period(), None);
        s.apply(&Change::ItemWithdrawn { number: 1 }).unwrap();
        assert!(
            s.apply(&Change::RatingRecorded {
                item: 1,
                period: p(),
                grade: "A".into()
            })
            .is_err()
        );
        s.apply(&Change::ItemReinstated { number: 1 }).unwrap();
        s.apply(&Change::RatingRecorded {
            item: 1,
            period: p(),
            grade: "A".into(),
        })
        .unwrap();
    }

    #[test]
    fn admit_applies_the_identifier_rule_to_new_changes_but_the_fold_does_not() {
        let mut s = with_item();
        let invisible = Change::CategoryAdded {
            name: "c\u{200B}2".into(),
        };
        let err = s.admit(invisible.clone()).unwrap_err().to_string();
        assert!(
            err.contains("U+200B ZERO WIDTH SPACE at position 2"),
            "{err}"
        );
        // What was recorded before the rule still folds.
        s.apply(&invisible).unwrap();
        // Names given are put in the form the ledger holds: an NFKC-equal heading, the scale's grade.
        let amend = Change::ItemAmended {
            number: 1,
            title: None,
            department: Some("ｄ課".into()),
            category: Some("c2".into()),
            relisting_of: None,
        };
        assert_eq!(
            s.admit(amend).unwrap(),
            Change::ItemAmended {
                number: 1,
                title: None,
                department: Some("ｄ課".into()),
                category: Some("c\u{200B}2".into()),
                relisting_of: None,
            }
        );
        let rate = |grade: &str| Change::RatingRecorded {
            item: 1,
            period: p(),
            grade: grade.into(),
        };
        assert_eq!(s.admit(rate("Ａ")).unwrap(), rate("A"));
        assert!(s.admit(rate("A\u{2800}")).is_err());
        // A new heading equal in NFKC to one the ledger has is refused.
        let err = s
            .admit(Change::CategoryAdded { name: "ｃ".into() })
            .unwrap_err()
            .to_string();
        assert!(err.contains("already exists as `c`"), "{err}");
        // The plan's grades are stored in NFKC, its origin checked.
        let plan = Change::PlanDefined {
            name: "plan".into(),
            grades: vec!["Ｓ".into(), "Ａ".into()],
            default_era: None,
            origin: "example/plan".into(),
        };
        match State::default().admit(plan).unwrap() {
            Change::PlanDefined { grades, .. } => assert_eq!(grades, ["S", "A"]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn events_before_the_plan_are_refused() {
        let mut s = State::default();
        assert!(
            s.apply(&Change::CategoryAdded { name: "c".into() })
                .is_err()
        );
    }

    #[test]
    fn origins_are_checked() {
        for bad in ["", "a b", "a+b", "a\nb"] {
            assert!(check_origin(bad).is_err(), "{bad:?}");
        }
        assert!(check_origin("city.kodaira.example/reform-plan-2").is_ok());
    }

    /// The compact cells serialize exactly as the state did when it held `Cell`s in a map (the form
    /// stored snapshots have), and decode back to the same state.
    #[test]
    fn the_serialized_state_is_the_form_snapshots_have() {
        #[derive(Serialize)]
        struct Before {
            plan: Option<Plan>,
            categories: Vec<String>,
            items: BTreeMap<u32, Item>,
            cells: BTreeMap<(u32, Period), Cell>,
        }
        let mut s = with_item();
        let later = Period {
            fiscal_year: 2015,
            part: Part::YearEnd,
        };
        for c in [
            Change::RatingRecorded {
                item: 1,
                period: p(),
                grade: "B".into(),
            },
            Change::RemarkSet {
                item: 1,
                period: p(),
                text: "所見".into(),
            },
            Change::FollowUpSet {
                item: 1,
                period: later,
                flagged: true,
            },
            Change::RatingRecorded {
                item: 1,
                period: later,
                grade: "S".into(),
            },
            Change::RatingWithdrawn {
                item: 1,
                period: later,
            },
        ] {
            s.apply(&c).unwrap();
        }
        let before = Before {
            plan: s.plan.clone(),
            categories: s.categories.clone(),
            items: s.items.clone(),
            cells: s.cells().map(|(k, c)| (k, c.to_cell())).collect(),
        };
        let cfg = bincode::config::legacy();
        let old = bincode::serde::encode_to_vec(&before, cfg).unwrap();
        assert_eq!(bincode::serde::encode_to_vec(&s, cfg).unwrap(), old);
        let (back, _): (State, usize) = bincode::serde::decode_from_slice(&old, cfg).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.cell(1, later).rating, None);
        assert!(back.cell(1, later).follow_up);
        assert_eq!(back.rating(1, p()), Some("B"));
        // A grade outside the scale, or cells out of order, are damage, not a state.
        let mut bad = before;
        bad.cells.get_mut(&(1, p())).unwrap().rating = Some("Z".into());
        let bytes = bincode::serde::encode_to_vec(&bad, cfg).unwrap();
        assert!(bincode::serde::decode_from_slice::<State, _>(&bytes, cfg).is_err());
    }

    /// A cell costs 24 bytes in the state plus its period (the state of a million cells is about
    /// 35 MB): the grade is a place in the scale, the remark is allocated only when there is one.
    #[test]
    fn a_cell_is_small() {
        assert_eq!(std::mem::size_of::<Slot>(), 24);
        assert_eq!(std::mem::size_of::<(Period, Slot)>(), 32);
        let mut s = with_item();
        s.apply(&Change::RatingRecorded {
            item: 1,
            period: p(),
            grade: "A".into(),
        })
        .unwrap();
        assert_eq!(
            s.cells
                .get(&(1, p()))
                .map(|c| (c.grade, c.remark.is_none())),
            Some((2, true))
        );
    }

    #[test]
    fn a_period_outside_the_fiscal_years_is_refused_and_leaves_the_state() {
        let mut s = with_item();
        for fiscal_year in [0, 1988, 2200, u16::MAX] {
            let period = Period {
                fiscal_year,
                part: Part::YearEnd,
            };
            let before = s.clone();
            let err = s
                .apply(&Change::FollowUpSet {
                    item: 1,
                    period,
                    flagged: true,
                })
                .unwrap_err();
            assert!(
                err.to_string().contains("out of range 1989..=2199"),
                "{err:?}"
            );
            assert_eq!(s, before);
        }
        for fiscal_year in [1989, 2199] {
            let period = Period {
                fiscal_year,
                part: Part::FirstHalf,
            };
            s.apply(&Change::FollowUpSet {
                item: 1,
                period,
                flagged: true,
            })
            .unwrap();
        }
    }

    fn recorded() -> Event {
        Event {
            version: 1,
            seq: 0,
            prev_hash: [0; 32],
            recorded_at: 0,
            author: "山田".into(),
            reason: "評価".into(),
            source: None,
            change: plan(),
            signature: None,
        }
    }

    #[test]
    fn recorded_meta_follows_the_rules_of_every_writer() {
        let mut e = recorded();
        assert_eq!(check_recorded_meta(&e), Ok(()));
        e.reason = "two\nlines\twith a tab".into();
        assert_eq!(check_recorded_meta(&e), Ok(()));
        for name in ["table.csv", "表 2015.tsv", "...", "a\\b"] {
            assert_eq!(check_file_name(name), Ok(()), "{name}");
        }
        for name in ["", ".", "..", "a/b.csv", "/b", "a\0b"] {
            assert!(check_file_name(name).is_err(), "{name:?}");
        }
        let broken: [&dyn Fn(&mut Event); 5] = [
            &|e| e.author = " ".into(),
            &|e| e.author = "a\tb".into(),
            &|e| e.reason = "".into(),
            &|e| e.reason = "a\rb".into(),
            &|e| {
                e.source = Some(crate::domain::event::Source {
                    file_name: "d/f.csv".into(),
                    blake3: [0; 32],
                })
            },
        ];
        for edit in broken {
            let mut bad = recorded();
            edit(&mut bad);
            assert!(check_recorded_meta(&bad).is_err(), "{bad:?}");
        }
    }
}
