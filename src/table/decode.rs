//! From a file's bytes to numbered lines: decoding (UTF-8 with or without a BOM, UTF-16 with a BOM),
//! the refusal of a BOM inside the file, line numbering, the detection of the format, and for CSV the
//! strict quoting check and the mapping of the `csv` crate's byte positions to lines. Apart from the rows'
//! grammar, so that every error of either format counts its line the same way.
//!
//! Invariants: line numbers are 1-based and count LF (CR in a file without LF, a CRLF being one line
//! end); a BOM is accepted only as the file's first character; decoding allocates in proportion to the
//! input and never panics.

use std::borrow::Cow;

use super::TableFormat;
use super::error::{Result, TableFileError};

/// The file's text: UTF-16 after its BOM, else UTF-8 without its BOM (borrowed when it needs no
/// conversion).
pub(super) fn decode(bytes: &[u8]) -> Result<Cow<'_, str>> {
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
pub(super) fn check_no_stray_bom(text: &str) -> Result<()> {
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
pub(super) fn lines(text: &str) -> Vec<(usize, &str)> {
    text.split(newline_char(text))
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .collect()
}

/// The format the content shows: CSV when the first non-empty line has no tab and starts with the
/// `分類` header cell, TSV otherwise.
pub(super) fn detect(text: &str) -> TableFormat {
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

/// The newline character that numbers lines: LF, or CR in a CR-only file.
pub(super) fn newline_char(text: &str) -> char {
    if text.contains('\n') { '\n' } else { '\r' }
}

/// Checks RFC 4180 quoting, which the `csv` crate accepts leniently.
pub(super) fn check_csv_quoting(text: &str) -> Result<()> {
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

/// Maps `csv` byte positions to line numbers. The `csv` crate's own line
/// numbers are off for CRLF files and skipped blank lines, and its byte
/// position points before any skipped line terminators; records are read in
/// order, so counting is incremental.
pub(super) struct LineCounter<'a> {
    text: &'a str,
    newline: char,
    byte: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        LineCounter {
            text,
            newline: newline_char(text),
            byte: 0,
            line: 1,
        }
    }

    pub(super) fn line_of(&mut self, position: Option<&csv::Position>) -> usize {
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
