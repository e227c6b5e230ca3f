//! Eight threads sharing one client against one in-process server thread
//! (the mio load server, a 13-byte body), the clients timed alternately in
//! one process, order reversed each round:
//!
//! * `raw` — one blocking socket per thread writing a fixed GET and reading
//!   the fixed 52-byte answer (the floor);
//! * `conn` — one [`httpcore_std::HttpConnection`] per thread, kept alive
//!   (what the engine and the connection cost, without the Agent's URL
//!   parsing and pool);
//! * `agent` — one shared [`httpcore_std::Agent`], per-host limit 8;
//! * `agent_deadline` — another `Agent`, with a 30 s deadline on every
//!   request (it must cost no thread and no system call per request);
//! * `ureq` — one shared ureq 3 `Agent`, keeping 8 idle connections per
//!   host.
//!
//! Prints `ratio std_agent_vs_raw`, `std_agent_vs_ureq_agent`,
//! `std_agent_deadline_vs_none` and `std_agent_vs_conn`: the median over rounds of the other's
//! time over the first's for the same requests. Each client's requests
//! per second and CPU per request (the process's CPU minus the server
//! thread's) go to stderr.
//!
//! `cargo bench -p httpcore-std --bench pool`
//!
//! `-- --sweep` instead prints `rps blocking CLIENT THREADS VALUE` for 1,
//! 4, 16, 64 and 256 threads (the chart in docs/benchmarks.md); `-- --only
//! NAME` runs one client alone (to profile it).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Mutex;
use std::time::Duration;

use httpcore_std::{Agent, ClientSettings};
use testkit::bench::{Contest, ThreadCpu};
use testkit::load::RESPONSE;

/// Requests every client makes per round (split evenly over the threads).
const PER_ROUND: usize = 3200;

/// `threads` threads each running `one` `per_thread` times.
fn on_threads(threads: usize, per_thread: usize, one: impl Fn(usize) + Sync) {
    std::thread::scope(|s| {
        for t in 0..threads {
            let one = &one;
            s.spawn(move || {
                for _ in 0..per_thread {
                    one(t);
                }
            });
        }
    });
}

fn agent(threads: usize, deadline: Option<Duration>) -> Agent {
    let mut settings = ClientSettings::default();
    settings.pool.max_per_host = threads;
    settings.pool.max_idle_per_host = threads;
    settings.pool.max_idle = threads;
    settings.deadline = deadline;
    Agent::with_config(settings).unwrap()
}

fn get(agent: &Agent, url: &str) {
    let mut resp = agent.get(url).unwrap();
    let mut len = 0;
    while let Some(chunk) = resp.next_chunk().unwrap() {
        len += chunk.len();
    }
    assert_eq!(len, 13);
}

/// Every client against the others on `threads` threads; `report` reads
/// the finished contest.
fn contest(
    addr: &str,
    server: &ThreadCpu,
    threads: usize,
    rounds: usize,
    only: Option<&str>,
    report: impl FnOnce(&Contest),
) {
    let per_thread = PER_ROUND.div_ceil(threads);
    let requests = threads * per_thread;
    let url = format!("http://{addr}/");
    let request = format!("GET / HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    let raw: Vec<Mutex<TcpStream>> = (0..threads)
        .map(|_| {
            let s = TcpStream::connect(addr).unwrap();
            s.set_nodelay(true).unwrap();
            Mutex::new(s)
        })
        .collect();
    let conns: Vec<Mutex<httpcore_std::HttpConnection>> = (0..threads)
        .map(|_| Mutex::new(httpcore_std::HttpConnection::new(addr).unwrap()))
        .collect();
    let plain = agent(threads, None);
    let with_deadline = agent(threads, Some(Duration::from_secs(30)));
    let ureq: ureq::Agent = ureq::Agent::config_builder()
        .max_idle_connections(threads)
        .max_idle_connections_per_host(threads)
        .build()
        .into();
    let mut contest = Contest::new(Some(server.clone()));
    contest
        .entrant("raw", || {
            on_threads(threads, per_thread, |t| {
                let mut s = raw[t].lock().unwrap();
                let mut answer = [0u8; RESPONSE.len()];
                s.write_all(request.as_bytes()).unwrap();
                s.read_exact(&mut answer).unwrap();
            });
            requests
        })
        .entrant("conn", || {
            // What the Agent adds: the same requests on one bare
            // `HttpConnection` per thread (no URL, no pool).
            on_threads(threads, per_thread, |t| {
                let mut c = conns[t].lock().unwrap();
                c.request("GET", "/", None, &[] as &[(&str, &str)]).unwrap();
                let mut r = c.get_response().unwrap();
                let mut len = 0;
                while let Some(chunk) = r.next_chunk().unwrap() {
                    len += chunk.len();
                }
                assert_eq!(len, 13);
            });
            requests
        })
        .entrant("agent", || {
            on_threads(threads, per_thread, |_| get(&plain, &url));
            requests
        })
        .entrant("agent_deadline", || {
            on_threads(threads, per_thread, |_| get(&with_deadline, &url));
            requests
        })
        .entrant("ureq", || {
            on_threads(threads, per_thread, |_| {
                let mut resp = ureq.get(&url).call().unwrap();
                assert_eq!(resp.body_mut().read_to_vec().unwrap().len(), 13);
            });
            requests
        });
    if let Some(name) = only {
        contest.keep_only(name);
    }
    contest.run(rounds);
    report(&contest);
}

fn main() {
    testkit::bench::raise_fd_limit();
    let (addr, server) = testkit::load::start_measured(4096);
    if let Some(name) = testkit::bench::arg("--only") {
        contest(&addr, &server, 8, 100, Some(&name), |c| {
            c.print_figures("blocking")
        });
        return;
    }
    if testkit::bench::has_flag("--sweep") {
        for threads in [1, 4, 16, 64, 256] {
            contest(&addr, &server, threads, 7, None, |c| {
                for name in ["raw", "agent", "ureq"] {
                    println!("rps blocking {name} {threads} {:.0}", c.per_second(name));
                }
            });
        }
        return;
    }
    contest(&addr, &server, 8, 21, None, |c| {
        c.print_ratio("std_agent_vs_raw", "agent", "raw");
        c.print_ratio("std_agent_vs_ureq_agent", "agent", "ureq");
        c.print_ratio("std_agent_deadline_vs_none", "agent_deadline", "agent");
        c.print_ratio("std_agent_vs_conn", "agent", "conn");
        c.print_figures("blocking");
    });
}
