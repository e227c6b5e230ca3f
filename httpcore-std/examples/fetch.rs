//! `fetch`: a small curl on top of httpcore-std's pooled `Agent`.
//!
//! ```text
//! cargo run -p httpcore-std --example fetch -- [OPTIONS] [URL...]
//! ```
//!
//! With no URL it starts a demo server on 127.0.0.1 and walks through what
//! the library does against it (keep-alive, a POST, a chunked body with
//! trailers, HEAD, a 404, a gzip body decoded, a redirect followed).
//! `fetch --help` lists every option. Options take their value as the next
//! argument or after `=` (`--max-time=5`), short flags combine (`-iL`),
//! and `--` ends the options.
//!
//! A request whose connection failed after it was sent is retried only when
//! that cannot make the server act twice: a POST is reported as
//! `MaybeProcessed` (exit status 1), never sent again.

use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use httpcore_std::httpcore::Config;
use httpcore_std::httpcore_client::redirect::Redirects;
use httpcore_std::httpcore_client::target::redact;
use httpcore_std::httpcore_client::{EnvProxies, EnvProxySource};
use httpcore_std::{Agent, AgentResponse, ClientSettings, Error, Proxy, Timeouts, TlsOptions};

const HELP: &str = "\
fetch: a small curl on httpcore-std's pooled Agent

usage: fetch [OPTIONS] [URL...]      (no URL: a demo against a local server)

  -X, --request METHOD      the method (default GET; POST with -d; HEAD with -I)
  -H, --header 'Name: value'  a request header (repeatable)
  -d, --data DATA|@FILE     a request body (makes the request a POST)
  -u, --user USER:PASS      Basic authentication
  -i, --include             print the status line and headers before the body
  -I, --head                a HEAD request; print the head
  -o, --output FILE         write the body to FILE (a progress bar on a terminal)
  -L, --location            follow redirects (up to --max-redirs)
      --max-redirs N        how many redirects -L follows (default 10)
      --compressed          ask for gzip/deflate (and br, zstd when built in) and decode
      --timeout SECS        connect, read and write timeout of each phase
  -m, --max-time SECS       one deadline for each whole request
  -x, --proxy URL           http://[user:pass@]host:port, socks5://, socks5h://
      --noproxy LIST        hosts that bypass the proxy (overrides NO_PROXY)
  -k, --insecure            do not verify certificates (warns)
      --cacert FILE         trust the certificates in FILE (PEM)
      --lenient             accept what lenient parsers accept (bare LF, ...)
  -Z, --parallel N          fetch the URLs N at a time over the pooled Agent
  -v, --verbose             print each request and response head on stderr
      --delay SECS          wait between URLs (sequential runs)
      --json                one JSON line per URL on stdout
  -h, --help                this text

Proxies also come from http_proxy, https_proxy, all_proxy and no_proxy.
Exit status: 0 when every URL was fetched, 1 otherwise, 2 for bad usage.";

#[derive(Debug, Default, Clone)]
struct Options {
    method: Option<String>,
    headers: Vec<(String, String)>,
    data: Option<Vec<u8>>,
    include: bool,
    head: bool,
    output: Option<String>,
    location: bool,
    max_redirs: usize,
    compressed: bool,
    timeout: Option<Duration>,
    max_time: Option<Duration>,
    proxy: Option<String>,
    noproxy: Option<String>,
    insecure: bool,
    cacert: Option<String>,
    lenient: bool,
    parallel: usize,
    verbose: bool,
    delay: Option<Duration>,
    json: bool,
    urls: Vec<String>,
}

fn bad_usage(message: &str) -> ! {
    eprintln!("fetch: {message}\n(fetch --help lists the options)");
    std::process::exit(2)
}

fn parse_args() -> Result<Options, lexopt::Error> {
    use lexopt::prelude::*;
    let mut o = Options {
        max_redirs: 10,
        parallel: 1,
        ..Options::default()
    };
    let mut p = lexopt::Parser::from_env();
    let secs = |v: std::ffi::OsString| -> Result<Duration, lexopt::Error> {
        let s: String = v.string()?;
        s.parse::<f64>()
            .ok()
            .and_then(|n| Duration::try_from_secs_f64(n).ok())
            .ok_or_else(|| format!("{s:?} is not a number of seconds").into())
    };
    while let Some(arg) = p.next()? {
        match arg {
            Short('X') | Long("request") => o.method = Some(p.value()?.string()?),
            Short('H') | Long("header") => {
                let h = p.value()?.string()?;
                let (n, v) = h
                    .split_once(':')
                    .ok_or_else(|| format!("{h:?} is not 'Name: value'"))?;
                o.headers.push((n.trim().to_string(), v.trim().to_string()));
            }
            Short('d') | Long("data") => {
                let d = p.value()?.string()?;
                o.data = Some(match d.strip_prefix('@') {
                    Some(path) => {
                        std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?
                    }
                    None => d.into_bytes(),
                });
            }
            Short('u') | Long("user") => {
                let creds = p.value()?.string()?;
                let token = base64::engine::general_purpose::STANDARD.encode(creds.as_bytes());
                o.headers
                    .push(("Authorization".into(), format!("Basic {token}")));
            }
            Short('i') | Long("include") => o.include = true,
            Short('I') | Long("head") => o.head = true,
            Short('o') | Long("output") => o.output = Some(p.value()?.string()?),
            Short('L') | Long("location") => o.location = true,
            Long("max-redirs") => o.max_redirs = p.value()?.parse()?,
            Long("compressed") => o.compressed = true,
            Long("timeout") => o.timeout = Some(secs(p.value()?)?),
            Short('m') | Long("max-time") => o.max_time = Some(secs(p.value()?)?),
            Short('x') | Long("proxy") => o.proxy = Some(p.value()?.string()?),
            Long("noproxy") => o.noproxy = Some(p.value()?.string()?),
            Short('k') | Long("insecure") => o.insecure = true,
            Long("cacert") => o.cacert = Some(p.value()?.string()?),
            Long("lenient") => o.lenient = true,
            Short('Z') | Long("parallel") => {
                o.parallel = p.value()?.parse()?;
                if o.parallel == 0 {
                    return Err("--parallel needs at least 1".into());
                }
            }
            Short('v') | Long("verbose") => o.verbose = true,
            Long("delay") => o.delay = Some(secs(p.value()?)?),
            Long("json") => o.json = true,
            Short('h') | Long("help") => {
                println!("{HELP}");
                std::process::exit(0)
            }
            Value(url) => o.urls.push(url.string()?),
            _ => return Err(arg.unexpected()),
        }
    }
    if o.output.is_some() && o.urls.len() > 1 {
        return Err("-o writes one URL's body: give one URL".into());
    }
    Ok(o)
}

/// The Agent for these options.
fn agent(o: &Options) -> Result<Agent, Error> {
    let mut settings = ClientSettings {
        tls: TlsOptions {
            ca_file: o.cacert.as_ref().map(Into::into),
            danger_accept_invalid_certs: o.insecure,
            ..TlsOptions::default()
        },
        decompress: o.compressed,
        deadline: o.max_time,
        redirects: if o.location {
            Redirects::follow(o.max_redirs)
        } else {
            Redirects::default()
        },
        // fetch hands over whole bodies it was asked for.
        max_body: usize::MAX,
        ..ClientSettings::default()
    };
    if let Some(t) = o.timeout {
        settings.timeouts = Timeouts::all(t);
    }
    if o.lenient {
        settings.engine = Config::lenient();
    }
    if let Some(p) = &o.proxy {
        settings.proxy = Some(Proxy::parse(p)?);
    }
    if let Some(list) = &o.noproxy {
        // curl's --noproxy replaces the environment's no_proxy.
        let list = list.clone();
        let env = EnvProxies::from_vars(|name| {
            if name.eq_ignore_ascii_case("no_proxy") {
                Some(list.clone())
            } else {
                std::env::var(name).ok()
            }
        })?;
        settings.env_proxies = EnvProxySource::Given(Box::new(env));
    }
    Agent::with_config(settings)
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

fn method_of(o: &Options) -> String {
    o.method.clone().unwrap_or_else(|| {
        if o.head {
            "HEAD".into()
        } else if o.data.is_some() {
            "POST".into()
        } else {
            "GET".into()
        }
    })
}

fn fetch_one(agent: &Agent, url: &str, o: &Options) -> Result<Fetched, Error> {
    let method = method_of(o);
    let headers: Vec<(&str, &str)> = o
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    if o.verbose {
        eprintln!("> {method} {}", redact(url));
        for (n, v) in &headers {
            eprintln!("> {n}: {v}");
        }
    }
    let mut resp = agent.request(&method, url, &headers, o.data.as_deref())?;
    if o.verbose {
        eprintln!(
            "< {} {} {}",
            resp.version().as_str(),
            resp.status(),
            resp.reason()
        );
        for (n, v) in resp.headers() {
            eprintln!("< {}: {}", latin1(n), latin1(v));
        }
    }
    let mut body = Vec::new();
    match &o.output {
        Some(path) => save(&mut resp, path)?,
        None => {
            while let Some(chunk) = resp.next_chunk()? {
                body.extend_from_slice(&chunk);
            }
        }
    }
    Ok(collect(&resp, body))
}

/// The body to `path`, with a progress bar (size, rate, time left) when
/// stderr is a terminal.
fn save(resp: &mut AgentResponse, path: &str) -> Result<(), Error> {
    let io = |during| move |e| Error::Io { during, source: e };
    let mut file = std::fs::File::create(path).map_err(io("creating the output file"))?;
    let total = resp
        .header("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|_| resp.decoded_from().is_none());
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = match total {
            Some(n) => indicatif::ProgressBar::new(n),
            None => indicatif::ProgressBar::new_spinner(),
        };
        let style = match total {
            Some(_) => "{bytes}/{total_bytes} {wide_bar} {bytes_per_sec} {eta} left",
            None => "{spinner} {bytes} {bytes_per_sec}",
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(style) {
            bar.set_style(style);
        }
        bar
    });
    while let Some(chunk) = resp.next_chunk()? {
        file.write_all(&chunk)
            .map_err(io("writing the output file"))?;
        if let Some(bar) = &bar {
            bar.inc(chunk.len() as u64);
        }
    }
    if let Some(bar) = bar {
        bar.finish();
    }
    Ok(())
}

fn collect(resp: &AgentResponse, body: Vec<u8>) -> Fetched {
    let pairs = |it: &mut dyn Iterator<Item = (&[u8], &[u8])>| -> Vec<(Vec<u8>, Vec<u8>)> {
        it.map(|(n, v)| (n.to_vec(), v.to_vec())).collect()
    };
    Fetched {
        status: resp.status(),
        reason: resp.reason_bytes().to_vec(),
        version: resp.version().as_str(),
        headers: pairs(&mut resp.headers()),
        trailers: pairs(&mut resp.trailers()),
        body,
        reused: resp.reused_connection(),
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
            json_str(&redact(url)),
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
            json_str(&redact(url)),
            json_str(e.name()),
            json_str(&e.to_string())
        );
    } else {
        eprintln!("fetch: {}: {}: {e}", redact(url), e.name());
    }
}

fn main() -> ExitCode {
    let mut o = parse_args().unwrap_or_else(|e| bad_usage(&e.to_string()));
    if o.insecure && !o.json {
        eprintln!("fetch: warning: -k: certificates are not verified; anyone in the middle can read and change this exchange");
    }
    if o.urls.is_empty() {
        return demo(o);
    }
    let agent = match agent(&o) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("fetch: {}: {e}", e.name());
            return ExitCode::FAILURE;
        }
    };
    let urls = std::mem::take(&mut o.urls);
    let ok = if o.parallel > 1 {
        parallel(&agent, &urls, &o)
    } else {
        let mut ok = true;
        for (i, url) in urls.iter().enumerate() {
            if let (true, Some(d)) = (i > 0, o.delay) {
                std::thread::sleep(d);
            }
            match fetch_one(&agent, url, &o) {
                Ok(f) => print(url, &f, &o),
                Err(e) => {
                    report(url, &e, &o);
                    ok = false;
                }
            }
        }
        ok
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `-Z N`: the URLs fetched N at a time over the one Agent (its pool
/// shares the connections), printed in the order given.
fn parallel(agent: &Agent, urls: &[String], o: &Options) -> bool {
    let next = Arc::new(Mutex::new(0usize));
    type Slot = Option<Result<Fetched, Error>>;
    let results: Arc<Mutex<Vec<Slot>>> =
        Arc::new(Mutex::new((0..urls.len()).map(|_| None).collect()));
    std::thread::scope(|s| {
        for _ in 0..o.parallel.min(urls.len()) {
            let (next, results) = (next.clone(), results.clone());
            s.spawn(move || loop {
                let i = {
                    let mut n = next.lock().unwrap();
                    *n += 1;
                    *n - 1
                };
                let Some(url) = urls.get(i) else { return };
                let r = fetch_one(agent, url, o);
                results.lock().unwrap()[i] = Some(r);
            });
        }
    });
    let mut ok = true;
    let results = std::mem::take(&mut *results.lock().unwrap());
    for (url, r) in urls.iter().zip(results) {
        match r.expect("every URL was fetched") {
            Ok(f) => print(url, &f, o),
            Err(e) => {
                report(url, &e, o);
                ok = false;
            }
        }
    }
    ok
}

/// The demo: a local server and a walk through what the Agent does.
const DEMO: [(&str, &str, &str); 8] = [
    ("GET", "/hello", "a GET"),
    (
        "GET",
        "/hello",
        "again: the kept-alive connection is reused",
    ),
    ("POST", "/echo", "a POST with a body"),
    ("GET", "/chunked", "a chunked body with a trailer"),
    ("HEAD", "/hello", "HEAD: a head, no body"),
    ("GET", "/missing", "a 404 is a response, not an error"),
    ("GET", "/gzip", "a gzip body, decoded (--compressed)"),
    ("GET", "/moved", "a 302, followed (-L)"),
];

fn demo(mut o: Options) -> ExitCode {
    let addr = demo_server();
    if !o.json {
        println!("fetch: no URL given; demo server on http://{addr}/\n");
    }
    o.compressed = true;
    o.location = true;
    o.include = !o.json;
    let agent = match agent(&o) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("fetch: {}: {e}", e.name());
            return ExitCode::FAILURE;
        }
    };
    let mut ok = true;
    for (method, path, what) in DEMO {
        let url = format!("http://{addr}{path}");
        if !o.json {
            println!("== {method} {url}   ({what})");
        }
        let mut step = o.clone();
        step.method = Some(method.to_string());
        step.data = (method == "POST").then(|| b"spam=1&eggs=2".to_vec());
        match fetch_one(&agent, &url, &step) {
            Ok(f) => {
                print(&url, &f, &step);
                if !o.json {
                    let conn = if f.reused { "reused" } else { "new" };
                    println!("\n   (connection {conn})\n");
                }
            }
            Err(e) => {
                report(&url, &e, &step);
                ok = false;
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// A deliberately small HTTP/1.1 server for the demo: Content-Length
/// request bodies, a few fixed answers. Bounded: it serves a few
/// connections, each until the client closes it.
fn demo_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local address").to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(8).flatten() {
            std::thread::spawn(move || serve_connection(stream));
        }
    });
    addr
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("writing to memory");
    e.finish().expect("writing to memory")
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
            "/gzip" => {
                let z = gzip(b"This body travelled gzip-compressed and was decoded.\n");
                let mut r = format!(
                    "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
                    z.len()
                )
                .into_bytes();
                r.extend_from_slice(&z);
                r
            }
            "/moved" => b"HTTP/1.1 302 Found\r\nLocation: /hello\r\nContent-Length: 0\r\n\r\n".to_vec(),
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
