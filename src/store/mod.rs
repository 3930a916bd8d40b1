//! Storage behind a small trait: two append-only arrays (event records and Merkle tree hashes) and a
//! commit record, written in atomic, durable units.
//!
//! Only [`sled_store`] touches sled. The ledger never sees keys or chunks; another engine only has to
//! implement [`Store`] and [`StoreWriter`].

pub mod damage;
pub mod journal;
pub mod sled_store;

use crate::error::IoDoing;
pub use damage::{AfterBadRecord, EngineDamage, JournalLoss, Loss, StoreDamage};

use crate::domain::event::Hash;

/// What a store has committed: how many events and tree hashes, and the head event's hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Committed {
    /// Number of events (the next seq).
    pub events: u64,
    /// Number of stored Merkle tree hashes.
    pub tree_hashes: u64,
    /// Hash of the last event (zero when empty).
    pub head_hash: Hash,
}

impl Committed {
    /// An empty store.
    pub const EMPTY: Committed = Committed {
        events: 0,
        tree_hashes: 0,
        head_hash: [0; 32],
    };
}

/// Errors from a storage engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store is locked by another process.
    #[error("the store is locked by another process")]
    Locked,
    /// The engine failed or refused its own files (damage, or an engine panic caught here).
    #[error("{0}")]
    Damaged(StoreDamage),
    /// An operating-system error.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: IoDoing,
        /// The OS error.
        source: std::io::Error,
    },
    /// A record that should exist is missing.
    #[error("{0}")]
    Missing(StoreDamage),
    /// The journal, or records acknowledged in it, are gone: missing, emptied, or replaced.
    #[error("{0}")]
    JournalLost(JournalLoss),
    /// A file inside the store that the engine needs is gone (deleted or lost), e.g. one of sled's blob
    /// files: damage to the store, not an error of the operating system.
    #[error("{0}")]
    FileMissing(StoreDamage),
    /// A bug: something the store's own invariants rule out (a write through a store opened for
    /// reading, a writer used after its engine was handed back). Never caused by the files.
    #[error("{0}")]
    Internal(String),
}

/// Result of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// Read access to committed data, and the way to append.
pub trait Store {
    /// The committed state, or `None` for a store that was never written.
    fn committed(&self) -> StoreResult<Option<Committed>>;

    /// Calls `f` with `(seq, stored bytes)` for each committed event in `from..to`, in order.
    fn scan_events(
        &self,
        from: u64,
        to: u64,
        f: &mut dyn FnMut(u64, &[u8]) -> StoreResult<bool>,
    ) -> StoreResult<()>;

    /// The stored bytes of one committed event.
    fn event(&self, seq: u64) -> StoreResult<Vec<u8>> {
        let mut out = None;
        self.scan_events(seq, seq + 1, &mut |_, b| {
            out = Some(b.to_vec());
            Ok(false)
        })?;
        out.ok_or(StoreError::Missing(StoreDamage::EventMissing(seq)))
    }

    /// Committed Merkle tree hashes by index.
    fn tree_hashes(&self, indexes: &[u64]) -> StoreResult<Vec<Hash>>;

    /// Refuses to go on (`doing` says what with the disk holding `dir`) when that disk has less free
    /// space than the engine keeps free (see [`sled_store::MIN_FREE_BYTES`]). An engine that keeps no
    /// margin keeps the default.
    fn check_free_space(&self, _dir: &std::path::Path, _doing: IoDoing) -> StoreResult<()> {
        Ok(())
    }

    /// Starts an append. Nothing is visible until [`StoreWriter::commit`]; dropping the writer abandons it.
    fn writer(&mut self) -> StoreResult<Box<dyn StoreWriter + '_>>;

    // Derived data (see the ledger): written in the same commit as the events it derives from, never
    // trusted without a check against the log. An engine without it keeps the defaults: the ledger then
    // folds the log for every view, as before.

    /// The derived-data record written by the first commit of a store built with derived data
    /// (`None`: the store has none, e.g. it predates it).
    fn derived_meta(&self) -> StoreResult<Option<Vec<u8>>> {
        Ok(None)
    }

    /// The seqs of the events recorded for `item` in the per-item index, in order.
    fn item_refs(&self, _item: u32) -> StoreResult<Vec<u64>> {
        Ok(Vec::new())
    }

    /// Calls `f` with `(item, seq)` for every entry of the per-item index, by item then seq.
    fn scan_item_refs(&self, _f: &mut dyn FnMut(u32, u64) -> StoreResult<bool>) -> StoreResult<()> {
        Ok(())
    }

    /// The latest state snapshot taken after an event with seq `<= seq`: its seq and stored bytes.
    fn snapshot_at_or_before(&self, _seq: u64) -> StoreResult<Option<(u64, Vec<u8>)>> {
        Ok(None)
    }

    /// The seqs of every stored state snapshot, in order.
    fn snapshot_seqs(&self) -> StoreResult<Vec<u64>> {
        Ok(Vec::new())
    }

    /// The generation of the journal in front of this store (see [`journal`]), recorded by the commit
    /// that last took the journal's records; `None` for a store that never recorded one (a store
    /// written before journals had generations, or a new one). Only [`journal::Journaled`] writes it.
    fn journal_generation(&self) -> StoreResult<Option<u64>> {
        Ok(None)
    }
}

/// What writes a snapshot's bytes into the sink it is given ([`StoreWriter::push_snapshot_with`]).
pub type SnapshotWrite<'a> = dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()> + 'a;

/// An append in progress: events and tree hashes follow the committed ones, in order.
pub trait StoreWriter {
    /// Appends one event's stored bytes.
    fn push_event(&mut self, bytes: &[u8]) -> StoreResult<()>;
    /// Appends one tree hash.
    fn push_tree_hash(&mut self, hash: Hash) -> StoreResult<()>;
    /// Reads tree hashes, committed or pushed in this append.
    fn tree_hashes(&self, indexes: &[u64]) -> StoreResult<Vec<Hash>>;
    /// Records the derived-data record (only in a store's first commit).
    fn push_derived_meta(&mut self, _bytes: &[u8]) -> StoreResult<()> {
        Ok(())
    }
    /// Adds `(item, seq)` to the per-item index.
    fn push_item_ref(&mut self, _item: u32, _seq: u64) -> StoreResult<()> {
        Ok(())
    }
    /// Stores a state snapshot taken after event `seq`.
    fn push_snapshot(&mut self, _seq: u64, _bytes: &[u8]) -> StoreResult<()> {
        Ok(())
    }
    /// Stores the state snapshot taken after event `seq` that `write` writes into the sink it is
    /// given. An engine that stores snapshots in pieces takes them as they are written, so a large
    /// state's snapshot is never held whole; the default collects it and calls `push_snapshot`.
    fn push_snapshot_with(&mut self, seq: u64, write: &mut SnapshotWrite<'_>) -> StoreResult<()> {
        let mut bytes = Vec::new();
        write(&mut bytes)
            .map_err(|e| StoreError::Damaged(StoreDamage::SnapshotUnwritable(e.to_string())))?;
        self.push_snapshot(seq, &bytes)
    }
    /// Records the generation of the journal that follows this commit (committed even if nothing
    /// else is). An engine that cannot record it must fail here: without it a lost journal goes unseen.
    fn push_journal_generation(&mut self, _generation: u64) -> StoreResult<()> {
        Err(StoreError::Damaged(StoreDamage::NoGenerationRecord))
    }
    /// Makes everything pushed visible and durable (on disk, surviving a kill and a power cut) at once,
    /// recording `head_hash` as the hash of the last event.
    fn commit(self: Box<Self>, head_hash: Hash) -> StoreResult<Committed>;
}
