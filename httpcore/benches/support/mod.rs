//! Set-up shared by the benches and `examples/profile_parse.rs`.

use httpcore::{Authority, Config, Connection};

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
