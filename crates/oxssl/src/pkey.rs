//! [`PKey`]: public and private keys as the `openssl` crate's `pkey` module names them.
//! Private keys are the ones a TLS endpoint signs with (RSA 2048-4096, ECDSA P-256/P-384,
//! Ed25519); public keys are any SubjectPublicKeyInfo (a peer certificate's key).

use std::marker::PhantomData;
use std::sync::Arc;
use zeroize::Zeroizing;

use crate::crypto::sign::{KeyType, SigningKey};
use crate::nid::Nid;
use crate::ssl::{ErrorEntry, ErrorStack};
use crate::x509::der::{tag, Reader};

/// Marker of a key with its private half.
#[derive(Debug)]
pub enum Private {}
/// Marker of a public key.
#[derive(Debug)]
pub enum Public {}

/// The key types (`EVP_PKEY_*`, numbered as their NIDs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Id(i32);

impl Id {
    /// `EVP_PKEY_RSA`.
    pub const RSA: Id = Id(Nid::RSAENCRYPTION.as_raw());
    /// `EVP_PKEY_RSA_PSS`.
    pub const RSA_PSS: Id = Id(Nid::RSASSAPSS.as_raw());
    /// `EVP_PKEY_EC`.
    pub const EC: Id = Id(Nid::X9_62_ID_ECPUBLICKEY.as_raw());
    /// `EVP_PKEY_ED25519`.
    pub const ED25519: Id = Id(Nid::ED25519.as_raw());
    /// `EVP_PKEY_ED448`.
    pub const ED448: Id = Id(Nid::ED448.as_raw());

    /// An id from its number.
    pub fn from_raw(raw: i32) -> Id {
        Id(raw)
    }

    /// The number.
    pub fn as_raw(self) -> i32 {
        self.0
    }
}

#[derive(Debug)]
enum Material {
    /// The private key as loaded (PKCS#8, PKCS#1 or SEC1 DER, zeroized on drop) and
    /// ready to sign.
    Private {
        der: Zeroizing<Vec<u8>>,
        key: Arc<SigningKey>,
    },
    /// A SubjectPublicKeyInfo.
    Public { spki: Vec<u8> },
}

/// A key (`EVP_PKEY`); `T` is [`Private`] or [`Public`].
pub struct PKey<T> {
    material: Arc<Material>,
    _kind: PhantomData<T>,
}

/// The `openssl` crate's borrowed key type: here the same as [`PKey`].
pub type PKeyRef<T> = PKey<T>;

impl<T> Clone for PKey<T> {
    fn clone(&self) -> Self {
        PKey {
            material: self.material.clone(),
            _kind: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for PKey<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PKey")
            .field("id", &self.id())
            .field("bits", &self.bits())
            .finish()
    }
}

fn bad_key(what: impl Into<String>) -> ErrorStack {
    ErrorStack::one(ErrorEntry::ssl(crate::reason::Reason::BAD_VALUE, what))
}

impl PKey<Private> {
    /// A private key from PEM: PKCS#8 "PRIVATE KEY", "RSA PRIVATE KEY" or "EC PRIVATE KEY"
    /// (`PEM_read_bio_PrivateKey`; encrypted keys are refused).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let pem = rcgen::KeyPair::generate()?.serialize_pem();
    /// use oxssl::pkey::{Id, PKey};
    /// let key = PKey::private_key_from_pem(pem.as_bytes())?;
    /// assert_eq!(key.id(), Id::EC);
    /// assert_eq!(key.bits(), 256);
    /// # Ok(()) }
    /// ```
    pub fn private_key_from_pem(pem: &[u8]) -> Result<PKey<Private>, ErrorStack> {
        let der = crate::x509::private_key_from_pem(pem).map_err(|e| bad_key(e.to_string()))?;
        // The decoded key is wiped once the signing key is built from it.
        let der = Zeroizing::new(der);
        Self::private_key_from_der(der.secret_der())
    }

    /// A private key from DER: PKCS#8, PKCS#1 (RSA) or SEC1 (EC) (`d2i_AutoPrivateKey`).
    pub fn private_key_from_der(der: &[u8]) -> Result<PKey<Private>, ErrorStack> {
        let key = SigningKey::from_der(der).map_err(|e| bad_key(e.0))?;
        Ok(PKey {
            material: Arc::new(Material::Private {
                der: der.to_vec().into(),
                key: Arc::new(key),
            }),
            _kind: PhantomData,
        })
    }

    /// A private key from PKCS#8 DER.
    pub fn private_key_from_pkcs8(der: &[u8]) -> Result<PKey<Private>, ErrorStack> {
        Self::private_key_from_der(der)
    }

    /// The key as DER, in the form it was loaded in.
    pub fn private_key_to_der(&self) -> Result<Vec<u8>, ErrorStack> {
        match &*self.material {
            Material::Private { der, .. } => Ok(der.to_vec()),
            Material::Public { .. } => Err(bad_key("not a private key")),
        }
    }

    /// The signing key the engine uses.
    pub(crate) fn signing_key(&self) -> Option<Arc<SigningKey>> {
        match &*self.material {
            Material::Private { key, .. } => Some(key.clone()),
            Material::Public { .. } => None,
        }
    }
}

impl PKey<Public> {
    /// A public key from a PEM "PUBLIC KEY" block (`PEM_read_bio_PUBKEY`).
    pub fn public_key_from_pem(pem: &[u8]) -> Result<PKey<Public>, ErrorStack> {
        use rustls_pki_types::pem::PemObject;
        let spki = rustls_pki_types::SubjectPublicKeyInfoDer::from_pem_slice(pem)
            .map_err(|e| bad_key(format!("no public key: {e}")))?;
        Self::public_key_from_der(spki.as_ref())
    }

    /// A public key from SubjectPublicKeyInfo DER (`d2i_PUBKEY`).
    pub fn public_key_from_der(der: &[u8]) -> Result<PKey<Public>, ErrorStack> {
        if spki_alg(der).is_none() {
            return Err(bad_key("malformed SubjectPublicKeyInfo"));
        }
        Ok(PKey {
            material: Arc::new(Material::Public { spki: der.to_vec() }),
            _kind: PhantomData,
        })
    }
}

/// The parts of a SubjectPublicKeyInfo.
struct Spki<'a> {
    /// The algorithm OID's contents octets.
    oid: &'a [u8],
    /// The algorithm parameters' contents, if any.
    params: Option<&'a [u8]>,
    /// The subjectPublicKey bits.
    key: &'a [u8],
}

fn spki_alg(spki: &[u8]) -> Option<Spki<'_>> {
    let seq = crate::x509::der::single(spki, tag::SEQUENCE)?;
    let mut r = Reader::new(seq.value);
    let alg = r.expect(tag::SEQUENCE)?;
    let key = r.expect(tag::BIT_STRING)?;
    let key = crate::x509::der::bit_string_bytes(&key)?;
    let mut a = Reader::new(alg.value);
    let oid = a.expect(tag::OID)?.value;
    let params = a.read().map(|p| p.value);
    Some(Spki { oid, params, key })
}

impl<T> PKey<T> {
    fn spki(&self) -> Vec<u8> {
        match &*self.material {
            Material::Private { key, .. } => key.public_key_spki(),
            Material::Public { spki } => spki.clone(),
        }
    }

    /// The key type (`EVP_PKEY_get_id`).
    pub fn id(&self) -> Id {
        let spki = self.spki();
        let oid = spki_alg(&spki).map(|s| Nid::from_oid(s.oid));
        Id(oid.unwrap_or(Nid::UNDEF).as_raw())
    }

    /// The key size as OpenSSL counts it (`EVP_PKEY_get_bits`): the RSA modulus, the
    /// curve's order (256, 384, 521), 256 for Ed25519, 456 for Ed448.
    pub fn bits(&self) -> u32 {
        if let Material::Private { key, .. } = &*self.material {
            return match key.key_type() {
                KeyType::Rsa { bits } => bits as u32,
                KeyType::EcP256 => 256,
                KeyType::EcP384 => 384,
                KeyType::Ed25519 => 256,
            };
        }
        let spki = self.spki();
        let Some(Spki { oid, params, key }) = spki_alg(&spki) else {
            return 0;
        };
        match Nid::from_oid(oid) {
            Nid::ED25519 => 256,
            Nid::ED448 => 456,
            Nid::X9_62_ID_ECPUBLICKEY => {
                let curve = params
                    .and_then(|p| Reader::new(p).read())
                    .map(|t| t.value)
                    .unwrap_or(params.unwrap_or_default());
                match Nid::from_oid(curve) {
                    Nid::X9_62_PRIME256V1 => 256,
                    Nid::SECP384R1 => 384,
                    Nid::SECP521R1 => 521,
                    _ => 0,
                }
            }
            Nid::RSAENCRYPTION | Nid::RSASSAPSS => rsa_bits(key),
            _ => 0,
        }
    }

    /// The public key as SubjectPublicKeyInfo DER (`i2d_PUBKEY`).
    pub fn public_key_to_der(&self) -> Result<Vec<u8>, ErrorStack> {
        Ok(self.spki())
    }

    /// The public key as a PEM "PUBLIC KEY" block (`PEM_write_bio_PUBKEY`).
    pub fn public_key_to_pem(&self) -> Result<Vec<u8>, ErrorStack> {
        crate::x509::pem_encode("PUBLIC KEY", &self.spki())
            .map(String::into_bytes)
            .map_err(|e| bad_key(e.to_string()))
    }

    /// Whether both keys have the same public half (`EVP_PKEY_eq`).
    pub fn public_eq<U>(&self, other: &PKey<U>) -> bool {
        self.spki() == other.spki()
    }
}

/// Bits of an RSAPublicKey's modulus.
fn rsa_bits(key: &[u8]) -> u32 {
    let n = crate::x509::der::single(key, tag::SEQUENCE)
        .and_then(|seq| Reader::new(seq.value).expect(tag::INTEGER))
        .map(|n| n.value)
        .unwrap_or_default();
    let n = match n.split_first() {
        Some((0, rest)) => rest,
        _ => n,
    };
    match n.first() {
        Some(b) => (n.len() * 8) as u32 - b.leading_zeros(),
        None => 0,
    }
}
