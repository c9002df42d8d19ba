//! `-msg` and `-state`: protocol messages and handshake states printed as OpenSSL's tools
//! print them.

use oxssl::config::{AlertDescription, ContentType, HandshakeType, Observer, ProtocolVersion};
use std::fmt::Write;

/// Prints what `-msg` / `-state` ask for.
pub struct Trace {
    /// `-msg`: every handshake message, alert and CCS, with a hex dump.
    pub msg: bool,
    /// `-state`: every handshake state.
    pub state: bool,
}

/// "CLIENT_HELLO" as OpenSSL prints it: "ClientHello".
fn camel(name: &str) -> String {
    name.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase())
                .unwrap_or_default()
        })
        .collect()
}

fn version_name(v: ProtocolVersion) -> String {
    match v.0 {
        0x0304 => "TLS 1.3".into(),
        0x0303 => "TLS 1.2".into(),
        other => format!("version {other:#06x}"),
    }
}

/// One message: the header line and a hex dump, like `openssl s_client -msg`.
pub fn describe(sent: bool, version: ProtocolVersion, typ: ContentType, data: &[u8]) -> String {
    let mut o = String::new();
    let dir = if sent { ">>>" } else { "<<<" };
    let detail = match typ {
        ContentType::HANDSHAKE => {
            let t = data.first().map(|&b| HandshakeType(b));
            format!(
                "Handshake [length {:04x}], {}",
                data.len(),
                t.and_then(|t| t.name())
                    .map_or_else(|| "???".to_string(), camel)
            )
        }
        ContentType::ALERT => {
            let level = match data.first() {
                Some(1) => "warning",
                Some(2) => "fatal",
                _ => "???",
            };
            let desc = data
                .get(1)
                .and_then(|&d| AlertDescription(d).name())
                .map_or_else(|| "???".to_string(), |n| n.to_ascii_lowercase());
            format!("Alert [length {:04x}], {level} {desc}", data.len())
        }
        ContentType::CHANGE_CIPHER_SPEC => format!("ChangeCipherSpec [length {:04x}]", data.len()),
        other => format!("{other:?} [length {:04x}]", data.len()),
    };
    let _ = writeln!(o, "{dir} {}, {detail}", version_name(version));
    for line in data.chunks(16) {
        let hex: Vec<String> = line.iter().map(|b| format!("{b:02x}")).collect();
        let _ = writeln!(o, "    {}", hex.join(" "));
    }
    o
}

impl Observer for Trace {
    fn message(&self, sent: bool, version: ProtocolVersion, typ: ContentType, data: &[u8]) {
        if self.msg {
            print!("{}", describe(sent, version, typ, data));
        }
    }

    fn state(&self, is_client: bool, state: &str) {
        if self.state {
            let side = if is_client {
                "SSL_connect"
            } else {
                "SSL_accept"
            };
            eprintln!("{side}:{state}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_look_like_openssl() {
        let hello = [1u8, 0, 0, 2, 3, 3];
        let d = describe(
            true,
            ProtocolVersion::TLSV1_2,
            ContentType::HANDSHAKE,
            &hello,
        );
        assert!(
            d.starts_with(">>> TLS 1.2, Handshake [length 0006], ClientHello\n"),
            "{d}"
        );
        assert!(d.contains("    01 00 00 02 03 03"), "{d}");
        let a = describe(
            false,
            ProtocolVersion::TLSV1_3,
            ContentType::ALERT,
            &[2, 50],
        );
        assert!(
            a.starts_with("<<< TLS 1.3, Alert [length 0002], fatal decode_error"),
            "{a}"
        );
        assert_eq!(camel("SERVER_HELLO_DONE"), "ServerHelloDone");
    }
}
