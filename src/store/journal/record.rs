//! The journal file's bytes (`schema/FORMAT.md` section 6.1): its header, and the records appended
//! after it, as pure functions from values to bytes and back.
//!
//! Why a file of its own: the format is read by every version of hyoka that opens the ledger, and by
//! the checks of open, so it is written down once, here, with nothing of files or engines in it.
//!
//! Invariants:
//!
//! - A record is framed: magic, payload length and that length's bitwise complement, the payload, and
//!   a BLAKE3 check of all of it (key derivation mode, [`CHECK_CONTEXT`]); the file header carries the
//!   generation and its own check ([`HEADER_CONTEXT`]). A frame whose header is inconsistent, whose check fails, or
//!   whose payload does not decode exactly, is not a record.
//! - No record announces more than `RECORD_LEN_MAX` bytes: its events hold at most [`RECORD_BYTES`];
//!   a reader reads no longer frame, and none is written.
//! - Decoding never trusts the bytes: every length is checked against what is left before it is
//!   used, so damaged bytes give `None`, never a panic or a large allocation.

use crate::domain::event::Hash;
use crate::store::{StoreDamage, StoreError, StoreResult, StoreWriter};

/// First bytes of the journal file: its header (magic, generation, check) comes before the records.
pub const FILE_MAGIC: [u8; 4] = *b"hyjg";
/// BLAKE3 key-derivation context of the file header's check.
pub const HEADER_CONTEXT: &str = "hyoka journal header v1";
/// Bytes of the file header: magic, generation (u64 little-endian), check.
pub const FILE_HEADER: usize = 4 + 8 + 32;

/// First bytes of every record.
pub const RECORD_MAGIC: [u8; 4] = *b"hyj1";
/// BLAKE3 key-derivation context of a record's check.
pub const CHECK_CONTEXT: &str = "hyoka journal record v1";
/// Event bytes a batch may push and still go through the journal; larger batches go to the engine.
pub const RECORD_BYTES: usize = 1 << 20;

/// Header (magic, payload length) and check around a record's payload.
pub(super) const FRAME: usize = HEADER + 32;
/// Magic, payload length, and the length's bitwise complement (so a changed length is seen as damage).
pub(super) const HEADER: usize = 4 + 4 + 4;

/// Upper bound on a record's length: its events hold at most [`RECORD_BYTES`], and their lengths, tree
/// hashes and index entries far less again. Readers read no longer record, and none is written.
pub(super) const RECORD_LEN_MAX: usize = 4 * RECORD_BYTES;

/// What one commit pushed, in order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Pushes {
    pub(super) events: Vec<Vec<u8>>,
    pub(super) hashes: Vec<Hash>,
    pub(super) refs: Vec<(u32, u64)>,
    pub(super) event_bytes: usize,
}

impl Pushes {
    pub(super) fn is_empty(&self) -> bool {
        self.events.is_empty() && self.hashes.is_empty() && self.refs.is_empty()
    }

    pub(super) fn extend(&mut self, other: Pushes) {
        self.events.extend(other.events);
        self.hashes.extend(other.hashes);
        self.refs.extend(other.refs);
        self.event_bytes += other.event_bytes;
    }

    /// Replays everything into an engine's writer.
    pub(super) fn replay(&self, w: &mut dyn StoreWriter) -> StoreResult<()> {
        for e in &self.events {
            w.push_event(e)?;
        }
        for h in &self.hashes {
            w.push_tree_hash(*h)?;
        }
        for &(item, seq) in &self.refs {
            w.push_item_ref(item, seq)?;
        }
        Ok(())
    }
}

/// One journal record: where it continues the history, what it pushed, and the head hash after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Record {
    pub(super) first_seq: u64,
    pub(super) first_hash: u64,
    pub(super) pushes: Pushes,
    pub(super) head: Hash,
}

fn put_u32(out: &mut Vec<u8>, n: usize) -> StoreResult<()> {
    let n = u32::try_from(n)
        .map_err(|_| StoreError::Damaged(StoreDamage::JournalRecordTooLarge { field: true }))?;
    out.extend_from_slice(&n.to_le_bytes());
    Ok(())
}

/// The record's bytes as written to the file (see `schema/FORMAT.md` section 6.1).
pub(super) fn encode_record(r: &Record) -> StoreResult<Vec<u8>> {
    let p = &r.pushes;
    // The header's length fields are filled in once the payload is written after them.
    let mut out = Vec::with_capacity(
        FRAME + 64 + p.event_bytes + 4 * p.events.len() + 32 * p.hashes.len() + 12 * p.refs.len(),
    );
    out.extend_from_slice(&RECORD_MAGIC);
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&r.first_seq.to_le_bytes());
    out.extend_from_slice(&r.first_hash.to_le_bytes());
    put_u32(&mut out, p.events.len())?;
    for e in &p.events {
        put_u32(&mut out, e.len())?;
        out.extend_from_slice(e);
    }
    put_u32(&mut out, p.hashes.len())?;
    for h in &p.hashes {
        out.extend_from_slice(h);
    }
    put_u32(&mut out, p.refs.len())?;
    for &(item, seq) in &p.refs {
        out.extend_from_slice(&item.to_le_bytes());
        out.extend_from_slice(&seq.to_le_bytes());
    }
    out.extend_from_slice(&r.head);
    let len = u32::try_from(out.len() - HEADER)
        .ok()
        .filter(|&len| len as usize <= RECORD_LEN_MAX)
        .ok_or(StoreError::Damaged(StoreDamage::JournalRecordTooLarge {
            field: false,
        }))?;
    out[4..8].copy_from_slice(&len.to_le_bytes());
    out[8..12].copy_from_slice(&(!len).to_le_bytes());
    let check = record_check(&out);
    out.extend_from_slice(&check);
    Ok(out)
}

/// The length of the payload [`encode_record`] writes for `p`.
pub(super) fn payload_len(p: &Pushes) -> usize {
    8 + 8
        + 4
        + p.events.iter().map(|e| 4 + e.len()).sum::<usize>()
        + 4
        + 32 * p.hashes.len()
        + 4
        + 12 * p.refs.len()
        + 32
}

/// BLAKE3 (key derivation mode, [`CHECK_CONTEXT`]) of the header and the payload.
pub(super) fn record_check(framed: &[u8]) -> Hash {
    let mut h = blake3::Hasher::new_derive_key(CHECK_CONTEXT);
    h.update(framed);
    *h.finalize().as_bytes()
}

/// The journal file's header for `generation` (see `schema/FORMAT.md` section 6.1).
pub(super) fn encode_file_header(generation: u64) -> [u8; FILE_HEADER] {
    let mut out = [0u8; FILE_HEADER];
    out[..4].copy_from_slice(&FILE_MAGIC);
    out[4..12].copy_from_slice(&generation.to_le_bytes());
    let check = blake3::Hasher::new_derive_key(HEADER_CONTEXT)
        .update(&out[..12])
        .finalize();
    out[12..].copy_from_slice(check.as_bytes());
    out
}

/// What the first bytes of a journal file are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FileStart {
    /// A header that passes its check, with its generation.
    Header(u64),
    /// The header's magic, but the header is cut short or fails its check.
    BadHeader,
    /// No header: a journal written before headers (records from byte 0), or an empty file.
    Headerless,
}

pub(super) fn file_start(bytes: &[u8]) -> FileStart {
    if !bytes.starts_with(&FILE_MAGIC) {
        return FileStart::Headerless;
    }
    match bytes.get(..FILE_HEADER) {
        Some(h) => {
            let generation = u64::from_le_bytes(h[4..12].try_into().unwrap_or([0; 8]));
            match encode_file_header(generation)[..] == h[..] {
                true => FileStart::Header(generation),
                false => FileStart::BadHeader,
            }
        }
        None => FileStart::BadHeader,
    }
}

/// A cursor that refuses to read past the end.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }
    fn u32(&mut self) -> Option<usize> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?) as usize)
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn hash(&mut self) -> Option<Hash> {
        self.take(32)?.try_into().ok()
    }
}

pub(super) fn decode_payload(payload: &[u8]) -> Option<Record> {
    let mut c = Cursor(payload);
    let first_seq = c.u64()?;
    let first_hash = c.u64()?;
    let mut pushes = Pushes::default();
    let n = c.u32()?;
    // Counts are checked against the bytes left before anything is allocated for them.
    if n > c.0.len() / 4 {
        return None;
    }
    for _ in 0..n {
        let len = c.u32()?;
        let bytes = c.take(len)?;
        pushes.event_bytes += bytes.len();
        pushes.events.push(bytes.to_vec());
    }
    let n = c.u32()?;
    if n > c.0.len() / 32 {
        return None;
    }
    for _ in 0..n {
        pushes.hashes.push(c.hash()?);
    }
    let n = c.u32()?;
    if n > c.0.len() / 12 {
        return None;
    }
    for _ in 0..n {
        let item = c.u32()? as u32;
        pushes.refs.push((item, c.u64()?));
    }
    let head = c.hash()?;
    if !c.0.is_empty() || pushes.events.is_empty() {
        return None;
    }
    Some(Record {
        first_seq,
        first_hash,
        pushes,
        head,
    })
}

/// The payload length a record's header at the start of `bytes` gives, if the header is whole and
/// consistent.
pub(super) fn header_at(bytes: &[u8]) -> Option<usize> {
    if bytes.get(..4)? != RECORD_MAGIC {
        return None;
    }
    let len = u32::from_le_bytes(bytes.get(4..8)?.try_into().ok()?);
    let inv = u32::from_le_bytes(bytes.get(8..12)?.try_into().ok()?);
    (len == !inv).then_some(len as usize)
}

/// The payload framed at the start of `bytes` and the frame's length, if it is whole, no longer than
/// [`RECORD_LEN_MAX`] (hyoka never writes a longer one, and no reader reads one) and passes its check.
pub(super) fn frame_at(bytes: &[u8]) -> Option<(&[u8], usize)> {
    let end = FRAME + header_at(bytes).filter(|&len| len <= RECORD_LEN_MAX)?;
    let framed = bytes.get(..end - 32)?;
    (record_check(framed) == bytes.get(end - 32..end)?).then(|| (&framed[HEADER..], end))
}

/// The record framed at the start of `bytes` and its length, if it is whole, passes its check and
/// decodes.
pub(super) fn record_at(bytes: &[u8]) -> Option<(Record, usize)> {
    let (payload, end) = frame_at(bytes)?;
    Some((decode_payload(payload)?, end))
}
