//! Request URLs read with the ecosystem's parser, the `url` crate
//! (WHATWG): IDNA hosts become their ASCII form, paths and queries are
//! percent-encoded where they must be, userinfo is taken out (it becomes
//! Basic credentials, never part of the request line), the fragment is
//! dropped. The engine keeps its own `Authority`; what reaches it is the
//! `host[:port]` and origin-form target this module hands over.

use std::borrow::Cow;

use crate::Error;

/// An absolute `http://` or `https://` URL, split for a request. A URL
/// already in the form the WHATWG parser gives (the usual case) is
/// borrowed, not copied; one the parser changes is owned.
#[derive(Clone, PartialEq, Eq)]
pub struct Target<'a> {
    /// `https://` (else `http://`).
    pub https: bool,
    /// The host: lower-case, IDNA in ASCII, an IPv6 address without its
    /// brackets.
    pub host: Cow<'a, str>,
    /// The port: the URL's, or the scheme's default.
    pub port: u16,
    /// The origin-form target: the path (`/` when empty) and the query,
    /// percent-encoded where it must be; no fragment.
    pub target: Cow<'a, str>,
    /// The URL's username and password, percent-decoded, if it had any.
    pub credentials: Option<(String, String)>,
}

impl std::fmt::Debug for Target<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("https", &self.https)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("target", &self.target)
            .field("credentials", &self.credentials.as_ref().map(|_| "<set>"))
            .finish()
    }
}

fn invalid(url: &str, reason: &'static str) -> Error {
    Error::Http(httpcore::Error::InvalidURL {
        url: redact(url),
        reason,
    })
}

/// `url` as it may be shown in a message or a log: whatever stands before
/// an `@` in its authority (user name and password) replaced by `***`.
/// Works on the text, parseable or not, with or without a scheme (a proxy
/// given as `user:pw@host:port`), so a URL the parser refuses is hidden
/// all the same; the path, query and fragment are kept.
pub fn redact(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(at) => url.split_at(at + 3),
        None => ("", url),
    };
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}***{}", &rest[at..]),
        None => url.to_string(),
    }
}

impl<'a> Target<'a> {
    /// Read `url`: `InvalidURL` for a scheme other than http and https, no
    /// host, or what the WHATWG parser refuses.
    pub fn parse(url: &'a str) -> Result<Target<'a>, Error> {
        match canonical(url) {
            Some(target) => Ok(target),
            None => Target::parse_whatwg(url),
        }
    }

    /// [`parse`](Self::parse) for a URL the parser may change: out of
    /// line, so that the usual URL's path stays small.
    #[cold]
    #[inline(never)]
    fn parse_whatwg(url: &'a str) -> Result<Target<'a>, Error> {
        let parsed = url::Url::parse(url).map_err(|_| invalid(url, "not a URL"))?;
        let https = match parsed.scheme() {
            "http" => false,
            "https" => true,
            _ => return Err(invalid(url, "only http:// and https:// URLs")),
        };
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| invalid(url, "no host"))?;
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
            .to_string();
        let port = parsed.port().unwrap_or(scheme_port(https));
        let mut target = parsed.path().to_string();
        if target.is_empty() {
            target.push('/');
        }
        if let Some(q) = parsed.query() {
            target.push('?');
            target.push_str(q);
        }
        let credentials =
            (!parsed.username().is_empty() || parsed.password().is_some()).then(|| {
                let decode = |s: &str| percent_encoding_decode(s);
                (
                    decode(parsed.username()),
                    decode(parsed.password().unwrap_or("")),
                )
            });
        Ok(Target {
            https,
            host: Cow::Owned(host),
            port,
            target: Cow::Owned(target),
            credentials,
        })
    }

    /// The scheme's port: 443 for `https://`, 80 for `http://`.
    pub fn default_port(&self) -> u16 {
        scheme_port(self.https)
    }

    /// `host[:port]` as the URL would be written: an IPv6 address in
    /// brackets, the port only when it is not the scheme's default.
    pub fn authority(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.to_string()
        };
        if self.port == self.default_port() {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }

    /// The engine's owned form of the URL (credentials left out).
    pub fn url(&self) -> httpcore::Url {
        httpcore::Url {
            https: self.https,
            authority: self.authority(),
            target: self.target.to_string(),
        }
    }

    /// The `Authorization: Basic` value for the URL's credentials.
    pub fn authorization(&self) -> Option<String> {
        let (user, password) = self.credentials.as_ref()?;
        Some(format!(
            "Basic {}",
            crate::proxy::base64(format!("{user}:{password}").as_bytes())
        ))
    }
}

/// Whether `headers` set their own `Authorization` (any case): then the
/// URL's credentials are not sent, the caller's header wins.
pub fn sets_authorization<N: AsRef<[u8]>, V>(headers: &[(N, V)]) -> bool {
    sets_field(headers, b"authorization")
}

/// Whether `headers` hold a field named `name` (compared in any case).
pub(crate) fn sets_field<N: AsRef<[u8]>, V>(headers: &[(N, V)], name: &[u8]) -> bool {
    headers
        .iter()
        .any(|(n, _)| n.as_ref().eq_ignore_ascii_case(name))
}

/// `headers` with `Authorization: auth` (the URL's credentials, from
/// [`Target::authorization`]) added at the end, unless they
/// [set their own](sets_authorization); borrowed when nothing is added.
pub fn with_authorization<'h, 'a>(
    headers: &'h [(&'a str, &'a str)],
    auth: Option<&'a str>,
) -> std::borrow::Cow<'h, [(&'a str, &'a str)]> {
    match auth {
        Some(auth) if !sets_authorization(headers) => {
            let mut all = headers.to_vec();
            all.push(("Authorization", auth));
            all.into()
        }
        _ => headers.into(),
    }
}

/// The port a URL of this scheme means when it names none.
pub(crate) fn scheme_port(https: bool) -> u16 {
    if https {
        443
    } else {
        80
    }
}

/// A URL already in the form the WHATWG parser would give it, split
/// without that parser (the common case of a client sending to the same
/// plain URLs again and again); `None` for anything the parser might
/// change or refuse — userinfo, fragments, IDNA or punycode hosts, numeric
/// hosts that are not a canonical dotted quad, IPv6, a default or
/// zero-led port, dot segments, escapes of `.`, bytes it would encode —
/// which then goes the WHATWG way. `parse_matches_the_whatwg_parser`
/// checks the two agree wherever this one answers.
fn canonical(url: &str) -> Option<Target<'_>> {
    let bytes = url.as_bytes();
    let (https, from) = if bytes.starts_with(b"http://") {
        (false, 7)
    } else if bytes.starts_with(b"https://") {
        (true, 8)
    } else {
        return None;
    };
    let host_end = canonical_host_end(bytes, from)?;
    let default_port = scheme_port(https);
    let (port, target_start) = match bytes.get(host_end) {
        Some(b':') => {
            let digits = digits_end(bytes, host_end + 1);
            // A leading zero (`0` itself too) or the default port: the
            // parser rewrites it.
            let n = decimal(&bytes[host_end + 1..digits], 5).filter(|&n| n != 0)?;
            let n = u16::try_from(n).ok().filter(|&n| n != default_port)?;
            (n, digits)
        }
        _ => (default_port, host_end),
    };
    let target = &url[target_start..];
    let (path, query) = match target.bytes().next() {
        // Anything else after the authority (`@`, `#`, `\`, a byte a
        // host cannot hold) is the parser's to judge.
        None | Some(b'/' | b'?') => split_at_byte(target, b'?'),
        Some(_) => return None,
    };
    if !plain_path(path.as_bytes()) || !query.is_none_or(|q| plain_query(q.as_bytes())) {
        return None;
    }
    let target = if path.is_empty() {
        Cow::Owned(format!("/{target}"))
    } else {
        Cow::Borrowed(target)
    };
    Some(Target {
        https,
        host: Cow::Borrowed(&url[from..host_end]),
        port,
        target,
        credentials: None,
    })
}

/// For the fuzzer ([`fuzz_parsers`](crate::sim::fuzz_parsers)): wherever
/// the fast path splits `url`, the WHATWG parser accepts it and splits it
/// the same way. Panics where they differ.
pub(crate) fn check_fast_path(url: &str) {
    let fast = canonical(url);
    let whatwg = Target::parse_whatwg(url);
    if let Some(fast) = fast {
        match whatwg {
            Ok(whatwg) => assert_eq!(fast, whatwg, "{url}"),
            Err(e) => panic!("{url}: the fast path split it, the WHATWG parser says {e}"),
        }
    }
}

/// `s` before and after the first `byte` (an ASCII byte), if any: a byte
/// loop, which on a URL's few bytes beats `str::split_once`'s searcher.
fn split_at_byte(s: &str, byte: u8) -> (&str, Option<&str>) {
    match s.bytes().position(|b| b == byte) {
        Some(at) => (&s[..at], Some(&s[at + 1..])),
        None => (s, None),
    }
}

/// The end of the run of ASCII digits in `s` that starts at `from`.
fn digits_end(s: &[u8], mut from: usize) -> usize {
    while s.get(from).is_some_and(u8::is_ascii_digit) {
        from += 1;
    }
    from
}

/// The end of a host at `from` in `url` that the WHATWG parser leaves as
/// it is — lower-case ASCII labels of letters, digits and `-` (no
/// punycode, the last not numeric-looking), or a dotted quad without
/// leading zeros —, `None` for any other host. One pass over its bytes,
/// each label judged both ways as it ends; the last label says which
/// judgement counts.
fn canonical_host_end(url: &[u8], from: usize) -> Option<usize> {
    let (mut label, mut labels) = (from, 0);
    let (mut name, mut quad) = (true, true);
    // The label's value as a decimal number, while it is all digits.
    let (mut value, mut digits_only) = (0u32, true);
    let mut i = from;
    loop {
        let b = url.get(i).copied().unwrap_or(0);
        match b {
            b'0'..=b'9' => {
                value = value.wrapping_mul(10).wrapping_add(u32::from(b - b'0'));
                i += 1;
            }
            b'a'..=b'z' | b'-' => {
                digits_only = false;
                i += 1;
            }
            _ => {
                let len = i - label;
                name &= (1..=63).contains(&len) && !url[label..i].starts_with(b"xn--");
                // 1 to 3 digits, no leading zero (`0` itself allowed), at
                // most 255 (`value` wraps only where `len` says no anyway).
                quad &= digits_only
                    && (1..=3).contains(&len)
                    && (len == 1 || url[label] != b'0')
                    && value <= 255;
                labels += 1;
                if b != b'.' {
                    break;
                }
                i += 1;
                label = i;
                (value, digits_only) = (0, true);
            }
        }
    }
    let numeric = url.get(label).is_some_and(u8::is_ascii_digit);
    let ok = if numeric { quad && labels == 4 } else { name };
    ok.then_some(i)
}

/// `s` as a number of 1 to `max_len` digits without a leading zero (`0`
/// itself allowed).
fn decimal(s: &[u8], max_len: usize) -> Option<u32> {
    if s.is_empty() || s.len() > max_len || (s.len() > 1 && s[0] == b'0') {
        return None;
    }
    let mut n = 0u32;
    for &d in s {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(d - b'0');
    }
    Some(n)
}

/// Bytes the WHATWG parser leaves as they are in a path (`PATH`) and in a
/// query (`QUERY`): letters, digits and `-._~!$&()*+,;=:@/%`, and `?` in a
/// query.
const URL_BYTES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = PATH | QUERY;
        }
        b += 1;
    }
    let mut i = 0;
    let both = b"-._~!$&()*+,;=:@/%";
    while i < both.len() {
        t[both[i] as usize] = PATH | QUERY;
        i += 1;
    }
    t[b'?' as usize] = QUERY;
    t
};
const PATH: u8 = 1;
const QUERY: u8 = 2;

/// A path of bytes the parser keeps, with its escapes kept (see
/// [`escape_kept`]) and no `.` or `..` segment: one pass.
fn plain_path(path: &[u8]) -> bool {
    let dots = |segment: &[u8]| segment == b"." || segment == b"..";
    let mut segment = 0;
    for (i, &b) in path.iter().enumerate() {
        if URL_BYTES[usize::from(b)] & PATH == 0 {
            return false;
        }
        match b {
            b'%' if !escape_kept(path, i) => return false,
            b'/' => {
                if dots(&path[segment..i]) {
                    return false;
                }
                segment = i + 1;
            }
            _ => {}
        }
    }
    !dots(&path[segment..])
}

/// A query of bytes the parser keeps, with its escapes kept.
fn plain_query(query: &[u8]) -> bool {
    query.iter().enumerate().all(|(i, &b)| {
        URL_BYTES[usize::from(b)] & QUERY != 0 && (b != b'%' || escape_kept(query, i))
    })
}

/// The `%` at `i` begins a `%XX` escape, and not an escaped `.` (which
/// the parser may read as a dot segment).
fn escape_kept(s: &[u8], i: usize) -> bool {
    s.get(i + 1..i + 3)
        .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit) && !h.eq_ignore_ascii_case(b"2e"))
}

/// `%XX` escapes decoded (bytes that are not UTF-8 replaced).
fn percent_encoding_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `location` resolved against the absolute `base` (the WHATWG URL
/// standard's join, RFC 3986 §5.2 for what it takes from it): an absolute
/// URL, a scheme-relative one, an absolute path, a query, a relative path
/// with `.` and `..` segments. The fragment is dropped (it never goes to a
/// server); a scheme other than http and https is `InvalidURL`.
pub fn join(base: &str, location: &str) -> Result<String, Error> {
    let base = url::Url::parse(base).map_err(|_| invalid(base, "not a URL"))?;
    let mut next = base
        .join(location)
        .map_err(|_| invalid(location, "not a URL reference"))?;
    if !matches!(next.scheme(), "http" | "https") {
        return Err(invalid(
            location,
            "a redirect to a scheme other than http or https",
        ));
    }
    next.set_fragment(None);
    Ok(next.to_string())
}

/// The origin (scheme, host, port) of an absolute URL, for telling origins
/// apart.
pub fn origin(url: &str) -> String {
    url::Url::parse(url).map_or_else(
        |_| url.to_ascii_lowercase(),
        |u| u.origin().ascii_serialization(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_urls_credentials_go_in_unless_the_caller_sent_authorization() {
        use std::borrow::Cow;
        let target = Target::parse("http://u:p@example.com/").unwrap();
        let auth = target.authorization();
        assert_eq!(auth.as_deref(), Some("Basic dTpw"));
        let mine = [("X", "1")];
        let sent = with_authorization(&mine, auth.as_deref());
        assert_eq!(&sent[..], [("X", "1"), ("Authorization", "Basic dTpw")]);
        // The caller's header wins, in any case; nothing is copied.
        let theirs = [("authorization", "Bearer t")];
        let sent = with_authorization(&theirs, auth.as_deref());
        assert!(matches!(sent, Cow::Borrowed(h) if h == theirs));
        assert!(sets_authorization(&[(b"AUTHORIZATION".to_vec(), "x")]));
        // No credentials, nothing added.
        assert!(matches!(with_authorization(&mine, None), Cow::Borrowed(_)));
    }

    #[test]
    fn hosts_paths_userinfo_and_fragments() {
        let t =
            Target::parse("https://us%65r:p%40ss@Bücher.example:8443/a b/c?x=1 2#frag").unwrap();
        assert!(t.https);
        assert_eq!((&*t.host, t.port), ("xn--bcher-kva.example", 8443));
        assert_eq!(t.authority(), "xn--bcher-kva.example:8443");
        assert_eq!(t.target, "/a%20b/c?x=1%202");
        assert_eq!(t.credentials, Some(("user".into(), "p@ss".into())));
        assert_eq!(t.authorization().unwrap(), "Basic dXNlcjpwQHNz");
        assert!(!format!("{t:?}").contains("p@ss"));
        let t = Target::parse("http://[::1]:8080").unwrap();
        assert_eq!((&*t.host, t.port, &*t.target), ("::1", 8080, "/"));
        assert_eq!(t.authority(), "[::1]:8080");
        assert_eq!(Target::parse("http://h?q").unwrap().target, "/?q");
        // The default port is not written out.
        let t = Target::parse("https://h:443/").unwrap();
        assert_eq!((t.port, t.authority()), (443, "h".to_string()));
        assert_eq!(Target::parse("http://h/").unwrap().port, 80);
        for bad in ["ftp://h/x", "http://", "not a url", "https://u:secret@/x"] {
            let e = Target::parse(bad).unwrap_err();
            assert_eq!(e.name(), "InvalidURL", "{bad}");
            assert!(!e.to_string().contains("secret"), "{e}");
        }
    }

    #[test]
    fn redact_hides_userinfo_and_keeps_the_rest() {
        for (url, shown) in [
            ("http://user:pw@host/x?q#f", "http://***@host/x?q#f"),
            ("https://u@h:8443?a=b", "https://***@h:8443?a=b"),
            ("user:pw@proxy:3128", "***@proxy:3128"),
            ("socks5h://a@b@host:1080", "socks5h://***@host:1080"),
            ("http://u:p@[::1]:8080/", "http://***@[::1]:8080/"),
            // Not userinfo: an `@` after the authority, or none at all.
            ("http://host/a@b", "http://host/a@b"),
            ("http://host?x=a@b", "http://host?x=a@b"),
            ("http://host/", "http://host/"),
            // Unparseable, still hidden.
            ("http://u:secret@", "http://***@"),
            ("http://u:secret@ho st/", "http://***@ho st/"),
        ] {
            assert_eq!(redact(url), shown, "{url}");
        }
    }

    #[test]
    fn a_plain_url_is_borrowed_and_an_unusual_one_owned() {
        let t = Target::parse("http://127.0.0.1:8080/v1/items?page=2").unwrap();
        assert!(matches!(t.host, Cow::Borrowed("127.0.0.1")));
        assert_eq!(t.port, 8080);
        assert!(matches!(t.target, Cow::Borrowed("/v1/items?page=2")));
        // An empty path becomes `/`: the target alone is made.
        let t = Target::parse("http://h?q").unwrap();
        assert!(matches!(t.host, Cow::Borrowed("h")));
        assert!(matches!(t.target, Cow::Owned(_)));
        // What the WHATWG parser rewrites is owned.
        let t = Target::parse("http://H/a b").unwrap();
        assert!(matches!(t.host, Cow::Owned(_)));
        assert_eq!((&*t.host, &*t.target), ("h", "/a%20b"));
        assert_eq!(t.url().authority, "h");
    }

    /// The WHATWG way alone (what `parse` did before its fast path).
    fn whatwg(url: &str) -> Option<httpcore::Url> {
        let parsed = url::Url::parse(url).ok()?;
        let mut target = parsed.path().to_string();
        if let Some(q) = parsed.query() {
            target.push('?');
            target.push_str(q);
        }
        let host = parsed.host_str()?;
        Some(httpcore::Url {
            https: parsed.scheme() == "https",
            authority: match parsed.port() {
                Some(p) => format!("{host}:{p}"),
                None => host.to_string(),
            },
            target,
        })
    }

    #[test]
    fn plain_urls_take_the_fast_path_and_the_rest_do_not() {
        for plain in [
            "http://127.0.0.1:8080/",
            "http://example.com",
            "https://api.example.com/v1/items?id=3&x=%20",
            "http://a-b.c9/x:y@z;p=1?q=/?",
        ] {
            let fast = canonical(plain).unwrap_or_else(|| panic!("{plain}"));
            assert_eq!(Some(fast.url()), whatwg(plain), "{plain}");
        }
        for other in [
            "http://Example.com/",
            "http://127.1/",
            "http://127.0.0.01/",
            "http://0x7f.0.0.1/",
            "http://1.2.3/",
            "http://h:80/",
            "https://h:443/",
            "http://h:080/",
            "http://h:/",
            "http://h:99999/",
            "http://u@h/",
            "http://h/a/../b",
            "http://h/a/%2e%2E/b",
            "http://h/a/.",
            "http://h/a b",
            "http://h/a#f",
            "http://h/a\\b",
            "http://h/%zz",
            "http://xn--bcher-kva.example/",
            "http://h..example/",
            "http://[::1]/",
            "http://h/q?'",
            "HTTP://h/",
        ] {
            assert_eq!(canonical(other), None, "{other}");
        }
        // A label of up to 63 bytes is a DNS label; a longer one is left
        // to the WHATWG parser.
        let label = |n: usize| format!("http://{}.example/", "a".repeat(n));
        assert!(canonical(&label(63)).is_some());
        assert_eq!(canonical(&label(64)), None);
    }

    #[test]
    fn the_fuzzers_check_passes_where_the_paths_agree() {
        for url in [
            "http://127.0.0.1:8080/",
            "https://api.example.com/v1/items?id=3",
            "http://Example.com/",
            "not a url",
            "http://[::1]:80/",
        ] {
            check_fast_path(url);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        /// Wherever the fast path answers, it answers what the WHATWG
        /// parser does (URLs built from the pieces that matter).
        #[test]
        fn parse_matches_the_whatwg_parser(
            scheme in proptest::sample::select(vec!["http://", "https://"]),
            labels in proptest::prop_oneof![
                proptest::collection::vec(proptest::sample::select(vec![
                    "a", "b1", "x-y", "A", "0", "1", "0x7f", "xn--p", "", "é",
                ]), 1..4),
                proptest::collection::vec(proptest::sample::select(vec![
                    "0", "00", "01", "1", "255", "256", "0x1", "",
                ]), 3..6),
            ],
            port in proptest::sample::select(vec![
                None, Some(""), Some("0"), Some("80"), Some("080"), Some("443"), Some("8080"),
                Some("65535"), Some("65536"), Some("x"),
            ]),
            pieces in proptest::collection::vec(proptest::prop_oneof![
                12 => proptest::sample::select(vec![
                    "/", "/", "/", "a", ".", "..", "%2e", "%2E", "%41", "?", "@", ":", "=", "&",
                    "!$(", ")*+", ",;", "-_",
                ]),
                1 => proptest::sample::select(vec![
                    "%", "%4", "#", " ", "'", "\\", "~", "\"", "<", "{", "é",
                ]),
            ], 0..8),
        ) {
            let host = labels.join(".");
            let rest = pieces.concat();
            let url = match port {
                Some(p) => format!("{scheme}{host}:{p}{rest}"),
                None => format!("{scheme}{host}{rest}"),
            };
            if let Some(fast) = canonical(&url) {
                proptest::prop_assert_eq!(Some(fast.url()), whatwg(&url), "{}", url);
            }
        }
    }

    #[test]
    fn references_join_their_base() {
        let base = "http://h.example:8080/a/b/c?q=1";
        for (location, want) in [
            ("https://other.example/x", "https://other.example/x"),
            ("HTTP://Other.example/x", "http://other.example/x"),
            ("//cdn.example/lib.js", "http://cdn.example/lib.js"),
            ("/root", "http://h.example:8080/root"),
            ("/x/./y/../z", "http://h.example:8080/x/z"),
            ("d", "http://h.example:8080/a/b/d"),
            ("./d?x=2", "http://h.example:8080/a/b/d?x=2"),
            ("../d", "http://h.example:8080/a/d"),
            ("../../../../d", "http://h.example:8080/d"),
            ("?page=2", "http://h.example:8080/a/b/c?page=2"),
            ("e#frag", "http://h.example:8080/a/b/e"),
            ("..", "http://h.example:8080/a/"),
            ("/ünï", "http://h.example:8080/%C3%BCn%C3%AF"),
        ] {
            assert_eq!(join(base, location).unwrap(), want, "{location}");
        }
        for bad in ["ftp://h/x", "javascript:alert(1)"] {
            assert_eq!(join(base, bad).unwrap_err().name(), "InvalidURL", "{bad}");
        }
        assert_eq!(
            origin("HTTP://A.example:80/x"),
            origin("http://a.example/y")
        );
        assert_ne!(origin("https://a.example/"), origin("http://a.example/"));
    }
}
