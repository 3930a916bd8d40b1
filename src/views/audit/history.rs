//! History: the fold behind every history view, one entry per changed field of an item, with the
//! review trail (submitted, review, opinion) and the corrections to published rounds marked.

use crate::domain::event::{Change, Event, Source};
use crate::domain::item_id::ItemId;
use crate::domain::people::{Stage, Verdict};
use crate::domain::period::Period;
use crate::domain::provenance::Field;
use crate::domain::state::{Refused, State};
use crate::domain::when;
use crate::error::Result;
use crate::views::ItemRef;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;

use super::value::{id_or_null, merged_json, ser_period, text_or_null};

/// The fold behind every history view: the state, which fields were ever decided (a follow-up flag
/// never set before has no old value, although an unset flag reads as "off"), and whether the events
/// folded are in a batch that began with a `clock.behind` event.
#[derive(Debug, Clone, Default)]
pub struct HistoryFold {
    /// The state after the events folded so far.
    pub state: State,
    decided: BTreeSet<Field>,
    clock_behind: Option<ClockBehindBatch>,
    /// The points whose round was published by the events folded so far (kept apart from the state:
    /// an item-local fold cannot check a publication's digest, yet its later changes are corrections).
    published: BTreeSet<Period>,
}

/// A batch that began with a `clock.behind` event: the clock's reading, and what the batch's events
/// share with that event (schema/FORMAT.md section 3.1).
#[derive(Debug, Clone)]
struct ClockBehindBatch {
    clock: i64,
    recorded_at: i64,
    author: String,
    reason: String,
    source: Option<Source>,
}

impl ClockBehindBatch {
    fn holds(&self, e: &Event) -> bool {
        !matches!(e.change, Change::ClockBehind { .. })
            && e.recorded_at == self.recorded_at
            && e.author == self.author
            && e.reason == self.reason
            && e.source == self.source
    }
}

impl HistoryFold {
    /// Whether the last event folded is in a batch that began with a `clock.behind` event.
    pub fn in_clock_behind_batch(&self) -> bool {
        self.clock_behind.is_some()
    }

    /// Takes note of an event that is not folded (another item's, when only one item's events are):
    /// it ends a batch recorded with the clock behind unless it belongs to it. Returns whether such a
    /// batch still goes on.
    pub fn pass_over(&mut self, e: &Event) -> bool {
        if self.clock_behind.as_ref().is_some_and(|b| !b.holds(e)) {
            self.clock_behind = None;
        }
        self.clock_behind.is_some()
    }

    /// Applies one event and calls `f` for each field it changed, with its old and new value.
    pub fn step(&mut self, e: &Event, f: &mut dyn FnMut(HistoryEntry)) -> Result<(), Refused> {
        let before = self.state.clone_item_view(&e.change);
        // A heading rename changes the heading of every item under it: each is an entry of its own.
        let renamed: Vec<ItemId> = match &e.change {
            Change::HeadingRenamed { from, .. } => self
                .state
                .items
                .values()
                .filter(|i| i.category == *from)
                .map(|i| i.id.clone())
                .collect(),
            _ => Vec::new(),
        };
        // A change to a cell of a point whose round is published is a correction (訂正).
        let correction = e
            .change
            .period()
            .is_some_and(|p| self.published.contains(&p));
        if let Change::RoundPublished { period, .. } = &e.change {
            self.published.insert(*period);
        }
        self.state.apply(&e.change)?;
        if let Change::ClockBehind { clock } = e.change {
            self.clock_behind = Some(ClockBehindBatch {
                clock,
                recorded_at: e.recorded_at,
                author: e.author.clone(),
                reason: e.reason.clone(),
                source: e.source.clone(),
            });
        } else {
            self.pass_over(e);
        }
        let clock_behind = self.clock_behind.as_ref().map(|b| b.clock);
        let fields = crate::domain::provenance::fields_of(&e.change);
        let first_flag = matches!(e.change, Change::FollowUpSet { .. })
            && fields.iter().any(|fl| !self.decided.contains(fl));
        self.decided.extend(fields);
        let entry = |item: ItemId, field, period, old, new| HistoryEntry {
            seq: e.seq,
            recorded_at: e.recorded_at,
            author: e.author.clone(),
            reason: e.reason.clone(),
            item: ItemRef(item),
            field,
            period,
            old,
            new,
            clock_behind,
            correction,
        };
        if let Change::HeadingRenamed { from, to } = &e.change {
            for id in renamed {
                f(entry(
                    id,
                    "category",
                    None,
                    Value::String(from.clone()),
                    Value::String(to.clone()),
                ));
            }
        }
        // A department's submission is part of the review trail of each of its items.
        if let Change::Submitted { period, department } = &e.change {
            for id in self.state.items_of(department, *period) {
                f(entry(
                    id.clone(),
                    "submitted",
                    Some(*period),
                    Value::Null,
                    Value::Bool(true),
                ));
            }
            return Ok(());
        }
        for (field, period, mut old, new) in field_changes(&before, &self.state, &e.change) {
            if first_flag && field == "follow_up" {
                old = Value::Null;
            }
            let item = e
                .change
                .item()
                .cloned()
                .unwrap_or_else(|| ItemId::from_number(0));
            f(entry(item, field, period, old, new));
        }
        Ok(())
    }
}

/// One changed field of one item, as `hyoka history` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// The event.
    pub seq: u64,
    /// When (ns since the epoch; in JSON RFC 3339 in the shown zone, Japan time by default).
    #[serde(serialize_with = "when::serialize_shown")]
    pub recorded_at: i64,
    /// Who.
    pub author: String,
    /// Why.
    pub reason: String,
    /// The item (JSON: `item`, its number for a numeric id, and `item_id`).
    #[serde(flatten)]
    pub item: ItemRef,
    /// `rating`, `follow_up`, `remark`, `not_evaluated`, `title`, `department`, `category`,
    /// `relisting_of`, `from`, `after`, `merged_into` or `status`; or, in a round's review trail,
    /// `submitted`, `review` or `opinion`.
    pub field: &'static str,
    /// The period, for rating, follow-up, remark and 対象外, and the round's point in a review trail.
    #[serde(serialize_with = "ser_period")]
    pub period: Option<Period>,
    /// The value before (`null` when there was none).
    pub old: Value,
    /// The value after (`null` when withdrawn).
    pub new: Value,
    /// Set when the event was recorded in a batch that began with a `clock.behind` event: what the
    /// clock read (ns; in JSON RFC 3339 in the shown zone, Japan time by default), earlier than `recorded_at`, the time of the
    /// event before the batch.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "when::serialize_shown_opt"
    )]
    pub clock_behind: Option<i64>,
    /// Set when the change is to a cell of a point whose round was published before it: a correction
    /// (訂正), which the city shows and announces (JSON: `correction: true`, absent otherwise).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub correction: bool,
}

/// The value of a review in the review trail: `1次評価 承認`, `2次評価 差し戻し`.
pub fn review_text(stage: Stage, verdict: Verdict) -> String {
    format!(
        "{} {}",
        stage.label(),
        match verdict {
            Verdict::Approve => "承認",
            Verdict::Return => "差し戻し",
        }
    )
}

/// The part of the state a change can touch, captured before it is applied.
#[derive(Debug, Clone, Default)]
pub struct ItemView {
    item: Option<crate::domain::state::Item>,
    cell: Option<crate::domain::state::Cell>,
    excluded: bool,
}

impl State {
    fn clone_item_view(&self, c: &Change) -> ItemView {
        ItemView {
            item: c.item().and_then(|n| self.items.get(n).cloned()),
            cell: match (c.item(), c.period()) {
                (Some(n), Some(p)) => self.cell_ref(n, p).map(|c| c.to_cell()),
                _ => None,
            },
            excluded: match (c.item(), c.period()) {
                (Some(n), Some(p)) => self.is_excluded(n, p),
                _ => false,
            },
        }
    }
}

/// (field, period, old, new) for each field a change touched.
fn field_changes(
    before: &ItemView,
    after: &State,
    c: &Change,
) -> Vec<(&'static str, Option<Period>, Value, Value)> {
    let Some(n) = c.item() else { return Vec::new() };
    // The review trail of a round: a review, an opinion on the item.
    match c {
        Change::Reviewed {
            period,
            stage,
            verdict,
            ..
        } => {
            let v = Value::String(review_text(*stage, *verdict));
            return vec![("review", Some(*period), Value::Null, v)];
        }
        Change::OpinionRecorded { period, text, .. } => {
            let v = Value::String(text.clone());
            return vec![("opinion", Some(*period), Value::Null, v)];
        }
        _ => {}
    }
    let now = after.items.get(n);
    let mut out = Vec::new();
    let old_item = before.item.as_ref();
    let mut attr = |field: &'static str, get: &dyn Fn(&crate::domain::state::Item) -> Value| {
        let old = old_item.map_or(Value::Null, get);
        let new = now.map_or(Value::Null, get);
        if old != new {
            out.push((field, None, old, new));
        }
    };
    match c {
        Change::ItemRegistered { .. } | Change::ItemAmended { .. } => {
            attr("title", &|i| Value::String(i.title.clone()));
            attr("department", &|i| Value::String(i.department.clone()));
            attr("category", &|i| Value::String(i.category.clone()));
            attr("relisting_of", &|i| id_or_null(i.relisting_of.as_ref()));
            attr("from", &|i| {
                i.from.map_or(Value::Null, |p| Value::String(p.id()))
            });
            attr("after", &|i| id_or_null(i.after.as_ref()));
        }
        Change::ItemMerged { .. } | Change::MergeWithdrawn { .. } => {
            attr("merged_into", &|i| match &i.merged {
                Some((into, from)) => merged_json(into, *from),
                None => Value::Null,
            });
        }
        Change::ItemWithdrawn { .. } | Change::ItemReinstated { .. } => {
            let status =
                |i: &crate::domain::state::Item| if i.withdrawn { "withdrawn" } else { "active" };
            out.push((
                "status",
                None,
                old_item.map_or(Value::Null, |i| status(i).into()),
                now.map_or(Value::Null, |i| status(i).into()),
            ));
        }
        _ => {}
    }
    if let Some(p) = c.period() {
        let old = before.cell.clone().unwrap_or_default();
        let new = after.cell(n, p);
        match c {
            Change::RatingRecorded { .. } | Change::RatingWithdrawn { .. } => out.push((
                "rating",
                Some(p),
                old.rating.map_or(Value::Null, Value::String),
                new.rating.map_or(Value::Null, Value::String),
            )),
            Change::FollowUpSet { .. } => out.push((
                "follow_up",
                Some(p),
                // Null when never decided before: `HistoryFold::step` knows.
                Value::Bool(old.follow_up),
                Value::Bool(new.follow_up),
            )),
            Change::RemarkSet { .. } => out.push((
                "remark",
                Some(p),
                text_or_null(&old.remark),
                text_or_null(&new.remark),
            )),
            Change::ItemExcluded { .. } | Change::ExclusionWithdrawn { .. } => out.push((
                "not_evaluated",
                Some(p),
                Value::Bool(before.excluded),
                Value::Bool(after.is_excluded(n, p)),
            )),
            _ => {}
        }
    }
    out
}
