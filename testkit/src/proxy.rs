//! A CONNECT proxy on 127.0.0.1 that records what it receives: it reads the
//! CONNECT head, answers `200`, and then relays bytes both ways to
//! 127.0.0.1 at the port the CONNECT named (whatever its host), until
//! either side closes. Bounded: it serves the number of tunnels it was
//! told and stops; every read has a timeout.

use std::io::{BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A running CONNECT proxy.
pub struct ConnectProxy {
    pub addr: String,
    /// The CONNECT heads received, in order.
    pub heads: Arc<Mutex<Vec<String>>>,
}

impl ConnectProxy {
    /// Serve `tunnels` CONNECT requests.
    pub fn start(tunnels: usize) -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let log = heads.clone();
        thread::spawn(move || {
            for _ in 0..tunnels {
                let Ok((client, _)) = listener.accept() else {
                    return;
                };
                let log = log.clone();
                thread::spawn(move || tunnel(client, &log));
            }
        });
        ConnectProxy { addr, heads }
    }
}

fn tunnel(client: TcpStream, log: &Mutex<Vec<String>>) -> Option<()> {
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut reader = BufReader::new(client.try_clone().ok()?);
    let head = crate::read_head(&mut reader)?;
    log.lock().unwrap().push(head.clone());
    let target = head.split(' ').nth(1)?;
    let port = target.rsplit(':').next()?;
    let upstream = TcpStream::connect(format!("127.0.0.1:{port}")).ok()?;
    upstream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut client_out = client;
    client_out
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .ok()?;
    // What the client sent behind its CONNECT is already in the reader.
    let mut up_in = upstream.try_clone().ok()?;
    let up_out = upstream;
    let pump = thread::spawn(move || {
        relay(&mut reader, &mut up_in);
    });
    let mut from_up = up_out;
    relay(&mut from_up, &mut client_out);
    let _ = pump.join();
    Some(())
}

/// Copy until `from` ends, then pass the end on.
fn relay(from: &mut impl Read, to: &mut TcpStream) {
    let mut buf = [0u8; 16 * 1024];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 || to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}
