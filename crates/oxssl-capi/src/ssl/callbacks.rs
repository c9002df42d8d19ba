//! The key log, info and msg callbacks. The library reports key log lines and handshake
//! states while a call runs, with the connection locked; they are queued per thread,
//! tagged with the `SSL` whose call made them (`frames`), and handed to that `SSL`'s
//! callbacks when its call returns, with nothing locked, so a callback may use the `SSL`
//! it is given (`SSL_get_ex_data`, `SSL_state_string_long`).

use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_void, CString};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use oxssl::config::{ContentType, Observer, ProtocolVersion};
use oxssl::ssl::{SslContextBuilder, SslSession};

use super::{frames, with_ctx, CtxOp, SSL, SSL_CTX};

/// `SSL_CTX_keylog_cb_func`.
pub(super) type KeylogCb = unsafe extern "C" fn(*const SSL, *const c_char);
/// The info callback: `void (*)(const SSL *, int where, int ret)`.
pub(super) type InfoCb = unsafe extern "C" fn(*const SSL, c_int, c_int);
/// The msg callback: `void (*)(int write_p, int version, int content_type, const void *buf,
/// size_t len, SSL *ssl, void *arg)`.
pub(super) type MsgCb =
    unsafe extern "C" fn(c_int, c_int, c_int, *const c_void, usize, *mut SSL, *mut c_void);

/// `SSL_CTRL_SET_MSG_CALLBACK_ARG`.
pub(super) const SSL_CTRL_SET_MSG_CALLBACK_ARG: c_int = 16;

/// A msg callback and its argument (an address, kept as an integer so the slot is `Send`).
#[derive(Clone, Copy, Default)]
pub(super) struct MsgSlot {
    pub cb: Option<MsgCb>,
    pub arg: usize,
}

/// Set once any msg callback is installed: until then no message is copied for one.
static MSG_WANTED: AtomicBool = AtomicBool::new(false);

const SSL_CB_LOOP: c_int = 0x01;
const SSL_CB_READ: c_int = 0x04;
const SSL_CB_WRITE: c_int = 0x08;
const SSL_CB_ALERT: c_int = 0x4000;
const SSL_ST_CONNECT: c_int = 0x1000;
const SSL_ST_ACCEPT: c_int = 0x2000;
const SSL_CB_HANDSHAKE_START: c_int = 0x10;
const SSL_CB_HANDSHAKE_DONE: c_int = 0x20;
const FINISHED: &str = "SSL negotiation finished successfully";

enum Event {
    Keylog(KeylogCb, CString),
    State {
        client: bool,
        state: &'static str,
    },
    Alert {
        sent: bool,
        level: u8,
        desc: u8,
    },
    /// A protocol message (handshake, alert, change_cipher_spec) for the msg callback.
    Msg {
        sent: bool,
        version: u16,
        typ: u8,
        data: Vec<u8>,
    },
    /// A new session (for the new-session callback and the client's cache).
    NewSession {
        session: SslSession,
        server: bool,
    },
}

thread_local! {
    /// Events and the `SSL` (address) whose call made them.
    static EVENTS: RefCell<Vec<(usize, Event)>> = const { RefCell::new(Vec::new()) };
}

/// Queues an event for the `SSL` whose call is running (none: dropped). Called by the
/// library's callbacks: it cannot panic (unreachable storage drops the event).
fn queue(e: Event) {
    if let Some(s) = frames::current() {
        let _ = EVENTS.try_with(|q| {
            if let Ok(mut q) = q.try_borrow_mut() {
                q.push((s as usize, e));
            }
        });
    }
}

/// Sends the library's key log lines to `cb` (through the queue).
pub(super) fn install_keylog(b: &mut SslContextBuilder, cb: KeylogCb) {
    b.set_keylog_callback(move |_ssl, line| {
        queue(Event::Keylog(cb, CString::new(line).unwrap_or_default()));
    });
}

struct Queue;

impl Observer for Queue {
    fn message(&self, sent: bool, v: ProtocolVersion, typ: ContentType, data: &[u8]) {
        if MSG_WANTED.load(Ordering::Relaxed) {
            queue(Event::Msg {
                sent,
                version: v.0,
                typ: typ.0,
                data: data.to_vec(),
            });
        }
        if let (ContentType::ALERT, [level, desc]) = (typ, data) {
            queue(Event::Alert {
                sent,
                level: *level,
                desc: *desc,
            });
        }
    }

    fn state(&self, client: bool, state: &str) {
        // The library's state names are static strings; keep only those we map.
        let state = if state == FINISHED { FINISHED } else { "" };
        queue(Event::State { client, state });
    }
}

/// Every context built by this layer reports states and alerts to the queue.
pub(super) fn install_observer(b: &mut SslContextBuilder) {
    b.set_observer(Arc::new(Queue));
}

/// Every context built by this layer hands its new sessions to the queue (the cache mode
/// decides which side's the library reports, as OpenSSL's does).
pub(super) fn install_new_session(b: &mut SslContextBuilder) {
    b.set_new_session_callback(|ssl, session| {
        queue(Event::NewSession {
            session,
            server: ssl.is_server(),
        });
    });
}

/// Whether an `SSL` is inside a handshake, for HANDSHAKE_START (kept per connection).
#[derive(Default)]
pub(super) struct InfoState {
    in_handshake: bool,
}

/// Hands the events queued by the call on `s` that just returned to the callbacks of
/// `ssl` (events of calls on other connections still running on this thread stay queued).
pub(super) fn deliver(ssl: &SSL, s: *const SSL) {
    let events: Vec<Event> = EVENTS.with(|q| {
        let Ok(mut q) = q.try_borrow_mut() else {
            return Vec::new();
        };
        if q.iter().all(|(o, _)| *o != s as usize) {
            return Vec::new();
        }
        let (mine, others) = std::mem::take(&mut *q)
            .into_iter()
            .partition::<Vec<_>, _>(|(o, _)| *o == s as usize);
        *q = others;
        mine.into_iter().map(|(_, e)| e).collect()
    });
    if events.is_empty() {
        return;
    }
    let msg = *ssl.msg.lock().unwrap_or_else(|p| p.into_inner());
    let own = *ssl.info_cb.lock().unwrap_or_else(|p| p.into_inner());
    let info = own.or_else(|| {
        let ctx = ssl.lock().ctx.clone();
        let cb = ctx.lock().info_cb;
        cb
    });
    for e in events {
        let mut calls: Vec<(c_int, c_int)> = Vec::new();
        match e {
            Event::Keylog(cb, line) => {
                // SAFETY: the application's key log callback with a live SSL and a
                // NUL-terminated line; no lock of ours is held.
                unsafe { cb(s, line.as_ptr()) };
            }
            Event::State { client, state } => {
                let side = if client {
                    SSL_ST_CONNECT
                } else {
                    SSL_ST_ACCEPT
                };
                let mut st = ssl.info.lock().unwrap_or_else(|p| p.into_inner());
                if !st.in_handshake {
                    st.in_handshake = true;
                    calls.push((SSL_CB_HANDSHAKE_START, 1));
                }
                calls.push((side | SSL_CB_LOOP, 1));
                if state == FINISHED {
                    st.in_handshake = false;
                    calls.push((SSL_CB_HANDSHAKE_DONE, 1));
                }
            }
            Event::Alert { sent, level, desc } => {
                let dir = if sent { SSL_CB_WRITE } else { SSL_CB_READ };
                let ret = (c_int::from(level) << 8) | c_int::from(desc);
                calls.push((SSL_CB_ALERT | dir, ret));
            }
            Event::NewSession { session, server } => {
                super::session_ctx::deliver_new(ssl, s, session, server);
            }
            Event::Msg {
                sent,
                version,
                typ,
                data,
            } => {
                if let Some(cb) = msg.cb {
                    // SAFETY: the application's msg callback with a live SSL, the message
                    // bytes valid for the call and the argument it registered; no lock held.
                    unsafe {
                        cb(
                            c_int::from(sent),
                            c_int::from(version),
                            c_int::from(typ),
                            data.as_ptr().cast(),
                            data.len(),
                            s.cast_mut(),
                            msg.arg as *mut c_void,
                        )
                    };
                }
            }
        }
        if let Some(cb) = info {
            for (w, r) in calls {
                // SAFETY: the application's info callback with a live SSL; no lock held.
                unsafe { cb(s, w, r) };
            }
        }
    }
}

/// `SSL_CTX_set_keylog_callback`.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_keylog_callback(ctx: *mut SSL_CTX, cb: Option<KeylogCb>) {
    with_ctx(ctx, (), |c| {
        c.keylog = cb;
        // Only the latest callback is replayed for new connections (NULL: none).
        c.ops.retain(|op| !matches!(op, CtxOp::Keylog(_)));
        c.built = None;
        if let Some(cb) = cb {
            let _ = c.run(CtxOp::Keylog(cb));
        }
    })
}

/// `SSL_CTX_get_keylog_callback`.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_keylog_callback(ctx: *const SSL_CTX) -> Option<KeylogCb> {
    with_ctx(ctx, None, |c| c.keylog)
}

/// `SSL_CTX_set_info_callback`: handshake start and done, one loop event per state, and
/// alerts sent and received (no exit events).
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_info_callback(ctx: *mut SSL_CTX, cb: Option<InfoCb>) {
    with_ctx(ctx, (), |c| c.info_cb = cb)
}

/// `SSL_CTX_get_info_callback`.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_info_callback(ctx: *const SSL_CTX) -> Option<InfoCb> {
    with_ctx(ctx, None, |c| c.info_cb)
}

/// `SSL_set_info_callback`: this connection's (the context's applies when NULL).
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_info_callback(s: *mut SSL, cb: Option<InfoCb>) {
    crate::guard((), || {
        // SAFETY: s is NULL or live (contract); only its callback slot is touched.
        if let Some(ssl) = unsafe { s.as_ref() } {
            *ssl.info_cb.lock().unwrap_or_else(|p| p.into_inner()) = cb;
        }
    })
}

/// `SSL_get_info_callback`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_info_callback(s: *const SSL) -> Option<InfoCb> {
    crate::guard(None, || {
        // SAFETY: s is NULL or live (contract).
        unsafe { s.as_ref() }.and_then(|ssl| *ssl.info_cb.lock().unwrap_or_else(|p| p.into_inner()))
    })
}

/// `SSL_CTX_set_msg_callback`: every handshake message, alert and change_cipher_spec sent
/// and received by the context's new connections, after the call that moved them (no
/// record headers: content types 256 and 257 are not reported).
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_msg_callback(ctx: *mut SSL_CTX, cb: Option<MsgCb>) {
    if cb.is_some() {
        MSG_WANTED.store(true, Ordering::Relaxed);
    }
    with_ctx(ctx, (), |c| c.msg.cb = cb)
}

/// `SSL_set_msg_callback`: this connection's.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_msg_callback(s: *mut SSL, cb: Option<MsgCb>) {
    if cb.is_some() {
        MSG_WANTED.store(true, Ordering::Relaxed);
    }
    crate::guard((), || {
        // SAFETY: s is NULL or live (contract); only its msg slot is touched.
        if let Some(ssl) = unsafe { s.as_ref() } {
            ssl.msg.lock().unwrap_or_else(|p| p.into_inner()).cb = cb;
        }
    })
}

/// `SSL_set_msg_callback_arg` (`SSL_ctrl` 16): 1.
///
/// # Safety
/// `s` is NULL or live.
pub(super) unsafe fn set_msg_arg(s: *mut SSL, arg: *mut c_void) -> std::ffi::c_long {
    crate::guard(0, || {
        // SAFETY: s is NULL or live (contract).
        match unsafe { s.as_ref() } {
            Some(ssl) => {
                ssl.msg.lock().unwrap_or_else(|p| p.into_inner()).arg = arg as usize;
                1
            }
            None => 0,
        }
    })
}
