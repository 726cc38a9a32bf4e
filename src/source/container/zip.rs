//! ZIP archives (and JAR, APK, EPUB and the other ZIP-based files) through the `zip` crate:
//! every file member in central-directory order, read through a [`Guard`]. Encrypted members
//! and members of a compression method the build does not read are named as not scanned.

use super::{clean_name, Budget, Guard, LimitHit, Visitor};
use std::io::{self, Read, Seek};

/// Why a ZIP archive could not be read at all.
fn broken(e: ::zip::result::ZipError) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("not a readable ZIP archive: {e}"),
    )
}

/// Reads every member of the archive in `reader`, handing files to `visitor`.
///
/// # Errors
/// The archive's directory cannot be read (a truncated or corrupt archive), or a limit was hit
/// (an error holding a [`LimitHit`]): members after it were not read.
pub fn walk<R: Read + Seek>(
    reader: R,
    budget: &Budget,
    visitor: &mut dyn Visitor,
) -> io::Result<()> {
    let mut archive = ::zip::ZipArchive::new(reader).map_err(broken)?;
    for i in 0..archive.len() {
        let (name, encrypted, is_file, stored) = {
            let raw = archive.by_index_raw(i).map_err(broken)?;
            (
                clean_name(raw.name()),
                raw.encrypted(),
                raw.is_file() && !raw.is_symlink(),
                raw.compressed_size(),
            )
        };
        if !is_file {
            continue;
        }
        budget.entry().map_err(io::Error::other)?;
        if encrypted {
            visitor.not_scanned(&name, "encrypted; not scanned".into());
            continue;
        }
        match archive.by_index(i) {
            Ok(file) => {
                let mut guarded = Guard::new(file, budget, Some(stored));
                visitor.member(&name, &mut guarded, Some(stored));
            }
            Err(::zip::result::ZipError::UnsupportedArchive(why)) => {
                visitor.not_scanned(&name, format!("{why}; not scanned"));
            }
            Err(e) => visitor.not_scanned(&name, format!("cannot be read: {e}; not scanned")),
        }
        if budget.expanded() > budget.limits.max_total {
            return Err(io::Error::other(LimitHit(format!(
                "the archive expanded past {} bytes (--archive-max-size); members after {name} were not scanned",
                budget.limits.max_total
            ))));
        }
    }
    Ok(())
}

/// The text of every member whose name `wanted` accepts, in archive order, each at most
/// `limit` bytes, for documents built of XML parts. Members that are not wanted are not read.
///
/// # Errors
/// The archive cannot be read, or a wanted part is encrypted or broken.
pub fn parts<R: Read + Seek>(
    reader: R,
    budget: &Budget,
    wanted: &dyn Fn(&str) -> bool,
) -> io::Result<Vec<(String, Vec<u8>)>> {
    let mut archive = ::zip::ZipArchive::new(reader).map_err(broken)?;
    let mut names: Vec<(usize, String)> = Vec::new();
    for i in 0..archive.len() {
        let raw = archive.by_index_raw(i).map_err(broken)?;
        if raw.is_file() && wanted(raw.name()) {
            if raw.encrypted() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("the part {} is encrypted", clean_name(raw.name())),
                ));
            }
            names.push((i, raw.name().to_string()));
        }
    }
    let mut out = Vec::with_capacity(names.len());
    for (i, name) in names {
        budget.entry().map_err(io::Error::other)?;
        let file = archive.by_index(i).map_err(broken)?;
        let stored = file.compressed_size();
        let mut bytes = Vec::new();
        Guard::new(file, budget, Some(stored)).read_to_end(&mut bytes)?;
        out.push((name, bytes));
    }
    Ok(out)
}
