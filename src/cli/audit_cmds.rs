//! `hyoka history`, `blame`, `diff`, and the time-axis options shared with the table views.

use std::io::Write;

use hyoka::domain::item_id::ItemId;
use hyoka::domain::period::{Cadence, Era, Period};
use hyoka::domain::{event, when};
use hyoka::ledger::Ledger;
use hyoka::views::audit::{self, Point, Selection, Snapshot};
use hyoka::views::audit_text;

use super::ctx::Ctx;
use super::failure::Failure;
use super::i18n::t;
use super::names::shown;
use super::options::{Bound, HistoryFormat, TextOrJson, TimeArgs};
use super::output::out;

/// How the plan writes its points: era, cadence and years.
type Points = (Option<Era>, Cadence, Option<(u16, u16)>);

fn points_of(ledger: &mut Ledger) -> Result<Points, Failure> {
    let plan = ledger.current()?.plan.as_ref();
    Ok((
        plan.and_then(|p| p.default_era),
        plan.map_or(Cadence::HalfYear, |p| p.cadence),
        plan.and_then(|p| p.years),
    ))
}

fn period_arg(s: &str, (era, cadence, years): Points) -> Result<Period, Failure> {
    Period::parse_for(s, era, cadence, years).map_err(|e| Failure::from(super::errors::period(&e)))
}

/// The selection the time-axis options make.
pub fn selection(ledger: &Ledger, time: &TimeArgs) -> Result<Selection, Failure> {
    let points = ledger
        .event(0)
        .ok()
        .and_then(|e| match e.event.change {
            event::Change::PlanDefined {
                default_era,
                cadence,
                years,
                ..
            } => Some((default_era, cadence, years)),
            _ => None,
        })
        .unwrap_or((None, Cadence::HalfYear, None));
    let sel = Selection {
        through: time.seq,
        at: time
            .at
            .as_deref()
            .map(when::parse_instant)
            .transpose()
            .map_err(|e| {
                Failure::usage(t!(
                    "flag-value-problem",
                    flag = "--at",
                    problem = super::errors::time(&e)
                ))
            })?,
        as_of: time
            .as_of
            .as_deref()
            .map(|p| period_arg(p, points))
            .transpose()?,
    };
    Ok(sel)
}

/// The error for a selection that includes no event.
pub fn no_events(ledger: &Ledger, time: &TimeArgs) -> Failure {
    match ledger.event(0) {
        Ok(first) => Failure::from(t!(
            "no-events-yet",
            at = time
                .at
                .as_deref()
                .map_or_else(|| t!("that-point"), str::to_string),
            first = when::format_text(first.event.recorded_at)
        )),
        Err(e) => e.into(),
    }
}

/// The snapshot (state and provenance) the time-axis options select.
pub fn snapshot(ledger: &Ledger, time: &TimeArgs) -> Result<Snapshot, Failure> {
    let snap = ledger.snapshot(&selection(ledger, time)?)?;
    if snap.last_seq.is_none() {
        return Err(no_events(ledger, time));
    }
    Ok(snap)
}

fn json<T: serde::Serialize>(v: &T) -> Result<(), Failure> {
    out(serde_json::to_string(v)
        .map_err(|e| Failure::from(t!("cannot-write-json", error = e.to_string())))?);
    Ok(())
}

/// A field of a cell as the text views name it: its machine name in English (`rating`), the
/// document's word in Japanese (評価).
fn field_name(field: &str) -> String {
    t!("field-name", field = field)
}

fn period_label(p: Option<Period>) -> String {
    p.map(|p| p.label()).unwrap_or_default()
}

/// A point of `diff`: a `seq:N` or `at:TIME` that cannot be read is a usage error (exit 2), as a bad
/// `--seq` or `--at` is; a period that cannot be read is an error (exit 1), as everywhere else.
fn point_arg(s: &str, era: Option<Era>) -> Result<Point, Failure> {
    Point::parse(s, era).map_err(|e| {
        let written = hyoka::domain::ident::normalize(s.trim());
        match ["seq:", "at:", "#", "@"]
            .iter()
            .any(|p| written.starts_with(p))
        {
            true => Failure::usage(e),
            false => Failure::from(e),
        }
    })
}

/// The columns of the audit views that give way first when they must fit a width (their headers in
/// the chosen language).
fn free_text() -> [String; 4] {
    [
        t!("column-old-new"),
        t!("column-change"),
        t!("column-value"),
        t!("column-reason"),
    ]
}

/// Prints the rows of an audit view as text, a row at a time: aligned columns of cells cut at
/// [`audit_text::CELL_MAX`] columns and, on a terminal or with `COLUMNS`, to fit its width (the rows are
/// gone through twice: their widths, then their lines); where one line would leave the free text
/// (old → new, the reason) fewer than [`audit_text::MIN_FREE_TEXT`] columns, each row on two lines
/// ([`audit_text::Stacked`]); or
/// with `full` each row whole (one field per line, rows apart by a blank line). A closed pipe ends the
/// output quietly.
fn print_rows(
    header: &[String],
    rows: impl Iterator<Item = Vec<String>> + Clone,
    full: bool,
) -> Result<(), Failure> {
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let header = header.as_slice();
    let mut w = std::io::BufWriter::new(std::io::stdout().lock());
    let written = (|| {
        if full {
            for (i, row) in rows.enumerate() {
                let sep = if i == 0 { "" } else { "\n" };
                write!(w, "{sep}{}", audit_text::record(header, &row))?;
            }
        } else {
            let natural = audit_text::Columns::measure(header, rows.clone());
            let names: Vec<String> = header.iter().map(|h| h.to_string()).collect();
            // On a terminal (or with COLUMNS), the columns fit its width; --full shows cells whole.
            let Some(width) = super::output::terminal_width() else {
                w.write_all(natural.line(&names).as_bytes())?;
                for row in rows {
                    w.write_all(natural.line(&row).as_bytes())?;
                }
                return w.flush();
            };
            // Free text gives way first; seq, time, author and the cell's place stay whole while
            // they can.
            let at = |names: &[String]| -> Vec<usize> {
                (0..header.len())
                    .filter(|i| names.iter().any(|f| f == header[*i]))
                    .collect()
            };
            let flexible = at(&free_text());
            // The time is read whole: it gives way last.
            let keep = at(&[t!("column-time")]);
            let one_line = natural.clone().fit_keeping(width, &flexible, &keep);
            match one_line.cramped(&natural, &flexible) {
                // Too narrow for the free text to be read on one line (a Japanese terminal of 80
                // columns): each row on two lines, who and when above, what and why below.
                true => {
                    let head: Vec<usize> = [
                        t!("column-seq"),
                        t!("column-time"),
                        t!("column-author"),
                        t!("column-field"),
                    ]
                    .iter()
                    .filter_map(|name| header.iter().position(|h| h == name))
                    .collect();
                    let stacked =
                        audit_text::Stacked::new(&natural, &head).fit(width, &flexible, &keep);
                    w.write_all(stacked.line(&names).as_bytes())?;
                    for row in rows {
                        w.write_all(stacked.line(&row).as_bytes())?;
                    }
                }
                false => {
                    w.write_all(one_line.line(&names).as_bytes())?;
                    for row in rows {
                        w.write_all(one_line.line(&row).as_bytes())?;
                    }
                }
            }
        }
        w.flush()
    })();
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(super::output::cannot_write_stdout(&e))
        }
        _ => Ok(()),
    }
}

/// What `hyoka history` lists: an item's changes or, with `all`, every correction; narrowed by the
/// filters.
pub struct HistoryQuery<'a> {
    pub item: Option<ItemId>,
    pub all: bool,
    pub period: Option<&'a str>,
    pub author: Option<&'a str>,
    pub department: Option<&'a str>,
    pub since: Option<Bound>,
    pub until: Option<Bound>,
}

impl HistoryQuery<'_> {
    fn filtered(&self) -> bool {
        self.period.is_some()
            || self.author.is_some()
            || self.department.is_some()
            || self.since.is_some()
            || self.until.is_some()
    }
}

pub fn history(
    ctx: &Ctx,
    q: &HistoryQuery,
    format: HistoryFormat,
    full: bool,
) -> Result<(), Failure> {
    let mut ledger = super::anchoring::open_read(ctx)?;
    let points = points_of(&mut ledger)?;
    let period = q.period.map(|p| period_arg(p, points)).transpose()?;
    let state = ledger.current()?.clone();
    if let Some(n) = &q.item
        && !state.items.contains_key(n)
    {
        return Err(Failure::from(t!(
            "history-no-item",
            id = hyoka::domain::text::escape(n.as_str())
        )));
    }
    let department = q
        .department
        .map(|d| department_arg(&state, d))
        .transpose()?;
    // With --since or --until, --all lists every change recorded in that stretch of the log (the first
    // values at a new point as much as the corrections); without, every correction. The correction
    // report (Markdown) holds corrections only.
    let ranged = q.since.is_some() || q.until.is_some();
    let every = ranged && format != HistoryFormat::Md;
    let in_range = |e: &audit::history::HistoryEntry| {
        q.since
            .as_ref()
            .is_none_or(|b| b.admits_from(e.seq, e.recorded_at))
            && q.until
                .as_ref()
                .is_none_or(|b| b.admits_until(e.seq, e.recorded_at))
    };
    let mut entries = match (q.all, &q.item) {
        (true, _) => {
            let mut v = match every {
                true => ledger.changes_where(&mut |e| {
                    in_range(e) && q.item.as_ref().is_none_or(|n| e.item.0 == *n)
                })?,
                false => ledger.corrections()?,
            };
            if let Some(n) = &q.item {
                v.retain(|e| e.item.0 == *n);
            }
            v.sort_by(|a, b| (&a.item, a.seq).cmp(&(&b.item, b.seq)));
            v
        }
        (false, Some(n)) => ledger.history(n, None)?,
        (false, None) => return Err(Failure::usage(t!("history-no-item-given"))),
    };
    let names = super::names::Names::for_ledger(&ctx.ledger, &mut ledger);
    entries.retain(|e| {
        period.is_none_or(|p| e.period == Some(p))
            // Compared under NFKC, as every name is (hyoka::domain::ident::same); a person of a
            // ledger with people by id or name.
            && q.author.is_none_or(|a| names.names(&e.author, a.trim()))
            && department.as_ref().is_none_or(|d| {
                state
                    .items
                    .get(&e.item.0)
                    .is_some_and(|i| i.department == *d)
            })
            && q.since.as_ref().is_none_or(|b| b.admits_from(e.seq, e.recorded_at))
            && q.until.as_ref().is_none_or(|b| b.admits_until(e.seq, e.recorded_at))
    });
    // Read, release, write: everything printed is in hand, so the ledger is released before a line is
    // written (a reader whose output is not read must hold no lock).
    let head = ledger.head_hash();
    drop(ledger);
    match format {
        HistoryFormat::Json => json(&entries),
        HistoryFormat::Md => {
            let plan = state
                .plan
                .as_ref()
                .map(|p| p.name.clone())
                .unwrap_or_default();
            let intro = t!("report-intro", head = event::hex(&head));
            let (marked, none) = (t!("report-marked"), t!("report-none"));
            let words = audit_text::ReportWords {
                intro: &intro,
                marked: &marked,
                none: &none,
            };
            let md = audit_text::corrections_markdown(&plan, &words, &entries, &state);
            out(md.trim_end());
            Ok(())
        }
        HistoryFormat::Text => {
            if let (false, Some(n)) = (q.all, &q.item)
                && let Some(i) = state.items.get(n)
            {
                let title = hyoka::domain::text::escape(&t!(
                    "history-item",
                    id = n.as_str(),
                    title = i.title.as_str(),
                    department = i.department.as_str(),
                    heading = i.category.as_str()
                ));
                out(match (full, super::output::terminal_width()) {
                    (false, Some(w)) => hyoka::views::width::truncate(&title, w),
                    _ => title,
                });
            }
            if entries.is_empty() {
                out(match (q.all, q.filtered()) {
                    (true, false) => t!("history-no-corrections"),
                    (true, true) if every => t!("history-no-changes-match"),
                    (true, true) => t!("history-no-corrections-match"),
                    (false, false) => t!("history-no-changes"),
                    (false, true) => t!("history-no-changes-match"),
                });
                return Ok(());
            }
            print_history_rows(&entries, &names, q.all, full)
        }
    }
}

/// The department named on the command line, as the items write it (NFKC-equal), or the list of them.
fn department_arg(state: &hyoka::domain::state::State, d: &str) -> Result<String, Failure> {
    let departments: std::collections::BTreeSet<&String> =
        state.items.values().map(|i| &i.department).collect();
    departments
        .iter()
        .find(|x| x.as_str() == d.trim())
        .or_else(|| {
            departments
                .iter()
                .find(|x| hyoka::domain::ident::same(x, d.trim()))
        })
        .map(|x| x.to_string())
        .ok_or_else(|| {
            let list: Vec<&str> = departments.iter().map(|x| x.as_str()).collect();
            Failure::from(hyoka::domain::text::escape(&t!(
                "history-no-department",
                department = d.trim(),
                departments = list.join(&t!("list-separator"))
            )))
        })
}

/// Prints history entries as the text of `hyoka history` (with `with_item`, an item column).
fn print_history_rows(
    entries: &[audit::history::HistoryEntry],
    names: &super::names::Names,
    with_item: bool,
    full: bool,
) -> Result<(), Failure> {
    let rows = entries.iter().map(|e| {
        let mut r = vec![
            format!("#{}", e.seq),
            when::format_text(e.recorded_at),
            shown(names, &e.author),
            match e.correction {
                true => format!("{} {}", field_name(e.field), audit_text::CORRECTION_MARK),
                false => field_name(e.field),
            },
            period_label(e.period),
        ];
        match full {
            true => r.extend([
                audit_text::value_text(&e.old),
                audit_text::value_text(&e.new),
            ]),
            false => r.push(audit_text::change_cell(&e.old, &e.new)),
        }
        r.push(match &e.clock_behind {
            Some(clock) => format!("{} {}", e.reason, audit_text::clock_behind_note(*clock)),
            None => e.reason.clone(),
        });
        if with_item {
            r.insert(1, format!("{}", e.item));
        }
        r
    });
    let mut header = vec![
        t!("column-seq"),
        t!("column-time"),
        t!("column-author"),
        t!("column-field"),
        t!("column-period"),
    ];
    match full {
        true => header.extend([t!("column-old"), t!("column-new")]),
        false => header.push(t!("column-old-new")),
    }
    header.push(t!("column-reason"));
    if with_item {
        header.insert(1, t!("column-item"));
    }
    print_rows(&header, rows, full)
}

pub fn blame(
    ctx: &Ctx,
    time: &TimeArgs,
    period: Option<&str>,
    format: TextOrJson,
    full: bool,
) -> Result<(), Failure> {
    let mut ledger = super::anchoring::open_read(ctx)?;
    let points = points_of(&mut ledger)?;
    let period = period.map(|p| period_arg(p, points)).transpose()?;
    let snap = snapshot(&ledger, time)?;
    let names = super::names::Names::for_ledger(&ctx.ledger, &mut ledger);
    drop(ledger);
    let entries = audit::blame::blame(&snap, period);
    match format {
        TextOrJson::Json => json(&entries),
        TextOrJson::Text if entries.is_empty() => {
            out(t!("blame-nothing"));
            Ok(())
        }
        TextOrJson::Text => {
            let rows = entries.iter().map(|e| {
                vec![
                    e.item.to_string(),
                    period_label(e.period),
                    field_name(e.field),
                    audit_text::value_text(&e.value),
                    format!("#{}", e.seq),
                    when::format_text(e.recorded_at),
                    shown(&names, &e.author),
                    e.reason.clone(),
                ]
            });
            let header = [
                t!("column-item"),
                t!("column-period"),
                t!("column-field"),
                t!("column-value"),
                t!("column-seq"),
                t!("column-time"),
                t!("column-author"),
                t!("column-reason"),
            ];
            print_rows(&header, rows, full)
        }
    }
}

fn point_snapshot(ledger: &Ledger, p: Point) -> Result<Snapshot, Failure> {
    let sel = match p {
        Point::Period(p) => Selection {
            as_of: Some(p),
            ..Selection::default()
        },
        Point::Seq(n) => Selection {
            through: Some(n),
            ..Selection::default()
        },
        Point::At(t) => Selection {
            at: Some(t),
            ..Selection::default()
        },
    };
    let snap = ledger.snapshot(&sel)?;
    Ok(snap)
}

pub fn diff(
    ctx: &Ctx,
    from: &str,
    to: &str,
    every: bool,
    format: TextOrJson,
    full: bool,
) -> Result<(), Failure> {
    // The points as read (NFKC: `ｓｅｑ：１２` is shown as `seq:12`).
    let (from, to) = (
        &hyoka::domain::ident::normalize(from.trim()),
        &hyoka::domain::ident::normalize(to.trim()),
    );
    let mut ledger = super::anchoring::open_read(ctx)?;
    let (era, _, _) = points_of(&mut ledger)?;
    let a = point_arg(from, era)?;
    let b = point_arg(to, era)?;
    if every && (matches!(a, Point::Period(_)) || matches!(b, Point::Period(_))) {
        return Err(Failure::usage(t!("diff-every-needs-moments")));
    }
    let sa = point_snapshot(&ledger, a)?;
    let sb = point_snapshot(&ledger, b)?;
    let between = match every {
        // The events after the earlier point, up to and including the later one.
        true => {
            let (lo, hi) = match (sa.last_seq, sb.last_seq) {
                (x, y) if x <= y => (x, y),
                (x, y) => (y, x),
            };
            match hi {
                Some(hi) => Some(ledger.changes_between(lo, hi)?),
                None => Some(Vec::new()),
            }
        }
        false => None,
    };
    let names = super::names::Names::for_ledger(&ctx.ledger, &mut ledger);
    drop(ledger);
    let changes = audit::diff::diff(&sa, &sb);
    match format {
        TextOrJson::Json => {
            let mut v = serde_json::json!({"from": from, "to": to, "changes": changes});
            if let Some(between) = &between {
                v["every"] = serde_json::to_value(between)
                    .map_err(|e| Failure::from(t!("cannot-write-json", error = e.to_string())))?;
            }
            json(&v)
        }
        TextOrJson::Text => {
            let printed = print_diff(&changes, &names, from, to, full);
            let Some(between) = between else {
                return printed;
            };
            printed?;
            out("");
            if between.is_empty() {
                out(t!("diff-no-change-between", from = from, to = to));
                return Ok(());
            }
            out(t!(
                "diff-every-change",
                from = from,
                to = to,
                count = between.len()
            ));
            print_history_rows(&between, &names, true, full)
        }
    }
}

/// Prints the differences of `hyoka diff` as text.
fn print_diff(
    changes: &[audit::diff::DiffEntry],
    names: &super::names::Names,
    from: &str,
    to: &str,
    full: bool,
) -> Result<(), Failure> {
    if changes.is_empty() {
        out(t!("diff-none", from = from, to = to));
        return Ok(());
    }
    let rows = changes.iter().map(|c| {
        let mut r = vec![
            c.item.to_string(),
            period_label(c.period),
            field_name(c.field),
        ];
        match full {
            true => r.extend([
                audit_text::value_text(&c.from),
                audit_text::value_text(&c.to),
            ]),
            false => r.push(audit_text::change_cell(&c.from, &c.to)),
        }
        r.extend([
            c.seq.map_or(String::new(), |s| format!("#{s}")),
            c.recorded_at.map(when::format_text).unwrap_or_default(),
            c.author
                .as_deref()
                .map(|a| shown(names, a))
                .unwrap_or_default(),
            c.reason.clone().unwrap_or_default(),
        ]);
        r
    });
    let mut header = vec![t!("column-item"), t!("column-period"), t!("column-field")];
    match full {
        true => header.extend([t!("column-from"), t!("column-to")]),
        false => header.push(t!("column-change")),
    }
    header.extend([
        t!("column-seq"),
        t!("column-time"),
        t!("column-author"),
        t!("column-reason"),
    ]);
    out(t!(
        "diff-count",
        count = changes.len(),
        from = from,
        to = to
    ));
    print_rows(&header, rows, full)
}
