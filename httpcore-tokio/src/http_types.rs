//! The `http` crate's types at the pooled client's edges (feature `http`):
//! [`Client::send`] takes an `http::Request` and gives an
//! `http::Response<ClientResponse>`, whose body is an `http_body::Body`;
//! with the `tower` feature the [`Client`] is a
//! `tower::Service<http::Request<B>>`, so tower's layers (timeouts,
//! retries, tracing) plug in as they do for hyper's users.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::Frame;

use crate::{Body, Client, ClientResponse, Error};

impl Client {
    /// Send `req` — an absolute `http://` or `https://` URI, its method,
    /// headers and body — as [`request`](Client::request) does (the pool,
    /// redirects, decompression, the deadline). The response's head is the
    /// `http::Response`'s; its body is the [`ClientResponse`], readable as
    /// an `http_body::Body` (trailers come as its last frame).
    pub async fn send<B: Into<Body>>(
        &self,
        req: http::Request<B>,
    ) -> Result<http::Response<ClientResponse>, Error> {
        let (parts, body) = req.into_parts();
        let url = parts.uri.to_string();
        let headers = httpcore::header_pairs(&parts.headers)?;
        let resp = self
            .request(parts.method.as_str(), &url, &headers, body)
            .await?;
        let (head, ()) = resp.head().to_http()?.into_parts();
        Ok(http::Response::from_parts(head, resp))
    }
}

impl http_body::Body for ClientResponse {
    type Data = Bytes;
    type Error = Error;

    /// The body's pieces as data frames (no copy), then its trailers, if
    /// any, as a trailers frame.
    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = self.get_mut();
        match std::task::ready!(this.poll_piece(cx)) {
            Ok(Some(piece)) => Poll::Ready(Some(Ok(Frame::data(piece)))),
            Err(e) => Poll::Ready(Some(Err(e))),
            Ok(None) => Poll::Ready(this.take_trailers().map(|t| Ok(Frame::trailers(t)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.is_done() && !self.has_untaken_trailers()
    }
}

#[cfg(feature = "tower")]
impl<B: Into<Body> + Send + 'static> tower_service::Service<http::Request<B>> for Client {
    type Response = http::Response<ClientResponse>;
    type Error = Error;
    type Future = Pin<Box<dyn std::future::Future<Output = Result<Self::Response, Error>> + Send>>;

    /// Always ready: the pool queues requests past its limits itself.
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let client = self.clone();
        Box::pin(async move { client.send(req).await })
    }
}
