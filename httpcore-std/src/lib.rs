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
