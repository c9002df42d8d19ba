//! Peer authentication both versions share: chain verification results reported as
//! OpenSSL reports them.

use super::Context;
use crate::error::TlsError;
use crate::msgs::enums::AlertDescription;
use crate::reason::Reason;
use crate::x509;

/// Verifies the peer's `chain` for `purpose` and records the outcome as OpenSSL does
/// (`SSL_get_verify_result`, also when a callback let a failure through); with
/// verify-peer set a failure aborts the handshake with OpenSSL's alert for it and
/// CERTIFICATE_VERIFY_FAILED.
fn verify_peer_chain(
    cx: &mut Context<'_>,
    chain: &[x509::CertificateDer<'static>],
    purpose: x509::validate::Purpose,
    hostname: Option<&str>,
) -> Result<(), TlsError> {
    let params = x509::validate::Params {
        purpose,
        hostname,
        now: cx.config.time.now(),
        depth: cx.config.verify_depth,
        callback: cx.config.verify_callback.as_deref(),
    };
    let outcome = x509::validate::verify_chain(&cx.config.trust, chain, &params);
    let (Ok(Some(e)) | Err(e)) = outcome else {
        cx.info.verify_result = 0;
        return Ok(());
    };
    cx.info.verify_result = e.code.0;
    if outcome.is_err() && cx.config.verify.peer {
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
    Ok(())
}

/// Verifies the server's chain (trust, validity, host name), records the outcome as
/// OpenSSL reports it and keeps the chain for the accessors.
pub(crate) fn verify_server_certificate(
    cx: &mut Context<'_>,
    chain: Vec<x509::CertificateDer<'static>>,
    verify_host: Option<&str>,
) -> Result<(), TlsError> {
    verify_peer_chain(cx, &chain, x509::validate::Purpose::ServerAuth, verify_host)?;
    cx.info.peer_chain = chain;
    Ok(())
}

/// The server's side of a client Certificate message: an empty chain is refused with
/// `alert` when the configuration requires a certificate (TLS 1.3 certificate_required,
/// TLS 1.2 handshake_failure); otherwise the chain is verified and kept. Returns true if
/// the client sent a certificate (a CertificateVerify must follow).
pub(crate) fn accept_client_certificate(
    cx: &mut Context<'_>,
    chain: Vec<x509::CertificateDer<'static>>,
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
        cx.info.peer_chain.clear();
        return Ok(false);
    }
    verify_peer_chain(cx, &chain, x509::validate::Purpose::ClientAuth, None)?;
    cx.info.peer_chain = chain;
    Ok(true)
}
