//! Opening a CONNECT tunnel through a proxy (httplib's `set_tunnel`),
//! sans-IO: the request to send, then the proxy's answer read until it says
//! yes (the bytes after its head belong to the tunnel) or no.

use bytes::Bytes;

use crate::{Authority, Config, Connection, Error, Framing};

/// The CONNECT exchange with a proxy, before the tunnel carries anything.
///
/// ```
/// use httpcore::{Authority, Config, TunnelOpener};
///
/// let proxy = Authority::parse("proxy.example:3128", 80)?;
/// let target = Authority::parse("origin.example:443", 443)?;
/// let mut t = TunnelOpener::new(proxy, &target, &[("Proxy-Authorization", "Basic eDp5")], Config::default())?;
/// let request = t.poll_transmit().unwrap();
/// assert!(request.starts_with(b"CONNECT origin.example:443 HTTP/1.1\r\nHost: origin.example:443\r\n"));
/// t.handle_data(b"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03");
/// assert_eq!(t.poll_established()?.as_deref(), Some(&b"\x16\x03"[..]));
/// # Ok::<(), httpcore::Error>(())
/// ```
#[derive(Debug)]
pub struct TunnelOpener {
    conn: Connection,
}

impl TunnelOpener {
    /// The CONNECT request for `target` (its `Host` is the target), with
    /// `headers` (`Proxy-Authorization`, ...), to send to `proxy`.
    pub fn new<N: AsRef<[u8]>, V: AsRef<[u8]>>(
        proxy: Authority,
        target: &Authority,
        headers: &[(N, V)],
        config: Config,
    ) -> Result<TunnelOpener, Error> {
        let mut conn = Connection::new(proxy, config);
        let target = target.socket_addr_string();
        conn.put_request("CONNECT", &target, true, true)?;
        conn.put_header("Host", &target)?;
        for (n, v) in headers {
            conn.put_header(n, v)?;
        }
        conn.end_headers()?;
        Ok(TunnelOpener { conn })
    }

    /// The bytes of the CONNECT request, to write to the proxy.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        self.conn.poll_transmit()
    }

    /// Space to read the proxy's answer into; report with
    /// [`handle_recv`](Self::handle_recv).
    pub fn begin_recv(&mut self) -> &mut [u8] {
        self.conn.begin_recv()
    }

    /// `n` bytes were read into [`begin_recv`](Self::begin_recv).
    pub fn handle_recv(&mut self, n: usize) {
        self.conn.handle_recv(n)
    }

    /// A stream read wrote `n` bytes into [`begin_recv`](Self::begin_recv),
    /// `0` meaning the proxy closed the connection.
    pub fn handle_read(&mut self, n: usize) {
        self.conn.handle_read(n)
    }

    /// Bytes from the proxy (copied).
    pub fn handle_data(&mut self, data: &[u8]) {
        self.conn.handle_data(data)
    }

    /// The proxy closed the connection.
    pub fn handle_eof(&mut self) {
        self.conn.handle_eof()
    }

    /// `Ok(Some(leftover))` once the proxy said 2xx: the tunnel is open,
    /// and `leftover` are bytes that came after the proxy's head (the
    /// tunnel's first bytes, to hand to whatever runs over it).
    /// `Ok(None)`: more bytes needed. `TunnelRefused` for any other final
    /// answer; the engine's errors for a malformed one.
    pub fn poll_established(&mut self) -> Result<Option<Bytes>, Error> {
        loop {
            let Some(head) = self.conn.poll_head()? else {
                return Ok(None);
            };
            match head.framing {
                Framing::Interim => continue,
                Framing::Switched => {
                    // Drain the exchange's end, then take what followed.
                    while self.conn.poll_event()?.is_some() {}
                    return Ok(Some(self.conn.take_leftover()));
                }
                _ => {
                    return Err(Error::TunnelRefused {
                        status: head.status.status,
                        reason: String::from_utf8_lossy(head.status.reason).into_owned(),
                    })
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opener() -> TunnelOpener {
        let proxy = Authority::parse("proxy:3128", 80).unwrap();
        let target = Authority::parse("[::1]:8443", 443).unwrap();
        TunnelOpener::new(proxy, &target, &[] as &[(&str, &str)], Config::default()).unwrap()
    }

    #[test]
    fn the_request_names_the_target_and_nothing_else() {
        let mut t = opener();
        let b = t.poll_transmit().unwrap();
        assert_eq!(
            &b[..],
            b"CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n"
        );
        assert!(t.poll_transmit().is_none());
    }

    #[test]
    fn established_split_anywhere_keeps_the_leftover() {
        let answer = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX: y\r\n\r\nTLS";
        for cut in 0..answer.len() {
            let mut t = opener();
            t.poll_transmit();
            t.handle_data(&answer[..cut]);
            let early = t.poll_established().unwrap();
            t.handle_data(&answer[cut..]);
            let leftover = match early {
                Some(l) => {
                    // Established before the rest came: the rest is the tunnel's.
                    let mut all = l.to_vec();
                    all.extend_from_slice(&t.conn.take_leftover());
                    all
                }
                None => t.poll_established().unwrap().unwrap().to_vec(),
            };
            assert_eq!(leftover, b"TLS", "cut at {cut}");
        }
    }

    #[test]
    fn a_refusal_is_tunnel_refused_with_status_and_reason() {
        let mut t = opener();
        t.handle_data(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
        match t.poll_established() {
            Err(Error::TunnelRefused {
                status: 407,
                reason,
            }) => {
                assert_eq!(reason, "Proxy Authentication Required")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_proxy_that_closes_first_is_remote_disconnected() {
        let mut t = opener();
        t.poll_transmit();
        t.handle_eof();
        assert_eq!(
            t.poll_established().unwrap_err().name(),
            "RemoteDisconnected"
        );
    }
}
