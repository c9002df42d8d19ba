//! `PEM_read_*`: the next PEM block of the wanted kind from a BIO or a `FILE *`, skipping
//! blocks of other kinds (a key before a certificate, EC PARAMETERS), as OpenSSL does.

use std::ffi::{c_char, c_int, c_void};
use std::sync::Arc;

use crate::bio::BIO;
use crate::err::{self, LIB_PEM};
use crate::evp::EVP_PKEY;
use crate::guard;
use crate::handle;
use crate::x509::X509;

const PEM_R_BAD_BASE64_DECODE: c_int = 100;
const PEM_R_BAD_END_LINE: c_int = 102;
const PEM_R_NO_START_LINE: c_int = 108;
const PEM_R_BAD_DECRYPT: c_int = 101;
/// ERR_LIB_DECODER and ERR_R_UNSUPPORTED.
const LIB_DECODER: c_int = 60;
const ERR_R_UNSUPPORTED: c_int = 268 | (0x2 << 18);
/// ERR_R_ASN1_LIB (a malformed certificate or key inside a good PEM block).
const ERR_R_ASN1_LIB: c_int = 13 | (0x2 << 18);

/// `pem_password_cb` (never called: encrypted keys are not supported).
type PasswordCb = Option<unsafe extern "C" fn(*mut c_char, c_int, c_int, *mut c_void) -> c_int>;

/// Where the PEM text comes from, one line at a time.
trait Lines {
    /// The next line without its end of line, or None at end of input.
    fn line(&mut self) -> Option<Vec<u8>>;
}

fn next_line(mut byte: impl FnMut() -> Option<u8>) -> Option<Vec<u8>> {
    let mut line = Vec::new();
    loop {
        match byte() {
            Some(b'\n') => break,
            Some(b) => line.push(b),
            None if line.is_empty() => return None,
            None => break,
        }
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Some(line)
}

struct BioLines(*mut BIO);

impl Lines for BioLines {
    fn line(&mut self) -> Option<Vec<u8>> {
        next_line(|| {
            let mut b = 0u8;
            // SAFETY: self.0 is the caller's live BIO; b is one writable byte.
            let n = unsafe { crate::bio::BIO_read(self.0, std::ptr::from_mut(&mut b).cast(), 1) };
            (n == 1).then_some(b)
        })
    }
}

struct FileLines(*mut libc::FILE);

impl Lines for FileLines {
    fn line(&mut self) -> Option<Vec<u8>> {
        next_line(|| {
            // SAFETY: self.0 is the caller's FILE *.
            let c = unsafe { libc::fgetc(self.0) };
            u8::try_from(c).ok()
        })
    }
}

/// The DER of the next block whose label is one of `labels` (with the label), or the
/// reason code of the failure.
fn read_block(src: &mut dyn Lines, labels: &[&str]) -> Result<(String, Vec<u8>), c_int> {
    loop {
        let line = src.line().ok_or(PEM_R_NO_START_LINE)?;
        let Some(label) = line
            .strip_prefix(b"-----BEGIN ")
            .and_then(|l| l.strip_suffix(b"-----"))
        else {
            continue;
        };
        let label = String::from_utf8_lossy(label).into_owned();
        let end = format!("-----END {label}-----");
        // The block as read, for the library's constant-time decoder (keys are secret).
        let mut block = line;
        let mut headers = false;
        loop {
            let l = src.line().ok_or(PEM_R_BAD_END_LINE)?;
            block.push(b'\n');
            block.extend_from_slice(&l);
            if l == end.as_bytes() {
                break;
            }
            headers |= l.contains(&b':');
        }
        if !labels.contains(&label.as_str()) {
            continue;
        }
        if headers {
            // Proc-Type / DEK-Info: an encrypted key.
            return Err(PEM_R_BAD_DECRYPT);
        }
        return oxssl::x509::pem_decode(&label, &block)
            .map(|d| (label, d))
            .map_err(|_| PEM_R_BAD_BASE64_DECODE);
    }
}

const CERT_LABELS: &[&str] = &["CERTIFICATE", "X509 CERTIFICATE"];
const AUX_LABELS: &[&str] = &["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"];
const KEY_LABELS: &[&str] = &["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];

/// Reads an object of type `T`, stores it in `*slot` when given (freeing the old one).
fn read_object<T>(
    src: &mut dyn Lines,
    labels: &[&str],
    slot: *mut *mut T,
    make: impl FnOnce(Vec<u8>) -> Option<Arc<T>>,
) -> *mut T {
    let der = match read_block(src, labels) {
        Ok((label, der)) if label == "TRUSTED CERTIFICATE" => {
            // The certificate, then OpenSSL's trust settings: keep the certificate.
            let n = crate::x509::der_len(&der)
                .unwrap_or(der.len())
                .min(der.len());
            der[..n].to_vec()
        }
        Ok((_, der)) => der,
        Err(PEM_R_NO_START_LINE) if labels == KEY_LABELS => {
            // OpenSSL 3 reads keys through its decoders, which report "unsupported".
            err::push(LIB_DECODER, ERR_R_UNSUPPORTED);
            return std::ptr::null_mut();
        }
        Err(reason) => {
            err::push(LIB_PEM, reason);
            return std::ptr::null_mut();
        }
    };
    let Some(obj) = make(der) else {
        err::push(LIB_PEM, ERR_R_ASN1_LIB);
        return std::ptr::null_mut();
    };
    let p = handle::into_raw(obj);
    // SAFETY: slot is NULL or a writable slot holding NULL or a reference the caller gives
    // up (the PEM_read_* contract).
    if let Some(s) = unsafe { slot.as_mut() } {
        unsafe { handle::release(*s) };
        *s = p;
    }
    p
}

macro_rules! pem_reader {
    ($(#[$doc:meta])* $name:ident, $src:ty, $wrap:ident, $t:ty, $labels:expr, $make:expr) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// The source is a live BIO / `FILE *` (or NULL); `x` is NULL or a writable slot
        /// holding NULL or a reference the caller gives up.
        #[no_mangle]
        pub unsafe extern "C" fn $name(
            src: *mut $src,
            x: *mut *mut $t,
            _cb: PasswordCb,
            _u: *mut c_void,
        ) -> *mut $t {
            guard(std::ptr::null_mut(), || {
                if src.is_null() {
                    err::push(LIB_PEM, PEM_R_NO_START_LINE);
                    return std::ptr::null_mut();
                }
                read_object(&mut $wrap(src), $labels, x, $make)
            })
        }
    };
}

pem_reader!(
    /// `PEM_read_bio_X509`.
    PEM_read_bio_X509, BIO, BioLines, X509, CERT_LABELS, X509::from_der
);
pem_reader!(
    /// `PEM_read_bio_X509_AUX` (also "TRUSTED CERTIFICATE"; the trust settings are dropped).
    PEM_read_bio_X509_AUX, BIO, BioLines, X509, AUX_LABELS, X509::from_der
);
pem_reader!(
    /// `PEM_read_X509`.
    PEM_read_X509, libc::FILE, FileLines, X509, CERT_LABELS, X509::from_der
);
pem_reader!(
    /// `PEM_read_X509_AUX`.
    PEM_read_X509_AUX, libc::FILE, FileLines, X509, AUX_LABELS, X509::from_der
);
pem_reader!(
    /// `PEM_read_bio_PrivateKey` (unencrypted PKCS#8, PKCS#1 and SEC1 keys).
    PEM_read_bio_PrivateKey, BIO, BioLines, EVP_PKEY, KEY_LABELS, EVP_PKEY::from_der
);
pem_reader!(
    /// `PEM_read_PrivateKey`.
    PEM_read_PrivateKey, libc::FILE, FileLines, EVP_PKEY, KEY_LABELS, EVP_PKEY::from_der
);

#[cfg(test)]
mod tests {
    use super::*;

    /// PEM text offered byte by byte, as a BIO or FILE would.
    struct Text(std::vec::IntoIter<u8>);

    impl Lines for Text {
        fn line(&mut self) -> Option<Vec<u8>> {
            next_line(|| self.0.next())
        }
    }

    fn read(text: &str, labels: &[&str]) -> Result<(String, Vec<u8>), c_int> {
        read_block(&mut Text(text.as_bytes().to_vec().into_iter()), labels)
    }

    #[test]
    fn blocks_decode_with_openssl_reason_codes() {
        let key = "-----BEGIN PRIVATE KEY-----\naGVs\nbG8h\n-----END PRIVATE KEY-----\n";
        assert_eq!(
            read(key, KEY_LABELS),
            Ok(("PRIVATE KEY".into(), b"hello!".to_vec()))
        );
        // Blocks of other kinds are skipped; CRLF line ends are fine.
        let both = format!("-----BEGIN EC PARAMETERS-----\r\nBggqhkjOPQMBBw==\r\n-----END EC PARAMETERS-----\r\n{key}");
        assert_eq!(read(&both, KEY_LABELS).unwrap().1, b"hello!");
        let cert = "-----BEGIN TRUSTED CERTIFICATE-----\naGk=\n-----END TRUSTED CERTIFICATE-----";
        assert_eq!(read(cert, AUX_LABELS).unwrap().1, b"hi");
        assert_eq!(read(cert, CERT_LABELS), Err(PEM_R_NO_START_LINE));
        let bad = "-----BEGIN CERTIFICATE-----\na?==\n-----END CERTIFICATE-----";
        assert_eq!(read(bad, CERT_LABELS), Err(PEM_R_BAD_BASE64_DECODE));
        let cut = "-----BEGIN CERTIFICATE-----\naGk=\n";
        assert_eq!(read(cut, CERT_LABELS), Err(PEM_R_BAD_END_LINE));
        let encrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\naGk=\n-----END RSA PRIVATE KEY-----";
        assert_eq!(read(encrypted, KEY_LABELS), Err(PEM_R_BAD_DECRYPT));
    }
}
