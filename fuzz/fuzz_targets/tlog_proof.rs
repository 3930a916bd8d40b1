#![no_main]
//! C2SP tlog-proof and the consistency body on arbitrary bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hyoka::tlog::proof_text::TlogProof::parse(data);
    let _ = hyoka::tlog::proof_text::ConsistencyBody::parse(data);
});
