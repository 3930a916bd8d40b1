//! Identifiers: the one rule for the names the ledger tells apart, and how text is compared.
//!
//! An identifier is a name that says *who* or *which*: an author, a department, a heading, a grade, an
//! item number as typed, the plan's origin. Two of them that print alike must be the same, so:
//!
//! - **Refused** ([`check`]): a character that does not show when printed ([`is_invisible`]): every
//!   Unicode default-ignorable code point (Default_Ignorable_Code_Point, DerivedCoreProperties.txt of
//!   Unicode 16.0: zero-width spaces and joiners, bidi controls, U+00AD, U+FEFF, variation selectors,
//!   tags U+E0000-E0FFF, the hangul fillers U+115F, U+1160, U+3164 and U+FFA0, ...), the braille
//!   blank U+2800, and the line and paragraph separators U+2028 and U+2029. The refusal is one line
//!   naming the character and its position (`U+200B ZERO WIDTH SPACE at position 2`).
//! - **Except** a variation selector (U+FE00-FE0F, U+E0100-E01EF) directly after a kanji: official
//!   names such as 葛󠄀 (U+845B U+E0100) use them to name the registered glyph.
//! - **Compared under NFKC** ([`key`], [`same`]): full-width and half-width forms and the like are the
//!   same name (`ＡＢ` and `AB`, `ﾔﾏﾀﾞ` and `ヤマダ`). The comparison ignores the characters the rule
//!   refuses (as Unicode's NFKC_Casefold does, without its case folding), so that a name recorded
//!   before the rule with one of them is found by its visible spelling.
//! - **Stored as given**, except grades and item numbers, which are stored in NFKC ([`token`],
//!   [`item_number`]): a full-width `Ａ` grade is recorded as `A`.
//!
//! The rule applies to what is written from now on: the ledger checks authors before an append and
//! each new change with [`crate::domain::state::State::admit`] before it is encoded. Events recorded before the
//! rule that break it stay valid: the fold ([`crate::domain::state::State::apply`]) and `verify` do not apply
//! it. Wherever text reaches a terminal, [`crate::domain::text::escape`] shows these characters as `\u{..}`.
//! Specified in `schema/FORMAT.md`, section "Identifiers and text".

use unicode_normalization::UnicodeNormalization;

use crate::domain::invisible::{
    find_invisible, invisible_after, is_invisible, is_variation_selector,
};
use crate::domain::text::{self, TextProblem};

/// Checks the rule on an identifier that may be empty (a cell of a file): only its characters.
/// The refusal names the character and its position, and says what to do.
pub fn check_visible(field: &'static str, s: &str) -> Result<(), TextProblem> {
    let Some((position, c)) = find_invisible(s) else {
        return Ok(());
    };
    Err(TextProblem::Invisible {
        field,
        value: text::escape(s),
        named: describe(c),
        position,
        selector: is_variation_selector(c),
    })
}

/// The rule for an identifier: not empty or blank, no control character ([`text::check_line`]), and
/// no character the rule refuses ([`check_visible`]).
pub fn check(field: &'static str, s: &str) -> Result<(), TextProblem> {
    text::check_line(field, s)?;
    check_visible(field, s)
}

/// A single-word identifier (a grade) as it is stored: checked by [`check`], in NFKC, and without
/// white space once normalized.
pub fn token(field: &'static str, s: &str) -> Result<String, TextProblem> {
    check(field, s)?;
    let normalized = normalize(s);
    text::check_token(field, &normalized)?;
    Ok(normalized)
}

/// An item number from its text: checked by [`check`], read in NFKC (so full-width `１２` is 12), and
/// only digits.
pub fn item_number(s: &str) -> Result<u32, String> {
    check("item number", s).map_err(|e| e.to_string())?;
    let normalized = normalize(trim(s));
    if normalized.is_empty() || !normalized.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "the item number `{}` is not a number; write it in digits, e.g. 12",
            text::escape(s)
        ));
    }
    normalized.parse().map_err(|_| {
        format!(
            "the item number `{}` is out of range; item numbers are from 1 to {}",
            text::escape(s),
            u32::MAX
        )
    })
}

/// `s` without surrounding white space, except the characters the rule refuses (U+2028 and U+2029 are
/// white space): they are kept, to be named, rather than dropped unseen.
pub fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() && !is_invisible(c))
}

/// `s` in Unicode Normalization Form KC.
pub fn normalize(s: &str) -> String {
    s.nfkc().collect()
}

/// What identifiers are compared by: `s` in NFKC, without the characters the rule refuses.
pub fn key(s: &str) -> String {
    let normalized = normalize(s);
    let mut out = String::with_capacity(normalized.len());
    let mut prev = None;
    for c in normalized.chars() {
        if !invisible_after(prev, c) {
            out.push(c);
        }
        prev = Some(c);
    }
    out
}

/// Whether two names are the same under the rule: equal once in NFKC, ignoring the characters the rule
/// refuses.
pub fn same(a: &str, b: &str) -> bool {
    a == b || key(a) == key(b)
}

/// `U+200B ZERO WIDTH SPACE`: the code point and, for the characters the rule refuses, the name.
pub fn describe(c: char) -> String {
    match name(c) {
        Some(n) => format!("U+{:04X} {n}", u32::from(c)),
        None if is_invisible(c) => {
            format!("U+{:04X} (unassigned, default ignorable)", u32::from(c))
        }
        None => format!("U+{:04X}", u32::from(c)),
    }
}

/// The Unicode name of each assigned character [`is_invisible`] holds (UnicodeData.txt).
fn name(c: char) -> Option<String> {
    let cp = u32::from(c);
    let fixed = match cp {
        0x00AD => "SOFT HYPHEN",
        0x034F => "COMBINING GRAPHEME JOINER",
        0x061C => "ARABIC LETTER MARK",
        0x115F => "HANGUL CHOSEONG FILLER",
        0x1160 => "HANGUL JUNGSEONG FILLER",
        0x17B4 => "KHMER VOWEL INHERENT AQ",
        0x17B5 => "KHMER VOWEL INHERENT AA",
        0x180B => "MONGOLIAN FREE VARIATION SELECTOR ONE",
        0x180C => "MONGOLIAN FREE VARIATION SELECTOR TWO",
        0x180D => "MONGOLIAN FREE VARIATION SELECTOR THREE",
        0x180E => "MONGOLIAN VOWEL SEPARATOR",
        0x180F => "MONGOLIAN FREE VARIATION SELECTOR FOUR",
        0x200B => "ZERO WIDTH SPACE",
        0x200C => "ZERO WIDTH NON-JOINER",
        0x200D => "ZERO WIDTH JOINER",
        0x200E => "LEFT-TO-RIGHT MARK",
        0x200F => "RIGHT-TO-LEFT MARK",
        0x2028 => "LINE SEPARATOR",
        0x2029 => "PARAGRAPH SEPARATOR",
        0x202A => "LEFT-TO-RIGHT EMBEDDING",
        0x202B => "RIGHT-TO-LEFT EMBEDDING",
        0x202C => "POP DIRECTIONAL FORMATTING",
        0x202D => "LEFT-TO-RIGHT OVERRIDE",
        0x202E => "RIGHT-TO-LEFT OVERRIDE",
        0x2060 => "WORD JOINER",
        0x2061 => "FUNCTION APPLICATION",
        0x2062 => "INVISIBLE TIMES",
        0x2063 => "INVISIBLE SEPARATOR",
        0x2064 => "INVISIBLE PLUS",
        0x2066 => "LEFT-TO-RIGHT ISOLATE",
        0x2067 => "RIGHT-TO-LEFT ISOLATE",
        0x2068 => "FIRST STRONG ISOLATE",
        0x2069 => "POP DIRECTIONAL ISOLATE",
        0x206A => "INHIBIT SYMMETRIC SWAPPING",
        0x206B => "ACTIVATE SYMMETRIC SWAPPING",
        0x206C => "INHIBIT ARABIC FORM SHAPING",
        0x206D => "ACTIVATE ARABIC FORM SHAPING",
        0x206E => "NATIONAL DIGIT SHAPES",
        0x206F => "NOMINAL DIGIT SHAPES",
        0x2800 => "BRAILLE PATTERN BLANK",
        0x3164 => "HANGUL FILLER",
        0xFEFF => "ZERO WIDTH NO-BREAK SPACE",
        0xFFA0 => "HALFWIDTH HANGUL FILLER",
        0x1BCA0 => "SHORTHAND FORMAT LETTER OVERLAP",
        0x1BCA1 => "SHORTHAND FORMAT CONTINUING OVERLAP",
        0x1BCA2 => "SHORTHAND FORMAT DOWN STEP",
        0x1BCA3 => "SHORTHAND FORMAT UP STEP",
        0x1D173 => "MUSICAL SYMBOL BEGIN BEAM",
        0x1D174 => "MUSICAL SYMBOL END BEAM",
        0x1D175 => "MUSICAL SYMBOL BEGIN TIE",
        0x1D176 => "MUSICAL SYMBOL END TIE",
        0x1D177 => "MUSICAL SYMBOL BEGIN SLUR",
        0x1D178 => "MUSICAL SYMBOL END SLUR",
        0x1D179 => "MUSICAL SYMBOL BEGIN PHRASE",
        0x1D17A => "MUSICAL SYMBOL END PHRASE",
        0xE0001 => "LANGUAGE TAG",
        0xE007F => "CANCEL TAG",
        0xFE00..=0xFE0F => return Some(format!("VARIATION SELECTOR-{}", cp - 0xFE00 + 1)),
        0xE0100..=0xE01EF => return Some(format!("VARIATION SELECTOR-{}", cp - 0xE0100 + 17)),
        // TAG SPACE ... TAG TILDE: "TAG " and the name of the ASCII character U+0020-007E.
        0xE0020..=0xE007E => return ascii_name(cp - 0xE0000).map(|n| format!("TAG {n}")),
        _ => return None,
    };
    Some(fixed.to_string())
}

/// The Unicode name of a printable ASCII character (U+0020-007E).
fn ascii_name(cp: u32) -> Option<String> {
    let c = char::from_u32(cp)?;
    let fixed = match c {
        ' ' => "SPACE",
        '!' => "EXCLAMATION MARK",
        '"' => "QUOTATION MARK",
        '#' => "NUMBER SIGN",
        '$' => "DOLLAR SIGN",
        '%' => "PERCENT SIGN",
        '&' => "AMPERSAND",
        '\'' => "APOSTROPHE",
        '(' => "LEFT PARENTHESIS",
        ')' => "RIGHT PARENTHESIS",
        '*' => "ASTERISK",
        '+' => "PLUS SIGN",
        ',' => "COMMA",
        '-' => "HYPHEN-MINUS",
        '.' => "FULL STOP",
        '/' => "SOLIDUS",
        ':' => "COLON",
        ';' => "SEMICOLON",
        '<' => "LESS-THAN SIGN",
        '=' => "EQUALS SIGN",
        '>' => "GREATER-THAN SIGN",
        '?' => "QUESTION MARK",
        '@' => "COMMERCIAL AT",
        '[' => "LEFT SQUARE BRACKET",
        '\\' => "REVERSE SOLIDUS",
        ']' => "RIGHT SQUARE BRACKET",
        '^' => "CIRCUMFLEX ACCENT",
        '_' => "LOW LINE",
        '`' => "GRAVE ACCENT",
        '{' => "LEFT CURLY BRACKET",
        '|' => "VERTICAL LINE",
        '}' => "RIGHT CURLY BRACKET",
        '~' => "TILDE",
        '0'..='9' => {
            const DIGITS: [&str; 10] = [
                "ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE",
            ];
            let d = DIGITS.get(usize::try_from(cp - u32::from('0')).ok()?)?;
            return Some(format!("DIGIT {d}"));
        }
        'A'..='Z' => return Some(format!("LATIN CAPITAL LETTER {c}")),
        'a'..='z' => {
            return Some(format!("LATIN SMALL LETTER {}", c.to_ascii_uppercase()));
        }
        _ => return None,
    };
    Some(fixed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The characters the issue names, and one of each other kind.
    const REFUSED: &[(char, &str)] = &[
        ('\u{200B}', "U+200B ZERO WIDTH SPACE"),
        ('\u{00AD}', "U+00AD SOFT HYPHEN"),
        ('\u{FEFF}', "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ('\u{3164}', "U+3164 HANGUL FILLER"),
        ('\u{FFA0}', "U+FFA0 HALFWIDTH HANGUL FILLER"),
        ('\u{2800}', "U+2800 BRAILLE PATTERN BLANK"),
        ('\u{200D}', "U+200D ZERO WIDTH JOINER"),
        ('\u{2028}', "U+2028 LINE SEPARATOR"),
        ('\u{2029}', "U+2029 PARAGRAPH SEPARATOR"),
        ('\u{E0000}', "U+E0000 (unassigned, default ignorable)"),
        ('\u{E0001}', "U+E0001 LANGUAGE TAG"),
        ('\u{E0041}', "U+E0041 TAG LATIN CAPITAL LETTER A"),
        ('\u{E007F}', "U+E007F CANCEL TAG"),
        ('\u{202E}', "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ('\u{2066}', "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ('\u{FE0F}', "U+FE0F VARIATION SELECTOR-16"),
        ('\u{E0100}', "U+E0100 VARIATION SELECTOR-17"),
        ('\u{180E}', "U+180E MONGOLIAN VOWEL SEPARATOR"),
        ('\u{1D173}', "U+1D173 MUSICAL SYMBOL BEGIN BEAM"),
    ];

    #[test]
    fn invisible_characters_in_an_identifier_are_refused_naming_them() {
        for &(c, named) in REFUSED {
            // After a kana: a variation selector after a kanji is the exception.
            let author = format!("やま{c}だ");
            let err = check("author", &author).unwrap_err().to_string();
            assert!(
                err.contains(&format!("{named} at position 3,")),
                "{named}: {err}"
            );
            assert!(err.contains("type the author again without it"), "{err}");
            assert!(!err.contains(c), "the message shows it escaped: {err:?}");
            assert!(!err.contains('\n'));
        }
        // Every tag and every default-ignorable code point, whatever comes before.
        for cp in 0xE0000..=0xE0FFF {
            let c = char::from_u32(cp).unwrap_or_default();
            assert!(find_invisible(&format!("A{c}")).is_some(), "U+{cp:X}");
        }
        assert_eq!(find_invisible("山田 太郎"), None);
        assert_eq!(find_invisible("ＡＢ課"), None);
        assert_eq!(find_invisible("a\u{200B}\u{200B}"), Some((2, '\u{200B}')));
    }

    #[test]
    fn a_variation_selector_is_accepted_only_directly_after_a_kanji() {
        // 葛󠄀 (U+845B U+E0100), as official names use it; VS1 after a compatibility ideograph's
        // unified form; an extension-B kanji with its selector.
        for ok in [
            "葛\u{E0100}飾区",
            "辻\u{E0101}",
            "\u{8FBB}\u{FE00}",
            "\u{20B9F}\u{E0100}",
        ] {
            assert_eq!(check("department", ok), Ok(()), "{ok:?}");
        }
        for (bad, position) in [
            ("A\u{FE0F}", 2),
            ("\u{E0100}葛", 1),
            ("葛\u{E0100}\u{E0101}", 3),
            ("か\u{E0100}", 2),
        ] {
            let err = check("department", bad).unwrap_err().to_string();
            assert!(err.contains(&format!("at position {position}")), "{err}");
            assert!(err.contains("only directly after a kanji"), "{err}");
        }
    }

    #[test]
    fn names_compare_under_nfkc_ignoring_what_the_rule_refuses() {
        assert!(same("山田", "山田"));
        assert!(same("ＡＢ課", "AB課"));
        assert!(same("ﾔﾏﾀﾞ", "ヤマダ"));
        assert!(same("山田\u{3000}太郎", "山田 太郎"));
        // Recorded before the rule: found by its visible spelling.
        assert!(same("山\u{200B}田", "山田"));
        assert!(same("\u{FEFF}見出し", "見出し"));
        // A kanji's variation selector is part of the name.
        assert!(!same("葛\u{E0100}飾", "葛飾"));
        assert!(!same("山田", "山口"));
        assert_eq!(key("Ａ\u{00AD}"), "A");
    }

    #[test]
    fn grades_and_item_numbers_are_read_in_nfkc() {
        assert_eq!(token("grade", "Ａ"), Ok("A".to_string()));
        assert_eq!(token("grade", "S"), Ok("S".to_string()));
        assert!(
            token("grade", "A\u{200B}")
                .unwrap_err()
                .to_string()
                .contains("U+200B")
        );
        assert!(
            token("grade", "A B")
                .unwrap_err()
                .to_string()
                .contains("white space")
        );
        // NFKC may make white space: U+00A8 is a space and a combining diaeresis.
        assert!(
            token("grade", "\u{00A8}")
                .unwrap_err()
                .to_string()
                .contains("white space")
        );
        assert_eq!(item_number("12"), Ok(12));
        assert_eq!(item_number("１２"), Ok(12));
        let err = item_number("1\u{200B}2").unwrap_err();
        assert!(
            err.contains("U+200B ZERO WIDTH SPACE at position 2,"),
            "{err}"
        );
        assert!(item_number("+12").unwrap_err().contains("not a number"));
        assert!(item_number("x").unwrap_err().contains("not a number"));
        assert!(
            item_number("99999999999")
                .unwrap_err()
                .contains("out of range")
        );
        assert_eq!(item_number(" 7 "), Ok(7));
        assert!(
            item_number("7\u{2028}")
                .unwrap_err()
                .contains("U+2028 LINE SEPARATOR")
        );
        assert_eq!(trim("\u{3000} A \u{2028}"), "A \u{2028}");
    }
}
