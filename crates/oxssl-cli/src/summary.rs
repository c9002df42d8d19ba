//! What `s_client` and `s_server` print about a connection, in the shape OpenSSL's tools
//! use (so people and scripts that read those find the same lines).

use oxssl::crypto::sign::SignatureScheme;
use oxssl::negotiated::EarlyData;
use oxssl::ssl::Ssl;
use oxssl::x509::{self, CertificateDer, VerifyCode};
use std::fmt::Write;

/// "/CN=a/O=b" as OpenSSL 3 prints names: "CN = a, O = b".
pub fn name(oneline: &str) -> String {
    oneline
        .split('/')
        .filter(|p| !p.is_empty())
        .map(|p| p.replacen('=', " = ", 1))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A certificate as PEM (the error text instead, though a constant valid label cannot fail).
pub fn pem(der: &[u8]) -> String {
    crate::pem::encode("CERTIFICATE", der).unwrap_or_else(|e| format!("{e}\n"))
}

/// OpenSSL's "SSL-Session:" block (without secrets).
pub fn session_block(ssl: &Ssl) -> String {
    let mut o = String::new();
    let Some(s) = ssl.session() else {
        return o;
    };
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02X}")).collect::<String>();
    let _ = writeln!(o, "SSL-Session:");
    let _ = writeln!(o, "    Protocol  : {}", ssl.version_str());
    let _ = writeln!(o, "    Cipher    : {}", s.cipher_name());
    let _ = writeln!(o, "    Session-ID: {}", hex(s.id()));
    let _ = writeln!(o, "    Session-ID-ctx: ");
    if s.has_ticket() {
        let _ = writeln!(
            o,
            "    TLS session ticket lifetime hint: {} (seconds)",
            s.ticket_lifetime_hint()
        );
    }
    let _ = writeln!(o, "    Start Time: {}", s.time());
    let _ = writeln!(o, "    Timeout   : {} (sec)", s.timeout());
    let _ = writeln!(o, "    Max Early Data: {}", s.max_early_data());
    o
}

/// OpenSSL's "Peer signature type" and "Peer signing digest" for a scheme.
fn signature_parts(s: SignatureScheme) -> (&'static str, &'static str) {
    let name = s.name();
    let kind = if name.starts_with("ecdsa") {
        "ECDSA"
    } else if name.starts_with("rsa_pss") {
        "RSA-PSS"
    } else if name.starts_with("rsa_pkcs1") {
        "RSA"
    } else {
        "Ed25519"
    };
    let digest = if name.ends_with("sha256") {
        "SHA256"
    } else if name.ends_with("sha384") {
        "SHA384"
    } else if name.ends_with("sha512") {
        "SHA512"
    } else {
        "none"
    };
    (kind, digest)
}

/// The verify result line: "0 (ok)".
pub fn verify_line(code: i32) -> String {
    format!("{code} ({})", VerifyCode(code).text())
}

/// The full summary `s_client` prints after the handshake (and `-brief`'s short form).
pub fn connection(ssl: &Ssl, show_certs: bool, brief: bool, peer_is_server: bool) -> String {
    let mut o = String::new();
    let chain: Vec<CertificateDer<'static>> = ssl
        .peer_cert_chain()
        .unwrap_or_default()
        .into_iter()
        .map(CertificateDer::from)
        .collect();
    let negotiated = ssl.connection().map(|c| c.negotiated().clone());
    let sig = negotiated.as_ref().and_then(|n| n.peer_signature_scheme);
    let group = ssl.group_name().unwrap_or("none");
    let verify = ssl.verify_result().as_raw();
    let who = if peer_is_server { "Server" } else { "Client" };
    if brief {
        let _ = writeln!(o, "CONNECTION ESTABLISHED");
        let _ = writeln!(o, "Protocol version: {}", ssl.version_str());
        let _ = writeln!(
            o,
            "Ciphersuite: {}",
            ssl.current_cipher_name().unwrap_or("(NONE)")
        );
        if let Some(leaf) = chain.first() {
            let _ = writeln!(
                o,
                "Peer certificate: {}",
                name(&x509::subject_oneline(leaf))
            );
        }
        if let Some(s) = sig {
            let (kind, digest) = signature_parts(s);
            let _ = writeln!(o, "Hash used: {digest}\nSignature type: {kind}");
        }
        let v = if verify == 0 {
            "OK".to_string()
        } else {
            verify_line(verify)
        };
        let _ = writeln!(o, "Verification: {v}");
        let _ = writeln!(o, "{who} Temp Key: {group}");
        return o;
    }
    let _ = writeln!(o, "---");
    if chain.is_empty() {
        let _ = writeln!(o, "no peer certificate available");
    } else {
        let _ = writeln!(o, "Certificate chain");
        for (i, c) in chain.iter().enumerate() {
            let _ = writeln!(o, " {i} s:{}", name(&x509::subject_oneline(c)));
            let _ = writeln!(o, "   i:{}", name(&x509::issuer_oneline(c)));
            if show_certs {
                o.push_str(&pem(c.as_ref()));
            }
        }
        let _ = writeln!(o, "---");
        if !show_certs {
            let _ = writeln!(o, "{who} certificate");
            o.push_str(&pem(chain[0].as_ref()));
        }
        let _ = writeln!(o, "subject={}", name(&x509::subject_oneline(&chain[0])));
        let _ = writeln!(o, "issuer={}", name(&x509::issuer_oneline(&chain[0])));
    }
    let _ = writeln!(o, "---");
    if let Some(s) = sig {
        let (kind, digest) = signature_parts(s);
        let _ = writeln!(o, "Peer signing digest: {digest}");
        let _ = writeln!(o, "Peer signature type: {kind}");
    }
    let _ = writeln!(o, "{who} Temp Key: {group}");
    let _ = writeln!(o, "---");
    let v = if verify == 0 {
        "OK".to_string()
    } else {
        verify_line(verify)
    };
    let _ = writeln!(o, "Verification: {v}");
    let _ = writeln!(o, "---");
    let _ = writeln!(
        o,
        "{}, {}, Cipher is {}",
        if ssl.session_reused() {
            "Reused"
        } else {
            "New"
        },
        ssl.version_str(),
        ssl.current_cipher_name().unwrap_or("(NONE)")
    );
    let _ = writeln!(
        o,
        "Secure Renegotiation IS {}supported",
        if ssl.version_str() == "TLSv1.2" {
            ""
        } else {
            "NOT "
        }
    );
    match ssl.selected_alpn_protocol() {
        Some(p) => {
            let _ = writeln!(o, "ALPN protocol: {}", String::from_utf8_lossy(p));
        }
        None => {
            let _ = writeln!(o, "No ALPN negotiated");
        }
    }
    if ssl.version_str() == "TLSv1.3" {
        let early = match ssl.early_data_status() {
            EarlyData::Accepted => "Early data was accepted",
            EarlyData::Rejected => "Early data was rejected",
            _ => "Early data was not sent",
        };
        let _ = writeln!(o, "{early}");
    }
    let _ = writeln!(o, "Verify return code: {}", verify_line(verify));
    let _ = writeln!(o, "---");
    o
}
