//! What a handshake settled, as the `SSL_get_*` accessors report it.

use crate::crypto::kx::KxGroup;
use crate::crypto::sign::SignatureScheme;
use crate::msgs::enums::ProtocolVersion;
use crate::session::Session;
use crate::suites::CipherSuite;
use crate::x509::CertificateDer;
use std::sync::Arc;

/// What became of early data (0-RTT), as `SSL_get_early_data_status` reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EarlyData {
    /// None was offered (`SSL_EARLY_DATA_NOT_SENT`).
    #[default]
    NotSent,
    /// Client: offered, the server has not answered yet.
    Offered,
    /// The server refused it (`SSL_EARLY_DATA_REJECTED`): the client sends it again.
    Rejected,
    /// The server took it (`SSL_EARLY_DATA_ACCEPTED`).
    Accepted,
}

/// Parameters and peer identity agreed by the handshake.
#[derive(Clone, Debug, Default)]
pub struct Negotiated {
    /// Protocol version (`SSL_version`).
    pub version: Option<ProtocolVersion>,
    /// Cipher suite (`SSL_get_current_cipher`).
    pub suite: Option<CipherSuite>,
    /// Key exchange group (`SSL_get_negotiated_group`).
    pub group: Option<KxGroup>,
    /// Scheme the peer signed with (`SSL_get_peer_signature_type_nid`).
    pub peer_signature_scheme: Option<SignatureScheme>,
    /// Scheme we signed with.
    pub our_signature_scheme: Option<SignatureScheme>,
    /// Selected ALPN protocol (`SSL_get0_alpn_selected`).
    pub alpn: Option<Vec<u8>>,
    /// Server name: the one a server received, or a client sent.
    pub sni: Option<String>,
    /// The peer's certificate chain, end entity first (`SSL_get_peer_cert_chain`).
    pub peer_chain: Vec<CertificateDer<'static>>,
    /// `SSL_get_verify_result`: `X509_V_OK` (0) or an `X509_V_ERR_*` code.
    pub verify_result: i32,
    /// Client: the CA names the server's CertificateRequest listed (DER).
    pub client_ca_names: Vec<Vec<u8>>,
    /// True if a HelloRetryRequest was part of the handshake.
    pub hello_retry: bool,
    /// True if the handshake resumed a session (`SSL_session_reused`).
    pub resumed: bool,
    /// Early data on this connection.
    pub early_data: EarlyData,
    /// Client: the most early data the offered ticket allows.
    pub max_early_data: u32,
    /// The session of this connection (`SSL_get_session`): the one the handshake made or
    /// resumed, then (TLS 1.3 client) the one from the latest ticket.
    pub session: Option<Arc<Session>>,
    /// Client random (for key logging).
    pub client_random: [u8; 32],
    /// Server random.
    pub server_random: [u8; 32],
}
