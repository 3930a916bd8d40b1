//! The sled engine's writer: an append in progress, and the commit that makes it visible and durable.
//!
//! Why it writes ahead: a large append (an import of a million events) held whole until its commit
//! made memory grow with the log, and sled keeps every version of a leaf that one batch rewrites until
//! the batch ends. So whole chunks, index blocks and snapshot pieces (a snapshot cut into pieces as the
//! state is encoded) go to sled ahead of the commit record in batches of [`PENDING_BYTES`], sled is
//! flushed every [`FLUSH_BYTES`], and crossbeam's collector after each batch; the commit then writes
//! the open chunks, the derived records and the commit record in one atomic batch, flushes sled and
//! fsyncs its files and directories (see the parent module's doc).
//!
//! Invariants:
//!
//! - Nothing an append writes is visible before its commit record: everything written ahead lies past
//!   the committed events, chunks and tree hashes, where readers never look, so an abandoned or
//!   killed append leaves nothing visible.
//! - An append starts from the committed prefix only: the open chunks are rebuilt from their
//!   committed records, and an index block keeps only its committed seqs, so what an abandoned append
//!   wrote ahead is overwritten, never continued.
//! - A commit is durable when it returns (sled's flush, then `fsync` of every changed file and of the
//!   directories); a write that failed marks the store so that sled's `Drop` never runs.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::sync::atomic::Ordering;

use super::format::{
    DERIVED_KEY, JOURNAL_GEN_KEY, LAYOUT_NEW, Layout, META_KEY, REF_BLOCK, SNAPSHOT_PREFIX,
    encode_meta, hash_at, key, piece_key, ref_key, split_records,
};
use super::{SledStore, free_space_at_least, io};
use crate::domain::event::Hash;
use crate::error::IoDoing;
use crate::store::{Committed, StoreDamage, StoreError, StoreResult, StoreWriter};

/// Bytes of chunks, index blocks and snapshot pieces collected before they are handed to sled (one
/// batch) during a large append.
pub(super) const PENDING_BYTES: usize = 256 << 10;
/// Bytes an append hands to sled between two of its flushes (see `SledWriter::spill`).
const FLUSH_BYTES: usize = 2 << 20;

/// The sink of [`SledWriter::push_snapshot_with`]: cuts what is written into pieces and hands each to
/// the writer (which spills them to sled in batches).
struct Pieces<'w, 'a> {
    writer: &'w mut SledWriter<'a>,
    seq: u64,
    piece: usize,
    buf: Vec<u8>,
    count: u32,
    /// A store error met while writing (the sink can only return I/O errors).
    failed: Option<StoreError>,
}

impl Pieces<'_, '_> {
    fn emit(&mut self) -> StoreResult<()> {
        let k = piece_key(self.seq, self.count);
        self.count = self
            .count
            .checked_add(1)
            .ok_or(StoreError::Damaged(StoreDamage::SnapshotTooLarge))?;
        let part = std::mem::replace(&mut self.buf, Vec::with_capacity(self.piece));
        self.writer.pending_bytes += part.len();
        self.writer.pending_pieces.push((k, part));
        self.writer.spill_if_full()
    }
}

impl std::io::Write for Pieces<'_, '_> {
    fn write(&mut self, mut data: &[u8]) -> std::io::Result<usize> {
        let n = data.len();
        while !data.is_empty() {
            let take = (self.piece - self.buf.len()).min(data.len());
            self.buf.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.buf.len() == self.piece
                && let Err(e) = self.emit()
            {
                let msg = e.to_string();
                self.failed = Some(e);
                return Err(std::io::Error::other(msg));
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Frees what sled's writes left for later. sled replaces a page by a new copy on every write and frees
/// the old one through crossbeam's epoch collector, which frees a few hundred objects per 128 pins of a
/// thread; a batch of writes pins once and leaves thousands, so during a large import the garbage grew
/// faster than it was freed (about 270 MB at 1M events). Flushing the collector after each batch
/// keeps up with it: sled and this crate share the collector (one crossbeam-epoch in the build).
fn collect_garbage() {
    for _ in 0..32 {
        crossbeam_epoch::pin().flush();
    }
}

pub(super) struct SledWriter<'a> {
    store: &'a mut SledStore,
    committed: Committed,
    /// The store's layout (that of a new store for the first commit).
    layout: Layout,
    events: u64,
    hashes: u64,
    event_chunk: Vec<u8>,
    hash_chunk: Vec<u8>,
    /// Whole chunks not yet handed to sled, by key.
    pending: BTreeMap<[u8; 9], Vec<u8>>,
    /// Snapshot pieces not yet handed to sled, and the keys of stale pieces they replace.
    pub(super) pending_pieces: Vec<([u8; 13], Vec<u8>)>,
    pending_stale: Vec<sled::IVec>,
    pub(super) pending_bytes: usize,
    /// Bytes handed to sled since its last flush.
    unflushed: usize,
    /// Index blocks touched by this append (committed prefix + new seqs), written only at commit.
    refs: BTreeMap<[u8; 13], Vec<u8>>,
    /// Other derived records (`D`, `A`), written only at commit.
    derived: Vec<(Vec<u8>, Vec<u8>)>,
    /// Keys the commit removes (stale snapshot pieces).
    removed: Vec<Vec<u8>>,
}

impl SledWriter<'_> {
    /// Hands the whole chunks and snapshot pieces gathered so far to sled, past the committed ones
    /// (invisible until the commit record names them), and lets sled write them out every
    /// [`FLUSH_BYTES`]: sled keeps what it was given in memory until it is written, so a large import
    /// would otherwise hold most of itself in memory.
    fn spill(&mut self) -> StoreResult<()> {
        let mut batch = sled::Batch::default();
        self.add_pending(&mut batch);
        let db = &self.store.db;
        self.store
            .write(&self.store.writing(), || db.apply_batch(batch))?;
        collect_garbage();
        if self.unflushed >= FLUSH_BYTES {
            self.unflushed = 0;
            self.store.write(&self.store.writing(), || db.flush())?;
        }
        Ok(())
    }

    fn add_pending(&mut self, batch: &mut sled::Batch) {
        for (k, v) in std::mem::take(&mut self.pending) {
            batch.insert(&k, v);
        }
        for k in std::mem::take(&mut self.pending_stale) {
            batch.remove(k);
        }
        for (k, v) in std::mem::take(&mut self.pending_pieces) {
            batch.insert(&k[..], v);
        }
        self.unflushed += self.pending_bytes;
        self.pending_bytes = 0;
    }

    /// Adds the derived records that remain to the commit's batch (the index blocks and snapshot pieces
    /// go ahead of it: readers ignore what they hold past the committed events).
    fn add_derived(&mut self, batch: &mut sled::Batch) {
        for k in std::mem::take(&mut self.removed) {
            batch.remove(k);
        }
        for (k, v) in std::mem::take(&mut self.derived) {
            batch.insert(k, v);
        }
    }

    fn park(&mut self, k: [u8; 9], v: Vec<u8>) -> StoreResult<()> {
        self.pending_bytes += v.len();
        self.pending.insert(k, v);
        self.spill_if_full()
    }

    fn spill_if_full(&mut self) -> StoreResult<()> {
        match self.pending_bytes >= PENDING_BYTES {
            true => self.spill(),
            false => Ok(()),
        }
    }
}

impl StoreWriter for SledWriter<'_> {
    fn push_event(&mut self, bytes: &[u8]) -> StoreResult<()> {
        let len = u32::try_from(bytes.len())
            .map_err(|_| StoreError::Damaged(StoreDamage::EventTooLarge))?;
        self.event_chunk.extend_from_slice(&len.to_le_bytes());
        self.event_chunk.extend_from_slice(bytes);
        self.events += 1;
        let per_chunk = self.layout.events_per_chunk;
        if self.events.is_multiple_of(per_chunk) {
            let chunk = std::mem::take(&mut self.event_chunk);
            self.park(key(b'E', (self.events - 1) / per_chunk), chunk)?;
        }
        Ok(())
    }

    fn push_tree_hash(&mut self, hash: Hash) -> StoreResult<()> {
        self.hash_chunk.extend_from_slice(&hash);
        self.hashes += 1;
        let per_chunk = self.layout.hashes_per_chunk;
        if self.hashes.is_multiple_of(per_chunk) {
            let chunk = std::mem::take(&mut self.hash_chunk);
            self.park(key(b'T', (self.hashes - 1) / per_chunk), chunk)?;
        }
        Ok(())
    }

    fn push_derived_meta(&mut self, bytes: &[u8]) -> StoreResult<()> {
        self.derived.push((DERIVED_KEY.to_vec(), bytes.to_vec()));
        Ok(())
    }

    fn push_journal_generation(&mut self, generation: u64) -> StoreResult<()> {
        self.derived
            .push((JOURNAL_GEN_KEY.to_vec(), generation.to_le_bytes().to_vec()));
        Ok(())
    }

    fn push_item_ref(&mut self, item: u32, seq: u64) -> StoreResult<()> {
        let k = ref_key(item, seq / REF_BLOCK);
        let v = match self.refs.entry(k) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                // What an abandoned append wrote ahead of its commit is dropped.
                let committed = self.committed.events;
                let old = match self.store.get(&k)? {
                    None => Vec::new(),
                    Some(v) => v
                        .chunks(8)
                        .filter(|s| {
                            (*s).try_into()
                                .map(u64::from_le_bytes)
                                .is_ok_and(|s| s < committed)
                        })
                        .flatten()
                        .copied()
                        .collect(),
                };
                e.insert(old)
            }
        };
        v.extend_from_slice(&seq.to_le_bytes());
        Ok(())
    }

    fn push_snapshot_with(
        &mut self,
        seq: u64,
        write: &mut crate::store::SnapshotWrite<'_>,
    ) -> StoreResult<()> {
        let piece = usize::try_from(self.layout.snapshot_piece).unwrap_or(usize::MAX);
        if piece == 0 {
            let mut bytes = Vec::new();
            write(&mut bytes)
                .map_err(|e| StoreError::Damaged(StoreDamage::SnapshotUnwritable(e.to_string())))?;
            return self.push_snapshot(seq, &bytes);
        }
        // Piece by piece as the state is encoded: a large state's snapshot is never held whole.
        let mut sink = Pieces {
            writer: self,
            seq,
            piece,
            buf: Vec::with_capacity(piece),
            count: 0,
            failed: None,
        };
        let written = write(&mut sink);
        if let Some(e) = sink.failed.take() {
            return Err(e);
        }
        written.map_err(|e| StoreError::Damaged(StoreDamage::SnapshotUnwritable(e.to_string())))?;
        // The last piece (an empty snapshot is one empty piece), then the stale ones after it.
        if !sink.buf.is_empty() || sink.count == 0 {
            sink.emit()?;
        }
        let count = sink.count;
        self.pending_stale
            .extend(self.store.snapshot_pieces_from(seq, count)?);
        self.spill_if_full()
    }

    fn push_snapshot(&mut self, seq: u64, bytes: &[u8]) -> StoreResult<()> {
        let piece = self.layout.snapshot_piece;
        if piece > 0 {
            // Pieces of an earlier snapshot for this seq (a rolled-back tail) would follow the new
            // ones: they go in the same batch.
            // Written ahead like the chunks (a snapshot is the size of the state: holding each one
            // until the commit made an import's memory grow with the square of its events). Readers
            // never look at a snapshot past the committed events.
            // Piece by piece, in batches of PENDING_BYTES: a snapshot of a large state in one sled
            // batch made sled keep every version of the leaves it rewrote (hundreds of megabytes).
            let size = usize::try_from(piece).unwrap_or(usize::MAX).max(1);
            let count = bytes.len().div_ceil(size).max(1);
            let stale = u32::try_from(count)
                .map_err(|_| StoreError::Damaged(StoreDamage::SnapshotTooLarge))?;
            self.pending_stale
                .extend(self.store.snapshot_pieces_from(seq, stale)?);
            for i in 0..count {
                let part = bytes.get(i * size..((i + 1) * size).min(bytes.len()));
                let part = part.unwrap_or_default().to_vec();
                self.pending_bytes += part.len();
                self.pending_pieces.push((piece_key(seq, i as u32), part));
                self.spill_if_full()?;
            }
            return Ok(());
        }
        self.derived
            .push((key(SNAPSHOT_PREFIX, seq).to_vec(), bytes.to_vec()));
        Ok(())
    }

    fn tree_hashes(&self, indexes: &[u64]) -> StoreResult<Vec<Hash>> {
        let per_chunk = self.layout.hashes_per_chunk;
        let open = self.hashes / per_chunk;
        let mut out = Vec::with_capacity(indexes.len());
        for &i in indexes {
            if i >= self.hashes {
                return Err(StoreError::Missing(StoreDamage::TreeHashNotWritten(i)));
            }
            let c = i / per_chunk;
            let h = if c == open {
                hash_at(&self.hash_chunk, i, per_chunk)?
            } else if let Some(v) = self.pending.get(&key(b'T', c)) {
                hash_at(v, i, per_chunk)?
            } else {
                hash_at(&self.store.hash_chunk(c)?, i, per_chunk)?
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
        if committed == self.committed
            && self.derived.is_empty()
            && self.removed.is_empty()
            && self.pending_pieces.is_empty()
        {
            return Ok(committed);
        }
        // The index blocks go ahead in batches of their own, like the chunks: sled keeps every version
        // of a leaf that one batch rewrites until the batch ends, so one batch with every block of a
        // large import held hundreds of megabytes. Readers never see a seq past the committed events.
        let mut refs = std::mem::take(&mut self.refs).into_iter().peekable();
        while refs.peek().is_some() {
            let mut batch = sled::Batch::default();
            let mut bytes = 0;
            for (k, v) in refs.by_ref() {
                bytes += v.len() + k.len();
                batch.insert(&k[..], v);
                if bytes >= PENDING_BYTES {
                    break;
                }
            }
            let db = &self.store.db;
            self.store
                .write(&self.store.writing(), || db.apply_batch(batch))?;
            collect_garbage();
        }
        let mut batch = sled::Batch::default();
        self.add_pending(&mut batch);
        if !self.event_chunk.is_empty() {
            batch.insert(
                &key(b'E', self.events / self.layout.events_per_chunk),
                std::mem::take(&mut self.event_chunk),
            );
        }
        if !self.hash_chunk.is_empty() {
            batch.insert(
                &key(b'T', self.hashes / self.layout.hashes_per_chunk),
                std::mem::take(&mut self.hash_chunk),
            );
        }
        self.add_derived(&mut batch);
        batch.insert(META_KEY, encode_meta(&committed, self.layout));
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

impl SledStore {
    /// The writer of [`Store::writer`](crate::store::Store::writer), unboxed.
    pub(super) fn sled_writer(&mut self) -> StoreResult<SledWriter<'_>> {
        free_space_at_least(
            &self.dir,
            IoDoing::WriteStore(self.dir.clone()),
            self.min_free,
        )?;
        let (committed, layout) = self.head()?.unwrap_or((Committed::EMPTY, LAYOUT_NEW));
        let open_events = committed.events % layout.events_per_chunk;
        let mut event_chunk = Vec::new();
        if open_events > 0 {
            let chunk_no = committed.events / layout.events_per_chunk;
            let v = self.get(&key(b'E', chunk_no))?.ok_or_else(|| {
                StoreError::Missing(StoreDamage::OpenChunkMissing(
                    chunk_no * layout.events_per_chunk,
                ))
            })?;
            let recs = split_records(&v)
                .filter(|r| r.len() as u64 >= open_events)
                .ok_or(StoreError::Damaged(StoreDamage::OpenEventChunkMalformed))?;
            for r in recs.iter().take(open_events as usize) {
                event_chunk.extend_from_slice(&(r.len() as u32).to_le_bytes());
                event_chunk.extend_from_slice(r);
            }
        }
        let open_hashes = committed.tree_hashes % layout.hashes_per_chunk;
        let mut hash_chunk = Vec::new();
        if open_hashes > 0 {
            let v = self.hash_chunk(committed.tree_hashes / layout.hashes_per_chunk)?;
            let keep = (open_hashes * 32) as usize;
            hash_chunk.extend_from_slice(
                v.get(..keep)
                    .ok_or(StoreError::Damaged(StoreDamage::OpenTreeChunkShort))?,
            );
        }
        Ok(SledWriter {
            store: self,
            committed,
            layout,
            events: committed.events,
            hashes: committed.tree_hashes,
            event_chunk,
            hash_chunk,
            pending: BTreeMap::new(),
            pending_pieces: Vec::new(),
            pending_stale: Vec::new(),
            pending_bytes: 0,
            unflushed: 0,
            refs: BTreeMap::new(),
            derived: Vec::new(),
            removed: Vec::new(),
        })
    }

    /// fsyncs sled's files that changed since the last sync, and the directories.
    fn sync_files(&mut self) -> StoreResult<()> {
        let not_found = |e: &std::io::Error| e.kind() == std::io::ErrorKind::NotFound;
        // sled's own files (db, conf, snapshots): those whose size or time changed.
        let mut changed_listing = false;
        let mut seen = HashSet::new();
        let entries =
            std::fs::read_dir(&self.dir).map_err(io(IoDoing::Read(self.dir.to_path_buf())))?;
        for entry in entries {
            let entry = entry.map_err(io(IoDoing::Read(self.dir.to_path_buf())))?;
            let path = entry.path();
            let meta = match entry.metadata() {
                Err(e) if not_found(&e) => continue,
                m => m.map_err(io(IoDoing::Read(path.to_path_buf())))?,
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
                r => r.map_err(io(IoDoing::Sync(path.to_path_buf())))?,
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
            let entries =
                std::fs::read_dir(&blobs).map_err(io(IoDoing::Read(blobs.to_path_buf())))?;
            for entry in entries {
                let name = entry
                    .map_err(io(IoDoing::Read(blobs.to_path_buf())))?
                    .file_name();
                if !self.synced_blobs.contains(&name) {
                    let path = blobs.join(&name);
                    match File::open(&path).and_then(|f| f.sync_all()) {
                        Err(e) if not_found(&e) => continue,
                        r => r.map_err(io(IoDoing::Sync(path.to_path_buf())))?,
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
                .map_err(io(IoDoing::Sync(self.dir.to_path_buf())))?;
        }
        if new_blobs {
            File::open(&blobs)
                .and_then(|f| f.sync_all())
                .map_err(io(IoDoing::Sync(blobs.to_path_buf())))?;
        }
        Ok(())
    }
}
