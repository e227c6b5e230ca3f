//! httpcore-mio against a real nginx on 127.0.0.1, over HTTP and HTTPS.
//!
//! `.ci/run` starts a private nginx with `.ci/nginx.sh` and runs these with
//! `--ignored`; by hand:
//!
//! ```sh
//! eval "$(.ci/nginx.sh start /tmp/httpcore-nginx)"
//! cargo test -p httpcore-mio --test nginx -- --ignored
//! .ci/nginx.sh stop /tmp/httpcore-nginx
//! ```

use std::time::Duration;

use httpcore_mio::{Connection, Driver, Finished, Timeouts, TlsOptions};
use testkit::nginx;

const H: &[(&str, &str)] = &[];

fn trusted() -> TlsOptions {
    TlsOptions {
        ca_file: Some(nginx::ca_file().into()),
        ..TlsOptions::default()
    }
}

fn run(driver: &mut Driver) -> Vec<Finished> {
    let mut finished = Vec::new();
    let started = std::time::Instant::now();
    while driver.in_flight() > 0 {
        assert!(started.elapsed() < Duration::from_secs(30), "stalled");
        driver
            .turn(Some(Duration::from_millis(200)), &mut finished)
            .unwrap();
    }
    finished
}

#[test]
#[ignore = "needs nginx: see the module docs"]
fn https_mebibytes_pipelined_on_one_connection_and_many_at_once() {
    let want = nginx::big();
    let mut driver = Driver::new().unwrap();
    // One connection, four pipelined GETs of the 1 MiB file.
    let conn = Connection::https(&nginx::https_addr(), &trusted())
        .unwrap()
        .with_timeouts(Timeouts::all(Duration::from_secs(10)));
    let piped = driver.add(conn).unwrap();
    for _ in 0..4 {
        driver.request(piped, "GET", "/big.bin", None, H).unwrap();
    }
    // Twenty more TLS connections at once, one GET each.
    for _ in 0..20 {
        let t = driver
            .add(Connection::https(&nginx::https_addr(), &trusted()).unwrap())
            .unwrap();
        driver.request(t, "GET", "/big.bin", None, H).unwrap();
    }
    let finished = run(&mut driver);
    assert_eq!(finished.len(), 24);
    for f in finished {
        let (head, body) = f.result.unwrap();
        assert_eq!(head.status(), 200);
        assert!(body == want, "body differs");
    }
}

#[test]
#[ignore = "needs nginx: see the module docs"]
fn https_is_untrusted_by_default() {
    let mut driver = Driver::new().unwrap();
    let t = driver
        .add(Connection::https(&nginx::https_addr(), &TlsOptions::default()).unwrap())
        .unwrap();
    driver.request(t, "GET", "/", None, H).unwrap();
    let finished = run(&mut driver);
    let e = finished.into_iter().next().unwrap().result.unwrap_err();
    assert_eq!(e.name(), "CertificateError", "{e}");
}

#[test]
#[ignore = "needs nginx: see the module docs"]
fn http_keep_alive_is_one_nginx_connection() {
    let mut driver = Driver::new().unwrap();
    let t = driver
        .add(Connection::http(&nginx::http_addr()).unwrap())
        .unwrap();
    for _ in 0..5 {
        driver.request(t, "GET", "/connection", None, H).unwrap();
    }
    let finished = run(&mut driver);
    let answers: Vec<(String, u32)> = finished
        .into_iter()
        .map(|f| {
            let text = String::from_utf8(f.result.unwrap().1).unwrap();
            let mut it = text.split_whitespace();
            (
                it.next().unwrap().to_string(),
                it.next().unwrap().parse().unwrap(),
            )
        })
        .collect();
    assert!(
        answers.iter().all(|(c, _)| *c == answers[0].0),
        "{answers:?}"
    );
    let numbers: Vec<u32> = answers.iter().map(|a| a.1).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5]);
}
