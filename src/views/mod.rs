//! Views rebuilt from the state: the table in its published shape, and its totals.
//!
//! Views are plain data (serialisable to the JSON of `schema/`); rendering them as text or Markdown is
//! [`crate::views::render`]'s job (measuring with [`crate::views::width`]), writing the table as TSV or
//! CSV is `table::write`'s.

pub mod audit;
pub mod render;
pub mod width;

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;

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
    /// Item number.
    pub number: u32,
    /// Title (without any re-listing marker).
    pub title: String,
    /// Responsible department.
    pub department: String,
    /// Heading.
    pub category: String,
    /// The item this row re-lists.
    pub relisting_of: Option<u32>,
    /// Grade per period (only periods with a rating); JSON: an object from period id to grade.
    pub ratings: Ratings,
    /// Follow-up flag of the latest period.
    pub follow_up: bool,
    /// Remark of the latest period.
    pub remark: String,
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
    /// Rows in item-number order.
    pub items: Vec<TableRow>,
    /// The period whose follow-up flags and remarks are shown.
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodCounts {
    /// Period id.
    pub id: String,
    /// Japanese label.
    pub label: String,
    /// Count per grade of the scale, zeros included, in scale order.
    pub counts: indexmap_like::OrderedCounts,
    /// Rated rows in the period.
    pub total: u64,
}

/// The table's totals, as the published table prints them below the rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SummaryView {
    /// Per period.
    pub periods: Vec<PeriodCounts>,
    /// Items flagged for follow-up in the latest period. A re-listing and the item it re-lists count
    /// once: the published table counts 41 for 42 marked rows because item 39 re-lists item 27.
    pub follow_up: u64,
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

/// The table as of `as_of` (valid time): only periods up to and including it; flags and remarks of the
/// latest of those periods.
pub fn table(state: &State, as_of: Option<Period>) -> TableView {
    let periods: Vec<Period> = state
        .rated_periods()
        .into_iter()
        .filter(|p| as_of.is_none_or(|a| *p <= a))
        .collect();
    let latest = periods.last().copied();
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
    let items = state
        .items
        .values()
        .filter(|i| !i.withdrawn)
        .map(|i| {
            let ratings = Ratings(
                periods
                    .iter()
                    .filter_map(|p| state.rating(i.number, *p).map(|g| (*p, grade(g))))
                    .collect(),
            );
            let latest_cell = latest.map(|p| state.cell(i.number, p)).unwrap_or_default();
            TableRow {
                number: i.number,
                title: i.title.clone(),
                department: i.department.clone(),
                category: i.category.clone(),
                relisting_of: i.relisting_of,
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
            for row in &view.items {
                if let Some(g) = row.ratings.get(&id) {
                    total += 1;
                    if let Some(slot) = counts.iter_mut().find(|(k, _)| k == g) {
                        slot.1 += 1;
                    }
                }
            }
            PeriodCounts {
                id,
                label: p.label(),
                counts: indexmap_like::OrderedCounts(counts),
                total,
            }
        })
        .collect();
    let flagged: BTreeSet<u32> = view
        .items
        .iter()
        .filter(|r| r.follow_up)
        .map(|r| r.relisting_of.unwrap_or(r.number))
        .collect();
    SummaryView {
        periods,
        follow_up: flagged.len() as u64,
    }
}

/// The row text of the table's "number title" cell, with the re-listing marker the published table uses
/// (`スクラップアンドビルドの徹底【No.27の再掲】`).
pub fn title_with_marker(row: &TableRow) -> String {
    match row.relisting_of {
        Some(n) => format!("{}【No.{n}の再掲】", row.title),
        None => row.title.clone(),
    }
}
