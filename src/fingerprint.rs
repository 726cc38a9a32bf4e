//! Finding fingerprints: stable ids for baselines from which the value cannot be recovered.
//!
//! A fingerprint is HMAC-SHA256 under a secret key over the rule id, the path and the
//! normalised value (letters and digits, lower-cased), cut to 128 bits. A plain hash would not
//! do: there are only 10^9 BSNs and 2^32 IPv4 addresses, so an unkeyed hash of one is found back
//! by trying them all. The key comes from `PIISCAN_FINGERPRINT_KEY` (share it, e.g. as a CI
//! secret, so baselines match across machines), else from a key file created once per user
//! (`$XDG_DATA_HOME/piiscan/fingerprint.key`, mode 0600). The key is never printed.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::PathBuf;

/// The environment variable that holds a shared fingerprint key.
pub const KEY_ENV: &str = "PIISCAN_FINGERPRINT_KEY";

/// Computes fingerprints under one key.
#[derive(Clone)]
pub struct Fingerprinter {
    mac: Hmac<Sha256>,
    /// Where the key came from (for messages; never the key itself).
    pub source: String,
}

impl std::fmt::Debug for Fingerprinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fingerprinter")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

fn key_file() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(base.join("piiscan").join("fingerprint.key"))
}

fn random_key() -> crate::Result<Vec<u8>> {
    let mut key = vec![0u8; 32];
    getrandom::getrandom(&mut key)
        .map_err(|e| crate::Error::Key(format!("no random source: {e}")))?;
    Ok(key)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

fn load_or_create(path: &PathBuf) -> crate::Result<Vec<u8>> {
    if let Ok(text) = std::fs::read_to_string(path) {
        let t = text.trim();
        if !t.is_empty() {
            return Ok(t.as_bytes().to_vec());
        }
    }
    let key = hex(&random_key()?);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| crate::Error::Key(format!("{}: {e}", dir.display())))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(mut f) => {
            use std::io::Write;
            f.write_all(key.as_bytes())
                .map_err(|e| crate::Error::Key(format!("{}: {e}", path.display())))?;
            Ok(key.into_bytes())
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::read_to_string(path)
            .map(|t| t.trim().as_bytes().to_vec())
            .map_err(|e| crate::Error::Key(format!("{}: {e}", path.display()))),
        Err(e) => Err(crate::Error::Key(format!("{}: {e}", path.display()))),
    }
}

impl Fingerprinter {
    /// A fingerprinter with an explicit key.
    pub fn with_key(key: &[u8], source: &str) -> Fingerprinter {
        // HMAC accepts keys of any length.
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        Fingerprinter {
            mac,
            source: source.to_string(),
        }
    }

    /// The key from the environment or the per-user key file (created on first use); if
    /// neither can be had, a random key for this run only (fingerprints then differ per run).
    pub fn from_environment() -> (Fingerprinter, Option<String>) {
        if let Some(k) = std::env::var_os(KEY_ENV).filter(|k| !k.is_empty()) {
            return (Fingerprinter::with_key(k.as_encoded_bytes(), KEY_ENV), None);
        }
        let warn;
        if let Some(path) = key_file() {
            match load_or_create(&path) {
                Ok(key) => {
                    return (
                        Fingerprinter::with_key(&key, &path.display().to_string()),
                        None,
                    )
                }
                Err(e) => warn = e.to_string(),
            }
        } else {
            warn = "no HOME or XDG_DATA_HOME".into();
        }
        let key = random_key().unwrap_or_else(|_| vec![0x5a; 32]);
        (
            Fingerprinter::with_key(&key, "random key for this run"),
            Some(format!(
                "{warn}; fingerprints are random for this run (set {KEY_ENV})"
            )),
        )
    }

    /// The keyed state after the rule and the path: compute it once per input and rule, then
    /// fingerprint many values with [`Fingerprinter::fingerprint_from`].
    pub fn prefix(&self, rule: &str, path: &str) -> Hmac<Sha256> {
        let mut mac = self.mac.clone();
        mac.update(b"piiscan-fingerprint-v1\0");
        mac.update(rule.as_bytes());
        mac.update(b"\0");
        mac.update(path.as_bytes());
        mac.update(b"\0");
        mac
    }

    /// The fingerprint of a value, from a state made by [`Fingerprinter::prefix`].
    pub fn fingerprint_from(prefix: &Hmac<Sha256>, value: &str) -> String {
        let mut mac = prefix.clone();
        // The normalised value: letters and digits, lower-cased (non-ASCII kept as is).
        let mut buf = [0u8; 128];
        let mut n = 0;
        for b in value
            .bytes()
            .filter(|b| !b.is_ascii() || b.is_ascii_alphanumeric())
        {
            if n == buf.len() {
                mac.update(&buf);
                n = 0;
            }
            buf[n] = b.to_ascii_lowercase();
            n += 1;
        }
        mac.update(&buf[..n]);
        hex(&mac.finalize().into_bytes()[..16])
    }

    /// A short public id of the key (64 bits of an HMAC under it), so a baseline can say which
    /// key wrote it without revealing the key.
    pub fn key_id(&self) -> String {
        let mut mac = self.mac.clone();
        mac.update(b"piiscan-key-id-v1");
        hex(&mac.finalize().into_bytes()[..8])
    }

    /// The fingerprint of a value found by `rule` in `path`.
    pub fn fingerprint(&self, rule: &str, path: &str, value: &str) -> String {
        Self::fingerprint_from(&self.prefix(rule, path), value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    #[test]
    fn fingerprints_are_keyed_stable_and_not_a_plain_hash() {
        let a = Fingerprinter::with_key(b"k1", "test");
        let b = Fingerprinter::with_key(b"k2", "test");
        let f = a.fingerprint("nl.bsn", "x.txt", "111222333");
        assert_eq!(
            f,
            a.fingerprint("nl.bsn", "x.txt", "111.222.333"),
            "normalised"
        );
        assert_ne!(f, b.fingerprint("nl.bsn", "x.txt", "111222333"), "keyed");
        assert_ne!(f, a.fingerprint("nl.bsn", "x.txt", "123456782"));
        let plain = hex(&Sha256::digest(b"111222333"));
        assert!(!plain.contains(&f));
    }
}
