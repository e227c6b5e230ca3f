//! `Response`: httplib's `HTTPResponse`, with `std::io::Read` for the body.

use std::io::{self, Read};

use bytes::Bytes;
use httpcore::{Framing, ResponseHead, Version};

use crate::connection::HttpConnection;
use crate::Error;

/// A response whose head has arrived; the body is read through
/// [`Read`] (or [`read_all`](Self::read_all)). Reading it to the end frees
/// the connection for the next request; until then the connection refuses
/// one (`CannotSendRequest`), as httplib does.
#[derive(Debug)]
pub struct Response<'c> {
    conn: &'c mut HttpConnection,
    head: ResponseHead,
    framing: Framing,
    pending: Bytes,
    done: bool,
    received: u64,
}

impl<'c> Response<'c> {
    pub(crate) fn new(
        conn: &'c mut HttpConnection,
        (head, framing): (ResponseHead, Framing),
    ) -> Response<'c> {
        let done = matches!(framing, Framing::Empty | Framing::Length(0));
        let mut r = Response {
            conn,
            head,
            framing,
            pending: Bytes::new(),
            done: false,
            received: 0,
        };
        if done {
            // Take the Done event now: the connection is free at once.
            let _ = r.next_chunk();
        }
        r
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.head.status()
    }

    /// The reason phrase (bytes that are not UTF-8 are replaced; see
    /// [`reason_bytes`](Self::reason_bytes)).
    pub fn reason(&self) -> String {
        self.head.reason_text()
    }

    /// The reason phrase as received.
    pub fn reason_bytes(&self) -> &[u8] {
        self.head.reason()
    }

    /// The protocol version (`.as_httplib()` gives httplib's 10 / 11).
    pub fn version(&self) -> Version {
        self.head.version()
    }

    /// The value of header `name` (case-insensitive), repeated fields joined
    /// with `", "`, as httplib's `getheader`.
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.header_text(name)
    }

    /// The header fields in received order and case, as bytes.
    pub fn headers(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        self.head.headers()
    }

    /// The trailer fields of a chunked body (available once it is read).
    pub fn trailers(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        self.head.trailers()
    }

    /// The whole head, owned.
    pub fn head(&self) -> &ResponseHead {
        &self.head
    }

    /// How the body is framed.
    pub fn framing(&self) -> Framing {
        self.framing
    }

    /// True once the body was read to its end.
    pub fn is_done(&self) -> bool {
        self.done && self.pending.is_empty()
    }

    /// The next piece of the body as the engine delivered it (no copy), or
    /// `None` at the end.
    pub fn next_chunk(&mut self) -> Result<Option<Bytes>, Error> {
        if !self.pending.is_empty() {
            return Ok(Some(std::mem::take(&mut self.pending)));
        }
        if self.done {
            return Ok(None);
        }
        match self.conn.poll_body(&mut self.head)? {
            Some(b) => {
                self.received += b.len() as u64;
                return Ok(Some(b));
            }
            None => self.done = true,
        }
        Ok(None)
    }

    /// The whole body (httplib's `read()`). A body cut short is
    /// `IncompleteRead` carrying every byte received.
    pub fn read_all(&mut self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        loop {
            match self.next_chunk() {
                Ok(Some(b)) => out.extend_from_slice(&b),
                Ok(None) => return Ok(out),
                Err(Error::Http(e)) => return Err(Error::Http(e.with_partial(Bytes::from(out)))),
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for Response<'_> {
    fn drop(&mut self) {
        // Hand the head's buffers back for the next response.
        self.conn.spare_head = std::mem::take(&mut self.head);
    }
}

impl Read for Response<'_> {
    /// httplib's `read(amt)`: up to `buf.len()` bytes. A body cut short is
    /// an error on every read path: the bytes before the cut are returned
    /// first, then the next read fails with `IncompleteRead` (its `partial`
    /// is empty: those bytes were already handed out).
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.pending.is_empty() {
            match self.next_chunk() {
                Ok(Some(b)) => self.pending = b,
                Ok(None) => return Ok(0),
                Err(e) => return Err(e.into()),
            }
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        bytes::Buf::advance(&mut self.pending, n);
        Ok(n)
    }
}
