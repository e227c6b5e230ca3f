//! The conformance corpus through httpcore-tokio, with the runner shared
//! with httpcore-std (`testkit::conformance`: the corpus's `serve.py` and
//! normative `judge.py`), strict and lenient, whole and one byte at a time.

use std::time::Duration;

use httpcore_tokio::httpcore::Config;
use httpcore_tokio::{Connection, Timeouts};
use testkit::conformance::{self, Outcome};
use tokio::net::TcpStream;

async fn one(c: &mut Connection<TcpStream>, method: &str, path: &str) -> Outcome {
    let err = |e: httpcore_tokio::Error| Outcome::Err {
        name: e.name().to_string(),
        message: e.to_string(),
    };
    if let Err(e) = c.request(method, path, None, &[] as &[(&str, &str)]).await {
        return err(e);
    }
    let mut r = match c.get_response().await {
        Ok(r) => r,
        Err(e) => return err(e),
    };
    match r.read_all().await {
        Ok(body) => Outcome::Ok {
            status: r.status(),
            reason: r.head().reason().to_vec(),
            version: r.version().as_str().to_string(),
            headers: r
                .head()
                .headers()
                .map(|(n, v)| (n.to_vec(), v.to_vec()))
                .collect(),
            body,
        },
        Err(e) => err(e),
    }
}

fn run(server_options: &[&str], lenient: bool) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    conformance::run(server_options, lenient, |case, url| {
        rt.block_on(async {
            let rest = url.strip_prefix("http://").unwrap();
            let (authority, path) = rest.split_at(rest.find('/').unwrap());
            let method = case["request_method"].as_str().unwrap();
            let config = if lenient {
                Config::lenient()
            } else {
                Config::default()
            };
            let timeouts = Timeouts::all(Duration::from_secs(4));
            let open = || httpcore_tokio::connect_with(authority, config.clone(), timeouts);
            let mut c = open().await.expect("connect");
            let first = one(&mut c, method, path).await;
            if case["server_closes_after"] == true || !matches!(first, Outcome::Ok { .. }) {
                return (first, None);
            }
            tokio::time::sleep(Duration::from_millis(600)).await;
            let second = if c.is_reusable() {
                (one(&mut c, method, path).await, true)
            } else {
                let mut fresh = open().await.expect("connect");
                (one(&mut fresh, method, path).await, false)
            };
            (first, Some(second))
        })
    });
}

#[test]
fn corpus_strict() {
    run(&[], false);
}

#[test]
fn corpus_lenient() {
    run(&[], true);
}

#[test]
fn corpus_one_byte_at_a_time() {
    run(&["--fragment", "1", "--delay", "0.0005"], false);
}
