//! Sequential GETs over one connection to the load server, for profilers:
//! `ours` drives httpcore-mio, `raw` a raw mio loop.
//!
//! `cargo build --release -p httpcore-mio --example profile_mio &&
//! valgrind --tool=callgrind target/release/examples/profile_mio ours 2000`
//! (`READ_SIZE=n` sets the engine's read size).

use httpcore_mio::mio::{Events, Poll, Token};
use httpcore_mio::{Connection, Output};
use std::io::{ErrorKind, Read, Write};
const H: &[(&str, &str)] = &[];
fn main() {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "ours".into());
    let n: usize = std::env::args().nth(2).map_or(2000, |n| n.parse().unwrap());
    let addr = testkit::load::start(128);
    let t = std::time::Instant::now();
    if mode == "ours" {
        let mut poll = Poll::new().unwrap();
        let mut events = Events::with_capacity(64);
        let mut config = Connection::default_config();
        if let Ok(rs) = std::env::var("READ_SIZE") {
            config.read_size = rs.parse().unwrap();
        }
        let a = httpcore_mio::Authority::parse(&addr, 80).unwrap();
        let mut conn = Connection::connect(addr.parse().unwrap(), a, config).unwrap();
        conn.register(poll.registry(), Token(0)).unwrap();
        for _ in 0..n {
            conn.request(poll.registry(), "GET", "/", None, H).unwrap();
            let mut done = false;
            while !done {
                poll.poll(&mut events, None).unwrap();
                for e in events.iter() {
                    conn.handle_event(poll.registry(), e);
                }
                while let Some(out) = conn.poll_output(poll.registry()).unwrap() {
                    match out {
                        Output::Head { head, .. } => conn.recycle(head),
                        Output::Done { .. } => done = true,
                        _ => {}
                    }
                }
            }
        }
    } else {
        let request =
            format!("GET / HTTP/1.1\r\nHost: {addr}\r\nAccept-Encoding: identity\r\n\r\n");
        let mut poll = Poll::new().unwrap();
        let mut events = Events::with_capacity(64);
        let mut s = testkit::load::raw_mio_stream(&addr, poll.registry());
        let mut answer = [0u8; 52];
        for _ in 0..n {
            s.write_all(request.as_bytes()).unwrap();
            let mut got = 0;
            while got < answer.len() {
                match s.read(&mut answer[got..]) {
                    Ok(k) => got += k,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        poll.poll(&mut events, None).unwrap()
                    }
                    Err(e) => panic!("{e}"),
                }
            }
        }
    }
    eprintln!(
        "{mode}: {:.1} us/request",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
}
