//! The adapter's error: the engine's, or what the socket, the clock or TLS
//! said.

use std::io;

/// Everything a blocking exchange can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The engine's error: a malformed response, a refused request, a
    /// misuse (httplib's names: `BadStatusLine`, `IncompleteRead`, ...).
    #[error(transparent)]
    Http(#[from] httpcore::Error),
    /// A connect, read or write timeout fired.
    #[error("timed out while {during}")]
    Timeout {
        /// What the connection was doing.
        during: &'static str,
    },
    /// The socket failed.
    #[error("{during}: {source}")]
    Io {
        /// What the connection was doing.
        during: &'static str,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The TLS handshake or session failed (an untrusted certificate, a
    /// name mismatch, ...).
    #[error("TLS error: {0}")]
    Tls(#[from] rustls::Error),
    /// A TLS setting could not be used (a missing or malformed PEM file, an
    /// invalid server name).
    #[error("TLS configuration: {0}")]
    TlsConfig(String),
}

impl Error {
    /// The error's name: the engine's variant name (httplib's where it has
    /// one), or `Timeout`, `ConnectionRefused`, `ConnectionReset`,
    /// `CertificateError`, `TlsError`, `IoError`, ...
    pub fn name(&self) -> &'static str {
        match self {
            Error::Http(e) => e.name(),
            Error::Timeout { .. } => "Timeout",
            Error::Io { source, .. } => match source.kind() {
                io::ErrorKind::ConnectionRefused => "ConnectionRefused",
                io::ErrorKind::ConnectionReset => "ConnectionReset",
                io::ErrorKind::BrokenPipe => "BrokenPipe",
                io::ErrorKind::NotFound => "NotFound",
                _ => "IoError",
            },
            Error::Tls(rustls::Error::InvalidCertificate(_)) => "CertificateError",
            Error::Tls(_) => "TlsError",
            Error::TlsConfig(_) => "TlsConfigError",
        }
    }

    /// Whether the request that met this error may be sent again on a new
    /// connection, as far as the exchange goes: nothing of a response
    /// arrived (the server closed, or reset, a kept-alive connection before
    /// answering). The adapters retry only on a connection that had
    /// already been reused, and only requests they can send again whole.
    pub fn allows_retry(&self, engine: &httpcore::Connection) -> bool {
        use httpcore::RetrySafety::{NoResponse, NothingSent, PartialResponse};
        match self {
            Error::Http(httpcore::Error::RemoteDisconnected { retry }) => {
                matches!(retry, NothingSent | NoResponse)
            }
            Error::Io { source, .. } => {
                matches!(
                    source.kind(),
                    io::ErrorKind::ConnectionReset
                        | io::ErrorKind::BrokenPipe
                        | io::ErrorKind::ConnectionAborted
                ) && engine.retry_safety() != PartialResponse
            }
            _ => false,
        }
    }

    /// Sort an I/O error met while `during`: timeouts and TLS failures get
    /// their own variants (the async adapters share this).
    pub fn io(during: &'static str, e: io::Error) -> Error {
        if matches!(
            e.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ) {
            return Error::Timeout { during };
        }
        if e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) {
            let inner = e.into_inner().expect("checked above");
            return Error::Tls(*inner.downcast::<rustls::Error>().expect("checked above"));
        }
        if e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            let inner = e.into_inner().expect("checked above");
            return *inner.downcast::<Error>().expect("checked above");
        }
        Error::Io { during, source: e }
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> io::Error {
        match e {
            Error::Io { source, .. } => source,
            Error::Timeout { .. } => io::Error::new(io::ErrorKind::TimedOut, e),
            e => io::Error::other(e),
        }
    }
}
