//! A file as rows of cells, whatever it is: tab-separated or CSV text (in any encoding `decode`
//! reads), or the first sheet (or a named one) of an `.xlsx` workbook. What the layouts read.
//!
//! Invariants: each row carries its 1-based line (a text file's line, a sheet's row number); cells are
//! as written (a CSV cell unquoted; a number in a sheet as its shortest text, `26` not `26.0`); a
//! workbook is read in bounded memory: its parts may unpack to [`MAX_UNPACKED_BYTES`] together (each
//! part is unpacked once, to count, before anything is kept), a sheet may hold [`MAX_SHEET_CELLS`]
//! cells in [`MAX_SHEET_COLUMNS`] columns; nothing panics.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use super::TableFormat;
use super::decode::{Encoding, LineCounter, check_csv_quoting, check_no_stray_bom, decode, detect};
use super::error::{Result, TableFileError};

/// The most bytes a workbook's parts may unpack to, together.
pub const MAX_UNPACKED_BYTES: u64 = 256 << 20;
/// The most non-empty cells a sheet may hold.
pub const MAX_SHEET_CELLS: u64 = 4_000_000;
/// The most columns a sheet may use.
pub const MAX_SHEET_COLUMNS: u32 = 1024;
/// The most parts a workbook may have.
const MAX_PARTS: usize = 10_000;

/// What a file was read as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadAs {
    /// Text, split as `format`, in `encoding`.
    Text {
        /// TSV or CSV.
        format: TableFormat,
        /// How its bytes were read.
        encoding: Encoding,
    },
    /// A sheet of an `.xlsx` workbook.
    Sheet {
        /// The sheet's name.
        name: String,
    },
}

/// What to read: a sheet by name (else the first), a text format (else from the file's name, else
/// from its content).
#[derive(Debug, Clone, Default)]
pub struct Source<'a> {
    /// The sheet of a workbook.
    pub sheet: Option<&'a str>,
    /// The text format.
    pub format: Option<TableFormat>,
    /// The file's name (its extension says the format, `.xlsx` a workbook).
    pub file_name: &'a str,
}

/// The rows of a file.
pub(super) enum Grid<'a> {
    Text {
        text: Cow<'a, str>,
        format: TableFormat,
    },
    Sheet {
        rows: SheetRows,
    },
}

/// A row: its line and its cells.
pub(super) type Row<'a> = (usize, Vec<Cow<'a, str>>);

/// A sheet's rows: each row's number and its cells.
type SheetRows = Vec<(usize, Vec<String>)>;

/// Whether the bytes are a zip archive (what an `.xlsx` workbook is).
#[must_use]
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The rows of a file and what it was read as.
pub(super) fn grid<'a>(bytes: &'a [u8], source: &Source<'_>) -> Result<(Grid<'a>, ReadAs)> {
    let lower = source.file_name.to_ascii_lowercase();
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(TableFileError::Workbook {
            problem: "it is an Excel 97-2003 workbook (.xls), which hyoka does not read; save it as an Excel workbook (.xlsx), CSV or tab-separated text".into(),
        });
    }
    if is_workbook(bytes) {
        let (name, rows) = read_workbook(bytes, source.sheet)?;
        return Ok((Grid::Sheet { rows }, ReadAs::Sheet { name }));
    }
    if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        return Err(TableFileError::Workbook {
            problem: "its name says .xlsx, but it is not an Excel workbook (not a zip archive); save it again from Excel".into(),
        });
    }
    if let Some(sheet) = source.sheet {
        return Err(TableFileError::Workbook {
            problem: format!(
                "a sheet ({}) is named, but the file is text, not a workbook",
                super::cells::shown(sheet)
            ),
        });
    }
    let (text, encoding) = decode(bytes)?;
    if text.chars().all(char::is_whitespace) {
        return Err(TableFileError::Empty { line: 1 });
    }
    check_no_stray_bom(&text)?;
    let format = source
        .format
        .or_else(|| TableFormat::from_file_name(source.file_name))
        .unwrap_or_else(|| detect(&text));
    if format == TableFormat::Csv {
        check_csv_quoting(&text)?;
    }
    Ok((
        Grid::Text { text, format },
        ReadAs::Text { format, encoding },
    ))
}

impl<'a> Grid<'a> {
    /// The rows, in order (a CSV error ends them with the error).
    pub(super) fn rows(&self) -> Box<dyn Iterator<Item = Result<Row<'_>>> + '_> {
        match self {
            Grid::Text {
                text,
                format: TableFormat::Tsv,
            } => {
                let newline = super::decode::newline_char(text);
                Box::new(text.split(newline).enumerate().map(|(i, l)| {
                    let l = l.strip_suffix('\r').unwrap_or(l);
                    Ok((i + 1, l.split('\t').map(Cow::Borrowed).collect()))
                }))
            }
            Grid::Text {
                text,
                format: TableFormat::Csv,
            } => Box::new(CsvRows {
                reader: csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(text.as_bytes()),
                lines: LineCounter::new(text),
                record: csv::StringRecord::new(),
                done: false,
            }),
            Grid::Sheet { rows } => Box::new(rows.iter().map(|(line, cells)| {
                Ok((
                    *line,
                    cells.iter().map(|c| Cow::Borrowed(c.as_str())).collect(),
                ))
            })),
        }
    }

    /// Whether the rows come from a sheet (whose rows leave out their empty cells at the end).
    pub(super) fn is_sheet(&self) -> bool {
        matches!(self, Grid::Sheet { .. })
    }
}

struct CsvRows<'t> {
    reader: csv::Reader<&'t [u8]>,
    lines: LineCounter<'t>,
    record: csv::StringRecord,
    done: bool,
}

impl<'t> Iterator for CsvRows<'t> {
    type Item = Result<Row<'t>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.reader.read_record(&mut self.record) {
            Ok(true) => {
                let line = self.lines.line_of(self.record.position());
                Some(Ok((
                    line,
                    self.record
                        .iter()
                        .map(|c| Cow::Owned(c.to_string()))
                        .collect(),
                )))
            }
            Ok(false) => None,
            Err(e) => {
                self.done = true;
                Some(Err(TableFileError::Csv {
                    line: self.lines.line_of(e.position()),
                    message: super::cells::shown(&e.to_string().replace(['\n', '\r'], " ")),
                }))
            }
        }
    }
}

fn workbook_error(e: impl std::fmt::Display) -> TableFileError {
    TableFileError::Workbook {
        problem: format!(
            "it cannot be read as an Excel workbook ({}); save it again from Excel as .xlsx",
            super::cells::shown(&e.to_string().replace(['\n', '\r'], " "))
        ),
    }
}

/// Unpacks every part of the archive once, counting, and refuses a workbook whose parts unpack to
/// more than [`MAX_UNPACKED_BYTES`] together (a small file can unpack to gigabytes).
fn check_unpacked_size(bytes: &[u8]) -> Result<()> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(workbook_error)?;
    if zip.len() > MAX_PARTS {
        return Err(TableFileError::Workbook {
            problem: format!(
                "it has {} parts, more than a workbook of a table has ({MAX_PARTS})",
                zip.len()
            ),
        });
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(workbook_error)?;
        let left = MAX_UNPACKED_BYTES - total;
        let n = std::io::copy(&mut part.take(left + 1), &mut std::io::sink())
            .map_err(workbook_error)?;
        total += n;
        if total > MAX_UNPACKED_BYTES {
            return Err(TableFileError::Workbook {
                problem: format!(
                    "it unpacks to more than {} MiB, more than a table can be; check that it is the right file, or save the table alone in a new workbook",
                    MAX_UNPACKED_BYTES >> 20
                ),
            });
        }
    }
    Ok(())
}

/// A sheet's rows: the named sheet, else the first; each row with its number and its cells up to the
/// last one it uses.
fn read_workbook(bytes: &[u8], sheet: Option<&str>) -> Result<(String, SheetRows)> {
    use calamine::Reader;
    check_unpacked_size(bytes)?;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(Cursor::new(bytes)).map_err(workbook_error)?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => match names.iter().find(|n| n.as_str() == s) {
            Some(n) => n.clone(),
            None => {
                return Err(TableFileError::NoSuchSheet {
                    sheet: super::cells::shown(s),
                    sheets: names.iter().map(|n| super::cells::shown(n)).collect(),
                });
            }
        },
        None => match names.first() {
            Some(n) => n.clone(),
            None => {
                return Err(TableFileError::Workbook {
                    problem: "it has no sheet".into(),
                });
            }
        },
    };
    let mut reader = book.worksheet_cells_reader(&name).map_err(workbook_error)?;
    let mut rows: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let mut cells: u64 = 0;
    while let Some(cell) = reader.next_cell().map_err(workbook_error)? {
        let (row, column) = cell.get_position();
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        if column >= MAX_SHEET_COLUMNS {
            return Err(TableFileError::Workbook {
                problem: format!(
                    "sheet {} uses column {}, more than a table has ({MAX_SHEET_COLUMNS} columns at most)",
                    super::cells::shown(&name),
                    column + 1
                ),
            });
        }
        cells += 1;
        if cells > MAX_SHEET_CELLS {
            return Err(TableFileError::Workbook {
                problem: format!(
                    "sheet {} holds more than {MAX_SHEET_CELLS} cells, more than a table can be",
                    super::cells::shown(&name)
                ),
            });
        }
        let r = rows.entry(row).or_default();
        let at = column as usize;
        if r.len() <= at {
            r.resize(at + 1, String::new());
        }
        if let Some(slot) = r.get_mut(at) {
            *slot = text;
        }
    }
    Ok((
        name,
        rows.into_iter()
            .map(|(row, cells)| (row as usize + 1, cells))
            .collect(),
    ))
}

/// A sheet cell as text: a string as written, a whole number without `.0`, a date as `2016年3月31日`.
fn cell_text(value: &calamine::DataRef<'_>) -> String {
    use calamine::DataRef;
    match value {
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y}年{m}月{day}日")
        }
        DataRef::DateTime(d) => d.as_f64().to_string(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(cells: &[(u32, u16, &str)], number: Option<(u32, u16, f64)>) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let first = book.add_worksheet();
        first.set_name("表紙").unwrap();
        first.write_string(0, 0, "表紙").unwrap();
        let sheet = book.add_worksheet();
        sheet.set_name("評価").unwrap();
        for (r, c, text) in cells {
            sheet.write_string(*r, *c, *text).unwrap();
        }
        if let Some((r, c, n)) = number {
            sheet.write_number(r, c, n).unwrap();
        }
        book.save_to_buffer().unwrap()
    }

    fn sheet(bytes: &[u8], name: Option<&str>) -> Result<(String, SheetRows)> {
        read_workbook(bytes, name)
    }

    #[test]
    fn a_sheet_is_read_by_name_or_first_with_its_row_numbers_and_numbers_as_text() {
        let bytes = book(
            &[(2, 0, "見出し"), (2, 3, "A"), (5, 1, "題")],
            Some((2, 1, 27.0)),
        );
        let (name, rows) = sheet(&bytes, None).unwrap();
        assert_eq!(name, "表紙");
        assert_eq!(rows, [(1, vec!["表紙".to_string()])]);
        let (name, rows) = sheet(&bytes, Some("評価")).unwrap();
        assert_eq!(name, "評価");
        let want: SheetRows = vec![
            (
                3,
                vec!["見出し".into(), "27".into(), String::new(), "A".into()],
            ),
            (6, vec![String::new(), "題".into()]),
        ];
        assert_eq!(rows, want);
        match sheet(&bytes, Some("集計")) {
            Err(TableFileError::NoSuchSheet { sheet, sheets }) => {
                assert_eq!(sheet, "集計");
                assert_eq!(sheets, ["表紙", "評価"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(cell_text(&calamine::DataRef::Float(2.5)), "2.5");
        assert_eq!(cell_text(&calamine::DataRef::Float(-3.0)), "-3");
    }

    #[test]
    fn a_sheet_past_its_columns_or_a_broken_workbook_is_refused() {
        let bytes = book(&[(0, 0, "a"), (1, MAX_SHEET_COLUMNS as u16, "遠い")], None);
        match sheet(&bytes, Some("評価")) {
            Err(TableFileError::Workbook { problem }) => {
                assert!(problem.contains("uses column 1025"), "{problem}");
            }
            other => panic!("{other:?}"),
        }
        let mut cut = bytes.clone();
        cut.truncate(bytes.len() / 2);
        assert!(matches!(
            grid(&cut, &Source::default()),
            Err(TableFileError::Workbook { .. })
        ));
    }

    #[test]
    fn text_is_split_as_its_name_or_its_content_says() {
        for (bytes, name, want) in [
            (&b"a\tb\n"[..], "x.txt", TableFormat::Tsv),
            (b"a,b\n", "x.txt", TableFormat::Csv),
            (b"title\na,b\tc\n", "x.txt", TableFormat::Tsv),
            (b"a,b\n", "x.tsv", TableFormat::Tsv),
            (b"a\tb\n", "x.csv", TableFormat::Csv),
        ] {
            let source = Source {
                file_name: name,
                ..Source::default()
            };
            match grid(bytes, &source) {
                Ok((_, ReadAs::Text { format, .. })) => assert_eq!(format, want, "{name}"),
                Ok(_) => panic!("not text"),
                Err(e) => panic!("{e}"),
            }
        }
    }
}
