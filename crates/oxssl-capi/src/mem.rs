//! `CRYPTO_malloc` / `CRYPTO_free` (what `OPENSSL_malloc` / `OPENSSL_free` expand to): the C
//! heap, so memory this library hands out is freed the way OpenSSL's is.

use std::ffi::{c_char, c_int, c_void};

/// `CRYPTO_malloc`.
#[no_mangle]
pub extern "C" fn CRYPTO_malloc(num: usize, _file: *const c_char, _line: c_int) -> *mut c_void {
    // SAFETY: malloc may be called with any size; NULL is returned on failure.
    crate::guard(std::ptr::null_mut(), || unsafe { libc::malloc(num.max(1)) })
}

/// `CRYPTO_free`.
///
/// # Safety
/// `ptr` is NULL or from `CRYPTO_malloc` (or a call documented to return such memory).
#[no_mangle]
pub unsafe extern "C" fn CRYPTO_free(ptr: *mut c_void, _file: *const c_char, _line: c_int) {
    // SAFETY: the caller's contract: C heap memory not freed yet.
    crate::guard((), || unsafe { libc::free(ptr) })
}

/// A C-heap copy of `bytes` with a NUL appended (for strings), or NULL when out of memory.
pub(crate) fn c_copy(bytes: &[u8], nul: bool) -> *mut u8 {
    let n = bytes.len() + usize::from(nul);
    // SAFETY: a fresh allocation of n (>= 1) bytes, checked for NULL before the writes,
    // which stay inside it.
    unsafe {
        let p = libc::malloc(n.max(1)).cast::<u8>();
        if !p.is_null() {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
            if nul {
                *p.add(bytes.len()) = 0;
            }
        }
        p
    }
}
