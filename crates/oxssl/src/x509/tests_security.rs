//! Regressions for the verification defects of issue 16, each against OpenSSL 3.6's verdict:
//! a CN-only leaf escaping a name-constrained CA through the host name fallback, a decoy
//! that made the walk's path differ from the one webpki verified (the callback was told a
//! forged link was good), and a forgiven error hiding a later name-constraint failure.

use std::sync::{Arc, Mutex};

use rcgen::{GeneralSubtree, KeyIdMethod, NameConstraints};

use super::*;
use crate::x509::store_ctx::VerifyCallback;

/// (preverify_ok, depth, error) of each callback call.
type Call = (bool, u32, i32);
type Calls = Arc<Mutex<Vec<Call>>>;

/// Runs oxssl's verification with a callback that records each call and answers with
/// `decide(ok, error)`.
fn verify_with(
    store: &TrustStore,
    chain: &[CertificateDer<'_>],
    host: Option<&str>,
    at: UnixTime,
    decide: impl Fn(bool, i32) -> (bool, Option<i32>) + Send + Sync + 'static,
) -> ((i32, u32), Vec<Call>) {
    let calls: Calls = Arc::default();
    let seen = calls.clone();
    let callback: Box<VerifyCallback> = Box::new(move |ok, ctx| {
        seen.lock()
            .expect("calls")
            .push((ok, ctx.error_depth(), ctx.error().0));
        let (answer, set) = decide(ok, ctx.error().0);
        if let Some(code) = set {
            ctx.set_error(VerifyCode(code));
        }
        answer
    });
    let p = validate::Params {
        purpose: validate::Purpose::ServerAuth,
        hostname: host,
        now: at,
        depth: validate::DEFAULT_DEPTH,
        callback: Some(&*callback),
    };
    let verdict = match validate::verify_chain(store, chain, &p) {
        Ok(None) => (0, 0),
        Ok(Some(e)) | Err(e) => (e.code.0, e.depth),
    };
    let calls = calls.lock().expect("calls").clone();
    (verdict, calls)
}

fn constrained_root(permitted_dns: &str) -> Ca {
    root_with("Constrained Root", &PKCS_ECDSA_P256_SHA256, |p| {
        p.name_constraints = Some(NameConstraints {
            permitted_subtrees: vec![GeneralSubtree::DnsName(permitted_dns.into())],
            excluded_subtrees: vec![],
        });
    })
}

/// A leaf with no subjectAltName and the subject CN `cn`.
fn cn_only_leaf(ca: &Ca, cn: &str) -> CertificateDer<'static> {
    leaf_with(ca, &[], &PKCS_ECDSA_P256_SHA256, |p| {
        p.subject_alt_names.clear();
        p.distinguished_name = rcgen::DistinguishedName::new();
        p.distinguished_name.push(DnType::CommonName, cn);
    })
    .0
}

/// Defect 2: a CA constrained to example.com, a leaf with no SAN and CN=victim.org. The CN
/// host name fallback matches, but OpenSSL checks host-like CNs against name constraints:
/// PERMITTED_VIOLATION (47) at depth 0, with or without a host to check.
#[test]
fn cn_fallback_obeys_name_constraints() {
    let ca = constrained_root("example.com");
    let store = store_of(&[&ca]);
    let t = now();
    let victim = cn_only_leaf(&ca, "victim.org");
    let inside = cn_only_leaf(&ca, "www.example.com");
    for host in [Some("victim.org"), None] {
        let ours = code(verify_server_chain(
            &store,
            std::slice::from_ref(&victim),
            host,
            t,
        ));
        assert_eq!(ours, (47, 0), "host {host:?}");
        assert_eq!(
            ours,
            openssl_verdict(&[&ca.der], std::slice::from_ref(&victim), true, host, t)
        );
    }
    let ours = code(verify_server_chain(
        &store,
        std::slice::from_ref(&inside),
        Some("www.example.com"),
        t,
    ));
    assert_eq!(ours, (0, 0));
    assert_eq!(
        ours,
        openssl_verdict(&[&ca.der], &[inside], true, Some("www.example.com"), t)
    );
    // A CN that is not a host name (one label, spaces) is not constrained, as in OpenSSL.
    let plain = cn_only_leaf(&ca, "Example Corp Server");
    let ours = code(verify_server_chain(
        &store,
        std::slice::from_ref(&plain),
        None,
        t,
    ));
    assert_eq!(ours, openssl_verdict(&[&ca.der], &[plain], true, None, t));
    assert_eq!(ours, (0, 0));
}

/// Defect 3: a self-issued decoy with the real intermediate's name, placed first in the
/// certificate message, becomes the leaf's issuer in the path OpenSSL (and the walk)
/// build; webpki, free to pick its own path, found the real one valid and every link of
/// the walk's path was then reported good — a chain OpenSSL refuses was accepted, the
/// callback told `preverify_ok = 1` for the forged certificate. Now webpki may only verify
/// the walk's path: the forged link fails with OpenSSL's code and depth.
#[test]
fn decoy_path_is_verified_link_by_link() {
    let root = root("Decoy Root");
    let real_id = vec![0x11; 20];
    let inter = intermediate_with(&root, "Decoy Intermediate", |p| {
        p.key_identifier_method = KeyIdMethod::PreSpecified(real_id.clone());
    });
    // The leaf names its issuer only (no authority key identifier).
    let (leaf, _) = leaf_with(&inter, &["decoy.test"], &PKCS_ECDSA_P256_SHA256, |p| {
        p.use_authority_key_identifier_extension = false;
    });
    // The decoy: subject and issuer the real intermediate's name, authority key id the real
    // one's, its own key id different (so it is self-issued, not self-signed), signed by a
    // key that is not the intermediate's.
    let mut forger_params = ca_params("Decoy Intermediate");
    forger_params.key_identifier_method = KeyIdMethod::PreSpecified(real_id.clone());
    let forger = Issuer::new(
        forger_params,
        KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("key"),
    );
    let mut decoy_params = ca_params("Decoy Intermediate");
    decoy_params.use_authority_key_identifier_extension = true;
    decoy_params.key_identifier_method = KeyIdMethod::PreSpecified(vec![0x22; 20]);
    let decoy_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("key");
    let decoy = decoy_params
        .signed_by(&decoy_key, &forger)
        .expect("sign")
        .der()
        .clone();

    let store = store_of(&[&root]);
    let chain = vec![leaf, decoy, inter.der.clone()];
    let t = now();
    let ours = code(verify_server_chain(&store, &chain, Some("decoy.test"), t));
    let theirs = openssl_verdict(&[&root.der], &chain, true, Some("decoy.test"), t);
    assert_eq!(ours, theirs);
    assert_eq!(ours.0, VerifyCode::CERT_SIGNATURE_FAILURE.0);

    // The callback sees the root and the real intermediate pass, then the decoy fail.
    let (verdict, calls) = verify_with(&store, &chain, Some("decoy.test"), t, |ok, _| (ok, None));
    assert_eq!(verdict, theirs);
    assert_eq!(
        calls,
        vec![(true, 3, 0), (true, 2, 0), (false, 1, 7)],
        "no forged certificate may be reported good"
    );
    // Letting everything through: each forged link is reported as a failure first.
    let (_, calls) = verify_with(&store, &chain, Some("decoy.test"), t, |_, _| (true, None));
    let failures: Vec<_> = calls.iter().filter(|c| !c.0).collect();
    assert_eq!(failures, vec![&(false, 1, 7), &(false, 0, 7)]);
}

/// Defect 4: a CA constrained to example.com and an expired leaf named other.org. A callback
/// that forgives CERT_HAS_EXPIRED (and clears it) must still be called with
/// PERMITTED_VIOLATION for the leaf, and the verification fails, as in OpenSSL.
#[test]
fn forgiving_one_error_does_not_hide_name_constraints() {
    let ca = constrained_root("example.com");
    let (expired, _) = leaf_with(&ca, &["www.other.org"], &PKCS_ECDSA_P256_SHA256, |p| {
        p.not_before = date_time_ymd(2020, 1, 1);
        p.not_after = date_time_ymd(2021, 1, 1);
    });
    let store = store_of(&[&ca]);
    let t = now();
    let forgive_expired = |ok: bool, error: i32| {
        if !ok && error == VerifyCode::CERT_HAS_EXPIRED.0 {
            (true, Some(0))
        } else {
            (ok, None)
        }
    };
    let (verdict, calls) = verify_with(
        &store,
        std::slice::from_ref(&expired),
        Some("www.other.org"),
        t,
        forgive_expired,
    );
    assert_eq!(verdict, (47, 0));
    assert!(calls.contains(&(false, 0, 10)), "{calls:?}");
    assert_eq!(calls.last(), Some(&(false, 0, 47)), "{calls:?}");
    // OpenSSL at a time the leaf is valid: the same name-constraint failure.
    let in_validity = UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_600_000_000));
    assert_eq!(
        openssl_verdict(
            &[&ca.der],
            std::slice::from_ref(&expired),
            true,
            Some("www.other.org"),
            in_validity
        ),
        (47, 0)
    );
    // Forgiving a CN-only leaf's expiry does not let its CN escape either.
    let (cn_expired, _) = leaf_with(&ca, &[], &PKCS_ECDSA_P256_SHA256, |p| {
        p.subject_alt_names.clear();
        p.distinguished_name = rcgen::DistinguishedName::new();
        p.distinguished_name.push(DnType::CommonName, "victim.org");
        p.not_before = date_time_ymd(2020, 1, 1);
        p.not_after = date_time_ymd(2021, 1, 1);
    });
    let (verdict, _) = verify_with(
        &store,
        &[cn_expired],
        Some("victim.org"),
        t,
        forgive_expired,
    );
    assert_eq!(verdict, (47, 0));
}
