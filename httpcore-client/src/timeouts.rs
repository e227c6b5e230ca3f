//! Per-phase timeouts: how long connecting, each read and each write may
//! take. The adapters run them with their own timers; the layer only names
//! them.

use std::time::Duration;

/// Connect, read and write timeouts. `None` waits forever.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timeouts {
    /// For establishing the TCP connection (each address tried), and the
    /// TLS handshake and CONNECT tunnel after it.
    pub connect: Option<Duration>,
    /// For each read from the socket.
    pub read: Option<Duration>,
    /// For each write to the socket.
    pub write: Option<Duration>,
}

impl Timeouts {
    /// The same timeout for everything, like httplib's `timeout`.
    pub fn all(t: Duration) -> Timeouts {
        Timeouts {
            connect: Some(t),
            read: Some(t),
            write: Some(t),
        }
    }
}
