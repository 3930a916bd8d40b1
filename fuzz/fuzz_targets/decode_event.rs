#![no_main]
//! Event decoding from arbitrary bytes: an event or an error; what decodes re-encodes to the same bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(e) = hyoka::domain::event::decode(data) {
        assert_eq!(hyoka::domain::event::encode(&e).ok().as_deref(), Some(data));
    }
});
