//! What a pooled client (std's `Agent`, tokio's `Client`, mio's `Driver`)
//! is configured with: one struct, so the three read the same way.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use httpcore::{Authority, Config};

use crate::connect::{Resolve, SystemResolver, ATTEMPT_DELAY};
use crate::decode::DecodeLimits;

use crate::pool::{PoolConfig, PoolKey};
use crate::redirect::Redirects;
use crate::target::Target;
use crate::{Endpoint, EnvProxies, Error, Proxy, Retries, Timeouts, TlsOptions};

/// Everything a pooled client is configured with.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// Pool limits: per host (waiters queue past it), idle per host and in
    /// all, idle expiry.
    pub pool: PoolConfig,
    /// Connect, read and write timeouts of each connection (each phase's
    /// own limit).
    pub timeouts: Timeouts,
    /// One limit for a whole request — waiting for a pooled connection,
    /// connecting, TLS, sending, the head, the body, redirects included —
    /// beside each phase's own timeout. `None` (no limit) by default. When
    /// it runs out the error is `DeadlineExceeded` naming the phase.
    pub deadline: Option<Duration>,
    /// Turns host names into addresses (the operating system's by default;
    /// see [`crate::connect`]).
    pub resolver: Arc<dyn Resolve>,
    /// How long a connection attempt runs alone before the next address
    /// is tried beside it (RFC 8305; 250 ms).
    pub attempt_delay: Duration,
    /// TLS settings for `https://` (certificates verified by default).
    pub tls: TlsOptions,
    /// The engine's limits and leniencies.
    pub engine: Config,
    /// When a request goes again after the server closed a kept-alive
    /// connection under it.
    pub retries: Retries,
    /// A proxy for every request (absolute-form for `http://`, CONNECT for
    /// `https://`); it wins over the environment's.
    pub proxy: Option<Proxy>,
    /// Where else proxies come from: the process environment
    /// (`http_proxy`, `https_proxy`, `all_proxy`, `no_proxy`; read when the
    /// client is made), given values, or nowhere.
    pub env_proxies: EnvProxySource,
    /// The cap of the whole-body readers (`read_to_vec`, `read_all`):
    /// 10 MiB by default (as ureq); `BodyTooLarge` past it.
    pub max_body: usize,
    /// Ask for compressed bodies (`Accept-Encoding` with every coding this
    /// build decodes: the `gzip`, `brotli` and `zstd` features) and decode
    /// them, unless the request sets its own `Accept-Encoding` (then the
    /// body is handed over as it came). On by default when a coding is
    /// built in.
    pub decompress: bool,
    /// The decompression-bomb caps (see [`crate::decode`]).
    pub decode_limits: DecodeLimits,
    /// Which redirects are followed: none by default
    /// (`Redirects::follow(10)` to opt in; see [`crate::redirect`]).
    pub redirects: Redirects,
}

/// Where a pooled client takes proxies from besides
/// [`ClientSettings::proxy`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum EnvProxySource {
    /// The process environment, read when the client is made (curl's and
    /// reqwest's variables; see [`EnvProxies`]).
    #[default]
    Process,
    /// These (as if read from an environment; for tests, and programs that
    /// keep such settings elsewhere).
    Given(Box<EnvProxies>),
    /// None: only `ClientSettings::proxy`.
    Off,
}

impl ClientSettings {
    /// The environment's proxies, as [`env_proxies`](Self::env_proxies)
    /// says (`InvalidProxy` for a variable that is not a proxy URL).
    pub fn env(&self) -> Result<EnvProxies, Error> {
        match &self.env_proxies {
            EnvProxySource::Process => EnvProxies::from_env(),
            EnvProxySource::Given(env) => Ok((**env).clone()),
            EnvProxySource::Off => Ok(EnvProxies::default()),
        }
    }

    /// Where a request to `url` goes: its pool key and its endpoint,
    /// through [`proxy`](Self::proxy) if set, else through the proxy
    /// `env` names for it (unless its `no_proxy` says direct).
    pub fn route(&self, env: &EnvProxies, url: &Target<'_>) -> (PoolKey, Endpoint) {
        let routed = self.routed(env, url);
        let endpoint = routed.endpoint();
        (routed.key, endpoint)
    }

    /// [`route`](Self::route), the endpoint left until it is needed: a
    /// request that goes on a kept-alive connection never builds one.
    /// The key's host is the one copy this makes of the URL.
    pub fn routed<'a>(&'a self, env: &'a EnvProxies, url: &Target<'_>) -> Routed<'a> {
        let (host, port) = (&*url.host, url.port);
        let proxy = self
            .proxy
            .as_ref()
            .or_else(|| env.for_target(url.https, host, port));
        // A parsed URL's host is lower-case already.
        let host = if host.bytes().any(|b| b.is_ascii_uppercase()) {
            host.to_ascii_lowercase()
        } else {
            host.to_owned()
        };
        let key = PoolKey {
            https: url.https,
            host,
            port,
            proxy: proxy.map(|p| p.authority().socket_addr_string()),
            tls: usize::from(url.https),
        };
        Routed { key, proxy }
    }

    /// The header fields a request with `headers` is sent with: those, and
    /// the [`accept_encoding`](Self::accept_encoding) value when there is
    /// one — then the response's body is to be decoded (the second
    /// value). Borrowed unless both are there.
    pub fn request_headers<'a>(
        &self,
        headers: &'a [(&'a str, &'a str)],
    ) -> (Cow<'a, [(&'a str, &'a str)]>, bool) {
        /// The field alone: a request without fields of its own borrows it.
        static ONLY_ACCEPT_ENCODING: [(&str, &str); 1] = [(
            "Accept-Encoding",
            match crate::decode::accept_encoding() {
                Some(v) => v,
                None => "",
            },
        )];
        match self.accept_encoding(headers) {
            None => (Cow::Borrowed(headers), false),
            Some(_) if headers.is_empty() => (Cow::Borrowed(&ONLY_ACCEPT_ENCODING[..]), true),
            Some(_) => (
                Cow::Owned([headers, &ONLY_ACCEPT_ENCODING[..]].concat()),
                true,
            ),
        }
    }

    /// The `Accept-Encoding` to add to a request with `headers`: the
    /// codings this build decodes, when decompression is on and the
    /// request does not set its own. A request it returns a value for has
    /// its body decoded.
    pub fn accept_encoding<N: AsRef<[u8]>, V>(&self, headers: &[(N, V)]) -> Option<&'static str> {
        if !self.decompress || crate::target::sets_field(headers, b"accept-encoding") {
            return None;
        }
        crate::decode::accept_encoding()
    }
}

/// Where a request goes, from [`ClientSettings::routed`]: its pool key,
/// and the [`Endpoint`] to open a connection to when the pool has none.
#[derive(Debug)]
pub struct Routed<'a> {
    /// The pool key.
    pub key: PoolKey,
    proxy: Option<&'a Proxy>,
}

impl Routed<'_> {
    /// The endpoint a new connection for this request goes to.
    pub fn endpoint(&self) -> Endpoint {
        let default_port = crate::target::scheme_port(self.key.https);
        let origin = Authority::new(self.key.host.clone(), self.key.port, default_port);
        let mut endpoint = Endpoint::direct(origin, self.key.https);
        if let Some(p) = self.proxy {
            endpoint.set_proxy(p);
        }
        endpoint
    }
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            pool: PoolConfig::default(),
            timeouts: Timeouts::default(),
            deadline: None,
            resolver: Arc::new(SystemResolver),
            attempt_delay: ATTEMPT_DELAY,
            tls: TlsOptions::default(),
            engine: Config::default(),
            retries: Retries::default(),
            proxy: None,
            env_proxies: EnvProxySource::Process,
            max_body: 10 << 20,
            decompress: crate::decode::accept_encoding().is_some(),
            decode_limits: DecodeLimits::default(),
            redirects: Redirects::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_headers_add_accept_encoding_and_borrow_when_they_can() {
        let mut s = ClientSettings {
            decompress: true,
            ..ClientSettings::default()
        };
        let value = crate::decode::accept_encoding();
        let mine = [("X-A", "1")];
        let (h, decode) = s.request_headers(&mine);
        match value {
            Some(v) => {
                assert!(decode && matches!(h, Cow::Owned(_)));
                assert_eq!(&h[..], &[("X-A", "1"), ("Accept-Encoding", v)]);
                let (h, _) = s.request_headers(&[]);
                assert!(matches!(h, Cow::Borrowed(_)));
                assert_eq!(&h[..], &[("Accept-Encoding", v)]);
            }
            None => assert!(!decode && matches!(h, Cow::Borrowed(_))),
        }
        // The caller's own Accept-Encoding: theirs alone, nothing decoded.
        let own = [("accept-encoding", "identity")];
        let (h, decode) = s.request_headers(&own);
        assert!(!decode && matches!(h, Cow::Borrowed(_)) && h.len() == 1);
        s.decompress = false;
        let (h, decode) = s.request_headers(&mine);
        assert!(!decode && matches!(h, Cow::Borrowed(_)) && h.len() == 1);
    }

    #[test]
    fn routes_key_on_the_lower_case_host_and_the_port_and_connect_there() {
        let s = ClientSettings {
            env_proxies: EnvProxySource::Off,
            ..ClientSettings::default()
        };
        let env = s.env().unwrap();
        let by_hand = |https, host: &'static str, port| Target {
            https,
            host: Cow::Borrowed(host),
            port,
            target: Cow::Borrowed("/"),
            credentials: None,
        };
        let (key, endpoint) = s.route(&env, &by_hand(true, "API.Example.com", 443));
        assert_eq!(
            (key.https, &*key.host, key.port, key.tls),
            (true, "api.example.com", 443, 1)
        );
        assert_eq!(key.proxy, None);
        assert_eq!(endpoint.origin().host_header(), "api.example.com");
        let (key, endpoint) = s.route(&env, &by_hand(false, "::1", 8080));
        assert_eq!((&*key.host, key.port), ("::1", 8080));
        assert_eq!(endpoint.origin().host_header(), "[::1]:8080");
        let parsed = Target::parse("http://h.example:81/x").unwrap();
        assert_eq!(s.routed(&env, &parsed).key.port, 81);
    }
}
