//! The journal file on disk: appending a record durably, starting a new generation, the counts a
//! group commit waits on, and keeping the bytes a writer cuts off.
//!
//! Why the file grows ahead: it grows by `GROW` bytes of zeros (1 MiB) at a time, written ahead, so
//! that most appends write into room it already has and their `fdatasync` records no new file size
//! (as SQLite reuses its WAL).
//!
//! Invariants:
//!
//! - A record is appended after the last valid one and is durable when `append` returns (unless the
//!   sync is left to a group commit); a failed append cuts the file back, leaving nothing behind.
//! - A new generation is written over the header in place (one sector), then the old records are
//!   cut off: a crash in between leaves records the engine already holds.
//! - The counts of bytes written and durable only grow; after a failed sync nothing more is
//!   acknowledged as durable.
//! - Bytes a writer cuts off are first copied, durably, to a new file beside the journal; a name
//!   already taken is never overwritten.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use super::read::{CHUNK, ZEROS, buffer};
use super::record::{FILE_HEADER, encode_file_header};
use crate::error::{IoDoing, JournalDoing};
use crate::os::safe_fs;
use crate::store::{StoreError, StoreResult};

/// Bytes of zeros the journal file grows by when it needs room.
pub(super) const GROW: u64 = 1 << 20;
/// Prefix of the files that keep the bytes a writer cut off the journal's end.
pub const CUT_PREFIX: &str = "JOURNAL.cut-";

/// Copies bytes `from..to` of `src` to `dst` (a new, empty file) from its byte `dst_at` on, a chunk at
/// a time; chunks of zeros are left as holes (they read back as the same zeros), and the file is then
/// given its full length.
pub(super) fn copy_range(
    src: &File,
    from: u64,
    to: u64,
    dst: &File,
    dst_at: u64,
) -> std::io::Result<()> {
    let mut chunk = buffer(CHUNK.min(to.saturating_sub(from) as usize));
    let mut at = from;
    while at < to {
        let n = CHUNK.min((to - at) as usize);
        let bytes = &mut chunk[..n];
        src.read_exact_at(bytes, at)?;
        if bytes[..] != ZEROS[..n] {
            dst.write_all_at(bytes, dst_at + (at - from))?;
        }
        at += n as u64;
    }
    dst.set_len(dst_at + (to - from))
}

/// The journal file.
pub(super) struct JournalFile {
    pub(super) path: PathBuf,
    pub(super) file: File,
    /// Bytes of valid records: where the next one is written.
    pub(super) len: u64,
    /// The file's size: past `len`, zeros written in advance.
    pub(super) size: u64,
    /// Leave the next record's `fdatasync` to a [`SyncPoint`](super::SyncPoint) (group commit).
    pub(super) defer_sync: bool,
    /// How far records are written and durable, shared with the [`SyncPoint`](super::SyncPoint)s.
    pub(super) progress: Arc<Progress>,
}

/// Bytes of records ever written to a journal (a running count, not an offset: emptying the file
/// does not reset it), and how many of them are known durable.
#[derive(Debug, Default)]
pub(super) struct Counts {
    pub(super) written: u64,
    pub(super) durable: u64,
    /// A sync is running (one at a time; the others wait for it).
    pub(super) syncing: bool,
    /// A sync failed: records written before it may be lost, so nothing more is acknowledged.
    pub(super) failed: Option<String>,
}

#[derive(Debug, Default)]
pub(super) struct Progress {
    pub(super) counts: Mutex<Counts>,
    pub(super) changed: Condvar,
}

impl Progress {
    pub(super) fn counts(&self) -> MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records `n` more bytes written, durable already if `durable`.
    pub(super) fn wrote(&self, n: u64, durable: bool) {
        let mut c = self.counts();
        c.written += n;
        if durable {
            c.durable = c.durable.max(c.written);
        }
        drop(c);
        self.changed.notify_all();
    }

    /// Everything written so far is durable (synced, or held by the engine).
    fn all_durable(&self) {
        let mut c = self.counts();
        c.durable = c.written;
        drop(c);
        self.changed.notify_all();
    }
}

impl JournalFile {
    pub(super) fn io(&self, doing: JournalDoing) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
        let context = IoDoing::Journal {
            doing,
            path: Some(self.path.clone()),
        };
        move |source| StoreError::Io { context, source }
    }

    /// Writes `bytes` after the last record and makes them durable. The file grows [`GROW`] bytes of
    /// zeros at a time, written ahead, so that most appends write into room the file already has and
    /// their `fdatasync` has no file size to record. On failure the file is cut back to its records,
    /// so a failed append leaves nothing behind.
    pub(super) fn append(&mut self, bytes: &[u8]) -> StoreResult<()> {
        let at = self.len;
        let end = at + bytes.len() as u64;
        let r = (|| {
            if end > self.size {
                let size = end.max(self.size + GROW);
                let zeros = vec![0u8; (size - self.size) as usize];
                self.file.write_all_at(&zeros, self.size)?;
                self.size = size;
            }
            self.file.write_all_at(bytes, at)?;
            match self.defer_sync {
                true => Ok(()),
                false => self.file.sync_data(),
            }
        })();
        if let Err(e) = r {
            if self
                .file
                .set_len(at)
                .and_then(|()| self.file.sync_data())
                .is_ok()
            {
                self.size = at;
            }
            return Err(self.io(JournalDoing::Write)(e));
        }
        self.len = end;
        self.progress.wrote(bytes.len() as u64, !self.defer_sync);
        Ok(())
    }

    /// Starts generation `generation` of the file: the engine holds every record durably, and has
    /// recorded `generation` as the journal's. The new header is written over the old one in place
    /// (one sector: a write that either happens or not), then the old records are cut off. A crash in
    /// between leaves the new header followed by records the engine holds, which open skips. The file
    /// stays the same (a [`SyncPoint`](super::SyncPoint) keeps syncing it).
    pub(super) fn reset(&mut self, generation: u64) -> StoreResult<()> {
        self.progress.all_durable();
        self.file
            .write_all_at(&encode_file_header(generation), 0)
            .and_then(|()| self.file.sync_data())
            .and_then(|()| self.file.set_len(FILE_HEADER as u64))
            .and_then(|()| self.file.sync_data())
            .map_err(self.io(JournalDoing::NewGeneration))?;
        self.len = FILE_HEADER as u64;
        self.size = FILE_HEADER as u64;
        Ok(())
    }
}

/// Copies bytes `from..to` of `journal` durably to a new file `JOURNAL.cut-<first_seq>-<UTC time>` in
/// `dir` (a number is added if that name is taken), a chunk at a time, and returns its name.
pub(super) fn keep_cut_bytes(
    dir: &Path,
    first_seq: u64,
    now: i64,
    journal: &File,
    (from, to): (u64, u64),
) -> std::io::Result<String> {
    let base = format!(
        "{CUT_PREFIX}{first_seq}-{}",
        crate::domain::when::file_stamp(now)
    );
    let mut name = base.clone();
    for n in 2..1000 {
        match safe_fs::write_new_with(dir, &name, &mut |f| copy_range(journal, from, to, f, 0)) {
            Ok(()) => return Ok(name),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => name = format!("{base}-{n}"),
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(
        "too many files of cut bytes of that name",
    ))
}
