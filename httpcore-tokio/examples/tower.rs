//! `tower`: the pooled `Client` as a `tower::Service`, under a timeout
//! layer and a retry layer, as a hyper user would stack them.
//!
//! ```text
//! cargo run -p httpcore-tokio --example tower --features tower
//! ```
//!
//! It starts two local servers: one that answers (the request goes
//! through the stack and its body is collected with `http_body_util`), and
//! one that accepts and never answers (the timeout layer cuts the request,
//! the retry layer sends it once more, the timeout cuts it again).

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::BodyExt;
use httpcore_tokio::{Client, ClientResponse};
use tower::retry::Policy;
use tower::{BoxError, Service, ServiceBuilder, ServiceExt};

/// Retry a failed request once (a request whose body is `Bytes` can be
/// cloned, so it can go again).
#[derive(Clone)]
struct RetryOnce(usize);

type Response = http::Response<ClientResponse>;

impl Policy<http::Request<Bytes>, Response, BoxError> for RetryOnce {
    type Future = std::future::Ready<()>;

    fn retry(
        &mut self,
        _: &mut http::Request<Bytes>,
        result: &mut Result<Response, BoxError>,
    ) -> Option<Self::Future> {
        match result {
            Err(e) if self.0 > 0 => {
                eprintln!("retry layer: {e}; once more");
                self.0 -= 1;
                Some(std::future::ready(()))
            }
            _ => None,
        }
    }

    fn clone_request(&mut self, req: &http::Request<Bytes>) -> Option<http::Request<Bytes>> {
        let mut copy = http::Request::new(req.body().clone());
        *copy.method_mut() = req.method().clone();
        *copy.uri_mut() = req.uri().clone();
        *copy.headers_mut() = req.headers().clone();
        Some(copy)
    }
}

fn silent_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().take(4) {
            held.push(s); // accepted, never answered
        }
        std::thread::sleep(Duration::from_secs(10));
    });
    addr
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    let answering = testkit::load::start(16);
    let silent = silent_server();
    let mut service = ServiceBuilder::new()
        .retry(RetryOnce(1))
        .timeout(Duration::from_millis(300))
        .service(Client::new()?);

    let req =
        http::Request::get(format!("http://{answering}/echo/through-tower")).body(Bytes::new())?;
    let resp = service.ready().await?.call(req).await?;
    let status = resp.status();
    let body = resp.into_body().collect().await?.to_bytes();
    println!("{status} {}", String::from_utf8_lossy(&body));
    assert_eq!(&body[..], b"/echo/through-tower");

    let started = Instant::now();
    let req = http::Request::get(format!("http://{silent}/never")).body(Bytes::new())?;
    let e = service.ready().await?.call(req).await.unwrap_err();
    let took = started.elapsed();
    println!("silent server: {e} after {took:?} (two attempts of 300 ms)");
    assert!(took >= Duration::from_millis(600) && took < Duration::from_secs(3));
    Ok(())
}
