//! Cipher suites: their code points, OpenSSL and IANA names, AEAD, hash and the attributes
//! OpenSSL's cipher strings and `SSL_CIPHER_*` accessors report.
//!
//! oxssl implements AEAD suites with ephemeral key exchange only: the three TLS 1.3 suites
//! and six TLS 1.2 ECDHE suites (no CBC, no RSA key exchange, no DHE).

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
    /// ECDHE-ECDSA-AES128-GCM-SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (0xC02B).
    Tls12EcdheEcdsaAes128GcmSha256,
    /// ECDHE-ECDSA-AES256-GCM-SHA384, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 (0xC02C).
    Tls12EcdheEcdsaAes256GcmSha384,
    /// ECDHE-RSA-AES128-GCM-SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xC02F).
    Tls12EcdheRsaAes128GcmSha256,
    /// ECDHE-RSA-AES256-GCM-SHA384, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xC030).
    Tls12EcdheRsaAes256GcmSha384,
    /// ECDHE-ECDSA-CHACHA20-POLY1305, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 (0xCCA9).
    Tls12EcdheEcdsaChacha20Poly1305,
    /// ECDHE-RSA-CHACHA20-POLY1305, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 (0xCCA8).
    Tls12EcdheRsaChacha20Poly1305,
}

/// The kind of certificate a suite's server must authenticate with, so a server can pick
/// a TLS 1.2 suite that fits its key (`SSL_CIPHER_get_auth_nid`'s question).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SuiteAuth {
    /// An ECDSA certificate (the `ECDHE-ECDSA-*` suites).
    Ecdsa,
    /// An RSA certificate (the `ECDHE-RSA-*` suites).
    Rsa,
    /// Any certificate: TLS 1.3 suites leave authentication to the signature algorithms.
    Any,
}

impl CipherSuite {
    /// Every TLS 1.3 suite, in OpenSSL's default order (`TLS_AES_256_GCM_SHA384:
    /// TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256`).
    pub const TLS13_DEFAULT: [CipherSuite; 3] = [
        CipherSuite::Tls13Aes256GcmSha384,
        CipherSuite::Tls13Chacha20Poly1305Sha256,
        CipherSuite::Tls13Aes128GcmSha256,
    ];

    /// Every TLS 1.2 suite, in the order OpenSSL 3's `DEFAULT` (and `ALL`) cipher list puts
    /// them: AES-256-GCM, then ChaCha20-Poly1305, then AES-128-GCM, ECDSA before RSA.
    pub const TLS12_DEFAULT: [CipherSuite; 6] = [
        CipherSuite::Tls12EcdheEcdsaAes256GcmSha384,
        CipherSuite::Tls12EcdheRsaAes256GcmSha384,
        CipherSuite::Tls12EcdheEcdsaChacha20Poly1305,
        CipherSuite::Tls12EcdheRsaChacha20Poly1305,
        CipherSuite::Tls12EcdheEcdsaAes128GcmSha256,
        CipherSuite::Tls12EcdheRsaAes128GcmSha256,
    ];

    /// Every suite, TLS 1.3 first, for lookups.
    pub(crate) const ALL: [CipherSuite; 9] = [
        CipherSuite::Tls13Aes256GcmSha384,
        CipherSuite::Tls13Chacha20Poly1305Sha256,
        CipherSuite::Tls13Aes128GcmSha256,
        CipherSuite::Tls12EcdheEcdsaAes256GcmSha384,
        CipherSuite::Tls12EcdheRsaAes256GcmSha384,
        CipherSuite::Tls12EcdheEcdsaChacha20Poly1305,
        CipherSuite::Tls12EcdheRsaChacha20Poly1305,
        CipherSuite::Tls12EcdheEcdsaAes128GcmSha256,
        CipherSuite::Tls12EcdheRsaAes128GcmSha256,
    ];

    /// The IANA code point.
    pub fn to_u16(self) -> u16 {
        match self {
            Self::Tls13Aes128GcmSha256 => 0x1301,
            Self::Tls13Aes256GcmSha384 => 0x1302,
            Self::Tls13Chacha20Poly1305Sha256 => 0x1303,
            Self::Tls12EcdheEcdsaAes128GcmSha256 => 0xC02B,
            Self::Tls12EcdheEcdsaAes256GcmSha384 => 0xC02C,
            Self::Tls12EcdheRsaAes128GcmSha256 => 0xC02F,
            Self::Tls12EcdheRsaAes256GcmSha384 => 0xC030,
            Self::Tls12EcdheEcdsaChacha20Poly1305 => 0xCCA9,
            Self::Tls12EcdheRsaChacha20Poly1305 => 0xCCA8,
        }
    }

    /// The suite with code point `v`, if oxssl implements it (either version: callers
    /// check that it suits the negotiated one).
    pub fn from_u16(v: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.to_u16() == v)
    }

    /// The name OpenSSL uses (`SSL_CIPHER_get_name`): the IANA name for TLS 1.3, OpenSSL's
    /// own (`ECDHE-RSA-AES128-GCM-SHA256`) for TLS 1.2, so logs and `-cipher` match.
    pub fn name(self) -> &'static str {
        match self {
            Self::Tls13Aes128GcmSha256 => "TLS_AES_128_GCM_SHA256",
            Self::Tls13Aes256GcmSha384 => "TLS_AES_256_GCM_SHA384",
            Self::Tls13Chacha20Poly1305Sha256 => "TLS_CHACHA20_POLY1305_SHA256",
            Self::Tls12EcdheEcdsaAes128GcmSha256 => "ECDHE-ECDSA-AES128-GCM-SHA256",
            Self::Tls12EcdheEcdsaAes256GcmSha384 => "ECDHE-ECDSA-AES256-GCM-SHA384",
            Self::Tls12EcdheRsaAes128GcmSha256 => "ECDHE-RSA-AES128-GCM-SHA256",
            Self::Tls12EcdheRsaAes256GcmSha384 => "ECDHE-RSA-AES256-GCM-SHA384",
            Self::Tls12EcdheEcdsaChacha20Poly1305 => "ECDHE-ECDSA-CHACHA20-POLY1305",
            Self::Tls12EcdheRsaChacha20Poly1305 => "ECDHE-RSA-CHACHA20-POLY1305",
        }
    }

    /// The IANA (RFC) name (`SSL_CIPHER_standard_name`), which `openssl ciphers -stdname`
    /// prints and other TLS stacks use.
    pub fn std_name(self) -> &'static str {
        match self {
            Self::Tls13Aes128GcmSha256
            | Self::Tls13Aes256GcmSha384
            | Self::Tls13Chacha20Poly1305Sha256 => self.name(),
            Self::Tls12EcdheEcdsaAes128GcmSha256 => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            Self::Tls12EcdheEcdsaAes256GcmSha384 => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            Self::Tls12EcdheRsaAes128GcmSha256 => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            Self::Tls12EcdheRsaAes256GcmSha384 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            Self::Tls12EcdheEcdsaChacha20Poly1305 => {
                "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
            }
            Self::Tls12EcdheRsaChacha20Poly1305 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        }
    }

    /// Looks a suite up by its OpenSSL or IANA name (case-insensitive), for configuration
    /// and for names reported by other stacks.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| {
            s.name().eq_ignore_ascii_case(name) || s.std_name().eq_ignore_ascii_case(name)
        })
    }

    /// Whether this is a TLS 1.3 suite: the two versions configure, negotiate and key
    /// their suites separately.
    pub fn is_tls13(self) -> bool {
        matches!(
            self,
            Self::Tls13Aes128GcmSha256
                | Self::Tls13Aes256GcmSha384
                | Self::Tls13Chacha20Poly1305Sha256
        )
    }

    /// The protocol version the suite belongs to, as `SSL_CIPHER_get_version` spells it.
    pub fn version(self) -> &'static str {
        if self.is_tls13() {
            "TLSv1.3"
        } else {
            "TLSv1.2"
        }
    }

    /// The server certificate type the suite needs.
    pub fn auth(self) -> SuiteAuth {
        match self {
            Self::Tls12EcdheEcdsaAes128GcmSha256
            | Self::Tls12EcdheEcdsaAes256GcmSha384
            | Self::Tls12EcdheEcdsaChacha20Poly1305 => SuiteAuth::Ecdsa,
            Self::Tls12EcdheRsaAes128GcmSha256
            | Self::Tls12EcdheRsaAes256GcmSha384
            | Self::Tls12EcdheRsaChacha20Poly1305 => SuiteAuth::Rsa,
            Self::Tls13Aes128GcmSha256
            | Self::Tls13Aes256GcmSha384
            | Self::Tls13Chacha20Poly1305Sha256 => SuiteAuth::Any,
        }
    }

    /// The record protection algorithm.
    pub fn aead(self) -> AeadAlgorithm {
        match self {
            Self::Tls13Aes128GcmSha256
            | Self::Tls12EcdheEcdsaAes128GcmSha256
            | Self::Tls12EcdheRsaAes128GcmSha256 => AeadAlgorithm::Aes128Gcm,
            Self::Tls13Aes256GcmSha384
            | Self::Tls12EcdheEcdsaAes256GcmSha384
            | Self::Tls12EcdheRsaAes256GcmSha384 => AeadAlgorithm::Aes256Gcm,
            Self::Tls13Chacha20Poly1305Sha256
            | Self::Tls12EcdheEcdsaChacha20Poly1305
            | Self::Tls12EcdheRsaChacha20Poly1305 => AeadAlgorithm::ChaCha20Poly1305,
        }
    }

    /// The hash for the transcript and key schedule (TLS 1.3) or PRF (TLS 1.2): SHA-384
    /// for the AES-256-GCM suites, SHA-256 for the others.
    pub fn hash(self) -> HashAlgorithm {
        match self.aead() {
            AeadAlgorithm::Aes256Gcm => HashAlgorithm::Sha384,
            _ => HashAlgorithm::Sha256,
        }
    }

    /// The symmetric key size in bits (`SSL_CIPHER_get_bits`), which `@STRENGTH` sorts by.
    pub fn bits(self) -> u32 {
        match self.aead() {
            AeadAlgorithm::Aes128Gcm => 128,
            _ => 256,
        }
    }

    /// One line describing the suite, exactly as `SSL_CIPHER_description` writes it (and
    /// `openssl ciphers -v` prints it), trailing newline included.
    pub fn description(self) -> String {
        let (kx, au) = match self.auth() {
            SuiteAuth::Ecdsa => ("ECDH", "ECDSA"),
            SuiteAuth::Rsa => ("ECDH", "RSA"),
            SuiteAuth::Any => ("any", "any"),
        };
        let enc = match self.aead() {
            AeadAlgorithm::Aes128Gcm => "AESGCM(128)",
            AeadAlgorithm::Aes256Gcm => "AESGCM(256)",
            AeadAlgorithm::ChaCha20Poly1305 => "CHACHA20/POLY1305(256)",
        };
        format!(
            "{:<30} {:<7} Kx={kx:<8} Au={au:<5} Enc={enc:<22} Mac=AEAD\n",
            self.name(),
            self.version()
        )
    }

    /// Parses an OpenSSL-style colon-separated list of TLS 1.3 suites
    /// (`SSL_CTX_set_ciphersuites`). Unknown names and TLS 1.2 suites are an error, as an
    /// empty result is. TLS 1.2 lists use [`crate::cipher_list::parse_cipher_list`].
    pub fn parse_list(list: &str) -> Result<Vec<Self>, String> {
        let mut out = Vec::new();
        for name in list.split(':').filter(|s| !s.is_empty()) {
            let s = match Self::from_name(name) {
                Some(s) if s.is_tls13() => s,
                Some(_) => return Err(format!("{name} is not a TLS 1.3 cipher suite")),
                None => return Err(format!("unknown cipher suite {name}")),
            };
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

    #[test]
    fn all_nine_round_trip() {
        let all: Vec<CipherSuite> = CipherSuite::TLS13_DEFAULT
            .into_iter()
            .chain(CipherSuite::TLS12_DEFAULT)
            .collect();
        assert_eq!(all.len(), 9);
        for s in &all {
            assert_eq!(CipherSuite::from_u16(s.to_u16()), Some(*s));
            assert_eq!(CipherSuite::from_name(s.name()), Some(*s));
            assert_eq!(CipherSuite::from_name(s.std_name()), Some(*s));
            assert_eq!(
                CipherSuite::from_name(&s.name().to_ascii_lowercase()),
                Some(*s)
            );
            assert_eq!(s.is_tls13(), CipherSuite::TLS13_DEFAULT.contains(s));
            assert_eq!(s.auth() == SuiteAuth::Any, s.is_tls13());
        }
        assert_eq!(
            CipherSuite::from_u16(0xC02F),
            Some(CipherSuite::Tls12EcdheRsaAes128GcmSha256)
        );
        assert_eq!(
            CipherSuite::from_u16(0xCCA8),
            Some(CipherSuite::Tls12EcdheRsaChacha20Poly1305)
        );
        assert_eq!(
            CipherSuite::from_u16(0xCCA9),
            Some(CipherSuite::Tls12EcdheEcdsaChacha20Poly1305)
        );
        assert_eq!(CipherSuite::from_u16(0xC09C), None); // AES128-GCM-SHA256: RSA key exchange
        assert_eq!(CipherSuite::from_u16(0xC027), None); // ECDHE-RSA-AES128-SHA256: CBC
        assert_eq!(
            CipherSuite::from_name("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
            Some(CipherSuite::Tls12EcdheEcdsaAes256GcmSha384)
        );
        assert_eq!(CipherSuite::from_name("AES128-GCM-SHA256"), None);
    }

    #[test]
    fn algorithms() {
        use CipherSuite::*;
        assert_eq!(Tls12EcdheRsaAes256GcmSha384.hash(), HashAlgorithm::Sha384);
        assert_eq!(Tls12EcdheEcdsaAes256GcmSha384.hash(), HashAlgorithm::Sha384);
        assert_eq!(Tls13Aes256GcmSha384.hash(), HashAlgorithm::Sha384);
        assert_eq!(Tls12EcdheRsaChacha20Poly1305.hash(), HashAlgorithm::Sha256);
        assert_eq!(Tls12EcdheEcdsaAes128GcmSha256.hash(), HashAlgorithm::Sha256);
        assert_eq!(
            Tls12EcdheEcdsaChacha20Poly1305.aead(),
            AeadAlgorithm::ChaCha20Poly1305
        );
        assert_eq!(
            Tls12EcdheRsaAes128GcmSha256.aead(),
            AeadAlgorithm::Aes128Gcm
        );
        assert_eq!(Tls12EcdheRsaAes128GcmSha256.auth(), SuiteAuth::Rsa);
        assert_eq!(Tls12EcdheEcdsaChacha20Poly1305.auth(), SuiteAuth::Ecdsa);
        assert_eq!(Tls12EcdheRsaAes128GcmSha256.bits(), 128);
        assert_eq!(Tls12EcdheRsaChacha20Poly1305.bits(), 256);
        assert_eq!(Tls13Aes128GcmSha256.bits(), 128);
        assert_eq!(Tls13Chacha20Poly1305Sha256.version(), "TLSv1.3");
        assert_eq!(Tls12EcdheRsaAes256GcmSha384.version(), "TLSv1.2");
    }

    #[test]
    fn descriptions_match_openssl_ciphers_v() {
        // Lines of `openssl ciphers -v` (OpenSSL 3.0 and 3.6 print the same).
        use CipherSuite::*;
        assert_eq!(
            Tls12EcdheEcdsaAes256GcmSha384.description(),
            "ECDHE-ECDSA-AES256-GCM-SHA384  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=AESGCM(256)            Mac=AEAD\n"
        );
        assert_eq!(
            Tls12EcdheRsaChacha20Poly1305.description(),
            "ECDHE-RSA-CHACHA20-POLY1305    TLSv1.2 Kx=ECDH     Au=RSA   Enc=CHACHA20/POLY1305(256) Mac=AEAD\n"
        );
        assert_eq!(
            Tls13Aes128GcmSha256.description(),
            "TLS_AES_128_GCM_SHA256         TLSv1.3 Kx=any      Au=any   Enc=AESGCM(128)            Mac=AEAD\n"
        );
    }

    #[test]
    fn tls13_list_refuses_tls12_suites() {
        assert!(CipherSuite::parse_list("ECDHE-RSA-AES128-GCM-SHA256").is_err());
        assert!(CipherSuite::parse_list(
            "TLS_AES_128_GCM_SHA256:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        )
        .is_err());
        assert!(CipherSuite::parse_list("").is_err());
        assert_eq!(
            CipherSuite::parse_list("TLS_CHACHA20_POLY1305_SHA256::TLS_CHACHA20_POLY1305_SHA256")
                .unwrap(),
            vec![CipherSuite::Tls13Chacha20Poly1305Sha256]
        );
    }
}
