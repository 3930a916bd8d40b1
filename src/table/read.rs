//! Parser for a city's published follow-up table of an administrative-reform
//! plan, and for the TSV and CSV files hyoka writes itself.
//!
//! # Input formats
//!
//! **TSV (Excel "tab-separated text" export, and hyoka's own TSV).**
//! Empty lines (also lines of only tabs/whitespace) are ignored anywhere;
//! non-empty lines before the first header are ignored too (titles).
//! The header is two rows and starts at the first row whose first cell is
//! `項目`. It is shifted one column left of the data, because `項目` spans the
//! heading and item columns:
//!
//! ```text
//! 項目  主な推進担当課  26年度  ""      27年度  フォローアップ対象項目  理由等
//! ""    ""              上半期  年度末  上半期  ""                      ""
//! ```
//!
//! Period columns are header columns 3, 4, ... as long as row 2 has a term or
//! row 1 has a year (a cell containing `年`). A year cell applies to the
//! following empty cells (carry forward); a period label is year + term
//! (`26年度上半期`, `平成26年度年度末`). If the row after `項目…` is not a term
//! row (its first two cells are not both empty), the header is a single row
//! whose period cells are full labels. A repeated header (page break) must
//! have the same periods as the first one and is skipped.
//!
//! Data rows, with P periods: `heading, "N title", department, P ratings`,
//! then either `[remark]` (where a follow-up mark may be folded into the
//! remark as `○ ` + text) or `[mark, remark]` (mark `○` or empty). Further
//! trailing cells must be empty. An empty heading means "same as the row
//! above". Total rows (at the end) have an empty first cell and a short
//! label (`S`, `A`, `B`, `計`, ...) in column 2, followed by P counts and,
//! optionally, the number of follow-up items.
//!
//! **CSV (hyoka's open-data export).** RFC 4180, one header row
//! `分類,番号,項目,主な推進担当課,<period labels…>,フォローアップ対象,理由等`,
//! then one row per item. Every cell is passed through [`unneutralise_cell`]
//! before it is interpreted.
//!
//! In both formats a title may carry a re-listing marker such as
//! `【No.27の再掲】` (also `NO.`, `Ｎｏ．`, full-width digits, spaces around
//! the number); it is removed from the title and returned as
//! [`ParsedRow::relisting_of`].
//!
//! All cells are trimmed of surrounding whitespace (ASCII, ideographic space
//! U+3000 and other Unicode white space but the line and paragraph separators
//! U+2028 and U+2029, which an identifier may not hold); the inside of a cell is kept
//! verbatim, except grades (ratings and total-row labels), which are read in
//! NFKC (a full-width `Ａ` is `A`). Identifiers (headings, item numbers,
//! departments, grades) follow the rule of [`crate::domain::ident`]: a cell holding a
//! character that does not show when printed is refused, naming it.
//!
//! Encodings: UTF-8 with or without BOM, and UTF-16 with BOM (Excel's
//! "Unicode text"). Line ends LF, CRLF or CR. A BOM (U+FEFF) is accepted
//! only at the very start of the file: one starting any line after it (two
//! files joined, or a stray mark) is refused with its line number, as it
//! would otherwise make an invisible heading that the rows below fall under.
//!
//! Everything here is total: no panics on any input, and allocations are
//! proportional to the input size.

use std::borrow::Cow;
use std::collections::HashMap;

/// Which format to parse the bytes as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FormatHint {
    /// CSV if the first non-empty line contains no tab and starts with
    /// `分類,`; TSV otherwise.
    #[default]
    Auto,
    Tsv,
    Csv,
}

impl FormatHint {
    /// Hint from a file name: `.csv` means CSV, `.tsv` means TSV, anything
    /// else (e.g. Excel's `.txt`) means auto-detection. Case-insensitive.
    #[must_use]
    pub fn from_file_name(name: &str) -> FormatHint {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            FormatHint::Csv
        } else if lower.ends_with(".tsv") {
            FormatHint::Tsv
        } else {
            FormatHint::Auto
        }
    }
}

/// The format a table was parsed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Tsv,
    Csv,
}

/// A parsed follow-up table. Line numbers are 1-based lines of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedTable {
    pub format: TableFormat,
    /// Period labels in column order: year cell + term cell, e.g.
    /// `26年度上半期` (TSV), or the header cell as is (CSV).
    pub periods: Vec<String>,
    /// Line of the (first) header row.
    pub header_line: usize,
    pub rows: Vec<ParsedRow>,
    /// Total rows as written in the file, unchecked.
    pub totals: Vec<TotalRow>,
    /// Number of follow-up items stated in the totals (line, count).
    pub follow_up_total: Option<(usize, u64)>,
}

/// A grade as read from a file, shared by the cells that hold it.
pub type Grade = std::sync::Arc<str>;

/// One item row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRow {
    pub line: usize,
    /// Heading of the group (carried down from the row above when empty).
    pub category: String,
    pub number: u32,
    /// Title without any re-listing marker.
    pub title: String,
    /// `Some(27)` when the title carried `【No.27の再掲】`.
    pub relisting_of: Option<u32>,
    pub department: String,
    /// One entry per period; `None` for an empty cell. Equal grades share one string (a file of a
    /// million cells holds a few grades, not a million strings).
    pub ratings: Vec<Option<Grade>>,
    pub follow_up: bool,
    pub remark: String,
}

/// One total row: a label (`S`, `A`, `B`, `計`, ...) and a count per period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalRow {
    pub line: usize,
    pub label: String,
    pub counts: Vec<u64>,
}

/// Everything that can be wrong with a table file. `Display` is one line:
/// `line N: what is wrong; how to fix it`. Cell contents are shown quoted and
/// escaped (and shortened), so the message never contains a line break.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
        "line {line}: the item cell {cell:?} does not start with an item number; write it as the number, a space and the title (e.g. \"27 スクラップアンドビルドの徹底\")"
    )]
    BadNumber { line: usize, cell: String },
    #[error(
        "line {line}: item number {cell:?} is out of range; item numbers must be between 0 and 4294967295"
    )]
    NumberOutOfRange { line: usize, cell: String },
    #[error("line {line}: item {number} has no title; write the item title after its number")]
    MissingTitle { line: usize, number: u32 },
    #[error(
        "line {line}: item number {number} is already used on line {first_line}; give every item its own number"
    )]
    DuplicateNumber {
        line: usize,
        first_line: usize,
        number: u32,
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
    /// A heading, item number, department or grade that breaks the rule of
    /// [`crate::domain::ident`]; `problem` names the character and says what to do.
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
            | Self::BadNumber { line, .. }
            | Self::NumberOutOfRange { line, .. }
            | Self::MissingTitle { line, .. }
            | Self::DuplicateNumber { line, .. }
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

type Result<T> = std::result::Result<T, TableFileError>;

/// Characters that make a spreadsheet treat a cell as a formula (or that
/// hyoka's escape itself starts with).
const NEUTRALISE_TRIGGERS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// Neutralises a cell against formula injection for CSV output.
///
/// Rule: if the cell starts with `=`, `+`, `-`, `@`, tab, CR or a single
/// quote `'`, prefix it with one `'`; otherwise leave it unchanged.
/// [`unneutralise_cell`] is its exact inverse: `unneutralise_cell(
/// &neutralise_cell(s)) == s` for every string `s` (a cell that itself
/// starts with `'` is written as `''…`, so the escape is unambiguous).
#[must_use]
pub fn neutralise_cell(s: &str) -> Cow<'_, str> {
    if s.starts_with(NEUTRALISE_TRIGGERS) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Undoes [`neutralise_cell`]: strips exactly one leading `'` if and only if
/// the rest starts with one of `=`, `+`, `-`, `@`, tab, CR, `'`. A cell
/// starting with `'` followed by anything else (or a lone `'`) is returned
/// verbatim.
#[must_use]
pub fn unneutralise_cell(s: &str) -> Cow<'_, str> {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(NEUTRALISE_TRIGGERS) => Cow::Borrowed(rest),
        _ => Cow::Borrowed(s),
    }
}

/// Parses a follow-up table file (TSV or CSV, see the module documentation).
///
/// # Errors
///
/// A [`TableFileError`] naming the offending line when the file is not
/// valid text, has no header, period columns or item rows, or a row is
/// malformed.
pub fn parse(bytes: &[u8], hint: FormatHint) -> Result<ParsedTable> {
    let text = decode(bytes)?;
    let text: &str = &text;
    if text.chars().all(char::is_whitespace) {
        return Err(TableFileError::Empty { line: 1 });
    }
    check_no_stray_bom(text)?;
    let format = match hint {
        FormatHint::Tsv => TableFormat::Tsv,
        FormatHint::Csv => TableFormat::Csv,
        FormatHint::Auto => detect(text),
    };
    match format {
        TableFormat::Tsv => parse_tsv(text),
        TableFormat::Csv => parse_csv(text),
    }
}

// ---------------------------------------------------------------- decoding

fn decode(bytes: &[u8]) -> Result<Cow<'_, str>> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return decode_utf16(rest, u16::from_le_bytes).map(Cow::Owned);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return decode_utf16(rest, u16::from_be_bytes).map(Cow::Owned);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(e) => {
            let valid = bytes.get(..e.valid_up_to()).unwrap_or_default();
            let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
            Err(TableFileError::InvalidUtf8 { line })
        }
    }
}

/// Refuses a BOM starting a line: [`decode`] has removed the one at the very
/// start of the file, so any left is a second file's, or a stray one.
fn check_no_stray_bom(text: &str) -> Result<()> {
    let newline = newline_char(text);
    match text.split(newline).position(|l| l.starts_with('\u{FEFF}')) {
        Some(i) => Err(TableFileError::StrayBom { line: i + 1 }),
        None => Ok(()),
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String> {
    let chunks = bytes.chunks_exact(2);
    let odd = !chunks.remainder().is_empty();
    let units = chunks.map(|c| match c {
        [a, b] => unit([*a, *b]),
        _ => 0,
    });
    let mut out = String::with_capacity(bytes.len());
    let mut line = 1;
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => {
                if c == '\n' {
                    line += 1;
                }
                out.push(c);
            }
            Err(_) => return Err(TableFileError::InvalidUtf16 { line }),
        }
    }
    if odd {
        return Err(TableFileError::InvalidUtf16 { line });
    }
    Ok(out)
}

/// Lines with their 1-based numbers, without line terminators.
fn lines(text: &str) -> Vec<(usize, &str)> {
    text.split(newline_char(text))
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .collect()
}

fn detect(text: &str) -> TableFormat {
    let first = lines(text)
        .into_iter()
        .map(|(_, l)| l)
        .find(|l| !l.chars().all(char::is_whitespace));
    match first {
        Some(l) if !l.contains('\t') && (l.starts_with("分類,") || l.starts_with("\"分類\",")) => {
            TableFormat::Csv
        }
        _ => TableFormat::Tsv,
    }
}

// ------------------------------------------------------------ cell helpers

/// Surrounding white space removed, except U+2028 and U+2029, which
/// [`crate::domain::ident`] names in an identifier rather than drop them unseen.
fn trim(s: &str) -> &str {
    crate::domain::ident::trim(s)
}

fn cell<'a>(cells: &[&'a str], index: usize) -> &'a str {
    cells.get(index).map_or("", |c| trim(c))
}

fn is_blank(cells: &[&str]) -> bool {
    cells.iter().all(|c| trim(c).is_empty())
}

/// A cell content for an error message: at most 40 characters.
fn shown(s: &str) -> String {
    const MAX: usize = 40;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", s.get(..i).unwrap_or_default()),
        None => s.to_owned(),
    }
}

fn digit_value(c: char) -> Option<u64> {
    match c {
        '0'..='9' => Some(u64::from(c) - u64::from('0')),
        '０'..='９' => Some(u64::from(c) - u64::from('０')),
        _ => None,
    }
}

fn is_digit(c: char) -> bool {
    digit_value(c).is_some()
}

/// Parses a non-empty string of ASCII or full-width digits. `None` if empty,
/// not all digits, or too large for `u64`.
fn parse_digits(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.chars().try_fold(0u64, |acc, c| {
        acc.checked_mul(10)?.checked_add(digit_value(c)?)
    })
}

fn is_mark(s: &str) -> bool {
    matches!(s, "○" | "◯")
}

/// Splits a remark cell with an optionally folded follow-up mark (`○ text`).
fn unfold_mark(remark: &str) -> (bool, String) {
    let remark = trim(remark);
    if is_mark(remark) {
        return (true, String::new());
    }
    let rest = remark
        .strip_prefix('○')
        .or_else(|| remark.strip_prefix('◯'));
    match rest {
        Some(rest) if rest.starts_with(char::is_whitespace) => (true, trim(rest).to_owned()),
        _ => (false, remark.to_owned()),
    }
}

/// Removes a re-listing marker `【No.27の再掲】` from a title.
fn split_relisting(title: &str) -> (String, Option<u32>) {
    for (start, _) in title.match_indices('【') {
        let (Some(before), Some(body)) = (title.get(..start), title.get(start + '【'.len_utf8()..))
        else {
            continue;
        };
        if let Some((number, after)) = relisting_body(body) {
            let joined = format!("{before}{after}");
            return (trim(&joined).to_owned(), Some(number));
        }
    }
    (title.to_owned(), None)
}

/// Parses `No.27の再掲】` (after the `【`), returning the number and the text
/// after the `】`.
fn relisting_body(s: &str) -> Option<(u32, &str)> {
    let s = s.trim_start_matches(char::is_whitespace);
    let s = s.strip_prefix(['N', 'n', 'Ｎ', 'ｎ'])?;
    let s = s.strip_prefix(['O', 'o', 'Ｏ', 'ｏ'])?;
    let s = s.strip_prefix(['.', '．']).unwrap_or(s);
    let s = s.trim_start_matches(char::is_whitespace);
    let end = s.find(|c: char| !is_digit(c)).unwrap_or(s.len());
    let (digits, s) = s.split_at_checked(end)?;
    let number = u32::try_from(parse_digits(digits)?).ok()?;
    let s = s.trim_start_matches(char::is_whitespace);
    let s = s.strip_prefix("の再掲")?;
    let s = s.trim_start_matches(char::is_whitespace);
    let s = s.strip_prefix('】')?;
    Some((number, s))
}

/// The rule of [`crate::domain::ident`] on a cell holding an identifier (which may be
/// empty).
fn check_ident(line: usize, column: usize, field: &str, s: &str) -> Result<()> {
    crate::domain::ident::check_visible(field, s).map_err(|problem| TableFileError::Identifier {
        line,
        column,
        problem,
    })
}

/// A grade as it is recorded: one word, in NFKC ([`crate::domain::ident::token`]).
fn grade(line: usize, column: usize, s: &str) -> Result<String> {
    crate::domain::ident::token("grade", s).map_err(|problem| TableFileError::Identifier {
        line,
        column,
        problem,
    })
}

fn parse_rating(line: usize, column: usize, raw: &str) -> Result<Option<String>> {
    let r = trim(raw);
    if r.is_empty() {
        return Ok(None);
    }
    // First, so that U+2028 (white space too) is named.
    check_ident(line, column, "grade", r)?;
    if r.contains(char::is_whitespace) {
        return Err(TableFileError::BadRating {
            line,
            column,
            cell: shown(r),
        });
    }
    grade(line, column, r).map(Some)
}

fn parse_number(line: usize, raw: &str) -> Result<u32> {
    let n = trim(raw);
    if !n.starts_with(is_digit) || !n.chars().all(is_digit) {
        return Err(TableFileError::BadNumber {
            line,
            cell: shown(n),
        });
    }
    parse_digits(n)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| TableFileError::NumberOutOfRange {
            line,
            cell: shown(n),
        })
}

/// Shared bookkeeping for item rows of both formats.
#[derive(Default)]
struct RowCollector {
    rows: Vec<ParsedRow>,
    seen: HashMap<u32, usize>,
    category: Option<String>,
    /// The distinct grades read so far.
    grades: Vec<Grade>,
}

struct RowInput<'a> {
    line: usize,
    heading: &'a str,
    number: u32,
    title: &'a str,
    department: &'a str,
    ratings: Vec<Option<String>>,
    follow_up: bool,
    remark: String,
}

impl RowCollector {
    fn grade(&mut self, g: String) -> Grade {
        if let Some(known) = self.grades.iter().find(|k| ***k == *g) {
            return known.clone();
        }
        let new: Grade = g.into();
        self.grades.push(new.clone());
        new
    }

    fn push(&mut self, r: RowInput<'_>) -> Result<()> {
        let heading = trim(r.heading);
        if !heading.is_empty() {
            self.category = Some(heading.to_owned());
        }
        let Some(category) = self.category.clone() else {
            return Err(TableFileError::MissingHeading { line: r.line });
        };
        let (title, relisting_of) = split_relisting(trim(r.title));
        if title.is_empty() {
            return Err(TableFileError::MissingTitle {
                line: r.line,
                number: r.number,
            });
        }
        if let Some(&first_line) = self.seen.get(&r.number) {
            return Err(TableFileError::DuplicateNumber {
                line: r.line,
                first_line,
                number: r.number,
            });
        }
        self.seen.insert(r.number, r.line);
        // A new vector of the exact size (collecting in place would keep the larger one).
        let mut ratings = Vec::with_capacity(r.ratings.len());
        for g in r.ratings {
            ratings.push(g.map(|g| self.grade(g)));
        }
        self.rows.push(ParsedRow {
            line: r.line,
            category,
            number: r.number,
            title,
            relisting_of,
            department: trim(r.department).to_owned(),
            ratings,
            follow_up: r.follow_up,
            remark: r.remark,
        });
        Ok(())
    }
}

// --------------------------------------------------------------------- TSV

/// Period labels from the header row(s). Returns the labels and how many
/// lines the header takes (1 or 2).
fn tsv_header(line: usize, row1: &[&str], row2: Option<&[&str]>) -> Result<(Vec<String>, usize)> {
    let looks_like_year = |s: &str| s.contains('年');
    let mut periods = Vec::new();
    let two_rows = row2.filter(|r2| {
        cell(r2, 0).is_empty()
            && cell(r2, 1).is_empty()
            && r2.iter().skip(2).any(|c| !trim(c).is_empty())
    });
    let used = match two_rows {
        Some(r2) => {
            let mut year: Option<&str> = None;
            for column in 2..row1.len().max(r2.len()) {
                let y = cell(row1, column);
                let term = cell(r2, column);
                if term.is_empty() && !looks_like_year(y) {
                    break;
                }
                if !y.is_empty() {
                    year = Some(y);
                }
                let Some(year) = year else {
                    return Err(TableFileError::PeriodWithoutYear {
                        line,
                        column: column + 1,
                    });
                };
                periods.push(format!("{year}{term}"));
            }
            2
        }
        None => {
            for column in 2..row1.len() {
                let label = cell(row1, column);
                if !looks_like_year(label) {
                    break;
                }
                periods.push(label.to_owned());
            }
            1
        }
    };
    if periods.is_empty() {
        return Err(TableFileError::NoPeriods { line });
    }
    Ok((periods, used))
}

fn tsv_layout(p: usize) -> String {
    format!("heading, number and title, department, {p} ratings, remark")
}

fn is_total_row(cells: &[&str], in_totals: bool) -> bool {
    let label = cell(cells, 1);
    cell(cells, 0).is_empty()
        && !label.is_empty()
        && !label.contains(char::is_whitespace)
        && !label.starts_with(is_digit)
        && (in_totals || label.chars().count() <= 4 || cell(cells, 2).starts_with(is_digit))
}

fn parse_tsv(text: &str) -> Result<ParsedTable> {
    let all = lines(text);
    let mut header: Option<(usize, Vec<String>)> = None;
    let mut collector = RowCollector::default();
    let mut totals: Vec<TotalRow> = Vec::new();
    let mut follow_up_total: Option<(usize, u64)> = None;
    let mut first_nonblank: Option<usize> = None;
    let mut i = 0;
    while let Some(&(line, text)) = all.get(i) {
        i += 1;
        let cells: Vec<&str> = text.split('\t').collect();
        if is_blank(&cells) {
            continue;
        }
        first_nonblank.get_or_insert(line);
        if cell(&cells, 0) == "項目" {
            let next: Option<Vec<&str>> = all.get(i).map(|(_, l)| l.split('\t').collect());
            let (periods, used) = tsv_header(line, &cells, next.as_deref())?;
            i += used - 1;
            match &header {
                None => header = Some((line, periods)),
                Some((first_line, expected)) if *expected != periods => {
                    return Err(TableFileError::HeaderMismatch {
                        line,
                        first_line: *first_line,
                        expected: expected.clone(),
                        found: periods,
                    });
                }
                Some(_) => {}
            }
            continue;
        }
        let Some((_, periods)) = &header else {
            continue; // title lines before the header
        };
        let p = periods.len();
        if is_total_row(&cells, !totals.is_empty()) {
            let label = grade(line, 2, cell(&cells, 1))?;
            let count = |column: usize| -> Result<u64> {
                let c = cell(&cells, column);
                parse_digits(c).ok_or_else(|| TableFileError::BadCount {
                    line,
                    label: shown(&label),
                    column: column + 1,
                    cell: shown(c),
                })
            };
            let counts = (2..2 + p).map(count).collect::<Result<Vec<u64>>>()?;
            if !cell(&cells, 2 + p).is_empty() {
                let n = count(2 + p)?;
                if let Some((first_line, _)) = follow_up_total {
                    return Err(TableFileError::DuplicateFollowUpTotal { line, first_line });
                }
                follow_up_total = Some((line, n));
            }
            check_no_extra(line, &cells, 3 + p)?;
            totals.push(TotalRow {
                line,
                label,
                counts,
            });
            continue;
        }
        if let Some(first) = totals.first() {
            return Err(TableFileError::RowAfterTotals {
                line,
                totals_line: first.line,
            });
        }
        tsv_row(line, &cells, p, &mut collector)?;
    }
    let Some((header_line, periods)) = header else {
        return Err(TableFileError::NoHeader {
            line: first_nonblank.unwrap_or(1),
            expected: "項目",
        });
    };
    if collector.rows.is_empty() {
        return Err(TableFileError::NoDataRows { line: header_line });
    }
    Ok(ParsedTable {
        format: TableFormat::Tsv,
        periods,
        header_line,
        rows: collector.rows,
        totals,
        follow_up_total,
    })
}

/// Cells from index `from` on must be empty.
fn check_no_extra(line: usize, cells: &[&str], from: usize) -> Result<()> {
    match cells
        .iter()
        .enumerate()
        .skip(from)
        .find(|(_, c)| !trim(c).is_empty())
    {
        Some((index, c)) => Err(TableFileError::TooManyColumns {
            line,
            column: index + 1,
            max: from,
            cell: shown(trim(c)),
        }),
        None => Ok(()),
    }
}

fn tsv_row(line: usize, cells: &[&str], p: usize, collector: &mut RowCollector) -> Result<()> {
    let base = 3 + p;
    if cells.len() < base + 1 {
        return Err(TableFileError::TooFewColumns {
            line,
            expected: base + 1,
            layout: tsv_layout(p),
            found: cells.len(),
            format: "tab-separated",
        });
    }
    let (follow_up, remark) = if cells.len() == base + 1 {
        unfold_mark(cell(cells, base))
    } else {
        check_no_extra(line, cells, base + 2)?;
        let mark = cell(cells, base);
        let remark = cell(cells, base + 1);
        if mark.is_empty() {
            (false, remark.to_owned())
        } else if is_mark(mark) {
            (true, remark.to_owned())
        } else if remark.is_empty() {
            // A [remark] row with a trailing empty cell.
            unfold_mark(mark)
        } else {
            return Err(TableFileError::BadMark {
                line,
                column: base + 1,
                cell: shown(mark),
            });
        }
    };
    let item = cell(cells, 1);
    // The number's text ends at the first character that is neither a digit
    // nor one the identifier rule refuses (which is then named).
    let digits_end = item
        .find(|c: char| !(is_digit(c) || crate::domain::ident::is_invisible(c)))
        .unwrap_or(item.len());
    let (digits, title) = item.split_at_checked(digits_end).unwrap_or(("", item));
    check_ident(line, 1, "heading", cell(cells, 0))?;
    check_ident(line, 2, "item number", digits)?;
    check_ident(line, 3, "department", cell(cells, 2))?;
    if digits.is_empty() {
        return Err(TableFileError::BadNumber {
            line,
            cell: shown(item),
        });
    }
    let number = parse_number(line, digits)?;
    let ratings = (3..base)
        .map(|column| parse_rating(line, column + 1, cell(cells, column)))
        .collect::<Result<Vec<_>>>()?;
    collector.push(RowInput {
        line,
        heading: cell(cells, 0),
        number,
        title,
        department: cell(cells, 2),
        ratings,
        follow_up,
        remark,
    })
}

// --------------------------------------------------------------------- CSV

const CSV_LAYOUT: &str = "分類,番号,項目,主な推進担当課,<periods>,フォローアップ対象,理由等";

/// Checks RFC 4180 quoting, which the `csv` crate accepts leniently.
fn check_csv_quoting(text: &str) -> Result<()> {
    enum State {
        FieldStart,
        Unquoted,
        Quoted(usize),
        QuoteInQuoted(usize),
    }
    let mut state = State::FieldStart;
    let newline = newline_char(text);
    let mut line = 1;
    for c in text.chars() {
        state = match (state, c) {
            (State::Quoted(start), '"') => State::QuoteInQuoted(start),
            (State::Quoted(start), _) => State::Quoted(start),
            (State::QuoteInQuoted(start), '"') => State::Quoted(start),
            (State::FieldStart, '"') => State::Quoted(line),
            (State::Unquoted, '"') => {
                return Err(TableFileError::CsvQuoting {
                    line,
                    problem: "a double quote inside a cell that does not start with one",
                    fix: "enclose the whole cell in double quotes and double every quote inside it",
                });
            }
            (_, ',' | '\r' | '\n') => State::FieldStart,
            (State::QuoteInQuoted(_), _) => {
                return Err(TableFileError::CsvQuoting {
                    line,
                    problem: "text after the closing double quote of a cell",
                    fix: "double every quote inside a quoted cell (\"\")",
                });
            }
            (State::FieldStart | State::Unquoted, _) => State::Unquoted,
        };
        if c == newline {
            line += 1;
        }
    }
    if let State::Quoted(start) = state {
        return Err(TableFileError::CsvQuoting {
            line: start,
            problem: "a quoted cell starting here is never closed",
            fix: "add the closing double quote",
        });
    }
    Ok(())
}

/// The newline character that numbers lines: LF, or CR in a CR-only file.
fn newline_char(text: &str) -> char {
    if text.contains('\n') { '\n' } else { '\r' }
}

/// Maps `csv` byte positions to line numbers. The `csv` crate's own line
/// numbers are off for CRLF files and skipped blank lines, and its byte
/// position points before any skipped line terminators; records are read in
/// order, so counting is incremental.
struct LineCounter<'a> {
    text: &'a str,
    newline: char,
    byte: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text,
            newline: newline_char(text),
            byte: 0,
            line: 1,
        }
    }

    fn line_of(&mut self, position: Option<&csv::Position>) -> usize {
        let Some(byte) = position.and_then(|p| usize::try_from(p.byte()).ok()) else {
            return self.line;
        };
        let rest = self.text.get(byte..).unwrap_or_default();
        let start = byte + (rest.len() - rest.trim_start_matches(['\r', '\n']).len());
        if let Some(between) = self.text.get(self.byte..start) {
            self.line += between.matches(self.newline).count();
            self.byte = start;
        }
        self.line
    }
}

fn parse_csv(text: &str) -> Result<ParsedTable> {
    check_csv_quoting(text)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(text);
    let mut header: Option<(usize, usize, Vec<String>)> = None; // line, columns, periods
    let mut collector = RowCollector::default();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(TableFileError::Csv {
                    line: lines.line_of(e.position()),
                    message: shown(&e.to_string().replace(['\n', '\r'], " ")),
                });
            }
        }
        let line = lines.line_of(record.position());
        let owned: Vec<Cow<'_, str>> = record.iter().map(unneutralise_cell).collect();
        let cells: Vec<&str> = owned.iter().map(AsRef::as_ref).collect();
        if is_blank(&cells) {
            continue;
        }
        let Some((_, columns, periods)) = &header else {
            header = Some(csv_header(line, &cells)?);
            continue;
        };
        let p = periods.len();
        if cells.len() < *columns {
            return Err(TableFileError::TooFewColumns {
                line,
                expected: *columns,
                layout: format!(
                    "分類, 番号, 項目, 主な推進担当課, {p} periods, フォローアップ対象, 理由等"
                ),
                found: cells.len(),
                format: "CSV",
            });
        }
        check_no_extra(line, &cells, *columns)?;
        check_ident(line, 1, "heading", cell(&cells, 0))?;
        check_ident(line, 2, "item number", cell(&cells, 1))?;
        check_ident(line, 4, "department", cell(&cells, 3))?;
        let number = parse_number(line, cell(&cells, 1))?;
        let ratings = (4..4 + p)
            .map(|column| parse_rating(line, column + 1, cell(&cells, column)))
            .collect::<Result<Vec<_>>>()?;
        let mark = cell(&cells, 4 + p);
        if !mark.is_empty() && !is_mark(mark) {
            return Err(TableFileError::BadMark {
                line,
                column: 5 + p,
                cell: shown(mark),
            });
        }
        collector.push(RowInput {
            line,
            heading: cell(&cells, 0),
            number,
            title: cell(&cells, 2),
            department: cell(&cells, 3),
            ratings,
            follow_up: !mark.is_empty(),
            remark: cell(&cells, 5 + p).to_owned(),
        })?;
    }
    let Some((header_line, _, periods)) = header else {
        return Err(TableFileError::NoHeader {
            line: 1,
            expected: "分類",
        });
    };
    if collector.rows.is_empty() {
        return Err(TableFileError::NoDataRows { line: header_line });
    }
    Ok(ParsedTable {
        format: TableFormat::Csv,
        periods,
        header_line,
        rows: collector.rows,
        totals: Vec::new(),
        follow_up_total: None,
    })
}

fn csv_header(line: usize, cells: &[&str]) -> Result<(usize, usize, Vec<String>)> {
    if cell(cells, 0) != "分類" {
        return Err(TableFileError::NoHeader {
            line,
            expected: "分類",
        });
    }
    let columns = cells
        .iter()
        .rposition(|c| !trim(c).is_empty())
        .map_or(0, |i| i + 1);
    let expect = |column: usize, expected: &'static str, ok: bool| -> Result<()> {
        if ok {
            Ok(())
        } else {
            Err(TableFileError::CsvHeader {
                line,
                column: column + 1,
                expected,
                found: shown(cell(cells, column)),
                layout: CSV_LAYOUT,
            })
        }
    };
    expect(1, "番号", cell(cells, 1) == "番号")?;
    expect(2, "項目", cell(cells, 2) == "項目")?;
    expect(3, "主な推進担当課", cell(cells, 3) == "主な推進担当課")?;
    if columns < 7 {
        return Err(TableFileError::NoPeriods { line });
    }
    let follow = columns - 2;
    expect(
        follow,
        "フォローアップ対象",
        cell(cells, follow).starts_with("フォローアップ"),
    )?;
    expect(columns - 1, "理由等", cell(cells, columns - 1) == "理由等")?;
    let mut periods = Vec::new();
    for column in 4..follow {
        let label = cell(cells, column);
        if label.is_empty() {
            return Err(TableFileError::NoPeriods { line });
        }
        periods.push(label.to_owned());
    }
    Ok((line, columns, periods))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SEED: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/kodaira-followup-h26-h27.tsv"
    );

    fn seed_bytes() -> Vec<u8> {
        match std::fs::read(SEED) {
            Ok(b) => b,
            Err(e) => panic!("cannot read the seed fixture: {e}"),
        }
    }

    fn ok(bytes: &[u8], hint: FormatHint) -> ParsedTable {
        match parse(bytes, hint) {
            Ok(t) => t,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }

    fn err(bytes: &[u8], hint: FormatHint) -> TableFileError {
        match parse(bytes, hint) {
            Ok(t) => panic!("expected an error, parsed {t:?}"),
            Err(e) => {
                let msg = e.to_string();
                assert!(!msg.contains('\n') && !msg.contains('\r'), "{msg}");
                assert!(msg.starts_with(&format!("line {}: ", e.line())), "{msg}");
                assert!(msg.contains("; "), "{msg}");
                e
            }
        }
    }

    fn row(t: &ParsedTable, number: u32) -> &ParsedRow {
        match t.rows.iter().find(|r| r.number == number) {
            Some(r) => r,
            None => panic!("no item {number}"),
        }
    }

    fn some(v: &[&str]) -> Vec<Option<Grade>> {
        v.iter()
            .map(|s| (!s.is_empty()).then(|| (*s).into()))
            .collect()
    }

    #[test]
    fn seed_parses() {
        let t = ok(&seed_bytes(), FormatHint::Auto);
        assert_eq!(t.format, TableFormat::Tsv);
        assert_eq!(t.header_line, 3);
        assert_eq!(t.periods, ["26年度上半期", "26年度年度末", "27年度上半期"]);
        assert_eq!(t.rows.len(), 62);
        let numbers: Vec<u32> = t.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, (1..=62).collect::<Vec<u32>>());
        let mut headings: Vec<&str> = Vec::new();
        for r in &t.rows {
            if headings.last() != Some(&r.category.as_str()) {
                headings.push(&r.category);
            }
        }
        assert_eq!(
            headings,
            [
                "地域協働の推進",
                "情報の共有と双方向のコミュニケーション",
                "PDCAサイクルの構築",
                "財政基盤の強化",
                "執行体制の再構築"
            ]
        );
        assert_eq!(row(&t, 30).category, "財政基盤の強化");
        assert_eq!(row(&t, 31).category, "財政基盤の強化");
        assert_eq!(row(&t, 31).line, 38);
        assert_eq!(row(&t, 62).line, 69);

        let r39 = row(&t, 39);
        assert_eq!(r39.title, "スクラップアンドビルドの徹底");
        assert_eq!(r39.relisting_of, Some(27));
        assert_eq!(r39.line, 46);
        assert_eq!(row(&t, 27).relisting_of, None);
        assert!(t.rows.iter().filter(|r| r.relisting_of.is_some()).count() == 1);

        let r1 = row(&t, 1);
        assert_eq!(r1.line, 5);
        assert_eq!(r1.title, "市民活動支援センターによる市民活動支援の充実");
        assert_eq!(r1.department, "市民協働・男女参画推進課");
        assert_eq!(r1.ratings, some(&["A", "A", "A"]));
        assert!(!r1.follow_up);
        assert!(r1.remark.starts_with("着実に取組を進め"));

        let r5 = row(&t, 5);
        assert!(r5.follow_up);
        assert!(r5.remark.starts_with("継続して取り組み"), "{}", r5.remark);
        assert_eq!(r5.title, "協働事業の推進(クリーンメイトとの協働の促進)");
        assert!(!row(&t, 35).follow_up);
        assert!(row(&t, 31).follow_up);
        assert!(row(&t, 31).remark.starts_with("引き続き多様な機関"));
        assert_eq!(row(&t, 57).ratings, some(&["S", "S", "A"]));
        assert!(t.rows.iter().all(|r| r.ratings.len() == 3));
        assert!(t.rows.iter().all(|r| !r.remark.starts_with('○')));
        // The document's own count says 41; its rows carry 42 marks.
        assert_eq!(t.rows.iter().filter(|r| r.follow_up).count(), 42);

        let totals: Vec<(usize, &str, &[u64])> = t
            .totals
            .iter()
            .map(|r| (r.line, r.label.as_str(), r.counts.as_slice()))
            .collect();
        assert_eq!(
            totals,
            [
                (70, "S", &[1, 3, 0][..]),
                (71, "A", &[59, 49, 59][..]),
                (72, "B", &[2, 10, 3][..]),
                (73, "計", &[62, 62, 62][..]),
            ]
        );
        assert_eq!(t.follow_up_total, Some((70, 41)));
        assert_eq!(ok(&seed_bytes(), FormatHint::Tsv), t);
    }

    #[test]
    fn seed_with_bom_crlf_utf16_and_cr_parses_identically() {
        let plain = ok(&seed_bytes(), FormatHint::Auto);
        let text = String::from_utf8_lossy(&seed_bytes()).into_owned();
        let mut bom_crlf = b"\xEF\xBB\xBF".to_vec();
        bom_crlf.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
        assert_eq!(ok(&bom_crlf, FormatHint::Auto), plain);
        let cr = text.replace('\n', "\r");
        assert_eq!(ok(cr.as_bytes(), FormatHint::Auto), plain);
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in text.replace('\n', "\r\n").encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(ok(&le, FormatHint::Auto), plain);
        assert_eq!(ok(&be, FormatHint::Auto), plain);
    }

    /// A BOM starting a row in the middle of the file made an invisible
    /// heading (`\u{feff}`) that the rows below fell under, with the totals
    /// unchanged. Only the very first character of the file may be one.
    #[test]
    fn a_bom_starting_a_row_mid_file_is_refused_with_its_line() {
        let text = String::from_utf8_lossy(&seed_bytes()).into_owned();
        let row7 = text.find("\t7 協働事業").unwrap_or_default();
        for newline in ["\n", "\r\n", "\r"] {
            let mut joined = text.clone();
            joined.insert(row7, '\u{FEFF}');
            let joined = joined.replace('\n', newline);
            let e = err(joined.as_bytes(), FormatHint::Auto);
            assert_eq!(e, TableFileError::StrayBom { line: 11 }, "{newline:?}");
            assert!(
                e.to_string()
                    .starts_with("line 11: a byte-order mark (U+FEFF)")
            );
            let mut le = vec![0xFF, 0xFE];
            for u in joined.encode_utf16() {
                le.extend_from_slice(&u.to_le_bytes());
            }
            assert_eq!(
                err(&le, FormatHint::Auto),
                TableFileError::StrayBom { line: 11 }
            );
        }
        // Two marks at the start: the second is stray too.
        let mut twice = "\u{FEFF}\u{FEFF}".as_bytes().to_vec();
        twice.extend_from_slice(&seed_bytes());
        assert_eq!(
            err(&twice, FormatHint::Auto),
            TableFileError::StrayBom { line: 1 }
        );
        // In a CSV, a second file's header line.
        let joined = format!("{HYOKA_CSV}{HYOKA_CSV}");
        assert!(matches!(
            err(joined.as_bytes(), FormatHint::Auto),
            TableFileError::StrayBom { .. }
        ));
    }

    #[test]
    fn identifiers_holding_invisible_characters_are_refused_and_grades_read_in_nfkc() {
        let text = String::from_utf8_lossy(&seed_bytes()).into_owned();
        let on_line_5 = |from: &str, to: &str| text.replacen(from, to, 1);
        for (bytes, column, field) in [
            (
                on_line_5("地域協働の推進", "地域協働の\u{200B}推進"),
                1,
                "heading",
            ),
            (on_line_5("\t1 市民", "\t1\u{2060} 市民"), 2, "item number"),
            (
                on_line_5("\t市民協働・", "\t市民協働・\u{00AD}"),
                3,
                "department",
            ),
            (on_line_5("\tA\t", "\tA\u{2028}\t"), 4, "grade"),
        ] {
            match err(bytes.as_bytes(), FormatHint::Tsv) {
                TableFileError::Identifier {
                    line: 5,
                    column: c,
                    problem,
                } if c == column => {
                    assert!(problem.starts_with(&format!("the {field} `")), "{problem}");
                    assert!(problem.contains("U+"), "{problem}");
                }
                e => panic!("{field}: {e}"),
            }
        }
        // CSV: the department is column 4.
        let csv = HYOKA_CSV.replacen("市民協働課", "市民\u{3164}協働課", 1);
        assert!(matches!(
            err(csv.as_bytes(), FormatHint::Csv),
            TableFileError::Identifier { column: 4, .. }
        ));
        // Full-width grades, in ratings and total rows, are read as their NFKC form.
        let wide = text.replace("\tA\t", "\tＡ\t").replace("\nA\t", "\nＡ\t");
        assert_ne!(wide, text);
        assert_eq!(
            ok(wide.as_bytes(), FormatHint::Tsv),
            ok(&seed_bytes(), FormatHint::Tsv)
        );
    }

    const HYOKA_TSV: &str = "項目\t主な推進担当課\t平成26年度\t\t令和元年度\tフォローアップ対象項目\t理由等\n\
        \t\t上半期\t年度末\t上半期\t\t\n\
        地域協働の推進\t1 市民活動支援\t市民協働課\tA\t\tS\t○\t継続する。\n\
        \t2\u{3000}協働推進体制\t政策課\tB\tA\tA\t\t\n\
        財政基盤の強化\t27 スクラップアンドビルドの徹底\t財政課\tA\tA\tA\t○\t○ 丸で始まる理由\n\
        \t39 スクラップアンドビルドの徹底【No.27の再掲】\t財政課\tA\tA\tA\t○\t同上\n\
        \tS\t0\t0\t1\t2\t\t\n\
        \t計\t4\t3\t4\t\t\t";

    #[test]
    fn hyoka_tsv_parses() {
        let t = ok(HYOKA_TSV.as_bytes(), FormatHint::Auto);
        assert_eq!(t.format, TableFormat::Tsv);
        assert_eq!(t.header_line, 1);
        assert_eq!(
            t.periods,
            ["平成26年度上半期", "平成26年度年度末", "令和元年度上半期"]
        );
        let expected = vec![
            ParsedRow {
                line: 3,
                category: "地域協働の推進".into(),
                number: 1,
                title: "市民活動支援".into(),
                relisting_of: None,
                department: "市民協働課".into(),
                ratings: some(&["A", "", "S"]),
                follow_up: true,
                remark: "継続する。".into(),
            },
            ParsedRow {
                line: 4,
                category: "地域協働の推進".into(),
                number: 2,
                title: "協働推進体制".into(),
                relisting_of: None,
                department: "政策課".into(),
                ratings: some(&["B", "A", "A"]),
                follow_up: false,
                remark: String::new(),
            },
            ParsedRow {
                line: 5,
                category: "財政基盤の強化".into(),
                number: 27,
                title: "スクラップアンドビルドの徹底".into(),
                relisting_of: None,
                department: "財政課".into(),
                ratings: some(&["A", "A", "A"]),
                follow_up: true,
                remark: "○ 丸で始まる理由".into(),
            },
            ParsedRow {
                line: 6,
                category: "財政基盤の強化".into(),
                number: 39,
                title: "スクラップアンドビルドの徹底".into(),
                relisting_of: Some(27),
                department: "財政課".into(),
                ratings: some(&["A", "A", "A"]),
                follow_up: true,
                remark: "同上".into(),
            },
        ];
        assert_eq!(t.rows, expected);
        assert_eq!(
            t.totals,
            [
                TotalRow {
                    line: 7,
                    label: "S".into(),
                    counts: vec![0, 0, 1]
                },
                TotalRow {
                    line: 8,
                    label: "計".into(),
                    counts: vec![4, 3, 4]
                }
            ]
        );
        assert_eq!(t.follow_up_total, Some((7, 2)));
    }

    #[test]
    fn single_row_header_and_title_lines_are_accepted() {
        let text = "小平市 フォローアップ\n\n項目\t課\t平成26年度上半期\t平成26年度年度末\t対象\t理由\n\
            分類\t1 題\t課\tA\tB\t理由\n";
        let t = ok(text.as_bytes(), FormatHint::Auto);
        assert_eq!(t.header_line, 3);
        assert_eq!(t.periods, ["平成26年度上半期", "平成26年度年度末"]);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows.first().map(|r| r.remark.as_str()), Some("理由"));
    }

    #[test]
    fn seven_column_row_with_trailing_tab_keeps_folded_mark() {
        let text = "項目\t課\t26年度\tフォ\t理由\n\t\t上半期\t\t\n見出し\t1 題\t課\tA\t○ 理由\t\n\t2 題\t課\tA\t理由\t\t\n";
        let t = ok(text.as_bytes(), FormatHint::Auto);
        let flags: Vec<(bool, &str)> = t
            .rows
            .iter()
            .map(|r| (r.follow_up, r.remark.as_str()))
            .collect();
        assert_eq!(flags, [(true, "理由"), (false, "理由")]);
    }

    #[test]
    fn relisting_marker_variants() {
        for (title, want) in [
            ("徹底【No.27の再掲】", Some(27)),
            ("徹底【No.２７の再掲】", Some(27)),
            ("徹底【NO.27の再掲】", Some(27)),
            ("徹底 【Ｎｏ．27 の再掲】", Some(27)),
            ("徹底【No. 5の再掲】", Some(5)),
            ("徹底【No.の再掲】", None),
            ("徹底【参考】", None),
            ("徹底【No.99999999999の再掲】", None),
        ] {
            let (t, n) = split_relisting(title);
            assert_eq!(n, want, "{title}");
            if want.is_some() {
                assert_eq!(t, "徹底");
            } else {
                assert_eq!(t, title);
            }
        }
        assert_eq!(
            split_relisting("【No.3の再掲】前後"),
            ("前後".to_owned(), Some(3))
        );
    }

    const HYOKA_CSV: &str = "\u{FEFF}分類,番号,項目,主な推進担当課,平成26年度上半期,平成26年度年度末,フォローアップ対象,理由等\r\n\
        地域協働の推進,1,\"市民活動支援, センター\",市民協働課,A,,○,\"理由は\r\n\"\"二行\"\", 続く\"\r\n\
        地域協働の推進,2,題,課,'-,B,,'=SUM(A1)\r\n\
        財政基盤の強化,39,スクラップアンドビルドの徹底【No.27の再掲】,財政課,S,A,,'abc\r\n\
        財政基盤の強化,40,題,課,S,A,,''=x\r\n";

    #[test]
    fn hyoka_csv_parses() {
        let t = ok(HYOKA_CSV.as_bytes(), FormatHint::Auto);
        assert_eq!(t.format, TableFormat::Csv);
        assert_eq!(t.header_line, 1);
        assert_eq!(t.periods, ["平成26年度上半期", "平成26年度年度末"]);
        assert!(t.totals.is_empty());
        assert_eq!(t.follow_up_total, None);
        let expected = vec![
            ParsedRow {
                line: 2,
                category: "地域協働の推進".into(),
                number: 1,
                title: "市民活動支援, センター".into(),
                relisting_of: None,
                department: "市民協働課".into(),
                ratings: some(&["A", ""]),
                follow_up: true,
                remark: "理由は\r\n\"二行\", 続く".into(),
            },
            ParsedRow {
                line: 4,
                category: "地域協働の推進".into(),
                number: 2,
                title: "題".into(),
                relisting_of: None,
                department: "課".into(),
                ratings: some(&["-", "B"]),
                follow_up: false,
                remark: "=SUM(A1)".into(),
            },
            ParsedRow {
                line: 5,
                category: "財政基盤の強化".into(),
                number: 39,
                title: "スクラップアンドビルドの徹底".into(),
                relisting_of: Some(27),
                department: "財政課".into(),
                ratings: some(&["S", "A"]),
                follow_up: false,
                remark: "'abc".into(),
            },
            ParsedRow {
                line: 6,
                category: "財政基盤の強化".into(),
                number: 40,
                title: "題".into(),
                relisting_of: None,
                department: "課".into(),
                ratings: some(&["S", "A"]),
                follow_up: false,
                remark: "'=x".into(),
            },
        ];
        assert_eq!(t.rows, expected);
        // Without BOM, forced, and with a .csv hint.
        let no_bom = HYOKA_CSV.trim_start_matches('\u{FEFF}');
        assert_eq!(ok(no_bom.as_bytes(), FormatHint::Csv), t);
        assert_eq!(
            ok(no_bom.as_bytes(), FormatHint::from_file_name("x.CSV")),
            t
        );
    }

    #[test]
    fn csv_line_numbers_survive_blank_lines_crlf_and_cr() {
        let h = "分類,番号,項目,主な推進担当課,26年度上半期,フォローアップ対象,理由等";
        for nl in ["\n", "\r\n", "\r"] {
            let text = format!("{nl}{nl}{h}{nl}{nl}a,1,t,d,A,,\"r{nl}r\"{nl}{nl}a,2,t,d,A,,r{nl}");
            let t = ok(text.as_bytes(), FormatHint::Auto);
            assert_eq!(t.header_line, 3, "{nl:?}");
            let lines: Vec<usize> = t.rows.iter().map(|r| r.line).collect();
            assert_eq!(lines, [5, 8], "{nl:?}");
            let bad = text.replace("a,2", "a,x");
            assert_eq!(err(bad.as_bytes(), FormatHint::Auto).line(), 8, "{nl:?}");
        }
    }

    #[test]
    fn format_hint_from_file_name() {
        assert_eq!(FormatHint::from_file_name("a.csv"), FormatHint::Csv);
        assert_eq!(FormatHint::from_file_name("a.TSV"), FormatHint::Tsv);
        assert_eq!(FormatHint::from_file_name("a.txt"), FormatHint::Auto);
    }

    /// The seed's lines, with line `n` (1-based) replaced.
    fn seed_with(n: usize, replacement: &str) -> Vec<u8> {
        let text = String::from_utf8_lossy(&seed_bytes()).into_owned();
        text.split('\n')
            .enumerate()
            .map(|(i, l)| if i + 1 == n { replacement } else { l })
            .collect::<Vec<_>>()
            .join("\n")
            .into_bytes()
    }

    fn tsv_err(n: usize, replacement: &str) -> TableFileError {
        err(&seed_with(n, replacement), FormatHint::Auto)
    }

    #[test]
    fn encoding_and_empty_errors() {
        let mut bytes = seed_bytes();
        bytes.splice(0..0, b"\xEF\xBB\xBF".iter().copied());
        let pos = bytes.len() - 5;
        bytes.insert(pos, 0xFF);
        assert_eq!(
            err(&bytes, FormatHint::Auto),
            TableFileError::InvalidUtf8 { line: 73 }
        );
        let sjis = b"\x8d\x80\x96\xda\n"; // 項目 in Shift_JIS
        assert_eq!(
            err(sjis, FormatHint::Auto),
            TableFileError::InvalidUtf8 { line: 1 }
        );
        assert_eq!(
            err(
                &[0xFF, 0xFE, 0x41, 0x00, 0x0A, 0x00, 0x00, 0xD8],
                FormatHint::Auto
            ),
            TableFileError::InvalidUtf16 { line: 2 }
        );
        for empty in [
            &b""[..],
            b"\xEF\xBB\xBF",
            b"\n\r\n\t\t\n",
            "\u{3000}".as_bytes(),
        ] {
            assert_eq!(
                err(empty, FormatHint::Auto),
                TableFileError::Empty { line: 1 }
            );
        }
    }

    #[test]
    fn header_errors() {
        let e = err("\n地域\t1 題\t課\tA\t理由\n".as_bytes(), FormatHint::Auto);
        assert_eq!(e.line(), 2);
        assert!(matches!(e, TableFileError::NoHeader { .. }));
        let e = tsv_err(
            3,
            "項目\t主な推進担当課\t\t\t\tフォローアップ対象項目\t理由等",
        );
        assert!(
            matches!(e, TableFileError::PeriodWithoutYear { line: 3, column: 3 }),
            "{e}"
        );
        let text = "項目\t課\t対象\t理由\n見出し\t1 題\t課\t理由\n";
        assert_eq!(
            err(text.as_bytes(), FormatHint::Auto),
            TableFileError::NoPeriods { line: 1 }
        );
        let e = tsv_err(
            36,
            "項目\t主な推進担当課\t26年度\t\t28年度\tフォローアップ対象項目\t理由等\t",
        );
        assert!(
            matches!(
                e,
                TableFileError::HeaderMismatch {
                    line: 36,
                    first_line: 3,
                    ..
                }
            ),
            "{e}"
        );
        let text = "項目\t課\t26年度\t対象\t理由\n\t\t上半期\t\t\n";
        assert_eq!(
            err(text.as_bytes(), FormatHint::Auto),
            TableFileError::NoDataRows { line: 1 }
        );
        let text = "項目\t課\t26年度\t対象\t理由\n\t\t上半期\t\t\n\tS\t1\t\t\n";
        assert_eq!(
            err(text.as_bytes(), FormatHint::Auto),
            TableFileError::NoDataRows { line: 1 }
        );
        // The seed forced as CSV has no CSV header.
        assert!(matches!(
            err(&seed_bytes(), FormatHint::Csv),
            TableFileError::NoHeader { line: 3, .. }
        ));
    }

    #[test]
    fn row_errors() {
        let e = tsv_err(12, "\t8 題\t課\tA");
        assert_eq!(
            e.to_string(),
            "line 12: expected at least 7 columns (heading, number and title, department, 3 ratings, remark), found 4; check that the file is the tab-separated export of the table"
        );
        let e = tsv_err(40, "\t33 題\t課\tA\tB\tA\t○\t理由\tはみ出し\t");
        assert!(
            matches!(
                e,
                TableFileError::TooManyColumns {
                    line: 40,
                    column: 9,
                    ..
                }
            ),
            "{e}"
        );
        let e = tsv_err(40, "\t33 題\t課\tA\tB\tA\tx\t理由\t");
        assert!(
            matches!(
                e,
                TableFileError::BadMark {
                    line: 40,
                    column: 7,
                    ..
                }
            ),
            "{e}"
        );
        let e = tsv_err(9, "\tNo.5 題\t課\tA\tA\tA\t理由");
        assert!(
            matches!(e, TableFileError::BadNumber { line: 9, .. }),
            "{e}"
        );
        let e = tsv_err(9, "\t広域連携の推進\t課\tA\tA\tA\t理由");
        assert!(
            matches!(e, TableFileError::BadNumber { line: 9, .. }),
            "{e}"
        );
        let e = tsv_err(9, "\t99999999999 題\t課\tA\tA\tA\t理由");
        assert!(
            matches!(e, TableFileError::NumberOutOfRange { line: 9, .. }),
            "{e}"
        );
        let e = tsv_err(9, "\t5\t課\tA\tA\tA\t理由");
        assert_eq!(e, TableFileError::MissingTitle { line: 9, number: 5 });
        let e = tsv_err(45, "\t12 財産\t課\tA\tA\tA\t\t理由\t");
        assert_eq!(
            e,
            TableFileError::DuplicateNumber {
                line: 45,
                first_line: 16,
                number: 12
            }
        );
        assert!(e.to_string().contains("line 16"));
        let e = tsv_err(5, "\t1 題\t課\tA\tA\tA\t理由");
        assert_eq!(e, TableFileError::MissingHeading { line: 5 });
        let e = tsv_err(20, "見出し\t16 題\t課\tA\tA A\tA\t理由");
        assert!(
            matches!(
                e,
                TableFileError::BadRating {
                    line: 20,
                    column: 5,
                    ..
                }
            ),
            "{e}"
        );
        let e = tsv_err(71, "\tA\t59\tx\t59\t\t\t");
        assert!(
            matches!(
                e,
                TableFileError::BadCount {
                    line: 71,
                    column: 4,
                    ..
                }
            ),
            "{e}"
        );
        let e = tsv_err(72, "\tB\t2\t\t3\t\t\t");
        assert!(
            matches!(
                e,
                TableFileError::BadCount {
                    line: 72,
                    column: 4,
                    ..
                }
            ),
            "{e}"
        );
        let e = tsv_err(72, "\tB\t2\t10\t3\t5\t\t");
        assert_eq!(
            e,
            TableFileError::DuplicateFollowUpTotal {
                line: 72,
                first_line: 70
            }
        );
        let e = tsv_err(72, "\t63 題\t課\tA\tA\tA\t\t理由\t");
        assert_eq!(
            e,
            TableFileError::RowAfterTotals {
                line: 72,
                totals_line: 70
            }
        );
    }

    #[test]
    fn csv_errors() {
        let header = "分類,番号,項目,主な推進担当課,26年度上半期,フォローアップ対象,理由等\n";
        let e = err(
            format!("{header}a,1,t,d,A,,\"open\n\n").as_bytes(),
            FormatHint::Auto,
        );
        assert!(
            matches!(e, TableFileError::CsvQuoting { line: 2, .. }),
            "{e}"
        );
        let e = err(
            format!("{header}a,1,t,d,A,,\"x\"y\n").as_bytes(),
            FormatHint::Auto,
        );
        assert!(
            matches!(e, TableFileError::CsvQuoting { line: 2, .. }),
            "{e}"
        );
        let e = err(
            format!("{header}\na,1,t,d,A,,x\"y\n").as_bytes(),
            FormatHint::Auto,
        );
        assert!(
            matches!(e, TableFileError::CsvQuoting { line: 3, .. }),
            "{e}"
        );
        let e = err(format!("{header}a,1,t,d\n").as_bytes(), FormatHint::Auto);
        assert!(
            matches!(
                e,
                TableFileError::TooFewColumns {
                    line: 2,
                    expected: 7,
                    found: 4,
                    ..
                }
            ),
            "{e}"
        );
        let e = err(
            format!("{header}a,1,t,d,A,,r,extra\n").as_bytes(),
            FormatHint::Auto,
        );
        assert!(
            matches!(
                e,
                TableFileError::TooManyColumns {
                    line: 2,
                    column: 8,
                    ..
                }
            ),
            "{e}"
        );
        let e = err(
            format!("{header}a,1 t,t,d,A,,r\n").as_bytes(),
            FormatHint::Auto,
        );
        assert!(
            matches!(e, TableFileError::BadNumber { line: 2, .. }),
            "{e}"
        );
        let e = err(
            format!("{header}a,1,t,d,A,x,r\n").as_bytes(),
            FormatHint::Auto,
        );
        assert!(
            matches!(
                e,
                TableFileError::BadMark {
                    line: 2,
                    column: 6,
                    ..
                }
            ),
            "{e}"
        );
        let e = err(
            format!("{header},1,t,d,A,,r\n").as_bytes(),
            FormatHint::Auto,
        );
        assert_eq!(e, TableFileError::MissingHeading { line: 2 });
        let e = err(
            format!("{header}a,1,t,d,A,,r\n\"a\",1,t,d,A,,r\n").as_bytes(),
            FormatHint::Auto,
        );
        assert_eq!(
            e,
            TableFileError::DuplicateNumber {
                line: 3,
                first_line: 2,
                number: 1
            }
        );
        let e = err(
            format!("{header}a,1,t,d,A B,,r\n").as_bytes(),
            FormatHint::Auto,
        );
        assert!(
            matches!(
                e,
                TableFileError::BadRating {
                    line: 2,
                    column: 5,
                    ..
                }
            ),
            "{e}"
        );
        let e = err(header.as_bytes(), FormatHint::Auto);
        assert_eq!(e, TableFileError::NoDataRows { line: 1 });
        let e = err(
            "分類,番号,題,主な推進担当課,26年度上半期,フォローアップ対象,理由等\n".as_bytes(),
            FormatHint::Auto,
        );
        assert!(
            matches!(
                e,
                TableFileError::CsvHeader {
                    line: 1,
                    column: 3,
                    ..
                }
            ),
            "{e}"
        );
        let e = err(
            "分類,番号,項目,主な推進担当課,フォローアップ対象,理由等\n".as_bytes(),
            FormatHint::Auto,
        );
        assert_eq!(e, TableFileError::NoPeriods { line: 1 });
    }

    #[test]
    fn unneutralise_examples() {
        assert_eq!(neutralise_cell("=1"), "'=1");
        assert_eq!(neutralise_cell("'x"), "''x");
        assert_eq!(neutralise_cell("abc"), "abc");
        assert_eq!(unneutralise_cell("'=1"), "=1");
        assert_eq!(unneutralise_cell("''x"), "'x");
        assert_eq!(unneutralise_cell("'x"), "'x");
        assert_eq!(unneutralise_cell("'"), "'");
    }

    /// Test-only writers mirroring hyoka's formats.
    fn write_tsv(t: &ParsedTable, years: &[(String, String)]) -> String {
        let mut out = String::new();
        let mut row1 = vec!["項目".to_owned(), "主な推進担当課".to_owned()];
        let mut row2 = vec![String::new(), String::new()];
        let mut last: Option<&str> = None;
        for (year, term) in years {
            row1.push(if last == Some(year) {
                String::new()
            } else {
                year.clone()
            });
            last = Some(year);
            row2.push(term.clone());
        }
        row1.extend(["フォローアップ対象項目".to_owned(), "理由等".to_owned()]);
        row2.extend([String::new(), String::new()]);
        out.push_str(&row1.join("\t"));
        out.push('\n');
        out.push_str(&row2.join("\t"));
        let mut previous: Option<&str> = None;
        for r in &t.rows {
            let mut cells = vec![
                if previous == Some(&r.category) {
                    String::new()
                } else {
                    r.category.clone()
                },
                match r.relisting_of {
                    Some(n) => format!("{} {}【No.{n}の再掲】", r.number, r.title),
                    None => format!("{} {}", r.number, r.title),
                },
                r.department.clone(),
            ];
            previous = Some(&r.category);
            cells.extend(
                r.ratings
                    .iter()
                    .map(|x| x.as_deref().unwrap_or_default().to_string()),
            );
            cells.push(if r.follow_up {
                "○".into()
            } else {
                String::new()
            });
            cells.push(r.remark.clone());
            out.push('\n');
            out.push_str(&cells.join("\t"));
        }
        for (i, total) in t.totals.iter().enumerate() {
            let mut cells = vec![String::new(), total.label.clone()];
            cells.extend(total.counts.iter().map(u64::to_string));
            match t.follow_up_total {
                Some((_, n)) if i == 0 => cells.push(n.to_string()),
                _ => cells.push(String::new()),
            }
            out.push('\n');
            out.push_str(&cells.join("\t"));
        }
        out
    }

    fn write_csv(t: &ParsedTable) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(b"\xEF\xBB\xBF".to_vec());
        let mut header: Vec<String> = ["分類", "番号", "項目", "主な推進担当課"]
            .map(String::from)
            .to_vec();
        header.extend(t.periods.iter().cloned());
        header.extend(["フォローアップ対象".to_owned(), "理由等".to_owned()]);
        let _ = w.write_record(&header);
        for r in &t.rows {
            let mut cells = vec![
                r.category.clone(),
                r.number.to_string(),
                match r.relisting_of {
                    Some(n) => format!("{}【No.{n}の再掲】", r.title),
                    None => r.title.clone(),
                },
                r.department.clone(),
            ];
            cells.extend(
                r.ratings
                    .iter()
                    .map(|x| x.as_deref().unwrap_or_default().to_string()),
            );
            cells.push(if r.follow_up {
                "○".into()
            } else {
                String::new()
            });
            cells.push(r.remark.clone());
            let _ = w.write_record(cells.iter().map(|c| neutralise_cell(c).into_owned()));
        }
        w.into_inner().unwrap_or_default()
    }

    fn word() -> impl Strategy<Value = String> {
        "[a-zA-Zあ-ん・ー（）]{1,8}"
    }

    fn table_strategy() -> impl Strategy<Value = (ParsedTable, Vec<(String, String)>)> {
        let years = prop::collection::vec(
            (
                prop::sample::select(vec!["平成26年度", "平成27年度", "令和元年度"]),
                prop::sample::select(vec!["上半期", "年度末"]),
            ),
            1..4,
        );
        years
            .prop_flat_map(|years| {
                let p = years.len();
                let row = (
                    prop::sample::select(vec!["地域協働", "財政基盤の強化", "ＰＤＣＡ"]),
                    word(),
                    prop::option::of(1u32..100),
                    "[a-zA-Zあ-ん・]{0,6}",
                    prop::collection::vec(prop::option::of("[SABC]"), p),
                    any::<bool>(),
                    "[^\t\n\r]{0,12}",
                );
                (
                    Just(years),
                    prop::collection::vec(row, 1..6),
                    prop::collection::vec(("[SABC計]", prop::collection::vec(0u64..100, p)), 0..3),
                    prop::option::of(0u64..100),
                )
            })
            .prop_map(|(years, rows, totals, fu)| {
                let periods: Vec<String> = years.iter().map(|(y, t)| format!("{y}{t}")).collect();
                let rows: Vec<ParsedRow> = rows
                    .into_iter()
                    .zip(1u32..)
                    .map(
                        |(
                            (category, title, relisting_of, department, ratings, follow_up, remark),
                            number,
                        )| {
                            ParsedRow {
                                line: number as usize + 2,
                                category: category.to_owned(),
                                number,
                                title,
                                relisting_of,
                                department,
                                ratings: ratings
                                    .into_iter()
                                    .map(|g: Option<String>| g.map(Grade::from))
                                    .collect(),
                                follow_up,
                                remark: trim(&remark).to_owned(),
                            }
                        },
                    )
                    .collect();
                let n = rows.len();
                let totals: Vec<TotalRow> = totals
                    .into_iter()
                    .enumerate()
                    .map(|(i, (label, counts))| TotalRow {
                        line: n + 3 + i,
                        label,
                        counts,
                    })
                    .collect();
                let follow_up_total = match (totals.first(), fu) {
                    (Some(first), Some(v)) => Some((first.line, v)),
                    _ => None,
                };
                let years = years
                    .into_iter()
                    .map(|(y, t)| (y.to_owned(), t.to_owned()))
                    .collect();
                let table = ParsedTable {
                    format: TableFormat::Tsv,
                    periods,
                    header_line: 1,
                    rows,
                    totals,
                    follow_up_total,
                };
                (table, years)
            })
    }

    proptest! {
        #[test]
        fn neutralise_round_trips(s in any::<String>()) {
            let n = neutralise_cell(&s);
            prop_assert_eq!(unneutralise_cell(&n), s.as_str());
            prop_assert!(!n.starts_with(['=', '+', '-', '@', '\t', '\r']));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            for hint in [FormatHint::Auto, FormatHint::Tsv, FormatHint::Csv] {
                let _ = parse(&bytes, hint);
            }
        }

        #[test]
        fn table_like_text_never_panics(
            parts in prop::collection::vec(
                prop::sample::select(vec![
                    "\t", "\n", "\r\n", ",", "\"", "項目", "分類,", "26年度", "上半期", "○", "○ ", "1 ", "12",
                    "２", "【No.3の再掲】", "A", "S", " ", "\u{3000}", "計", "'", "'=", "x", "\u{FEFF}",
                ]),
                0..80,
            )
        ) {
            let text: String = parts.concat();
            for hint in [FormatHint::Auto, FormatHint::Tsv, FormatHint::Csv] {
                if let Err(e) = parse(text.as_bytes(), hint) {
                    let msg = e.to_string();
                    prop_assert!(!msg.contains('\n'));
                    let prefix = format!("line {}: ", e.line());
                    prop_assert!(msg.starts_with(&prefix), "{}", msg);
                }
            }
        }

        #[test]
        fn hyoka_tsv_and_csv_round_trip((table, years) in table_strategy(), csv_remarks in prop::collection::vec("([^\n\u{FEFF}]|\n|\r|,|\"){0,12}", 6)) {
            let tsv = write_tsv(&table, &years);
            let parsed = parse(tsv.as_bytes(), FormatHint::Auto);
            prop_assert_eq!(parsed.as_ref().ok(), Some(&table), "{:?}\n{}", parsed, tsv);

            let mut csv_table = table.clone();
            csv_table.format = TableFormat::Csv;
            csv_table.totals.clear();
            csv_table.follow_up_total = None;
            for (r, remark) in csv_table.rows.iter_mut().zip(csv_remarks) {
                r.remark = trim(&remark).to_owned();
            }
            let bytes = write_csv(&csv_table);
            let mut parsed = match parse(&bytes, FormatHint::Auto) {
                Ok(t) => t,
                Err(e) => return Err(TestCaseError::fail(format!("{e}: {}", String::from_utf8_lossy(&bytes)))),
            };
            // CSV lines shift with multi-line remarks; compare the rest.
            for r in &mut parsed.rows {
                r.line = 0;
            }
            for r in &mut csv_table.rows {
                r.line = 0;
            }
            prop_assert_eq!(parsed, csv_table);
        }
    }
}
