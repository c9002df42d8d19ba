//! The trust store: a set of trusted certificates, like OpenSSL's `X509_STORE`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls_pki_types::{CertificateDer, TrustAnchor};

use super::der::ParsedCert;
use super::{certs_from_pem, X509Error};

/// One trusted certificate: its DER, its subject (for issuer lookup) and webpki's view of it.
#[derive(Clone)]
pub(crate) struct Anchor {
    pub der: CertificateDer<'static>,
    /// Contents of the subject Name SEQUENCE.
    pub subject: Vec<u8>,
}

#[derive(Clone, Default)]
pub(crate) struct StoreInner {
    pub anchors: Vec<Anchor>,
    /// webpki trust anchors, index-aligned with `anchors`.
    pub webpki: Vec<TrustAnchor<'static>>,
}

/// Trusted certificates (trust anchors), like an `X509_STORE`.
///
/// Cloning is cheap: the contents are shared until one of the clones is modified.
#[derive(Clone, Default)]
pub struct TrustStore {
    pub(crate) inner: Arc<StoreInner>,
}

impl fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrustStore")
            .field("anchors", &self.len())
            .finish()
    }
}

/// Bundle files tried, in order, when `SSL_CERT_FILE` is not set.
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/usr/lib/ssl/cert.pem",
    "/usr/local/share/certs/ca-root-nss.crt",
    "/usr/local/etc/openssl/cert.pem",
];

/// Hashed certificate directories tried when neither `SSL_CERT_DIR` nor a bundle file is found.
const SYSTEM_DIRS: &[&str] = &["/etc/ssl/certs", "/usr/lib/ssl/certs", "/etc/pki/tls/certs"];

/// Upper bound on the size of a single trust file we are willing to read.
const MAX_FILE: u64 = 64 << 20;

impl TrustStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one DER certificate as a trust anchor. Adding a certificate that is already present
    /// succeeds without storing it twice (like `X509_STORE_add_cert`).
    pub fn add_der(&mut self, der: &[u8]) -> Result<(), X509Error> {
        let anchor = make_anchor(der)?;
        self.insert(anchor);
        Ok(())
    }

    /// Adds every CERTIFICATE block of PEM text (or one raw DER certificate). Returns how many
    /// certificates the input held; certificates already present are stored once. Nothing is
    /// added if any block is malformed.
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<usize, X509Error> {
        let certs = certs_from_pem(pem)?;
        let anchors = certs
            .iter()
            .map(|c| make_anchor(c.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        let n = anchors.len();
        for anchor in anchors {
            self.insert(anchor);
        }
        Ok(n)
    }

    /// [`TrustStore::add_pem`] on the contents of a file (like `X509_STORE_load_file`).
    pub fn add_pem_file(&mut self, path: impl AsRef<Path>) -> Result<usize, X509Error> {
        let data = read_file(path.as_ref())?;
        self.add_pem(&data)
    }

    /// Adds every certificate found in the files of a directory (like an OpenSSL `CApath`, but
    /// read eagerly; files that hold no certificate are skipped). Returns how many new trust
    /// anchors were stored.
    pub fn add_dir(&mut self, dir: impl AsRef<Path>) -> Result<usize, X509Error> {
        let before = self.len();
        let entries = std::fs::read_dir(dir.as_ref()).map_err(|e| X509Error::Io(e.to_string()))?;
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            if path.is_file() {
                self.add_file_lenient(&path);
            }
        }
        Ok(self.len() - before)
    }

    /// Loads the system's trust anchors, the way OpenSSL's default verify paths are found:
    /// the `SSL_CERT_FILE` bundle (else the first existing well-known bundle such as
    /// `/etc/ssl/certs/ca-certificates.crt`) and the `SSL_CERT_DIR` directories (colon
    /// separated; else, only if no bundle was found, a well-known directory such as
    /// `/etc/ssl/certs`). Unreadable files and malformed certificates are skipped. Returns how
    /// many new trust anchors were stored.
    pub fn add_system_roots(&mut self) -> usize {
        let before = self.len();
        let mut found_file = false;
        match std::env::var_os("SSL_CERT_FILE") {
            Some(file) if !file.is_empty() => {
                found_file = self.add_file_lenient(Path::new(&file));
            }
            _ => {
                for file in SYSTEM_BUNDLES {
                    if self.add_file_lenient(Path::new(file)) {
                        found_file = true;
                        break;
                    }
                }
            }
        }
        match std::env::var_os("SSL_CERT_DIR") {
            Some(dirs) if !dirs.is_empty() => {
                for dir in std::env::split_paths(&dirs) {
                    let _ = self.add_dir(&dir);
                }
            }
            _ if !found_file => {
                for dir in SYSTEM_DIRS {
                    if matches!(self.add_dir(dir), Ok(n) if n > 0) {
                        break;
                    }
                }
            }
            _ => {}
        }
        self.len() - before
    }

    /// Number of trust anchors.
    pub fn len(&self) -> usize {
        self.inner.anchors.len()
    }

    /// Whether the store holds no trust anchor.
    pub fn is_empty(&self) -> bool {
        self.inner.anchors.is_empty()
    }

    /// The DER of every trust anchor, in insertion order.
    pub fn certificates(&self) -> impl Iterator<Item = &CertificateDer<'static>> {
        self.inner.anchors.iter().map(|a| &a.der)
    }

    /// The index of this exact certificate among the trust anchors.
    pub(crate) fn position(&self, der: &[u8]) -> Option<usize> {
        self.inner
            .anchors
            .iter()
            .position(|a| a.der.as_ref() == der)
    }

    /// Whether this exact certificate is a trust anchor.
    pub fn contains(&self, der: &[u8]) -> bool {
        self.position(der).is_some()
    }

    /// Adds each certificate of a file, skipping malformed ones; true if the file held any.
    fn add_file_lenient(&mut self, path: &Path) -> bool {
        let Ok(data) = read_file(path) else {
            return false;
        };
        let Ok(certs) = certs_from_pem_lenient(&data) else {
            return false;
        };
        let mut any = false;
        for cert in certs {
            if let Ok(anchor) = make_anchor(&cert) {
                self.insert(anchor);
                any = true;
            }
        }
        any
    }

    fn insert(&mut self, (anchor, ta): (Anchor, TrustAnchor<'static>)) {
        if self.contains(anchor.der.as_ref()) {
            return;
        }
        let inner = Arc::make_mut(&mut self.inner);
        inner.anchors.push(anchor);
        inner.webpki.push(ta);
    }
}

/// Every CERTIFICATE block's DER, without checking the certificates.
fn certs_from_pem_lenient(data: &[u8]) -> Result<Vec<Vec<u8>>, X509Error> {
    use rustls_pki_types::pem::{PemObject, SectionKind};
    let mut out = Vec::new();
    for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(data) {
        match item {
            Ok((SectionKind::Certificate, der)) => out.push(der),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    if out.is_empty() && data.first() == Some(&0x30) {
        out.push(data.to_vec());
    }
    Ok(out)
}

fn make_anchor(der: &[u8]) -> Result<(Anchor, TrustAnchor<'static>), X509Error> {
    let parsed = ParsedCert::parse(der)
        .ok_or_else(|| X509Error::BadCertificate("malformed certificate".into()))?;
    let subject = parsed.subject.to_vec();
    let cert = CertificateDer::from(der.to_vec());
    let ta = webpki::anchor_from_trusted_cert(&cert)
        .map_err(|e| X509Error::BadCertificate(format!("unusable trust anchor: {e}")))?
        .to_owned();
    Ok((Anchor { der: cert, subject }, ta))
}

pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, X509Error> {
    use std::io::Read;
    let file =
        std::fs::File::open(path).map_err(|e| X509Error::Io(format!("{}: {e}", path.display())))?;
    let mut data = Vec::new();
    file.take(MAX_FILE)
        .read_to_end(&mut data)
        .map_err(|e| X509Error::Io(format!("{}: {e}", path.display())))?;
    Ok(data)
}
