//! What the engine reports about a response: the events and their parts.

use bytes::Bytes;

/// The HTTP version of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// An HTTP/0.9 simple response (lenient mode), or a status line claiming 0.9.
    Http09,
    /// HTTP/1.0.
    Http10,
    /// HTTP/1.1 (and any later HTTP/1.x minor version).
    Http11,
}

impl Version {
    /// The version as httplib reports it: 9, 10 or 11.
    pub fn as_httplib(self) -> u8 {
        match self {
            Version::Http09 => 9,
            Version::Http10 => 10,
            Version::Http11 => 11,
        }
    }

    /// `"HTTP/0.9"`, `"HTTP/1.0"` or `"HTTP/1.1"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::Http09 => "HTTP/0.9",
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
        }
    }
}

/// A status line: of an interim (1xx) or a final response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusLine<'a> {
    /// The protocol version.
    pub version: Version,
    /// The status code, 100 to 999.
    pub status: u16,
    /// The reason phrase as received (may be empty, may hold obs-text).
    pub reason: &'a [u8],
}

/// A header or trailer field, as received: the name in its original case,
/// the value without surrounding whitespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    /// The field name, as received.
    pub name: &'a [u8],
    /// The field value, OWS-trimmed (and, in lenient mode, unfolded).
    pub value: &'a [u8],
}

/// How the body of the response whose head just ended is delimited
/// (RFC 9112 §6.3), or what else follows the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// The head was an interim (1xx) response: another head follows.
    Interim,
    /// No body: HEAD, 204, 304, or `Content-Length: 0`.
    Empty,
    /// A body of exactly this many bytes.
    Length(u64),
    /// A chunked body.
    Chunked,
    /// A body that ends when the server closes the connection.
    UntilClose,
    /// 101 Switching Protocols, or a 2xx answer to CONNECT: after this head
    /// the byte stream belongs to the caller
    /// ([`Connection::take_leftover`](crate::Connection::take_leftover)).
    Switched,
}

/// What the engine tells the application, in order, for each response.
///
/// A response is `StatusLine`, `Header`*, `EndOfHead`, then (unless the
/// framing is `Interim`) `BodyChunk`*, `Trailer`*, `Done`. Field events
/// borrow from the connection's buffer; body chunks are zero-copy `Bytes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<'a> {
    /// The status line of an interim or final response.
    StatusLine(StatusLine<'a>),
    /// One header field line.
    Header(Header<'a>),
    /// The head is complete; how the body is framed.
    EndOfHead(Framing),
    /// Body bytes, framing removed.
    BodyChunk(Bytes),
    /// One trailer field of a chunked body.
    Trailer(Header<'a>),
    /// The response is complete.
    Done(Done),
}

/// The end of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// Aligned like the other events' contents: a one-byte `Done` would sit at
// offset 1 of `Event`, and every move of an `Event` (a `BodyChunk` too)
// would then copy bytes 1 to 40 in unaligned blocks, each spanning the
// fields just written one by one — a stall per move (docs/benchmarks.md).
#[repr(align(8))]
pub struct Done {
    /// Whether the response's own semantics allow another request on this
    /// connection (version, `Connection` tokens, framing). Bytes that arrive
    /// later can still make the connection unusable: ask
    /// [`Connection::is_reusable`](crate::Connection::is_reusable) before reuse.
    pub reusable: bool,
}

/// A complete response head at once, from
/// [`Connection::poll_head`](crate::Connection::poll_head): what the
/// `StatusLine`, `Header` and `EndOfHead` events would have said, in one
/// value that borrows the connection's buffer.
#[derive(Debug, Clone, Copy)]
pub struct Head<'a> {
    /// The status line.
    pub status: StatusLine<'a>,
    /// How the body is framed (or `Interim` for a 1xx head).
    pub framing: Framing,
    buf: &'a [u8],
    fields: &'a [crate::section::Field],
    fold: &'a [u8],
}

impl<'a> Head<'a> {
    pub(crate) fn new(
        status: StatusLine<'a>,
        framing: Framing,
        buf: &'a [u8],
        fields: &'a [crate::section::Field],
        fold: &'a [u8],
    ) -> Self {
        Head {
            status,
            framing,
            buf,
            fields,
            fold,
        }
    }

    /// The header fields in received order and case.
    pub fn headers(&self) -> impl ExactSizeIterator<Item = Header<'a>> + 'a {
        let (buf, fold) = (self.buf, self.fold);
        self.fields.iter().map(move |f| f.header(buf, fold))
    }

    /// The value of the first field named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.headers()
            .find(|h| h.name.eq_ignore_ascii_case(name.as_bytes()))
            .map(|h| h.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Done` keeps the alignment of the other events' contents, so that
    /// no `Event` variant places its contents at offset 1 (see `Done`).
    #[test]
    fn done_is_aligned_like_the_other_event_contents() {
        let done = std::mem::align_of::<Done>();
        assert_eq!(done, 8);
        assert!(done >= std::mem::align_of::<Framing>());
        assert!(done >= std::mem::align_of::<StatusLine<'_>>());
        assert!(done >= std::mem::align_of::<Header<'_>>());
        assert!(done >= std::mem::align_of::<Bytes>());
    }
}
