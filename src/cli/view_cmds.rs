//! `hyoka table` and `hyoka summary`: the views of the ledger, rendered by `hyoka::views::render` (the
//! table's TSV and CSV files written by `hyoka::table::write`).

use std::io::{IsTerminal, Write};
use std::path::Path;

use hyoka::domain::text;
use hyoka::os::safe_fs;
use hyoka::table::{self, write};
use hyoka::views::render;
use hyoka::views::{self, TableView};

use super::ctx::Ctx;
use super::failure::Failure;
use super::keys::OUTPUT_MODE;
use super::options::{TableFormat, TextOrJson, TimeArgs};

/// Terminal width used when stdout is not a terminal (or its width is unknown).
pub(super) const DEFAULT_WIDTH: usize = 80;

/// The table the view commands show. The one place where it is built, so that options choosing the
/// state (as of a period, a seq or a time) are added here.
fn table_view(ctx: &Ctx, time: &TimeArgs) -> Result<TableView, Failure> {
    let ledger = super::anchoring::open_read(ctx)?;
    // The state only (no provenance): it starts from the nearest checked snapshot.
    let sel = super::audit_cmds::selection(&ledger, time)?;
    let (state, last) = ledger.state_for(&sel)?;
    if last.is_none() {
        return Err(super::audit_cmds::no_events(&ledger, time));
    }
    Ok(views::table(&state, sel.as_of))
}

/// The width to lay text out for: `COLUMNS` when it is set to a width (it wins, as for git and ls),
/// else the terminal's, else none (a pipe or a file).
pub(super) fn terminal_width() -> Option<usize> {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| (20..=10_000).contains(n))
    {
        return Some(n);
    }
    // Stdout is the pager's pipe once it runs: the terminal's width was read before.
    if let Some(w) = super::pager::width() {
        return Some(w);
    }
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(w, _)| usize::from(w.0))
}

fn json_line<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    let mut s = serde_json::to_string(value)
        .map_err(|e| Failure::from(format!("cannot write the JSON: {e}")))?;
    s.push('\n');
    Ok(s)
}

pub fn table(
    ctx: &Ctx,
    time: &TimeArgs,
    format: TableFormat,
    full: bool,
    bom: bool,
    output: Option<&Path>,
) -> Result<(), Failure> {
    if let Some(path) = output {
        super::output::refuse_inside_ledger(&ctx.ledger, path, "--output")?;
    }
    let view = table_view(ctx, time)?;
    let rendered = match format {
        TableFormat::Text => {
            let width = match output {
                Some(_) => DEFAULT_WIDTH,
                None => terminal_width().unwrap_or(DEFAULT_WIDTH),
            };
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
    Failure::from(format!(
        "{e}; export with --format csv or --format json, or change the {} of item {}",
        e.field, e.id
    ))
}

pub fn summary(ctx: &Ctx, time: &TimeArgs, format: TextOrJson) -> Result<(), Failure> {
    let view = table_view(ctx, time)?;
    let summary = views::summary(&view);
    let rendered = match format {
        TextOrJson::Text => render::summary_text(&summary, &view.grades),
        TextOrJson::Json => json_line(&summary)?,
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
                    Err(format!("cannot write to stdout: {e}").into())
                }
                _ => Ok(()),
            }
        }
        Some(path) => safe_fs::replace_path(path, OUTPUT_MODE, &mut |f| f.write_all(s.as_bytes()))
            .map_err(|e| {
                let shown = text::escape(&path.display().to_string());
                Failure::from(format!("cannot write {shown}: {e}"))
            }),
    }
}
