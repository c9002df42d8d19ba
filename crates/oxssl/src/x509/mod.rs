//! Certificates and keys: PEM/DER loading, trust stores and chain verification.
//!
//! Chain building and checking are done by rustls-webpki (aws-lc-rs algorithms); failures are
//! reported as OpenSSL's `X509_V_ERR_*` codes ([`VerifyCode`]) with the depth OpenSSL would
//! report, and [`VerifyCode::alert`] gives the TLS alert OpenSSL sends for them.
//!
//! Differences from OpenSSL worth knowing:
//! * Trust anchors that are not self-signed are not trusted on their own (no
//!   `X509_V_FLAG_PARTIAL_CHAIN`), exactly like OpenSSL's default.
//! * A self-signed leaf that is itself in the trust store is accepted, like OpenSSL.
//! * webpki's profile is stricter than OpenSSL's in places: v1/v2 end-entity and
//!   intermediate certificates, a leaf marked as a CA (other than a trusted self-signed leaf),
//!   RSA keys under 2048 bits and MD5/SHA-1 signatures are rejected.

mod asn1;
mod cert;
mod codes;
pub(crate) mod der;
mod name;
mod name_constraints;
mod pem;
mod sig;
pub mod store;
mod store_ctx;
mod trust;
pub(crate) mod validate;
pub mod verify;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::Path;

pub use asn1::{
    Asn1Integer, Asn1IntegerRef, Asn1Object, Asn1ObjectRef, Asn1String, Asn1StringRef, Asn1Time,
    Asn1TimeRef, BigNum, TimeDiff,
};
pub use cert::{GeneralName, X509Ref, X509};
pub use codes::{VerifyCode, VerifyError, X509VerifyResult};
pub use name::{X509Name, X509NameEntry, X509NameEntryRef, X509NameRef};
pub use pem::{pem_decode, pem_encode};
pub use rustls_pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
pub use store_ctx::{VerifyCallback, X509StoreContextRef};
pub use trust::TrustStore;

use crate::crypto::sign::SignatureScheme;
use der::ParsedCert;
use rustls_pki_types::pem::{PemObject, SectionKind};

/// Errors loading certificates/keys or checking signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum X509Error {
    /// The PEM text is malformed (bad base64, missing END line, encrypted key, ...).
    Pem(String),
    /// The input holds no certificate.
    NoCertificates,
    /// The input holds no private key.
    NoPrivateKey,
    /// A file could not be read.
    Io(String),
    /// A signature did not verify.
    BadSignature,
    /// The signature scheme is not supported, or does not fit the certificate's key.
    UnsupportedSignatureScheme,
    /// A certificate is malformed or unusable.
    BadCertificate(String),
}

impl fmt::Display for X509Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pem(e) => write!(f, "PEM error: {e}"),
            Self::NoCertificates => f.write_str("no certificate found"),
            Self::NoPrivateKey => f.write_str("no private key found"),
            Self::Io(e) => write!(f, "I/O error: {e}"),
            Self::BadSignature => f.write_str("bad signature"),
            Self::UnsupportedSignatureScheme => f.write_str("unsupported signature scheme"),
            Self::BadCertificate(e) => write!(f, "bad certificate: {e}"),
        }
    }
}

impl std::error::Error for X509Error {}

fn looks_like_pem(data: &[u8]) -> bool {
    data.windows(11).any(|w| w == b"-----BEGIN ")
}

/// Parse every CERTIFICATE block in PEM text (also accepts raw DER of a single certificate if
/// the input is not PEM). Each certificate must be well-formed X.509 DER.
pub fn certs_from_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, X509Error> {
    if !looks_like_pem(pem) {
        if pem.first() == Some(&0x30) {
            ParsedCert::parse(pem)
                .ok_or_else(|| X509Error::BadCertificate("malformed DER certificate".into()))?;
            return Ok(vec![CertificateDer::from(pem.to_vec())]);
        }
        return Err(X509Error::NoCertificates);
    }
    let mut out = Vec::new();
    for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(pem) {
        let (kind, der) = item.map_err(|e| X509Error::Pem(e.to_string()))?;
        if kind == SectionKind::Certificate {
            if ParsedCert::parse(&der).is_none() {
                return Err(X509Error::BadCertificate(format!(
                    "certificate {} is malformed",
                    out.len() + 1
                )));
            }
            out.push(CertificateDer::from(der));
        }
    }
    if out.is_empty() {
        return Err(X509Error::NoCertificates);
    }
    Ok(out)
}

/// [`certs_from_pem`] on the contents of a file.
pub fn certs_from_pem_file(
    path: impl AsRef<Path>,
) -> Result<Vec<CertificateDer<'static>>, X509Error> {
    certs_from_pem(&trust::read_file(path.as_ref())?)
}

/// First private key in PEM (PKCS#8 "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"), or
/// DER; returns the DER. Encrypted keys are rejected with [`X509Error::Pem`].
pub fn private_key_from_pem(pem: &[u8]) -> Result<PrivateKeyDer<'static>, X509Error> {
    if !looks_like_pem(pem) {
        return match PrivateKeyDer::try_from(pem) {
            Ok(key) if der::single(pem, der::tag::SEQUENCE).is_some() => Ok(key.clone_key()),
            _ => Err(X509Error::NoPrivateKey),
        };
    }
    for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(pem) {
        let (kind, der) = match item {
            Ok(item) => item,
            Err(e) if is_encrypted(pem) => {
                return Err(X509Error::Pem(format!("encrypted private key ({e})")))
            }
            Err(e) => return Err(X509Error::Pem(e.to_string())),
        };
        let key = match kind {
            SectionKind::PrivateKey => PrivateKeyDer::Pkcs8(der.into()),
            SectionKind::RsaPrivateKey => PrivateKeyDer::Pkcs1(der.into()),
            SectionKind::EcPrivateKey => PrivateKeyDer::Sec1(der.into()),
            _ => continue,
        };
        if der::single(key.secret_der(), der::tag::SEQUENCE).is_none() {
            return Err(X509Error::Pem("malformed private key".into()));
        }
        return Ok(key);
    }
    if is_encrypted(pem) {
        return Err(X509Error::Pem(
            "encrypted private keys are not supported".into(),
        ));
    }
    Err(X509Error::NoPrivateKey)
}

fn is_encrypted(pem: &[u8]) -> bool {
    let has = |needle: &[u8]| pem.windows(needle.len()).any(|w| w == needle);
    has(b"-----BEGIN ENCRYPTED PRIVATE KEY-----") || has(b"Proc-Type: 4,ENCRYPTED")
}

/// [`private_key_from_pem`] on the contents of a file.
pub fn private_key_from_pem_file(
    path: impl AsRef<Path>,
) -> Result<PrivateKeyDer<'static>, X509Error> {
    private_key_from_pem(&trust::read_file(path.as_ref())?)
}

/// Verifies a server chain (leaf first) against the store for TLS server auth at `now`, then
/// checks the leaf matches `hostname` (DNS name or IP literal; `None` or `""` = no name check).
///
/// The error is the one OpenSSL's `X509_verify_cert` would report first, with its depth:
/// e.g. `UNABLE_TO_GET_ISSUER_CERT_LOCALLY` (20), `DEPTH_ZERO_SELF_SIGNED_CERT` (18),
/// `SELF_SIGNED_CERT_IN_CHAIN` (19), `INVALID_CA` (79), `INVALID_PURPOSE` (26),
/// `HOSTNAME_MISMATCH` (62), `IP_ADDRESS_MISMATCH` (64), `CERT_SIGNATURE_FAILURE` (7),
/// `CERT_NOT_YET_VALID` (9), `CERT_HAS_EXPIRED` (10). An empty chain gives `INVALID_CALL`
/// (69), as `X509_verify_cert` without a certificate does.
pub fn verify_server_chain(
    store: &TrustStore,
    chain: &[CertificateDer<'_>],
    hostname: Option<&str>,
    now: UnixTime,
) -> Result<(), VerifyError> {
    let p = validate::Params {
        purpose: validate::Purpose::ServerAuth,
        hostname,
        now,
        depth: validate::DEFAULT_DEPTH,
        callback: None,
    };
    validate::verify_chain(store, chain, &p).map(|_| ())
}

/// Same as [`verify_server_chain`] for a client certificate chain (client-auth purpose), with
/// no name check.
pub fn verify_client_chain(
    store: &TrustStore,
    chain: &[CertificateDer<'_>],
    now: UnixTime,
) -> Result<(), VerifyError> {
    let p = validate::Params {
        purpose: validate::Purpose::ClientAuth,
        hostname: None,
        now,
        depth: validate::DEFAULT_DEPTH,
        callback: None,
    };
    validate::verify_chain(store, chain, &p).map(|_| ())
}

/// Test and fuzzing hook, not part of the API: the verification a TLS handshake runs
/// (`client_auth` picks the purpose, `depth` is `SSL_CTX_set_verify_depth`, `None` the
/// default 100), with its verify callback, so the generative differential against OpenSSL
/// (`crates/oxssl/tests/x509_differential.rs`, fuzz target `x509_differential`) can drive
/// it from outside the crate. `Ok(None)`: passed; `Ok(Some(e))`: passed because the
/// callback let `e` through (what `SSL_get_verify_result` reports); `Err(e)`: failed.
#[doc(hidden)]
pub fn verify_chain_with_callback(
    store: &TrustStore,
    chain: &[CertificateDer<'_>],
    client_auth: bool,
    hostname: Option<&str>,
    now: UnixTime,
    depth: Option<u32>,
    callback: Option<&VerifyCallback>,
) -> Result<Option<VerifyError>, VerifyError> {
    let p = validate::Params {
        purpose: if client_auth {
            validate::Purpose::ClientAuth
        } else {
            validate::Purpose::ServerAuth
        },
        hostname,
        now,
        depth: depth.unwrap_or(validate::DEFAULT_DEPTH),
        callback,
    };
    validate::verify_chain(store, chain, &p)
}

/// Checks whether a certificate's names match `hostname` (DNS name or IP literal), like
/// `X509_check_host` / `X509_check_ip_asc`: the dNSName SANs, or the subject CN when the
/// certificate has no dNSName SAN. Returns `HOSTNAME_MISMATCH` / `IP_ADDRESS_MISMATCH`.
pub fn check_hostname(cert: &CertificateDer<'_>, hostname: &str) -> Result<(), VerifyCode> {
    let parsed = ParsedCert::parse(cert.as_ref()).ok_or(VerifyCode::HOSTNAME_MISMATCH)?;
    validate::check_host(cert, &parsed, hostname)
}

/// Verifies a TLS handshake signature (CertificateVerify / ServerKeyExchange) made by the
/// end-entity certificate's key. TLS 1.3 rules: an ECDSA scheme must match the key's curve
/// (use [`verify_signature_tls12`] for TLS 1.2). SHA-1 schemes are unsupported.
pub fn verify_signature(
    end_entity: &CertificateDer<'_>,
    scheme: SignatureScheme,
    message: &[u8],
    signature: &[u8],
) -> Result<(), X509Error> {
    sig::verify(end_entity, scheme, message, signature, false)
}

/// [`verify_signature`] with TLS 1.2 rules: an ECDSA scheme only names the hash, so a key on
/// any supported curve (P-256, P-384, P-521) is accepted.
pub fn verify_signature_tls12(
    end_entity: &CertificateDer<'_>,
    scheme: SignatureScheme,
    message: &[u8],
    signature: &[u8],
) -> Result<(), X509Error> {
    sig::verify(end_entity, scheme, message, signature, true)
}

/// The certificate's SubjectPublicKeyInfo DER (for matching a private key,
/// `SSL_CTX_check_private_key`).
pub fn spki_of(cert: &CertificateDer<'_>) -> Result<Vec<u8>, X509Error> {
    ParsedCert::parse(cert.as_ref())
        .map(|c| c.spki.to_vec())
        .ok_or_else(|| X509Error::BadCertificate("malformed certificate".into()))
}

/// Subject name as one line, like OpenSSL's `X509_NAME_oneline` ("/CN=example.com/O=...").
/// Best effort: empty for an unparsable certificate.
pub fn subject_oneline(cert: &CertificateDer<'_>) -> String {
    ParsedCert::parse(cert.as_ref())
        .map(|c| name::oneline(c.subject))
        .unwrap_or_default()
}

/// Issuer name as one line, like OpenSSL's `X509_NAME_oneline` ("/C=US/O=.../CN=...").
/// Best effort: empty for an unparsable certificate.
pub fn issuer_oneline(cert: &CertificateDer<'_>) -> String {
    ParsedCert::parse(cert.as_ref())
        .map(|c| name::oneline(c.issuer))
        .unwrap_or_default()
}

/// Whether the certificate is well-formed X.509 DER (what `d2i_X509` checks when a
/// Certificate message is read; OpenSSL answers a failure with a decode_error alert).
pub fn is_well_formed(cert: &CertificateDer<'_>) -> bool {
    ParsedCert::parse(cert.as_ref()).is_some()
}

/// The certificate's validity period (notBefore, notAfter) in seconds since the Unix epoch,
/// if it can be parsed.
pub fn validity_of(cert: &CertificateDer<'_>) -> Option<(i64, i64)> {
    let c = ParsedCert::parse(cert.as_ref())?;
    Some((c.not_before?, c.not_after?))
}

/// One attribute of a distinguished name (what `X509_NAME_get_entry` gives), for printing
/// names in OpenSSL's formats (`X509_NAME_print_ex`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameEntry {
    /// OpenSSL's short name of the attribute type ("CN", "O", ...), or the dotted OID.
    pub short_name: String,
    /// The ASN.1 tag of the value (0x0c UTF8String, 0x13 PrintableString, ...).
    pub tag: u8,
    /// The value's contents octets.
    pub value: Vec<u8>,
    /// The value's whole DER encoding (tag, length, contents).
    pub der: Vec<u8>,
    /// The index of the RelativeDistinguishedName the attribute belongs to (attributes of a
    /// multi-valued RDN share it).
    pub set: usize,
}

/// The subject name's attributes in order; empty for an unparsable certificate.
pub fn subject_entries(cert: &CertificateDer<'_>) -> Vec<NameEntry> {
    ParsedCert::parse(cert.as_ref())
        .map(|c| name::entries(c.subject))
        .unwrap_or_default()
}

/// The issuer name's attributes in order; empty for an unparsable certificate.
pub fn issuer_entries(cert: &CertificateDer<'_>) -> Vec<NameEntry> {
    ParsedCert::parse(cert.as_ref())
        .map(|c| name::entries(c.issuer))
        .unwrap_or_default()
}
