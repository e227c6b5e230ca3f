//! httpcore-tokio over in-memory duplex streams (every response also
//! delivered one byte per write), and over TCP against the scripted server
//! shared with httpcore-std (`testkit`): keep-alive, truncation, timeouts,
//! reuse checks, pipelining, cancellation.

use std::time::Duration;

use httpcore_tokio::httpcore::{self, Authority, Config};
use httpcore_tokio::{Connection, Error, Timeouts};
use testkit::{answer, Action, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const H: &[(&str, &str)] = &[];
const OK_HELLO: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

/// A connection over a duplex whose far end writes `response` (after the
/// request arrives) in pieces of `piece` bytes.
async fn over_duplex(response: &'static [u8], piece: usize) -> Connection<tokio::io::DuplexStream> {
    let cuts = (piece..response.len()).step_by(piece.max(1)).collect();
    over_duplex_cut(response, cuts).await
}

/// A connection over a duplex whose far end writes `response` (after the
/// request arrives) cut at `cuts`, yielding between the pieces.
async fn over_duplex_cut(
    response: &'static [u8],
    cuts: Vec<usize>,
) -> Connection<tokio::io::DuplexStream> {
    let (client, mut server) = tokio::io::duplex(64);
    tokio::spawn(async move {
        let mut req = Vec::new();
        let mut buf = [0u8; 256];
        while !req.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = server.read(&mut buf).await.unwrap();
            if n == 0 {
                return;
            }
            req.extend_from_slice(&buf[..n]);
        }
        let mut from = 0;
        for to in cuts.into_iter().chain([response.len()]) {
            server.write_all(&response[from..to]).await.unwrap();
            tokio::task::yield_now().await;
            from = to;
        }
        // Keep the far end open until the client is done.
        let _ = server.read(&mut buf).await;
    });
    Connection::new(
        client,
        Authority::parse("example.com", 80).unwrap(),
        Config::default(),
    )
}

#[tokio::test(flavor = "current_thread")]
async fn duplex_whole_and_one_byte_at_a_time_agree() {
    let cases: [(&str, &'static [u8]); 4] = [
        ("GET", OK_HELLO),
        ("GET", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nX-T: 1\r\n\r\n"),
        ("GET", b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"),
        ("HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"),
    ];
    for (method, response) in cases {
        let mut results = Vec::new();
        for piece in [usize::MAX, 7, 1] {
            let mut c = over_duplex(response, piece.min(response.len())).await;
            c.request(method, "/", None, H).await.unwrap();
            let mut r = c.get_response().await.unwrap();
            let status = r.status();
            let body = r.read_all().await.unwrap();
            let trailers: Vec<(Vec<u8>, Vec<u8>)> = r
                .head()
                .trailers()
                .map(|(n, v)| (n.to_vec(), v.to_vec()))
                .collect();
            drop(r);
            results.push((status, body, trailers, c.engine().is_reusable()));
        }
        assert!(
            results.windows(2).all(|w| w[0] == w[1]),
            "{method}: {results:?}"
        );
        assert!(results[0].3, "reusable after a complete response");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn every_exchange_split_at_every_byte() {
    let cases: [(&str, &'static [u8]); 3] = [
        ("GET", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n3\r\nabc\r\n2;x=\"y\"\r\nde\r\n0\r\nX-T: 1\r\n\r\n"),
        ("GET", b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
        ("HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"),
    ];
    for (method, response) in cases {
        let mut seen = None;
        for cut in 1..response.len() {
            let mut c = over_duplex_cut(response, vec![cut]).await;
            c.request(method, "/", None, H).await.unwrap();
            let mut r = c.get_response().await.unwrap();
            let headers: Vec<(Vec<u8>, Vec<u8>)> = r
                .head()
                .headers()
                .map(|(n, v)| (n.to_vec(), v.to_vec()))
                .collect();
            let body = r.read_all().await.unwrap();
            let trailers: Vec<(Vec<u8>, Vec<u8>)> = r
                .head()
                .trailers()
                .map(|(n, v)| (n.to_vec(), v.to_vec()))
                .collect();
            let status = r.status();
            drop(r);
            let got = (status, headers, body, trailers, c.engine().is_reusable());
            match &seen {
                None => seen = Some(got),
                Some(first) => assert_eq!(first, &got, "{method}, cut at {cut}"),
            }
        }
        let (status, _, body, _, reusable) = seen.unwrap();
        assert_eq!(status, 200);
        assert!(reusable);
        assert_eq!(body.is_empty(), method == "HEAD");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn body_as_async_read_and_as_chunks() {
    let mut c = over_duplex(
        b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
        3,
    )
    .await;
    c.request("GET", "/", None, H).await.unwrap();
    let mut r = c.get_response().await.unwrap();
    let mut s = String::new();
    r.read_to_string(&mut s).await.unwrap();
    assert_eq!(s, "hello world");
}

fn tcp_conn(
    server: &Server,
) -> impl std::future::Future<Output = Result<Connection<tokio::net::TcpStream>, Error>> + '_ {
    let t = Duration::from_secs(5);
    httpcore_tokio::connect_with(&server.addr, Config::default(), Timeouts::all(t))
}

#[tokio::test(flavor = "current_thread")]
async fn keep_alive_and_truncation_over_tcp() {
    let cut = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".to_vec();
    let script = [
        answer(OK_HELLO),
        answer(OK_HELLO),
        vec![Action::Read, Action::Write(cut), Action::Close],
    ]
    .concat();
    let server = Server::start(vec![script]);
    let mut c = tcp_conn(&server).await.unwrap();
    for _ in 0..2 {
        c.request("GET", "/", None, H).await.unwrap();
        assert_eq!(
            c.get_response().await.unwrap().read_all().await.unwrap(),
            b"hello"
        );
        assert!(c.is_reusable());
    }
    c.request("GET", "/", None, H).await.unwrap();
    match c.get_response().await.unwrap().read_all().await {
        Err(Error::Http(httpcore::Error::IncompleteRead {
            partial, expected, ..
        })) => {
            assert_eq!((&partial[..], expected), (&b"abc"[..], Some(7)));
        }
        other => panic!("{other:?}"),
    }
    assert!(!c.is_reusable());
    let requests = server.requests.lock().unwrap().clone();
    assert!(requests.iter().all(|r| r.connection == 0));
}

#[tokio::test(flavor = "current_thread")]
async fn a_closed_or_poisoned_idle_connection_is_not_reusable() {
    let closes = vec![
        Action::Read,
        Action::Write(OK_HELLO.to_vec()),
        Action::Close,
    ];
    let poisons = vec![
        Action::Read,
        Action::Write(OK_HELLO.to_vec()),
        Action::Sleep(Duration::from_millis(50)),
        Action::Write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\npoison".to_vec()),
    ];
    let server = Server::start(vec![closes, poisons]);
    for _ in 0..2 {
        let mut c = tcp_conn(&server).await.unwrap();
        c.request("GET", "/", None, H).await.unwrap();
        c.get_response().await.unwrap().read_all().await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!c.is_reusable());
        let e = c.request("GET", "/", None, H).await.unwrap_err();
        assert_eq!(e.name(), "NotConnected", "{e:?}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_silent_server_times_out() {
    let server = Server::start(vec![vec![
        Action::Read,
        Action::Sleep(Duration::from_secs(2)),
    ]]);
    let mut c = httpcore_tokio::connect_with(
        &server.addr,
        Config::default(),
        Timeouts::all(Duration::from_millis(200)),
    )
    .await
    .unwrap();
    c.request("GET", "/", None, H).await.unwrap();
    let e = c.get_response().await.unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_cancelled_read_leaves_the_connection_closed() {
    // The body stalls after two bytes; the caller gives up on it.
    let script = vec![
        Action::Read,
        Action::Write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab".to_vec()),
        Action::Sleep(Duration::from_secs(2)),
    ];
    let server = Server::start(vec![script]);
    let mut c = tcp_conn(&server).await.unwrap();
    c.request("GET", "/", None, H).await.unwrap();
    let mut r = c.get_response().await.unwrap();
    let cancelled = tokio::time::timeout(Duration::from_millis(100), r.read_all()).await;
    assert!(
        cancelled.is_err(),
        "the read should still have been waiting"
    );
    drop(r);
    // Never reused half-read: the connection says so.
    assert!(!c.is_reusable());
    let e = c.request("GET", "/", None, H).await.unwrap_err();
    assert_eq!(e.name(), "NotConnected");
}

#[tokio::test(flavor = "current_thread")]
async fn pipelined_requests_are_answered_in_order() {
    let server = Server::start(vec![vec![
        Action::Read,
        Action::Read,
        Action::Read,
        Action::Write(
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nAHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nC"
                .to_vec(),
        ),
    ]]);
    let config = Config {
        max_pipelined: 3,
        ..Config::default()
    };
    let mut c =
        httpcore_tokio::connect_with(&server.addr, config, Timeouts::all(Duration::from_secs(5)))
            .await
            .unwrap();
    c.request("GET", "/a", None, H).await.unwrap();
    c.request("HEAD", "/b", None, H).await.unwrap();
    c.request("GET", "/c", None, H).await.unwrap();
    let mut bodies = Vec::new();
    for _ in 0..3 {
        bodies.push(c.get_response().await.unwrap().read_all().await.unwrap());
    }
    assert_eq!(bodies, vec![b"A".to_vec(), Vec::new(), b"C".to_vec()]);
}

#[tokio::test(flavor = "current_thread")]
async fn tls_verifies_by_default_and_carries_a_mebibyte() {
    use httpcore_tokio::TlsOptions;
    let body: Vec<u8> = (0..(1u32 << 20))
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let server = testkit::tls::tls_server(&["localhost"], 2, body.clone());
    let host = format!("localhost:{}", server.port);
    // Untrusted by default, and the error says so.
    let e = httpcore_tokio::connect_tls(&host, &TlsOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.name(), "CertificateError", "{e:?}");
    // Trusted through ca_file: two requests on one TLS connection.
    let opts = TlsOptions {
        ca_file: Some(testkit::tls::ca_file(&server.ca_pem)),
        ..TlsOptions::default()
    };
    let mut c = httpcore_tokio::connect_tls(&host, &opts).await.unwrap();
    for _ in 0..2 {
        c.request("GET", "/big", None, H).await.unwrap();
        let got = c.get_response().await.unwrap().read_all().await.unwrap();
        assert!(got == body, "body differs");
    }
    drop(c);
    tokio::task::spawn_blocking(move || server.handle.join().unwrap())
        .await
        .unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn step_by_step_like_httplib() {
    let server = Server::start(vec![[answer(OK_HELLO), answer(OK_HELLO)].concat()]);
    let mut c = tcp_conn(&server).await.unwrap();
    c.put_request("PUT", "/doc", false, true).unwrap();
    c.put_header("Content-Length", "6").unwrap();
    c.end_headers().await.unwrap();
    c.send(b"abc").await.unwrap();
    c.send(b"def").await.unwrap();
    assert_eq!(
        c.get_response().await.unwrap().read_all().await.unwrap(),
        b"hello"
    );
    // Chunked, with the body finished by get_response.
    c.put_request("POST", "/stream", false, false).unwrap();
    c.end_headers_with(httpcore::BodyLength::Unknown)
        .await
        .unwrap();
    c.send(b"part one, ").await.unwrap();
    c.send(b"part two").await.unwrap();
    assert_eq!(
        c.get_response().await.unwrap().read_all().await.unwrap(),
        b"hello"
    );
    let requests = server.requests.lock().unwrap().clone();
    assert!(requests[0].head.starts_with("PUT /doc HTTP/1.1\r\n"));
    assert_eq!(requests[0].body, b"abcdef");
    assert!(requests[1].head.contains("Transfer-Encoding: chunked\r\n"));
    assert_eq!(requests[1].body, b"part one, part two");
}

#[tokio::test(flavor = "current_thread")]
async fn a_client_whose_request_was_cancelled_opens_a_new_connection() {
    // The first answer stalls mid-body and the caller gives up: the client
    // never reuses that connection, and the next request goes on a new one.
    let stalled = vec![
        Action::Read,
        Action::Write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab".to_vec()),
        Action::Sleep(Duration::from_secs(2)),
    ];
    let server = Server::start(vec![stalled, answer(OK_HELLO)]);
    let mut client = httpcore_tokio::HttpConnection::http(&server.addr).unwrap();
    let cancelled = tokio::time::timeout(Duration::from_millis(150), async {
        let mut r = client.request("GET", "/1", None, H).await.unwrap();
        r.read_all().await
    })
    .await;
    assert!(
        cancelled.is_err(),
        "the read should still have been waiting"
    );
    let mut r = client.request("GET", "/2", None, H).await.unwrap();
    assert_eq!(r.read_all().await.unwrap(), b"hello");
    drop(r);
    let requests = server.requests.lock().unwrap().clone();
    assert_eq!(
        requests.iter().map(|r| r.connection).collect::<Vec<_>>(),
        [0, 1]
    );
}

/// A stream that holds what is written until it is flushed (a
/// `BufWriter`): every request is flushed, the second as the first, so the
/// server sees it and answers.
#[tokio::test(flavor = "current_thread")]
async fn a_buffering_stream_is_flushed_for_every_request() {
    let (client, mut server) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        for _ in 0..2 {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                if server.read(&mut byte).await.unwrap() == 0 {
                    return;
                }
                head.push(byte[0]);
            }
            server.write_all(OK_HELLO).await.unwrap();
        }
        let _ = server.read(&mut [0u8; 1]).await;
    });
    let mut c = Connection::new(
        tokio::io::BufWriter::new(client),
        Authority::parse("example.com", 80).unwrap(),
        Config::default(),
    )
    .with_timeouts(Timeouts {
        read: Some(Duration::from_secs(5)),
        ..Timeouts::default()
    });
    for _ in 0..2 {
        c.request("GET", "/", None, H).await.unwrap();
        let mut r = c.get_response().await.unwrap();
        assert_eq!(r.read_all().await.unwrap(), b"hello");
    }
}
