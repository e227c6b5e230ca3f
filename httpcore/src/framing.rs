//! Message framing and connection persistence, decided once per head from
//! the fields that matter (RFC 9112 §6.3 and §9.3).

use bytes::Bytes;

use crate::chars;
use crate::error::Error;
use crate::event::{Framing, Version};

/// What the engine knows of the request a response answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct RequestKind {
    /// The method was HEAD: the response has no body.
    pub head: bool,
    /// The method was CONNECT: a 2xx answer opens a tunnel.
    pub connect: bool,
    /// The request carried `Upgrade`: a 101 answer is legitimate.
    pub upgrade: bool,
    /// The request carried `Connection: close`.
    pub close: bool,
}

impl RequestKind {
    /// A plain request: GET and friends.
    pub(crate) const PLAIN: RequestKind = RequestKind {
        head: false,
        connect: false,
        upgrade: false,
        close: false,
    };
}

/// A `Content-Length` as seen so far across all its field lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum ContentLength {
    #[default]
    Absent,
    Valid(u64),
    /// Unparsable or conflicting: the bytes at fault.
    Invalid(Bytes, &'static str),
}

/// The facts of one head that framing and persistence depend on, gathered
/// field by field as the head is parsed.
#[derive(Debug, Clone, Default)]
pub(crate) struct FramingFacts {
    pub version: Option<Version>,
    pub status: u16,
    content_length: ContentLength,
    /// Transfer-Encoding seen at all, and its raw value (first line).
    te: Option<Bytes>,
    te_codings: u32,
    te_chunked: u32,
    te_last_chunked: bool,
    te_unknown: bool,
    close: bool,
    keep_alive: bool,
}

/// Codings a client may see before the final `chunked` and still frame the
/// body: the caller decodes them (they are left in the body as sent).
const KNOWN_CODINGS: &[&[u8]] = &[
    b"gzip",
    b"x-gzip",
    b"deflate",
    b"compress",
    b"x-compress",
    b"br",
    b"zstd",
];

/// The fields [`FramingFacts::observe`] takes note of (compared without
/// regard to case), and their lengths, which turn every other name away.
const CONNECTION: &[u8] = b"connection";
const CONTENT_LENGTH: &[u8] = b"content-length";
const TRANSFER_ENCODING: &[u8] = b"transfer-encoding";
const CONNECTION_LEN: usize = CONNECTION.len();
const CONTENT_LENGTH_LEN: usize = CONTENT_LENGTH.len();
const TRANSFER_ENCODING_LEN: usize = TRANSFER_ENCODING.len();

impl FramingFacts {
    /// Whether a field name `len` bytes long can be one [`observe`]
    /// takes note of (`Connection`, `Content-Length`,
    /// `Transfer-Encoding`); [`observe`] ignores every other.
    ///
    /// [`observe`]: Self::observe
    #[inline(always)]
    pub(crate) fn may_observe(len: usize) -> bool {
        matches!(
            len,
            CONNECTION_LEN | CONTENT_LENGTH_LEN | TRANSFER_ENCODING_LEN
        )
    }

    /// Take note of one header field. Called for every field of every
    /// head: the length and the first letter turn most names away before
    /// any comparison.
    #[inline(always)]
    pub(crate) fn observe(&mut self, name: &[u8], value: &[u8]) {
        match (name.len(), name[0] | 0x20) {
            (CONNECTION_LEN, b'c') if chars::token_eq_lower(name, CONNECTION) => {
                self.observe_connection(value)
            }
            (CONTENT_LENGTH_LEN, b'c') if chars::token_eq_lower(name, CONTENT_LENGTH) => {
                self.observe_length(value)
            }
            (TRANSFER_ENCODING_LEN, b't') if chars::token_eq_lower(name, TRANSFER_ENCODING) => {
                self.observe_te(value)
            }
            _ => {}
        }
    }

    #[inline]
    fn observe_connection(&mut self, value: &[u8]) {
        // The usual values whole, then any list. `token_eq_lower` is exact
        // here though a value is not a token: folding bit 0x20 matches a
        // letter with its capital only, and `-` with CR, which never
        // reaches a value (it ends the line or is refused).
        if value.len() == 10 && chars::token_eq_lower(value, b"keep-alive") {
            self.keep_alive = true;
        } else if value.len() == 5 && chars::token_eq_lower(value, b"close") {
            self.close = true;
        } else {
            self.observe_connection_list(value);
        }
    }

    #[inline(never)]
    fn observe_connection_list(&mut self, value: &[u8]) {
        for token in chars::list_elements(value) {
            if token.eq_ignore_ascii_case(b"close") {
                self.close = true;
            } else if token.eq_ignore_ascii_case(b"keep-alive") {
                self.keep_alive = true;
            }
        }
    }

    #[inline]
    fn observe_length(&mut self, value: &[u8]) {
        // Fast path: one plain number, the first time.
        if let ContentLength::Absent = self.content_length {
            if !value.is_empty() && value.len() <= 19 && value.iter().all(u8::is_ascii_digit) {
                let n = value
                    .iter()
                    .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
                self.content_length = ContentLength::Valid(n);
                return;
            }
        }
        self.observe_length_list(value)
    }

    #[inline(never)]
    fn observe_length_list(&mut self, value: &[u8]) {
        if matches!(self.content_length, ContentLength::Invalid(..)) {
            return;
        }
        let invalid = |why| {
            ContentLength::Invalid(Bytes::from([&b"Content-Length: "[..], value].concat()), why)
        };
        // A list of identical values is one value (RFC 9110 §8.6); an
        // empty element anywhere makes the field invalid.
        for element in value.split(|&b| b == b',') {
            let element = chars::trim_ows(element);
            if element.is_empty() || !element.iter().all(u8::is_ascii_digit) {
                self.content_length = invalid("Content-Length is not a number");
                return;
            }
            // Digits only: `None` is an overflow.
            let Some(n) = chars::parse_decimal(element) else {
                self.content_length = invalid("Content-Length overflows 64 bits");
                return;
            };
            match self.content_length {
                ContentLength::Absent => self.content_length = ContentLength::Valid(n),
                ContentLength::Valid(m) if m == n => {}
                _ => {
                    self.content_length = invalid("conflicting Content-Length values");
                    return;
                }
            }
        }
    }

    #[inline(never)]
    fn observe_te(&mut self, value: &[u8]) {
        if self.te.is_none() {
            self.te = Some(Bytes::copy_from_slice(value));
        }
        for coding in chars::list_elements(value) {
            self.te_codings += 1;
            if coding.eq_ignore_ascii_case(b"chunked") {
                self.te_chunked += 1;
                self.te_last_chunked = true;
            } else {
                self.te_last_chunked = false;
                if !KNOWN_CODINGS.iter().any(|k| coding.eq_ignore_ascii_case(k)) {
                    self.te_unknown = true;
                }
            }
        }
    }
}

/// The outcome of [`decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decision {
    pub framing: Framing,
    /// The response's own semantics allow reusing the connection.
    pub reusable: bool,
}

/// Decide how the body of the head described by `facts` is framed, and
/// whether the connection persists after it.
#[inline]
pub(crate) fn decide(facts: &FramingFacts, req: RequestKind) -> Result<Decision, Error> {
    let version = facts.version.unwrap_or(Version::Http11);
    let persistent = !req.close
        && !facts.close
        && match version {
            Version::Http11 => true,
            Version::Http10 => facts.keep_alive,
            Version::Http09 => false,
        };
    let done = |framing, reusable| Ok(Decision { framing, reusable });
    let status = facts.status;
    if status == 101 {
        if !req.upgrade {
            return Err(Error::ProtocolError {
                reason: "101 Switching Protocols answers a request without Upgrade",
            });
        }
        return done(Framing::Switched, false);
    }
    if (100..200).contains(&status) {
        return done(Framing::Interim, persistent);
    }
    if req.connect && (200..300).contains(&status) {
        return done(Framing::Switched, false);
    }
    if req.head || status == 204 || status == 304 {
        return done(Framing::Empty, persistent);
    }
    if let Some(raw) = &facts.te {
        if version == Version::Http10 || version == Version::Http09 {
            return Err(Error::ProtocolError {
                reason: "Transfer-Encoding in an HTTP/1.0 response",
            });
        }
        if facts.te_chunked > 1 {
            return Err(Error::ProtocolError {
                reason: "chunked transfer coding applied more than once",
            });
        }
        if !facts.te_last_chunked || facts.te_unknown || facts.te_codings == 0 {
            return Err(Error::UnknownTransferEncoding { value: raw.clone() });
        }
        // TE wins over CL; a message carrying both is suspect (RFC 9112
        // §6.3 rule 3): decode it, but never reuse the connection.
        let with_cl = facts.content_length != ContentLength::Absent;
        return done(Framing::Chunked, persistent && !with_cl);
    }
    match &facts.content_length {
        ContentLength::Valid(n) => done(Framing::Length(*n), persistent),
        ContentLength::Invalid(value, why) => Err(Error::InvalidHeader {
            line: value.clone(),
            position: 0,
            reason: why,
        }),
        ContentLength::Absent => done(Framing::UntilClose, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn may_observe_admits_every_name_observe_takes_note_of() {
        // Every field `observe` acts on, in any case: the plain path asks
        // `may_observe` first and skips the rest.
        let fields: [(&[u8], &[u8]); 3] = [
            (b"Connection", b"close"),
            (b"CONTENT-LENGTH", b"5"),
            (b"transfer-encoding", b"chunked"),
        ];
        for (name, value) in fields {
            let mut f = FramingFacts::default();
            f.observe(name, value);
            assert_ne!(
                format!("{f:?}"),
                format!("{:?}", FramingFacts::default()),
                "{name:?} is observed"
            );
            assert!(FramingFacts::may_observe(name.len()), "{name:?}");
        }
    }

    fn facts(version: Version, status: u16, fields: &[(&str, &str)]) -> FramingFacts {
        let mut f = FramingFacts {
            version: Some(version),
            status,
            ..Default::default()
        };
        for (n, v) in fields {
            f.observe(n.as_bytes(), v.as_bytes());
        }
        f
    }

    fn decide11(fields: &[(&str, &str)]) -> Result<Decision, Error> {
        decide(&facts(Version::Http11, 200, fields), RequestKind::PLAIN)
    }

    #[test]
    fn content_length_grammar() {
        for ok in ["5", "05", " 5 ", "5, 5", "5,5"] {
            assert_eq!(
                decide11(&[("Content-Length", ok)]).unwrap().framing,
                Framing::Length(5),
                "{ok}"
            );
        }
        assert_eq!(
            decide11(&[("Content-Length", "5"), ("content-length", "5")])
                .unwrap()
                .framing,
            Framing::Length(5)
        );
        for bad in [
            "+5",
            "-1",
            "1_0",
            "0x5",
            "42,",
            "42,,42",
            "",
            "18446744073709551616",
            "5 3",
            "5, 3",
        ] {
            assert!(
                matches!(
                    decide11(&[("Content-Length", bad)]),
                    Err(Error::InvalidHeader { .. })
                ),
                "{bad:?}"
            );
        }
        assert!(decide11(&[("Content-Length", "5"), ("Content-Length", "3")]).is_err());
        assert_eq!(
            decide11(&[("Content-Length", "18446744073709551615")])
                .unwrap()
                .framing,
            Framing::Length(u64::MAX)
        );
    }

    #[test]
    fn transfer_encoding_rules() {
        let d = decide11(&[("Transfer-Encoding", "gzip, chunked")]).unwrap();
        assert_eq!((d.framing, d.reusable), (Framing::Chunked, true));
        let d = decide11(&[("Transfer-Encoding", "chunked"), ("Content-Length", "3")]).unwrap();
        assert_eq!((d.framing, d.reusable), (Framing::Chunked, false));
        let d = decide11(&[("Transfer-Encoding", ",chunked")]).unwrap();
        assert_eq!(d.framing, Framing::Chunked);
        for v in [
            "chunked, gzip",
            "yolo",
            "chunkedchunked",
            "chunked;q=1",
            "yolo, chunked",
            "",
        ] {
            assert!(
                matches!(
                    decide11(&[("Transfer-Encoding", v)]),
                    Err(Error::UnknownTransferEncoding { .. })
                ),
                "{v:?}"
            );
        }
        assert!(matches!(
            decide11(&[("Transfer-Encoding", "chunked, chunked")]),
            Err(Error::ProtocolError { .. })
        ));
        let f = facts(Version::Http10, 200, &[("Transfer-Encoding", "chunked")]);
        assert!(matches!(
            decide(&f, RequestKind::PLAIN),
            Err(Error::ProtocolError { .. })
        ));
    }

    #[test]
    fn persistence_matrix() {
        let reuse = |v, fields: &[(&str, &str)]| {
            let mut fields = fields.to_vec();
            fields.push(("Content-Length", "0"));
            decide(&facts(v, 200, &fields), RequestKind::PLAIN)
                .unwrap()
                .reusable
        };
        assert!(!reuse(Version::Http10, &[]));
        assert!(reuse(Version::Http10, &[("Connection", "Keep-Alive")]));
        assert!(reuse(Version::Http11, &[]));
        assert!(!reuse(Version::Http11, &[("Connection", "cloSE")]));
        assert!(!reuse(
            Version::Http11,
            &[("Connection", "a, b, cLOse, foo")]
        ));
        assert!(reuse(Version::Http11, &[("Connection", "xclosey")]));
        assert!(!reuse(Version::Http10, &[("Keep-Alive", "timeout=5")]));
        let until_close = decide11(&[]).unwrap();
        assert_eq!(
            (until_close.framing, until_close.reusable),
            (Framing::UntilClose, false)
        );
    }

    #[test]
    fn bodiless_statuses_and_methods() {
        let head = RequestKind {
            head: true,
            ..RequestKind::PLAIN
        };
        let connect = RequestKind {
            connect: true,
            ..RequestKind::PLAIN
        };
        let upgrade = RequestKind {
            upgrade: true,
            ..RequestKind::PLAIN
        };
        let cl = [("Content-Length", "5")];
        assert_eq!(
            decide(&facts(Version::Http11, 200, &cl), head)
                .unwrap()
                .framing,
            Framing::Empty
        );
        for s in [204, 304] {
            assert_eq!(
                decide(&facts(Version::Http11, s, &cl), RequestKind::PLAIN)
                    .unwrap()
                    .framing,
                Framing::Empty
            );
        }
        assert_eq!(
            decide(&facts(Version::Http11, 200, &cl), connect)
                .unwrap()
                .framing,
            Framing::Switched
        );
        assert_eq!(
            decide(&facts(Version::Http11, 400, &cl), connect)
                .unwrap()
                .framing,
            Framing::Length(5)
        );
        assert_eq!(
            decide(&facts(Version::Http11, 103, &[]), RequestKind::PLAIN)
                .unwrap()
                .framing,
            Framing::Interim
        );
        assert_eq!(
            decide(&facts(Version::Http11, 101, &[]), upgrade)
                .unwrap()
                .framing,
            Framing::Switched
        );
        assert!(decide(&facts(Version::Http11, 101, &[]), RequestKind::PLAIN).is_err());
    }
}
