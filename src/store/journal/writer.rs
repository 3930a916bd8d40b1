//! The journal's side of a journaled store ([`Front`]: the file, and what it holds beyond the engine),
//! the move of its tail into the engine, and an append in progress ([`JournalWriter`]).
//!
//! Why an append may leave the journal: a record holds at most [`RECORD_BYTES`] of events, and
//! carries no derived-data record or snapshot, so a larger append, or one with those, goes to the
//! engine's own writer, after the tail (the engine then holds everything, and the file starts a new
//! generation). A small one is one record, durable after one write and one sync.
//!
//! Invariants:
//!
//! - What the journal holds continues the engine exactly: the tail's first seq and tree index are
//!   the engine's counts, and every read sees the engine's data followed by the tail.
//! - The tail moves into the engine in one durable commit that records the journal's next
//!   generation, and only then does the file start it; if the file cannot, nothing more is appended
//!   to it until it has.
//! - An append is acknowledged once its record is durable; a failure to move the tail afterwards
//!   does not fail it (the move is retried, and appends stop once the tail is twice its limit).

use super::file::JournalFile;
use super::record::{
    FILE_HEADER, Pushes, RECORD_BYTES, RECORD_LEN_MAX, Record, encode_record, payload_len,
};
use crate::domain::event::Hash;
use crate::store::{
    Committed, SnapshotWrite, Store, StoreDamage, StoreError, StoreResult, StoreWriter,
};

/// The journal's side of a [`Journaled`](super::Journaled) store: the file and what it holds beyond
/// the engine.
pub(super) struct Front {
    pub(super) journal: JournalFile,
    /// What the engine has committed.
    pub(super) base: Committed,
    /// What the journal holds beyond it, and the head hash after it.
    pub(super) tail: Pushes,
    pub(super) tail_head: Hash,
    /// Why the last move of the tail into the engine failed, if it did (retried at the next append).
    pub(super) stuck: Option<String>,
    /// The journal file's generation (`None`: a headerless file read by a reader, see `open`).
    pub(super) generation: Option<u64>,
    /// The engine took the records but the file could not start its new generation: nothing may be
    /// appended to the file until it has (the next append retries).
    pub(super) reset_pending: bool,
    /// Whether this journal may write (a reader never changes the file).
    pub(super) writable: bool,
    /// Event bytes in the tail at which an append moves it into the engine
    /// ([`TAIL_BYTES`](super::TAIL_BYTES) unless the opener gave another).
    pub(super) tail_limit: usize,
}

impl Front {
    pub(super) fn committed(&self) -> Committed {
        Committed {
            events: self.base.events + self.tail.events.len() as u64,
            tree_hashes: self.base.tree_hashes + self.tail.hashes.len() as u64,
            head_hash: self.tail_head,
        }
    }

    /// The generation the next commit of the engine records (and the file then starts).
    fn next_generation(&self) -> u64 {
        // A generation of u64::MAX is refused on open (nothing can follow it), so this never wraps.
        self.generation.map_or(1, |g| g.saturating_add(1))
    }

    /// Moves the tail into `inner`: one durable commit of the engine, recording the journal's next
    /// generation, then the file starts that generation. Nothing to do when the file holds no records.
    pub(super) fn settle<S: Store + ?Sized>(&mut self, inner: &mut S) -> StoreResult<()> {
        self.settle_with(inner, false)
    }

    /// [`Front::settle`], committing a new generation to the engine even with no records if `force`.
    pub(super) fn settle_with<S: Store + ?Sized>(
        &mut self,
        inner: &mut S,
        force: bool,
    ) -> StoreResult<()> {
        if !self.writable {
            return Err(StoreError::Internal(
                "the journal was opened for reading".into(),
            ));
        }
        if force || self.journal.len > FILE_HEADER as u64 || !self.tail.is_empty() {
            let next = self.next_generation();
            let mut w = inner.writer()?;
            self.tail.replay(w.as_mut())?;
            w.push_journal_generation(next)?;
            let c = w.commit(self.tail_head)?;
            self.settled(c);
            self.generation = Some(next);
            self.reset_pending = true;
        }
        self.finish_reset()
    }

    /// Starts the file's new generation if the engine took its records but the file did not yet.
    pub(super) fn finish_reset(&mut self) -> StoreResult<()> {
        if let (true, Some(g)) = (self.reset_pending, self.generation) {
            self.journal.reset(g)?;
            self.reset_pending = false;
        }
        Ok(())
    }

    /// The engine committed `c`, which holds the whole tail.
    pub(super) fn settled(&mut self, c: Committed) {
        self.base = c;
        self.tail = Pushes::default();
        self.tail_head = c.head_hash;
        self.stuck = None;
    }
}

/// Tree hashes by index from the engine, the tail, then `new` (an append's own).
pub(super) fn read_hashes<S: Store + ?Sized>(
    inner: &S,
    front: &Front,
    new: &Pushes,
    indexes: &[u64],
) -> StoreResult<Vec<Hash>> {
    let split = front.base.tree_hashes;
    let tail = front.tail.hashes.len() as u64;
    let below: Vec<u64> = indexes.iter().copied().filter(|&i| i < split).collect();
    let mut from_inner = inner.tree_hashes(&below)?.into_iter();
    indexes
        .iter()
        .map(|&i| {
            if i < split {
                from_inner.next()
            } else if i < split + tail {
                front.tail.hashes.get((i - split) as usize).copied()
            } else {
                new.hashes.get((i - split - tail) as usize).copied()
            }
            .ok_or(StoreError::Missing(StoreDamage::TreeHashMissing(i)))
        })
        .collect()
}

/// An append: collected in memory while it is small enough for the journal; handed to the engine's
/// own writer (after the tail) once it is not, or once it carries records the journal does not hold
/// (the derived-data record, snapshots).
pub(super) struct JournalWriter<'a, S: Store> {
    /// The engine, until its writer takes it.
    pub(super) inner: Option<&'a mut S>,
    pub(super) front: &'a mut Front,
    pub(super) new: Pushes,
    pub(super) direct: Option<Box<dyn StoreWriter + 'a>>,
}

impl<'a, S: Store> JournalWriter<'a, S> {
    /// The engine's writer, started with the tail and what this append pushed so far.
    fn direct(&mut self) -> StoreResult<&mut (dyn StoreWriter + 'a)> {
        if self.direct.is_none() {
            let inner = self
                .inner
                .take()
                .ok_or_else(|| StoreError::Internal("the engine is gone".into()))?;
            let mut w = inner.writer()?;
            self.front.tail.replay(w.as_mut())?;
            std::mem::take(&mut self.new).replay(w.as_mut())?;
            w.push_journal_generation(self.front.next_generation())?;
            self.direct = Some(w);
        }
        self.direct
            .as_deref_mut()
            .ok_or_else(|| StoreError::Internal("no engine writer".into()))
    }
}

impl<S: Store> StoreWriter for JournalWriter<'_, S> {
    fn push_event(&mut self, bytes: &[u8]) -> StoreResult<()> {
        if self.direct.is_none() && self.new.event_bytes + bytes.len() <= RECORD_BYTES {
            self.new.event_bytes += bytes.len();
            self.new.events.push(bytes.to_vec());
            return Ok(());
        }
        self.direct()?.push_event(bytes)
    }

    fn push_tree_hash(&mut self, hash: Hash) -> StoreResult<()> {
        match &mut self.direct {
            Some(w) => w.push_tree_hash(hash),
            None => {
                self.new.hashes.push(hash);
                Ok(())
            }
        }
    }

    fn tree_hashes(&self, indexes: &[u64]) -> StoreResult<Vec<Hash>> {
        match (&self.direct, &self.inner) {
            (Some(w), _) => w.tree_hashes(indexes),
            (None, Some(inner)) => read_hashes(&**inner, self.front, &self.new, indexes),
            (None, None) => Err(StoreError::Internal("the engine is gone".into())),
        }
    }

    fn push_derived_meta(&mut self, bytes: &[u8]) -> StoreResult<()> {
        self.direct()?.push_derived_meta(bytes)
    }

    fn push_item_ref(&mut self, item: u32, seq: u64) -> StoreResult<()> {
        match &mut self.direct {
            Some(w) => w.push_item_ref(item, seq),
            None => {
                self.new.refs.push((item, seq));
                Ok(())
            }
        }
    }

    fn push_snapshot(&mut self, seq: u64, bytes: &[u8]) -> StoreResult<()> {
        self.direct()?.push_snapshot(seq, bytes)
    }

    fn push_snapshot_with(&mut self, seq: u64, write: &mut SnapshotWrite<'_>) -> StoreResult<()> {
        self.direct()?.push_snapshot_with(seq, write)
    }

    fn commit(mut self: Box<Self>, head_hash: Hash) -> StoreResult<Committed> {
        // A record longer than readers read goes to the engine instead. (An append's events are at
        // most RECORD_BYTES, and their lengths, tree hashes and index entries far less again, so this
        // is a safeguard: a record written could never be read back.)
        if self.direct.is_none() && payload_len(&self.new) > RECORD_LEN_MAX {
            self.direct()?;
        }
        let front = &mut *self.front;
        if let Some(w) = self.direct.take() {
            let c = w.commit(head_hash)?;
            front.settled(c);
            front.generation = Some(front.next_generation());
            front.reset_pending = true;
            // The engine holds everything now. If the file cannot start its new generation, its
            // records are ones the engine holds (the next open skips them) and nothing more is
            // appended to it until it has (the next append retries).
            let _ = front.finish_reset();
            return Ok(c);
        }
        if self.new.is_empty() {
            return Ok(front.committed());
        }
        let start = front.committed();
        let record = Record {
            first_seq: start.events,
            first_hash: start.tree_hashes,
            pushes: std::mem::take(&mut self.new),
            head: head_hash,
        };
        front.journal.append(&encode_record(&record)?)?;
        // Durable from here on: nothing below may fail the append.
        front.tail_head = head_hash;
        front.tail.extend(record.pushes);
        let c = front.committed();
        if front.tail.event_bytes >= front.tail_limit
            && let Some(inner) = self.inner.take()
            && let Err(e) = front.settle(inner)
        {
            front.stuck = Some(e.to_string());
        }
        Ok(c)
    }
}
