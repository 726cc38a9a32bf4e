//! Containers: archives whose members are read as the files they are ([`zip`], [`tar`],
//! [`sevenz`]),
//! documents whose text is read ([`office`], [`pdf`], [`markup`] for HTML and XML), and mail:
//! messages whose text is read and whose attachments are files ([`mail`]), in mailboxes
//! ([`mbox`]). Everything read from a container passes through a
//! [`Guard`] that holds it to the [`Limits`], so that a decompression bomb stops with a message
//! instead of filling the disk, the memory or the hours.

pub mod mail;
pub mod markup;
pub mod mbox;
pub mod msg;
pub mod office;
pub mod pdf;
pub mod sevenz;
pub mod tar;
pub mod zip;

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};

/// Limits on what one input given to the scan may expand to, members of members included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes all members together may expand to.
    pub max_total: u64,
    /// Expanded bytes per stored byte a member may reach (checked once it passed
    /// [`RATIO_GRACE`] bytes, so that small well-compressed files are fine).
    pub max_ratio: u64,
    /// Containers inside containers: 1 reads the members of the input only.
    pub max_depth: u32,
    /// Members all containers of one input may have.
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_total: 4 << 30,
            max_ratio: 200,
            max_depth: 6,
            max_entries: 100_000,
        }
    }
}

/// The expanded bytes before the ratio limit is checked.
pub const RATIO_GRACE: u64 = 1 << 20;

/// A limit was hit: reading stopped here. Carried inside an [`io::Error`] so that every
/// reader stops at once; [`limit_hit`] finds it again.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct LimitHit(pub String);

/// The limit message inside an I/O error, if the error is one.
pub fn limit_hit(e: &io::Error) -> Option<&LimitHit> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<LimitHit>())
}

fn hit(message: String) -> io::Error {
    io::Error::other(LimitHit(message))
}

/// What one input has used of its [`Limits`] so far (shared by its containers at all depths).
#[derive(Debug, Default)]
pub struct Budget {
    /// The limits.
    pub limits: Limits,
    expanded: AtomicU64,
    entries: AtomicU64,
}

impl Budget {
    /// A fresh budget.
    pub fn new(limits: Limits) -> Self {
        Budget {
            limits,
            ..Budget::default()
        }
    }

    /// Counts one member; an error once there are more than the limit allows.
    ///
    /// # Errors
    /// The entry limit is reached.
    pub fn entry(&self) -> Result<(), LimitHit> {
        let n = self.entries.fetch_add(1, Ordering::Relaxed) + 1;
        if n > self.limits.max_entries {
            return Err(LimitHit(format!(
                "more than {} archive members (--archive-max-entries); the rest were not scanned",
                self.limits.max_entries
            )));
        }
        Ok(())
    }

    /// Bytes expanded so far.
    pub fn expanded(&self) -> u64 {
        self.expanded.load(Ordering::Relaxed)
    }
}

/// Holds a member's bytes to the [`Budget`]: the total, and the ratio to `stored` (the bytes
/// the member takes in its container; `None` when it is not compressed there).
pub struct Guard<'b, R> {
    inner: R,
    budget: &'b Budget,
    stored: Option<u64>,
    out: u64,
    count_total: bool,
    tripped: bool,
}

impl<'b, R: Read> Guard<'b, R> {
    /// A guard that counts towards the total and checks the ratio to `stored`.
    pub fn new(inner: R, budget: &'b Budget, stored: Option<u64>) -> Self {
        Guard {
            inner,
            budget,
            stored,
            out: 0,
            count_total: true,
            tripped: false,
        }
    }

    /// A guard on an intermediate stream (a compressed tar whose members are guarded
    /// themselves): it checks the ratio only, so bytes are not counted twice.
    pub fn ratio_only(inner: R, budget: &'b Budget, stored: u64) -> Self {
        Guard {
            count_total: false,
            ..Guard::new(inner, budget, Some(stored))
        }
    }

    /// Whether a limit stopped this reader (it returned a [`LimitHit`] error).
    pub fn tripped(&self) -> bool {
        self.tripped
    }
}

impl<R: Read> Read for Guard<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let n64 = n as u64;
        self.out += n64;
        if self.count_total {
            let total = self.budget.expanded.fetch_add(n64, Ordering::Relaxed) + n64;
            if total > self.budget.limits.max_total {
                self.tripped = true;
                return Err(hit(format!(
                    "the archive expanded past {} bytes (--archive-max-size); the rest was not scanned",
                    self.budget.limits.max_total
                )));
            }
        }
        if let Some(stored) = self.stored {
            let ratio = self.budget.limits.max_ratio;
            if self.out > RATIO_GRACE && self.out > stored.max(1).saturating_mul(ratio) {
                self.tripped = true;
                return Err(hit(format!(
                    "expanded more than {ratio} times its stored size of {stored} bytes \
                     (--archive-max-ratio), a likely decompression bomb; the rest was not scanned"
                )));
            }
        }
        Ok(n)
    }
}

/// A member name as shown: control characters and the container separator `!` made visible.
pub fn clean_name(raw: &str) -> String {
    raw.chars()
        .map(|c| match c {
            '!' => '\u{FF01}',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Receives the members of an archive, in archive order.
pub trait Visitor {
    /// A member to read as the file it is: its name inside the archive and its bytes
    /// (guarded). `stored` is its compressed size in the archive, when it has one.
    fn member(&mut self, name: &str, reader: &mut dyn Read, stored: Option<u64>);
    /// A member that is not read, and why (encrypted, an unsupported compression, ...).
    fn not_scanned(&mut self, name: &str, reason: String);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guard_stops_at_the_total_and_the_ratio() {
        let budget = Budget::new(Limits {
            max_total: 10,
            ..Limits::default()
        });
        let mut g = Guard::new(io::repeat(b'a').take(100), &budget, None);
        let mut out = Vec::new();
        let e = g.read_to_end(&mut out).unwrap_err();
        assert!(limit_hit(&e).unwrap().0.contains("--archive-max-size"));

        let budget = Budget::new(Limits::default());
        let mut g = Guard::new(io::repeat(0).take(3 << 20), &budget, Some(1000));
        let e = io::copy(&mut g, &mut io::sink()).unwrap_err();
        assert!(limit_hit(&e).unwrap().0.contains("--archive-max-ratio"));
        // Under the grace size, any ratio is fine.
        let mut g = Guard::new(io::repeat(0).take(1 << 20), &budget, Some(1));
        assert_eq!(io::copy(&mut g, &mut io::sink()).unwrap(), 1 << 20);
        // A ratio-only guard does not count towards the total.
        let before = budget.expanded();
        let mut g = Guard::ratio_only(io::repeat(0).take(500), &budget, 500);
        io::copy(&mut g, &mut io::sink()).unwrap();
        assert_eq!(budget.expanded(), before);
    }

    #[test]
    fn entries_are_counted() {
        let budget = Budget::new(Limits {
            max_entries: 2,
            ..Limits::default()
        });
        assert!(budget.entry().is_ok() && budget.entry().is_ok());
        assert!(budget
            .entry()
            .unwrap_err()
            .0
            .contains("--archive-max-entries"));
    }

    #[test]
    fn names_cannot_forge_a_location() {
        assert_eq!(clean_name("a!b\n.txt"), "a\u{FF01}b\u{FFFD}.txt");
    }
}

#[cfg(test)]
mod corrupt_input {
    use super::*;
    use proptest::prelude::*;

    /// Reads every member to its end, as the scan does.
    struct Drain(u64);
    impl Visitor for Drain {
        fn member(&mut self, _name: &str, reader: &mut dyn Read, _stored: Option<u64>) {
            self.0 += io::copy(reader, &mut io::sink()).unwrap_or(0);
        }
        fn not_scanned(&mut self, _name: &str, _reason: String) {}
    }

    const ZIP: &[u8] = include_bytes!("../../../fixtures/containers/export.zip");
    const TAR: &[u8] = include_bytes!("../../../fixtures/containers/export.tar");
    const SEVEN_Z: &[u8] = include_bytes!("../../../fixtures/containers/export.7z");

    fn mutate(base: &[u8], edits: &[(usize, u8)], cut: usize) -> Vec<u8> {
        let mut data = base.to_vec();
        for &(at, byte) in edits {
            let i = at % data.len();
            data[i] = byte;
        }
        data.truncate(cut % (data.len() + 1));
        data
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn zip_tar_and_7z_readers_never_panic(
            edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8),
            cut in any::<usize>(),
            noise in proptest::collection::vec(any::<u8>(), 0..2048),
        ) {
            let limits = Limits { max_total: 1 << 20, ..Limits::default() };
            for data in [
                mutate(ZIP, &edits, cut),
                mutate(TAR, &edits, cut),
                mutate(SEVEN_Z, &edits, cut),
                noise.clone(),
            ] {
                let budget = Budget::new(limits);
                let mut drain = Drain(0);
                let _ = zip::walk(io::Cursor::new(&data), &budget, &mut drain);
                let _ = tar::walk(io::Cursor::new(&data), &budget, &mut drain);
                let _ = sevenz::walk(io::Cursor::new(&data), &budget, &mut drain);
                prop_assert!(drain.0 <= 2 << 20);
            }
        }
    }
}
