//! Configuration: limits, leniencies and timers, with safe defaults.

use core::time::Duration;

/// Size and count limits applied to what the server sends. Exceeding one is
/// [`Error::LineTooLong`](crate::Error::LineTooLong) (a line) or
/// [`Error::LimitExceeded`](crate::Error::LimitExceeded) (a count or a size)
/// naming the limit; memory
/// held for a response head never exceeds `max_head_bytes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Longest status line, terminator included. Default 8 KiB.
    pub max_status_line: usize,
    /// Longest header (or trailer) field line, terminator and folded
    /// continuation lines included. Default 64 KiB (httplib's `_MAXLINE`).
    pub max_header_line: usize,
    /// Most header fields in one response head. Default 100 (httplib's).
    pub max_headers: usize,
    /// Largest response head (status line, fields and blank line). Only head
    /// bytes count, never body bytes that arrived with them. Default 128 KiB;
    /// above 4 GiB it acts as 4 GiB (a head is indexed with 32-bit offsets).
    pub max_head_bytes: usize,
    /// Longest chunk-size line, extensions and terminator included. Default 4 KiB.
    pub max_chunk_line: usize,
    /// Chunk-extension bytes allowed over a whole body. Default 16 KiB.
    pub max_chunk_ext_bytes: usize,
    /// Largest trailer section. Default 16 KiB; above 4 GiB it acts as
    /// 4 GiB, as `max_head_bytes` does.
    pub max_trailer_bytes: usize,
    /// Most trailer fields. Default 100.
    pub max_trailers: usize,
    /// Most interim (1xx) responses before the final one. Default 100.
    pub max_interim_responses: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_status_line: 8 * 1024,
            max_header_line: 64 * 1024,
            max_headers: 100,
            max_head_bytes: 128 * 1024,
            max_chunk_line: 4 * 1024,
            max_chunk_ext_bytes: 16 * 1024,
            max_trailer_bytes: 16 * 1024,
            max_trailers: 100,
            max_interim_responses: 100,
        }
    }
}

/// Each deviation from RFC 9112 the parser can be told to accept. All off is
/// [`Leniency::STRICT`] (the default); all on is [`Leniency::LENIENT`]. None
/// of them can make the framing of a message ambiguous: a malformed line that
/// names `Content-Length` or `Transfer-Encoding` is an error whatever is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leniency {
    /// A response that does not start with `HTTP/` is an HTTP/0.9 simple
    /// response: status 200, no headers, body until close (httplib without
    /// `strict`).
    pub http09_responses: bool,
    /// A bare LF ends a status or field line (RFC 9112 §2.2 "MAY").
    pub bare_lf_in_head: bool,
    /// A bare LF ends a chunk-size line or follows chunk data. Off in strict
    /// mode: errata 7633 limits the LF allowance to the head (CVE-2025-22871).
    pub bare_lf_in_chunks: bool,
    /// Chunk extensions are taken as any field-value bytes after a `;`,
    /// and whitespace may end a chunk-size line (what hyper and h11
    /// accept); strict mode holds them to RFC 9112 §7.1.1's `chunk-ext`
    /// rule (`;` name `=` token or quoted-string, nothing else).
    pub loose_chunk_extensions: bool,
    /// obs-fold continuation lines are unfolded to one SP per fold
    /// (RFC 9112 §5.2); strict mode rejects them.
    pub obs_fold: bool,
    /// Whitespace before the version, HTAB or several SP between the status
    /// line's fields, no SP after the status code (`HTTP/1.1 200`, which
    /// h11, hyper and httplib take), and multi-digit minor versions
    /// (`HTTP/1.10`).
    pub loose_status_line: bool,
    /// A malformed field line (empty name, space before the colon, non-token
    /// name) is skipped instead of failing the response — unless it names a
    /// framing field.
    pub skip_invalid_headers: bool,
    /// Control bytes other than NUL, CR and LF are kept in field values and
    /// reason phrases (RFC 9110 §5.5 lets recipients retain them).
    pub ctl_in_values: bool,
}

impl Leniency {
    /// RFC 9112 as written: every switch off.
    pub const STRICT: Leniency = Leniency {
        http09_responses: false,
        bare_lf_in_head: false,
        bare_lf_in_chunks: false,
        loose_chunk_extensions: false,
        obs_fold: false,
        loose_status_line: false,
        skip_invalid_headers: false,
        ctl_in_values: false,
    };
    /// What real servers send and httplib accepts: every switch on.
    pub const LENIENT: Leniency = Leniency {
        http09_responses: true,
        bare_lf_in_head: true,
        bare_lf_in_chunks: true,
        loose_chunk_extensions: true,
        obs_fold: true,
        loose_status_line: true,
        skip_invalid_headers: true,
        ctl_in_values: true,
    };
}

impl Default for Leniency {
    fn default() -> Self {
        Leniency::STRICT
    }
}

/// Everything a [`Connection`](crate::Connection) can be configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Size and count limits.
    pub limits: Limits,
    /// Which deviations from RFC 9112 to accept.
    pub leniency: Leniency,
    /// How long to hold a request body back after sending
    /// `Expect: 100-continue` before sending it anyway. Default 1 s.
    pub expect_continue_timeout: Duration,
    /// Most requests outstanding at once. 1 (the default) is httplib's rule:
    /// a new request only after the previous response was read to the end;
    /// more allows pipelining.
    pub max_pipelined: usize,
    /// The free space [`Connection::begin_recv`](crate::Connection::begin_recv)
    /// offers at first; it grows while reads fill it, up to
    /// [`MAX_READ_WINDOW`] (or this, if larger). After small bodies were
    /// handed out a read may be offered a little less (seven eighths at
    /// least) rather than the buffer grown back at every read. Default
    /// 8 KiB.
    pub read_size: usize,
}

/// The most free space [`Connection::begin_recv`](crate::Connection::begin_recv)
/// offers at once however well reads fill it, unless
/// [`Config::read_size`] is larger: 64 KiB. Larger windows save system
/// calls on a fast download, but the socket's copy into a window much
/// larger misses the cache of CPUs with 512 KiB of L2 per core
/// (`docs/benchmarks.md`).
pub const MAX_READ_WINDOW: usize = 64 * 1024;

impl Default for Config {
    fn default() -> Self {
        Config {
            limits: Limits::default(),
            leniency: Leniency::STRICT,
            expect_continue_timeout: Duration::from_secs(1),
            max_pipelined: 1,
            read_size: 8 * 1024,
        }
    }
}

impl Config {
    /// The default configuration: strict parsing.
    pub fn strict() -> Self {
        Config::default()
    }

    /// The default configuration with every leniency switched on.
    pub fn lenient() -> Self {
        Config {
            leniency: Leniency::LENIENT,
            ..Config::default()
        }
    }
}
