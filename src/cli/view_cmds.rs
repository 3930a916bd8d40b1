//! `hyoka table` and `hyoka summary`: the views of the ledger, rendered by `hyoka::views::render` (the
//! table's TSV and CSV files written by `hyoka::table::write`).

use std::io::{IsTerminal, Write};
use std::path::Path;

use hyoka::domain::text;
use hyoka::table::{self, write};
use hyoka::views::render;
use hyoka::views::{self, TableView};

use super::{Ctx, Failure, TableFormat, TextOrJson, TimeArgs};

/// Terminal width used when stdout is not a terminal (or its width is unknown).
const DEFAULT_WIDTH: usize = 80;

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

/// The width of the terminal on stdout, if it is one.
fn terminal_width() -> Option<usize> {
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
            render::table_text(&view, width, full)
        }
        TableFormat::Tsv => write::table_file(&view, table::TableFormat::Tsv, bom)
            .map_err(|e| Failure::from(e.0))?,
        TableFormat::Csv => write::table_file(&view, table::TableFormat::Csv, bom)
            .map_err(|e| Failure::from(e.0))?,
        TableFormat::Json => json_line(&view)?,
        TableFormat::Md => render::table_markdown(&view),
    };
    emit(&rendered, output)
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

/// Writes to stdout (a closed pipe is not an error), or to `output` atomically: a temporary file in the
/// same directory, renamed over the target once complete.
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
        Some(path) => {
            let shown = text::escape(&path.display().to_string());
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            let fail = |e: std::io::Error| Failure::from(format!("cannot write {shown}: {e}"));
            let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
            tmp.write_all(s.as_bytes()).map_err(fail)?;
            tmp.as_file().sync_all().map_err(fail)?;
            tmp.persist(path).map_err(|e| fail(e.error))?;
            Ok(())
        }
    }
}
