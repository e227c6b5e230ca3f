#![no_main]
//! The client layer's pool, retries, redirects and deadlines in a simulated
//! world whose every choice comes from the input; see
//! `httpcore_client::sim` for the invariants checked at every step.
libfuzzer_sys::fuzz_target!(|data: &[u8]| httpcore_client::sim::fuzz(data));
