//! The one error type of the engine, with the names httplib users know.

use bytes::Bytes;
use core::fmt;

/// Which length limit of [`Limits`](crate::Limits) a line or section exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// [`Limits::max_status_line`](crate::Limits::max_status_line).
    StatusLine,
    /// [`Limits::max_header_line`](crate::Limits::max_header_line).
    HeaderLine,
    /// [`Limits::max_head_bytes`](crate::Limits::max_head_bytes).
    HeadBytes,
    /// [`Limits::max_headers`](crate::Limits::max_headers).
    HeaderCount,
    /// [`Limits::max_chunk_line`](crate::Limits::max_chunk_line).
    ChunkLine,
    /// [`Limits::max_chunk_ext_bytes`](crate::Limits::max_chunk_ext_bytes).
    ChunkExtensions,
    /// [`Limits::max_trailer_bytes`](crate::Limits::max_trailer_bytes).
    TrailerBytes,
    /// [`Limits::max_trailers`](crate::Limits::max_trailers).
    TrailerCount,
    /// [`Limits::max_interim_responses`](crate::Limits::max_interim_responses).
    InterimResponses,
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LimitKind::StatusLine => "status line length",
            LimitKind::HeaderLine => "header line length",
            LimitKind::HeadBytes => "response head size",
            LimitKind::HeaderCount => "header count",
            LimitKind::ChunkLine => "chunk-size line length",
            LimitKind::ChunkExtensions => "chunk extension bytes",
            LimitKind::TrailerBytes => "trailer section size",
            LimitKind::TrailerCount => "trailer count",
            LimitKind::InterimResponses => "interim (1xx) response count",
        })
    }
}

/// How far an exchange got before it failed: what a caller needs to decide
/// whether repeating the request is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetrySafety {
    /// Not one byte of the request was handed out for transmission: always
    /// safe to send it again, on a new connection.
    NothingSent,
    /// The request was handed out but not one byte of its response arrived.
    /// Safe for idempotent requests, and the usual sign of a kept-alive
    /// connection the server had already closed (RFC 9112 §9.3.1).
    NoResponse,
    /// Part of the response arrived: the server acted on the request.
    /// Repeating it is not safe without knowing the request is idempotent
    /// and the caller agreeing.
    PartialResponse,
}

/// Why a request was refused before anything was serialised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidPart {
    /// The method is empty or not a token.
    Method,
    /// The request target is empty or holds SP, a control byte or a non-ASCII byte.
    Target,
    /// A header name is empty or not a token.
    HeaderName,
    /// A header value holds CR, LF, NUL or another control byte.
    HeaderValue,
    /// Two `Host` headers, `Content-Length` together with
    /// `Transfer-Encoding`, a `Transfer-Encoding` that does not end in
    /// `chunked`, or an unparsable `Content-Length`.
    Framing,
}

impl fmt::Display for InvalidPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InvalidPart::Method => "method",
            InvalidPart::Target => "request target",
            InvalidPart::HeaderName => "header name",
            InvalidPart::HeaderValue => "header value",
            InvalidPart::Framing => "framing headers",
        })
    }
}

/// Shows bytes from the wire as an escaped string, at most 80 bytes of them.
pub struct Escaped<'a>(pub &'a [u8]);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 80;
        f.write_str("\"")?;
        for &b in self.0.iter().take(MAX) {
            for c in core::ascii::escape_default(b) {
                fmt::Write::write_char(f, c as char)?;
            }
        }
        if self.0.len() > MAX {
            write!(f, "\"... ({} bytes)", self.0.len())
        } else {
            f.write_str("\"")
        }
    }
}

/// Everything that can go wrong, on the wire or in the caller's use of the
/// engine. Variants carry httplib's names where httplib has one; each holds
/// the offending bytes or position so that a log line tells what was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The status line is missing or malformed (httplib's `BadStatusLine`).
    #[error("bad status line {}: {reason}", Escaped(line))]
    BadStatusLine {
        /// The line as received (possibly cut short by the end of the stream).
        line: Bytes,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The server closed the connection before sending a single byte of the
    /// response (http.client's `RemoteDisconnected`, a `BadStatusLine`).
    #[error("remote end closed the connection without a response ({retry:?})")]
    RemoteDisconnected {
        /// Whether sending the request again is safe.
        retry: RetrySafety,
    },
    /// The status line names a protocol other than HTTP/1.x.
    #[error("unknown protocol {}", Escaped(version))]
    UnknownProtocol {
        /// The version field as received.
        version: Bytes,
    },
    /// The response uses a transfer coding the engine cannot decode.
    #[error("unknown transfer encoding {}", Escaped(value))]
    UnknownTransferEncoding {
        /// The `Transfer-Encoding` value(s) as received.
        value: Bytes,
    },
    /// The connection ended before the message was complete.
    #[error("incomplete read: {received} body bytes received, {} more expected",
        expected.map_or_else(|| "an unknown number of".to_string(), |e| e.to_string()))]
    IncompleteRead {
        /// Body bytes of the current read that were received: the engine
        /// hands body bytes out as they arrive, so it leaves this empty; the
        /// adapters fill it with what the failing read call had collected.
        partial: Bytes,
        /// Body bytes received in all.
        received: u64,
        /// How many more bytes the framing promised, when it says.
        expected: Option<u64>,
    },
    /// A body delimited by the close of the connection ended with a close
    /// that lacked the transport's own end marker — a TLS connection closed
    /// without `close_notify` — so nothing says the body is complete: anyone
    /// on the path can cut such a body short that way (the TLS truncation
    /// attack). An `IncompleteRead` by another cause.
    #[error("incomplete read: the connection closed without TLS close_notify after {received} body bytes, and the body is delimited by the close: it may have been cut short")]
    TruncatedBody {
        /// Body bytes of the current read call (see `IncompleteRead`).
        partial: Bytes,
        /// Body bytes received in all.
        received: u64,
    },
    /// A request was started on a connection that is closed or unusable.
    #[error("not connected: {reason}")]
    NotConnected {
        /// Why the connection cannot carry a request.
        reason: &'static str,
    },
    /// The proxy answered a CONNECT with something other than 2xx
    /// (httplib: "Tunnel connection failed").
    #[error("proxy refused the tunnel: {status} {reason}")]
    TunnelRefused {
        /// The proxy's status code.
        status: u16,
        /// Its reason phrase (lossy UTF-8).
        reason: String,
    },
    /// A `host:port` string or URL could not be used.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidURL {
        /// The string as given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// `put_request` while another request is being sent, or while a
    /// response is outstanding and pipelining is off (an
    /// `ImproperConnectionState`).
    #[error("cannot send request: connection is in state {state}")]
    CannotSendRequest {
        /// The state the connection was in.
        state: &'static str,
    },
    /// `put_header` or `end_headers` outside a request head (an
    /// `ImproperConnectionState`).
    #[error("cannot send header: connection is in state {state}")]
    CannotSendHeader {
        /// The state the connection was in.
        state: &'static str,
    },
    /// A response was asked for while no request has been sent (an
    /// `ImproperConnectionState`).
    #[error("response not ready: connection is in state {state}")]
    ResponseNotReady {
        /// The state the connection was in.
        state: &'static str,
    },
    /// Body data, or the end of a body, where no body is due: before the
    /// head ended, or after a request without a body (an
    /// `ImproperConnectionState`; httplib had no name for it).
    #[error("cannot send body: connection is in state {state}")]
    CannotSendBody {
        /// The state the connection was in.
        state: &'static str,
    },
    /// A line of the response (the status line, a field line, a
    /// chunk-size line) is longer than its configured limit (httplib's
    /// `LineTooLong`).
    #[error("{kind} exceeds the limit of {limit}")]
    LineTooLong {
        /// Which limit: [`LimitKind::StatusLine`],
        /// [`LimitKind::HeaderLine`] or [`LimitKind::ChunkLine`].
        kind: LimitKind,
        /// The configured value.
        limit: usize,
    },
    /// The response exceeded a configured limit that is not a line's
    /// length: the head's or the trailers' size, the number of fields, of
    /// interim responses, the bytes of chunk extensions.
    #[error("{kind} exceeds the limit of {limit}")]
    LimitExceeded {
        /// Which limit.
        kind: LimitKind,
        /// The configured value.
        limit: usize,
    },
    /// A header field line of the response is malformed.
    #[error("invalid header line {} at byte {position}: {reason}", Escaped(line))]
    InvalidHeader {
        /// The line as received.
        line: Bytes,
        /// Offset of the offending byte within the line.
        position: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The chunked framing of the response body is malformed.
    #[error("invalid chunk {}: {reason}", Escaped(line))]
    InvalidChunk {
        /// The bytes at fault (the size line, or what followed the data).
        line: Bytes,
        /// What is wrong with them.
        reason: &'static str,
    },
    /// The response breaks HTTP/1.1 framing rules in a way no header line
    /// alone shows (101 without an Upgrade request, chunked applied twice,
    /// Transfer-Encoding in an HTTP/1.0 response, ...).
    #[error("protocol error: {reason}")]
    ProtocolError {
        /// What was violated.
        reason: &'static str,
    },
    /// The caller asked to serialise something that could split or smuggle
    /// a message; nothing was written.
    #[error("refusing to send invalid {part} {}", Escaped(bytes))]
    InvalidRequest {
        /// Which part of the request.
        part: InvalidPart,
        /// The offending bytes.
        bytes: Bytes,
    },
    /// The body sent does not match the length the head declared.
    #[error("request body length mismatch: declared {declared}, sent {sent}")]
    BodyLengthMismatch {
        /// The declared `Content-Length`.
        declared: u64,
        /// What the caller sent (or tried to send).
        sent: u64,
    },
}

impl Error {
    /// The error's name as a user of Python's http.client knows it
    /// (`"BadStatusLine"`, `"IncompleteRead"`, ...), or this crate's own
    /// name where http.client has none.
    pub fn name(&self) -> &'static str {
        match self {
            Error::BadStatusLine { .. } => "BadStatusLine",
            Error::RemoteDisconnected { .. } => "RemoteDisconnected",
            Error::UnknownProtocol { .. } => "UnknownProtocol",
            Error::UnknownTransferEncoding { .. } => "UnknownTransferEncoding",
            Error::IncompleteRead { .. } => "IncompleteRead",
            Error::TruncatedBody { .. } => "TruncatedBody",
            Error::NotConnected { .. } => "NotConnected",
            Error::TunnelRefused { .. } => "TunnelRefused",
            Error::InvalidURL { .. } => "InvalidURL",
            Error::CannotSendRequest { .. } => "CannotSendRequest",
            Error::CannotSendHeader { .. } => "CannotSendHeader",
            Error::ResponseNotReady { .. } => "ResponseNotReady",
            Error::CannotSendBody { .. } => "CannotSendBody",
            Error::LineTooLong { .. } => "LineTooLong",
            Error::LimitExceeded { .. } => "LimitExceeded",
            Error::InvalidHeader { .. } => "InvalidHeader",
            Error::InvalidChunk { .. } => "InvalidChunk",
            Error::ProtocolError { .. } => "ProtocolError",
            Error::InvalidRequest { .. } => "InvalidRequest",
            Error::BodyLengthMismatch { .. } => "BodyLengthMismatch",
        }
    }

    /// True for httplib's `ImproperConnectionState` family:
    /// `CannotSendRequest`, `CannotSendHeader`, `ResponseNotReady`, and
    /// `CannotSendBody`.
    pub fn is_improper_connection_state(&self) -> bool {
        matches!(
            self,
            Error::CannotSendRequest { .. }
                | Error::CannotSendHeader { .. }
                | Error::ResponseNotReady { .. }
                | Error::CannotSendBody { .. }
        )
    }

    /// True when the peer sent something the engine rejects (as opposed to
    /// a misuse by the caller or an invalid request).
    pub fn is_remote(&self) -> bool {
        matches!(
            self,
            Error::BadStatusLine { .. }
                | Error::RemoteDisconnected { .. }
                | Error::UnknownProtocol { .. }
                | Error::UnknownTransferEncoding { .. }
                | Error::IncompleteRead { .. }
                | Error::TruncatedBody { .. }
                | Error::LineTooLong { .. }
                | Error::LimitExceeded { .. }
                | Error::InvalidHeader { .. }
                | Error::InvalidChunk { .. }
                | Error::ProtocolError { .. }
        )
    }

    /// For `IncompleteRead`: the same error carrying `partial`, the body
    /// bytes a read call had collected (httplib's `partial`); any other
    /// error unchanged. The adapters' whole-body reads use this.
    pub fn with_partial(self, partial: Bytes) -> Error {
        match self {
            Error::IncompleteRead {
                received, expected, ..
            } => Error::IncompleteRead {
                partial,
                received,
                expected,
            },
            Error::TruncatedBody { received, .. } => Error::TruncatedBody { partial, received },
            e => e,
        }
    }

    /// Whether repeating the request that failed is safe, for errors that
    /// end an exchange on the wire; `None` for misuse and refusals, which
    /// sent nothing and need a fix rather than a retry.
    pub fn retry_safety(&self) -> Option<RetrySafety> {
        match self {
            Error::RemoteDisconnected { retry } => Some(*retry),
            Error::NotConnected { .. } => Some(RetrySafety::NothingSent),
            e if e.is_remote() => Some(RetrySafety::PartialResponse),
            _ => None,
        }
    }
}
