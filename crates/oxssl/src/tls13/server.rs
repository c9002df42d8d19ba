//! The TLS 1.3 server: ClientHello (with a HelloRetryRequest when the client sent no usable
//! key share), our flight, then the client's optional certificate and its Finished.

use super::peer_auth::{
    check_certificate_message, check_certificate_verify, send_certificate_verify,
};
use super::resumption;
use super::traffic::Traffic;
use super::{ApplicationSecrets, HandshakeSecrets};
use crate::config::{CertifiedKey, Config};
use crate::crypto::kx::{self, KxGroup};
use crate::crypto::rand;
use crate::crypto::sign::SignatureScheme;
use crate::error::TlsError;
use crate::handshake::peer_auth::{self, accept_client_certificate};
use crate::handshake::{
    check_duplicates, client_sni, random_err, select_alpn, Context, HelloDecision, Next, State,
    Traffic as AnyTraffic, Transcript,
};
use crate::msgs::enums::{AlertDescription, ExtensionType, ProtocolVersion, HRR_RANDOM};
use crate::msgs::extensions::{self as ext, Extensions, KeyShareEntry};
use crate::msgs::handshake::{
    Certificate13, CertificateEntry, CertificateRequest13, ClientHello, HandshakeMessage,
    ServerHello,
};
use crate::negotiated::EarlyData;
use crate::reason::Reason;
use crate::record::protect::Protection;
use crate::record::reader::SkipEarly;
use crate::suites::CipherSuite;

/// Handles a ClientHello for which the version-neutral server chose TLS 1.3.
pub(crate) fn client_hello(
    cx: &mut Context<'_>,
    ch: ClientHello,
    raw: &[u8],
) -> Result<Next, TlsError> {
    Box::new(ExpectClientHello { hrr: None }).handle(cx, HandshakeMessage::ClientHello(ch), raw)
}

/// What we asked for in a HelloRetryRequest; the second ClientHello must comply.
struct HrrSent {
    suite: CipherSuite,
    group: KxGroup,
    cookie: Option<Vec<u8>>,
    transcript: Transcript,
    session_id: Vec<u8>,
    random: [u8; 32],
}

struct ExpectClientHello {
    hrr: Option<HrrSent>,
}

/// The server's choices for one ClientHello.
struct Choices {
    suite: CipherSuite,
    group: KxGroup,
    /// The client's share for `group`, if it sent one (otherwise: HelloRetryRequest).
    client_share: Option<Vec<u8>>,
    scheme: SignatureScheme,
    key: CertifiedKey,
    alpn: Option<Vec<u8>>,
    sni: Option<String>,
}

fn missing(reason: Reason, what: &str) -> TlsError {
    TlsError::fatal(
        AlertDescription::MISSING_EXTENSION,
        reason,
        format!("ClientHello without {what}"),
    )
}

/// Checks the ClientHello and makes the server's choices.
fn choose(
    config: &Config,
    hello: Option<&HelloDecision>,
    ch: &ClientHello,
) -> Result<Choices, TlsError> {
    check_duplicates(&ch.extensions)?;
    let exts = &ch.extensions;
    let Some(versions) = exts.get(ExtensionType::SUPPORTED_VERSIONS) else {
        return Err(TlsError::fatal(
            AlertDescription::PROTOCOL_VERSION,
            Reason::UNSUPPORTED_PROTOCOL,
            format!(
                "client offers only {:?}; TLS 1.3 is required",
                ProtocolVersion(ch.legacy_version)
            ),
        ));
    };
    if !ext::decode_versions_client(versions)?.contains(&ProtocolVersion::TLSV1_3.0) {
        return Err(TlsError::fatal(
            AlertDescription::PROTOCOL_VERSION,
            Reason::UNSUPPORTED_PROTOCOL,
            "client does not offer TLS 1.3",
        ));
    }
    if ch.legacy_version < ProtocolVersion::TLSV1_0.0 {
        return Err(TlsError::fatal(
            AlertDescription::PROTOCOL_VERSION,
            Reason::BAD_LEGACY_VERSION,
            "legacy_version below 3.1",
        ));
    }
    if ch.compression_methods != [0] {
        return Err(TlsError::illegal(
            Reason::INVALID_COMPRESSION_ALGORITHM,
            "TLS 1.3 ClientHello must offer only null compression",
        ));
    }
    if let Some(last) = exts.0.last() {
        if exts.contains(ExtensionType::PRE_SHARED_KEY) && last.typ != ExtensionType::PRE_SHARED_KEY
        {
            return Err(TlsError::illegal(
                Reason::BAD_EXTENSION,
                "pre_shared_key is not the last extension",
            ));
        }
    }

    let suite = choose_suite(config, &ch.cipher_suites)?;

    let sni = client_sni(exts)?;
    let keys = config.server_keys(sni.as_deref());
    if keys.is_empty() {
        return Err(TlsError::fatal(
            AlertDescription::HANDSHAKE_FAILURE,
            Reason::NO_CERTIFICATE_SET,
            "server has no certificate",
        ));
    }
    let Some(sigalgs) = exts.get(ExtensionType::SIGNATURE_ALGORITHMS) else {
        return Err(missing(
            Reason::MISSING_SIGALGS_EXTENSION,
            "signature_algorithms",
        ));
    };
    let client_schemes = ext::decode_u16_list(sigalgs)?;
    // The first certificate with a scheme we allow and the client accepts.
    let chosen = keys.into_iter().find_map(|k| {
        k.key
            .schemes(true)
            .into_iter()
            .filter(|s| config.signature_schemes.contains(s))
            .find(|s| client_schemes.contains(&s.to_u16()))
            .map(|s| (k.clone(), s))
    });
    let Some((key, scheme)) = chosen else {
        return Err(TlsError::fatal(
            AlertDescription::HANDSHAKE_FAILURE,
            Reason::NO_SUITABLE_SIGNATURE_ALGORITHM,
            "no signature scheme in common for our keys",
        ));
    };

    let Some(groups) = exts.get(ExtensionType::SUPPORTED_GROUPS) else {
        return Err(missing(
            Reason::MISSING_SUPPORTED_GROUPS_EXTENSION,
            "supported_groups",
        ));
    };
    let client_groups = ext::decode_u16_list(groups)?;
    let Some(shares) = exts.get(ExtensionType::KEY_SHARE) else {
        return Err(missing(Reason::BAD_KEY_SHARE, "key_share"));
    };
    let shares = ext::decode_key_shares(shares)?;
    check_shares(&shares, &client_groups)?;
    let (group, client_share) = choose_group(config, &client_groups, shares)?;

    let alpn = select_alpn(config, hello, exts)?;
    Ok(Choices {
        suite,
        group,
        client_share,
        scheme,
        key,
        alpn,
        sni,
    })
}

/// Server preference by default (`SSL_OP_CIPHER_SERVER_PREFERENCE`), else the client's.
fn choose_suite(config: &Config, offered: &[u16]) -> Result<CipherSuite, TlsError> {
    let found = if config.server_preference {
        config
            .cipher_suites
            .iter()
            .copied()
            .find(|s| offered.contains(&s.to_u16()))
    } else {
        offered
            .iter()
            .filter_map(|&c| CipherSuite::from_u16(c))
            .find(|s| config.cipher_suites.contains(s))
    };
    found.ok_or_else(|| {
        TlsError::fatal(
            AlertDescription::HANDSHAKE_FAILURE,
            Reason::NO_SHARED_CIPHER,
            "no cipher suite in common",
        )
    })
}

/// Each key share must name a distinct group from supported_groups (RFC 8446 4.2.8), and a
/// share for a group we know must have that group's exact size (an empty X25519 share is
/// illegal_parameter). Sorted lookups keep the work O(n log n) in the client's list sizes.
fn check_shares(shares: &[KeyShareEntry], client_groups: &[u16]) -> Result<(), TlsError> {
    let mut supported = client_groups.to_vec();
    supported.sort_unstable();
    let mut seen: Vec<u16> = shares.iter().map(|s| s.group).collect();
    seen.sort_unstable();
    let repeated = seen.windows(2).any(|w| w[0] == w[1]);
    let unlisted = shares
        .iter()
        .any(|s| supported.binary_search(&s.group).is_err());
    if repeated || unlisted {
        return Err(TlsError::illegal(
            Reason::BAD_KEY_SHARE,
            "key share for a group not in supported_groups, or twice",
        ));
    }
    for s in shares {
        let expected = KxGroup::from_u16(s.group).map(|g| g.client_share_len());
        if expected.is_some_and(|n| n != s.payload.len()) || s.payload.is_empty() {
            return Err(TlsError::illegal(
                Reason::BAD_KEY_SHARE,
                format!(
                    "key share of {} bytes for group {:#06x}",
                    s.payload.len(),
                    s.group
                ),
            ));
        }
    }
    Ok(())
}

/// Takes the share the client sent that ranks highest in our list; if it sent none we can
/// use, the group we like best among those it supports (answered by HelloRetryRequest).
fn choose_group(
    config: &Config,
    client_groups: &[u16],
    shares: Vec<KeyShareEntry>,
) -> Result<(KxGroup, Option<Vec<u8>>), TlsError> {
    for &g in &config.groups {
        if let Some(s) = shares.iter().find(|s| s.group == g.to_u16()) {
            return Ok((g, Some(s.payload.clone())));
        }
    }
    for &g in &config.groups {
        if client_groups.contains(&g.to_u16()) {
            return Ok((g, None));
        }
    }
    Err(TlsError::fatal(
        AlertDescription::HANDSHAKE_FAILURE,
        Reason::NO_SHARED_GROUPS,
        "no key exchange group in common",
    ))
}

impl ExpectClientHello {
    fn send_hrr(
        cx: &mut Context<'_>,
        ch: &ClientHello,
        raw: &[u8],
        c: &Choices,
    ) -> Result<HrrSent, TlsError> {
        let mut transcript = Transcript::Buffer(raw.to_vec());
        transcript.rollup_for_hrr(c.suite.hash())?;
        let mut exts = Extensions::default();
        exts.push(
            ExtensionType::SUPPORTED_VERSIONS,
            ext::encode_u16(ProtocolVersion::TLSV1_3.0),
        );
        exts.push(ExtensionType::KEY_SHARE, ext::encode_u16(c.group.to_u16()));
        let cookie = if cx.config.hrr_cookie {
            let c: [u8; 32] = rand::array().map_err(random_err)?;
            exts.push(ExtensionType::COOKIE, ext::encode_cookie(&c)?);
            Some(c.to_vec())
        } else {
            None
        };
        let hrr = HandshakeMessage::ServerHello(ServerHello {
            legacy_version: ProtocolVersion::TLSV1_2.0,
            random: HRR_RANDOM,
            session_id: ch.session_id.clone(),
            cipher_suite: c.suite.to_u16(),
            compression_method: 0,
            extensions: exts,
        });
        cx.send(&hrr, &mut transcript)?;
        if cx.config.middlebox_compat && !ch.session_id.is_empty() {
            cx.send_ccs()?;
        }
        cx.info.hello_retry = true;
        Ok(HrrSent {
            suite: c.suite,
            group: c.group,
            cookie,
            transcript,
            session_id: ch.session_id.clone(),
            random: ch.random,
        })
    }

    /// The second ClientHello must answer our HelloRetryRequest exactly.
    fn check_retry(hrr: &HrrSent, ch: &ClientHello, c: &Choices) -> Result<(), TlsError> {
        if ch.random != hrr.random || ch.session_id != hrr.session_id {
            return Err(TlsError::illegal(
                Reason::BAD_EXTENSION,
                "second ClientHello changed random or session id",
            ));
        }
        if c.suite != hrr.suite {
            return Err(TlsError::illegal(
                Reason::BAD_CIPHER,
                "second ClientHello changed the cipher suite choice",
            ));
        }
        if c.group != hrr.group || c.client_share.is_none() {
            return Err(TlsError::illegal(
                Reason::BAD_KEY_SHARE,
                "second ClientHello lacks a share for the requested group",
            ));
        }
        let echoed = ch
            .extensions
            .get(ExtensionType::COOKIE)
            .map(ext::decode_cookie)
            .transpose()?;
        if echoed != hrr.cookie {
            return Err(TlsError::illegal(
                Reason::BAD_EXTENSION,
                "cookie not echoed",
            ));
        }
        if ch.extensions.contains(ExtensionType::EARLY_DATA) {
            return Err(TlsError::illegal(
                Reason::BAD_EARLY_DATA,
                "early_data after HelloRetryRequest",
            ));
        }
        Ok(())
    }
}

impl State for ExpectClientHello {
    fn name(&self) -> &'static str {
        "TLSv1.3 read client hello"
    }

    fn handle(
        self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        let ch = expect!(msg, self, HandshakeMessage::ClientHello);
        cx.info.client_random = ch.random;
        let c = choose(cx.config, cx.hello, &ch)?;
        let offered_early = ch.extensions.contains(ExtensionType::EARLY_DATA);
        let after_hrr = self.hrr.is_some();
        let prior = match self.hrr {
            None if c.client_share.is_none() => {
                let hrr = Self::send_hrr(cx, &ch, raw, &c)?;
                if offered_early {
                    // The client's early data for this ClientHello comes before its
                    // second one: skip it (RFC 8446 4.2.10).
                    cx.info.early_data = EarlyData::Rejected;
                    *cx.early_skip = Some(SkipEarly::AppData(resumption::early_skip_budget(cx)));
                }
                return Ok(Next::Handshaking(Box::new(ExpectClientHello {
                    hrr: Some(hrr),
                })));
            }
            None => Transcript::Buffer(Vec::new()),
            Some(hrr) => {
                Self::check_retry(&hrr, &ch, &c)?;
                *cx.early_skip = Some(SkipEarly::Off);
                hrr.transcript
            }
        };
        let fit = resumption::Fit {
            suite: c.suite,
            sni: c.sni.as_deref(),
            alpn: c.alpn.as_deref(),
        };
        let accepted = resumption::accept(cx, &ch, raw, &prior, &fit)?;
        let tickets = ch
            .extensions
            .get(ExtensionType::PSK_KEY_EXCHANGE_MODES)
            .map(ext::decode_u8_list)
            .transpose()?
            .is_some_and(|m| m.contains(&resumption::PSK_DHE_KE));
        let mut transcript = prior;
        transcript.add(raw);
        transcript.start_hash(c.suite.hash());
        let early_accepted = offered_early
            && accepted.as_ref().is_some_and(|a| {
                resumption::accept_early_data(cx, a, c.suite, c.alpn.as_deref(), after_hrr)
            });
        let early_read = match (&accepted, early_accepted) {
            (Some(a), true) => {
                cx.info.early_data = EarlyData::Accepted;
                let secret =
                    resumption::early_traffic_secret(cx, c.suite, &a.session.secret, &transcript)?;
                Some(super::key_schedule::cipher(c.suite, secret.as_bytes())?)
            }
            _ => {
                if offered_early {
                    cx.info.early_data = EarlyData::Rejected;
                    let budget = resumption::early_skip_budget(cx);
                    *cx.early_skip = Some(SkipEarly::Undecryptable(budget));
                }
                None
            }
        };
        let client_share = c.client_share.as_deref().unwrap_or_default();
        let (server_share, shared) = kx::respond(c.group, client_share)
            .map_err(|e| TlsError::illegal(Reason::BAD_KEY_SHARE, e.0))?;
        cx.info.version = Some(ProtocolVersion::TLSV1_3);
        cx.info.suite = Some(c.suite);
        cx.info.group = Some(c.group);
        cx.info.alpn = c.alpn.clone();
        cx.info.sni = c.sni.clone();
        let random: [u8; 32] = rand::array().map_err(random_err)?;
        cx.info.server_random = random;

        let mut exts = Extensions::default();
        exts.push(
            ExtensionType::SUPPORTED_VERSIONS,
            ext::encode_u16(ProtocolVersion::TLSV1_3.0),
        );
        exts.push(
            ExtensionType::KEY_SHARE,
            ext::encode_key_share_server(&KeyShareEntry {
                group: c.group.to_u16(),
                payload: server_share,
            })?,
        );
        if let Some(a) = &accepted {
            exts.push(ExtensionType::PRE_SHARED_KEY, ext::encode_u16(a.index));
            cx.info.resumed = true;
            peer_auth::hold_session_identity(cx, &a.session);
        }
        let sh = HandshakeMessage::ServerHello(ServerHello {
            legacy_version: ProtocolVersion::TLSV1_2.0,
            random,
            session_id: ch.session_id.clone(),
            cipher_suite: c.suite.to_u16(),
            compression_method: 0,
            extensions: exts,
        });
        cx.send(&sh, &mut transcript)?;
        let psk = accepted.as_ref().map(|a| a.session.secret.as_slice());
        let secrets = HandshakeSecrets::derive(cx, c.suite, psk, shared.as_bytes(), &transcript)?;
        if cx.config.middlebox_compat && !ch.session_id.is_empty() && !cx.info.hello_retry {
            cx.send_ccs()?;
        }
        cx.out.prot = secrets.cipher(&secrets.server_hs)?;

        let mut ee = Extensions::default();
        if c.sni.is_some() && cx.hello.is_none_or(|d| d.ack_server_name) {
            ee.push(ExtensionType::SERVER_NAME, Vec::new());
        }
        if let Some(p) = &c.alpn {
            ee.push(
                ExtensionType::ALPN,
                ext::encode_alpn(std::slice::from_ref(p))?,
            );
        }
        if early_read.is_some() {
            ee.push(ExtensionType::EARLY_DATA, Vec::new());
        }
        cx.send(&HandshakeMessage::EncryptedExtensions(ee), &mut transcript)?;

        // A resumed handshake authenticates with the PSK: no certificate messages.
        let resumed = accepted.is_some();
        // SSL_VERIFY_POST_HANDSHAKE: only a later request asks for a certificate.
        let request_cert = cx.config.verify.peer && !cx.config.verify.post_handshake && !resumed;
        if request_cert {
            let cr = HandshakeMessage::CertificateRequest(CertificateRequest13 {
                context: Vec::new(),
                extensions: super::peer_auth::certificate_request_extensions(cx.config)?,
            });
            cx.send(&cr, &mut transcript)?;
        }
        if !resumed {
            send_certificate(cx, &mut transcript, &c)?;
        }
        let fin = secrets.finished(&secrets.server_hs, &transcript)?;
        cx.send(&fin, &mut transcript)?;
        let app = secrets.clone().application_secrets(cx, &transcript)?;
        cx.out.prot = app.cipher(&app.server)?;
        let flight = ClientFlight {
            secrets,
            app,
            transcript,
            tickets,
            post_handshake_auth: ch.extensions.contains(ExtensionType::POST_HANDSHAKE_AUTH),
        };
        if let Some(early) = early_read {
            *cx.new_read = Some(Protection::Tls13(early));
            return Ok(Next::Handshaking(Box::new(ExpectEndOfEarlyData {
                f: flight,
            })));
        }
        *cx.new_read = Some(flight.secrets.cipher(&flight.secrets.client_hs)?);
        Ok(Next::Handshaking(if request_cert {
            Box::new(ExpectCertificate { f: flight })
        } else {
            Box::new(ExpectFinished { f: flight })
        }))
    }
}

/// Accepted early data arrives under the early key until the client's EndOfEarlyData
/// (the connection hands the data to the application); then its handshake key.
struct ExpectEndOfEarlyData {
    f: ClientFlight,
}

impl State for ExpectEndOfEarlyData {
    fn name(&self) -> &'static str {
        "TLSv1.3 read end of early data"
    }

    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        match msg {
            HandshakeMessage::EndOfEarlyData => {}
            other => {
                return Err(crate::handshake::unexpected(self.name(), &other)
                    .with_reason(Reason::UNEXPECTED_END_OF_EARLY_DATA))
            }
        }
        self.f.transcript.add(raw);
        *cx.new_read = Some(self.f.secrets.cipher(&self.f.secrets.client_hs)?);
        // A resumed handshake asks for no certificate.
        Ok(Next::Handshaking(Box::new(ExpectFinished { f: self.f })))
    }

    fn early_data_window(&self) -> bool {
        true
    }
}

/// Our Certificate and CertificateVerify.
fn send_certificate(
    cx: &mut Context<'_>,
    transcript: &mut Transcript,
    c: &Choices,
) -> Result<(), TlsError> {
    let entries = c
        .key
        .chain
        .iter()
        .map(|cert| CertificateEntry {
            cert: cert.as_ref().to_vec(),
            extensions: Extensions::default(),
        })
        .collect();
    let cert = HandshakeMessage::Certificate(Certificate13 {
        context: Vec::new(),
        entries,
    });
    cx.send(&cert, transcript)?;
    send_certificate_verify(cx, transcript, &c.key.key, c.scheme, true)
}

struct ClientFlight {
    secrets: HandshakeSecrets,
    app: ApplicationSecrets,
    transcript: Transcript,
    /// The client accepts tickets (it offered psk_dhe_ke).
    tickets: bool,
    /// The client offered post_handshake_auth: keep the transcript for later requests.
    post_handshake_auth: bool,
}

struct ExpectCertificate {
    f: ClientFlight,
}

impl State for ExpectCertificate {
    fn name(&self) -> &'static str {
        "TLSv1.3 read client certificate"
    }

    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        let cert = expect!(msg, self, HandshakeMessage::Certificate);
        let chain = check_certificate_message(&cert)?;
        self.f.transcript.add(raw);
        if !accept_client_certificate(cx, chain, AlertDescription::CERTIFICATE_REQUIRED)? {
            return Ok(Next::Handshaking(Box::new(ExpectFinished { f: self.f })));
        }
        Ok(Next::Handshaking(Box::new(ExpectCertificateVerify {
            f: self.f,
        })))
    }
}

struct ExpectCertificateVerify {
    f: ClientFlight,
}

impl State for ExpectCertificateVerify {
    fn name(&self) -> &'static str {
        "TLSv1.3 read client certificate verify"
    }

    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        let cv = expect!(msg, self, HandshakeMessage::CertificateVerify);
        check_certificate_verify(cx, &cv, &self.f.transcript, false)?;
        self.f.transcript.add(raw);
        Ok(Next::Handshaking(Box::new(ExpectFinished { f: self.f })))
    }
}

struct ExpectFinished {
    f: ClientFlight,
}

impl State for ExpectFinished {
    fn name(&self) -> &'static str {
        "TLSv1.3 read client finished"
    }

    fn handle(
        self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        let verify_data = expect!(msg, self, HandshakeMessage::Finished);
        let mut f = self.f;
        f.secrets
            .check_finished(&f.secrets.client_hs, &f.transcript, &verify_data)?;
        // Before the tickets: their sessions carry the client's identity.
        peer_auth::publish(cx);
        *cx.new_read = Some(f.app.cipher(&f.app.client)?);
        f.transcript.add(raw);
        if f.tickets {
            let res_master = resumption::resumption_master(&f.app.schedule, &f.transcript)?;
            resumption::send_tickets(cx, f.app.suite, &res_master)?;
        }
        let pha = f.post_handshake_auth.then(|| f.transcript.clone());
        let mut traffic = Traffic::new(f.app, false);
        if let Some(transcript) = pha {
            traffic.enable_post_handshake_auth(transcript);
        }
        Ok(Next::Connected(AnyTraffic::Tls13(Box::new(traffic))))
    }
}
