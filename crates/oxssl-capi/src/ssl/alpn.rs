//! ALPN: the protocols a client offers (`SSL_CTX_set_alpn_protos`, `SSL_set_alpn_protos`,
//! which return 0 on success, as OpenSSL's do) and the one negotiated
//! (`SSL_get0_alpn_selected`).

use std::ffi::{c_int, c_uchar, c_uint};

use super::{with_ctx, with_ssl, CtxOp, SSL, SSL_CTX};

/// The wire-format list, or None when it is malformed (each name 1..=255 bytes, no tail).
fn wire(protos: *const c_uchar, len: c_uint) -> Option<Vec<u8>> {
    if protos.is_null() || len == 0 {
        return Some(Vec::new());
    }
    // SAFETY: protos holds len readable bytes (the caller's contract), checked non-NULL.
    let w = unsafe { std::slice::from_raw_parts(protos, len as usize) }.to_vec();
    let mut rest = w.as_slice();
    while let Some((&n, tail)) = rest.split_first() {
        if n == 0 || usize::from(n) > tail.len() {
            return None;
        }
        rest = &tail[usize::from(n)..];
    }
    Some(w)
}

/// `SSL_CTX_set_alpn_protos`: 0 on success, 1 on failure (a malformed list).
///
/// # Safety
/// `ctx` is NULL or live; `protos` is NULL or holds `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_alpn_protos(
    ctx: *mut SSL_CTX,
    protos: *const c_uchar,
    len: c_uint,
) -> c_int {
    with_ctx(ctx, 1, |c| match wire(protos, len) {
        Some(w) => c.run(CtxOp::Alpn(w)).is_err() as c_int,
        None => 1,
    })
}

/// `SSL_set_alpn_protos`: 0 on success, 1 on failure.
///
/// # Safety
/// `s` is NULL or live; `protos` is NULL or holds `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_alpn_protos(
    s: *mut SSL,
    protos: *const c_uchar,
    len: c_uint,
) -> c_int {
    with_ssl(s, 1, |st| match wire(protos, len) {
        Some(w) => st.ssl.set_alpn_protos(&w).is_err() as c_int,
        None => 1,
    })
}

/// `SSL_get0_alpn_selected`: the negotiated protocol (valid until the next call on `s`),
/// or NULL and 0.
///
/// # Safety
/// `s` is NULL or live; `data` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_alpn_selected(
    s: *const SSL,
    data: *mut *const c_uchar,
    len: *mut c_uint,
) {
    with_ssl(s, (), |st| {
        st.alpn = st.ssl.selected_alpn_protocol().map(<[u8]>::to_vec);
        let (p, n) = match &st.alpn {
            Some(a) if !a.is_empty() => (a.as_ptr(), a.len() as c_uint),
            _ => (std::ptr::null(), 0),
        };
        // SAFETY: the out-parameters are writable (contract) when not NULL.
        unsafe {
            if let Some(d) = data.as_mut() {
                *d = p;
            }
            if let Some(l) = len.as_mut() {
                *l = n;
            }
        }
    })
}
