//! The commands: parse validated arguments into library calls, print what happened.

use std::io::{IsTerminal, Write};

use hyoka::event::{self, Change};
use hyoka::ledger::StoredEvent;
use hyoka::period::{Era, Period};
use hyoka::{Access, Ledger, Meta, describe, text};

use super::output::{self, out};
use super::{Ctx, Failure, ItemCommand, LogFormat, TextOrJson, Who};

/// The recorded time: `HYOKA_NOW` (RFC 3339) when set, else the system clock.
pub fn now() -> Result<i64, Failure> {
    match std::env::var("HYOKA_NOW") {
        Ok(s) => {
            hyoka::when::parse_rfc3339(&s).map_err(|e| Failure::usage(format!("HYOKA_NOW: {e}")))
        }
        Err(_) => Ok(hyoka::when::now()),
    }
}

fn meta(who: &Who) -> Result<Meta, Failure> {
    Ok(Meta {
        author: who.author.clone(),
        reason: who.reason.clone(),
        source: None,
        recorded_at: now()?,
    })
}

fn open(ctx: &Ctx) -> Result<Ledger, Failure> {
    Ok(Ledger::open(&ctx.ledger, ctx.access())?)
}

fn parse_period(ledger_era: Option<Era>, s: &str) -> Result<Period, Failure> {
    Period::parse(s, ledger_era).map_err(|e| Failure::from(e.to_string()))
}

pub fn init(
    ctx: &Ctx,
    plan: &str,
    grades: &str,
    era: Option<Era>,
    origin: Option<String>,
    author: &str,
    reason: &str,
) -> Result<(), Failure> {
    let grades: Vec<String> = grades.split(',').map(|g| g.trim().to_string()).collect();
    let derived = origin.is_none();
    let origin = origin.unwrap_or_else(|| hyoka::import::origin_from_plan(plan));
    let meta = Meta {
        author: author.to_string(),
        reason: reason.to_string(),
        source: None,
        recorded_at: now()?,
    };
    let change = Change::PlanDefined {
        name: plan.to_string(),
        grades: grades.clone(),
        default_era: era,
        origin: origin.clone(),
    };
    let ledger = Ledger::create(&ctx.ledger, &meta, change, &[], ctx.access())?;
    out(format!(
        "created ledger {} for plan {} (grades {}, era {})",
        ledger.dir().display(),
        text::escape(plan),
        text::escape(&grades.join(",")),
        era.map_or("none", Era::romaji)
    ));
    out(format!(
        "origin: {}{}",
        text::escape(&origin),
        if derived {
            " (derived from the plan name; set it with --origin)"
        } else {
            ""
        }
    ));
    Ok(())
}

fn with_category(state: &hyoka::state::State, category: &str, changes: &mut Vec<Change>) {
    if !state.categories.iter().any(|c| c == category) {
        changes.push(Change::CategoryAdded {
            name: category.to_string(),
        });
    }
}

pub fn item(ctx: &Ctx, cmd: ItemCommand) -> Result<(), Failure> {
    let mut ledger = open(ctx)?;
    let state = ledger.current()?.clone();
    let mut changes = Vec::new();
    let who = match cmd {
        ItemCommand::Add {
            number,
            title,
            department,
            category,
            relisting_of,
            who,
        } => {
            with_category(&state, &category, &mut changes);
            changes.push(Change::ItemRegistered {
                number,
                title,
                department,
                category,
                relisting_of,
            });
            who
        }
        ItemCommand::Amend {
            number,
            title,
            department,
            category,
            relisting_of,
            not_relisting,
            who,
        } => {
            if let Some(c) = &category {
                with_category(&state, c, &mut changes);
            }
            let relisting = match (relisting_of, not_relisting) {
                (Some(n), _) => Some(Some(n)),
                (None, true) => Some(None),
                (None, false) => None,
            };
            if title.is_none() && department.is_none() && category.is_none() && relisting.is_none()
            {
                return Err(Failure::usage(
                    "nothing to amend: give --title, --department, --category, --relisting-of or --not-relisting",
                ));
            }
            changes.push(Change::ItemAmended {
                number,
                title,
                department,
                category,
                relisting_of: relisting,
            });
            who
        }
        ItemCommand::Withdraw { number, who } => {
            changes.push(Change::ItemWithdrawn { number });
            who
        }
        ItemCommand::Reinstate { number, who } => {
            changes.push(Change::ItemReinstated { number });
            who
        }
    };
    let receipt = ledger.append(&meta(&who)?, &changes)?;
    for (i, c) in changes.iter().enumerate() {
        out(format!(
            "recorded #{}: {}",
            receipt.first_seq + i as u64,
            text::escape(&describe::change(c))
        ));
    }
    Ok(())
}

fn record_one(
    ctx: &Ctx,
    who: &Who,
    build: impl FnOnce(&hyoka::state::State, Option<Era>) -> Result<(Change, String), Failure>,
) -> Result<(), Failure> {
    let mut ledger = open(ctx)?;
    let state = ledger.current()?;
    let era = state.plan.as_ref().and_then(|p| p.default_era);
    let (change, note) = build(state, era)?;
    let receipt = ledger.append(&meta(who)?, std::slice::from_ref(&change))?;
    out(format!(
        "recorded #{}: {}{} (head {})",
        receipt.first_seq,
        text::escape(&describe::change(&change)),
        note,
        output::short(&receipt.head_hash)
    ));
    Ok(())
}

pub fn rate(ctx: &Ctx, item: u32, period: &str, grade: &str, who: &Who) -> Result<(), Failure> {
    record_one(ctx, who, |state, era| {
        let period = parse_period(era, period)?;
        let was = state.cell(item, period).rating;
        let note = was.map_or(String::new(), |g| format!(" (was {})", text::escape(&g)));
        Ok((
            Change::RatingRecorded {
                item,
                period,
                grade: grade.trim().to_string(),
            },
            note,
        ))
    })
}

pub fn unrate(ctx: &Ctx, item: u32, period: &str, who: &Who) -> Result<(), Failure> {
    record_one(ctx, who, |state, era| {
        let period = parse_period(era, period)?;
        let was = state.cell(item, period).rating;
        let note = was.map_or(String::new(), |g| format!(" (was {})", text::escape(&g)));
        Ok((Change::RatingWithdrawn { item, period }, note))
    })
}

/// The period given, or the latest period that has ratings (said in the output).
fn period_or_latest(
    state: &hyoka::state::State,
    era: Option<Era>,
    period: Option<&str>,
) -> Result<(Period, String), Failure> {
    match period {
        Some(p) => Ok((parse_period(era, p)?, String::new())),
        None => {
            let p = state.latest_period().ok_or_else(|| {
                Failure::from(
                    "no period has ratings yet: give the period with --period".to_string(),
                )
            })?;
            Ok((p, format!(" [period {}: the latest with ratings]", p.id())))
        }
    }
}

pub fn flag(
    ctx: &Ctx,
    item: u32,
    on: bool,
    period: Option<&str>,
    who: &Who,
) -> Result<(), Failure> {
    record_one(ctx, who, |state, era| {
        let (period, note) = period_or_latest(state, era, period)?;
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
    item: u32,
    remark: &str,
    period: Option<&str>,
    who: &Who,
) -> Result<(), Failure> {
    record_one(ctx, who, |state, era| {
        let (period, note) = period_or_latest(state, era, period)?;
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

pub fn log(ctx: &Ctx, format: LogFormat) -> Result<(), Failure> {
    let ledger = open(ctx)?;
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let mut write_failed = None;
    ledger.scan(0, u64::MAX, &mut |e: &StoredEvent| {
        let line = match format {
            LogFormat::Jsonl => describe::event_json(e).to_string(),
            LogFormat::Text => output::log_line(e),
        };
        if let Err(err) = writeln!(w, "{line}") {
            write_failed = Some(err);
            return Ok(false);
        }
        Ok(true)
    })?;
    if let Some(e) = write_failed.or_else(|| w.flush().err())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(format!("cannot write the log: {e}").into());
    }
    Ok(())
}

pub fn verify(ctx: &Ctx, format: TextOrJson) -> Result<(), Failure> {
    let result = Ledger::open(&ctx.ledger, ctx.access()).and_then(|ledger| {
        let bar = output::progress(ledger.len(), "verifying");
        let r = ledger.verify(&mut |done, _| bar.set_position(done));
        bar.finish_and_clear();
        r
    });
    match result {
        Ok(report) => {
            match format {
                TextOrJson::Json => out(serde_json::json!({
                    "ok": true,
                    "events": report.events,
                    "head_hash": event::hex(&report.head_hash),
                    "root": event::hex(&report.root),
                })
                .to_string()),
                TextOrJson::Text => {
                    out(format!(
                        "ok: {} events verified, the history is intact",
                        report.events
                    ));
                    out(format!("head: {}", event::hex(&report.head_hash)));
                    out(format!(
                        "root: {} (RFC 6962, SHA-256)",
                        event::hex(&report.root)
                    ));
                }
            }
            Ok(())
        }
        Err(e) => {
            if format == TextOrJson::Json
                && let hyoka::Error::Integrity(ie) = &e
            {
                out(serde_json::json!({
                    "ok": false,
                    "error": {"kind": ie.kind(), "seq": ie.seq(), "message": ie.to_string()},
                })
                .to_string());
            }
            Err(e.into())
        }
    }
}

pub fn demo() -> Result<(), Failure> {
    let dir =
        tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let ledger_dir = dir.path().join("demo-ledger");
    let mut ledger = Ledger::create(
        &ledger_dir,
        &Meta {
            author: "demo".into(),
            reason: "demo ledger".into(),
            source: None,
            recorded_at: now()?,
        },
        Change::PlanDefined {
            name: "demo".into(),
            grades: vec!["S".into(), "A".into(), "B".into()],
            default_era: Some(Era::Heisei),
            origin: "local/demo".into(),
        },
        &[],
        Access::default(),
    )?;
    let report = ledger.verify(&mut |_, _| {})?;
    let _ = &mut ledger;
    out(format!("ok: {} events verified", report.events));
    let _ = std::io::stderr().is_terminal();
    Ok(())
}

/// Arguments of `hyoka import`.
pub struct ImportArgs {
    pub file: std::path::PathBuf,
    pub author: String,
    pub reason: Option<String>,
    pub era: Option<Era>,
    pub plan: Option<String>,
    pub origin: Option<String>,
    pub dry_run: bool,
    pub prefer_file: bool,
}

/// The largest table file accepted.
const MAX_TABLE_BYTES: u64 = 64 << 20;

fn read_table_file(path: &std::path::Path) -> Result<Vec<u8>, Failure> {
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {e}; check the file name", path.display()))?;
    if meta.len() > MAX_TABLE_BYTES {
        return Err(format!(
            "{} is {} bytes, more than a table can be ({MAX_TABLE_BYTES}); check that it is the right file",
            path.display(),
            meta.len()
        )
        .into());
    }
    std::fs::read(path)
        .map_err(|e| format!("cannot read {}: {e}; check the file name", path.display()).into())
}

pub fn import(ctx: &Ctx, args: ImportArgs) -> Result<(), Failure> {
    let bytes = read_table_file(&args.file)?;
    let file_name = args
        .file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("table")
        .to_string();
    let req = hyoka::import::Request {
        bytes: &bytes,
        file_name: &file_name,
        era: args.era,
        plan: args.plan,
        origin: args.origin,
        prefer_file: args.prefer_file,
        dry_run: args.dry_run,
        author: args.author,
        reason: args.reason,
        recorded_at: now()?,
    };
    let report = hyoka::import::import(&ctx.ledger, &req, ctx.access())?;
    print_import_report(&ctx.ledger, &report);
    if !report.conflicts.is_empty() {
        return Err(format!(
            "{} conflict(s) with changes made since the last import; nothing was imported; keep the ledger's values by fixing the file, or rerun with --prefer-file to record the file's",
            report.conflicts.len()
        )
        .into());
    }
    Ok(())
}

fn print_import_report(dir: &std::path::Path, r: &hyoka::import::Report) {
    let periods: Vec<String> = r
        .periods
        .iter()
        .map(|p| format!("{} ({})", p.label(), p.id()))
        .collect();
    out(format!(
        "file: {} items; periods {}",
        r.rows,
        periods.join(", ")
    ));
    out(format!("era: {}", r.era.describe()));
    if r.created {
        out(format!(
            "{} ledger {} for plan {}",
            if r.dry_run { "would create" } else { "created" },
            dir.display(),
            text::escape(&r.plan)
        ));
        out(format!(
            "origin: {}{}",
            text::escape(&r.origin),
            if r.derived_names {
                " (derived; set the plan name and origin with --plan and --origin)"
            } else {
                ""
            }
        ));
    }
    for c in &r.conflicts {
        eprintln!(
            "conflict: line {}: {}: the ledger has {} (set by {} in #{} at {}: {}), the file has {}",
            c.line,
            text::escape(&c.what),
            text::escape(&c.ledger),
            text::escape(&c.setter.author),
            c.setter.seq,
            hyoka::when::format(c.setter.recorded_at),
            text::escape(&c.setter.reason),
            text::escape(&c.file)
        );
    }
    if !r.conflicts.is_empty() {
        return;
    }
    if r.changes.is_empty() {
        out("the file matches the ledger: nothing to record");
        return;
    }
    if r.created {
        let mut kinds: std::collections::BTreeMap<&str, usize> = Default::default();
        for c in &r.changes {
            *kinds.entry(c.kind()).or_default() += 1;
        }
        let parts: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        out(format!("changes: {}", parts.join(", ")));
    } else {
        for c in &r.changes {
            out(format!("  {}", text::escape(&describe::change(c))));
        }
    }
    match r.first_seq {
        Some(first) => out(format!(
            "recorded {} events (#{}..#{}) as one batch",
            r.changes.len() + usize::from(r.created),
            first,
            first + r.changes.len() as u64 - u64::from(!r.created)
        )),
        None => out(format!(
            "dry run: {} changes would be recorded; nothing was",
            r.changes.len()
        )),
    }
}
