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

/// A response whose status line is `line`, a complete empty body after it.
fn with_status(line: &str) -> Vec<u8> {
    format!("{line}\r\nContent-Length: 0\r\n\r\n").into_bytes()
}

/// A response with one field line `field` before an empty body's framing.
fn with_field(field: &str) -> Vec<u8> {
    format!("HTTP/1.1 200 OK\r\n{field}\r\nContent-Length: 0\r\n\r\n").into_bytes()
}

/// A chunked response whose trailer section is `trailer`.
fn with_trailer(trailer: &str) -> Vec<u8> {
    format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n{trailer}\r\n\r\n")
        .into_bytes()
}

/// `input` has the outcome `want` (`None`: accepted) whole, byte by byte
/// and cut at every byte.
fn outcome_everywhere(input: &[u8], config: &Config, want: Option<&str>) {
    for (how, out) in every_split(config, input) {
        let got = out.error.as_ref().map(|e| e.name());
        assert_eq!(got, want, "{:?} {how}", String::from_utf8_lossy(input));
    }
}

/// (line, strict outcome, lenient outcome): `None` accepted, else the error.
type Row = (&'static str, Option<&'static str>, Option<&'static str>);

#[test]
fn status_lines_against_rfc_9112_section_4() {
    const BAD: Option<&str> = Some("BadStatusLine");
    #[rustfmt::skip]
    let table: &[Row] = &[
        ("HTTP/1.1 200 OK", None, None),
        ("HTTP/1.0 404 Not Found", None, None),
        ("HTTP/1.1 200 ", None, None),
        // reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ): a leading SP
        // or a tab inside is part of it.
        ("HTTP/1.1 200  OK", None, None),
        ("HTTP/1.1 200 O\tK", None, None),
        // `status-code SP [ reason-phrase ]`: the SP is required.
        ("HTTP/1.1 200", BAD, None),
        ("HTTP/1.1  200 OK", BAD, None),
        ("HTTP/1.1\t200 OK", BAD, None),
        (" HTTP/1.1 200 OK", BAD, None),
        ("HTTP/1.1 200 OK\x7f", BAD, None),
        ("HTTP/1.1 200 O\x01K", BAD, None),
        ("HTTP/1.1 2000 OK", BAD, BAD),
        ("HTTP/1.1 20 OK", BAD, BAD),
        ("HTTP/1.1 099 OK", BAD, BAD),
        ("HTTP/1.1 2x0 OK", BAD, BAD),
        ("HTTP/1 200 OK", BAD, BAD),
    ];
    for &(line, strict, lenient) in table {
        outcome_everywhere(&with_status(line), &Config::strict(), strict);
        outcome_everywhere(&with_status(line), &Config::lenient(), lenient);
    }
}

#[test]
fn field_and_trailer_lines_against_rfc_9112_section_5() {
    const BAD: Option<&str> = Some("InvalidHeader");
    #[rustfmt::skip]
    let table: &[Row] = &[
        ("X: a", None, None),
        ("X:a", None, None),
        ("X:", None, None),
        ("X: a b", None, None),
        ("X:\ta\t", None, None),
        ("!#$%&'*+-.^_`|~: v", None, None),
        // field-name = token, then ":" at once; no whitespace first.
        ("X : a", BAD, None),
        ("X(: a", BAD, None),
        (": a", BAD, None),
        // field-value: no control bytes but HTAB.
        ("X: a\x7fb", BAD, None),
        ("X: a\x01b", BAD, None),
        // A line starting with whitespace is obs-fold (an error before the
        // first field in either mode).
        (" X: a", BAD, BAD),
    ];
    for &(line, strict, lenient) in table {
        outcome_everywhere(&with_field(line), &Config::strict(), strict);
        outcome_everywhere(&with_field(line), &Config::lenient(), lenient);
        // The same rules hold in a trailer section.
        let trailer_error = |e: Option<&'static str>| e.map(|_| "InvalidChunk");
        outcome_everywhere(
            &with_trailer(line),
            &Config::strict(),
            trailer_error(strict),
        );
        outcome_everywhere(
            &with_trailer(line),
            &Config::lenient(),
            trailer_error(lenient),
        );
    }
}

#[test]
fn the_last_chunk_takes_extensions_and_trailers_under_the_same_rules() {
    for (body, strict, lenient) in [
        ("0\r\n\r\n", None, None),
        ("00000\r\n\r\n", None, None),
        ("0;a=b\r\n\r\n", None, None),
        ("0;a=\"b c\"\r\nT: v\r\n\r\n", None, None),
        ("0 \r\n\r\n", Some("InvalidChunk"), None),
        ("0;\r\n\r\n", Some("InvalidChunk"), None),
        ("0\n\r\n", Some("InvalidChunk"), None),
    ] {
        let input = format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{body}");
        outcome_everywhere(input.as_bytes(), &Config::strict(), strict);
        outcome_everywhere(input.as_bytes(), &Config::lenient(), lenient);
    }
}
