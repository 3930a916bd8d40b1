#![no_main]
//! Signed notes, checkpoints and keys on arbitrary bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hyoka::note::parse_note(data);
    let _ = hyoka::checkpoint::parse_signed(data);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = hyoka::note::VerifierKey::parse(s);
        let _ = hyoka::note::SignerKey::parse(s);
    }
});
