//! What the adapters' load examples (`agent_load`, `client_load`) share: the arguments, the local
//! server when no URL is given, which URL each request goes to, the check
//! of each body, and the final JSON line. Each example only drives its own
//! client (threads for std, tasks for tokio).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A run's arguments.
#[derive(Debug, Clone)]
pub struct Run {
    /// Threads or tasks.
    pub concurrency: usize,
    /// Requests in all.
    pub requests: usize,
    /// The pool's per-host limit.
    pub max_per_host: usize,
    /// Where requests go, in turn (the local server's `/echo/` if none
    /// was given).
    pub urls: Vec<String>,
    /// Connections the local server accepted (`None` against given URLs:
    /// only the server can count them).
    pub accepted: Option<Arc<AtomicUsize>>,
    /// The program's name, in its messages.
    program: &'static str,
    /// Requests taken so far, by number.
    next: Arc<AtomicUsize>,
    ok: Arc<AtomicUsize>,
    errors: Arc<AtomicUsize>,
}

fn usage(name: &str) -> ! {
    eprintln!("usage: {name} [--concurrency N] [--requests N] [--max-per-host N] [URL...]");
    std::process::exit(2)
}

impl Run {
    /// From the command line; with no URL, a local counting echo server is
    /// started.
    pub fn from_args(name: &'static str, concurrency: usize) -> Run {
        let mut run = Run {
            concurrency,
            requests: 2000,
            max_per_host: 8,
            urls: Vec::new(),
            accepted: None,
            program: name,
            next: Arc::default(),
            ok: Arc::default(),
            errors: Arc::default(),
        };
        let mut args = std::env::args().skip(1);
        let number = |v: Option<String>| -> usize {
            v.and_then(|v| v.parse().ok())
                .filter(|&n| n > 0)
                .unwrap_or_else(|| usage(name))
        };
        while let Some(a) = args.next() {
            match a.as_str() {
                "--concurrency" => run.concurrency = number(args.next()),
                "--requests" => run.requests = number(args.next()),
                "--max-per-host" => run.max_per_host = number(args.next()),
                s if s.starts_with('-') => usage(name),
                _ => run.urls.push(a),
            }
        }
        if run.urls.is_empty() {
            let (addr, accepted) = crate::load::start_counted(1024);
            run.urls.push(format!("http://{addr}/echo/"));
            run.accepted = Some(accepted);
        }
        run
    }

    /// The pooled client's settings for this run: at most `max_per_host`
    /// connections per host, all kept idle between requests, 10 s
    /// timeouts.
    pub fn settings(&self) -> httpcore_client::ClientSettings {
        use httpcore_client::pool::PoolConfig;
        httpcore_client::ClientSettings {
            pool: PoolConfig {
                max_per_host: self.max_per_host,
                max_idle_per_host: self.max_per_host,
                ..PoolConfig::default()
            },
            timeouts: httpcore_client::Timeouts::all(std::time::Duration::from_secs(10)),
            ..httpcore_client::ClientSettings::default()
        }
    }

    /// The next request to make: its number and URL (against the local
    /// echo server each request gets its own path), or `None` when all
    /// were taken.
    pub fn next(&self) -> Option<(usize, String)> {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        if i >= self.requests {
            return None;
        }
        let base = &self.urls[i % self.urls.len()];
        let url = match self.accepted {
            Some(_) => format!("{base}{i}"),
            None => base.clone(),
        };
        Some((i, url))
    }

    /// Record request `i`'s outcome: a status and body (checked against
    /// the request's own path when the local echo server answered), or an
    /// error's name and message.
    pub fn record(&self, i: usize, url: &str, outcome: Result<(u16, Vec<u8>), (&str, String)>) {
        match outcome {
            Ok((status, body))
                if status < 400
                    && (self.accepted.is_none()
                        || body.ends_with(format!("/echo/{i}").as_bytes())) =>
            {
                self.ok.fetch_add(1, Ordering::Relaxed);
            }
            Ok((status, _)) => {
                eprintln!("{}: {url}: status {status} or a wrong body", self.program);
                self.errors.fetch_add(1, Ordering::Relaxed);
            }
            Err((name, message)) => {
                eprintln!("{}: {url}: {name}: {message}", self.program);
                self.errors.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// The client could not be built from [`Run::settings`]: say why,
    /// under the program's name, and fail.
    pub fn setup_failed(&self, e: &httpcore_client::Error) -> std::process::ExitCode {
        eprintln!("{}: {}: {e}", self.program, e.name());
        std::process::ExitCode::FAILURE
    }

    /// Print the JSON line; whether every request was ok and, against the
    /// local server, no more connections were opened than the per-host
    /// limit allows.
    pub fn report(&self, seconds: f64) -> bool {
        let ok = self.ok.load(Ordering::Relaxed);
        let errors = self.errors.load(Ordering::Relaxed);
        let connections = self.accepted.as_ref().map_or("null".to_string(), |a| {
            a.load(Ordering::Relaxed).to_string()
        });
        println!(
            "{{\"requests\":{},\"ok\":{ok},\"errors\":{errors},\"connections\":{connections},\"seconds\":{seconds:.3}}}",
            self.requests
        );
        let opened = self.accepted.as_ref().map(|a| a.load(Ordering::Relaxed));
        if let Some(n) = opened.filter(|&n| n > self.max_per_host) {
            eprintln!(
                "{}: {n} connections opened to one host, over the limit of {}",
                self.program, self.max_per_host
            );
        }
        errors == 0 && ok == self.requests && opened.is_none_or(|n| n <= self.max_per_host)
    }
}
