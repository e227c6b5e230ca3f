//! What an idle kept-alive connection costs: 10,000 connections, each
//! after one GET answered, held open — httpcore-mio `Connection`s on one
//! mio thread, and hyper 1.x `client::conn::http1` connections on a
//! current-thread Tokio runtime — against the same count of bare sockets
//! registered with the same event loop. Each set lives in a fresh child
//! process; the loopback server (the mio load server) runs in this one.
//!
//! Prints, per client, the resident memory per connection over a bare
//! socket (VmRSS: what the process holds, memory freed but kept by malloc
//! included) and the heap bytes per connection over a bare socket (counted
//! by a global allocator: what the client keeps allocated), then `ratio
//! idle_memory_vs_hyper` (resident, httpcore's over hyper's: lower is
//! better) and `ratio idle_heap_vs_hyper`.
//!
//! `cargo bench -p httpcore-mio --bench idle` (`-- --connections N` for
//! another count).

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::Duration;

use httpcore_mio::mio::net::TcpStream as MioStream;
use httpcore_mio::mio::{Events, Interest, Poll, Token};
use httpcore_mio::{Connection, Output};
use testkit::bench::{live_heap, resident_bytes, CountingAlloc};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Connections opened and answered at a time (the rest of the 10,000 wait
/// their turn; each batch stays open).
const BATCH: usize = 500;

const H: &[(&str, &str)] = &[];

/// What a child measured: heap and resident bytes added by `n`
/// connections, and how many requests were answered.
struct Measured {
    heap: i64,
    rss: i64,
    answered: usize,
}

impl Measured {
    fn print(&self) {
        println!(
            "heap {} rss {} answered {}",
            self.heap, self.rss, self.answered
        );
    }
}

/// `inline`: the bytes of the values kept in a vector allocated before
/// the baseline (each connection's own struct), which the heap count would
/// otherwise miss.
fn measure(before: (isize, u64), inline: usize, answered: usize) -> Measured {
    Measured {
        heap: (live_heap() - before.0) as i64 + inline as i64,
        rss: resident_bytes() as i64 - before.1 as i64,
        answered,
    }
}

/// `n` bare mio sockets, connected and registered.
fn bare_mio(addr: &str, n: usize) -> Measured {
    let poll = Poll::new().unwrap();
    let mut socks: Vec<MioStream> = Vec::with_capacity(n);
    let before = (live_heap(), resident_bytes());
    let addr = addr.parse().unwrap();
    for i in 0..n {
        let mut s = MioStream::connect(addr).unwrap();
        poll.registry()
            .register(&mut s, Token(i), Interest::READABLE | Interest::WRITABLE)
            .unwrap();
        socks.push(s);
    }
    std::thread::sleep(Duration::from_millis(200));
    let m = measure(before, n * std::mem::size_of::<MioStream>(), 0);
    drop(socks);
    m
}

/// `n` httpcore-mio connections, one GET each, answered and left idle.
fn httpcore(addr: &str, n: usize) -> Measured {
    let mut poll = Poll::new().unwrap();
    let mut events = Events::with_capacity(1024);
    let mut conns: Vec<Connection> = Vec::with_capacity(n);
    let before = (live_heap(), resident_bytes());
    let mut answered = 0;
    while conns.len() < n {
        let first = conns.len();
        let last = (first + BATCH).min(n);
        for i in first..last {
            let mut c = Connection::http(addr).unwrap();
            c.register(poll.registry(), Token(i)).unwrap();
            c.request(poll.registry(), "GET", "/", None, H).unwrap();
            conns.push(c);
        }
        while answered < last {
            poll.poll(&mut events, Some(Duration::from_secs(10)))
                .unwrap();
            assert!(
                !events.is_empty(),
                "no progress: {answered} of {last} answered"
            );
            let registry = poll.registry();
            for event in events.iter() {
                let c = &mut conns[event.token().0];
                c.handle_event(registry, event);
                while let Some(out) = c.poll_output(registry).unwrap() {
                    match out {
                        Output::Head { head, .. } => {
                            assert_eq!(head.status(), 200);
                            c.recycle(head);
                        }
                        Output::Body { .. } => {}
                        Output::Done { .. } => answered += 1,
                    }
                }
            }
        }
    }
    let m = measure(before, n * std::mem::size_of::<Connection>(), answered);
    drop(conns);
    m
}

/// `n` bare Tokio sockets, connected (registered with the runtime).
fn bare_tokio(addr: &str, n: usize) -> Measured {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut socks = Vec::with_capacity(n);
        let before = (live_heap(), resident_bytes());
        for _ in 0..n {
            socks.push(tokio::net::TcpStream::connect(addr).await.unwrap());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        measure(before, n * std::mem::size_of::<tokio::net::TcpStream>(), 0)
    })
}

/// `n` hyper `conn::http1` connections, one GET each, answered and left
/// idle (each connection's task spawned, its `SendRequest` kept).
fn hyper(addr: &str, n: usize) -> Measured {
    use http_body_util::{BodyExt, Empty};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut senders = Vec::with_capacity(n);
        let before = (live_heap(), resident_bytes());
        let mut answered = 0;
        for _ in 0..n {
            let s = tokio::net::TcpStream::connect(addr).await.unwrap();
            s.set_nodelay(true).unwrap();
            let io = hyper_util::rt::TokioIo::new(s);
            let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
            tokio::spawn(conn);
            let req = http::Request::get("/")
                .header("Host", addr)
                .body(Empty::<bytes::Bytes>::new())
                .unwrap();
            let resp = sender.send_request(req).await.unwrap();
            let body = resp.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(body.len(), 13);
            answered += 1;
            senders.push(sender);
        }
        // Every connection task back to waiting.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let inline = n * std::mem::size_of_val(&senders[0]);
        measure(before, inline, answered)
    })
}

/// Run `mode` in a fresh child process.
fn child(mode: &str, addr: &str, n: usize) -> Measured {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--child", mode, addr, &n.to_string()])
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(out.status.success(), "child {mode} failed");
    let line = out
        .stdout
        .lines()
        .map_while(Result::ok)
        .find(|l| l.starts_with("heap "))
        .unwrap();
    let v: Vec<i64> = line
        .split(' ')
        .skip(1)
        .step_by(2)
        .map(|x| x.parse().unwrap())
        .collect();
    Measured {
        heap: v[0],
        rss: v[1],
        answered: v[2] as usize,
    }
}

fn main() {
    testkit::bench::raise_fd_limit();
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let (mode, addr, n) = (&args[i + 1], &args[i + 2], args[i + 3].parse().unwrap());
        let m = match mode.as_str() {
            "bare_mio" => bare_mio(addr, n),
            "httpcore" => httpcore(addr, n),
            "bare_tokio" => bare_tokio(addr, n),
            "hyper" => hyper(addr, n),
            other => panic!("unknown mode {other}"),
        };
        m.print();
        return;
    }
    let n: usize = testkit::bench::arg("--connections").map_or(10_000, |n| n.parse().unwrap());
    let (addr, _) = testkit::load::start_measured(4096);
    let bare_mio = child("bare_mio", &addr, n);
    let ours = child("httpcore", &addr, n);
    let bare_tokio = child("bare_tokio", &addr, n);
    let hyper = child("hyper", &addr, n);
    assert_eq!(ours.answered, n, "httpcore: every request answered");
    assert_eq!(hyper.answered, n, "hyper: every request answered");
    let per = |m: &Measured, bare: &Measured| {
        (
            (m.heap - bare.heap) as f64 / n as f64,
            (m.rss - bare.rss) as f64 / n as f64,
        )
    };
    let (ours_heap, ours_rss) = per(&ours, &bare_mio);
    let (hyper_heap, hyper_rss) = per(&hyper, &bare_tokio);
    eprintln!(
        "  {n} idle connections, each after one answered GET; per connection over a bare socket:"
    );
    eprintln!("  httpcore-mio       heap {ours_heap:>8.0} B   resident {ours_rss:>8.0} B");
    eprintln!("  hyper conn::http1  heap {hyper_heap:>8.0} B   resident {hyper_rss:>8.0} B");
    eprintln!(
        "  (bare sockets: mio heap {:.0} B, tokio heap {:.0} B per socket)",
        bare_mio.heap as f64 / n as f64,
        bare_tokio.heap as f64 / n as f64
    );
    println!("bytes_per_idle_connection httpcore_mio {ours_rss:.0}");
    println!("bytes_per_idle_connection hyper_conn {hyper_rss:.0}");
    // Resident memory, as the anchors were measured (the heap count
    // flatters httpcore further: hyper's buffers are allocated in full and
    // only partly touched).
    println!("ratio idle_memory_vs_hyper {:.3}", ours_rss / hyper_rss);
    println!("ratio idle_heap_vs_hyper {:.3}", ours_heap / hyper_heap);
}
