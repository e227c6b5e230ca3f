//! Moving rustls's decrypted bytes into the engine's receive window.
//!
//! rustls keeps each decrypted record in a buffer of its own; every adapter
//! copies from there into the window the engine lends it
//! (`Exchange::begin_recv`). That copy is libc's `memcpy`, and on some
//! CPUs (AMD Zen 3, with glibc 2.36) its string-copy path (`rep movsb`,
//! taken above ~2 KiB) crawls when the destination sits a few bytes past
//! the source modulo 4 KiB. Where the two land is the allocator's doing,
//! and a TLS download can hit the slow case on every record
//! (`docs/benchmarks.md`). [`copy_received`] copies such a pair in pieces
//! too short for that path; every other pair is one `copy_from_slice`.

use std::io::{self, BufRead};

/// A page: the aliasing that slows the string copy is modulo this.
const PAGE: usize = 4096;
/// Destinations this few bytes (or fewer) past their source, modulo a
/// page, take the slow path (measured: 1 to 31; the margin is cheap).
const ALIASED: usize = 64;
/// Pieces this long stay under glibc's `rep movsb` threshold (2,112 bytes
/// on CPUs with fast short `rep movsb`, more elsewhere).
const PIECE: usize = 2048;

/// Whether copying `len` bytes from address `src` to address `dst` goes
/// in pieces (see the module's text).
fn in_pieces(dst: usize, src: usize, len: usize) -> bool {
    let distance = dst.wrapping_sub(src) % PAGE;
    len > PIECE && distance != 0 && distance < ALIASED
}

/// Copy the front of `src` into the front of `dst`, as much as fits; the
/// count copied.
pub fn copy_received(dst: &mut [u8], src: &[u8]) -> usize {
    let n = dst.len().min(src.len());
    let (dst, src) = (&mut dst[..n], &src[..n]);
    if in_pieces(dst.as_ptr() as usize, src.as_ptr() as usize, n) {
        for (d, s) in dst.chunks_mut(PIECE).zip(src.chunks(PIECE)) {
            d.copy_from_slice(s);
        }
    } else {
        dst.copy_from_slice(src);
    }
    n
}

/// Read decrypted bytes from rustls's buffer into `dst` (through
/// [`copy_received`]), as much as is buffered and fits. Answers as
/// `rustls::Reader::read` does: `Ok(0)` once the server closed with
/// `close_notify` and everything was read, `WouldBlock` when nothing is
/// buffered, `UnexpectedEof` for a close without `close_notify`.
pub fn read_plaintext(mut reader: rustls::Reader<'_>, dst: &mut [u8]) -> io::Result<usize> {
    let mut total = 0;
    while total < dst.len() {
        match reader.fill_buf() {
            Ok([]) => break,
            Ok(chunk) => {
                let n = copy_received(&mut dst[total..], chunk);
                reader.consume(n);
                total += n;
            }
            Err(_) if total > 0 => break,
            Err(e) => return Err(e),
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_a_few_bytes_apart_modulo_a_page_go_in_pieces() {
        let base = 0x7f00_0000_0010;
        // The measured slow distances, and the margin.
        for distance in [1, 5, 11, 16, 31, 63] {
            assert!(in_pieces(base + distance, base, 16384), "{distance}");
            assert!(in_pieces(base + PAGE + distance, base, 16384));
            assert!(in_pieces(base + distance, base + 3 * PAGE, 16384));
        }
        // Measured fast: no distance, or the destination well past or
        // behind its source.
        for distance in [0, 64, 100, 2672, PAGE - 5] {
            assert!(!in_pieces(base + distance, base, 16384), "{distance}");
        }
        // Short copies never take the string path.
        assert!(!in_pieces(base + 11, base, PIECE));
    }

    #[test]
    fn every_distance_and_length_copies_exactly() {
        let src: Vec<u8> = (0..3 * PAGE).map(|i| (i * 7 + i / 251) as u8).collect();
        let mut dst = vec![0u8; 3 * PAGE];
        for len in [0, 1, PIECE - 1, PIECE, PIECE + 1, 5000, 2 * PAGE + 17] {
            for at in [0, 1, 11, 16, 63, 64, 4000] {
                dst.fill(0xee);
                let room = &mut dst[at..];
                let n = copy_received(room, &src[..len]);
                assert_eq!(n, len.min(3 * PAGE - at));
                assert_eq!(&dst[at..at + n], &src[..n], "len {len} at {at}");
                assert!(dst[..at].iter().all(|&b| b == 0xee));
                assert!(dst[at + n..].iter().all(|&b| b == 0xee));
            }
        }
        // A window shorter than the source takes what fits.
        let mut small = [0u8; 3];
        assert_eq!(copy_received(&mut small, b"hello"), 3);
        assert_eq!(&small, b"hel");
    }
}
