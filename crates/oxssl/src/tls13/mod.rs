//! TLS 1.3 handshake state machines (RFC 8446), client and server, and the post-handshake
//! traffic state (KeyUpdate, NewSessionTicket).
//!
//! Each state consumes one handshake message and returns the next state. States send
//! their own flights through a [`Context`]; a read-key change is handed back to the
//! connection, which installs it only on a record boundary.

/// Takes the expected variant out of a handshake message, or returns the
/// unexpected_message error naming the current state.
macro_rules! expect {
    ($msg:expr, $state:expr, $variant:path) => {
        match $msg {
            $variant(inner) => inner,
            other => return Err($crate::tls13::unexpected($state.name(), &other)),
        }
    };
}

pub mod client;
pub mod key_schedule;
pub mod peer_auth;
pub mod server;
pub mod traffic;

use crate::config::Config;
use crate::crypto::hash::{Hash, HashAlgorithm, Output};
use crate::crypto::sign::SignatureScheme;
use crate::error::TlsError;
use crate::msgs::enums::{AlertDescription, ContentType, ExtensionType, HandshakeType};
use crate::msgs::extensions::Extensions;
use crate::msgs::handshake::HandshakeMessage;
use crate::negotiated::Negotiated;
use crate::reason::Reason;
use crate::record::protect::Protection;
use crate::record::writer::RecordWriter;
use crate::record::MAX_PLAINTEXT;
use crate::suites::CipherSuite;

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
    /// Host name to check the server certificate against (client only).
    pub verify_host: Option<&'a str>,
}

impl Context<'_> {
    /// Sends a handshake message and adds it to the transcript.
    pub fn send(
        &mut self,
        msg: &HandshakeMessage,
        transcript: &mut Transcript,
    ) -> Result<(), TlsError> {
        let raw = msg.encode()?;
        transcript.add(&raw);
        self.out.send(ContentType::HANDSHAKE, &raw, MAX_PLAINTEXT)
    }

    /// Sends the middlebox-compatibility change_cipher_spec record.
    pub fn send_ccs(&mut self) -> Result<(), TlsError> {
        self.out
            .send(ContentType::CHANGE_CIPHER_SPEC, &[1], MAX_PLAINTEXT)
    }

    /// Reports a secret to the key log, if one is configured.
    pub fn keylog(&self, label: &str, secret: &Output) {
        if let Some(log) = &self.config.keylog {
            log.log(label, &self.info.client_random, secret.as_bytes());
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

    /// The hash of the transcript so far. Fails (internal_error) if the hash was not
    /// started, rather than guessing an algorithm.
    pub fn current(&self) -> Result<Output, TlsError> {
        match self {
            Transcript::Hash(h) => Ok(h.current()),
            Transcript::Buffer(_) => Err(TlsError::internal("transcript hash not started")),
        }
    }
}

/// The outcome of handling one message.
pub enum Next {
    /// The handshake goes on in this state.
    Handshaking(Box<dyn State>),
    /// The handshake is complete; post-handshake traffic starts.
    Connected(Box<traffic::Traffic>),
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

/// The content signed by CertificateVerify (RFC 8446 4.4.3).
pub fn certificate_verify_message(server: bool, transcript_hash: &[u8]) -> Vec<u8> {
    let context: &[u8] = if server {
        b"TLS 1.3, server CertificateVerify"
    } else {
        b"TLS 1.3, client CertificateVerify"
    };
    let mut m = vec![0x20u8; 64];
    m.extend_from_slice(context);
    m.push(0);
    m.extend_from_slice(transcript_hash);
    m
}

/// Decodes a signature scheme the peer used, requiring that we offered it and that TLS 1.3
/// allows it.
pub fn peer_scheme(config: &Config, code: u16) -> Result<SignatureScheme, TlsError> {
    match SignatureScheme::from_u16(code) {
        Some(s) if s.usable_in_tls13() && config.signature_schemes.contains(&s) => Ok(s),
        _ => Err(TlsError::illegal(
            Reason::WRONG_SIGNATURE_TYPE,
            format!("peer signed with unoffered scheme {code:#06x}"),
        )),
    }
}

/// Handshake secrets shared by the later client and server states.
#[derive(Clone)]
pub struct HandshakeSecrets {
    /// The suite in use.
    pub suite: CipherSuite,
    /// The key schedule, at the handshake-secret stage.
    pub schedule: key_schedule::KeySchedule,
    /// client_handshake_traffic_secret.
    pub client_hs: Output,
    /// server_handshake_traffic_secret.
    pub server_hs: Output,
}

impl HandshakeSecrets {
    /// Derives the handshake traffic secrets after ServerHello and logs them.
    pub fn derive(
        cx: &Context<'_>,
        suite: CipherSuite,
        shared_secret: &[u8],
        transcript: &Transcript,
    ) -> Result<Self, TlsError> {
        let mut schedule = key_schedule::KeySchedule::new(suite.hash(), None);
        schedule.into_handshake(shared_secret)?;
        let h = transcript.current()?;
        let client_hs = schedule.derive(b"c hs traffic", h.as_bytes())?;
        let server_hs = schedule.derive(b"s hs traffic", h.as_bytes())?;
        cx.keylog("CLIENT_HANDSHAKE_TRAFFIC_SECRET", &client_hs);
        cx.keylog("SERVER_HANDSHAKE_TRAFFIC_SECRET", &server_hs);
        Ok(HandshakeSecrets {
            suite,
            schedule,
            client_hs,
            server_hs,
        })
    }

    /// The record cipher for one of the handshake secrets.
    pub fn cipher(&self, secret: &Output) -> Result<Protection, TlsError> {
        Ok(Protection::Tls13(key_schedule::cipher(
            self.suite,
            secret.as_bytes(),
        )?))
    }

    /// Our Finished message over the transcript so far.
    pub fn finished(
        &self,
        base: &Output,
        transcript: &Transcript,
    ) -> Result<HandshakeMessage, TlsError> {
        let mac = key_schedule::finished_mac(
            self.suite.hash(),
            base.as_bytes(),
            transcript.current()?.as_bytes(),
        )?;
        Ok(HandshakeMessage::Finished(mac.as_bytes().to_vec()))
    }

    /// Checks the peer's Finished (decrypt_error on a mismatch, as OpenSSL reports it).
    pub fn check_finished(
        &self,
        base: &Output,
        transcript: &Transcript,
        verify_data: &[u8],
    ) -> Result<(), TlsError> {
        let expected = key_schedule::finished_mac(
            self.suite.hash(),
            base.as_bytes(),
            transcript.current()?.as_bytes(),
        )?;
        if verify_data.len() != expected.len() {
            return Err(TlsError::decode(
                Reason::BAD_DIGEST_LENGTH,
                "Finished of the wrong length",
            ));
        }
        if !crate::crypto::hash::ct_eq(verify_data, expected.as_bytes()) {
            return Err(TlsError::fatal(
                AlertDescription::DECRYPT_ERROR,
                Reason::DIGEST_CHECK_FAILED,
                "Finished verify_data mismatch",
            ));
        }
        Ok(())
    }

    /// Moves to the master secret and derives the application traffic secrets from the
    /// transcript through the server Finished.
    pub fn application_secrets(
        mut self,
        cx: &Context<'_>,
        transcript: &Transcript,
    ) -> Result<ApplicationSecrets, TlsError> {
        self.schedule.into_master()?;
        let h = transcript.current()?;
        let client = self.schedule.derive(b"c ap traffic", h.as_bytes())?;
        let server = self.schedule.derive(b"s ap traffic", h.as_bytes())?;
        let exporter = self.schedule.derive(b"exp master", h.as_bytes())?;
        cx.keylog("CLIENT_TRAFFIC_SECRET_0", &client);
        cx.keylog("SERVER_TRAFFIC_SECRET_0", &server);
        cx.keylog("EXPORTER_SECRET", &exporter);
        Ok(ApplicationSecrets {
            suite: self.suite,
            schedule: self.schedule,
            client,
            server,
            exporter,
        })
    }
}

/// Application traffic secrets and the master-secret stage of the schedule.
#[derive(Clone)]
pub struct ApplicationSecrets {
    /// The suite in use.
    pub suite: CipherSuite,
    /// The key schedule at the master-secret stage (for the resumption secret).
    pub schedule: key_schedule::KeySchedule,
    /// client_application_traffic_secret_0.
    pub client: Output,
    /// server_application_traffic_secret_0.
    pub server: Output,
    /// exporter_master_secret.
    pub exporter: Output,
}

impl ApplicationSecrets {
    /// The record cipher for one of the application secrets.
    pub fn cipher(&self, secret: &Output) -> Result<Protection, TlsError> {
        Ok(Protection::Tls13(key_schedule::cipher(
            self.suite,
            secret.as_bytes(),
        )?))
    }
}
