//! Checks on user text, and escaping for the terminal.
//!
//! Text is stored exactly as given once it passes these checks. Single-line fields (names, titles,
//! authors) refuse every control character; multi-line fields (reasons, remarks) allow newline and tab.
//! Identifiers (authors, departments, headings, grades) also follow the rule of [`crate::domain::ident`].
//! Whatever is stored, [`escape`] makes it safe to print: control characters, the Unicode bidi controls
//! that could reorder or forge terminal output, and every character that does not show when printed
//! (those [`crate::domain::ident`] refuses in an identifier: zero-width and default-ignorable characters, the
//! braille blank, hangul fillers, line and paragraph separators; a variation selector directly after a
//! kanji shows as itself) are shown as `\u{..}` escapes, so a reader sees that something is there.

use crate::domain::invisible;

/// What is wrong with a text a person gave: a typed refusal, one line in English by `Display` (the
/// front ends word it in their languages). `field` names the field in English (`title`, `grade`,
/// `remark`, ...), one of a fixed set of names the library uses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TextProblem {
    /// A single-line field that is empty or blank.
    #[error("the {field} is empty; give a non-empty {field}")]
    Empty {
        /// The field.
        field: &'static str,
    },
    /// A reason, opinion or other text that says why, empty.
    #[error("the {field} is empty; say why with a non-empty {field}")]
    EmptyWhy {
        /// The field.
        field: &'static str,
    },
    /// A control character.
    #[error("the {field} contains the control character {}; remove it", .c.escape_unicode())]
    Control {
        /// The field.
        field: &'static str,
        /// The character.
        c: char,
    },
    /// White space inside a single word.
    #[error("the {field} `{value}` contains white space; use a single word such as S, A or B")]
    WhiteSpace {
        /// The field.
        field: &'static str,
        /// The value, escaped.
        value: String,
    },
    /// A character that does not show when printed ([`crate::domain::ident::check_visible`]).
    #[error(
        "the {field} `{value}` contains {named} at position {position}, a character that does not show when printed{}; type the {field} again without it",
        if *.selector { " (a variation selector is accepted only directly after a kanji)" } else { "" }
    )]
    Invisible {
        /// The field.
        field: &'static str,
        /// The value, escaped.
        value: String,
        /// The character, named (`U+200B ZERO WIDTH SPACE`).
        named: String,
        /// Its position, 1-based.
        position: usize,
        /// Whether it is a variation selector (accepted only after a kanji).
        selector: bool,
    },
}

/// Refuses an empty or blank value, or one with control characters.
pub fn check_line(field: &'static str, s: &str) -> Result<(), TextProblem> {
    if s.trim().is_empty() {
        return Err(TextProblem::Empty { field });
    }
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        return Err(TextProblem::Control { field, c });
    }
    Ok(())
}

/// Like [`check_line`], and also refuses white space inside (grades are single tokens).
pub fn check_token(field: &'static str, s: &str) -> Result<(), TextProblem> {
    check_line(field, s)?;
    if s.chars().any(char::is_whitespace) {
        return Err(TextProblem::WhiteSpace {
            field,
            value: escape(s),
        });
    }
    Ok(())
}

/// Refuses control characters other than newline and tab, and (unless `may_be_empty`) blank text.
pub fn check_multiline(
    field: &'static str,
    s: &str,
    may_be_empty: bool,
) -> Result<(), TextProblem> {
    if !may_be_empty && s.trim().is_empty() {
        return Err(TextProblem::EmptyWhy { field });
    }
    if let Some(c) = s
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
    {
        return Err(TextProblem::Control { field, c });
    }
    Ok(())
}

/// Is `c`, coming after `prev`, a character that must never reach a terminal raw? Controls, and what
/// [`invisible::invisible_after`] refuses in an identifier (the bidi controls among them).
fn is_unsafe(prev: Option<char>, c: char) -> bool {
    c.is_control() || invisible::invisible_after(prev, c)
}

/// Whether some character of `s` must not be printed raw.
fn has_unsafe(s: &str) -> bool {
    let mut prev = None;
    s.chars().any(|c| {
        let unsafe_here = is_unsafe(prev, c);
        prev = Some(c);
        unsafe_here
    })
}

/// Text safe to print on one line: control, bidi and invisible characters become `\n`, `\t` or
/// `\u{..}` (`山\u{200b}田`).
pub fn escape(s: &str) -> String {
    if !has_unsafe(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut prev = None;
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if is_unsafe(prev, c) => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
        prev = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_terminal_tricks() {
        assert_eq!(escape("評価 A"), "評価 A");
        assert_eq!(escape("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(escape("x\u{202E}y\n"), "x\\u{202e}y\\n");
        assert_eq!(escape("nul\0"), "nul\\u{0}");
        // Characters that do not show are shown escaped; a kanji's variation selector is itself.
        assert_eq!(escape("山\u{200B}田"), "山\\u{200b}田");
        for c in [
            '\u{00AD}',
            '\u{FEFF}',
            '\u{3164}',
            '\u{2800}',
            '\u{200D}',
            '\u{2028}',
            '\u{E0041}',
        ] {
            assert_eq!(escape(&format!("a{c}")), format!("a{}", c.escape_unicode()));
        }
        assert_eq!(escape("葛\u{E0100}飾"), "葛\u{E0100}飾");
        assert_eq!(escape("A\u{FE0F}"), "A\\u{fe0f}");
    }

    #[test]
    fn checks_say_what_is_wrong() {
        assert!(
            check_line("author", " ")
                .unwrap_err()
                .to_string()
                .contains("author is empty")
        );
        assert!(
            check_line("author", "a\u{7}")
                .unwrap_err()
                .to_string()
                .contains("control character")
        );
        assert!(
            check_token("grade", "A B")
                .unwrap_err()
                .to_string()
                .contains("white space")
        );
        assert!(check_multiline("reason", "line 1\nline 2\tok", false).is_ok());
        assert!(check_multiline("reason", "", false).is_err());
        assert!(check_multiline("remark", "", true).is_ok());
        assert!(check_multiline("remark", "\u{1b}[2J", true).is_err());
    }

    proptest::proptest! {
        #[test]
        fn escaped_text_has_no_unsafe_characters(
            s in "\\PC*|[\\x00-\\x1f\\u{202a}-\\u{202e}\\u{200b}\\u{feff}\\u{fe00}\\u{e0100}\\u{e0041}葛a]{0,20}"
        ) {
            proptest::prop_assert!(!has_unsafe(&escape(&s)));
        }
    }
}
