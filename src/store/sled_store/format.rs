//! The sled engine's bytes: the keys and values of the layout (`schema/FORMAT.md` section 11), with
//! no sled call in sight.
//!
//! Why a file of its own: the layout is the store's on-disk format, read by every other part of the
//! engine and by older and newer versions of hyoka, so it is written down once, here, as pure
//! functions from numbers to bytes and back (the parent module's doc says why values are this small).
//!
//! Invariants:
//!
//! - A store's layout is fixed by its first commit and recorded in its commit record (version 2); a
//!   store whose record is version 1 keeps the version-1 layout and keeps version-1 records, byte for byte
//!   as older versions wrote them.
//! - Keys are big-endian numbers after a one-byte prefix, so sled's order is the order of seqs,
//!   chunks and pieces; snapshot keys (`A`) sort before every other key.
//! - Decoding never trusts stored bytes: a commit record with a wrong length, magic, checksum or a
//!   layout number outside `1..=MAX_PER_CHUNK`, a chunk whose framing is broken, an index block that is
//!   not whole seqs, are reported (`None` or [`StoreError::Damaged`]), never a panic.

use crate::domain::event::Hash;
use crate::store::{Committed, StoreDamage, StoreError, StoreResult};

/// Events per `E` chunk in a store created by this version (see the module doc).
pub const EVENTS_PER_CHUNK: u64 = 4;
/// Tree hashes per `T` chunk in a store created by this version.
pub const HASHES_PER_CHUNK: u64 = 128;
/// Bytes per piece of a state snapshot in a store created by this version (see the module doc).
pub const SNAPSHOT_PIECE_BYTES: u64 = 4096;
/// The largest number a commit record may give for each of the three (a sanity bound on stored data).
const MAX_PER_CHUNK: u64 = 1 << 16;

/// How a store packs its data into sled values: fixed when the store is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Layout {
    pub(super) events_per_chunk: u64,
    pub(super) hashes_per_chunk: u64,
    /// Bytes per snapshot piece (`A` + seq + piece number); 0: each snapshot whole under `A` + seq.
    pub(super) snapshot_piece: u64,
}

/// The layout of a store whose commit record is version 1, written before the layout was recorded.
pub(super) const LAYOUT_V1: Layout = Layout {
    events_per_chunk: 64,
    hashes_per_chunk: 128,
    snapshot_piece: 0,
};

/// The layout of a store created by this version.
pub(super) const LAYOUT_NEW: Layout = Layout {
    events_per_chunk: EVENTS_PER_CHUNK,
    hashes_per_chunk: HASHES_PER_CHUNK,
    snapshot_piece: SNAPSHOT_PIECE_BYTES,
};

/// Seqs per `X` index block.
pub const REF_BLOCK: u64 = 65_536;
pub(super) const DERIVED_KEY: &[u8] = b"D";
/// The generation of the journal in front of the store (8 bytes, little-endian), see `store::journal`.
pub(super) const JOURNAL_GEN_KEY: &[u8] = b"J";
/// Prefix of snapshot keys (see the module's layout).
pub(super) const SNAPSHOT_PREFIX: u8 = b'A';
const _: () = assert!(SNAPSHOT_PREFIX < DERIVED_KEY[0] && SNAPSHOT_PREFIX < b'E');

pub(super) const META_KEY: &[u8] = b"M";
/// Commit record version 1: no layout recorded, the store's layout is [`LAYOUT_V1`].
pub(super) const META_MAGIC_V1: &[u8; 16] = b"hyoka-store-v1\0\0";
pub(super) const META_LEN_V1: usize = 16 + 8 + 8 + 32 + 32;
/// Commit record version 2: the layout follows the head hash.
pub(super) const META_MAGIC_V2: &[u8; 16] = b"hyoka-store-v2\0\0";
pub(super) const META_LEN_V2: usize = 16 + 8 + 8 + 32 + 4 + 4 + 4 + 32;

pub(super) fn key(prefix: u8, chunk: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = prefix;
    k[1..].copy_from_slice(&chunk.to_be_bytes());
    k
}

/// The key of piece `piece` of the snapshot taken after event `seq` (pieced layouts).
pub(super) fn piece_key(seq: u64, piece: u32) -> [u8; 13] {
    let mut k = [0u8; 13];
    k[0] = SNAPSHOT_PREFIX;
    k[1..9].copy_from_slice(&seq.to_be_bytes());
    k[9..].copy_from_slice(&piece.to_be_bytes());
    k
}

/// The seq and piece number of a snapshot piece's key; `None` if it is not one.
pub(super) fn split_piece_key(k: &[u8]) -> Option<(u64, u32)> {
    if k.len() != 13 || k[0] != SNAPSHOT_PREFIX {
        return None;
    }
    let seq = u64::from_be_bytes(k.get(1..9)?.try_into().ok()?);
    let piece = u32::from_be_bytes(k.get(9..13)?.try_into().ok()?);
    Some((seq, piece))
}

pub(super) fn ref_key(item: u32, block: u64) -> [u8; 13] {
    let mut k = [0u8; 13];
    k[0] = b'X';
    k[1..5].copy_from_slice(&item.to_be_bytes());
    k[5..].copy_from_slice(&block.to_be_bytes());
    k
}

/// The seqs of one `X` block; `None` if its length is not a whole number of seqs.
pub(super) fn split_refs(v: &[u8]) -> Option<Vec<u64>> {
    if !v.len().is_multiple_of(8) {
        return None;
    }
    v.chunks_exact(8)
        .map(|c| c.try_into().ok().map(u64::from_le_bytes))
        .collect()
}

/// The commit record (`schema/FORMAT.md` section 11): magic, event count, tree-hash count, head hash,
/// in version 2 the layout (events per chunk, hashes per chunk, snapshot piece bytes: u32
/// little-endian each), and a BLAKE3 checksum of all that. A store with the version-1 layout keeps
/// version-1 records, so that it stays as older versions of hyoka wrote it.
pub(super) fn encode_meta(c: &Committed, layout: Layout) -> Vec<u8> {
    let v2 = layout != LAYOUT_V1;
    let mut v = Vec::with_capacity(META_LEN_V2);
    v.extend_from_slice(if v2 { META_MAGIC_V2 } else { META_MAGIC_V1 });
    v.extend_from_slice(&c.events.to_le_bytes());
    v.extend_from_slice(&c.tree_hashes.to_le_bytes());
    v.extend_from_slice(&c.head_hash);
    if v2 {
        // Each is at most MAX_PER_CHUNK (checked when decoded, constants otherwise).
        for n in [
            layout.events_per_chunk,
            layout.hashes_per_chunk,
            layout.snapshot_piece,
        ] {
            v.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
        }
    }
    let sum = blake3::hash(&v);
    v.extend_from_slice(sum.as_bytes());
    v
}

pub(super) fn decode_meta(v: &[u8]) -> StoreResult<(Committed, Layout)> {
    let bad = || StoreError::Damaged(StoreDamage::CommitRecord);
    let magic = v.get(..16).ok_or_else(bad)?;
    let v2 = if magic == META_MAGIC_V1 && v.len() == META_LEN_V1 {
        false
    } else if magic == META_MAGIC_V2 && v.len() == META_LEN_V2 {
        true
    } else {
        return Err(bad());
    };
    let (body, sum) = v.split_at(v.len() - 32);
    if blake3::hash(body).as_bytes() != sum {
        return Err(bad());
    }
    let bytes = |r: std::ops::Range<usize>| body.get(r).ok_or_else(bad);
    let u64_at = |at: usize| -> StoreResult<u64> {
        let b: [u8; 8] = bytes(at..at + 8)?.try_into().map_err(|_| bad())?;
        Ok(u64::from_le_bytes(b))
    };
    let u32_at = |at: usize| -> StoreResult<u64> {
        let b: [u8; 4] = bytes(at..at + 4)?.try_into().map_err(|_| bad())?;
        Ok(u64::from(u32::from_le_bytes(b)))
    };
    let head_hash: Hash = bytes(32..64)?.try_into().map_err(|_| bad())?;
    let layout = if v2 {
        let layout = Layout {
            events_per_chunk: u32_at(64)?,
            hashes_per_chunk: u32_at(68)?,
            snapshot_piece: u32_at(72)?,
        };
        let fits = |n: u64| (1..=MAX_PER_CHUNK).contains(&n);
        if !fits(layout.events_per_chunk)
            || !fits(layout.hashes_per_chunk)
            || !fits(layout.snapshot_piece)
        {
            return Err(bad());
        }
        layout
    } else {
        LAYOUT_V1
    };
    let committed = Committed {
        events: u64_at(16)?,
        tree_hashes: u64_at(24)?,
        head_hash,
    };
    Ok((committed, layout))
}

/// Splits an `E` chunk into its records; `None` if the framing is broken.
pub(super) fn split_records(chunk: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    let mut rest = chunk;
    while !rest.is_empty() {
        let len = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let rec = rest.get(4..4 + len)?;
        out.push(rec);
        rest = &rest[4 + len..];
    }
    Some(out)
}

pub(super) fn hash_at(chunk: &[u8], i: u64, per_chunk: u64) -> StoreResult<Hash> {
    let off = ((i % per_chunk) * 32) as usize;
    chunk
        .get(off..off + 32)
        .and_then(|s| s.try_into().ok())
        .ok_or(StoreError::Missing(StoreDamage::TreeHashMissing(i)))
}
