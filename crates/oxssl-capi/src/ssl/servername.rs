//! The servername callback (`SSL_CTX_set_tlsext_servername_callback`, a macro over
//! `SSL_CTX_callback_ctrl`, and its argument through `SSL_CTX_ctrl`), which a server's
//! library calls with each client's first ClientHello; `SSL_set_SSL_CTX`, with which the
//! callback answers with another context's certificates; `SSL_get_servername_type`.

use std::ffi::{c_int, c_long, c_void};
use std::sync::Arc;

use oxssl::ssl::{SniError, SslAlert, SslContextBuilder};

use super::{frames, with_ctx, with_ssl_quiet, CtxOp, CtxState, SSL, SSL_CTX};
use crate::err;

pub(super) const SSL_CTRL_SET_TLSEXT_SERVERNAME_CB: c_int = 53;
pub(super) const SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG: c_int = 54;

const SSL_TLSEXT_ERR_ALERT_WARNING: c_int = 1;
const SSL_TLSEXT_ERR_ALERT_FATAL: c_int = 2;
const SSL_TLSEXT_ERR_NOACK: c_int = 3;

/// The servername callback: `int (*)(SSL *s, int *al, void *arg)`.
pub(super) type ServernameCb = unsafe extern "C" fn(*mut SSL, *mut c_int, *mut c_void) -> c_int;

/// What `SSL_CTX_callback_ctrl` is given: a callback cast to `void (*)(void)`.
pub type GenericCb = unsafe extern "C" fn();

/// Hands the servername callback `cb` (with `arg`) to a context being built. The callback
/// gets the `SSL *` of the running call and `*al` = unrecognized_name; the alert it leaves
/// there goes with SSL_TLSEXT_ERR_ALERT_FATAL / _WARNING. A context it chose with
/// `SSL_set_SSL_CTX` is the connection's when it returns. A panic here is a fatal
/// internal_error.
pub(super) fn install(b: &mut SslContextBuilder, cb: ServernameCb, arg: usize) {
    b.set_servername_callback(move |ssl, alert| {
        let mut al = c_int::from(alert.as_raw());
        let called = frames::call_with(ssl, |s| {
            // SAFETY: the application's callback with OpenSSL's arguments: the live SSL of
            // the running call (whose lock this thread holds: the calls the callback makes
            // on it answer from `frames`), a writable alert, its own argument.
            unsafe { cb(s.cast_mut(), &mut al, arg as *mut c_void) }
        });
        let ret = match called {
            None => return Err(SniError::NOACK),
            Some(Ok(ret)) => ret,
            Some(Err(_)) => {
                *alert = SslAlert::INTERNAL_ERROR;
                return Err(SniError::ALERT_FATAL);
            }
        };
        // As OpenSSL's: the alert is the low byte of what the callback left.
        *alert = SslAlert::from_raw(al as u8);
        match ret {
            SSL_TLSEXT_ERR_ALERT_FATAL => Err(SniError::ALERT_FATAL),
            SSL_TLSEXT_ERR_ALERT_WARNING => Err(SniError::ALERT_WARNING),
            SSL_TLSEXT_ERR_NOACK => Err(SniError::NOACK),
            // SSL_TLSEXT_ERR_OK, and anything else, as OpenSSL's default case.
            _ => Ok(()),
        }
    });
}

/// Replays the context's servername callback with its current argument (the latest
/// setting only; none without a callback).
fn sync(c: &mut CtxState) {
    c.ops.retain(|op| !matches!(op, CtxOp::Servername(..)));
    c.built = None;
    if let Some(cb) = c.servername_cb {
        let _ = c.run(CtxOp::Servername(cb, c.servername_arg));
    }
}

/// `SSL_CTX_ctrl(ctx, SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG, 0, arg)`: 1.
pub(super) fn set_arg(c: &mut CtxState, arg: *mut c_void) -> c_long {
    c.servername_arg = arg as usize;
    sync(c);
    1
}

/// `SSL_CTX_callback_ctrl`: `SSL_CTRL_SET_TLSEXT_SERVERNAME_CB` (the
/// `SSL_CTX_set_tlsext_servername_callback` macro) sets the servername callback (NULL
/// removes it) and returns 1; other commands return 0.
///
/// # Safety
/// `ctx` is NULL or live; with `SSL_CTRL_SET_TLSEXT_SERVERNAME_CB`, `fp` is NULL or a
/// servername callback cast to `void (*)(void)`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_callback_ctrl(
    ctx: *mut SSL_CTX,
    cmd: c_int,
    fp: Option<GenericCb>,
) -> c_long {
    with_ctx(ctx, 0, |c| match cmd {
        SSL_CTRL_SET_TLSEXT_SERVERNAME_CB => {
            c.servername_cb = fp.map(|f| {
                // SAFETY: the macro cast the application's servername callback to
                // `void (*)(void)`; this casts it back, as OpenSSL does.
                unsafe { std::mem::transmute::<GenericCb, ServernameCb>(f) }
            });
            sync(c);
            1
        }
        _ => 0,
    })
}

/// `SSL_set_SSL_CTX`: the connection takes `ctx`'s certificates and key (and its session
/// id context, if it had its old context's), and `ctx` becomes its context
/// (`SSL_get_SSL_CTX`; the connection holds a reference to it, and drops the one to the
/// context it leaves); options, modes and verification settings stay. NULL goes back to
/// the context the connection was made from. Returns the connection's context, or NULL
/// for a NULL `SSL`. Inside a servername callback, the switch applies when it returns.
///
/// # Safety
/// `s` and `ctx` are NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_SSL_CTX(s: *mut SSL, ctx: *mut SSL_CTX) -> *mut SSL_CTX {
    if let Some(r) = crate::guard(None, || frames::switch(s, ctx)) {
        return r;
    }
    // The context the connection leaves is dropped after the lock is released.
    let mut left = None;
    let r = with_ssl_quiet(s, std::ptr::null_mut(), |st| {
        let target = if ctx.is_null() {
            st.session_ctx.clone()
        } else {
            // SAFETY: ctx is live (contract); the Arc is the connection's new reference.
            match unsafe { crate::handle::share(ctx.cast_const()) } {
                Some(t) => t,
                None => return std::ptr::null_mut(),
            }
        };
        let p = Arc::as_ptr(&target).cast_mut();
        if Arc::ptr_eq(&target, &st.ctx) {
            return p;
        }
        let built = target.lock().context();
        match built.and_then(|b| st.ssl.set_ssl_context(&b)) {
            Ok(()) => {
                left = Some(std::mem::replace(&mut st.ctx, target));
                p
            }
            Err(e) => {
                err::push_stack(&e);
                std::ptr::null_mut()
            }
        }
    });
    drop(left);
    r
}

/// `SSL_get_servername_type`: `TLSEXT_NAMETYPE_host_name` (0) when
/// `SSL_get_servername` has a name, else -1.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_servername_type(s: *const SSL) -> c_int {
    // SAFETY: forwarded contract.
    if s.is_null() || unsafe { super::SSL_get_servername(s, 0) }.is_null() {
        -1
    } else {
        0
    }
}
