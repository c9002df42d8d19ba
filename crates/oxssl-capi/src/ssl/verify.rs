//! Verification settings the library has no switch for: the CA directory of
//! `SSL_CTX_load_verify_locations` and the verify depth (kept and reported; the library's
//! chain limit applies).

use std::ffi::c_int;
use std::path::Path;

use oxssl::ssl::{ErrorStack, SslContextBuilder};

use super::{with_ctx, with_ssl, SSL, SSL_CTX};

/// Whether a file name is one OpenSSL's directory lookup can find: `<8 hex digits>.<n>`.
fn hashed_name(name: &str) -> bool {
    match name.split_once('.') {
        Some((h, n)) => {
            h.len() == 8
                && h.bytes().all(|c| c.is_ascii_hexdigit())
                && !n.is_empty()
                && n.bytes().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Trusts the certificates in the hashed files of `dir` (OpenSSL looks them up by subject
/// hash when needed; reading them all at once trusts the same set). An unreadable
/// directory adds nothing and is not an error, as OpenSSL only records the path.
pub(super) fn add_ca_dir(b: &mut SslContextBuilder, dir: &Path) -> Result<(), ErrorStack> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let mut files: Vec<_> = entries
        .flatten()
        .filter(|e| e.file_name().to_str().is_some_and(hashed_name))
        .map(|e| e.path())
        .collect();
    files.sort();
    for f in files.iter().filter(|f| f.is_file()) {
        for der in oxssl::x509::certs_from_pem_file(f).unwrap_or_default() {
            // A certificate the store refuses is skipped, as a bad file in a CApath is.
            let _ = b.add_trusted_der(der.as_ref());
        }
    }
    Ok(())
}

/// `SSL_CTX_set_verify_depth`.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_verify_depth(ctx: *mut SSL_CTX, depth: c_int) {
    with_ctx(ctx, (), |c| c.verify_depth = depth)
}

/// `SSL_CTX_get_verify_depth`: -1 when never set.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_verify_depth(ctx: *const SSL_CTX) -> c_int {
    with_ctx(ctx, -1, |c| c.verify_depth)
}

/// `SSL_set_verify_depth`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_verify_depth(s: *mut SSL, depth: c_int) {
    with_ssl(s, (), |st| st.verify_depth = depth)
}

/// `SSL_get_verify_depth`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_verify_depth(s: *const SSL) -> c_int {
    with_ssl(s, -1, |st| st.verify_depth)
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashed_names() {
        assert!(super::hashed_name("9d66eef0.0"));
        assert!(super::hashed_name("ABCDEF01.12"));
        assert!(!super::hashed_name("ca.pem"));
        assert!(!super::hashed_name("9d66eef0.r0"));
        assert!(!super::hashed_name("9d66eef.0"));
    }
}
