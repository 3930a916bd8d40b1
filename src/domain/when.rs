//! Times: recorded as integer nanoseconds since the Unix epoch (UTC), shown as RFC 3339 in UTC.

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
}
