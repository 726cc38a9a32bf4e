//! Sniffing the first block of an input: byte order marks, binary content, encoding.

use super::decode::Encoding;

/// How many bytes are sniffed.
pub const SNIFF_LEN: usize = 8192;

/// What an input looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// Text in this encoding, after a byte order mark of `bom` bytes.
    Text {
        /// The encoding.
        encoding: Encoding,
        /// Length of the byte order mark to skip.
        bom: usize,
    },
    /// Binary content (a NUL byte in the first block, without a UTF-16 byte order mark).
    Binary,
}

/// UTF-16 without a byte order mark, told by its byte pattern: text that is mostly Latin
/// script has a NUL in every other byte (odd positions for little-endian, even for
/// big-endian) and almost none in the others, and decodes to printable characters.
fn utf16_without_bom(head: &[u8]) -> Option<Encoding> {
    let units = head.len() / 2;
    if units < 2 {
        return None;
    }
    let (mut even_zero, mut odd_zero) = (0usize, 0usize);
    for pair in head.chunks_exact(2) {
        even_zero += usize::from(pair[0] == 0);
        odd_zero += usize::from(pair[1] == 0);
    }
    let (encoding, decode): (Encoding, fn([u8; 2]) -> u16) =
        if odd_zero * 10 >= units * 6 && even_zero * 50 <= units {
            (Encoding::Utf16Le, u16::from_le_bytes)
        } else if even_zero * 10 >= units * 6 && odd_zero * 50 <= units {
            (Encoding::Utf16Be, u16::from_be_bytes)
        } else {
            return None;
        };
    let code_units = head.chunks_exact(2).map(|p| decode([p[0], p[1]]));
    let mut printable = 0usize;
    let mut total = 0usize;
    for c in char::decode_utf16(code_units) {
        // A surrogate cut at the end of the block is fine; elsewhere it is not text.
        let Ok(c) = c else { continue };
        total += 1;
        if !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\u{c}') {
            printable += 1;
        }
    }
    (total > 0 && printable * 100 >= total * 95).then_some(encoding)
}

/// The first block as UTF-8, for a decision about the format: UTF-16 (with or without a byte
/// order mark) decoded, a UTF-8 byte order mark passed over, anything else as it is. A
/// character cut at the end of the block becomes U+FFFD.
pub fn utf8_head(head: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    use std::borrow::Cow;
    match sniff(head) {
        Sniffed::Text {
            encoding: Encoding::Utf16Le,
            bom,
        } => Cow::Owned(
            encoding_rs::UTF_16LE
                .decode_without_bom_handling(&head[bom..])
                .0
                .into_owned()
                .into_bytes(),
        ),
        Sniffed::Text {
            encoding: Encoding::Utf16Be,
            bom,
        } => Cow::Owned(
            encoding_rs::UTF_16BE
                .decode_without_bom_handling(&head[bom..])
                .0
                .into_owned()
                .into_bytes(),
        ),
        Sniffed::Text { bom, .. } => Cow::Borrowed(&head[bom..]),
        Sniffed::Binary => Cow::Borrowed(head),
    }
}

/// Looks at the first block of an input.
pub fn sniff(head: &[u8]) -> Sniffed {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Sniffed::Text {
            encoding: Encoding::Utf8,
            bom: 3,
        };
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return Sniffed::Text {
            encoding: Encoding::Utf16Le,
            bom: 2,
        };
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Sniffed::Text {
            encoding: Encoding::Utf16Be,
            bom: 2,
        };
    }
    if memchr::memchr(0, head).is_some() {
        return match utf16_without_bom(head) {
            Some(encoding) => Sniffed::Text { encoding, bom: 0 },
            None => Sniffed::Binary,
        };
    }
    // UTF-8 unless the block is not valid UTF-8 (a character cut at the end is fine); the
    // decoder still falls back to Windows-1252 later if the text turns out to be Latin-1.
    match std::str::from_utf8(head) {
        Ok(_) => Sniffed::Text {
            encoding: Encoding::Utf8,
            bom: 0,
        },
        Err(e) if e.error_len().is_none() => Sniffed::Text {
            encoding: Encoding::Utf8,
            bom: 0,
        },
        Err(e) => {
            let valid = &head[..e.valid_up_to()];
            if valid.is_ascii() {
                Sniffed::Text {
                    encoding: Encoding::Windows1252,
                    bom: 0,
                }
            } else {
                // Valid multi-byte UTF-8 followed by an invalid sequence: broken UTF-8.
                Sniffed::Text {
                    encoding: Encoding::Utf8,
                    bom: 0,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utf16_head_is_decoded_for_the_format_decision() {
        let text = "-- PostgreSQL database dump\nCOPY k (email) FROM stdin;\n";
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(&*utf8_head(&le), text.as_bytes());
        assert_eq!(&*utf8_head(&be), text.as_bytes());
        assert_eq!(&*utf8_head(b"\xEF\xBB\xBFab"), b"ab");
        assert_eq!(&*utf8_head(b"caf\xe9"), b"caf\xe9");
    }

    #[test]
    fn sniffs_boms_binary_and_latin1() {
        assert_eq!(
            sniff(b"\xEF\xBB\xBFhi"),
            Sniffed::Text {
                encoding: Encoding::Utf8,
                bom: 3
            }
        );
        assert_eq!(
            sniff(b"\xFF\xFEh\0i\0"),
            Sniffed::Text {
                encoding: Encoding::Utf16Le,
                bom: 2
            }
        );
        assert_eq!(sniff(b"PK\x03\x04\0\0"), Sniffed::Binary);
        let le: Vec<u8> = "naam: Jan\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let be: Vec<u8> = "naam: Jan\r\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(
            sniff(&le),
            Sniffed::Text {
                encoding: Encoding::Utf16Le,
                bom: 0
            }
        );
        assert_eq!(
            sniff(&be),
            Sniffed::Text {
                encoding: Encoding::Utf16Be,
                bom: 0
            }
        );
        // A binary header with NULs in both byte positions stays binary.
        assert_eq!(sniff(b"\x00\x00\x01\x00\x02\x00\x00\x10"), Sniffed::Binary);
        assert_eq!(
            sniff("caf\u{e9}".as_bytes()),
            Sniffed::Text {
                encoding: Encoding::Utf8,
                bom: 0
            }
        );
        assert_eq!(
            sniff(b"caf\xE9 au lait"),
            Sniffed::Text {
                encoding: Encoding::Windows1252,
                bom: 0
            }
        );
    }
}
