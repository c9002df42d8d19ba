//! The version-neutral handshake layer: the state trait and [`Next`], the transcript, the
//! [`Context`] a state works in, the first client and server states (ClientHello building,
//! ServerHello / ClientHello version dispatch) and the checks both versions share.
//!
//! Each state consumes one handshake message and returns the next state. States send
//! their own flights through a [`Context`]; a read-key change is handed back to the
//! connection, which installs it only on a record boundary. The client decides the
//! version from the ServerHello and hands over to [`crate::tls13`] or [`crate::tls12`];
//! the server decides it from the ClientHello.

/// Takes the expected variant out of a handshake message, or returns the
/// unexpected_message error naming the current state.
macro_rules! expect {
    ($msg:expr, $state:expr, $variant:path) => {
        match $msg {
            $variant(inner) => inner,
            other => return Err($crate::handshake::unexpected($state.name(), &other)),
        }
    };
}

pub mod client;
pub mod peer_auth;
pub mod server;

use crate::config::Config;
use crate::crypto::hash::{Hash, HashAlgorithm, Output};
use crate::error::TlsError;
use crate::msgs::enums::{AlertDescription, ContentType, ExtensionType, HandshakeType};
use crate::msgs::extensions::Extensions;
use crate::msgs::handshake::HandshakeMessage;
use crate::negotiated::Negotiated;
use crate::reason::Reason;
use crate::record::protect::Protection;
use crate::record::writer::RecordWriter;
use crate::record::MAX_PLAINTEXT;

/// What a state may touch while handling a message.
pub struct Context<'a> {
    /// The shared configuration.
    pub config: &'a Config,
    /// Outgoing records.
    pub out: &'a mut RecordWriter,
    /// A new read protection, installed by the connection after this message.
    pub new_read: &'a mut Option<Protection>,
    /// The negotiated parameters, filled in as they are settled.
    pub info: &'a mut Negotiated,
    /// The peer identity this handshake was offered, held until the peer's Finished
    /// verifies ([`peer_auth`]).
    pub peer: &'a mut peer_auth::PendingPeer,
    /// Host name to check the server certificate against (client only).
    pub verify_host: Option<&'a str>,
    /// Sessions made by this handshake or its tickets, for the connection to hand out.
    pub new_sessions: &'a mut Vec<std::sync::Arc<crate::session::Session>>,
    /// A change to how the reader skips the client's early data (server), applied by the
    /// connection after this message.
    pub early_skip: &'a mut Option<crate::record::reader::SkipEarly>,
    /// Server: the application reads early data (`SSL_read_early_data`), so it may be
    /// accepted.
    pub accept_early_data: bool,
    /// Server: what the application decided about the ClientHello, when it was asked.
    pub hello: Option<&'a HelloDecision>,
    /// Key log lines for the connection's caller ([`Config::keylog_lines`]).
    pub keylog_lines: &'a mut Vec<String>,
}

/// The application's answers about a ClientHello it was shown (the servername and ALPN
/// select callbacks, [`crate::config::Config::pause_on_client_hello`]); the server's
/// handshake follows them, also for a second ClientHello after a HelloRetryRequest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelloDecision {
    /// Acknowledge the client's server_name with an empty one (`SSL_TLSEXT_ERR_OK`);
    /// false for `SSL_TLSEXT_ERR_NOACK`.
    pub ack_server_name: bool,
    /// TLS 1.2: send this alert as a warning before the ServerHello
    /// (`SSL_TLSEXT_ERR_ALERT_WARNING`; TLS 1.3 has no warning alerts).
    pub warning_alert: Option<AlertDescription>,
    /// The ALPN answer: `None` follows the configured list; `Some(None)` answers without
    /// ALPN; `Some(Some(p))` selects `p`.
    pub alpn: Option<Option<Vec<u8>>>,
}

impl Default for HelloDecision {
    fn default() -> Self {
        HelloDecision {
            ack_server_name: true,
            warning_alert: None,
            alpn: None,
        }
    }
}

/// What the application is shown of a ClientHello before the server answers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHelloInfo {
    /// The host name in server_name, if any.
    pub server_name: Option<String>,
    /// The ALPN protocols offered, in wire format (length-prefixed), if the extension was
    /// sent.
    pub alpn: Option<Vec<u8>>,
    /// The protocol version the server chose.
    pub version: crate::msgs::enums::ProtocolVersion,
}

impl Context<'_> {
    /// Sends a handshake message and adds it to the transcript.
    pub fn send(
        &mut self,
        msg: &HandshakeMessage,
        transcript: &mut Transcript,
    ) -> Result<(), TlsError> {
        self.send_encoded(&msg.encode()?, transcript)
    }

    /// Sends an encoded handshake message (`raw`, with its header) and adds it to the
    /// transcript.
    pub fn send_encoded(
        &mut self,
        raw: &[u8],
        transcript: &mut Transcript,
    ) -> Result<(), TlsError> {
        transcript.add(raw);
        self.out.send(ContentType::HANDSHAKE, raw, MAX_PLAINTEXT)
    }

    /// Seconds since the Unix epoch, from the configured clock.
    pub fn now(&self) -> u64 {
        self.config.time.now_secs()
    }

    /// A session with what this handshake settled (server name, ALPN, the peer's
    /// certificate and its verification, published once the peer's Finished verified: make
    /// sessions after that), made now; the caller adds the secret, id and ticket.
    pub fn session(
        &self,
        version: crate::msgs::enums::ProtocolVersion,
        suite: crate::suites::CipherSuite,
    ) -> crate::session::Session {
        crate::session::Session {
            version,
            suite,
            id: Vec::new(),
            secret: Default::default(),
            ems: false,
            time: self.now(),
            timeout: self.config.resumption.timeout,
            ticket: Vec::new(),
            age_add: 0,
            max_early_data: 0,
            sni: self.info.sni.clone(),
            alpn: self.info.alpn.clone(),
            sid_ctx: self.config.resumption.sid_ctx.clone(),
            peer_cert: self.info.peer_chain.first().cloned(),
            verify_result: self.info.verify_result,
        }
    }

    /// Records a new session: the connection's current one, and handed to the caller.
    pub fn new_session(&mut self, s: crate::session::Session) {
        let s = std::sync::Arc::new(s);
        self.info.session = Some(s.clone());
        self.new_sessions.push(s);
    }

    /// Sends the middlebox-compatibility change_cipher_spec record.
    pub fn send_ccs(&mut self) -> Result<(), TlsError> {
        self.out
            .send(ContentType::CHANGE_CIPHER_SPEC, &[1], MAX_PLAINTEXT)
    }

    /// Reports a secret to the key log, if one is configured.
    pub fn keylog(&mut self, label: &str, secret: &Output) {
        self.keylog_bytes(label, secret.as_bytes());
    }

    /// [`Context::keylog`] for a secret held as bytes (the TLS 1.2 master secret).
    pub fn keylog_bytes(&mut self, label: &str, secret: &[u8]) {
        let random = self.info.client_random;
        if let Some(log) = &self.config.keylog {
            log.log(label, &random, secret);
        }
        if self.config.keylog_lines {
            self.keylog_lines
                .push(crate::conn::keylog::format_line(label, &random, secret));
        }
    }
}

/// The handshake transcript: raw messages until the hash is known, then a running hash.
#[derive(Clone)]
pub enum Transcript {
    /// Before the cipher suite (and so the hash) is chosen.
    Buffer(Vec<u8>),
    /// Running hash of everything so far.
    Hash(Hash),
}

impl Transcript {
    /// Adds a message (with its 4-byte header).
    pub fn add(&mut self, raw: &[u8]) {
        match self {
            Transcript::Buffer(b) => b.extend_from_slice(raw),
            Transcript::Hash(h) => h.update(raw),
        }
    }

    /// Switches to hashing with `alg`, feeding in what was buffered.
    pub fn start_hash(&mut self, alg: HashAlgorithm) {
        if let Transcript::Buffer(b) = self {
            let mut h = Hash::new(alg);
            h.update(b);
            *self = Transcript::Hash(h);
        }
    }

    /// Replaces the transcript so far with a synthetic message_hash message, as a
    /// HelloRetryRequest requires (RFC 8446 4.4.1).
    pub fn rollup_for_hrr(&mut self, alg: HashAlgorithm) -> Result<(), TlsError> {
        self.start_hash(alg);
        let digest = self.current()?;
        let mut h = Hash::new(alg);
        h.update(&[HandshakeType::MESSAGE_HASH.0, 0, 0, digest.len() as u8]);
        h.update(digest.as_bytes());
        *self = Transcript::Hash(h);
        Ok(())
    }

    /// The hash with `alg` of a buffered transcript (TLS 1.2 keeps the messages until the
    /// last signature over them, whose hash may differ from the PRF's), or of a running
    /// hash of that algorithm.
    pub fn digest_with(&self, alg: HashAlgorithm) -> Result<Output, TlsError> {
        match self {
            Transcript::Buffer(b) => Ok(crate::crypto::hash::digest(alg, b)),
            Transcript::Hash(h) if h.algorithm() == alg => Ok(h.current()),
            Transcript::Hash(_) => Err(TlsError::internal(
                "transcript hashed with another algorithm",
            )),
        }
    }

    /// The buffered messages (TLS 1.2 CertificateVerify signs them), if still kept.
    pub fn buffered(&self) -> Option<&[u8]> {
        match self {
            Transcript::Buffer(b) => Some(b),
            Transcript::Hash(_) => None,
        }
    }

    /// The hash of the transcript so far. Fails (internal_error) if the hash was not
    /// started, rather than guessing an algorithm.
    pub fn current(&self) -> Result<Output, TlsError> {
        match self {
            Transcript::Hash(h) => Ok(h.current()),
            Transcript::Buffer(_) => Err(TlsError::internal("transcript hash not started")),
        }
    }
}

/// A failure of the random generator (or another primitive) is an internal error.
pub(crate) fn random_err(e: crate::crypto::CryptoError) -> TlsError {
    TlsError::internal(e.0)
}

/// The outcome of handling one message.
pub enum Next {
    /// The handshake goes on in this state.
    Handshaking(Box<dyn State>),
    /// The handshake is complete; post-handshake traffic starts.
    Connected(Traffic),
}

/// The post-handshake state of the negotiated version.
pub enum Traffic {
    /// TLS 1.3: KeyUpdate, NewSessionTicket.
    Tls13(Box<crate::tls13::traffic::Traffic>),
    /// TLS 1.2: renegotiation.
    Tls12(Box<crate::tls12::traffic::Traffic>),
}

impl Traffic {
    /// An application data record arrived: refused in the middle of a TLS 1.3 client's
    /// post-handshake authentication; otherwise, unless `empty`, the peer is making
    /// progress, so the flood counters reset.
    pub fn application_data(&mut self, empty: bool) -> Result<(), TlsError> {
        match self {
            Traffic::Tls13(t) => t.application_data(empty),
            Traffic::Tls12(t) if !empty => {
                t.saw_application_data();
                Ok(())
            }
            Traffic::Tls12(_) => Ok(()),
        }
    }
}

/// A handshake state.
pub trait State: Send + Sync {
    /// Handles one handshake message (`raw` is its encoding, for the transcript).
    fn handle(
        self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError>;

    /// A short name for diagnostics (`SSL_state_string_long`-like).
    fn name(&self) -> &'static str;

    /// Handles a TLS 1.2 change_cipher_spec (TLS 1.3's compatibility CCS never gets
    /// here). Only the states that expect one accept it.
    fn handle_ccs(self: Box<Self>, _cx: &mut Context<'_>) -> Result<Next, TlsError> {
        Err(
            TlsError::unexpected(format!("change_cipher_spec in state {}", self.name()))
                .with_reason(Reason::UNEXPECTED_CCS_MESSAGE),
        )
    }

    /// A server state holding a ClientHello for the application to decide on: what it is
    /// shown ([`Next`] stays this state until [`State::resume`]).
    fn client_hello_info(&self) -> Option<ClientHelloInfo> {
        None
    }

    /// Goes on with the held ClientHello once the application decided (`cx.hello`).
    fn resume(self: Box<Self>, _cx: &mut Context<'_>) -> Result<Next, TlsError> {
        Err(TlsError::internal(format!(
            "nothing to resume in state {}",
            self.name()
        )))
    }

    /// True while application data may still arrive during a renegotiation (OpenSSL's
    /// window: a client before the new ServerHello, a server before sending its own).
    fn accepts_app_data(&self) -> bool {
        false
    }

    /// Server: the early data still acceptable (application data under the early key,
    /// before EndOfEarlyData); 0 outside that window.
    fn early_data_window(&self) -> bool {
        false
    }
}

/// The error for a message that is not allowed in the current state.
pub fn unexpected(state: &str, msg: &HandshakeMessage) -> TlsError {
    TlsError::unexpected(format!("{:?} in state {state}", msg.typ()))
}

/// Rejects a duplicated extension (illegal_parameter, as OpenSSL does).
pub fn check_duplicates(exts: &Extensions) -> Result<(), TlsError> {
    match exts.duplicate() {
        Some(t) => Err(TlsError::illegal(
            Reason::BAD_EXTENSION,
            format!("duplicate extension {t:?}"),
        )),
        None => Ok(()),
    }
}

/// Checks the extensions of a server's message against what the client offered
/// (`offered`) and what this message may carry (`allowed`): unsolicited ones get
/// unsupported_extension, offered-but-misplaced ones illegal_parameter.
pub fn check_server_extensions(
    exts: &Extensions,
    offered: &[ExtensionType],
    allowed: &[ExtensionType],
) -> Result<(), TlsError> {
    check_duplicates(exts)?;
    for e in &exts.0 {
        if !offered.contains(&e.typ) {
            return Err(TlsError::fatal(
                AlertDescription::UNSUPPORTED_EXTENSION,
                Reason::UNSOLICITED_EXTENSION,
                format!("unsolicited extension {:?}", e.typ),
            ));
        }
        if !allowed.contains(&e.typ) {
            return Err(TlsError::illegal(
                Reason::BAD_EXTENSION,
                format!("extension {:?} not allowed here", e.typ),
            ));
        }
    }
    Ok(())
}

/// The server's ALPN choice: the application's, when it was asked; else the first of its
/// protocols the client offers (none in common: the handshake goes on without ALPN, as
/// OpenSSL does).
pub fn select_alpn(
    config: &Config,
    hello: Option<&HelloDecision>,
    exts: &Extensions,
) -> Result<Option<Vec<u8>>, TlsError> {
    let Some(body) = exts.get(ExtensionType::ALPN) else {
        return Ok(None);
    };
    let offered = crate::msgs::extensions::decode_alpn(body)?;
    if let Some(choice) = hello.and_then(|d| d.alpn.as_ref()) {
        return Ok(choice.clone());
    }
    Ok(config
        .alpn_protocols
        .iter()
        .find(|p| offered.contains(p))
        .cloned())
}

/// The host name a client sent in server_name, if any.
pub fn client_sni(exts: &Extensions) -> Result<Option<String>, TlsError> {
    Ok(exts
        .get(ExtensionType::SERVER_NAME)
        .map(crate::msgs::extensions::decode_server_name)
        .transpose()?
        .flatten())
}

/// Checks the server's ALPN answer (exactly one protocol, one we offered) and records it.
pub fn accept_server_alpn(cx: &mut Context<'_>, exts: &Extensions) -> Result<(), TlsError> {
    cx.info.alpn = None;
    if let Some(body) = exts.get(ExtensionType::ALPN) {
        let mut list = crate::msgs::extensions::decode_alpn(body)?;
        if list.len() != 1 || !cx.config.alpn_protocols.contains(&list[0]) {
            return Err(TlsError::illegal(
                Reason::BAD_EXTENSION,
                "server selected an ALPN protocol we did not offer",
            ));
        }
        cx.info.alpn = list.pop();
    }
    Ok(())
}
