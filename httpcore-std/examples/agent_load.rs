//! `agent_load`: many threads sharing one `Agent`, each request's body checked.
//!
//! ```text
//! cargo run --release -p httpcore-std --example agent_load -- \
//!     --concurrency 64 --requests 2000 --max-per-host 8 [URL...]
//! ```
//!
//! `--concurrency` threads (8 by default) share `--requests` requests,
//! spread over the URLs in turn; the pool holds at most `--max-per-host`
//! connections per host. With no URL it starts a local server that echoes
//! each request's target, so that every body can be checked against its
//! request, and that counts the connections it accepts. The last line is
//! JSON: `{"requests":N,"ok":N,"errors":N,"connections":C,"seconds":S}` —
//! `connections` is the number the local server accepted (or, against
//! given URLs, `null`: only the server can count them).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use httpcore_std::Agent;
use testkit::load_run::Run;

fn main() -> ExitCode {
    let run = Arc::new(Run::from_args("agent_load", 8));
    let agent = match Agent::with_config(run.settings()) {
        Ok(a) => a,
        Err(e) => return run.setup_failed(&e),
    };
    let started = Instant::now();
    let threads: Vec<_> = (0..run.concurrency)
        .map(|_| {
            let (agent, run) = (agent.clone(), run.clone());
            std::thread::spawn(move || {
                while let Some((i, url)) = run.next() {
                    let outcome = agent.get(&url).and_then(|mut r| {
                        let status = r.status();
                        r.read_to_vec().map(|body| (status, body))
                    });
                    run.record(i, &url, outcome.map_err(|e| (e.name(), e.to_string())));
                }
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    if run.report(started.elapsed().as_secs_f64()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
