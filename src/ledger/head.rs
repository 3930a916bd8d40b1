//! The head record (`HEAD`): what the store itself holds, kept beside it and written with fsync +
//! rename, so that a store that lost events it had taken is caught (schema/FORMAT.md section 6).

use std::path::Path;

use crate::domain::event::{self, Hash, ZERO_HASH};
use crate::error::{Error, HeadDamage, IntegrityError, IoDoing, Result};
use crate::os::safe_fs;

/// The head record's file name in a ledger directory.
pub(super) const HEAD_FILE: &str = "HEAD";
const HEAD_MAGIC: &str = "hyoka-head v1";
const HEAD_MAGIC_V2: &str = "hyoka-head v2";
/// The largest head record read (a few lines).
const MAX_HEAD_BYTES: u64 = 4096;

/// The head record kept beside the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct HeadRecord {
    pub(super) events: u64,
    pub(super) hash: Hash,
    /// Whether every commit is anchored in the anchor record, by every writer (version 2).
    pub(super) anchoring: bool,
    /// Whether the ledger has an anchor record, which must then never be missing (version 2).
    pub(super) anchored: bool,
}

impl HeadRecord {
    pub(super) const EMPTY: HeadRecord = HeadRecord {
        events: 0,
        hash: ZERO_HASH,
        anchoring: false,
        anchored: false,
    };
}

pub(super) fn head_text(h: &HeadRecord) -> String {
    let mut body = format!(
        "{}\nevents {}\nhash {}\n",
        match h.anchored || h.anchoring {
            true => HEAD_MAGIC_V2,
            false => HEAD_MAGIC,
        },
        h.events,
        event::hex(&h.hash)
    );
    if h.anchored || h.anchoring {
        body.push_str(match h.anchoring {
            true => "anchoring every-commit\n",
            false => "anchoring off\n",
        });
    }
    let check = blake3::hash(body.as_bytes());
    format!("{body}check {}\n", check.to_hex())
}

pub(super) fn parse_head(text: &str) -> Result<HeadRecord, IntegrityError> {
    let bad = IntegrityError::HeadRecordDamaged;
    let (body, check) = text
        .rsplit_once("check ")
        .ok_or_else(|| bad(HeadDamage::NoCheckLine))?;
    if blake3::hash(body.as_bytes()).to_hex().as_str() != check.trim_end() {
        return Err(bad(HeadDamage::Checksum));
    }
    let mut lines = body.lines();
    let v2 = match lines.next() {
        Some(HEAD_MAGIC) => false,
        Some(HEAD_MAGIC_V2) => true,
        _ => return Err(bad(HeadDamage::UnknownFormat)),
    };
    let events = lines
        .next()
        .and_then(|l| l.strip_prefix("events "))
        .and_then(|n| n.parse::<u64>().ok())
        .ok_or_else(|| bad(HeadDamage::NoEventCount))?;
    let mut hash = [0u8; 32];
    lines
        .next()
        .and_then(|l| l.strip_prefix("hash "))
        .and_then(|h| hex::decode_to_slice(h, &mut hash).ok())
        .ok_or_else(|| bad(HeadDamage::NoHash))?;
    let mut h = HeadRecord {
        events,
        hash,
        anchoring: false,
        anchored: v2,
    };
    if v2 {
        match lines.next() {
            Some("anchoring every-commit") => h.anchoring = true,
            Some("anchoring off") => {}
            _ => return Err(bad(HeadDamage::NoAnchoringLine)),
        }
    }
    match lines.next() {
        None => Ok(h),
        Some(_) => Err(bad(HeadDamage::LineAfter)),
    }
}

pub(super) fn sync_dir(dir: &Path) -> Result<()> {
    safe_fs::sync_dir(dir).map_err(Error::io(IoDoing::Sync(dir.to_path_buf())))
}

pub(super) fn write_head(dir: &Path, h: &HeadRecord) -> Result<()> {
    safe_fs::replace(dir, HEAD_FILE, head_text(h).as_bytes())
        .map_err(Error::io(IoDoing::WriteHead(dir.to_path_buf())))
}

pub(super) fn read_head(dir: &Path) -> Result<Option<HeadRecord>> {
    let path = dir.join(HEAD_FILE);
    match safe_fs::read_bounded(&path, MAX_HEAD_BYTES) {
        Ok(Some(bytes)) => {
            let text = String::from_utf8(bytes)
                .map_err(|_| IntegrityError::HeadRecordDamaged(HeadDamage::NotUtf8))?;
            Ok(Some(parse_head(&text)?))
        }
        Ok(None) => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
            Err(IntegrityError::HeadRecordDamaged(HeadDamage::TooBig(MAX_HEAD_BYTES)).into())
        }
        Err(e) => Err(Error::io(IoDoing::Read(path))(e)),
    }
}
