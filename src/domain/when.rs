//! Times: recorded as integer nanoseconds since the Unix epoch (UTC). The export and the event's
//! machine form write them as RFC 3339 in UTC ([`format`], `schema/FORMAT.md` section 10); the views
//! show them in Japan time, as RFC 3339 with `+09:00` in JSON ([`format_jst`]) and as
//! `2015-11-06 08:30:00 +09:00` in text ([`format_text`]).

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Japan Standard Time, UTC+9 (no daylight saving).
pub const JST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

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

/// The forms [`parse_instant`] reads, for its messages.
pub const INSTANT_FORMS: &str = "2015-06-30, 2015/06/30, 2015-06-30 14:00, 2015/06/30 14:00:30, 平成27年6月30日, 2015年6月30日, or RFC 3339 such as 2015-06-30T14:00:00+09:00";

/// Nanoseconds of an instant as people write it: RFC 3339 (with its offset), or a date and time in Japan
/// time standing for the end of what it names: a date alone (`2015-06-30`, `2015/6/30`, `平成27年6月30日`,
/// `2015年6月30日`) is the end of that day, `2015-06-30 14:00` the end of that minute, `14:00:30` the
/// end of that second. Full-width digits are read (NFKC).
pub fn parse_instant(s: &str) -> Result<i64, String> {
    use unicode_normalization::UnicodeNormalization;
    let normalized: String = s.trim().nfkc().collect();
    let s = normalized.trim();
    if let Ok(ns) = parse_rfc3339(s) {
        return Ok(ns);
    }
    let end = local_end(s)
        .ok_or_else(|| format!("cannot read the time `{s}`; write it as {INSTANT_FORMS}"))?;
    i64::try_from(end.assume_offset(JST).unix_timestamp_nanos())
        .map_err(|_| format!("time `{s}` is out of range"))
}

/// The start and the end of the day, minute or second `s` names in local (Japan) time, if it is one of
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
/// instant itself, a date alone the start of that day in Japan time (`00:00:00`), `2015-06-30 14:00` the
/// start of that minute. With [`parse_instant`] it bounds a range from both sides (`--since` a day
/// includes that whole day, `--until` it too).
pub fn parse_instant_start(s: &str) -> Result<i64, String> {
    use unicode_normalization::UnicodeNormalization;
    let normalized: String = s.trim().nfkc().collect();
    let s = normalized.trim();
    if let Ok(ns) = parse_rfc3339(s) {
        return Ok(ns);
    }
    let (start, _) = local_span(s)
        .ok_or_else(|| format!("cannot read the time `{s}`; write it as {INSTANT_FORMS}"))?;
    i64::try_from(start.assume_offset(JST).unix_timestamp_nanos())
        .map_err(|_| format!("time `{s}` is out of range"))
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

/// RFC 3339 in Japan time with the precision the value needs (`2015-11-06T08:30:00+09:00`): the
/// times of the views' JSON.
pub fn format_jst(ns: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns))
        .ok()
        .map(|t| t.to_offset(JST))
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("@{ns}ns"))
}

/// Japan time as people read it, to the second: `2015-11-06 08:30:00 +09:00` (the times of the views'
/// text).
pub fn format_text(ns: i64) -> String {
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] [offset_hour sign:mandatory]:[offset_minute]"
    );
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns))
        .ok()
        .map(|t| t.to_offset(JST))
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| format!("@{ns}ns"))
}

/// Serializes a time as [`format_jst`] (for the views' JSON: `#[serde(serialize_with = ...)]`).
pub fn serialize_jst<S: serde::Serializer>(ns: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_jst(*ns))
}

/// [`serialize_jst`] of a time that may be absent (`null`).
pub fn serialize_jst_opt<S: serde::Serializer>(ns: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match ns {
        Some(ns) => s.serialize_str(&format_jst(*ns)),
        None => s.serialize_none(),
    }
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
            let e = parse_instant(bad).unwrap_err();
            assert!(e.contains("平成27年6月30日"), "{bad}: {e}");
        }
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
