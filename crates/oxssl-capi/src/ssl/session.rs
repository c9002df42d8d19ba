//! Sessions: `SSL_SESSION` as a reference-counted handle over `oxssl::ssl::SslSession`,
//! a connection's session (`SSL_get_session`, `SSL_get1_session`, `SSL_set_session`,
//! `SSL_session_reused`), the getters and OpenSSL's DER form (`i2d_SSL_SESSION`,
//! `d2i_SSL_SESSION`).
//!
//! A handle keeps what OpenSSL keeps in the object and the library's session does not:
//! its "not resumable" mark (set by `SSL_CTX_remove_session`, and by a TLS 1.3 client that
//! resumed it with `SSL_SESS_CACHE_CLIENT`, which OpenSSL uses once) and the ticket lifetime
//! hint it was made with. A session given to `SSL_set_session` is handed to the library
//! when the handshake starts, so that `SSL_set_session(s, NULL)` can still take it back.

use std::ffi::{c_char, c_int, c_long, c_uchar, c_uint, c_ulong, CString};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use oxssl::ssl::{Ssl, SslSession, SslVersion};

use super::{with_ssl_quiet, SSL};
use crate::err;
use crate::handle::{self, borrow};

/// `SSL_SESSION`.
#[allow(non_camel_case_types)]
pub struct SSL_SESSION {
    /// The library's session (replaced by `SSL_SESSION_set_timeout`).
    session: Mutex<SslSession>,
    /// Copies that `SSL_SESSION_get_id` / `_get0_hostname` / `_get0_alpn_selected` return
    /// pointers into: they live as long as the handle.
    id: Vec<u8>,
    hostname: Option<CString>,
    alpn: Option<Vec<u8>>,
    /// `SSL_SESSION_get_ticket_lifetime_hint` (the library's session keeps the lifetime
    /// only as its timeout, which `SSL_SESSION_set_timeout` changes).
    hint: u32,
    /// OpenSSL's `not_resumable`.
    not_resumable: AtomicBool,
}

impl SSL_SESSION {
    pub(super) fn new(s: SslSession) -> Arc<SSL_SESSION> {
        Arc::new(SSL_SESSION {
            id: s.id().to_vec(),
            hostname: s.hostname().and_then(|h| CString::new(h).ok()),
            alpn: s.alpn_selected().map(<[u8]>::to_vec),
            hint: s.ticket_lifetime_hint(),
            not_resumable: AtomicBool::new(false),
            session: Mutex::new(s),
        })
    }

    fn lock(&self) -> MutexGuard<'_, SslSession> {
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The library's session (a cheap clone).
    pub(super) fn get(&self) -> SslSession {
        self.lock().clone()
    }

    /// `SSL_SESSION_is_resumable`, as OpenSSL's: not marked, and an id or a ticket.
    pub(super) fn resumable(&self) -> bool {
        !self.not_resumable.load(Ordering::Relaxed)
            && (!self.id.is_empty() || self.lock().has_ticket())
    }

    pub(super) fn has_id(&self) -> bool {
        !self.id.is_empty()
    }

    /// What `SSL_CTX_remove_session` does to the object it is given.
    pub(super) fn mark_not_resumable(&self) {
        self.not_resumable.store(true, Ordering::Relaxed);
    }
}

/// A connection's sessions, kept so that `SSL_get_session` returns the same object for the
/// same session, as OpenSSL's pointer does.
#[derive(Default)]
pub(super) struct ConnSessions {
    /// What `SSL_get_session` returned last.
    current: Option<Arc<SSL_SESSION>>,
    /// The session given to `SSL_set_session`.
    offer: Option<Arc<SSL_SESSION>>,
    /// The offer went to the library (the handshake started since it was set).
    handed: bool,
    /// During a new-session callback, the session the callback got (OpenSSL's
    /// `SSL_get_session` is that one while the callback runs).
    pub(super) in_callback: Option<Arc<SSL_SESSION>>,
    /// The handshake was seen finished.
    finished: bool,
}

impl ConnSessions {
    /// Called when an operation may start the handshake: hands the offered session to
    /// the library, unless it is no longer resumable (OpenSSL then starts a new one).
    pub(super) fn start(&mut self, ssl: &mut Ssl) {
        if self.handed {
            return;
        }
        self.handed = true;
        if let Some(h) = self.offer.as_ref().filter(|h| h.resumable()) {
            let _ = ssl.set_session(&h.get());
        }
    }

    /// The session handle for `SSL_get_session` (the same object while the session is
    /// the same).
    pub(super) fn current(&mut self, ssl: &Ssl) -> Option<Arc<SSL_SESSION>> {
        if let Some(h) = &self.in_callback {
            return Some(h.clone());
        }
        if !self.handed {
            return self.offer.clone();
        }
        let Some(now) = ssl.session() else {
            return self.offer.clone();
        };
        let same = [&self.current, &self.offer]
            .into_iter()
            .flatten()
            .find(|h| h.get() == now)
            .cloned();
        let h = same.unwrap_or_else(|| SSL_SESSION::new(now));
        self.current = Some(h.clone());
        Some(h)
    }

    /// The session given to `SSL_set_session`.
    pub(super) fn offered(&self) -> Option<&Arc<SSL_SESSION>> {
        self.offer.as_ref()
    }

    /// A new session from the library (its new-session callback): the current one now.
    pub(super) fn made(&mut self, h: &Arc<SSL_SESSION>) {
        self.current = Some(h.clone());
    }

    /// The first time the handshake is seen finished: whether a TLS 1.3 client resumed the
    /// offered session, which OpenSSL then removes from the client's cache (with
    /// `SSL_SESS_CACHE_CLIENT`) so that the ticket is used once.
    pub(super) fn finished(&mut self, ssl: &Ssl) -> Option<Arc<SSL_SESSION>> {
        if self.finished || !ssl.is_init_finished() {
            return None;
        }
        self.finished = true;
        let resumed13 = !ssl.is_server() && ssl.session_reused() && ssl.version_str() == "TLSv1.3";
        self.offer.clone().filter(|_| resumed13)
    }
}

fn version_number(v: SslVersion) -> c_int {
    match v {
        SslVersion::TLS1 => 0x0301,
        SslVersion::TLS1_1 => 0x0302,
        SslVersion::TLS1_2 => 0x0303,
        SslVersion::TLS1_3 => 0x0304,
        _ => 0,
    }
}

/// Runs `f` on a live session, or returns `fail` for NULL (no error queued: OpenSSL's
/// getters do not check, its NULL-tolerant ones queue nothing).
fn on<T>(s: *const SSL_SESSION, fail: T, f: impl FnOnce(&SSL_SESSION) -> T) -> T {
    guard_or(fail, || {
        // SAFETY: a non-NULL SSL_SESSION * is a live handle (the caller's contract).
        unsafe { borrow(s) }.map(f)
    })
}

fn guard_or<T>(fail: T, f: impl FnOnce() -> Option<T>) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Some(v)) => v,
        _ => fail,
    }
}

/// `SSL_SESSION_free`: drops one reference; NULL is ignored.
///
/// # Safety
/// `s` is NULL or a reference the caller owns.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_free(s: *mut SSL_SESSION) {
    // SAFETY: forwarded contract (the caller gives up one reference).
    unsafe { handle::release(s) }
}

/// `SSL_SESSION_up_ref`: 1, or 0 for NULL.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_up_ref(s: *mut SSL_SESSION) -> c_int {
    // SAFETY: forwarded contract (s came from Arc::into_raw).
    unsafe { handle::up_ref(s) }
}

/// `SSL_get_session` (and the `SSL_get0_session` macro): the connection's session
/// without a new reference (valid while the connection holds it), or NULL.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_session(s: *const SSL) -> *mut SSL_SESSION {
    with_ssl_quiet(s, std::ptr::null_mut(), |st| {
        st.sessions
            .current(&st.ssl)
            .map_or(std::ptr::null_mut(), |h| Arc::as_ptr(&h).cast_mut())
    })
}

/// `SSL_get1_session`: the connection's session with a new reference, or NULL.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get1_session(s: *mut SSL) -> *mut SSL_SESSION {
    with_ssl_quiet(s, std::ptr::null_mut(), |st| {
        st.sessions
            .current(&st.ssl)
            .map_or(std::ptr::null_mut(), handle::into_raw)
    })
}

/// `SSL_set_session`: the session a client offers in its next handshake (a reference is
/// taken); NULL clears it. 1, or 0 for a NULL `SSL`.
///
/// # Safety
/// `s` is NULL or live; `session` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_session(s: *mut SSL, session: *mut SSL_SESSION) -> c_int {
    with_ssl_quiet(s, 0, |st| {
        // SAFETY: session is NULL or a live handle (contract); the SSL takes a reference.
        let h = unsafe { handle::share(session.cast_const()) };
        st.sessions.offer = h.clone();
        st.sessions.current = h;
        st.sessions.handed = false;
        1
    })
}

/// `SSL_session_reused`: 1 if the handshake resumed a session.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_session_reused(s: *const SSL) -> c_int {
    with_ssl_quiet(s, 0, |st| c_int::from(st.ssl.session_reused()))
}

/// `SSL_SESSION_is_resumable`: not removed (`SSL_CTX_remove_session`, or used once by a
/// TLS 1.3 client), and a session id or a ticket.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_is_resumable(s: *const SSL_SESSION) -> c_int {
    on(s, 0, |h| c_int::from(h.resumable()))
}

/// `i2d_SSL_SESSION`: the DER length; with `pp`, the DER is written to `*pp` (moved past
/// it) or, if `*pp` is NULL, to a new `OPENSSL_malloc` buffer stored in `*pp`. 0 for NULL.
///
/// # Safety
/// `s` is NULL or live; `pp` is NULL or points to NULL or to a buffer large enough.
#[no_mangle]
pub unsafe extern "C" fn i2d_SSL_SESSION(s: *const SSL_SESSION, pp: *mut *mut c_uchar) -> c_int {
    on(s, 0, |h| {
        let Ok(der) = h.get().to_der() else {
            return 0;
        };
        // SAFETY: pp per the contract.
        unsafe { crate::x509::i2d_out(&der, pp) }.unwrap_or(0)
    })
}

/// `d2i_SSL_SESSION`: one session from `*pp` (at most `length` bytes); `*pp` moves past
/// it. With `a`, the new session is also stored in `*a` (an old one there is freed).
///
/// # Safety
/// `pp` points to a pointer to `length` readable bytes; `a` is NULL or a writable slot
/// holding NULL or an `SSL_SESSION *` the caller gives up.
#[no_mangle]
pub unsafe extern "C" fn d2i_SSL_SESSION(
    a: *mut *mut SSL_SESSION,
    pp: *mut *const c_uchar,
    length: c_long,
) -> *mut SSL_SESSION {
    // SAFETY: forwarded contract.
    unsafe {
        crate::x509::d2i_object(a, pp, length, |der| match SslSession::from_der(&der) {
            Ok(s) => Ok(SSL_SESSION::new(s)),
            Err(e) => {
                err::push_stack(&e);
                Err(true)
            }
        })
    }
}

/// `SSL_SESSION_get_id`: the session id (valid while the session lives) and its length.
///
/// # Safety
/// `s` is NULL or live; `len` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_id(
    s: *const SSL_SESSION,
    len: *mut c_uint,
) -> *const c_uchar {
    on(s, std::ptr::null(), |h| {
        // SAFETY: len is NULL or writable (contract).
        if let Some(l) = unsafe { len.as_mut() } {
            *l = h.id.len() as c_uint;
        }
        h.id.as_ptr()
    })
}

/// `SSL_SESSION_get_time`: creation time, seconds since the epoch (0 for NULL).
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_time(s: *const SSL_SESSION) -> c_long {
    on(s, 0, |h| {
        c_long::try_from(h.lock().time()).unwrap_or(c_long::MAX)
    })
}

/// `SSL_SESSION_get_time_ex` (OpenSSL 3.4's `time_t` form).
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_time_ex(s: *const SSL_SESSION) -> libc::time_t {
    on(s, 0, |h| h.lock().time() as libc::time_t)
}

/// `SSL_SESSION_get_timeout`: its lifetime in seconds (0 for NULL).
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_timeout(s: *const SSL_SESSION) -> c_long {
    on(s, 0, |h| {
        c_long::try_from(h.lock().timeout()).unwrap_or(c_long::MAX)
    })
}

/// `SSL_SESSION_set_timeout`: 1, or 0 for NULL or a negative time. A copy of the session
/// already in a server cache keeps its timeout.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set_timeout(s: *mut SSL_SESSION, t: c_long) -> c_long {
    on(s, 0, |h| {
        if t < 0 {
            return 0;
        }
        h.lock().set_timeout(u32::try_from(t).unwrap_or(u32::MAX));
        1
    })
}

/// `SSL_SESSION_get_protocol_version`: TLS1_2_VERSION or TLS1_3_VERSION.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_protocol_version(s: *const SSL_SESSION) -> c_int {
    on(s, 0, |h| version_number(h.lock().protocol_version()))
}

/// `SSL_SESSION_get_max_early_data`: the most early data its ticket allows.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_max_early_data(s: *const SSL_SESSION) -> u32 {
    on(s, 0, |h| h.lock().max_early_data())
}

/// `SSL_SESSION_get0_hostname`: the server name of the handshake that made it, or NULL.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get0_hostname(s: *const SSL_SESSION) -> *const c_char {
    on(s, std::ptr::null(), |h| {
        h.hostname.as_ref().map_or(std::ptr::null(), |c| c.as_ptr())
    })
}

/// `SSL_SESSION_get_master_key`: with `outlen` 0, the secret's length; else copies up to
/// `outlen` bytes of it to `out` and returns how many.
///
/// # Safety
/// `s` is NULL or live; `out` holds `outlen` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_master_key(
    s: *const SSL_SESSION,
    out: *mut c_uchar,
    outlen: usize,
) -> usize {
    on(s, 0, |h| {
        let session = h.lock();
        if outlen == 0 {
            return session.master_key_len();
        }
        if out.is_null() {
            return 0;
        }
        // SAFETY: out holds outlen writable bytes (contract), checked non-NULL.
        let buf = unsafe { std::slice::from_raw_parts_mut(out, outlen) };
        session.master_key(buf)
    })
}

/// `SSL_SESSION_has_ticket`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_has_ticket(s: *const SSL_SESSION) -> c_int {
    on(s, 0, |h| c_int::from(h.lock().has_ticket()))
}

/// `SSL_SESSION_get_ticket_lifetime_hint`: the lifetime the server gave its ticket (0
/// without a ticket).
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_ticket_lifetime_hint(s: *const SSL_SESSION) -> c_ulong {
    on(s, 0, |h| c_ulong::from(h.hint))
}

/// `SSL_SESSION_get0_alpn_selected`: the ALPN protocol of the handshake that made it, or
/// NULL and 0.
///
/// # Safety
/// `s` is NULL or live; `alpn` and `len` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get0_alpn_selected(
    s: *const SSL_SESSION,
    alpn: *mut *const c_uchar,
    len: *mut usize,
) {
    on(s, (), |h| {
        let (p, n) = match &h.alpn {
            Some(a) if !a.is_empty() => (a.as_ptr(), a.len()),
            _ => (std::ptr::null(), 0),
        };
        // SAFETY: the out-parameters are NULL or writable (contract).
        unsafe {
            if let Some(d) = alpn.as_mut() {
                *d = p;
            }
            if let Some(l) = len.as_mut() {
                *l = n;
            }
        }
    })
}
