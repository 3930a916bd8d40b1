//! The one write path: every event enters a ledger through [`write_batch`], whether a `create`, an
//! `append` (and so an import, which creates or appends) or a restore records it.
//!
//! Why: what a ledger holds beside each event (its Merkle tree hashes, its index entry, the snapshots
//! that end an interval, the derived-data record of a new store) must be the same whichever command
//! wrote the event, so that a restored ledger is the ledger that was exported, hash for hash. Only where
//! the events come from differs, and so how each is checked before it is stored ([`Check`]): a new
//! change is checked against the current state and encoded here ([`NewChanges`]); a recorded event (a
//! restore) is checked by [`Chain`], the one checker of the chain's rules, and stored verbatim.
//! Invariants:
//!
//! - A batch is atomic: its events, tree hashes and derived data reach the store in one commit; an
//!   error from the producer, a check or the store abandons the writer, and nothing is recorded.
//! - Every event is checked before it is stored: a new change by the identifier rules
//!   ([`State::admit`]) then the domain rules ([`State::apply`]), and a `clock.behind` event only as
//!   the first of a batch whose clock is behind; a recorded event by [`Chain::push`].
//! - Derived data is kept by stores that have it and started by a store's first commit, which records
//!   the snapshot interval ([`super::Access::snapshot_interval`]); a store without it never gets it.
//! - The head record is updated, and the commit anchored, by the caller after the commit: the store
//!   holds the events first (see the ledger's module doc).

use std::path::Path;

use super::chain::Chain;
use super::derived::{self, Derived};
use super::signing;
use super::tree::push_leaf;
use super::{ClockBehind, Ledger, Meta, Produce, Receipt, check_meta};
use crate::domain::event::{self, Change, Hash};
use crate::domain::item_id::ItemId;
use crate::domain::state::{Refused, Rule, State};
use crate::error::{Error, Result};
use crate::store::{Committed, Store, StoreError, StoreWriter};

impl<S: Store> Ledger<S> {
    /// Appends `changes` as one atomic, durable batch, after checking each against the current state.
    /// On any refusal or error nothing is recorded.
    pub fn append(&mut self, meta: &Meta, changes: &[Change]) -> Result<Receipt> {
        self.append_iter(meta, &mut changes.iter().cloned().map(Ok))
    }

    /// Like [`Ledger::append`] for a stream of changes: each is checked, encoded and handed to the store
    /// as it comes, so memory stays bounded for any batch size. The batch is still atomic: an error from
    /// the stream, a refused change or a store failure abandons it and nothing is recorded.
    ///
    /// The batch is recorded at `meta.recorded_at`, or at the last event's time if that is later (a
    /// clock set back, or an event recorded by a clock that ran ahead): the batch then begins with a
    /// [`Change::ClockBehind`] event holding `meta.recorded_at`, and the receipt says so. Times never
    /// decrease, and no recorded time ever makes the ledger unwritable.
    pub fn append_iter(
        &mut self,
        meta: &Meta,
        changes: &mut dyn Iterator<Item = Result<Change>>,
    ) -> Result<Receipt> {
        self.append_with(meta, &mut |push| {
            for change in &mut *changes {
                push(change?)?;
            }
            Ok(())
        })
    }

    /// Like [`Ledger::append_iter`] for a producer that pushes its changes: `produce` is called once
    /// with the function that checks, encodes and stores one change. An error from either abandons
    /// the batch. (An import decides its changes in a loop over the file: it pushes them as it goes.)
    pub fn append_with(&mut self, meta: &Meta, produce: &mut Produce<'_>) -> Result<Receipt> {
        self.check_writable()?;
        check_meta(meta)?;
        let clock = meta.recorded_at;
        let (recorded_at, behind) = match self.last_recorded_at {
            Some(last) if clock < last => (last, true),
            _ => (clock, false),
        };
        self.current()?;
        // The cached state is updated in place rather than cloned: a clone costs O(state) per append
        // (most of a single append's time on a large ledger). `State::apply` leaves the state untouched
        // when it refuses a change, so if no change was applied the cache is put back as it was; once one
        // was, any failure drops the cache and the next use folds it again from the log.
        let state = self
            .cache
            .take()
            .ok_or_else(|| Error::Internal("no state".into()))?;
        let first_seq = self.committed.events;
        let version = match first_seq {
            0 => event::SCHEMA_VERSION,
            _ => self.event(0)?.event.version,
        };
        let mut new = NewChanges {
            meta,
            version,
            recorded_at,
            first_seq,
            behind,
            state,
            applied: false,
        };
        let written = write_batch(
            &mut self.store,
            &self.dir,
            self.committed,
            self.derived,
            self.new_interval,
            &mut new,
            &mut |push| {
                if behind {
                    push(Change::ClockBehind { clock })?;
                }
                produce(push)
            },
        );
        let NewChanges { state, applied, .. } = new;
        let (committed, derived) = match written {
            Ok(w) => w,
            Err(e) => {
                if !applied {
                    self.cache = Some(state);
                }
                return Err(e);
            }
        };
        let seq = committed.events;
        self.committed = committed;
        self.derived = derived;
        self.last_recorded_at = Some(recorded_at);
        self.cache = Some(state);
        self.update_head()
            .map_err(|e| Error::Unsettled(crate::error::Unsettled::Head { why: e.to_string() }))?;
        if self.anchors_every_commit() && !self.store.defers_sync() {
            self.anchor_commit().map_err(|e| {
                Error::Unsettled(crate::error::Unsettled::Anchor {
                    first: first_seq,
                    last: seq - 1,
                    why: e.to_string(),
                })
            })?;
        }
        let first_change = first_seq + u64::from(behind);
        Ok(Receipt {
            first_seq: first_change,
            count: seq - first_change,
            head_hash: committed.head_hash,
            clock_behind: behind.then_some(ClockBehind {
                seq: first_seq,
                clock,
                recorded_at,
            }),
        })
    }
}

/// What one event adds to a batch, once checked: its stored bytes, its hash and the item it concerns.
pub(super) struct Checked {
    bytes: Vec<u8>,
    hash: Hash,
    item: Option<u32>,
}

/// How the write path checks the events of a batch before it stores them.
pub(super) trait Check {
    /// What a producer hands on for one event.
    type Input;

    /// Checks `input` as event `seq`, after the event whose hash is `prev`. Once it returned, the
    /// state ([`Check::state`]) is the state after that event.
    fn check(&mut self, seq: u64, prev: &Hash, input: Self::Input) -> Result<Checked>;

    /// The state after the events checked so far (for the snapshots).
    fn state(&self) -> &State;

    /// Refuses a batch whose events end before `end` if it records nothing.
    fn end(&self, end: u64) -> Result<()>;
}

/// New changes recorded by `meta` at `recorded_at` (an append's, a create's): each is checked against
/// the state after the last event, which it updates, and encoded here.
pub(super) struct NewChanges<'a> {
    meta: &'a Meta,
    /// The ledger's event schema version (that of its event 0).
    version: u16,
    recorded_at: i64,
    first_seq: u64,
    /// Whether the batch begins with a `clock.behind` event (the only place one may be).
    behind: bool,
    state: State,
    /// Whether a change other than `clock.behind` was applied to `state`.
    applied: bool,
}

impl Check for NewChanges<'_> {
    type Input = Change;

    fn check(&mut self, seq: u64, prev: &Hash, change: Change) -> Result<Checked> {
        if matches!(change, Change::ClockBehind { .. }) && !(self.behind && seq == self.first_seq) {
            return Err(Refused::Rule(Rule::ClockBehindGiven).into());
        }
        // The rules for what is written from now on (identifiers), then the domain rules.
        let change = self.state.admit(change)?;
        if !self.meta.new_point {
            self.state.check_new_point(&change)?;
        }
        event::check_version(self.version, &change).map_err(Refused::Version1)?;
        // In a ledger with people: the author may record it, and signs it with their current key.
        self.state.authorize(&self.meta.author, &change)?;
        signing::check_keys(&change).map_err(Refused::Rule)?;
        let signer = match signing::must_be_signed(&self.state, &change) {
            false => None,
            true => {
                let want = signing::signer_vkey(&self.state, &self.meta.author, &change)
                    .map_err(Refused::Rule)?;
                let key = self.meta.signer.as_ref().ok_or_else(|| {
                    Error::Unsigned(crate::error::Unsigned::NoKey {
                        author: self.meta.author.clone(),
                    })
                })?;
                if key.0.verifier().to_text() != want {
                    return Err(Error::Unsigned(crate::error::Unsigned::NotCurrent {
                        author: self.meta.author.clone(),
                    }));
                }
                Some(key.clone())
            }
        };
        self.state.apply(&change)?;
        // A clock.behind event changes nothing: the state is still the cached one.
        self.applied |= !matches!(change, Change::ClockBehind { .. });
        let item = change.item().map(ItemId::index_key);
        let mut e = self
            .meta
            .event(self.version, seq, *prev, self.recorded_at, change);
        let bytes = match &signer {
            Some(key) => signing::sign(&mut e, &key.0)?,
            None => event::encode(&e)?,
        };
        Ok(Checked {
            hash: event::event_hash(prev, &bytes),
            bytes,
            item,
        })
    }

    fn state(&self) -> &State {
        &self.state
    }

    fn end(&self, end: u64) -> Result<()> {
        match end == self.first_seq + u64::from(self.behind) {
            true => Err(Error::Invalid(crate::error::Invalid::NothingToRecord)),
            false => Ok(()),
        }
    }
}

/// The stored bytes of recorded events (a restore's), in order from event 0: each is checked by the
/// chain's rules and stored verbatim, so that the ledger rebuilt has the same hashes and root.
impl Check for Chain {
    type Input = Vec<u8>;

    fn check(&mut self, seq: u64, _prev: &Hash, bytes: Vec<u8>) -> Result<Checked> {
        debug_assert_eq!(seq, self.len(), "a chain is written from event 0");
        let e = self.push(&bytes)?;
        Ok(Checked {
            item: e.event.change.item().map(ItemId::index_key),
            hash: e.hash,
            bytes,
        })
    }

    fn state(&self) -> &State {
        Chain::state(self)
    }

    fn end(&self, _end: u64) -> Result<()> {
        Ok(())
    }
}

/// Records one batch in `store` (of the ledger in `dir`, named in errors), which holds `at` and
/// `derived`: opens a writer, starts derived data if the store is new (recording `new_interval`), then
/// calls `produce` with the function that checks one event (`check`) and stores it with its tree
/// hashes and derived data, and commits. Returns what the store then holds, and its derived data.
pub(super) fn write_batch<T: Store, C: Check>(
    store: &mut T,
    dir: &Path,
    at: Committed,
    derived: Derived,
    new_interval: u64,
    check: &mut C,
    produce: &mut Produce<'_, C::Input>,
) -> Result<(Committed, Derived)> {
    let store_err = |e: StoreError| Error::from_store(e, dir);
    // Derived data: kept by stores that have it, started by a store's first commit.
    let (every, start) = match derived {
        Derived::Every(k) => (Some(k), false),
        Derived::Absent if at.events == 0 => (Some(new_interval), true),
        _ => (None, false),
    };
    let mut writer = store.writer().map_err(store_err)?;
    if let (true, Some(k)) = (start, every) {
        writer
            .push_derived_meta(&Derived::record(k))
            .map_err(store_err)?;
    }
    let (mut seq, mut prev) = (at.events, at.head_hash);
    produce(&mut |input| {
        let e = check.check(seq, &prev, input)?;
        writer.push_event(&e.bytes).map_err(store_err)?;
        push_leaf(writer.as_mut(), seq, &e.hash).map_err(store_err)?;
        if let Some(k) = every {
            push_derived(writer.as_mut(), k, seq, e.item, &e.hash, check.state())
                .map_err(store_err)?;
        }
        prev = e.hash;
        seq += 1;
        Ok(())
    })?;
    check.end(seq)?;
    let committed = writer.commit(prev).map_err(store_err)?;
    let derived = match (start, every) {
        (true, Some(k)) => Derived::Every(k),
        _ => derived,
    };
    Ok((committed, derived))
}

/// Adds event `seq`'s derived data: its index entry, and the snapshot of `state` (the state after it) if
/// it ends an interval of `every` events.
fn push_derived(
    w: &mut dyn StoreWriter,
    every: u64,
    seq: u64,
    item: Option<u32>,
    hash: &Hash,
    state: &State,
) -> Result<(), StoreError> {
    w.push_item_ref(item.unwrap_or(derived::NO_ITEM), seq)?;
    if (seq + 1).is_multiple_of(every) {
        w.push_snapshot_with(seq, &mut |out| {
            derived::write_snapshot(seq, hash, state, out)
        })?;
    }
    Ok(())
}
