//! Resumable sessions: what a handshake leaves for a later one to resume.
//!
//! A [`Session`] is the same value on both sides and for both versions: a TLS 1.3 session
//! holds the PSK of one ticket (RFC 8446 4.6.1), a TLS 1.2 session the master secret, the
//! session id the server assigned and, if any, its RFC 5077 ticket. A server keeps TLS 1.2
//! sessions in a bounded [`cache::SessionCache`] and seals every ticket with its
//! [`ticket::TicketKeys`] (stateless tickets: the server stores nothing per ticket). The
//! encoding ([`der`]) is OpenSSL's `SSL_SESSION` ASN.1 form, so `SSL_SESSION` files move
//! between oxssl and OpenSSL.

pub mod cache;
pub mod der;
pub mod replay;
pub mod ticket;

use crate::msgs::enums::ProtocolVersion;
use crate::suites::CipherSuite;
use crate::x509::CertificateDer;
use zeroize::Zeroizing;

/// OpenSSL's default session lifetime in seconds (`SSL_get_default_timeout`).
pub const DEFAULT_TIMEOUT: u32 = 7200;
/// The longest ticket lifetime RFC 8446 4.6.1 allows: seven days.
pub const MAX_TICKET_LIFETIME: u32 = 604_800;

/// One resumable session.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    /// The protocol version it was negotiated with.
    pub version: ProtocolVersion,
    /// Its cipher suite (TLS 1.3 resumes any suite with the same hash).
    pub suite: CipherSuite,
    /// The session id: assigned by a TLS 1.2 server; random for a TLS 1.3 session (as
    /// OpenSSL, so that every session has one to print).
    pub id: Vec<u8>,
    /// The TLS 1.2 master secret, or the TLS 1.3 PSK of this session's ticket; zeroized
    /// when the session (or a clone) is dropped.
    pub secret: Zeroizing<Vec<u8>>,
    /// TLS 1.2: negotiated with the extended master secret (RFC 7627). Only such sessions
    /// are ever resumed.
    pub ems: bool,
    /// Creation time, seconds since the Unix epoch.
    pub time: u64,
    /// Lifetime in seconds from `time`: the server's ticket lifetime, or the cache timeout.
    pub timeout: u32,
    /// The ticket a client presents to resume (empty on a server, or without a ticket).
    pub ticket: Vec<u8>,
    /// TLS 1.3 ticket_age_add (RFC 8446 4.6.1).
    pub age_add: u32,
    /// The largest early data the ticket allows (0: none).
    pub max_early_data: u32,
    /// The server name of the handshake that made it.
    pub sni: Option<String>,
    /// The ALPN protocol of that handshake.
    pub alpn: Option<Vec<u8>>,
    /// The server's session id context (`SSL_CTX_set_session_id_context`).
    pub sid_ctx: Vec<u8>,
    /// The peer's end-entity certificate, if it sent one (OpenSSL keeps only this one).
    pub peer_cert: Option<CertificateDer<'static>>,
    /// The verification result of that certificate.
    pub verify_result: i32,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("version", &self.version)
            .field("suite", &self.suite)
            .field("id_len", &self.id.len())
            .field("ticket_len", &self.ticket.len())
            .field("time", &self.time)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// True once `now` (seconds since the epoch) is past the session's lifetime, or far
    /// before its creation (a clock that went back a lot).
    pub fn is_expired(&self, now: u64) -> bool {
        now >= self.time.saturating_add(u64::from(self.timeout))
            || now.saturating_add(60) < self.time
    }

    /// True if `sni` is the server name this session was made for (both absent, or equal
    /// ignoring case): a server resumes a session only for the same name.
    pub fn same_sni(&self, sni: Option<&str>) -> bool {
        match (self.sni.as_deref(), sni) {
            (None, None) => true,
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        }
    }

    /// True if a client can offer it: a TLS 1.3 session needs its ticket; a TLS 1.2 one a
    /// session id or a ticket, and the extended master secret.
    pub fn is_resumable(&self) -> bool {
        match self.version {
            // A PSK as long as the suite's hash; a 48-byte master secret (a session loaded
            // from DER could hold anything).
            ProtocolVersion::TLSV1_3 => {
                !self.ticket.is_empty() && self.secret.len() == self.suite.hash().output_len()
            }
            ProtocolVersion::TLSV1_2 => {
                self.ems
                    && self.secret.len() == 48
                    && (!self.id.is_empty() || !self.ticket.is_empty())
            }
            _ => false,
        }
    }
}
