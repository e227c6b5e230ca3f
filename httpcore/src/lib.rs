//! # httpcore
//!
//! A sans-IO HTTP/1.x client engine: everything Python's `httplib` /
//! `http.client` does for a program talking HTTP to a server, as a pure
//! state machine. Commands go in and bytes to transmit come out; received
//! bytes go in and events come out. No sockets, no clocks, no threads, no
//! async: the adapter crates (`httpcore-std`, `httpcore-tokio`,
//! `httpcore-mio`) move the bytes.
//!
//! The one type to start from is [`Connection`]. An adapter is a short loop:
//!
//! ```
//! use httpcore::{Authority, Config, Connection, Event};
//!
//! # fn transport_write(_: &[u8]) {}
//! # fn transport_read(buf: &mut [u8]) -> usize {
//! #     let r = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
//! #     buf[..r.len()].copy_from_slice(r); r.len()
//! # }
//! let mut conn = Connection::new(Authority::parse("example.com", 80)?, Config::default());
//! conn.request("GET", "/", None, &[] as &[(&str, &str)])?;
//! while let Some(bytes) = conn.poll_transmit() {
//!     transport_write(&bytes);
//! }
//! let mut done = false;
//! while !done {
//!     let n = transport_read(conn.begin_recv());
//!     conn.handle_read(n); // 0: the stream ended
//!     while let Some(event) = conn.poll_event()? {
//!         match event {
//!             Event::StatusLine(s) => println!("{} {}", s.status, String::from_utf8_lossy(s.reason)),
//!             Event::Header(h) => println!("{}: {}", String::from_utf8_lossy(h.name), String::from_utf8_lossy(h.value)),
//!             Event::BodyChunk(chunk) => println!("{} body bytes", chunk.len()),
//!             Event::Done(_) => done = true,
//!             _ => {}
//!         }
//!     }
//! }
//! # Ok::<(), httpcore::Error>(())
//! ```
//!
//! See `docs/architecture.md` in the repository for the state machine and
//! the reasons behind the API's shape.
#![deny(missing_docs)]
#![deny(unsafe_code)]

mod authority;
mod chars;
mod chunk_ext;
mod config;
mod connection;
mod error;
mod event;
mod framing;
#[cfg(feature = "http")]
mod http_compat;
mod recv_buf;
mod request_head;
mod response;
mod response_head;
mod section;
pub mod status;
mod tunnel;
mod url;

pub use authority::Authority;
pub use config::{Config, Leniency, Limits, MAX_READ_WINDOW};
pub use connection::{BodyLength, Connection, RecvStateKind, RequestId, SendState, Timer};
pub use error::{Error, Escaped, InvalidPart, LimitKind, RetrySafety};
pub use event::{Done, Event, Framing, Head, Header, StatusLine, Version};
#[cfg(feature = "http")]
pub use http_compat::header_pairs;
pub use response_head::ResponseHead;
pub use tunnel::TunnelOpener;
pub use url::Url;
