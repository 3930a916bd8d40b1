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

use std::fs::File;
use std::path::{Path, PathBuf};

use std::time::{Duration, Instant};

pub mod anchor;
mod anchoring;
pub mod chain;
pub mod derived;
mod head;
pub mod reader_copy;
pub mod shared;
mod verify;

use head::{HEAD_FILE, HeadRecord, read_head, sync_dir, write_head};

use crate::domain::event::{self, Change, Event, Hash, SCHEMA_VERSION, Source, ZERO_HASH};
use crate::domain::ident;
use crate::domain::state::{Refused, State};
use crate::domain::text;
use crate::error::{Error, IntegrityError, Result};
use crate::os::safe_fs;
use crate::store::journal::{JOURNAL_FILE, Journaled, OpenJournal, Recovery};
use crate::store::sled_store::SledStore;
use crate::store::{Committed, Store, StoreError, StoreWriter};
use crate::tlog::merkle;
use crate::tlog::note::SignerKey;
use derived::Derived;

const LOCK_FILE: &str = "LOCK";
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
}

impl Meta {
    /// The event that records `change` at `seq` after the event whose hash is `prev_hash`, at
    /// `recorded_at` (the batch's time, which may be later than `self.recorded_at`: see
    /// [`Ledger::append_iter`]), by this author, for this reason, from this source, unsigned.
    pub fn event(&self, seq: u64, prev_hash: Hash, recorded_at: i64, change: Change) -> Event {
        Event {
            version: SCHEMA_VERSION,
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
/// change, it pushes its changes in order and returns the first error.
pub type Produce<'a> = dyn FnMut(&mut dyn FnMut(Change) -> Result<()>) -> Result<()> + 'a;

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

pub use crate::domain::event::StoredEvent;

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
}

impl Access {
    /// The free-space margin in force.
    pub fn min_free(&self) -> u64 {
        self.min_free
            .unwrap_or(crate::store::sled_store::MIN_FREE_BYTES)
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

fn lock(dir: &Path, wait: Duration) -> Result<File> {
    lock_as(dir, wait, true)
}

/// Locks the ledger in `dir` (flock on `LOCK`, waiting up to `wait`). A reader (`create` false) opens
/// `LOCK` read-only and never creates it: without one (a ledger that lost it) it locks the directory
/// itself, which every process can open.
fn lock_as(dir: &Path, wait: Duration, create: bool) -> Result<File> {
    let path = dir.join(LOCK_FILE);
    let opened = match create {
        true => safe_fs::open_rw(&path, true),
        false => match safe_fs::open_read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => File::open(dir),
            other => other,
        },
    };
    let f = opened.map_err(Error::io(format!("cannot open {}", path.display())))?;
    let deadline = Instant::now() + wait;
    loop {
        match f.try_lock() {
            Ok(()) => return Ok(f),
            Err(std::fs::TryLockError::WouldBlock) => {
                if Instant::now() >= deadline {
                    return Err(Error::Busy(
                        dir.to_path_buf(),
                        crate::os::lock::holders(&path),
                    ));
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::io(format!("cannot lock {}", path.display()))(e));
            }
        }
    }
}

/// Whether `dir` holds no history: nothing at all, or what a `create` killed before its first batch
/// was committed leaves (a head record of 0 events, perhaps a store; the store is checked once open).
fn holds_no_history(dir: &Path) -> bool {
    match read_head(dir) {
        Ok(Some(h)) => h.events == 0 && h.hash == ZERO_HASH,
        Ok(None) => !dir.join(STORE_DIR).exists(),
        Err(_) => false,
    }
}

/// Checks who, why and where from before anything is written: the author is an identifier
/// ([`ident::check`]), the reason one or more lines of text, a source's file name a file name
/// ([`crate::domain::state::check_file_name`]). The identifier rule is checked on new writes only; the rest
/// also on recorded events ([`crate::domain::state::check_recorded_meta`]).
pub(crate) fn check_meta(meta: &Meta) -> Result<()> {
    ident::check("author", &meta.author).map_err(Error::Invalid)?;
    text::check_multiline("reason", &meta.reason, false).map_err(Error::Invalid)?;
    if let Some(s) = &meta.source {
        crate::domain::state::check_file_name(&s.file_name).map_err(Error::Invalid)?;
    }
    Ok(())
}

impl Ledger<SledStore> {
    /// Creates a ledger in `dir` whose first events are `plan` (a [`Change::PlanDefined`]) and `more`,
    /// all in one atomic batch. Nothing is created if any change is refused. A directory left by a
    /// `create` that was killed before its batch was committed counts as empty.
    pub fn create(
        dir: &Path,
        meta: &Meta,
        plan: Change,
        more: &[Change],
        access: Access,
    ) -> Result<Self> {
        Self::create_with(
            dir,
            meta,
            plan,
            &mut |push| more.iter().try_for_each(|c| push(c.clone())),
            access,
        )
    }

    /// Like [`Ledger::create`] for changes pushed by `produce` (see [`Ledger::append_with`]), which is
    /// called twice: once to check every change against a scratch state, which is then dropped, so
    /// that nothing is created if one is refused; once to record them.
    pub fn create_with(
        dir: &Path,
        meta: &Meta,
        plan: Change,
        produce: &mut Produce<'_>,
        access: Access,
    ) -> Result<Self> {
        check_meta(meta)?;
        if !matches!(plan, Change::PlanDefined { .. }) {
            return Err(Refused::Rule("the first event must define the plan".into()).into());
        }
        let mut probe = State::default();
        probe.apply(&probe.admit(plan.clone())?)?;
        produce(&mut |c| Ok(probe.apply(&probe.admit(c)?)?))?;
        drop(probe);
        if !holds_no_history(dir) {
            return Err(Error::AlreadyInitialised(dir.to_path_buf()));
        }
        std::fs::create_dir_all(dir)
            .map_err(Error::io(format!("cannot create {}", dir.display())))?;
        let lock = lock(dir, access.wait)?;
        if !holds_no_history(dir) {
            return Err(Error::AlreadyInitialised(dir.to_path_buf()));
        }
        write_head(dir, &HeadRecord::EMPTY)?;
        let store = open_engine(dir, access)?;
        let how = OpenJournal {
            write: true,
            now: access.now,
        };
        let store = Journaled::open(store, &dir.join(JOURNAL_FILE), how)
            .map_err(|e| Error::from_store(e, dir))?;
        // A create killed after its batch reached the store: `open` rolls that batch forward.
        if store
            .committed()
            .map_err(|e| Error::from_store(e, dir))?
            .is_some_and(|c| c.events > 0)
        {
            return Err(Error::AlreadyInitialised(dir.to_path_buf()));
        }
        let mut ledger = Ledger {
            dir: dir.to_path_buf(),
            store,
            committed: Committed::EMPTY,
            head: HeadRecord::EMPTY,
            last_recorded_at: None,
            cache: None,
            derived: Derived::Absent,
            writable: true,
            log_key: None,
            signed_size: None,
            anchor: None,
            anchor_writer: None,
            _lock: lock,
        };
        let mut plan = Some(plan);
        ledger.append_with(meta, &mut |push| {
            if let Some(p) = plan.take() {
                push(p)?;
            }
            produce(push)
        })?;
        Ok(ledger)
    }

    /// Opens an existing ledger to read and write, checking its store against the head record, the
    /// journal against the store, and the anchors against both. A writer repairs what a crash leaves
    /// (see [`Ledger::recovery`]).
    pub fn open(dir: &Path, access: Access) -> Result<Self> {
        Self::open_as(dir, access, true)
    }

    /// Opens an existing ledger to read only, with the same checks as [`Ledger::open`]. Nothing in the
    /// ledger directory is changed: what a crash left (an unfinished last journal record, a head record
    /// behind the store) is reported, or allowed for in memory, and left for the next writer.
    pub fn open_read(dir: &Path, access: Access) -> Result<Self> {
        Self::open_as(dir, access, false)
    }

    fn open_as(dir: &Path, access: Access, writable: bool) -> Result<Self> {
        let exists = |name: &str| std::fs::symlink_metadata(dir.join(name)).is_ok();
        if !exists(HEAD_FILE) && !exists(STORE_DIR) {
            return Err(Error::NotInitialised(dir.to_path_buf()));
        }
        let lock = lock_as(dir, access.wait, writable)?;
        let head = read_head(dir)?
            .ok_or_else(|| IntegrityError::HeadRecordDamaged("the HEAD file is missing".into()))?;
        let store = open_engine(dir, access)?;
        let how = OpenJournal {
            write: writable,
            now: access.now,
        };
        Ledger::with_store(dir, store, head, lock, how)
    }
}

/// Opens the storage engine of the ledger in `dir`, after making sure no link stands among its files.
fn open_engine(dir: &Path, access: Access) -> Result<SledStore> {
    let store_dir = dir.join(STORE_DIR);
    safe_fs::refuse_links_below(&store_dir, 1).map_err(Error::io(format!(
        "cannot open the store in {}",
        dir.display()
    )))?;
    SledStore::open_keeping(&store_dir, access.min_free()).map_err(|e| Error::from_store(e, dir))
}

impl Ledger<SledStore> {
    /// Rebuilds a ledger in `dir`, which must not exist, from the stored bytes of its events in order (as
    /// an export holds them). Each event is checked as it comes ([`crate::ledger::chain::Chain`]: seq, chain,
    /// times, domain rules) and appended verbatim, so the result has the same hashes and root. Batches
    /// are committed into a temporary directory beside `dir` (`NAME.restore-incomplete-XXXXXX`), renamed
    /// to `dir` only once every event is in: a failure or a kill never leaves a partial ledger at `dir`.
    pub fn restore_from(
        dir: &Path,
        events: &mut dyn Iterator<Item = Result<Vec<u8>>>,
        access: Access,
    ) -> Result<Self> {
        const BATCH: u64 = 16_384;
        let exists = |d: &Path| {
            Error::Invalid(format!(
                "{} already exists: restore creates a new ledger; give a directory that does not exist",
                d.display()
            ))
        };
        if dir.exists() {
            return Err(exists(dir));
        }
        let name = dir
            .file_name()
            .ok_or_else(|| Error::Invalid(format!("{} is not a directory name", dir.display())))?;
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let cannot = format!("cannot create a directory in {}", parent.display());
        std::fs::create_dir_all(parent).map_err(Error::io(cannot.clone()))?;
        let tmp = tempfile::Builder::new()
            .prefix(&format!("{}.restore-incomplete-", name.to_string_lossy()))
            .tempdir_in(parent)
            .map_err(Error::io(cannot))?;
        {
            let t = tmp.path();
            let _lock = lock(t, Duration::ZERO)?;
            write_head(t, &HeadRecord::EMPTY)?;
            let mut store = SledStore::open_keeping(&t.join(STORE_DIR), access.min_free())
                .map_err(|e| Error::from_store(e, t))?;
            let mut chain = crate::ledger::chain::Chain::default();
            let store_err = |e| Error::from_store(e, t);
            let mut done = false;
            // Derived data is rebuilt as the events come, from the state `chain` folds.
            let every = derived::new_interval();
            let mut first = true;
            while !done {
                let mut writer = store.writer().map_err(store_err)?;
                if std::mem::take(&mut first) {
                    writer
                        .push_derived_meta(&Derived::record(every))
                        .map_err(store_err)?;
                }
                let mut n = 0;
                while n < BATCH {
                    let Some(bytes) = events.next() else {
                        done = true;
                        break;
                    };
                    let bytes = bytes?;
                    let e = chain.push(&bytes)?;
                    writer.push_event(&bytes).map_err(store_err)?;
                    push_leaf(writer.as_mut(), e.event.seq, &e.hash).map_err(store_err)?;
                    push_derived(
                        writer.as_mut(),
                        every,
                        e.event.seq,
                        e.event.change.item(),
                        &e.hash,
                        chain.state(),
                    )
                    .map_err(store_err)?;
                    n += 1;
                }
                if n > 0 {
                    let c = writer.commit(chain.head()).map_err(store_err)?;
                    write_head(
                        t,
                        &HeadRecord {
                            events: c.events,
                            hash: c.head_hash,
                            ..HeadRecord::EMPTY
                        },
                    )?;
                }
            }
            chain.finish()?;
            if chain.is_empty() {
                return Err(Error::Invalid("nothing to restore: no events".into()));
            }
        }
        if dir.exists() {
            return Err(exists(dir));
        }
        let kept = tmp.keep();
        if let Err(e) = std::fs::rename(&kept, dir) {
            let _ = std::fs::remove_dir_all(&kept);
            return Err(Error::io(format!(
                "cannot rename the restored ledger to {}",
                dir.display()
            ))(e));
        }
        sync_dir(parent)?;
        Ledger::open(
            dir,
            Access {
                wait: Duration::from_secs(5),
                ..access
            },
        )
    }
}

impl<S: Store> Ledger<S> {
    fn with_store(
        dir: &Path,
        store: S,
        head: HeadRecord,
        lock: File,
        how: OpenJournal,
    ) -> Result<Self> {
        let store = Journaled::open(store, &dir.join(JOURNAL_FILE), how)
            .map_err(|e| Error::from_store(e, dir))?;
        let committed = store
            .committed()
            .map_err(|e| Error::from_store(e, dir))?
            .unwrap_or(Committed::EMPTY);
        let mut ledger = Ledger {
            dir: dir.to_path_buf(),
            store,
            committed,
            head,
            last_recorded_at: None,
            cache: None,
            derived: Derived::Absent,
            writable: how.write,
            log_key: None,
            signed_size: None,
            anchor: None,
            anchor_writer: None,
            _lock: lock,
        };
        if head.events == 0 && committed.events == 0 {
            return Err(Error::NotInitialised(dir.to_path_buf()));
        }
        ledger.derived = match ledger.store.derived_meta() {
            Ok(r) => Derived::from_record(r.as_deref()),
            Err(_) => Derived::Damaged,
        };
        use std::cmp::Ordering::*;
        match committed.events.cmp(&head.events) {
            Less => {
                return Err(IntegrityError::StoreBehindHead {
                    store: committed.events,
                    head: head.events,
                }
                .into());
            }
            Equal if committed.head_hash != head.hash => {
                return Err(IntegrityError::HeadMismatch {
                    seq: head.events - 1,
                }
                .into());
            }
            Equal => {}
            Greater => {
                // Events appended since the head record was written: those in the journal, and those of
                // a crash between the engine's commit and the head record's update. They must continue
                // the acknowledged chain; the head record is rolled forward to what the engine holds.
                let next = ledger.read_one(head.events)?;
                if next.event.prev_hash != head.hash {
                    return Err(IntegrityError::BrokenLink { seq: head.events }.into());
                }
                if ledger.writable {
                    ledger.update_head()?;
                }
            }
        }
        // The last event must hash to the committed head.
        let last = ledger.read_one(committed.events - 1)?;
        if last.hash != committed.head_hash {
            return Err(IntegrityError::HashMismatch {
                seq: committed.events - 1,
                recorded_by: "the head record".into(),
            }
            .into());
        }
        ledger.last_recorded_at = Some(last.event.recorded_at);
        ledger.check_anchors()?;
        Ok(ledger)
    }

    /// What opening the journal found beyond its last whole record (an append cut short by a kill or
    /// a power cut): cut off and kept aside by a writer, left in place by a reader.
    pub fn recovery(&self) -> Option<&Recovery> {
        self.store.recovery()
    }

    /// The ledger's origin, from its first event (the plan definition).
    pub fn origin(&self) -> Result<String> {
        match self.read_one(0)?.event.change {
            Change::PlanDefined { origin, .. } => Ok(origin),
            _ => Err(IntegrityError::RuleBroken {
                seq: 0,
                why: "the first event does not define the plan".into(),
            }
            .into()),
        }
    }

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

    /// The storage engine, with the journal moved into it first (for tests that damage it on purpose).
    #[doc(hidden)]
    pub fn store_mut(&mut self) -> Result<&mut S> {
        self.settle()?;
        let dir = self.dir.clone();
        self.store
            .inner_mut()
            .map_err(|e| Error::from_store(e, &dir))
    }

    /// Events held by the journal only, not yet moved into the storage engine.
    pub fn journaled_events(&self) -> u64 {
        self.store.journaled_events()
    }

    /// Moves the journal's events into the storage engine (one durable commit of the engine) and
    /// updates the head record. Appends do this by themselves when the journal grows large; a long-lived
    /// process may call it when idle so that the next open reads less.
    pub fn settle(&mut self) -> Result<()> {
        self.check_writable()?;
        self.store.settle().map_err(|e| self.store_err(e))?;
        self.update_head()
    }

    /// A handle that makes this ledger's journal records durable from any thread (group commit, see
    /// [`crate::ledger::shared`]).
    pub(crate) fn journal_sync_point(&self) -> Result<crate::store::journal::SyncPoint> {
        self.store.sync_point().map_err(|e| self.store_err(e))
    }

    /// Whether appends leave their journal record's sync to a sync point (see [`crate::ledger::shared`]).
    pub(crate) fn defer_journal_sync(&mut self, defer: bool) {
        self.store.defer_sync(defer);
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

    /// The stored bytes of one event.
    pub fn event_bytes(&self, seq: u64) -> Result<Vec<u8>> {
        self.store.event(seq).map_err(|e| self.store_err(e))
    }

    /// One event, decoded, with its hash computed from the stored bytes.
    pub fn event(&self, seq: u64) -> Result<StoredEvent> {
        self.read_one(seq)
    }

    fn read_one(&self, seq: u64) -> Result<StoredEvent> {
        let bytes = self.event_bytes(seq)?;
        let event = event::decode(&bytes).map_err(|e| IntegrityError::Undecodable {
            seq,
            why: e.to_string(),
        })?;
        Ok(StoredEvent {
            hash: event::event_hash(&event.prev_hash, &bytes),
            event,
        })
    }

    /// Calls `f` for each event with seq in `from..to` (clamped to the ledger), in order, until it
    /// returns `false`. Events are decoded; their hashes computed from the stored bytes.
    pub fn scan(
        &self,
        from: u64,
        to: u64,
        f: &mut dyn FnMut(&StoredEvent) -> Result<bool>,
    ) -> Result<()> {
        self.scan_with_bytes(from, to, &mut |e, _| f(e))
    }

    /// Like [`Ledger::scan`], also handing `f` each event's stored bytes (for exports).
    pub fn scan_with_bytes(
        &self,
        from: u64,
        to: u64,
        f: &mut dyn FnMut(&StoredEvent, &[u8]) -> Result<bool>,
    ) -> Result<()> {
        let to = to.min(self.committed.events);
        let mut failure: Option<Error> = None;
        let mut expected = from;
        let r = self.store.scan_events(from, to, &mut |seq, bytes| {
            let stored = match stored_event(seq, expected, bytes) {
                Ok(e) => e,
                Err(e) => {
                    failure = Some(e.into());
                    return Ok(false);
                }
            };
            expected += 1;
            match f(&stored, bytes) {
                Ok(go_on) => Ok(go_on),
                Err(e) => {
                    failure = Some(e);
                    Ok(false)
                }
            }
        });
        if let Some(e) = failure {
            return Err(e);
        }
        r.map_err(|e| self.scan_err(e, expected))
    }

    /// A store error that ended a scan of the events, `expected` being the seq it was to hand on next.
    fn scan_err(&self, e: StoreError, expected: u64) -> Error {
        match e {
            StoreError::Missing(m) => IntegrityError::MissingSeq {
                expected,
                detail: m,
            }
            .into(),
            e => self.store_err(e),
        }
    }

    /// The latest usable snapshot for a fold of the events `0..to`: the state after event `s` and `s + 1`,
    /// or an empty state and 0. A snapshot is used only if it decodes, is stored under its own seq and
    /// records the hash of the event it follows; otherwise it is ignored (and `verify` reports it).
    fn base_state(&self, to: u64) -> (State, u64) {
        if matches!(self.derived, Derived::Every(_))
            && to > 0
            && let Ok(Some((s, bytes))) = self.store.snapshot_at_or_before(to - 1)
            && let Some((seq, hash, state)) = derived::decode_snapshot(&bytes)
            && seq == s
            && s < self.committed.events
            && let Ok(e) = self.read_one(s)
            && e.event.seq == s
            && e.hash == hash
        {
            return (state, s + 1);
        }
        (State::default(), 0)
    }

    /// The state after the events `0..=last_seq` (all events when `None`), from the latest checked
    /// snapshot at or before it plus the events after it.
    pub fn state_through(&self, last_seq: Option<u64>) -> Result<State> {
        let to = last_seq.map_or(self.committed.events, |s| s.saturating_add(1));
        let (mut state, from) = self.base_state(to);
        self.fold_onto(&mut state, from, to)?;
        Ok(state)
    }

    /// The state after the events `0..=last_seq` folded from event 0, ignoring snapshots.
    #[doc(hidden)]
    pub fn state_through_full_fold(&self, last_seq: Option<u64>) -> Result<State> {
        let to = last_seq.map_or(self.committed.events, |s| s.saturating_add(1));
        let mut state = State::default();
        self.fold_onto(&mut state, 0, to)?;
        Ok(state)
    }

    fn fold_onto(&self, state: &mut State, from: u64, to: u64) -> Result<()> {
        self.scan(from, to, &mut |e| {
            state
                .apply(&e.event.change)
                .map_err(|r| IntegrityError::RuleBroken {
                    seq: e.event.seq,
                    why: r.to_string(),
                })?;
            Ok(true)
        })
    }

    /// What the store holds of derived data.
    #[doc(hidden)]
    pub fn derived(&self) -> Derived {
        self.derived
    }

    /// The current state and who set each of its values, in one pass over the log.
    pub fn state_and_provenance(&self) -> Result<(State, crate::domain::provenance::Provenance)> {
        let mut state = State::default();
        let mut prov = crate::domain::provenance::Provenance::default();
        self.scan(0, u64::MAX, &mut |e| {
            state
                .apply(&e.event.change)
                .map_err(|r| IntegrityError::RuleBroken {
                    seq: e.event.seq,
                    why: r.to_string(),
                })?;
            prov.apply(&e.event);
            Ok(true)
        })?;
        Ok((state, prov))
    }

    /// The current state.
    pub fn state(&self) -> Result<State> {
        self.state_through(None)
    }

    /// Appends `changes` as one atomic, durable batch, after checking each against the current state.
    /// On any refusal or error nothing is recorded.
    pub fn append(&mut self, meta: &Meta, changes: &[Change]) -> Result<Receipt> {
        self.append_iter(meta, &mut changes.iter().cloned().map(Ok))
    }

    /// Like [`Ledger::append`] for a stream of changes: each is checked, encoded and handed to the store
    /// as it comes, so memory stays bounded for any batch size. The batch is still atomic: an error from
    /// the stream, a refused change or a store failure abandons it and nothing is recorded.
    ///
    /// The batch is recorded at `meta.recorded_at`, or at the last event's time if that is later (a
    /// clock set back, or an event recorded by a clock that ran ahead): the batch then begins with a
    /// [`Change::ClockBehind`] event holding `meta.recorded_at`, and the receipt says so. Times never
    /// decrease, and no recorded time ever makes the ledger unwritable.
    pub fn append_iter(
        &mut self,
        meta: &Meta,
        changes: &mut dyn Iterator<Item = Result<Change>>,
    ) -> Result<Receipt> {
        self.append_with(meta, &mut |push| {
            for change in &mut *changes {
                push(change?)?;
            }
            Ok(())
        })
    }

    /// Like [`Ledger::append_iter`] for a producer that pushes its changes: `produce` is called once
    /// with the function that checks, encodes and stores one change. An error from either abandons
    /// the batch. (An import decides its changes in a loop over the file: it pushes them as it goes.)
    pub fn append_with(&mut self, meta: &Meta, produce: &mut Produce<'_>) -> Result<Receipt> {
        self.check_writable()?;
        check_meta(meta)?;
        let clock = meta.recorded_at;
        let (recorded_at, behind) = match self.last_recorded_at {
            Some(last) if clock < last => (last, true),
            _ => (clock, false),
        };
        self.current()?;
        // The cached state is updated in place rather than cloned: a clone costs O(state) per append
        // (most of a single append's time on a large ledger). `State::apply` leaves the state untouched
        // when it refuses a change, so if no change was applied the cache is put back as it was; once one
        // was, any failure drops the cache and the next use folds it again from the log.
        let mut state = self
            .cache
            .take()
            .ok_or_else(|| Error::Internal("no state".into()))?;
        let mut applied = false;
        let first_seq = self.committed.events;
        let mut prev = self.committed.head_hash;
        let dir = self.dir.clone();
        let store_err = |e| Error::from_store(e, &dir);
        let store = &mut self.store;
        // Derived data: kept by stores that have it, started by a store's first commit.
        let (every, new_derived) = match self.derived {
            Derived::Every(k) => (Some(k), false),
            Derived::Absent if first_seq == 0 => (Some(derived::new_interval()), true),
            _ => (None, false),
        };
        let mut write = || -> Result<Committed> {
            let mut writer = store.writer().map_err(store_err)?;
            if let (true, Some(k)) = (new_derived, every) {
                writer
                    .push_derived_meta(&Derived::record(k))
                    .map_err(store_err)?;
            }
            let mut seq = first_seq;
            let mut push = |change: Change| -> Result<()> {
                if matches!(change, Change::ClockBehind { .. }) && !(behind && seq == first_seq) {
                    return Err(Refused::Rule(
                        "clock.behind events are written by the ledger itself, when the clock is behind the last event; they cannot be given as a change".into(),
                    )
                    .into());
                }
                // The rules for what is written from now on (identifiers), then the domain rules.
                let change = state.admit(change)?;
                state.apply(&change)?;
                // A clock.behind event changes nothing: the state is still the cached one.
                applied |= !matches!(change, Change::ClockBehind { .. });
                let item = change.item();
                let bytes = event::encode(&meta.event(seq, prev, recorded_at, change))?;
                prev = event::event_hash(&prev, &bytes);
                writer.push_event(&bytes).map_err(store_err)?;
                push_leaf(writer.as_mut(), seq, &prev).map_err(store_err)?;
                if let Some(k) = every {
                    push_derived(writer.as_mut(), k, seq, item, &prev, &state)
                        .map_err(store_err)?;
                }
                seq += 1;
                Ok(())
            };
            if behind {
                push(Change::ClockBehind { clock })?;
            }
            produce(&mut push)?;
            if seq == first_seq + u64::from(behind) {
                return Err(Error::Invalid("nothing to record".into()));
            }
            writer.commit(prev).map_err(store_err)
        };
        let committed = match write() {
            Ok(c) => c,
            Err(e) => {
                if !applied {
                    self.cache = Some(state);
                }
                return Err(e);
            }
        };
        let seq = committed.events;
        self.committed = committed;
        if let (true, Some(k)) = (new_derived, every) {
            self.derived = Derived::Every(k);
        }
        self.last_recorded_at = Some(recorded_at);
        self.cache = Some(state);
        self.update_head().map_err(|e| {
            Error::Unsettled(format!(
                "the change was stored but the head record could not be updated ({e})"
            ))
        })?;
        if self.anchors_every_commit() && !self.store.defers_sync() {
            self.anchor_commit().map_err(|e| {
                Error::Unsettled(format!(
                    "the change was recorded (#{first_seq}..#{}) but could not be anchored ({e})",
                    seq - 1
                ))
            })?;
        }
        let first_change = first_seq + u64::from(behind);
        Ok(Receipt {
            first_seq: first_change,
            count: seq - first_change,
            head_hash: prev,
            clock_behind: behind.then_some(ClockBehind {
                seq: first_seq,
                clock,
                recorded_at,
            }),
        })
    }

    /// The current state, folded from the log once per open ledger and kept up to date by appends
    /// (derived, never written back).
    pub fn current(&mut self) -> Result<&State> {
        if self.cache.is_none() {
            self.cache = Some(self.state()?);
        }
        self.cache
            .as_ref()
            .ok_or_else(|| Error::Internal("no state".into()))
    }

    /// The Merkle root of the first `size` events (RFC 6962 over the event hashes).
    pub fn tree_root(&self, size: u64) -> Result<Hash> {
        if size > self.committed.events {
            return Err(Error::Invalid(format!(
                "the ledger has {} events, fewer than {size}",
                self.committed.events
            )));
        }
        merkle::tree_hash(size, &StoreHashes(&self.store)).map_err(|e| self.merkle_err(e))
    }

    fn merkle_err(&self, e: merkle::MerkleError) -> Error {
        use merkle::MerkleError as M;
        match e {
            M::IndexOutOfRange { .. } | M::InvalidSizes { .. } | M::EmptyOldTree { .. } => {
                Error::Invalid(e.to_string())
            }
            M::Internal(m) => Error::Internal(format!("Merkle tree: {m}")),
            e => IntegrityError::StoreUnreadable(format!("Merkle tree: {e}")).into(),
        }
    }

    /// The RFC 6962 inclusion proof of event `index` in the tree of the first `size` events, read from
    /// the stored hashes (O(log n) reads).
    pub fn prove_inclusion(&self, index: u64, size: u64) -> Result<Vec<Hash>> {
        self.check_tree_size(size)?;
        merkle::prove_record(size, index, &StoreHashes(&self.store)).map_err(|e| self.merkle_err(e))
    }

    /// The RFC 6962 consistency proof from the tree of the first `old` events to that of the first `new`
    /// (empty when they are equal), read from the stored hashes (O(log n) reads).
    pub fn prove_consistency(&self, old: u64, new: u64) -> Result<Vec<Hash>> {
        self.check_tree_size(new)?;
        merkle::prove_tree(new, old, &StoreHashes(&self.store)).map_err(|e| self.merkle_err(e))
    }

    fn check_tree_size(&self, size: u64) -> Result<()> {
        match size > self.committed.events {
            true => Err(Error::Invalid(format!(
                "the ledger has {} events, fewer than {size}",
                self.committed.events
            ))),
            false => Ok(()),
        }
    }
}
struct StoreHashes<'a, S: Store>(&'a S);

impl<S: Store> merkle::HashReader for StoreHashes<'_, S> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, merkle::MerkleError> {
        self.0
            .tree_hashes(indexes)
            .map_err(|e| merkle::MerkleError::Storage(e.to_string()))
    }
}

struct WriterHashes<'a>(&'a dyn StoreWriter);

impl merkle::HashReader for WriterHashes<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, merkle::MerkleError> {
        self.0
            .tree_hashes(indexes)
            .map_err(|e| merkle::MerkleError::Storage(e.to_string()))
    }
}

/// Decodes the stored bytes of event `seq` and hashes them, `expected` being the seq that must come next.
fn stored_event(seq: u64, expected: u64, bytes: &[u8]) -> Result<StoredEvent, IntegrityError> {
    let event = decode_at(seq, bytes)?;
    check_position(&event, seq, expected)?;
    Ok(StoredEvent {
        hash: event::event_hash(&event.prev_hash, bytes),
        event,
    })
}

/// Decodes the stored bytes of event `seq`.
fn decode_at(seq: u64, bytes: &[u8]) -> Result<Event, IntegrityError> {
    event::decode(bytes).map_err(|e| IntegrityError::Undecodable {
        seq,
        why: e.to_string(),
    })
}

/// Checks that `event`, found at position `seq` of the store, is the one `expected` there.
fn check_position(event: &Event, seq: u64, expected: u64) -> Result<(), IntegrityError> {
    if event.seq != seq || seq != expected {
        return Err(IntegrityError::MissingSeq {
            expected,
            detail: format!("found event {} at position {seq}", event.seq),
        });
    }
    Ok(())
}

/// Adds event `seq`'s derived data: its index entry, and the snapshot of `state` (the state after it) if
/// it ends an interval of `every` events.
fn push_derived(
    w: &mut dyn StoreWriter,
    every: u64,
    seq: u64,
    item: Option<u32>,
    hash: &Hash,
    state: &State,
) -> Result<(), StoreError> {
    w.push_item_ref(item.unwrap_or(derived::NO_ITEM), seq)?;
    if (seq + 1).is_multiple_of(every) {
        w.push_snapshot_with(seq, &mut |out| {
            derived::write_snapshot(seq, hash, state, out)
        })?;
    }
    Ok(())
}

/// Adds event `n` (with hash `event_hash`) as leaf `n` of the stored Merkle tree.
fn push_leaf(w: &mut dyn StoreWriter, n: u64, event_hash: &Hash) -> Result<(), StoreError> {
    let leaf = merkle::leaf_hash(event_hash);
    let hashes = merkle::stored_hashes_for_record(n, leaf, &WriterHashes(w))
        .map_err(|e| StoreError::Damaged(format!("Merkle tree: {e}")))?;
    for h in hashes {
        w.push_tree_hash(h)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::head::{head_text, parse_head};
    use super::verify::{Batch, VERIFY_BATCH, read_for_verify};
    use super::*;
    use crate::domain::period::{Half, Period};
    use crate::store::StoreResult;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn meta(at: i64) -> Meta {
        Meta {
            author: "山田".into(),
            reason: "評価".into(),
            source: None,
            recorded_at: at,
        }
    }

    fn plan() -> Change {
        Change::PlanDefined {
            name: "plan".into(),
            grades: vec!["S".into(), "A".into(), "B".into()],
            default_era: None,
            origin: "example/plan".into(),
        }
    }

    /// A ledger with `n` rating events after the plan, heading and item (3 + n events).
    fn ledger(n: usize) -> (tempfile::TempDir, Ledger) {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::create(
            &dir.path().join("l"),
            &meta(1),
            plan(),
            &[
                Change::CategoryAdded { name: "c".into() },
                Change::ItemRegistered {
                    number: 1,
                    title: "t".into(),
                    department: "d".into(),
                    category: "c".into(),
                    relisting_of: None,
                },
            ],
            Access::default(),
        )
        .unwrap();
        for i in 0..n {
            let change = Change::RatingRecorded {
                item: 1,
                period: Period {
                    fiscal_year: 2014 + i as u16,
                    half: Half::FirstHalf,
                },
                grade: "A".into(),
            };
            l.append(&meta(2 + i as i64), &[change]).unwrap();
        }
        (dir, l)
    }

    fn tamper(l: &mut Ledger, seq: u64, edit: impl FnOnce(&mut Vec<u8>)) {
        let mut bytes = l.event_bytes(seq).unwrap();
        edit(&mut bytes);
        l.store_mut().unwrap().tamper_event(seq, &bytes).unwrap();
    }

    fn verify_err(l: &Ledger) -> IntegrityError {
        match l.verify(&mut |_, _| {}) {
            Err(Error::Integrity(e)) => e,
            other => panic!("expected an integrity failure, got {other:?}"),
        }
    }

    /// Offset of the author string's first byte (after version, seq, prev_hash, recorded_at, length).
    const AUTHOR_AT: usize = 2 + 8 + 32 + 8 + 8;

    #[test]
    fn edited_bytes_are_named_at_every_position() {
        for seq in [0u64, 1, 4, 7, 9] {
            let (_d, mut l) = ledger(7);
            tamper(&mut l, seq, |b| b[AUTHOR_AT] ^= 0x01);
            let e = verify_err(&l);
            assert_eq!(e.seq(), Some(seq), "{e}");
            assert_eq!(e.kind(), "hash_mismatch", "{e}");
        }
    }

    #[test]
    fn an_edited_link_is_a_broken_link() {
        let (_d, mut l) = ledger(5);
        tamper(&mut l, 4, |b| b[12] ^= 0xff);
        let e = verify_err(&l);
        assert_eq!((e.kind(), e.seq()), ("broken_link", Some(4)), "{e}");
        let (_d, mut l) = ledger(1);
        tamper(&mut l, 0, |b| b[12] = 1);
        assert_eq!(verify_err(&l), IntegrityError::BadGenesis);
    }

    #[test]
    fn garbage_and_trailing_bytes_are_undecodable() {
        let (_d, mut l) = ledger(3);
        tamper(&mut l, 2, |b| b.push(0));
        let e = verify_err(&l);
        assert_eq!((e.kind(), e.seq()), ("undecodable", Some(2)), "{e}");
        assert!(e.to_string().contains("trailing bytes"), "{e}");
    }

    #[test]
    fn a_recomputed_chain_is_caught_by_the_head_record() {
        // Rewrite the last event and recompute its hash into the store's commit record: only the
        // independent head record still knows the acknowledged hash.
        let (d, mut l) = ledger(3);
        let last = l.len() - 1;
        let mut bytes = l.event_bytes(last).unwrap();
        bytes[AUTHOR_AT] ^= 1;
        let prev = l.event(last).unwrap().event.prev_hash;
        l.store_mut().unwrap().tamper_event(last, &bytes).unwrap();
        let c = l.store.committed().unwrap().unwrap();
        l.store_mut()
            .unwrap()
            .tamper_commit(Committed {
                head_hash: event::event_hash(&prev, &bytes),
                ..c
            })
            .unwrap();
        drop(l);
        match Ledger::open(&d.path().join("l"), Access::default()) {
            Err(Error::Integrity(IntegrityError::HeadMismatch { seq })) => assert_eq!(seq, last),
            other => panic!("{:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn a_crash_between_store_commit_and_head_record_rolls_forward() {
        let (d, mut l) = ledger(2);
        let dir = d.path().join("l");
        let old_head = std::fs::read(dir.join(HEAD_FILE)).unwrap();
        l.append(&meta(100), &[Change::ItemWithdrawn { number: 1 }])
            .unwrap();
        // The engine takes the journal, and the process dies before the head record is written.
        l.store.settle().unwrap();
        let n = l.len();
        drop(l);
        std::fs::write(dir.join(HEAD_FILE), &old_head).unwrap();
        let l = Ledger::open(&dir, Access::default()).unwrap();
        assert_eq!(l.len(), n);
        assert_eq!(l.verify(&mut |_, _| {}).unwrap().events, n);
        let head = parse_head(&std::fs::read_to_string(dir.join(HEAD_FILE)).unwrap()).unwrap();
        assert_eq!(head.events, n);
    }

    #[test]
    fn the_stored_root_matches_a_streaming_recomputation() {
        let (_d, l) = ledger(40);
        let mut mem = merkle::MemoryHashes::new();
        let mut hashes = Vec::new();
        l.scan(0, u64::MAX, &mut |e| {
            hashes.push(e.hash);
            Ok(true)
        })
        .unwrap();
        for (i, h) in hashes.iter().enumerate() {
            mem.append_leaf(merkle::leaf_hash(h)).unwrap();
            let size = i as u64 + 1;
            assert_eq!(
                l.tree_root(size).unwrap(),
                merkle::tree_hash(size, &mem).unwrap()
            );
        }
        assert_eq!(
            l.verify(&mut |_, _| {}).unwrap().root,
            l.tree_root(l.len()).unwrap()
        );
    }

    #[test]
    fn proofs_from_the_stored_hashes_verify() {
        let (_d, l) = ledger(14);
        let n = l.len();
        for size in 1..=n {
            let root = l.tree_root(size).unwrap();
            for i in 0..size {
                let leaf = merkle::leaf_hash(&l.event(i).unwrap().hash);
                let p = l.prove_inclusion(i, size).unwrap();
                merkle::check_record(&p, size, &root, i, &leaf).unwrap();
            }
            for old in 1..=size {
                let p = l.prove_consistency(old, size).unwrap();
                merkle::check_tree(&p, size, &root, old, &l.tree_root(old).unwrap()).unwrap();
            }
        }
        for bad in [
            l.prove_inclusion(n, n),
            l.prove_inclusion(0, n + 1),
            l.prove_consistency(0, n),
            l.prove_consistency(2, 1),
            l.prove_consistency(1, n + 1),
        ] {
            assert!(matches!(bad, Err(Error::Invalid(_))), "{bad:?}");
        }
    }

    #[test]
    fn a_refused_batch_writes_nothing() {
        let (_d, mut l) = ledger(1);
        let before = (l.len(), l.head_hash());
        let good = Change::ItemWithdrawn { number: 1 };
        let bad = Change::ItemWithdrawn { number: 1 };
        assert!(matches!(
            l.append(&meta(50), &[good, bad]),
            Err(Error::Refused(_))
        ));
        assert_eq!((l.len(), l.head_hash()), before);
        assert!(l.verify(&mut |_, _| {}).is_ok());
    }

    fn fy2014_h1() -> Period {
        Period {
            fiscal_year: 2014,
            half: Half::FirstHalf,
        }
    }

    fn remark(text: &str) -> Change {
        Change::RemarkSet {
            item: 1,
            period: fy2014_h1(),
            text: text.into(),
        }
    }

    #[test]
    fn one_future_time_never_locks_the_ledger() {
        let (d, mut l) = ledger(1);
        // The latest time an event can hold: 2262-04-11T23:47:16.854775807Z.
        let r = l.append(&meta(i64::MAX), &[remark("future")]).unwrap();
        assert_eq!(r.clock_behind, None);
        let behind = l.append(&meta(100), &[remark("a"), remark("b")]).unwrap();
        let first = r.first_seq + 1;
        assert_eq!(
            behind,
            Receipt {
                first_seq: first + 1,
                count: 2,
                head_hash: l.head_hash(),
                clock_behind: Some(ClockBehind {
                    seq: first,
                    clock: 100,
                    recorded_at: i64::MAX,
                }),
            }
        );
        let lead = l.event(first).unwrap().event;
        assert_eq!(lead.change, Change::ClockBehind { clock: 100 });
        assert_eq!(
            (lead.author.as_str(), lead.reason.as_str()),
            ("山田", "評価")
        );
        for seq in first..l.len() {
            assert_eq!(l.event(seq).unwrap().event.recorded_at, i64::MAX);
        }
        assert_eq!(l.current().unwrap().cell(1, fy2014_h1()).remark, "b");
        // A refusal after the clock.behind event leaves nothing, that event included.
        let len = l.len();
        assert!(matches!(
            l.append(&meta(5), &[remark("c"), remark("c")]),
            Err(Error::Refused(_))
        ));
        assert!(matches!(l.append(&meta(5), &[]), Err(Error::Invalid(_))));
        assert_eq!(l.len(), len);
        assert_eq!(l.current().unwrap().clone(), l.state().unwrap());
        l.verify(&mut |_, _| {}).unwrap();
        // The last time is read back on open; a clock that caught up records without a note.
        drop(l);
        let mut l = Ledger::open(&d.path().join("l"), Access::default()).unwrap();
        let again = l.append(&meta(7), &[remark("d")]).unwrap();
        assert_eq!(again.clock_behind.map(|c| c.seq), Some(len));
        let caught_up = l.append(&meta(i64::MAX), &[remark("e")]).unwrap();
        assert_eq!(caught_up.clock_behind, None);
        assert_eq!(l.verify(&mut |_, _| {}).unwrap().events, l.len());
    }

    #[test]
    fn a_clock_behind_change_cannot_be_given() {
        let (_d, mut l) = ledger(0);
        let before = (l.len(), l.head_hash());
        for at in [50, 0] {
            let err = l
                .append(&meta(at), &[Change::ClockBehind { clock: 1 }])
                .unwrap_err();
            assert!(
                err.to_string().contains("written by the ledger itself"),
                "{err}"
            );
            let err = l
                .append(&meta(at), &[remark("x"), Change::ClockBehind { clock: 1 }])
                .unwrap_err();
            assert!(matches!(err, Error::Refused(_)), "{err}");
        }
        assert_eq!((l.len(), l.head_hash()), before);
    }

    #[test]
    fn the_cached_state_survives_refusals_and_matches_the_log() {
        let (_d, mut l) = ledger(2);
        let withdraw = Change::ItemWithdrawn { number: 1 };
        // A refused first change leaves the cache as it was; a refusal after an applied change drops it.
        l.append(&meta(60), std::slice::from_ref(&withdraw))
            .unwrap();
        assert!(l.append(&meta(61), &[withdraw]).is_err());
        assert_eq!(l.current().unwrap().clone(), l.state().unwrap());
        let reinstate = Change::ItemReinstated { number: 1 };
        assert!(
            l.append(&meta(62), &[reinstate.clone(), reinstate.clone()])
                .is_err()
        );
        assert_eq!(l.current().unwrap().clone(), l.state().unwrap());
        assert!(l.current().unwrap().items[&1].withdrawn);
        l.append(&meta(63), &[reinstate]).unwrap();
        assert!(!l.current().unwrap().items[&1].withdrawn);
        assert_eq!(l.current().unwrap().clone(), l.state().unwrap());
    }

    /// A ledger like [`ledger`] with a snapshot every 4 events (the interval is recorded in the store).
    fn small_k(n: usize) -> (tempfile::TempDir, Ledger) {
        derived::set_snapshot_interval_for_new_ledgers(4);
        let (d, l) = ledger(n);
        assert_eq!(l.derived(), Derived::Every(4));
        (d, l)
    }

    fn refs(l: &Ledger) -> Vec<(u32, u64)> {
        let mut out = Vec::new();
        l.store
            .scan_item_refs(&mut |i, s| {
                out.push((i, s));
                Ok(true)
            })
            .unwrap();
        out
    }

    #[test]
    fn the_index_and_snapshots_are_written_with_the_events_and_used() {
        let (d, l) = small_k(10);
        drop(l);
        // Reopened: everything below comes from the store.
        let l = Ledger::open(&d.path().join("l"), Access::default()).unwrap();
        assert_eq!(l.len(), 13);
        assert_eq!(l.store.snapshot_seqs().unwrap(), [3, 7, 11]);
        assert_eq!(l.store.item_refs(0).unwrap(), [0, 1]);
        assert_eq!(l.store.item_refs(1).unwrap(), (2..13).collect::<Vec<_>>());
        assert_eq!(
            l.base_state(13).1,
            12,
            "the snapshot after event 11 is used"
        );
        assert_eq!(l.base_state(11).1, 8);
        assert_eq!(l.base_state(3).1, 0);
        for n in 0..13 {
            assert_eq!(
                l.state_through(Some(n)).unwrap(),
                l.state_through_full_fold(Some(n)).unwrap()
            );
        }
        assert_eq!(
            l.history(1, None).unwrap(),
            l.history_by_full_fold(1, None).unwrap()
        );
        l.verify(&mut |_, _| {}).unwrap();
    }

    #[test]
    fn a_refused_or_abandoned_batch_writes_no_derived_data() {
        let (_d, mut l) = small_k(2);
        let before = (refs(&l), l.store.snapshot_seqs().unwrap());
        let w = Change::ItemWithdrawn { number: 1 };
        assert!(l.append(&meta(50), &[w.clone(), w.clone()]).is_err());
        let boom = || -> Result<Change> { Err(Error::Invalid("stream failed".into())) };
        let mut it = [Ok(w.clone()), Ok(w.clone()), boom()].into_iter();
        assert!(l.append_iter(&meta(50), &mut it).is_err());
        assert_eq!(before, (refs(&l), l.store.snapshot_seqs().unwrap()));
        l.append(&meta(51), &[w]).unwrap();
        l.verify(&mut |_, _| {}).unwrap();
    }

    fn snapshot_of(l: &Ledger, seq: u64, state: &State) -> Vec<u8> {
        derived::encode_snapshot(seq, &l.event(seq).unwrap().hash, state).unwrap()
    }

    #[test]
    fn a_tampered_snapshot_is_caught_by_verify_and_ignored_unless_it_matches_its_event() {
        // Another state under the right event hash: used by views (it passes the hash check) until
        // verify, which recomputes it.
        let (_d, mut l) = small_k(10);
        let wrong = snapshot_of(&l, 7, &l.state_through_full_fold(Some(3)).unwrap());
        l.store_mut()
            .unwrap()
            .tamper_snapshot(7, Some(&wrong))
            .unwrap();
        let e = verify_err(&l);
        assert_eq!((e.kind(), e.seq()), ("snapshot_mismatch", Some(7)), "{e}");
        assert!(e.to_string().contains("restor"), "{e}");

        // The wrong event hash, or garbage: ignored, the state is folded from the log.
        let (_d, mut l) = small_k(10);
        let mut bad = snapshot_of(&l, 7, &l.state_through_full_fold(Some(7)).unwrap());
        bad[30] ^= 1;
        l.store_mut()
            .unwrap()
            .tamper_snapshot(7, Some(&bad))
            .unwrap();
        assert_eq!(l.base_state(9).1, 0);
        assert_eq!(
            l.state_through(Some(9)).unwrap(),
            l.state_through_full_fold(Some(9)).unwrap()
        );
        assert_eq!(verify_err(&l).kind(), "snapshot_mismatch");
        l.store_mut()
            .unwrap()
            .tamper_snapshot(7, Some(b"garbage"))
            .unwrap();
        assert_eq!(l.base_state(9).1, 0);
        assert_eq!(verify_err(&l).seq(), Some(7));

        // Missing, or one where none belongs.
        let (_d, mut l) = small_k(10);
        l.store_mut().unwrap().tamper_snapshot(3, None).unwrap();
        let e = verify_err(&l);
        assert_eq!((e.kind(), e.seq()), ("snapshot_mismatch", Some(3)), "{e}");
        assert!(e.to_string().contains("missing"), "{e}");
        let (_d, mut l) = small_k(10);
        let extra = snapshot_of(&l, 5, &l.state_through_full_fold(Some(5)).unwrap());
        l.store_mut()
            .unwrap()
            .tamper_snapshot(5, Some(&extra))
            .unwrap();
        let e = verify_err(&l);
        assert_eq!((e.kind(), e.seq()), ("snapshot_mismatch", Some(5)), "{e}");
        assert_eq!(
            l.state_through(Some(5)).unwrap(),
            l.state_through_full_fold(Some(5)).unwrap()
        );
    }

    #[test]
    fn a_tampered_index_is_caught_by_verify_and_history_never_shows_another_items_events() {
        let (_d, mut l) = small_k(6);
        let good = l.history(1, None).unwrap();
        // An entry dropped.
        let mut seqs = l.store.item_refs(1).unwrap();
        seqs.remove(3);
        l.store_mut().unwrap().tamper_item_refs(1, &seqs).unwrap();
        let e = verify_err(&l);
        assert_eq!(e.kind(), "index_mismatch", "{e}");
        assert!(
            e.to_string()
                .contains("item 1: the index lists 6 events, the log has 7"),
            "{e}"
        );
        assert!(e.to_string().contains("restor"), "{e}");
        // An event of another item (here: of no item) listed: history falls back to the log.
        let mut seqs = l.store.item_refs(1).unwrap();
        seqs.insert(0, 1);
        l.store_mut().unwrap().tamper_item_refs(1, &seqs).unwrap();
        assert_eq!(l.history(1, None).unwrap(), good);
        assert_eq!(verify_err(&l).kind(), "index_mismatch");
        // Entries for an item that has no events.
        l.store_mut()
            .unwrap()
            .tamper_item_refs(1, &(2..9).collect::<Vec<_>>())
            .unwrap();
        l.verify(&mut |_, _| {}).unwrap();
        l.store_mut().unwrap().tamper_item_refs(7, &[3]).unwrap();
        assert_eq!(verify_err(&l).kind(), "index_mismatch");
        l.store_mut().unwrap().tamper_item_refs(7, &[]).unwrap();
        // Entries past the end of the log are what an append writes ahead of its commit record (see
        // schema/FORMAT.md section 11): every reader ignores them, verify too.
        let mut ahead = l.store.item_refs(1).unwrap();
        assert_eq!(ahead.last(), Some(&8));
        ahead.extend([9, 12, 70_000]);
        l.store_mut().unwrap().tamper_item_refs(1, &ahead).unwrap();
        assert_eq!(l.store.item_refs(1).unwrap().last(), Some(&8));
        assert_eq!(l.history(1, None).unwrap(), good);
        l.verify(&mut |_, _| {}).unwrap();
    }

    #[test]
    fn restore_rebuilds_the_same_derived_data() {
        let (d, l) = small_k(9);
        let mut all = Vec::new();
        l.scan_with_bytes(0, u64::MAX, &mut |_, b| {
            all.push(b.to_vec());
            Ok(true)
        })
        .unwrap();
        let target = d.path().join("restored");
        let r =
            Ledger::restore_from(&target, &mut all.into_iter().map(Ok), Access::default()).unwrap();
        assert_eq!(r.derived(), Derived::Every(4));
        assert_eq!(refs(&r), refs(&l));
        let seqs = l.store.snapshot_seqs().unwrap();
        assert_eq!(r.store.snapshot_seqs().unwrap(), seqs);
        for s in seqs {
            assert_eq!(
                r.store.snapshot_at_or_before(s).unwrap(),
                l.store.snapshot_at_or_before(s).unwrap()
            );
        }
        r.verify(&mut |_, _| {}).unwrap();
    }

    #[test]
    fn a_create_killed_before_its_first_commit_can_be_repeated() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("l");
        std::fs::create_dir_all(&dir).unwrap();
        let empty = HeadRecord::EMPTY;
        write_head(&dir, &empty).unwrap();
        assert!(matches!(
            Ledger::open(&dir, Access::default()),
            Err(Error::NotInitialised(_))
        ));
        // Killed later, once sled had created its files but before the batch was committed.
        drop(SledStore::open(&dir.join(STORE_DIR)).unwrap());
        let l = Ledger::create(&dir, &meta(1), plan(), &[], Access::default()).unwrap();
        assert_eq!(l.len(), 1);
        drop(l);
        // Killed after the batch reached the store, before the head record said so: that ledger
        // exists (open rolls it forward) and is not created again.
        write_head(&dir, &empty).unwrap();
        assert!(matches!(
            Ledger::create(&dir, &meta(2), plan(), &[], Access::default()),
            Err(Error::AlreadyInitialised(_))
        ));
        assert_eq!(Ledger::open(&dir, Access::default()).unwrap().len(), 1);
    }

    #[test]
    fn head_record_text_round_trips_and_detects_edits() {
        let h = HeadRecord {
            events: 7,
            hash: [9; 32],
            ..HeadRecord::EMPTY
        };
        let t = head_text(&h);
        assert!(t.starts_with("hyoka-head v1\n"), "{t}");
        assert_eq!(parse_head(&t).unwrap(), h);
        assert!(parse_head(&t.replace("events 7", "events 8")).is_err());
        assert!(parse_head("").is_err());
        // Version 2: the anchoring setting.
        let off = HeadRecord {
            anchored: true,
            ..h
        };
        let t = head_text(&off);
        assert!(t.contains("\nanchoring off\ncheck "), "{t}");
        assert_eq!(parse_head(&t).unwrap(), off);
        let h2 = HeadRecord {
            anchoring: true,
            anchored: true,
            ..h
        };
        let t = head_text(&h2);
        assert!(t.starts_with("hyoka-head v2\n"), "{t}");
        assert!(t.contains("\nanchoring every-commit\ncheck "), "{t}");
        assert_eq!(parse_head(&t).unwrap(), h2);
        assert!(parse_head(&t.replace("anchoring", "anchorin")).is_err());
        let no_line = t.replace("anchoring every-commit\n", "");
        assert!(parse_head(&no_line).is_err());
    }

    /// A ledger like [`ledger`] with `n` ratings appended in one batch: quick to make with many events.
    /// They go through the 422 periods of fiscal years 1989 to 2199, then again with the other grade.
    fn long_ledger(n: usize) -> (tempfile::TempDir, Ledger) {
        let (d, mut l) = ledger(0);
        let changes: Vec<Change> = (0..n)
            .map(|i| Change::RatingRecorded {
                item: 1,
                period: Period {
                    fiscal_year: 1989 + (i % 211) as u16,
                    half: [Half::FirstHalf, Half::YearEnd][(i / 211) % 2],
                },
                grade: ["A", "B"][(i / 422) % 2].into(),
            })
            .collect();
        l.append(&meta(2), &changes).unwrap();
        (d, l)
    }

    #[test]
    fn verify_names_the_first_damaged_event_in_any_batch() {
        // Several of verify's batches: a batch dropped, repeated or checked out of order, or an event
        // checked against the wrong bytes, changes what is reported.
        let b = VERIFY_BATCH as u64;
        let (_d, mut l) = long_ledger(3 * VERIFY_BATCH + 100);
        let n = l.len();
        let mut calls = Vec::new();
        let report = l
            .verify(&mut |done, total| calls.push((done, total)))
            .unwrap();
        assert_eq!((report.events, report.root), (n, l.tree_root(n).unwrap()));
        assert_eq!(calls, [(0, n), (n, n)]);
        // The derived data is left out of the checks below, which concern the events: with the short
        // snapshot interval another test may have set, it makes each verify slow.
        l.derived = Derived::Absent;
        for seq in [1, b - 1, b, b + 1, 2 * b, 3 * b - 1, 3 * b, n - 2, n - 1] {
            let good = l.event_bytes(seq).unwrap();
            tamper(&mut l, seq, |b| b[AUTHOR_AT] ^= 0x01);
            let e = verify_err(&l);
            assert_eq!((e.kind(), e.seq()), ("hash_mismatch", Some(seq)), "{e}");
            tamper(&mut l, seq, |b| *b = good.clone());
            tamper(&mut l, seq, |b| b[12] ^= 0xff);
            let e = verify_err(&l);
            assert_eq!((e.kind(), e.seq()), ("broken_link", Some(seq)), "{e}");
            tamper(&mut l, seq, |b| *b = good.clone());
            tamper(&mut l, seq, |b| b.push(0));
            let e = verify_err(&l);
            assert_eq!((e.kind(), e.seq()), ("undecodable", Some(seq)), "{e}");
            tamper(&mut l, seq, |b| *b = good.clone());
        }
        l.verify(&mut |_, _| {}).unwrap();
        // Two damaged events: the first in the log's order is reported, whichever batch holds the other.
        for (first, second) in [(b, 3 * b + 1), (2 * b - 1, 2 * b + 2), (5, n - 1)] {
            let goods = [first, second].map(|s| l.event_bytes(s).unwrap());
            tamper(&mut l, second, |b| b.push(0));
            tamper(&mut l, first, |b| b[AUTHOR_AT] ^= 0x01);
            let e = verify_err(&l);
            assert_eq!((e.kind(), e.seq()), ("hash_mismatch", Some(first)), "{e}");
            for (s, good) in [first, second].into_iter().zip(goods) {
                tamper(&mut l, s, |b| *b = good);
            }
        }
        l.verify(&mut |_, _| {}).unwrap();
    }

    #[test]
    fn events_prepared_by_verify_s_reader_are_those_at_their_place() {
        let (_d, l) = ledger(9);
        let mut batch = Batch::default();
        for seq in 0..l.len() {
            batch.push(seq, &l.event_bytes(seq).unwrap());
        }
        assert!(batch.prepare_some(2));
        assert!(batch.prepare_some(5));
        assert!(!batch.prepare_some(100));
        assert_eq!(batch.prepared, batch.events.len());
        for (seq, e) in (0..).zip(&batch.events) {
            let (stored, leaf) = e.ready.as_ref().unwrap().as_ref().unwrap();
            assert_eq!((e.seq, stored), (seq, &l.event(seq).unwrap()));
            assert_eq!(*leaf, merkle::leaf_hash(&stored.hash));
        }
    }

    /// A store whose scan panics when it reaches `panic_at`.
    struct PanickyStore {
        inner: SledStore,
        panic_at: u64,
    }

    impl Store for PanickyStore {
        fn committed(&self) -> StoreResult<Option<Committed>> {
            self.inner.committed()
        }
        fn scan_events(
            &self,
            from: u64,
            to: u64,
            f: &mut dyn FnMut(u64, &[u8]) -> StoreResult<bool>,
        ) -> StoreResult<()> {
            self.inner.scan_events(from, to, &mut |seq, bytes| {
                assert!(seq != self.panic_at, "scan crashed at {seq}");
                f(seq, bytes)
            })
        }
        fn tree_hashes(&self, indexes: &[u64]) -> StoreResult<Vec<Hash>> {
            self.inner.tree_hashes(indexes)
        }
        fn writer(&mut self) -> StoreResult<Box<dyn StoreWriter + '_>> {
            self.inner.writer()
        }
        fn derived_meta(&self) -> StoreResult<Option<Vec<u8>>> {
            self.inner.derived_meta()
        }
        fn journal_generation(&self) -> StoreResult<Option<u64>> {
            self.inner.journal_generation()
        }
        fn scan_item_refs(
            &self,
            f: &mut dyn FnMut(u32, u64) -> StoreResult<bool>,
        ) -> StoreResult<()> {
            self.inner.scan_item_refs(f)
        }
        fn snapshot_at_or_before(&self, seq: u64) -> StoreResult<Option<(u64, Vec<u8>)>> {
            self.inner.snapshot_at_or_before(seq)
        }
        fn snapshot_seqs(&self) -> StoreResult<Vec<u64>> {
            self.inner.snapshot_seqs()
        }
    }

    fn panicky(l: Ledger, panic_at: u64) -> Ledger<PanickyStore> {
        let Ledger {
            dir,
            store,
            committed,
            head,
            last_recorded_at,
            cache,
            derived,
            writable,
            log_key,
            signed_size,
            anchor,
            anchor_writer,
            _lock,
        } = l;
        Ledger {
            dir,
            store: store.map_inner(|inner| PanickyStore { inner, panic_at }),
            committed,
            head,
            last_recorded_at,
            cache,
            derived,
            writable,
            log_key,
            signed_size,
            anchor,
            anchor_writer,
            _lock,
        }
    }

    #[test]
    fn a_crash_of_either_verify_thread_neither_hangs_nor_escapes() {
        let b = VERIFY_BATCH as u64;
        let (_d, mut l) = long_ledger(4 * VERIFY_BATCH);
        // The reader crashes: an error, after the events it handed on were checked.
        let good = l.event_bytes(b + 3).unwrap();
        tamper(&mut l, b + 3, |b| b[AUTHOR_AT] ^= 0x01);
        let mut l = panicky(l, 3 * b + 7);
        match l.verify(&mut |_, _| {}) {
            Err(Error::Integrity(e)) => {
                assert_eq!((e.kind(), e.seq()), ("hash_mismatch", Some(b + 3)))
            }
            other => panic!("{other:?}"),
        }
        l.store_mut()
            .unwrap()
            .inner
            .tamper_event(b + 3, &good)
            .unwrap();
        match l.verify(&mut |_, _| {}) {
            Err(Error::Integrity(e @ IntegrityError::StoreUnreadable(_))) => {
                let at = format!("scan crashed at {}", 3 * b + 7);
                assert!(e.to_string().contains(&at), "{e}")
            }
            other => panic!("{other:?}"),
        }
        // The checking thread (the caller's) crashes: the panic reaches the caller, and the reader stops.
        l.store_mut().unwrap().panic_at = u64::MAX;
        let crash = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            l.verify(&mut |_, _| panic!("progress crashed"))
        }));
        assert!(crash.is_err());
        assert_eq!(l.verify(&mut |_, _| {}).unwrap().events, l.len());
    }

    #[test]
    fn verify_s_reader_stops_when_the_checker_hangs_up() {
        // A queue of one batch: the reader blocks on it, and must return once the checker is gone.
        let (_d, l) = long_ledger(4 * VERIFY_BATCH);
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let (_back_tx, back_rx) = std::sync::mpsc::channel();
        let queued = AtomicUsize::new(0);
        let (store, total, queued) = (&l.store, l.len(), &queued);
        std::thread::scope(|scope| {
            let reader = scope.spawn(move || read_for_verify(store, total, &tx, queued, &back_rx));
            let first: Batch = rx.recv().unwrap();
            assert_eq!(first.events.len(), VERIFY_BATCH);
            // The second batch fills the queue; the reader prepares the third and sends it.
            while queued.load(Ordering::Relaxed) < 3 {
                std::thread::yield_now();
            }
            drop(rx);
            assert!(reader.join().unwrap().is_none());
        });
    }
}
