//! PEM as OpenSSL's tools write it, through the library (no base64 of our own):
//! certificates (summaries, `-showcerts`) and session files (`-sess_out`, `-sess_in`:
//! OpenSSL's SSL_SESSION DER under "SSL SESSION PARAMETERS").

use oxssl::ssl::SslSession;
use std::path::Path;

const SESSION_LABEL: &str = "SSL SESSION PARAMETERS";

/// `der` as a PEM block with `label`.
pub fn encode(label: &str, der: &[u8]) -> Result<String, String> {
    oxssl::x509::pem_encode(label, der).map_err(|e| e.to_string())
}

/// Writes a session file (`-sess_out`).
pub fn write_session(path: &Path, s: &SslSession) -> Result<(), String> {
    let der = s.to_der().map_err(|e| e.to_string())?;
    std::fs::write(path, encode(SESSION_LABEL, &der)?)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads a session file (`-sess_in`), ours or `openssl s_client -sess_out`'s.
pub fn read_session(path: &Path) -> Result<SslSession, String> {
    let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    // The master secret is in there: decoded in constant time by the library.
    let der = oxssl::x509::pem_decode(SESSION_LABEL, &text)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    SslSession::from_der(&der).map_err(|e| format!("{}: {e}", path.display()))
}
