//! Test support: writes to the store that bypass every check, as an attacker with write access to its
//! files could, so that tests can show the ledger catches them.
//!
//! Why they exist only in test builds: nothing in a ledger's normal life may rewrite a committed
//! event, index block, snapshot or commit record; these helpers do exactly that. They are compiled
//! for this crate's own unit tests and with the `testing` feature (which the crate's dev-dependency on
//! itself turns on for integration tests), never into an ordinary build (`cargo build`, `cargo
//! install`).
//!
//! Invariants:
//!
//! - Each helper writes the engine's own layout ([`super::format`]) and flushes, so what it leaves is
//!   what damaged or forged files would hold, read back through the ordinary reads.
//! - The store's layout is left as it was: a tampered value is encoded for the layout the store
//!   already has.

use std::collections::BTreeMap;

use super::format::{
    META_KEY, REF_BLOCK, SNAPSHOT_PREFIX, encode_meta, key, piece_key, ref_key, split_records,
};
use super::{SledStore, guard};
use crate::store::{Committed, StoreDamage, StoreError, StoreResult};

impl SledStore {
    /// Test support: replaces the stored bytes of one committed event in place, bypassing every check.
    /// Used by tamper tests; it is what an attacker with write access to the files could do.
    pub fn tamper_event(&mut self, seq: u64, new_bytes: &[u8]) -> StoreResult<()> {
        let per_chunk = self.layout()?.events_per_chunk;
        let k = key(b'E', seq / per_chunk);
        let chunk = self
            .get(&k)?
            .ok_or(StoreError::Missing(StoreDamage::EventMissing(seq)))?;
        let recs =
            split_records(&chunk).ok_or(StoreError::Damaged(StoreDamage::EventChunkMalformed {
                first: seq,
                last: seq,
            }))?;
        let mut out = Vec::new();
        for (i, r) in recs.iter().enumerate() {
            let r: &[u8] = if i as u64 == seq % per_chunk {
                new_bytes
            } else {
                r
            };
            out.extend_from_slice(&(r.len() as u32).to_le_bytes());
            out.extend_from_slice(r);
        }
        self.write(&self.writing(), || self.db.insert(k, out))?;
        self.write(&self.writing(), || self.db.flush())?;
        Ok(())
    }

    /// Test support: replaces the per-item index entries of `item` by `seqs`, bypassing every check.
    pub fn tamper_item_refs(&mut self, item: u32, seqs: &[u64]) -> StoreResult<()> {
        let old: Vec<sled::IVec> = guard(&self.writing(), || {
            self.db
                .range(ref_key(item, 0)..=ref_key(item, u64::MAX))
                .keys()
                .collect()
        })?;
        for k in old {
            guard(&self.writing(), || self.db.remove(k))?;
        }
        let mut blocks: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
        for s in seqs {
            blocks
                .entry(s / REF_BLOCK)
                .or_default()
                .extend_from_slice(&s.to_le_bytes());
        }
        for (b, v) in blocks {
            guard(&self.writing(), || self.db.insert(ref_key(item, b), v))?;
        }
        guard(&self.writing(), || self.db.flush())?;
        Ok(())
    }

    /// Test support: replaces (or with `None` removes) the state snapshot stored for `seq`.
    pub fn tamper_snapshot(&mut self, seq: u64, bytes: Option<&[u8]>) -> StoreResult<()> {
        let layout = self.layout()?;
        if layout.snapshot_piece > 0 {
            let mut batch = sled::Batch::default();
            for k in self.snapshot_pieces_from(seq, 0)? {
                batch.remove(k);
            }
            if let Some(b) = bytes {
                for (k, v) in snapshot_pieces(seq, b, layout.snapshot_piece)? {
                    batch.insert(&k, v);
                }
            }
            guard(&self.writing(), || self.db.apply_batch(batch))?;
            guard(&self.writing(), || self.db.flush())?;
            return Ok(());
        }
        match bytes {
            Some(b) => guard(&self.writing(), || {
                self.db.insert(key(SNAPSHOT_PREFIX, seq), b)
            })?,
            None => guard(&self.writing(), || {
                self.db.remove(key(SNAPSHOT_PREFIX, seq))
            })?,
        };
        guard(&self.writing(), || self.db.flush())?;
        Ok(())
    }

    /// Test support: rewrites the commit record, e.g. to simulate a store that lost its tail.
    pub fn tamper_commit(&mut self, c: Committed) -> StoreResult<()> {
        let record = encode_meta(&c, self.layout()?);
        self.write(&self.writing(), || self.db.insert(META_KEY, record))?;
        self.write(&self.writing(), || self.db.flush())?;
        Ok(())
    }
}

/// The keys and values of a snapshot's pieces: `piece` bytes each, the last one shorter (an empty
/// snapshot is one empty piece).
fn snapshot_pieces(seq: u64, bytes: &[u8], piece: u64) -> StoreResult<Vec<([u8; 13], Vec<u8>)>> {
    let size = usize::try_from(piece).unwrap_or(usize::MAX).max(1);
    let mut out = Vec::with_capacity(bytes.len() / size + 1);
    for (i, part) in bytes.chunks(size).enumerate() {
        let i = u32::try_from(i).map_err(|_| StoreError::Damaged(StoreDamage::SnapshotTooLarge))?;
        out.push((piece_key(seq, i), part.to_vec()));
    }
    if out.is_empty() {
        out.push((piece_key(seq, 0), Vec::new()));
    }
    Ok(out)
}
