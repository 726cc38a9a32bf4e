//! Keys for pseudonymisation. The master key comes from a file (`--key-file`) or the
//! `PIISCAN_KEY` environment variable, never from an argument, and is never printed: outputs
//! name it by a key id (64 bits of an HMAC under it). Each method and label gets its own
//! subkey, derived with HKDF-SHA256, so a pseudonym of one column says nothing about another.
//! A method's `key_file` in the policy is used as written instead (hex text), so outputs can
//! be checked against other tools and reference vectors.

use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::Path;

/// The environment variable holding the master key.
pub const KEY_ENV: &str = "PIISCAN_KEY";

/// Key bytes; their `Debug` form hides them.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let t = text.trim();
    if t.len() % 2 != 0 || t.is_empty() {
        return None;
    }
    (0..t.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(t.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Reads a method's key file: hex text, whitespace trimmed, used as is.
///
/// # Errors
/// The file cannot be read or is not hex (the message never shows its content).
pub fn read_hex_key(path: &Path) -> crate::Result<Secret> {
    let text = std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?;
    parse_hex(&text).map(Secret).ok_or_else(|| {
        crate::Error::Usage(format!(
            "{}: a key file holds the key as hexadecimal text (e.g. 64 hex digits for 32 bytes)",
            path.display()
        ))
    })
}

/// The master key, and where it came from (for messages).
#[derive(Debug, Clone)]
pub struct MasterKey {
    secret: Secret,
    /// `--key-file PATH` or `PIISCAN_KEY`.
    pub source: String,
}

impl MasterKey {
    /// Reads the master key from `key_file`, else from `PIISCAN_KEY`; `None` when neither is
    /// set. The text is taken as hex when it is (at least 32 bytes), else as raw bytes, and
    /// must give at least 16 bytes.
    ///
    /// # Errors
    /// The file cannot be read or the key is too short.
    pub fn load(key_file: Option<&Path>) -> crate::Result<Option<MasterKey>> {
        let (text, source) = match key_file {
            Some(p) => (
                std::fs::read_to_string(p).map_err(|e| crate::Error::io(p, e))?,
                format!("--key-file {}", p.display()),
            ),
            None => match std::env::var(KEY_ENV) {
                Ok(v) if !v.trim().is_empty() => (v, KEY_ENV.to_string()),
                _ => return Ok(None),
            },
        };
        let trimmed = text.trim();
        let bytes = match parse_hex(trimmed) {
            Some(b) if b.len() >= 32 => b,
            _ => trimmed.as_bytes().to_vec(),
        };
        if bytes.len() < 16 {
            return Err(crate::Error::Usage(format!(
                "the key from {source} is too short: use at least 32 random bytes, e.g. \
                 `openssl rand -hex 32 > piiscan.key`"
            )));
        }
        Ok(Some(MasterKey {
            secret: Secret(bytes),
            source,
        }))
    }

    /// A master key from bytes (tests and library users).
    pub fn from_bytes(bytes: &[u8], source: &str) -> MasterKey {
        MasterKey {
            secret: Secret(bytes.to_vec()),
            source: source.to_string(),
        }
    }

    /// The public key id: 64 bits of HMAC-SHA256(key, "piiscan-key-id-v1"), in hex.
    pub fn key_id(&self) -> String {
        key_id(self.secret.bytes())
    }

    /// The subkey of a method and label: HKDF-SHA256 with info `piiscan/v1/METHOD/LABEL`.
    pub fn derive(&self, method: &str, label: &str, len: usize) -> Secret {
        let hk = Hkdf::<Sha256>::new(Some(b"piiscan-anonymise"), self.secret.bytes());
        let mut out = vec![0u8; len];
        let info = format!("piiscan/v1/{method}/{label}");
        // HKDF-SHA256 gives up to 8160 bytes; callers ask for 32.
        if hk.expand(info.as_bytes(), &mut out).is_err() {
            out.truncate(0);
        }
        Secret(out)
    }
}

/// The public id of any key.
pub fn key_id(key: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(b"piiscan-key-id-v1");
    mac.finalize().into_bytes()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subkeys_differ_per_method_and_label_and_are_stable() {
        let k = MasterKey::from_bytes(&[7u8; 32], "test");
        let a = k.derive("hmac", "email", 32);
        assert_eq!(a.bytes(), k.derive("hmac", "email", 32).bytes());
        assert_ne!(a.bytes(), k.derive("hmac", "phone", 32).bytes());
        assert_ne!(a.bytes(), k.derive("date_shift", "email", 32).bytes());
        assert_eq!(a.bytes().len(), 32);
        assert_eq!(k.key_id().len(), 16);
        assert!(format!("{a:?}").contains('…'));
    }
}
