//! What a plan's grade scale is: letters or words ranked best first (S, A, B), or a progress rate in
//! percent (0–100).
//!
//! A progress scale is recorded like any other, as its grades best first: the 101 whole numbers `100`,
//! `99`, …, `0` ([`progress_grades`]). It is recognised by exactly those grades ([`is_progress`]), so no
//! event says what kind a scale is and ledgers of every version read the same. Its views show the
//! average and [`BANDS`] instead of 101 columns.

/// How a progress scale is written where a scale is given as text (`0-100`).
pub const PROGRESS: &str = "0-100";

/// The bands a progress scale is shown in, best first: (lowest, highest, label).
pub const BANDS: [(u32, u32, &str); 5] = [
    (100, 100, "100"),
    (75, 99, "75-99"),
    (50, 74, "50-74"),
    (25, 49, "25-49"),
    (0, 24, "0-24"),
];

/// The grades of a progress scale, best first: `100`, `99`, …, `0`.
pub fn progress_grades() -> Vec<String> {
    (0..=100u32).rev().map(|n| n.to_string()).collect()
}

/// Whether a scale is the progress scale: exactly the grades of [`progress_grades`].
pub fn is_progress(grades: &[String]) -> bool {
    grades.len() == 101
        && grades
            .iter()
            .zip((0..=100u32).rev())
            .all(|(g, n)| g.parse::<u32>() == Ok(n) && *g == n.to_string())
}

/// The percent of a progress grade (`80` is 80), if it is one.
pub fn progress_value(grade: &str) -> Option<u32> {
    grade.parse::<u32>().ok().filter(|n| *n <= 100)
}

/// The label of the band a percent falls in.
pub fn band_of(value: u32) -> &'static str {
    BANDS
        .iter()
        .find(|(lo, hi, _)| (*lo..=*hi).contains(&value))
        .map_or(BANDS[BANDS.len() - 1].2, |(_, _, label)| label)
}

/// A rating as typed for a progress scale, in the form the scale holds: `80%`, `８０％` and `80` are
/// `80`. `None` for anything else.
pub fn progress_input(s: &str) -> Option<String> {
    let s = crate::domain::ident::normalize(s.trim());
    let digits = s.strip_suffix('%').unwrap_or(&s).trim();
    let n: u32 = digits.parse().ok().filter(|n| *n <= 100)?;
    Some(n.to_string())
}

/// `num / den` in tenths, rounded half up (`46.45` is 46.5): the rule of every share hyoka prints.
/// `None` when `den` is 0.
pub fn tenths_half_up(num: u64, den: u64) -> Option<u64> {
    if den == 0 {
        return None;
    }
    let x = u128::from(num) * 10;
    let den = u128::from(den);
    let (q, r) = (x / den, x % den);
    let q = if 2 * r >= den { q + 1 } else { q };
    Some(u64::try_from(q).unwrap_or(u64::MAX))
}

/// A share in percent, rounded half up to 0.1: `count` of `of`, as a number with one decimal (46.5).
/// `None` when `of` is 0.
pub fn percent(count: u64, of: u64) -> Option<f64> {
    tenths_half_up(count.saturating_mul(100), of).map(|t| t as f64 / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_scale_is_recognised_by_its_grades_only() {
        assert!(is_progress(&progress_grades()));
        assert_eq!(progress_grades()[0], "100");
        assert_eq!(progress_grades()[100], "0");
        let mut other = progress_grades();
        other.swap(0, 1);
        assert!(!is_progress(&other));
        assert!(!is_progress(&["3".into(), "2".into(), "1".into()]));
        let mut padded = progress_grades();
        padded[95] = "05".into();
        assert!(!is_progress(&padded));
    }

    #[test]
    fn bands_and_input() {
        let bands: Vec<&str> = [100, 99, 75, 74, 50, 49, 25, 24, 0]
            .into_iter()
            .map(band_of)
            .collect();
        assert_eq!(
            bands,
            [
                "100", "75-99", "75-99", "50-74", "50-74", "25-49", "25-49", "0-24", "0-24"
            ]
        );
        assert_eq!(progress_input("80%").as_deref(), Some("80"));
        assert_eq!(progress_input("８０％").as_deref(), Some("80"));
        assert_eq!(progress_input(" 080 ").as_deref(), Some("80"));
        assert_eq!(progress_input("101"), None);
        assert_eq!(progress_input("A"), None);
    }

    #[test]
    fn shares_round_half_up_to_a_tenth() {
        // Kizugawa 令和元年度末: 0, 46, 48 and 5 of 99 rated items.
        let shares: Vec<Option<f64>> = [0, 46, 48, 5].into_iter().map(|n| percent(n, 99)).collect();
        assert_eq!(shares, [Some(0.0), Some(46.5), Some(48.5), Some(5.1)]);
        // Half up, not to even: 1/8 = 12.5 %, 1/16 = 6.25 % → 6.3, 1/80 = 1.25 % → 1.3.
        assert_eq!(percent(1, 8), Some(12.5));
        assert_eq!(percent(1, 16), Some(6.3));
        assert_eq!(percent(1, 80), Some(1.3));
        assert_eq!(percent(2, 3), Some(66.7));
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(3, 3), Some(100.0));
        assert_eq!(percent(0, 0), None);
        assert_eq!(tenths_half_up(125, 2), Some(625));
    }
}
