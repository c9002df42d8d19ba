//! PEM as OpenSSL's tools write it: base64 in 64-column lines between BEGIN/END labels.
//! Certificates (summaries, `-showcerts`) and session files (`-sess_out`, `-sess_in`:
//! OpenSSL's SSL_SESSION DER under "SSL SESSION PARAMETERS").

use oxssl::ssl::SslSession;
use std::path::Path;

const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const SESSION_LABEL: &str = "SSL SESSION PARAMETERS";

/// `der` as a PEM block with `label`.
pub fn encode(label: &str, der: &[u8]) -> String {
    oxssl::x509::pem_encode(label, der)
}

/// The DER inside the first PEM block labelled `label` in `text`.
pub fn decode(label: &str, text: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)? + begin.len();
    let stop = start + text[start..].find(&end)?;
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text[start..stop]
        .bytes()
        .filter(|c| !c.is_ascii_whitespace())
    {
        if c == b'=' {
            break;
        }
        let v = ABC.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Writes a session file (`-sess_out`).
pub fn write_session(path: &Path, s: &SslSession) -> Result<(), String> {
    let der = s.to_der().map_err(|e| e.to_string())?;
    std::fs::write(path, encode(SESSION_LABEL, &der))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads a session file (`-sess_in`), ours or `openssl s_client -sess_out`'s.
pub fn read_session(path: &Path) -> Result<SslSession, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let der = decode(SESSION_LABEL, &text)
        .ok_or_else(|| format!("{}: no SSL SESSION PARAMETERS block", path.display()))?;
    SslSession::from_der(&der).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip() {
        for n in 0..70 {
            let data: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            let text = super::encode("X", &data);
            assert_eq!(super::decode("X", &text).unwrap(), data);
        }
    }
}
