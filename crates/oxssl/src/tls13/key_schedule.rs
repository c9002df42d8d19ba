//! The TLS 1.3 key schedule (RFC 8446 section 7): HKDF-Expand-Label, Derive-Secret, the
//! early/handshake/master secret chain, traffic keys, Finished MACs and KeyUpdate.

use crate::crypto::hash::{self, HashAlgorithm, Output, Secret};
use crate::error::TlsError;
use crate::record::protect::Tls13Cipher;
use crate::suites::CipherSuite;
use zeroize::Zeroizing;

/// HKDF-Expand-Label(secret, label, context, out.len()) with the "tls13 " prefix.
pub fn expand_label(
    alg: HashAlgorithm,
    secret: &[u8],
    label: &[u8],
    context: &[u8],
    out: &mut [u8],
) -> Result<(), TlsError> {
    let too_long = || TlsError::internal("HKDF-Expand-Label input too long");
    let len = u16::try_from(out.len())
        .map_err(|_| too_long())?
        .to_be_bytes();
    let label_len = [u8::try_from(6 + label.len()).map_err(|_| too_long())?];
    let ctx_len = [u8::try_from(context.len()).map_err(|_| too_long())?];
    hash::hkdf_expand(
        alg,
        secret,
        &[&len, &label_len, b"tls13 ", label, &ctx_len, context],
        out,
    )
    .map_err(|e| TlsError::internal(e.0))
}

/// HKDF-Expand-Label producing one hash-length output.
pub fn expand_label_hash(
    alg: HashAlgorithm,
    secret: &[u8],
    label: &[u8],
    context: &[u8],
) -> Result<Output, TlsError> {
    let mut buf = Zeroizing::new([0u8; hash::MAX_OUTPUT_LEN]);
    let out = &mut buf[..alg.output_len()];
    expand_label(alg, secret, label, context, out)?;
    Output::from_slice(out).ok_or_else(|| TlsError::internal("hash output length"))
}

/// Derive-Secret(secret, label, transcript hash).
pub fn derive_secret(
    alg: HashAlgorithm,
    secret: &[u8],
    label: &[u8],
    transcript_hash: &[u8],
) -> Result<Output, TlsError> {
    expand_label_hash(alg, secret, label, transcript_hash)
}

/// The record cipher for a traffic secret.
pub fn cipher(suite: CipherSuite, secret: &[u8]) -> Result<Tls13Cipher, TlsError> {
    let aead = suite.aead();
    let mut key = Zeroizing::new([0u8; 32]);
    let key = &mut key[..aead.key_len()];
    expand_label(suite.hash(), secret, b"key", b"", key)?;
    let mut iv = Zeroizing::new([0u8; 12]);
    expand_label(suite.hash(), secret, b"iv", b"", &mut iv[..])?;
    Tls13Cipher::new(aead, key, *iv)
}

/// The Finished verify_data for a base (handshake traffic) secret over a transcript hash.
pub fn finished_mac(
    alg: HashAlgorithm,
    base_secret: &[u8],
    transcript_hash: &[u8],
) -> Result<Output, TlsError> {
    let key = expand_label_hash(alg, base_secret, b"finished", b"")?;
    Ok(hash::hmac(alg, key.as_bytes(), &[transcript_hash]))
}

/// application_traffic_secret_N+1 from _N (KeyUpdate).
pub fn next_traffic_secret(alg: HashAlgorithm, secret: &[u8]) -> Result<Output, TlsError> {
    expand_label_hash(alg, secret, b"traffic upd", b"")
}

/// Where the secret chain stands.
#[derive(Clone, Debug)]
pub struct KeySchedule {
    alg: HashAlgorithm,
    secret: Secret,
}

impl KeySchedule {
    /// The early secret, from a PSK or (for a full handshake) zeros.
    pub fn new(alg: HashAlgorithm, psk: Option<&[u8]>) -> Self {
        let zeros = [0u8; hash::MAX_OUTPUT_LEN];
        let ikm = psk.unwrap_or(&zeros[..alg.output_len()]);
        KeySchedule {
            alg,
            secret: hash::hkdf_extract(alg, &zeros[..alg.output_len()], ikm).into(),
        }
    }

    /// The hash in use.
    pub fn algorithm(&self) -> HashAlgorithm {
        self.alg
    }

    fn advance(&mut self, ikm: Option<&[u8]>) -> Result<(), TlsError> {
        let empty = hash::digest(self.alg, b"");
        let derived = derive_secret(
            self.alg,
            self.secret.as_bytes(),
            b"derived",
            empty.as_bytes(),
        )?;
        let zeros = [0u8; hash::MAX_OUTPUT_LEN];
        let ikm = ikm.unwrap_or(&zeros[..self.alg.output_len()]);
        // In place: the stage before is zeroized as it is overwritten.
        *self.secret = hash::hkdf_extract(self.alg, derived.as_bytes(), ikm);
        Ok(())
    }

    /// Early secret -> handshake secret, mixing in the (EC)DHE shared secret.
    pub fn into_handshake(&mut self, shared_secret: &[u8]) -> Result<(), TlsError> {
        self.advance(Some(shared_secret))
    }

    /// Handshake secret -> master secret.
    pub fn into_master(&mut self) -> Result<(), TlsError> {
        self.advance(None)
    }

    /// Derive-Secret from the current stage.
    pub fn derive(&self, label: &[u8], transcript_hash: &[u8]) -> Result<Output, TlsError> {
        derive_secret(self.alg, self.secret.as_bytes(), label, transcript_hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 8448 section 3 (simple 1-RTT handshake): early secret, handshake secret and
    /// the server handshake traffic secret from the published transcript hash.
    #[test]
    fn rfc8448_simple_handshake() {
        let alg = HashAlgorithm::Sha256;
        let mut ks = KeySchedule::new(alg, None);
        assert_eq!(
            ks.secret.as_bytes(),
            &hex("33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a")[..]
        );
        let ecdhe = hex("8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d");
        ks.into_handshake(&ecdhe).unwrap();
        assert_eq!(
            ks.secret.as_bytes(),
            &hex("1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac")[..]
        );
        let ch_sh = hex("860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8");
        let s_hs = ks.derive(b"s hs traffic", &ch_sh).unwrap();
        assert_eq!(
            s_hs.as_bytes(),
            &hex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38")[..]
        );
        let mut key = [0u8; 16];
        expand_label(alg, s_hs.as_bytes(), b"key", b"", &mut key).unwrap();
        assert_eq!(&key[..], &hex("3fce516009c21727d0f2e4e86ee403bc")[..]);
        ks.into_master().unwrap();
        assert_eq!(
            ks.secret.as_bytes(),
            &hex("18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919")[..]
        );
    }
}

#[cfg(test)]
mod failure_tests {
    use super::*;

    /// Helpers fail instead of falling back to a fixed value.
    #[test]
    fn helpers_report_failure() {
        let alg = HashAlgorithm::Sha256;
        let mut out = [0u8; 16];
        let long_label = [b'x'; 300];
        assert!(expand_label(alg, &[1; 32], &long_label, b"", &mut out).is_err());
        let mut huge = vec![0u8; 255 * 32 + 1];
        assert!(expand_label(alg, &[1; 32], b"key", b"", &mut huge).is_err());
        let t = crate::tls13::Transcript::Buffer(b"hello".to_vec());
        assert!(t.current().is_err());
    }
}
