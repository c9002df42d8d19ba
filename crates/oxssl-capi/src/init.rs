//! Library initialisation and version.

use std::ffi::{c_char, c_int, c_ulong, c_void};

/// The OpenSSL version oxssl's API follows (3.6.0), as `OPENSSL_VERSION_NUMBER` encodes it.
pub const VERSION_NUMBER: c_ulong = 0x3060_0000;

/// `OPENSSL_init_ssl`: nothing to set up; always succeeds.
#[no_mangle]
pub extern "C" fn OPENSSL_init_ssl(_opts: u64, _settings: *const c_void) -> c_int {
    1
}

/// `OPENSSL_init_crypto`.
#[no_mangle]
pub extern "C" fn OPENSSL_init_crypto(_opts: u64, _settings: *const c_void) -> c_int {
    1
}

/// `SSL_library_init`: a macro over `OPENSSL_init_ssl` in OpenSSL 3's headers (and in
/// ours); exported as well for binaries built against OpenSSL 1.0 headers.
#[no_mangle]
pub extern "C" fn SSL_library_init() -> c_int {
    1
}

/// `OpenSSL_version_num`.
#[no_mangle]
pub extern "C" fn OpenSSL_version_num() -> c_ulong {
    VERSION_NUMBER
}

/// `OpenSSL_version`.
#[no_mangle]
pub extern "C" fn OpenSSL_version(t: c_int) -> *const c_char {
    match t {
        0 => c"oxssl 0.1.0 (OpenSSL 3.6 API)".as_ptr(),
        6 => c"3.6.0".as_ptr(),
        7 => c"3.6.0".as_ptr(),
        _ => c"not available".as_ptr(),
    }
}
