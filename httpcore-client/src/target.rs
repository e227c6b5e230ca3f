//! Request URLs read with the ecosystem's parser, the `url` crate
//! (WHATWG): IDNA hosts become their ASCII form, paths and queries are
//! percent-encoded where they must be, userinfo is taken out (it becomes
//! Basic credentials, never part of the request line), the fragment is
//! dropped. The engine keeps its own `Authority`; what reaches it is the
//! `host[:port]` and origin-form target this module hands over.

use crate::Error;

/// An absolute `http://` or `https://` URL, split for a request.
#[derive(Clone, PartialEq, Eq)]
pub struct Target {
    /// The engine's view: scheme, `host[:port]` (IDNA in ASCII), and the
    /// origin-form target (`/` when empty, with the query).
    pub url: httpcore::Url,
    /// The URL's username and password, percent-decoded, if it had any.
    pub credentials: Option<(String, String)>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("url", &self.url)
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

/// The URL as it may be shown: userinfo replaced.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("***");
            let _ = u.set_password(None);
            u.to_string()
        }
        Ok(_) => url.to_string(),
        // Unparseable: hide whatever stands before an `@` in the
        // authority.
        Err(_) => match url.split_once("://") {
            Some((scheme, rest)) => {
                let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
                match rest[..end].rsplit_once('@') {
                    Some((_, host)) => format!("{scheme}://***@{host}{}", &rest[end..]),
                    None => url.to_string(),
                }
            }
            None => url.to_string(),
        },
    }
}

impl Target {
    /// Read `url`: `InvalidURL` for a scheme other than http and https, no
    /// host, or what the WHATWG parser refuses.
    pub fn parse(url: &str) -> Result<Target, Error> {
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
        let authority = match parsed.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
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
            url: httpcore::Url {
                https,
                authority,
                target,
            },
            credentials,
        })
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
    fn hosts_paths_userinfo_and_fragments() {
        let t =
            Target::parse("https://us%65r:p%40ss@Bücher.example:8443/a b/c?x=1 2#frag").unwrap();
        assert!(t.url.https);
        assert_eq!(t.url.authority, "xn--bcher-kva.example:8443");
        assert_eq!(t.url.target, "/a%20b/c?x=1%202");
        assert_eq!(t.credentials, Some(("user".into(), "p@ss".into())));
        assert_eq!(t.authorization().unwrap(), "Basic dXNlcjpwQHNz");
        assert!(!format!("{t:?}").contains("p@ss"));
        let t = Target::parse("http://[::1]:8080").unwrap();
        assert_eq!(
            (t.url.authority.as_str(), t.url.target.as_str()),
            ("[::1]:8080", "/")
        );
        assert_eq!(Target::parse("http://h?q").unwrap().url.target, "/?q");
        // The default port is not written out.
        assert_eq!(Target::parse("https://h:443/").unwrap().url.authority, "h");
        for bad in ["ftp://h/x", "http://", "not a url", "https://u:secret@/x"] {
            let e = Target::parse(bad).unwrap_err();
            assert_eq!(e.name(), "InvalidURL", "{bad}");
            assert!(!e.to_string().contains("secret"), "{e}");
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
