//! With the `tracing` feature, the pooled Client tells a subscriber what it
//! does — connections, the pool's decisions, a redirect, a retry.
#![cfg(feature = "tracing")]

use std::io::Write;
use std::sync::{Arc, Mutex};

use httpcore_tokio::httpcore_client::redirect::Redirects;
use httpcore_tokio::{Client, ClientSettings};
use testkit::{answer, Server};

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

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

#[test]
fn the_client_reports_connections_pool_decisions_retries_and_redirects() {
    let moved: &[u8] = b"HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n";
    let server = Server::start(vec![
        [answer(moved), answer(OK)].concat(),
        testkit::behaviour::closes_after_reading_the_second_request(),
        answer(OK),
    ]);
    let out = Captured::default();
    let writer = out.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // A current-thread runtime: every event comes on this thread.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber, || {
        rt.block_on(async {
            let client = Client::with_settings(ClientSettings {
                redirects: Redirects::follow(3),
                ..ClientSettings::default()
            })
            .unwrap();
            let mut r = client.get(&server.url("/a")).await.unwrap();
            r.read_all().await.unwrap();
            let client = Client::new().unwrap();
            for path in ["/1", "/2"] {
                let mut r = client.get(&server.url(path)).await.unwrap();
                r.read_all().await.unwrap();
            }
        })
    });
    let text = String::from_utf8_lossy(&out.0.lock().unwrap()).into_owned();
    for want in [
        "connecting",
        "decision=\"connect\"",
        "decision=\"reuse\"",
        "decision=\"checkin\"",
        "following a redirect",
        "retrying on a new connection",
    ] {
        assert!(text.contains(want), "no {want:?} in:\n{text}");
    }
}
