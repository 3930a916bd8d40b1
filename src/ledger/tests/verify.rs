//! `verify` on two threads: the first damaged event named in any batch, the reader's events at their
//! place, and a crash or a hang-up of either thread neither hanging nor escaping.

use super::*;
use crate::domain::item_id::ItemId;

/// A ledger like [`ledger`] with `n` ratings appended in one batch: quick to make with many events.
/// They go through the 422 periods of fiscal years 1989 to 2199, then again with the other grade.
fn long_ledger(n: usize) -> (tempfile::TempDir, Ledger) {
    let (d, mut l) = ledger(0);
    let changes: Vec<Change> = (0..n)
        .map(|i| Change::RatingRecorded {
            item: ItemId::from_number(1),
            period: Period {
                fiscal_year: 1989 + (i % 211) as u16,
                part: [Part::FirstHalf, Part::YearEnd][(i / 211) % 2],
            },
            grade: ["A", "B"][(i / 422) % 2].into(),
        })
        .collect();
    l.append(&meta(2), &changes).unwrap();
    (d, l)
}

#[test]
fn verify_names_the_first_damaged_event_in_any_batch() {
    // Several of verify's batches: a batch dropped, repeated or checked out of order, or an event
    // checked against the wrong bytes, changes what is reported.
    let b = VERIFY_BATCH as u64;
    let (_d, mut l) = long_ledger(3 * VERIFY_BATCH + 100);
    let n = l.len();
    let mut calls = Vec::new();
    let report = l
        .verify(&mut |done, total| calls.push((done, total)))
        .unwrap();
    assert_eq!((report.events, report.root), (n, l.tree_root(n).unwrap()));
    assert_eq!(calls, [(0, n), (n, n)]);
    // The derived data is left out of the checks below, which concern the events.
    l.derived = Derived::Absent;
    for seq in [1, b - 1, b, b + 1, 2 * b, 3 * b - 1, 3 * b, n - 2, n - 1] {
        let good = l.event_bytes(seq).unwrap();
        tamper(&mut l, seq, |b| b[AUTHOR_AT] ^= 0x01);
        let e = verify_err(&l);
        assert_eq!((e.kind(), e.seq()), ("hash_mismatch", Some(seq)), "{e}");
        tamper(&mut l, seq, |b| *b = good.clone());
        tamper(&mut l, seq, |b| b[12] ^= 0xff);
        let e = verify_err(&l);
        assert_eq!((e.kind(), e.seq()), ("broken_link", Some(seq)), "{e}");
        tamper(&mut l, seq, |b| *b = good.clone());
        tamper(&mut l, seq, |b| b.push(0));
        let e = verify_err(&l);
        assert_eq!((e.kind(), e.seq()), ("undecodable", Some(seq)), "{e}");
        tamper(&mut l, seq, |b| *b = good.clone());
    }
    l.verify(&mut |_, _| {}).unwrap();
    // Two damaged events: the first in the log's order is reported, whichever batch holds the other.
    for (first, second) in [(b, 3 * b + 1), (2 * b - 1, 2 * b + 2), (5, n - 1)] {
        let goods = [first, second].map(|s| l.event_bytes(s).unwrap());
        tamper(&mut l, second, |b| b.push(0));
        tamper(&mut l, first, |b| b[AUTHOR_AT] ^= 0x01);
        let e = verify_err(&l);
        assert_eq!((e.kind(), e.seq()), ("hash_mismatch", Some(first)), "{e}");
        for (s, good) in [first, second].into_iter().zip(goods) {
            tamper(&mut l, s, |b| *b = good);
        }
    }
    l.verify(&mut |_, _| {}).unwrap();
}

#[test]
fn events_prepared_by_verify_s_reader_are_those_at_their_place() {
    let (_d, l) = ledger(9);
    let mut batch = Batch::default();
    for seq in 0..l.len() {
        batch.push(seq, &l.event_bytes(seq).unwrap());
    }
    assert!(batch.prepare_some(2));
    assert!(batch.prepare_some(5));
    assert!(!batch.prepare_some(100));
    assert_eq!(batch.prepared, batch.events.len());
    for (seq, e) in (0..).zip(&batch.events) {
        let (stored, leaf) = e.ready.as_ref().unwrap().as_ref().unwrap();
        assert_eq!((e.seq, stored), (seq, &l.event(seq).unwrap()));
        assert_eq!(*leaf, merkle::leaf_hash(&stored.hash));
    }
}

/// A store whose scan panics when it reaches `panic_at`.
struct PanickyStore {
    inner: SledStore,
    panic_at: u64,
}

impl Store for PanickyStore {
    fn committed(&self) -> StoreResult<Option<Committed>> {
        self.inner.committed()
    }
    fn scan_events(
        &self,
        from: u64,
        to: u64,
        f: &mut dyn FnMut(u64, &[u8]) -> StoreResult<bool>,
    ) -> StoreResult<()> {
        self.inner.scan_events(from, to, &mut |seq, bytes| {
            assert!(seq != self.panic_at, "scan crashed at {seq}");
            f(seq, bytes)
        })
    }
    fn tree_hashes(&self, indexes: &[u64]) -> StoreResult<Vec<Hash>> {
        self.inner.tree_hashes(indexes)
    }
    fn writer(&mut self) -> StoreResult<Box<dyn StoreWriter + '_>> {
        self.inner.writer()
    }
    fn derived_meta(&self) -> StoreResult<Option<Vec<u8>>> {
        self.inner.derived_meta()
    }
    fn journal_generation(&self) -> StoreResult<Option<u64>> {
        self.inner.journal_generation()
    }
    fn scan_item_refs(&self, f: &mut dyn FnMut(u32, u64) -> StoreResult<bool>) -> StoreResult<()> {
        self.inner.scan_item_refs(f)
    }
    fn snapshot_at_or_before(&self, seq: u64) -> StoreResult<Option<(u64, Vec<u8>)>> {
        self.inner.snapshot_at_or_before(seq)
    }
    fn snapshot_seqs(&self) -> StoreResult<Vec<u64>> {
        self.inner.snapshot_seqs()
    }
}

fn panicky(l: Ledger, panic_at: u64) -> Ledger<PanickyStore> {
    let Ledger {
        dir,
        store,
        committed,
        head,
        last_recorded_at,
        cache,
        derived,
        new_interval,
        writable,
        log_key,
        signed_size,
        anchor,
        anchor_writer,
        _lock,
    } = l;
    Ledger {
        dir,
        store: store.map_inner(|inner| PanickyStore { inner, panic_at }),
        committed,
        head,
        last_recorded_at,
        cache,
        derived,
        new_interval,
        writable,
        log_key,
        signed_size,
        anchor,
        anchor_writer,
        _lock,
    }
}

#[test]
fn a_crash_of_either_verify_thread_neither_hangs_nor_escapes() {
    let b = VERIFY_BATCH as u64;
    let (_d, mut l) = long_ledger(4 * VERIFY_BATCH);
    // The reader crashes: an error, after the events it handed on were checked.
    let good = l.event_bytes(b + 3).unwrap();
    tamper(&mut l, b + 3, |b| b[AUTHOR_AT] ^= 0x01);
    let mut l = panicky(l, 3 * b + 7);
    match l.verify(&mut |_, _| {}) {
        Err(Error::Integrity(e)) => {
            assert_eq!((e.kind(), e.seq()), ("hash_mismatch", Some(b + 3)))
        }
        other => panic!("{other:?}"),
    }
    l.store_mut()
        .unwrap()
        .inner
        .tamper_event(b + 3, &good)
        .unwrap();
    match l.verify(&mut |_, _| {}) {
        Err(Error::Integrity(e @ IntegrityError::StoreUnreadable(_))) => {
            let at = format!("scan crashed at {}", 3 * b + 7);
            assert!(e.to_string().contains(&at), "{e}")
        }
        other => panic!("{other:?}"),
    }
    // The checking thread (the caller's) crashes: the panic reaches the caller, and the reader stops.
    l.store_mut().unwrap().panic_at = u64::MAX;
    let crash = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        l.verify(&mut |_, _| panic!("progress crashed"))
    }));
    assert!(crash.is_err());
    assert_eq!(l.verify(&mut |_, _| {}).unwrap().events, l.len());
}

#[test]
fn verify_s_reader_stops_when_the_checker_hangs_up() {
    // A queue of one batch: the reader blocks on it, and must return once the checker is gone.
    let (_d, l) = long_ledger(4 * VERIFY_BATCH);
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let (_back_tx, back_rx) = std::sync::mpsc::channel();
    let queued = AtomicUsize::new(0);
    let (store, total, queued) = (&l.store, l.len(), &queued);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || read_for_verify(store, total, &tx, queued, &back_rx));
        let first: Batch = rx.recv().unwrap();
        assert_eq!(first.events.len(), VERIFY_BATCH);
        // The second batch fills the queue; the reader prepares the third and sends it.
        while queued.load(Ordering::Relaxed) < 3 {
            std::thread::yield_now();
        }
        drop(rx);
        assert!(reader.join().unwrap().is_none());
    });
}
