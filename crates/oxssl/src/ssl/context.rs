//! `SslContext` (an `SSL_CTX`): configuration shared by many connections, built with
//! [`SslContextBuilder`] in the `openssl` crate's style.

use super::error::{ErrorEntry, ErrorStack};
use super::flags::{SslMode, SslOptions, SslSessionCacheMode, SslVerifyMode};
use super::session::SslSession;
use crate::config::{CertifiedKey, Config, VerifyMode};
use crate::crypto::kx::KxGroup;
use crate::crypto::sign::{SignatureScheme, SigningKey};
use crate::msgs::enums::ProtocolVersion;
use crate::pkey::{PKeyRef, Private};
use crate::reason::Reason;
use crate::stack::Stack;
use crate::suites::CipherSuite;
use crate::x509::store::{X509Store, X509StoreBuilder, X509StoreBuilderRef};
use crate::x509::verify::{X509VerifyParam, X509VerifyParamRef};
use crate::x509::{self, CertificateDer, TrustStore, X509Name, X509Ref, X509};
use std::path::Path;
use std::sync::Arc;

/// Which side(s) a context serves (`TLS_method`, `TLS_client_method`, `TLS_server_method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SslMethod(u8);

impl SslMethod {
    /// Either side (`TLS_method`).
    pub fn tls() -> SslMethod {
        SslMethod(0)
    }
    /// Clients only (`TLS_client_method`).
    pub fn tls_client() -> SslMethod {
        SslMethod(1)
    }
    /// Servers only (`TLS_server_method`).
    pub fn tls_server() -> SslMethod {
        SslMethod(2)
    }
    pub(crate) fn allows_client(self) -> bool {
        self.0 != 2
    }
    pub(crate) fn allows_server(self) -> bool {
        self.0 != 1
    }
}

/// A protocol version, for `set_min_proto_version` / `set_max_proto_version`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SslVersion(pub(crate) u16);

impl SslVersion {
    /// TLS 1.0 (refused by oxssl).
    pub const TLS1: SslVersion = SslVersion(0x0301);
    /// TLS 1.1 (refused by oxssl).
    pub const TLS1_1: SslVersion = SslVersion(0x0302);
    /// TLS 1.2.
    pub const TLS1_2: SslVersion = SslVersion(0x0303);
    /// TLS 1.3.
    pub const TLS1_3: SslVersion = SslVersion(0x0304);
}

/// Certificate and key file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslFiletype {
    /// PEM.
    PEM,
    /// DER.
    ASN1,
}

/// The shared state of a context.
#[derive(Clone)]
pub(crate) struct ContextInner {
    pub config: Arc<Config>,
    pub method: SslMethod,
    pub mode: SslMode,
    pub options: SslOptions,
    pub verify_mode: SslVerifyMode,
    pub max_send_fragment: usize,
    pub split_send_fragment: usize,
    pub read_ahead: bool,
    pub min_version: Option<SslVersion>,
    pub max_version: Option<SslVersion>,
    /// The certificate and key as set, even when only one of them is (an `Ssl` that
    /// supplies the other one per connection completes the pair).
    pub cert: CertParts,
    /// `SSL_CTX_set_session_cache_mode`.
    pub session_cache_mode: SslSessionCacheMode,
    /// `SSL_CTX_sess_set_new_cb`.
    pub new_session_cb: Option<NewSessionCallback>,
    /// `SSL_CTX_set_tlsext_servername_callback`.
    pub servername_cb: Option<super::callbacks::ServernameCallback>,
    /// `SSL_CTX_set_alpn_select_cb`.
    pub alpn_select_cb: Option<super::callbacks::AlpnSelectCallback>,
    /// `SSL_CTX_get0_param`: what connections verify the peer against.
    pub param: X509VerifyParam,
    /// `SSL_CTX_set_keylog_callback`.
    pub keylog_cb: Option<KeylogCallback>,
}

/// A key log callback: the connection and one NSS key log line.
pub(crate) type KeylogCallback = Arc<dyn Fn(&super::Ssl, &str) + Send + Sync>;

/// A new-session callback: called with the connection and each new session.
pub(crate) type NewSessionCallback = Arc<dyn Fn(&mut super::Ssl, SslSession) + Send + Sync>;

/// A certificate chain and a private key set separately (`SSL_use_certificate`,
/// `SSL_use_PrivateKey`); the engine gets them once both are there.
#[derive(Clone, Default)]
pub(crate) struct CertParts {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: Option<Arc<SigningKey>>,
    /// `SSL_CTX_add_extra_chain_cert`: sent after `chain`.
    pub extra: Vec<CertificateDer<'static>>,
}

impl CertParts {
    /// The pair the engine uses, if both halves are set.
    pub fn certified_key(&self) -> Option<CertifiedKey> {
        match (self.chain.is_empty(), &self.key) {
            (false, Some(key)) => Some(CertifiedKey {
                chain: self.chain.iter().chain(&self.extra).cloned().collect(),
                key: key.clone(),
            }),
            _ => None,
        }
    }

    /// `SSL_CTX_check_private_key` / `SSL_check_private_key`: the key matches the
    /// end-entity certificate.
    pub fn check_private_key(&self) -> Result<(), ErrorStack> {
        let (Some(leaf), Some(key)) = (self.chain.first(), &self.key) else {
            return Err(err(
                Reason::NO_PRIVATE_KEY_ASSIGNED,
                "certificate or key missing",
            ));
        };
        let spki = x509::spki_of(leaf).map_err(|e| x509_err(Reason::PRIVATE_KEY_MISMATCH, e))?;
        if spki != key.public_key_spki() {
            return Err(err(
                Reason::PRIVATE_KEY_MISMATCH,
                "key does not match the certificate",
            ));
        }
        Ok(())
    }
}

/// A built context: cheap to clone, shared by every `Ssl` made from it.
#[derive(Clone)]
pub struct SslContext {
    pub(crate) inner: Arc<ContextInner>,
}

impl std::fmt::Debug for SslContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SslContext")
            .field("method", &self.inner.method)
            .field("mode", &self.inner.mode)
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

impl SslContext {
    /// Starts building a context.
    pub fn builder(method: SslMethod) -> Result<SslContextBuilder, ErrorStack> {
        Ok(SslContextBuilder::with_method(method))
    }

    /// The engine configuration connections will use.
    pub fn config(&self) -> &Arc<Config> {
        &self.inner.config
    }

    /// The default mode of new connections.
    pub fn mode(&self) -> SslMode {
        self.inner.mode
    }

    /// The default options of new connections.
    pub fn options(&self) -> SslOptions {
        self.inner.options
    }

    /// Sessions in the server's cache (`SSL_CTX_sess_number`).
    pub fn session_cache_len(&self) -> usize {
        self.inner.config.resumption.cache.len()
    }

    /// Adds a session to the server's cache (`SSL_CTX_add_session`); false if it has no id.
    pub fn add_session(&self, session: &SslSession) -> bool {
        if session.id().is_empty() {
            return false;
        }
        self.inner.config.resumption.cache.insert(session.0.clone());
        true
    }

    /// Removes a session from the server's cache (`SSL_CTX_remove_session`); true if it
    /// was there.
    pub fn remove_session(&self, session: &SslSession) -> bool {
        self.inner.config.resumption.cache.remove(session.id())
    }

    /// Drops every cached session expired at `time`, seconds since the epoch
    /// (`SSL_CTX_flush_sessions`; `i64::MAX` empties the cache).
    pub fn flush_sessions(&self, time: i64) {
        let t = u64::try_from(time).unwrap_or(0);
        self.inner.config.resumption.cache.flush(t);
    }
}

/// The enabled version range: TLS 1.2..=1.3 narrowed by `set_min/max_proto_version` and
/// `NO_TLSV1_2` / `NO_TLSV1_3`. Older versions are never enabled. An empty range
/// (min > max) makes every handshake fail with NO_PROTOCOLS_AVAILABLE.
fn version_range(
    min: Option<SslVersion>,
    max: Option<SslVersion>,
    options: SslOptions,
) -> (ProtocolVersion, ProtocolVersion) {
    let mut min = min.map_or(ProtocolVersion::TLSV1_2, |v| {
        ProtocolVersion(v.0.max(0x0303))
    });
    let mut max = max.map_or(ProtocolVersion::TLSV1_3, |v| {
        ProtocolVersion(v.0.min(0x0304))
    });
    if options.contains(SslOptions::NO_TLSV1_2) && min == ProtocolVersion::TLSV1_2 {
        min = ProtocolVersion::TLSV1_3;
    }
    if options.contains(SslOptions::NO_TLSV1_3) && max == ProtocolVersion::TLSV1_3 {
        max = ProtocolVersion::TLSV1_2;
    }
    (min, max)
}

/// Builds an [`SslContext`].
///
/// The verify mode starts as [`SslVerifyMode::NONE`], as in OpenSSL: a client finishes the
/// handshake whatever certificate the server shows (a failure, a wrong host name included,
/// only shows in `verify_result`), and a server asks for no client certificate. A client
/// that means to authenticate its server sets [`SslVerifyMode::PEER`], as
/// [`SslConnector`](super::SslConnector) does.
///
/// ```
/// use oxssl::ssl::{SslContext, SslMethod, SslMode, SslVerifyMode};
/// let mut b = SslContext::builder(SslMethod::tls_client()).unwrap();
/// b.set_verify(SslVerifyMode::PEER);
/// b.set_ciphersuites("TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256").unwrap();
/// b.set_groups_list("X25519:P-256").unwrap();
/// b.set_mode(SslMode::ENABLE_PARTIAL_WRITE);
/// let ctx = b.build();
/// assert!(ctx.mode().contains(SslMode::AUTO_RETRY | SslMode::ENABLE_PARTIAL_WRITE));
/// ```
pub struct SslContextBuilder {
    inner: ContextInner,
    config: Config,
    trust: X509StoreBuilder,
}

fn err(reason: Reason, detail: impl Into<String>) -> ErrorStack {
    ErrorStack::one(ErrorEntry::ssl(reason, detail))
}

/// Certificate and key loading failures, reported as OpenSSL's SSL library does.
fn x509_err(reason: Reason, e: x509::X509Error) -> ErrorStack {
    err(reason, e.to_string())
}

// Parsers and validators shared by `SslContextBuilder` and `Ssl` (the `SSL_CTX_set_*` and
// `SSL_set_*` forms of a setting accept and refuse the same values).

/// A TLS 1.3 suite list ("TLS_AES_128_GCM_SHA256:...").
pub(crate) fn parse_ciphersuites(list: &str) -> Result<Vec<CipherSuite>, ErrorStack> {
    CipherSuite::parse_list(list).map_err(|e| err(Reason::NO_CIPHER_MATCH, e))
}

/// Applies an OpenSSL cipher list (TLS 1.2 suites) to `suites` as `SSL_CTX_set_cipher_list`
/// does: a list that selects none of our suites fails with NO_CIPHER_MATCH and, as in
/// OpenSSL 3.6, leaves no TLS 1.2 suite enabled; a malformed list (INVALID_COMMAND)
/// changes nothing. `@SECLEVEL` is accepted; it does not exclude any suite oxssl has.
pub(crate) fn apply_cipher_list(
    suites: &mut Vec<CipherSuite>,
    list: &str,
) -> Result<(), ErrorStack> {
    use crate::cipher_list::{parse_cipher_list, CipherListError};
    match parse_cipher_list(list) {
        Ok(v) => {
            *suites = v;
            Ok(())
        }
        Err(e) => {
            if e == CipherListError::NoCipherMatch {
                suites.clear();
            }
            Err(err(e.reason(), e.to_string()))
        }
    }
}

/// A chain (DER, end entity first) and its DER private key, checked to match.
fn certified_pair(chain: Vec<Vec<u8>>, key_der: &[u8]) -> Result<CertifiedKey, ErrorStack> {
    let parts = CertParts {
        chain: parse_chain(chain)?,
        key: Some(parse_private_key(key_der)?),
        extra: Vec::new(),
    };
    parts.check_private_key()?;
    parts
        .certified_key()
        .ok_or_else(|| err(Reason::NO_CERTIFICATE_ASSIGNED, "empty chain"))
}

/// A group list ("X25519MLKEM768:X25519:P-256:P-384"), duplicates dropped.
pub(crate) fn parse_groups(list: &str) -> Result<Vec<KxGroup>, ErrorStack> {
    let mut groups = Vec::new();
    for name in list.split(':').filter(|s| !s.is_empty()) {
        let g = KxGroup::from_name(name).ok_or_else(|| {
            err(
                Reason::UNSUPPORTED_ELLIPTIC_CURVE,
                format!("unknown group {name}"),
            )
        })?;
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    if groups.is_empty() {
        return Err(err(Reason::NO_SUITABLE_GROUPS, "empty group list"));
    }
    Ok(groups)
}

/// A signature algorithm list ("ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256:...").
pub(crate) fn parse_sigalgs(list: &str) -> Result<Vec<SignatureScheme>, ErrorStack> {
    let mut schemes = Vec::new();
    for name in list.split(':').filter(|s| !s.is_empty()) {
        let s = SignatureScheme::from_name(name).ok_or_else(|| {
            err(
                Reason::BAD_VALUE,
                format!("unknown signature algorithm {name}"),
            )
        })?;
        schemes.push(s);
    }
    if schemes.is_empty() {
        return Err(err(Reason::BAD_VALUE, "empty signature algorithm list"));
    }
    Ok(schemes)
}

/// ALPN protocols in wire format (length-prefixed names).
pub(crate) fn parse_alpn(wire: &[u8]) -> Result<Vec<Vec<u8>>, ErrorStack> {
    let mut out = Vec::new();
    let mut rest = wire;
    while let Some((&len, tail)) = rest.split_first() {
        let len = len as usize;
        if len == 0 || len > tail.len() {
            return Err(err(Reason::BAD_VALUE, "malformed ALPN list"));
        }
        out.push(tail[..len].to_vec());
        rest = &tail[len..];
    }
    Ok(out)
}

/// A certificate chain given as DER, end entity first (not empty).
pub(crate) fn parse_chain(chain: Vec<Vec<u8>>) -> Result<Vec<CertificateDer<'static>>, ErrorStack> {
    if chain.is_empty() {
        return Err(err(Reason::NO_CERTIFICATE_ASSIGNED, "empty chain"));
    }
    Ok(chain.into_iter().map(CertificateDer::from).collect())
}

/// Replaces the end-entity certificate, keeping the rest of the chain.
pub(crate) fn set_leaf(parts: &mut CertParts, cert: &X509Ref) {
    let leaf = CertificateDer::from(cert.clone());
    match parts.chain.first_mut() {
        Some(first) => *first = leaf,
        None => parts.chain.push(leaf),
    }
}

/// The engine's signing key of a private `PKey`.
pub(crate) fn signing_key_of(key: &PKeyRef<Private>) -> Result<Arc<SigningKey>, ErrorStack> {
    key.signing_key()
        .ok_or_else(|| err(Reason::NO_PRIVATE_KEY_ASSIGNED, "not a private key"))
}

/// A private key as DER (PKCS#8, PKCS#1 or SEC1).
pub(crate) fn parse_private_key(der: &[u8]) -> Result<Arc<SigningKey>, ErrorStack> {
    let key = SigningKey::from_der(der).map_err(|e| err(Reason::BAD_VALUE, e.0))?;
    Ok(Arc::new(key))
}

/// The engine's view of `SSL_VERIFY_*` bits.
pub(crate) fn engine_verify(mode: SslVerifyMode) -> VerifyMode {
    VerifyMode {
        peer: mode.contains(SslVerifyMode::PEER),
        fail_if_no_peer_cert: mode.contains(SslVerifyMode::FAIL_IF_NO_PEER_CERT),
        post_handshake: mode.contains(SslVerifyMode::POST_HANDSHAKE),
    }
}

/// Folds the options the engine acts on (suite preference, middlebox compatibility, the
/// version range with `NO_TLSV1_2`/`NO_TLSV1_3`, renegotiation) into `config`. Returns
/// false, touching nothing, when `config` already agrees (so a shared configuration is
/// not copied for nothing).
pub(crate) fn apply_options(
    config: &mut Arc<Config>,
    options: SslOptions,
    inner: &ContextInner,
) -> bool {
    let (min_version, max_version) = version_range(inner.min_version, inner.max_version, options);
    let renegotiation = crate::config::Renegotiation {
        disabled: options.contains(SslOptions::NO_RENEGOTIATION),
        allow_client_initiated: options.contains(SslOptions::ALLOW_CLIENT_RENEGOTIATION),
        legacy_server_connect: options.contains(SslOptions::LEGACY_SERVER_CONNECT),
        allow_unsafe_legacy: options.contains(SslOptions::ALLOW_UNSAFE_LEGACY_RENEGOTIATION),
        no_resumption: options.contains(SslOptions::NO_SESSION_RESUMPTION_ON_RENEGOTIATION),
        ..config.renegotiation
    };
    let server_preference = options.contains(SslOptions::CIPHER_SERVER_PREFERENCE);
    let middlebox_compat = options.contains(SslOptions::ENABLE_MIDDLEBOX_COMPAT);
    let tickets = !options.contains(SslOptions::NO_TICKET);
    if config.server_preference == server_preference
        && config.resumption.tickets == tickets
        && config.middlebox_compat == middlebox_compat
        && config.min_version == min_version
        && config.max_version == max_version
        && config.renegotiation == renegotiation
    {
        return false;
    }
    let c = Arc::make_mut(config);
    c.server_preference = server_preference;
    c.middlebox_compat = middlebox_compat;
    c.min_version = min_version;
    c.max_version = max_version;
    c.renegotiation = renegotiation;
    c.resumption.tickets = tickets;
    true
}

impl SslContextBuilder {
    /// A builder for `method` (`SSL_CTX_new`); the same as [`SslContext::builder`].
    pub fn new(method: SslMethod) -> Result<SslContextBuilder, ErrorStack> {
        Ok(Self::with_method(method))
    }

    fn with_method(method: SslMethod) -> Self {
        let config = Config::default();
        SslContextBuilder {
            inner: ContextInner {
                config: Arc::new(config.clone()),
                method,
                mode: SslMode::AUTO_RETRY | SslMode::RELEASE_BUFFERS,
                options: SslOptions::ENABLE_MIDDLEBOX_COMPAT
                    | SslOptions::NO_COMPRESSION
                    | SslOptions::CIPHER_SERVER_PREFERENCE,
                verify_mode: SslVerifyMode::NONE,
                max_send_fragment: crate::record::MAX_PLAINTEXT,
                split_send_fragment: crate::record::MAX_PLAINTEXT,
                read_ahead: false,
                min_version: None,
                max_version: None,
                cert: CertParts::default(),
                session_cache_mode: SslSessionCacheMode::SERVER,
                new_session_cb: None,
                servername_cb: None,
                alpn_select_cb: None,
                param: X509VerifyParam::default(),
                keylog_cb: None,
            },
            config,
            trust: X509StoreBuilder::default(),
        }
    }

    /// `SSL_CTX_set_verify`.
    pub fn set_verify(&mut self, mode: SslVerifyMode) {
        self.inner.verify_mode = mode;
    }

    /// `SSL_CTX_set_verify` with a callback: `callback(preverify_ok, ctx)` is called for
    /// each failure found in the peer's chain (in OpenSSL's order) and for each certificate
    /// that passed, top of the chain first; see [`crate::x509::VerifyCallback`].
    ///
    /// ```
    /// use oxssl::ssl::{SslContext, SslMethod, SslVerifyMode};
    /// use oxssl::x509::VerifyCode;
    ///
    /// let mut b = SslContext::builder(SslMethod::tls_client()).unwrap();
    /// // Accept an expired certificate, nothing else.
    /// b.set_verify_callback(SslVerifyMode::PEER, |ok, ctx| {
    ///     ok || ctx.error() == VerifyCode::CERT_HAS_EXPIRED
    /// });
    /// ```
    pub fn set_verify_callback<F>(&mut self, mode: SslVerifyMode, callback: F)
    where
        F: Fn(bool, &mut crate::x509::X509StoreContextRef) -> bool + Send + Sync + 'static,
    {
        self.inner.verify_mode = mode;
        self.config.verify_callback = Some(Arc::new(callback));
    }

    /// `SSL_CTX_set_tlsext_servername_callback`: a server calls `callback` with each
    /// client's first ClientHello, before it answers (`ssl.servername(NameType::HOST_NAME)` is the name the
    /// client asked for). The callback may switch the connection to another context's
    /// certificates with [`super::Ssl::set_ssl_context`]; `Err(SniError::NOACK)` goes on
    /// without acknowledging the name, `Err(SniError::ALERT_FATAL)` fails the handshake
    /// with the alert it set (unrecognized_name by default).
    ///
    /// ```
    /// use oxssl::ssl::{NameType, SniError, SslAlert, SslContext, SslMethod};
    ///
    /// let other = SslContext::builder(SslMethod::tls_server()).unwrap().build();
    /// let mut b = SslContext::builder(SslMethod::tls_server()).unwrap();
    /// b.set_servername_callback(move |ssl, alert| match ssl.servername(NameType::HOST_NAME) {
    ///     Some("other.example") => ssl.set_ssl_context(&other).map_err(|_| SniError::ALERT_FATAL),
    ///     Some(_) => {
    ///         *alert = SslAlert::UNRECOGNIZED_NAME;
    ///         Err(SniError::ALERT_FATAL)
    ///     }
    ///     None => Ok(()),
    /// });
    /// ```
    pub fn set_servername_callback<F>(&mut self, callback: F)
    where
        F: Fn(&mut super::Ssl, &mut super::SslAlert) -> Result<(), super::SniError>
            + Send
            + Sync
            + 'static,
    {
        self.inner.servername_cb = Some(Arc::new(callback));
    }

    /// `SSL_CTX_set_alpn_select_cb`: a server whose client offers ALPN calls `callback`
    /// with the client's protocols (wire format) and answers with the one it returns;
    /// `Err(AlpnError::NOACK)` goes on without ALPN, `Err(AlpnError::ALERT_FATAL)` fails
    /// with no_application_protocol. Without a callback the server picks from
    /// [`SslContextBuilder::set_alpn_protos`]'s list.
    ///
    /// ```
    /// use oxssl::ssl::{select_next_proto, AlpnError, SslContext, SslMethod};
    ///
    /// let mut b = SslContext::builder(SslMethod::tls_server()).unwrap();
    /// b.set_alpn_select_callback(|_, client| {
    ///     select_next_proto(b"\x02h2\x08http/1.1", client).ok_or(AlpnError::NOACK)
    /// });
    /// ```
    pub fn set_alpn_select_callback<F>(&mut self, callback: F)
    where
        F: for<'a> Fn(&mut super::Ssl, &'a [u8]) -> Result<&'a [u8], super::AlpnError>
            + Send
            + Sync
            + 'static,
    {
        self.inner.alpn_select_cb = Some(Arc::new(callback));
    }

    /// `SSL_CTX_set_post_handshake_auth`: clients offer TLS 1.3 post-handshake
    /// authentication, so a server may ask for their certificate after the handshake
    /// ([`super::Ssl::verify_client_post_handshake`]).
    pub fn set_post_handshake_auth(&mut self, on: bool) {
        self.config.post_handshake_auth = on;
    }

    /// `SSL_CTX_set_client_CA_list`: the CA names a server lists in its CertificateRequest
    /// (TLS 1.2 certificate_authorities, TLS 1.3 extension), so a client can pick a
    /// certificate those CAs issued.
    pub fn set_client_ca_list(&mut self, list: Stack<X509Name>) {
        self.config.client_ca_names = list.iter().filter_map(|n| n.to_der().ok()).collect();
    }

    /// `SSL_CTX_add_client_CA`: adds `cacert`'s subject to that list.
    pub fn add_client_ca(&mut self, cacert: &X509Ref) -> Result<(), ErrorStack> {
        self.config
            .client_ca_names
            .push(cacert.subject_name().to_der()?);
        Ok(())
    }

    /// `SSL_CTX_set_verify_depth`: the most intermediate certificates a peer's chain may
    /// have between its own and the trust anchor (default 100); a longer chain fails with
    /// `X509_V_ERR_CERT_CHAIN_TOO_LONG`.
    pub fn set_verify_depth(&mut self, depth: u32) {
        self.config.verify_depth = depth;
    }

    /// `SSL_CTX_set_mode`: adds mode bits, returns the new mode.
    pub fn set_mode(&mut self, mode: SslMode) -> SslMode {
        self.inner.mode.insert(mode);
        self.inner.mode
    }

    /// `SSL_CTX_clear_mode`.
    pub fn clear_mode(&mut self, mode: SslMode) -> SslMode {
        self.inner.mode.remove(mode);
        self.inner.mode
    }

    /// `SSL_CTX_set_options`: adds option bits, returns the new options.
    pub fn set_options(&mut self, options: SslOptions) -> SslOptions {
        self.inner.options.insert(options);
        self.inner.options
    }

    /// `SSL_CTX_clear_options`.
    pub fn clear_options(&mut self, options: SslOptions) -> SslOptions {
        self.inner.options.remove(options);
        self.inner.options
    }

    /// `SSL_CTX_set_ciphersuites` (TLS 1.3 suites, colon-separated).
    pub fn set_ciphersuites(&mut self, list: &str) -> Result<(), ErrorStack> {
        self.config.cipher_suites = parse_ciphersuites(list)?;
        Ok(())
    }

    /// `SSL_CTX_set_cipher_list`: the TLS 1.2 suites, in OpenSSL's cipher-string language
    /// (`"ECDHE+AESGCM:!aNULL"`, `"HIGH"`, `"ECDHE-ECDSA-AES128-GCM-SHA256"`, ...; see
    /// [`crate::cipher_list`]). TLS 1.3 suites are set with
    /// [`SslContextBuilder::set_ciphersuites`].
    ///
    /// ```
    /// use oxssl::ssl::{SslContext, SslMethod};
    /// let mut b = SslContext::builder(SslMethod::tls()).unwrap();
    /// b.set_cipher_list("ECDHE+AESGCM:!aRSA").unwrap();
    /// assert!(b.set_cipher_list("RC4-MD5").is_err());
    /// ```
    pub fn set_cipher_list(&mut self, list: &str) -> Result<(), ErrorStack> {
        apply_cipher_list(&mut self.config.tls12_cipher_suites, list)
    }

    /// `SSL_CTX_set1_groups_list` ("X25519MLKEM768:X25519:P-256:P-384").
    pub fn set_groups_list(&mut self, list: &str) -> Result<(), ErrorStack> {
        self.config.groups = parse_groups(list)?;
        Ok(())
    }

    /// `SSL_CTX_set1_sigalgs_list` ("ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256:...").
    pub fn set_sigalgs_list(&mut self, list: &str) -> Result<(), ErrorStack> {
        self.config.signature_schemes = parse_sigalgs(list)?;
        Ok(())
    }

    /// `SSL_CTX_set_alpn_protos`: protocols in wire format (length-prefixed names, e.g.
    /// `b"\x02h2\x08http/1.1"`). A client offers them; a server selects the first of them
    /// that the client offered.
    pub fn set_alpn_protos(&mut self, wire: &[u8]) -> Result<(), ErrorStack> {
        self.config.alpn_protocols = parse_alpn(wire)?;
        Ok(())
    }
}

impl SslContextBuilder {
    /// `SSL_CTX_set_min_proto_version` (None: the lowest supported).
    pub fn set_min_proto_version(&mut self, v: Option<SslVersion>) -> Result<(), ErrorStack> {
        self.inner.min_version = v;
        Ok(())
    }

    /// `SSL_CTX_set_max_proto_version` (None: the highest supported).
    pub fn set_max_proto_version(&mut self, v: Option<SslVersion>) -> Result<(), ErrorStack> {
        self.inner.max_version = v;
        Ok(())
    }

    /// `SSL_CTX_set_max_send_fragment`: 512..=16384, other values are refused.
    pub fn set_max_send_fragment(&mut self, n: usize) -> Result<(), ErrorStack> {
        if !(512..=crate::record::MAX_PLAINTEXT).contains(&n) {
            return Err(err(
                Reason::BAD_VALUE,
                format!("max_send_fragment {n} outside 512..=16384"),
            ));
        }
        self.inner.max_send_fragment = n;
        self.inner.split_send_fragment = self.inner.split_send_fragment.min(n);
        Ok(())
    }

    /// `SSL_CTX_set_split_send_fragment`: 1..=max_send_fragment.
    pub fn set_split_send_fragment(&mut self, n: usize) -> Result<(), ErrorStack> {
        if n == 0 || n > self.inner.max_send_fragment {
            return Err(err(
                Reason::BAD_VALUE,
                format!("split_send_fragment {n} outside 1..=max_send_fragment"),
            ));
        }
        self.inner.split_send_fragment = n;
        Ok(())
    }

    /// `SSL_CTX_set_read_ahead`: read as much as is available instead of one record at a time.
    pub fn set_read_ahead(&mut self, on: bool) {
        self.inner.read_ahead = on;
    }

    /// `SSL_CTX_set_max_cert_list`.
    pub fn set_max_cert_list(&mut self, n: usize) {
        self.config.max_cert_list = n;
    }

    /// Trust the certificates in a PEM file (`SSL_CTX_load_verify_locations(ctx, file, NULL)`).
    pub fn set_ca_file(&mut self, path: impl AsRef<Path>) -> Result<(), ErrorStack> {
        self.trust
            .0
            .add_pem_file(path)
            .map_err(|e| x509_err(Reason::BAD_VALUE, e))?;
        Ok(())
    }

    /// Trust one DER certificate (`X509_STORE_add_cert`).
    pub fn add_trusted_der(&mut self, der: &[u8]) -> Result<(), ErrorStack> {
        self.trust
            .0
            .add_der(der)
            .map_err(|e| x509_err(Reason::BAD_VALUE, e))
    }

    /// Trust the system's CA certificates (`SSL_CTX_set_default_verify_paths`).
    pub fn set_default_verify_paths(&mut self) -> Result<(), ErrorStack> {
        self.trust.0.add_system_roots();
        Ok(())
    }

    /// Replaces the trust store.
    pub fn set_trust_store(&mut self, store: TrustStore) {
        self.trust = X509StoreBuilder(store);
    }

    /// The trust store being filled (`SSL_CTX_get_cert_store`), to add certificates to.
    pub fn cert_store_mut(&mut self) -> &mut X509StoreBuilderRef {
        &mut self.trust
    }

    /// The trust store being filled.
    pub fn cert_store(&self) -> &X509StoreBuilderRef {
        &self.trust
    }

    /// Replaces the trust store (`SSL_CTX_set_cert_store`).
    pub fn set_cert_store(&mut self, store: X509Store) {
        self.trust = X509StoreBuilder(store.0);
    }

    /// `SSL_CTX_load_verify_locations`: trusts the certificates of a PEM file and/or of
    /// every file in a directory (OpenSSL's hashed `CApath` layout works; any file name
    /// does).
    pub fn load_verify_locations(
        &mut self,
        ca_file: Option<&Path>,
        ca_path: Option<&Path>,
    ) -> Result<(), ErrorStack> {
        self.trust.load_locations(ca_file, ca_path)
    }

    /// The verification parameters new connections start with
    /// (`SSL_CTX_get0_param`): host name, IP address, depth.
    pub fn verify_param_mut(&mut self) -> &mut X509VerifyParamRef {
        &mut self.inner.param
    }

    /// The verification parameters new connections start with.
    pub fn verify_param(&self) -> &X509VerifyParamRef {
        &self.inner.param
    }

    /// `SSL_CTX_use_certificate`: the end-entity certificate (extra chain certificates
    /// stay).
    pub fn set_certificate(&mut self, cert: &X509Ref) -> Result<(), ErrorStack> {
        set_leaf(&mut self.inner.cert, cert);
        Ok(())
    }

    /// `SSL_CTX_add_extra_chain_cert`: a certificate sent after the end-entity one.
    pub fn add_extra_chain_cert(&mut self, cert: X509) -> Result<(), ErrorStack> {
        self.inner.cert.extra.push(cert.into());
        Ok(())
    }

    /// `SSL_CTX_use_PrivateKey`.
    pub fn set_private_key(&mut self, key: &PKeyRef<Private>) -> Result<(), ErrorStack> {
        self.inner.cert.key = Some(signing_key_of(key)?);
        Ok(())
    }

    /// The certificate chain, end entity first, as DER (`SSL_CTX_use_certificate` plus
    /// `SSL_CTX_add1_chain_cert`).
    pub fn set_certificate_chain_der(&mut self, chain: Vec<Vec<u8>>) -> Result<(), ErrorStack> {
        self.inner.cert.chain = parse_chain(chain)?;
        Ok(())
    }

    /// `SSL_CTX_use_certificate_chain_file` (PEM, end entity first).
    pub fn set_certificate_chain_file(&mut self, path: impl AsRef<Path>) -> Result<(), ErrorStack> {
        let chain = x509::certs_from_pem_file(path)
            .map_err(|e| x509_err(Reason::NO_CERTIFICATE_ASSIGNED, e))?;
        if chain.is_empty() {
            return Err(err(
                Reason::NO_CERTIFICATE_ASSIGNED,
                "no certificate in file",
            ));
        }
        self.inner.cert.chain = chain;
        Ok(())
    }

    /// `SSL_CTX_use_certificate_file`: the end-entity certificate only.
    pub fn set_certificate_file(
        &mut self,
        path: impl AsRef<Path>,
        format: SslFiletype,
    ) -> Result<(), ErrorStack> {
        let certs = match format {
            SslFiletype::PEM => x509::certs_from_pem_file(path)
                .map_err(|e| x509_err(Reason::NO_CERTIFICATE_ASSIGNED, e))?,
            SslFiletype::ASN1 => {
                vec![CertificateDer::from(std::fs::read(path).map_err(|e| {
                    err(Reason::NO_CERTIFICATE_ASSIGNED, e.to_string())
                })?)]
            }
        };
        let leaf = certs
            .into_iter()
            .next()
            .ok_or_else(|| err(Reason::NO_CERTIFICATE_ASSIGNED, "no certificate in file"))?;
        self.inner.cert.chain = vec![leaf];
        Ok(())
    }

    /// The private key as DER (PKCS#8, PKCS#1 or SEC1) (`SSL_CTX_use_PrivateKey`).
    pub fn set_private_key_der(&mut self, der: &[u8]) -> Result<(), ErrorStack> {
        self.inner.cert.key = Some(parse_private_key(der)?);
        Ok(())
    }

    /// `SSL_CTX_use_PrivateKey_file`.
    pub fn set_private_key_file(
        &mut self,
        path: impl AsRef<Path>,
        format: SslFiletype,
    ) -> Result<(), ErrorStack> {
        // The key's bytes are wiped once the signing key is built from them.
        let der = zeroize::Zeroizing::new(match format {
            SslFiletype::PEM => zeroize::Zeroizing::new(
                x509::private_key_from_pem_file(path)
                    .map_err(|e| x509_err(Reason::NO_PRIVATE_KEY_ASSIGNED, e))?,
            )
            .secret_der()
            .to_vec(),
            SslFiletype::ASN1 => std::fs::read(path)
                .map_err(|e| err(Reason::NO_PRIVATE_KEY_ASSIGNED, e.to_string()))?,
        });
        self.set_private_key_der(&der)
    }

    /// `SSL_CTX_check_private_key`: the key matches the end-entity certificate.
    pub fn check_private_key(&self) -> Result<(), ErrorStack> {
        self.inner.cert.check_private_key()
    }

    /// `SSL_CTX_set_keylog_callback`: `callback` gets each connection's secrets as NSS
    /// key log lines (`SSLKEYLOGFILE` format, no newline), right after the operation that
    /// made them.
    ///
    /// ```
    /// use oxssl::ssl::{SslContext, SslMethod};
    /// let mut b = SslContext::builder(SslMethod::tls()).unwrap();
    /// b.set_keylog_callback(|_ssl, line| eprintln!("{line}"));
    /// ```
    pub fn set_keylog_callback<F>(&mut self, callback: F)
    where
        F: Fn(&super::SslRef, &str) + Send + Sync + 'static,
    {
        self.inner.keylog_cb = Some(Arc::new(callback));
        self.config.keylog_lines = true;
    }

    /// Adds a server certificate of another key type (an RSA one beside an ECDSA one, as
    /// OpenSSL keeps one per type, `s_server -dcert`): chain as DER (end entity first) and
    /// its private key. Each handshake uses the first certificate the client can verify.
    pub fn add_certificate_chain_der(
        &mut self,
        chain: Vec<Vec<u8>>,
        key_der: &[u8],
    ) -> Result<(), ErrorStack> {
        let ck = certified_pair(chain, key_der)?;
        self.config.extra_keys.push(ck);
        Ok(())
    }

    /// Certificates for one server name: a client whose SNI names `name` gets this chain
    /// instead of the default ones (what `SSL_CTX_set_tlsext_servername_callback` with
    /// `SSL_set_SSL_CTX` does in `s_server -servername NAME -cert2 ...`).
    pub fn add_server_name_certificate_der(
        &mut self,
        name: &str,
        chain: Vec<Vec<u8>>,
        key_der: &[u8],
    ) -> Result<(), ErrorStack> {
        let ck = certified_pair(chain, key_der)?;
        match self
            .config
            .named_keys
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some((_, keys)) => keys.push(ck),
            None => self.config.named_keys.push((name.to_string(), vec![ck])),
        }
        Ok(())
    }

    /// Watches every connection's protocol messages and handshake states (OpenSSL's
    /// `SSL_CTX_set_msg_callback` and `SSL_CTX_set_info_callback` in one observer; what
    /// `s_client -msg -state` prints).
    pub fn set_observer(&mut self, observer: Arc<dyn crate::config::Observer>) {
        self.config.observer = Some(observer);
    }

    /// `SSL_CTX_set_session_cache_mode`: whether a server caches TLS 1.2 sessions by id
    /// (SERVER, the default) and whether the new-session callback sees client (CLIENT) or
    /// server (SERVER) sessions. Returns the previous mode.
    pub fn set_session_cache_mode(&mut self, mode: SslSessionCacheMode) -> SslSessionCacheMode {
        let old = self.inner.session_cache_mode;
        self.inner.session_cache_mode = mode;
        let server = mode.contains(SslSessionCacheMode::SERVER);
        let r = &mut self.config.resumption;
        r.cache_store = server && !mode.contains(SslSessionCacheMode::NO_INTERNAL_STORE);
        r.cache_lookup = server && !mode.contains(SslSessionCacheMode::NO_INTERNAL_LOOKUP);
        old
    }

    /// `SSL_CTX_sess_set_new_cb`: `callback` gets every new session of a connection
    /// (client: each TLS 1.3 ticket and each TLS 1.2 handshake; server: each TLS 1.2
    /// session it caches) when the cache mode has CLIENT (or SERVER) for its side, as in
    /// OpenSSL. A client keeps sessions for reuse this way, keyed by server name:
    ///
    /// ```
    /// use oxssl::ssl::{SslContextBuilder, SslContext, SslMethod, SslSessionCacheMode};
    /// use std::collections::HashMap;
    /// use std::sync::{Arc, Mutex};
    ///
    /// let store = Arc::new(Mutex::new(HashMap::new()));
    /// let mut b = SslContext::builder(SslMethod::tls_client()).unwrap();
    /// b.set_session_cache_mode(SslSessionCacheMode::CLIENT);
    /// let s = store.clone();
    /// b.set_new_session_callback(move |ssl, session| {
    ///     let name = ssl.servername(oxssl::ssl::NameType::HOST_NAME).unwrap_or_default().to_string();
    ///     s.lock().unwrap().insert(name, session);
    /// });
    /// ```
    pub fn set_new_session_callback<F>(&mut self, callback: F)
    where
        F: Fn(&mut super::Ssl, SslSession) + Send + Sync + 'static,
    {
        self.inner.new_session_cb = Some(Arc::new(callback));
        self.config.resumption.collect_new = true;
    }

    /// `SSL_CTX_set_num_tickets`: TLS 1.3 tickets a server sends after each full handshake
    /// (default 2; at most 16 are sent); after a resumed one it sends one (none for 0), as
    /// OpenSSL does.
    pub fn set_num_tickets(&mut self, n: usize) -> Result<(), ErrorStack> {
        self.config.resumption.num_tickets = u32::try_from(n).unwrap_or(u32::MAX);
        Ok(())
    }

    /// `SSL_CTX_set_session_id_context`: a server resumes only sessions made under the
    /// same context (at most 32 bytes).
    pub fn set_session_id_context(&mut self, sid_ctx: &[u8]) -> Result<(), ErrorStack> {
        if sid_ctx.len() > 32 {
            return Err(err(
                Reason::SSL_SESSION_ID_CONTEXT_TOO_LONG,
                "session id context longer than 32 bytes",
            ));
        }
        self.config.resumption.sid_ctx = sid_ctx.to_vec();
        Ok(())
    }

    /// `SSL_CTX_set_max_early_data`: the most early data (0-RTT) a server accepts, and
    /// advertises in its tickets (0, the default, turns early data off). Early data is
    /// read with [`super::Ssl::read_early_data`]; each ticket's early data is accepted
    /// once.
    pub fn set_max_early_data(&mut self, bytes: u32) -> Result<(), ErrorStack> {
        self.config.resumption.max_early_data = bytes;
        Ok(())
    }

    /// `SSL_CTX_set_timeout`: lifetime in seconds of the sessions and tickets this server
    /// issues (default 7200; TLS 1.3 tickets are capped at seven days).
    pub fn set_timeout(&mut self, seconds: u32) -> u32 {
        std::mem::replace(&mut self.config.resumption.timeout, seconds)
    }

    /// `SSL_CTX_sess_set_cache_size`: the most sessions the server cache holds (0: no
    /// limit). Returns the previous size.
    pub fn set_session_cache_size(&mut self, size: i32) -> i64 {
        let cache = &self.config.resumption.cache;
        let old = cache.max_size();
        cache.set_max_size(usize::try_from(size).unwrap_or(0));
        i64::try_from(old).unwrap_or(i64::MAX)
    }

    /// Shares `other`'s session state: its ticket keys, TLS 1.2 session cache and
    /// early-data replay guard, so that either context resumes the sessions of both (what
    /// OpenSSL's session context does for an `SSL` moved to another `SSL_CTX`, and what a
    /// rebuilt context needs to keep resuming its predecessor's sessions).
    pub fn share_sessions_with(&mut self, other: &SslContext) {
        let theirs = &other.inner.config.resumption;
        let ours = &mut self.config.resumption;
        ours.keys = theirs.keys.clone();
        ours.cache = theirs.cache.clone();
        ours.replay = theirs.replay.clone();
    }

    /// Uses a fixed ticket key (a 16-byte name and a 32-byte AES-256 key) instead of
    /// random rotating ones, so that several servers accept each other's tickets (what
    /// `SSL_CTX_set_tlsext_ticket_keys` is for).
    ///
    /// Rotation is then the caller's job: the default keys roll over every session timeout
    /// (2 hours), a fixed key never does. Whoever holds it can open every ticket it sealed
    /// (a TLS 1.2 ticket holds the master secret of its recorded sessions, a TLS 1.3 one the
    /// key to its 0-RTT data) and forge tickets, resuming as any client: give all servers a
    /// new secret at least daily and destroy the old one. There is
    /// one key at a time: a context built with the new secret refuses the old key's tickets,
    /// and those clients fall back to a full handshake (no error) and get new tickets. To
    /// spread that over a period, move servers to the new key one by one, or roll over
    /// when few sessions are live.
    pub fn set_ticket_key_secret(&mut self, secret: &[u8; 48]) -> Result<(), ErrorStack> {
        let keys = crate::session::ticket::TicketKeys::from_secret(secret)
            .map_err(|e| err(Reason::INVALID_TICKET_KEYS_LENGTH, e.0))?;
        self.config.resumption.keys = Arc::new(keys);
        Ok(())
    }

    /// Direct access to the engine configuration, for settings without an OpenSSL name.
    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.config
    }

    /// Builds the context.
    pub fn build(mut self) -> SslContext {
        self.config.verify = engine_verify(self.inner.verify_mode);
        self.config.pause_on_client_hello =
            self.inner.servername_cb.is_some() || self.inner.alpn_select_cb.is_some();
        self.config.trust = Arc::new(self.trust.0);
        match self.inner.cert.certified_key() {
            Some(ck) => self.config.certified_key = Some(ck),
            // A pair set through `config_mut` is what an `Ssl` starts from, too.
            None => {
                if let Some(ck) = &self.config.certified_key {
                    if self.inner.cert.chain.is_empty() && self.inner.cert.key.is_none() {
                        self.inner.cert = CertParts {
                            chain: ck.chain.clone(),
                            key: Some(ck.key.clone()),
                            extra: Vec::new(),
                        };
                    }
                }
            }
        }
        let mut config = Arc::new(self.config);
        apply_options(&mut config, self.inner.options, &self.inner);
        self.inner.config = config;
        SslContext {
            inner: Arc::new(self.inner),
        }
    }
}
