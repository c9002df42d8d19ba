//! TLS 1.3 peer authentication used by both sides: the Certificate message and
//! CertificateVerify (signing and checking).

use super::{certificate_verify_message, peer_scheme};
use crate::crypto::sign::{SignatureScheme, SigningKey};
use crate::error::TlsError;
use crate::handshake::{check_duplicates, peer_auth, Context, Transcript};
use crate::msgs::enums::{AlertDescription, ExtensionType};
use crate::msgs::extensions::{self as ext, Extensions};
use crate::msgs::handshake::{Certificate13, CertificateVerify, HandshakeMessage};
use crate::reason::Reason;
use crate::x509::{self, CertificateDer};

/// Validates the shape of a handshake Certificate message and returns its chain.
pub(crate) fn check_certificate_message(
    cert: &Certificate13,
) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    if !cert.context.is_empty() {
        return Err(TlsError::illegal(
            Reason::INVALID_CONTEXT,
            "certificate_request_context in the handshake",
        ));
    }
    for e in &cert.entries {
        check_duplicates(&e.extensions)?;
    }
    Ok(cert
        .entries
        .iter()
        .map(|e| CertificateDer::from(e.cert.clone()))
        .collect())
}

/// Checks a CertificateVerify signature by the end-entity certificate the peer offered
/// in this handshake (or post-handshake authentication).
pub(crate) fn check_certificate_verify(
    cx: &mut Context<'_>,
    cv: &CertificateVerify,
    transcript: &Transcript,
    from_server: bool,
) -> Result<(), TlsError> {
    let scheme = peer_scheme(cx.config, cv.scheme)?;
    let leaf = peer_auth::pending_leaf(cx, "CertificateVerify")?;
    let message = certificate_verify_message(from_server, transcript.current()?.as_bytes());
    x509::verify_signature(leaf, scheme, &message, &cv.signature).map_err(|e| {
        TlsError::fatal(
            AlertDescription::DECRYPT_ERROR,
            Reason::BAD_SIGNATURE,
            format!("CertificateVerify: {e}"),
        )
    })?;
    peer_auth::signed_with(cx, scheme);
    Ok(())
}

/// Signs the transcript and sends CertificateVerify.
pub(crate) fn send_certificate_verify(
    cx: &mut Context<'_>,
    transcript: &mut Transcript,
    key: &SigningKey,
    scheme: SignatureScheme,
    server: bool,
) -> Result<(), TlsError> {
    let message = certificate_verify_message(server, transcript.current()?.as_bytes());
    let signature = key
        .sign(scheme, &message)
        .map_err(|e| TlsError::internal(e.0))?;
    cx.info.our_signature_scheme = Some(scheme);
    let cv = HandshakeMessage::CertificateVerify(CertificateVerify {
        scheme: scheme.to_u16(),
        signature,
    });
    cx.send(&cv, transcript)
}

/// The extensions of our CertificateRequest: the signature schemes we accept and, when
/// configured, the CA names client certificates should come from.
pub(crate) fn certificate_request_extensions(
    config: &crate::config::Config,
) -> Result<Extensions, TlsError> {
    let schemes: Vec<u16> = config
        .signature_schemes
        .iter()
        .filter(|s| s.usable_in_tls13())
        .map(|s| s.to_u16())
        .collect();
    let mut exts = Extensions::default();
    exts.push(
        ExtensionType::SIGNATURE_ALGORITHMS,
        ext::encode_u16_list(&schemes)?,
    );
    if !config.client_ca_names.is_empty() {
        exts.push(
            ExtensionType::CERTIFICATE_AUTHORITIES,
            ext::encode_authorities(&config.client_ca_names)?,
        );
    }
    Ok(exts)
}

/// Reads a server's CertificateRequest extensions: the schemes it accepts (required) and
/// the CA names it lists (kept for `SSL_get_client_CA_list`).
pub(crate) fn read_certificate_request(
    cx: &mut Context<'_>,
    exts: &Extensions,
) -> Result<Vec<u16>, TlsError> {
    check_duplicates(exts)?;
    let Some(body) = exts.get(ExtensionType::SIGNATURE_ALGORITHMS) else {
        return Err(TlsError::fatal(
            AlertDescription::MISSING_EXTENSION,
            Reason::MISSING_SIGALGS_EXTENSION,
            "CertificateRequest without signature_algorithms",
        ));
    };
    let schemes = ext::decode_u16_list(body)?;
    cx.info.client_ca_names = match exts.get(ExtensionType::CERTIFICATE_AUTHORITIES) {
        Some(body) => ext::decode_authorities(body)?,
        None => Vec::new(),
    };
    Ok(schemes)
}
