//! Peer verification: the verify callback (`SSL_CTX_set_verify` / `SSL_set_verify` with a
//! callback, called by the library during the handshake with an `X509_STORE_CTX`), the
//! verify depth, and the CA directory of `SSL_CTX_load_verify_locations`.

use std::ffi::{c_int, c_void};
use std::path::Path;
use std::sync::OnceLock;

use oxssl::ssl::{ErrorStack, SslContextBuilder, SslVerifyMode};
use oxssl::x509::X509StoreContextRef;

use super::{frames, with_ctx, with_ssl_quiet, CtxOp, SSL, SSL_CTX};
use crate::store_ctx::X509_STORE_CTX;

/// `SSL_verify_cb`: `int (*)(int preverify_ok, X509_STORE_CTX *)`.
pub(super) type VerifyCb = unsafe extern "C" fn(c_int, *mut X509_STORE_CTX) -> c_int;

/// The library's verify callback for the C callback `cb`: each call gets the `SSL *` of
/// the call running the handshake (through `X509_STORE_CTX_get_ex_data`) and an
/// `X509_STORE_CTX` valid for that call. A panic here refuses the chain.
pub(super) fn closure(
    cb: VerifyCb,
) -> impl Fn(bool, &mut X509StoreContextRef) -> bool + Send + Sync + 'static {
    move |ok, inner| {
        let Some(s) = frames::current() else {
            return ok;
        };
        let idx = SSL_get_ex_data_X509_STORE_CTX_idx();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut ctx = X509_STORE_CTX::new(inner, s.cast_mut().cast::<c_void>(), idx);
            // SAFETY: the application's callback with OpenSSL's arguments; the
            // X509_STORE_CTX lives until it returns, and the connection's lock is held by
            // this thread's call (the calls the callback makes on it answer from `frames`).
            unsafe { cb(c_int::from(ok), &mut ctx) != 0 }
        }))
        .unwrap_or(false)
    }
}

/// Sets the verify mode and callback of a context being built (None: no callback).
pub(super) fn set_on_builder(b: &mut SslContextBuilder, mode: c_int, cb: Option<VerifyCb>) {
    let mode = SslVerifyMode::from_bits_retain(mode);
    match cb {
        Some(cb) => b.set_verify_callback(mode, closure(cb)),
        None => {
            b.set_verify(mode);
            b.config_mut().verify_callback = None;
        }
    }
}

/// The library's depth for OpenSSL's: a negative depth is OpenSSL's "unset", whose
/// default is 100.
pub(super) fn depth(d: c_int) -> u32 {
    u32::try_from(d).unwrap_or(100)
}

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

/// `SSL_get_ex_data_X509_STORE_CTX_idx`: the `X509_STORE_CTX` ex_data index at which a
/// verify callback finds the `SSL *` (allocated once, as OpenSSL does).
#[no_mangle]
pub extern "C" fn SSL_get_ex_data_X509_STORE_CTX_idx() -> c_int {
    static IDX: OnceLock<c_int> = OnceLock::new();
    crate::guard(-1, || {
        *IDX.get_or_init(|| {
            crate::ex_data::CRYPTO_get_ex_new_index(
                crate::ex_data::CLASS_X509_STORE_CTX,
                0,
                c"SSL for verify callback".as_ptr().cast_mut().cast(),
                None,
                None,
                None,
            )
        })
    })
}

/// `SSL_CTX_get_verify_callback`.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_verify_callback(ctx: *const SSL_CTX) -> Option<VerifyCb> {
    with_ctx(ctx, None, |c| c.verify_cb)
}

/// `SSL_get_verify_callback`: the connection's (its context's when it was made, or the
/// one `SSL_set_verify` gave it); NULL for a NULL `SSL`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_verify_callback(s: *const SSL) -> Option<VerifyCb> {
    if let Some((_, _, cb)) = frames::verify_settings(s) {
        return cb;
    }
    with_ssl_quiet(s, None, |st| st.verify_cb)
}

/// `SSL_CTX_set_verify_depth`: the most intermediate certificates a peer's chain may have
/// (a longer chain fails with `X509_V_ERR_CERT_CHAIN_TOO_LONG`), for connections made
/// after the call.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_verify_depth(ctx: *mut SSL_CTX, depth: c_int) {
    with_ctx(ctx, (), |c| {
        c.verify_depth = depth;
        c.ops.retain(|op| !matches!(op, CtxOp::VerifyDepth(_)));
        let _ = c.run(CtxOp::VerifyDepth(depth));
    })
}

/// `SSL_CTX_get_verify_depth`: -1 when never set.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_verify_depth(ctx: *const SSL_CTX) -> c_int {
    with_ctx(ctx, -1, |c| c.verify_depth)
}

/// `SSL_set_verify_depth`: this connection's (nothing for a NULL `SSL`).
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_verify_depth(s: *mut SSL, d: c_int) {
    with_ssl_quiet(s, (), |st| {
        st.verify_depth = d;
        st.ssl.set_verify_depth(depth(d));
    })
}

/// `SSL_get_verify_depth`: 0 for a NULL `SSL`, as OpenSSL's.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_verify_depth(s: *const SSL) -> c_int {
    if let Some((_, d, _)) = frames::verify_settings(s) {
        return d;
    }
    with_ssl_quiet(s, 0, |st| st.verify_depth)
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
