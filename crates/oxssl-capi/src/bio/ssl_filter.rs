//! The SSL filter BIO (`BIO_f_ssl`, `BIO_new_ssl`, `BIO_new_ssl_connect`, `BIO_get_ssl`,
//! `BIO_ssl_shutdown`): reads and writes go through `SSL_read` / `SSL_write` of its `SSL`,
//! whose transport is the next BIO of the chain; the retry flags follow `SSL_get_error`.

use std::ffi::{c_int, c_long, c_void};
use std::sync::atomic::{AtomicPtr, Ordering};

use oxssl::bio::{Bio, BioError, RetryFlags};
use oxssl::ssl::ErrorCode;

use super::chain::BIO_push;
use super::{BIO_new, BIO};
use crate::guard;
use crate::ssl::{self, SSL, SSL_CTX};

const BIO_CTRL_PUSH: c_int = 6;
const BIO_CTRL_POP: c_int = 7;
const BIO_CTRL_PENDING: c_int = 10;
const BIO_CTRL_FLUSH: c_int = 11;
const BIO_C_DO_STATE_MACHINE: c_int = 101;
const BIO_C_SET_SSL: c_int = 109;
const BIO_C_GET_SSL: c_int = 110;
const BIO_C_SSL_MODE: c_int = 119;

/// The SSL of an SSL BIO (freed with the BIO when its close flag is set).
#[derive(Default)]
pub(crate) struct SslFilter {
    ssl: AtomicPtr<SSL>,
    flags: RetryFlags,
}

impl SslFilter {
    fn ssl(&self) -> *mut SSL {
        self.ssl.load(Ordering::Acquire)
    }

    /// Frees the SSL the BIO owns (BIO_CLOSE), shutting it down first when its handshake
    /// is done, as OpenSSL's SSL BIO does.
    pub(super) fn free_ssl(&self) {
        let s = self.ssl.swap(std::ptr::null_mut(), Ordering::AcqRel);
        // SAFETY: with BIO_CLOSE the BIO owns one reference of its SSL (or s is NULL).
        unsafe {
            if !s.is_null() && ssl::SSL_is_init_finished(s) == 1 {
                ssl::SSL_shutdown(s);
            }
            ssl::SSL_free(s)
        };
    }

    /// The outcome of an SSL call as a BIO result, setting the retry flags.
    fn outcome(&mut self, ret: c_int) -> Result<usize, BioError> {
        self.flags = RetryFlags::NONE;
        if ret > 0 {
            return Ok(ret as usize);
        }
        // SAFETY: the SSL is live (held by this BIO or its owner).
        let code = ErrorCode::from_raw(unsafe { ssl::SSL_get_error(self.ssl(), ret) });
        self.flags = match code {
            ErrorCode::WANT_READ => RetryFlags::READ,
            ErrorCode::WANT_WRITE => RetryFlags::WRITE,
            ErrorCode::WANT_CONNECT | ErrorCode::WANT_ACCEPT | ErrorCode::WANT_X509_LOOKUP => {
                RetryFlags {
                    special: true,
                    ..RetryFlags::NONE
                }
            }
            _ if ret == 0 => return Ok(0),
            _ => return Err(BioError::Io(std::io::Error::other("SSL failure"))),
        };
        Err(BioError::Retry)
    }

    /// The controls of an SSL BIO (`bio` is the BIO itself); None for the others, which
    /// go to the next BIO.
    pub(super) fn ctrl(
        &mut self,
        bio: &BIO,
        close: &mut bool,
        cmd: c_int,
        larg: c_long,
        parg: *mut c_void,
    ) -> Option<c_long> {
        let s = self.ssl();
        // In every unsafe block below: s is NULL or the BIO's live SSL (the SSL functions
        // answer NULL with OpenSSL's error), and the BIOs named are live chain members.
        Some(match cmd {
            BIO_C_SET_SSL => {
                if *close {
                    self.free_ssl();
                }
                *close = larg & 1 != 0;
                let s: *mut SSL = parg.cast();
                self.ssl.store(s, Ordering::Release);
                // The SSL's transport becomes the rest of the chain, as in OpenSSL.
                // SAFETY: s is the caller's SSL (or NULL).
                let rbio = unsafe { ssl::SSL_get_rbio(s) };
                if !rbio.is_null() && bio.next_ptr().is_null() {
                    // SAFETY: rbio is live (held by s); the link takes the new reference.
                    unsafe { super::BIO_up_ref(rbio) };
                    bio.next.store(rbio, Ordering::Release);
                }
                1
            }
            BIO_C_GET_SSL => {
                if !parg.is_null() {
                    // SAFETY: BIO_get_ssl passes an SSL ** (or NULL).
                    unsafe { *parg.cast::<*mut SSL>() = s };
                }
                1
            }
            BIO_C_SSL_MODE => {
                // SAFETY: s is NULL or live.
                unsafe {
                    if larg != 0 {
                        ssl::SSL_set_connect_state(s)
                    } else {
                        ssl::SSL_set_accept_state(s)
                    }
                };
                1
            }
            BIO_C_DO_STATE_MACHINE => {
                // SAFETY: s is NULL or live.
                let r = unsafe { ssl::SSL_do_handshake(s) };
                let _ = self.outcome(r);
                r as c_long
            }
            BIO_CTRL_PENDING => {
                // As OpenSSL: the SSL's buffered plaintext, else what its transport holds.
                // SAFETY: s is NULL or live.
                let own = unsafe { ssl::SSL_pending(s) };
                if own > 0 {
                    return Some(own as c_long);
                }
                // SAFETY: s is NULL or live; its read BIO is NULL or live.
                unsafe { super::BIO_ctrl(ssl::SSL_get_rbio(s), cmd, 0, std::ptr::null_mut()) }
            }
            BIO_CTRL_PUSH => {
                let next = bio.next_ptr();
                // SAFETY: s is NULL or live.
                let rbio = unsafe { ssl::SSL_get_rbio(s) };
                if !next.is_null() && next != rbio {
                    // SAFETY: next is live while linked; the SSL takes the new reference.
                    unsafe {
                        super::BIO_up_ref(next);
                        ssl::SSL_set_bio(s, next, next);
                    }
                }
                1
            }
            BIO_CTRL_POP => {
                if std::ptr::eq(parg.cast_const().cast::<BIO>(), bio) {
                    // SAFETY: s is NULL or live; it drops its references to the chain.
                    unsafe {
                        ssl::SSL_set0_rbio(s, std::ptr::null_mut());
                        ssl::SSL_set0_wbio(s, std::ptr::null_mut());
                    }
                }
                1
            }
            _ => return None,
        })
    }
}

impl Bio for SslFilter {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, BioError> {
        let n = buf.len().min(c_int::MAX as usize) as c_int;
        // SAFETY: buf holds n writable bytes; the SSL is live.
        let r = unsafe { ssl::SSL_read(self.ssl(), buf.as_mut_ptr().cast(), n) };
        self.outcome(r)
    }
    fn write(&mut self, buf: &[u8]) -> Result<usize, BioError> {
        let n = buf.len().min(c_int::MAX as usize) as c_int;
        // SAFETY: buf holds n readable bytes; the SSL is live.
        let r = unsafe { ssl::SSL_write(self.ssl(), buf.as_ptr().cast(), n) };
        self.outcome(r)
    }
    fn flush(&mut self) -> Result<(), BioError> {
        // As OpenSSL: a flush goes down to the SSL's transport.
        // SAFETY: the SSL is live; its write BIO is NULL or live.
        let w = unsafe { ssl::SSL_get_wbio(self.ssl()) };
        if w.is_null() {
            return Ok(());
        }
        // SAFETY: w is the SSL's live write BIO.
        match unsafe { super::BIO_ctrl(w, BIO_CTRL_FLUSH, 0, std::ptr::null_mut()) } {
            r if r > 0 => Ok(()),
            _ => Err(BioError::Retry),
        }
    }
    fn retry_flags(&self) -> RetryFlags {
        self.flags
    }
    fn pending(&self) -> usize {
        // SAFETY: the SSL is live.
        usize::try_from(unsafe { ssl::SSL_pending(self.ssl()) }).unwrap_or(0)
    }
}

/// `BIO_new_ssl`: an SSL BIO owning a new `SSL` of `ctx`, in client mode if `client`.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn BIO_new_ssl(ctx: *mut SSL_CTX, client: c_int) -> *mut super::BIO {
    guard(std::ptr::null_mut(), || {
        // SAFETY: ctx per the contract; the new SSL is handed to the BIO.
        unsafe {
            let s = ssl::SSL_new(ctx);
            if s.is_null() {
                return std::ptr::null_mut();
            }
            if client != 0 {
                ssl::SSL_set_connect_state(s);
            } else {
                ssl::SSL_set_accept_state(s);
            }
            let b = BIO_new(super::BIO_f_ssl());
            super::BIO_ctrl(b, BIO_C_SET_SSL, 1, s.cast());
            b
        }
    })
}

/// `BIO_new_ssl_connect`: an SSL BIO (client) over a new connect BIO.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn BIO_new_ssl_connect(ctx: *mut SSL_CTX) -> *mut super::BIO {
    guard(std::ptr::null_mut(), || {
        // SAFETY: ctx per the contract; the connect BIO's reference goes to the chain.
        unsafe {
            let s = BIO_new_ssl(ctx, 1);
            if s.is_null() {
                return s;
            }
            let c = BIO_new(super::BIO_s_connect());
            BIO_push(s, c)
        }
    })
}

/// `BIO_ssl_shutdown`: `SSL_shutdown` on the first SSL BIO of the chain.
///
/// # Safety
/// `b` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn BIO_ssl_shutdown(b: *mut super::BIO) {
    guard((), || {
        let mut cur = b;
        // SAFETY: the BIOs of a chain are live while linked.
        while let Some(bio) = unsafe { cur.as_ref() } {
            let s = match &bio.lock().kind {
                super::Kind::Ssl(f) => f.ssl(),
                _ => std::ptr::null_mut(),
            };
            if !s.is_null() {
                // SAFETY: s is the SSL BIO's live SSL.
                unsafe { ssl::SSL_shutdown(s) };
                return;
            }
            cur = bio.next_ptr();
        }
    })
}
