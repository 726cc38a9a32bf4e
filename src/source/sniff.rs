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
        return Sniffed::Binary;
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
