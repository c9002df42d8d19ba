//! The TLS 1.2 server: its choices for a ClientHello (also a renegotiating one), its
//! flight (ServerHello, Certificate, ServerKeyExchange, optional CertificateRequest,
//! ServerHelloDone), then the client's flight, and its own CCS and Finished.

use super::traffic::Traffic;
use super::{
    check_renegotiation_info, check_signature, choose_scheme, ecdh_params,
    parse_client_key_exchange, send_finished, signed_params, MasterSecret,
};
use crate::config::{CertifiedKey, Config};
use crate::crypto::kx::{KeyShare, KxGroup};
use crate::crypto::rand;
use crate::crypto::sign::SignatureScheme;
use crate::error::TlsError;
use crate::handshake::client::Renegotiating;
use crate::handshake::peer_auth::{self, accept_client_certificate};
use crate::handshake::{
    client_sni, random_err, select_alpn, Context, HelloDecision, Next, State,
    Traffic as AnyTraffic, Transcript,
};
use crate::msgs::codec::{Prefix, Writer};
use crate::msgs::enums::{AlertDescription, ExtensionType, ProtocolVersion, DOWNGRADE_TLS12};
use crate::msgs::extensions::{self as ext, Extensions};
use crate::msgs::handshake::{CertificateRequest12, ClientHello, HandshakeMessage, ServerHello};
use crate::reason::Reason;
use crate::record::protect::Protection;
use crate::suites::{CipherSuite, SuiteAuth};
use crate::x509;

/// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 3.3).
const RENEGOTIATION_SCSV: u16 = 0x00ff;

/// What a ClientHello settles whether the handshake is full or resumed.
pub(crate) struct Basics {
    pub alpn: Option<Vec<u8>>,
    pub sni: Option<String>,
    pub ems: bool,
    pub secure_renegotiation: bool,
    pub point_formats: bool,
    /// The session_ticket extension's body, if the client sent one (RFC 5077).
    pub ticket: Option<Vec<u8>>,
}

/// The server's choices for a full handshake.
struct Choices {
    suite: CipherSuite,
    group: KxGroup,
    scheme: SignatureScheme,
    key: CertifiedKey,
}

fn failure(reason: Reason, detail: &'static str) -> TlsError {
    TlsError::fatal(AlertDescription::HANDSHAKE_FAILURE, reason, detail)
}

/// RFC 5746 on the server: an initial hello announces support (empty extension or the
/// SCSV); a renegotiating one proves the previous handshake and must not carry the SCSV.
fn check_secure_renegotiation(
    ch: &ClientHello,
    renegotiating: Option<&Renegotiating>,
) -> Result<bool, TlsError> {
    let scsv = ch.cipher_suites.contains(&RENEGOTIATION_SCSV);
    let ri = ch.extensions.get(ExtensionType::RENEGOTIATION_INFO);
    match (renegotiating, ri) {
        (None, Some(body)) => check_renegotiation_info(body, &[]).map(|_| true),
        (None, None) => Ok(scsv),
        (Some(_), _) if scsv => Err(failure(
            Reason::SCSV_RECEIVED_WHEN_RENEGOTIATING,
            "renegotiation SCSV in a renegotiating ClientHello",
        )),
        (Some(r), Some(body)) => {
            check_renegotiation_info(body, &r.client_verify_data).map(|_| true)
        }
        (Some(_), None) => Err(failure(
            Reason::UNSAFE_LEGACY_RENEGOTIATION_DISABLED,
            "renegotiating ClientHello without renegotiation_info",
        )),
    }
}

/// The suite by preference (ours by default, `SSL_OP_CIPHER_SERVER_PREFERENCE`), among
/// those the client offers whose authentication `have_auth` says we can provide.
fn choose_suite(
    config: &Config,
    offered: &[u16],
    have_auth: impl Fn(SuiteAuth) -> bool,
) -> Result<CipherSuite, TlsError> {
    let usable = |s: &CipherSuite| have_auth(s.auth()) && config.tls12_cipher_suites.contains(s);
    let found = if config.server_preference {
        config
            .tls12_cipher_suites
            .iter()
            .copied()
            .find(|s| usable(s) && offered.contains(&s.to_u16()))
    } else {
        offered
            .iter()
            .filter_map(|&c| CipherSuite::from_u16(c))
            .find(usable)
    };
    found.ok_or_else(|| failure(Reason::NO_SHARED_CIPHER, "no cipher suite in common"))
}

/// The suite authentication a certificate's key provides.
fn auth_of(k: &CertifiedKey) -> SuiteAuth {
    match k.key.key_type() {
        crate::crypto::sign::KeyType::Rsa { .. } => SuiteAuth::Rsa,
        _ => SuiteAuth::Ecdsa,
    }
}

/// RFC 8422 5.1: an ECDSA certificate must be on a curve the client lists (any will do
/// when the client sends no supported_groups).
fn curve_ok(k: &CertifiedKey, client_groups: Option<&[u16]>) -> bool {
    use crate::crypto::sign::KeyType;
    let curve = match k.key.key_type() {
        KeyType::EcP256 => Some(KxGroup::Secp256r1),
        KeyType::EcP384 => Some(KxGroup::Secp384r1),
        _ => None,
    };
    match (curve, client_groups) {
        (Some(c), Some(groups)) => groups.contains(&c.to_u16()),
        _ => true,
    }
}

/// The checks and answers every TLS 1.2 ClientHello gets: compression, RFC 5746, the
/// extended master secret, SNI, ALPN.
fn basics(
    config: &Config,
    hello: Option<&HelloDecision>,
    ch: &ClientHello,
    renegotiating: Option<&Renegotiating>,
) -> Result<Basics, TlsError> {
    let exts = &ch.extensions;
    if !ch.compression_methods.contains(&0) {
        return Err(TlsError::decode(
            Reason::NO_COMPRESSION_SPECIFIED,
            "ClientHello without null compression",
        ));
    }
    let secure_renegotiation = check_secure_renegotiation(ch, renegotiating)?;
    let ems = match exts.get(ExtensionType::EXTENDED_MASTER_SECRET) {
        Some(body) => {
            ext::decode_empty(body)?;
            true
        }
        None => false,
    };
    if !ems && (config.require_ems || renegotiating.is_some_and(|r| r.ems)) {
        return Err(failure(
            Reason::INCONSISTENT_EXTMS,
            "client does not use the extended master secret",
        ));
    }
    Ok(Basics {
        alpn: select_alpn(config, hello, exts)?,
        sni: client_sni(exts)?,
        ems,
        secure_renegotiation,
        point_formats: exts.contains(ExtensionType::EC_POINT_FORMATS),
        ticket: exts.get(ExtensionType::SESSION_TICKET).map(<[u8]>::to_vec),
    })
}

/// Suite, group and certificate for a full handshake.
fn choose(config: &Config, ch: &ClientHello, b: &Basics) -> Result<Choices, TlsError> {
    let exts = &ch.extensions;
    // Without supported_groups any group will do (RFC 8422 4); we take our first.
    let client_groups = match exts.get(ExtensionType::SUPPORTED_GROUPS) {
        Some(body) => Some(ext::decode_u16_list(body)?),
        None => None,
    };
    // Without signature_algorithms TLS 1.2 means SHA-1, which oxssl does not sign with.
    let client_schemes = match exts.get(ExtensionType::SIGNATURE_ALGORITHMS) {
        Some(body) => ext::decode_u16_list(body)?,
        None => Vec::new(),
    };
    let keys = config.server_keys(b.sni.as_deref());
    if keys.is_empty() {
        return Err(failure(
            Reason::NO_CERTIFICATE_SET,
            "server has no certificate",
        ));
    }
    // Each certificate that can serve this client: its curve is one the client lists
    // (RFC 8422 5.1, which OpenSSL clients enforce) and it can sign with a scheme the
    // client accepts. The suite is then chosen among those whose authentication one of
    // them provides, and the certificate follows the suite, as in OpenSSL.
    let usable: Vec<(SuiteAuth, &CertifiedKey, SignatureScheme)> = keys
        .iter()
        .filter(|k| curve_ok(k, client_groups.as_deref()))
        .filter_map(|k| choose_scheme(config, &k.key, &client_schemes).map(|s| (auth_of(k), *k, s)))
        .collect();
    let suite = match choose_suite(config, &ch.cipher_suites, |a| {
        usable.iter().any(|(ua, _, _)| *ua == a)
    }) {
        Ok(s) => s,
        Err(e) => {
            // Tell "no scheme to sign with" apart from "no suite in common".
            let suites_fit = choose_suite(config, &ch.cipher_suites, |_| true).is_ok();
            let curves_fit = keys.iter().any(|k| curve_ok(k, client_groups.as_deref()));
            return Err(if suites_fit && curves_fit && usable.is_empty() {
                failure(
                    Reason::NO_SHARED_SIGNATURE_ALGORITHMS,
                    "no signature scheme in common for our keys",
                )
            } else {
                e
            });
        }
    };
    let Some(&(_, key, scheme)) = usable.iter().find(|(a, _, _)| *a == suite.auth()) else {
        return Err(failure(
            Reason::NO_SHARED_CIPHER,
            "no certificate for the suite",
        ));
    };
    let key = key.clone();
    let group = config
        .groups
        .iter()
        .copied()
        .filter(|g| !g.is_hybrid())
        .find(|g| {
            client_groups
                .as_ref()
                .is_none_or(|c| c.contains(&g.to_u16()))
        })
        .ok_or_else(|| failure(Reason::NO_SHARED_GROUPS, "no ECDHE group in common"))?;
    Ok(Choices {
        suite,
        group,
        scheme,
        key,
    })
}

/// Sends the ServerHello (a resumed handshake echoes the client's session id and sends
/// no server_name), recording what it settles; returns the transcript so far.
pub(crate) fn send_server_hello(
    cx: &mut Context<'_>,
    ch: &ClientHello,
    raw: &[u8],
    b: &Basics,
    renegotiating: Option<&Renegotiating>,
    hello: (CipherSuite, Vec<u8>, bool),
) -> Result<Transcript, TlsError> {
    let (suite, session_id, ticket) = hello;
    let resumed = cx.info.resumed;
    let mut transcript = Transcript::Buffer(Vec::new());
    transcript.add(raw);
    let mut random: [u8; 32] = rand::array().map_err(random_err)?;
    if cx.config.allows(ProtocolVersion::TLSV1_3) {
        // RFC 8446 4.1.3: a TLS 1.3 server negotiating TLS 1.2 says so in its random.
        random[24..].copy_from_slice(&DOWNGRADE_TLS12);
    }
    cx.info.client_random = ch.random;
    cx.info.server_random = random;
    cx.info.version = Some(ProtocolVersion::TLSV1_2);
    cx.info.suite = Some(suite);
    cx.info.alpn = b.alpn.clone();
    cx.info.sni = b.sni.clone();
    cx.info.hello_retry = false;

    let mut exts = Extensions::default();
    if b.secure_renegotiation {
        let mut value = Vec::new();
        if let Some(r) = renegotiating {
            value.extend_from_slice(&r.client_verify_data);
            value.extend_from_slice(&r.server_verify_data);
        }
        exts.push(
            ExtensionType::RENEGOTIATION_INFO,
            ext::encode_u8_list(&value)?,
        );
    }
    if b.sni.is_some() && !resumed && cx.hello.is_none_or(|d| d.ack_server_name) {
        exts.push(ExtensionType::SERVER_NAME, Vec::new());
    }
    if b.point_formats {
        exts.push(ExtensionType::EC_POINT_FORMATS, ext::encode_u8_list(&[0])?);
    }
    if ticket {
        exts.push(ExtensionType::SESSION_TICKET, Vec::new());
    }
    if let Some(p) = &b.alpn {
        exts.push(
            ExtensionType::ALPN,
            ext::encode_alpn(std::slice::from_ref(p))?,
        );
    }
    if b.ems {
        exts.push(ExtensionType::EXTENDED_MASTER_SECRET, Vec::new());
    }
    let sh = HandshakeMessage::ServerHello(ServerHello {
        legacy_version: ProtocolVersion::TLSV1_2.0,
        random,
        session_id,
        cipher_suite: suite.to_u16(),
        compression_method: 0,
        extensions: exts,
    });
    cx.send(&sh, &mut transcript)?;
    Ok(transcript)
}

/// Handles a ClientHello for TLS 1.2: the first one, or one that renegotiates.
pub(crate) fn client_hello(
    cx: &mut Context<'_>,
    ch: ClientHello,
    raw: &[u8],
    renegotiating: Option<Renegotiating>,
) -> Result<Next, TlsError> {
    let b = basics(cx.config, cx.hello, &ch, renegotiating.as_ref())?;
    cx.info.resumed = false;
    let may_resume = renegotiating.as_ref().is_none_or(|r| r.resume);
    let found = if may_resume {
        super::resumption::find(cx, &ch, &b)?
    } else {
        None
    };
    if let Some(session) = found {
        return super::resumption::resume(cx, &ch, raw, &b, session, renegotiating);
    }
    let c = choose(cx.config, &ch, &b)?;
    let r = &cx.config.resumption;
    // Only sessions with the extended master secret are resumable (RFC 7627 5.3).
    let session_id = if r.cache_store && b.ems {
        rand::array::<32>().map_err(random_err)?.to_vec()
    } else {
        Vec::new()
    };
    let ticket = r.tickets && b.ticket.is_some() && b.ems;
    let hello = (c.suite, session_id.clone(), ticket);
    let mut transcript = send_server_hello(cx, &ch, raw, &b, renegotiating.as_ref(), hello)?;
    cx.info.group = Some(c.group);
    let chain = c.key.chain.iter().map(|d| d.as_ref().to_vec()).collect();
    cx.send(&HandshakeMessage::Certificate12(chain), &mut transcript)?;

    let share = KeyShare::generate(c.group).map_err(random_err)?;
    let params = ecdh_params(c.group, share.public())?;
    let signature = c
        .key
        .key
        .sign(c.scheme, &signed_params(cx, &params))
        .map_err(|e| TlsError::internal(e.0))?;
    cx.info.our_signature_scheme = Some(c.scheme);
    let mut w = Writer::new();
    w.bytes(&params);
    w.u16(c.scheme.to_u16());
    w.vec(Prefix::U16, &signature);
    cx.send(
        &HandshakeMessage::ServerKeyExchange(w.finish()?),
        &mut transcript,
    )?;

    let request_cert = cx.config.verify.peer;
    if request_cert {
        let schemes = cx
            .config
            .signature_schemes
            .iter()
            .map(|s| s.to_u16())
            .collect();
        let cr = HandshakeMessage::CertificateRequest12(CertificateRequest12 {
            certificate_types: vec![1, 64],
            signature_schemes: schemes,
            authorities: cx.config.client_ca_names.clone(),
        });
        cx.send(&cr, &mut transcript)?;
    }
    cx.send(&HandshakeMessage::ServerHelloDone, &mut transcript)?;
    let hs = Hs {
        suite: c.suite,
        transcript,
        share: Some(share),
        ems: b.ems,
        secure_renegotiation: b.secure_renegotiation,
        renegotiation: renegotiating.is_some(),
        client_cert: false,
        session_id,
        ticket,
    };
    Ok(Next::Handshaking(if request_cert {
        Box::new(ExpectCertificate { hs })
    } else {
        Box::new(ExpectClientKeyExchange { hs })
    }))
}

struct Hs {
    suite: CipherSuite,
    transcript: Transcript,
    share: Option<KeyShare>,
    ems: bool,
    secure_renegotiation: bool,
    renegotiation: bool,
    client_cert: bool,
    /// The id this session is cached under (empty: not cached).
    session_id: Vec<u8>,
    /// A NewSessionTicket goes out before our CCS.
    ticket: bool,
}

struct ExpectCertificate {
    hs: Hs,
}

impl State for ExpectCertificate {
    fn name(&self) -> &'static str {
        "SSLv3/TLS read client certificate"
    }

    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        let chain = expect!(msg, self, HandshakeMessage::Certificate12);
        self.hs.transcript.add(raw);
        let chain = chain.into_iter().map(x509::CertificateDer::from).collect();
        self.hs.client_cert =
            accept_client_certificate(cx, chain, AlertDescription::HANDSHAKE_FAILURE)?;
        Ok(Next::Handshaking(Box::new(ExpectClientKeyExchange {
            hs: self.hs,
        })))
    }
}

struct ExpectClientKeyExchange {
    hs: Hs,
}

impl State for ExpectClientKeyExchange {
    fn name(&self) -> &'static str {
        "SSLv3/TLS read client key exchange"
    }

    fn handle(
        self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        let body = expect!(msg, self, HandshakeMessage::ClientKeyExchange);
        let public = parse_client_key_exchange(&body)?;
        let mut hs = self.hs;
        let share = hs
            .share
            .take()
            .ok_or_else(|| TlsError::internal("key share already used"))?;
        let premaster = share
            .complete(&public)
            .map_err(|e| TlsError::illegal(Reason::BAD_ECPOINT, e.0))?;
        hs.transcript.add(raw);
        let master =
            MasterSecret::derive(cx, hs.suite, premaster.as_bytes(), hs.ems, &hs.transcript)?;
        let wait_cv = hs.client_cert;
        let next = ExpectCcs { hs, master };
        Ok(Next::Handshaking(if wait_cv {
            Box::new(ExpectCertificateVerify(next))
        } else {
            Box::new(next)
        }))
    }
}

struct ExpectCertificateVerify(ExpectCcs);

impl State for ExpectCertificateVerify {
    fn name(&self) -> &'static str {
        "SSLv3/TLS read certificate verify"
    }

    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        let cv = expect!(msg, self, HandshakeMessage::CertificateVerify);
        let signed = self
            .0
            .hs
            .transcript
            .buffered()
            .ok_or_else(|| TlsError::internal("TLS 1.2 transcript not buffered"))?
            .to_vec();
        check_signature(cx, cv.scheme, &signed, &cv.signature, "CertificateVerify")?;
        self.0.hs.transcript.add(raw);
        Ok(Next::Handshaking(Box::new(self.0)))
    }
}

struct ExpectCcs {
    hs: Hs,
    master: MasterSecret,
}

impl State for ExpectCcs {
    fn name(&self) -> &'static str {
        "SSLv3/TLS read change cipher spec"
    }

    fn handle(
        self: Box<Self>,
        _cx: &mut Context<'_>,
        msg: HandshakeMessage,
        _raw: &[u8],
    ) -> Result<Next, TlsError> {
        Err(crate::handshake::unexpected(self.name(), &msg))
    }

    fn handle_ccs(self: Box<Self>, cx: &mut Context<'_>) -> Result<Next, TlsError> {
        let (client_write, server_write) = self.master.ciphers()?;
        *cx.new_read = Some(client_write);
        Ok(Next::Handshaking(Box::new(ExpectFinished {
            hs: self.hs,
            master: self.master,
            write: server_write,
        })))
    }
}

struct ExpectFinished {
    hs: Hs,
    master: MasterSecret,
    write: Protection,
}

impl State for ExpectFinished {
    fn name(&self) -> &'static str {
        "SSLv3/TLS read finished"
    }

    fn handle(
        self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        let verify_data = expect!(msg, self, HandshakeMessage::Finished);
        let mut s = *self;
        let client_verify_data = s
            .master
            .check_finished(true, &s.hs.transcript, &verify_data)?;
        // Before the session is made: it carries the client's identity.
        peer_auth::publish(cx);
        s.hs.transcript.add(raw);
        let session = super::resumption::new_session(cx, &s.master, s.hs.session_id.clone());
        if s.hs.ticket {
            super::resumption::send_ticket(cx, &session, &mut s.hs.transcript)?;
        }
        super::resumption::store(cx, session, true);
        cx.send_ccs()?;
        cx.out.prot = s.write;
        let server_verify_data = send_finished(cx, &s.master, false, &mut s.hs.transcript)?;
        let mut traffic = Traffic::new(
            false,
            s.master,
            client_verify_data,
            server_verify_data,
            s.hs.renegotiation,
        );
        traffic.secure_renegotiation = s.hs.secure_renegotiation;
        Ok(Next::Connected(AnyTraffic::Tls12(Box::new(traffic))))
    }
}
