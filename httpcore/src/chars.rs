//! Byte classes of RFC 9110 / RFC 9112, as 256-entry lookup tables.
//!
//! One table per grammar rule keeps every scanning loop to a single indexed
//! load per byte; the SWAR helpers below let the hot loops skip eight bytes
//! at a time when they are all ordinary.

use std::mem::MaybeUninit;

macro_rules! table {
    (|$b:ident| $pred:expr) => {{
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            let $b = i as u8;
            t[i] = $pred;
            i += 1;
        }
        t
    }};
}

const fn is_tchar(b: u8) -> bool {
    matches!(b,
        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9'
        | b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+'
        | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~')
}

/// `tchar` (RFC 9110 §5.6.2): the bytes of a method or a field name.
pub(crate) static TOKEN: [bool; 256] = table!(|b| is_tchar(b));

/// `field-vchar / SP / HTAB` (RFC 9110 §5.5), obs-text included: the bytes a
/// field value, a reason phrase or a chunk extension may hold in strict mode.
pub(crate) static FIELD_VALUE: [bool; 256] = table!(|b| b == b'\t' || (b >= 0x20 && b != 0x7f));

/// The value of a hex digit, or 0xff for any other byte.
pub(crate) static HEX_VALUE: [u8; 256] = {
    let mut t = [0xff; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => 0xff,
        };
        i += 1;
    }
    t
};

/// Bytes allowed in a request target: VCHAR only (no SP, no CTL, no obs-text).
pub(crate) static TARGET: [bool; 256] = table!(|b| b > 0x20 && b < 0x7f);

/// True when `b` is `tchar`.
#[inline(always)]
pub(crate) fn is_token(b: u8) -> bool {
    TOKEN[b as usize]
}

/// True when every byte of `s` is `tchar` and `s` is not empty. A name of
/// letters, digits and `-` up to 16 bytes long (nearly every method and
/// field name a program writes) is answered by one SSE2 block.
#[inline]
pub(crate) fn is_token_str(s: &[u8]) -> bool {
    if let Some((lo, hi)) = covering_words(s) {
        if words_in(Class::Name, lo, hi) {
            return true;
        }
    }
    !s.is_empty() && token_prefix_len(s) == s.len()
}

/// The bytes of a short `s` (1 to 16 of them) as two 8-byte words, for
/// checks that only ask whether every byte is in a class and for copies
/// that store them back: the words are made of overlapping loads, so
/// their bytes are bytes of `s` (some twice), never bytes from elsewhere —
/// 8 to 16 bytes: the first and the last eight; 4 to 7: the first and the
/// last four, in both words; 1 to 3: first, middle and last byte,
/// repeated (`[a b c a b c a b]`), in both words. `None` for an empty or
/// longer `s`.
#[inline(always)]
fn covering_words(s: &[u8]) -> Option<(u64, u64)> {
    let n = s.len();
    let word = |at: usize| u64::from_le_bytes(s[at..at + 8].try_into().expect("8 bytes"));
    let half = |at: usize| {
        u64::from(u32::from_le_bytes(
            s[at..at + 4].try_into().expect("4 bytes"),
        ))
    };
    // The usual lengths first: most names and values are 8 to 16 bytes.
    if n.wrapping_sub(8) <= 8 {
        Some((word(0), word(n - 8)))
    } else if n > 16 || n == 0 {
        None
    } else if n >= 4 {
        let w = half(0) | half(n - 4) << 32;
        Some((w, w))
    } else {
        let w = u64::from(s[0]) | u64::from(s[n / 2]) << 8 | u64::from(s[n - 1]) << 16;
        let w = w | w << 24 | w << 48;
        Some((w, w))
    }
}

/// `1*DIGIT` as a u64: `None` for an empty `s`, a byte that is not a
/// digit, or a number that does not fit.
pub(crate) fn parse_decimal(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0u64, |n, &d| {
        if !d.is_ascii_digit() {
            return None;
        }
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// Index of the first byte of `s` that is not allowed in a field value by
/// `table` (`field-vchar`, SP, HTAB and obs-text in strict mode), or `None`.
#[inline]
pub(crate) fn find_invalid_value_byte(s: &[u8], table: &[bool; 256]) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = find_ctl(s, from) {
        if !table[s[p] as usize] {
            return Some(p);
        }
        from = p + 1;
    }
    None
}

/// True when every byte of `s` may stand in a field value (strict):
/// the SIMD control-byte scan, with only a tab sending it to the table.
#[inline]
pub(crate) fn is_field_value(s: &[u8]) -> bool {
    if let Some((lo, hi)) = covering_words(s) {
        if words_in(Class::Value, lo, hi) {
            return true;
        }
    }
    match find_ctl(s, 0) {
        None => true,
        Some(p) => find_invalid_value_byte(&s[p..], &FIELD_VALUE).is_none(),
    }
}

/// True when `s` is a request target: not empty, VCHAR only (no SP, no
/// control byte, no obs-text). Eight bytes per step: a byte below 0x21,
/// from 0x80 up, or DEL, sets its high bit in `bad`; the test is exact
/// for "is there any", which is all a validity check needs.
#[inline]
pub(crate) fn is_target(s: &[u8]) -> bool {
    let (words, rest) = s.as_chunks::<8>();
    let mut bad = 0;
    for word in words {
        let w = u64::from_le_bytes(*word);
        let below = w.wrapping_sub(LO * 0x21) & !w;
        let x = w ^ (LO * 0x7f);
        let del = x.wrapping_sub(LO) & !x;
        bad |= (below | del | w) & HI;
    }
    !s.is_empty() && bad == 0 && rest.iter().all(|&b| TARGET[b as usize])
}

/// A byte class [`copy_checked`] checks while it copies. Each is a subset
/// of a grammar rule, so that a pass is final while a failure only sends
/// the caller to the exact check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Letters, digits and `-`: the tchars nearly every method and field
    /// name is made of (SSE2 only; elsewhere the class never passes).
    Name,
    /// No control byte and no DEL: a strict field value without a tab.
    Value,
    /// VCHAR: exactly the bytes of a request target.
    Target,
}

/// Write `src` to the start of `dst` (at least as long): every one of the
/// first `src.len()` bytes of `dst` is written. Sixteen bytes per store,
/// the last block overlapping the one before rather than going past the
/// end; 8 to 16 bytes as two overlapping words; shorter strings byte by
/// byte (the literal ones, `": "` and `"\r\n"`, unroll to a store or two).
/// A loop of `MaybeUninit::write` would do for all of them in principle,
/// but the compiler makes it a byte loop behind aliasing checks, not a
/// copy; `write_copy_of_slice` needs Rust 1.93 and the crate supports 1.88.
#[inline(always)]
pub(crate) fn write_bytes(dst: &mut [MaybeUninit<u8>], src: &[u8]) {
    let word = |at: usize| -> [u8; 8] { src[at..at + 8].try_into().expect("8 bytes") };
    let block = |at: usize| -> [u8; 16] { src[at..at + 16].try_into().expect("16 bytes") };
    let n = src.len();
    let dst = &mut dst[..n];
    if n < 8 {
        for (d, &b) in dst.iter_mut().zip(src) {
            d.write(b);
        }
    } else if n <= 16 {
        store(dst, 0, word(0));
        store(dst, n - 8, word(n - 8));
    } else {
        let mut i = 0;
        while i + 16 < n {
            store(dst, i, block(i));
            i += 16;
        }
        store(dst, n - 16, block(n - 16));
    }
}

/// `bytes` written to `dst[at..at + N]`: a slice copy of `MaybeUninit`
/// bytes, which compiles to one store of the block.
#[inline(always)]
fn store<const N: usize>(dst: &mut [MaybeUninit<u8>], at: usize, bytes: [u8; N]) {
    dst[at..at + N].copy_from_slice(&bytes.map(MaybeUninit::new));
}

/// Copy `s` to the start of `dst` (at least as long as `s`) eight bytes
/// at a time, the words overlapping rather than going past either end,
/// and say whether every byte of `s` is in `class`. `false` for an empty
/// `s`. Writing a request head this way costs no call per string and
/// checks each byte while it is in a register anyway.
///
/// Every one of the first `s.len()` bytes of `dst` is written, whatever
/// `s` holds (the request head's `Window` relies on it, and so does the
/// `unsafe` length update after a head is written into spare capacity):
/// each case's stores cover `0..n` — two overlapping words for 8 to 16
/// bytes, 16-byte steps and then the last 16 for more, two overlapping
/// halves for 4 to 7, the first, middle and last byte for 1 to 3.
/// `copy_checked_copies_exactly_and_passes_only_its_class` checks it for
/// every length below 40.
#[inline(always)]
pub(crate) fn copy_checked(dst: &mut [MaybeUninit<u8>], s: &[u8], class: Class) -> bool {
    let n = s.len();
    let dst = &mut dst[..n];
    let word = |at: usize| u64::from_le_bytes(s[at..at + 8].try_into().expect("8 bytes"));
    let half = |at: usize| u32::from_le_bytes(s[at..at + 4].try_into().expect("4 bytes"));
    let mut put = |at: usize, w: u64| store(dst, at, w.to_le_bytes());
    // The words of `covering_words`, loaded here under the same length
    // tests as their stores, so the lengths are told apart once.
    if n.wrapping_sub(8) <= 8 {
        let (a, b) = (word(0), word(n - 8));
        put(n - 8, b);
        put(0, a);
        words_in(class, a, b)
    } else if n > 16 {
        let mut ok = true;
        let mut i = 0;
        while i + 16 < n {
            let (a, b) = (word(i), word(i + 8));
            put(i, a);
            put(i + 8, b);
            ok &= words_in(class, a, b);
            i += 16;
        }
        let (a, b) = (word(n - 16), word(n - 8));
        put(n - 16, a);
        put(n - 8, b);
        ok & words_in(class, a, b)
    } else if n >= 4 {
        let (a, b) = (half(0), half(n - 4));
        store(dst, n - 4, b.to_le_bytes());
        store(dst, 0, a.to_le_bytes());
        let w = u64::from(a) | u64::from(b) << 32;
        words_in(class, w, w)
    } else if n > 0 {
        let (a, b, c) = (s[0], s[n / 2], s[n - 1]);
        dst[0].write(a);
        dst[n / 2].write(b);
        dst[n - 1].write(c);
        let w = u64::from(a) | u64::from(b) << 8 | u64::from(c) << 16;
        let w = w | w << 24 | w << 48;
        words_in(class, w, w)
    } else {
        false
    }
}

/// [`Class::Value`] without SSE2 (tested on every target): as in
/// `find_ctl_swar`, a byte below 0x20 or equal to 0x7f sets its high bit.
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2", not(test)),
    allow(dead_code)
)]
#[inline(always)]
fn no_ctl_swar(a: u64, b: u64) -> bool {
    let ctl = |w: u64| {
        let x = w ^ (LO * 0x7f);
        w.wrapping_sub(LO * 0x20) & !w | x.wrapping_sub(LO) & !x
    };
    (ctl(a) | ctl(b)) & HI == 0
}

/// Whether all sixteen bytes of the words `a` and `b` are in `class`.
#[inline(always)]
fn words_in(class: Class, a: u64, b: u64) -> bool {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        let block = (u128::from(a) | u128::from(b) << 64).to_le_bytes();
        match class {
            Class::Name => sse2::name_mask(&block) == 0xffff,
            Class::Value => sse2::ctl_mask(&block) == 0,
            Class::Target => sse2::vchar_mask(&block) == 0xffff,
        }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    match class {
        Class::Name => false,
        Class::Value => no_ctl_swar(a, b),
        Class::Target => vchar_swar(a, b),
    }
}

/// [`Class::Target`] without SSE2 (tested on every target).
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2", not(test)),
    allow(dead_code)
)]
#[inline(always)]
fn vchar_swar(a: u64, b: u64) -> bool {
    // As in `is_target`: below 0x21, DEL or from 0x80 up.
    let bad = |w: u64| {
        let x = w ^ (LO * 0x7f);
        w.wrapping_sub(LO * 0x21) & !w | x.wrapping_sub(LO) & !x | w
    };
    (bad(a) | bad(b)) & HI == 0
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Offset of the first control byte (< 0x20) or DEL in `s` at or after
/// `from`: sixteen bytes per step with SSE2, eight with SWAR elsewhere.
#[inline(always)]
pub(crate) fn find_ctl(s: &[u8], from: usize) -> Option<usize> {
    if from > s.len() {
        return None;
    }
    let p = ctl_from(s, from);
    (p < s.len()).then_some(p)
}

/// [`find_ctl`] for `from <= s.len()`, answering `s.len()` when there is
/// no control byte (no `Option` to build and take apart in hot loops).
#[inline(always)]
pub(crate) fn ctl_from(s: &[u8], from: usize) -> usize {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        let (blocks, _) = s[from..].as_chunks::<16>();
        for (n, block) in blocks.iter().enumerate() {
            let hits = sse2::ctl_mask(block);
            if hits != 0 {
                return from + n * 16 + hits.trailing_zeros() as usize;
            }
        }
        let i = from + blocks.len() * 16;
        if i >= s.len() {
            return s.len();
        }
        // Fewer than 16 bytes left: one more block, the last 16 bytes of
        // `s`, with the bits of the bytes already scanned shifted out.
        if let Some(last) = s.len().checked_sub(16) {
            let block: &[u8; 16] = s[last..].try_into().expect("16 bytes");
            let hits = sse2::ctl_mask(block) >> (i - last);
            return if hits != 0 {
                i + hits.trailing_zeros() as usize
            } else {
                s.len()
            };
        }
        find_ctl_swar(s, i).unwrap_or(s.len())
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    find_ctl_swar(s, from).unwrap_or(s.len())
}

/// The end of the run of tchar starting at `from` in `s` (a field name):
/// one SSE2 block answers for names shorter than 16 bytes that end in a
/// byte that is not tchar, as nearly all do; the table does the rest.
#[inline(always)]
pub(crate) fn name_end(s: &[u8], from: usize) -> usize {
    match field_name(s, from) {
        Ok(end) | Err(end) => end,
    }
}

/// A field name at `from` and its colon: `Ok` with the name's end (the
/// colon's offset) when the run of tchar there is not empty and ends in
/// `:`, as in every plain field line; `Err` with the run's end otherwise
/// (`s.len()` when it runs to the end). The colon that ends the SSE2
/// block's run answers at once, with no second look at the byte.
#[inline(always)]
pub(crate) fn field_name(s: &[u8], from: usize) -> Result<usize, usize> {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if let Some(block) = s.get(from..from + 16) {
        let block: &[u8; 16] = block.try_into().expect("16 bytes");
        let ok = sse2::name_mask(block);
        let i = (!ok).trailing_zeros() as usize;
        if let Some(&b) = block.get(i) {
            // Usually the colon.
            if b == b':' {
                return if i > 0 { Ok(from + i) } else { Err(from) };
            }
            if !is_token(b) {
                return Err(from + i);
            }
        }
        return colon_after(s, from, from + token_prefix_len_from(&s[from..], i));
    }
    colon_after(s, from, name_end_near_the_end(s, from))
}

/// [`field_name`]'s answer for a run of tchar from `from` to `end`.
#[inline(always)]
fn colon_after(s: &[u8], from: usize, end: usize) -> Result<usize, usize> {
    if end > from && s.get(end) == Some(&b':') {
        Ok(end)
    } else {
        Err(end)
    }
}

/// The end of [`field_name`]'s run of tchar with fewer than 16 bytes from
/// `from` to the end of `s` (a name a read ended in): the last 16 bytes of
/// `s` as the block, the bits before `from` shifted out. Inlined: a head
/// arriving in pieces meets it at about one read in four (the measurements
/// are in `docs/benchmarks.md`).
#[inline]
fn name_end_near_the_end(s: &[u8], from: usize) -> usize {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if let Some(last) = s.len().checked_sub(16) {
        let block: &[u8; 16] = s[last..].try_into().expect("16 bytes");
        let other = !sse2::name_mask(block) >> (from - last);
        let i = other.trailing_zeros() as usize;
        if from + i >= s.len() {
            return s.len();
        }
        if s[from + i] == b':' || !is_token(s[from + i]) {
            return from + i;
        }
        return from + token_prefix_len_from(&s[from..], i);
    }
    from + token_prefix_len_from(&s[from..], 0)
}

/// [`find_ctl`] eight bytes per step: a byte below 0x20 or equal to 0x7f
/// sets its high bit in `hits`; borrows only run upwards, so the lowest
/// set bit marks the first such byte exactly.
#[inline]
fn find_ctl_swar(s: &[u8], from: usize) -> Option<usize> {
    let tail = s.get(from..)?;
    let (words, rest) = tail.as_chunks::<8>();
    let mut i = from;
    for word in words {
        let w = u64::from_le_bytes(*word);
        let below_space = w.wrapping_sub(LO * 0x20) & !w & HI;
        let x = w ^ (LO * 0x7f);
        let del = x.wrapping_sub(LO) & !x & HI;
        let hits = below_space | del;
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    rest.iter()
        .position(|&b| b < 0x20 || b == 0x7f)
        .map(|p| i + p)
}

/// Sixteen bytes per step with SSE2, part of every x86-64 CPU (the build
/// only takes this path where the target enables SSE2): one 16-byte block
/// in, a 16-bit mask out. The bytes reach the register by value, so no
/// pointer is involved; the only `unsafe` is the call into a
/// `#[target_feature]` function, which Rust requires even when the feature
/// is enabled for the whole build. Measured in `docs/benchmarks.md`;
/// `find_ctl_is_exact_on_both_paths` and
/// `token_prefix_is_exact_on_both_paths` test both paths.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2 {
    use core::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8, _mm_set_epi64x,
    };

    /// Bit `i` set where byte `i` of `block` is a control byte or DEL.
    #[inline]
    #[allow(unsafe_code)]
    pub(super) fn ctl_mask(block: &[u8; 16]) -> u32 {
        // SAFETY: this module only exists when the compilation target
        // enables SSE2 (the `cfg` above), so the CPU running this code has
        // the feature `block_ctl_mask` is compiled for; it touches no
        // memory but the block it is given.
        unsafe { block_ctl_mask(block) }
    }

    #[target_feature(enable = "sse2")]
    #[inline]
    fn block_ctl_mask(block: &[u8; 16]) -> u32 {
        let v = load(block);
        let ctl = _mm_or_si128(in_range(v, 0, 0x20), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));
        (_mm_movemask_epi8(ctl) & 0xffff) as u32
    }

    /// Bit `i` set where byte `i` of `block` is VCHAR (0x21 to 0x7e).
    #[inline]
    #[allow(unsafe_code)]
    pub(super) fn vchar_mask(block: &[u8; 16]) -> u32 {
        // SAFETY: as for `ctl_mask`: SSE2 is enabled for the build.
        unsafe { block_vchar_mask(block) }
    }

    #[target_feature(enable = "sse2")]
    #[inline]
    fn block_vchar_mask(block: &[u8; 16]) -> u32 {
        (_mm_movemask_epi8(in_range(load(block), 0x21, 0x7f - 0x21)) & 0xffff) as u32
    }

    /// Bit `i` set where byte `i` of `block` is an ASCII letter, digit or
    /// `-`: the bytes field names are made of.
    #[inline]
    #[allow(unsafe_code)]
    pub(super) fn name_mask(block: &[u8; 16]) -> u32 {
        // SAFETY: as for `ctl_mask`: SSE2 is enabled for the build.
        unsafe { block_name_mask(block) }
    }

    #[target_feature(enable = "sse2")]
    #[inline]
    fn block_name_mask(block: &[u8; 16]) -> u32 {
        let v = load(block);
        // Setting bit 0x20 maps capitals onto small letters, and nothing
        // else onto them.
        let letter = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a', 26);
        let digit = in_range(v, b'0', 10);
        let dash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'-' as i8));
        (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), dash)) & 0xffff) as u32
    }

    /// The block in a register (by value: no pointer is read).
    #[target_feature(enable = "sse2")]
    #[inline]
    fn load(block: &[u8; 16]) -> __m128i {
        let x = u128::from_le_bytes(*block);
        _mm_set_epi64x((x >> 64) as i64, x as i64)
    }

    /// 0xff where `lo <= v < lo + span` (unsigned), as one signed
    /// comparison: adding `0x80 - lo` (wrapping) moves exactly that range
    /// to the bottom of the signed bytes, `-128 .. -128 + span`.
    #[target_feature(enable = "sse2")]
    #[inline]
    fn in_range(v: __m128i, lo: u8, span: u8) -> __m128i {
        let shifted = _mm_add_epi8(v, _mm_set1_epi8(0x80u8.wrapping_sub(lo) as i8));
        _mm_cmpgt_epi8(_mm_set1_epi8(span.wrapping_sub(128) as i8), shifted)
    }
}

/// Length of the run of tchar at the start of `s`: the bytes field names
/// are made of (letters, digits, `-`) sixteen at a time with SSE2, then
/// the table for the rest (other tchars, the last bytes of the buffer).
#[inline]
pub(crate) fn token_prefix_len(s: &[u8]) -> usize {
    name_end(s, 0)
}

/// [`token_prefix_len`] with the table alone, from `i` (whose prefix is
/// known to be tchar), four bytes per step.
#[inline]
fn token_prefix_len_from(s: &[u8], mut i: usize) -> usize {
    while i + 4 <= s.len() {
        if !(is_token(s[i]) & is_token(s[i + 1]) & is_token(s[i + 2]) & is_token(s[i + 3])) {
            break;
        }
        i += 4;
    }
    while i < s.len() && is_token(s[i]) {
        i += 1;
    }
    i
}

/// Case-insensitive equality of a token (already validated: tchar only)
/// with a lowercase name made of letters, digits and `-`. Setting bit 0x20
/// folds case; among tchars only letters differ by that bit, so eight bytes
/// compare at once.
#[inline]
pub(crate) fn token_eq_lower(token: &[u8], lower: &[u8]) -> bool {
    if token.len() != lower.len() {
        return false;
    }
    let word = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().expect("8 bytes"));
    let n = token.len();
    if n < 8 {
        return token.iter().zip(lower).all(|(&t, &l)| t | 0x20 == l);
    }
    // Whole words, the last one overlapping the one before it.
    let mut i = 0;
    loop {
        let at = i.min(n - 8);
        if word(token, at) | 0x2020_2020_2020_2020 != word(lower, at) {
            return false;
        }
        if at == n - 8 {
            return true;
        }
        i += 8;
    }
}

/// Strip leading and trailing SP / HTAB (OWS).
#[inline]
pub(crate) fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// Offsets `(start, end)` of `s` with OWS stripped at both ends.
#[inline]
pub(crate) fn trim_ows_range(s: &[u8]) -> (usize, usize) {
    // Fast path: "name: value" with one SP and no trailing whitespace.
    if let [b' ', second, .., last] = s {
        if !matches!(second, b' ' | b'\t') && !matches!(last, b' ' | b'\t') {
            return (1, s.len());
        }
    }
    let mut a = 0;
    let mut b = s.len();
    while a < b && (s[a] == b' ' || s[a] == b'\t') {
        a += 1;
    }
    while b > a && (s[b - 1] == b' ' || s[b - 1] == b'\t') {
        b -= 1;
    }
    (a, b)
}

/// The elements of a comma-separated list (RFC 9110 §5.6.1), OWS-trimmed,
/// empty elements skipped.
pub(crate) fn list_elements(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value
        .split(|&b| b == b',')
        .map(trim_ows)
        .filter(|e| !e.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swar_scan_matches_bytewise_scan() {
        for len in 0..40 {
            for bad_at in 0..len {
                for bad in [0u8, 1, b'\t', b'\r', b'\n', 0x1f, 0x7f, 0x80, 0xff, b' '] {
                    let mut v = vec![b'a'; len];
                    v[bad_at] = bad;
                    let expect = v.iter().position(|&b| !FIELD_VALUE[b as usize]);
                    assert_eq!(find_invalid_value_byte(&v, &FIELD_VALUE), expect, "{v:?}");
                }
            }
        }
    }

    #[test]
    fn find_ctl_is_exact_on_both_paths() {
        let naive = |v: &[u8], from: usize| {
            v.iter()
                .skip(from)
                .position(|&b| b < 0x20 || b == 0x7f)
                .map(|p| p + from)
        };
        for len in 0..80 {
            for at in 0..len {
                for b in [0u8, 1, b'\t', b'\r', b'\n', 0x1f, 0x7f] {
                    for fill in [b'a', 0x80, 0xff, b' ', 0x7e] {
                        let mut v = vec![fill; len];
                        v[at] = b;
                        for from in [0, at / 2, at, at + 1] {
                            assert_eq!(
                                find_ctl(&v, from),
                                naive(&v, from),
                                "len {len} at {at} byte {b} from {from}"
                            );
                            assert_eq!(find_ctl_swar(&v, from), naive(&v, from));
                        }
                    }
                }
            }
        }
        assert_eq!(find_ctl(b"abc", 7), None);
    }

    #[test]
    fn token_prefix_is_exact_on_both_paths() {
        let naive = |v: &[u8]| v.iter().take_while(|&&b| is_token(b)).count();
        for len in 0..50 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut v: Vec<u8> = (0..len).map(|i| b"aZ09-x"[i % 6]).collect();
                    v[at] = b;
                    assert_eq!(
                        token_prefix_len(&v),
                        naive(&v),
                        "len {len} at {at} byte {b}"
                    );
                    assert_eq!(token_prefix_len_from(&v, 0), naive(&v));
                    assert_eq!(is_token_str(&v), len > 0 && naive(&v) == len);
                }
            }
        }
    }

    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[test]
    fn sse2_classifiers_are_exact_for_every_byte_at_every_position() {
        for at in 0..16 {
            for b in 0..=255u8 {
                let mut block = [b'a'; 16];
                block[at] = b;
                let bit = sse2::name_mask(&block) >> at & 1 == 1;
                assert_eq!(
                    bit,
                    b.is_ascii_alphanumeric() || b == b'-',
                    "name {b} at {at}"
                );
                let bit = sse2::vchar_mask(&block) >> at & 1 == 1;
                assert_eq!(bit, TARGET[b as usize], "vchar {b} at {at}");
                let bit = sse2::ctl_mask(&block) >> at & 1 == 1;
                assert_eq!(bit, b < 0x20 || b == 0x7f, "ctl {b} at {at}");
            }
        }
    }

    #[test]
    fn name_end_and_field_name_are_exact_from_every_offset() {
        let naive =
            |v: &[u8], from: usize| from + v[from..].iter().take_while(|&&b| is_token(b)).count();
        for len in 0..40 {
            for at in 0..len {
                for b in [b':', b' ', b'\r', b'_', b'~', b'a', b'-', 0, 0x80, 0xff] {
                    let mut v: Vec<u8> = (0..len).map(|i| b"aZ09-x"[i % 6]).collect();
                    v[at] = b;
                    for from in 0..=len {
                        let end = naive(&v, from);
                        assert_eq!(
                            name_end(&v, from),
                            end,
                            "len {len} at {at} byte {b} from {from}"
                        );
                        let named = end > from && v.get(end) == Some(&b':');
                        assert_eq!(
                            field_name(&v, from),
                            if named { Ok(end) } else { Err(end) },
                            "field_name: len {len} at {at} byte {b} from {from}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn target_and_value_checks_match_their_tables() {
        for len in 0..40 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut v: Vec<u8> = (0..len).map(|i| b"/a?=%~"[i % 6]).collect();
                    v[at] = b;
                    let target = v.iter().all(|&b| TARGET[b as usize]);
                    assert_eq!(is_target(&v), target, "len {len} at {at} byte {b}");
                    let value = v.iter().all(|&b| FIELD_VALUE[b as usize]);
                    assert_eq!(is_field_value(&v), value, "len {len} at {at} byte {b}");
                    let token = v.iter().all(|&b| is_token(b));
                    assert_eq!(is_token_str(&v), token, "len {len} at {at} byte {b}");
                }
            }
        }
        assert!(!is_target(b""));
        assert!(is_field_value(b""));
        assert!(!is_token_str(b""));
    }

    #[test]
    fn copy_checked_copies_exactly_and_passes_only_its_class() {
        let name = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
        let value = |b: u8| b >= 0x20 && b != 0x7f;
        let sse2 = cfg!(all(target_arch = "x86_64", target_feature = "sse2"));
        for len in 0..40 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut v: Vec<u8> = (0..len).map(|i| b"aZ09-x"[i % 6]).collect();
                    v[at] = b;
                    for (class, passes) in [
                        (Class::Name, sse2 && v.iter().all(|&b| name(b))),
                        (Class::Value, v.iter().all(|&b| value(b))),
                        (Class::Target, v.iter().all(|&b| TARGET[b as usize])),
                    ] {
                        // Guard bytes on both sides must stay untouched,
                        // and every byte between them written.
                        let mut slots = vec![MaybeUninit::new(0xeeu8); len + 2];
                        let ok = copy_checked(&mut slots[1..], &v, class);
                        #[allow(unsafe_code)]
                        // SAFETY: every slot was initialised (with 0xee)
                        // before the call, which writes only bytes.
                        let dst: Vec<u8> =
                            slots.iter().map(|b| unsafe { b.assume_init() }).collect();
                        assert_eq!(ok, passes, "{class:?} len {len} at {at} byte {b}");
                        assert_eq!(&dst[1..=len], &v[..], "{class:?} len {len} at {at}");
                        assert_eq!((dst[0], dst[len + 1]), (0xee, 0xee));
                    }
                }
            }
        }
        for class in [Class::Name, Class::Value, Class::Target] {
            assert!(!copy_checked(&mut [], b"", class));
        }
        // The value and target checks of targets without SSE2, every byte
        // at every position of the two words.
        for at in 0..16 {
            for b in 0..=255u8 {
                let mut block = [b'a'; 16];
                block[at] = b;
                let (a, c) = block.split_at(8);
                let words = (
                    u64::from_le_bytes(a.try_into().unwrap()),
                    u64::from_le_bytes(c.try_into().unwrap()),
                );
                assert_eq!(no_ctl_swar(words.0, words.1), value(b), "at {at} byte {b}");
                assert_eq!(
                    vchar_swar(words.0, words.1),
                    TARGET[b as usize],
                    "at {at} byte {b}"
                );
            }
        }
    }

    #[test]
    fn token_prefix() {
        assert_eq!(token_prefix_len(b"Content-Length: 5"), 14);
        assert_eq!(token_prefix_len(b"X-A-Very-Long-Header-Name-Here:"), 30);
        assert_eq!(token_prefix_len(b""), 0);
        assert_eq!(token_prefix_len(b"abcdefgh"), 8);
        assert_eq!(token_prefix_len(b"abcdefg h"), 7);
    }

    #[test]
    fn token_table_is_rfc_tchar() {
        assert!(is_token_str(b"!#$%&'*+-.^_`|~09azAZ"));
        for b in [b' ', b'(', b')', b':', b'"', b'/', b'@', 0x7f, 0x80, 0] {
            assert!(!is_token(b), "{b}");
        }
        assert!(!is_token_str(b""));
    }

    #[test]
    fn token_comparison_folds_case_only() {
        assert!(token_eq_lower(b"Content-Length", b"content-length"));
        assert!(token_eq_lower(b"TRANSFER-ENCODING", b"transfer-encoding"));
        assert!(!token_eq_lower(b"Content-Lengtx", b"content-length"));
        assert!(!token_eq_lower(b"Content-Lengths", b"content-length"));
        assert!(token_eq_lower(b"X-1", b"x-1"));
        assert!(!token_eq_lower(b"Connectioo", b"connection"));
        // Every length up to 24, a difference at every position.
        let lower = b"abcdefghijklmnopqrstuvwx";
        for n in 0..=lower.len() {
            let upper = lower[..n].to_ascii_uppercase();
            assert!(token_eq_lower(&upper, &lower[..n]), "{n}");
            for at in 0..n {
                let mut other = upper.clone();
                other[at] = b'-';
                assert!(!token_eq_lower(&other, &lower[..n]), "{n} {at}");
            }
        }
    }

    #[test]
    fn ows_and_lists() {
        assert_eq!(trim_ows(b" \t a b \t"), b"a b");
        assert_eq!(trim_ows(b" \t "), b"");
        assert_eq!(trim_ows_range(b"  ab "), (2, 4));
        let v: Vec<&[u8]> = list_elements(b" ,a, ,b ,,").collect();
        assert_eq!(v, vec![&b"a"[..], &b"b"[..]]);
    }
}
