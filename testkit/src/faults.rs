//! Fault injection: a proxy on 127.0.0.1 between a client and the load
//! server that, on each connection, applies one fault chosen from a seed —
//! a reset at some byte of the request or the response stream, a stall, a
//! drip, a close in the middle of a response, garbage after it, or an
//! answer of its own before the request is read — and [`run`], which
//! drives a pooled client through it and checks every request's outcome:
//! the response complete and byte-exact (or the proxy's own answer), or a
//! typed error; no request that is not idempotent received twice by the
//! server; no request longer than its deadline by more than a margin;
//! memory bounded. The same seed picks the same faults, connection by
//! connection.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use httpcore_client::pool::PoolConfig;
use httpcore_client::{ClientSettings, Timeouts};

use crate::pooled::MakePooled;

pub use httpcore_client::sim::Rng;

/// What the proxy does to one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Nothing: bytes pass both ways.
    Clean,
    /// Reset both sides after this many request bytes.
    ResetRequest(usize),
    /// Reset both sides after this many response bytes.
    ResetResponse(usize),
    /// Hold the response for this long after this many of its bytes.
    Stall(usize, Duration),
    /// Pass the first this-many response bytes one at a time, 1 ms apart
    /// (slowloris).
    Drip(usize),
    /// Close toward the client (FIN) after this many response bytes.
    CloseResponse(usize),
    /// Put bytes that are not HTTP into the response stream at the end of
    /// the first response that ends after this many of its bytes (between
    /// responses: inside a body, no HTTP/1.1 client could tell).
    Garbage(usize),
    /// Answer `503` itself as soon as the request starts, without passing
    /// it on, and close.
    AnswerEarly,
}

/// The fault kinds, in the order [`Stats`] counts them.
pub const KINDS: [&str; 8] = [
    "clean",
    "reset_request",
    "reset_response",
    "stall",
    "drip",
    "close_response",
    "garbage",
    "answer_early",
];

impl Fault {
    /// The fault for connection `index` under `seed`.
    pub fn pick(seed: u64, index: u64) -> Fault {
        let mut r = Rng::new(seed ^ index.wrapping_mul(0xA076_1D64_78BD_642F));
        let at = |r: &mut Rng, max: u64| r.below(max) as usize;
        match r.below(16) {
            0..=4 => Fault::Clean,
            5 | 6 => Fault::ResetRequest(at(&mut r, 1500)),
            7 | 8 => Fault::ResetResponse(at(&mut r, 3000)),
            // Most stalls are shorter than the clients' 1 s timeouts; one
            // in four outlasts them (and may outlast the deadline).
            9 | 10 => {
                let at = at(&mut r, 3000);
                let ms = match r.below(4) {
                    0 => 1000 + r.below(2000),
                    _ => 50 + r.below(350),
                };
                Fault::Stall(at, Duration::from_millis(ms))
            }
            11 => Fault::Drip(at(&mut r, 300)),
            12 | 13 => Fault::CloseResponse(at(&mut r, 3000)),
            14 => Fault::Garbage(at(&mut r, 3000)),
            _ => Fault::AnswerEarly,
        }
    }

    fn kind(self) -> usize {
        match self {
            Fault::Clean => 0,
            Fault::ResetRequest(_) => 1,
            Fault::ResetResponse(_) => 2,
            Fault::Stall(..) => 3,
            Fault::Drip(_) => 4,
            Fault::CloseResponse(_) => 5,
            Fault::Garbage(_) => 6,
            Fault::AnswerEarly => 7,
        }
    }
}

/// The proxy's own answer ([`Fault::AnswerEarly`]).
pub const EARLY: &[u8] =
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy";

/// Connections the proxy saw, by fault kind ([`KINDS`]).
#[derive(Debug, Default)]
pub struct Stats {
    /// Per kind.
    pub faults: [AtomicUsize; 8],
}

/// The proxy: listens on 127.0.0.1 and forwards to `upstream`.
#[derive(Debug)]
pub struct FaultProxy {
    /// Where clients connect.
    pub addr: String,
    /// What it did.
    pub stats: Arc<Stats>,
}

impl FaultProxy {
    /// Start it; it runs until the process ends.
    pub fn start(upstream: &str, seed: u64) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let stats = Arc::new(Stats::default());
        let (upstream, counts) = (upstream.to_string(), stats.clone());
        std::thread::spawn(move || {
            for (index, client) in listener.incoming().enumerate() {
                let Ok(client) = client else { continue };
                let fault = Fault::pick(seed, index as u64);
                counts.faults[fault.kind()].fetch_add(1, Ordering::Relaxed);
                let upstream = upstream.clone();
                std::thread::spawn(move || relay(client, &upstream, fault));
            }
        });
        FaultProxy { addr, stats }
    }
}

/// Where the load server's responses end in its stream: each has a
/// Content-Length (or, a 204, no body).
#[derive(Debug, Default)]
struct Boundaries {
    /// The head being read.
    head: Vec<u8>,
    /// Body bytes still to come.
    body_left: usize,
    /// Bytes of the stream seen.
    seen: usize,
}

impl Boundaries {
    /// Feed the next bytes; the offsets within them just after each
    /// response that ends in them.
    fn feed(&mut self, data: &[u8]) -> Vec<usize> {
        let mut ends = Vec::new();
        let mut i = 0;
        while i < data.len() {
            if self.body_left > 0 {
                let k = self.body_left.min(data.len() - i);
                self.body_left -= k;
                i += k;
                if self.body_left == 0 {
                    ends.push(i);
                }
                continue;
            }
            self.head.push(data[i]);
            i += 1;
            if self.head.ends_with(b"\r\n\r\n") {
                let text = String::from_utf8_lossy(&self.head).to_ascii_lowercase();
                self.body_left = text
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                self.head.clear();
                if self.body_left == 0 {
                    ends.push(i);
                }
            }
        }
        self.seen += data.len();
        ends
    }
}

fn reset(a: &TcpStream, b: &TcpStream) {
    let _ = socket2::SockRef::from(a).set_linger(Some(Duration::ZERO));
    let _ = a.shutdown(Shutdown::Both);
    let _ = b.shutdown(Shutdown::Both);
}

/// One connection, both ways, with its fault.
fn relay(client: TcpStream, upstream: &str, fault: Fault) {
    let _ = client.set_nodelay(true);
    if fault == Fault::AnswerEarly {
        let mut client = client;
        let mut first = [0u8; 1];
        if client.read(&mut first).unwrap_or(0) > 0 {
            let _ = client.write_all(EARLY);
        }
        let _ = client.shutdown(Shutdown::Write);
        // Drain what the client still sends, so the close is a FIN.
        let _ = client.set_read_timeout(Some(Duration::from_millis(200)));
        let mut sink = [0u8; 4096];
        while matches!(client.read(&mut sink), Ok(n) if n > 0) {}
        return;
    }
    let Ok(server) = TcpStream::connect(upstream) else {
        return;
    };
    let _ = server.set_nodelay(true);
    let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let up = std::thread::spawn(move || {
        let (mut from, mut to) = (c2, s2);
        let mut seen = 0usize;
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if let Fault::ResetRequest(at) = fault {
                if seen + n > at {
                    let _ = to.write_all(&buf[..at - seen]);
                    reset(&from, &to);
                    return;
                }
            }
            seen += n;
            if to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
    let (mut from, mut to) = (server, client);
    let mut seen = 0usize;
    let mut buf = [0u8; 16 * 1024];
    let mut fired = false;
    let mut bounds = Boundaries::default();
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let data = &buf[..n];
        let ends = bounds.feed(data);
        let cut = |at: usize| at.saturating_sub(seen).min(n);
        let ok = match fault {
            Fault::ResetResponse(at) if !fired && seen + n > at => {
                let _ = to.write_all(&data[..cut(at)]);
                reset(&to, &from);
                break;
            }
            Fault::CloseResponse(at) if !fired && seen + n > at => {
                let _ = to.write_all(&data[..cut(at)]);
                let _ = to.shutdown(Shutdown::Write);
                let _ = from.shutdown(Shutdown::Both);
                break;
            }
            Fault::Stall(at, wait) if !fired && seen + n > at => {
                fired = true;
                let k = cut(at);
                let r = to.write_all(&data[..k]);
                std::thread::sleep(wait);
                r.and_then(|_| to.write_all(&data[k..]))
            }
            Fault::Garbage(at) if !fired && ends.iter().any(|&e| seen + e > at) => {
                fired = true;
                let k = *ends.iter().find(|&&e| seen + e > at).expect("checked");
                to.write_all(&data[..k])
                    .and_then(|_| to.write_all(b"\x00garbage that is not HTTP\r\n"))
                    .and_then(|_| to.write_all(&data[k..]))
            }
            Fault::Drip(until) if seen < until => {
                let k = cut(until);
                let mut r = Ok(());
                for byte in &data[..k] {
                    r = r.and_then(|_| to.write_all(std::slice::from_ref(byte)));
                    std::thread::sleep(Duration::from_millis(1));
                }
                r.and_then(|_| to.write_all(&data[k..]))
            }
            _ => to.write_all(data),
        };
        seen += n;
        if ok.is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
    let _ = up.join();
}

/// What a run of episodes found.
#[derive(Debug, Default)]
pub struct Report {
    /// Requests made.
    pub episodes: usize,
    /// Complete, byte-exact responses (or the proxy's own answer).
    pub complete: usize,
    /// Typed errors, by name.
    pub errors: Vec<(String, usize)>,
    /// Responses that were neither complete nor an error (a wrong body).
    pub wrong: Vec<String>,
    /// Requests the server received more often than allowed.
    pub duplicated: Vec<String>,
    /// Requests that ended later than their deadline and the margin.
    pub overruns: usize,
    /// The longest a request took past its deadline.
    pub worst_overrun: Duration,
    /// Connections by fault kind ([`KINDS`]).
    pub faults: [usize; 8],
    /// Resident memory at the end, over the start (kB).
    pub rss_growth_kb: i64,
}

impl Report {
    /// Whether every promise held.
    pub fn passed(&self) -> bool {
        self.wrong.is_empty() && self.duplicated.is_empty() && self.overruns == 0
    }

    /// The summary line CI prints.
    pub fn line(&self, adapter: &str, seed: u64) -> String {
        let faults: Vec<String> = KINDS
            .iter()
            .zip(self.faults)
            .map(|(k, n)| format!("{k}={n}"))
            .collect();
        let errors: Vec<String> = self
            .errors
            .iter()
            .map(|(k, n)| format!("{k}={n}"))
            .collect();
        let (passed, failed) = if self.passed() {
            (self.episodes, 0)
        } else {
            let bad = self.wrong.len() + self.duplicated.len() + self.overruns;
            (self.episodes.saturating_sub(bad), bad)
        };
        format!(
            "faults {adapter} seed={seed}: {passed} passed, {failed} failed; complete={} errors[{}] duplicated={} overruns={} (worst {:?} past) rss+{}kB; connections[{}]",
            self.complete,
            errors.join(" "),
            self.duplicated.len(),
            self.overruns,
            self.worst_overrun,
            self.rss_growth_kb,
            faults.join(" ")
        )
    }
}

fn rss_kb() -> i64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// The deadline every request of a run gets (when the client has one).
pub const DEADLINE: Duration = Duration::from_secs(2);
/// How far past its deadline a request may end.
pub const MARGIN: Duration = Duration::from_millis(500);

/// The settings a run gives its client: four connections, 1 s timeouts,
/// the [`DEADLINE`].
pub fn settings() -> ClientSettings {
    ClientSettings {
        pool: PoolConfig {
            max_per_host: 4,
            ..PoolConfig::default()
        },
        timeouts: Timeouts::all(Duration::from_secs(1)),
        deadline: Some(DEADLINE),
        ..ClientSettings::default()
    }
}

/// `episodes` requests from `workers` threads sharing one client made by
/// `make` with [`settings`], through a [`FaultProxy`] seeded with `seed`
/// to the load server: every third a POST with a body, the rest GETs, each
/// to its own `/echo/` target, every other one with `Connection: close`.
pub fn run(make: MakePooled, workers: usize, episodes: usize, seed: u64) -> Report {
    let (server, _, log) = crate::load::start_logged(1024);
    let proxy = FaultProxy::start(&server, seed);
    let client = make(settings());
    let rss_before = rss_kb();
    let next = Arc::new(AtomicUsize::new(0));
    let report = Arc::new(Mutex::new(Report {
        episodes,
        ..Report::default()
    }));
    let errors = Arc::new(Mutex::new(
        std::collections::BTreeMap::<String, usize>::new(),
    ));
    let threads: Vec<_> = (0..workers)
        .map(|_| {
            let (client, next, report, errors) =
                (client.clone(), next.clone(), report.clone(), errors.clone());
            let base = format!("http://{}", proxy.addr);
            std::thread::spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= episodes {
                    return;
                }
                let target = format!("/echo/{seed}-{i}");
                let url = format!("{base}{target}");
                let post = i % 3 == 0;
                let body = format!("body of {i}");
                let started = Instant::now();
                // Half the requests end their connection, so that the
                // faults, one per connection, meet many requests.
                let headers: &[(&str, &str)] = if i % 2 == 0 {
                    &[("Connection", "close")]
                } else {
                    &[]
                };
                let outcome = if post {
                    client.request("POST", &url, headers, Some(body.as_bytes()))
                } else {
                    client.request("GET", &url, headers, None)
                }
                .and_then(|mut r| {
                    let status = r.status();
                    r.read_all().map(|b| (status, b))
                });
                let took = started.elapsed();
                let mut rep = report.lock().unwrap();
                if took > DEADLINE + MARGIN {
                    rep.overruns += 1;
                    rep.worst_overrun = rep.worst_overrun.max(took - DEADLINE);
                }
                match outcome {
                    Ok((200, b)) if b == target.as_bytes() => rep.complete += 1,
                    Ok((503, b)) if b == b"busy" => rep.complete += 1,
                    Ok((status, b)) => rep.wrong.push(format!(
                        "{target}: {status} {:?}",
                        String::from_utf8_lossy(&b[..b.len().min(80)])
                    )),
                    Err(e) => *errors.lock().unwrap().entry(e.name).or_default() += 1,
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    drop(client);
    let mut report = Arc::try_unwrap(report).unwrap().into_inner().unwrap();
    report.errors = errors.lock().unwrap().clone().into_iter().collect();
    report.rss_growth_kb = rss_kb() - rss_before;
    for (i, n) in proxy.stats.faults.iter().enumerate() {
        report.faults[i] = n.load(Ordering::Relaxed);
    }
    // A POST reaches the server at most once; a GET at most twice (one
    // retry).
    for (request, &n) in log.lock().unwrap().iter() {
        let limit = if request.starts_with("POST ") { 1 } else { 2 };
        if n > limit {
            report.duplicated.push(format!("{request} x{n}"));
        }
    }
    report
}

/// The seed and episode count of a run: `HTTPCORE_FAULT_SEED` and
/// `HTTPCORE_FAULT_EPISODES` when set (to reproduce a failure, or to run
/// longer), else a seed from the clock and `episodes`.
pub fn seed_and_episodes(episodes: usize) -> (u64, usize) {
    let seed = std::env::var("HTTPCORE_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    let episodes = std::env::var("HTTPCORE_FAULT_EPISODES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(episodes);
    (seed, episodes)
}

/// The suite's one test: run, print the summary line, and fail with
/// everything that went wrong and the seed that reproduces it.
pub fn check(make: MakePooled, adapter: &str, episodes: usize) {
    let (seed, episodes) = seed_and_episodes(episodes);
    let report = run(make, 4, episodes, seed);
    println!("{}", report.line(adapter, seed));
    assert!(
        report.passed(),
        "{}\nwrong: {:?}\nduplicated: {:?}\nreproduce with HTTPCORE_FAULT_SEED={seed} HTTPCORE_FAULT_EPISODES={episodes}",
        report.line(adapter, seed),
        report.wrong,
        report.duplicated
    );
    assert!(
        report.rss_growth_kb < 64 * 1024,
        "memory grew by {} kB over {episodes} episodes",
        report.rss_growth_kb
    );
}
