//! A rustls (aws-lc-rs provider) endpoint over an in-memory pipe, driven step by step.

pub use super::openssl_peer::PeerOpts;
use super::pipe::PipeEnd;
use oxssl::crypto::kx::KxGroup;
use oxssl::suites::CipherSuite;
use rustls::crypto::aws_lc_rs as provider;
use rustls::crypto::{CryptoProvider, SupportedKxGroup};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{
    ClientConfig, ClientConnection, Connection, HandshakeKind, RootCertStore, ServerConfig,
    ServerConnection, SupportedCipherSuite,
};
use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;

/// The rustls suite for an oxssl suite.
pub fn rustls_suite(s: CipherSuite) -> SupportedCipherSuite {
    match s {
        CipherSuite::Tls13Aes128GcmSha256 => provider::cipher_suite::TLS13_AES_128_GCM_SHA256,
        CipherSuite::Tls13Aes256GcmSha384 => provider::cipher_suite::TLS13_AES_256_GCM_SHA384,
        CipherSuite::Tls13Chacha20Poly1305Sha256 => {
            provider::cipher_suite::TLS13_CHACHA20_POLY1305_SHA256
        }
        CipherSuite::Tls12EcdheEcdsaAes128GcmSha256 => {
            provider::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
        }
        CipherSuite::Tls12EcdheEcdsaAes256GcmSha384 => {
            provider::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
        }
        CipherSuite::Tls12EcdheRsaAes128GcmSha256 => {
            provider::cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
        }
        CipherSuite::Tls12EcdheRsaAes256GcmSha384 => {
            provider::cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
        }
        CipherSuite::Tls12EcdheEcdsaChacha20Poly1305 => {
            provider::cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
        }
        CipherSuite::Tls12EcdheRsaChacha20Poly1305 => {
            provider::cipher_suite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
        }
    }
}

/// The rustls group for an oxssl group.
pub fn rustls_group(g: KxGroup) -> &'static dyn SupportedKxGroup {
    match g {
        KxGroup::X25519MlKem768 => provider::kx_group::X25519MLKEM768,
        KxGroup::X25519 => provider::kx_group::X25519,
        KxGroup::Secp256r1 => provider::kx_group::SECP256R1,
        KxGroup::Secp384r1 => provider::kx_group::SECP384R1,
    }
}

static TLS12_ONLY: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
static TLS13_ONLY: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];

fn versions(opts: &PeerOpts) -> &'static [&'static rustls::SupportedProtocolVersion] {
    if opts.tls12 {
        &TLS12_ONLY
    } else {
        &TLS13_ONLY
    }
}

fn crypto_provider(opts: &PeerOpts) -> Arc<CryptoProvider> {
    let mut p = provider::default_provider();
    if !opts.suites.is_empty() {
        p.cipher_suites = opts.suites.iter().map(|s| rustls_suite(*s)).collect();
    }
    if !opts.groups.is_empty() {
        p.kx_groups = opts.groups.iter().map(|g| rustls_group(*g)).collect();
    }
    Arc::new(p)
}

fn roots(opts: &PeerOpts) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(opts.ca_der.clone()))
        .map_err(|e| format!("rustls root: {e}"))?;
    Ok(roots)
}

fn identity(opts: &PeerOpts) -> Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    opts.identity.as_ref().map(|id| {
        (
            vec![CertificateDer::from(id.leaf_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(id.key_der.clone())),
        )
    })
}

/// A rustls endpoint on one end of a pipe.
pub struct RustlsPeer {
    conn: Connection,
    end: PipeEnd,
    /// Application data received so far.
    pub received: Vec<u8>,
    /// True once `reader().read` returned Ok(0): the peer's close_notify arrived.
    pub saw_close: bool,
}

impl RustlsPeer {
    /// A client for server name "localhost", trusting `opts.ca_der`.
    pub fn client(opts: &PeerOpts, end: PipeEnd) -> Result<Self, String> {
        let builder = ClientConfig::builder_with_provider(crypto_provider(opts))
            .with_protocol_versions(versions(opts))
            .map_err(|e| format!("rustls client config: {e}"))?
            .with_root_certificates(roots(opts)?);
        let mut cfg = match identity(opts) {
            Some((chain, key)) => builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| format!("rustls client cert: {e}"))?,
            None => builder.with_no_client_auth(),
        };
        cfg.alpn_protocols = opts.alpn.clone();
        let name = ServerName::try_from("localhost").unwrap();
        let conn = ClientConnection::new(Arc::new(cfg), name)
            .map_err(|e| format!("rustls client: {e}"))?;
        Ok(Self::new(conn.into(), end))
    }

    /// A server presenting `opts.identity`.
    pub fn server(opts: &PeerOpts, end: PipeEnd) -> Result<Self, String> {
        let builder = ServerConfig::builder_with_provider(crypto_provider(opts))
            .with_protocol_versions(versions(opts))
            .map_err(|e| format!("rustls server config: {e}"))?;
        let builder = if opts.require_client_cert {
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots(opts)?),
                crypto_provider(opts),
            )
            .build()
            .map_err(|e| format!("rustls client verifier: {e}"))?;
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let (chain, key) = identity(opts).ok_or("rustls server needs an identity")?;
        let mut cfg = builder
            .with_single_cert(chain, key)
            .map_err(|e| format!("rustls server cert: {e}"))?;
        cfg.alpn_protocols = opts.alpn.clone();
        let conn =
            ServerConnection::new(Arc::new(cfg)).map_err(|e| format!("rustls server: {e}"))?;
        Ok(Self::new(conn.into(), end))
    }

    fn new(mut conn: Connection, end: PipeEnd) -> Self {
        conn.set_buffer_limit(None);
        RustlsPeer {
            conn,
            end,
            received: Vec::new(),
            saw_close: false,
        }
    }

    /// True once the handshake completed.
    pub fn is_connected(&self) -> bool {
        !self.conn.is_handshaking()
    }

    fn flush(&mut self) -> Result<(), String> {
        while self.conn.wants_write() {
            self.conn
                .write_tls(&mut self.end)
                .map_err(|e| format!("rustls write_tls: {e}"))?;
        }
        Ok(())
    }

    /// Feeds the pipe's input through rustls, collecting application data into
    /// [`RustlsPeer::received`] and noticing close_notify; then flushes rustls' output.
    pub fn pump(&mut self) -> Result<(), String> {
        self.flush()?;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match self.conn.read_tls(&mut self.end) {
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => 0,
                Err(e) => return Err(format!("rustls read_tls: {e}")),
            };
            let processed = self.conn.process_new_packets();
            // Send whatever alert a failure queued before reporting it.
            self.flush()?;
            processed.map_err(|e| format!("rustls: {e}"))?;
            loop {
                match self.conn.reader().read(&mut buf) {
                    Ok(0) => {
                        self.saw_close = true;
                        break;
                    }
                    Ok(k) => self.received.extend_from_slice(&buf[..k]),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => return Err(format!("rustls read: {e}")),
                }
            }
            if n == 0 {
                return Ok(());
            }
        }
    }

    /// Queues all of `data` (rustls' buffer limit is off) and flushes it to the pipe.
    pub fn write_all(&mut self, data: &[u8]) -> Result<(), String> {
        self.conn
            .writer()
            .write_all(data)
            .map_err(|e| format!("rustls write: {e}"))?;
        self.flush()
    }

    /// Sends close_notify.
    pub fn close(&mut self) -> Result<(), String> {
        self.conn.send_close_notify();
        self.flush()
    }

    /// The negotiated suite, as rustls names it (the IANA name).
    pub fn suite(&self) -> Option<CipherSuite> {
        let s = self.conn.negotiated_cipher_suite()?.suite();
        CipherSuite::from_u16(u16::from(s))
    }

    /// The negotiated group.
    pub fn group(&self) -> Option<KxGroup> {
        let g = self.conn.negotiated_key_exchange_group()?.name();
        KxGroup::from_u16(u16::from(g))
    }

    /// The selected ALPN protocol.
    pub fn alpn(&self) -> Option<Vec<u8>> {
        self.conn.alpn_protocol().map(|p| p.to_vec())
    }

    /// True if the handshake included a HelloRetryRequest.
    pub fn hello_retry(&self) -> bool {
        self.conn.handshake_kind() == Some(HandshakeKind::FullWithHelloRetryRequest)
    }

    /// The certificate chain the other side presented (DER).
    pub fn peer_certs(&self) -> Vec<Vec<u8>> {
        self.conn
            .peer_certificates()
            .map(|c| c.iter().map(|d| d.to_vec()).collect())
            .unwrap_or_default()
    }
}
