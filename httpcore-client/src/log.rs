//! What the clients tell a `tracing` subscriber (feature `tracing`):
//! connections opened and reused, TLS, the pool's decisions, retries,
//! redirects, deadlines — as `debug` events under the target
//! `httpcore`, and httplib's debug lines (`set_debug_level`) as `info`
//! events under `httpcore::httplib`. Without the feature every function
//! here compiles to nothing, except [`httplib`], whose lines a caller
//! asked for and which then go to stderr. The library prints nothing else.

#[cfg(feature = "tracing")]
use tracing::{debug, info};

/// A connection to `to` (the server or a proxy) is being opened over
/// `addresses` resolved addresses.
pub fn connecting(to: &str, addresses: usize) {
    #[cfg(feature = "tracing")]
    debug!(target: "httpcore", to, addresses, "connecting");
    let _ = (to, addresses);
}

/// The TLS handshake with `host` completed.
pub fn tls_established(host: &str) {
    #[cfg(feature = "tracing")]
    debug!(target: "httpcore", host, "TLS established");
    let _ = host;
}

/// A kept-alive connection to `host` failed the idle check (the server
/// closed it or sent bytes nobody asked for): a new one is opened.
pub fn idle_check_failed(host: &str) {
    #[cfg(feature = "tracing")]
    debug!(target: "httpcore", host, "idle connection unusable, reconnecting");
    let _ = host;
}

/// The pool's decision for a request to `host:port`: `"reuse"`,
/// `"connect"`, `"wait"`, `"checkin"`, `"discard"`, `"expire"`.
pub fn pool(decision: &'static str, host: &str, port: u16) {
    #[cfg(feature = "tracing")]
    debug!(target: "httpcore", decision, host, port, "pool");
    let _ = (decision, host, port);
}

/// A request is sent again on a new connection after `error`.
pub fn retry(error: &dyn std::fmt::Display) {
    #[cfg(feature = "tracing")]
    debug!(target: "httpcore", %error, "retrying on a new connection");
    let _ = error;
}

/// A redirect is followed from `from` to `to`.
pub fn redirect(status: u16, from: &str, to: &str) {
    #[cfg(feature = "tracing")]
    debug!(
        target: "httpcore",
        status,
        from = %crate::target::redact(from),
        to = %crate::target::redact(to),
        "following a redirect"
    );
    let _ = (status, from, to);
}

/// One of httplib's debug lines (`set_debug_level`): an event with the
/// feature, else a line on stderr (the caller asked for it).
pub fn httplib(line: &str) {
    #[cfg(feature = "tracing")]
    info!(target: "httpcore::httplib", "{line}");
    #[cfg(not(feature = "tracing"))]
    eprintln!("{line}");
}
