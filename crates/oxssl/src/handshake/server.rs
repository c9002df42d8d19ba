//! The server's first state: the ClientHello decides the version, and the chosen
//! version's state machine takes it from there.

use super::{ClientHelloInfo, Context, Next, State};
use crate::config::Config;
use crate::error::TlsError;
use crate::msgs::enums::{AlertDescription, ContentType, ExtensionType, ProtocolVersion};
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
        let version = choose_version(cx.config, &ch)?;
        if cx.config.pause_on_client_hello && cx.hello.is_none() {
            // The application decides first (servername / ALPN callbacks); the server
            // name is visible to it meanwhile (`SSL_get_servername`).
            cx.info.sni = super::client_sni(&ch.extensions)?;
            if let Some(body) = ch.extensions.get(ExtensionType::ALPN) {
                ext::decode_alpn(body)?;
            }
            return Ok(Next::Handshaking(Box::new(HeldClientHello {
                ch,
                raw: raw.to_vec(),
                version,
            })));
        }
        answer(cx, ch, raw, version)
    }
}

fn answer(
    cx: &mut Context<'_>,
    ch: ClientHello,
    raw: &[u8],
    version: ProtocolVersion,
) -> Result<Next, TlsError> {
    match version {
        ProtocolVersion::TLSV1_3 => crate::tls13::server::client_hello(cx, ch, raw),
        _ => crate::tls12::server::client_hello(cx, ch, raw, None),
    }
}

/// A ClientHello waiting for the application's decision.
struct HeldClientHello {
    ch: ClientHello,
    raw: Vec<u8>,
    version: ProtocolVersion,
}

impl State for HeldClientHello {
    fn name(&self) -> &'static str {
        "SSLv3/TLS read client hello"
    }

    fn handle(
        self: Box<Self>,
        _cx: &mut Context<'_>,
        msg: HandshakeMessage,
        _raw: &[u8],
    ) -> Result<Next, TlsError> {
        Err(super::unexpected(self.name(), &msg))
    }

    fn client_hello_info(&self) -> Option<ClientHelloInfo> {
        let exts = &self.ch.extensions;
        Some(ClientHelloInfo {
            server_name: super::client_sni(exts).ok().flatten(),
            alpn: exts.get(ExtensionType::ALPN).and_then(|body| {
                // The extension body is a u16-length-prefixed list: hand over the list.
                body.get(2..).map(<[u8]>::to_vec)
            }),
            version: self.version,
        })
    }

    fn resume(self: Box<Self>, cx: &mut Context<'_>) -> Result<Next, TlsError> {
        if let Some(alert) = cx.hello.and_then(|d| d.warning_alert) {
            if self.version == ProtocolVersion::TLSV1_2 {
                cx.out.send(
                    ContentType::ALERT,
                    &[1, alert.0],
                    crate::record::MAX_PLAINTEXT,
                )?;
            }
        }
        answer(cx, self.ch, &self.raw, self.version)
    }
}
