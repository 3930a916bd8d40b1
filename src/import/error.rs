//! Why an import cannot go ahead: the file is wrong (its problems, every bad cell's at once), or a change
//! it decides is refused at a line.

use crate::domain::period::PeriodError;
use crate::domain::state::Refused;
use crate::table::error::TableFileError;

/// An import that cannot go ahead. One line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The ledger has no plan to import into.
    #[error("the ledger has no plan")]
    NoPlan,
    /// A change decided from line `line` that the domain rules refuse.
    #[error("line {line}: {refused}")]
    Refused {
        /// The file's line.
        line: usize,
        /// The refusal.
        refused: Refused,
    },
    /// The file's periods or totals are wrong.
    #[error("{0}")]
    Problem(FileProblem),
    /// The file's layout or cells are wrong: one problem, or several ([`TableFileError::Many`]).
    #[error("{0}")]
    Table(Box<TableFileError>),
    /// A point column whose header does not say its point (the layout's, e.g. 評価), and no point given.
    #[error(
        "line {line}, column {column} ({header}): the column's header does not say which reporting point its grades are for"
    )]
    PointNeeded {
        /// The header's line.
        line: usize,
        /// The column, 1-based.
        column: usize,
        /// Its header text.
        header: String,
    },
    /// A period column whose year is 元 without an era, when neither the command nor the plan gives
    /// one: 元年 is the first year of both 平成 and 令和, and guessing would file a year 30 years off.
    #[error(
        "line {line}: period column `{label}`: 元年 without an era is the first year of both 平成 and 令和, and nothing says which"
    )]
    EraNeeded {
        /// The header's line.
        line: usize,
        /// The column's label, escaped.
        label: String,
    },
}

/// What is wrong with a file's periods or totals (its cells and layout are [`TableFileError`]). One
/// line; values quoted and escaped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FileProblem {
    /// A point given to a file whose header names the point of every grade column.
    #[error(
        "line {line}: a point ({point}) was given, but the header names the point of every grade column ({}); the file says its points itself",
        periods.join(", ")
    )]
    PointGiven {
        line: usize,
        point: String,
        /// The header's period labels, escaped.
        periods: Vec<String>,
    },
    /// A period column whose label is no period of the plan.
    #[error("line {line}: period column `{label}`: {why}")]
    PeriodColumn {
        line: usize,
        /// The label, escaped.
        label: String,
        why: PeriodError,
    },
    /// Two columns of one period.
    #[error("line {line}: the period {period} appears in two columns; each period has one column")]
    PeriodTwice { line: usize, period: String },
    /// Total rows that disagree with the file's own rows.
    #[error(
        "the file's totals disagree with its rows: {}; correct the table or its total rows, nothing was imported",
        problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    Totals { problems: Vec<TotalProblem> },
}

/// One count of a total row that disagrees with the file's rows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TotalProblem {
    /// A grade's (or all grades') count at a period.
    #[error("line {line} (row {label}), {period}: the file says {stated}, its rows give {found}")]
    Count {
        line: usize,
        /// The row's label, escaped.
        label: String,
        /// The period's label.
        period: String,
        stated: u64,
        found: u64,
    },
    /// A total row with another number of counts than the file has periods.
    #[error("line {line} (row {label}): {counts} counts for {periods} periods")]
    Columns {
        line: usize,
        label: String,
        counts: usize,
        periods: usize,
    },
    /// The count of follow-up items.
    #[error(
        "line {line}, follow-up items: the file says {stated}, its rows give {found} (a re-listed item counts once)"
    )]
    FollowUp {
        line: usize,
        stated: u64,
        found: u64,
    },
}

impl ImportError {
    /// The file's problem (or problems).
    pub fn table(e: TableFileError) -> ImportError {
        ImportError::Table(Box::new(e))
    }
}
