//! The connection each library call on this thread runs for (innermost last).
//!
//! The library calls the verify, servername and ALPN select callbacks in the middle of a
//! call (`SSL_do_handshake`, `SSL_read`, ...), while this layer holds the connection's
//! lock. The frame a call pushes when it takes the lock tells those callbacks which
//! `SSL *` they serve, tags the events queued for the callbacks delivered after the call
//! (key log, info, new session), and answers the calls a callback makes on that `SSL`
//! (`SSL_get_servername`, `SSL_get_SSL_CTX`, `SSL_set_SSL_CTX`, `SSL_is_server`, the verify
//! settings) instead of waiting for the lock this thread holds. Any other call on that
//! `SSL` from inside its own callback returns its failure value.

use std::cell::RefCell;
use std::ffi::{c_char, c_int, CStr};
use std::sync::Arc;

use oxssl::ssl::{NameType, Ssl, SslContext};

use super::{verify::VerifyCb, SslState, SSL, SSL_CTX};

/// A context `SSL_set_SSL_CTX` chose inside a callback.
struct Switch {
    /// The reference the connection holds from now on.
    ctx: Arc<SSL_CTX>,
    /// The library's context built from it.
    built: SslContext,
    /// The library's connection uses it already (a callback that had the connection).
    applied: bool,
}

/// What a call on one connection saw when it began, and what its callbacks changed.
struct Frame {
    ssl: *const SSL,
    /// The connection's context (`SSL_get_SSL_CTX`), alive while the call holds the lock.
    ctx: *const SSL_CTX,
    /// The context it was made from (`SSL_set_SSL_CTX(s, NULL)` returns to it).
    session_ctx: *const SSL_CTX,
    is_server: bool,
    verify_mode: c_int,
    verify_depth: c_int,
    verify_cb: Option<VerifyCb>,
    /// `SSL_get_servername`'s answer inside a callback.
    servername: Option<Arc<CStr>>,
    /// `servername` is a new name for the connection (it keeps it after the call, so the
    /// pointer a callback was given stays valid).
    new_name: bool,
    switched: Option<Switch>,
    /// Contexts a callback switched to and away from again, dropped after the call.
    left: Vec<Arc<SSL_CTX>>,
}

thread_local! {
    static FRAMES: RefCell<Vec<Frame>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on the frames, or returns None if they cannot be reached (the thread's
/// storage is being destroyed): no panic from here reaches C or the library.
fn frames<T>(f: impl FnOnce(&mut Vec<Frame>) -> T) -> Option<T> {
    FRAMES
        .try_with(|fr| fr.try_borrow_mut().ok().map(|mut g| f(&mut g)))
        .ok()
        .flatten()
}

/// A pushed frame; dropping it pops the frame (also when the call panics).
pub(super) struct Entered {
    depth: usize,
}

impl Drop for Entered {
    fn drop(&mut self) {
        // Taken out first: dropping a frame may drop a context, whose ex_data free
        // callbacks may call back into this layer.
        let popped = frames(|f| f.split_off(self.depth.min(f.len())));
        drop(popped);
    }
}

impl Entered {
    /// Pops the frame, handing what the call's callbacks changed to the connection: a
    /// context switch (the library's connection takes it if no callback gave it yet), the
    /// server name a callback was given (so the pointer stays valid after the call).
    /// Returns the contexts the connection left, for the caller to drop once the lock is
    /// released (a last reference may go, and ex_data free callbacks run).
    #[must_use]
    pub(super) fn finish(self, st: &mut SslState) -> Vec<Arc<SSL_CTX>> {
        let popped = frames(|f| f.split_off(self.depth.min(f.len())));
        let mut left = Vec::new();
        for mut frame in popped.unwrap_or_default() {
            left.append(&mut frame.left);
            if let Some(sw) = frame.switched {
                if !sw.applied {
                    let _ = st.ssl.set_ssl_context(&sw.built);
                }
                left.push(std::mem::replace(&mut st.ctx, sw.ctx));
            }
            if frame.new_name {
                st.servername = frame.servername;
            }
        }
        left
    }
}

/// Pushes the frame of a call on `s`, whose state is `st` (locked by the caller).
pub(super) fn enter(s: *const SSL, st: &SslState) -> Entered {
    // The verify callback has no connection to ask: it gets the name the call began with.
    let mut servername = st.servername.clone();
    let new_name = st.ssl.config().verify_callback.is_some()
        && super::keep_name(&mut servername, st.ssl.servername(NameType::HOST_NAME));
    let frame = Frame {
        ssl: s,
        ctx: Arc::as_ptr(&st.ctx),
        session_ctx: Arc::as_ptr(&st.session_ctx),
        is_server: st.ssl.is_server(),
        verify_mode: st.ssl.verify_mode().bits(),
        verify_depth: st.verify_depth,
        verify_cb: st.verify_cb,
        servername,
        new_name,
        switched: None,
        left: Vec::new(),
    };
    let depth = frames(|f| {
        f.push(frame);
        f.len() - 1
    });
    // Unreachable storage: nothing pushed, nothing to pop.
    Entered {
        depth: depth.unwrap_or(usize::MAX),
    }
}

/// The `SSL` whose call is running the library now (innermost), if any.
pub(super) fn current() -> Option<*const SSL> {
    frames(|f| f.last().map(|fr| fr.ssl)).flatten()
}

/// Whether a call on `s` is running on this thread (so `s` is locked by it).
pub(super) fn holds(s: *const SSL) -> bool {
    frames(|f| f.iter().any(|fr| std::ptr::eq(fr.ssl, s))).unwrap_or(false)
}

/// Runs `f` on the innermost frame of `s`; `f` must not call out of this layer.
fn with<T>(s: *const SSL, f: impl FnOnce(&mut Frame) -> T) -> Option<T> {
    frames(|fr| {
        fr.iter_mut()
            .rev()
            .find(|fr| std::ptr::eq(fr.ssl, s))
            .map(f)
    })
    .flatten()
}

/// The settings of `s` a verify callback may ask for: mode, depth, callback.
pub(super) fn verify_settings(s: *const SSL) -> Option<(c_int, c_int, Option<VerifyCb>)> {
    with(s, |f| (f.verify_mode, f.verify_depth, f.verify_cb))
}

/// `SSL_is_server` inside a callback of `s`.
pub(super) fn is_server(s: *const SSL) -> Option<bool> {
    with(s, |f| f.is_server)
}

/// `SSL_get_SSL_CTX` inside a callback of `s`.
pub(super) fn ctx(s: *const SSL) -> Option<*mut SSL_CTX> {
    with(s, |f| {
        f.switched
            .as_ref()
            .map_or(f.ctx, |sw| Arc::as_ptr(&sw.ctx))
            .cast_mut()
    })
}

/// `SSL_get_servername` inside a callback of `s`: the name, or NULL.
pub(super) fn servername(s: *const SSL) -> Option<*const c_char> {
    with(s, |f| {
        f.servername
            .as_ref()
            .map_or(std::ptr::null(), |n| n.as_ptr())
    })
}

/// Runs the application's part of a callback the library made with its connection `ssl`
/// (servername, ALPN select): `call` gets the `SSL *` of the running call, which sees the
/// connection's server name; a context `SSL_set_SSL_CTX` chose is the connection's when it
/// returns. None when no call of this layer runs (the caller answers as without a
/// callback); `Err` if `call` panicked (the panic goes no further).
pub(super) fn call_with<T>(
    ssl: &mut Ssl,
    call: impl FnOnce(*const SSL) -> T,
) -> Option<std::thread::Result<T>> {
    let s = current()?;
    set_servername(s, ssl);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| call(s)));
    apply_switch(s, ssl);
    Some(r)
}

/// Before a servername or ALPN callback: the name the library's connection has now.
fn set_servername(s: *const SSL, ssl: &Ssl) {
    let name = ssl.servername(NameType::HOST_NAME);
    with(s, |f| {
        f.new_name |= super::keep_name(&mut f.servername, name)
    });
}

/// `SSL_set_SSL_CTX` inside a callback of `s`: the connection takes `ctx` (NULL: the
/// context it was made from) when the callback returns. Returns the context, or None when
/// `s` has no call running here.
pub(super) fn switch(s: *const SSL, ctx: *mut SSL_CTX) -> Option<*mut SSL_CTX> {
    let (current, session_ctx) = with(s, |f| {
        let cur = f.switched.as_ref().map_or(f.ctx, |sw| Arc::as_ptr(&sw.ctx));
        (cur, f.session_ctx)
    })?;
    let target = if ctx.is_null() {
        session_ctx
    } else {
        ctx.cast_const()
    };
    if std::ptr::eq(target, current) {
        return Some(target.cast_mut());
    }
    // SAFETY: target is the caller's live context, or the session context, which the
    // connection holds while its call runs; the Arc made here is the connection's new
    // reference.
    let new = unsafe { crate::handle::share(target) }?;
    let built = match new.lock().context() {
        Ok(b) => b,
        Err(e) => {
            crate::err::push_stack(&e);
            return Some(std::ptr::null_mut());
        }
    };
    with(s, |f| {
        let old = f.switched.replace(Switch {
            ctx: new,
            built,
            applied: false,
        });
        f.left.extend(old.map(|sw| sw.ctx));
    });
    Some(target.cast_mut())
}

/// After a callback that had the library's connection: the context switch it asked for,
/// which the connection takes now.
fn apply_switch(s: *const SSL, ssl: &mut Ssl) {
    let built = with(s, |f| {
        f.switched.as_mut().filter(|sw| !sw.applied).map(|sw| {
            sw.applied = true;
            sw.built.clone()
        })
    })
    .flatten();
    if let Some(b) = built {
        let _ = ssl.set_ssl_context(&b);
    }
}
