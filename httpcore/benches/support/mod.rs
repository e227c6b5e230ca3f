//! Set-up shared by the benches and `examples/profile_parse.rs`.

use std::hint::black_box;

use httpcore::{Authority, Config, Connection, Event};

/// A connection with `n` HEAD requests outstanding (pipelined, so `n`
/// responses can wait in the buffer and each has no body to read).
pub fn pipelined_heads(n: usize) -> Connection {
    let config = Config {
        max_pipelined: n,
        ..Config::default()
    };
    let mut c = Connection::new(Authority::parse("example.com", 80).unwrap(), config);
    for _ in 0..n {
        c.request("HEAD", "/", None, &[] as &[(&str, &str)])
            .unwrap();
    }
    while c.poll_transmit().is_some() {}
    c
}

/// Read every response waiting: each head at once with `poll_head` (what
/// `httparse::Response::parse` gives), then its events up to `Done`.
/// Returns a count that depends on every header value, so that nothing
/// is optimised away.
#[allow(dead_code)] // not every bench target uses it
pub fn drain(c: &mut Connection) -> usize {
    let mut n = 0;
    while let Some(head) = c.poll_head().unwrap() {
        for h in head.headers() {
            n += h.value.len();
        }
        black_box(&head);
        while let Some(ev) = c.poll_event().unwrap() {
            n += 1;
            if matches!(black_box(ev), Event::Done(_)) {
                break;
            }
        }
    }
    n
}
