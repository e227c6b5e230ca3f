//! The `fetch` example as a user runs it, against scripted servers: a POST
//! the server may have processed is never sent twice (and fetch fails
//! saying so), a GET is retried once, a proxy URL's credentials and
//! absolute-form targets reach the proxy.

use std::process::{Command, Output};

mod support;
use support::{answer, example, fetch_binary, Action, Server};

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
fn a_url_with_credentials_is_shown_without_them() {
    // Refused (port 1): the error line, the verbose request line and the
    // JSON error record all name the URL, none its password.
    let url = "http://bob:hunter2@127.0.0.1:1/x";
    let out = fetch(&["-v", url]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("> GET http://***@127.0.0.1:1/x"),
        "{stderr}"
    );
    assert!(
        stderr.contains("fetch: http://***@127.0.0.1:1/x: ConnectionRefused"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
    let out = fetch(&["--json", url]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let record: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(record["url"], "http://***@127.0.0.1:1/x", "{stdout}");
    assert!(
        !stdout.contains("hunter2") && !String::from_utf8_lossy(&out.stderr).contains("hunter2")
    );
}

#[test]
fn load_with_no_url_checks_every_body_and_stays_within_the_limit() {
    let out = Command::new(example("agent_load"))
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

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn compressed_asks_for_gzip_and_decodes_and_without_it_the_body_is_as_sent() {
    let z = gzip(b"decoded text");
    let mut resp = format!(
        "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
        z.len()
    )
    .into_bytes();
    resp.extend_from_slice(&z);
    // Each fetch is a process of its own: one connection each.
    let server = Server::start(vec![answer(&resp), answer(&resp)]);
    let out = fetch(&["--compressed", &server.url("/z")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, b"decoded text");
    let out = fetch(&[&server.url("/z")]);
    assert_eq!(out.stdout, z, "without --compressed the body is as sent");
    let heads: Vec<String> = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.head.clone())
        .collect();
    assert!(
        heads[0].contains("Accept-Encoding: gzip, deflate"),
        "{}",
        heads[0]
    );
    assert!(
        heads[1].contains("Accept-Encoding: identity\r\n"),
        "{}",
        heads[1]
    );
}

#[test]
fn location_follows_redirects_and_without_it_prints_the_redirect() {
    let moved: &[u8] = b"HTTP/1.1 302 Found\r\nLocation: /there\r\nContent-Length: 0\r\n\r\n";
    let server = Server::start(vec![
        [answer(moved), answer(OK)].concat(),
        answer(moved),
        [answer(moved), answer(OK)].concat(),
    ]);
    let out = fetch(&["-L", &server.url("/here")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, b"hello");
    // Without -L the 302 is the answer (-i prints its head).
    let out = fetch(&["-i", &server.url("/here")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("HTTP/1.1 302 Found\n"), "{text}");
    // Short flags combine: -iL is -i -L.
    let out = fetch(&["-iL", &server.url("/here")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("HTTP/1.1 200 OK\n") && text.ends_with("hello"),
        "{text}"
    );
    let lines: Vec<String> = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.head.lines().next().unwrap().to_string())
        .collect();
    assert_eq!(
        lines,
        [
            "GET /here HTTP/1.1",
            "GET /there HTTP/1.1",
            "GET /here HTTP/1.1",
            "GET /here HTTP/1.1",
            "GET /there HTTP/1.1"
        ]
    );
}

#[test]
fn max_time_is_one_deadline_for_the_whole_request() {
    let server = Server::start(vec![vec![
        Action::Read,
        Action::Write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab".to_vec()),
        Action::Sleep(std::time::Duration::from_secs(3)),
    ]]);
    let started = std::time::Instant::now();
    let out = Command::new(fetch_binary())
        .args(["--max-time=0.5", &server.url("/slow")])
        .output()
        .unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("DeadlineExceeded") && stderr.contains("reading the body"),
        "{stderr}"
    );
    assert!(took < std::time::Duration::from_secs(2), "took {took:?}");
}

/// Seconds too many to hold, negative or not a number are a usage error
/// naming the value; a huge but holdable number is a limit that never
/// comes (the request goes).
#[test]
fn seconds_out_of_range_are_refused_and_huge_ones_mean_never() {
    let server = Server::start(vec![answer(
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    )]);
    for bad in ["1e30", "-1", "nan", "inf"] {
        let out = fetch(&["--max-time", bad, &server.url("/")]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{bad}");
        assert!(
            stderr.contains("is not a number of seconds"),
            "{bad}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{bad}: {stderr}");
    }
    let out = fetch(&["--max-time", "1e15", &server.url("/")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, b"ok");
}

#[test]
fn parallel_fetches_many_urls_over_the_pool_in_the_order_given() {
    let addr = testkit::load::start(64);
    let urls: Vec<String> = (0..40).map(|i| format!("http://{addr}/echo/{i}")).collect();
    let out = Command::new(fetch_binary())
        .args(["-Z", "8", "--json"])
        .args(&urls)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 40);
    use base64::Engine as _;
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["url"], urls[i].as_str());
        let body = base64::engine::general_purpose::STANDARD
            .decode(line["body_base64"].as_str().unwrap())
            .unwrap();
        assert_eq!(body, format!("/echo/{i}").as_bytes());
    }
}

#[test]
fn user_options_after_equals_the_double_dash_and_help() {
    let server = Server::start(vec![answer(OK)]);
    let out = Command::new(fetch_binary())
        .args([
            "--user=alice:s3cret",
            "-XPUT",
            "--data=x",
            "--",
            &server.url("/u"),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let head = server.requests.lock().unwrap()[0].head.clone();
    assert!(head.starts_with("PUT /u HTTP/1.1\r\n"), "{head}");
    assert!(
        head.contains("Authorization: Basic YWxpY2U6czNjcmV0\r\n"),
        "{head}"
    );
    let help = Command::new(fetch_binary()).arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&help.stdout);
    for option in [
        "--location",
        "--compressed",
        "--max-time",
        "--parallel",
        "--noproxy",
        "--user",
        "--json",
    ] {
        assert!(text.contains(option), "--help lacks {option}");
    }
    let bad = Command::new(fetch_binary())
        .arg("--no-such")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--no-such"));
}
