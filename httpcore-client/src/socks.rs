//! The SOCKS5 handshake (RFC 1928, with RFC 1929's username and password),
//! sans-IO, beside the engine's CONNECT opener. The adapter's loop: ask
//! [`poll_established`](Socks5Opener::poll_established); write what
//! [`poll_transmit`](Socks5Opener::poll_transmit) gives; read (and
//! [`handle_data`](Socks5Opener::handle_data)) only when there was nothing
//! to write. Once `poll_established` says so, the connection is a byte
//! pipe to the target (HTTP, or TLS to
//! the origin, runs inside). `socks5://` sends the target's address, which
//! the client resolved; `socks5h://` sends its name, for the proxy to
//! resolve.

use std::net::IpAddr;

use bytes::{Bytes, BytesMut};

use crate::Error;

/// Where the proxy is asked to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocksTarget {
    /// An address (`socks5://`: the client resolved the name).
    Ip(IpAddr, u16),
    /// A name, resolved by the proxy (`socks5h://`); at most 255 bytes.
    Name(String, u16),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The greeting went out; waiting for the method the proxy chose.
    Method,
    /// Username and password went out; waiting for their verdict.
    Auth,
    /// The CONNECT request went out; waiting for the reply.
    Reply,
    /// Connected.
    Open,
    /// Failed (the error was returned once).
    Failed,
}

/// One SOCKS5 handshake.
#[derive(Debug)]
pub struct Socks5Opener {
    target: SocksTarget,
    credentials: Option<(Vec<u8>, Vec<u8>)>,
    out: Option<Bytes>,
    received: BytesMut,
    step: Step,
}

impl Socks5Opener {
    /// A handshake asking for `target`, offering `credentials` (username,
    /// password; each at most 255 bytes) when given.
    pub fn new(
        target: SocksTarget,
        credentials: Option<(&str, &str)>,
    ) -> Result<Socks5Opener, Error> {
        if let SocksTarget::Name(name, _) = &target {
            if name.is_empty() || name.len() > 255 {
                return Err(socks("the target's name is empty or longer than 255 bytes"));
            }
        }
        let credentials = credentials.map(|(u, p)| (u.as_bytes().to_vec(), p.as_bytes().to_vec()));
        if credentials
            .as_ref()
            .is_some_and(|(u, p)| u.is_empty() || u.len() > 255 || p.len() > 255)
        {
            return Err(socks(
                "a username must be 1-255 bytes and a password at most 255",
            ));
        }
        // Greeting: version 5, the methods offered (no authentication, and
        // username/password when there are credentials).
        let greeting: &[u8] = if credentials.is_some() {
            &[5, 2, 0x00, 0x02]
        } else {
            &[5, 1, 0x00]
        };
        Ok(Socks5Opener {
            target,
            credentials,
            out: Some(Bytes::copy_from_slice(greeting)),
            received: BytesMut::new(),
            step: Step::Method,
        })
    }

    /// The next bytes to write to the proxy.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        self.out.take()
    }

    /// Bytes read from the proxy. An end of stream is [`handle_eof`](Self::handle_eof).
    pub fn handle_data(&mut self, data: &[u8]) {
        self.received.extend_from_slice(data);
    }

    /// The proxy closed the connection.
    pub fn handle_eof(&mut self) {
        if self.step != Step::Open {
            self.received.clear();
            self.step = Step::Failed;
        }
    }

    /// `Ok(Some(leftover))` once the tunnel is open (bytes the proxy sent
    /// after its reply: the start of the target's stream); `Ok(None)`
    /// while more bytes are needed (write what `poll_transmit` gives, then
    /// read); an error for a refusal or a reply that is not SOCKS5.
    pub fn poll_established(&mut self) -> Result<Option<Bytes>, Error> {
        loop {
            match self.step {
                Step::Open => return Ok(Some(self.received.split().freeze())),
                Step::Failed => {
                    return Err(socks(
                        "the proxy closed the connection during the handshake",
                    ))
                }
                Step::Method => {
                    let Some(reply) = self.take(2) else {
                        return Ok(None);
                    };
                    self.fail_unless(reply[0] == 5, "the proxy does not speak SOCKS5")?;
                    match reply[1] {
                        0x00 => self.send_request(),
                        0x02 => match &self.credentials {
                            Some((user, password)) => {
                                let mut m = vec![1, user.len() as u8];
                                m.extend_from_slice(user);
                                m.push(password.len() as u8);
                                m.extend_from_slice(password);
                                self.out = Some(Bytes::from(m));
                                self.step = Step::Auth;
                            }
                            None => return self.fail("the proxy asks for a username and password"),
                        },
                        0xFF => return self.fail("the proxy accepts none of the offered methods"),
                        _ => return self.fail("the proxy chose a method that was not offered"),
                    }
                }
                Step::Auth => {
                    let Some(reply) = self.take(2) else {
                        return Ok(None);
                    };
                    self.fail_unless(reply[0] == 1, "a malformed authentication reply")?;
                    self.fail_unless(reply[1] == 0, "the proxy refused the username and password")?;
                    self.send_request();
                }
                Step::Reply => {
                    // VER REP RSV ATYP, then the bound address and port.
                    if self.received.len() < 5 {
                        return Ok(None);
                    }
                    let r: [u8; 5] = self.received[..5].try_into().expect("checked above");
                    self.fail_unless(r[0] == 5 && r[2] == 0, "a malformed reply")?;
                    if r[1] != 0 {
                        return self.fail(refusal(r[1]));
                    }
                    let address = match r[3] {
                        1 => 4,
                        4 => 16,
                        3 => 1 + usize::from(r[4]),
                        _ => return self.fail("a reply with an unknown address type"),
                    };
                    if self.take(4 + address + 2).is_none() {
                        return Ok(None);
                    }
                    self.step = Step::Open;
                }
            }
        }
    }

    /// The CONNECT request.
    fn send_request(&mut self) {
        let mut m = vec![5, 1, 0];
        match &self.target {
            SocksTarget::Ip(IpAddr::V4(ip), port) => {
                m.push(1);
                m.extend_from_slice(&ip.octets());
                m.extend_from_slice(&port.to_be_bytes());
            }
            SocksTarget::Ip(IpAddr::V6(ip), port) => {
                m.push(4);
                m.extend_from_slice(&ip.octets());
                m.extend_from_slice(&port.to_be_bytes());
            }
            SocksTarget::Name(name, port) => {
                m.push(3);
                m.push(name.len() as u8);
                m.extend_from_slice(name.as_bytes());
                m.extend_from_slice(&port.to_be_bytes());
            }
        }
        self.out = Some(Bytes::from(m));
        self.step = Step::Reply;
    }

    /// The first `n` bytes received, once there are that many.
    fn take(&mut self, n: usize) -> Option<BytesMut> {
        (self.received.len() >= n).then(|| self.received.split_to(n))
    }

    fn fail<T>(&mut self, reason: &'static str) -> Result<T, Error> {
        self.step = Step::Failed;
        Err(socks(reason))
    }

    fn fail_unless(&mut self, ok: bool, reason: &'static str) -> Result<(), Error> {
        if ok {
            Ok(())
        } else {
            self.fail(reason)
        }
    }
}

fn socks(reason: &'static str) -> Error {
    Error::Socks { reason }
}

/// RFC 1928 §6's reply codes.
fn refusal(code: u8) -> &'static str {
    match code {
        1 => "the proxy failed (general SOCKS server failure)",
        2 => "the proxy's rules do not allow the connection",
        3 => "the proxy says the network is unreachable",
        4 => "the proxy says the host is unreachable",
        5 => "the target refused the proxy's connection",
        6 => "the proxy's TTL expired",
        7 => "the proxy does not support CONNECT",
        8 => "the proxy does not support the address type",
        _ => "the proxy refused with an unknown code",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drive a handshake against a scripted proxy: `replies` are fed one
    /// after each transmission; every byte split every way gives the same
    /// outcome.
    fn run(
        opener: &mut Socks5Opener,
        replies: &[&[u8]],
        split: usize,
    ) -> (Vec<Vec<u8>>, Result<Option<Bytes>, Error>) {
        let mut sent = Vec::new();
        let mut replies = replies.iter();
        loop {
            while let Some(b) = opener.poll_transmit() {
                sent.push(b.to_vec());
                match replies.next() {
                    Some(r) => {
                        for piece in r.chunks(split.max(1)) {
                            opener.handle_data(piece);
                        }
                    }
                    None => opener.handle_eof(),
                }
            }
            match opener.poll_established() {
                Ok(None) if opener.out.is_some() => continue,
                r => return (sent, r),
            }
        }
    }

    #[test]
    fn a_name_without_credentials_and_the_bytes_behind_the_reply() {
        for split in [1, 2, 100] {
            let mut o =
                Socks5Opener::new(SocksTarget::Name("example.com".into(), 443), None).unwrap();
            let reply: &[u8] = b"\x05\x00\x00\x01\x7f\x00\x00\x01\x1f\x90early";
            let (sent, r) = run(&mut o, &[b"\x05\x00", reply], split);
            assert_eq!(sent[0], [5, 1, 0]);
            assert_eq!(sent[1], b"\x05\x01\x00\x03\x0bexample.com\x01\xbb");
            assert_eq!(r.unwrap().unwrap(), &b"early"[..], "split {split}");
        }
    }

    #[test]
    fn credentials_go_when_asked_for_and_a_refusal_is_typed() {
        let target = SocksTarget::Ip("10.1.2.3".parse().unwrap(), 80);
        let mut o = Socks5Opener::new(target.clone(), Some(("user", "pw"))).unwrap();
        let ok: &[u8] = b"\x05\x00\x00\x04\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\x00\x50";
        let (sent, r) = run(&mut o, &[b"\x05\x02", b"\x01\x00", ok], 3);
        assert_eq!(sent[0], [5, 2, 0, 2]);
        assert_eq!(sent[1], b"\x01\x04user\x02pw");
        assert_eq!(sent[2], [5, 1, 0, 1, 10, 1, 2, 3, 0, 80]);
        assert_eq!(r.unwrap().unwrap(), &b""[..]);
        // Refused credentials, a refused connection, no method, EOF.
        let cases: &[(&[&[u8]], &str)] = &[
            (
                &[b"\x05\x02", b"\x01\x01"],
                "refused the username and password",
            ),
            (
                &[b"\x05\x00", b"\x05\x05\x00\x01\0\0\0\0\0\0"],
                "target refused",
            ),
            (&[b"\x05\xff"], "none of the offered methods"),
            (&[b"\x04\x00"], "does not speak SOCKS5"),
            (&[], "closed the connection"),
        ];
        for (replies, want) in cases {
            let mut o = Socks5Opener::new(target.clone(), Some(("user", "pw"))).unwrap();
            let e = run(&mut o, replies, 1).1.unwrap_err();
            assert_eq!(e.name(), "SocksError");
            assert!(e.to_string().contains(want), "{e}");
        }
        // Asked for credentials it was not given.
        let mut o = Socks5Opener::new(target, None).unwrap();
        let e = run(&mut o, &[b"\x05\x02"], 1).1.unwrap_err();
        assert!(e.to_string().contains("asks for a username"), "{e}");
    }

    #[test]
    fn names_and_credentials_out_of_bounds_are_refused_up_front() {
        let long = "a".repeat(256);
        assert!(Socks5Opener::new(SocksTarget::Name(long.clone(), 1), None).is_err());
        assert!(Socks5Opener::new(SocksTarget::Name(String::new(), 1), None).is_err());
        let ip = SocksTarget::Ip("::1".parse().unwrap(), 1);
        assert!(Socks5Opener::new(ip.clone(), Some(("", "x"))).is_err());
        assert!(Socks5Opener::new(ip, Some(("u", &long))).is_err());
    }
}
