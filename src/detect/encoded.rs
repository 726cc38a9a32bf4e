//! Encoded values: percent-encoding in URLs and query strings (`email=jan%40telenet.be`, `+`
//! for a space in a query value), HTML character references (`jan&#64;x.nl`, `&commat;`),
//! JSON `\u0040` escapes and quoted-printable (`=40`). A line holding one is decoded for
//! detection; each hit found in the decoded line is mapped back to the original bytes it came
//! from, so reports point at the encoded text and `anonymise` replaces it whole.
//!
//! Lines without an escape are never copied: the plain scan is all they get.

use super::engine::{Engine, Hit, Scratch};

/// One decoded line: its bytes and, for each decoded byte, the span of original bytes (relative
/// to the line) it came from.
#[derive(Debug, Default)]
pub struct Decoded {
    /// The decoded bytes.
    pub bytes: Vec<u8>,
    /// Original start of each decoded byte.
    from: Vec<u32>,
    /// Original end of each decoded byte.
    to: Vec<u32>,
}

impl Decoded {
    /// The original span of decoded `start..end`.
    pub fn original(&self, start: usize, end: usize) -> (usize, usize) {
        (self.from[start] as usize, self.to[end - 1] as usize)
    }
    /// Did any byte of decoded `start..end` come from an escape (also one of the same length,
    /// `+` for a space in a query value), so that the plain scan of `line` did not see it?
    fn changed(&self, line: &[u8], start: usize, end: usize) -> bool {
        let (s, e) = self.original(start, end);
        e - s != end - start || line.get(s..e) != self.bytes.get(start..end)
    }
    fn push(&mut self, bytes: &[u8], from: usize, to: usize) {
        for &b in bytes {
            self.bytes.push(b);
            self.from.push(from as u32);
            self.to.push(to as u32);
        }
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn hex_pair(s: &[u8], i: usize) -> Option<u8> {
    Some(hex(*s.get(i)?)? << 4 | hex(*s.get(i + 1)?)?)
}

/// Named HTML character references that matter for the values piiscan finds.
const ENTITIES: &[(&[u8], &str)] = &[
    (b"commat", "@"),
    (b"period", "."),
    (b"amp", "&"),
    (b"plus", "+"),
    (b"hyphen", "-"),
    (b"dash", "-"),
    (b"lowbar", "_"),
    (b"colon", ":"),
    (b"sol", "/"),
    (b"nbsp", " "),
    (b"lt", "<"),
    (b"gt", ">"),
    (b"quot", "\""),
    (b"apos", "'"),
    (b"eacute", "é"),
    (b"egrave", "è"),
    (b"euml", "ë"),
    (b"iuml", "ï"),
    (b"ouml", "ö"),
    (b"uuml", "ü"),
    (b"auml", "ä"),
    (b"ccedil", "ç"),
];

/// Writes `c` as UTF-8 into `buf`, returning the bytes; control characters become a space
/// (a decoded line break must not split the line the context window sees).
fn utf8(c: u32, buf: &mut [u8; 4]) -> Option<&[u8]> {
    let ch = char::from_u32(c)?;
    if ch.is_control() {
        buf[0] = b' ';
        return Some(&buf[..1]);
    }
    Some(ch.encode_utf8(buf).as_bytes())
}

/// The escape at `line[i]`, if any: its decoded bytes (into `buf`) and its length.
fn escape_at<'b>(
    line: &[u8],
    i: usize,
    in_query_value: bool,
    buf: &'b mut [u8; 4],
) -> Option<(&'b [u8], usize)> {
    match line[i] {
        b'%' => {
            let v = hex_pair(line, i + 1)?;
            buf[0] = if v < 0x20 || v == 0x7f { b' ' } else { v };
            Some((&buf[..1], 3))
        }
        b'+' if in_query_value => {
            buf[0] = b' ';
            Some((&buf[..1], 1))
        }
        b'=' => {
            // Quoted-printable writes upper-case hex only.
            let (a, b) = (*line.get(i + 1)?, *line.get(i + 2)?);
            if !(a.is_ascii_digit() || (b'A'..=b'F').contains(&a))
                || !(b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
            {
                return None;
            }
            let v = hex_pair(line, i + 1)?;
            // Letters and digits are never encoded by quoted-printable: `timeout=30` is code.
            if v < 0x20 || v.is_ascii_alphanumeric() {
                return None;
            }
            buf[0] = v;
            Some((&buf[..1], 3))
        }
        b'\\' => {
            if line.get(i + 1) != Some(&b'u') {
                return None;
            }
            let hi = u32::from(hex_pair(line, i + 2)?) << 8 | u32::from(hex_pair(line, i + 4)?);
            if (0xD800..0xDC00).contains(&hi) {
                // A surrogate pair: \uD83D\uDE00.
                if line.get(i + 6) != Some(&b'\\') || line.get(i + 7) != Some(&b'u') {
                    return None;
                }
                let lo =
                    u32::from(hex_pair(line, i + 8)?) << 8 | u32::from(hex_pair(line, i + 10)?);
                if !(0xDC00..0xE000).contains(&lo) {
                    return None;
                }
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return Some((utf8(c, buf)?, 12));
            }
            Some((utf8(hi, buf)?, 6))
        }
        b'&' => {
            let semi = i + 1 + memchr::memchr(b';', line.get(i + 1..(i + 12).min(line.len()))?)?;
            let name = &line[i + 1..semi];
            let len = semi + 1 - i;
            if let Some(num) = name.strip_prefix(b"#") {
                let (digits, radix) = match num.first() {
                    Some(b'x' | b'X') => (&num[1..], 16),
                    _ => (num, 10),
                };
                if digits.is_empty() || digits.len() > 7 {
                    return None;
                }
                let s = std::str::from_utf8(digits).ok()?;
                let c = u32::from_str_radix(s, radix).ok()?;
                return Some((utf8(c, buf)?, len));
            }
            let (_, text) = ENTITIES.iter().find(|(n, _)| *n == name)?;
            let t = text.as_bytes();
            buf[..t.len()].copy_from_slice(t);
            Some((&buf[..t.len()], len))
        }
        _ => None,
    }
}

/// Does `line` hold an escape this module decodes? Cheap: looks at escape bytes only.
pub fn has_escape(line: &[u8]) -> bool {
    let mut buf = [0u8; 4];
    memchr::memchr3_iter(b'%', b'&', b'\\', line)
        .any(|i| escape_at(line, i, false, &mut buf).is_some())
        || memchr::memchr_iter(b'=', line).any(|i| escape_at(line, i, false, &mut buf).is_some())
}

/// Decodes one line; `None` when it holds no escape.
pub fn decode(line: &[u8]) -> Option<Decoded> {
    if !has_escape(line) {
        return None;
    }
    let mut out = Decoded {
        bytes: Vec::with_capacity(line.len()),
        from: Vec::with_capacity(line.len()),
        to: Vec::with_capacity(line.len()),
    };
    let mut buf = [0u8; 4];
    // `+` is a space only in a query value: after `?` and `=` in the same token, before `&`.
    let (mut in_query, mut in_value) = (false, false);
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        match b {
            b' ' | b'\t' | b'"' | b'\'' | b'<' | b'>' => {
                in_query = false;
                in_value = false;
            }
            b'?' => in_query = true,
            b'=' if in_query => in_value = true,
            b'&' if in_query => in_value = false,
            _ => {}
        }
        if let Some((bytes, len)) = escape_at(line, i, in_value, &mut buf) {
            out.push(bytes, i, i + len);
            i += len;
        } else {
            out.push(&[b], i, i + 1);
            i += 1;
        }
    }
    Some(out)
}

/// The decoded text of a span that holds escapes (for transforms, so that `jan%40telenet.be`
/// is pseudonymised as `jan@telenet.be`); `None` when it holds none.
pub fn decode_value(value: &[u8]) -> Option<String> {
    let d = decode(value)?;
    Some(String::from_utf8_lossy(&d.bytes).into_owned())
}

/// Writes a replacement in the encoding of the original span: percent-encoded when the
/// original was, so a pseudonym in a URL stays a valid URL.
pub fn encode_like(original: &[u8], replacement: &str) -> String {
    let percent = original
        .windows(3)
        .any(|w| w[0] == b'%' && hex(w[1]).is_some() && hex(w[2]).is_some());
    if !percent {
        return replacement.to_string();
    }
    let mut out = String::with_capacity(replacement.len() + 8);
    for b in replacement.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Does the region `hay[from..limit]` (with its lines) need the decoding pass?
pub fn needs_decoding(hay: &[u8]) -> bool {
    has_escape(hay)
}

/// Scans `hay[from..]` like [`Engine::scan_hinted`], and also every line with an escape in
/// decoded form. Hits come out in order of their original start; where a decoded hit and a
/// plain hit overlap, the one covering more original bytes wins.
pub(super) fn scan_decoding(
    engine: &Engine<'_>,
    scratch: &mut Scratch,
    hay: &[u8],
    from: usize,
    limit: usize,
    hint: Option<usize>,
    on_hit: impl FnMut(Hit),
) -> usize {
    let mut hits: Vec<Hit> = Vec::new();
    let mut resume = engine.scan_plain(scratch, hay, from, limit, hint, |h| hits.push(h));
    let mut decoded_hits: Vec<Hit> = Vec::new();
    let mut line_start = memchr::memrchr(b'\n', &hay[..from]).map_or(0, |i| i + 1);
    while line_start < limit && line_start < hay.len() {
        let line_end =
            memchr::memchr(b'\n', &hay[line_start..]).map_or(hay.len(), |i| line_start + i);
        let line = &hay[line_start..line_end];
        if let Some(d) = decode(line) {
            let n = d.bytes.len();
            engine.scan_plain(scratch, &d.bytes, 0, n, hint, |h| {
                if !d.changed(line, h.start, h.end) {
                    return;
                }
                let (s, e) = d.original(h.start, h.end);
                let (s, e) = (line_start + s, line_start + e);
                if s >= from && s < limit {
                    decoded_hits.push(Hit {
                        start: s,
                        end: e,
                        ..h
                    });
                }
            });
        }
        line_start = line_end + 1;
    }
    if decoded_hits.is_empty() {
        hits.into_iter().for_each(on_hit);
        return resume;
    }
    // Merge: a plain hit inside a wider decoded one goes; a decoded one inside a plain one too.
    let wider = |a: &Hit, b: &Hit| (a.end - a.start) > (b.end - b.start);
    let overlaps = |a: &Hit, b: &Hit| a.start < b.end && b.start < a.end;
    let mut keep_plain = vec![true; hits.len()];
    let mut merged: Vec<Hit> = Vec::with_capacity(hits.len() + decoded_hits.len());
    for dh in decoded_hits {
        let mut beaten = false;
        for (i, p) in hits.iter().enumerate() {
            if keep_plain[i] && overlaps(p, &dh) {
                if wider(&dh, p) {
                    keep_plain[i] = false;
                } else {
                    beaten = true;
                }
            }
        }
        if !beaten && !merged.iter().any(|m| overlaps(m, &dh)) {
            resume = resume.max(dh.end);
            merged.push(dh);
        }
    }
    merged.extend(
        hits.into_iter()
            .zip(keep_plain)
            .filter_map(|(h, k)| k.then_some(h)),
    );
    merged.sort_by_key(|h| (h.start, h.end));
    merged.into_iter().for_each(on_hit);
    resume
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> String {
        String::from_utf8(decode(s.as_bytes()).map(|d| d.bytes).unwrap_or_default()).unwrap()
    }

    #[test]
    fn each_encoding_decodes() {
        assert_eq!(
            dec("?email=jan%40telenet.be&x=1"),
            "?email=jan@telenet.be&x=1"
        );
        assert_eq!(dec("/s?q=Jan+de+Vries%2C"), "/s?q=Jan de Vries,");
        assert_eq!(
            dec("jan&#64;x.nl jan&#x40;x.nl jan&commat;x.nl"),
            "jan@x.nl jan@x.nl jan@x.nl"
        );
        assert_eq!(dec(r#"{"e":"jan\u0040x.nl"}"#), r#"{"e":"jan@x.nl"}"#);
        assert_eq!(dec("Aan: jan=40telenet.be"), "Aan: jan@telenet.be");
        assert_eq!(dec(r"\uD83D\uDE00 ok"), "\u{1F600} ok");
        // A plus outside a query value stays.
        assert_eq!(dec("jan+news%40x.nl"), "jan+news@x.nl");
        assert!(decode(b"plain text, width=40px? no: lower-case =4a").is_some());
        assert!(decode(b"nothing here & nothing = there").is_none());
    }

    #[test]
    fn spans_map_back_to_the_original_bytes() {
        let line = b"?e=jan%40telenet.be&t=1";
        let d = decode(line).unwrap();
        let at = d.bytes.iter().position(|&b| b == b'@').unwrap();
        assert_eq!(d.original(at, at + 1), (6, 9));
        let start = 3;
        let end = d.bytes.iter().position(|&b| b == b'&').unwrap();
        assert_eq!(d.original(start, end), (3, 19));
        assert_eq!(&line[3..19], b"jan%40telenet.be");
    }

    #[test]
    fn replacements_keep_the_encoding() {
        assert_eq!(encode_like(b"jan%40x.nl", "a@b.nl"), "a%40b.nl");
        assert_eq!(encode_like(b"jan&#64;x.nl", "a@b.nl"), "a@b.nl");
        assert_eq!(decode_value(b"jan%40x.nl").as_deref(), Some("jan@x.nl"));
        assert_eq!(decode_value(b"jan@x.nl"), None);
    }
}
