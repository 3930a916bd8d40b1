//! `hyoka sheets`: each department's sheet for a point, written into a directory as CSV and `.xlsx`
//! for the department to fill in and import back (`hyoka import`, layout `sheet`). The sheets are
//! built by the library (`views::sheet`, `table::sheet`); this module chooses the point (the open
//! round's, or `--point`), checks the directory and every file name before anything is written, and
//! writes each file whole.
//!
//! Invariants: nothing is written while any target is refused (an existing file without `--force`, a
//! link, a directory); a link is never followed (the directory itself must not be one; a file of a
//! target's name that is a link is refused even with `--force`); each file appears whole or not at
//! all (a temporary file renamed into place, never over an existing one unless `--force`); only
//! files named by the point and the department are written, directly in the directory given.

use std::path::{Path, PathBuf};

use hyoka::domain::people::RoundStatus;
use hyoka::domain::period::Period;
use hyoka::domain::state::State;
use hyoka::domain::{ident, text};
use hyoka::os::safe_fs;
use hyoka::table::sheet;
use hyoka::views::sheet::{SheetView, departments, sheets as sheet_views};

use super::ctx::Ctx;
use super::failure::Failure;
use super::i18n::t;
use super::keys::OUTPUT_MODE;
use super::options::SheetFormat;
use super::output::out;

/// What `hyoka sheets` is asked.
pub struct SheetsArgs {
    pub out: PathBuf,
    pub point: Option<String>,
    pub departments: Vec<String>,
    pub format: SheetFormat,
    pub force: bool,
}

/// A file to write: where, and its bytes.
struct Target {
    path: PathBuf,
    bytes: Vec<u8>,
    department: String,
    items: usize,
}

pub fn sheets(ctx: &Ctx, args: SheetsArgs) -> Result<(), Failure> {
    super::output::refuse_inside_ledger(&ctx.ledger, &args.out, "--out")?;
    let (state, created) = {
        let ledger = super::anchoring::open_read(ctx)?;
        let state = ledger.state()?;
        // The workbooks' time: the last event's, so that the same ledger gives the same bytes.
        let created = match ledger.len() {
            0 => 0,
            n => ledger
                .event(n - 1)?
                .event
                .recorded_at
                .div_euclid(1_000_000_000),
        };
        (state, created)
    };
    let point = choose_point(&state, args.point.as_deref())?;
    let known = departments(&state, point);
    if known.is_empty() {
        return Err(Failure::from(t!("sheets-no-items", point = point.label())));
    }
    for d in &args.departments {
        if !known.iter().any(|k| ident::same(k, d.trim())) {
            return Err(Failure::from(t!(
                "round-no-department",
                department = text::escape(d),
                point = point.label(),
                departments = known
                    .iter()
                    .map(|k| text::escape(k))
                    .collect::<Vec<_>>()
                    .join(&t!("list-separator"))
            )));
        }
    }
    let wanted: Vec<String> = args
        .departments
        .iter()
        .map(|d| d.trim().to_string())
        .collect();
    let views = sheet_views(&state, point, &wanted);
    let names: Vec<String> = views.iter().map(|v| v.department.clone()).collect();
    let stems = sheet::unique_stems(point, &names);
    let dir = check_dir(&args.out)?;
    let mut targets = Vec::new();
    for (view, stem) in views.iter().zip(&stems) {
        for (ext, bytes) in render(view, args.format, created)? {
            targets.push(Target {
                path: args.out.join(format!("{stem}.{ext}")),
                bytes,
                department: view.department.clone(),
                items: view.rows.len(),
            });
        }
    }
    for t in &targets {
        check_target(&t.path, args.force)?;
    }
    if !dir {
        std::fs::create_dir_all(&args.out).map_err(|e| {
            Failure::from(t!(
                "sheets-cannot-create",
                dir = args.out.display(),
                error = super::damage::os(&e)
            ))
        })?;
        // Made by us, but it could have been replaced meanwhile.
        check_dir(&args.out)?;
    }
    out(t!(
        "sheets-point",
        point = point.label(),
        id = point.id(),
        count = views.len(),
        reference = views
            .first()
            .and_then(|v| v.reference)
            .map_or_else(|| t!("sheets-no-reference"), |r| r.label())
    ));
    for (done, target) in targets.iter().enumerate() {
        let write = &mut |f: &mut std::fs::File| {
            use std::io::Write;
            f.write_all(&target.bytes)
        };
        let written = match args.force {
            true => safe_fs::replace_path(&target.path, OUTPUT_MODE, write),
            false => safe_fs::create_path_atomic(&target.path, OUTPUT_MODE, write),
        };
        written.map_err(|e| {
            Failure::from(t!(
                "sheets-cannot-write",
                file = target.path.display(),
                error = super::damage::os(&e),
                done = done
            ))
        })?;
        out(t!(
            "sheets-wrote",
            file = target.path.display(),
            department = text::escape(&target.department),
            items = target.items
        ));
    }
    out(t!("sheets-next"));
    Ok(())
}

/// The point of the sheets: in a ledger with rounds, the open round's (`--point` must name an open
/// round); without, `--point` (required).
fn choose_point(state: &State, point: Option<&str>) -> Result<Period, Failure> {
    let given = point
        .map(|p| super::commands::parse_period(state, p))
        .transpose()?;
    if state.rounds.is_empty() {
        return given.ok_or_else(|| Failure::usage(t!("sheets-point-needed")));
    }
    let open: Vec<Period> = state
        .rounds
        .iter()
        .filter(|(_, r)| r.status == RoundStatus::Open)
        .map(|(p, _)| *p)
        .collect();
    let labels = |ps: &[Period]| {
        ps.iter()
            .map(|p| p.label())
            .collect::<Vec<_>>()
            .join(&t!("list-separator"))
    };
    let all = || {
        state
            .rounds
            .iter()
            .map(|(p, r)| {
                t!(
                    "sheets-round",
                    point = p.label(),
                    status = match r.status {
                        RoundStatus::Open => t!("sheets-status-open"),
                        RoundStatus::Closed => t!("sheets-status-closed"),
                        RoundStatus::Published => t!("sheets-status-published"),
                    }
                )
            })
            .collect::<Vec<_>>()
            .join(&t!("list-separator"))
    };
    match (given, open.as_slice()) {
        (Some(p), open) if open.contains(&p) => Ok(p),
        (Some(p), []) => Err(Failure::from(t!(
            "sheets-not-open",
            point = p.label(),
            rounds = all()
        ))),
        (Some(p), open) => Err(Failure::from(t!(
            "sheets-not-open-list",
            point = p.label(),
            open = labels(open)
        ))),
        (None, [one]) => Ok(*one),
        (None, []) => Err(Failure::from(t!("sheets-no-open-round", rounds = all()))),
        (None, several) => Err(Failure::usage(t!(
            "round-several",
            count = several.len(),
            what = t!("rounds-open"),
            points = labels(several)
        ))),
    }
}

/// The files of one sheet in `format`: extension and bytes.
fn render(
    view: &SheetView,
    format: SheetFormat,
    created: i64,
) -> Result<Vec<(&'static str, Vec<u8>)>, Failure> {
    let mut files = Vec::new();
    if matches!(format, SheetFormat::Csv | SheetFormat::Both) {
        files.push(("csv", sheet::csv(view)));
    }
    if matches!(format, SheetFormat::Xlsx | SheetFormat::Both) {
        let bytes = sheet::xlsx(view, created).map_err(|e| {
            Failure::from(t!(
                "sheets-cannot-make",
                department = text::escape(&view.department),
                error = e.to_string()
            ))
        })?;
        files.push(("xlsx", bytes));
    }
    Ok(files)
}

/// Whether `dir` exists as a directory (`false`: it does not exist yet); a link or a file there is
/// refused.
fn check_dir(dir: &Path) -> Result<bool, Failure> {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_symlink() => {
            Err(Failure::from(t!("sheets-dir-link", dir = dir.display())))
        }
        Ok(m) if m.is_dir() => Ok(true),
        Ok(_) => Err(Failure::from(t!("sheets-dir-not-dir", dir = dir.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Failure::from(t!(
            "sheets-cannot-create",
            dir = dir.display(),
            error = super::damage::os(&e)
        ))),
    }
}

/// Refuses a target that exists as a link or anything but a file, or as a file without `force`.
fn check_target(path: &Path, force: bool) -> Result<(), Failure> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            Err(Failure::from(t!("sheets-link", file = path.display())))
        }
        Ok(m) if !m.is_file() => Err(Failure::from(t!("sheets-not-file", file = path.display()))),
        Ok(_) if !force => Err(Failure::from(t!("sheets-exists", file = path.display()))),
        _ => Ok(()),
    }
}
