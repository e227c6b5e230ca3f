//! `host[:port]` strings: parsing with httplib's rules, and the `Host`
//! header value they produce.

use crate::error::Error;

/// A server's host and port, as the `Host` header and the adapters need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    host: String,
    port: u16,
    default_port: u16,
}

impl Authority {
    /// Parse `"host"`, `"host:port"`, `"[v6]"` or `"[v6]:port"` with httplib's
    /// rules: an empty or non-numeric port is [`Error::InvalidURL`]; without
    /// one, `default_port` applies. A zone id (`[fe80::1%eth0]`) is kept for
    /// connecting but left out of the `Host` header.
    ///
    /// ```
    /// use httpcore::Authority;
    /// let a = Authority::parse("[::1]:8080", 80).unwrap();
    /// assert_eq!((a.host(), a.port()), ("::1", 8080));
    /// assert_eq!(a.host_header(), "[::1]:8080");
    /// assert!(Authority::parse("example.com:", 80).is_err());
    /// ```
    pub fn parse(s: &str, default_port: u16) -> Result<Authority, Error> {
        let invalid = |reason| Error::InvalidURL {
            url: s.to_string(),
            reason,
        };
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let close = rest
                .find(']')
                .ok_or_else(|| invalid("unterminated IPv6 literal"))?;
            let host = &rest[..close];
            match &rest[close + 1..] {
                "" => (host, None),
                p => (
                    host,
                    Some(
                        p.strip_prefix(':')
                            .ok_or_else(|| invalid("junk after IPv6 literal"))?,
                    ),
                ),
            }
        } else {
            match s.rfind(':') {
                // More than one colon and no brackets: a bare IPv6 address.
                Some(i) if s[..i].contains(':') => (s, None),
                Some(i) => (&s[..i], Some(&s[i + 1..])),
                None => (s, None),
            }
        };
        let port = match port {
            None => default_port,
            Some(p) => {
                if p.is_empty() {
                    return Err(invalid("empty port"));
                }
                if !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(invalid("non-numeric port"));
                }
                p.parse().map_err(|_| invalid("port out of range"))?
            }
        };
        if host.is_empty() {
            return Err(invalid("empty host"));
        }
        if host
            .bytes()
            .any(|b| b <= b' ' || b == 0x7f || b == b'/' || b == b'?' || b == b'#' || b == b'@')
        {
            return Err(invalid("control, space or delimiter in host"));
        }
        Ok(Authority {
            host: host.to_string(),
            port,
            default_port,
        })
    }

    /// An authority from its parts; the host is taken as is (no brackets).
    pub fn new(host: impl Into<String>, port: u16, default_port: u16) -> Authority {
        Authority {
            host: host.into(),
            port,
            default_port,
        }
    }

    /// The host, without brackets.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port used when none is given (80 for HTTP, 443 for HTTPS).
    pub fn default_port(&self) -> u16 {
        self.default_port
    }

    /// The value of the `Host` header: IPv6 literals in brackets without a
    /// zone id, the port only when it is not the default.
    pub fn host_header(&self) -> String {
        let host = self.host.split('%').next().unwrap_or(&self.host);
        let host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.to_string()
        };
        if self.port == self.default_port {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }

    /// `host:port` for connecting (IPv6 in brackets).
    pub fn socket_addr_string(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// The `Host` value an absolute-form target (`http://h:p/path`, as sent to a
/// proxy) calls for, if `target` is one.
pub(crate) fn host_from_absolute_target(target: &str) -> Option<String> {
    let (rest, default_port) = if let Some(r) = strip_prefix_ci(target, "http://") {
        (r, 80)
    } else if let Some(r) = strip_prefix_ci(target, "https://") {
        (r, 443)
    } else {
        return None;
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    Authority::parse(authority, default_port)
        .ok()
        .map(|a| a.host_header())
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len()
        && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes()))
    .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn httplib_host_port_rules() {
        let a = Authority::parse("www.cwi.nl", 80).unwrap();
        assert_eq!(
            (a.host(), a.port(), a.host_header().as_str()),
            ("www.cwi.nl", 80, "www.cwi.nl")
        );
        let a = Authority::parse("www.cwi.nl:8080", 80).unwrap();
        assert_eq!(a.host_header(), "www.cwi.nl:8080");
        assert_eq!(Authority::parse("h:443", 443).unwrap().host_header(), "h");
        for bad in [
            "www.python.org:",
            "www.python.org:abc",
            "[::1]:",
            "[::1",
            ":80",
            "a b:80",
            "h:70000",
        ] {
            assert!(
                matches!(Authority::parse(bad, 80), Err(Error::InvalidURL { .. })),
                "{bad}"
            );
        }
        let a = Authority::parse("[fe80::1%eth0]:81", 80).unwrap();
        assert_eq!(a.host(), "fe80::1%eth0");
        assert_eq!(a.host_header(), "[fe80::1]:81");
        assert_eq!(a.socket_addr_string(), "[fe80::1%eth0]:81");
        assert_eq!(Authority::parse("::1", 80).unwrap().host_header(), "[::1]");
    }

    #[test]
    fn absolute_form_host() {
        assert_eq!(
            host_from_absolute_target("http://example.com/x").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            host_from_absolute_target("HTTP://u:p@example.com:8080?q").as_deref(),
            Some("example.com:8080")
        );
        assert_eq!(
            host_from_absolute_target("https://[::1]:443/").as_deref(),
            Some("[::1]")
        );
        assert_eq!(host_from_absolute_target("/path"), None);
    }
}
