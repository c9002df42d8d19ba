//! `SSL_set_ex_data` & co: application pointers on connections and contexts (the indexes
//! come from `CRYPTO_get_ex_new_index`, which the `SSL_get_ex_new_index` macro calls).

use std::ffi::{c_int, c_void};

use crate::guard;
use crate::handle::borrow;

use super::{null_param, SSL, SSL_CTX};

fn on<T>(p: *const T, fail: c_int, f: impl FnOnce(&T) -> c_int) -> c_int {
    guard(fail, || {
        // SAFETY: a non-NULL SSL / SSL_CTX is live while the caller uses it.
        match unsafe { borrow(p) } {
            Some(o) => f(o),
            None => {
                null_param();
                fail
            }
        }
    })
}

fn get<T>(p: *const T, f: impl FnOnce(&T) -> *mut c_void) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        // SAFETY: a non-NULL SSL / SSL_CTX is live while the caller uses it.
        unsafe { borrow(p) }.map_or(std::ptr::null_mut(), f)
    })
}

/// `SSL_set_ex_data`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_ex_data(s: *mut SSL, idx: c_int, data: *mut c_void) -> c_int {
    on(s, 0, |s| s.ex.set(idx, data))
}

/// `SSL_get_ex_data`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_ex_data(s: *const SSL, idx: c_int) -> *mut c_void {
    get(s, |s| s.ex.get(idx))
}

/// `SSL_CTX_set_ex_data`.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_ex_data(
    ctx: *mut SSL_CTX,
    idx: c_int,
    data: *mut c_void,
) -> c_int {
    on(ctx, 0, |c| c.ex.set(idx, data))
}

/// `SSL_CTX_get_ex_data`.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_ex_data(ctx: *const SSL_CTX, idx: c_int) -> *mut c_void {
    get(ctx, |c| c.ex.get(idx))
}

/// `SSL_get_SSL_CTX`: the connection's context (no reference added): the one it was made
/// from, or the one `SSL_set_SSL_CTX` gave it.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_SSL_CTX(s: *const SSL) -> *mut SSL_CTX {
    // Inside a callback of this SSL's own call: the context that call sees.
    if let Some(c) = super::frames::ctx(s) {
        return c;
    }
    super::with_ssl(s, std::ptr::null_mut(), |st| {
        std::sync::Arc::as_ptr(&st.ctx).cast_mut()
    })
}
