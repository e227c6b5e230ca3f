//! The behaviour suite the adapters share: one copy of the cases, each a
//! scripted server and a check of what the client got and what the server
//! saw. An adapter implements [`Client`] (a blocking facade over its own
//! API) and instantiates every case as a test with
//! [`behaviour_tests!`](crate::behaviour_tests).

use std::time::{Duration, Instant};

use httpcore::ResponseHead;

use crate::{answer, Action, Server};

/// A whole response as a client got it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub trailers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// From a head (trailers included) and the body.
    pub fn new(head: &ResponseHead, body: Vec<u8>) -> Reply {
        let text = |(n, v): (&[u8], &[u8])| {
            (
                String::from_utf8_lossy(n).into_owned(),
                String::from_utf8_lossy(v).into_owned(),
            )
        };
        Reply {
            status: head.status(),
            reason: String::from_utf8_lossy(head.reason()).into_owned(),
            headers: head.headers().map(text).collect(),
            trailers: head.trailers().map(text).collect(),
            body,
        }
    }
}

/// A failed exchange: the error's name (`Error::name()`) and its message.
#[derive(Debug, Clone)]
pub struct Failure {
    pub name: String,
    pub message: String,
}

impl From<httpcore_client::Error> for Failure {
    /// Every adapter's error is the client layer's.
    fn from(e: httpcore_client::Error) -> Failure {
        Failure {
            name: e.name().to_string(),
            message: e.to_string(),
        }
    }
}

/// A CONNECT tunnel: target host, port, and the headers for the proxy.
pub type Tunnel = (String, u16, Vec<(String, String)>);

/// How a case wants its client made.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A read timeout.
    pub read_timeout: Option<Duration>,
    /// Talk through the server as a proxy, with a CONNECT tunnel to this
    /// `(host, port)` and these headers.
    pub tunnel: Option<Tunnel>,
    /// HTTPS (verified against the built-in roots, plus `ca_file`).
    pub https: bool,
    /// Extra trusted roots, PEM.
    pub ca_file: Option<std::path::PathBuf>,
    /// Reach the server through this proxy (`http://[user:pass@]host:port`).
    pub proxy: Option<String>,
    /// The engine's wait for `100 Continue` before sending a held body.
    pub continue_wait: Option<Duration>,
}

impl Options {
    /// The TLS settings: the built-in roots plus `ca_file`.
    pub fn tls(&self) -> httpcore_client::TlsOptions {
        httpcore_client::TlsOptions {
            ca_file: self.ca_file.clone(),
            ..httpcore_client::TlsOptions::default()
        }
    }

    /// The timeouts: the read timeout, nothing else.
    pub fn timeouts(&self) -> httpcore_client::Timeouts {
        httpcore_client::Timeouts {
            read: self.read_timeout,
            ..httpcore_client::Timeouts::default()
        }
    }

    /// `base` with the case's 100-continue wait, if it sets one.
    pub fn config(&self, base: httpcore::Config) -> httpcore::Config {
        match self.continue_wait {
            Some(wait) => httpcore::Config {
                expect_continue_timeout: wait,
                ..base
            },
            None => base,
        }
    }

    /// The proxy, parsed.
    pub fn proxy(&self) -> Option<httpcore_client::Proxy> {
        self.proxy
            .as_ref()
            .map(|p| httpcore_client::Proxy::parse(p).unwrap())
    }

    /// The tunnel's headers as `(&str, &str)` pairs, for `set_tunnel`.
    pub fn tunnel_headers(&self) -> Vec<(&str, &str)> {
        self.tunnel
            .iter()
            .flat_map(|t| &t.2)
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }
}

/// A client of one server, kept-alive between exchanges, as an adapter
/// offers it (reconnecting and retrying as the adapter does).
pub trait Client {
    /// One request and its whole response.
    fn exchange(
        &mut self,
        method: &str,
        target: &str,
        body: Option<&[u8]>,
        headers: &[(&str, &str)],
    ) -> Result<Reply, Failure>;

    /// A request answered by `101 Switching Protocols`: the status, then
    /// every byte the switched stream carries until the server closes it
    /// (the bytes that came with the head first).
    fn upgrade(
        &mut self,
        target: &str,
        headers: &[(&str, &str)],
    ) -> Result<(u16, Vec<u8>), Failure>;
}

/// Makes an adapter's client for `host:port` with `Options`.
pub type Make<'a> = &'a dyn Fn(&str, &Options) -> Box<dyn Client>;

const OK_HELLO: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

fn get(c: &mut dyn Client, target: &str) -> Result<Reply, Failure> {
    c.exchange("GET", target, None, &[])
}

/// Two requests, one connection.
pub fn keep_alive_reuses_one_connection(make: Make) {
    let script = [answer(OK_HELLO), answer(OK_HELLO)].concat();
    let server = Server::start(vec![script]);
    let mut c = make(&server.addr, &Options::default());
    for path in ["/1", "/2"] {
        assert_eq!(get(&mut *c, path).unwrap().body, b"hello");
    }
    drop(c);
    assert_eq!(server.connections(), 1);
}

/// The server answers and closes while idle: the next request notices and
/// opens a new connection, without an error.
pub fn a_closed_idle_connection_is_replaced(make: Make) {
    let first = vec![
        Action::Read,
        Action::Write(OK_HELLO.to_vec()),
        Action::Sleep(Duration::from_millis(50)),
        Action::Close,
    ];
    let server = Server::start(vec![first, answer(OK_HELLO)]);
    let mut c = make(&server.addr, &Options::default());
    assert_eq!(get(&mut *c, "/1").unwrap().body, b"hello");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(get(&mut *c, "/2").unwrap().body, b"hello");
    drop(c);
    assert_eq!(server.connections(), 2);
}

/// A server script that answers the first request, then reads the second
/// on the same kept-alive connection and closes without a byte of answer.
pub fn closes_after_reading_the_second_request() -> Vec<Action> {
    vec![
        Action::Read,
        Action::Write(OK_HELLO.to_vec()),
        Action::Read,
        Action::Close,
    ]
}

/// The server reads a POST on a reused connection and closes without an
/// answer: the POST is not sent again (the server may have acted on it);
/// the error says it may have been processed.
pub fn a_post_is_never_sent_twice(make: Make) {
    let server = Server::start(vec![
        closes_after_reading_the_second_request(),
        answer(OK_HELLO),
    ]);
    let mut c = make(&server.addr, &Options::default());
    get(&mut *c, "/1").unwrap();
    let e = c.exchange("POST", "/2", Some(b"order"), &[]).unwrap_err();
    assert_eq!(e.name, "MaybeProcessed", "{}", e.message);
    assert!(
        e.message.contains("may or may not have processed"),
        "{}",
        e.message
    );
    let requests = server.requests.lock().unwrap().clone();
    let posts = requests
        .iter()
        .filter(|r| r.head.starts_with("POST"))
        .count();
    assert_eq!(posts, 1, "{requests:?}");
}

/// The same with a GET: it goes once more, on a new connection, and
/// succeeds.
pub fn a_get_on_a_connection_closed_under_it_is_retried(make: Make) {
    let server = Server::start(vec![
        closes_after_reading_the_second_request(),
        answer(OK_HELLO),
    ]);
    let mut c = make(&server.addr, &Options::default());
    get(&mut *c, "/1").unwrap();
    assert_eq!(get(&mut *c, "/2").unwrap().body, b"hello");
    let requests = server.requests.lock().unwrap().clone();
    let seconds: Vec<usize> = requests
        .iter()
        .filter(|r| r.head.starts_with("GET /2 "))
        .map(|r| r.connection)
        .collect();
    assert_eq!(seconds, [0, 1], "once on each connection");
    drop(c);
    assert_eq!(server.connections(), 2);
}

/// A POST the caller marked idempotent (`Idempotency-Key`) goes again,
/// body and key and all.
pub fn a_post_with_an_idempotency_key_is_retried(make: Make) {
    let server = Server::start(vec![
        closes_after_reading_the_second_request(),
        answer(OK_HELLO),
    ]);
    let mut c = make(&server.addr, &Options::default());
    get(&mut *c, "/1").unwrap();
    let r = c
        .exchange("POST", "/2", Some(b"body"), &[("Idempotency-Key", "k-1")])
        .unwrap();
    assert_eq!(r.body, b"hello");
    let requests = server.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        (requests[2].connection, &requests[2].body[..]),
        (1, &b"body"[..])
    );
    assert!(
        requests[2].head.contains("Idempotency-Key: k-1\r\n"),
        "{}",
        requests[2].head
    );
}

/// A server that ignores `Expect: 100-continue` (it waits for the body
/// without answering first) gets the body once the engine's wait ran out.
pub fn a_server_that_ignores_expect_gets_the_body_after_the_wait(make: Make) {
    let wait = Duration::from_millis(300);
    let server = Server::start(vec![vec![
        Action::ReadHead,
        Action::ReadBody,
        Action::Write(OK_HELLO.to_vec()),
    ]]);
    let options = Options {
        continue_wait: Some(wait),
        read_timeout: Some(Duration::from_secs(5)),
        ..Options::default()
    };
    let mut c = make(&server.addr, &options);
    let started = Instant::now();
    let r = c
        .exchange("PUT", "/up", Some(b"data"), &[("Expect", "100-continue")])
        .unwrap();
    let took = started.elapsed();
    assert_eq!(r.body, b"hello");
    assert!(
        took >= wait,
        "the body went before the wait ran out ({took:?})"
    );
    assert!(
        took < Duration::from_secs(3),
        "the wait was not run ({took:?})"
    );
    let requests = server.requests.lock().unwrap().clone();
    assert!(requests[0].head.contains("Expect: 100-continue\r\n"));
    assert_eq!(requests[0].body, b"data");
}

/// The bytes that come behind a `101` head, in the same read, belong to
/// the new protocol: handed over with the stream, none lost.
pub fn bytes_after_a_101_are_handed_over_with_the_stream(make: Make) {
    let server = Server::start(vec![vec![
        Action::Read,
        Action::Write(
            b"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\nfirst bytes"
                .to_vec(),
        ),
        Action::Sleep(Duration::from_millis(50)),
        Action::Write(b", then more".to_vec()),
        Action::Close,
    ]]);
    let mut c = make(&server.addr, &Options::default());
    let (status, rest) = c
        .upgrade("/chat", &[("Connection", "upgrade"), ("Upgrade", "echo")])
        .unwrap();
    assert_eq!(status, 101);
    assert_eq!(String::from_utf8_lossy(&rest), "first bytes, then more");
}

/// Through a forward proxy: `http://` requests in absolute-form with the
/// origin's `Host`, the credentials of the proxy URL as
/// `Proxy-Authorization: Basic`, the proxy connection kept alive.
pub fn a_forward_proxy_gets_absolute_form_and_credentials(make: Make) {
    let server = Server::start(vec![[answer(OK_HELLO), answer(OK_HELLO)].concat()]);
    let options = Options {
        proxy: Some(format!("http://user:pa%3Ass@{}", server.addr)),
        ..Options::default()
    };
    let mut c = make("origin.example:8080", &options);
    assert_eq!(get(&mut *c, "/a?b=1").unwrap().body, b"hello");
    assert_eq!(
        c.exchange("POST", "/form", Some(b"x=1"), &[]).unwrap().body,
        b"hello"
    );
    drop(c);
    let requests = server.requests.lock().unwrap().clone();
    assert!(
        requests[0].head.starts_with(
            "GET http://origin.example:8080/a?b=1 HTTP/1.1\r\nHost: origin.example:8080\r\n"
        ),
        "{}",
        requests[0].head
    );
    assert!(requests[1]
        .head
        .starts_with("POST http://origin.example:8080/form HTTP/1.1\r\n"));
    for r in &requests {
        // "user:pa:ss"
        assert_eq!(
            r.head
                .matches("Proxy-Authorization: Basic dXNlcjpwYTpzcw==\r\n")
                .count(),
            1,
            "{}",
            r.head
        );
    }
    assert_eq!(requests[1].body, b"x=1");
    assert_eq!(server.connections(), 1);
}

/// HTTPS through a proxy URL: a CONNECT tunnel carrying the proxy's
/// credentials (and only the CONNECT carries them), TLS end to end inside
/// it, verified for the origin's name.
pub fn https_through_a_proxy_url_tunnels_with_credentials(make: Make) {
    let tls = crate::tls::tls_server(&["origin.test"], 2, b"secret body".to_vec());
    let proxy = crate::proxy::ConnectProxy::start(1);
    let options = Options {
        https: true,
        ca_file: Some(crate::tls::ca_file(&tls.ca_pem)),
        proxy: Some(format!("http://carol:pw@{}", proxy.addr)),
        ..Options::default()
    };
    let mut c = make(&format!("origin.test:{}", tls.port), &options);
    for i in 0..2 {
        let r = get(&mut *c, "/inside").unwrap_or_else(|e| panic!("request {i}: {e:?}"));
        assert_eq!(r.body, b"secret body");
    }
    drop(c);
    let heads = proxy.heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 1, "one tunnel, kept alive: {heads:?}");
    assert_eq!(
        heads[0],
        format!(
            "CONNECT origin.test:{0} HTTP/1.1\r\nHost: origin.test:{0}\r\nProxy-Authorization: Basic Y2Fyb2w6cHc=\r\n",
            tls.port
        )
    );
}

/// Over TLS, a body delimited by the close is complete only when the close
/// comes with `close_notify`: without it, anyone on the path could have cut
/// it short, and the client says so (`TruncatedBody`). A body complete by
/// its framing is complete either way.
pub fn a_tls_body_cut_without_close_notify_is_an_error(make: Make) {
    let body = vec![b'x'; 1000];
    let close_delimited = [&b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"[..], &body].concat();
    let framed = [
        &b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n"[..],
        &body,
    ]
    .concat();
    for (response, close_notify, complete) in [
        (&close_delimited, true, true),
        (&close_delimited, false, false),
        (&framed, false, true),
        (&framed, true, true),
    ] {
        let server =
            crate::tls::tls_server_that_closes(&["127.0.0.1"], response.clone(), close_notify);
        let options = Options {
            https: true,
            ca_file: Some(crate::tls::ca_file(&server.ca_pem)),
            read_timeout: Some(Duration::from_secs(5)),
            ..Options::default()
        };
        let mut c = make(&format!("127.0.0.1:{}", server.port), &options);
        let got = get(&mut *c, "/");
        let framing = if response == &framed {
            "framed"
        } else {
            "close-delimited"
        };
        if complete {
            let r = got.unwrap_or_else(|e| panic!("{framing}, close_notify {close_notify}: {e:?}"));
            assert_eq!(r.body, body, "{framing}, close_notify {close_notify}");
        } else {
            let e = got
                .map(|r| r.body.len())
                .expect_err("a truncated body was reported complete");
            assert_eq!(e.name, "TruncatedBody", "{}", e.message);
            assert!(e.message.contains("close_notify"), "{}", e.message);
        }
    }
}

/// Part of a response arrived before the close: no retry, a typed error
/// (there is no second connection to retry on: the server takes one).
pub fn a_partial_response_is_not_retried(make: Make) {
    let script = vec![
        Action::Read,
        Action::Write(OK_HELLO.to_vec()),
        Action::Read,
        Action::Write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".to_vec()),
        Action::Close,
    ];
    let server = Server::start(vec![script]);
    let mut c = make(&server.addr, &Options::default());
    get(&mut *c, "/1").unwrap();
    let e = get(&mut *c, "/2").unwrap_err();
    assert_eq!(e.name, "IncompleteRead", "{}", e.message);
    drop(c);
    assert_eq!(server.connections(), 1);
}

/// Bytes that arrive while idle are never served as the next response.
pub fn unsolicited_bytes_make_the_next_request_use_a_new_connection(make: Make) {
    let first = vec![
        Action::Read,
        Action::Write(OK_HELLO.to_vec()),
        Action::Sleep(Duration::from_millis(100)),
        Action::Write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\npoison".to_vec()),
    ];
    let server = Server::start(vec![first, answer(OK_HELLO)]);
    let mut c = make(&server.addr, &Options::default());
    get(&mut *c, "/1").unwrap();
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(
        get(&mut *c, "/2").unwrap().body,
        b"hello",
        "poison was served"
    );
    drop(c);
    assert_eq!(server.connections(), 2);
}

/// A chunked body with extensions and trailers, one byte at a time.
pub fn chunked_with_trailers_one_byte_at_a_time(make: Make) {
    let response = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n\
        5\r\nhello\r\n7;ext=\"q\"\r\n, world\r\n0\r\nX-Sum: 12\r\n\r\n"
        .to_vec();
    let server = Server::start(vec![vec![Action::Read, Action::WriteSlowly(response)]]);
    let mut c = make(&server.addr, &Options::default());
    let r = get(&mut *c, "/").unwrap();
    assert_eq!(r.body, b"hello, world");
    assert!(r.headers.contains(&("X-A".into(), "1".into())));
    assert_eq!(r.trailers, [("X-Sum".to_string(), "12".to_string())]);
}

/// HEAD, 204 and 304 have no body, whatever their headers say; the
/// connection carries on.
pub fn head_204_and_304_have_no_body(make: Make) {
    let script = [
        answer(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"),
        answer(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"),
        answer(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n"),
        answer(OK_HELLO),
    ]
    .concat();
    let server = Server::start(vec![script]);
    let mut c = make(&server.addr, &Options::default());
    let r = c.exchange("HEAD", "/", None, &[]).unwrap();
    assert_eq!((r.status, r.body.len()), (200, 0));
    assert_eq!(get(&mut *c, "/nc").unwrap().status, 204);
    assert_eq!(get(&mut *c, "/nm").unwrap().status, 304);
    assert_eq!(get(&mut *c, "/").unwrap().body, b"hello");
    drop(c);
    assert_eq!(server.connections(), 1);
}

/// 1xx interim responses are skipped.
pub fn interim_responses_are_skipped(make: Make) {
    let response = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n\
        HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    let server = Server::start(vec![answer(response)]);
    let mut c = make(&server.addr, &Options::default());
    let r = get(&mut *c, "/").unwrap();
    assert_eq!((r.status, &r.body[..]), (200, &b"hello"[..]));
}

/// An HTTP/1.0 body read to the close; the next request opens a new
/// connection.
pub fn a_close_delimited_body_then_a_new_connection(make: Make) {
    let first = vec![
        Action::Read,
        Action::Write(b"HTTP/1.0 200 OK\r\n\r\nuntil the end".to_vec()),
        Action::Close,
    ];
    let server = Server::start(vec![first, answer(OK_HELLO)]);
    let mut c = make(&server.addr, &Options::default());
    assert_eq!(get(&mut *c, "/1").unwrap().body, b"until the end");
    assert_eq!(get(&mut *c, "/2").unwrap().body, b"hello");
    drop(c);
    assert_eq!(server.connections(), 2);
}

/// A body cut short is `IncompleteRead`; a garbled status line is
/// `BadStatusLine`.
pub fn broken_responses_are_typed_errors(make: Make) {
    let server = Server::start(vec![
        vec![
            Action::Read,
            Action::Write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort".to_vec()),
            Action::Close,
        ],
        vec![
            Action::Read,
            Action::Write(b"HTTP/1.1 2x0 OK\r\n\r\n".to_vec()),
            Action::Close,
        ],
    ]);
    let mut c = make(&server.addr, &Options::default());
    assert_eq!(get(&mut *c, "/1").unwrap_err().name, "IncompleteRead");
    drop(c);
    let mut c = make(&server.addr, &Options::default());
    assert_eq!(get(&mut *c, "/2").unwrap_err().name, "BadStatusLine");
}

/// `GET /` from `server` with a 200 ms read timeout: `Timeout`, well
/// before the server's two-second stall ends.
fn times_out_promptly(make: Make, server: &Server) {
    let options = Options {
        read_timeout: Some(Duration::from_millis(200)),
        ..Options::default()
    };
    let mut c = make(&server.addr, &options);
    let started = Instant::now();
    let e = get(&mut *c, "/").unwrap_err();
    assert_eq!(e.name, "Timeout", "{}", e.message);
    assert!(started.elapsed() < Duration::from_millis(1500));
}

/// A server that does not answer in time: `Timeout`, promptly.
pub fn a_read_timeout_is_a_timeout(make: Make) {
    let server = Server::start(vec![vec![
        Action::Read,
        Action::Sleep(Duration::from_secs(2)),
    ]]);
    times_out_promptly(make, &server);
}

/// A body that stops coming half-way: `Timeout` too, promptly — the read
/// timeout bounds each wait for the body as it does the wait for the head.
pub fn a_body_that_stalls_is_a_read_timeout(make: Make) {
    let server = Server::start(vec![vec![
        Action::Read,
        Action::Write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab".to_vec()),
        Action::Sleep(Duration::from_secs(2)),
    ]]);
    times_out_promptly(make, &server);
}

/// CONNECT through a proxy, then the request inside the tunnel; the
/// proxy's refusal is `TunnelRefused`.
pub fn a_tunnel_through_a_proxy(make: Make) {
    let server = Server::start(vec![
        vec![
            Action::Read,
            Action::Write(b"HTTP/1.1 200 Connection established\r\n\r\n".to_vec()),
            Action::Read,
            Action::Write(OK_HELLO.to_vec()),
        ],
        answer(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n"),
    ]);
    let options = Options {
        tunnel: Some((
            "origin.example".into(),
            8080,
            vec![("Proxy-Authorization".into(), "Basic eDp5".into())],
        )),
        ..Options::default()
    };
    let mut c = make(&server.addr, &options);
    assert_eq!(get(&mut *c, "/inside").unwrap().body, b"hello");
    let requests = server.requests.lock().unwrap().clone();
    assert!(
        requests[0].head.starts_with(
            "CONNECT origin.example:8080 HTTP/1.1\r\nHost: origin.example:8080\r\nProxy-Authorization: Basic eDp5\r\n"
        ),
        "{}",
        requests[0].head
    );
    assert!(
        requests[1]
            .head
            .starts_with("GET /inside HTTP/1.1\r\nHost: origin.example:8080\r\n"),
        "{}",
        requests[1].head
    );
    drop(c);
    let mut c = make(&server.addr, &options);
    let e = get(&mut *c, "/").unwrap_err();
    assert_eq!(e.name, "TunnelRefused", "{}", e.message);
    assert!(e.message.contains("407"), "{}", e.message);
}

/// The cases against the private nginx of `.ci/nginx.sh` (see
/// [`crate::nginx`]).
pub mod nginx {
    use super::{get, Make, Options};
    use crate::nginx::{big, ca_file, http_addr, https_addr};

    fn trusted() -> Options {
        Options {
            https: true,
            ca_file: Some(ca_file().into()),
            ..Options::default()
        }
    }

    /// nginx's `$connection $connection_requests` for a request.
    fn connection_id(c: &mut dyn super::Client) -> (String, u32) {
        let body = get(c, "/connection").unwrap().body;
        let text = String::from_utf8(body).unwrap();
        let mut it = text.split_whitespace();
        (
            it.next().unwrap().to_string(),
            it.next().unwrap().parse().unwrap(),
        )
    }

    /// Five requests over HTTP and over HTTPS: one nginx connection each.
    pub fn nginx_keep_alive_is_one_connection(make: Make) {
        for (addr, options) in [(http_addr(), Options::default()), (https_addr(), trusted())] {
            let mut c = make(&addr, &options);
            let ids: Vec<(String, u32)> = (0..5).map(|_| connection_id(&mut *c)).collect();
            assert!(ids.iter().all(|(id, _)| *id == ids[0].0), "{ids:?}");
            assert_eq!(ids.iter().map(|i| i.1).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
        }
    }

    /// The 1 MiB file, byte for byte, over HTTP and HTTPS; HEAD and 204
    /// without bodies on the same connection.
    pub fn nginx_mebibytes_head_and_no_content(make: Make) {
        let want = big();
        for (addr, options) in [(http_addr(), Options::default()), (https_addr(), trusted())] {
            let mut c = make(&addr, &options);
            let r = get(&mut *c, "/big.bin").unwrap();
            assert_eq!(r.status, 200);
            assert!(r.body == want, "body differs");
            let r = c.exchange("HEAD", "/big.bin", None, &[]).unwrap();
            assert_eq!((r.status, r.body.len()), (200, 0));
            assert_eq!(get(&mut *c, "/nocontent").unwrap().status, 204);
            assert!(get(&mut *c, "/big.bin").unwrap().body == want);
        }
    }

    /// nginx's gzip answer is chunked; the body arrives whole.
    pub fn nginx_chunked_gzip(make: Make) {
        let mut c = make(&http_addr(), &Options::default());
        let r = c
            .exchange("GET", "/text.txt", None, &[("Accept-Encoding", "gzip")])
            .unwrap();
        assert_eq!(r.status, 200);
        assert!(r
            .headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v == "chunked"));
        assert_eq!(&r.body[..2], b"\x1f\x8b", "a gzip stream");
    }

    /// The certificate is not trusted without the CA file.
    pub fn nginx_https_is_untrusted_by_default(make: Make) {
        let options = Options {
            https: true,
            ..Options::default()
        };
        let mut c = make(&https_addr(), &options);
        let e = get(&mut *c, "/").unwrap_err();
        assert_eq!(e.name, "CertificateError", "{}", e.message);
    }
}

/// One `#[test]` per nginx case, ignored unless asked for (`--ignored`,
/// with nginx started by `.ci/nginx.sh`).
#[macro_export]
macro_rules! nginx_tests {
    ($make:expr) => {
        $crate::nginx_tests!(@each $make;
            nginx_keep_alive_is_one_connection,
            nginx_mebibytes_head_and_no_content,
            nginx_chunked_gzip,
            nginx_https_is_untrusted_by_default
        );
    };
    (@each $make:expr; $($case:ident),*) => {
        $(
            #[test]
            #[ignore = "needs nginx: eval \"$(.ci/nginx.sh start DIR)\""]
            fn $case() {
                $crate::behaviour::nginx::$case(&$make);
            }
        )*
    };
}

/// One `#[test]` per case of the suite, each calling `$make` (an
/// `fn(&str, &Options) -> Box<dyn Client>`).
#[macro_export]
macro_rules! behaviour_tests {
    ($make:expr) => {
        $crate::behaviour_tests!(@each $make;
            keep_alive_reuses_one_connection,
            a_closed_idle_connection_is_replaced,
            a_post_is_never_sent_twice,
            a_get_on_a_connection_closed_under_it_is_retried,
            a_post_with_an_idempotency_key_is_retried,
            a_server_that_ignores_expect_gets_the_body_after_the_wait,
            bytes_after_a_101_are_handed_over_with_the_stream,
            a_forward_proxy_gets_absolute_form_and_credentials,
            https_through_a_proxy_url_tunnels_with_credentials,
            a_tls_body_cut_without_close_notify_is_an_error,
            a_partial_response_is_not_retried,
            unsolicited_bytes_make_the_next_request_use_a_new_connection,
            chunked_with_trailers_one_byte_at_a_time,
            head_204_and_304_have_no_body,
            interim_responses_are_skipped,
            a_close_delimited_body_then_a_new_connection,
            broken_responses_are_typed_errors,
            a_read_timeout_is_a_timeout,
            a_body_that_stalls_is_a_read_timeout,
            a_tunnel_through_a_proxy
        );
    };
    (@each $make:expr; $($case:ident),*) => {
        $(
            #[test]
            fn $case() {
                $crate::behaviour::$case(&$make);
            }
        )*
    };
}
