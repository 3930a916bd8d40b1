//! The published table as files (`schema/FORMAT.md` section 17.2), following the national rules for
//! machine-readable tables: one header row, one value per cell, no merged cells, no notes in data
//! cells. `table.csv` (UTF-8 with a BOM by default, or without, or CP932: a character CP932 cannot hold
//! is refused, naming the item and the column, never written as `&#NNNNN;` or `?`), `table.xlsx` (the
//! CSV's cells on the first sheet: numbers as numbers, points as text; its times the publication's, so
//! the same round gives the same bytes) and `table.json` (`schema/publication-table.schema.json`: the
//! rows as the canonical form holds them, from which the digest is recomputed).
//!
//! Invariants: the CSV's and the workbook's cells are the same strings (a cell starting like a
//! formula is escaped as hyoka's CSV escapes it, [`neutralise_cell`], in both); nothing here touches
//! the file system.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
use serde::Serialize;

use super::{Publication, PublishError};
use crate::domain::state::PublishedRow;
use crate::table::cells::neutralise_cell;
use crate::views::PeriodRef;

/// The header row of `table.csv` and `table.xlsx`.
pub const COLUMNS: [&str; 8] = [
    "見出し",
    "項目番号",
    "項目",
    "担当課",
    "時点",
    "評価",
    "フォローアップ対象",
    "理由等",
];

/// The mark of an item flagged for follow-up (an empty cell otherwise).
pub const FOLLOW_UP: &str = "○";

/// The text encoding of `table.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (with a BOM unless asked otherwise).
    Utf8 {
        /// Whether the file starts with a byte-order mark (what Excel in Japan needs).
        bom: bool,
    },
    /// CP932 (Shift_JIS as Windows writes it), never with a BOM.
    Cp932,
}

/// The cells of each row, as `table.csv` holds them (formula-like text escaped).
pub fn cells(p: &Publication) -> Vec<[String; 8]> {
    let label = p.point.label();
    p.rows
        .iter()
        .map(|r| {
            [
                r.heading.as_str(),
                r.id.as_str(),
                r.title.as_str(),
                r.department.as_str(),
                label.as_str(),
                r.grade.as_str(),
                if r.follow_up { FOLLOW_UP } else { "" },
                r.remark.as_str(),
            ]
            .map(|c| neutralise_cell(c).into_owned())
        })
        .collect()
}

/// `table.csv`: the header row and a row per item, CRLF line ends, in `encoding`.
pub fn csv(p: &Publication, encoding: Encoding) -> Result<Vec<u8>, PublishError> {
    let rows = cells(p);
    if encoding == Encoding::Cp932 {
        for (r, cells) in p.rows.iter().zip(&rows) {
            for (column, cell) in COLUMNS.iter().zip(cells) {
                if let Some(ch) = not_in_cp932(cell) {
                    return Err(PublishError::NotInCp932 {
                        item: Some(r.id.clone()),
                        column: (*column).to_string(),
                        ch,
                    });
                }
            }
        }
    }
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let write = |w: &mut ::csv::Writer<Vec<u8>>, rec: &[&str]| {
        w.write_record(rec)
            .map_err(|e| PublishError::Workbook(e.to_string()))
    };
    write(&mut w, &COLUMNS)?;
    for row in &rows {
        let rec: Vec<&str> = row.iter().map(String::as_str).collect();
        write(&mut w, &rec)?;
    }
    let text = w
        .into_inner()
        .map_err(|e| PublishError::Workbook(e.to_string()))?;
    Ok(match encoding {
        Encoding::Utf8 { bom: true } => [b"\xEF\xBB\xBF".as_slice(), &text].concat(),
        Encoding::Utf8 { bom: false } => text,
        Encoding::Cp932 => {
            let text = String::from_utf8_lossy(&text);
            let (bytes, _, errors) = encoding_rs::SHIFT_JIS.encode(&text);
            if errors {
                // Every cell was checked above; the header is CP932.
                return Err(PublishError::Workbook(
                    "a character CP932 cannot hold".into(),
                ));
            }
            bytes.into_owned()
        }
    })
}

/// The first character of `s` that CP932 cannot hold.
pub fn not_in_cp932(s: &str) -> Option<char> {
    let (_, _, errors) = encoding_rs::SHIFT_JIS.encode(s);
    if !errors {
        return None;
    }
    let mut buf = [0u8; 4];
    s.chars()
        .find(|c| encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut buf)).2)
}

/// Whether a cell is written as a number in the workbook: an integer of up to 15 digits without a
/// leading zero (an item number, a progress rate); any other cell is text.
fn as_number(cell: &str) -> Option<f64> {
    let digits = cell.len() <= 15
        && !cell.is_empty()
        && cell.bytes().all(|b| b.is_ascii_digit())
        && (cell == "0" || !cell.starts_with('0'));
    digits
        .then(|| cell.parse::<u64>().ok())
        .flatten()
        .map(|n| n as f64)
}

/// `table.xlsx`: the CSV's cells on the first sheet (`表`), numbers as numbers; the document's times
/// are the publication's.
pub fn xlsx(p: &Publication) -> Result<Vec<u8>, PublishError> {
    let err = |e: rust_xlsxwriter::XlsxError| PublishError::Workbook(e.to_string());
    let mut book = Workbook::new();
    let secs = p.published_at.div_euclid(1_000_000_000);
    let when = ExcelDateTime::from_timestamp(secs.clamp(0, 253_402_300_799)).map_err(err)?;
    let props = DocProperties::new()
        .set_title(format!("{} {}", p.plan, p.point.label()))
        .set_subject(format!("{} ({})", p.point.label(), p.point.id()))
        .set_author("hyoka")
        .set_comment("hyoka publish")
        .set_creation_datetime(&when);
    book.set_properties(&props);
    let head = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("表").map_err(err)?;
    for (c, text) in (0u16..).zip(COLUMNS) {
        sheet
            .write_string_with_format(0, c, text, &head)
            .map_err(err)?;
    }
    for (r, row) in (1u32..).zip(cells(p)) {
        for (c, cell) in (0u16..).zip(&row) {
            // The point (column 4) is text even when it looks like a number.
            match as_number(cell).filter(|_| c != 4) {
                Some(n) => sheet.write_number(r, c, n).map_err(err)?,
                None => sheet.write_string(r, c, cell).map_err(err)?,
            };
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(err)?;
    book.save_to_buffer().map_err(err)
}

/// `table.json` (`schema/publication-table.schema.json`).
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct TableJson {
    /// `hyoka publication table v1`.
    pub format: String,
    /// The plan's name.
    pub plan: String,
    /// The log's origin.
    pub origin: String,
    /// The point: `id` and Japanese `label`.
    pub point: PointJson,
    /// The `round.published` event.
    pub published_seq: u64,
    /// When it was recorded (RFC 3339, Japan time).
    pub published_at: String,
    /// SHA-256 (hex) of the canonical table, as `round.published` records it.
    pub table_sha256: String,
    /// The rows, as the canonical form holds them.
    pub items: Vec<PublishedRow>,
}

/// A point in `table.json`.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct PointJson {
    /// `FY2020-YE`.
    pub id: String,
    /// `令和2年度末`.
    pub label: String,
}

/// The version line of `table.json`.
pub const TABLE_JSON_V1: &str = "hyoka publication table v1";

/// `table.json`'s bytes (pretty-printed, ending in a newline).
pub fn json(p: &Publication) -> Result<Vec<u8>, PublishError> {
    let point = PeriodRef::from(p.point);
    let t = TableJson {
        format: TABLE_JSON_V1.into(),
        plan: p.plan.clone(),
        origin: p.origin.clone(),
        point: PointJson {
            id: point.id,
            label: point.label,
        },
        published_seq: p.published_seq,
        published_at: super::rfc3339_japan(p.published_at),
        table_sha256: hex::encode(p.table_sha256),
        items: p.rows.clone(),
    };
    let mut out =
        serde_json::to_vec_pretty(&t).map_err(|e| PublishError::Workbook(e.to_string()))?;
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_plain_integers_only() {
        assert_eq!(as_number("12"), Some(12.0));
        assert_eq!(as_number("0"), Some(0.0));
        for text in ["R1-1", "012", "", "1.5", "1234567890123456", "１２"] {
            assert_eq!(as_number(text), None, "{text}");
        }
    }

    #[test]
    fn cp932_names_the_first_character_it_cannot_hold() {
        assert_eq!(not_in_cp932("髙橋①○"), None);
        assert_eq!(not_in_cp932("取組🙂と𠮷"), Some('🙂'));
        assert_eq!(not_in_cp932("𠮷野"), Some('𠮷'));
    }
}
