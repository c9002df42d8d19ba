//! [`X509`]: one certificate as an owned value, the `openssl` crate's `X509` type.

use std::fmt;
use std::sync::OnceLock;

use rustls_pki_types::CertificateDer;

use super::asn1::{Asn1Integer, Asn1IntegerRef, Asn1Time, Asn1TimeRef};
use super::der::{oid, tag, ParsedCert, Reader};
use super::name::{X509Name, X509NameRef};
use super::X509Error;
use crate::hash::{DigestBytes, MessageDigest};
use crate::pkey::{PKey, Public};
use crate::ssl::ErrorStack;

/// A well-formed X.509 certificate (its DER encoding), as the `openssl` crate's `X509`.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let cert = rcgen::generate_simple_self_signed(vec!["example.com".into()])?;
/// # let pem = cert.cert.pem();
/// use oxssl::x509::X509;
/// let x = X509::from_pem(pem.as_bytes())?;
/// assert_eq!(X509::from_der(&x.to_der()?)?, x);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct X509 {
    der: CertificateDer<'static>,
    /// The fields the accessors return, parsed on first use.
    fields: OnceLock<Box<Fields>>,
}

/// What the accessors hand out by reference.
#[derive(Clone)]
struct Fields {
    subject: X509Name,
    issuer: X509Name,
    not_before: Asn1Time,
    not_after: Asn1Time,
    serial: Asn1Integer,
}

impl PartialEq for X509 {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for X509 {}

impl std::hash::Hash for X509 {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.der.as_ref().hash(state);
    }
}

/// A subjectAltName entry (`GENERAL_NAME`): the kinds TLS uses.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GeneralName {
    tag: u8,
    value: Vec<u8>,
}

impl GeneralName {
    /// A dNSName.
    pub fn dnsname(&self) -> Option<&str> {
        self.text(0x82)
    }

    /// An rfc822Name (e-mail address).
    pub fn email(&self) -> Option<&str> {
        self.text(0x81)
    }

    /// A uniformResourceIdentifier.
    pub fn uri(&self) -> Option<&str> {
        self.text(0x86)
    }

    /// An iPAddress: 4 bytes (IPv4) or 16 (IPv6).
    pub fn ipaddress(&self) -> Option<&[u8]> {
        (self.tag == 0x87).then_some(self.value.as_slice())
    }

    fn text(&self, tag: u8) -> Option<&str> {
        if self.tag != tag {
            return None;
        }
        std::str::from_utf8(&self.value).ok()
    }
}

/// What the `openssl` crate calls a borrowed certificate: here the same type, so
/// `&X509Ref` parameters and `X509Ref::to_owned()` read as they do there.
pub type X509Ref = X509;

impl X509 {
    /// Parses one certificate from DER (`d2i_X509`).
    pub fn from_der(der: &[u8]) -> Result<X509, X509Error> {
        if ParsedCert::parse(der).is_none() {
            return Err(X509Error::BadCertificate(
                "malformed DER certificate".into(),
            ));
        }
        Ok(X509::from_checked(CertificateDer::from(der.to_vec())))
    }

    /// The first certificate of PEM text (`PEM_read_bio_X509`).
    pub fn from_pem(pem: &[u8]) -> Result<X509, ErrorStack> {
        Self::stack_from_pem(pem)?
            .into_iter()
            .next()
            .ok_or_else(|| stack(X509Error::NoCertificates))
    }

    /// Every certificate of PEM text, in order (a chain file).
    pub fn stack_from_pem(pem: &[u8]) -> Result<Vec<X509>, ErrorStack> {
        Ok(super::certs_from_pem(pem)
            .map_err(stack)?
            .into_iter()
            .map(X509::from_checked)
            .collect())
    }

    /// The DER encoding (`i2d_X509`). Never fails; a `Result` as in the `openssl` crate.
    pub fn to_der(&self) -> Result<Vec<u8>, ErrorStack> {
        Ok(self.der.as_ref().to_vec())
    }

    /// The PEM encoding (`PEM_write_bio_X509`), with 64-column lines.
    pub fn to_pem(&self) -> Result<Vec<u8>, ErrorStack> {
        super::pem_encode("CERTIFICATE", self.der.as_ref())
            .map(String::into_bytes)
            .map_err(stack)
    }

    /// The DER bytes, borrowed.
    pub fn as_der(&self) -> &CertificateDer<'static> {
        &self.der
    }

    /// Wraps DER that is already known to be a well-formed certificate (from a peer's
    /// chain, which was parsed when it arrived).
    pub(crate) fn from_checked(der: CertificateDer<'static>) -> X509 {
        X509 {
            der,
            fields: OnceLock::new(),
        }
    }

    fn parsed(&self) -> Option<ParsedCert<'_>> {
        ParsedCert::parse(self.der.as_ref())
    }

    fn fields(&self) -> &Fields {
        self.fields.get_or_init(|| {
            // Every X509 was parsed when it was made; the fallbacks never show.
            let p = self.parsed();
            Box::new(Fields {
                subject: X509Name::from_contents(p.as_ref().map_or(&[], |p| p.subject)),
                issuer: X509Name::from_contents(p.as_ref().map_or(&[], |p| p.issuer)),
                not_before: Asn1Time::from_unix_secs(
                    p.as_ref().and_then(|p| p.not_before).unwrap_or(0),
                ),
                not_after: Asn1Time::from_unix_secs(
                    p.as_ref().and_then(|p| p.not_after).unwrap_or(0),
                ),
                serial: Asn1Integer::from_der_contents(p.as_ref().map_or(&[], |p| p.serial)),
            })
        })
    }

    /// The subject's distinguished name (`X509_get_subject_name`).
    pub fn subject_name(&self) -> &X509NameRef {
        &self.fields().subject
    }

    /// The issuer's distinguished name (`X509_get_issuer_name`).
    pub fn issuer_name(&self) -> &X509NameRef {
        &self.fields().issuer
    }

    /// Start of the validity period (`X509_get0_notBefore`).
    pub fn not_before(&self) -> &Asn1TimeRef {
        &self.fields().not_before
    }

    /// End of the validity period (`X509_get0_notAfter`).
    pub fn not_after(&self) -> &Asn1TimeRef {
        &self.fields().not_after
    }

    /// The serial number (`X509_get_serialNumber`).
    pub fn serial_number(&self) -> &Asn1IntegerRef {
        &self.fields().serial
    }

    /// The subjectAltName entries, if the certificate has the extension.
    pub fn subject_alt_names(&self) -> Option<Vec<GeneralName>> {
        let p = self.parsed()?;
        let ext = p.extension(oid::SUBJECT_ALT_NAME)?;
        let seq = super::der::single(ext.value, tag::SEQUENCE)?;
        let mut r = Reader::new(seq.value);
        let mut out = Vec::new();
        while let Some(gn) = r.read() {
            out.push(GeneralName {
                tag: gn.tag,
                value: gn.value.to_vec(),
            });
        }
        Some(out)
    }

    /// The subject's public key (`X509_get_pubkey`).
    pub fn public_key(&self) -> Result<PKey<Public>, ErrorStack> {
        let spki = self.parsed().map(|p| p.spki).unwrap_or_default();
        PKey::public_key_from_der(spki)
    }

    /// The certificate's fingerprint with `hash_type` (`X509_digest`).
    pub fn digest(&self, hash_type: MessageDigest) -> Result<DigestBytes, ErrorStack> {
        crate::hash::hash(hash_type, self.der.as_ref())
    }

    /// The version field as OpenSSL numbers it: 0 for v1, 2 for v3 (`X509_get_version`).
    pub fn version(&self) -> i32 {
        self.parsed().map_or(0, |p| i32::from(p.version))
    }

    /// Whether the certificate is valid for `host`, a DNS name or an IP literal
    /// (`X509_check_host` / `X509_check_ip_asc`: subjectAltNames, or the subject's common
    /// name when there is no DNS name among them).
    pub fn check_host(&self, host: &str) -> Result<bool, ErrorStack> {
        Ok(super::check_hostname(&self.der, host).is_ok())
    }
}

/// A loading failure as the error stack the `openssl` crate returns.
fn stack(e: X509Error) -> ErrorStack {
    ErrorStack::one(crate::ssl::ErrorEntry::ssl(
        crate::reason::Reason::BAD_VALUE,
        e.to_string(),
    ))
}

impl From<X509> for CertificateDer<'static> {
    fn from(x: X509) -> Self {
        x.der
    }
}

impl fmt::Debug for X509 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("X509")
            .field("subject", &super::subject_oneline(&self.der))
            .field("issuer", &super::issuer_oneline(&self.der))
            .finish()
    }
}
