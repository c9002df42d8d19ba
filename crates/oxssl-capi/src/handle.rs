//! Reference-counted handles: a C pointer (`X509 *`, `EVP_PKEY *`, ...) is an `Arc<T>`
//! turned into a raw pointer, so `*_up_ref` adds a count and `*_free` drops one.

use std::ffi::c_int;
use std::sync::Arc;

/// Hands one reference to C.
pub(crate) fn into_raw<T>(a: Arc<T>) -> *mut T {
    Arc::into_raw(a).cast_mut()
}

/// A new `Arc` for a live handle, adding a count (the caller's reference stays).
///
/// # Safety
/// `p` is NULL or a live handle from [`into_raw`] of an `Arc<T>`.
pub(crate) unsafe fn share<T>(p: *const T) -> Option<Arc<T>> {
    if p.is_null() {
        return None;
    }
    // SAFETY: p came from Arc::into_raw and is live (contract); the count added here is
    // the one the returned Arc owns.
    unsafe {
        Arc::increment_strong_count(p);
        Some(Arc::from_raw(p))
    }
}

/// Takes the caller's reference (`set0`-style and `*_free` calls).
///
/// # Safety
/// `p` is NULL or a handle from [`into_raw`] whose reference the caller gives away.
pub(crate) unsafe fn adopt<T>(p: *mut T) -> Option<Arc<T>> {
    // SAFETY: per the contract, p came from Arc::into_raw and one count is ours now.
    (!p.is_null()).then(|| unsafe { Arc::from_raw(p.cast_const()) })
}

/// `*_up_ref`: 1, or 0 for NULL.
///
/// # Safety
/// `p` is NULL or a live handle from [`into_raw`].
pub(crate) unsafe fn up_ref<T>(p: *mut T) -> c_int {
    crate::guard(0, || {
        // SAFETY: forwarded contract; the new count is given to the caller.
        unsafe { share(p.cast_const()) }.map_or(0, |a| {
            let _ = Arc::into_raw(a);
            1
        })
    })
}

/// `*_free`: drops the caller's reference; NULL is ignored.
///
/// # Safety
/// `p` is NULL or a handle whose reference the caller gives away.
pub(crate) unsafe fn release<T>(p: *mut T) {
    // SAFETY: forwarded contract.
    crate::guard((), || drop(unsafe { adopt(p) }))
}

/// Borrows a live handle for the duration of a call.
///
/// # Safety
/// `p` is NULL or a live handle from [`into_raw`], not freed during the borrow.
pub(crate) unsafe fn borrow<'a, T>(p: *const T) -> Option<&'a T> {
    // SAFETY: per the contract the pointee is live.
    unsafe { p.as_ref() }
}
