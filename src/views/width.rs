//! Display width of terminal text: a string's width, cutting it to a width with `…`, padding, and
//! wrapping that keeps closing punctuation and small kana off the start of a line (kinsoku). Apart from
//! the renderers, as every aligned view measures with it.
//!
//! Invariants: widths are UAX #11 as the `unicode-width` crate reads it (East Asian wide and full-width
//! characters two columns, ambiguous ones such as `○` and `…` one, or two after
//! [`set_ambiguous_wide`], controls none); nothing here splits a
//! character, and a zero-width character (a combining mark) stays with the one before it.

use unicode_width::UnicodeWidthChar;

/// Display width of a string: the sum of its characters' widths (wide = 2, controls 0).
pub fn display_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    match AMBIGUOUS_WIDE.with(std::cell::Cell::get) {
        false => c.width().unwrap_or(0),
        true => c.width_cjk().unwrap_or(0),
    }
}

thread_local! {
    /// Whether characters of ambiguous East Asian width count two columns (see
    /// [`set_ambiguous_wide`]).
    static AMBIGUOUS_WIDE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Lays out the calling thread's text for a terminal that draws the characters of ambiguous East Asian
/// width (UAX #11 "A": `○`, `…`, `■`, `→`, Greek and Cyrillic letters) two columns wide, as many
/// Japanese terminals and fonts do (`true`), or one column (`false`, the default). A setting of the
/// front end, per thread, so that it never leaks into another thread's layout.
pub fn set_ambiguous_wide(wide: bool) {
    AMBIGUOUS_WIDE.with(|w| w.set(wide));
}

/// `s` cut to at most `max` columns, ending in `…` when something was cut. Never splits a character;
/// zero-width characters (combining marks) stay with the character before them.
pub fn truncate(s: &str, max: usize) -> String {
    clip(s, max, usize::MAX)
}

/// `s` cut to at most `max` columns and `max_bytes` bytes (`…` included), ending in `…` when something
/// was cut. The byte bound only matters for text of zero-width characters, which take no column.
pub(super) fn clip(s: &str, max: usize, max_bytes: usize) -> String {
    if s.len() <= max_bytes && display_width(s) <= max {
        return s.to_string();
    }
    // `…` is of ambiguous width: one column, or two on a terminal that draws those wide.
    let ellipsis = char_width('…');
    if max < ellipsis || max_bytes < '…'.len_utf8() {
        return String::new();
    }
    let room = max_bytes - '…'.len_utf8();
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = char_width(c);
        if used + w > max - ellipsis || out.len() + c.len_utf8() > room {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// `s` followed by spaces up to `w` columns (nothing added if it is already wider).
pub(super) fn pad(s: &str, w: usize) -> String {
    let mut out = s.to_string();
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(display_width(s))));
    out
}

/// `s` preceded by spaces up to `w` columns.
pub(super) fn pad_left(s: &str, w: usize) -> String {
    let mut out: String = std::iter::repeat_n(' ', w.saturating_sub(display_width(s))).collect();
    out.push_str(s);
    out
}

/// Characters that must not start a line (kinsoku): closing brackets and punctuation, small kana and
/// the prolonged sound mark.
fn no_line_start(c: char) -> bool {
    "、。，．・：；？！）」』】〕〉》ー々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ,.:;?!)]"
        .contains(c)
}

/// `s` broken into lines of at most `max` columns, at character boundaries, keeping closing punctuation
/// off the start of a line. A character wider than `max` gets a line of its own.
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines: Vec<Vec<char>> = vec![Vec::new()];
    let mut used = 0;
    for c in s.chars() {
        let w = char_width(c);
        let Some(line) = lines.last_mut() else {
            break;
        };
        if used + w > max && !line.is_empty() {
            // Carry characters over while the next line would start with one that may not start a
            // line (a few at most, so that a run of them still breaks somewhere).
            let mut next: Vec<char> = Vec::new();
            while next.len() < 3
                && line.len() > 1
                && no_line_start(next.first().copied().unwrap_or(c))
            {
                if let Some(k) = line.pop() {
                    next.insert(0, k);
                }
            }
            if next.first().is_some_and(|&k| no_line_start(k)) {
                // No character that may start a line within reach: break where it overflows.
                line.append(&mut next);
            }
            used = next.iter().map(|&k| char_width(k)).sum();
            lines.push(next);
        }
        used += w;
        if let Some(line) = lines.last_mut() {
            line.push(c);
        }
    }
    lines.into_iter().map(|l| l.into_iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ambiguous_characters_count_as_the_terminal_draws_them() {
        let s = "○…■→A評";
        assert_eq!(display_width(s), 7);
        assert_eq!(truncate("○○○○", 3), "○○…");
        set_ambiguous_wide(true);
        assert_eq!(display_width(s), 11);
        // `…` takes two columns too: two ○ and it would be 6.
        assert_eq!(truncate("○○○○", 5), "○…");
        assert_eq!(truncate("○○○○", 6), "○○…");
        // Another thread's layout is its own.
        assert_eq!(std::thread::spawn(|| display_width("○")).join().unwrap(), 1);
        set_ambiguous_wide(false);
        assert_eq!(display_width(s), 7);
    }

    #[test]
    fn widths_count_japanese_as_two_columns() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("評価A"), 5);
        assert_eq!(display_width("ｱｲ"), 2); // half-width katakana
        assert_eq!(pad("評価", 6), "評価  ");
        assert_eq!(pad_left("1", 3), "  1");
    }

    #[test]
    fn truncation_never_splits_a_character() {
        assert_eq!(truncate("市民活動支援", 12), "市民活動支援");
        assert_eq!(truncate("市民活動支援", 11), "市民活動支…");
        // An odd width cannot hold half a character: one column stays free.
        assert_eq!(truncate("市民活動支援", 10), "市民活動…");
        assert_eq!(display_width(&truncate("市民活動支援", 10)), 9);
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(truncate("がぎ", 1), "…");
        // A combining mark stays with its base character.
        assert_eq!(truncate("e\u{301}e\u{301}xyz", 3), "e\u{301}e\u{301}…");
        for s in ["市民活動支援センター", "aあbいcう", "ＡＢＣ", "e\u{301}xé"] {
            for w in 0..=display_width(s) + 1 {
                let t = truncate(s, w);
                assert!(display_width(&t) <= w, "{s:?} at {w}: {t:?}");
                let kept = t.strip_suffix('…').unwrap_or(&t);
                assert!(s.starts_with(kept), "{s:?} at {w}: {t:?}");
            }
        }
    }

    #[test]
    fn wrapping_keeps_punctuation_off_line_starts() {
        assert_eq!(wrap("あいうえお", 4), ["あい", "うえ", "お"]);
        assert_eq!(wrap("あい、うえ", 4), ["あ", "い、", "うえ"]);
        assert_eq!(wrap("テコミュ", 6), ["テコ", "ミュ"]);
        assert_eq!(wrap("コミュニティ", 10), ["コミュニ", "ティ"]);
        assert_eq!(wrap("ーーーーーー", 4), ["ーー", "ーー", "ーー"]);
        assert_eq!(wrap("abc", 0), ["a", "b", "c"]);
        assert_eq!(wrap("", 5), [""]);
        for s in ["成果指標にある地域活動の実施回数を達成した。", "a。b、c"]
        {
            for w in 2..12 {
                let lines = wrap(s, w);
                assert_eq!(lines.concat(), s);
                assert!(lines.iter().all(|l| display_width(l) <= w), "{lines:?}");
            }
        }
    }
}
