//! The pooled clients' decompression, written once (run by each adapter
//! with [`decoding_tests!`](crate::decoding_tests)): a local server sends
//! gzip, deflate (zlib and raw), br and zstd bodies — whole, chunked, one
//! byte at a time — that must decode to the exact bytes; a stream cut
//! short and a bomb must be typed errors; a request with its own
//! `Accept-Encoding` gets its body as it came; and (in its own process) a
//! gigabyte decodes in constant memory.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use httpcore_client::ClientSettings;

use crate::pooled::MakePooled;
use crate::{Action, Server};

/// The body every case sends, encoded.
pub fn text() -> Vec<u8> {
    (0..20_000u32)
        .flat_map(|i| format!("line {i} of a compressible body\n").into_bytes())
        .collect()
}

/// `data` in `coding` (`gzip`, `deflate`, `raw-deflate`, `br`, `zstd`).
pub fn encode(coding: &str, data: &[u8]) -> Vec<u8> {
    let level = flate2::Compression::default();
    match coding {
        "gzip" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), level);
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        "deflate" => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), level);
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        "raw-deflate" => {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), level);
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
            let mut e = zstd::stream::Encoder::new(Vec::new(), 3).unwrap();
            e.include_checksum(true).unwrap();
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        other => panic!("no coding {other}"),
    }
}

/// The codings this build of the client decodes, as the tests name them.
fn built_in() -> Vec<&'static str> {
    let accept = httpcore_client::decode::accept_encoding().unwrap_or("");
    ["gzip", "deflate", "raw-deflate", "br", "zstd"]
        .into_iter()
        .filter(|c| accept.contains(c.trim_start_matches("raw-")))
        .collect()
}

fn head(coding: &str, framing: &str) -> Vec<u8> {
    let name = coding.trim_start_matches("raw-");
    format!("HTTP/1.1 200 OK\r\nContent-Encoding: {name}\r\n{framing}\r\n").into_bytes()
}

fn chunked(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for piece in body.chunks(1000) {
        out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        out.extend_from_slice(piece);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// Each built-in coding, framed by Content-Length, chunked, and sent one
/// byte at a time, decodes to the exact bytes; the request asked for every
/// built-in coding.
pub fn compressed_bodies_decode_to_the_exact_bytes(make: MakePooled) {
    let data = text();
    let client = make(ClientSettings::default());
    for coding in built_in() {
        let encoded = encode(coding, &data);
        let mut whole = head(coding, &format!("Content-Length: {}\r\n", encoded.len()));
        whole.extend_from_slice(&encoded);
        let mut framed = head(coding, "Transfer-Encoding: chunked\r\n");
        framed.extend_from_slice(&chunked(&encoded));
        let small = encode(coding, &data[..3000]);
        let mut slow = head(coding, &format!("Content-Length: {}\r\n", small.len()));
        slow.extend_from_slice(&small);
        let server = Server::start(vec![vec![
            Action::Read,
            Action::Write(whole),
            Action::Read,
            Action::Write(framed),
            Action::Read,
            Action::WriteSlowly(slow),
        ]]);
        for (i, want) in [&data[..], &data[..], &data[..3000]]
            .into_iter()
            .enumerate()
        {
            let got = client
                .request("GET", &server.url(&format!("/{coding}/{i}")), &[], None)
                .and_then(|mut r| r.read_all())
                .unwrap_or_else(|e| panic!("{coding} #{i}: {}: {}", e.name, e.message));
            assert!(
                got == want,
                "{coding} #{i}: {} bytes, not the {} sent",
                got.len(),
                want.len()
            );
        }
        let asked = server.requests.lock().unwrap()[0].head.clone();
        let accept = httpcore_client::decode::accept_encoding().unwrap();
        assert!(
            asked.contains(&format!("Accept-Encoding: {accept}\r\n")),
            "{asked}"
        );
    }
}

/// A stream whose HTTP framing is complete but whose coding is not (cut
/// short), and a bomb (16 MiB of zeros), are typed errors, not bodies.
pub fn a_cut_stream_and_a_bomb_are_typed_errors(make: MakePooled) {
    let data = text();
    let client = make(ClientSettings::default());
    for coding in built_in() {
        let encoded = encode(coding, &data);
        let cut = &encoded[..encoded.len() - 6];
        let mut resp = head(coding, &format!("Content-Length: {}\r\n", cut.len()));
        resp.extend_from_slice(cut);
        let server = Server::start(vec![crate::answer(&resp)]);
        let e = client
            .request("GET", &server.url("/cut"), &[], None)
            .and_then(|mut r| r.read_all())
            .unwrap_err();
        assert_eq!(e.name, "DecodeError", "{coding}: {}", e.message);
        let bomb = encode(coding, &vec![0u8; 16 << 20]);
        let mut resp = head(coding, &format!("Content-Length: {}\r\n", bomb.len()));
        resp.extend_from_slice(&bomb);
        let server = Server::start(vec![crate::answer(&resp)]);
        let e = client
            .request("GET", &server.url("/bomb"), &[], None)
            .and_then(|mut r| r.drain())
            .unwrap_err();
        assert_eq!(e.name, "DecompressionBomb", "{coding}: {}", e.message);
    }
}

/// A request that sets its own `Accept-Encoding` gets its body as it came;
/// so does every request when decompression is off (and then no
/// `Accept-Encoding` but the engine's `identity` is sent).
pub fn a_caller_who_asks_for_an_encoding_gets_it_as_it_came(make: MakePooled) {
    let Some(&coding) = built_in().first() else {
        return;
    };
    let encoded = encode(coding, &text());
    let mut resp = head(coding, &format!("Content-Length: {}\r\n", encoded.len()));
    resp.extend_from_slice(&encoded);
    let server = Server::start(vec![[crate::answer(&resp), crate::answer(&resp)].concat()]);
    let own = [("Accept-Encoding", coding)];
    let got = make(ClientSettings::default())
        .request("GET", &server.url("/own"), &own, None)
        .and_then(|mut r| r.read_all())
        .unwrap();
    assert!(got == encoded, "the body was decoded");
    let server2 = Server::start(vec![crate::answer(&resp)]);
    let got = make(ClientSettings {
        decompress: false,
        ..ClientSettings::default()
    })
    .request("GET", &server2.url("/off"), &[], None)
    .and_then(|mut r| r.read_all())
    .unwrap();
    assert!(got == encoded, "decoded with decompression off");
    let asked = server2.requests.lock().unwrap()[0].head.clone();
    assert!(asked.contains("Accept-Encoding: identity\r\n"), "{asked}");
}

/// A raw-deflate stream of `GIB` decoded bytes, made of one compressed
/// segment repeated (each segment ends in a full flush, so none refers to
/// another), served as it is generated.
fn gigabyte_server() -> (String, u64) {
    let block: Vec<u8> = (0..(1u32 << 20) / 16)
        .flat_map(|i| format!("{i:015}\n").into_bytes())
        .collect();
    let mut c = flate2::Compress::new(flate2::Compression::fast(), false);
    let mut segment = Vec::with_capacity(block.len());
    c.compress_vec(&block, &mut segment, flate2::FlushCompress::Full)
        .unwrap();
    assert!(segment.len() < block.len() / 2);
    let count = 1024u64; // 1 GiB decoded
    let length = segment.len() as u64 * count + 2;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let Ok((mut s, _)) = listener.accept() else {
            return;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
        let mut buf = [0u8; 4096];
        let mut got = Vec::new();
        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: {length}\r\n\r\n"
        );
        let _ = s.write_all(head.as_bytes());
        for _ in 0..count {
            if s.write_all(&segment).is_err() {
                return;
            }
        }
        // The last block: final, fixed codes, only the end-of-block code.
        let _ = s.write_all(&[0x03, 0x00]);
    });
    (addr, count * block.len() as u64)
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// A gigabyte decoded (and dropped piece by piece) in constant memory:
/// resident memory grows by less than 64 MiB. Run it in a test process of
/// its own, so that the figure is its own.
pub fn a_gigabyte_decodes_in_constant_memory(make: MakePooled) {
    if !built_in().contains(&"gzip") {
        return;
    }
    let (addr, decoded) = gigabyte_server();
    let client = make(ClientSettings::default());
    let before = rss_kb();
    let mut r = client
        .request("GET", &format!("http://{addr}/gigabyte"), &[], None)
        .unwrap();
    let n = r.drain().unwrap();
    let grew = rss_kb().saturating_sub(before);
    assert_eq!(n, decoded);
    assert!(
        grew < 64 * 1024,
        "memory grew by {grew} kB over {n} decoded bytes"
    );
    println!("decoded {n} bytes; resident memory grew by {grew} kB");
}

/// One `#[test]` per decoding case, each calling `$make`.
#[macro_export]
macro_rules! decoding_tests {
    ($make:expr) => {
        $crate::decoding_tests!(@each $make;
            compressed_bodies_decode_to_the_exact_bytes,
            a_cut_stream_and_a_bomb_are_typed_errors,
            a_caller_who_asks_for_an_encoding_gets_it_as_it_came
        );
    };
    (@each $make:expr; $($case:ident),*) => {
        $(
            #[test]
            fn $case() {
                $crate::decoding::$case(&$make);
            }
        )*
    };
}
