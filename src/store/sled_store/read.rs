//! The sled engine's reads: the [`Store`] trait implemented for [`SledStore`] (events, tree hashes,
//! the per-item index blocks, snapshot pieces, the derived-data and journal-generation records; its
//! `writer` hands over to `writer.rs`).
//!
//! Why they are written this way: the scans whose size grows with the log (events, snapshot pieces)
//! read value by value with point reads rather than range iterators, which keeps sled's cache able to
//! evict (the parent module's doc, "Memory"). Every sled call goes through `guard`, so a sled panic on
//! damaged files becomes an error.
//!
//! Invariants:
//!
//! - Nothing past the commit record is ever returned: chunks, index entries and snapshots at or past
//!   the committed event count were written ahead by an append that did not commit (or has not yet),
//!   and are skipped, so an abandoned or killed append leaves nothing visible.
//! - Every committed event, tree hash and snapshot piece must be there: one that is missing or
//!   malformed is reported as [`StoreError::Missing`] or [`StoreError::Damaged`], never skipped.
//! - A store never committed reads as empty.

use std::collections::BTreeMap;
use std::path::Path;

use super::format::{
    DERIVED_KEY, JOURNAL_GEN_KEY, SNAPSHOT_PREFIX, hash_at, key, piece_key, ref_key,
    split_piece_key, split_records, split_refs,
};
use super::{SledStore, free_space_at_least, guard};
use crate::domain::event::Hash;
use crate::error::IoDoing;
use crate::store::{Committed, Store, StoreDamage, StoreError, StoreResult, StoreWriter};

impl SledStore {
    /// The number of committed events (0 for a store never committed).
    fn committed_events(&self) -> StoreResult<u64> {
        Ok(self.head()?.map_or(0, |(c, _)| c.events))
    }

    /// The seqs of every stored snapshot, committed or written ahead by an append that did not commit.
    pub(super) fn all_snapshot_seqs(&self) -> StoreResult<Vec<u64>> {
        let mut out = Vec::new();
        if self.layout()?.snapshot_piece > 0 {
            // One seek per snapshot, past its pieces.
            let mut from = piece_key(0, 0);
            loop {
                let next = guard(&self.reading(), || {
                    self.db.range(from..).keys().next().transpose()
                })?;
                let Some(k) = next.filter(|k| k.first() == Some(&SNAPSHOT_PREFIX)) else {
                    return Ok(out);
                };
                let (s, _) = split_piece_key(&k)
                    .ok_or(StoreError::Damaged(StoreDamage::SnapshotKeyMalformed))?;
                out.push(s);
                match s.checked_add(1) {
                    Some(n) => from = piece_key(n, 0),
                    None => return Ok(out),
                }
            }
        }
        let mut iter = guard(&self.reading(), || {
            Ok(self.db.scan_prefix([SNAPSHOT_PREFIX]).keys())
        })?;
        loop {
            let next = guard(&self.reading(), || iter.next().transpose())?;
            let Some(k) = next else { break };
            let s: [u8; 8] = k
                .get(1..9)
                .and_then(|s| s.try_into().ok())
                .ok_or(StoreError::Damaged(StoreDamage::SnapshotKeyMalformed))?;
            out.push(u64::from_be_bytes(s));
        }
        Ok(out)
    }
}

impl Store for SledStore {
    fn committed(&self) -> StoreResult<Option<Committed>> {
        Ok(self.head()?.map(|(c, _)| c))
    }

    fn scan_events(
        &self,
        from: u64,
        to: u64,
        f: &mut dyn FnMut(u64, &[u8]) -> StoreResult<bool>,
    ) -> StoreResult<()> {
        // Never read past the commit record: chunks beyond it belong to an abandoned append.
        let Some((committed, layout)) = self.head()? else {
            return Ok(());
        };
        let to = to.min(committed.events);
        if from >= to {
            return Ok(());
        }
        let per_chunk = layout.events_per_chunk;
        let first = from / per_chunk;
        let last = (to - 1) / per_chunk;
        // Calls `f` for the committed records of chunk `c` in `from..to`; false when `f` says stop.
        // `c <= last`, so `start < to` (a forged event count near u64::MAX does not overflow).
        let bounds = |c: u64| (c * per_chunk, (c * per_chunk).saturating_add(per_chunk));
        let mut visit = |c: u64, v: &[u8]| -> StoreResult<bool> {
            let (start, end) = bounds(c);
            let malformed = || {
                StoreError::Damaged(StoreDamage::EventChunkMalformed {
                    first: start,
                    last: end - 1,
                })
            };
            let recs = split_records(v).ok_or_else(malformed)?;
            // Every committed event of the chunk must be there.
            if (recs.len() as u64) < end.min(to) - start {
                return Err(malformed());
            }
            for (seq, rec) in (start..end.min(to)).zip(recs) {
                if seq >= from && !f(seq, rec)? {
                    return Ok(false);
                }
            }
            Ok(true)
        };
        // Point reads, chunk by chunk, rather than a range iterator: see the module doc (memory).
        for c in first..=last {
            let v = self.get(&key(b'E', c))?.ok_or_else(|| {
                let (start, end) = bounds(c);
                StoreError::Missing(StoreDamage::EventsMissing {
                    first: start,
                    last: end - 1,
                })
            })?;
            if !visit(c, &v)? {
                return Ok(());
            }
        }
        Ok(())
    }

    fn tree_hashes(&self, indexes: &[u64]) -> StoreResult<Vec<Hash>> {
        if indexes.is_empty() {
            return Ok(Vec::new());
        }
        let per_chunk = self.layout()?.hashes_per_chunk;
        let mut cache: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
        let mut out = Vec::with_capacity(indexes.len());
        for &i in indexes {
            let c = i / per_chunk;
            let chunk = match cache.entry(c) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => e.insert(self.hash_chunk(c)?),
            };
            out.push(hash_at(chunk, i, per_chunk)?);
        }
        Ok(out)
    }

    fn check_free_space(&self, dir: &Path, doing: IoDoing) -> StoreResult<()> {
        free_space_at_least(dir, doing, self.min_free)
    }

    fn writer(&mut self) -> StoreResult<Box<dyn StoreWriter + '_>> {
        Ok(Box::new(self.sled_writer()?))
    }

    fn derived_meta(&self) -> StoreResult<Option<Vec<u8>>> {
        Ok(self.get(DERIVED_KEY)?.map(|v| v.to_vec()))
    }

    fn journal_generation(&self) -> StoreResult<Option<u64>> {
        match self.get(JOURNAL_GEN_KEY)? {
            None => Ok(None),
            Some(v) => <[u8; 8]>::try_from(&v[..])
                .map(|b| Some(u64::from_le_bytes(b)))
                .map_err(|_| StoreError::Damaged(StoreDamage::GenerationRecord(v.len()))),
        }
    }

    fn item_refs(&self, item: u32) -> StoreResult<Vec<u64>> {
        let mut out = Vec::new();
        let mut iter = guard(&self.reading(), || {
            Ok(self.db.range(ref_key(item, 0)..=ref_key(item, u64::MAX)))
        })?;
        loop {
            let next = guard(&self.reading(), || iter.next().transpose())?;
            let Some((_, v)) = next else { break };
            out.extend(
                split_refs(&v).ok_or(StoreError::Damaged(StoreDamage::ItemIndexMalformed(item)))?,
            );
        }
        // Seqs past the committed events were written ahead by an append that did not commit.
        let committed = self.committed_events()?;
        out.retain(|s| *s < committed);
        Ok(out)
    }

    fn scan_item_refs(&self, f: &mut dyn FnMut(u32, u64) -> StoreResult<bool>) -> StoreResult<()> {
        let committed = self.committed_events()?;
        let mut iter = guard(&self.reading(), || Ok(self.db.scan_prefix(b"X")))?;
        loop {
            let next = guard(&self.reading(), || iter.next().transpose())?;
            let Some((k, v)) = next else { break };
            let bad = || StoreError::Damaged(StoreDamage::IndexRecordMalformed);
            let item = u32::from_be_bytes(
                k.get(1..5)
                    .and_then(|s| s.try_into().ok())
                    .ok_or_else(bad)?,
            );
            for seq in split_refs(&v).ok_or_else(bad)? {
                if seq >= committed {
                    continue;
                }
                if !f(item, seq)? {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    fn snapshot_at_or_before(&self, seq: u64) -> StoreResult<Option<(u64, Vec<u8>)>> {
        // Never one past the committed events: an append writes its snapshots ahead of its commit.
        let Some(seq) = self
            .committed_events()?
            .checked_sub(1)
            .map(|last| seq.min(last))
        else {
            return Ok(None);
        };
        if self.layout()?.snapshot_piece == 0 {
            let found = guard(&self.reading(), || {
                self.db
                    .range(key(SNAPSHOT_PREFIX, 0)..=key(SNAPSHOT_PREFIX, seq))
                    .next_back()
                    .transpose()
            })?;
            return Ok(found.and_then(|(k, v)| {
                let s: [u8; 8] = k.get(1..9)?.try_into().ok()?;
                Some((u64::from_be_bytes(s), v.to_vec()))
            }));
        }
        // The last piece of the latest snapshot at or before `seq`, then its pieces one by one (point
        // reads: see `scan_events`).
        let found = guard(&self.reading(), || {
            self.db
                .range(piece_key(0, 0)..=piece_key(seq, u32::MAX))
                .keys()
                .next_back()
                .transpose()
        })?;
        let Some(k) = found else { return Ok(None) };
        let (s, last) =
            split_piece_key(&k).ok_or(StoreError::Damaged(StoreDamage::SnapshotKeyMalformed))?;
        let mut out = Vec::new();
        for p in 0..=last {
            let v = self.get(&piece_key(s, p))?.ok_or({
                StoreError::Damaged(StoreDamage::SnapshotPieceMissing { piece: p, after: s })
            })?;
            out.extend_from_slice(&v);
        }
        Ok(Some((s, out)))
    }

    fn snapshot_seqs(&self) -> StoreResult<Vec<u64>> {
        let committed = self.committed_events()?;
        let mut seqs = self.all_snapshot_seqs()?;
        seqs.retain(|s| *s < committed);
        Ok(seqs)
    }
}
