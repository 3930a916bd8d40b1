//! Everything that can be wrong with a table file, as one error type, so that the importer reports a
//! problem of either format, and of any stage of reading, the same way.
//!
//! Invariants: `Display` is one line that starts `line N: ` (a cell's: `line N, column M (header): `) with
//! N = [`TableFileError::line`], says what is wrong and how to fix it (a cell's, what it would accept); cell contents in a message are quoted, escaped and shortened, so a message
//! never holds a line break.

use crate::domain::item_id::{IdProblem, ItemId};
use crate::table::layout::Expects;

/// Everything that can be wrong with a table file. `Display` is one line:
/// `line N: what is wrong; how to fix it`. Cell contents are shown quoted and
/// escaped (and shortened), so the message never contains a line break.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TableFileError {
    #[error(
        "line {line}: the file starts with the UTF-8 byte-order mark but is not valid UTF-8 text from here; save it again as UTF-8 (Excel: \"CSV UTF-8\")"
    )]
    InvalidUtf8 { line: usize },
    /// Bytes that are neither UTF-8 nor CP932 (Shift_JIS) text: where each reading fails.
    #[error(
        "line {line}: the file is neither UTF-8 text (not from this line) nor Shift_JIS (CP932) text (not from line {cp932_line}); save it as CSV UTF-8, CSV or an Excel workbook (.xlsx)"
    )]
    NotText { line: usize, cp932_line: usize },
    /// A workbook that cannot be read, or is too large to.
    #[error("line 1: the file cannot be read as a table: {problem}")]
    Workbook { problem: String },
    /// A sheet asked for by name that the workbook does not have.
    #[error(
        "line 1: the workbook has no sheet {sheet:?}; its sheets are {}",
        quoted(sheets)
    )]
    NoSuchSheet { sheet: String, sheets: Vec<String> },
    #[error(
        "line {line}: the file is not valid UTF-16 text (broken surrogate pair or odd length); save it again as UTF-8"
    )]
    InvalidUtf16 { line: usize },
    #[error("line {line}: the file is empty; export the follow-up table again")]
    Empty { line: usize },
    #[error(
        "line {line}: a byte-order mark (U+FEFF) starts this line, but one is accepted only at the very start of the file (here it usually means two files were joined); delete it, with any second title or header, and import again"
    )]
    StrayBom { line: usize },
    #[error(
        "line {line}: no header row found (layout {layout} expects {expected}); check that the file is the table, or use a layout that fits its sheet"
    )]
    NoHeader {
        line: usize,
        layout: String,
        expected: Expects,
    },
    /// No known layout finds its header row in the file: each layout and what it expects.
    #[error(
        "line {line}: the file matches none of the known layouts ({}); write a layout for its sheet",
        tried.iter().map(|(name, expects)| format!("{name}: {expects}")).collect::<Vec<_>>().join("; ")
    )]
    NoKnownLayout {
        line: usize,
        tried: Vec<(String, Expects)>,
    },
    /// A header cell that the layout names as no column.
    #[error(
        "line {line}: column {column} of the header ({header:?}) is not a column of layout {layout}{}; name it in the layout (or list it under ignore), or remove the column",
        if *looks_like_point { " and not a reporting point" } else { "" }
    )]
    UnknownColumn {
        line: usize,
        column: usize,
        header: String,
        layout: String,
        /// Whether the layout reads points from header texts (so the cell is not one either).
        looks_like_point: bool,
    },
    /// Two header cells for one column of the layout.
    #[error(
        "line {line}: columns {first_column} and {column} of the header both hold the {key} ({header:?}); keep one"
    )]
    DuplicateColumn {
        line: usize,
        first_column: usize,
        column: usize,
        key: &'static str,
        header: String,
    },
    #[error(
        "line {line}: the header has no period columns; put the fiscal years (e.g. 26年度) from column 3 of the header and the terms (e.g. 上半期) in the row below, or the full period labels in the CSV header"
    )]
    NoPeriods { line: usize },
    #[error(
        "line {line}: period column {column} of the header has no fiscal year; write the year (e.g. 26年度) above the first term of each year"
    )]
    PeriodWithoutYear { line: usize, column: usize },
    #[error(
        "line {line}: this header has periods {found:?} but the first header (line {first_line}) has {expected:?}; make every page header identical"
    )]
    HeaderMismatch {
        line: usize,
        first_line: usize,
        expected: Vec<String>,
        found: Vec<String>,
    },
    #[error(
        "line {line}: the table has no item rows after the header; check that the file is the complete export of the table"
    )]
    NoDataRows { line: usize },
    #[error(
        "line {line}: expected at least {expected} columns ({layout}), found {found}; check that the row is complete and that the file is the table (read with layout {format})"
    )]
    TooFewColumns {
        line: usize,
        expected: usize,
        layout: RowColumns,
        found: usize,
        /// The layout's name.
        format: String,
    },
    #[error(
        "{}: unexpected content {cell:?} (this row has at most {max} columns); remove it, and check that no cell contains a tab",
        place(*line, *column, header)
    )]
    TooManyColumns {
        line: usize,
        column: usize,
        header: String,
        max: usize,
        cell: String,
    },
    #[error(
        "{}: the item cell {cell:?} does not start with an item id; write the id, a space and the title (e.g. \"27 スクラップアンドビルドの徹底\")",
        place(*line, *column, header)
    )]
    BadId {
        line: usize,
        column: usize,
        header: String,
        cell: String,
    },
    #[error(
        "{}: the item id {cell:?} starts with No., which names an item only in a re-listing marker (【No.27の再掲】); write the id alone (e.g. 27 for No.27)",
        place(*line, *column, header)
    )]
    IdWithNo {
        line: usize,
        column: usize,
        header: String,
        cell: String,
    },
    #[error(
        "{}: item {id} has no title; write the item title{}",
        place(*line, *column, header),
        if *with_id { " after its id" } else { "" }
    )]
    MissingTitle {
        line: usize,
        column: usize,
        header: String,
        id: ItemId,
        /// The title is written after the id in one cell.
        with_id: bool,
    },
    #[error(
        "{}: item id {id} is already used on line {first_line}{}; give every item its own id",
        place(*line, *column, header),
        spelled(written, first_written)
    )]
    DuplicateId {
        line: usize,
        column: usize,
        header: String,
        first_line: usize,
        id: ItemId,
        /// The id as this line writes it.
        written: String,
        /// The id as the first line writes it.
        first_written: String,
    },
    #[error(
        "{}: the first item row has no heading (category); write the heading on the first row of each group",
        place(*line, *column, header)
    )]
    MissingHeading {
        line: usize,
        column: usize,
        header: String,
    },
    #[error(
        "{}: follow-up mark {cell:?} is not ○; write ○ for a follow-up item or leave the cell empty",
        place(*line, *column, header)
    )]
    BadMark {
        line: usize,
        column: usize,
        header: String,
        cell: String,
    },
    #[error(
        "{}: count {cell:?} of total row {label:?} is not a whole number; write the count in digits (0 when there is none)",
        place(*line, *column, header)
    )]
    BadCount {
        line: usize,
        column: usize,
        header: String,
        label: String,
        cell: String,
    },
    /// A grade the plan's scale does not have (spaces inside a grade do not count).
    #[error("{0}")]
    NotInScale(Box<OutOfScale>),
    #[error(
        "line {line}: a second follow-up item count (the first is on line {first_line}); keep the count only on the first total row"
    )]
    DuplicateFollowUpTotal { line: usize, first_line: usize },
    #[error(
        "line {line}: item row after the total rows (which start on line {totals_line}); move the total rows to the end of the table"
    )]
    RowAfterTotals { line: usize, totals_line: usize },
    #[error("line {line}: CSV quoting error: {problem}; {fix}")]
    CsvQuoting {
        line: usize,
        problem: &'static str,
        fix: &'static str,
    },
    #[error("line {line}: CSV error: {message}; save the file again as CSV (UTF-8)")]
    Csv { line: usize, message: String },
    /// A heading, item id, department or grade that breaks the rule of [`crate::domain::ident`], or an
    /// item id that [`ItemId::parse`] refuses; `problem` says what is wrong and what to write.
    #[error("{}: {problem}", place(*line, *column, header))]
    Identifier {
        line: usize,
        column: usize,
        header: String,
        problem: IdProblem,
    },
    /// Several problems (each cell's), in the file's order: the first [`MAX_PROBLEMS`] of them, and how
    /// many more there are. Never holds one problem alone, nor another `Many`.
    #[error(
        "line {}: {} problems in the file{}: {}",
        problems.first().map_or(1, TableFileError::line),
        problems.len() + omitted,
        if *omitted > 0 { format!(" ({omitted} not shown)") } else { String::new() },
        problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    Many {
        problems: Vec<TableFileError>,
        omitted: usize,
    },
}

/// A grade the plan's scale does not have: where, for which item and point, and the scale.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{}: item {id}, {point}: grade `{grade}` is not in the plan's scale; use one of {}, 対象外, or leave the cell empty",
    place(*line, *column, header),
    scale.join(", ")
)]
pub struct OutOfScale {
    pub line: usize,
    pub column: usize,
    pub header: String,
    pub id: ItemId,
    /// The point's label.
    pub point: String,
    /// The cell, escaped.
    pub grade: String,
    pub scale: Vec<String>,
}

/// What an item row of a layout holds, for messages. `Display` is its English: `heading, id, title,
/// department, 2 points, follow-up, remark`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowColumns {
    /// The title has a column of its own (else it follows the id in one cell).
    pub title_apart: bool,
    /// How many point columns.
    pub points: usize,
    /// A follow-up mark column.
    pub follow_up: bool,
    /// A remark column.
    pub remark: bool,
}

impl std::fmt::Display for RowColumns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = vec!["heading".to_string()];
        match self.title_apart {
            false => parts.push("id and title".into()),
            true => {
                parts.push("id".into());
                parts.push("title".into());
            }
        }
        parts.push("department".into());
        parts.push(format!("{} points", self.points));
        if self.follow_up {
            parts.push("follow-up".into());
        }
        if self.remark {
            parts.push("remark".into());
        }
        write!(f, "{}", parts.join(", "))
    }
}

/// The most problems of a file reported one by one; the rest are counted.
pub const MAX_PROBLEMS: usize = 100;

/// Problems of a file, collected as they are found: the first [`MAX_PROBLEMS`] kept, the rest
/// counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems {
    /// The problems kept.
    pub list: Vec<TableFileError>,
    /// How many more were found.
    pub omitted: usize,
}

impl Problems {
    /// Adds one.
    pub fn push(&mut self, e: TableFileError) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(e);
        } else {
            self.omitted += 1;
        }
    }

    /// Whether none was found.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Merges two lists, in the file's order (line, then column), keeping the first [`MAX_PROBLEMS`].
    #[must_use]
    pub fn merge(mut self, other: Problems) -> Problems {
        let omitted = self.omitted + other.omitted;
        self.list.extend(other.list);
        self.list.sort_by_key(|e| (e.line(), e.column()));
        let extra = self.list.len().saturating_sub(MAX_PROBLEMS);
        self.list.truncate(MAX_PROBLEMS);
        Problems {
            list: self.list,
            omitted: omitted + extra,
        }
    }

    /// None: `Ok`; one: that error; more: [`TableFileError::Many`].
    ///
    /// # Errors
    ///
    /// When there is a problem.
    pub fn into_result(mut self) -> Result<()> {
        self.list.sort_by_key(|e| (e.line(), e.column()));
        match (self.list.len(), self.omitted) {
            (0, _) => Ok(()),
            (1, 0) => Err(self.list.remove(0)),
            _ => Err(TableFileError::Many {
                problems: self.list,
                omitted: self.omitted,
            }),
        }
    }
}

/// Where a cell is, for a message: `line 12, column 4 (26年度上半期)`.
fn place(line: usize, column: usize, header: &str) -> String {
    if header.is_empty() {
        format!("line {line}, column {column}")
    } else {
        format!("line {line}, column {column} ({header})")
    }
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl TableFileError {
    /// The 1-based line the error refers to.
    #[must_use]
    pub fn line(&self) -> usize {
        match self {
            Self::Workbook { .. } | Self::NoSuchSheet { .. } => 1,
            Self::NotInScale(n) => n.line,
            Self::Many { problems, .. } => problems.first().map_or(1, TableFileError::line),
            Self::InvalidUtf8 { line }
            | Self::NotText { line, .. }
            | Self::InvalidUtf16 { line }
            | Self::Empty { line }
            | Self::StrayBom { line }
            | Self::NoHeader { line, .. }
            | Self::NoKnownLayout { line, .. }
            | Self::UnknownColumn { line, .. }
            | Self::DuplicateColumn { line, .. }
            | Self::NoPeriods { line }
            | Self::PeriodWithoutYear { line, .. }
            | Self::HeaderMismatch { line, .. }
            | Self::NoDataRows { line }
            | Self::TooFewColumns { line, .. }
            | Self::TooManyColumns { line, .. }
            | Self::BadId { line, .. }
            | Self::IdWithNo { line, .. }
            | Self::MissingTitle { line, .. }
            | Self::DuplicateId { line, .. }
            | Self::MissingHeading { line, .. }
            | Self::BadMark { line, .. }
            | Self::BadCount { line, .. }
            | Self::DuplicateFollowUpTotal { line, .. }
            | Self::RowAfterTotals { line, .. }
            | Self::CsvQuoting { line, .. }
            | Self::Csv { line, .. }
            | Self::Identifier { line, .. } => *line,
        }
    }

    /// The 1-based column the error refers to, 0 for a whole row or file.
    #[must_use]
    pub fn column(&self) -> usize {
        match self {
            Self::UnknownColumn { column, .. }
            | Self::DuplicateColumn { column, .. }
            | Self::TooManyColumns { column, .. }
            | Self::BadId { column, .. }
            | Self::IdWithNo { column, .. }
            | Self::MissingTitle { column, .. }
            | Self::DuplicateId { column, .. }
            | Self::MissingHeading { column, .. }
            | Self::BadMark { column, .. }
            | Self::BadCount { column, .. }
            | Self::Identifier { column, .. }
            | Self::PeriodWithoutYear { column, .. } => *column,
            Self::NotInScale(n) => n.column,
            _ => 0,
        }
    }
}

/// How two lines spell one id, when they spell it differently (`１２` and `12`).
fn spelled(written: &str, first: &str) -> String {
    if written == first {
        String::new()
    } else {
        format!(" (written {written:?} here and {first:?} there, the same id)")
    }
}

/// The result of every stage of reading a table file.
pub(super) type Result<T> = std::result::Result<T, TableFileError>;
