//! Views rebuilt from the state: the table in its published shape, and its totals.
//!
//! Views are plain data (serialisable to the JSON of `schema/`); rendering them as text or Markdown is
//! [`crate::views::render`]'s job (measuring with [`crate::views::width`]), writing the table as TSV or
//! CSV is `table::write`'s.

pub mod audit;
pub mod audit_text;
pub mod changes;
pub mod render;
pub mod round;
pub mod shares;
pub mod sheet;
pub mod width;

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;

use crate::domain::item_id::ItemId;
use crate::domain::period::Period;
use crate::domain::state::State;

/// A period as shown in JSON: canonical id and Japanese label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodRef {
    /// `FY2014-H1`.
    pub id: String,
    /// `平成26年度上半期`.
    pub label: String,
}

impl From<Period> for PeriodRef {
    fn from(p: Period) -> Self {
        PeriodRef {
            id: p.id(),
            label: p.label(),
        }
    }
}

/// One item's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableRow {
    /// The item's id (`27`, `R1-1`).
    pub id: ItemId,
    /// The item's number, for a numeric id (JSON: omitted otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    /// Title (without any re-listing marker).
    pub title: String,
    /// Responsible department.
    pub department: String,
    /// Heading.
    pub category: String,
    /// The item this row re-lists. JSON: its number for a numeric id (as before ids were text), else its
    /// id as a string; `null` when the row re-lists none.
    #[serde(serialize_with = "number_or_id")]
    pub relisting_of: Option<ItemId>,
    /// The id of the item this row re-lists.
    pub relisting_of_id: Option<ItemId>,
    /// The point from which the item belongs to the plan (`None`: every point).
    #[serde(serialize_with = "period_id")]
    pub from: Option<Period>,
    /// The item it is folded into (集約) and from which point.
    pub merged_into: Option<MergedInto>,
    /// The shown points at which the item is not evaluated (対象外), in order.
    #[serde(serialize_with = "period_ids")]
    pub not_evaluated: Vec<Period>,
    /// The shown points at which the item is not part of the plan (before it joined, after its merge).
    #[serde(skip)]
    pub outside: Vec<Period>,
    /// Grade per period (only periods with a rating); JSON: an object from period id to grade.
    pub ratings: Ratings,
    /// Follow-up flag at the table's marks point ([`TableView::marks`]).
    pub follow_up: bool,
    /// Remark at the table's marks point.
    pub remark: String,
}

/// An item named in an audit view's JSON: `item`, its number (for a numeric id; omitted otherwise, as
/// before ids were text), and `item_id`, its id. Flattened into the entry that names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemRef(pub ItemId);

impl Serialize for ItemRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let number = self.0.number();
        let mut m = s.serialize_map(Some(1 + usize::from(number.is_some())))?;
        if let Some(n) = number {
            m.serialize_entry("item", &n)?;
        }
        m.serialize_entry("item_id", self.0.as_str())?;
        m.end()
    }
}

impl std::fmt::Display for ItemRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What a table cell shows for a point at which the item is not evaluated.
pub const NOT_EVALUATED: &str = "対象外";

/// What a text table shows for a point from which the item is merged into another.
pub const MERGED: &str = "集約";

/// What a text table shows for a point before the item joined the plan.
pub const NOT_YET: &str = "-";

impl TableRow {
    /// What the row's cell for a shown point holds: the grade, [`NOT_EVALUATED`], or nothing.
    pub fn cell_text(&self, period: Period) -> String {
        match self.ratings.of(period) {
            Some(g) => g.to_string(),
            None if self.not_evaluated.contains(&period) => NOT_EVALUATED.to_string(),
            None => String::new(),
        }
    }

    /// What a text view shows in the row's cell for a shown point: [`TableRow::cell_text`], or for a
    /// point outside the item's time [`MERGED`] (from its merge on) or [`NOT_YET`] (before it joined).
    pub fn shown_text(&self, period: Period) -> String {
        let text = self.cell_text(period);
        if !text.is_empty() || !self.outside.contains(&period) {
            return text;
        }
        match (&self.merged_into, self.from) {
            (Some(m), _) if m.from <= period => MERGED.to_string(),
            (_, Some(f)) if period < f => NOT_YET.to_string(),
            _ => String::new(),
        }
    }
}

/// Where a merged item went (集約).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergedInto {
    /// The item's id.
    pub id: ItemId,
    /// Its number, for a numeric id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    /// The first point at which it is part of that item.
    #[serde(serialize_with = "period_id_of")]
    pub from: Period,
}

fn number_or_id<S: serde::Serializer>(id: &Option<ItemId>, s: S) -> Result<S::Ok, S::Error> {
    match id {
        None => s.serialize_none(),
        Some(id) => match id.number() {
            Some(n) => s.serialize_u32(n),
            None => s.serialize_str(id.as_str()),
        },
    }
}

fn period_id<S: serde::Serializer>(p: &Option<Period>, s: S) -> Result<S::Ok, S::Error> {
    match p {
        Some(p) => s.serialize_str(&p.id()),
        None => s.serialize_none(),
    }
}

fn period_id_of<S: serde::Serializer>(p: &Period, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&p.id())
}

fn period_ids<S: serde::Serializer>(ps: &[Period], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(ps.iter().map(Period::id))
}

/// A row's grades by period, in period order. A grade is shared with the view's other rows (no
/// allocation per cell: a million cells take 24 MB).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ratings(Vec<(Period, Arc<str>)>);

impl Ratings {
    /// The grade for the period with id `id` (`FY2014-H1`), if rated.
    pub fn get(&self, id: &str) -> Option<&str> {
        let p: Period = id.parse().ok()?;
        self.of(p)
    }

    /// The grade for `period`, if rated.
    pub fn of(&self, period: Period) -> Option<&str> {
        let i = self.0.binary_search_by_key(&period, |(p, _)| *p).ok()?;
        Some(&self.0[i].1)
    }

    /// The grades, in period order.
    pub fn values(&self) -> impl Iterator<Item = &str> + '_ {
        self.0.iter().map(|(_, g)| &**g)
    }

    /// `(period, grade)` pairs, in period order.
    pub fn iter(&self) -> impl Iterator<Item = (Period, &str)> + '_ {
        self.0.iter().map(|(p, g)| (*p, &**g))
    }

    /// Keeps the periods for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(Period) -> bool) {
        self.0.retain(|(p, _)| keep(*p));
    }

    /// Number of rated periods.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// No rated period.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Ratings {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(p, g)| (p.id(), &**g)))
    }
}

/// The table: one row per item (withdrawn items left out), one column per rated period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableView {
    /// The plan's name.
    pub plan: String,
    /// Rated periods, in order.
    pub periods: Vec<PeriodRef>,
    /// Rows in the plan's order (ids in natural order, placed items after their anchor).
    pub items: Vec<TableRow>,
    /// The point whose follow-up flags and remarks the rows hold (JSON: its id, or `null`): by
    /// default the latest shown point that has any ([`Marks`]).
    #[serde(serialize_with = "period_id")]
    pub marks: Option<Period>,
    /// The latest shown period.
    #[serde(skip)]
    pub latest: Option<Period>,
    /// The periods as values, in order.
    #[serde(skip)]
    pub period_values: Vec<Period>,
    /// The plan's grade scale, best first.
    #[serde(skip)]
    pub grades: Vec<String>,
}

/// Counts for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodCounts {
    /// Period id.
    pub id: String,
    /// Japanese label.
    pub label: String,
    /// Count per grade of the scale, zeros included, in scale order.
    pub counts: indexmap_like::OrderedCounts,
    /// Rated rows in the period.
    pub total: u64,
    /// Rows not evaluated (対象外) in the period.
    pub not_evaluated: u64,
    /// Rows part of the plan in the period (re-listings included, as in `total`).
    pub items: u64,
    /// A progress scale only: rated rows per band, best first ([`crate::domain::scale::BANDS`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bands: Option<indexmap_like::OrderedCounts>,
    /// A progress scale only: the average rate in percent, rounded half up to 0.1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average: Option<f64>,
    /// With `--by`: a tally per heading or department ([`shares::grouped`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<shares::Tally>>,
    /// With `--by`: the tally of the whole plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overall: Option<shares::Tally>,
}

/// The table's totals, as the published table prints them below the rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryView {
    /// Per period.
    pub periods: Vec<PeriodCounts>,
    /// Items flagged for follow-up at the table's marks point ([`TableView::marks`]). A re-listing and
    /// the item it re-lists count once: the published table counts 41 for 42 marked rows because item
    /// 39 re-lists item 27.
    pub follow_up: u64,
    /// The point of `follow_up` (JSON: its id; absent while nothing is rated).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "period_id")]
    pub follow_up_period: Option<Period>,
}

/// Grade counts that serialise as a JSON object in scale order.
pub mod indexmap_like {
    use serde::ser::{Serialize, SerializeMap, Serializer};

    /// (grade, count) pairs in scale order.
    #[derive(Debug, Clone, PartialEq, Eq, Default)]
    pub struct OrderedCounts(pub Vec<(String, u64)>);

    impl OrderedCounts {
        /// The count of a grade (0 if absent).
        pub fn get(&self, grade: &str) -> u64 {
            self.0
                .iter()
                .find(|(g, _)| g == grade)
                .map_or(0, |(_, n)| *n)
        }
    }

    impl Serialize for OrderedCounts {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(self.0.len()))?;
            for (k, v) in &self.0 {
                m.serialize_entry(k, v)?;
            }
            m.end()
        }
    }
}

/// Which point's follow-up flags and remarks a table's rows hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Marks {
    /// The latest shown point: what a table file holds (its flags and remarks are the last period's
    /// column's, and re-import records them there).
    #[default]
    Latest,
    /// The latest shown point at which an item of the plan has a flag or a remark, else the latest
    /// shown point: a later point that is only partly rated does not hide the earlier one's marks.
    Kept,
    /// This point.
    At(Period),
}

/// The table as of `as_of` (valid time): only periods up to and including it; flags and remarks of the
/// latest of those periods. Its rows are the items (not withdrawn) that are part of the plan at one of
/// those periods or at `as_of`; without `as_of`, also the items that join the plan after the latest (or
/// every item, while nothing is rated).
pub fn table(state: &State, as_of: Option<Period>) -> TableView {
    table_marked(state, as_of, Marks::Latest)
}

/// [`table`] with the flags and remarks of the point `marks` chooses.
pub fn table_marked(state: &State, as_of: Option<Period>, marks: Marks) -> TableView {
    let periods: Vec<Period> = state
        .rated_periods()
        .into_iter()
        .filter(|p| as_of.is_none_or(|a| *p <= a))
        .collect();
    let latest = periods.last().copied();
    let marks = match marks {
        Marks::Latest => latest,
        Marks::At(p) => Some(p),
        Marks::Kept => {
            // One pass over the cells: the points at which an item of the plan has a mark.
            let marked: BTreeSet<Period> = state
                .cells()
                .filter(|((id, p), c)| {
                    (c.follow_up || !c.remark.is_empty())
                        && state.items.get(*id).is_some_and(|i| i.in_plan_at(*p))
                })
                .map(|((_, p), _)| p)
                .collect();
            periods
                .iter()
                .rev()
                .copied()
                .find(|p| marked.contains(p))
                .or(latest)
        }
    };
    let shared: Vec<Arc<str>> = state
        .plan
        .as_ref()
        .map(|p| p.grades.iter().map(|g| Arc::from(g.as_str())).collect())
        .unwrap_or_default();
    let grade = |g: &str| {
        shared
            .iter()
            .find(|s| &***s == g)
            .cloned()
            .unwrap_or_else(|| Arc::from(g))
    };
    // Besides the items of the shown points: with `as_of`, the items of that point (which may have no
    // rating yet); without, the items that join after the latest point (or every item, while nothing
    // is rated).
    let also = |i: &crate::domain::state::Item| match as_of {
        Some(a) => i.in_plan_at(a),
        None => latest.is_none_or(|l| i.from.is_some_and(|f| f > l)),
    };
    let items = state
        .items_in_order()
        .into_iter()
        .filter(|i| !i.withdrawn)
        .filter(|i| periods.iter().any(|p| i.in_plan_at(*p)) || also(i))
        .map(|i| {
            let ratings = Ratings(
                periods
                    .iter()
                    .filter_map(|p| state.rating(&i.id, *p).map(|g| (*p, grade(g))))
                    .collect(),
            );
            let latest_cell = marks
                .filter(|p| i.in_plan_at(*p))
                .map(|p| state.cell(&i.id, p))
                .unwrap_or_default();
            TableRow {
                id: i.id.clone(),
                number: i.id.number(),
                title: i.title.clone(),
                department: i.department.clone(),
                category: i.category.clone(),
                relisting_of: i.relisting_of.clone(),
                relisting_of_id: i.relisting_of.clone(),
                from: i.from,
                // As of a point, a merge from a later point is not yet part of the plan.
                merged_into: i
                    .merged
                    .as_ref()
                    .filter(|(_, from)| as_of.is_none_or(|a| *from <= a))
                    .map(|(into, from)| MergedInto {
                        id: into.clone(),
                        number: into.number(),
                        from: *from,
                    }),
                not_evaluated: periods
                    .iter()
                    .copied()
                    .filter(|p| i.in_plan_at(*p) && state.is_excluded(&i.id, *p))
                    .collect(),
                outside: periods
                    .iter()
                    .copied()
                    .filter(|p| !i.in_plan_at(*p))
                    .collect(),
                ratings,
                follow_up: latest_cell.follow_up,
                remark: latest_cell.remark,
            }
        })
        .collect();
    TableView {
        plan: state
            .plan
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        periods: periods.iter().copied().map(PeriodRef::from).collect(),
        items,
        marks,
        latest,
        period_values: periods,
        grades: state
            .plan
            .as_ref()
            .map(|p| p.grades.clone())
            .unwrap_or_default(),
    }
}

/// The totals of a table: per period, the count of each grade (re-listed rows count again, as in the
/// published table, whose 計 row is the number of rows); follow-up items counted once per original item.
pub fn summary(view: &TableView) -> SummaryView {
    let periods = view
        .period_values
        .iter()
        .map(|p| {
            let id = p.id();
            let mut counts: Vec<(String, u64)> =
                view.grades.iter().map(|g| (g.clone(), 0)).collect();
            let mut total = 0;
            let (mut not_evaluated, mut items) = (0, 0);
            for row in &view.items {
                if !row.outside.contains(p) {
                    items += 1;
                }
                if row.not_evaluated.contains(p) {
                    not_evaluated += 1;
                }
                if let Some(g) = row.ratings.get(&id) {
                    total += 1;
                    if let Some(slot) = counts.iter_mut().find(|(k, _)| k == g) {
                        slot.1 += 1;
                    }
                }
            }
            let counts = indexmap_like::OrderedCounts(counts);
            let (bands, average) = match crate::domain::scale::is_progress(&view.grades) {
                true => {
                    let (b, a) = shares::progress_stats(&counts);
                    (Some(b), a)
                }
                false => (None, None),
            };
            PeriodCounts {
                id,
                label: p.label(),
                counts,
                total,
                not_evaluated,
                items,
                bands,
                average,
                groups: None,
                overall: None,
            }
        })
        .collect();
    let flagged: BTreeSet<&ItemId> = view
        .items
        .iter()
        .filter(|r| r.follow_up)
        .map(|r| r.relisting_of_id.as_ref().unwrap_or(&r.id))
        .collect();
    SummaryView {
        periods,
        follow_up: flagged.len() as u64,
        follow_up_period: view.marks,
    }
}

/// The row text of the table's "number title" cell, with the re-listing marker the published table uses
/// (`スクラップアンドビルドの徹底【No.27の再掲】`).
pub fn title_with_marker(row: &TableRow) -> String {
    match &row.relisting_of_id {
        Some(n) => format!("{}【No.{n}の再掲】", row.title),
        None => row.title.clone(),
    }
}
