//! [`X509Store`] and [`X509StoreBuilder`]: trusted certificates as the `openssl` crate's
//! `x509::store` module names them (over [`super::TrustStore`]).

use std::path::Path;

use super::cert::X509;
use super::trust::TrustStore;
use crate::ssl::{ErrorEntry, ErrorStack};

fn store_err(e: super::X509Error) -> ErrorStack {
    ErrorStack::one(ErrorEntry::ssl(
        crate::reason::Reason::BAD_VALUE,
        e.to_string(),
    ))
}

/// A set of trusted certificates being filled (`X509_STORE` before it is shared).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let pem = rcgen::generate_simple_self_signed(vec!["ca.test".into()])?.cert.pem();
/// use oxssl::x509::store::X509StoreBuilder;
/// use oxssl::x509::X509;
/// let mut builder = X509StoreBuilder::new()?;
/// builder.add_cert(X509::from_pem(pem.as_bytes())?)?;
/// let store = builder.build();
/// assert_eq!(store.all_certificates().len(), 1);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct X509StoreBuilder(pub(crate) TrustStore);

/// The `openssl` crate's borrowed builder type: here the same as [`X509StoreBuilder`].
pub type X509StoreBuilderRef = X509StoreBuilder;

impl X509StoreBuilder {
    /// An empty store (`X509_STORE_new`).
    pub fn new() -> Result<X509StoreBuilder, ErrorStack> {
        Ok(X509StoreBuilder(TrustStore::new()))
    }

    /// Trusts `cert` (`X509_STORE_add_cert`).
    pub fn add_cert(&mut self, cert: X509) -> Result<(), ErrorStack> {
        self.0.add_der(cert.as_der().as_ref()).map_err(store_err)
    }

    /// Trusts the system's CA certificates (`X509_STORE_set_default_paths`).
    pub fn set_default_paths(&mut self) -> Result<(), ErrorStack> {
        self.0.add_system_roots();
        Ok(())
    }

    /// Trusts the certificates of a PEM file and/or of every file in a directory (OpenSSL's
    /// hashed `CApath` layout works; any file name does).
    pub fn load_locations(
        &mut self,
        file: Option<&Path>,
        dir: Option<&Path>,
    ) -> Result<(), ErrorStack> {
        if let Some(f) = file {
            self.0.add_pem_file(f).map_err(store_err)?;
        }
        if let Some(d) = dir {
            self.0.add_dir(d).map_err(store_err)?;
        }
        Ok(())
    }

    /// The certificates trusted so far.
    pub fn all_certificates(&self) -> Vec<X509> {
        certificates(&self.0)
    }

    /// The finished store.
    pub fn build(self) -> X509Store {
        X509Store(self.0)
    }
}

/// A shared set of trusted certificates (`X509_STORE`); cloning is cheap.
#[derive(Clone, Debug, Default)]
pub struct X509Store(pub(crate) TrustStore);

/// The `openssl` crate's borrowed store type: here the same as [`X509Store`].
pub type X509StoreRef = X509Store;

impl X509Store {
    /// Every trusted certificate (`X509_STORE_get1_all_certs`).
    pub fn all_certificates(&self) -> Vec<X509> {
        certificates(&self.0)
    }
}

impl From<TrustStore> for X509Store {
    fn from(t: TrustStore) -> Self {
        X509Store(t)
    }
}

fn certificates(t: &TrustStore) -> Vec<X509> {
    t.certificates().cloned().map(X509::from_checked).collect()
}
