//! Message digests by name, as the `openssl` crate's `hash` module: what certificate
//! fingerprints ([`crate::x509::X509::digest`]) and one-shot hashing need.

use crate::crypto::hash::{self, HashAlgorithm};
use crate::ssl::ErrorStack;

/// A digest algorithm (`EVP_MD`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MessageDigest(Kind);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    Sha1,
    Sha(HashAlgorithm),
}

impl MessageDigest {
    /// SHA-1 (fingerprints of legacy tools; never used by the protocol here).
    pub fn sha1() -> MessageDigest {
        MessageDigest(Kind::Sha1)
    }

    /// SHA-256.
    pub fn sha256() -> MessageDigest {
        MessageDigest(Kind::Sha(HashAlgorithm::Sha256))
    }

    /// SHA-384.
    pub fn sha384() -> MessageDigest {
        MessageDigest(Kind::Sha(HashAlgorithm::Sha384))
    }

    /// SHA-512.
    pub fn sha512() -> MessageDigest {
        MessageDigest(Kind::Sha(HashAlgorithm::Sha512))
    }

    /// The digest's output length in bytes (`EVP_MD_get_size`).
    pub fn size(&self) -> usize {
        match self.0 {
            Kind::Sha1 => 20,
            Kind::Sha(alg) => alg.output_len(),
        }
    }

    /// Its NID (`EVP_MD_get_type`).
    pub fn type_(&self) -> crate::nid::Nid {
        use crate::nid::Nid;
        match self.0 {
            Kind::Sha1 => Nid::SHA1,
            Kind::Sha(HashAlgorithm::Sha256) => Nid::SHA256,
            Kind::Sha(HashAlgorithm::Sha384) => Nid::SHA384,
            Kind::Sha(HashAlgorithm::Sha512) => Nid::SHA512,
        }
    }
}

/// A digest's output.
#[derive(Clone, PartialEq, Eq)]
pub struct DigestBytes(Vec<u8>);

impl std::ops::Deref for DigestBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for DigestBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for DigestBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for b in &self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// One-shot digest of `data` (`EVP_Digest`).
///
/// ```
/// use oxssl::hash::{hash, MessageDigest};
/// let d = hash(MessageDigest::sha256(), b"abc").unwrap();
/// assert_eq!(d[..4], [0xba, 0x78, 0x16, 0xbf]);
/// ```
pub fn hash(t: MessageDigest, data: &[u8]) -> Result<DigestBytes, ErrorStack> {
    Ok(DigestBytes(match t.0 {
        Kind::Sha1 => hash::sha1_fingerprint(data).to_vec(),
        Kind::Sha(alg) => hash::digest(alg, data).as_bytes().to_vec(),
    }))
}
