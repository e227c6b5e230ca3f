//! 1 GiB through one connection, each way, timed alternately in one process
//! against a raw loop doing the least the transfer needs:
//!
//! * down — the [`Agent`] reading `GET /big` chunk by chunk, against a raw
//!   socket writing the GET and reading the answer into a buffer as large
//!   as the engine's largest read window (`httpcore::MAX_READ_WINDOW`,
//!   64 KiB);
//! * up — the `Agent` sending a 1 GiB `PUT /sink` from a reader
//!   (`request_reader`, 64 KiB reads), against a raw socket writing the
//!   head and the body from a 64 KiB buffer;
//! * TLS down — the `Agent` over rustls against a raw rustls stream with
//!   the same client configuration, from a rustls server in this process.
//!
//! Prints `ratio bulk_down_vs_raw`, `bulk_up_vs_raw` and
//! `bulk_tls_down_vs_raw` (the raw loop's time over the Agent's, median
//! of the rounds), and each side's MiB/s.
//!
//! `cargo bench -p httpcore-std --bench bulk`

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use httpcore_std::{Agent, ClientSettings, TlsOptions};
use testkit::bench::Contest;
use testkit::tls::BULK;

const ROUNDS: usize = 5;

/// A 1 GiB request body, made as it is read.
struct Pattern(u64);

impl Read for Pattern {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.min(buf.len() as u64) as usize;
        buf[..n].fill(b'u');
        self.0 -= n as u64;
        Ok(n)
    }
}

fn agent_down(agent: &Agent, url: &str) {
    let mut resp = agent.get(url).unwrap();
    let mut total = 0u64;
    while let Some(chunk) = resp.next_chunk().unwrap() {
        total += chunk.len() as u64;
    }
    assert_eq!(total, BULK);
}

/// Read a whole `GET /big` answer (head and [`BULK`] bytes) from `s`.
fn raw_down(s: &mut impl Read, buf: &mut [u8]) {
    let want = testkit::tls::bulk_answer_len();
    let mut got = 0u64;
    while got < want {
        let n = s.read(buf).unwrap();
        assert!(n > 0, "closed after {got} bytes");
        got += n as u64;
    }
    assert_eq!(got, want);
}

fn main() {
    // The servers' threads run on CPU 0, the client here on CPU 1.
    let addr = testkit::load::start_pinned(64, 0);
    testkit::bench::pin_to_cpu(1);
    let tls_server = testkit::tls::bulk_server(&["localhost"]);
    let tls = TlsOptions {
        ca_file: Some(testkit::tls::ca_file(&tls_server.ca_pem)),
        ..TlsOptions::default()
    };
    let settings = ClientSettings {
        tls: tls.clone(),
        ..ClientSettings::default()
    };
    let agent = Agent::with_config(settings).unwrap();
    let url = format!("http://{addr}/big");
    let sink = format!("http://{addr}/sink");
    let tls_url = format!("https://localhost:{}/big", tls_server.port);

    let mut raw = TcpStream::connect(&addr).unwrap();
    raw.set_nodelay(true).unwrap();
    let mut raw_up = TcpStream::connect(&addr).unwrap();
    raw_up.set_nodelay(true).unwrap();
    let config: Arc<rustls::ClientConfig> = tls.build().unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let tcp = TcpStream::connect(("127.0.0.1", tls_server.port)).unwrap();
    tcp.set_nodelay(true).unwrap();
    let mut raw_tls =
        rustls::StreamOwned::new(rustls::ClientConnection::new(config, name).unwrap(), tcp);
    let mut buf = vec![0u8; httpcore_std::httpcore::MAX_READ_WINDOW];
    let mut tls_buf = vec![0u8; httpcore_std::httpcore::MAX_READ_WINDOW];
    let mut body = vec![b'u'; 64 * 1024];

    let mut contest = Contest::new(None);
    contest
        .entrant("agent_down", || {
            agent_down(&agent, &url);
            1
        })
        .entrant("raw_down", || {
            let get = format!("GET /big HTTP/1.1\r\nHost: {addr}\r\n\r\n");
            raw.write_all(get.as_bytes()).unwrap();
            raw_down(&mut raw, &mut buf);
            1
        })
        .entrant("agent_up", || {
            let mut resp = agent
                .request_reader("PUT", &sink, &[], &mut Pattern(BULK), Some(BULK))
                .unwrap();
            assert_eq!(resp.status(), 204);
            assert!(resp.read_to_vec().unwrap().is_empty());
            1
        })
        .entrant("raw_up", || {
            let s = &mut raw_up;
            let head =
                format!("PUT /sink HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {BULK}\r\n\r\n");
            s.write_all(head.as_bytes()).unwrap();
            let mut left = BULK;
            while left > 0 {
                let n = left.min(body.len() as u64) as usize;
                body[..n].fill(b'u');
                s.write_all(&body[..n]).unwrap();
                left -= n as u64;
            }
            let mut answer = [0u8; 27];
            s.read_exact(&mut answer).unwrap();
            assert!(answer.starts_with(b"HTTP/1.1 204"));
            1
        })
        .entrant("agent_tls_down", || {
            agent_down(&agent, &tls_url);
            1
        })
        .entrant("raw_tls_down", || {
            raw_tls
                .write_all(b"GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .unwrap();
            raw_down(&mut raw_tls, &mut tls_buf);
            1
        });
    // `-- --only NAME`: the entrants whose names contain NAME (to profile
    // one, or compare two: `--only tls`).
    let only = testkit::bench::arg("--only");
    if let Some(name) = &only {
        contest.keep_only(name);
    }
    contest.run(ROUNDS);
    if only.is_none() {
        contest.print_ratio("bulk_down_vs_raw", "agent_down", "raw_down");
        contest.print_ratio("bulk_up_vs_raw", "agent_up", "raw_up");
        contest.print_ratio("bulk_tls_down_vs_raw", "agent_tls_down", "raw_tls_down");
    }
    contest.print_mib_per_second();
}
