//! Reading a city's table of evaluations through a layout ([`super::layout`]): the rows of a file
//! (`grid`: TSV, CSV, a workbook's sheet) read as a header, items and total rows.
//!
//! # How a file is read
//!
//! Empty rows (also rows of only tabs or white space) are ignored anywhere, and so are the rows before
//! the header row (titles). The header row is found as its layout says: the first row whose first cell
//! says `header.first_cell`, else the first row holding the header text of every column the layout
//! names by text. Without a layout, each known layout looks for its header row, and the first found
//! wins (on one row, the layout that recognises the most of its texts). A later copy of the header (a
//! page break) must name the same points in the same columns, and is skipped.
//!
//! The header's cells name the columns. With `terms_row`, a second header row gives terms (上半期,
//! 年度末) under fiscal years (26年度), a year applying to the empty cells after it: a point's label is
//! the year and the term (`26年度上半期`). The data may sit `data_shift` columns right of its header
//! cells (Kodaira's, where 項目 spans the heading and item columns). Point columns are either a run
//! of columns from `points.from_column` while the header names a fiscal year or a term, or each header
//! cell that matches `points.header` (`{point}` standing for the point's label; a text without it
//! names one column whose point the file does not say: its label is empty, for the importer to fill).
//! In a layout that finds its header by texts, a header cell it names as no column is refused (with
//! its column and text), unless the layout lists it under `ignore`.
//!
//! Item rows: the heading (an empty cell is the heading of the row above), the item's id and title
//! (apart, or in one cell: the id, white space and the title, as `27 スクラップアンドビルドの徹底` or
//! `R1-1 高槻市との連携`; a cell without white space is split after its leading digits), the
//! department, one grade per point, the follow-up mark (`○`, or empty) and the remark. With
//! `mark_in_remark` a mark may open the remark (`○ 継続する。`) and a row may stop at the follow-up
//! column (Kodaira's first page). Total rows (when the layout has them) come last: an empty heading and
//! a label of one word not starting with a digit (`S`, `A`, `計`), four characters at most unless a
//! count follows, then a count per point and, in the follow-up column, the number of follow-up items.
//!
//! In every layout an id is read by [`ItemId::parse`] (NFKC: full-width `１２` is `12`, `Ｒ１－１` is
//! `R1-1`; leading zeros of a number dropped); two rows with one id, however written, are refused, and
//! so is an id written `No.5` (the re-listing marker's way of naming item 5). A title may carry a
//! re-listing marker such as `【No.27の再掲】` or `【No.R1-1の再掲】` (also `NO.`, `Ｎｏ．`, full-width
//! digits, spaces around the id); it is removed from the title and returned as
//! [`ParsedRow::relisting_of`]. A grade cell holding `対象外` says that the item is not evaluated at
//! that point: no grade, and the column in [`ParsedRow::not_evaluated`]. A grade is read in NFKC
//! without the spaces published tables put inside (`完 了` is `完了`).
//!
//! All cells are trimmed of surrounding whitespace (ASCII, ideographic space U+3000 and other Unicode
//! white space but the line and paragraph separators U+2028 and U+2029, which an identifier may not
//! hold); the inside of a cell is kept verbatim, except grades and total-row labels. Identifiers
//! (headings, item ids, departments, grades) follow the rule of [`crate::domain::ident`]: a cell
//! holding a character that does not show when printed is refused, naming it. With `formula_escape`
//! (hyoka's CSV) every cell is first passed through [`unneutralise_cell`].
//!
//! Every problem of a row is reported, and every row's: the reader goes on past a bad cell and
//! returns the problems together ([`Problems`], the first [`super::error::MAX_PROBLEMS`] and a count);
//! a problem of the file as a whole (its encoding, its header) stops it at once.
//!
//! Encodings (`decode`): UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text"), and
//! CP932 (Shift_JIS as Excel writes CSV on a Japanese system) when the bytes are not UTF-8 and are
//! CP932, said in [`Read::read_as`]. Line ends LF, CRLF or CR. A BOM (U+FEFF) is accepted only at the
//! very start of the file: one starting any line after it (two files joined, or a stray mark) is
//! refused with its line number, as it would otherwise make an invisible heading that the rows below
//! fall under.
//!
//! Everything here is total: no panics on any input, and allocations are proportional to the input
//! size (a workbook's, to the bounds of `grid`).

use std::borrow::Cow;
use std::collections::HashMap;

use super::TableFormat;
use super::cells::{
    GradeCell, check_ident, grade, has_digit, is_digit, is_mark, item_id, parse_digits,
    parse_grade_cell, shown, split_item_cell, split_relisting, trim, unfold_mark,
    unneutralise_cell,
};
use super::error::{Problems, Result, RowColumns, TableFileError};
use super::grid::{Grid, ReadAs, Source, grid};
use super::layout::{
    ColumnSpec, CountsUnder, HeaderTest, Layout, TermsRow, header_matches, normalized,
};
use crate::domain::item_id::ItemId;

/// A parsed follow-up table. Line numbers are 1-based lines of the file (a sheet's row numbers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedTable {
    /// The text format the file was split as; `None` for a workbook's sheet.
    pub format: Option<TableFormat>,
    /// The name of the layout it was read with.
    pub layout: String,
    /// Point labels in column order, as the header writes them: year cell + term cell
    /// (`26年度上半期`), or the header cell (without the text around `{point}`); empty for a column
    /// whose point the file does not say.
    pub periods: Vec<String>,
    /// The 1-based column of each point, and its header text (for messages).
    pub point_columns: Vec<(usize, String)>,
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
    /// The item's id (`27`, `R1-1`), in its stored form.
    pub id: ItemId,
    /// Title without any re-listing marker.
    pub title: String,
    /// The id `27` when the title carried `【No.27の再掲】`.
    pub relisting_of: Option<ItemId>,
    pub department: String,
    /// One entry per period; `None` for an empty cell (and for `対象外`). Equal grades share one string
    /// (a file of a million cells holds a few grades, not a million strings).
    pub ratings: Vec<Option<Grade>>,
    /// The period columns (0-based, as in `ratings`) whose cell says `対象外`: the item is not
    /// evaluated at that point. In column order.
    pub not_evaluated: Vec<usize>,
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

/// What was read of a file: the table, what the file was read as, and the problems of its cells
/// (the rows that have one may be missing from the table, or lack the bad cell's value).
#[derive(Debug, Clone)]
pub struct Read {
    pub table: ParsedTable,
    pub read_as: ReadAs,
    pub problems: Problems,
}

/// How to read a file: where (the sheet, the text format, the name), and with which layout (else the
/// known ones are tried).
#[derive(Debug, Clone, Default)]
pub struct Options<'a> {
    pub source: Source<'a>,
    pub layout: Option<&'a Layout>,
}

/// Parses a table file with the known layouts, as `format` (else as the content shows: CSV if the
/// first non-empty line with a tab or a comma has a comma and no tab, TSV otherwise).
///
/// # Errors
///
/// A [`TableFileError`] naming the offending line when the file is not valid text, has no header,
/// period columns or item rows; its cells' problems together ([`TableFileError::Many`]) when there
/// are several.
pub fn parse(bytes: &[u8], format: Option<TableFormat>) -> Result<ParsedTable> {
    let read = read(
        bytes,
        &Options {
            source: Source {
                format,
                ..Source::default()
            },
            layout: None,
        },
    )?;
    read.problems.into_result()?;
    Ok(read.table)
}

/// Reads a file through a layout (else the known layouts): the table, and the problems of its cells
/// apart, so that a caller can add its own (grades against a scale) before reporting them together.
///
/// # Errors
///
/// A problem of the file as a whole: not text nor a workbook, no header, no point columns, no item
/// rows (when no cell has a problem either).
pub fn read(bytes: &[u8], options: &Options<'_>) -> Result<Read> {
    let (grid, read_as) = grid(bytes, &options.source)?;
    let chosen;
    let layout = match options.layout {
        Some(l) => l,
        None => {
            chosen = choose(&grid)?;
            &chosen
        }
    };
    let (table, problems) = Reader::new(layout, &grid).run(&grid)?;
    Ok(Read {
        table,
        read_as,
        problems,
    })
}

/// The known layout whose header row comes first in the file (on one row, the one that recognises
/// most of its texts; then the first in [`super::layout::known`]'s order).
fn choose(grid: &Grid<'_>) -> Result<Layout> {
    let known = super::layout::known();
    let tests: Vec<HeaderTest> = known.iter().map(Layout::header_test).collect();
    let mut first_line = None;
    for row in grid.rows() {
        let (line, cells) = row?;
        if is_blank(&cells) {
            continue;
        }
        first_line.get_or_insert(line);
        let best = known
            .iter()
            .zip(&tests)
            .filter_map(|(l, t)| header_score(t, &cells).map(|s| (s, l)))
            .fold(None::<(usize, &Layout)>, |best, (s, l)| match best {
                Some((b, _)) if b >= s => best,
                _ => Some((s, l)),
            });
        if let Some((_, l)) = best {
            return Ok(l.clone());
        }
    }
    Err(TableFileError::NoKnownLayout {
        line: first_line.unwrap_or(1),
        tried: known
            .iter()
            .map(|l| (l.name.clone(), l.expects()))
            .collect(),
    })
}

/// Whether a row is the layout's header row, and then how many of its texts it recognises.
fn header_score(test: &HeaderTest, cells: &[Cow<'_, str>]) -> Option<usize> {
    let texts = match test {
        HeaderTest::FirstCell(first) => return first.matches(cell(cells, 0)).then_some(1),
        HeaderTest::Texts(texts) => texts,
    };
    let mut score = 0;
    for texts in texts {
        let found = cells.iter().any(|c| texts.iter().any(|t| t.matches(c)));
        if !found {
            return None;
        }
        score += 1;
    }
    Some(score)
}

/// Cell `index` of a row, trimmed; empty when the row is shorter.
fn cell<'a>(cells: &'a [Cow<'_, str>], index: usize) -> &'a str {
    cells.get(index).map_or("", |c| trim(c))
}

/// Whether every cell of a row is empty once trimmed.
fn is_blank(cells: &[Cow<'_, str>]) -> bool {
    cells.iter().all(|c| trim(c).is_empty())
}

/// A header cell that looks like a reporting point: it names a year (`26年度`, `平成28年3月末現在`)
/// or a fiscal year (`FY2014-H1`). What it says exactly is the importer's to read.
fn looks_like_point(label: &str) -> bool {
    let n = normalized(label);
    n.contains('年') || (n.starts_with("fy") && n.chars().any(|c| c.is_ascii_digit()))
}

// ------------------------------------------------------------------------------------ the header

/// What the header row says: where each column is (0-based data columns) and what it is headed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Columns {
    heading: usize,
    id: usize,
    /// `None`: id and title in one cell.
    title: Option<usize>,
    department: usize,
    follow_up: Option<usize>,
    remark: Option<usize>,
    /// Each point's data column and label.
    points: Vec<(usize, String)>,
    /// Header text of each data column.
    headers: Vec<String>,
    /// Cells from this column on must be empty.
    limit: usize,
    /// A text row has at least this many cells.
    min_cells: usize,
    /// Total rows: the label's column, each point's count column, the follow-up count's column.
    totals: Option<(usize, Vec<usize>, Option<usize>)>,
}

impl Columns {
    fn header(&self, column: usize) -> String {
        self.headers
            .get(column)
            .map_or_else(String::new, |h| shown(h))
    }

    /// Whether another copy of the header (a page break) reads the same columns.
    fn reads_as(&self, other: &Columns) -> bool {
        (
            self.heading,
            self.id,
            self.title,
            self.department,
            self.follow_up,
            self.remark,
            &self.points,
        ) == (
            other.heading,
            other.id,
            other.title,
            other.department,
            other.follow_up,
            other.remark,
            &other.points,
        )
    }

    fn labels(&self) -> Vec<String> {
        self.points.iter().map(|(_, l)| l.clone()).collect()
    }
}

/// Whether the row below a header row is its row of terms.
fn is_terms_row(layout: &Layout, next: Option<&[Cow<'_, str>]>) -> bool {
    match (layout.terms_row, next) {
        (TermsRow::None, _) | (_, None) => false,
        (TermsRow::Required, Some(_)) => true,
        (TermsRow::Optional, Some(r2)) => {
            cell(r2, 0).is_empty()
                && cell(r2, 1).is_empty()
                && r2.iter().skip(2).any(|c| !trim(c).is_empty())
        }
    }
}

/// Reads the header row (and its row of terms, `row2`, when there is one).
fn read_header(
    layout: &Layout,
    line: usize,
    row1: &[Cow<'_, str>],
    row2: Option<&[Cow<'_, str>]>,
) -> Result<Columns> {
    let shift = layout.data_shift;
    let width = row1.len().max(row2.map_or(0, <[_]>::len));
    // The header's labels: with a row of terms, a year (a cell with 年) carried over the terms after it.
    let mut labels: Vec<String> = Vec::with_capacity(width);
    let mut no_year: Vec<bool> = Vec::with_capacity(width);
    let mut year: Option<&str> = None;
    for j in 0..width {
        let y = cell(row1, j);
        let t = row2.map_or("", |r| cell(r, j));
        if !y.is_empty() {
            year = y.contains('年').then_some(y);
        }
        match (t.is_empty(), y.is_empty(), year) {
            (true, _, _) => {
                labels.push(y.to_owned());
                no_year.push(false);
            }
            (false, false, _) => {
                labels.push(format!("{y}{t}"));
                no_year.push(false);
            }
            (false, true, Some(y)) => {
                labels.push(format!("{y}{t}"));
                no_year.push(false);
            }
            (false, true, None) => {
                labels.push(t.to_owned());
                no_year.push(true);
            }
        }
    }
    let last_used = labels
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    // claimed[j]: the header column j is a column the layout names.
    let mut claimed = vec![false; width];
    let header_of = |d: usize| -> Option<usize> { d.checked_sub(shift).filter(|j| *j < width) };
    let mut points: Vec<(usize, String)> = Vec::new();
    if let Some(from) = layout.points_from {
        // By position: the run of columns from `from` while the header names a year or a term.
        let mut year: Option<&str> = None;
        let mut d = from - 1;
        while let Some(j) = header_of(d) {
            let y = cell(row1, j);
            let t = row2.map_or("", |r| cell(r, j));
            if t.is_empty() && !y.contains('年') {
                break;
            }
            if !y.is_empty() {
                year = Some(y);
            }
            let Some(year) = year else {
                return Err(TableFileError::PeriodWithoutYear {
                    line,
                    column: j + 1,
                });
            };
            points.push((d, format!("{year}{t}")));
            if let Some(c) = claimed.get_mut(j) {
                *c = true;
            }
            d += 1;
        }
    }
    let last_point = points.last().map(|(d, _)| *d);
    // A column named twice is found once; the total rows' label shares a column with another.
    let mut resolve = |key: &'static str, spec: &ColumnSpec| -> Result<Option<usize>> {
        let shared = key == "totals.label";
        match spec {
            ColumnSpec::At(n) => {
                if let Some(j) = header_of(n - 1)
                    && let Some(c) = claimed.get_mut(j)
                {
                    *c = true;
                }
                Ok(Some(n - 1))
            }
            ColumnSpec::AfterPoints(n) => {
                let d = last_point.map(|p| p + n);
                if let Some(j) = d.and_then(header_of)
                    && let Some(c) = claimed.get_mut(j)
                {
                    *c = true;
                }
                Ok(d)
            }
            ColumnSpec::Header(texts) => {
                let mut found: Option<usize> = None;
                for (j, label) in labels.iter().enumerate() {
                    if (!shared && claimed.get(j).copied().unwrap_or(true))
                        || !texts.iter().any(|t| header_matches(label, t))
                    {
                        continue;
                    }
                    if let Some(first) = found {
                        return Err(TableFileError::DuplicateColumn {
                            line,
                            first_column: first + shift + 1,
                            column: j + shift + 1,
                            key,
                            header: shown(label),
                        });
                    }
                    found = Some(j);
                }
                if let Some(j) = found
                    && let Some(c) = claimed.get_mut(j)
                {
                    *c = true;
                }
                Ok(found.map(|j| j + shift))
            }
        }
    };
    let heading = resolve("heading", &layout.heading)?;
    let id = resolve(
        if layout.title.is_some() { "id" } else { "item" },
        &layout.id,
    )?;
    let title = match &layout.title {
        Some(t) => resolve("title", t)?,
        None => None,
    };
    let department = resolve("department", &layout.department)?;
    let follow_up = match &layout.follow_up {
        Some(s) => resolve("follow_up", s)?,
        None => None,
    };
    let remark = match &layout.remark {
        Some(s) => resolve("remark", s)?,
        None => None,
    };
    let total_label = match &layout.totals {
        Some(t) => resolve("totals.label", &t.label)?,
        None => None,
    };
    let (Some(heading), Some(id), Some(department)) = (heading, id, department) else {
        return Err(TableFileError::NoHeader {
            line,
            layout: layout.name.clone(),
            expected: layout.expects(),
        });
    };
    if layout.title.is_some() && title.is_none() {
        return Err(TableFileError::NoHeader {
            line,
            layout: layout.name.clone(),
            expected: layout.expects(),
        });
    }
    // The other header cells: points, ignored, or refused.
    let template = layout.points_header.split_once("{point}");
    let mut ignored: Vec<usize> = Vec::new();
    for (j, label) in labels.iter().enumerate() {
        if label.is_empty() || claimed.get(j).copied().unwrap_or(true) {
            continue;
        }
        let d = j + shift;
        if layout.points_from.is_none() {
            match template {
                Some((before, after)) => {
                    let n = normalized(label);
                    let (b, a) = (normalized(before), normalized(after));
                    if let Some(mid) = n
                        .strip_prefix(b.as_str())
                        .and_then(|m| m.strip_suffix(a.as_str()))
                        && looks_like_point(mid)
                    {
                        if no_year.get(j).copied().unwrap_or(false) {
                            return Err(TableFileError::PeriodWithoutYear {
                                line,
                                column: d + 1,
                            });
                        }
                        let point = if before.is_empty() && after.is_empty() {
                            label.clone()
                        } else {
                            mid.to_string()
                        };
                        points.push((d, point));
                        continue;
                    }
                }
                None => {
                    if header_matches(label, &layout.points_header) {
                        if points.is_empty() {
                            points.push((d, String::new()));
                            continue;
                        }
                        return Err(TableFileError::DuplicateColumn {
                            line,
                            first_column: points.first().map_or(0, |(p, _)| p + 1),
                            column: d + 1,
                            key: "points",
                            header: shown(label),
                        });
                    }
                }
            }
        }
        if layout.ignore.iter().any(|t| header_matches(label, t)) {
            ignored.push(d);
            continue;
        }
        if layout.first_cell.is_none() {
            return Err(TableFileError::UnknownColumn {
                line,
                column: d + 1,
                header: shown(label),
                layout: layout.name.clone(),
                looks_like_point: template.is_some(),
            });
        }
    }
    if points.is_empty() {
        return Err(TableFileError::NoPeriods { line });
    }
    let mut headers = vec![String::new(); width + shift];
    for (j, label) in labels.iter().enumerate() {
        if let Some(h) = headers.get_mut(j + shift) {
            h.clone_from(label);
        }
    }
    for (d, label) in &points {
        if let Some(h) = headers.get_mut(*d)
            && h.is_empty()
        {
            h.clone_from(label);
        }
    }
    let used = [
        Some(heading),
        Some(id),
        title,
        Some(department),
        follow_up,
        remark,
        total_label,
    ]
    .into_iter()
    .flatten()
    .chain(points.iter().map(|(d, _)| *d))
    .chain(ignored.iter().copied())
    .max()
    .unwrap_or(0);
    let min_cells = match (layout.mark_in_remark, follow_up) {
        (true, Some(f)) => f + 1,
        _ => last_used + shift,
    };
    let totals = layout.totals.as_ref().and_then(|t| {
        let under = |d: usize| match t.counts_under {
            CountsUnder::Data => d,
            CountsUnder::Header => d.saturating_sub(shift),
        };
        let label = total_label?;
        let counts = points.iter().map(|(d, _)| under(*d)).collect();
        let follow = follow_up.filter(|_| t.follow_up_count).map(under);
        Some((label, counts, follow))
    });
    Ok(Columns {
        heading,
        id,
        title,
        department,
        follow_up,
        remark,
        points,
        headers,
        limit: used + 1,
        min_cells,
        totals,
    })
}

// ------------------------------------------------------------------------------------ the rows

/// Shared bookkeeping for item rows.
struct Reader<'l> {
    layout: &'l Layout,
    /// Rows come from a sheet (whose rows leave out their empty cells at the end).
    sheet: bool,
    rows: Vec<ParsedRow>,
    /// Each id read so far: its line and how it was written.
    seen: HashMap<ItemId, (usize, String)>,
    category: Option<String>,
    /// The distinct grades read so far.
    grades: Vec<Grade>,
    totals: Vec<TotalRow>,
    follow_up_total: Option<(usize, u64)>,
    problems: Problems,
    /// The first item row had no heading (said once).
    heading_missing: bool,
}

impl<'l> Reader<'l> {
    fn new(layout: &'l Layout, grid: &Grid<'_>) -> Reader<'l> {
        Reader {
            layout,
            sheet: grid.is_sheet(),
            rows: Vec::new(),
            seen: HashMap::new(),
            category: None,
            grades: Vec::new(),
            totals: Vec::new(),
            follow_up_total: None,
            problems: Problems::default(),
            heading_missing: false,
        }
    }

    fn run(mut self, grid: &Grid<'_>) -> Result<(ParsedTable, Problems)> {
        let mut rows = grid.rows().peekable();
        let header_test = self.layout.header_test();
        let mut header: Option<(usize, Columns)> = None;
        let mut first_nonblank: Option<usize> = None;
        while let Some(row) = rows.next() {
            let (line, mut cells) = row?;
            if is_blank(&cells) {
                continue;
            }
            if self.layout.formula_escape {
                for c in &mut cells {
                    if let Cow::Borrowed(rest) = unneutralise_cell(c)
                        && rest.len() != c.len()
                    {
                        *c = Cow::Owned(rest.to_string());
                    }
                }
            }
            first_nonblank.get_or_insert(line);
            if header_score(&header_test, &cells).is_some() {
                let next = match rows.peek() {
                    Some(Ok((next_line, next))) if *next_line == line + 1 => Some(next.as_slice()),
                    _ => None,
                };
                let terms = is_terms_row(self.layout, next);
                let columns = read_header(self.layout, line, &cells, next.filter(|_| terms))?;
                if terms {
                    rows.next();
                }
                match &header {
                    None => header = Some((line, columns)),
                    Some((first_line, first)) if !first.reads_as(&columns) => {
                        return Err(TableFileError::HeaderMismatch {
                            line,
                            first_line: *first_line,
                            expected: first.labels(),
                            found: columns.labels(),
                        });
                    }
                    Some(_) => {}
                }
                continue;
            }
            let Some((_, columns)) = &header else {
                continue; // title lines before the header
            };
            if self.is_total_row(columns, &cells) {
                self.total_row(columns, line, &cells)?;
                continue;
            }
            if let Some(first) = self.totals.first() {
                self.problems.push(TableFileError::RowAfterTotals {
                    line,
                    totals_line: first.line,
                });
                continue;
            }
            self.item_row(columns, line, &cells);
        }
        let Some((header_line, columns)) = header else {
            return Err(TableFileError::NoHeader {
                line: first_nonblank.unwrap_or(1),
                layout: self.layout.name.clone(),
                expected: self.layout.expects(),
            });
        };
        if self.rows.is_empty() && self.problems.is_empty() {
            return Err(TableFileError::NoDataRows { line: header_line });
        }
        let table = ParsedTable {
            format: match grid {
                Grid::Text { format, .. } => Some(*format),
                Grid::Sheet { .. } => None,
            },
            layout: self.layout.name.clone(),
            periods: columns.labels(),
            point_columns: columns
                .points
                .iter()
                .map(|(d, _)| (d + 1, columns.header(*d)))
                .collect(),
            header_line,
            rows: self.rows,
            totals: self.totals,
            follow_up_total: self.follow_up_total,
        };
        Ok((table, self.problems))
    }

    fn grade(&mut self, g: String) -> Grade {
        if let Some(known) = self.grades.iter().find(|k| ***k == *g) {
            return known.clone();
        }
        let new: Grade = g.into();
        self.grades.push(new.clone());
        new
    }

    fn is_total_row(&self, columns: &Columns, cells: &[Cow<'_, str>]) -> bool {
        let Some((label_at, counts, _)) = &columns.totals else {
            return false;
        };
        let label = cell(cells, *label_at);
        let first_count = counts.first().map_or("", |c| cell(cells, *c));
        cell(cells, columns.heading).is_empty()
            && !label.is_empty()
            && !label.contains(char::is_whitespace)
            && !label.starts_with(is_digit)
            && (!self.totals.is_empty()
                || label.chars().count() <= 4
                || first_count.starts_with(is_digit))
    }

    fn total_row(&mut self, columns: &Columns, line: usize, cells: &[Cow<'_, str>]) -> Result<()> {
        let Some((label_at, count_at, follow_at)) = &columns.totals else {
            return Ok(());
        };
        let label_cell: String = cell(cells, *label_at)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let label = match grade(line, label_at + 1, &label_cell) {
            Ok(l) => l,
            Err(e) => {
                self.problems.push(e);
                return Ok(());
            }
        };
        let shift = match self.layout.totals.as_ref().map(|t| t.counts_under) {
            Some(CountsUnder::Header) => self.layout.data_shift,
            _ => 0,
        };
        let header = |c: usize| columns.header(c + shift);
        let mut problems = Vec::new();
        let mut count = |column: usize| -> Option<u64> {
            let c = cell(cells, column);
            let n = parse_digits(c);
            if n.is_none() {
                problems.push(TableFileError::BadCount {
                    line,
                    column: column + 1,
                    header: header(column),
                    label: shown(&label),
                    cell: shown(c),
                });
            }
            n
        };
        let counts: Vec<Option<u64>> = count_at.iter().map(|c| count(*c)).collect();
        let mut end = count_at.iter().max().map_or(0, |c| c + 1);
        if let Some(f) = follow_at {
            end = end.max(f + 1);
            if !cell(cells, *f).is_empty()
                && let Some(n) = count(*f)
            {
                match self.follow_up_total {
                    Some((first_line, _)) => {
                        problems.push(TableFileError::DuplicateFollowUpTotal { line, first_line })
                    }
                    None => self.follow_up_total = Some((line, n)),
                }
            }
        }
        let end = end.max(label_at + 1);
        if let Some(e) = self.extra(columns, line, cells, end) {
            problems.push(e);
        }
        let ok = problems.is_empty();
        for p in problems {
            self.problems.push(p);
        }
        if ok {
            self.totals.push(TotalRow {
                line,
                label,
                counts: counts.into_iter().flatten().collect(),
            });
        } else if self.totals.is_empty() {
            // Later rows are total rows still.
            self.totals.push(TotalRow {
                line,
                label,
                counts: Vec::new(),
            });
        }
        Ok(())
    }

    /// The first non-empty cell from column `from` on, as a problem.
    fn extra(
        &self,
        columns: &Columns,
        line: usize,
        cells: &[Cow<'_, str>],
        from: usize,
    ) -> Option<TableFileError> {
        cells
            .iter()
            .enumerate()
            .skip(from)
            .find(|(_, c)| !trim(c).is_empty())
            .map(|(index, c)| TableFileError::TooManyColumns {
                line,
                column: index + 1,
                header: columns.header(index),
                max: from,
                cell: shown(trim(c)),
            })
    }

    fn item_row(&mut self, columns: &Columns, line: usize, cells: &[Cow<'_, str>]) {
        let mut problems: Vec<TableFileError> = Vec::new();
        if !self.sheet && cells.len() < columns.min_cells {
            self.problems.push(TableFileError::TooFewColumns {
                line,
                expected: columns.min_cells,
                layout: columns_description(columns),
                found: cells.len(),
                format: self.layout.name.clone(),
            });
            return;
        }
        if let Some(e) = self.extra(columns, line, cells, columns.limit) {
            problems.push(e);
        }
        let at = |d: usize| (d + 1, columns.header(d));
        let ident = |problems: &mut Vec<TableFileError>, d: usize, field: &'static str| {
            let (column, header) = at(d);
            if let Err(e) = check_ident(line, column, &header, field, cell(cells, d)) {
                problems.push(e);
            }
        };
        ident(&mut problems, columns.heading, "heading");
        ident(&mut problems, columns.department, "department");
        // The id and the title.
        let (id_column, id_header) = at(columns.id);
        let (written, title) = match columns.title {
            None => {
                let item = cell(cells, columns.id);
                let (written, title) = split_item_cell(item);
                match check_ident(line, id_column, &id_header, "item id", written) {
                    Err(e) => {
                        problems.push(e);
                        (None, title)
                    }
                    // A cell of one word without a digit is a title without its id (`広域連携の推進`),
                    // not an id without its title.
                    Ok(()) if written.is_empty() || (title.is_empty() && !has_digit(written)) => {
                        problems.push(TableFileError::BadId {
                            line,
                            column: id_column,
                            header: id_header.clone(),
                            cell: shown(item),
                        });
                        (None, title)
                    }
                    Ok(()) => (Some(written), title),
                }
            }
            Some(t) => (Some(cell(cells, columns.id)), cell(cells, t)),
        };
        let id = written.and_then(|w| match item_id(line, id_column, &id_header, w) {
            Ok(id) => Some(id),
            Err(e) => {
                problems.push(e);
                None
            }
        });
        // The grades.
        let mut grades = Vec::with_capacity(columns.points.len());
        for (d, _) in &columns.points {
            let (column, header) = at(*d);
            match parse_grade_cell(line, column, &header, cell(cells, *d)) {
                Ok(g) => grades.push(g),
                Err(e) => {
                    problems.push(e);
                    grades.push(GradeCell::Empty);
                }
            }
        }
        // The follow-up mark and the remark.
        let (follow_up, remark) = self.mark_and_remark(columns, line, cells, &mut problems);
        // The heading, carried down.
        let heading = cell(cells, columns.heading);
        if !heading.is_empty() {
            self.category = Some(heading.to_owned());
        }
        let category = self.category.clone();
        // Said once: the rows after the first lack it for the same reason.
        if category.is_none() && !self.heading_missing {
            self.heading_missing = true;
            let (column, header) = at(columns.heading);
            problems.push(TableFileError::MissingHeading {
                line,
                column,
                header,
            });
        }
        let (title, relisting_of) = split_relisting(trim(title));
        if let Some(id) = &id
            && title.is_empty()
        {
            let (column, header) = at(columns.title.unwrap_or(columns.id));
            problems.push(TableFileError::MissingTitle {
                line,
                column,
                header,
                id: id.clone(),
                with_id: columns.title.is_none(),
            });
        }
        if let (Some(id), Some(written)) = (&id, written) {
            let written = trim(written);
            match self.seen.get(id) {
                Some((first_line, first_written)) => {
                    problems.push(TableFileError::DuplicateId {
                        line,
                        column: id_column,
                        header: id_header.clone(),
                        first_line: *first_line,
                        id: id.clone(),
                        written: shown(written),
                        first_written: first_written.clone(),
                    });
                }
                None => {
                    self.seen.insert(id.clone(), (line, shown(written)));
                }
            }
        }
        // A row whose id, title or heading is wrong is left out; one with another bad cell is kept
        // without it, so that its other cells are checked too (nothing is recorded while a problem
        // remains).
        let whole = problems.iter().all(|p| {
            !matches!(
                p,
                TableFileError::BadId { .. }
                    | TableFileError::IdWithNo { .. }
                    | TableFileError::MissingTitle { .. }
                    | TableFileError::MissingHeading { .. }
                    | TableFileError::DuplicateId { .. }
            ) && !matches!(p, TableFileError::Identifier { column, .. } if *column == id_column)
        });
        for p in problems {
            self.problems.push(p);
        }
        let (Some(id), Some(category), true) = (id, category, whole) else {
            return;
        };
        // A new vector of the exact size (collecting in place would keep the larger one).
        let mut ratings = Vec::with_capacity(grades.len());
        let mut not_evaluated = Vec::new();
        for (column, g) in grades.into_iter().enumerate() {
            ratings.push(match g {
                GradeCell::Empty => None,
                GradeCell::Grade(g) => Some(self.grade(g)),
                GradeCell::NotEvaluated => {
                    not_evaluated.push(column);
                    None
                }
            });
        }
        self.rows.push(ParsedRow {
            line,
            category,
            id,
            title,
            relisting_of,
            department: cell(cells, columns.department).to_owned(),
            ratings,
            not_evaluated,
            follow_up,
            remark,
        });
    }

    /// The follow-up mark and the remark of an item row.
    fn mark_and_remark(
        &self,
        columns: &Columns,
        line: usize,
        cells: &[Cow<'_, str>],
        problems: &mut Vec<TableFileError>,
    ) -> (bool, String) {
        let remark = columns.remark.map_or("", |r| cell(cells, r));
        let Some(f) = columns.follow_up else {
            return (false, remark.to_owned());
        };
        let mark = cell(cells, f);
        let bad = |problems: &mut Vec<TableFileError>| {
            problems.push(TableFileError::BadMark {
                line,
                column: f + 1,
                header: columns.header(f),
                cell: shown(mark),
            });
            (false, remark.to_owned())
        };
        if !self.layout.mark_in_remark {
            return match mark.is_empty() || is_mark(mark) {
                true => (!mark.is_empty(), remark.to_owned()),
                false => bad(problems),
            };
        }
        // A row that stops at the follow-up column holds the remark there, a mark perhaps opening it.
        if columns.remark.is_some_and(|r| cells.len() <= r) {
            return unfold_mark(mark);
        }
        if mark.is_empty() {
            (false, remark.to_owned())
        } else if is_mark(mark) {
            (true, remark.to_owned())
        } else if remark.is_empty() {
            // A [remark] row with a trailing empty cell.
            unfold_mark(mark)
        } else {
            bad(problems)
        }
    }
}

/// The columns of an item row, as messages show them: `heading, id and title, department, 3 points,
/// follow-up, remark`.
fn columns_description(c: &Columns) -> RowColumns {
    RowColumns {
        title_apart: c.title.is_some(),
        points: c.points.len(),
        follow_up: c.follow_up.is_some(),
        remark: c.remark.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::cells::{NOT_EVALUATED, neutralise_cell, split_item_cell};
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

    fn ok(bytes: &[u8], hint: Option<TableFormat>) -> ParsedTable {
        match parse(bytes, hint) {
            Ok(t) => t,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }

    fn err(bytes: &[u8], hint: Option<TableFormat>) -> TableFileError {
        match parse(bytes, hint) {
            Ok(t) => panic!("expected an error, parsed {t:?}"),
            Err(e) => {
                let msg = e.to_string();
                assert!(!msg.contains('\n') && !msg.contains('\r'), "{msg}");
                let line = format!("line {}", e.line());
                assert!(
                    msg.starts_with(&format!("{line}: ")) || msg.starts_with(&format!("{line}, ")),
                    "{msg}"
                );
                assert!(msg.contains("; "), "{msg}");
                e
            }
        }
    }

    fn id(s: &str) -> ItemId {
        match ItemId::parse(s) {
            Ok(id) => id,
            Err(e) => panic!("{e}"),
        }
    }

    fn row(t: &ParsedTable, number: u32) -> &ParsedRow {
        match t.rows.iter().find(|r| r.id.number() == Some(number)) {
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
        let t = ok(&seed_bytes(), None);
        assert_eq!(t.format, Some(TableFormat::Tsv));
        assert_eq!(t.header_line, 3);
        assert_eq!(t.periods, ["26年度上半期", "26年度年度末", "27年度上半期"]);
        assert_eq!(t.rows.len(), 62);
        let numbers: Vec<Option<u32>> = t.rows.iter().map(|r| r.id.number()).collect();
        assert_eq!(numbers, (1..=62).map(Some).collect::<Vec<_>>());
        assert!(t.rows.iter().all(|r| r.not_evaluated.is_empty()));
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
        assert_eq!(r39.relisting_of, Some(id("27")));
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
        assert_eq!(ok(&seed_bytes(), Some(TableFormat::Tsv)), t);
    }

    #[test]
    fn seed_with_bom_crlf_utf16_and_cr_parses_identically() {
        let plain = ok(&seed_bytes(), None);
        let text = String::from_utf8_lossy(&seed_bytes()).into_owned();
        let mut bom_crlf = b"\xEF\xBB\xBF".to_vec();
        bom_crlf.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
        assert_eq!(ok(&bom_crlf, None), plain);
        let cr = text.replace('\n', "\r");
        assert_eq!(ok(cr.as_bytes(), None), plain);
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in text.replace('\n', "\r\n").encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(ok(&le, None), plain);
        assert_eq!(ok(&be, None), plain);
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
            let e = err(joined.as_bytes(), None);
            assert_eq!(e, TableFileError::StrayBom { line: 11 }, "{newline:?}");
            assert!(
                e.to_string()
                    .starts_with("line 11: a byte-order mark (U+FEFF)")
            );
            let mut le = vec![0xFF, 0xFE];
            for u in joined.encode_utf16() {
                le.extend_from_slice(&u.to_le_bytes());
            }
            assert_eq!(err(&le, None), TableFileError::StrayBom { line: 11 });
        }
        // Two marks at the start: the second is stray too.
        let mut twice = "\u{FEFF}\u{FEFF}".as_bytes().to_vec();
        twice.extend_from_slice(&seed_bytes());
        assert_eq!(err(&twice, None), TableFileError::StrayBom { line: 1 });
        // In a CSV, a second file's header line.
        let joined = format!("{HYOKA_CSV}{HYOKA_CSV}");
        assert!(matches!(
            err(joined.as_bytes(), None),
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
            (on_line_5("\t1 市民", "\t1\u{2060} 市民"), 2, "item id"),
            (
                on_line_5("\t市民協働・", "\t市民協働・\u{00AD}"),
                3,
                "department",
            ),
            (on_line_5("\tA\t", "\tA\u{2028}\t"), 4, "grade"),
        ] {
            match err(bytes.as_bytes(), Some(TableFormat::Tsv)) {
                TableFileError::Identifier {
                    line: 5,
                    column: c,
                    problem,
                    ..
                } if c == column => {
                    let problem = problem.to_string();
                    assert!(problem.starts_with(&format!("the {field} `")), "{problem}");
                    assert!(problem.contains("U+"), "{problem}");
                }
                e => panic!("{field}: {e}"),
            }
        }
        // CSV: the department is column 4.
        let csv = HYOKA_CSV.replacen("市民協働課", "市民\u{3164}協働課", 1);
        assert!(matches!(
            err(csv.as_bytes(), Some(TableFormat::Csv)),
            TableFileError::Identifier { column: 4, .. }
        ));
        // Full-width grades, in ratings and total rows, are read as their NFKC form.
        let wide = text.replace("\tA\t", "\tＡ\t").replace("\nA\t", "\nＡ\t");
        assert_ne!(wide, text);
        assert_eq!(
            ok(wide.as_bytes(), Some(TableFormat::Tsv)),
            ok(&seed_bytes(), Some(TableFormat::Tsv))
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
        let t = ok(HYOKA_TSV.as_bytes(), None);
        assert_eq!(t.format, Some(TableFormat::Tsv));
        assert_eq!(t.header_line, 1);
        assert_eq!(
            t.periods,
            ["平成26年度上半期", "平成26年度年度末", "令和元年度上半期"]
        );
        let expected = vec![
            ParsedRow {
                line: 3,
                category: "地域協働の推進".into(),
                id: id("1"),
                title: "市民活動支援".into(),
                relisting_of: None,
                department: "市民協働課".into(),
                ratings: some(&["A", "", "S"]),
                not_evaluated: Vec::new(),
                follow_up: true,
                remark: "継続する。".into(),
            },
            ParsedRow {
                line: 4,
                category: "地域協働の推進".into(),
                id: id("2"),
                title: "協働推進体制".into(),
                relisting_of: None,
                department: "政策課".into(),
                ratings: some(&["B", "A", "A"]),
                not_evaluated: Vec::new(),
                follow_up: false,
                remark: String::new(),
            },
            ParsedRow {
                line: 5,
                category: "財政基盤の強化".into(),
                id: id("27"),
                title: "スクラップアンドビルドの徹底".into(),
                relisting_of: None,
                department: "財政課".into(),
                ratings: some(&["A", "A", "A"]),
                not_evaluated: Vec::new(),
                follow_up: true,
                remark: "○ 丸で始まる理由".into(),
            },
            ParsedRow {
                line: 6,
                category: "財政基盤の強化".into(),
                id: id("39"),
                title: "スクラップアンドビルドの徹底".into(),
                relisting_of: Some(id("27")),
                department: "財政課".into(),
                ratings: some(&["A", "A", "A"]),
                not_evaluated: Vec::new(),
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
        let t = ok(text.as_bytes(), None);
        assert_eq!(t.header_line, 3);
        assert_eq!(t.periods, ["平成26年度上半期", "平成26年度年度末"]);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows.first().map(|r| r.remark.as_str()), Some("理由"));
    }

    #[test]
    fn seven_column_row_with_trailing_tab_keeps_folded_mark() {
        let text = "項目\t課\t26年度\tフォ\t理由\n\t\t上半期\t\t\n見出し\t1 題\t課\tA\t○ 理由\t\n\t2 題\t課\tA\t理由\t\t\n";
        let t = ok(text.as_bytes(), None);
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
            ("徹底【No.27の再掲】", Some("27")),
            ("徹底【No.２７の再掲】", Some("27")),
            ("徹底【NO.27の再掲】", Some("27")),
            ("徹底 【Ｎｏ．27 の再掲】", Some("27")),
            ("徹底【No. 5の再掲】", Some("5")),
            ("徹底【No.027の再掲】", Some("27")),
            ("徹底【No.R1-1の再掲】", Some("R1-1")),
            ("徹底【No.Ｒ１－１の再掲】", Some("R1-1")),
            ("徹底【No.\u{3000}1-1-1\u{3000}の再掲】", Some("1-1-1")),
            // An id of digits too long for a number is an id still.
            ("徹底【No.99999999999の再掲】", Some("99999999999")),
            ("徹底【No.の再掲】", None),
            ("徹底【参考】", None),
            ("徹底【参考】の再掲】", None),
            ("徹底【No.R1 1の再掲】", None),
            ("徹底【No.No.5の再掲】", None),
            ("徹底【No.123456789012345678901234567890123の再掲】", None),
        ] {
            let (t, n) = split_relisting(title);
            assert_eq!(n, want.map(id), "{title}");
            if want.is_some() {
                assert_eq!(t, "徹底");
            } else {
                assert_eq!(t, title);
            }
        }
        assert_eq!(
            split_relisting("【No.3の再掲】前後"),
            ("前後".to_owned(), Some(id("3")))
        );
    }

    const TEXT_ID_TSV: &str = "項目\t主な推進担当課\t令和元年度\t\tフォローアップ対象項目\t理由等\n\
        \t\t上半期\t年度末\t\t\n\
        広域連携\tR1-1 高槻市との連携\t政策課\tA\tS\t○\t継続する。\n\
        \t1-1-1\u{3000}窓口の一元化\t市民課\tA\t対象外\t\t\n\
        \t１２ 全角の番号\t財政課\t\tB\t\t\n\
        \tR1-10 高槻市との連携【No.R1-1の再掲】\t政策課\t対象外\tS\t○\t\n\
        \t1-2-1窓口の電子化\t市民課\tA\tA\t\t\n";

    #[test]
    fn text_ids_are_read_from_a_tsv() {
        let t = ok(TEXT_ID_TSV.as_bytes(), None);
        let got: Vec<(&str, &str, Option<&str>, &[usize])> = t
            .rows
            .iter()
            .map(|r| {
                (
                    r.id.as_str(),
                    r.title.as_str(),
                    r.relisting_of.as_ref().map(ItemId::as_str),
                    r.not_evaluated.as_slice(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("R1-1", "高槻市との連携", None, &[][..]),
                ("1-1-1", "窓口の一元化", None, &[1][..]),
                ("12", "全角の番号", None, &[][..]),
                ("R1-10", "高槻市との連携", Some("R1-1"), &[0][..]),
                ("1-2-1", "窓口の電子化", None, &[][..]),
            ]
        );
        assert_eq!(t.rows[0].ratings, some(&["A", "S"]));
        // 対象外 is no grade.
        assert_eq!(t.rows[1].ratings, some(&["A", ""]));
        assert_eq!(t.rows[3].ratings, some(&["", "S"]));
        assert_eq!(t.rows[2].id.number(), Some(12));
        assert_eq!(t.rows[0].id.number(), None);
    }

    #[test]
    fn text_ids_are_read_from_a_csv() {
        let csv = "分類,番号,項目,主な推進担当課,令和元年度上半期,令和元年度末,フォローアップ対象,理由等\r\n\
            広域連携,R1-1,高槻市との連携,政策課,A,S,○,継続する。\r\n\
            広域連携,1-1-1,窓口の一元化,市民課,A,対象外,,\r\n\
            財政,１２,全角の番号,財政課,,B,,\r\n\
            財政,Ｒ１－１０,高槻市との連携【No.Ｒ１－１の再掲】,政策課,対象外,S,○,\r\n\
            財政,007,先頭のゼロ,財政課,A,A,,\r\n";
        let t = ok(csv.as_bytes(), None);
        assert_eq!(t.format, Some(TableFormat::Csv));
        let got: Vec<(&str, Option<&str>, &[usize])> = t
            .rows
            .iter()
            .map(|r| {
                (
                    r.id.as_str(),
                    r.relisting_of.as_ref().map(ItemId::as_str),
                    r.not_evaluated.as_slice(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("R1-1", None, &[][..]),
                ("1-1-1", None, &[1][..]),
                ("12", None, &[][..]),
                ("R1-10", Some("R1-1"), &[0][..]),
                ("7", None, &[][..]),
            ]
        );
        assert_eq!(t.rows[3].title, "高槻市との連携");
        assert_eq!(t.rows[1].ratings, some(&["A", ""]));
    }

    #[test]
    fn an_id_written_twice_in_two_widths_is_refused_naming_both_lines() {
        let tsv = format!("{TEXT_ID_TSV}\t12 半角の番号\t財政課\tA\tA\t\t\n");
        let e = err(tsv.as_bytes(), None);
        assert_eq!(
            e,
            TableFileError::DuplicateId {
                line: 8,
                column: 2,
                header: "項目".into(),
                first_line: 5,
                id: id("12"),
                written: "12".into(),
                first_written: "１２".into(),
            }
        );
        assert_eq!(
            e.to_string(),
            "line 8, column 2 (項目): item id 12 is already used on line 5 (written \"12\" here and \"１２\" there, the same id); give every item its own id"
        );
        let csv = "分類,番号,項目,主な推進担当課,令和元年度上半期,フォローアップ対象,理由等\n\
            a,12,t,d,A,,\n\
            a,R1-1,t,d,A,,\n\
            a,１２,t,d,A,,\n";
        let e = err(csv.as_bytes(), None);
        assert!(
            matches!(
                &e,
                TableFileError::DuplicateId {
                    line: 4,
                    first_line: 2,
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("line 2"), "{e}");
        // A text id too, in another width.
        let csv = csv.replace("a,１２", "a,Ｒ１－１");
        let e = err(csv.as_bytes(), None);
        assert!(
            e.to_string().starts_with(
                "line 4, column 2 (番号): item id R1-1 is already used on line 3 (written \"Ｒ１－１\" here and \"R1-1\" there"
            ),
            "{e}"
        );
    }

    #[test]
    fn an_item_cell_without_a_space_is_split_after_its_digits() {
        for (cell, want_id, want_title) in [
            (
                "27スクラップアンドビルドの徹底",
                "27",
                "スクラップアンドビルドの徹底",
            ),
            ("２７スクラップ", "27", "スクラップ"),
            ("1-1-1窓口", "1-1-1", "窓口"),
            ("1-窓口", "1", "-窓口"),
            ("R1-1 高槻市", "R1-1", "高槻市"),
            ("R1-1\u{3000}高槻市 との連携", "R1-1", "高槻市 との連携"),
        ] {
            let (written, title) = split_item_cell(cell);
            assert_eq!(
                (ItemId::parse(written).ok(), title),
                (Some(id(want_id)), want_title),
                "{cell}"
            );
        }
    }

    const HYOKA_CSV: &str = "\u{FEFF}分類,番号,項目,主な推進担当課,平成26年度上半期,平成26年度年度末,フォローアップ対象,理由等\r\n\
        地域協働の推進,1,\"市民活動支援, センター\",市民協働課,A,,○,\"理由は\r\n\"\"二行\"\", 続く\"\r\n\
        地域協働の推進,2,題,課,'-,B,,'=SUM(A1)\r\n\
        財政基盤の強化,39,スクラップアンドビルドの徹底【No.27の再掲】,財政課,S,A,,'abc\r\n\
        財政基盤の強化,40,題,課,S,A,,''=x\r\n";

    #[test]
    fn hyoka_csv_parses() {
        let t = ok(HYOKA_CSV.as_bytes(), None);
        assert_eq!(t.format, Some(TableFormat::Csv));
        assert_eq!(t.header_line, 1);
        assert_eq!(t.periods, ["平成26年度上半期", "平成26年度年度末"]);
        assert!(t.totals.is_empty());
        assert_eq!(t.follow_up_total, None);
        let expected = vec![
            ParsedRow {
                line: 2,
                category: "地域協働の推進".into(),
                id: id("1"),
                title: "市民活動支援, センター".into(),
                relisting_of: None,
                department: "市民協働課".into(),
                ratings: some(&["A", ""]),
                not_evaluated: Vec::new(),
                follow_up: true,
                remark: "理由は\r\n\"二行\", 続く".into(),
            },
            ParsedRow {
                line: 4,
                category: "地域協働の推進".into(),
                id: id("2"),
                title: "題".into(),
                relisting_of: None,
                department: "課".into(),
                ratings: some(&["-", "B"]),
                not_evaluated: Vec::new(),
                follow_up: false,
                remark: "=SUM(A1)".into(),
            },
            ParsedRow {
                line: 5,
                category: "財政基盤の強化".into(),
                id: id("39"),
                title: "スクラップアンドビルドの徹底".into(),
                relisting_of: Some(id("27")),
                department: "財政課".into(),
                ratings: some(&["S", "A"]),
                not_evaluated: Vec::new(),
                follow_up: false,
                remark: "'abc".into(),
            },
            ParsedRow {
                line: 6,
                category: "財政基盤の強化".into(),
                id: id("40"),
                title: "題".into(),
                relisting_of: None,
                department: "課".into(),
                ratings: some(&["S", "A"]),
                not_evaluated: Vec::new(),
                follow_up: false,
                remark: "'=x".into(),
            },
        ];
        assert_eq!(t.rows, expected);
        // Without BOM, forced, and with a .csv hint.
        let no_bom = HYOKA_CSV.trim_start_matches('\u{FEFF}');
        assert_eq!(ok(no_bom.as_bytes(), Some(TableFormat::Csv)), t);
        assert_eq!(
            ok(no_bom.as_bytes(), TableFormat::from_file_name("x.CSV")),
            t
        );
    }

    #[test]
    fn csv_line_numbers_survive_blank_lines_crlf_and_cr() {
        let h = "分類,番号,項目,主な推進担当課,26年度上半期,フォローアップ対象,理由等";
        for nl in ["\n", "\r\n", "\r"] {
            let text = format!("{nl}{nl}{h}{nl}{nl}a,1,t,d,A,,\"r{nl}r\"{nl}{nl}a,2,t,d,A,,r{nl}");
            let t = ok(text.as_bytes(), None);
            assert_eq!(t.header_line, 3, "{nl:?}");
            let lines: Vec<usize> = t.rows.iter().map(|r| r.line).collect();
            assert_eq!(lines, [5, 8], "{nl:?}");
            let bad = text.replace("a,2", "a,x!");
            assert_eq!(err(bad.as_bytes(), None).line(), 8, "{nl:?}");
        }
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
        err(&seed_with(n, replacement), None)
    }

    #[test]
    fn encoding_and_empty_errors() {
        let mut bytes = seed_bytes();
        bytes.splice(0..0, b"\xEF\xBB\xBF".iter().copied());
        let pos = bytes.len() - 5;
        bytes.insert(pos, 0xFF);
        assert_eq!(err(&bytes, None), TableFileError::InvalidUtf8 { line: 73 });
        // Shift_JIS (CP932) is read as such, and said.
        let sjis = b"\x8d\x80\x96\xda\n"; // 項目 in Shift_JIS
        assert_eq!(err(sjis, None), TableFileError::NoPeriods { line: 1 });
        assert_eq!(
            super::super::decode::sniff(sjis),
            Some(super::super::decode::Encoding::Cp932)
        );
        // Neither UTF-8 nor CP932: both places said.
        let e = err(b"a\nb\xff\n\xa0", None);
        assert_eq!(
            e,
            TableFileError::NotText {
                line: 2,
                cp932_line: 2
            }
        );
        assert_eq!(
            err(&[0xFF, 0xFE, 0x41, 0x00, 0x0A, 0x00, 0x00, 0xD8], None),
            TableFileError::InvalidUtf16 { line: 2 }
        );
        for empty in [
            &b""[..],
            b"\xEF\xBB\xBF",
            b"\n\r\n\t\t\n",
            "\u{3000}".as_bytes(),
        ] {
            assert_eq!(err(empty, None), TableFileError::Empty { line: 1 });
        }
    }

    #[test]
    fn header_errors() {
        let e = err("\n地域\t1 題\t課\tA\t理由\n".as_bytes(), None);
        assert_eq!(e.line(), 2);
        assert!(matches!(e, TableFileError::NoKnownLayout { .. }), "{e}");
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
            err(text.as_bytes(), None),
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
            err(text.as_bytes(), None),
            TableFileError::NoDataRows { line: 1 }
        );
        let text = "項目\t課\t26年度\t対象\t理由\n\t\t上半期\t\t\n\tS\t1\t\t\n";
        assert_eq!(
            err(text.as_bytes(), None),
            TableFileError::NoDataRows { line: 1 }
        );
        // The seed forced as CSV has no CSV header.
        assert!(matches!(
            err(&seed_bytes(), Some(TableFormat::Csv)),
            TableFileError::NoKnownLayout { line: 3, .. }
        ));
    }

    #[test]
    fn row_errors() {
        let e = tsv_err(12, "\t8 題\t課\tA");
        assert_eq!(
            e.to_string(),
            "line 12: expected at least 7 columns (heading, id and title, department, 3 points, follow-up, remark), found 4; check that the row is complete and that the file is the table (read with layout kodaira)"
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
            matches!(
                e,
                TableFileError::IdWithNo {
                    line: 9,
                    column: 2,
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("write the id alone"), "{e}");
        let e = tsv_err(9, "\t広域連携の推進\t課\tA\tA\tA\t理由");
        assert!(matches!(e, TableFileError::BadId { line: 9, .. }), "{e}");
        assert!(
            e.to_string().contains(
                "write the id, a space and the title (e.g. \"27 スクラップアンドビルドの徹底\")"
            ),
            "{e}"
        );
        // An id ItemId refuses: its message, with the line and column.
        for (cell, why) in [
            ("1,2 題", "holds `,`"),
            ("(1) 題", "must begin with a letter or a digit"),
            ("123456789012345678901234567890123 題", "longer than 32"),
        ] {
            let e = tsv_err(9, &format!("\t{cell}\t課\tA\tA\tA\t理由"));
            match &e {
                TableFileError::Identifier {
                    line: 9,
                    column: 2,
                    problem,
                    ..
                } => assert!(problem.to_string().contains(why), "{e}"),
                _ => panic!("{cell}: {e}"),
            }
            assert!(
                e.to_string()
                    .ends_with("write a number such as 12, or an id such as R1-1 or 1-1-1"),
                "{e}"
            );
        }
        let e = tsv_err(9, "\t5\t課\tA\tA\tA\t理由");
        assert_eq!(
            e,
            TableFileError::MissingTitle {
                line: 9,
                column: 2,
                header: "項目".into(),
                id: id("5"),
                with_id: true,
            }
        );
        // (With its heading: a row whose first cell is empty and whose second is one word not starting
        // with a digit is a total row.)
        let e = tsv_err(9, "見出し\tR1-1\t課\tA\tA\tA\t理由");
        assert_eq!(
            e,
            TableFileError::MissingTitle {
                line: 9,
                column: 2,
                header: "項目".into(),
                id: id("R1-1"),
                with_id: true,
            }
        );
        let e = tsv_err(45, "\t12 財産\t課\tA\tA\tA\t\t理由\t");
        assert_eq!(
            e,
            TableFileError::DuplicateId {
                line: 45,
                column: 2,
                header: "項目".into(),
                first_line: 16,
                id: id("12"),
                written: "12".into(),
                first_written: "12".into(),
            }
        );
        assert!(e.to_string().contains("line 16"));
        let e = tsv_err(5, "\t1 題\t課\tA\tA\tA\t理由");
        assert_eq!(
            e,
            TableFileError::MissingHeading {
                line: 5,
                column: 1,
                header: String::new()
            }
        );
        // Spaces inside a grade do not count (`完 了` is `完了`); the scale is the importer's to check.
        let t = ok(&seed_with(20, "見出し\t16 題\t課\tA\tA A\tA\t理由"), None);
        assert_eq!(row(&t, 16).ratings, some(&["A", "AA", "A"]));
        let e = tsv_err(20, "見出し\t16 題\t課\tA\tA\u{200B}\tA\t理由");
        assert!(
            matches!(
                e,
                TableFileError::Identifier {
                    line: 20,
                    column: 5,
                    ..
                }
            ),
            "{e}"
        );
        assert!(
            e.to_string()
                .starts_with("line 20, column 5 (26年度年度末): the grade"),
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
        let e = err(format!("{header}a,1,t,d,A,,\"open\n\n").as_bytes(), None);
        assert!(
            matches!(e, TableFileError::CsvQuoting { line: 2, .. }),
            "{e}"
        );
        let e = err(format!("{header}a,1,t,d,A,,\"x\"y\n").as_bytes(), None);
        assert!(
            matches!(e, TableFileError::CsvQuoting { line: 2, .. }),
            "{e}"
        );
        let e = err(format!("{header}\na,1,t,d,A,,x\"y\n").as_bytes(), None);
        assert!(
            matches!(e, TableFileError::CsvQuoting { line: 3, .. }),
            "{e}"
        );
        let e = err(format!("{header}a,1,t,d\n").as_bytes(), None);
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
        let e = err(format!("{header}a,1,t,d,A,,r,extra\n").as_bytes(), None);
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
        let e = err(format!("{header}a,1 t,t,d,A,,r\n").as_bytes(), None);
        assert!(
            matches!(
                e,
                TableFileError::Identifier {
                    line: 2,
                    column: 2,
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("the item id `1 t` holds ` `"), "{e}");
        let e = err(format!("{header}a,,t,d,A,,r\n").as_bytes(), None);
        assert!(
            matches!(
                e,
                TableFileError::Identifier {
                    line: 2,
                    column: 2,
                    ..
                }
            ),
            "{e}"
        );
        let e = err(format!("{header}a,No.1,t,d,A,,r\n").as_bytes(), None);
        assert!(
            matches!(
                e,
                TableFileError::IdWithNo {
                    line: 2,
                    column: 2,
                    ..
                }
            ),
            "{e}"
        );
        let e = err(format!("{header}a,1,t,d,A,x,r\n").as_bytes(), None);
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
        let e = err(format!("{header},1,t,d,A,,r\n").as_bytes(), None);
        assert!(
            matches!(
                e,
                TableFileError::MissingHeading {
                    line: 2,
                    column: 1,
                    ..
                }
            ),
            "{e}"
        );
        let e = err(
            format!("{header}a,1,t,d,A,,r\n\"a\",1,t,d,A,,r\n").as_bytes(),
            None,
        );
        assert_eq!(
            e,
            TableFileError::DuplicateId {
                line: 3,
                column: 2,
                header: "番号".into(),
                first_line: 2,
                id: id("1"),
                written: "1".into(),
                first_written: "1".into(),
            }
        );
        let t = ok(format!("{header}a,1,t,d,A B,,r\n").as_bytes(), None);
        assert_eq!(t.rows[0].ratings, some(&["AB"]));
        let e = err(header.as_bytes(), None);
        assert_eq!(e, TableFileError::NoDataRows { line: 1 });
        let e = err(
            "分類,番号,題,主な推進担当課,26年度上半期,フォローアップ対象,理由等\n".as_bytes(),
            None,
        );
        // Without its 項目 column the header is no known layout's.
        assert!(
            matches!(e, TableFileError::NoKnownLayout { line: 1, .. }),
            "{e}"
        );
        assert!(
            e.to_string()
                .contains("hyoka: a row holding 分類, 番号, 項目, 主な推進担当課"),
            "{e}"
        );
        let e = err(
            "分類,番号,項目,主な推進担当課,フォローアップ対象,理由等\n".as_bytes(),
            None,
        );
        assert_eq!(e, TableFileError::NoPeriods { line: 1 });
    }

    /// A row's grade cells: its grades, `対象外` where not evaluated.
    fn grade_cells(r: &ParsedRow) -> Vec<String> {
        r.ratings
            .iter()
            .enumerate()
            .map(|(i, x)| match x {
                _ if r.not_evaluated.contains(&i) => NOT_EVALUATED.to_string(),
                Some(g) => g.to_string(),
                None => String::new(),
            })
            .collect()
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
                match &r.relisting_of {
                    Some(n) => format!("{} {}【No.{n}の再掲】", r.id, r.title),
                    None => format!("{} {}", r.id, r.title),
                },
                r.department.clone(),
            ];
            previous = Some(&r.category);
            cells.extend(grade_cells(r));
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
                r.id.to_string(),
                match &r.relisting_of {
                    Some(n) => format!("{}【No.{n}の再掲】", r.title),
                    None => r.title.clone(),
                },
                r.department.clone(),
            ];
            cells.extend(grade_cells(r));
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
                    prop::option::of(prop_oneof![
                        (1u32..100).prop_map(|n| n.to_string()),
                        "R[1-9]-[1-9]",
                        "[1-9]-[1-9]-[1-9]",
                    ]),
                    "[a-zA-Zあ-ん・]{0,6}",
                    prop::collection::vec(
                        prop_oneof!["", "[SABC]", Just(NOT_EVALUATED.to_string())],
                        p,
                    ),
                    0u8..4,
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
                            (
                                category,
                                title,
                                relisting_of,
                                department,
                                cells,
                                style,
                                follow_up,
                                remark,
                            ),
                            number,
                        )| {
                            // Numbers and text ids, distinct by their number.
                            let written = match style {
                                0 => number.to_string(),
                                1 => format!("R1-{number}"),
                                2 => format!("{number}-1-1"),
                                _ => format!("I-{number}"),
                            };
                            ParsedRow {
                                line: number as usize + 2,
                                category: category.to_owned(),
                                id: id(&written),
                                title,
                                relisting_of: relisting_of.as_deref().map(id),
                                department,
                                ratings: cells
                                    .iter()
                                    .map(|g: &String| {
                                        (!g.is_empty() && g != NOT_EVALUATED)
                                            .then(|| Grade::from(g.as_str()))
                                    })
                                    .collect(),
                                not_evaluated: cells
                                    .iter()
                                    .enumerate()
                                    .filter(|(_, g)| *g == NOT_EVALUATED)
                                    .map(|(i, _)| i)
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
                let point_columns = periods
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (4 + i, p.clone()))
                    .collect();
                let table = ParsedTable {
                    format: Some(TableFormat::Tsv),
                    layout: "kodaira".into(),
                    point_columns,
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
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            for hint in [None, Some(TableFormat::Tsv), Some(TableFormat::Csv)] {
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
            for hint in [None, Some(TableFormat::Tsv), Some(TableFormat::Csv)] {
                if let Err(e) = parse(text.as_bytes(), hint) {
                    let msg = e.to_string();
                    prop_assert!(!msg.contains('\n'));
                    let line = format!("line {}", e.line());
                    prop_assert!(msg.starts_with(&format!("{line}: ")) || msg.starts_with(&format!("{line}, ")), "{}", msg);
                }
            }
        }

        #[test]
        fn hyoka_tsv_and_csv_round_trip((table, years) in table_strategy(), csv_remarks in prop::collection::vec("([^\n\u{FEFF}]|\n|\r|,|\"){0,12}", 6)) {
            let tsv = write_tsv(&table, &years);
            let parsed = parse(tsv.as_bytes(), None);
            prop_assert_eq!(parsed.as_ref().ok(), Some(&table), "{:?}\n{}", parsed, tsv);

            let mut csv_table = table.clone();
            csv_table.format = Some(TableFormat::Csv);
            csv_table.layout = "hyoka".into();
            for (i, (column, _)) in csv_table.point_columns.iter_mut().enumerate() {
                *column = 5 + i;
            }
            csv_table.totals.clear();
            csv_table.follow_up_total = None;
            for (r, remark) in csv_table.rows.iter_mut().zip(csv_remarks) {
                r.remark = trim(&remark).to_owned();
            }
            let bytes = write_csv(&csv_table);
            let mut parsed = match parse(&bytes, None) {
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
