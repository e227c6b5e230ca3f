//! A threaded loopback server for benches and load tests, shared by the
//! adapters' benches and the mio crate's tests and example. Each accepted
//! connection gets a thread with a small stack (so a thousand at once are
//! cheap) and is served until the client closes it:
//!
//! * `GET /big` — a 1 GiB body (Content-Length), streamed;
//! * `PUT /sink` — a Content-Length upload swallowed, answered `204`;
//! * `GET /echo/<anything>` — the target itself as the body, so a client
//!   can check every response is the one to its request;
//! * anything else — [`RESPONSE`], a 13-byte body.
//!
//! Pipelined requests are answered in order.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};

/// The fixed answer: `Hello, world!` with its Content-Length.
pub const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, world!";

/// Start the server on 127.0.0.1 with a listen backlog of `backlog`
/// (a burst of connects beyond it waits for SYN retransmits); its address.
/// It runs until the process ends.
pub fn start(backlog: i32) -> String {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_reuse_address(true).unwrap();
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    socket.bind(&addr.into()).unwrap();
    socket.listen(backlog).unwrap();
    let listener: TcpListener = socket.into();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            std::thread::Builder::new()
                .stack_size(128 * 1024)
                .spawn(move || serve(stream))
                .unwrap();
        }
    });
    addr
}

fn serve(mut s: TcpStream) {
    s.set_nodelay(true).unwrap();
    let mut buf = vec![0u8; 16 * 1024];
    let mut pending = Vec::new();
    loop {
        let n = match s.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        pending.extend_from_slice(&buf[..n]);
        let mut answers = Vec::new();
        while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            if pending.starts_with(b"PUT /sink ") {
                if !swallow(&mut s, &mut pending, end, &mut buf) {
                    return;
                }
                answers.extend_from_slice(b"HTTP/1.1 204 No Content\r\n\r\n");
                continue;
            }
            let target = pending
                .split(|&b| b == b' ')
                .nth(1)
                .unwrap_or_default()
                .to_vec();
            pending.drain(..end + 4);
            if target == b"/big" {
                if s.write_all(&answers).is_err() || !big(&mut s) {
                    return;
                }
                answers.clear();
            } else if target.starts_with(b"/echo/") {
                answers.extend_from_slice(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                        target.len()
                    )
                    .as_bytes(),
                );
                answers.extend_from_slice(&target);
            } else {
                answers.extend_from_slice(RESPONSE);
            }
        }
        // Everything a read brought in, answered in one write.
        if !answers.is_empty() && s.write_all(&answers).is_err() {
            return;
        }
    }
}

/// Read and drop a Content-Length body whose head ends at `end`.
fn swallow(s: &mut TcpStream, pending: &mut Vec<u8>, end: usize, buf: &mut [u8]) -> bool {
    let head = String::from_utf8_lossy(&pending[..end]).to_ascii_lowercase();
    let len: u64 = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    pending.drain(..end + 4);
    let here = (pending.len() as u64).min(len);
    pending.drain(..here as usize);
    let mut left = len - here;
    while left > 0 {
        let want = left.min(buf.len() as u64) as usize;
        match s.read(&mut buf[..want]) {
            Ok(0) | Err(_) => return false,
            Ok(k) => left -= k as u64,
        }
    }
    true
}

/// Write a 1 GiB body.
fn big(s: &mut TcpStream) -> bool {
    let total: u64 = 1 << 30;
    if s.write_all(format!("HTTP/1.1 200 OK\r\nContent-Length: {total}\r\n\r\n").as_bytes())
        .is_err()
    {
        return false;
    }
    let block = vec![b'x'; 256 * 1024];
    let mut left = total;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        if s.write_all(&block[..n]).is_err() {
            return false;
        }
        left -= n as u64;
    }
    true
}
