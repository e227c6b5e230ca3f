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
