//! Crypto-PAn (Fan, Xu, Ammar and Moon, 2002): prefix-preserving pseudonymisation of IP
//! addresses. Two addresses that share a k-bit prefix map to two addresses that share exactly
//! a k-bit prefix, so subnets stay subnets, and the map is one-to-one.
//!
//! The 32-byte key: bytes 0-15 are an AES-128 key, bytes 16-31 are encrypted once to form a
//! 128-bit pad. Output bit i is input bit i XOR the top bit of AES(the first i input bits
//! followed by the pad's remaining bits). IPv4 takes 32 AES calls, IPv6 128, over the same
//! construction with 128-bit addresses. Reproduces the original distribution's sample
//! (`fixtures/vectors/cryptopan-sample.tsv`) and an independent Python implementation
//! (`cryptopan-extra.tsv`: IPv6, other keys, edge addresses).
//!
//! It is pseudonymisation: whoever holds the key, or can feed chosen addresses through the
//! pipeline and read the output, learns real prefixes.

use aes::cipher::{BlockEncrypt, KeyInit};
use aes::Aes128;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A Crypto-PAn instance under one key.
#[derive(Clone)]
pub struct CryptoPan {
    aes: Aes128,
    pad: u128,
}

impl std::fmt::Debug for CryptoPan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CryptoPan(…)")
    }
}

impl CryptoPan {
    /// An instance from a 32-byte key; `None` for another length.
    pub fn new(key: &[u8]) -> Option<CryptoPan> {
        if key.len() != 32 {
            return None;
        }
        let aes = Aes128::new_from_slice(&key[..16]).ok()?;
        let mut block = aes::Block::clone_from_slice(&key[16..32]);
        aes.encrypt_block(&mut block);
        let pad = u128::from_be_bytes(block.into());
        Some(CryptoPan { aes, pad })
    }

    fn top_bit(&self, input: u128) -> u128 {
        let mut block = aes::Block::from(input.to_be_bytes());
        self.aes.encrypt_block(&mut block);
        u128::from(block[0] >> 7)
    }

    /// Anonymises the `bits` low bits of `value` (32 for IPv4, 128 for IPv6).
    fn walk(&self, value: u128, bits: u32) -> u128 {
        let shift = 128 - bits;
        let pad_top = if bits == 128 {
            self.pad
        } else {
            self.pad >> shift
        };
        let rest = if bits == 128 {
            0
        } else {
            self.pad & ((1u128 << shift) - 1)
        };
        let mut flips = 0u128;
        for pos in 0..bits {
            let keep = bits - pos; // low bits that still come from the pad
            let low_mask = if keep == 128 {
                u128::MAX
            } else {
                (1u128 << keep) - 1
            };
            let prefix = value & !low_mask;
            let mixed = prefix | (pad_top & low_mask);
            let block = if bits == 128 {
                mixed
            } else {
                (mixed << shift) | rest
            };
            flips |= self.top_bit(block) << (bits - 1 - pos);
        }
        value ^ flips
    }

    /// Anonymises an IPv4 address.
    pub fn ipv4(&self, ip: Ipv4Addr) -> Ipv4Addr {
        // The walk stays within 32 bits, so the conversion cannot fail.
        let out = self.walk(u128::from(u32::from(ip)), 32);
        Ipv4Addr::from(u32::try_from(out).unwrap_or(0))
    }

    /// Anonymises an IPv6 address; an IPv4-mapped one (`::ffff:a.b.c.d`) keeps that form
    /// with its IPv4 part anonymised as IPv4, so it matches the same address written as IPv4.
    pub fn ipv6(&self, ip: Ipv6Addr) -> Ipv6Addr {
        if let Some(v4) = ip.to_ipv4_mapped() {
            return self.ipv4(v4).to_ipv6_mapped();
        }
        Ipv6Addr::from(self.walk(u128::from(ip), 128))
    }

    /// Anonymises either kind.
    pub fn ip(&self, ip: IpAddr) -> IpAddr {
        match ip {
            IpAddr::V4(a) => IpAddr::V4(self.ipv4(a)),
            IpAddr::V6(a) => IpAddr::V6(self.ipv6(a)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vectors(file: &str) -> Vec<(Vec<u8>, IpAddr, IpAddr)> {
        let path = format!("{}/fixtures/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("vector file");
        text.lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                let key = (0..f[0].len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&f[0][i..i + 2], 16).expect("hex"))
                    .collect();
                (key, f[1].parse().expect("ip"), f[2].parse().expect("ip"))
            })
            .collect()
    }

    #[test]
    fn reproduces_the_reference_vectors() {
        for file in ["cryptopan-sample.tsv", "cryptopan-extra.tsv"] {
            let rows = vectors(file);
            assert!(rows.len() >= 18, "{file}");
            for (key, input, output) in rows {
                let cp = CryptoPan::new(&key).expect("32-byte key");
                assert_eq!(cp.ip(input), output, "{file}: {input}");
            }
        }
    }

    #[test]
    fn prefixes_are_preserved_and_mapped_addresses_follow_ipv4() {
        let cp = CryptoPan::new(&[3u8; 32]).expect("key");
        let a = u32::from(cp.ipv4(Ipv4Addr::new(192, 168, 10, 1)));
        let b = u32::from(cp.ipv4(Ipv4Addr::new(192, 168, 11, 1)));
        // 192.168.10.1 and 192.168.11.1 share 23 bits exactly.
        assert_eq!((a ^ b).leading_zeros(), 23);
        let v4 = Ipv4Addr::new(81, 2, 3, 4);
        assert_eq!(cp.ipv6(v4.to_ipv6_mapped()), cp.ipv4(v4).to_ipv6_mapped());
        assert!(CryptoPan::new(&[0u8; 16]).is_none());
    }
}
