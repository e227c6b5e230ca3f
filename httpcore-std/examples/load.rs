//! `load`: many threads sharing one `Agent`, each request's body checked.
//!
//! ```text
//! cargo run --release -p httpcore-std --example load -- \
//!     --concurrency 64 --requests 2000 --max-per-host 8 [URL...]
//! ```
//!
//! `--concurrency` threads share `--requests` requests, spread over the
//! URLs in turn; the pool holds at most `--max-per-host` connections per
//! host. With no URL it starts a local server that echoes each request's
//! target, so that every body can be checked against its request, and that
//! counts the connections it accepts. The last line is JSON:
//! `{"requests":N,"ok":N,"errors":N,"connections":C,"seconds":S}` —
//! `connections` is the number the local server accepted (or, against
//! given URLs, `null`: only the server can count them).

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use httpcore_std::httpcore_client::pool::PoolConfig;
use httpcore_std::{Agent, ClientSettings, Timeouts};

struct Options {
    concurrency: usize,
    requests: usize,
    max_per_host: usize,
    urls: Vec<String>,
}

fn usage() -> ! {
    eprintln!("usage: load [--concurrency N] [--requests N] [--max-per-host N] [URL...]");
    std::process::exit(2)
}

fn parse_args() -> Options {
    let mut o = Options {
        concurrency: 8,
        requests: 2000,
        max_per_host: 8,
        urls: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    let number = |v: Option<String>| -> usize {
        v.and_then(|v| v.parse().ok())
            .filter(|&n| n > 0)
            .unwrap_or_else(|| usage())
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--concurrency" => o.concurrency = number(args.next()),
            "--requests" => o.requests = number(args.next()),
            "--max-per-host" => o.max_per_host = number(args.next()),
            "-h" | "--help" => usage(),
            s if s.starts_with('-') => usage(),
            _ => o.urls.push(a),
        }
    }
    o
}

fn main() -> ExitCode {
    let mut o = parse_args();
    let accepted = if o.urls.is_empty() {
        let (addr, accepted) = testkit::load::start_counted(1024);
        o.urls.push(format!("http://{addr}/echo/"));
        Some(accepted)
    } else {
        None
    };
    let local = accepted.is_some();
    let agent = match Agent::with_config(ClientSettings {
        pool: PoolConfig {
            max_per_host: o.max_per_host,
            max_idle_per_host: o.max_per_host,
            ..PoolConfig::default()
        },
        timeouts: Timeouts::all(Duration::from_secs(10)),
        ..ClientSettings::default()
    }) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("load: {}: {e}", e.name());
            return ExitCode::FAILURE;
        }
    };
    let next = Arc::new(AtomicUsize::new(0));
    let (ok, errors) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let urls = Arc::new(o.urls);
    let started = Instant::now();
    let threads: Vec<_> = (0..o.concurrency)
        .map(|_| {
            let (agent, next, ok, errors, urls) = (
                agent.clone(),
                next.clone(),
                ok.clone(),
                errors.clone(),
                urls.clone(),
            );
            let total = o.requests;
            std::thread::spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return;
                }
                // Against the local echo server each URL gets its own path,
                // and the body must be exactly that path.
                let base = &urls[i % urls.len()];
                let url = if local {
                    format!("{base}{i}")
                } else {
                    base.clone()
                };
                let result = agent.get(&url).and_then(|mut r| {
                    let status = r.status();
                    r.read_to_vec().map(|body| (status, body))
                });
                match result {
                    Ok((status, body))
                        if status < 400
                            && (!local || body.ends_with(format!("/echo/{i}").as_bytes())) =>
                    {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok((status, _)) => {
                        eprintln!("load: {url}: status {status} or a wrong body");
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => {
                        eprintln!("load: {url}: {}: {e}", e.name());
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    let seconds = started.elapsed().as_secs_f64();
    let (ok, errors) = (ok.load(Ordering::Relaxed), errors.load(Ordering::Relaxed));
    let connections = accepted.map_or("null".to_string(), |a| {
        a.load(Ordering::Relaxed).to_string()
    });
    println!(
        "{{\"requests\":{},\"ok\":{ok},\"errors\":{errors},\"connections\":{connections},\"seconds\":{seconds:.3}}}",
        o.requests
    );
    if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
