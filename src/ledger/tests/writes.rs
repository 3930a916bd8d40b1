//! Writes: refused batches leave nothing, recorded times never go back or lock the ledger, the cached
//! state matches the log, and a create killed before its first commit can be repeated.

use super::*;
use crate::domain::item_id::ItemId;

#[test]
fn a_refused_batch_writes_nothing() {
    let (_d, mut l) = ledger(1);
    let before = (l.len(), l.head_hash());
    let good = Change::ItemWithdrawn {
        id: ItemId::from_number(1),
    };
    let bad = Change::ItemWithdrawn {
        id: ItemId::from_number(1),
    };
    assert!(matches!(
        l.append(&meta(50), &[good, bad]),
        Err(Error::Refused(_))
    ));
    assert_eq!((l.len(), l.head_hash()), before);
    assert!(l.verify(&mut |_, _| {}).is_ok());
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
    assert_eq!(
        l.current().unwrap().cell(&1.into(), fy2014_h1()).remark,
        "b"
    );
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
    let withdraw = Change::ItemWithdrawn {
        id: ItemId::from_number(1),
    };
    // A refused first change leaves the cache as it was; a refusal after an applied change drops it.
    l.append(&meta(60), std::slice::from_ref(&withdraw))
        .unwrap();
    assert!(l.append(&meta(61), &[withdraw]).is_err());
    assert_eq!(l.current().unwrap().clone(), l.state().unwrap());
    let reinstate = Change::ItemReinstated {
        id: ItemId::from_number(1),
    };
    assert!(
        l.append(&meta(62), &[reinstate.clone(), reinstate.clone()])
            .is_err()
    );
    assert_eq!(l.current().unwrap().clone(), l.state().unwrap());
    assert!(l.current().unwrap().items[&crate::domain::item_id::ItemId::from_number(1)].withdrawn);
    l.append(&meta(63), &[reinstate]).unwrap();
    assert!(!l.current().unwrap().items[&crate::domain::item_id::ItemId::from_number(1)].withdrawn);
    assert_eq!(l.current().unwrap().clone(), l.state().unwrap());
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
