//! Times: recorded as integer nanoseconds since the Unix epoch (UTC). The export and the event's
//! machine form write them as RFC 3339 in UTC ([`format`], `schema/FORMAT.md` section 10); the views
//! show them in the *shown zone*: as RFC 3339 with its offset in JSON ([`format_shown`]) and as
//! `2015-11-06 08:30:00 +09:00` in text ([`format_text`]).
//!
//! The shown zone is Japan time unless a front end says otherwise for the duration of a call
//! ([`in_zone`]: a scoped, per-thread setting, since serde's serializers take no context); times
//! people write without an offset ([`parse_instant`]) are read in it. A [`Zone`] is a fixed offset
//! (`+09:00`, `UTC`) or a zone of the IANA database (`Asia/Tokyo`, through jiff, which reads the
//! system's copy and carries its own). The rounds' dates (a due date, the day a status is taken, a
//! notice's date) are the city's calendar and stay in Japan time whatever the shown zone.

use std::cell::RefCell;

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Japan Standard Time, UTC+9 (no daylight saving).
pub const JST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// A time zone times are shown and read in: a fixed offset, or a zone of the IANA database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// How it was named (`Asia/Tokyo`, `UTC`, `+05:30`), for messages and headers.
    name: String,
    kind: ZoneKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ZoneKind {
    /// The same offset at every instant.
    Fixed(UtcOffset),
    /// A zone of the IANA database (its offset may change: daylight saving, history).
    Named(jiff::tz::TimeZone),
}

/// The zone forms [`Zone::parse`] reads, for messages.
pub const ZONE_FORMS: &str =
    "Asia/Tokyo (or JST), UTC, an offset such as +09:00 or -05:00, or another IANA zone name";

impl Default for Zone {
    fn default() -> Self {
        Zone::japan()
    }
}

impl Zone {
    /// Japan time, `+09:00` (the default).
    pub fn japan() -> Zone {
        Zone {
            name: "Asia/Tokyo".into(),
            kind: ZoneKind::Fixed(JST),
        }
    }

    /// UTC.
    pub fn utc() -> Zone {
        Zone {
            name: "UTC".into(),
            kind: ZoneKind::Fixed(UtcOffset::UTC),
        }
    }

    /// Reads a zone as people write it (NFKC, so full-width forms are read): `Asia/Tokyo`, `JST` and
    /// `Japan` (Japan time), `UTC` or `Z`, an offset (`+09:00`, `+0900`, `+09`, `-05:30`), or any
    /// other IANA zone name (`America/New_York`). Err: what is wrong, with the forms read.
    pub fn parse(s: &str) -> Result<Zone, TimeProblem> {
        use unicode_normalization::UnicodeNormalization;
        let normalized: String = s.trim().nfkc().collect();
        let s = normalized.trim();
        match s.to_ascii_lowercase().as_str() {
            "asia/tokyo" | "jst" | "japan" => return Ok(Zone::japan()),
            "utc" | "z" | "etc/utc" | "gmt" => return Ok(Zone::utc()),
            _ => {}
        }
        if s.starts_with(['+', '-']) {
            return fixed_offset(s).map(|o| Zone {
                name: s.to_string(),
                kind: ZoneKind::Fixed(o),
            });
        }
        let valid_name = !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'));
        match valid_name.then(|| jiff::tz::TimeZone::get(s)) {
            Some(Ok(tz)) => Ok(Zone {
                name: tz.iana_name().unwrap_or(s).to_string(),
                kind: ZoneKind::Named(tz),
            }),
            _ => Err(TimeProblem::UnknownZone {
                input: crate::domain::text::escape(s),
            }),
        }
    }

    /// The zone's name as it was given (canonical for the shorthands: `Asia/Tokyo`, `UTC`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether this is Japan time (`+09:00` at every instant the views show).
    pub fn is_japan(&self) -> bool {
        *self == Zone::japan()
    }

    /// The zone's offset from UTC at an instant (ns since the epoch).
    pub fn offset_at(&self, ns: i64) -> UtcOffset {
        match &self.kind {
            ZoneKind::Fixed(o) => *o,
            ZoneKind::Named(tz) => jiff::Timestamp::from_nanosecond(i128::from(ns))
                .ok()
                .map(|t| tz.to_offset(t).seconds())
                .and_then(|s| UtcOffset::from_whole_seconds(s).ok())
                .unwrap_or(UtcOffset::UTC),
        }
    }

    /// The instant (ns) a date and time on this zone's clocks names: in a gap (clocks put forward)
    /// the time after it, in a fold (clocks put back) the earlier of the two.
    pub fn instant_of(&self, local: PrimitiveDateTime) -> Option<i64> {
        let ns = match &self.kind {
            ZoneKind::Fixed(o) => local.assume_offset(*o).unix_timestamp_nanos(),
            ZoneKind::Named(tz) => {
                let dt = jiff::civil::DateTime::new(
                    i16::try_from(local.year()).ok()?,
                    i8::try_from(u8::from(local.month())).ok()?,
                    i8::try_from(local.day()).ok()?,
                    i8::try_from(local.hour()).ok()?,
                    i8::try_from(local.minute()).ok()?,
                    i8::try_from(local.second()).ok()?,
                    i32::try_from(local.nanosecond()).ok()?,
                )
                .ok()?;
                tz.to_timestamp(dt).ok()?.as_nanosecond()
            }
        };
        i64::try_from(ns).ok()
    }
}

/// `+09:00`, `+0900`, `+09`, `-05:30`: an offset of at most 23:59.
fn fixed_offset(s: &str) -> Result<UtcOffset, TimeProblem> {
    let bad = || TimeProblem::BadOffset {
        input: crate::domain::text::escape(s),
    };
    let (sign, rest) = s.split_at(1);
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    let colons = rest.matches(':').count();
    let well_formed = digits.bytes().all(|b| b.is_ascii_digit())
        && match digits.len() {
            2 => colons == 0,
            4 => colons == 0 || (colons == 1 && rest.find(':') == Some(2)),
            _ => false,
        };
    if !well_formed {
        return Err(bad());
    }
    let hours: i8 = digits[..2].parse().map_err(|_| bad())?;
    let minutes: i8 = match digits.len() {
        4 => digits[2..].parse().map_err(|_| bad())?,
        _ => 0,
    };
    if hours > 23 || minutes > 59 {
        return Err(bad());
    }
    let sign = if sign == "-" { -1 } else { 1 };
    UtcOffset::from_hms(sign * hours, sign * minutes, 0).map_err(|_| bad())
}

thread_local! {
    /// The zone the views are shown in on this thread (see [`in_zone`]).
    static SHOWN: RefCell<Zone> = RefCell::new(Zone::japan());
}

/// Runs `f` with times shown (and read, when written without an offset) in `zone` on this thread,
/// then restores the zone in force before, even if `f` panics.
pub fn in_zone<R>(zone: &Zone, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Zone>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(z) = self.0.take() {
                SHOWN.with(|s| *s.borrow_mut() = z);
            }
        }
    }
    let before = SHOWN.with(|s| std::mem::replace(&mut *s.borrow_mut(), zone.clone()));
    let _restore = Restore(Some(before));
    f()
}

/// The zone times are shown in on this thread: Japan time unless inside [`in_zone`].
pub fn shown_zone() -> Zone {
    SHOWN.with(|s| s.borrow().clone())
}

/// The offset of the shown zone at an instant.
fn shown_offset(ns: i64) -> UtcOffset {
    SHOWN.with(|s| s.borrow().offset_at(ns))
}

/// Nanoseconds since the epoch of an RFC 3339 time (`2015-06-30T09:00:00+09:00`).
pub fn parse_rfc3339(s: &str) -> Result<i64, String> {
    let t = OffsetDateTime::parse(s.trim(), &Rfc3339).map_err(|e| {
        format!(
            "cannot read time `{}` ({e}); write it as RFC 3339, e.g. 2015-06-30T09:00:00+09:00",
            s.trim()
        )
    })?;
    i64::try_from(t.unix_timestamp_nanos()).map_err(|_| format!("time `{s}` is out of range"))
}

/// Why a time people wrote cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeProblem {
    /// Not a time of any form [`parse_instant`] reads.
    #[error("cannot read the time `{input}`; write it as {INSTANT_FORMS}")]
    Unreadable {
        /// The input, in NFKC.
        input: String,
    },
    /// A time outside what can be held.
    #[error("time `{input}` is out of range")]
    OutOfRange {
        /// The input, in NFKC.
        input: String,
    },
    /// A time zone ([`Zone::parse`]) that is no form read and no IANA zone.
    #[error("unknown time zone `{input}`: write {ZONE_FORMS}")]
    UnknownZone {
        /// The input, in NFKC, escaped.
        input: String,
    },
    /// An offset (`+09:00`) that cannot be read.
    #[error("cannot read the offset `{input}`: write {ZONE_FORMS}")]
    BadOffset {
        /// The input, in NFKC, escaped.
        input: String,
    },
}

/// The forms [`parse_instant`] reads, for its messages.
pub const INSTANT_FORMS: &str = "2015-06-30, 2015/06/30, 2015-06-30 14:00, 2015/06/30 14:00:30, 平成27年6月30日, 2015年6月30日, or RFC 3339 such as 2015-06-30T14:00:00+09:00";

/// Nanoseconds of an instant as people write it: RFC 3339 (with its offset), or a date and time in the
/// shown zone (Japan time unless [`in_zone`] says otherwise) standing for the end of what it names: a
/// date alone (`2015-06-30`, `2015/6/30`, `平成27年6月30日`, `2015年6月30日`) is the end of that day,
/// `2015-06-30 14:00` the end of that minute, `14:00:30` the end of that second. Full-width digits
/// are read (NFKC).
pub fn parse_instant(s: &str) -> Result<i64, TimeProblem> {
    let zone = shown_zone();
    parse_instant_in(s, &zone)
}

/// [`parse_instant`] with a date and time read in `zone`.
pub fn parse_instant_in(s: &str, zone: &Zone) -> Result<i64, TimeProblem> {
    use unicode_normalization::UnicodeNormalization;
    let normalized: String = s.trim().nfkc().collect();
    let s = normalized.trim();
    if let Ok(ns) = parse_rfc3339(s) {
        return Ok(ns);
    }
    let end = local_end(s).ok_or_else(|| TimeProblem::Unreadable {
        input: s.to_string(),
    })?;
    zone.instant_of(end).ok_or_else(|| TimeProblem::OutOfRange {
        input: s.to_string(),
    })
}

/// The start and the end of the day, minute or second `s` names on a zone's clocks, if it is one of
/// the forms of [`parse_instant`] other than RFC 3339.
fn local_span(s: &str) -> Option<(PrimitiveDateTime, PrimitiveDateTime)> {
    let (date, time) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let (y, m, d) = japanese_date(date).or_else(|| numeric_date(date))?;
    let date = Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()?;
    let (start, end) = match time {
        None => (Time::MIDNIGHT, Time::MAX),
        Some(t) => {
            let parts: Vec<&str> = t.split(':').collect();
            let n = |i: usize| -> Option<u8> {
                let p = parts.get(i)?;
                (!p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| p.parse().ok())
                    .flatten()
            };
            match parts.len() {
                2 => (
                    Time::from_hms(n(0)?, n(1)?, 0).ok()?,
                    Time::from_hms_nano(n(0)?, n(1)?, 59, 999_999_999).ok()?,
                ),
                3 => (
                    Time::from_hms(n(0)?, n(1)?, n(2)?).ok()?,
                    Time::from_hms_nano(n(0)?, n(1)?, n(2)?, 999_999_999).ok()?,
                ),
                _ => return None,
            }
        }
    };
    Some((
        PrimitiveDateTime::new(date, start),
        PrimitiveDateTime::new(date, end),
    ))
}

/// The end of what `s` names (see [`local_span`]).
fn local_end(s: &str) -> Option<PrimitiveDateTime> {
    local_span(s).map(|(_, end)| end)
}

/// Nanoseconds of the start of what `s` names, in the forms of [`parse_instant`]: RFC 3339 is the
/// instant itself, a date alone the start of that day in the shown zone (`00:00:00`; Japan time unless
/// [`in_zone`] says otherwise), `2015-06-30 14:00` the start of that minute. With [`parse_instant`] it
/// bounds a range from both sides (a range from a day to that day is the whole day).
pub fn parse_instant_start(s: &str) -> Result<i64, TimeProblem> {
    let zone = shown_zone();
    parse_instant_start_in(s, &zone)
}

/// [`parse_instant_start`] with a date and time read in `zone`.
pub fn parse_instant_start_in(s: &str, zone: &Zone) -> Result<i64, TimeProblem> {
    use unicode_normalization::UnicodeNormalization;
    let normalized: String = s.trim().nfkc().collect();
    let s = normalized.trim();
    if let Ok(ns) = parse_rfc3339(s) {
        return Ok(ns);
    }
    let (start, _) = local_span(s).ok_or_else(|| TimeProblem::Unreadable {
        input: s.to_string(),
    })?;
    zone.instant_of(start)
        .ok_or_else(|| TimeProblem::OutOfRange {
            input: s.to_string(),
        })
}

/// `2015-06-30` or `2015/6/30`.
fn numeric_date(s: &str) -> Option<(i32, u8, u8)> {
    let parts: Vec<&str> = s.split(['-', '/']).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let digits = |p: &str, max: usize| {
        !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit())
    };
    if y.len() != 4 || !digits(y, 4) || !digits(m, 2) || !digits(d, 2) {
        return None;
    }
    Some((y.parse().ok()?, m.parse().ok()?, d.parse().ok()?))
}

/// `平成27年6月30日`, `令和元年5月1日`, `H27年6月30日`, `2015年6月30日`.
fn japanese_date(s: &str) -> Option<(i32, u8, u8)> {
    let (first, rest) = if let Some(r) = s
        .strip_prefix("平成")
        .or_else(|| s.strip_prefix(['H', 'h']))
    {
        (Some(1988), r)
    } else if let Some(r) = s
        .strip_prefix("令和")
        .or_else(|| s.strip_prefix(['R', 'r']))
    {
        (Some(2018), r)
    } else {
        (None, s)
    };
    let (year, rest) = rest.split_once('年')?;
    let (month, rest) = rest.split_once('月')?;
    let day = rest.strip_suffix('日')?;
    let number = |p: &str| -> Option<i32> {
        (!p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let y = match (first, year) {
        (Some(base), "元") => base + 1,
        (Some(base), n) => base + number(n).filter(|n| (1..=200).contains(n))?,
        (None, n) if n.len() == 4 => number(n)?,
        (None, _) => return None,
    };
    Some((
        y,
        u8::try_from(number(month)?).ok()?,
        u8::try_from(number(day)?).ok()?,
    ))
}

/// RFC 3339 in UTC with the precision the value needs (`2015-01-01T00:00:00Z`).
pub fn format(ns: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns))
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("@{ns}ns"))
}

/// RFC 3339 in the shown zone with the precision the value needs (`2015-11-06T08:30:00+09:00` in Japan
/// time): the times of the views' JSON.
pub fn format_shown(ns: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns))
        .ok()
        .map(|t| t.to_offset(shown_offset(ns)))
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("@{ns}ns"))
}

/// The former name of [`format_shown`] (Japan time is the shown zone's default).
pub fn format_jst(ns: i64) -> String {
    format_shown(ns)
}

/// A time as people read it, to the second, in the shown zone: `2015-11-06 08:30:00 +09:00` (the times
/// of the views' text).
pub fn format_text(ns: i64) -> String {
    format_text_at(ns, shown_offset(ns))
}

/// [`format_text`] in `zone` whatever the shown zone (a Japanese notice's times are Japan time).
pub fn format_text_in(ns: i64, zone: &Zone) -> String {
    format_text_at(ns, zone.offset_at(ns))
}

fn format_text_at(ns: i64, offset: UtcOffset) -> String {
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] [offset_hour sign:mandatory]:[offset_minute]"
    );
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns))
        .ok()
        .map(|t| t.to_offset(offset))
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| format!("@{ns}ns"))
}

/// Serializes a time as [`format_shown`] (for the views' JSON: `#[serde(serialize_with = ...)]`).
pub fn serialize_shown<S: serde::Serializer>(ns: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_shown(*ns))
}

/// [`serialize_shown`] of a time that may be absent (`null`).
pub fn serialize_shown_opt<S: serde::Serializer>(
    ns: &Option<i64>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match ns {
        Some(ns) => s.serialize_str(&format_shown(*ns)),
        None => s.serialize_none(),
    }
}

/// The former name of [`serialize_shown`].
pub fn serialize_jst<S: serde::Serializer>(ns: &i64, s: S) -> Result<S::Ok, S::Error> {
    serialize_shown(ns, s)
}

/// The former name of [`serialize_shown_opt`].
pub fn serialize_jst_opt<S: serde::Serializer>(ns: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    serialize_shown_opt(ns, s)
}

/// A UTC time for a file name: `20261129T234426Z` (seconds; no characters a file system refuses).
pub fn file_stamp(ns: i64) -> String {
    let fmt = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns))
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| format!("{ns}ns"))
}

/// The current time in nanoseconds since the epoch.
pub fn now() -> i64 {
    i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_dates_end_in_jst() {
        let ns = parse_rfc3339("2015-01-01T09:00:00+09:00").unwrap();
        assert_eq!(ns, 1_420_070_400_000_000_000);
        assert_eq!(format(ns), "2015-01-01T00:00:00Z");
        let end = parse_instant("2015-06-30").unwrap();
        assert_eq!(format(end), "2015-06-30T14:59:59.999999999Z");
        assert!(
            parse_instant("2015-13-01")
                .unwrap_err()
                .to_string()
                .contains("2015/06/30")
        );
        assert!(parse_rfc3339("yesterday").unwrap_err().contains("RFC 3339"));
    }

    #[test]
    fn instants_as_people_write_them_end_what_they_name_in_japan_time() {
        let jst = |s: &str| format_jst(parse_instant(s).unwrap());
        for (input, want) in [
            ("2026-11-30", "2026-11-30T23:59:59.999999999+09:00"),
            ("2026/11/30", "2026-11-30T23:59:59.999999999+09:00"),
            ("2026/1/5", "2026-01-05T23:59:59.999999999+09:00"),
            (
                "２０２６／１１／３０",
                "2026-11-30T23:59:59.999999999+09:00",
            ),
            ("2026-11-30 14:00", "2026-11-30T14:00:59.999999999+09:00"),
            ("2026/11/30 14:00:30", "2026-11-30T14:00:30.999999999+09:00"),
            ("令和8年11月30日", "2026-11-30T23:59:59.999999999+09:00"),
            ("令和元年5月1日", "2019-05-01T23:59:59.999999999+09:00"),
            ("平成27年6月30日", "2015-06-30T23:59:59.999999999+09:00"),
            ("H27年6月30日", "2015-06-30T23:59:59.999999999+09:00"),
            ("2015年6月30日", "2015-06-30T23:59:59.999999999+09:00"),
            ("2015-06-30T14:00:00Z", "2015-06-30T23:00:00+09:00"),
        ] {
            assert_eq!(jst(input), want, "{input}");
        }
        for bad in [
            "2026-11-31",
            "2026/13/01",
            "2026-11-30 25:00",
            "2026-11-30 14",
            "令和8年11月",
            "27年6月30日",
            "yesterday",
            "",
        ] {
            let e = parse_instant(bad).unwrap_err().to_string();
            assert!(e.contains("平成27年6月30日"), "{bad}: {e}");
        }
    }

    #[test]
    fn zones_are_read_as_people_write_them() {
        let at = parse_rfc3339("2015-11-05T23:30:00Z").unwrap();
        let shown = |zone: &str| format_text_in(at, &Zone::parse(zone).unwrap());
        for (zone, want) in [
            ("Asia/Tokyo", "2015-11-06 08:30:00 +09:00"),
            ("JST", "2015-11-06 08:30:00 +09:00"),
            ("ＵＴＣ", "2015-11-05 23:30:00 +00:00"),
            ("utc", "2015-11-05 23:30:00 +00:00"),
            ("+09:00", "2015-11-06 08:30:00 +09:00"),
            ("+0530", "2015-11-06 05:00:00 +05:30"),
            ("-05", "2015-11-05 18:30:00 -05:00"),
            // An IANA zone with daylight saving: 5 November is after New York's clocks went back.
            ("America/New_York", "2015-11-05 18:30:00 -05:00"),
        ] {
            assert_eq!(shown(zone), want, "{zone}");
        }
        let summer = parse_rfc3339("2015-07-01T12:00:00Z").unwrap();
        assert_eq!(
            format_text_in(summer, &Zone::parse("America/New_York").unwrap()),
            "2015-07-01 08:00:00 -04:00"
        );
        assert!(Zone::parse("Asia/Tokyo").unwrap().is_japan());
        assert!(!Zone::parse("UTC").unwrap().is_japan());
        for bad in [
            "Mars/Olympus",
            "+24:00",
            "+9",
            "+09:60",
            "09:00",
            "",
            "Asia/../etc",
        ] {
            let e = Zone::parse(bad).unwrap_err().to_string();
            assert!(
                e.contains("Asia/Tokyo") && e.contains("+09:00"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn the_shown_zone_is_scoped_and_reads_dates_too() {
        let at = parse_rfc3339("2015-11-05T23:30:00Z").unwrap();
        assert_eq!(format_text(at), "2015-11-06 08:30:00 +09:00");
        let utc = Zone::utc();
        in_zone(&utc, || {
            assert_eq!(format_text(at), "2015-11-05 23:30:00 +00:00");
            assert_eq!(format_shown(at), "2015-11-05T23:30:00Z");
            // A date alone is the end of that day in the shown zone.
            assert_eq!(
                format(parse_instant("2015-11-05").unwrap()),
                "2015-11-05T23:59:59.999999999Z"
            );
        });
        assert_eq!(format_text(at), "2015-11-06 08:30:00 +09:00", "restored");
        assert_eq!(
            format(parse_instant_in("2015-11-05", &Zone::japan()).unwrap()),
            "2015-11-05T14:59:59.999999999Z"
        );
        let ny = Zone::parse("America/New_York").unwrap();
        assert_eq!(
            format(parse_instant_in("2015-07-01 08:00", &ny).unwrap()),
            "2015-07-01T12:00:59.999999999Z"
        );
    }

    #[test]
    fn the_start_of_what_an_instant_names_bounds_it_with_its_end() {
        let jst = |s: &str| format_jst(parse_instant_start(s).unwrap());
        for (input, want) in [
            ("2026-11-30", "2026-11-30T00:00:00+09:00"),
            ("令和8年11月30日", "2026-11-30T00:00:00+09:00"),
            ("2026-11-30 14:00", "2026-11-30T14:00:00+09:00"),
            ("2026/11/30 14:00:30", "2026-11-30T14:00:30+09:00"),
            ("2015-06-30T14:00:00Z", "2015-06-30T23:00:00+09:00"),
        ] {
            assert_eq!(jst(input), want, "{input}");
            let (start, end) = (
                parse_instant_start(input).unwrap(),
                parse_instant(input).unwrap(),
            );
            assert!(start <= end, "{input}");
        }
        assert!(parse_instant_start("2026-11-31").is_err());
    }

    #[test]
    fn views_show_japan_time_whatever_the_system_zone() {
        // 08:30 in Japan on 6 November is 23:30 UTC on the 5th.
        let ns = parse_rfc3339("2015-11-05T23:30:00.123456789Z").unwrap();
        assert_eq!(format(ns), "2015-11-05T23:30:00.123456789Z");
        assert_eq!(format_jst(ns), "2015-11-06T08:30:00.123456789+09:00");
        assert_eq!(format_text(ns), "2015-11-06 08:30:00 +09:00");
    }
}
