//! `Response`: httplib's `HTTPResponse`, with `std::io::Read` for the body.

use std::io::{self, Read};

use bytes::Bytes;
use httpcore::{Framing, ResponseHead};
use httpcore_client::ResponseState;

use crate::connection::HttpConnection;
use crate::Error;

/// A response whose head has arrived; the body is read through
/// [`Read`] (or [`read_all`](Self::read_all)). Reading it to the end frees
/// the connection for the next request; until then the connection refuses
/// one (`CannotSendRequest`), as httplib does. httplib's getters
/// (`status`, `reason`, `version`, `header`, `headers`, `trailers`, ...) are
/// [`ResponseState`]'s, which it dereferences to.
#[derive(Debug)]
pub struct Response<'c> {
    conn: &'c mut HttpConnection,
    state: ResponseState,
}

impl std::ops::Deref for Response<'_> {
    type Target = ResponseState;
    fn deref(&self) -> &ResponseState {
        &self.state
    }
}

impl<'c> Response<'c> {
    pub(crate) fn new(
        conn: &'c mut HttpConnection,
        (head, framing): (ResponseHead, Framing),
    ) -> Response<'c> {
        let mut r = Response {
            conn,
            state: ResponseState::new(head, framing),
        };
        if matches!(framing, Framing::Empty | Framing::Length(0)) {
            // Take the Done event now: the connection is free at once.
            let _ = r.next_chunk();
        }
        r
    }

    /// The next piece of the body as the engine delivered it (no copy), or
    /// `None` at the end.
    pub fn next_chunk(&mut self) -> Result<Option<Bytes>, Error> {
        self.conn.next_piece(&mut self.state)
    }

    /// The whole body (httplib's `read()`). A body cut short is
    /// `IncompleteRead` (or `TruncatedBody`) carrying every byte received.
    pub fn read_all(&mut self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        loop {
            match self.next_chunk() {
                Ok(Some(b)) => out.extend_from_slice(&b),
                Ok(None) => return Ok(out),
                Err(e) => return Err(e.with_partial(Bytes::from(out))),
            }
        }
    }
}

impl Drop for Response<'_> {
    fn drop(&mut self) {
        // Hand the head's buffers back for the next response.
        self.conn.recycle(self.state.take_head());
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
        // The piece not yet read, or the next one (none at the end).
        if let Some(piece) = self.next_chunk()? {
            self.state.set_pending(piece);
        }
        Ok(self.state.copy_pending(buf))
    }
}
