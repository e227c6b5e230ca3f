//! An owned copy of a response head, built from the events: what the
//! adapters hand their users as `Response` status, reason and headers.

use crate::event::{Event, Header, StatusLine, Version};

/// A response's status line, header fields and trailer fields, owned, in
/// received order and case. The reason and every field live in one
/// buffer — each field as its name's and its value's lengths and then
/// their bytes — so collecting a head costs one allocation, not one per
/// field (nor one for an index beside the bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    version: Version,
    status: u16,
    /// The reason, then the fields: `[name len][value len][name][value]`
    /// each, the lengths as `usize` in native byte order.
    bytes: Vec<u8>,
    reason_len: usize,
    /// Where the trailer fields begin in `bytes` (`usize::MAX`: none yet).
    trailers: usize,
}

/// One length in front of a field's bytes.
const LEN: usize = std::mem::size_of::<usize>();

/// The two lengths in front of each field's bytes.
const FIELD_PREFIX: usize = 2 * LEN;

impl Default for ResponseHead {
    fn default() -> Self {
        ResponseHead {
            version: Version::Http11,
            status: 0,
            bytes: Vec::new(),
            reason_len: 0,
            trailers: usize::MAX,
        }
    }
}

impl ResponseHead {
    /// An empty head, ready to [`record`](Self::record) events.
    pub fn new() -> Self {
        ResponseHead::default()
    }

    /// Forget everything, keeping the allocation.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.status = 0;
        self.reason_len = 0;
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
                self.reason_len = reason.len();
            }
            Event::Header(h) => self.push(h),
            Event::Trailer(h) => {
                if self.trailers == usize::MAX {
                    self.trailers = self.bytes.len();
                }
                self.push(h);
            }
            _ => {}
        }
    }

    /// Take a whole head from [`Connection::poll_head`](crate::Connection::poll_head)
    /// (replacing what was recorded).
    pub fn record_head(&mut self, head: &crate::event::Head<'_>) {
        // Room for the whole head at once: one allocation for a new head,
        // none for a recycled one that is large enough.
        self.clear();
        let text: usize = head
            .headers()
            .map(|h| FIELD_PREFIX + h.name.len() + h.value.len())
            .sum();
        self.bytes.reserve(head.status.reason.len() + text);
        self.record(&Event::StatusLine(head.status));
        for h in head.headers() {
            self.push(&h);
        }
    }

    fn push(&mut self, h: &Header<'_>) {
        self.bytes.extend_from_slice(&h.name.len().to_ne_bytes());
        self.bytes.extend_from_slice(&h.value.len().to_ne_bytes());
        self.bytes.extend_from_slice(h.name);
        self.bytes.extend_from_slice(h.value);
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
        &self.bytes[..self.reason_len]
    }

    /// The reason phrase as text (bytes that are not UTF-8 replaced).
    pub fn reason_text(&self) -> String {
        String::from_utf8_lossy(self.reason()).into_owned()
    }

    /// The fields stored in `bytes[from..to]`, in order.
    fn fields(&self, from: usize, to: usize) -> Fields<'_> {
        Fields {
            bytes: &self.bytes[from..to],
        }
    }

    /// Where the trailer fields begin (the end when there are none).
    fn split(&self) -> usize {
        self.trailers.min(self.bytes.len())
    }

    /// The header fields, in received order and case.
    pub fn headers(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        self.fields(self.reason_len, self.split())
    }

    /// The trailer fields of a chunked body, in received order.
    pub fn trailers(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        self.fields(self.split(), self.bytes.len())
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

/// Fields as [`ResponseHead`] stores them, read front to back.
#[derive(Debug, Clone)]
struct Fields<'a> {
    bytes: &'a [u8],
}

impl<'a> Iterator for Fields<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let (name_len, rest) = self.bytes.split_first_chunk::<LEN>()?;
        let (value_len, rest) = rest.split_first_chunk::<LEN>()?;
        let (name, rest) = rest.split_at(usize::from_ne_bytes(*name_len));
        let (value, rest) = rest.split_at(usize::from_ne_bytes(*value_len));
        self.bytes = rest;
        Some((name, value))
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

    #[test]
    fn a_whole_head_and_its_trailers_read_back_as_they_came() {
        use crate::{Authority, Config, Connection};
        let mut c = Connection::new(Authority::parse("h", 80).unwrap(), Config::default());
        c.request("GET", "/", None, &[] as &[(&str, &str)]).unwrap();
        while c.poll_transmit().is_some() {}
        let long = "v".repeat(300);
        let wire = format!(
            "HTTP/1.1 200 Fine\r\nA: 1\r\nX-Empty:\r\nLong: {long}\r\n\
             Transfer-Encoding: chunked\r\n\r\n0\r\nT: end\r\n\r\n"
        );
        c.handle_data(wire.as_bytes());
        let mut h = ResponseHead::new();
        // A recycled head: what it held before is gone.
        h.record(&Event::StatusLine(StatusLine {
            version: Version::Http10,
            status: 500,
            reason: b"Old",
        }));
        h.record(&Event::Header(Header {
            name: b"Old",
            value: b"x",
        }));
        h.record_head(&c.poll_head().unwrap().unwrap());
        while let Some(ev) = c.poll_event().unwrap() {
            h.record(&ev);
            if matches!(ev, Event::Done(_)) {
                break;
            }
        }
        assert_eq!((h.status(), h.reason()), (200, &b"Fine"[..]));
        let headers: Vec<_> = h.headers().collect();
        assert_eq!(
            headers,
            vec![
                (&b"A"[..], &b"1"[..]),
                (b"X-Empty", b""),
                (b"Long", long.as_bytes()),
                (b"Transfer-Encoding", b"chunked"),
            ]
        );
        assert_eq!(h.header("old"), None);
        assert_eq!(h.header_text("long").unwrap(), long);
        assert_eq!(
            h.trailers().collect::<Vec<_>>(),
            vec![(&b"T"[..], &b"end"[..])]
        );
        // Trailers are not headers.
        assert_eq!(h.header("t"), None);
        h.clear();
        assert_eq!((h.headers().count(), h.trailers().count()), (0, 0));
    }
}
