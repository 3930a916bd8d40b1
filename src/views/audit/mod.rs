//! Audit views and the two time axes.
//!
//! *Transaction time* is the log: the ledger as it stood after event N ([`Selection::through`]), or after
//! every event recorded at or before a time (a prefix of the log, because recorded times never decrease).
//! *Valid time* is the evaluation period: the table as of a period shows only the periods up to it. A
//! [`Snapshot`] combines both; history, blame and diff are folds over the log like every other view,
//! each in its own file: `history.rs` (the fold and its entries), `blame.rs`, `diff.rs`; `value.rs`
//! gives a cell's value as their JSON does.

use crate::domain::event::Change;
use crate::domain::item_id::ItemId;
use crate::domain::period::{Era, Period};
use crate::domain::provenance::Provenance;
use crate::domain::state::State;
use crate::domain::when;
use crate::error::{Error, IntegrityError, Result};
use crate::ledger::Ledger;
use crate::ledger::derived::{Derived, NO_ITEM};
use crate::store::Store;
use history::{HistoryEntry, HistoryFold};

pub mod blame;
pub mod diff;
pub mod history;
mod value;

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
        self.changes_where(&mut |h| h.correction || !h.old.is_null())
    }

    /// Every change in the ledger that `keep` keeps (first values at a new point as much as
    /// corrections), in log order: one fold of the log, holding only what is kept.
    pub fn changes_where(
        &self,
        keep: &mut dyn FnMut(&HistoryEntry) -> bool,
    ) -> Result<Vec<HistoryEntry>> {
        let mut out = Vec::new();
        self.fold_history(&mut |h| {
            if keep(&h) {
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
