//! PEM blocks by label, through `pem-rfc7468`/`base64ct`: base64 without branches or table
//! lookups on the data's value, since blocks hold private keys and session master secrets.
//! Certificates and keys by their usual labels are read with `rustls-pki-types` (also
//! constant-time); these two serve the labels it does not know ("SSL SESSION PARAMETERS",
//! "X509 CERTIFICATE", ...).

use super::X509Error;
use pem_rfc7468::{Base64Decoder, LineEnding};

/// `der` as a PEM block labelled `label` (e.g. `"CERTIFICATE"`), as OpenSSL writes it:
/// 64-column lines ended by `\n`. Fails only for a label RFC 7468 does not allow (one with
/// a hyphen, a control character or a double space).
///
/// ```
/// let pem = oxssl::x509::pem_encode("TEST", b"\x30\x00")?;
/// assert_eq!(pem, "-----BEGIN TEST-----\nMAA=\n-----END TEST-----\n");
/// # Ok::<(), oxssl::x509::X509Error>(())
/// ```
pub fn pem_encode(label: &str, der: &[u8]) -> Result<String, X509Error> {
    pem_rfc7468::encode_string(label, LineEnding::LF, der)
        .map_err(|e| X509Error::Pem(e.to_string()))
}

/// The contents of the first PEM block labelled `label` in `text` (text before, after and
/// between other blocks is skipped). Lines may have any width, as OpenSSL accepts; a block
/// with headers (`Proc-Type`/`DEK-Info`: a legacy encrypted key) is refused.
///
/// ```
/// let text = "a note\n-----BEGIN TEST-----\nMA\nA=\n-----END TEST-----\n";
/// assert_eq!(oxssl::x509::pem_decode("TEST", text.as_bytes())?, b"\x30\x00");
/// assert!(oxssl::x509::pem_decode("OTHER", text.as_bytes()).is_err());
/// # Ok::<(), oxssl::x509::X509Error>(())
/// ```
pub fn pem_decode(label: &str, text: &[u8]) -> Result<Vec<u8>, X509Error> {
    let missing = || X509Error::Pem(format!("no {label} block"));
    let (begin, end) = (
        format!("-----BEGIN {label}-----"),
        format!("-----END {label}-----"),
    );
    let mut lines = text.split(|&c| c == b'\n').map(|l| l.trim_ascii());
    lines.find(|l| *l == begin.as_bytes()).ok_or_else(missing)?;
    // The base64 text of a key or a session is as secret as its bytes: wiped on drop.
    let mut body = zeroize::Zeroizing::new(Vec::with_capacity(text.len()));
    for line in lines.by_ref() {
        if line == end.as_bytes() {
            return base64_decode(&body);
        }
        if line.contains(&b':') {
            return Err(X509Error::Pem(format!(
                "{label} block with headers (an encrypted key?) not supported"
            )));
        }
        // Only the line breaks' and blanks' positions decide here, never a value.
        body.extend(line.iter().filter(|c| !c.is_ascii_whitespace()));
    }
    Err(X509Error::Pem(format!("no END line for {label}")))
}

/// Base64 (padded, no whitespace) in constant time, into a buffer sized up front (a
/// reallocation would leave a copy of secret bytes behind).
fn base64_decode(b64: &[u8]) -> Result<Vec<u8>, X509Error> {
    let mut out = Vec::with_capacity(b64.len() / 4 * 3 + 3);
    if !b64.is_empty() {
        Base64Decoder::new(b64)
            .and_then(|mut d| d.decode_to_end(&mut out).map(|_| ()))
            .map_err(|e| X509Error::Pem(format!("bad base64: {e}")))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_every_length_and_width() {
        for n in 0..200 {
            let data: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            let pem = pem_encode("SSL SESSION PARAMETERS", &data).unwrap();
            assert!(pem.lines().all(|l| l.len() <= 64), "{pem}");
            assert_eq!(
                pem_decode("SSL SESSION PARAMETERS", pem.as_bytes()).unwrap(),
                data
            );
            // Another tool's 76-column lines, CRLF line ends and indentation.
            let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
            let rewrapped: Vec<String> = b64
                .as_bytes()
                .chunks(76)
                .map(|c| format!("  {}\r", String::from_utf8_lossy(c)))
                .collect();
            let other = format!(
                "-----BEGIN SSL SESSION PARAMETERS-----\r\n{}\n-----END SSL SESSION PARAMETERS-----\r\n",
                rewrapped.join("\n")
            );
            assert_eq!(
                pem_decode("SSL SESSION PARAMETERS", other.as_bytes()).unwrap(),
                data
            );
        }
    }

    #[test]
    fn finds_the_block_among_others() {
        let text = format!(
            "junk\n{}{}trailing",
            pem_encode("CERTIFICATE", b"cert").unwrap(),
            pem_encode("X509 CERTIFICATE", b"old style").unwrap()
        );
        assert_eq!(
            pem_decode("X509 CERTIFICATE", text.as_bytes()).unwrap(),
            b"old style"
        );
        assert_eq!(pem_decode("CERTIFICATE", text.as_bytes()).unwrap(), b"cert");
    }

    #[test]
    fn refuses_what_is_not_a_good_block() {
        let err = |text: &str| pem_decode("K", text.as_bytes()).unwrap_err().to_string();
        assert!(err("nothing").contains("no K block"));
        assert!(err("-----BEGIN K-----\nMAA=\n").contains("no END line"));
        assert!(err("-----BEGIN K-----\nMA?=\n-----END K-----\n").contains("bad base64"));
        assert!(err("-----BEGIN K-----\nMAA\n-----END K-----\n").contains("bad base64"));
        assert!(err("-----BEGIN K-----\nMAA=MAA=\n-----END K-----\n").contains("bad base64"));
        let encrypted =
            "-----BEGIN K-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMAA=\n-----END K-----\n";
        assert!(err(encrypted).contains("headers"));
        assert!(pem_encode("BAD-LABEL", b"x").is_err());
    }
}
