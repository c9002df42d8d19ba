//! An OpenSSL (the `openssl` crate, vendored OpenSSL 3.6) endpoint over an in-memory pipe,
//! driven step by step from the same thread as the oxssl endpoint.
//!
//! Also home of [`PeerOpts`], the configuration both peer kinds (OpenSSL and rustls) take.

use super::certs::Pki;
use super::pipe::PipeEnd;
use openssl::pkey::PKey;
use openssl::ssl::{
    ErrorCode, ShutdownState, Ssl, SslContext, SslMethod, SslRef, SslStream, SslVerifyMode,
    SslVersion,
};
use openssl::x509::X509;
use oxssl::crypto::kx::KxGroup;
use oxssl::suites::CipherSuite;
use std::ffi::CStr;

/// What a peer (OpenSSL or rustls) is configured with. Empty lists mean the library's
/// defaults.
#[derive(Clone, Default)]
pub struct PeerOpts {
    /// TLS 1.3 cipher suites, in preference order.
    pub suites: Vec<CipherSuite>,
    /// Key exchange groups, in preference order (a client sends a share for the first).
    pub groups: Vec<KxGroup>,
    /// ALPN protocols: offered (client) or accepted in preference order (server).
    pub alpn: Vec<Vec<u8>>,
    /// The certificate and key this peer presents (required for a server; a client
    /// presents it when asked).
    pub identity: Option<Pki>,
    /// The CA trusted to verify the other side.
    pub ca_der: Vec<u8>,
    /// Server only: request a client certificate and fail without one.
    pub require_client_cert: bool,
    /// Speak TLS 1.2 only (with `suites` as its cipher list) instead of TLS 1.3 only.
    pub tls12: bool,
    /// OpenSSL only: `SSL_OP_NO_EXTENDED_MASTER_SECRET` (a TLS 1.2 peer without RFC 7627).
    pub no_ems: bool,
}

impl PeerOpts {
    /// A server presenting `pki`'s leaf.
    pub fn server(pki: &Pki) -> Self {
        PeerOpts {
            identity: Some(pki.clone()),
            ca_der: pki.ca_der.clone(),
            ..Default::default()
        }
    }

    /// A client trusting `pki`'s CA.
    pub fn client(pki: &Pki) -> Self {
        PeerOpts {
            ca_der: pki.ca_der.clone(),
            ..Default::default()
        }
    }

    /// Restricts the peer to one suite and one group.
    pub fn only(mut self, suite: CipherSuite, group: KxGroup) -> Self {
        self.suites = vec![suite];
        self.groups = vec![group];
        self
    }
}

/// OpenSSL's name for a group in `SSL_CTX_set1_groups_list`.
pub fn group_list_name(g: KxGroup) -> &'static str {
    match g {
        KxGroup::X25519MlKem768 => "X25519MLKEM768",
        KxGroup::X25519 => "X25519",
        KxGroup::Secp256r1 => "P-256",
        KxGroup::Secp384r1 => "P-384",
    }
}

/// ALPN protocols in wire format (each prefixed by its length).
pub fn alpn_wire(protos: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in protos {
        out.push(p.len() as u8);
        out.extend_from_slice(p);
    }
    out
}

/// The protocols of a wire-format ALPN list.
fn alpn_parse(mut wire: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while let Some((&n, rest)) = wire.split_first() {
        let n = n as usize;
        if rest.len() < n {
            break;
        }
        out.push(&rest[..n]);
        wire = &rest[n..];
    }
    out
}

fn err<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> String + '_ {
    move |e| format!("openssl {what}: {e}")
}

/// An OpenSSL endpoint on one end of a pipe.
pub struct OpensslPeer {
    stream: SslStream<PipeEnd>,
    is_client: bool,
    connected: bool,
    /// Application data received so far.
    pub received: Vec<u8>,
    /// True once `SSL_read` reported SSL_ERROR_ZERO_RETURN (the peer's close_notify).
    pub saw_close: bool,
}

impl OpensslPeer {
    fn context(opts: &PeerOpts, server: bool) -> Result<SslContext, String> {
        let mut b = SslContext::builder(SslMethod::tls()).map_err(err("context"))?;
        let version = if opts.tls12 {
            SslVersion::TLS1_2
        } else {
            SslVersion::TLS1_3
        };
        b.set_min_proto_version(Some(version))
            .map_err(err("min version"))?;
        b.set_max_proto_version(Some(version))
            .map_err(err("max version"))?;
        if opts.no_ems {
            // SSL_OP_NO_EXTENDED_MASTER_SECRET (1 << 0), which the crate does not name.
            b.set_options(openssl::ssl::SslOptions::from_bits_retain(1));
        }
        if opts.tls12 && !opts.suites.is_empty() {
            let list: Vec<&str> = opts.suites.iter().map(|s| s.name()).collect();
            b.set_cipher_list(&list.join(":"))
                .map_err(err("set_cipher_list"))?;
        } else if !opts.suites.is_empty() {
            let list: Vec<&str> = opts.suites.iter().map(|s| s.name()).collect();
            b.set_ciphersuites(&list.join(":"))
                .map_err(err("set_ciphersuites"))?;
        }
        if !opts.groups.is_empty() {
            let list: Vec<&str> = opts.groups.iter().map(|g| group_list_name(*g)).collect();
            b.set_groups_list(&list.join(":"))
                .map_err(err("set_groups_list"))?;
        }
        if let Some(id) = &opts.identity {
            let cert = X509::from_der(&id.leaf_der).map_err(err("leaf"))?;
            let key = PKey::private_key_from_der(&id.key_der).map_err(err("key"))?;
            b.set_certificate(&cert).map_err(err("set_certificate"))?;
            b.set_private_key(&key).map_err(err("set_private_key"))?;
            b.check_private_key().map_err(err("check_private_key"))?;
        }
        if !opts.ca_der.is_empty() {
            let ca = X509::from_der(&opts.ca_der).map_err(err("CA"))?;
            b.cert_store_mut().add_cert(ca).map_err(err("add_cert"))?;
        }
        if server {
            if opts.require_client_cert {
                b.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
            } else {
                b.set_verify(SslVerifyMode::NONE);
            }
            if !opts.alpn.is_empty() {
                let ours = opts.alpn.clone();
                b.set_alpn_select_callback(move |_, client| {
                    let offered = alpn_parse(client);
                    ours.iter()
                        .find_map(|p| offered.iter().copied().find(|o| *o == p.as_slice()))
                        .ok_or(openssl::ssl::AlpnError::NOACK)
                });
            }
        } else {
            b.set_verify(SslVerifyMode::PEER);
            if !opts.alpn.is_empty() {
                b.set_alpn_protos(&alpn_wire(&opts.alpn))
                    .map_err(err("set_alpn_protos"))?;
            }
        }
        Ok(b.build())
    }

    /// A client for host "localhost" (SNI and certificate host check).
    pub fn client(opts: &PeerOpts, end: PipeEnd) -> Result<Self, String> {
        let ctx = Self::context(opts, false)?;
        let mut ssl = Ssl::new(&ctx).map_err(err("Ssl::new"))?;
        ssl.set_hostname("localhost").map_err(err("set_hostname"))?;
        ssl.param_mut()
            .set_host("localhost")
            .map_err(err("set_host"))?;
        ssl.set_connect_state();
        Self::new(ssl, end, true)
    }

    /// A server.
    pub fn server(opts: &PeerOpts, end: PipeEnd) -> Result<Self, String> {
        let ctx = Self::context(opts, true)?;
        let mut ssl = Ssl::new(&ctx).map_err(err("Ssl::new"))?;
        ssl.set_accept_state();
        Self::new(ssl, end, false)
    }

    fn new(ssl: Ssl, end: PipeEnd, is_client: bool) -> Result<Self, String> {
        Ok(OpensslPeer {
            stream: SslStream::new(ssl, end).map_err(err("SslStream::new"))?,
            is_client,
            connected: false,
            received: Vec::new(),
            saw_close: false,
        })
    }

    /// True once the handshake completed.
    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// Moves the connection forward with whatever input the pipe holds: the handshake
    /// until it completes, then reads application data into [`OpensslPeer::received`] and
    /// notices the peer's close_notify.
    pub fn pump(&mut self) -> Result<(), String> {
        if !self.connected {
            match self.stream.do_handshake() {
                Ok(()) => self.connected = true,
                Err(e) if e.code() == ErrorCode::WANT_READ || e.code() == ErrorCode::WANT_WRITE => {
                    return Ok(())
                }
                Err(e) => {
                    return Err(format!(
                        "openssl {} handshake: {e} (verify result: {})",
                        if self.is_client { "client" } else { "server" },
                        self.stream.ssl().verify_result()
                    ))
                }
            }
        }
        if self.saw_close {
            return Ok(());
        }
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match self.stream.ssl_read(&mut buf) {
                Ok(n) => self.received.extend_from_slice(&buf[..n]),
                Err(e) if e.code() == ErrorCode::WANT_READ => return Ok(()),
                Err(e) if e.code() == ErrorCode::ZERO_RETURN => {
                    self.saw_close = true;
                    return Ok(());
                }
                Err(e) => return Err(format!("openssl ssl_read: {e}")),
            }
        }
    }

    /// Writes all of `data` (OpenSSL splits it into records).
    pub fn write_all(&mut self, mut data: &[u8]) -> Result<(), String> {
        while !data.is_empty() {
            let n = self.stream.ssl_write(data).map_err(err("ssl_write"))?;
            data = &data[n..];
        }
        Ok(())
    }

    /// Sends close_notify (`SSL_shutdown`, first step).
    pub fn close(&mut self) -> Result<(), String> {
        self.stream.shutdown().map_err(err("shutdown"))?;
        Ok(())
    }

    /// True if `SSL_get_shutdown` has SSL_RECEIVED_SHUTDOWN.
    pub fn received_shutdown(&mut self) -> bool {
        self.stream.get_shutdown().contains(ShutdownState::RECEIVED)
    }

    /// The OpenSSL `SSL` object.
    pub fn ssl(&self) -> &SslRef {
        self.stream.ssl()
    }

    /// The negotiated suite's name (`SSL_CIPHER_get_name`).
    pub fn suite(&self) -> Option<String> {
        self.ssl().current_cipher().map(|c| c.name().to_string())
    }

    /// The negotiated group as `SSL_get0_group_name` names it.
    pub fn group(&self) -> Option<String> {
        group_name(self.ssl())
    }

    /// The selected ALPN protocol.
    pub fn alpn(&self) -> Option<Vec<u8>> {
        self.ssl().selected_alpn_protocol().map(|p| p.to_vec())
    }

    /// The DER of the certificate the other side presented.
    pub fn peer_cert_der(&self) -> Option<Vec<u8>> {
        self.ssl().peer_certificate().and_then(|c| c.to_der().ok())
    }
}

/// `SSL_get0_group_name` (OpenSSL 3.2+), which the `openssl` crate does not wrap.
pub fn group_name(ssl: &SslRef) -> Option<String> {
    use foreign_types::ForeignTypeRef;
    // SAFETY: `ssl` is a live SSL object; the returned string is static or owned by it and
    // copied before `ssl` can go away.
    unsafe {
        let p = openssl_sys::SSL_get0_group_name(ssl.as_ptr());
        if p.is_null() {
            None
        } else {
            Some(CStr::from_ptr(p).to_string_lossy().into_owned())
        }
    }
}

/// True if OpenSSL's name for a group (as [`group_name`] reports it) means `g`.
pub fn group_matches(name: &str, g: KxGroup) -> bool {
    let aliases: &[&str] = match g {
        KxGroup::X25519MlKem768 => &["X25519MLKEM768"],
        KxGroup::X25519 => &["x25519"],
        KxGroup::Secp256r1 => &["secp256r1", "prime256v1", "P-256"],
        KxGroup::Secp384r1 => &["secp384r1", "P-384"],
    };
    aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
}
