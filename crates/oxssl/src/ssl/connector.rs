//! `SslConnector` and `SslAcceptor`: contexts with sane defaults for the common cases, as
//! in the `openssl` crate.

use super::connection::Ssl;
use super::context::{SslContext, SslContextBuilder, SslMethod};
use super::error::ErrorStack;
use super::flags::SslVerifyMode;
use super::stream::{HandshakeError, SslStream};
use std::io::{Read, Write};
use std::ops::{Deref, DerefMut};

/// A client context that verifies servers against the system trust store and checks the
/// host name.
#[derive(Clone, Debug)]
pub struct SslConnector(SslContext);

/// Builds an [`SslConnector`]; derefs to [`SslContextBuilder`] for further settings.
pub struct SslConnectorBuilder(SslContextBuilder);

impl SslConnector {
    /// A builder with verification on and the system trust anchors loaded.
    pub fn builder(method: SslMethod) -> Result<SslConnectorBuilder, ErrorStack> {
        let mut b = SslContext::builder(method)?;
        b.set_default_verify_paths()?;
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
        if self.sni && !domain.is_empty() {
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

/// A server context.
#[derive(Clone, Debug)]
pub struct SslAcceptor(SslContext);

/// Builds an [`SslAcceptor`]; derefs to [`SslContextBuilder`].
pub struct SslAcceptorBuilder(SslContextBuilder);

impl SslAcceptor {
    /// Mozilla's "modern" profile: TLS 1.3 only, which is what oxssl implements today.
    pub fn mozilla_modern_v5(method: SslMethod) -> Result<SslAcceptorBuilder, ErrorStack> {
        Ok(SslAcceptorBuilder(SslContext::builder(method)?))
    }

    /// Mozilla's "intermediate" profile. Until TLS 1.2 lands it equals the modern one.
    pub fn mozilla_intermediate_v5(method: SslMethod) -> Result<SslAcceptorBuilder, ErrorStack> {
        Self::mozilla_modern_v5(method)
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
