//! Reading a ledger: its events (one, or a range in order) and the states they fold into.
//!
//! Why: every view is a fold over the events; this is where they are read back from the store and
//! folded, from the latest usable snapshot rather than from event 0 when the store keeps snapshots.
//! Invariants:
//!
//! - What is read is checked as it is read: an event decodes, is the one stored at its place (its seq),
//!   and its hash is computed from the stored bytes, never taken from the store.
//! - A snapshot is trusted only if it decodes, is stored under its own seq and records the hash of the
//!   event it follows; otherwise the fold starts from an earlier one or from event 0 (and `verify`
//!   reports it). A state read through snapshots equals the state folded from event 0.
//! - The current state is derived from the log and kept in memory only ([`Ledger::current`]); nothing
//!   here writes.

use super::Ledger;
use super::derived::{self, Derived};
use crate::domain::event::{self, Change, Event, StoredEvent};
use crate::domain::state::{Refused, Rule, State};
use crate::error::{Error, IntegrityError, Result};
use crate::store::{Store, StoreError};

impl<S: Store> Ledger<S> {
    /// The ledger's origin, from its first event (the plan definition).
    pub fn origin(&self) -> Result<String> {
        match self.read_one(0)?.event.change {
            Change::PlanDefined { origin, .. } => Ok(origin),
            _ => Err(IntegrityError::RuleBroken {
                seq: 0,
                why: Refused::Rule(Rule::FirstIsPlan),
            }
            .into()),
        }
    }

    /// The stored bytes of one event.
    pub fn event_bytes(&self, seq: u64) -> Result<Vec<u8>> {
        self.store.event(seq).map_err(|e| self.store_err(e))
    }

    /// One event, decoded, with its hash computed from the stored bytes.
    pub fn event(&self, seq: u64) -> Result<StoredEvent> {
        self.read_one(seq)
    }

    pub(super) fn read_one(&self, seq: u64) -> Result<StoredEvent> {
        let bytes = self.event_bytes(seq)?;
        let event =
            event::decode(&bytes).map_err(|e| IntegrityError::Undecodable { seq, why: e })?;
        Ok(StoredEvent {
            hash: event::event_hash(&event.prev_hash, &bytes),
            event,
        })
    }

    /// Calls `f` for each event with seq in `from..to` (clamped to the ledger), in order, until it
    /// returns `false`. Events are decoded; their hashes computed from the stored bytes.
    pub fn scan(
        &self,
        from: u64,
        to: u64,
        f: &mut dyn FnMut(&StoredEvent) -> Result<bool>,
    ) -> Result<()> {
        self.scan_with_bytes(from, to, &mut |e, _| f(e))
    }

    /// Like [`Ledger::scan`], also handing `f` each event's stored bytes (for exports).
    pub fn scan_with_bytes(
        &self,
        from: u64,
        to: u64,
        f: &mut dyn FnMut(&StoredEvent, &[u8]) -> Result<bool>,
    ) -> Result<()> {
        let to = to.min(self.committed.events);
        let mut failure: Option<Error> = None;
        let mut expected = from;
        let r = self.store.scan_events(from, to, &mut |seq, bytes| {
            let stored = match stored_event(seq, expected, bytes) {
                Ok(e) => e,
                Err(e) => {
                    failure = Some(e.into());
                    return Ok(false);
                }
            };
            expected += 1;
            match f(&stored, bytes) {
                Ok(go_on) => Ok(go_on),
                Err(e) => {
                    failure = Some(e);
                    Ok(false)
                }
            }
        });
        if let Some(e) = failure {
            return Err(e);
        }
        r.map_err(|e| self.scan_err(e, expected))
    }

    /// A store error that ended a scan of the events, `expected` being the seq it was to hand on next.
    pub(super) fn scan_err(&self, e: StoreError, expected: u64) -> Error {
        match e {
            StoreError::Missing(m) => IntegrityError::MissingSeq {
                expected,
                detail: crate::error::SeqFound::Store(m),
            }
            .into(),
            e => self.store_err(e),
        }
    }

    /// The latest usable snapshot for a fold of the events `0..to`: the state after event `s` and `s + 1`,
    /// or an empty state and 0. A snapshot is used only if it decodes, is stored under its own seq and
    /// records the hash of the event it follows; otherwise it is ignored (and `verify` reports it).
    pub(super) fn base_state(&self, to: u64) -> (State, u64) {
        if matches!(self.derived, Derived::Every(_))
            && to > 0
            && let Ok(Some((s, bytes))) = self.store.snapshot_at_or_before(to - 1)
            && let Some((seq, hash, state)) = derived::decode_snapshot(&bytes)
            && seq == s
            && s < self.committed.events
            && let Ok(e) = self.read_one(s)
            && e.event.seq == s
            && e.hash == hash
        {
            return (state, s + 1);
        }
        (State::default(), 0)
    }

    /// The state after the events `0..=last_seq` (all events when `None`), from the latest checked
    /// snapshot at or before it plus the events after it.
    pub fn state_through(&self, last_seq: Option<u64>) -> Result<State> {
        let to = last_seq.map_or(self.committed.events, |s| s.saturating_add(1));
        let (mut state, from) = self.base_state(to);
        self.fold_onto(&mut state, from, to)?;
        Ok(state)
    }

    /// The state after the events `0..=last_seq` folded from event 0, ignoring snapshots: the
    /// reference that the snapshot path is checked and measured against.
    pub fn state_through_full_fold(&self, last_seq: Option<u64>) -> Result<State> {
        let to = last_seq.map_or(self.committed.events, |s| s.saturating_add(1));
        let mut state = State::default();
        self.fold_onto(&mut state, 0, to)?;
        Ok(state)
    }

    fn fold_onto(&self, state: &mut State, from: u64, to: u64) -> Result<()> {
        self.scan(from, to, &mut |e| {
            state
                .apply(&e.event.change)
                .map_err(|r| IntegrityError::RuleBroken {
                    seq: e.event.seq,
                    why: r,
                })?;
            Ok(true)
        })
    }

    /// What the store holds of derived data.
    pub fn derived(&self) -> Derived {
        self.derived
    }

    /// The current state and who set each of its values, in one pass over the log.
    pub fn state_and_provenance(&self) -> Result<(State, crate::domain::provenance::Provenance)> {
        self.state_and_provenance_before(u64::MAX)
    }

    /// The state and who set each of its values after the events before seq `end`, in one pass over
    /// the log (a broken rule is an integrity failure).
    pub fn state_and_provenance_before(
        &self,
        end: u64,
    ) -> Result<(State, crate::domain::provenance::Provenance)> {
        let mut state = State::default();
        let mut prov = crate::domain::provenance::Provenance::default();
        self.scan(0, end, &mut |e| {
            state
                .apply(&e.event.change)
                .map_err(|r| IntegrityError::RuleBroken {
                    seq: e.event.seq,
                    why: r,
                })?;
            prov.apply(&e.event, &state);
            Ok(true)
        })?;
        Ok((state, prov))
    }

    /// The current state.
    pub fn state(&self) -> Result<State> {
        self.state_through(None)
    }

    /// The current state, folded from the log once per open ledger and kept up to date by appends
    /// (derived, never written back).
    pub fn current(&mut self) -> Result<&State> {
        if self.cache.is_none() {
            self.cache = Some(self.state()?);
        }
        self.cache
            .as_ref()
            .ok_or_else(|| Error::Internal("no state".into()))
    }
}

/// Decodes the stored bytes of event `seq` and hashes them, `expected` being the seq that must come next.
fn stored_event(seq: u64, expected: u64, bytes: &[u8]) -> Result<StoredEvent, IntegrityError> {
    let event = decode_at(seq, bytes)?;
    check_position(&event, seq, expected)?;
    Ok(StoredEvent {
        hash: event::event_hash(&event.prev_hash, bytes),
        event,
    })
}

/// Decodes the stored bytes of event `seq`.
pub(super) fn decode_at(seq: u64, bytes: &[u8]) -> Result<Event, IntegrityError> {
    event::decode(bytes).map_err(|e| IntegrityError::Undecodable { seq, why: e })
}

/// Checks that `event`, found at position `seq` of the store, is the one `expected` there.
pub(super) fn check_position(event: &Event, seq: u64, expected: u64) -> Result<(), IntegrityError> {
    if event.seq != seq || seq != expected {
        return Err(IntegrityError::MissingSeq {
            expected,
            detail: crate::error::SeqFound::AtPosition {
                found: event.seq,
                position: seq,
            },
        });
    }
    Ok(())
}
