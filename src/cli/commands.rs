//! The ledger's own commands, `init`, `item`, `rate`, `unrate`, `flag`, `remark`, `log`, `verify` and
//! `import`: validated arguments into library calls, and what happened printed.

use std::io::Write;

use hyoka::domain::event::Change;
use hyoka::domain::event::StoredEvent;
use hyoka::domain::item_id::ItemId;
use hyoka::domain::period::{Cadence, Era, Period};
use hyoka::domain::{describe, scale, text};
use hyoka::ledger::{Ledger, Meta};

use super::args::{HeadingCommand, ItemCommand};
use super::clock::now;
use super::ctx::Ctx;
use super::failure::Failure;
use super::i18n::t;
use super::options::item_id;
use super::options::{LogFormat, TextOrJson, Who};
use super::output::{self, out};
use super::record::{record, record_one};
use super::who::signer_for;

fn open(ctx: &Ctx) -> Result<Ledger, Failure> {
    super::anchoring::open_write(ctx)
}

/// A point of the ledger's plan: read with its era, cadence (a year alone is a year-end-only plan's
/// point) and years.
pub(super) fn parse_period(
    state: &hyoka::domain::state::State,
    s: &str,
) -> Result<Period, Failure> {
    let plan = state.plan.as_ref();
    let era = plan.and_then(|p| p.default_era);
    let cadence = plan.map_or(Cadence::HalfYear, |p| p.cadence);
    let years = plan.and_then(|p| p.years);
    Period::parse_for(s, era, cadence, years).map_err(|e| Failure::from(super::errors::period(&e)))
}

/// The plan `init` defines, as given on the command line.
pub struct InitArgs<'a> {
    pub plan: &'a str,
    pub grades: &'a str,
    pub era: Option<Era>,
    pub origin: Option<String>,
    pub cadence: Option<&'a str>,
    pub years: Option<&'a str>,
}

/// `hyoka init`: a ledger for a plan; with `admin`, a ledger with people (its first administrator
/// registered and the log key recorded, in the same batch as the plan).
pub fn init(
    ctx: &Ctx,
    args: InitArgs<'_>,
    author: &str,
    reason: &str,
    admin: Option<&super::people::Admin<'_>>,
) -> Result<(), Failure> {
    let InitArgs {
        plan,
        grades,
        era,
        origin,
        cadence,
        years,
    } = args;
    let cadence: Cadence = cadence
        .map(str::parse)
        .transpose()
        .map_err(|e: hyoka::domain::period::PeriodError| Failure::usage(super::errors::period(&e)))?
        .unwrap_or_default();
    let years = years
        .map(|y| hyoka::domain::period::parse_years(y, era))
        .transpose()
        .map_err(|e| Failure::usage(super::errors::period(&e)))?;
    // Grades are stored in NFKC (a full-width Ａ is A), as the ledger would record them; `0-100` is
    // the progress scale, its 101 grades best first.
    let progress = matches!(
        hyoka::domain::ident::normalize(hyoka::domain::ident::trim(grades)).as_str(),
        scale::PROGRESS | "0-100%"
    );
    let grades = match progress {
        true => scale::progress_grades(),
        false => grades
            .split(',')
            .map(|g| hyoka::domain::ident::token("grade", hyoka::domain::ident::trim(g)))
            .collect::<Result<Vec<String>, _>>()?,
    };
    let derived = origin.is_none();
    let origin = origin.unwrap_or_else(|| hyoka::import::origin_from_plan(plan));
    let meta = Meta {
        author: author.to_string(),
        reason: reason.to_string(),
        source: None,
        recorded_at: now()?,
        new_point: false,
        signer: None,
    };
    let change = Change::PlanDefined {
        name: plan.to_string(),
        grades: grades.clone(),
        default_era: era,
        origin: origin.clone(),
        cadence,
        years,
    };
    let (mut ledger, founding) = match admin {
        None => (
            Ledger::create(&ctx.ledger, &meta, change, &[], ctx.access())?,
            None,
        ),
        Some(admin) => {
            let (ledger, founding) = super::people::create(ctx, admin, &origin, reason, change)?;
            (ledger, Some(founding))
        }
    };
    out(t!(
        "init-created",
        dir = ledger.dir().display(),
        plan = text::escape(plan),
        grades = match progress {
            true => t!("init-progress-scale", scale = scale::PROGRESS),
            false => text::escape(&grades.join(",")),
        },
        era = era.map_or_else(|| t!("era-none"), |e| Era::romaji(e).to_string())
    ));
    out(t!(
        "init-points",
        label = cadence.label(),
        cadence = cadence.id(),
        years = years.map_or(String::new(), |(a, b)| t!(
            "init-years",
            years = hyoka::domain::period::years_label(a, b)
        ))
    ));
    out(match derived {
        true => t!("init-origin-derived", origin = text::escape(&origin)),
        false => t!("init-origin", origin = text::escape(&origin)),
    });
    match founding {
        Some(founding) => founding.finish(&mut ledger)?,
        None => {
            if let Some(file) = &ctx.log_key {
                super::anchoring::init_log_key(ctx, &mut ledger, file)?;
            }
        }
    }
    Ok(())
}

/// The heading an item is put under: the ledger's, if it has one of that name (compared under NFKC,
/// [`hyoka::domain::ident::same`]); else `category`, added first.
fn with_category(
    state: &hyoka::domain::state::State,
    category: String,
    changes: &mut Vec<Change>,
) -> String {
    match state.heading(&category) {
        Some(existing) => existing.clone(),
        None => {
            changes.push(Change::CategoryAdded {
                name: category.clone(),
            });
            category
        }
    }
}

pub fn item(ctx: &Ctx, cmd: ItemCommand) -> Result<(), Failure> {
    let mut ledger = open(ctx)?;
    let state = ledger.current()?.clone();
    let point = |s: &str| parse_period(&state, s);
    let mut changes = Vec::new();
    let who = match cmd {
        ItemCommand::Add {
            id,
            title,
            department,
            category,
            relisting_of,
            from,
            after,
            who,
        } => {
            let id = item_id(&id)?;
            let relisting_of = relisting_of.as_deref().map(item_id).transpose()?;
            let from = from.as_deref().map(point).transpose()?;
            let after = after.as_deref().map(item_id).transpose()?;
            let category = with_category(&state, category, &mut changes);
            changes.push(Change::ItemRegistered {
                id,
                title,
                department,
                category,
                relisting_of,
                from,
                after,
            });
            who
        }
        ItemCommand::Amend {
            id,
            title,
            department,
            category,
            relisting_of,
            not_relisting,
            from,
            every_point,
            after,
            natural_place,
            who,
        } => {
            let id = item_id(&id)?;
            let relisting_of = relisting_of.as_deref().map(item_id).transpose()?;
            let relisting = match (relisting_of, not_relisting) {
                (Some(n), _) => Some(Some(n)),
                (None, true) => Some(None),
                (None, false) => None,
            };
            let from = match (from.as_deref().map(point).transpose()?, every_point) {
                (Some(p), _) => Some(Some(p)),
                (None, true) => Some(None),
                (None, false) => None,
            };
            let after = match (after.as_deref().map(item_id).transpose()?, natural_place) {
                (Some(a), _) => Some(Some(a)),
                (None, true) => Some(None),
                (None, false) => None,
            };
            if title.is_none()
                && department.is_none()
                && category.is_none()
                && relisting.is_none()
                && from.is_none()
                && after.is_none()
            {
                return Err(Failure::usage(t!("amend-nothing")));
            }
            let category = category.map(|c| with_category(&state, c, &mut changes));
            changes.push(Change::ItemAmended {
                id,
                title,
                department,
                category,
                relisting_of: relisting,
                from,
                after,
            });
            who
        }
        ItemCommand::Withdraw { id, who } => {
            changes.push(Change::ItemWithdrawn { id: item_id(&id)? });
            who
        }
        ItemCommand::Reinstate { id, who } => {
            changes.push(Change::ItemReinstated { id: item_id(&id)? });
            who
        }
        ItemCommand::Exclude { id, point: p, who } => {
            changes.push(Change::ItemExcluded {
                item: item_id(&id)?,
                period: point(&p)?,
            });
            who
        }
        ItemCommand::Include { id, point: p, who } => {
            changes.push(Change::ExclusionWithdrawn {
                item: item_id(&id)?,
                period: point(&p)?,
            });
            who
        }
        ItemCommand::Merge {
            id,
            into,
            from,
            who,
        } => {
            changes.push(Change::ItemMerged {
                item: item_id(&id)?,
                into: item_id(&into)?,
                from: point(&from)?,
            });
            who
        }
        ItemCommand::Unmerge { id, who } => {
            changes.push(Change::MergeWithdrawn {
                item: item_id(&id)?,
            });
            who
        }
    };
    record(&mut ledger, &who, &changes)
}

pub fn heading(ctx: &Ctx, cmd: HeadingCommand) -> Result<(), Failure> {
    let mut ledger = open(ctx)?;
    match cmd {
        HeadingCommand::Rename { old, new, who } => {
            let change = Change::HeadingRenamed { from: old, to: new };
            record(&mut ledger, &who, &[change])
        }
    }
}

pub fn rate(ctx: &Ctx, item: ItemId, period: &str, grade: &str, who: &Who) -> Result<(), Failure> {
    record_one(ctx, who, |state| {
        let period = parse_period(state, period)?;
        let was = state.cell(&item, period).rating;
        let note = was.map_or(String::new(), |g| {
            t!("recorded-was", grade = text::escape(&g))
        });
        Ok((
            Change::RatingRecorded {
                item,
                period,
                grade: hyoka::domain::ident::trim(grade).to_string(),
            },
            note,
        ))
    })
}

pub fn unrate(ctx: &Ctx, item: ItemId, period: &str, who: &Who) -> Result<(), Failure> {
    record_one(ctx, who, |state| {
        let period = parse_period(state, period)?;
        let was = state.cell(&item, period).rating;
        let note = was.map_or(String::new(), |g| {
            t!("recorded-was", grade = text::escape(&g))
        });
        Ok((Change::RatingWithdrawn { item, period }, note))
    })
}

/// The period given, or the latest period that has ratings (said in the output).
fn period_or_latest(
    state: &hyoka::domain::state::State,
    period: Option<&str>,
) -> Result<(Period, String), Failure> {
    match period {
        Some(p) => Ok((parse_period(state, p)?, String::new())),
        None => {
            let p = state
                .latest_period()
                .ok_or_else(|| Failure::from(t!("period-none-rated")))?;
            Ok((p, t!("period-latest", period = p.id())))
        }
    }
}

pub fn flag(
    ctx: &Ctx,
    item: ItemId,
    on: bool,
    period: Option<&str>,
    who: &Who,
) -> Result<(), Failure> {
    record_one(ctx, who, |state| {
        let (period, note) = period_or_latest(state, period)?;
        Ok((
            Change::FollowUpSet {
                item,
                period,
                flagged: on,
            },
            note,
        ))
    })
}

pub fn remark(
    ctx: &Ctx,
    item: ItemId,
    remark: &str,
    period: Option<&str>,
    who: &Who,
) -> Result<(), Failure> {
    record_one(ctx, who, |state| {
        let (period, note) = period_or_latest(state, period)?;
        Ok((
            Change::RemarkSet {
                item,
                period,
                text: remark.to_string(),
            },
            note,
        ))
    })
}

pub fn log(ctx: &Ctx, format: LogFormat, full: bool) -> Result<(), Failure> {
    // Read, release, write: the log is kept (in memory, then in a private temporary file) while the
    // ledger is read, and printed once it is released, so a reader whose output is not read holds
    // no lock.
    let mut ledger = super::anchoring::open_read(ctx)?;
    let names = super::names::Names::for_ledger(&ctx.ledger, &mut ledger);
    let mut w = output::Spool::new();
    let mut write_failed = None;
    // On a terminal (or with COLUMNS) each line fits its width; --full keeps lines whole.
    let width = (!full).then(super::output::terminal_width).flatten();
    ledger.scan(0, u64::MAX, &mut |e: &StoredEvent| {
        let line = match format {
            LogFormat::Jsonl => describe::event_json(e).to_string(),
            LogFormat::Text => output::log_line(e, &names, width),
        };
        if let Err(err) = writeln!(w, "{line}") {
            write_failed = Some(err);
            return Ok(false);
        }
        Ok(true)
    })?;
    drop(ledger);
    if let Some(e) = write_failed.or_else(|| w.flush().err()) {
        return Err(t!("log-cannot-keep", error = super::damage::os(&e)).into());
    }
    w.print()
}

pub fn verify(ctx: &Ctx, format: TextOrJson, vkey: Option<&str>) -> Result<(), Failure> {
    let key = vkey.map(super::keys::read_verifier).transpose()?;
    let result = super::anchoring::open_reading(ctx, true).and_then(|ledger| {
        super::anchoring::tell_recovery(&ledger);
        let bar = output::progress(ledger.len(), &t!("progress-verifying"));
        let r = ledger.verify(&mut |done, _| bar.set_position(done));
        bar.finish_and_clear();
        let report = r?;
        // The last checkpoint this ledger signed (kept beside it): its signature checked, then the
        // ledger must still extend it.
        let kept = hyoka::evidence::transparency::check_kept(&ledger, &report, key.as_ref())?;
        Ok((report, kept, ledger.recovery().cloned()))
    });
    match result {
        Ok((report, kept, recovery)) => {
            match format {
                TextOrJson::Json => {
                    let mut v = output::verified_json(&report);
                    v["last_signed_checkpoint"] = serde_json::json!(
                        kept.as_ref().filter(|k| k.extended).and_then(|k| k.size)
                    );
                    if let Some(k) = &kept {
                        v["kept_checkpoint"] = output::kept_json(k);
                    }
                    if let Some(hyoka::store::journal::Recovery::Unfinished { bytes, first_seq }) =
                        &recovery
                    {
                        v["unfinished_journal_record"] =
                            serde_json::json!({"bytes": bytes, "first_seq": first_seq});
                    }
                    out(v.to_string());
                }
                TextOrJson::Text => {
                    output::verified(&report);
                    if let Some(k) = &kept {
                        output::kept_lines(k);
                    }
                }
            }
            Ok(())
        }
        Err(e) => {
            if format == TextOrJson::Json
                && let hyoka::error::Error::Integrity(ie) = &e
            {
                out(serde_json::json!({
                    "ok": false,
                    "vouched_through": null,
                    "error": {"kind": ie.kind(), "seq": ie.seq(), "message": ie.to_string()},
                })
                .to_string());
            }
            Err(e.into())
        }
    }
}

/// Arguments of `hyoka import`.
pub struct ImportArgs {
    pub file: std::path::PathBuf,
    pub layout: Option<std::path::PathBuf>,
    pub sheet: Option<String>,
    pub point: Option<String>,
    pub author: Option<String>,
    pub key: Option<std::path::PathBuf>,
    pub reason: Option<String>,
    pub era: Option<Era>,
    pub plan: Option<String>,
    pub origin: Option<String>,
    pub dry_run: bool,
    pub prefer_file: bool,
    pub new_point: bool,
}

/// The largest table file accepted.
const MAX_TABLE_BYTES: u64 = 64 << 20;

/// Reads a table file: its size checked on the open file before anything is read, and the read
/// itself stopped past [`MAX_TABLE_BYTES`] (a file that grows, a pipe, a device such as `/dev/zero`
/// has no size to check first).
fn read_table_file(path: &std::path::Path) -> Result<Vec<u8>, Failure> {
    read_bounded_file(path, MAX_TABLE_BYTES, &t!("what-table"))
}

/// Reads a file of at most `max` bytes (`what` it is, for the message), checking its size before
/// reading and stopping the read past `max`.
fn read_bounded_file(path: &std::path::Path, max: u64, what: &str) -> Result<Vec<u8>, Failure> {
    use std::io::Read;
    let cannot = |e: std::io::Error| {
        Failure::from(t!(
            "import-cannot-read",
            file = path.display(),
            error = super::damage::os(&e)
        ))
    };
    let too_big = |size: String| {
        Failure::from(t!(
            "import-too-big",
            file = path.display(),
            size = size,
            what = what,
            max = max
        ))
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let len = file.metadata().map_err(cannot)?.len();
    if len > max {
        return Err(too_big(t!("import-size-is", bytes = len)));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(max + 1).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() as u64 > max {
        return Err(too_big(t!("import-size-more", max = max)));
    }
    Ok(bytes)
}

/// The layout `--layout` gives: a layout file, else a known layout by its name.
fn layout_arg(arg: &std::path::Path) -> Result<hyoka::table::layout::Layout, Failure> {
    use hyoka::table::layout::{self, Layout, MAX_LAYOUT_BYTES};
    let shown = arg.display();
    let bytes = match std::fs::metadata(arg) {
        Ok(_) => Some(read_bounded_file(
            arg,
            MAX_LAYOUT_BYTES,
            &t!("what-layout"),
        )?),
        Err(_) => None,
    };
    let Some(bytes) = bytes else {
        return arg.to_str().and_then(layout::known_by_name).ok_or_else(|| {
            Failure::from(t!(
                "layout-none",
                layout = shown.to_string(),
                known = layout::known_names().join(", ")
            ))
        });
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::from(t!("layout-not-utf8", layout = shown.to_string())))?;
    Layout::parse(&text).map_err(|e| {
        Failure::from(t!(
            "layout-bad",
            layout = shown.to_string(),
            error = super::damage::layout(&e)
        ))
    })
}

/// Who imports, and the key that signs the import: as for any change ([`signer_for`]), on the state of
/// the ledger before the import (a new ledger has no people).
fn importer(
    ctx: &Ctx,
    args: &ImportArgs,
) -> Result<(String, Option<hyoka::ledger::signing::Signer>), Failure> {
    let mut ledger = match super::anchoring::open_reading(ctx, false) {
        Ok(ledger) => ledger,
        Err(hyoka::error::Error::NotInitialised(_)) => {
            let none = hyoka::domain::state::State::default();
            return signer_for(&none, args.author.as_deref(), args.key.as_deref());
        }
        Err(e) => return Err(e.into()),
    };
    signer_for(
        ledger.current()?,
        args.author.as_deref(),
        args.key.as_deref(),
    )
}

pub fn import(ctx: &Ctx, format: TextOrJson, args: ImportArgs) -> Result<(), Failure> {
    let (author, signer) = importer(ctx, &args)?;
    let with_people = signer.is_some();
    let layout = args.layout.as_deref().map(layout_arg).transpose()?;
    let bytes = read_table_file(&args.file)?;
    if !hyoka::table::grid::is_workbook(&bytes)
        && hyoka::table::decode::sniff(&bytes) == Some(hyoka::table::decode::Encoding::Cp932)
    {
        eprintln!("{}", t!("import-cp932", file = args.file.display()));
    }
    let file_name = args
        .file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("table")
        .to_string();
    let req = hyoka::import::Request {
        bytes: bytes.into(),
        file_name: &file_name,
        layout,
        sheet: args.sheet,
        point: args.point,
        era: args.era,
        plan: args.plan,
        origin: args.origin,
        prefer_file: args.prefer_file,
        dry_run: args.dry_run,
        new_point: args.new_point,
        signer,
        author,
        reason: args.reason,
        recorded_at: now()?,
    };
    // A new ledger given --log-key takes that key as its log key (as `init --log-key` does).
    let new_with_key =
        ctx.log_key.is_some() && std::fs::symlink_metadata(ctx.ledger.join("HEAD")).is_err();
    let log_key = match new_with_key {
        true => None,
        false => super::anchoring::held_log_key(ctx)?,
    };
    // A busy ledger: say so, and whom for, while waiting (the import then opens it itself).
    super::anchoring::wait_turn(ctx)?;
    // Progress on stderr when it is a terminal and the import is large (the bar decides).
    let mut bar: Option<indicatif::ProgressBar> = None;
    let imported = hyoka::import::import_holding(
        &ctx.ledger,
        req,
        ctx.access(),
        log_key,
        &mut |done, total| {
            bar.get_or_insert_with(|| output::progress(total, &t!("progress-importing")))
                .set_position(done)
        },
    );
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if let Err(hyoka::error::Error::Problems { problems, omitted }) = &imported {
        for p in problems {
            eprintln!(
                "{}",
                t!(
                    "import-problem",
                    problem = text::escape(&super::errors::table_file(p))
                )
            );
        }
        if *omitted > 0 {
            eprintln!("{}", t!("import-problems-omitted", count = *omitted));
        }
        return Err(t!(
            "import-problems",
            count = problems.len() + omitted,
            file = args.file.display()
        )
        .into());
    }
    let report = imported.map_err(|e| {
        let refused = matches!(
            e,
            hyoka::error::Error::RefusedAt {
                refused: hyoka::domain::state::Refused::Rule(_),
                ..
            }
        );
        let mut f = Failure::from(e);
        if with_people && refused {
            f.hint.push_str(&t!("hint-import-with-people"));
        }
        f
    })?;
    match format {
        TextOrJson::Text => print_import_report(&ctx.ledger, &report),
        TextOrJson::Json => print_import_json(&report),
    }
    if let (true, true, Some(file)) = (
        new_with_key,
        report.created && report.first_seq.is_some(),
        &ctx.log_key,
    ) {
        let mut ledger = Ledger::open(&ctx.ledger, ctx.access())?;
        super::anchoring::init_log_key(ctx, &mut ledger, file)?;
    }
    output::clock_behind(report.clock_behind.as_ref());
    if !report.conflicts.is_empty() {
        return Err(t!("import-conflicts", count = report.conflicts.len()).into());
    }
    Ok(())
}

/// Prints the machine form of an import's report, its changes one by one (a large import has millions).
fn print_import_json(r: &hyoka::import::Report) {
    use std::io::Write;
    let whole = import_json(r).to_string();
    // The only unescaped `"changes":[]` in the text is the key: a quote inside a string is escaped.
    const SLOT: &str = "\"changes\":[]";
    let (head, tail) = match whole.find(SLOT) {
        Some(i) => (&whole[..i + SLOT.len() - 1], &whole[i + SLOT.len() - 1..]),
        None => (whole.as_str(), ""),
    };
    let mut o = std::io::BufWriter::new(std::io::stdout().lock());
    let _ = o.write_all(head.as_bytes());
    let mut first = true;
    r.for_each_change(&mut |c| {
        if !first {
            let _ = o.write_all(b",");
        }
        first = false;
        let _ = o.write_all(describe::change_json(c).to_string().as_bytes());
    });
    let _ = o.write_all(tail.as_bytes());
    let _ = o.write_all(b"\n");
    let _ = o.flush();
}

/// The machine form of an import's report (schema/import.schema.json), its changes left out (an
/// empty list: [`print_import_json`] fills it).
fn import_json(r: &hyoka::import::Report) -> serde_json::Value {
    let era = r.era.era().romaji();
    let era_from = match r.era {
        hyoka::import::prepare::EraChoice::Flag(_) => "flag",
        hyoka::import::prepare::EraChoice::Plan(_) => "plan",
        hyoka::import::prepare::EraChoice::Default(_) => "default",
    };
    let recorded = r.first_seq.map(|first| {
        let n = r.count + u64::from(r.created);
        serde_json::json!({"first_seq": first, "events": n})
    });
    serde_json::json!({
        "dry_run": r.dry_run,
        "created": r.created,
        "plan": r.plan,
        "origin": r.origin,
        "era": {"era": era, "from": era_from},
        "items": r.rows,
        "layout": r.layout,
        "read_as": match &r.read_as {
            hyoka::table::grid::ReadAs::Text { format, encoding } => serde_json::json!({
                "format": match format {
                    hyoka::table::TableFormat::Tsv => "tsv",
                    hyoka::table::TableFormat::Csv => "csv",
                },
                "encoding": encoding.name(),
                "sheet": null,
            }),
            hyoka::table::grid::ReadAs::Sheet { name } => serde_json::json!({
                "format": "xlsx",
                "encoding": null,
                "sheet": name,
            }),
        },
        "periods": r.periods.iter().map(|p| serde_json::json!({"id": p.id(), "label": p.label()})).collect::<Vec<_>>(),
        "changes": [],
        "conflicts": r.conflicts.iter().map(|c| serde_json::json!({
            "line": c.line,
            "what": c.what,
            "ledger": c.ledger,
            "file": c.file,
            "set_by": {
                "seq": c.setter.seq,
                "recorded_at": hyoka::domain::when::format_shown(c.setter.recorded_at),
                "author": c.setter.author,
                "reason": c.setter.reason,
            },
        })).collect::<Vec<_>>(),
        "recorded": recorded,
    })
}

pub fn print_import_report(dir: &std::path::Path, r: &hyoka::import::Report) {
    let periods: Vec<String> = r
        .periods
        .iter()
        .map(|p| format!("{} ({})", p.label(), p.id()))
        .collect();
    out(t!(
        "import-file",
        items = r.rows,
        periods = periods.join(&t!("list-separator"))
    ));
    // The layout, when it is not one of hyoka's own (the published table's, hyoka's CSV).
    if !matches!(r.layout.as_str(), "kodaira" | "hyoka") {
        out(t!("import-layout", layout = r.layout.as_str()));
    }
    if let hyoka::table::grid::ReadAs::Sheet { name } = &r.read_as {
        out(t!("import-sheet", sheet = text::escape(name)));
    }
    out(t!("import-era", era = super::hints::era_choice(r.era)));
    if r.created {
        out(t!(
            "import-created",
            dry_run = if r.dry_run { "yes" } else { "no" },
            dir = dir.display(),
            plan = text::escape(&r.plan)
        ));
        out(match r.derived_names {
            true => t!("import-origin-derived", origin = text::escape(&r.origin)),
            false => t!("init-origin", origin = text::escape(&r.origin)),
        });
    }
    for c in &r.conflicts {
        eprintln!(
            "{}",
            t!(
                "import-conflict",
                line = c.line,
                what = text::escape(&c.what),
                ledger = text::escape(&c.ledger),
                author = text::escape(&c.setter.author),
                seq = c.setter.seq,
                time = hyoka::domain::when::format_text(c.setter.recorded_at),
                reason = text::escape(&c.setter.reason),
                file = text::escape(&c.file)
            )
        );
    }
    if !r.conflicts.is_empty() {
        return;
    }
    if r.count == 0 {
        out(t!("import-nothing"));
        return;
    }
    if r.created {
        // The kinds are the events' machine names (`rating.recorded`), as the log's JSON has them.
        let parts: Vec<String> = r.kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        out(t!("import-changes", kinds = parts.join(", ")));
    } else {
        use std::io::Write;
        let mut o = std::io::BufWriter::new(std::io::stdout().lock());
        r.for_each_change(&mut |c| {
            let _ = writeln!(o, "  {}", text::escape(&super::words::change(c)));
        });
        let _ = o.flush();
    }
    match r.first_seq {
        Some(first) => out(t!(
            "import-recorded",
            count = r.count + u64::from(r.created),
            first = first,
            last = first + r.count - u64::from(!r.created)
        )),
        None => out(t!("import-dry-run", count = r.count)),
    }
}
