//! The request head: what the serialiser checks in it, notes about it and
//! writes of it. Shared by the step-by-step commands (`put_request`,
//! `put_header`, `end_headers`), which write into the connection's own
//! buffer, and the one-call ones (`request`, `write_request`), which check
//! the whole head first and then write it in one pass, into the
//! connection's buffer or straight into the caller's.

use std::mem::MaybeUninit;

use bytes::{Bytes, BytesMut};

use crate::authority::host_from_absolute_target;
use crate::chars::{self, Class};
use crate::connection::BodyLength;
use crate::error::{Error, InvalidPart};
use crate::framing::RequestKind;

/// How the body of the request being written is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SendFraming {
    Length { declared: u64, sent: u64 },
    Chunked,
}

/// The framing line `end_headers` adds on the caller's behalf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FramingLine {
    /// `Content-Length: n`.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
}

impl FramingLine {
    /// The longest line: `Content-Length: ` and twenty digits.
    pub(crate) const ROOM: usize = 16 + 20 + 2;

    pub(crate) fn write<S: HeadSink>(self, out: &mut S) {
        match self {
            FramingLine::Length(n) => {
                let mut digits = [0u8; 20];
                let mut i = digits.len();
                let mut v = n;
                loop {
                    i -= 1;
                    digits[i] = b'0' + (v % 10) as u8;
                    v /= 10;
                    if v == 0 {
                        break;
                    }
                }
                write_field(out, b"Content-Length", &digits[i..]);
            }
            FramingLine::Chunked => write_field(out, b"Transfer-Encoding", b"chunked"),
        }
    }
}

/// What the checks noticed in the head being written.
#[derive(Debug, Default, Clone)]
pub(crate) struct HeadFacts {
    /// Range of the automatic Host / Accept-Encoding lines, if written
    /// (offsets from the start of the head).
    pub(crate) auto_host: Option<(usize, usize)>,
    pub(crate) auto_accept_encoding: Option<(usize, usize)>,
    /// The caller put its own `Host` / `Accept-Encoding`.
    pub(crate) host: bool,
    pub(crate) accept_encoding: bool,
    /// The caller's `Content-Length`, and whether it put a
    /// `Transfer-Encoding` (ending in `chunked`).
    content_length: Option<u64>,
    transfer_encoding: bool,
    pub(crate) expect_continue: bool,
    /// POST, PUT or PATCH: a bodiless one says `Content-Length: 0`.
    says_empty_length: bool,
    pub(crate) kind: RequestKind,
}

impl HeadFacts {
    /// Check a request line's method and target; the facts of a head
    /// starting with them.
    #[inline]
    pub(crate) fn start(method: &[u8], target: &[u8]) -> Result<HeadFacts, Error> {
        if !chars::is_token_str(method) {
            return Err(invalid(InvalidPart::Method, method));
        }
        if !chars::is_target(target) {
            return Err(invalid(InvalidPart::Target, target));
        }
        Ok(HeadFacts::for_method(method))
    }

    /// The facts of a head starting with `method` (not checked here).
    #[inline]
    pub(crate) fn for_method(method: &[u8]) -> HeadFacts {
        HeadFacts {
            says_empty_length: matches!(method, b"POST" | b"PUT" | b"PATCH"),
            kind: RequestKind {
                head: method == b"HEAD",
                connect: method == b"CONNECT",
                ..RequestKind::PLAIN
            },
            ..HeadFacts::default()
        }
    }

    /// Check a field, take note of it if it matters to framing or the
    /// connection; the range of the automatic line it replaces, if any
    /// was written.
    #[inline(always)]
    pub(crate) fn check_field(
        &mut self,
        name: &[u8],
        value: &[u8],
    ) -> Result<Option<(usize, usize)>, Error> {
        if !chars::is_token_str(name) || !chars::is_field_value(value) {
            return Err(field_error(name, value));
        }
        if header_matters(name) {
            return self.note(name, value);
        }
        Ok(None)
    }

    /// Take note of a header that [`header_matters`] picked out.
    #[inline(never)]
    pub(crate) fn note(
        &mut self,
        name: &[u8],
        value: &[u8],
    ) -> Result<Option<(usize, usize)>, Error> {
        // One comparison at most: the names that matter differ in length.
        match name.len() {
            4 if chars::token_eq_lower(name, b"host") => {
                if self.host {
                    return Err(invalid(InvalidPart::Framing, b"two Host headers"));
                }
                self.host = true;
                return Ok(self.auto_host.take());
            }
            15 if is_accept_encoding(name) => {
                self.accept_encoding = true;
                return Ok(self.auto_accept_encoding.take());
            }
            14 if chars::token_eq_lower(name, b"content-length") => {
                // 1*DIGIT that fits in a u64, once.
                match chars::parse_decimal(value) {
                    Some(n) if self.content_length.is_none() => self.content_length = Some(n),
                    _ => return Err(invalid(InvalidPart::Framing, value)),
                }
            }
            17 if chars::token_eq_lower(name, b"transfer-encoding") => {
                let last = chars::list_elements(value).last();
                if self.transfer_encoding
                    || !last.is_some_and(|c| c.eq_ignore_ascii_case(b"chunked"))
                {
                    return Err(invalid(InvalidPart::Framing, value));
                }
                self.transfer_encoding = true;
            }
            10 if chars::token_eq_lower(name, b"connection") => {
                for t in chars::list_elements(value) {
                    if t.eq_ignore_ascii_case(b"close") {
                        self.kind.close = true;
                    } else if t.eq_ignore_ascii_case(b"upgrade") {
                        self.kind.upgrade = true;
                    }
                }
            }
            7 if chars::token_eq_lower(name, b"upgrade") => self.kind.upgrade = true,
            6 if chars::token_eq_lower(name, b"expect") => {
                self.expect_continue = value.eq_ignore_ascii_case(b"100-continue");
            }
            _ => {}
        }
        Ok(None)
    }

    /// [`framing`](Self::framing)'s answer is "no body, no framing line"
    /// for the usual bodiless request: no body, no framing field put, a
    /// method that does not announce an empty body (as POST, PUT and
    /// PATCH do). Asked first, so that such a head skips the full decision.
    #[inline(always)]
    pub(crate) fn plain_empty(&self, body: BodyLength) -> bool {
        matches!(body, BodyLength::Empty)
            && self.content_length.is_none()
            && !self.transfer_encoding
            && !self.says_empty_length
    }

    /// How the body is framed once the head ends, given the framing the
    /// caller asks for (`None`: only what the headers put say), and the
    /// framing line to add for it.
    #[inline]
    pub(crate) fn framing(
        &self,
        body: Option<BodyLength>,
    ) -> Result<(Option<SendFraming>, Option<FramingLine>), Error> {
        let declared_len = self.content_length;
        let chunked = self.transfer_encoding;
        if chunked && declared_len.is_some() {
            return Err(invalid(
                InvalidPart::Framing,
                b"Content-Length together with Transfer-Encoding",
            ));
        }
        let mismatch = || {
            invalid(
                InvalidPart::Framing,
                b"declared framing does not match the body",
            )
        };
        let length = |n| SendFraming::Length {
            declared: n,
            sent: 0,
        };
        let (framing, line) = match (declared_len, chunked, body) {
            (Some(n), _, None) => (Some(length(n)), None),
            (Some(n), _, Some(BodyLength::Known(k))) if k == n => (Some(length(n)), None),
            (Some(0), _, Some(BodyLength::Empty)) => (None, None),
            (Some(_), _, Some(_)) => return Err(mismatch()),
            (None, true, None | Some(BodyLength::Unknown)) => (Some(SendFraming::Chunked), None),
            (None, true, Some(_)) => return Err(mismatch()),
            (None, false, None) => (None, None),
            (None, false, Some(BodyLength::Known(n))) => {
                (Some(length(n)), Some(FramingLine::Length(n)))
            }
            (None, false, Some(BodyLength::Unknown)) => {
                (Some(SendFraming::Chunked), Some(FramingLine::Chunked))
            }
            (None, false, Some(BodyLength::Empty)) => (
                None,
                self.says_empty_length.then_some(FramingLine::Length(0)),
            ),
        };
        let framing = match framing {
            Some(SendFraming::Length { declared: 0, .. }) => None,
            f => f,
        };
        Ok((framing, line))
    }
}

/// Where a head is written: the connection's own buffer, the caller's,
/// or a [`Window`] of either.
pub(crate) trait HeadSink {
    fn len(&self) -> usize;
    fn reserve(&mut self, n: usize);
    fn put(&mut self, bytes: &[u8]);
}

/// A buffer a whole head can be written into in one pass: its spare
/// capacity is lent to a [`Window`], and what the window wrote becomes
/// part of the buffer.
pub(crate) trait GrowSink: HeadSink {
    /// Write into at least `room` bytes of spare capacity at the end with
    /// `write`; the bytes it wrote (the window's `len()`) are appended
    /// when it answers `Some`, nothing when it answers `None`.
    fn write_in_spare<T>(
        &mut self,
        room: usize,
        write: impl FnOnce(&mut Window<'_>) -> Option<T>,
    ) -> Option<T>;
}

/// The connection's buffer and the caller's: growable byte buffers with
/// the same inherent methods.
macro_rules! byte_buffer_sink {
    ($($buffer:ty),*) => {$(
        impl HeadSink for $buffer {
            #[inline(always)]
            fn len(&self) -> usize {
                <$buffer>::len(self)
            }
            #[inline(always)]
            fn reserve(&mut self, n: usize) {
                <$buffer>::reserve(self, n)
            }
            #[inline(always)]
            fn put(&mut self, bytes: &[u8]) {
                self.extend_from_slice(bytes)
            }
        }

        impl GrowSink for $buffer {
            #[inline(always)]
            fn write_in_spare<T>(
                &mut self,
                room: usize,
                write: impl FnOnce(&mut Window<'_>) -> Option<T>,
            ) -> Option<T> {
                self.reserve(room);
                let len = self.len();
                let mut w = Window::new(&mut self.spare_capacity_mut()[..room]);
                let out = write(&mut w)?;
                let written = w.len();
                #[allow(unsafe_code)]
                // SAFETY: the first `written` bytes of the spare capacity
                // were written: a `Window` only moves its position past
                // bytes it has just written (`put` through `write_bytes`,
                // `put_checked` through `copy_checked`, each of which
                // writes every byte of the stretch it is given), and
                // `written <= room <= capacity - len`. A head written this
                // way skips zero-filling its room first (why that matters:
                // docs/benchmarks.md).
                unsafe {
                    self.set_len(len + written)
                };
                Some(out)
            }
        }
    )*};
}

byte_buffer_sink!(BytesMut, Vec<u8>);

/// Spare capacity a whole head is written into with fixed-size stores (no
/// call per string, no capacity check per string): its size is worked out
/// before, from the strings the head is made of. Only the bytes before
/// `pos` have been written, every one of them: nothing else moves `pos`
/// (what [`GrowSink::write_in_spare`] relies on).
pub(crate) struct Window<'a> {
    buf: &'a mut [MaybeUninit<u8>],
    pos: usize,
}

impl<'a> Window<'a> {
    pub(crate) fn new(buf: &'a mut [MaybeUninit<u8>]) -> Window<'a> {
        Window { buf, pos: 0 }
    }

    /// Copy `s` and check it against the grammar rule `class` stands for
    /// (tchar for [`Class::Name`], a strict field value for
    /// [`Class::Value`]): the class's fast check while copying, the exact
    /// one only when that fails. Whether `s` is valid.
    #[inline(always)]
    pub(crate) fn put_checked(&mut self, s: &[u8], class: Class) -> bool {
        let dst = &mut self.buf[self.pos..self.pos + s.len()];
        let valid = chars::copy_checked(dst, s, class)
            || match class {
                Class::Name => chars::is_token_str(s),
                Class::Value => chars::is_field_value(s),
                Class::Target => false,
            };
        self.pos += s.len();
        valid
    }
}

impl HeadSink for Window<'_> {
    #[inline(always)]
    fn len(&self) -> usize {
        self.pos
    }
    #[inline(always)]
    fn reserve(&mut self, _: usize) {}
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        chars::write_bytes(&mut self.buf[self.pos..], bytes);
        self.pos += bytes.len();
    }
}

/// Where the automatic `Host` and `Accept-Encoding` lines were written,
/// if they were: offsets from the start of the head.
pub(crate) type AutoLines = (Option<(usize, usize)>, Option<(usize, usize)>);

/// The connection's `Host` value and the tail of the usual request line
/// built from it once.
#[derive(Debug, Clone)]
pub(crate) struct HostLines {
    pub(crate) host_header: String,
    /// What follows the target in the usual request: the version, then
    /// the automatic `Host` and `Accept-Encoding` lines (one copy instead
    /// of five).
    usual_tail: Box<[u8]>,
}

impl HostLines {
    pub(crate) fn new(host_header: String) -> HostLines {
        let usual_tail = [
            VERSION_CRLF,
            HOST_PREFIX,
            host_header.as_bytes(),
            b"\r\n",
            ACCEPT_IDENTITY,
        ]
        .concat()
        .into_boxed_slice();
        HostLines {
            host_header,
            usual_tail,
        }
    }

    /// The request line (checked by [`HeadFacts::start`]), then, if asked
    /// for, the automatic `Host` (from the authority, or from an
    /// absolute-form target) and `Accept-Encoding: identity` lines. Returns
    /// their ranges, as offsets from where the line starts.
    #[inline(always)]
    pub(crate) fn write_request_line<S: HeadSink>(
        &self,
        out: &mut S,
        method: &[u8],
        target: &str,
        host: bool,
        accept_encoding: bool,
    ) -> AutoLines {
        let start = out.len();
        out.put(method);
        out.put(b" ");
        out.put(target.as_bytes());
        self.write_line_tail(out, target, host, accept_encoding, start)
    }

    /// What follows the target: the version, and the automatic lines
    /// asked for (ranges as offsets from `start`).
    #[inline(always)]
    pub(crate) fn write_line_tail<S: HeadSink>(
        &self,
        out: &mut S,
        target: &str,
        host: bool,
        accept_encoding: bool,
        start: usize,
    ) -> AutoLines {
        if host && target.starts_with('/') {
            // The usual request: origin-form, the automatic `Host` line,
            // and `Accept-Encoding: identity` unless the caller sends its
            // own (a client that decodes bodies does).
            let line = out.len() + VERSION_CRLF.len() - start;
            let tail = match accept_encoding {
                true => &self.usual_tail[..],
                false => &self.usual_tail[..self.usual_tail.len() - ACCEPT_IDENTITY.len()],
            };
            out.put(tail);
            let host_end = line + HOST_PREFIX.len() + self.host_header.len() + 2;
            let accept = accept_encoding.then(|| (host_end, out.len() - start));
            (Some((line, host_end)), accept)
        } else {
            self.write_unusual_tail(out, target, host, accept_encoding, start)
        }
    }

    /// The rest of the request line and the automatic lines, for any
    /// request but the usual one (absolute-form target, skipped lines).
    #[inline(never)]
    fn write_unusual_tail<S: HeadSink>(
        &self,
        out: &mut S,
        target: &str,
        host: bool,
        accept_encoding: bool,
        start: usize,
    ) -> AutoLines {
        let mut ranges = (None, None);
        out.put(VERSION_CRLF);
        if host {
            let a = out.len();
            out.put(HOST_PREFIX);
            // Origin-form (the usual `/path`) cannot name another host.
            match (!target.starts_with('/')).then(|| host_from_absolute_target(target)) {
                Some(Some(h)) => out.put(h.as_bytes()),
                _ => out.put(self.host_header.as_bytes()),
            }
            out.put(b"\r\n");
            ranges.0 = Some((a - start, out.len() - start));
        }
        if accept_encoding {
            let a = out.len();
            out.put(ACCEPT_IDENTITY);
            ranges.1 = Some((a - start, out.len() - start));
        }
        ranges
    }

    /// Room for the longest request line and automatic lines `method`
    /// and `target` make (an absolute-form target's host is no longer
    /// than the target).
    pub(crate) fn room(&self, method: &[u8], target: &str) -> usize {
        method.len() + 2 * target.len() + self.usual_tail.len() + 1
    }
}

/// `name: value\r\n`.
#[inline(always)]
pub(crate) fn write_field<S: HeadSink>(out: &mut S, name: &[u8], value: &[u8]) {
    out.put(name);
    out.put(b": ");
    out.put(value);
    out.put(b"\r\n");
}

/// Why a field failed [`HeadFacts::check_field`]'s first check.
#[cold]
#[inline(never)]
pub(crate) fn field_error(name: &[u8], value: &[u8]) -> Error {
    if !chars::is_token_str(name) {
        invalid(InvalidPart::HeaderName, name)
    } else {
        invalid(InvalidPart::HeaderValue, value)
    }
}

pub(crate) fn invalid(part: InvalidPart, bytes: &[u8]) -> Error {
    Error::InvalidRequest {
        part,
        bytes: Bytes::copy_from_slice(bytes),
    }
}

/// Whether the request header `name` is `Accept-Encoding` (any case).
#[inline(always)]
pub(crate) fn is_accept_encoding(name: &[u8]) -> bool {
    name.len() == 15 && chars::token_eq_lower(name, b"accept-encoding")
}

/// Whether the request header `name` may be one `note` acts on: its
/// length, first and last letters are those of one of them (so that
/// `Accept-Language` beside `Accept-Encoding`, or `Content-Type` beside
/// `Connection`, costs no call). Every name `note` matches must pass here
/// (the request tests put each one; a name missing here would be written
/// without being acted on).
#[inline(always)]
pub(crate) fn header_matters(name: &[u8]) -> bool {
    let (Some(&first), Some(&last)) = (name.first(), name.last()) else {
        return false;
    };
    matches!(
        (name.len(), first | 0x20, last | 0x20),
        (4, b'h', b't')
            | (15, b'a', b'g')
            | (14, b'c', b'h')
            | (17, b't', b'g')
            | (10, b'c', b'n')
            | (7, b'u', b'e')
            | (6, b'e', b't')
    )
}

const VERSION_CRLF: &[u8] = b" HTTP/1.1\r\n";
const HOST_PREFIX: &[u8] = b"Host: ";
const ACCEPT_IDENTITY: &[u8] = b"Accept-Encoding: identity\r\n";

#[cfg(test)]
mod tests {
    use super::*;

    /// Every name `note` acts on passes the quick filter in any case; the
    /// usual neighbours of the same length and first letter do not.
    #[test]
    fn header_matters_lets_through_every_name_note_acts_on() {
        for name in [
            "host",
            "accept-encoding",
            "content-length",
            "transfer-encoding",
            "connection",
            "upgrade",
            "expect",
        ] {
            let upper = name.to_ascii_uppercase();
            let title: String = name
                .split('-')
                .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
                .collect::<Vec<_>>()
                .join("-");
            for n in [name, upper.as_str(), title.as_str()] {
                assert!(header_matters(n.as_bytes()), "{n}");
            }
        }
        for n in ["Accept-Language", "Content-Type", "Hoss", "Expire", "X", ""] {
            assert!(!header_matters(n.as_bytes()), "{n}");
        }
    }
}
