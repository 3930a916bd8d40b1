//! `hyoka table` and `hyoka summary`: the views of the ledger, rendered by `hyoka::views::render` (the
//! table's TSV and CSV files written by `hyoka::table::write`).

use std::io::Write;
use std::path::Path;

use hyoka::domain::period::Period;
use hyoka::domain::state::State;
use hyoka::domain::text;
use hyoka::os::safe_fs;
use hyoka::table::{self, write};
use hyoka::views::render;
use hyoka::views::shares::{self, GroupBy};
use hyoka::views::{self, Marks, TableView};

use super::ctx::Ctx;
use super::failure::Failure;
use super::i18n::t;
use super::keys::OUTPUT_MODE;
use super::options::{SummaryFormat, TableFormat, TextOrJson, TimeArgs};

/// Terminal width used when stdout is not a terminal (or its width is unknown).
pub(super) const DEFAULT_WIDTH: usize = 80;

/// The state the view commands show, as the time options choose it.
fn view_state(ctx: &Ctx, time: &TimeArgs) -> Result<(State, Option<Period>), Failure> {
    let ledger = super::anchoring::open_read(ctx)?;
    // The state only (no provenance): it starts from the nearest checked snapshot.
    let sel = super::audit_cmds::selection(&ledger, time)?;
    let (state, last) = ledger.state_for(&sel)?;
    if last.is_none() {
        return Err(super::audit_cmds::no_events(&ledger, time));
    }
    Ok((state, sel.as_of))
}

/// The table the view commands show, with the follow-up marks of the point `marks` names (default:
/// the latest that has any; `None` and `file`: the latest point's, as a table file holds them). The one
/// place where it is built, so that options choosing the state (as of a period, a seq or a time) are
/// added here.
fn table_view(
    ctx: &Ctx,
    time: &TimeArgs,
    marks: Option<&str>,
    file: bool,
) -> Result<(State, TableView), Failure> {
    let (state, as_of) = view_state(ctx, time)?;
    let marks = match (marks, file) {
        (Some(_), true) => {
            return Err(Failure::usage(t!("marks-in-file")));
        }
        (None, true) => Marks::Latest,
        (None, false) => Marks::Kept,
        (Some(p), false) => {
            let p = super::commands::parse_period(&state, p)?;
            if let Some(a) = as_of.filter(|a| p > *a) {
                return Err(Failure::usage(t!(
                    "marks-after-as-of",
                    point = p.label(),
                    as_of = a.label()
                )));
            }
            Marks::At(p)
        }
    };
    let view = views::table_marked(&state, as_of, marks);
    Ok((state, view))
}

fn json_line<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    let mut s = serde_json::to_string(value)
        .map_err(|e| Failure::from(t!("cannot-write-json", error = e.to_string())))?;
    s.push('\n');
    Ok(s)
}

pub fn table(
    ctx: &Ctx,
    time: &TimeArgs,
    marks: Option<&str>,
    format: TableFormat,
    full: bool,
    bom: bool,
    output: Option<&Path>,
) -> Result<(), Failure> {
    if let Some(path) = output {
        super::output::refuse_inside_ledger(&ctx.ledger, path, "--output")?;
    }
    let file = matches!(format, TableFormat::Tsv | TableFormat::Csv);
    let (_, view) = table_view(ctx, time, marks, file)?;
    let rendered = match format {
        TableFormat::Text => {
            let width = match output {
                Some(_) => DEFAULT_WIDTH,
                None => super::output::terminal_width().unwrap_or(DEFAULT_WIDTH),
            };
            // The table is the city's document, in Japanese whatever the language (as its legend).
            render::table_text_with(&view, width, full, " (--full で全期間)")
        }
        TableFormat::Tsv => {
            write::table_file(&view, table::TableFormat::Tsv, bom).map_err(cannot_write)?
        }
        TableFormat::Csv => {
            write::table_file(&view, table::TableFormat::Csv, bom).map_err(cannot_write)?
        }
        TableFormat::Json => json_line(&view)?,
        TableFormat::Md => render::table_markdown(&view),
    };
    emit(&rendered, output)
}

/// A table the asked format cannot hold, with what to do instead.
fn cannot_write(e: write::RenderError) -> Failure {
    let what = match e.what {
        "a tab" => t!("text-has-tab"),
        "a line break" => t!("text-has-line-break"),
        "a control character" => t!("text-has-control"),
        other => other.to_string(),
    };
    Failure::from(t!(
        "table-cannot-render",
        id = e.id.as_str(),
        field = e.field,
        what = what
    ))
}

pub fn summary(
    ctx: &Ctx,
    time: &TimeArgs,
    marks: Option<&str>,
    by: Option<GroupBy>,
    format: SummaryFormat,
) -> Result<(), Failure> {
    let (state, view) = table_view(ctx, time, marks, false)?;
    let summary = match by {
        Some(by) => shares::grouped(&state, &view, by),
        None => views::summary(&view),
    };
    let rendered = match (format, by) {
        (SummaryFormat::Text, None) => render::summary_text(&summary, &view.grades),
        (SummaryFormat::Text, Some(by)) => shares::grouped_text(&summary, &view.grades, by),
        (SummaryFormat::Csv, Some(by)) => table::summary::grouped_csv(&summary, &view.grades, by),
        (SummaryFormat::Csv, None) => {
            return Err(Failure::usage(t!("summary-csv-needs-by")));
        }
        (SummaryFormat::Json, _) => json_line(&summary)?,
    };
    emit(&rendered, None)
}

/// `hyoka changes FROM TO`: what changed between two points.
pub fn changes(
    ctx: &Ctx,
    time: &TimeArgs,
    from: &str,
    to: &str,
    moves: bool,
    format: TextOrJson,
) -> Result<(), Failure> {
    let (state, _) = view_state(ctx, time)?;
    let from = super::commands::parse_period(&state, from)?;
    let to = super::commands::parse_period(&state, to)?;
    if from == to {
        return Err(Failure::usage(t!(
            "changes-same-points",
            point = from.label(),
            next = state
                .plan
                .as_ref()
                .and_then(|p| p.cadence.next_after(from))
                .map_or_else(|| t!("changes-the-next-one"), |n| n.label())
        )));
    }
    let view = hyoka::views::changes::changes(&state, from, to, !moves);
    let rendered = match format {
        TextOrJson::Text => hyoka::views::changes::changes_text(&view),
        TextOrJson::Json => json_line(&view)?,
    };
    emit(&rendered, None)
}

/// Writes to stdout (a closed pipe is not an error), or to `output` atomically and durably: a temporary
/// file in the same directory, renamed over the target once complete, then the directory synced.
fn emit(s: &str, output: Option<&Path>) -> Result<(), Failure> {
    match output {
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(s.as_bytes()).and_then(|()| stdout.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(super::output::cannot_write_stdout(&e))
                }
                _ => Ok(()),
            }
        }
        Some(path) => safe_fs::replace_path(path, OUTPUT_MODE, &mut |f| f.write_all(s.as_bytes()))
            .map_err(|e| {
                let shown = text::escape(&path.display().to_string());
                Failure::from(t!(
                    "cannot-write-file",
                    file = shown,
                    error = super::damage::os(&e)
                ))
            }),
    }
}
