//! The request side and the connection state machine: serialisation and
//! its refusals (B6), framing of request bodies, 100-continue, httplib's
//! misuse errors, keep-alive reuse, pipelining and retry safety.

mod support;

use httpcore::{
    Authority, BodyLength, Config, Connection, Error, Event, Framing, InvalidPart, RecvStateKind,
    RetrySafety, SendState, Timer,
};
use support::{drain, Ev};

fn conn() -> Connection {
    Connection::new(
        Authority::parse("example.com", 80).unwrap(),
        Config::default(),
    )
}

/// A connection that keeps up to `n` requests in flight (pipelining).
fn pipelined(n: usize) -> Connection {
    let config = Config {
        max_pipelined: n,
        ..Config::default()
    };
    Connection::new(Authority::parse("example.com", 80).unwrap(), config)
}

fn wire(c: &mut Connection) -> Vec<u8> {
    let mut v = Vec::new();
    c.transmit_into(&mut v);
    v
}

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn events(c: &mut Connection) -> (Vec<Ev>, Option<Error>) {
    let mut ev = Vec::new();
    let mut err = None;
    drain(c, &mut ev, &mut err);
    (ev, err)
}

const H: &[(&str, &str)] = &[];

#[test]
fn request_line_and_automatic_headers() {
    let mut c = conn();
    c.request("GET", "/index.html", None, H).unwrap();
    assert_eq!(
        s(&wire(&mut c)),
        "GET /index.html HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\n\r\n"
    );

    let mut c = Connection::new(
        Authority::parse("[::1]:8080", 80).unwrap(),
        Config::default(),
    );
    c.put_request("GET", "/", false, true).unwrap();
    c.end_headers().unwrap();
    assert_eq!(
        s(&wire(&mut c)),
        "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n"
    );

    // skip flags, as httplib has them.
    let mut c = conn();
    c.put_request("GET", "/", true, true).unwrap();
    c.put_header("X", "y").unwrap();
    c.end_headers().unwrap();
    assert_eq!(s(&wire(&mut c)), "GET / HTTP/1.1\r\nX: y\r\n\r\n");

    // Absolute-form targets (proxies) take Host from the URL.
    let mut c = conn();
    c.request("GET", "http://other.org:8080/x", None, H)
        .unwrap();
    assert!(s(&wire(&mut c))
        .starts_with("GET http://other.org:8080/x HTTP/1.1\r\nHost: other.org:8080\r\n"));
}

#[test]
fn putheader_takes_out_the_automatic_line_it_replaces() {
    // Step by step, the automatic lines are written first and taken out
    // when the caller puts their own: for the usual request (origin-form,
    // both lines), for an absolute-form target, and with one line skipped;
    // each one alone, both, and in either order.
    // (target, skip_host, skip_accept_encoding, headers put, bytes sent)
    type Case = (
        &'static str,
        bool,
        bool,
        &'static [(&'static str, &'static str)],
        &'static str,
    );
    let cases: [Case; 6] = [
        (
            "/x",
            false,
            false,
            &[("Host", "h2")],
            "GET /x HTTP/1.1\r\nAccept-Encoding: identity\r\nHost: h2\r\n\r\n",
        ),
        (
            "/x",
            false,
            false,
            &[("Accept-Encoding", "gzip")],
            "GET /x HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: gzip\r\n\r\n",
        ),
        (
            "/x",
            false,
            false,
            &[("accept-encoding", "br"), ("HOST", "h2")],
            "GET /x HTTP/1.1\r\naccept-encoding: br\r\nHOST: h2\r\n\r\n",
        ),
        (
            "http://o.example/y",
            false,
            false,
            &[("Host", "h2")],
            "GET http://o.example/y HTTP/1.1\r\nAccept-Encoding: identity\r\nHost: h2\r\n\r\n",
        ),
        (
            "/x",
            false,
            true,
            &[("Host", "h2")],
            "GET /x HTTP/1.1\r\nHost: h2\r\n\r\n",
        ),
        (
            "/x",
            true,
            false,
            &[("Accept-Encoding", "gzip")],
            "GET /x HTTP/1.1\r\nAccept-Encoding: gzip\r\n\r\n",
        ),
    ];
    for (target, skip_host, skip_ae, headers, expect) in cases {
        let mut c = conn();
        c.put_request("GET", target, skip_host, skip_ae).unwrap();
        for (n, v) in headers {
            c.put_header(n, v).unwrap();
        }
        c.end_headers().unwrap();
        assert_eq!(s(&wire(&mut c)), expect, "{target} {headers:?}");
    }
}

#[test]
fn transmit_into_takes_only_what_is_sealed() {
    // A head still being written stays behind: taken mid-head, only the
    // complete request goes out; the rest follows once the head ends.
    let mut c = pipelined(2);
    c.request("GET", "/1", None, H).unwrap();
    c.put_request("GET", "/2", true, true).unwrap();
    c.put_header("X", "y").unwrap();
    assert_eq!(
        s(&wire(&mut c)),
        "GET /1 HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\n\r\n"
    );
    c.end_headers().unwrap();
    assert_eq!(s(&wire(&mut c)), "GET /2 HTTP/1.1\r\nX: y\r\n\r\n");
    assert!(wire(&mut c).is_empty());
}

#[test]
fn caller_host_replaces_the_automatic_one_and_stays_first() {
    let mut c = conn();
    c.request(
        "GET",
        "/",
        None,
        &[("Host", "api.example.com"), ("Accept-Encoding", "gzip")],
    )
    .unwrap();
    assert_eq!(
        s(&wire(&mut c)),
        "GET / HTTP/1.1\r\nHost: api.example.com\r\nAccept-Encoding: gzip\r\n\r\n"
    );
    let mut c = conn();
    let err = c
        .request("GET", "/", None, &[("Host", "a"), ("Host", "b")])
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidRequest {
                part: InvalidPart::Framing,
                ..
            }
        ),
        "{err}"
    );
    // Nothing of the refused request is transmitted, and the connection is usable.
    assert!(wire(&mut c).is_empty());
    c.request("GET", "/", None, H).unwrap();
    assert!(s(&wire(&mut c)).starts_with("GET / HTTP/1.1\r\nHost: example.com\r\n"));
}

#[test]
fn refuses_anything_that_could_split_a_message() {
    // B6.43 / B6.44: http.client's test_invalid_headers and what it lets through.
    let bad_names: &[&[u8]] = &[
        b"Invalid\r\nName",
        b"Invalid\rName",
        b"Invalid\nName",
        b"\r\nInvalidName",
        b"\rInvalidName",
        b"\nInvalidName",
        b" InvalidName",
        b"\tInvalidName",
        b"Invalid:Name",
        b":InvalidName",
        b"X Y",
        b"X(y)",
        b"",
        b"X\x00",
    ];
    for name in bad_names {
        let mut c = conn();
        c.put_request("GET", "/", false, false).unwrap();
        let e = c.put_header(name, "v").unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidRequest {
                    part: InvalidPart::HeaderName,
                    ..
                }
            ),
            "{:?}: {e}",
            s(name)
        );
    }
    let bad_values: &[&[u8]] = &[
        b"InvalidValue\r\n",
        b"InvalidValue\r",
        b"InvalidValue\n",
        b"Invalid\r\nValue",
        b"Invalid\rValue",
        b"Invalid\nValue",
        b"\r\nInvalidValue",
        b"\rInvalidValue",
        b"\nInvalidValue",
        b"a\r\n Evil: 1",
        b"a\x00b",
        b"a\x7fb",
    ];
    for value in bad_values {
        let mut c = conn();
        c.put_request("GET", "/", false, false).unwrap();
        let e = c.put_header("X", value).unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidRequest {
                    part: InvalidPart::HeaderValue,
                    ..
                }
            ),
            "{:?}: {e}",
            s(value)
        );
    }
    for method in ["GET /admin HTTP/1.1 X", "GET\r\n", "", "G\x00T", "GET\t"] {
        let e = conn().put_request(method, "/", false, false).unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidRequest {
                    part: InvalidPart::Method,
                    ..
                }
            ),
            "{method:?}"
        );
    }
    for target in ["/a\r\nX: y", "/a b", "", "/\x00", "/\x7f", "/caf\u{e9}"] {
        let e = conn().put_request("GET", target, false, false).unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidRequest {
                    part: InvalidPart::Target,
                    ..
                }
            ),
            "{target:?}"
        );
    }
    // Values with obs-text and inner whitespace are fine.
    let mut c = conn();
    c.request("GET", "/", None, &[("X", &b"caf\xe9 \t au lait"[..])])
        .unwrap();
    assert!(wire(&mut c)
        .windows(17)
        .any(|w| w == b"X: caf\xe9 \t au lait"));
}

#[test]
fn several_values_join_with_comma_never_obs_fold() {
    let mut c = conn();
    c.put_request("GET", "/", true, true).unwrap();
    c.put_header_values("Accept", &["a/b", "c/d"]).unwrap();
    c.end_headers().unwrap();
    assert_eq!(
        s(&wire(&mut c)),
        "GET / HTTP/1.1\r\nAccept: a/b, c/d\r\n\r\n"
    );
}

#[test]
fn body_framing() {
    // bytes body -> Content-Length
    let mut c = conn();
    c.request(
        "POST",
        "/",
        Some(b"hello"),
        &[("Content-Type", "text/plain")],
    )
    .unwrap();
    let w = s(&wire(&mut c));
    assert!(
        w.ends_with("Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"),
        "{w}"
    );
    // POST/PUT/PATCH without body -> Content-Length: 0; GET -> nothing
    for (m, cl) in [
        ("POST", true),
        ("PUT", true),
        ("PATCH", true),
        ("GET", false),
        ("DELETE", false),
    ] {
        let mut c = conn();
        c.request(m, "/", None, H).unwrap();
        assert_eq!(
            s(&wire(&mut c)).contains("Content-Length: 0\r\n"),
            cl,
            "{m}"
        );
    }
    // unknown length -> chunked, with trailers
    let mut c = conn();
    c.put_request("PUT", "/up", false, true).unwrap();
    c.end_headers_with(BodyLength::Unknown).unwrap();
    c.send_body(b"aaa").unwrap();
    c.send_body(b"").unwrap();
    c.send_body(&[b'z'; 20]).unwrap();
    c.finish_body_with_trailers(&[("Etag", "asdf")]).unwrap();
    let w = s(&wire(&mut c));
    assert!(
        w.ends_with("Transfer-Encoding: chunked\r\n\r\n3\r\naaa\r\n14\r\nzzzzzzzzzzzzzzzzzzzz\r\n0\r\nEtag: asdf\r\n\r\n"),
        "{w}"
    );
    // zero-copy body segments, large
    let mut c = conn();
    c.put_request("PUT", "/", true, true).unwrap();
    c.end_headers_with(BodyLength::Known(10_000)).unwrap();
    let big = bytes::Bytes::from(vec![7u8; 10_000]);
    c.send_body_bytes(big.clone()).unwrap();
    c.finish_body().unwrap();
    let head = c.poll_transmit().unwrap();
    assert!(head.ends_with(b"Content-Length: 10000\r\n\r\n"));
    let body = c.poll_transmit().unwrap();
    assert_eq!(body.as_ptr(), big.as_ptr(), "body was copied");
    assert!(c.poll_transmit().is_none());
}

#[test]
fn declared_length_is_enforced_both_ways() {
    let mut c = conn();
    c.put_request("PUT", "/", false, false).unwrap();
    c.put_header("Content-Length", "5").unwrap();
    c.end_headers().unwrap();
    c.send_body(b"abc").unwrap();
    assert_eq!(
        c.finish_body().unwrap_err(),
        Error::BodyLengthMismatch {
            declared: 5,
            sent: 3
        }
    );
    assert_eq!(
        c.send_body(b"abc").unwrap_err(),
        Error::BodyLengthMismatch {
            declared: 5,
            sent: 6
        }
    );
    c.send_body(b"de").unwrap();
    c.finish_body().unwrap();
    assert!(s(&wire(&mut c)).ends_with("\r\n\r\nabcde"));
    // Trailers only go with chunked bodies; CL + TE is refused.
    let mut c = conn();
    c.put_request("PUT", "/", false, false).unwrap();
    c.put_header("Content-Length", "5").unwrap();
    c.put_header("Transfer-Encoding", "chunked").unwrap();
    assert!(matches!(
        c.end_headers(),
        Err(Error::InvalidRequest {
            part: InvalidPart::Framing,
            ..
        })
    ));
    let mut c = conn();
    c.put_request("PUT", "/", false, false).unwrap();
    assert!(c.put_header("Transfer-Encoding", "gzip").is_err());
    // A Content-Length that does not fit in 64 bits is refused where it
    // is put, naming its bytes; the largest that fits is taken.
    let mut c = conn();
    c.put_request("PUT", "/", false, false).unwrap();
    assert_eq!(
        c.put_header("Content-Length", "18446744073709551616"),
        Err(Error::InvalidRequest {
            part: InvalidPart::Framing,
            bytes: bytes::Bytes::from_static(b"18446744073709551616"),
        })
    );
    c.put_header("Content-Length", "18446744073709551615")
        .unwrap();
    c.end_headers().unwrap();
    assert_eq!(c.send_state(), SendState::Body);
    // Body data where no body was declared.
    let mut c = conn();
    c.request("GET", "/", None, H).unwrap();
    let e = c.send_body(b"x").unwrap_err();
    assert!(
        matches!(e, Error::CannotSendBody { .. }) && e.is_improper_connection_state(),
        "{e}"
    );
    assert!(matches!(
        c.finish_body_with_trailers(&[("X", "y")]),
        Err(Error::CannotSendBody { .. })
    ));
    // Before the head ended.
    let mut c = conn();
    c.put_request("POST", "/", false, false).unwrap();
    assert!(matches!(
        c.send_body(b"x"),
        Err(Error::CannotSendBody { .. })
    ));
}

#[test]
fn httplib_state_errors() {
    // B6.50
    let mut c = conn();
    assert!(matches!(
        c.put_header("X", "y"),
        Err(Error::CannotSendHeader { .. })
    ));
    assert!(matches!(
        c.end_headers(),
        Err(Error::CannotSendHeader { .. })
    ));
    assert!(matches!(
        c.check_response_ready(),
        Err(Error::ResponseNotReady { .. })
    ));
    c.request("GET", "/", None, H).unwrap();
    c.check_response_ready().unwrap();
    let e = c.request("GET", "/", None, H).unwrap_err();
    assert!(
        matches!(e, Error::CannotSendRequest { .. }) && e.is_improper_connection_state(),
        "{e}"
    );
    assert!(matches!(
        c.put_header("X", "y"),
        Err(Error::CannotSendHeader { .. })
    ));
    c.put_request("GET", "/", false, false).unwrap_err();
    // Mid-head, a second put_request is CannotSendRequest too.
    let mut c = conn();
    c.put_request("GET", "/", false, false).unwrap();
    assert!(matches!(
        c.put_request("GET", "/", false, false),
        Err(Error::CannotSendRequest { .. })
    ));
    assert!(matches!(
        c.check_response_ready(),
        Err(Error::ResponseNotReady { .. })
    ));
}

#[test]
fn keep_alive_cycle_and_reuse() {
    let mut c = conn();
    for i in 0..3 {
        c.request("GET", "/", None, H).unwrap();
        wire(&mut c);
        c.handle_data(format!("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n{i}").as_bytes());
        let (ev, err) = events(&mut c);
        assert!(err.is_none());
        assert_eq!(ev.last(), Some(&Ev::Done(true)));
        assert!(c.is_reusable());
        assert_eq!(c.send_state(), SendState::Idle);
        assert_eq!(c.recv_state(), RecvStateKind::Idle);
    }
    // Connection: close from the server ends it.
    c.request("GET", "/", None, H).unwrap();
    c.handle_data(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    events(&mut c);
    assert!(!c.is_reusable());
    assert!(matches!(
        c.request("GET", "/", None, H),
        Err(Error::NotConnected { .. })
    ));
    // ... and from our side.
    let mut c = conn();
    c.request("GET", "/", None, &[("Connection", "close")])
        .unwrap();
    assert_eq!(c.send_state(), SendState::Closed);
    c.handle_data(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(events(&mut c).0.last(), Some(&Ev::Done(false)));
    assert!(!c.is_reusable());
}

#[test]
fn unsolicited_bytes_make_an_idle_connection_unusable() {
    // B5.41
    let mut c = conn();
    c.request("GET", "/", None, H).unwrap();
    c.handle_data(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    events(&mut c);
    assert!(c.is_reusable());
    c.handle_data(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\npoison");
    assert!(!c.is_reusable());
    let (ev, err) = events(&mut c);
    assert!(
        ev.is_empty() && err.is_none(),
        "unsolicited bytes must not be parsed as a response"
    );
    assert!(matches!(
        c.request("GET", "/", None, H),
        Err(Error::NotConnected { .. })
    ));
    assert_eq!(
        c.leftover(),
        b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\npoison"
    );
}

#[test]
fn server_close_between_requests() {
    let mut c = conn();
    c.request("GET", "/", None, H).unwrap();
    c.handle_data(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    events(&mut c);
    c.handle_eof();
    assert!(!c.is_reusable());
    assert_eq!(c.recv_state(), RecvStateKind::Closed);
    assert!(matches!(
        c.request("GET", "/", None, H),
        Err(Error::NotConnected { .. })
    ));
}

#[test]
fn retry_safety_is_reported() {
    // Closed before the request was even transmitted.
    let mut c = conn();
    c.request("GET", "/", None, H).unwrap();
    assert_eq!(c.retry_safety(), RetrySafety::NothingSent);
    c.handle_eof();
    let (_, err) = events(&mut c);
    assert_eq!(
        err,
        Some(Error::RemoteDisconnected {
            retry: RetrySafety::NothingSent
        })
    );
    // Sent, then closed with no response byte: the stale keep-alive case.
    let mut c = conn();
    c.request("GET", "/", None, H).unwrap();
    wire(&mut c);
    assert_eq!(c.retry_safety(), RetrySafety::NoResponse);
    c.handle_eof();
    let (_, err) = events(&mut c);
    let err = err.unwrap();
    assert_eq!(
        err,
        Error::RemoteDisconnected {
            retry: RetrySafety::NoResponse
        }
    );
    assert_eq!(err.retry_safety(), Some(RetrySafety::NoResponse));
    assert_eq!(c.unanswered().count(), 1);
    // Part of a response arrived.
    let mut c = conn();
    c.request("GET", "/", None, H).unwrap();
    wire(&mut c);
    c.handle_data(b"HTTP/1.1 200 OK\r\nContent-Le");
    events(&mut c);
    assert_eq!(c.retry_safety(), RetrySafety::PartialResponse);
    c.handle_eof();
    let (_, err) = events(&mut c);
    assert_eq!(
        err.unwrap().retry_safety(),
        Some(RetrySafety::PartialResponse)
    );
}

#[test]
fn a_new_request_is_refused_in_each_state_that_forbids_one() {
    // With room for several requests in flight, so that the pipeline's
    // limit hides none of the other reasons.
    let improper =
        |r: Result<httpcore::RequestId, Error>| matches!(r, Err(Error::CannotSendRequest { .. }));
    let closed =
        |r: Result<httpcore::RequestId, Error>| matches!(r, Err(Error::NotConnected { .. }));

    // Our side is not idle: a head being written, a body being sent.
    let mut c = pipelined(4);
    c.put_request("GET", "/", false, false).unwrap();
    assert!(improper(c.put_request("GET", "/", false, false)));
    assert!(improper(c.request("GET", "/", None, H)));
    let post = |c: &mut Connection| {
        c.put_request("POST", "/", false, false).unwrap();
        c.put_header("Content-Length", "5").unwrap();
        c.end_headers().unwrap();
        assert_eq!(c.send_state(), SendState::Body);
    };
    let mut c = pipelined(4);
    post(&mut c);
    assert!(improper(c.request("GET", "/", None, H)));

    // The server closed while a head was being written: the head may be
    // finished, but no new request may start.
    let mut c = pipelined(4);
    c.put_request("GET", "/", false, false).unwrap();
    c.handle_eof();
    c.end_headers().unwrap();
    assert!(closed(c.request("GET", "/", None, H)));

    // A final response that closes the connection came while our body was
    // still going: once the body is done our side is idle, but the
    // connection is closing.
    let mut c = pipelined(4);
    post(&mut c);
    wire(&mut c);
    c.handle_data(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(events(&mut c).0.last(), Some(&Ev::Done(false)));
    c.send_body(b"hello").unwrap();
    c.finish_body().unwrap();
    assert_eq!(c.send_state(), SendState::Idle);
    assert!(closed(c.request("GET", "/", None, H)));

    // The connection failed.
    let mut c = pipelined(4);
    c.request("GET", "/", None, H).unwrap();
    wire(&mut c);
    c.handle_data(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n");
    assert!(events(&mut c).1.is_some());
    assert!(closed(c.request("GET", "/", None, H)));
}

#[test]
fn polls_before_the_next_response_begins_change_nothing() {
    // Two requests; the first answered, the second not yet: polling in
    // between (with `poll_head` and `poll_event`, again and again) reports
    // nothing and does not count as a byte of the second response.
    let mut c = pipelined(2);
    c.request("GET", "/a", None, H).unwrap();
    c.request("GET", "/b", None, H).unwrap();
    wire(&mut c);
    c.handle_data(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert!(c.poll_head().unwrap().is_some());
    assert!(matches!(c.poll_event().unwrap(), Some(Event::Done(_))));
    for _ in 0..3 {
        assert!(c.poll_head().unwrap().is_none());
        assert!(c.poll_event().unwrap().is_none());
    }
    assert_eq!(c.retry_safety(), RetrySafety::NoResponse);
    // The second response still parses when its bytes come.
    c.handle_data(b"HTTP/1.1 204 No Content\r\n\r\n");
    let head = c.poll_head().unwrap().expect("the second head");
    assert_eq!(head.status.status, 204);
    assert!(matches!(c.poll_event().unwrap(), Some(Event::Done(_))));
    // And a close before any byte of a third is the stale keep-alive case.
    c.request("GET", "/c", None, H).unwrap();
    wire(&mut c);
    assert!(c.poll_head().unwrap().is_none());
    c.handle_eof();
    assert_eq!(
        c.poll_head().err(),
        Some(Error::RemoteDisconnected {
            retry: RetrySafety::NoResponse
        })
    );
    assert_eq!(c.unanswered().count(), 1);
}

#[test]
fn pipelining_matches_responses_in_order_with_head_ness_per_request() {
    let mut c = pipelined(4);
    let a = c.request("GET", "/a", None, H).unwrap();
    let b = c.request("HEAD", "/b", None, H).unwrap();
    let d = c.request("GET", "/c", None, H).unwrap();
    let w = s(&wire(&mut c));
    assert_eq!(w.matches("HTTP/1.1\r\n").count(), 3);
    assert_eq!(c.unanswered().collect::<Vec<_>>(), vec![a, b, d]);
    // All three responses in one packet; the HEAD response has CL but no body.
    c.handle_data(
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA\
          HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n\
          HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nC",
    );
    let mut seen = Vec::new();
    let mut current = Vec::new();
    loop {
        let id = c.current_request();
        match c.poll_event().unwrap() {
            Some(Event::BodyChunk(b)) => current.extend_from_slice(&b),
            Some(Event::Done(_)) => seen.push((id.unwrap(), std::mem::take(&mut current))),
            Some(_) => {}
            None => break,
        }
    }
    assert_eq!(
        seen,
        vec![(a, b"A".to_vec()), (b, vec![]), (d, b"C".to_vec())]
    );
    assert!(c.is_reusable());
}

#[test]
fn pipelined_connection_death_names_the_unanswered() {
    let mut c = pipelined(3);
    let ids: Vec<_> = (0..3)
        .map(|_| c.request("GET", "/", None, H).unwrap())
        .collect();
    wire(&mut c);
    c.handle_data(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Len");
    c.handle_eof();
    let (ev, err) = events(&mut c);
    assert_eq!(ev.iter().filter(|e| matches!(e, Ev::Done(_))).count(), 1);
    assert!(matches!(err, Some(Error::IncompleteRead { .. })));
    assert_eq!(c.unanswered().collect::<Vec<_>>(), ids[1..].to_vec());
}

#[test]
fn early_bytes_of_a_pipelined_response_are_kept() {
    let mut c = pipelined(2);
    c.request("GET", "/1", None, H).unwrap();
    c.request("GET", "/2", None, H).unwrap();
    // Response 2's first bytes arrive with response 1.
    c.handle_data(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1HTTP/1.1 2");
    let (ev, _) = events(&mut c);
    assert_eq!(ev.iter().filter(|e| matches!(e, Ev::Done(_))).count(), 1);
    c.handle_data(b"00 OK\r\nContent-Length: 1\r\n\r\n2");
    let (ev, err) = events(&mut c);
    assert!(err.is_none());
    assert_eq!(
        ev.first(),
        Some(&Ev::Status(httpcore::Version::Http11, 200, b"OK".to_vec()))
    );
    assert_eq!(ev.last(), Some(&Ev::Done(true)));
}

fn expect_continue_conn() -> Connection {
    let mut c = conn();
    c.put_request("PUT", "/up", false, true).unwrap();
    c.put_header("Expect", "100-continue").unwrap();
    c.end_headers_with(BodyLength::Known(5)).unwrap();
    c.send_body(b"hello").unwrap();
    c.finish_body().unwrap();
    c
}

#[test]
fn expect_continue_sends_the_body_on_100() {
    let mut c = expect_continue_conn();
    let head = s(&wire(&mut c));
    assert!(
        head.ends_with("Content-Length: 5\r\n\r\n"),
        "body sent early: {head}"
    );
    assert_eq!(c.send_state(), SendState::AwaitContinue);
    assert!(matches!(c.timer(), Some(Timer::ExpectContinue(_))));
    c.handle_data(b"HTTP/1.1 100 Continue\r\n\r\n");
    let (ev, _) = events(&mut c);
    assert_eq!(
        ev,
        vec![
            Ev::Status(httpcore::Version::Http11, 100, b"Continue".to_vec()),
            Ev::EndOfHead(Framing::Interim)
        ]
    );
    assert_eq!(s(&wire(&mut c)), "hello");
    assert_eq!(c.send_state(), SendState::Idle);
    assert_eq!(c.timer(), None);
    c.handle_data(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(events(&mut c).0.last(), Some(&Ev::Done(true)));
    assert!(c.is_reusable());
}

#[test]
fn expect_continue_sends_the_body_when_the_timer_fires() {
    let mut c = expect_continue_conn();
    wire(&mut c);
    let t = c.timer().unwrap();
    c.handle_timeout(t);
    assert_eq!(s(&wire(&mut c)), "hello");
    assert_eq!(c.send_state(), SendState::Idle);
    // A late 100 is harmless.
    c.handle_data(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(events(&mut c).0.last(), Some(&Ev::Done(true)));
}

#[test]
fn expect_continue_keeps_the_body_back_on_an_early_final_response() {
    let mut c = expect_continue_conn();
    wire(&mut c);
    c.handle_data(b"HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n");
    let (ev, _) = events(&mut c);
    assert_eq!(ev.last(), Some(&Ev::Done(true)));
    assert!(c.is_body_abandoned());
    assert!(wire(&mut c).is_empty(), "held body must not be sent");
    assert!(!c.is_reusable(), "the promised body was never sent: close");
    // Body commands after abandonment are accepted and dropped.
    c.handle_timeout(Timer::ExpectContinue(Default::default()));
    assert!(wire(&mut c).is_empty());
}

#[test]
fn upgrade_hands_the_stream_over() {
    let mut c = conn();
    c.request(
        "GET",
        "/ws",
        None,
        &[("Connection", "Upgrade"), ("Upgrade", "websocket")],
    )
    .unwrap();
    wire(&mut c);
    c.handle_data(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello");
    let (ev, err) = events(&mut c);
    assert!(err.is_none());
    assert!(ev.contains(&Ev::EndOfHead(Framing::Switched)));
    assert_eq!(ev.last(), Some(&Ev::Done(false)));
    assert_eq!(c.recv_state(), RecvStateKind::Switched);
    assert_eq!(&c.take_leftover()[..], b"\x81\x05hello");
    c.handle_data(b"more");
    assert_eq!(events(&mut c).0, vec![]);
    assert_eq!(&c.take_leftover()[..], b"more");
}

#[test]
fn leftover_taken_in_the_middle_of_a_response_hands_the_stream_over() {
    // Regression: taking the bytes while a head was being indexed (or its
    // events served) left the reader with offsets into bytes that were
    // gone, and the next poll panicked. Taken mid-response, the rest of
    // the stream is the caller's: nothing more is read or sent.
    type Step = fn(&mut Connection);
    let mid_head: Step = |c| {
        c.handle_data(b"HTTP/1.1 200 OK\r\nServer: x\r\nVia: ab");
        assert!(c.poll_head().unwrap().is_none());
    };
    let mid_events: Step = |c| {
        c.handle_data(b"HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 4\r\n\r\nbo");
        assert!(matches!(c.poll_event(), Ok(Some(Event::StatusLine(_)))));
    };
    let mid_body: Step = |c| {
        c.handle_data(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n");
        assert!(c.poll_head().unwrap().is_some());
        c.handle_data(b"bo");
    };
    for (name, step) in [
        ("head", mid_head),
        ("events", mid_events),
        ("body", mid_body),
    ] {
        let mut c = conn();
        c.request("GET", "/", None, H).unwrap();
        wire(&mut c);
        step(&mut c);
        assert!(!c.take_leftover().is_empty(), "{name}");
        c.handle_data(b"dy\r\n\r\n");
        assert!(matches!(c.poll_event(), Ok(None)), "{name}");
        assert!(c.poll_head().is_err(), "{name}");
        assert_eq!(c.recv_state(), RecvStateKind::Switched, "{name}");
        assert!(!c.is_reusable(), "{name}");
        assert!(c.request("GET", "/", None, H).is_err(), "{name}");
        assert_eq!(&c.take_leftover()[..], b"dy\r\n\r\n", "{name}");
    }
}

#[test]
fn an_upgrade_header_alone_makes_a_101_legitimate() {
    // Each request header the engine acts on is recognised whatever its
    // case, `Upgrade` included without a `Connection: upgrade` beside it;
    // a request without it gets `ProtocolError` for the same 101.
    let answer = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\nRAW";
    for name in ["Upgrade", "upgrade", "UPGRADE"] {
        let mut c = conn();
        c.request("GET", "/", None, &[(name, "h2c")]).unwrap();
        wire(&mut c);
        c.handle_data(answer);
        let (ev, err) = events(&mut c);
        assert!(err.is_none(), "{name}: {err:?}");
        assert!(ev.contains(&Ev::EndOfHead(Framing::Switched)), "{name}");
        assert_eq!(&c.take_leftover()[..], b"RAW");
    }
    let mut c = conn();
    c.request("GET", "/", None, &[("X-Upgrade", "h2c")])
        .unwrap();
    wire(&mut c);
    c.handle_data(answer);
    assert_eq!(events(&mut c).1.map(|e| e.name()), Some("ProtocolError"));
}

#[test]
fn connect_tunnel_hands_the_stream_over() {
    let mut c = conn();
    c.put_request("CONNECT", "example.com:443", false, true)
        .unwrap();
    c.end_headers().unwrap();
    assert!(
        s(&wire(&mut c)).starts_with("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n")
    );
    c.handle_data(b"HTTP/1.1 200 Connection Established\r\n\r\n\x16\x03\x01");
    let (ev, _) = events(&mut c);
    assert!(ev.contains(&Ev::EndOfHead(Framing::Switched)));
    assert_eq!(&c.take_leftover()[..], b"\x16\x03\x01");
}

#[test]
fn reset_starts_a_fresh_connection() {
    let mut c = conn();
    c.request("GET", "/", None, H).unwrap();
    c.handle_eof();
    events(&mut c);
    c.reset();
    assert!(c.is_reusable());
    assert_eq!(c.unanswered().count(), 0);
    // Requests still unanswered at the reset are forgotten with it.
    let mut p = pipelined(4);
    for _ in 0..3 {
        p.request("GET", "/", None, H).unwrap();
    }
    p.reset();
    assert_eq!(p.unanswered().count(), 0);
    assert_eq!(p.current_request(), None);
    assert!(p.poll_transmit().is_none());
    let id = p.request("GET", "/", None, H).unwrap();
    assert_eq!(p.unanswered().collect::<Vec<_>>(), vec![id]);
    p.handle_data(b"HTTP/1.1 204 No Content\r\n\r\n");
    assert_eq!(events(&mut p).0.last(), Some(&Ev::Done(true)));
    c.request("GET", "/", None, H).unwrap();
    c.handle_data(b"HTTP/1.1 204 No Content\r\n\r\n");
    assert_eq!(events(&mut c).0.last(), Some(&Ev::Done(true)));
}

#[test]
fn an_unreported_read_leaves_no_bytes_behind() {
    // Regression: a read into `begin_recv` that failed (timeout) and was
    // never reported made the zero-filled space look like received bytes.
    let mut c = conn();
    c.request("GET", "/", None, H).unwrap();
    wire(&mut c);
    let _ = c.begin_recv();
    assert!(c.leftover().is_empty());
    let (ev, err) = events(&mut c);
    assert!(ev.is_empty() && err.is_none(), "{ev:?} {err:?}");
    let _ = c.begin_recv();
    c.handle_data(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(events(&mut c).0.last(), Some(&Ev::Done(true)));
    let buf = c.begin_recv();
    buf[..3].copy_from_slice(b"abc");
    c.handle_recv(3);
    assert_eq!(c.leftover(), b"abc");
    // Asking twice (a read that would have blocked in between) offers the
    // same space again; only what is reported counts.
    let _ = c.begin_recv();
    let buf = c.begin_recv();
    buf[..2].copy_from_slice(b"de");
    c.handle_recv(2);
    assert_eq!(c.leftover(), b"abcde");
}

#[test]
fn every_poll_forgets_an_unreported_read() {
    // A read offered by `begin_recv` and not reported before the next
    // poll is forgotten, whichever path serves the poll: a later
    // `handle_recv` is a misuse (it panics) instead of counting stale room.
    let unreported = |c: &mut Connection| {
        let _ = c.begin_recv();
    };
    let report_panics = |c: &mut Connection| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.handle_recv(1))).is_err()
    };
    let mut c = conn();
    c.request("GET", "/", None, H).unwrap();
    wire(&mut c);
    c.handle_data(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
    let (ev, _) = events(&mut c);
    assert!(matches!(ev.last(), Some(Ev::EndOfHead(_))), "{ev:?}");
    c.handle_data(b"ok");
    // Body bytes (the body shortcut).
    unreported(&mut c);
    assert!(matches!(c.poll_event(), Ok(Some(Event::BodyChunk(b))) if b == "ok"));
    assert!(report_panics(&mut c));
    // `Done` (the end-of-message shortcut).
    unreported(&mut c);
    assert!(matches!(c.poll_event(), Ok(Some(Event::Done(_)))));
    assert!(report_panics(&mut c));
    // Nothing to serve (the general path).
    unreported(&mut c);
    assert!(matches!(c.poll_event(), Ok(None)));
    assert!(report_panics(&mut c));
}

#[test]
fn a_head_arriving_in_pieces_still_hears_of_everything_else() {
    // Between the pieces of a head, a poll that finds it incomplete lets
    // the next read and poll skip the checks nothing but bytes can change.
    // Whatever else comes in between must still be heard.
    // The last piece ends inside a value, the one before at a line's end.
    const PIECES: [&[u8]; 4] = [
        b"HTTP/1.1 200 OK\r\nServer: x\r\nVia: a",
        b"bc\r\nAge: 1",
        b"2\r\n",
        b"X-A: b",
    ];
    let arriving = || {
        let mut c = conn();
        c.request("GET", "/", None, H).unwrap();
        wire(&mut c);
        for piece in PIECES {
            c.handle_data(piece);
            assert!(c.poll_head().unwrap().is_none());
        }
        c
    };
    // The end of the stream: the same error as for the same bytes polled
    // once, not "still arriving".
    let mut c = arriving();
    c.handle_eof();
    let mut once = conn();
    once.request("GET", "/", None, H).unwrap();
    wire(&mut once);
    once.handle_data(&PIECES.concat());
    once.handle_eof();
    let expected = once.poll_head().expect_err("an incomplete head");
    assert_eq!(c.poll_head().err(), Some(expected.clone()));
    assert_eq!(c.poll_event().err(), Some(expected));
    // A read offered and not reported: forgotten by the next poll, and
    // by the next bytes handed over directly.
    let report_panics = |c: &mut Connection| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.handle_recv(1))).is_err()
    };
    let mut c = arriving();
    c.begin_recv()[0] = b'!';
    assert!(c.poll_head().unwrap().is_none());
    assert!(report_panics(&mut c));
    let mut c = arriving();
    c.begin_recv()[0] = b'!';
    c.handle_data(b"\r\n\r\n");
    assert!(report_panics(&mut c));
    let head = c.poll_head().unwrap().expect("the head is complete");
    let fields: Vec<_> = head.headers().map(|h| (h.name, h.value)).collect();
    assert_eq!(
        fields,
        [
            (&b"Server"[..], &b"x"[..]),
            (b"Via", b"abc"),
            (b"Age", b"12"),
            (b"X-A", b"b")
        ]
    );
}

#[test]
fn reusable_as_soon_as_done_is_seen() {
    // Regression: `is_reusable` stayed false until the poll after `Done`,
    // so an adapter checking right after `Done` closed a good connection.
    let mut c = conn();
    c.request("GET", "/", None, H).unwrap();
    c.handle_data(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    loop {
        if let Some(Event::Done(d)) = c.poll_event().unwrap() {
            assert!(d.reusable);
            break;
        }
    }
    assert!(c.is_reusable());
    assert_eq!(c.recv_state(), RecvStateKind::Idle);
    // Unsolicited bytes already buffered still count against it.
    let mut c = conn();
    c.request("GET", "/", None, H).unwrap();
    c.handle_data(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokX");
    while !matches!(c.poll_event().unwrap(), Some(Event::Done(_))) {}
    assert!(!c.is_reusable());
}

/// `write_request` appends the head to what the caller's buffer already
/// holds — every byte of it, strings of every length class the copy
/// handles (1–3, 4–7, 8–16, longer) — and leaves the buffer as it was
/// when it refuses the head.
#[test]
fn write_request_appends_every_byte_and_nothing_on_refusal() {
    let long = "v".repeat(70);
    let headers: Vec<(&str, &str)> = vec![
        ("A", "x"),
        ("Ab", "xyz"),
        ("Abcd", "wxyz12"),
        ("Abcdefghij", "0123456789abc"),
        ("X-Seventeen-Bytes", long.as_str()),
    ];
    let mut c = conn();
    let mut out = b"earlier bytes|".to_vec();
    c.write_request("PATCH", "/p?q=1", &headers, BodyLength::Known(3), &mut out)
        .unwrap();
    let mut steps = conn();
    steps.put_request("PATCH", "/p?q=1", false, false).unwrap();
    for (n, v) in &headers {
        steps.put_header(n, v).unwrap();
    }
    steps.end_headers_with(BodyLength::Known(3)).unwrap();
    let mut expected = b"earlier bytes|".to_vec();
    steps.transmit_into(&mut expected);
    assert_eq!(s(&out), s(&expected));
    assert!(s(&out).ends_with(&format!(
        "X-Seventeen-Bytes: {long}\r\nContent-Length: 3\r\n\r\n"
    )));

    let mut c = conn();
    let mut out = b"kept".to_vec();
    let err = c.write_request(
        "GET",
        "/",
        &[("Bad Name", "v")],
        BodyLength::Empty,
        &mut out,
    );
    assert!(
        matches!(
            err,
            Err(Error::InvalidRequest {
                part: InvalidPart::HeaderName,
                ..
            })
        ),
        "{err:?}"
    );
    assert_eq!(out, b"kept");
}

/// The body of `response` to a GET, read to the end of the stream, which
/// ends cleanly or without the transport's end marker.
fn read_to_close(response: &[u8], truncated: bool) -> Result<Vec<u8>, Error> {
    let mut c = conn();
    c.request("GET", "/", None, H).unwrap();
    while c.poll_transmit().is_some() {}
    c.handle_data(response);
    if truncated {
        c.handle_truncated_eof();
    } else {
        c.handle_eof();
    }
    let mut body = Vec::new();
    while let Some(event) = c.poll_event()? {
        match event {
            httpcore::Event::BodyChunk(b) => body.extend_from_slice(&b),
            httpcore::Event::Done(_) => return Ok(body),
            _ => {}
        }
    }
    panic!("no Done and no error")
}

#[test]
fn a_close_delimited_body_ended_without_close_notify_is_truncated_body() {
    let close_delimited = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nsome bytes";
    assert_eq!(
        read_to_close(close_delimited, false).unwrap(),
        b"some bytes"
    );
    let e = read_to_close(close_delimited, true).unwrap_err();
    assert!(
        matches!(e, Error::TruncatedBody { received: 10, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("close_notify"), "{e}");
    assert!(e.is_remote());
    // HTTP/1.0 without a length: the same.
    let e = read_to_close(b"HTTP/1.0 200 OK\r\n\r\nabc", true).unwrap_err();
    assert_eq!(e.name(), "TruncatedBody");
    // Bodies complete by their framing stay complete either way.
    for framed in [
        &b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"[..],
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        b"HTTP/1.1 204 No Content\r\n\r\n",
    ] {
        for truncated in [false, true] {
            let body = read_to_close(framed, truncated).unwrap();
            assert!(body == b"abc" || body.is_empty(), "{truncated}");
        }
    }
    // A framed body cut short is still IncompleteRead.
    let e = read_to_close(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", true).unwrap_err();
    assert_eq!(e.name(), "IncompleteRead");
}

#[test]
fn an_idle_connection_gives_its_buffers_back_and_takes_them_again() {
    let mut c = conn();
    c.request("POST", "/a", Some(b"body"), H).unwrap();
    wire(&mut c);
    // Mid-exchange: nothing is released.
    let held = c.buffer_capacity();
    assert!(held > 0);
    assert!(!c.release_buffers());
    assert_eq!(c.buffer_capacity(), held);
    // Half a response read: still mid-exchange.
    let room = c.begin_recv();
    let half = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe";
    room[..half.len()].copy_from_slice(half);
    c.handle_recv(half.len());
    let (ev, err) = events(&mut c);
    assert!(err.is_none() && !ev.is_empty());
    assert!(!c.release_buffers());
    c.handle_data(b"llo");
    let (ev, _) = events(&mut c);
    assert!(ev.iter().any(|e| matches!(e, Ev::Done(true))), "{ev:?}");
    // Idle: both buffers go.
    assert!(c.release_buffers());
    assert_eq!(c.buffer_capacity(), 0);
    assert!(c.is_reusable());
    // The next exchange takes them again and reads as before.
    c.request("GET", "/b", None, H).unwrap();
    assert!(s(&wire(&mut c)).starts_with("GET /b HTTP/1.1\r\n"));
    let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    let room = c.begin_recv();
    assert!(room.len() >= answer.len());
    room[..answer.len()].copy_from_slice(answer);
    c.handle_recv(answer.len());
    let (ev, err) = events(&mut c);
    assert!(err.is_none());
    assert!(
        ev.iter().any(|e| matches!(e, Ev::Body(b) if b == b"ok")),
        "{ev:?}"
    );
    assert!(c.release_buffers());
    // A read offered and not reported holds its room.
    c.request("GET", "/c", None, H).unwrap();
    wire(&mut c);
    c.begin_recv();
    assert!(!c.release_buffers());
}

/// Body chunks handed out stay as they were, whatever the reader does
/// with them next: all kept (each read takes new room), each dropped at
/// once (the room the last one took is read into again), or every other
/// one kept; with a length (every read one chunk) and chunked (chunks
/// that end inside a read, size lines after them); and a download that
/// drops its chunks holds a bounded buffer.
#[test]
fn body_chunks_stay_intact_while_their_room_is_reused() {
    let byte = |i: usize| (i % 251) as u8;
    let total = 3 << 20;
    let payload: Vec<u8> = (0..total).map(byte).collect();
    let length = [
        format!("HTTP/1.1 200 OK\r\nContent-Length: {total}\r\n\r\n").into_bytes(),
        payload.clone(),
    ]
    .concat();
    let mut chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for piece in payload.chunks(100_003) {
        chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let keep_all = |_: usize| true;
    let keep_none = |_: usize| false;
    let every_other = |k: usize| k.is_multiple_of(2);
    for response in [&length, &chunked] {
        for keep in [
            &keep_all as &dyn Fn(usize) -> bool,
            &keep_none,
            &every_other,
        ] {
            let mut c = conn();
            c.request("GET", "/", None, H).unwrap();
            wire(&mut c);
            let (mut sent, mut got, mut done) = (0, 0, false);
            let mut kept = Vec::new();
            let (mut chunks, mut most_held) = (0, 0);
            while !done {
                let room = c.begin_recv();
                let n = room.len().min(response.len() - sent);
                room[..n].copy_from_slice(&response[sent..sent + n]);
                c.handle_recv(n);
                sent += n;
                while let Some(event) = c.poll_event().unwrap() {
                    match event {
                        Event::BodyChunk(chunk) => {
                            assert_eq!(chunk, payload[got..got + chunk.len()]);
                            if keep(chunks) {
                                kept.push((got, chunk.clone()));
                            }
                            got += chunk.len();
                            chunks += 1;
                        }
                        Event::Done(_) => done = true,
                        _ => {}
                    }
                }
                most_held = most_held.max(c.buffer_capacity());
            }
            assert_eq!(got, total);
            assert!(chunks > 40, "{chunks} chunks");
            for (at, chunk) in &kept {
                let intact = chunk[..] == payload[*at..at + chunk.len()];
                assert!(intact, "a kept chunk at {at} was overwritten");
            }
            if kept.is_empty() {
                assert!(most_held <= 4 * httpcore::MAX_READ_WINDOW, "{most_held}");
            }
        }
    }
}

/// A client reading many small responses, each body handed out and
/// dropped: the connection's buffers stay near one read window (they grew
/// to twice that, reallocating now and then, when every read asked for the
/// whole window again after each hand-out).
#[test]
fn many_small_responses_keep_the_buffers_near_one_read_window() {
    let mut c = Connection::new(
        Authority::parse("example.com", 80).unwrap(),
        Config::default(),
    );
    let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, world!";
    let mut most = 0;
    for _ in 0..1000 {
        c.request("GET", "/", None, H).unwrap();
        wire(&mut c);
        let room = c.begin_recv();
        room[..answer.len()].copy_from_slice(answer);
        c.handle_recv(answer.len());
        let mut body = 0;
        while let Some(event) = c.poll_event().unwrap() {
            if let Event::BodyChunk(b) = event {
                body += b.len();
            }
        }
        assert_eq!(body, 13);
        most = most.max(c.buffer_capacity());
    }
    assert!(most <= 8 * 1024 + 2048, "{most} bytes of buffers");
}

#[test]
fn the_read_window_grows_while_reads_fill_it_up_to_its_cap() {
    fn filled_reads(c: &mut Connection, reads: usize, fill: Option<usize>) -> Vec<usize> {
        let mut offered = Vec::new();
        for _ in 0..reads {
            let room = c.begin_recv();
            let n = fill.unwrap_or(room.len()).min(room.len());
            offered.push(room.len());
            room[..n].fill(b'x');
            c.handle_recv(n);
            events(c);
        }
        offered
    }
    let start = |config: Config| {
        let mut c = Connection::new(Authority::parse("example.com", 80).unwrap(), config);
        c.request("GET", "/", None, H).unwrap();
        wire(&mut c);
        c.handle_data(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n");
        events(&mut c);
        c
    };
    let mut c = start(Config::default());
    let k = 1024;
    assert_eq!(
        filled_reads(&mut c, 6, None),
        [8 * k, 16 * k, 32 * k, 64 * k, 64 * k, 64 * k]
    );
    assert_eq!(httpcore::MAX_READ_WINDOW, 64 * k);
    // A read that fills more than half the window keeps it (on a fast
    // stream most reads fall a little short: halving on each of them cost
    // a quarter more reads); one that fills half or less halves it.
    assert_eq!(
        filled_reads(&mut c, 3, Some(40 * k)),
        [64 * k, 64 * k, 64 * k]
    );
    assert_eq!(
        filled_reads(&mut c, 3, Some(20 * k)),
        [64 * k, 32 * k, 32 * k]
    );
    assert_eq!(filled_reads(&mut c, 3, Some(1)), [32 * k, 16 * k, 8 * k]);
    // A larger read size is the window from the start.
    let mut c = start(Config {
        read_size: 256 * k,
        ..Config::default()
    });
    assert_eq!(filled_reads(&mut c, 3, None), [256 * k; 3]);
}

/// "No limit" written as `usize::MAX` means no limit: no overflow, no
/// false `LineTooLong`, the head parsed as with the defaults.
#[test]
fn limits_of_usize_max_mean_no_limit() {
    let limits = httpcore::Limits {
        max_status_line: usize::MAX,
        max_header_line: usize::MAX,
        max_head_bytes: usize::MAX,
        max_trailer_bytes: usize::MAX,
        ..httpcore::Limits::default()
    };
    let config = httpcore::Config {
        limits,
        ..httpcore::Config::default()
    };
    let mut c = httpcore::Connection::new(httpcore::Authority::parse("h", 80).unwrap(), config);
    c.request("GET", "/", None, &[] as &[(&str, &str)]).unwrap();
    while c.poll_transmit().is_some() {}
    let wire = b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nTransfer-Encoding: chunked\r\n\r\n\
                 1\r\nx\r\n0\r\nT: 3\r\n\r\n";
    // Whole, and byte by byte (the paths that resume a line).
    for piece in [wire.len(), 1] {
        let mut c2 = httpcore::Connection::new(
            httpcore::Authority::parse("h", 80).unwrap(),
            c.config().clone(),
        );
        c2.request("GET", "/", None, &[] as &[(&str, &str)])
            .unwrap();
        while c2.poll_transmit().is_some() {}
        let mut fields = Vec::new();
        for chunk in wire.chunks(piece) {
            c2.handle_data(chunk);
            while let Some(ev) = c2.poll_event().unwrap() {
                match ev {
                    httpcore::Event::Header(h) | httpcore::Event::Trailer(h) => {
                        fields.push((h.name.to_vec(), h.value.to_vec()))
                    }
                    _ => {}
                }
            }
        }
        assert_eq!(fields.len(), 4, "{piece}-byte pieces");
        assert!(c2.is_reusable(), "{piece}-byte pieces");
    }
}
