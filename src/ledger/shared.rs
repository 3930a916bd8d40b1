//! Group commit: one ledger shared by several threads, whose appends share their syncs.
//!
//! A [`Ledger`] appends one batch at a time and makes each durable before it returns (one journal
//! record and one `fdatasync` for a small batch). Threads that share a ledger behind a `Mutex` each pay
//! for their own sync, in turn. A [`SharedLedger`] instead checks, encodes and writes each thread's
//! batch under its lock, but syncs outside it: a thread waits until a sync covers its record, and one
//! `fdatasync` covers every record written before it started, so under load many appends share one
//! sync. Each batch is still atomic and acknowledged only once durable.
//!
//! The time of each batch is read from the shared clock while the lock is held, so recorded times
//! follow the order of the log whatever order the threads reach the lock in.
//!
//! If a sync fails, the records written since the last good sync may be lost: every waiting append
//! and every later call fails, and the ledger must be opened again (what is on disk is then all there
//! is). Reads through [`SharedLedger::read`] may see a batch whose sync is still running: a batch is
//! visible to the threads of this process before it is acknowledged, never to another process.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use crate::domain::event::Change;
use crate::error::{Error, Result};
use crate::ledger::signing::Signer;
use crate::ledger::{Ledger, Meta, Receipt};
use crate::store::journal::SyncPoint;

/// A ledger shared by threads, with group commit (see the module documentation).
pub struct SharedLedger {
    ledger: Mutex<Ledger>,
    /// The ledger's directory, for errors.
    dir: PathBuf,
    sync: SyncPoint,
    clock: Box<dyn Fn() -> i64 + Send + Sync>,
}

impl SharedLedger {
    /// Shares `ledger`; each batch is recorded at the time `clock` gives (nanoseconds since the epoch,
    /// UTC), read under the lock.
    pub fn new(
        mut ledger: Ledger,
        clock: impl Fn() -> i64 + Send + Sync + 'static,
    ) -> Result<Self> {
        let sync = ledger.journal_sync_point()?;
        ledger.defer_journal_sync(true);
        Ok(SharedLedger {
            dir: ledger.dir().to_path_buf(),
            ledger: Mutex::new(ledger),
            sync,
            clock: Box::new(clock),
        })
    }

    fn lock(&self) -> Result<MutexGuard<'_, Ledger>> {
        self.ledger
            .lock()
            .map_err(|_| Error::Invalid(crate::error::Invalid::Poisoned))
    }

    fn sync_err(&self, e: crate::store::StoreError) -> Error {
        Error::from_store(e, &self.dir)
    }

    /// Appends `changes` as one atomic batch recorded by `author` for `reason`, and returns once it is
    /// durable. Like [`Ledger::append`], nothing is recorded if any change is refused.
    pub fn append(&self, author: &str, reason: &str, changes: &[Change]) -> Result<Receipt> {
        self.append_signed(author, reason, None, changes)
    }

    /// As [`SharedLedger::append`], signed with `signer` (in a ledger with people, the author's current
    /// key; the server's signed-in person's).
    pub fn append_signed(
        &self,
        author: &str,
        reason: &str,
        signer: Option<Signer>,
        changes: &[Change],
    ) -> Result<Receipt> {
        self.append_from(author, reason, signer, None, changes)
    }

    /// As [`SharedLedger::append_signed`], the events naming the file they come from (an import's
    /// `source`: the file's name and BLAKE3).
    pub fn append_from(
        &self,
        author: &str,
        reason: &str,
        signer: Option<Signer>,
        source: Option<crate::domain::event::Source>,
        changes: &[Change],
    ) -> Result<Receipt> {
        // A failed sync refuses everything after it.
        self.sync.wait_durable(0).map_err(|e| self.sync_err(e))?;
        let (receipt, ticket, anchors) = {
            let mut l = self.lock()?;
            let meta = Meta {
                author: author.to_string(),
                reason: reason.to_string(),
                source,
                recorded_at: (self.clock)(),
                new_point: false,
                signer,
            };
            let receipt = l.append(&meta, changes)?;
            (receipt, self.sync.written(), l.anchors_every_commit())
        };
        self.sync
            .wait_durable(ticket)
            .map_err(|e| self.sync_err(e))?;
        // An anchor covers durable events only: this batch's, once its sync is done (a later batch of
        // another thread may still be syncing).
        if anchors {
            let mut l = self.lock()?;
            l.anchor_through(receipt.first_seq + receipt.count)?;
        }
        Ok(receipt)
    }

    /// Reads the ledger under its lock (it may include batches whose sync is still running).
    pub fn read<T>(&self, f: impl FnOnce(&Ledger) -> T) -> Result<T> {
        Ok(f(&*self.lock()?))
    }

    /// Runs `f` on the ledger's current state (the state after the last batch written, whose sync may
    /// still be running), under its lock.
    pub fn current<T>(&self, f: impl FnOnce(&crate::domain::state::State) -> T) -> Result<T> {
        let mut l = self.lock()?;
        Ok(f(l.current()?))
    }

    /// The ledger back, once everything appended through it is durable.
    pub fn into_inner(self) -> Result<Ledger> {
        let ticket = self.sync.written();
        self.sync
            .wait_durable(ticket)
            .map_err(|e| self.sync_err(e))?;
        let mut l = self
            .ledger
            .into_inner()
            .map_err(|_| Error::Invalid(crate::error::Invalid::Poisoned))?;
        l.defer_journal_sync(false);
        Ok(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::period::{Part, Period};
    use crate::ledger::Access;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    fn new_ledger(dir: &std::path::Path) -> Ledger {
        let meta = Meta {
            author: "山田".into(),
            reason: "計画".into(),
            source: None,
            recorded_at: 1,
            new_point: false,
            signer: None,
        };
        let plan = Change::PlanDefined {
            name: "p".into(),
            grades: vec!["S".into(), "A".into(), "B".into()],
            default_era: None,
            origin: "example/plan".into(),
            cadence: Default::default(),
            years: None,
        };
        let mut more = vec![Change::CategoryAdded { name: "c".into() }];
        for number in 1..=4 {
            more.push(Change::ItemRegistered {
                id: number.into(),
                title: format!("item {number}"),
                department: "d".into(),
                category: "c".into(),
                relisting_of: None,
                from: None,
                after: None,
            });
        }
        Ledger::create(dir, &meta, plan, &more, Access::default()).unwrap()
    }

    fn remark(item: u32, text: String) -> Change {
        Change::RemarkSet {
            item: item.into(),
            period: Period {
                fiscal_year: 2015,
                part: Part::FirstHalf,
            },
            text,
        }
    }

    #[test]
    fn anchors_cover_only_synced_batches_and_end_covering_all() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("l");
        let mut l = new_ledger(&dir);
        l.set_anchoring(true).unwrap();
        let tick = Arc::new(AtomicI64::new(1_000));
        let clock = {
            let tick = Arc::clone(&tick);
            move || tick.fetch_add(1, Ordering::Relaxed)
        };
        let shared = Arc::new(SharedLedger::new(l, clock).unwrap());
        let handles: Vec<_> = (0..3u32)
            .map(|t| {
                let shared = Arc::clone(&shared);
                std::thread::spawn(move || {
                    for m in 0..10u32 {
                        let r = shared
                            .append("t", "並行", &[remark(1 + t, format!("{t}-{m}"))])
                            .unwrap();
                        // Once acknowledged, the batch is anchored (by this thread or a later one).
                        let v = shared.read(|l| l.vouched()).unwrap();
                        assert!(v.events >= r.first_seq + r.count, "{v:?} {r:?}");
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let l = Arc::into_inner(shared).unwrap().into_inner().unwrap();
        let len = l.len();
        drop(l);
        let l = Ledger::open(&dir, Access::default()).unwrap();
        assert_eq!(l.vouched().events, len);
        l.verify(&mut |_, _| {}).unwrap();
    }

    #[test]
    fn threads_share_syncs_and_lose_nothing() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("l");
        let l = new_ledger(&dir);
        let before = l.len();
        let tick = Arc::new(AtomicI64::new(1_000));
        let clock = {
            let tick = Arc::clone(&tick);
            move || tick.fetch_add(1, Ordering::Relaxed)
        };
        let shared = Arc::new(SharedLedger::new(l, clock).unwrap());
        let (threads, each) = (4u32, 30u32);
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let shared = Arc::clone(&shared);
                std::thread::spawn(move || {
                    let mut seqs = Vec::new();
                    for m in 0..each {
                        let r = shared
                            .append("t", "並行", &[remark(1 + t, format!("{t}-{m}"))])
                            .unwrap();
                        seqs.push(r.first_seq);
                    }
                    seqs
                })
            })
            .collect();
        let mut seqs: Vec<u64> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        seqs.sort();
        let total = u64::from(threads * each);
        assert_eq!(seqs, (before..before + total).collect::<Vec<_>>());
        // A refused change fails alone.
        let refused = shared.append("t", "r", &[remark(99, "x".into())]);
        assert!(refused.is_err());
        assert_eq!(shared.read(|l| l.len()).unwrap(), before + total);
        let l = Arc::into_inner(shared).unwrap().into_inner().unwrap();
        drop(l);
        // Everything acknowledged is on disk, in order, and verifies.
        let l = Ledger::open(&dir, Access::default()).unwrap();
        assert_eq!(l.len(), before + total);
        l.verify(&mut |_, _| {}).unwrap();
        let mut texts = std::collections::BTreeSet::new();
        let mut last = 0;
        l.scan(before, u64::MAX, &mut |e| {
            assert!(e.event.recorded_at > last);
            last = e.event.recorded_at;
            if let Change::RemarkSet { text, .. } = &e.event.change {
                texts.insert(text.clone());
            }
            Ok(true)
        })
        .unwrap();
        assert_eq!(texts.len() as u64, total);
    }

    #[test]
    fn a_clock_that_goes_back_is_recorded_at_the_last_time_with_a_clock_behind_event() {
        let d = tempfile::tempdir().unwrap();
        let l = new_ledger(&d.path().join("l"));
        let before = l.len();
        let times = Arc::new(Mutex::new(vec![5_000, 4_000, 6_000].into_iter()));
        let clock = move || times.lock().unwrap().next().unwrap_or(i64::MAX);
        let shared = SharedLedger::new(l, clock).unwrap();
        let first = shared.append("a", "r", &[remark(1, "a".into())]).unwrap();
        assert_eq!(first.clock_behind, None);
        let behind = shared.append("a", "r", &[remark(1, "b".into())]).unwrap();
        assert_eq!(
            behind.clock_behind,
            Some(crate::ledger::ClockBehind {
                seq: before + 1,
                clock: 4_000,
                recorded_at: 5_000,
            })
        );
        assert_eq!((behind.first_seq, behind.count), (before + 2, 1));
        shared.append("a", "r", &[remark(1, "c".into())]).unwrap();
        let l = shared.into_inner().unwrap();
        assert_eq!(l.len(), before + 4);
        let times: Vec<(i64, &str)> = (before..l.len())
            .map(|s| {
                let e = l.event(s).unwrap().event;
                (e.recorded_at, e.change.kind())
            })
            .collect();
        assert_eq!(
            times,
            [
                (5_000, "remark.set"),
                (5_000, "clock.behind"),
                (5_000, "remark.set"),
                (6_000, "remark.set")
            ]
        );
        l.verify(&mut |_, _| {}).unwrap();
    }
}
