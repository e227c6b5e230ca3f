//! A walk through what the engine does, against a small server on
//! 127.0.0.1 that this program starts itself (no network needed):
//! a GET, keep-alive reuse, a POST, a chunked response with a trailer,
//! HEAD, a 404, pipelining, 100-continue, and a malformed response.
//!
//! The loop in `exchange` is the whole of what an adapter does: write what
//! `poll_transmit` gives, read into `recv_buffer`, drain `poll_event`.
//!
//! `cargo run -p httpcore --example demo`

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use httpcore::{Authority, BodyLength, Config, Connection, Event, ResponseHead, Timer};

/// Answers each request head by its path, on one connection, until the
/// client closes. Bounded: it serves one connection per `accept` budget.
fn serve(listener: TcpListener, connections: usize) {
    for stream in listener.incoming().take(connections) {
        let stream = stream.expect("accept");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut out = stream;
        'requests: loop {
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break 'requests;
                }
                if line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let first = head.lines().next().unwrap_or("").to_string();
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if head.to_ascii_lowercase().contains("expect: 100-continue") {
                out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").unwrap();
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            if head
                .to_ascii_lowercase()
                .contains("transfer-encoding: chunked")
            {
                // A deliberately small chunked decoder: sizes without extensions.
                loop {
                    let mut size = String::new();
                    reader.read_line(&mut size).unwrap();
                    let size = usize::from_str_radix(size.trim(), 16).unwrap();
                    let mut chunk = vec![0; size + 2];
                    reader.read_exact(&mut chunk).unwrap();
                    if size == 0 {
                        break;
                    }
                    body.extend_from_slice(&chunk[..size]);
                }
            }
            let path = first.split(' ').nth(1).unwrap_or("/");
            let reply: Vec<u8> = match path {
                "/hello" => b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!".to_vec(),
                "/echo" => {
                    let mut r = format!("HTTP/1.1 201 Created\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
                    r.extend_from_slice(&body);
                    r
                }
                "/chunked" => b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nchunked\r\n6;ext=1\r\n body \r\n0\r\nX-Checksum: 42\r\n\r\n".to_vec(),
                "/broken" => b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!".to_vec(),
                _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nno such\r\n".to_vec(),
            };
            let reply = if first.starts_with("HEAD ") {
                // A HEAD response carries the head only.
                let end = reply.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                reply[..end].to_vec()
            } else {
                reply
            };
            out.write_all(&reply).unwrap();
        }
    }
}

/// Drive the connection until `n` responses are complete: the adapter loop.
fn exchange(
    conn: &mut Connection,
    sock: &mut TcpStream,
    n: usize,
) -> Result<Vec<(ResponseHead, Vec<u8>)>, httpcore::Error> {
    let mut done = Vec::new();
    let mut head = ResponseHead::new();
    let mut body = Vec::new();
    while done.len() < n {
        while let Some(bytes) = conn.poll_transmit() {
            sock.write_all(&bytes).expect("write");
        }
        while let Some(event) = conn.poll_event()? {
            head.record(&event);
            match event {
                Event::BodyChunk(chunk) => body.extend_from_slice(&chunk),
                Event::Done(_) => done.push((std::mem::take(&mut head), std::mem::take(&mut body))),
                _ => {}
            }
        }
        if done.len() == n {
            break;
        }
        if conn.wants_write() {
            continue; // an event released bytes (a 100 Continue frees the held body)
        }
        if let Some(Timer::ExpectContinue(after)) = conn.timer() {
            sock.set_read_timeout(Some(after)).unwrap();
        }
        match sock.read(conn.recv_buffer()) {
            Ok(0) => conn.handle_eof(),
            Ok(k) => conn.handle_recv(k),
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                if let Some(t) = conn.timer() {
                    conn.handle_timeout(t);
                }
            }
            Err(e) => panic!("read: {e}"),
        }
    }
    Ok(done)
}

fn show(what: &str, (head, body): &(ResponseHead, Vec<u8>)) {
    println!(
        "{what:<34} -> {} {} {}  body {:?}",
        head.version().as_str(),
        head.status(),
        String::from_utf8_lossy(head.reason()),
        String::from_utf8_lossy(body)
    );
    for (name, value) in head.trailers() {
        println!(
            "{:<34}    trailer {}: {}",
            "",
            String::from_utf8_lossy(name),
            String::from_utf8_lossy(value)
        );
    }
}

fn main() -> Result<(), httpcore::Error> {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || serve(listener, 2));
    println!("demo server on {addr}\n");

    let authority = Authority::parse(&addr.to_string(), 80)?;
    let mut sock = TcpStream::connect(addr).expect("connect");
    let config = Config {
        max_pipelined: 3,
        ..Config::default()
    };
    let mut conn = Connection::new(authority.clone(), config);

    conn.request("GET", "/hello", None, &[("Accept", "text/plain")])?;
    show("GET /hello", &exchange(&mut conn, &mut sock, 1)?[0]);
    println!("{:<34}    connection reusable: {}", "", conn.is_reusable());

    conn.request(
        "POST",
        "/echo",
        Some(b"spam=1&eggs=2"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
    )?;
    show(
        "POST /echo (same connection)",
        &exchange(&mut conn, &mut sock, 1)?[0],
    );

    conn.request("GET", "/chunked", None, &[] as &[(&str, &str)])?;
    show("GET /chunked", &exchange(&mut conn, &mut sock, 1)?[0]);

    conn.request("HEAD", "/hello", None, &[] as &[(&str, &str)])?;
    show("HEAD /hello", &exchange(&mut conn, &mut sock, 1)?[0]);

    conn.request("GET", "/missing", None, &[] as &[(&str, &str)])?;
    show("GET /missing", &exchange(&mut conn, &mut sock, 1)?[0]);

    // Step by step, httplib style, with Expect: 100-continue.
    conn.put_request("PUT", "/echo", false, false)?;
    conn.put_header("Expect", "100-continue")?;
    conn.end_headers_with(BodyLength::Unknown)?;
    conn.send_body(b"streamed ")?;
    conn.send_body(b"upload")?;
    conn.finish_body()?;
    show(
        "PUT /echo (100-continue, chunked)",
        &exchange(&mut conn, &mut sock, 1)?[0],
    );

    // Three requests in flight, answered in order.
    for path in ["/hello", "/missing", "/hello"] {
        conn.request("GET", path, None, &[] as &[(&str, &str)])?;
    }
    for (i, r) in exchange(&mut conn, &mut sock, 3)?.iter().enumerate() {
        show(&format!("pipelined #{i}"), r);
    }

    // Any misuse is a typed error, as in httplib.
    conn.put_request("GET", "/", false, false)?;
    let err = conn.put_request("GET", "/", false, false).unwrap_err();
    println!(
        "\nput_request twice                  -> {}: {err}",
        err.name()
    );
    let err = conn.put_header("X-Bad", "a\r\nInjected: 1").unwrap_err();
    println!(
        "header with CRLF                   -> {}: {err}",
        err.name()
    );
    conn.abort_head();
    drop(sock);

    // A malformed response is an error that says what was wrong.
    let mut sock = TcpStream::connect(addr).expect("connect");
    let mut conn = Connection::new(authority, Config::default());
    conn.request("GET", "/broken", None, &[] as &[(&str, &str)])?;
    match exchange(&mut conn, &mut sock, 1) {
        Err(e) => println!("GET /broken                        -> {}: {e}", e.name()),
        Ok(_) => println!("GET /broken unexpectedly succeeded"),
    }
    drop(sock);
    server.join().expect("server thread");
    Ok(())
}
