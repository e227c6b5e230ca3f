//! # httpcore-std
//!
//! Python's `httplib` / `http.client` on blocking std sockets, driven by the
//! sans-IO [`httpcore`] engine. This crate owns the sockets, TLS (rustls,
//! certificates verified by default), timeouts and buffers; every byte of
//! HTTP is produced and parsed by the engine.
//!
//! ```no_run
//! use httpcore_std::{HttpConnection, HttpsConnection};
//! use std::io::Read;
//!
//! let mut conn = HttpsConnection::new("www.example.com")?;
//! conn.request("GET", "/", None, &[("Accept", "text/html")])?;
//! let mut resp = conn.get_response()?;
//! println!("{} {} {:?}", resp.status(), resp.reason(), resp.header("content-type"));
//! let body = resp.read_all()?;
//!
//! // Step by step, as httplib's putrequest / putheader / endheaders / send:
//! let mut conn = HttpConnection::new("localhost:8080")?;
//! conn.put_request("POST", "/form", false, false)?;
//! conn.put_header("Content-Type", "application/x-www-form-urlencoded")?;
//! conn.put_header("Content-Length", "7")?;
//! conn.end_headers()?;
//! conn.send(b"a=1&b=2")?;
//! let mut resp = conn.get_response()?;
//! let mut text = String::new();
//! resp.read_to_string(&mut text)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Many hosts, many threads: [`Agent`]
//!
//! One cheap, shareable client with a pool of kept-alive connections,
//! per-host limits, a whole-request deadline, opt-in redirects,
//! decompression, proxies (also from the environment) and a capped
//! whole-body reader (see `docs/agent.md`). This example runs:
//!
//! ```
//! # let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
//! # let addr = listener.local_addr()?;
//! # std::thread::spawn(move || {
//! #     use std::io::{Read, Write};
//! #     for s in listener.incoming().take(1) {
//! #         let mut s = s.unwrap();
//! #         let mut buf = [0u8; 4096];
//! #         let _ = s.read(&mut buf);
//! #         let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
//! #     }
//! # });
//! use httpcore_std::{Agent, ClientSettings};
//! use std::time::Duration;
//!
//! let agent = Agent::with_config(ClientSettings {
//!     deadline: Some(Duration::from_secs(10)),
//!     ..ClientSettings::default()
//! })?;
//! let mut resp = agent.get(&format!("http://{addr}/"))?;
//! assert_eq!((resp.status(), resp.read_to_vec()?), (200, b"hello".to_vec()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Runnable programs: `cargo run -p httpcore-std --example fetch` (a small
//! curl; `--help`), `--example agent_load` (threads over one `Agent`).
//!
//! ## Features
//!
//! | feature | default | what it adds | pulls in |
//! | --- | --- | --- | --- |
//! | `aws-lc-rs` | yes | rustls's crypto provider, post-quantum key exchange first; used when both are on | `aws-lc-rs` (C, built by the C compiler) |
//! | `ring` | | the other provider: builds faster, no post-quantum key exchange | `ring` |
//! | `webpki-roots` | yes | Mozilla's roots, built in | `webpki-roots` |
//! | `platform-verifier` | | the operating system's verifier and store | `rustls-platform-verifier` |
//! | `gzip` | yes | the Agent asks for and decodes gzip and deflate | `flate2` (zlib-rs, pure Rust) |
//! | `brotli` | | … and br | `brotli-decompressor` |
//! | `zstd` | | … and zstd | `zstd` (C library) |
//! | `socks` | | `socks5://` and `socks5h://` proxies | — |
//! | `http` | | `Agent::send(http::Request)` | `http` |
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod agent;
mod connection;
mod response;
mod transport;

pub use agent::{Agent, AgentResponse};
pub use connection::{HttpConnection, HttpsConnection, Upgraded};
pub use httpcore;
pub use httpcore::BodyLength;
pub use httpcore_client;
pub use httpcore_client::ClientSettings;
pub use httpcore_client::{provider, server_name, Error, Proxy, Retries, Timeouts, TlsOptions};
pub use response::Response;
