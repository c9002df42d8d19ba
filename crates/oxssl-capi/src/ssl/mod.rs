//! `SSL_CTX`, `SSL`, methods and ciphers over `oxssl::ssl`.

use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_long, c_void, CStr, CString};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use oxssl::ssl::{
    Error, ErrorCode, ErrorStack, ShutdownResult, ShutdownState, Ssl, SslContext,
    SslContextBuilder, SslFiletype, SslMethod, SslMode, SslOptions, SslSessionCacheMode,
    SslVerifyMode, SslVersion,
};

use crate::bio::{self, SharedBio, BIO};
use crate::err::{self, LIB_SSL};
use crate::ex_data::{CLASS_SSL, CLASS_SSL_CTX, CRYPTO_EX_DATA};
use crate::guard;

pub mod alpn;
pub mod callbacks;
pub mod cert;
pub mod early_data;
pub mod ex;
pub mod exporter;
mod frames;
pub mod servername;
pub mod session;
pub mod session_ctx;
pub mod state;
#[cfg(test)]
mod tests_callbacks;
pub mod verify;

use crate::err::ERR_R_PASSED_NULL_PARAMETER;
const SSL_R_NULL_SSL_METHOD_PASSED: c_int = 196;
const SSL_R_BAD_LENGTH: c_int = 271;
const SSL_R_SSL3_EXT_INVALID_SERVERNAME_TYPE: c_int = 320;
const SSL_R_SSL3_EXT_INVALID_SERVERNAME: c_int = 319;
const SSL_R_BAD_SSL_FILETYPE: c_int = 124;

const SSL_CTRL_MODE: c_int = 33;
const SSL_CTRL_SET_GROUPS_LIST: c_int = 92;
const SSL_CTRL_SET_SIGALGS_LIST: c_int = 98;
const SSL_CTRL_GET_READ_AHEAD: c_int = 40;
const SSL_CTRL_SET_READ_AHEAD: c_int = 41;
const SSL_CTRL_SET_MAX_SEND_FRAGMENT: c_int = 52;
const SSL_CTRL_SET_TLSEXT_HOSTNAME: c_int = 55;
const SSL_CTRL_CLEAR_MODE: c_int = 78;
const SSL_CTRL_SET_MIN_PROTO_VERSION: c_int = 123;
const SSL_CTRL_SET_MAX_PROTO_VERSION: c_int = 124;
const SSL_CTRL_SET_SPLIT_SEND_FRAGMENT: c_int = 125;
const SSL_CTRL_GET_MIN_PROTO_VERSION: c_int = 130;
const SSL_CTRL_GET_MAX_PROTO_VERSION: c_int = 131;

fn null_param() {
    err::push(LIB_SSL, ERR_R_PASSED_NULL_PARAMETER);
}

/// `SSL_METHOD`.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct SSL_METHOD {
    side: u8,
}

static TLS_METHOD: SSL_METHOD = SSL_METHOD { side: 0 };
static TLS_CLIENT_METHOD: SSL_METHOD = SSL_METHOD { side: 1 };
static TLS_SERVER_METHOD: SSL_METHOD = SSL_METHOD { side: 2 };

/// `TLS_method`.
#[no_mangle]
pub extern "C" fn TLS_method() -> *const SSL_METHOD {
    &TLS_METHOD
}
/// `TLS_client_method`.
#[no_mangle]
pub extern "C" fn TLS_client_method() -> *const SSL_METHOD {
    &TLS_CLIENT_METHOD
}
/// `TLS_server_method`.
#[no_mangle]
pub extern "C" fn TLS_server_method() -> *const SSL_METHOD {
    &TLS_SERVER_METHOD
}

fn method_of(m: &SSL_METHOD) -> SslMethod {
    match m.side {
        1 => SslMethod::tls_client(),
        2 => SslMethod::tls_server(),
        _ => SslMethod::tls(),
    }
}

/// One successful configuration call, replayed on a fresh builder whenever a new `SSL`
/// needs a context built after a change (a built `SslContext` is immutable, an
/// `SSL_CTX` is not).
#[derive(Clone)]
enum CtxOp {
    SetMode(u64),
    ClearMode(u64),
    SetOptions(u64),
    ClearOptions(u64),
    MinVersion(Option<u16>),
    MaxVersion(Option<u16>),
    MaxSendFragment(usize),
    SplitSendFragment(usize),
    ReadAhead(bool),
    CertFile(PathBuf, SslFiletype),
    ChainFile(PathBuf),
    KeyFile(PathBuf, SslFiletype),
    CaFile(PathBuf),
    /// `SSL_CTX_set_verify`: the mode and the callback (None: none).
    Verify(i32, Option<verify::VerifyCb>),
    /// `SSL_CTX_set_verify_depth`.
    VerifyDepth(c_int),
    CipherList(String),
    Ciphersuites(String),
    DefaultVerifyPaths,
    /// The certificate chain from `X509` objects, end entity first.
    ChainDer(Vec<Vec<u8>>),
    /// A private key from an `EVP_PKEY`.
    KeyDer(Vec<u8>),
    /// Every certificate in the files of a CA directory.
    CaDir(PathBuf),
    /// ALPN protocols in wire format.
    Alpn(Vec<u8>),
    /// `SSL_CTX_set_keylog_callback`.
    Keylog(callbacks::KeylogCb),
    /// `SSL_CTX_set_tlsext_servername_callback` with its argument.
    Servername(servername::ServernameCb, usize),
    /// `SSL_CTX_set_alpn_select_cb` with its argument.
    AlpnSelect(alpn::AlpnSelectCb, usize),
    /// `SSL_CTX_set_session_cache_mode`.
    SessCacheMode(i64),
    /// `SSL_CTX_set_session_id_context`.
    SidCtx(Vec<u8>),
    /// `SSL_CTX_set_num_tickets`.
    NumTickets(usize),
    /// `SSL_CTX_set_timeout`.
    Timeout(u32),
    /// `SSL_CTX_set_max_early_data`.
    MaxEarlyData(u32),
    /// `SSL_CTX_set1_groups_list`.
    Groups(String),
    /// `SSL_CTX_set1_sigalgs_list`.
    Sigalgs(String),
    /// `SSL_CTX_set_post_handshake_auth`.
    PostHandshakeAuth(bool),
}

fn version(v: Option<u16>) -> Option<SslVersion> {
    v.map(|v| match v {
        0x0301 => SslVersion::TLS1,
        0x0302 => SslVersion::TLS1_1,
        0x0303 => SslVersion::TLS1_2,
        _ => SslVersion::TLS1_3,
    })
}

fn apply(b: &mut SslContextBuilder, op: &CtxOp) -> Result<(), ErrorStack> {
    match op {
        CtxOp::SetMode(m) => {
            b.set_mode(SslMode::from_bits_retain(*m));
        }
        CtxOp::ClearMode(m) => {
            b.clear_mode(SslMode::from_bits_retain(*m));
        }
        CtxOp::SetOptions(o) => {
            b.set_options(SslOptions::from_bits_retain(*o));
        }
        CtxOp::ClearOptions(o) => {
            b.clear_options(SslOptions::from_bits_retain(*o));
        }
        CtxOp::MinVersion(v) => b.set_min_proto_version(version(*v))?,
        CtxOp::MaxVersion(v) => b.set_max_proto_version(version(*v))?,
        CtxOp::MaxSendFragment(n) => b.set_max_send_fragment(*n)?,
        CtxOp::SplitSendFragment(n) => b.set_split_send_fragment(*n)?,
        CtxOp::ReadAhead(on) => b.set_read_ahead(*on),
        CtxOp::CertFile(p, t) => b.set_certificate_file(p, *t)?,
        CtxOp::ChainFile(p) => b.set_certificate_chain_file(p)?,
        CtxOp::KeyFile(p, t) => b.set_private_key_file(p, *t)?,
        CtxOp::CaFile(p) => b.set_ca_file(p)?,
        CtxOp::Verify(m, cb) => verify::set_on_builder(b, *m, *cb),
        CtxOp::VerifyDepth(d) => b.set_verify_depth(verify::depth(*d)),
        CtxOp::CipherList(s) => b.set_cipher_list(s)?,
        CtxOp::Ciphersuites(s) => b.set_ciphersuites(s)?,
        CtxOp::Groups(s) => b.set_groups_list(s)?,
        CtxOp::Sigalgs(s) => b.set_sigalgs_list(s)?,
        CtxOp::PostHandshakeAuth(on) => b.set_post_handshake_auth(*on),
        CtxOp::DefaultVerifyPaths => b.set_default_verify_paths()?,
        CtxOp::ChainDer(chain) => b.set_certificate_chain_der(chain.clone())?,
        CtxOp::KeyDer(der) => b.set_private_key_der(der)?,
        CtxOp::CaDir(dir) => verify::add_ca_dir(b, dir)?,
        CtxOp::Alpn(wire) => b.set_alpn_protos(wire)?,
        CtxOp::Keylog(cb) => callbacks::install_keylog(b, *cb),
        CtxOp::Servername(cb, arg) => servername::install(b, *cb, *arg),
        CtxOp::AlpnSelect(cb, arg) => alpn::install_select(b, *cb, *arg),
        CtxOp::SessCacheMode(m) => {
            b.set_session_cache_mode(SslSessionCacheMode::from_bits_retain(*m));
        }
        CtxOp::SidCtx(sid) => b.set_session_id_context(sid)?,
        CtxOp::NumTickets(n) => b.set_num_tickets(*n)?,
        CtxOp::Timeout(t) => {
            b.set_timeout(*t);
        }
        CtxOp::MaxEarlyData(n) => b.set_max_early_data(*n)?,
    }
    Ok(())
}

struct CtxState {
    method: SslMethod,
    live: SslContextBuilder,
    ops: Vec<CtxOp>,
    built: Option<SslContext>,
    min_version: u16,
    max_version: u16,
    read_ahead: bool,
    verify_mode: c_int,
    verify_cb: Option<verify::VerifyCb>,
    verify_depth: c_int,
    cert: cert::CtxCerts,
    info_cb: Option<callbacks::InfoCb>,
    /// `SSL_CTX_set_msg_callback` and `_arg` (copied into each new `SSL`).
    msg: callbacks::MsgSlot,
    keylog: Option<callbacks::KeylogCb>,
    /// `SSL_CTX_set_tlsext_servername_callback` / `_arg`.
    servername_cb: Option<servername::ServernameCb>,
    servername_arg: usize,
    /// The holder of the session cache, ticket keys and replay guard that every context
    /// built from this one (and `live`) shares.
    sessions: SslContext,
    /// `SSL_CTX_get_session_cache_mode` (SSL_SESS_CACHE_* bits).
    cache_mode: c_long,
    /// `SSL_CTX_sess_get_cache_size`.
    cache_size: c_long,
    /// `SSL_CTX_get_timeout`.
    timeout: c_long,
    /// `SSL_CTX_get_num_tickets`.
    num_tickets: usize,
    /// `SSL_CTX_get_max_early_data`.
    max_early_data: u32,
    new_session_cb: Option<session_ctx::NewSessionCb>,
}

impl CtxState {
    fn run(&mut self, op: CtxOp) -> Result<(), ErrorStack> {
        apply(&mut self.live, &op)?;
        self.ops.push(op);
        self.built = None;
        Ok(())
    }

    fn context(&mut self) -> Result<SslContext, ErrorStack> {
        if let Some(c) = &self.built {
            return Ok(c.clone());
        }
        let mut b = SslContext::builder(self.method)?;
        // First, so that the session cache and ticket keys survive a rebuild.
        b.share_sessions_with(&self.sessions);
        for op in &self.ops {
            apply(&mut b, op)?;
        }
        callbacks::install_observer(&mut b);
        callbacks::install_new_session(&mut b);
        let c = b.build();
        self.built = Some(c.clone());
        Ok(c)
    }
}

/// `SSL_CTX`.
#[allow(non_camel_case_types)]
pub struct SSL_CTX {
    state: Mutex<CtxState>,
    ex: CRYPTO_EX_DATA,
}

impl Drop for SSL_CTX {
    fn drop(&mut self) {
        let me = std::ptr::from_mut(self).cast();
        self.ex.freed(CLASS_SSL_CTX, me);
    }
}

impl SSL_CTX {
    fn lock(&self) -> MutexGuard<'_, CtxState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Runs `f` on a live `SSL_CTX`, or queues PASSED_NULL_PARAMETER and returns `fail`.
fn with_ctx<T>(ctx: *const SSL_CTX, fail: T, f: impl FnOnce(&mut CtxState) -> T) -> T {
    guard_ref(fail, || {
        if ctx.is_null() {
            null_param();
            return None;
        }
        // SAFETY: a non-NULL SSL_CTX * is live while the caller uses it (OpenSSL's contract).
        let c = unsafe { &*ctx };
        Some(f(&mut c.lock()))
    })
}

fn guard_ref<T>(fail: T, f: impl FnOnce() -> Option<T>) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Some(v)) => v,
        _ => fail,
    }
}

/// `SSL_CTX_new`.
///
/// # Safety
/// `meth` is NULL or one of this library's methods.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_new(meth: *const SSL_METHOD) -> *mut SSL_CTX {
    guard(std::ptr::null_mut(), || {
        if meth.is_null() {
            err::push(LIB_SSL, SSL_R_NULL_SSL_METHOD_PASSED);
            return std::ptr::null_mut();
        }
        // SAFETY: meth points to one of the static methods above.
        let method = method_of(unsafe { &*meth });
        // `sessions`: a context of its own holding the session cache, ticket keys and
        // replay guard that `live` and every context built later share.
        let (mut live, sessions) = match SslContext::builder(method)
            .and_then(|b| Ok((SslContext::builder(method)?, b.build())))
        {
            Ok(b) => b,
            Err(e) => {
                err::push_stack(&e);
                return std::ptr::null_mut();
            }
        };
        live.share_sessions_with(&sessions);
        let p = Arc::into_raw(Arc::new(SSL_CTX {
            state: Mutex::new(CtxState {
                method,
                live,
                ops: Vec::new(),
                built: None,
                min_version: 0,
                max_version: 0,
                read_ahead: false,
                verify_mode: 0,
                verify_cb: None,
                verify_depth: -1,
                cert: cert::CtxCerts::default(),
                info_cb: None,
                msg: callbacks::MsgSlot::default(),
                keylog: None,
                servername_cb: None,
                servername_arg: 0,
                sessions,
                cache_mode: session_ctx::CACHE_SERVER,
                cache_size: session_ctx::CACHE_SIZE_DEFAULT,
                timeout: session_ctx::TIMEOUT_DEFAULT,
                num_tickets: 2,
                max_early_data: 0,
                new_session_cb: None,
            }),
            ex: CRYPTO_EX_DATA::default(),
        }))
        .cast_mut();
        // SAFETY: p is the SSL_CTX just made, live until the caller frees it.
        unsafe { &*p }.ex.created(CLASS_SSL_CTX, p.cast());
        p
    })
}

/// `SSL_CTX_up_ref`.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_up_ref(ctx: *mut SSL_CTX) -> c_int {
    // SAFETY: forwarded contract (ctx came from Arc::into_raw).
    unsafe { crate::handle::up_ref(ctx) }
}

/// `SSL_CTX_free`.
///
/// # Safety
/// `ctx` is NULL or a reference the caller owns.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_free(ctx: *mut SSL_CTX) {
    // SAFETY: forwarded contract (the caller gives up one reference).
    unsafe { crate::handle::release(ctx) }
}

fn proto_ok(v: c_long) -> Option<Option<u16>> {
    match v {
        0 => Some(None),
        0x0300..=0x0304 => Some(Some(v as u16)),
        _ => None,
    }
}

/// `SSL_CTX_ctrl`: modes, read-ahead, send fragment sizes, protocol version bounds.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_ctrl(
    ctx: *mut SSL_CTX,
    cmd: c_int,
    larg: c_long,
    parg: *mut c_void,
) -> c_long {
    with_ctx(ctx, 0, |c| match cmd {
        SSL_CTRL_SET_GROUPS_LIST | SSL_CTRL_SET_SIGALGS_LIST => {
            let Some(list) = cstr(parg.cast_const().cast()) else {
                null_param();
                return 0;
            };
            let op = if cmd == SSL_CTRL_SET_GROUPS_LIST {
                CtxOp::Groups(list)
            } else {
                CtxOp::Sigalgs(list)
            };
            // OpenSSL refuses a bad list with 0 and an empty error queue.
            c_long::from(c.run(op).is_ok())
        }
        callbacks::SSL_CTRL_SET_MSG_CALLBACK_ARG => {
            c.msg.arg = parg as usize;
            1
        }
        session_ctx::SSL_CTRL_SESS_NUMBER
        | session_ctx::SSL_CTRL_SET_SESS_CACHE_SIZE
        | session_ctx::SSL_CTRL_GET_SESS_CACHE_SIZE
        | session_ctx::SSL_CTRL_SET_SESS_CACHE_MODE
        | session_ctx::SSL_CTRL_GET_SESS_CACHE_MODE => session_ctx::ctrl(c, cmd, larg),
        SSL_CTRL_MODE => {
            let _ = c.run(CtxOp::SetMode(larg as u64));
            c.live.set_mode(SslMode::empty()).bits() as c_long
        }
        SSL_CTRL_CLEAR_MODE => {
            let _ = c.run(CtxOp::ClearMode(larg as u64));
            c.live.set_mode(SslMode::empty()).bits() as c_long
        }
        SSL_CTRL_SET_MAX_SEND_FRAGMENT => {
            c.run(CtxOp::MaxSendFragment(larg.max(0) as usize)).is_ok() as c_long
        }
        SSL_CTRL_SET_SPLIT_SEND_FRAGMENT => c
            .run(CtxOp::SplitSendFragment(larg.max(0) as usize))
            .is_ok() as c_long,
        SSL_CTRL_GET_READ_AHEAD => c.read_ahead as c_long,
        SSL_CTRL_SET_READ_AHEAD => {
            let old = c.read_ahead;
            c.read_ahead = larg != 0;
            let _ = c.run(CtxOp::ReadAhead(larg != 0));
            old as c_long
        }
        SSL_CTRL_SET_MIN_PROTO_VERSION | SSL_CTRL_SET_MAX_PROTO_VERSION => {
            let Some(v) = proto_ok(larg) else { return 0 };
            let op = if cmd == SSL_CTRL_SET_MIN_PROTO_VERSION {
                CtxOp::MinVersion(v)
            } else {
                CtxOp::MaxVersion(v)
            };
            if c.run(op).is_err() {
                return 0;
            }
            if cmd == SSL_CTRL_SET_MIN_PROTO_VERSION {
                c.min_version = v.unwrap_or(0);
            } else {
                c.max_version = v.unwrap_or(0);
            }
            1
        }
        SSL_CTRL_GET_MIN_PROTO_VERSION => c.min_version as c_long,
        SSL_CTRL_GET_MAX_PROTO_VERSION => c.max_version as c_long,
        servername::SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG => servername::set_arg(c, parg),
        cert::SSL_CTRL_EXTRA_CHAIN_CERT => cert::add_extra_chain_cert(c, parg.cast()),
        cert::SSL_CTRL_CLEAR_EXTRA_CHAIN_CERTS => cert::clear_extra_chain_certs(c),
        _ => 0,
    })
}

/// `SSL_CTX_set_options`: returns the new options.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_options(ctx: *mut SSL_CTX, op: u64) -> u64 {
    with_ctx(ctx, 0, |c| {
        let _ = c.run(CtxOp::SetOptions(op));
        c.live.set_options(SslOptions::empty()).bits()
    })
}

/// `SSL_CTX_clear_options`.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_clear_options(ctx: *mut SSL_CTX, op: u64) -> u64 {
    with_ctx(ctx, 0, |c| {
        let _ = c.run(CtxOp::ClearOptions(op));
        c.live.set_options(SslOptions::empty()).bits()
    })
}

/// `SSL_CTX_get_options`.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_options(ctx: *const SSL_CTX) -> u64 {
    with_ctx(ctx, 0, |c| c.live.set_options(SslOptions::empty()).bits())
}

fn path(p: *const c_char) -> Option<PathBuf> {
    if p.is_null() {
        return None;
    }
    // SAFETY: a non-NULL path is a NUL-terminated C string (caller's contract).
    let s = unsafe { CStr::from_ptr(p) };
    use std::os::unix::ffi::OsStrExt;
    Some(PathBuf::from(std::ffi::OsStr::from_bytes(s.to_bytes())))
}

fn filetype(t: c_int) -> Option<SslFiletype> {
    match t {
        1 => Some(SslFiletype::PEM),
        2 => Some(SslFiletype::ASN1),
        _ => None,
    }
}

/// OpenSSL's 1 for success, or 0 with the errors queued.
fn one_or_queue(r: Result<(), ErrorStack>) -> c_int {
    match r {
        Ok(()) => 1,
        Err(e) => {
            err::push_stack(&e);
            0
        }
    }
}

fn ctx_result(c: &mut CtxState, op: CtxOp) -> c_int {
    one_or_queue(c.run(op))
}

/// `SSL_CTX_use_certificate_file`.
///
/// # Safety
/// `ctx` is NULL or live; `file` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_certificate_file(
    ctx: *mut SSL_CTX,
    file: *const c_char,
    typ: c_int,
) -> c_int {
    with_ctx(ctx, 0, |c| {
        let Some(p) = path(file) else {
            null_param();
            return 0;
        };
        let Some(t) = filetype(typ) else {
            err::push(LIB_SSL, SSL_R_BAD_SSL_FILETYPE);
            return 0;
        };
        let r = ctx_result(c, CtxOp::CertFile(p.clone(), t));
        if r == 1 {
            cert::file_loaded(c, &p, t, false);
        }
        r
    })
}

/// `SSL_CTX_use_certificate_chain_file`.
///
/// # Safety
/// `ctx` is NULL or live; `file` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_certificate_chain_file(
    ctx: *mut SSL_CTX,
    file: *const c_char,
) -> c_int {
    with_ctx(ctx, 0, |c| {
        // As OpenSSL: the queue is cleared first (use_certificate_chain_file).
        crate::err::ERR_clear_error();
        let Some(p) = path(file) else {
            null_param();
            return 0;
        };
        let r = ctx_result(c, CtxOp::ChainFile(p.clone()));
        if r == 1 {
            cert::file_loaded(c, &p, SslFiletype::PEM, true);
        }
        r
    })
}

/// `SSL_CTX_use_PrivateKey_file`.
///
/// # Safety
/// `ctx` is NULL or live; `file` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_PrivateKey_file(
    ctx: *mut SSL_CTX,
    file: *const c_char,
    typ: c_int,
) -> c_int {
    with_ctx(ctx, 0, |c| {
        let Some(p) = path(file) else {
            null_param();
            return 0;
        };
        let Some(t) = filetype(typ) else {
            err::push(LIB_SSL, SSL_R_BAD_SSL_FILETYPE);
            return 0;
        };
        ctx_result(c, CtxOp::KeyFile(p, t))
    })
}

/// `SSL_CTX_check_private_key`.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_check_private_key(ctx: *const SSL_CTX) -> c_int {
    with_ctx(ctx, 0, |c| match c.live.check_private_key() {
        // OpenSSL looks for the certificate first (the library for the key).
        Err(_) if !c.cert.has_leaf() => {
            err::push(LIB_SSL, 177); // SSL_R_NO_CERTIFICATE_ASSIGNED
            0
        }
        r => one_or_queue(r),
    })
}

/// `SSL_CTX_load_verify_locations`: a CA file and/or a CA directory (every certificate in
/// its files is trusted, read when the call is made).
///
/// # Safety
/// `ctx` is NULL or live; the paths are NULL or C strings.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_load_verify_locations(
    ctx: *mut SSL_CTX,
    ca_file: *const c_char,
    ca_path: *const c_char,
) -> c_int {
    with_ctx(ctx, 0, |c| {
        let (file, dir) = (path(ca_file), path(ca_path));
        if file.is_none() && dir.is_none() {
            null_param();
            return 0;
        }
        if let Some(f) = file {
            if ctx_result(c, CtxOp::CaFile(f)) == 0 {
                return 0;
            }
        }
        match dir {
            Some(d) => ctx_result(c, CtxOp::CaDir(d)),
            None => 1,
        }
    })
}

/// `SSL_CTX_set_verify`: the mode and the verify callback (NULL: none) of the connections
/// made after the call. The library calls the callback during the handshake, in OpenSSL's
/// order, with an `X509_STORE_CTX` valid for that call.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_verify(
    ctx: *mut SSL_CTX,
    mode: c_int,
    callback: Option<verify::VerifyCb>,
) {
    with_ctx(ctx, (), |c| {
        c.verify_mode = mode;
        c.verify_cb = callback;
        c.ops.retain(|op| !matches!(op, CtxOp::Verify(..)));
        let _ = c.run(CtxOp::Verify(mode, callback));
    })
}

/// `SSL_CTX_set_cipher_list` (TLS 1.2 suites).
///
/// # Safety
/// `ctx` is NULL or live; `s` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_cipher_list(ctx: *mut SSL_CTX, s: *const c_char) -> c_int {
    with_ctx(ctx, 0, |c| {
        let Some(s) = cstr(s) else {
            null_param();
            return 0;
        };
        ctx_result(c, CtxOp::CipherList(s))
    })
}

/// `SSL_CTX_set_ciphersuites` (TLS 1.3 suites).
///
/// # Safety
/// `ctx` is NULL or live; `s` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_ciphersuites(ctx: *mut SSL_CTX, s: *const c_char) -> c_int {
    with_ctx(ctx, 0, |c| {
        let Some(s) = cstr(s) else {
            null_param();
            return 0;
        };
        ctx_result(c, CtxOp::Ciphersuites(s))
    })
}

fn cstr(s: *const c_char) -> Option<String> {
    if s.is_null() {
        return None;
    }
    // SAFETY: a non-NULL string argument is NUL-terminated (caller's contract).
    Some(unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned())
}

// ---------------------------------------------------------------------------------------
// SSL

struct SslState {
    ssl: Ssl,
    /// `SSL_get_servername`'s answer, kept alive for the caller (shared with the frame of
    /// a call whose callbacks ask for it).
    servername: Option<Arc<CStr>>,
    /// The read-ahead flag (`Ssl` has a setter only).
    read_ahead: bool,
    /// An SNI host name was set (`Ssl` cannot clear one).
    sni_set: bool,
    /// The side set so far (`SSL_set_connect_state` / `SSL_set_accept_state`): Some(true)
    /// for a client. `SSL_connect` / `SSL_accept` only set it when nothing is set yet.
    side: Option<bool>,
    /// A handshake failed (OpenSSL's MSG_FLOW_ERROR): later calls no longer enter the
    /// handshake, so they no longer clear the error queue.
    handshake_failed: bool,
    /// The connection's context (`SSL_get_SSL_CTX`; `SSL_set_SSL_CTX` changes it).
    ctx: Arc<SSL_CTX>,
    /// The context it was made from, whose session cache and session callbacks it uses
    /// (OpenSSL's `session_ctx`).
    session_ctx: Arc<SSL_CTX>,
    rbio: Option<Arc<BIO>>,
    wbio: Option<Arc<BIO>>,
    /// The peer's certificates as `X509` objects (`SSL_get1_peer_certificate`,
    /// `SSL_get_peer_cert_chain`).
    peer: cert::PeerCerts,
    verify_depth: c_int,
    /// `SSL_get_verify_callback`.
    verify_cb: Option<verify::VerifyCb>,
    /// `SSL_get0_alpn_selected`'s answer, kept alive for the caller.
    alpn: Option<Vec<u8>>,
    /// The session handles of this connection (`SSL_get_session`, `SSL_set_session`).
    sessions: session::ConnSessions,
    /// Where the connection is with early data.
    early: early_data::EarlyState,
    /// An operation that drives the handshake ran (OpenSSL's `SSL_in_before` is false).
    started: bool,
}

impl SslState {
    fn sync_bios(&mut self) {
        self.ssl
            .set_bios(SharedBio(self.rbio.clone()), SharedBio(self.wbio.clone()));
    }
}

/// `SSL`.
#[allow(clippy::upper_case_acronyms)]
pub struct SSL {
    state: Mutex<SslState>,
    ex: CRYPTO_EX_DATA,
    /// The info callback, outside `state` so it can be read while delivering events.
    info_cb: Mutex<Option<callbacks::InfoCb>>,
    /// The msg callback and its argument, likewise.
    msg: Mutex<callbacks::MsgSlot>,
    info: Mutex<callbacks::InfoState>,
}

impl Drop for SSL {
    fn drop(&mut self) {
        let me = std::ptr::from_mut(self).cast();
        self.ex.freed(CLASS_SSL, me);
        let st = self.state.get_mut().unwrap_or_else(|p| p.into_inner());
        session_ctx::freed(st);
    }
}

impl SSL {
    fn lock(&self) -> MutexGuard<'_, SslState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn with_ssl<T>(s: *const SSL, fail: T, f: impl FnOnce(&mut SslState) -> T) -> T {
    if s.is_null() {
        guard((), null_param);
    }
    with_ssl_quiet(s, fail, f)
}

/// [`with_ssl`] without an error for NULL (OpenSSL's functions that return their failure
/// value for a NULL `SSL` and queue nothing).
fn with_ssl_quiet<T>(s: *const SSL, fail: T, f: impl FnOnce(&mut SslState) -> T) -> T {
    guard_ref(fail, || {
        if s.is_null() {
            return None;
        }
        // Called from a callback the library makes during a call on this same SSL: the
        // connection is locked by that call (the functions such a callback may use answer
        // from `frames` before coming here).
        if frames::holds(s) {
            return None;
        }
        // SAFETY: a non-NULL SSL * is live while the caller uses it (OpenSSL's contract).
        let ssl = unsafe { &*s };
        let (r, left_ctx) = {
            let mut g = ssl.state.lock().unwrap_or_else(|p| p.into_inner());
            let frame = frames::enter(s, &g);
            let r = f(&mut g);
            (r, frame.finish(&mut g))
        };
        drop(left_ctx);
        // Callbacks the call produced (key log lines, info events) run now, with no lock
        // held, so they may call back into the library with this SSL.
        callbacks::deliver(ssl, s);
        Some(r)
    })
}

/// `SSL_new`.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_new(ctx: *mut SSL_CTX) -> *mut SSL {
    guard(std::ptr::null_mut(), || {
        if ctx.is_null() {
            err::push(LIB_SSL, 195); // SSL_R_NULL_SSL_CTX
            return std::ptr::null_mut();
        }
        // SAFETY: ctx is live; we take our own reference.
        let ctx_arc = unsafe {
            Arc::increment_strong_count(ctx.cast_const());
            Arc::from_raw(ctx.cast_const())
        };
        let built = ctx_arc.lock().context();
        let (read_ahead, verify_depth, verify_cb, info_cb, msg) = {
            let c = ctx_arc.lock();
            (c.read_ahead, c.verify_depth, c.verify_cb, c.info_cb, c.msg)
        };
        let r = built.and_then(|c| {
            let mut ssl = Ssl::new(&c)?;
            if read_ahead {
                ssl.set_read_ahead(true);
            }
            Ok(ssl)
        });
        match r {
            Ok(ssl) => {
                let p = Arc::into_raw(Arc::new(SSL {
                    state: Mutex::new(SslState {
                        ssl,
                        servername: None,
                        read_ahead,
                        sni_set: false,
                        handshake_failed: false,
                        side: None,
                        session_ctx: ctx_arc.clone(),
                        ctx: ctx_arc,
                        rbio: None,
                        wbio: None,
                        peer: cert::PeerCerts::default(),
                        verify_depth,
                        verify_cb,
                        alpn: None,
                        sessions: session::ConnSessions::default(),
                        early: early_data::EarlyState::None,
                        started: false,
                    }),
                    ex: CRYPTO_EX_DATA::default(),
                    info_cb: Mutex::new(info_cb),
                    msg: Mutex::new(msg),
                    info: Mutex::default(),
                }))
                .cast_mut();
                // SAFETY: p is the SSL just made, live until the caller frees it.
                unsafe { &*p }.ex.created(CLASS_SSL, p.cast());
                p
            }
            Err(e) => {
                err::push_stack(&e);
                std::ptr::null_mut()
            }
        }
    })
}

/// `SSL_up_ref`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_up_ref(s: *mut SSL) -> c_int {
    // SAFETY: forwarded contract (s came from Arc::into_raw).
    unsafe { crate::handle::up_ref(s) }
}

/// `SSL_free`: drops one reference; the last one frees the connection and its BIO references.
///
/// # Safety
/// `s` is NULL or a reference the caller owns.
#[no_mangle]
pub unsafe extern "C" fn SSL_free(s: *mut SSL) {
    // SAFETY: forwarded contract (the caller gives up one reference).
    unsafe { crate::handle::release(s) }
}

/// `SSL_set0_rbio`: takes the caller's reference.
///
/// # Safety
/// `s` is NULL or live; `b` is NULL or a BIO reference the caller gives away.
#[no_mangle]
pub unsafe extern "C" fn SSL_set0_rbio(s: *mut SSL, b: *mut BIO) {
    with_ssl(s, (), |st| {
        // SAFETY: per the contract, the caller hands over one reference of b.
        st.rbio = (!b.is_null()).then(|| unsafe { bio::adopt(b) });
        st.sync_bios();
    })
}

/// `SSL_set0_wbio`: takes the caller's reference.
///
/// # Safety
/// `s` is NULL or live; `b` is NULL or a BIO reference the caller gives away.
#[no_mangle]
pub unsafe extern "C" fn SSL_set0_wbio(s: *mut SSL, b: *mut BIO) {
    with_ssl(s, (), |st| {
        // SAFETY: per the contract, the caller hands over one reference of b.
        st.wbio = (!b.is_null()).then(|| unsafe { bio::adopt(b) });
        st.sync_bios();
    })
}

/// `SSL_get_rbio`: no reference is added.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_rbio(s: *const SSL) -> *mut BIO {
    with_ssl(s, std::ptr::null_mut(), |st| {
        st.rbio
            .as_ref()
            .map_or(std::ptr::null_mut(), |b| Arc::as_ptr(b).cast_mut())
    })
}

/// `SSL_get_wbio`: no reference is added.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_wbio(s: *const SSL) -> *mut BIO {
    with_ssl(s, std::ptr::null_mut(), |st| {
        st.wbio
            .as_ref()
            .map_or(std::ptr::null_mut(), |b| Arc::as_ptr(b).cast_mut())
    })
}

/// `SSL_set_bio`, with OpenSSL 3's reference rules (one reference when rbio == wbio; only
/// the changed side's reference when one side stays).
///
/// # Safety
/// `s` is NULL or live; the BIOs are NULL or references the caller gives away.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_bio(s: *mut SSL, rbio: *mut BIO, wbio: *mut BIO) {
    guard((), || {
        if s.is_null() {
            return;
        }
        // SAFETY: all pointers follow the function's contract, forwarded unchanged.
        unsafe {
            if !rbio.is_null() && rbio == wbio {
                bio::BIO_up_ref(rbio);
            }
            let cur_r = SSL_get_rbio(s);
            let cur_w = SSL_get_wbio(s);
            if rbio == cur_r {
                SSL_set0_wbio(s, wbio);
                return;
            }
            if wbio == cur_w && cur_r != cur_w {
                SSL_set0_rbio(s, rbio);
                return;
            }
            SSL_set0_rbio(s, rbio);
            SSL_set0_wbio(s, wbio);
        }
    })
}

/// `SSL_set_fd`: a socket BIO (not closing the fd) for both directions.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_fd(s: *mut SSL, fd: c_int) -> c_int {
    guard(0, || {
        if s.is_null() {
            null_param();
            return 0;
        }
        let b = bio::new_fd_bio(fd, 0);
        // SAFETY: s is live and b is a fresh reference handed over.
        unsafe { SSL_set_bio(s, b, b) };
        1
    })
}

/// `SSL_set_rfd` / `SSL_set_wfd`: gives one side a socket BIO for `fd`, sharing the other
/// side's BIO when it already wraps the same descriptor (as OpenSSL does).
///
/// # Safety
/// `s` is NULL or live.
unsafe fn set_side_fd(s: *mut SSL, fd: c_int, read_side: bool) -> c_int {
    guard(0, || {
        if s.is_null() {
            null_param();
            return 0;
        }
        // SAFETY: s is live (contract).
        let other = unsafe {
            if read_side {
                SSL_get_wbio(s)
            } else {
                SSL_get_rbio(s)
            }
        };
        // SAFETY: `other`, if not NULL, is a live BIO held by s.
        let bio = if !other.is_null() && unsafe { &*other }.fd() == Some(fd) {
            // SAFETY: share it: one new reference, handed over below.
            unsafe { bio::BIO_up_ref(other) };
            other
        } else {
            bio::new_fd_bio(fd, 0)
        };
        // SAFETY: s is live; `bio` carries one reference, which the SSL takes.
        unsafe {
            if read_side {
                SSL_set0_rbio(s, bio)
            } else {
                SSL_set0_wbio(s, bio)
            }
        };
        1
    })
}

/// `SSL_set_rfd`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_rfd(s: *mut SSL, fd: c_int) -> c_int {
    // SAFETY: same contract.
    unsafe { set_side_fd(s, fd, true) }
}

/// `SSL_set_wfd`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_wfd(s: *mut SSL, fd: c_int) -> c_int {
    // SAFETY: same contract.
    unsafe { set_side_fd(s, fd, false) }
}

/// `SSL_get_fd` (the read side's).
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_fd(s: *const SSL) -> c_int {
    with_ssl(s, -1, |st| {
        st.rbio.as_ref().and_then(|b| b.fd()).unwrap_or(-1)
    })
}

/// `SSL_set_connect_state`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_connect_state(s: *mut SSL) {
    with_ssl(s, (), |st| {
        st.side = Some(true);
        st.ssl.set_connect_state()
    })
}

/// `SSL_set_accept_state`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_accept_state(s: *mut SSL) {
    with_ssl(s, (), |st| {
        st.side = Some(false);
        st.ssl.set_accept_state()
    })
}

impl SslState {
    /// Runs an operation that drives the handshake when the connection is not established,
    /// as OpenSSL's state machine does on entry: the error queue is cleared first, and a
    /// failure during the handshake is remembered.
    fn entering<T>(&mut self, f: impl FnOnce(&mut Ssl) -> Result<T, Error>) -> Result<T, Error> {
        let in_init = !self.ssl.is_init_finished();
        if in_init && !self.handshake_failed {
            err::clear();
        }
        self.started = true;
        self.sessions.start(&mut self.ssl);
        let messages = self.ssl.handshake_messages_processed();
        let r = f(&mut self.ssl);
        if let Some(used) = self.sessions.finished(&self.ssl) {
            session_ctx::resumed_once(&self.session_ctx.lock(), &used);
        }
        // A post-handshake message (ticket, KeyUpdate) processed inside this call entered
        // OpenSSL's state machine, which clears the queue; this call's own errors are
        // pushed after.
        if self.ssl.handshake_messages_processed() != messages && !self.handshake_failed {
            err::clear();
        }
        if let Err(e) = &r {
            if e.code() == ErrorCode::SSL && !self.ssl.is_init_finished() {
                self.handshake_failed = true;
            }
        }
        r
    }
}

fn fail(e: &Error) {
    err::push_stack(&e.error_stack());
}

fn handshake_ret(r: Result<(), Error>) -> c_int {
    match r {
        Ok(()) => 1,
        Err(e) => {
            fail(&e);
            -1
        }
    }
}

/// `SSL_do_handshake`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_do_handshake(s: *mut SSL) -> c_int {
    with_ssl(s, -1, |st| {
        handshake_ret(st.entering(|ssl| ssl.do_handshake()))
    })
}

/// Sets the side when none is set (what `SSL_connect` / `SSL_accept`, and the early data
/// calls that run them, do; an earlier `SSL_set_*_state` stands).
fn take_side(st: &mut SslState, client: bool) {
    if st.side.is_none() {
        st.side = Some(client);
        if client {
            st.ssl.set_connect_state();
        } else {
            st.ssl.set_accept_state();
        }
    }
}

/// `SSL_connect` / `SSL_accept`: the handshake, as a client or a server when no side was
/// chosen yet (as OpenSSL: an earlier `SSL_set_*_state` stands).
fn handshake_as(s: *mut SSL, client: bool) -> c_int {
    with_ssl(s, -1, |st| {
        take_side(st, client);
        handshake_ret(st.entering(|ssl| ssl.do_handshake()))
    })
}

/// `SSL_connect`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_connect(s: *mut SSL) -> c_int {
    handshake_as(s, true)
}

/// `SSL_accept`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_accept(s: *mut SSL) -> c_int {
    handshake_as(s, false)
}

/// The common part of the read calls: Ok(bytes) or the failure already queued.
///
/// # Safety
/// `buf` holds `num` writable bytes.
unsafe fn read_common(
    st: &mut SslState,
    buf: *mut c_void,
    num: usize,
    peek: bool,
) -> Result<usize, c_int> {
    if buf.is_null() && num > 0 {
        null_param();
        return Err(-1);
    }
    let slice: &mut [u8] = if num == 0 {
        &mut []
    } else {
        // SAFETY: buf holds num writable bytes (caller's contract), checked non-NULL.
        unsafe { std::slice::from_raw_parts_mut(buf.cast::<u8>(), num) }
    };
    let established = st.ssl.is_init_finished();
    let r = st.entering(|ssl| {
        if peek {
            ssl.ssl_peek(slice)
        } else {
            ssl.ssl_read(slice)
        }
    });
    r.map_err(|e| {
        fail(&e);
        read_error_ret(&e, num, established)
    })
}

/// What `SSL_read` returns for a failure, as OpenSSL 3's `ssl3_read_bytes`: 0 for the
/// peer's close_notify, for an EOF without one (UNEXPECTED_EOF_WHILE_READING), for a fatal
/// alert received on an established connection (reasons 1000 + alert) and for a
/// zero-length read that did not block; -1 otherwise (also when the read ran a handshake
/// that failed).
fn read_error_ret(e: &Error, num: usize, established: bool) -> c_int {
    let reason = e.error_stack().reason().map(|r| r.0);
    match e.code() {
        ErrorCode::ZERO_RETURN => 0,
        ErrorCode::SYSCALL if num == 0 && reason.is_none() => 0,
        _ if reason == Some(294) => 0,
        ErrorCode::SSL if established && reason.is_some_and(|r| (1000..1256).contains(&r)) => 0,
        _ => -1,
    }
}

/// # Safety
/// `buf` holds `num` readable bytes.
unsafe fn write_common(st: &mut SslState, buf: *const c_void, num: usize) -> Result<usize, ()> {
    if buf.is_null() && num > 0 {
        null_param();
        return Err(());
    }
    let slice: &[u8] = if num == 0 {
        // Keep the caller's address: a retry is checked against it.
        if buf.is_null() {
            &[]
        } else {
            // SAFETY: a zero-length slice at a non-NULL address reads nothing.
            unsafe { std::slice::from_raw_parts(buf.cast::<u8>(), 0) }
        }
    } else {
        // SAFETY: buf holds num readable bytes (caller's contract), checked non-NULL.
        unsafe { std::slice::from_raw_parts(buf.cast::<u8>(), num) }
    };
    st.entering(|ssl| ssl.ssl_write(slice))
        .map_err(|e| fail(&e))
}

fn to_int(n: usize) -> c_int {
    c_int::try_from(n).unwrap_or(c_int::MAX)
}

/// `SSL_read` / `SSL_peek` with an int length: bytes read, 0 or -1.
///
/// # Safety
/// `s` is NULL or live; `buf` holds `num` writable bytes.
unsafe fn read_int(s: *mut SSL, buf: *mut c_void, num: c_int, peek: bool) -> c_int {
    with_ssl(s, -1, |st| {
        if num < 0 {
            err::push(LIB_SSL, SSL_R_BAD_LENGTH);
            return -1;
        }
        // SAFETY: forwarded caller contract.
        match unsafe { read_common(st, buf, num as usize, peek) } {
            Ok(n) => to_int(n),
            Err(r) => r,
        }
    })
}

/// `SSL_read`: bytes read, 0 or -1 (see `SSL_get_error`).
///
/// # Safety
/// `s` is NULL or live; `buf` holds `num` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn SSL_read(s: *mut SSL, buf: *mut c_void, num: c_int) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { read_int(s, buf, num, false) }
}

/// `SSL_peek`.
///
/// # Safety
/// `s` is NULL or live; `buf` holds `num` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn SSL_peek(s: *mut SSL, buf: *mut c_void, num: c_int) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { read_int(s, buf, num, true) }
}

/// `SSL_read_ex`: 1 with `*readbytes` set, or 0.
///
/// # Safety
/// `s` is NULL or live; `buf` holds `num` writable bytes; `readbytes` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SSL_read_ex(
    s: *mut SSL,
    buf: *mut c_void,
    num: usize,
    readbytes: *mut usize,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { read_ex_common(s, buf, num, readbytes, false) }
}

/// Shared body of `SSL_read_ex` and `SSL_peek_ex`: 1 with `*readbytes` set, or 0.
///
/// # Safety
/// As [`SSL_read_ex`].
unsafe fn read_ex_common(
    s: *mut SSL,
    buf: *mut c_void,
    num: usize,
    readbytes: *mut usize,
    peek: bool,
) -> c_int {
    with_ssl(s, 0, |st| {
        // SAFETY: forwarded caller contract.
        match unsafe { read_common(st, buf, num, peek) } {
            Ok(n) if n > 0 => {
                if !readbytes.is_null() {
                    // SAFETY: readbytes is writable (caller's contract).
                    unsafe { *readbytes = n };
                }
                1
            }
            _ => 0,
        }
    })
}

/// `SSL_peek_ex`.
///
/// # Safety
/// As [`SSL_read_ex`].
#[no_mangle]
pub unsafe extern "C" fn SSL_peek_ex(
    s: *mut SSL,
    buf: *mut c_void,
    num: usize,
    readbytes: *mut usize,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { read_ex_common(s, buf, num, readbytes, true) }
}

/// `SSL_write`: `num` (or with partial writes the bytes written), 0 or -1.
///
/// # Safety
/// `s` is NULL or live; `buf` holds `num` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn SSL_write(s: *mut SSL, buf: *const c_void, num: c_int) -> c_int {
    with_ssl(s, -1, |st| {
        if num < 0 {
            err::push(LIB_SSL, SSL_R_BAD_LENGTH);
            return -1;
        }
        // SAFETY: forwarded caller contract.
        match unsafe { write_common(st, buf, num as usize) } {
            Ok(n) => to_int(n),
            Err(()) => -1,
        }
    })
}

/// `SSL_write_ex`: 1 with `*written` set, or 0 leaving `*written` untouched.
///
/// # Safety
/// `s` is NULL or live; `buf` holds `num` readable bytes; `written` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SSL_write_ex(
    s: *mut SSL,
    buf: *const c_void,
    num: usize,
    written: *mut usize,
) -> c_int {
    with_ssl(s, 0, |st| {
        // SAFETY: forwarded caller contract.
        match unsafe { write_common(st, buf, num) } {
            Ok(n) => {
                if !written.is_null() {
                    // SAFETY: written is writable (caller's contract).
                    unsafe { *written = n };
                }
                1
            }
            Err(()) => 0,
        }
    })
}

/// `SSL_pending`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_pending(s: *const SSL) -> c_int {
    with_ssl(s, 0, |st| to_int(st.ssl.pending()))
}

/// `SSL_has_pending`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_has_pending(s: *const SSL) -> c_int {
    with_ssl(s, 0, |st| st.ssl.has_pending() as c_int)
}

/// `SSL_shutdown`: 0 after sending close_notify, 1 when both are done, -1 on failure.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_shutdown(s: *mut SSL) -> c_int {
    with_ssl(s, -1, |st| match st.ssl.shutdown() {
        Ok(ShutdownResult::Sent) => 0,
        Ok(ShutdownResult::Received) => 1,
        Err(e) => {
            fail(&e);
            -1
        }
    })
}

/// `SSL_get_shutdown`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_shutdown(s: *const SSL) -> c_int {
    with_ssl(s, 0, |st| st.ssl.get_shutdown().bits())
}

/// `SSL_set_shutdown`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_shutdown(s: *mut SSL, mode: c_int) {
    with_ssl(s, (), |st| {
        st.ssl
            .set_shutdown(ShutdownState::from_bits_retain(mode & 3))
    })
}

/// `SSL_get_error`, in OpenSSL's order: success, the error queue, the last operation's
/// retry reason, the peer's close_notify, else SSL_ERROR_SYSCALL.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_error(s: *const SSL, ret: c_int) -> c_int {
    with_ssl(s, ErrorCode::SSL.as_raw(), |st| {
        if ret > 0 {
            return ErrorCode::NONE.as_raw();
        }
        match err::peek_first_is_sys() {
            Some(true) => return ErrorCode::SYSCALL.as_raw(),
            Some(false) => return ErrorCode::SSL.as_raw(),
            None => {}
        }
        let code = st.ssl.last_error_code();
        match code {
            ErrorCode::WANT_READ
            | ErrorCode::WANT_WRITE
            | ErrorCode::WANT_CONNECT
            | ErrorCode::WANT_ACCEPT
            | ErrorCode::WANT_X509_LOOKUP
            | ErrorCode::WANT_CLIENT_HELLO_CB
            | ErrorCode::ZERO_RETURN => code.as_raw(),
            _ if st.ssl.get_shutdown().contains(ShutdownState::RECEIVED) => {
                ErrorCode::ZERO_RETURN.as_raw()
            }
            _ => ErrorCode::SYSCALL.as_raw(),
        }
    })
}

/// `SSL_ctrl`: modes, read-ahead, send fragment sizes, SNI host name.
///
/// # Safety
/// `s` is NULL or live; `parg` as the control requires.
#[no_mangle]
pub unsafe extern "C" fn SSL_ctrl(
    s: *mut SSL,
    cmd: c_int,
    larg: c_long,
    parg: *mut c_void,
) -> c_long {
    if cmd == callbacks::SSL_CTRL_SET_MSG_CALLBACK_ARG {
        // SAFETY: s is NULL or live (contract).
        return unsafe { callbacks::set_msg_arg(s, parg) };
    }
    with_ssl(s, 0, |st| match cmd {
        SSL_CTRL_MODE => st
            .ssl
            .set_mode(SslMode::from_bits_retain(larg as u64))
            .bits() as c_long,
        SSL_CTRL_CLEAR_MODE => st
            .ssl
            .clear_mode(SslMode::from_bits_retain(larg as u64))
            .bits() as c_long,
        SSL_CTRL_SET_MAX_SEND_FRAGMENT => {
            st.ssl.set_max_send_fragment(larg.max(0) as usize).is_ok() as c_long
        }
        SSL_CTRL_SET_SPLIT_SEND_FRAGMENT => {
            st.ssl.set_split_send_fragment(larg.max(0) as usize).is_ok() as c_long
        }
        SSL_CTRL_SET_READ_AHEAD => {
            let old = st.read_ahead;
            st.read_ahead = larg != 0;
            st.ssl.set_read_ahead(larg != 0);
            old as c_long
        }
        SSL_CTRL_GET_READ_AHEAD => st.read_ahead as c_long,
        SSL_CTRL_SET_GROUPS_LIST | SSL_CTRL_SET_SIGALGS_LIST => {
            let Some(list) = cstr(parg.cast_const().cast()) else {
                null_param();
                return 0;
            };
            let r = if cmd == SSL_CTRL_SET_GROUPS_LIST {
                st.ssl.set_groups_list(&list)
            } else {
                st.ssl.set_sigalgs_list(&list)
            };
            c_long::from(r.is_ok())
        }
        SSL_CTRL_SET_TLSEXT_HOSTNAME => {
            if larg != 0 {
                err::push(LIB_SSL, SSL_R_SSL3_EXT_INVALID_SERVERNAME_TYPE);
                return 0;
            }
            let Some(name) = cstr(parg.cast_const().cast()) else {
                // NULL clears the name in OpenSSL; oxssl cannot clear one once set, so
                // that case fails (0) instead of pretending.
                return (!st.sni_set) as c_long;
            };
            if name.is_empty() || name.len() > 255 {
                err::push(LIB_SSL, SSL_R_SSL3_EXT_INVALID_SERVERNAME);
                return 0;
            }
            let r = st.ssl.set_hostname(&name);
            st.sni_set |= r.is_ok();
            one_or_queue(r) as c_long
        }
        _ => 0,
    })
}

/// `SSL_set_options`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_options(s: *mut SSL, op: u64) -> u64 {
    with_ssl(s, 0, |st| {
        st.ssl.set_options(SslOptions::from_bits_retain(op)).bits()
    })
}

/// `SSL_clear_options`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_clear_options(s: *mut SSL, op: u64) -> u64 {
    with_ssl(s, 0, |st| {
        st.ssl
            .clear_options(SslOptions::from_bits_retain(op))
            .bits()
    })
}

/// `SSL_get_options`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_options(s: *const SSL) -> u64 {
    with_ssl(s, 0, |st| st.ssl.options().bits())
}

/// `SSL_set1_host`: the name the peer certificate must match.
///
/// # Safety
/// `s` is NULL or live; `host` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn SSL_set1_host(s: *mut SSL, host: *const c_char) -> c_int {
    with_ssl(s, 0, |st| {
        st.ssl.set_verify_hostname(&cstr(host).unwrap_or_default());
        1
    })
}

/// `SSL_get_verify_result`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_verify_result(s: *const SSL) -> c_long {
    with_ssl(s, 0, |st| st.ssl.verify_result().as_raw() as c_long)
}

/// `SSL_get_version`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_version(s: *const SSL) -> *const c_char {
    with_ssl(s, std::ptr::null(), |st| match st.ssl.version_str() {
        "TLSv1.3" => c"TLSv1.3".as_ptr(),
        "TLSv1.2" => c"TLSv1.2".as_ptr(),
        _ => c"unknown".as_ptr(),
    })
}

/// `SSL_CIPHER`.
#[allow(non_camel_case_types)]
pub struct SSL_CIPHER {
    name: CString,
}

fn cipher(name: &'static str) -> *const SSL_CIPHER {
    static CIPHERS: Mutex<Option<HashMap<&'static str, &'static SSL_CIPHER>>> = Mutex::new(None);
    let mut g = CIPHERS.lock().unwrap_or_else(|p| p.into_inner());
    let map = g.get_or_insert_with(HashMap::new);
    *map.entry(name).or_insert_with(|| {
        Box::leak(Box::new(SSL_CIPHER {
            name: CString::new(name).unwrap_or_default(),
        }))
    })
}

/// `SSL_get_current_cipher`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_current_cipher(s: *const SSL) -> *const SSL_CIPHER {
    with_ssl(s, std::ptr::null(), |st| {
        st.ssl
            .current_cipher_name()
            .map_or(std::ptr::null(), cipher)
    })
}

/// `SSL_CIPHER_get_name`: "(NONE)" for NULL.
///
/// # Safety
/// `c` is NULL or from `SSL_get_current_cipher`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_name(c: *const SSL_CIPHER) -> *const c_char {
    guard(std::ptr::null(), || {
        if c.is_null() {
            return c"(NONE)".as_ptr();
        }
        // SAFETY: c is one of the leaked, never-freed SSL_CIPHER values.
        unsafe { &*c }.name.as_ptr()
    })
}

/// `SSL_CIPHER_get_bits`: the secret bits of the suite's cipher (also in `*alg_bits`);
/// 0 for NULL.
///
/// # Safety
/// `c` is NULL or from `SSL_get_current_cipher`; `alg_bits` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SSL_CIPHER_get_bits(c: *const SSL_CIPHER, alg_bits: *mut c_int) -> c_int {
    guard(0, || {
        // SAFETY: c is NULL or one of the leaked, never-freed SSL_CIPHER values.
        let Some(c) = (unsafe { c.as_ref() }) else {
            return 0;
        };
        let name = c.name.to_string_lossy();
        let bits = if name.contains("AES_128") || name.contains("AES128") {
            128
        } else {
            256
        };
        // SAFETY: alg_bits is NULL or writable (contract).
        if let Some(a) = unsafe { alg_bits.as_mut() } {
            *a = bits;
        }
        bits
    })
}

/// `SSL_key_update`: 1, or 0 with the reason queued.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_key_update(s: *mut SSL, updatetype: c_int) -> c_int {
    with_ssl(s, 0, |st| match st.ssl.key_update_raw(updatetype) {
        Ok(()) => 1,
        Err(e) => {
            fail(&e);
            0
        }
    })
}

/// `SSL_get_key_update_type`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_key_update_type(s: *const SSL) -> c_int {
    with_ssl(s, -1, |st| st.ssl.key_update_type_raw())
}

/// `SSL_renegotiate`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_renegotiate(s: *mut SSL) -> c_int {
    with_ssl(s, 0, |st| match st.ssl.renegotiate() {
        Ok(()) => 1,
        Err(e) => {
            fail(&e);
            0
        }
    })
}

/// `SSL_renegotiate_pending`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_renegotiate_pending(s: *const SSL) -> c_int {
    with_ssl(s, 0, |st| st.ssl.renegotiate_pending() as c_int)
}

/// `SSL_is_init_finished`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_is_init_finished(s: *const SSL) -> c_int {
    with_ssl(s, 0, |st| st.ssl.is_init_finished() as c_int)
}

/// `SSL_is_server`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_is_server(s: *const SSL) -> c_int {
    if let Some(server) = frames::is_server(s) {
        return c_int::from(server);
    }
    with_ssl(s, 0, |st| st.ssl.is_server() as c_int)
}

/// `SSL_CTX_set_default_verify_paths`: the system's trust anchors.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_default_verify_paths(ctx: *mut SSL_CTX) -> c_int {
    with_ctx(ctx, 0, |c| ctx_result(c, CtxOp::DefaultVerifyPaths))
}

/// `SSL_CTX_get_verify_mode`.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_verify_mode(ctx: *const SSL_CTX) -> c_int {
    with_ctx(ctx, 0, |c| c.verify_mode)
}

/// `SSL_set_verify`: the mode for this connection and, if not NULL, its verify callback
/// (NULL keeps the one it has, as OpenSSL does). Nothing for a NULL `SSL`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_verify(
    s: *mut SSL,
    mode: c_int,
    callback: Option<verify::VerifyCb>,
) {
    with_ssl_quiet(s, (), |st| {
        let m = SslVerifyMode::from_bits_retain(mode);
        match callback {
            Some(cb) => {
                st.verify_cb = Some(cb);
                st.ssl.set_verify_callback(m, verify::closure(cb));
            }
            None => st.ssl.set_verify(m),
        }
    })
}

/// `SSL_get_verify_mode`: 0 for a NULL `SSL`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_verify_mode(s: *const SSL) -> c_int {
    if let Some((mode, _, _)) = frames::verify_settings(s) {
        return mode;
    }
    with_ssl_quiet(s, 0, |st| st.ssl.verify_mode().bits())
}

/// Runs a list setter of this connection with a C string: 1, or 0 with the error queued.
fn set_list(
    s: *mut SSL,
    list: *const c_char,
    set: fn(&mut Ssl, &str) -> Result<(), ErrorStack>,
) -> c_int {
    with_ssl(s, 0, |st| {
        let Some(l) = cstr(list) else {
            null_param();
            return 0;
        };
        one_or_queue(set(&mut st.ssl, &l))
    })
}

/// `SSL_set_cipher_list` (this connection's TLS 1.2 suites).
///
/// # Safety
/// `s` is NULL or live; `list` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_cipher_list(s: *mut SSL, list: *const c_char) -> c_int {
    set_list(s, list, Ssl::set_cipher_list)
}

/// `SSL_set_ciphersuites` (this connection's TLS 1.3 suites).
///
/// # Safety
/// `s` is NULL or live; `list` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_ciphersuites(s: *mut SSL, list: *const c_char) -> c_int {
    set_list(s, list, Ssl::set_ciphersuites)
}

/// Stores `name` in `slot` unless it holds that name already, so that a pointer handed out
/// for the name stays valid while the name is the same (as OpenSSL's does). True if it
/// stored a new one.
fn keep_name(slot: &mut Option<Arc<CStr>>, name: Option<&str>) -> bool {
    if slot.as_deref().map(CStr::to_bytes) == name.map(str::as_bytes) {
        return false;
    }
    *slot = name.and_then(|n| CString::new(n).ok()).map(Arc::from);
    true
}

/// `SSL_get_servername`: the SNI host name sent (client) or received (server), or NULL
/// (valid while the connection's name stays the same).
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_servername(s: *const SSL, typ: c_int) -> *const c_char {
    if let Some(name) = frames::servername(s) {
        return if typ == 0 { name } else { std::ptr::null() };
    }
    // A NULL SSL gives NULL, with nothing queued, as in OpenSSL.
    with_ssl_quiet(s, std::ptr::null(), |st| {
        if typ != 0 {
            return std::ptr::null();
        }
        let name = st.ssl.servername(oxssl::ssl::NameType::HOST_NAME);
        let _ = keep_name(&mut st.servername, name);
        st.servername
            .as_ref()
            .map_or(std::ptr::null(), |c| c.as_ptr())
    })
}

/// `SSL_state_string_long`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_state_string_long(s: *const SSL) -> *const c_char {
    with_ssl(s, std::ptr::null(), |st| {
        crate::err::intern_str(st.ssl.state_string_long())
    })
}

/// `SSL_get_read_ahead`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_read_ahead(s: *const SSL) -> c_int {
    with_ssl(s, 0, |st| st.read_ahead as c_int)
}

/// `SSL_set_read_ahead`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_read_ahead(s: *mut SSL, yes: c_int) {
    with_ssl(s, (), |st| {
        st.read_ahead = yes != 0;
        st.ssl.set_read_ahead(yes != 0);
    })
}

/// `SSL_CTX_set_post_handshake_auth`: clients made from `ctx` offer TLS 1.3
/// post-handshake authentication.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_post_handshake_auth(ctx: *mut SSL_CTX, val: c_int) {
    with_ctx(ctx, (), |c| {
        let _ = c.run(CtxOp::PostHandshakeAuth(val != 0));
    })
}

/// `SSL_set_post_handshake_auth`.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_post_handshake_auth(s: *mut SSL, val: c_int) {
    with_ssl(s, (), |st| st.ssl.set_post_handshake_auth(val != 0))
}

/// `SSL_verify_client_post_handshake`: 1 (the CertificateRequest goes out with the next
/// read or write), or 0 with OpenSSL's reason queued (STILL_IN_INIT, WRONG_SSL_VERSION,
/// EXTENSION_NOT_RECEIVED).
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_verify_client_post_handshake(s: *mut SSL) -> c_int {
    with_ssl(s, 0, |st| {
        one_or_queue(st.ssl.verify_client_post_handshake())
    })
}
