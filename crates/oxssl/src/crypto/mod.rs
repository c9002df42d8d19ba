//! Cryptographic primitives: a thin facade over `aws-lc-rs`.
//!
//! Everything the protocol layers need from cryptography goes through this module: hashing,
//! HMAC/HKDF and the TLS 1.2 PRF ([`hash`]), record protection ([`aead`]), ephemeral key
//! exchange ([`kx`]), handshake signatures ([`sign`]) and randomness ([`rand`]). None of the
//! functions here panic on caller- or peer-supplied data; failures are reported as
//! [`CryptoError`].

pub mod aead;
pub mod hash;
pub mod kx;
pub mod rand;
pub mod sign;

/// An error from a cryptographic primitive; carries a static description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CryptoError(pub &'static str);

impl std::fmt::Display for CryptoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "crypto error: {}", self.0)
    }
}

impl std::error::Error for CryptoError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn types_are_send_and_sync() {
        assert_send_sync::<hash::Hash>();
        assert_send_sync::<hash::Output>();
        assert_send_sync::<hash::Secret>();
        assert_send_sync::<aead::AeadKey>();
        assert_send_sync::<kx::KeyShare>();
        assert_send_sync::<kx::SharedSecret>();
        assert_send_sync::<sign::SigningKey>();
        assert_send_sync::<CryptoError>();
    }

    #[test]
    fn error_display() {
        let e = CryptoError("bad thing");
        assert_eq!(e.to_string(), "crypto error: bad thing");
        assert_eq!(e, CryptoError("bad thing"));
    }
}
