//! `Ssl`: one connection with OpenSSL's `SSL_write` / `SSL_read` / `SSL_shutdown`
//! semantics over BIOs (see `SSL_WRITE.md` in the project's shared docs).
//!
//! The write state kept between retries is OpenSSL's: `wnum` (bytes of this call already
//! in fully sent records) and the pending record (its plaintext length and the address it
//! was built from). A Rust caller retries after WANT_WRITE by passing the same slice again
//! (same pointer, at least as long): `ssl.ssl_write(&buf[..])` with the same `buf`. With
//! [`SslMode::ACCEPT_MOVING_WRITE_BUFFER`] the contents may move, as long as the bytes
//! already committed stay the same.
//!
//! Configuration is per connection, as `SSL_set_*` is: an `Ssl` starts with its context's
//! engine [`Config`] (shared, not copied) and copies it on the first setter that changes
//! it, so neither the context nor other connections see the change.

use super::callbacks::{AlpnError, NameType, SniError, SslAlert};
use super::cipher::{SslCipher, SslCipherRef};
use super::context::{self, CertParts, SslContext};
use super::error::{Error, ErrorCode, ErrorEntry, ErrorStack, InnerError, LIB_BIO};
use super::flags::SslSessionCacheMode;
use super::flags::{
    KeyUpdateType, ShutdownResult, ShutdownState, SslMode, SslOptions, SslVerifyMode,
};
use super::io::{Bios, Io};
use super::session::SslSession;
use crate::bio::{Bio, BioError, RetryFlags};
use crate::config::Config;
use crate::conn::{Connection, Event};
use crate::error::TlsError;
use crate::handshake::client::ClientOptions;
use crate::handshake::HelloDecision;
use crate::msgs::enums::AlertDescription;
use crate::pkey::{PKeyRef, Private};
use crate::reason::Reason;
use crate::stack::Stack;
use crate::x509::verify::{X509VerifyParam, X509VerifyParamRef};
use crate::x509::{X509Name, X509Ref, X509VerifyResult, X509};
use std::io;
use std::sync::Arc;

/// The record whose ciphertext is not fully handed to the transport yet.
#[derive(Clone, Copy, Debug)]
struct PendingWrite {
    /// Plaintext bytes in the record (`wpend_tot`).
    tot: usize,
    /// Address of the record's first plaintext byte in the caller's buffer (`wpend_buf`).
    addr: usize,
}

/// One TLS connection (an `SSL`).
pub struct Ssl {
    ctx: SslContext,
    /// The engine configuration for this connection's next handshake: the context's until
    /// a setter changes it (copy on write).
    config: Arc<Config>,
    verify_mode: SslVerifyMode,
    /// Certificate and key set on this connection (`SSL_use_certificate` /
    /// `SSL_use_PrivateKey`); None while they are the context's.
    cert: Option<Box<CertParts>>,
    is_client: Option<bool>,
    conn: Option<Box<Connection>>,
    bios: Bios,
    mode: SslMode,
    options: SslOptions,
    max_send_fragment: usize,
    split_send_fragment: usize,
    read_ahead: bool,
    sni: Option<String>,
    /// Host name / IP address and depth to verify the peer against (`SSL_get0_param`).
    param: X509VerifyParam,
    wnum: usize,
    wpend: Option<PendingWrite>,
    fatal: bool,
    shutdown: ShutdownState,
    key_update: Option<bool>,
    /// `SSL_renegotiate` was called on an established connection and the renegotiation
    /// has not started yet (it starts at the next call with no write pending).
    renegotiate_requested: bool,
    /// The requested renegotiation may resume the session (`SSL_renegotiate_abbreviated`).
    renegotiate_abbreviated: bool,
    /// `SSL_renegotiate` was called before the first handshake finished; as in OpenSSL,
    /// `renegotiate_pending` reports it until then.
    renegotiate_before_init: bool,
    last_code: ErrorCode,
    /// The session to resume (`SSL_set_session`), offered by the next client handshake.
    resume: Option<Arc<crate::session::Session>>,
    /// Early data is written (client) or read (server) before the handshake completes.
    early_data_intent: bool,
    /// Reads do not wait for queued output the transport cannot take now (set by the
    /// async stream; see `flush_before_read`).
    read_skips_blocked_output: bool,
}

impl std::fmt::Debug for Ssl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ssl")
            .field("is_client", &self.is_client)
            .field("state", &self.state_string_long())
            .field("fatal", &self.fatal)
            .finish_non_exhaustive()
    }
}

fn would_block() -> Option<InnerError> {
    Some(InnerError::Io(io::ErrorKind::WouldBlock.into()))
}

impl Ssl {
    /// A connection using `ctx` (`SSL_new`). Call [`Ssl::set_connect_state`] or
    /// [`Ssl::set_accept_state`] and give it BIOs before the first operation.
    pub fn new(ctx: &SslContext) -> Result<Ssl, ErrorStack> {
        let c = &ctx.inner;
        Ok(Ssl {
            ctx: ctx.clone(),
            config: c.config.clone(),
            verify_mode: c.verify_mode,
            cert: None,
            is_client: None,
            conn: None,
            bios: Bios::None,
            mode: c.mode,
            options: c.options,
            max_send_fragment: c.max_send_fragment,
            split_send_fragment: c.split_send_fragment,
            read_ahead: c.read_ahead,
            sni: None,
            param: c.param.clone(),
            wnum: 0,
            wpend: None,
            fatal: false,
            shutdown: ShutdownState::empty(),
            key_update: None,
            renegotiate_requested: false,
            renegotiate_abbreviated: false,
            renegotiate_before_init: false,
            last_code: ErrorCode::NONE,
            resume: None,
            early_data_intent: false,
            read_skips_blocked_output: false,
        })
    }

    // ----- configuration -----

    /// `SSL_set_connect_state`: this end is the client.
    pub fn set_connect_state(&mut self) {
        self.set_side(true);
    }

    /// `SSL_set_accept_state`: this end is the server.
    pub fn set_accept_state(&mut self) {
        self.set_side(false);
    }

    fn set_side(&mut self, client: bool) {
        if self.is_client != Some(client) {
            self.is_client = Some(client);
            self.conn = None;
        }
    }

    /// True for the server side (`SSL_is_server`).
    pub fn is_server(&self) -> bool {
        self.is_client == Some(false)
    }

    /// Uses one BIO for reading and writing (`SSL_set_bio(ssl, bio, bio)`).
    pub fn set_bio<B: Bio + Send + Sync + 'static>(&mut self, bio: B) {
        self.bios = Bios::Single(Box::new(bio));
    }

    /// Uses separate read and write BIOs (`SSL_set_bio(ssl, rbio, wbio)`).
    pub fn set_bios<R: Bio + Send + Sync + 'static, W: Bio + Send + Sync + 'static>(
        &mut self,
        rbio: R,
        wbio: W,
    ) {
        self.bios = Bios::Split {
            r: Box::new(rbio),
            w: Box::new(wbio),
        };
    }

    /// `SSL_set_tlsext_host_name`: the server name sent in SNI. It checks nothing: the
    /// certificate is matched against [`Ssl::set_verify_hostname`]'s name, and only
    /// enforced with [`SslVerifyMode::PEER`].
    pub fn set_hostname(&mut self, name: &str) -> Result<(), ErrorStack> {
        if name.is_empty() || name.len() > 255 {
            return Err(ErrorStack::one(ErrorEntry::ssl(
                Reason::SSL3_EXT_INVALID_SERVERNAME,
                "bad host name",
            )));
        }
        self.sni = Some(name.to_string());
        Ok(())
    }

    /// `SSL_set1_host`: the name the peer certificate must match.
    ///
    /// Under the default verify mode (NONE, as OpenSSL) a mismatch is only recorded in
    /// `verify_result` and the handshake succeeds with any certificate: set
    /// [`SslVerifyMode::PEER`] too, or use
    /// [`SslConnector`](super::SslConnector), which does both.
    pub fn set_verify_hostname(&mut self, name: &str) {
        // A NUL byte is the only refusal, and such a name can never match anyway.
        if self.param.set_host(name).is_err() {
            let _ = self.param.set_host("\u{fffd}");
        }
    }

    /// The verification parameters of this connection (`SSL_get0_param`): the host name
    /// or IP address the peer's certificate must match, the depth limit.
    pub fn param_mut(&mut self) -> &mut X509VerifyParamRef {
        &mut self.param
    }

    /// `SSL_set_mode`: adds mode bits and returns the new mode.
    pub fn set_mode(&mut self, mode: SslMode) -> SslMode {
        self.mode.insert(mode);
        self.mode
    }

    /// `SSL_clear_mode`.
    pub fn clear_mode(&mut self, mode: SslMode) -> SslMode {
        self.mode.remove(mode);
        self.mode
    }

    /// `SSL_get_mode`.
    pub fn mode(&self) -> SslMode {
        self.mode
    }

    /// `SSL_set_options`: adds option bits for this connection and returns the new
    /// options. [`SslOptions::CIPHER_SERVER_PREFERENCE`] and
    /// [`SslOptions::ENABLE_MIDDLEBOX_COMPAT`] apply from the next handshake (see
    /// [`Ssl::config`]).
    pub fn set_options(&mut self, options: SslOptions) -> SslOptions {
        self.options.insert(options);
        context::apply_options(&mut self.config, self.options, &self.ctx.inner);
        self.options
    }

    /// `SSL_clear_options`; like [`Ssl::set_options`], for this connection only.
    pub fn clear_options(&mut self, options: SslOptions) -> SslOptions {
        self.options.remove(options);
        context::apply_options(&mut self.config, self.options, &self.ctx.inner);
        self.options
    }

    /// `SSL_get_options`.
    pub fn options(&self) -> SslOptions {
        self.options
    }

    /// `SSL_set_max_send_fragment`: 512..=16384; other values are refused (C returns 0).
    pub fn set_max_send_fragment(&mut self, n: usize) -> Result<(), ErrorStack> {
        if !(512..=crate::record::MAX_PLAINTEXT).contains(&n) {
            return Err(ErrorStack::one(ErrorEntry::ssl(
                Reason::BAD_VALUE,
                "max_send_fragment outside 512..=16384",
            )));
        }
        self.max_send_fragment = n;
        self.split_send_fragment = self.split_send_fragment.min(n);
        Ok(())
    }

    /// `SSL_set_split_send_fragment`: 1..=max_send_fragment.
    pub fn set_split_send_fragment(&mut self, n: usize) -> Result<(), ErrorStack> {
        if n == 0 || n > self.max_send_fragment {
            return Err(ErrorStack::one(ErrorEntry::ssl(
                Reason::BAD_VALUE,
                "split_send_fragment outside 1..=max",
            )));
        }
        self.split_send_fragment = n;
        Ok(())
    }

    /// `SSL_set_read_ahead`.
    pub fn set_read_ahead(&mut self, on: bool) {
        self.read_ahead = on;
    }
}

/// Per-connection engine settings (`SSL_set_*`). Each one applies to this connection only
/// and takes effect at its next handshake: a handshake already started (the first
/// `do_handshake`, `ssl_write` or `ssl_read` created the engine) keeps the configuration
/// it started with. OpenSSL differs in that case: it reads most settings when it uses
/// them, so a change made between two steps of a handshake can still affect that one.
impl Ssl {
    /// The engine configuration the next handshake uses: shared with the context until a
    /// setter of this connection changes it.
    pub fn config(&self) -> &Arc<Config> {
        &self.config
    }

    fn config_mut(&mut self) -> &mut Config {
        Arc::make_mut(&mut self.config)
    }

    /// `SSL_set_verify`: the verification mode for this connection.
    pub fn set_verify(&mut self, mode: SslVerifyMode) {
        self.verify_mode = mode;
        let verify = context::engine_verify(mode);
        if self.config.verify != verify {
            self.config_mut().verify = verify;
        }
    }

    /// `SSL_set_verify` with a callback, for this connection only (see
    /// [`super::SslContextBuilder::set_verify_callback`]).
    pub fn set_verify_callback<F>(&mut self, mode: SslVerifyMode, callback: F)
    where
        F: Fn(bool, &mut crate::x509::X509StoreContextRef) -> bool + Send + Sync + 'static,
    {
        self.set_verify(mode);
        self.config_mut().verify_callback = Some(Arc::new(callback));
    }

    /// `SSL_set_verify_depth`: see [`super::SslContextBuilder::set_verify_depth`].
    pub fn set_verify_depth(&mut self, depth: u32) {
        self.config_mut().verify_depth = depth;
    }

    /// `SSL_set_SSL_CTX`: this connection takes `ctx`'s certificates and keys (and its
    /// session id context, if it had the old context's) and, from now on, its callbacks;
    /// options, modes and verification settings stay. What a servername callback calls
    /// to answer a client with another name's certificate.
    pub fn set_ssl_context(&mut self, ctx: &SslContext) -> Result<(), ErrorStack> {
        let new = ctx.inner.config.clone();
        let old_sid = self.ctx.inner.config.resumption.sid_ctx.clone();
        let c = self.config_mut();
        c.certified_key = new.certified_key.clone();
        c.extra_keys = new.extra_keys.clone();
        c.named_keys = new.named_keys.clone();
        if c.resumption.sid_ctx == old_sid {
            c.resumption.sid_ctx = new.resumption.sid_ctx.clone();
        }
        self.cert = None;
        self.ctx = ctx.clone();
        let config = self.config.clone();
        if let Some(conn) = self.conn.as_mut() {
            conn.set_config(config);
        }
        Ok(())
    }

    /// The context this connection uses now (`SSL_get_SSL_CTX`).
    pub fn ssl_context(&self) -> &SslContext {
        &self.ctx
    }

    /// `SSL_set_post_handshake_auth`: see
    /// [`super::SslContextBuilder::set_post_handshake_auth`].
    pub fn set_post_handshake_auth(&mut self, on: bool) {
        if self.config.post_handshake_auth != on {
            self.config_mut().post_handshake_auth = on;
        }
    }

    /// `SSL_verify_client_post_handshake` (server, TLS 1.3): asks the client for its
    /// certificate; the request goes out with the next operation (a write, a read or
    /// `do_handshake`), and the client's answer is verified (with the verify mode and
    /// callback) as a read processes it. Fails before the handshake completes, on TLS
    /// 1.2, or when the client did not offer post-handshake authentication.
    pub fn verify_client_post_handshake(&mut self) -> Result<(), ErrorStack> {
        let conn = self.conn.as_mut().ok_or_else(|| {
            // As OpenSSL: before the handshake the version is not TLS 1.3 (yet).
            ErrorStack::one(ErrorEntry::ssl(
                Reason::WRONG_SSL_VERSION,
                "no handshake yet",
            ))
        })?;
        conn.verify_client_post_handshake()
            .map_err(|e| ErrorStack::from_tls(&e))
    }

    /// `SSL_get_verify_mode`.
    pub fn verify_mode(&self) -> SslVerifyMode {
        self.verify_mode
    }

    /// `SSL_set_ciphersuites` (TLS 1.3 suites, colon-separated).
    pub fn set_ciphersuites(&mut self, list: &str) -> Result<(), ErrorStack> {
        let value = context::parse_ciphersuites(list)?;
        self.config_mut().cipher_suites = value;
        Ok(())
    }

    /// `SSL_set_cipher_list`: the TLS 1.2 suites of this connection, in OpenSSL's
    /// cipher-string language (see [`crate::cipher_list`]).
    pub fn set_cipher_list(&mut self, list: &str) -> Result<(), ErrorStack> {
        let mut suites = self.config.tls12_cipher_suites.clone();
        let r = context::apply_cipher_list(&mut suites, list);
        if suites != self.config.tls12_cipher_suites {
            self.config_mut().tls12_cipher_suites = suites;
        }
        r
    }

    /// `SSL_set1_groups_list` ("X25519MLKEM768:X25519:P-256:P-384").
    pub fn set_groups_list(&mut self, list: &str) -> Result<(), ErrorStack> {
        let value = context::parse_groups(list)?;
        self.config_mut().groups = value;
        Ok(())
    }

    /// `SSL_set1_sigalgs_list` ("ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256:...").
    pub fn set_sigalgs_list(&mut self, list: &str) -> Result<(), ErrorStack> {
        let value = context::parse_sigalgs(list)?;
        self.config_mut().signature_schemes = value;
        Ok(())
    }

    /// `SSL_set_alpn_protos`: protocols in wire format (`b"\x02h2\x08http/1.1"`), offered
    /// by a client, selected from by a server.
    pub fn set_alpn_protos(&mut self, wire: &[u8]) -> Result<(), ErrorStack> {
        let value = context::parse_alpn(wire)?;
        self.config_mut().alpn_protocols = value;
        Ok(())
    }

    /// `SSL_set_max_cert_list`: the largest certificate message accepted from the peer.
    pub fn set_max_cert_list(&mut self, n: usize) {
        if self.config.max_cert_list != n {
            self.config_mut().max_cert_list = n;
        }
    }

    /// `SSL_get_max_cert_list`.
    pub fn max_cert_list(&self) -> usize {
        self.config.max_cert_list
    }

    /// This connection's certificate and key, starting from the context's.
    fn cert_parts(&mut self) -> &mut CertParts {
        let ctx = &self.ctx.inner;
        self.cert.get_or_insert_with(|| Box::new(ctx.cert.clone()))
    }

    /// Hands the certificate and key to the engine once both are set.
    fn sync_certified_key(&mut self) {
        let ck = self.cert_parts().certified_key();
        if ck.is_some() {
            self.config_mut().certified_key = ck;
        }
    }

    /// The certificate chain for this connection, end entity first, as DER
    /// (`SSL_use_certificate` plus `SSL_add1_chain_cert`). Used once a key is set too
    /// (here or on the context).
    pub fn set_certificate_chain_der(&mut self, chain: Vec<Vec<u8>>) -> Result<(), ErrorStack> {
        let chain = context::parse_chain(chain)?;
        self.cert_parts().chain = chain;
        self.sync_certified_key();
        Ok(())
    }

    /// `SSL_use_certificate`: this connection's end-entity certificate.
    pub fn set_certificate(&mut self, cert: &X509Ref) -> Result<(), ErrorStack> {
        context::set_leaf(self.cert_parts(), cert);
        self.sync_certified_key();
        Ok(())
    }

    /// `SSL_use_PrivateKey`: this connection's private key.
    pub fn set_private_key(&mut self, key: &PKeyRef<Private>) -> Result<(), ErrorStack> {
        let key = context::signing_key_of(key)?;
        self.cert_parts().key = Some(key);
        self.sync_certified_key();
        Ok(())
    }

    /// The private key for this connection as DER (PKCS#8, PKCS#1 or SEC1)
    /// (`SSL_use_PrivateKey`). Used once a certificate is set too.
    pub fn set_private_key_der(&mut self, der: &[u8]) -> Result<(), ErrorStack> {
        let key = context::parse_private_key(der)?;
        self.cert_parts().key = Some(key);
        self.sync_certified_key();
        Ok(())
    }

    /// `SSL_check_private_key`: this connection's key matches its end-entity certificate.
    pub fn check_private_key(&self) -> Result<(), ErrorStack> {
        match &self.cert {
            Some(parts) => parts.check_private_key(),
            None => self.ctx.inner.cert.check_private_key(),
        }
    }
}

impl Ssl {
    // ----- state -----

    /// The connection engine, once created (after the first operation).
    pub fn connection(&self) -> Option<&Connection> {
        self.conn.as_deref()
    }

    /// True once TLS 1.3 has been negotiated.
    fn is_tls13(&self) -> bool {
        self.conn
            .as_ref()
            .and_then(|c| c.negotiated().version)
            .is_some_and(|v| v == crate::msgs::enums::ProtocolVersion::TLSV1_3)
    }

    /// Handshake messages processed so far (0 before the engine exists): moves when a
    /// read processed a ticket, a KeyUpdate or a renegotiation message.
    pub fn handshake_messages_processed(&self) -> u64 {
        self.conn.as_ref().map_or(0, |c| c.handshake_messages())
    }

    /// `SSL_is_init_finished`.
    pub fn is_init_finished(&self) -> bool {
        self.conn.as_ref().is_some_and(|c| c.is_connected())
    }

    /// `SSL_get_shutdown`.
    pub fn get_shutdown(&self) -> ShutdownState {
        self.shutdown
    }

    /// `SSL_set_shutdown` (sets the bits, as OpenSSL does, without sending anything).
    pub fn set_shutdown(&mut self, state: ShutdownState) {
        self.shutdown = state;
    }

    /// `SSL_pending`: decrypted bytes ready to read without touching the transport.
    pub fn pending(&self) -> usize {
        self.conn.as_ref().map_or(0, |c| c.app_pending())
    }

    /// True if records are buffered but not yet processed (`SSL_has_pending`).
    pub fn has_pending(&self) -> bool {
        self.conn
            .as_ref()
            .is_some_and(|c| c.app_pending() > 0 || c.buffered_tls() > 0)
    }

    /// `SSL_get_error` for the last operation that failed (NONE after a success).
    pub fn last_error_code(&self) -> ErrorCode {
        self.last_code
    }

    /// `SSL_state_string_long`.
    pub fn state_string_long(&self) -> &'static str {
        match &self.conn {
            Some(c) => c.state_name(),
            None => "before SSL initialization",
        }
    }

    /// `SSL_get_version`: "TLSv1.3" once negotiated.
    pub fn version_str(&self) -> &'static str {
        self.conn
            .as_ref()
            .and_then(|c| c.negotiated().version)
            .map_or("unknown", |v| v.openssl_name())
    }

    /// The negotiated cipher suite's name (`SSL_CIPHER_get_name(SSL_get_current_cipher())`).
    pub fn current_cipher_name(&self) -> Option<&'static str> {
        self.conn.as_ref()?.negotiated().suite.map(|s| s.name())
    }

    /// The negotiated cipher suite (`SSL_get_current_cipher`).
    pub fn current_cipher(&self) -> Option<&'static SslCipherRef> {
        SslCipher::of(self.conn.as_ref()?.negotiated().suite?)
    }

    /// `SSL_state_string`: the handshake state in OpenSSL's six-character form
    /// ("SSLOK " once connected, "PINIT " before).
    pub fn state_string(&self) -> &'static str {
        state_code(self.state_string_long())
    }

    /// `SSL_export_keying_material` (RFC 8446 7.5, RFC 5705): fills `out` with keying
    /// material bound to this connection, `label` and `context`.
    ///
    /// ```
    /// # use oxssl::ssl::{Ssl, SslContext, SslMethod};
    /// # let ctx = SslContext::builder(SslMethod::tls()).unwrap().build();
    /// let ssl = Ssl::new(&ctx).unwrap();
    /// let mut key = [0u8; 32];
    /// // Before the handshake there is nothing to export.
    /// assert!(ssl.export_keying_material(&mut key, "EXPORTER-my-app", Some(b"ctx")).is_err());
    /// ```
    pub fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &str,
        context: Option<&[u8]>,
    ) -> Result<(), ErrorStack> {
        let conn = self.conn.as_ref().ok_or_else(|| {
            ErrorStack::one(ErrorEntry::ssl(Reason::UNINITIALIZED, "no handshake yet"))
        })?;
        conn.export_keying_material(out, label.as_bytes(), context)
            .map_err(|e| ErrorStack::from_tls(&e))
    }

    /// The negotiated group's name (`SSL_get0_group_name`).
    pub fn group_name(&self) -> Option<&'static str> {
        self.conn.as_ref()?.negotiated().group.map(|g| g.name())
    }

    /// `SSL_get0_alpn_selected`.
    pub fn selected_alpn_protocol(&self) -> Option<&[u8]> {
        self.conn.as_ref()?.negotiated().alpn.as_deref()
    }

    /// `SSL_get_servername`: the SNI name sent (client) or received (server; also inside
    /// the servername callback).
    pub fn servername(&self, _type: NameType) -> Option<&str> {
        match &self.conn {
            Some(c) if self.is_server() => c.negotiated().sni.as_deref(),
            _ => self.sni.as_deref(),
        }
    }

    /// `SSL_get_verify_result`: `X509_V_OK` or the `X509_V_ERR_*` code of the peer's
    /// chain.
    pub fn verify_result(&self) -> X509VerifyResult {
        X509VerifyResult::from_raw(
            self.conn
                .as_ref()
                .map_or(0, |c| c.negotiated().verify_result),
        )
    }

    /// Client: the CA names the server listed when it asked for our certificate
    /// (`SSL_get_client_CA_list`); `None` if it listed none.
    pub fn client_ca_list(&self) -> Option<Stack<X509Name>> {
        let names = &self.conn.as_ref()?.negotiated().client_ca_names;
        let list: Vec<X509Name> = names
            .iter()
            .filter_map(|der| X509Name::from_der(der).ok())
            .collect();
        (!list.is_empty()).then(|| list.into())
    }

    /// The peer's certificate (`SSL_get1_peer_certificate`).
    pub fn peer_certificate(&self) -> Option<X509> {
        let chain = &self.conn.as_ref()?.negotiated().peer_chain;
        chain.first().cloned().map(X509::from_checked)
    }

    /// The chain the peer sent, its own certificate first (`SSL_get_peer_cert_chain`;
    /// OpenSSL leaves the server's own certificate out of a server's view of a client's
    /// chain, oxssl does not).
    pub fn peer_cert_chain(&self) -> Option<Vec<X509>> {
        let chain = &self.conn.as_ref()?.negotiated().peer_chain;
        (!chain.is_empty()).then(|| chain.iter().cloned().map(X509::from_checked).collect())
    }

    /// The peer's certificate chain as DER, end entity first.
    pub fn peer_cert_chain_der(&self) -> Vec<Vec<u8>> {
        self.conn
            .as_ref()
            .map(|c| {
                c.negotiated()
                    .peer_chain
                    .iter()
                    .map(|d| d.as_ref().to_vec())
                    .collect()
            })
            .unwrap_or_default()
    }

    // ----- internals -----

    /// Ends a public operation: records its `SSL_get_error` code and, with RELEASE_BUFFERS,
    /// frees record buffers left empty. Doing this once per call (not per record) keeps a
    /// multi-record write free of per-record allocations.
    pub(crate) fn finish<T>(&mut self, r: Result<T, Error>) -> Result<T, Error> {
        self.last_code = match &r {
            Ok(_) => ErrorCode::NONE,
            Err(e) => e.code(),
        };
        if self.mode.contains(SslMode::RELEASE_BUFFERS) {
            if let Some(conn) = self.conn.as_mut() {
                conn.release_buffers();
            }
        }
        r
    }

    fn after_fatal() -> Error {
        Error::new(ErrorCode::SYSCALL, None)
    }

    fn conn_mut(&mut self) -> Result<&mut Connection, Error> {
        let Some(client) = self.is_client else {
            return Err(Error::reason(
                Reason::UNINITIALIZED,
                "neither connect nor accept state set",
            ));
        };
        if self.conn.is_none() {
            let method = self.ctx.inner.method;
            if (client && !method.allows_client()) || (!client && !method.allows_server()) {
                return Err(Error::reason(
                    Reason::WRONG_SSL_VERSION,
                    "method does not allow this side",
                ));
            }
            if self.config.min_version > self.config.max_version {
                return Err(Error::reason(
                    Reason::NO_PROTOCOLS_AVAILABLE,
                    "no protocol version enabled",
                ));
            }
            if let Some(depth) = self.param.depth() {
                if self.config.verify_depth != depth {
                    self.config_mut().verify_depth = depth;
                }
            }
            let config = self.config.clone();
            self.conn = Some(Box::new(if client {
                Connection::client(
                    config,
                    ClientOptions {
                        sni: self.sni.clone(),
                        verify_host: self.param.identity(),
                        session: self.resume.clone(),
                        early_data: self.early_data_intent,
                    },
                )
            } else {
                let mut server = Connection::server(config);
                server.set_accept_early_data(self.early_data_intent);
                server
            }));
            // The SSL layer decides when an owed KeyUpdate goes out (never inside a
            // pending write), as OpenSSL's state machine does.
            if let Some(c) = self.conn.as_mut() {
                c.set_auto_key_update(false);
                // Likewise a renegotiation a HelloRequest asks for starts only when no
                // write is pending (OpenSSL's ssl3_renegotiate_check).
                c.set_auto_renegotiate(false);
            }
        }
        Ok(self.conn.as_mut().expect("created above"))
    }

    /// A fatal engine error: latch, push the alert out if the transport takes it.
    fn tls_fatal(&mut self, io: &mut dyn Io, e: TlsError) -> Error {
        self.fatal = true;
        if let (Some(conn), Some(w)) = (self.conn.as_mut(), io.wbio()) {
            while conn.wants_write() {
                match w.write(conn.pending_tls()) {
                    Ok(n) if n > 0 => conn.consume_tls(n),
                    _ => break,
                }
            }
        }
        Error::ssl(ErrorStack::from_tls(&e))
    }

    fn local_fatal(&mut self, reason: Reason, detail: &str) -> Error {
        self.fatal = true;
        Error::reason(reason, detail)
    }

    fn retry_error(&self, flags: RetryFlags) -> Error {
        let code = if flags.read {
            ErrorCode::WANT_READ
        } else if flags.write {
            ErrorCode::WANT_WRITE
        } else if flags.special {
            if self.is_server() {
                ErrorCode::WANT_ACCEPT
            } else {
                ErrorCode::WANT_CONNECT
            }
        } else {
            ErrorCode::SYSCALL
        };
        Error::new(code, would_block())
    }

    /// A transport failure. Like OpenSSL, this does not latch the connection: the state is
    /// intact and a later call retries the BIO (which usually fails the same way).
    fn bio_error(&mut self, e: BioError) -> Error {
        match e {
            BioError::Io(e) => Error::new(ErrorCode::SYSCALL, Some(InnerError::Io(e))),
            BioError::Closed | BioError::Retry => Error::ssl(ErrorStack::one(ErrorEntry {
                library: LIB_BIO,
                reason: Reason(124),
                detail: "broken pipe".into(),
                verify_result: None,
            })),
        }
    }

    /// Hands queued records to the write BIO.
    fn flush(&mut self, io: &mut dyn Io) -> Result<(), Error> {
        loop {
            let Some(conn) = self.conn.as_mut() else {
                return Ok(());
            };
            if !conn.wants_write() {
                return Ok(());
            }
            let Some(w) = io.wbio() else {
                // As OpenSSL 3 (3.0 and 3.6): SSL_ERROR_SYSCALL with an empty error queue,
                // not fatal. The records stay queued and go out once a BIO is set (OpenSSL
                // drops them: its handshake then waits forever).
                return Err(Error::new(ErrorCode::SYSCALL, None));
            };
            match w.write(conn.pending_tls()) {
                Ok(0) => {
                    let flags = w.retry_flags();
                    return Err(self.retry_error(if flags.should_retry() {
                        flags
                    } else {
                        RetryFlags::WRITE
                    }));
                }
                Ok(n) => conn.consume_tls(n),
                Err(BioError::Retry) => {
                    let flags = w.retry_flags();
                    return Err(self.retry_error(flags));
                }
                Err(e) => return Err(self.bio_error(e)),
            }
        }
    }

    /// A read hands queued records to the transport before it reads. Normally a transport
    /// that cannot take them stops the read with WANT_WRITE (the peer may be waiting for
    /// them). With `read_skips_blocked_output` (the async stream, which pushes them again
    /// whenever the transport becomes writable) the read goes on: the peer may equally be
    /// unable to take more until we read what it sent.
    fn flush_before_read(&mut self, io: &mut dyn Io) -> Result<(), Error> {
        match self.flush(io) {
            Err(e) if self.read_skips_blocked_output && e.code() == ErrorCode::WANT_WRITE => Ok(()),
            r => r,
        }
    }

    /// Reads transport bytes into the engine: exactly what completes the next record,
    /// unless read-ahead is on.
    fn fill(&mut self, io: &mut dyn Io) -> Result<(), Error> {
        let read_ahead = self.read_ahead;
        let conn = self.conn.as_mut().expect("fill needs a connection");
        let want = if read_ahead {
            16 * 1024 + 512
        } else {
            conn.wanted().max(1)
        };
        let Some(r) = io.rbio() else {
            // As OpenSSL 3: READ_BIO_NOT_SET (211), fatal.
            let e = conn.abort(TlsError::local(Reason::READ_BIO_NOT_SET, "no read BIO"));
            return Err(self.tls_fatal(io, e));
        };
        let space = conn.tls_read_space(want);
        let len = space.len();
        let res = r.read(space);
        let flags = r.retry_flags();
        match res {
            Ok(0) => {
                conn.commit_tls_read(len, 0);
                if self.options.contains(SslOptions::IGNORE_UNEXPECTED_EOF) {
                    self.shutdown.insert(ShutdownState::RECEIVED);
                    return Err(Error::new(ErrorCode::ZERO_RETURN, None));
                }
                // Fatal, with a decode_error alert the peer may still read (half-close).
                let e = conn.abort(TlsError::decode(
                    Reason::UNEXPECTED_EOF_WHILE_READING,
                    "EOF without close_notify",
                ));
                Err(self.tls_fatal(io, e))
            }
            Ok(n) => {
                conn.commit_tls_read(len, n);
                Ok(())
            }
            Err(BioError::Retry) => {
                conn.commit_tls_read(len, 0);
                Err(self.retry_error(flags))
            }
            Err(e) => {
                conn.commit_tls_read(len, 0);
                Err(self.bio_error(e))
            }
        }
    }

    fn check_usable(&mut self) -> Result<(), Error> {
        if self.is_client.is_none() {
            return Err(Error::reason(
                Reason::UNINITIALIZED,
                "neither connect nor accept state set",
            ));
        }
        if self.fatal {
            return Err(Self::after_fatal());
        }
        Ok(())
    }

    /// Drives the handshake until it completes or blocks.
    /// Drives the handshake (or a TLS 1.2 renegotiation) until it completes or blocks.
    /// Application data may arrive during a renegotiation: a read (`in_read`) returns to
    /// hand it over; anything else fails with UNEXPECTED_RECORD, as OpenSSL does.
    fn handshake_io(&mut self, io: &mut dyn Io, in_read: bool) -> Result<(), Error> {
        self.check_usable()?;
        let started = self.conn_mut()?.start();
        if let Err(e) = started {
            return Err(self.tls_fatal(io, e));
        }
        loop {
            self.flush(io)?;
            let conn = self.conn.as_mut().expect("started");
            if !conn.is_handshaking() {
                break;
            }
            match conn.process_one() {
                Ok(Event::NeedData) => self.fill(io)?,
                Ok(Event::CloseNotify) => {
                    self.shutdown.insert(ShutdownState::RECEIVED);
                    return Err(Error::new(ErrorCode::ZERO_RETURN, None));
                }
                Ok(Event::ClientHello) => self.client_hello_callbacks(io)?,
                Ok(Event::ApplicationData) if in_read => return Ok(()),
                Ok(Event::ApplicationData) => {
                    let e = TlsError::unexpected("application data during a renegotiation")
                        .with_reason(Reason::UNEXPECTED_RECORD);
                    let e = conn.abort(e);
                    return Err(self.tls_fatal(io, e));
                }
                Ok(_) => {}
                Err(e) => return Err(self.tls_fatal(io, e)),
            }
        }
        if let Some(w) = io.wbio() {
            if let Err(BioError::Retry) = w.flush() {
                let flags = w.retry_flags();
                return Err(self.retry_error(flags));
            }
        }
        Ok(())
    }

    /// A server's ClientHello waits: runs the current context's servername callback (which
    /// may switch contexts), then its ALPN select callback, and lets the handshake answer.
    fn client_hello_callbacks(&mut self, io: &mut dyn Io) -> Result<(), Error> {
        let Some(info) = self.conn.as_ref().and_then(|c| c.client_hello()) else {
            return Ok(());
        };
        let mut decision = HelloDecision::default();
        if let Some(callback) = self.ctx.inner.servername_cb.clone() {
            let mut alert = SslAlert::UNRECOGNIZED_NAME;
            match callback(self, &mut alert) {
                Ok(()) => {}
                Err(SniError::NOACK) => decision.ack_server_name = false,
                Err(SniError::ALERT_WARNING) => {
                    decision.ack_server_name = false;
                    decision.warning_alert = Some(AlertDescription(alert.0));
                }
                Err(_) => {
                    let e = TlsError::fatal(
                        AlertDescription(alert.0),
                        Reason::CALLBACK_FAILED,
                        "the servername callback refused the client's server name",
                    );
                    return Err(self.callback_refused(io, e));
                }
            }
        }
        if let (Some(offered), Some(callback)) =
            (info.alpn.as_deref(), self.ctx.inner.alpn_select_cb.clone())
        {
            decision.alpn = Some(match callback(self, offered) {
                Ok(p) if !p.is_empty() && p.len() <= 255 => Some(p.to_vec()),
                Ok(_) => {
                    let e = TlsError::internal("the ALPN select callback chose an invalid name");
                    return Err(self.callback_refused(io, e));
                }
                Err(AlpnError::NOACK) => None,
                Err(_) => {
                    let e = TlsError::fatal(
                        AlertDescription::NO_APPLICATION_PROTOCOL,
                        Reason::NO_APPLICATION_PROTOCOL,
                        "no application protocol in common (ALPN select callback)",
                    );
                    return Err(self.callback_refused(io, e));
                }
            });
        }
        let config = self.config.clone();
        let conn = self.conn.as_mut().expect("started");
        conn.set_config(config);
        if let Err(e) = conn.resume_client_hello(decision) {
            return Err(self.tls_fatal(io, e));
        }
        Ok(())
    }

    /// A ClientHello callback refused: the handshake fails with its alert.
    fn callback_refused(&mut self, io: &mut dyn Io, e: TlsError) -> Error {
        let e = match self.conn.as_mut() {
            Some(conn) => conn.abort(e),
            None => e,
        };
        self.tls_fatal(io, e)
    }

    /// Sends a KeyUpdate the caller asked for, once no write is pending. It also settles a
    /// KeyUpdate owed to the peer (the engine clears that when it sends any KeyUpdate).
    fn send_requested_key_update(&mut self, io: &mut dyn Io) -> Result<(), Error> {
        if self.wpend.is_some() {
            return Ok(());
        }
        if let Some(req) = self.key_update.take() {
            let conn = self.conn.as_mut().expect("connected");
            if let Err(e) = conn.send_key_update(req) {
                return Err(self.tls_fatal(io, e));
            }
            self.flush(io)?;
        }
        Ok(())
    }

    pub(crate) fn do_handshake_io(&mut self, io: &mut dyn Io) -> Result<(), Error> {
        let r = self
            .renegotiate_check(io)
            .and_then(|_| self.handshake_io(io, false))
            .and_then(|_| self.send_requested_key_update(io));
        self.finish(r)
    }

    pub(crate) fn write_io(&mut self, io: &mut dyn Io, buf: &[u8]) -> Result<usize, Error> {
        let r = self.write_inner(io, buf);
        self.finish(r)
    }

    fn write_inner(&mut self, io: &mut dyn Io, buf: &[u8]) -> Result<usize, Error> {
        if self.is_client.is_none() {
            return Err(Error::reason(
                Reason::UNINITIALIZED,
                "neither connect nor accept state set",
            ));
        }
        if self.shutdown.contains(ShutdownState::SENT) {
            return Err(Error::reason(
                Reason::PROTOCOL_IS_SHUTDOWN,
                "close_notify already sent",
            ));
        }
        let len = buf.len();
        let base = buf.as_ptr() as usize;
        // OpenSSL checks a retry's length first, even on a connection already failed.
        let pending_tot = self.wpend.map_or(0, |p| p.tot);
        if len < self.wnum + pending_tot {
            return Err(
                self.local_fatal(Reason::BAD_LENGTH, "retry shorter than the pending write")
            );
        }
        if self.fatal {
            return Err(Self::after_fatal());
        }
        self.sync_config();
        self.renegotiate_check(io)?;
        if self.conn.as_ref().is_none_or(|c| c.is_handshaking()) {
            self.handshake_io(io, false)?;
        }
        match self.wpend {
            Some(p) => {
                if base + self.wnum != p.addr
                    && !self.mode.contains(SslMode::ACCEPT_MOVING_WRITE_BUFFER)
                {
                    return Err(
                        self.local_fatal(Reason::BAD_WRITE_RETRY, "retry from a different buffer")
                    );
                }
                self.flush(io)?;
                self.wnum += p.tot;
                self.wpend = None;
            }
            None => {
                // Output owed from earlier (the rest of a flight or a KeyUpdate) goes first,
                // then one KeyUpdate: the caller's if it asked for one (it also answers a
                // peer's request, as OpenSSL sends a single message), else the answer the
                // peer asked for. None of it is part of this write, so a retry after
                // WANT_WRITE here is free.
                self.flush(io)?;
                let conn = self.conn.as_mut().expect("connected");
                if self.key_update.is_none() && conn.key_update_owed() {
                    if let Err(e) = conn.send_key_update(false) {
                        return Err(self.tls_fatal(io, e));
                    }
                    self.flush(io)?;
                }
                self.send_requested_key_update(io)?;
            }
        }
        if self.wnum == len {
            let n = self.wnum;
            self.wnum = 0;
            return Ok(n);
        }
        let fragment = self.max_send_fragment.min(self.split_send_fragment);
        loop {
            let start = self.wnum;
            let conn = self.conn.as_mut().expect("connected");
            let k = match conn.write_app_record(&buf[start..], fragment) {
                Ok(k) => k,
                Err(e) => return Err(self.tls_fatal(io, e)),
            };
            self.wpend = Some(PendingWrite {
                tot: k,
                addr: base + start,
            });
            self.flush(io)?;
            self.wpend = None;
            self.wnum += k;
            if self.wnum == len || self.mode.contains(SslMode::ENABLE_PARTIAL_WRITE) {
                let n = self.wnum;
                self.wnum = 0;
                return Ok(n);
            }
        }
    }

    pub(crate) fn read_io(
        &mut self,
        io: &mut dyn Io,
        buf: &mut [u8],
        peek: bool,
    ) -> Result<usize, Error> {
        let r = self.read_inner(io, buf, peek);
        self.finish(r)
    }

    fn read_inner(&mut self, io: &mut dyn Io, buf: &mut [u8], peek: bool) -> Result<usize, Error> {
        self.check_usable()?;
        self.sync_config();
        self.renegotiate_check(io)?;
        if self.conn.as_ref().is_none_or(|c| c.is_handshaking()) {
            self.handshake_io(io, true)?;
        }
        // The end of a flight the transport could not take yet (the last handshake
        // message, a refusal alert) goes out before we wait for the peer, which may be
        // waiting for it: OpenSSL stays "in init" until its flight is flushed. A pending
        // application write is left to its retry.
        if self.wpend.is_none() && self.conn.as_ref().is_some_and(|c| c.wants_write()) {
            self.flush_before_read(io)?;
        }
        loop {
            let conn = self.conn.as_mut().expect("connected");
            if conn.app_pending() > 0 {
                if buf.is_empty() {
                    // SSL_read_ex with 0 bytes fails without an error (SSL_ERROR_SYSCALL).
                    return Err(Error::new(ErrorCode::SYSCALL, None));
                }
                let n = if peek {
                    conn.peek_app(buf)
                } else {
                    conn.read_app(buf)
                };
                return Ok(n);
            }
            if self.shutdown.contains(ShutdownState::RECEIVED) {
                return Err(Error::new(ErrorCode::ZERO_RETURN, None));
            }
            match conn.process_one() {
                Ok(Event::NeedData) => self.fill(io)?,
                Ok(Event::CloseNotify) => {
                    self.shutdown.insert(ShutdownState::RECEIVED);
                    return Err(Error::new(ErrorCode::ZERO_RETURN, None));
                }
                Ok(Event::Handshake) => {
                    // A post-handshake message (ticket, KeyUpdate, HelloRequest, a
                    // renegotiating ClientHello): a refusal or a new handshake's flight
                    // goes out, a renegotiation is driven to its end here.
                    // (A pending write's retry sends all queued output, in order.)
                    if self.wpend.is_none() {
                        self.flush_before_read(io)?;
                    }
                    self.renegotiate_check(io)?;
                    if self.conn.as_ref().is_some_and(|c| c.is_handshaking()) {
                        self.handshake_io(io, true)?;
                    }
                    // Without AUTO_RETRY the read returns WANT_READ when nothing else is
                    // buffered (also right after a renegotiation it carried out, as
                    // OpenSSL checks once the handshake function returns).
                    let conn = self.conn.as_ref().expect("connected");
                    if !self.mode.contains(SslMode::AUTO_RETRY)
                        && conn.app_pending() == 0
                        && conn.buffered_tls() == 0
                    {
                        return Err(Error::new(ErrorCode::WANT_READ, None));
                    }
                }
                Ok(_) => {}
                Err(e) => return Err(self.tls_fatal(io, e)),
            }
        }
    }

    pub(crate) fn shutdown_io(&mut self, io: &mut dyn Io) -> Result<ShutdownResult, Error> {
        let r = self.shutdown_inner(io);
        self.finish(r)
    }

    fn shutdown_inner(&mut self, io: &mut dyn Io) -> Result<ShutdownResult, Error> {
        if self.is_client.is_none() {
            return Err(Error::reason(
                Reason::UNINITIALIZED,
                "neither connect nor accept state set",
            ));
        }
        if self.fatal || !self.is_init_finished() {
            return Err(Error::reason(
                Reason::SHUTDOWN_WHILE_IN_INIT,
                "handshake not complete",
            ));
        }
        // From here on writes fail with PROTOCOL_IS_SHUTDOWN, even while this call has to
        // be retried (as in OpenSSL, SSL_get_shutdown reports SENT at once).
        self.shutdown.insert(ShutdownState::SENT);
        if self.wpend.is_some() {
            // The pending record must be finished before close_notify can follow it; the
            // rest of that write is abandoned (writes now fail with PROTOCOL_IS_SHUTDOWN).
            self.flush(io)?;
            self.wnum = 0;
            self.wpend = None;
        }
        let both = |s: &Self| {
            if s.shutdown.contains(ShutdownState::RECEIVED) {
                ShutdownResult::Received
            } else {
                ShutdownResult::Sent
            }
        };
        let conn = self.conn.as_mut().expect("connected");
        if !conn.sent_close_notify() {
            if let Err(e) = conn.send_close_notify() {
                return Err(self.tls_fatal(io, e));
            }
            self.flush(io)?;
            if let Some(w) = io.wbio() {
                let _ = w.flush();
            }
            return Ok(both(self));
        }
        if conn.wants_write() {
            // A retry after WANT_WRITE: finishing our close_notify is this call's result.
            self.flush(io)?;
            return Ok(both(self));
        }
        // Second call: wait for the peer's close_notify, discarding data.
        while !self.shutdown.contains(ShutdownState::RECEIVED) {
            let conn = self.conn.as_mut().expect("connected");
            if conn.app_pending() > 0 {
                let mut sink = [0u8; 1024];
                while conn.read_app(&mut sink) > 0 {}
                continue;
            }
            match conn.process_one() {
                Ok(Event::NeedData) => self.fill(io)?,
                Ok(Event::CloseNotify) => self.shutdown.insert(ShutdownState::RECEIVED),
                Ok(_) => {}
                Err(e) => return Err(self.tls_fatal(io, e)),
            }
        }
        Ok(ShutdownResult::Received)
    }

    fn key_update_inner(&mut self, typ: i32) -> Result<(), Error> {
        let tls13 = self.is_tls13();
        if !tls13 {
            return Err(Error::reason(
                Reason::WRONG_SSL_VERSION,
                "KeyUpdate needs TLS 1.3",
            ));
        }
        if typ != 0 && typ != 1 {
            return Err(Error::reason(
                Reason::INVALID_KEY_UPDATE_TYPE,
                "type must be 0 or 1",
            ));
        }
        if !self.is_init_finished() {
            return Err(Error::reason(
                Reason::STILL_IN_INIT,
                "handshake not complete",
            ));
        }
        if self.key_update.is_some() {
            // OpenSSL is back "in init" until the first KeyUpdate is out.
            return Err(Error::reason(
                Reason::STILL_IN_INIT,
                "a KeyUpdate is already waiting to be sent",
            ));
        }
        if self.wpend.is_some() {
            return Err(Error::reason(Reason::BAD_WRITE_RETRY, "a write is pending"));
        }
        self.key_update = Some(typ == 1);
        Ok(())
    }

    /// `SSL_key_update` with OpenSSL's raw type (0 not requested, 1 requested).
    pub fn key_update_raw(&mut self, typ: i32) -> Result<(), Error> {
        let r = self.key_update_inner(typ);
        self.finish(r)
    }

    /// `SSL_key_update`: the next write (or handshake call) sends a KeyUpdate first.
    pub fn key_update(&mut self, typ: KeyUpdateType) -> Result<(), Error> {
        self.key_update_raw(match typ {
            KeyUpdateType::NotRequested => 0,
            KeyUpdateType::Requested => 1,
        })
    }

    /// `SSL_renegotiate`: TLS 1.2 only. On TLS 1.3 it fails with WRONG_SSL_VERSION (266) and
    /// with `SSL_OP_NO_RENEGOTIATION` with NO_RENEGOTIATION (339), as in OpenSSL; neither is
    /// fatal. A server asking for a full renegotiation does not resume the session, so a
    /// client certificate it now requests is really sent.
    pub fn renegotiate(&mut self) -> Result<(), Error> {
        let r = self.renegotiate_inner();
        self.finish(r)
    }

    /// `SSL_renegotiate_abbreviated`: a renegotiation that may resume the current session
    /// (a client offers it; a server lets the client's offer be resumed). When the session
    /// cannot be resumed it is a full renegotiation, as in OpenSSL.
    pub fn renegotiate_abbreviated(&mut self) -> Result<(), Error> {
        let r = self.renegotiate_inner();
        if r.is_ok() {
            self.renegotiate_abbreviated = true;
        }
        self.finish(r)
    }

    fn renegotiate_inner(&mut self) -> Result<(), Error> {
        self.renegotiate_abbreviated = false;
        if self.is_tls13() {
            return Err(Error::reason(
                Reason::WRONG_SSL_VERSION,
                "no renegotiation in TLS 1.3",
            ));
        }
        if self.options.contains(SslOptions::NO_RENEGOTIATION) {
            return Err(Error::reason(
                Reason::NO_RENEGOTIATION,
                "SSL_OP_NO_RENEGOTIATION is set",
            ));
        }
        if !self.is_init_finished() {
            // As OpenSSL: accepted, and the handshake under way is the negotiation.
            self.renegotiate_before_init = true;
            return Ok(());
        }
        self.renegotiate_requested = true;
        Ok(())
    }

    /// OpenSSL's `ssl3_renegotiate_check`: at the start of a read, write or handshake
    /// call (and when a read processed a HelloRequest), a requested renegotiation starts
    /// — a client sends its ClientHello, a server its HelloRequest — but only on an
    /// established connection with no write pending and no unread record buffered.
    fn renegotiate_check(&mut self, io: &mut dyn Io) -> Result<(), Error> {
        if self.wpend.is_some() || self.fatal {
            return Ok(());
        }
        let Some(conn) = self.conn.as_ref() else {
            return Ok(());
        };
        if !conn.is_connected() || conn.buffered_tls() > 0 {
            return Ok(());
        }
        if self.renegotiate_requested {
            self.renegotiate_requested = false;
            self.sync_config();
            let conn = self.conn.as_mut().expect("connected");
            return match conn.renegotiate(self.renegotiate_abbreviated) {
                Ok(()) => Ok(()),
                Err(e) if e.alert.is_none() => Err(Error::reason(e.reason, e.detail.to_string())),
                Err(e) => Err(self.tls_fatal(io, e)),
            };
        }
        if conn.renegotiation_owed() {
            self.sync_config();
            let conn = self.conn.as_mut().expect("connected");
            if let Err(e) = conn.start_owed_renegotiation() {
                return Err(self.tls_fatal(io, e));
            }
        }
        Ok(())
    }

    /// `SSL_renegotiate_pending`: true from [`Ssl::renegotiate`] (or the peer's request)
    /// until the new handshake completes.
    pub fn renegotiate_pending(&self) -> bool {
        self.renegotiate_requested
            || (self.renegotiate_before_init && !self.is_init_finished())
            || self.conn.as_ref().is_some_and(|c| c.renegotiate_pending())
    }

    /// Hands this connection's current configuration to the engine between handshakes,
    /// so a renegotiation uses what `Ssl::set_*` changed since.
    fn sync_config(&mut self) {
        if let Some(conn) = self.conn.as_mut() {
            if !conn.is_handshaking() && !Arc::ptr_eq(conn.config(), &self.config) {
                conn.set_config(self.config.clone());
            }
        }
    }

    /// True while a KeyUpdate asked for with [`Ssl::key_update`] has not been sent. Unlike
    /// [`Ssl::key_update_type`], an answer owed to the peer does not count.
    pub fn key_update_pending(&self) -> bool {
        self.key_update.is_some()
    }

    /// `SSL_get_key_update_type`: the KeyUpdate our next write (or, for one asked for with
    /// [`Ssl::key_update`], handshake call) sends, or None. As in OpenSSL, a peer's
    /// update_requested that is not answered yet reads as [`KeyUpdateType::NotRequested`].
    pub fn key_update_type(&self) -> Option<KeyUpdateType> {
        match self.key_update {
            Some(true) => Some(KeyUpdateType::Requested),
            Some(false) => Some(KeyUpdateType::NotRequested),
            None if self.conn.as_ref().is_some_and(|c| c.key_update_owed()) => {
                Some(KeyUpdateType::NotRequested)
            }
            None => None,
        }
    }

    /// [`Ssl::key_update_type`] with OpenSSL's values: `SSL_KEY_UPDATE_NONE` (-1),
    /// `SSL_KEY_UPDATE_NOT_REQUESTED` (0), `SSL_KEY_UPDATE_REQUESTED` (1).
    pub fn key_update_type_raw(&self) -> i32 {
        match self.key_update_type() {
            None => -1,
            Some(KeyUpdateType::NotRequested) => 0,
            Some(KeyUpdateType::Requested) => 1,
        }
    }

    // ----- operations over the owned BIOs -----

    fn with_bios<T>(&mut self, f: impl FnOnce(&mut Self, &mut dyn Io) -> T) -> T {
        let mut bios = std::mem::take(&mut self.bios);
        let r = f(self, &mut bios);
        self.bios = bios;
        self.deliver_callbacks();
        r
    }

    /// Hands what the last operation made to the context's callbacks: key log lines, then
    /// new sessions.
    pub(crate) fn deliver_callbacks(&mut self) {
        if let Some(cb) = self.ctx.inner.keylog_cb.clone() {
            let lines = self
                .conn
                .as_mut()
                .map(|c| c.take_keylog_lines())
                .unwrap_or_default();
            for line in lines {
                cb(self, &line);
            }
        }
        self.deliver_new_sessions();
    }

    /// Hands the sessions the last operation made to the new-session callback, when the
    /// cache mode asks for this side's sessions (as OpenSSL does).
    fn deliver_new_sessions(&mut self) {
        let Some(cb) = self.ctx.inner.new_session_cb.clone() else {
            return;
        };
        let Some(conn) = self.conn.as_mut() else {
            return;
        };
        let sessions = conn.take_new_sessions();
        let side = if conn.is_client() {
            SslSessionCacheMode::CLIENT
        } else {
            SslSessionCacheMode::SERVER
        };
        if !self.ctx.inner.session_cache_mode.contains(side) {
            return;
        }
        for s in sessions {
            cb(self, SslSession(s));
        }
    }

    // ----- sessions -----

    /// `SSL_set_session`: offers `session` for resumption in the next client handshake.
    /// A session that does not fit (expired, another version or suite hash) is not
    /// offered, and the handshake is a full one.
    pub fn set_session(&mut self, session: &SslSession) -> Result<(), ErrorStack> {
        self.resume = Some(session.0.clone());
        Ok(())
    }

    /// `SSL_get1_session`: the session of this connection (after a TLS 1.3 handshake, the
    /// one from the latest ticket received, so read before taking it), or before the
    /// handshake the one set with [`Ssl::set_session`].
    pub fn session(&self) -> Option<SslSession> {
        self.conn
            .as_ref()
            .and_then(|c| c.negotiated().session.clone())
            .or_else(|| self.resume.clone())
            .map(SslSession)
    }

    /// `SSL_session_reused`: true if the handshake resumed a session.
    pub fn session_reused(&self) -> bool {
        self.conn.as_ref().is_some_and(|c| c.negotiated().resumed)
    }

    // ----- early data (TLS 1.3 0-RTT) -----

    /// `SSL_write_early_data` (client): before the handshake completes, sends `buf` (up to
    /// the session's `max_early_data` in all) as early data with the ClientHello that
    /// resumes the session set with [`Ssl::set_session`]. Then finish the handshake
    /// ([`Ssl::ssl_connect`] / [`Ssl::do_handshake`]) and check
    /// [`Ssl::early_data_status`]: rejected early data was not delivered and must be sent
    /// again. Early data can be replayed by an attacker: send only what is safe to repeat.
    pub fn write_early_data(&mut self, buf: &[u8]) -> Result<usize, Error> {
        self.with_bios(|s, io| s.write_early_data_io(io, buf))
    }

    pub(crate) fn write_early_data_io(
        &mut self,
        io: &mut dyn Io,
        buf: &[u8],
    ) -> Result<usize, Error> {
        let r = self.write_early_data_inner(io, buf);
        self.finish(r)
    }

    fn write_early_data_inner(&mut self, io: &mut dyn Io, buf: &[u8]) -> Result<usize, Error> {
        self.check_usable()?;
        if self.is_client != Some(true) || self.conn.as_ref().is_some_and(|c| c.is_connected()) {
            return Err(Error::reason(
                Reason::SHOULD_NOT_HAVE_BEEN_CALLED,
                "early data is written by a client before its handshake",
            ));
        }
        if self.conn.is_none() {
            self.early_data_intent = true;
        }
        let max = self.max_send_fragment;
        let conn = self.conn_mut()?;
        let mut done = 0;
        while done < buf.len() {
            match conn.write_early_data(&buf[done..], max) {
                Ok(n) => done += n,
                Err(e) if done > 0 && e.reason == Reason::TOO_MUCH_EARLY_DATA => break,
                Err(e) if e.alert.is_none() => {
                    return Err(Error::reason(e.reason, e.detail.to_string()))
                }
                Err(e) => return Err(self.tls_fatal(io, e)),
            }
        }
        self.flush(io)?;
        Ok(done)
    }

    /// `SSL_read_early_data` (server): reads the client's early data before the handshake
    /// completes. `Ok(n)` with `n > 0` is early data; `Ok(0)` means there is no more (none
    /// was sent, it was rejected, or the client ended it): finish the handshake with
    /// [`Ssl::do_handshake`]. Early data is accepted only when the context allows it
    /// (`set_max_early_data`), the ticket does, and it is this ticket's first use (the
    /// server keeps a bounded record of used tickets, so a replay is refused).
    pub fn read_early_data(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.with_bios(|s, io| s.read_early_data_io(io, buf))
    }

    pub(crate) fn read_early_data_io(
        &mut self,
        io: &mut dyn Io,
        buf: &mut [u8],
    ) -> Result<usize, Error> {
        let r = self.read_early_data_inner(io, buf);
        self.finish(r)
    }

    fn read_early_data_inner(&mut self, io: &mut dyn Io, buf: &mut [u8]) -> Result<usize, Error> {
        self.check_usable()?;
        if self.is_client != Some(false) {
            return Err(Error::reason(
                Reason::SHOULD_NOT_HAVE_BEEN_CALLED,
                "early data is read by a server",
            ));
        }
        if self.conn.is_none() {
            self.early_data_intent = true;
        }
        let started = self.conn_mut()?.start();
        if let Err(e) = started {
            return Err(self.tls_fatal(io, e));
        }
        loop {
            self.flush(io)?;
            let conn = self.conn.as_mut().expect("started");
            if conn.app_pending() > 0 {
                return Ok(conn.read_app(buf));
            }
            // Past the ClientHello and out of the early data window: nothing more.
            if conn.negotiated().version.is_some() && !conn.in_early_data() {
                return Ok(0);
            }
            match conn.process_one() {
                Ok(Event::NeedData) => self.fill(io)?,
                Ok(Event::ClientHello) => self.client_hello_callbacks(io)?,
                Ok(Event::CloseNotify) => {
                    self.shutdown.insert(ShutdownState::RECEIVED);
                    return Err(Error::new(ErrorCode::ZERO_RETURN, None));
                }
                Ok(_) => {}
                Err(e) => return Err(self.tls_fatal(io, e)),
            }
        }
    }

    /// `SSL_get_early_data_status`: what became of early data on this connection.
    pub fn early_data_status(&self) -> crate::negotiated::EarlyData {
        self.conn
            .as_ref()
            .map_or(crate::negotiated::EarlyData::NotSent, |c| {
                c.negotiated().early_data
            })
    }

    /// `SSL_SESSION_get_max_early_data` of the session this client offers, or the
    /// server's limit (`SSL_get_max_early_data`).
    pub fn max_early_data(&self) -> u32 {
        if self.is_client == Some(true) {
            self.resume.as_ref().map_or(0, |s| s.max_early_data)
        } else {
            self.config.resumption.max_early_data
        }
    }

    /// `SSL_do_handshake` over the BIOs set with [`Ssl::set_bio`] / [`Ssl::set_bios`].
    pub fn do_handshake(&mut self) -> Result<(), Error> {
        self.with_bios(|s, io| s.do_handshake_io(io))
    }

    /// `SSL_connect`: sets the connect state and runs the handshake.
    pub fn ssl_connect(&mut self) -> Result<(), Error> {
        self.set_connect_state();
        self.do_handshake()
    }

    /// `SSL_accept`: sets the accept state and runs the handshake.
    pub fn ssl_accept(&mut self) -> Result<(), Error> {
        self.set_accept_state();
        self.do_handshake()
    }

    /// `SSL_write_ex`: writes `buf`, driving the handshake first if needed. Returns the bytes
    /// written: all of `buf`, or with [`SslMode::ENABLE_PARTIAL_WRITE`] at least one record.
    /// After WANT_WRITE, call again with the same buffer.
    pub fn ssl_write(&mut self, buf: &[u8]) -> Result<usize, Error> {
        self.with_bios(|s, io| s.write_io(io, buf))
    }

    /// `SSL_read_ex`: reads decrypted data; `ZERO_RETURN` after the peer's close_notify.
    pub fn ssl_read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.with_bios(|s, io| s.read_io(io, buf, false))
    }

    /// `SSL_peek_ex`: like [`Ssl::ssl_read`] without consuming the data.
    pub fn ssl_peek(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.with_bios(|s, io| s.read_io(io, buf, true))
    }

    /// `SSL_shutdown`: the first call sends close_notify ([`ShutdownResult::Sent`]), a
    /// later call waits for the peer's ([`ShutdownResult::Received`]).
    pub fn shutdown(&mut self) -> Result<ShutdownResult, Error> {
        self.with_bios(|s, io| s.shutdown_io(io))
    }
}

/// `SSL_state_string`'s code for one of the states `SSL_state_string_long` names.
fn state_code(long: &str) -> &'static str {
    match long {
        "before SSL initialization" => "PINIT",
        "SSL negotiation finished successfully" => "SSLOK",
        "error" => "SSLERR",
        "SSLv3/TLS read client hello" | "TLSv1.3 read client hello" => "TRCH",
        "SSLv3/TLS read server hello" => "TRSH",
        "SSLv3/TLS read server certificate" | "TLSv1.3 read server certificate" => "TRSC",
        "SSLv3/TLS read server key exchange" => "TRSKE",
        "SSLv3/TLS read server certificate request" => "TRCR",
        "SSLv3/TLS read server done" => "TRSD",
        "SSLv3/TLS read client certificate" | "TLSv1.3 read client certificate" => "TRCC",
        "SSLv3/TLS read client key exchange" => "TRCKE",
        "SSLv3/TLS read certificate verify" | "TLSv1.3 read client certificate verify" => "TRCV",
        "SSLv3/TLS read change cipher spec" => "TRCCS",
        "SSLv3/TLS read finished" | "TLSv1.3 read finished" | "TLSv1.3 read client finished" => {
            "TRFIN"
        }
        "TLSv1.3 read encrypted extensions" => "TREE",
        "TLSv1.3 read server certificate verify" => "TRSCV",
        // OpenSSL names the server's wait for EndOfEarlyData with the write code.
        "TLSv1.3 read end of early data" => "TWEOED",
        _ => "UNKWN",
    }
}

/// What the async stream (`crate::tokio`) needs beyond the operations above.
#[cfg(feature = "tokio")]
impl Ssl {
    /// The length a write that returned WANT_WRITE must be retried with: the bytes of that
    /// call already in records (`wnum` plus the pending record's plaintext), or None when
    /// no write is pending. An async stream reports these bytes as written and retries
    /// with its own copy of them.
    pub(crate) fn pending_write_len(&self) -> Option<usize> {
        self.wpend.map(|p| self.wnum + p.tot)
    }

    /// Lets reads go on while queued output waits for the transport (see
    /// `flush_before_read`).
    pub(crate) fn set_read_skips_blocked_output(&mut self, on: bool) {
        self.read_skips_blocked_output = on;
    }

    /// Hands queued records (the end of a flight, a KeyUpdate, an alert) to the write BIO
    /// without reading or writing anything new (`BIO_flush` on the SSL, in effect).
    pub(crate) fn flush_io(&mut self, io: &mut dyn Io) -> Result<(), Error> {
        let r = self.flush(io);
        self.finish(r)
    }
}
