//! Handshake signatures: TLS `SignatureScheme`s, private-key signing and SPKI verification.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    self as lc, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair, VerificationAlgorithm,
};

use super::CryptoError;

/// TLS SignatureScheme (IANA codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureScheme {
    /// `rsa_pkcs1_sha256` (0x0401).
    RsaPkcs1Sha256,
    /// `rsa_pkcs1_sha384` (0x0501).
    RsaPkcs1Sha384,
    /// `rsa_pkcs1_sha512` (0x0601).
    RsaPkcs1Sha512,
    /// `ecdsa_secp256r1_sha256` (0x0403).
    EcdsaSecp256r1Sha256,
    /// `ecdsa_secp384r1_sha384` (0x0503).
    EcdsaSecp384r1Sha384,
    /// `ecdsa_secp521r1_sha512` (0x0603).
    EcdsaSecp521r1Sha512,
    /// `rsa_pss_rsae_sha256` (0x0804).
    RsaPssRsaeSha256,
    /// `rsa_pss_rsae_sha384` (0x0805).
    RsaPssRsaeSha384,
    /// `rsa_pss_rsae_sha512` (0x0806).
    RsaPssRsaeSha512,
    /// `ed25519` (0x0807).
    Ed25519,
    /// `rsa_pss_pss_sha256` (0x0809).
    RsaPssPssSha256,
    /// `rsa_pss_pss_sha384` (0x080a).
    RsaPssPssSha384,
    /// `rsa_pss_pss_sha512` (0x080b).
    RsaPssPssSha512,
    /// `rsa_pkcs1_sha1` (0x0201), legacy.
    RsaPkcs1Sha1,
    /// `ecdsa_sha1` (0x0203), legacy.
    EcdsaSha1,
}

impl SignatureScheme {
    /// Every scheme this module knows.
    pub const ALL: [SignatureScheme; 15] = [
        SignatureScheme::RsaPkcs1Sha256,
        SignatureScheme::RsaPkcs1Sha384,
        SignatureScheme::RsaPkcs1Sha512,
        SignatureScheme::EcdsaSecp256r1Sha256,
        SignatureScheme::EcdsaSecp384r1Sha384,
        SignatureScheme::EcdsaSecp521r1Sha512,
        SignatureScheme::RsaPssRsaeSha256,
        SignatureScheme::RsaPssRsaeSha384,
        SignatureScheme::RsaPssRsaeSha512,
        SignatureScheme::Ed25519,
        SignatureScheme::RsaPssPssSha256,
        SignatureScheme::RsaPssPssSha384,
        SignatureScheme::RsaPssPssSha512,
        SignatureScheme::RsaPkcs1Sha1,
        SignatureScheme::EcdsaSha1,
    ];

    /// The IANA code point.
    pub fn to_u16(self) -> u16 {
        match self {
            SignatureScheme::RsaPkcs1Sha256 => 0x0401,
            SignatureScheme::RsaPkcs1Sha384 => 0x0501,
            SignatureScheme::RsaPkcs1Sha512 => 0x0601,
            SignatureScheme::EcdsaSecp256r1Sha256 => 0x0403,
            SignatureScheme::EcdsaSecp384r1Sha384 => 0x0503,
            SignatureScheme::EcdsaSecp521r1Sha512 => 0x0603,
            SignatureScheme::RsaPssRsaeSha256 => 0x0804,
            SignatureScheme::RsaPssRsaeSha384 => 0x0805,
            SignatureScheme::RsaPssRsaeSha512 => 0x0806,
            SignatureScheme::Ed25519 => 0x0807,
            SignatureScheme::RsaPssPssSha256 => 0x0809,
            SignatureScheme::RsaPssPssSha384 => 0x080a,
            SignatureScheme::RsaPssPssSha512 => 0x080b,
            SignatureScheme::RsaPkcs1Sha1 => 0x0201,
            SignatureScheme::EcdsaSha1 => 0x0203,
        }
    }

    /// Looks up a scheme by IANA code point.
    pub fn from_u16(v: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.to_u16() == v)
    }

    /// The IANA / OpenSSL name, e.g. `"rsa_pss_rsae_sha256"`.
    pub fn name(self) -> &'static str {
        match self {
            SignatureScheme::RsaPkcs1Sha256 => "rsa_pkcs1_sha256",
            SignatureScheme::RsaPkcs1Sha384 => "rsa_pkcs1_sha384",
            SignatureScheme::RsaPkcs1Sha512 => "rsa_pkcs1_sha512",
            SignatureScheme::EcdsaSecp256r1Sha256 => "ecdsa_secp256r1_sha256",
            SignatureScheme::EcdsaSecp384r1Sha384 => "ecdsa_secp384r1_sha384",
            SignatureScheme::EcdsaSecp521r1Sha512 => "ecdsa_secp521r1_sha512",
            SignatureScheme::RsaPssRsaeSha256 => "rsa_pss_rsae_sha256",
            SignatureScheme::RsaPssRsaeSha384 => "rsa_pss_rsae_sha384",
            SignatureScheme::RsaPssRsaeSha512 => "rsa_pss_rsae_sha512",
            SignatureScheme::Ed25519 => "ed25519",
            SignatureScheme::RsaPssPssSha256 => "rsa_pss_pss_sha256",
            SignatureScheme::RsaPssPssSha384 => "rsa_pss_pss_sha384",
            SignatureScheme::RsaPssPssSha512 => "rsa_pss_pss_sha512",
            SignatureScheme::RsaPkcs1Sha1 => "rsa_pkcs1_sha1",
            SignatureScheme::EcdsaSha1 => "ecdsa_sha1",
        }
    }

    /// Parses a scheme name, case-insensitively: the IANA names returned by [`Self::name`],
    /// plus OpenSSL's `ALG+HASH` forms (`RSA+SHA256` = PKCS#1, `RSA-PSS+SHA256` /
    /// `PSS+SHA256` = PSS-RSAE, `ECDSA+SHA256` = `ecdsa_secp256r1_sha256`, ...).
    pub fn from_name(s: &str) -> Option<Self> {
        use SignatureScheme::*;
        if let Some(found) = Self::ALL
            .into_iter()
            .find(|x| x.name().eq_ignore_ascii_case(s))
        {
            return Some(found);
        }
        const ALIASES: [(&str, SignatureScheme); 17] = [
            ("RSA+SHA1", RsaPkcs1Sha1),
            ("RSA+SHA256", RsaPkcs1Sha256),
            ("RSA+SHA384", RsaPkcs1Sha384),
            ("RSA+SHA512", RsaPkcs1Sha512),
            ("ECDSA+SHA1", EcdsaSha1),
            ("ECDSA+SHA256", EcdsaSecp256r1Sha256),
            ("ECDSA+SHA384", EcdsaSecp384r1Sha384),
            ("ECDSA+SHA512", EcdsaSecp521r1Sha512),
            ("RSA-PSS+SHA256", RsaPssRsaeSha256),
            ("RSA-PSS+SHA384", RsaPssRsaeSha384),
            ("RSA-PSS+SHA512", RsaPssRsaeSha512),
            ("PSS+SHA256", RsaPssRsaeSha256),
            ("PSS+SHA384", RsaPssRsaeSha384),
            ("PSS+SHA512", RsaPssRsaeSha512),
            ("EdDSA", Ed25519),
            ("ED25519+NONE", Ed25519),
            ("rsa_pkcs1_sha1", RsaPkcs1Sha1),
        ];
        ALIASES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map(|&(_, v)| v)
    }

    /// Whether TLS 1.3 allows this scheme for CertificateVerify (false for PKCS#1 v1.5 and SHA-1).
    pub fn usable_in_tls13(self) -> bool {
        !matches!(
            self,
            SignatureScheme::RsaPkcs1Sha256
                | SignatureScheme::RsaPkcs1Sha384
                | SignatureScheme::RsaPkcs1Sha512
                | SignatureScheme::RsaPkcs1Sha1
                | SignatureScheme::EcdsaSha1
        )
    }
}

/// The kind of a private key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    /// RSA with a modulus of `bits` bits.
    Rsa {
        /// Modulus size in bits.
        bits: usize,
    },
    /// ECDSA on NIST P-256.
    EcP256,
    /// ECDSA on NIST P-384.
    EcP384,
    /// Ed25519.
    Ed25519,
}

enum Inner {
    Rsa { key: RsaKeyPair, bits: usize },
    EcP256(EcdsaKeyPair),
    EcP384(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// A private key able to sign handshake messages.
pub struct SigningKey {
    inner: Inner,
    spki: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("key_type", &self.key_type())
            .finish_non_exhaustive()
    }
}

const MIN_RSA_BITS: usize = 2048;
const MAX_RSA_BITS: usize = 4096;

fn rejected(_: aws_lc_rs::error::KeyRejected) -> CryptoError {
    CryptoError("private key rejected")
}

fn spki_of<K: AsDer<aws_lc_rs::encoding::PublicKeyX509Der<'static>>>(
    k: &K,
) -> Result<Vec<u8>, CryptoError> {
    k.as_der()
        .map(|d| d.as_ref().to_vec())
        .map_err(|_| CryptoError("cannot encode public key"))
}

/// Which elliptic curve an `id-ecPublicKey` parameter OID names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Curve {
    P256,
    P384,
    P521,
}

fn curve_from_oid(oid: &[u8]) -> Option<Curve> {
    match oid {
        oid::PRIME256V1 => Some(Curve::P256),
        oid::SECP384R1 => Some(Curve::P384),
        oid::SECP521R1 => Some(Curve::P521),
        _ => None,
    }
}

impl SigningKey {
    /// Accepts PKCS#8 (RSA, EC P-256/P-384, Ed25519), PKCS#1 RSAPrivateKey, SEC1 ECPrivateKey, all DER.
    ///
    /// RSA keys outside 2048..=4096 bits are refused.
    pub fn from_der(der: &[u8]) -> Result<Self, CryptoError> {
        let body = der::single(der, der::SEQUENCE)?;
        let mut r = der::Reader::new(body);
        let version = r.read(der::INTEGER)?;
        match r.peek_tag() {
            // PKCS#8 PrivateKeyInfo / OneAsymmetricKey.
            Some(der::SEQUENCE) => {
                let mut alg = der::Reader::new(r.read(der::SEQUENCE)?);
                let alg_oid = alg.read(der::OID)?;
                match alg_oid {
                    oid::RSA_ENCRYPTION => Self::rsa(RsaKeyPair::from_pkcs8(der)),
                    oid::ED25519 => {
                        let key = Ed25519KeyPair::from_pkcs8(der).map_err(rejected)?;
                        let spki = spki_of(key.public_key())?;
                        Ok(SigningKey {
                            inner: Inner::Ed25519(key),
                            spki,
                        })
                    }
                    oid::EC_PUBLIC_KEY => {
                        let curve = curve_from_oid(alg.read(der::OID)?);
                        match curve {
                            Some(Curve::P256) => {
                                Self::ec(Curve::P256, |a| EcdsaKeyPair::from_pkcs8(a, der))
                            }
                            Some(Curve::P384) => {
                                Self::ec(Curve::P384, |a| EcdsaKeyPair::from_pkcs8(a, der))
                            }
                            _ => Err(CryptoError("unsupported elliptic curve")),
                        }
                    }
                    oid::RSASSA_PSS => Err(CryptoError("RSA-PSS-only keys are not supported")),
                    _ => Err(CryptoError("unsupported private key algorithm")),
                }
            }
            // PKCS#1 RSAPrivateKey: version, modulus, ...
            Some(der::INTEGER) => Self::rsa(RsaKeyPair::from_der(der)),
            // SEC1 ECPrivateKey: version 1, privateKey, [0] parameters OPTIONAL, [1] publicKey OPTIONAL.
            Some(der::OCTET_STRING) => {
                if version != [1] {
                    return Err(CryptoError("unsupported ECPrivateKey version"));
                }
                let scalar = r.read(der::OCTET_STRING)?;
                let curve = match r.read_optional(der::CONTEXT_0)? {
                    Some(params) => curve_from_oid(der::single(params, der::OID)?),
                    None => match scalar.len() {
                        32 => Some(Curve::P256),
                        48 => Some(Curve::P384),
                        // Without parameters and with an unusual scalar length, try both.
                        _ => {
                            return Self::ec(Curve::P256, |a| {
                                EcdsaKeyPair::from_private_key_der(a, der)
                            })
                            .or_else(|_| {
                                Self::ec(Curve::P384, |a| {
                                    EcdsaKeyPair::from_private_key_der(a, der)
                                })
                            })
                        }
                    },
                };
                match curve {
                    Some(c @ (Curve::P256 | Curve::P384)) => {
                        Self::ec(c, |a| EcdsaKeyPair::from_private_key_der(a, der))
                    }
                    _ => Err(CryptoError("unsupported elliptic curve")),
                }
            }
            _ => Err(CryptoError("unrecognised private key encoding")),
        }
    }

    fn rsa(parsed: Result<RsaKeyPair, aws_lc_rs::error::KeyRejected>) -> Result<Self, CryptoError> {
        let bad_size = CryptoError("RSA key size outside 2048..=4096 bits");
        let key = parsed.map_err(|e| match e.description_() {
            "TooSmall" | "TooLarge" => bad_size,
            _ => CryptoError("RSA private key rejected"),
        })?;
        let bits = rsa_public_key_bits(key.public_key().as_ref())?;
        if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
            return Err(bad_size);
        }
        let spki = spki_of(key.public_key())?;
        Ok(SigningKey {
            inner: Inner::Rsa { key, bits },
            spki,
        })
    }

    fn ec(
        curve: Curve,
        parse: impl FnOnce(
            &'static lc::EcdsaSigningAlgorithm,
        ) -> Result<EcdsaKeyPair, aws_lc_rs::error::KeyRejected>,
    ) -> Result<Self, CryptoError> {
        let (alg, wrap): (_, fn(EcdsaKeyPair) -> Inner) = match curve {
            Curve::P256 => (&lc::ECDSA_P256_SHA256_ASN1_SIGNING, Inner::EcP256),
            Curve::P384 => (&lc::ECDSA_P384_SHA384_ASN1_SIGNING, Inner::EcP384),
            Curve::P521 => return Err(CryptoError("unsupported elliptic curve")),
        };
        let key = parse(alg).map_err(rejected)?;
        let spki = spki_of(key.public_key())?;
        Ok(SigningKey {
            inner: wrap(key),
            spki,
        })
    }

    /// The kind of key.
    pub fn key_type(&self) -> KeyType {
        match &self.inner {
            Inner::Rsa { bits, .. } => KeyType::Rsa { bits: *bits },
            Inner::EcP256(_) => KeyType::EcP256,
            Inner::EcP384(_) => KeyType::EcP384,
            Inner::Ed25519(_) => KeyType::Ed25519,
        }
    }

    /// Schemes this key can sign with, most preferred first (tls13=true drops PKCS1; RSA: PSS-RSAE 256/384/512 then, if !tls13, PKCS1 256/384/512; EC P-256: ecdsa_secp256r1_sha256; P-384: ecdsa_secp384r1_sha384; Ed25519: ed25519).
    pub fn schemes(&self, tls13: bool) -> Vec<SignatureScheme> {
        use SignatureScheme::*;
        match &self.inner {
            Inner::Rsa { .. } => {
                let mut v = vec![RsaPssRsaeSha256, RsaPssRsaeSha384, RsaPssRsaeSha512];
                if !tls13 {
                    v.extend([RsaPkcs1Sha256, RsaPkcs1Sha384, RsaPkcs1Sha512]);
                }
                v
            }
            Inner::EcP256(_) => vec![EcdsaSecp256r1Sha256],
            Inner::EcP384(_) => vec![EcdsaSecp384r1Sha384],
            Inner::Ed25519(_) => vec![Ed25519],
        }
    }

    /// Signs `message` (the full message; hashing is done here). Fails if `scheme` is not one of
    /// [`Self::schemes`]`(false)`.
    pub fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        use SignatureScheme as S;
        let failed = CryptoError("signing failed");
        let unsupported = CryptoError("signature scheme not supported by this key");
        match &self.inner {
            Inner::Rsa { key, .. } => {
                let encoding: &'static dyn lc::RsaEncoding = match scheme {
                    S::RsaPssRsaeSha256 => &lc::RSA_PSS_SHA256,
                    S::RsaPssRsaeSha384 => &lc::RSA_PSS_SHA384,
                    S::RsaPssRsaeSha512 => &lc::RSA_PSS_SHA512,
                    S::RsaPkcs1Sha256 => &lc::RSA_PKCS1_SHA256,
                    S::RsaPkcs1Sha384 => &lc::RSA_PKCS1_SHA384,
                    S::RsaPkcs1Sha512 => &lc::RSA_PKCS1_SHA512,
                    _ => return Err(unsupported),
                };
                let mut sig = vec![0u8; key.public_modulus_len()];
                key.sign(encoding, &SystemRandom::new(), message, &mut sig)
                    .map_err(|_| failed)?;
                Ok(sig)
            }
            Inner::EcP256(key) if scheme == S::EcdsaSecp256r1Sha256 => key
                .sign(&SystemRandom::new(), message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| failed),
            Inner::EcP384(key) if scheme == S::EcdsaSecp384r1Sha384 => key
                .sign(&SystemRandom::new(), message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| failed),
            Inner::EcP256(_) | Inner::EcP384(_) => Err(unsupported),
            Inner::Ed25519(key) => {
                if scheme != S::Ed25519 {
                    return Err(unsupported);
                }
                key.try_sign(message)
                    .map(|s| s.as_ref().to_vec())
                    .map_err(|_| failed)
            }
        }
    }

    /// The SubjectPublicKeyInfo DER of the public half (to match against a certificate).
    pub fn public_key_spki(&self) -> Vec<u8> {
        self.spki.clone()
    }
}

/// Exact bit length of the modulus of a DER `RSAPublicKey`.
fn rsa_public_key_bits(rsa_public_key: &[u8]) -> Result<usize, CryptoError> {
    let mut r = der::Reader::new(der::single(rsa_public_key, der::SEQUENCE)?);
    let n = r.read(der::INTEGER)?;
    let n = match n.iter().position(|&b| b != 0) {
        Some(i) => &n[i..],
        None => return Err(CryptoError("RSA modulus is zero")),
    };
    let top = n.first().copied().unwrap_or(0);
    Ok((n.len() - 1) * 8 + (8 - top.leading_zeros() as usize))
}

/// A parsed SubjectPublicKeyInfo.
struct Spki<'a> {
    alg: &'a [u8],
    params: Option<(u8, &'a [u8])>,
    key: &'a [u8],
}

fn parse_spki(spki: &[u8]) -> Result<Spki<'_>, CryptoError> {
    let mut r = der::Reader::new(der::single(spki, der::SEQUENCE)?);
    let mut alg_id = der::Reader::new(r.read(der::SEQUENCE)?);
    let bits = r.read(der::BIT_STRING)?;
    r.finish()?;
    let alg = alg_id.read(der::OID)?;
    let params = if alg_id.is_empty() {
        None
    } else {
        Some(alg_id.read_any()?)
    };
    alg_id.finish()?;
    let key = match bits.split_first() {
        Some((0, key)) => key,
        _ => return Err(CryptoError("malformed subjectPublicKey")),
    };
    Ok(Spki { alg, params, key })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Digest {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

fn ecdsa_alg(curve: Curve, digest: Digest) -> Option<&'static lc::EcdsaVerificationAlgorithm> {
    Some(match (curve, digest) {
        (Curve::P256, Digest::Sha1) => &lc::ECDSA_P256_SHA1_ASN1,
        (Curve::P256, Digest::Sha256) => &lc::ECDSA_P256_SHA256_ASN1,
        (Curve::P256, Digest::Sha384) => &lc::ECDSA_P256_SHA384_ASN1,
        (Curve::P256, Digest::Sha512) => &lc::ECDSA_P256_SHA512_ASN1,
        (Curve::P384, Digest::Sha1) => return None,
        (Curve::P384, Digest::Sha256) => &lc::ECDSA_P384_SHA256_ASN1,
        (Curve::P384, Digest::Sha384) => &lc::ECDSA_P384_SHA384_ASN1,
        (Curve::P384, Digest::Sha512) => &lc::ECDSA_P384_SHA512_ASN1,
        (Curve::P521, Digest::Sha1) => &lc::ECDSA_P521_SHA1_ASN1,
        (Curve::P521, Digest::Sha256) => &lc::ECDSA_P521_SHA256_ASN1,
        (Curve::P521, Digest::Sha384) => &lc::ECDSA_P521_SHA384_ASN1,
        (Curve::P521, Digest::Sha512) => &lc::ECDSA_P521_SHA512_ASN1,
    })
}

fn verify_inner(
    spki: &[u8],
    scheme: SignatureScheme,
    message: &[u8],
    signature: &[u8],
    bind_curve: bool,
) -> Result<(), CryptoError> {
    use SignatureScheme as S;
    let mismatch = CryptoError("public key does not match the signature scheme");
    let spki = parse_spki(spki)?;
    let (alg, key): (&'static dyn VerificationAlgorithm, &[u8]) = match scheme {
        S::RsaPkcs1Sha1
        | S::RsaPkcs1Sha256
        | S::RsaPkcs1Sha384
        | S::RsaPkcs1Sha512
        | S::RsaPssRsaeSha256
        | S::RsaPssRsaeSha384
        | S::RsaPssRsaeSha512 => {
            // rsaEncryption; parameters must be NULL (tolerate absent).
            if spki.alg != oid::RSA_ENCRYPTION
                || !matches!(spki.params, None | Some((der::NULL, [])))
            {
                return Err(mismatch);
            }
            let alg: &'static lc::RsaParameters = match scheme {
                S::RsaPkcs1Sha1 => &lc::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
                S::RsaPkcs1Sha256 => &lc::RSA_PKCS1_2048_8192_SHA256,
                S::RsaPkcs1Sha384 => &lc::RSA_PKCS1_2048_8192_SHA384,
                S::RsaPkcs1Sha512 => &lc::RSA_PKCS1_2048_8192_SHA512,
                S::RsaPssRsaeSha256 => &lc::RSA_PSS_2048_8192_SHA256,
                S::RsaPssRsaeSha384 => &lc::RSA_PSS_2048_8192_SHA384,
                _ => &lc::RSA_PSS_2048_8192_SHA512,
            };
            (alg, spki.key)
        }
        S::RsaPssPssSha256 | S::RsaPssPssSha384 | S::RsaPssPssSha512 => {
            // id-RSASSA-PSS keys; any parameters are not enforced beyond the scheme's hash.
            if spki.alg != oid::RSASSA_PSS {
                return Err(mismatch);
            }
            let alg: &'static lc::RsaParameters = match scheme {
                S::RsaPssPssSha256 => &lc::RSA_PSS_2048_8192_SHA256,
                S::RsaPssPssSha384 => &lc::RSA_PSS_2048_8192_SHA384,
                _ => &lc::RSA_PSS_2048_8192_SHA512,
            };
            (alg, spki.key)
        }
        S::EcdsaSecp256r1Sha256
        | S::EcdsaSecp384r1Sha384
        | S::EcdsaSecp521r1Sha512
        | S::EcdsaSha1 => {
            if spki.alg != oid::EC_PUBLIC_KEY {
                return Err(mismatch);
            }
            let curve = match spki.params {
                Some((der::OID, c)) => curve_from_oid(c),
                _ => None,
            }
            .ok_or(CryptoError("unsupported elliptic curve"))?;
            let (bound, digest) = match scheme {
                S::EcdsaSecp256r1Sha256 => (Some(Curve::P256), Digest::Sha256),
                S::EcdsaSecp384r1Sha384 => (Some(Curve::P384), Digest::Sha384),
                S::EcdsaSecp521r1Sha512 => (Some(Curve::P521), Digest::Sha512),
                _ => (None, Digest::Sha1),
            };
            if bind_curve && bound.is_some_and(|b| b != curve) {
                return Err(mismatch);
            }
            let alg = ecdsa_alg(curve, digest).ok_or(mismatch)?;
            (alg, spki.key)
        }
        S::Ed25519 => {
            if spki.alg != oid::ED25519 || spki.params.is_some() || spki.key.len() != 32 {
                return Err(mismatch);
            }
            (&lc::ED25519, spki.key)
        }
    };
    lc::UnparsedPublicKey::new(alg, key)
        .verify(message, signature)
        .map_err(|_| CryptoError("signature verification failed"))
}

/// Verifies `signature` over `message` with a public key given as SubjectPublicKeyInfo DER.
///
/// ECDSA schemes are bound to their curve (TLS 1.3 semantics): `ecdsa_secp256r1_sha256` needs a
/// P-256 key, etc. RSA keys must be 2048..=8192 bits. `rsa_pss_pss_*` needs an `id-RSASSA-PSS`
/// key and the other RSA schemes an `rsaEncryption` key.
pub fn verify_spki(
    spki: &[u8],
    scheme: SignatureScheme,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    verify_inner(spki, scheme, message, signature, true)
}

/// Like [`verify_spki`], but with TLS 1.2 semantics for ECDSA: the scheme names only the hash,
/// so e.g. `ecdsa_secp256r1_sha256` accepts an ECDSA-with-SHA-256 signature from a P-384 key.
pub fn verify_spki_tls12(
    spki: &[u8],
    scheme: SignatureScheme,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    verify_inner(spki, scheme, message, signature, false)
}

/// DER encodings (content octets) of the object identifiers used here.
mod oid {
    /// 1.2.840.113549.1.1.1
    pub(super) const RSA_ENCRYPTION: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    /// 1.2.840.113549.1.1.10
    pub(super) const RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
    /// 1.2.840.10045.2.1
    pub(super) const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    /// 1.2.840.10045.3.1.7
    pub(super) const PRIME256V1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    /// 1.3.132.0.34
    pub(super) const SECP384R1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
    /// 1.3.132.0.35
    pub(super) const SECP521R1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
    /// 1.3.101.112
    pub(super) const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
}

/// A minimal, strict DER reader (definite lengths, minimal length encoding, low tag numbers).
/// Never panics.
mod der {
    use super::CryptoError;

    pub(super) const INTEGER: u8 = 0x02;
    pub(super) const BIT_STRING: u8 = 0x03;
    pub(super) const OCTET_STRING: u8 = 0x04;
    pub(super) const NULL: u8 = 0x05;
    pub(super) const OID: u8 = 0x06;
    pub(super) const SEQUENCE: u8 = 0x30;
    pub(super) const CONTEXT_0: u8 = 0xa0;

    const BAD: CryptoError = CryptoError("malformed DER");

    pub(super) struct Reader<'a> {
        data: &'a [u8],
    }

    impl<'a> Reader<'a> {
        pub(super) fn new(data: &'a [u8]) -> Self {
            Reader { data }
        }

        pub(super) fn is_empty(&self) -> bool {
            self.data.is_empty()
        }

        pub(super) fn peek_tag(&self) -> Option<u8> {
            self.data.first().copied()
        }

        pub(super) fn finish(&self) -> Result<(), CryptoError> {
            if self.data.is_empty() {
                Ok(())
            } else {
                Err(BAD)
            }
        }

        /// Reads one TLV, returning its tag and contents.
        pub(super) fn read_any(&mut self) -> Result<(u8, &'a [u8]), CryptoError> {
            let (&tag, rest) = self.data.split_first().ok_or(BAD)?;
            if tag & 0x1f == 0x1f {
                return Err(BAD); // high tag numbers are not used by anything we parse
            }
            let (&first, mut rest) = rest.split_first().ok_or(BAD)?;
            let len = if first < 0x80 {
                usize::from(first)
            } else {
                let n = usize::from(first & 0x7f);
                if n == 0 || n > 4 {
                    return Err(BAD); // indefinite or absurdly long
                }
                if rest.len() < n {
                    return Err(BAD);
                }
                let (len_bytes, after) = rest.split_at(n);
                rest = after;
                if len_bytes.first() == Some(&0) {
                    return Err(BAD); // non-minimal
                }
                let len = len_bytes
                    .iter()
                    .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
                if len < 0x80 {
                    return Err(BAD); // should have used the short form
                }
                len
            };
            if rest.len() < len {
                return Err(BAD);
            }
            let (value, after) = rest.split_at(len);
            self.data = after;
            Ok((tag, value))
        }

        /// Reads one TLV which must have tag `tag`.
        pub(super) fn read(&mut self, tag: u8) -> Result<&'a [u8], CryptoError> {
            match self.read_any()? {
                (t, v) if t == tag => Ok(v),
                _ => Err(BAD),
            }
        }

        /// Reads a TLV with tag `tag` if it is next.
        pub(super) fn read_optional(&mut self, tag: u8) -> Result<Option<&'a [u8]>, CryptoError> {
            if self.peek_tag() == Some(tag) {
                self.read(tag).map(Some)
            } else {
                Ok(None)
            }
        }
    }

    /// `data` must be exactly one TLV with tag `tag`; returns its contents.
    pub(super) fn single(data: &[u8], tag: u8) -> Result<&[u8], CryptoError> {
        let mut r = Reader::new(data);
        let v = r.read(tag)?;
        r.finish()?;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rsa::KeySize;

    const MSG: &[u8] = b"TLS 1.3, server CertificateVerify\x00 transcript hash goes here";

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let n = content.len();
        if n < 0x80 {
            out.push(n as u8);
        } else if n < 0x100 {
            out.extend([0x81, n as u8]);
        } else {
            out.extend([0x82, (n >> 8) as u8, n as u8]);
        }
        out.extend_from_slice(content);
        out
    }

    fn rsa_pkcs8(size: KeySize) -> Vec<u8> {
        RsaKeyPair::generate(size)
            .unwrap()
            .as_der()
            .unwrap()
            .as_ref()
            .to_vec()
    }

    fn ec_pkcs8(alg: &'static lc::EcdsaSigningAlgorithm) -> Vec<u8> {
        EcdsaKeyPair::generate(alg)
            .unwrap()
            .to_pkcs8v1()
            .unwrap()
            .as_ref()
            .to_vec()
    }

    fn ed_pkcs8() -> Vec<u8> {
        Ed25519KeyPair::generate()
            .unwrap()
            .to_pkcs8()
            .unwrap()
            .as_ref()
            .to_vec()
    }

    /// The privateKey OCTET STRING of a PKCS#8 document (PKCS#1 for RSA, SEC1 for EC).
    fn pkcs8_inner(pkcs8: &[u8]) -> Vec<u8> {
        let mut r = der::Reader::new(der::single(pkcs8, der::SEQUENCE).unwrap());
        r.read(der::INTEGER).unwrap();
        r.read(der::SEQUENCE).unwrap();
        r.read(der::OCTET_STRING).unwrap().to_vec()
    }

    fn check_sign_verify(key: &SigningKey) {
        let spki = key.public_key_spki();
        for scheme in key.schemes(false) {
            let sig = key.sign(scheme, MSG).unwrap();
            verify_spki(&spki, scheme, MSG, &sig).unwrap();
            verify_spki_tls12(&spki, scheme, MSG, &sig).unwrap();
            // Wrong message.
            assert!(verify_spki(&spki, scheme, b"other message", &sig).is_err());
            // Tampered signature.
            let mut bad = sig.clone();
            let mid = bad.len() / 2;
            bad[mid] ^= 1;
            assert!(verify_spki(&spki, scheme, MSG, &bad).is_err());
            assert!(verify_spki(&spki, scheme, MSG, &[]).is_err());
            assert!(verify_spki(&spki, scheme, MSG, &sig[..sig.len() - 1]).is_err());
            // Under every other scheme the signature must not verify.
            for other in SignatureScheme::ALL {
                if other != scheme {
                    assert!(
                        verify_spki(&spki, other, MSG, &sig).is_err(),
                        "{scheme:?} signature accepted as {other:?}"
                    );
                }
            }
        }
        // Schemes the key cannot do are refused.
        for scheme in SignatureScheme::ALL {
            if !key.schemes(false).contains(&scheme) {
                assert!(key.sign(scheme, MSG).is_err(), "{scheme:?}");
            }
        }
        // TLS 1.3 lists are the TLS 1.2 lists minus non-TLS-1.3 schemes.
        let t13 = key.schemes(true);
        assert!(t13.iter().all(|s| s.usable_in_tls13()));
        let filtered: Vec<_> = key
            .schemes(false)
            .into_iter()
            .filter(|s| s.usable_in_tls13())
            .collect();
        assert_eq!(t13, filtered);
        // Debug shows no key material.
        let dbg = format!("{key:?}");
        assert!(dbg.starts_with("SigningKey { key_type: "), "{dbg}");
    }

    #[test]
    fn scheme_codes_and_names() {
        for s in SignatureScheme::ALL {
            assert_eq!(SignatureScheme::from_u16(s.to_u16()), Some(s));
            assert_eq!(SignatureScheme::from_name(s.name()), Some(s));
            assert_eq!(
                SignatureScheme::from_name(&s.name().to_uppercase()),
                Some(s)
            );
        }
        assert_eq!(SignatureScheme::RsaPssPssSha384.to_u16(), 0x080a);
        assert_eq!(SignatureScheme::EcdsaSha1.to_u16(), 0x0203);
        assert_eq!(SignatureScheme::from_u16(0x0808), None);
        assert_eq!(SignatureScheme::Ed25519.name(), "ed25519");
        assert_eq!(
            SignatureScheme::from_name("ECDSA+SHA256"),
            Some(SignatureScheme::EcdsaSecp256r1Sha256)
        );
        assert_eq!(
            SignatureScheme::from_name("rsa-pss+sha384"),
            Some(SignatureScheme::RsaPssRsaeSha384)
        );
        assert_eq!(
            SignatureScheme::from_name("RSA+SHA512"),
            Some(SignatureScheme::RsaPkcs1Sha512)
        );
        assert_eq!(SignatureScheme::from_name("nonsense"), None);
        let not13: Vec<_> = SignatureScheme::ALL
            .into_iter()
            .filter(|s| !s.usable_in_tls13())
            .collect();
        assert_eq!(
            not13,
            [
                SignatureScheme::RsaPkcs1Sha256,
                SignatureScheme::RsaPkcs1Sha384,
                SignatureScheme::RsaPkcs1Sha512,
                SignatureScheme::RsaPkcs1Sha1,
                SignatureScheme::EcdsaSha1
            ]
        );
    }

    #[test]
    fn rsa_pkcs8_and_pkcs1() {
        use SignatureScheme::*;
        let pkcs8 = rsa_pkcs8(KeySize::Rsa2048);
        let key = SigningKey::from_der(&pkcs8).unwrap();
        assert_eq!(key.key_type(), KeyType::Rsa { bits: 2048 });
        assert_eq!(
            key.schemes(true),
            [RsaPssRsaeSha256, RsaPssRsaeSha384, RsaPssRsaeSha512]
        );
        assert_eq!(
            key.schemes(false),
            [
                RsaPssRsaeSha256,
                RsaPssRsaeSha384,
                RsaPssRsaeSha512,
                RsaPkcs1Sha256,
                RsaPkcs1Sha384,
                RsaPkcs1Sha512
            ]
        );
        check_sign_verify(&key);
        // PKCS#1 v1.5 signatures are deterministic.
        assert_eq!(
            key.sign(RsaPkcs1Sha256, MSG).unwrap(),
            key.sign(RsaPkcs1Sha256, MSG).unwrap()
        );

        let pkcs1 = pkcs8_inner(&pkcs8);
        let key1 = SigningKey::from_der(&pkcs1).unwrap();
        assert_eq!(key1.key_type(), KeyType::Rsa { bits: 2048 });
        assert_eq!(key1.public_key_spki(), key.public_key_spki());
        let sig = key1.sign(RsaPssRsaeSha256, MSG).unwrap();
        verify_spki(&key.public_key_spki(), RsaPssRsaeSha256, MSG, &sig).unwrap();
    }

    #[test]
    fn rsa_3072_accepted() {
        let key = SigningKey::from_der(&rsa_pkcs8(KeySize::Rsa3072)).unwrap();
        assert_eq!(key.key_type(), KeyType::Rsa { bits: 3072 });
        let sig = key.sign(SignatureScheme::RsaPssRsaeSha512, MSG).unwrap();
        assert_eq!(sig.len(), 384);
        verify_spki(
            &key.public_key_spki(),
            SignatureScheme::RsaPssRsaeSha512,
            MSG,
            &sig,
        )
        .unwrap();
    }

    #[test]
    fn rsa_pss_pss_spki() {
        // Re-wrap an RSA public key as an id-RSASSA-PSS SPKI: PSS signatures from the same key
        // verify under rsa_pss_pss_*, and the OIDs are not interchangeable.
        let key = SigningKey::from_der(&rsa_pkcs8(KeySize::Rsa2048)).unwrap();
        let rsae_spki = key.public_key_spki();
        let parsed = parse_spki(&rsae_spki).unwrap();
        let mut bits = vec![0u8];
        bits.extend_from_slice(parsed.key);
        let mut body = tlv(der::SEQUENCE, &tlv(der::OID, oid::RSASSA_PSS));
        body.extend(tlv(der::BIT_STRING, &bits));
        let pss_spki = tlv(der::SEQUENCE, &body);

        for (rsae, pss) in [
            (
                SignatureScheme::RsaPssRsaeSha256,
                SignatureScheme::RsaPssPssSha256,
            ),
            (
                SignatureScheme::RsaPssRsaeSha384,
                SignatureScheme::RsaPssPssSha384,
            ),
            (
                SignatureScheme::RsaPssRsaeSha512,
                SignatureScheme::RsaPssPssSha512,
            ),
        ] {
            let sig = key.sign(rsae, MSG).unwrap();
            verify_spki(&pss_spki, pss, MSG, &sig).unwrap();
            assert!(verify_spki(&pss_spki, rsae, MSG, &sig).is_err());
            assert!(verify_spki(&rsae_spki, pss, MSG, &sig).is_err());
            assert!(key.sign(pss, MSG).is_err());
        }
    }

    #[test]
    fn ec_p256_pkcs8_and_sec1() {
        let pkcs8 = ec_pkcs8(&lc::ECDSA_P256_SHA256_ASN1_SIGNING);
        let key = SigningKey::from_der(&pkcs8).unwrap();
        assert_eq!(key.key_type(), KeyType::EcP256);
        assert_eq!(key.schemes(true), [SignatureScheme::EcdsaSecp256r1Sha256]);
        assert_eq!(key.schemes(false), [SignatureScheme::EcdsaSecp256r1Sha256]);
        check_sign_verify(&key);

        let sec1 = pkcs8_inner(&pkcs8);
        let k2 = SigningKey::from_der(&sec1).unwrap();
        assert_eq!(k2.key_type(), KeyType::EcP256);
        assert_eq!(k2.public_key_spki(), key.public_key_spki());

        let kp = EcdsaKeyPair::from_pkcs8(&lc::ECDSA_P256_SHA256_ASN1_SIGNING, &pkcs8).unwrap();
        let sec1_with_params = kp.private_key().as_der().unwrap();
        let k3 = SigningKey::from_der(sec1_with_params.as_ref()).unwrap();
        assert_eq!(k3.public_key_spki(), key.public_key_spki());
    }

    #[test]
    fn ec_p384_pkcs8_and_sec1() {
        let pkcs8 = ec_pkcs8(&lc::ECDSA_P384_SHA384_ASN1_SIGNING);
        let key = SigningKey::from_der(&pkcs8).unwrap();
        assert_eq!(key.key_type(), KeyType::EcP384);
        assert_eq!(key.schemes(true), [SignatureScheme::EcdsaSecp384r1Sha384]);
        check_sign_verify(&key);
        let kp = EcdsaKeyPair::from_pkcs8(&lc::ECDSA_P384_SHA384_ASN1_SIGNING, &pkcs8).unwrap();
        let sec1 = kp.private_key().as_der().unwrap();
        let k2 = SigningKey::from_der(sec1.as_ref()).unwrap();
        assert_eq!(k2.key_type(), KeyType::EcP384);
        assert_eq!(k2.public_key_spki(), key.public_key_spki());
        let k3 = SigningKey::from_der(&pkcs8_inner(&pkcs8)).unwrap();
        assert_eq!(k3.public_key_spki(), key.public_key_spki());
    }

    #[test]
    fn ed25519_pkcs8() {
        let key = SigningKey::from_der(&ed_pkcs8()).unwrap();
        assert_eq!(key.key_type(), KeyType::Ed25519);
        assert_eq!(key.schemes(true), [SignatureScheme::Ed25519]);
        check_sign_verify(&key);
        let spki = key.public_key_spki();
        assert_eq!(spki.len(), 44);
        // PKCS#8 v1 is accepted too.
        let kp = Ed25519KeyPair::generate().unwrap();
        let v1 = kp.to_pkcs8v1().unwrap();
        let k1 = SigningKey::from_der(v1.as_ref()).unwrap();
        assert_eq!(k1.public_key_spki(), spki_of(kp.public_key()).unwrap());
    }

    #[test]
    fn ecdsa_curve_binding_tls13_vs_tls12() {
        // A P-384 key signing with SHA-256 (legal in TLS 1.2 under ecdsa_secp256r1_sha256).
        use openssl::{ec, hash::MessageDigest, nid::Nid, pkey::PKey, sign::Signer};
        let group = ec::EcGroup::from_curve_name(Nid::SECP384R1).unwrap();
        let pkey = PKey::from_ec_key(ec::EcKey::generate(&group).unwrap()).unwrap();
        let spki = pkey.public_key_to_der().unwrap();
        let mut signer = Signer::new(MessageDigest::sha256(), &pkey).unwrap();
        signer.update(MSG).unwrap();
        let sig = signer.sign_to_vec().unwrap();
        let s = SignatureScheme::EcdsaSecp256r1Sha256;
        assert!(verify_spki(&spki, s, MSG, &sig).is_err());
        verify_spki_tls12(&spki, s, MSG, &sig).unwrap();
        assert!(verify_spki_tls12(&spki, s, b"x", &sig).is_err());
        // P-384 has no SHA-1 ECDSA verifier in aws-lc-rs.
        assert!(verify_spki_tls12(&spki, SignatureScheme::EcdsaSha1, MSG, &sig).is_err());
    }

    #[test]
    fn openssl_interop() {
        use openssl::{
            ec, hash::MessageDigest, nid::Nid, pkey::PKey, rsa::Padding, rsa::Rsa,
            sign::RsaPssSaltlen, sign::Signer, sign::Verifier,
        };
        // RSA: OpenSSL-generated PKCS#1 key; our PSS signature verifies in OpenSSL and
        // OpenSSL's PSS signature verifies with us.
        let rsa = Rsa::generate(2048).unwrap();
        let key = SigningKey::from_der(&rsa.private_key_to_der().unwrap()).unwrap();
        let pkey = PKey::from_rsa(rsa).unwrap();
        assert_eq!(key.public_key_spki(), pkey.public_key_to_der().unwrap());
        let sig = key.sign(SignatureScheme::RsaPssRsaeSha256, MSG).unwrap();
        let mut v = Verifier::new(MessageDigest::sha256(), &pkey).unwrap();
        v.set_rsa_padding(Padding::PKCS1_PSS).unwrap();
        v.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH).unwrap();
        v.update(MSG).unwrap();
        assert!(v.verify(&sig).unwrap());
        let mut s = Signer::new(MessageDigest::sha384(), &pkey).unwrap();
        s.set_rsa_padding(Padding::PKCS1_PSS).unwrap();
        s.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH).unwrap();
        s.update(MSG).unwrap();
        let sig = s.sign_to_vec().unwrap();
        verify_spki(
            &key.public_key_spki(),
            SignatureScheme::RsaPssRsaeSha384,
            MSG,
            &sig,
        )
        .unwrap();
        // PKCS#1 v1.5 signatures are deterministic: byte-identical to OpenSSL's.
        let mut s = Signer::new(MessageDigest::sha512(), &pkey).unwrap();
        s.update(MSG).unwrap();
        assert_eq!(
            s.sign_to_vec().unwrap(),
            key.sign(SignatureScheme::RsaPkcs1Sha512, MSG).unwrap()
        );

        // EC: OpenSSL SEC1 keys for both curves.
        for (nid, md, scheme, kt) in [
            (
                Nid::X9_62_PRIME256V1,
                MessageDigest::sha256(),
                SignatureScheme::EcdsaSecp256r1Sha256,
                KeyType::EcP256,
            ),
            (
                Nid::SECP384R1,
                MessageDigest::sha384(),
                SignatureScheme::EcdsaSecp384r1Sha384,
                KeyType::EcP384,
            ),
        ] {
            let group = ec::EcGroup::from_curve_name(nid).unwrap();
            let eck = ec::EcKey::generate(&group).unwrap();
            let key = SigningKey::from_der(&eck.private_key_to_der().unwrap()).unwrap();
            assert_eq!(key.key_type(), kt);
            let pkey = PKey::from_ec_key(eck).unwrap();
            assert_eq!(key.public_key_spki(), pkey.public_key_to_der().unwrap());
            // PKCS#8 from OpenSSL too.
            let k8 = SigningKey::from_der(&pkey.private_key_to_pkcs8().unwrap()).unwrap();
            assert_eq!(k8.key_type(), kt);
            let sig = key.sign(scheme, MSG).unwrap();
            let mut v = Verifier::new(md, &pkey).unwrap();
            v.update(MSG).unwrap();
            assert!(v.verify(&sig).unwrap());
            let mut s = Signer::new(md, &pkey).unwrap();
            s.update(MSG).unwrap();
            verify_spki(
                &key.public_key_spki(),
                scheme,
                MSG,
                &s.sign_to_vec().unwrap(),
            )
            .unwrap();
        }

        // P-521: verification only.
        let group = ec::EcGroup::from_curve_name(Nid::SECP521R1).unwrap();
        let eck = ec::EcKey::generate(&group).unwrap();
        assert!(SigningKey::from_der(&eck.private_key_to_der().unwrap()).is_err());
        let pkey = PKey::from_ec_key(eck).unwrap();
        let mut s = Signer::new(MessageDigest::sha512(), &pkey).unwrap();
        s.update(MSG).unwrap();
        let sig = s.sign_to_vec().unwrap();
        let spki = pkey.public_key_to_der().unwrap();
        verify_spki(&spki, SignatureScheme::EcdsaSecp521r1Sha512, MSG, &sig).unwrap();
        assert!(verify_spki(&spki, SignatureScheme::EcdsaSecp384r1Sha384, MSG, &sig).is_err());

        // Ed25519 from OpenSSL.
        let pkey = PKey::generate_ed25519().unwrap();
        let key = SigningKey::from_der(&pkey.private_key_to_pkcs8().unwrap()).unwrap();
        assert_eq!(key.public_key_spki(), pkey.public_key_to_der().unwrap());
        let sig = key.sign(SignatureScheme::Ed25519, MSG).unwrap();
        let mut v = Verifier::new_without_digest(&pkey).unwrap();
        assert!(v.verify_oneshot(&sig, MSG).unwrap());
    }

    #[test]
    fn rsa_size_limits() {
        use openssl::rsa::Rsa;
        let small = Rsa::generate(1024).unwrap();
        let small_pkcs1 = small.private_key_to_der().unwrap();
        assert_eq!(
            SigningKey::from_der(&small_pkcs1).unwrap_err(),
            CryptoError("RSA key size outside 2048..=4096 bits")
        );
        let small_pkcs8 = openssl::pkey::PKey::from_rsa(small)
            .unwrap()
            .private_key_to_pkcs8()
            .unwrap();
        assert!(SigningKey::from_der(&small_pkcs8).is_err());
        // One bit too many for the signing limit; verification still accepts such keys.
        let big = Rsa::generate(4104).unwrap();
        let err = SigningKey::from_der(&big.private_key_to_der().unwrap()).unwrap_err();
        assert_eq!(err, CryptoError("RSA key size outside 2048..=4096 bits"));
        let rsa_4096 = SigningKey::from_der(&rsa_pkcs8(KeySize::Rsa4096)).unwrap();
        assert_eq!(rsa_4096.key_type(), KeyType::Rsa { bits: 4096 });
    }

    #[test]
    fn rsa_bits_exact() {
        assert_eq!(
            rsa_public_key_bits(&tlv(
                der::SEQUENCE,
                &[
                    &tlv(der::INTEGER, &[0x00, 0x80, 0x01])[..],
                    &tlv(der::INTEGER, &[3])
                ]
                .concat()
            ))
            .unwrap(),
            16
        );
        assert_eq!(
            rsa_public_key_bits(&tlv(
                der::SEQUENCE,
                &[
                    &tlv(der::INTEGER, &[0x01, 0xff])[..],
                    &tlv(der::INTEGER, &[3])
                ]
                .concat()
            ))
            .unwrap(),
            9
        );
        assert!(rsa_public_key_bits(&tlv(der::SEQUENCE, &tlv(der::INTEGER, &[0]))).is_err());
    }

    #[test]
    fn garbage_never_panics() {
        let ed = SigningKey::from_der(&ed_pkcs8()).unwrap();
        let spki = ed.public_key_spki();
        let sig = ed.sign(SignatureScheme::Ed25519, MSG).unwrap();
        let inputs: Vec<Vec<u8>> = vec![
            vec![],
            vec![0x30],
            vec![0x30, 0x80, 0x00, 0x00],
            vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
            vec![0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9],
            vec![0x30, 0x81, 0x05, 1, 2, 3, 4, 5], // non-minimal length
            vec![0x1f, 0x00],
            vec![0xff; 64],
            [&spki[..], &[0]].concat(), // trailing data
        ];
        for input in &inputs {
            assert!(SigningKey::from_der(input).is_err());
            for s in SignatureScheme::ALL {
                assert!(verify_spki(input, s, MSG, &sig).is_err());
            }
        }
        // Every truncation and every single-byte corruption of valid inputs.
        let rsa = SigningKey::from_der(&rsa_pkcs8(KeySize::Rsa2048)).unwrap();
        let ec = SigningKey::from_der(&ec_pkcs8(&lc::ECDSA_P256_SHA256_ASN1_SIGNING)).unwrap();
        for key in [&ed, &rsa, &ec] {
            let spki = key.public_key_spki();
            let scheme = key.schemes(true)[0];
            let sig = key.sign(scheme, MSG).unwrap();
            for n in 0..spki.len() {
                assert!(verify_spki(&spki[..n], scheme, MSG, &sig).is_err());
            }
            for i in 0..spki.len() {
                let mut c = spki.clone();
                c[i] ^= 0x41;
                // Must not panic; a flip in an unchecked byte could in theory still verify.
                let _ = verify_spki(&c, scheme, MSG, &sig);
            }
        }
        for der in [ed_pkcs8(), ec_pkcs8(&lc::ECDSA_P384_SHA384_ASN1_SIGNING)] {
            for n in 0..der.len() {
                assert!(SigningKey::from_der(&der[..n]).is_err());
            }
            for i in 0..der.len() {
                let mut c = der.clone();
                c[i] ^= 0x41;
                let _ = SigningKey::from_der(&c);
            }
        }
        // SPKI bit strings with unused bits are refused.
        let parsed = parse_spki(&spki).unwrap();
        let mut bits = vec![1u8];
        bits.extend_from_slice(parsed.key);
        let mut body = tlv(der::SEQUENCE, &tlv(der::OID, oid::ED25519));
        body.extend(tlv(der::BIT_STRING, &bits));
        let odd = tlv(der::SEQUENCE, &body);
        assert!(verify_spki(&odd, SignatureScheme::Ed25519, MSG, &sig).is_err());
    }
}
