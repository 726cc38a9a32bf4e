//! Scanning a stream chunk by chunk in bounded memory, whatever the length of its lines.
//!
//! The decoded text sits in one buffer; after each scan the buffer keeps only its tail: enough
//! bytes for a match that starts near the end ([`MAX_MATCH_LEN`]), for context words after it,
//! and for context words before the next match. Matches are reported once, by the round in
//! which they start before the limit.
//!
//! A stream may be a *region* of a file (for splitting one large file across threads): the
//! first `pre` raw bytes are context only, the next `own` raw bytes are the region whose
//! matches are reported, and reading goes on past it only to finish matches that start inside.
//! Offsets and line counts in the [`RegionResult`] are relative to the start of the region.

use super::engine::{Engine, Hit, Scratch};
use super::Found;
use crate::ruleset::compile::MAX_MATCH_LEN;
use crate::source::decode::Decoder;
use std::io::{self, Read};

/// Raw bytes read per round.
pub const CHUNK: usize = 256 * 1024;
/// Hits gathered before [`StreamScanner::run_flushing`] hands them on.
pub const FLUSH_HITS: usize = 4096;
/// Bytes kept at the end of the buffer: a whole match plus context after it.
const KEEP_AFTER: usize = 2 * MAX_MATCH_LEN;
/// Bytes kept before the scan position: context before the next match.
const KEEP_BEFORE: usize = MAX_MATCH_LEN;

/// One accepted match, relative to the region start.
#[derive(Debug, Clone)]
pub struct RegionHit {
    /// What was found.
    pub found: Found,
    /// Decoded offset of the value from the region start.
    pub start: u64,
    /// Decoded end offset.
    pub end: u64,
    /// Newlines between the region start and the value.
    pub newlines_before: u64,
    /// 1-based column of the value on its line, in characters, counted from the region start
    /// when the value is on the region's first line.
    pub column: u64,
    /// The line holds the inline suppression marker [`ALLOW_MARKER`].
    pub allowed_inline: bool,
}

/// The marker that suppresses findings on its line (`# piiscan:allow` in a comment).
pub const ALLOW_MARKER: &[u8] = b"piiscan:allow";

/// Counts lines and the column (in characters) while the scan position advances.
#[derive(Debug, Default)]
struct LineTracker {
    newlines: u64,
    /// Characters between the start of the current line and the position.
    line_chars: u64,
}

impl LineTracker {
    fn chars(seg: &[u8]) -> u64 {
        seg.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u64
    }

    /// Moves the position over `seg`.
    fn advance(&mut self, seg: &[u8]) {
        match memchr::memrchr(b'\n', seg) {
            Some(last) => {
                self.newlines += memchr::memchr_iter(b'\n', seg).count() as u64;
                self.line_chars = Self::chars(&seg[last + 1..]);
            }
            None => self.line_chars += Self::chars(seg),
        }
    }
}

/// Does the line around `hay[start..end]` hold [`ALLOW_MARKER`]? Looks at most
/// [`KEEP_BEFORE`] bytes before the value and [`KEEP_AFTER`] after it, which the buffer always
/// holds, so the answer does not depend on where chunks were cut.
pub(crate) fn allowed_inline(hay: &[u8], start: usize, end: usize) -> bool {
    // A region's context may start a few bytes late (on a character boundary): stay inside.
    let mut from = start.saturating_sub(KEEP_BEFORE - 8);
    if let Some(nl) = memchr::memrchr(b'\n', &hay[from..start]) {
        from += nl + 1;
    }
    let mut to = (end + KEEP_AFTER).min(hay.len());
    if let Some(nl) = memchr::memchr(b'\n', &hay[end..to]) {
        to = end + nl;
    }
    memchr::memmem::find(&hay[from..to], ALLOW_MARKER).is_some()
}

/// What scanning a region produced.
#[derive(Debug, Default)]
pub struct RegionResult {
    /// Accepted matches, by offset.
    pub hits: Vec<RegionHit>,
    /// Newlines inside the region.
    pub newlines: u64,
    /// Characters after the region's last newline (or in all of it, without one): a region
    /// may start inside a line, and the next region's columns continue from here.
    pub tail_chars: u64,
    /// Decoded length of the region.
    pub decoded_len: u64,
    /// Raw bytes of the region read.
    pub raw_len: u64,
    /// Offset (from the region start) of an invalid UTF-8 sequence, if one was found.
    pub invalid_utf8_at: Option<u64>,
    /// A read error that ended the region early (a broken gzip stream, an I/O error).
    pub error: Option<io::Error>,
}

/// Scans one stream or region.
#[derive(Debug)]
pub struct StreamScanner<'e> {
    engine: &'e Engine<'e>,
    inline_allow: bool,
}

impl<'e> StreamScanner<'e> {
    /// A scanner using `engine`.
    pub fn new(engine: &'e Engine<'e>) -> Self {
        StreamScanner {
            engine,
            inline_allow: true,
        }
    }

    /// Whether hits on a line with [`ALLOW_MARKER`] are flagged as allowed (default: yes).
    pub fn inline_allow(mut self, on: bool) -> Self {
        self.inline_allow = on;
        self
    }

    /// Scans `reader`: `pre` raw bytes of context, then `own` raw bytes (all if `None`).
    /// `on_progress` is told how many raw bytes were read, chunk by chunk. Every hit stays in
    /// [`RegionResult::hits`]; see [`StreamScanner::run_flushing`] for bounded memory.
    pub fn run(
        &self,
        scratch: &mut Scratch,
        reader: &mut dyn Read,
        decoder: Decoder,
        pre: u64,
        own: Option<u64>,
        on_progress: &mut dyn FnMut(u64),
    ) -> RegionResult {
        self.run_flushing(scratch, reader, decoder, pre, own, on_progress, &mut |_| {})
    }

    /// Like [`StreamScanner::run`], handing the hits found so far to `flush` whenever
    /// [`FLUSH_HITS`] of them are waiting (between chunks, in order): a `flush` that drains
    /// the vector keeps memory bounded however many findings the stream holds. Hits `flush`
    /// leaves in the vector stay in the result.
    #[allow(clippy::too_many_arguments)]
    pub fn run_flushing(
        &self,
        scratch: &mut Scratch,
        reader: &mut dyn Read,
        mut decoder: Decoder,
        pre: u64,
        own: Option<u64>,
        on_progress: &mut dyn FnMut(u64),
        flush: &mut dyn FnMut(&mut Vec<RegionHit>),
    ) -> RegionResult {
        let mut result = RegionResult::default();
        // The buffers live in the per-thread scratch and are reused from file to file.
        let (mut raw, mut buf) = scratch.take_stream_buffers();
        raw.clear();
        raw.resize(CHUNK + 8, 0);
        buf.clear();
        let mut raw_tail = 0usize; // undecoded bytes at the start of `raw`
        let mut raw_pos: u64 = 0; // raw bytes read so far
        buf.reserve(CHUNK * 2 + KEEP_AFTER + KEEP_BEFORE);
        let mut base: u64 = 0; // decoded offset of buf[0] from the stream start
        let mut report_from: Option<u64> = if pre == 0 { Some(0) } else { None };
        let mut report_to: Option<u64> = None;
        let mut scan_pos: u64 = 0;
        let mut counted_pos: u64 = 0;
        let mut lines = LineTracker::default();
        let own_end = own.map(|n| pre + n);
        let mut invalid_before = None;
        loop {
            // Read up to the next boundary (end of pre, end of own region) or a full chunk.
            let boundary = if raw_pos < pre {
                Some(pre)
            } else {
                own_end.filter(|&e| raw_pos < e)
            };
            let want = match boundary {
                Some(b) => ((b - raw_pos) as usize).min(CHUNK),
                None => CHUNK,
            };
            let n = loop {
                match reader.read(&mut raw[raw_tail..raw_tail + want]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        result.error = Some(e);
                        break 0;
                    }
                }
            };
            let eof = n == 0;
            raw_pos += n as u64;
            on_progress(n as u64);
            let avail = raw_tail + n;
            let used = decoder.feed(&raw[..avail], eof, &mut buf);
            raw.copy_within(used..avail, 0);
            raw_tail = avail - used;
            let end_abs = base + buf.len() as u64;
            if report_from.is_none() && (raw_pos >= pre || eof) {
                report_from = Some(end_abs);
                scan_pos = end_abs;
                counted_pos = end_abs;
                invalid_before = decoder.invalid_utf8_at();
            }
            if report_to.is_none() && own_end.is_some_and(|e| raw_pos >= e) {
                report_to = Some(end_abs);
            }
            let Some(from_abs) = report_from else {
                // Still in the context-only prefix: keep its tail.
                let cut = buf.len().saturating_sub(KEEP_BEFORE);
                buf.drain(..cut);
                base += cut as u64;
                if eof {
                    break;
                }
                continue;
            };
            let done = eof || report_to.is_some_and(|t| end_abs >= t + KEEP_AFTER as u64);
            let stop_abs = report_to.unwrap_or(u64::MAX);
            let limit_abs = if done {
                stop_abs.min(end_abs)
            } else {
                end_abs.saturating_sub(KEEP_AFTER as u64).min(stop_abs)
            };
            if limit_abs > scan_pos {
                let from = (scan_pos - base) as usize;
                let limit = (limit_abs - base) as usize;
                let hay = &buf[..];
                let hits = &mut result.hits;
                // Markers are rare: look for one per line only when the chunk holds one.
                let marker_near = self.inline_allow
                    && memchr::memmem::find(
                        &hay[from.saturating_sub(KEEP_BEFORE)..(limit + KEEP_AFTER).min(hay.len())],
                        ALLOW_MARKER,
                    )
                    .is_some();
                let resume = self.engine.scan(scratch, hay, from, limit, |hit: Hit| {
                    let s = base + hit.start as u64;
                    if s >= counted_pos {
                        let a = (counted_pos - base) as usize;
                        lines.advance(&hay[a..hit.start]);
                        counted_pos = s;
                    }
                    let value = String::from_utf8_lossy(&hay[hit.start..hit.end]).into_owned();
                    hits.push(RegionHit {
                        found: Found::new(hit.rule, value, hit.confidence, hit.explanation),
                        start: s - from_abs,
                        end: base + hit.end as u64 - from_abs,
                        newlines_before: lines.newlines,
                        column: lines.line_chars + 1,
                        allowed_inline: marker_near && allowed_inline(hay, hit.start, hit.end),
                    });
                });
                scan_pos = base + resume as u64;
                if result.hits.len() >= FLUSH_HITS {
                    flush(&mut result.hits);
                }
            }
            if done {
                let region_end = stop_abs.min(end_abs);
                if region_end > counted_pos {
                    let a = (counted_pos - base) as usize;
                    let b = (region_end - base) as usize;
                    lines.advance(&buf[a..b]);
                }
                result.decoded_len = region_end - from_abs;
                break;
            }
            // Drop what no later match or context can need; count its newlines first.
            let keep_from = scan_pos.saturating_sub(KEEP_BEFORE as u64).max(base);
            let cut = (keep_from - base) as usize;
            if cut > buf.len() / 2 {
                if keep_from > counted_pos {
                    let a = (counted_pos - base) as usize;
                    lines.advance(&buf[a..cut]);
                    counted_pos = keep_from;
                }
                buf.drain(..cut);
                base = keep_from;
            }
        }
        scratch.put_stream_buffers(raw, buf);
        result.newlines = lines.newlines;
        result.tail_chars = lines.line_chars;
        result.raw_len = raw_pos.saturating_sub(pre).min(own.unwrap_or(u64::MAX));
        let from_abs = report_from.unwrap_or(0);
        result.invalid_utf8_at = match (decoder.invalid_utf8_at(), invalid_before) {
            (Some(at), None) if at >= from_abs && at < from_abs + result.decoded_len => {
                Some(at - from_abs)
            }
            _ => None,
        };
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Confidence;
    use crate::ruleset::RuleSet;
    use crate::source::decode::Encoding;

    fn scan(text: &[u8]) -> Vec<(u64, u64, u64, String)> {
        let rules = RuleSet::builtin().unwrap();
        let engine = Engine::new(&rules, Confidence::Medium, false);
        let mut scratch = engine.scratch();
        let s = StreamScanner::new(&engine);
        let mut reader = text;
        let r = s.run(
            &mut scratch,
            &mut reader,
            Decoder::new(Encoding::Utf8),
            0,
            None,
            &mut |_| {},
        );
        r.hits
            .iter()
            .map(|h| (h.start, h.end, h.newlines_before, h.found.value.clone()))
            .collect()
    }

    #[test]
    fn matches_across_chunk_boundaries_are_found_once() {
        // Place an e-mail address across every offset near the chunk boundary.
        for shift in [0usize, 1, 5, 17, 100, 511] {
            let mut text = vec![b'x'; CHUNK - shift];
            text.extend_from_slice(b" jan.jansen@voorbeeld.nl \n");
            text.extend(std::iter::repeat_n(b'y', CHUNK));
            text.extend_from_slice(b"\npiet@voorbeeld.be end");
            let hits = scan(&text);
            assert_eq!(hits.len(), 2, "shift {shift}: {hits:?}");
            assert_eq!(hits[0].0 as usize, CHUNK - shift + 1);
            assert_eq!(hits[0].2, 0);
            assert_eq!(hits[1].2, 2);
        }
    }

    #[test]
    fn matches_longer_than_the_bound_are_dropped() {
        let long = format!("mail {}@voorbeeld.nl en kort@voorbeeld.nl", "a".repeat(600));
        let hits = scan(long.as_bytes());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].3, "kort@voorbeeld.nl");
    }

    #[test]
    fn a_very_long_line_is_scanned_in_bounded_memory() {
        let mut text = Vec::new();
        for i in 0..200_000 {
            text.extend_from_slice(format!("{{\"id\":{i},\"x\":\"abc\"}},").as_bytes());
        }
        text.extend_from_slice(b"{\"email\":\"klant@voorbeeld.nl\"}");
        let hits = scan(&text);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].3, "klant@voorbeeld.nl");
    }
}
