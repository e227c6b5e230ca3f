//! 1 GiB down one connection: an httpcore-mio [`Connection`] on its own
//! `Poll` reading `GET /big`, against a raw mio loop writing the GET and
//! reading the answer into a buffer as large as the engine's largest read
//! window (`httpcore::MAX_READ_WINDOW`, 64 KiB), timed alternately in one
//! process (nine rounds), the load server's thread on CPU 0 and this one on
//! CPU 1.
//!
//! Prints `ratio bulk_down_vs_raw_mio` (the raw loop's time over the
//! connection's, median of the rounds) and both sides' MiB/s.
//!
//! `cargo bench -p httpcore-mio --bench bulk`

use std::io::{ErrorKind, Read, Write};

use httpcore_mio::mio::{Events, Poll, Token};
use httpcore_mio::{Connection, Output};
use testkit::bench::Contest;
use testkit::tls::BULK;

const H: &[(&str, &str)] = &[];

fn main() {
    let addr = testkit::load::start_pinned(64, 0);
    testkit::bench::pin_to_cpu(1);

    let mut poll = Poll::new().unwrap();
    let mut events = Events::with_capacity(64);
    let mut conn = Connection::http(&addr).unwrap();
    conn.register(poll.registry(), Token(0)).unwrap();

    let mut raw_poll = Poll::new().unwrap();
    let mut raw_events = Events::with_capacity(64);
    let mut raw = testkit::load::raw_mio_stream(&addr, raw_poll.registry());
    let get = format!("GET /big HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    let mut buf = vec![0u8; httpcore_mio::httpcore::MAX_READ_WINDOW];

    let mut contest = Contest::new(None);
    contest
        .entrant("httpcore", || {
            conn.request(poll.registry(), "GET", "/big", None, H)
                .unwrap();
            let (mut body, mut done) = (0u64, false);
            while !done {
                poll.poll(&mut events, None).unwrap();
                let registry = poll.registry();
                for event in events.iter() {
                    conn.handle_event(registry, event);
                }
                while let Some(out) = conn.poll_output(registry).unwrap() {
                    match out {
                        Output::Head { head, .. } => {
                            assert_eq!(head.status(), 200);
                            conn.recycle(head);
                        }
                        Output::Body { chunk, .. } => body += chunk.len() as u64,
                        Output::Done { .. } => done = true,
                    }
                }
            }
            assert_eq!(body, BULK);
            1
        })
        .entrant("raw", || {
            raw.write_all(get.as_bytes()).unwrap();
            let want = testkit::tls::bulk_answer_len();
            let mut got = 0u64;
            while got < want {
                match raw.read(&mut buf) {
                    Ok(0) => panic!("closed after {got} bytes"),
                    Ok(n) => got += n as u64,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        raw_poll.poll(&mut raw_events, None).unwrap()
                    }
                    Err(e) => panic!("{e}"),
                }
            }
            assert_eq!(got, want);
            1
        })
        .run(9);
    contest.print_ratio("bulk_down_vs_raw_mio", "httpcore", "raw");
    contest.print_mib_per_second();
}
