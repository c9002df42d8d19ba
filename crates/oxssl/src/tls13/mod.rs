//! TLS 1.3 handshake state machines (RFC 8446), client and server, and the post-handshake
//! traffic state (KeyUpdate, NewSessionTicket). They run on the version-neutral
//! [`crate::handshake`] layer, which dispatches to them once TLS 1.3 is chosen.

pub mod client;
pub mod key_schedule;
pub mod peer_auth;
pub mod post_handshake_auth;
pub mod resumption;
pub mod server;
pub mod traffic;

use crate::config::Config;
use crate::crypto::hash::{Output, Secret};
use crate::crypto::sign::SignatureScheme;
use crate::error::TlsError;
use crate::handshake::{Context, Transcript};
use crate::msgs::enums::AlertDescription;
use crate::msgs::handshake::HandshakeMessage;
use crate::reason::Reason;
use crate::record::protect::Protection;
use crate::suites::CipherSuite;

/// The content signed by CertificateVerify (RFC 8446 4.4.3).
pub fn certificate_verify_message(server: bool, transcript_hash: &[u8]) -> Vec<u8> {
    let context: &[u8] = if server {
        b"TLS 1.3, server CertificateVerify"
    } else {
        b"TLS 1.3, client CertificateVerify"
    };
    let mut m = vec![0x20u8; 64];
    m.extend_from_slice(context);
    m.push(0);
    m.extend_from_slice(transcript_hash);
    m
}

/// Decodes a signature scheme the peer used, requiring that we offered it and that TLS 1.3
/// allows it.
pub fn peer_scheme(config: &Config, code: u16) -> Result<SignatureScheme, TlsError> {
    match SignatureScheme::from_u16(code) {
        Some(s) if s.usable_in_tls13() && config.signature_schemes.contains(&s) => Ok(s),
        _ => Err(TlsError::illegal(
            Reason::WRONG_SIGNATURE_TYPE,
            format!("peer signed with unoffered scheme {code:#06x}"),
        )),
    }
}

/// Handshake secrets shared by the later client and server states.
#[derive(Clone)]
pub struct HandshakeSecrets {
    /// The suite in use.
    pub suite: CipherSuite,
    /// The key schedule, at the handshake-secret stage.
    pub schedule: key_schedule::KeySchedule,
    /// client_handshake_traffic_secret.
    pub client_hs: Secret,
    /// server_handshake_traffic_secret.
    pub server_hs: Secret,
}

impl HandshakeSecrets {
    /// Derives the handshake traffic secrets after ServerHello (from a resumed session's
    /// PSK, or none) and logs them.
    pub fn derive(
        cx: &mut Context<'_>,
        suite: CipherSuite,
        psk: Option<&[u8]>,
        shared_secret: &[u8],
        transcript: &Transcript,
    ) -> Result<Self, TlsError> {
        let mut schedule = key_schedule::KeySchedule::new(suite.hash(), psk);
        schedule.into_handshake(shared_secret)?;
        let h = transcript.current()?;
        let client_hs = schedule.derive(b"c hs traffic", h.as_bytes())?;
        let server_hs = schedule.derive(b"s hs traffic", h.as_bytes())?;
        cx.keylog("CLIENT_HANDSHAKE_TRAFFIC_SECRET", &client_hs);
        cx.keylog("SERVER_HANDSHAKE_TRAFFIC_SECRET", &server_hs);
        Ok(HandshakeSecrets {
            suite,
            schedule,
            client_hs: client_hs.into(),
            server_hs: server_hs.into(),
        })
    }

    /// The record cipher for one of the handshake secrets.
    pub fn cipher(&self, secret: &Output) -> Result<Protection, TlsError> {
        Ok(Protection::Tls13(key_schedule::cipher(
            self.suite,
            secret.as_bytes(),
        )?))
    }

    /// Our Finished message over the transcript so far.
    pub fn finished(
        &self,
        base: &Output,
        transcript: &Transcript,
    ) -> Result<HandshakeMessage, TlsError> {
        finished(self.suite, base, transcript)
    }

    /// Checks the peer's Finished (decrypt_error on a mismatch, as OpenSSL reports it).
    pub fn check_finished(
        &self,
        base: &Output,
        transcript: &Transcript,
        verify_data: &[u8],
    ) -> Result<(), TlsError> {
        check_finished(self.suite, base, transcript, verify_data)
    }

    /// Moves to the master secret and derives the application traffic secrets from the
    /// transcript through the server Finished.
    pub fn application_secrets(
        mut self,
        cx: &mut Context<'_>,
        transcript: &Transcript,
    ) -> Result<ApplicationSecrets, TlsError> {
        self.schedule.into_master()?;
        let h = transcript.current()?;
        let client = self.schedule.derive(b"c ap traffic", h.as_bytes())?;
        let server = self.schedule.derive(b"s ap traffic", h.as_bytes())?;
        let exporter = self.schedule.derive(b"exp master", h.as_bytes())?;
        cx.keylog("CLIENT_TRAFFIC_SECRET_0", &client);
        cx.keylog("SERVER_TRAFFIC_SECRET_0", &server);
        cx.keylog("EXPORTER_SECRET", &exporter);
        Ok(ApplicationSecrets {
            suite: self.suite,
            schedule: self.schedule,
            client: client.into(),
            server: server.into(),
            exporter: exporter.into(),
        })
    }
}

/// Application traffic secrets and the master-secret stage of the schedule.
#[derive(Clone)]
pub struct ApplicationSecrets {
    /// The suite in use.
    pub suite: CipherSuite,
    /// The key schedule at the master-secret stage (for the resumption secret).
    pub schedule: key_schedule::KeySchedule,
    /// client_application_traffic_secret_0 (and _N after KeyUpdates).
    pub client: Secret,
    /// server_application_traffic_secret_0 (and _N).
    pub server: Secret,
    /// exporter_master_secret.
    pub exporter: Secret,
}

impl ApplicationSecrets {
    /// The record cipher for one of the application secrets.
    pub fn cipher(&self, secret: &Output) -> Result<Protection, TlsError> {
        Ok(Protection::Tls13(key_schedule::cipher(
            self.suite,
            secret.as_bytes(),
        )?))
    }
}

/// A Finished message keyed by `base` (a handshake traffic secret, or for post-handshake
/// authentication the client's current application traffic secret) over `transcript`.
pub fn finished(
    suite: CipherSuite,
    base: &Output,
    transcript: &Transcript,
) -> Result<HandshakeMessage, TlsError> {
    let mac = key_schedule::finished_mac(
        suite.hash(),
        base.as_bytes(),
        transcript.current()?.as_bytes(),
    )?;
    Ok(HandshakeMessage::Finished(mac.as_bytes().to_vec()))
}

/// Checks the peer's Finished (decrypt_error on a mismatch, as OpenSSL reports it).
pub fn check_finished(
    suite: CipherSuite,
    base: &Output,
    transcript: &Transcript,
    verify_data: &[u8],
) -> Result<(), TlsError> {
    let expected = key_schedule::finished_mac(
        suite.hash(),
        base.as_bytes(),
        transcript.current()?.as_bytes(),
    )?;
    if verify_data.len() != expected.len() {
        return Err(TlsError::decode(
            Reason::BAD_DIGEST_LENGTH,
            "Finished of the wrong length",
        ));
    }
    if !crate::crypto::hash::ct_eq(verify_data, expected.as_bytes()) {
        return Err(TlsError::fatal(
            AlertDescription::DECRYPT_ERROR,
            Reason::DIGEST_CHECK_FAILED,
            "Finished verify_data mismatch",
        ));
    }
    Ok(())
}
