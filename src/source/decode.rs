//! Streaming decoding to UTF-8. UTF-8 input is passed through after validation; when an
//! invalid sequence turns up in text that so far was pure ASCII, the rest is decoded as
//! Windows-1252 (Latin-1 files whose first accented letter comes late); an invalid sequence
//! after real multi-byte UTF-8 is reported (once, with its offset) and the bytes are kept as
//! they are. UTF-16 (by byte order mark) and Windows-1252 go through `encoding_rs`.

/// The encodings piiscan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (and ASCII).
    Utf8,
    /// UTF-16, little endian.
    Utf16Le,
    /// UTF-16, big endian.
    Utf16Be,
    /// Windows-1252 (a superset of Latin-1's printable range).
    Windows1252,
}

/// A streaming decoder.
pub struct Decoder {
    encoding: Encoding,
    seen_multibyte: bool,
    other: Option<encoding_rs::Decoder>,
    decoded: u64,
    invalid_at: Option<u64>,
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("encoding", &self.encoding)
            .field("decoded", &self.decoded)
            .field("invalid_at", &self.invalid_at)
            .finish()
    }
}

fn decoder_for(encoding: Encoding) -> Option<encoding_rs::Decoder> {
    match encoding {
        Encoding::Utf8 => None,
        Encoding::Utf16Le => Some(encoding_rs::UTF_16LE.new_decoder_without_bom_handling()),
        Encoding::Utf16Be => Some(encoding_rs::UTF_16BE.new_decoder_without_bom_handling()),
        Encoding::Windows1252 => Some(encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling()),
    }
}

impl Decoder {
    /// A decoder for text in `encoding`.
    pub fn new(encoding: Encoding) -> Decoder {
        Decoder {
            encoding,
            seen_multibyte: false,
            other: decoder_for(encoding),
            decoded: 0,
            invalid_at: None,
        }
    }

    /// The encoding in use now (UTF-8 may have switched to Windows-1252).
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Offset in the decoded text of the first invalid UTF-8 sequence, if any was seen after
    /// genuine multi-byte UTF-8.
    pub fn invalid_utf8_at(&self) -> Option<u64> {
        self.invalid_at
    }

    /// Decodes `input`, appending UTF-8 to `out`. Returns how many bytes of `input` were used:
    /// an incomplete character at the end is left for the next call unless `last`.
    pub fn feed(&mut self, input: &[u8], last: bool, out: &mut Vec<u8>) -> usize {
        let before = out.len();
        let used = if self.other.is_some() {
            self.feed_other(input, last, out)
        } else {
            self.feed_utf8(input, last, out, before)
        };
        self.decoded += (out.len() - before) as u64;
        used
    }

    fn feed_other(&mut self, input: &[u8], last: bool, out: &mut Vec<u8>) -> usize {
        let Some(dec) = self.other.as_mut() else {
            return 0;
        };
        let mut read_total = 0;
        loop {
            let need = dec
                .max_utf8_buffer_length(input.len() - read_total)
                .unwrap_or(input.len() * 3 + 16);
            let old = out.len();
            out.resize(old + need.max(16), 0);
            let (result, read, written, _) =
                dec.decode_to_utf8(&input[read_total..], &mut out[old..], last);
            out.truncate(old + written);
            read_total += read;
            if matches!(result, encoding_rs::CoderResult::InputEmpty) {
                return read_total;
            }
        }
    }

    fn feed_utf8(
        &mut self,
        input: &[u8],
        last: bool,
        out: &mut Vec<u8>,
        call_start: usize,
    ) -> usize {
        let mut pos = 0;
        loop {
            match std::str::from_utf8(&input[pos..]) {
                Ok(s) => {
                    if !self.seen_multibyte && !s.is_ascii() {
                        self.seen_multibyte = true;
                    }
                    out.extend_from_slice(&input[pos..]);
                    return input.len();
                }
                Err(e) => {
                    let valid = &input[pos..pos + e.valid_up_to()];
                    if !self.seen_multibyte && !valid.is_ascii() {
                        self.seen_multibyte = true;
                    }
                    out.extend_from_slice(valid);
                    let bad = pos + e.valid_up_to();
                    match e.error_len() {
                        None if !last => return bad,
                        _ if !self.seen_multibyte => {
                            // Pure ASCII so far: this is Latin-1 / Windows-1252 text.
                            self.encoding = Encoding::Windows1252;
                            self.other = decoder_for(Encoding::Windows1252);
                            return bad + self.feed_other(&input[bad..], last, out);
                        }
                        len => {
                            let len = len.unwrap_or(input.len() - bad);
                            if self.invalid_at.is_none() {
                                self.invalid_at =
                                    Some(self.decoded + (out.len() - call_start) as u64);
                            }
                            out.extend_from_slice(&input[bad..bad + len]);
                            pos = bad + len;
                            if pos >= input.len() {
                                return input.len();
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A reader that decodes another reader to UTF-8 (for the table readers).
pub struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    raw: Vec<u8>,
    raw_len: usize,
    out: Vec<u8>,
    out_pos: usize,
    done: bool,
}

impl<R: std::io::Read> DecodingReader<R> {
    /// Decodes `inner`, which is text in `encoding`.
    pub fn new(inner: R, encoding: Encoding) -> Self {
        DecodingReader {
            inner,
            decoder: Decoder::new(encoding),
            raw: vec![0; 64 * 1024],
            raw_len: 0,
            out: Vec::new(),
            out_pos: 0,
            done: false,
        }
    }
}

impl<R: std::io::Read> std::io::Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.out_pos == self.out.len() && !self.done {
            self.out.clear();
            self.out_pos = 0;
            let n = self.inner.read(&mut self.raw[self.raw_len..])?;
            self.done = n == 0;
            let avail = self.raw_len + n;
            let used = self
                .decoder
                .feed(&self.raw[..avail], self.done, &mut self.out);
            self.raw.copy_within(used..avail, 0);
            self.raw_len = avail - used;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(enc: Encoding, input: &[u8], chunk: usize) -> (Vec<u8>, Decoder) {
        let mut d = Decoder::new(enc);
        let mut out = Vec::new();
        let mut pending: Vec<u8> = Vec::new();
        let chunks: Vec<&[u8]> = input.chunks(chunk).collect();
        for (i, c) in chunks.iter().enumerate() {
            pending.extend_from_slice(c);
            let used = d.feed(&pending, i + 1 == chunks.len(), &mut out);
            pending.drain(..used);
        }
        (out, d)
    }

    #[test]
    fn utf8_split_characters_survive_any_chunking() {
        let text = "Zoë Müller woont in Liège — €12";
        for chunk in 1..8 {
            let (out, d) = decode_all(Encoding::Utf8, text.as_bytes(), chunk);
            assert_eq!(out, text.as_bytes(), "chunk {chunk}");
            assert!(d.invalid_utf8_at().is_none());
        }
    }

    #[test]
    fn late_latin1_switches_to_windows_1252() {
        let mut input = b"naam;plaats\n".repeat(10);
        input.extend_from_slice(b"Ren\xE9e;Li\xE8ge\n");
        let (out, d) = decode_all(Encoding::Utf8, &input, 7);
        assert!(String::from_utf8(out).unwrap().ends_with("Renée;Liège\n"));
        assert_eq!(d.encoding(), Encoding::Windows1252);
    }

    #[test]
    fn broken_utf8_after_multibyte_is_reported() {
        let input = "Zoë "
            .as_bytes()
            .iter()
            .chain(b"\xFF rest")
            .copied()
            .collect::<Vec<u8>>();
        let (out, d) = decode_all(Encoding::Utf8, &input, 3);
        assert_eq!(out.len(), input.len());
        assert_eq!(d.invalid_utf8_at(), Some(5));
    }

    #[test]
    fn utf16_decodes() {
        let utf16: Vec<u8> = "tel 0612345678"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let (out, _) = decode_all(Encoding::Utf16Le, &utf16, 5);
        assert_eq!(out, b"tel 0612345678");
    }

    /// A reader that hands out its bytes in the given chunk sizes (cycled).
    struct Chunked<'a> {
        data: &'a [u8],
        sizes: Vec<usize>,
        turn: usize,
    }

    impl std::io::Read for Chunked<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let size = self.sizes[self.turn % self.sizes.len()].max(1);
            self.turn += 1;
            let n = size.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn read_all(enc: Encoding, data: &[u8], sizes: Vec<usize>) -> Vec<u8> {
        let mut r = DecodingReader::new(
            Chunked {
                data,
                sizes,
                turn: 0,
            },
            enc,
        );
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut r, &mut out).unwrap();
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// Any text survives any chunking, in UTF-8 and both UTF-16 byte orders.
        #[test]
        fn text_survives_chunk_boundaries(
            text in "\\PC{0,200}",
            sizes in proptest::collection::vec(1usize..17, 1..8),
        ) {
            proptest::prop_assert_eq!(read_all(Encoding::Utf8, text.as_bytes(), sizes.clone()), text.as_bytes());
            let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            proptest::prop_assert_eq!(read_all(Encoding::Utf16Le, &le, sizes.clone()), text.as_bytes());
            let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
            proptest::prop_assert_eq!(read_all(Encoding::Utf16Be, &be, sizes), text.as_bytes());
        }

        /// Arbitrary bytes: sniffing and decoding never panic, and what comes out is as long
        /// as UTF-8 decoding of Latin-1 or the bytes kept as they are can make it.
        #[test]
        fn arbitrary_bytes_never_panic(
            data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
            sizes in proptest::collection::vec(1usize..33, 1..8),
        ) {
            let _ = crate::source::sniff::sniff(&data);
            for enc in [Encoding::Utf8, Encoding::Utf16Le, Encoding::Utf16Be, Encoding::Windows1252] {
                let out = read_all(enc, &data, sizes.clone());
                proptest::prop_assert!(out.len() <= data.len() * 3 + 3);
            }
        }
    }
}
