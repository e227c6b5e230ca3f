//! The pooled clients' suite (std's `Agent`, tokio's `Client`), written
//! once: each adapter wraps its client in [`Pooled`] and runs every case
//! with [`pooled_tests!`](crate::pooled_tests). The cases check what the
//! pool promises through real sockets: waiters served and connections
//! reused, limits held (counted by the server), a half-read connection
//! never reused, idle expiry, the idle check, the body cap, a POST never
//! sent twice, redirects and the credentials they leave behind.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use httpcore_client::pool::PoolConfig;
use httpcore_client::redirect::Redirects;
use httpcore_client::{ClientSettings, Timeouts};

use crate::behaviour::{closes_after_reading_the_second_request, Failure};
use crate::{answer, Action, Server};

/// A pooled client as the suite drives it: blocking calls, shareable by
/// threads (a tokio adapter blocks on one runtime shared by every call).
pub trait Pooled: Send + Sync {
    /// Send a request and wait for its response's head.
    fn request(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Box<dyn Held>, Failure>;
}

/// A response whose head has arrived and whose body is unread: dropped
/// unread, it must close its connection.
pub trait Held: Send {
    /// The status code.
    fn status(&self) -> u16;
    /// A header's value.
    fn header(&self, name: &str) -> Option<String>;
    /// The whole body, through the client's capped reader.
    fn read_all(&mut self) -> Result<Vec<u8>, Failure>;
    /// Read the body piece by piece to its end, keeping none of it; how
    /// many bytes it had.
    fn drain(&mut self) -> Result<u64, Failure>;
}

/// Makes a pooled client with these settings.
pub type MakePooled<'a> = &'a dyn Fn(ClientSettings) -> Arc<dyn Pooled>;

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

fn get(c: &dyn Pooled, url: &str) -> Result<Vec<u8>, Failure> {
    c.request("GET", url, &[], None)?.read_all()
}

fn limited(per_host: usize) -> ClientSettings {
    ClientSettings {
        pool: PoolConfig {
            max_per_host: per_host,
            ..PoolConfig::default()
        },
        timeouts: Timeouts::all(Duration::from_secs(10)),
        ..ClientSettings::default()
    }
}

/// Eight threads, 250 requests each, one client with at most four
/// connections to the host: every body is its own request's, and the
/// server accepted no more than four connections.
pub fn eight_threads_share_one_pool_within_the_per_host_limit(make: MakePooled) {
    let (addr, accepted) = crate::load::start_counted(1024);
    let client = make(limited(4));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (client, addr) = (client.clone(), addr.clone());
            std::thread::spawn(move || {
                for i in 0..250 {
                    let target = format!("/echo/{t}-{i}");
                    let mut r = client
                        .request("GET", &format!("http://{addr}{target}"), &[], None)
                        .unwrap();
                    assert_eq!(r.status(), 200);
                    assert_eq!(r.read_all().unwrap(), target.as_bytes());
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let opened = accepted.load(Ordering::Relaxed);
    assert!(
        (1..=4).contains(&opened),
        "{opened} connections for a limit of 4"
    );
}

/// With one connection allowed, a second request waits until the first
/// response has been read, then reuses its connection.
pub fn a_request_waits_for_the_one_connection_then_reuses_it(make: MakePooled) {
    let server = Server::start(vec![[answer(OK), answer(OK)].concat()]);
    let client = make(limited(1));
    let url = server.url("/");
    let mut first = client.request("GET", &url, &[], None).unwrap();
    let waiter = {
        let (client, url) = (client.clone(), url.clone());
        std::thread::spawn(move || get(&*client, &url).unwrap())
    };
    std::thread::sleep(Duration::from_millis(100));
    assert!(!waiter.is_finished(), "the second request did not wait");
    assert_eq!(first.read_all().unwrap(), b"hello");
    assert_eq!(waiter.join().unwrap(), b"hello");
    drop(client);
    assert_eq!(server.connections(), 1);
}

/// A request waiting for a connection gives up at the connect timeout with
/// a `Timeout` naming the wait; the place it gave up is not lost.
pub fn a_waiter_gives_up_at_the_connect_timeout(make: MakePooled) {
    let server = Server::start(vec![[answer(OK), answer(OK)].concat()]);
    let client = make(ClientSettings {
        pool: PoolConfig {
            max_per_host: 1,
            ..PoolConfig::default()
        },
        timeouts: Timeouts {
            connect: Some(Duration::from_millis(200)),
            ..Timeouts::default()
        },
        ..ClientSettings::default()
    });
    let mut held = client.request("GET", &server.url("/"), &[], None).unwrap();
    let started = Instant::now();
    let e = get(&*client, &server.url("/")).unwrap_err();
    assert_eq!(e.name, "Timeout", "{}", e.message);
    assert!(e.message.contains("pooled connection"), "{}", e.message);
    assert!(started.elapsed() < Duration::from_secs(2));
    // The one connection still goes round.
    assert_eq!(held.read_all().unwrap(), b"hello");
    assert_eq!(get(&*client, &server.url("/")).unwrap(), b"hello");
}

/// A response dropped before its body was read closes its connection: the
/// next request opens a new one.
pub fn a_response_dropped_before_its_end_closes_its_connection(make: MakePooled) {
    let server = Server::start(vec![
        answer(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
        answer(OK),
    ]);
    let client = make(limited(1));
    drop(client.request("GET", &server.url("/1"), &[], None).unwrap());
    assert_eq!(get(&*client, &server.url("/2")).unwrap(), b"hello");
    drop(client);
    assert_eq!(
        server.connections(),
        2,
        "the half-read connection was reused"
    );
}

/// An idle connection past its time is not reused; one the server closed
/// while idle is replaced (the idle check).
pub fn an_idle_connection_expires_and_a_closed_one_is_replaced(make: MakePooled) {
    let server = Server::start(vec![answer(OK), answer(OK)]);
    let client = make(ClientSettings {
        pool: PoolConfig {
            idle_timeout: Duration::from_millis(100),
            ..PoolConfig::default()
        },
        ..ClientSettings::default()
    });
    let url = server.url("/");
    assert_eq!(get(&*client, &url).unwrap(), b"hello");
    std::thread::sleep(Duration::from_millis(250));
    assert_eq!(get(&*client, &url).unwrap(), b"hello");
    drop(client);
    assert_eq!(server.connections(), 2, "the expired connection was reused");
    let server = Server::start(vec![
        vec![
            Action::Read,
            Action::Write(OK.to_vec()),
            Action::Sleep(Duration::from_millis(20)),
            Action::Close,
        ],
        answer(OK),
    ]);
    let client = make(ClientSettings::default());
    let url = server.url("/");
    assert_eq!(get(&*client, &url).unwrap(), b"hello");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(get(&*client, &url).unwrap(), b"hello");
    drop(client);
    assert_eq!(server.connections(), 2);
}

/// The whole-body reader stops at `max_body` with `BodyTooLarge`.
pub fn a_whole_body_read_is_capped(make: MakePooled) {
    let addr = crate::load::start(16);
    let client = make(ClientSettings {
        max_body: 8,
        ..ClientSettings::default()
    });
    let e = get(&*client, &format!("http://{addr}/echo/longer-than-eight")).unwrap_err();
    assert_eq!(e.name, "BodyTooLarge", "{}", e.message);
    assert_eq!(
        get(&*client, &format!("http://{addr}/echo/8")).unwrap(),
        b"/echo/8"
    );
}

/// `Duration::MAX` written for "never" — every timeout, the deadline, the
/// idle timeout, the delay between connection attempts — means never:
/// the requests go, the connection is kept and reused, nothing panics
/// adding it to the time.
pub fn durations_of_duration_max_mean_never(make: MakePooled) {
    let (addr, accepted) = crate::load::start_counted(16);
    let client = make(ClientSettings {
        timeouts: Timeouts::all(Duration::MAX),
        deadline: Some(Duration::MAX),
        attempt_delay: Duration::MAX,
        pool: PoolConfig {
            idle_timeout: Duration::MAX,
            ..PoolConfig::default()
        },
        ..ClientSettings::default()
    });
    for n in 0..3 {
        let path = format!("/echo/{n}");
        let body = get(&*client, &format!("http://{addr}{path}")).unwrap();
        assert_eq!(body, path.as_bytes());
    }
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
}

/// A POST on a reused connection the server closes after reading it is
/// `MaybeProcessed`, and reached the server once.
pub fn a_post_is_never_sent_twice(make: MakePooled) {
    let server = Server::start(vec![closes_after_reading_the_second_request(), answer(OK)]);
    let client = make(ClientSettings::default());
    get(&*client, &server.url("/1")).unwrap();
    let e = client
        .request("POST", &server.url("/2"), &[], Some(b"order"))
        .err()
        .expect("the POST failed");
    assert_eq!(e.name, "MaybeProcessed", "{}", e.message);
    let posts = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.head.starts_with("POST"))
        .count();
    assert_eq!(posts, 1);
}

fn following(max: usize) -> ClientSettings {
    ClientSettings {
        redirects: Redirects::follow(max),
        timeouts: Timeouts::all(Duration::from_secs(10)),
        ..ClientSettings::default()
    }
}

fn redirect(status: u16, location: &str) -> Vec<u8> {
    format!("HTTP/1.1 {status} Moved\r\nLocation: {location}\r\nContent-Length: 3\r\n\r\nbye")
        .into_bytes()
}

/// Off by default; when asked, 302 turns a POST into a GET without its
/// body on the same kept-alive connection, 307 keeps method and body.
pub fn redirects_are_off_by_default_and_followed_when_asked(make: MakePooled) {
    let server = Server::start(vec![answer(&redirect(302, "/b"))]);
    let r = make(ClientSettings::default())
        .request("GET", &server.url("/a"), &[], None)
        .unwrap();
    assert_eq!(
        (r.status(), r.header("location").as_deref()),
        (302, Some("/b"))
    );
    let server = Server::start(vec![[
        answer(&redirect(302, "/b")),
        answer(&redirect(307, "c")),
        answer(OK),
    ]
    .concat()]);
    let mut r = make(following(5))
        .request("POST", &server.url("/a"), &[("X-Keep", "1")], Some(b"form"))
        .unwrap();
    assert_eq!(
        (r.status(), r.read_all().unwrap()),
        (200, b"hello".to_vec())
    );
    let requests = server.requests.lock().unwrap().clone();
    let lines: Vec<&str> = requests
        .iter()
        .map(|r| r.head.lines().next().unwrap())
        .collect();
    assert_eq!(
        lines,
        ["POST /a HTTP/1.1", "GET /b HTTP/1.1", "GET /c HTTP/1.1"]
    );
    assert_eq!(requests[1].body, b"");
    assert!(requests.iter().all(|r| r.head.contains("X-Keep: 1\r\n")));
    assert!(requests.iter().all(|r| r.connection == 0), "one connection");
    let server = Server::start(vec![[answer(&redirect(307, "/b")), answer(OK)].concat()]);
    make(following(5))
        .request("PUT", &server.url("/a"), &[], Some(b"data"))
        .unwrap()
        .read_all()
        .unwrap();
    let requests = server.requests.lock().unwrap().clone();
    assert!(requests[1].head.starts_with("PUT /b "));
    assert_eq!(requests[1].body, b"data");
}

/// `Authorization` and `Cookie` do not follow a redirect to another
/// origin; other fields do.
pub fn credentials_stay_behind_on_another_origin(make: MakePooled) {
    let other = Server::start(vec![answer(OK)]);
    let first = Server::start(vec![
        [answer(&redirect(302, &other.url("/x"))), answer(OK)].concat()
    ]);
    let headers = [
        ("Authorization", "Bearer t"),
        ("Cookie", "s=1"),
        ("Accept", "*/*"),
    ];
    make(following(5))
        .request("GET", &first.url("/a"), &headers, None)
        .unwrap()
        .read_all()
        .unwrap();
    let at_first = first.requests.lock().unwrap()[0].head.clone();
    let at_other = other.requests.lock().unwrap()[0].head.clone();
    assert!(at_first.contains("Authorization: Bearer t") && at_first.contains("Cookie: s=1"));
    assert!(
        !at_other.contains("Authorization") && !at_other.contains("Cookie"),
        "{at_other}"
    );
    assert!(at_other.contains("Accept: */*"));
}

/// A loop and a chain past the limit are typed errors naming the chain.
pub fn loops_and_long_chains_are_errors_naming_the_chain(make: MakePooled) {
    let server = Server::start(vec![[
        answer(&redirect(302, "/b")),
        answer(&redirect(301, "/a")),
    ]
    .concat()]);
    let e = get(&*make(following(10)), &server.url("/a")).unwrap_err();
    assert_eq!(e.name, "RedirectLoop", "{}", e.message);
    assert!(e.message.contains("/a -> "), "{}", e.message);
    let server = Server::start(vec![[
        answer(&redirect(302, "/1")),
        answer(&redirect(302, "/2")),
        answer(&redirect(302, "/3")),
    ]
    .concat()]);
    let e = get(&*make(following(2)), &server.url("/0")).unwrap_err();
    assert_eq!(e.name, "TooManyRedirects", "{}", e.message);
    assert!(e.message.ends_with("/3"), "{}", e.message);
}

/// A client shared by 8 threads, 250 requests each, over nginx's HTTP and
/// HTTPS: every body checked, and nginx's own connection numbers (its
/// `/connection` answer) show no more connections than the per-host limit.
pub fn nginx_eight_threads_stay_within_the_limit(make: MakePooled) {
    let client = make(ClientSettings {
        pool: PoolConfig {
            max_per_host: 4,
            ..PoolConfig::default()
        },
        tls: httpcore_client::TlsOptions {
            ca_file: Some(crate::nginx::ca_file().into()),
            ..httpcore_client::TlsOptions::default()
        },
        timeouts: Timeouts::all(Duration::from_secs(10)),
        ..ClientSettings::default()
    });
    for base in [
        format!("http://{}", crate::nginx::http_addr()),
        format!("https://{}", crate::nginx::https_addr()),
    ] {
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (client, base) = (client.clone(), base.clone());
                std::thread::spawn(move || {
                    let mut seen = std::collections::HashSet::new();
                    for i in 0..250 {
                        let text = get(&*client, &format!("{base}/connection")).unwrap();
                        let text = String::from_utf8(text).unwrap();
                        seen.insert(text.split_whitespace().next().unwrap().to_string());
                        if i % 50 == 0 {
                            let big = get(&*client, &format!("{base}/big.bin")).unwrap();
                            assert!(big == crate::nginx::big(), "body differs");
                        }
                    }
                    seen
                })
            })
            .collect();
        let mut connections = std::collections::HashSet::new();
        for t in threads {
            connections.extend(t.join().unwrap());
        }
        assert!(
            (1..=4).contains(&connections.len()),
            "{base}: {} nginx connections for a limit of 4",
            connections.len()
        );
    }
}

/// The pooled suite's nginx cases, ignored unless asked for (`--ignored`,
/// with nginx started by `.ci/nginx.sh`).
#[macro_export]
macro_rules! pooled_nginx_tests {
    ($make:expr) => {
        #[test]
        #[ignore = "needs nginx: eval \"$(.ci/nginx.sh start DIR)\""]
        fn nginx_eight_threads_stay_within_the_limit() {
            $crate::pooled::nginx_eight_threads_stay_within_the_limit(&$make);
        }
    };
}

/// One deadline for the whole request cuts it in whichever phase it is:
/// waiting in line for a connection, resolving, connecting, the TLS handshake,
/// sending, waiting for the head, reading the body — each a
/// `DeadlineExceeded` naming the phase, soon after the deadline (within
/// 4x of it: building a 32 MiB request comes before the first wait), while
/// every phase's own timeout is far longer.
pub fn the_deadline_cuts_every_phase(make: MakePooled) {
    let limit = Duration::from_millis(300);
    let settings = ClientSettings {
        pool: PoolConfig {
            max_per_host: 1,
            ..PoolConfig::default()
        },
        timeouts: Timeouts::all(Duration::from_secs(20)),
        deadline: Some(limit),
        ..ClientSettings::default()
    };
    let expect = |phase: &str, outcome: Result<Vec<u8>, Failure>, started: Instant| {
        let e = outcome.expect_err(phase);
        assert_eq!(e.name, "DeadlineExceeded", "{phase}: {}", e.message);
        assert!(e.message.contains(phase), "{phase}: {}", e.message);
        let took = started.elapsed();
        assert!(
            took >= limit - Duration::from_millis(5) && took < limit * 4,
            "{phase}: cut after {took:?}"
        );
    };
    let stall = || Action::Sleep(Duration::from_secs(2));
    // Waiting in line: the one connection is held by an unread response.
    let server = Server::start(vec![answer(OK)]);
    let client = make(settings.clone());
    let _held = client.request("GET", &server.url("/"), &[], None).unwrap();
    let t = Instant::now();
    expect(
        "waiting for a pooled connection",
        get(&*client, &server.url("/")),
        t,
    );
    // Resolving: a resolver that takes its time (std checks the deadline
    // when it returns; tokio cuts the wait).
    let slow = SlowResolver(Duration::from_millis(600));
    let t = Instant::now();
    let outcome = get(
        &*make(ClientSettings {
            resolver: Arc::new(slow),
            ..settings.clone()
        }),
        "http://slow-dns.test/",
    );
    expect("resolving", outcome, t);
    // Connecting: a listener that never answers.
    let unanswered = crate::Unanswered::start();
    let t = Instant::now();
    let outcome = get(
        &*make(settings.clone()),
        &format!("http://{}/", unanswered.addr),
    );
    expect("connecting", outcome, t);
    // The TLS handshake: a server that accepts and says nothing.
    let server = Server::start(vec![vec![stall()]]);
    let t = Instant::now();
    let outcome = get(
        &*make(settings.clone()),
        &format!("https://{}/", server.addr),
    );
    expect("TLS handshake", outcome, t);
    // Sending: a server that never reads a 32 MiB body (more than the
    // socket buffers of both sides hold).
    let server = Server::start(vec![vec![stall()]]);
    let body = vec![b'x'; 32 << 20];
    let t = Instant::now();
    let outcome = make(settings.clone())
        .request("PUT", &server.url("/"), &[], Some(&body))
        .and_then(|mut r| r.read_all());
    expect("sending the request", outcome, t);
    // The head: read, never answered.
    let server = Server::start(vec![vec![Action::Read, stall()]]);
    let t = Instant::now();
    expect(
        "waiting for the response",
        get(&*make(settings.clone()), &server.url("/")),
        t,
    );
    // The body: half of it, then nothing.
    let server = Server::start(vec![vec![
        Action::Read,
        Action::Write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab".to_vec()),
        stall(),
    ]]);
    let t = Instant::now();
    expect(
        "reading the body",
        get(&*make(settings), &server.url("/")),
        t,
    );
}

/// A resolver with fixed answers, for names that exist only in a test.
#[derive(Debug)]
pub struct FixedResolver(pub Vec<(String, Vec<std::net::SocketAddr>)>);

impl httpcore_client::Resolve for FixedResolver {
    fn resolve(&self, host: &str, _port: u16) -> std::io::Result<Vec<std::net::SocketAddr>> {
        Ok(self
            .0
            .iter()
            .find(|(name, _)| name == host)
            .map(|(_, addrs)| addrs.clone())
            .unwrap_or_default())
    }
}

/// A resolver that answers 127.0.0.1 after a wait.
#[derive(Debug)]
struct SlowResolver(Duration);

impl httpcore_client::Resolve for SlowResolver {
    fn resolve(&self, _host: &str, port: u16) -> std::io::Result<Vec<std::net::SocketAddr>> {
        std::thread::sleep(self.0);
        Ok(vec![std::net::SocketAddr::from(([127, 0, 0, 1], port))])
    }
}

/// A port on 127.0.0.1 that refuses connections (bound, then let go).
fn refusing() -> std::net::SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

/// Every address a name resolves to is tried, as RFC 8305 says: behind an
/// address that never answers, the next one is tried after the attempt
/// delay and wins; behind one that refuses, at once; when all refuse, the
/// error is the last attempt's. The name goes to the server unchanged.
pub fn happy_eyeballs_fall_back_within_the_delay(make: MakePooled) {
    let server = Server::start(vec![answer(OK), answer(OK)]);
    let good: std::net::SocketAddr = server.addr.parse().unwrap();
    let silent = crate::Unanswered::start();
    let resolver = FixedResolver(vec![
        ("slow.test".into(), vec![silent.addr.parse().unwrap(), good]),
        ("refused.test".into(), vec![refusing(), good]),
        ("nowhere.test".into(), vec![refusing(), refusing()]),
    ]);
    let delay = Duration::from_millis(200);
    let client = make(ClientSettings {
        resolver: Arc::new(resolver),
        attempt_delay: delay,
        timeouts: Timeouts::all(Duration::from_secs(10)),
        ..ClientSettings::default()
    });
    let port = good.port();
    let t = Instant::now();
    assert_eq!(
        get(&*client, &format!("http://slow.test:{port}/")).unwrap(),
        b"hello"
    );
    let took = t.elapsed();
    assert!(
        took >= delay && took < delay + Duration::from_secs(1),
        "the second address after {took:?}"
    );
    let t = Instant::now();
    assert_eq!(
        get(&*client, &format!("http://refused.test:{port}/")).unwrap(),
        b"hello"
    );
    assert!(t.elapsed() < delay, "a refusal waited for the delay");
    let e = get(&*client, &format!("http://nowhere.test:{port}/")).unwrap_err();
    assert_eq!(e.name, "ConnectionRefused", "{}", e.message);
    let e = get(&*client, &format!("http://unknown.test:{port}/")).unwrap_err();
    assert!(e.message.contains("unknown.test"), "{}", e.message);
    let hosts: Vec<String> = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| {
            r.head
                .lines()
                .find(|l| l.starts_with("Host:"))
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        hosts,
        [
            format!("Host: slow.test:{port}"),
            format!("Host: refused.test:{port}")
        ]
    );
}

/// Proxies from the environment: `http_proxy` takes plain requests in
/// absolute-form with its credentials, `https_proxy` opens a CONNECT
/// tunnel with its own, `no_proxy` sends a host direct (without either),
/// and an explicit `proxy` wins over the environment.
pub fn proxies_from_the_environment_are_honoured(make: MakePooled) {
    let origin = Server::start(vec![answer(OK)]);
    let forward = Server::start(vec![answer(OK)]);
    let explicit = Server::start(vec![answer(OK)]);
    let tunnel = crate::proxy::ConnectProxy::start(1);
    let port = origin.addr.rsplit(':').next().unwrap().to_string();
    let vars = [
        (
            "http_proxy".to_string(),
            format!("http://fwd:pw1@{}", forward.addr),
        ),
        (
            "HTTPS_PROXY".to_string(),
            format!("http://tun:pw2@{}", tunnel.addr),
        ),
        (
            "no_proxy".to_string(),
            "direct.test, 10.0.0.0/8".to_string(),
        ),
    ];
    let env = httpcore_client::EnvProxies::from_vars(|k| {
        vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    })
    .unwrap();
    let resolver = FixedResolver(vec![(
        "direct.test".into(),
        vec![origin.addr.parse().unwrap()],
    )]);
    let settings = ClientSettings {
        env_proxies: httpcore_client::EnvProxySource::Given(Box::new(env)),
        resolver: Arc::new(resolver),
        timeouts: Timeouts::all(Duration::from_secs(5)),
        ..ClientSettings::default()
    };
    let client = make(settings.clone());
    // Plain: through the forward proxy, in absolute-form.
    let url = format!("http://origin.test:{port}/a");
    assert_eq!(get(&*client, &url).unwrap(), b"hello");
    let at_proxy = forward.requests.lock().unwrap()[0].head.clone();
    assert!(
        at_proxy.starts_with(&format!("GET {url} HTTP/1.1\r\n")),
        "{at_proxy}"
    );
    assert!(
        at_proxy.contains("Proxy-Authorization: Basic ZndkOnB3MQ=="),
        "{at_proxy}"
    );
    // no_proxy: direct, and no proxy credentials.
    assert_eq!(
        get(&*client, &format!("http://direct.test:{port}/b")).unwrap(),
        b"hello"
    );
    let direct = origin.requests.lock().unwrap()[0].head.clone();
    assert!(direct.starts_with("GET /b HTTP/1.1\r\n"), "{direct}");
    assert!(!direct.contains("Proxy-Authorization"), "{direct}");
    // https: a CONNECT with the tunnel proxy's own credentials (the TLS
    // inside then fails: nothing at the other end speaks it).
    let e = get(&*client, &format!("https://origin.test:{port}/c")).unwrap_err();
    assert!(!e.name.is_empty());
    let connect = tunnel.heads.lock().unwrap()[0].clone();
    assert!(
        connect.starts_with(&format!("CONNECT origin.test:{port} HTTP/1.1\r\n")),
        "{connect}"
    );
    assert!(
        connect.contains("Proxy-Authorization: Basic dHVuOnB3Mg=="),
        "{connect}"
    );
    // An explicit proxy wins.
    let client = make(ClientSettings {
        proxy: Some(httpcore_client::Proxy::parse(&format!("http://{}", explicit.addr)).unwrap()),
        ..settings
    });
    assert_eq!(
        get(&*client, &format!("http://origin.test:{port}/d")).unwrap(),
        b"hello"
    );
    let at_explicit = explicit.requests.lock().unwrap()[0].head.clone();
    assert!(
        at_explicit.starts_with(&format!("GET http://origin.test:{port}/d ")),
        "{at_explicit}"
    );
}

/// SOCKS5 proxies (with the `socks` feature): `socks5h://` sends the
/// target's name for the proxy to resolve, `socks5://` the address the
/// client resolved; credentials from the URL go in the handshake, never to
/// the origin; wrong ones are a typed error. Requests inside are in
/// origin-form.
pub fn socks5_proxies_with_and_without_credentials(make: MakePooled) {
    if httpcore_client::Proxy::parse("socks5://127.0.0.1:1").is_err() {
        println!("skipped: this build has no `socks` feature");
        return;
    }
    let origin = Server::start(vec![answer(OK), answer(OK)]);
    let port: u16 = origin.addr.rsplit(':').next().unwrap().parse().unwrap();
    let resolver = FixedResolver(vec![(
        "origin.test".into(),
        vec![origin.addr.parse().unwrap()],
    )]);
    let through = |proxy: &str| ClientSettings {
        proxy: Some(httpcore_client::Proxy::parse(proxy).unwrap()),
        resolver: Arc::new(FixedResolver(resolver.0.clone())),
        env_proxies: httpcore_client::EnvProxySource::Off,
        timeouts: Timeouts::all(Duration::from_secs(5)),
        ..ClientSettings::default()
    };
    let url = format!("http://origin.test:{port}/a");
    // socks5h, no credentials: the name goes to the proxy.
    let open = crate::socks::SocksProxy::start(1, None);
    let client = make(through(&format!("socks5h://{}", open.addr)));
    assert_eq!(get(&*client, &url).unwrap(), b"hello");
    let h = open.handshakes.lock().unwrap()[0].clone();
    assert_eq!(
        (h.target.as_str(), h.port, h.methods.clone()),
        ("origin.test", port, vec![0])
    );
    // socks5 with credentials: the address the client resolved goes.
    let locked = crate::socks::SocksProxy::start(2, Some(("user", "s3cret")));
    let client = make(through(&format!("socks5://user:s3cret@{}", locked.addr)));
    assert_eq!(get(&*client, &url).unwrap(), b"hello");
    let h = locked.handshakes.lock().unwrap()[0].clone();
    assert_eq!(h.target, "127.0.0.1");
    assert_eq!(h.credentials, Some(("user".into(), "s3cret".into())));
    let at_origin = origin.requests.lock().unwrap().clone();
    assert!(at_origin
        .iter()
        .all(|r| r.head.starts_with("GET /a HTTP/1.1\r\n")));
    assert!(at_origin
        .iter()
        .all(|r| !r.head.contains("s3cret") && !r.head.contains("Proxy-Auth")));
    // Wrong credentials: a typed error.
    let client = make(through(&format!("socks5://user:wrong@{}", locked.addr)));
    let e = get(&*client, &url).unwrap_err();
    assert_eq!(e.name, "SocksError", "{}", e.message);
}

/// URLs are read with the `url` crate: an IDNA host goes out in ASCII
/// (to the resolver and in `Host`), a path is percent-encoded, the
/// fragment stays home, and userinfo becomes `Authorization: Basic`
/// (never part of the request line).
pub fn urls_are_read_as_browsers_read_them(make: MakePooled) {
    let origin = Server::start(vec![answer(OK)]);
    let port: u16 = origin.addr.rsplit(':').next().unwrap().parse().unwrap();
    let resolver = FixedResolver(vec![(
        "xn--bcher-kva.test".into(),
        vec![origin.addr.parse().unwrap()],
    )]);
    let client = make(ClientSettings {
        resolver: Arc::new(resolver),
        timeouts: Timeouts::all(Duration::from_secs(5)),
        ..ClientSettings::default()
    });
    let url = format!("http://us%65r:p%40ss@Bücher.test:{port}/a b?q=1 2#frag");
    assert_eq!(get(&*client, &url).unwrap(), b"hello");
    let head = origin.requests.lock().unwrap()[0].head.clone();
    assert!(
        head.starts_with("GET /a%20b?q=1%202 HTTP/1.1\r\n"),
        "{head}"
    );
    assert!(
        head.contains(&format!("Host: xn--bcher-kva.test:{port}\r\n")),
        "{head}"
    );
    // "user:p@ss"
    assert!(
        head.contains("Authorization: Basic dXNlcjpwQHNz\r\n"),
        "{head}"
    );
    assert!(!head.contains("frag"), "{head}");
}

/// One `#[test]` per case of the pooled suite, each calling `$make` (an
/// `fn(ClientSettings) -> Arc<dyn Pooled>`).
#[macro_export]
macro_rules! pooled_tests {
    ($make:expr) => {
        $crate::pooled_tests!(@each $make;
            eight_threads_share_one_pool_within_the_per_host_limit,
            a_request_waits_for_the_one_connection_then_reuses_it,
            a_waiter_gives_up_at_the_connect_timeout,
            a_response_dropped_before_its_end_closes_its_connection,
            an_idle_connection_expires_and_a_closed_one_is_replaced,
            a_whole_body_read_is_capped,
            durations_of_duration_max_mean_never,
            a_post_is_never_sent_twice,
            redirects_are_off_by_default_and_followed_when_asked,
            credentials_stay_behind_on_another_origin,
            loops_and_long_chains_are_errors_naming_the_chain,
            the_deadline_cuts_every_phase,
            happy_eyeballs_fall_back_within_the_delay,
            proxies_from_the_environment_are_honoured,
            socks5_proxies_with_and_without_credentials,
            urls_are_read_as_browsers_read_them
        );
    };
    (@each $make:expr; $($case:ident),*) => {
        $(
            #[test]
            fn $case() {
                $crate::pooled::$case(&$make);
            }
        )*
    };
}
