//! Single cells of a table file: trimming, digits (ASCII or full-width), item numbers, grades,
//! follow-up marks, re-listing markers, the identifier rule, and the CSV escape against formula
//! injection. One place for both formats, so that a TSV and a CSV cell holding the same text read alike
//! (and the writer escapes CSV cells with the function the reader undoes).
//!
//! Invariants: a cell is trimmed of surrounding white space but U+2028 and U+2029; grades are read in
//! NFKC; a heading, item number, department or grade holding a character that does not show is refused,
//! naming it; [`unneutralise_cell`] exactly undoes [`neutralise_cell`]; nothing panics.

use std::borrow::Cow;

use super::error::{Result, TableFileError};

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

/// Surrounding white space removed, except U+2028 and U+2029, which
/// [`crate::domain::ident`] names in an identifier rather than drop them unseen.
pub(super) fn trim(s: &str) -> &str {
    crate::domain::ident::trim(s)
}

/// Cell `index` of a row, trimmed; empty when the row is shorter.
pub(super) fn cell<'a>(cells: &[&'a str], index: usize) -> &'a str {
    cells.get(index).map_or("", |c| trim(c))
}

/// Whether every cell of a row is empty once trimmed.
pub(super) fn is_blank(cells: &[&str]) -> bool {
    cells.iter().all(|c| trim(c).is_empty())
}

/// A cell content for an error message: at most 40 characters.
pub(super) fn shown(s: &str) -> String {
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

/// An ASCII or full-width decimal digit.
pub(super) fn is_digit(c: char) -> bool {
    digit_value(c).is_some()
}

/// Parses a non-empty string of ASCII or full-width digits. `None` if empty,
/// not all digits, or too large for `u64`.
pub(super) fn parse_digits(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.chars().try_fold(0u64, |acc, c| {
        acc.checked_mul(10)?.checked_add(digit_value(c)?)
    })
}

/// The follow-up mark: `○`, or the large circle `◯` some tables type instead.
pub(super) fn is_mark(s: &str) -> bool {
    matches!(s, "○" | "◯")
}

/// Splits a remark cell with an optionally folded follow-up mark (`○ text`).
pub(super) fn unfold_mark(remark: &str) -> (bool, String) {
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
pub(super) fn split_relisting(title: &str) -> (String, Option<u32>) {
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
pub(super) fn check_ident(line: usize, column: usize, field: &str, s: &str) -> Result<()> {
    crate::domain::ident::check_visible(field, s).map_err(|problem| TableFileError::Identifier {
        line,
        column,
        problem,
    })
}

/// A grade as it is recorded: one word, in NFKC ([`crate::domain::ident::token`]).
pub(super) fn grade(line: usize, column: usize, s: &str) -> Result<String> {
    crate::domain::ident::token("grade", s).map_err(|problem| TableFileError::Identifier {
        line,
        column,
        problem,
    })
}

/// A rating cell: `None` when empty, else one grade (column `column`, 1-based, for the message).
pub(super) fn parse_rating(line: usize, column: usize, raw: &str) -> Result<Option<String>> {
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

/// An item number: ASCII or full-width digits that fit a `u32`.
pub(super) fn parse_number(line: usize, raw: &str) -> Result<u32> {
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

/// Cells from index `from` on must be empty.
pub(super) fn check_no_extra(line: usize, cells: &[&str], from: usize) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    proptest! {
        #[test]
        fn neutralise_round_trips(s in any::<String>()) {
            let n = neutralise_cell(&s);
            prop_assert_eq!(unneutralise_cell(&n), s.as_str());
            prop_assert!(!n.starts_with(['=', '+', '-', '@', '\t', '\r']));
        }
    }
}
