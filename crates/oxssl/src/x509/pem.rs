//! PEM encoding as OpenSSL writes it: base64 in 64-column lines between BEGIN/END labels.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `der` as a PEM block labelled `label` (e.g. `"CERTIFICATE"`), lines ended by `\n`.
///
/// ```
/// let pem = oxssl::x509::pem_encode("TEST", b"\x30\x00");
/// assert_eq!(pem, "-----BEGIN TEST-----\nMAA=\n-----END TEST-----\n");
/// ```
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    let mut b64 = Vec::with_capacity(der.len().div_ceil(3) * 4);
    for chunk in der.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            b64.push(if i <= chunk.len() {
                ALPHABET[(n >> (18 - 6 * i) & 63) as usize]
            } else {
                b'='
            });
        }
    }
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.chunks(64) {
        out.extend(line.iter().map(|&c| char::from(c)));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
