//! The byte-level vectors of the anchors' suites (h11, hyper, ureq-proto,
//! http.client; `docs/conformance.md` lists them by number), each fed
//! (1) whole, (2) one byte at a time, (3) with `trailing` appended, which
//! must stay unconsumed, and (4) with the end of the stream at every split
//! point — h11's harness, applied to this engine.

mod support;

use httpcore::{Config, Framing, Limits, Version};
use support::{run_bytewise, run_cuts, run_whole, Ev, Outcome};

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Strict,
    Lenient,
}

enum Expect {
    /// Final status, headers that must be present, body, reusable.
    Ok(
        u16,
        &'static [(&'static str, &'static [u8])],
        &'static [u8],
        bool,
    ),
    /// The error's name.
    Err(&'static str),
}
use Expect::{Err as E, Ok as O};

struct Vector {
    name: &'static str,
    method: &'static str,
    input: Vec<u8>,
    /// The server closes after sending `input`.
    eof: bool,
    mode: Mode,
    expect: Expect,
}

fn v(name: &'static str, input: impl AsRef<[u8]>, eof: bool, expect: Expect) -> Vector {
    Vector {
        name,
        method: "GET",
        input: input.as_ref().to_vec(),
        eof,
        mode: Mode::Strict,
        expect,
    }
}

impl Vector {
    fn lenient(mut self) -> Self {
        self.mode = Mode::Lenient;
        self
    }
    fn method(mut self, m: &'static str) -> Self {
        self.method = m;
        self
    }
    fn config(&self) -> Config {
        match self.mode {
            Mode::Strict => Config::strict(),
            Mode::Lenient => Config::lenient(),
        }
    }
}

fn chunked(body: &str) -> Vec<u8> {
    format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{body}").into_bytes()
}

fn with_cl(head_fields: &str, body: &str) -> Vec<u8> {
    format!("HTTP/1.1 200 OK\r\n{head_fields}\r\n\r\n{body}").into_bytes()
}

fn vectors() -> Vec<Vector> {
    let mut all = vec![
        // B1 status line
        // No SP after the code: outside RFC 9112 §4's grammar; lenient only.
        v("b1.1-no-reason", "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", false, E("BadStatusLine")),
        v("b1.1-no-reason", "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", false, O(200, &[], b"", true)).lenient(),
        v("b1.1-empty-reason", "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", false, O(200, &[], b"", true)),
        v("b1.2-099", "HTTP/1.1 099 X\r\n\r\n", false, E("BadStatusLine")),
        v("b1.2-001", "HTTP/1.1 001 OK\r\n\r\n", false, E("BadStatusLine")),
        v("b1.3-one-digit", "HTTP/1.1 1 OK\r\n\r\n", false, E("BadStatusLine")),
        v("b1.4-heat", "HEAT/1.1 200 OK\r\n\r\n", false, E("BadStatusLine")),
        v("b1.4-https", "HTTPS/1.1 200 OK\r\n\r\n", false, E("BadStatusLine")),
        v("b1.5-http2", "HTTP/2.0 200 OK\r\n\r\n", false, E("UnknownProtocol")),
        v("b1.6-no-crlf", "HTTP/1.1 200 Ok", true, E("BadStatusLine")),
        v("b1.7-nothing", "", true, E("RemoteDisconnected")),
        v("b1.8-tls-hello", b"\x16\x03\x03\x00\x31", false, E("BadStatusLine")),
        v("b1.8-nul", b"\x00", false, E("BadStatusLine")),
        v("b1.8-space", b"\x20", false, E("BadStatusLine")),
        v("b1.9-long-status", format!("HTTP/1.1 200 {}\r\n\r\n", "x".repeat(65537)), false, E("LineTooLong")),
        v("b1-http10", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi", false, O(200, &[], b"hi", false)),
        v("b1-http12-is-11", "HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n", false, O(200, &[], b"", true)),
        v("b1-0.9-lenient", "<html>hi</html>", true, O(200, &[], b"<html>hi</html>", false)).lenient(),
        // B2 header block
        v("b2.10-lf", "HTTP/1.1 200 OK\nA: b\nContent-Length: 0\n\n", false, O(200, &[("A", b"b")], b"", true)).lenient(),
        v("b2.10-mixed", "HTTP/1.1 200 OK\r\nA: b\nContent-Length: 0\n\r\n", false, O(200, &[("A", b"b")], b"", true)).lenient(),
        v("b2.10-lf-strict", "HTTP/1.1 200 OK\nA: b\n\n", false, E("BadStatusLine")),
        v("b2.11-fold-strict", "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\n\tc\r\nContent-Length: 0\r\n\r\n", false, E("InvalidHeader")),
        v("b2.11-fold-lenient", "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\n\tc\r\nContent-Length: 0\r\n\r\n", false, O(200, &[("X-A", b"a b c")], b"", true))
            .lenient(),
        v("b2.12-leading-continuation", "HTTP/1.1 200 OK\r\n X-A: a\r\n\r\n", false, E("InvalidHeader")),
        v("b2.12-leading-continuation-lenient", "HTTP/1.1 200 OK\r\n X-A: a\r\n\r\n", false, E("InvalidHeader")).lenient(),
        v("b2.13-space-before-colon", "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nhi", false, E("InvalidHeader")),
        v("b2.13-space-before-colon-lenient", "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nhi", false, E("InvalidHeader")).lenient(),
        v("b2.13-garbage", "HTTP/1.1 200 OK\r\nGarbage\r\nContent-Length: 0\r\n\r\n", false, E("InvalidHeader")),
        v("b2.13-garbage-lenient", "HTTP/1.1 200 OK\r\nGarbage\r\nContent-Length: 0\r\n\r\n", false, O(200, &[], b"", true)).lenient(),
        v("b2.13-empty-name", "HTTP/1.1 200 OK\r\n: nval\r\nContent-Length: 0\r\n\r\n", false, E("InvalidHeader")),
        v("b2.13-non-ascii-name", b"HTTP/1.1 200 OK\r\nX\xe9: 1\r\nContent-Length: 0\r\n\r\n", false, E("InvalidHeader")),
        v("b2.14-empty", "HTTP/1.1 200 OK\r\nFoo:\r\nBar: \t \t \r\nBaz: a a a a a \r\nContent-Length: 0\r\n\r\n", false,
            O(200, &[("Foo", b""), ("Bar", b""), ("Baz", b"a a a a a")], b"", true)),
        v("b2.15-all-tchars", "HTTP/1.1 200 OK\r\n!#$%&'*+-.^_`|~: value\r\nContent-Length: 0\r\n\r\n", false,
            O(200, &[("!#$%&'*+-.^_`|~", b"value")], b"", true)),
        v("b2.16-nul", b"HTTP/1.1 200 OK\r\nX: a\x00b\r\nContent-Length: 0\r\n\r\n", false, E("InvalidHeader")),
        v("b2.16-nul-lenient", b"HTTP/1.1 200 OK\r\nX: a\x00b\r\nContent-Length: 0\r\n\r\n", false, E("InvalidHeader")).lenient(),
        v("b2.16-ctl-strict", b"HTTP/1.1 200 OK\r\nSet-Cookie: kUd\x01UpAt\r\nContent-Length: 0\r\n\r\n", false, E("InvalidHeader")),
        v("b2.16-ctl-lenient", b"HTTP/1.1 200 OK\r\nSet-Cookie: kUd\x01UpAt\r\nContent-Length: 0\r\n\r\n", false,
            O(200, &[("Set-Cookie", b"kUd\x01UpAt")], b"", true)).lenient(),
        v("b2.17-huge-header", format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "A".repeat(500_000)), false, E("LineTooLong")),
        v("b2.17-100-headers", format!("HTTP/1.1 200 OK\r\n{}Content-Length: 0\r\n\r\n", "X: y\r\n".repeat(99)), false, O(200, &[], b"", true)),
        v("b2.17-101-headers", format!("HTTP/1.1 200 OK\r\n{}Content-Length: 0\r\n\r\n", "X: y\r\n".repeat(100)), false, E("LimitExceeded")),
        v("b2.17-cve-2021-3737", format!("HTTP/1.1 100 OK\r\n{}", "r\n".repeat(32768)), false, E("LimitExceeded")).lenient(),
        v("b2.18-body-not-counted", format!("HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n{}", "b".repeat(200_000)), false, O(200, &[], b"", true)),
        // B3 framing
        v("b3.19-leading-zero", with_cl("Content-Length: 042", &"x".repeat(42)), false, O(200, &[], b"", true)),
        v("b3.19-spaces", with_cl("Content-Length:  5 ", "hello"), false, O(200, &[], b"hello", true)),
        v("b3.19-list", with_cl("Content-Length: 5, 5", "hello"), false, O(200, &[], b"hello", true)),
        v("b3.19-repeated", with_cl("Content-Length: 5\r\nContent-Length: 5", "hello"), false, O(200, &[], b"hello", true)),
    ];
    for bad in [
        "+5",
        "-1",
        "1_0",
        "0x5",
        "42,",
        "42,,42",
        "",
        "18446744073709551616",
        "5, 3",
    ] {
        all.push(v(
            "b3.19-bad-cl",
            with_cl(&format!("Content-Length: {bad}"), "hello"),
            false,
            E("InvalidHeader"),
        ));
    }
    all.push(v(
        "b3.19-conflict",
        with_cl("Content-Length: 5\r\nContent-Length: 3", "hello"),
        false,
        E("InvalidHeader"),
    ));
    all.extend([
        v("b3.20-gzip-chunked", with_cl("Transfer-Encoding: gzip, chunked", "2\r\nhi\r\n0\r\n\r\n"), false, O(200, &[], b"hi", true)),
        v("b3.20-chunked-gzip", with_cl("Transfer-Encoding: chunked, gzip", "2\r\nhi\r\n0\r\n\r\n"), false, E("UnknownTransferEncoding")),
        v("b3.20-yolo", with_cl("Transfer-Encoding: yolo", "2\r\nhi\r\n0\r\n\r\n"), false, E("UnknownTransferEncoding")),
        v("b3.21-te-cl", with_cl("Transfer-Encoding: chunked\r\nContent-Length: 3", "2\r\nhi\r\n0\r\n\r\n"), false, O(200, &[], b"hi", false)),
        v("b3.22-http10-te", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n", false, E("ProtocolError")),
        v("b3.23-until-close", "HTTP/1.1 200 OK\r\n\r\nabc", true, O(200, &[], b"abc", false)),
        v("b3.24-head", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", false, O(200, &[], b"", true)).method("HEAD"),
        v("b3.24-204", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", false, O(204, &[], b"", true)),
        v("b3.24-304", "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", false, O(304, &[], b"", true)),
        v("b3.24-connect-400", "HTTP/1.1 400 Bad\r\n\r\nnope", true, O(400, &[], b"nope", false)).method("CONNECT"),
        v("b3.25-100-then-200", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false, O(200, &[], b"ok", true)),
        v("b3.25-103-then-200", "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false,
            O(200, &[], b"ok", true)),
        v("b3.25-many-103", format!("{}HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n".repeat(5)),
            false, O(200, &[], b"", true)),
        v("b3.25-too-many-1xx", "HTTP/1.1 102 Processing\r\n\r\n".repeat(101), false, E("LimitExceeded")),
        v("b3.25-100-eof", "HTTP/1.1 100 Continue\r\n\r\n", true, E("BadStatusLine")),
        v("b3.25-101-no-upgrade", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\nRAW", false, E("ProtocolError")),
        // B4 chunked
        v("b4.26-basic", chunked("5\r\nhello\r\n0\r\n\r\n"), false, O(200, &[], b"hello", true)),
        v("b4.26-hex", chunked(&format!("aA\r\n{}\r\nFf\r\n{}\r\n01\r\nx\r\n00\r\n\r\n", "a".repeat(0xaa), "f".repeat(0xff))), false,
            O(200, &[], b"", true)),
        // Whitespace ending a size line, and empty extensions: what hyper
        // and h11 accept, outside RFC 9112 §7.1.1 — lenient only.
        v("b4.26-trailing-ws", chunked("5   \t \r\nhello\r\n0\r\n\r\n"), false, E("InvalidChunk")),
        v("b4.26-trailing-ws", chunked("5   \t \r\nhello\r\n0\r\n\r\n"), false, O(200, &[], b"hello", true)).lenient(),
        v("b4.28-ext", chunked("5;a=b\r\nhello\r\n3   ; extension=123\r\nabc\r\n0;x\r\n\r\n"), false,
            O(200, &[], b"helloabc", true)),
        v("b4.28-empty-ext", chunked("5;a=b\r\nhello\r\n1;;;  ;\r\nx\r\n0\r\n\r\n"), false, E("InvalidChunk")),
        v("b4.28-empty-ext", chunked("5;a=b\r\nhello\r\n1;;;  ;\r\nx\r\n0\r\n\r\n"), false,
            O(200, &[], b"hellox", true)).lenient(),
        v("b4.28-long-ext", chunked("5;name=aaaaaaaaaaaaaaaaaaaa\r\nhello\r\n0\r\n\r\n"), false, O(200, &[], b"hello", true)),
        v("b4.28-quoted-ext", chunked("5;a=\"b; c\"\r\nhello\r\n0\r\n\r\n"), false, O(200, &[], b"hello", true)),
        v("b4.29-lf-in-ext", chunked("1;reject\nnewlines\r\nx\r\n0\r\n\r\n"), false, E("InvalidChunk")),
        v("b4.30-bare-lf", chunked("5\nhello\n0\n\n"), false, E("InvalidChunk")),
        v("b4.30-bare-lf-lenient", chunked("5\nhello\n0\n\n"), false, O(200, &[], b"hello", true)).lenient(),
        v("b4.31-junk-after-data", chunked("3\r\nxxx__1a\r\n"), false, E("InvalidChunk")),
        v("b4.31-cr-junk", chunked("3\r\nxxx\r_"), false, E("InvalidChunk")),
        v("b4.31-lf-only", chunked("3\r\nxxx_\n"), false, E("InvalidChunk")),
        v("b4.32-missing-last-chunk", chunked("1\r\nZ\r\n\r\n\r\n"), false, E("InvalidChunk")),
        v("b4.33-eof-after-last", chunked("5\r\nhello\r\n0\r\n"), true, O(200, &[], b"hello", false)),
        v("b4.34-trailers", chunked("5\r\nhello\r\n0\r\nTrailer-X: 1\r\nContent-Length: 100\r\n\r\n"), false, O(200, &[], b"hello", true)),
        v("b4.34-bad-trailer", chunked("5\r\nhello\r\n0\r\nbad\r\r\n\r\n"), false, E("InvalidChunk")),
        v("b4.35-truncated-data", chunked("9\r\nfoo bar"), true, E("IncompleteRead")),
        v("b4.36-21-digit-size", chunked("000000000000000000005\r\nhello\r\n0\r\n\r\n"), false, O(200, &[], b"hello", true)),
        // B5 EOF, keep-alive
        v("b5.38-short-cl", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true, E("IncompleteRead")),
        v("b5.39-close-in-list", with_cl("Connection: a, b, cLOse, foo\r\nContent-Length: 0", ""), false, O(200, &[], b"", false)),
        v("b5.39-xclosey", with_cl("Connection: xclosey\r\nContent-Length: 0", ""), false, O(200, &[], b"", true)),
        v("b5.40-10-none", "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false, O(200, &[], b"", false)),
        v("b5.40-10-keepalive", "HTTP/1.0 200 OK\r\nConnection: KeeP-AlivE\r\nContent-Length: 0\r\n\r\n", false, O(200, &[], b"", true)),
        v("b5.40-11-close", with_cl("Connection: cloSE\r\nContent-Length: 0", ""), false, O(200, &[], b"", false)),
    ]);
    for bad in ["0x5", " 5", "-1", "X", "1X", "1 A", "f0000000000000003"] {
        all.push(v(
            "b4.27-bad-size",
            chunked(&format!("{bad}\r\nhello\r\n0\r\n\r\n")),
            false,
            E("InvalidChunk"),
        ));
    }
    all
}

fn check_expect(vec: &Vector, out: &Outcome) {
    let name = vec.name;
    match &vec.expect {
        Expect::Err(want) => {
            let got = out.error.as_ref().map(|e| e.name());
            assert_eq!(got, Some(*want), "{name}: events {:?}", out.events);
        }
        Expect::Ok(status, headers, body, reusable) => {
            assert!(
                out.error.is_none(),
                "{name}: unexpected error {:?}",
                out.error
            );
            assert!(
                matches!(out.events.last(), Some(Ev::Done(_))),
                "{name}: not done: {:?}",
                out.events
            );
            assert_eq!(out.final_status(), Some(*status), "{name}");
            for (n, v) in *headers {
                let found = out.events.iter().any(|e| matches!(e, Ev::Header(hn, hv) if hn.eq_ignore_ascii_case(n.as_bytes()) && hv == v));
                assert!(
                    found,
                    "{name}: header {n} = {v:?} missing in {:?}",
                    out.events
                );
            }
            if !body.is_empty() {
                assert_eq!(out.body(), *body, "{name}");
            }
            let done_reusable = matches!(out.events.last(), Some(Ev::Done(true)));
            assert_eq!(done_reusable, *reusable, "{name}: Done.reusable");
            if !vec.eof {
                assert_eq!(out.reusable, *reusable, "{name}: is_reusable()");
            }
        }
    }
}

/// `short`'s events are a prefix of `full`'s (the last body chunk may be cut).
fn is_prefix(short: &[Ev], full: &[Ev]) -> bool {
    // A body cut by the end of the stream may end early (until-close framing).
    if let [rest @ .., Ev::Done(_)] = short {
        if short != &full[..short.len().min(full.len())] {
            return is_prefix(rest, full);
        }
    }
    if short.len() > full.len() {
        return false;
    }
    let n = short.len();
    if n == 0 {
        return true;
    }
    short[..n - 1] == full[..n - 1]
        && match (&short[n - 1], &full[n - 1]) {
            (Ev::Body(a), Ev::Body(b)) => b.starts_with(a),
            (a, b) => a == b,
        }
}

#[test]
fn every_vector_whole_bytewise_trailing_and_eof_everywhere() {
    for vec in vectors() {
        let name = vec.name;
        let whole = run_whole(vec.method, vec.config(), &vec.input, vec.eof);
        check_expect(&vec, &whole);

        // (2) one byte at a time: the same events, the same error.
        let bytewise = run_bytewise(vec.method, vec.config(), &vec.input, vec.eof);
        assert_eq!(bytewise.key(), whole.key(), "{name}: bytewise differs");

        // (3) trailing bytes after a self-delimited message stay unconsumed
        // and make the connection unusable (nobody asked for them).
        if !vec.eof && !(whole.events.contains(&Ev::EndOfHead(Framing::Switched))) {
            let mut input = vec.input.clone();
            input.extend_from_slice(b"trailing");
            for out in [
                run_whole(vec.method, vec.config(), &input, false),
                run_bytewise(vec.method, vec.config(), &input, false),
            ] {
                assert_eq!(
                    out.key(),
                    whole.key(),
                    "{name}: trailing bytes changed the outcome"
                );
                if whole.error.is_none() {
                    assert_eq!(out.leftover, b"trailing", "{name}: trailing bytes consumed");
                    assert!(!out.reusable, "{name}: reusable with unsolicited bytes");
                }
            }
        }

        // (4) the end of the stream at every split point: never a panic; the
        // events are a prefix of the full run's; then Done or an error.
        let len = vec.input.len();
        let step = if len > 4096 { len / 512 } else { 1 };
        for cut in (0..=len).step_by(step) {
            let out = run_cuts(vec.method, vec.config(), &vec.input[..cut], &[], true);
            assert!(
                is_prefix(&out.events, &whole.events),
                "{name}: eof at {cut}: {:?} not a prefix of {:?}",
                out.events,
                whole.events
            );
            let done = matches!(out.events.last(), Some(Ev::Done(_)));
            assert!(
                done || out.error.is_some(),
                "{name}: eof at {cut} left the response hanging"
            );
            if done {
                assert!(!out.reusable, "{name}: reusable after eof");
            }
        }
    }
}

#[test]
fn status_line_parts() {
    let out = run_whole(
        "GET",
        Config::strict(),
        b"HTTP/1.0 404 Not  Found \r\nContent-Length: 0\r\n\r\n",
        false,
    );
    assert_eq!(
        out.events[0],
        Ev::Status(Version::Http10, 404, b"Not  Found ".to_vec())
    );
    let out = run_whole(
        "GET",
        Config::strict(),
        b"HTTP/1.1 500 Ori\xc3\xabntatieprobleem\r\nContent-Length: 0\r\n\r\n",
        false,
    );
    assert_eq!(
        out.events[0],
        Ev::Status(
            Version::Http11,
            500,
            "Oriëntatieprobleem".as_bytes().to_vec()
        )
    );
    let out = run_whole(
        "GET",
        Config::lenient(),
        b"  HTTP/1.10\t200\t OK\r\nContent-Length: 0\r\n\r\n",
        false,
    );
    assert_eq!(
        out.events[0],
        Ev::Status(Version::Http11, 200, b"OK".to_vec())
    );
}

#[test]
fn incomplete_read_reports_counts() {
    let out = run_whole(
        "GET",
        Config::strict(),
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
        true,
    );
    match out.error {
        Some(httpcore::Error::IncompleteRead {
            received, expected, ..
        }) => assert_eq!((received, expected), (3, Some(7))),
        e => panic!("{e:?}"),
    }
    let out = run_whole("GET", Config::strict(), &chunked("9\r\nfoo bar"), true);
    match out.error {
        Some(httpcore::Error::IncompleteRead {
            received, expected, ..
        }) => assert_eq!((received, expected), (7, Some(2))),
        e => panic!("{e:?}"),
    }
}

#[test]
fn huge_content_length_streams_without_preallocation() {
    // B5.42: the engine never reserves what Content-Length promises.
    let input = b"HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\n0123456789";
    let out = run_whole("GET", Config::strict(), input, false);
    assert_eq!(out.events.last(), Some(&Ev::Body(b"0123456789".to_vec())));
    assert!(out.error.is_none());
}

#[test]
fn limits_are_exact() {
    // A head of exactly max_head_bytes passes; one byte more fails.
    let head = b"HTTP/1.1 200 OK\r\nX-Pad: aaaa\r\nContent-Length: 0\r\n\r\n";
    let exact = |limit| Config {
        limits: Limits {
            max_head_bytes: limit,
            ..Limits::default()
        },
        ..Config::default()
    };
    assert!(run_whole("GET", exact(head.len()), head, false)
        .error
        .is_none());
    let cfg = exact(head.len() - 1);
    let whole = run_whole("GET", cfg.clone(), head, false);
    assert_eq!(
        whole.error.as_ref().map(|e| e.name()),
        Some("LimitExceeded")
    );
    assert_eq!(run_bytewise("GET", cfg, head, false).key(), whole.key());
    // Header-line and status-line limits, exact.
    let line_cfg = |n| Config {
        limits: Limits {
            max_header_line: n,
            ..Limits::default()
        },
        ..Config::default()
    };
    let cl_line = b"Content-Length: 0\r\n".len();
    assert!(run_whole("GET", line_cfg(cl_line), head, false)
        .error
        .is_none());
    assert!(run_whole("GET", line_cfg(cl_line - 1), head, false)
        .error
        .is_some());
    // Chunk-size line, exact, on every path that reads one: the first
    // line, and a line after a chunk's data (whole: the body shortcut;
    // byte by byte: the general path).
    let chunk_cfg = |n| Config {
        limits: Limits {
            max_chunk_line: n,
            ..Limits::default()
        },
        ..Config::default()
    };
    let body = chunked("5\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n");
    for first in [false, true] {
        // `first`: the long line comes first.
        let body = if first {
            chunked("10\r\n0123456789abcdef\r\n0\r\n\r\n")
        } else {
            body.clone()
        };
        let ok = run_whole("GET", chunk_cfg(4), &body, false);
        assert!(ok.error.is_none(), "{:?}", ok.error);
        assert_eq!(
            run_bytewise("GET", chunk_cfg(4), &body, false).key(),
            ok.key()
        );
        let too_long = run_whole("GET", chunk_cfg(3), &body, false);
        assert_eq!(
            too_long.error.as_ref().map(|e| e.name()),
            Some("LineTooLong"),
            "first {first}"
        );
        assert_eq!(
            run_bytewise("GET", chunk_cfg(3), &body, false).key(),
            too_long.key()
        );
    }
    // Trailer count.
    let body = chunked(&format!("0\r\n{}\r\n", "T: v\r\n".repeat(101)));
    assert_eq!(
        run_whole("GET", Config::strict(), &body, false)
            .error
            .map(|e| e.name()),
        Some("LimitExceeded")
    );
    // Chunk-extension budget over a whole body.
    let ext = format!("1;{}\r\nx\r\n", "e".repeat(1000));
    let body = chunked(&format!("{}0\r\n\r\n", ext.repeat(20)));
    assert_eq!(
        run_whole("GET", Config::strict(), &body, false)
            .error
            .map(|e| e.name()),
        Some("LimitExceeded")
    );
}

#[test]
fn a_control_byte_past_the_line_limit_is_too_long_whatever_the_split() {
    // Found by the response_stream fuzz target: with the whole line present
    // the scan met the control byte first (InvalidHeader); fed in pieces, the
    // partial line crossed the limit first (LineTooLong).
    let mut input = b"HTTP/1.1 200 OK\r\nX-Foo: ".to_vec();
    input.extend(std::iter::repeat_n(b'r', 70_000));
    input.push(0x01);
    input.extend_from_slice(b"\r\n\r\n");
    let whole = run_whole("GET", Config::strict(), &input, false);
    assert_eq!(whole.error.as_ref().map(|e| e.name()), Some("LineTooLong"));
    for cuts in [vec![30_000], vec![17, 65_000, 69_999], vec![70_024]] {
        assert_eq!(
            run_cuts("GET", Config::strict(), &input, &cuts, false).key(),
            whole.key(),
            "{cuts:?}"
        );
    }
    // A control byte inside the limit is still an invalid header.
    let out = run_whole(
        "GET",
        Config::strict(),
        b"HTTP/1.1 200 OK\r\nX: a\x01b\r\n\r\n",
        false,
    );
    assert_eq!(out.error.map(|e| e.name()), Some("InvalidHeader"));
}

#[test]
fn the_limit_crossed_first_is_the_one_reported() {
    // Found by the response_stream fuzz target: a line over both the line
    // limit and the head limit was reported as one or the other depending
    // on the split. The threshold that comes first in the stream wins.
    let limits = Limits {
        max_header_line: 64,
        max_head_bytes: 100,
        ..Limits::default()
    };
    let config = Config {
        limits,
        ..Config::default()
    };
    // The status line is 17 bytes, so the line limit is crossed at byte
    // 17 + 64 = 81, before the head limit at byte 100.
    let mut input = b"HTTP/1.1 200 OK\r\nX: ".to_vec();
    input.extend(std::iter::repeat_n(b'v', 200));
    input.extend_from_slice(b"\r\n\r\n");
    let whole = run_whole("GET", config.clone(), &input, false);
    assert!(matches!(
        whole.error,
        Some(httpcore::Error::LineTooLong {
            kind: httpcore::LimitKind::HeaderLine,
            ..
        })
    ));
    for cuts in [vec![50], vec![90], vec![120], (1..input.len()).collect()] {
        assert_eq!(
            run_cuts("GET", config.clone(), &input, &cuts, false).key(),
            whole.key()
        );
    }
    // With the head limit first (a long earlier field), the head limit.
    let limits = Limits {
        max_header_line: 64,
        max_head_bytes: 60,
        ..Limits::default()
    };
    let config = Config {
        limits,
        ..Config::default()
    };
    let mut input =
        b"HTTP/1.1 200 OK\r\nA: 0123456789012345678901234567890123456789\r\nX: ".to_vec();
    input.extend(std::iter::repeat_n(b'v', 200));
    let whole = run_whole("GET", config.clone(), &input, false);
    assert!(
        matches!(
            whole.error,
            Some(httpcore::Error::LimitExceeded {
                kind: httpcore::LimitKind::HeadBytes,
                ..
            })
        ),
        "{:?}",
        whole.error
    );
    for cuts in [vec![70], vec![100], (1..input.len()).collect()] {
        assert_eq!(
            run_cuts("GET", config.clone(), &input, &cuts, false).key(),
            whole.key()
        );
    }
}

#[test]
fn a_line_that_never_ends_is_refused_once_it_crosses_a_limit() {
    // Memory stays bounded: a field line arriving in pieces and never
    // ending is refused at the first poll after it crosses the line limit
    // or the head limit (whichever comes first in the stream), in pieces
    // of any size, never left waiting for more.
    for (line, head, kind) in [
        (64, 1 << 20, httpcore::LimitKind::HeaderLine),
        (1 << 20, 60, httpcore::LimitKind::HeadBytes),
    ] {
        let config = Config {
            limits: Limits {
                max_header_line: line,
                max_head_bytes: head,
                ..Limits::default()
            },
            ..Config::default()
        };
        // Status line 17 bytes; the field line starts at byte 17.
        let crossing = (17 + line).min(head);
        for piece in [1, 7, 16, 64] {
            let mut c = support::connection("GET", config.clone());
            let mut sent = b"HTTP/1.1 200 OK\r\nX-Long: ".to_vec();
            c.handle_data(&sent);
            let mut answer = c.poll_head();
            while sent.len() <= crossing {
                assert!(
                    matches!(answer, Ok(None)),
                    "{kind:?}, pieces of {piece}: {} bytes",
                    sent.len()
                );
                let more = vec![b'v'; piece];
                c.handle_data(&more);
                sent.extend_from_slice(&more);
                answer = c.poll_head();
            }
            match answer {
                Err(
                    httpcore::Error::LineTooLong { kind: k, .. }
                    | httpcore::Error::LimitExceeded { kind: k, .. },
                ) => assert_eq!(k, kind),
                other => panic!(
                    "{kind:?}, pieces of {piece}: {:?}",
                    other.map(|h| h.is_some())
                ),
            }
        }
    }
}

#[test]
fn not_http_decided_past_the_status_line_limit_is_too_long_whatever_the_split() {
    // Found by the response_stream fuzz target (lenient, tiny limits): 100
    // bytes of leading whitespace, then a byte that is not "HTTP/". Whole,
    // the answer was HTTP/0.9; in pieces, the whitespace alone crossed the
    // 64-byte status-line limit first (LineTooLong). The limit comes first
    // in the stream, so it wins either way.
    let config = Config {
        limits: Limits {
            max_status_line: 64,
            ..Limits::default()
        },
        ..Config::lenient()
    };
    let mut input = vec![b'\t'; 100];
    input.extend_from_slice(b"\x03HTTP/1.1 200 OK\r\n\r\nbody");
    let whole = run_whole("GET", config.clone(), &input, true);
    assert!(
        matches!(
            whole.error,
            Some(httpcore::Error::LineTooLong {
                kind: httpcore::LimitKind::StatusLine,
                limit: 64
            })
        ),
        "{:?}",
        whole.error
    );
    for cuts in [
        vec![4],
        vec![64],
        vec![65],
        vec![100],
        (1..input.len()).collect(),
    ] {
        assert_eq!(
            run_cuts("GET", config.clone(), &input, &cuts, true).key(),
            whole.key(),
            "{cuts:?}"
        );
    }
    // Decided inside the limit: still HTTP/0.9 (lenient), whatever the split.
    let mut input = vec![b'\t'; 10];
    input.extend_from_slice(b"<html>hello");
    let whole = run_whole("GET", config.clone(), &input, true);
    assert_eq!(whole.error, None);
    for cuts in [vec![4], vec![10], (1..input.len()).collect()] {
        assert_eq!(
            run_cuts("GET", config.clone(), &input, &cuts, true).key(),
            whole.key(),
            "{cuts:?}"
        );
    }
}

#[test]
fn plain_and_general_lines_mixed_give_the_same_outcome_at_every_pair_of_cuts() {
    // Plain lines (taken by the engine's tight loop) between lines only the
    // general path takes: a tab in a value, obs-fold, a bare LF, trailing
    // whitespace, a name with a tchar outside letters/digits/`-`, a name
    // of 16 bytes or more. Whatever the split, the outcome is the whole
    // input's: every pair of cut points, strict and lenient.
    let head = b"HTTP/1.1 200 OK\r\nDate: Tue, 14 Jan 2025\r\nX-Tab: a\tb\r\n\
X-Long-Header-Name-Here: v\r\nX_Under.score: w \t\r\nFolded: one\r\n two\r\n\
Bare: lf\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nabc";
    for config in [Config::strict(), Config::lenient()] {
        let whole = run_whole("GET", config.clone(), head, false);
        for a in 1..head.len() {
            for b in a..head.len() {
                assert_eq!(
                    run_cuts("GET", config.clone(), head, &[a, b], false).key(),
                    whole.key(),
                    "cuts {a} {b}, lenient {}",
                    config.leniency.obs_fold
                );
            }
        }
    }
    // Lenient: every line indexed as sent (values trimmed of OWS), the
    // fold unfolded, the body read.
    let out = run_whole("GET", Config::lenient(), head, false);
    assert!(out.error.is_none(), "{:?}", out.error);
    let headers: Vec<(&[u8], &[u8])> = out
        .events
        .iter()
        .filter_map(|e| match e {
            Ev::Header(n, v) => Some((&n[..], &v[..])),
            _ => None,
        })
        .collect();
    let expect: [(&[u8], &[u8]); 8] = [
        (b"Date", b"Tue, 14 Jan 2025"),
        (b"X-Tab", b"a\tb"),
        (b"X-Long-Header-Name-Here", b"v"),
        (b"X_Under.score", b"w"),
        (b"Folded", b"one two"),
        (b"Bare", b"lf"),
        (b"Content-Length", b"3"),
        (b"Connection", b"keep-alive"),
    ];
    assert_eq!(headers, expect);
    assert_eq!(out.body(), b"abc");
    // Strict: the fold is refused.
    let out = run_whole("GET", Config::strict(), head, false);
    assert_eq!(out.error.map(|e| e.name()), Some("InvalidHeader"));
}
