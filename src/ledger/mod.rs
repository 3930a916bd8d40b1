//! A ledger directory: the event store with its journal, an independent head record, and a lock.
//!
//! ```text
//! LEDGER/
//!   LOCK     held (flock) by the one process using the ledger
//!   HEAD     the head record: event count and head hash of what the store itself holds, written
//!            (fsync + rename) whenever the store takes events
//!   JOURNAL  small appends not yet moved into the store (see `store::journal`)
//!   store/   the storage engine's files (sled)
//!   CHECKPOINT  the last signed checkpoint, if any (see `anchor`; not part of the history)
//!   LOGKEY   the verifier key of the ledger's log key, if one was set (see `anchor`)
//!   JOURNAL.cut-<seq>-<time>  bytes a writer cut off the journal's end (an unfinished record)
//! ```
//!
//! Nothing here is ever opened through a symbolic link (`safe_fs`). A ledger opened for reading
//! ([`Ledger::open_read`]) changes none of these files; the storage engine's own files are the engine's.
//!
//! An append is acknowledged only once durable: a small one in the journal, a large one in the store
//! (then the head record). The head record lives outside the store so that a store which silently lost
//! its tail (sled does, on some damage) is caught on open and by `verify`. A store that is *ahead* of the
//! head record by events that link to it is the trace of the journal, or of a crash between the store's
//! commit and the head record's update, and the head record is rolled forward.
//!
//! The `Ledger` type is defined here with what every part of it shares (its options, what an append
//! returns, the head record's roll-forward); its methods are split by job:
//!
//! - `open.rs`: the directory's lifecycle: lock, create, open (the checks above), restore, the journal's
//!   settling;
//! - `read.rs`: reading events and folding them into states (from the latest checked snapshot);
//! - `write.rs`: the one write path, through which create, append, import and restore record events;
//! - `tree.rs`: the Merkle tree over the events: roots and proofs from the stored hashes;
//! - `verify.rs`, `anchoring.rs`: the full check, and the anchors.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub mod anchor;
mod anchoring;
pub mod chain;
pub mod derived;
mod head;
mod open;
mod read;
pub mod reader_copy;
pub mod shared;
pub mod signing;
mod tree;
mod verify;
mod write;

use head::{HeadRecord, write_head};

use crate::domain::event::{Change, Event, Hash, Source};
use crate::domain::ident;
use crate::domain::state::State;
use crate::domain::text;
use crate::error::{Error, Result};
use crate::store::journal::Journaled;
use crate::store::sled_store::SledStore;
use crate::store::{Committed, Store, StoreError};
use crate::tlog::note::SignerKey;
use derived::Derived;

pub(crate) const STORE_DIR: &str = "store";

/// Who records a batch of changes, when and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// Who (non-empty, one line).
    pub author: String,
    /// Why (non-empty).
    pub reason: String,
    /// The imported file, if any.
    pub source: Option<Source>,
    /// When, in nanoseconds since the epoch (UTC).
    pub recorded_at: i64,
    /// Whether the batch may rate a point more than one step of the plan's cadence after the latest
    /// rated point (which is otherwise refused as a likely typo:
    /// [`crate::domain::state::Refused::NewPoint`]).
    pub new_point: bool,
    /// The key the batch is signed with: needed in a ledger with people, where it must be the author's
    /// current key (the author being the person's id); ignored in a ledger without.
    pub signer: Option<signing::Signer>,
}

impl Meta {
    /// The event that records `change` at `seq` after the event whose hash is `prev_hash`, at
    /// `recorded_at` (the batch's time, which may be later than `self.recorded_at`: see
    /// [`Ledger::append_iter`]), by this author, for this reason, from this source, unsigned, in the
    /// layout of event schema `version` (the ledger's: that of its event 0).
    pub fn event(
        &self,
        version: u16,
        seq: u64,
        prev_hash: Hash,
        recorded_at: i64,
        change: Change,
    ) -> Event {
        Event {
            version,
            seq,
            prev_hash,
            recorded_at,
            author: self.author.clone(),
            reason: self.reason.clone(),
            source: self.source.clone(),
            change,
            signature: None,
        }
    }
}

/// A producer of changes for [`Ledger::append_with`]: called with the function that records one
/// change, it pushes its changes in order and returns the first error. (The write path also takes
/// producers of other inputs: a restore's pushes the stored bytes of recorded events.)
pub type Produce<'a, I = Change> = dyn FnMut(&mut dyn FnMut(I) -> Result<()>) -> Result<()> + 'a;

/// What an append recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    /// Seq of the event of the first change given (a `clock.behind` event, when the batch has one,
    /// is just before it: see [`Receipt::clock_behind`]).
    pub first_seq: u64,
    /// Number of the changes given, all recorded.
    pub count: u64,
    /// Hash of the last event now in the ledger.
    pub head_hash: Hash,
    /// Set when the clock read earlier than the last event's time, so that the batch was recorded at
    /// that time and begins with a [`Change::ClockBehind`] event.
    pub clock_behind: Option<ClockBehind>,
}

/// A batch recorded at the previous event's time because the clock was behind it
/// (schema/FORMAT.md section 3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockBehind {
    /// Seq of the `clock.behind` event that begins the batch.
    pub seq: u64,
    /// What the clock read (ns since the epoch, UTC).
    pub clock: i64,
    /// The time the batch was recorded at: the previous event's (ns).
    pub recorded_at: i64,
}

/// The result of a successful full verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyReport {
    /// Number of events checked.
    pub events: u64,
    /// The head hash (zero for an empty ledger).
    pub head_hash: Hash,
    /// The Merkle tree root over all events.
    pub root: Hash,
    /// How far the directory itself vouches for the events (see [`Vouched`]).
    pub vouched: Vouched,
}

/// How far a ledger directory vouches for its events: the last event recorded outside the journal or
/// covered by an anchor. Events after it are held by the journal only: their chain checks, but their
/// loss (a journal cut at a record boundary) would leave no trace in the directory, so they can be
/// proven only against a checkpoint kept elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vouched {
    /// Events vouched for (`#0..#through-1`); 0 for none.
    pub events: u64,
    /// What vouches for the last of them.
    pub by: VouchedBy,
}

/// What vouches for events of a ledger directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VouchedBy {
    /// The store holds them and its head record records them.
    Store,
    /// The anchor record (a tree size and root written after a commit).
    Anchor,
    /// The anchor record, signed with the ledger's log key.
    SignedAnchor,
    /// The kept checkpoint signed with the ledger's log key.
    SignedCheckpoint,
    /// A checkpoint kept elsewhere, given to check the ledger against (`verify --checkpoint`).
    GivenCheckpoint,
}

impl VouchedBy {
    /// A stable machine name (JSON).
    pub fn name(self) -> &'static str {
        match self {
            VouchedBy::Store => "store",
            VouchedBy::Anchor => "anchor",
            VouchedBy::SignedAnchor => "signed_anchor",
            VouchedBy::SignedCheckpoint => "signed_checkpoint",
            VouchedBy::GivenCheckpoint => "given_checkpoint",
        }
    }
}

/// How to open a ledger.
#[derive(Debug, Clone, Copy, Default)]
pub struct Access {
    /// How long to wait for another process to release the ledger.
    pub wait: Duration,
    /// The time (nanoseconds since the epoch) that names files a writer keeps aside on open.
    pub now: i64,
    /// The free space the disk must keep, in bytes: `None` for the store's margin
    /// ([`crate::store::sled_store::MIN_FREE_BYTES`]); tests of full disks give less.
    pub min_free: Option<u64>,
    /// Events between two state snapshots in a ledger created or restored with these options: `None`
    /// for [`derived::SNAPSHOT_EVERY`]. A setting for tests and tuning (a small interval makes the
    /// views at a seq start from stored snapshots); each ledger records its own interval when it is
    /// created, so opening one ignores this.
    pub snapshot_interval: Option<u64>,
    /// Bytes of events the journal holds before they move into the engine: `None` for
    /// [`crate::store::journal::TAIL_BYTES`]. A setting for tests and tuning (the kill loop makes the
    /// move happen every few appends); it changes when events move, never what is stored.
    pub journal_tail: Option<usize>,
}

impl Access {
    /// The free-space margin in force.
    pub fn min_free(&self) -> u64 {
        self.min_free
            .unwrap_or(crate::store::sled_store::MIN_FREE_BYTES)
    }

    /// The journal's limit in force (at least 1 byte).
    pub fn journal_tail(&self) -> usize {
        self.journal_tail
            .unwrap_or(crate::store::journal::TAIL_BYTES)
            .max(1)
    }

    /// The snapshot interval a new ledger records (at least 1).
    pub fn snapshot_interval(&self) -> u64 {
        self.snapshot_interval
            .unwrap_or(derived::SNAPSHOT_EVERY)
            .max(1)
    }
}

/// An open ledger. Holds the directory's lock until dropped.
pub struct Ledger<S: Store = SledStore> {
    dir: PathBuf,
    store: Journaled<S>,
    committed: Committed,
    /// What the head record says.
    head: HeadRecord,
    last_recorded_at: Option<i64>,
    /// The state after the last committed event: derived from the log, never written back.
    cache: Option<State>,
    /// What the store holds of derived data (see [`crate::ledger::derived`]).
    derived: Derived,
    /// The snapshot interval a first commit records ([`Access::snapshot_interval`]): only a new
    /// ledger's is one; the store of an existing ledger records its own.
    new_interval: u64,
    /// Whether this process may write (see [`Ledger::open_read`]).
    writable: bool,
    /// The log key, when the writer holds it: every commit is then anchored by a signed checkpoint.
    log_key: Option<SignerKey>,
    /// The size of the kept checkpoint whose signature verified with the log key, if any.
    signed_size: Option<u64>,
    /// The last anchor record (read on open, or written since), and whether its signature verified
    /// with the log key.
    anchor: Option<(anchor::AnchorRecord, bool)>,
    /// Writes anchor records (opened by the first one this process writes).
    anchor_writer: Option<anchor::AnchorWriter>,
    _lock: File,
}

/// Checks who, why and where from before anything is written: the author is an identifier
/// ([`ident::check`]), the reason one or more lines of text, a source's file name a file name
/// ([`crate::domain::state::check_file_name`]). The identifier rule is checked on new writes only; the rest
/// also on recorded events ([`crate::domain::state::check_recorded_meta`]).
pub(crate) fn check_meta(meta: &Meta) -> Result<()> {
    ident::check("author", &meta.author).map_err(Error::Text)?;
    text::check_multiline("reason", &meta.reason, false).map_err(Error::Text)?;
    if let Some(s) = &meta.source {
        crate::domain::state::check_file_name(&s.file_name).map_err(|_| {
            Error::Invalid(crate::error::Invalid::SourceFileName(s.file_name.clone()))
        })?;
    }
    Ok(())
}

/// What every part of a ledger shares: its size and head, whether it may write, and the head record's
/// roll-forward.
impl<S: Store> Ledger<S> {
    fn check_writable(&self) -> Result<()> {
        match self.writable {
            true => Ok(()),
            false => Err(Error::Internal(
                "the ledger was opened for reading only".into(),
            )),
        }
    }

    fn store_err(&self, e: StoreError) -> Error {
        Error::from_store(e, &self.dir)
    }

    /// The ledger's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Number of events.
    pub fn len(&self) -> u64 {
        self.committed.events
    }

    /// Whether the ledger has no events (never true for an initialised ledger).
    pub fn is_empty(&self) -> bool {
        self.committed.events == 0
    }

    /// Hash of the last event.
    pub fn head_hash(&self) -> Hash {
        self.committed.head_hash
    }

    /// The store, read-only.
    pub(crate) fn store_ref(&self) -> &Journaled<S> {
        &self.store
    }

    /// Rolls the head record forward to what the engine holds durably, if it is behind.
    fn update_head(&mut self) -> Result<()> {
        let settled = self.store.settled();
        if settled.events > self.head.events {
            let h = HeadRecord {
                events: settled.events,
                hash: settled.head_hash,
                ..self.head
            };
            write_head(&self.dir, &h)?;
            self.head = h;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
