//! The engine with no I/O at all: requests become bytes, bytes become
//! events. Here the "server" is a list of canned answers delivered in odd
//! pieces, to show that the events do not depend on how bytes arrive.
//!
//! `cargo run -p httpcore --example sans_io`

use httpcore::{Authority, Config, Connection, Event};

fn main() -> Result<(), httpcore::Error> {
    let config = Config {
        max_pipelined: 3,
        ..Config::default()
    };
    let mut conn = Connection::new(Authority::parse("example.com", 80)?, config);

    // Three requests in flight (pipelining), one of them HEAD.
    conn.request("GET", "/a", None, &[("Accept", "text/plain")])?;
    conn.request("HEAD", "/b", None, &[] as &[(&str, &str)])?;
    conn.request("POST", "/c", Some(b"x=1"), &[] as &[(&str, &str)])?;
    let mut wire = Vec::new();
    conn.transmit_into(&mut wire);
    println!(
        "--- to the server ({} bytes)\n{}",
        wire.len(),
        String::from_utf8_lossy(&wire)
    );

    // The answers, fed seven bytes at a time.
    let answers: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello\
HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n\
HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer: yes\r\n\r\n";
    println!("--- from the server, 7 bytes at a time");
    for piece in answers.chunks(7) {
        conn.handle_data(piece);
        loop {
            // Events borrow the connection: read getters before polling.
            let id = conn.current_request().map_or(0, |r| r.0);
            let Some(event) = conn.poll_event()? else {
                break;
            };
            match event {
                Event::StatusLine(s) => println!(
                    "#{id} status {} {}",
                    s.status,
                    String::from_utf8_lossy(s.reason)
                ),
                Event::Header(h) => println!(
                    "#{id}   {}: {}",
                    String::from_utf8_lossy(h.name),
                    String::from_utf8_lossy(h.value)
                ),
                Event::EndOfHead(f) => println!("#{id}   body: {f:?}"),
                Event::BodyChunk(b) => println!(
                    "#{id}   {} body bytes {:?}",
                    b.len(),
                    String::from_utf8_lossy(&b)
                ),
                Event::Trailer(h) => println!(
                    "#{id}   trailer {}: {}",
                    String::from_utf8_lossy(h.name),
                    String::from_utf8_lossy(h.value)
                ),
                Event::Done(d) => println!("#{id}   done (reusable: {})", d.reusable),
            }
        }
    }
    println!("--- connection reusable: {}", conn.is_reusable());
    Ok(())
}
