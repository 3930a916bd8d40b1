//! Derived data: the per-item index and the state snapshots written with their events, checked by
//! verify, ignored when they do not match, and rebuilt the same by restore.

use super::*;
use crate::domain::item_id::ItemId;

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
        l.history(&1.into(), None).unwrap(),
        l.history_by_full_fold(&1.into(), None).unwrap()
    );
    l.verify(&mut |_, _| {}).unwrap();
}

#[test]
fn a_refused_or_abandoned_batch_writes_no_derived_data() {
    let (_d, mut l) = small_k(2);
    let before = (refs(&l), l.store.snapshot_seqs().unwrap());
    let w = Change::ItemWithdrawn {
        id: ItemId::from_number(1),
    };
    assert!(l.append(&meta(50), &[w.clone(), w.clone()]).is_err());
    let boom = || -> Result<Change> { Err(Error::Invalid(crate::error::Invalid::NothingToRecord)) };
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
    let good = l.history(&1.into(), None).unwrap();
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
    assert_eq!(l.history(&1.into(), None).unwrap(), good);
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
    assert_eq!(l.history(&1.into(), None).unwrap(), good);
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

/// Two ids under one key of the per-item index (`R1-1` and the number 3240545444): each item's history,
/// read through the index, is its own and the same as a full fold's.
#[test]
fn items_sharing_an_index_key_each_have_their_own_history() {
    let (a, b) = (
        ItemId::parse("R1-1").unwrap(),
        ItemId::parse("3240545444").unwrap(),
    );
    assert_eq!(a.index_key(), b.index_key());
    let (_dir, mut l) = ledger_with(0, every_4());
    let register = |id: &ItemId| Change::ItemRegistered {
        id: id.clone(),
        title: format!("item {id}"),
        department: "d".into(),
        category: "c".into(),
        relisting_of: None,
        from: None,
        after: None,
    };
    l.append(&meta(2), &[register(&a), register(&b)]).unwrap();
    for (i, grade) in ["A", "B", "S"].iter().enumerate() {
        let rate = |id: &ItemId| Change::RatingRecorded {
            item: id.clone(),
            period: Period::new(2014 + i as u16, Part::FirstHalf).unwrap(),
            grade: grade.to_string(),
        };
        l.append(&meta(3 + i as i64), &[rate(&a), rate(&b)])
            .unwrap();
    }
    for id in [&a, &b] {
        let h = l.history(id, None).unwrap();
        assert_eq!(
            h.len(),
            3 + 3,
            "title, department, category and three ratings of {id}"
        );
        assert!(h.iter().all(|e| e.item.0 == *id), "{h:?}");
        assert_eq!(h, l.history_by_full_fold(id, None).unwrap());
    }
    l.verify(&mut |_, _| {}).unwrap();
}
