//! The client's first flight for both versions, and the ServerHello that decides which
//! version's state machine takes over.

use super::{check_duplicates, Context, Next, State, Transcript};
use crate::config::Config;
use crate::crypto::kx::{KeyShare, KxGroup};
use crate::crypto::rand;
use crate::error::TlsError;
use crate::msgs::enums::{
    AlertDescription, ExtensionType, ProtocolVersion, DOWNGRADE_TLS11, DOWNGRADE_TLS12,
};
use crate::msgs::extensions::{self as ext, Extensions, KeyShareEntry};
use crate::msgs::handshake::{ClientHello, HandshakeMessage, ServerHello};
use crate::reason::Reason;
use crate::session::Session;
use crate::suites::CipherSuite;
use std::sync::Arc;

/// Per-connection client settings.
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// Server name sent in SNI (not sent for IP literals).
    pub sni: Option<String>,
    /// Host name the server certificate must match (`SSL_set1_host`). Checked only: a
    /// mismatch is enforced only when [`crate::config::Config::verify`] verifies the peer;
    /// with the default mode (NONE, as OpenSSL) any certificate is accepted and the
    /// mismatch only shows in the verify result.
    pub verify_host: Option<String>,
    /// A session to resume (`SSL_set_session`), offered if it still fits.
    pub session: Option<std::sync::Arc<crate::session::Session>>,
    /// Offer early data (0-RTT) when the session's ticket allows it
    /// (`SSL_write_early_data`).
    pub early_data: bool,
}

/// What a renegotiating client proves (RFC 5746): the previous handshake's verify_data.
#[derive(Clone, Debug)]
pub struct Renegotiating {
    /// Our Finished verify_data from the previous handshake.
    pub client_verify_data: Vec<u8>,
    /// The server's Finished verify_data from the previous handshake.
    pub server_verify_data: Vec<u8>,
    /// Whether the previous handshake used the extended master secret.
    pub ems: bool,
    /// Server: this renegotiation may resume the client's session (one the client started,
    /// or one the server asked for with `renegotiate_abbreviated`; a full `renegotiate`
    /// means a new session, so that a certificate asked for now is really sent).
    pub resume: bool,
}

pub(crate) use super::random_err;

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

/// The state of a sent ClientHello: what the ServerHello is checked against, and what
/// the chosen version's state machine continues from.
pub struct HelloSent {
    /// The ClientHello as sent (the second one after a HelloRetryRequest).
    pub hello: ClientHello,
    /// The server name sent, if any.
    pub sni: Option<String>,
    /// Our TLS 1.3 key shares.
    pub shares: Vec<KeyShare>,
    /// The transcript so far.
    pub transcript: Transcript,
    /// Set once a HelloRetryRequest chose this suite.
    pub hrr_suite: Option<CipherSuite>,
    /// True once we sent the compatibility CCS.
    pub sent_ccs: bool,
    /// Host name the certificate must match.
    pub verify_host: Option<String>,
    /// TLS 1.3 was offered.
    pub offered_tls13: bool,
    /// TLS 1.2 was offered.
    pub offered_tls12: bool,
    /// Set when this hello renegotiates.
    pub renegotiating: Option<Renegotiating>,
    /// The session offered for resumption: a TLS 1.3 one as a PSK, a TLS 1.2 one by its
    /// session id and ticket.
    pub session: Option<Arc<Session>>,
    /// Early data is offered with the PSK (until a HelloRetryRequest).
    pub early: bool,
}

impl HelloSent {
    /// The extension types we offered.
    pub fn offered(&self) -> Vec<ExtensionType> {
        self.hello.extensions.0.iter().map(|e| e.typ).collect()
    }

    /// Rebuilds the extensions (after a HelloRetryRequest: new shares, a cookie).
    pub fn rebuild_extensions(
        &mut self,
        config: &Config,
        cookie: Option<&[u8]>,
        now: u64,
    ) -> Result<(), TlsError> {
        self.hello.extensions = hello_extensions(config, self, cookie, now)?;
        Ok(())
    }

    /// The TLS 1.3 session offered as a PSK, if any.
    pub fn psk(&self) -> Option<&Session> {
        self.session
            .as_deref()
            .filter(|s| s.version == ProtocolVersion::TLSV1_3)
    }

    /// The TLS 1.2 session offered, if any.
    pub fn tls12_session(&self) -> Option<&Session> {
        self.session
            .as_deref()
            .filter(|s| s.version == ProtocolVersion::TLSV1_2)
    }

    /// Sends the ClientHello as it stands, with its PSK binder filled in.
    pub fn send(&mut self, cx: &mut Context<'_>) -> Result<(), TlsError> {
        let mut raw = HandshakeMessage::ClientHello(self.hello.clone()).encode()?;
        if let Some(s) = self.psk() {
            crate::tls13::resumption::fill_binder(&mut raw, s, &self.transcript)?;
        }
        cx.send_encoded(&raw, &mut self.transcript)
    }
}

/// The session the client offers: one that fits the versions and suites it offers.
fn session_to_offer(
    cx: &Context<'_>,
    opts: &ClientOptions,
    offered_tls13: bool,
    offered_tls12: bool,
) -> Option<Arc<Session>> {
    let s = opts.session.clone()?;
    let fits = match s.version {
        ProtocolVersion::TLSV1_3 => offered_tls13 && crate::tls13::resumption::offerable(cx, &s),
        ProtocolVersion::TLSV1_2 => {
            offered_tls12
                && s.is_resumable()
                && !s.is_expired(cx.now())
                && cx.config.tls12_cipher_suites.contains(&s.suite)
                && (!s.ticket.is_empty() || !s.id.is_empty())
        }
        _ => false,
    };
    fits.then_some(s)
}

/// The ClientHello extensions, in the order OpenSSL sends them.
fn hello_extensions(
    config: &Config,
    h: &HelloSent,
    cookie: Option<&[u8]>,
    now: u64,
) -> Result<Extensions, TlsError> {
    let mut e = Extensions::default();
    if h.offered_tls12 {
        // RFC 5746: an empty renegotiated_connection announces support; a renegotiating
        // hello proves the previous handshake with its client verify_data.
        let prev = h
            .renegotiating
            .as_ref()
            .map_or(&[][..], |r| &r.client_verify_data[..]);
        e.push(
            ExtensionType::RENEGOTIATION_INFO,
            ext::encode_u8_list(prev)?,
        );
    }
    if let Some(host) = h.sni.as_deref() {
        e.push(ExtensionType::SERVER_NAME, ext::encode_server_name(host)?);
    }
    if h.offered_tls12 {
        e.push(ExtensionType::EC_POINT_FORMATS, ext::encode_u8_list(&[0])?);
    }
    let groups: Vec<u16> = config
        .groups
        .iter()
        .filter(|g| h.offered_tls13 || !g.is_hybrid())
        .map(|g| g.to_u16())
        .collect();
    e.push(
        ExtensionType::SUPPORTED_GROUPS,
        ext::encode_u16_list(&groups)?,
    );
    if h.offered_tls12 && config.resumption.tickets {
        // RFC 5077: an empty ticket asks for one.
        let ticket = h.tls12_session().map_or(Vec::new(), |s| s.ticket.clone());
        e.push(ExtensionType::SESSION_TICKET, ticket);
    }
    if !config.alpn_protocols.is_empty() {
        e.push(
            ExtensionType::ALPN,
            ext::encode_alpn(&config.alpn_protocols)?,
        );
    }
    if h.offered_tls12 {
        e.push(ExtensionType::EXTENDED_MASTER_SECRET, Vec::new());
    }
    if h.offered_tls13 && config.post_handshake_auth {
        e.push(ExtensionType::POST_HANDSHAKE_AUTH, Vec::new());
    }
    let schemes: Vec<u16> = config
        .signature_schemes
        .iter()
        .filter(|s| h.offered_tls12 || s.usable_in_tls13())
        .map(|s| s.to_u16())
        .collect();
    e.push(
        ExtensionType::SIGNATURE_ALGORITHMS,
        ext::encode_u16_list(&schemes)?,
    );
    if h.offered_tls13 {
        let mut versions = vec![ProtocolVersion::TLSV1_3.0];
        if h.offered_tls12 {
            versions.push(ProtocolVersion::TLSV1_2.0);
        }
        e.push(
            ExtensionType::SUPPORTED_VERSIONS,
            ext::encode_versions_client(&versions)?,
        );
        if let Some(c) = cookie {
            e.push(ExtensionType::COOKIE, ext::encode_cookie(c)?);
        }
        // psk_dhe_ke: lets a server issue tickets (resumption itself comes later).
        e.push(
            ExtensionType::PSK_KEY_EXCHANGE_MODES,
            ext::encode_u8_list(&[crate::tls13::resumption::PSK_DHE_KE])?,
        );
        let entries: Vec<KeyShareEntry> = h
            .shares
            .iter()
            .map(|s| KeyShareEntry {
                group: s.group().to_u16(),
                payload: s.public().to_vec(),
            })
            .collect();
        e.push(ExtensionType::KEY_SHARE, ext::encode_key_shares(&entries)?);
        if h.early && h.psk().is_some() {
            e.push(ExtensionType::EARLY_DATA, Vec::new());
        }
        if let Some(s) = h.psk() {
            // Always the last extension (RFC 8446 4.2.11).
            e.push(
                ExtensionType::PRE_SHARED_KEY,
                crate::tls13::resumption::psk_extension(s, now)?,
            );
        }
    }
    Ok(e)
}

/// Sends the ClientHello and returns the state that waits for the ServerHello. A
/// renegotiating hello offers TLS 1.2 only.
pub fn start(
    cx: &mut Context<'_>,
    opts: &ClientOptions,
    renegotiating: Option<Renegotiating>,
) -> Result<Box<dyn State>, TlsError> {
    let config = cx.config;
    let offered_tls13 = renegotiating.is_none() && config.allows(ProtocolVersion::TLSV1_3);
    let offered_tls12 = config.allows(ProtocolVersion::TLSV1_2);
    let mut suites: Vec<u16> = Vec::new();
    if offered_tls13 {
        suites.extend(config.cipher_suites.iter().map(|s| s.to_u16()));
    }
    if offered_tls12 {
        suites.extend(config.tls12_cipher_suites.iter().map(|s| s.to_u16()));
    }
    let classical = config.groups.iter().any(|g| !g.is_hybrid());
    if suites.is_empty() || config.groups.is_empty() || (!offered_tls13 && !classical) {
        return Err(TlsError::local(
            Reason::NO_CIPHERS_AVAILABLE,
            "no cipher suites or groups configured for the enabled versions",
        ));
    }
    let random: [u8; 32] = rand::array().map_err(random_err)?;
    let session = session_to_offer(cx, opts, offered_tls13, offered_tls12);
    let resumed_id = session
        .as_ref()
        .filter(|s| s.version == ProtocolVersion::TLSV1_2)
        .map(|s| s.id.clone());
    let session_id = if let Some(id) = resumed_id.as_ref().filter(|id| !id.is_empty()) {
        id.clone()
    } else if resumed_id.is_some() || (config.middlebox_compat && offered_tls13) {
        // A ticket-only TLS 1.2 session gets a random id, so that the server's echo
        // tells the resumption (RFC 5077 3.4), as OpenSSL does.
        rand::array::<32>().map_err(random_err)?.to_vec()
    } else {
        Vec::new()
    };
    let shares = if offered_tls13 {
        initial_share_groups(&config.groups)
            .into_iter()
            .map(KeyShare::generate)
            .collect::<Result<Vec<_>, _>>()
            .map_err(random_err)?
    } else {
        Vec::new()
    };
    // SNI carries host names only, never IP literals (RFC 6066 section 3).
    let sni = opts
        .sni
        .as_deref()
        .filter(|h| h.parse::<std::net::IpAddr>().is_err())
        .map(str::to_owned);
    let mut sent = HelloSent {
        hello: ClientHello {
            legacy_version: ProtocolVersion::TLSV1_2.0,
            random,
            session_id,
            cipher_suites: suites,
            compression_methods: vec![0],
            extensions: Extensions::default(),
        },
        sni,
        shares,
        transcript: Transcript::Buffer(Vec::new()),
        hrr_suite: None,
        sent_ccs: false,
        verify_host: opts.verify_host.clone(),
        offered_tls13,
        offered_tls12,
        early: false,
        renegotiating,
        session,
    };
    sent.early = opts.early_data && crate::tls13::resumption::early_data_possible(cx, &sent);
    sent.rebuild_extensions(config, None, cx.now())?;
    cx.info.client_random = random;
    cx.info.sni = sent.sni.clone();
    // OpenSSL sends the first ClientHello in a record versioned TLS 1.0 for old
    // middleboxes (a renegotiation's is protected and versioned 1.2).
    let first = sent.renegotiating.is_none();
    if first {
        cx.out.plaintext_version = ProtocolVersion::TLSV1_0.0;
    }
    let r = sent.send(cx);
    cx.out.plaintext_version = ProtocolVersion::TLSV1_2.0;
    r?;
    if sent.early {
        crate::tls13::resumption::start_early_data(cx, &mut sent)?;
    }
    Ok(Box::new(ExpectServerHello(sent)))
}

/// Waits for the ServerHello (or HelloRetryRequest) and hands over to the version it picks.
pub struct ExpectServerHello(pub HelloSent);

impl State for ExpectServerHello {
    fn name(&self) -> &'static str {
        "SSLv3/TLS read server hello"
    }

    fn handle(
        self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        let sh = expect!(msg, self, HandshakeMessage::ServerHello);
        check_duplicates(&sh.extensions)?;
        let sent = self.0;
        if sh.extensions.contains(ExtensionType::SUPPORTED_VERSIONS) && sent.offered_tls13 {
            return crate::tls13::client::server_hello(cx, sent, sh, raw);
        }
        if sh.extensions.contains(ExtensionType::SUPPORTED_VERSIONS) {
            return Err(TlsError::illegal(
                Reason::UNSUPPORTED_PROTOCOL,
                "supported_versions in a ServerHello to a TLS 1.2 ClientHello",
            ));
        }
        check_tls12_server_version(&sent, &sh)?;
        crate::tls13::client::reject_if_hrr(&sh)?;
        crate::tls12::client::server_hello(cx, sent, sh, raw)
    }

    fn accepts_app_data(&self) -> bool {
        // A renegotiating client still takes data sent before the new ServerHello.
        self.0.renegotiating.is_some()
    }
}

/// A ServerHello without supported_versions negotiates TLS 1.2 or older. Refuses what we
/// did not offer, and a downgrade sentinel when we offered TLS 1.3 (RFC 8446 4.1.3).
fn check_tls12_server_version(sent: &HelloSent, sh: &ServerHello) -> Result<(), TlsError> {
    let tail = &sh.random[24..];
    let sentinel = tail == DOWNGRADE_TLS12 || tail == DOWNGRADE_TLS11;
    if sent.offered_tls13 && sentinel {
        return Err(TlsError::illegal(
            Reason::INAPPROPRIATE_FALLBACK,
            "downgrade sentinel in ServerHello.random",
        ));
    }
    if sh.legacy_version != ProtocolVersion::TLSV1_2.0 || !sent.offered_tls12 {
        return Err(TlsError::fatal(
            AlertDescription::PROTOCOL_VERSION,
            Reason::UNSUPPORTED_PROTOCOL,
            format!(
                "server negotiated {:?}, which is not enabled",
                ProtocolVersion(sh.legacy_version)
            ),
        ));
    }
    Ok(())
}
