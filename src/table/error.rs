//! Everything that can be wrong with a table file, as one error type, so that the importer reports a
//! problem of either format, and of any stage of reading, the same way.
//!
//! Invariants: `Display` is one line that starts `line N: ` with N = [`TableFileError::line`], says what
//! is wrong and how to fix it; cell contents in a message are quoted, escaped and shortened, so a message
//! never holds a line break.

use crate::domain::item_id::ItemId;

/// Everything that can be wrong with a table file. `Display` is one line:
/// `line N: what is wrong; how to fix it`. Cell contents are shown quoted and
/// escaped (and shortened), so the message never contains a line break.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TableFileError {
    #[error(
        "line {line}: the file is not valid UTF-8 text; save it as UTF-8 (Excel: \"CSV UTF-8\" or \"Unicode text\"), not Shift_JIS"
    )]
    InvalidUtf8 { line: usize },
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
        "line {line}: no header row found (expected a row starting with {expected:?}); check that the file is the export of the follow-up table"
    )]
    NoHeader { line: usize, expected: &'static str },
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
        "line {line}: expected at least {expected} columns ({layout}), found {found}; check that the file is the {format} export of the table"
    )]
    TooFewColumns {
        line: usize,
        expected: usize,
        layout: String,
        found: usize,
        format: &'static str,
    },
    #[error(
        "line {line}: unexpected content {cell:?} in column {column} (this row has at most {max} columns); remove it, and check that no cell contains a tab"
    )]
    TooManyColumns {
        line: usize,
        column: usize,
        max: usize,
        cell: String,
    },
    #[error(
        "line {line}: the item cell {cell:?} does not start with an item id; write the id, a space and the title (e.g. \"27 スクラップアンドビルドの徹底\")"
    )]
    BadId { line: usize, cell: String },
    #[error(
        "line {line}: column {column}: the item id {cell:?} starts with No., which names an item only in a re-listing marker (【No.27の再掲】); write the id alone (e.g. 27 for No.27)"
    )]
    IdWithNo {
        line: usize,
        column: usize,
        cell: String,
    },
    #[error("line {line}: item {id} has no title; write the item title after its id")]
    MissingTitle { line: usize, id: ItemId },
    #[error(
        "line {line}: item id {id} is already used on line {first_line}{}; give every item its own id",
        spelled(written, first_written)
    )]
    DuplicateId {
        line: usize,
        first_line: usize,
        id: ItemId,
        /// The id as this line writes it.
        written: String,
        /// The id as the first line writes it.
        first_written: String,
    },
    #[error(
        "line {line}: the first item row has no heading (category) in column 1; write the heading on the first row of each group"
    )]
    MissingHeading { line: usize },
    #[error(
        "line {line}: rating {cell:?} in column {column} is not a single token; write one grade such as S, A or B, or leave the cell empty"
    )]
    BadRating {
        line: usize,
        column: usize,
        cell: String,
    },
    #[error(
        "line {line}: follow-up mark {cell:?} in column {column} is not ○; write ○ for a follow-up item or leave the cell empty"
    )]
    BadMark {
        line: usize,
        column: usize,
        cell: String,
    },
    #[error(
        "line {line}: count {cell:?} in column {column} of total row {label:?} is not a whole number; write the count in digits (0 when there is none)"
    )]
    BadCount {
        line: usize,
        label: String,
        column: usize,
        cell: String,
    },
    #[error(
        "line {line}: a second follow-up item count (the first is on line {first_line}); keep the count only on the first total row"
    )]
    DuplicateFollowUpTotal { line: usize, first_line: usize },
    #[error(
        "line {line}: item row after the total rows (which start on line {totals_line}); move the total rows to the end of the table"
    )]
    RowAfterTotals { line: usize, totals_line: usize },
    #[error(
        "line {line}: CSV header column {column} should be {expected:?} but is {found:?}; use the header hyoka writes ({layout})"
    )]
    CsvHeader {
        line: usize,
        column: usize,
        expected: &'static str,
        found: String,
        layout: &'static str,
    },
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
    #[error("line {line}: column {column}: {problem}")]
    Identifier {
        line: usize,
        column: usize,
        problem: String,
    },
}

impl TableFileError {
    /// The 1-based line the error refers to.
    #[must_use]
    pub fn line(&self) -> usize {
        match self {
            Self::InvalidUtf8 { line }
            | Self::InvalidUtf16 { line }
            | Self::Empty { line }
            | Self::StrayBom { line }
            | Self::NoHeader { line, .. }
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
            | Self::MissingHeading { line }
            | Self::BadRating { line, .. }
            | Self::BadMark { line, .. }
            | Self::BadCount { line, .. }
            | Self::DuplicateFollowUpTotal { line, .. }
            | Self::RowAfterTotals { line, .. }
            | Self::CsvHeader { line, .. }
            | Self::CsvQuoting { line, .. }
            | Self::Csv { line, .. }
            | Self::Identifier { line, .. } => *line,
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
