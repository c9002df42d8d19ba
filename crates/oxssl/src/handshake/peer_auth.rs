//! Peer authentication both versions share: chain verification results reported as
//! OpenSSL reports them, and the rule that a peer's identity is published only once proven.
//!
//! A chain the peer offers (in a Certificate message, or from the session a handshake
//! resumes) is held in the handshake's [`PendingPeer`]; signatures (CertificateVerify,
//! ServerKeyExchange) are checked with its leaf (`pending_leaf`); `publish` moves it into
//! [`crate::negotiated::Negotiated`] (what `peer_certificate`, `peer_cert_chain` and
//! `verify_result` read) when the peer's Finished has verified. Nothing else writes the
//! peer's identity, so a peer that stops after its Certificate, or whose signature or
//! Finished fails, changes nothing the application sees (only the verify result of a chain
//! that failed the handshake is reported at once, as OpenSSL's `SSL_get_verify_result`
//! does).

use super::Context;
use crate::crypto::sign::SignatureScheme;
use crate::error::TlsError;
use crate::msgs::enums::AlertDescription;
use crate::reason::Reason;
use crate::session::Session;
use crate::x509::{self, CertificateDer};

/// The peer identity the running handshake (or post-handshake authentication) was offered
/// and the peer has not proven yet: empty between handshakes.
#[derive(Debug, Default)]
pub struct PendingPeer(Option<Identity>);

#[derive(Debug)]
struct Identity {
    chain: Vec<CertificateDer<'static>>,
    verify_result: i32,
    /// The scheme of the peer's signature with the chain's key, once checked.
    signature_scheme: Option<SignatureScheme>,
}

impl PendingPeer {
    fn hold(&mut self, chain: Vec<CertificateDer<'static>>, verify_result: i32) {
        self.0 = Some(Identity {
            chain,
            verify_result,
            signature_scheme: None,
        });
    }

    /// Forgets an identity that will not be proven (the handshake failed).
    pub fn clear(&mut self) {
        self.0 = None;
    }
}

/// The leaf of the identity being offered, the only key a handshake signature is checked
/// with; `what` names the signed message for the error when there is none.
pub(crate) fn pending_leaf<'c>(
    cx: &'c Context<'_>,
    what: &str,
) -> Result<&'c CertificateDer<'static>, TlsError> {
    cx.peer
        .0
        .as_ref()
        .and_then(|id| id.chain.first())
        .ok_or_else(|| TlsError::unexpected(format!("{what} without a certificate")))
}

/// Records that the peer signed with `scheme` using the pending leaf.
pub(crate) fn signed_with(cx: &mut Context<'_>, scheme: SignatureScheme) {
    if let Some(id) = cx.peer.0.as_mut() {
        id.signature_scheme = Some(scheme);
    }
}

/// The peer's Finished verified: its pending identity (if this handshake was offered one)
/// becomes the connection's. Called right after each check of the peer's Finished.
pub(crate) fn publish(cx: &mut Context<'_>) {
    if let Some(id) = cx.peer.0.take() {
        cx.info.peer_chain = id.chain;
        cx.info.verify_result = id.verify_result;
        if id.signature_scheme.is_some() {
            cx.info.peer_signature_scheme = id.signature_scheme;
        }
    }
}

/// A resumed handshake is offered the identity its session was made with (proven by the
/// PSK or master secret once the peer's Finished verifies).
pub(crate) fn hold_session_identity(cx: &mut Context<'_>, s: &Session) {
    cx.peer
        .hold(s.peer_cert.iter().cloned().collect(), s.verify_result);
}

/// Verifies the peer's `chain` for `purpose` and returns the outcome as OpenSSL records it
/// (`SSL_get_verify_result`, also when a callback let a failure through). With
/// verify-peer set a failure aborts the handshake with OpenSSL's alert for it and
/// CERTIFICATE_VERIFY_FAILED; that refusal's code is reported at once (as OpenSSL's
/// `SSL_get_verify_result` does after a failed handshake), the chain never.
fn verify_peer_chain(
    cx: &mut Context<'_>,
    chain: &[CertificateDer<'static>],
    purpose: x509::validate::Purpose,
    hostname: Option<&str>,
) -> Result<i32, TlsError> {
    let params = x509::validate::Params {
        purpose,
        hostname,
        now: cx.config.time.now(),
        depth: cx.config.verify_depth,
        callback: cx.config.verify_callback.as_deref(),
    };
    let outcome = x509::validate::verify_chain(&cx.config.trust, chain, &params);
    let (Ok(Some(e)) | Err(e)) = outcome else {
        return Ok(0);
    };
    if outcome.is_err() && cx.config.verify.peer {
        cx.info.verify_result = e.code.0;
        let mut err = TlsError::fatal(
            AlertDescription(e.code.alert()),
            Reason::CERTIFICATE_VERIFY_FAILED,
            format!(
                "certificate verify failed at depth {}: {}",
                e.depth,
                e.code.text()
            ),
        );
        err.verify_result = Some(e.code.0);
        return Err(err);
    }
    Ok(e.code.0)
}

/// Verifies the server's chain (trust, validity, host name) and holds it, with the outcome
/// as OpenSSL reports it, until the server proves it.
pub(crate) fn verify_server_certificate(
    cx: &mut Context<'_>,
    chain: Vec<CertificateDer<'static>>,
    verify_host: Option<&str>,
) -> Result<(), TlsError> {
    let result = verify_peer_chain(cx, &chain, x509::validate::Purpose::ServerAuth, verify_host)?;
    cx.peer.hold(chain, result);
    Ok(())
}

/// The server's side of a client Certificate message: an empty chain is refused with
/// `alert` when the configuration requires a certificate (TLS 1.3 certificate_required,
/// TLS 1.2 handshake_failure); otherwise the chain is verified and held until the client
/// proves it (an empty one too: it replaces the identity when the Finished verifies).
/// Returns true if the client sent a certificate (a CertificateVerify must follow).
pub(crate) fn accept_client_certificate(
    cx: &mut Context<'_>,
    chain: Vec<CertificateDer<'static>>,
    alert: AlertDescription,
) -> Result<bool, TlsError> {
    if chain.is_empty() {
        if cx.config.verify.fail_if_no_peer_cert {
            return Err(TlsError::fatal(
                alert,
                Reason::PEER_DID_NOT_RETURN_A_CERTIFICATE,
                "client sent no certificate",
            ));
        }
        let unchanged = cx.info.verify_result;
        cx.peer.hold(chain, unchanged);
        return Ok(false);
    }
    let result = verify_peer_chain(cx, &chain, x509::validate::Purpose::ClientAuth, None)?;
    cx.peer.hold(chain, result);
    Ok(true)
}

/// Whether a server may resume `s` given the client certificate it requires: a session
/// made without one is not resumed where a full handshake would demand one
/// (`SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT`; in TLS 1.3 unless only a
/// post-handshake request asks), so that handshake runs instead. Both versions' session
/// checks call this.
pub(crate) fn session_has_required_peer(cx: &Context<'_>, s: &Session, tls13: bool) -> bool {
    let v = &cx.config.verify;
    let required = v.peer && v.fail_if_no_peer_cert && !(tls13 && v.post_handshake);
    s.peer_cert.is_some() || !required
}
