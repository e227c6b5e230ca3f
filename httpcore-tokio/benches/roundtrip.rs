//! Sequential keep-alive GETs over one loopback connection to an in-process
//! server answering a 13-byte body, on a current-thread runtime:
//! httpcore-tokio against a raw tokio socket loop (a fixed request written,
//! a fixed-length answer read) and against hyper 1.x `client::conn::http1`,
//! in interleaved rounds. Prints `ratio tokio_vs_raw_tokio <v>` and
//! `ratio tokio_vs_hyper <v>`: requests per second of httpcore-tokio over
//! the other's, the median of the per-round ratios.
//!
//! `cargo bench -p httpcore-tokio --bench roundtrip`

use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use httpcore_tokio::httpcore::Config;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod server;

use server::{server, RESPONSE};

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let addr = server().await;
        let n = 300;
        let rounds = 31;

        let mut ours = httpcore_tokio::connect_with(&addr, Config::default(), Default::default()).await.unwrap();

        let mut raw = TcpStream::connect(&addr).await.unwrap();
        raw.set_nodelay(true).unwrap();
        let request = format!("GET / HTTP/1.1\r\nHost: {addr}\r\nAccept-Encoding: identity\r\n\r\n");

        let stream = TcpStream::connect(&addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
        tokio::spawn(conn);

        let mut t_ours = Vec::new();
        let mut t_raw = Vec::new();
        let mut t_hyper = Vec::new();
        let (mut vs_raw, mut vs_hyper) = (Vec::new(), Vec::new());
        for round in 0..=rounds {
            let mut times = [Duration::ZERO; 3];
            for k in 0..3 {
                let which = (round + k) % 3;
                let t = Instant::now();
                for _ in 0..n {
                    match which {
                        0 => {
                            ours.request("GET", "/", None, &[] as &[(&str, &str)]).await.unwrap();
                            let mut resp = ours.get_response().await.unwrap();
                            let mut len = 0;
                            while let Some(chunk) = resp.chunk().await.unwrap() {
                                len += chunk.len();
                            }
                            assert_eq!(len, 13);
                        }
                        1 => {
                            let mut answer = [0u8; RESPONSE.len()];
                            raw.write_all(request.as_bytes()).await.unwrap();
                            raw.read_exact(&mut answer).await.unwrap();
                        }
                        _ => {
                            let req = http::Request::get("/").header("Host", &addr).body(Empty::<bytes::Bytes>::new()).unwrap();
                            let resp = sender.send_request(req).await.unwrap();
                            let body = resp.into_body().collect().await.unwrap().to_bytes();
                            assert_eq!(body.len(), 13);
                        }
                    }
                }
                times[which] = t.elapsed();
            }
            if round == 0 {
                continue; // warm-up
            }
            vs_raw.push(times[1].as_secs_f64() / times[0].as_secs_f64());
            vs_hyper.push(times[2].as_secs_f64() / times[0].as_secs_f64());
            let per = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
            t_ours.push(per(times[0]));
            t_raw.push(per(times[1]));
            t_hyper.push(per(times[2]));
        }
        println!("ratio tokio_vs_raw_tokio {:.3}", median(&mut vs_raw));
        println!("ratio tokio_vs_hyper {:.3}", median(&mut vs_hyper));
        eprintln!(
            "  per request (medians of {rounds} rounds of {n}): httpcore-tokio {:.1} us, raw tokio {:.1} us, hyper {:.1} us",
            median(&mut t_ours),
            median(&mut t_raw),
            median(&mut t_hyper)
        );
    });
}
