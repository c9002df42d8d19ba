//! The TLS 1.3 client: ClientHello, optional HelloRetryRequest, then the server's
//! encrypted flight, then our Finished.

use super::peer_auth::{
    check_certificate_message, check_certificate_verify, record_verify_result,
    send_certificate_verify,
};
use super::traffic::Traffic;
use super::{
    check_duplicates, check_server_extensions, unexpected, ApplicationSecrets, Context,
    HandshakeSecrets, Next, State, Transcript,
};
use crate::config::Config;
use crate::crypto::kx::{KeyShare, KxGroup};
use crate::crypto::rand;
use crate::error::TlsError;
use crate::msgs::enums::{
    AlertDescription, ExtensionType, ProtocolVersion, DOWNGRADE_TLS11, DOWNGRADE_TLS12, HRR_RANDOM,
};
use crate::msgs::extensions::{self as ext, Extensions, KeyShareEntry};
use crate::msgs::handshake::{
    Certificate13, CertificateEntry, ClientHello, HandshakeMessage, ServerHello,
};
use crate::reason::Reason;
use crate::suites::CipherSuite;
use crate::x509::{self};

/// Per-connection client settings.
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// Server name sent in SNI (not sent for IP literals).
    pub sni: Option<String>,
    /// Host name the server certificate must match (`SSL_set1_host`).
    pub verify_host: Option<String>,
}

fn random_err(e: crate::crypto::CryptoError) -> TlsError {
    TlsError::internal(e.0)
}

/// The key shares a client sends first: the first group, and when that is a hybrid, the
/// first classical group too (as OpenSSL 3.5 and rustls do), so a server without
/// post-quantum support needs no HelloRetryRequest.
fn initial_share_groups(groups: &[KxGroup]) -> Vec<KxGroup> {
    let mut out = Vec::new();
    if let Some(&first) = groups.first() {
        out.push(first);
        if first.is_hybrid() {
            if let Some(&classic) = groups.iter().find(|g| !g.is_hybrid()) {
                out.push(classic);
            }
        }
    }
    out
}

/// The ClientHello extensions, in the order OpenSSL sends them.
fn hello_extensions(
    config: &Config,
    sni: Option<&str>,
    shares: &[KeyShare],
    cookie: Option<&[u8]>,
) -> Result<Extensions, TlsError> {
    let mut e = Extensions::default();
    if let Some(host) = sni {
        e.push(ExtensionType::SERVER_NAME, ext::encode_server_name(host)?);
    }
    let groups: Vec<u16> = config.groups.iter().map(|g| g.to_u16()).collect();
    e.push(
        ExtensionType::SUPPORTED_GROUPS,
        ext::encode_u16_list(&groups)?,
    );
    if !config.alpn_protocols.is_empty() {
        e.push(
            ExtensionType::ALPN,
            ext::encode_alpn(&config.alpn_protocols)?,
        );
    }
    let schemes: Vec<u16> = config
        .signature_schemes
        .iter()
        .map(|s| s.to_u16())
        .collect();
    e.push(
        ExtensionType::SIGNATURE_ALGORITHMS,
        ext::encode_u16_list(&schemes)?,
    );
    e.push(
        ExtensionType::SUPPORTED_VERSIONS,
        ext::encode_versions_client(&[ProtocolVersion::TLSV1_3.0])?,
    );
    if let Some(c) = cookie {
        e.push(ExtensionType::COOKIE, ext::encode_cookie(c)?);
    }
    // psk_dhe_ke: lets a server issue tickets (resumption itself comes later).
    e.push(
        ExtensionType::PSK_KEY_EXCHANGE_MODES,
        ext::encode_u8_list(&[1])?,
    );
    let entries: Vec<KeyShareEntry> = shares
        .iter()
        .map(|s| KeyShareEntry {
            group: s.group().to_u16(),
            payload: s.public().to_vec(),
        })
        .collect();
    e.push(ExtensionType::KEY_SHARE, ext::encode_key_shares(&entries)?);
    Ok(e)
}

/// Sends the ClientHello and returns the state that waits for the ServerHello.
pub fn start(cx: &mut Context<'_>, opts: &ClientOptions) -> Result<Box<dyn State>, TlsError> {
    let config = cx.config;
    if config.cipher_suites.is_empty() || config.groups.is_empty() {
        return Err(TlsError::local(
            Reason::NO_CIPHERS_AVAILABLE,
            "no cipher suites or groups configured",
        ));
    }
    let random: [u8; 32] = rand::array().map_err(random_err)?;
    let session_id = if config.middlebox_compat {
        rand::array::<32>().map_err(random_err)?.to_vec()
    } else {
        Vec::new()
    };
    let shares = initial_share_groups(&config.groups)
        .into_iter()
        .map(KeyShare::generate)
        .collect::<Result<Vec<_>, _>>()
        .map_err(random_err)?;
    // SNI carries host names only, never IP literals (RFC 6066 section 3).
    let sni = opts
        .sni
        .as_deref()
        .filter(|h| h.parse::<std::net::IpAddr>().is_err())
        .map(str::to_owned);
    let hello = ClientHello {
        legacy_version: ProtocolVersion::TLSV1_2.0,
        random,
        session_id,
        cipher_suites: config.cipher_suites.iter().map(|s| s.to_u16()).collect(),
        compression_methods: vec![0],
        extensions: hello_extensions(config, sni.as_deref(), &shares, None)?,
    };
    cx.info.client_random = random;
    cx.info.sni = sni.clone();
    let mut transcript = Transcript::Buffer(Vec::new());
    // OpenSSL sends the first ClientHello in a record versioned TLS 1.0 for old middleboxes.
    cx.out.plaintext_version = ProtocolVersion::TLSV1_0.0;
    let sent = cx.send(
        &HandshakeMessage::ClientHello(hello.clone()),
        &mut transcript,
    );
    cx.out.plaintext_version = ProtocolVersion::TLSV1_2.0;
    sent?;
    Ok(Box::new(ExpectServerHello {
        hello,
        sni,
        shares,
        transcript,
        hrr_suite: None,
        sent_ccs: false,
        verify_host: opts.verify_host.clone(),
    }))
}

struct ExpectServerHello {
    hello: ClientHello,
    sni: Option<String>,
    shares: Vec<KeyShare>,
    transcript: Transcript,
    /// Set once a HelloRetryRequest chose this suite.
    hrr_suite: Option<CipherSuite>,
    sent_ccs: bool,
    verify_host: Option<String>,
}

impl ExpectServerHello {
    fn offered(&self) -> Vec<ExtensionType> {
        self.hello.extensions.0.iter().map(|e| e.typ).collect()
    }

    /// Checks shared by ServerHello and HelloRetryRequest; returns the chosen suite.
    fn check_common(&self, sh: &ServerHello, hrr: bool) -> Result<CipherSuite, TlsError> {
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
            return Err(downgrade_or_old_version(sh));
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
        let mut offered = self.offered();
        if hrr {
            // RFC 8446 4.2.2: a server may send a cookie in HelloRetryRequest unasked.
            offered.push(ExtensionType::COOKIE);
        }
        check_server_extensions(&sh.extensions, &offered, allowed)?;
        if sh.session_id != self.hello.session_id {
            return Err(TlsError::illegal(
                Reason::INVALID_SESSION_ID,
                "session id not echoed",
            ));
        }
        let suite = match CipherSuite::from_u16(sh.cipher_suite) {
            Some(s) if self.hello.cipher_suites.contains(&sh.cipher_suite) => s,
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
        if let Some(hrr_suite) = self.hrr_suite {
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
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        sh: ServerHello,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        if self.hrr_suite.is_some() {
            return Err(TlsError::unexpected("second HelloRetryRequest"));
        }
        let suite = self.check_common(&sh, true)?;
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
                .filter(|g| !self.shares.iter().any(|s| s.group() == *g));
            let Some(g) = ok else {
                return Err(TlsError::illegal(
                    Reason::BAD_KEY_SHARE,
                    format!("HelloRetryRequest asks for group {code:#06x}"),
                ));
            };
            self.shares = vec![KeyShare::generate(g).map_err(random_err)?];
        }
        cx.info.hello_retry = true;
        self.transcript.rollup_for_hrr(suite.hash())?;
        self.transcript.add(raw);
        self.hrr_suite = Some(suite);
        self.hello.extensions = hello_extensions(
            cx.config,
            self.sni.as_deref(),
            &self.shares,
            cookie.as_deref(),
        )?;
        if cx.config.middlebox_compat && !self.sent_ccs {
            cx.send_ccs()?;
            self.sent_ccs = true;
        }
        let msg = HandshakeMessage::ClientHello(self.hello.clone());
        cx.send(&msg, &mut self.transcript)?;
        Ok(Next::Handshaking(self))
    }
}

/// A ServerHello without supported_versions negotiates TLS 1.2 or older, which this
/// client does not offer; a downgrade sentinel there means an active attack.
fn downgrade_or_old_version(sh: &ServerHello) -> TlsError {
    let tail = &sh.random[24..];
    if tail == DOWNGRADE_TLS12 || tail == DOWNGRADE_TLS11 {
        return TlsError::illegal(
            Reason::INAPPROPRIATE_FALLBACK,
            "downgrade sentinel in ServerHello.random",
        );
    }
    TlsError::fatal(
        AlertDescription::PROTOCOL_VERSION,
        Reason::UNSUPPORTED_PROTOCOL,
        format!(
            "server negotiated {:?}, only TLS 1.3 is enabled",
            ProtocolVersion(sh.legacy_version)
        ),
    )
}

impl State for ExpectServerHello {
    fn name(&self) -> &'static str {
        "TLSv1.3 read server hello"
    }

    fn handle(
        mut self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        let sh = expect!(msg, self, HandshakeMessage::ServerHello);
        if sh.random == HRR_RANDOM {
            return self.handle_hrr(cx, sh, raw);
        }
        let suite = self.check_common(&sh, false)?;
        if sh.extensions.contains(ExtensionType::PRE_SHARED_KEY) {
            return Err(TlsError::illegal(
                Reason::BAD_PSK,
                "server selected a PSK we did not offer",
            ));
        }
        let Some(share) = sh.extensions.get(ExtensionType::KEY_SHARE) else {
            return Err(TlsError::fatal(
                AlertDescription::MISSING_EXTENSION,
                Reason::BAD_KEY_SHARE,
                "ServerHello without key_share",
            ));
        };
        let entry = ext::decode_key_share_server(share)?;
        let Some(pos) = self
            .shares
            .iter()
            .position(|s| s.group().to_u16() == entry.group)
        else {
            return Err(TlsError::illegal(
                Reason::BAD_KEY_SHARE,
                "server share for a group we sent no share for",
            ));
        };
        let ours = self.shares.swap_remove(pos);
        let group = ours.group();
        let shared = ours
            .complete(&entry.payload)
            .map_err(|e| TlsError::illegal(Reason::BAD_KEY_SHARE, e.0))?;
        self.transcript.start_hash(suite.hash());
        self.transcript.add(raw);
        let secrets = HandshakeSecrets::derive(cx, suite, shared.as_bytes(), &self.transcript)?;
        cx.info.version = Some(ProtocolVersion::TLSV1_3);
        cx.info.suite = Some(suite);
        cx.info.group = Some(group);
        cx.info.server_random = sh.random;
        *cx.new_read = Some(secrets.cipher(&secrets.server_hs)?);
        // Our later flight (and any alert) goes under the client handshake key; the
        // compatibility CCS goes out first, in the clear.
        if cx.config.middlebox_compat && !self.sent_ccs {
            cx.send_ccs()?;
        }
        cx.out.prot = secrets.cipher(&secrets.client_hs)?;
        Ok(Next::Handshaking(Box::new(ExpectEncryptedExtensions {
            hs: Flight {
                secrets,
                transcript: self.transcript,
                offered: self.hello.extensions.0.iter().map(|e| e.typ).collect(),
                verify_host: self.verify_host,
                cert_request: None,
            },
        })))
    }
}

/// Carried through the server's encrypted flight.
struct Flight {
    secrets: HandshakeSecrets,
    transcript: Transcript,
    offered: Vec<ExtensionType>,
    verify_host: Option<String>,
    /// The server's CertificateRequest: (context, schemes it accepts).
    cert_request: Option<(Vec<u8>, Vec<u16>)>,
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
        if let Some(body) = exts.get(ExtensionType::ALPN) {
            let mut list = ext::decode_alpn(body)?;
            if list.len() != 1 || !cx.config.alpn_protocols.contains(&list[0]) {
                return Err(TlsError::illegal(
                    Reason::BAD_EXTENSION,
                    "server selected an ALPN protocol we did not offer",
                ));
            }
            cx.info.alpn = list.pop();
        }
        self.hs.transcript.add(raw);
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
                check_duplicates(&cr.extensions)?;
                let Some(body) = cr.extensions.get(ExtensionType::SIGNATURE_ALGORITHMS) else {
                    return Err(TlsError::fatal(
                        AlertDescription::MISSING_EXTENSION,
                        Reason::MISSING_SIGALGS_EXTENSION,
                        "CertificateRequest without signature_algorithms",
                    ));
                };
                let schemes = ext::decode_u16_list(body)?;
                self.hs.transcript.add(raw);
                self.hs.cert_request = Some((cr.context, schemes));
                Ok(Next::Handshaking(self))
            }
            HandshakeMessage::Certificate(cert) => {
                let chain = check_certificate_message(&cert)?;
                let now = cx.config.time.now();
                let result = x509::verify_server_chain(
                    &cx.config.trust,
                    &chain,
                    self.hs.verify_host.as_deref(),
                    now,
                );
                record_verify_result(cx, result)?;
                cx.info.peer_chain = chain;
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
        hs.transcript.add(raw);
        let app: ApplicationSecrets = hs.secrets.clone().application_secrets(cx, &hs.transcript)?;
        *cx.new_read = Some(app.cipher(&app.server)?);
        if let Some((context, schemes)) = hs.cert_request.take() {
            send_client_certificate(cx, hs, context, &schemes)?;
        }
        let fin = hs.secrets.finished(&hs.secrets.client_hs, &hs.transcript)?;
        cx.send(&fin, &mut hs.transcript)?;
        cx.out.prot = app.cipher(&app.client)?;
        Ok(Next::Connected(Box::new(Traffic::new(app, true))))
    }
}

/// Answers a CertificateRequest: our chain and a CertificateVerify if we have a key whose
/// scheme the server accepts, otherwise an empty Certificate.
fn send_client_certificate(
    cx: &mut Context<'_>,
    hs: &mut Flight,
    context: Vec<u8>,
    accepted: &[u16],
) -> Result<(), TlsError> {
    let chosen = cx.config.certified_key.as_ref().and_then(|ck| {
        ck.key
            .schemes(true)
            .into_iter()
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
    cx.send(&cert, &mut hs.transcript)?;
    if let Some((ck, scheme)) = chosen {
        send_certificate_verify(cx, &mut hs.transcript, &ck.key, scheme, false)?;
    }
    Ok(())
}
