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
//! Data rows, with P periods: `heading, "ID title", department, P ratings`,
//! where the item cell is the item's id, white space (a space, U+3000, ...)
//! and the title (`27 スクラップアンドビルドの徹底`, `R1-1 高槻市との連携`; a
//! cell without white space, as some tables write it, is split after its
//! leading digits: `27スクラップアンドビルドの徹底`); then either `[remark]`
//! (where a follow-up mark may be folded into the remark as `○ ` + text) or
//! `[mark, remark]` (mark `○` or empty). Further trailing cells must be
//! empty. An empty heading means "same as the row above". Total rows (at the
//! end) have an empty first cell and a short label (`S`, `A`, `B`, `計`, ...)
//! in column 2, followed by P counts and, optionally, the number of
//! follow-up items (so an item row with an empty heading and an item cell of
//! one word not starting with a digit, such as `R1-1` without its title, is
//! read as a total row).
//!
//! **CSV (hyoka's open-data export).** RFC 4180, one header row
//! `分類,番号,項目,主な推進担当課,<period labels…>,フォローアップ対象,理由等`,
//! then one row per item, its id in the `番号` column. Every cell is passed
//! through [`unneutralise_cell`] before it is interpreted.
//!
//! In both formats an id is read by [`ItemId::parse`] (NFKC: full-width `１２` is `12`, `Ｒ１－１` is
//! `R1-1`; leading zeros of a number dropped); two rows with one id, however written, are refused, and
//! so is an id written `No.5` (the re-listing marker's way of naming item 5). A title may carry a
//! re-listing marker such as `【No.27の再掲】` or `【No.R1-1の再掲】` (also `NO.`, `Ｎｏ．`, full-width
//! digits, spaces around the id); it is removed from the title and returned as
//! [`ParsedRow::relisting_of`]. A grade cell holding `対象外` says that the item is not evaluated at
//! that point: no grade, and the column in [`ParsedRow::not_evaluated`].
//!
//! All cells are trimmed of surrounding whitespace (ASCII, ideographic space
//! U+3000 and other Unicode white space but the line and paragraph separators
//! U+2028 and U+2029, which an identifier may not hold); the inside of a cell is kept
//! verbatim, except grades (ratings and total-row labels), which are read in
//! NFKC (a full-width `Ａ` is `A`). Identifiers (headings, item ids,
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
//!
//! This file holds the rows' grammar: [`parse`], item rows and total rows. Bytes to lines (and the
//! format's detection) are `decode`'s job, the header rows `header`'s, single cells [`super::cells`]'s.

use std::borrow::Cow;
use std::collections::HashMap;

use super::TableFormat;
use super::cells::{
    GradeCell, cell, check_ident, check_no_extra, grade, has_digit, is_blank, is_digit, is_mark,
    item_id, parse_digits, parse_grade_cell, shown, split_item_cell, split_relisting, trim,
    unfold_mark, unneutralise_cell,
};
use super::decode::{LineCounter, check_csv_quoting, check_no_stray_bom, decode, detect, lines};
use super::error::{Result, TableFileError};
use super::header::{csv_header, tsv_header, tsv_layout};
use crate::domain::item_id::ItemId;

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

/// Parses a follow-up table file (TSV or CSV, see the module documentation) as `format`; without one,
/// as CSV if the first non-empty line contains no tab and starts with `分類,`, and as TSV otherwise.
///
/// # Errors
///
/// A [`TableFileError`] naming the offending line when the file is not
/// valid text, has no header, period columns or item rows, or a row is
/// malformed.
pub fn parse(bytes: &[u8], format: Option<TableFormat>) -> Result<ParsedTable> {
    let text = decode(bytes)?;
    let text: &str = &text;
    if text.chars().all(char::is_whitespace) {
        return Err(TableFileError::Empty { line: 1 });
    }
    check_no_stray_bom(text)?;
    let format = format.unwrap_or_else(|| detect(text));
    match format {
        TableFormat::Tsv => parse_tsv(text),
        TableFormat::Csv => parse_csv(text),
    }
}

/// Shared bookkeeping for item rows of both formats.
#[derive(Default)]
struct RowCollector {
    rows: Vec<ParsedRow>,
    /// Each id read so far: its line and how it was written.
    seen: HashMap<ItemId, (usize, String)>,
    category: Option<String>,
    /// The distinct grades read so far.
    grades: Vec<Grade>,
}

struct RowInput<'a> {
    line: usize,
    heading: &'a str,
    id: ItemId,
    /// The id as the file writes it.
    written: &'a str,
    title: &'a str,
    department: &'a str,
    grades: Vec<GradeCell>,
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
                id: r.id,
            });
        }
        let written = trim(r.written);
        if let Some((first_line, first_written)) = self.seen.get(&r.id) {
            return Err(TableFileError::DuplicateId {
                line: r.line,
                first_line: *first_line,
                id: r.id,
                written: shown(written),
                first_written: first_written.clone(),
            });
        }
        self.seen.insert(r.id.clone(), (r.line, shown(written)));
        // A new vector of the exact size (collecting in place would keep the larger one).
        let mut ratings = Vec::with_capacity(r.grades.len());
        let mut not_evaluated = Vec::new();
        for (column, g) in r.grades.into_iter().enumerate() {
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
            line: r.line,
            category,
            id: r.id,
            title,
            relisting_of,
            department: trim(r.department).to_owned(),
            ratings,
            not_evaluated,
            follow_up: r.follow_up,
            remark: r.remark,
        });
        Ok(())
    }
}

// --------------------------------------------------------------------- TSV

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
    let (written, title) = split_item_cell(item);
    check_ident(line, 1, "heading", cell(cells, 0))?;
    check_ident(line, 2, "item id", written)?;
    check_ident(line, 3, "department", cell(cells, 2))?;
    // A cell of one word without a digit is a title without its id (`広域連携の推進`), not an id
    // without its title.
    if written.is_empty() || (title.is_empty() && !has_digit(written)) {
        return Err(TableFileError::BadId {
            line,
            cell: shown(item),
        });
    }
    let id = item_id(line, 2, written)?;
    let grades = (3..base)
        .map(|column| parse_grade_cell(line, column + 1, cell(cells, column)))
        .collect::<Result<Vec<_>>>()?;
    collector.push(RowInput {
        line,
        heading: cell(cells, 0),
        id,
        written,
        title,
        department: cell(cells, 2),
        grades,
        follow_up,
        remark,
    })
}

// --------------------------------------------------------------------- CSV

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
        check_ident(line, 2, "item id", cell(&cells, 1))?;
        check_ident(line, 4, "department", cell(&cells, 3))?;
        let id = item_id(line, 2, cell(&cells, 1))?;
        let grades = (4..4 + p)
            .map(|column| parse_grade_cell(line, column + 1, cell(&cells, column)))
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
            id,
            written: cell(&cells, 1),
            title: cell(&cells, 2),
            department: cell(&cells, 3),
            grades,
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
                assert!(msg.starts_with(&format!("line {}: ", e.line())), "{msg}");
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
        assert_eq!(t.format, TableFormat::Tsv);
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
        assert_eq!(t.format, TableFormat::Csv);
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
                first_line: 5,
                id: id("12"),
                written: "12".into(),
                first_written: "１２".into(),
            }
        );
        assert_eq!(
            e.to_string(),
            "line 8: item id 12 is already used on line 5 (written \"12\" here and \"１２\" there, the same id); give every item its own id"
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
                "line 4: item id R1-1 is already used on line 3 (written \"Ｒ１－１\" here and \"R1-1\" there"
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
        assert_eq!(t.format, TableFormat::Csv);
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
        let sjis = b"\x8d\x80\x96\xda\n"; // 項目 in Shift_JIS
        assert_eq!(err(sjis, None), TableFileError::InvalidUtf8 { line: 1 });
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
            TableFileError::NoHeader { line: 3, .. }
        ));
    }

    #[test]
    fn row_errors() {
        let e = tsv_err(12, "\t8 題\t課\tA");
        assert_eq!(
            e.to_string(),
            "line 12: expected at least 7 columns (heading, id and title, department, 3 ratings, remark), found 4; check that the file is the tab-separated export of the table"
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
                } => assert!(problem.contains(why), "{e}"),
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
                id: id("5")
            }
        );
        // (With its heading: a row whose first cell is empty and whose second is one word not starting
        // with a digit is a total row.)
        let e = tsv_err(9, "見出し\tR1-1\t課\tA\tA\tA\t理由");
        assert_eq!(
            e,
            TableFileError::MissingTitle {
                line: 9,
                id: id("R1-1")
            }
        );
        let e = tsv_err(45, "\t12 財産\t課\tA\tA\tA\t\t理由\t");
        assert_eq!(
            e,
            TableFileError::DuplicateId {
                line: 45,
                first_line: 16,
                id: id("12"),
                written: "12".into(),
                first_written: "12".into(),
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
        assert_eq!(e, TableFileError::MissingHeading { line: 2 });
        let e = err(
            format!("{header}a,1,t,d,A,,r\n\"a\",1,t,d,A,,r\n").as_bytes(),
            None,
        );
        assert_eq!(
            e,
            TableFileError::DuplicateId {
                line: 3,
                first_line: 2,
                id: id("1"),
                written: "1".into(),
                first_written: "1".into(),
            }
        );
        let e = err(format!("{header}a,1,t,d,A B,,r\n").as_bytes(), None);
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
        let e = err(header.as_bytes(), None);
        assert_eq!(e, TableFileError::NoDataRows { line: 1 });
        let e = err(
            "分類,番号,題,主な推進担当課,26年度上半期,フォローアップ対象,理由等\n".as_bytes(),
            None,
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
                    let prefix = format!("line {}: ", e.line());
                    prop_assert!(msg.starts_with(&prefix), "{}", msg);
                }
            }
        }

        #[test]
        fn hyoka_tsv_and_csv_round_trip((table, years) in table_strategy(), csv_remarks in prop::collection::vec("([^\n\u{FEFF}]|\n|\r|,|\"){0,12}", 6)) {
            let tsv = write_tsv(&table, &years);
            let parsed = parse(tsv.as_bytes(), None);
            prop_assert_eq!(parsed.as_ref().ok(), Some(&table), "{:?}\n{}", parsed, tsv);

            let mut csv_table = table.clone();
            csv_table.format = TableFormat::Csv;
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
