//! A ledger directory's lifecycle: locking it, creating a ledger, opening one (for writing or for
//! reading only), restoring one from an export's events, and moving the journal into the store.
//!
//! Why: a ledger directory outlives every process that opens it, and any of them may have been killed
//! at any point; opening is where what they left is checked, and repaired by a writer, before anything
//! is read or appended. Invariants:
//!
//! - One process uses a ledger at a time: it holds the directory's `LOCK` (flock) for as long as the
//!   [`Ledger`] lives; a reader never creates the file.
//! - Open checks the store against the head record, the journal against the store and the anchors
//!   against both, and refuses a ledger that fails; a store ahead of the head record by events that link
//!   to it is rolled forward by a writer, allowed for in memory by a reader, which changes no file.
//! - A `create` writes nothing unless every change is accepted, and a directory left by a `create`
//!   killed before its first commit counts as empty; one whose first batch reached the store does not.
//! - A restore builds the whole ledger in a temporary directory beside its target, through the one
//!   write path ([`super::write`]) with each event checked by [`Chain`], and renames it into place only
//!   once every event is in: a failure or a kill never leaves a partial ledger at the target.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use super::chain::Chain;
use super::derived::Derived;
use super::head::{HEAD_FILE, HeadRecord, read_head, sync_dir, write_head};
use super::write::write_batch;
use super::{Access, Ledger, Meta, Produce, STORE_DIR, check_meta};
use crate::domain::event::{Change, ZERO_HASH};
use crate::domain::state::{Refused, Rule, State};
use crate::error::{Error, HeadDamage, IntegrityError, Invalid, IoDoing, Result};
use crate::os::safe_fs;
use crate::store::journal::{JOURNAL_FILE, Journaled, OpenJournal, Recovery};
use crate::store::sled_store::{self, SledStore};
use crate::store::{Committed, EngineDamage, Store, StoreDamage};

const LOCK_FILE: &str = "LOCK";

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
    let f = opened.map_err(Error::io(IoDoing::Open(path.to_path_buf())))?;
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
                return Err(Error::io(IoDoing::Lock(path.to_path_buf()))(e));
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
            return Err(Refused::Rule(Rule::FirstIsPlan).into());
        }
        let mut probe = State::default();
        probe.apply(&probe.admit(plan.clone())?)?;
        produce(&mut |c| Ok(probe.apply(&probe.admit(c)?)?))?;
        drop(probe);
        if !holds_no_history(dir) {
            return Err(Error::AlreadyInitialised(dir.to_path_buf()));
        }
        std::fs::create_dir_all(dir).map_err(Error::io(IoDoing::Create(dir.to_path_buf())))?;
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
        let store =
            Journaled::open_with_tail(store, &dir.join(JOURNAL_FILE), how, access.journal_tail())
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
            new_interval: access.snapshot_interval(),
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

    /// Waits up to `wait` until no process holds the ledger in `dir`, then lets it go at once: Ok when
    /// it was free within that time, or when `dir` holds no ledger yet; [`Error::Busy`], naming who
    /// holds it, otherwise. For a front end that says it is waiting before a call that opens the
    /// ledger itself (an import); the ledger may be taken again before that call, which then waits
    /// as its `Access` says.
    pub fn wait_until_free(dir: &Path, wait: Duration) -> Result<()> {
        match std::fs::symlink_metadata(dir.join(LOCK_FILE)) {
            Ok(_) => lock_as(dir, wait, false).map(drop),
            Err(_) => Ok(()),
        }
    }

    fn open_as(dir: &Path, access: Access, writable: bool) -> Result<Self> {
        let exists = |name: &str| std::fs::symlink_metadata(dir.join(name)).is_ok();
        if !exists(HEAD_FILE) && !exists(STORE_DIR) {
            return Err(Error::NotInitialised(dir.to_path_buf()));
        }
        let lock = lock_as(dir, access.wait, writable)?;
        let head = read_head(dir)?.ok_or(IntegrityError::HeadRecordDamaged(HeadDamage::Missing))?;
        let store = open_engine(dir, access)?;
        let how = OpenJournal {
            write: writable,
            now: access.now,
        };
        Ledger::with_store(dir, store, head, lock, how, access)
    }
}

/// Opens the storage engine of the ledger in `dir`, after making sure no link stands among its files.
fn open_engine(dir: &Path, access: Access) -> Result<SledStore> {
    let store_dir = dir.join(STORE_DIR);
    safe_fs::refuse_links_below(&store_dir, 1)
        .map_err(Error::io(IoDoing::OpenStore(dir.to_path_buf())))?;
    // The engine would make a new, empty main file in place of a lost one: report the loss instead,
    // and leave the directory as it was found.
    let exists = |name: &str| std::fs::symlink_metadata(store_dir.join(name)).is_ok();
    if exists(sled_store::CONF_FILE) && !exists(sled_store::DB_FILE) {
        return Err(IntegrityError::StoreFileMissing(StoreDamage::Engine {
            doing: IoDoing::OpenStore(store_dir),
            why: EngineDamage::DbGone,
        })
        .into());
    }
    SledStore::open_keeping(&store_dir, access.min_free()).map_err(|e| Error::from_store(e, dir))
}

impl Ledger<SledStore> {
    /// Rebuilds a ledger in `dir`, which must not exist, from the stored bytes of its events in order (as
    /// an export holds them). Each event is checked as it comes ([`Chain`]: seq, chain, times, domain
    /// rules) and appended verbatim through the write path that appends use
    /// (`write_batch`), so the result has the same hashes, root and derived data. Batches
    /// are committed into a temporary directory beside `dir` (`NAME.restore-incomplete-XXXXXX`), renamed
    /// to `dir` only once every event is in: a failure or a kill never leaves a partial ledger at `dir`.
    pub fn restore_from(
        dir: &Path,
        events: &mut dyn Iterator<Item = Result<Vec<u8>>>,
        access: Access,
    ) -> Result<Self> {
        const BATCH: usize = 16_384;
        let exists = |d: &Path| Error::Invalid(Invalid::RestoreTargetExists(d.to_path_buf()));
        if dir.exists() {
            return Err(exists(dir));
        }
        let name = dir
            .file_name()
            .ok_or_else(|| Error::Invalid(Invalid::NotADirectoryName(dir.to_path_buf())))?;
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let cannot = IoDoing::CreateDirIn(parent.to_path_buf());
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
            // Each event is checked by `chain`, and derived data rebuilt from the state it folds.
            let mut chain = Chain::default();
            let (mut committed, mut derived) = (Committed::EMPTY, Derived::Absent);
            let mut events = events.peekable();
            while events.peek().is_some() {
                (committed, derived) = write_batch(
                    &mut store,
                    t,
                    committed,
                    derived,
                    access.snapshot_interval(),
                    &mut chain,
                    &mut |push| {
                        for bytes in (&mut events).take(BATCH) {
                            push(bytes?)?;
                        }
                        Ok(())
                    },
                )?;
                write_head(
                    t,
                    &HeadRecord {
                        events: committed.events,
                        hash: committed.head_hash,
                        ..HeadRecord::EMPTY
                    },
                )?;
            }
            chain.finish()?;
            if chain.is_empty() {
                return Err(Error::Invalid(Invalid::NothingToRestore));
            }
        }
        if dir.exists() {
            return Err(exists(dir));
        }
        let kept = tmp.keep();
        if let Err(e) = std::fs::rename(&kept, dir) {
            let _ = std::fs::remove_dir_all(&kept);
            return Err(Error::io(IoDoing::RenameRestored(dir.to_path_buf()))(e));
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
        access: Access,
    ) -> Result<Self> {
        let store =
            Journaled::open_with_tail(store, &dir.join(JOURNAL_FILE), how, access.journal_tail())
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
            new_interval: access.snapshot_interval(),
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

    /// The storage engine, with the journal moved into it first (for tests that damage it on purpose;
    /// only in test builds and with the `testing` feature).
    #[cfg(any(test, feature = "testing"))]
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
}
