//! `SslSession`: a resumable session as the `openssl` crate shows it (`SSL_SESSION`).
//!
//! A client takes the session of a finished handshake with [`Ssl::session`] (or from a
//! new-session callback, once per TLS 1.3 ticket) and offers it on a later connection to the
//! same server with [`Ssl::set_session`]; [`Ssl::session_reused`] tells whether the server
//! resumed it. `to_der` / `from_der` use OpenSSL's `SSL_SESSION` encoding, so sessions saved
//! by `openssl s_client -sess_out` load here and the reverse.
//!
//! ```no_run
//! # use oxssl::ssl::{SslConnector, SslMethod, SslSession};
//! # fn connect(c: &SslConnector, s: Option<&SslSession>) -> oxssl::ssl::Ssl { unimplemented!() }
//! # let connector = SslConnector::builder(SslMethod::tls()).unwrap().build();
//! let first = connect(&connector, None);
//! let saved: Option<SslSession> = first.session();
//! let second = connect(&connector, saved.as_ref());
//! println!("resumed: {}", second.session_reused());
//! ```
//!
//! [`Ssl::session`]: super::Ssl::session
//! [`Ssl::set_session`]: super::Ssl::set_session
//! [`Ssl::session_reused`]: super::Ssl::session_reused

use super::context::SslVersion;
use super::error::{ErrorEntry, ErrorStack};
use crate::reason::Reason;
use crate::session::{der, Session};
use std::sync::Arc;

/// A session (`SSL_SESSION`): cheap to clone, immutable, safe to share across threads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SslSession(pub(crate) Arc<Session>);

impl SslSession {
    /// Decodes OpenSSL's DER form (`d2i_SSL_SESSION`).
    pub fn from_der(der: &[u8]) -> Result<SslSession, ErrorStack> {
        der::decode(der)
            .map(|s| SslSession(Arc::new(s)))
            .map_err(|e| {
                ErrorStack::one(ErrorEntry::ssl(
                    Reason::BAD_DATA,
                    format!("SSL_SESSION: {e}"),
                ))
            })
    }

    /// Encodes it in OpenSSL's DER form (`i2d_SSL_SESSION`). The encoding holds the
    /// master secret: the caller owns its copy (and wiping it).
    pub fn to_der(&self) -> Result<Vec<u8>, ErrorStack> {
        // Handed over without a copy: the emptied wrapper has nothing left to clear.
        Ok(std::mem::take(&mut *der::encode(&self.0)))
    }

    /// The session id (`SSL_SESSION_get_id`).
    pub fn id(&self) -> &[u8] {
        &self.0.id
    }

    /// Creation time, seconds since the Unix epoch (`SSL_SESSION_get_time`).
    pub fn time(&self) -> i64 {
        i64::try_from(self.0.time).unwrap_or(i64::MAX)
    }

    /// Lifetime in seconds (`SSL_SESSION_get_timeout`).
    pub fn timeout(&self) -> i64 {
        i64::from(self.0.timeout)
    }

    /// Changes its lifetime in seconds from its creation time (`SSL_SESSION_set_timeout`):
    /// when it expires, for a client offering it and for a server cache given it.
    pub fn set_timeout(&mut self, seconds: u32) {
        Arc::make_mut(&mut self.0).timeout = seconds;
    }

    /// The protocol version it was negotiated with (`SSL_SESSION_get_protocol_version`).
    pub fn protocol_version(&self) -> SslVersion {
        SslVersion(self.0.version.0)
    }

    /// The most early data its ticket allows (`SSL_SESSION_get_max_early_data`).
    pub fn max_early_data(&self) -> u32 {
        self.0.max_early_data
    }

    /// True if a client can resume it (`SSL_SESSION_is_resumable`).
    pub fn is_resumable(&self) -> bool {
        self.0.is_resumable()
    }

    /// The length of its master secret (TLS 1.3: the ticket's PSK).
    pub fn master_key_len(&self) -> usize {
        self.0.secret.len()
    }

    /// Copies its master secret into `buf`, returning how many bytes it wrote
    /// (`SSL_SESSION_get_master_key`).
    pub fn master_key(&self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.0.secret.len());
        buf[..n].copy_from_slice(&self.0.secret[..n]);
        n
    }

    /// The server name of the handshake that made it (`SSL_SESSION_get0_hostname`).
    pub fn hostname(&self) -> Option<&str> {
        self.0.sni.as_deref()
    }

    /// The ALPN protocol of that handshake (`SSL_SESSION_get0_alpn_selected`).
    pub fn alpn_selected(&self) -> Option<&[u8]> {
        self.0.alpn.as_deref()
    }

    /// Its cipher suite's standard name (`SSL_CIPHER_standard_name`).
    pub fn cipher_name(&self) -> &'static str {
        self.0.suite.name()
    }

    /// True if it carries a ticket (`SSL_SESSION_has_ticket`).
    pub fn has_ticket(&self) -> bool {
        !self.0.ticket.is_empty()
    }

    /// The ticket lifetime hint in seconds (`SSL_SESSION_get_ticket_lifetime_hint`).
    pub fn ticket_lifetime_hint(&self) -> u32 {
        if self.has_ticket() {
            self.0.timeout
        } else {
            0
        }
    }
}
