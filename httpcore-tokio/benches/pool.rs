//! Many tasks sharing one client against one in-process server thread (the
//! mio load server, a 13-byte body), the clients timed alternately in one
//! process, order reversed each round:
//!
//! * `raw` — one tokio socket per task writing a fixed GET and reading the
//!   fixed 52-byte answer (the floor: no client can do less);
//! * `httpcore` — one shared [`httpcore_tokio::Client`], per-host limit
//!   equal to the task count (so it holds the connections the raw loop
//!   does);
//! * `hyper_util` — hyper-util's legacy `Client` (HTTP/1);
//! * `reqwest` — reqwest's `Client` (`default-features = false`: HTTP/1,
//!   no TLS, no proxy lookup);
//! * `hyper_conn` — one hyper `client::conn::http1` connection per task;
//! * `conn` — one [`httpcore_tokio::HttpConnection`] per task: what the
//!   `Client` leases out, without the pool and the client around it.
//!
//! 64 tasks on a current-thread runtime, then on a 2-worker multi-thread
//! runtime (suffix `_mt`). Prints `ratio tokio_client_vs_raw`,
//! `tokio_client_vs_hyper_util`, `tokio_client_vs_reqwest`,
//! `tokio_client_vs_hyper_conn`, `tokio_client_vs_conn` and
//! `tokio_conn_vs_raw` (and the `_mt` ones): the median over
//! rounds of the other's time over httpcore's for the same requests. Each
//! client's requests per second and CPU per request (the process's CPU
//! minus the server thread's) go to stderr.
//!
//! `cargo bench -p httpcore-tokio --bench pool`
//!
//! `-- --only NAME [--tasks N] [--mt]` runs the clients whose names
//! contain NAME for 100 rounds, on N tasks (64), on the current-thread
//! runtime (the multi-thread one with `--mt`), to profile one;
//! `-- --sweep` instead prints `rps RUNTIME CLIENT TASKS VALUE` for 1, 4,
//! 16, 64 and 256 tasks (the chart in docs/benchmarks.md).

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use httpcore_tokio::Client;
use httpcore_tokio::ClientSettings;
use httpcore_tokio::HttpConnection;
use hyper_util::rt::TokioIo;
use testkit::bench::{Contest, ThreadCpu};
use testkit::load::RESPONSE;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::runtime::Runtime;

/// Requests every client makes per round (split evenly over the tasks).
const PER_ROUND: usize = 3200;

type HyperSender = hyper::client::conn::http1::SendRequest<Empty<Bytes>>;

/// One round's work for one client, on `tasks` tasks.
struct Setup {
    addr: String,
    tasks: usize,
    per_task: usize,
}

/// One task per state in `states`, each running `task` on its own state;
/// the states back, once every task is done.
async fn each_task<T, Fut>(states: Vec<T>, task: impl Fn(T) -> Fut) -> Vec<T>
where
    T: Send + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    let handles: Vec<_> = states.into_iter().map(|s| tokio::spawn(task(s))).collect();
    let mut back = Vec::with_capacity(handles.len());
    for h in handles {
        back.push(h.await.unwrap());
    }
    back
}

impl Setup {
    async fn raw(&self, streams: Vec<TcpStream>) -> Vec<TcpStream> {
        let request: Arc<[u8]> = format!("GET / HTTP/1.1\r\nHost: {}\r\n\r\n", self.addr)
            .into_bytes()
            .into();
        let per_task = self.per_task;
        each_task(streams, |mut s| {
            let request = request.clone();
            async move {
                let mut answer = [0u8; RESPONSE.len()];
                for _ in 0..per_task {
                    s.write_all(&request).await.unwrap();
                    s.read_exact(&mut answer).await.unwrap();
                }
                s
            }
        })
        .await
    }

    async fn httpcore(&self, client: &Client) {
        let url: Arc<str> = format!("http://{}/", self.addr).into();
        let per_task = self.per_task;
        each_task(vec![(); self.tasks], |()| {
            let (client, url) = (client.clone(), url.clone());
            async move {
                for _ in 0..per_task {
                    let mut resp = client.get(&url).await.unwrap();
                    let mut len = 0;
                    while let Some(chunk) = resp.chunk().await.unwrap() {
                        len += chunk.len();
                    }
                    assert_eq!(len, 13);
                }
            }
        })
        .await;
    }

    async fn conn(&self, conns: Vec<HttpConnection>) -> Vec<HttpConnection> {
        let per_task = self.per_task;
        each_task(conns, |mut conn| async move {
            for _ in 0..per_task {
                let mut resp = conn
                    .request("GET", "/", None, &[] as &[(&str, &str)])
                    .await
                    .unwrap();
                let mut len = 0;
                while let Some(chunk) = resp.chunk().await.unwrap() {
                    len += chunk.len();
                }
                assert_eq!(len, 13);
            }
            conn
        })
        .await
    }

    /// The engine driven by hand over a tokio socket, as a program that
    /// embeds it in its own loop would: no client layer, no time limits,
    /// no retries, no idle check.
    async fn engine(&self, streams: Vec<TcpStream>) -> Vec<TcpStream> {
        let per_task = self.per_task;
        let (host, port) = self.addr.rsplit_once(':').unwrap();
        let authority = httpcore::Authority::parse(host, port.parse().unwrap()).unwrap();
        each_task(streams, move |mut s| {
            let mut c = httpcore::Connection::new(authority.clone(), httpcore::Config::default());
            async move {
                for _ in 0..per_task {
                    c.request("GET", "/", None, &[] as &[(&str, &str)]).unwrap();
                    while let Some(bytes) = c.poll_transmit() {
                        s.write_all(&bytes).await.unwrap();
                    }
                    let mut len = 0;
                    loop {
                        match c.poll_event().unwrap() {
                            Some(httpcore::Event::BodyChunk(b)) => len += b.len(),
                            Some(httpcore::Event::Done(_)) => break,
                            Some(_) => {}
                            None => {
                                let n = s.read(c.begin_recv()).await.unwrap();
                                c.handle_read(n);
                            }
                        }
                    }
                    assert_eq!(len, 13);
                }
                s
            }
        })
        .await
    }

    async fn hyper_util(
        &self,
        client: &hyper_util::client::legacy::Client<
            hyper_util::client::legacy::connect::HttpConnector,
            Empty<Bytes>,
        >,
    ) {
        let uri: http::Uri = format!("http://{}/", self.addr).parse().unwrap();
        let per_task = self.per_task;
        each_task(vec![(); self.tasks], |()| {
            let (client, uri) = (client.clone(), uri.clone());
            async move {
                for _ in 0..per_task {
                    let resp = client.get(uri.clone()).await.unwrap();
                    let body = resp.into_body().collect().await.unwrap().to_bytes();
                    assert_eq!(body.len(), 13);
                }
            }
        })
        .await;
    }

    async fn reqwest(&self, client: &reqwest::Client) {
        let url: Arc<str> = format!("http://{}/", self.addr).into();
        let per_task = self.per_task;
        each_task(vec![(); self.tasks], |()| {
            let (client, url) = (client.clone(), url.clone());
            async move {
                for _ in 0..per_task {
                    let resp = client.get(&*url).send().await.unwrap();
                    assert_eq!(resp.bytes().await.unwrap().len(), 13);
                }
            }
        })
        .await;
    }

    async fn hyper_conn(&self, senders: Vec<HyperSender>) -> Vec<HyperSender> {
        let per_task = self.per_task;
        let addr: Arc<str> = self.addr.clone().into();
        each_task(senders, |mut sender| {
            let addr = addr.clone();
            async move {
                for _ in 0..per_task {
                    let req = http::Request::get("/")
                        .header("Host", &*addr)
                        .body(Empty::<Bytes>::new())
                        .unwrap();
                    let resp = sender.send_request(req).await.unwrap();
                    let body = resp.into_body().collect().await.unwrap().to_bytes();
                    assert_eq!(body.len(), 13);
                }
                sender
            }
        })
        .await
    }
}

async fn connect_raw(addr: &str, n: usize) -> Vec<TcpStream> {
    let mut streams = Vec::with_capacity(n);
    for _ in 0..n {
        let s = TcpStream::connect(addr).await.unwrap();
        s.set_nodelay(true).unwrap();
        streams.push(s);
    }
    streams
}

async fn connect_hyper(addr: &str, n: usize) -> Vec<HyperSender> {
    let mut senders = Vec::with_capacity(n);
    for s in connect_raw(addr, n).await {
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(s))
            .await
            .unwrap();
        tokio::spawn(conn);
        senders.push(sender);
    }
    senders
}

/// Every client against the others on `rt`, `tasks` tasks each; `report`
/// reads the finished contest.
fn contest(
    rt: &Runtime,
    addr: &str,
    server: &ThreadCpu,
    tasks: usize,
    rounds: usize,
    only: Option<&str>,
    report: impl FnOnce(&Contest),
) {
    let setup = Setup {
        addr: addr.to_string(),
        tasks,
        per_task: PER_ROUND.div_ceil(tasks),
    };
    let requests = setup.tasks * setup.per_task;
    let (client, hyper_util, reqwest, mut raw, mut conns, mut own, mut engine) =
        rt.block_on(async {
            let mut settings = ClientSettings::default();
            settings.pool.max_per_host = tasks;
            settings.pool.max_idle_per_host = tasks;
            settings.pool.max_idle = tasks;
            let client = Client::with_settings(settings).unwrap();
            let hyper_util =
                hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                    .pool_max_idle_per_host(tasks)
                    .build_http::<Empty<Bytes>>();
            let reqwest = reqwest::Client::builder()
                .pool_max_idle_per_host(tasks)
                .no_proxy()
                .build()
                .unwrap();
            let raw = Some(connect_raw(addr, tasks).await);
            let conns = Some(connect_hyper(addr, tasks).await);
            let engine = Some(connect_raw(addr, tasks).await);
            let own = (0..tasks)
                .map(|_| HttpConnection::http(addr).unwrap())
                .collect();
            (client, hyper_util, reqwest, raw, conns, Some(own), engine)
        });
    let mut contest = Contest::new(Some(server.clone()));
    contest
        .entrant("raw", || {
            raw = Some(rt.block_on(setup.raw(raw.take().unwrap())));
            requests
        })
        .entrant("httpcore", || {
            rt.block_on(setup.httpcore(&client));
            requests
        })
        .entrant("engine", || {
            engine = Some(rt.block_on(setup.engine(engine.take().unwrap())));
            requests
        })
        .entrant("conn", || {
            own = Some(rt.block_on(setup.conn(own.take().unwrap())));
            requests
        })
        .entrant("hyper_util", || {
            rt.block_on(setup.hyper_util(&hyper_util));
            requests
        })
        .entrant("reqwest", || {
            rt.block_on(setup.reqwest(&reqwest));
            requests
        })
        .entrant("hyper_conn", || {
            conns = Some(rt.block_on(setup.hyper_conn(conns.take().unwrap())));
            requests
        });
    if let Some(name) = only {
        contest.keep_only(name);
    }
    contest.run(rounds);
    report(&contest);
}

fn current_thread() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn multi_thread() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn runtimes() -> [(&'static str, Runtime); 2] {
    [("", current_thread()), ("_mt", multi_thread())]
}

fn main() {
    testkit::bench::raise_fd_limit();
    let (addr, server) = testkit::load::start_measured(4096);
    if let Some(name) = testkit::bench::arg("--only") {
        let (rt, runtime) = if testkit::bench::has_flag("--mt") {
            (multi_thread(), "multi_thread")
        } else {
            (current_thread(), "current_thread")
        };
        let tasks = testkit::bench::arg("--tasks").map_or(64, |n| n.parse().unwrap());
        let start = std::time::Instant::now();
        contest(&rt, &addr, &server, tasks, 100, Some(&name), |c| {
            c.print_figures(runtime)
        });
        eprintln!("{:?}", start.elapsed());
        return;
    }
    if testkit::bench::has_flag("--sweep") {
        for (suffix, rt) in runtimes() {
            let runtime = if suffix.is_empty() {
                "current_thread"
            } else {
                "multi_thread"
            };
            for tasks in [1, 4, 16, 64, 256] {
                contest(&rt, &addr, &server, tasks, 7, None, |c| {
                    for name in ["raw", "httpcore", "hyper_util", "reqwest", "hyper_conn"] {
                        println!("rps {runtime} {name} {tasks} {:.0}", c.per_second(name));
                    }
                });
            }
        }
        return;
    }
    for (suffix, rt) in runtimes() {
        contest(&rt, &addr, &server, 64, 21, None, |c| {
            c.print_ratio(&format!("tokio_client_vs_raw{suffix}"), "httpcore", "raw");
            c.print_ratio(
                &format!("tokio_client_vs_hyper_util{suffix}"),
                "httpcore",
                "hyper_util",
            );
            c.print_ratio(
                &format!("tokio_client_vs_reqwest{suffix}"),
                "httpcore",
                "reqwest",
            );
            c.print_ratio(
                &format!("tokio_client_vs_hyper_conn{suffix}"),
                "httpcore",
                "hyper_conn",
            );
            c.print_ratio(&format!("tokio_client_vs_conn{suffix}"), "httpcore", "conn");
            c.print_ratio(&format!("tokio_conn_vs_raw{suffix}"), "conn", "raw");
            c.print_ratio(&format!("tokio_engine_vs_raw{suffix}"), "engine", "raw");
            c.print_figures(if suffix.is_empty() {
                "current_thread"
            } else {
                "multi_thread"
            });
        });
    }
}
