//! The TLS 1.2 client after the version-neutral ServerHello dispatch: the server's
//! Certificate, ServerKeyExchange, optional CertificateRequest and ServerHelloDone; our
//! flight (Certificate, ClientKeyExchange, CertificateVerify, CCS, Finished); then the
//! server's CCS and Finished.

use super::traffic::Traffic;
use super::{
    check_renegotiation_info, check_signature, choose_scheme, ecdh_params,
    parse_server_key_exchange, send_finished, signed_params, MasterSecret, SERVER_HELLO_EXTENSIONS,
};
use crate::config::CertifiedKey;
use crate::crypto::kx::{self, KxGroup};
use crate::crypto::sign::SignatureScheme;
use crate::error::TlsError;
use crate::handshake::client::HelloSent;
use crate::handshake::peer_auth::{self, verify_server_certificate};
use crate::handshake::{
    accept_server_alpn, check_server_extensions, Context, Next, State, Traffic as AnyTraffic,
    Transcript,
};
use crate::msgs::enums::{AlertDescription, ExtensionType, ProtocolVersion};
use crate::msgs::extensions as ext;
use crate::msgs::handshake::{
    CertificateRequest12, CertificateVerify, HandshakeMessage, ServerHello,
};
use crate::reason::Reason;
use crate::record::protect::Protection;
use crate::suites::{CipherSuite, SuiteAuth};
use crate::x509;

/// What the client carries from the ServerHello to its Finished.
struct Hs {
    suite: CipherSuite,
    transcript: Transcript,
    /// The server sent renegotiation_info (else it is a legacy server we reached with
    /// LEGACY_SERVER_CONNECT, and we never renegotiate with it).
    secure_renegotiation: bool,
    ems: bool,
    verify_host: Option<String>,
    renegotiating: Option<crate::handshake::client::Renegotiating>,
    /// The session id the server gave (empty: it caches nothing).
    session_id: Vec<u8>,
    /// The NewSessionTicket the server promised (RFC 5077).
    ticket: super::resumption::PromisedTicket,
}

/// Handles a ServerHello that negotiated TLS 1.2.
pub(crate) fn server_hello(
    cx: &mut Context<'_>,
    sent: HelloSent,
    sh: ServerHello,
    raw: &[u8],
) -> Result<Next, TlsError> {
    check_server_extensions(&sh.extensions, &sent.offered(), &SERVER_HELLO_EXTENSIONS)?;
    let suite = match CipherSuite::from_u16(sh.cipher_suite) {
        Some(s) if !s.is_tls13() && sent.hello.cipher_suites.contains(&sh.cipher_suite) => s,
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
    if sh.compression_method != 0 {
        return Err(TlsError::illegal(
            Reason::UNSUPPORTED_COMPRESSION_ALGORITHM,
            "server chose compression",
        ));
    }
    let config = cx.config;
    let secure_renegotiation = sh.extensions.contains(ExtensionType::RENEGOTIATION_INFO);
    // RFC 5746: the server proves it supports secure renegotiation; when renegotiating it
    // echoes both verify_data values.
    match (
        sh.extensions.get(ExtensionType::RENEGOTIATION_INFO),
        &sent.renegotiating,
    ) {
        (Some(body), None) => check_renegotiation_info(body, &[])?,
        (Some(body), Some(r)) => {
            let expected = [&r.client_verify_data[..], &r.server_verify_data[..]].concat();
            check_renegotiation_info(body, &expected)?;
        }
        (None, Some(_)) => {
            return Err(TlsError::fatal(
                AlertDescription::HANDSHAKE_FAILURE,
                Reason::RENEGOTIATION_MISMATCH,
                "renegotiation without renegotiation_info",
            ))
        }
        (None, None) if !config.renegotiation.legacy_server_connect => {
            return Err(TlsError::fatal(
                AlertDescription::HANDSHAKE_FAILURE,
                Reason::UNSAFE_LEGACY_RENEGOTIATION_DISABLED,
                "server does not support secure renegotiation (RFC 5746)",
            ))
        }
        (None, None) => {}
    }
    let ems = match sh.extensions.get(ExtensionType::EXTENDED_MASTER_SECRET) {
        Some(body) => {
            ext::decode_empty(body)?;
            true
        }
        None => false,
    };
    let prev_ems = sent.renegotiating.as_ref().is_some_and(|r| r.ems);
    if !ems && (config.require_ems || prev_ems) {
        return Err(TlsError::fatal(
            AlertDescription::HANDSHAKE_FAILURE,
            Reason::INCONSISTENT_EXTMS,
            "server does not use the extended master secret",
        ));
    }
    if let Some(body) = sh.extensions.get(ExtensionType::SERVER_NAME) {
        ext::decode_empty(body)?;
    }
    accept_server_alpn(cx, &sh.extensions)?;
    let ticket_expected = match sh.extensions.get(ExtensionType::SESSION_TICKET) {
        Some(body) => {
            ext::decode_empty(body)?;
            true
        }
        None => false,
    };
    let mut transcript = sent.transcript.clone();
    transcript.add(raw);
    cx.info.version = Some(ProtocolVersion::TLSV1_2);
    cx.info.suite = Some(suite);
    cx.info.server_random = sh.random;
    cx.info.hello_retry = false;
    cx.info.resumed = false;
    let echoed = !sh.session_id.is_empty() && sh.session_id == sent.hello.session_id;
    if let Some(s) = sent.tls12_session().filter(|_| echoed) {
        if s.suite != suite {
            return Err(TlsError::illegal(
                Reason::OLD_SESSION_CIPHER_NOT_RETURNED,
                "resumed session with another cipher suite",
            ));
        }
        if s.ems != ems {
            return Err(TlsError::fatal(
                AlertDescription::HANDSHAKE_FAILURE,
                Reason::INCONSISTENT_EXTMS,
                "resumed session without its extended master secret",
            ));
        }
        let renegotiation = sent.renegotiating.is_some();
        return super::resumption::client_resumed(
            cx,
            s,
            transcript,
            ticket_expected,
            secure_renegotiation,
            renegotiation,
        );
    }
    let hs = Hs {
        suite,
        transcript,
        secure_renegotiation,
        ems,
        verify_host: sent.verify_host,
        renegotiating: sent.renegotiating,
        session_id: sh.session_id,
        ticket: super::resumption::PromisedTicket::new(ticket_expected),
    };
    Ok(Next::Handshaking(Box::new(ExpectCertificate { hs })))
}

struct ExpectCertificate {
    hs: Hs,
}

impl State for ExpectCertificate {
    fn name(&self) -> &'static str {
        "SSLv3/TLS read server certificate"
    }

    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        let chain = expect!(msg, self, HandshakeMessage::Certificate12);
        if chain.is_empty() {
            return Err(TlsError::decode(
                Reason::LENGTH_MISMATCH,
                "server sent no certificate",
            ));
        }
        let chain = chain.into_iter().map(x509::CertificateDer::from).collect();
        verify_server_certificate(cx, chain, self.hs.verify_host.as_deref())?;
        self.hs.transcript.add(raw);
        Ok(Next::Handshaking(Box::new(ExpectServerKeyExchange {
            hs: self.hs,
        })))
    }
}

/// The suite's authentication decides which signature schemes may sign its key exchange.
fn scheme_fits_suite(suite: CipherSuite, scheme: SignatureScheme) -> bool {
    use SignatureScheme as S;
    let ecdsa = matches!(
        scheme,
        S::EcdsaSecp256r1Sha256 | S::EcdsaSecp384r1Sha384 | S::EcdsaSecp521r1Sha512 | S::Ed25519
    );
    match suite.auth() {
        SuiteAuth::Ecdsa => ecdsa,
        SuiteAuth::Rsa => !ecdsa,
        SuiteAuth::Any => true,
    }
}

struct ExpectServerKeyExchange {
    hs: Hs,
}

impl State for ExpectServerKeyExchange {
    fn name(&self) -> &'static str {
        "SSLv3/TLS read server key exchange"
    }

    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        let body = expect!(msg, self, HandshakeMessage::ServerKeyExchange);
        let ske = parse_server_key_exchange(&body)?;
        let group = KxGroup::from_u16(ske.group)
            .filter(|g| !g.is_hybrid() && cx.config.groups.contains(g))
            .ok_or_else(|| {
                TlsError::illegal(Reason::WRONG_CURVE, "server chose a group we did not offer")
            })?;
        if ske.public.len() != group.server_share_len() {
            return Err(TlsError::illegal(
                Reason::BAD_ECPOINT,
                "ECDHE public value of the wrong size",
            ));
        }
        let fits = SignatureScheme::from_u16(ske.scheme)
            .is_some_and(|s| scheme_fits_suite(self.hs.suite, s));
        if !fits {
            return Err(TlsError::illegal(
                Reason::WRONG_SIGNATURE_TYPE,
                "ServerKeyExchange signed with a scheme the suite does not allow",
            ));
        }
        let signed = signed_params(cx, &ske.params);
        check_signature(cx, ske.scheme, &signed, &ske.signature, "ServerKeyExchange")?;
        cx.info.group = Some(group);
        self.hs.transcript.add(raw);
        Ok(Next::Handshaking(Box::new(ExpectServerHelloDone {
            hs: self.hs,
            group,
            server_public: ske.public,
            request: None,
        })))
    }
}

struct ExpectServerHelloDone {
    hs: Hs,
    group: KxGroup,
    server_public: Vec<u8>,
    request: Option<CertificateRequest12>,
}

impl State for ExpectServerHelloDone {
    fn name(&self) -> &'static str {
        "SSLv3/TLS read server done"
    }

    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        match msg {
            HandshakeMessage::CertificateRequest12(cr) if self.request.is_none() => {
                self.hs.transcript.add(raw);
                cx.info.client_ca_names = cr.authorities.clone();
                self.request = Some(cr);
                Ok(Next::Handshaking(self))
            }
            HandshakeMessage::ServerHelloDone => {
                self.hs.transcript.add(raw);
                self.send_flight(cx)
            }
            other => Err(crate::handshake::unexpected(self.name(), &other)),
        }
    }
}

impl ExpectServerHelloDone {
    /// Our certificate for a CertificateRequest: a key whose scheme and type the server
    /// accepts (RFC 5246 7.4.6), else none (an empty Certificate).
    fn client_key(
        cx: &Context<'_>,
        cr: &CertificateRequest12,
    ) -> Option<(CertifiedKey, SignatureScheme)> {
        let ck = cx.config.certified_key.as_ref()?;
        let scheme = choose_scheme(cx.config, &ck.key, &cr.signature_schemes)?;
        let is_ecdsa = scheme_fits_suite(CipherSuite::Tls12EcdheEcdsaAes128GcmSha256, scheme);
        let wanted_type = if is_ecdsa { 64 } else { 1 };
        cr.certificate_types
            .contains(&wanted_type)
            .then(|| (ck.clone(), scheme))
    }

    fn send_flight(self: Box<Self>, cx: &mut Context<'_>) -> Result<Next, TlsError> {
        let mut hs = self.hs;
        let chosen = self.request.as_ref().map(|cr| Self::client_key(cx, cr));
        if let Some(chosen) = &chosen {
            let chain = chosen
                .as_ref()
                .map(|(ck, _)| ck.chain.iter().map(|c| c.as_ref().to_vec()).collect())
                .unwrap_or_default();
            cx.send(&HandshakeMessage::Certificate12(chain), &mut hs.transcript)?;
        }
        let (public, premaster) = kx::respond(self.group, &self.server_public)
            .map_err(|e| TlsError::illegal(Reason::BAD_ECPOINT, e.0))?;
        let cke = ecdh_params(self.group, &public)?;
        // ClientKeyExchange carries only the point (without curve type and group).
        cx.send(
            &HandshakeMessage::ClientKeyExchange(cke[3..].to_vec()),
            &mut hs.transcript,
        )?;
        let master =
            MasterSecret::derive(cx, hs.suite, premaster.as_bytes(), hs.ems, &hs.transcript)?;
        if let Some(Some((ck, scheme))) = chosen {
            let signed = hs
                .transcript
                .buffered()
                .ok_or_else(|| TlsError::internal("TLS 1.2 transcript not buffered"))?
                .to_vec();
            let signature = ck
                .key
                .sign(scheme, &signed)
                .map_err(|e| TlsError::internal(e.0))?;
            cx.info.our_signature_scheme = Some(scheme);
            let cv = HandshakeMessage::CertificateVerify(CertificateVerify {
                scheme: scheme.to_u16(),
                signature,
            });
            cx.send(&cv, &mut hs.transcript)?;
        }
        let (client_write, server_write) = master.ciphers()?;
        cx.send_ccs()?;
        cx.out.prot = client_write;
        let client_verify_data = send_finished(cx, &master, true, &mut hs.transcript)?;
        Ok(Next::Handshaking(Box::new(ExpectCcs {
            hs,
            master,
            read: server_write,
            client_verify_data,
        })))
    }
}

struct ExpectCcs {
    hs: Hs,
    master: MasterSecret,
    read: Protection,
    client_verify_data: Vec<u8>,
}

impl State for ExpectCcs {
    fn name(&self) -> &'static str {
        "SSLv3/TLS read change cipher spec"
    }

    fn handle(
        mut self: Box<Self>,
        _cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        let name = self.name();
        let hs = &mut self.hs;
        hs.ticket.receive(msg, raw, &mut hs.transcript, name)?;
        Ok(Next::Handshaking(self))
    }

    fn handle_ccs(self: Box<Self>, cx: &mut Context<'_>) -> Result<Next, TlsError> {
        let s = *self;
        s.hs.ticket.check_before_ccs()?;
        *cx.new_read = Some(s.read);
        Ok(Next::Handshaking(Box::new(ExpectFinished {
            hs: s.hs,
            master: s.master,
            client_verify_data: s.client_verify_data,
        })))
    }
}

struct ExpectFinished {
    hs: Hs,
    master: MasterSecret,
    client_verify_data: Vec<u8>,
}

impl State for ExpectFinished {
    fn name(&self) -> &'static str {
        "SSLv3/TLS read finished"
    }

    fn handle(
        self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        _raw: &[u8],
    ) -> Result<Next, TlsError> {
        let verify_data = expect!(msg, self, HandshakeMessage::Finished);
        let mut s = *self;
        let server_verify_data = s
            .master
            .check_finished(false, &s.hs.transcript, &verify_data)?;
        peer_auth::publish(cx);
        let mut session = super::resumption::new_session(cx, &s.master, s.hs.session_id);
        if let Some((ticket, lifetime)) = s.hs.ticket.take() {
            super::resumption::attach_ticket(&mut session, ticket, lifetime);
        }
        super::resumption::store(cx, session, false);
        let mut traffic = Traffic::new(
            true,
            s.master,
            s.client_verify_data,
            server_verify_data,
            s.hs.renegotiating.is_some(),
        );
        traffic.secure_renegotiation = s.hs.secure_renegotiation;
        Ok(Next::Connected(AnyTraffic::Tls12(Box::new(traffic))))
    }
}
