//! What a pooled client (std's `Agent`, tokio's `Client`, mio's `Driver`)
//! is configured with: one struct, so the three read the same way.

use std::sync::Arc;
use std::time::Duration;

use httpcore::Config;

use crate::connect::{Resolve, SystemResolver, ATTEMPT_DELAY};
use crate::decode::DecodeLimits;
use crate::pool::PoolConfig;
use crate::redirect::Redirects;
use crate::{Proxy, Retries, Timeouts, TlsOptions};

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
    /// `https://`).
    pub proxy: Option<Proxy>,
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

impl ClientSettings {
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
            max_body: 10 << 20,
            decompress: crate::decode::accept_encoding().is_some(),
            decode_limits: DecodeLimits::default(),
            redirects: Redirects::default(),
        }
    }
}
