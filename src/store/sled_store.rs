//! The sled engine (sled 0.34.7): the only module that touches sled.
//!
//! Layout, in sled's default tree:
//! - `E` + chunk number (u64 big-endian): up to [`EVENTS_PER_CHUNK`] events, each as a u32
//!   little-endian length followed by the event's stored bytes. Packing events keeps sled's memory and
//!   disk use low (one key per event costs ~15x the memory on 1M events).
//! - `T` + chunk number: up to [`HASHES_PER_CHUNK`] Merkle tree hashes of 32 bytes.
//! - `M`: the commit record (see [`encode_meta`]), written in the same atomic batch as the last chunks.
//! - Derived data (the ledger's, opaque here), written only in the commit's atomic batch: `D` the
//!   derived-data record; `X` + item (u32 big-endian) + block (u64 big-endian, seq / [`REF_BLOCK`]): the
//!   seqs of that item's events in the block, u64 little-endian each; `A` + seq (u64 big-endian): a
//!   state snapshot taken after that event. Snapshots are large (megabytes) and sled rewrites a whole leaf
//!   when it consolidates one, so their prefix sorts before every other key: they never share a leaf
//!   with the commit record or the open chunks, which every append rewrites.
//!
//! An append writes whole chunks first (possibly in several sled batches for a large import), then the
//! final chunks and the commit record in one atomic batch. Readers never look past the commit record, so
//! an abandoned or killed append leaves nothing visible, and the next append rewrites the open chunk
//! from its committed prefix. Durability: sled's `flush` ends in `sync_file_range`, which survives a
//! killed process but not a power cut, so every commit also `fsync`s sled's files and directory.
//! sled panics on some damaged files; every call into sled is wrapped so a panic becomes an error.
//!
//! Full disks: sled 0.34.7 mishandles running out of space. After a write fails with ENOSPC, dropping
//! the `Db` waits forever for a flush that cannot finish, and opening the store while the disk is still
//! full can damage it for good (its recovery rewrites files and is cut short). So the store refuses to
//! open, and to start an append, when the disk has less than [`MIN_FREE_BYTES`] free, and a `Db` whose
//! write failed is never dropped (its memory and file lock are released when the process exits).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::OsString;
use std::fs::File;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use super::{Committed, Store, StoreError, StoreResult, StoreWriter};
use crate::event::Hash;

/// Events per `E` chunk.
pub const EVENTS_PER_CHUNK: u64 = 64;
/// Tree hashes per `T` chunk.
pub const HASHES_PER_CHUNK: u64 = 128;
/// Bytes of whole chunks collected before they are handed to sled during a large append.
const PENDING_BYTES: usize = 4 << 20;

/// Free space the disk holding the store must keep for it to be opened or written (16 MiB): far more
/// than sled's recovery and one append need. `HYOKA_MIN_FREE_BYTES` overrides it (tests of full disks).
pub const MIN_FREE_BYTES: u64 = 16 << 20;
/// Seqs per `X` index block.
pub const REF_BLOCK: u64 = 65_536;
const DERIVED_KEY: &[u8] = b"D";
/// Prefix of snapshot keys (see the module's layout).
const SNAPSHOT_PREFIX: u8 = b'A';
const _: () = assert!(SNAPSHOT_PREFIX < DERIVED_KEY[0] && SNAPSHOT_PREFIX < b'E');

const META_KEY: &[u8] = b"M";
const META_MAGIC: &[u8; 16] = b"hyoka-store-v1\0\0";
const META_LEN: usize = 16 + 8 + 8 + 32 + 32;

/// A ledger's event store in sled.
pub struct SledStore {
    db: sled::Db,
    dir: PathBuf,
    synced: HashMap<PathBuf, (u64, Option<SystemTime>)>,
    /// Names of the blob files fsynced by this process.
    synced_blobs: HashSet<OsString>,
    /// A write or flush failed: sled's own `Drop` could then block forever (see the module doc).
    write_failed: AtomicBool,
}

impl Drop for SledStore {
    fn drop(&mut self) {
        if self.write_failed.load(Ordering::Relaxed) {
            // Keep one handle alive forever so that sled's final flush never runs.
            std::mem::forget(self.db.clone());
        }
    }
}

/// Refuses to go on when the disk holding `dir` has less than [`MIN_FREE_BYTES`] free.
pub(crate) fn check_free_space(dir: &Path, doing: &str) -> StoreResult<()> {
    let min = std::env::var("HYOKA_MIN_FREE_BYTES")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(MIN_FREE_BYTES);
    free_space_at_least(dir, doing, min)
}

fn free_space_at_least(dir: &Path, doing: &str, min: u64) -> StoreResult<()> {
    let free = fs2::available_space(dir).map_err(io(format!(
        "cannot tell the free space of the disk holding {}",
        dir.display()
    )))?;
    if free >= min {
        return Ok(());
    }
    Err(StoreError::Io {
        context: format!("cannot {doing} {}", dir.display()),
        source: std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            format!(
                "the disk has {} KiB free, and hyoka needs {} KiB free to use the ledger safely",
                free / 1024,
                min / 1024
            ),
        ),
    })
}

/// A sled error in plain words.
fn sled_error(what: &str, e: sled::Error) -> StoreError {
    match e {
        sled::Error::Io(source) => StoreError::Io {
            context: what.to_string(),
            source,
        },
        sled::Error::Corruption { .. } => StoreError::Damaged(format!(
            "{what}: its files hold damaged data (a checksum does not match)"
        )),
        sled::Error::Unsupported(_) => StoreError::Damaged(format!(
            "{what}: the storage engine does not recognise its files (damaged, or not written by hyoka)"
        )),
        sled::Error::CollectionNotFound(_) => {
            StoreError::Missing(format!("{what}: part of the store is missing"))
        }
        sled::Error::ReportableBug(m) => {
            StoreError::Damaged(format!("{what}: the storage engine failed ({m})"))
        }
    }
}

fn guard<T>(what: &str, f: impl FnOnce() -> sled::Result<T>) -> StoreResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(sled_error(what, e)),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("no message");
            Err(StoreError::Damaged(format!(
                "{what}: the storage engine crashed reading its files ({msg})"
            )))
        }
    }
}

fn key(prefix: u8, chunk: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = prefix;
    k[1..].copy_from_slice(&chunk.to_be_bytes());
    k
}

fn ref_key(item: u32, block: u64) -> [u8; 13] {
    let mut k = [0u8; 13];
    k[0] = b'X';
    k[1..5].copy_from_slice(&item.to_be_bytes());
    k[5..].copy_from_slice(&block.to_be_bytes());
    k
}

/// The seqs of one `X` block; `None` if its length is not a whole number of seqs.
fn split_refs(v: &[u8]) -> Option<Vec<u64>> {
    if !v.len().is_multiple_of(8) {
        return None;
    }
    v.chunks_exact(8)
        .map(|c| c.try_into().ok().map(u64::from_le_bytes))
        .collect()
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> StoreError {
    let context = context.into();
    move |source| StoreError::Io { context, source }
}

/// The commit record: magic, event count, tree-hash count, head hash, and a BLAKE3 checksum of all that.
fn encode_meta(c: &Committed) -> Vec<u8> {
    let mut v = Vec::with_capacity(META_LEN);
    v.extend_from_slice(META_MAGIC);
    v.extend_from_slice(&c.events.to_le_bytes());
    v.extend_from_slice(&c.tree_hashes.to_le_bytes());
    v.extend_from_slice(&c.head_hash);
    let sum = blake3::hash(&v);
    v.extend_from_slice(sum.as_bytes());
    v
}

fn decode_meta(v: &[u8]) -> StoreResult<Committed> {
    let bad = || StoreError::Damaged("the store's commit record is damaged".to_string());
    if v.len() != META_LEN || &v[..16] != META_MAGIC {
        return Err(bad());
    }
    let (body, sum) = v.split_at(META_LEN - 32);
    if blake3::hash(body).as_bytes() != sum {
        return Err(bad());
    }
    let u = |r: std::ops::Range<usize>| -> StoreResult<u64> {
        let b: [u8; 8] = body
            .get(r)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(bad)?;
        Ok(u64::from_le_bytes(b))
    };
    let mut head_hash = [0u8; 32];
    head_hash.copy_from_slice(&body[32..64]);
    Ok(Committed {
        events: u(16..24)?,
        tree_hashes: u(24..32)?,
        head_hash,
    })
}

/// Splits an `E` chunk into its records; `None` if the framing is broken.
fn split_records(chunk: &[u8]) -> Option<Vec<&[u8]>> {
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

impl SledStore {
    /// Opens (creating if needed) the sled store in `dir`.
    ///
    /// The caller holds the ledger's own lock, so a sled lock held by someone else can only be a handle
    /// that is still closing (sled releases its file lock from background threads shortly after the last
    /// handle is dropped). That is waited for, briefly, rather than reported as a busy ledger.
    pub fn open(dir: &Path) -> StoreResult<SledStore> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            match Self::open_once(dir) {
                Err(StoreError::Locked) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                other => return other,
            }
        }
    }

    fn open_once(dir: &Path) -> StoreResult<SledStore> {
        std::fs::create_dir_all(dir).map_err(io(format!("cannot create {}", dir.display())))?;
        check_free_space(dir, "open the store in")?;
        let config = sled::Config::new()
            .path(dir)
            .cache_capacity(64 << 20)
            .mode(sled::Mode::HighThroughput)
            .flush_every_ms(None);
        let what = format!("cannot open the store in {}", dir.display());
        let db = match catch_unwind(AssertUnwindSafe(|| config.open())) {
            Ok(Ok(db)) => db,
            Ok(Err(sled::Error::Io(e))) if e.kind() == std::io::ErrorKind::WouldBlock => {
                return Err(StoreError::Locked);
            }
            Ok(Err(sled::Error::Io(e))) if e.to_string().contains("could not acquire lock") => {
                return Err(StoreError::Locked);
            }
            Ok(Err(e)) => return Err(sled_error(&what, e)),
            Err(_) => {
                return Err(StoreError::Damaged(format!(
                    "{what}: the storage engine crashed reading its files, which are damaged"
                )));
            }
        };
        let mut store = SledStore {
            db,
            dir: dir.to_path_buf(),
            synced: HashMap::new(),
            synced_blobs: HashSet::new(),
            write_failed: AtomicBool::new(false),
        };
        // The first commit of this process syncs every file once.
        store.synced.clear();
        Ok(store)
    }

    fn reading(&self) -> String {
        format!("cannot read the store in {}", self.dir.display())
    }

    fn writing(&self) -> String {
        format!("cannot write the store in {}", self.dir.display())
    }

    /// Runs a sled write, remembering a failure (see [`SledStore`]'s `Drop`).
    fn write<T>(&self, what: &str, f: impl FnOnce() -> sled::Result<T>) -> StoreResult<T> {
        let r = guard(what, f);
        if r.is_err() {
            self.write_failed.store(true, Ordering::Relaxed);
        }
        r
    }

    /// fsyncs sled's files that changed since the last sync, and the directories.
    fn sync_files(&mut self) -> StoreResult<()> {
        let not_found = |e: &std::io::Error| e.kind() == std::io::ErrorKind::NotFound;
        // sled's own files (db, conf, snapshots): those whose size or time changed.
        let mut changed_listing = false;
        let mut seen = HashSet::new();
        let entries = std::fs::read_dir(&self.dir)
            .map_err(io(format!("cannot list {}", self.dir.display())))?;
        for entry in entries {
            let entry = entry.map_err(io(format!("cannot list {}", self.dir.display())))?;
            let path = entry.path();
            let meta = match entry.metadata() {
                Err(e) if not_found(&e) => continue,
                m => m.map_err(io(format!("cannot stat {}", path.display())))?,
            };
            if !meta.is_file() {
                continue;
            }
            let stamp = (meta.len(), meta.modified().ok());
            if self.synced.get(&path) == Some(&stamp) {
                seen.insert(path);
                continue;
            }
            changed_listing |= !self.synced.contains_key(&path);
            match File::open(&path).and_then(|f| f.sync_all()) {
                Err(e) if not_found(&e) => continue,
                r => r.map_err(io(format!("cannot fsync {}", path.display())))?,
            }
            seen.insert(path.clone());
            self.synced.insert(path, stamp);
        }
        self.synced.retain(|p, _| seen.contains(p));
        // Blobs: sled 0.34.7 writes each blob file once (create_new) and never changes it, so each new
        // name is fsynced once and known names are skipped without a stat: a commit's cost does not grow
        // with the number of blobs, which grows with the log. sled removes superseded blobs in the
        // background, so a file listed a moment ago may be gone; a removed file needs no fsync.
        let blobs = self.dir.join("blobs");
        let mut new_blobs = false;
        if blobs.is_dir() {
            let mut names = HashSet::with_capacity(self.synced_blobs.len() + 16);
            let entries = std::fs::read_dir(&blobs)
                .map_err(io(format!("cannot list {}", blobs.display())))?;
            for entry in entries {
                let name = entry
                    .map_err(io(format!("cannot list {}", blobs.display())))?
                    .file_name();
                if !self.synced_blobs.contains(&name) {
                    let path = blobs.join(&name);
                    match File::open(&path).and_then(|f| f.sync_all()) {
                        Err(e) if not_found(&e) => continue,
                        r => r.map_err(io(format!("cannot fsync {}", path.display())))?,
                    }
                    new_blobs = true;
                }
                names.insert(name);
            }
            self.synced_blobs = names;
        }
        // The directories, when they gained entries (the first commit of a process syncs everything).
        if changed_listing {
            File::open(&self.dir)
                .and_then(|f| f.sync_all())
                .map_err(io(format!("cannot fsync {}", self.dir.display())))?;
        }
        if new_blobs {
            File::open(&blobs)
                .and_then(|f| f.sync_all())
                .map_err(io(format!("cannot fsync {}", blobs.display())))?;
        }
        Ok(())
    }

    fn get(&self, k: &[u8]) -> StoreResult<Option<sled::IVec>> {
        guard(&self.reading(), || self.db.get(k))
    }

    fn hash_chunk(&self, chunk: u64) -> StoreResult<Vec<u8>> {
        self.get(&key(b'T', chunk))?
            .map(|v| v.to_vec())
            .ok_or_else(|| StoreError::Missing(format!("tree-hash chunk {chunk} is missing")))
    }

    /// Test support: replaces the stored bytes of one committed event in place, bypassing every check.
    /// Used by tamper tests; it is what an attacker with write access to the files could do.
    #[doc(hidden)]
    pub fn tamper_event(&mut self, seq: u64, new_bytes: &[u8]) -> StoreResult<()> {
        let k = key(b'E', seq / EVENTS_PER_CHUNK);
        let chunk = self
            .get(&k)?
            .ok_or_else(|| StoreError::Missing(format!("event {seq} is missing")))?;
        let recs = split_records(&chunk).ok_or_else(|| StoreError::Damaged("bad chunk".into()))?;
        let mut out = Vec::new();
        for (i, r) in recs.iter().enumerate() {
            let r: &[u8] = if i as u64 == seq % EVENTS_PER_CHUNK {
                new_bytes
            } else {
                r
            };
            out.extend_from_slice(&(r.len() as u32).to_le_bytes());
            out.extend_from_slice(r);
        }
        self.write("tampering", || self.db.insert(k, out))?;
        self.write("flushing", || self.db.flush())?;
        Ok(())
    }

    /// Test support: replaces the per-item index entries of `item` by `seqs`, bypassing every check.
    #[doc(hidden)]
    pub fn tamper_item_refs(&mut self, item: u32, seqs: &[u64]) -> StoreResult<()> {
        let old: Vec<sled::IVec> = guard("tampering", || {
            self.db
                .range(ref_key(item, 0)..=ref_key(item, u64::MAX))
                .keys()
                .collect()
        })?;
        for k in old {
            guard("tampering", || self.db.remove(k))?;
        }
        let mut blocks: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
        for s in seqs {
            blocks
                .entry(s / REF_BLOCK)
                .or_default()
                .extend_from_slice(&s.to_le_bytes());
        }
        for (b, v) in blocks {
            guard("tampering", || self.db.insert(ref_key(item, b), v))?;
        }
        guard("flushing", || self.db.flush())?;
        Ok(())
    }

    /// Test support: replaces (or with `None` removes) the state snapshot stored for `seq`.
    #[doc(hidden)]
    pub fn tamper_snapshot(&mut self, seq: u64, bytes: Option<&[u8]>) -> StoreResult<()> {
        match bytes {
            Some(b) => guard("tampering", || self.db.insert(key(SNAPSHOT_PREFIX, seq), b))?,
            None => guard("tampering", || self.db.remove(key(SNAPSHOT_PREFIX, seq)))?,
        };
        guard("flushing", || self.db.flush())?;
        Ok(())
    }

    /// Test support: rewrites the commit record, e.g. to simulate a store that lost its tail.
    #[doc(hidden)]
    pub fn tamper_commit(&mut self, c: Committed) -> StoreResult<()> {
        self.write("tampering", || self.db.insert(META_KEY, encode_meta(&c)))?;
        self.write("flushing", || self.db.flush())?;
        Ok(())
    }
}

impl Store for SledStore {
    fn committed(&self) -> StoreResult<Option<Committed>> {
        match self.get(META_KEY)? {
            None => Ok(None),
            Some(v) => decode_meta(&v).map(Some),
        }
    }

    fn scan_events(
        &self,
        from: u64,
        to: u64,
        f: &mut dyn FnMut(u64, &[u8]) -> StoreResult<bool>,
    ) -> StoreResult<()> {
        // Never read past the commit record: chunks beyond it belong to an abandoned append.
        let to = to.min(self.committed()?.map_or(0, |c| c.events));
        if from >= to {
            return Ok(());
        }
        let first = from / EVENTS_PER_CHUNK;
        let last = (to - 1) / EVENTS_PER_CHUNK;
        let mut expect = first;
        let iter = guard(&self.reading(), || {
            Ok(self.db.range(key(b'E', first)..=key(b'E', last)))
        })?;
        let mut iter = iter;
        loop {
            let next = guard(&self.reading(), || iter.next().transpose())?;
            let Some((k, v)) = next else { break };
            let chunk = u64::from_be_bytes(
                k.get(1..9)
                    .and_then(|s| s.try_into().ok())
                    .unwrap_or([0xff; 8]),
            );
            if chunk != expect {
                return Err(StoreError::Missing(format!(
                    "events {}..{} are missing from the store",
                    expect * EVENTS_PER_CHUNK,
                    chunk.min(last + 1) * EVENTS_PER_CHUNK
                )));
            }
            let recs = split_records(&v).ok_or_else(|| {
                StoreError::Damaged(format!(
                    "the store's chunk of events {}..{} is malformed",
                    chunk * EVENTS_PER_CHUNK,
                    (chunk + 1) * EVENTS_PER_CHUNK
                ))
            })?;
            for (i, rec) in recs.into_iter().enumerate() {
                let seq = chunk * EVENTS_PER_CHUNK + i as u64;
                if seq < from {
                    continue;
                }
                if seq >= to {
                    return Ok(());
                }
                if !f(seq, rec)? {
                    return Ok(());
                }
            }
            expect += 1;
        }
        if expect <= last {
            return Err(StoreError::Missing(format!(
                "events from {} on are missing from the store",
                expect * EVENTS_PER_CHUNK
            )));
        }
        Ok(())
    }

    fn tree_hashes(&self, indexes: &[u64]) -> StoreResult<Vec<Hash>> {
        let mut cache: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
        let mut out = Vec::with_capacity(indexes.len());
        for &i in indexes {
            let c = i / HASHES_PER_CHUNK;
            let chunk = match cache.entry(c) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => e.insert(self.hash_chunk(c)?),
            };
            out.push(hash_at(chunk, i)?);
        }
        Ok(out)
    }

    fn writer(&mut self) -> StoreResult<Box<dyn StoreWriter + '_>> {
        check_free_space(&self.dir, "write to the store in")?;
        let committed = self.committed()?.unwrap_or(Committed::EMPTY);
        let open_events = committed.events % EVENTS_PER_CHUNK;
        let mut event_chunk = Vec::new();
        if open_events > 0 {
            let chunk_no = committed.events / EVENTS_PER_CHUNK;
            let v = self.get(&key(b'E', chunk_no))?.ok_or_else(|| {
                StoreError::Missing(format!(
                    "the chunk holding events {}.. is missing",
                    chunk_no * EVENTS_PER_CHUNK
                ))
            })?;
            let recs = split_records(&v)
                .filter(|r| r.len() as u64 >= open_events)
                .ok_or_else(|| StoreError::Damaged("the open event chunk is malformed".into()))?;
            for r in recs.iter().take(open_events as usize) {
                event_chunk.extend_from_slice(&(r.len() as u32).to_le_bytes());
                event_chunk.extend_from_slice(r);
            }
        }
        let open_hashes = committed.tree_hashes % HASHES_PER_CHUNK;
        let mut hash_chunk = Vec::new();
        if open_hashes > 0 {
            let v = self.hash_chunk(committed.tree_hashes / HASHES_PER_CHUNK)?;
            let keep = (open_hashes * 32) as usize;
            hash_chunk.extend_from_slice(
                v.get(..keep).ok_or_else(|| {
                    StoreError::Damaged("the open tree-hash chunk is short".into())
                })?,
            );
        }
        Ok(Box::new(SledWriter {
            store: self,
            committed,
            events: committed.events,
            hashes: committed.tree_hashes,
            event_chunk,
            hash_chunk,
            pending: BTreeMap::new(),
            pending_bytes: 0,
            refs: BTreeMap::new(),
            derived: Vec::new(),
        }))
    }

    fn derived_meta(&self) -> StoreResult<Option<Vec<u8>>> {
        Ok(self.get(DERIVED_KEY)?.map(|v| v.to_vec()))
    }

    fn item_refs(&self, item: u32) -> StoreResult<Vec<u64>> {
        let mut out = Vec::new();
        let mut iter = guard("reading the store", || {
            Ok(self.db.range(ref_key(item, 0)..=ref_key(item, u64::MAX)))
        })?;
        loop {
            let next = guard("reading the store", || iter.next().transpose())?;
            let Some((_, v)) = next else { break };
            out.extend(split_refs(&v).ok_or_else(|| {
                StoreError::Damaged(format!("the index of item {item} is malformed"))
            })?);
        }
        Ok(out)
    }

    fn scan_item_refs(&self, f: &mut dyn FnMut(u32, u64) -> StoreResult<bool>) -> StoreResult<()> {
        let mut iter = guard("reading the store", || Ok(self.db.scan_prefix(b"X")))?;
        loop {
            let next = guard("reading the store", || iter.next().transpose())?;
            let Some((k, v)) = next else { break };
            let bad = || StoreError::Damaged("an index record is malformed".into());
            let item = u32::from_be_bytes(
                k.get(1..5)
                    .and_then(|s| s.try_into().ok())
                    .ok_or_else(bad)?,
            );
            for seq in split_refs(&v).ok_or_else(bad)? {
                if !f(item, seq)? {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    fn snapshot_at_or_before(&self, seq: u64) -> StoreResult<Option<(u64, Vec<u8>)>> {
        let found = guard("reading the store", || {
            self.db
                .range(key(SNAPSHOT_PREFIX, 0)..=key(SNAPSHOT_PREFIX, seq))
                .next_back()
                .transpose()
        })?;
        Ok(found.and_then(|(k, v)| {
            let s: [u8; 8] = k.get(1..9)?.try_into().ok()?;
            Some((u64::from_be_bytes(s), v.to_vec()))
        }))
    }

    fn snapshot_seqs(&self) -> StoreResult<Vec<u64>> {
        let mut out = Vec::new();
        let mut iter = guard("reading the store", || {
            Ok(self.db.scan_prefix([SNAPSHOT_PREFIX]).keys())
        })?;
        loop {
            let next = guard("reading the store", || iter.next().transpose())?;
            let Some(k) = next else { break };
            let s: [u8; 8] = k
                .get(1..9)
                .and_then(|s| s.try_into().ok())
                .ok_or_else(|| StoreError::Damaged("a snapshot key is malformed".into()))?;
            out.push(u64::from_be_bytes(s));
        }
        Ok(out)
    }
}

fn hash_at(chunk: &[u8], i: u64) -> StoreResult<Hash> {
    let off = ((i % HASHES_PER_CHUNK) * 32) as usize;
    chunk
        .get(off..off + 32)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| StoreError::Missing(format!("tree hash {i} is missing")))
}

struct SledWriter<'a> {
    store: &'a mut SledStore,
    committed: Committed,
    events: u64,
    hashes: u64,
    event_chunk: Vec<u8>,
    hash_chunk: Vec<u8>,
    /// Whole chunks not yet handed to sled, by key.
    pending: BTreeMap<[u8; 9], Vec<u8>>,
    pending_bytes: usize,
    /// Index blocks touched by this append (committed prefix + new seqs), written only at commit.
    refs: BTreeMap<[u8; 13], Vec<u8>>,
    /// Other derived records (`D`, `S`), written only at commit.
    derived: Vec<(Vec<u8>, Vec<u8>)>,
}

impl SledWriter<'_> {
    fn spill(&mut self) -> StoreResult<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut batch = sled::Batch::default();
        for (k, v) in std::mem::take(&mut self.pending) {
            batch.insert(&k, v);
        }
        self.pending_bytes = 0;
        let db = &self.store.db;
        self.store
            .write(&self.store.writing(), || db.apply_batch(batch))
    }

    /// Adds the derived records to the commit's batch. They are never written before the commit, so an
    /// abandoned append leaves no index entry or snapshot behind.
    fn add_derived(&mut self, batch: &mut sled::Batch) {
        for (k, v) in std::mem::take(&mut self.refs) {
            batch.insert(&k[..], v);
        }
        for (k, v) in std::mem::take(&mut self.derived) {
            batch.insert(k, v);
        }
    }

    fn park(&mut self, k: [u8; 9], v: Vec<u8>) -> StoreResult<()> {
        self.pending_bytes += v.len();
        self.pending.insert(k, v);
        if self.pending_bytes >= PENDING_BYTES {
            self.spill()?;
        }
        Ok(())
    }
}

impl StoreWriter for SledWriter<'_> {
    fn push_event(&mut self, bytes: &[u8]) -> StoreResult<()> {
        let len = u32::try_from(bytes.len())
            .map_err(|_| StoreError::Damaged("event too large for the store".into()))?;
        self.event_chunk.extend_from_slice(&len.to_le_bytes());
        self.event_chunk.extend_from_slice(bytes);
        self.events += 1;
        if self.events.is_multiple_of(EVENTS_PER_CHUNK) {
            let chunk = std::mem::take(&mut self.event_chunk);
            self.park(key(b'E', (self.events - 1) / EVENTS_PER_CHUNK), chunk)?;
        }
        Ok(())
    }

    fn push_tree_hash(&mut self, hash: Hash) -> StoreResult<()> {
        self.hash_chunk.extend_from_slice(&hash);
        self.hashes += 1;
        if self.hashes.is_multiple_of(HASHES_PER_CHUNK) {
            let chunk = std::mem::take(&mut self.hash_chunk);
            self.park(key(b'T', (self.hashes - 1) / HASHES_PER_CHUNK), chunk)?;
        }
        Ok(())
    }

    fn push_derived_meta(&mut self, bytes: &[u8]) -> StoreResult<()> {
        self.derived.push((DERIVED_KEY.to_vec(), bytes.to_vec()));
        Ok(())
    }

    fn push_item_ref(&mut self, item: u32, seq: u64) -> StoreResult<()> {
        let k = ref_key(item, seq / REF_BLOCK);
        let v = match self.refs.entry(k) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                let old = self.store.get(&k)?.map(|v| v.to_vec()).unwrap_or_default();
                e.insert(old)
            }
        };
        v.extend_from_slice(&seq.to_le_bytes());
        Ok(())
    }

    fn push_snapshot(&mut self, seq: u64, bytes: &[u8]) -> StoreResult<()> {
        self.derived
            .push((key(SNAPSHOT_PREFIX, seq).to_vec(), bytes.to_vec()));
        Ok(())
    }

    fn tree_hashes(&self, indexes: &[u64]) -> StoreResult<Vec<Hash>> {
        let open = self.hashes / HASHES_PER_CHUNK;
        let mut out = Vec::with_capacity(indexes.len());
        for &i in indexes {
            if i >= self.hashes {
                return Err(StoreError::Missing(format!(
                    "tree hash {i} is not written yet"
                )));
            }
            let c = i / HASHES_PER_CHUNK;
            let h = if c == open {
                hash_at(&self.hash_chunk, i)?
            } else if let Some(v) = self.pending.get(&key(b'T', c)) {
                hash_at(v, i)?
            } else {
                hash_at(&self.store.hash_chunk(c)?, i)?
            };
            out.push(h);
        }
        Ok(out)
    }

    fn commit(mut self: Box<Self>, head_hash: Hash) -> StoreResult<Committed> {
        let committed = Committed {
            events: self.events,
            tree_hashes: self.hashes,
            head_hash,
        };
        if committed == self.committed {
            return Ok(committed);
        }
        let mut batch = sled::Batch::default();
        for (k, v) in std::mem::take(&mut self.pending) {
            batch.insert(&k, v);
        }
        if !self.event_chunk.is_empty() {
            batch.insert(
                &key(b'E', self.events / EVENTS_PER_CHUNK),
                std::mem::take(&mut self.event_chunk),
            );
        }
        if !self.hash_chunk.is_empty() {
            batch.insert(
                &key(b'T', self.hashes / HASHES_PER_CHUNK),
                std::mem::take(&mut self.hash_chunk),
            );
        }
        self.add_derived(&mut batch);
        batch.insert(META_KEY, encode_meta(&committed));
        let db = &self.store.db;
        self.store
            .write(&self.store.writing(), || db.apply_batch(batch))?;
        self.store.write(&self.store.writing(), || db.flush())?;
        if let Err(e) = self.store.sync_files() {
            self.store.write_failed.store(true, Ordering::Relaxed);
            return Err(e);
        }
        Ok(committed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(store: &SledStore, from: u64, to: u64) -> Vec<(u64, Vec<u8>)> {
        let mut out = Vec::new();
        store
            .scan_events(from, to, &mut |s, b| {
                out.push((s, b.to_vec()));
                Ok(true)
            })
            .unwrap();
        out
    }

    fn rec(i: u64) -> Vec<u8> {
        format!("event-{i}").into_bytes()
    }

    #[test]
    fn appends_commit_atomically_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut s = SledStore::open(dir.path()).unwrap();
            assert_eq!(s.committed().unwrap(), None);
            let mut w = s.writer().unwrap();
            for i in 0..100 {
                w.push_event(&rec(i)).unwrap();
            }
            for i in 0..300u64 {
                w.push_tree_hash([i as u8; 32]).unwrap();
            }
            assert_eq!(w.tree_hashes(&[5, 200, 299]).unwrap()[1], [200; 32]);
            let c = w.commit([7; 32]).unwrap();
            assert_eq!((c.events, c.tree_hashes), (100, 300));
        }
        let mut s = SledStore::open(dir.path()).unwrap();
        let c = s.committed().unwrap().unwrap();
        assert_eq!((c.events, c.tree_hashes, c.head_hash), (100, 300, [7; 32]));
        let all = events(&s, 0, 100);
        assert_eq!(all.len(), 100);
        assert!(all.iter().all(|(i, b)| *b == rec(*i)));
        assert_eq!(
            events(&s, 63, 66).iter().map(|e| e.0).collect::<Vec<_>>(),
            [63, 64, 65]
        );
        assert_eq!(
            s.tree_hashes(&[0, 128, 299]).unwrap(),
            vec![[0; 32], [128; 32], [43; 32]]
        );

        // An abandoned append leaves nothing visible, and the next one continues from the commit.
        {
            let mut w = s.writer().unwrap();
            for i in 100..1000 {
                w.push_event(&rec(i)).unwrap();
            }
            drop(w);
        }
        assert_eq!(s.committed().unwrap().unwrap().events, 100);
        assert_eq!(events(&s, 0, 100_000).len(), 100);
        let mut w = s.writer().unwrap();
        w.push_event(b"replacement-100").unwrap();
        w.commit([8; 32]).unwrap();
        let all = events(&s, 0, 101);
        assert_eq!(all[100].1, b"replacement-100");
        assert_eq!(all[99].1, rec(99));
        assert_eq!(s.event(100).unwrap(), b"replacement-100");
    }

    #[test]
    fn a_damaged_commit_record_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let s = SledStore::open(dir.path()).unwrap();
        guard("t", || {
            s.db.insert(META_KEY, &b"hyoka-store-v1\0\0short"[..])
        })
        .unwrap();
        assert!(matches!(s.committed(), Err(StoreError::Damaged(_))));
    }

    #[test]
    fn malformed_chunks_are_reported_not_panicked() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SledStore::open(dir.path()).unwrap();
        let mut w = s.writer().unwrap();
        w.push_event(b"abc").unwrap();
        w.commit([1; 32]).unwrap();
        guard("t", || s.db.insert(key(b'E', 0), &[9u8, 0, 0, 0, 1][..])).unwrap();
        let err = s.scan_events(0, 1, &mut |_, _| Ok(true)).unwrap_err();
        assert!(err.to_string().contains("malformed"), "{err}");
    }

    #[test]
    fn a_disk_without_room_is_refused_in_plain_words() {
        let dir = tempfile::tempdir().unwrap();
        assert!(free_space_at_least(dir.path(), "open the store in", 0).is_ok());
        let e = free_space_at_least(dir.path(), "open the store in", u64::MAX).unwrap_err();
        let e = crate::Error::from_store(e, dir.path()).to_string();
        assert!(
            e.starts_with("the disk is full: cannot open the store in "),
            "{e}"
        );
        assert!(e.contains("KiB free, and hyoka needs"), "{e}");
        assert!(
            e.ends_with(
                "free some space on that disk (or move the ledger elsewhere), then try again"
            ),
            "{e}"
        );
    }

    #[test]
    fn sled_errors_are_told_in_plain_words() {
        let e = sled_error(
            "cannot open the store in s",
            sled::Error::Unsupported("x".into()),
        );
        assert!(
            e.to_string().contains("does not recognise its files"),
            "{e}"
        );
        let full = std::io::Error::from_raw_os_error(28);
        let e = crate::Error::from_store(
            sled_error("cannot write the store in s", sled::Error::Io(full)),
            Path::new("l"),
        );
        assert!(matches!(e, crate::Error::DiskFull { .. }), "{e}");
    }

    #[test]
    fn a_second_open_in_another_handle_is_locked() {
        let dir = tempfile::tempdir().unwrap();
        let _s = SledStore::open(dir.path()).unwrap();
        assert!(matches!(
            SledStore::open_once(dir.path()),
            Err(StoreError::Locked)
        ));
    }

    #[test]
    fn reopening_right_after_a_drop_waits_for_sled_to_let_go() {
        let dir = tempfile::tempdir().unwrap();
        for _ in 0..20 {
            let mut s = SledStore::open(dir.path()).unwrap();
            let mut w = s.writer().unwrap();
            w.push_event(b"x").unwrap();
            w.commit([1; 32]).unwrap();
        }
        let s = SledStore::open(dir.path()).unwrap();
        assert_eq!(s.committed().unwrap().unwrap().events, 20);
    }
}
