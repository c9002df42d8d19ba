//! The callbacks the library runs inside a call, driven through the C ABI: a callback's
//! calls on its own `SSL` answer from the call's frame or return their failure value at
//! once; none waits for the lock its own thread holds.

use std::ffi::{c_int, c_void, CStr};
use std::sync::Mutex;

use super::*;
use crate::bio::BIO_new_bio_pair;
use crate::store_ctx::{X509_STORE_CTX_get_ex_data, X509_STORE_CTX};

static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn seen(line: String) {
    SEEN.lock().unwrap_or_else(|p| p.into_inner()).push(line);
}

unsafe extern "C" fn verify_cb(ok: c_int, x: *mut X509_STORE_CTX) -> c_int {
    // SAFETY: x is the context the library gives this callback; s is the connection's
    // live SSL it holds (the functions called here take NULL too).
    unsafe {
        let idx = verify::SSL_get_ex_data_X509_STORE_CTX_idx();
        let s: *mut SSL = X509_STORE_CTX_get_ex_data(x, idx).cast();
        seen(format!(
            "verify ok={ok} server={} ctx={} version={} pending={}",
            SSL_is_server(s),
            !ex::SSL_get_SSL_CTX(s).is_null(),
            // Not answered from the frame: the failure value, at once.
            SSL_get_version(s).is_null(),
            SSL_pending(s),
        ));
    }
    ok
}

unsafe extern "C" fn sni_cb(s: *mut SSL, _al: *mut c_int, arg: *mut c_void) -> c_int {
    // SAFETY: s is the live SSL the library gives this callback; arg is the live
    // SSL_CTX the test set as the callback's argument.
    unsafe {
        let name = SSL_get_servername(s, 0);
        let name = (!name.is_null()).then(|| CStr::from_ptr(name).to_string_lossy());
        let new = servername::SSL_set_SSL_CTX(s, arg.cast());
        seen(format!(
            "sni name={name:?} switched={} now={} cipher={}",
            new == arg.cast(),
            ex::SSL_get_SSL_CTX(s) == arg.cast(),
            SSL_get_current_cipher(s).is_null(),
        ));
    }
    0
}

#[test]
fn callbacks_call_back_on_their_own_ssl() {
    let dir = std::env::temp_dir().join(format!("oxssl-capi-unit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    let c_path = |p: &std::path::Path| std::ffi::CString::new(p.to_str().unwrap()).unwrap();
    let (cert_c, key_c) = (c_path(&cert), c_path(&key));
    // SAFETY: every pointer passed is NULL or an object made here and alive until freed
    // at the end; the callbacks follow OpenSSL's signatures.
    unsafe {
        let sctx = SSL_CTX_new(TLS_server_method());
        let other = SSL_CTX_new(TLS_server_method());
        for ctx in [sctx, other] {
            assert_eq!(SSL_CTX_use_certificate_chain_file(ctx, cert_c.as_ptr()), 1);
            assert_eq!(SSL_CTX_use_PrivateKey_file(ctx, key_c.as_ptr(), 1), 1);
        }
        let cb: servername::GenericCb = std::mem::transmute::<
            unsafe extern "C" fn(*mut SSL, *mut c_int, *mut c_void) -> c_int,
            servername::GenericCb,
        >(sni_cb);
        assert_eq!(servername::SSL_CTX_callback_ctrl(sctx, 53, Some(cb)), 1);
        assert_eq!(SSL_CTX_ctrl(sctx, 54, 0, other.cast()), 1);
        let cctx = SSL_CTX_new(TLS_client_method());
        assert_eq!(
            SSL_CTX_load_verify_locations(cctx, cert_c.as_ptr(), std::ptr::null()),
            1
        );
        SSL_CTX_set_verify(cctx, 1, Some(verify_cb));
        let (mut b1, mut b2) = (std::ptr::null_mut(), std::ptr::null_mut());
        assert_eq!(BIO_new_bio_pair(&mut b1, 0, &mut b2, 0), 1);
        let (c, s) = (SSL_new(cctx), SSL_new(sctx));
        SSL_set_bio(c, b1, b1);
        SSL_set_bio(s, b2, b2);
        SSL_set_connect_state(c);
        SSL_set_accept_state(s);
        assert_eq!(
            SSL_ctrl(c, 55, 0, c"localhost".as_ptr().cast_mut().cast()),
            1
        );
        let (mut rc, mut rs) = (0, 0);
        for _ in 0..20 {
            if rc != 1 {
                rc = SSL_do_handshake(c);
            }
            if rs != 1 {
                rs = SSL_do_handshake(s);
            }
        }
        assert_eq!((rc, rs), (1, 1));
        // The switch holds after the call; the SSL holds a reference to its new context.
        assert_eq!(ex::SSL_get_SSL_CTX(s), other);
        SSL_CTX_free(other);
        assert_eq!(SSL_write(c, c"ping".as_ptr().cast(), 4), 4);
        let mut buf = [0u8; 4];
        assert_eq!(SSL_read(s, buf.as_mut_ptr().cast(), 4), 4);
        SSL_free(c);
        SSL_free(s);
        SSL_CTX_free(cctx);
        SSL_CTX_free(sctx);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let seen = SEEN.lock().unwrap_or_else(|p| p.into_inner()).clone();
    assert_eq!(
        seen,
        [
            "sni name=Some(\"localhost\") switched=true now=true cipher=true",
            "verify ok=1 server=0 ctx=true version=true pending=0",
        ]
    );
}
