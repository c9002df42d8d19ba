//! AEAD record protection: AES-GCM and ChaCha20-Poly1305.

use aws_lc_rs::aead;

use super::CryptoError;

/// An AEAD algorithm used by TLS cipher suites.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AeadAlgorithm {
    /// AES-128 in Galois/Counter Mode.
    Aes128Gcm,
    /// AES-256 in Galois/Counter Mode.
    Aes256Gcm,
    /// ChaCha20-Poly1305 (RFC 8439).
    ChaCha20Poly1305,
}

impl AeadAlgorithm {
    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            AeadAlgorithm::Aes128Gcm => 16,
            AeadAlgorithm::Aes256Gcm | AeadAlgorithm::ChaCha20Poly1305 => 32,
        }
    }

    fn lc_alg(self) -> &'static aead::Algorithm {
        match self {
            AeadAlgorithm::Aes128Gcm => &aead::AES_128_GCM,
            AeadAlgorithm::Aes256Gcm => &aead::AES_256_GCM,
            AeadAlgorithm::ChaCha20Poly1305 => &aead::CHACHA20_POLY1305,
        }
    }
}

/// Authentication tag length in bytes (all supported algorithms).
pub const TAG_LEN: usize = 16;
/// Nonce length in bytes (all supported algorithms).
pub const NONCE_LEN: usize = 12;

/// A keyed AEAD for one direction of a connection.
pub struct AeadKey {
    alg: AeadAlgorithm,
    key: aead::LessSafeKey,
}

impl std::fmt::Debug for AeadKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeadKey")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl AeadKey {
    /// Creates a key; fails if `key` is not exactly `alg.key_len()` bytes.
    pub fn new(alg: AeadAlgorithm, key: &[u8]) -> Result<Self, CryptoError> {
        if key.len() != alg.key_len() {
            return Err(CryptoError("AEAD key has the wrong length"));
        }
        let unbound = aead::UnboundKey::new(alg.lc_alg(), key)
            .map_err(|_| CryptoError("AEAD key rejected"))?;
        Ok(AeadKey {
            alg,
            key: aead::LessSafeKey::new(unbound),
        })
    }

    /// The algorithm of this key.
    pub fn algorithm(&self) -> AeadAlgorithm {
        self.alg
    }

    /// Encrypts `in_out` in place and returns the tag.
    pub fn seal_in_place(
        &self,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<[u8; TAG_LEN], CryptoError> {
        let tag = self
            .key
            .seal_in_place_separate_tag(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(aad),
                in_out,
            )
            .map_err(|_| CryptoError("AEAD seal failed"))?;
        <[u8; TAG_LEN]>::try_from(tag.as_ref()).map_err(|_| CryptoError("AEAD tag length"))
    }

    /// `in_out` holds ciphertext followed by the tag; on success the plaintext is the returned prefix.
    ///
    /// On failure (including input shorter than the tag) the buffer is zeroed.
    pub fn open_in_place<'a>(
        &self,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        in_out: &'a mut [u8],
    ) -> Result<&'a mut [u8], CryptoError> {
        if in_out.len() < TAG_LEN {
            in_out.fill(0);
            return Err(CryptoError("AEAD input shorter than the tag"));
        }
        let opened = self
            .key
            .open_in_place(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(aad),
                &mut *in_out,
            )
            .map(|plain| plain.len());
        match opened {
            Ok(n) => in_out
                .get_mut(..n)
                .ok_or(CryptoError("AEAD plaintext length")),
            Err(_) => {
                in_out.fill(0);
                Err(CryptoError("AEAD decryption failed"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [AeadAlgorithm; 3] = [
        AeadAlgorithm::Aes128Gcm,
        AeadAlgorithm::Aes256Gcm,
        AeadAlgorithm::ChaCha20Poly1305,
    ];

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn key_lengths_enforced() {
        for alg in ALL {
            assert!(AeadKey::new(alg, &vec![7u8; alg.key_len()]).is_ok());
            assert!(AeadKey::new(alg, &vec![7u8; alg.key_len() - 1]).is_err());
            assert!(AeadKey::new(alg, &vec![7u8; alg.key_len() + 1]).is_err());
            assert!(AeadKey::new(alg, &[]).is_err());
        }
        assert_eq!(AeadAlgorithm::Aes128Gcm.key_len(), 16);
        assert_eq!(AeadAlgorithm::Aes256Gcm.key_len(), 32);
        assert_eq!(AeadAlgorithm::ChaCha20Poly1305.key_len(), 32);
    }

    #[test]
    fn debug_hides_key() {
        let k = AeadKey::new(AeadAlgorithm::Aes128Gcm, &[0xab; 16]).unwrap();
        let s = format!("{k:?}");
        assert!(s.contains("Aes128Gcm"));
        assert!(!s.contains("ab") && !s.contains("171"));
    }

    #[test]
    fn known_answers() {
        // GCM spec test cases 1 and 2 (zero key, zero nonce); the AES-256 and
        // ChaCha20-Poly1305 values were computed with an independent implementation.
        let cases: [(AeadAlgorithm, &[u8], &[u8], &str); 4] = [
            (
                AeadAlgorithm::Aes128Gcm,
                &[],
                b"",
                "58e2fccefa7e3061367f1d57a4e7455a",
            ),
            (
                AeadAlgorithm::Aes128Gcm,
                &[0u8; 16],
                b"",
                "0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf",
            ),
            (
                AeadAlgorithm::Aes256Gcm,
                &[0u8; 16],
                b"",
                "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919",
            ),
            (
                AeadAlgorithm::ChaCha20Poly1305,
                &[0u8; 16],
                b"aad",
                "9f07e7be5551387a98ba977c732d080d7db8db87fdca50f1bf7f7de7ecb1733f",
            ),
        ];
        for (alg, plain, aad, want) in cases {
            let key = AeadKey::new(alg, &vec![0u8; alg.key_len()]).unwrap();
            let mut buf = plain.to_vec();
            let tag = key.seal_in_place([0u8; NONCE_LEN], aad, &mut buf).unwrap();
            buf.extend_from_slice(&tag);
            assert_eq!(buf, unhex(want), "{alg:?}");
            let opened = key.open_in_place([0u8; NONCE_LEN], aad, &mut buf).unwrap();
            assert_eq!(opened, plain);
        }
    }

    #[test]
    fn round_trip_and_tamper_detection() {
        for alg in ALL {
            let key_bytes: Vec<u8> = (0..alg.key_len() as u8).collect();
            let key = AeadKey::new(alg, &key_bytes).unwrap();
            assert_eq!(key.algorithm(), alg);
            let nonce = [9u8; NONCE_LEN];
            let aad = b"record header";
            let plaintext = b"hello, TLS record layer".to_vec();

            let mut buf = plaintext.clone();
            let tag = key.seal_in_place(nonce, aad, &mut buf).unwrap();
            assert_ne!(buf, plaintext);
            buf.extend_from_slice(&tag);
            let sealed = buf.clone();

            let mut ok = sealed.clone();
            assert_eq!(
                key.open_in_place(nonce, aad, &mut ok).unwrap(),
                &plaintext[..]
            );

            // Flip each byte of ciphertext and tag in turn.
            for i in 0..sealed.len() {
                let mut bad = sealed.clone();
                bad[i] ^= 0x80;
                assert!(
                    key.open_in_place(nonce, aad, &mut bad).is_err(),
                    "{alg:?} byte {i}"
                );
                assert!(bad.iter().all(|&b| b == 0), "buffer zeroed on failure");
            }
            // Wrong AAD, nonce or key.
            let mut bad = sealed.clone();
            assert!(key
                .open_in_place(nonce, b"record headeR", &mut bad)
                .is_err());
            let mut bad = sealed.clone();
            assert!(key.open_in_place([8u8; NONCE_LEN], aad, &mut bad).is_err());
            let other = AeadKey::new(alg, &vec![0x55; alg.key_len()]).unwrap();
            let mut bad = sealed.clone();
            assert!(other.open_in_place(nonce, aad, &mut bad).is_err());
            // Truncated input.
            let mut short = sealed[..TAG_LEN - 1].to_vec();
            assert!(key.open_in_place(nonce, aad, &mut short).is_err());
            let mut empty: [u8; 0] = [];
            assert!(key.open_in_place(nonce, aad, &mut empty).is_err());
            let mut trunc = sealed[..sealed.len() - 1].to_vec();
            assert!(key.open_in_place(nonce, aad, &mut trunc).is_err());

            // Empty plaintext: the input is only the tag.
            let mut e = Vec::new();
            let tag = key.seal_in_place(nonce, &[], &mut e).unwrap();
            let mut t = tag.to_vec();
            assert!(key.open_in_place(nonce, &[], &mut t).unwrap().is_empty());
        }
    }
}
