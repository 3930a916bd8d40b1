//! Subtotals and shares as cities publish them: per heading (重点改革項目, 分野) or per department, and
//! for the whole plan, at each point: the count of each grade, the items rated (評価対象), not evaluated
//! (対象外) and in the plan (合計), each grade's share of the rated items in percent, and the items
//! flagged for follow-up. A progress scale (0–100 %) adds its bands and average.
//!
//! Counted from the table's rows ([`TableView`]), as the plain summary is: a re-listed item's row counts
//! again, as in the published table, and its follow-up flag counts once. Shares are rounded half up to
//! 0.1 ([`scale::percent`]), the rule `summary --help` and `schema/summary.schema.json` state.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use crate::domain::item_id::ItemId;
use crate::domain::scale;
use crate::domain::state::State;
use crate::domain::text;
use crate::views::indexmap_like::OrderedCounts;
use crate::views::width::{display_width, pad, pad_left};
use crate::views::{SummaryView, TableRow, TableView};

/// What the rows are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// The item's heading (重点改革項目, 分野).
    Heading,
    /// The item's responsible department.
    Department,
}

impl GroupBy {
    /// The column header of a group's name.
    pub fn header(self) -> &'static str {
        match self {
            GroupBy::Heading => "見出し",
            GroupBy::Department => "担当課",
        }
    }

    fn of(self, row: &TableRow) -> &str {
        match self {
            GroupBy::Heading => &row.category,
            GroupBy::Department => &row.department,
        }
    }
}

/// What the overall row is called in text and CSV.
pub const OVERALL: &str = "全体";

/// Shares in percent per grade (or band), in scale order; JSON: an object, `null` where nothing is
/// rated.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Shares(pub Vec<(String, Option<f64>)>);

impl Shares {
    /// The share of a grade or band.
    pub fn get(&self, key: &str) -> Option<f64> {
        self.0.iter().find(|(k, _)| k == key).and_then(|(_, v)| *v)
    }
}

impl Serialize for Shares {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// The counts of a group of rows at one point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tally {
    /// The group's heading or department (absent for the overall row).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Rated rows per grade of the scale, zeros included, best first.
    pub counts: OrderedCounts,
    /// Rated rows (評価対象).
    pub rated: u64,
    /// Rows not evaluated (対象外).
    pub not_evaluated: u64,
    /// Rows part of the plan at the point (合計): rated, not evaluated, or neither yet.
    pub items: u64,
    /// Each grade's share of `rated` in percent, rounded half up to 0.1 (a progress scale: each band's).
    pub percent: Shares,
    /// Items flagged for follow-up at the point (an item and its re-listing count once).
    pub follow_up: u64,
    /// A progress scale only: rated rows per band, best first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bands: Option<OrderedCounts>,
    /// A progress scale only: the average rate of the rated rows in percent, rounded half up to 0.1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average: Option<f64>,
}

/// A progress scale's counts as bands, and the average rate (`None` if nothing is rated).
pub fn progress_stats(counts: &OrderedCounts) -> (OrderedCounts, Option<f64>) {
    let mut bands: Vec<(String, u64)> = scale::BANDS
        .iter()
        .map(|(_, _, l)| (l.to_string(), 0))
        .collect();
    let (mut sum, mut n) = (0u64, 0u64);
    for (g, c) in &counts.0 {
        if let Some(v) = scale::progress_value(g) {
            let band = scale::band_of(v);
            if let Some(slot) = bands.iter_mut().find(|(l, _)| l == band) {
                slot.1 += c;
            }
            sum += u64::from(v) * c;
            n += c;
        }
    }
    let average = scale::tenths_half_up(sum, n).map(|t| t as f64 / 10.0);
    (OrderedCounts(bands), average)
}

/// A tally being counted: one per group and one for the whole plan, filled in one pass over the rows.
#[derive(Default)]
struct Acc<'a> {
    /// Rated rows per grade, by the grade's place in the scale.
    counts: Vec<u64>,
    rated: u64,
    not_evaluated: u64,
    items: u64,
    /// The items flagged, a re-listing as the item it re-lists.
    flagged: BTreeSet<&'a ItemId>,
}

impl<'a> Acc<'a> {
    fn new(grades: usize) -> Acc<'a> {
        Acc {
            counts: vec![0; grades],
            ..Acc::default()
        }
    }

    /// Counts a row of the plan at the point: its grade's place in the scale, whether it is not
    /// evaluated there, whether it is flagged there.
    fn add(&mut self, row: &'a TableRow, grade: Option<usize>, excluded: bool, flagged: bool) {
        self.items += 1;
        if excluded {
            self.not_evaluated += 1;
        }
        if let Some(slot) = grade.and_then(|g| self.counts.get_mut(g)) {
            *slot += 1;
            self.rated += 1;
        }
        if flagged {
            self.flagged
                .insert(row.relisting_of_id.as_ref().unwrap_or(&row.id));
        }
    }

    fn finish(self, grades: &[String], name: Option<String>) -> Tally {
        let counts = OrderedCounts(grades.iter().cloned().zip(self.counts).collect());
        let (bands, average) = match scale::is_progress(grades) {
            true => {
                let (b, a) = progress_stats(&counts);
                (Some(b), a)
            }
            false => (None, None),
        };
        let shares_of = bands.as_ref().unwrap_or(&counts);
        let percent = Shares(
            shares_of
                .0
                .iter()
                .map(|(g, c)| (g.clone(), scale::percent(*c, self.rated)))
                .collect(),
        );
        Tally {
            name,
            counts,
            rated: self.rated,
            not_evaluated: self.not_evaluated,
            items: self.items,
            percent,
            follow_up: self.flagged.len() as u64,
            bands,
            average,
        }
    }
}

/// The summary with, at each point, a [`Tally`] per group (in the order the table first lists them)
/// and one for the whole plan. One pass over the rows per point, whatever the number of groups.
pub fn grouped(state: &State, view: &TableView, by: GroupBy) -> SummaryView {
    let mut summary = crate::views::summary(view);
    let mut names: Vec<&str> = Vec::new();
    let mut group_of: HashMap<&str, usize> = HashMap::new();
    let rows: Vec<(&TableRow, usize)> = view
        .items
        .iter()
        .map(|row| {
            let name = by.of(row);
            let g = *group_of.entry(name).or_insert_with(|| {
                names.push(name);
                names.len() - 1
            });
            (row, g)
        })
        .collect();
    let place: HashMap<&str, usize> = view
        .grades
        .iter()
        .enumerate()
        .map(|(i, g)| (g.as_str(), i))
        .collect();
    for (pc, p) in summary.periods.iter_mut().zip(&view.period_values) {
        let mut groups: Vec<Acc> = names.iter().map(|_| Acc::new(view.grades.len())).collect();
        let mut overall = Acc::new(view.grades.len());
        for (row, g) in &rows {
            if row.outside.contains(p) {
                continue;
            }
            let grade = row.ratings.of(*p).and_then(|g| place.get(g).copied());
            let excluded = row.not_evaluated.contains(p);
            let flagged = state.cell_ref(&row.id, *p).is_some_and(|c| c.follow_up);
            groups[*g].add(row, grade, excluded, flagged);
            overall.add(row, grade, excluded, flagged);
        }
        pc.groups = Some(
            groups
                .into_iter()
                .zip(&names)
                .map(|(acc, name)| acc.finish(&view.grades, Some(name.to_string())))
                .collect(),
        );
        pc.overall = Some(overall.finish(&view.grades, None));
    }
    summary
}

/// The columns a tally shows: the grades, or a progress scale's bands.
pub fn columns(grades: &[String]) -> Vec<String> {
    match scale::is_progress(grades) {
        true => scale::BANDS.iter().map(|(_, _, l)| l.to_string()).collect(),
        false => grades.to_vec(),
    }
}

/// A tally's counts in [`columns`] order.
pub fn column_counts(t: &Tally, columns: &[String]) -> Vec<u64> {
    let counts = t.bands.as_ref().unwrap_or(&t.counts);
    columns.iter().map(|c| counts.get(c)).collect()
}

/// A share as printed: `46.5`, or `-` when nothing is rated.
pub fn share_text(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"))
}

/// The grouped summary as text: per point, a line per group and the overall line, with the count of
/// each grade, 評価対象, 対象外, 合計, フォロー and each grade's share in percent (a progress scale:
/// bands and 平均).
pub fn grouped_text(s: &SummaryView, grades: &[String], by: GroupBy) -> String {
    let cols = columns(grades);
    let progress = scale::is_progress(grades);
    let mut header: Vec<String> = vec![by.header().to_string()];
    header.extend(cols.iter().map(|c| text::escape(c)));
    header.extend(["評価対象", "対象外", "合計", "フォロー"].map(String::from));
    header.extend(cols.iter().map(|c| format!("{}%", text::escape(c))));
    if progress {
        header.push("平均%".into());
    }
    let mut out = String::new();
    for (k, p) in s.periods.iter().enumerate() {
        let (Some(groups), Some(overall)) = (&p.groups, &p.overall) else {
            continue;
        };
        if k > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{} ({})\n", text::escape(&p.label), p.id));
        let row = |name: &str, t: &Tally| {
            let mut cells = vec![text::escape(name)];
            cells.extend(column_counts(t, &cols).iter().map(u64::to_string));
            cells.extend([t.rated, t.not_evaluated, t.items, t.follow_up].map(|n| n.to_string()));
            cells.extend(cols.iter().map(|c| share_text(t.percent.get(c))));
            if progress {
                cells.push(share_text(t.average));
            }
            cells
        };
        let mut rows: Vec<Vec<String>> = groups
            .iter()
            .map(|t| row(t.name.as_deref().unwrap_or(""), t))
            .collect();
        rows.push(row(OVERALL, overall));
        let widths: Vec<usize> = (0..header.len())
            .map(|i| {
                rows.iter()
                    .chain([&header])
                    .map(|r| display_width(&r[i]))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for r in [&header].into_iter().chain(&rows) {
            let mut line = pad(&r[0], widths[0]);
            for (c, w) in r.iter().zip(&widths).skip(1) {
                line.push_str("  ");
                line.push_str(&pad_left(c, *w));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out.push_str(&format!(
        "割合は評価対象項目に対する百分率 (小数第2位を四捨五入){}\n",
        if progress {
            "、平均は進捗率の平均"
        } else {
            ""
        }
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_stats_band_and_average() {
        let counts = OrderedCounts(
            scale::progress_grades()
                .into_iter()
                .map(|g| {
                    let n = match g.as_str() {
                        "100" => 2,
                        "80" => 1,
                        "50" => 1,
                        "10" => 1,
                        _ => 0,
                    };
                    (g, n)
                })
                .collect(),
        );
        let (bands, average) = progress_stats(&counts);
        assert_eq!(
            bands.0,
            [
                ("100", 2),
                ("75-99", 1),
                ("50-74", 1),
                ("25-49", 0),
                ("0-24", 1)
            ]
            .map(|(l, n)| (l.to_string(), n))
        );
        // (200 + 80 + 50 + 10) / 5 = 68.0
        assert_eq!(average, Some(68.0));
        assert_eq!(progress_stats(&OrderedCounts::default()).1, None);
    }
}
