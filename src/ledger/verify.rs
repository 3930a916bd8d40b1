//! `Ledger::verify`: the whole chain, the rules, the Merkle tree, the anchors and the derived data
//! recomputed from the stored bytes, on two threads (a reader scans the store and hands batches on;
//! this thread checks them in the log's order, so failures are reported as by one pass).

use std::sync::atomic::{AtomicUsize, Ordering};

use super::chain::Chain;
use super::head::read_head;
use super::read::{check_position, decode_at};
use super::{Ledger, VerifyReport, anchoring::anchor_name};
use crate::domain::event::{self, Event, Hash, StoredEvent};
use crate::domain::item_id::ItemId;
use crate::domain::state::State;
use crate::error::{AnchorDamage, Error, HeadDamage, IntegrityError, IoDoing, Result};
use crate::ledger::anchor;
use crate::ledger::derived::{self, Derived};
use crate::ledger::signing::{self, KeyRing, Prechecked};
use crate::store::{Store, StoreDamage, StoreError};
use crate::tlog::merkle;

impl<S: Store> Ledger<S> {
    /// Recomputes the whole chain, the domain rules and the Merkle tree, and checks them against the
    /// head record. `progress` is called with (events checked, total) now and then.
    ///
    /// Two threads share the work: a reader scans the store and hands the events' stored bytes on in
    /// batches, and this thread checks them in order. Decoding and hashing an event depend on nothing
    /// else, so either thread does them: the reader while this thread has work queued, this thread
    /// otherwise. The first failure in the log's order is reported, as by a single pass.
    pub fn verify(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<VerifyReport>
    where
        S: Sync,
    {
        let total = self.committed.events;
        let head =
            read_head(&self.dir)?.ok_or(IntegrityError::HeadRecordDamaged(HeadDamage::Missing))?;
        if head.events > total {
            return Err(IntegrityError::StoreBehindHead {
                store: total,
                head: head.events,
            }
            .into());
        }
        // The anchors, each compared with the root recomputed from the events at its size.
        let mut anchors: Vec<(u64, Hash, &str)> = Vec::new();
        if let Some(r) = anchor::read_anchor(&self.dir)? {
            let signed = r.signature.is_some()
                && match anchor::log_key(&self.dir)? {
                    Some(k) => r.signed_by(&self.origin()?, &k),
                    None => false,
                };
            anchors.push((r.size, r.root, anchor_name(signed)));
        } else if head.anchored {
            return Err(IntegrityError::AnchorRecordDamaged(AnchorDamage::Missing).into());
        }
        if let Some(cp) = anchor::signed_anchor(&self.dir)? {
            anchors.push((cp.size, cp.root, "the checkpoint signed with the log key"));
        }
        for &(size, _, by) in &anchors {
            if size > total {
                return Err(IntegrityError::AnchoredEventsMissing {
                    ledger: total,
                    anchored: size,
                    by: by.into(),
                }
                .into());
            }
        }
        let mut anchor_failure: Option<IntegrityError> = None;
        // The chain's rules, the state and the Merkle root, checked as the events come (the one checker
        // of the chain, as for an export and a restore).
        let mut chain = Chain::default();
        // The log key kept in the directory (LOGKEY, the copy kept when people were enabled) is pinned:
        // the ledger's people must begin with it (a damaged LOGKEY is reported below, not pinned).
        if let Ok(Some(key)) = anchor::log_key(&self.dir) {
            chain.pin(vec![key.to_text()]);
        }
        // Derived data, recomputed while folding: the index entries, and each snapshot compared as it
        // comes (the state is only at hand then). Reported after the events' own checks.
        let every = match self.derived {
            Derived::Every(k) => Some(k),
            Derived::Absent | Derived::Damaged => None,
        };
        let mut derived_err: Option<IntegrityError> = match self.derived {
            Derived::Damaged => Some(IntegrityError::IndexMismatch {
                detail: "the store's derived-data record is unreadable".into(),
            }),
            _ => None,
        };
        let mut expected_refs: std::collections::BTreeMap<u32, Vec<u64>> = Default::default();
        // The seq of the next event.
        let mut expected = 0u64;
        // The keys the people events record, learnt as the events are prepared: each thread verifies
        // the signatures of the events it prepares with them (see `Keys`).
        let keys = Keys::default();
        // Checks the next event: event `seq`, with its stored `bytes`, decoded and hashed if `ready`
        // (and its signature verified ahead if `pre`).
        let mut check = |seq: u64,
                         bytes: &[u8],
                         ready: Option<&Prepared>,
                         pre: Option<&Prechecked>|
         -> Result<()> {
            let local;
            let mut local_pre = None;
            let (e, leaf) = match ready {
                Some(p) => p,
                None => {
                    local = prepare(seq, bytes);
                    if let Ok((e, _)) = &local {
                        local_pre = keys.precheck(bytes, &e.event);
                    }
                    &local
                }
            }
            .as_ref()
            .map_err(Clone::clone)?;
            check_position(&e.event, seq, expected)?;
            expected += 1;
            chain.push_prechecked(e, bytes, leaf, pre.or(local_pre.as_ref()))?;
            if let Some(k) = every {
                expected_refs
                    .entry(
                        e.event
                            .change
                            .item()
                            .map_or(derived::NO_ITEM, ItemId::index_key),
                    )
                    .or_default()
                    .push(seq);
                if derived_err.is_none()
                    && chain.rule_broken().is_none()
                    && (seq + 1).is_multiple_of(k)
                {
                    derived_err = self.check_snapshot(seq, &e.hash, chain.state()).err();
                }
            }
            for &(size, root, by) in &anchors {
                if size == seq + 1 && anchor_failure.is_none() && chain.root() != root {
                    anchor_failure = Some(IntegrityError::AnchorRootMismatch {
                        size,
                        by: by.into(),
                    });
                }
            }
            if seq.is_multiple_of(65_536) {
                progress(seq, total);
            }
            Ok(())
        };
        // Batches sent and not yet received: the checker's work ahead.
        let queued = AtomicUsize::new(0);
        let store_failure = std::thread::scope(|scope| -> Result<Option<StoreError>> {
            let (tx, rx) = std::sync::mpsc::sync_channel(VERIFY_QUEUE);
            let (back_tx, back_rx) = std::sync::mpsc::channel();
            let (store, queued, keys) = (&self.store, &queued, &keys);
            let reader = std::thread::Builder::new()
                .name("hyoka-verify-reader".into())
                .spawn_scoped(scope, move || {
                    read_for_verify_with(store, total, &tx, queued, &back_rx, Some(keys))
                })
                .map_err(Error::io(IoDoing::StartVerifyThread))?;
            let checked = rx.iter().try_for_each(|batch| -> Result<()> {
                queued.fetch_sub(1, Ordering::Relaxed);
                let mut start = 0;
                for e in &batch.events {
                    check(
                        e.seq,
                        &batch.bytes[start..e.end],
                        e.ready.as_ref(),
                        e.pre.as_ref(),
                    )?;
                    start = e.end;
                }
                // Back to the reader, to be reused; it frees the events it decoded.
                let _ = back_tx.send(batch);
                Ok(())
            });
            // After a failure here, the reader stops when it next hands on a batch.
            drop(rx);
            let read = reader.join();
            checked?;
            read.map_err(|panic| {
                IntegrityError::StoreUnreadable(StoreDamage::ReaderStopped(
                    panic_message(panic.as_ref()).to_string(),
                ))
                .into()
            })
        })?;
        if let Some(e) = store_failure {
            return Err(self.scan_err(e, expected));
        }
        // The last event did not link: the commit record tells which side changed.
        chain.check_last_link(Some(&self.committed.head_hash))?;
        if let Some(seq) = chain.len().checked_sub(1) {
            let h = chain.head();
            if h != self.committed.head_hash {
                return Err(IntegrityError::HashMismatch {
                    seq,
                    recorded_by: "the store's commit record".into(),
                }
                .into());
            }
            if head.events == total && head.hash != h {
                return Err(IntegrityError::HashMismatch {
                    seq,
                    recorded_by: "the head record".into(),
                }
                .into());
            }
        }
        if let Some(e) = chain.rule_broken() {
            return Err(e.clone().into());
        }
        let root = chain.root();
        let stored_root = self.tree_root(total)?;
        if root != stored_root {
            return Err(IntegrityError::StoreUnreadable(StoreDamage::TreeDiffers).into());
        }
        if let Some(e) = anchor_failure {
            return Err(e.into());
        }
        if let Some(e) = derived_err {
            return Err(e.into());
        }
        if let Some(k) = every {
            self.check_derived(k, total, &expected_refs)?;
        }
        progress(total, total);
        Ok(VerifyReport {
            events: total,
            head_hash: self.committed.head_hash,
            root,
            vouched: self.vouched(),
        })
    }
}

/// Events in a batch handed from `verify`'s reader to its checker.
pub(super) const VERIFY_BATCH: usize = 1024;
/// Batches queued at most between `verify`'s reader and its checker. With the batch each holds and those
/// sent back to be reused, this bounds verify's memory (about 1.5 MB a batch of 600-byte events).
pub(super) const VERIFY_QUEUE: usize = 8;
/// The reader prepares the events of a batch before handing it on while the checker has at least this
/// many batches queued.
pub(super) const VERIFY_AHEAD: usize = 2;
/// Events the reader prepares between two looks at the queue.
const VERIFY_STEP: usize = 32;

/// Event `seq` decoded and hashed from its stored bytes, with its Merkle leaf hash.
pub(super) type Prepared = Result<(StoredEvent, Hash), IntegrityError>;

/// What `verify` does to each event on either thread.
pub(super) fn prepare(seq: u64, bytes: &[u8]) -> Prepared {
    let event = decode_at(seq, bytes)?;
    let hash = event::event_hash(&event.prev_hash, bytes);
    Ok((StoredEvent { event, hash }, merkle::leaf_hash(&hash)))
}

/// An event in a [`Batch`].
pub(super) struct Stored {
    /// Its position in the store.
    pub(super) seq: u64,
    /// The end of its stored bytes in the batch's `bytes` (they start where the previous event's end).
    pub(super) end: usize,
    /// The event, if the reader prepared it.
    pub(super) ready: Option<Prepared>,
    /// Its signature verified with the key its key id names, if the reader prepared it and knew the
    /// key.
    pub(super) pre: Option<Prechecked>,
}

/// The keys of a ledger's people, learnt by `verify`'s two threads from the events each prepares (every
/// event is prepared by one of them), so that each verifies the signatures of the events it prepares:
/// the costliest part of checking an event of a ledger with people (an Ed25519 verification: 50-100 µs,
/// over ten times the rest) is then shared by both cores like decoding and hashing. The checker still checks, in the log's order, that the key was
/// the author's current key ([`signing::check_prechecked`]). An event signed by a key not learnt yet
/// (recorded in an event the other thread is still to prepare) is checked from scratch there.
#[derive(Default)]
pub(super) struct Keys(std::sync::RwLock<KeyRing>);

impl Keys {
    /// Learns the key `e` records, if any, then verifies its signature if it is signed by a key learnt.
    pub(super) fn precheck(&self, stored: &[u8], e: &Event) -> Option<Prechecked> {
        if KeyRing::records_a_key(&e.change) {
            self.0
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .learn(&e.change);
        }
        e.signature.as_ref()?;
        let keys = self
            .0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        signing::precheck(&keys, stored, e)
    }
}

/// Consecutive events, as `verify`'s reader hands them on.
#[derive(Default)]
pub(super) struct Batch {
    /// The events' stored bytes, one after another.
    pub(super) bytes: Vec<u8>,
    pub(super) events: Vec<Stored>,
    /// How many events, from the first, the reader prepared.
    pub(super) prepared: usize,
}

impl Batch {
    pub(super) fn push(&mut self, seq: u64, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
        self.events.push(Stored {
            seq,
            end: self.bytes.len(),
            ready: None,
            pre: None,
        });
    }

    /// Prepares up to `n` more events, without keys; false once all are.
    #[cfg(test)]
    pub(super) fn prepare_some(&mut self, n: usize) -> bool {
        self.prepare_some_with(n, None)
    }

    /// Prepares up to `n` more events, verifying their signatures ahead with `keys` if given; false
    /// once all are.
    pub(super) fn prepare_some_with(&mut self, n: usize, keys: Option<&Keys>) -> bool {
        let mut start = match self.prepared.checked_sub(1) {
            Some(i) => self.events[i].end,
            None => 0,
        };
        for e in self.events.iter_mut().skip(self.prepared).take(n) {
            let bytes = &self.bytes[start..e.end];
            let ready = prepare(e.seq, bytes);
            if let (Some(keys), Ok((stored, _))) = (keys, &ready) {
                e.pre = keys.precheck(bytes, &stored.event);
            }
            e.ready = Some(ready);
            start = e.end;
            self.prepared += 1;
        }
        self.prepared < self.events.len()
    }

    /// Empties the batch for reuse, keeping its allocations.
    pub(super) fn clear(&mut self) {
        self.bytes.clear();
        self.events.clear();
        self.prepared = 0;
    }
}

/// [`read_for_verify_with`] without keys.
#[cfg(test)]
pub(super) fn read_for_verify<S: Store>(
    store: &S,
    total: u64,
    tx: &std::sync::mpsc::SyncSender<Batch>,
    queued: &AtomicUsize,
    back: &std::sync::mpsc::Receiver<Batch>,
) -> Option<StoreError> {
    read_for_verify_with(store, total, tx, queued, back, None)
}

/// `verify`'s reader: scans the events `0..total` and hands their stored bytes on `tx`, in order and in
/// batches, until the end, a store failure (returned) or the checker hangs up. The events it prepares
/// have their signatures verified ahead with `keys`, if given.
///
/// Batches come back on `back` to be reused, so the events prepared here are also freed here, by the
/// thread that allocated them (freeing them on the other thread makes both contend for the allocator).
pub(super) fn read_for_verify_with<S: Store>(
    store: &S,
    total: u64,
    tx: &std::sync::mpsc::SyncSender<Batch>,
    queued: &AtomicUsize,
    back: &std::sync::mpsc::Receiver<Batch>,
    keys: Option<&Keys>,
) -> Option<StoreError> {
    let mut batch = Batch::default();
    let mut hung_up = false;
    let r = store.scan_events(0, total, &mut |seq, bytes| {
        batch.push(seq, bytes);
        if batch.events.len() == VERIFY_BATCH {
            let mut next = back.try_recv().unwrap_or_default();
            next.clear();
            hung_up = !hand_on(tx, queued, std::mem::replace(&mut batch, next), keys);
        }
        Ok(!hung_up)
    });
    if !hung_up && !batch.events.is_empty() {
        // This fails only if the checker hung up, and then it reports its own failure.
        hand_on(tx, queued, batch, keys);
    }
    r.err()
}

/// Sends `batch` on `tx`, after preparing its events (with `keys`, if given) while the checker has
/// [`VERIFY_AHEAD`] batches queued (`queued`) to work on meanwhile. False if the checker hung up.
pub(super) fn hand_on(
    tx: &std::sync::mpsc::SyncSender<Batch>,
    queued: &AtomicUsize,
    mut batch: Batch,
    keys: Option<&Keys>,
) -> bool {
    while queued.load(Ordering::Relaxed) >= VERIFY_AHEAD
        && batch.prepare_some_with(VERIFY_STEP, keys)
    {}
    queued.fetch_add(1, Ordering::Relaxed);
    tx.send(batch).is_ok()
}

/// The message of a caught panic.
pub(super) fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("no message")
}

impl<S: Store> Ledger<S> {
    /// Compares the stored snapshot after event `seq` with the state recomputed from the log.
    fn check_snapshot(&self, seq: u64, hash: &Hash, state: &State) -> Result<(), IntegrityError> {
        let mismatch = |detail: String| IntegrityError::SnapshotMismatch { seq, detail };
        let expected = derived::encode_snapshot(seq, hash, state).map_err(mismatch)?;
        match self.store.snapshot_at_or_before(seq) {
            Ok(Some((s, bytes))) if s == seq => match bytes == expected
                || (derived::is_v1_snapshot(&bytes)
                    && derived::decode_snapshot(&bytes)
                        .is_some_and(|(s, h, st)| s == seq && h == *hash && st == *state))
            {
                true => Ok(()),
                false => Err(mismatch(
                    "its bytes differ from the state recomputed from the log".into(),
                )),
            },
            Ok(_) => Err(mismatch("it is missing".into())),
            Err(e) => Err(mismatch(format!("it is unreadable: {e}"))),
        }
    }

    /// Checks that the stored snapshots are exactly those due, and the stored index is `expected`.
    fn check_derived(
        &self,
        every: u64,
        total: u64,
        expected: &std::collections::BTreeMap<u32, Vec<u64>>,
    ) -> Result<(), IntegrityError> {
        let seqs = self.store.snapshot_seqs().map_err(|e| match e {
            StoreError::Damaged(d) | StoreError::Missing(d) | StoreError::FileMissing(d) => {
                IntegrityError::StoreUnreadable(d)
            }
            e => IntegrityError::StoreUnreadable(StoreDamage::Other(e.to_string())),
        })?;
        for s in seqs {
            if s >= total || !(s + 1).is_multiple_of(every) {
                return Err(IntegrityError::SnapshotMismatch {
                    seq: s,
                    detail: "a snapshot is stored where none belongs".into(),
                });
            }
        }
        let mut stored: std::collections::BTreeMap<u32, Vec<u64>> = Default::default();
        self.store
            .scan_item_refs(&mut |item, seq| {
                stored.entry(item).or_default().push(seq);
                Ok(true)
            })
            .map_err(|e| IntegrityError::IndexMismatch {
                detail: format!("it is unreadable: {e}"),
            })?;
        let items: std::collections::BTreeSet<u32> =
            stored.keys().chain(expected.keys()).copied().collect();
        let none = Vec::new();
        for item in items {
            let (a, b) = (
                stored.get(&item).unwrap_or(&none),
                expected.get(&item).unwrap_or(&none),
            );
            if a != b {
                let first = a
                    .iter()
                    .zip(b)
                    .position(|(x, y)| x != y)
                    .unwrap_or(a.len().min(b.len()));
                let at = |v: &Vec<u64>| v.get(first).map_or("none".to_string(), u64::to_string);
                let who = match item {
                    derived::NO_ITEM => "the events of no item".to_string(),
                    n => format!("item {n}"),
                };
                return Err(IntegrityError::IndexMismatch {
                    detail: format!(
                        "{who}: the index lists {} events, the log has {}; entry {first} is event {} in the index, {} in the log",
                        a.len(),
                        b.len(),
                        at(a),
                        at(b)
                    ),
                });
            }
        }
        Ok(())
    }
}
