//! Line and string I/O (`BIO_gets`, `BIO_puts`) and the `_ex` forms of read and write.
//! `BIO_printf` is in `src/shim/printf.c` (C varargs).

use std::ffi::{c_char, c_int, c_void, CStr};

use super::{BIO_read, BIO_write, Kind, BIO};
use crate::err::{self, LIB_BIO};
use crate::guard;

const BIO_R_UNSUPPORTED_METHOD: c_int = 121;
const BIO_R_NULL_PARAMETER: c_int = 115;

/// `BIO_gets`: one line (up to `size - 1` bytes, the newline included), NUL-terminated;
/// memory and buffering BIOs only (-2 for the others, as OpenSSL's socket and SSL BIOs).
///
/// # Safety
/// `b` is NULL or live; `buf` holds `size` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn BIO_gets(b: *mut BIO, buf: *mut c_char, size: c_int) -> c_int {
    guard(-1, || {
        // SAFETY: the caller's contract.
        let Some(bio) = (unsafe { b.as_ref() }) else {
            err::push(LIB_BIO, BIO_R_NULL_PARAMETER);
            return -1;
        };
        if !matches!(bio.lock().kind, Kind::Mem(_) | Kind::Buffer(_)) {
            err::push(LIB_BIO, BIO_R_UNSUPPORTED_METHOD);
            return -2;
        }
        let Ok(size) = usize::try_from(size) else {
            return 0;
        };
        if buf.is_null() || size == 0 {
            return 0;
        }
        let mut n = 0usize;
        let mut ret = 0;
        while n + 1 < size {
            let mut byte = 0u8;
            match bio.lock().read(std::slice::from_mut(&mut byte)) {
                Ok(1) => {
                    // SAFETY: n + 1 < size, inside the caller's buffer.
                    unsafe { *buf.add(n) = byte as c_char };
                    n += 1;
                    if byte == b'\n' {
                        break;
                    }
                }
                Ok(_) => break,
                Err(_) => {
                    ret = -1;
                    break;
                }
            }
        }
        // SAFETY: n < size.
        unsafe { *buf.add(n) = 0 };
        if n > 0 {
            n as c_int
        } else {
            ret
        }
    })
}

/// `BIO_puts`: writes the string; the bytes written or -1.
///
/// # Safety
/// `b` is NULL or live; `s` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn BIO_puts(b: *mut BIO, s: *const c_char) -> c_int {
    guard(-1, || {
        if s.is_null() {
            err::push(LIB_BIO, BIO_R_NULL_PARAMETER);
            return -1;
        }
        // SAFETY: s is a C string (contract).
        let bytes = unsafe { CStr::from_ptr(s) }.to_bytes();
        let n = bytes.len().min(c_int::MAX as usize) as c_int;
        // SAFETY: bytes holds n readable bytes; b per the contract.
        unsafe { BIO_write(b, bytes.as_ptr().cast(), n) }
    })
}

fn ex(r: c_int, out: *mut usize) -> c_int {
    // SAFETY: out is NULL or writable (the _ex calls' contract).
    if let Some(o) = unsafe { out.as_mut() } {
        *o = usize::try_from(r).unwrap_or(0);
    }
    c_int::from(r > 0)
}

/// `BIO_read_ex`: 1 with `*readbytes` > 0, else 0.
///
/// # Safety
/// As `BIO_read`; `readbytes` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn BIO_read_ex(
    b: *mut BIO,
    data: *mut c_void,
    dlen: usize,
    readbytes: *mut usize,
) -> c_int {
    let n = dlen.min(c_int::MAX as usize) as c_int;
    // SAFETY: forwarded contract.
    ex(unsafe { BIO_read(b, data, n) }, readbytes)
}

/// `BIO_write_ex`: 1 with `*written` > 0, else 0.
///
/// # Safety
/// As `BIO_write`; `written` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn BIO_write_ex(
    b: *mut BIO,
    data: *const c_void,
    dlen: usize,
    written: *mut usize,
) -> c_int {
    let n = dlen.min(c_int::MAX as usize) as c_int;
    // SAFETY: forwarded contract.
    ex(unsafe { BIO_write(b, data, n) }, written)
}
