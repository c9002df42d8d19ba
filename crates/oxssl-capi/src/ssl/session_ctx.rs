//! A context's session settings and cache: the session cache mode and size (`SSL_CTX_ctrl`
//! 42..45, 20), timeout, session id context, TLS 1.3 tickets, early data limit, the
//! new-session callback, `SSL_CTX_add_session` / `_remove_session` / `_flush_sessions`.
//!
//! The cache, the ticket keys and the early-data replay guard belong to a context made
//! when the `SSL_CTX` is (`CtxState::sessions`): every context built for its connections
//! shares them (`share_sessions_with`), so a changed `SSL_CTX` still resumes the sessions
//! and tickets it issued before the change.

use std::ffi::{c_int, c_long, c_uchar, c_uint};
use std::sync::Arc;

use oxssl::ssl::{ShutdownState, SslSession};

use super::session::SSL_SESSION;
use super::{ctx_result, CtxOp, CtxState, SslState, SSL, SSL_CTX};
use crate::err::{self, LIB_SSL};
use crate::guard;
use crate::handle::borrow;

const SSL_R_SSL_SESSION_ID_CONTEXT_TOO_LONG: c_int = 273;

pub(super) const SSL_CTRL_SESS_NUMBER: c_int = 20;
pub(super) const SSL_CTRL_SET_SESS_CACHE_SIZE: c_int = 42;
pub(super) const SSL_CTRL_GET_SESS_CACHE_SIZE: c_int = 43;
pub(super) const SSL_CTRL_SET_SESS_CACHE_MODE: c_int = 44;
pub(super) const SSL_CTRL_GET_SESS_CACHE_MODE: c_int = 45;

/// `SSL_SESS_CACHE_CLIENT`.
pub(super) const CACHE_CLIENT: c_long = 0x1;
/// `SSL_SESS_CACHE_SERVER` (the default mode).
pub(super) const CACHE_SERVER: c_long = 0x2;
/// `SSL_SESS_CACHE_NO_INTERNAL_STORE`.
const CACHE_NO_INTERNAL_STORE: c_long = 0x200;
/// `SSL_SESSION_CACHE_MAX_SIZE_DEFAULT`.
pub(super) const CACHE_SIZE_DEFAULT: c_long = 1024 * 20;
/// OpenSSL's default session timeout for TLS methods (seconds).
pub(super) const TIMEOUT_DEFAULT: c_long = 7200;

/// The new-session callback: `int (*)(SSL *, SSL_SESSION *)`; 1 keeps the reference.
pub(super) type NewSessionCb = unsafe extern "C" fn(*mut SSL, *mut SSL_SESSION) -> c_int;

/// The session controls of `SSL_CTX_ctrl` (the `SSL_CTRL_*SESS*` commands above).
#[allow(clippy::useless_conversion)] // c_long is i32 on some targets
pub(super) fn ctrl(c: &mut CtxState, cmd: c_int, larg: c_long) -> c_long {
    match cmd {
        SSL_CTRL_SESS_NUMBER => c_long::try_from(c.sessions.session_cache_len()).unwrap_or(0),
        SSL_CTRL_SET_SESS_CACHE_SIZE => {
            if larg < 0 {
                return 0;
            }
            // The cache is shared by every context of this SSL_CTX (and `live`): this
            // applies at once, nothing to replay.
            c.live
                .set_session_cache_size(i32::try_from(larg).unwrap_or(i32::MAX));
            std::mem::replace(&mut c.cache_size, larg)
        }
        SSL_CTRL_GET_SESS_CACHE_SIZE => c.cache_size,
        SSL_CTRL_SET_SESS_CACHE_MODE => {
            let _ = c.run(CtxOp::SessCacheMode(larg.into()));
            std::mem::replace(&mut c.cache_mode, larg)
        }
        SSL_CTRL_GET_SESS_CACHE_MODE => c.cache_mode,
        _ => 0,
    }
}

/// Runs `f` on a live context; NULL gives `fail` with nothing queued (as OpenSSL's
/// session functions that check for NULL).
fn on_ctx<T>(ctx: *const SSL_CTX, fail: T, f: impl FnOnce(&mut CtxState) -> T) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: a non-NULL SSL_CTX * is live while the caller uses it.
        unsafe { borrow(ctx) }.map(|c| f(&mut c.lock()))
    })) {
        Ok(Some(v)) => v,
        _ => fail,
    }
}

/// A live session handle for the duration of a call, or None.
fn session<'a>(s: *const SSL_SESSION) -> Option<&'a SSL_SESSION> {
    // SAFETY: a non-NULL SSL_SESSION * is a live handle during the call (the caller's
    // contract); the reference does not outlive the calling function.
    unsafe { borrow(s) }
}

/// `SSL_CTX_set_timeout`: the lifetime of the sessions and tickets a server issues (and of
/// a client's sessions); returns the previous one. 0 for NULL.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_timeout(ctx: *mut SSL_CTX, t: c_long) -> c_long {
    on_ctx(ctx, 0, |c| {
        let secs = u32::try_from(t.max(0)).unwrap_or(u32::MAX);
        let _ = c.run(CtxOp::Timeout(secs));
        std::mem::replace(&mut c.timeout, t)
    })
}

/// `SSL_CTX_get_timeout`.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_timeout(ctx: *const SSL_CTX) -> c_long {
    on_ctx(ctx, 0, |c| c.timeout)
}

/// `SSL_CTX_set_session_id_context`: 1, or 0 with SSL_R_SSL_SESSION_ID_CONTEXT_TOO_LONG
/// over 32 bytes.
///
/// # Safety
/// `ctx` is NULL or live; `sid_ctx` holds `len` readable bytes (or is NULL with 0).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_session_id_context(
    ctx: *mut SSL_CTX,
    sid_ctx: *const c_uchar,
    len: c_uint,
) -> c_int {
    super::with_ctx(ctx, 0, |c| {
        if len > 32 {
            err::push(LIB_SSL, SSL_R_SSL_SESSION_ID_CONTEXT_TOO_LONG);
            return 0;
        }
        let bytes = if sid_ctx.is_null() || len == 0 {
            Vec::new()
        } else {
            // SAFETY: sid_ctx holds len readable bytes (contract), checked non-NULL.
            unsafe { std::slice::from_raw_parts(sid_ctx, len as usize) }.to_vec()
        };
        ctx_result(c, CtxOp::SidCtx(bytes))
    })
}

/// `SSL_CTX_set_num_tickets`: TLS 1.3 tickets a server sends after a handshake; 1.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_num_tickets(ctx: *mut SSL_CTX, n: usize) -> c_int {
    super::with_ctx(ctx, 0, |c| {
        let r = ctx_result(c, CtxOp::NumTickets(n));
        if r == 1 {
            c.num_tickets = n;
        }
        r
    })
}

/// `SSL_CTX_get_num_tickets`.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_num_tickets(ctx: *const SSL_CTX) -> usize {
    super::with_ctx(ctx, 0, |c| c.num_tickets)
}

/// `SSL_CTX_set_max_early_data`: the most early data a server accepts and advertises in
/// its tickets (0, the default, turns early data off); 1.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_max_early_data(ctx: *mut SSL_CTX, max: u32) -> c_int {
    super::with_ctx(ctx, 0, |c| {
        let r = ctx_result(c, CtxOp::MaxEarlyData(max));
        if r == 1 {
            c.max_early_data = max;
        }
        r
    })
}

/// `SSL_CTX_get_max_early_data`.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_max_early_data(ctx: *const SSL_CTX) -> u32 {
    super::with_ctx(ctx, 0, |c| c.max_early_data)
}

/// `SSL_CTX_sess_set_new_cb`: called with each new session the cache mode asks for
/// (client: every TLS 1.3 ticket and TLS 1.2 full handshake with `SSL_SESS_CACHE_CLIENT`;
/// server: every TLS 1.2 session it caches), after the library call that made it, with the
/// `SSL` of that call. The callback gets a reference: returning 1 keeps it (the
/// application frees it), 0 lets the library free it.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_sess_set_new_cb(ctx: *mut SSL_CTX, cb: Option<NewSessionCb>) {
    on_ctx(ctx, (), |c| c.new_session_cb = cb)
}

/// `SSL_CTX_sess_get_new_cb`.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_sess_get_new_cb(ctx: *mut SSL_CTX) -> Option<NewSessionCb> {
    on_ctx(ctx, None, |c| c.new_session_cb)
}

/// Adds `s` to the cache unless a session with its id is there: true if added. (OpenSSL
/// also replaces a different object with the same id and returns 1; the library's cache
/// cannot tell objects apart, so that case returns 0 here.)
fn add(c: &CtxState, s: &SslSession) -> bool {
    let was = c.sessions.remove_session(s);
    c.sessions.add_session(s) && !was
}

/// `SSL_CTX_add_session`: 1 if the session was added to the context's cache, 0 if it was
/// there already (or for NULL, or a session without an id).
///
/// # Safety
/// `ctx` and `s` are NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_add_session(ctx: *mut SSL_CTX, s: *mut SSL_SESSION) -> c_int {
    on_ctx(ctx, 0, |c| {
        session(s).map_or(0, |h| c_int::from(add(c, &h.get())))
    })
}

/// `SSL_CTX_remove_session`: 1 if the session was in the cache. As OpenSSL does, a session
/// with an id is marked not resumable whether it was there or not.
///
/// # Safety
/// `ctx` and `s` are NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_remove_session(ctx: *mut SSL_CTX, s: *mut SSL_SESSION) -> c_int {
    on_ctx(ctx, 0, |c| {
        let Some(h) = session(s).filter(|h| h.has_id()) else {
            return 0;
        };
        let found = c.sessions.remove_session(&h.get());
        h.mark_not_resumable();
        c_int::from(found)
    })
}

fn flush(ctx: *mut SSL_CTX, t: i64) {
    on_ctx(ctx, (), |c| {
        // 0 empties the cache, as OpenSSL's.
        c.sessions.flush_sessions(if t == 0 { i64::MAX } else { t });
    })
}

/// `SSL_CTX_flush_sessions`: drops the sessions expired at `t` (seconds since the epoch;
/// 0: every session).
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
#[allow(clippy::useless_conversion)] // c_long is i32 on some targets
pub unsafe extern "C" fn SSL_CTX_flush_sessions(ctx: *mut SSL_CTX, t: c_long) {
    guard((), || flush(ctx, t.into()))
}

/// `SSL_CTX_flush_sessions_ex` (OpenSSL 3.4's `time_t` form).
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
#[allow(clippy::useless_conversion)] // time_t is i32 on some targets
pub unsafe extern "C" fn SSL_CTX_flush_sessions_ex(ctx: *mut SSL_CTX, t: libc::time_t) {
    guard((), || flush(ctx, t.into()))
}

/// Delivers a new session to the application (see `callbacks::deliver`): a client's goes
/// to the context's cache first when the mode stores them (as OpenSSL's internal store);
/// then the callback, if any, gets a reference. The session is the connection's current
/// one while the callback runs.
///
/// A TLS 1.2 client that resumed and got a new ticket: OpenSSL calls nothing (the
/// handshake resumed) and, with `SSL_SESS_CACHE_CLIENT`, removes the session it resumed.
pub(super) fn deliver_new(ssl: &SSL, s: *const SSL, session: SslSession, server: bool) {
    let h = SSL_SESSION::new(session);
    let (ctx, renewed) = {
        let mut st = ssl.lock();
        st.sessions.made(&h);
        let renewed = !server && st.ssl.session_reused() && st.ssl.version_str() == "TLSv1.2";
        let old = st.sessions.offered().cloned();
        (st.session_ctx.clone(), renewed.then_some(old).flatten())
    };
    let cb = {
        let c = ctx.lock();
        if let Some(old) = renewed {
            resumed_once(&c, &old);
            return;
        }
        let store = c.cache_mode & CACHE_NO_INTERNAL_STORE == 0;
        if !server && c.cache_mode & CACHE_CLIENT != 0 && store {
            add(&c, &h.get());
        }
        c.new_session_cb
    };
    ssl.lock().sessions.in_callback = Some(h.clone());
    if let Some(cb) = cb {
        let p = crate::handle::into_raw(Arc::clone(&h));
        // SAFETY: the application's callback with a live SSL and a new session reference;
        // no lock of ours is held.
        let keep = unsafe { cb(s.cast_mut(), p) };
        if keep == 0 {
            // SAFETY: the reference handed to the callback, which gave it back.
            unsafe { crate::handle::release(p) };
        }
    }
    ssl.lock().sessions.in_callback = None;
}

/// OpenSSL uses a TLS 1.3 session once with `SSL_SESS_CACHE_CLIENT`: when a client's
/// handshake resumed it, it is removed from the context's cache and marked not resumable
/// (and a TLS 1.2 session whose ticket the server renewed likewise).
pub(super) fn resumed_once(c: &CtxState, h: &SSL_SESSION) {
    if c.cache_mode & CACHE_CLIENT != 0 {
        c.sessions.remove_session(&h.get());
        h.mark_not_resumable();
    }
}

/// `SSL_free` of a connection whose handshake finished and that did not send close_notify:
/// OpenSSL takes its session for a bad one (`ssl_clear_bad_session`): it leaves the
/// context's cache and is no longer resumable.
pub(super) fn freed(st: &mut SslState) {
    if !st.ssl.is_init_finished() || st.ssl.get_shutdown().contains(ShutdownState::SENT) {
        return;
    }
    if let Some(h) = st.sessions.current(&st.ssl) {
        st.session_ctx.lock().sessions.remove_session(&h.get());
        h.mark_not_resumable();
    }
}
