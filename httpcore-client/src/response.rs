//! What every adapter's `Response` holds and answers: the head (httplib's
//! getters), how the body is framed, the piece of body not yet handed out,
//! whether the body ended. The adapters add only how the next piece is
//! read (blocking, async, or from a loop) and deref to this.

use bytes::{Buf, Bytes};
use httpcore::{Framing, ResponseHead, Version};

use crate::decode::{DecodeLimits, Decoder};
use crate::Error;

/// A response whose head has arrived, as the adapters' `Response` types
/// hold it; its getters are theirs.
#[derive(Debug, Default)]
pub struct ResponseState {
    head: ResponseHead,
    framing: Option<Framing>,
    /// A piece of body handed to the reader but not yet read.
    pending: Bytes,
    /// The body was read to its end.
    ended: bool,
    /// Decodes the body's `Content-Encoding`, for the pooled clients.
    decoder: Option<Decoder>,
}

impl ResponseState {
    /// The state of a response whose final head is `head`, framed as
    /// `framing`.
    pub fn new(head: ResponseHead, framing: Framing) -> ResponseState {
        ResponseState {
            head,
            framing: Some(framing),
            pending: Bytes::new(),
            ended: false,
            decoder: None,
        }
    }

    /// Decode the body by its `Content-Encoding` from now on, within
    /// `limits` (a response without a body, or in a coding this build
    /// does not decode, is left as it is). The head stays as received:
    /// its `Content-Encoding` and `Content-Length` describe the body on
    /// the wire; [`decoded_from`](Self::decoded_from) says what was
    /// undone.
    pub fn decode_body(&mut self, limits: DecodeLimits) {
        if matches!(self.framing(), Framing::Empty | Framing::Length(0)) || self.ended {
            return;
        }
        if let Some(coding) = self.head.header("content-encoding") {
            self.decoder = Decoder::for_encoding(&coding, limits);
        }
    }

    /// The coding the body is being decoded from, if any.
    pub fn decoded_from(&self) -> Option<&'static str> {
        self.decoder.as_ref().map(Decoder::coding)
    }

    /// What a piece of body as it came (`None`: the body ended) comes to
    /// for the reader: the piece itself when nothing is decoded; else what
    /// it decodes to — possibly nothing yet (an empty piece: read on) — or,
    /// at the end, what the decoder still held (`None` when nothing).
    pub fn decode(&mut self, raw: Option<Bytes>) -> Result<Option<Bytes>, Error> {
        let Some(decoder) = &mut self.decoder else {
            return Ok(raw);
        };
        let mut out = Vec::new();
        match raw {
            Some(piece) => decoder.push(&piece, &mut out)?,
            None => {
                decoder.finish(&mut out)?;
                if out.is_empty() {
                    return Ok(None);
                }
            }
        }
        Ok(Some(Bytes::from(out)))
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

    /// The `Location` of a redirect: only a 3xx's is looked up (the only
    /// statuses [`Chain::follow`](crate::redirect::Chain::follow) acts
    /// on), so other responses pay no scan of their fields.
    pub fn redirect_location(&self) -> Option<String> {
        (300..400)
            .contains(&self.status())
            .then(|| self.header("location"))
            .flatten()
    }

    /// The header fields in received order and case, as bytes.
    pub fn headers(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        self.head.headers()
    }

    /// The trailer fields of a chunked body (available once it is read).
    pub fn trailers(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        self.head.trailers()
    }

    /// The whole head, owned (trailers included once read).
    pub fn head(&self) -> &ResponseHead {
        &self.head
    }

    /// How the body is framed.
    pub fn framing(&self) -> Framing {
        self.framing.unwrap_or(Framing::Empty)
    }

    /// True once the body was read to its end and handed out whole.
    pub fn is_done(&self) -> bool {
        self.ended && self.pending.is_empty()
    }

    // ----- for the adapters ---------------------------------------------------

    /// The head, for trailers to be added to as the body is read.
    pub fn head_mut(&mut self) -> &mut ResponseHead {
        &mut self.head
    }

    /// The body was read to its end.
    pub fn end(&mut self) {
        self.ended = true;
    }

    /// True once the body was read to its end (pieces may still wait).
    pub fn has_ended(&self) -> bool {
        self.ended
    }

    /// The piece of body not yet handed out, if any.
    pub fn take_pending(&mut self) -> Option<Bytes> {
        (!self.pending.is_empty()).then(|| std::mem::take(&mut self.pending))
    }

    /// True when a piece of body waits to be handed out.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Up to `max` bytes of the pending piece, split off it (no copy).
    pub fn split_pending(&mut self, max: usize) -> Bytes {
        self.pending.split_to(max.min(self.pending.len()))
    }

    /// A piece of body to hand out through [`copy_pending`](Self::copy_pending).
    pub fn set_pending(&mut self, piece: Bytes) {
        self.pending = piece;
    }

    /// Copy as much of the pending piece as fits into `buf` (a `Read`'s
    /// buffer); how many bytes.
    pub fn copy_pending(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.advance(n);
        n
    }

    /// The head, to be handed back to the connection for the next
    /// response's buffers.
    pub fn take_head(&mut self) -> ResponseHead {
        std::mem::take(&mut self.head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_handed_out_whole_or_in_reads_and_done_waits_for_them() {
        let mut r = ResponseState::new(ResponseHead::new(), Framing::Chunked);
        assert_eq!(r.take_pending(), None);
        r.set_pending(Bytes::from_static(b"hello"));
        r.end();
        assert!(r.has_ended() && !r.is_done(), "a piece still waits");
        let mut buf = [0u8; 3];
        assert_eq!(r.copy_pending(&mut buf), 3);
        assert_eq!(&buf, b"hel");
        assert!(r.has_pending());
        assert_eq!(&r.split_pending(1)[..], b"l");
        assert_eq!(r.take_pending().as_deref(), Some(&b"o"[..]));
        assert!(r.is_done());
        assert_eq!(r.copy_pending(&mut buf), 0);
    }
}
