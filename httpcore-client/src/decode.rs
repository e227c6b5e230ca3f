//! `Content-Encoding` decoding for the pooled clients' bodies, sans-IO:
//! encoded pieces in, decoded bytes out, in constant memory, with a
//! decompression-bomb cap. Each coding is a cargo feature (`gzip` — also
//! `deflate` —, `brotli`, `zstd`); the engine never sees any of them.
//!
//! * gzip and deflate go through `flate2` with its `zlib-rs` backend: pure
//!   Rust (no C toolchain), and the fastest of flate2's backends.
//!   `deflate` is zlib-wrapped as RFC 9110 says; raw deflate, which some
//!   servers send, is recognised by its first byte and decoded too.
//! * br goes through `brotli-decompressor` (decoding only, pure Rust).
//! * zstd goes through the `zstd` crate (the reference library), driven
//!   frame by frame so that a stream cut short is seen.
//!
//! A stream that is corrupt, or that ends before its coding says it is
//! complete, is [`Error::Decode`] — never a silently short body. A body
//! that decodes to more than [`DecodeLimits::max_decoded`] bytes, or past
//! its first MiB to more than [`DecodeLimits::max_ratio`] times what
//! arrived, is [`Error::DecompressionBomb`].

// In a build with no coding every decoder is unreachable (none is made).
#![cfg_attr(
    not(any(feature = "gzip", feature = "brotli", feature = "zstd")),
    allow(
        unreachable_code,
        unused_variables,
        unused_imports,
        dead_code,
        clippy::ptr_arg
    )
)]

use std::io::Write;

use crate::Error;

/// The caps on what a body may decode to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Decoded bytes in all (default: no cap; the whole-body readers have
    /// their own, `max_body`).
    pub max_decoded: u64,
    /// Decoded bytes per encoded byte, checked once a MiB has been decoded
    /// (default 500: text and JSON compress 5–20 times, sparse data up to
    /// a few hundred; a stream of zeros, a bomb's usual filling, ~1,000).
    pub max_ratio: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits {
            max_decoded: u64::MAX,
            max_ratio: 500,
        }
    }
}

/// The `Accept-Encoding` value for the codings this build decodes
/// (`None` when it decodes none).
pub const fn accept_encoding() -> Option<&'static str> {
    let value = match (
        cfg!(feature = "gzip"),
        cfg!(feature = "brotli"),
        cfg!(feature = "zstd"),
    ) {
        (true, true, true) => "gzip, deflate, br, zstd",
        (true, true, false) => "gzip, deflate, br",
        (true, false, true) => "gzip, deflate, zstd",
        (true, false, false) => "gzip, deflate",
        (false, true, true) => "br, zstd",
        (false, true, false) => "br",
        (false, false, true) => "zstd",
        (false, false, false) => return None,
    };
    Some(value)
}

/// A coding's state, boxed in every variant: a response carries its
/// `Option<Decoder>` through each move of the futures that return it, and
/// gzip's state inline made every response hundreds of bytes larger,
/// decoded or not.
enum Codec {
    /// Never made: keeps the matches whole in a build with no coding.
    #[allow(dead_code)]
    Never(std::convert::Infallible),
    #[cfg(feature = "gzip")]
    Gzip(Box<flate2::write::GzDecoder<Vec<u8>>>),
    /// Waiting for the first byte to tell zlib from raw deflate.
    #[cfg(feature = "gzip")]
    DeflateStart,
    #[cfg(feature = "gzip")]
    Zlib(Box<flate2::write::ZlibDecoder<Vec<u8>>>),
    #[cfg(feature = "gzip")]
    RawDeflate(Box<flate2::write::DeflateDecoder<Vec<u8>>>),
    #[cfg(feature = "brotli")]
    Brotli(Box<brotli_decompressor::DecompressorWriter<Vec<u8>>>),
    #[cfg(feature = "zstd")]
    Zstd {
        decoder: Box<zstd::stream::raw::Decoder<'static>>,
        /// The last frame is complete (the decoder's hint was 0).
        frame_done: bool,
    },
}

/// One body's decoder.
pub struct Decoder {
    codec: Codec,
    coding: &'static str,
    limits: DecodeLimits,
    encoded: u64,
    decoded: u64,
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("coding", &self.coding)
            .field("encoded", &self.encoded)
            .field("decoded", &self.decoded)
            .finish()
    }
}

impl Decoder {
    /// The decoder for a response whose `Content-Encoding` is
    /// `content_encoding`: `None` when there is nothing to decode (no
    /// coding, `identity`) or when it is a coding this build does not
    /// decode, or several codings — the body then stays as it came, and
    /// the header says what it is.
    pub fn for_encoding(content_encoding: &[u8], limits: DecodeLimits) -> Option<Decoder> {
        let coding = std::str::from_utf8(content_encoding).ok()?.trim();
        let (codec, name): (Codec, &'static str) = match coding.to_ascii_lowercase().as_str() {
            #[cfg(feature = "gzip")]
            "gzip" | "x-gzip" => (
                Codec::Gzip(Box::new(flate2::write::GzDecoder::new(Vec::new()))),
                "gzip",
            ),
            #[cfg(feature = "gzip")]
            "deflate" => (Codec::DeflateStart, "deflate"),
            #[cfg(feature = "brotli")]
            "br" => (
                Codec::Brotli(Box::new(brotli_decompressor::DecompressorWriter::new(
                    Vec::new(),
                    16 * 1024,
                ))),
                "br",
            ),
            #[cfg(feature = "zstd")]
            "zstd" => (
                Codec::Zstd {
                    decoder: Box::new(zstd::stream::raw::Decoder::new().ok()?),
                    frame_done: false,
                },
                "zstd",
            ),
            _ => return None,
        };
        Some(Decoder {
            codec,
            coding: name,
            limits,
            encoded: 0,
            decoded: 0,
        })
    }

    /// The coding it decodes.
    pub fn coding(&self) -> &'static str {
        self.coding
    }

    /// Decode `input` (the next piece of the body as it came); what it
    /// decodes to is appended to `out`.
    pub fn push(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        let before = out.len();
        self.encoded += input.len() as u64;
        let coding = self.coding;
        let corrupt = |e: std::io::Error| Error::Decode {
            coding,
            reason: e.to_string(),
        };
        match &mut self.codec {
            Codec::Never(never) => match *never {},
            #[cfg(feature = "gzip")]
            Codec::Gzip(d) => {
                d.write_all(input).map_err(corrupt)?;
                out.append(d.get_mut());
            }
            #[cfg(feature = "gzip")]
            Codec::DeflateStart => {
                let Some(&first) = input.first() else {
                    return Ok(());
                };
                // A zlib header: compression method 8, a window of at most
                // 32 KiB (RFC 1950); anything else is raw deflate.
                self.codec = if first & 0x0F == 8 && first >> 4 <= 7 {
                    Codec::Zlib(Box::new(flate2::write::ZlibDecoder::new(Vec::new())))
                } else {
                    Codec::RawDeflate(Box::new(flate2::write::DeflateDecoder::new(Vec::new())))
                };
                self.encoded -= input.len() as u64;
                return self.push(input, out);
            }
            #[cfg(feature = "gzip")]
            Codec::Zlib(d) => {
                d.write_all(input).map_err(corrupt)?;
                out.append(d.get_mut());
            }
            #[cfg(feature = "gzip")]
            Codec::RawDeflate(d) => {
                d.write_all(input).map_err(corrupt)?;
                out.append(d.get_mut());
            }
            #[cfg(feature = "brotli")]
            Codec::Brotli(d) => {
                d.write_all(input)
                    .and_then(|_| d.flush())
                    .map_err(corrupt)?;
                out.append(d.get_mut());
            }
            #[cfg(feature = "zstd")]
            Codec::Zstd {
                decoder,
                frame_done,
            } => {
                use zstd::stream::raw::{InBuffer, Operation, OutBuffer};
                let mut src = InBuffer::around(input);
                let mut buf = vec![0u8; 64 * 1024];
                while src.pos() < input.len() || !*frame_done {
                    let mut dst = OutBuffer::around(&mut buf[..]);
                    let hint = decoder.run(&mut src, &mut dst).map_err(corrupt)?;
                    let n = dst.pos();
                    out.extend_from_slice(&buf[..n]);
                    *frame_done = hint == 0;
                    if n == 0 && src.pos() == input.len() {
                        break;
                    }
                }
            }
        }
        self.count(out.len() - before)
    }

    /// The body ended: the stream must be complete. What is left to
    /// decode is appended to `out`.
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        let before = out.len();
        let coding = self.coding;
        let truncated = |e: std::io::Error| Error::Decode {
            coding,
            reason: format!("the stream ended before it was complete ({e})"),
        };
        match &mut self.codec {
            Codec::Never(never) => match *never {},
            #[cfg(feature = "gzip")]
            Codec::Gzip(d) => {
                d.try_finish().map_err(truncated)?;
                out.append(d.get_mut());
            }
            #[cfg(feature = "gzip")]
            Codec::DeflateStart => {
                return Err(Error::Decode {
                    coding,
                    reason: "the body is empty".into(),
                })
            }
            #[cfg(feature = "gzip")]
            Codec::Zlib(d) => {
                d.try_finish().map_err(truncated)?;
                out.append(d.get_mut());
            }
            #[cfg(feature = "gzip")]
            Codec::RawDeflate(d) => {
                d.try_finish().map_err(truncated)?;
                out.append(d.get_mut());
            }
            #[cfg(feature = "brotli")]
            Codec::Brotli(d) => {
                d.close().map_err(truncated)?;
                out.append(d.get_mut());
            }
            #[cfg(feature = "zstd")]
            Codec::Zstd { frame_done, .. } => {
                if !*frame_done {
                    return Err(truncated(std::io::Error::other(
                        "the frame is not complete",
                    )));
                }
            }
        }
        self.count(out.len() - before)
    }

    /// `n` more decoded bytes: within the caps?
    fn count(&mut self, n: usize) -> Result<(), Error> {
        self.decoded += n as u64;
        let l = self.limits;
        let ratio_broken =
            self.decoded > 1 << 20 && self.decoded / self.encoded.max(1) > l.max_ratio;
        if self.decoded > l.max_decoded || ratio_broken {
            return Err(Error::DecompressionBomb {
                coding: self.coding,
                decoded: self.decoded,
                encoded: self.encoded,
            });
        }
        Ok(())
    }
}

#[cfg(all(test, feature = "gzip", feature = "brotli", feature = "zstd"))]
mod tests {
    use super::*;
    use std::io::Write;

    /// Every response carries an `Option<Decoder>` (in `ResponseState`)
    /// through each move of the futures that return it; a coding's state
    /// inline (gzip's is about 350 bytes) would make every response that
    /// much larger, decoded or not.
    #[test]
    fn a_decoder_keeps_its_codings_state_boxed() {
        let size = std::mem::size_of::<Option<Decoder>>();
        assert!(size <= 96, "Option<Decoder> is {size} bytes");
    }

    fn text() -> Vec<u8> {
        (0..40_000u32)
            .flat_map(|i| format!("line {i} of the body\n").into_bytes())
            .collect()
    }

    fn encode(coding: &str, data: &[u8]) -> Vec<u8> {
        match coding {
            "gzip" => {
                let mut e =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                e.write_all(data).unwrap();
                e.finish().unwrap()
            }
            "deflate" => {
                let mut e =
                    flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
                e.write_all(data).unwrap();
                e.finish().unwrap()
            }
            "raw-deflate" => {
                let mut e =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
                e.write_all(data).unwrap();
                e.finish().unwrap()
            }
            "br" => {
                let mut out = Vec::new();
                let mut e = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
                e.write_all(data).unwrap();
                drop(e);
                out
            }
            "zstd" => {
                // With the frame checksum, as the zstd tool writes by
                // default: without it, corruption inside a frame cannot be
                // told from data.
                let mut e = zstd::stream::Encoder::new(Vec::new(), 3).unwrap();
                e.include_checksum(true).unwrap();
                e.write_all(data).unwrap();
                e.finish().unwrap()
            }
            _ => unreachable!(),
        }
    }

    fn decode(coding: &str, encoded: &[u8], piece: usize) -> Result<Vec<u8>, Error> {
        let name = if coding == "raw-deflate" {
            "deflate"
        } else {
            coding
        };
        let mut d = Decoder::for_encoding(name.as_bytes(), DecodeLimits::default()).unwrap();
        let mut out = Vec::new();
        for chunk in encoded.chunks(piece) {
            d.push(chunk, &mut out)?;
        }
        d.finish(&mut out)?;
        Ok(out)
    }

    const CODINGS: [&str; 5] = ["gzip", "deflate", "raw-deflate", "br", "zstd"];

    #[test]
    fn every_coding_decodes_whole_and_in_pieces_to_the_exact_bytes() {
        let data = text();
        for coding in CODINGS {
            let encoded = encode(coding, &data);
            for piece in [encoded.len(), 4096, 7, 1] {
                assert!(
                    decode(coding, &encoded, piece).unwrap() == data,
                    "{coding} in {piece}-byte pieces"
                );
            }
        }
    }

    #[test]
    fn a_stream_cut_short_or_corrupt_is_an_error_never_a_short_body() {
        let data = text();
        for coding in CODINGS {
            let encoded = encode(coding, &data);
            for cut in [encoded.len() - 1, encoded.len() - 4, encoded.len() / 2, 3] {
                let e = decode(coding, &encoded[..cut], 1000).unwrap_err();
                assert_eq!(e.name(), "DecodeError", "{coding} cut at {cut}: {e}");
            }
            let mut bad = encoded.clone();
            let mid = bad.len() / 2;
            bad[mid..mid + 8].copy_from_slice(b"\xff\x00\xff\x00garb");
            assert!(
                decode(coding, &bad, 1000).is_err(),
                "{coding}: corruption passed"
            );
        }
    }

    #[test]
    fn a_bomb_is_refused_by_ratio_and_by_size() {
        let zeros = vec![0u8; 16 << 20];
        for coding in ["gzip", "br", "zstd"] {
            let encoded = encode(coding, &zeros);
            let e = decode(coding, &encoded, 4096).unwrap_err();
            assert_eq!(e.name(), "DecompressionBomb", "{coding}: {e}");
        }
        let data = text();
        let mut d = Decoder::for_encoding(
            b"gzip",
            DecodeLimits {
                max_decoded: 1000,
                ..DecodeLimits::default()
            },
        )
        .unwrap();
        let mut out = Vec::new();
        let e = d.push(&encode("gzip", &data), &mut out).unwrap_err();
        assert_eq!(e.name(), "DecompressionBomb");
    }

    #[test]
    fn identity_unknown_and_stacked_codings_are_left_as_they_came() {
        for v in [&b"identity"[..], b"compress", b"gzip, br", b""] {
            assert!(
                Decoder::for_encoding(v, DecodeLimits::default()).is_none(),
                "{v:?}"
            );
        }
        assert!(Decoder::for_encoding(b" GZIP ", DecodeLimits::default()).is_some());
        assert_eq!(accept_encoding(), Some("gzip, deflate, br, zstd"));
    }
}
