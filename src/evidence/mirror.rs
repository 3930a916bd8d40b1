//! The static verifiable mirror: the log as C2SP tlog-tiles files ([`crate::tlog::tiles`]) that any web
//! server can serve, with the stored events beside them, and the check that rebuilds everything from
//! those files alone (`schema/FORMAT.md` section 16).
//!
//! Why: a city publishes on a web server it does not run hyoka on. With the mirror, a reader recomputes
//! the tree a signed checkpoint commits to from the entry bundles, and the chain, the rules and the
//! table from the event bundles, without the ledger and without trusting the server.
//!
//! Layout of a mirror directory:
//! - `checkpoint`: the signed checkpoint (a signed note by the log key) of the tree it serves;
//! - `tile/<L>/<N>[.p/<W>]`: the hash tiles; `tile/entries/<N>[.p/<W>]`: the entry bundles, whose
//!   entries are the tree's leaf data, the 32-byte event hashes;
//! - `events/<N>[.p/<W>]`: the stored bytes of the events of level-0 tile N, each a big-endian `u32`
//!   length and the bytes (an event is at most 1 MiB, more than a `u16` holds). Events hold no names
//!   (a person's name lives beside the log, never in it), so nothing personal is published.
//!
//! Invariants:
//! - A full tile or bundle, once written, never changes: writing a mirror again checks each existing
//!   one against the ledger and refuses, changing nothing more, if any differs. Partial ones are added
//!   for each checkpoint's size and never deleted.
//! - The checkpoint is written last, after every file it needs is durable, and only when the tree
//!   rebuilt from the events has its root.
//! - Files are created exclusively and synced, directories synced; no link is followed inside the
//!   mirror directory.

use std::io;
use std::path::{Component, Path, PathBuf};

use crate::domain::event::{self, Hash};
use crate::error::{BundleDamage, CheckpointDamage, Error, IntegrityError, IoDoing, Result};
use crate::ledger::Ledger;
use crate::ledger::anchor::MAX_CHECKPOINT_BYTES;
use crate::ledger::chain::Chain;
use crate::os::safe_fs;
use crate::store::Store;
use crate::tlog::checkpoint::{self, Checkpoint};
use crate::tlog::merkle;
use crate::tlog::note::VerifierKey;
use crate::tlog::tiles::{self, Made, Tile, TileBuilder, WIDTH};

/// The longest stored event accepted in an event bundle (as the export: 1 MiB).
const MAX_EVENT: usize = 1 << 20;

/// The name of the kind of bundle holding the stored events.
pub const EVENTS: &str = "events";

/// What [`write`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The tree size the mirror now serves.
    pub size: u64,
    /// Files written now (tiles, bundles, the checkpoint).
    pub written: u64,
    /// Files that were there already and were checked to be the same.
    pub kept: u64,
}

/// Writes the mirror of `ledger`'s first `cp.size` events into `dir` (created if missing), with
/// `signed` (the signed note of `cp`) as its checkpoint. `progress` gets the events done now and then.
pub fn write<S: Store>(
    ledger: &Ledger<S>,
    cp: &Checkpoint,
    signed: &str,
    dir: &Path,
    progress: &mut dyn FnMut(u64),
) -> Result<Written> {
    if cp.size > ledger.len() {
        return Err(IntegrityError::LedgerShorterThanCheckpoint {
            ledger: ledger.len(),
            checkpoint: cp.size,
        }
        .into());
    }
    make_dir(dir)?;
    let mut out = Writer {
        dir,
        written: 0,
        kept: 0,
    };
    let mut builder = TileBuilder::new();
    let mut entries: Vec<u8> = Vec::new();
    let mut events: Vec<u8> = Vec::new();
    let mut root = merkle::StreamingRoot::default();
    let mut in_bundle = 0usize;
    let mut bundle = 0u64;
    let size = cp.size;
    {
        ledger.scan_with_bytes(0, size, &mut |e, bytes| {
            let hash = e.hash;
            root.push(merkle::leaf_hash(&hash));
            entries.extend(tiles::bundle_entry(&hash).unwrap_or_default());
            events.extend(event_entry(bytes)?);
            in_bundle += 1;
            for made in builder.push(&hash) {
                out.put(&made.tile.path(), &made.data)?;
            }
            if in_bundle == WIDTH {
                out.bundles(bundle, in_bundle, &entries, &events)?;
                entries.clear();
                events.clear();
                in_bundle = 0;
                bundle += 1;
            }
            if e.event.seq % 4096 == 0 {
                progress(e.event.seq);
            }
            Ok(true)
        })?;
    }
    if builder.size() != size {
        return Err(IntegrityError::LedgerShorterThanCheckpoint {
            ledger: builder.size(),
            checkpoint: size,
        }
        .into());
    }
    if root.root() != cp.root {
        return Err(IntegrityError::CheckpointRootMismatch {
            size,
            ledger: event::hex(&root.root()),
            checkpoint: event::hex(&cp.root),
        }
        .into());
    }
    for made in builder.partials() {
        out.put(&made.tile.path(), &made.data)?;
    }
    if in_bundle > 0 {
        out.bundles(bundle, in_bundle, &entries, &events)?;
    }
    // The checkpoint moves on with the log (a mutable file of the spec): replaced, unless it is the
    // same.
    let old = safe_fs::read_bounded(&dir.join("checkpoint"), MAX_CHECKPOINT_BYTES as u64);
    match old {
        Ok(Some(b)) if b == signed.as_bytes() => out.kept += 1,
        _ => {
            safe_fs::replace(dir, "checkpoint", signed.as_bytes())
                .map_err(Error::io(IoDoing::WriteMirrorCheckpoint))?;
            out.written += 1;
        }
    }
    progress(size);
    Ok(Written {
        size,
        written: out.written,
        kept: out.kept,
    })
}

/// One event of an event bundle: its length as a big-endian `u32`, then its stored bytes.
fn event_entry(bytes: &[u8]) -> Result<Vec<u8>> {
    let len = u32::try_from(bytes.len())
        .ok()
        .filter(|&l| l as usize <= MAX_EVENT)
        .ok_or_else(|| Error::Internal(format!("an event of {} bytes", bytes.len())))?;
    let mut out = Vec::with_capacity(4 + bytes.len());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(out)
}

/// The stored events of an event bundle, which must hold `expected` of them and nothing after.
fn read_events(bytes: &[u8], expected: usize) -> std::result::Result<Vec<&[u8]>, BundleDamage> {
    let mut out = Vec::with_capacity(expected.min(WIDTH));
    let mut rest = bytes;
    while !rest.is_empty() && out.len() < expected {
        let Some((len, tail)) = rest.split_first_chunk::<4>() else {
            return Err(BundleDamage::EndsInsideEvent(out.len()));
        };
        let len = u32::from_be_bytes(*len) as usize;
        if len > MAX_EVENT || tail.len() < len {
            return Err(BundleDamage::EndsInsideEvent(out.len()));
        }
        let (one, tail) = tail.split_at(len);
        out.push(one);
        rest = tail;
    }
    match (out.len() == expected, rest.is_empty()) {
        (true, true) => Ok(out),
        (true, false) => Err(BundleDamage::BytesAfter(expected)),
        (false, _) => Err(BundleDamage::EventCount {
            found: out.len(),
            expected,
        }),
    }
}

/// Writes the files of a mirror: new ones created exclusively, existing ones checked.
struct Writer<'a> {
    dir: &'a Path,
    written: u64,
    kept: u64,
}

impl Writer<'_> {
    /// Puts the entry bundle and the event bundle of level-0 tile `index`, of `width` leaves.
    fn bundles(&mut self, index: u64, width: usize, entries: &[u8], events: &[u8]) -> Result<()> {
        let tile = Tile {
            level: 0,
            index,
            width: width as u16,
        };
        self.put(&tile.entries_path(), entries)?;
        self.put(&tile.named(EVENTS), events)
    }

    /// Puts `data` at `rel` (a path made by [`Tile`]): writes it if it is new, else checks that it
    /// holds the same bytes (a full tile never changes; a partial one is the same for the same size).
    fn put(&mut self, rel: &str, data: &[u8]) -> Result<()> {
        let (parent, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        let dir = make_dirs(self.dir, parent)?;
        let path = dir.join(name);
        match safe_fs::read_bounded(&path, data.len() as u64 + 1) {
            Ok(Some(old)) if old == data => {
                self.kept += 1;
                return Ok(());
            }
            Ok(Some(_)) => return Err(Error::MirrorConflict(rel.to_string())),
            Err(e) if e.kind() == io::ErrorKind::FileTooLarge => {
                return Err(Error::MirrorConflict(rel.to_string()));
            }
            Ok(None) => {}
            Err(e) => return Err(Error::io(IoDoing::ReadMirror)(e)),
        }
        safe_fs::write_new(&dir, name, data).map_err(Error::io(IoDoing::WriteMirror))?;
        self.written += 1;
        Ok(())
    }
}

/// Creates `dir` (and its missing parents) if it is missing; refuses a link or a file in its place.
fn make_dir(dir: &Path) -> Result<()> {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(Error::MirrorConflict(dir.display().to_string())),
        // The directory the caller named, with any parents missing (not inside a mirror: no link
        // of the mirror's own is followed).
        Err(e) if e.kind() == io::ErrorKind::NotFound => std::fs::create_dir_all(dir)
            .and_then(|()| safe_fs::sync_dir(safe_fs::parent_dir(dir)))
            .map_err(Error::io(IoDoing::CreateMirrorDir)),
        Err(e) => Err(Error::io(IoDoing::ReadMirrorDir)(e)),
    }
}

/// Creates the directories of `rel` under `base`, one by one, never through a link; returns the last.
fn make_dirs(base: &Path, rel: &str) -> Result<PathBuf> {
    let mut dir = base.to_path_buf();
    for part in rel.split('/').filter(|p| !p.is_empty()) {
        let next = dir.join(part);
        match std::fs::symlink_metadata(&next) {
            Ok(m) if m.is_dir() => {}
            Ok(m) if m.file_type().is_symlink() => {
                return Err(Error::io(IoDoing::WriteMirror)(io::Error::other(
                    safe_fs::LinkRefused::InMirror(next),
                )));
            }
            Ok(_) => return Err(Error::MirrorConflict(rel.to_string())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                std::fs::create_dir(&next)
                    .and_then(|()| safe_fs::sync_dir(&dir))
                    .map_err(Error::io(IoDoing::CreateMirrorSubdir))?;
            }
            Err(e) => return Err(Error::io(IoDoing::ReadMirror)(e)),
        }
        dir = next;
    }
    Ok(dir)
}

/// Where a mirror is read from: a directory ([`Dir`]), or what a front end fetches (over HTTP).
pub trait Source {
    /// The bytes of the file at `rel` (a path made by [`Tile`], or `checkpoint`), at most `max` bytes;
    /// `None` when there is no such file.
    fn get(&self, rel: &str, max: u64) -> Result<Option<Vec<u8>>>;
}

/// A mirror in a directory.
pub struct Dir<'a>(pub &'a Path);

impl Source for Dir<'_> {
    fn get(&self, rel: &str, max: u64) -> Result<Option<Vec<u8>>> {
        let safe = Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        if !safe {
            return Ok(None);
        }
        match safe_fs::read_bounded(&self.0.join(rel), max) {
            Ok(b) => Ok(b),
            // Larger than any valid file of its kind.
            Err(e) if e.kind() == io::ErrorKind::FileTooLarge => {
                Err(IntegrityError::MirrorBundleDamaged {
                    path: rel.to_string(),
                    why: BundleDamage::TooBig(max),
                }
                .into())
            }
            Err(e) => Err(Error::io(IoDoing::ReadMirror)(e)),
        }
    }
}

/// What [`verify`] established.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The mirror's checkpoint.
    pub checkpoint: Checkpoint,
    /// Whether its signature was checked with the key given.
    pub signature_checked: bool,
    /// Tiles checked (hash tiles, entry bundles and event bundles).
    pub files: u64,
    /// The state the events fold to (its table is the table as the log stands at the checkpoint).
    pub state: crate::domain::state::State,
    /// The hash of the last event.
    pub head: Hash,
}

/// Checks a mirror from its files alone: the checkpoint's signature by `key` (when given), every entry
/// bundle and event bundle of the checkpoint's tree, each event against its entry, the chain and the
/// rules over the events, every tile against the tree they make, and the root against the checkpoint.
pub fn verify(
    src: &dyn Source,
    key: Option<&VerifierKey>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Verified> {
    let bytes = src
        .get("checkpoint", MAX_CHECKPOINT_BYTES as u64)?
        .ok_or_else(|| missing("checkpoint"))?;
    let (cp, note) = checkpoint::parse_signed(&bytes)
        .map_err(|e| IntegrityError::SignedCheckpointDamaged(CheckpointDamage::Malformed(e)))?;
    if let Some(key) = key {
        crate::evidence::transparency::check_note_signature(&note, key)?;
    }
    let mut chain = Chain::default();
    let mut builder = TileBuilder::new();
    let mut files = 0u64;
    let size = cp.size;
    let mut index = 0u64;
    let check_tile = |made: &Made, files: &mut u64| -> Result<()> {
        let rel = made.tile.path();
        let max = (tiles::WIDTH * merkle::HASH_SIZE) as u64;
        let got = src.get(&rel, max)?.ok_or_else(|| missing(&rel))?;
        if got != made.data {
            return Err(IntegrityError::MirrorFileMismatch {
                path: rel,
                first_seq: tile_start(made.tile),
            }
            .into());
        }
        *files += 1;
        Ok(())
    };
    while index * (WIDTH as u64) < size {
        let first = index * WIDTH as u64;
        let width = (size - first).min(WIDTH as u64) as u16;
        let tile = Tile {
            level: 0,
            index,
            width,
        };
        let rel = tile.entries_path();
        let bundle = src
            .get(&rel, (WIDTH * (2 + merkle::HASH_SIZE)) as u64)?
            .ok_or_else(|| missing(&rel))?;
        let entries = tiles::read_bundle(&bundle, usize::from(width)).map_err(|e| {
            IntegrityError::MirrorBundleDamaged {
                path: rel.clone(),
                why: BundleDamage::Entries(e),
            }
        })?;
        let rel_events = tile.named(EVENTS);
        let stored = src
            .get(&rel_events, (WIDTH * (4 + MAX_EVENT)) as u64)?
            .ok_or_else(|| missing(&rel_events))?;
        let events = read_events(&stored, usize::from(width)).map_err(|why| {
            IntegrityError::MirrorBundleDamaged {
                path: rel_events.clone(),
                why,
            }
        })?;
        files += 2;
        for (i, (entry, bytes)) in entries.iter().zip(&events).enumerate() {
            let seq = first + i as u64;
            let e = chain.push(bytes)?;
            if *entry != e.hash.as_slice() {
                return Err(IntegrityError::MirrorEntryMismatch {
                    seq,
                    path: rel.clone(),
                }
                .into());
            }
            for made in builder.push(entry) {
                check_tile(&made, &mut files)?;
            }
        }
        progress(first + u64::from(width), size);
        index += 1;
    }
    for made in builder.partials() {
        check_tile(&made, &mut files)?;
    }
    chain.finish()?;
    if chain.root() != cp.root {
        return Err(IntegrityError::CheckpointRootMismatch {
            size,
            ledger: event::hex(&chain.root()),
            checkpoint: event::hex(&cp.root),
        }
        .into());
    }
    if let Some(origin) = chain.origin()
        && origin != cp.origin
    {
        return Err(IntegrityError::CheckpointOtherOrigin {
            ledger: origin.to_string(),
            checkpoint: cp.origin,
        }
        .into());
    }
    Ok(Verified {
        signature_checked: key.is_some(),
        files,
        state: chain.state().clone(),
        head: chain.head(),
        checkpoint: cp,
    })
}

/// The first event a tile covers.
fn tile_start(t: Tile) -> u64 {
    let span = (WIDTH as u64).saturating_pow(u32::from(t.level));
    t.index.saturating_mul(WIDTH as u64).saturating_mul(span)
}

fn missing(rel: &str) -> Error {
    IntegrityError::MirrorFileMissing {
        path: rel.to_string(),
    }
    .into()
}
