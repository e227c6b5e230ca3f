//! The error every adapter returns: the engine's, or what the socket, the
//! clock or TLS said, or the client layer's own (a request it would not
//! send twice).

use std::io;

/// Everything an exchange can fail with, in any adapter.
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
    /// The whole request's deadline ran out (see
    /// [`Deadline`](crate::Deadline)), in the phase named.
    #[error("the request's deadline of {limit:?} ran out while {during}")]
    DeadlineExceeded {
        /// What the request was doing: waiting for a pooled connection,
        /// connecting, the TLS handshake, sending the request, waiting for
        /// the response, reading the body, ...
        during: &'static str,
        /// The deadline, counted from the request's start.
        limit: std::time::Duration,
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
    /// The connection failed after the request was sent and before any of
    /// its response arrived, and the request was not sent again because
    /// repeating it could act twice (RFC 9110 §9.2.2): the server may or
    /// may not have processed it. Mark a request idempotent (an
    /// `Idempotency-Key` header, or [`Retries`](crate::Retries)) to let it
    /// be retried.
    #[error("{method} {target}: the connection failed after the request was sent and before any response; the server may or may not have processed it (not retried: {method} is not idempotent): {source}")]
    MaybeProcessed {
        /// The request's method.
        method: String,
        /// The request's target.
        target: String,
        /// How the connection failed.
        #[source]
        source: Box<Error>,
    },
    /// A whole-body read went past its cap (`read_to_vec`): the body is
    /// larger than the caller agreed to hold in memory.
    #[error("the response body is larger than the {limit}-byte cap of a whole-body read")]
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// A body's `Content-Encoding` stream is corrupt, or ended before it
    /// was complete: what was decoded is not the whole body.
    #[error("the {coding} body cannot be decoded: {reason}")]
    Decode {
        /// The coding (`gzip`, `deflate`, `br`, `zstd`).
        coding: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A body decodes to more than allowed, in all or per encoded byte
    /// (see `DecodeLimits`).
    #[error("the {coding} body decodes past its limits ({decoded} bytes from {encoded}): refused as a decompression bomb")]
    DecompressionBomb {
        /// The coding.
        coding: &'static str,
        /// Bytes decoded when it was stopped.
        decoded: u64,
        /// Bytes received by then.
        encoded: u64,
    },
    /// A redirect led back to a URL already requested.
    #[error("redirect loop: {}", .chain.join(" -> "))]
    RedirectLoop {
        /// Every URL of the chain, the repeated one last.
        chain: Vec<String>,
    },
    /// More redirects than allowed.
    #[error("more than {limit} redirects: {}", .chain.join(" -> "))]
    TooManyRedirects {
        /// How many were allowed.
        limit: usize,
        /// Every URL of the chain, the one not followed last.
        chain: Vec<String>,
    },
    /// A redirect that is not followed on principle (from `https` to
    /// `http`, unless allowed).
    #[error("redirect from {from} to {to} refused: {reason}")]
    RedirectRefused {
        /// The URL that answered with the redirect.
        from: String,
        /// Where it pointed.
        to: String,
        /// Why it is not followed.
        reason: &'static str,
    },
    /// A SOCKS5 proxy's handshake failed: the proxy refused, asked for
    /// what it was not given, or did not speak SOCKS5.
    #[error("SOCKS5 proxy: {reason}")]
    Socks {
        /// What went wrong.
        reason: &'static str,
    },
    /// A proxy URL could not be used.
    #[error("invalid proxy {url:?}: {reason}")]
    InvalidProxy {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl Error {
    /// The error's name: the engine's variant name (httplib's where it has
    /// one), or `Timeout`, `ConnectionRefused`, `ConnectionReset`,
    /// `CertificateError`, `TlsError`, `IoError`, ...
    pub fn name(&self) -> &'static str {
        match self {
            Error::Http(e) => e.name(),
            Error::Timeout { .. } => "Timeout",
            Error::DeadlineExceeded { .. } => "DeadlineExceeded",
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
            Error::MaybeProcessed { .. } => "MaybeProcessed",
            Error::InvalidProxy { .. } => "InvalidProxy",
            Error::Socks { .. } => "SocksError",
            Error::BodyTooLarge { .. } => "BodyTooLarge",
            Error::Decode { .. } => "DecodeError",
            Error::DecompressionBomb { .. } => "DecompressionBomb",
            Error::RedirectLoop { .. } => "RedirectLoop",
            Error::TooManyRedirects { .. } => "TooManyRedirects",
            Error::RedirectRefused { .. } => "RedirectRefused",
        }
    }

    /// Whether this error says the connection itself failed under the
    /// request (the server closed or reset it, a write found it broken):
    /// the one kind of failure a retry on a new connection may cure. How
    /// far the request got is the engine's to say
    /// ([`retry_safety`](httpcore::Connection::retry_safety)); whether it
    /// may go again is [`crate::retry`]'s.
    pub fn connection_failed(&self) -> bool {
        match self {
            Error::Http(httpcore::Error::RemoteDisconnected { .. }) => true,
            Error::Io { source, .. } => matches!(
                source.kind(),
                io::ErrorKind::ConnectionReset
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::UnexpectedEof
            ),
            _ => false,
        }
    }

    /// For a body cut short (`IncompleteRead`, `TruncatedBody`): the same
    /// error carrying `partial`, the bytes a whole-body read had collected
    /// (httplib's `partial`); any other error unchanged.
    pub fn with_partial(self, partial: bytes::Bytes) -> Error {
        match self {
            Error::Http(e) => Error::Http(e.with_partial(partial)),
            e => e,
        }
    }

    /// Sort an I/O error met while `during`: timeouts and TLS failures get
    /// their own variants (every adapter sorts its I/O errors here).
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
            Error::Timeout { .. } | Error::DeadlineExceeded { .. } => {
                io::Error::new(io::ErrorKind::TimedOut, e)
            }
            e => io::Error::other(e),
        }
    }
}
