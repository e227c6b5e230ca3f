//! One thread fetching many URLs at once through httpcore-mio's `Driver`.
//!
//! `cargo run --release -p httpcore-mio --example many -- [URL...]`
//!
//! With no URL it starts a local server and makes 1,000 requests over 100
//! connections (ten after one another on each, all connections at once),
//! checks every body, and prints one line: requests, connections, seconds.
//! With URLs it opens one connection per scheme and authority, sends that
//! authority's URLs one after another on it, runs all connections at once,
//! and prints a line per URL. Exits 1 if anything failed.

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use httpcore_mio::httpcore::Url;
use httpcore_mio::mio::Token;
use httpcore_mio::{Connection, Driver, Error, Finished, RequestId, TlsOptions};

const H: &[(&str, &str)] = &[];

/// What each connection has left to fetch, and what each request was.
struct Plan {
    queues: HashMap<Token, Vec<String>>,
    sent: HashMap<(Token, RequestId), String>,
}

impl Plan {
    /// Send the next target queued for `token`, if any.
    fn next(&mut self, driver: &mut Driver, token: Token) -> Result<(), Error> {
        if let Some(target) = self.queues.get_mut(&token).and_then(Vec::pop) {
            let id = driver.request(token, "GET", &target, None, H)?;
            self.sent.insert((token, id), target);
        }
        Ok(())
    }

    /// Turn the driver until every request has finished, sending each
    /// connection's next request as its previous one ends.
    fn run(
        &mut self,
        driver: &mut Driver,
        mut on_done: impl FnMut(&str, Finished),
    ) -> Result<(), Error> {
        let tokens: Vec<Token> = self.queues.keys().copied().collect();
        for token in tokens {
            self.next(driver, token)?;
        }
        let mut finished = Vec::new();
        while driver.in_flight() > 0 {
            driver
                .turn(Some(Duration::from_secs(1)), &mut finished)
                .map_err(|e| Error::io("polling", e))?;
            for f in finished.drain(..) {
                let target = self
                    .sent
                    .remove(&(f.token, f.id))
                    .expect("a request we sent");
                let token = f.token;
                let ok = f.result.is_ok();
                on_done(&target, f);
                if ok {
                    self.next(driver, token)?;
                }
            }
        }
        Ok(())
    }
}

fn demo() -> Result<(), Error> {
    let addr = testkit::load::start(256);
    let (connections, per_connection) = (100, 10);
    let started = Instant::now();
    let mut driver = Driver::new().map_err(|e| Error::io("polling", e))?;
    let mut plan = Plan {
        queues: HashMap::new(),
        sent: HashMap::new(),
    };
    for c in 0..connections {
        let token = driver
            .add(Connection::http(&addr)?)
            .map_err(|e| Error::io("registering", e))?;
        let targets = (0..per_connection)
            .map(|i| format!("/echo/{c}/{i}"))
            .collect();
        plan.queues.insert(token, targets);
    }
    let (mut ok, mut failed) = (0, 0);
    plan.run(&mut driver, |target, f| match f.result {
        Ok((head, body)) if head.status() == 200 && body == target.as_bytes() => ok += 1,
        Ok((head, _)) => {
            eprintln!("many: {target}: status {} or body wrong", head.status());
            failed += 1;
        }
        Err(e) => {
            eprintln!("many: {target}: {}: {e}", e.name());
            failed += 1;
        }
    })?;
    println!(
        "{ok} requests over {connections} connections in {:.3} s, every body checked{}",
        started.elapsed().as_secs_f64(),
        if failed > 0 {
            format!(", {failed} FAILED")
        } else {
            String::new()
        }
    );
    if failed > 0 || ok != connections * per_connection {
        return Err(httpcore_mio::httpcore::Error::NotConnected {
            reason: "some requests failed",
        }
        .into());
    }
    Ok(())
}

fn fetch(urls: &[String]) -> Result<bool, Error> {
    let mut driver = Driver::new().map_err(|e| Error::io("polling", e))?;
    let mut plan = Plan {
        queues: HashMap::new(),
        sent: HashMap::new(),
    };
    let mut by_authority: HashMap<(bool, String), Token> = HashMap::new();
    for url in urls {
        let u = Url::parse(url)?;
        let key = (u.https, u.authority.clone());
        let token = match by_authority.get(&key) {
            Some(t) => *t,
            None => {
                let conn = if u.https {
                    Connection::https(&u.authority, &TlsOptions::default())?
                } else {
                    Connection::http(&u.authority)?
                };
                let t = driver.add(conn).map_err(|e| Error::io("registering", e))?;
                by_authority.insert(key, t);
                t
            }
        };
        // Queues are popped from the end: keep the given order.
        plan.queues.entry(token).or_default().insert(0, u.target);
    }
    let mut all_ok = true;
    plan.run(&mut driver, |target, f| match f.result {
        Ok((head, body)) => println!(
            "{:?} {target}: {} ({} bytes)",
            f.token,
            head.status(),
            body.len()
        ),
        Err(e) => {
            all_ok = false;
            eprintln!("many: {:?} {target}: {}: {e}", f.token, e.name());
        }
    })?;
    // After a failure, the rest of that connection's URLs were not sent.
    for target in plan.queues.values().flatten() {
        eprintln!("many: {target}: not fetched (its connection failed)");
        all_ok = false;
    }
    Ok(all_ok)
}

fn main() -> ExitCode {
    let urls: Vec<String> = std::env::args().skip(1).collect();
    let result = if urls.is_empty() {
        demo().map(|()| true)
    } else {
        fetch(&urls)
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("many: {}: {e}", e.name());
            ExitCode::FAILURE
        }
    }
}
