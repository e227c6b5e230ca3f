//! httpcore-mio against local servers: many connections on one thread,
//! trickled and reset streams, pipelining, timeouts, TLS.

use std::time::{Duration, Instant};

use httpcore_mio::mio::{Events, Poll, Token};
use httpcore_mio::{Connection, Driver, Error, Output, RequestId, ResponseHead, Timeouts};
use testkit::{Action, Server};

const H: &[(&str, &str)] = &[];

/// One whole response: its request, head, body and trailers.
type Whole = (RequestId, ResponseHead, Vec<u8>, Vec<(String, String)>);

/// What one connection's loop collected: per request, the head, the body
/// and the trailers, in order; and the error that ended it, if any.
#[derive(Debug, Default)]
struct Collected {
    responses: Vec<Whole>,
    error: Option<Error>,
}

/// Drive `conns` (already registered under `Token(index)`) with a plain
/// mio loop until each has `want[i]` responses or an error; bounded by
/// `limit`.
fn drive(
    poll: &mut Poll,
    conns: &mut [Connection],
    want: &[usize],
    limit: Duration,
) -> Vec<Collected> {
    let mut out: Vec<Collected> = conns.iter().map(|_| Collected::default()).collect();
    let mut partial: Vec<Option<(RequestId, ResponseHead, Vec<u8>)>> =
        conns.iter().map(|_| None).collect();
    let mut events = Events::with_capacity(1024);
    let end = Instant::now() + limit;
    let finished = |out: &[Collected]| {
        out.iter()
            .zip(want)
            .all(|(c, &w)| c.error.is_some() || c.responses.len() >= w)
    };
    while !finished(&out) {
        assert!(
            Instant::now() < end,
            "not finished within {limit:?}: {out:?}"
        );
        let deadline = conns.iter().filter_map(Connection::deadline).min();
        let wait = deadline
            .map_or(Duration::from_millis(100), |d| {
                d.saturating_duration_since(Instant::now())
            })
            .min(Duration::from_millis(100));
        poll.poll(&mut events, Some(wait)).unwrap();
        let mut touched: Vec<usize> = events.iter().map(|e| e.token().0).collect();
        for event in events.iter() {
            conns[event.token().0].handle_event(poll.registry(), event);
        }
        let now = Instant::now();
        for (i, c) in conns.iter_mut().enumerate() {
            if c.deadline().is_some_and(|d| d <= now) {
                c.handle_timeout(poll.registry(), now);
                touched.push(i);
            }
        }
        for i in touched {
            if out[i].error.is_some() {
                continue;
            }
            loop {
                match conns[i].poll_output(poll.registry()) {
                    Ok(None) => break,
                    Ok(Some(Output::Head { id, head, .. })) => {
                        partial[i] = Some((id, head, Vec::new()))
                    }
                    Ok(Some(Output::Body { id, chunk })) => {
                        let p = partial[i].as_mut().unwrap();
                        assert_eq!(p.0, id);
                        p.2.extend_from_slice(&chunk);
                    }
                    Ok(Some(Output::Done { id, trailers })) => {
                        let (pid, head, body) = partial[i].take().unwrap();
                        assert_eq!(pid, id);
                        let trailers = trailers
                            .iter()
                            .map(|(n, v)| {
                                (
                                    String::from_utf8_lossy(n).into_owned(),
                                    String::from_utf8_lossy(v).into_owned(),
                                )
                            })
                            .collect();
                        out[i].responses.push((id, head, body, trailers));
                    }
                    Err(e) => {
                        out[i].error = Some(e);
                        break;
                    }
                }
            }
        }
    }
    out
}

fn connect(addr: &str) -> Connection {
    Connection::http(addr).unwrap()
}

#[test]
fn a_thousand_connections_on_one_thread_every_body_verified() {
    let addr = testkit::load::start(1024);
    let mut driver = Driver::new().unwrap();
    let mut expected = std::collections::HashMap::new();
    for i in 0..1000 {
        let token = driver.add(connect(&addr)).unwrap();
        let target = format!("/echo/{i}");
        let id = driver.request(token, "GET", &target, None, H).unwrap();
        expected.insert((token, id), target);
    }
    assert_eq!(driver.in_flight(), 1000);
    let started = Instant::now();
    let mut finished = Vec::new();
    while driver.in_flight() > 0 {
        assert!(started.elapsed() < Duration::from_secs(60), "stalled");
        driver
            .turn(Some(Duration::from_millis(200)), &mut finished)
            .unwrap();
    }
    assert_eq!(finished.len(), 1000);
    for f in finished {
        let (head, body) = f.result.unwrap();
        assert_eq!(head.status(), 200);
        let target = expected
            .remove(&(f.token, f.id))
            .expect("one answer per request");
        assert_eq!(body, target.as_bytes());
    }
    assert!(expected.is_empty());
}

#[test]
fn pipelined_requests_come_back_in_order() {
    let addr = testkit::load::start(16);
    let mut poll = Poll::new().unwrap();
    let mut conn = connect(&addr);
    conn.register(poll.registry(), Token(0)).unwrap();
    let ids: Vec<RequestId> = (0..16)
        .map(|i| {
            conn.request(poll.registry(), "GET", &format!("/echo/{i}"), None, H)
                .unwrap()
        })
        .collect();
    assert_eq!(conn.in_flight(), 16);
    let mut conns = [conn];
    let got = drive(&mut poll, &mut conns, &[16], Duration::from_secs(10));
    assert!(got[0].error.is_none());
    for (i, (id, head, body, _)) in got[0].responses.iter().enumerate() {
        assert_eq!(*id, ids[i]);
        assert_eq!(head.status(), 200);
        assert_eq!(body, format!("/echo/{i}").as_bytes());
    }
    assert!(conns[0].is_reusable());
    assert_eq!(conns[0].in_flight(), 0);
}

#[test]
fn a_server_that_sends_one_byte_at_a_time() {
    let response = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Slow: yes\r\n\r\n\
        5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Sum: 12\r\n\r\n"
        .to_vec();
    let server = Server::start(vec![vec![Action::Read, Action::WriteSlowly(response)]]);
    let mut poll = Poll::new().unwrap();
    let mut conn = connect(&server.addr);
    conn.register(poll.registry(), Token(0)).unwrap();
    conn.request(poll.registry(), "GET", "/slow", None, H)
        .unwrap();
    let mut conns = [conn];
    let got = drive(&mut poll, &mut conns, &[1], Duration::from_secs(20));
    assert!(got[0].error.is_none(), "{:?}", got[0].error);
    let (_, head, body, trailers) = &got[0].responses[0];
    assert_eq!(head.header("x-slow").as_deref(), Some(&b"yes"[..]));
    assert_eq!(body, b"hello, world");
    assert_eq!(trailers, &[("X-Sum".to_string(), "12".to_string())]);
}

#[test]
fn a_reset_mid_body_fails_that_connection_only() {
    let good = testkit::answer(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood");
    let server = Server::start(vec![
        good.clone(),
        vec![
            Action::Read,
            Action::Write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial".to_vec()),
            Action::Sleep(Duration::from_millis(200)),
            Action::Reset,
        ],
        good,
    ]);
    let mut poll = Poll::new().unwrap();
    let mut conns = Vec::new();
    for i in 0..3 {
        // Loopback handshakes complete in connect order, so the server's
        // scripts go to the connections in order.
        let mut c = connect(&server.addr);
        c.register(poll.registry(), Token(i)).unwrap();
        c.request(poll.registry(), "GET", "/", None, H).unwrap();
        conns.push(c);
    }
    let got = drive(&mut poll, &mut conns, &[1, 1, 1], Duration::from_secs(10));
    for i in [0, 2] {
        assert!(got[i].error.is_none());
        assert_eq!(got[i].responses[0].2, b"good");
    }
    let e = got[1].error.as_ref().expect("the reset connection fails");
    assert_eq!(e.name(), "ConnectionReset", "{e}");
    assert!(got[1].responses.is_empty());
    assert!(conns[1].is_dead());
    assert_eq!(conns[1].unanswered().len(), 1);
}

#[test]
fn a_read_timeout_is_a_typed_error_and_the_deadline_says_when() {
    let server = Server::start(vec![vec![
        Action::Read,
        Action::Sleep(Duration::from_secs(2)),
    ]]);
    let mut poll = Poll::new().unwrap();
    let mut conn = connect(&server.addr).with_timeouts(Timeouts {
        read: Some(Duration::from_millis(150)),
        ..Timeouts::default()
    });
    conn.register(poll.registry(), Token(0)).unwrap();
    assert_eq!(
        conn.deadline(),
        None,
        "nothing awaited while connecting without a connect timeout"
    );
    conn.request(poll.registry(), "GET", "/", None, H).unwrap();
    let started = Instant::now();
    let mut conns = [conn];
    let got = drive(&mut poll, &mut conns, &[1], Duration::from_secs(5));
    let e = got[0].error.as_ref().expect("timed out");
    assert!(matches!(e, Error::Timeout { .. }), "{e}");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(150) && waited < Duration::from_secs(2),
        "{waited:?}"
    );
    assert_eq!(conns[0].deadline(), None);
}

#[test]
fn expect_continue_sends_the_body_when_the_deadline_passes() {
    // The server never sends 100 Continue: the body goes when the engine's
    // timer, run through deadline() / handle_timeout(), fires.
    let server = Server::start(vec![testkit::answer(
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    )]);
    let mut poll = Poll::new().unwrap();
    let mut conn = connect(&server.addr);
    conn.register(poll.registry(), Token(0)).unwrap();
    let engine = conn.engine_mut();
    engine.put_request("PUT", "/upload", false, false).unwrap();
    engine.put_header("Expect", "100-continue").unwrap();
    engine.put_header("Content-Length", "5").unwrap();
    engine.end_headers().unwrap();
    engine.send_body(b"hello").unwrap();
    engine.finish_body().unwrap();
    conn.flush(poll.registry());
    let mut conns = [conn];
    let got = drive(&mut poll, &mut conns, &[1], Duration::from_secs(10));
    assert!(got[0].error.is_none(), "{:?}", got[0].error);
    assert_eq!(got[0].responses[0].2, b"ok");
    let requests = server.requests.lock().unwrap();
    assert_eq!(requests[0].body, b"hello");
}

#[test]
fn a_server_close_while_idle_makes_the_connection_not_reusable() {
    let server = Server::start(vec![vec![
        Action::Read,
        Action::Write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec()),
        Action::Sleep(Duration::from_millis(100)),
        Action::Close,
    ]]);
    let mut poll = Poll::new().unwrap();
    let mut conn = connect(&server.addr);
    conn.register(poll.registry(), Token(0)).unwrap();
    conn.request(poll.registry(), "GET", "/", None, H).unwrap();
    let mut conns = [conn];
    let got = drive(&mut poll, &mut conns, &[1], Duration::from_secs(5));
    assert_eq!(got[0].responses[0].2, b"ok");
    assert!(conns[0].is_reusable());
    // The close arrives as a readable event; polling reads it.
    let mut events = Events::with_capacity(8);
    let end = Instant::now() + Duration::from_secs(5);
    while conns[0].is_reusable() {
        assert!(Instant::now() < end, "close not seen");
        poll.poll(&mut events, Some(Duration::from_millis(100)))
            .unwrap();
        for e in events.iter() {
            conns[0].handle_event(poll.registry(), e);
        }
        assert!(conns[0].poll_output(poll.registry()).unwrap().is_none());
    }
    let e = conns[0]
        .request(poll.registry(), "GET", "/", None, H)
        .unwrap_err();
    assert_eq!(e.name(), "NotConnected", "{e}");
}

#[test]
fn a_refused_connection_is_a_typed_error() {
    // A port nobody listens on: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut poll = Poll::new().unwrap();
    let mut conn = connect(&format!("127.0.0.1:{port}"));
    conn.register(poll.registry(), Token(0)).unwrap();
    conn.request(poll.registry(), "GET", "/", None, H).unwrap();
    let mut conns = [conn];
    let got = drive(&mut poll, &mut conns, &[1], Duration::from_secs(5));
    assert_eq!(got[0].error.as_ref().unwrap().name(), "ConnectionRefused");
}

#[test]
fn tls_verifies_by_default_and_carries_a_mebibyte() {
    use httpcore_mio::TlsOptions;
    let body: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
    let server = testkit::tls::tls_server(&["localhost"], 2, body.clone());
    let host = format!("localhost:{}", server.port);
    let mut poll = Poll::new().unwrap();

    // Not trusted: the handshake fails with a certificate error.
    let mut conn = Connection::https(&host, &TlsOptions::default()).unwrap();
    conn.register(poll.registry(), Token(0)).unwrap();
    conn.request(poll.registry(), "GET", "/", None, H).unwrap();
    let mut conns = [conn];
    let got = drive(&mut poll, &mut conns, &[1], Duration::from_secs(10));
    assert_eq!(got[0].error.as_ref().unwrap().name(), "CertificateError");

    // Trusted through ca_file: two pipelined requests on one connection.
    let opts = TlsOptions {
        ca_file: Some(testkit::tls::ca_file(&server.ca_pem)),
        ..TlsOptions::default()
    };
    let mut conn = Connection::https(&host, &opts).unwrap();
    conn.register(poll.registry(), Token(0)).unwrap();
    conn.request(poll.registry(), "GET", "/a", None, H).unwrap();
    conn.request(poll.registry(), "GET", "/b", None, H).unwrap();
    let mut conns = [conn];
    let got = drive(&mut poll, &mut conns, &[2], Duration::from_secs(20));
    assert!(got[0].error.is_none(), "{:?}", got[0].error);
    assert_eq!(got[0].responses.len(), 2);
    for r in &got[0].responses {
        assert_eq!(r.2, body);
    }
}

#[test]
fn an_idle_connection_holds_no_buffer_unless_told_to_keep_them() {
    let addr = testkit::load::start(16);
    for release in [true, false] {
        let mut driver = Driver::new().unwrap();
        let token = driver
            .add(connect(&addr).with_release_when_idle(release))
            .unwrap();
        let mut finished = Vec::new();
        for round in 0..3 {
            let target = format!("/echo/{round}");
            driver.request(token, "GET", &target, None, H).unwrap();
            let started = Instant::now();
            while driver.in_flight() > 0 {
                assert!(started.elapsed() < Duration::from_secs(10), "stalled");
                driver
                    .turn(Some(Duration::from_millis(200)), &mut finished)
                    .unwrap();
            }
            let (head, body) = finished.pop().unwrap().result.unwrap();
            assert_eq!((head.status(), body), (200, target.into_bytes()));
            let held = driver.connection(token).unwrap().engine().buffer_capacity();
            if release {
                assert_eq!(held, 0, "an idle connection kept {held} bytes of buffers");
            } else {
                assert!(held >= 8 * 1024, "buffers kept: {held}");
            }
        }
    }
}
