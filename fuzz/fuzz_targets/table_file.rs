#![no_main]
//! The published-table importer (TSV as published, hyoka's TSV and CSV) on arbitrary bytes.
use hyoka::table::read::{FormatHint, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for hint in [FormatHint::Auto, FormatHint::Tsv, FormatHint::Csv] {
        let _ = parse(data, hint);
    }
    if let Ok(p) = hyoka::import::prepare(data, "fuzz.tsv", None, None) {
        let _ = hyoka::import::check_totals(&p);
    }
});
