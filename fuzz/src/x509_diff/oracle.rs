//! One case through OpenSSL 3.6 (`X509_verify_cert`, vendored by `openssl-sys`) and
//! through oxssl's verification (the `verify_chain_with_callback` hook), with the same
//! store, purpose, host or IP, time, depth, security level 2 and verify callback; each
//! records the callback's calls.

use std::cell::RefCell;
use std::os::raw::c_int;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openssl::stack::Stack;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::verify::X509VerifyParam;
use openssl::x509::{X509PurposeId, X509StoreContext, X509VerifyResult, X509};
use oxssl::x509::{CertificateDer, TrustStore, UnixTime, VerifyCode};

use super::build::Built;
use super::gen::{Spec, NOW};

/// What the verify callback does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// No callback installed (oxssl's fast path; OpenSSL's default callback).
    NoCallback,
    /// Returns preverify_ok.
    Default,
    /// Returns 1 always.
    AcceptAll,
    /// Returns 0 always, even for a certificate that passed.
    RefuseAll,
    /// Lets failures with this code through; `clear` also calls `set_error(OK)`.
    Forgive {
        /// The code forgiven.
        code: i32,
        /// Whether the error is cleared.
        clear: bool,
    },
    /// Lets every failure at this depth through.
    ForgiveDepth {
        /// The depth forgiven.
        depth: u32,
        /// Whether the error is cleared.
        clear: bool,
    },
}

impl Policy {
    /// The callback's answer to a call: (return value, clear the error first).
    pub fn decide(self, ok: bool, depth: u32, error: i32) -> (bool, bool) {
        match self {
            Policy::AcceptAll => (true, false),
            Policy::RefuseAll => (false, false),
            Policy::Forgive { code, clear } if !ok && error == code => (true, clear),
            Policy::ForgiveDepth { depth: d, clear } if !ok && depth == d => (true, clear),
            _ => (ok, false),
        }
    }

    /// Whether the callback can let a failure through.
    pub fn forgives(self) -> bool {
        matches!(
            self,
            Policy::AcceptAll | Policy::Forgive { .. } | Policy::ForgiveDepth { .. }
        )
    }

    /// The policy's kind, without its parameters (for categories).
    pub fn kind(self) -> &'static str {
        match self {
            Policy::NoCallback => "no-callback",
            Policy::Default => "default",
            Policy::AcceptAll => "accept-all",
            Policy::RefuseAll => "refuse-all",
            Policy::Forgive { clear: false, .. } => "forgive-code",
            Policy::Forgive { clear: true, .. } => "forgive-code+clear",
            Policy::ForgiveDepth { clear: false, .. } => "forgive-depth",
            Policy::ForgiveDepth { clear: true, .. } => "forgive-depth+clear",
        }
    }
}

/// One callback call: preverify_ok, depth, error, the current certificate and the chain
/// the context shows (DER).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// preverify_ok.
    pub ok: bool,
    /// `X509_STORE_CTX_get_error_depth`.
    pub depth: u32,
    /// `X509_STORE_CTX_get_error`.
    pub error: i32,
    /// `X509_STORE_CTX_get_current_cert`.
    pub cert: Vec<u8>,
    /// `X509_STORE_CTX_get0_chain`.
    pub chain: Vec<Vec<u8>>,
}

/// A callback call as recorded from either library's store context (the two have the
/// same accessor names); `$cert` and `$chain` turn its certificates into DER.
macro_rules! seen {
    ($ok:expr, $ctx:expr, $der:expr) => {{
        let ctx = $ctx;
        Call {
            ok: $ok,
            depth: ctx.error_depth(),
            error: ctx.error().as_raw(),
            cert: ctx.current_cert().and_then($der).unwrap_or_default(),
            chain: ctx.chain().into_iter().flatten().filter_map($der).collect(),
        }
    }};
}

/// A verification's result and the calls its callback saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// `X509_verify_cert` returned 1.
    pub ok: bool,
    /// The final error (what `SSL_get_verify_result` gives).
    pub code: i32,
    /// The error depth of a failure (0 when it passed: OpenSSL's depth is then the last
    /// certificate reported, not the forgiven failure's).
    pub depth: u32,
    /// The callback's calls.
    pub calls: Vec<Call>,
}

/// Both libraries' verdicts under one policy.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The callback policy.
    pub policy: Policy,
    /// OpenSSL 3.6.
    pub openssl: Verdict,
    /// oxssl.
    pub oxssl: Verdict,
}

// ---------------------------------------------------------------------------------------
// OpenSSL

mod ffi {
    use std::os::raw::c_int;

    use openssl_sys::X509_STORE_CTX;

    /// `X509_STORE_CTX_verify_cb`.
    pub type VerifyCb = unsafe extern "C" fn(c_int, *mut X509_STORE_CTX) -> c_int;

    extern "C" {
        // In libcrypto (OpenSSL 3); openssl-sys does not declare it.
        fn X509_STORE_CTX_set_verify_cb(ctx: *mut X509_STORE_CTX, cb: Option<VerifyCb>);
    }

    /// Installs `cb` on a live store context (the `openssl` crate has no safe wrapper).
    pub fn set_verify_cb(ctx: &mut openssl::x509::X509StoreContextRef, cb: VerifyCb) {
        use foreign_types::ForeignTypeRef;
        // SAFETY: `ctx` is a live, initialised X509_STORE_CTX borrowed mutably; the
        // callback is a plain function valid for the whole program.
        unsafe { X509_STORE_CTX_set_verify_cb(ctx.as_ptr(), Some(cb)) }
    }

    /// The safe view of the context OpenSSL passes to the callback.
    ///
    /// # Safety
    /// `ctx` must be the live X509_STORE_CTX of a verification in progress on this thread.
    pub unsafe fn context<'a>(
        ctx: *mut X509_STORE_CTX,
    ) -> &'a mut openssl::x509::X509StoreContextRef {
        use foreign_types::ForeignTypeRef;
        // SAFETY: as the caller promises.
        unsafe { openssl::x509::X509StoreContextRef::from_ptr_mut(ctx) }
    }
}

thread_local! {
    /// The policy and calls of the OpenSSL verification running on this thread.
    static RECORDING: RefCell<(Policy, Vec<Call>)> = const { RefCell::new((Policy::Default, Vec::new())) };
}

unsafe extern "C" fn record(ok: c_int, ctx: *mut openssl_sys::X509_STORE_CTX) -> c_int {
    // SAFETY: OpenSSL calls the verify callback with the context of the X509_verify_cert
    // call in progress (on this thread).
    let ctx = unsafe { ffi::context(ctx) };
    let call = seen!(ok != 0, &*ctx, |c: &openssl::x509::X509Ref| c.to_der().ok());
    let (ret, clear) = RECORDING.with(|r| {
        let mut r = r.borrow_mut();
        let answer = r.0.decide(call.ok, call.depth, call.error);
        r.1.push(call);
        answer
    });
    if clear {
        ctx.set_error(X509VerifyResult::OK);
    }
    c_int::from(ret)
}

/// The case as OpenSSL objects, made once for every policy.
pub struct OpensslCase {
    store: X509Store,
    leaf: X509,
    untrusted: Stack<X509>,
}

impl OpensslCase {
    /// Store with the case's anchors and verification parameters; leaf and untrusted
    /// certificates.
    pub fn new(spec: &Spec, built: &Built) -> OpensslCase {
        let mut b = X509StoreBuilder::new().expect("store");
        for a in &built.anchors {
            // A duplicate is refused, as by any X509_STORE: ignore.
            let _ = b.add_cert(X509::from_der(a.as_ref()).expect("anchor"));
        }
        let mut param = X509VerifyParam::new().expect("param");
        let purpose = if spec.client_auth {
            X509PurposeId::SSL_CLIENT
        } else {
            X509PurposeId::SSL_SERVER
        };
        param.set_purpose(purpose).expect("purpose");
        param.set_time(NOW as _);
        param.set_auth_level(2);
        if let Some(d) = spec.depth {
            param.set_depth(d as c_int);
        }
        match spec
            .host
            .as_deref()
            .map(|h| (h, h.parse::<std::net::IpAddr>()))
        {
            Some((_, Ok(ip))) => param.set_ip(ip).expect("ip"),
            Some((h, Err(_))) => param.set_host(h).expect("host"),
            None => {}
        }
        b.set_param(&param).expect("param");
        let mut untrusted = Stack::new().expect("stack");
        for c in &built.chain[1..] {
            untrusted
                .push(X509::from_der(c.as_ref()).expect("cert"))
                .expect("push");
        }
        OpensslCase {
            store: b.build(),
            leaf: X509::from_der(built.chain[0].as_ref()).expect("leaf"),
            untrusted,
        }
    }

    /// `X509_verify_cert` under `policy`.
    pub fn verify(&self, policy: Policy) -> Verdict {
        RECORDING.with(|r| *r.borrow_mut() = (policy, Vec::new()));
        let mut ctx = X509StoreContext::new().expect("ctx");
        let (ok, code, depth) = ctx
            .init(&self.store, &self.leaf, &self.untrusted, |ctx| {
                if policy != Policy::NoCallback {
                    ffi::set_verify_cb(ctx, record);
                }
                let ok = ctx.verify_cert()?;
                Ok((ok, ctx.error().as_raw(), ctx.error_depth()))
            })
            .expect("X509_verify_cert");
        let calls = RECORDING.with(|r| std::mem::take(&mut r.borrow_mut().1));
        Verdict {
            ok,
            code,
            depth: if ok { 0 } else { depth },
            calls,
        }
    }
}

// ---------------------------------------------------------------------------------------
// oxssl

/// The case as oxssl objects.
pub struct OxsslCase<'s> {
    spec: &'s Spec,
    store: TrustStore,
    chain: Vec<CertificateDer<'static>>,
}

impl<'s> OxsslCase<'s> {
    /// The store with the case's anchors, and the presented chain.
    pub fn new(spec: &'s Spec, built: &Built) -> OxsslCase<'s> {
        let mut store = TrustStore::new();
        for a in &built.anchors {
            // One it refuses shows as a different verdict.
            let _ = store.add_der(a.as_ref());
        }
        OxsslCase {
            spec,
            store,
            chain: built.chain.clone(),
        }
    }

    /// oxssl's verification under `policy`.
    pub fn verify(&self, policy: Policy) -> Verdict {
        // The callback type is 'static (it is stored in a configuration): the calls go
        // to a shared vector.
        let calls = Arc::new(Mutex::new(Vec::new()));
        let seen = calls.clone();
        let callback = move |ok: bool, ctx: &mut oxssl::x509::X509StoreContextRef| {
            let call = seen!(ok, &*ctx, |c: &oxssl::x509::X509| Some(c.as_der().to_vec()));
            let (ret, clear) = policy.decide(ok, call.depth, call.error);
            seen.lock().unwrap_or_else(|e| e.into_inner()).push(call);
            if clear {
                ctx.set_error(VerifyCode::OK);
            }
            ret
        };
        let result = oxssl::x509::verify_chain_with_callback(
            &self.store,
            &self.chain,
            self.spec.client_auth,
            self.spec.host.as_deref(),
            UnixTime::since_unix_epoch(Duration::from_secs(NOW)),
            self.spec.depth,
            (policy != Policy::NoCallback).then_some(&callback as &oxssl::x509::VerifyCallback),
        );
        let calls = std::mem::take(&mut *calls.lock().unwrap_or_else(|e| e.into_inner()));
        let (ok, code, depth) = match result {
            Ok(None) => (true, 0, 0),
            Ok(Some(e)) => (true, e.code.as_raw(), 0),
            Err(e) => (false, e.code.as_raw(), e.depth),
        };
        Verdict {
            ok,
            code,
            depth,
            calls,
        }
    }
}

/// Runs `spec` under every policy in both libraries. The "forgive a code" policies forgive
/// CERT_HAS_EXPIRED and the first error OpenSSL reports without a callback.
pub fn run(spec: &Spec, built: &Built) -> Vec<Outcome> {
    let ossl = OpensslCase::new(spec, built);
    let ox = OxsslCase::new(spec, built);
    let first = ossl.verify(Policy::NoCallback);
    let first_code = if first.code != 0 {
        first.code
    } else {
        VerifyCode::CERT_HAS_EXPIRED.as_raw()
    };
    let policies = [
        Policy::NoCallback,
        Policy::Default,
        Policy::AcceptAll,
        Policy::RefuseAll,
        Policy::Forgive {
            code: VerifyCode::CERT_HAS_EXPIRED.as_raw(),
            clear: spec.clear,
        },
        Policy::Forgive {
            code: first_code,
            clear: !spec.clear,
        },
        Policy::ForgiveDepth {
            depth: spec.forgive_depth,
            clear: spec.clear,
        },
    ];
    policies
        .into_iter()
        .map(|policy| Outcome {
            policy,
            openssl: if policy == Policy::NoCallback {
                first.clone()
            } else {
                ossl.verify(policy)
            },
            oxssl: ox.verify(policy),
        })
        .collect()
}
