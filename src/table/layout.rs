//! Layouts: how a city's sheet says what hyoka reads. A layout is a small TOML file (specified in
//! `schema/LAYOUT.md`, with its JSON Schema `schema/layout.schema.json`) that names, by header text or
//! by position, the columns that hold each item's heading, id and title, department, the grade of each
//! reporting point, the follow-up mark and the remark; how to find the header row and how it names the
//! points; and which rows are totals. The layouts hyoka knows ([`known`]) are the files of
//! `fixtures/layouts/`, compiled in: Kodaira's published table (which hyoka's TSV also is), hyoka's
//! CSV, Kizugawa's progress table, a plan that reports its points as dates, and the sheets hyoka writes
//! for a department to fill in at a point (`table::sheet`).
//!
//! Invariants: a [`Layout`] is valid once made (every check is in [`Layout::parse`]); header texts
//! are compared in NFKC, without white space, ASCII case ignored, a trailing `*` matching any rest;
//! nothing here reads a file or prints.

use serde::Deserialize;

use crate::domain::ident;

/// The layouts hyoka knows, in the order they are tried on a file given without one.
const KNOWN: [(&str, &str); 5] = [
    ("hyoka", include_str!("../../fixtures/layouts/hyoka.toml")),
    (
        "kodaira",
        include_str!("../../fixtures/layouts/kodaira.toml"),
    ),
    (
        "kizugawa",
        include_str!("../../fixtures/layouts/kizugawa.toml"),
    ),
    ("dated", include_str!("../../fixtures/layouts/dated.toml")),
    ("sheet", include_str!("../../fixtures/layouts/sheet.toml")),
];

/// The largest layout file read (a layout is a few hundred bytes).
pub const MAX_LAYOUT_BYTES: u64 = 64 << 10;

/// The most columns a layout may name by position.
pub const MAX_COLUMN: u32 = 1024;

/// The layouts hyoka knows, in the order they are tried.
///
/// # Panics
///
/// Never: each is parsed by a unit test.
#[must_use]
pub fn known() -> Vec<Layout> {
    KNOWN
        .iter()
        .filter_map(|(_, text)| Layout::parse(text).ok())
        .collect()
}

/// The names of the known layouts, in the order they are tried.
#[must_use]
pub fn known_names() -> Vec<&'static str> {
    KNOWN.iter().map(|(name, _)| *name).collect()
}

/// A known layout by its name.
#[must_use]
pub fn known_by_name(name: &str) -> Option<Layout> {
    KNOWN
        .iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, text)| Layout::parse(text).ok())
}

/// A layout that cannot be used: the TOML's own error (with its line), or a rule of the layout broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LayoutError {
    /// Not TOML, or a key or value the layout format does not have: where (1-based line and column,
    /// when known), and the TOML reader's own words (English).
    #[error("the layout is not valid: {message}")]
    Toml {
        /// The line and column of the error.
        at: Option<(usize, usize)>,
        /// The TOML reader's message, on one line.
        message: String,
    },
    /// Valid TOML that breaks a rule of layouts.
    #[error("the layout is not valid: {0}")]
    Rule(LayoutRule),
}

/// A rule of layouts that a layout file breaks, naming its key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LayoutRule {
    /// A column named by no header text.
    #[error("columns.{0} lists no header text")]
    NoHeaderText(String),
    /// A column with an empty header text.
    #[error("columns.{0} has an empty header text")]
    EmptyHeaderText(String),
    /// A column given in no form a column takes.
    #[error(
        "columns.{0} must be a header text, a list of them, {{ column = N }} or {{ after_points = N }} with N from 1 to {MAX_COLUMN}"
    )]
    BadColumn(String),
    /// A name that cannot name a layout.
    #[error(
        "name must be 1 to 40 characters of a-z, 0-9, - and _ (it names the layout in messages)"
    )]
    Name,
    /// Neither id and title nor item, or both.
    #[error("columns must name either id and title, or item (id and title in one cell), not both")]
    IdAndTitle,
    /// A points header that is empty or names the point twice.
    #[error(
        "points.header must be a header text, with {{point}} at most once where the point's label stands"
    )]
    PointsHeader,
    /// A points column out of range.
    #[error("points.from_column must be from 1 to {MAX_COLUMN}")]
    PointsFrom,
    /// Points by position with another header.
    #[error(
        "points.from_column reads the points by position: points.header must then be \"{{point}}\""
    )]
    PointsByPosition,
    /// A data shift out of range.
    #[error("header.data_shift must be from 0 to 8")]
    DataShift,
    /// An empty first cell.
    #[error("header.first_cell must not be empty")]
    FirstCellEmpty,
    /// No way to find the header row.
    #[error(
        "the header row cannot be found: give header.first_cell, or name a column by its header text"
    )]
    NoHeaderRow,
    /// A column after the points without points by position.
    #[error("{{ after_points = N }} needs the points by position (points.from_column)")]
    AfterPointsNeedsPositions,
    /// Marks in the remark without the columns.
    #[error("cells.mark_in_remark needs a follow_up and a remark column")]
    MarkInRemark,
}

/// Where a column is: found by its header text (any of several, NFKC, white space and ASCII case
/// ignored, a trailing `*` matching any rest), or at a fixed place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnSpec {
    /// The column whose header cell says one of these texts.
    Header(Vec<String>),
    /// The data column at this position, 1-based.
    At(usize),
    /// The `n`th column after the last point column (1 = the next).
    AfterPoints(usize),
}

/// How a second header row gives the terms of the fiscal years in the row above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermsRow {
    /// One header row.
    None,
    /// A row of terms (上半期, 年度末) when the row below the header has its first two cells empty and
    /// another not.
    Optional,
    /// Always a row of terms below the header.
    Required,
}

/// Where a total row's counts sit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountsUnder {
    /// Under the data's point columns.
    Data,
    /// Under the header's point cells (a header shifted left of the data: Kodaira).
    Header,
}

/// A layout, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Its short name (`kizugawa`).
    pub name: String,
    /// What it reads, for people.
    pub description: String,
    /// The header row is the first row whose first cell says this (else: the first row holding the
    /// header text of every column named by one).
    pub first_cell: Option<String>,
    /// Whether a row of terms follows the header row.
    pub terms_row: TermsRow,
    /// The data sits this many columns right of its header cells.
    pub data_shift: usize,
    /// The heading (category) column; an empty cell is the heading of the row above.
    pub heading: ColumnSpec,
    /// The id column, or with `title` none, the column of id and title in one cell (`27 題`).
    pub id: ColumnSpec,
    /// The title column, when apart from the id.
    pub title: Option<ColumnSpec>,
    /// The department column.
    pub department: ColumnSpec,
    /// The follow-up mark's column.
    pub follow_up: Option<ColumnSpec>,
    /// The remark's column.
    pub remark: Option<ColumnSpec>,
    /// Header texts of columns read as nothing.
    pub ignore: Vec<String>,
    /// A point column's header: the point's label (`{point}`) with any text around it, or a text
    /// without `{point}`: one column whose point the file does not say.
    pub points_header: String,
    /// The point columns start at this data column (1-based) and run while the header names a fiscal
    /// year or a term; else each header cell that matches [`Layout::points_header`] is one.
    pub points_from: Option<usize>,
    /// A follow-up mark may open the remark (`○ 継続する。`), and a row may stop at the follow-up column.
    pub mark_in_remark: bool,
    /// Cells were escaped against formulas by hyoka's CSV writer (`'=…`): the escape is undone.
    pub formula_escape: bool,
    /// Total rows, when the file may have them.
    pub totals: Option<Totals>,
}

/// Which rows are totals: rows whose heading cell is empty and whose label cell holds one word that
/// does not start with a digit (a grade, `計`, `合計`), four characters at most unless counts follow;
/// every row after the first total row is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    /// The column of the label.
    pub label: ColumnSpec,
    /// Where the counts sit.
    pub counts_under: CountsUnder,
    /// The first total row may give the number of follow-up items, in the follow-up column.
    pub follow_up_count: bool,
}

// ------------------------------------------------------------------------------------ the file

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    header: HeaderFile,
    columns: ColumnsFile,
    points: PointsFile,
    #[serde(default)]
    cells: CellsFile,
    totals: Option<TotalsFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeaderFile {
    first_cell: Option<String>,
    #[serde(default = "terms_none")]
    terms_row: TermsRow,
    #[serde(default)]
    data_shift: u32,
}

impl Default for HeaderFile {
    fn default() -> Self {
        HeaderFile {
            first_cell: None,
            terms_row: TermsRow::None,
            data_shift: 0,
        }
    }
}

fn terms_none() -> TermsRow {
    TermsRow::None
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnsFile {
    heading: SpecFile,
    id: Option<SpecFile>,
    title: Option<SpecFile>,
    item: Option<SpecFile>,
    department: SpecFile,
    follow_up: Option<SpecFile>,
    remark: Option<SpecFile>,
    #[serde(default)]
    ignore: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PointsFile {
    header: String,
    from_column: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CellsFile {
    #[serde(default)]
    mark_in_remark: bool,
    #[serde(default)]
    formula_escape: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TotalsFile {
    label: SpecFile,
    #[serde(default = "under_data")]
    counts_under: CountsUnder,
    #[serde(default)]
    follow_up_count: bool,
}

fn under_data() -> CountsUnder {
    CountsUnder::Data
}

#[derive(Deserialize)]
#[serde(untagged)]
enum SpecFile {
    Text(String),
    Texts(Vec<String>),
    Place(PlaceFile),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaceFile {
    column: Option<u32>,
    after_points: Option<u32>,
}

fn rule<T>(r: LayoutRule) -> Result<T, LayoutError> {
    Err(LayoutError::Rule(r))
}

/// The 1-based line and column (in characters) of byte `at` of `text`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn spec(key: &str, s: SpecFile) -> Result<ColumnSpec, LayoutError> {
    let texts = |texts: Vec<String>| -> Result<ColumnSpec, LayoutError> {
        if texts.is_empty() {
            return rule(LayoutRule::NoHeaderText(key.to_string()));
        }
        for t in &texts {
            if normalized(t).trim_end_matches('*').is_empty() {
                return rule(LayoutRule::EmptyHeaderText(key.to_string()));
            }
        }
        Ok(ColumnSpec::Header(texts))
    };
    match s {
        SpecFile::Text(t) => texts(vec![t]),
        SpecFile::Texts(ts) => texts(ts),
        SpecFile::Place(PlaceFile {
            column: Some(n),
            after_points: None,
        }) if (1..=MAX_COLUMN).contains(&n) => Ok(ColumnSpec::At(n as usize)),
        SpecFile::Place(PlaceFile {
            column: None,
            after_points: Some(n),
        }) if (1..=MAX_COLUMN).contains(&n) => Ok(ColumnSpec::AfterPoints(n as usize)),
        SpecFile::Place(_) => rule(LayoutRule::BadColumn(key.to_string())),
    }
}

impl Layout {
    /// Reads and checks a layout file's text.
    ///
    /// # Errors
    ///
    /// [`LayoutError::Toml`] when the text is not TOML of the layout format (the message has its line),
    /// [`LayoutError::Rule`] when it breaks a rule (naming the key).
    pub fn parse(text: &str) -> Result<Layout, LayoutError> {
        let f: File = toml::from_str(text).map_err(|e| LayoutError::Toml {
            at: e.span().map(|s| line_column(text, s.start)),
            message: e.message().replace('\n', " ").trim().to_string(),
        })?;
        let name = f.name.trim().to_string();
        if name.is_empty()
            || name.chars().count() > 40
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return rule(LayoutRule::Name);
        }
        let c = f.columns;
        let (id, title) = match (c.item, c.id, c.title) {
            (Some(item), None, None) => (spec("item", item)?, None),
            (None, Some(id), Some(title)) => (spec("id", id)?, Some(spec("title", title)?)),
            _ => {
                return rule(LayoutRule::IdAndTitle);
            }
        };
        let points_header = f.points.header.trim().to_string();
        if points_header.is_empty() || points_header.matches("{point}").count() > 1 {
            return rule(LayoutRule::PointsHeader);
        }
        let points_from = match f.points.from_column {
            None => None,
            Some(n) if (1..=MAX_COLUMN).contains(&n) => Some(n as usize),
            Some(_) => return rule(LayoutRule::PointsFrom),
        };
        if points_from.is_some() && points_header != "{point}" {
            return rule(LayoutRule::PointsByPosition);
        }
        let totals = match f.totals {
            None => None,
            Some(t) => Some(Totals {
                label: spec("totals.label", t.label)?,
                counts_under: t.counts_under,
                follow_up_count: t.follow_up_count,
            }),
        };
        if f.header.data_shift > 8 {
            return rule(LayoutRule::DataShift);
        }
        let layout = Layout {
            name,
            description: f.description.trim().to_string(),
            first_cell: f.header.first_cell.map(|s| s.trim().to_string()),
            terms_row: f.header.terms_row,
            data_shift: f.header.data_shift as usize,
            heading: spec("heading", c.heading)?,
            id,
            title,
            department: spec("department", c.department)?,
            follow_up: c.follow_up.map(|s| spec("follow_up", s)).transpose()?,
            remark: c.remark.map(|s| spec("remark", s)).transpose()?,
            ignore: c.ignore,
            points_header,
            points_from,
            mark_in_remark: f.cells.mark_in_remark,
            formula_escape: f.cells.formula_escape,
            totals,
        };
        if layout.first_cell.as_deref().is_some_and(str::is_empty) {
            return rule(LayoutRule::FirstCellEmpty);
        }
        if layout.first_cell.is_none() && layout.header_texts().is_empty() {
            return rule(LayoutRule::NoHeaderRow);
        }
        let uses_after = layout
            .columns()
            .iter()
            .any(|(_, s)| matches!(s, ColumnSpec::AfterPoints(_)));
        if uses_after && points_from.is_none() {
            return rule(LayoutRule::AfterPointsNeedsPositions);
        }
        if layout.mark_in_remark && (layout.follow_up.is_none() || layout.remark.is_none()) {
            return rule(LayoutRule::MarkInRemark);
        }
        Ok(layout)
    }

    /// The named columns: their key in the layout file and where they are.
    pub(super) fn columns(&self) -> Vec<(&'static str, &ColumnSpec)> {
        let mut out = vec![("heading", &self.heading)];
        match &self.title {
            Some(t) => {
                out.push(("id", &self.id));
                out.push(("title", t));
            }
            None => out.push(("item", &self.id)),
        }
        out.push(("department", &self.department));
        if let Some(f) = &self.follow_up {
            out.push(("follow_up", f));
        }
        if let Some(r) = &self.remark {
            out.push(("remark", r));
        }
        out
    }

    /// The header texts a row must hold to be the header row (when no first cell is given): those of
    /// the heading, id, title and department columns named by text, and a point column's text that
    /// names no point.
    pub(super) fn header_texts(&self) -> Vec<&[String]> {
        let mut out: Vec<&[String]> = self
            .columns()
            .into_iter()
            .filter(|(key, _)| !matches!(*key, "follow_up" | "remark"))
            .filter_map(|(_, s)| match s {
                ColumnSpec::Header(t) => Some(t.as_slice()),
                _ => None,
            })
            .collect();
        if !self.points_header.contains("{point}") {
            out.push(std::slice::from_ref(&self.points_header));
        }
        out
    }

    /// What the header row must look like, for messages: `a row starting with 項目`, `a row holding
    /// 分類, 番号, 項目, 主な推進担当課`.
    #[must_use]
    pub fn expects(&self) -> Expects {
        match &self.first_cell {
            Some(f) => Expects::StartsWith(f.clone()),
            None => Expects::Holding(
                self.header_texts()
                    .iter()
                    .filter_map(|t| t.first().cloned())
                    .collect(),
            ),
        }
    }
}

/// What a layout's header row must look like, for messages. `Display` is its English: `a row starting
/// with 項目`, `a row holding 分類, 番号, 項目, 主な推進担当課`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expects {
    /// A row whose first cell is this text.
    StartsWith(String),
    /// A row holding these header texts.
    Holding(Vec<String>),
}

impl std::fmt::Display for Expects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expects::StartsWith(first) => write!(f, "a row starting with {first}"),
            Expects::Holding(texts) => write!(f, "a row holding {}", texts.join(", ")),
        }
    }
}

/// A header text as compared: NFKC, without white space, ASCII lower case.
pub(super) fn normalized(s: &str) -> String {
    ident::normalize(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A header text to match cells against, normalized once ([`normalized`]; a trailing `*` matches any
/// rest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Pattern {
    text: String,
    prefix: bool,
}

impl Pattern {
    pub(super) fn new(pattern: &str) -> Pattern {
        let n = normalized(pattern);
        match n.strip_suffix('*') {
            Some(p) => Pattern {
                text: p.to_string(),
                prefix: true,
            },
            None => Pattern {
                text: n,
                prefix: false,
            },
        }
    }

    /// Whether a cell says it. A cell already in NFKC (most text) is compared as it is, without
    /// allocating: every row of a file is asked whether it is a header again.
    pub(super) fn matches(&self, cell: &str) -> bool {
        use unicode_normalization::{IsNormalized, is_nfkc_quick};
        // A cell much longer than the text (a title, a remark) is not it, and a prefix is in the
        // cell's first characters: only those are read (NFKC composes a few characters into one at
        // most, as a kana and its sound mark).
        let bound = 4 * self.text.chars().count() + 16;
        let end = cell
            .char_indices()
            .filter(|(_, c)| !c.is_whitespace())
            .nth(bound)
            .map(|(i, _)| i);
        let cell = match end {
            Some(_) if !self.prefix => return false,
            Some(i) => cell.get(..i).unwrap_or(cell),
            None => cell,
        };
        if matches!(is_nfkc_quick(cell.chars()), IsNormalized::Yes) {
            let mut c = cell
                .chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| c.to_ascii_lowercase());
            let mut p = self.text.chars();
            loop {
                match (p.next(), c.next()) {
                    (None, None) => return true,
                    (None, Some(_)) => return self.prefix,
                    (Some(a), Some(b)) if a == b => {}
                    _ => return false,
                }
            }
        }
        let n = normalized(cell);
        match self.prefix {
            true => n.starts_with(&self.text),
            false => n == self.text,
        }
    }
}

/// Whether a header cell says `pattern` (both as [`normalized`]; a trailing `*` matches any rest).
pub(super) fn header_matches(cell: &str, pattern: &str) -> bool {
    Pattern::new(pattern).matches(cell)
}

/// How a row is recognised as a layout's header row: its first cell, or every group of texts held by
/// some cell.
#[derive(Debug, Clone)]
pub(super) enum HeaderTest {
    FirstCell(Pattern),
    Texts(Vec<Vec<Pattern>>),
}

impl Layout {
    /// The test of a header row, its texts normalized once.
    pub(super) fn header_test(&self) -> HeaderTest {
        match &self.first_cell {
            Some(f) => HeaderTest::FirstCell(Pattern::new(f)),
            None => HeaderTest::Texts(
                self.header_texts()
                    .iter()
                    .map(|ts| ts.iter().map(|t| Pattern::new(t)).collect())
                    .collect(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_layout_parses_under_its_name() {
        for (name, text) in KNOWN {
            match Layout::parse(text) {
                Ok(l) => assert_eq!(l.name, name),
                Err(e) => panic!("{name}: {e}"),
            }
        }
        assert_eq!(known().len(), KNOWN.len());
        assert!(known_by_name("kizugawa").is_some());
        assert!(known_by_name("nowhere").is_none());
    }

    #[test]
    fn bad_layouts_are_refused_naming_the_key() {
        let base = "name = \"x\"\n[columns]\nheading = \"見出し\"\nid = \"番号\"\ntitle = \"項目\"\ndepartment = \"課\"\n[points]\nheader = \"{point}\"\n";
        assert!(Layout::parse(base).is_ok());
        for (text, needle) in [
            (
                base.replace("name = \"x\"", "name = \"X Y\""),
                "name must be",
            ),
            (
                base.replace("id = \"番号\"\n", "item = \"番号\"\n"),
                "either id and title",
            ),
            (
                base.replace("title = \"項目\"\n", ""),
                "either id and title",
            ),
            (format!("{base}colour = 1\n"), "unknown field"),
            (
                base.replace("{point}\"", "{point}{point}\""),
                "points.header",
            ),
            (
                base.replace("heading = \"見出し\"", "heading = { column = 0 }"),
                "columns.heading must be",
            ),
            (
                base.replace("heading = \"見出し\"", "heading = { after_points = 1 }"),
                "after_points",
            ),
            (base.replace("課", " "), "columns.department has an empty"),
            ("name = ".to_string(), "not valid"),
        ] {
            match Layout::parse(&text) {
                Ok(_) => panic!("accepted: {text}"),
                Err(e) => assert!(e.to_string().contains(needle), "{needle}: {e}"),
            }
        }
    }

    #[test]
    fn header_texts_compare_in_nfkc_without_spaces() {
        assert!(header_matches("Ｎｏ．", "No."));
        assert!(header_matches(" 所管 部署\n", "所管部署"));
        assert!(header_matches(
            "フォローアップ対象項目",
            "フォローアップ対象*"
        ));
        assert!(!header_matches("対象", "フォローアップ対象*"));
        assert!(header_matches("no.", "No."));
        assert!(header_matches("ＮＯ．", "No."));
        assert!(!header_matches("No", "No."));
        assert!(!header_matches("No.1", "No."));
    }
}
