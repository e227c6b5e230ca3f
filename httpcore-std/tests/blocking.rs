//! httpcore-std against scripted servers on 127.0.0.1: what only its own API
//! does — bodies both ways, step by step, truncation on every read path,
//! 100-continue, responses one byte at a time, httplib's misuse errors. The
//! cases every adapter shares (reuse, reconnect, retry, unsolicited bytes,
//! tunnels, ...) are in `tests/behaviour.rs`.

mod support;

use std::io::Read;
use std::time::{Duration, Instant};

use httpcore_std::httpcore::{self, Version};
use httpcore_std::{BodyLength, Error, HttpConnection};
use support::{answer, Action, Server};

const H: &[(&str, &str)] = &[];
const OK_HELLO: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";

fn conn(server: &Server) -> HttpConnection {
    HttpConnection::new(&server.addr)
        .unwrap()
        .with_timeout(Duration::from_secs(5))
}

#[test]
fn keep_alive_carries_several_requests_on_one_connection() {
    let mut script = Vec::new();
    for _ in 0..3 {
        script.extend(answer(OK_HELLO));
    }
    let server = Server::start(vec![script]);
    let mut c = conn(&server);
    for i in 0..3 {
        c.request("GET", &format!("/{i}"), None, H).unwrap();
        let mut r = c.get_response().unwrap();
        assert_eq!(
            (r.status(), r.reason().as_str(), r.version()),
            (200, "OK", Version::Http11)
        );
        assert_eq!(r.header("content-type").as_deref(), Some("text/plain"));
        assert_eq!(r.read_all().unwrap(), b"hello");
    }
    assert_eq!(c.responses_on_connection(), 3);
    let requests = server.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 3);
    assert!(requests.iter().all(|r| r.connection == 0));
    assert!(requests[0]
        .head
        .starts_with("GET /0 HTTP/1.1\r\nHost: 127.0.0.1:"));
    drop(c);
    assert_eq!(server.connections(), 1);
}

#[test]
fn bodies_go_out_with_content_length_or_chunked() {
    let server = Server::start(vec![
        [answer(OK_HELLO), answer(OK_HELLO), answer(OK_HELLO)].concat()
    ]);
    let mut c = conn(&server);
    c.request(
        "POST",
        "/form",
        Some(b"a=1&b=2"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
    )
    .unwrap();
    c.get_response().unwrap().read_all().unwrap();
    // A stream of unknown length goes chunked; a known one with Content-Length.
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    c.request_reader("PUT", "/up", &mut &big[..], None, H)
        .unwrap();
    c.get_response().unwrap().read_all().unwrap();
    c.request_reader("PUT", "/up2", &mut &big[..], Some(big.len() as u64), H)
        .unwrap();
    c.get_response().unwrap().read_all().unwrap();
    let requests = server.requests.lock().unwrap().clone();
    assert!(requests[0].head.contains("Content-Length: 7\r\n"));
    assert_eq!(requests[0].body, b"a=1&b=2");
    assert!(requests[1].head.contains("Transfer-Encoding: chunked\r\n"));
    assert_eq!(requests[1].body, big);
    assert!(requests[2].head.contains("Content-Length: 200000\r\n"));
    assert_eq!(requests[2].body, big);
}

#[test]
fn step_by_step_like_httplib() {
    let server = Server::start(vec![answer(OK_HELLO)]);
    let mut c = conn(&server);
    c.put_request("PUT", "/doc", false, true).unwrap();
    c.put_header("Content-Length", "6").unwrap();
    c.put_header("X-Custom", "yes").unwrap();
    c.end_headers().unwrap();
    c.send(b"abc").unwrap();
    c.send(b"def").unwrap();
    assert_eq!(c.get_response().unwrap().read_all().unwrap(), b"hello");
    let r = &server.requests.lock().unwrap()[0];
    assert!(r.head.starts_with("PUT /doc HTTP/1.1\r\nHost: "));
    assert!(!r.head.contains("Accept-Encoding"));
    assert_eq!(r.body, b"abcdef");
}

#[test]
fn chunked_response_with_trailers_and_head() {
    let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=1\r\n world\r\n0\r\nX-Sum: 42\r\n\r\n";
    let head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
    let server = Server::start(vec![
        [answer(chunked), answer(head), answer(OK_HELLO)].concat()
    ]);
    let mut c = conn(&server);
    c.request("GET", "/", None, H).unwrap();
    let mut r = c.get_response().unwrap();
    let mut body = String::new();
    r.read_to_string(&mut body).unwrap();
    assert_eq!(body, "hello world");
    assert_eq!(
        r.trailers().collect::<Vec<_>>(),
        vec![(&b"X-Sum"[..], &b"42"[..])]
    );
    drop(r);
    c.request("HEAD", "/", None, H).unwrap();
    let mut r = c.get_response().unwrap();
    assert_eq!(r.header("content-length").as_deref(), Some("1000"));
    assert_eq!(r.read_all().unwrap(), b"");
    drop(r);
    c.request("GET", "/", None, H).unwrap();
    assert_eq!(c.get_response().unwrap().read_all().unwrap(), b"hello");
    assert_eq!(c.responses_on_connection(), 3);
}

#[test]
fn a_body_cut_short_is_incomplete_read_on_every_read_path() {
    let cut = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
    let script = vec![Action::Read, Action::Write(cut.to_vec()), Action::Close];
    let server = Server::start(vec![script.clone(), script.clone(), script]);
    // read_all: the partial bytes and the count.
    let mut c = conn(&server);
    c.request("GET", "/", None, H).unwrap();
    match c.get_response().unwrap().read_all() {
        Err(Error::Http(httpcore::Error::IncompleteRead {
            partial,
            received,
            expected,
        })) => {
            assert_eq!(
                (&partial[..], received, expected),
                (&b"abc"[..], 3, Some(7))
            );
        }
        other => panic!("{other:?}"),
    }
    // Bounded reads: the bytes first, then the error (never a silent EOF).
    let mut c = conn(&server);
    c.request("GET", "/", None, H).unwrap();
    let mut r = c.get_response().unwrap();
    let mut buf = [0u8; 2];
    assert_eq!(r.read(&mut buf).unwrap(), 2);
    assert_eq!(r.read(&mut buf).unwrap(), 1);
    let e = r.read(&mut buf).unwrap_err();
    assert!(e.to_string().contains("incomplete read"), "{e}");
    // read_to_end surfaces it too.
    let mut c = conn(&server);
    c.request("GET", "/", None, H).unwrap();
    let mut all = Vec::new();
    assert!(c.get_response().unwrap().read_to_end(&mut all).is_err());
    assert_eq!(all, b"abc");
}

#[test]
fn a_server_that_never_answers_times_out() {
    let server = Server::start(vec![vec![
        Action::Read,
        Action::Sleep(Duration::from_secs(3)),
    ]]);
    let mut c = HttpConnection::new(&server.addr)
        .unwrap()
        .with_timeout(Duration::from_millis(300));
    c.request("GET", "/", None, H).unwrap();
    let t = Instant::now();
    let e = c.get_response().unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    assert_eq!(e.name(), "Timeout");
    assert!(t.elapsed() < Duration::from_secs(2));
}

#[test]
fn responses_one_byte_at_a_time() {
    let chunked =
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n".to_vec();
    let server = Server::start(vec![vec![
        Action::Read,
        Action::WriteSlowly(chunked),
        Action::Read,
        Action::WriteSlowly(OK_HELLO.to_vec()),
    ]]);
    let mut c = conn(&server);
    for _ in 0..2 {
        c.request("GET", "/", None, H).unwrap();
        assert_eq!(c.get_response().unwrap().read_all().unwrap(), b"hello");
    }
}

#[test]
fn interim_responses_are_skipped_and_100_continue_sends_the_body() {
    let script = vec![
        Action::Read,
        Action::Write(b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n".to_vec()),
        Action::Write(OK_HELLO.to_vec()),
    ];
    let server = Server::start(vec![script]);
    let mut c = conn(&server);
    c.request("GET", "/", None, H).unwrap();
    let mut r = c.get_response().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.header("link"), None);
    assert_eq!(r.read_all().unwrap(), b"hello");
}

#[test]
fn expect_continue_without_a_100_sends_the_body_after_the_timer() {
    // This server never sends 100: the engine's timer (1 s by default)
    // releases the body, then the server answers.
    let server = Server::start(vec![answer(OK_HELLO)]);
    let mut c = conn(&server);
    c.put_request("PUT", "/", false, false).unwrap();
    c.put_header("Expect", "100-continue").unwrap();
    c.end_headers_with(BodyLength::Known(4)).unwrap();
    c.send(b"data").unwrap();
    let t = Instant::now();
    assert_eq!(c.get_response().unwrap().read_all().unwrap(), b"hello");
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "body sent before the timer"
    );
    assert_eq!(server.requests.lock().unwrap()[0].body, b"data");
}

#[test]
fn misuse_is_httplibs_errors() {
    let server = Server::start(vec![answer(OK_HELLO)]);
    let mut c = conn(&server);
    assert!(matches!(
        c.get_response(),
        Err(Error::Http(httpcore::Error::ResponseNotReady { .. }))
    ));
    c.request("GET", "/", None, H).unwrap();
    let e = c.request("GET", "/", None, H).unwrap_err();
    assert_eq!(e.name(), "CannotSendRequest");
    assert!(matches!(
        c.put_header("X", "y"),
        Err(Error::Http(httpcore::Error::CannotSendHeader { .. }))
    ));
    // Reading the response frees the connection.
    c.get_response().unwrap().read_all().unwrap();
    assert!(c.engine().is_reusable());
    // Invalid URLs as httplib has them.
    for bad in ["host:", "host:abc", "[::1"] {
        assert_eq!(
            HttpConnection::new(bad).unwrap_err().name(),
            "InvalidURL",
            "{bad}"
        );
    }
    assert_eq!(
        HttpConnection::new("[::1]:8080")
            .unwrap()
            .authority()
            .port(),
        8080
    );
    assert_eq!(
        HttpConnection::new("example.com")
            .unwrap()
            .authority()
            .port(),
        80
    );
}

#[test]
fn connection_refused_is_a_typed_error() {
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let mut c = HttpConnection::new(&addr)
        .unwrap()
        .with_timeout(Duration::from_secs(2));
    let e = c.request("GET", "/", None, H).unwrap_err();
    assert_eq!(e.name(), "ConnectionRefused");
}
