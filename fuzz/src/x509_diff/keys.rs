//! The key pool the generator signs with, and just enough DER to re-sign a certificate
//! with SHA-1 (which rcgen cannot do).

use std::sync::OnceLock;

use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use rcgen::{PublicKeyData, SignatureAlgorithm, SigningKey};

/// Pool indices: P-256 keys first, then one P-384, one RSA-2048, one RSA-1024.
pub const P256_KEYS: usize = 8;
/// The P-384 key.
pub const P384: usize = P256_KEYS;
/// The RSA-2048 key.
pub const RSA2048: usize = P256_KEYS + 1;
/// The RSA-1024 key (too small at security level 2).
pub const RSA1024: usize = P256_KEYS + 2;

/// A key of the pool: an OpenSSL key that rcgen signs with (rcgen's own keys cannot be
/// RSA-1024, nor sign with SHA-1).
pub struct PoolKey {
    pkey: PKey<Private>,
    /// The SubjectPublicKeyInfo's key bits (what rcgen puts in the BIT STRING).
    public: Vec<u8>,
    alg: &'static SignatureAlgorithm,
    digest: fn() -> MessageDigest,
}

impl PublicKeyData for PoolKey {
    fn der_bytes(&self) -> &[u8] {
        &self.public
    }
    fn algorithm(&self) -> &'static SignatureAlgorithm {
        self.alg
    }
}

impl SigningKey for PoolKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        self.sign_with((self.digest)(), msg)
            .ok_or(rcgen::Error::RemoteKeyError)
    }
}

impl PoolKey {
    fn new(
        pkey: PKey<Private>,
        alg: &'static SignatureAlgorithm,
        digest: fn() -> MessageDigest,
    ) -> Self {
        let spki = pkey.public_key_to_der().expect("spki");
        // SubjectPublicKeyInfo ::= SEQUENCE { algorithm, BIT STRING (0 unused bits, key) }
        let items = seq_items(content(&spki).expect("spki"));
        let bits = content(items[1]).expect("bit string");
        PoolKey {
            public: bits[1..].to_vec(),
            pkey,
            alg,
            digest,
        }
    }

    fn sign_with(&self, md: MessageDigest, msg: &[u8]) -> Option<Vec<u8>> {
        let mut s = openssl::sign::Signer::new(md, &self.pkey).ok()?;
        s.update(msg).ok()?;
        s.sign_to_vec().ok()
    }

    fn is_rsa(&self) -> bool {
        self.pkey.rsa().is_ok()
    }
}

/// The pool, made once per process (RSA key generation is slow).
pub fn keys() -> &'static [PoolKey] {
    static KEYS: OnceLock<Vec<PoolKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        use openssl::ec::{EcGroup, EcKey};
        use openssl::nid::Nid;
        let ec = |nid| {
            let group = EcGroup::from_curve_name(nid).expect("curve");
            PKey::from_ec_key(EcKey::generate(&group).expect("ec")).expect("pkey")
        };
        let rsa =
            |bits| PKey::from_rsa(openssl::rsa::Rsa::generate(bits).expect("rsa")).expect("pkey");
        let mut out: Vec<PoolKey> = (0..P256_KEYS)
            .map(|_| {
                PoolKey::new(
                    ec(Nid::X9_62_PRIME256V1),
                    &rcgen::PKCS_ECDSA_P256_SHA256,
                    MessageDigest::sha256,
                )
            })
            .collect();
        out.push(PoolKey::new(
            ec(Nid::SECP384R1),
            &rcgen::PKCS_ECDSA_P384_SHA384,
            MessageDigest::sha384,
        ));
        out.push(PoolKey::new(
            rsa(2048),
            &rcgen::PKCS_RSA_SHA256,
            MessageDigest::sha256,
        ));
        out.push(PoolKey::new(
            rsa(1024),
            &rcgen::PKCS_RSA_SHA256,
            MessageDigest::sha256,
        ));
        out
    })
}

/// The contents of the TLV at the start of `d`, if it is well-formed.
fn content(d: &[u8]) -> Option<&[u8]> {
    let (h, len) = header(d)?;
    d.get(h..h + len)
}

/// (header length, content length) of the TLV at the start of `d`.
fn header(d: &[u8]) -> Option<(usize, usize)> {
    let first = *d.get(1)?;
    if first < 0x80 {
        return Some((2, usize::from(first)));
    }
    let n = usize::from(first & 0x7f);
    let len = d
        .get(2..2 + n)?
        .iter()
        .fold(0usize, |a, b| (a << 8) | usize::from(*b));
    Some((2 + n, len))
}

/// The TLVs one after another in `d`.
fn seq_items(mut d: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while let Some((h, len)) = header(d) {
        let (item, rest) = d.split_at((h + len).min(d.len()));
        out.push(item);
        d = rest;
    }
    out
}

/// A TLV; the certificates made here are under 64 KiB, so two length octets suffice.
fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let n = body.len();
    let len = match n {
        0..=0x7f => vec![n as u8],
        0x80..=0xff => vec![0x81, n as u8],
        _ => vec![0x82, (n >> 8) as u8, n as u8],
    };
    [&[tag][..], &len, body].concat()
}

/// `der` with its TBS re-signed by `key` with SHA-1 (both AlgorithmIdentifiers say so).
pub(super) fn resign_sha1(der: &[u8], key: &PoolKey) -> Vec<u8> {
    let alg: &[u8] = if key.is_rsa() {
        // sha1WithRSAEncryption, NULL parameters
        &[
            0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05,
            0x00,
        ]
    } else {
        // ecdsa-with-SHA1
        &[
            0x30, 0x09, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01,
        ]
    };
    let outer = seq_items(content(der).expect("certificate"));
    let mut tbs = seq_items(content(outer[0]).expect("tbs"));
    let at = if tbs[0][0] == 0xa0 { 2 } else { 1 };
    tbs[at] = alg;
    let tbs = tlv(0x30, &tbs.concat());
    let sig = key
        .sign_with(MessageDigest::sha1(), &tbs)
        .expect("sha1 signature");
    let mut bits = vec![0];
    bits.extend(sig);
    tlv(0x30, &[tbs, alg.to_vec(), tlv(0x03, &bits)].concat())
}

/// Whether pool key `k` is an RSA key.
pub fn is_rsa(k: usize) -> bool {
    k == RSA2048 || k == RSA1024
}
