//! The differential oracle's FFI: raw libssl / libcrypto calls (OpenSSL 3.6, vendored by
//! `openssl-sys`) that the `openssl` crate does not expose in the shape the oracle needs:
//! `SSL_write` / `SSL_read` / `SSL_peek` with their exact C return values, `SSL_get_error`,
//! the error queue (`ERR_peek_error`), `SSL_key_update`, `SSL_renegotiate`,
//! `SSL_renegotiate_abbreviated`, `SSL_renegotiate_pending`, modes and fragment sizes, and the
//! BIOs (`BIO_new_bio_pair`, `BIO_s_mem`, `BIO_new_socket`) with their `BIO_ctrl_*` counters.
//!
//! This is the only module of the differential suite with `unsafe` code. Every function
//! takes a live `SSL` (borrowed from an `openssl::ssl::Ssl`) or a [`CBio`] that owns one
//! reference to its `BIO`, so the pointers handed to C are always valid.

use foreign_types::ForeignTypeRef;
use openssl::ssl::SslRef;
use openssl_sys::{BIO, SSL};
use std::os::raw::{c_int, c_long, c_ulong, c_void};

extern "C" {
    fn ERR_peek_error() -> c_ulong;
    fn ERR_clear_error();
    fn ERR_set_mark() -> c_int;
    fn ERR_pop_to_mark() -> c_int;
    fn SSL_write(s: *mut SSL, buf: *const c_void, num: c_int) -> c_int;
    fn SSL_read(s: *mut SSL, buf: *mut c_void, num: c_int) -> c_int;
    fn SSL_peek(s: *mut SSL, buf: *mut c_void, num: c_int) -> c_int;
    fn SSL_get_error(s: *const SSL, ret: c_int) -> c_int;
    fn SSL_do_handshake(s: *mut SSL) -> c_int;
    fn SSL_shutdown(s: *mut SSL) -> c_int;
    fn SSL_key_update(s: *mut SSL, updatetype: c_int) -> c_int;
    fn SSL_renegotiate(s: *mut SSL) -> c_int;
    fn SSL_renegotiate_abbreviated(s: *mut SSL) -> c_int;
    // A real function in OpenSSL 3 (ssl/ssl_lib.c), not a macro over SSL_ctrl; openssl-sys
    // does not declare it.
    fn SSL_renegotiate_pending(s: *const SSL) -> c_int;
    fn SSL_pending(s: *const SSL) -> c_int;
    fn SSL_verify_client_post_handshake(s: *mut SSL) -> c_int;
    fn SSL_get_client_CA_list(s: *const SSL) -> *mut openssl_sys::stack_st_X509_NAME;
    fn SSL_set_post_handshake_auth(s: *mut SSL, val: c_int);
    fn SSL_get_shutdown(s: *const SSL) -> c_int;
    fn SSL_ctrl(s: *mut SSL, cmd: c_int, larg: c_long, parg: *mut c_void) -> c_long;
    fn SSL_set_options(s: *mut SSL, op: u64) -> u64;
    fn SSL_set_bio(s: *mut SSL, rbio: *mut BIO, wbio: *mut BIO);
    fn SSL_set_connect_state(s: *mut SSL);
    fn SSL_set_accept_state(s: *mut SSL);
    fn BIO_new_bio_pair(b1: *mut *mut BIO, w1: usize, b2: *mut *mut BIO, w2: usize) -> c_int;
    fn BIO_s_mem() -> *const c_void;
    fn BIO_new(method: *const c_void) -> *mut BIO;
    fn BIO_new_socket(fd: c_int, close_flag: c_int) -> *mut BIO;
    fn BIO_up_ref(b: *mut BIO) -> c_int;
    fn BIO_free(b: *mut BIO) -> c_int;
    fn BIO_read(b: *mut BIO, buf: *mut c_void, len: c_int) -> c_int;
    fn BIO_write(b: *mut BIO, buf: *const c_void, len: c_int) -> c_int;
    fn BIO_ctrl(b: *mut BIO, cmd: c_int, larg: c_long, parg: *mut c_void) -> c_long;
    fn BIO_test_flags(b: *const BIO, flags: c_int) -> c_int;
}

// The C library's thread-local errno.
#[cfg(any(target_os = "linux", target_os = "android"))]
extern "C" {
    #[link_name = "__errno_location"]
    fn errno_location() -> *mut c_int;
}
#[cfg(not(any(target_os = "linux", target_os = "android")))]
extern "C" {
    #[link_name = "__error"]
    fn errno_location() -> *mut c_int;
}

const SSL_CTRL_MODE: c_int = 33;
const SSL_CTRL_SET_MAX_SEND_FRAGMENT: c_int = 52;
const SSL_CTRL_CLEAR_MODE: c_int = 78;
const SSL_CTRL_SET_SPLIT_SEND_FRAGMENT: c_int = 125;
const BIO_CTRL_PENDING: c_int = 10;
const BIO_CTRL_WPENDING: c_int = 13;
const BIO_C_SET_BUF_MEM_EOF_RETURN: c_int = 130;
const BIO_C_GET_WRITE_GUARANTEE: c_int = 140;
const BIO_C_GET_READ_REQUEST: c_int = 141;
const BIO_C_SHUTDOWN_WR: c_int = 142;
const BIO_FLAGS_SHOULD_RETRY: c_int = 0x08;
const BIO_NOCLOSE: c_int = 0;
const ERR_SYSTEM_FLAG: c_ulong = c_int::MAX as c_ulong + 1;
const ERR_LIB_SYS: i32 = 2;

/// One C call's outcome: the raw return value, `SSL_get_error` for it (only asked when
/// the call can have failed), the first error-queue entry (library, reason) as
/// `ERR_GET_LIB` / `ERR_GET_REASON` of `ERR_peek_error` give them, and errno.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CCall {
    pub ret: i32,
    pub code: i32,
    pub err: Option<(i32, i32)>,
    /// errno after the call (cleared before it), 0 if untouched.
    pub errno: i32,
}

fn ssl_ptr(ssl: &SslRef) -> *mut SSL {
    ssl.as_ptr()
}

fn set_errno(v: c_int) {
    // SAFETY: the calling thread's errno.
    unsafe { *errno_location() = v }
}

fn errno() -> c_int {
    // SAFETY: as above.
    unsafe { *errno_location() }
}

/// Runs one SSL call with a clean error queue and errno; `may_fail(ret)` says whether
/// `SSL_get_error` applies to this return value.
fn call(
    ssl: &SslRef,
    may_fail: impl Fn(c_int) -> bool,
    f: impl FnOnce(*mut SSL) -> c_int,
) -> CCall {
    let s = ssl_ptr(ssl);
    // SAFETY: `s` is a live SSL; the error queue is thread-local.
    unsafe {
        ERR_clear_error();
        set_errno(0);
        let ret = f(s);
        let e = errno();
        let code = if may_fail(ret) {
            SSL_get_error(s, ret)
        } else {
            0
        };
        let packed = ERR_peek_error();
        let err = if packed == 0 {
            None
        } else if packed & ERR_SYSTEM_FLAG != 0 {
            Some((ERR_LIB_SYS, (packed & (c_int::MAX as c_ulong)) as i32))
        } else {
            Some((((packed >> 23) & 0xff) as i32, (packed & 0x7f_ffff) as i32))
        };
        ERR_clear_error();
        CCall {
            ret,
            code,
            err,
            errno: e,
        }
    }
}

fn clamp(n: usize) -> c_int {
    n.min(c_int::MAX as usize) as c_int
}

/// `SSL_verify_client_post_handshake` (server, TLS 1.3).
pub fn verify_client_post_handshake(ssl: &SslRef) -> CCall {
    // SAFETY: a live SSL.
    call(
        ssl,
        |r| r <= 0,
        |s| unsafe { SSL_verify_client_post_handshake(s) },
    )
}

/// `SSL_get_client_CA_list` (client: the names the server's CertificateRequest listed),
/// each as DER.
pub fn client_ca_names(ssl: &SslRef) -> Vec<Vec<u8>> {
    use openssl::stack::StackRef;
    use openssl::x509::X509Name;
    // SAFETY: a live SSL; the stack it returns (owned by the SSL, possibly NULL) is only
    // borrowed while `ssl` is.
    unsafe {
        let sk = SSL_get_client_CA_list(ssl_ptr(ssl));
        if sk.is_null() {
            return Vec::new();
        }
        StackRef::<X509Name>::from_ptr(sk)
            .iter()
            .map(|n| n.to_der().expect("DER name"))
            .collect()
    }
}

/// `SSL_set_post_handshake_auth(ssl, on)` (client, before the handshake).
pub fn set_post_handshake_auth(ssl: &SslRef, on: bool) {
    // SAFETY: a live SSL.
    unsafe { SSL_set_post_handshake_auth(ssl_ptr(ssl), c_int::from(on)) }
}

/// `SSL_write(ssl, buf, len)`: the buffer's address is what OpenSSL remembers for retries.
pub fn write(ssl: &SslRef, buf: &[u8]) -> CCall {
    // SAFETY: `buf` is valid for `buf.len()` bytes during the call.
    call(
        ssl,
        |r| r <= 0,
        |s| unsafe { SSL_write(s, buf.as_ptr().cast(), clamp(buf.len())) },
    )
}

/// `SSL_read`.
pub fn read(ssl: &SslRef, buf: &mut [u8]) -> CCall {
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes during the call.
    call(
        ssl,
        |r| r <= 0,
        |s| unsafe { SSL_read(s, buf.as_mut_ptr().cast(), clamp(buf.len())) },
    )
}

/// `SSL_peek`.
pub fn peek(ssl: &SslRef, buf: &mut [u8]) -> CCall {
    // SAFETY: as for `read`.
    call(
        ssl,
        |r| r <= 0,
        |s| unsafe { SSL_peek(s, buf.as_mut_ptr().cast(), clamp(buf.len())) },
    )
}

/// `SSL_do_handshake`.
pub fn do_handshake(ssl: &SslRef) -> CCall {
    // SAFETY: live SSL.
    call(ssl, |r| r <= 0, |s| unsafe { SSL_do_handshake(s) })
}

/// `SSL_shutdown` (0 and 1 are successes).
pub fn shutdown(ssl: &SslRef) -> CCall {
    // SAFETY: live SSL.
    call(ssl, |r| r < 0, |s| unsafe { SSL_shutdown(s) })
}

/// `SSL_key_update` (1 on success, 0 on failure).
pub fn key_update(ssl: &SslRef, typ: i32) -> CCall {
    // SAFETY: live SSL.
    call(ssl, |r| r <= 0, |s| unsafe { SSL_key_update(s, typ) })
}

/// `SSL_renegotiate` (1 on success, 0 on failure).
pub fn renegotiate(ssl: &SslRef) -> CCall {
    // SAFETY: live SSL.
    call(ssl, |r| r <= 0, |s| unsafe { SSL_renegotiate(s) })
}

/// `SSL_renegotiate_abbreviated` (1 on success, 0 on failure).
pub fn renegotiate_abbreviated(ssl: &SslRef) -> CCall {
    // SAFETY: live SSL.
    call(
        ssl,
        |r| r <= 0,
        |s| unsafe { SSL_renegotiate_abbreviated(s) },
    )
}

/// `SSL_renegotiate_pending`: 1 from `SSL_renegotiate` (or a HelloRequest / accepted
/// ClientHello) until the new handshake has finished, else 0.
pub fn renegotiate_pending(ssl: &SslRef) -> i32 {
    // SAFETY: live SSL.
    unsafe { SSL_renegotiate_pending(ssl_ptr(ssl)) }
}

/// `SSL_pending`.
pub fn pending(ssl: &SslRef) -> usize {
    // SAFETY: live SSL.
    unsafe { SSL_pending(ssl_ptr(ssl)) as usize }
}

/// `SSL_get_shutdown`.
pub fn get_shutdown(ssl: &SslRef) -> i32 {
    // SAFETY: live SSL.
    unsafe { SSL_get_shutdown(ssl_ptr(ssl)) }
}

/// `SSL_set_mode` (returns the new mode).
pub fn set_mode(ssl: &SslRef, bits: u64) -> u64 {
    // SAFETY: live SSL.
    unsafe {
        SSL_ctrl(
            ssl_ptr(ssl),
            SSL_CTRL_MODE,
            bits as c_long,
            std::ptr::null_mut(),
        ) as u64
    }
}

/// `SSL_clear_mode` (returns the new mode).
pub fn clear_mode(ssl: &SslRef, bits: u64) -> u64 {
    // SAFETY: live SSL.
    unsafe {
        SSL_ctrl(
            ssl_ptr(ssl),
            SSL_CTRL_CLEAR_MODE,
            bits as c_long,
            std::ptr::null_mut(),
        ) as u64
    }
}

/// `SSL_get_mode`.
pub fn get_mode(ssl: &SslRef) -> u64 {
    set_mode(ssl, 0)
}

/// `SSL_set_options`.
pub fn set_options(ssl: &SslRef, bits: u64) -> u64 {
    // SAFETY: live SSL.
    unsafe { SSL_set_options(ssl_ptr(ssl), bits) }
}

/// `SSL_set_max_send_fragment`: true if accepted.
pub fn set_max_send_fragment(ssl: &SslRef, n: usize) -> bool {
    // SAFETY: live SSL.
    unsafe {
        ERR_clear_error();
        let r = SSL_ctrl(
            ssl_ptr(ssl),
            SSL_CTRL_SET_MAX_SEND_FRAGMENT,
            n as c_long,
            std::ptr::null_mut(),
        );
        ERR_clear_error();
        r == 1
    }
}

/// `SSL_set_split_send_fragment`: true if accepted.
pub fn set_split_send_fragment(ssl: &SslRef, n: usize) -> bool {
    // SAFETY: live SSL.
    unsafe {
        ERR_clear_error();
        let r = SSL_ctrl(
            ssl_ptr(ssl),
            SSL_CTRL_SET_SPLIT_SEND_FRAGMENT,
            n as c_long,
            std::ptr::null_mut(),
        );
        ERR_clear_error();
        r == 1
    }
}

/// `SSL_set_connect_state` / `SSL_set_accept_state`.
pub fn set_state(ssl: &SslRef, client: bool) {
    // SAFETY: live SSL.
    unsafe {
        if client {
            SSL_set_connect_state(ssl_ptr(ssl))
        } else {
            SSL_set_accept_state(ssl_ptr(ssl))
        }
    }
}

/// `SSL_set_bio(ssl, rbio, wbio)`: the SSL gets its own references.
pub fn set_bio(ssl: &SslRef, rbio: &CBio, wbio: &CBio) {
    // SAFETY: both BIOs are live; SSL_set_bio takes one reference per distinct BIO.
    unsafe {
        BIO_up_ref(rbio.0);
        if rbio.0 != wbio.0 {
            BIO_up_ref(wbio.0);
        }
        SSL_set_bio(ssl_ptr(ssl), rbio.0, wbio.0);
    }
}

/// A `BIO_read` / `BIO_write` outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BioIo {
    /// Transferred this many bytes.
    Done(usize),
    /// `BIO_should_retry`.
    Retry,
    /// 0 without retry (end of file).
    Eof,
    /// Negative without retry.
    Error,
}

/// One owned reference to an OpenSSL `BIO`.
pub struct CBio(*mut BIO);

// SAFETY: an OpenSSL BIO has no thread affinity; the suite never uses one from two threads
// at once (a CBio only moves with the peer that owns it).
unsafe impl Send for CBio {}

impl Clone for CBio {
    fn clone(&self) -> Self {
        // SAFETY: live BIO; the new reference is released by the clone's Drop.
        unsafe { BIO_up_ref(self.0) };
        CBio(self.0)
    }
}

impl Drop for CBio {
    fn drop(&mut self) {
        // SAFETY: we own one reference.
        unsafe { BIO_free(self.0) };
    }
}

impl CBio {
    /// `BIO_new_bio_pair(&a, size1, &b, size2)`.
    pub fn pair(size1: usize, size2: usize) -> (CBio, CBio) {
        let (mut a, mut b) = (std::ptr::null_mut(), std::ptr::null_mut());
        // SAFETY: out-pointers to locals.
        let ok = unsafe { BIO_new_bio_pair(&mut a, size1, &mut b, size2) };
        assert_eq!(ok, 1, "BIO_new_bio_pair");
        (CBio(a), CBio(b))
    }

    /// `BIO_new(BIO_s_mem())`.
    pub fn mem() -> CBio {
        // SAFETY: plain constructor.
        let b = unsafe { BIO_new(BIO_s_mem()) };
        assert!(!b.is_null(), "BIO_new");
        CBio(b)
    }

    /// `BIO_new_socket(fd, BIO_NOCLOSE)`: the caller keeps the socket open longer.
    pub fn socket(fd: std::os::fd::RawFd) -> CBio {
        // SAFETY: plain constructor; the fd is not closed by the BIO.
        let b = unsafe { BIO_new_socket(fd, BIO_NOCLOSE) };
        assert!(!b.is_null(), "BIO_new_socket");
        CBio(b)
    }

    fn ctrl(&self, cmd: c_int, larg: c_long) -> c_long {
        // SAFETY: live BIO.
        unsafe { BIO_ctrl(self.0, cmd, larg, std::ptr::null_mut()) }
    }

    /// `BIO_read`. Errors it queues are dropped; the rest of the queue is kept (the peer
    /// calls this from inside its own SSL calls, whose errors must survive).
    pub fn read(&self, buf: &mut [u8]) -> BioIo {
        // SAFETY: live BIO; `buf` is valid for writes; the error queue is restored after.
        unsafe {
            ERR_set_mark();
            let r = BIO_read(self.0, buf.as_mut_ptr().cast(), clamp(buf.len()));
            let retry = BIO_test_flags(self.0, BIO_FLAGS_SHOULD_RETRY) != 0;
            ERR_pop_to_mark();
            match r {
                n if n > 0 => BioIo::Done(n as usize),
                _ if retry => BioIo::Retry,
                0 => BioIo::Eof,
                _ => BioIo::Error,
            }
        }
    }

    /// `BIO_write`. As [`CBio::read`] for the error queue.
    pub fn write(&self, buf: &[u8]) -> BioIo {
        // SAFETY: live BIO; `buf` is valid for reads.
        unsafe {
            ERR_set_mark();
            let r = BIO_write(self.0, buf.as_ptr().cast(), clamp(buf.len()));
            let retry = BIO_test_flags(self.0, BIO_FLAGS_SHOULD_RETRY) != 0;
            ERR_pop_to_mark();
            match r {
                n if n > 0 => BioIo::Done(n as usize),
                _ if retry => BioIo::Retry,
                0 => BioIo::Eof,
                _ => BioIo::Error,
            }
        }
    }

    /// `BIO_ctrl_pending`.
    pub fn pending(&self) -> usize {
        self.ctrl(BIO_CTRL_PENDING, 0) as usize
    }

    /// `BIO_ctrl_wpending`.
    pub fn wpending(&self) -> usize {
        self.ctrl(BIO_CTRL_WPENDING, 0) as usize
    }

    /// `BIO_ctrl_get_write_guarantee`.
    pub fn write_guarantee(&self) -> usize {
        self.ctrl(BIO_C_GET_WRITE_GUARANTEE, 0) as usize
    }

    /// `BIO_ctrl_get_read_request`.
    pub fn read_request(&self) -> usize {
        self.ctrl(BIO_C_GET_READ_REQUEST, 0) as usize
    }

    /// `BIO_shutdown_wr`.
    pub fn shutdown_wr(&self) {
        self.ctrl(BIO_C_SHUTDOWN_WR, 0);
    }

    /// `BIO_set_mem_eof_return`.
    pub fn set_mem_eof_return(&self, v: i32) {
        self.ctrl(BIO_C_SET_BUF_MEM_EOF_RETURN, v as c_long);
    }
}
