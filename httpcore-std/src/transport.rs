//! The byte pipe under a connection: a TCP stream, or rustls over one.

use std::io::{self, BufRead, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use httpcore_client::connect::Attempts;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};

use crate::Error;

/// A connected transport.
pub(crate) enum Transport {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Plain(s) => write!(f, "Plain({:?})", s.peer_addr().ok()),
            Transport::Tls(s) => write!(f, "Tls({:?})", s.sock.peer_addr().ok()),
        }
    }
}

/// Open a TCP connection to one of `addrs` within `timeout`. One address
/// is connected to on this thread; several race as RFC 8305 says (the
/// order and the schedule are `httpcore_client::connect::Attempts`'s): each
/// attempt on a short-lived thread of its own, the first to connect wins,
/// a loser that connects later is closed.
pub(crate) fn connect_tcp(
    addrs: Vec<SocketAddr>,
    timeout: Option<Duration>,
    delay: Duration,
) -> io::Result<TcpStream> {
    let tcp = match (addrs.as_slice(), timeout) {
        ([one], Some(t)) => TcpStream::connect_timeout(one, t)?,
        ([one], None) => TcpStream::connect(one)?,
        _ => race(addrs, timeout, delay)?,
    };
    tcp.set_nodelay(true)?;
    Ok(tcp)
}

fn race(
    addrs: Vec<SocketAddr>,
    timeout: Option<Duration>,
    delay: Duration,
) -> io::Result<TcpStream> {
    let start = Instant::now();
    let give_up = timeout.map(|t| httpcore_client::deadline::later(start, t));
    let mut attempts = Attempts::new(addrs, delay, start);
    let (done, results) = mpsc::channel();
    loop {
        let now = Instant::now();
        while let Some(addr) = attempts.poll_attempt(now) {
            let done = done.clone();
            let left = give_up.map(|g| {
                g.saturating_duration_since(now)
                    .max(Duration::from_millis(1))
            });
            std::thread::spawn(move || {
                let r = match left {
                    Some(t) => TcpStream::connect_timeout(&addr, t),
                    None => TcpStream::connect(addr),
                };
                // The race may be over: a stream nobody takes is closed.
                let _ = done.send(r);
            });
        }
        if attempts.exhausted() {
            return Err(attempts.take_error());
        }
        let wake = [attempts.poll_timeout(), give_up]
            .into_iter()
            .flatten()
            .min();
        let got = match wake {
            Some(at) => results.recv_timeout(at.saturating_duration_since(now)),
            None => results
                .recv()
                .map_err(|_| mpsc::RecvTimeoutError::Disconnected),
        };
        match got {
            Ok(Ok(tcp)) => return Ok(tcp),
            Ok(Err(e)) => attempts.failed(e),
            Err(_) if give_up.is_some_and(|g| Instant::now() >= g) => {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out"));
            }
            Err(_) => {}
        }
    }
}

impl Transport {
    /// TLS over this plain transport, handshake done; `early` are bytes
    /// already read from the socket (behind a proxy's CONNECT answer).
    pub(crate) fn start_tls(
        self,
        config: std::sync::Arc<ClientConfig>,
        name: ServerName<'static>,
        early: &[u8],
    ) -> Result<Transport, Error> {
        let Transport::Plain(tcp) = self else {
            return Ok(self);
        };
        let mut tls = ClientConnection::new(config, name)?;
        if !early.is_empty() {
            tls.read_tls(&mut &early[..])
                .map_err(|e| Error::io("starting TLS", e))?;
            tls.process_new_packets()?;
        }
        let mut stream = StreamOwned::new(tls, tcp);
        while stream.conn.is_handshaking() {
            stream
                .conn
                .complete_io(&mut stream.sock)
                .map_err(|e| Error::io("TLS handshake", e))?;
        }
        Ok(Transport::Tls(Box::new(stream)))
    }

    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Transport::Plain(s) => s,
            Transport::Tls(s) => &s.sock,
        }
    }

    pub(crate) fn set_timeouts(
        &self,
        read: Option<Duration>,
        write: Option<Duration>,
    ) -> io::Result<()> {
        self.tcp().set_read_timeout(read)?;
        self.tcp().set_write_timeout(write)
    }

    /// Whether a kept-alive connection that sat idle can carry another
    /// request: the server has not closed it and sent nothing unasked.
    /// Never blocks.
    pub(crate) fn idle_ok(&mut self) -> bool {
        match peek_idle(socket2::SockRef::from(self.tcp())) {
            // Nothing waiting: the common case, one system call.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return true,
            Err(_) | Ok(0) => return false,
            // Unsolicited bytes on a plain connection.
            Ok(_) if matches!(self, Transport::Plain(_)) => return false,
            Ok(_) => {}
        }
        if self.tcp().set_nonblocking(true).is_err() {
            return false;
        }
        let ok = match self {
            Transport::Plain(_) => false,
            Transport::Tls(s) => loop {
                // TLS records may arrive while idle (session tickets,
                // close_notify): read them, and look at what they carried.
                match s.conn.read_tls(&mut s.sock) {
                    Ok(0) => break false,
                    Ok(_) => match s.conn.process_new_packets() {
                        Ok(state)
                            if state.plaintext_bytes_to_read() > 0 || state.peer_has_closed() =>
                        {
                            break false
                        }
                        Ok(_) => continue,
                        Err(_) => break false,
                    },
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break true,
                    Err(_) => break false,
                }
            },
        };
        ok && self.tcp().set_nonblocking(false).is_ok()
    }

    pub(crate) fn shutdown(&mut self) {
        if let Transport::Tls(s) = self {
            s.conn.send_close_notify();
            let _ = s.conn.write_tls(&mut s.sock);
        }
        let _ = self.tcp().shutdown(std::net::Shutdown::Both);
    }
}

/// Whether an idle connection's socket has something waiting, without
/// blocking and without reading it: `WouldBlock` when nothing is waiting
/// (the connection can be reused), `Ok(0)` when the peer closed, `Ok(n)`
/// when bytes arrived. One `recv(MSG_PEEK | MSG_DONTWAIT)` on unix.
#[cfg(unix)]
fn peek_idle(socket: socket2::SockRef<'_>) -> io::Result<usize> {
    let mut byte = [std::mem::MaybeUninit::<u8>::uninit(); 1];
    socket.recv_with_flags(&mut byte, libc::MSG_PEEK | libc::MSG_DONTWAIT)
}

/// Whether an idle connection's socket has something waiting (see the unix
/// version); here the socket is put in non-blocking mode for the peek and
/// left so only if it already was.
#[cfg(not(unix))]
fn peek_idle(socket: socket2::SockRef<'_>) -> io::Result<usize> {
    let was = socket.nonblocking()?;
    socket.set_nonblocking(true)?;
    let mut byte = [std::mem::MaybeUninit::<u8>::uninit(); 1];
    let r = socket.peek(&mut byte);
    if !was {
        socket.set_nonblocking(false)?;
    }
    r
}

impl Read for Transport {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Transport::Plain(s) => s.read(buf),
            // A close without close_notify is `UnexpectedEof`: the caller
            // tells the engine, which judges whether the message was
            // complete by its framing.
            Transport::Tls(s) => {
                // Wait for plaintext (or the close), then copy what is
                // buffered around `memcpy`'s slow case.
                if buf.is_empty() || s.fill_buf()?.is_empty() {
                    return Ok(0);
                }
                httpcore_client::plaintext::read_plaintext(s.conn.reader(), buf)
            }
        }
    }
}

impl Write for Transport {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Transport::Plain(s) => s.write(buf),
            Transport::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Transport::Plain(s) => s.flush(),
            Transport::Tls(s) => s.flush(),
        }
    }
}
