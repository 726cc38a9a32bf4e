//! Cutting the inputs into units of work: whole inputs, or regions of one large UTF-8 file
//! so that every core works inside it.

use crate::source::decode::Encoding;
use crate::source::sniff::{sniff, Sniffed, SNIFF_LEN};
use crate::source::walk::Entry;
use std::os::unix::fs::FileExt;

/// One unit of work.
#[derive(Debug, Clone)]
pub(super) enum Unit {
    /// A whole input.
    Whole { entry: usize },
    /// Region `index` of `count` of a large UTF-8 file: raw bytes `[start, end)`.
    Region {
        entry: usize,
        index: usize,
        count: usize,
        start: u64,
        end: u64,
    },
}

impl Unit {
    pub(super) fn entry(&self) -> usize {
        match self {
            Unit::Whole { entry } | Unit::Region { entry, .. } => *entry,
        }
    }
}

/// Splits a large plain UTF-8 file at line starts near each multiple of `segment`.
pub(super) fn plan_regions(
    path: &std::path::Path,
    size: u64,
    segment: u64,
) -> Option<Vec<(u64, u64)>> {
    if segment == 0
        || size < 2 * segment
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
    {
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    let mut head = vec![0u8; SNIFF_LEN.min(size as usize)];
    file.read_exact_at(&mut head, 0).ok()?;
    if crate::source::input::codec(&head).is_some() {
        return None;
    }
    if crate::source::table::detect(path, &head).is_some() {
        return None;
    }
    // A mailbox or markup file is read by its reader, in one piece.
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if crate::source::input::container(&name, &head).is_some() {
        return None;
    }
    let bom = match sniff(&head) {
        Sniffed::Text {
            encoding: Encoding::Utf8,
            bom,
        } => bom as u64,
        _ => return None,
    };
    let mut cuts = vec![bom];
    let mut probe = vec![0u8; 64 * 1024];
    let mut nominal = segment;
    while nominal < size.saturating_sub(segment / 2) {
        let n = file.read_at(&mut probe, nominal).ok()?;
        let window = &probe[..n];
        // Cut after a newline; in one long line, after a byte no pattern contains (so no
        // match straddles the cut); failing both, on a character boundary.
        let cut = match memchr::memchr(b'\n', window) {
            Some(i) => nominal + i as u64 + 1,
            None => match window
                .iter()
                .position(|b| matches!(b, b'"' | b'}' | b']' | b'>' | b';' | b'\t'))
            {
                Some(i) => nominal + i as u64 + 1,
                None => nominal + window.iter().position(|&b| b & 0xC0 != 0x80).unwrap_or(0) as u64,
            },
        };
        if cut > *cuts.last().unwrap_or(&0) && cut < size {
            cuts.push(cut);
        }
        nominal += segment;
    }
    cuts.push(size);
    if cuts.len() < 3 {
        return None;
    }
    Some(cuts.windows(2).map(|w| (w[0], w[1])).collect())
}

pub(super) fn plan(entries: &[Entry], segment: u64) -> Vec<Unit> {
    let mut units = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        match e {
            Entry::File { path, size } => match plan_regions(path, *size, segment) {
                Some(regions) => {
                    let count = regions.len();
                    for (index, (start, end)) in regions.into_iter().enumerate() {
                        units.push(Unit::Region {
                            entry: i,
                            index,
                            count,
                            start,
                            end,
                        });
                    }
                }
                None => units.push(Unit::Whole { entry: i }),
            },
            _ => units.push(Unit::Whole { entry: i }),
        }
    }
    units
}
