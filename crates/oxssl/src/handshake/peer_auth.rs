//! Peer authentication both versions share: chain verification results reported as
//! OpenSSL reports them.

use super::Context;
use crate::error::TlsError;
use crate::msgs::enums::AlertDescription;
use crate::reason::Reason;
use crate::x509;

/// Records a verification outcome; with verify-peer set a failure aborts the handshake
/// with OpenSSL's alert for that failure and CERTIFICATE_VERIFY_FAILED.
pub(crate) fn record_verify_result(
    cx: &mut Context<'_>,
    result: Result<(), x509::VerifyError>,
) -> Result<(), TlsError> {
    match result {
        Ok(()) => {
            cx.info.verify_result = 0;
            Ok(())
        }
        Err(e) => {
            cx.info.verify_result = e.code.0;
            if cx.config.verify.peer {
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
                Err(err)
            } else {
                Ok(())
            }
        }
    }
}

/// Verifies the server's chain (trust, validity, host name), records the outcome as
/// OpenSSL reports it and keeps the chain for the accessors.
pub(crate) fn verify_server_certificate(
    cx: &mut Context<'_>,
    chain: Vec<x509::CertificateDer<'static>>,
    verify_host: Option<&str>,
) -> Result<(), TlsError> {
    let result =
        x509::verify_server_chain(&cx.config.trust, &chain, verify_host, cx.config.time.now());
    record_verify_result(cx, result)?;
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
    let result = x509::verify_client_chain(&cx.config.trust, &chain, cx.config.time.now());
    record_verify_result(cx, result)?;
    cx.info.peer_chain = chain;
    Ok(true)
}
