//! What is wrong with the store's own files, typed: which file (the storage engine's, the journal) and
//! what is wrong with it, each variant carrying its data. The `Display` is the library's English; a
//! front end words each variant in its own language.

use std::path::{Path, PathBuf};

use crate::error::IoDoing;
use crate::tlog::merkle::MerkleError;

/// Damage to the store: its engine's files, its records, its journal, its Merkle tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreDamage {
    /// The storage engine failed on its files while doing something.
    #[error("{doing}: {why}")]
    Engine {
        /// What was being done.
        doing: IoDoing,
        /// What the engine found.
        why: EngineDamage,
    },
    /// A journal record that fails its check, with what follows it.
    #[error(
        "the journal{} is damaged at byte {at}: a record there fails its check and {then}",
        in_path(.path.as_deref())
    )]
    JournalRecordFails {
        /// The journal file, when known.
        path: Option<PathBuf>,
        /// The record's byte.
        at: u64,
        /// What follows it.
        then: AfterBadRecord,
    },
    /// A journal record that passes its check but cannot be read.
    #[error(
        "the journal{}'s record at byte {at} passes its check but is malformed",
        in_path(.path.as_deref())
    )]
    JournalRecordMalformed {
        /// The journal file, when known.
        path: Option<PathBuf>,
        /// The record's byte.
        at: u64,
    },
    /// A journal file far larger than hyoka writes.
    #[error(
        "the journal {} is {size} bytes, far more than hyoka ever writes to it",
        .path.display()
    )]
    JournalTooBig {
        /// The journal file.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
    /// The journal's copy of events differs from the store's.
    #[error("the journal's record of events #{first}..#{last} differs from the store's copy")]
    JournalDiffers {
        /// The first event.
        first: u64,
        /// The last event.
        last: u64,
    },
    /// The journal continues past a gap after the store's last event.
    #[error("the journal continues at event {first} but the store ends at event {store_ends}")]
    JournalAfterGap {
        /// The journal's first event.
        first: u64,
        /// The store's event count.
        store_ends: u64,
    },
    /// The store keeps failing to take the journal's events.
    #[error(
        "the store cannot take the journal's events ({why}); they are safe in {}, and the next open retries",
        .path.display()
    )]
    JournalStuck {
        /// The store's last failure, in the library's words.
        why: String,
        /// The journal file.
        path: PathBuf,
    },
    /// A journal record (or one of its fields) too large to write.
    #[error("a journal record {} too large", if *.field { "field is" } else { "is" })]
    JournalRecordTooLarge {
        /// Whether a field of it.
        field: bool,
    },
    /// A snapshot key in the store is malformed.
    #[error("a snapshot key is malformed")]
    SnapshotKeyMalformed,
    /// A stored chunk of events is malformed.
    #[error("the store's chunk of events #{first}..#{last} is malformed")]
    EventChunkMalformed {
        /// Its first event.
        first: u64,
        /// Its last event.
        last: u64,
    },
    /// Events missing from the store.
    #[error("events #{first}..#{last} are missing from the store")]
    EventsMissing {
        /// The first.
        first: u64,
        /// The last.
        last: u64,
    },
    /// One event missing from the store.
    #[error("event {0} is missing from the store")]
    EventMissing(u64),
    /// The store's record of its journal's generation has the wrong length.
    #[error("the store's journal generation record is {0} bytes, not 8")]
    GenerationRecord(usize),
    /// A storage engine that cannot record the journal's generation.
    #[error("this storage engine cannot record a journal generation")]
    NoGenerationRecord,
    /// The per-item index of one item is malformed.
    #[error("the index of item {0} is malformed")]
    ItemIndexMalformed(u32),
    /// A record of the per-item index is malformed.
    #[error("an index record is malformed")]
    IndexRecordMalformed,
    /// A piece of a state snapshot is missing.
    #[error("piece {piece} of the snapshot after event {after} is missing")]
    SnapshotPieceMissing {
        /// The piece.
        piece: u32,
        /// The event the snapshot follows.
        after: u64,
    },
    /// The store's commit record is damaged.
    #[error("the store's commit record is damaged")]
    CommitRecord,
    /// A Merkle tree hash is missing.
    #[error("tree hash {0} is missing")]
    TreeHashMissing(u64),
    /// A Merkle tree hash asked for before it was written.
    #[error("tree hash {0} is not written yet")]
    TreeHashNotWritten(u64),
    /// A chunk of Merkle tree hashes is missing.
    #[error("tree-hash chunk {0} is missing")]
    TreeChunkMissing(u64),
    /// The chunk holding the last events is missing.
    #[error("the chunk holding events {0}.. is missing")]
    OpenChunkMissing(u64),
    /// The chunk holding the last events is malformed.
    #[error("the open event chunk is malformed")]
    OpenEventChunkMalformed,
    /// The chunk holding the last tree hashes is short.
    #[error("the open tree-hash chunk is short")]
    OpenTreeChunkShort,
    /// A state snapshot that could not be written out (its encoding failed).
    #[error("a state snapshot: {0}")]
    SnapshotUnwritable(String),
    /// A state snapshot too large to store.
    #[error("a state snapshot is too large to store")]
    SnapshotTooLarge,
    /// An event too large to store.
    #[error("event too large for the store")]
    EventTooLarge,
    /// Another failure of the store met where damage was looked for (in the library's words).
    #[error("{0}")]
    Other(String),
    /// The thread reading the events for a check stopped.
    #[error("the thread reading the events stopped: {0}")]
    ReaderStopped(String),
    /// The stored Merkle tree is not the tree of the events.
    #[error("the stored Merkle tree does not match the events")]
    TreeDiffers,
    /// The stored Merkle tree cannot be read.
    #[error("Merkle tree: {0}")]
    Tree(MerkleError),
    /// The stored tree matches a checkpoint but not the events verified since.
    #[error(
        "the stored Merkle tree matches the checkpoint at size {size} but does not prove the verified events consistent with it ({why}): the stored tree or the events were altered"
    )]
    TreeNotConsistent {
        /// The checkpoint's size.
        size: u64,
        /// What failed.
        why: MerkleError,
    },
}

/// What follows a journal record that fails its check (why it is damage, not a write cut short).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AfterBadRecord {
    /// Whole records.
    #[error("whole records follow it")]
    WholeRecords,
    /// More bytes than one record holds.
    #[error("more bytes follow it than one record holds")]
    TooManyBytes,
    /// The record is whole: its bytes changed after they were written.
    #[error("it is whole: its bytes changed after they were written")]
    Changed,
}

/// What the storage engine found wrong with its files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineDamage {
    /// One of its blob files is gone.
    #[error(
        "one of the storage engine's blob files (under blobs/ there: values larger than about 128 KiB) is gone, deleted or lost"
    )]
    BlobGone,
    /// Its main file is gone.
    #[error("the storage engine's main file (db) is gone, deleted or lost")]
    DbGone,
    /// A file cut short, or a directory where a file must be.
    #[error("a file of the store is {}: its files hold damaged data", if *.0 { "not a file" } else { "cut short" })]
    CutShort(bool),
    /// A checksum that does not match.
    #[error("its files hold damaged data (a checksum does not match)")]
    Checksum,
    /// Files the engine does not recognise.
    #[error("the storage engine does not recognise its files (damaged, or not written by hyoka)")]
    Unrecognised,
    /// Part of the store is missing.
    #[error("part of the store is missing")]
    PartMissing,
    /// The engine failed (its own words).
    #[error("the storage engine failed ({0})")]
    Failed(String),
    /// The engine crashed (its own words).
    #[error("the storage engine crashed reading its files ({0})")]
    Crashed(String),
    /// The engine crashed opening its files.
    #[error("the storage engine crashed reading its files, which are damaged")]
    CrashedOpening,
}

/// The journal, or events acknowledged in it, are gone: the file and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the journal {} {why}", .path.display())]
pub struct JournalLoss {
    /// The journal file.
    pub path: PathBuf,
    /// What is wrong.
    pub why: Loss,
}

/// How a journal shows that events are lost.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Loss {
    /// A generation far past the recorded one.
    #[error(
        "is generation {found} and the store recorded generation {recorded}: hyoka never counts that far; the file or the store was altered"
    )]
    TooFar {
        /// The file's generation.
        found: u64,
        /// The store's.
        recorded: u64,
    },
    /// Another generation than the recorded one.
    #[error(
        "is generation {found} but the store recorded generation {recorded}: it was replaced by another copy, and events recorded in generation {recorded} may be lost"
    )]
    Replaced {
        /// The file's generation.
        found: u64,
        /// The store's.
        recorded: u64,
    },
    /// The file is missing.
    #[error(
        "is missing, but the store recorded that generation {recorded} of it was in use: events acknowledged after #{after} may be lost"
    )]
    Missing {
        /// The store's generation.
        recorded: u64,
        /// The store's last event.
        after: u64,
    },
    /// The file is empty.
    #[error(
        "is empty, but the store recorded that generation {recorded} of it was in use: events acknowledged after #{after} may be lost"
    )]
    Empty {
        /// The store's generation.
        recorded: u64,
        /// The store's last event.
        after: u64,
    },
    /// The file has no valid header.
    #[error(
        "has no valid header, but the store recorded generation {recorded} of it: it was overwritten, and events acknowledged after #{after} may be lost"
    )]
    Overwritten {
        /// The store's generation.
        recorded: u64,
        /// The store's last event.
        after: u64,
    },
    /// A generation the store has no record of.
    #[error(
        "is generation {0} but the store recorded none: the store lost the record of its journal"
    )]
    Unrecorded(u64),
    /// A damaged header.
    #[error("has a damaged header")]
    BadHeader,
    /// Events the store moved past.
    #[error(
        "is generation {generation} but holds events the store does not (from #{from}): the store moved on to a new generation without them"
    )]
    LeftBehind {
        /// The file's generation.
        generation: u64,
        /// Its first event the store lacks.
        from: u64,
    },
}

fn in_path(path: Option<&Path>) -> String {
    path.map_or_else(String::new, |p| format!(" {}", p.display()))
}
