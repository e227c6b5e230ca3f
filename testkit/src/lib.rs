//! Test support shared by the adapter crates (httpcore-std, and the async
//! adapters as they come): a scripted HTTP server on 127.0.0.1. Each
//! accepted connection runs the next script of actions. Bounded: it serves
//! the scripts it was given and stops; every read has a timeout.
#![allow(missing_docs)]

pub mod behaviour;
pub mod bench;
pub mod conformance;
pub mod decoding;
pub mod faults;
pub mod load;
pub mod load_run;
pub mod nginx;
pub mod pooled;
pub mod proxy;
pub mod socks;
pub mod tls;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// One thing the server does on a connection.
#[derive(Debug, Clone)]
pub enum Action {
    /// Read one request (head, and a Content-Length or chunked body).
    Read,
    /// Read the head of a request only (its body, if any, stays unread).
    ReadHead,
    /// Read the Content-Length body of the request whose head
    /// [`ReadHead`](Action::ReadHead) read, and log it with that request.
    ReadBody,
    /// Write these bytes at once.
    Write(Vec<u8>),
    /// Write these bytes one at a time.
    WriteSlowly(Vec<u8>),
    /// Wait.
    Sleep(Duration),
    /// Close the connection (half-close first, so nothing is reset).
    Close,
    /// Reset the connection: close it with unread data pending and
    /// SO_LINGER 0, so the client sees `ECONNRESET`.
    Reset,
}

/// Read one request, then write `response`.
pub fn answer(response: &[u8]) -> Vec<Action> {
    vec![Action::Read, Action::Write(response.to_vec())]
}

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Request {
    pub head: String,
    pub body: Vec<u8>,
    pub connection: usize,
}

pub struct Server {
    pub addr: String,
    pub requests: Arc<Mutex<Vec<Request>>>,
    handle: Option<JoinHandle<usize>>,
}

impl Server {
    /// Serve `scripts`, one per connection, in the order connections come.
    pub fn start(scripts: Vec<Vec<Action>>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        let handle = thread::spawn(move || {
            let mut served = 0;
            for (i, script) in scripts.into_iter().enumerate() {
                let Ok((stream, _)) = listener.accept() else {
                    break;
                };
                served += 1;
                let log = log.clone();
                // Each connection on its own thread, so a client may hold
                // one open while it opens the next.
                thread::spawn(move || run(stream, script, i, &log));
            }
            served
        });
        Server {
            addr,
            requests,
            handle: Some(handle),
        }
    }

    /// Wait for every script's connection to have been accepted; how many.
    pub fn connections(mut self) -> usize {
        self.handle.take().unwrap().join().unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

/// A listener on 127.0.0.1 that never accepts, with its backlog already
/// full: a new connection to it gets no answer to its SYN, as an address
/// that does not answer (loopback only). Keep the value alive while it is
/// used.
pub struct Unanswered {
    pub addr: String,
    _listener: socket2::Socket,
    _queued: Vec<TcpStream>,
}

impl Unanswered {
    pub fn start() -> Unanswered {
        use socket2::{Domain, Socket, Type};
        let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
        listener.bind(&any.into()).unwrap();
        listener.listen(0).unwrap();
        let addr = listener.local_addr().unwrap().as_socket().unwrap();
        // Fill the accept queue: the connects it takes succeed at once,
        // the first it cannot take times out.
        let mut queued = Vec::new();
        while queued.len() < 8 {
            match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                Ok(s) => queued.push(s),
                Err(_) => break,
            }
        }
        Unanswered {
            addr: addr.to_string(),
            _listener: listener,
            _queued: queued,
        }
    }
}

fn run(stream: TcpStream, script: Vec<Action>, connection: usize, log: &Mutex<Vec<Request>>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.set_nodelay(true).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    // The body length of the request whose head alone was read.
    let mut pending = 0;
    for action in script {
        match action {
            Action::Read => match read_request(&mut reader) {
                Some((head, body)) => log.lock().unwrap().push(Request {
                    head,
                    body,
                    connection,
                }),
                None => return,
            },
            Action::ReadHead => match read_head(&mut reader) {
                Some(head) => {
                    pending = content_length(&head).unwrap_or(0);
                    log.lock().unwrap().push(Request {
                        head,
                        body: Vec::new(),
                        connection,
                    })
                }
                None => return,
            },
            Action::ReadBody => {
                let mut body = vec![0; pending];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let mut log = log.lock().unwrap();
                if let Some(r) = log.iter_mut().rev().find(|r| r.connection == connection) {
                    r.body = body;
                }
            }
            Action::Write(b) => {
                if out.write_all(&b).is_err() {
                    return;
                }
            }
            Action::WriteSlowly(b) => {
                for byte in b {
                    if out.write_all(&[byte]).is_err() {
                        return;
                    }
                    thread::sleep(Duration::from_micros(200));
                }
            }
            Action::Sleep(d) => thread::sleep(d),
            Action::Reset => {
                let _ = socket2::SockRef::from(&out).set_linger(Some(Duration::ZERO));
                return;
            }
            Action::Close => {
                let _ = out.shutdown(Shutdown::Write);
                let mut sink = [0u8; 1024];
                let _ = out.set_read_timeout(Some(Duration::from_millis(300)));
                while matches!(reader.read(&mut sink), Ok(n) if n > 0) {}
                return;
            }
        }
    }
    // Keep the connection open until the client closes it (bounded).
    let mut sink = [0u8; 1024];
    let _ = out.set_read_timeout(Some(Duration::from_secs(5)));
    while matches!(reader.read(&mut sink), Ok(n) if n > 0) {}
}

/// A request (or CONNECT) head up to its empty line, the lines kept.
pub(crate) fn read_head(reader: &mut impl BufRead) -> Option<String> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            return Some(head);
        }
        head.push_str(&line);
    }
}

fn content_length(head: &str) -> Option<usize> {
    head.to_ascii_lowercase().lines().find_map(|l| {
        l.strip_prefix("content-length:")
            .map(|v| v.trim().parse::<usize>().unwrap())
    })
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<(String, Vec<u8>)> {
    let head = read_head(reader)?;
    let lower = head.to_ascii_lowercase();
    let mut body = Vec::new();
    if let Some(len) = content_length(&head) {
        body.resize(len, 0);
        reader.read_exact(&mut body).ok()?;
    } else if lower.contains("transfer-encoding: chunked") {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).ok()?;
            let size = usize::from_str_radix(size.trim().split(';').next().unwrap(), 16).ok()?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).ok()?;
            if size == 0 {
                // chunk holds the final CRLF (no trailers in these tests)
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    }
    Some((head, body))
}
