//! `client_load`: many tasks sharing one pooled `Client`, each request's body
//! checked.
//!
//! ```text
//! cargo run --release -p httpcore-tokio --example client_load -- \
//!     --concurrency 64 --requests 2000 --max-per-host 8 [URL...]
//! ```
//!
//! `--concurrency` tasks (64 by default) on a current-thread runtime share
//! `--requests` requests, spread over the URLs in turn; the pool holds at
//! most `--max-per-host` connections per host, and tasks past it wait in
//! line. With no URL it starts a local server that echoes each request's
//! target, so that every body can be checked against its request, and
//! that counts the connections it accepts. The last line is JSON:
//! `{"requests":N,"ok":N,"errors":N,"connections":C,"seconds":S}` —
//! `connections` is the number the local server accepted (or, against
//! given URLs, `null`: only the server can count them).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use httpcore_tokio::Client;
use testkit::load_run::Run;

fn main() -> ExitCode {
    let run = Arc::new(Run::from_args("client_load", 64));
    let client = match Client::with_settings(run.settings()) {
        Ok(c) => c,
        Err(e) => return run.setup_failed(&e),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let started = Instant::now();
    runtime.block_on(async {
        let tasks: Vec<_> = (0..run.concurrency)
            .map(|_| {
                let (client, run) = (client.clone(), run.clone());
                tokio::spawn(async move {
                    while let Some((i, url)) = run.next() {
                        let outcome = async {
                            let mut r = client.get(&url).await?;
                            Ok::<_, httpcore_tokio::Error>((r.status(), r.read_all().await?))
                        }
                        .await;
                        run.record(i, &url, outcome.map_err(|e| (e.name(), e.to_string())));
                    }
                })
            })
            .collect();
        for t in tasks {
            let _ = t.await;
        }
    });
    if run.report(started.elapsed().as_secs_f64()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
