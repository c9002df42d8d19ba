//! `SslConnector` and `SslAcceptor`: contexts with sane defaults for the common cases, as
//! in the `openssl` crate.

use super::connection::Ssl;
use super::context::SslVersion;
use super::context::{SslContext, SslContextBuilder, SslMethod};
use super::error::ErrorStack;
use super::flags::{SslMode, SslOptions, SslVerifyMode};
use super::stream::{HandshakeError, SslStream};
use std::io::{Read, Write};
use std::ops::{Deref, DerefMut};

/// The modes the `openssl` crate's connector and acceptor set, so that a program (or an
/// async wrapper that retries a write from another buffer) behaves the same on oxssl:
/// AUTO_RETRY, ACCEPT_MOVING_WRITE_BUFFER, ENABLE_PARTIAL_WRITE, and RELEASE_BUFFERS.
fn crate_defaults(method: SslMethod) -> Result<SslContextBuilder, ErrorStack> {
    let mut b = SslContext::builder(method)?;
    // The crate's options (ALL, no compression, no SSLv2/3, single DH/ECDH use, without
    // DONT_INSERT_EMPTY_FRAGMENTS), so not oxssl's default server preference: Mozilla's
    // profiles let the client's suite order decide.
    b.clear_options(SslOptions::CIPHER_SERVER_PREFERENCE);
    b.set_options(
        (SslOptions::ALL
            | SslOptions::NO_COMPRESSION
            | SslOptions::NO_SSLV2
            | SslOptions::NO_SSLV3
            | SslOptions::SINGLE_DH_USE
            | SslOptions::SINGLE_ECDH_USE)
            & !SslOptions::DONT_INSERT_EMPTY_FRAGMENTS,
    );
    b.set_mode(
        SslMode::AUTO_RETRY
            | SslMode::ACCEPT_MOVING_WRITE_BUFFER
            | SslMode::ENABLE_PARTIAL_WRITE
            | SslMode::RELEASE_BUFFERS,
    );
    Ok(b)
}

/// Mozilla's TLS 1.3 suites (both profiles).
const MOZILLA_SUITES: &str =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

/// A client context that verifies servers against the system trust store and checks the
/// host name: verify mode PEER, where a plain [`SslContext`]'s default is NONE (as
/// OpenSSL's), which accepts any certificate.
#[derive(Clone, Debug)]
pub struct SslConnector(SslContext);

/// Builds an [`SslConnector`]; derefs to [`SslContextBuilder`] for further settings.
pub struct SslConnectorBuilder(SslContextBuilder);

impl SslConnector {
    /// A builder with verification on and the system trust anchors loaded.
    pub fn builder(method: SslMethod) -> Result<SslConnectorBuilder, ErrorStack> {
        let mut b = crate_defaults(method)?;
        b.set_default_verify_paths()?;
        b.set_cipher_list(
            "DEFAULT:!aNULL:!eNULL:!MD5:!3DES:!DES:!RC4:!IDEA:!SEED:!aDSS:!SRP:!PSK",
        )?;
        b.set_verify(SslVerifyMode::PEER);
        Ok(SslConnectorBuilder(b))
    }

    /// A per-connection configuration (SNI and host name checks on by default).
    pub fn configure(&self) -> Result<ConnectConfiguration, ErrorStack> {
        Ok(ConnectConfiguration {
            ssl: Ssl::new(&self.0)?,
            sni: true,
            verify_hostname: true,
        })
    }

    /// Connects to `domain` over `stream`: sends SNI and checks the certificate's name.
    pub fn connect<S: Read + Write>(
        &self,
        domain: &str,
        stream: S,
    ) -> Result<SslStream<S>, HandshakeError<S>> {
        self.configure()?.connect(domain, stream)
    }

    /// The context.
    pub fn context(&self) -> &SslContext {
        &self.0
    }
}

impl SslConnectorBuilder {
    /// Finishes the connector.
    pub fn build(self) -> SslConnector {
        SslConnector(self.0.build())
    }
}

impl Deref for SslConnectorBuilder {
    type Target = SslContextBuilder;
    fn deref(&self) -> &SslContextBuilder {
        &self.0
    }
}

impl DerefMut for SslConnectorBuilder {
    fn deref_mut(&mut self) -> &mut SslContextBuilder {
        &mut self.0
    }
}

/// One client connection's settings before connecting.
pub struct ConnectConfiguration {
    ssl: Ssl,
    sni: bool,
    verify_hostname: bool,
}

impl ConnectConfiguration {
    /// Whether to send SNI (default true).
    pub fn set_use_server_name_indication(&mut self, on: bool) {
        self.sni = on;
    }

    /// Whether to check the certificate's host name (default true).
    pub fn set_verify_hostname(&mut self, on: bool) {
        self.verify_hostname = on;
    }

    /// The `Ssl` being configured.
    pub fn ssl_mut(&mut self) -> &mut Ssl {
        &mut self.ssl
    }

    /// The configured `Ssl`, for use with BIOs.
    pub fn into_ssl(mut self, domain: &str) -> Result<Ssl, ErrorStack> {
        // RFC 6066 3: an IP literal is not a server name.
        let is_ip = domain.parse::<std::net::IpAddr>().is_ok();
        if self.sni && !domain.is_empty() && !is_ip {
            self.ssl.set_hostname(domain)?;
        }
        if self.verify_hostname {
            self.ssl.set_verify_hostname(domain);
        }
        Ok(self.ssl)
    }

    /// Connects over `stream`.
    pub fn connect<S: Read + Write>(
        self,
        domain: &str,
        stream: S,
    ) -> Result<SslStream<S>, HandshakeError<S>> {
        self.into_ssl(domain)?.connect(stream)
    }
}

/// The configuration derefs to the `Ssl` it configures, as in the `openssl` crate
/// (`cfg.param_mut()`, `cfg.set_verify(..)`).
impl Deref for ConnectConfiguration {
    type Target = Ssl;
    fn deref(&self) -> &Ssl {
        &self.ssl
    }
}

impl DerefMut for ConnectConfiguration {
    fn deref_mut(&mut self) -> &mut Ssl {
        &mut self.ssl
    }
}

/// A server context.
#[derive(Clone, Debug)]
pub struct SslAcceptor(SslContext);

/// Builds an [`SslAcceptor`]; derefs to [`SslContextBuilder`].
pub struct SslAcceptorBuilder(SslContextBuilder);

impl SslAcceptor {
    /// Mozilla's "modern" profile (v5): TLS 1.3 only, its three suites.
    pub fn mozilla_modern_v5(method: SslMethod) -> Result<SslAcceptorBuilder, ErrorStack> {
        let mut b = crate_defaults(method)?;
        b.set_min_proto_version(Some(SslVersion::TLS1_3))?;
        b.set_ciphersuites(MOZILLA_SUITES)?;
        Ok(SslAcceptorBuilder(b))
    }

    /// Mozilla's "intermediate" profile (v5): TLS 1.2 and 1.3, ECDHE with AES-GCM and
    /// ChaCha20-Poly1305 (its DHE suites are not implemented: oxssl has no DHE).
    pub fn mozilla_intermediate_v5(method: SslMethod) -> Result<SslAcceptorBuilder, ErrorStack> {
        let mut b = crate_defaults(method)?;
        b.set_min_proto_version(Some(SslVersion::TLS1_2))?;
        b.set_cipher_list(
            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:\
             ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:\
             ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:\
             DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
        )?;
        b.set_ciphersuites(MOZILLA_SUITES)?;
        Ok(SslAcceptorBuilder(b))
    }

    /// Mozilla's "intermediate" profile as the `openssl` crate's older constructor names it
    /// (v4, which adds TLS 1.0/1.1 and CBC suites oxssl does not implement): the same as
    /// [`SslAcceptor::mozilla_intermediate_v5`].
    pub fn mozilla_intermediate(method: SslMethod) -> Result<SslAcceptorBuilder, ErrorStack> {
        Self::mozilla_intermediate_v5(method)
    }

    /// Mozilla's "modern" profile as the `openssl` crate's older constructor names it (v4:
    /// TLS 1.2 with ECDHE AEAD suites and TLS 1.3).
    pub fn mozilla_modern(method: SslMethod) -> Result<SslAcceptorBuilder, ErrorStack> {
        let mut b = crate_defaults(method)?;
        b.set_min_proto_version(Some(SslVersion::TLS1_2))?;
        b.set_cipher_list(
            "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:\
             ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:\
             ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256",
        )?;
        b.set_ciphersuites(MOZILLA_SUITES)?;
        Ok(SslAcceptorBuilder(b))
    }

    /// Accepts a connection over `stream`.
    pub fn accept<S: Read + Write>(&self, stream: S) -> Result<SslStream<S>, HandshakeError<S>> {
        Ssl::new(&self.0)?.accept(stream)
    }

    /// The context.
    pub fn context(&self) -> &SslContext {
        &self.0
    }
}

impl SslAcceptorBuilder {
    /// Finishes the acceptor.
    pub fn build(self) -> SslAcceptor {
        SslAcceptor(self.0.build())
    }
}

impl Deref for SslAcceptorBuilder {
    type Target = SslContextBuilder;
    fn deref(&self) -> &SslContextBuilder {
        &self.0
    }
}

impl DerefMut for SslAcceptorBuilder {
    fn deref_mut(&mut self) -> &mut SslContextBuilder {
        &mut self.0
    }
}
