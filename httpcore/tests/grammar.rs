//! Chunk-size lines against RFC 9112 §7.1.1's grammar, table-driven: each
//! line accepted or rejected in strict mode (and what lenient mode, which
//! takes what hyper and h11 take, does with it) — whole, one byte at a
//! time, and cut at every byte.

mod support;

use httpcore::Config;
use support::{run_bytewise, run_cuts, run_whole, Outcome};

/// A chunked response whose first chunk-size line is `5` + `ext`.
fn response(ext: &str) -> Vec<u8> {
    format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5{ext}\r\nhello\r\n0\r\n\r\n")
        .into_bytes()
}

/// Every way of feeding `input`: whole, byte by byte, each single cut.
fn every_split(config: &Config, input: &[u8]) -> Vec<(String, Outcome)> {
    let mut all = vec![
        (
            "whole".to_string(),
            run_whole("GET", config.clone(), input, false),
        ),
        (
            "bytewise".to_string(),
            run_bytewise("GET", config.clone(), input, false),
        ),
    ];
    for cut in 1..input.len() {
        all.push((
            format!("cut at {cut}"),
            run_cuts("GET", config.clone(), input, &[cut], false),
        ));
    }
    all
}

fn check(ext: &str, config: &Config, accepted: bool) {
    for (how, out) in every_split(config, &response(ext)) {
        if accepted {
            assert!(out.error.is_none(), "{ext:?} {how}: {:?}", out.error);
            assert_eq!(out.body(), b"hello", "{ext:?} {how}");
        } else {
            let name = out.error.as_ref().map(|e| e.name());
            assert_eq!(name, Some("InvalidChunk"), "{ext:?} {how}");
        }
    }
}

/// Lines inside the grammar: both modes take them.
const VALID: &[&str] = &[
    "",
    ";a",
    ";a=b",
    " ;a",
    "\t; a = b",
    ";a=\"\"",
    ";a=\"b; c\"",
    ";a=\"q\\\"d\\\\\"",
    ";a;b=1;c=\"2\"",
    ";a ;b",
    ";a=\"\tx y\"",
    ";!#$%&'*+-.^_`|~=!#$%&'*+-.^_`|~",
];

/// Lines outside the grammar that lenient mode still takes (field-value
/// bytes after a `;`, whitespace at the end).
const LOOSE: &[&str] = &[
    " ",
    "\t \t",
    ";",
    ";;;  ;",
    "; ",
    ";a ",
    ";a=",
    ";a=b ",
    ";a=b c",
    ";a=\"open",
    ";a=\"x\"y",
    ";=b",
    ";a b",
    ";a=,",
    ";a=b;",
    ";a@b",
    ";a={}",
];

/// Lines no mode takes: a byte other than `;` after the size (not a hex
/// digit: `5a` is a size), control bytes.
const INVALID: &[&str] = &[
    "g",
    "x;a",
    " g",
    ";a=\"ctl\x01\"",
    ";a=\x7f",
    ";a\x00",
    ";a=b\x0b",
];

#[test]
fn strict_mode_follows_the_chunk_ext_rule_exactly() {
    let strict = Config::strict();
    for ext in VALID {
        check(ext, &strict, true);
    }
    for ext in LOOSE.iter().chain(INVALID) {
        check(ext, &strict, false);
    }
}

#[test]
fn lenient_mode_takes_loose_extensions_as_a_named_leniency_and_nothing_more() {
    let lenient = Config::lenient();
    for ext in VALID.iter().chain(LOOSE) {
        check(ext, &lenient, true);
    }
    for ext in INVALID {
        check(ext, &lenient, false);
    }
    // The one switch is what makes the difference.
    let mut config = Config::strict();
    config.leniency.loose_chunk_extensions = true;
    for ext in LOOSE {
        check(ext, &config, true);
    }
}
