//! Finding fingerprints: stable ids for baselines from which the value cannot be recovered.
//!
//! A fingerprint is HMAC-SHA256 under a secret key over the rule id, the path and the
//! normalised value ([`normalise`]: only a value's formatting is dropped, so only the same
//! value matches), cut to 128 bits. A plain hash would not
//! do: there are only 10^9 BSNs and 2^32 IPv4 addresses, so an unkeyed hash of one is found back
//! by trying them all. The key comes from `PIISCAN_FINGERPRINT_KEY` (share it, e.g. as a CI
//! secret, so baselines match across machines), else from a key file created once per user
//! (`$XDG_DATA_HOME/piiscan/fingerprint.key`, mode 0600; an empty or relative `XDG_DATA_HOME` is
//! ignored, as the XDG specification says). Keys shorter than 128 bits are refused. The key is
//! never printed.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::{Path, PathBuf};

/// How values of a category are compared (baselines and allowlists).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Numbers and codes whose spaces and separators are formatting (a BSN, an IBAN, a phone
    /// number, a postcode, a VAT or passport number): those are dropped, ASCII letters
    /// lower-cased; the order of letters and digits is kept.
    Identifier,
    /// Everything else (an e-mail or IP address, a name, a date): case-folded, surrounding
    /// whitespace dropped and inner runs of whitespace made one space; dots, `@` and every
    /// other character are kept, so `jan.jansen@gmail.com` and `janjansen@gmail.com` differ.
    Text,
}

/// The kind of comparison for a category ([`ValueKind`]).
pub fn value_kind(category: &str) -> ValueKind {
    const IDENTIFIERS: [&str; 4] = [
        "user.government_id",
        "user.financial",
        "user.contact.phone_number",
        "user.contact.address.postal_code",
    ];
    if IDENTIFIERS.iter().any(|p| {
        category
            .strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    }) {
        ValueKind::Identifier
    } else {
        ValueKind::Text
    }
}

/// A value as baselines and allowlists compare it: by [`ValueKind`], so that two values are
/// equal only when they are the same value written differently.
pub fn normalise(kind: ValueKind, value: &str) -> String {
    match kind {
        // The common case without the three allocations of the general one (the same
        // result: ASCII has no letter whose lower case depends on its place in a word).
        ValueKind::Text if value.is_ascii() => {
            let mut out = String::with_capacity(value.len());
            for word in value.split_whitespace() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
            }
            out
        }
        ValueKind::Identifier => value
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '/' | '(' | ')'))
            .map(|c| c.to_ascii_lowercase())
            .collect(),
        ValueKind::Text => value
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase(),
    }
}

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

/// An environment variable holding an absolute path; empty or relative values are ignored,
/// as the XDG Base Directory specification says (a relative one would put the key in the
/// working directory, that is, in the scanned project).
fn absolute_env(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
}

/// Where the per-user key file lives: `$XDG_DATA_HOME/piiscan/fingerprint.key`, else
/// `$HOME/.local/share/piiscan/fingerprint.key`.
///
/// # Errors
/// Neither `XDG_DATA_HOME` nor `HOME` is an absolute path.
pub fn key_file() -> crate::Result<PathBuf> {
    let base = absolute_env("XDG_DATA_HOME")
        .or_else(|| absolute_env("HOME").map(|h| h.join(".local/share")))
        .ok_or_else(|| {
            crate::Error::Key(format!(
                "no place for the key file: neither XDG_DATA_HOME nor HOME is an absolute path; \
                 set {KEY_ENV} (at least 16 bytes, e.g. from `openssl rand -hex 32`; share it as a \
                 CI secret so baselines match)"
            ))
        })?;
    Ok(base.join("piiscan").join("fingerprint.key"))
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

/// The refusal of a key file that holds too little: how to mend it, never the content.
fn check_file_key(path: &Path, text: &[u8]) -> crate::Result<()> {
    crate::anonymise::keys::check_material(text, &path.display().to_string()).map_err(|e| {
        crate::Error::Key(format!(
            "{e}. Delete the file to have a new key made (baselines written with the old one \
             no longer match), or set {KEY_ENV}"
        ))
    })
}

fn load_or_create(path: &Path) -> crate::Result<Vec<u8>> {
    let key_err = |e: std::io::Error| crate::Error::Key(format!("{}: {e}", path.display()));
    match std::fs::read(path) {
        Ok(text) => {
            check_file_key(path, &text)?;
            return Ok(text.trim_ascii().to_vec());
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(key_err(e)),
    }
    let key = hex(&random_key()?);
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| crate::Error::Key(format!("{}: {e}", dir.display())))?;
    // Written whole to a private temporary file, then linked in place unless another process
    // was first: a crash never leaves an empty or partial key file behind.
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(key_err)?;
    {
        use std::io::Write;
        tmp.write_all(key.as_bytes()).map_err(key_err)?;
        tmp.as_file().sync_all().map_err(key_err)?;
    }
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(key.into_bytes()),
        // Another process created it first: use theirs.
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read(path).map_err(key_err)?;
            check_file_key(path, &text)?;
            Ok(text.trim_ascii().to_vec())
        }
        Err(e) => Err(key_err(e.error)),
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

    /// The key from `PIISCAN_FINGERPRINT_KEY`, else from the per-user key file (created on
    /// first use, never in the working directory). Both must hold at least 16 bytes of key
    /// material (see [`crate::anonymise::keys::key_material`]).
    ///
    /// # Errors
    /// The variable is set but too short (or empty), the key file is too short (or empty) or
    /// cannot be read or made, or there is no absolute `XDG_DATA_HOME` or `HOME` to keep it in.
    /// Messages name where the key came from, never the key.
    pub fn from_environment() -> crate::Result<Fingerprinter> {
        if let Some(k) = std::env::var_os(KEY_ENV) {
            let bytes = k.as_encoded_bytes();
            crate::anonymise::keys::check_material(bytes, KEY_ENV)
                .map_err(|e| crate::Error::Key(e.to_string()))?;
            return Ok(Fingerprinter::with_key(bytes, KEY_ENV));
        }
        let path = key_file()?;
        let key = load_or_create(&path)?;
        Ok(Fingerprinter::with_key(&key, &path.display().to_string()))
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

    /// The fingerprint of a value of a category, from a state made by
    /// [`Fingerprinter::prefix`]; the value is normalised by [`normalise`].
    pub fn fingerprint_from(prefix: &Hmac<Sha256>, category: &str, value: &str) -> String {
        let mut mac = prefix.clone();
        mac.update(normalise(value_kind(category), value).as_bytes());
        hex(&mac.finalize().into_bytes()[..16])
    }

    /// A short public id of the key (64 bits of an HMAC under it), so a baseline can say which
    /// key wrote it without revealing the key.
    pub fn key_id(&self) -> String {
        let mut mac = self.mac.clone();
        mac.update(b"piiscan-key-id-v1");
        hex(&mac.finalize().into_bytes()[..8])
    }

    /// The fingerprint of a value of `category` found by `rule` in `path`.
    pub fn fingerprint(&self, rule: &str, category: &str, path: &str, value: &str) -> String {
        Self::fingerprint_from(&self.prefix(rule, path), category, value)
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
        let bsn = "user.government_id.national_identification_number.nl_bsn";
        let f = a.fingerprint("nl.bsn", bsn, "x.txt", "111222333");
        assert_eq!(
            f,
            a.fingerprint("nl.bsn", bsn, "x.txt", "111.222.333"),
            "normalised"
        );
        assert_ne!(
            f,
            b.fingerprint("nl.bsn", bsn, "x.txt", "111222333"),
            "keyed"
        );
        assert_ne!(f, a.fingerprint("nl.bsn", bsn, "x.txt", "123456782"));
        let plain = hex(&Sha256::digest(b"111222333"));
        assert!(!plain.contains(&f));
    }

    /// The ASCII fast path of [`normalise`] gives what the general one gives (fingerprints
    /// in a stored baseline must not change), whitespace of every kind included.
    #[test]
    fn ascii_text_normalises_as_the_general_path_does() {
        let general = |v: &str| {
            v.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        };
        for v in [
            "Jan  de\tVries",
            " JAN\x0bJANSEN\x0c ",
            "a\r\nB",
            "",
            "   ",
            "Mixed.Case@Example.NL",
        ] {
            assert_eq!(normalise(ValueKind::Text, v), general(v), "{v:?}");
        }
        assert_eq!(value_kind("user.financial"), ValueKind::Identifier);
        assert_eq!(
            value_kind("user.financial.bank_account"),
            ValueKind::Identifier
        );
        assert_eq!(value_kind("user.financially"), ValueKind::Text);
        assert_eq!(value_kind("user.name"), ValueKind::Text);
    }

    #[test]
    fn only_the_same_value_written_differently_normalises_alike() {
        let email = "user.contact.email";
        let same = |cat: &str, a: &str, b: &str| {
            normalise(value_kind(cat), a) == normalise(value_kind(cat), b)
        };
        assert!(same(
            email,
            "Jan.Jansen@Gmail.com",
            " jan.jansen@gmail.com "
        ));
        for other in [
            "jan.jansen@gmailc.om",
            "janjansen@gmail.com",
            "jan.jansen@gmail.co.m",
            "jan-jansen@gmail.com",
            "nal.jansen@gmail.com",
        ] {
            assert!(!same(email, "jan.jansen@gmail.com", other), "{other}");
        }
        let ip = "user.device.ip_address";
        assert!(!same(ip, "1.22.3.4", "12.2.3.4"));
        assert!(!same(ip, "10.0.0.1", "100.0.1"));
        let bsn = "user.government_id.national_identification_number.nl_bsn";
        assert!(same(bsn, "111222333", "111.222.333"));
        assert!(same(bsn, "111222333", "111 222 333"));
        assert!(!same(bsn, "111222333", "111223233"));
        let iban = "user.financial.bank_account";
        assert!(same(iban, "NL91 ABNA 0417 1643 00", "nl91abna0417164300"));
        let postcode = "user.contact.address.postal_code";
        assert!(same(postcode, "1234 AB", "1234ab"));
        assert!(same("user.name", "Jan  Jansen", "jan jansen"));
        assert!(!same("user.name", "Jan Jansen", "JanJansen"));
        let a = Fingerprinter::with_key(b"k1-k1-k1-k1-k1-k1", "test");
        assert_ne!(
            a.fingerprint("email", email, "x", "jan.jansen@gmail.com"),
            a.fingerprint("email", email, "x", "jan.jansen@gmailc.om")
        );
    }
}
