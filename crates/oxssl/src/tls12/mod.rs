//! TLS 1.2 (RFC 5246) with ECDHE and AEAD suites only: the client and server state
//! machines, the key derivation (PRF, extended master secret per RFC 7627), secure
//! renegotiation (RFC 5746) and the post-handshake state that renegotiates.
//!
//! A TLS 1.2 handshake keeps its messages in a buffered [`Transcript`] until it ends:
//! the client's CertificateVerify signs them with its own scheme's hash, which can differ
//! from the PRF hash. The buffer is bounded by the per-message limits and dropped with the
//! handshake state.

pub mod client;
pub mod resumption;
pub mod server;
pub mod traffic;

use crate::config::Config;
use crate::crypto::hash::{self, Secret};
use crate::crypto::kx::KxGroup;
use crate::crypto::sign::SignatureScheme;
use crate::error::TlsError;
use crate::handshake::{peer_auth, Context, Transcript};
use crate::msgs::codec::{Prefix, Reader, Writer};
use crate::msgs::enums::{AlertDescription, ExtensionType};
use crate::msgs::extensions as ext;
use crate::msgs::handshake::HandshakeMessage;
use crate::reason::Reason;
use crate::record::protect::{Protection, Tls12Cipher};
use crate::suites::CipherSuite;
use zeroize::Zeroizing;

/// Length of Finished.verify_data in TLS 1.2.
pub const VERIFY_DATA_LEN: usize = 12;
/// Length of the master secret.
const MASTER_LEN: usize = 48;
/// ECCurveType named_curve (RFC 8422 5.4).
const NAMED_CURVE: u8 = 3;

/// The master secret of one handshake and the randoms it was derived with.
#[derive(Clone)]
pub struct MasterSecret {
    suite: CipherSuite,
    master: Secret,
    client_random: [u8; 32],
    server_random: [u8; 32],
    /// True if derived as an extended master secret (RFC 7627).
    pub ems: bool,
}

impl MasterSecret {
    /// Derives the master secret from the premaster secret: the extended form over the
    /// session hash (the transcript through ClientKeyExchange) when both sides use EMS.
    pub fn derive(
        cx: &mut Context<'_>,
        suite: CipherSuite,
        premaster: &[u8],
        ems: bool,
        transcript: &Transcript,
    ) -> Result<Self, TlsError> {
        let alg = suite.hash();
        let (cr, sr) = (cx.info.client_random, cx.info.server_random);
        let mut master = Zeroizing::new([0u8; MASTER_LEN]);
        if ems {
            let session_hash = transcript.digest_with(alg)?;
            hash::tls12_prf(
                alg,
                premaster,
                b"extended master secret",
                &[session_hash.as_bytes()],
                &mut master[..],
            );
        } else {
            hash::tls12_prf(
                alg,
                premaster,
                b"master secret",
                &[&cr, &sr],
                &mut master[..],
            );
        }
        Self::with_randoms(cx, suite, &master[..], ems)
    }

    /// A master secret with this handshake's randoms, logged to the key log.
    fn with_randoms(
        cx: &mut Context<'_>,
        suite: CipherSuite,
        master: &[u8],
        ems: bool,
    ) -> Result<Self, TlsError> {
        let master = Secret::from_slice(master)
            .ok_or_else(|| TlsError::internal("master secret too long"))?;
        let (cr, sr) = (cx.info.client_random, cx.info.server_random);
        cx.keylog_bytes("CLIENT_RANDOM", master.as_bytes());
        Ok(MasterSecret {
            suite,
            master,
            client_random: cr,
            server_random: sr,
            ems,
        })
    }

    /// The master secret of a resumed session, with this handshake's randoms.
    pub fn resumed(
        cx: &mut Context<'_>,
        suite: CipherSuite,
        secret: &[u8],
        ems: bool,
    ) -> Result<Self, TlsError> {
        if secret.len() != MASTER_LEN {
            return Err(TlsError::internal(
                "session master secret of the wrong length",
            ));
        }
        Self::with_randoms(cx, suite, secret, ems)
    }

    /// The record protection for each direction: (client write, server write).
    pub fn ciphers(&self) -> Result<(Protection, Protection), TlsError> {
        let aead = self.suite.aead();
        let (key_len, iv_len) = (aead.key_len(), Tls12Cipher::iv_len(aead));
        let mut block = Zeroizing::new([0u8; 2 * 32 + 2 * 12]);
        let block = &mut block[..2 * (key_len + iv_len)];
        hash::tls12_prf(
            self.suite.hash(),
            self.master.as_bytes(),
            b"key expansion",
            &[&self.server_random, &self.client_random],
            block,
        );
        let (client_key, rest) = block.split_at(key_len);
        let (server_key, rest) = rest.split_at(key_len);
        let (client_iv, server_iv) = rest.split_at(iv_len);
        Ok((
            Protection::Tls12(Tls12Cipher::new(aead, client_key, client_iv)?),
            Protection::Tls12(Tls12Cipher::new(aead, server_key, server_iv)?),
        ))
    }

    /// Finished.verify_data of one side over the transcript so far.
    pub fn verify_data(&self, client: bool, transcript: &Transcript) -> Result<Vec<u8>, TlsError> {
        let label: &[u8] = if client {
            b"client finished"
        } else {
            b"server finished"
        };
        let h = transcript.digest_with(self.suite.hash())?;
        let mut out = vec![0u8; VERIFY_DATA_LEN];
        hash::tls12_prf(
            self.suite.hash(),
            self.master.as_bytes(),
            label,
            &[h.as_bytes()],
            &mut out,
        );
        Ok(out)
    }

    /// Checks the peer's Finished (decrypt_error on a mismatch, as OpenSSL reports it).
    pub fn check_finished(
        &self,
        from_client: bool,
        transcript: &Transcript,
        verify_data: &[u8],
    ) -> Result<Vec<u8>, TlsError> {
        let expected = self.verify_data(from_client, transcript)?;
        if verify_data.len() != expected.len() {
            return Err(TlsError::decode(
                Reason::BAD_DIGEST_LENGTH,
                "Finished of the wrong length",
            ));
        }
        if !hash::ct_eq(verify_data, &expected) {
            return Err(TlsError::fatal(
                AlertDescription::DECRYPT_ERROR,
                Reason::DIGEST_CHECK_FAILED,
                "Finished verify_data mismatch",
            ));
        }
        Ok(expected)
    }

    /// The suite the secret belongs to.
    pub fn suite(&self) -> CipherSuite {
        self.suite
    }

    /// The keying material exporter (RFC 5705) needs the master secret and randoms.
    pub fn master(&self) -> &[u8] {
        self.master.as_bytes()
    }

    /// RFC 5705: PRF(master_secret, label, client_random + server_random [+ context
    /// length + context]) (`SSL_export_keying_material`). The labels the protocol itself
    /// uses are refused, as OpenSSL refuses them.
    pub fn export(
        &self,
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), TlsError> {
        const RESERVED: [&[u8]; 5] = [
            b"client finished",
            b"server finished",
            b"master secret",
            b"extended master secret",
            b"key expansion",
        ];
        if RESERVED.iter().any(|r| label.starts_with(r)) {
            return Err(TlsError::local(
                Reason::TLS_ILLEGAL_EXPORTER_LABEL,
                "exporter label reserved by TLS",
            ));
        }
        let context_len = match context {
            Some(c) => u16::try_from(c.len())
                .map_err(|_| TlsError::local(Reason::BAD_LENGTH, "exporter context too long"))?
                .to_be_bytes()
                .to_vec(),
            None => Vec::new(),
        };
        hash::tls12_prf(
            self.suite.hash(),
            self.master.as_bytes(),
            label,
            &[
                &self.client_random,
                &self.server_random,
                &context_len,
                context.unwrap_or_default(),
            ],
            out,
        );
        Ok(())
    }
}

/// Sends our Finished and returns its verify_data (kept for renegotiation).
pub(crate) fn send_finished(
    cx: &mut Context<'_>,
    secret: &MasterSecret,
    client: bool,
    transcript: &mut Transcript,
) -> Result<Vec<u8>, TlsError> {
    let vd = secret.verify_data(client, transcript)?;
    cx.send(&HandshakeMessage::Finished(vd.clone()), transcript)?;
    Ok(vd)
}

/// ServerECDHParams (RFC 8422 5.4): named_curve, the group, the public point.
pub(crate) fn ecdh_params(group: KxGroup, public: &[u8]) -> Result<Vec<u8>, TlsError> {
    let mut w = Writer::new();
    w.u8(NAMED_CURVE);
    w.u16(group.to_u16());
    w.vec(Prefix::U8, public);
    Ok(w.finish()?)
}

/// What ServerKeyExchange signs: both randoms and the parameters.
pub(crate) fn signed_params(cx: &mut Context<'_>, params: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(64 + params.len());
    m.extend_from_slice(&cx.info.client_random);
    m.extend_from_slice(&cx.info.server_random);
    m.extend_from_slice(params);
    m
}

/// A parsed ECDHE ServerKeyExchange.
pub(crate) struct ServerKeyExchange {
    /// The raw ServerECDHParams (what is signed).
    pub params: Vec<u8>,
    pub group: u16,
    pub public: Vec<u8>,
    pub scheme: u16,
    pub signature: Vec<u8>,
}

pub(crate) fn parse_server_key_exchange(body: &[u8]) -> Result<ServerKeyExchange, TlsError> {
    let mut r = Reader::new(body);
    let curve_type = r.u8()?;
    if curve_type != NAMED_CURVE {
        return Err(TlsError::illegal(
            Reason::WRONG_CURVE,
            "ServerKeyExchange without a named curve",
        ));
    }
    let group = r.u16()?;
    let public = r.vec_u8()?.to_vec();
    let params_len = body.len() - r.rest().len();
    let scheme = r.u16()?;
    let signature = r.vec_u16()?.to_vec();
    r.finish()?;
    Ok(ServerKeyExchange {
        params: body[..params_len].to_vec(),
        group,
        public,
        scheme,
        signature,
    })
}

/// ClientKeyExchange for ECDHE: the client's public point.
pub(crate) fn parse_client_key_exchange(body: &[u8]) -> Result<Vec<u8>, TlsError> {
    let mut r = Reader::new(body);
    let public = r.vec_u8()?.to_vec();
    r.finish()?;
    if public.is_empty() {
        return Err(TlsError::decode(
            Reason::LENGTH_MISMATCH,
            "empty ClientKeyExchange",
        ));
    }
    Ok(public)
}

/// A signature scheme the peer used in TLS 1.2: one we offered (or accept) and that TLS 1.2
/// allows for our configuration.
pub(crate) fn peer_scheme(config: &Config, code: u16) -> Result<SignatureScheme, TlsError> {
    match SignatureScheme::from_u16(code) {
        Some(s) if config.signature_schemes.contains(&s) => Ok(s),
        _ => Err(TlsError::illegal(
            Reason::WRONG_SIGNATURE_TYPE,
            format!("peer signed with unoffered scheme {code:#06x}"),
        )),
    }
}

/// Our signature scheme for a TLS 1.2 signature: the first our key supports, that our
/// configuration allows (`-sigalgs` limits what we sign with too, as in OpenSSL) and the
/// peer accepts (RFC 5246 7.4.1.4.1).
pub(crate) fn choose_scheme(
    config: &Config,
    key: &crate::crypto::sign::SigningKey,
    peer_schemes: &[u16],
) -> Option<SignatureScheme> {
    key.schemes(false)
        .into_iter()
        .filter(|s| config.signature_schemes.contains(s))
        .find(|s| peer_schemes.contains(&s.to_u16()))
}

/// The TLS 1.2 signature over `message` checked with the leaf certificate the peer offered
/// in this handshake.
pub(crate) fn check_signature(
    cx: &mut Context<'_>,
    scheme_code: u16,
    message: &[u8],
    signature: &[u8],
    what: &str,
) -> Result<(), TlsError> {
    let scheme = peer_scheme(cx.config, scheme_code)?;
    let leaf = peer_auth::pending_leaf(cx, what)?;
    crate::x509::verify_signature_tls12(leaf, scheme, message, signature).map_err(|e| {
        TlsError::fatal(
            AlertDescription::DECRYPT_ERROR,
            Reason::BAD_SIGNATURE,
            format!("{what}: {e}"),
        )
    })?;
    peer_auth::signed_with(cx, scheme);
    Ok(())
}

/// The renegotiation_info value a peer must send (RFC 5746): empty in an initial
/// handshake, the previous verify_data when renegotiating.
pub(crate) fn check_renegotiation_info(body: &[u8], expected: &[u8]) -> Result<(), TlsError> {
    let got = ext::decode_renegotiation_info(body)?;
    if !hash::ct_eq(&got, expected) {
        return Err(TlsError::fatal(
            AlertDescription::HANDSHAKE_FAILURE,
            Reason::RENEGOTIATION_MISMATCH,
            "renegotiation_info does not match the previous handshake",
        ));
    }
    Ok(())
}

/// The extension types a TLS 1.2 ServerHello may carry (all only in answer to ours).
pub(crate) const SERVER_HELLO_EXTENSIONS: [ExtensionType; 7] = [
    ExtensionType::RENEGOTIATION_INFO,
    ExtensionType::SERVER_NAME,
    ExtensionType::EC_POINT_FORMATS,
    ExtensionType::ALPN,
    ExtensionType::EXTENDED_MASTER_SECRET,
    ExtensionType::SESSION_TICKET,
    ExtensionType::MAX_FRAGMENT_LENGTH,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::hash::HashAlgorithm;

    /// The TLS 1.2 PRF with SHA-256 against the widely used test vector (from the IETF
    /// TLS working group list, also used by other implementations' test suites).
    #[test]
    fn prf_sha256_vector() {
        let secret = [
            0x9b, 0xbe, 0x43, 0x6b, 0xa9, 0x40, 0xf0, 0x17, 0xb1, 0x76, 0x52, 0x84, 0x9a, 0x71,
            0xdb, 0x35,
        ];
        let seed = [
            0xa0, 0xba, 0x9f, 0x93, 0x6c, 0xda, 0x31, 0x18, 0x27, 0xa6, 0xf7, 0x96, 0xff, 0xd5,
            0x19, 0x8c,
        ];
        let mut out = [0u8; 16];
        hash::tls12_prf(
            HashAlgorithm::Sha256,
            &secret,
            b"test label",
            &[&seed],
            &mut out,
        );
        assert_eq!(
            out,
            [
                0xe3, 0xf2, 0x29, 0xba, 0x72, 0x7b, 0xe1, 0x7b, 0x8d, 0x12, 0x26, 0x20, 0x55, 0x7c,
                0xd4, 0x53
            ]
        );
    }
}
