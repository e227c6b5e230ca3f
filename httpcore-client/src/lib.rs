//! # httpcore-client
//!
//! The client layer of httpcore: everything a client does beyond the bytes
//! of one exchange, written once and shared by the adapters
//! (`httpcore-std`, `httpcore-tokio`, `httpcore-mio`). Like the engine it
//! reads no clock and touches no socket: the time comes in as an argument
//! (quinn's `poll_timeout()` / `handle_timeout(now)`), and the adapters move
//! the bytes.
//!
//! * [`Exchange`] — one connection's requests and responses: the engine,
//!   the request recorded for a retry, interim heads skipped, trailers
//!   collected, the 100-continue wait, a forward proxy's absolute-form
//!   targets, httplib's debug lines.
//! * [`ResponseState`] — what every adapter's `Response` holds and answers
//!   (httplib's getters, the piece of body not yet read).
//! * [`pool`] — the connection pool's policy: limits per host and in
//!   all, waiters in order, idle expiry, with the time passed in.
//! * [`redirect`] — which redirects are followed, where to, with which
//!   method and body, and which credentials stay behind.
//! * [`retry`] — when a request may go again: never twice when that could
//!   make the server act twice ([`Error::MaybeProcessed`]).
//! * [`Endpoint`], [`Proxy`], [`Route`], [`Tunnel`] — where a connection
//!   goes: directly, through a forward proxy for `http://` (absolute-form),
//!   through a CONNECT tunnel for `https://`; Basic credentials from the
//!   proxy URL, sent to the proxy only.
//! * [`ClientSettings`] — what the pooled clients (std's `Agent`, tokio's
//!   `Client`, mio's `Driver`) are configured with, and
//!   [`route`](ClientSettings::route), where each request goes.
//! * [`deadline`] — one limit for a whole request across its phases.
//! * [`connect`] — name resolution behind a trait, RFC 8305's attempts.
//! * [`decode`] — `Content-Encoding` decoding in constant memory, with a
//!   bomb cap.
//! * [`EnvProxies`], [`NoProxy`] — proxies from the environment;
//!   `socks` — the SOCKS5 handshake (feature `socks`).
//! * [`plaintext`] — rustls's decrypted bytes into the engine's window,
//!   around a slow case of some CPUs' `memcpy`.
//! * [`Error`], [`Timeouts`], [`TlsOptions`] — what every adapter returns
//!   and takes. TLS is rustls (itself sans-IO), certificates verified by
//!   default; the crypto provider and root store are cargo features here,
//!   once, and the adapters forward them.
//!
//! ## Features
//!
//! | feature | default | what it adds | pulls in |
//! | --- | --- | --- | --- |
//! | `aws-lc-rs` | yes | rustls's crypto provider, post-quantum key exchange first; used when both are on | `aws-lc-rs` (C, built by the C compiler) |
//! | `ring` | | the other provider: builds faster, no post-quantum key exchange | `ring` |
//! | `webpki-roots` | yes | Mozilla's roots, built in | `webpki-roots` |
//! | `platform-verifier` | | the operating system's verifier | `rustls-platform-verifier` |
//! | `gzip` | | gzip and deflate decoding | `flate2` (zlib-rs) |
//! | `brotli` | | br decoding | `brotli-decompressor` |
//! | `zstd` | | zstd decoding | `zstd` (C library) |
//! | `socks` | | the SOCKS5 handshake | — |
//! | `tracing` | | events for connections, the pool, retries, redirects ([`log`]) | `tracing` |
//! | `sim` | | the deterministic simulation and fuzz harnesses (tests only) | — |
//!
//! ```
//! use httpcore_client::{Exchange, BodyStep};
//! use httpcore::{Authority, Config, ResponseHead};
//! use std::time::Instant;
//!
//! let mut x = Exchange::new(Authority::parse("example.com", 80)?, Config::default());
//! x.request("GET", "/", None, &[("Accept", "text/plain")])?;
//! while let Some(bytes) = x.poll_transmit(Instant::now) {
//!     // write `bytes` to the transport
//! #   let _ = bytes;
//! }
//! let answer = b"HTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
//! x.begin_recv()[..answer.len()].copy_from_slice(answer); // a read
//! x.handle_read(answer.len());
//! let mut head = ResponseHead::new();
//! assert!(x.poll_head(&mut head)?.is_some()); // the 103 was skipped
//! assert_eq!(head.status(), 200);
//! assert_eq!(x.poll_body(&mut head)?, BodyStep::Chunk("hi".into()));
//! assert_eq!(x.poll_body(&mut head)?, BodyStep::Done);
//! # Ok::<(), httpcore_client::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod connect;
pub mod deadline;
pub mod decode;
mod env_proxy;
mod error;
mod exchange;
pub mod log;
pub mod plaintext;
pub mod pool;
mod proxy;
pub mod redirect;
mod response;
pub mod retry;
mod settings;
#[cfg(feature = "sim")]
pub mod sim;
#[cfg(feature = "socks")]
pub mod socks;
pub mod target;
mod timeouts;
mod tls;

pub use connect::{Resolve, SystemResolver};
pub use deadline::Deadline;
pub use env_proxy::{EnvProxies, NoProxy};
pub use error::Error;
pub use exchange::{BodyStep, Exchange, Trailers};
pub use httpcore;
pub use proxy::{Endpoint, Forward, Proxy, Route, SocksRoute, Tunnel};
pub use response::ResponseState;
pub use retry::Retries;
pub use settings::{ClientSettings, EnvProxySource, Routed};
pub use timeouts::Timeouts;
pub use tls::{provider, server_name, TlsOptions};
