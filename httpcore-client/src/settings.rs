//! What a pooled client (std's `Agent`, tokio's `Client`, mio's `Driver`)
//! is configured with: one struct, so the three read the same way.

use std::sync::Arc;
use std::time::Duration;

use httpcore::{Config, Url};

use crate::connect::{Resolve, SystemResolver, ATTEMPT_DELAY};
use crate::decode::DecodeLimits;

use crate::pool::{PoolConfig, PoolKey};
use crate::redirect::Redirects;
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
    pub fn route(&self, env: &EnvProxies, url: &Url) -> Result<(PoolKey, Endpoint), Error> {
        let mut endpoint = Endpoint::new(&url.authority, url.https)?;
        let origin = endpoint.origin().clone();
        let proxy = self
            .proxy
            .as_ref()
            .or_else(|| env.for_target(url.https, origin.host(), origin.port()));
        if let Some(p) = proxy {
            endpoint.set_proxy(p);
        }
        let key = PoolKey {
            https: url.https,
            host: origin.host().to_ascii_lowercase(),
            port: origin.port(),
            proxy: proxy.map(|p| p.authority().socket_addr_string()),
            tls: usize::from(url.https),
        };
        Ok((key, endpoint))
    }

    /// The `Accept-Encoding` to add to a request with `headers`: the
    /// codings this build decodes, when decompression is on and the
    /// request does not set its own. A request it returns a value for has
    /// its body decoded.
    pub fn accept_encoding<N: AsRef<[u8]>, V>(&self, headers: &[(N, V)]) -> Option<&'static str> {
        let own = headers
            .iter()
            .any(|(n, _)| n.as_ref().eq_ignore_ascii_case(b"accept-encoding"));
        if !self.decompress || own {
            return None;
        }
        crate::decode::accept_encoding()
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
