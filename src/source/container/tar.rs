//! tar archives through the `tar` crate, streamed member by member (a compressed tar is
//! decompressed on the fly): regular files go to the visitor, links and directories hold no
//! data of their own and are passed over.

use super::{clean_name, Budget, Guard, Visitor};
use std::io::{self, Read};

/// Reads every regular file of the tar stream `reader`, handing each to `visitor`.
///
/// # Errors
/// The stream is cut or a header is broken (the members before it were read), or a limit was
/// hit (an error holding a [`super::LimitHit`]).
pub fn walk<R: Read>(reader: R, budget: &Budget, visitor: &mut dyn Visitor) -> io::Result<()> {
    let mut archive = ::tar::Archive::new(reader);
    let mut last = String::new();
    let entries = archive.entries()?;
    for entry in entries {
        let mut entry = entry.map_err(|e| after(&last, e))?;
        let kind = entry.header().entry_type();
        let name = clean_name(&String::from_utf8_lossy(&entry.path_bytes()));
        if !(kind.is_file() || kind == ::tar::EntryType::Continuous) {
            continue;
        }
        budget.entry().map_err(io::Error::other)?;
        {
            let mut guarded = Guard::new(&mut entry, budget, None);
            visitor.member(&name, &mut guarded, None);
        }
        // A member's reader may have stopped early (a limit, a binary file): the archive
        // skips the rest of it itself. A limit hit on the total stops the archive.
        if budget.expanded() > budget.limits.max_total {
            return Err(io::Error::other(super::LimitHit(format!(
                "the archive expanded past {} bytes (--archive-max-size); members after {name} were not scanned",
                budget.limits.max_total
            ))));
        }
        last = name;
    }
    Ok(())
}

fn after(last: &str, e: io::Error) -> io::Error {
    let at = if last.is_empty() {
        "at its start".to_string()
    } else {
        format!("after the member {last}")
    };
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("tar archive broken {at}: {e}"),
    )
}
