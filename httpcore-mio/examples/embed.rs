//! The whole loop of `docs/mio.md`: two connections (one of them with two
//! pipelined requests) in a caller's own mio loop, on one thread.
//!
//! `cargo run -p httpcore-mio --example embed -- [HOST:PORT HOST:PORT]`
//!
//! With no address it starts two local servers (the benches' load server).

use std::time::Instant;

use httpcore_mio::mio::{Events, Poll, Token};
use httpcore_mio::{Connection, Output};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let a = args.next().unwrap_or_else(|| testkit::load::start(16));
    let b = args.next().unwrap_or_else(|| testkit::load::start(16));

    let mut poll = Poll::new()?;
    let mut events = Events::with_capacity(256);
    let mut conns = [Connection::http(&a)?, Connection::http(&b)?];
    for (i, c) in conns.iter_mut().enumerate() {
        c.register(poll.registry(), Token(i))?;
    }
    let none: &[(&str, &str)] = &[];
    conns[0].request(poll.registry(), "GET", "/echo/a", None, none)?;
    conns[0].request(poll.registry(), "GET", "/echo/b", None, none)?; // pipelined
    conns[1].request(poll.registry(), "GET", "/", None, none)?;
    let mut left = 3;

    while left > 0 {
        // Sleep until an event or the nearest deadline.
        let timeout = conns
            .iter()
            .filter_map(|c| c.deadline())
            .min()
            .map(|d| d.saturating_duration_since(Instant::now()));
        poll.poll(&mut events, timeout)?;

        let mut ready: Vec<usize> = Vec::new();
        for event in events.iter() {
            let i = event.token().0;
            conns[i].handle_event(poll.registry(), event);
            ready.push(i);
        }
        let now = Instant::now();
        for (i, c) in conns.iter_mut().enumerate() {
            if c.deadline().is_some_and(|d| d <= now) {
                c.handle_timeout(poll.registry(), now);
                ready.push(i);
            }
        }

        for i in ready {
            if conns[i].is_dead() {
                continue;
            }
            loop {
                match conns[i].poll_output(poll.registry()) {
                    Ok(None) => break,
                    Ok(Some(Output::Head { id, head, .. })) => {
                        println!("connection {i}, {id:?}: {}", head.status());
                        conns[i].recycle(head); // hand the buffers back
                    }
                    Ok(Some(Output::Body { chunk, .. })) => {
                        println!("  {}", String::from_utf8_lossy(&chunk))
                    }
                    Ok(Some(Output::Done { .. })) => left -= 1,
                    Err(e) => {
                        // Final for this connection; the others go on.
                        let lost = conns[i].unanswered();
                        eprintln!(
                            "connection {i}: {}: {e} ({} requests lost)",
                            e.name(),
                            lost.len()
                        );
                        left -= lost.len();
                        break;
                    }
                }
            }
        }
    }
    Ok(())
}
