//! [`X509`]: one certificate as an owned value, the `openssl` crate's `X509` type.

use std::fmt;

use rustls_pki_types::CertificateDer;

use super::der::ParsedCert;
use super::X509Error;

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
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct X509 {
    der: CertificateDer<'static>,
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
        Ok(X509 {
            der: CertificateDer::from(der.to_vec()),
        })
    }

    /// The first certificate of PEM text (`PEM_read_bio_X509`).
    pub fn from_pem(pem: &[u8]) -> Result<X509, X509Error> {
        Self::stack_from_pem(pem)?
            .into_iter()
            .next()
            .ok_or(X509Error::NoCertificates)
    }

    /// Every certificate of PEM text, in order (a chain file).
    pub fn stack_from_pem(pem: &[u8]) -> Result<Vec<X509>, X509Error> {
        Ok(super::certs_from_pem(pem)?
            .into_iter()
            .map(|der| X509 { der })
            .collect())
    }

    /// The DER encoding (`i2d_X509`). Never fails; a `Result` as in the `openssl` crate.
    pub fn to_der(&self) -> Result<Vec<u8>, X509Error> {
        Ok(self.der.as_ref().to_vec())
    }

    /// The PEM encoding (`PEM_write_bio_X509`), with 64-column lines.
    pub fn to_pem(&self) -> Result<Vec<u8>, X509Error> {
        Ok(super::pem_encode("CERTIFICATE", self.der.as_ref()).into_bytes())
    }

    /// The DER bytes, borrowed.
    pub fn as_der(&self) -> &CertificateDer<'static> {
        &self.der
    }

    /// Wraps DER that is already known to be a well-formed certificate (from a peer's
    /// chain, which was parsed when it arrived).
    pub(crate) fn from_checked(der: CertificateDer<'static>) -> X509 {
        X509 { der }
    }
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
