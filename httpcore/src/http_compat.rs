//! Conversions to and from the `http` crate's heads (feature `http`).

use crate::connection::{Connection, RequestId};
use crate::error::{Error, InvalidPart};
use crate::event::Version;
use crate::response_head::ResponseHead;

impl Connection {
    /// Start a request from an `http::Request`'s head: its method, its
    /// path and query (or the whole URI when it has a scheme, for proxies)
    /// and its headers. The head stays open: add headers or end it with
    /// [`end_headers_with`](Connection::end_headers_with).
    pub fn put_http_request<B>(&mut self, req: &http::Request<B>) -> Result<RequestId, Error> {
        let uri = req.uri();
        let target = if uri.scheme().is_some() {
            uri.to_string()
        } else {
            uri.path_and_query()
                .map_or_else(|| "/".to_string(), |p| p.as_str().to_string())
        };
        let has_host = req.headers().contains_key(http::header::HOST);
        let has_ae = req.headers().contains_key(http::header::ACCEPT_ENCODING);
        let id = self.put_request(req.method().as_str(), &target, has_host, has_ae)?;
        for (name, value) in req.headers() {
            if let Err(e) = self.put_header(name.as_str(), value.as_bytes()) {
                self.abort_head();
                return Err(e);
            }
        }
        Ok(id)
    }
}

/// An `http::HeaderMap` as `(name, value)` text pairs, for the clients'
/// `request(.., headers, ..)`; a value that is not visible ASCII is
/// `InvalidRequest` (`HeaderValue`), naming its bytes.
pub fn header_pairs(headers: &http::HeaderMap) -> Result<Vec<(&str, &str)>, Error> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = value.to_str().map_err(|_| Error::InvalidRequest {
                part: InvalidPart::HeaderValue,
                bytes: bytes::Bytes::copy_from_slice(value.as_bytes()),
            })?;
            Ok((name.as_str(), value))
        })
        .collect()
}

impl ResponseHead {
    /// The head as an `http::Response<()>` (header names lowercased by the
    /// `http` crate; the reason phrase is dropped unless non-canonical
    /// reasons matter to you, in which case read [`reason`](Self::reason)).
    pub fn to_http(&self) -> Result<http::Response<()>, Error> {
        let bad = |bytes: &[u8]| Error::InvalidRequest {
            part: InvalidPart::HeaderName,
            bytes: bytes::Bytes::copy_from_slice(bytes),
        };
        let mut b = http::Response::builder()
            .status(self.status())
            .version(match self.version() {
                Version::Http09 => http::Version::HTTP_09,
                Version::Http10 => http::Version::HTTP_10,
                Version::Http11 => http::Version::HTTP_11,
            });
        let headers = b.headers_mut().ok_or_else(|| bad(b"status"))?;
        for (n, v) in self.headers() {
            let name = http::HeaderName::from_bytes(n).map_err(|_| bad(n))?;
            let value = http::HeaderValue::from_bytes(v).map_err(|_| bad(v))?;
            headers.append(name, value);
        }
        b.body(()).map_err(|_| bad(b"response"))
    }
}

#[cfg(test)]
mod tests {
    use crate::{Authority, Config, Connection, ResponseHead};

    #[test]
    fn http_request_and_response_round_trip() {
        let mut conn = Connection::new(
            Authority::parse("example.com", 80).unwrap(),
            Config::default(),
        );
        let req = http::Request::post("/a?b=1")
            .header("X-Y", "z")
            .body(())
            .unwrap();
        conn.put_http_request(&req).unwrap();
        conn.end_headers_with(crate::BodyLength::Known(0)).unwrap();
        let wire = conn.poll_transmit().unwrap();
        assert!(wire.starts_with(b"POST /a?b=1 HTTP/1.1\r\nHost: example.com\r\n"));
        assert!(wire.windows(8).any(|w| w == b"x-y: z\r\n"));

        conn.handle_data(b"HTTP/1.1 404 Nope\r\nA: 1\r\nA: 2\r\nContent-Length: 0\r\n\r\n");
        let mut head = ResponseHead::new();
        while let Some(ev) = conn.poll_event().unwrap() {
            head.record(&ev);
        }
        let resp = head.to_http().unwrap();
        assert_eq!(resp.status(), 404);
        assert_eq!(resp.headers().get_all("a").iter().count(), 2);
    }
}
