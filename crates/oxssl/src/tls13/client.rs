//! The TLS 1.3 client after the version-neutral ServerHello dispatch: HelloRetryRequest,
//! the ServerHello's key exchange, the server's encrypted flight, then our Finished.

use super::peer_auth::{
    check_certificate_message, check_certificate_verify, read_certificate_request,
    send_certificate_verify,
};
use super::resumption;
use super::traffic::Traffic;
use super::{ApplicationSecrets, HandshakeSecrets};
use crate::crypto::kx::{KeyShare, KxGroup};
use crate::error::TlsError;
use crate::handshake::client::{random_err, ExpectServerHello, HelloSent};
use crate::handshake::peer_auth::{self, verify_server_certificate};
use crate::handshake::{
    accept_server_alpn, check_duplicates, check_server_extensions, unexpected, Context, Next,
    State, Traffic as AnyTraffic, Transcript,
};
use crate::msgs::enums::{AlertDescription, ExtensionType, ProtocolVersion, HRR_RANDOM};
use crate::msgs::extensions::{self as ext, Extensions};
use crate::msgs::handshake::{Certificate13, CertificateEntry, HandshakeMessage, ServerHello};
use crate::negotiated::EarlyData;
use crate::reason::Reason;
use crate::record::protect::Protection;
use crate::suites::CipherSuite;

/// A HelloRetryRequest is a TLS 1.3 message: one without supported_versions is forged.
pub(crate) fn reject_if_hrr(sh: &ServerHello) -> Result<(), TlsError> {
    if sh.random == HRR_RANDOM {
        return Err(TlsError::fatal(
            AlertDescription::MISSING_EXTENSION,
            Reason::BAD_EXTENSION,
            "HelloRetryRequest without supported_versions",
        ));
    }
    Ok(())
}

/// Handles a TLS 1.3 ServerHello or HelloRetryRequest (it carries supported_versions).
pub(crate) fn server_hello(
    cx: &mut Context<'_>,
    sent: HelloSent,
    sh: ServerHello,
    raw: &[u8],
) -> Result<Next, TlsError> {
    if sh.random == HRR_RANDOM {
        return handle_hrr(cx, sent, sh, raw);
    }
    handle_server_hello(cx, sent, sh, raw)
}

/// Checks shared by ServerHello and HelloRetryRequest; returns the chosen suite.
fn check_common(sent: &HelloSent, sh: &ServerHello, hrr: bool) -> Result<CipherSuite, TlsError> {
    let allowed: &[ExtensionType] = if hrr {
        &[
            ExtensionType::SUPPORTED_VERSIONS,
            ExtensionType::KEY_SHARE,
            ExtensionType::COOKIE,
        ]
    } else {
        &[
            ExtensionType::SUPPORTED_VERSIONS,
            ExtensionType::KEY_SHARE,
            ExtensionType::PRE_SHARED_KEY,
        ]
    };
    check_duplicates(&sh.extensions)?;
    let Some(version) = sh.extensions.get(ExtensionType::SUPPORTED_VERSIONS) else {
        return Err(TlsError::internal(
            "TLS 1.3 ServerHello without supported_versions",
        ));
    };
    if ext::decode_u16(version)? != ProtocolVersion::TLSV1_3.0 {
        return Err(TlsError::illegal(
            Reason::UNSUPPORTED_PROTOCOL,
            "server selected a version we did not offer",
        ));
    }
    if sh.legacy_version != ProtocolVersion::TLSV1_2.0 {
        return Err(TlsError::fatal(
            AlertDescription::PROTOCOL_VERSION,
            Reason::BAD_LEGACY_VERSION,
            "TLS 1.3 ServerHello with legacy_version other than 1.2",
        ));
    }
    let mut offered = sent.offered();
    if hrr {
        // RFC 8446 4.2.2: a server may send a cookie in HelloRetryRequest unasked.
        offered.push(ExtensionType::COOKIE);
    }
    check_server_extensions(&sh.extensions, &offered, allowed)?;
    if sh.session_id != sent.hello.session_id {
        return Err(TlsError::illegal(
            Reason::INVALID_SESSION_ID,
            "session id not echoed",
        ));
    }
    let suite = match CipherSuite::from_u16(sh.cipher_suite) {
        Some(s) if sent.hello.cipher_suites.contains(&sh.cipher_suite) => s,
        _ => {
            return Err(TlsError::illegal(
                Reason::WRONG_CIPHER_RETURNED,
                format!(
                    "server chose suite {:#06x} we did not offer",
                    sh.cipher_suite
                ),
            ))
        }
    };
    if let Some(hrr_suite) = sent.hrr_suite {
        if hrr_suite != suite {
            return Err(TlsError::illegal(
                Reason::WRONG_CIPHER_RETURNED,
                "ServerHello suite differs from HelloRetryRequest's",
            ));
        }
    }
    if sh.compression_method != 0 {
        return Err(TlsError::illegal(
            Reason::UNSUPPORTED_COMPRESSION_ALGORITHM,
            "server chose compression",
        ));
    }
    Ok(suite)
}

fn handle_hrr(
    cx: &mut Context<'_>,
    mut sent: HelloSent,
    sh: ServerHello,
    raw: &[u8],
) -> Result<Next, TlsError> {
    if sent.hrr_suite.is_some() {
        return Err(TlsError::unexpected("second HelloRetryRequest"));
    }
    let suite = check_common(&sent, &sh, true)?;
    let cookie = sh
        .extensions
        .get(ExtensionType::COOKIE)
        .map(ext::decode_cookie)
        .transpose()?;
    let group = sh
        .extensions
        .get(ExtensionType::KEY_SHARE)
        .map(ext::decode_u16)
        .transpose()?;
    if cookie.is_none() && group.is_none() {
        return Err(TlsError::illegal(
            Reason::BAD_EXTENSION,
            "HelloRetryRequest that changes nothing",
        ));
    }
    if let Some(code) = group {
        let ok = KxGroup::from_u16(code)
            .filter(|g| cx.config.groups.contains(g))
            .filter(|g| !sent.shares.iter().any(|s| s.group() == *g));
        let Some(g) = ok else {
            return Err(TlsError::illegal(
                Reason::BAD_KEY_SHARE,
                format!("HelloRetryRequest asks for group {code:#06x}"),
            ));
        };
        sent.shares = vec![KeyShare::generate(g).map_err(random_err)?];
    }
    cx.info.hello_retry = true;
    sent.transcript.rollup_for_hrr(suite.hash())?;
    sent.transcript.add(raw);
    sent.hrr_suite = Some(suite);
    // RFC 8446 4.1.4: a PSK whose hash is not the chosen suite's is not offered again.
    if sent.psk().is_some_and(|s| s.suite.hash() != suite.hash()) {
        sent.session = None;
    }
    // Early data ends with a HelloRetryRequest (4.2.10): the second ClientHello goes in
    // the clear and offers none.
    if sent.early {
        sent.early = false;
        cx.info.early_data = EarlyData::Rejected;
        cx.out.prot = Protection::None;
    }
    sent.rebuild_extensions(cx.config, cookie.as_deref(), cx.now())?;
    if cx.config.middlebox_compat && !sent.sent_ccs {
        cx.send_ccs()?;
        sent.sent_ccs = true;
    }
    sent.send(cx)?;
    Ok(Next::Handshaking(Box::new(ExpectServerHello(sent))))
}

fn handle_server_hello(
    cx: &mut Context<'_>,
    mut sent: HelloSent,
    sh: ServerHello,
    raw: &[u8],
) -> Result<Next, TlsError> {
    let suite = check_common(&sent, &sh, false)?;
    let resumed = resumption::server_accepted(sent.psk(), &sh.extensions, suite)?;
    let psk = sent.psk().filter(|_| resumed).map(|s| s.secret.clone());
    let Some(share) = sh.extensions.get(ExtensionType::KEY_SHARE) else {
        return Err(TlsError::fatal(
            AlertDescription::MISSING_EXTENSION,
            Reason::BAD_KEY_SHARE,
            "ServerHello without key_share",
        ));
    };
    let entry = ext::decode_key_share_server(share)?;
    let Some(pos) = sent
        .shares
        .iter()
        .position(|s| s.group().to_u16() == entry.group)
    else {
        return Err(TlsError::illegal(
            Reason::BAD_KEY_SHARE,
            "server share for a group we sent no share for",
        ));
    };
    let ours = sent.shares.swap_remove(pos);
    let group = ours.group();
    let shared = ours
        .complete(&entry.payload)
        .map_err(|e| TlsError::illegal(Reason::BAD_KEY_SHARE, e.0))?;
    sent.transcript.start_hash(suite.hash());
    sent.transcript.add(raw);
    let secrets = HandshakeSecrets::derive(
        cx,
        suite,
        psk.as_ref().map(|p| p.as_slice()),
        shared.as_bytes(),
        &sent.transcript,
    )?;
    cx.info.resumed = resumed;
    if let Some(s) = sent.psk().filter(|_| resumed) {
        // The server's identity is the one the session was made with.
        peer_auth::hold_session_identity(cx, s);
    }
    cx.info.version = Some(ProtocolVersion::TLSV1_3);
    cx.info.suite = Some(suite);
    cx.info.group = Some(group);
    cx.info.server_random = sh.random;
    *cx.new_read = Some(secrets.cipher(&secrets.server_hs)?);
    // Our later flight (and any alert) goes under the client handshake key; the
    // compatibility CCS goes out first, in the clear. With early data offered, the early
    // key stays until the EncryptedExtensions say whether it was accepted.
    if cx.config.middlebox_compat && !sent.sent_ccs {
        cx.send_ccs()?;
    }
    let hs_write = secrets.cipher(&secrets.client_hs)?;
    let early_hs_write = if sent.early && resumed {
        Some(hs_write)
    } else {
        if sent.early {
            cx.info.early_data = EarlyData::Rejected;
        }
        cx.out.prot = hs_write;
        None
    };
    Ok(Next::Handshaking(Box::new(ExpectEncryptedExtensions {
        hs: Flight {
            secrets,
            transcript: sent.transcript,
            offered: sent.hello.extensions.0.iter().map(|e| e.typ).collect(),
            verify_host: sent.verify_host,
            cert_request: None,
            resumed,
            early_hs_write,
        },
    })))
}

/// Carried through the server's encrypted flight.
struct Flight {
    secrets: HandshakeSecrets,
    transcript: Transcript,
    offered: Vec<ExtensionType>,
    verify_host: Option<String>,
    /// The server's CertificateRequest: (context, schemes it accepts).
    cert_request: Option<(Vec<u8>, Vec<u16>)>,
    /// The server accepted our PSK: no certificate messages follow.
    resumed: bool,
    /// Early data was offered with the accepted PSK: our handshake key, installed once the
    /// server says whether it took the early data (at once if not; after EndOfEarlyData
    /// if it did).
    early_hs_write: Option<Protection>,
}

struct ExpectEncryptedExtensions {
    hs: Flight,
}

impl State for ExpectEncryptedExtensions {
    fn name(&self) -> &'static str {
        "TLSv1.3 read encrypted extensions"
    }

    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        let exts = expect!(msg, self, HandshakeMessage::EncryptedExtensions);
        check_server_extensions(
            &exts,
            &self.hs.offered,
            &[
                ExtensionType::SERVER_NAME,
                ExtensionType::SUPPORTED_GROUPS,
                ExtensionType::ALPN,
                ExtensionType::MAX_FRAGMENT_LENGTH,
                ExtensionType::RECORD_SIZE_LIMIT,
                ExtensionType::EARLY_DATA,
                ExtensionType::USE_SRTP,
                ExtensionType::HEARTBEAT,
            ],
        )?;
        if let Some(body) = exts.get(ExtensionType::SERVER_NAME) {
            ext::decode_empty(body)?;
        }
        accept_server_alpn(cx, &exts)?;
        if let Some(body) = exts.get(ExtensionType::EARLY_DATA) {
            ext::decode_empty(body)?;
            if self.hs.early_hs_write.is_none() {
                return Err(TlsError::illegal(
                    Reason::BAD_EARLY_DATA,
                    "early data accepted without the PSK it was offered with",
                ));
            }
            cx.info.early_data = EarlyData::Accepted;
        } else if let Some(w) = self.hs.early_hs_write.take() {
            cx.info.early_data = EarlyData::Rejected;
            cx.out.prot = w;
        }
        self.hs.transcript.add(raw);
        if self.hs.resumed {
            return Ok(Next::Handshaking(Box::new(ExpectFinished { hs: self.hs })));
        }
        Ok(Next::Handshaking(Box::new(ExpectCertificateOrRequest {
            hs: self.hs,
        })))
    }
}

struct ExpectCertificateOrRequest {
    hs: Flight,
}

impl State for ExpectCertificateOrRequest {
    fn name(&self) -> &'static str {
        "TLSv1.3 read server certificate"
    }

    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        match msg {
            HandshakeMessage::CertificateRequest(cr) if self.hs.cert_request.is_none() => {
                if !cr.context.is_empty() {
                    return Err(TlsError::illegal(
                        Reason::INVALID_CONTEXT,
                        "CertificateRequest context in the handshake",
                    ));
                }
                let schemes = read_certificate_request(cx, &cr.extensions)?;
                self.hs.transcript.add(raw);
                self.hs.cert_request = Some((cr.context, schemes));
                Ok(Next::Handshaking(self))
            }
            HandshakeMessage::Certificate(cert) => {
                let chain = check_certificate_message(&cert)?;
                verify_server_certificate(cx, chain, self.hs.verify_host.as_deref())?;
                self.hs.transcript.add(raw);
                Ok(Next::Handshaking(Box::new(ExpectCertificateVerify {
                    hs: self.hs,
                })))
            }
            other => Err(unexpected(self.name(), &other)),
        }
    }
}

struct ExpectCertificateVerify {
    hs: Flight,
}

impl State for ExpectCertificateVerify {
    fn name(&self) -> &'static str {
        "TLSv1.3 read server certificate verify"
    }

    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        let cv = expect!(msg, self, HandshakeMessage::CertificateVerify);
        check_certificate_verify(cx, &cv, &self.hs.transcript, true)?;
        self.hs.transcript.add(raw);
        Ok(Next::Handshaking(Box::new(ExpectFinished { hs: self.hs })))
    }
}

struct ExpectFinished {
    hs: Flight,
}

impl State for ExpectFinished {
    fn name(&self) -> &'static str {
        "TLSv1.3 read finished"
    }

    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        let verify_data = expect!(msg, self, HandshakeMessage::Finished);
        let hs = &mut self.hs;
        hs.secrets
            .check_finished(&hs.secrets.server_hs, &hs.transcript, &verify_data)?;
        peer_auth::publish(cx);
        hs.transcript.add(raw);
        let app: ApplicationSecrets = hs.secrets.clone().application_secrets(cx, &hs.transcript)?;
        *cx.new_read = Some(app.cipher(&app.server)?);
        if let Some(w) = hs.early_hs_write.take() {
            // Accepted early data ends with EndOfEarlyData under the early key.
            cx.send(&HandshakeMessage::EndOfEarlyData, &mut hs.transcript)?;
            cx.out.prot = w;
        }
        if let Some((context, schemes)) = hs.cert_request.take() {
            send_client_certificate(cx, &mut hs.transcript, context, &schemes)?;
        }
        let fin = hs.secrets.finished(&hs.secrets.client_hs, &hs.transcript)?;
        cx.send(&fin, &mut hs.transcript)?;
        cx.out.prot = app.cipher(&app.client)?;
        let res_master = resumption::resumption_master(&app.schedule, &hs.transcript)?;
        let mut traffic = Traffic::new(app, true);
        traffic.set_resumption_master(res_master);
        if cx.config.post_handshake_auth {
            traffic.enable_post_handshake_auth(hs.transcript.clone());
        }
        Ok(Next::Connected(AnyTraffic::Tls13(Box::new(traffic))))
    }
}

/// Answers a CertificateRequest: our chain and a CertificateVerify if we have a key whose
/// scheme the server accepts, otherwise an empty Certificate.
pub(crate) fn send_client_certificate(
    cx: &mut Context<'_>,
    transcript: &mut Transcript,
    context: Vec<u8>,
    accepted: &[u16],
) -> Result<(), TlsError> {
    let chosen = cx.config.certified_key.as_ref().and_then(|ck| {
        ck.key
            .schemes(true)
            .into_iter()
            .filter(|s| cx.config.signature_schemes.contains(s))
            .find(|s| accepted.contains(&s.to_u16()))
            .map(|s| (ck.clone(), s))
    });
    let entries = chosen.as_ref().map_or_else(Vec::new, |(ck, _)| {
        ck.chain
            .iter()
            .map(|c| CertificateEntry {
                cert: c.as_ref().to_vec(),
                extensions: Extensions::default(),
            })
            .collect()
    });
    let cert = HandshakeMessage::Certificate(Certificate13 { context, entries });
    cx.send(&cert, transcript)?;
    if let Some((ck, scheme)) = chosen {
        send_certificate_verify(cx, transcript, &ck.key, scheme, false)?;
    }
    Ok(())
}
