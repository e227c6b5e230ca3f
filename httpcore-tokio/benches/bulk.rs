//! 1 GiB through one connection, each way, on a current-thread runtime,
//! timed alternately in one process against a raw loop doing the least the
//! transfer needs (the std crate's `bulk` bench, on Tokio):
//!
//! * down — the pooled [`Client`] reading `GET /big` chunk by chunk,
//!   against a raw Tokio socket reading the answer into a buffer as large
//!   as the engine's largest read window (`httpcore::MAX_READ_WINDOW`,
//!   64 KiB);
//! * up — the `Client` sending a 1 GiB `PUT /sink` from an `AsyncRead`
//!   ([`Body::reader`], which reads 64 KiB at a time), against a raw socket
//!   writing the head and the body 64 KiB at a time;
//! * TLS down — the `Client` over rustls against a raw `tokio-rustls`
//!   stream with the same client configuration.
//!
//! Prints `ratio bulk_down_vs_raw_tokio`, `bulk_up_vs_raw_tokio` and
//! `bulk_tls_down_vs_raw_tokio` (the raw loop's time over the Client's,
//! median of the rounds), and each side's MiB/s.
//!
//! `cargo bench -p httpcore-tokio --bench bulk` (`-- --only NAME` for the
//! entrants whose names contain NAME).

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use httpcore_tokio::{Body, Client, ClientSettings, TlsOptions};
use testkit::bench::Contest;
use testkit::tls::BULK;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

const ROUNDS: usize = 5;

/// A 1 GiB request body, made as it is read.
struct Pattern(u64);

impl AsyncRead for Pattern {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let n = self.0.min(buf.remaining() as u64) as usize;
        buf.initialize_unfilled_to(n).fill(b'u');
        buf.advance(n);
        self.0 -= n as u64;
        Poll::Ready(Ok(()))
    }
}

async fn client_down(client: &Client, url: &str) {
    let mut resp = client.get(url).await.unwrap();
    let mut total = 0u64;
    while let Some(chunk) = resp.chunk().await.unwrap() {
        total += chunk.len() as u64;
    }
    assert_eq!(total, BULK);
}

/// Read a whole `GET /big` answer (head and [`BULK`] bytes) from `s`.
async fn raw_down(s: &mut (impl AsyncRead + Unpin), buf: &mut [u8]) {
    let want = testkit::tls::bulk_answer_len();
    let mut got = 0u64;
    while got < want {
        let n = s.read(buf).await.unwrap();
        assert!(n > 0, "closed after {got} bytes");
        got += n as u64;
    }
    assert_eq!(got, want);
}

fn main() {
    // The servers' threads run on CPU 0, the client's runtime here on CPU 1.
    let addr = testkit::load::start_pinned(64, 0);
    testkit::bench::pin_to_cpu(1);
    let tls_server = testkit::tls::bulk_server(&["localhost"]);
    let tls = TlsOptions {
        ca_file: Some(testkit::tls::ca_file(&tls_server.ca_pem)),
        ..TlsOptions::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let settings = ClientSettings {
        tls: tls.clone(),
        ..ClientSettings::default()
    };
    let client = Client::with_settings(settings).unwrap();
    let url = format!("http://{addr}/big");
    let sink = format!("http://{addr}/sink");
    let tls_url = format!("https://localhost:{}/big", tls_server.port);
    let config: Arc<tokio_rustls::rustls::ClientConfig> = tls.build().unwrap();
    let (mut raw, mut raw_up, mut raw_tls) = rt.block_on(async {
        let raw = TcpStream::connect(&addr).await.unwrap();
        raw.set_nodelay(true).unwrap();
        let raw_up = TcpStream::connect(&addr).await.unwrap();
        raw_up.set_nodelay(true).unwrap();
        let tcp = TcpStream::connect(("127.0.0.1", tls_server.port))
            .await
            .unwrap();
        tcp.set_nodelay(true).unwrap();
        let name = tokio_rustls::rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let tls = tokio_rustls::TlsConnector::from(config)
            .connect(name, tcp)
            .await
            .unwrap();
        (raw, raw_up, tls)
    });
    let mut buf = vec![0u8; httpcore_tokio::httpcore::MAX_READ_WINDOW];
    let mut tls_buf = vec![0u8; httpcore_tokio::httpcore::MAX_READ_WINDOW];
    let mut body = vec![b'u'; 64 * 1024];

    let mut contest = Contest::new(None);
    contest
        .entrant("client_down", || {
            rt.block_on(client_down(&client, &url));
            1
        })
        .entrant("raw_down", || {
            rt.block_on(async {
                let get = format!("GET /big HTTP/1.1\r\nHost: {addr}\r\n\r\n");
                raw.write_all(get.as_bytes()).await.unwrap();
                raw_down(&mut raw, &mut buf).await;
            });
            1
        })
        .entrant("client_up", || {
            rt.block_on(async {
                let body = Body::reader(Pattern(BULK), Some(BULK));
                let mut resp = client.request("PUT", &sink, &[], body).await.unwrap();
                assert_eq!(resp.status(), 204);
                assert!(resp.read_all().await.unwrap().is_empty());
            });
            1
        })
        .entrant("raw_up", || {
            rt.block_on(async {
                let head =
                    format!("PUT /sink HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {BULK}\r\n\r\n");
                raw_up.write_all(head.as_bytes()).await.unwrap();
                let mut left = BULK;
                while left > 0 {
                    let n = left.min(body.len() as u64) as usize;
                    body[..n].fill(b'u');
                    raw_up.write_all(&body[..n]).await.unwrap();
                    left -= n as u64;
                }
                let mut answer = [0u8; 27];
                raw_up.read_exact(&mut answer).await.unwrap();
                assert!(answer.starts_with(b"HTTP/1.1 204"));
            });
            1
        })
        .entrant("client_tls_down", || {
            rt.block_on(client_down(&client, &tls_url));
            1
        })
        .entrant("raw_tls_down", || {
            rt.block_on(async {
                raw_tls
                    .write_all(b"GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .await
                    .unwrap();
                raw_down(&mut raw_tls, &mut tls_buf).await;
            });
            1
        });
    let only = testkit::bench::arg("--only");
    if let Some(name) = &only {
        contest.keep_only(name);
    }
    contest.run(ROUNDS);
    if only.is_none() {
        contest.print_ratio("bulk_down_vs_raw_tokio", "client_down", "raw_down");
        contest.print_ratio("bulk_up_vs_raw_tokio", "client_up", "raw_up");
        contest.print_ratio(
            "bulk_tls_down_vs_raw_tokio",
            "client_tls_down",
            "raw_tls_down",
        );
    }
    contest.print_mib_per_second();
}
