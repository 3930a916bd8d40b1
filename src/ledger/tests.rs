//! Tests of the ledger: tampering caught by open and verify, crash traces rolled forward, the Merkle
//! tree's roots and proofs, refused batches, times, derived data, restore and verify's two threads.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::head::{HEAD_FILE, HeadRecord, head_text, parse_head, write_head};
use super::verify::{Batch, VERIFY_BATCH, read_for_verify};
use super::*;
use crate::domain::event;
use crate::domain::period::{Half, Period};
use crate::error::IntegrityError;
use crate::store::StoreResult;
use crate::store::StoreWriter;
use crate::tlog::merkle;

fn meta(at: i64) -> Meta {
    Meta {
        author: "山田".into(),
        reason: "評価".into(),
        source: None,
        recorded_at: at,
    }
}

fn plan() -> Change {
    Change::PlanDefined {
        name: "plan".into(),
        grades: vec!["S".into(), "A".into(), "B".into()],
        default_era: None,
        origin: "example/plan".into(),
    }
}

/// A ledger with `n` rating events after the plan, heading and item (3 + n events).
fn ledger(n: usize) -> (tempfile::TempDir, Ledger) {
    ledger_with(n, Access::default())
}

/// Like [`ledger`], created with `access`.
fn ledger_with(n: usize, access: Access) -> (tempfile::TempDir, Ledger) {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::create(
        &dir.path().join("l"),
        &meta(1),
        plan(),
        &[
            Change::CategoryAdded { name: "c".into() },
            Change::ItemRegistered {
                number: 1,
                title: "t".into(),
                department: "d".into(),
                category: "c".into(),
                relisting_of: None,
            },
        ],
        access,
    )
    .unwrap();
    for i in 0..n {
        let change = Change::RatingRecorded {
            item: 1,
            period: Period {
                fiscal_year: 2014 + i as u16,
                half: Half::FirstHalf,
            },
            grade: "A".into(),
        };
        l.append(&meta(2 + i as i64), &[change]).unwrap();
    }
    (dir, l)
}

fn tamper(l: &mut Ledger, seq: u64, edit: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = l.event_bytes(seq).unwrap();
    edit(&mut bytes);
    l.store_mut().unwrap().tamper_event(seq, &bytes).unwrap();
}

fn verify_err(l: &Ledger) -> IntegrityError {
    match l.verify(&mut |_, _| {}) {
        Err(Error::Integrity(e)) => e,
        other => panic!("expected an integrity failure, got {other:?}"),
    }
}

/// Offset of the author string's first byte (after version, seq, prev_hash, recorded_at, length).
const AUTHOR_AT: usize = 2 + 8 + 32 + 8 + 8;

#[test]
fn edited_bytes_are_named_at_every_position() {
    for seq in [0u64, 1, 4, 7, 9] {
        let (_d, mut l) = ledger(7);
        tamper(&mut l, seq, |b| b[AUTHOR_AT] ^= 0x01);
        let e = verify_err(&l);
        assert_eq!(e.seq(), Some(seq), "{e}");
        assert_eq!(e.kind(), "hash_mismatch", "{e}");
    }
}

#[test]
fn an_edited_link_is_a_broken_link() {
    let (_d, mut l) = ledger(5);
    tamper(&mut l, 4, |b| b[12] ^= 0xff);
    let e = verify_err(&l);
    assert_eq!((e.kind(), e.seq()), ("broken_link", Some(4)), "{e}");
    let (_d, mut l) = ledger(1);
    tamper(&mut l, 0, |b| b[12] = 1);
    assert_eq!(verify_err(&l), IntegrityError::BadGenesis);
}

#[test]
fn garbage_and_trailing_bytes_are_undecodable() {
    let (_d, mut l) = ledger(3);
    tamper(&mut l, 2, |b| b.push(0));
    let e = verify_err(&l);
    assert_eq!((e.kind(), e.seq()), ("undecodable", Some(2)), "{e}");
    assert!(e.to_string().contains("trailing bytes"), "{e}");
}

#[test]
fn a_recomputed_chain_is_caught_by_the_head_record() {
    // Rewrite the last event and recompute its hash into the store's commit record: only the
    // independent head record still knows the acknowledged hash.
    let (d, mut l) = ledger(3);
    let last = l.len() - 1;
    let mut bytes = l.event_bytes(last).unwrap();
    bytes[AUTHOR_AT] ^= 1;
    let prev = l.event(last).unwrap().event.prev_hash;
    l.store_mut().unwrap().tamper_event(last, &bytes).unwrap();
    let c = l.store.committed().unwrap().unwrap();
    l.store_mut()
        .unwrap()
        .tamper_commit(Committed {
            head_hash: event::event_hash(&prev, &bytes),
            ..c
        })
        .unwrap();
    drop(l);
    match Ledger::open(&d.path().join("l"), Access::default()) {
        Err(Error::Integrity(IntegrityError::HeadMismatch { seq })) => assert_eq!(seq, last),
        other => panic!("{:?}", other.map(|_| ())),
    }
}

#[test]
fn a_crash_between_store_commit_and_head_record_rolls_forward() {
    let (d, mut l) = ledger(2);
    let dir = d.path().join("l");
    let old_head = std::fs::read(dir.join(HEAD_FILE)).unwrap();
    l.append(&meta(100), &[Change::ItemWithdrawn { number: 1 }])
        .unwrap();
    // The engine takes the journal, and the process dies before the head record is written.
    l.store.settle().unwrap();
    let n = l.len();
    drop(l);
    std::fs::write(dir.join(HEAD_FILE), &old_head).unwrap();
    let l = Ledger::open(&dir, Access::default()).unwrap();
    assert_eq!(l.len(), n);
    assert_eq!(l.verify(&mut |_, _| {}).unwrap().events, n);
    let head = parse_head(&std::fs::read_to_string(dir.join(HEAD_FILE)).unwrap()).unwrap();
    assert_eq!(head.events, n);
}

#[test]
fn the_stored_root_matches_a_streaming_recomputation() {
    let (_d, l) = ledger(40);
    let mut mem = merkle::MemoryHashes::new();
    let mut hashes = Vec::new();
    l.scan(0, u64::MAX, &mut |e| {
        hashes.push(e.hash);
        Ok(true)
    })
    .unwrap();
    for (i, h) in hashes.iter().enumerate() {
        mem.append_leaf(merkle::leaf_hash(h)).unwrap();
        let size = i as u64 + 1;
        assert_eq!(
            l.tree_root(size).unwrap(),
            merkle::tree_hash(size, &mem).unwrap()
        );
    }
    assert_eq!(
        l.verify(&mut |_, _| {}).unwrap().root,
        l.tree_root(l.len()).unwrap()
    );
}

#[test]
fn proofs_from_the_stored_hashes_verify() {
    let (_d, l) = ledger(14);
    let n = l.len();
    for size in 1..=n {
        let root = l.tree_root(size).unwrap();
        for i in 0..size {
            let leaf = merkle::leaf_hash(&l.event(i).unwrap().hash);
            let p = l.prove_inclusion(i, size).unwrap();
            merkle::check_record(&p, size, &root, i, &leaf).unwrap();
        }
        for old in 1..=size {
            let p = l.prove_consistency(old, size).unwrap();
            merkle::check_tree(&p, size, &root, old, &l.tree_root(old).unwrap()).unwrap();
        }
    }
    for bad in [
        l.prove_inclusion(n, n),
        l.prove_inclusion(0, n + 1),
        l.prove_consistency(0, n),
        l.prove_consistency(2, 1),
        l.prove_consistency(1, n + 1),
    ] {
        assert!(matches!(bad, Err(Error::Invalid(_))), "{bad:?}");
    }
}

#[test]
fn a_refused_batch_writes_nothing() {
    let (_d, mut l) = ledger(1);
    let before = (l.len(), l.head_hash());
    let good = Change::ItemWithdrawn { number: 1 };
    let bad = Change::ItemWithdrawn { number: 1 };
    assert!(matches!(
        l.append(&meta(50), &[good, bad]),
        Err(Error::Refused(_))
    ));
    assert_eq!((l.len(), l.head_hash()), before);
    assert!(l.verify(&mut |_, _| {}).is_ok());
}

fn fy2014_h1() -> Period {
    Period {
        fiscal_year: 2014,
        half: Half::FirstHalf,
    }
}

fn remark(text: &str) -> Change {
    Change::RemarkSet {
        item: 1,
        period: fy2014_h1(),
        text: text.into(),
    }
}

#[test]
fn one_future_time_never_locks_the_ledger() {
    let (d, mut l) = ledger(1);
    // The latest time an event can hold: 2262-04-11T23:47:16.854775807Z.
    let r = l.append(&meta(i64::MAX), &[remark("future")]).unwrap();
    assert_eq!(r.clock_behind, None);
    let behind = l.append(&meta(100), &[remark("a"), remark("b")]).unwrap();
    let first = r.first_seq + 1;
    assert_eq!(
        behind,
        Receipt {
            first_seq: first + 1,
            count: 2,
            head_hash: l.head_hash(),
            clock_behind: Some(ClockBehind {
                seq: first,
                clock: 100,
                recorded_at: i64::MAX,
            }),
        }
    );
    let lead = l.event(first).unwrap().event;
    assert_eq!(lead.change, Change::ClockBehind { clock: 100 });
    assert_eq!(
        (lead.author.as_str(), lead.reason.as_str()),
        ("山田", "評価")
    );
    for seq in first..l.len() {
        assert_eq!(l.event(seq).unwrap().event.recorded_at, i64::MAX);
    }
    assert_eq!(l.current().unwrap().cell(1, fy2014_h1()).remark, "b");
    // A refusal after the clock.behind event leaves nothing, that event included.
    let len = l.len();
    assert!(matches!(
        l.append(&meta(5), &[remark("c"), remark("c")]),
        Err(Error::Refused(_))
    ));
    assert!(matches!(l.append(&meta(5), &[]), Err(Error::Invalid(_))));
    assert_eq!(l.len(), len);
    assert_eq!(l.current().unwrap().clone(), l.state().unwrap());
    l.verify(&mut |_, _| {}).unwrap();
    // The last time is read back on open; a clock that caught up records without a note.
    drop(l);
    let mut l = Ledger::open(&d.path().join("l"), Access::default()).unwrap();
    let again = l.append(&meta(7), &[remark("d")]).unwrap();
    assert_eq!(again.clock_behind.map(|c| c.seq), Some(len));
    let caught_up = l.append(&meta(i64::MAX), &[remark("e")]).unwrap();
    assert_eq!(caught_up.clock_behind, None);
    assert_eq!(l.verify(&mut |_, _| {}).unwrap().events, l.len());
}

#[test]
fn a_clock_behind_change_cannot_be_given() {
    let (_d, mut l) = ledger(0);
    let before = (l.len(), l.head_hash());
    for at in [50, 0] {
        let err = l
            .append(&meta(at), &[Change::ClockBehind { clock: 1 }])
            .unwrap_err();
        assert!(
            err.to_string().contains("written by the ledger itself"),
            "{err}"
        );
        let err = l
            .append(&meta(at), &[remark("x"), Change::ClockBehind { clock: 1 }])
            .unwrap_err();
        assert!(matches!(err, Error::Refused(_)), "{err}");
    }
    assert_eq!((l.len(), l.head_hash()), before);
}

#[test]
fn the_cached_state_survives_refusals_and_matches_the_log() {
    let (_d, mut l) = ledger(2);
    let withdraw = Change::ItemWithdrawn { number: 1 };
    // A refused first change leaves the cache as it was; a refusal after an applied change drops it.
    l.append(&meta(60), std::slice::from_ref(&withdraw))
        .unwrap();
    assert!(l.append(&meta(61), &[withdraw]).is_err());
    assert_eq!(l.current().unwrap().clone(), l.state().unwrap());
    let reinstate = Change::ItemReinstated { number: 1 };
    assert!(
        l.append(&meta(62), &[reinstate.clone(), reinstate.clone()])
            .is_err()
    );
    assert_eq!(l.current().unwrap().clone(), l.state().unwrap());
    assert!(l.current().unwrap().items[&1].withdrawn);
    l.append(&meta(63), &[reinstate]).unwrap();
    assert!(!l.current().unwrap().items[&1].withdrawn);
    assert_eq!(l.current().unwrap().clone(), l.state().unwrap());
}

/// Options that create (or restore) a ledger with a snapshot every 4 events.
fn every_4() -> Access {
    Access {
        snapshot_interval: Some(4),
        ..Access::default()
    }
}

/// A ledger like [`ledger`] with a snapshot every 4 events (the interval is recorded in the store).
fn small_k(n: usize) -> (tempfile::TempDir, Ledger) {
    let (d, l) = ledger_with(n, every_4());
    assert_eq!(l.derived(), Derived::Every(4));
    (d, l)
}

fn refs(l: &Ledger) -> Vec<(u32, u64)> {
    let mut out = Vec::new();
    l.store
        .scan_item_refs(&mut |i, s| {
            out.push((i, s));
            Ok(true)
        })
        .unwrap();
    out
}

#[test]
fn the_index_and_snapshots_are_written_with_the_events_and_used() {
    let (d, l) = small_k(10);
    drop(l);
    // Reopened: everything below comes from the store.
    let l = Ledger::open(&d.path().join("l"), Access::default()).unwrap();
    assert_eq!(l.len(), 13);
    assert_eq!(l.store.snapshot_seqs().unwrap(), [3, 7, 11]);
    assert_eq!(l.store.item_refs(0).unwrap(), [0, 1]);
    assert_eq!(l.store.item_refs(1).unwrap(), (2..13).collect::<Vec<_>>());
    assert_eq!(
        l.base_state(13).1,
        12,
        "the snapshot after event 11 is used"
    );
    assert_eq!(l.base_state(11).1, 8);
    assert_eq!(l.base_state(3).1, 0);
    for n in 0..13 {
        assert_eq!(
            l.state_through(Some(n)).unwrap(),
            l.state_through_full_fold(Some(n)).unwrap()
        );
    }
    assert_eq!(
        l.history(1, None).unwrap(),
        l.history_by_full_fold(1, None).unwrap()
    );
    l.verify(&mut |_, _| {}).unwrap();
}

#[test]
fn a_refused_or_abandoned_batch_writes_no_derived_data() {
    let (_d, mut l) = small_k(2);
    let before = (refs(&l), l.store.snapshot_seqs().unwrap());
    let w = Change::ItemWithdrawn { number: 1 };
    assert!(l.append(&meta(50), &[w.clone(), w.clone()]).is_err());
    let boom = || -> Result<Change> { Err(Error::Invalid("stream failed".into())) };
    let mut it = [Ok(w.clone()), Ok(w.clone()), boom()].into_iter();
    assert!(l.append_iter(&meta(50), &mut it).is_err());
    assert_eq!(before, (refs(&l), l.store.snapshot_seqs().unwrap()));
    l.append(&meta(51), &[w]).unwrap();
    l.verify(&mut |_, _| {}).unwrap();
}

fn snapshot_of(l: &Ledger, seq: u64, state: &State) -> Vec<u8> {
    derived::encode_snapshot(seq, &l.event(seq).unwrap().hash, state).unwrap()
}

#[test]
fn a_tampered_snapshot_is_caught_by_verify_and_ignored_unless_it_matches_its_event() {
    // Another state under the right event hash: used by views (it passes the hash check) until
    // verify, which recomputes it.
    let (_d, mut l) = small_k(10);
    let wrong = snapshot_of(&l, 7, &l.state_through_full_fold(Some(3)).unwrap());
    l.store_mut()
        .unwrap()
        .tamper_snapshot(7, Some(&wrong))
        .unwrap();
    let e = verify_err(&l);
    assert_eq!((e.kind(), e.seq()), ("snapshot_mismatch", Some(7)), "{e}");
    assert!(
        e.to_string()
            .contains("derived data and the events are intact"),
        "{e}"
    );

    // The wrong event hash, or garbage: ignored, the state is folded from the log.
    let (_d, mut l) = small_k(10);
    let mut bad = snapshot_of(&l, 7, &l.state_through_full_fold(Some(7)).unwrap());
    bad[30] ^= 1;
    l.store_mut()
        .unwrap()
        .tamper_snapshot(7, Some(&bad))
        .unwrap();
    assert_eq!(l.base_state(9).1, 0);
    assert_eq!(
        l.state_through(Some(9)).unwrap(),
        l.state_through_full_fold(Some(9)).unwrap()
    );
    assert_eq!(verify_err(&l).kind(), "snapshot_mismatch");
    l.store_mut()
        .unwrap()
        .tamper_snapshot(7, Some(b"garbage"))
        .unwrap();
    assert_eq!(l.base_state(9).1, 0);
    assert_eq!(verify_err(&l).seq(), Some(7));

    // Missing, or one where none belongs.
    let (_d, mut l) = small_k(10);
    l.store_mut().unwrap().tamper_snapshot(3, None).unwrap();
    let e = verify_err(&l);
    assert_eq!((e.kind(), e.seq()), ("snapshot_mismatch", Some(3)), "{e}");
    assert!(e.to_string().contains("missing"), "{e}");
    let (_d, mut l) = small_k(10);
    let extra = snapshot_of(&l, 5, &l.state_through_full_fold(Some(5)).unwrap());
    l.store_mut()
        .unwrap()
        .tamper_snapshot(5, Some(&extra))
        .unwrap();
    let e = verify_err(&l);
    assert_eq!((e.kind(), e.seq()), ("snapshot_mismatch", Some(5)), "{e}");
    assert_eq!(
        l.state_through(Some(5)).unwrap(),
        l.state_through_full_fold(Some(5)).unwrap()
    );
}

#[test]
fn a_tampered_index_is_caught_by_verify_and_history_never_shows_another_items_events() {
    let (_d, mut l) = small_k(6);
    let good = l.history(1, None).unwrap();
    // An entry dropped.
    let mut seqs = l.store.item_refs(1).unwrap();
    seqs.remove(3);
    l.store_mut().unwrap().tamper_item_refs(1, &seqs).unwrap();
    let e = verify_err(&l);
    assert_eq!(e.kind(), "index_mismatch", "{e}");
    assert!(
        e.to_string()
            .contains("item 1: the index lists 6 events, the log has 7"),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("derived data and the events are intact"),
        "{e}"
    );
    // An event of another item (here: of no item) listed: history falls back to the log.
    let mut seqs = l.store.item_refs(1).unwrap();
    seqs.insert(0, 1);
    l.store_mut().unwrap().tamper_item_refs(1, &seqs).unwrap();
    assert_eq!(l.history(1, None).unwrap(), good);
    assert_eq!(verify_err(&l).kind(), "index_mismatch");
    // Entries for an item that has no events.
    l.store_mut()
        .unwrap()
        .tamper_item_refs(1, &(2..9).collect::<Vec<_>>())
        .unwrap();
    l.verify(&mut |_, _| {}).unwrap();
    l.store_mut().unwrap().tamper_item_refs(7, &[3]).unwrap();
    assert_eq!(verify_err(&l).kind(), "index_mismatch");
    l.store_mut().unwrap().tamper_item_refs(7, &[]).unwrap();
    // Entries past the end of the log are what an append writes ahead of its commit record (see
    // schema/FORMAT.md section 11): every reader ignores them, verify too.
    let mut ahead = l.store.item_refs(1).unwrap();
    assert_eq!(ahead.last(), Some(&8));
    ahead.extend([9, 12, 70_000]);
    l.store_mut().unwrap().tamper_item_refs(1, &ahead).unwrap();
    assert_eq!(l.store.item_refs(1).unwrap().last(), Some(&8));
    assert_eq!(l.history(1, None).unwrap(), good);
    l.verify(&mut |_, _| {}).unwrap();
}

#[test]
fn restore_rebuilds_the_same_derived_data() {
    let (d, l) = small_k(9);
    let mut all = Vec::new();
    l.scan_with_bytes(0, u64::MAX, &mut |_, b| {
        all.push(b.to_vec());
        Ok(true)
    })
    .unwrap();
    let target = d.path().join("restored");
    let r = Ledger::restore_from(&target, &mut all.into_iter().map(Ok), every_4()).unwrap();
    assert_eq!(r.derived(), Derived::Every(4));
    assert_eq!(refs(&r), refs(&l));
    let seqs = l.store.snapshot_seqs().unwrap();
    assert_eq!(r.store.snapshot_seqs().unwrap(), seqs);
    for s in seqs {
        assert_eq!(
            r.store.snapshot_at_or_before(s).unwrap(),
            l.store.snapshot_at_or_before(s).unwrap()
        );
    }
    r.verify(&mut |_, _| {}).unwrap();
}

#[test]
fn a_create_killed_before_its_first_commit_can_be_repeated() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("l");
    std::fs::create_dir_all(&dir).unwrap();
    let empty = HeadRecord::EMPTY;
    write_head(&dir, &empty).unwrap();
    assert!(matches!(
        Ledger::open(&dir, Access::default()),
        Err(Error::NotInitialised(_))
    ));
    // Killed later, once sled had created its files but before the batch was committed.
    drop(SledStore::open(&dir.join(STORE_DIR)).unwrap());
    let l = Ledger::create(&dir, &meta(1), plan(), &[], Access::default()).unwrap();
    assert_eq!(l.len(), 1);
    drop(l);
    // Killed after the batch reached the store, before the head record said so: that ledger
    // exists (open rolls it forward) and is not created again.
    write_head(&dir, &empty).unwrap();
    assert!(matches!(
        Ledger::create(&dir, &meta(2), plan(), &[], Access::default()),
        Err(Error::AlreadyInitialised(_))
    ));
    assert_eq!(Ledger::open(&dir, Access::default()).unwrap().len(), 1);
}

#[test]
fn head_record_text_round_trips_and_detects_edits() {
    let h = HeadRecord {
        events: 7,
        hash: [9; 32],
        ..HeadRecord::EMPTY
    };
    let t = head_text(&h);
    assert!(t.starts_with("hyoka-head v1\n"), "{t}");
    assert_eq!(parse_head(&t).unwrap(), h);
    assert!(parse_head(&t.replace("events 7", "events 8")).is_err());
    assert!(parse_head("").is_err());
    // Version 2: the anchoring setting.
    let off = HeadRecord {
        anchored: true,
        ..h
    };
    let t = head_text(&off);
    assert!(t.contains("\nanchoring off\ncheck "), "{t}");
    assert_eq!(parse_head(&t).unwrap(), off);
    let h2 = HeadRecord {
        anchoring: true,
        anchored: true,
        ..h
    };
    let t = head_text(&h2);
    assert!(t.starts_with("hyoka-head v2\n"), "{t}");
    assert!(t.contains("\nanchoring every-commit\ncheck "), "{t}");
    assert_eq!(parse_head(&t).unwrap(), h2);
    assert!(parse_head(&t.replace("anchoring", "anchorin")).is_err());
    let no_line = t.replace("anchoring every-commit\n", "");
    assert!(parse_head(&no_line).is_err());
}

/// A ledger like [`ledger`] with `n` ratings appended in one batch: quick to make with many events.
/// They go through the 422 periods of fiscal years 1989 to 2199, then again with the other grade.
fn long_ledger(n: usize) -> (tempfile::TempDir, Ledger) {
    let (d, mut l) = ledger(0);
    let changes: Vec<Change> = (0..n)
        .map(|i| Change::RatingRecorded {
            item: 1,
            period: Period {
                fiscal_year: 1989 + (i % 211) as u16,
                half: [Half::FirstHalf, Half::YearEnd][(i / 211) % 2],
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
