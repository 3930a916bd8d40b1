//! A table file read and checked against itself before it meets a ledger: its period columns resolved
//! (the era of era-less years: the command's, else the plan's, else Heisei), its grades checked against
//! the plan's scale, and its own total rows recomputed and compared.

use std::collections::BTreeSet;

use crate::domain::item_id::ItemId;
use crate::domain::period::{Era, Period};
use crate::domain::{ident, text};
use crate::import::error::{FileProblem, ImportError, TotalProblem};
use crate::table::TableFormat;
use crate::table::error::{OutOfScale, Problems, TableFileError};
use crate::table::grid::{ReadAs, Source};
use crate::table::layout::Layout;
use crate::table::read::{self as table_file, ParsedTable};

/// Where the era used for the file's era-less years came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EraChoice {
    /// `--era` on the command line.
    Flag(Era),
    /// The plan's default era.
    Plan(Era),
    /// Neither was given: Heisei.
    Default(Era),
}

impl EraChoice {
    /// The era.
    pub fn era(self) -> Era {
        match self {
            EraChoice::Flag(e) | EraChoice::Plan(e) | EraChoice::Default(e) => e,
        }
    }
}

/// A file read, checked against itself, with its periods resolved.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The parsed table.
    pub table: ParsedTable,
    /// The period of each rating column.
    pub periods: Vec<Period>,
    /// The era used for era-less years.
    pub era: EraChoice,
    /// The grade scale stated by the total rows (best first), if the file has them.
    pub grades_from_totals: Option<Vec<String>>,
    /// The file's name and BLAKE3.
    pub source: crate::domain::event::Source,
    /// What the file was read as (its encoding, or its sheet).
    pub read_as: ReadAs,
    /// The problems of its cells, reported with those of its grades against the plan's scale
    /// ([`check_grades`]).
    pub problems: Problems,
}

/// How to read a file: its name (whose extension says its format), its layout (else the known ones
/// are tried), the sheet of a workbook (else its first), and the point of a grade column whose header
/// names none (a layout's `評価`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Reading<'a> {
    pub file_name: &'a str,
    pub layout: Option<&'a Layout>,
    pub sheet: Option<&'a str>,
    pub point: Option<&'a str>,
}

impl Prepared {
    /// The latest period of the table: its follow-up marks and remarks belong to it.
    pub fn latest_period(&self) -> Option<Period> {
        self.periods.iter().max().copied()
    }
}

/// Reads a file with the known layouts and resolves its periods (with `era_flag`, else `plan_era`,
/// else Heisei), refusing it if a cell has a problem. Its grades ([`check_grades`]) and its own total
/// rows ([`check_totals`]) are checked by the caller, which knows the plan's scale.
pub fn prepare(
    bytes: &[u8],
    file_name: &str,
    era_flag: Option<Era>,
    plan_era: Option<Era>,
) -> Result<Prepared, ImportError> {
    let reading = Reading {
        file_name,
        ..Reading::default()
    };
    let p = prepare_with(bytes, &reading, era_flag, plan_era)?;
    p.problems
        .clone()
        .into_result()
        .map_err(ImportError::table)?;
    Ok(p)
}

/// Reads a file as `reading` says and resolves its periods (with `era_flag`, else `plan_era`, else
/// Heisei). The problems of its cells are kept in [`Prepared::problems`], for [`check_grades`] to
/// report with those of its grades.
pub fn prepare_with(
    bytes: &[u8],
    reading: &Reading<'_>,
    era_flag: Option<Era>,
    plan_era: Option<Era>,
) -> Result<Prepared, ImportError> {
    let file_name = reading.file_name;
    let read = table_file::read(
        bytes,
        &table_file::Options {
            source: Source {
                sheet: reading.sheet,
                format: TableFormat::from_file_name(file_name),
                file_name,
            },
            layout: reading.layout,
        },
    )
    .map_err(ImportError::table)?;
    let table = read.table;
    let unnamed = table.periods.iter().position(String::is_empty);
    match (unnamed, reading.point) {
        (Some(i), None) => {
            let (column, header) = table.point_columns.get(i).cloned().unwrap_or_default();
            return Err(ImportError::PointNeeded {
                line: table.header_line,
                column,
                header: text::escape(&header),
            });
        }
        (None, Some(point)) => {
            return Err(ImportError::Problem(FileProblem::PointGiven {
                line: table.header_line,
                point: text::escape(point),
                periods: table.periods.iter().map(|l| text::escape(l)).collect(),
            }));
        }
        _ => {}
    }
    let era = match (era_flag, plan_era) {
        (Some(e), _) => EraChoice::Flag(e),
        (None, Some(e)) => EraChoice::Plan(e),
        (None, None) => EraChoice::Default(Era::Heisei),
    };
    let mut periods = Vec::with_capacity(table.periods.len());
    for label in &table.periods {
        let label = match (label.is_empty(), reading.point) {
            (true, Some(point)) => point,
            _ => label.as_str(),
        };
        if matches!(era, EraChoice::Default(_))
            && Period::parse(label, None).is_err()
            && label.trim_start().starts_with('元')
        {
            return Err(ImportError::EraNeeded {
                line: table.header_line,
                label: text::escape(label),
            });
        }
        let p = Period::parse(label, Some(era.era())).map_err(|why| {
            ImportError::Problem(FileProblem::PeriodColumn {
                line: table.header_line,
                label: text::escape(label),
                why,
            })
        })?;
        if periods.contains(&p) {
            return Err(ImportError::Problem(FileProblem::PeriodTwice {
                line: table.header_line,
                period: p.label(),
            }));
        }
        periods.push(p);
    }
    let grades_from_totals = {
        let g: Vec<String> = table
            .totals
            .iter()
            .map(|t| t.label.clone())
            .filter(|l| !is_total_label(l))
            .collect();
        (!g.is_empty()).then_some(g)
    };
    let prepared = Prepared {
        source: crate::domain::event::Source {
            file_name: file_name.to_string(),
            blake3: *blake3::hash(bytes).as_bytes(),
        },
        read_as: read.read_as,
        problems: read.problems,
        table,
        periods,
        era,
        grades_from_totals,
    };
    Ok(prepared)
}

/// Checks every rating of the file against a grade scale (spaces inside a grade do not count: the
/// reader has dropped them), and reports the problems of its cells ([`Prepared::problems`]) with
/// those of its grades, every bad cell at once, in the file's order.
pub fn check_grades(p: &Prepared, grades: &[String]) -> Result<(), ImportError> {
    let mut scale = Problems::default();
    for row in &p.table.rows {
        for (col, g) in row.ratings.iter().enumerate() {
            if let Some(g) = g
                && !grades.iter().any(|s| ident::same(s, g))
            {
                let (column, header) = p.table.point_columns.get(col).cloned().unwrap_or_default();
                scale.push(TableFileError::NotInScale(Box::new(OutOfScale {
                    line: row.line,
                    column,
                    header,
                    id: row.id.clone(),
                    point: p.periods.get(col).map(Period::label).unwrap_or_default(),
                    grade: text::escape(g),
                    scale: grades.to_vec(),
                })));
            }
        }
    }
    p.problems
        .clone()
        .merge(scale)
        .into_result()
        .map_err(ImportError::table)
}

fn is_total_label(l: &str) -> bool {
    matches!(l, "計" | "合計" | "総計")
}

/// Checks the file's total rows against its own rows, counted as `hyoka summary` counts: every rated
/// row per period and grade (a re-listed item's row counts again, as the 計 row shows), and follow-up
/// items once per original item.
pub fn check_totals(p: &Prepared) -> Result<(), ImportError> {
    let mut problems = Vec::new();
    let mut first_line = None;
    for total in &p.table.totals {
        for (col, (period, stated)) in p.periods.iter().zip(&total.counts).enumerate() {
            let found = p
                .table
                .rows
                .iter()
                .filter(|r| match r.ratings.get(col).cloned().flatten() {
                    None => false,
                    Some(g) => is_total_label(&total.label) || *g == *total.label,
                })
                .count() as u64;
            if found != *stated {
                first_line.get_or_insert(total.line);
                problems.push(TotalProblem::Count {
                    line: total.line,
                    label: text::escape(&total.label),
                    period: period.label(),
                    stated: *stated,
                    found,
                });
            }
        }
        if total.counts.len() != p.periods.len() {
            first_line.get_or_insert(total.line);
            problems.push(TotalProblem::Columns {
                line: total.line,
                label: text::escape(&total.label),
                counts: total.counts.len(),
                periods: p.periods.len(),
            });
        }
    }
    if let Some((line, stated)) = p.table.follow_up_total {
        let found = p
            .table
            .rows
            .iter()
            .filter(|r| r.follow_up)
            .map(|r| r.relisting_of.as_ref().unwrap_or(&r.id))
            .collect::<BTreeSet<&ItemId>>()
            .len() as u64;
        if found != stated {
            first_line.get_or_insert(line);
            problems.push(TotalProblem::FollowUp {
                line,
                stated,
                found,
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ImportError::Problem(FileProblem::Totals { problems }))
    }
}
