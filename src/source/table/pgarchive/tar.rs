//! The members of a tar file (ustar, as pg_dump `-Ft` writes it): names, where their bytes
//! start and how long they are. Only headers are read; member contents are reached by
//! seeking, so nothing is held in memory.

use std::io::{self, Read, Seek, SeekFrom};

/// One member of a tar file.
#[derive(Debug, Clone)]
pub struct Member {
    /// The member's name (with its directory prefix, if any).
    pub name: String,
    /// Where its content starts.
    pub offset: u64,
    /// Its declared size in bytes.
    pub size: u64,
}

impl Member {
    /// The last part of the name (`dump/3352.dat` → `3352.dat`).
    pub fn base_name(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or(&self.name)
    }
}

fn bad(at: u64, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("tar header at byte {at}: {what}"),
    )
}

fn octal(field: &[u8], at: u64) -> io::Result<u64> {
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        // GNU base-256 for large sizes.
        let mut v: u64 = 0;
        for &b in field.iter().skip(1) {
            v = v
                .checked_mul(256)
                .and_then(|v| v.checked_add(u64::from(b)))
                .ok_or_else(|| bad(at, "size out of range"))?;
        }
        return Ok(v);
    }
    let text = field
        .iter()
        .take_while(|&&b| b != 0)
        .map(|&b| b as char)
        .collect::<String>();
    let text = text.trim();
    if text.is_empty() {
        return Ok(0);
    }
    u64::from_str_radix(text, 8).map_err(|_| bad(at, "bad octal number"))
}

fn c_string(field: &[u8]) -> String {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

/// Does this 512-byte block look like a ustar header (its checksum matches)?
pub fn is_header(block: &[u8]) -> bool {
    if block.len() < 512 || block.iter().all(|&b| b == 0) {
        return false;
    }
    let Ok(stored) = octal(&block[148..156], 0) else {
        return false;
    };
    let sum: u64 = block[..512]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u64::from(b)
            }
        })
        .sum();
    sum == stored
}

/// The name of the first member, if `head` starts with a tar header.
pub fn first_name(head: &[u8]) -> Option<String> {
    if !is_header(head) {
        return None;
    }
    Some(c_string(&head[..100]))
}

/// The regular-file members of a tar file, and a problem if its end is damaged (a member cut
/// short or a broken header): the members before it are returned.
///
/// # Errors
/// The file cannot be read.
pub fn members<F: Read + Seek>(
    file: &mut F,
    len: u64,
) -> io::Result<(Vec<Member>, Option<String>)> {
    let mut out = Vec::new();
    let mut at = 0u64;
    let mut block = [0u8; 512];
    let mut long_name: Option<String> = None;
    loop {
        if at + 512 > len {
            let problem = (at < len || out.is_empty())
                .then(|| format!("the tar file ends at byte {len}, inside a header (truncated)"));
            return Ok((out, problem));
        }
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(&mut block)?;
        if block.iter().all(|&b| b == 0) {
            return Ok((out, None));
        }
        if !is_header(&block) {
            return Ok((out, Some(format!("tar header at byte {at} is corrupt"))));
        }
        let size = octal(&block[124..136], at)?;
        let offset = at + 512;
        let kind = block[156];
        let mut name = c_string(&block[..100]);
        if &block[257..262] == b"ustar" {
            let prefix = c_string(&block[345..500]);
            if !prefix.is_empty() {
                name = format!("{prefix}/{name}");
            }
        }
        if let Some(long) = long_name.take() {
            name = long;
        }
        if offset.saturating_add(size) > len {
            out.push(Member {
                name: name.clone(),
                offset,
                size: len - offset,
            });
            return Ok((
                out,
                Some(format!(
                    "tar member {name} declares {size} bytes but the file ends at byte {len} \
                     (truncated)"
                )),
            ));
        }
        match kind {
            b'0' | 0 => out.push(Member { name, offset, size }),
            b'L' if size <= 64 * 1024 => {
                let mut buf = vec![0u8; size as usize];
                file.read_exact(&mut buf)?;
                long_name = Some(c_string(&buf));
            }
            _ => {}
        }
        at = offset + size.div_ceil(512) * 512;
    }
}
