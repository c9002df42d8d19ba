//! Verification of TLS handshake signatures made with an end-entity certificate's key.

use aws_lc_rs::signature::{self as alc, VerificationAlgorithm};
use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm};
use webpki::aws_lc_rs as algs;
use webpki::EndEntityCert;

use super::der::{self, oid, tag, ParsedCert, Reader};
use super::X509Error;
use crate::crypto::sign::SignatureScheme;

/// The webpki algorithms a scheme may be verified with. TLS 1.3 semantics: an ECDSA scheme
/// fixes the curve. With `any_curve` (TLS 1.2), ECDSA schemes accept every supported curve.
fn algorithms(
    scheme: SignatureScheme,
    any_curve: bool,
) -> Option<Vec<&'static dyn SignatureVerificationAlgorithm>> {
    use SignatureScheme as S;
    Some(match (scheme, any_curve) {
        (S::RsaPkcs1Sha256, _) => vec![algs::RSA_PKCS1_2048_8192_SHA256],
        (S::RsaPkcs1Sha384, _) => vec![algs::RSA_PKCS1_2048_8192_SHA384],
        (S::RsaPkcs1Sha512, _) => vec![algs::RSA_PKCS1_2048_8192_SHA512],
        (S::RsaPssRsaeSha256, _) => vec![algs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY],
        (S::RsaPssRsaeSha384, _) => vec![algs::RSA_PSS_2048_8192_SHA384_LEGACY_KEY],
        (S::RsaPssRsaeSha512, _) => vec![algs::RSA_PSS_2048_8192_SHA512_LEGACY_KEY],
        (S::Ed25519, _) => vec![algs::ED25519],
        (S::EcdsaSecp256r1Sha256, false) => vec![algs::ECDSA_P256_SHA256],
        (S::EcdsaSecp384r1Sha384, false) => vec![algs::ECDSA_P384_SHA384],
        (S::EcdsaSecp521r1Sha512, false) => vec![algs::ECDSA_P521_SHA512],
        (S::EcdsaSecp256r1Sha256, true) => vec![
            algs::ECDSA_P256_SHA256,
            algs::ECDSA_P384_SHA256,
            algs::ECDSA_P521_SHA256,
        ],
        (S::EcdsaSecp384r1Sha384, true) => vec![
            algs::ECDSA_P256_SHA384,
            algs::ECDSA_P384_SHA384,
            algs::ECDSA_P521_SHA384,
        ],
        (S::EcdsaSecp521r1Sha512, true) => vec![
            algs::ECDSA_P256_SHA512,
            algs::ECDSA_P384_SHA512,
            algs::ECDSA_P521_SHA512,
        ],
        _ => return None,
    })
}

pub(crate) fn verify(
    end_entity: &CertificateDer<'_>,
    scheme: SignatureScheme,
    message: &[u8],
    signature: &[u8],
    any_curve: bool,
) -> Result<(), X509Error> {
    use SignatureScheme as S;
    match scheme {
        S::RsaPssPssSha256 => return verify_pss_pss(end_entity, oid::SHA256, message, signature),
        S::RsaPssPssSha384 => return verify_pss_pss(end_entity, oid::SHA384, message, signature),
        S::RsaPssPssSha512 => return verify_pss_pss(end_entity, oid::SHA512, message, signature),
        _ => {}
    }
    let candidates = algorithms(scheme, any_curve).ok_or(X509Error::UnsupportedSignatureScheme)?;
    let ee = end_entity_cert(end_entity)?;
    let mut result = Err(X509Error::UnsupportedSignatureScheme);
    for alg in &candidates {
        match ee.verify_signature(*alg, message, signature) {
            Ok(()) => return Ok(()),
            Err(webpki::Error::InvalidSignatureForPublicKey) => {
                result = Err(X509Error::BadSignature)
            }
            // The key is of another type (or curve) than this algorithm's.
            Err(_) => {}
        }
    }
    result
}

fn end_entity_cert<'a>(cert: &'a CertificateDer<'a>) -> Result<EndEntityCert<'a>, X509Error> {
    EndEntityCert::try_from(cert)
        .map_err(|e| X509Error::BadCertificate(format!("cannot parse certificate: {e}")))
}

/// rsa_pss_pss_* schemes: the certificate key is an id-RSASSA-PSS key (RFC 4055), which webpki
/// does not accept, so the key is extracted here and checked with aws-lc-rs. If the key carries
/// RSASSA-PSS-params, their hash must be the scheme's.
fn verify_pss_pss(
    end_entity: &CertificateDer<'_>,
    hash: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), X509Error> {
    let cert = ParsedCert::parse(end_entity.as_ref())
        .ok_or_else(|| X509Error::BadCertificate("malformed certificate".into()))?;
    let mut alg = Reader::new(cert.spki_alg);
    let key_oid = alg.expect(tag::OID).map(|o| o.value);
    if key_oid != Some(oid::RSASSA_PSS) {
        return Err(X509Error::UnsupportedSignatureScheme);
    }
    if !alg.is_empty() {
        let params = alg
            .expect(tag::SEQUENCE)
            .filter(|_| alg.is_empty())
            .ok_or(X509Error::UnsupportedSignatureScheme)?;
        if pss_params_hash(params.value) != Some(hash) {
            return Err(X509Error::UnsupportedSignatureScheme);
        }
    }
    let params: &dyn VerificationAlgorithm = if hash == oid::SHA256 {
        &alc::RSA_PSS_2048_8192_SHA256
    } else if hash == oid::SHA384 {
        &alc::RSA_PSS_2048_8192_SHA384
    } else {
        &alc::RSA_PSS_2048_8192_SHA512
    };
    params
        .verify_sig(cert.spki_key, message, signature)
        .map_err(|_| X509Error::BadSignature)
}

/// The hashAlgorithm OID of RSASSA-PSS-params contents (absent = SHA-1, which TLS rejects).
fn pss_params_hash(params: &[u8]) -> Option<&[u8]> {
    let mut r = Reader::new(params);
    let hash = r.optional(tag::CTX0)?;
    let alg = der::single(hash.value, tag::SEQUENCE)?;
    let mut a = Reader::new(alg.value);
    let oid = a.expect(tag::OID)?.value;
    if !a.is_empty() {
        a.expect(tag::NULL)?;
    }
    Some(oid)
}

/// A certificate signature made with an algorithm webpki does not offer — SHA-1, or an RSA
/// key under 2048 bits — checked with aws-lc's legacy verifiers: `Some(valid)`, or `None`
/// if aws-lc has none either. Used only after OpenSSL's auth-level check reported the link
/// (CA_MD_TOO_WEAK, CA_KEY_TOO_SMALL) and a verify callback let that through, so that the
/// signature is then judged as OpenSSL judges it, not reported unsupported.
pub(crate) fn verify_legacy_link(child: &ParsedCert<'_>, issuer: &ParsedCert<'_>) -> Option<bool> {
    const RSA_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    const P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
    let mut sig_alg = Reader::new(child.sig_alg);
    let sig = sig_alg.expect(tag::OID)?.value;
    let mut key_alg = Reader::new(issuer.spki_alg);
    let key = key_alg.expect(tag::OID)?.value;
    let curve = key_alg.optional(tag::OID).map(|c| c.value);
    let alg: &'static dyn VerificationAlgorithm = match (sig, key, curve) {
        ([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05], RSA_KEY, _) => {
            &alc::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY
        }
        ([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b], RSA_KEY, _) => {
            &alc::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY
        }
        ([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d], RSA_KEY, _) => {
            &alc::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY
        }
        ([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01], _, Some(P256)) => &alc::ECDSA_P256_SHA1_ASN1,
        ([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01], _, Some(P521)) => &alc::ECDSA_P521_SHA1_ASN1,
        _ => return None,
    };
    Some(
        alc::UnparsedPublicKey::new(alg, issuer.spki_key)
            .verify(child.tbs, child.signature)
            .is_ok(),
    )
}
