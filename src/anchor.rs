//! Anchors: durable records, outside the journal, of a tree size and its root, and the ledger's log key.
//!
//! Why: a small append is acknowledged once its journal record is synced (`store::journal`). If the
//! journal file is later lost, emptied or cut at a record boundary, the events in it are gone and what
//! remains is a shorter, perfectly consistent history. The journal's generation (recorded by the store)
//! catches a missing, emptied or replaced file; only an anchor catches a cut at a record boundary. Two
//! kinds of anchor exist:
//!
//! - the **head record's anchor** (`anchor SIZE ROOT` in `HEAD`, see `ledger`), written after every
//!   commit when the ledger anchors every commit (switched on per ledger);
//! - the **signed checkpoint** in `CHECKPOINT`, signed with the ledger's **log key**: written after
//!   every commit when the writer holds the log key, and by every signing.
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

use std::path::Path;

use crate::checkpoint::{self, Checkpoint};
use crate::error::{Error, IntegrityError, Result};
use crate::note::{self, Note, NoteError, SignerKey, VerifierKey};
use crate::safe_fs;

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

fn io_err(doing: String) -> impl FnOnce(std::io::Error) -> Error {
    Error::io(doing)
}

/// The ledger's log key (its verifier key), if one was set.
pub fn log_key(dir: &Path) -> Result<Option<VerifierKey>> {
    let path = dir.join(LOG_KEY_FILE);
    let Some(bytes) = safe_fs::read_bounded(&path, MAX_KEY_BYTES)
        .map_err(io_err(format!("cannot read {}", path.display())))?
    else {
        return Ok(None);
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| IntegrityError::LogKeyDamaged(format!("{} is not UTF-8", path.display())))?;
    VerifierKey::parse(text.trim())
        .map(Some)
        .map_err(|e| IntegrityError::LogKeyDamaged(format!("{}: {e}", path.display())).into())
}

/// Records `key` as the ledger's log key. The first key is kept; the same key again changes nothing; a
/// different one is refused (one log key per ledger).
pub fn set_log_key(dir: &Path, origin: &str, key: &VerifierKey) -> Result<bool> {
    if key.name() != origin {
        return Err(Error::Invalid(format!(
            "the key is named {} but the ledger's origin is {origin}: a log key is named after the ledger's origin",
            key.name()
        )));
    }
    match log_key(dir)? {
        Some(k) if k.to_text() == key.to_text() => Ok(false),
        Some(k) => Err(Error::Invalid(format!(
            "the ledger already has another log key ({}+{:08x}); give that key's file",
            k.name(),
            k.key_id()
        ))),
        None => {
            let text = format!("{}\n", key.to_text());
            safe_fs::replace(dir, LOG_KEY_FILE, text.as_bytes()).map_err(io_err(format!(
                "cannot write {}",
                dir.join(LOG_KEY_FILE).display()
            )))?;
            Ok(true)
        }
    }
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
            return Err(damaged(e.to_string()).into());
        }
        Err(e) => return Err(Error::io(format!("cannot read {}", path.display()))(e)),
    };
    let (checkpoint, note) =
        checkpoint::parse_signed(&bytes).map_err(|e| damaged(e.to_string()))?;
    if !note.is_signed() {
        return Err(damaged("it is not signed".into()).into());
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
    let Some(key) = log_key(dir)? else {
        return Ok(None);
    };
    // A damaged file is no anchor (verify reports it); only a verified one counts.
    let Ok(Some(kept)) = kept_checkpoint(dir) else {
        return Ok(None);
    };
    match check_signature(&kept.note, Some(&key)) {
        Signature::Verified { .. } => Ok(Some(kept.checkpoint)),
        _ => Ok(None),
    }
}

/// Records `note` (a signed checkpoint) as the ledger's last signed checkpoint, durably.
pub fn keep_checkpoint(dir: &Path, note: &str) -> Result<()> {
    safe_fs::replace(dir, CHECKPOINT_FILE, note.as_bytes()).map_err(io_err(format!(
        "cannot write {}",
        dir.join(CHECKPOINT_FILE).display()
    )))
}

/// Signs `cp` with `key` and keeps it as the last signed checkpoint.
pub fn sign_and_keep(dir: &Path, cp: &Checkpoint, key: &SignerKey) -> Result<String> {
    let note = cp
        .sign(key)
        .map_err(|e| Error::Invalid(format!("cannot sign the checkpoint: {e}")))?;
    keep_checkpoint(dir, &note)?;
    Ok(note)
}

/// Moves the kept checkpoint aside to `CHECKPOINT.bad-<UTC time>` (a number added if taken), never
/// deleting it, and returns the new name.
pub fn move_aside(dir: &Path, now: i64) -> Result<String> {
    let base = format!("{BAD_CHECKPOINT_PREFIX}{}", crate::when::file_stamp(now));
    let from = dir.join(CHECKPOINT_FILE);
    safe_fs::refuse_link(&from).map_err(io_err(format!("cannot move {}", from.display())))?;
    for n in 1..1000 {
        let name = match n {
            1 => base.clone(),
            n => format!("{base}-{n}"),
        };
        let to = dir.join(&name);
        if std::fs::symlink_metadata(&to).is_ok() {
            continue;
        }
        std::fs::rename(&from, &to)
            .and_then(|()| safe_fs::sync_dir(dir))
            .map_err(io_err(format!("cannot move {} aside", from.display())))?;
        return Ok(name);
    }
    Err(Error::Invalid(format!(
        "cannot move {} aside: too many files named {base}*",
        from.display()
    )))
}
