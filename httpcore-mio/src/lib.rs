//! # httpcore-mio
//!
//! The [`httpcore`] HTTP/1.x engine in a [mio](https://docs.rs/mio) event
//! loop: many connections on one thread, each registered with the caller's
//! [`mio::Poll`] under the caller's [`mio::Token`], driven by the events the
//! caller hands it, never blocking. TLS runs through
//! `rustls::ClientConnection` without blocking, with the client layer's
//! defaults: certificates verified against the built-in roots.
//!
//! * [`Connection`] — one connection: `register`, `request` (pipelining
//!   allowed), `handle_event`, `poll_output`, `deadline` /
//!   `handle_timeout`. See `docs/mio.md` for a whole loop, step by step.
//! * [`Driver`] — a small loop of its own for callers without one, built
//!   from `Connection`'s public methods only.
//!
//! This crate parses nothing: every byte of HTTP is produced and read by
//! the engine.
//!
//! ## Any URL on one thread: [`Driver::send`]
//!
//! The driver keeps a pool of connections per host with the same
//! `ClientSettings` as the other clients. This example runs:
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
//! use httpcore_mio::Driver;
//!
//! let mut driver = Driver::new()?;
//! let ticket = driver.send("GET", &format!("http://{addr}/"), &[] as &[(&str, &str)], None)?;
//! for done in driver.run()? {
//!     let (head, body) = done.result?;
//!     assert_eq!((done.ticket, head.status(), body), (Some(ticket), 200, b"hello".to_vec()));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Runnable programs: `cargo run -p httpcore-mio --example many` (1,000
//! requests over 100 connections), `--example embed` (connections in a
//! loop of your own).
//!
//! ## Features
//!
//! | feature | default | what it adds | pulls in |
//! | --- | --- | --- | --- |
//! | `aws-lc-rs` | yes | rustls's crypto provider, post-quantum key exchange first; used when both are on | `aws-lc-rs` (C, built by the C compiler) |
//! | `ring` | | the other provider: builds faster, no post-quantum key exchange | `ring` |
//! | `webpki-roots` | yes | Mozilla's roots, built in | `webpki-roots` |
//! | `platform-verifier` | | the operating system's verifier | `rustls-platform-verifier` |
//! | `gzip` | yes | `Driver::send` asks for and decodes gzip and deflate | `flate2` (zlib-rs) |
//! | `brotli` | | … and br | `brotli-decompressor` |
//! | `zstd` | | … and zstd | `zstd` (C library) |
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod connection;
mod driver;

pub use connection::{Connection, Output, PIPELINE_DEPTH};
pub use driver::{Driver, Finished, Ticket};
pub use httpcore;
pub use httpcore::{Authority, Config, Framing, RequestId, ResponseHead};
pub use httpcore_client;
pub use httpcore_client::ClientSettings;
pub use httpcore_client::{Error, Timeouts, TlsOptions};
pub use mio;
