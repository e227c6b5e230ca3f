//! Byte classes of RFC 9110 / RFC 9112, as 256-entry lookup tables.
//!
//! One table per grammar rule keeps every scanning loop to a single indexed
//! load per byte; the SWAR helpers below let the hot loops skip eight bytes
//! at a time when they are all ordinary.

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

/// Bytes allowed in a request target: VCHAR only (no SP, no CTL, no obs-text).
pub(crate) static TARGET: [bool; 256] = table!(|b| b > 0x20 && b < 0x7f);

/// True when `b` is `tchar`.
#[inline(always)]
pub(crate) fn is_token(b: u8) -> bool {
    TOKEN[b as usize]
}

/// True when every byte of `s` is `tchar` and `s` is not empty.
pub(crate) fn is_token_str(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_token(b))
}

/// Index of the first byte of `s` that is not allowed in a field value by
/// `table`, or `None`. Eight bytes at a time while they are all printable
/// ASCII or obs-text, one at a time around anything else.
#[inline]
pub(crate) fn find_invalid_value_byte(s: &[u8], table: &[bool; 256]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while i + 8 <= s.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&s[i..i + 8]);
        let w = u64::from_le_bytes(word);
        // Any byte < 0x20 (the high bit of bytes >= 0x80 masks them out)?
        let below_space = w.wrapping_sub(LO * 0x20) & !w & HI;
        // Any byte == 0x7f?
        let x = w ^ (LO * 0x7f);
        let del = x.wrapping_sub(LO) & !x & HI;
        if below_space | del != 0 {
            for (j, &b) in s[i..i + 8].iter().enumerate() {
                if !table[b as usize] {
                    return Some(i + j);
                }
            }
        }
        i += 8;
    }
    s[i..].iter().position(|&b| !table[b as usize]).map(|p| i + p)
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
    let mut i = 0;
    while i + 8 <= token.len() {
        let mut a = [0u8; 8];
        let mut b = [0u8; 8];
        a.copy_from_slice(&token[i..i + 8]);
        b.copy_from_slice(&lower[i..i + 8]);
        if u64::from_le_bytes(a) | 0x2020_2020_2020_2020 != u64::from_le_bytes(b) {
            return false;
        }
        i += 8;
    }
    token[i..].iter().zip(&lower[i..]).all(|(&t, &l)| t | 0x20 == l)
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
