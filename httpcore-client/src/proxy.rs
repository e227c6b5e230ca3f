//! Proxies: a forward proxy for `http://` (requests in absolute-form, RFC
//! 9112 §3.2.2) and a CONNECT tunnel for `https://` (RFC 9110 §9.3.6), with
//! Basic credentials taken from the proxy URL's userinfo and sent to the
//! proxy only.

use httpcore::{Authority, Config, TunnelOpener};

use crate::target::redact;
use crate::Error;

/// A proxy, from `http://[user[:password]@]host[:port]` (or `host:port`;
/// the port defaults to 80), or — with the `socks` feature —
/// `socks5://…` / `socks5h://…` (port 1080 by default; `socks5h` lets the
/// proxy resolve the target's name).
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    authority: Authority,
    /// `Basic <base64(user:password)>`, when the URL had userinfo.
    authorization: Option<String>,
    /// For a SOCKS5 proxy: whether it resolves names (`socks5h`), and the
    /// URL's username and password.
    socks: Option<(bool, Option<(String, String)>)>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Credentials stay out of logs.
        f.debug_struct("Proxy")
            .field("authority", &self.authority)
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "<set>"),
            )
            .finish()
    }
}

impl Proxy {
    /// Parse a proxy URL. Only `http://` proxies (the connection to the
    /// proxy is plain TCP); userinfo is percent-decoded.
    pub fn parse(url: &str) -> Result<Proxy, Error> {
        let invalid = |reason| Error::InvalidProxy {
            url: redact(url),
            reason,
        };
        let (rest, socks) = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => (rest, None),
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("socks5") => (rest, Some(false)),
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("socks5h") => (rest, Some(true)),
            Some(_) => return Err(invalid("only http://, socks5:// and socks5h:// proxies")),
            None => (url, None),
        };
        if socks.is_some() && !cfg!(feature = "socks") {
            return Err(invalid("SOCKS5 needs the `socks` feature"));
        }
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#']) {
            return Err(invalid("a proxy URL has no path"));
        }
        let (userinfo, host) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let default_port = if socks.is_some() {
            1080
        } else {
            httpcore::status::HTTP_PORT
        };
        let authority =
            Authority::parse(host, default_port).map_err(|_| invalid("bad host or port"))?;
        let mut socks_credentials = None;
        let authorization = match userinfo {
            None => None,
            Some(u) => {
                let (user, password) = u.split_once(':').unwrap_or((u, ""));
                let user = percent_decode(user).ok_or_else(|| invalid("bad %-escape"))?;
                let password = percent_decode(password).ok_or_else(|| invalid("bad %-escape"))?;
                if socks.is_some() {
                    let text = |b: &[u8]| String::from_utf8(b.to_vec()).ok();
                    let (u, p) = text(&user)
                        .zip(text(&password))
                        .ok_or_else(|| invalid("SOCKS credentials must be UTF-8"))?;
                    socks_credentials = Some((u, p));
                }
                let mut credentials = user;
                credentials.push(b':');
                credentials.extend_from_slice(&password);
                Some(format!("Basic {}", base64(&credentials)))
            }
        };
        Ok(Proxy {
            authority,
            authorization: authorization.filter(|_| socks.is_none()),
            socks: socks.map(|remote| (remote, socks_credentials)),
        })
    }

    /// The proxy's host and port: where the TCP connection goes.
    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// The `Proxy-Authorization` value its URL's credentials call for.
    pub fn authorization(&self) -> Option<&str> {
        self.authorization.as_deref()
    }

    /// How a request to `origin` goes through this proxy: in absolute-form
    /// for `http://`, through a CONNECT tunnel for `https://`.
    pub fn route(&self, origin: &Authority, https: bool) -> Route {
        if let Some((remote_dns, credentials)) = &self.socks {
            return Route::Socks(SocksRoute {
                target: origin.clone(),
                remote_dns: *remote_dns,
                credentials: credentials.clone(),
            });
        }
        let auth = self
            .authorization
            .iter()
            .map(|v| ("Proxy-Authorization".to_string(), v.clone()));
        if https {
            Route::Tunnel(Tunnel {
                target: origin.clone(),
                headers: auth.collect(),
            })
        } else {
            Route::Forward(Forward {
                prefix: format!("http://{}", origin.host_header()),
                authorization: self.authorization.clone(),
            })
        }
    }
}

/// How requests reach their origin through a proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Through a SOCKS5 proxy: its handshake, then the origin's stream
    /// (origin-form requests; TLS to the origin inside for `https://`).
    Socks(SocksRoute),
    /// Requests in absolute-form to the proxy.
    Forward(Forward),
    /// A CONNECT tunnel, then requests as if to the origin.
    Tunnel(Tunnel),
}

/// Forwarding through an HTTP proxy: each request's target in absolute-form,
/// with the proxy's credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Forward {
    /// `http://host[:port]`, put before an origin-form target.
    prefix: String,
    authorization: Option<String>,
}

impl std::fmt::Debug for Forward {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forward")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl Forward {
    /// The target to send for `target`: an origin-form target (`/path`) in
    /// absolute-form; anything else (already absolute, `*`) as it is.
    pub fn target(&self, target: &str) -> String {
        if target.starts_with('/') {
            format!("{}{target}", self.prefix)
        } else {
            target.to_string()
        }
    }

    /// The `Proxy-Authorization` value to send with each request.
    pub fn authorization(&self) -> Option<&str> {
        self.authorization.as_deref()
    }
}

/// A CONNECT tunnel through a proxy to `target` (httplib's `set_tunnel`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tunnel {
    target: Authority,
    headers: Vec<(String, String)>,
}

impl Tunnel {
    /// A tunnel to `host` (`host[:port]`), `port` overriding the port in it,
    /// `default_port` when neither names one; `headers` go with the CONNECT
    /// (e.g. `Proxy-Authorization`).
    pub fn new(
        host: &str,
        port: Option<u16>,
        default_port: u16,
        headers: &[(&str, &str)],
    ) -> Result<Tunnel, Error> {
        let mut target = Authority::parse(host, default_port)?;
        if let Some(p) = port {
            target = Authority::new(target.host(), p, default_port);
        }
        Ok(Tunnel {
            target,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        })
    }

    /// The origin at the far end: the `Host` of the requests inside, and the
    /// name TLS verifies.
    pub fn target(&self) -> &Authority {
        &self.target
    }

    /// The CONNECT exchange to run with `proxy` (the engine writes the
    /// request and reads the answer).
    pub fn opener(&self, proxy: Authority, config: Config) -> Result<TunnelOpener, Error> {
        Ok(TunnelOpener::new(
            proxy,
            &self.target,
            &self.headers,
            config,
        )?)
    }
}

/// Where a client's connections go and how its requests reach their
/// server: directly, through a forward proxy, or through a CONNECT tunnel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Where the TCP connection goes: the server, or a proxy.
    connect_to: Authority,
    /// The server the requests are for (`Host`, the name TLS verifies).
    origin: Authority,
    https: bool,
    route: Option<Route>,
}

impl Endpoint {
    /// The server at `host[:port]` (the scheme's default port), directly.
    pub fn new(host: &str, https: bool) -> Result<Endpoint, Error> {
        let port = if https {
            httpcore::status::HTTPS_PORT
        } else {
            httpcore::status::HTTP_PORT
        };
        Ok(Endpoint::direct(Authority::parse(host, port)?, https))
    }

    /// The server `origin`, directly.
    pub fn direct(origin: Authority, https: bool) -> Endpoint {
        Endpoint {
            connect_to: origin.clone(),
            origin,
            https,
            route: None,
        }
    }

    /// Through the server given to [`new`](Self::new), now a proxy, with a
    /// CONNECT tunnel to `host` (httplib's `set_tunnel`): `port` overrides
    /// the port in `host`; `headers` go with the CONNECT.
    pub fn set_tunnel(
        &mut self,
        host: &str,
        port: Option<u16>,
        headers: &[(&str, &str)],
    ) -> Result<(), Error> {
        let tunnel = Tunnel::new(host, port, self.origin.default_port(), headers)?;
        self.origin = tunnel.target().clone();
        self.route = Some(Route::Tunnel(tunnel));
        Ok(())
    }

    /// Through `proxy`: in absolute-form for `http://`, a CONNECT tunnel
    /// for `https://`.
    pub fn set_proxy(&mut self, proxy: &Proxy) {
        self.route = Some(proxy.route(&self.origin, self.https));
        self.connect_to = proxy.authority().clone();
    }

    /// Where the TCP connection goes.
    pub fn connect_to(&self) -> &Authority {
        &self.connect_to
    }

    /// The server the requests are for.
    pub fn origin(&self) -> &Authority {
        &self.origin
    }

    /// The SOCKS5 proxy's route, when there is one.
    pub fn socks(&self) -> Option<&SocksRoute> {
        match &self.route {
            Some(Route::Socks(s)) => Some(s),
            _ => None,
        }
    }

    /// The tunnel to open after connecting, if any.
    pub fn tunnel(&self) -> Option<&Tunnel> {
        match &self.route {
            Some(Route::Tunnel(t)) => Some(t),
            _ => None,
        }
    }

    /// The forward proxy the requests go through, if any (for
    /// [`Exchange::set_forward`](crate::Exchange::set_forward)).
    pub fn forward(&self) -> Option<Forward> {
        match &self.route {
            Some(Route::Forward(f)) => Some(f.clone()),
            _ => None,
        }
    }
}

/// `url` with any userinfo replaced, for error messages.
/// The way through a SOCKS5 proxy to one origin.
#[derive(Clone, PartialEq, Eq)]
pub struct SocksRoute {
    target: Authority,
    remote_dns: bool,
    credentials: Option<(String, String)>,
}

impl std::fmt::Debug for SocksRoute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocksRoute")
            .field("target", &self.target)
            .field("remote_dns", &self.remote_dns)
            .field("credentials", &self.credentials.as_ref().map(|_| "<set>"))
            .finish()
    }
}

impl SocksRoute {
    /// Whether the target's name must be resolved here first (`socks5://`)
    /// — then pass its address to `opener` (feature `socks`).
    pub fn resolves_locally(&self) -> bool {
        !self.remote_dns && self.target.host().parse::<std::net::IpAddr>().is_err()
    }

    /// The target.
    pub fn target(&self) -> &Authority {
        &self.target
    }

    /// The handshake, for the target's name (`socks5h://`) or the address
    /// it resolved to (`resolved`, for `socks5://`).
    #[cfg(feature = "socks")]
    pub fn opener(
        &self,
        resolved: Option<std::net::IpAddr>,
    ) -> Result<crate::socks::Socks5Opener, Error> {
        use crate::socks::{Socks5Opener, SocksTarget};
        let port = self.target.port();
        let host = self.target.host();
        let target = match (host.parse::<std::net::IpAddr>(), resolved) {
            (Ok(ip), _) => SocksTarget::Ip(ip, port),
            (Err(_), Some(ip)) if !self.remote_dns => SocksTarget::Ip(ip, port),
            _ => SocksTarget::Name(host.to_string(), port),
        };
        let credentials = self
            .credentials
            .as_ref()
            .map(|(u, p)| (u.as_str(), p.as_str()));
        Socks5Opener::new(target, credentials)
    }
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Standard base64 with padding (RFC 4648 §4), for Basic credentials.
pub(crate) fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for group in data.chunks(3) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= group.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
            ("Aladdin:open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded, "{plain:?}");
        }
    }

    #[test]
    fn proxy_urls_parse_with_and_without_credentials() {
        let p = Proxy::parse("http://user:p%40ss@proxy.example:3128").unwrap();
        assert_eq!(p.authority().host(), "proxy.example");
        assert_eq!(p.authority().port(), 3128);
        // "user:p@ss"
        assert_eq!(p.authorization(), Some("Basic dXNlcjpwQHNz"));
        let p = Proxy::parse("127.0.0.1:8080").unwrap();
        assert_eq!((p.authority().port(), p.authorization()), (8080, None));
        let p = Proxy::parse("http://[::1]/").unwrap();
        assert_eq!((p.authority().host(), p.authority().port()), ("::1", 80));
        assert_eq!(
            Proxy::parse("http://u@h:1").unwrap().authorization(),
            Some("Basic dTo=")
        );
    }

    #[test]
    fn bad_proxy_urls_are_typed_errors_without_the_password() {
        for bad in [
            "socks4://h:1",
            "https://h:1",
            "http://h:1/path",
            "http://h:port",
            "http://u:pw%zz@h:1",
            "http://u:secret@",
        ] {
            let e = Proxy::parse(bad).unwrap_err();
            assert_eq!(e.name(), "InvalidProxy", "{bad}");
            assert!(!e.to_string().contains("secret"), "{e}");
        }
        assert!(!format!("{:?}", Proxy::parse("http://u:secret@h:1").unwrap()).contains("c2Vj"));
    }

    #[test]
    #[cfg(feature = "socks")]
    fn socks_urls_take_their_port_credentials_and_who_resolves() {
        let p = Proxy::parse("socks5h://user:p%40ss@proxy").unwrap();
        assert_eq!(p.authority().port(), 1080);
        assert_eq!(p.authorization(), None, "no Proxy-Authorization for SOCKS");
        assert!(!format!("{p:?}").contains("p@ss"));
        let origin = Authority::parse("origin.example", 443).unwrap();
        let Route::Socks(route) = p.route(&origin, true) else {
            panic!("a SOCKS route")
        };
        assert!(!route.resolves_locally(), "socks5h: the proxy resolves");
        assert!(!format!("{route:?}").contains("p@ss"));
        let p = Proxy::parse("SOCKS5://10.0.0.1:9050").unwrap();
        let Route::Socks(route) = p.route(&origin, false) else {
            panic!("a SOCKS route")
        };
        assert!(route.resolves_locally(), "socks5: the client resolves");
        assert!(route.opener(Some("192.0.2.1".parse().unwrap())).is_ok());
    }

    #[test]
    #[cfg(not(feature = "socks"))]
    fn socks_urls_need_the_feature() {
        let e = Proxy::parse("socks5://h:1").unwrap_err();
        assert!(e.to_string().contains("`socks` feature"), "{e}");
    }

    #[test]
    fn http_goes_in_absolute_form_and_https_through_connect() {
        let p = Proxy::parse("http://u:p@proxy:3128").unwrap();
        let origin = Authority::parse("origin.example:8080", 80).unwrap();
        let Route::Forward(f) = p.route(&origin, false) else {
            panic!("http is forwarded")
        };
        assert_eq!(f.target("/a?b"), "http://origin.example:8080/a?b");
        assert_eq!(f.target("http://x/"), "http://x/");
        assert_eq!(f.authorization(), Some("Basic dTpw"));
        let default = Authority::parse("origin.example", 80).unwrap();
        let Route::Forward(f) = p.route(&default, false) else {
            panic!()
        };
        assert_eq!(f.target("/"), "http://origin.example/");
        let Route::Tunnel(t) = p.route(&Authority::parse("o:443", 443).unwrap(), true) else {
            panic!("https is tunnelled")
        };
        let mut opener = t.opener(p.authority().clone(), Config::default()).unwrap();
        let sent = opener.poll_transmit().unwrap();
        assert_eq!(
            &sent[..],
            b"CONNECT o:443 HTTP/1.1\r\nHost: o:443\r\nProxy-Authorization: Basic dTpw\r\n\r\n"
        );
    }
}
