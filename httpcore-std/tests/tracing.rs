//! With the `tracing` feature, the Agent tells a subscriber what it does —
//! connections, the pool's decisions, a retry, a redirect — and httplib's
//! debug lines (`set_debug_level`) go the same way; nothing is printed.
#![cfg(feature = "tracing")]

use std::io::Write;
use std::sync::{Arc, Mutex};

use httpcore_std::httpcore_client::redirect::Redirects;
use httpcore_std::{Agent, ClientSettings, HttpConnection};
use testkit::{answer, Server};

/// Everything the subscriber was told, as text.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture(f: impl FnOnce()) -> String {
    let out = Captured::default();
    let writer = out.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8_lossy(&out.0.lock().unwrap()).into_owned();
    text
}

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

#[test]
fn the_agent_reports_connections_pool_decisions_retries_and_redirects() {
    let moved: &[u8] = b"HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n";
    let server = Server::start(vec![
        [answer(moved), answer(OK)].concat(),
        testkit::behaviour::closes_after_reading_the_second_request(),
        answer(OK),
    ]);
    let text = capture(|| {
        let agent = Agent::with_config(ClientSettings {
            redirects: Redirects::follow(3),
            ..ClientSettings::default()
        })
        .unwrap();
        // Credentials in the URL: the redirect's event shows it without.
        let with_credentials = server.url("/a").replacen("http://", "http://u:hunter2@", 1);
        agent.get(&with_credentials).unwrap().read_to_vec().unwrap();
        // A new agent: /1 answered, /2 read and the connection closed
        // under it: a GET is retried on a new connection.
        let agent = Agent::new().unwrap();
        agent.get(&server.url("/1")).unwrap().read_to_vec().unwrap();
        agent.get(&server.url("/2")).unwrap().read_to_vec().unwrap();
    });
    for want in [
        "connecting",
        "decision=\"connect\"",
        "decision=\"reuse\"",
        "decision=\"checkin\"",
        "following a redirect",
        "status=302",
        "retrying on a new connection",
    ] {
        assert!(text.contains(want), "no {want:?} in:\n{text}");
    }
    assert!(text.contains("from=http://***@127.0.0.1"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn httplib_debug_lines_go_to_the_subscriber() {
    let server = Server::start(vec![answer(OK)]);
    let text = capture(|| {
        let mut conn = HttpConnection::new(&server.addr).unwrap();
        conn.set_debug_level(1);
        conn.request("GET", "/x", None, &[] as &[(&str, &str)])
            .unwrap();
        conn.get_response().unwrap().read_all().unwrap();
    });
    assert!(text.contains("httpcore::httplib"), "{text}");
    assert!(text.contains("send:") && text.contains("GET /x"), "{text}");
    assert!(text.contains("reply:"), "{text}");
}
