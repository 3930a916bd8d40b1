//! Audit views and the two time axes.
//!
//! *Transaction time* is the log: the ledger as it stood after event N ([`Selection::through`]), or after
//! every event recorded at or before a time (a prefix of the log, because recorded times never decrease).
//! *Valid time* is the evaluation period: the table as of a period shows only the periods up to it. A
//! [`Snapshot`] combines both; history, blame and diff are folds over the log like every other view.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::domain::event::{Change, Event, Source};
use crate::domain::item_id::ItemId;
use crate::domain::people::{Stage, Verdict};
use crate::domain::period::{Era, Period};
use crate::domain::provenance::{Field, Provenance, Setter};
use crate::domain::state::{Refused, State};
use crate::domain::when;
use crate::error::{Error, IntegrityError, Result};
use crate::ledger::Ledger;
use crate::ledger::derived::{Derived, NO_ITEM};
use crate::store::Store;
use crate::views::ItemRef;

/// A point in either time axis, as written on the command line: a period (`FY2014-YE`, `H26年度末`),
/// `seq:N`, or `at:TIME` (RFC 3339, or a date meaning the end of that day in the shown zone, Japan time
/// by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    /// Valid time: the current ledger, periods up to this one.
    Period(Period),
    /// Transaction time: after the event with this seq.
    Seq(u64),
    /// Transaction time: after every event recorded at or before this instant (ns).
    At(i64),
}

impl Point {
    /// Parses `seq:N`, `at:TIME` or a period (era-less periods use `era`).
    pub fn parse(s: &str, era: Option<Era>) -> Result<Point, String> {
        // NFKC, as every identifier: `ｓｅｑ：１２` is `seq:12`.
        let normalized = crate::domain::ident::normalize(s.trim());
        let s = normalized.trim();
        if let Some(n) = s.strip_prefix("seq:") {
            return n.trim().parse::<u64>().map(Point::Seq).map_err(|_| {
                format!("`{s}` is not a point: write seq:N, N an event's number, e.g. seq:42")
            });
        }
        if let Some(t) = s.strip_prefix("at:") {
            return when::parse_instant(t)
                .map(Point::At)
                .map_err(|e| e.to_string());
        }
        if s.starts_with('#') || s.starts_with('@') {
            return Err(format!(
                "`{s}` is not a point: write seq:N or at:TIME (no # or @, which the shell treats specially)"
            ));
        }
        Period::parse(s, era)
            .map(Point::Period)
            .map_err(|e| format!("`{s}` is not a point (a period, seq:N or at:TIME): {e}"))
    }
}

/// Which slice of history a view shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Selection {
    /// Transaction time: include events up to and including this seq (`None`: all).
    pub through: Option<u64>,
    /// Transaction time: include events recorded at or before this instant (ns).
    pub at: Option<i64>,
    /// Valid time: only periods up to and including this one.
    pub as_of: Option<Period>,
}

/// The ledger as seen from a selection: its state, who set each value, and the period bound.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The state after the selected events.
    pub state: State,
    /// Who set each value, after the selected events.
    pub provenance: Provenance,
    /// The last event included (`None` when none is).
    pub last_seq: Option<u64>,
    /// The valid-time bound.
    pub as_of: Option<Period>,
}

impl<S: Store> Ledger<S> {
    /// The seq of the last event recorded at or before `instant` (ns), if any. Binary search: recorded
    /// times never decrease along the log.
    pub fn last_seq_at(&self, instant: i64) -> Result<Option<u64>> {
        let (mut lo, mut hi) = (0u64, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.event(mid)?.event.recorded_at <= instant {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Ok(lo.checked_sub(1))
    }

    /// The last seq a selection includes (`None`: no event at all).
    pub fn resolve(&self, sel: &Selection) -> Result<Option<u64>> {
        let mut last = self.len().checked_sub(1);
        if let Some(n) = sel.through {
            if n >= self.len() {
                return Err(Error::NoSuchSeq {
                    seq: n,
                    len: self.len(),
                });
            }
            last = last.map(|l| l.min(n));
        }
        if let Some(t) = sel.at {
            let at = self.last_seq_at(t)?;
            last = match (last, at) {
                (Some(l), Some(a)) => Some(l.min(a)),
                _ => None,
            };
        }
        Ok(last)
    }

    /// The state and provenance for a selection, folded from the log.
    pub fn snapshot(&self, sel: &Selection) -> Result<Snapshot> {
        let last = self.resolve(sel)?;
        let (state, provenance) = match last {
            Some(last) => self.state_and_provenance_before(last + 1)?,
            None => (State::default(), Provenance::default()),
        };
        Ok(Snapshot {
            state,
            provenance,
            last_seq: last,
            as_of: sel.as_of,
        })
    }

    /// The state after a selection (no provenance), from the nearest checked snapshot, and the last seq
    /// included (`None`: no event at all, and an empty state). What the table and summary views need.
    pub fn state_for(&self, sel: &Selection) -> Result<(State, Option<u64>)> {
        match self.resolve(sel)? {
            Some(last) => Ok((self.state_through(Some(last))?, Some(last))),
            None => Ok((State::default(), None)),
        }
    }

    /// Every change to `item` (optionally only those of one period), oldest first. Reads only the item's
    /// events (and those of no item: the plan and headings) through the per-item index when the ledger
    /// has one; otherwise, or if the index does not agree with the events it names, folds the whole log.
    pub fn history(&self, item: &ItemId, period: Option<Period>) -> Result<Vec<HistoryEntry>> {
        let keep = |h: &HistoryEntry| h.item.0 == *item && (period.is_none() || h.period == period);
        if let Some(mut v) = self.history_indexed(item)? {
            v.retain(keep);
            return Ok(v);
        }
        self.history_by_full_fold(item, period)
    }

    /// [`Ledger::history`] by a fold of the whole log (the index is not used): the fallback, and the
    /// reference that the indexed path is checked and measured against.
    pub fn history_by_full_fold(
        &self,
        item: &ItemId,
        period: Option<Period>,
    ) -> Result<Vec<HistoryEntry>> {
        let mut out = Vec::new();
        self.fold_history(&mut |h| {
            if h.item.0 == *item && (period.is_none() || h.period == period) {
                out.push(h);
            }
        })?;
        Ok(out)
    }

    /// Every correction in the ledger: each change that replaced or withdrew an existing value, each
    /// withdrawal or reinstatement of an item, and each change to a cell of a published round's point
    /// (訂正, [`HistoryEntry::correction`]), in log order.
    pub fn corrections(&self) -> Result<Vec<HistoryEntry>> {
        let mut out = Vec::new();
        self.fold_history(&mut |h| {
            if h.correction || !h.old.is_null() {
                out.push(h);
            }
        })?;
        Ok(out)
    }

    /// Every change recorded after event `after` (from the first when `None`) up to and including event
    /// `through`, in log order, each as [`Ledger::history`] shows it: the intermediate steps that a
    /// comparison of two points does not show (a rating changed and changed back).
    pub fn changes_between(&self, after: Option<u64>, through: u64) -> Result<Vec<HistoryEntry>> {
        let mut out = Vec::new();
        let mut fold = HistoryFold::default();
        self.scan(0, through.saturating_add(1), &mut |e| {
            fold.step(&e.event, &mut |h| {
                if after.is_none_or(|a| h.seq > a) {
                    out.push(h);
                }
            })
            .map_err(|r| IntegrityError::RuleBroken {
                seq: e.event.seq,
                why: r,
            })?;
            Ok(true)
        })?;
        Ok(out)
    }

    /// The history of one item from the index: `None` when the ledger has no index or it disagrees with
    /// the events it names (the caller then folds the log; `verify` reports the index).
    fn history_indexed(&self, item: &ItemId) -> Result<Option<Vec<HistoryEntry>>> {
        let key = item.index_key();
        if !matches!(self.derived(), Derived::Every(_)) || key == NO_ITEM {
            return Ok(None);
        }
        let (Ok(mut seqs), Ok(general)) = (
            self.store_ref().item_refs(key),
            self.store_ref().item_refs(NO_ITEM),
        ) else {
            return Ok(None);
        };
        let own = seqs.len();
        seqs.extend_from_slice(&general);
        seqs.sort_unstable();
        seqs.dedup();
        if seqs.len() != own + general.len() || seqs.last().is_some_and(|s| *s >= self.len()) {
            return Ok(None);
        }
        let mut fold = HistoryFold::default();
        let mut out = Vec::new();
        let mut folded: Option<u64> = None;
        for seq in seqs {
            // Inside a batch recorded with the clock behind, the events of other items in between say
            // whether the batch goes on (it is rare, and read only up to the batch's end).
            if let Some(last) = folded
                && fold.in_clock_behind_batch()
            {
                for between in last + 1..seq {
                    if !fold.pass_over(&self.event(between)?.event) {
                        break;
                    }
                }
            }
            folded = Some(seq);
            let e = self.event(seq)?;
            let c = &e.event.change;
            if e.event.seq != seq {
                return Ok(None);
            }
            match c.item() {
                // Another item under the same index key (ids share keys): not this item's.
                Some(other) if other != item && other.index_key() == key => {
                    fold.pass_over(&e.event);
                    continue;
                }
                Some(other) if other != item => return Ok(None),
                _ => {}
            }
            // The item-local fold needs the items this one refers to (the item it re-lists, is placed
            // after or is merged into) to exist: a placeholder stands for them (history reads only this
            // item's fields).
            let refs: Vec<&ItemId> = match c {
                Change::ItemRegistered {
                    relisting_of,
                    after,
                    ..
                } => relisting_of.iter().chain(after.iter()).collect(),
                Change::ItemAmended {
                    relisting_of,
                    after,
                    ..
                } => relisting_of
                    .iter()
                    .flatten()
                    .chain(after.iter().flatten())
                    .collect(),
                Change::ItemMerged { into, .. } => vec![into],
                _ => Vec::new(),
            };
            for of in refs {
                fold.state
                    .items
                    .entry(of.clone())
                    .or_insert_with(|| crate::domain::state::Item {
                        id: of.clone(),
                        title: String::new(),
                        department: String::new(),
                        category: String::new(),
                        relisting_of: None,
                        withdrawn: false,
                        from: None,
                        after: None,
                        merged: None,
                    });
            }
            if let Err(refused) = fold.step(&e.event, &mut |h| out.push(h)) {
                // The item-local fold lacks the other items: an event of no item that needs them (a
                // department's submission, a publication's digest) is refused here and left out (it
                // changes none of this item's fields). A refusal of this item's own event means the
                // index is wrong: fold the whole log.
                let own_department = match c {
                    Change::Submitted { department, .. } => fold
                        .state
                        .items
                        .get(item)
                        .is_some_and(|i| crate::domain::ident::same(&i.department, department)),
                    _ => false,
                };
                // Its own department's submission concerns it, and the local fold cannot tell what
                // the department's other items did: the whole log decides.
                if c.item().is_some() || own_department {
                    let _ = refused;
                    return Ok(None);
                }
            }
        }
        Ok(Some(out))
    }

    fn fold_history(&self, f: &mut dyn FnMut(HistoryEntry)) -> Result<()> {
        let mut fold = HistoryFold::default();
        self.scan(0, u64::MAX, &mut |e| {
            fold.step(&e.event, f)
                .map_err(|r| IntegrityError::RuleBroken {
                    seq: e.event.seq,
                    why: r,
                })?;
            Ok(true)
        })
    }
}

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

fn ser_period<S: serde::Serializer>(p: &Option<Period>, s: S) -> Result<S::Ok, S::Error> {
    match p {
        Some(p) => s.serialize_str(&p.id()),
        None => s.serialize_none(),
    }
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

/// The value of `merged_into`, as the table's JSON gives it: `{"id", "number" (numeric ids), "from"}`.
fn merged_json(into: &ItemId, from: Period) -> Value {
    let mut v = serde_json::json!({"id": into.as_str(), "from": from.id()});
    if let Some(n) = into.number() {
        v["number"] = Value::from(n);
    }
    v
}

fn id_or_null(id: Option<&ItemId>) -> Value {
    id.map_or(Value::Null, |id| match id.number() {
        Some(n) => Value::from(n),
        None => Value::String(id.to_string()),
    })
}

fn text_or_null(s: &str) -> Value {
    if s.is_empty() {
        Value::Null
    } else {
        Value::String(s.to_string())
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

/// Who set one current value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlameEntry {
    /// The item (JSON: `item`, its number for a numeric id, and `item_id`).
    #[serde(flatten)]
    pub item: ItemRef,
    /// The period (for cell fields).
    #[serde(serialize_with = "ser_period")]
    pub period: Option<Period>,
    /// The field.
    pub field: &'static str,
    /// The current value.
    pub value: Value,
    /// The event that set it.
    pub seq: u64,
    /// When (ns since the epoch; in JSON RFC 3339 in the shown zone, Japan time by default).
    #[serde(serialize_with = "when::serialize_shown")]
    pub recorded_at: i64,
    /// Who.
    pub author: String,
    /// Why.
    pub reason: String,
}

fn entry_of(
    item: &ItemId,
    period: Option<Period>,
    field: &'static str,
    value: Value,
    s: &Setter,
) -> BlameEntry {
    BlameEntry {
        item: ItemRef(item.clone()),
        period,
        field,
        value,
        seq: s.seq,
        recorded_at: s.recorded_at,
        author: s.author.clone(),
        reason: s.reason.clone(),
    }
}

/// For every cell of the snapshot's table (ratings of every shown period, or of `period` only; flag and
/// remark of the latest shown period, or of `period`), who set its current value.
pub fn blame(snap: &Snapshot, period: Option<Period>) -> Vec<BlameEntry> {
    let view = crate::views::table(&snap.state, snap.as_of);
    let periods: Vec<Period> = match period {
        Some(p) => vec![p],
        None => view.period_values.clone(),
    };
    let flag_period = period.or(view.latest);
    let mut out = Vec::new();
    for row in &view.items {
        let n = &row.id;
        for p in &periods {
            let cell = snap.state.cell(n, *p);
            if let (Some(g), Some(s)) = (
                &cell.rating,
                snap.provenance.fields.get(&Field::Rating(n.clone(), *p)),
            ) {
                out.push(entry_of(n, Some(*p), "rating", Value::String(g.clone()), s));
            }
            if snap.state.is_excluded(n, *p)
                && let Some(s) = snap.provenance.fields.get(&Field::Exclusion(n.clone(), *p))
            {
                out.push(entry_of(n, Some(*p), "not_evaluated", Value::Bool(true), s));
            }
        }
        if let Some(p) = flag_period {
            let cell = snap.state.cell(n, p);
            if let Some(s) = snap.provenance.fields.get(&Field::FollowUp(n.clone(), p)) {
                out.push(entry_of(
                    n,
                    Some(p),
                    "follow_up",
                    Value::Bool(cell.follow_up),
                    s,
                ));
            }
            if let Some(s) = snap.provenance.fields.get(&Field::Remark(n.clone(), p))
                && !cell.remark.is_empty()
            {
                out.push(entry_of(
                    n,
                    Some(p),
                    "remark",
                    Value::String(cell.remark.clone()),
                    s,
                ));
            }
        }
    }
    out
}

/// One cell that differs between two points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffEntry {
    /// The item (JSON: `item`, its number for a numeric id, and `item_id`).
    #[serde(flatten)]
    pub item: ItemRef,
    /// The period (for cell fields).
    #[serde(serialize_with = "ser_period")]
    pub period: Option<Period>,
    /// The field.
    pub field: &'static str,
    /// The value at the first point.
    pub from: Value,
    /// The value at the second point.
    pub to: Value,
    /// The event that last changed the field at the second point (or the first, if only it has one).
    pub seq: Option<u64>,
    /// When it was recorded (ns since the epoch; in JSON RFC 3339 in the shown zone, Japan time by default).
    #[serde(serialize_with = "when::serialize_shown_opt")]
    pub recorded_at: Option<i64>,
    /// Who recorded it.
    pub author: Option<String>,
    /// Why.
    pub reason: Option<String>,
}

/// Every field value of a snapshot, keyed for comparison.
type Fields = BTreeMap<(ItemId, Option<Period>, &'static str), (Value, Field)>;

/// Every field value of a snapshot, keyed for comparison.
fn cells(snap: &Snapshot) -> Fields {
    let mut m = Fields::new();
    for (n, item) in &snap.state.items {
        let mut put = |field: &'static str, v: Value, f: Field| {
            m.insert((n.clone(), None, field), (v, f));
        };
        if item.withdrawn {
            put("status", "withdrawn".into(), Field::Status(n.clone()));
        }
        put(
            "title",
            Value::String(item.title.clone()),
            Field::Title(n.clone()),
        );
        put(
            "department",
            Value::String(item.department.clone()),
            Field::Department(n.clone()),
        );
        put(
            "category",
            Value::String(item.category.clone()),
            Field::Category(n.clone()),
        );
        if let Some(r) = &item.relisting_of {
            put(
                "relisting_of",
                id_or_null(Some(r)),
                Field::Relisting(n.clone()),
            );
        }
        if let Some(f) = item.from {
            put("from", Value::String(f.id()), Field::From(n.clone()));
        }
        if let Some(a) = &item.after {
            put("after", id_or_null(Some(a)), Field::After(n.clone()));
        }
        if let Some((into, from)) = &item.merged {
            put(
                "merged_into",
                merged_json(into, *from),
                Field::Merge(n.clone()),
            );
        }
    }
    for ((n, p), cell) in snap.state.cells() {
        if snap.as_of.is_some_and(|a| p > a) {
            continue;
        }
        let mut put = |field: &'static str, v: Value, f: Field| {
            m.insert((n.clone(), Some(p), field), (v, f));
        };
        if let Some(g) = cell.rating {
            put(
                "rating",
                Value::String(g.to_string()),
                Field::Rating(n.clone(), p),
            );
        }
        if cell.follow_up {
            put(
                "follow_up",
                Value::Bool(true),
                Field::FollowUp(n.clone(), p),
            );
        }
        if !cell.remark.is_empty() {
            put(
                "remark",
                Value::String(cell.remark.to_string()),
                Field::Remark(n.clone(), p),
            );
        }
    }
    for (n, p) in &snap.state.excluded {
        if snap.as_of.is_some_and(|a| *p > a) {
            continue;
        }
        m.insert(
            (n.clone(), Some(*p), "not_evaluated"),
            (Value::Bool(true), Field::Exclusion(n.clone(), *p)),
        );
    }
    m
}

/// Every field that differs between two snapshots, with who last changed it and why.
pub fn diff(from: &Snapshot, to: &Snapshot) -> Vec<DiffEntry> {
    let a = cells(from);
    let b = cells(to);
    let keys: BTreeSet<_> = a.keys().chain(b.keys()).cloned().collect();
    let mut out = Vec::new();
    for key in keys {
        let va = a.get(&key);
        let vb = b.get(&key);
        let (fa, fb) = (va.map(|v| &v.0), vb.map(|v| &v.0));
        if fa == fb {
            continue;
        }
        let absent = |f: &str| {
            if f == "follow_up" || f == "not_evaluated" {
                Value::Bool(false)
            } else {
                Value::Null
            }
        };
        let field = va.or(vb).map(|v| v.1.clone());
        let setter = field.and_then(|f| {
            to.provenance
                .fields
                .get(&f)
                .or_else(|| from.provenance.fields.get(&f))
        });
        out.push(DiffEntry {
            item: ItemRef(key.0.clone()),
            period: key.1,
            field: key.2,
            from: fa.cloned().unwrap_or_else(|| absent(key.2)),
            to: fb.cloned().unwrap_or_else(|| absent(key.2)),
            seq: setter.map(|s| s.seq),
            recorded_at: setter.map(|s| s.recorded_at),
            author: setter.map(|s| s.author.clone()),
            reason: setter.map(|s| s.reason.clone()),
        });
    }
    out
}
