//! A write-ahead journal in front of any [`Store`]: a small append is durable after one write and one
//! `fdatasync` of one file, and reaches the engine later, many appends at a time.
//!
//! Why: a durable commit of the engine (sled: flush, then fsync of its files and directories, and the
//! ledger's head record) costs three or more syncs and rewrites the open chunk; a journal record costs
//! one. Large batches (imports, restores, the first commit of a ledger, anything that carries a
//! snapshot) skip the journal and go straight to the engine, which is faster for them.
//!
//! The journal file (`JOURNAL` in the ledger directory, format in `schema/FORMAT.md` section 6.1) holds
//! the records appended since the engine last took them, each a checksummed copy of everything one
//! commit pushed (event bytes, tree hashes, index entries) and the head hash. The records' content is
//! also kept in memory (the *tail*), and every read sees the engine's data followed by the tail. When
//! the tail passes its limit ([`TAIL_BYTES`], unless the opener gave another: see
//! [`Journaled::open_with_tail`]), or a batch goes to the engine, the tail is committed to the engine
//! (durably), recording the journal's next generation, and only then does the file start that
//! generation (its header rewritten, its records cut off). The file grows by 1 MiB of zeros written ahead, so that
//! most appends write into room it already has and their `fdatasync` records no new file size (as
//! SQLite reuses its WAL). Invariants:
//!
//! - The engine's committed data followed by the journal's records is the committed history: records
//!   continue the engine exactly (seqs and tree indexes), so a gap or an overlap that disagrees with the
//!   engine is damage, reported.
//! - The engine records the journal's generation and the file's header carries it, so a journal that
//!   disappears, is emptied or is replaced by another copy is seen, not taken for an empty one.
//! - The file starts a new generation only after the engine has everything in it durably; a crash in
//!   between leaves records the engine already holds, which open checks byte for byte and skips.
//! - A record that fails its check at the end of the file is an append that never returned (a kill or
//!   power cut during its write): it was not acknowledged. The next writer keeps its bytes in a file
//!   beside the journal, then cuts it off; a reader leaves the file as it is. One that fails with
//!   records after it is damage, reported.
//! - Open reads the file in bounded memory, never whole: record by record (a header, its length
//!   checked against `RECORD_LEN_MAX` before anything is allocated for it,
//!   then the frame), keeping only the records' contents (the tail); what follows the last record is
//!   scanned a chunk at a time and read whole only when it is at most one record long; the bytes a
//!   writer cuts are copied a chunk at a time. No record longer than a reader reads is ever written.
//!
//! The files, by job: `record` the bytes of the file's header and records (pure functions); `read`
//! reading the records back in bounded memory; `file` the file on disk (appends, generations, the
//! counts a group commit waits on, the cut bytes kept aside); `writer` the journal's side of the store,
//! the move of its tail into the engine, and an append in progress; this one [`Journaled`] (open and
//! its checks, the reads) and [`SyncPoint`]. Each uses only the files before it in that list.

pub(crate) mod file;
mod read;
pub(crate) mod record;
mod writer;

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError};

use crate::domain::event::Hash;
use crate::error::{IoDoing, JournalDoing};
use crate::os::safe_fs;
use crate::store::{
    Committed, JournalLoss, Loss, Store, StoreDamage, StoreError, StoreResult, StoreWriter,
};
use file::{JournalFile, Progress, copy_range, keep_cut_bytes};
use read::{FILE_MAX, FileSource, Parsed, read_records};
use record::{
    FILE_HEADER, FileStart, Pushes, RECORD_BYTES, Record, encode_file_header, file_start,
};
use writer::{Front, JournalWriter, read_hashes};

/// The journal's file name in a ledger directory.
pub const JOURNAL_FILE: &str = "JOURNAL";
/// Event bytes in the tail at which it is moved into the engine (the limit of a journal opened with
/// [`Journaled::open`]).
pub const TAIL_BYTES: usize = 8 << 20;

/// Makes a journal's records durable for the appends of several threads at once (group commit): each
/// append writes its record without syncing, and waits here until a sync covers it; one `fdatasync`
/// covers every record written before it started. See [`crate::ledger::shared`].
#[derive(Debug)]
pub struct SyncPoint {
    file: File,
    path: PathBuf,
    progress: Arc<Progress>,
}

impl SyncPoint {
    /// The running count of journal bytes written so far: a ticket for [`SyncPoint::wait_durable`].
    pub fn written(&self) -> u64 {
        self.progress.counts().written
    }

    /// Returns once the first `ticket` bytes ever written to the journal are durable, syncing the
    /// file if no other thread is. After a failed sync every call fails: records may have been lost.
    pub fn wait_durable(&self, ticket: u64) -> StoreResult<()> {
        let p = &self.progress;
        let mut c = p.counts();
        loop {
            if let Some(why) = &c.failed {
                return Err(StoreError::Io {
                    context: IoDoing::Journal {
                        doing: JournalDoing::Sync,
                        path: Some(self.path.clone()),
                    },
                    source: std::io::Error::other(why.clone()),
                });
            }
            if c.durable >= ticket {
                return Ok(());
            }
            if c.syncing {
                c = p.changed.wait(c).unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            c.syncing = true;
            let target = c.written;
            drop(c);
            let r = self.file.sync_data();
            c = p.counts();
            c.syncing = false;
            match r {
                Ok(()) => c.durable = c.durable.max(target),
                Err(e) => c.failed = Some(e.to_string()),
            }
            p.changed.notify_all();
        }
    }
}

/// How to open a journal.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenJournal {
    /// Whether the journal may be written (appends, and the repairs of open). A reader never
    /// changes the file.
    pub write: bool,
    /// The time (nanoseconds since the epoch) that names a file of bytes cut off the journal.
    pub now: i64,
}

/// What opening a journal found at its end, beyond its last whole record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    /// An unfinished last record (an append cut short by a kill or a power cut, never acknowledged):
    /// a writer kept its bytes in `file`, in the journal's directory, then cut them off.
    Cut {
        /// The name of the file now holding the bytes.
        file: String,
        /// How many bytes were cut.
        bytes: u64,
        /// The seq the unfinished record would have started at.
        first_seq: u64,
    },
    /// The same found by a reader, which left the file as it was (the next writer cuts it).
    Unfinished {
        /// How many bytes follow the last whole record.
        bytes: u64,
        /// The seq the unfinished record would have started at.
        first_seq: u64,
    },
}

/// A store with a journal in front of it (see the module documentation).
pub struct Journaled<S: Store> {
    inner: S,
    front: Front,
    /// What open found beyond the journal's last whole record.
    recovery: Option<Recovery>,
}

impl<S: Store> Journaled<S> {
    /// Opens the journal at `path` in front of `inner`, checking the file against the generation the
    /// engine recorded and its records against the engine.
    ///
    /// A reader (`how.write` false) never changes the file: an unfinished last record is left where it
    /// is and reported. A writer keeps the bytes of an unfinished last record in a new file beside the
    /// journal (`JOURNAL.cut-<first seq>-<UTC time>`, durably) before it cuts them off, creates the file
    /// of a new ledger, and gives a journal written before generations existed its first generation.
    ///
    /// The tail moves into the engine once it holds [`TAIL_BYTES`] of events
    /// ([`Journaled::open_with_tail`] gives another limit).
    pub fn open(inner: S, path: &Path, how: OpenJournal) -> StoreResult<Self> {
        Self::open_with_tail(inner, path, how, TAIL_BYTES)
    }

    /// [`Journaled::open`], moving the tail into the engine once it holds `tail_limit` bytes of events
    /// instead of [`TAIL_BYTES`]: tests give a small limit so that the move happens every few appends.
    /// The limit is this journal's alone; the file's format does not depend on it.
    pub fn open_with_tail(
        inner: S,
        path: &Path,
        how: OpenJournal,
        tail_limit: usize,
    ) -> StoreResult<Self> {
        let io = |doing: JournalDoing| {
            let context = IoDoing::Journal {
                doing,
                path: Some(path.to_path_buf()),
            };
            move |source| StoreError::Io { context, source }
        };
        let lost = |why: Loss| {
            StoreError::JournalLost(JournalLoss {
                path: path.to_path_buf(),
                why,
            })
        };
        let engine = inner.committed()?.unwrap_or(Committed::EMPTY);
        let recorded = inner.journal_generation()?;
        let opened = match how.write {
            true => safe_fs::open_rw(path, false),
            false => safe_fs::open_read(path),
        };
        let file = match opened {
            Ok(f) => Some(f),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io(JournalDoing::Open)(e)),
        };
        // The file is read in bounded memory: its header here, then record by record.
        let size = match &file {
            Some(f) => f.metadata().map_err(io(JournalDoing::Read))?.len(),
            None => 0,
        };
        if size > FILE_MAX {
            return Err(StoreError::Damaged(StoreDamage::JournalTooBig {
                path: path.to_path_buf(),
                size,
            }));
        }
        let mut first = [0u8; FILE_HEADER];
        let first = &mut first[..FILE_HEADER.min(size as usize)];
        if let Some(f) = &file {
            f.read_exact_at(first, 0).map_err(io(JournalDoing::Read))?;
        }
        // Where the records start, and the file's generation.
        let (start, generation) = match (recorded, file_start(first)) {
            (Some(g), FileStart::Header(h)) if g == u64::MAX || h == u64::MAX => {
                return Err(lost(Loss::TooFar {
                    found: h,
                    recorded: g,
                }));
            }
            (Some(g), FileStart::Header(h)) if h == g || h + 1 == g => (FILE_HEADER, Some(h)),
            (Some(g), FileStart::Header(h)) => {
                return Err(lost(Loss::Replaced {
                    found: h,
                    recorded: g,
                }));
            }
            (Some(g), _) if file.is_none() => {
                return Err(lost(Loss::Missing {
                    recorded: g,
                    after: engine.events.saturating_sub(1),
                }));
            }
            (Some(g), _) if size == 0 => {
                return Err(lost(Loss::Empty {
                    recorded: g,
                    after: engine.events.saturating_sub(1),
                }));
            }
            (Some(g), _) => {
                return Err(lost(Loss::Overwritten {
                    recorded: g,
                    after: engine.events.saturating_sub(1),
                }));
            }
            // No generation recorded: a new ledger (file header 0), or a ledger written before
            // generations existed (a headerless file, or none).
            (None, FileStart::Header(0)) => (FILE_HEADER, Some(0)),
            (None, FileStart::Header(h)) => {
                return Err(lost(Loss::Unrecorded(h)));
            }
            (None, FileStart::BadHeader) => {
                return Err(lost(Loss::BadHeader));
            }
            (None, FileStart::Headerless) => (0, None),
        };
        let stale = matches!((recorded, generation), (Some(g), Some(h)) if h + 1 == g);
        let parsed = match &file {
            Some(f) => read_records(&FileSource { file: f, size }, start as u64),
            // No file: nothing to read.
            None => Ok(Parsed {
                records: Vec::new(),
                valid_len: 0,
                unfinished: false,
            }),
        }
        .map_err(|e| match e {
            StoreError::Damaged(StoreDamage::JournalRecordFails {
                path: None,
                at,
                then,
            }) => StoreError::Damaged(StoreDamage::JournalRecordFails {
                path: Some(path.to_path_buf()),
                at,
                then,
            }),
            StoreError::Damaged(StoreDamage::JournalRecordMalformed { path: None, at }) => {
                StoreError::Damaged(StoreDamage::JournalRecordMalformed {
                    path: Some(path.to_path_buf()),
                    at,
                })
            }
            StoreError::Io { source, .. } => io(JournalDoing::Read)(source),
            e => e,
        })?;
        let valid_len = start as u64 + parsed.valid_len;
        // Bytes after the last whole record, cut by a writer (0: only zeros follow it).
        let unfinished = match parsed.unfinished {
            true => size - valid_len,
            false => 0,
        };
        let file = match file {
            Some(f) => f,
            // A reader of a ledger without a journal file: an empty stand-in, never written.
            None if !how.write => File::open("/dev/null").map_err(io(JournalDoing::Open))?,
            None => safe_fs::open_rw(path, true).map_err(io(JournalDoing::Create))?,
        };
        let mut j = Journaled {
            inner,
            front: Front {
                journal: JournalFile {
                    path: path.to_path_buf(),
                    file,
                    len: valid_len,
                    size,
                    defer_sync: false,
                    progress: Arc::default(),
                },
                base: engine,
                tail: Pushes::default(),
                tail_head: engine.head_hash,
                stuck: None,
                generation,
                reset_pending: false,
                writable: how.write,
                tail_limit,
            },
            recovery: None,
        };
        for r in parsed.records {
            j.load(r)?;
        }
        if stale && !j.front.tail.is_empty() {
            return Err(lost(Loss::LeftBehind {
                generation: generation.unwrap_or(0),
                from: j.front.base.events,
            }));
        }
        let first_seq = j.front.committed().events;
        if !how.write {
            if unfinished > 0 {
                j.recovery = Some(Recovery::Unfinished {
                    bytes: unfinished,
                    first_seq,
                });
            }
            return Ok(j);
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        if unfinished > 0 {
            let file = keep_cut_bytes(
                dir,
                first_seq,
                how.now,
                &j.front.journal.file,
                (valid_len, size),
            )
            .map_err(io(JournalDoing::KeepCut))?;
            let f = &mut j.front.journal;
            f.file
                .set_len(valid_len)
                .and_then(|()| f.file.sync_data())
                .map_err(io(JournalDoing::Cut))?;
            f.size = valid_len;
            j.recovery = Some(Recovery::Cut {
                file,
                bytes: unfinished,
                first_seq,
            });
        }
        // Give the file a header: a new ledger's (generation 0), or the first one of a journal written
        // before generations existed (its records are then moved into the engine, which records
        // generation 1). A file the engine already moved on from starts the engine's generation.
        match (recorded, generation) {
            (Some(g), Some(h)) if h + 1 == g => {
                j.front.generation = Some(g);
                j.front.reset_pending = true;
                j.front.finish_reset()?;
            }
            (Some(_), _) => {}
            (None, Some(_)) => {}
            (None, None) => {
                // The header, then the records copied from the old file a chunk at a time.
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or(JOURNAL_FILE);
                let old = &j.front.journal.file;
                safe_fs::replace_with(dir, name, &mut |f| {
                    f.write_all_at(&encode_file_header(0), 0)?;
                    copy_range(old, start as u64, valid_len, f, FILE_HEADER as u64)
                })
                .map_err(io(JournalDoing::Header))?;
                let f = safe_fs::open_rw(path, false).map_err(io(JournalDoing::Open))?;
                let len = FILE_HEADER as u64 + valid_len - start as u64;
                j.front.journal.file = f;
                j.front.journal.len = len;
                j.front.journal.size = len;
                j.front.generation = Some(0);
                if engine.events > 0 {
                    j.front.settle_with(&mut j.inner, true)?;
                }
            }
        }
        Ok(j)
    }

    /// Takes one record read from the file: skipped if the engine holds it already (checked byte for
    /// byte), added to the tail if it continues the history, damage otherwise.
    fn load(&mut self, r: Record) -> StoreResult<()> {
        let f = &mut self.front;
        let n = r.pushes.events.len() as u64;
        let h = r.pushes.hashes.len() as u64;
        let end = r.first_seq + n;
        if f.tail.is_empty() && end <= f.base.events && r.first_hash + h <= f.base.tree_hashes {
            // Moved into the engine by a commit after which emptying the journal did not happen.
            let mut i = 0usize;
            let mut same = true;
            self.inner.scan_events(r.first_seq, end, &mut |_, b| {
                same &= r.pushes.events.get(i).is_some_and(|e| e == b);
                i += 1;
                Ok(same)
            })?;
            let hashes: Vec<u64> = (r.first_hash..r.first_hash + h).collect();
            if !same || i as u64 != n || self.inner.tree_hashes(&hashes)? != r.pushes.hashes {
                return Err(StoreError::Damaged(StoreDamage::JournalDiffers {
                    first: r.first_seq,
                    last: end.saturating_sub(1),
                }));
            }
            return Ok(());
        }
        let next = f.committed();
        if r.first_seq != next.events || r.first_hash != next.tree_hashes {
            return Err(StoreError::Missing(StoreDamage::JournalAfterGap {
                first: r.first_seq,
                store_ends: next.events,
            }));
        }
        f.tail_head = r.head;
        f.tail.extend(r.pushes);
        Ok(())
    }

    /// The engine (for tests that damage it on purpose): the journal is moved into it first. Only in
    /// test builds and with the `testing` feature.
    #[cfg(any(test, feature = "testing"))]
    pub fn inner_mut(&mut self) -> StoreResult<&mut S> {
        self.settle()?;
        Ok(&mut self.inner)
    }

    /// The same journal in front of another engine built from this one (test support).
    #[cfg(test)]
    pub(crate) fn map_inner<T: Store>(self, f: impl FnOnce(S) -> T) -> Journaled<T> {
        Journaled {
            inner: f(self.inner),
            front: self.front,
            recovery: self.recovery,
        }
    }

    /// The engine, read-only.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// What the engine itself holds durably (the journal aside).
    pub fn settled(&self) -> Committed {
        self.front.base
    }

    /// What open found beyond the journal's last whole record, if anything.
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recovery.as_ref()
    }

    /// The journal file's generation (`None`: a reader of a journal written before generations).
    pub fn generation(&self) -> Option<u64> {
        self.front.generation
    }

    /// Events held only by the journal.
    pub fn journaled_events(&self) -> u64 {
        self.front.tail.events.len() as u64
    }

    /// Moves the journal into the engine: one durable commit of the engine, then the file starts a new
    /// generation.
    pub fn settle(&mut self) -> StoreResult<()> {
        self.front.settle(&mut self.inner)
    }

    /// Whether commits leave their journal record's sync to a [`SyncPoint`] (group commit). A commit
    /// that goes to the engine is durable when it returns either way.
    pub fn defer_sync(&mut self, defer: bool) {
        self.front.journal.defer_sync = defer;
    }

    /// Whether commits leave their journal record's sync to a [`SyncPoint`].
    pub fn defers_sync(&self) -> bool {
        self.front.journal.defer_sync
    }

    /// A handle that makes this journal's records durable from any thread.
    pub fn sync_point(&self) -> StoreResult<SyncPoint> {
        let j = &self.front.journal;
        Ok(SyncPoint {
            file: j.file.try_clone().map_err(j.io(JournalDoing::Share))?,
            path: j.path.clone(),
            progress: Arc::clone(&j.progress),
        })
    }
}

impl<S: Store> Store for Journaled<S> {
    fn committed(&self) -> StoreResult<Option<Committed>> {
        if self.front.tail.is_empty() {
            return self.inner.committed();
        }
        Ok(Some(self.front.committed()))
    }

    fn scan_events(
        &self,
        from: u64,
        to: u64,
        f: &mut dyn FnMut(u64, &[u8]) -> StoreResult<bool>,
    ) -> StoreResult<()> {
        let split = self.front.base.events;
        let tail = &self.front.tail.events;
        let mut go_on = true;
        if from < split {
            self.inner.scan_events(from, to.min(split), &mut |s, b| {
                go_on = f(s, b)?;
                Ok(go_on)
            })?;
        }
        if !go_on {
            return Ok(());
        }
        let end = to.min(split + tail.len() as u64);
        for seq in from.max(split)..end {
            if let Some(b) = tail.get((seq - split) as usize)
                && !f(seq, b)?
            {
                break;
            }
        }
        Ok(())
    }

    fn tree_hashes(&self, indexes: &[u64]) -> StoreResult<Vec<Hash>> {
        read_hashes(&self.inner, &self.front, &Pushes::default(), indexes)
    }

    fn writer(&mut self) -> StoreResult<Box<dyn StoreWriter + '_>> {
        let front = &mut self.front;
        if !front.writable {
            return Err(StoreError::Internal(
                "the journal was opened for reading".into(),
            ));
        }
        front.finish_reset()?;
        if let Some(why) = &front.stuck
            && front.tail.event_bytes >= 2 * front.tail_limit.max(RECORD_BYTES)
        {
            return Err(StoreError::Damaged(StoreDamage::JournalStuck {
                why: why.clone(),
                path: front.journal.path.clone(),
            }));
        }
        let dir = front.journal.path.parent().unwrap_or(Path::new("."));
        self.inner.check_free_space(
            dir,
            IoDoing::Journal {
                doing: JournalDoing::Write,
                path: Some(dir.to_path_buf()),
            },
        )?;
        if front.tail.is_empty() {
            let c = self.inner.committed()?.unwrap_or(Committed::EMPTY);
            front.settled(c);
        }
        Ok(Box::new(JournalWriter {
            inner: Some(&mut self.inner),
            front,
            new: Pushes::default(),
            direct: None,
        }))
    }

    fn derived_meta(&self) -> StoreResult<Option<Vec<u8>>> {
        self.inner.derived_meta()
    }

    fn item_refs(&self, item: u32) -> StoreResult<Vec<u64>> {
        let mut out = self.inner.item_refs(item)?;
        out.extend(
            self.front
                .tail
                .refs
                .iter()
                .filter(|&&(i, _)| i == item)
                .map(|&(_, s)| s),
        );
        Ok(out)
    }

    fn scan_item_refs(&self, f: &mut dyn FnMut(u32, u64) -> StoreResult<bool>) -> StoreResult<()> {
        if self.front.tail.refs.is_empty() {
            return self.inner.scan_item_refs(f);
        }
        // By item then seq: an item's entries in the tail follow its entries in the engine.
        let mut tail = self.front.tail.refs.clone();
        tail.sort_unstable();
        let mut tail = tail.into_iter().peekable();
        let mut go_on = true;
        self.inner.scan_item_refs(&mut |item, seq| {
            while let Some(&(ti, ts)) = tail.peek()
                && ti < item
            {
                tail.next();
                go_on = f(ti, ts)?;
                if !go_on {
                    return Ok(false);
                }
            }
            go_on = f(item, seq)?;
            Ok(go_on)
        })?;
        if go_on {
            for (ti, ts) in tail {
                if !f(ti, ts)? {
                    break;
                }
            }
        }
        Ok(())
    }

    fn snapshot_at_or_before(&self, seq: u64) -> StoreResult<Option<(u64, Vec<u8>)>> {
        self.inner.snapshot_at_or_before(seq)
    }

    fn snapshot_seqs(&self) -> StoreResult<Vec<u64>> {
        self.inner.snapshot_seqs()
    }
}

#[cfg(test)]
mod tests {
    use super::file::*;
    use super::read::*;
    use super::record::*;
    use super::*;
    use crate::store::sled_store::SledStore;

    fn open(dir: &Path) -> StoreResult<Journaled<SledStore>> {
        Journaled::open(
            SledStore::open(&dir.join("store"))?,
            &dir.join(JOURNAL_FILE),
            OpenJournal {
                write: true,
                now: 0,
            },
        )
    }

    fn open_as(dir: &Path, write: bool) -> StoreResult<Journaled<SledStore>> {
        Journaled::open(
            SledStore::open(&dir.join("store"))?,
            &dir.join(JOURNAL_FILE),
            OpenJournal { write, now: 0 },
        )
    }

    fn lost(r: StoreResult<Journaled<SledStore>>) -> String {
        match r {
            Err(StoreError::JournalLost(m)) => m.to_string(),
            other => panic!("not lost: {:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn a_file_header_is_pinned_byte_for_byte() {
        // schema/FORMAT.md section 6.1: computed independently (Python's blake3, derive_key mode).
        assert_eq!(
            hex::encode(encode_file_header(1)),
            "68796a670100000000000000\
             341242488b04c513ddd2dc6ebec1cf32dfebec94d1ac262508bfa156e1830719"
        );
        assert_eq!(
            file_start(&encode_file_header(u64::MAX)),
            FileStart::Header(u64::MAX)
        );
        let mut bad = encode_file_header(3);
        bad[5] ^= 1;
        assert_eq!(file_start(&bad), FileStart::BadHeader);
        assert_eq!(file_start(&bad[..20]), FileStart::BadHeader);
        assert_eq!(file_start(b"hyj1...."), FileStart::Headerless);
        assert_eq!(file_start(b""), FileStart::Headerless);
    }

    #[test]
    fn a_missing_emptied_or_replaced_journal_is_lost_not_empty() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join(JOURNAL_FILE);
        let mut j = open(d.path()).unwrap();
        append(&mut j, 0, 3, 50);
        let gen0 = std::fs::read(&path).unwrap();
        j.settle().unwrap();
        let gen1_empty = std::fs::read(&path).unwrap();
        append(&mut j, 3, 5, 50);
        drop(j);
        let good = std::fs::read(&path).unwrap();
        for write in [false, true] {
            std::fs::remove_file(&path).unwrap();
            let m = lost(open_as(d.path(), write));
            assert!(
                m.to_string().contains("is missing") && m.to_string().contains("after #2"),
                "{m}"
            );
            assert!(!path.exists(), "a missing journal was created again");
            std::fs::write(&path, b"").unwrap();
            assert!(lost(open_as(d.path(), write)).contains("is empty"));
            assert_eq!(std::fs::read(&path).unwrap(), b"");
            std::fs::write(&path, &good[FILE_HEADER..]).unwrap();
            assert!(lost(open_as(d.path(), write)).contains("no valid header"));
            // A copy of an earlier generation (its records all in the engine) would hide the loss.
            std::fs::write(&path, &gen0).unwrap();
            // Generation 0 is one behind the engine's: a crash between the engine's commit and the
            // file's new generation leaves that, with records the engine holds; it is no loss.
            assert!(open_as(d.path(), write).is_ok());
            std::fs::write(&path, &good).unwrap();
        }
        // Cut at a record boundary: what is left is consistent; only an anchor can tell (the ledger's).
        std::fs::write(&path, &gen1_empty).unwrap();
        let j = open(d.path()).unwrap();
        assert_eq!(j.committed().unwrap().unwrap().events, 3);
    }

    #[test]
    fn a_journal_written_before_generations_opens_and_gets_one_from_its_first_writer() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join(JOURNAL_FILE);
        {
            // An engine that never recorded a generation, and a headerless journal of two records.
            let mut s = SledStore::open(&d.path().join("store")).unwrap();
            let mut w = s.writer().unwrap();
            for seq in 0..2 {
                w.push_event(&ev(seq, 10)).unwrap();
                w.push_tree_hash(head(seq)).unwrap();
                w.push_item_ref(7, seq).unwrap();
            }
            w.commit(head(1)).unwrap();
            assert_eq!(s.journal_generation().unwrap(), None);
            let mut old = encode_record(&record(2, 2)).unwrap();
            old.extend_from_slice(&encode_record(&record(4, 1)).unwrap());
            old.extend_from_slice(&[0; 100]);
            std::fs::write(&path, old).unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let r = open_as(d.path(), false).unwrap();
        assert_eq!(r.generation(), None);
        assert_eq!(
            all_events(&r),
            (0..5).map(|s| (s, ev(s, 10))).collect::<Vec<_>>()
        );
        drop(r);
        assert_eq!(std::fs::read(&path).unwrap(), before, "a reader wrote");
        let j = open(d.path()).unwrap();
        assert_eq!(j.inner().journal_generation().unwrap(), Some(1));
        assert_eq!(std::fs::read(&path).unwrap(), encode_file_header(1));
        assert_eq!(
            all_events(&j),
            (0..5).map(|s| (s, ev(s, 10))).collect::<Vec<_>>()
        );
        drop(j);
        std::fs::remove_file(&path).unwrap();
        assert!(lost(open(d.path())).contains("is missing"));
    }

    /// The records of a journal file's bytes (after its header).
    fn records(bytes: &[u8]) -> &[u8] {
        assert!(
            matches!(file_start(bytes), FileStart::Header(_)),
            "no header"
        );
        &bytes[FILE_HEADER..]
    }

    fn ev(seq: u64, len: usize) -> Vec<u8> {
        let mut v = seq.to_le_bytes().to_vec();
        v.resize(len.max(8), b'x');
        v
    }

    fn head(seq: u64) -> Hash {
        *blake3::hash(&seq.to_le_bytes()).as_bytes()
    }

    /// Appends events `from..to` (each `len` bytes, one tree hash and one index entry each).
    fn append(j: &mut Journaled<SledStore>, from: u64, to: u64, len: usize) -> Committed {
        let mut w = j.writer().unwrap();
        for s in from..to {
            w.push_event(&ev(s, len)).unwrap();
            w.push_tree_hash(head(s)).unwrap();
            w.push_item_ref((s % 3) as u32, s).unwrap();
        }
        w.commit(head(to - 1)).unwrap()
    }

    fn all_events(j: &Journaled<SledStore>) -> Vec<(u64, Vec<u8>)> {
        let mut out = Vec::new();
        j.scan_events(0, u64::MAX, &mut |s, b| {
            out.push((s, b.to_vec()));
            Ok(true)
        })
        .unwrap();
        out
    }

    fn check_contents(j: &Journaled<SledStore>, n: u64, len: usize) {
        let c = j.committed().unwrap().unwrap();
        assert_eq!((c.events, c.tree_hashes, c.head_hash), (n, n, head(n - 1)));
        let want: Vec<_> = (0..n).map(|s| (s, ev(s, len))).collect();
        assert_eq!(all_events(j), want);
        let idx: Vec<u64> = (0..n).rev().collect();
        let want: Vec<Hash> = idx.iter().map(|&s| head(s)).collect();
        assert_eq!(j.tree_hashes(&idx).unwrap(), want);
        for item in 0..3u32 {
            let want: Vec<u64> = (0..n).filter(|s| s % 3 == item as u64).collect();
            assert_eq!(j.item_refs(item).unwrap(), want);
        }
        let mut refs = Vec::new();
        j.scan_item_refs(&mut |i, s| {
            refs.push((i, s));
            Ok(true)
        })
        .unwrap();
        let mut want: Vec<(u32, u64)> = (0..n).map(|s| ((s % 3) as u32, s)).collect();
        want.sort();
        assert_eq!(refs, want);
    }

    fn record(first: u64, n: u64) -> Record {
        let mut pushes = Pushes::default();
        for s in first..first + n {
            pushes.event_bytes += 10;
            pushes.events.push(ev(s, 10));
            pushes.hashes.push(head(s));
            pushes.refs.push((7, s));
        }
        Record {
            first_seq: first,
            first_hash: first,
            pushes,
            head: head(first + n - 1),
        }
    }

    #[test]
    fn a_record_is_pinned_byte_for_byte() {
        let mut pushes = Pushes::default();
        pushes.events.push(b"ev".to_vec());
        pushes.event_bytes = 2;
        pushes.hashes.push([0x11; 32]);
        pushes.refs.push((5, 9));
        let r = Record {
            first_seq: 9,
            first_hash: 16,
            pushes,
            head: [0x22; 32],
        };
        let bytes = encode_record(&r).unwrap();
        let mut want = b"hyj1".to_vec();
        let len = 8u32 + 8 + 4 + 4 + 2 + 4 + 32 + 4 + 12 + 32;
        want.extend_from_slice(&len.to_le_bytes());
        want.extend_from_slice(&(!len).to_le_bytes());
        want.extend_from_slice(&9u64.to_le_bytes());
        want.extend_from_slice(&16u64.to_le_bytes());
        want.extend_from_slice(&[1, 0, 0, 0, 2, 0, 0, 0, b'e', b'v']);
        want.extend_from_slice(&[1, 0, 0, 0]);
        want.extend_from_slice(&[0x11; 32]);
        want.extend_from_slice(&[1, 0, 0, 0, 5, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0]);
        want.extend_from_slice(&[0x22; 32]);
        let check = blake3::Hasher::new_derive_key("hyoka journal record v1")
            .update(&want)
            .finalize();
        want.extend_from_slice(check.as_bytes());
        assert_eq!(bytes, want);
        // Pinned: the check of this record (also computed independently with Python's `blake3`).
        assert_eq!(
            hex::encode(&bytes[bytes.len() - 32..]),
            "59145f52525d76642ad82883e75bc412d290d6bd8b1d6d62440255291cc1872d"
        );
        let parsed = parse(&bytes).unwrap();
        assert_eq!(
            (parsed.records, parsed.valid_len),
            (vec![r], bytes.len() as u64)
        );
    }

    #[test]
    fn a_cut_or_zeroed_last_record_is_unfinished_and_a_changed_byte_is_damage() {
        let a = encode_record(&record(0, 2)).unwrap();
        let b = encode_record(&record(2, 3)).unwrap();
        let both = [a.clone(), b.clone()].concat();
        assert_eq!(
            parse(&both).unwrap().records,
            vec![record(0, 2), record(2, 3)]
        );
        let unfinished = |bytes: &[u8], what: &str| {
            let p = parse(bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(
                (p.records.len(), p.valid_len),
                (1, a.len() as u64),
                "{what}"
            );
        };
        // A kill during the write: every cut inside the last record.
        for cut in a.len()..both.len() {
            unfinished(&both[..cut], &format!("cut at {cut}"));
        }
        // A power cut that left blocks of the last record unwritten (zeros), wherever they fall.
        for (from, to) in [
            (0, b.len()),
            (0, 8),
            (b.len() - 8, b.len()),
            (20, 20 + ZERO_RUN),
        ] {
            let mut bad = both.clone();
            bad[a.len() + from..a.len() + to].fill(0);
            unfinished(&bad, &format!("zeros at {from}..{to}"));
        }
        let mut zeros = a.clone();
        zeros.resize(a.len() + 100, 0);
        unfinished(&zeros, "zeros after the last record");
        // A changed byte anywhere, in the last record or one followed by another, is damage.
        for (bytes, at) in (0..a.len())
            .map(|i| (&both, i))
            .chain((a.len()..both.len()).map(|i| (&both, i)))
        {
            let mut bad = bytes.clone();
            bad[at] ^= 0x01;
            let first = at < a.len();
            match parse(&bad) {
                Err(StoreError::Damaged(m)) => {
                    let want = match first {
                        true => {
                            "damaged at byte 0: a record there fails its check and whole records follow it"
                        }
                        false => {
                            "a record there fails its check and it is whole: its bytes changed"
                        }
                    };
                    assert!(m.to_string().contains(want), "flip at {at}: {m}");
                }
                other => panic!("flip at {at}: {other:?}"),
            }
        }
        // Huge counts or lengths never allocate or panic.
        let mut lying = a.clone();
        lying[HEADER + 16..HEADER + 20].copy_from_slice(&u32::MAX.to_le_bytes());
        let check = record_check(&lying[..lying.len() - 32]);
        let n = lying.len();
        lying[n - 32..].copy_from_slice(&check);
        match parse(&lying) {
            Err(StoreError::Damaged(m)) => {
                assert!(m.to_string().contains("passes its check but is malformed"))
            }
            other => panic!("{other:?}"),
        }
        // More garbage after the last good record than one append can leave is damage, not a cut.
        let mut long = a.clone();
        long.resize(a.len() + FRAME + RECORD_LEN_MAX + 1, 0xAB);
        match parse(&long) {
            Err(StoreError::Damaged(m)) => {
                assert!(m.to_string().contains("more bytes follow it"), "{m}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn small_appends_stay_in_the_journal_until_it_is_settled() {
        let d = tempfile::tempdir().unwrap();
        let mut j = open(d.path()).unwrap();
        append(&mut j, 0, 3, 50);
        append(&mut j, 3, 4, 50);
        append(&mut j, 4, 9, 50);
        assert_eq!(j.settled(), Committed::EMPTY);
        assert_eq!(j.journaled_events(), 9);
        assert_eq!(j.inner().committed().unwrap(), None);
        check_contents(&j, 9, 50);
        drop(j);
        // Reopened: the records are read back in front of the (empty) engine.
        let mut j = open(d.path()).unwrap();
        check_contents(&j, 9, 50);
        j.settle().unwrap();
        assert_eq!(j.journaled_events(), 0);
        assert_eq!(j.settled().events, 9);
        assert_eq!(
            std::fs::read(d.path().join(JOURNAL_FILE)).unwrap(),
            encode_file_header(1),
            "the engine took generation 0's records; the file starts generation 1"
        );
        assert_eq!(j.inner().journal_generation().unwrap(), Some(1));
        check_contents(&j, 9, 50);
        append(&mut j, 9, 12, 50);
        drop(j);
        let j = open(d.path()).unwrap();
        assert_eq!((j.settled().events, j.journaled_events()), (9, 3));
        check_contents(&j, 12, 50);
    }

    #[test]
    fn a_large_batch_goes_to_the_engine_with_the_tail() {
        let d = tempfile::tempdir().unwrap();
        let mut j = open(d.path()).unwrap();
        append(&mut j, 0, 5, 100);
        let big = (RECORD_BYTES / 1000) as u64 + 2;
        append(&mut j, 5, 5 + big, 1000);
        assert_eq!(j.journaled_events(), 0);
        assert_eq!(j.inner().committed().unwrap().unwrap().events, 5 + big);
        assert_eq!(
            std::fs::read(d.path().join(JOURNAL_FILE)).unwrap(),
            encode_file_header(1)
        );
        let want: Vec<_> = (0..5)
            .map(|s| (s, ev(s, 100)))
            .chain((5..5 + big).map(|s| (s, ev(s, 1000))))
            .collect();
        assert_eq!(all_events(&j), want);
    }

    #[test]
    fn an_abandoned_append_leaves_nothing() {
        let d = tempfile::tempdir().unwrap();
        let mut j = open(d.path()).unwrap();
        append(&mut j, 0, 4, 50);
        for len in [50, RECORD_BYTES / 4] {
            let mut w = j.writer().unwrap();
            for s in 4..10 {
                w.push_event(&ev(s, len)).unwrap();
                w.push_tree_hash(head(s)).unwrap();
            }
            drop(w);
            check_contents(&j, 4, 50);
        }
        drop(j);
        let j = open(d.path()).unwrap();
        check_contents(&j, 4, 50);
    }

    #[test]
    fn the_tail_moves_into_the_engine_past_its_limit() {
        let d = tempfile::tempdir().unwrap();
        // 100-byte events: a limit of 2,400 bytes (this journal's alone) is passed at the 8th append
        // of 3 events.
        let mut j = Journaled::open_with_tail(
            SledStore::open(&d.path().join("store")).unwrap(),
            &d.path().join(JOURNAL_FILE),
            OpenJournal {
                write: true,
                now: 0,
            },
            2_400,
        )
        .unwrap();
        for i in 0..10 {
            append(&mut j, i * 3, i * 3 + 3, 100);
        }
        assert_eq!((j.settled().events, j.journaled_events()), (24, 6));
        check_contents(&j, 30, 100);
        drop(j);
        check_contents(&open(d.path()).unwrap(), 30, 100);
    }

    #[test]
    fn records_the_engine_already_holds_are_checked_and_skipped() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join(JOURNAL_FILE);
        let mut j = open(d.path()).unwrap();
        append(&mut j, 0, 2, 50);
        append(&mut j, 2, 5, 50);
        let journal = std::fs::read(&path).unwrap();
        // The engine takes the tail; the emptying of the file is lost in a crash.
        j.settle().unwrap();
        drop(j);
        std::fs::write(&path, &journal).unwrap();
        let mut j = open(d.path()).unwrap();
        assert_eq!((j.settled().events, j.journaled_events()), (5, 0));
        check_contents(&j, 5, 50);
        append(&mut j, 5, 6, 50);
        drop(j);
        check_contents(&open(d.path()).unwrap(), 6, 50);
        // A stale record whose bytes differ from the engine's is damage.
        let mut forged = record(0, 2);
        forged.pushes.events[1] = ev(99, 50);
        forged.pushes.hashes = vec![head(0), head(1)];
        let file = [&encode_file_header(1)[..], &encode_record(&forged).unwrap()].concat();
        std::fs::write(&path, file).unwrap();
        match open(d.path()) {
            Err(StoreError::Damaged(m)) => {
                assert!(
                    m.to_string().contains("differs from the store's copy"),
                    "{m}"
                )
            }
            other => panic!("{:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn a_journal_that_does_not_continue_the_engine_is_reported() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join(JOURNAL_FILE);
        let mut j = open(d.path()).unwrap();
        append(&mut j, 0, 3, 50);
        j.settle().unwrap();
        drop(j);
        let file = [
            &encode_file_header(1)[..],
            &encode_record(&record(5, 1)).unwrap(),
        ]
        .concat();
        std::fs::write(&path, file).unwrap();
        match open(d.path()) {
            Err(StoreError::Missing(m)) => {
                assert!(
                    m.to_string()
                        .contains("continues at event 5 but the store ends at event 3"),
                    "{m}"
                )
            }
            other => panic!("{:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn an_unfinished_last_record_is_cut_off_on_open_and_appends_go_on() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join(JOURNAL_FILE);
        let mut j = open(d.path()).unwrap();
        append(&mut j, 0, 2, 50);
        drop(j);
        // The file has room written ahead: zeros after the record, kept by an open.
        let bytes = std::fs::read(&path).unwrap();
        let records = FILE_HEADER as u64 + parse(records(&bytes)).unwrap().valid_len;
        assert_eq!(bytes.len() as u64, FILE_HEADER as u64 + GROW);
        assert!(bytes[records as usize..].iter().all(|&b| b == 0));
        drop(open(d.path()).unwrap());
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            FILE_HEADER as u64 + GROW
        );
        // Half of the next record, written where it goes.
        let next = encode_record(&record(2, 1)).unwrap();
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.write_all_at(&next[..next.len() / 2], records).unwrap();
        drop(f);
        let torn = std::fs::read(&path).unwrap();
        // A reader reports it and changes nothing.
        let r = open_as(d.path(), false).unwrap();
        assert_eq!(
            r.recovery(),
            Some(&Recovery::Unfinished {
                bytes: torn.len() as u64 - records,
                first_seq: 2
            })
        );
        drop(r);
        assert_eq!(std::fs::read(&path).unwrap(), torn);
        // A writer keeps the bytes it cuts beside the journal, then cuts them off.
        let mut j = open(d.path()).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), records);
        let Some(Recovery::Cut {
            file,
            bytes,
            first_seq,
        }) = j.recovery().cloned()
        else {
            panic!("{:?}", j.recovery())
        };
        assert_eq!((bytes, first_seq), (torn.len() as u64 - records, 2));
        assert!(file.starts_with("JOURNAL.cut-2-19700101T000000Z"), "{file}");
        assert_eq!(
            std::fs::read(d.path().join(&file)).unwrap(),
            &torn[records as usize..]
        );
        check_contents(&j, 2, 50);
        append(&mut j, 2, 4, 50);
        drop(j);
        check_contents(&open(d.path()).unwrap(), 4, 50);
    }

    /// `parse` as it was when it read the whole file: the reference the streaming reader must agree
    /// with (records, valid length, unfinished bytes, and every damage message).
    fn whole_file_parse(bytes: &[u8]) -> StoreResult<Parsed> {
        fn trim_zeros(bytes: &[u8]) -> &[u8] {
            let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
            &bytes[..end]
        }
        let mut records = Vec::new();
        let mut at = 0usize;
        while let Some(rest) = bytes.get(at..).filter(|r| !r.is_empty()) {
            match record_at(rest) {
                Some((r, len)) => {
                    records.push(r);
                    at += len;
                }
                None if frame_at(rest).is_some() => {
                    return Err(StoreError::Damaged(StoreDamage::JournalRecordMalformed {
                        path: None,
                        at: at as u64,
                    }));
                }
                None if rest.iter().all(|&b| b == 0) => break,
                None => match unfinished(trim_zeros(rest)) {
                    Ok(()) => break,
                    Err(why) => {
                        return Err(StoreError::Damaged(StoreDamage::JournalRecordFails {
                            path: None,
                            at: at as u64,
                            then: why,
                        }));
                    }
                },
            }
        }
        Ok(Parsed {
            records,
            valid_len: at as u64,
            unfinished: bytes[at..].iter().any(|&b| b != 0),
        })
    }

    fn outcome(p: StoreResult<Parsed>) -> Result<(Vec<Record>, u64, bool), String> {
        p.map(|p| (p.records, p.valid_len, p.unfinished))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_streaming_reader_agrees_with_the_whole_file_parse() {
        let a = encode_record(&record(0, 2)).unwrap();
        let b = encode_record(&record(2, 3)).unwrap();
        let both = [a.clone(), b.clone()].concat();
        let mut inputs: Vec<Vec<u8>> = vec![Vec::new(), vec![0; 10], both.clone()];
        for cut in 0..both.len() {
            inputs.push(both[..cut].to_vec());
            let mut flipped = both.clone();
            flipped[cut] ^= 0x01;
            inputs.push(flipped);
            let mut zeroed = both.clone();
            zeroed[cut..(cut + ZERO_RUN).min(both.len())].fill(0);
            inputs.push(zeroed);
        }
        // Past one window: garbage with, and without, a whole record after it; a bad record followed
        // by zeros and then whole records; an unfinished one followed by zeros beyond a window.
        let garbage = |n: usize| -> Vec<u8> { (0..n).map(|i| (i % 251) as u8 | 1).collect() };
        let mut bad_a = a.clone();
        bad_a[HEADER + 3] ^= 0x10;
        inputs.push([&a[..], &garbage(WINDOW + 100), &b].concat());
        inputs.push([&a[..], &garbage(WINDOW + 1)].concat());
        inputs.push([&a[..], &garbage(WINDOW)].concat());
        inputs.push([&bad_a[..], &vec![0; WINDOW + 7], &b].concat());
        inputs.push([&bad_a[..], &b[..], &vec![0; 3 * WINDOW]].concat());
        inputs.push([&a[..], &b[..b.len() / 2], &vec![0; 2 * WINDOW + 5]].concat());
        // A header announcing more than a record can hold, at the end and with bytes after it.
        let mut huge = RECORD_MAGIC.to_vec();
        huge.extend_from_slice(&(u32::MAX - 7).to_le_bytes());
        huge.extend_from_slice(&(!(u32::MAX - 7)).to_le_bytes());
        inputs.push([&a[..], &huge].concat());
        inputs.push([&a[..], &huge, &garbage(100)].concat());
        for (k, bytes) in inputs.iter().enumerate() {
            assert_eq!(
                outcome(parse(bytes)),
                outcome(whole_file_parse(bytes)),
                "input {k} ({} bytes)",
                bytes.len()
            );
        }
    }

    /// A 1000 MB journal (records, then zeros: a sparse file) used to be read whole on open, taking
    /// 1 GB of memory. The reader reads it record by record and scans the rest a chunk at a time: its
    /// largest buffer is one chunk here (two windows at most, whatever the file), also when the last
    /// record's header announces 4 GB, and when a writer copies the bytes it cuts.
    #[test]
    fn a_huge_journal_is_read_in_bounded_memory() {
        const HUGE: u64 = 1_000_000_000;
        let largest = || LARGEST_BUFFER.with(|l| l.replace(0));
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join(JOURNAL_FILE);
        let mut j = open(d.path()).unwrap();
        append(&mut j, 0, 3, 50);
        append(&mut j, 3, 5, 50);
        drop(j);
        let records = {
            let bytes = std::fs::read(&path).unwrap();
            FILE_HEADER as u64 + parse(records(&bytes)).unwrap().valid_len
        };
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(HUGE).unwrap();
        largest();
        for write in [false, true] {
            let j = open_as(d.path(), write).unwrap();
            check_contents(&j, 5, 50);
            assert_eq!(j.recovery(), None);
            let most = largest();
            assert!(most <= CHUNK, "{most} bytes");
        }
        assert_eq!(std::fs::metadata(&path).unwrap().len(), HUGE);
        // An unfinished record whose header announces 4 GB, then zeros to 1000 MB. (Half a record
        // is cut the same way: `an_unfinished_last_record_is_cut_off_on_open_and_appends_go_on`.)
        let mut torn = RECORD_MAGIC.to_vec();
        torn.extend_from_slice(&(u32::MAX - 7).to_le_bytes());
        torn.extend_from_slice(&(!(u32::MAX - 7)).to_le_bytes());
        torn.extend_from_slice(&[7; 20]);
        f.write_all_at(&torn, records).unwrap();
        let cut = HUGE - records;
        let r = open_as(d.path(), false).unwrap();
        assert_eq!(
            r.recovery(),
            Some(&Recovery::Unfinished {
                bytes: cut,
                first_seq: 5
            })
        );
        drop(r);
        let j = open(d.path()).unwrap();
        let most = largest();
        assert!(most <= CHUNK, "{most} bytes");
        let Some(Recovery::Cut { file, bytes, .. }) = j.recovery().cloned() else {
            panic!("{:?}", j.recovery())
        };
        assert_eq!(bytes, cut);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), records);
        check_contents(&j, 5, 50);
        drop(j);
        // The bytes cut, exactly: the torn record, then zeros to the old end of the file.
        let kept = File::open(d.path().join(&file)).unwrap();
        assert_eq!(kept.metadata().unwrap().len(), cut);
        let mut head = vec![0; torn.len()];
        kept.read_exact_at(&mut head, 0).unwrap();
        assert_eq!(head, torn);
        let kept = FileSource {
            file: &kept,
            size: cut,
        };
        assert_eq!(end_of_data(&kept, 0).unwrap(), torn.len() as u64);
    }

    /// An append whose record would be longer than readers read (RECORD_LEN_MAX) goes to the engine:
    /// a record that could never be read back is never written.
    #[test]
    fn a_record_longer_than_readers_read_goes_to_the_engine() {
        let d = tempfile::tempdir().unwrap();
        let mut j = open(d.path()).unwrap();
        append(&mut j, 0, 2, 50);
        let mut w = j.writer().unwrap();
        let per_event = 140u64;
        for s in 2..1002u64 {
            w.push_event(&ev(s, 8)).unwrap();
            for k in 0..per_event {
                w.push_tree_hash(head(s * 1000 + k)).unwrap();
            }
        }
        let c = w.commit(head(1001)).unwrap();
        assert_eq!(c.events, 1002);
        assert_eq!(j.journaled_events(), 0);
        assert_eq!(j.inner().committed().unwrap().unwrap().events, 1002);
        assert_eq!(
            std::fs::read(d.path().join(JOURNAL_FILE)).unwrap(),
            encode_file_header(1)
        );
        drop(j);
        let j = open(d.path()).unwrap();
        assert_eq!(all_events(&j).len(), 1002);
        assert!(
            encode_record(&Record {
                first_seq: 0,
                first_hash: 0,
                pushes: Pushes {
                    events: vec![vec![1]],
                    hashes: vec![[0; 32]; RECORD_LEN_MAX / 32],
                    refs: Vec::new(),
                    event_bytes: 1,
                },
                head: [0; 32],
            })
            .is_err()
        );
    }
}
