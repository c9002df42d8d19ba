//! Ephemeral key exchange: X25519, NIST P-256/P-384 ECDHE and the hybrid X25519MLKEM768.
//!
//! Wire formats follow TLS 1.3 (RFC 8446 section 4.2.8.2) and draft-ietf-tls-ecdhe-mlkem:
//! - X25519: 32-byte u-coordinate;
//! - P-256 / P-384: uncompressed point `0x04 || X || Y` (65 / 97 bytes), nothing else;
//! - X25519MLKEM768: the client sends `ML-KEM-768 encapsulation key (1184) || X25519 (32)`,
//!   the server answers `ML-KEM-768 ciphertext (1088) || X25519 (32)`, and the shared secret is
//!   `ML-KEM shared secret (32) || X25519 shared secret (32)`.

use aws_lc_rs::{agreement, kem, rand::SystemRandom};

use super::CryptoError;
use zeroize::Zeroizing;

/// A key exchange group (TLS `NamedGroup`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KxGroup {
    /// Hybrid X25519 + ML-KEM-768 (0x11EC).
    X25519MlKem768,
    /// X25519 (0x001D).
    X25519,
    /// NIST P-256 (0x0017).
    Secp256r1,
    /// NIST P-384 (0x0018).
    Secp384r1,
}

const MLKEM768_EK_LEN: usize = 1184;
const MLKEM768_CT_LEN: usize = 1088;
const MLKEM768_SS_LEN: usize = 32;
const X25519_LEN: usize = 32;
const P256_POINT_LEN: usize = 65;
const P384_POINT_LEN: usize = 97;

impl KxGroup {
    /// Every supported group, in default preference order.
    pub const ALL: [KxGroup; 4] = [
        KxGroup::X25519MlKem768,
        KxGroup::X25519,
        KxGroup::Secp256r1,
        KxGroup::Secp384r1,
    ];

    /// The IANA `NamedGroup` code point.
    pub fn to_u16(self) -> u16 {
        match self {
            KxGroup::X25519MlKem768 => 0x11EC,
            KxGroup::X25519 => 0x001D,
            KxGroup::Secp256r1 => 0x0017,
            KxGroup::Secp384r1 => 0x0018,
        }
    }

    /// Looks up a group by its IANA code point.
    pub fn from_u16(v: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.to_u16() == v)
    }

    /// The OpenSSL name of the group.
    pub fn name(self) -> &'static str {
        match self {
            KxGroup::X25519MlKem768 => "X25519MLKEM768",
            KxGroup::X25519 => "x25519",
            KxGroup::Secp256r1 => "secp256r1",
            KxGroup::Secp384r1 => "secp384r1",
        }
    }

    /// Parses a group name, case-insensitively; also accepts the aliases
    /// `P-256`, `prime256v1` and `P-384`.
    pub fn from_name(s: &str) -> Option<Self> {
        const NAMES: [(&str, KxGroup); 7] = [
            ("X25519MLKEM768", KxGroup::X25519MlKem768),
            ("x25519", KxGroup::X25519),
            ("secp256r1", KxGroup::Secp256r1),
            ("P-256", KxGroup::Secp256r1),
            ("prime256v1", KxGroup::Secp256r1),
            ("secp384r1", KxGroup::Secp384r1),
            ("P-384", KxGroup::Secp384r1),
        ];
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map(|&(_, g)| g)
    }

    /// True for post-quantum hybrid groups.
    pub fn is_hybrid(self) -> bool {
        matches!(self, KxGroup::X25519MlKem768)
    }

    /// Exact length of the client's (initiator's) key share.
    pub fn client_share_len(self) -> usize {
        match self {
            KxGroup::X25519MlKem768 => MLKEM768_EK_LEN + X25519_LEN,
            KxGroup::X25519 => X25519_LEN,
            KxGroup::Secp256r1 => P256_POINT_LEN,
            KxGroup::Secp384r1 => P384_POINT_LEN,
        }
    }

    /// Exact length of the server's (responder's) key share.
    pub fn server_share_len(self) -> usize {
        match self {
            KxGroup::X25519MlKem768 => MLKEM768_CT_LEN + X25519_LEN,
            other => other.client_share_len(),
        }
    }
}

/// The ECDH algorithm behind a classical group (and the classical half of a hybrid one).
fn ecdh_alg(group: KxGroup) -> &'static agreement::Algorithm {
    match group {
        KxGroup::X25519MlKem768 | KxGroup::X25519 => &agreement::X25519,
        KxGroup::Secp256r1 => &agreement::ECDH_P256,
        KxGroup::Secp384r1 => &agreement::ECDH_P384,
    }
}

/// Strictly checks the encoding of a classical ECDH public value for `group`.
fn check_ecdh_public(group: KxGroup, public: &[u8]) -> Result<(), CryptoError> {
    let ok = match group {
        KxGroup::X25519 | KxGroup::X25519MlKem768 => public.len() == X25519_LEN,
        KxGroup::Secp256r1 => public.len() == P256_POINT_LEN && public.first() == Some(&0x04),
        KxGroup::Secp384r1 => public.len() == P384_POINT_LEN && public.first() == Some(&0x04),
    };
    if ok {
        Ok(())
    } else {
        Err(CryptoError("malformed key share"))
    }
}

fn ecdh_generate(group: KxGroup) -> Result<(agreement::EphemeralPrivateKey, Vec<u8>), CryptoError> {
    let private = agreement::EphemeralPrivateKey::generate(ecdh_alg(group), &SystemRandom::new())
        .map_err(|_| CryptoError("key generation failed"))?;
    let public = private
        .compute_public_key()
        .map_err(|_| CryptoError("key generation failed"))?;
    let public = public.as_ref().to_vec();
    // Our own encoding must satisfy the checks we apply to peers.
    check_ecdh_public(group, &public)?;
    Ok((private, public))
}

/// ECDH with a strictly-checked peer value; appends the raw shared secret to `out`.
fn ecdh_agree(
    group: KxGroup,
    private: agreement::EphemeralPrivateKey,
    peer: &[u8],
    out: &mut SharedSecret,
) -> Result<(), CryptoError> {
    check_ecdh_public(group, peer)?;
    let err = CryptoError("key exchange failed");
    agreement::agree_ephemeral(
        private,
        agreement::UnparsedPublicKey::new(ecdh_alg(group), peer),
        err,
        |secret| {
            // RFC 8446 section 7.4.2: an all-zero X25519 output must be rejected.
            // (AWS-LC already refuses it; this is belt and braces.)
            if secret.iter().fold(0u8, |acc, &b| acc | b) == 0 {
                return Err(err);
            }
            out.bytes.extend_from_slice(secret);
            Ok(())
        },
    )
}

enum Private {
    Ecdhe(agreement::EphemeralPrivateKey),
    Hybrid {
        mlkem: kem::DecapsulationKey,
        x25519: agreement::EphemeralPrivateKey,
    },
}

/// The client's (initiator's) ephemeral key share.
pub struct KeyShare {
    group: KxGroup,
    private: Private,
    public: Vec<u8>,
}

impl std::fmt::Debug for KeyShare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyShare")
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

impl KeyShare {
    /// Generates a fresh ephemeral key share for `group`.
    pub fn generate(group: KxGroup) -> Result<KeyShare, CryptoError> {
        match group {
            KxGroup::X25519 | KxGroup::Secp256r1 | KxGroup::Secp384r1 => {
                let (private, public) = ecdh_generate(group)?;
                Ok(KeyShare {
                    group,
                    private: Private::Ecdhe(private),
                    public,
                })
            }
            KxGroup::X25519MlKem768 => {
                let err = CryptoError("ML-KEM key generation failed");
                let mlkem = kem::DecapsulationKey::generate(&kem::ML_KEM_768).map_err(|_| err)?;
                let ek = mlkem
                    .encapsulation_key()
                    .and_then(|ek| ek.key_bytes())
                    .map_err(|_| err)?;
                let (x25519, x_pub) = ecdh_generate(group)?;
                let mut public = Vec::with_capacity(group.client_share_len());
                public.extend_from_slice(ek.as_ref());
                public.extend_from_slice(&x_pub);
                if public.len() != group.client_share_len() {
                    return Err(err);
                }
                Ok(KeyShare {
                    group,
                    private: Private::Hybrid { mlkem, x25519 },
                    public,
                })
            }
        }
    }

    /// The group of this share.
    pub fn group(&self) -> KxGroup {
        self.group
    }

    /// Wire encoding of the share.
    pub fn public(&self) -> &[u8] {
        &self.public
    }

    /// Completes the exchange with the peer's share (ECDHE: peer public; X25519MLKEM768: server's ML-KEM ciphertext || X25519 share).
    pub fn complete(self, peer: &[u8]) -> Result<SharedSecret, CryptoError> {
        if peer.len() != self.group.server_share_len() {
            return Err(CryptoError("key share has the wrong length"));
        }
        let mut out = SharedSecret::with_capacity(2 * X25519_LEN);
        match self.private {
            Private::Ecdhe(private) => ecdh_agree(self.group, private, peer, &mut out)?,
            Private::Hybrid { mlkem, x25519 } => {
                let (ct, x_peer) = peer.split_at(MLKEM768_CT_LEN);
                let ss = mlkem
                    .decapsulate(kem::Ciphertext::from(ct))
                    .map_err(|_| CryptoError("ML-KEM decapsulation failed"))?;
                if ss.as_ref().len() != MLKEM768_SS_LEN {
                    return Err(CryptoError("ML-KEM shared secret length"));
                }
                out.bytes.extend_from_slice(ss.as_ref());
                ecdh_agree(self.group, x25519, x_peer, &mut out)?;
            }
        }
        Ok(out)
    }
}

/// Responder side (TLS 1.3 server): answers a client share; returns (server share bytes, shared secret).
pub fn respond(
    group: KxGroup,
    client_share: &[u8],
) -> Result<(Vec<u8>, SharedSecret), CryptoError> {
    if client_share.len() != group.client_share_len() {
        return Err(CryptoError("key share has the wrong length"));
    }
    let mut out = SharedSecret::with_capacity(2 * X25519_LEN);
    match group {
        KxGroup::X25519 | KxGroup::Secp256r1 | KxGroup::Secp384r1 => {
            check_ecdh_public(group, client_share)?;
            let (private, public) = ecdh_generate(group)?;
            ecdh_agree(group, private, client_share, &mut out)?;
            Ok((public, out))
        }
        KxGroup::X25519MlKem768 => {
            let (ek, x_peer) = client_share.split_at(MLKEM768_EK_LEN);
            check_ecdh_public(group, x_peer)?;
            let err = CryptoError("ML-KEM encapsulation failed");
            let ek = kem::EncapsulationKey::new(&kem::ML_KEM_768, ek)
                .map_err(|_| CryptoError("malformed ML-KEM encapsulation key"))?;
            let (ct, ss) = ek.encapsulate().map_err(|_| err)?;
            if ct.as_ref().len() != MLKEM768_CT_LEN || ss.as_ref().len() != MLKEM768_SS_LEN {
                return Err(err);
            }
            out.bytes.extend_from_slice(ss.as_ref());
            let (private, x_pub) = ecdh_generate(group)?;
            ecdh_agree(group, private, x_peer, &mut out)?;
            let mut share = Vec::with_capacity(group.server_share_len());
            share.extend_from_slice(ct.as_ref());
            share.extend_from_slice(&x_pub);
            Ok((share, out))
        }
    }
}

/// The shared secret, zeroed on drop. Its buffer is sized for the largest secret up
/// front, so it never moves to a bigger block and leaves a copy behind.
pub struct SharedSecret {
    bytes: Zeroizing<Vec<u8>>,
}

impl SharedSecret {
    fn with_capacity(n: usize) -> Self {
        SharedSecret {
            bytes: Zeroizing::new(Vec::with_capacity(n)),
        }
    }

    /// The secret bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl std::fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedSecret")
            .field("len", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names() {
        for g in KxGroup::ALL {
            assert_eq!(KxGroup::from_u16(g.to_u16()), Some(g));
            assert_eq!(KxGroup::from_name(g.name()), Some(g));
            assert_eq!(KxGroup::from_name(&g.name().to_uppercase()), Some(g));
            assert_eq!(KxGroup::from_name(&g.name().to_lowercase()), Some(g));
        }
        assert_eq!(KxGroup::X25519MlKem768.to_u16(), 0x11EC);
        assert_eq!(KxGroup::X25519.to_u16(), 0x001D);
        assert_eq!(KxGroup::Secp256r1.to_u16(), 0x0017);
        assert_eq!(KxGroup::Secp384r1.to_u16(), 0x0018);
        assert_eq!(KxGroup::from_u16(0x0019), None);
        assert_eq!(KxGroup::from_name("P-256"), Some(KxGroup::Secp256r1));
        assert_eq!(KxGroup::from_name("prime256v1"), Some(KxGroup::Secp256r1));
        assert_eq!(KxGroup::from_name("p-384"), Some(KxGroup::Secp384r1));
        assert_eq!(KxGroup::from_name("X25519"), Some(KxGroup::X25519));
        assert_eq!(
            KxGroup::from_name("x25519mlkem768"),
            Some(KxGroup::X25519MlKem768)
        );
        assert_eq!(KxGroup::from_name("x448"), None);
        assert_eq!(KxGroup::from_name(""), None);
        assert_eq!(KxGroup::X25519MlKem768.name(), "X25519MLKEM768");
        assert_eq!(KxGroup::X25519.name(), "x25519");
    }

    #[test]
    fn round_trip_every_group() {
        for g in KxGroup::ALL {
            let client = KeyShare::generate(g).unwrap();
            assert_eq!(client.group(), g);
            assert_eq!(client.public().len(), g.client_share_len());
            let (server_share, server_secret) = respond(g, client.public()).unwrap();
            assert_eq!(server_share.len(), g.server_share_len());
            let client_secret = client.complete(&server_share).unwrap();
            assert_eq!(client_secret.as_bytes(), server_secret.as_bytes(), "{g:?}");
            let want_len = match g {
                KxGroup::X25519MlKem768 => 64,
                KxGroup::X25519 | KxGroup::Secp256r1 => 32,
                KxGroup::Secp384r1 => 48,
            };
            assert_eq!(client_secret.as_bytes().len(), want_len);
            assert_eq!(
                format!("{client_secret:?}"),
                format!("SharedSecret {{ len: {want_len}, .. }}")
            );
        }
    }

    #[test]
    fn share_formats() {
        let p256 = KeyShare::generate(KxGroup::Secp256r1).unwrap();
        assert_eq!(p256.public().len(), 65);
        assert_eq!(p256.public()[0], 0x04);
        let p384 = KeyShare::generate(KxGroup::Secp384r1).unwrap();
        assert_eq!(p384.public().len(), 97);
        assert_eq!(p384.public()[0], 0x04);
        assert_eq!(
            KeyShare::generate(KxGroup::X25519).unwrap().public().len(),
            32
        );
        let h = KeyShare::generate(KxGroup::X25519MlKem768).unwrap();
        assert_eq!(h.public().len(), 1216);
    }

    #[test]
    fn wrong_lengths_and_encodings_rejected() {
        for g in KxGroup::ALL {
            let client = KeyShare::generate(g).unwrap();
            let public = client.public().to_vec();
            // respond(): truncated, extended, empty.
            assert!(respond(g, &public[..public.len() - 1]).is_err());
            let mut longer = public.clone();
            longer.push(0);
            assert!(respond(g, &longer).is_err());
            assert!(respond(g, &[]).is_err());

            let (server_share, _) = respond(g, &public).unwrap();
            let c2 = KeyShare::generate(g).unwrap();
            assert!(c2
                .complete(&server_share[..server_share.len() - 1])
                .is_err());
            let c3 = KeyShare::generate(g).unwrap();
            let mut longer = server_share.clone();
            longer.push(0);
            assert!(c3.complete(&longer).is_err());
            let c4 = KeyShare::generate(g).unwrap();
            assert!(c4.complete(&[]).is_err());
        }
    }

    #[test]
    fn ec_point_encodings_rejected() {
        for g in [KxGroup::Secp256r1, KxGroup::Secp384r1] {
            let client = KeyShare::generate(g).unwrap();
            let mut p = client.public().to_vec();
            // Not uncompressed.
            p[0] = 0x02;
            assert!(respond(g, &p).is_err());
            // Hybrid form (0x06/0x07) and garbage.
            p[0] = 0x06;
            assert!(respond(g, &p).is_err());
            // Compressed encodings of the right group have a different length anyway.
            let compressed_len = (g.client_share_len() - 1) / 2 + 1;
            let mut c = vec![0x02u8; compressed_len];
            c[1..].copy_from_slice(&client.public()[1..compressed_len]);
            assert!(respond(g, &c).is_err());
            // A point not on the curve.
            let mut off = client.public().to_vec();
            let last = off.len() - 1;
            off[last] ^= 1;
            assert!(respond(g, &off).is_err());
            // All zero.
            assert!(respond(g, &vec![0u8; g.client_share_len()]).is_err());
            let mut z = vec![0u8; g.client_share_len()];
            z[0] = 4;
            assert!(respond(g, &z).is_err());
        }
        // A P-256 share offered for P-384 and vice versa.
        let p256 = KeyShare::generate(KxGroup::Secp256r1).unwrap();
        assert!(respond(KxGroup::Secp384r1, p256.public()).is_err());
    }

    #[test]
    fn x25519_low_order_points_rejected() {
        // u = 0 and u = 1 are small-order points; the output would be all zeros.
        for u in [[0u8; 32], {
            let mut one = [0u8; 32];
            one[0] = 1;
            one
        }] {
            assert!(respond(KxGroup::X25519, &u).is_err());
            let c = KeyShare::generate(KxGroup::X25519).unwrap();
            assert!(c.complete(&u).is_err());
            // Also inside the hybrid share.
            let h = KeyShare::generate(KxGroup::X25519MlKem768).unwrap();
            let mut share = h.public().to_vec();
            share[1184..].copy_from_slice(&u);
            assert!(respond(KxGroup::X25519MlKem768, &share).is_err());
        }
    }

    #[test]
    fn mlkem_encapsulation_key_check() {
        // FIPS 203 modulus check: every 12-bit coefficient must be below q = 3329.
        let client = KeyShare::generate(KxGroup::X25519MlKem768).unwrap();
        let mut share = client.public().to_vec();
        share[..1152].fill(0xff);
        assert!(respond(KxGroup::X25519MlKem768, &share).is_err());
        // Just the first coefficient set to q.
        let mut share = client.public().to_vec();
        share[0] = 0x01;
        share[1] = (share[1] & 0xf0) | 0x0d;
        assert!(respond(KxGroup::X25519MlKem768, &share).is_err());
        // q - 1 is fine.
        share[0] = 0x00;
        assert!(respond(KxGroup::X25519MlKem768, &share).is_ok());
    }

    #[test]
    fn hybrid_tampered_ciphertext_gives_different_secret() {
        // ML-KEM uses implicit rejection: a modified ciphertext decapsulates to an unrelated secret.
        let client = KeyShare::generate(KxGroup::X25519MlKem768).unwrap();
        let (mut share, server_secret) = respond(KxGroup::X25519MlKem768, client.public()).unwrap();
        share[0] ^= 1;
        let client_secret = client.complete(&share).unwrap();
        assert_ne!(
            &client_secret.as_bytes()[..32],
            &server_secret.as_bytes()[..32]
        );
        assert_eq!(
            &client_secret.as_bytes()[32..],
            &server_secret.as_bytes()[32..]
        );
    }

    #[test]
    fn interop_with_rustls_aws_lc_provider() {
        // rustls' aws-lc-rs provider is an independent implementation of the same wire formats,
        // so this pins the hybrid ordering (ML-KEM first for X25519MLKEM768).
        use rustls::crypto::aws_lc_rs::kx_group;
        use rustls::crypto::SupportedKxGroup;
        let pairs: [(KxGroup, &dyn SupportedKxGroup); 4] = [
            (KxGroup::X25519MlKem768, kx_group::X25519MLKEM768),
            (KxGroup::X25519, kx_group::X25519),
            (KxGroup::Secp256r1, kx_group::SECP256R1),
            (KxGroup::Secp384r1, kx_group::SECP384R1),
        ];
        for (ours, theirs) in pairs {
            assert_eq!(u16::from(theirs.name()), ours.to_u16());
            // Our client, rustls server.
            let client = KeyShare::generate(ours).unwrap();
            let done = theirs.start_and_complete(client.public()).unwrap();
            let secret = client.complete(&done.pub_key).unwrap();
            assert_eq!(
                secret.as_bytes(),
                done.secret.secret_bytes(),
                "{ours:?} client"
            );
            // rustls client, our server.
            let active = theirs.start().unwrap();
            let (share, secret) = respond(ours, active.pub_key()).unwrap();
            let theirs_secret = active.complete(&share).unwrap();
            assert_eq!(
                secret.as_bytes(),
                theirs_secret.secret_bytes(),
                "{ours:?} server"
            );
        }
    }
}
