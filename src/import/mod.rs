//! Importing a published follow-up table: from a file's rows to the changes that make the ledger say
//! the same.
//!
//! [`crate::table::read`] reads the file's layout. `prepare` resolves its period columns (eras), checks its
//! grades and its own total rows. [`plan::plan_changes`] compares it with the ledger: a new ledger gets every
//! heading, item, rating, flag and remark; an existing one gets only what differs, and a value changed
//! by hand since the last import that the file contradicts is a [`Conflict`] unless the file is
//! preferred. The caller records the changes as one atomic batch whose events name the file.
//!
//! Headings, departments, titles and grades are matched with the ledger's under NFKC
//! ([`crate::domain::ident::same`]): a file that spells them in full-width or half-width forms changes nothing.
//! The changes planned are the ones the ledger will record ([`State::admit`]).

pub mod error;
pub mod plan;
pub mod prepare;

use error::ImportError;
use plan::{Conflict, admit, each_change};
use prepare::{EraChoice, Prepared, Reading, check_grades, check_totals, prepare_with};

use std::collections::BTreeMap;

use crate::domain::event::Change;
use crate::domain::period::{Cadence, Era, Period};
use crate::domain::provenance::Provenance;
use crate::domain::state::State;

/// Changes that create a new ledger's plan from a file: the plan first, with the scale the file's total
/// rows state (else S, A, B), reporting at 上半期 and 年度末 ([`Cadence::HalfYear`]) with no declared
/// years, as every plan did before cadences. Its default era is the one `--era` gave: an era guessed to
/// read the file's era-less years is not recorded, so that nothing later (an era-less `元年度`) is read
/// by a guess.
pub fn plan_for_new_ledger(p: &Prepared, name: &str, origin: &str) -> Change {
    Change::PlanDefined {
        name: name.to_string(),
        grades: p
            .grades_from_totals
            .clone()
            .unwrap_or_else(|| vec!["S".into(), "A".into(), "B".into()]),
        default_era: match p.era {
            EraChoice::Flag(e) => Some(e),
            EraChoice::Plan(_) | EraChoice::Default(_) => None,
        },
        origin: origin.to_string(),
        cadence: Cadence::HalfYear,
        years: None,
    }
}

/// What to import and how.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The file's bytes (owned ones are dropped once the file is read: a large file is not held
    /// through the import).
    pub bytes: std::borrow::Cow<'a, [u8]>,
    /// The file's name (without its directory): recorded in every event, and the format hint.
    pub file_name: &'a str,
    /// The file's layout (else the known layouts are tried).
    pub layout: Option<crate::table::layout::Layout>,
    /// The sheet of a workbook to read (else its first).
    pub sheet: Option<String>,
    /// The point of a grade column whose header names none (a layout's `評価`).
    pub point: Option<String>,
    /// `--era`.
    pub era: Option<Era>,
    /// Plan name for a new ledger (else derived from the file name).
    pub plan: Option<String>,
    /// Origin for a new ledger (else derived from the plan name).
    pub origin: Option<String>,
    /// Record the file's values even where they contradict changes made by hand since the last import.
    pub prefer_file: bool,
    /// Work out the changes but record nothing.
    pub dry_run: bool,
    /// The file may rate a point more than one step of the plan's cadence after the latest rated point
    /// (otherwise refused as a likely typo: [`crate::ledger::Meta::new_point`]).
    pub new_point: bool,
    /// The importer's signing key, in a ledger with people.
    pub signer: Option<crate::ledger::signing::Signer>,
    /// Who imports.
    pub author: String,
    /// Why (default: names the file).
    pub reason: Option<String>,
    /// When, ns since the epoch.
    pub recorded_at: i64,
}

/// What an import did (or would do, on a dry run).
#[derive(Debug, Clone)]
pub struct Report {
    /// Whether a new ledger was (or would be) created.
    pub created: bool,
    /// The plan name and origin (of the new or existing ledger), and whether they were derived.
    pub plan: String,
    /// The origin.
    pub origin: String,
    /// Plan and origin were derived from the file name rather than given.
    pub derived_names: bool,
    /// The era used.
    pub era: EraChoice,
    /// The periods of the file.
    pub periods: Vec<Period>,
    /// How many changes of each kind were recorded (or would be), by kind; the plan's definition of
    /// a new ledger is not counted (see [`Report::created`]).
    pub kinds: BTreeMap<&'static str, u64>,
    /// The number of changes recorded (or that would be): the sum of `kinds`.
    pub count: u64,
    /// Conflicts: when not empty, nothing was recorded.
    pub conflicts: Vec<Conflict>,
    /// Seq of the first event recorded (None on a dry run or when nothing changed).
    pub first_seq: Option<u64>,
    /// Set when the clock was behind the ledger's last event, so that the batch was recorded at that
    /// event's time after a `clock.behind` event (just before `first_seq`).
    pub clock_behind: Option<crate::ledger::ClockBehind>,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// Items in the file.
    pub rows: usize,
    /// The layout the file was read with.
    pub layout: String,
    /// What the file was read as (text in an encoding, or a workbook's sheet).
    pub read_as: crate::table::grid::ReadAs,
    /// What shows the changes again ([`Report::for_each_change`]).
    replay: Option<Replay>,
}

/// A plan name from a file name: its stem.
pub fn plan_name_from_file(file_name: &str) -> String {
    let stem = std::path::Path::new(file_name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(file_name);
    if stem.trim().is_empty() {
        "plan".to_string()
    } else {
        stem.to_string()
    }
}

/// An origin from a plan name: `local/<name>` with white space, `+` and controls replaced by `-`,
/// and without the characters an identifier may not hold ([`crate::domain::ident`]).
pub fn origin_from_plan(plan: &str) -> String {
    let name: String = plan
        .trim()
        .chars()
        .filter(|c| !crate::domain::invisible::is_invisible(*c))
        .map(|c| {
            if c.is_whitespace() || c == '+' || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect();
    format!("local/{name}")
}

/// Imports a table into the ledger at `dir`, creating it if it does not exist. All or nothing: the
/// changes are one atomic batch; on a conflict, a bad file or a dry run nothing is recorded.
/// The stored size of the events an import records: their count and encoded bytes.
#[derive(Debug, Clone, Copy, Default)]
struct Size {
    bytes: u64,
    events: u64,
}

impl Size {
    /// Adds the event `change` makes in a ledger of event schema `version` (its bytes as the ledger
    /// will encode it, but for the seq and hash, which are fixed-size); `None` marks a change the
    /// ledger cannot encode (the append will say why).
    fn add(&mut self, meta: &crate::ledger::Meta, version: u16, change: Change) {
        use crate::domain::event;
        if self.bytes == u64::MAX {
            return;
        }
        let e = meta.event(version, 0, event::ZERO_HASH, meta.recorded_at, change);
        match event::encode(&e) {
            Ok(b) => {
                self.bytes += b.len() as u64;
                self.events += 1;
            }
            Err(_) => self.bytes = u64::MAX,
        }
    }

    fn known(self) -> Option<Size> {
        (self.bytes != u64::MAX).then_some(self)
    }
}

/// Refuses, before anything is written, an import that the disk holding the ledger in `dir` has no
/// room for: what the store may take for its events ([`import_room_needed`], with the journal's events
/// that a large batch moves into the store first, and the state snapshots the batch crosses) plus the
/// margin hyoka keeps free. A change the ledger cannot encode is left to the append to report.
///
/// [`import_room_needed`]: crate::store::sled_store::import_room_needed
fn check_room(
    dir: &std::path::Path,
    file_name: &str,
    size: Size,
    ledger: Option<&crate::ledger::Ledger>,
    base: &State,
    access: crate::ledger::Access,
) -> crate::error::Result<()> {
    use crate::ledger::derived::{self, Derived};
    use crate::store::journal::JOURNAL_FILE;
    use crate::store::journal::record::RECORD_BYTES;
    use crate::store::sled_store;
    let Some(Size { bytes, events }) = size.known() else {
        return Ok(());
    };
    let (first, every) = match ledger {
        Some(l) => match l.derived() {
            Derived::Every(k) => (l.len(), Some(k)),
            _ => (l.len(), None),
        },
        None => (0, Some(access.snapshot_interval())),
    };
    let snapshots = every.map_or(0, |k| (first + events) / k - first / k);
    let snapshot_bytes = match snapshots {
        0 => 0,
        // Each at most the state before the import plus everything the import adds.
        n => n * (derived::snapshot_len(base) + bytes),
    };
    // A batch too large for the journal, or one that fills it, first moves the journal's events into
    // the store (the journal file's length bounds their bytes).
    let journal = ledger.map_or(0, |_| {
        std::fs::metadata(dir.join(JOURNAL_FILE)).map_or(0, |m| m.len())
    });
    let (moved_bytes, moved_events) =
        match bytes > RECORD_BYTES as u64 || journal + bytes > access.journal_tail() as u64 {
            true => (journal, ledger.map_or(0, |l| l.journaled_events())),
            false => (0, 0),
        };
    let store =
        sled_store::import_room_needed(bytes + moved_bytes, events + moved_events, snapshot_bytes);
    let margin = access.min_free();
    let free = sled_store::free_space(&dir.join(crate::ledger::STORE_DIR)).map_err(
        crate::error::Error::io(crate::error::IoDoing::FreeSpace(dir.to_path_buf())),
    )?;
    if free >= store.saturating_add(margin) {
        return Ok(());
    }
    Err(crate::error::Error::NoRoom {
        context: crate::error::IoDoing::Import {
            file: file_name.to_string(),
            into: dir.to_path_buf(),
        },
        room: crate::error::Room::Import {
            events,
            bytes,
            moved: moved_events,
            snapshots,
            store,
            margin,
            free,
        },
    })
}

pub fn import(
    dir: &std::path::Path,
    req: Request<'_>,
    access: crate::ledger::Access,
) -> crate::error::Result<Report> {
    import_holding(dir, req, access, None, &mut |_, _| {})
}

/// [`import`] by a writer that holds the ledger's log key: an existing ledger's import is anchored by
/// a checkpoint signed with it (see [`crate::ledger::anchor`]). `progress` is called with (changes
/// recorded, changes to record) now and then while they are written.
pub fn import_holding(
    dir: &std::path::Path,
    mut req: Request<'_>,
    access: crate::ledger::Access,
    log_key: Option<crate::tlog::note::SignerKey>,
    progress: &mut dyn FnMut(u64, u64),
) -> crate::error::Result<Report> {
    use crate::error::Error;
    use crate::ledger::{Ledger, Meta};
    let mut ledger = if dir.join("HEAD").exists() || dir.join("store").exists() {
        // A dry run only reads: it changes nothing in the ledger directory.
        let opened = match req.dry_run {
            true => Ledger::open_read(dir, access),
            false => Ledger::open(dir, access),
        };
        match opened {
            Ok(mut l) => {
                if let (Some(k), false) = (log_key, req.dry_run) {
                    l.use_log_key(k)?;
                }
                Some(l)
            }
            // What a killed `create` leaves: no history yet, so this import creates the ledger.
            Err(Error::NotInitialised(_)) => None,
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    let exists = ledger.is_some();
    let (state, provenance) = match &ledger {
        Some(l) => l.state_and_provenance()?,
        None => (State::default(), Provenance::default()),
    };
    let plan_era = state.plan.as_ref().and_then(|p| p.default_era);
    let reading = Reading {
        file_name: req.file_name,
        layout: req.layout.as_ref(),
        sheet: req.sheet.as_deref(),
        point: req.point.as_deref(),
    };
    let prepared = prepare_with(&req.bytes, &reading, req.era, plan_era).map_err(Error::from)?;
    req.bytes = std::borrow::Cow::Borrowed(&[]);
    let meta = Meta {
        author: req.author.clone(),
        reason: req
            .reason
            .clone()
            .unwrap_or_else(|| format!("import of {}", req.file_name)),
        source: Some(prepared.source.clone()),
        recorded_at: req.recorded_at,
        new_point: req.new_point,
        signer: req.signer.clone(),
    };
    // Who and why are checked before the changes are planned (a dry run too).
    crate::ledger::check_meta(&meta)?;
    let derived_names = !exists && (req.plan.is_none() || req.origin.is_none());
    let (plan_change, base) = match &state.plan {
        Some(_) => (None, state.clone()),
        None => {
            let name = req
                .plan
                .clone()
                .unwrap_or_else(|| plan_name_from_file(req.file_name));
            let origin = req
                .origin
                .clone()
                .unwrap_or_else(|| origin_from_plan(&name));
            let c = plan_for_new_ledger(&prepared, &name, &origin);
            let mut s = State::default();
            let c = s.admit(c)?;
            s.apply(&c)?;
            (Some(c), s)
        }
    };
    let plan = base
        .plan
        .clone()
        .ok_or(Error::Invalid(crate::error::Invalid::NoPlan))?;
    // A bad cell is named before the totals it throws off.
    check_grades(&prepared, &plan.grades).map_err(Error::from)?;
    check_totals(&prepared).map_err(Error::from)?;
    // Decide the changes once to count them, size them and find the conflicts (a dry run also checks
    // each one as the ledger would, on a copy of the state). They are never all held in memory: the
    // ledger takes them one by one as they are decided again, and the report decides them a third
    // time to show them.
    let mut work = req.dry_run.then(|| base.clone());
    let mut kinds: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut size = Size::default();
    // The layout the events will be written in: the ledger's (that of its event 0), or a new one's.
    let version = match &ledger {
        Some(l) if !l.is_empty() => l.event(0)?.event.version,
        _ => crate::domain::event::SCHEMA_VERSION,
    };
    if let Some(pc) = &plan_change {
        size.add(&meta, version, pc.clone());
    }
    let conflicts = each_change(
        &base,
        &provenance,
        &prepared,
        req.prefer_file,
        &mut |line, c| {
            let c = match &mut work {
                Some(w) => admit(w, line, c)?,
                None => c,
            };
            *kinds.entry(c.kind()).or_default() += 1;
            size.add(&meta, version, c);
            Ok::<(), ImportError>(())
        },
    )
    .map_err(Error::from)?;
    drop(work);
    let count = kinds.values().sum::<u64>();
    let mut report = Report {
        created: !exists,
        plan: plan.name.clone(),
        origin: plan.origin.clone(),
        derived_names,
        era: prepared.era,
        periods: prepared.periods.clone(),
        kinds,
        count,
        conflicts,
        first_seq: None,
        clock_behind: None,
        dry_run: req.dry_run,
        rows: prepared.table.rows.len(),
        layout: prepared.table.layout.clone(),
        read_as: prepared.read_as.clone(),
        replay: None,
    };
    if !report.conflicts.is_empty() || req.dry_run || (count == 0 && exists) {
        report.replay = Some(Replay::new(base, provenance, prepared, req.prefer_file));
        return Ok(report);
    }
    check_room(dir, req.file_name, size, ledger.as_ref(), &base, access)?;
    // The file line of the change being recorded, for a refusal.
    let mut done = 0u64;
    progress(0, count);
    let mut produce = |push: &mut dyn FnMut(Change) -> crate::error::Result<()>| {
        each_change(
            &base,
            &provenance,
            &prepared,
            req.prefer_file,
            &mut |line, c| {
                done += 1;
                if done.is_multiple_of(4096) {
                    progress(done, count);
                }
                push(c).map_err(|e| match e {
                    Error::Refused(refused) => Error::RefusedAt {
                        line: line as u64,
                        refused,
                    },
                    other => other,
                })
            },
        )
        .map(drop)
    };
    match (ledger.as_mut(), plan_change) {
        (Some(l), _) => {
            let receipt = l.append_with(&meta, &mut produce)?;
            report.first_seq = Some(receipt.first_seq);
            report.clock_behind = receipt.clock_behind;
        }
        (None, Some(pc)) => {
            let created = Ledger::create_with(dir, &meta, pc, &mut produce, access)?;
            drop(created);
            report.first_seq = Some(0);
        }
        (None, None) => return Err(Error::Invalid(crate::error::Invalid::NoPlan)),
    }
    drop(ledger);
    progress(count, count);
    report.replay = Some(Replay::new(base, provenance, prepared, req.prefer_file));
    Ok(report)
}

/// What an import decided, kept to show its changes again without holding them all.
#[derive(Debug, Clone)]
pub struct Replay {
    base: State,
    provenance: Provenance,
    prepared: Prepared,
    prefer_file: bool,
}

impl Replay {
    fn new(base: State, provenance: Provenance, prepared: Prepared, prefer_file: bool) -> Replay {
        Replay {
            base,
            provenance,
            prepared,
            prefer_file,
        }
    }
}

impl Report {
    /// Calls `f` with each change the import recorded (or would record), in order, in the form the
    /// ledger records it (headings and grades as the ledger spells them). Not the plan's definition
    /// of a new ledger (see [`Report::created`]).
    pub fn for_each_change(&self, f: &mut dyn FnMut(&Change)) {
        let Some(r) = &self.replay else { return };
        // What admission reads: the plan and the headings.
        let mut names = State::default();
        names.plan = r.base.plan.clone();
        names.categories = r.base.categories.clone();
        let _ = each_change(
            &r.base,
            &r.provenance,
            &r.prepared,
            r.prefer_file,
            &mut |_, c| {
                let c = names.admit(c.clone()).unwrap_or(c);
                if let Change::CategoryAdded { name } = &c
                    && !names.categories.contains(name)
                {
                    names.categories.push(name.clone());
                }
                f(&c);
                Ok::<(), ImportError>(())
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed's ids are numbers: every change its import decides is one a ledger of event schema
    /// version 1 can record, and each names its item by number.
    #[test]
    fn the_seed_imports_into_a_version_1_ledger() {
        let seed = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/kodaira-followup-h26-h27.tsv"
        ))
        .unwrap();
        let p = prepare::prepare(&seed, "kodaira-followup-h26-h27.tsv", None, None).unwrap();
        let mut state = State::default();
        let pc = plan_for_new_ledger(&p, "plan", "example/plan");
        state.apply(&pc).unwrap();
        let planned = plan::plan_changes(&state, &Provenance::default(), &p, false).unwrap();
        assert_eq!(planned.changes.len(), 62 + 5 + 62 * 3 + 42 + 62);
        for c in std::iter::once(&pc).chain(&planned.changes) {
            assert_eq!(crate::domain::event::check_version(1, c), Ok(()), "{c:?}");
            if let Some(item) = c.item() {
                assert!(item.number().is_some(), "{c:?}");
            }
        }
    }

    /// What a front end shows while a table is recorded: from (0, n) to (n, n), never backwards, n
    /// being the changes the report counts.
    #[test]
    fn progress_runs_from_zero_to_the_changes_recorded() {
        let seed = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/kodaira-followup-h26-h27.tsv"
        ))
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let req = Request {
            bytes: seed.into(),
            file_name: "kodaira-followup-h26-h27.tsv",
            layout: None,
            sheet: None,
            point: None,
            era: None,
            plan: Some("小平市行財政改革推進プラン".into()),
            origin: Some("city.kodaira.example/reform-plan".into()),
            prefer_file: false,
            dry_run: false,
            new_point: false,
            signer: None,
            author: "山田".into(),
            reason: None,
            recorded_at: 1_443_657_600_000_000_000,
        };
        let mut seen = Vec::new();
        let report = import_holding(
            &dir.path().join("ledger"),
            req,
            crate::ledger::Access::default(),
            None,
            &mut |done, total| seen.push((done, total)),
        )
        .unwrap();
        let n = report.count;
        assert!(n > 300, "{n}");
        assert_eq!(seen.first(), Some(&(0, n)));
        assert_eq!(seen.last(), Some(&(n, n)));
        assert!(
            seen.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 == n),
            "{seen:?}"
        );
    }
}
