#![no_main]
//! See `httpcore_fuzz::request_serializer` for what this target checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| httpcore_fuzz::request_serializer(data));
