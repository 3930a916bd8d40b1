//! From a file's bytes to numbered lines: decoding (UTF-8 with or without a BOM, UTF-16 with a BOM,
//! CP932 when the bytes are not UTF-8 and are CP932, and reported as such),
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

/// How a text file's bytes were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 after its byte-order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    /// UTF-16 after its byte-order mark (Excel's "Unicode text").
    Utf16,
    /// Shift_JIS as Windows writes it (CP932, Excel's "CSV" on a Japanese system): read because the
    /// bytes are not UTF-8 and are all CP932, and reported as such.
    Cp932,
}

impl Encoding {
    /// Its stable name: `utf-8`, `utf-8-bom`, `utf-16`, `cp932`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8-bom",
            Encoding::Utf16 => "utf-16",
            Encoding::Cp932 => "cp932",
        }
    }
}

/// The encoding [`decode`] reads `bytes` in, without keeping the text (for a notice before a long
/// read); `None` when it reads them in none.
#[must_use]
pub fn sniff(bytes: &[u8]) -> Option<Encoding> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Some(Encoding::Utf16);
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Some(Encoding::Utf8Bom);
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Some(Encoding::Utf8);
    }
    cp932_error_line(bytes).is_none().then_some(Encoding::Cp932)
}

/// The file's text and how it was read: UTF-16 after its BOM, UTF-8 after its BOM (which says the
/// file is UTF-8: it must be), else UTF-8 if the bytes are, else CP932 if they are (borrowed when it
/// needs no conversion).
pub(super) fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, Encoding)> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return decode_utf16(rest, u16::from_le_bytes).map(|s| (Cow::Owned(s), Encoding::Utf16));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return decode_utf16(rest, u16::from_be_bytes).map(|s| (Cow::Owned(s), Encoding::Utf16));
    }
    let (bytes, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    let utf8_error = match std::str::from_utf8(bytes) {
        Ok(s) if bom => return Ok((Cow::Borrowed(s), Encoding::Utf8Bom)),
        Ok(s) => return Ok((Cow::Borrowed(s), Encoding::Utf8)),
        Err(e) => e,
    };
    let valid = bytes.get(..utf8_error.valid_up_to()).unwrap_or_default();
    let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
    if bom {
        return Err(TableFileError::InvalidUtf8 { line });
    }
    match encoding_rs::SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok((text, Encoding::Cp932)),
        None => Err(TableFileError::NotText {
            line,
            cp932_line: cp932_error_line(bytes).unwrap_or(line),
        }),
    }
}

/// The line of the first byte that is not CP932, if any.
fn cp932_error_line(bytes: &[u8]) -> Option<usize> {
    let mut decoder = encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(64 << 10);
    let mut at = 0;
    loop {
        let rest = bytes.get(at..).unwrap_or_default();
        out.clear();
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut out, true);
        match result {
            encoding_rs::DecoderResult::InputEmpty => return None,
            encoding_rs::DecoderResult::OutputFull => at += read,
            encoding_rs::DecoderResult::Malformed(..) => {
                let upto = bytes.get(..at + read).unwrap_or_default();
                return Some(1 + upto.iter().filter(|&&b| b == b'\n').count());
            }
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

/// The format the content shows: CSV when the first non-empty line with a tab or a comma has a comma
/// and no tab, TSV otherwise.
pub(super) fn detect(text: &str) -> TableFormat {
    let first = text
        .split(newline_char(text))
        .take(64)
        .find(|l| l.contains(['\t', ',']));
    match first {
        Some(l) if !l.contains('\t') => TableFormat::Csv,
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
