//! The sled engine (sled 0.34.7): the only module that touches sled.
//!
//! Layout, in sled's default tree (byte for byte: `schema/FORMAT.md` section 11):
//! - `E` + chunk number (u64 big-endian): up to the store's events per chunk, each as a u32
//!   little-endian length followed by the event's stored bytes.
//! - `T` + chunk number: up to the store's hashes per chunk, Merkle tree hashes of 32 bytes each.
//! - `M`: the commit record (see `encode_meta`), written in the same atomic
//!   batch as the last chunks. Version 2 also records the store's layout, fixed when the store is
//!   created: `EVENTS_PER_CHUNK`,
//!   `HASHES_PER_CHUNK` and
//!   `SNAPSHOT_PIECE_BYTES` for a store created by this version. A store
//!   whose record is version 1 (written before the layout was recorded) packs 64 events and 128 hashes
//!   per chunk and keeps each snapshot whole, and keeps doing so.
//! - Derived data (the ledger's, opaque here), committed with the events (index blocks and snapshot
//!   pieces are written ahead of the commit record, and readers ignore seqs past the committed
//!   events; an index block the next append extends keeps only its committed seqs): `D` the
//!   derived-data record; `X` + item (u32 big-endian) + block (u64 big-endian, seq /
//!   `REF_BLOCK`): the seqs of that item's events in the block, u64 little-endian each; `A` + seq (u64 big-endian) +
//!   piece (u32 big-endian): the consecutive pieces of the state snapshot taken after that event
//!   (version 1: `A` + seq, the whole snapshot). Snapshots are large (megabytes), so their prefix sorts
//!   before every other key: they never share a leaf with the commit record or the open chunks, which
//!   every append rewrites.
//!
//! Memory: why small values and point reads. sled 0.34.7 splits a leaf page when it holds more than
//! 16 keys, by count, not by size (`Node::should_split`): a leaf of sequential keys holds 9 values
//! once split and up to 17 before, so its size is set by the size of the values. Two things in sled
//! then keep pages in memory past its `cache_capacity`:
//! - a page larger than the blob threshold (segment size / 4: 128 KiB with the default 512 KiB
//!   segments) is written to a separate blob file, and sled charges a blob page to its cache at the
//!   size of its pointer, so it is never evicted. 64-event chunks (~39 KB with ~600-byte events) made
//!   every event leaf a blob, and the snapshots (one value each, all in one leaf) one leaf of ~160 MB
//!   at 1M events;
//! - its cache (`lru.rs`) is 256 shards (by page id), each told of accesses in blocks of 64: a page
//!   whose access is still waiting in a block is neither counted nor evictable, so up to 256 × 63
//!   pages can be in memory uncounted. A range iterator touches each leaf once, so a full scan of
//!   fewer than 16,384 leaves keeps every one of them. Reading each value with its own `get` touches
//!   a leaf once per key in it, which fills the blocks and lets the cache evict.
//!
//! Hence small chunks, snapshots in `SNAPSHOT_PIECE_BYTES` pieces,
//! and point reads for the scans
//! whose size grows with the log (events, snapshot pieces). Measured in BENCHMARKS.md.
//!
//! An append writes whole chunks, index blocks and snapshot pieces first (a snapshot cut into pieces as
//! the state is encoded), in sled batches of `PENDING_BYTES`, then the final chunks and the commit
//! record in one atomic batch. Memory for a large
//! append (an import of a million events): sled keeps every version of a leaf that a batch rewrites
//! until the batch ends, and frees the old versions through crossbeam's epoch collector at a pace set
//! by how often threads pin it, so batches stay small, the collector is flushed after each
//! (`collect_garbage`), sled is flushed every `FLUSH_BYTES` (bounding its buffers waiting to be
//! written), and its cache is 16 MiB. Measured in BENCHMARKS.md ("Memory of a large import"). Readers never look past the commit record, so
//! an abandoned or killed append leaves nothing visible, and the next append rewrites the open chunk
//! from its committed prefix. Durability: sled's `flush` ends in `sync_file_range`, which survives a
//! killed process but not a power cut, so every commit also `fsync`s sled's files and directory.
//! sled panics on some damaged files; every call into sled is wrapped so a panic becomes an error.
//!
//! Full disks: sled 0.34.7 mishandles running out of space. After a write fails with ENOSPC, dropping
//! the `Db` waits forever for a flush that cannot finish, and opening the store while the disk is still
//! full can damage it for good (its recovery rewrites files and is cut short). So the store refuses to
//! open, and to start an append, when the disk has less than [`MIN_FREE_BYTES`] free (and to open
//! with less than sled's recovery writes, whatever the margin: `open_needs`), and a `Db` whose
//! write failed is never dropped (its memory and file lock are released when the process exits).
//!
//! The files, by job: this one holds the handle ([`SledStore`]): opening, the free-space margin and
//! the import's room estimate, the wrapper that turns sled's errors and panics into [`StoreError`]s,
//! and the point reads every other file uses (a key, the commit record and layout, a tree-hash chunk);
//! `format` the keys and values of the layout (pure bytes, no sled); `writer` an append in progress,
//! its commit and the fsyncs; `read` the [`Store`](crate::store::Store) trait's reads; `tamper` the
//! test-only writes that bypass every check (built with `cfg(test)` or the `testing` feature).
//! `format` uses none of the others, this file only `format`, `writer` and `tamper` these two, and
//! `read` these and `writer`. Invariants of this file:
//!
//! - Every read or write of sled goes through `guard` (writes through [`SledStore`]'s `write`, which
//!   also remembers a failure; opening has its own `catch_unwind`): a sled error is told in plain
//!   words and a sled panic becomes an error.
//! - A store is opened only with room on its disk for sled's recovery writes and the margin; a `Db`
//!   whose write failed is never dropped.

pub(crate) mod format;
mod read;
#[cfg(any(test, feature = "testing"))]
mod tamper;
mod writer;

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use crate::error::IoDoing;
use crate::store::{Committed, EngineDamage, StoreDamage, StoreError, StoreResult};
use format::{LAYOUT_NEW, Layout, META_KEY, decode_meta, key, piece_key};

/// Free space the disk holding the store must keep for it to be opened or written (16 MiB): far more
/// than sled's recovery and one append need. The opener may give another margin ([`SledStore::open_keeping`]).
pub const MIN_FREE_BYTES: u64 = 16 << 20;

/// A ledger's event store in sled.
pub struct SledStore {
    db: sled::Db,
    dir: PathBuf,
    synced: HashMap<PathBuf, (u64, Option<SystemTime>)>,
    /// Names of the blob files fsynced by this process.
    synced_blobs: HashSet<OsString>,
    /// A write or flush failed: sled's own `Drop` could then block forever (see the module doc).
    write_failed: AtomicBool,
    /// The free space the disk must keep ([`MIN_FREE_BYTES`] unless the opener said otherwise).
    min_free: u64,
}

impl Drop for SledStore {
    fn drop(&mut self) {
        if self.write_failed.load(Ordering::Relaxed) {
            // Keep one handle alive forever so that sled's final flush never runs.
            std::mem::forget(self.db.clone());
        }
    }
}

/// Bytes an import may take in the store per stored byte of its events and snapshots (see
/// [`import_room_needed`]).
pub const IMPORT_BYTES_PER_BYTE: u64 = 4;
/// Bytes an import may take in the store per event, on top of its bytes.
pub const IMPORT_BYTES_PER_EVENT: u64 = 768;
/// Bytes an import may take in the store whatever its size: two of sled's 512 KiB log segments.
pub const IMPORT_FIXED_BYTES: u64 = 1 << 20;

/// The disk space an import may take in the store, at most: for `events` events of `event_bytes`
/// stored bytes in all, and `snapshot_bytes` of state snapshots written with them (0 when the batch
/// crosses no snapshot point). An import checks that the disk has this much free plus the margin
/// ([`MIN_FREE_BYTES`]) before it writes anything, so that it neither fills the disk part way nor
/// leaves it too full for the ledger to be opened again.
///
/// sled writes a batch into its log by pages, each page rewritten as it fills, so what it takes is a
/// multiple of the data. Measured with sled 0.34.7 on this project's 2-core test machine (ext4;
/// `du` of the ledger directory before an import, and after it and the next open): new ledgers of 358
/// to 420,008 events (85 KB to 72 MB of events, events of 165 bytes to 180 KB, up to 50,000 items), and
/// imports of 5,000 and 50,000 events into ledgers of 200,000: it took at most 2.6 bytes per stored
/// byte plus 490 bytes per event (the per-item index, the Merkle tree, sled's page overhead), plus
/// up to a segment. The figures here are 1.5 times that, rounded up; RELIABILITY.md has the table.
pub fn import_room_needed(event_bytes: u64, events: u64, snapshot_bytes: u64) -> u64 {
    IMPORT_BYTES_PER_BYTE
        .saturating_mul(event_bytes.saturating_add(snapshot_bytes))
        .saturating_add(IMPORT_BYTES_PER_EVENT.saturating_mul(events))
        .saturating_add(IMPORT_FIXED_BYTES)
}

/// The free space of the disk that holds `path`, or will hold it (that of its nearest existing
/// ancestor, for a ledger not created yet).
pub(crate) fn free_space(path: &Path) -> std::io::Result<u64> {
    let mut at = path;
    while !at.exists() {
        match at.parent() {
            Some(p) if !p.as_os_str().is_empty() => at = p,
            _ => return fs2::available_space(Path::new(".")),
        }
    }
    fs2::available_space(at)
}

/// sled's log segment size (its default: the store does not set it).
const SEGMENT_BYTES: u64 = 512 << 10;

/// What sled 0.34.7 writes when it opens the store in `dir`, at most: it zero-fills its log file to
/// the end of the last segment (a whole segment for a new store) and writes a new snapshot of its
/// page table beside the old one; 64 KiB more for the rest. Opening with less free space than this
/// can damage the store (see the module doc), so `open` refuses it even when [`MIN_FREE_BYTES`] is
/// overridden (a test of full disks turns the margin off to reach sled's own out-of-space errors).
fn open_needs(dir: &Path) -> u64 {
    let log = std::fs::metadata(dir.join("db")).map_or(0, |m| m.len());
    let fill = SEGMENT_BYTES - log % SEGMENT_BYTES;
    let snapshots: u64 = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("snap."))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    fill + snapshots + (64 << 10)
}

/// The storage engine's configuration file in its directory (sled writes it, with [`DB_FILE`], when
/// it makes a store).
pub const CONF_FILE: &str = "conf";

/// The storage engine's main file in its directory.
pub const DB_FILE: &str = "db";

fn free_space_at_least(dir: &Path, doing: IoDoing, min: u64) -> StoreResult<()> {
    let free = fs2::available_space(dir).map_err(io(IoDoing::FreeSpace(dir.to_path_buf())))?;
    if free >= min {
        return Ok(());
    }
    Err(StoreError::Io {
        context: doing,
        source: std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            crate::error::LowSpace {
                free_kib: free / 1024,
                need_kib: min / 1024,
            },
        ),
    })
}

/// A sled error in plain words.
///
/// sled's I/O errors are the operating system's, with two exceptions that are damage to the store: a
/// file that is gone, and a file cut short or replaced by a directory. The store's directory exists
/// (it is created before sled opens it) and sled keeps its log file open, so a file sled cannot find
/// is one of its blob files (sled 0.34.7 keeps each page larger than about 128 KiB, a quarter of its
/// 512 KiB segment, in a file of its own under `blobs/`, opened by name on every read) or the `blobs/`
/// directory itself. Permission denied, EIO, a full disk and the like stay I/O errors.
fn sled_error(what: &IoDoing, e: sled::Error) -> StoreError {
    let damaged = |why| {
        StoreError::Damaged(StoreDamage::Engine {
            doing: what.clone(),
            why,
        })
    };
    match e {
        sled::Error::Io(source) if source.kind() == std::io::ErrorKind::NotFound => {
            StoreError::FileMissing(StoreDamage::Engine {
                doing: what.clone(),
                why: EngineDamage::BlobGone,
            })
        }
        sled::Error::Io(source)
            if matches!(
                source.kind(),
                std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::IsADirectory
            ) =>
        {
            damaged(EngineDamage::CutShort(
                source.kind() == std::io::ErrorKind::IsADirectory,
            ))
        }
        sled::Error::Io(source) => StoreError::Io {
            context: what.clone(),
            source,
        },
        sled::Error::Corruption { .. } => damaged(EngineDamage::Checksum),
        sled::Error::Unsupported(_) => damaged(EngineDamage::Unrecognised),
        sled::Error::CollectionNotFound(_) => StoreError::Missing(StoreDamage::Engine {
            doing: what.clone(),
            why: EngineDamage::PartMissing,
        }),
        sled::Error::ReportableBug(m) => damaged(EngineDamage::Failed(m)),
    }
}

fn guard<T>(what: &IoDoing, f: impl FnOnce() -> sled::Result<T>) -> StoreResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(sled_error(what, e)),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("no message");
            Err(StoreError::Damaged(StoreDamage::Engine {
                doing: what.clone(),
                why: EngineDamage::Crashed(msg.to_string()),
            }))
        }
    }
}

fn io(context: IoDoing) -> impl FnOnce(std::io::Error) -> StoreError {
    move |source| StoreError::Io { context, source }
}

impl SledStore {
    /// Opens (creating if needed) the sled store in `dir`.
    ///
    /// The caller holds the ledger's own lock, so a sled lock held by someone else can only be a handle
    /// that is still closing (sled releases its file lock from background threads shortly after the last
    /// handle is dropped). That is waited for, briefly, rather than reported as a busy ledger.
    pub fn open(dir: &Path) -> StoreResult<SledStore> {
        Self::open_keeping(dir, MIN_FREE_BYTES)
    }

    /// [`SledStore::open`], keeping `min_free` bytes free on the disk instead of [`MIN_FREE_BYTES`]
    /// (tests of full disks pass 0).
    pub fn open_keeping(dir: &Path, min_free: u64) -> StoreResult<SledStore> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            match Self::open_once(dir, min_free) {
                Err(StoreError::Locked) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                other => return other,
            }
        }
    }

    fn open_once(dir: &Path, min_free: u64) -> StoreResult<SledStore> {
        std::fs::create_dir_all(dir).map_err(io(IoDoing::Create(dir.to_path_buf())))?;
        free_space_at_least(
            dir,
            IoDoing::OpenStore(dir.to_path_buf()),
            min_free.max(open_needs(dir)),
        )?;
        let config = sled::Config::new()
            .path(dir)
            .cache_capacity(16 << 20)
            .mode(sled::Mode::HighThroughput)
            .flush_every_ms(None);
        let what = IoDoing::OpenStore(dir.to_path_buf());
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
                return Err(StoreError::Damaged(StoreDamage::Engine {
                    doing: what,
                    why: EngineDamage::CrashedOpening,
                }));
            }
        };
        let mut store = SledStore {
            db,
            dir: dir.to_path_buf(),
            synced: HashMap::new(),
            synced_blobs: HashSet::new(),
            write_failed: AtomicBool::new(false),
            min_free,
        };
        // The first commit of this process syncs every file once.
        store.synced.clear();
        Ok(store)
    }

    fn reading(&self) -> IoDoing {
        IoDoing::ReadStore(self.dir.clone())
    }

    fn writing(&self) -> IoDoing {
        IoDoing::WriteStore(self.dir.clone())
    }

    /// A point read of one key.
    fn get(&self, k: &[u8]) -> StoreResult<Option<sled::IVec>> {
        guard(&self.reading(), || self.db.get(k))
    }

    /// The commit record and the store's layout; `None` for a store that was never committed.
    fn head(&self) -> StoreResult<Option<(Committed, Layout)>> {
        match self.get(META_KEY)? {
            None => Ok(None),
            Some(v) => decode_meta(&v).map(Some),
        }
    }

    /// The store's layout: the committed one, or for a store never committed the one it will get.
    fn layout(&self) -> StoreResult<Layout> {
        Ok(self.head()?.map_or(LAYOUT_NEW, |(_, l)| l))
    }

    /// The keys of the stored pieces of the snapshot after event `seq`, from piece `from` on.
    fn snapshot_pieces_from(&self, seq: u64, from: u32) -> StoreResult<Vec<sled::IVec>> {
        guard(&self.reading(), || {
            self.db
                .range(piece_key(seq, from)..=piece_key(seq, u32::MAX))
                .keys()
                .collect()
        })
    }

    /// The `T` chunk `chunk` (tree hashes), which must be there.
    fn hash_chunk(&self, chunk: u64) -> StoreResult<Vec<u8>> {
        self.get(&key(b'T', chunk))?
            .map(|v| v.to_vec())
            .ok_or(StoreError::Missing(StoreDamage::TreeChunkMissing(chunk)))
    }

    /// Runs a sled write, remembering a failure (see [`SledStore`]'s `Drop`).
    fn write<T>(&self, what: &IoDoing, f: impl FnOnce() -> sled::Result<T>) -> StoreResult<T> {
        let r = guard(what, f);
        if r.is_err() {
            self.write_failed.store(true, Ordering::Relaxed);
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::format::*;
    use super::writer::PENDING_BYTES;
    use super::*;
    use crate::store::{Committed, Store, StoreWriter};

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

    /// The bytes of the ```hex block after `<!-- example: NAME -->` in FORMAT.md: the leading hex
    /// tokens of each line.
    fn documented(name: &str) -> Vec<u8> {
        const DOC: &str = include_str!("../../../schema/FORMAT.md");
        let marker = format!("<!-- example: {name} -->");
        let start = DOC.find(&marker).expect("FORMAT.md has the example") + marker.len();
        let mut hex = String::new();
        for line in DOC[start..]
            .lines()
            .skip_while(|l| l.trim().is_empty())
            .take_while(|l| !l.trim().is_empty())
            .filter(|l| !l.starts_with("```"))
        {
            for tok in line.split_whitespace() {
                if !tok.chars().all(|c| c.is_ascii_hexdigit()) {
                    break;
                }
                hex.push_str(tok);
            }
        }
        ::hex::decode(hex).expect("hex")
    }

    /// FORMAT.md section 11's example: section 7's two events, 3 stored hashes.
    fn example_commit() -> Committed {
        let mut head_hash = [0u8; 32];
        ::hex::decode_to_slice(
            "f20375ad54b3ddff860b7b520e5090c4f73cf4f43442ef90910d6ff96f9a0b24",
            &mut head_hash,
        )
        .unwrap();
        Committed {
            events: 2,
            tree_hashes: 3,
            head_hash,
        }
    }

    #[test]
    fn the_commit_record_is_the_documented_one() {
        let c = example_commit();
        let v2 = encode_meta(&c, LAYOUT_NEW);
        assert_eq!(
            ::hex::encode(&v2),
            ::hex::encode(documented("commit record v2"))
        );
        assert_eq!(v2.len(), META_LEN_V2);
        assert_eq!(
            ::hex::encode(&v2[76..]),
            "2b0aeff40802e7917f3c34d2541c312d5b93ed8e5bc3d6929e547876147538e5"
        );
        assert_eq!(decode_meta(&v2).unwrap(), (c, LAYOUT_NEW));
        let v1 = encode_meta(&c, LAYOUT_V1);
        assert_eq!(
            ::hex::encode(&v1),
            ::hex::encode(documented("commit record v1"))
        );
        assert_eq!(v1.len(), META_LEN_V1);
        assert_eq!(
            ::hex::encode(&v1[64..]),
            "d3798dbec86dca9ca3f1dc836fe77b3ea2d28655b19be9a19d0a2e883e97eb6f"
        );
        assert_eq!(decode_meta(&v1).unwrap(), (c, LAYOUT_V1));
        // Another layout is recorded as it is.
        let other = Layout {
            events_per_chunk: 64,
            hashes_per_chunk: 128,
            snapshot_piece: 100,
        };
        let r = encode_meta(&c, other);
        assert_eq!(&r[..16], META_MAGIC_V2);
        assert_eq!(decode_meta(&r).unwrap(), (c, other));
    }

    /// A record with its checksum recomputed over `body`, as a forger or a bug would write it.
    fn sealed(body: &[u8]) -> Vec<u8> {
        let mut v = body.to_vec();
        v.extend_from_slice(blake3::hash(body).as_bytes());
        v
    }

    #[test]
    fn malformed_commit_records_are_damage() {
        let c = example_commit();
        let damaged = |v: &[u8]| matches!(decode_meta(v), Err(StoreError::Damaged(_)));
        for good in [encode_meta(&c, LAYOUT_NEW), encode_meta(&c, LAYOUT_V1)] {
            let n = good.len();
            // Trailing bytes, even with a checksum over them; a short record; any flipped byte.
            let mut long = good.clone();
            long.push(0);
            assert!(damaged(&long));
            assert!(damaged(&sealed(&good[..n - 32 + 1])));
            assert!(damaged(&sealed(&[&good[..n - 32], &[0u8; 4]].concat())));
            assert!(damaged(&good[..n - 1]));
            assert!(damaged(&good[..15]));
            assert!(damaged(&[]));
            for i in 0..n {
                let mut v = good.clone();
                v[i] ^= 0x01;
                assert!(damaged(&v), "byte {i} of {n}");
            }
        }
        // A version-2 body in a version-1 record and the other way round.
        let v2 = encode_meta(&c, LAYOUT_NEW);
        let mut as_v1 = v2[..76].to_vec();
        as_v1[..16].copy_from_slice(META_MAGIC_V1);
        assert!(damaged(&sealed(&as_v1)));
        let v1 = encode_meta(&c, LAYOUT_V1);
        let mut as_v2 = v1[..64].to_vec();
        as_v2[..16].copy_from_slice(META_MAGIC_V2);
        assert!(damaged(&sealed(&as_v2)));
        // Layout numbers out of range, checksum correct.
        let with = |nums: [u32; 3]| {
            let mut body = v2[..64].to_vec();
            for n in nums {
                body.extend_from_slice(&n.to_le_bytes());
            }
            sealed(&body)
        };
        for nums in [
            [0, 128, 4096],
            [8, 0, 4096],
            [8, 128, 0],
            [65_537, 128, 4096],
            [8, u32::MAX, 4096],
            [8, 128, 65_537],
        ] {
            assert!(damaged(&with(nums)), "{nums:?}");
        }
        let edge = Layout {
            events_per_chunk: 65_536,
            hashes_per_chunk: 1,
            snapshot_piece: 1,
        };
        assert_eq!(decode_meta(&with([65_536, 1, 1])).unwrap(), (c, edge));
    }

    /// The keys of the store's `E` chunks and how many records each holds.
    fn chunk_sizes(s: &SledStore) -> Vec<(u64, usize)> {
        guard(&IoDoing::StartVerifyThread, || {
            s.db.scan_prefix(b"E")
                .map(|kv| {
                    let (k, v) = kv?;
                    let c = u64::from_be_bytes(k[1..9].try_into().unwrap());
                    Ok((c, split_records(&v).unwrap().len()))
                })
                .collect()
        })
        .unwrap()
    }

    #[test]
    fn a_store_of_the_old_layout_still_reads_and_appends_in_it() {
        let dir = tempfile::tempdir().unwrap();
        // 100 events and 300 hashes as the version that packed 64 events and 128 hashes per chunk
        // wrote them, byte for byte, without this version's writer.
        {
            let s = SledStore::open(dir.path()).unwrap();
            for (c, range) in [(0u64, 0..64u64), (1, 64..100)] {
                let mut v = Vec::new();
                for i in range {
                    v.extend_from_slice(&(rec(i).len() as u32).to_le_bytes());
                    v.extend_from_slice(&rec(i));
                }
                guard(&IoDoing::StartVerifyThread, || s.db.insert(key(b'E', c), v)).unwrap();
            }
            for (c, range) in [(0u64, 0..128u64), (1, 128..256), (2, 256..300)] {
                let v: Vec<u8> = range.flat_map(|i| [i as u8; 32]).collect();
                guard(&IoDoing::StartVerifyThread, || s.db.insert(key(b'T', c), v)).unwrap();
            }
            let mut m = b"hyoka-store-v1\0\0".to_vec();
            m.extend_from_slice(&100u64.to_le_bytes());
            m.extend_from_slice(&300u64.to_le_bytes());
            m.extend_from_slice(&[7; 32]);
            let m = sealed(&m);
            guard(&IoDoing::StartVerifyThread, || s.db.insert(META_KEY, m)).unwrap();
            guard(&IoDoing::StartVerifyThread, || s.db.flush()).unwrap();
        }
        let mut s = SledStore::open(dir.path()).unwrap();
        let c = s.committed().unwrap().unwrap();
        assert_eq!((c.events, c.tree_hashes, c.head_hash), (100, 300, [7; 32]));
        assert_eq!(s.layout().unwrap(), LAYOUT_V1);
        assert!(
            events(&s, 0, 1000)
                .iter()
                .map(|(i, b)| (*i, b.clone()))
                .eq((0..100).map(|i| (i, rec(i))))
        );
        assert_eq!(
            events(&s, 62, 66).iter().map(|e| e.0).collect::<Vec<_>>(),
            [62, 63, 64, 65]
        );
        assert_eq!(s.event(64).unwrap(), rec(64));
        assert_eq!(
            s.tree_hashes(&[0, 127, 128, 299]).unwrap(),
            vec![[0; 32], [127; 32], [128; 32], [43; 32]]
        );
        // Appends go on in 64-event chunks, completing the open one, with a version-1 record.
        let mut w = s.writer().unwrap();
        for i in 100..200 {
            w.push_event(&rec(i)).unwrap();
        }
        for i in 300..400u64 {
            w.push_tree_hash([i as u8; 32]).unwrap();
        }
        assert_eq!(
            w.tree_hashes(&[299, 300, 383, 384]).unwrap(),
            vec![[43; 32], [44; 32], [127; 32], [128; 32]]
        );
        w.commit([9; 32]).unwrap();
        drop(s);
        let s = SledStore::open(dir.path()).unwrap();
        let m = s.get(META_KEY).unwrap().unwrap();
        assert_eq!((&m[..16], m.len()), (&META_MAGIC_V1[..], META_LEN_V1));
        assert_eq!(s.layout().unwrap(), LAYOUT_V1);
        assert_eq!(chunk_sizes(&s), [(0, 64), (1, 64), (2, 64), (3, 8)]);
        assert!(
            events(&s, 0, 1000)
                .iter()
                .map(|(i, b)| (*i, b.clone()))
                .eq((0..200).map(|i| (i, rec(i))))
        );
        assert_eq!(
            s.tree_hashes(&[255, 256, 383, 384, 399]).unwrap(),
            vec![[255; 32], [0; 32], [127; 32], [128; 32], [143; 32]]
        );
        assert_eq!(s.committed().unwrap().unwrap().head_hash, [9; 32]);
    }

    #[test]
    fn a_new_store_uses_the_new_layout_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let n = EVENTS_PER_CHUNK;
        {
            let mut s = SledStore::open(dir.path()).unwrap();
            let mut w = s.writer().unwrap();
            for i in 0..3 * n + 1 {
                w.push_event(&rec(i)).unwrap();
            }
            for i in 0..HASHES_PER_CHUNK + 1 {
                w.push_tree_hash([i as u8; 32]).unwrap();
            }
            w.commit([1; 32]).unwrap();
        }
        let mut s = SledStore::open(dir.path()).unwrap();
        let m = s.get(META_KEY).unwrap().unwrap();
        assert_eq!((&m[..16], m.len()), (&META_MAGIC_V2[..], META_LEN_V2));
        assert_eq!(s.layout().unwrap(), LAYOUT_NEW);
        assert_eq!(
            chunk_sizes(&s),
            [(0, n as usize), (1, n as usize), (2, n as usize), (3, 1)]
        );
        let mut w = s.writer().unwrap();
        for i in 3 * n + 1..5 * n {
            w.push_event(&rec(i)).unwrap();
        }
        w.commit([2; 32]).unwrap();
        assert_eq!(s.layout().unwrap(), LAYOUT_NEW);
        assert_eq!(chunk_sizes(&s).len(), 5);
        assert!(chunk_sizes(&s).iter().all(|&(_, k)| k == n as usize));
        assert!(
            events(&s, 0, u64::MAX)
                .iter()
                .map(|(i, b)| (*i, b.clone()))
                .eq((0..5 * n).map(|i| (i, rec(i))))
        );
        assert_eq!(
            events(&s, n - 1, n + 2)
                .iter()
                .map(|e| e.0)
                .collect::<Vec<_>>(),
            [n - 1, n, n + 1]
        );
        assert_eq!(
            s.tree_hashes(&[0, HASHES_PER_CHUNK]).unwrap(),
            vec![[0; 32], [HASHES_PER_CHUNK as u8; 32]]
        );
    }

    /// What keeps a large append's memory bounded: the writer hands its chunks, index blocks and
    /// snapshot pieces to sled in batches of PENDING_BYTES before the commit record, never holding a
    /// whole snapshot's pieces or every index block; what an abandoned append wrote ahead is invisible
    /// to every reader, and the next append that reaches it rewrites it.
    #[test]
    fn a_large_append_writes_ahead_in_bounded_batches_and_an_abandoned_one_stays_invisible() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SledStore::open(dir.path()).unwrap();
        let mut w = s.writer().unwrap();
        for i in 0..4 {
            w.push_event(&rec(i)).unwrap();
            w.push_item_ref(1, i).unwrap();
        }
        w.commit([1; 32]).unwrap();
        let snapshot: Vec<u8> = (0..3 * PENDING_BYTES).map(|i| (i % 253) as u8).collect();
        {
            let mut w = s.sled_writer().unwrap();
            for i in 4..40 {
                w.push_event(&rec(i)).unwrap();
                w.push_item_ref(1 + (i % 3) as u32, i).unwrap();
            }
            w.push_snapshot(20, &snapshot).unwrap();
            // Written ahead: at most one batch's worth is still held by the writer.
            assert!(w.pending_bytes < PENDING_BYTES, "{}", w.pending_bytes);
            assert!(w.pending_pieces.len() < PENDING_BYTES / SNAPSHOT_PIECE_BYTES as usize);
            drop(w);
        }
        // The snapshot's pieces reached sled, past the committed events: nobody sees them.
        assert!(s.snapshot_pieces_from(20, 0).unwrap().len() > 2 * PENDING_BYTES / 4096);
        assert_eq!(s.all_snapshot_seqs().unwrap(), [20]);
        assert_eq!(s.snapshot_seqs().unwrap(), Vec::<u64>::new());
        assert_eq!(s.snapshot_at_or_before(u64::MAX).unwrap(), None);
        assert_eq!(s.item_refs(1).unwrap(), [0, 1, 2, 3]);
        let mut all = Vec::new();
        s.scan_item_refs(&mut |item, seq| {
            all.push((item, seq));
            Ok(true)
        })
        .unwrap();
        assert_eq!(all, [(1, 0), (1, 1), (1, 2), (1, 3)]);
        // The next append keeps only the committed entries of the index blocks it extends, and
        // rewrites the snapshot it reaches.
        let mut w = s.writer().unwrap();
        for i in 4..22 {
            w.push_event(&rec(i)).unwrap();
            w.push_item_ref(1, i).unwrap();
        }
        w.push_snapshot(20, b"small").unwrap();
        w.commit([2; 32]).unwrap();
        assert_eq!(s.item_refs(1).unwrap(), (0..22).collect::<Vec<_>>());
        assert_eq!(s.item_refs(2).unwrap(), Vec::<u64>::new());
        assert_eq!(
            s.snapshot_at_or_before(u64::MAX).unwrap(),
            Some((20, b"small".to_vec()))
        );
        assert_eq!(s.snapshot_pieces_from(20, 0).unwrap().len(), 1);
    }

    /// A snapshot written piece by piece as it is encoded is stored as the same pieces as one given
    /// whole: empty, shorter than a piece, a whole number of pieces, and more (over several batches).
    #[test]
    fn a_snapshot_written_as_it_is_encoded_is_stored_as_if_given_whole() {
        let p = SNAPSHOT_PIECE_BYTES as usize;
        for len in [0, 5, p, 3 * p, PENDING_BYTES + p / 2] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let stored = |streamed: bool| {
                let dir = tempfile::tempdir().unwrap();
                let mut s = SledStore::open(dir.path()).unwrap();
                let mut w = s.writer().unwrap();
                for i in 0..3 {
                    w.push_event(&rec(i)).unwrap();
                }
                match streamed {
                    // Written in uneven slices, as an encoder does.
                    true => w
                        .push_snapshot_with(1, &mut |out| {
                            for part in bytes.chunks(1000) {
                                out.write_all(part)?;
                            }
                            Ok(())
                        })
                        .unwrap(),
                    false => w.push_snapshot(1, &bytes).unwrap(),
                }
                w.commit([1; 32]).unwrap();
                let keys = s.snapshot_pieces_from(1, 0).unwrap();
                (keys, s.snapshot_at_or_before(2).unwrap())
            };
            let (whole, streamed) = (stored(false), stored(true));
            assert_eq!(streamed, whole, "{len} bytes");
            assert_eq!(streamed.1, Some((1, bytes.clone())));
            assert_eq!(streamed.0.len(), len.div_ceil(p).max(1));
        }
    }

    #[test]
    fn snapshots_are_stored_in_pieces_and_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SledStore::open(dir.path()).unwrap();
        let p = SNAPSHOT_PIECE_BYTES as usize;
        let big: Vec<u8> = (0..2 * p + 10).map(|i| (i % 251) as u8).collect();
        let small = b"small".to_vec();
        let mut w = s.writer().unwrap();
        for i in 0..8 {
            w.push_event(&rec(i)).unwrap();
        }
        w.push_snapshot(3, &big).unwrap();
        w.push_snapshot(5, &[]).unwrap();
        w.push_snapshot(7, &small).unwrap();
        w.commit([1; 32]).unwrap();
        let pieces = |s: &SledStore, seq: u64| s.snapshot_pieces_from(seq, 0).unwrap().len();
        assert_eq!((pieces(&s, 3), pieces(&s, 5), pieces(&s, 7)), (3, 1, 1));
        assert_eq!(s.snapshot_seqs().unwrap(), [3, 5, 7]);
        assert_eq!(s.snapshot_at_or_before(2).unwrap(), None);
        assert_eq!(s.snapshot_at_or_before(4).unwrap(), Some((3, big.clone())));
        assert_eq!(s.snapshot_at_or_before(5).unwrap(), Some((5, Vec::new())));
        assert_eq!(
            s.snapshot_at_or_before(u64::MAX).unwrap(),
            Some((7, small.clone()))
        );

        // A snapshot written again for the same seq (after a rolled-back tail) leaves no stale piece.
        let mut w = s.writer().unwrap();
        w.push_snapshot(3, &small).unwrap();
        w.push_event(&rec(8)).unwrap();
        w.commit([2; 32]).unwrap();
        assert_eq!(pieces(&s, 3), 1);
        assert_eq!(
            s.snapshot_at_or_before(3).unwrap(),
            Some((3, small.clone()))
        );

        // Tampering replaces or removes every piece.
        s.tamper_snapshot(5, Some(&big)).unwrap();
        assert_eq!(s.snapshot_at_or_before(6).unwrap(), Some((5, big.clone())));
        s.tamper_snapshot(5, Some(b"x")).unwrap();
        assert_eq!(
            s.snapshot_at_or_before(6).unwrap(),
            Some((5, b"x".to_vec()))
        );
        s.tamper_snapshot(5, None).unwrap();
        assert_eq!(s.snapshot_seqs().unwrap(), [3, 7]);

        // A missing piece is damage, told in plain words; a malformed key too.
        s.tamper_snapshot(5, Some(&big)).unwrap();
        guard(&IoDoing::StartVerifyThread, || s.db.remove(piece_key(5, 1))).unwrap();
        let e = s.snapshot_at_or_before(5).unwrap_err();
        assert!(matches!(e, StoreError::Damaged(_)), "{e}");
        assert!(
            e.to_string()
                .contains("piece 1 of the snapshot after event 5"),
            "{e}"
        );
        let odd = [&piece_key(6, 0)[..], &[0]].concat();
        guard(&IoDoing::StartVerifyThread, || {
            s.db.insert(odd.clone(), &b"odd"[..])
        })
        .unwrap();
        assert!(matches!(s.snapshot_seqs(), Err(StoreError::Damaged(_))));
        assert!(matches!(
            s.snapshot_at_or_before(6),
            Err(StoreError::Damaged(_))
        ));
    }

    #[test]
    fn an_old_store_keeps_whole_snapshots() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SledStore::open(dir.path()).unwrap();
        guard(&IoDoing::StartVerifyThread, || {
            s.db.insert(META_KEY, encode_meta(&Committed::EMPTY, LAYOUT_V1))
        })
        .unwrap();
        let big = vec![7u8; 3 * SNAPSHOT_PIECE_BYTES as usize];
        let mut w = s.writer().unwrap();
        w.push_event(b"a").unwrap();
        w.push_snapshot(0, &big).unwrap();
        w.commit([1; 32]).unwrap();
        assert_eq!(s.get(&key(SNAPSHOT_PREFIX, 0)).unwrap().unwrap(), big);
        assert_eq!(s.snapshot_seqs().unwrap(), [0]);
        assert_eq!(s.snapshot_at_or_before(9).unwrap(), Some((0, big)));
        s.tamper_snapshot(0, Some(b"x")).unwrap();
        assert_eq!(
            s.snapshot_at_or_before(9).unwrap(),
            Some((0, b"x".to_vec()))
        );
        s.tamper_snapshot(0, None).unwrap();
        assert_eq!(s.snapshot_seqs().unwrap(), Vec::<u64>::new());
    }

    #[test]
    fn a_damaged_commit_record_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let s = SledStore::open(dir.path()).unwrap();
        guard(&IoDoing::StartVerifyThread, || {
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
        guard(&IoDoing::StartVerifyThread, || {
            s.db.insert(key(b'E', 0), &[9u8, 0, 0, 0, 1][..])
        })
        .unwrap();
        let err = s.scan_events(0, 1, &mut |_, _| Ok(true)).unwrap_err();
        assert!(err.to_string().contains("malformed"), "{err}");
        // A chunk holding fewer records than the commit counts is damage too, and so is a lost one.
        let dir = tempfile::tempdir().unwrap();
        let mut s = SledStore::open(dir.path()).unwrap();
        let mut w = s.writer().unwrap();
        for i in 0..2 {
            w.push_event(&rec(i)).unwrap();
        }
        w.commit([1; 32]).unwrap();
        let one = [&(rec(0).len() as u32).to_le_bytes()[..], &rec(0)].concat();
        guard(&IoDoing::StartVerifyThread, || {
            s.db.insert(key(b'E', 0), one)
        })
        .unwrap();
        assert_eq!(events(&s, 0, 1), [(0, rec(0))]);
        let n = EVENTS_PER_CHUNK;
        let err = s.scan_events(0, 2, &mut |_, _| Ok(true)).unwrap_err();
        assert!(matches!(err, StoreError::Damaged(_)), "{err}");
        assert!(
            err.to_string()
                .contains(&format!("chunk of events #0..#{} is malformed", n - 1)),
            "{err}"
        );
        guard(&IoDoing::StartVerifyThread, || s.db.remove(key(b'E', 0))).unwrap();
        let err = s.scan_events(1, 2, &mut |_, _| Ok(true)).unwrap_err();
        assert!(matches!(err, StoreError::Missing(_)), "{err}");
        assert!(
            err.to_string()
                .contains(&format!("events #0..#{} are missing", n - 1)),
            "{err}"
        );
    }

    #[test]
    fn a_disk_without_room_is_refused_in_plain_words() {
        let dir = tempfile::tempdir().unwrap();
        assert!(free_space_at_least(dir.path(), IoDoing::OpenStore(dir.path().into()), 0).is_ok());
        let e = free_space_at_least(dir.path(), IoDoing::OpenStore(dir.path().into()), u64::MAX)
            .unwrap_err();
        let e = crate::error::Error::from_store(e, dir.path()).to_string();
        assert!(
            e.starts_with("the disk is full: cannot open the store in "),
            "{e}"
        );
        assert!(e.contains("KiB free, and hyoka needs"), "{e}");
        assert!(e.ends_with("free to use the ledger safely"), "{e}");
    }

    #[test]
    fn sled_errors_are_told_in_plain_words() {
        let e = sled_error(
            &IoDoing::OpenStore("s".into()),
            sled::Error::Unsupported("x".into()),
        );
        assert!(
            e.to_string().contains("does not recognise its files"),
            "{e}"
        );
        let full = std::io::Error::from_raw_os_error(28);
        let e = crate::error::Error::from_store(
            sled_error(&IoDoing::WriteStore("s".into()), sled::Error::Io(full)),
            Path::new("l"),
        );
        assert!(matches!(e, crate::error::Error::DiskFull { .. }), "{e}");
    }

    #[test]
    fn a_missing_blob_file_is_damage_and_os_errors_stay_io_errors() {
        use crate::error::IntegrityError as I;
        use std::io::{Error as E, ErrorKind as K};
        let told = |e: E| {
            crate::error::Error::from_store(
                sled_error(&IoDoing::ReadStore("s".into()), sled::Error::Io(e)),
                Path::new("l"),
            )
        };
        let e = told(E::from(K::NotFound));
        assert!(
            matches!(e, crate::error::Error::Integrity(I::StoreFileMissing(_))),
            "{e}"
        );
        assert!(e.to_string().contains("blob files"), "{e}");
        for damaged in [K::UnexpectedEof, K::IsADirectory] {
            let e = told(E::from(damaged));
            assert!(
                matches!(e, crate::error::Error::Integrity(I::StoreUnreadable(_))),
                "{e}"
            );
        }
        // EACCES and EIO: the operating system's, not the store's.
        for os in [E::from(K::PermissionDenied), E::from_raw_os_error(5)] {
            let e = told(os);
            assert!(matches!(e, crate::error::Error::Io { .. }), "{e}");
        }
    }

    /// The imports measured for [`import_room_needed`] (RELIABILITY.md): events, their stored bytes,
    /// and what the ledger directory grew by (`du`, after the import and the next open).
    const MEASURED_IMPORTS: [(u64, u64, u64); 11] = [
        (358, 85_741, 548_864),
        (12_008, 5_697_143, 17_358_848),
        (44_008, 19_867_021, 57_225_216),
        (4_008, 33_684_647, 76_922_880),
        (1_808, 54_335_548, 140_464_128),
        (105_008, 18_128_082, 67_780_608),
        (210_008, 34_573_586, 144_973_824),
        (200_008, 37_574_043, 195_211_264),
        (420_008, 71_664_794, 293_752_832),
        (5_000, 5_380_000, 28_672),
        (50_000, 9_200_000, 27_545_600),
    ];

    #[test]
    fn the_import_estimate_is_half_again_what_sled_took() {
        for (events, bytes, grew) in MEASURED_IMPORTS {
            let estimate = import_room_needed(bytes, events, 0);
            assert!(
                estimate >= grew + grew / 2,
                "{events} events of {bytes} bytes took {grew}, estimated {estimate}"
            );
        }
        // Bytes, events and snapshots each count; nothing overflows.
        let base = import_room_needed(1000, 10, 0);
        assert_eq!(base, 4 * 1000 + 768 * 10 + (1 << 20));
        assert_eq!(import_room_needed(1000, 10, 500), base + 4 * 500);
        assert_eq!(import_room_needed(0, 0, 0), 1 << 20);
        assert_eq!(import_room_needed(u64::MAX, u64::MAX, u64::MAX), u64::MAX);
    }

    #[test]
    fn free_space_is_that_of_the_nearest_existing_directory() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("not/yet/there");
        let free = free_space(&deep).unwrap();
        assert!(free > 0);
        assert!(free_space(dir.path()).is_ok());
    }

    #[test]
    fn a_second_open_in_another_handle_is_locked() {
        let dir = tempfile::tempdir().unwrap();
        let _s = SledStore::open(dir.path()).unwrap();
        assert!(matches!(
            SledStore::open_once(dir.path(), MIN_FREE_BYTES),
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
