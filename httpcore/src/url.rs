//! Splitting an `http://` or `https://` URL into what a connection needs:
//! the scheme, the authority to connect to, and the request target.

use crate::Error;

/// An absolute `http[s]://authority/path?query` URL, split. The fragment
/// (`#...`) is dropped: it never goes to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    /// `https://` (else `http://`).
    pub https: bool,
    /// `host[:port]`, as written (parse it with
    /// [`Authority::parse`](crate::Authority::parse)).
    pub authority: String,
    /// The origin-form target: the path (`/` when empty) and the query.
    pub target: String,
}

impl Url {
    /// Split `url`; `InvalidURL` for another scheme or an empty host.
    pub fn parse(url: &str) -> Result<Url, Error> {
        let invalid = |reason| Error::InvalidURL {
            url: url.to_string(),
            reason,
        };
        let (https, rest) = if let Some(r) = url.strip_prefix("http://") {
            (false, r)
        } else if let Some(r) = url.strip_prefix("https://") {
            (true, r)
        } else {
            return Err(invalid("only http:// and https:// URLs"));
        };
        let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(split);
        let path = path.split('#').next().unwrap_or("");
        let target = if path.starts_with('?') || path.is_empty() {
            format!("/{path}")
        } else {
            path.to_string()
        };
        if authority.is_empty() {
            return Err(invalid("no host"));
        }
        Ok(Url {
            https,
            authority: authority.to_string(),
            target,
        })
    }

    /// The default port of the scheme (80 or 443).
    pub fn default_port(&self) -> u16 {
        if self.https {
            crate::status::HTTPS_PORT
        } else {
            crate::status::HTTP_PORT
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_scheme_authority_and_target() {
        let u = Url::parse("https://example.com:8443/a/b?x=1#frag").unwrap();
        assert!(u.https);
        assert_eq!(u.authority, "example.com:8443");
        assert_eq!(u.target, "/a/b?x=1");
        assert_eq!(u.default_port(), 443);
        let u = Url::parse("http://[::1]:8080").unwrap();
        assert_eq!(
            (u.https, u.authority.as_str(), u.target.as_str()),
            (false, "[::1]:8080", "/")
        );
        assert_eq!(Url::parse("http://h?q").unwrap().target, "/?q");
    }

    #[test]
    fn refuses_other_schemes_and_empty_hosts() {
        for bad in ["ftp://x/", "example.com/", "http:///path", "https://"] {
            assert_eq!(Url::parse(bad).unwrap_err().name(), "InvalidURL", "{bad}");
        }
    }
}
