//! The server's first state: the ClientHello decides the version, and the chosen
//! version's state machine takes it from there.

use super::{Context, Next, State};
use crate::config::Config;
use crate::error::TlsError;
use crate::msgs::enums::{AlertDescription, ExtensionType, ProtocolVersion};
use crate::msgs::extensions as ext;
use crate::msgs::handshake::{ClientHello, HandshakeMessage};
use crate::reason::Reason;

/// The state a server starts in.
pub fn start() -> Box<dyn State> {
    Box::new(ExpectClientHello)
}

struct ExpectClientHello;

fn no_common_version(detail: String) -> TlsError {
    TlsError::fatal(
        AlertDescription::PROTOCOL_VERSION,
        Reason::UNSUPPORTED_PROTOCOL,
        detail,
    )
}

/// The highest version both sides enable: from supported_versions when the client sends
/// it (TLS 1.3-capable clients), else from legacy_version (RFC 8446 4.2.1, D.2).
pub(crate) fn choose_version(
    config: &Config,
    ch: &ClientHello,
) -> Result<ProtocolVersion, TlsError> {
    if let Some(body) = ch.extensions.get(ExtensionType::SUPPORTED_VERSIONS) {
        let offered = ext::decode_versions_client(body)?;
        return [ProtocolVersion::TLSV1_3, ProtocolVersion::TLSV1_2]
            .into_iter()
            .find(|v| config.allows(*v) && offered.contains(&v.0))
            .ok_or_else(|| no_common_version("no protocol version in common".into()));
    }
    if ch.legacy_version >= ProtocolVersion::TLSV1_2.0 && config.allows(ProtocolVersion::TLSV1_2) {
        return Ok(ProtocolVersion::TLSV1_2);
    }
    Err(no_common_version(format!(
        "client offers only {:?}",
        ProtocolVersion(ch.legacy_version)
    )))
}

impl State for ExpectClientHello {
    fn name(&self) -> &'static str {
        "SSLv3/TLS read client hello"
    }

    fn handle(
        self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        let ch = expect!(msg, self, HandshakeMessage::ClientHello);
        super::check_duplicates(&ch.extensions)?;
        cx.info.client_random = ch.random;
        match choose_version(cx.config, &ch)? {
            ProtocolVersion::TLSV1_3 => crate::tls13::server::client_hello(cx, ch, raw),
            _ => crate::tls12::server::client_hello(cx, ch, raw, None),
        }
    }
}
