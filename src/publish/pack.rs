//! A publication pack in a directory: [`write`] (every file made first, then checked against what is
//! there, then written atomically, the manifest last) and [`verify`] (from the files alone: the
//! manifest's and the checkpoint's signatures, every file's SHA-256, and the canonical table's digest
//! recomputed from `table.json`).
//!
//! Invariants: nothing is written until every file is made and every existing one compared; a file of
//! the pack that exists with other bytes stops the write (changing nothing) unless `force`; no link is
//! followed and nothing is written outside the directory (and the tiles' directory) named; each file
//! replaced whole (a temporary file renamed into place, synced); the manifest is written last, so a
//! pack interrupted midway fails its check rather than passing with stale files.

use std::io;
use std::path::{Path, PathBuf};

use super::forms::{self, Encoding, TableJson};
use super::html::{self, Links};
use super::manifest::{self, MAX_MANIFEST, Manifest};
use super::{Publication, PublishError, sha256};
use crate::domain::state::canonical_table;
use crate::error::IoDoing;
use crate::evidence::mirror;
use crate::ledger::Ledger;
use crate::ledger::anchor::MAX_CHECKPOINT_BYTES;
use crate::os::safe_fs;
use crate::store::Store;
use crate::tlog::checkpoint::{self, Checkpoint};
use crate::tlog::note::{self, SignerKey, VerifierKey};

/// The manifest's file name.
pub const MANIFEST: &str = "manifest";
/// The checkpoint's file name.
pub const CHECKPOINT: &str = "checkpoint";
/// The table's JSON file name.
pub const TABLE_JSON: &str = "table.json";
/// The tiles' directory in the pack, unless another is named.
pub const TILES: &str = "tiles";
/// The largest file of a pack that [`verify`] reads (a table of a national plan is far smaller).
pub const MAX_FILE: u64 = 64 << 20;

/// The files of the pack of `p` (name and bytes), the manifest aside.
pub fn files(p: &Publication, encoding: Encoding) -> Result<Vec<(String, Vec<u8>)>, PublishError> {
    let links = Links::pack();
    let page = |r: Result<String, html::RenderError>| {
        r.map(String::into_bytes)
            .map_err(|e| PublishError::Workbook(e.to_string()))
    };
    Ok(vec![
        ("index.html".into(), page(html::round_page(p, &links))?),
        (
            "corrections.html".into(),
            page(html::corrections_page(p, &links))?,
        ),
        ("style.css".into(), html::CSS.as_bytes().to_vec()),
        ("table.csv".into(), forms::csv(p, encoding)?),
        ("table.xlsx".into(), forms::xlsx(p)?),
        (TABLE_JSON.into(), forms::json(p)?),
        (CHECKPOINT.into(), p.checkpoint_note.as_bytes().to_vec()),
    ])
}

/// The manifest of `files`, signed by `key` (the log key).
pub fn manifest_note(
    p: &Publication,
    files: &[(String, Vec<u8>)],
    key: &SignerKey,
) -> Result<String, PublishError> {
    let m = Manifest {
        origin: p.origin.clone(),
        point: p.point.id(),
        published: p.published_seq,
        table_sha256: p.table_sha256,
        size: p.checkpoint.size,
        root: p.checkpoint.root,
        files: files
            .iter()
            .map(|(name, bytes)| (name.clone(), sha256(bytes)))
            .collect(),
    };
    note::sign_note(&manifest::text(&m), key)
        .map_err(|e| PublishError::Workbook(format!("the manifest cannot be signed: {e}")))
}

/// What happened to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// It was not there: written.
    Written,
    /// It was there with the same bytes: left.
    Kept,
    /// It was there with other bytes: replaced (with `force`).
    Replaced,
}

/// What [`write`] did.
#[derive(Debug, Clone)]
pub struct Written {
    /// Each file of the pack (the manifest last) and what happened to it.
    pub files: Vec<(String, Fate)>,
    /// Where the tiles are.
    pub tiles_dir: PathBuf,
    /// What the mirror's writer did.
    pub tiles: mirror::Written,
}

fn io_error(
    what: fn(PathBuf) -> IoDoing,
    path: &Path,
) -> impl FnOnce(io::Error) -> PublishError + use<> {
    let what = what(path.to_path_buf());
    let path = path.display().to_string();
    move |error| PublishError::Io { what, path, error }
}

/// Creates `dir` if it is missing; refuses a link or a file in its place.
fn make_dir(dir: &Path) -> Result<(), PublishError> {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(PublishError::NotAFile {
            path: dir.display().to_string(),
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => std::fs::create_dir_all(dir)
            .and_then(|()| safe_fs::sync_dir(safe_fs::parent_dir(dir)))
            .map_err(io_error(IoDoing::Create, dir)),
        Err(e) => Err(io_error(IoDoing::Read, dir)(e)),
    }
}

/// What is at `dir/name` now, compared with `bytes`.
fn compare(dir: &Path, name: &str, bytes: &[u8]) -> Result<Fate, PublishError> {
    let path = dir.join(name);
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Fate::Written),
        Err(e) => return Err(io_error(IoDoing::Read, &path)(e)),
        Ok(m) if !m.is_file() => {
            return Err(PublishError::NotAFile {
                path: path.display().to_string(),
            });
        }
        Ok(_) => {}
    }
    match safe_fs::read_bounded(&path, bytes.len() as u64) {
        Ok(Some(old)) if old == bytes => Ok(Fate::Kept),
        Ok(_) => Ok(Fate::Replaced),
        Err(e) if e.kind() == io::ErrorKind::FileTooLarge => Ok(Fate::Replaced),
        Err(e) => Err(io_error(IoDoing::Read, &path)(e)),
    }
}

/// How a pack is written.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where the tiles go (default `DIR/tiles`).
    pub tiles: Option<PathBuf>,
    /// The encoding of `table.csv`.
    pub encoding: Encoding,
    /// Replace files that hold other bytes.
    pub force: bool,
}

/// Writes the pack of `p` into `dir`: its files, the manifest signed by `key`, and the tiles (the
/// static mirror of `ledger` at the pack's checkpoint). A file there with other bytes stops it before
/// anything is written, unless `force`.
pub fn write<S: Store>(
    ledger: &Ledger<S>,
    p: &Publication,
    dir: &Path,
    opts: &Options,
    key: &SignerKey,
    progress: &mut dyn FnMut(u64),
) -> Result<Written, PublishError> {
    let force = opts.force;
    let mut all = files(p, opts.encoding)?;
    let note = manifest_note(p, &all, key)?;
    all.push((MANIFEST.into(), note.into_bytes()));
    make_dir(dir)?;
    let mut fates = Vec::with_capacity(all.len());
    for (name, bytes) in &all {
        let fate = compare(dir, name, bytes)?;
        if fate == Fate::Replaced && !force {
            return Err(PublishError::Exists {
                path: dir.join(name).display().to_string(),
            });
        }
        fates.push(fate);
    }
    let tiles_dir = opts.tiles.clone().unwrap_or_else(|| dir.join(TILES));
    let written = mirror::write(
        ledger,
        &p.checkpoint,
        &p.checkpoint_note,
        &tiles_dir,
        progress,
    )?;
    for ((name, bytes), fate) in all.iter().zip(&fates) {
        if *fate != Fate::Kept {
            safe_fs::replace(dir, name, bytes)
                .map_err(io_error(IoDoing::Write, &dir.join(name)))?;
        }
    }
    Ok(Written {
        files: all.into_iter().map(|(n, _)| n).zip(fates).collect(),
        tiles_dir,
        tiles: written,
    })
}

/// The files of a pack that show its checkpoint (the checkpoint itself, the manifest naming it and the
/// pages showing it): a pack bound to a checkpoint not yet signed differs in each of them from any pack
/// already written.
pub const BOUND_TO_CHECKPOINT: [&str; 4] = ["index.html", "corrections.html", CHECKPOINT, MANIFEST];

/// Whether [`write`] of the pack of `p` into `dir` without `force` would refuse, checked before a new
/// checkpoint is signed for it (`p` bound to a provisional checkpoint): the same refusals as `write`'s
/// ([`PublishError::Exists`], [`PublishError::NotAFile`]), where each file of
/// [`BOUND_TO_CHECKPOINT`] already there counts as holding other bytes (a checkpoint still to sign is
/// in none), and every other file is compared with what the pack would hold. Writes nothing.
pub fn refuse_before_signing(
    p: &Publication,
    dir: &Path,
    encoding: Encoding,
) -> Result<(), PublishError> {
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(IoDoing::Read, dir)(e)),
        Ok(m) if !m.is_dir() => {
            return Err(PublishError::NotAFile {
                path: dir.display().to_string(),
            });
        }
        Ok(_) => {}
    }
    let mut all = files(p, encoding)?;
    all.push((MANIFEST.into(), Vec::new()));
    for (name, bytes) in &all {
        let path = dir.join(name);
        let fate = if BOUND_TO_CHECKPOINT.contains(&name.as_str()) {
            match std::fs::symlink_metadata(&path) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => Fate::Written,
                Err(e) => return Err(io_error(IoDoing::Read, &path)(e)),
                Ok(m) if !m.is_file() => {
                    return Err(PublishError::NotAFile {
                        path: path.display().to_string(),
                    });
                }
                Ok(_) => Fate::Replaced,
            }
        } else {
            compare(dir, name, bytes)?
        };
        if fate == Fate::Replaced {
            return Err(PublishError::Exists {
                path: path.display().to_string(),
            });
        }
    }
    Ok(())
}

/// Why a pack does not hold what its manifest says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackProblem {
    /// A file is missing.
    #[error("{name} is missing")]
    Missing {
        /// The file.
        name: String,
    },
    /// A file is not what its kind must be.
    #[error("{name} is damaged: {why}")]
    Damaged {
        /// The file.
        name: String,
        /// Why.
        why: String,
    },
    /// A signature does not check with the key given.
    #[error("the signature of {name} does not check: {why}")]
    Signature {
        /// The file.
        name: String,
        /// Why.
        why: String,
    },
    /// A file's SHA-256 is not the manifest's.
    #[error("{name} is not the file the manifest lists (its SHA-256 differs)")]
    Changed {
        /// The file.
        name: String,
    },
    /// The checkpoint file is not the one the manifest names.
    #[error("the checkpoint ({size} events) is not the one the manifest names")]
    OtherCheckpoint {
        /// The checkpoint file's size.
        size: u64,
    },
    /// The table's digest, recomputed from table.json, is not the one recorded.
    #[error("the table in table.json hashes to {computed}, not to the recorded {recorded}")]
    Digest {
        /// The digest the manifest (and round.published) records.
        recorded: String,
        /// The digest of table.json's rows in the canonical form.
        computed: String,
    },
}

/// What [`verify`] established.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The manifest.
    pub manifest: Manifest,
    /// The checkpoint.
    pub checkpoint: Checkpoint,
    /// Its bytes (the signed note).
    pub checkpoint_bytes: Vec<u8>,
    /// Whether the signatures were checked with a key.
    pub signature_checked: bool,
    /// The plan's name (from table.json).
    pub plan: String,
}

/// Why a pack could not be checked: a problem of its files, or one reading them.
#[derive(Debug)]
pub enum VerifyError {
    /// What is wrong with the pack.
    Problem(PackProblem),
    /// The file system refused.
    Io(PublishError),
}

impl From<PackProblem> for VerifyError {
    fn from(p: PackProblem) -> Self {
        VerifyError::Problem(p)
    }
}

fn read(dir: &Path, name: &str, max: u64) -> Result<Vec<u8>, VerifyError> {
    let path = dir.join(name);
    match safe_fs::read_bounded(&path, max) {
        Ok(Some(b)) => Ok(b),
        Ok(None) => Err(PackProblem::Missing { name: name.into() }.into()),
        Err(e) if e.kind() == io::ErrorKind::FileTooLarge => Err(PackProblem::Damaged {
            name: name.into(),
            why: format!("it is larger than the {max} bytes a file of a pack may be"),
        }
        .into()),
        Err(e) => Err(VerifyError::Io(io_error(IoDoing::Read, &path)(e))),
    }
}

/// Checks the pack in `dir` from its files alone: the manifest (a signed note; its signature by `key`
/// when given), every file it lists against its SHA-256, the checkpoint file (its signature by `key`
/// when given) against the checkpoint the manifest names, and the digest of the canonical table made
/// from table.json's rows against the one recorded.
pub fn verify(dir: &Path, key: Option<&VerifierKey>) -> Result<Checked, VerifyError> {
    let damaged = |name: &str, why: String| PackProblem::Damaged {
        name: name.into(),
        why,
    };
    let bytes = read(dir, MANIFEST, MAX_MANIFEST)?;
    let n = note::parse_note(&bytes).map_err(|e| damaged(MANIFEST, e.to_string()))?;
    if let Some(key) = key {
        note::verify_note(&n, key).map_err(|e| PackProblem::Signature {
            name: MANIFEST.into(),
            why: e.to_string(),
        })?;
    }
    let m = manifest::parse(&n.text).map_err(|why| damaged(MANIFEST, why))?;
    for required in [CHECKPOINT, TABLE_JSON] {
        if !m.files.iter().any(|(name, _)| name == required) {
            return Err(damaged(MANIFEST, format!("it does not list {required}")).into());
        }
    }
    for (name, digest) in &m.files {
        let got = read(dir, name, MAX_FILE)?;
        if sha256(&got) != *digest {
            return Err(PackProblem::Changed { name: name.clone() }.into());
        }
    }
    let cp_bytes = read(dir, CHECKPOINT, MAX_CHECKPOINT_BYTES as u64)?;
    let (cp, cp_note) =
        checkpoint::parse_signed(&cp_bytes).map_err(|e| damaged(CHECKPOINT, e.to_string()))?;
    if let Some(key) = key {
        note::verify_note(&cp_note, key).map_err(|e| PackProblem::Signature {
            name: CHECKPOINT.into(),
            why: e.to_string(),
        })?;
    }
    if cp.size != m.size || cp.root != m.root || cp.origin != m.origin {
        return Err(PackProblem::OtherCheckpoint { size: cp.size }.into());
    }
    let json = read(dir, TABLE_JSON, MAX_FILE)?;
    let t: TableJson =
        serde_json::from_slice(&json).map_err(|e| damaged(TABLE_JSON, e.to_string()))?;
    let recorded = hex::encode(m.table_sha256);
    let computed = hex::encode(sha256(
        canonical_table(&t.plan, &t.point.id, &t.items).as_bytes(),
    ));
    if computed != recorded
        || t.table_sha256 != recorded
        || t.point.id != m.point
        || t.origin != m.origin
        || t.published_seq != m.published
    {
        return Err(PackProblem::Digest { recorded, computed }.into());
    }
    Ok(Checked {
        manifest: m,
        checkpoint: cp,
        checkpoint_bytes: cp_bytes,
        signature_checked: key.is_some(),
        plan: t.plan,
    })
}
