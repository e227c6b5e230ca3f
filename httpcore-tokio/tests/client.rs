//! httpcore-tokio's pooled `Client`: the pooled clients' suite
//! (`testkit::pooled`, shared with std's `Agent`), then what only an async
//! client has — 64 tasks over one pool, futures dropped at every await
//! point, request bodies from an `AsyncRead` and a `Stream`, the response
//! body as `AsyncRead` and as a `Stream`.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use httpcore_tokio::httpcore_client::pool::PoolConfig;
use httpcore_tokio::{Body, Client, ClientResponse, ClientSettings, Timeouts};
use testkit::{answer, Server};

mod pooled;
use pooled::make;
use tokio::io::AsyncReadExt;

testkit::pooled_tests!(make);
testkit::pooled_nginx_tests!(make);

fn limited(per_host: usize) -> Client {
    Client::with_settings(ClientSettings {
        pool: PoolConfig {
            max_per_host: per_host,
            ..PoolConfig::default()
        },
        timeouts: Timeouts::all(Duration::from_secs(10)),
        ..ClientSettings::default()
    })
    .unwrap()
}

#[test]
fn a_client_its_responses_and_its_futures_cross_tasks() {
    fn shared<T: Send + Sync + Clone + 'static>() {}
    fn owned<T: Send + 'static>(_: &T) {}
    shared::<Client>();
    let client = Client::new().unwrap();
    let fut = async move { client.get("http://127.0.0.1:9/").await };
    owned(&fut);
    fn response<T: Send + 'static>() {}
    response::<ClientResponse>();
}

/// Every call of `get` and every reused connection's `request` moves its
/// future (and the futures inside it) at least once; opening a connection
/// (resolver, connect, TLS handshake: ~6 KB of future) is boxed so that
/// those moves stay small. The response they return is moved out through
/// each of them: a decoder's state is boxed (gzip's inline made it 656
/// bytes).
#[test]
fn request_futures_do_not_carry_the_connect_path() {
    let response = std::mem::size_of::<ClientResponse>();
    assert!(response < 512, "ClientResponse is {response} bytes");
    let client = Client::new().unwrap();
    let get = client.get("http://127.0.0.1:9/");
    assert!(
        std::mem::size_of_val(&get) < 3 * 1024,
        "Client::get's future is {} bytes",
        std::mem::size_of_val(&get)
    );
    let mut conn = httpcore_tokio::HttpConnection::http("127.0.0.1:9").unwrap();
    let request = conn.request("GET", "/", None, &[] as &[(&str, &str)]);
    assert!(
        std::mem::size_of_val(&request) < 2 * 1024,
        "HttpConnection::request's future is {} bytes",
        std::mem::size_of_val(&request)
    );
}

#[tokio::test(flavor = "current_thread")]
async fn sixty_four_tasks_share_one_pool_within_the_per_host_limit() {
    let (addr, accepted) = testkit::load::start_counted(1024);
    let client = limited(8);
    let tasks: Vec<_> = (0..64)
        .map(|t| {
            let (client, addr) = (client.clone(), addr.clone());
            tokio::spawn(async move {
                for i in 0..40 {
                    let target = format!("/echo/{t}-{i}");
                    let mut r = client.get(&format!("http://{addr}{target}")).await.unwrap();
                    assert_eq!(r.status(), 200);
                    assert_eq!(r.read_all().await.unwrap(), target.as_bytes());
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let opened = accepted.load(Ordering::Relaxed);
    assert!(
        (1..=8).contains(&opened),
        "{opened} connections for a limit of 8"
    );
}

/// Requests dropped at every point of their life — waiting in line,
/// connecting, sending, waiting for the head, half-way through the body —
/// leave the pool whole: with one connection allowed, every later request
/// still gets it, and every body is its own.
#[tokio::test(flavor = "current_thread")]
async fn futures_dropped_at_any_await_point_leave_the_pool_consistent() {
    let addr = slow_echo_server();
    let client = limited(1);
    let mut completed = 0;
    for step in 0..120u64 {
        // A holder, and a waiter behind it, cancelled after delays that
        // walk through the whole exchange; the waiter gives up first on
        // odd steps (while it waits in line), last on even ones.
        let delay = Duration::from_micros(step * 50);
        let (hold, wait) = if step % 2 == 1 {
            (delay * 2, delay)
        } else {
            (delay, delay * 2)
        };
        let url = format!("http://{addr}/echo/{step}");
        let (a, b) = (client.clone(), client.clone());
        let (ua, ub) = (url.clone(), url.clone());
        let first = tokio::time::timeout(hold, async move {
            let mut r = a.get(&ua).await?;
            r.read_all().await
        });
        let second = tokio::time::timeout(wait, async move {
            let mut r = b.get(&ub).await?;
            r.read_all().await
        });
        let (x, y) = tokio::join!(first, second);
        for r in [x, y].into_iter().flatten() {
            assert_eq!(r.unwrap(), url.as_bytes()[url.find("/echo").unwrap()..]);
            completed += 1;
        }
        // A response dropped half-read, too.
        if step % 10 == 0 {
            let mut r = client
                .get(&format!("http://{addr}/echo/half"))
                .await
                .unwrap();
            // Its first piece ("/ech" unless a late read took both).
            let first = r.chunk().await.unwrap().unwrap();
            assert!(b"/echo/half".starts_with(&first), "{first:?}");
        }
    }
    // The one slot is free: requests go through, on one connection at a time.
    for i in 0..5 {
        let target = format!("/echo/after-{i}");
        let mut r = tokio::time::timeout(
            Duration::from_secs(5),
            client.get(&format!("http://{addr}{target}")),
        )
        .await
        .expect("a slot was lost")
        .unwrap();
        assert_eq!(r.read_all().await.unwrap(), target.as_bytes());
    }
    assert!(
        completed > 0,
        "no request completed: the delays are too short"
    );
    assert!(
        completed < 240,
        "every request completed: nothing was cancelled"
    );
}

/// A keep-alive server that takes its time: for each request, a pause
/// before the head, another before the body's first half, another before
/// the rest — so that cancellations land in every phase. The body is the
/// request's target.
fn slow_echo_server() -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(1000) {
            let Ok(stream) = stream else { return };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut out = stream;
                let pause = || std::thread::sleep(Duration::from_millis(1));
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let target = line.split(' ').nth(1).unwrap_or("/").to_string();
                    while line != "\r\n" {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                    }
                    let (a, b) = target.split_at(target.len().min(4));
                    pause();
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                        target.len()
                    );
                    for part in [head.as_str(), a, b] {
                        if out.write_all(part.as_bytes()).is_err() {
                            return;
                        }
                        pause();
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test(flavor = "current_thread")]
async fn request_bodies_from_a_reader_and_a_stream() {
    let ok: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    let server = Server::start(vec![[answer(ok), answer(ok), answer(ok)].concat()]);
    let client = Client::new().unwrap();
    let data: &'static [u8] = b"from a reader, length unknown";
    let mut r = client
        .request("PUT", &server.url("/r"), &[], Body::reader(data, None))
        .await
        .unwrap();
    assert_eq!(r.read_all().await.unwrap(), b"ok");
    let pieces = ["one ", "two ", "three"].map(|s| Ok::<_, std::io::Error>(Bytes::from(s)));
    let stream = StreamOf(pieces.into_iter());
    let mut r = client
        .request(
            "POST",
            &server.url("/s"),
            &[],
            Body::stream(stream, Some(13)),
        )
        .await
        .unwrap();
    assert_eq!(r.read_all().await.unwrap(), b"ok");
    let mut r = client
        .request("POST", &server.url("/b"), &[], "bytes")
        .await
        .unwrap();
    assert_eq!(r.read_all().await.unwrap(), b"ok");
    let requests = server.requests.lock().unwrap().clone();
    assert!(requests[0]
        .head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked"));
    assert_eq!(requests[0].body, data);
    assert!(requests[1].head.contains("Content-Length: 13"));
    assert_eq!(requests[1].body, b"one two three");
    assert_eq!(requests[2].body, b"bytes");
    assert!(requests.iter().all(|r| r.connection == 0), "one connection");
}

#[tokio::test(flavor = "current_thread")]
async fn a_streamed_post_is_never_sent_twice() {
    let server = Server::start(vec![
        testkit::behaviour::closes_after_reading_the_second_request(),
        answer(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
    ]);
    let client = Client::new().unwrap();
    client
        .get(&server.url("/1"))
        .await
        .unwrap()
        .read_all()
        .await
        .unwrap();
    let body = Body::reader(&b"order"[..], Some(5));
    let e = client
        .request("POST", &server.url("/2"), &[], body)
        .await
        .unwrap_err();
    assert_eq!(e.name(), "MaybeProcessed", "{e}");
    let posts = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.head.starts_with("POST"))
        .count();
    assert_eq!(posts, 1);
}

#[tokio::test(flavor = "current_thread")]
async fn the_response_body_as_async_read_and_as_a_stream() {
    let chunked: &[u8] =
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n";
    let server = Server::start(vec![[answer(chunked), answer(chunked)].concat()]);
    let client = Client::new().unwrap();
    let mut r = client.get(&server.url("/")).await.unwrap();
    let mut text = String::new();
    r.read_to_string(&mut text).await.unwrap();
    assert_eq!(text, "abcdefg");
    let mut r = client.get(&server.url("/")).await.unwrap();
    let mut pieces = Vec::new();
    while let Some(piece) =
        std::future::poll_fn(|cx| futures_core::Stream::poll_next(std::pin::Pin::new(&mut r), cx))
            .await
    {
        pieces.push(piece.unwrap());
    }
    assert_eq!(pieces.concat(), b"abcdefg");
    drop(r);
    drop(client);
    assert_eq!(
        server.connections(),
        1,
        "both read to the end: one connection"
    );
}

/// A `Stream` over an iterator, for the request-body test.
struct StreamOf<I>(I);

impl<I: Iterator + Unpin> futures_core::Stream for StreamOf<I> {
    type Item = I::Item;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<I::Item>> {
        std::task::Poll::Ready(self.0.next())
    }
}

/// 64 tasks on one thread share a client with a per-host limit of 8, over
/// nginx's HTTP and HTTPS: every body checked, and nginx's own connection
/// numbers show no more than 8 connections.
#[tokio::test(flavor = "current_thread")]
#[ignore = "needs nginx: eval \"$(.ci/nginx.sh start DIR)\""]
async fn nginx_sixty_four_tasks_stay_within_the_limit() {
    let client = Client::with_settings(ClientSettings {
        pool: PoolConfig {
            max_per_host: 8,
            ..PoolConfig::default()
        },
        tls: httpcore_tokio::TlsOptions {
            ca_file: Some(testkit::nginx::ca_file().into()),
            ..httpcore_tokio::TlsOptions::default()
        },
        timeouts: Timeouts::all(Duration::from_secs(10)),
        ..ClientSettings::default()
    })
    .unwrap();
    let big = Arc::new(testkit::nginx::big());
    for base in [
        format!("http://{}", testkit::nginx::http_addr()),
        format!("https://{}", testkit::nginx::https_addr()),
    ] {
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let (client, base, big) = (client.clone(), base.clone(), big.clone());
                tokio::spawn(async move {
                    let mut seen = std::collections::HashSet::new();
                    for i in 0..40 {
                        let mut r = client.get(&format!("{base}/connection")).await.unwrap();
                        let text = String::from_utf8(r.read_all().await.unwrap()).unwrap();
                        seen.insert(text.split_whitespace().next().unwrap().to_string());
                        if i % 20 == 0 {
                            let mut r = client.get(&format!("{base}/big.bin")).await.unwrap();
                            assert!(r.read_all().await.unwrap() == *big, "body differs");
                        }
                    }
                    seen
                })
            })
            .collect();
        let mut connections = std::collections::HashSet::new();
        for t in tasks {
            connections.extend(t.await.unwrap());
        }
        assert!(
            (1..=8).contains(&connections.len()),
            "{base}: {} nginx connections for a limit of 8",
            connections.len()
        );
    }
}

/// `http` types at the edges: an `http::Request` in (method, absolute URI,
/// headers, body), an `http::Response` out whose body is an
/// `http_body::Body` — data frames, then the trailers as a frame.
#[cfg(feature = "http")]
#[tokio::test(flavor = "current_thread")]
async fn http_requests_in_and_http_bodies_out() {
    use http_body_util::BodyExt;
    let chunked: &[u8] = b"HTTP/1.1 201 Created\r\nX-Reply: yes\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-Sum: 5\r\n\r\n";
    let server = Server::start(vec![answer(chunked)]);
    let client = Client::new().unwrap();
    let req = http::Request::post(server.url("/form"))
        .header("X-Asked", "1")
        .body(Bytes::from_static(b"a=1"))
        .unwrap();
    let resp = client.send(req).await.unwrap();
    assert_eq!(resp.status(), http::StatusCode::CREATED);
    assert_eq!(resp.headers()["x-reply"], "yes");
    let collected = resp.into_body().collect().await.unwrap();
    assert_eq!(collected.trailers().unwrap()["x-sum"], "5");
    assert_eq!(&collected.to_bytes()[..], b"abcde");
    let seen = server.requests.lock().unwrap()[0].clone();
    assert!(
        seen.head.starts_with("POST /form HTTP/1.1\r\n"),
        "{}",
        seen.head
    );
    assert!(seen.head.contains("x-asked: 1\r\n") || seen.head.contains("X-Asked: 1\r\n"));
    assert_eq!(seen.body, b"a=1");
}

/// The idle check reads Tokio's readiness after one yield (no system call
/// when nothing came): bytes pushed onto an idle pooled connection are
/// seen on a multi-thread runtime, and on a current-thread runtime kept
/// busy by another task, not only on an idle one (the behaviour suite).
#[test]
fn unsolicited_bytes_are_seen_on_busy_and_multi_thread_runtimes() {
    const HELLO: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let busy = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let spinning = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let spin = spinning.clone();
    busy.spawn(async move {
        while spin.load(Ordering::Relaxed) {
            tokio::task::yield_now().await;
        }
    });
    for rt in [&multi, &busy] {
        let poisoned = vec![
            testkit::Action::Read,
            testkit::Action::Write(HELLO.to_vec()),
            testkit::Action::Sleep(Duration::from_millis(100)),
            testkit::Action::Write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\npoison".to_vec()),
        ];
        let server = Server::start(vec![poisoned, answer(HELLO)]);
        let client = Client::new().unwrap();
        let url = format!("http://{}/", server.addr);
        let get = || async { client.get(&url).await.unwrap().read_all().await.unwrap() };
        assert_eq!(rt.block_on(get()), b"hello");
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(rt.block_on(get()), b"hello", "poison was served");
        drop(client);
        assert_eq!(server.connections(), 2);
    }
    spinning.store(false, Ordering::Relaxed);
}
