//! Property tests: random splits give identical events; random valid
//! requests round-trip through the serialiser and httparse; random bytes
//! never panic and never grow memory past the limits.

mod support;

use httpcore::{Authority, BodyLength, Config, Connection};
use proptest::prelude::*;
use support::{drain_body_chunks, run_cuts, run_cuts_heads, run_cuts_with, run_whole};

/// Responses built from parts, valid and not.
fn response() -> impl Strategy<Value = Vec<u8>> {
    let status = prop_oneof![
        Just(200u16),
        Just(204),
        Just(304),
        Just(100),
        Just(103),
        Just(404),
        100u16..1000
    ];
    let field = (
        "[A-Za-z-]{1,12}",
        prop::collection::vec(
            prop_oneof![Just(b' '), Just(b'\t'), 0x21u8..0x7f, 0x80u8..=0xff],
            0..30,
        ),
    );
    let body = prop::collection::vec(any::<u8>(), 0..200);
    let framing = prop_oneof![Just(0u8), Just(1), Just(2), Just(3)];
    (
        status,
        prop::collection::vec(field, 0..8),
        body,
        framing,
        1usize..40,
        any::<bool>(),
    )
        .prop_map(|(status, fields, body, framing, chunk, ext)| {
            let mut r = format!("HTTP/1.1 {status} Reason\r\n").into_bytes();
            for (n, v) in fields {
                r.extend_from_slice(n.as_bytes());
                r.extend_from_slice(b": ");
                r.extend_from_slice(&v);
                r.extend_from_slice(b"\r\n");
            }
            match framing {
                0 => {
                    r.extend_from_slice(
                        format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes(),
                    );
                    r.extend_from_slice(&body);
                }
                1 => {
                    r.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
                    for c in body.chunks(chunk) {
                        let e = if ext { ";a=\"b c\"" } else { "" };
                        r.extend_from_slice(format!("{:x}{e}\r\n", c.len()).as_bytes());
                        r.extend_from_slice(c);
                        r.extend_from_slice(b"\r\n");
                    }
                    r.extend_from_slice(b"0\r\nX-T: 1\r\n\r\n");
                }
                2 => {
                    r.extend_from_slice(b"\r\n");
                    r.extend_from_slice(&body);
                }
                _ => r.extend_from_slice(b"\r\n"),
            }
            r
        })
}

fn mutated() -> impl Strategy<Value = Vec<u8>> {
    (
        response(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
    )
        .prop_map(|(mut r, muts)| {
            for (i, b) in muts {
                let i = i.index(r.len());
                r[i] = b;
            }
            r
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn any_split_gives_the_same_events(input in mutated(), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12), eof: bool, lenient: bool) {
        let config = if lenient { Config::lenient() } else { Config::strict() };
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(input.len() + 1)).collect();
        cuts.sort_unstable();
        for method in ["GET", "HEAD"] {
            let whole = run_whole(method, config.clone(), &input, eof);
            let split = run_cuts(method, config.clone(), &input, &cuts, eof);
            prop_assert_eq!(split.key(), whole.key());
            if whole.error.is_none() {
                // After an error, how much was fed depends on the split; before, nothing may be lost.
                prop_assert_eq!(split.leftover, whole.leftover);
            }
        }
    }

    #[test]
    fn poll_head_says_what_the_events_say(input in mutated(), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6), eof: bool, lenient: bool) {
        let config = if lenient { Config::lenient() } else { Config::strict() };
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(input.len() + 1)).collect();
        cuts.sort_unstable();
        let events = run_whole("GET", config.clone(), &input, eof);
        let heads = run_cuts_heads("GET", config, &input, &cuts, eof);
        prop_assert_eq!(heads.key(), events.key());
        prop_assert_eq!(heads.reusable, events.reusable);
    }

    #[test]
    fn poll_body_chunk_says_what_the_events_say(input in mutated(), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12), eof: bool, lenient: bool) {
        let config = if lenient { Config::lenient() } else { Config::strict() };
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(input.len() + 1)).collect();
        cuts.sort_unstable();
        let events = run_cuts("GET", config.clone(), &input, &cuts, eof);
        let chunks = run_cuts_with("GET", config, &input, &cuts, eof, drain_body_chunks);
        prop_assert_eq!(chunks.key(), events.key());
        prop_assert_eq!(chunks.reusable, events.reusable);
        prop_assert_eq!(chunks.leftover, events.leftover);
    }

    #[test]
    fn random_bytes_never_panic(input in prop::collection::vec(any::<u8>(), 0..600), eof: bool, lenient: bool) {
        let config = if lenient { Config::lenient() } else { Config::strict() };
        let _ = run_whole("GET", config.clone(), &input, eof);
        let mut prefixed = b"HTTP/1.1 200 OK\r\n".to_vec();
        prefixed.extend_from_slice(&input);
        let _ = run_whole("GET", config, &prefixed, eof);
    }

    #[test]
    fn valid_requests_round_trip_through_httparse(
        method in "[A-Z]{1,10}",
        target in "/[!-~]{0,40}",
        fields in prop::collection::vec(("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}", "[!-~]([ -~]{0,30}[!-~])?"), 0..10),
        body in prop::option::of(prop::collection::vec(any::<u8>(), 0..300)),
        chunked: bool,
    ) {
        let fields: Vec<(String, String)> = fields
            .into_iter()
            .filter(|(n, _)| !["host", "content-length", "transfer-encoding", "accept-encoding", "expect", "connection", "upgrade"]
                .contains(&n.to_ascii_lowercase().as_str()))
            .collect();
        let mut c = Connection::new(Authority::parse("example.com:8080", 80).unwrap(), Config::default());
        c.put_request(&method, &target, false, false).unwrap();
        for (n, v) in &fields {
            c.put_header(n, v).unwrap();
        }
        match (&body, chunked) {
            (Some(b), false) => {
                c.end_headers_with(BodyLength::Known(b.len() as u64)).unwrap();
                c.send_body(b).unwrap();
                c.finish_body().unwrap();
            }
            (Some(b), true) => {
                c.end_headers_with(BodyLength::Unknown).unwrap();
                for part in b.chunks(37) {
                    c.send_body(part).unwrap();
                }
                c.finish_body().unwrap();
            }
            (None, _) => c.end_headers().unwrap(),
        }
        let mut wire = Vec::new();
        c.transmit_into(&mut wire);

        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut req = httparse::Request::new(&mut headers);
        let status = req.parse(&wire).unwrap();
        let head_len = match status { httparse::Status::Complete(n) => n, _ => panic!("incomplete head") };
        prop_assert_eq!(req.method, Some(method.as_str()));
        prop_assert_eq!(req.path, Some(target.as_str()));
        prop_assert_eq!(req.version, Some(1));
        let got: Vec<(String, Vec<u8>)> = req.headers.iter().map(|h| (h.name.to_string(), h.value.to_vec())).collect();
        prop_assert_eq!(&got[0], &("Host".to_string(), b"example.com:8080".to_vec()));
        prop_assert_eq!(&got[1], &("Accept-Encoding".to_string(), b"identity".to_vec()));
        for (i, (n, v)) in fields.iter().enumerate() {
            prop_assert_eq!(&got[2 + i], &(n.clone(), v.as_bytes().to_vec()));
        }
        // The body, de-framed independently.
        let rest = &wire[head_len..];
        match (&body, chunked) {
            (Some(b), false) => prop_assert_eq!(rest, &b[..]),
            (Some(b), true) => {
                let mut out = Vec::new();
                let mut r = rest;
                loop {
                    match httparse::parse_chunk_size(r).unwrap() {
                        httparse::Status::Complete((n, size)) => {
                            let size = size as usize;
                            r = &r[n..];
                            if size == 0 { break; }
                            out.extend_from_slice(&r[..size]);
                            prop_assert_eq!(&r[size..size + 2], b"\r\n");
                            r = &r[size + 2..];
                        }
                        _ => panic!("incomplete chunk"),
                    }
                }
                prop_assert_eq!(r, b"\r\n");
                prop_assert_eq!(out, b.clone());
            }
            (None, _) => prop_assert!(rest.is_empty()),
        }
    }
}

/// A header field for the one-call/step-by-step comparison: the names the
/// serialiser acts on, ordinary and unusual names (tchars beyond letters,
/// digits and `-`; long ones), values of every length with tabs, obs-text
/// and, now and then, a byte that must be refused.
fn any_field() -> impl Strategy<Value = (Vec<u8>, Vec<u8>)> {
    let name = prop_oneof![
        3 => prop::sample::select(vec![
            "Host", "host", "Accept-Encoding", "Content-Length", "content-length",
            "Transfer-Encoding", "Connection", "Upgrade", "Expect", "Accept",
            "Accept-Language", "X-Request-Id",
        ])
        .prop_map(|n| n.as_bytes().to_vec()),
        3 => "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}".prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..20),
    ];
    let value = prop_oneof![
        3 => prop::sample::select(vec![
            "0", "5", "chunked", "gzip, chunked", "close", "upgrade", "100-continue",
            "example.org", "identity", "18446744073709551616", "",
        ])
        .prop_map(|v| v.as_bytes().to_vec()),
        3 => prop::collection::vec(
            prop_oneof![Just(b'\t'), Just(b' '), 0x21u8..0x7f, 0x80u8..=0xff],
            0..60
        ),
        1 => prop::collection::vec(any::<u8>(), 0..40),
    ];
    (name, value)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    /// `write_request` (each string checked while it is copied) and
    /// `request` write what the step-by-step commands write, and fail
    /// with the error they fail with first, leaving the connection as if
    /// nothing had been called.
    #[test]
    fn one_call_heads_match_step_by_step(
        method in prop_oneof![
            4 => prop::sample::select(vec!["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT"]).prop_map(String::from),
            1 => "[!-~]{0,12}",
        ],
        target in prop_oneof![
            4 => "/[!-~]{0,50}",
            1 => "http://[a-z]{1,10}(:[0-9]{1,4})?/[!-~]{0,10}",
            1 => "[ -~\t]{0,20}",
        ],
        fields in prop::collection::vec(any_field(), 0..8),
        body in prop_oneof![
            Just(BodyLength::Empty),
            Just(BodyLength::Unknown),
            (0u64..10).prop_map(BodyLength::Known),
        ],
        pipelined in any::<bool>(),
    ) {
        support::harness::one_call_head_matches_steps(&method, &target, &fields, body, pipelined);
    }
}
