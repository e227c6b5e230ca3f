//! An owned copy of a response head, built from the events: what the
//! adapters hand their users as `Response` status, reason and headers.

use crate::event::{Event, Header, StatusLine, Version};

/// A response's status line, header fields and trailer fields, owned, in
/// received order and case. Every field's bytes live in one buffer, so
/// collecting a head costs one growing allocation, not one per field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    version: Version,
    status: u16,
    bytes: Vec<u8>,
    reason: (usize, usize),
    /// (name start, name end, value end); the value starts at name end.
    fields: Vec<(usize, usize, usize)>,
    trailers: usize,
}

impl Default for ResponseHead {
    fn default() -> Self {
        ResponseHead {
            version: Version::Http11,
            status: 0,
            bytes: Vec::new(),
            reason: (0, 0),
            fields: Vec::new(),
            trailers: usize::MAX,
        }
    }
}

impl ResponseHead {
    /// An empty head, ready to [`record`](Self::record) events.
    pub fn new() -> Self {
        ResponseHead::default()
    }

    /// Forget everything, keeping the allocations.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.fields.clear();
        self.status = 0;
        self.reason = (0, 0);
        self.version = Version::Http11;
        self.trailers = usize::MAX;
    }

    /// Take note of an event: a status line starts a new head (dropping an
    /// interim one), header and trailer fields are appended; other events
    /// are ignored.
    pub fn record(&mut self, event: &Event<'_>) {
        match event {
            Event::StatusLine(StatusLine {
                version,
                status,
                reason,
            }) => {
                self.clear();
                self.version = *version;
                self.status = *status;
                self.bytes.extend_from_slice(reason);
                self.reason = (0, reason.len());
            }
            Event::Header(h) => self.push(h),
            Event::Trailer(h) => {
                if self.trailers == usize::MAX {
                    self.trailers = self.fields.len();
                }
                self.push(h);
            }
            _ => {}
        }
    }

    /// Take a whole head from [`Connection::poll_head`](crate::Connection::poll_head)
    /// (replacing what was recorded).
    pub fn record_head(&mut self, head: &crate::event::Head<'_>) {
        // Room for the whole head at once: one allocation per vector for
        // a new head, none for a recycled one that is large enough.
        self.clear();
        let text: usize = head.headers().map(|h| h.name.len() + h.value.len()).sum();
        self.bytes.reserve(head.status.reason.len() + text);
        self.fields.reserve(head.headers().len());
        self.record(&Event::StatusLine(head.status));
        for h in head.headers() {
            self.push(&h);
        }
    }

    fn push(&mut self, h: &Header<'_>) {
        let a = self.bytes.len();
        self.bytes.extend_from_slice(h.name);
        let b = self.bytes.len();
        self.bytes.extend_from_slice(h.value);
        self.fields.push((a, b, self.bytes.len()));
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The reason phrase as received.
    pub fn reason(&self) -> &[u8] {
        &self.bytes[self.reason.0..self.reason.1]
    }

    /// The reason phrase as text (bytes that are not UTF-8 replaced).
    pub fn reason_text(&self) -> String {
        String::from_utf8_lossy(self.reason()).into_owned()
    }

    fn split(&self) -> usize {
        self.trailers.min(self.fields.len())
    }

    fn field(&self, &(a, b, c): &(usize, usize, usize)) -> (&[u8], &[u8]) {
        (&self.bytes[a..b], &self.bytes[b..c])
    }

    /// The header fields, in received order and case.
    pub fn headers(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        self.fields[..self.split()].iter().map(|f| self.field(f))
    }

    /// The trailer fields of a chunked body, in received order.
    pub fn trailers(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        self.fields[self.split()..].iter().map(|f| self.field(f))
    }

    /// The value of header `name` (case-insensitive); repeated fields are
    /// joined with `", "` as httplib's `getheader` does. `None` if absent.
    pub fn header(&self, name: &str) -> Option<Vec<u8>> {
        let mut out: Option<Vec<u8>> = None;
        for (n, v) in self.headers() {
            if n.eq_ignore_ascii_case(name.as_bytes()) {
                match &mut out {
                    None => out = Some(v.to_vec()),
                    Some(o) => {
                        o.extend_from_slice(b", ");
                        o.extend_from_slice(v);
                    }
                }
            }
        }
        out
    }

    /// [`header`](Self::header) as text (bytes that are not UTF-8
    /// replaced): what the adapters' `Response::header` returns.
    pub fn header_text(&self, name: &str) -> Option<String> {
        self.header(name)
            .map(|v| String::from_utf8_lossy(&v).into_owned())
    }

    /// The values of every header `name` (case-insensitive), in order.
    pub fn header_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_head_and_trailers() {
        let mut h = ResponseHead::new();
        h.record(&Event::StatusLine(StatusLine {
            version: Version::Http11,
            status: 103,
            reason: b"Early",
        }));
        h.record(&Event::Header(Header {
            name: b"Link",
            value: b"</a>",
        }));
        h.record(&Event::StatusLine(StatusLine {
            version: Version::Http10,
            status: 200,
            reason: b"OK",
        }));
        h.record(&Event::Header(Header {
            name: b"Set-Cookie",
            value: b"a=1",
        }));
        h.record(&Event::Header(Header {
            name: b"X-A",
            value: b"",
        }));
        h.record(&Event::Header(Header {
            name: b"set-cookie",
            value: b"b=2",
        }));
        h.record(&Event::Trailer(Header {
            name: b"Etag",
            value: b"x",
        }));
        assert_eq!(
            (h.status(), h.version(), h.reason()),
            (200, Version::Http10, &b"OK"[..])
        );
        assert_eq!(h.header("SET-COOKIE").as_deref(), Some(&b"a=1, b=2"[..]));
        assert_eq!(h.header("x-a").as_deref(), Some(&b""[..]));
        assert_eq!(h.header("Link"), None);
        assert_eq!(h.headers().count(), 3);
        assert_eq!(
            h.trailers().collect::<Vec<_>>(),
            vec![(&b"Etag"[..], &b"x"[..])]
        );
        assert_eq!(h.header_all("set-cookie").count(), 2);
    }
}
