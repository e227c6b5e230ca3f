//! `fetch`: a small curl on top of httpcore-std.
//!
//! ```text
//! cargo run -p httpcore-std --example fetch -- [OPTIONS] [URL...]
//! ```
//!
//! With no URL it starts a demo server on 127.0.0.1 and walks through what
//! the library does against it. Options: `-X METHOD`, `-H 'Name: value'`
//! (repeatable), `-d DATA` / `-d @FILE`, `-i`, `-I`, `-o FILE`,
//! `--timeout SECS`, `--lenient`, `-k`, `--cacert FILE`,
//! `-x [http://][USER:PASS@]HOST:PORT` (a proxy: `http://` URLs go to it in
//! absolute-form, `https://` through CONNECT; credentials go to the proxy
//! only), `-v`, `--delay SECS`, `--json`.
//!
//! A request whose connection failed after it was sent is retried only when
//! that cannot make the server act twice: a POST is reported as
//! `MaybeProcessed` (exit status 1), never sent again.

use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use base64::Engine as _;
use httpcore_std::httpcore::{Config, Url};
use httpcore_std::{Error, HttpConnection, HttpsConnection, Proxy, Response, Timeouts, TlsOptions};

#[derive(Debug, Default)]
struct Options {
    method: Option<String>,
    headers: Vec<(String, String)>,
    data: Option<Vec<u8>>,
    include: bool,
    head: bool,
    output: Option<String>,
    timeout: Option<Duration>,
    lenient: bool,
    insecure: bool,
    cacert: Option<String>,
    proxy: Option<String>,
    verbose: bool,
    delay: Option<Duration>,
    json: bool,
    urls: Vec<String>,
}

fn usage() -> ! {
    eprintln!(
        "usage: fetch [-X METHOD] [-H 'Name: value']... [-d DATA|@FILE] [-i] [-I] [-o FILE] [--timeout SECS]\n             [--lenient] [-k] [--cacert FILE] [-x [USER:PASS@]HOST:PORT] [-v] [--delay SECS] [--json] [URL...]"
    );
    std::process::exit(2)
}

fn parse_args() -> Options {
    let mut o = Options::default();
    let mut args = std::env::args().skip(1);
    let secs = |v: Option<String>| {
        Duration::from_secs_f64(v.and_then(|v| v.parse().ok()).unwrap_or_else(|| usage()))
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "-X" => o.method = Some(args.next().unwrap_or_else(|| usage())),
            "-H" => {
                let h = args.next().unwrap_or_else(|| usage());
                let (n, v) = h.split_once(':').unwrap_or_else(|| usage());
                o.headers.push((n.trim().to_string(), v.trim().to_string()));
            }
            "-d" => {
                let d = args.next().unwrap_or_else(|| usage());
                o.data = Some(match d.strip_prefix('@') {
                    Some(path) => std::fs::read(path).unwrap_or_else(|e| {
                        eprintln!("fetch: cannot read {path}: {e}");
                        std::process::exit(1)
                    }),
                    None => d.into_bytes(),
                });
            }
            "-i" => o.include = true,
            "-I" => o.head = true,
            "-o" => o.output = Some(args.next().unwrap_or_else(|| usage())),
            "--timeout" => o.timeout = Some(secs(args.next())),
            "--lenient" => o.lenient = true,
            "-k" => o.insecure = true,
            "--cacert" => o.cacert = Some(args.next().unwrap_or_else(|| usage())),
            "-x" => o.proxy = Some(args.next().unwrap_or_else(|| usage())),
            "-v" => o.verbose = true,
            "--delay" => o.delay = Some(secs(args.next())),
            "--json" => o.json = true,
            "-h" | "--help" => usage(),
            s if s.starts_with('-') => usage(),
            _ => o.urls.push(a),
        }
    }
    o
}

/// A connection kept between URLs of the same scheme and authority.
struct Open {
    key: (bool, String),
    conn: HttpConnection,
}

fn open(url: &Url, o: &Options) -> Result<HttpConnection, Error> {
    let target = url.authority.clone();
    let mut conn = if url.https {
        let opts = TlsOptions {
            ca_file: o.cacert.as_ref().map(Into::into),
            danger_accept_invalid_certs: o.insecure,
            ..TlsOptions::default()
        };
        HttpsConnection::with_options(&target, &opts)?.into_inner()
    } else {
        HttpConnection::new(&target)?
    };
    if let Some(p) = &o.proxy {
        conn.set_proxy(&Proxy::parse(p)?);
    }
    if let Some(t) = o.timeout {
        conn.set_timeouts(Timeouts::all(t));
    }
    if o.lenient {
        conn.set_config(Config::lenient());
    }
    conn.set_debug_level(u8::from(o.verbose));
    Ok(conn)
}

/// Bytes as a string with one char per byte (ISO-8859-1): nothing lost.
fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| c as char).collect()
}

fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

struct Fetched {
    status: u16,
    reason: Vec<u8>,
    version: &'static str,
    headers: Vec<(Vec<u8>, Vec<u8>)>,
    trailers: Vec<(Vec<u8>, Vec<u8>)>,
    body: Vec<u8>,
    reused: bool,
}

fn fetch_one(url_str: &str, o: &Options, open_conn: &mut Option<Open>) -> Result<Fetched, Error> {
    let url = Url::parse(url_str)?;
    let key = (url.https, url.authority.clone());
    if open_conn.as_ref().is_none_or(|c| c.key != key) {
        *open_conn = Some(Open {
            key: key.clone(),
            conn: open(&url, o)?,
        });
    }
    let conn = &mut open_conn.as_mut().expect("just opened").conn;
    let before = conn.responses_on_connection();
    let was_connected = conn.is_connected();
    let method = o.method.clone().unwrap_or_else(|| {
        if o.head {
            "HEAD".into()
        } else if o.data.is_some() {
            "POST".into()
        } else {
            "GET".into()
        }
    });
    conn.request(&method, &url.target, o.data.as_deref(), &o.headers)?;
    let reused = was_connected
        && before > 0
        && conn.responses_on_connection() == before
        && conn.is_connected();
    let mut resp = conn.get_response()?;
    let mut body = Vec::new();
    let mut out: Option<std::fs::File> = match &o.output {
        Some(path) => Some(std::fs::File::create(path).map_err(|e| Error::Io {
            during: "creating the output file",
            source: e,
        })?),
        None => None,
    };
    let progress = out.is_some() && std::io::stderr().is_terminal();
    let (start, mut total) = (Instant::now(), 0u64);
    while let Some(chunk) = resp.next_chunk()? {
        total += chunk.len() as u64;
        match &mut out {
            Some(f) => f.write_all(&chunk).map_err(|e| Error::Io {
                during: "writing the output file",
                source: e,
            })?,
            None => body.extend_from_slice(&chunk),
        }
        if progress {
            eprint!("\r{total} bytes in {:.1} s", start.elapsed().as_secs_f64());
        }
    }
    if progress {
        eprintln!();
    }
    Ok(collect(&resp, body, reused))
}

fn collect(resp: &Response<'_>, body: Vec<u8>, reused: bool) -> Fetched {
    Fetched {
        status: resp.status(),
        reason: resp.reason_bytes().to_vec(),
        version: resp.version().as_str(),
        headers: resp
            .headers()
            .map(|(n, v)| (n.to_vec(), v.to_vec()))
            .collect(),
        trailers: resp
            .trailers()
            .map(|(n, v)| (n.to_vec(), v.to_vec()))
            .collect(),
        body,
        reused,
    }
}

fn print(url: &str, f: &Fetched, o: &Options) {
    let mut stdout = std::io::stdout().lock();
    if o.json {
        let fields = |v: &[(Vec<u8>, Vec<u8>)]| {
            v.iter()
                .map(|(n, v)| format!("[{},{}]", json_str(&latin1(n)), json_str(&latin1(v))))
                .collect::<Vec<_>>()
                .join(",")
        };
        let _ = writeln!(
            stdout,
            "{{\"url\":{},\"status\":{},\"reason\":{},\"version\":{},\"headers\":[{}],\"trailers\":[{}],\"body_base64\":{},\"reused\":{}}}",
            json_str(url),
            f.status,
            json_str(&latin1(&f.reason)),
            json_str(f.version),
            fields(&f.headers),
            fields(&f.trailers),
            json_str(&base64::engine::general_purpose::STANDARD.encode(&f.body)),
            f.reused
        );
        return;
    }
    if o.include || o.head {
        let _ = stdout.write_all(format!("{} {} ", f.version, f.status).as_bytes());
        let _ = stdout.write_all(&f.reason);
        let _ = stdout.write_all(b"\n");
        for (n, v) in &f.headers {
            let _ = stdout.write_all(n);
            let _ = stdout.write_all(b": ");
            let _ = stdout.write_all(v);
            let _ = stdout.write_all(b"\n");
        }
        let _ = stdout.write_all(b"\n");
    }
    let _ = stdout.write_all(&f.body);
    let _ = stdout.flush();
}

fn report(url: &str, e: &Error, o: &Options) {
    if o.json {
        println!(
            "{{\"url\":{},\"error\":{},\"message\":{}}}",
            json_str(url),
            json_str(e.name()),
            json_str(&e.to_string())
        );
    } else {
        eprintln!("fetch: {}: {e}", e.name());
    }
}

fn main() -> ExitCode {
    let mut o = parse_args();
    if o.insecure && !o.json {
        eprintln!("fetch: warning: -k: certificates are not verified; anyone in the middle can read and change this exchange");
    }
    let demo = o.urls.is_empty();
    let server = if demo {
        let (addr, handle) = demo_server();
        o.urls = demo_urls(&addr);
        if !o.json {
            println!("fetch: no URL given; demo server on http://{addr}/\n");
        }
        Some(handle)
    } else {
        None
    };
    let mut failed = false;
    let mut conn: Option<Open> = None;
    let urls = std::mem::take(&mut o.urls);
    for (i, url) in urls.iter().enumerate() {
        if i > 0 {
            if let Some(d) = o.delay {
                std::thread::sleep(d);
            }
        }
        if demo && !o.json {
            println!("== {} {url}", demo_method(i));
            o.method = Some(demo_method(i).to_string());
            o.data = (demo_method(i) == "POST").then(|| b"spam=1&eggs=2".to_vec());
            o.include = true;
        }
        match fetch_one(url, &o, &mut conn) {
            Ok(f) => {
                print(url, &f, &o);
                if demo && !o.json {
                    println!(
                        "\n   (connection {})\n",
                        if f.reused { "reused" } else { "new" }
                    );
                }
            }
            Err(e) => {
                report(url, &e, &o);
                failed = true;
                conn = None; // the next URL starts on a new connection
            }
        }
    }
    drop(conn);
    if let Some(h) = server {
        let _ = h.join();
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

const DEMO: [(&str, &str); 6] = [
    ("GET", "/hello"),
    ("GET", "/hello"),
    ("POST", "/echo"),
    ("GET", "/chunked"),
    ("HEAD", "/hello"),
    ("GET", "/missing"),
];

fn demo_method(i: usize) -> &'static str {
    DEMO[i % DEMO.len()].0
}

fn demo_urls(addr: &str) -> Vec<String> {
    DEMO.iter()
        .map(|(_, p)| format!("http://{addr}{p}"))
        .collect()
}

/// A deliberately small HTTP/1.1 server for the demo: one connection at a
/// time, Content-Length request bodies, a few fixed answers. Bounded: it
/// stops after the demo's connections.
fn demo_server() -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local address").to_string();
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().take(1).flatten() {
            let _ = serve_connection(stream);
        }
    });
    (addr, handle)
}

fn serve_connection(stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    loop {
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            if line == "\r\n" {
                break;
            }
            head.push(line);
        }
        let first = head.first().cloned().unwrap_or_default();
        let mut parts = first.split(' ');
        let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
        let length: usize = head
            .iter()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse().unwrap_or(0))
            })
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let mut reply: Vec<u8> = match path {
            "/hello" => b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 14\r\n\r\nHello, world!\n".to_vec(),
            "/echo" => {
                let mut r = format!("HTTP/1.1 201 Created\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
                r.extend_from_slice(&body);
                r
            }
            "/chunked" => b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\nchunked \r\n6\r\nbody!\n\r\n0\r\nX-Checksum: 42\r\n\r\n".to_vec(),
            _ => b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nnot found\n".to_vec(),
        };
        if method == "HEAD" {
            let end = reply
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map_or(reply.len(), |p| p + 4);
            reply.truncate(end);
        }
        out.write_all(&reply)?;
    }
}
