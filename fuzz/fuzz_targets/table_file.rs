#![no_main]
//! The published-table importer (TSV as published, hyoka's TSV and CSV) on arbitrary bytes.
use hyoka::table::TableFormat;
use hyoka::table::read::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for hint in [None, Some(TableFormat::Tsv), Some(TableFormat::Csv)] {
        let _ = parse(data, hint);
    }
    if let Ok(p) = hyoka::import::prepare::prepare(data, "fuzz.tsv", None, None) {
        let _ = hyoka::import::prepare::check_totals(&p);
    }
});
