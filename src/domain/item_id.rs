//! Item ids as cities write them: `27`, `R1-1`, `1-1-1`, `I-3`.
//!
//! An id is text, read by the identifier rule ([`crate::domain::ident`]) and stored in one form only, so
//! that two ids that print alike are the same item:
//!
//! - in Unicode NFKC (full-width `１２` is `12`, `Ｒ１－１` is `R1-1`), without surrounding white space;
//! - 1 to [`MAX_LEN`] characters, each a letter or digit (any script) or one of `-` `_` `.` `/` `(` `)` `・`,
//!   beginning with a letter or digit;
//! - an id of digits only without leading zeros (`07` is `7`): it is the item's *number*
//!   ([`ItemId::number`], when it fits a `u32`), as in every ledger of event schema version 1.
//!
//! Ids sort naturally ([`Ord`]): runs of digits compare as numbers, so `2` comes before `10` and `R1-2`
//! before `R1-10`; digits sort before other text. Specified in `schema/FORMAT.md`, section "Item ids".
//!
//! Stored events hold the id's text; a stored id not in the stored form is refused when decoded
//! ([`ItemId::from_stored`]), since two spellings of one id would be two items.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::text::TextProblem;
use crate::domain::{ident, text};

/// The longest id, in characters.
pub const MAX_LEN: usize = 32;

/// Characters an id may hold besides letters and digits.
const PUNCTUATION: &[char] = &['-', '_', '.', '/', '(', ')', '・'];

/// Why a text cannot be an item id: one line, the id as written quoted and escaped. `Display` is its
/// English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdProblem {
    /// The text breaks the rule on text (a line break, a character that does not show).
    #[error("{0}")]
    Text(TextProblem),
    #[error(
        "the item id `{input}` is empty; write a number such as 12, or an id such as R1-1 or 1-1-1"
    )]
    Empty { input: String },
    #[error(
        "the item id `{input}` is longer than {max} characters; write a number such as 12, or an id such as R1-1 or 1-1-1"
    )]
    TooLong { input: String, max: usize },
    /// A character an id may not hold (escaped).
    #[error(
        "the item id `{input}` holds `{c}`; an id is letters, digits and - _ . / ( ) ・; write a number such as 12, or an id such as R1-1 or 1-1-1"
    )]
    Holds { input: String, c: String },
    #[error(
        "the item id `{input}` must begin with a letter or a digit; write a number such as 12, or an id such as R1-1 or 1-1-1"
    )]
    FirstNotAlphanumeric { input: String },
}

/// Why NFKC text breaks the form rules of an id.
enum Form {
    Empty,
    TooLong,
    Holds(char),
    FirstNotAlphanumeric,
}

impl fmt::Display for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Form::Empty => write!(f, "is empty"),
            Form::TooLong => write!(f, "is longer than {MAX_LEN} characters"),
            Form::Holds(c) => write!(
                f,
                "holds `{}`; an id is letters, digits and - _ . / ( ) ・",
                text::escape(&c.to_string())
            ),
            Form::FirstNotAlphanumeric => write!(f, "must begin with a letter or a digit"),
        }
    }
}

/// An item's id, in its stored form.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ItemId(Box<str>);

impl ItemId {
    /// An id from what a person or a file wrote: checked by the identifier rule, put in its stored
    /// form (NFKC, trimmed, leading zeros of a number dropped), or why it cannot be an id.
    pub fn parse(input: &str) -> Result<ItemId, IdProblem> {
        ident::check("item id", input).map_err(IdProblem::Text)?;
        let normalized = ident::normalize(ident::trim(input));
        let input = || text::escape(input);
        Self::checked(&normalized).map_err(|why| match why {
            Form::Empty => IdProblem::Empty { input: input() },
            Form::TooLong => IdProblem::TooLong {
                input: input(),
                max: MAX_LEN,
            },
            Form::Holds(c) => IdProblem::Holds {
                input: input(),
                c: text::escape(&c.to_string()),
            },
            Form::FirstNotAlphanumeric => IdProblem::FirstNotAlphanumeric { input: input() },
        })
    }

    /// The id of item number `n` (as every item of a schema version 1 ledger is named).
    pub fn from_number(n: u32) -> ItemId {
        ItemId(n.to_string().into_boxed_str())
    }

    /// A stored id: it must already be in the stored form.
    pub fn from_stored(s: String) -> Result<ItemId, String> {
        if ident::normalize(&s) != s {
            return Err(format!(
                "the stored item id `{}` is not in Unicode NFKC",
                text::escape(&s)
            ));
        }
        let id = Self::checked(&s)
            .map_err(|why| format!("the stored item id `{}` {why}", text::escape(&s)))?;
        if *id.0 != *s {
            return Err(format!(
                "the stored item id `{}` is not in its stored form `{}`",
                text::escape(&s),
                id
            ));
        }
        Ok(id)
    }

    /// The form rules, on NFKC text: the stored form, or why not.
    fn checked(s: &str) -> Result<ItemId, Form> {
        let Some(first) = s.chars().next() else {
            return Err(Form::Empty);
        };
        if s.chars().count() > MAX_LEN {
            return Err(Form::TooLong);
        }
        if let Some(c) = s
            .chars()
            .find(|c| !c.is_alphanumeric() && !PUNCTUATION.contains(c))
        {
            return Err(Form::Holds(c));
        }
        if !first.is_alphanumeric() {
            return Err(Form::FirstNotAlphanumeric);
        }
        if s.bytes().all(|b| b.is_ascii_digit()) {
            let trimmed = s.trim_start_matches('0');
            let digits = if trimmed.is_empty() { "0" } else { trimmed };
            return Ok(ItemId(digits.into()));
        }
        Ok(ItemId(s.into()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The item's number, for an id of digits only that fits a `u32`.
    pub fn number(&self) -> Option<u32> {
        if self.0.bytes().all(|b| b.is_ascii_digit()) {
            self.0.parse().ok()
        } else {
            None
        }
    }

    /// What two ids that a reader would take for the same are equal in: ASCII letters in upper case and
    /// digit runs without leading zeros (`r1-01` and `R1-1`).
    pub fn lookalike_key(&self) -> String {
        let mut out = String::with_capacity(self.0.len());
        let mut rest: &str = &self.0;
        while !rest.is_empty() {
            let (run, tail) = run(rest);
            if run.as_bytes()[0].is_ascii_digit() {
                let t = run.trim_start_matches('0');
                out.push_str(if t.is_empty() { "0" } else { t });
            } else {
                out.push_str(&run.to_ascii_uppercase());
            }
            rest = tail;
        }
        out
    }

    /// The key of the store's per-item index: the number for a numeric id (as schema version 1 ledgers
    /// keyed it), else the first four bytes of BLAKE3 of the id with the top bit set. Ids may share a
    /// key; readers of the index check each event's own id.
    pub fn index_key(&self) -> u32 {
        match self.number() {
            Some(n) => n,
            None => {
                let h = blake3::hash(self.0.as_bytes());
                let b = h.as_bytes();
                u32::from_be_bytes([b[0], b[1], b[2], b[3]]) | 0x8000_0000
            }
        }
    }
}

impl TryFrom<String> for ItemId {
    type Error = String;
    fn try_from(s: String) -> Result<ItemId, String> {
        ItemId::from_stored(s)
    }
}

impl From<ItemId> for String {
    fn from(id: ItemId) -> String {
        id.0.into()
    }
}

impl From<u32> for ItemId {
    fn from(n: u32) -> ItemId {
        ItemId::from_number(n)
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", &*self.0)
    }
}

impl PartialEq<str> for ItemId {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for ItemId {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<u32> for ItemId {
    /// Whether this is the id of item number `other`.
    fn eq(&self, other: &u32) -> bool {
        self.number() == Some(*other)
    }
}

impl Ord for ItemId {
    fn cmp(&self, other: &Self) -> Ordering {
        natural(&self.0, &other.0)
    }
}

impl PartialOrd for ItemId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Natural order: runs of ASCII digits compare as numbers (by length without leading zeros, then
/// digit by digit, so any length compares), other runs as text, a digit run before a text run; ties
/// (`1-01` and `1-1`) are broken by the bytes, so that only equal ids compare equal.
pub fn natural(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a, b);
    loop {
        match (x.is_empty(), y.is_empty()) {
            (true, true) => return a.cmp(b),
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        let (rx, tx) = run(x);
        let (ry, ty) = run(y);
        let dx = rx.as_bytes()[0].is_ascii_digit();
        let dy = ry.as_bytes()[0].is_ascii_digit();
        let o = match (dx, dy) {
            (true, true) => {
                let (nx, ny) = (rx.trim_start_matches('0'), ry.trim_start_matches('0'));
                nx.len().cmp(&ny.len()).then_with(|| nx.cmp(ny))
            }
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => rx.cmp(ry),
        };
        if o != Ordering::Equal {
            return o;
        }
        (x, y) = (tx, ty);
    }
}

/// The first run of `s` (non-empty): all ASCII digits or none, and the rest.
fn run(s: &str) -> (&str, &str) {
    let digit = s.as_bytes()[0].is_ascii_digit();
    let end = s
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit() != digit)
        .map_or(s.len(), |(i, _)| i);
    s.split_at(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> String {
        ItemId::parse(s)
            .map(|i| i.to_string())
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn ids_are_read_as_cities_write_them() {
        for (input, stored) in [
            ("27", "27"),
            ("１２", "12"),
            ("007", "7"),
            ("0", "0"),
            (" 12 ", "12"),
            ("R1-1", "R1-1"),
            ("Ｒ１－１", "R1-1"),
            ("1-1-1", "1-1-1"),
            ("I-3", "I-3"),
            ("1-01", "1-01"),
            ("ア-1", "ア-1"),
            ("2(1)", "2(1)"),
        ] {
            assert_eq!(id(input), stored, "{input}");
        }
    }

    #[test]
    fn what_is_not_an_id_is_refused_saying_what_to_write() {
        for (input, why) in [
            ("", "empty"),
            ("  ", "empty"),
            ("R1 1", "holds ` `"),
            ("1,2", "holds `,`"),
            ("-1", "must begin"),
            ("a\u{200B}b", "U+200B"),
            ("1\t2", "control"),
            (&"9".repeat(33), "longer than 32"),
        ] {
            let e = ItemId::parse(input).unwrap_err().to_string();
            assert!(e.contains(why), "{input:?}: {e}");
        }
        assert!(
            ItemId::parse("R1 1")
                .unwrap_err()
                .to_string()
                .ends_with("write a number such as 12, or an id such as R1-1 or 1-1-1")
        );
    }

    #[test]
    fn numbers_and_index_keys() {
        let n = |s: &str| ItemId::parse(s).unwrap();
        assert_eq!(n("12").number(), Some(12));
        assert_eq!(n("R1-1").number(), None);
        assert_eq!(n("99999999999").number(), None);
        assert_eq!(n("12").index_key(), 12);
        assert!(n("R1-1").index_key() >= 0x8000_0000);
        assert_eq!(n("R1-1").index_key(), n("Ｒ１－１").index_key());
        assert_eq!(ItemId::from_number(40), n("40"));
    }

    #[test]
    fn lookalike_ids_share_a_key() {
        let k = |s: &str| ItemId::parse(s).unwrap().lookalike_key();
        assert_eq!(k("r1-01"), k("R1-1"));
        assert_eq!(k("i-3"), k("I-3"));
        assert_ne!(k("R1-1"), k("R1-10"));
        assert_ne!(k("1-1"), k("11"));
    }

    #[test]
    fn stored_ids_must_be_in_the_stored_form() {
        assert!(ItemId::from_stored("R1-1".into()).is_ok());
        for bad in ["１２", "07", " 1", "", "a b"] {
            assert!(ItemId::from_stored(bad.into()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ids_sort_naturally() {
        let mut ids: Vec<ItemId> = [
            "10", "2", "R1-10", "R1-2", "1-1-1", "1-10-1", "1-2-1", "I-3", "1", "R2-1", "100",
            "1-01", "1-1",
        ]
        .iter()
        .map(|s| ItemId::parse(s).unwrap())
        .collect();
        ids.sort();
        let got: Vec<&str> = ids.iter().map(ItemId::as_str).collect();
        assert_eq!(
            got,
            [
                "1", "1-01", "1-1", "1-1-1", "1-2-1", "1-10-1", "2", "10", "100", "I-3", "R1-2",
                "R1-10", "R2-1"
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn order_is_total_and_agrees_with_equality(a in "[0-9A-Z-]{1,6}", b in "[0-9A-Z-]{1,6}") {
            let o = natural(&a, &b);
            proptest::prop_assert_eq!(o == Ordering::Equal, a == b);
            proptest::prop_assert_eq!(o.reverse(), natural(&b, &a));
        }

        #[test]
        fn parsing_never_panics_and_is_idempotent(s in "\\PC{0,40}") {
            if let Ok(id) = ItemId::parse(&s) {
                proptest::prop_assert_eq!(ItemId::parse(id.as_str()).ok(), Some(id.clone()));
                proptest::prop_assert!(ItemId::from_stored(id.to_string()).is_ok());
            }
        }
    }
}
