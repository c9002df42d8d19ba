//! ALPN: the protocols a client offers (`SSL_CTX_set_alpn_protos`, `SSL_set_alpn_protos`,
//! which return 0 on success, as OpenSSL's do), a server's select callback
//! (`SSL_CTX_set_alpn_select_cb`) with `SSL_select_next_proto`, and the protocol
//! negotiated (`SSL_get0_alpn_selected`).

use std::collections::HashSet;
use std::ffi::{c_int, c_uchar, c_uint, c_void};
use std::sync::Mutex;

use oxssl::ssl::{AlpnError, SslContextBuilder};

use super::{frames, with_ctx, with_ssl, CtxOp, SSL, SSL_CTX};

const SSL_TLSEXT_ERR_OK: c_int = 0;
const SSL_TLSEXT_ERR_NOACK: c_int = 3;
const OPENSSL_NPN_NEGOTIATED: c_int = 1;
const OPENSSL_NPN_NO_OVERLAP: c_int = 2;

/// `SSL_CTX_alpn_select_cb_func`: `int (*)(SSL *, const unsigned char **out,
/// unsigned char *outlen, const unsigned char *in, unsigned int inlen, void *arg)`.
pub(super) type AlpnSelectCb = unsafe extern "C" fn(
    *mut SSL,
    *mut *const c_uchar,
    *mut c_uchar,
    *const c_uchar,
    c_uint,
    *mut c_void,
) -> c_int;

/// The protocols of a wire-format list as OpenSSL's `PACKET_get_length_prefixed_1` loop
/// reads them: in order, empty ones included, up to a malformed tail.
fn protocols(mut wire: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        let (&n, rest) = wire.split_first()?;
        let proto = rest.get(..usize::from(n))?;
        wire = &rest[usize::from(n)..];
        Some(proto)
    })
}

/// What the library answers with for the protocol a callback chose (a copy of what its
/// `out` pointed to): the same protocol in the client's list, or, for one the client did
/// not offer (OpenSSL sends it anyway), a copy kept for the life of the process (the
/// protocols an application names are few).
fn chosen<'a>(client: &'a [u8], out: &[u8]) -> &'a [u8] {
    if let Some(p) = protocols(client).find(|p| *p == out) {
        return p;
    }
    static KEPT: Mutex<Option<HashSet<&'static [u8]>>> = Mutex::new(None);
    let mut g = KEPT.lock().unwrap_or_else(|p| p.into_inner());
    let set = g.get_or_insert_with(HashSet::new);
    match set.get(out) {
        Some(p) => p,
        None => {
            let p: &'static [u8] = Box::leak(out.to_vec().into_boxed_slice());
            set.insert(p);
            p
        }
    }
}

/// Hands the ALPN select callback `cb` (with `arg`) to a context being built: it gets the
/// `SSL *` of the running call and the client's list; what its `out` points to (in that
/// list or in memory of its own) is copied when it returns. SSL_TLSEXT_ERR_OK selects it,
/// NOACK goes on without ALPN, anything else fails with no_application_protocol, as in
/// OpenSSL. A panic here is that failure too.
pub(super) fn install_select(b: &mut SslContextBuilder, cb: AlpnSelectCb, arg: usize) {
    b.set_alpn_select_callback(move |ssl, client| {
        let called = frames::call_with(ssl, |s| {
            let mut out: *const c_uchar = std::ptr::null();
            let mut outlen: c_uchar = 0;
            let inlen = c_uint::try_from(client.len()).unwrap_or(c_uint::MAX);
            // SAFETY: the application's callback with OpenSSL's arguments: the live SSL of
            // the running call, writable out-parameters, the client's list (alive during
            // the call), its own argument.
            let ret = unsafe {
                cb(
                    s.cast_mut(),
                    &mut out,
                    &mut outlen,
                    client.as_ptr(),
                    inlen,
                    arg as *mut c_void,
                )
            };
            let picked = if ret == SSL_TLSEXT_ERR_OK && !out.is_null() {
                // SAFETY: on success `out` points to `outlen` readable bytes (the
                // callback's contract), in the client's list or in memory that outlives
                // the call; they are copied before anything else runs.
                unsafe { std::slice::from_raw_parts(out, usize::from(outlen)) }.to_vec()
            } else {
                Vec::new()
            };
            (ret, picked)
        });
        match called {
            None => Err(AlpnError::NOACK),
            Some(Ok((SSL_TLSEXT_ERR_OK, picked))) => Ok(chosen(client, &picked)),
            Some(Ok((SSL_TLSEXT_ERR_NOACK, _))) => Err(AlpnError::NOACK),
            Some(_) => Err(AlpnError::ALERT_FATAL),
        }
    });
}

/// `SSL_CTX_set_alpn_select_cb`: a server's ALPN select callback (NULL: none; the server
/// then selects nothing, as OpenSSL's).
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_alpn_select_cb(
    ctx: *mut SSL_CTX,
    cb: Option<AlpnSelectCb>,
    arg: *mut c_void,
) {
    with_ctx(ctx, (), |c| {
        c.ops.retain(|op| !matches!(op, CtxOp::AlpnSelect(..)));
        c.built = None;
        if let Some(cb) = cb {
            let _ = c.run(CtxOp::AlpnSelect(cb, arg as usize));
        }
    })
}

/// `SSL_select_next_proto`, as OpenSSL 3.6's: the first protocol of `server`'s list (in
/// its order) that `client`'s list has: `*out` points to it in `server`,
/// OPENSSL_NPN_NEGOTIATED. With none in common: `*out` points to the client's first
/// protocol, OPENSSL_NPN_NO_OVERLAP; a client list that does not start with a valid
/// protocol gives NULL and 0, OPENSSL_NPN_NO_OVERLAP. Malformed tails are ignored.
///
/// # Safety
/// `out` and `outlen` are writable (NULL: nothing is written); `server` and `client` are
/// NULL or hold `server_len` / `client_len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn SSL_select_next_proto(
    out: *mut *mut c_uchar,
    outlen: *mut c_uchar,
    server: *const c_uchar,
    server_len: c_uint,
    client: *const c_uchar,
    client_len: c_uint,
) -> c_int {
    crate::guard(OPENSSL_NPN_NO_OVERLAP, || {
        let list = |p: *const c_uchar, n: c_uint| -> &[u8] {
            if p.is_null() {
                &[]
            } else {
                // SAFETY: p holds n readable bytes (the caller's contract).
                unsafe { std::slice::from_raw_parts(p, n as usize) }
            }
        };
        let (server, client) = (list(server, server_len), list(client, client_len));
        let set = |p: Option<&[u8]>| {
            // SAFETY: the out-parameters are writable or NULL (contract).
            unsafe {
                if let Some(o) = out.as_mut() {
                    *o = p.map_or(std::ptr::null_mut(), |p| p.as_ptr().cast_mut());
                }
                if let Some(l) = outlen.as_mut() {
                    *l = p.map_or(0, |p| p.len() as c_uchar);
                }
            }
        };
        let Some(first) = protocols(client).next().filter(|p| !p.is_empty()) else {
            set(None);
            return OPENSSL_NPN_NO_OVERLAP;
        };
        set(Some(first));
        for sp in protocols(server).filter(|p| !p.is_empty()) {
            if protocols(client).any(|cp| cp == sp) {
                set(Some(sp));
                return OPENSSL_NPN_NEGOTIATED;
            }
        }
        OPENSSL_NPN_NO_OVERLAP
    })
}

/// The wire-format list, or None when it is malformed (each name 1..=255 bytes, no tail).
fn wire(protos: *const c_uchar, len: c_uint) -> Option<Vec<u8>> {
    if protos.is_null() || len == 0 {
        return Some(Vec::new());
    }
    // SAFETY: protos holds len readable bytes (the caller's contract), checked non-NULL.
    let w = unsafe { std::slice::from_raw_parts(protos, len as usize) }.to_vec();
    let mut rest = w.as_slice();
    while let Some((&n, tail)) = rest.split_first() {
        if n == 0 || usize::from(n) > tail.len() {
            return None;
        }
        rest = &tail[usize::from(n)..];
    }
    Some(w)
}

/// `SSL_CTX_set_alpn_protos`: 0 on success, 1 on failure (a malformed list).
///
/// # Safety
/// `ctx` is NULL or live; `protos` is NULL or holds `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_alpn_protos(
    ctx: *mut SSL_CTX,
    protos: *const c_uchar,
    len: c_uint,
) -> c_int {
    with_ctx(ctx, 1, |c| match wire(protos, len) {
        Some(w) => c.run(CtxOp::Alpn(w)).is_err() as c_int,
        None => 1,
    })
}

/// `SSL_set_alpn_protos`: 0 on success, 1 on failure.
///
/// # Safety
/// `s` is NULL or live; `protos` is NULL or holds `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_alpn_protos(
    s: *mut SSL,
    protos: *const c_uchar,
    len: c_uint,
) -> c_int {
    with_ssl(s, 1, |st| match wire(protos, len) {
        Some(w) => st.ssl.set_alpn_protos(&w).is_err() as c_int,
        None => 1,
    })
}

/// `SSL_get0_alpn_selected`: the negotiated protocol (valid until the next call on `s`),
/// or NULL and 0.
///
/// # Safety
/// `s` is NULL or live; `data` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_alpn_selected(
    s: *const SSL,
    data: *mut *const c_uchar,
    len: *mut c_uint,
) {
    with_ssl(s, (), |st| {
        st.alpn = st.ssl.selected_alpn_protocol().map(<[u8]>::to_vec);
        let (p, n) = match &st.alpn {
            Some(a) if !a.is_empty() => (a.as_ptr(), a.len() as c_uint),
            _ => (std::ptr::null(), 0),
        };
        // SAFETY: the out-parameters are writable (contract) when not NULL.
        unsafe {
            if let Some(d) = data.as_mut() {
                *d = p;
            }
            if let Some(l) = len.as_mut() {
                *l = n;
            }
        }
    })
}
