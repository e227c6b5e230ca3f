//! Proxies from the environment, as curl and reqwest read them:
//! `http_proxy` for `http://` URLs, `https_proxy` for `https://`,
//! `all_proxy` for either when the scheme's own is not set, and
//! `no_proxy` for the hosts that go direct. Each also in upper case; the
//! lower case wins. `HTTP_PROXY` in upper case is ignored when
//! `REQUEST_METHOD` is set — in a CGI program it is whatever a client sent
//! as a `Proxy:` header ("httpoxy").
//!
//! Loopback targets (`localhost`, `127.0.0.0/8`, `::1`) always go direct,
//! as in Go's `ProxyFromEnvironment`: a proxy set for the outside world is
//! not meant for this machine's own servers.
//!
//! `no_proxy` is a comma-separated list: `*` (everything), a domain
//! (`example.com` matches it and every name under it; a leading `.` or
//! `*.` means the same), an IP address, or a CIDR block (`10.0.0.0/8`,
//! `fd00::/8`); an entry may end in `:port` to match that port only.

use std::net::IpAddr;

use crate::{Error, Proxy};

/// The proxies the environment names, and the hosts that bypass them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvProxies {
    http: Option<Proxy>,
    https: Option<Proxy>,
    no_proxy: NoProxy,
}

impl EnvProxies {
    /// From this process's environment.
    pub fn from_env() -> Result<EnvProxies, Error> {
        EnvProxies::from_vars(|name| std::env::var(name).ok())
    }

    /// From variables looked up with `var` (for tests, and for programs
    /// that keep their settings elsewhere). An empty value counts as
    /// unset; a value that is not a proxy URL is `InvalidProxy`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<EnvProxies, Error> {
        let get = |lower: &str| {
            let upper = lower.to_ascii_uppercase();
            let cgi = lower == "http_proxy" && var("REQUEST_METHOD").is_some();
            var(lower)
                .or_else(|| if cgi { None } else { var(&upper) })
                .filter(|v| !v.trim().is_empty())
        };
        let parse = |v: Option<String>| v.map(|v| Proxy::parse(v.trim())).transpose();
        let all = parse(get("all_proxy"))?;
        Ok(EnvProxies {
            http: parse(get("http_proxy"))?.or_else(|| all.clone()),
            https: parse(get("https_proxy"))?.or(all),
            no_proxy: NoProxy::parse(&get("no_proxy").unwrap_or_default()),
        })
    }

    /// The proxy for a request to `host:port` (`https` or not), if any.
    pub fn for_target(&self, https: bool, host: &str, port: u16) -> Option<&Proxy> {
        let proxy = if https { &self.https } else { &self.http };
        proxy
            .as_ref()
            .filter(|_| !is_loopback(host) && !self.no_proxy.matches(host, port))
    }
}

/// The `no_proxy` list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoProxy {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Rule {
    Everything,
    Domain(String),
    Net(IpAddr, u8),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    rule: Rule,
    port: Option<u16>,
}

impl NoProxy {
    /// Parse a `no_proxy` value; entries that are neither a name, an
    /// address nor a block are skipped.
    pub fn parse(value: &str) -> NoProxy {
        let entries = value
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .filter_map(entry)
            .collect();
        NoProxy { entries }
    }

    /// Whether a request to `host:port` goes direct.
    pub fn matches(&self, host: &str, port: u16) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let ip: Option<IpAddr> = host.parse().ok();
        self.entries.iter().any(|e| {
            e.port.is_none_or(|p| p == port)
                && match &e.rule {
                    Rule::Everything => true,
                    Rule::Domain(d) => {
                        ip.is_none()
                            && (host == *d
                                || host
                                    .strip_suffix(d.as_str())
                                    .is_some_and(|s| s.ends_with('.')))
                    }
                    Rule::Net(net, bits) => ip.is_some_and(|ip| in_net(ip, *net, *bits)),
                }
        })
    }
}

/// `localhost` (and names under it) or a loopback address.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn entry(text: &str) -> Option<Entry> {
    if text == "*" {
        return Some(Entry {
            rule: Rule::Everything,
            port: None,
        });
    }
    // A port: `host:port`, `[v6]:port`, `v4/bits:port`; a bare IPv6
    // address has colons of its own.
    let (body, port) = match text.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.ends_with(']') => (h, Some(p.parse().ok()?)),
        _ => (text, None),
    };
    let body = body.trim_start_matches('[').trim_end_matches(']');
    if let Some((net, bits)) = body.split_once('/') {
        let net: IpAddr = net.parse().ok()?;
        let bits: u8 = bits.parse().ok()?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        return (bits <= max).then_some(Entry {
            rule: Rule::Net(net, bits),
            port,
        });
    }
    if let Ok(ip) = body.parse::<IpAddr>() {
        let bits = if ip.is_ipv4() { 32 } else { 128 };
        return Some(Entry {
            rule: Rule::Net(ip, bits),
            port,
        });
    }
    let domain = body
        .trim_start_matches("*.")
        .trim_start_matches('.')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    (!domain.is_empty()).then_some(Entry {
        rule: Rule::Domain(domain),
        port,
    })
}

fn in_net(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_matches_names_suffixes_addresses_blocks_ports_and_everything() {
        let list = NoProxy::parse(
            "example.com, .internal.test, *.wild.test, 10.0.0.0/8, 192.168.1.7, ::1, fd00::/8, api.test:8443, [::2]:8080",
        );
        let table: &[(&str, u16, bool)] = &[
            ("example.com", 80, true),
            ("EXAMPLE.com.", 80, true),
            ("www.example.com", 443, true),
            ("notexample.com", 80, false),
            ("example.com.evil", 80, false),
            ("internal.test", 80, true),
            ("a.b.internal.test", 80, true),
            ("wild.test", 80, true),
            ("x.wild.test", 80, true),
            ("10.1.2.3", 80, true),
            ("11.1.2.3", 80, false),
            ("192.168.1.7", 80, true),
            ("192.168.1.8", 80, false),
            ("::1", 80, true),
            ("[::1]", 80, true),
            ("fd12::5", 80, true),
            ("fe80::1", 80, false),
            ("api.test", 8443, true),
            ("api.test", 443, false),
            ("::2", 8080, true),
            ("::2", 80, false),
            ("other.test", 80, false),
        ];
        for &(host, port, direct) in table {
            assert_eq!(list.matches(host, port), direct, "{host}:{port}");
        }
        let all = NoProxy::parse(" * ");
        assert!(all.matches("anything.test", 1) && all.matches("10.0.0.1", 80));
        let none = NoProxy::parse("");
        assert!(!none.matches("example.com", 80));
        // Entries that are nothing are skipped, not fatal.
        let odd = NoProxy::parse("10.0.0.0/99, :, example.org");
        assert!(odd.matches("example.org", 80) && !odd.matches("10.0.0.1", 80));
    }

    #[test]
    fn the_environment_picks_a_proxy_per_scheme_and_lower_case_wins() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let env = EnvProxies::from_vars(vars(&[
            ("http_proxy", "http://lower:3128"),
            ("HTTP_PROXY", "http://upper:3128"),
            ("HTTPS_PROXY", "http://user:pw@secure:8080"),
            ("NO_PROXY", "localhost,127.0.0.1"),
        ]))
        .unwrap();
        let host = |p: Option<&Proxy>| p.map(|p| p.authority().host().to_string());
        assert_eq!(
            host(env.for_target(false, "example.com", 80)).as_deref(),
            Some("lower")
        );
        assert_eq!(
            host(env.for_target(true, "example.com", 443)).as_deref(),
            Some("secure")
        );
        assert!(env
            .for_target(true, "example.com", 443)
            .unwrap()
            .authorization()
            .is_some());
        assert_eq!(env.for_target(false, "localhost", 80), None);
        assert_eq!(env.for_target(true, "127.0.0.1", 443), None);
        // all_proxy stands in for a scheme without its own.
        let env = EnvProxies::from_vars(vars(&[("ALL_PROXY", "http://every:1")])).unwrap();
        assert!(env.for_target(false, "a.test", 80).is_some());
        assert!(env.for_target(true, "a.test", 443).is_some());
        // CGI: HTTP_PROXY is a request header there, never a proxy.
        let env = EnvProxies::from_vars(vars(&[
            ("REQUEST_METHOD", "GET"),
            ("HTTP_PROXY", "http://attacker:1"),
        ]))
        .unwrap();
        assert_eq!(env.for_target(false, "a.test", 80), None);
        // This machine's own servers go direct.
        let env = EnvProxies::from_vars(vars(&[("http_proxy", "http://p:1")])).unwrap();
        for local in [
            "localhost",
            "api.localhost",
            "127.0.0.1",
            "127.9.9.9",
            "::1",
            "[::1]",
        ] {
            assert_eq!(env.for_target(false, local, 80), None, "{local}");
        }
        assert!(env.for_target(false, "localhost.example", 80).is_some());
        // Nothing set, or set empty: no proxy.
        let env = EnvProxies::from_vars(vars(&[("http_proxy", " ")])).unwrap();
        assert_eq!(env, EnvProxies::default());
        let e = EnvProxies::from_vars(vars(&[("https_proxy", "ftp://x:1")])).unwrap_err();
        assert_eq!(e.name(), "InvalidProxy");
    }
}
