//! `X509_STORE_CTX`: what a verify callback (`SSL_CTX_set_verify`) is given, the state of
//! the chain verification the library is running. An `X509_STORE_CTX *` lives for one
//! call of the callback; the certificates it hands out (`X509_STORE_CTX_get_current_cert`,
//! `_get0_chain`) are owned by it, `_get1_chain` gives the caller references.

use std::cell::RefCell;
use std::ffi::{c_int, c_void};
use std::sync::Arc;

use oxssl::x509::{VerifyCode, X509StoreContextRef};

use crate::handle;
use crate::stack::OPENSSL_STACK;
use crate::x509::X509;

/// The chain as `X509` objects and the stack `X509_STORE_CTX_get0_chain` returns.
type Chain = (Vec<Arc<X509>>, Box<OPENSSL_STACK>);

/// `X509_STORE_CTX`.
#[allow(non_camel_case_types)]
pub struct X509_STORE_CTX {
    /// The library's verification state, borrowed for the callback's call.
    inner: *mut X509StoreContextRef,
    /// `X509_STORE_CTX_get_ex_data(ctx, SSL_get_ex_data_X509_STORE_CTX_idx())`.
    ssl: *mut c_void,
    ssl_idx: c_int,
    /// The chain as `X509` objects (made on first use) and the stack of them.
    chain: RefCell<Option<Chain>>,
}

impl X509_STORE_CTX {
    /// A context over `inner` for one callback call; `ssl` is the connection's `SSL *`,
    /// found at index `ssl_idx`.
    pub(crate) fn new(inner: &mut X509StoreContextRef, ssl: *mut c_void, ssl_idx: c_int) -> Self {
        X509_STORE_CTX {
            inner,
            ssl,
            ssl_idx,
            chain: RefCell::new(None),
        }
    }

    fn inner(&self) -> &X509StoreContextRef {
        // SAFETY: `inner` came from the `&mut` the library gave the callback, which is not
        // used while the C callback (the only caller of these functions) runs.
        unsafe { &*self.inner }
    }

    /// Runs `f` on the chain's objects, made on first use.
    fn with_chain<T>(&self, f: impl FnOnce(&[Arc<X509>], &mut OPENSSL_STACK) -> T) -> T {
        let mut g = self.chain.borrow_mut();
        let (certs, stack) = g.get_or_insert_with(|| {
            let certs: Vec<Arc<X509>> = self
                .inner()
                .chain()
                .unwrap_or_default()
                .iter()
                .filter_map(|x| X509::from_der(x.as_der().to_vec()))
                .collect();
            let items = certs
                .iter()
                .map(|x| Arc::as_ptr(x).cast_mut().cast())
                .collect();
            (certs, Box::new(OPENSSL_STACK { items }))
        });
        f(certs, stack)
    }
}

/// Runs `f` on a live context, or returns `fail` for NULL.
fn on<T>(ctx: *const X509_STORE_CTX, fail: T, f: impl FnOnce(&X509_STORE_CTX) -> T) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: a non-NULL X509_STORE_CTX * is the one given to the running callback.
        unsafe { handle::borrow(ctx) }.map(f)
    })) {
        Ok(Some(v)) => v,
        _ => fail,
    }
}

/// `X509_STORE_CTX_get_error`: the verification error so far (`X509_V_OK` if none).
///
/// # Safety
/// `ctx` is NULL or the context given to the running verify callback.
#[no_mangle]
pub unsafe extern "C" fn X509_STORE_CTX_get_error(ctx: *const X509_STORE_CTX) -> c_int {
    on(ctx, 0, |c| c.inner().error().0)
}

/// `X509_STORE_CTX_set_error`: replaces the error (`X509_V_OK` hides an accepted failure
/// from `SSL_get_verify_result`).
///
/// # Safety
/// `ctx` is NULL or the context given to the running verify callback.
#[no_mangle]
pub unsafe extern "C" fn X509_STORE_CTX_set_error(ctx: *mut X509_STORE_CTX, s: c_int) {
    on(ctx, (), |c| {
        // SAFETY: as in `inner`: the library's state is not in use while the callback runs.
        unsafe { &mut *c.inner }.set_error(VerifyCode(s));
    })
}

/// `X509_STORE_CTX_get_error_depth`: the depth of the certificate being reported (0: the
/// peer's own).
///
/// # Safety
/// `ctx` is NULL or the context given to the running verify callback.
#[no_mangle]
pub unsafe extern "C" fn X509_STORE_CTX_get_error_depth(ctx: *const X509_STORE_CTX) -> c_int {
    on(ctx, 0, |c| {
        c_int::try_from(c.inner().error_depth()).unwrap_or(c_int::MAX)
    })
}

/// `X509_STORE_CTX_get_current_cert`: the certificate being reported, owned by `ctx`
/// (valid during the callback), or NULL.
///
/// # Safety
/// `ctx` is NULL or the context given to the running verify callback.
#[no_mangle]
pub unsafe extern "C" fn X509_STORE_CTX_get_current_cert(ctx: *const X509_STORE_CTX) -> *mut X509 {
    on(ctx, std::ptr::null_mut(), |c| {
        let inner = c.inner();
        let Some(cur) = inner.current_cert() else {
            return std::ptr::null_mut();
        };
        let at = inner
            .chain()
            .unwrap_or_default()
            .iter()
            .position(|x| std::ptr::eq(x, cur));
        c.with_chain(|certs, _| {
            at.and_then(|i| certs.get(i))
                .map_or(std::ptr::null_mut(), |x| Arc::as_ptr(x).cast_mut())
        })
    })
}

/// `X509_STORE_CTX_get0_chain` (and the `X509_STORE_CTX_get_chain` macro): the chain
/// built so far, leaf first, owned by `ctx`.
///
/// # Safety
/// `ctx` is NULL or the context given to the running verify callback.
#[no_mangle]
pub unsafe extern "C" fn X509_STORE_CTX_get0_chain(
    ctx: *const X509_STORE_CTX,
) -> *mut OPENSSL_STACK {
    on(ctx, std::ptr::null_mut(), |c| {
        c.with_chain(|_, stack| std::ptr::from_mut(stack))
    })
}

/// `X509_STORE_CTX_get1_chain`: a new stack holding a reference to each certificate of
/// the chain (free it with `sk_X509_pop_free(chain, X509_free)`), or NULL.
///
/// # Safety
/// `ctx` is NULL or the context given to the running verify callback.
#[no_mangle]
pub unsafe extern "C" fn X509_STORE_CTX_get1_chain(
    ctx: *const X509_STORE_CTX,
) -> *mut OPENSSL_STACK {
    on(ctx, std::ptr::null_mut(), |c| {
        let items = c.with_chain(|certs, _| {
            certs
                .iter()
                .map(|x| handle::into_raw(x.clone()).cast())
                .collect()
        });
        Box::into_raw(Box::new(OPENSSL_STACK { items }))
    })
}

/// `X509_STORE_CTX_get_ex_data`: at `SSL_get_ex_data_X509_STORE_CTX_idx()`, the `SSL *`
/// whose peer is being verified; NULL at any other index.
///
/// # Safety
/// `ctx` is NULL or the context given to the running verify callback.
#[no_mangle]
pub unsafe extern "C" fn X509_STORE_CTX_get_ex_data(
    ctx: *const X509_STORE_CTX,
    idx: c_int,
) -> *mut c_void {
    on(ctx, std::ptr::null_mut(), |c| {
        if idx == c.ssl_idx {
            c.ssl
        } else {
            std::ptr::null_mut()
        }
    })
}
