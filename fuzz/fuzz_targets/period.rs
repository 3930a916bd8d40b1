#![no_main]
//! The period and time-point parsers on arbitrary text.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = hyoka::domain::period::Period::parse(s, Some(hyoka::domain::period::Era::Reiwa));
        let _ = hyoka::views::audit::Point::parse(s, None);
        let _ = hyoka::domain::when::parse_instant(s);
    }
});
