//! `OPENSSL_STACK`, the untyped list behind OpenSSL 3's `STACK_OF(T)` macros
//! (`sk_X509_num(sk)` expands to `OPENSSL_sk_num(sk)`, and so on).

use std::ffi::{c_int, c_void};

use crate::guard;
use crate::handle::borrow;

/// `OPENSSL_STACK`: pointers the caller owns (or, for a stack an `SSL` returns, that the
/// `SSL` keeps alive).
#[allow(non_camel_case_types)]
#[derive(Default)]
pub struct OPENSSL_STACK {
    pub(crate) items: Vec<*mut c_void>,
}

// SAFETY: the stack stores pointers and never dereferences them; sharing or sending it
// between threads is as safe as doing so with the objects, which is the caller's concern
// in OpenSSL too (an SSL's peer chain holds certificates, which are immutable here).
unsafe impl Send for OPENSSL_STACK {}
// SAFETY: as above; `&OPENSSL_STACK` only reads the pointer values.
unsafe impl Sync for OPENSSL_STACK {}

/// `OPENSSL_sk_new_null`.
#[no_mangle]
pub extern "C" fn OPENSSL_sk_new_null() -> *mut OPENSSL_STACK {
    guard(std::ptr::null_mut(), || {
        Box::into_raw(Box::<OPENSSL_STACK>::default())
    })
}

/// `OPENSSL_sk_num`: the number of items, -1 for NULL.
///
/// # Safety
/// `st` is NULL or a live stack.
#[no_mangle]
pub unsafe extern "C" fn OPENSSL_sk_num(st: *const OPENSSL_STACK) -> c_int {
    // SAFETY: the caller's contract.
    guard(-1, || {
        unsafe { borrow(st) }.map_or(-1, |s| s.items.len() as c_int)
    })
}

/// `OPENSSL_sk_value`: item `i`, NULL when out of range.
///
/// # Safety
/// `st` is NULL or a live stack.
#[no_mangle]
pub unsafe extern "C" fn OPENSSL_sk_value(st: *const OPENSSL_STACK, i: c_int) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        // SAFETY: the caller's contract.
        let s = unsafe { borrow(st) };
        s.and_then(|s| {
            usize::try_from(i)
                .ok()
                .and_then(|i| s.items.get(i).copied())
        })
        .unwrap_or(std::ptr::null_mut())
    })
}

/// `OPENSSL_sk_push`: the new number of items, 0 on failure.
///
/// # Safety
/// `st` is NULL or a live stack the caller may change.
#[no_mangle]
pub unsafe extern "C" fn OPENSSL_sk_push(st: *mut OPENSSL_STACK, data: *const c_void) -> c_int {
    guard(0, || {
        // SAFETY: the caller's contract: a live, exclusively used stack.
        match unsafe { st.as_mut() } {
            Some(s) => {
                s.items.push(data.cast_mut());
                s.items.len() as c_int
            }
            None => 0,
        }
    })
}

/// `OPENSSL_sk_free`: frees the stack, not the items.
///
/// # Safety
/// `st` is NULL or a stack from [`OPENSSL_sk_new_null`] the caller owns.
#[no_mangle]
pub unsafe extern "C" fn OPENSSL_sk_free(st: *mut OPENSSL_STACK) {
    guard((), || {
        if !st.is_null() {
            // SAFETY: st came from Box::into_raw (contract) and is given up here.
            drop(unsafe { Box::from_raw(st) });
        }
    })
}

/// `OPENSSL_sk_pop_free`: calls `func` on every item, then frees the stack.
///
/// # Safety
/// As [`OPENSSL_sk_free`]; `func` is NULL or accepts each item.
#[no_mangle]
pub unsafe extern "C" fn OPENSSL_sk_pop_free(
    st: *mut OPENSSL_STACK,
    func: Option<unsafe extern "C" fn(*mut c_void)>,
) {
    guard((), || {
        if st.is_null() {
            return;
        }
        // SAFETY: st came from Box::into_raw (contract) and is given up here.
        let s = unsafe { Box::from_raw(st) };
        if let Some(f) = func {
            for item in s.items {
                // SAFETY: the caller's free function for the items it stored.
                unsafe { f(item) };
            }
        }
    })
}
