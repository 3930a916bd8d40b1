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

/// Nanoseconds of an RFC 3339 time, or of a date alone (`2015-06-30`) meaning the end of that day in JST.
pub fn parse_instant(s: &str) -> Result<i64, String> {
    let s = s.trim();
    if s.len() == 10 && !s.contains('T') {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        let d = Date::parse(s, &fmt).map_err(|e| {
            format!("cannot read date `{s}` ({e}); write YYYY-MM-DD or an RFC 3339 time")
        })?;
        let end = PrimitiveDateTime::new(d, Time::MAX).assume_offset(JST);
        return i64::try_from(end.unix_timestamp_nanos())
            .map_err(|_| format!("date `{s}` is out of range"));
    }
    parse_rfc3339(s)
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

/// [`format_text`] of a time a view holds as RFC 3339 (any offset); the text itself if it is not one.
pub fn text_of(rfc3339: &str) -> String {
    match parse_rfc3339(rfc3339) {
        Ok(ns) => format_text(ns),
        Err(_) => rfc3339.to_string(),
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
                .contains("YYYY-MM-DD")
        );
        assert!(parse_rfc3339("yesterday").unwrap_err().contains("RFC 3339"));
    }

    #[test]
    fn views_show_japan_time_whatever_the_system_zone() {
        // 08:30 in Japan on 6 November is 23:30 UTC on the 5th.
        let ns = parse_rfc3339("2015-11-05T23:30:00.123456789Z").unwrap();
        assert_eq!(format(ns), "2015-11-05T23:30:00.123456789Z");
        assert_eq!(format_jst(ns), "2015-11-06T08:30:00.123456789+09:00");
        assert_eq!(format_text(ns), "2015-11-06 08:30:00 +09:00");
        assert_eq!(text_of(&format_jst(ns)), "2015-11-06 08:30:00 +09:00");
        assert_eq!(text_of(&format(ns)), "2015-11-06 08:30:00 +09:00");
        assert_eq!(text_of("not a time"), "not a time");
    }
}
