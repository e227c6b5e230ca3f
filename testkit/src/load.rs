//! A loopback server for benches and load tests, shared by the adapters'
//! benches and the mio crate's tests and example. One thread serves every
//! connection from a mio event loop, so every client a bench compares talks
//! to the same server thread (with a thread per connection, where the
//! scheduler happened to put each one made one loop's round trips a third
//! faster than another's in the same run), and a thousand connections at
//! once cost no thousand threads:
//!
//! * `GET /big` — a 1 GiB body (Content-Length), streamed;
//! * `PUT /sink` — a Content-Length upload swallowed, answered `204`;
//! * `/echo/<anything>` (any method) — the target itself as the body, so a
//!   client can check every response is the one to its request;
//! * anything else — [`RESPONSE`], a 13-byte body.
//!
//! A request's Content-Length body is read (and dropped) before it is
//! answered. [`start_logged`] also counts, per method and target, the
//! requests whose head the server received — what a client must never
//! send twice.
//!
//! Pipelined requests are answered in order; everything a read brought in
//! is answered in one write.

use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};

/// The fixed answer: `Hello, world!` with its Content-Length.
pub const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, world!";

const BIG: u64 = 1 << 30;
const LISTENER: Token = Token(usize::MAX);

/// Start the server on 127.0.0.1 with a listen backlog of `backlog` (a
/// burst of connects beyond it waits for SYN retransmits); its address. It
/// runs until the process ends.
pub fn start(backlog: i32) -> String {
    start_counted(backlog).0
}

/// [`start`], with the number of connections the server has accepted so
/// far (to check a client's connection limits on the server's side).
pub fn start_counted(backlog: i32) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let (addr, accepted, _) = start_with(backlog, None, None);
    (addr, accepted)
}

/// Requests the server received, by `METHOD target`.
pub type Log = std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>;

/// [`start_counted`], and a count of the requests received per
/// `METHOD target` (a request counts once its head has arrived).
pub fn start_logged(backlog: i32) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>, Log) {
    let log = Log::default();
    let (addr, accepted, _) = start_with(backlog, Some(log.clone()), None);
    (addr, accepted, log)
}

/// [`start`], and the server thread's CPU clock (benches leave it out of
/// a client's CPU figures).
pub fn start_measured(backlog: i32) -> (String, crate::bench::ThreadCpu) {
    let (addr, _, cpu) = start_with(backlog, None, None);
    (addr, cpu)
}

/// [`start`], the server's thread kept on CPU `cpu` (see
/// [`crate::bench::pin_to_cpu`]).
pub fn start_pinned(backlog: i32, cpu: usize) -> String {
    start_with(backlog, None, Some(cpu)).0
}

/// A client socket to the server at `addr` for a bench's raw mio loop:
/// non-blocking (as mio expects), `TCP_NODELAY`, registered readable on
/// `registry` as `Token(0)`.
pub fn raw_mio_stream(addr: &str, registry: &mio::Registry) -> TcpStream {
    let std = std::net::TcpStream::connect(addr).unwrap();
    std.set_nonblocking(true).unwrap();
    let mut stream = TcpStream::from_std(std);
    stream.set_nodelay(true).unwrap();
    registry
        .register(&mut stream, Token(0), Interest::READABLE)
        .unwrap();
    stream
}

/// The server, its accept count and its thread's clock; its log if
/// `log`, its thread on CPU `cpu` if given.
fn start_with(
    backlog: i32,
    log: Option<Log>,
    cpu: Option<usize>,
) -> (
    String,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
    crate::bench::ThreadCpu,
) {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_reuse_address(true).unwrap();
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    socket.bind(&addr.into()).unwrap();
    socket.listen(backlog).unwrap();
    socket.set_nonblocking(true).unwrap();
    let listener = TcpListener::from_std(socket.into());
    let addr = listener.local_addr().unwrap().to_string();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = accepted.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        if let Some(cpu) = cpu {
            crate::bench::pin_to_cpu(cpu);
        }
        let _ = tx.send(crate::bench::ThreadCpu::current());
        serve(listener, &count, log)
    });
    (addr, accepted, rx.recv().unwrap())
}

/// One client connection's state.
struct Conn {
    sock: TcpStream,
    /// Received and not yet answered.
    input: Vec<u8>,
    /// To write, from `written` on.
    out: Vec<u8>,
    written: usize,
    /// Bytes of a request body still to swallow.
    sink_left: u64,
    /// The answer due once the request body is swallowed (its buffer is
    /// kept between requests).
    after_body: Vec<u8>,
    /// Whole requests received, by method and target (when logged).
    log: Option<Log>,
    /// Bytes of a `/big` body still to write.
    big_left: u64,
}

fn serve(mut listener: TcpListener, accepted: &std::sync::atomic::AtomicUsize, log: Option<Log>) {
    let mut poll = Poll::new().unwrap();
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .unwrap();
    let mut events = Events::with_capacity(1024);
    let mut conns: Vec<Option<Conn>> = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if poll.poll(&mut events, None).is_err() {
            continue;
        }
        for event in events.iter() {
            if event.token() == LISTENER {
                while let Ok((mut sock, _)) = listener.accept() {
                    accepted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    sock.set_nodelay(true).unwrap();
                    let i = conns.iter().position(Option::is_none).unwrap_or_else(|| {
                        conns.push(None);
                        conns.len() - 1
                    });
                    poll.registry()
                        .register(&mut sock, Token(i), Interest::READABLE | Interest::WRITABLE)
                        .unwrap();
                    conns[i] = Some(Conn {
                        sock,
                        input: Vec::new(),
                        out: Vec::new(),
                        written: 0,
                        sink_left: 0,
                        after_body: Vec::new(),
                        log: log.clone(),
                        big_left: 0,
                    });
                }
                continue;
            }
            let Some(Some(c)) = conns.get_mut(event.token().0) else {
                continue;
            };
            if !c.turn(&mut buf) {
                let _ = poll.registry().deregister(&mut c.sock);
                conns[event.token().0] = None;
            }
        }
    }
}

impl Conn {
    /// Read what there is, answer it, write what the socket takes; false
    /// once the connection is over.
    fn turn(&mut self, buf: &mut [u8]) -> bool {
        loop {
            match self.sock.read(buf) {
                Ok(0) => return false,
                Ok(n) => self.take(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        self.flush()
    }

    /// Bytes received: swallow upload bytes, answer complete requests.
    fn take(&mut self, mut data: &[u8]) {
        if self.sink_left > 0 {
            let n = (data.len() as u64).min(self.sink_left) as usize;
            self.sink_left -= n as u64;
            data = &data[n..];
            if self.sink_left == 0 {
                self.out.extend_from_slice(&self.after_body);
                self.after_body.clear();
            }
        }
        self.input.extend_from_slice(data);
        self.answer();
    }

    /// Answer the complete requests in `input`, in order (a `/big` body
    /// goes out before anything after it is answered). The plain path
    /// allocates nothing: the server must stay cheaper than any client it
    /// measures.
    fn answer(&mut self) {
        while self.sink_left == 0 && self.big_left == 0 {
            let Some(end) = memchr::memmem::find(&self.input, b"\r\n\r\n") else {
                return;
            };
            let head = &self.input[..end];
            let target = head.split(|&b| b == b' ').nth(1).unwrap_or_default();
            let len = content_length(head);
            let answer = &mut self.after_body;
            answer.clear();
            if head.starts_with(b"PUT /sink ") {
                answer.extend_from_slice(b"HTTP/1.1 204 No Content\r\n\r\n");
            } else if target == b"/big" {
                let line = format!("HTTP/1.1 200 OK\r\nContent-Length: {BIG}\r\n\r\n");
                answer.extend_from_slice(line.as_bytes());
                self.big_left = BIG;
            } else if target.starts_with(b"/echo/") {
                let line = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                    target.len()
                );
                answer.extend_from_slice(line.as_bytes());
                answer.extend_from_slice(target);
            } else {
                answer.extend_from_slice(RESPONSE);
            }
            if let Some(log) = &self.log {
                let head = &self.input[..end];
                let line = head.split(|&b| b == b'\r').next().unwrap_or_default();
                let key = String::from_utf8_lossy(line)
                    .rsplit_once(' ')
                    .map_or(String::new(), |(request, _)| request.to_string());
                *log.lock().unwrap().entry(key).or_default() += 1;
            }
            self.input.drain(..end + 4);
            let here = (self.input.len() as u64).min(len) as usize;
            self.input.drain(..here);
            self.sink_left = len - here as u64;
            if self.sink_left == 0 {
                self.out.extend_from_slice(&self.after_body);
                self.after_body.clear();
            }
        }
    }

    /// Write what is due, as far as the socket takes it; false on error.
    fn flush(&mut self) -> bool {
        loop {
            if self.written < self.out.len() {
                match self.sock.write(&self.out[self.written..]) {
                    Ok(n) => self.written += n,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(_) => return false,
                }
                continue;
            }
            self.out.clear();
            self.written = 0;
            if self.big_left > 0 {
                let n = self.big_left.min(256 * 1024) as usize;
                self.out.resize(n, b'x');
                self.big_left -= n as u64;
                if self.big_left == 0 {
                    // Requests that came in behind /big.
                    self.answer();
                }
                continue;
            }
            return true;
        }
    }
}

/// The Content-Length of a request head (0 without one), its name matched
/// in any case.
fn content_length(head: &[u8]) -> u64 {
    head.split(|&b| b == b'\n')
        .find_map(|line| {
            let (name, value) = line.split_at(line.iter().position(|&b| b == b':')?);
            name.eq_ignore_ascii_case(b"content-length")
                .then(|| std::str::from_utf8(&value[1..]).ok()?.trim().parse().ok())?
        })
        .unwrap_or(0)
}
