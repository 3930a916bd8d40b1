//! Edited bytes and links named at their event, the head record, crash traces rolled forward, and the
//! Merkle tree's roots and proofs from the stored hashes.

use super::*;
use crate::domain::item_id::ItemId;

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
    l.append(
        &meta(100),
        &[Change::ItemWithdrawn {
            id: ItemId::from_number(1),
        }],
    )
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
