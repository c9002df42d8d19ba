//! The ClientHello callbacks a server runs before it answers: server name
//! (`SSL_CTX_set_tlsext_servername_callback`, which may switch the connection to another
//! context's certificates with [`Ssl::set_ssl_context`]) and ALPN selection
//! (`SSL_CTX_set_alpn_select_cb`), with the `openssl` crate's types.

use std::sync::Arc;

use super::Ssl;

/// A servername callback's refusal (`SSL_TLSEXT_ERR_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SniError(i32);

impl SniError {
    /// `SSL_TLSEXT_ERR_ALERT_FATAL`: the handshake fails with the alert the callback set
    /// (unrecognized_name unless it changed it).
    pub const ALERT_FATAL: SniError = SniError(2);
    /// `SSL_TLSEXT_ERR_ALERT_WARNING`: TLS 1.2 sends the alert as a warning and goes on
    /// (TLS 1.3 has no warning alerts: it just goes on); the name is not acknowledged.
    pub const ALERT_WARNING: SniError = SniError(1);
    /// `SSL_TLSEXT_ERR_NOACK`: go on without acknowledging the name.
    pub const NOACK: SniError = SniError(3);

    /// The `SSL_TLSEXT_ERR_*` number.
    pub fn as_raw(self) -> i32 {
        self.0
    }
}

/// An ALPN select callback's refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlpnError(i32);

impl AlpnError {
    /// `SSL_TLSEXT_ERR_ALERT_FATAL`: the handshake fails with no_application_protocol.
    pub const ALERT_FATAL: AlpnError = AlpnError(2);
    /// `SSL_TLSEXT_ERR_NOACK`: go on without ALPN.
    pub const NOACK: AlpnError = AlpnError(3);

    /// The `SSL_TLSEXT_ERR_*` number.
    pub fn as_raw(self) -> i32 {
        self.0
    }
}

/// A TLS alert description a callback may choose (`SSL_AD_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SslAlert(pub(crate) u8);

impl SslAlert {
    /// `SSL_AD_UNRECOGNIZED_NAME` (112), the servername callback's default.
    pub const UNRECOGNIZED_NAME: SslAlert = SslAlert(112);
    /// `SSL_AD_ILLEGAL_PARAMETER` (47).
    pub const ILLEGAL_PARAMETER: SslAlert = SslAlert(47);
    /// `SSL_AD_DECODE_ERROR` (50).
    pub const DECODE_ERROR: SslAlert = SslAlert(50);
    /// `SSL_AD_HANDSHAKE_FAILURE` (40).
    pub const HANDSHAKE_FAILURE: SslAlert = SslAlert(40);
    /// `SSL_AD_ACCESS_DENIED` (49).
    pub const ACCESS_DENIED: SslAlert = SslAlert(49);
    /// `SSL_AD_INTERNAL_ERROR` (80).
    pub const INTERNAL_ERROR: SslAlert = SslAlert(80);

    /// An alert from its number.
    pub fn from_raw(description: u8) -> SslAlert {
        SslAlert(description)
    }

    /// The alert's number.
    pub fn as_raw(self) -> u8 {
        self.0
    }
}

/// Which name `Ssl::servername` returns (`TLSEXT_NAMETYPE_host_name` is the only one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NameType(i32);

impl NameType {
    /// `TLSEXT_NAMETYPE_host_name`.
    pub const HOST_NAME: NameType = NameType(0);

    /// The `TLSEXT_NAMETYPE_*` number.
    pub fn as_raw(self) -> i32 {
        self.0
    }
}

/// `SSL_CTX_set_tlsext_servername_callback`'s callback.
pub(crate) type ServernameCallback =
    Arc<dyn Fn(&mut Ssl, &mut SslAlert) -> Result<(), SniError> + Send + Sync>;

/// `SSL_CTX_set_alpn_select_cb`'s callback: gets the client's protocols in wire format,
/// returns one of them (a slice of that input).
pub(crate) type AlpnSelectCallback =
    Arc<dyn for<'a> Fn(&mut Ssl, &'a [u8]) -> Result<&'a [u8], AlpnError> + Send + Sync>;

/// `SSL_select_next_proto`: the first protocol of `server`'s list (wire format) that
/// `client`'s list also has, as a slice of `client`; `None` when they share none.
///
/// ```
/// use oxssl::ssl::select_next_proto;
/// let client = b"\x02h2\x08http/1.1";
/// assert_eq!(select_next_proto(b"\x08http/1.1\x02h2", client), Some(&b"http/1.1"[..]));
/// assert_eq!(select_next_proto(b"\x03foo", client), None);
/// ```
pub fn select_next_proto<'b>(server: &[u8], client: &'b [u8]) -> Option<&'b [u8]> {
    let client_protos: Vec<&'b [u8]> = wire_protocols(client).collect();
    wire_protocols(server).find_map(|s| client_protos.iter().copied().find(|c| *c == s))
}

/// The protocols of a wire-format list (a malformed tail ends it).
fn wire_protocols(mut wire: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        let (&n, rest) = wire.split_first()?;
        let proto = rest.get(..usize::from(n))?;
        wire = rest.get(usize::from(n)..)?;
        (!proto.is_empty()).then_some(proto)
    })
}
