//! How low `parse_cdn_64b` can go: a measuring instrument, not a parser.
//!
//! Times, alternately in one process (41 rounds, medians of the per-round
//! ratios to one complete `httparse` parse of the cdn head, as `compare`
//! reports them):
//!
//! * `httpcore_64b` — the engine's path, exactly as `compare`'s
//!   `parse_cdn_64b` times it (`handle_data` + `support::drain` per read);
//! * `bare_64b` / `bare_once` — a bare incremental line indexer: the work
//!   of the engine's plain path (the status line; each field name checked
//!   with one SSE2 block and a table after it, the colon, one SP, the value
//!   scanned for control bytes sixteen bytes at a time, CRLF, trailing
//!   whitespace, the line and count limits, the field's offsets pushed; a
//!   line that a read ends in resumed where its scan stopped), with none of
//!   the connection around it: no request queue, no states, no errors, no
//!   events. In 64-byte reads, and in one read;
//! * `copy_call_64b` — less than any incremental parser can do: each read
//!   copied into a reused buffer and one call made per read, nothing
//!   looked at.
//!
//! `cargo run --profile bench --example read_floor -p httpcore`
//!
//! What the figures mean is in `docs/benchmarks.md` (eighth session).

use std::hint::black_box;
use std::time::Instant;

#[path = "../benches/support/mod.rs"]
mod support;

const CDN: &[u8] = include_bytes!("../benches/data/cdn.http");
const ROUNDS: usize = 41;
const HEADS: usize = 200;

/// Bit `i` set where byte `i` of the block at `s[at..]` is a control byte
/// or DEL (`s` holds 16 bytes from `at`).
fn ctl_mask(s: &[u8], at: usize) -> u32 {
    let block: &[u8; 16] = s[at..at + 16].try_into().expect("16 bytes");
    masks::ctl(block)
}

/// Bit `i` set where byte `i` of the block is a letter, digit or `-`.
fn name_mask(s: &[u8], at: usize) -> u32 {
    let block: &[u8; 16] = s[at..at + 16].try_into().expect("16 bytes");
    masks::name(block)
}

#[cfg(target_arch = "x86_64")]
mod masks {
    use std::arch::x86_64::*;

    #[allow(unsafe_code)]
    pub fn ctl(block: &[u8; 16]) -> u32 {
        // SAFETY: SSE2 is part of every x86_64 target; no memory is read
        // but the block passed by reference.
        unsafe { ctl_sse2(block) }
    }

    #[allow(unsafe_code)]
    pub fn name(block: &[u8; 16]) -> u32 {
        // SAFETY: as for `ctl`.
        unsafe { name_sse2(block) }
    }

    #[target_feature(enable = "sse2")]
    fn load(block: &[u8; 16]) -> __m128i {
        let x = u128::from_le_bytes(*block);
        _mm_set_epi64x((x >> 64) as i64, x as i64)
    }

    /// 0xff where `lo <= v < lo + span`.
    #[target_feature(enable = "sse2")]
    fn in_range(v: __m128i, lo: u8, span: u8) -> __m128i {
        let shifted = _mm_add_epi8(v, _mm_set1_epi8(0x80u8.wrapping_sub(lo) as i8));
        _mm_cmpgt_epi8(_mm_set1_epi8(0x80u8.wrapping_add(span) as i8), shifted)
    }

    #[target_feature(enable = "sse2")]
    fn ctl_sse2(block: &[u8; 16]) -> u32 {
        let v = load(block);
        let ctl = _mm_or_si128(in_range(v, 0, 0x20), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));
        (_mm_movemask_epi8(ctl) & 0xffff) as u32
    }

    #[target_feature(enable = "sse2")]
    fn name_sse2(block: &[u8; 16]) -> u32 {
        let v = load(block);
        let letter = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a', 26);
        let digit = in_range(v, b'0', 10);
        let dash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'-' as i8));
        (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), dash)) & 0xffff) as u32
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod masks {
    fn bits(block: &[u8; 16], f: impl Fn(u8) -> bool) -> u32 {
        (0..16).filter(|&i| f(block[i])).map(|i| 1 << i).sum()
    }
    pub fn ctl(block: &[u8; 16]) -> u32 {
        bits(block, |b| b < 0x20 || b == 0x7f)
    }
    pub fn name(block: &[u8; 16]) -> u32 {
        bits(block, |b| b.is_ascii_alphanumeric() || b == b'-')
    }
}

fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The first control byte at or after `from`, or `s.len()`: whole blocks,
/// then the last 16 bytes of `s` with the bytes already seen shifted out.
fn ctl_from(s: &[u8], from: usize) -> usize {
    let mut i = from;
    while i + 16 <= s.len() {
        let m = ctl_mask(s, i);
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += 16;
    }
    if i >= s.len() {
        return s.len();
    }
    if s.len() >= 16 {
        let last = s.len() - 16;
        let m = ctl_mask(s, last) >> (i - last);
        return if m != 0 {
            i + m.trailing_zeros() as usize
        } else {
            s.len()
        };
    }
    (i..s.len())
        .find(|&j| s[j] < 0x20 || s[j] == 0x7f)
        .unwrap_or(s.len())
}

/// `Ok(end of name)` at a colon, `Err(end of the run of tchar)` otherwise.
fn field_name(s: &[u8], from: usize) -> Result<usize, usize> {
    let mut i = from;
    if from + 16 <= s.len() {
        let j = (!name_mask(s, from)).trailing_zeros() as usize;
        if j < 16 {
            match s[from + j] {
                b':' if j > 0 => return Ok(from + j),
                b if !is_token(b) || b == b':' => return Err(from + j),
                _ => {}
            }
        }
        i += j;
    }
    while i < s.len() && is_token(s[i]) {
        i += 1;
    }
    if i > from && s.get(i) == Some(&b':') {
        Ok(i)
    } else {
        Err(i)
    }
}

/// A reused receive buffer: each read copied in after the last, with
/// one call.
struct Received {
    buf: Vec<u8>,
    filled: usize,
}

impl Received {
    fn new() -> Received {
        Received {
            buf: vec![0; 4096],
            filled: 0,
        }
    }

    #[inline(never)]
    fn handle(&mut self, data: &[u8]) {
        let end = self.filled + data.len();
        self.buf[self.filled..end].copy_from_slice(data);
        self.filled = end;
    }
}

/// The bare indexer (see the module's doc). Panics on anything but the
/// plain lines of the cdn head: it measures, it does not judge.
struct Bare {
    rx: Received,
    line_start: usize,
    scan: usize,
    /// A line a read ended in: its start, name end and value start.
    partial: (usize, usize, usize),
    status: Option<u16>,
    fields: Vec<[u32; 4]>,
    max_line: usize,
    max_head: usize,
    max_fields: usize,
}

impl Bare {
    fn new() -> Bare {
        Bare {
            rx: Received::new(),
            line_start: 0,
            scan: 0,
            partial: (usize::MAX, 0, 0),
            status: None,
            fields: Vec::with_capacity(64),
            max_line: 8 << 10,
            max_head: 64 << 10,
            max_fields: 100,
        }
    }

    /// The head's length once it is complete.
    #[inline(never)]
    fn poll(&mut self) -> Option<usize> {
        let buf = &self.rx.buf[..self.rx.filled];
        if self.status.is_none() {
            if buf.len() < 13 || &buf[..9] != b"HTTP/1.1 " {
                return None;
            }
            let cr = ctl_from(buf, 13);
            if buf.get(cr..cr + 2) != Some(b"\r\n") {
                return None;
            }
            let d = |i: usize| u16::from(buf[i] - b'0');
            self.status = Some(d(9) * 100 + d(10) * 10 + d(11));
            self.line_start = cr + 2;
            self.scan = cr + 2;
        }
        let (mut start, mut scan) = (self.line_start, self.scan);
        let outcome = loop {
            let (name_end, v, cr);
            if scan > start {
                cr = ctl_from(buf, scan);
                if cr == buf.len() {
                    scan = cr;
                    break None;
                }
                (name_end, v) = if self.partial.0 == start {
                    (self.partial.1, self.partial.2)
                } else {
                    let end = field_name(&buf[..cr], start).expect("a plain name");
                    (end, end + 1 + usize::from(buf[end + 1] == b' '))
                };
            } else {
                if buf.get(start) == Some(&b'\r') {
                    if buf.get(start + 1) != Some(&b'\n') {
                        break None;
                    }
                    break Some(start + 2);
                }
                name_end = match field_name(buf, start) {
                    Ok(end) => end,
                    Err(end) if end == buf.len() => {
                        scan = end;
                        break None;
                    }
                    Err(_) => panic!("not a plain name"),
                };
                v = name_end + 1 + usize::from(buf.get(name_end + 1) == Some(&b' '));
                cr = ctl_from(buf, v);
                if cr == buf.len() {
                    scan = cr;
                    if v < cr {
                        // The value has begun (its leading SP has come).
                        self.partial = (start, name_end, v);
                    }
                    break None;
                }
            }
            if buf.get(cr..cr + 2) != Some(b"\r\n") {
                assert!(cr + 1 == buf.len() && buf[cr] == b'\r', "not a plain line");
                scan = cr;
                self.partial = (start, name_end, v);
                break None;
            }
            let next = cr + 2;
            assert!(next <= (start + self.max_line).min(self.max_head), "limit");
            assert!(self.fields.len() < self.max_fields, "count");
            let mut end = cr;
            while end > v && buf[end - 1] == b' ' {
                end -= 1;
            }
            self.fields
                .push([start as u32, name_end as u32, v as u32, end as u32]);
            start = next;
            scan = next;
        };
        self.line_start = start;
        self.scan = scan;
        outcome
    }

    fn reset(&mut self) {
        self.rx.filled = 0;
        self.line_start = 0;
        self.scan = 0;
        self.partial.0 = usize::MAX;
        self.status = None;
        self.fields.clear();
    }
}

/// As `support::drain`: the head when complete, its value lengths summed.
#[inline(never)]
fn bare_drain(b: &mut Bare) -> usize {
    match b.poll() {
        Some(_) => {
            let n = b.fields.iter().map(|f| (f[3] - f[2]) as usize).sum();
            b.reset();
            n
        }
        None => 0,
    }
}

fn bare(read: usize) -> f64 {
    let mut b = Bare::new();
    let t = Instant::now();
    let mut n = 0;
    for _ in 0..HEADS {
        for piece in CDN.chunks(read) {
            b.rx.handle(black_box(piece));
            n += bare_drain(&mut b);
        }
    }
    let d = t.elapsed();
    assert_eq!(n, HEADS * cdn_value_bytes(), "every value indexed");
    d.as_nanos() as f64 / HEADS as f64
}

/// Copy each read into a reused buffer, one call per read, nothing else.
struct CopyOnly {
    rx: Received,
}

impl CopyOnly {
    #[inline(never)]
    fn poll(&mut self, head_len: usize) -> bool {
        let done = self.rx.filled == head_len;
        if done {
            self.rx.filled = 0;
        }
        done
    }
}

fn copy_call(read: usize) -> f64 {
    let mut c = CopyOnly {
        rx: Received::new(),
    };
    let t = Instant::now();
    let mut n = 0;
    for _ in 0..HEADS {
        for piece in CDN.chunks(read) {
            c.rx.handle(black_box(piece));
            n += usize::from(c.poll(black_box(CDN.len())));
        }
    }
    let d = t.elapsed();
    assert_eq!(n, HEADS);
    d.as_nanos() as f64 / HEADS as f64
}

fn httpcore_reads(read: usize) -> f64 {
    support::timed_reads(CDN, HEADS, read).as_nanos() as f64
}

/// The value bytes of the cdn head, as httparse finds them.
fn cdn_value_bytes() -> usize {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut resp = httparse::Response::new(&mut headers);
    resp.parse(CDN).unwrap();
    resp.headers.iter().map(|h| h.value.len()).sum()
}

fn httparse_once() -> f64 {
    let t = Instant::now();
    for _ in 0..HEADS {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut resp = httparse::Response::new(&mut headers);
        resp.parse(black_box(CDN)).unwrap();
        let n: usize = resp.headers.iter().map(|h| h.value.len()).sum();
        black_box((&resp, n));
    }
    t.elapsed().as_nanos() as f64 / HEADS as f64
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    // `read_floor <rounds> <mode>`: one mode alone, for callgrind.
    if let (Some(n), Some(mode)) = (std::env::args().nth(1), std::env::args().nth(2)) {
        let n: usize = n.parse().expect("a number of rounds");
        for _ in 0..n {
            black_box(match mode.as_str() {
                "httpcore_64b" => httpcore_reads(64),
                "bare_64b" => bare(64),
                "bare_once" => bare(usize::MAX),
                "copy_call_64b" => copy_call(64),
                _ => httparse_once(),
            });
        }
        return;
    }
    let names = ["httpcore_64b", "bare_64b", "bare_once", "copy_call_64b"];
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let mut reference = Vec::new();
    for round in 0..ROUNDS {
        let r = httparse_once();
        let mut times = [0.0; 4];
        // Rotate the order, so that drift hits each alike.
        for k in 0..4 {
            let i = (k + round) % 4;
            times[i] = match i {
                0 => httpcore_reads(64),
                1 => bare(64),
                2 => bare(usize::MAX),
                _ => copy_call(64),
            };
        }
        for (i, t) in times.iter().enumerate() {
            ratios[i].push(t / r);
        }
        reference.push(r);
    }
    for (name, r) in names.iter().zip(&mut ratios) {
        println!("ratio {name} {:.3}", median(r));
    }
    println!("httparse {:.0} ns per cdn head", median(&mut reference));
}
