//! Part-year evaluation periods of the Japanese fiscal year (April to March).
//!
//! A period is the first half of a fiscal year (上半期, ends 30 September) or its year end (年度末, ends
//! 31 March of the next calendar year). The canonical id is `FY2014-H1` / `FY2014-YE`; Japanese forms with
//! or without an era (`平成26年度上半期`, `H26年度末`, `令和元年度末`, `R1上半期`, `26年度上半期`), with a
//! Gregorian fiscal year (`2019年度末`), and the dates cities write their points as (`平成28年3月末現在`
//! is 平成27年度末, `平成29年9月末` is 平成29年度上半期, `令和2年3月31日現在` is 令和元年度末) are accepted
//! on input, and labels are shown in Japanese.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// First fiscal year hyoka accepts: Heisei 1.
pub const MIN_FISCAL_YEAR: u16 = 1989;
/// Last fiscal year hyoka accepts.
pub const MAX_FISCAL_YEAR: u16 = 2199;

/// A Japanese era used to write fiscal years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Era {
    /// 平成: year 1 is 1989.
    Heisei,
    /// 令和: year 1 is 2019.
    Reiwa,
}

impl Era {
    /// The Gregorian year of this era's year 1.
    pub fn first_year(self) -> u16 {
        match self {
            Era::Heisei => 1989,
            Era::Reiwa => 2019,
        }
    }

    /// The era's name in Japanese (`平成`, `令和`).
    pub fn kanji(self) -> &'static str {
        match self {
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    /// The era's name in lower-case romaji, as used on the command line.
    pub fn romaji(self) -> &'static str {
        match self {
            Era::Heisei => "heisei",
            Era::Reiwa => "reiwa",
        }
    }

    /// The era in which a fiscal year is written in current usage.
    pub fn of_fiscal_year(fy: u16) -> Era {
        if fy >= Era::Reiwa.first_year() {
            Era::Reiwa
        } else {
            Era::Heisei
        }
    }
}

impl FromStr for Era {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "heisei" | "h" | "平成" => Ok(Era::Heisei),
            "reiwa" | "r" | "令和" => Ok(Era::Reiwa),
            _ => Err(PeriodError(format!(
                "unknown era `{s}`; use heisei or reiwa"
            ))),
        }
    }
}

impl fmt::Display for Era {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.romaji())
    }
}

/// Which half of a fiscal year a period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Part {
    /// 上半期: April to September.
    FirstHalf,
    /// 年度末: the whole year, evaluated at its end in March.
    YearEnd,
}

/// One evaluation period. Periods order by their end date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Period {
    /// The Gregorian year in which the fiscal year starts (FY2014 runs April 2014 to March 2015).
    pub fiscal_year: u16,
    /// The half of the fiscal year.
    pub part: Part,
}

/// A period that could not be parsed or is out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("{0}")]
pub struct PeriodError(String);

const FORMS: &str = "FY2014-H1, FY2014-YE, H26上半期, 平成26年度末, R7年度上半期, 令和元年度末, 2019年度末, 平成28年3月末現在, 平成27年9月末, 令和2年3月31日現在";

impl Period {
    /// A period, checking that the fiscal year is in range.
    pub fn new(fiscal_year: u16, part: Part) -> Result<Period, PeriodError> {
        if !(MIN_FISCAL_YEAR..=MAX_FISCAL_YEAR).contains(&fiscal_year) {
            return Err(PeriodError(format!(
                "fiscal year {fiscal_year} is out of range {MIN_FISCAL_YEAR}..={MAX_FISCAL_YEAR}"
            )));
        }
        Ok(Period { fiscal_year, part })
    }

    /// The canonical id, e.g. `FY2014-H1`.
    pub fn id(&self) -> String {
        self.to_string()
    }

    /// The Japanese label, e.g. `平成26年度上半期`, `令和元年度末`.
    pub fn label(&self) -> String {
        let era = Era::of_fiscal_year(self.fiscal_year);
        let n = self.fiscal_year - era.first_year() + 1;
        let year = if n == 1 {
            "元".to_string()
        } else {
            n.to_string()
        };
        let term = match self.part {
            Part::FirstHalf => "年度上半期",
            Part::YearEnd => "年度末",
        };
        format!("{}{year}{term}", era.kanji())
    }

    /// A short label for narrow columns: `H26上` (平成26年度上半期), `H26末` (平成26年度末), `R1上`; the
    /// canonical id outside the eras.
    pub fn short_label(&self) -> String {
        let era = Era::of_fiscal_year(self.fiscal_year);
        let Some(n) = self
            .fiscal_year
            .checked_sub(era.first_year())
            .and_then(|n| n.checked_add(1))
        else {
            return self.id();
        };
        let e = match era {
            Era::Heisei => "H",
            Era::Reiwa => "R",
        };
        let h = match self.part {
            Part::FirstHalf => "上",
            Part::YearEnd => "末",
        };
        format!("{e}{n}{h}")
    }

    /// The fiscal-year cell of a table file's two-row header (`平成26年度`), and the term cell (`上半期`,
    /// `年度末`).
    pub fn year_and_term(&self) -> (String, &'static str) {
        let label = self.label();
        match self.part {
            Part::FirstHalf => (
                label.strip_suffix("上半期").unwrap_or(&label).to_string(),
                "上半期",
            ),
            Part::YearEnd => (
                label.strip_suffix("末").unwrap_or(&label).to_string(),
                "年度末",
            ),
        }
    }

    /// The last day of the period as (year, month, day).
    pub fn end_date(&self) -> (i32, u8, u8) {
        match self.part {
            Part::FirstHalf => (i32::from(self.fiscal_year), 9, 30),
            Part::YearEnd => (i32::from(self.fiscal_year) + 1, 3, 31),
        }
    }

    /// Parses any accepted form; `default_era` applies to era-less Japanese forms such as `26年度上半期`.
    ///
    /// ```
    /// use hyoka::domain::period::{Era, Period};
    /// let p = Period::parse("H26年度末", None).unwrap();
    /// assert_eq!(p.id(), "FY2014-YE");
    /// assert_eq!(p.label(), "平成26年度末");
    /// assert_eq!(Period::parse("令和元年度上半期", None).unwrap().id(), "FY2019-H1");
    /// assert_eq!(Period::parse("26年度上半期", Some(Era::Heisei)).unwrap().id(), "FY2014-H1");
    /// assert!(Period::parse("26年度上半期", None).is_err()); // no era
    /// ```
    pub fn parse(input: &str, default_era: Option<Era>) -> Result<Period, PeriodError> {
        let s = normalise(input);
        if s.is_empty() {
            return Err(PeriodError(format!(
                "empty period; write it as one of {FORMS}"
            )));
        }
        if let Some(p) = parse_canonical(&s)? {
            return Ok(p);
        }
        parse_japanese(&s, default_era).map_err(|why| {
            PeriodError(format!(
                "cannot read period `{}`: {why}; write it as one of {FORMS}",
                input.trim()
            ))
        })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let half = match self.part {
            Part::FirstHalf => "H1",
            Part::YearEnd => "YE",
        };
        write!(f, "FY{}-{half}", self.fiscal_year)
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    /// Parses without a default era: era-less Japanese forms are refused.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s, None)
    }
}

/// The input in Unicode Normalization Form KC, as every identifier is read (full-width digits and
/// letters become ASCII: `Ｈ２７上` is `H27上`), without white space.
fn normalise(input: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    input.nfkc().filter(|c| !c.is_whitespace()).collect()
}

fn parse_canonical(s: &str) -> Result<Option<Period>, PeriodError> {
    let upper = s.to_ascii_uppercase();
    let Some(rest) = upper.strip_prefix("FY") else {
        return Ok(None);
    };
    let Some((year, half)) = rest.split_once('-') else {
        return Err(PeriodError(format!(
            "cannot read period `{s}`: expected FY<year>-H1 or FY<year>-YE"
        )));
    };
    let half = match half {
        "H1" => Part::FirstHalf,
        "YE" => Part::YearEnd,
        other => {
            return Err(PeriodError(format!(
                "cannot read period `{s}`: unknown half `{other}`; use H1 (上半期) or YE (年度末)"
            )));
        }
    };
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PeriodError(format!(
            "cannot read period `{s}`: the fiscal year must have four digits, as in FY2014-H1"
        )));
    }
    let fy: u16 = year
        .parse()
        .map_err(|_| PeriodError(format!("cannot read period `{s}`")))?;
    Period::new(fy, half).map(Some)
}

fn parse_japanese(s: &str, default_era: Option<Era>) -> Result<Period, String> {
    let (era, rest) = if let Some(r) = s.strip_prefix("平成") {
        (Some(Era::Heisei), r)
    } else if let Some(r) = s.strip_prefix("令和") {
        (Some(Era::Reiwa), r)
    } else if let Some(r) = s.strip_prefix(['H', 'h']) {
        (Some(Era::Heisei), r)
    } else if let Some(r) = s.strip_prefix(['R', 'r']) {
        (Some(Era::Reiwa), r)
    } else {
        (None, s)
    };
    let (n, digits, rest) = if let Some(r) = rest.strip_prefix('元') {
        (1u16, 1, r)
    } else {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let gregorian = era.is_none() && digits == 4;
        if digits == 0 || (digits > 3 && !gregorian) {
            return Err(
                "expected an era year such as 26 or 元, or a year such as 2019".to_string(),
            );
        }
        let (d, r) = rest.split_at(digits);
        (
            d.parse::<u16>().map_err(|_| "bad year".to_string())?,
            digits,
            r,
        )
    };
    if n == 0 {
        return Err("era years start at 1 (元)".to_string());
    }
    // A four-digit year without an era is a Gregorian year (`2019年度末`, `2020年3月末現在`).
    let year = |era: Option<Era>| -> Result<u16, String> {
        if digits == 4 {
            return Ok(n);
        }
        let era = era.or(default_era).ok_or_else(|| {
            "the year has no era; write 平成 or 令和 (H or R) before it, or set the plan's era"
                .to_string()
        })?;
        // An era year past the range ends in the range check (令和181 is FY2199, the last).
        Ok(era.first_year().saturating_add(n - 1))
    };
    if let Some(date) = rest.strip_prefix('年')
        && date.starts_with(|c: char| c.is_ascii_digit())
    {
        return parse_date(year(era)?, date);
    }
    let rest = rest.strip_prefix("年度").unwrap_or(rest);
    let half = match rest {
        // `上` and `末` are the abbreviations the narrow table prints (`H26上`, `H26末`).
        "上半期" | "上期" | "上" => Part::FirstHalf,
        "年度末" | "末" => Part::YearEnd,
        "" => return Err("the half is missing (上半期 or 年度末)".to_string()),
        other => return Err(format!("unknown half `{other}` (use 上半期 or 年度末)")),
    };
    Period::new(year(era)?, half).map_err(|e| e.0)
}

/// The point a date names, as cities write their reporting points: `3月末現在`, `9月末`, `3月31日現在`,
/// `9月30日時点` after the calendar year. The end of September is the first half of the fiscal year that
/// starts that April; the end of March is the end of the fiscal year that started the April before.
fn parse_date(calendar_year: u16, date: &str) -> Result<Period, String> {
    let date = date
        .strip_suffix("現在")
        .or_else(|| date.strip_suffix("時点"))
        .unwrap_or(date);
    let digits = date.bytes().take_while(u8::is_ascii_digit).count();
    let (m, rest) = date.split_at(digits);
    let month: u8 = m.parse().map_err(|_| "expected a month".to_string())?;
    let Some(day) = rest.strip_prefix('月') else {
        return Err(format!("expected 月 after the month, found `{rest}`"));
    };
    let last = match month {
        9 => 30,
        3 => 31,
        1..=12 => {
            return Err(format!(
                "{month}月 is not a reporting point of a half-year plan: its points are the end of September (上半期) and the end of March (年度末)"
            ));
        }
        _ => return Err(format!("there is no month {month}")),
    };
    match day {
        "末" | "" => {}
        d => {
            let n: u8 = d
                .strip_suffix('日')
                .and_then(|d| d.parse().ok())
                .ok_or_else(|| {
                    format!("cannot read the day `{d}`; write 末 or the last day, e.g. {last}日")
                })?;
            if n != last {
                return Err(format!(
                    "{month}月{n}日 is not the end of a reporting period: write {month}月末 or {month}月{last}日"
                ));
            }
        }
    }
    match month {
        9 => Period::new(calendar_year, Part::FirstHalf).map_err(|e| e.0),
        _ => Period::new(calendar_year.saturating_sub(1), Part::YearEnd).map_err(|e| e.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        Period::parse(s, None)
            .map(|p| p.id())
            .unwrap_or_else(|e| e.0)
    }

    #[test]
    fn accepts_every_documented_form() {
        let cases = [
            ("FY2014-H1", "FY2014-H1"),
            ("fy2014-ye", "FY2014-YE"),
            ("H26上半期", "FY2014-H1"),
            ("H26年度末", "FY2014-YE"),
            ("平成26年度上半期", "FY2014-H1"),
            ("R7年度末", "FY2025-YE"),
            ("令和7年度上半期", "FY2025-H1"),
            ("令和元年度末", "FY2019-YE"),
            ("R1上半期", "FY2019-H1"),
            ("H31上半期", "FY2019-H1"),
            ("平成32年度末", "FY2020-YE"),
            ("平成２６年度上半期", "FY2014-H1"),
            ("26年度年度末", "err"),
            // Gregorian fiscal years, and the dates cities write their points as.
            ("2019年度末", "FY2019-YE"),
            ("2019年度上半期", "FY2019-H1"),
            ("平成28年3月末現在", "FY2015-YE"),
            ("平成27年9月末", "FY2015-H1"),
            ("平成29年9月末", "FY2017-H1"),
            ("令和2年3月31日現在", "FY2019-YE"),
            ("令和元年9月30日時点", "FY2019-H1"),
            ("H31年3月末", "FY2018-YE"),
            ("２０２０年３月末現在", "FY2019-YE"),
            // The abbreviations the narrow table prints, and NFKC forms.
            ("H26上", "FY2014-H1"),
            ("Ｈ２７上", "FY2015-H1"),
            ("R1末", "FY2019-YE"),
            ("ｆｙ２０１４－ｙｅ", "FY2014-YE"),
            ("平成 28 年 3 月末 現在", "FY2015-YE"),
        ];
        for (input, want) in cases {
            let got = p(input);
            if want == "err" {
                assert!(got.contains("no era"), "{input}: {got}");
            } else {
                assert_eq!(got, want, "{input}");
            }
        }
    }

    #[test]
    fn dates_that_are_not_a_half_year_point_are_refused_saying_why() {
        for (bad, why) in [
            (
                "平成18年12月末",
                "not a reporting point of a half-year plan",
            ),
            (
                "令和2年3月15日現在",
                "not the end of a reporting period: write 3月末 or 3月31日",
            ),
            ("平成27年9月31日", "not the end of a reporting period"),
            ("平成27年13月末", "there is no month 13"),
            ("平成27年9", "expected 月"),
            ("27年3月末", "no era"),
            ("平成27年9月末日現在", "cannot read the day"),
        ] {
            let err = Period::parse(bad, None).unwrap_err().0;
            assert!(err.contains(why), "{bad}: {err}");
            assert!(
                err.contains("平成28年3月末現在"),
                "the forms are listed: {err}"
            );
        }
        // The default era applies to dates too.
        assert_eq!(
            Period::parse("28年3月末現在", Some(Era::Heisei))
                .unwrap()
                .id(),
            "FY2015-YE"
        );
    }

    #[test]
    fn era_less_forms_use_the_default_era() {
        let h = Some(Era::Heisei);
        assert_eq!(Period::parse("26年度上半期", h).unwrap().id(), "FY2014-H1");
        assert_eq!(Period::parse("26年度年度末", h).unwrap().id(), "FY2014-YE");
        assert_eq!(
            Period::parse("7年度末", Some(Era::Reiwa)).unwrap().id(),
            "FY2025-YE"
        );
    }

    #[test]
    fn labels_are_japanese_and_round_trip() {
        let cases = [
            ("FY2014-H1", "平成26年度上半期"),
            ("FY2014-YE", "平成26年度末"),
            ("FY2019-YE", "令和元年度末"),
            ("FY2018-YE", "平成30年度末"),
            ("FY2025-H1", "令和7年度上半期"),
        ];
        for (id, label) in cases {
            let period: Period = id.parse().unwrap();
            assert_eq!(period.label(), label);
            assert_eq!(Period::parse(label, None).unwrap(), period);
            assert_eq!(period.id().parse::<Period>().unwrap(), period);
        }
    }

    #[test]
    fn periods_sort_by_end_date() {
        let mut v: Vec<Period> = ["FY2015-H1", "FY2014-YE", "FY2014-H1", "FY2015-YE"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        v.sort();
        let ids: Vec<String> = v.iter().map(Period::id).collect();
        assert_eq!(ids, ["FY2014-H1", "FY2014-YE", "FY2015-H1", "FY2015-YE"]);
        assert_eq!(v[1].end_date(), (2015, 3, 31));
        assert_eq!(v[0].end_date(), (2014, 9, 30));
    }

    #[test]
    fn refuses_nonsense_with_the_valid_forms() {
        for bad in [
            "",
            "FY14-H1",
            "FY2014-H3",
            "H0上半期",
            "H26",
            "H26下半期",
            "FY1900-H1",
            "x",
        ] {
            let err = Period::parse(bad, Some(Era::Heisei)).unwrap_err().0;
            assert!(!err.is_empty(), "{bad}");
        }
        assert!(
            Period::parse("H26下半期", None)
                .unwrap_err()
                .0
                .contains("FY2014-H1")
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,12}") {
            let _ = Period::parse(&s, Some(Era::Reiwa));
        }

        #[test]
        fn canonical_and_label_round_trip(fy in MIN_FISCAL_YEAR..=2100u16, h in proptest::bool::ANY) {
            let period = Period::new(fy, if h { Part::YearEnd } else { Part::FirstHalf }).unwrap();
            proptest::prop_assert_eq!(Period::parse(&period.id(), None).unwrap(), period);
            proptest::prop_assert_eq!(Period::parse(&period.label(), None).unwrap(), period);
        }
    }
}
