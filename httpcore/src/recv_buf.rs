//! The receive buffer: the bytes received and not yet handed out, followed
//! by spare room for the next read. The spare room stays initialised from
//! one read to the next, so it is zero-filled once when it is first made,
//! not before every read (that cost a memset of the whole read window per
//! read: 8 KiB or more per response).
//!
//! Only the received bytes are visible through `Deref`: stale bytes in the
//! spare room can never be parsed.
//!
//! A hand-out that takes most of the buffer (a large body, read window by
//! window) takes the whole initialised region with it and keeps a second
//! handle on it (`recycle`). When the caller has dropped what it was given,
//! the next read gets the region back as it was, still initialised: a
//! download reads window after window into the same memory, zero-filled
//! once, instead of zero-filling every window. A caller still holding the
//! bytes keeps them untouched; the next read then takes fresh room.

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
    /// The whole initialised region the last large hand-out took (the
    /// caller's bytes are a slice of it); taken back by the next read if
    /// no one else holds it any more.
    recycle: Option<Bytes>,
    /// How much room the last [`spare`](Self::spare) asked for.
    asked: usize,
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
        let end = skip + n;
        debug_assert!(end <= self.filled);
        self.filled -= end;
        if self.filled == 0 && self.buf.len() - end < end {
            // Every received byte goes, and with them most of the room:
            // take the whole region, to have it back at the next read.
            let region = self.buf.split().freeze();
            let out = region.slice(skip..end);
            self.recycle = Some(region);
            return out;
        }
        let mut b = self.buf.split_to(end).freeze();
        if skip > 0 {
            b.advance(skip);
        }
        b
    }

    /// Before the buffer grows for a read: take back the region the last
    /// large hand-out took, if its bytes are no longer held anywhere else
    /// (then all of it is initialised room again). Only while the buffer
    /// is empty: nothing received waits to be handed out, so the region
    /// holds no byte anyone still needs.
    #[inline]
    fn reclaim(&mut self) {
        if !self.buf.is_empty() {
            return;
        }
        if let Some(region) = self.recycle.take() {
            // The empty remainder shares the region's allocation: let it
            // go first, or the region is never the only holder.
            self.buf = BytesMut::new();
            if let Ok(room) = region.try_into_mut() {
                self.buf = room;
            }
        }
    }

    /// Hand out every received byte (no copy).
    pub(crate) fn take_all(&mut self) -> Bytes {
        self.settle();
        self.split_to(self.filled)
    }

    /// Append received bytes (copied). Inline only for what nearly every
    /// piece of a head arriving in reads needs: room after the received
    /// bytes, none dropped in front.
    #[inline(always)]
    pub(crate) fn extend_from_slice(&mut self, data: &[u8]) {
        let end = self.filled + data.len();
        if self.start == 0 && end <= self.buf.len() {
            self.buf[self.filled..end].copy_from_slice(data);
            self.filled = end;
        } else {
            self.extend_general(data);
        }
    }

    /// [`extend_from_slice`](Self::extend_from_slice) when dropped bytes
    /// must be given back first, or the room must be taken or grown.
    #[inline(never)]
    fn extend_general(&mut self, data: &[u8]) {
        self.settle();
        self.reclaim();
        let end = self.filled + data.len();
        if end <= self.buf.len() {
            self.buf[self.filled..end].copy_from_slice(data);
        } else {
            self.buf.truncate(self.filled);
            self.buf.extend_from_slice(data);
        }
        self.filled = end;
    }

    /// Room after the received bytes to read into: `n` bytes — or, when
    /// no more than last time is asked for, what is left of the room while
    /// it falls short of `n` by an eighth at most. Report what was read
    /// with [`commit`](Self::commit). Only room never offered before is
    /// zero-filled.
    ///
    /// Each small hand-out (`split_to`) takes its bytes off the front of
    /// the room. Asking for exactly `n` again would grow the buffer by
    /// those few bytes at every read: zero-filling them, and now and then
    /// reallocating the buffer and copying the whole window. Taking what
    /// is left grows the room once in many reads instead; when it cannot
    /// grow where it is and nothing received waits in it, it starts again
    /// from the front of its memory if no hand-out still holds that
    /// (nothing is copied; the window is zero-filled once more).
    #[inline]
    pub(crate) fn spare(&mut self, n: usize) -> &mut [u8] {
        self.settle();
        self.reclaim();
        let room = self.buf.len() - self.filled;
        let take = if room >= n || (n <= self.asked && room >= n - n / 8) {
            room.min(n)
        } else {
            if n <= self.asked && self.filled == 0 && self.buf.capacity() < n {
                // Hand-outs took the room, it cannot grow where it is, and
                // nothing received is in it: its stale bytes need not move
                // with it. (A window that grows keeps what it had.)
                self.buf.clear();
            }
            self.buf.resize(self.filled + n, 0);
            n
        };
        self.asked = n;
        &mut self.buf[self.filled..self.filled + take]
    }

    /// The bytes the buffer holds on to (received, dropped and spare).
    pub(crate) fn capacity(&self) -> usize {
        self.buf.capacity() + self.recycle.as_ref().map_or(0, Bytes::len)
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

    /// A read into `b`'s room filled with `fill`, all of it handed out.
    fn read_and_hand_out(b: &mut RecvBuf, n: usize, fill: u8) -> Bytes {
        let room = b.spare(n);
        room.fill(fill);
        b.commit(n);
        b.split_to(n)
    }

    #[test]
    fn a_window_handed_out_and_dropped_is_read_into_again_as_it_was() {
        let mut b = RecvBuf::default();
        let first = read_and_hand_out(&mut b, 4096, b'a');
        let at = first.as_ptr();
        drop(first);
        // The same memory, still holding the last window's bytes: it was
        // not zero-filled again.
        let room = b.spare(4096);
        assert_eq!(room.as_ptr(), at);
        assert!(room.iter().all(|&x| x == b'a'));
        b.commit(0);
        // A larger window keeps the region and fills only what is new.
        let room = b.spare(8192);
        assert_eq!(room.as_ptr(), at);
        assert!(room[..4096].iter().all(|&x| x == b'a'));
        assert!(room[4096..].iter().all(|&x| x == 0));
    }

    #[test]
    fn bytes_still_held_are_never_read_into() {
        let mut b = RecvBuf::default();
        let held = read_and_hand_out(&mut b, 4096, b'a');
        let next = read_and_hand_out(&mut b, 4096, b'b');
        assert_ne!(next.as_ptr(), held.as_ptr());
        assert!(held.iter().all(|&x| x == b'a'));
        // Now the first is dropped but the second still held: its region
        // (the one to recycle) is not free, so the room is fresh again.
        drop(held);
        let third = read_and_hand_out(&mut b, 4096, b'c');
        assert!(next.iter().all(|&x| x == b'b'));
        assert!(third.iter().all(|&x| x == b'c'));
        // A slice of a hand-out held anywhere keeps the region too.
        let part = third.slice(10..20);
        drop(third);
        drop(next);
        let fourth = read_and_hand_out(&mut b, 4096, b'd');
        assert_eq!(part, [b'c'; 10][..]);
        assert!(fourth.iter().all(|&x| x == b'd'));
    }

    #[test]
    fn a_small_hand_out_leaves_the_room_after_it() {
        let mut b = RecvBuf::default();
        let room = b.spare(8192);
        let at = room.as_ptr();
        room[..13].copy_from_slice(b"a small body!");
        b.commit(13);
        let body = b.split_to(13);
        assert_eq!(body, &b"a small body!"[..]);
        // Most of the room was left: the next read goes right after the
        // bytes handed out, whether or not they are still held.
        let room = b.spare(100);
        assert_eq!(room.as_ptr(), at.wrapping_add(13));
        assert!(room.iter().all(|&x| x == 0));
        assert_eq!(body, &b"a small body!"[..]);
    }

    #[test]
    fn copied_bytes_go_into_a_recycled_region_too() {
        let mut b = RecvBuf::default();
        let at = read_and_hand_out(&mut b, 64, b'a').as_ptr();
        b.extend_from_slice(b"fresh");
        assert_eq!(b.as_ptr(), at);
        assert_eq!(&b[..], b"fresh");
    }

    #[test]
    fn small_hand_outs_do_not_regrow_the_room_at_every_read() {
        // Many small responses, each read into an 8 KiB window: the head
        // dropped, the body handed out and dropped, as a client does.
        let mut b = RecvBuf::default();
        let mut grown = 0;
        let mut last = None;
        for _ in 0..1000 {
            let room = b.spare(8192);
            let at = room.as_ptr();
            // Never much less than asked for...
            assert!(room.len() >= 8192 - 8192 / 8, "{}", room.len());
            if last.is_some_and(|p: *const u8| p.wrapping_add(52) != at) {
                grown += 1;
            }
            last = Some(at);
            room[..52].fill(b'x');
            b.commit(52);
            b.advance(39);
            drop(b.split_to(13));
            // ...and never much more memory than the window.
            assert!(b.capacity() <= 8192 + 1024, "{}", b.capacity());
        }
        // The room grows back once in ~20 reads (an eighth of the window,
        // 52 bytes a read), not at every read.
        assert!(grown <= 1000 / 15, "{grown}");
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
