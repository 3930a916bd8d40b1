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
use crate::domain::item_id::ItemId;
use crate::domain::people::{People, Rounds};
use crate::domain::period::{Cadence, Era, Period};
use crate::domain::text::TextProblem;
use crate::domain::{ident, scale, text};

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
    /// When the plan reports.
    pub cadence: Cadence,
    /// The plan's first and last fiscal years, if declared.
    pub years: Option<(u16, u16)>,
}

/// An item of the plan as it currently stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Id, unique in the plan.
    pub id: ItemId,
    /// Title.
    pub title: String,
    /// Responsible department.
    pub department: String,
    /// Heading.
    pub category: String,
    /// The item this one re-lists, if any.
    pub relisting_of: Option<ItemId>,
    /// Withdrawn from the plan.
    pub withdrawn: bool,
    /// The point from which it belongs to the plan (`None`: every point).
    pub from: Option<Period>,
    /// The item it is listed right after, instead of its id's natural place.
    pub after: Option<ItemId>,
    /// The item it is folded into (集約) and the first point at which it is.
    pub merged: Option<(ItemId, Period)>,
}

impl Item {
    /// Whether the item is part of the plan at a point: not withdrawn, joined by then and not yet
    /// folded into another.
    pub fn in_plan_at(&self, period: Period) -> bool {
        !self.withdrawn
            && self.from.is_none_or(|f| f <= period)
            && self.merged.as_ref().is_none_or(|(_, m)| period < *m)
    }
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
    /// Items by id, in the ids' natural order.
    pub items: BTreeMap<ItemId, Item>,
    /// Cells by item and period.
    cells: Cells,
    /// The points at which an item is not evaluated (対象外).
    pub excluded: BTreeSet<(ItemId, Period)>,
    /// The people, in a ledger with people ([`crate::domain::people`]).
    pub people: Option<People>,
    /// The evaluation rounds, by point.
    pub rounds: Rounds,
    /// Derived from `items` (kept in step where an item is registered, rebuilt when a snapshot is
    /// decoded): for each [`ItemId::lookalike_key`], the least id that has it, so that a new id that
    /// reads as an existing one is found without reading every id.
    lookalikes: BTreeMap<String, ItemId>,
}

/// The cells, by item, each item's in period order: a small sorted vector per item rather than one
/// map entry per cell (a B-tree filled in order keeps its nodes about half full: 64 bytes a cell
/// instead of about 36).
///
/// Beside them, derived from them and kept in step by [`Cells::set_grade`] (the only way a grade
/// changes): how many cells of each period are rated, so that the rated periods are known without
/// reading every cell (the new-point rule asks for them on every change).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Cells {
    rows: BTreeMap<ItemId, Vec<(Period, Slot)>>,
    rated: BTreeMap<Period, usize>,
}

impl Cells {
    /// The cells of sorted rows, with their rated counts.
    fn from_rows(rows: BTreeMap<ItemId, Vec<(Period, Slot)>>) -> Cells {
        let mut rated: BTreeMap<Period, usize> = BTreeMap::new();
        for (p, s) in rows.values().flatten() {
            if s.grade != 0 {
                *rated.entry(*p).or_default() += 1;
            }
        }
        Cells { rows, rated }
    }

    /// Sets the grade of a cell (0: unrated), creating the cell if needed, and keeps the counts.
    fn set_grade(&mut self, item: &ItemId, period: Period, grade: u32) {
        let slot = self.or_default(item, period);
        let was = std::mem::replace(&mut slot.grade, grade);
        match (was != 0, grade != 0) {
            (false, true) => *self.rated.entry(period).or_default() += 1,
            (true, false) => {
                if let Some(n) = self.rated.get_mut(&period) {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        self.rated.remove(&period);
                    }
                }
            }
            _ => {}
        }
    }

    /// The periods with at least one rated cell, in order.
    fn rated_periods(&self) -> impl DoubleEndedIterator<Item = Period> + '_ {
        self.rated.keys().copied()
    }

    fn get(&self, item: &ItemId, period: Period) -> Option<&Slot> {
        let row = self.rows.get(item)?;
        let i = row.binary_search_by_key(&period, |(p, _)| *p).ok()?;
        Some(&row[i].1)
    }

    /// The slot of `key`, created empty if there is none.
    fn or_default(&mut self, item: &ItemId, period: Period) -> &mut Slot {
        let row = self.rows.entry(item.clone()).or_default();
        let i = match row.binary_search_by_key(&period, |(p, _)| *p) {
            Ok(i) => i,
            Err(i) => {
                // Grow by a quarter, not double: an item has a few dozen cells at most.
                if row.len() == row.capacity() {
                    row.reserve_exact(row.len() / 4 + 1);
                }
                row.insert(i, (period, Slot::default()));
                i
            }
        };
        &mut row[i].1
    }

    fn iter(&self) -> impl Iterator<Item = ((&ItemId, Period), &Slot)> + '_ {
        self.rows
            .iter()
            .flat_map(|(n, row)| row.iter().map(move |(p, s)| ((n, *p), s)))
    }

    /// The number of cells.
    fn len(&self) -> usize {
        self.rows.values().map(Vec::len).sum()
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
    /// A change to an item id that was never added.
    #[error("there is no item {0}")]
    NoSuchItem(ItemId),
    /// A change to a withdrawn item (other than reinstating it).
    #[error("item {0} is withdrawn")]
    ItemWithdrawn(ItemId),
    /// Adding an item id that exists.
    #[error("item {0} already exists")]
    ItemExists(ItemId),
    /// A point more than one step before the earliest rated point, which may be a typo (`H9` for
    /// `H29`): the caller must say that it opens a new point.
    #[error("{period} is more than one reporting point before the earliest rated point {earliest}")]
    EarlyPoint {
        /// The point asked for (its label).
        period: String,
        /// The earliest rated point (its label).
        earliest: String,
    },
    /// A point more than one step after the latest rated point, which may be a typo: the caller must
    /// say that it opens a new point.
    #[error("{period} is more than one reporting point after the latest rated point {latest}")]
    NewPoint {
        /// The point asked for (its label).
        period: String,
        /// The latest rated point (its label).
        latest: String,
        /// The next point of the plan's cadence (its label).
        next: String,
    },
    /// What a ledger of event schema version 1 cannot hold (a text id, 対象外, 集約, a heading rename,
    /// people, rounds); it keeps its version.
    #[error("{0}")]
    Version1(crate::domain::event::Version1),
    /// Any other rule of `schema/FORMAT.md` section 12 ([`Rule`], one variant each).
    #[error("{0}")]
    Rule(Rule),
}

impl Refused {
    /// A stable name for the kind of refusal (snake case).
    pub fn kind(&self) -> &'static str {
        match self {
            Refused::NoPlan => "no_plan",
            Refused::NoSuchItem(_) => "no_such_item",
            Refused::ItemWithdrawn(_) => "item_withdrawn",
            Refused::ItemExists(_) => "item_exists",
            Refused::NewPoint { .. } | Refused::EarlyPoint { .. } => "new_point",
            Refused::Version1(_) => "version_1",
            Refused::Rule(_) => "refused",
        }
    }
}

fn refuse<T>(rule: Rule) -> Result<T, Refused> {
    Err(Refused::Rule(rule))
}

impl From<Rule> for Refused {
    fn from(r: Rule) -> Refused {
        Refused::Rule(r)
    }
}

impl From<TextProblem> for Refused {
    fn from(p: TextProblem) -> Refused {
        Refused::Rule(Rule::Text(p))
    }
}

impl State {
    /// The plan, or a refusal for a ledger without one.
    pub fn plan(&self) -> Result<&Plan, Refused> {
        self.plan.as_ref().ok_or(Refused::NoPlan)
    }

    /// An item other than `id` whose id reads as `id` (differs only in letter case or leading zeros).
    fn lookalike_of(&self, id: &ItemId) -> Option<&ItemId> {
        let key = id.lookalike_key();
        if let Some(o) = self.lookalikes.get(&key).filter(|o| *o != id) {
            return Some(o);
        }
        // The least id of the key may be `id` itself; another may share it (a log need not obey a
        // rule of what is written from now on).
        self.lookalikes.get(&key).and_then(|_| {
            self.items
                .keys()
                .find(|o| *o != id && o.lookalike_key() == key)
        })
    }

    /// Records a registered id in the lookalike index (the least id of each key is kept, so that a fold
    /// and a decoded snapshot agree).
    fn note_lookalike(&mut self, id: &ItemId) {
        self.lookalikes
            .entry(id.lookalike_key())
            .and_modify(|o| {
                if id < o {
                    *o = id.clone();
                }
            })
            .or_insert_with(|| id.clone());
    }

    /// The lookalike index of a set of items.
    pub(crate) fn lookalikes_of(items: &BTreeMap<ItemId, Item>) -> BTreeMap<String, ItemId> {
        let mut out: BTreeMap<String, ItemId> = BTreeMap::new();
        // In order: the first id of each key is its least.
        for id in items.keys() {
            out.entry(id.lookalike_key()).or_insert_with(|| id.clone());
        }
        out
    }

    /// Periods that have at least one rating, in order.
    pub fn rated_periods(&self) -> BTreeSet<Period> {
        self.cells.rated_periods().collect()
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
    pub fn cell_ref(&self, item: &ItemId, period: Period) -> Option<CellRef<'_>> {
        self.cells.get(item, period).map(|s| self.view(s))
    }

    /// Every cell where something was decided, by item then period.
    pub fn cells(&self) -> impl Iterator<Item = ((&ItemId, Period), CellRef<'_>)> + '_ {
        self.cells.iter().map(|(k, s)| (k, self.view(s)))
    }

    /// The grade of an item in a period, if rated.
    pub fn rating(&self, item: &ItemId, period: Period) -> Option<&str> {
        self.cells
            .get(item, period)
            .and_then(|s| self.grade_name(s.grade))
    }

    /// Whether an item is not evaluated (対象外) at a point.
    pub fn is_excluded(&self, item: &ItemId, period: Period) -> bool {
        self.excluded.contains(&(item.clone(), period))
    }

    /// The latest period with a rating, if any.
    pub fn latest_period(&self) -> Option<Period> {
        self.cells.rated_periods().next_back()
    }

    /// An item that exists and is not withdrawn.
    pub fn active_item(&self, id: &ItemId) -> Result<&Item, Refused> {
        match self.items.get(id) {
            None => Err(Refused::NoSuchItem(id.clone())),
            Some(i) if i.withdrawn => Err(Refused::ItemWithdrawn(id.clone())),
            Some(i) => Ok(i),
        }
    }

    /// The items in the order the plan lists them: by id in natural order, each item placed after
    /// another ([`Item::after`]) right after it (after the items placed there before it, in natural
    /// order).
    pub fn items_in_order(&self) -> Vec<&Item> {
        let mut placed: BTreeMap<&ItemId, Vec<&Item>> = BTreeMap::new();
        let mut roots = Vec::new();
        for item in self.items.values() {
            match item.after.as_ref().filter(|a| self.items.contains_key(*a)) {
                Some(a) => placed.entry(a).or_default().push(item),
                None => roots.push(item),
            }
        }
        let mut out = Vec::with_capacity(self.items.len());
        // Depth first, with an explicit stack: a chain of placements may be long.
        let mut stack: Vec<&Item> = roots.into_iter().rev().collect();
        while let Some(item) = stack.pop() {
            out.push(item);
            if let Some(children) = placed.remove(&item.id) {
                stack.extend(children.into_iter().rev());
            }
        }
        out
    }

    /// The new-point rule for what is written from now on: a change at a point (a rating, flag, remark,
    /// 対象外, an item's first point or merge, a round) more than one step of the plan's cadence after
    /// the latest rated point ([`Refused::NewPoint`]) or before the earliest ([`Refused::EarlyPoint`])
    /// is refused unless the caller says it opens a new point, or the point's round is open; the first
    /// rating of a plan may be at any point.
    pub fn check_new_point(&self, change: &Change) -> Result<(), Refused> {
        let period = match change {
            Change::RatingRecorded { period, .. }
            | Change::FollowUpSet { period, .. }
            | Change::RemarkSet { period, .. }
            | Change::ItemExcluded { period, .. }
            | Change::RoundOpened { period, .. } => *period,
            Change::ItemRegistered {
                from: Some(from), ..
            }
            | Change::ItemAmended {
                from: Some(Some(from)),
                ..
            }
            | Change::ItemMerged { from, .. } => *from,
            _ => return Ok(()),
        };
        // A point whose round is open was opened on purpose.
        if !matches!(change, Change::RoundOpened { .. })
            && self
                .rounds
                .get(&period)
                .is_some_and(|r| r.status == crate::domain::people::RoundStatus::Open)
        {
            return Ok(());
        }
        let (Some(earliest), Some(latest), Ok(plan)) = (
            self.cells.rated_periods().next(),
            self.cells.rated_periods().next_back(),
            self.plan(),
        ) else {
            return Ok(());
        };
        if (earliest..=latest).contains(&period) {
            return Ok(());
        }
        if period > latest {
            return match plan.cadence.next_after(latest) {
                Some(next) if period <= next => Ok(()),
                next => Err(Refused::NewPoint {
                    period: period.label(),
                    latest: latest.label(),
                    next: next.map_or_else(String::new, |n| n.label()),
                }),
            };
        }
        // Before the earliest rated point: one step before it at most (a year's first half, say).
        match plan.cadence.next_after(period) {
            Some(next) if next >= earliest => Ok(()),
            _ => Err(Refused::EarlyPoint {
                period: period.label(),
                earliest: earliest.label(),
            }),
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
        let check = |field: &'static str, s: &str| ident::check(field, s).map_err(Refused::from);
        Ok(match change {
            Change::PlanDefined {
                name,
                grades,
                default_era,
                origin,
                cadence,
                years,
            } => {
                check("origin", &origin)?;
                let grades = grades
                    .iter()
                    .map(|g| ident::token("grade", g).map_err(Refused::from))
                    .collect::<Result<Vec<_>, _>>()?;
                Change::PlanDefined {
                    name,
                    grades,
                    default_era,
                    origin,
                    cadence,
                    years,
                }
            }
            Change::HeadingRenamed { from, to } => {
                check("heading", &to)?;
                let from = self.heading(&from).cloned().unwrap_or(from);
                if let Some(other) = self.heading(&to).filter(|c| **c != from) {
                    return refuse(Rule::RenameTaken {
                        name: text::escape(&to),
                        existing: text::escape(other),
                    });
                }
                Change::HeadingRenamed { from, to }
            }
            Change::CategoryAdded { name } => {
                check("heading", &name)?;
                if let Some(other) = self.heading(&name).filter(|c| **c != name) {
                    return refuse(Rule::HeadingLookalike {
                        name: text::escape(&name),
                        existing: text::escape(other),
                    });
                }
                Change::CategoryAdded { name }
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
                check("department", &department)?;
                if let Some(other) = self.lookalike_of(&id) {
                    return refuse(Rule::IdLookalike {
                        id: id.clone(),
                        other: other.clone(),
                    });
                }
                Change::ItemRegistered {
                    id,
                    title,
                    department,
                    category: self.heading_for(category)?,
                    relisting_of,
                    from,
                    after,
                }
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
                if let Some(d) = &department {
                    check("department", d)?;
                }
                let category = category.map(|c| self.heading_for(c)).transpose()?;
                Change::ItemAmended {
                    id,
                    title,
                    department,
                    category,
                    relisting_of,
                    from,
                    after,
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
                    // A progress rate as typed (`80%`, `８０％`) is its number.
                    false
                        if scale::is_progress(grades)
                            && scale::progress_input(&grade).is_some() =>
                    {
                        scale::progress_input(&grade).unwrap_or(grade)
                    }
                    false => {
                        let grade = ident::token("grade", &grade).map_err(Refused::from)?;
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
        ident::check("heading", &name).map_err(Refused::from)?;
        Ok(self.heading(&name).cloned().unwrap_or(name))
    }

    fn check_grade(&self, grade: &str) -> Result<(), Refused> {
        let plan = self.plan()?;
        if plan.grades.iter().any(|g| g == grade) {
            Ok(())
        } else {
            refuse(Rule::GradeNotInScale {
                grade: text::escape(grade),
                scale: plan.grades.clone(),
            })
        }
    }

    fn check_category(&self, name: &str) -> Result<(), Refused> {
        if self.categories.iter().any(|c| c == name) {
            Ok(())
        } else {
            refuse(Rule::NoSuchHeading {
                name: text::escape(name),
                headings: self.categories.clone(),
            })
        }
    }

    /// Applies one change, or refuses it and leaves the state as it was.
    pub fn apply(&mut self, change: &Change) -> Result<(), Refused> {
        if self.plan.is_none() && !matches!(change, Change::PlanDefined { .. }) {
            return refuse(Rule::PlanFirst);
        }
        if let Some(period) = change.period() {
            self.check_point(period)?;
        }
        match change {
            Change::PlanDefined {
                name,
                grades,
                default_era,
                origin,
                cadence,
                years,
            } => {
                if self.plan.is_some() {
                    return refuse(Rule::PlanDefined);
                }
                text::check_line("plan name", name).map_err(Refused::from)?;
                check_origin(origin)?;
                if grades.is_empty() {
                    return refuse(Rule::EmptyScale);
                }
                let mut seen = BTreeSet::new();
                for g in grades {
                    text::check_token("grade", g).map_err(Refused::from)?;
                    if !seen.insert(g) {
                        return refuse(Rule::GradeTwice { grade: g.clone() });
                    }
                }
                if let Some((first, last)) = *years {
                    for fy in [first, last] {
                        Period::new(fy, crate::domain::period::Part::YearEnd)
                            .map_err(|e| Refused::Rule(Rule::Period(e)))?;
                    }
                    if first > last {
                        return refuse(Rule::YearsBackwards { first, last });
                    }
                }
                if *cadence == Cadence::WholePlan && years.is_none() {
                    return refuse(Rule::WholePlanNeedsYears);
                }
                self.plan = Some(Plan {
                    name: name.clone(),
                    grades: grades.clone(),
                    default_era: *default_era,
                    origin: origin.clone(),
                    cadence: *cadence,
                    years: *years,
                });
            }
            Change::CategoryAdded { name } => {
                text::check_line("heading", name).map_err(Refused::from)?;
                if self.categories.contains(name) {
                    return refuse(Rule::HeadingExists { name: name.clone() });
                }
                self.categories.push(name.clone());
            }
            Change::HeadingRenamed { from, to } => {
                text::check_line("heading", to).map_err(Refused::from)?;
                self.check_category(from)?;
                if from == to {
                    return refuse(Rule::RenameChangesNothing { name: to.clone() });
                }
                if self.categories.contains(to) {
                    return refuse(Rule::HeadingExists { name: to.clone() });
                }
                for c in self.categories.iter_mut().filter(|c| *c == from) {
                    c.clone_from(to);
                }
                for item in self.items.values_mut().filter(|i| i.category == *from) {
                    item.category.clone_from(to);
                }
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
                if id.as_str() == "0" {
                    return refuse(Rule::ItemZero);
                }
                if self.items.contains_key(id) {
                    return Err(Refused::ItemExists(id.clone()));
                }
                text::check_line("title", title).map_err(Refused::from)?;
                text::check_line("department", department).map_err(Refused::from)?;
                self.check_category(category)?;
                if let Some(of) = relisting_of {
                    self.check_relisting(id, of)?;
                }
                if let Some(f) = from {
                    self.check_point(*f)?;
                }
                if let Some(a) = after {
                    self.check_after(id, a)?;
                }
                self.note_lookalike(id);
                self.items.insert(
                    id.clone(),
                    Item {
                        id: id.clone(),
                        title: title.clone(),
                        department: department.clone(),
                        category: category.clone(),
                        relisting_of: relisting_of.clone(),
                        withdrawn: false,
                        from: *from,
                        after: after.clone(),
                        merged: None,
                    },
                );
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
                let item = self.active_item(id)?.clone();
                let mut new = item.clone();
                if let Some(t) = title {
                    text::check_line("title", t).map_err(Refused::from)?;
                    new.title = t.clone();
                }
                if let Some(d) = department {
                    text::check_line("department", d).map_err(Refused::from)?;
                    new.department = d.clone();
                }
                if let Some(c) = category {
                    self.check_category(c)?;
                    new.category = c.clone();
                }
                if let Some(r) = relisting_of {
                    if let Some(of) = r {
                        self.check_relisting(id, of)?;
                    }
                    new.relisting_of = r.clone();
                }
                if let Some(f) = from {
                    if let Some(f) = f {
                        self.check_point(*f)?;
                        if let Some((p, what)) = self.decided(id).find(|(p, _)| *p < *f) {
                            return refuse(Rule::DecidedBefore {
                                id: id.clone(),
                                what,
                                at: p.label(),
                                from: f.label(),
                            });
                        }
                    }
                    new.from = *f;
                }
                if let Some(a) = after {
                    if let Some(a) = a {
                        self.check_after(id, a)?;
                    }
                    new.after = a.clone();
                }
                if new == item {
                    return refuse(Rule::AmendChangesNothing { id: id.clone() });
                }
                self.items.insert(id.clone(), new);
            }
            Change::ItemWithdrawn { id } => {
                self.active_item(id)?;
                if let Some(i) = self.items.get_mut(id) {
                    i.withdrawn = true;
                }
            }
            Change::ItemReinstated { id } => match self.items.get_mut(id) {
                Some(i) if i.withdrawn => i.withdrawn = false,
                Some(_) => return refuse(Rule::NotWithdrawn { id: id.clone() }),
                None => return Err(Refused::NoSuchItem(id.clone())),
            },
            Change::RatingRecorded {
                item,
                period,
                grade,
            } => {
                self.item_at(item, *period)?;
                self.check_grade(grade)?;
                if self.is_excluded(item, *period) {
                    return refuse(Rule::RatingExcluded {
                        id: item.clone(),
                        period: period.label(),
                    });
                }
                let index = self.grade_index(grade).ok_or_else(|| {
                    Refused::Rule(Rule::GradeNotInScale {
                        grade: text::escape(grade),
                        scale: self
                            .plan
                            .as_ref()
                            .map(|p| p.grades.clone())
                            .unwrap_or_default(),
                    })
                })?;
                if self.cells.get(item, *period).map(|c| c.grade) == Some(index) {
                    return refuse(Rule::AlreadyRated {
                        id: item.clone(),
                        grade: grade.clone(),
                        period: period.label(),
                    });
                }
                self.cells.set_grade(item, *period, index);
            }
            Change::RatingWithdrawn { item, period } => {
                self.active_item(item)?;
                match self.cells.get(item, *period) {
                    Some(c) if c.grade != 0 => self.cells.set_grade(item, *period, 0),
                    _ => {
                        return refuse(Rule::NoRating {
                            id: item.clone(),
                            period: period.label(),
                        });
                    }
                }
            }
            Change::FollowUpSet {
                item,
                period,
                flagged,
            } => {
                self.item_at(item, *period)?;
                if self.cells.get(item, *period).is_some_and(|c| c.follow_up) == *flagged {
                    return refuse(Rule::FollowUpAlready {
                        id: item.clone(),
                        period: period.label(),
                        on: *flagged,
                    });
                }
                self.cells.or_default(item, *period).follow_up = *flagged;
            }
            Change::RemarkSet { item, period, text } => {
                self.item_at(item, *period)?;
                text::check_multiline("remark", text, true).map_err(Refused::from)?;
                if self.cells.get(item, *period).map_or("", Slot::remark) == text {
                    return refuse(Rule::RemarkAlready {
                        id: item.clone(),
                        period: period.label(),
                    });
                }
                self.cells.or_default(item, *period).remark =
                    (!text.is_empty()).then(|| text.as_str().into());
            }
            // A note on the batch's time, written by the ledger: nothing to check, nothing changes.
            Change::ClockBehind { .. } => {}
            Change::ItemExcluded { item, period } => {
                self.item_at(item, *period)?;
                if self.is_excluded(item, *period) {
                    return refuse(Rule::AlreadyExcluded {
                        id: item.clone(),
                        period: period.label(),
                    });
                }
                if let Some(g) = self.rating(item, *period) {
                    return refuse(Rule::ExcludeRated {
                        id: item.clone(),
                        grade: g.to_string(),
                        period: period.label(),
                    });
                }
                self.excluded.insert((item.clone(), *period));
            }
            Change::ExclusionWithdrawn { item, period } => {
                self.active_item(item)?;
                if !self.excluded.remove(&(item.clone(), *period)) {
                    return refuse(Rule::NotExcluded {
                        id: item.clone(),
                        period: period.label(),
                    });
                }
            }
            Change::ItemMerged { item, into, from } => {
                self.check_point(*from)?;
                let merged = self.active_item(item)?;
                if let Some((other, at)) = &merged.merged {
                    return refuse(Rule::AlreadyMerged {
                        id: item.clone(),
                        into: other.clone(),
                        from: at.label(),
                    });
                }
                if item == into {
                    return refuse(Rule::MergeIntoItself { id: item.clone() });
                }
                let target = self.active_item(into)?;
                if let Some((other, _)) = &target.merged {
                    return refuse(Rule::MergeIntoMerged {
                        into: into.clone(),
                        other: other.clone(),
                    });
                }
                if let Some(i) = self
                    .items
                    .values()
                    .find(|i| i.merged.as_ref().is_some_and(|(t, _)| t == item))
                {
                    return refuse(Rule::MergedInto {
                        id: item.clone(),
                        other: i.id.clone(),
                    });
                }
                if let Some((p, what)) = self.decided(item).find(|(p, _)| *p >= *from) {
                    return refuse(Rule::DecidedAfter {
                        id: item.clone(),
                        what,
                        at: p.label(),
                        from: from.label(),
                    });
                }
                if let Some(i) = self.items.get_mut(item) {
                    i.merged = Some((into.clone(), *from));
                }
            }
            Change::MergeWithdrawn { item } => {
                self.active_item(item)?;
                match self.items.get_mut(item) {
                    Some(i) if i.merged.is_some() => i.merged = None,
                    _ => return refuse(Rule::NotMerged { id: item.clone() }),
                }
            }
            Change::PeopleEnabled { .. }
            | Change::PersonRegistered { .. }
            | Change::RoleGranted { .. }
            | Change::RoleRevoked { .. }
            | Change::KeyRotated { .. }
            | Change::KeyRevoked { .. }
            | Change::RoundOpened { .. }
            | Change::Submitted { .. }
            | Change::Reviewed { .. }
            | Change::OpinionRecorded { .. }
            | Change::RoundClosed { .. }
            | Change::RoundPublished { .. } => self.apply_people(change)?,
        }
        // A cell changed in a round's point: the item's review starts again (it must be submitted and
        // approved anew), unless the round is published (a correction keeps it published).
        if let (
            Change::RatingRecorded { item, period, .. }
            | Change::RatingWithdrawn { item, period }
            | Change::FollowUpSet { item, period, .. }
            | Change::RemarkSet { item, period, .. },
            Some(round),
        ) = (
            change,
            change.period().and_then(|p| self.rounds.get_mut(&p)),
        ) && round.status != crate::domain::people::RoundStatus::Published
        {
            let _ = period;
            // A returned item keeps being one its round takes back until it is approved.
            let reopened = round.items.get(item).is_some_and(|r| r.reopened);
            round.items.insert(
                item.clone(),
                crate::domain::people::ItemReview {
                    reopened,
                    ..Default::default()
                },
            );
        }
        Ok(())
    }

    /// The cell of an item in a period (empty if nothing was decided).
    pub fn cell(&self, item: &ItemId, period: Period) -> Cell {
        self.cell_ref(item, period)
            .map(|c| c.to_cell())
            .unwrap_or_default()
    }

    /// Every point at which something is decided for an item, with what (a rating, a follow-up flag,
    /// a remark, 対象外), in no particular order.
    fn decided<'a>(&'a self, id: &'a ItemId) -> impl Iterator<Item = (Period, Decided)> + 'a {
        let cells = self
            .cells
            .rows
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|(p, s)| {
                let what = if s.grade != 0 {
                    Decided::Rating
                } else if s.follow_up {
                    Decided::FollowUp
                } else if s.remark.is_some() {
                    Decided::Remark
                } else {
                    return None;
                };
                Some((*p, what))
            });
        let excluded = self
            .excluded
            .iter()
            .filter(move |(i, _)| i == id)
            .map(|(_, p)| (*p, Decided::Excluded));
        cells.chain(excluded)
    }

    /// An active item that is part of the plan at a point (joined by then, not merged into another).
    fn item_at(&self, id: &ItemId, period: Period) -> Result<&Item, Refused> {
        let item = self.active_item(id)?;
        if let Some(f) = item.from.filter(|f| period < *f) {
            return refuse(Rule::NotYetJoined {
                id: id.clone(),
                joins: f.label(),
                period: period.label(),
            });
        }
        if let Some((into, m)) = item.merged.as_ref().filter(|(_, m)| period >= *m) {
            return refuse(Rule::MergedAway {
                id: id.clone(),
                into: into.clone(),
                from: m.label(),
            });
        }
        Ok(item)
    }

    /// A point the plan has: a valid period of its cadence and, if declared, its years.
    fn check_point(&self, period: Period) -> Result<(), Refused> {
        period.check().map_err(|e| Refused::Rule(Rule::Period(e)))?;
        if let Some(plan) = &self.plan {
            plan.cadence
                .check(period, plan.years)
                .map_err(|e| Refused::Rule(Rule::Period(e)))?;
        }
        Ok(())
    }

    fn check_after(&self, id: &ItemId, after: &ItemId) -> Result<(), Refused> {
        if after == id {
            return refuse(Rule::AfterItself { id: id.clone() });
        }
        let mut at = self
            .items
            .get(after)
            .ok_or_else(|| Refused::NoSuchItem(after.clone()))?;
        // Following the placements from `after` must not come back to `id`.
        let mut steps = 0usize;
        while let Some(next) = at.after.as_ref().and_then(|a| self.items.get(a)) {
            steps += 1;
            if next.id == *id || steps > self.items.len() {
                return refuse(Rule::AfterCycle {
                    id: id.clone(),
                    after: after.clone(),
                });
            }
            at = next;
        }
        Ok(())
    }

    fn check_relisting(&self, id: &ItemId, of: &ItemId) -> Result<(), Refused> {
        if of == id {
            return refuse(Rule::RelistItself { id: id.clone() });
        }
        match self.items.get(of) {
            None => refuse(Rule::RelistMissing {
                id: id.clone(),
                of: of.clone(),
            }),
            Some(i) if i.relisting_of.is_some() => {
                refuse(Rule::RelistOfRelisting { of: of.clone() })
            }
            Some(_) => Ok(()),
        }
    }
}

/// The rules on who, why and where from that every recorded event obeys (`schema/FORMAT.md`, section
/// 12): the author is non-blank and free of control characters, the reason non-blank and free of
/// control characters other than newline and tab, and a source's file name is a file name
/// ([`check_file_name`]). Every writer has checked the first two since the first version, and the
/// command line the third, so `verify` and `restore` check them on stored events too.
pub fn check_recorded_meta(event: &Event) -> Result<(), Refused> {
    text::check_line("author", &event.author).map_err(Refused::from)?;
    text::check_multiline("reason", &event.reason, false).map_err(Refused::from)?;
    if let Some(s) = &event.source {
        check_file_name(&s.file_name).map_err(|_| {
            Refused::Rule(Rule::FileName {
                name: text::escape(&s.file_name),
            })
        })?;
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
        return refuse(Rule::Origin {
            origin: text::escape(origin),
        });
    }
    Ok(())
}

mod people;
mod rule;

pub use people::{NOT_EVALUATED, PUBLISHED_TABLE_V1, PublishedRow, canonical_table};
pub use rule::{Action, Decided, KeyOf, Rule, plural_items};
mod wire;

pub(crate) use wire::StateV1;

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
            cadence: Default::default(),
            years: None,
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
                id: ItemId::from_number(1),
                title: "t".into(),
                department: "d".into(),
                category: "c".into(),
                relisting_of: None,
                from: None,
                after: None,
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
                item: ItemId::from_number(2),
                period: p(),
                grade: "A".into(),
            },
            Change::RatingRecorded {
                item: ItemId::from_number(1),
                period: p(),
                grade: "Z".into(),
            },
            Change::RatingWithdrawn {
                item: ItemId::from_number(1),
                period: p(),
            },
            Change::FollowUpSet {
                item: ItemId::from_number(1),
                period: p(),
                flagged: false,
            },
            Change::ItemRegistered {
                id: ItemId::from_number(1),
                title: "t".into(),
                department: "d".into(),
                category: "c".into(),
                relisting_of: None,
                from: None,
                after: None,
            },
            Change::ItemRegistered {
                id: ItemId::from_number(3),
                title: "t".into(),
                department: "d".into(),
                category: "nope".into(),
                relisting_of: None,
                from: None,
                after: None,
            },
            Change::ItemRegistered {
                id: ItemId::from_number(3),
                title: "t".into(),
                department: "d".into(),
                category: "c".into(),
                relisting_of: Some(ItemId::from_number(9)),
                from: None,
                after: None,
            },
            Change::ItemAmended {
                id: ItemId::from_number(1),
                title: Some("t".into()),
                department: None,
                category: None,
                relisting_of: None,
                from: None,
                after: None,
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
                item: ItemId::from_number(1),
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
            item: ItemId::from_number(1),
            period: p(),
            grade: "A".into(),
        })
        .unwrap();
        s.apply(&Change::RatingRecorded {
            item: ItemId::from_number(1),
            period: p(),
            grade: "B".into(),
        })
        .unwrap();
        s.apply(&Change::FollowUpSet {
            item: ItemId::from_number(1),
            period: p(),
            flagged: true,
        })
        .unwrap();
        s.apply(&Change::RemarkSet {
            item: ItemId::from_number(1),
            period: p(),
            text: "r".into(),
        })
        .unwrap();
        let cell = &s.cell(&ItemId::from_number(1), p());
        assert_eq!(cell.rating.as_deref(), Some("B"));
        assert!(cell.follow_up);
        assert_eq!(cell.remark, "r");
        assert_eq!(s.latest_period(), Some(p()));
        s.apply(&Change::RatingWithdrawn {
            item: ItemId::from_number(1),
            period: p(),
        })
        .unwrap();
        assert_eq!(s.latest_period(), None);
        s.apply(&Change::ItemWithdrawn {
            id: ItemId::from_number(1),
        })
        .unwrap();
        assert!(
            s.apply(&Change::RatingRecorded {
                item: ItemId::from_number(1),
                period: p(),
                grade: "A".into()
            })
            .is_err()
        );
        s.apply(&Change::ItemReinstated {
            id: ItemId::from_number(1),
        })
        .unwrap();
        s.apply(&Change::RatingRecorded {
            item: ItemId::from_number(1),
            period: p(),
            grade: "A".into(),
        })
        .unwrap();
    }

    #[test]
    fn an_id_that_reads_as_another_is_refused_however_the_state_was_built() {
        let mut s = with_item();
        // The fold takes what admit would refuse (a rule of what is written from now on).
        apply_all(
            &mut s,
            [
                register("R1-1", None, None),
                register("r1-01", None, None),
                register("R1-2", None, None),
            ],
        );
        let cfg = bincode::config::legacy();
        let bytes = bincode::serde::encode_to_vec(&s, cfg).unwrap();
        let (decoded, _): (State, usize) = bincode::serde::decode_from_slice(&bytes, cfg).unwrap();
        assert_eq!(
            decoded, s,
            "a decoded snapshot has the fold's lookalike index"
        );
        for state in [&s, &decoded] {
            for (new, other) in [("r1-1", "R1-1"), ("R01-001", "R1-1"), ("r1-2", "R1-2")] {
                let err = state
                    .admit(register(new, None, None))
                    .unwrap_err()
                    .to_string();
                assert!(
                    err.contains(&format!("reads as item {other}'s")),
                    "{new}: {err}"
                );
            }
            // Registering an id again finds its lookalike, not itself.
            let err = state
                .admit(register("R1-1", None, None))
                .unwrap_err()
                .to_string();
            assert!(err.contains("reads as item r1-01's"), "{err}");
            assert!(state.admit(register("R1-3", None, None)).is_ok());
            assert!(state.admit(register("R11", None, None)).is_ok());
        }
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
            id: ItemId::from_number(1),
            title: None,
            department: Some("ｄ課".into()),
            category: Some("c2".into()),
            relisting_of: None,
            from: None,
            after: None,
        };
        assert_eq!(
            s.admit(amend).unwrap(),
            Change::ItemAmended {
                id: ItemId::from_number(1),
                title: None,
                department: Some("ｄ課".into()),
                category: Some("c\u{200B}2".into()),
                relisting_of: None,
                from: None,
                after: None,
            }
        );
        let rate = |grade: &str| Change::RatingRecorded {
            item: ItemId::from_number(1),
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
            cadence: Default::default(),
            years: None,
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
        // The form of before event schema version 2: items and cells keyed by number.
        #[derive(Serialize)]
        struct PlanV1 {
            name: String,
            grades: Vec<String>,
            default_era: Option<Era>,
            origin: String,
        }
        #[derive(Serialize)]
        struct ItemV1 {
            number: u32,
            title: String,
            department: String,
            category: String,
            relisting_of: Option<u32>,
            withdrawn: bool,
        }
        #[derive(Serialize)]
        struct BeforeV2 {
            plan: Option<PlanV1>,
            categories: Vec<String>,
            items: BTreeMap<u32, ItemV1>,
            cells: BTreeMap<(u32, Period), Cell>,
        }
        #[derive(Serialize)]
        struct Now {
            plan: Option<Plan>,
            categories: Vec<String>,
            items: BTreeMap<ItemId, Item>,
            cells: BTreeMap<(ItemId, Period), Cell>,
            excluded: BTreeSet<(ItemId, Period)>,
            people: Option<People>,
            rounds: Rounds,
        }
        let mut s = with_item();
        let later = Period {
            fiscal_year: 2015,
            part: Part::YearEnd,
        };
        let one = ItemId::from_number(1);
        for c in [
            Change::RatingRecorded {
                item: one.clone(),
                period: p(),
                grade: "B".into(),
            },
            Change::RemarkSet {
                item: one.clone(),
                period: p(),
                text: "所見".into(),
            },
            Change::FollowUpSet {
                item: one.clone(),
                period: later,
                flagged: true,
            },
            Change::RatingRecorded {
                item: one.clone(),
                period: later,
                grade: "S".into(),
            },
            Change::RatingWithdrawn {
                item: one.clone(),
                period: later,
            },
        ] {
            s.apply(&c).unwrap();
        }
        let cells: BTreeMap<(ItemId, Period), Cell> = s
            .cells()
            .map(|((n, p), c)| ((n.clone(), p), c.to_cell()))
            .collect();
        let now = Now {
            plan: s.plan.clone(),
            categories: s.categories.clone(),
            items: s.items.clone(),
            cells: cells.clone(),
            excluded: s.excluded.clone(),
            people: s.people.clone(),
            rounds: s.rounds.clone(),
        };
        let cfg = bincode::config::legacy();
        let bytes = bincode::serde::encode_to_vec(&now, cfg).unwrap();
        assert_eq!(bincode::serde::encode_to_vec(&s, cfg).unwrap(), bytes);
        let (back, _): (State, usize) = bincode::serde::decode_from_slice(&bytes, cfg).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.cell(&one, later).rating, None);
        assert!(back.cell(&one, later).follow_up);
        assert_eq!(back.rating(&one, p()), Some("B"));

        // A snapshot of before version 2 decodes to the same state.
        let plan = s.plan.clone().unwrap();
        let old = BeforeV2 {
            plan: Some(PlanV1 {
                name: plan.name,
                grades: plan.grades,
                default_era: plan.default_era,
                origin: plan.origin,
            }),
            categories: s.categories.clone(),
            items: [(
                1,
                ItemV1 {
                    number: 1,
                    title: "t".into(),
                    department: "d".into(),
                    category: "c".into(),
                    relisting_of: None,
                    withdrawn: false,
                },
            )]
            .into(),
            cells: cells
                .iter()
                .map(|((n, p), c)| ((n.number().unwrap(), *p), c.clone()))
                .collect(),
        };
        let old_bytes = bincode::serde::encode_to_vec(&old, cfg).unwrap();
        let (v1, _): (StateV1, usize) = bincode::serde::decode_from_slice(&old_bytes, cfg).unwrap();
        assert_eq!(v1.into_state(), s);

        // A grade outside the scale, or cells out of order, are damage, not a state.
        let mut bad = now;
        bad.cells.get_mut(&(one, p())).unwrap().rating = Some("Z".into());
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
            item: ItemId::from_number(1),
            period: p(),
            grade: "A".into(),
        })
        .unwrap();
        assert_eq!(
            s.cells
                .get(&ItemId::from_number(1), p())
                .map(|c| (c.grade, c.remark.is_none())),
            Some((2, true))
        );
    }

    fn id(s: &str) -> ItemId {
        ItemId::parse(s).unwrap()
    }

    fn pt(fy: u16, part: Part) -> Period {
        Period::new(fy, part).unwrap()
    }

    fn register(id_: &str, from: Option<Period>, after: Option<&str>) -> Change {
        Change::ItemRegistered {
            id: id(id_),
            title: format!("item {id_}"),
            department: "d".into(),
            category: "c".into(),
            relisting_of: None,
            from,
            after: after.map(id),
        }
    }

    fn rate(item: &str, period: Period, grade: &str) -> Change {
        Change::RatingRecorded {
            item: id(item),
            period,
            grade: grade.into(),
        }
    }

    /// Applies each change, or panics naming it.
    fn apply_all(s: &mut State, changes: impl IntoIterator<Item = Change>) {
        for c in changes {
            s.apply(&c).unwrap_or_else(|e| panic!("{c:?}: {e}"));
        }
    }

    /// The refusal of `c`, after checking that it leaves the state as it was.
    fn refusal(s: &mut State, c: Change) -> String {
        let before = s.clone();
        let e = s.apply(&c).expect_err(&format!("{c:?} was accepted"));
        assert_eq!(*s, before, "{c:?} changed the state");
        e.to_string()
    }

    #[test]
    fn items_join_the_plan_at_a_point_and_are_listed_in_their_place() {
        let mut s = with_item();
        let (h1, ye) = (pt(2019, Part::FirstHalf), pt(2019, Part::YearEnd));
        apply_all(
            &mut s,
            [
                register("10", None, None),
                register("2", None, None),
                register("R1-2", Some(ye), Some("1")),
                register("R1-1", Some(ye), Some("1")),
                rate("R1-1", ye, "A"),
            ],
        );
        let order: Vec<&str> = s.items_in_order().iter().map(|i| i.id.as_str()).collect();
        assert_eq!(order, ["1", "R1-1", "R1-2", "2", "10"]);
        let r11 = &s.items[&id("R1-1")];
        assert!(!r11.in_plan_at(h1) && r11.in_plan_at(ye));
        let e = refusal(&mut s, rate("R1-1", h1, "A"));
        assert!(e.contains("joins the plan at 令和元年度末"), "{e}");
        // Moving the first point after a rating is refused; before it, accepted.
        let amend = |from| Change::ItemAmended {
            id: id("R1-1"),
            title: None,
            department: None,
            category: None,
            relisting_of: None,
            from: Some(from),
            after: None,
        };
        let e = refusal(&mut s, amend(Some(pt(2020, Part::YearEnd))));
        assert!(
            e.contains("has a rating at") && e.contains("withdraw it first"),
            "{e}"
        );
        apply_all(&mut s, [amend(Some(h1)), rate("R1-1", h1, "B")]);
        // A placement that would go round in a circle is refused.
        let e = refusal(
            &mut s,
            Change::ItemAmended {
                id: id("1"),
                title: None,
                department: None,
                category: None,
                relisting_of: None,
                from: None,
                after: Some(Some(id("R1-2"))),
            },
        );
        assert!(e.contains("placed after item 1"), "{e}");
        let e = refusal(&mut s, register("R1-3", None, Some("R1-3")));
        assert!(e.contains("after itself"), "{e}");
    }

    #[test]
    fn an_item_excluded_at_a_point_is_not_rated_there_until_the_exclusion_is_withdrawn() {
        let mut s = with_item();
        let ye = pt(2019, Part::YearEnd);
        let exclude = Change::ItemExcluded {
            item: id("1"),
            period: ye,
        };
        apply_all(&mut s, [exclude.clone()]);
        assert!(s.is_excluded(&id("1"), ye));
        assert!(refusal(&mut s, exclude.clone()).contains("already 対象外"));
        assert!(refusal(&mut s, rate("1", ye, "A")).contains("withdraw the exclusion first"));
        let withdraw = Change::ExclusionWithdrawn {
            item: id("1"),
            period: ye,
        };
        apply_all(&mut s, [withdraw.clone(), rate("1", ye, "A")]);
        assert!(refusal(&mut s, withdraw).contains("not 対象外"));
        assert!(refusal(&mut s, exclude).contains("withdraw the rating before"));
    }

    #[test]
    fn a_merged_item_is_part_of_another_from_a_point_on() {
        let mut s = with_item();
        let (h1, ye) = (pt(2015, Part::FirstHalf), pt(2015, Part::YearEnd));
        apply_all(
            &mut s,
            [
                register("24", None, None),
                register("25", None, None),
                rate("25", h1, "B"),
            ],
        );
        let merge = |item: &str, into: &str, from| Change::ItemMerged {
            item: id(item),
            into: id(into),
            from,
        };
        apply_all(&mut s, [rate("25", ye, "A")]);
        assert!(
            refusal(&mut s, merge("25", "24", ye))
                .contains("has a rating at 平成27年度末, on or after")
        );
        apply_all(
            &mut s,
            [
                Change::RatingWithdrawn {
                    item: id("25"),
                    period: ye,
                },
                merge("25", "24", ye),
            ],
        );
        let i25 = &s.items[&id("25")];
        assert!(i25.in_plan_at(h1) && !i25.in_plan_at(ye));
        let e = refusal(&mut s, rate("25", ye, "A"));
        assert!(
            e.contains("merged into item 24") && e.contains("集約"),
            "{e}"
        );
        assert!(refusal(&mut s, merge("25", "1", ye)).contains("already merged"));
        assert!(refusal(&mut s, merge("1", "25", ye)).contains("merge into item 24 instead"));
        assert!(refusal(&mut s, merge("24", "1", ye)).contains("others are merged into"));
        assert!(refusal(&mut s, merge("1", "1", ye)).contains("into itself"));
        apply_all(
            &mut s,
            [
                Change::MergeWithdrawn { item: id("25") },
                rate("25", ye, "A"),
            ],
        );
        assert!(refusal(&mut s, Change::MergeWithdrawn { item: id("25") }).contains("not merged"));
    }

    #[test]
    fn a_heading_rename_is_one_change_for_every_item_under_it() {
        let mut s = with_item();
        apply_all(
            &mut s,
            [
                register("2", None, None),
                Change::CategoryAdded { name: "x".into() },
            ],
        );
        let rename = |from: &str, to: &str| Change::HeadingRenamed {
            from: from.into(),
            to: to.into(),
        };
        apply_all(&mut s, [rename("c", "財政の健全化")]);
        assert_eq!(s.categories, ["財政の健全化", "x"]);
        assert!(s.items.values().all(|i| i.category == "財政の健全化"));
        assert!(refusal(&mut s, rename("c", "y")).contains("no heading `c`"));
        assert!(refusal(&mut s, rename("x", "財政の健全化")).contains("already exists"));
        assert!(refusal(&mut s, rename("x", "x")).contains("changes nothing"));
    }

    #[test]
    fn the_rated_periods_follow_ratings_and_withdrawals() {
        let mut s = with_item();
        apply_all(&mut s, [register("2", None, None)]);
        let (h1, ye) = (pt(2015, Part::FirstHalf), pt(2015, Part::YearEnd));
        let withdraw = |item: &str, period| Change::RatingWithdrawn {
            item: id(item),
            period,
        };
        assert_eq!(s.latest_period(), None);
        apply_all(
            &mut s,
            [rate("1", h1, "A"), rate("2", h1, "B"), rate("1", ye, "A")],
        );
        assert_eq!(s.rated_periods().into_iter().collect::<Vec<_>>(), [h1, ye]);
        // Re-rating a cell does not count it twice.
        apply_all(&mut s, [rate("1", ye, "B"), withdraw("1", ye)]);
        assert_eq!(s.latest_period(), Some(h1));
        apply_all(&mut s, [withdraw("1", h1)]);
        assert_eq!(s.latest_period(), Some(h1), "item 2 is still rated");
        // A cell with only a remark is not rated.
        apply_all(
            &mut s,
            [
                withdraw("2", h1),
                Change::RemarkSet {
                    item: id("1"),
                    period: ye,
                    text: "x".into(),
                },
            ],
        );
        assert_eq!(s.latest_period(), None);
        assert!(s.rated_periods().is_empty());
        assert_eq!(
            s.check_new_point(&rate("1", pt(2030, Part::YearEnd), "A")),
            Ok(())
        );
    }

    #[test]
    fn a_point_more_than_one_step_after_the_latest_is_a_new_point() {
        let mut s = with_item();
        let h1 = pt(2015, Part::FirstHalf);
        // The first rating of a plan may be at any point.
        assert_eq!(
            s.check_new_point(&rate("1", pt(2030, Part::YearEnd), "A")),
            Ok(())
        );
        apply_all(&mut s, [rate("1", h1, "A")]);
        for ok in [h1, pt(2014, Part::YearEnd), pt(2015, Part::YearEnd)] {
            assert_eq!(s.check_new_point(&rate("1", ok, "A")), Ok(()), "{ok}");
        }
        for typo in [
            pt(2016, Part::FirstHalf),
            pt(2025, Part::FirstHalf),
            pt(2199, Part::YearEnd),
        ] {
            match s.check_new_point(&rate("1", typo, "A")) {
                Err(Refused::NewPoint { latest, next, .. }) => {
                    assert_eq!(
                        (latest.as_str(), next.as_str()),
                        ("平成27年度上半期", "平成27年度末")
                    );
                }
                other => panic!("{typo}: {other:?}"),
            }
        }
        // Every change at a point is guarded: a remark, 対象外, an item's first point, a merge, a round.
        let far = pt(2030, Part::YearEnd);
        for c in [
            Change::RemarkSet {
                item: id("1"),
                period: far,
                text: "x".into(),
            },
            Change::ItemExcluded {
                item: id("1"),
                period: far,
            },
            register("9", Some(far), None),
            Change::ItemMerged {
                item: id("1"),
                into: id("9"),
                from: far,
            },
            Change::RoundOpened {
                period: far,
                due: "2031-04-30".into(),
            },
        ] {
            assert!(
                matches!(s.check_new_point(&c), Err(Refused::NewPoint { .. })),
                "{c:?}"
            );
        }
        // Far before the earliest rated point too (H9 for H29), but not the point just before it.
        assert!(matches!(
            s.check_new_point(&rate("1", pt(1997, Part::FirstHalf), "A")),
            Err(Refused::EarlyPoint { .. })
        ));
        assert_eq!(
            s.check_new_point(&rate("1", pt(2014, Part::YearEnd), "A")),
            Ok(())
        );
        assert!(matches!(
            s.check_new_point(&rate("1", pt(2014, Part::FirstHalf), "A")),
            Err(Refused::EarlyPoint { .. })
        ));
    }

    #[test]
    fn a_plan_reports_only_at_the_points_of_its_cadence_and_years() {
        let mut s = State::default();
        apply_all(
            &mut s,
            [
                Change::PlanDefined {
                    name: "p".into(),
                    grades: vec!["A".into()],
                    default_era: None,
                    origin: "example/p".into(),
                    cadence: Cadence::YearEnd,
                    years: Some((2019, 2022)),
                },
                Change::CategoryAdded { name: "c".into() },
                register("1", None, None),
                rate("1", pt(2019, Part::YearEnd), "A"),
            ],
        );
        assert!(
            refusal(&mut s, rate("1", pt(2020, Part::FirstHalf), "A")).contains("reporting point")
        );
        assert!(refusal(&mut s, rate("1", pt(2023, Part::YearEnd), "A")).contains("outside"));
        let mut s = State::default();
        let whole = Change::PlanDefined {
            name: "p".into(),
            grades: vec!["A".into()],
            default_era: None,
            origin: "example/p".into(),
            cadence: Cadence::WholePlan,
            years: None,
        };
        assert!(refusal(&mut s, whole).contains("declare its years"));
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
                    item: ItemId::from_number(1),
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
                item: ItemId::from_number(1),
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
