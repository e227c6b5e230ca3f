//! The `fetch` example as a user runs it, against scripted servers: a POST
//! the server may have processed is never sent twice (and fetch fails
//! saying so), a GET is retried once, a proxy URL's credentials and
//! absolute-form targets reach the proxy.

use std::process::{Command, Output};

mod support;
use support::{answer, example, fetch_binary, Server};

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

/// Reads and answers `/1`, then reads `/2` and closes without an answer.
fn closes_under_the_second() -> Server {
    Server::start(vec![
        testkit::behaviour::closes_after_reading_the_second_request(),
        answer(OK),
    ])
}

fn fetch(args: &[&str]) -> Output {
    Command::new(fetch_binary())
        .args(["--timeout", "5"])
        .args(args)
        .output()
        .unwrap()
}

fn count(server: &Server, start: &str) -> usize {
    let requests = server.requests.lock().unwrap();
    requests
        .iter()
        .filter(|r| r.head.starts_with(start))
        .count()
}

#[test]
fn a_post_closed_under_is_not_sent_again_and_fetch_fails_saying_why() {
    let server = closes_under_the_second();
    let out = fetch(&["-d", "x", &server.url("/1"), &server.url("/2")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "fetch exited 0: {stderr}");
    assert!(stderr.contains("MaybeProcessed"), "{stderr}");
    assert!(stderr.contains("may or may not have processed"), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello");
    assert_eq!(
        count(&server, "POST /2 "),
        1,
        "the POST reached the server twice"
    );
}

#[test]
fn a_get_closed_under_is_retried_once_and_succeeds() {
    let server = closes_under_the_second();
    let out = fetch(&[&server.url("/1"), &server.url("/2")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hellohello");
    assert_eq!(count(&server, "GET /2 "), 2);
    assert_eq!(server.connections(), 2);
}

#[test]
fn a_proxy_gets_absolute_form_and_the_credentials_of_its_url() {
    let server = Server::start(vec![answer(OK)]);
    let proxy = format!("http://alice:s3cret@{}", server.addr);
    let out = fetch(&["-x", &proxy, "http://origin.example:8080/a?b=1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello");
    let head = server.requests.lock().unwrap()[0].head.clone();
    assert!(
        head.starts_with(
            "GET http://origin.example:8080/a?b=1 HTTP/1.1\r\nHost: origin.example:8080\r\n"
        ),
        "{head}"
    );
    // "alice:s3cret"
    assert!(
        head.contains("Proxy-Authorization: Basic YWxpY2U6czNjcmV0\r\n"),
        "{head}"
    );
}

#[test]
fn a_bad_proxy_url_is_a_typed_error_that_does_not_print_the_password() {
    let out = fetch(&[
        "-x",
        "socks4://bob:hunter2@127.0.0.1:1",
        "http://127.0.0.1:1/",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("InvalidProxy"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn load_with_no_url_checks_every_body_and_stays_within_the_limit() {
    let out = Command::new(example("load"))
        .args([
            "--concurrency",
            "16",
            "--requests",
            "600",
            "--max-per-host",
            "4",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(line["requests"], 600);
    assert_eq!(line["ok"], 600);
    assert_eq!(line["errors"], 0);
    let connections = line["connections"].as_u64().unwrap();
    assert!(
        (1..=4).contains(&connections),
        "{connections} connections for a limit of 4"
    );
}
