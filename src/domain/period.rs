//! Evaluation periods of the Japanese fiscal year (April to March).
//!
//! A period is a reporting point of a fiscal year: the end of its first quarter (第1四半期, 30 June), of
//! its first half (上半期, 30 September), of its third quarter (第3四半期, 31 December) or of the year
//! (年度末, 31 March of the next calendar year); or the one point of a whole multi-year plan (計画期間,
//! e.g. 平成18-22年度, at the end of its last year). The canonical id is `FY2014-Q1`, `FY2014-H1`,
//! `FY2014-Q3`, `FY2014-YE`, or `FY2006-2010` for a whole plan (`FY2014-Q2` and `FY2014-Q4` are read as
//! `-H1` and `-YE`). Japanese forms with or without an era (`平成26年度上半期`, `H26年度末`, `令和元年度末`,
//! `R1上半期`, `26年度上半期`, `平成26年度第1四半期`, `H26Q3`, `平成18-22年度`, `平成30年度-令和4年度`,
//! `H18-22`), with a Gregorian fiscal year (`2019年度末`, `2006-2010年度`), and the dates cities write
//! their points as (`平成28年3月末現在` is 平成27年度末, `平成29年9月末` is 平成29年度上半期,
//! `平成18年6月30日現在` is 平成18年度第1四半期, `平成18年12月末` is 平成18年度第3四半期, `令和2年3月31日現在`
//! is 令和元年度末) are accepted on input, and labels are shown in Japanese.
//!
//! A year alone (`令和元年度`, `R1年度`, `2019年度`) names a point only in a plan that reports at 年度末
//! only, so [`Period::parse`] refuses it and [`Period::parse_for`] reads it for such a plan. A plan's
//! [`Cadence`] says which points it reports at; [`Cadence::check`] refuses any other, and any outside the
//! plan's years ([`parse_years`]).

use std::cmp::Ordering;
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

    /// The letter short labels write the era as (`H`, `R`).
    fn letter(self) -> &'static str {
        match self {
            Era::Heisei => "H",
            Era::Reiwa => "R",
        }
    }
}

impl FromStr for Era {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "heisei" | "h" | "平成" => Ok(Era::Heisei),
            "reiwa" | "r" | "令和" => Ok(Era::Reiwa),
            _ => Err(PeriodError::UnknownEra(s.to_string())),
        }
    }
}

impl fmt::Display for Era {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.romaji())
    }
}

/// Which point of a fiscal year a period is.
///
/// The order of the variants is part of the stored event bytes (bincode writes a variant as its index):
/// `FirstHalf` is 0 and `YearEnd` 1, as before quarters and whole plans were added; new variants go last.
/// Parts order by their end date ([`Ord`] is written out, not derived): `FirstQuarter` < `FirstHalf` <
/// `ThirdQuarter` < `YearEnd` < `WholePlan` (a whole plan ends with its last year, after that year's
/// 年度末; two whole plans ending the same year order by their first year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Part {
    /// 上半期: April to September.
    FirstHalf,
    /// 年度末: the whole year, evaluated at its end in March.
    YearEnd,
    /// 第1四半期: April to June.
    FirstQuarter,
    /// 第3四半期: April to December.
    ThirdQuarter,
    /// 計画期間: one result for a whole multi-year plan, from the April of `first_year` to the end of the
    /// period's fiscal year (its last year).
    WholePlan {
        /// The plan's first fiscal year.
        first_year: u16,
    },
}

impl Part {
    /// Whether this is 上半期 or 年度末, the only parts event schema version 1 can hold.
    pub fn is_half_year(&self) -> bool {
        matches!(self, Part::FirstHalf | Part::YearEnd)
    }

    /// The sort key: the rank of the end date within the fiscal year, then a whole plan's first year.
    fn rank(&self) -> (u8, u16) {
        match *self {
            Part::FirstQuarter => (0, 0),
            Part::FirstHalf => (1, 0),
            Part::ThirdQuarter => (2, 0),
            Part::YearEnd => (3, 0),
            Part::WholePlan { first_year } => (4, first_year),
        }
    }
}

impl Ord for Part {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank().cmp(&other.rank())
    }
}

impl PartialOrd for Part {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// One evaluation period. Periods order by their end date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Period {
    /// The Gregorian year in which the fiscal year starts (FY2014 runs April 2014 to March 2015); for a
    /// whole plan, its last year.
    pub fiscal_year: u16,
    /// The point of the fiscal year.
    pub part: Part,
}

/// A period that could not be parsed or is out of range, or is not a point of the plan: typed, with
/// `Display` the library's English (the front ends word each variant).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PeriodError {
    /// An era other than 平成 and 令和.
    #[error("unknown era `{0}`; use heisei or reiwa")]
    UnknownEra(String),
    /// A year alone in a whole-plan plan.
    #[error(
        "cannot read period `{input}`: this plan reports once for its whole period (計画期間); write its years, as in {years}"
    )]
    WholePlanNeedsItsYears {
        /// The input.
        input: String,
        /// The plan's years, as written.
        years: String,
    },
    /// The plan's own years are not valid.
    #[error("the plan's years are not valid: {0}")]
    PlanYears(Box<PeriodError>),
    /// A point of a part the plan does not report at.
    #[error(
        "{label} is not a reporting point of this plan, which reports at {}; write one of those points",
        .cadence.points()
    )]
    NotAPointOf {
        /// The point's label.
        label: String,
        /// The plan's cadence.
        cadence: Cadence,
    },
    /// A whole-plan plan without years.
    #[error(
        "{label} cannot be checked: a plan that reports once for its whole period (計画期間) needs its years declared, as in 平成18-22年度"
    )]
    WholePlanWithoutYears {
        /// The point's label.
        label: String,
    },
    /// Another whole plan than the plan's.
    #[error(
        "{label} is not a reporting point of this plan, which reports once, for its years {years}; write {years}"
    )]
    NotTheWholePlan {
        /// The point's label.
        label: String,
        /// The plan's years.
        years: String,
    },
    /// A point outside the plan's years.
    #[error("{label} is outside the plan's years {years}; write a point within them")]
    OutsideYears {
        /// The point's label.
        label: String,
        /// The plan's years.
        years: String,
    },
    /// An unknown cadence.
    #[error("unknown reporting cadence `{0}`; use {CADENCE_FORMS}")]
    UnknownCadence(String),
    /// A plan's years that cannot be read.
    #[error("cannot read the plan's years `{input}`: {why}; write them as {YEARS_FORMS}")]
    Years {
        /// The input.
        input: String,
        /// Why.
        why: Why,
    },
    /// A fiscal year out of range.
    #[error("fiscal year {0} is out of range {MIN_FISCAL_YEAR}..={MAX_FISCAL_YEAR}")]
    YearOutOfRange(u16),
    /// A plan's first year after its last.
    #[error(
        "the plan's first year {first} comes after its last year {last}; write the earlier year first, as in 平成18-22年度 or FY2006-2010"
    )]
    YearsReversed {
        /// The first year's label.
        first: String,
        /// The last year's label.
        last: String,
    },
    /// Nothing given.
    #[error("empty period; write it as one of {FORMS}")]
    Empty,
    /// A period that cannot be read.
    #[error("cannot read period `{input}`: {why}; write it as one of {FORMS}")]
    Unreadable {
        /// The input.
        input: String,
        /// Why.
        why: Why,
    },
    /// A year alone where it names no point.
    #[error(
        "cannot read period `{input}`: a year alone ({year}) names a point only in a year-end-only plan (年度末のみ); write {year}末 or {year}上半期"
    )]
    YearAlone {
        /// The input.
        input: String,
        /// The year's label.
        year: String,
    },
    /// `FY` without four digits.
    #[error("cannot read period `{0}`: the fiscal year must have four digits, as in FY2014-H1")]
    FourDigits(String),
    /// `FY2014-X`.
    #[error(
        "cannot read period `{input}`: unknown part `{part}`; use Q1 (第1四半期), H1 (上半期), Q3 (第3四半期), YE (年度末), or for a whole plan its last year, as in FY2006-2010"
    )]
    UnknownPart {
        /// The input.
        input: String,
        /// The part.
        part: String,
    },
    /// `FY2010-2006` and the like.
    #[error("cannot read period `{input}`: {why}")]
    Canonical {
        /// The input.
        input: String,
        /// Why.
        why: Box<PeriodError>,
    },
}

/// Why a period or a plan's years written in Japanese cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Why {
    /// No year where one is expected.
    #[error("expected an era year such as 26 or 元, or a year such as 2019")]
    YearExpected,
    /// A year that is not a number.
    #[error("bad year")]
    BadYear,
    /// 平成0年.
    #[error("era years start at 1 (元)")]
    EraYearZero,
    /// No era and no default.
    #[error("the year has no era; write 平成 or 令和 (H or R) before it, or set the plan's era")]
    NoEra,
    /// One side of a range of years missing.
    #[error(
        "the plan's {} year is missing; a plan's years are written as 平成18-22年度 or 平成30年度-令和4年度",
        if *.last { "last" } else { "first" }
    )]
    YearMissing {
        /// The last (else the first).
        last: bool,
    },
    /// One side of a range of years unreadable.
    #[error("the plan's {} year `{input}`: {why}", if *.last { "last" } else { "first" })]
    PlanYear {
        /// The last (else the first).
        last: bool,
        /// That side.
        input: String,
        /// Why.
        why: Box<Why>,
    },
    /// One side of a range of years followed by something else.
    #[error(
        "cannot read the plan's {} year `{input}`; a plan's years are written as 平成18-22年度 or 平成30年度-令和4年度",
        if *.last { "last" } else { "first" }
    )]
    PlanYearUnreadable {
        /// The last (else the first).
        last: bool,
        /// That side.
        input: String,
    },
    /// `2006-10年度`.
    #[error("write the last year in full too, as in {first}-{last}年度")]
    LastInFull {
        /// The first year.
        first: u16,
        /// An example last year.
        last: u16,
    },
    /// A year or range out of range.
    #[error("{0}")]
    Period(Box<PeriodError>),
    /// An unknown term.
    #[error("unknown term `{0}` (use 上半期, 年度末, 第1四半期 or 第3四半期)")]
    UnknownTerm(String),
    /// `第5四半期`.
    #[error("there is no quarter `{0}`: the quarters are 第1四半期 to 第4四半期 (Q1 to Q4)")]
    NoQuarter(String),
    /// 平成32年, 令和元年3月.
    #[error(
        "{era_year}年{month}月 never existed: {}; write {instead}",
        match .era {
            Era::Heisei => "平成 ended on 30 April 2019 (平成31年4月30日)",
            Era::Reiwa => "令和 began on 1 May 2019 (令和元年5月1日)",
        }
    )]
    NeverExisted {
        /// The era.
        era: Era,
        /// The era year as written (`平成32`).
        era_year: String,
        /// The month.
        month: u8,
        /// What to write instead (`令和2年5月`).
        instead: String,
    },
    /// No month.
    #[error("expected a month")]
    MonthExpected,
    /// No 月 after the month.
    #[error("expected 月 after the month, found `{0}`")]
    TsukiExpected(String),
    /// A month that ends no reporting period.
    #[error(
        "{0}月 is not a reporting point: a reporting point is the end of June (第1四半期), September (上半期), December (第3四半期) or March (年度末)"
    )]
    NotReportingMonth(u8),
    /// Month 13.
    #[error("there is no month {0}")]
    NoMonth(u8),
    /// A day that cannot be read.
    #[error("cannot read the day `{day}`; write 末 or the last day, e.g. {last}日")]
    BadDay {
        /// The day as written.
        day: String,
        /// The month's last day.
        last: u8,
    },
    /// A day that is not the month's last.
    #[error(
        "{month}月{day}日 is not the end of a reporting period: write {month}月末 or {month}月{last}日"
    )]
    NotEndDay {
        /// The month.
        month: u8,
        /// The day.
        day: u8,
        /// The month's last day.
        last: u8,
    },
    /// Nothing given for the plan's years.
    #[error("they are empty")]
    YearsEmpty,
    /// Something after a year of the plan's years.
    #[error(
        "`{0}` after the year is not part of a year (a plan's years name no half, quarter or date)"
    )]
    AfterYear(String),
}

impl From<PeriodError> for Why {
    fn from(e: PeriodError) -> Why {
        Why::Period(Box::new(e))
    }
}

const FORMS: &str = "FY2014-H1, FY2014-YE, FY2014-Q1, FY2014-Q3, FY2006-2010, H26上半期, 平成26年度末, R7年度上半期, 令和元年度末, 2019年度末, 平成26年度第1四半期, H26Q3, 平成18-22年度, 平成30年度-令和4年度, 2006-2010年度, 平成28年3月末現在, 平成27年9月末, 平成26年6月末, 平成26年12月31日現在, 令和2年3月31日現在";

const YEARS_FORMS: &str = "2019-2022, 2019年度-2022年度, 令和元-4年度, 令和元年度-令和4年度, R1-R4, 平成30年度-令和4年度, or one year as 2019";

impl Period {
    /// A period, checking it ([`Period::check`]).
    pub fn new(fiscal_year: u16, part: Part) -> Result<Period, PeriodError> {
        let p = Period { fiscal_year, part };
        p.check()?;
        Ok(p)
    }

    /// Checks that the fiscal year is in range and, for a whole plan, that its first year is in range
    /// and not after its last.
    pub fn check(&self) -> Result<(), PeriodError> {
        check_fiscal_year(self.fiscal_year)?;
        if let Part::WholePlan { first_year } = self.part {
            check_years(first_year, self.fiscal_year)?;
        }
        Ok(())
    }

    /// The canonical id, e.g. `FY2014-H1`, `FY2006-2010`.
    pub fn id(&self) -> String {
        self.to_string()
    }

    /// The Japanese label, e.g. `平成26年度上半期`, `令和元年度末`, `平成18年度第1四半期`, `平成18-22年度`,
    /// `平成30年度-令和4年度`.
    pub fn label(&self) -> String {
        let (year, term) = self.year_and_term();
        match self.part {
            Part::WholePlan { .. } => year,
            // `平成26年度` + `末`, not `年度末`.
            Part::YearEnd => format!("{year}末"),
            _ => format!("{year}{term}"),
        }
    }

    /// A short label for narrow columns: `H26Q1`, `H26上` (平成26年度上半期), `H26Q3`, `H26末` (平成26年度末),
    /// `R1上`, `H18-22` (平成18-22年度), `H30-R4`; the canonical id outside the eras.
    pub fn short_label(&self) -> String {
        let (Some((era, n)), first) = (
            era_year(self.fiscal_year),
            match self.part {
                Part::WholePlan { first_year } => era_year(first_year),
                _ => None,
            },
        ) else {
            return self.id();
        };
        let e = era.letter();
        match self.part {
            Part::FirstQuarter => format!("{e}{n}Q1"),
            Part::FirstHalf => format!("{e}{n}上"),
            Part::ThirdQuarter => format!("{e}{n}Q3"),
            Part::YearEnd => format!("{e}{n}末"),
            Part::WholePlan { .. } => match first {
                Some((first_era, m)) if first_era == era => format!("{e}{m}-{n}"),
                Some((first_era, m)) => format!("{}{m}-{e}{n}", first_era.letter()),
                None => self.id(),
            },
        }
    }

    /// The fiscal-year cell of a table file's two-row header (`平成26年度`, or the plan's years
    /// `平成18-22年度`), and the term cell (`第1四半期`, `上半期`, `第3四半期`, `年度末`, `計画期間`).
    pub fn year_and_term(&self) -> (String, &'static str) {
        let year = year_label(self.fiscal_year);
        match self.part {
            Part::FirstQuarter => (year, "第1四半期"),
            Part::FirstHalf => (year, "上半期"),
            Part::ThirdQuarter => (year, "第3四半期"),
            Part::YearEnd => (year, "年度末"),
            Part::WholePlan { first_year } => {
                (plan_label(first_year, self.fiscal_year), "計画期間")
            }
        }
    }

    /// The last day of the period as (year, month, day); a whole plan ends with its last year.
    pub fn end_date(&self) -> (i32, u8, u8) {
        let fy = i32::from(self.fiscal_year);
        match self.part {
            Part::FirstQuarter => (fy, 6, 30),
            Part::FirstHalf => (fy, 9, 30),
            Part::ThirdQuarter => (fy, 12, 31),
            Part::YearEnd | Part::WholePlan { .. } => (fy + 1, 3, 31),
        }
    }

    /// Parses any accepted form; `default_era` applies to era-less Japanese forms such as `26年度上半期`.
    /// A year alone (`令和元年度`) is refused: it names a point only in a plan that reports at 年度末 only
    /// ([`Period::parse_for`] reads it for such a plan).
    ///
    /// ```
    /// use hyoka::domain::period::{Era, Period};
    /// let p = Period::parse("H26年度末", None).unwrap();
    /// assert_eq!(p.id(), "FY2014-YE");
    /// assert_eq!(p.label(), "平成26年度末");
    /// assert_eq!(Period::parse("令和元年度上半期", None).unwrap().id(), "FY2019-H1");
    /// assert_eq!(Period::parse("26年度上半期", Some(Era::Heisei)).unwrap().id(), "FY2014-H1");
    /// assert_eq!(Period::parse("平成18年12月末", None).unwrap().id(), "FY2006-Q3");
    /// assert_eq!(Period::parse("平成18-22年度", None).unwrap().id(), "FY2006-2010");
    /// assert!(Period::parse("26年度上半期", None).is_err()); // no era
    /// assert!(Period::parse("令和元年度", None).is_err()); // a year alone
    /// ```
    pub fn parse(input: &str, default_era: Option<Era>) -> Result<Period, PeriodError> {
        match read(input, default_era)? {
            Reading::Point(p) => Ok(p),
            Reading::YearAlone(fy) => Err(year_alone(input, fy)),
        }
    }

    /// Parses a point of a plan of the given cadence and years: as [`Period::parse`], except that a
    /// year alone (`令和元年度`, `R1年度`, `2019年度`) is that year's 年度末 in a plan that reports at
    /// 年度末 only; then checks the point against the plan ([`Cadence::check`]).
    ///
    /// ```
    /// use hyoka::domain::period::{Cadence, Period};
    /// let p = Period::parse_for("令和元年度", None, Cadence::YearEnd, None).unwrap();
    /// assert_eq!(p.id(), "FY2019-YE");
    /// assert!(Period::parse_for("令和5年度末", None, Cadence::YearEnd, Some((2019, 2022))).is_err());
    /// assert!(Period::parse_for("H18Q3", None, Cadence::HalfYear, None).is_err());
    /// ```
    pub fn parse_for(
        input: &str,
        default_era: Option<Era>,
        cadence: Cadence,
        years: Option<(u16, u16)>,
    ) -> Result<Period, PeriodError> {
        let p = match read(input, default_era)? {
            Reading::Point(p) => p,
            Reading::YearAlone(fy) => match cadence {
                Cadence::YearEnd => Period::new(fy, Part::YearEnd)?,
                Cadence::WholePlan => {
                    return Err(PeriodError::WholePlanNeedsItsYears {
                        input: input.trim().to_string(),
                        years: years
                            .map_or_else(|| "平成18-22年度".to_string(), |(f, l)| plan_label(f, l)),
                    });
                }
                Cadence::HalfYear | Cadence::Quarterly => return Err(year_alone(input, fy)),
            },
        };
        cadence.check(p, years)?;
        Ok(p)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fy = self.fiscal_year;
        match self.part {
            Part::FirstQuarter => write!(f, "FY{fy}-Q1"),
            Part::FirstHalf => write!(f, "FY{fy}-H1"),
            Part::ThirdQuarter => write!(f, "FY{fy}-Q3"),
            Part::YearEnd => write!(f, "FY{fy}-YE"),
            Part::WholePlan { first_year } => write!(f, "FY{first_year}-{fy}"),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    /// Parses without a default era: era-less Japanese forms are refused.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s, None)
    }
}

/// Which points of the year a plan reports at. The order of the variants is its tag in stored bytes;
/// new variants go last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Cadence {
    /// 上半期・年度末: the first half and the year end of each fiscal year.
    #[default]
    HalfYear,
    /// 年度末: the year end of each fiscal year only.
    YearEnd,
    /// 四半期: the end of each quarter (第1四半期, 上半期, 第3四半期, 年度末).
    Quarterly,
    /// 計画期間: one point for the whole plan, at the end of its last year.
    WholePlan,
}

const CADENCE_FORMS: &str = "half-year (上半期・年度末), year-end (年度末のみ), quarterly (四半期) or whole-plan (計画期間)";

impl Cadence {
    /// Every cadence, in declaration order.
    pub const ALL: [Cadence; 4] = [
        Cadence::HalfYear,
        Cadence::YearEnd,
        Cadence::Quarterly,
        Cadence::WholePlan,
    ];

    /// The id used on the command line and in JSON: `half-year`, `year-end`, `quarterly`, `whole-plan`.
    pub fn id(&self) -> &'static str {
        match self {
            Cadence::HalfYear => "half-year",
            Cadence::YearEnd => "year-end",
            Cadence::Quarterly => "quarterly",
            Cadence::WholePlan => "whole-plan",
        }
    }

    /// The Japanese label: `上半期・年度末`, `年度末`, `四半期`, `計画期間`.
    pub fn label(&self) -> &'static str {
        match self {
            Cadence::HalfYear => "上半期・年度末",
            Cadence::YearEnd => "年度末",
            Cadence::Quarterly => "四半期",
            Cadence::WholePlan => "計画期間",
        }
    }

    /// The parts of a fiscal year this cadence reports at, in order (none for a whole plan: its one
    /// point is its years).
    fn parts(&self) -> &'static [Part] {
        match self {
            Cadence::HalfYear => &[Part::FirstHalf, Part::YearEnd],
            Cadence::YearEnd => &[Part::YearEnd],
            Cadence::Quarterly => &[
                Part::FirstQuarter,
                Part::FirstHalf,
                Part::ThirdQuarter,
                Part::YearEnd,
            ],
            Cadence::WholePlan => &[],
        }
    }

    /// Whether a plan of this cadence reports at this part of a year (for a whole plan, at some
    /// whole-plan point; [`Cadence::check`] also checks its years).
    pub fn accepts(&self, part: Part) -> bool {
        match self {
            Cadence::WholePlan => matches!(part, Part::WholePlan { .. }),
            _ => self.parts().contains(&part),
        }
    }

    /// The points this cadence reports at, as error messages say them.
    fn points(&self) -> &'static str {
        match self {
            Cadence::HalfYear => "上半期 and 年度末",
            Cadence::YearEnd => "年度末 only",
            Cadence::Quarterly => {
                "the end of each quarter (第1四半期, 上半期, 第3四半期 and 年度末)"
            }
            Cadence::WholePlan => "the end of its whole period only (計画期間)",
        }
    }

    /// Checks that a period is a point of a plan of this cadence: a valid period ([`Period::check`]),
    /// of a part the cadence reports at, and within the plan's years if they are declared. A whole plan
    /// needs its years, and its one point is exactly those years.
    pub fn check(&self, p: Period, years: Option<(u16, u16)>) -> Result<(), PeriodError> {
        p.check()?;
        if let Some((first, last)) = years {
            check_years(first, last).map_err(|e| PeriodError::PlanYears(Box::new(e)))?;
        }
        if !self.accepts(p.part) {
            return Err(PeriodError::NotAPointOf {
                label: p.label(),
                cadence: *self,
            });
        }
        match (self, years) {
            (Cadence::WholePlan, None) => {
                Err(PeriodError::WholePlanWithoutYears { label: p.label() })
            }
            (Cadence::WholePlan, Some((first, last))) => {
                if p == (Period {
                    fiscal_year: last,
                    part: Part::WholePlan { first_year: first },
                }) {
                    Ok(())
                } else {
                    Err(PeriodError::NotTheWholePlan {
                        label: p.label(),
                        years: plan_label(first, last),
                    })
                }
            }
            (_, Some((first, last))) if !(first..=last).contains(&p.fiscal_year) => {
                Err(PeriodError::OutsideYears {
                    label: p.label(),
                    years: years_label(first, last),
                })
            }
            _ => Ok(()),
        }
    }

    /// The next point of this cadence after `p` (which need not be one of its points): 上半期 → 年度末 →
    /// the next year's 上半期 for a half-year plan, 年度末 → the next 年度末 for a year-end plan, 第1四半期
    /// → 上半期 → 第3四半期 → 年度末 → the next 第1四半期 for a quarterly plan. `None` for a whole plan
    /// (it has one point), and past the last fiscal year.
    pub fn next_after(&self, p: Period) -> Option<Period> {
        let next_year = p.fiscal_year.checked_add(1)?;
        [p.fiscal_year, next_year]
            .into_iter()
            .flat_map(|fy| {
                self.parts().iter().map(move |&part| Period {
                    fiscal_year: fy,
                    part,
                })
            })
            .find(|q| *q > p && q.check().is_ok())
    }

    /// The first point of this cadence in a plan's years (for a whole plan, its one point); `None` if
    /// the years are not valid.
    pub fn first_point(&self, years: (u16, u16)) -> Option<Period> {
        let (first, last) = years;
        check_years(first, last).ok()?;
        let p = match self {
            Cadence::WholePlan => Period {
                fiscal_year: last,
                part: Part::WholePlan { first_year: first },
            },
            _ => Period {
                fiscal_year: first,
                part: *self.parts().first()?,
            },
        };
        Some(p)
    }
}

impl FromStr for Cadence {
    type Err = PeriodError;

    /// Reads `half-year`/`半期`/`上半期・年度末`, `year-end`/`年度末`/`年度末のみ`, `quarterly`/`四半期`,
    /// `whole-plan`/`計画期間` (NFKC, any case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match normalise(s).to_lowercase().as_str() {
            "half-year" | "半期" | "上半期・年度末" => Ok(Cadence::HalfYear),
            "year-end" | "年度末" | "年度末のみ" => Ok(Cadence::YearEnd),
            "quarterly" | "四半期" => Ok(Cadence::Quarterly),
            "whole-plan" | "計画期間" => Ok(Cadence::WholePlan),
            _ => Err(PeriodError::UnknownCadence(s.trim().to_string())),
        }
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A plan's fiscal years, first and last: `2019-2022`, `2019年度-2022年度`, `令和元-4年度`,
/// `令和元年度-令和4年度`, `R1-R4`, `平成30年度-令和4年度`, `FY2019-2022`, or one year (`2019`, `令和元年度`)
/// as (2019, 2019). `default_era` applies to era-less years as in [`Period::parse`]. Both years are in
/// range and the first is not after the last.
///
/// ```
/// use hyoka::domain::period::parse_years;
/// assert_eq!(parse_years("令和元-4年度", None), Ok((2019, 2022)));
/// assert_eq!(parse_years("平成30年度-令和4年度", None), Ok((2018, 2022)));
/// assert_eq!(parse_years("2019", None), Ok((2019, 2019)));
/// ```
pub fn parse_years(input: &str, default_era: Option<Era>) -> Result<(u16, u16), PeriodError> {
    let s = normalise(input);
    let fail = |why: Why| PeriodError::Years {
        input: input.trim().to_string(),
        why,
    };
    if s.is_empty() {
        return Err(fail(Why::YearsEmpty));
    }
    if let Some((left, right)) = split_range(&s) {
        return parse_range(strip_fy(left), strip_fy(right), default_era).map_err(fail);
    }
    let lead = Lead::read(strip_fy(&s)).map_err(fail)?;
    if !matches!(lead.rest, "" | "年度") {
        return Err(fail(Why::AfterYear(lead.rest.to_string())));
    }
    let fy = lead.year(default_era).map_err(fail)?;
    check_fiscal_year(fy).map_err(|e| fail(e.into()))?;
    Ok((fy, fy))
}

/// A plan's years in Japanese, each with its era: `令和元年度-令和4年度`, `平成30年度-令和4年度`; one year
/// alone (`令和元年度`) when the first is the last.
pub fn years_label(first: u16, last: u16) -> String {
    if first == last {
        year_label(first)
    } else {
        format!("{}-{}", year_label(first), year_label(last))
    }
}

/// The input without a leading `FY` (any case), as a plan's years may be written (`FY2019-FY2022`).
fn strip_fy(s: &str) -> &str {
    match (s.get(..2), s.get(2..)) {
        (Some(fy), Some(rest)) if fy.eq_ignore_ascii_case("FY") => rest,
        _ => s,
    }
}

fn check_fiscal_year(fy: u16) -> Result<(), PeriodError> {
    if !(MIN_FISCAL_YEAR..=MAX_FISCAL_YEAR).contains(&fy) {
        return Err(PeriodError::YearOutOfRange(fy));
    }
    Ok(())
}

/// Checks a plan's years: both in range, the first not after the last.
fn check_years(first: u16, last: u16) -> Result<(), PeriodError> {
    check_fiscal_year(first)?;
    check_fiscal_year(last)?;
    if first > last {
        return Err(PeriodError::YearsReversed {
            first: year_label(first),
            last: year_label(last),
        });
    }
    Ok(())
}

/// The era a fiscal year is written in and its year in that era; `None` before 平成.
fn era_year(fy: u16) -> Option<(Era, u16)> {
    let era = Era::of_fiscal_year(fy);
    let n = fy.checked_sub(era.first_year())?.checked_add(1)?;
    Some((era, n))
}

/// An era year as written: `元` for 1.
fn era_number(n: u16) -> String {
    if n == 1 {
        "元".to_string()
    } else {
        n.to_string()
    }
}

/// A fiscal year in Japanese: `平成26年度`, `令和元年度`; `1980年度` before 平成.
fn year_label(fy: u16) -> String {
    match era_year(fy) {
        Some((era, n)) => format!("{}{}年度", era.kanji(), era_number(n)),
        None => format!("{fy}年度"),
    }
}

/// A whole plan's years as its label writes them: `平成18-22年度` in one era, `平成30年度-令和4年度`
/// across eras.
fn plan_label(first: u16, last: u16) -> String {
    match (era_year(first), era_year(last)) {
        (Some((a, m)), Some((b, n))) if a == b => {
            format!("{}{}-{}年度", a.kanji(), era_number(m), era_number(n))
        }
        (Some(_), Some(_)) => format!("{}-{}", year_label(first), year_label(last)),
        _ => format!("{first}-{last}年度"),
    }
}

/// What an input names: a point, or a year alone (which only a year-end-only plan reads as a point).
enum Reading {
    Point(Period),
    YearAlone(u16),
}

fn read(input: &str, default_era: Option<Era>) -> Result<Reading, PeriodError> {
    let s = normalise(input);
    if s.is_empty() {
        return Err(PeriodError::Empty);
    }
    if let Some(r) = parse_canonical(&s)? {
        return Ok(r);
    }
    parse_japanese(&s, default_era).map_err(|why| PeriodError::Unreadable {
        input: input.trim().to_string(),
        why,
    })
}

/// The refusal of a year alone where the plan does not report at 年度末 only.
fn year_alone(input: &str, fy: u16) -> PeriodError {
    PeriodError::YearAlone {
        input: input.trim().to_string(),
        year: year_label(fy),
    }
}

/// The input in Unicode Normalization Form KC, as every identifier is read (full-width digits and
/// letters become ASCII: `Ｈ２７上` is `H27上`), without white space.
fn normalise(input: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    input.nfkc().filter(|c| !c.is_whitespace()).collect()
}

/// A year written with exactly four ASCII digits.
fn four_digits(s: &str) -> Option<u16> {
    if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

fn parse_canonical(s: &str) -> Result<Option<Reading>, PeriodError> {
    let upper = s.to_ascii_uppercase();
    let Some(rest) = upper.strip_prefix("FY") else {
        return Ok(None);
    };
    let (year, part) = match rest.split_once('-') {
        Some((year, part)) => (year, Some(part)),
        None => (rest, None),
    };
    let Some(fy) = four_digits(year) else {
        return Err(PeriodError::FourDigits(s.to_string()));
    };
    let part = match part {
        None => {
            check_fiscal_year(fy)?;
            return Ok(Some(Reading::YearAlone(fy)));
        }
        Some("Q1") => Part::FirstQuarter,
        Some("Q2" | "H1") => Part::FirstHalf,
        Some("Q3") => Part::ThirdQuarter,
        Some("Q4" | "YE") => Part::YearEnd,
        Some(other) => {
            let last = other.strip_prefix("FY").unwrap_or(other);
            let Some(last) = four_digits(last) else {
                return Err(PeriodError::UnknownPart {
                    input: s.to_string(),
                    part: other.to_string(),
                });
            };
            return Period::new(last, Part::WholePlan { first_year: fy })
                .map(|p| Some(Reading::Point(p)))
                .map_err(|e| PeriodError::Canonical {
                    input: s.to_string(),
                    why: Box::new(e),
                });
        }
    };
    Period::new(fy, part).map(|p| Some(Reading::Point(p)))
}

/// A year at the start of a Japanese form: an optional era, then `元` or digits, and what follows.
struct Lead<'a> {
    era: Option<Era>,
    n: u16,
    /// Four digits and no era: a Gregorian year.
    gregorian: bool,
    rest: &'a str,
}

impl Lead<'_> {
    fn read(s: &str) -> Result<Lead<'_>, Why> {
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
        if let Some(rest) = rest.strip_prefix('元') {
            return Ok(Lead {
                era,
                n: 1,
                gregorian: false,
                rest,
            });
        }
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let gregorian = era.is_none() && digits == 4;
        if digits == 0 || (digits > 3 && !gregorian) {
            return Err(Why::YearExpected);
        }
        // ASCII digits are one byte each, so this splits at a character boundary.
        let (d, rest) = rest.split_at(digits);
        let n = d.parse::<u16>().map_err(|_| Why::BadYear)?;
        if n == 0 && !gregorian {
            return Err(Why::EraYearZero);
        }
        Ok(Lead {
            era,
            n,
            gregorian,
            rest,
        })
    }

    /// The Gregorian year, the era taken from the form or else from `era`.
    fn year(&self, era: Option<Era>) -> Result<u16, Why> {
        if self.gregorian {
            return Ok(self.n);
        }
        let era = self.era.or(era).ok_or(Why::NoEra)?;
        // An era year past the range ends in the range check (令和181 is FY2199, the last).
        Ok(era.first_year().saturating_add(self.n.saturating_sub(1)))
    }
}

/// The characters that join a plan's first and last year (`平成18-22年度`, `平成18～22年度`).
const RANGE_MARKS: [char; 8] = ['-', '~', '〜', '‐', '‑', '–', '—', '−'];

/// The two sides of a range of years, if the input is one.
fn split_range(s: &str) -> Option<(&str, &str)> {
    let (i, c) = s.char_indices().find(|(_, c)| RANGE_MARKS.contains(c))?;
    Some((&s[..i], &s[i + c.len_utf8()..]))
}

/// A plan's years written as a range: `平成18-22年度`, `平成18年度-22年度`, `H18-22`, `平成30年度-令和4年度`,
/// `H30-R4`, `2006-2010年度`. The last year takes the first's era unless it has its own.
/// One side of a plan's range of years: a year alone (with `年度` or nothing after it).
fn plan_side(last: bool, input: &str) -> Result<Lead<'_>, Why> {
    let lead = Lead::read(input).map_err(|why| Why::PlanYear {
        last,
        input: input.to_string(),
        why: Box::new(why),
    })?;
    match matches!(lead.rest, "" | "年度") {
        true => Ok(lead),
        false => Err(Why::PlanYearUnreadable {
            last,
            input: input.to_string(),
        }),
    }
}

fn parse_range(left: &str, right: &str, default_era: Option<Era>) -> Result<(u16, u16), Why> {
    for (side, last) in [(left, false), (right, true)] {
        if side.is_empty() {
            return Err(Why::YearMissing { last });
        }
    }
    let a = plan_side(false, left)?;
    let b = plan_side(true, right)?;
    let first = a.year(default_era)?;
    let last = if b.gregorian || b.era.is_some() {
        b.year(None)?
    } else if a.gregorian {
        return Err(Why::LastInFull {
            first: a.n,
            last: a.n.saturating_add(4),
        });
    } else {
        b.year(a.era.or(default_era))?
    };
    check_years(first, last)?;
    Ok((first, last))
}

fn parse_japanese(s: &str, default_era: Option<Era>) -> Result<Reading, Why> {
    if let Some((left, right)) = split_range(s) {
        let (first, last) = parse_range(left, right, default_era)?;
        return Ok(Reading::Point(Period {
            fiscal_year: last,
            part: Part::WholePlan { first_year: first },
        }));
    }
    let lead = Lead::read(s)?;
    // A four-digit year without an era is a Gregorian year (`2019年度末`, `2020年3月末現在`).
    if let Some(date) = lead.rest.strip_prefix('年')
        && date.starts_with(|c: char| c.is_ascii_digit())
    {
        if let Some(era) = lead.era.or(default_era).filter(|_| !lead.gregorian) {
            check_era_month(era, lead.n, date)?;
        }
        return parse_date(lead.year(default_era)?, date).map(Reading::Point);
    }
    let term = lead.rest.strip_prefix("年度").unwrap_or(lead.rest);
    let part = match term {
        // `上` and `末` are the abbreviations the narrow table prints (`H26上`, `H26末`).
        "上半期" | "上期" | "上" => Part::FirstHalf,
        "年度末" | "末" => Part::YearEnd,
        "" => {
            let fy = lead.year(default_era)?;
            check_fiscal_year(fy)?;
            return Ok(Reading::YearAlone(fy));
        }
        other => quarter(other)?.ok_or_else(|| Why::UnknownTerm(other.to_string()))?,
    };
    Ok(Reading::Point(Period::new(lead.year(default_era)?, part)?))
}

/// A quarter: `第1四半期` (or `第一四半期`), `Q1` (as the narrow table prints it); the second and fourth
/// quarters end with the first half and the year. `None` if the term is not a quarter.
fn quarter(term: &str) -> Result<Option<Part>, Why> {
    let n = if let Some(n) = term.strip_prefix(['Q', 'q']) {
        n
    } else if let Some(n) = term
        .strip_prefix('第')
        .and_then(|t| t.strip_suffix("四半期"))
    {
        n
    } else {
        return Ok(None);
    };
    match n {
        "1" | "一" => Ok(Some(Part::FirstQuarter)),
        "2" | "二" => Ok(Some(Part::FirstHalf)),
        "3" | "三" => Ok(Some(Part::ThirdQuarter)),
        "4" | "四" => Ok(Some(Part::YearEnd)),
        other => Err(Why::NoQuarter(other.to_string())),
    }
}

/// The point a date names, as cities write their reporting points: `3月末現在`, `9月末`, `6月30日現在`,
/// `12月31日時点` after the calendar year. The end of June, September and December are the first
/// quarter, first half and third quarter of the fiscal year that starts that April; the end of March is
/// the end of the fiscal year that started the April before.
/// Refuses a month that the era did not have: 平成 ended on 30 April 2019 (平成31年), 令和 began on
/// 1 May 2019 (令和元年). `date` is what follows `年` (`3月末現在`).
fn check_era_month(era: Era, n: u16, date: &str) -> Result<(), Why> {
    let digits = date.bytes().take_while(u8::is_ascii_digit).count();
    let Ok(month) = date[..digits].parse::<u8>() else {
        return Ok(());
    };
    let instead = match era {
        Era::Heisei if n > 31 || (n == 31 && month >= 5) => {
            format!("令和{}年{month}月", era_number(n - 30))
        }
        Era::Reiwa if n == 1 && month <= 4 => format!("平成31年{month}月"),
        _ => return Ok(()),
    };
    Err(Why::NeverExisted {
        era,
        era_year: format!("{}{}", era.kanji(), era_number(n)),
        month,
        instead,
    })
}

fn parse_date(calendar_year: u16, date: &str) -> Result<Period, Why> {
    let date = date
        .strip_suffix("現在")
        .or_else(|| date.strip_suffix("時点"))
        .unwrap_or(date);
    let digits = date.bytes().take_while(u8::is_ascii_digit).count();
    let (m, rest) = date.split_at(digits);
    let month: u8 = m.parse().map_err(|_| Why::MonthExpected)?;
    let Some(day) = rest.strip_prefix('月') else {
        return Err(Why::TsukiExpected(rest.to_string()));
    };
    let (last, part, fy) = match month {
        6 => (30, Part::FirstQuarter, calendar_year),
        9 => (30, Part::FirstHalf, calendar_year),
        12 => (31, Part::ThirdQuarter, calendar_year),
        3 => (31, Part::YearEnd, calendar_year.saturating_sub(1)),
        1..=12 => {
            return Err(Why::NotReportingMonth(month));
        }
        _ => return Err(Why::NoMonth(month)),
    };
    match day {
        "末" | "" => {}
        d => {
            let n: u8 = d
                .strip_suffix('日')
                .and_then(|d| d.parse().ok())
                .ok_or_else(|| Why::BadDay {
                    day: d.to_string(),
                    last,
                })?;
            if n != last {
                return Err(Why::NotEndDay {
                    month,
                    day: n,
                    last,
                });
            }
        }
    }
    Ok(Period::new(fy, part)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        Period::parse(s, None)
            .map(|p| p.id())
            .unwrap_or_else(|e| e.to_string())
    }

    fn period(fiscal_year: u16, part: Part) -> Period {
        Period { fiscal_year, part }
    }

    fn whole(first_year: u16, last: u16) -> Period {
        period(last, Part::WholePlan { first_year })
    }

    /// Every part of a fiscal year, and whole plans ending that year (of one to six years).
    fn parts_of(fy: u16) -> Vec<Part> {
        let mut v = vec![
            Part::FirstQuarter,
            Part::FirstHalf,
            Part::ThirdQuarter,
            Part::YearEnd,
        ];
        for back in 0..6 {
            if let Some(first_year) = fy.checked_sub(back)
                && first_year >= MIN_FISCAL_YEAR
            {
                v.push(Part::WholePlan { first_year });
            }
        }
        v
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
            // Quarters.
            ("FY2006-Q1", "FY2006-Q1"),
            ("fy2006-q3", "FY2006-Q3"),
            ("FY2006-Q2", "FY2006-H1"),
            ("FY2006-q4", "FY2006-YE"),
            ("平成18年度第1四半期", "FY2006-Q1"),
            ("平成18年度第3四半期", "FY2006-Q3"),
            ("平成18年度第2四半期", "FY2006-H1"),
            ("平成18年度第4四半期", "FY2006-YE"),
            ("平成18年度第一四半期", "FY2006-Q1"),
            ("平成１８年度第３四半期", "FY2006-Q3"),
            ("H18第3四半期", "FY2006-Q3"),
            ("H18Q1", "FY2006-Q1"),
            ("h18q3", "FY2006-Q3"),
            ("R1Q3", "FY2019-Q3"),
            ("Ｒ１Ｑ３", "FY2019-Q3"),
            ("2006年度第1四半期", "FY2006-Q1"),
            ("平成18年6月末", "FY2006-Q1"),
            ("平成18年6月30日現在", "FY2006-Q1"),
            ("平成18年12月末", "FY2006-Q3"),
            ("平成18年12月31日現在", "FY2006-Q3"),
            ("令和元年12月31日時点", "FY2019-Q3"),
            ("2006年6月末", "FY2006-Q1"),
            // Whole plans.
            ("FY2006-2010", "FY2006-2010"),
            ("fy2006-fy2010", "FY2006-2010"),
            ("平成18-22年度", "FY2006-2010"),
            ("平成18年度-22年度", "FY2006-2010"),
            ("平成18年度-平成22年度", "FY2006-2010"),
            ("平成18～22年度", "FY2006-2010"),
            ("平成18〜22年度", "FY2006-2010"),
            ("H18-22", "FY2006-2010"),
            ("平成30年度-令和4年度", "FY2018-2022"),
            ("H30-R4", "FY2018-2022"),
            ("令和元-4年度", "FY2019-2022"),
            ("R1-R4", "FY2019-2022"),
            ("2006-2010年度", "FY2006-2010"),
            ("2006年度-2010年度", "FY2006-2010"),
            ("平成18-2010年度", "FY2006-2010"),
            ("平成22-22年度", "FY2010-2010"),
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
    fn dates_the_eras_never_had_are_refused() {
        for (input, says) in [
            ("令和元年3月末", "write 平成31年3月"),
            ("平成31年9月末", "write 令和元年9月"),
            ("平成32年3月31日現在", "write 令和2年3月"),
            ("R1年3月末現在", "never existed"),
        ] {
            let e = Period::parse(input, None).unwrap_err().to_string();
            assert!(e.contains(says), "{input}: {e}");
        }
        assert_eq!(p("平成31年3月末現在"), "FY2018-YE");
        assert_eq!(p("令和元年6月末"), "FY2019-Q1");
        assert_eq!(p("令和元年9月末"), "FY2019-H1");
        // Fiscal years keep both names (plans written before the change say 平成32年度).
        assert_eq!(p("平成32年度末"), "FY2020-YE");
    }

    #[test]
    fn dates_that_are_not_a_reporting_point_are_refused_saying_why() {
        for (bad, why) in [
            (
                "平成18年11月末",
                "11月 is not a reporting point: a reporting point is the end of June (第1四半期), September (上半期), December (第3四半期) or March (年度末)",
            ),
            (
                "令和2年3月15日現在",
                "not the end of a reporting period: write 3月末 or 3月31日",
            ),
            (
                "平成18年6月31日",
                "not the end of a reporting period: write 6月末 or 6月30日",
            ),
            (
                "平成18年12月30日現在",
                "not the end of a reporting period: write 12月末 or 12月31日",
            ),
            ("平成27年9月31日", "not the end of a reporting period"),
            ("平成27年13月末", "there is no month 13"),
            ("平成27年0月末", "there is no month 0"),
            ("平成27年9", "expected 月"),
            ("27年3月末", "no era"),
            ("平成27年9月末日現在", "cannot read the day"),
            ("平成元年3月末", "out of range"),
        ] {
            let err = Period::parse(bad, None).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
            assert!(
                err.contains("平成28年3月末現在"),
                "the forms are listed: {err}"
            );
        }
        for month in [1, 2, 4, 5, 7, 8, 10, 11] {
            let err = Period::parse(&format!("平成20年{month}月末"), None)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(&format!("{month}月 is not a reporting point"))
                    && err.contains("June")
                    && err.contains("September")
                    && err.contains("December")
                    && err.contains("March"),
                "{month}: {err}"
            );
        }
        // The default era applies to dates too.
        assert_eq!(
            Period::parse("28年3月末現在", Some(Era::Heisei))
                .unwrap()
                .id(),
            "FY2015-YE"
        );
        assert_eq!(
            Period::parse("18年12月末", Some(Era::Heisei)).unwrap().id(),
            "FY2006-Q3"
        );
    }

    #[test]
    fn era_less_forms_use_the_default_era() {
        let h = Some(Era::Heisei);
        let r = Some(Era::Reiwa);
        assert_eq!(Period::parse("26年度上半期", h).unwrap().id(), "FY2014-H1");
        assert_eq!(Period::parse("26年度年度末", h).unwrap().id(), "FY2014-YE");
        assert_eq!(Period::parse("7年度末", r).unwrap().id(), "FY2025-YE");
        assert_eq!(
            Period::parse("18年度第1四半期", h).unwrap().id(),
            "FY2006-Q1"
        );
        assert_eq!(Period::parse("18-22年度", h).unwrap().id(), "FY2006-2010");
        assert_eq!(Period::parse("元-4年度", r).unwrap().id(), "FY2019-2022");
        assert_eq!(Period::parse("元年度末", r).unwrap().id(), "FY2019-YE");
        // A written era wins over the default.
        assert_eq!(Period::parse("H26上", r).unwrap().id(), "FY2014-H1");
        assert_eq!(Period::parse("30-R4", h).unwrap().id(), "FY2018-2022");
        // Without a default era, an era-less year is refused, 元 too: it is never guessed.
        for bad in [
            "元年度末",
            "元年度",
            "18年度第1四半期",
            "18-22年度",
            "元-4年度",
            "H18Q1x",
        ] {
            let err = Period::parse(bad, None).unwrap_err().to_string();
            if bad != "H18Q1x" {
                assert!(err.contains("no era"), "{bad}: {err}");
            }
        }
    }

    #[test]
    fn a_year_alone_is_refused_saying_what_to_write() {
        for (bad, year) in [
            ("令和元年度", "令和元年度"),
            ("R1年度", "令和元年度"),
            ("2019年度", "令和元年度"),
            ("R1", "令和元年度"),
            ("FY2019", "令和元年度"),
            ("H26", "平成26年度"),
        ] {
            let err = Period::parse(bad, None).unwrap_err().to_string();
            assert!(
                err.contains("a year alone")
                    && err.contains("year-end-only plan")
                    && err.contains(&format!("write {year}末 or {year}上半期")),
                "{bad}: {err}"
            );
        }
        assert!(
            Period::parse("26年度", Some(Era::Heisei))
                .unwrap_err()
                .to_string()
                .contains("write 平成26年度末 or 平成26年度上半期")
        );
        // Out of range is said first.
        assert!(p("3000年度").contains("out of range"));
    }

    #[test]
    fn whole_plans_that_cannot_be_read_are_refused_saying_why() {
        for (bad, why) in [
            (
                "平成22-18年度",
                "the plan's first year 平成22年度 comes after its last year 平成18年度",
            ),
            ("FY2010-2006", "comes after its last year"),
            ("平成30-4年度", "comes after its last year"),
            (
                "2006-10年度",
                "write the last year in full too, as in 2006-2010年度",
            ),
            (
                "平成18-22年度末",
                "cannot read the plan's last year `22年度末`",
            ),
            (
                "平成18上-22年度",
                "cannot read the plan's first year `平成18上`",
            ),
            ("FY1980-2010", "out of range"),
            ("FY2006-2300", "out of range"),
            ("FY2006-H2", "unknown part `H2`"),
            ("平成18-", "the plan's last year is missing"),
            ("-22年度", "the plan's first year is missing"),
        ] {
            let err = p(bad);
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn labels_are_japanese_and_round_trip() {
        let cases = [
            (
                "FY2014-H1",
                "平成26年度上半期",
                "H26上",
                ("平成26年度", "上半期"),
            ),
            (
                "FY2014-YE",
                "平成26年度末",
                "H26末",
                ("平成26年度", "年度末"),
            ),
            (
                "FY2019-YE",
                "令和元年度末",
                "R1末",
                ("令和元年度", "年度末"),
            ),
            (
                "FY2018-YE",
                "平成30年度末",
                "H30末",
                ("平成30年度", "年度末"),
            ),
            (
                "FY2025-H1",
                "令和7年度上半期",
                "R7上",
                ("令和7年度", "上半期"),
            ),
            (
                "FY2006-Q1",
                "平成18年度第1四半期",
                "H18Q1",
                ("平成18年度", "第1四半期"),
            ),
            (
                "FY2006-Q3",
                "平成18年度第3四半期",
                "H18Q3",
                ("平成18年度", "第3四半期"),
            ),
            (
                "FY2019-Q1",
                "令和元年度第1四半期",
                "R1Q1",
                ("令和元年度", "第1四半期"),
            ),
            (
                "FY2006-2010",
                "平成18-22年度",
                "H18-22",
                ("平成18-22年度", "計画期間"),
            ),
            (
                "FY2018-2022",
                "平成30年度-令和4年度",
                "H30-R4",
                ("平成30年度-令和4年度", "計画期間"),
            ),
            (
                "FY2018-2019",
                "平成30年度-令和元年度",
                "H30-R1",
                ("平成30年度-令和元年度", "計画期間"),
            ),
            (
                "FY2019-2022",
                "令和元-4年度",
                "R1-4",
                ("令和元-4年度", "計画期間"),
            ),
            (
                "FY2010-2010",
                "平成22-22年度",
                "H22-22",
                ("平成22-22年度", "計画期間"),
            ),
        ];
        for (id, label, short, (year, term)) in cases {
            let period: Period = id.parse().unwrap();
            assert_eq!(period.id(), id);
            assert_eq!(period.label(), label);
            assert_eq!(period.short_label(), short);
            assert_eq!(period.year_and_term(), (year.to_string(), term));
            assert_eq!(Period::parse(label, None).unwrap(), period);
            assert_eq!(Period::parse(short, None).unwrap(), period);
            assert_eq!(period.id().parse::<Period>().unwrap(), period);
        }
    }

    #[test]
    fn every_label_short_label_and_id_reads_back_as_its_period() {
        for fy in MIN_FISCAL_YEAR..=MAX_FISCAL_YEAR {
            for part in parts_of(fy) {
                let period = Period::new(fy, part).unwrap();
                for text in [period.id(), period.label(), period.short_label()] {
                    assert_eq!(Period::parse(&text, None), Ok(period), "{text}");
                }
                let (year, term) = period.year_and_term();
                let joined = match part {
                    Part::WholePlan { .. } => year,
                    _ => format!("{year}{term}"),
                };
                assert_eq!(Period::parse(&joined, None), Ok(period), "{joined}");
            }
        }
    }

    #[test]
    fn labels_outside_the_eras_do_not_panic() {
        for fy in [0, 1, 1900, 1988, 2200, u16::MAX] {
            for part in [
                Part::FirstQuarter,
                Part::FirstHalf,
                Part::ThirdQuarter,
                Part::YearEnd,
                Part::WholePlan { first_year: 0 },
                Part::WholePlan { first_year: 1900 },
                Part::WholePlan { first_year: 2006 },
                Part::WholePlan {
                    first_year: u16::MAX,
                },
            ] {
                let period = period(fy, part);
                let _ = (period.label(), period.short_label(), period.year_and_term());
                let _ = period.end_date();
                assert!(period.check().is_err(), "{period:?}");
                for text in [period.id(), period.label(), period.short_label()] {
                    assert!(Period::parse(&text, None).is_err(), "{text}");
                }
            }
        }
        assert_eq!(period(1900, Part::FirstHalf).short_label(), "FY1900-H1");
        assert_eq!(whole(1980, 2010).short_label(), "FY1980-2010");
    }

    #[test]
    fn check_and_new_refuse_what_is_out_of_range() {
        assert!(
            Period::new(1988, Part::YearEnd)
                .unwrap_err()
                .to_string()
                .contains("out of range")
        );
        assert!(
            Period::new(2200, Part::FirstQuarter)
                .unwrap_err()
                .to_string()
                .contains("out of range")
        );
        assert!(Period::new(2199, Part::ThirdQuarter).is_ok());
        assert!(Period::new(1989, Part::FirstQuarter).is_ok());
        assert!(whole(2006, 2010).check().is_ok());
        assert!(whole(2010, 2010).check().is_ok());
        assert!(whole(1989, 2199).check().is_ok());
        let err = whole(2011, 2010).check().unwrap_err().to_string();
        assert!(err.contains("comes after its last year"), "{err}");
        assert!(
            whole(1988, 2010)
                .check()
                .unwrap_err()
                .to_string()
                .contains("out of range")
        );
        assert!(
            whole(2006, 2200)
                .check()
                .unwrap_err()
                .to_string()
                .contains("out of range")
        );
        assert!(Period::new(2010, Part::WholePlan { first_year: 2011 }).is_err());
    }

    #[test]
    fn periods_sort_by_end_date() {
        let mut v: Vec<Period> = [
            "FY2015-H1",
            "FY2014-YE",
            "FY2014-H1",
            "FY2015-YE",
            "FY2014-Q3",
            "FY2015-Q1",
            "FY2014-Q1",
            "FY2012-2014",
            "FY2010-2014",
            "FY2014-2015",
            "FY2015-Q3",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        v.sort();
        let ids: Vec<String> = v.iter().map(Period::id).collect();
        assert_eq!(
            ids,
            [
                "FY2014-Q1",
                "FY2014-H1",
                "FY2014-Q3",
                "FY2014-YE",
                "FY2010-2014",
                "FY2012-2014",
                "FY2015-Q1",
                "FY2015-H1",
                "FY2015-Q3",
                "FY2015-YE",
                "FY2014-2015",
            ]
        );
        // Sorting by the end date agrees with the order, up to whole plans ending with their last year.
        for w in v.windows(2) {
            assert!(w[0].end_date() <= w[1].end_date(), "{w:?}");
        }
        assert!(Part::FirstQuarter < Part::FirstHalf);
        assert!(Part::FirstHalf < Part::ThirdQuarter);
        assert!(Part::ThirdQuarter < Part::YearEnd);
        assert!(Part::YearEnd < Part::WholePlan { first_year: 0 });
        assert!(Part::WholePlan { first_year: 2006 } < Part::WholePlan { first_year: 2007 });
    }

    #[test]
    fn end_dates() {
        assert_eq!(period(2014, Part::FirstQuarter).end_date(), (2014, 6, 30));
        assert_eq!(period(2014, Part::FirstHalf).end_date(), (2014, 9, 30));
        assert_eq!(period(2014, Part::ThirdQuarter).end_date(), (2014, 12, 31));
        assert_eq!(period(2014, Part::YearEnd).end_date(), (2015, 3, 31));
        assert_eq!(whole(2010, 2014).end_date(), (2015, 3, 31));
        assert_eq!(period(u16::MAX, Part::YearEnd).end_date(), (65536, 3, 31));
    }

    #[test]
    fn only_first_half_and_year_end_are_half_year_parts() {
        assert!(Part::FirstHalf.is_half_year());
        assert!(Part::YearEnd.is_half_year());
        assert!(!Part::FirstQuarter.is_half_year());
        assert!(!Part::ThirdQuarter.is_half_year());
        assert!(!Part::WholePlan { first_year: 2006 }.is_half_year());
    }

    /// The stored event bytes hold a part as bincode writes it (legacy config): the variant's index as a
    /// u32, in declaration order. FirstHalf and YearEnd keep 0 and 1.
    #[test]
    fn part_tags_are_fixed() {
        let bytes = |part: Part| {
            bincode::serde::encode_to_vec(period(2014, part), bincode::config::legacy()).unwrap()
        };
        assert_eq!(bytes(Part::FirstHalf), [0xde, 0x07, 0, 0, 0, 0]);
        assert_eq!(bytes(Part::YearEnd), [0xde, 0x07, 1, 0, 0, 0]);
        assert_eq!(bytes(Part::FirstQuarter), [0xde, 0x07, 2, 0, 0, 0]);
        assert_eq!(bytes(Part::ThirdQuarter), [0xde, 0x07, 3, 0, 0, 0]);
        assert_eq!(
            bytes(Part::WholePlan { first_year: 2010 }),
            [0xde, 0x07, 4, 0, 0, 0, 0xda, 0x07]
        );
        for fy in [1989, 2014, 2199] {
            for part in parts_of(fy) {
                let p = period(fy, part);
                let b = bincode::serde::encode_to_vec(p, bincode::config::legacy()).unwrap();
                let (back, _): (Period, usize) =
                    bincode::serde::decode_from_slice(&b, bincode::config::legacy()).unwrap();
                assert_eq!(back, p);
            }
        }
    }

    #[test]
    fn refuses_nonsense_with_the_valid_forms() {
        for bad in [
            "",
            "FY14-H1",
            "FY2014-H3",
            "FY2014-Q5",
            "FY2014-",
            "H0上半期",
            "H26下半期",
            "H26第5四半期",
            "H26Q0",
            "FY1900-H1",
            "x",
            "-",
            "平成",
            "H2006上",
        ] {
            let err = Period::parse(bad, Some(Era::Heisei))
                .unwrap_err()
                .to_string();
            assert!(!err.is_empty(), "{bad}");
        }
        assert!(
            Period::parse("H26下半期", None)
                .unwrap_err()
                .to_string()
                .contains("FY2014-H1")
        );
        let err = p("H26第5四半期");
        assert!(err.contains("there is no quarter `5`"), "{err}");
        let err = p("FY2014-Q5");
        assert!(
            err.contains("unknown part `Q5`") && err.contains("Q1 (第1四半期)"),
            "{err}"
        );
        let err = p("H26下半期");
        assert!(
            err.contains("unknown term `下半期`") && err.contains("第3四半期"),
            "{err}"
        );
        for form in [
            "FY2006-2010",
            "平成18-22年度",
            "H26Q3",
            "平成26年6月末",
            "平成26年12月31日現在",
        ] {
            assert!(FORMS.contains(form), "{form}");
            let period = Period::parse(form, None);
            assert!(period.is_ok(), "{form}: {period:?}");
        }
    }

    #[test]
    fn cadences_read_show_and_keep_their_tags() {
        let cases = [
            ("half-year", Cadence::HalfYear),
            ("Half-Year", Cadence::HalfYear),
            ("ＨＡＬＦ－ＹＥＡＲ", Cadence::HalfYear),
            ("半期", Cadence::HalfYear),
            ("上半期・年度末", Cadence::HalfYear),
            ("上半期･年度末", Cadence::HalfYear),
            ("year-end", Cadence::YearEnd),
            ("YEAR-END", Cadence::YearEnd),
            ("年度末", Cadence::YearEnd),
            ("年度末のみ", Cadence::YearEnd),
            ("quarterly", Cadence::Quarterly),
            (" Quarterly ", Cadence::Quarterly),
            ("四半期", Cadence::Quarterly),
            ("whole-plan", Cadence::WholePlan),
            ("計画期間", Cadence::WholePlan),
        ];
        for (input, want) in cases {
            assert_eq!(input.parse::<Cadence>(), Ok(want), "{input}");
        }
        for cadence in Cadence::ALL {
            assert_eq!(cadence.id().parse::<Cadence>(), Ok(cadence));
            assert_eq!(cadence.label().parse::<Cadence>(), Ok(cadence));
            assert_eq!(cadence.to_string(), cadence.id());
        }
        let ids: Vec<&str> = Cadence::ALL.iter().map(Cadence::id).collect();
        assert_eq!(ids, ["half-year", "year-end", "quarterly", "whole-plan"]);
        let labels: Vec<&str> = Cadence::ALL.iter().map(Cadence::label).collect();
        assert_eq!(labels, ["上半期・年度末", "年度末", "四半期", "計画期間"]);
        assert_eq!(Cadence::default(), Cadence::HalfYear);
        for bad in ["", "monthly", "下半期", "half year x"] {
            let err = bad.parse::<Cadence>().unwrap_err().to_string();
            assert!(
                err.contains("unknown reporting cadence")
                    && err.contains("half-year (上半期・年度末)")
                    && err.contains("year-end (年度末のみ)")
                    && err.contains("quarterly (四半期)")
                    && err.contains("whole-plan (計画期間)"),
                "{bad}: {err}"
            );
        }
        // The declaration order is the tag in stored bytes.
        for (tag, cadence) in Cadence::ALL.into_iter().enumerate() {
            let b = bincode::serde::encode_to_vec(cadence, bincode::config::legacy()).unwrap();
            assert_eq!(b, [tag as u8, 0, 0, 0], "{cadence}");
        }
    }

    #[test]
    fn each_cadence_accepts_its_points_only() {
        let fy = 2006;
        let q1 = period(fy, Part::FirstQuarter);
        let h1 = period(fy, Part::FirstHalf);
        let q3 = period(fy, Part::ThirdQuarter);
        let ye = period(fy, Part::YearEnd);
        let plan = whole(2006, 2010);
        let accepted = |c: Cadence, p: Period, years| c.check(p, years).is_ok();
        for (cadence, points) in [
            (Cadence::HalfYear, [false, true, false, true, false]),
            (Cadence::YearEnd, [false, false, false, true, false]),
            (Cadence::Quarterly, [true, true, true, true, false]),
        ] {
            for (p, want) in [q1, h1, q3, ye, plan].into_iter().zip(points) {
                assert_eq!(accepted(cadence, p, None), want, "{cadence} {p}");
                assert_eq!(cadence.accepts(p.part), want, "{cadence} {p}");
            }
        }
        let years = Some((2006, 2010));
        for p in [q1, h1, q3, ye] {
            assert!(!accepted(Cadence::WholePlan, p, years), "{p}");
        }
        assert!(accepted(Cadence::WholePlan, plan, years));
        assert!(Cadence::WholePlan.accepts(plan.part));

        let err = Cadence::HalfYear.check(q3, None).unwrap_err().to_string();
        assert_eq!(
            err,
            "平成18年度第3四半期 is not a reporting point of this plan, which reports at 上半期 and 年度末; write one of those points"
        );
        let err = Cadence::YearEnd.check(h1, None).unwrap_err().to_string();
        assert!(
            err.contains("平成18年度上半期 is not a reporting point")
                && err.contains("年度末 only"),
            "{err}"
        );
        let err = Cadence::Quarterly
            .check(plan, None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("平成18-22年度 is not a reporting point")
                && err.contains("第1四半期, 上半期, 第3四半期 and 年度末"),
            "{err}"
        );
        let err = Cadence::WholePlan.check(ye, years).unwrap_err().to_string();
        assert!(
            err.contains("平成18年度末 is not a reporting point") && err.contains("計画期間"),
            "{err}"
        );
        // A whole plan needs its years, and its point is exactly them.
        let err = Cadence::WholePlan
            .check(plan, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("needs its years declared"), "{err}");
        for other in [whole(2006, 2009), whole(2007, 2010), whole(2006, 2011)] {
            let err = Cadence::WholePlan
                .check(other, years)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(&format!("{} is not a reporting point", other.label()))
                    && err.contains("its years 平成18-22年度"),
                "{err}"
            );
        }
    }

    #[test]
    fn points_outside_the_plans_years_are_refused() {
        let years = Some((2019, 2022));
        let err = Cadence::YearEnd
            .check(period(2023, Part::YearEnd), years)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "令和5年度末 is outside the plan's years 令和元年度-令和4年度; write a point within them"
        );
        let err = Cadence::Quarterly
            .check(period(2018, Part::ThirdQuarter), years)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("平成30年度第3四半期 is outside the plan's years"),
            "{err}"
        );
        // The first point of the first year and the last of the last are in.
        assert!(
            Cadence::Quarterly
                .check(period(2019, Part::FirstQuarter), years)
                .is_ok()
        );
        assert!(
            Cadence::HalfYear
                .check(period(2022, Part::YearEnd), years)
                .is_ok()
        );
        // A part the plan does not report at is said first.
        let err = Cadence::HalfYear
            .check(period(2030, Part::FirstQuarter), years)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a reporting point"), "{err}");
        // Years that are not valid, and periods that are not, are refused.
        let err = Cadence::HalfYear
            .check(period(2020, Part::YearEnd), Some((2022, 2019)))
            .unwrap_err()
            .to_string();
        assert!(err.contains("the plan's years are not valid"), "{err}");
        let err = Cadence::HalfYear
            .check(period(1900, Part::YearEnd), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("out of range"), "{err}");
        assert!(
            Cadence::WholePlan
                .check(whole(2011, 2010), Some((2011, 2010)))
                .is_err()
        );
    }

    #[test]
    fn next_points() {
        let id = |c: Cadence, s: &str| {
            c.next_after(s.parse().unwrap())
                .map(|p| p.id())
                .unwrap_or_default()
        };
        let h = Cadence::HalfYear;
        assert_eq!(id(h, "FY2014-H1"), "FY2014-YE");
        assert_eq!(id(h, "FY2014-YE"), "FY2015-H1");
        assert_eq!(id(h, "FY2014-Q1"), "FY2014-H1");
        assert_eq!(id(h, "FY2014-Q3"), "FY2014-YE");
        assert_eq!(id(h, "FY2010-2014"), "FY2015-H1");
        let y = Cadence::YearEnd;
        assert_eq!(id(y, "FY2014-YE"), "FY2015-YE");
        assert_eq!(id(y, "FY2014-H1"), "FY2014-YE");
        let q = Cadence::Quarterly;
        assert_eq!(id(q, "FY2014-Q1"), "FY2014-H1");
        assert_eq!(id(q, "FY2014-H1"), "FY2014-Q3");
        assert_eq!(id(q, "FY2014-Q3"), "FY2014-YE");
        assert_eq!(id(q, "FY2014-YE"), "FY2015-Q1");
        assert_eq!(id(Cadence::WholePlan, "FY2010-2014"), "");
        assert_eq!(id(Cadence::WholePlan, "FY2014-YE"), "");
        // Nothing past the last fiscal year, and no panic past the range.
        for c in Cadence::ALL {
            assert_eq!(c.next_after(period(MAX_FISCAL_YEAR, Part::YearEnd)), None);
            assert_eq!(c.next_after(period(u16::MAX, Part::YearEnd)), None);
            assert_eq!(c.next_after(period(u16::MAX, Part::FirstQuarter)), None);
        }
        assert_eq!(
            Cadence::Quarterly.next_after(period(MAX_FISCAL_YEAR, Part::ThirdQuarter)),
            Some(period(MAX_FISCAL_YEAR, Part::YearEnd))
        );
        // Stepping from the first point walks every point of the plan, in order.
        for c in [Cadence::HalfYear, Cadence::YearEnd, Cadence::Quarterly] {
            let years = (2018, 2022);
            let mut walked = Vec::new();
            let mut at = c.first_point(years);
            while let Some(p) = at.filter(|p| c.check(*p, Some(years)).is_ok()) {
                walked.push(p);
                at = c.next_after(p);
            }
            assert_eq!(walked.len(), 5 * c.parts().len(), "{c}");
            assert!(walked.windows(2).all(|w| w[0] < w[1]), "{c}");
        }
    }

    #[test]
    fn first_points() {
        let years = (2019, 2022);
        assert_eq!(
            Cadence::HalfYear.first_point(years),
            Some(period(2019, Part::FirstHalf))
        );
        assert_eq!(
            Cadence::YearEnd.first_point(years),
            Some(period(2019, Part::YearEnd))
        );
        assert_eq!(
            Cadence::Quarterly.first_point(years),
            Some(period(2019, Part::FirstQuarter))
        );
        assert_eq!(
            Cadence::WholePlan.first_point(years),
            Some(whole(2019, 2022))
        );
        for c in Cadence::ALL {
            assert_eq!(c.first_point((2022, 2019)), None);
            assert_eq!(c.first_point((1900, 2019)), None);
            if let Some(p) = c.first_point(years) {
                assert!(c.check(p, Some(years)).is_ok(), "{c}");
            }
        }
    }

    #[test]
    fn parse_for_reads_a_year_alone_in_a_year_end_plan_and_checks_the_plan() {
        let ye = Cadence::YearEnd;
        for input in [
            "令和元年度",
            "R1年度",
            "2019年度",
            "R1",
            "FY2019",
            "令和元年度末",
        ] {
            assert_eq!(
                Period::parse_for(input, None, ye, None).map(|p| p.id()),
                Ok("FY2019-YE".to_string()),
                "{input}"
            );
        }
        assert_eq!(
            Period::parse_for("元年度", Some(Era::Reiwa), ye, None).map(|p| p.id()),
            Ok("FY2019-YE".to_string())
        );
        let err = Period::parse_for("元年度", None, ye, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no era"), "{err}");
        let err = Period::parse_for("令和元年度上半期", None, ye, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("年度末 only"), "{err}");
        let err = Period::parse_for("令和5年度", None, ye, Some((2019, 2022)))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "令和5年度末 is outside the plan's years 令和元年度-令和4年度; write a point within them"
        );

        // Other cadences refuse a year alone, saying what to write.
        for c in [Cadence::HalfYear, Cadence::Quarterly] {
            let err = Period::parse_for("令和元年度", None, c, None)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("a year alone")
                    && err.contains("write 令和元年度末 or 令和元年度上半期"),
                "{c}: {err}"
            );
        }
        let err = Period::parse_for("令和元年度", None, Cadence::WholePlan, Some((2019, 2022)))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("reports once for its whole period") && err.contains("令和元-4年度"),
            "{err}"
        );

        let h = Cadence::HalfYear;
        assert_eq!(
            Period::parse_for("平成18年9月末", None, h, None).map(|p| p.id()),
            Ok("FY2006-H1".to_string())
        );
        let err = Period::parse_for("平成18年12月末", None, h, None)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "平成18年度第3四半期 is not a reporting point of this plan, which reports at 上半期 and 年度末; write one of those points"
        );
        let q = Cadence::Quarterly;
        for (input, want) in [
            ("H18Q3", "FY2006-Q3"),
            ("平成18年6月30日現在", "FY2006-Q1"),
            ("FY2006-Q4", "FY2006-YE"),
        ] {
            assert_eq!(
                Period::parse_for(input, None, q, Some((2006, 2010))).map(|p| p.id()),
                Ok(want.to_string()),
                "{input}"
            );
        }
        let w = Cadence::WholePlan;
        assert_eq!(
            Period::parse_for("令和元-4年度", None, w, Some((2019, 2022))).map(|p| p.id()),
            Ok("FY2019-2022".to_string())
        );
        assert!(Period::parse_for("令和元-5年度", None, w, Some((2019, 2022))).is_err());
        assert!(Period::parse_for("令和元-4年度", None, w, None).is_err());
        // Input that cannot be read is refused as Period::parse refuses it.
        assert_eq!(
            Period::parse_for("H26下半期", None, h, None),
            Err(Period::parse("H26下半期", None).unwrap_err())
        );
    }

    #[test]
    fn plan_years_are_read_in_every_form() {
        for (input, want) in [
            ("2019-2022", (2019, 2022)),
            ("2019年度-2022年度", (2019, 2022)),
            ("令和元-4年度", (2019, 2022)),
            ("令和元年度-令和4年度", (2019, 2022)),
            ("R1-R4", (2019, 2022)),
            ("R1-4", (2019, 2022)),
            ("r1～r4", (2019, 2022)),
            ("平成30年度-令和4年度", (2018, 2022)),
            ("H30-R4", (2018, 2022)),
            ("平成18-22年度", (2006, 2010)),
            ("FY2006-2010", (2006, 2010)),
            ("fy2006-fy2010", (2006, 2010)),
            ("２０１９－２０２２", (2019, 2022)),
            ("2019", (2019, 2019)),
            ("2019年度", (2019, 2019)),
            ("令和元年度", (2019, 2019)),
            ("R1", (2019, 2019)),
            ("FY2019", (2019, 2019)),
            ("1989-2199", (1989, 2199)),
        ] {
            assert_eq!(parse_years(input, None), Ok(want), "{input}");
        }
        let r = Some(Era::Reiwa);
        assert_eq!(parse_years("元-4年度", r), Ok((2019, 2022)));
        assert_eq!(parse_years("4年度", r), Ok((2022, 2022)));
        for (bad, why) in [
            ("", "they are empty"),
            (
                "2022-2019",
                "the plan's first year 令和4年度 comes after its last year 令和元年度",
            ),
            ("元-4年度", "no era"),
            ("26", "no era"),
            (
                "令和元年度末",
                "`年度末` after the year is not part of a year",
            ),
            ("令和元年度上半期", "`年度上半期` after the year"),
            ("2300", "out of range"),
            ("1988-2000", "out of range"),
            ("2019-22", "write the last year in full too"),
            ("2019-", "the plan's last year is missing"),
            ("x", "expected an era year"),
        ] {
            let err = parse_years(bad, None).unwrap_err().to_string();
            assert!(
                err.contains(why) && err.contains("令和元年度-令和4年度, R1-R4"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn plan_years_are_labelled_with_both_eras() {
        assert_eq!(years_label(2019, 2022), "令和元年度-令和4年度");
        assert_eq!(years_label(2018, 2022), "平成30年度-令和4年度");
        assert_eq!(years_label(2006, 2010), "平成18年度-平成22年度");
        assert_eq!(years_label(2019, 2019), "令和元年度");
        for first in (MIN_FISCAL_YEAR..=MAX_FISCAL_YEAR).step_by(7) {
            for last in
                [first, first + 1, first + 4, MAX_FISCAL_YEAR].map(|y| y.min(MAX_FISCAL_YEAR))
            {
                assert_eq!(
                    parse_years(&years_label(first, last), None),
                    Ok((first, last))
                );
            }
        }
        // No panic outside the eras.
        assert_eq!(years_label(1900, 1900), "1900年度");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,12}") {
            let _ = Period::parse(&s, Some(Era::Reiwa));
            let _ = Period::parse(&s, None);
        }

        #[test]
        fn never_panics_on_forms_near_the_accepted(s in "(FY|fy|H|R|平成|令和)?[0-9元]{0,5}(年度|年)?[-~〜]?(H|R|平成|令和)?[0-9元]{0,5}(年度|年)?([0-9]{0,3}月)?([0-9]{0,3}日)?(末|上|上半期|第[0-9]四半期|Q[0-9]|現在)?") {
            let _ = Period::parse(&s, Some(Era::Heisei));
            let _ = Period::parse(&s, None);
        }

        #[test]
        fn plan_readers_never_panic(s in "\\PC{0,12}", c in 0usize..4, first in 0u16..2300, len in 0u16..8) {
            let cadence = Cadence::ALL[c];
            let _ = parse_years(&s, None);
            let _ = parse_years(&s, Some(Era::Heisei));
            let _ = s.parse::<Cadence>();
            let years = Some((first, first.saturating_add(len)));
            let _ = Period::parse_for(&s, None, cadence, years);
            let _ = Period::parse_for(&s, Some(Era::Reiwa), cadence, None);
        }

        #[test]
        fn the_next_point_is_a_later_point_of_the_cadence(fy in MIN_FISCAL_YEAR..=MAX_FISCAL_YEAR, k in 0usize..8, c in 0usize..4) {
            let parts = parts_of(fy);
            let p = period(fy, parts[k % parts.len()]);
            let cadence = Cadence::ALL[c];
            if let Some(next) = cadence.next_after(p) {
                proptest::prop_assert!(next > p);
                proptest::prop_assert!(cadence.check(next, None).is_ok());
                // Nothing of the cadence lies between.
                for q in [next.fiscal_year - 1, next.fiscal_year].into_iter().flat_map(|fy| cadence.parts().iter().map(move |&part| period(fy, part))) {
                    proptest::prop_assert!(!(q > p && q < next), "{} lies between {} and {}", q, p, next);
                }
            } else {
                proptest::prop_assert!(cadence == Cadence::WholePlan || fy == MAX_FISCAL_YEAR);
            }
        }

        #[test]
        fn canonical_and_label_round_trip(fy in MIN_FISCAL_YEAR..=MAX_FISCAL_YEAR, k in 0usize..8) {
            let parts = parts_of(fy);
            let part = parts[k % parts.len()];
            let period = Period::new(fy, part).unwrap();
            proptest::prop_assert_eq!(Period::parse(&period.id(), None).unwrap(), period);
            proptest::prop_assert_eq!(Period::parse(&period.label(), None).unwrap(), period);
            proptest::prop_assert_eq!(Period::parse(&period.short_label(), None).unwrap(), period);
        }
    }
}
