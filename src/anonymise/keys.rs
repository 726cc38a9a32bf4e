//! Keys for pseudonymisation. The master key comes from a file (`--key-file`) or the
//! `PIISCAN_KEY` environment variable, never from an argument, and is never printed: outputs
//! name it by a key id (64 bits of an HMAC under it). Each method and label gets its own
//! subkey, derived with HKDF-SHA256, so a pseudonym of one column says nothing about another.
//! A method's `key_file` in the policy is used as written instead (hex text), so outputs can
//! be checked against other tools and reference vectors.
//!
//! One rule for every key source (`--key-file`, `PIISCAN_KEY`, `PIISCAN_FINGERPRINT_KEY`, the
//! fingerprint key file, a policy's `key_file`), checked by [`check_material`]:
//!
//! - surrounding whitespace is not part of the key;
//! - text made only of hex digits (optionally after `0x`) is hex: it must have an even number
//!   of digits, and its key material is the decoded bytes (`openssl rand -hex 16` gives 32
//!   digits, 16 bytes); `0x` followed by anything else is refused;
//! - any other text is raw bytes (a passphrase; base64 is not decoded, its text counts);
//! - the material must be at least [`MIN_KEY_BYTES`] (16 bytes, 128 bits) long and hold at
//!   least [`MIN_DISTINCT_BYTES`] different byte values, so `0000…`, sixteen NUL bytes,
//!   `AAAA…==` or a short pattern repeated are refused as placeholders, not keys.
//!
//! A refused key is named by where it came from, never shown.

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

/// The least key material accepted: 16 bytes, 128 bits.
pub const MIN_KEY_BYTES: usize = 16;

/// The fewest different byte values a key's material may hold (16 random bytes hold 8 or
/// fewer with a probability below 10^-9; a placeholder such as `0000…` holds one).
pub const MIN_DISTINCT_BYTES: usize = 8;

/// A key's text read by the rule of this module: its material, or why it is refused.
fn read_material(text: &[u8]) -> Result<Vec<u8>, String> {
    let t = text.trim_ascii();
    if t.is_empty() {
        // [`check_bytes`] says what is needed.
        return Ok(Vec::new());
    }
    let (prefixed, digits) = match t {
        [b'0', b'x' | b'X', rest @ ..] => (true, rest),
        _ => (false, t),
    };
    let hex = !digits.is_empty() && digits.iter().all(u8::is_ascii_hexdigit);
    if prefixed && !hex {
        return Err("starts with 0x but is not hexadecimal".into());
    }
    if !hex {
        return Ok(t.to_vec());
    }
    if digits.len() % 2 != 0 {
        return Err(format!(
            "is {} hex digits, an odd number: hex keys are whole bytes (two digits each)",
            digits.len()
        ));
    }
    let text = std::str::from_utf8(digits).map_err(|_| "is not hexadecimal".to_string())?;
    parse_hex(text).ok_or_else(|| "is not hexadecimal".to_string())
}

/// How many bytes of key material a key's text holds under the rule of this module: hex
/// text its decoded bytes (an odd count of digits counts only its whole bytes), other text
/// its bytes; surrounding whitespace does not count.
pub fn key_material(text: &[u8]) -> usize {
    match read_material(text) {
        Ok(m) => m.len(),
        Err(_) => {
            let t = text.trim_ascii();
            let d = t.strip_prefix(b"0x").unwrap_or(t);
            if d.iter().all(u8::is_ascii_hexdigit) {
                d.len() / 2
            } else {
                t.len()
            }
        }
    }
}

/// Refuses a key whose text breaks the rule of this module (see the module documentation):
/// odd hex, less than [`MIN_KEY_BYTES`] of material, fewer than [`MIN_DISTINCT_BYTES`]
/// different byte values. `source` says where the key came from, never the key.
///
/// # Errors
/// The key is empty, malformed hex, too short or without variety.
pub fn check_material(text: &[u8], source: &str) -> crate::Result<()> {
    let how = "e.g. 32 random bytes as hex from `openssl rand -hex 32`";
    let material = read_material(text)
        .map_err(|why| crate::Error::Usage(format!("the key from {source} {why}: {how}")))?;
    check_bytes(&material, source)
}

/// Refuses key material (already decoded) that is too short or without variety.
///
/// # Errors
/// As [`check_material`].
pub fn check_bytes(material: &[u8], source: &str) -> crate::Result<()> {
    let how = "e.g. 32 random bytes as hex from `openssl rand -hex 32`";
    let n = material.len();
    if n < MIN_KEY_BYTES {
        let what = if n == 0 {
            "is empty".to_string()
        } else {
            format!("holds {n} bytes of key material")
        };
        return Err(crate::Error::Usage(format!(
            "the key from {source} {what}: at least {MIN_KEY_BYTES} bytes (128 bits) are needed, {how}"
        )));
    }
    let mut seen = [false; 256];
    for &b in material {
        seen[usize::from(b)] = true;
    }
    let distinct = seen.iter().filter(|&&s| s).count();
    if distinct < MIN_DISTINCT_BYTES {
        return Err(crate::Error::Usage(format!(
            "the key from {source} holds only {distinct} different byte value(s): it looks like \
             a placeholder, not a random key (at least {MIN_DISTINCT_BYTES} are needed), {how}"
        )));
    }
    Ok(())
}

fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let t = text.trim();
    if !t.len().is_multiple_of(2) || t.is_empty() {
        return None;
    }
    (0..t.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(t.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Reads a method's key file: hex text, whitespace trimmed, used as is; at least
/// [`MIN_KEY_BYTES`] bytes.
///
/// # Errors
/// The file cannot be read, is not hex, or holds less than 16 bytes (the message never shows
/// its content).
pub fn read_hex_key(path: &Path) -> crate::Result<Secret> {
    let text = std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?;
    let source = format!("key_file {}", path.display());
    if text.trim().is_empty() {
        return check_material(b"", &source).map(|()| Secret(Vec::new()));
    }
    let key = parse_hex(&text).ok_or_else(|| {
        crate::Error::Usage(format!(
            "{}: a key file holds the key as hexadecimal text (e.g. 64 hex digits for 32 bytes)",
            path.display()
        ))
    })?;
    if key.len() < MIN_KEY_BYTES {
        return Err(crate::Error::Usage(format!(
            "the key from {source} holds {} bytes: at least {MIN_KEY_BYTES} bytes (128 bits, 32 hex \
             digits) are needed, e.g. `openssl rand -hex 32 > {}`",
            key.len(),
            path.display()
        )));
    }
    check_bytes(&key, &source)?;
    Ok(Secret(key))
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
    /// must hold at least 16 bytes of key material ([`key_material`]).
    ///
    /// # Errors
    /// The file cannot be read, or the key is empty (also a `PIISCAN_KEY` set to nothing, as
    /// a missing CI secret gives) or too short.
    pub fn load(key_file: Option<&Path>) -> crate::Result<Option<MasterKey>> {
        let (text, source) = match key_file {
            Some(p) => (
                std::fs::read_to_string(p).map_err(|e| crate::Error::io(p, e))?,
                format!("--key-file {}", p.display()),
            ),
            None => match std::env::var_os(KEY_ENV) {
                Some(v) => (
                    v.into_string().map_err(|_| {
                        crate::Error::Usage(format!("{KEY_ENV} is not valid UTF-8"))
                    })?,
                    KEY_ENV.to_string(),
                ),
                None => return Ok(None),
            },
        };
        check_material(text.as_bytes(), &source)?;
        let trimmed = text.trim();
        let bytes = match parse_hex(trimmed) {
            Some(b) if b.len() >= 32 => b,
            _ => trimmed.as_bytes().to_vec(),
        };
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

    #[test]
    fn key_material_counts_hex_as_decoded_bytes() {
        assert_eq!(key_material(b""), 0);
        assert_eq!(key_material(b"  \n"), 0);
        assert_eq!(key_material(b"test-key-not-secret\n"), 19);
        assert_eq!(key_material(b"ci-only-not-secret"), 18);
        assert_eq!(key_material(&[b'a'; 32]), 16, "32 hex digits are 16 bytes");
        assert_eq!(key_material(&[b'a'; 30]), 15);
        assert_eq!(key_material(b"4a656665"), 4);
        assert!(check_material(b"short-Zq9", "X").is_err());
        assert!(check_material(b"0123456789abcdef0123456789abcdef", "X").is_ok());
    }

    #[test]
    fn one_rule_refuses_odd_hex_short_prefixed_hex_and_keys_without_variety() {
        let refused: [&[u8]; 9] = [
            b"0123456789abcdef0",                 // 17 hex digits: odd, not 17 text bytes
            b"0123456789abcdef0123456789abcdef0", // 33 hex digits
            b"0x0123456789abcdef0123456789abcd",  // 0x + 30 digits: 15 bytes
            b"0xnot-hex-at-all-but-long-enough",  // 0x and no hex
            b"00000000000000000000000000000000",  // 16 zero bytes as hex
            &[0u8; 16],                           // 16 NUL bytes
            b"AAAAAAAAAAAAAAAAAAAAAA==",          // base64 of zeros, as text
            b"abababababababababababababababab",  // one byte repeated, as hex
            b"xyxyxyxyxyxyxyxyxyxyxyxy",          // two letters repeated, as text
        ];
        for k in refused {
            let e = check_material(k, "TEST_SOURCE").expect_err(&String::from_utf8_lossy(k));
            let m = e.to_string();
            assert!(m.contains("TEST_SOURCE"), "{m}");
            if k.len() > 4 && k.is_ascii() {
                assert!(!m.contains(std::str::from_utf8(k).unwrap_or("")), "{m}");
            }
        }
        for ok in [
            &b"0x000102030405060708090a0b0c0d0e0f"[..],
            b"000102030405060708090a0b0c0d0e0f\n",
            b"test-key-0123456789abcdef",
            b"q83vEjRWeJq83vEjRWeJqw==",
        ] {
            assert!(
                check_material(ok, "X").is_ok(),
                "{}",
                String::from_utf8_lossy(ok)
            );
        }
        assert_eq!(
            key_material(b"0123456789abcdef0"),
            8,
            "odd hex counts whole bytes"
        );
    }

    #[test]
    fn short_and_empty_key_files_are_refused_by_name_never_by_content() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, text) in [
            ("empty.key", ""),
            ("one.key", "ab\n"),
            ("fifteen.key", "000102030405060708090a0b0c0d0e"),
        ] {
            let p = dir.path().join(name);
            std::fs::write(&p, text).expect("write");
            let e = read_hex_key(&p).expect_err(name).to_string();
            assert!(e.contains(name) && e.contains("at least 16"), "{e}");
            if text.len() > 8 {
                assert!(!e.contains(text.trim()), "{e}");
            }
            let e = MasterKey::load(Some(&p)).expect_err(name).to_string();
            assert!(e.contains(name) && e.contains("at least 16"), "{e}");
        }
        let p = dir.path().join("sixteen.key");
        std::fs::write(&p, "000102030405060708090a0b0c0d0e0f\n").expect("write");
        assert_eq!(read_hex_key(&p).expect("16 bytes").bytes().len(), 16);
        let p = dir.path().join("zeros.key");
        std::fs::write(&p, "00".repeat(32)).expect("write");
        let e = read_hex_key(&p).expect_err("zeros").to_string();
        assert!(e.contains("zeros.key") && e.contains("placeholder"), "{e}");
    }
}
