//! Anchors: durable records, outside the journal, of a tree size and its root, and the ledger's log key.
//!
//! Why: a small append is acknowledged once its journal record is synced (`store::journal`). If the
//! journal file is later lost, emptied or cut at a record boundary, the events in it are gone and what
//! remains is a shorter, perfectly consistent history. The journal's generation (recorded by the store)
//! catches a missing, emptied or replaced file; only an anchor catches a cut at a record boundary. Two
//! kinds of anchor exist:
//!
//! - the **anchor record** (`ANCHOR`, [`AnchorRecord`]): a tree size and root written after every commit
//!   (one write and one `fdatasync`, into the older of two slots) when the ledger anchors every commit
//!   (a setting kept in the head record) or the writer holds the log key, which then signs it;
//! - the **signed checkpoint** in `CHECKPOINT`, signed with the ledger's **log key** by every signing.
//!
//! The log key is one Ed25519 key per ledger, named after its origin, used only for checkpoints. Its
//! verifier key is kept in the ledger directory (`LOGKEY`); the private key never is, so a copy of the
//! directory carries no secret. Invariants:
//!
//! - An anchor is written only after the commit it covers is durable, so it never covers events that
//!   were not acknowledged.
//! - A kept checkpoint is trusted as an anchor only if its signature verifies with the kept verifier key.
//!   One that fails is reported and ignored; the next signing moves it aside (never deletes it).
//! - Every file here is read size-checked and without following links, and replaced durably
//!   (`safe_fs`).

use std::path::{Path, PathBuf};

use crate::error::{
    AnchorDamage, CheckpointDamage, Error, IntegrityError, Invalid, IoDoing, LogKeyDamage, Result,
};
use crate::os::safe_fs;
use crate::tlog::checkpoint::{self, Checkpoint};
use crate::tlog::note::{self, Note, NoteError, SignerKey, VerifierKey};

/// The file of the ledger directory holding the last signed checkpoint.
pub const CHECKPOINT_FILE: &str = "CHECKPOINT";
/// The file of the ledger directory holding the log key's verifier key (one line).
pub const LOG_KEY_FILE: &str = "LOGKEY";
/// Prefix of the names a signed checkpoint that fails its check is moved aside to.
pub const BAD_CHECKPOINT_PREFIX: &str = "CHECKPOINT.bad-";
/// The largest checkpoint accepted (a checkpoint is a few lines; 100 signatures fit easily).
pub const MAX_CHECKPOINT_BYTES: usize = 64 * 1024;
/// The largest verifier-key file accepted (a key text is under 200 bytes).
const MAX_KEY_BYTES: u64 = 4096;

fn io_err(doing: IoDoing) -> impl FnOnce(std::io::Error) -> Error {
    Error::io(doing)
}

/// The ledger's log key (its verifier key), if one was set.
pub fn log_key(dir: &Path) -> Result<Option<VerifierKey>> {
    let path = dir.join(LOG_KEY_FILE);
    let Some(bytes) =
        safe_fs::read_bounded(&path, MAX_KEY_BYTES).map_err(io_err(IoDoing::Read(path.clone())))?
    else {
        return Ok(None);
    };
    let text = String::from_utf8(bytes).map_err(|_| {
        IntegrityError::LogKeyDamaged(LogKeyDamage {
            path: path.clone(),
            why: None,
        })
    })?;
    VerifierKey::parse(text.trim())
        .map(Some)
        .map_err(|e| IntegrityError::LogKeyDamaged(LogKeyDamage { path, why: Some(e) }).into())
}

/// The ledger's log key, or `None` when `LOGKEY` is damaged (for opening a ledger: `verify` reports the
/// damage, and a new log key can still be set, see [`set_log_key`]).
pub fn log_key_if_readable(dir: &Path) -> Result<Option<VerifierKey>> {
    match log_key(dir) {
        Err(Error::Integrity(IntegrityError::LogKeyDamaged(_))) => Ok(None),
        other => other,
    }
}

/// Records `key` as the ledger's log key. The first key is kept; the same key again changes nothing; a
/// different one is refused (one log key per ledger). A damaged `LOGKEY` is moved aside (to
/// `LOGKEY.damaged`, a number added if taken; never deleted) and replaced.
pub fn set_log_key(dir: &Path, origin: &str, key: &VerifierKey) -> Result<bool> {
    if key.name() != origin {
        return Err(Error::Invalid(Invalid::LogKeyNotOfOrigin {
            key: key.name().to_string(),
            origin: origin.to_string(),
        }));
    }
    let current = match log_key(dir) {
        Err(Error::Integrity(IntegrityError::LogKeyDamaged(_))) => {
            move_damaged_log_key(dir)?;
            None
        }
        other => other?,
    };
    match current {
        Some(k) if k.to_text() == key.to_text() => Ok(false),
        Some(k) => Err(Error::Invalid(Invalid::OtherLogKey {
            key: format!("{}+{:08x}", k.name(), k.key_id()),
        })),
        None => {
            let text = format!("{}\n", key.to_text());
            safe_fs::replace(dir, LOG_KEY_FILE, text.as_bytes())
                .map_err(io_err(IoDoing::Write(dir.join(LOG_KEY_FILE))))?;
            Ok(true)
        }
    }
}

/// Moves a damaged `LOGKEY` aside, never deleting it.
fn move_damaged_log_key(dir: &Path) -> Result<()> {
    let base = format!("{LOG_KEY_FILE}.damaged");
    safe_fs::move_aside(dir, LOG_KEY_FILE, &base)
        .map(drop)
        .map_err(io_err(IoDoing::MoveAside(dir.join(LOG_KEY_FILE))))
}

/// The last signed checkpoint kept in a ledger directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// The checkpoint.
    pub checkpoint: Checkpoint,
    /// The signed note.
    pub note: Note,
}

/// Reads the kept signed checkpoint, if any (size-checked, without following a link).
pub fn kept_checkpoint(dir: &Path) -> Result<Option<Kept>> {
    let path = dir.join(CHECKPOINT_FILE);
    let damaged = IntegrityError::SignedCheckpointDamaged;
    let bytes = match safe_fs::read_bounded(&path, MAX_CHECKPOINT_BYTES as u64) {
        Ok(Some(b)) => b,
        Ok(None) => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
            return Err(damaged(CheckpointDamage::TooBig(MAX_CHECKPOINT_BYTES as u64)).into());
        }
        Err(e) => return Err(Error::io(IoDoing::Read(path))(e)),
    };
    let (checkpoint, note) =
        checkpoint::parse_signed(&bytes).map_err(|e| damaged(CheckpointDamage::Malformed(e)))?;
    if !note.is_signed() {
        return Err(damaged(CheckpointDamage::Malformed(
            checkpoint::CheckpointError::Unsigned,
        ))
        .into());
    }
    Ok(Some(Kept { checkpoint, note }))
}

/// What checking a kept checkpoint's signature found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    /// It verifies with `key` (`NAME+ID`).
    Verified {
        /// The key's label.
        key: String,
    },
    /// It does not verify with `key`: altered, forged, or signed by another key.
    Failed {
        /// The key's label.
        key: String,
        /// Why.
        why: String,
    },
    /// No key to check it with.
    Unchecked,
}

/// `NAME+ID` of a key.
pub fn key_label(key: &VerifierKey) -> String {
    format!("{}+{:08x}", key.name(), key.key_id())
}

/// Checks `note`'s signature by `key`, if there is a key.
pub fn check_signature(note: &Note, key: Option<&VerifierKey>) -> Signature {
    let Some(key) = key else {
        return Signature::Unchecked;
    };
    let label = key_label(key);
    match note::verify_note(note, key) {
        Ok(()) => Signature::Verified { key: label },
        Err(NoteError::NoSignatureByKey { .. }) => Signature::Failed {
            key: label,
            why: "it carries no signature by that key".into(),
        },
        Err(NoteError::BadSignature { .. }) => Signature::Failed {
            key: label,
            why: "its signature does not verify (altered or forged)".into(),
        },
        Err(e) => Signature::Failed {
            key: label,
            why: e.to_string(),
        },
    }
}

/// The kept checkpoint if its signature verifies with the ledger's log key: the signed anchor.
pub fn signed_anchor(dir: &Path) -> Result<Option<Checkpoint>> {
    signed_anchor_by(dir, log_key(dir)?.as_ref())
}

/// The kept checkpoint if its signature verifies with `key`.
pub fn signed_anchor_by(dir: &Path, key: Option<&VerifierKey>) -> Result<Option<Checkpoint>> {
    let Some(key) = key else {
        return Ok(None);
    };
    // A damaged file is no anchor (verify reports it); only a verified one counts.
    let Ok(Some(kept)) = kept_checkpoint(dir) else {
        return Ok(None);
    };
    match check_signature(&kept.note, Some(key)) {
        Signature::Verified { .. } => Ok(Some(kept.checkpoint)),
        _ => Ok(None),
    }
}

/// Records `note` (a signed checkpoint) as the ledger's last signed checkpoint, durably.
pub fn keep_checkpoint(dir: &Path, note: &str) -> Result<()> {
    safe_fs::replace(dir, CHECKPOINT_FILE, note.as_bytes())
        .map_err(io_err(IoDoing::Write(dir.join(CHECKPOINT_FILE))))
}

/// Signs `cp` with `key` and keeps it as the last signed checkpoint.
pub fn sign_and_keep(dir: &Path, cp: &Checkpoint, key: &SignerKey) -> Result<String> {
    let note = cp
        .sign(key)
        .map_err(|e| Error::Invalid(Invalid::CannotSign(e)))?;
    keep_checkpoint(dir, &note)?;
    Ok(note)
}

/// Moves the kept checkpoint aside to `CHECKPOINT.bad-<UTC time>` (a number added if taken), never
/// deleting it, and returns the new name.
pub fn move_aside(dir: &Path, now: i64) -> Result<String> {
    let base = format!(
        "{BAD_CHECKPOINT_PREFIX}{}",
        crate::domain::when::file_stamp(now)
    );
    safe_fs::move_aside(dir, CHECKPOINT_FILE, &base)
        .map_err(io_err(IoDoing::MoveAside(dir.join(CHECKPOINT_FILE))))
}

/// The file of the ledger directory holding the anchor record (two slots, at bytes 0 and 4096, see
/// [`AnchorRecord`]).
pub const ANCHOR_FILE: &str = "ANCHOR";
/// First bytes of an anchor slot.
pub const ANCHOR_MAGIC: [u8; 4] = *b"hyan";
/// BLAKE3 key-derivation context of a slot's check.
pub const ANCHOR_CONTEXT: &str = "hyoka anchor record v1";
/// Bytes of one slot; the file holds two.
pub const SLOT: usize = 160;
/// Where the second slot starts: its own 4 KiB block, so that a write torn within a sector or a page
/// cannot take both slots.
pub const SECOND_SLOT: usize = 4096;
/// The file's size.
pub const ANCHOR_FILE_BYTES: usize = SECOND_SLOT + SLOT;
/// Bytes of a slot before its check.
const SLOT_BODY: usize = SLOT - 32;

/// An anchor record: the first `size` events have Merkle root `root`, written after the commit that
/// made them durable. `counter` orders the records (the file keeps the last two, in alternating slots,
/// so a write cut short leaves the one before intact). A signed record carries the Ed25519 signature,
/// by the log key, of the checkpoint text `origin\nsize\nroot\n` (C2SP tlog-checkpoint): with the
/// origin, it is a signed checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnchorRecord {
    /// Orders the records: each write is one more than the last.
    pub counter: u64,
    /// The tree size.
    pub size: u64,
    /// The RFC 6962 root of the first `size` events.
    pub root: crate::domain::event::Hash,
    /// The log key's id and its signature of the checkpoint, when the writer held the log key.
    pub signature: Option<(u32, [u8; 64])>,
}

impl AnchorRecord {
    /// The slot's bytes (schema/FORMAT.md section 6.2).
    pub fn encode(&self) -> [u8; SLOT] {
        let mut out = [0u8; SLOT];
        out[..4].copy_from_slice(&ANCHOR_MAGIC);
        out[4..12].copy_from_slice(&self.counter.to_le_bytes());
        out[12..20].copy_from_slice(&self.size.to_le_bytes());
        out[20..52].copy_from_slice(&self.root);
        if let Some((id, sig)) = &self.signature {
            out[52] = 1;
            out[53..57].copy_from_slice(&id.to_be_bytes());
            out[57..121].copy_from_slice(sig);
        }
        let check = blake3::Hasher::new_derive_key(ANCHOR_CONTEXT)
            .update(&out[..SLOT_BODY])
            .finalize();
        out[SLOT_BODY..].copy_from_slice(check.as_bytes());
        out
    }

    /// The record in a slot's bytes, if they are one (magic, check, and every unused byte zero).
    pub fn decode(b: &[u8]) -> Option<AnchorRecord> {
        let b: &[u8; SLOT] = b.try_into().ok()?;
        if b[..4] != ANCHOR_MAGIC || b[52] > 1 {
            return None;
        }
        let u64_at = |at: usize| b[at..at + 8].try_into().ok().map(u64::from_le_bytes);
        let signature = match b[52] {
            1 => Some((
                u32::from_be_bytes(b[53..57].try_into().ok()?),
                b[57..121].try_into().ok()?,
            )),
            _ => None,
        };
        let r = AnchorRecord {
            counter: u64_at(4)?,
            size: u64_at(12)?,
            root: b[20..52].try_into().ok()?,
            signature,
        };
        (r.encode() == *b).then_some(r)
    }

    /// The checkpoint this record anchors, for the ledger of `origin`.
    pub fn checkpoint(&self, origin: &str) -> Checkpoint {
        Checkpoint {
            origin: origin.to_string(),
            size: self.size,
            root: self.root,
            extensions: Vec::new(),
        }
    }

    /// Whether the record is signed by `key` (its id, and its signature of the checkpoint of `origin`).
    pub fn signed_by(&self, origin: &str, key: &VerifierKey) -> bool {
        match &self.signature {
            Some((id, sig)) => {
                *id == key.key_id()
                    && key.name() == origin
                    && key.verify(self.checkpoint(origin).to_text().as_bytes(), sig)
            }
            None => false,
        }
    }
}

/// Reads the anchor record file: the valid slot with the highest counter. `None` if there is no file;
/// an error if it is a link, is not two slots long, or holds no valid slot.
pub fn read_anchor(dir: &Path) -> Result<Option<AnchorRecord>> {
    let path = dir.join(ANCHOR_FILE);
    let damaged = IntegrityError::AnchorRecordDamaged;
    let bytes = match safe_fs::read_bounded(&path, ANCHOR_FILE_BYTES as u64) {
        Ok(Some(b)) => b,
        Ok(None) => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
            return Err(damaged(AnchorDamage::TooBig(ANCHOR_FILE_BYTES as u64)).into());
        }
        Err(e) => return Err(Error::io(IoDoing::Read(path))(e)),
    };
    if bytes.len() != ANCHOR_FILE_BYTES {
        return Err(damaged(AnchorDamage::Length {
            found: bytes.len(),
            expected: ANCHOR_FILE_BYTES,
        })
        .into());
    }
    let best = [&bytes[..SLOT], &bytes[SECOND_SLOT..]]
        .into_iter()
        .filter_map(AnchorRecord::decode)
        .max_by_key(|r| r.counter);
    match best {
        Some(r) => Ok(Some(r)),
        None => Err(damaged(AnchorDamage::NoValidRecord).into()),
    }
}

/// Writes anchor records into the file, each with one write and one `fdatasync`, alternating slots.
#[derive(Debug)]
pub struct AnchorWriter {
    file: std::fs::File,
    path: std::path::PathBuf,
}

impl AnchorWriter {
    /// Opens the file for writing (without following a link), creating it durably with `first` in
    /// its first slot if there is none.
    pub fn open(dir: &Path, first: &AnchorRecord) -> Result<AnchorWriter> {
        let path = dir.join(ANCHOR_FILE);
        let io = |doing: fn(PathBuf) -> IoDoing| Error::io(doing(path.clone()));
        if std::fs::symlink_metadata(&path).is_err() {
            let mut bytes = vec![0u8; ANCHOR_FILE_BYTES];
            let slot = (first.counter % 2) as usize * SECOND_SLOT;
            bytes[slot..slot + SLOT].copy_from_slice(&first.encode());
            safe_fs::write_new(dir, ANCHOR_FILE, &bytes).map_err(io(IoDoing::Create))?;
        }
        let file = safe_fs::open_rw(&path, false).map_err(io(IoDoing::Open))?;
        Ok(AnchorWriter { file, path })
    }

    /// Writes `r` durably into its slot (`counter` mod 2): the other slot keeps the record before it.
    pub fn write(&mut self, r: &AnchorRecord) -> Result<()> {
        use std::os::unix::fs::FileExt;
        let at = (r.counter % 2) * SECOND_SLOT as u64;
        self.file
            .write_all_at(&r.encode(), at)
            .and_then(|()| self.file.sync_data())
            .map_err(Error::io(IoDoing::Write(self.path.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_anchor_record_is_pinned_byte_for_byte() {
        let r = AnchorRecord {
            counter: 3,
            size: 359,
            root: [0x11; 32],
            signature: None,
        };
        let b = r.encode();
        // schema/FORMAT.md section 6.2.
        assert_eq!(
            hex::encode(&b[..20]),
            "6879616e03000000000000006701000000000000"
        );
        assert_eq!(&b[20..52], &[0x11; 32]);
        assert!(b[52..SLOT_BODY].iter().all(|&x| x == 0));
        assert_eq!(
            hex::encode(&b[SLOT_BODY..]),
            hex::encode(
                blake3::Hasher::new_derive_key(ANCHOR_CONTEXT)
                    .update(&b[..SLOT_BODY])
                    .finalize()
                    .as_bytes()
            )
        );
        assert_eq!(AnchorRecord::decode(&b), Some(r));
        for i in 0..SLOT {
            let mut bad = b;
            bad[i] ^= 1;
            assert_eq!(AnchorRecord::decode(&bad), None, "byte {i}");
        }
    }

    #[test]
    fn a_signed_record_is_a_signed_checkpoint_and_a_torn_write_keeps_the_one_before() {
        let d = tempfile::tempdir().unwrap();
        let key = SignerKey::from_seed("ex/plan", &[1; 32]).unwrap();
        let cp = Checkpoint {
            origin: "ex/plan".into(),
            size: 5,
            root: [2; 32],
            extensions: Vec::new(),
        };
        let signed = |counter, size| AnchorRecord {
            counter,
            size,
            root: [2; 32],
            signature: Some((key.key_id(), key.sign(cp.to_text().as_bytes()))),
        };
        let first = signed(0, 5);
        assert!(first.signed_by("ex/plan", &key.verifier()));
        // The same signature is that of the checkpoint's signed note.
        let note = cp.sign(&key).unwrap();
        checkpoint::open_signed(note.as_bytes(), &key.verifier()).unwrap();
        assert!(!first.signed_by("ex/other", &key.verifier()));
        let other = SignerKey::from_seed("ex/plan", &[9; 32]).unwrap();
        assert!(!first.signed_by("ex/plan", &other.verifier()));
        assert!(
            !signed(0, 6).signed_by("ex/plan", &key.verifier()),
            "another size"
        );

        assert_eq!(read_anchor(d.path()).unwrap(), None);
        let mut w = AnchorWriter::open(d.path(), &first).unwrap();
        assert_eq!(read_anchor(d.path()).unwrap(), Some(first));
        let second = AnchorRecord {
            counter: 1,
            size: 7,
            root: [3; 32],
            signature: None,
        };
        w.write(&second).unwrap();
        assert_eq!(read_anchor(d.path()).unwrap(), Some(second));
        // A write of the next record cut short: the other slot still holds the one before.
        let path = d.path().join(ANCHOR_FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[10] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(read_anchor(d.path()).unwrap(), Some(second));
        bytes[SECOND_SLOT + 10] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        assert!(read_anchor(d.path()).is_err(), "no valid record is damage");
        std::fs::write(&path, &bytes[..SLOT]).unwrap();
        assert!(read_anchor(d.path()).is_err(), "a short file is damage");
    }
}
