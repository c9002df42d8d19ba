//! The verify callback and verify depth against OpenSSL 3.6 at the TLS level: the same
//! server chain verified by an OpenSSL client and an oxssl client, each with a callback
//! that records every call (preverify_ok, depth, error, current certificate); the calls,
//! the final `SSL_get_verify_result` and the handshake's outcome must match.

use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};

use super::*;

/// One recorded callback call: (preverify_ok, depth, error, DER of the current cert).
type Call = (bool, u32, i32, Vec<u8>);

/// What a callback does with a failure.
#[derive(Clone, Copy, Debug)]
enum Policy {
    /// Returns preverify_ok (what OpenSSL does without a callback).
    Default,
    /// Lets every failure through.
    AcceptAll,
    /// Lets only CERT_HAS_EXPIRED through, and hides it (set_error(OK)).
    ForgiveExpired,
    /// Refuses at the first call, even one that passed.
    RefuseAll,
}

fn decide(policy: Policy, ok: bool, error: i32) -> (bool, Option<i32>) {
    match policy {
        Policy::Default => (ok, None),
        Policy::AcceptAll => (true, None),
        Policy::ForgiveExpired if !ok && error == VerifyCode::CERT_HAS_EXPIRED.0 => (true, Some(0)),
        Policy::ForgiveExpired => (ok, None),
        Policy::RefuseAll => (false, None),
    }
}

struct Case {
    what: &'static str,
    anchors: Vec<CertificateDer<'static>>,
    chain: Vec<CertificateDer<'static>>,
    key: Vec<u8>,
    host: Option<&'static str>,
    depth: Option<u32>,
}

/// (calls, verify result, handshake succeeded)
type Run = (Vec<Call>, i64, bool);

/// A server (oxssl, in a thread) presenting `case.chain` with `case.key`.
fn serve(case: &Case, sock: UnixStream) -> std::thread::JoinHandle<()> {
    let chain: Vec<Vec<u8>> = case.chain.iter().map(|c| c.as_ref().to_vec()).collect();
    let key = case.key.clone();
    std::thread::spawn(move || {
        let mut b =
            crate::ssl::SslContext::builder(crate::ssl::SslMethod::tls_server()).expect("ctx");
        b.set_certificate_chain_der(chain).expect("chain");
        b.set_private_key_der(&key).expect("key");
        let ctx = b.build();
        let _ = crate::ssl::Ssl::new(&ctx).expect("ssl").accept(sock);
    })
}

/// One client run, the same source for both libraries: `$lib` is `openssl` or
/// `crate` (oxssl), whose `ssl` and `x509` modules have the same names.
macro_rules! client_run {
    ($name:ident, $lib:path) => {
        fn $name(case: &Case, policy: Policy) -> Run {
            use lib::ssl::{HandshakeError, Ssl, SslContext, SslMethod, SslVerifyMode};
            use lib::x509::{X509VerifyResult, X509};
            use $lib as lib;
            let (a, b) = UnixStream::pair().expect("pair");
            let server = serve(case, b);
            let calls = Arc::new(Mutex::new(Vec::new()));
            let mut cb = SslContext::builder(SslMethod::tls_client()).expect("ctx");
            for anchor in &case.anchors {
                cb.cert_store_mut()
                    .add_cert(X509::from_der(anchor.as_ref()).expect("anchor"))
                    .expect("add");
            }
            let seen = calls.clone();
            cb.set_verify_callback(SslVerifyMode::PEER, move |ok, ctx| {
                let error = ctx.error().as_raw();
                let cert = ctx
                    .current_cert()
                    .map(|c| c.to_der().expect("der"))
                    .unwrap_or_default();
                seen.lock()
                    .expect("lock")
                    .push((ok, ctx.error_depth(), error, cert));
                let (ret, set) = decide(policy, ok, error);
                if let Some(code) = set {
                    assert_eq!(code, 0);
                    ctx.set_error(X509VerifyResult::OK);
                }
                ret
            });
            if let Some(d) = case.depth {
                cb.set_verify_depth(d);
            }
            let ctx = cb.build();
            let mut ssl = Ssl::new(&ctx).expect("ssl");
            if let Some(h) = case.host {
                ssl.param_mut().set_host(h).expect("host");
            }
            let result = ssl.connect(a);
            let (verify, ok) = match &result {
                Ok(s) => (s.ssl().verify_result().as_raw(), true),
                Err(HandshakeError::Failure(m)) => (m.ssl().verify_result().as_raw(), false),
                Err(_) => (-1, false),
            };
            drop(result);
            server.join().expect("server");
            let calls = calls.lock().expect("lock").clone();
            (calls, i64::from(verify), ok)
        }
    };
}

client_run!(run_openssl, openssl);
client_run!(run_oxssl, crate);

fn key_der(key: &KeyPair) -> Vec<u8> {
    key.serialized_der().to_vec()
}

fn cases() -> Vec<Case> {
    let p = super::pki();
    let other = root("Other Root");
    let (good, good_key) = leaf_with(&p.inter, &["good.test"], &PKCS_ECDSA_P256_SHA256, |_| {});
    let (expired, expired_key) = leaf_with(&p.inter, &["old.test"], &PKCS_ECDSA_P256_SHA256, |c| {
        c.not_before = date_time_ymd(2000, 1, 1);
        c.not_after = date_time_ymd(2001, 1, 1);
    });
    let (future, future_key) = leaf_with(&p.inter, &["new.test"], &PKCS_ECDSA_P256_SHA256, |c| {
        c.not_before = date_time_ymd(2090, 1, 1);
    });
    let old_inter = intermediate_with(&p.root, "Old Intermediate", |c| {
        c.not_before = date_time_ymd(2000, 1, 1);
        c.not_after = date_time_ymd(2001, 1, 1);
    });
    let (under_old, under_old_key) =
        leaf_with(&old_inter, &["u.test"], &PKCS_ECDSA_P256_SHA256, |_| {});
    let (client_only, client_only_key) =
        leaf_with(&p.inter, &["c.test"], &PKCS_ECDSA_P256_SHA256, |c| {
            c.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        });
    let not_ca = intermediate_with(&p.root, "Not A CA", |c| c.is_ca = IsCa::ExplicitNoCa);
    let (under_not_ca, under_not_ca_key) =
        leaf_with(&not_ca, &["n.test"], &PKCS_ECDSA_P256_SHA256, |_| {});
    let strict_root = root_with("Strict Root", &PKCS_ECDSA_P256_SHA256, |c| {
        c.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    });
    let strict_inter = intermediate(&strict_root, "Under Strict");
    let (under_strict, under_strict_key) =
        leaf_with(&strict_inter, &["p.test"], &PKCS_ECDSA_P256_SHA256, |_| {});
    let self_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("key");
    let self_signed = {
        let mut params = ca_params("localhost");
        params.key_usages = vec![];
        params.self_signed(&self_key).expect("sign").der().clone()
    };
    let mut bad_sig = good.as_ref().to_vec();
    let last = bad_sig.len() - 1;
    bad_sig[last] ^= 0x55;
    let bad_sig = CertificateDer::from(bad_sig);
    // root -> i1 -> i2 -> i3 -> leaf: three intermediates, for the depth limit.
    let i1 = intermediate(&p.root, "Depth 1");
    let i2 = intermediate(&i1, "Depth 2");
    let i3 = intermediate(&i2, "Depth 3");
    let (deep, deep_key) = leaf_with(&i3, &["deep.test"], &PKCS_ECDSA_P256_SHA256, |_| {});
    let deep_chain = vec![deep, i3.der.clone(), i2.der.clone(), i1.der.clone()];

    let root_anchor = vec![p.root.der.clone()];
    let case = |what, anchors: &Vec<CertificateDer<'static>>, chain, key: &KeyPair, host| Case {
        what,
        anchors: anchors.clone(),
        chain,
        key: key_der(key),
        host,
        depth: None,
    };
    let with_inter = |leaf: &CertificateDer<'static>| vec![leaf.clone(), p.inter.der.clone()];
    let other_anchor = vec![other.der.clone()];
    let mut out = vec![
        case(
            "good",
            &root_anchor,
            with_inter(&good),
            &good_key,
            Some("good.test"),
        ),
        case(
            "wrong host",
            &root_anchor,
            with_inter(&good),
            &good_key,
            Some("x.test"),
        ),
        case(
            "unknown issuer",
            &other_anchor,
            with_inter(&good),
            &good_key,
            None,
        ),
        case(
            "unknown issuer, leaf only",
            &other_anchor,
            vec![good.clone()],
            &good_key,
            None,
        ),
        case(
            "untrusted root sent",
            &other_anchor,
            vec![good.clone(), p.inter.der.clone(), p.root.der.clone()],
            &good_key,
            None,
        ),
        case(
            "self-signed",
            &other_anchor,
            vec![self_signed.clone()],
            &self_key,
            None,
        ),
        case(
            "self-signed trusted, wrong host",
            &vec![self_signed.clone()],
            vec![self_signed.clone()],
            &self_key,
            Some("x.test"),
        ),
        case(
            "expired",
            &root_anchor,
            with_inter(&expired),
            &expired_key,
            None,
        ),
        case(
            "expired + wrong host",
            &root_anchor,
            with_inter(&expired),
            &expired_key,
            Some("x.test"),
        ),
        case(
            "expired + untrusted",
            &other_anchor,
            with_inter(&expired),
            &expired_key,
            None,
        ),
        case(
            "not yet valid",
            &root_anchor,
            with_inter(&future),
            &future_key,
            None,
        ),
        case(
            "expired intermediate",
            &root_anchor,
            vec![under_old, old_inter.der.clone()],
            &under_old_key,
            None,
        ),
        case(
            "client EKU",
            &root_anchor,
            with_inter(&client_only),
            &client_only_key,
            None,
        ),
        case(
            "intermediate not CA",
            &root_anchor,
            vec![under_not_ca, not_ca.der.clone()],
            &under_not_ca_key,
            None,
        ),
        case(
            "path length",
            &vec![strict_root.der.clone()],
            vec![under_strict, strict_inter.der.clone()],
            &under_strict_key,
            None,
        ),
        case(
            "bad leaf signature",
            &root_anchor,
            with_inter(&bad_sig),
            &good_key,
            None,
        ),
        case(
            "deep chain",
            &root_anchor,
            deep_chain.clone(),
            &deep_key,
            None,
        ),
    ];
    for depth in [0, 1, 2, 3, 4] {
        let mut c = case(
            "deep chain, limited",
            &root_anchor,
            deep_chain.clone(),
            &deep_key,
            None,
        );
        c.depth = Some(depth);
        out.push(c);
    }
    out
}

#[test]
fn verify_callback_calls_match_openssl() {
    let mut failures = Vec::new();
    for case in cases() {
        for policy in [
            Policy::Default,
            Policy::AcceptAll,
            Policy::ForgiveExpired,
            Policy::RefuseAll,
        ] {
            let theirs = run_openssl(&case, policy);
            let ours = run_oxssl(&case, policy);
            if theirs != ours {
                let brief = |r: &Run| {
                    let calls: Vec<_> = r.0.iter().map(|(ok, d, e, _)| (*ok, *d, *e)).collect();
                    format!("calls {calls:?} result {} ok {}", r.1, r.2)
                };
                failures.push(format!(
                    "{} {:?} depth {:?}:\n  openssl {}\n  oxssl   {}{}",
                    case.what,
                    policy,
                    case.depth,
                    brief(&theirs),
                    brief(&ours),
                    if theirs.0.len() == ours.0.len() && brief(&theirs) == brief(&ours) {
                        " (current certificates differ)"
                    } else {
                        ""
                    }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
