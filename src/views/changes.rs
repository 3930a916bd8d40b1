//! What changed between two points, as readers of a follow-up table look for it: the items that
//! improved, worsened or stayed the same, those newly rated and those that dropped out, with counts per
//! heading.
//!
//! The scale's order (best first) decides improved and worsened. For an outcome scale whose order means
//! nothing (完了 / 一部実施 / その他) the caller asks for moves instead: every item whose label changed
//! is a move from one label to another, and nothing is called better or worse.
//!
//! Every item of the plan is compared once: a row that re-lists another item (`【No.27の再掲】`) is the
//! same item and is left out.

use std::collections::HashMap;

use serde::Serialize;

use crate::domain::item_id::ItemId;
use crate::domain::period::Period;
use crate::domain::state::State;
use crate::domain::text;
use crate::views::PeriodRef;
use crate::views::width::{display_width, pad, pad_left};

/// One item's grades at the two points (`null` where it has none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    /// The item's id.
    pub id: ItemId,
    /// Its grade at the first point.
    pub from: Option<String>,
    /// Its grade at the second point.
    pub to: Option<String>,
    /// Its title (text only).
    #[serde(skip)]
    pub title: String,
}

/// How many items of one heading are in each list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HeadingCounts {
    /// The heading.
    pub name: String,
    /// Items rated better at the second point.
    pub improved: u64,
    /// Items rated worse.
    pub worsened: u64,
    /// Items with the same grade.
    pub unchanged: u64,
    /// Items rated at the second point only.
    pub newly_rated: u64,
    /// Items rated at the first point only.
    pub dropped: u64,
    /// Items whose label changed, on a scale whose order means nothing.
    pub moved: u64,
}

/// The changes between two points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangesView {
    /// The first point.
    pub from: PeriodRef,
    /// The second point.
    pub to: PeriodRef,
    /// Whether the scale's order decided improved and worsened (false: moves between labels).
    pub ordered: bool,
    /// Rated at both points, better at the second (ordered scales).
    pub improved: Vec<Move>,
    /// Rated at both points, worse at the second (ordered scales).
    pub worsened: Vec<Move>,
    /// Rated at both points with the same grade.
    pub unchanged: Vec<Move>,
    /// Rated at the second point and not at the first.
    pub newly_rated: Vec<Move>,
    /// Rated at the first point and not at the second (not yet rated, 対象外, merged or withdrawn).
    pub dropped: Vec<Move>,
    /// Rated at both points with another label (scales whose order means nothing).
    pub moved: Vec<Move>,
    /// The counts per heading, in the plan's order.
    pub headings: Vec<HeadingCounts>,
}

/// The changes from `from` to `to` in `state`; `ordered`: whether the scale's order (best first)
/// decides improved and worsened.
pub fn changes(state: &State, from: Period, to: Period, ordered: bool) -> ChangesView {
    let grades = state
        .plan
        .as_ref()
        .map(|p| p.grades.clone())
        .unwrap_or_default();
    let places: HashMap<&str, usize> = grades
        .iter()
        .enumerate()
        .map(|(i, g)| (g.as_str(), i))
        .collect();
    let rank = |g: &str| places.get(g).copied();
    let mut heading_of: HashMap<&str, usize> = HashMap::new();
    let mut view = ChangesView {
        from: from.into(),
        to: to.into(),
        ordered,
        improved: Vec::new(),
        worsened: Vec::new(),
        unchanged: Vec::new(),
        newly_rated: Vec::new(),
        dropped: Vec::new(),
        moved: Vec::new(),
        headings: Vec::new(),
    };
    for item in state.items_in_order() {
        if item.relisting_of.is_some() {
            continue;
        }
        // A withdrawn item's grades are not part of the plan's table.
        let grade = |p: Period| match item.withdrawn || !item.in_plan_at(p) {
            true => None,
            false => state.rating(&item.id, p).map(str::to_string),
        };
        let (a, b) = (grade(from), grade(to));
        if a.is_none() && b.is_none() {
            continue;
        }
        let heading = *heading_of.entry(&item.category).or_insert_with(|| {
            view.headings.push(HeadingCounts {
                name: item.category.clone(),
                ..HeadingCounts::default()
            });
            view.headings.len() - 1
        });
        let counts = &mut view.headings[heading];
        let (list, count) = match (&a, &b) {
            (Some(_), None) => (&mut view.dropped, &mut counts.dropped),
            (None, _) => (&mut view.newly_rated, &mut counts.newly_rated),
            (Some(x), Some(y)) if x == y => (&mut view.unchanged, &mut counts.unchanged),
            (Some(_), Some(_)) if !ordered => (&mut view.moved, &mut counts.moved),
            (Some(x), Some(y)) => match rank(y) < rank(x) {
                true => (&mut view.improved, &mut counts.improved),
                false => (&mut view.worsened, &mut counts.worsened),
            },
        };
        *count += 1;
        list.push(Move {
            id: item.id.clone(),
            from: a,
            to: b,
            title: item.title.clone(),
        });
    }
    // Moves grouped by their two labels, in the scale's order (the plan's order within a group).
    view.moved.sort_by_key(|m| {
        (
            m.from.as_deref().and_then(rank),
            m.to.as_deref().and_then(rank),
        )
    });
    view
}

/// The changes as text: a line of counts, the items of each list but the unchanged, and the counts
/// per heading.
pub fn changes_text(v: &ChangesView) -> String {
    let mut out = format!(
        "{} → {}\n",
        text::escape(&v.from.label),
        text::escape(&v.to.label)
    );
    let lists: Vec<(&str, &[Move])> = match v.ordered {
        true => vec![
            ("改善", &v.improved),
            ("悪化", &v.worsened),
            ("新たに評価", &v.newly_rated),
            ("評価なし", &v.dropped),
        ],
        false => vec![
            ("変更", &v.moved),
            ("新たに評価", &v.newly_rated),
            ("評価なし", &v.dropped),
        ],
    };
    let mut counts: Vec<String> = lists
        .iter()
        .map(|(name, l)| format!("{name} {}", l.len()))
        .collect();
    counts.insert(
        if v.ordered { 2 } else { 1 },
        format!("変化なし {}", v.unchanged.len()),
    );
    out.push_str(&counts.join("  "));
    out.push('\n');
    let grade = |g: &Option<String>| g.as_deref().map_or("-".to_string(), text::escape);
    for (name, list) in &lists {
        if list.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{name} ({})\n", list.len()));
        let rows: Vec<[String; 3]> = list
            .iter()
            .map(|m| {
                [
                    m.id.to_string(),
                    format!("{} → {}", grade(&m.from), grade(&m.to)),
                    crate::views::width::truncate(&text::escape(&m.title), 40),
                ]
            })
            .collect();
        out.push_str(&aligned(&rows, &[true, false, false]));
    }
    out.push('\n');
    let mut header = vec!["見出し".to_string()];
    let names: &[&str] = match v.ordered {
        true => &["改善", "悪化", "変化なし", "新たに評価", "評価なし"],
        false => &["変更", "変化なし", "新たに評価", "評価なし"],
    };
    header.extend(names.iter().map(|s| s.to_string()));
    let mut rows: Vec<Vec<String>> = vec![header];
    for h in &v.headings {
        let mut cells = vec![text::escape(&h.name)];
        let nums = match v.ordered {
            true => vec![
                h.improved,
                h.worsened,
                h.unchanged,
                h.newly_rated,
                h.dropped,
            ],
            false => vec![h.moved, h.unchanged, h.newly_rated, h.dropped],
        };
        cells.extend(nums.iter().map(u64::to_string));
        rows.push(cells);
    }
    let right: Vec<bool> = (0..rows[0].len()).map(|i| i > 0).collect();
    out.push_str(&aligned(&rows, &right));
    out
}

/// Rows aligned in columns two spaces apart (`right`: which columns are right-aligned), each line
/// trimmed at its end.
fn aligned<R: AsRef<[String]>>(rows: &[R], right: &[bool]) -> String {
    let n = right.len();
    let widths: Vec<usize> = (0..n)
        .map(|i| {
            rows.iter()
                .map(|r| r.as_ref().get(i).map_or(0, |c| display_width(c)))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.as_ref().iter().enumerate().take(n) {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(&match right[i] {
                true => pad_left(c, widths[i]),
                false => pad(c, widths[i]),
            });
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
