#![no_main]
//! The client layer's byte parsers — the SOCKS5 handshake, proxy URLs,
//! `no_proxy` lists, the body decoders — on arbitrary input; see
//! `httpcore_client::sim::fuzz_parsers`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| httpcore_client::sim::fuzz_parsers(data));
