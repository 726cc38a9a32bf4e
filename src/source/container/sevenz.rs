//! 7z archives through the `sevenz-rust2` crate (pure Rust; LZMA, LZMA2, PPMd, BZip2 and
//! Deflate), read block by block: a block is one compressed stream holding one member, or
//! many in a solid archive, whose members can only be reached in order. Every member goes
//! to the visitor through a [`Guard`]; what cannot be read is named, never passed over:
//! an encrypted block's members, the members after one that hit a limit in the same solid
//! block, and the members of a block that is damaged or packed with a method not read here.

use super::{clean_name, Budget, Guard, LimitHit, Visitor};
use sevenz_rust2::{Archive, ArchiveEntry, BlockDecoder, Error as SevenZError, Password};
use std::io::{self, Read, Seek};

/// The memory one decoder's dictionary may take, in KiB (256 MiB: 7-Zip's "ultra" level
/// uses 64 MiB). An archive asking for more is named as not scanned, so that its header
/// cannot make the scan allocate what it likes.
const MEMORY_LIMIT_KB: usize = 256 * 1024;

/// The memory the archive's header (its list of files) may take, in KiB: 8 MiB holds the list
/// of some 80,000 files, and keeps a hostile header from making the crate allocate an entry
/// for each of hundreds of millions of declared files.
const HEADER_LIMIT_KB: usize = 8 * 1024;

/// Why a 7z archive could not be read at all.
fn broken(e: &SevenZError) -> io::Error {
    let why = match e {
        SevenZError::PasswordRequired | SevenZError::MaybeBadPassword(_) => {
            "its list of files is encrypted; not scanned".to_string()
        }
        SevenZError::UnsupportedCompressionMethod(m) if m.contains("AES") => {
            "its list of files is encrypted; not scanned".to_string()
        }
        other => format!("not a readable 7z archive: {other}"),
    };
    io::Error::new(io::ErrorKind::InvalidData, why)
}

/// Whether `entry` is a file whose bytes the scan reads.
fn is_member(entry: &ArchiveEntry) -> bool {
    !entry.is_directory && !entry.is_anti_item
}

/// Why a block's members could not be read.
fn unreadable(e: &SevenZError) -> String {
    match e {
        SevenZError::PasswordRequired | SevenZError::MaybeBadPassword(_) => {
            "encrypted; not scanned".into()
        }
        SevenZError::UnsupportedCompressionMethod(m) => {
            format!("packed with the method {m}, which piiscan does not read; not scanned")
        }
        SevenZError::MaxMemLimited { actaul_kb, .. } => format!(
            "needs {} MiB of memory to unpack, more than the {} MiB piiscan allows; not scanned",
            actaul_kb / 1024,
            MEMORY_LIMIT_KB / 1024
        ),
        other => format!("cannot be read: {other}; not scanned"),
    }
}

/// Reads every member of the 7z archive in `reader`, handing files to `visitor`.
///
/// # Errors
/// The archive's header cannot be read (truncated, corrupt, or encrypted), or a limit on the
/// total or the number of members was hit (an error holding a [`LimitHit`]): members after
/// it were not read.
pub fn walk<R: Read + Seek>(
    mut reader: R,
    budget: &Budget,
    visitor: &mut dyn Visitor,
) -> io::Result<()> {
    let password = Password::empty();
    let archive = Archive::read_with_memory_limit(&mut reader, &password, HEADER_LIMIT_KB)
        .map_err(|e| broken(&e))?;
    if archive.files.len() as u64 > budget.limits.max_entries {
        return Err(io::Error::other(LimitHit(format!(
            "{} members, more than {} (--archive-max-entries); not scanned",
            archive.files.len(),
            budget.limits.max_entries
        ))));
    }
    // Members without data (empty files) belong to no block.
    for (index, entry) in archive.files.iter().enumerate() {
        let in_block = archive
            .stream_map
            .file_block_index
            .get(index)
            .copied()
            .flatten();
        if is_member(entry) && in_block.is_none() {
            budget.entry().map_err(io::Error::other)?;
            visitor.member(&clean_name(entry.name()), &mut io::empty(), Some(0));
        }
    }
    for block in 0..archive.blocks.len() {
        let decoder = BlockDecoder::new_with_memory_limit(
            1,
            MEMORY_LIMIT_KB,
            block,
            &archive,
            &password,
            &mut reader,
        );
        let names: Vec<String> = decoder
            .entries()
            .iter()
            .filter(|e| is_member(e) && e.has_stream)
            .map(|e| clean_name(e.name()))
            .collect();
        let encrypted = archive
            .stream_map
            .block_first_file_index
            .get(block)
            .is_some_and(|&first| archive.is_file_encrypted(first));
        if encrypted {
            for name in names {
                budget.entry().map_err(io::Error::other)?;
                visitor.not_scanned(&name, "encrypted; not scanned".into());
            }
            continue;
        }
        // The block's packed size stands for each of its members in the ratio check.
        let stored = decoder
            .entries()
            .iter()
            .find(|e| e.has_stream)
            .map(|e| e.compressed_size)
            .filter(|&n| n > 0);
        let mut read = 0usize;
        let mut stop: Option<io::Error> = None;
        let mut cut_after: Option<String> = None;
        let outcome = decoder.for_each_entries(&mut |entry: &ArchiveEntry, data: &mut dyn Read| {
            if !(is_member(entry) && entry.has_stream) {
                return Ok(true);
            }
            if let Err(limit) = budget.entry() {
                stop = Some(io::Error::other(limit));
                return Ok(false);
            }
            let name = clean_name(entry.name());
            let mut guarded = Guard::new(data, budget, stored);
            visitor.member(&name, &mut guarded, stored);
            read += 1;
            // A member the visitor stopped reading early (binary, a format not read) is
            // drained here, through the guard: the crate would otherwise decode the rest
            // without the limits to reach the next member.
            if !guarded.tripped() {
                let _ = io::copy(&mut guarded, &mut io::sink());
            }
            if budget.expanded() > budget.limits.max_total {
                stop = Some(io::Error::other(LimitHit(format!(
                    "the archive expanded past {} bytes (--archive-max-size); members after {name} were not scanned",
                    budget.limits.max_total
                ))));
                return Ok(false);
            }
            // The rest of a member that hit a limit is not decoded, so the members after it
            // in this block cannot be reached.
            if guarded.tripped() {
                cut_after = Some(name);
                return Ok(false);
            }
            Ok(true)
        });
        if let Some(stop) = stop {
            return Err(stop);
        }
        let why = match (&outcome, &cut_after) {
            (Err(e), _) => unreadable(e),
            (Ok(_), Some(name)) => {
                format!("packed in one solid block after {name}, which hit a limit; not scanned")
            }
            (Ok(_), None) => continue,
        };
        for name in names.into_iter().skip(read) {
            visitor.not_scanned(&name, why.clone());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::container::Limits;

    /// What the visitor was given.
    #[derive(Default)]
    struct Seen {
        read: Vec<(String, Vec<u8>)>,
        skipped: Vec<(String, String)>,
    }
    impl Visitor for Seen {
        fn member(&mut self, name: &str, reader: &mut dyn Read, _stored: Option<u64>) {
            let mut bytes = Vec::new();
            let _ = reader.read_to_end(&mut bytes);
            self.read.push((name.to_string(), bytes));
        }
        fn not_scanned(&mut self, name: &str, reason: String) {
            self.skipped.push((name.to_string(), reason));
        }
    }

    const SOLID: &[u8] = include_bytes!("../../../fixtures/containers/export.7z");
    const ENCRYPTED: &[u8] = include_bytes!("../../../fixtures/containers/encrypted.7z");
    const BOMB: &[u8] = include_bytes!("../../../fixtures/containers/bomb.7z");
    const HEADERS_ENCRYPTED: &[u8] =
        include_bytes!("../../../fixtures/containers/encrypted-names.7z");

    fn walked(bytes: &[u8], limits: Limits) -> (Seen, io::Result<()>) {
        let mut seen = Seen::default();
        let outcome = walk(io::Cursor::new(bytes), &Budget::new(limits), &mut seen);
        (seen, outcome)
    }

    #[test]
    fn every_member_of_a_solid_archive_is_read_in_order() {
        let (seen, outcome) = walked(SOLID, Limits::default());
        outcome.expect("readable");
        let names: Vec<&str> = seen.read.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["hr/klanten.csv", "logs/app.log"]);
        let csv = &seen.read[0].1;
        assert!(
            String::from_utf8_lossy(csv).contains("@"),
            "the CSV's bytes come through"
        );
        assert!(seen.skipped.is_empty(), "{:?}", seen.skipped);
    }

    #[test]
    fn encrypted_members_and_encrypted_headers_are_named() {
        let (seen, outcome) = walked(ENCRYPTED, Limits::default());
        outcome.expect("the file list is readable");
        let read: Vec<&str> = seen.read.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(read, ["open.txt"]);
        assert_eq!(seen.skipped.len(), 1);
        assert_eq!(seen.skipped[0].0, "secret.txt");
        assert!(
            seen.skipped[0].1.contains("encrypted"),
            "{:?}",
            seen.skipped
        );
        let (_, outcome) = walked(HEADERS_ENCRYPTED, Limits::default());
        let e = outcome.unwrap_err();
        assert!(e.to_string().contains("encrypted"), "{e}");
    }

    #[test]
    fn a_bomb_in_a_solid_block_names_the_members_after_it() {
        let (seen, outcome) = walked(BOMB, Limits::default());
        outcome.expect("the ratio limit stops one member, not the archive");
        assert_eq!(seen.read.len(), 1, "the bomb was given to the visitor");
        assert_eq!(seen.skipped.len(), 1, "{:?}", seen.skipped);
        let (name, why) = &seen.skipped[0];
        assert_eq!(name, "b-after.log");
        assert!(
            why.contains("after a-spaces.log, which hit a limit"),
            "{why}"
        );
    }

    #[test]
    fn a_limit_on_the_total_stops_the_archive() {
        let limits = Limits {
            max_total: 64,
            ..Limits::default()
        };
        let (seen, outcome) = walked(SOLID, limits);
        // The total is shared: hitting it stops the archive with the limit's message.
        let e = outcome.unwrap_err();
        assert!(super::super::limit_hit(&e).is_some(), "{e}");
        assert!(seen.read.len() < 3);
    }

    #[test]
    fn broken_archives_are_errors_not_panics() {
        for cut in [0, 6, 32, SOLID.len() / 2, SOLID.len() - 1] {
            let mut seen = Seen::default();
            let _ = walk(
                io::Cursor::new(&SOLID[..cut]),
                &Budget::new(Limits::default()),
                &mut seen,
            );
        }
        let mut flipped = SOLID.to_vec();
        let mid = flipped.len() / 3;
        flipped[mid] ^= 0x55;
        let (seen, outcome) = walked(&flipped, Limits::default());
        assert!(
            outcome.is_err() || !seen.skipped.is_empty() || !seen.read.is_empty(),
            "a damaged archive is named"
        );
    }
}
