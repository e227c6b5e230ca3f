//! The chunk-extension grammar of RFC 9112 §7.1.1, exactly, for strict
//! mode:
//!
//! ```text
//! chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//! chunk-ext-name = token
//! chunk-ext-val  = token / quoted-string
//! quoted-string  = DQUOTE *( qdtext / quoted-pair ) DQUOTE
//! qdtext         = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
//! quoted-pair    = "\" ( HTAB / SP / VCHAR / obs-text )
//! BWS            = *( SP / HTAB )
//! ```
//!
//! Nothing else may stand between the chunk size and the CRLF — not even
//! whitespace at the end of the line.

use crate::chars::is_token;

/// True when `s` (the bytes between a chunk size's last digit and the line
/// end) is a `chunk-ext`, possibly empty.
pub(crate) fn is_chunk_ext(s: &[u8]) -> bool {
    let mut i = 0;
    while i < s.len() {
        i = ows(s, i);
        if s.get(i) != Some(&b';') {
            return false;
        }
        i = ows(s, i + 1);
        let name = token_len(&s[i..]);
        if name == 0 {
            return false;
        }
        i += name;
        let after_name = i;
        i = ows(s, i);
        if s.get(i) != Some(&b'=') {
            // No value: any whitespace read belongs before the next ";".
            i = after_name;
            continue;
        }
        i = ows(s, i + 1);
        i = match s.get(i) {
            Some(b'"') => match quoted_string_end(s, i) {
                Some(end) => end,
                None => return false,
            },
            _ => match token_len(&s[i..]) {
                0 => return false,
                n => i + n,
            },
        };
    }
    true
}

/// Past `*( SP / HTAB )` from `i`.
fn ows(s: &[u8], mut i: usize) -> usize {
    while matches!(s.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

fn token_len(s: &[u8]) -> usize {
    s.iter().take_while(|&&b| is_token(b)).count()
}

/// The index past the closing `DQUOTE` of the quoted-string opening at
/// `open`, if it is one.
fn quoted_string_end(s: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    loop {
        match *s.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => {
                let escaped = *s.get(i + 1)?;
                if !(escaped == b'\t' || escaped == b' ' || escaped >= 0x21 && escaped != 0x7f) {
                    return None;
                }
                i += 2;
            }
            b'\t' | b' ' | 0x21 | 0x23..=0x5b | 0x5d..=0x7e | 0x80..=0xff => i += 1,
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chunk_ext_rule() {
        for ok in [
            "",
            ";a",
            ";a=b",
            " ;a",
            "\t; a = b",
            ";a=\"\"",
            ";a=\"q d\\\"x\\\\\"",
            ";a;b=1;c=\"2\"",
            ";a ;b",
            ";name=\"ob\u{e9}s\"",
            ";a=\"tab\there\"",
        ] {
            assert!(is_chunk_ext(ok.as_bytes()), "{ok:?} refused");
        }
        for bad in [
            " ",
            ";",
            "; ",
            ";a ",
            ";a=",
            ";a= ",
            ";a=b ",
            "a",
            ";a=b c",
            ";a=\"open",
            ";a=\"x\"y",
            ";a=\"ctl\x01\"",
            ";a=\"esc\\\x01\"",
            ";a=\"del\x7f\"",
            ";=b",
            ";a b",
            ";a=,",
            ";a=b;",
            ";a\x00",
            ";a=\"x\"\t",
            ";a@b",
        ] {
            assert!(!is_chunk_ext(bad.as_bytes()), "{bad:?} accepted");
        }
    }
}
