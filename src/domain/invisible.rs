//! The characters that do not show when printed, which an identifier may not hold (the rule is
//! [`crate::domain::ident`]'s) and which [`crate::domain::text::escape`] shows as `\u{..}`. A leaf: it depends on
//! nothing else of the crate, so both can use it.

/// Is `c` one of the characters an identifier may not hold (whatever comes before it)? See
/// [`crate::domain::ident`]; [`invisible_after`] applies the variation-selector exception.
pub fn is_invisible(c: char) -> bool {
    is_default_ignorable(c) || matches!(c, '\u{2800}' | '\u{2028}' | '\u{2029}')
}

/// Unicode's Default_Ignorable_Code_Point, from DerivedCoreProperties.txt of Unicode 16.0.0 (the
/// ranges, merged, as listed there; unchanged since Unicode 14.0 added U+180F).
fn is_default_ignorable(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{034F}'
        | '\u{061C}'
        | '\u{115F}'..='\u{1160}'
        | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{3164}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}'
        | '\u{FFA0}'
        | '\u{FFF0}'..='\u{FFF8}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// A variation selector: VS1-VS16 (U+FE00-FE0F) or VS17-VS256 (U+E0100-E01EF).
pub fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// A kanji (CJK ideograph): 〆 and 〇, the CJK Unified Ideographs and extension A, the CJK
/// Compatibility Ideographs, and planes 2 and 3, which Unicode gives to CJK ideographs only (extensions
/// B-I and the compatibility supplement). The bases of the registered ideographic variation sequences.
pub fn is_kanji(c: char) -> bool {
    matches!(c,
        '\u{3006}'..='\u{3007}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3FFFF}'
    )
}

/// Is `c`, coming after `prev`, a character the rule refuses? As [`is_invisible`], except for a
/// variation selector directly after a kanji.
pub fn invisible_after(prev: Option<char>, c: char) -> bool {
    is_invisible(c) && !(is_variation_selector(c) && prev.is_some_and(is_kanji))
}

/// The first character of `s` that the rule refuses, with its position (1 for the first character).
pub fn find_invisible(s: &str) -> Option<(usize, char)> {
    let mut prev = None;
    for (i, c) in s.chars().enumerate() {
        if invisible_after(prev, c) {
            return Some((i + 1, c));
        }
        prev = Some(c);
    }
    None
}
