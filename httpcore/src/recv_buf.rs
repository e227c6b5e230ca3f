//! The receive buffer: the bytes received and not yet handed out, followed
//! by spare room for the next read. The spare room stays initialised from
//! one read to the next, so it is zero-filled once when it is first made,
//! not before every read (that cost a memset of the whole read window per
//! read: 8 KiB or more per response).
//!
//! Only the received bytes are visible through `Deref`: stale bytes in the
//! spare room can never be parsed.

use std::ops::Deref;

use bytes::{Buf, Bytes, BytesMut};

#[derive(Debug, Default)]
pub(crate) struct RecvBuf {
    /// `[start..filled]` received bytes; `[filled..]` spare room,
    /// initialised; `[..start]` dropped, given back to `buf` at the next
    /// split or read (one `BytesMut::advance` for many dropped heads, none
    /// when every byte was dropped: see `settle`).
    buf: BytesMut,
    start: usize,
    filled: usize,
}

impl Deref for RecvBuf {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        &self.buf[self.start..self.filled]
    }
}

impl RecvBuf {
    /// Drop `n` received bytes from the front.
    #[inline]
    pub(crate) fn advance(&mut self, n: usize) {
        debug_assert!(self.start + n <= self.filled);
        self.start += n;
    }

    /// Give the dropped bytes back to the underlying buffer. When every
    /// received byte was dropped (a response read to its end), the next
    /// read simply starts at the front again: the room is ours (nothing
    /// handed out lies in it) and stays initialised, so neither the
    /// underlying buffer's start moves nor does it have to reclaim the
    /// room later.
    #[inline]
    fn settle(&mut self) {
        if self.start > 0 {
            if self.start < self.filled {
                self.buf.advance(self.start);
                self.filled -= self.start;
            } else {
                self.filled = 0;
            }
            self.start = 0;
        }
    }

    /// Hand out the first `n` received bytes (no copy). Dropped bytes in
    /// front go out with them and are skipped in the `Bytes` (a pointer
    /// bump), not advanced over in the `BytesMut` first.
    #[inline(always)]
    pub(crate) fn split_to(&mut self, n: usize) -> Bytes {
        let skip = std::mem::take(&mut self.start);
        debug_assert!(skip + n <= self.filled);
        self.filled -= skip + n;
        let mut b = self.buf.split_to(skip + n).freeze();
        if skip > 0 {
            b.advance(skip);
        }
        b
    }

    /// Hand out every received byte (no copy).
    pub(crate) fn take_all(&mut self) -> Bytes {
        self.settle();
        self.split_to(self.filled)
    }

    /// Append received bytes (copied).
    #[inline]
    pub(crate) fn extend_from_slice(&mut self, data: &[u8]) {
        self.settle();
        let end = self.filled + data.len();
        if end <= self.buf.len() {
            self.buf[self.filled..end].copy_from_slice(data);
        } else {
            self.buf.truncate(self.filled);
            self.buf.extend_from_slice(data);
        }
        self.filled = end;
    }

    /// Exactly `n` bytes of room after the received bytes, to read into;
    /// report what was read with [`commit`](Self::commit). Only room never
    /// offered before is zero-filled.
    #[inline]
    pub(crate) fn spare(&mut self, n: usize) -> &mut [u8] {
        self.settle();
        let end = self.filled + n;
        if self.buf.len() < end {
            self.buf.resize(end, 0);
        }
        &mut self.buf[self.filled..end]
    }

    /// The bytes the buffer holds on to (received, dropped and spare).
    pub(crate) fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// `n` bytes were read into the room [`spare`](Self::spare) gave.
    #[inline]
    pub(crate) fn commit(&mut self, n: usize) {
        debug_assert!(self.filled + n <= self.buf.len());
        self.filled += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_spare_bytes_are_never_visible() {
        let mut b = RecvBuf::default();
        b.spare(8).copy_from_slice(b"abcdefgh");
        b.commit(3);
        assert_eq!(&b[..], b"abc");
        // The room after the data still holds "defgh": not visible.
        assert_eq!(b.split_to(2), &b"ab"[..]);
        assert_eq!(&b[..], b"c");
        let room = b.spare(4);
        assert_eq!(room.len(), 4);
        room[0] = b'x';
        b.commit(1);
        assert_eq!(&b[..], b"cx");
        b.extend_from_slice(b"yz");
        assert_eq!(&b[..], b"cxyz");
        b.advance(1);
        assert_eq!(b.take_all(), &b"xyz"[..]);
        assert!(b.is_empty());
        b.extend_from_slice(&[7; 100]);
        assert_eq!(&b[..], &[7; 100][..]);
    }

    #[test]
    fn dropped_bytes_are_given_back_before_the_buffer_grows() {
        let mut b = RecvBuf::default();
        b.extend_from_slice(b"head one|head two|rest");
        b.advance(9);
        assert_eq!(&b[..], b"head two|rest");
        b.advance(9);
        assert_eq!(&b[..], b"rest");
        // Still in the underlying buffer until the next read or split.
        assert_eq!(b.buf.len(), 22);
        b.extend_from_slice(b"!");
        assert_eq!(b.buf.len(), 5);
        assert_eq!(&b[..], b"rest!");
        b.advance(1);
        assert_eq!(b.split_to(3), &b"est"[..]);
        assert_eq!(&b[..], b"!");
        b.advance(1);
        let room = b.spare(4);
        assert_eq!(room.len(), 4);
        room[..2].copy_from_slice(b"ok");
        b.commit(2);
        assert_eq!(b.take_all(), &b"ok"[..]);
    }

    #[test]
    fn a_buffer_read_to_its_end_is_written_from_the_front_again() {
        let mut b = RecvBuf::default();
        b.extend_from_slice(b"a whole response");
        let front = b.as_ptr();
        b.advance(16);
        b.extend_from_slice(b"next");
        // Same room, same place: the underlying buffer did not move on
        // (nor will it have to reclaim the room later).
        assert_eq!(b.as_ptr(), front);
        assert_eq!(&b[..], b"next");
        assert_eq!(b.buf.len(), 16);
        // The room after the new bytes is still not visible.
        b.advance(2);
        assert_eq!(b.split_to(2), &b"xt"[..]);
        assert!(b.is_empty());
    }

    #[test]
    fn room_is_zeroed_once_and_reused() {
        let mut b = RecvBuf::default();
        let first = b.spare(16).as_ptr();
        b.commit(0);
        // Offered again without a read: the same room, not grown.
        assert_eq!(b.spare(16).as_ptr(), first);
        assert_eq!(b.buf.len(), 16);
    }
}
