//! Where a command's recorded time comes from: the system clock, or `HYOKA_NOW` in a build with the
//! `test-clock` feature (the one tests use).

use super::failure::Failure;
use super::i18n::t;

/// Where the recorded time comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clock {
    /// The system clock.
    System,
    /// The time `HYOKA_NOW` gives (ns since the epoch).
    Fixed(i64),
    /// The system clock: `HYOKA_NOW` is set but this build does not read it (no `test-clock` feature).
    OverrideIgnored,
}

/// The clock to record with, given `HYOKA_NOW` (`env`) and whether this build has the `test-clock`
/// feature: only such a build (the one tests use) reads `HYOKA_NOW`, so that a stray variable can never
/// put a real ledger's times anywhere but the clock's. Err: `HYOKA_NOW` is not an RFC 3339 time.
pub fn clock_override(env: Option<&str>, feature_enabled: bool) -> Result<Clock, String> {
    match env {
        None => Ok(Clock::System),
        Some(_) if !feature_enabled => Ok(Clock::OverrideIgnored),
        Some(s) => hyoka::domain::when::parse_rfc3339(s)
            .map(Clock::Fixed)
            .map_err(|e| format!("HYOKA_NOW: {e}")),
    }
}

/// The recorded time: the system clock, or `HYOKA_NOW` (RFC 3339) in a build with the `test-clock`
/// feature. Another build says once on stderr that it ignores `HYOKA_NOW`.
pub fn now() -> Result<i64, Failure> {
    let env = std::env::var_os("HYOKA_NOW").map(|v| v.to_string_lossy().into_owned());
    match clock_override(env.as_deref(), cfg!(feature = "test-clock")).map_err(Failure::usage)? {
        Clock::System => Ok(hyoka::domain::when::now()),
        Clock::Fixed(t) => Ok(t),
        Clock::OverrideIgnored => {
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| {
                eprintln!("{}", t!("warning-line", line = t!("clock-now-ignored")));
            });
            Ok(hyoka::domain::when::now())
        }
    }
}

/// The time that names files a command keeps aside (cut journal bytes, a checkpoint moved aside): as
/// [`now`], without its warning (the command may record nothing) and without failing.
pub fn file_time() -> i64 {
    let env = std::env::var_os("HYOKA_NOW").map(|v| v.to_string_lossy().into_owned());
    match clock_override(env.as_deref(), cfg!(feature = "test-clock")) {
        Ok(Clock::Fixed(t)) => t,
        _ => hyoka::domain::when::now(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // `cargo test` builds the crate, and so this binary, with the feature (the dev-dependency on itself
    // in Cargo.toml): tests that set HYOKA_NOW rely on it, so a test build without it does not compile.
    const _: () = assert!(
        cfg!(feature = "test-clock"),
        "tests need the test-clock feature"
    );

    #[test]
    fn hyoka_now_is_read_only_by_a_build_with_the_test_clock_feature() {
        assert_eq!(clock_override(None, true), Ok(Clock::System));
        assert_eq!(clock_override(None, false), Ok(Clock::System));
        assert_eq!(
            clock_override(Some("2015-01-01T09:00:00+09:00"), true),
            Ok(Clock::Fixed(1_420_070_400_000_000_000))
        );
        // Without the feature HYOKA_NOW is ignored, whatever it holds (now() warns once on stderr).
        for value in [
            "2015-01-01T09:00:00+09:00",
            "2262-04-11T23:47:16.854775807Z",
            "yesterday",
            "",
        ] {
            assert_eq!(
                clock_override(Some(value), false),
                Ok(Clock::OverrideIgnored)
            );
        }
        let err = clock_override(Some("yesterday"), true).unwrap_err();
        assert!(
            err.starts_with("HYOKA_NOW: cannot read time `yesterday`"),
            "{err}"
        );
    }
}
