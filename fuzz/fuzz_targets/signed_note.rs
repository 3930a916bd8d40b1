#![no_main]
//! Signed notes, checkpoints and keys on arbitrary bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hyoka::tlog::note::parse_note(data);
    let _ = hyoka::tlog::checkpoint::parse_signed(data);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = hyoka::tlog::note::VerifierKey::parse(s);
        let _ = hyoka::tlog::note::SignerKey::parse(s);
    }
});
