//! Connection configuration shared by many connections (the engine's view of an `SSL_CTX`).

pub use crate::crypto::kx::KxGroup;
pub use crate::crypto::sign::{KeyType, SignatureScheme, SigningKey};
pub use crate::msgs::enums::{AlertDescription, ContentType, HandshakeType, ProtocolVersion};
use crate::session::cache::SessionCache;
use crate::session::replay::ReplayGuard;
use crate::session::ticket::TicketKeys;
use crate::suites::CipherSuite;
use crate::x509::{CertificateDer, TrustStore, UnixTime};
use std::sync::Arc;

/// Peer verification, as `SSL_CTX_set_verify`'s mode bits; all off by default (NONE).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VerifyMode {
    /// `SSL_VERIFY_PEER`: a failed verification aborts the handshake (client), or a client
    /// certificate is requested (server).
    pub peer: bool,
    /// `SSL_VERIFY_FAIL_IF_NO_PEER_CERT` (server): abort when the client sends none.
    pub fail_if_no_peer_cert: bool,
    /// `SSL_VERIFY_POST_HANDSHAKE` (server, TLS 1.3): no certificate request in the
    /// handshake; only a post-handshake request asks for one.
    pub post_handshake: bool,
}

/// A certificate chain (end entity first) and its private key.
#[derive(Clone, Debug)]
pub struct CertifiedKey {
    /// The chain as sent to the peer.
    pub chain: Vec<CertificateDer<'static>>,
    /// The private key of the end-entity certificate.
    pub key: Arc<SigningKey>,
}

/// Receives TLS secrets in the NSS key log format (`SSLKEYLOGFILE`), for Wireshark.
pub trait KeyLog: Send + Sync {
    /// Called with a label such as `CLIENT_HANDSHAKE_TRAFFIC_SECRET`, the client random
    /// and the secret.
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]);
}

/// Watches a connection's protocol messages and handshake states, like OpenSSL's
/// `SSL_CTX_set_msg_callback` and `SSL_CTX_set_info_callback` (what `s_client -msg` and
/// `-state` print). Both methods do nothing by default.
pub trait Observer: Send + Sync {
    /// A handshake message (with its 4-byte header), an alert or a change_cipher_spec was
    /// sent (`sent`) or received, under `version` (TLS 1.2 until a version is chosen).
    fn message(&self, sent: bool, version: ProtocolVersion, typ: ContentType, data: &[u8]) {
        let _ = (sent, version, typ, data);
    }

    /// The handshake (or a renegotiation) entered `state` (OpenSSL's state string), or
    /// finished ("SSL negotiation finished successfully").
    fn state(&self, is_client: bool, state: &str) {
        let _ = (is_client, state);
    }
}

/// Where the engine gets the time for certificate validity checks.
#[derive(Clone, Copy, Debug, Default)]
pub enum TimeSource {
    /// The system clock.
    #[default]
    System,
    /// A fixed time, for tests and reproducible runs.
    Fixed(UnixTime),
}

impl TimeSource {
    /// The current time according to this source.
    pub fn now(&self) -> UnixTime {
        match self {
            TimeSource::System => UnixTime::now(),
            TimeSource::Fixed(t) => *t,
        }
    }

    /// The current time in seconds since the Unix epoch (session times and ticket ages).
    pub fn now_secs(&self) -> u64 {
        self.now().as_secs()
    }
}

/// Session resumption: tickets, the server's session cache and their limits (the
/// engine's view of `SSL_CTX_set_session_cache_mode`, `SSL_OP_NO_TICKET`,
/// `SSL_CTX_set_num_tickets`, `SSL_CTX_set_timeout` and `SSL_CTX_set_session_id_context`).
#[derive(Clone, Debug)]
pub struct Resumption {
    /// Tickets are used (`!SSL_OP_NO_TICKET`): a TLS 1.3 server issues them, a TLS 1.2
    /// client asks for them and a TLS 1.2 server answers.
    pub tickets: bool,
    /// TLS 1.3 tickets a server sends after each handshake (OpenSSL's default: 2).
    pub num_tickets: u32,
    /// A TLS 1.2 server stores its sessions in [`Resumption::cache`] (`SSL_SESS_CACHE_SERVER`
    /// without `NO_INTERNAL_STORE`) and gives them ids.
    pub cache_store: bool,
    /// A TLS 1.2 server looks session ids up in its cache (without `NO_INTERNAL_LOOKUP`).
    pub cache_lookup: bool,
    /// Lifetime in seconds of the sessions and tickets a server issues.
    pub timeout: u32,
    /// The server's session id context: a session resumes only where it matches.
    pub sid_ctx: Vec<u8>,
    /// The server's ticket keys, shared by the connections of a context.
    pub keys: Arc<TicketKeys>,
    /// The server's session cache, shared likewise.
    pub cache: Arc<SessionCache>,
    /// Server: the most early data (0-RTT) it accepts, and advertises in its TLS 1.3
    /// tickets (`SSL_CTX_set_max_early_data`; 0, the default, turns early data off).
    pub max_early_data: u32,
    /// Server: each ticket's early data is accepted once.
    pub replay: Arc<ReplayGuard>,
    /// Keep every new session for the caller ([`crate::Connection::take_new_sessions`]),
    /// not only the latest (a new-session callback is set).
    pub collect_new: bool,
}

impl Default for Resumption {
    fn default() -> Self {
        Resumption {
            tickets: true,
            num_tickets: 2,
            cache_store: true,
            cache_lookup: true,
            timeout: crate::session::DEFAULT_TIMEOUT,
            sid_ctx: Vec::new(),
            keys: Arc::new(TicketKeys::new(u64::from(crate::session::DEFAULT_TIMEOUT))),
            cache: Arc::new(SessionCache::default()),
            max_early_data: 0,
            replay: Arc::new(ReplayGuard::default()),
            collect_new: false,
        }
    }
}

/// Renegotiation policy (TLS 1.2), OpenSSL's options as engine settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Renegotiation {
    /// `SSL_OP_NO_RENEGOTIATION`: refuse every renegotiation (a no_renegotiation warning
    /// answers a HelloRequest or a renegotiating ClientHello).
    pub disabled: bool,
    /// `SSL_OP_ALLOW_CLIENT_RENEGOTIATION`: a server accepts renegotiations the client starts
    /// (by default only those it asked for with a HelloRequest).
    pub allow_client_initiated: bool,
    /// `SSL_OP_LEGACY_SERVER_CONNECT`: a client connects to a server without RFC 5746
    /// support (it never renegotiates with it).
    pub legacy_server_connect: bool,
    /// `SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION`: renegotiate with a peer without RFC 5746.
    /// oxssl never does: the option is accepted and has no effect (documented in the README).
    pub allow_unsafe_legacy: bool,
    /// `SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION`: a server makes a new session in
    /// every renegotiation. (Without it, oxssl's server still resumes only in a
    /// renegotiation the client started or one it asked for as abbreviated.)
    pub no_resumption: bool,
    /// Most renegotiations the peer may start without application data between them; more
    /// is a flood, refused with a no_renegotiation warning.
    pub max_in_a_row: u32,
    /// Most renegotiations the peer may start over the connection's life.
    pub max_total: u32,
}

impl Default for Renegotiation {
    fn default() -> Self {
        Renegotiation {
            disabled: false,
            allow_client_initiated: false,
            legacy_server_connect: false,
            allow_unsafe_legacy: false,
            no_resumption: false,
            max_in_a_row: 3,
            max_total: 100,
        }
    }
}

/// Everything the engine needs to know to run handshakes; shared behind an `Arc`.
#[derive(Clone)]
pub struct Config {
    /// Lowest protocol version (TLS 1.2 or 1.3; `SSL_CTX_set_min_proto_version`).
    pub min_version: ProtocolVersion,
    /// Highest protocol version (`SSL_CTX_set_max_proto_version`).
    pub max_version: ProtocolVersion,
    /// TLS 1.3 cipher suites, in preference order (`SSL_CTX_set_ciphersuites`).
    pub cipher_suites: Vec<CipherSuite>,
    /// TLS 1.2 cipher suites, in preference order (`SSL_CTX_set_cipher_list`).
    pub tls12_cipher_suites: Vec<CipherSuite>,
    /// Refuse TLS 1.2 peers without the extended master secret (RFC 7627); it is always
    /// offered and used when the peer has it.
    pub require_ems: bool,
    /// Renegotiation policy and limits.
    pub renegotiation: Renegotiation,
    /// Key exchange groups, in preference order. A client sends a key share for the
    /// first, and when that is a hybrid, also for the first classical group.
    pub groups: Vec<KxGroup>,
    /// Signature schemes offered (client) and accepted from the peer.
    pub signature_schemes: Vec<SignatureScheme>,
    /// ALPN protocols: offered by a client in order; a server picks the first of its own
    /// list that the client offered (no overlap: the handshake continues without ALPN).
    pub alpn_protocols: Vec<Vec<u8>>,
    /// Our certificate and key (required for a server; optional client certificate).
    pub certified_key: Option<CertifiedKey>,
    /// More server certificates, of other key types (an RSA one beside an ECDSA one): the
    /// server uses the first (from `certified_key` on) that the client's signature
    /// algorithms (and, in TLS 1.2, cipher suites and curves) fit, as OpenSSL keeps one
    /// certificate per key type (`s_server -dcert`).
    pub extra_keys: Vec<CertifiedKey>,
    /// Certificates for particular server names: a client whose SNI names one of these
    /// (case-insensitive) gets its certificates instead of the default ones (what a
    /// servername callback switching contexts does; `s_server -servername -cert2`).
    pub named_keys: Vec<(String, Vec<CertifiedKey>)>,
    /// Server: the distinguished names (DER) of the CAs a client certificate should come
    /// from, sent in the CertificateRequest (`SSL_CTX_set_client_CA_list`).
    pub client_ca_names: Vec<Vec<u8>>,
    /// Trust anchors for verifying the peer.
    pub trust: Arc<TrustStore>,
    /// Peer verification mode. The default is none (`SSL_VERIFY_NONE`, as OpenSSL): a
    /// client accepts any server certificate, a failure only recorded in the connection's
    /// verify result, and a server asks for no client certificate. A sans-IO client that
    /// gives [`crate::Connection::client`] a
    /// [`verify_host`](crate::conn::ClientOptions::verify_host) must also set `peer`:
    /// without it a certificate for another name, or from no trusted CA, is accepted.
    pub verify: VerifyMode,
    /// Called for each failure and each certificate that passed while verifying the
    /// peer's chain (`SSL_CTX_set_verify`'s callback); it may let failures through.
    pub verify_callback: Option<Arc<crate::x509::VerifyCallback>>,
    /// Most intermediate certificates between the peer's and the trust anchor
    /// (`SSL_CTX_set_verify_depth`; OpenSSL's default 100).
    pub verify_depth: u32,
    /// A server picks the cipher suite by its own preference rather than the client's
    /// (`SSL_OP_CIPHER_SERVER_PREFERENCE`).
    pub server_preference: bool,
    /// Largest certificate chain message accepted (`SSL_CTX_set_max_cert_list`).
    pub max_cert_list: usize,
    /// A server includes a cookie in every HelloRetryRequest and requires it echoed.
    pub hrr_cookie: bool,
    /// Middlebox compatibility mode (RFC 8446 D.4): a fake session id and dummy
    /// change_cipher_spec records, as OpenSSL sends by default.
    pub middlebox_compat: bool,
    /// Receiver of secrets, if key logging is on.
    pub keylog: Option<Arc<dyn KeyLog>>,
    /// Keep key log lines on each connection for its caller
    /// ([`crate::Connection::take_keylog_lines`]), which hands them to a callback that
    /// wants the connection too (`SSL_CTX_set_keylog_callback`).
    pub keylog_lines: bool,
    /// Watcher of messages and states (`-msg`, `-state`), if any.
    pub observer: Option<Arc<dyn Observer>>,
    /// The clock for certificate checks, session lifetimes and ticket ages.
    pub time: TimeSource,
    /// Session resumption settings.
    pub resumption: Resumption,
    /// Client, TLS 1.3: offer post-handshake authentication (`SSL_set_post_handshake_auth`),
    /// so a server may ask for our certificate after the handshake.
    pub post_handshake_auth: bool,
    /// Server: stop at the first ClientHello ([`crate::Event::ClientHello`]) so that the
    /// application can look at it and decide (servername and ALPN select callbacks),
    /// then go on with [`crate::Connection::resume_client_hello`].
    pub pause_on_client_hello: bool,
}

impl Config {
    /// The certificates a server may present to a client that asked for `sni`, in
    /// preference order.
    pub fn server_keys(&self, sni: Option<&str>) -> Vec<&CertifiedKey> {
        let named = sni.and_then(|name| {
            self.named_keys
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
        });
        match named {
            Some((_, keys)) => keys.iter().collect(),
            None => self.certified_key.iter().chain(&self.extra_keys).collect(),
        }
    }

    /// True if `v` is within the configured version range.
    pub fn allows(&self, v: ProtocolVersion) -> bool {
        self.min_version <= v && v <= self.max_version
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("cipher_suites", &self.cipher_suites)
            .field("groups", &self.groups)
            .field("alpn_protocols", &self.alpn_protocols)
            .field("verify", &self.verify)
            .field("has_certificate", &self.certified_key.is_some())
            .finish_non_exhaustive()
    }
}

/// The signature schemes offered and accepted by default, in OpenSSL's order.
pub const DEFAULT_SIGNATURE_SCHEMES: [SignatureScheme; 12] = [
    SignatureScheme::EcdsaSecp256r1Sha256,
    SignatureScheme::EcdsaSecp384r1Sha384,
    SignatureScheme::EcdsaSecp521r1Sha512,
    SignatureScheme::Ed25519,
    SignatureScheme::RsaPssPssSha256,
    SignatureScheme::RsaPssPssSha384,
    SignatureScheme::RsaPssPssSha512,
    SignatureScheme::RsaPssRsaeSha256,
    SignatureScheme::RsaPssRsaeSha384,
    SignatureScheme::RsaPssRsaeSha512,
    SignatureScheme::RsaPkcs1Sha256,
    SignatureScheme::RsaPkcs1Sha384,
];

impl Default for Config {
    fn default() -> Self {
        Config {
            min_version: ProtocolVersion::TLSV1_2,
            max_version: ProtocolVersion::TLSV1_3,
            cipher_suites: CipherSuite::TLS13_DEFAULT.to_vec(),
            tls12_cipher_suites: CipherSuite::TLS12_DEFAULT.to_vec(),
            require_ems: false,
            renegotiation: Renegotiation::default(),
            groups: vec![
                KxGroup::X25519MlKem768,
                KxGroup::X25519,
                KxGroup::Secp256r1,
                KxGroup::Secp384r1,
            ],
            signature_schemes: DEFAULT_SIGNATURE_SCHEMES.to_vec(),
            alpn_protocols: Vec::new(),
            certified_key: None,
            extra_keys: Vec::new(),
            named_keys: Vec::new(),
            client_ca_names: Vec::new(),
            trust: Arc::new(TrustStore::new()),
            verify: VerifyMode::default(),
            verify_callback: None,
            verify_depth: 100,
            server_preference: true,
            max_cert_list: 100 * 1024,
            hrr_cookie: false,
            middlebox_compat: true,
            keylog: None,
            keylog_lines: false,
            observer: None,
            time: TimeSource::System,
            resumption: Resumption::default(),
            pause_on_client_hello: false,
            post_handshake_auth: false,
        }
    }
}
