//! Certificates and keys from `X509` / `EVP_PKEY` objects (`SSL_CTX_use_certificate`,
//! `SSL_CTX_add_extra_chain_cert`, `SSL_use_PrivateKey`, ...) and the peer's certificates
//! as objects (`SSL_get1_peer_certificate`, `SSL_get_peer_cert_chain`).

use std::ffi::{c_int, c_long};
use std::path::Path;
use std::sync::Arc;

use oxssl::ssl::{Ssl, SslFiletype};

use super::{ctx_result, null_param, with_ctx, with_ssl, CtxOp, CtxState, SSL, SSL_CTX};
use crate::err;
use crate::evp::EVP_PKEY;
use crate::handle;
use crate::stack::OPENSSL_STACK;
use crate::x509::X509;

pub(super) const SSL_CTRL_EXTRA_CHAIN_CERT: c_int = 14;
pub(super) const SSL_CTRL_CLEAR_EXTRA_CHAIN_CERTS: c_int = 83;

/// A context's certificate as objects: the end entity, the chain loaded with it
/// (`SSL_CTX_use_certificate_chain_file`) and the extra chain certificates, which are sent
/// when there is no such chain (as OpenSSL does).
#[derive(Default)]
pub(super) struct CtxCerts {
    leaf: Option<Arc<X509>>,
    chain: Vec<Arc<X509>>,
    extra: Vec<Arc<X509>>,
}

impl CtxCerts {
    pub(super) fn has_leaf(&self) -> bool {
        self.leaf.is_some()
    }

    /// What the handshake sends: end entity first.
    fn chain_der(&self) -> Option<Vec<Vec<u8>>> {
        let leaf = self.leaf.as_ref()?;
        let rest = if self.chain.is_empty() {
            &self.extra
        } else {
            &self.chain
        };
        Some(
            std::iter::once(leaf)
                .chain(rest)
                .map(|x| x.der().to_vec())
                .collect(),
        )
    }
}

/// Hands the context's chain to the library after a change; 1 or 0.
fn sync(c: &mut CtxState) -> c_int {
    match c.cert.chain_der() {
        Some(chain) => ctx_result(c, CtxOp::ChainDer(chain)),
        None => 1,
    }
}

/// Notes the certificates a file call loaded (the library has them already).
pub(super) fn file_loaded(c: &mut CtxState, path: &Path, t: SslFiletype, whole_chain: bool) {
    let ders: Vec<Vec<u8>> = match t {
        SslFiletype::PEM => oxssl::x509::certs_from_pem_file(path)
            .map(|v| v.into_iter().map(|d| d.as_ref().to_vec()).collect())
            .unwrap_or_default(),
        SslFiletype::ASN1 => std::fs::read(path).map(|d| vec![d]).unwrap_or_default(),
    };
    let mut certs = ders.into_iter().filter_map(X509::from_der);
    c.cert.leaf = certs.next();
    if whole_chain {
        c.cert.chain = certs.collect();
    }
    if !c.cert.extra.is_empty() || !c.cert.chain.is_empty() {
        sync(c);
    }
}

/// `SSL_CTX_add_extra_chain_cert` (`SSL_CTX_ctrl(ctx, SSL_CTRL_EXTRA_CHAIN_CERT, 0, x)`):
/// takes the caller's reference.
pub(super) fn add_extra_chain_cert(c: &mut CtxState, x: *mut X509) -> c_long {
    // SAFETY: the macro's contract: x is NULL or a reference handed over.
    let Some(x) = (unsafe { handle::adopt(x) }) else {
        null_param();
        return 0;
    };
    c.cert.extra.push(x);
    if c.cert.chain.is_empty() {
        sync(c);
    }
    1
}

/// `SSL_CTX_clear_extra_chain_certs`.
pub(super) fn clear_extra_chain_certs(c: &mut CtxState) -> c_long {
    c.cert.extra.clear();
    sync(c);
    1
}

/// The object behind a non-NULL argument, or PASSED_NULL_PARAMETER.
fn arg<T>(p: *const T) -> Option<Arc<T>> {
    // SAFETY: a non-NULL object argument is live (OpenSSL's contract).
    let a = unsafe { handle::share(p) };
    if a.is_none() {
        null_param();
    }
    a
}

/// `SSL_CTX_use_certificate`: the end-entity certificate (the caller keeps its reference).
///
/// # Safety
/// `ctx` and `x` are NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_certificate(ctx: *mut SSL_CTX, x: *mut X509) -> c_int {
    with_ctx(ctx, 0, |c| {
        let Some(x) = arg(x) else { return 0 };
        c.cert.leaf = Some(x);
        sync(c)
    })
}

/// `SSL_CTX_use_PrivateKey`.
///
/// # Safety
/// `ctx` and `pkey` are NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_PrivateKey(ctx: *mut SSL_CTX, pkey: *mut EVP_PKEY) -> c_int {
    with_ctx(ctx, 0, |c| {
        let Some(k) = arg(pkey) else { return 0 };
        ctx_result(c, CtxOp::KeyDer(k.der().to_vec()))
    })
}

/// `SSL_CTX_get0_certificate`: the end-entity certificate, no reference added.
///
/// # Safety
/// `ctx` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get0_certificate(ctx: *const SSL_CTX) -> *mut X509 {
    with_ctx(ctx, std::ptr::null_mut(), |c| {
        c.cert
            .leaf
            .as_ref()
            .map_or(std::ptr::null_mut(), |x| Arc::as_ptr(x).cast_mut())
    })
}

fn ssl_result(r: Result<(), oxssl::ssl::ErrorStack>) -> c_int {
    match r {
        Ok(()) => 1,
        Err(e) => {
            err::push_stack(&e);
            0
        }
    }
}

/// `SSL_use_certificate`: this connection's end-entity certificate (sent with the
/// context's extra chain certificates).
///
/// # Safety
/// `s` and `x` are NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_use_certificate(s: *mut SSL, x: *mut X509) -> c_int {
    with_ssl(s, 0, |st| {
        let Some(x) = arg(x) else { return 0 };
        let extra: Vec<Vec<u8>> = st
            .ctx
            .lock()
            .cert
            .extra
            .iter()
            .map(|e| e.der().to_vec())
            .collect();
        let chain = std::iter::once(x.der().to_vec()).chain(extra).collect();
        ssl_result(st.ssl.set_certificate_chain_der(chain))
    })
}

/// `SSL_use_PrivateKey`.
///
/// # Safety
/// `s` and `pkey` are NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_use_PrivateKey(s: *mut SSL, pkey: *mut EVP_PKEY) -> c_int {
    with_ssl(s, 0, |st| {
        let Some(k) = arg(pkey) else { return 0 };
        ssl_result(st.ssl.set_private_key_der(k.der()))
    })
}

/// The peer's certificates as objects, rebuilt when the library's chain changes
/// (a renegotiation), so pointers handed out stay valid until then.
#[derive(Default)]
pub(super) struct PeerCerts {
    der: Vec<Vec<u8>>,
    certs: Vec<Arc<X509>>,
    /// `SSL_get_peer_cert_chain`'s stack (without the end entity on a server, as OpenSSL).
    stack: Option<Box<OPENSSL_STACK>>,
}

impl PeerCerts {
    fn refresh(&mut self, ssl: &Ssl) {
        let der = ssl.peer_cert_chain_der();
        if der == self.der {
            return;
        }
        self.certs = der
            .iter()
            .filter_map(|d| X509::from_der(d.clone()))
            .collect();
        self.der = der;
        let skip = usize::from(ssl.is_server());
        self.stack = (!self.certs.is_empty()).then(|| {
            Box::new(OPENSSL_STACK {
                items: self
                    .certs
                    .iter()
                    .skip(skip)
                    .map(|x| Arc::as_ptr(x).cast_mut().cast())
                    .collect(),
            })
        });
    }
}

fn peer_leaf(s: *const SSL, add_ref: bool) -> *mut X509 {
    with_ssl(s, std::ptr::null_mut(), |st| {
        st.peer.refresh(&st.ssl);
        match st.peer.certs.first() {
            Some(x) if add_ref => handle::into_raw(x.clone()),
            Some(x) => Arc::as_ptr(x).cast_mut(),
            None => std::ptr::null_mut(),
        }
    })
}

/// `SSL_get1_peer_certificate` (and the `SSL_get_peer_certificate` macro): the peer's
/// certificate with a new reference, or NULL.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get1_peer_certificate(s: *const SSL) -> *mut X509 {
    peer_leaf(s, true)
}

/// `SSL_get0_peer_certificate`: no reference added.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_peer_certificate(s: *const SSL) -> *mut X509 {
    peer_leaf(s, false)
}

/// `SSL_get_peer_cert_chain`: owned by the connection; on a server it does not hold the
/// client's end-entity certificate (OpenSSL's rule). NULL when the peer sent none.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_peer_cert_chain(s: *const SSL) -> *mut OPENSSL_STACK {
    with_ssl(s, std::ptr::null_mut(), |st| {
        st.peer.refresh(&st.ssl);
        st.peer
            .stack
            .as_mut()
            .map_or(std::ptr::null_mut(), |b| std::ptr::from_mut(b.as_mut()))
    })
}
