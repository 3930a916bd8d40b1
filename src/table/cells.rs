//! Single cells of a table file: trimming, digits (ASCII or full-width), item ids, grades (and the
//! 対象外 of a point not evaluated), follow-up marks, re-listing markers, the identifier rule, and the
//! CSV escape against formula injection. One place for both formats, so that a TSV and a CSV cell
//! holding the same text read alike (and the writer escapes CSV cells with the function the reader
//! undoes).
//!
//! Invariants: a cell is trimmed of surrounding white space but U+2028 and U+2029; grades and item ids
//! are read in NFKC (ids by [`ItemId::parse`]); a heading, item id, department or grade holding a
//! character that does not show is refused, naming it; [`unneutralise_cell`] exactly undoes
//! [`neutralise_cell`]; nothing panics.

use std::borrow::Cow;

use super::error::{Result, TableFileError};
use crate::domain::invisible::is_invisible;
use crate::domain::item_id::{IdProblem, ItemId};

/// What a grade cell holds at a point where the item is not evaluated (対象外): written by the writer,
/// read as no grade and reported in [`crate::table::read::ParsedRow::not_evaluated`].
pub const NOT_EVALUATED: &str = "対象外";

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

/// Removes a re-listing marker `【No.27の再掲】` (`【No.R1-1の再掲】`) from a title: the title without it,
/// and the id it names. A marker whose id [`item_id`] refuses is not one: it stays in the title.
pub(super) fn split_relisting(title: &str) -> (String, Option<ItemId>) {
    for (start, _) in title.match_indices('【') {
        let (Some(before), Some(body)) = (title.get(..start), title.get(start + '【'.len_utf8()..))
        else {
            continue;
        };
        if let Some((id, after)) = relisting_body(body) {
            let joined = format!("{before}{after}");
            return (trim(&joined).to_owned(), Some(id));
        }
    }
    (title.to_owned(), None)
}

/// Parses `No.27の再掲】` (after the `【`), returning the id and the text
/// after the `】`.
fn relisting_body(s: &str) -> Option<(ItemId, &str)> {
    let s = s.trim_start_matches(char::is_whitespace);
    let s = s.strip_prefix(['N', 'n', 'Ｎ', 'ｎ'])?;
    let s = s.strip_prefix(['O', 'o', 'Ｏ', 'ｏ'])?;
    let s = s.strip_prefix(['.', '．']).unwrap_or(s);
    let end = s.find("の再掲")?;
    let (written, s) = s.split_at_checked(end)?;
    if written.contains(['【', '】']) {
        return None;
    }
    let id = item_id(0, 0, "", written).ok()?;
    let s = s.strip_prefix("の再掲")?;
    let s = s.trim_start_matches(char::is_whitespace);
    let s = s.strip_prefix('】')?;
    Some((id, s))
}

/// Whether an id as written starts with `No.` (any width, any case): the re-listing marker's way of
/// naming an item, never part of an id read from a file, where `No.5` would be an item apart from `5`.
fn starts_with_no(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('N' | 'n' | 'Ｎ' | 'ｎ'))
        && matches!(chars.next(), Some('O' | 'o' | 'Ｏ' | 'ｏ'))
        && matches!(chars.next(), Some('.' | '．'))
}

/// An item id cell (column `column`, 1-based, for the message): the rule of [`crate::domain::ident`]
/// (naming a character that does not show), then [`ItemId::parse`] (NFKC: `１２` is 12), whose
/// refusal is reported with its message. An id written `No.5` is refused, saying to write `5`.
pub(super) fn item_id(line: usize, column: usize, header: &str, raw: &str) -> Result<ItemId> {
    let s = trim(raw);
    check_ident(line, column, header, "item id", s)?;
    if starts_with_no(s) {
        return Err(TableFileError::IdWithNo {
            line,
            column,
            header: header.to_string(),
            cell: shown(s),
        });
    }
    ItemId::parse(s).map_err(|problem| TableFileError::Identifier {
        line,
        column,
        header: header.to_string(),
        problem,
    })
}

/// A character an id may be written with around its digits in a cell without a space after the id
/// (`1-1-1タイトル`): the separators of [`ItemId`] in either width.
fn is_id_separator(c: char) -> bool {
    matches!(c, '-' | '－' | '.' | '．' | '_' | '＿' | '/' | '／')
}

/// Splits the item cell of a TSV row (`27 スクラップアンドビルドの徹底`, `R1-1 高槻市との連携`) into the
/// id as written and the title: the id is the cell up to the first white space (ASCII, U+3000 or other,
/// but not U+2028 or U+2029, which the identifier rule names), the title the rest. A cell without white
/// space is split as published tables without a space write it (`27スクラップアンドビルドの徹底`):
/// after its leading digits (ASCII or full-width; `1-1-1` also), or, not starting with a digit, it is
/// all id and no title.
pub(super) fn split_item_cell(item: &str) -> (&str, &str) {
    if let Some((i, c)) = item
        .char_indices()
        .find(|(_, c)| c.is_whitespace() && !is_invisible(*c))
    {
        let (id, rest) = item.split_at(i);
        return (id, trim(rest.get(c.len_utf8()..).unwrap_or_default()));
    }
    if !item.starts_with(is_digit) {
        return (item, "");
    }
    // Digits (and characters the identifier rule refuses, so that it names them), with separators
    // between runs of digits.
    let chars: Vec<(usize, char)> = item.char_indices().collect();
    let mut end = 0;
    let mut k = 0;
    while let Some(&(i, c)) = chars.get(k) {
        if is_digit(c) || is_invisible(c) {
            end = i + c.len_utf8();
            k += 1;
        } else if is_id_separator(c) && chars.get(k + 1).is_some_and(|(_, d)| is_digit(*d)) {
            k += 1;
        } else {
            break;
        }
    }
    let (id, title) = item.split_at_checked(end).unwrap_or((item, ""));
    (id, title)
}

/// Whether an id as written holds a digit (ASCII or full-width).
pub(super) fn has_digit(s: &str) -> bool {
    s.chars().any(is_digit)
}

/// The rule of [`crate::domain::ident`] on a cell holding an identifier (which may be
/// empty).
pub(super) fn check_ident(
    line: usize,
    column: usize,
    header: &str,
    field: &'static str,
    s: &str,
) -> Result<()> {
    crate::domain::ident::check_visible(field, s).map_err(|problem| TableFileError::Identifier {
        line,
        column,
        header: header.to_string(),
        problem: IdProblem::Text(problem),
    })
}

/// A grade as it is recorded: one word, in NFKC ([`crate::domain::ident::token`]).
pub(super) fn grade(line: usize, column: usize, s: &str) -> Result<String> {
    crate::domain::ident::token("grade", s).map_err(|problem| TableFileError::Identifier {
        line,
        column,
        header: String::new(),
        problem: IdProblem::Text(problem),
    })
}

/// What a grade cell says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum GradeCell {
    /// Empty: the file says nothing of that point.
    Empty,
    /// One grade, in NFKC.
    Grade(String),
    /// [`NOT_EVALUATED`]: the item is not evaluated at that point.
    NotEvaluated,
}

/// A grade cell: empty, [`NOT_EVALUATED`] or one grade, spaces inside ignored as published tables
/// space their words out (`対 象 外`, `完 了`) (column `column`, 1-based, and its header, for the
/// message).
pub(super) fn parse_grade_cell(
    line: usize,
    column: usize,
    header: &str,
    raw: &str,
) -> Result<GradeCell> {
    let r = trim(raw);
    if r.is_empty() {
        return Ok(GradeCell::Empty);
    }
    // First, so that U+2028 (white space too) is named.
    check_ident(line, column, header, "grade", r)?;
    let joined: String = r.chars().filter(|c| !c.is_whitespace()).collect();
    if joined == NOT_EVALUATED {
        return Ok(GradeCell::NotEvaluated);
    }
    crate::domain::ident::token("grade", &joined)
        .map(GradeCell::Grade)
        .map_err(|problem| TableFileError::Identifier {
            line,
            column,
            header: header.to_string(),
            problem: IdProblem::Text(problem),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn not_evaluated_is_read_with_or_without_the_spaces_tables_print() {
        for cell in ["対象外", "対 象 外", " 対　象　外 "] {
            assert!(matches!(
                parse_grade_cell(3, 4, "", cell),
                Ok(GradeCell::NotEvaluated)
            ));
        }
        assert!(matches!(
            parse_grade_cell(3, 4, "", ""),
            Ok(GradeCell::Empty)
        ));
        assert!(
            parse_grade_cell(3, 4, "", "対象").is_ok_and(|g| !matches!(g, GradeCell::NotEvaluated))
        );
        // Grades as published with spaces inside: the grade without them.
        for (cell, want) in [("完 了", "完了"), ("そ　の　他", "その他"), (" Ａ ", "A")]
        {
            assert_eq!(
                parse_grade_cell(3, 4, "", cell),
                Ok(GradeCell::Grade(want.into()))
            );
        }
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

    proptest! {
        #[test]
        fn neutralise_round_trips(s in any::<String>()) {
            let n = neutralise_cell(&s);
            prop_assert_eq!(unneutralise_cell(&n), s.as_str());
            prop_assert!(!n.starts_with(['=', '+', '-', '@', '\t', '\r']));
        }
    }
}
