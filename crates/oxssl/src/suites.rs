//! Cipher suites: their code points, OpenSSL names, AEAD and hash.

use crate::crypto::aead::AeadAlgorithm;
use crate::crypto::hash::HashAlgorithm;

/// A cipher suite oxssl implements (AEAD only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CipherSuite {
    /// TLS_AES_128_GCM_SHA256 (0x1301).
    Tls13Aes128GcmSha256,
    /// TLS_AES_256_GCM_SHA384 (0x1302).
    Tls13Aes256GcmSha384,
    /// TLS_CHACHA20_POLY1305_SHA256 (0x1303).
    Tls13Chacha20Poly1305Sha256,
}

impl CipherSuite {
    /// Every TLS 1.3 suite, in OpenSSL's default order (`TLS_AES_256_GCM_SHA384:
    /// TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256`).
    pub const TLS13_DEFAULT: [CipherSuite; 3] = [
        CipherSuite::Tls13Aes256GcmSha384,
        CipherSuite::Tls13Chacha20Poly1305Sha256,
        CipherSuite::Tls13Aes128GcmSha256,
    ];

    /// The IANA code point.
    pub fn to_u16(self) -> u16 {
        match self {
            Self::Tls13Aes128GcmSha256 => 0x1301,
            Self::Tls13Aes256GcmSha384 => 0x1302,
            Self::Tls13Chacha20Poly1305Sha256 => 0x1303,
        }
    }

    /// The suite with code point `v`, if oxssl implements it.
    pub fn from_u16(v: u16) -> Option<Self> {
        Self::TLS13_DEFAULT.into_iter().find(|s| s.to_u16() == v)
    }

    /// The name OpenSSL uses (`SSL_CIPHER_get_name`), which for TLS 1.3 is the IANA name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Tls13Aes128GcmSha256 => "TLS_AES_128_GCM_SHA256",
            Self::Tls13Aes256GcmSha384 => "TLS_AES_256_GCM_SHA384",
            Self::Tls13Chacha20Poly1305Sha256 => "TLS_CHACHA20_POLY1305_SHA256",
        }
    }

    /// Looks a suite up by its OpenSSL/IANA name (case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::TLS13_DEFAULT
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name))
    }

    /// The record protection algorithm.
    pub fn aead(self) -> AeadAlgorithm {
        match self {
            Self::Tls13Aes128GcmSha256 => AeadAlgorithm::Aes128Gcm,
            Self::Tls13Aes256GcmSha384 => AeadAlgorithm::Aes256Gcm,
            Self::Tls13Chacha20Poly1305Sha256 => AeadAlgorithm::ChaCha20Poly1305,
        }
    }

    /// The hash for the transcript and key schedule.
    pub fn hash(self) -> HashAlgorithm {
        match self {
            Self::Tls13Aes256GcmSha384 => HashAlgorithm::Sha384,
            _ => HashAlgorithm::Sha256,
        }
    }

    /// Parses an OpenSSL-style colon-separated list (`SSL_CTX_set_ciphersuites`). Unknown
    /// names are an error, as an empty result is.
    pub fn parse_list(list: &str) -> Result<Vec<Self>, String> {
        let mut out = Vec::new();
        for name in list.split(':').filter(|s| !s.is_empty()) {
            let s = Self::from_name(name).ok_or_else(|| format!("unknown cipher suite {name}"))?;
            if !out.contains(&s) {
                out.push(s);
            }
        }
        if out.is_empty() {
            return Err("empty cipher suite list".into());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes() {
        for s in CipherSuite::TLS13_DEFAULT {
            assert_eq!(CipherSuite::from_u16(s.to_u16()), Some(s));
            assert_eq!(CipherSuite::from_name(s.name()), Some(s));
        }
        assert_eq!(
            CipherSuite::parse_list("TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384").unwrap(),
            vec![
                CipherSuite::Tls13Aes128GcmSha256,
                CipherSuite::Tls13Aes256GcmSha384
            ]
        );
        assert!(CipherSuite::parse_list("RC4-MD5").is_err());
    }
}
