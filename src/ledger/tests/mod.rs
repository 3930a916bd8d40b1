//! Tests of the ledger: tampering caught by open and verify, crash traces rolled forward, the Merkle
//! tree's roots and proofs, refused batches, times, derived data, restore and verify's two threads.

//!
//! By job: `chain.rs` (edited bytes and links, the head record, crash traces, the Merkle tree),
//! `writes.rs` (refused batches, times, the cached state, a create killed part way), `derived_data.rs` (the
//! index and snapshots, restore), `verify.rs` (verify's two threads). The helpers are here.

mod chain;
mod derived_data;
mod people;
mod verify;
mod writes;

use crate::domain::item_id::ItemId;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::head::{HEAD_FILE, HeadRecord, head_text, parse_head, write_head};
use super::verify::{Batch, VERIFY_BATCH, read_for_verify};
use super::*;
use crate::domain::event;
use crate::domain::period::{Part, Period};
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
        // These ledgers rate points years apart (the new-point rule has its own tests).
        new_point: true,
        signer: None,
    }
}

fn plan() -> Change {
    Change::PlanDefined {
        name: "plan".into(),
        grades: vec!["S".into(), "A".into(), "B".into()],
        default_era: None,
        origin: "example/plan".into(),
        cadence: Default::default(),
        years: None,
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
                id: ItemId::from_number(1),
                title: "t".into(),
                department: "d".into(),
                category: "c".into(),
                relisting_of: None,
                from: None,
                after: None,
            },
        ],
        access,
    )
    .unwrap();
    for i in 0..n {
        let change = Change::RatingRecorded {
            item: ItemId::from_number(1),
            period: Period {
                fiscal_year: 2014 + i as u16,
                part: Part::FirstHalf,
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

fn fy2014_h1() -> Period {
    Period {
        fiscal_year: 2014,
        part: Part::FirstHalf,
    }
}

fn remark(text: &str) -> Change {
    Change::RemarkSet {
        item: ItemId::from_number(1),
        period: fy2014_h1(),
        text: text.into(),
    }
}
