//! The names of the anonymiser's outputs. An input named after a person
//! (`export_jan.jansen@example.nl.csv`, a folder `111222333/`) must not give an output that
//! carries the same personal data in its name. Each piece of personal data in a file or
//! folder name below the input argument (as [`crate::names`] finds it) becomes a token: the
//! rule id and, with a master key, 8 characters of a keyed hash of the value
//! (`dossier_240183009.csv` → `dossier_nl-bsn-k3j5x2qa.csv`). The token is stable across runs with the same key (a second
//! run writes the same files again) and cannot be reversed without the key; without a master
//! key it is the rule id alone, and two inputs that then share an output name are refused when
//! the outputs are planned. A name `--out` gives for one output file is taken as written.

use super::keys::Secret;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::{Path, PathBuf};

/// The base32 alphabet of tokens (lower case, no padding).
const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// How output names are made: with the subkey of a master key, or without one.
#[derive(Debug, Clone, Default)]
pub struct NameKey(Option<Secret>);

impl NameKey {
    /// Tokens keyed by the master key's subkey for output names.
    pub fn keyed(master: &super::keys::MasterKey) -> NameKey {
        NameKey(Some(master.derive("output-name", "v1", 32)))
    }

    /// Tokens without a key: the rule id alone.
    pub fn none() -> NameKey {
        NameKey(None)
    }

    /// The token that stands for `value` (found by `rule`) in an output name.
    pub fn token(&self, rule: &str, value: &str) -> String {
        let rule: String = rule
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let Some(key) = &self.0 else {
            return rule;
        };
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(rule.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        let digest = mac.finalize().into_bytes();
        // 40 bits: 8 base32 characters.
        let mut acc: u64 = 0;
        for &b in &digest[..5] {
            acc = (acc << 8) | u64::from(b);
        }
        let token: String = (0..8)
            .rev()
            .map(|i| char::from(BASE32[((acc >> (5 * i)) & 31) as usize]))
            .collect();
        format!("{rule}-{token}")
    }

    /// `rel` (an input's path below its argument, or its file name) with the personal data in
    /// each part replaced by tokens.
    pub fn path(&self, rel: &Path) -> PathBuf {
        rel.components()
            .map(|c| {
                let part = c.as_os_str().to_string_lossy();
                let replace = |rule: &str, value: &str| self.token(rule, value);
                crate::names::replaced(&part, &replace).into_owned()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_in_output_names_becomes_stable_tokens() {
        let master = super::super::keys::MasterKey::from_bytes(b"0123456789abcdef0123", "test");
        let k = NameKey::keyed(&master);
        let a = k.path(Path::new("crm/export_jan.jansen@example.nl.csv"));
        let s = a.to_string_lossy().into_owned();
        assert!(!s.contains("jansen"), "{s}");
        // (`export_jan.jansen@…` is itself an e-mail address: all of it is the value.)
        assert!(s.starts_with("crm/email-") && s.ends_with(".csv"), "{s}");
        // Stable across runs, different for another value and another key.
        assert_eq!(a, k.path(Path::new("crm/export_jan.jansen@example.nl.csv")));
        assert_ne!(a, k.path(Path::new("crm/export_piet@example.nl.csv")));
        let other = NameKey::keyed(&super::super::keys::MasterKey::from_bytes(
            b"another key, 16 bytes at least",
            "test",
        ));
        assert_ne!(
            a,
            other.path(Path::new("crm/export_jan.jansen@example.nl.csv"))
        );
        // Folders too; plain names stay.
        let b = k.path(Path::new("111222333/brief.txt"));
        assert!(!b.to_string_lossy().contains("111222333"), "{b:?}");
        assert_eq!(
            k.path(Path::new("data/klanten.csv")),
            Path::new("data/klanten.csv")
        );
        // Without a key: the rule id.
        let n = NameKey::none().path(Path::new("export_240183009.csv"));
        assert_eq!(n, Path::new("export_nl-bsn.csv"));
    }
}
