//! Certificate chain verification with OpenSSL's error reporting.
//!
//! The chain is walked the way OpenSSL 3's `verify_chain()` does, and every one of its checks
//! is made here, on one path: build the path (trusted issuers first, by name and key
//! identifier), check each certificate's extensions and purpose from the leaf up, the
//! key/digest strength, the host name, then signatures and validity periods from the trust
//! anchor down, then name constraints (also on the leaf's host-like CNs). Each failure goes to
//! the verify callback on its own, whatever the callback forgave before; without a callback
//! the first one ends the walk.
//!
//! rustls-webpki verifies the signatures, once: it is handed exactly the walk's path (its
//! certificates only, the path's trust anchor as its only anchor, and a check that refuses
//! any other path it could assemble), so a link reported good is a link of that path. When
//! webpki refuses, the walk checks each link itself to name the failing one. A chain the walk
//! accepts without any forgiven failure must also pass webpki (whose profile is stricter in
//! places).

use std::net::IpAddr;

use rustls_pki_types::{CertificateDer, DnsName, ServerName, UnixTime};
use webpki::{EndEntityCert, KeyUsage};

use super::cert::X509;
use super::codes::{VerifyCode, VerifyError};
use super::der::{ku, oid, tag, ParsedCert, Reader};
use super::name_constraints;
use super::store_ctx::{VerifyCallback, X509StoreContextRef};
use super::trust::TrustStore;

/// What the end-entity certificate is being verified for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Purpose {
    ServerAuth,
    ClientAuth,
}

/// OpenSSL's default maximum chain depth (`X509_VERIFY_PARAM` "default" table).
pub(crate) const DEFAULT_DEPTH: u32 = 100;

/// The settings of one verification.
pub(crate) struct Params<'a> {
    pub purpose: Purpose,
    /// Host name or IP literal the leaf must match (`None` or empty: no name check).
    pub hostname: Option<&'a str>,
    pub now: UnixTime,
    /// Most certificates between the leaf and the trust anchor (`SSL_CTX_set_verify_depth`).
    pub depth: u32,
    pub callback: Option<&'a VerifyCallback>,
}

/// A verification's result: `Ok(None)` passed cleanly; `Ok(Some(e))` passed because the
/// callback let the failure `e` (the code `SSL_get_verify_result` reports) through;
/// `Err(e)` failed.
pub(crate) type Outcome = Result<Option<VerifyError>, VerifyError>;

/// The walk's reporting: each failure and each certificate that passed goes to the
/// callback, which decides whether the walk goes on (OpenSSL's `verify_cb_cert`). Without
/// a callback the first failure ends it.
struct Walk<'c> {
    callback: Option<&'c VerifyCallback>,
    ctx: X509StoreContextRef,
    /// Depth of the last failure the callback let through.
    failed_at: u32,
    /// A failure was let through (even if the callback then cleared the error).
    forgiven: bool,
}

impl<'c> Walk<'c> {
    fn new(callback: Option<&'c VerifyCallback>) -> Self {
        Walk {
            callback,
            ctx: X509StoreContextRef::new(),
            failed_at: 0,
            forgiven: false,
        }
    }

    /// The chain the callback sees (copied only when there is a callback).
    fn set_path(&mut self, path: &[Node<'_>]) {
        if self.callback.is_some() {
            self.ctx.chain = path
                .iter()
                .map(|n| X509::from_checked(CertificateDer::from(n.cert.der.to_vec())))
                .collect();
        }
    }

    fn fail(&mut self, code: VerifyCode, depth: usize) -> Result<(), VerifyError> {
        let Some(callback) = self.callback else {
            return Err(err(code, depth));
        };
        self.ctx.error = code;
        self.failed_at = self.at(depth);
        self.call(callback, false)?;
        self.forgiven = true;
        Ok(())
    }

    fn passed(&mut self, depth: usize) -> Result<(), VerifyError> {
        let Some(callback) = self.callback else {
            return Ok(());
        };
        self.at(depth);
        self.call(callback, true)
    }

    fn at(&mut self, depth: usize) -> u32 {
        self.ctx.depth = u32::try_from(depth).unwrap_or(u32::MAX);
        self.ctx.current = Some(depth);
        self.ctx.depth
    }

    fn call(&mut self, callback: &VerifyCallback, ok: bool) -> Result<(), VerifyError> {
        if callback(ok, &mut self.ctx) {
            return Ok(());
        }
        // X509_verify_cert's safety net: a refusal always carries an error.
        let code = if self.ctx.error.is_ok() {
            VerifyCode::UNSPECIFIED
        } else {
            self.ctx.error
        };
        Err(VerifyError {
            code,
            depth: self.ctx.depth,
        })
    }

    fn outcome(&self) -> Option<VerifyError> {
        (!self.ctx.error.is_ok()).then_some(VerifyError {
            code: self.ctx.error,
            depth: self.failed_at,
        })
    }
}

/// One certificate of the chain being built.
struct Node<'a> {
    cert: ParsedCert<'a>,
    /// Came from the trust store (or is a trusted self-signed leaf).
    trusted: bool,
    /// Its index in the trust store, when it is trusted.
    anchor: Option<usize>,
}

/// Result of checking one certificate's signature with a candidate issuer's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sig {
    Good,
    Bad,
    Unsupported,
}

fn check_signed(child: &ParsedCert<'_>, issuer: &ParsedCert<'_>) -> Sig {
    let mut known = false;
    for alg in webpki::ALL_VERIFICATION_ALGS {
        if alg.signature_alg_id().as_ref() != child.sig_alg
            || alg.public_key_alg_id().as_ref() != issuer.spki_alg
        {
            continue;
        }
        known = true;
        if alg
            .verify_signature(issuer.spki_key, child.tbs, child.signature)
            .is_ok()
        {
            return Sig::Good;
        }
    }
    // webpki has no SHA-1 and no RSA key under 2048 bits: such a link (which the walk
    // reported as too weak first) is judged by aws-lc's legacy verifiers, as OpenSSL judges it.
    match super::sig::verify_legacy_link(child, issuer) {
        Some(true) => Sig::Good,
        Some(false) => Sig::Bad,
        None if known => Sig::Bad,
        None => Sig::Unsupported,
    }
}

fn err(code: VerifyCode, depth: usize) -> VerifyError {
    VerifyError::new(code, depth)
}

/// Verifies `chain` (leaf first) as `p` says: OpenSSL's `verify_chain()` order (build the
/// path, extensions and purpose, key and digest strength, host name, then signatures and
/// validity from the top down), then webpki over a chain that passed.
pub(crate) fn verify_chain(
    store: &TrustStore,
    chain: &[CertificateDer<'_>],
    p: &Params<'_>,
) -> Outcome {
    let mut w = Walk::new(p.callback);
    if chain.is_empty() {
        // X509_verify_cert() without a certificate to verify; no callback.
        return Err(err(VerifyCode::INVALID_CALL, 0));
    }
    let now_secs = i64::try_from(p.now.as_secs()).unwrap_or(i64::MAX);
    let presented: Vec<Option<ParsedCert<'_>>> = chain
        .iter()
        .map(|c| ParsedCert::parse(c.as_ref()))
        .collect();
    let (Some(leaf_der), Some(Some(leaf))) = (chain.first(), presented.first()) else {
        if let Err(e) = webpki_only(store, chain, p) {
            w.fail(e.code, e.depth as usize)?;
        }
        return Ok(w.outcome());
    };

    // OpenSSL checks the leaf's key strength before it builds a chain (the callback's
    // chain then holds the leaf alone).
    let alone = [Node {
        cert: leaf.clone(),
        trusted: false,
        anchor: None,
    }];
    w.set_path(&alone);
    if rsa_modulus_bits(leaf).is_some_and(|bits| bits < 2048) {
        w.fail(VerifyCode::EE_KEY_TOO_SMALL, 0)?;
    }
    let (path, first, second) = build_path(store, leaf, &presented, p.depth, now_secs);
    w.set_path(&path);
    // A path without a trust anchor is reported as such, also when the callback let an
    // earlier error through. (OpenSSL's build_chain() then reports that earlier, sticky
    // code again instead — "a preliminary error has become final" — so a callback that
    // forgives, say, a small leaf key also accepts a chain nobody trusts; oxssl lets the
    // callback decide on the missing anchor itself.)
    for e in [first, second].into_iter().flatten() {
        w.fail(e.code, e.depth as usize)?;
    }
    check_extensions(&path, p.purpose, &mut w)?;
    check_auth_level(&path, &mut w)?;
    // Like X509_VERIFY_PARAM_set1_host(), an empty name means no name check.
    if let Some(host) = p.hostname.filter(|h| !h.is_empty()) {
        if let Err(code) = check_host(leaf_der, leaf, host) {
            w.fail(code, 0)?;
        }
    }
    // Signatures: webpki verifies exactly the path found, each signature once (it is given
    // only that path's certificates, its first trust anchor as the only anchor, and refuses
    // any other path it could assemble from them). When it refuses, the walk checks each
    // link itself, to name the failing one in OpenSSL's order: whatever the callback is told
    // passed was verified on exactly this path. A self-signed leaf that is itself trusted is
    // a one-element chain OpenSSL accepts (webpki has no notion of it); everything OpenSSL
    // checks for it is checked by the walk.
    let webpki = exact_path_webpki(store, &path, p.purpose, p.now);
    let verified_links = match &webpki {
        Some((Ok(()), below)) => *below,
        _ => 0,
    };
    check_signatures_and_times(&path, now_secs, &mut w, verified_links)?;
    check_name_constraints(&path, &mut w)?;
    // What webpki refuses beyond the walk's checks (stricter encodings); a chain with
    // failures the callback let through is not webpki's to judge: the walk made each of
    // OpenSSL's checks itself and reported each failure on its own.
    if let Some((Err(e), _)) = webpki {
        if !w.forgiven {
            let e = map_webpki(&e, &path, now_secs);
            w.fail(e.code, e.depth as usize)?;
        }
    }
    Ok(w.outcome())
}

/// webpki over exactly `path`, up to its first trusted certificate: the result, and how
/// many links (from the leaf up) a success covers. `None` when the path reaches no trust
/// anchor above the leaf (nothing for webpki to verify).
fn exact_path_webpki(
    store: &TrustStore,
    path: &[Node<'_>],
    purpose: Purpose,
    now: UnixTime,
) -> Option<(Result<(), webpki::Error>, usize)> {
    let top = path.iter().position(|n| n.trusted).filter(|t| *t > 0)?;
    let anchor = store.inner.webpki.get(path.get(top)?.anchor?)?;
    let leaf = CertificateDer::from(path.first()?.cert.der);
    let intermediates: Vec<CertificateDer<'_>> = path
        .get(1..top)?
        .iter()
        .map(|n| CertificateDer::from(n.cert.der))
        .collect();
    let exact = |candidate: &webpki::VerifiedPath<'_>| {
        let found = candidate.intermediate_certificates().map(|c| c.der());
        if found.eq(intermediates.iter().cloned()) {
            Ok(())
        } else {
            Err(webpki::Error::UnknownIssuer)
        }
    };
    let result = EndEntityCert::try_from(&leaf).and_then(|ee| {
        ee.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            std::slice::from_ref(anchor),
            &intermediates,
            now,
            key_usage(purpose),
            None,
            Some(&exact),
        )
        .map(|_| ())
    });
    Some((result, top))
}

fn key_usage(purpose: Purpose) -> KeyUsage {
    match purpose {
        Purpose::ServerAuth => KeyUsage::server_auth(),
        Purpose::ClientAuth => KeyUsage::client_auth(),
    }
}

/// OpenSSL's `check_name_constraints()`, after the signatures: each certificate that is
/// not self-issued (and the leaf always) against the name constraints of every CA above
/// it; the leaf's host-like CNs too when it has no dNSName (so the CN host name fallback
/// cannot escape a constrained CA).
fn check_name_constraints(path: &[Node<'_>], w: &mut Walk<'_>) -> Result<(), VerifyError> {
    for (i, node) in path.iter().enumerate().rev() {
        if i != 0 && node.cert.self_issued() {
            continue;
        }
        let subject = name_constraints::Subject {
            subject: node.cert.subject,
            alt_names: node
                .cert
                .alt_names()
                .and_then(Result::ok)
                .unwrap_or_default(),
        };
        for ca in path.iter().skip(i + 1).rev() {
            let Some(Ok(nc)) = ca.cert.name_constraints() else {
                continue;
            };
            let mut verdict = name_constraints::check(&subject, &nc);
            if verdict.is_ok() && i == 0 && !node.cert.has_dns_san() {
                verdict = name_constraints::check_cn(&subject, &nc);
            }
            if let Err(code) = verdict {
                w.fail(code, i)?;
            }
        }
    }
    Ok(())
}

/// Verification when the leaf could not be split into fields: webpki alone decides.
fn webpki_only(
    store: &TrustStore,
    chain: &[CertificateDer<'_>],
    p: &Params<'_>,
) -> Result<(), VerifyError> {
    let (leaf, intermediates) = chain
        .split_first()
        .ok_or(err(VerifyCode::INVALID_CALL, 0))?;
    run_webpki(store, leaf, intermediates, p.purpose, p.now).map_err(|e| err(code_for(&e), 0))?;
    match (p.hostname.filter(|h| !h.is_empty()), chain.first()) {
        (Some(host), Some(leaf)) => {
            let ee = EndEntityCert::try_from(leaf).map_err(|e| err(code_for(&e), 0))?;
            let name =
                ServerName::try_from(host).map_err(|_| err(VerifyCode::HOSTNAME_MISMATCH, 0))?;
            ee.verify_is_valid_for_subject_name(&name)
                .map_err(|e| err(code_for(&e), 0))
        }
        _ => Ok(()),
    }
}

fn run_webpki(
    store: &TrustStore,
    leaf: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    purpose: Purpose,
    now: UnixTime,
) -> Result<(), webpki::Error> {
    let ee = EndEntityCert::try_from(leaf)?;
    ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &store.inner.webpki,
        intermediates,
        now,
        key_usage(purpose),
        None,
        None,
    )
    .map(|_| ())
}

/// OpenSSL's `build_chain()`: look for each issuer in the trust store first, then among the
/// presented certificates; stop at a trusted self-signed certificate. Returns the path and,
/// when it does not end at a trust anchor, why (one or two failures; the walk goes on
/// with the partial path if a callback lets them through).
fn build_path<'a>(
    store: &'a TrustStore,
    leaf: &ParsedCert<'a>,
    presented: &[Option<ParsedCert<'a>>],
    max_depth: u32,
    now: i64,
) -> (Vec<Node<'a>>, Option<VerifyError>, Option<VerifyError>) {
    let anchors = &store.inner.anchors;
    let mut used_presented = vec![false; presented.len()];
    if let Some(first) = used_presented.first_mut() {
        *first = true;
    }
    let mut used_anchor = vec![false; anchors.len()];
    let mut path = vec![Node {
        cert: leaf.clone(),
        trusted: false,
        anchor: None,
    }];

    loop {
        let depth = path.len() - 1;
        let Some(cur) = path.last() else {
            return (path, Some(err(VerifyCode::UNSPECIFIED, 0)), None);
        };
        // A trusted certificate ends the path only if it is self-signed (OpenSSL's
        // check_trust() without trust settings: trust_compat() needs EXFLAG_SS); a trusted
        // certificate that is not needs its own issuer, from the store.
        let in_store = || store.position(cur.cert.der);
        if cur.cert.self_signed() && (cur.trusted || in_store().is_some()) {
            let anchor = cur.anchor.or_else(in_store);
            if let Some(last) = path.last_mut() {
                last.trusted = true;
                last.anchor = anchor;
            }
            return (path, None, None);
        }
        // The leaf, `max_depth` intermediates and one more (the anchor): an issuer beyond
        // that is not looked for, so the path also ends without an anchor, reported as
        // OpenSSL does (a self-signed top, else a missing issuer).
        if depth > max_depth as usize {
            let missing = if cur.cert.self_signed() {
                Some(err(VerifyCode::SELF_SIGNED_CERT_IN_CHAIN, depth))
            } else {
                missing_issuer(&path, depth)
            };
            return (
                path,
                Some(err(VerifyCode::CERT_CHAIN_TOO_LONG, depth)),
                missing,
            );
        }

        // Trusted issuers first (X509_V_FLAG_TRUSTED_FIRST is the default since 1.1.0),
        // chosen by name, key identifier and key type only, as OpenSSL's `find_issuer()`
        // does: no signature is checked here, so a certificate message full of look-alikes
        // costs nothing but comparisons. Looked up for a self-issued certificate too (a key
        // rollover's issuer is in the store); a self-signed one is only ever trusted as
        // itself (a look-alike anchor is a mimic, not its issuer).
        let self_signed = cur.cert.self_signed();
        if !self_signed {
            let trusted = anchors.iter().enumerate().filter_map(|(i, anchor)| {
                if used_anchor.get(i) != Some(&false)
                    || anchor.subject != cur.cert.issuer
                    || anchor.der.as_ref() == cur.cert.der
                {
                    return None;
                }
                let parsed = ParsedCert::parse(anchor.der.as_ref())?;
                cur.cert.may_be_issued_by(&parsed).then_some((i, parsed))
            });
            if let Some((i, parsed)) = prefer_valid(trusted, now) {
                if let Some(u) = used_anchor.get_mut(i) {
                    *u = true;
                }
                path.push(Node {
                    cert: parsed,
                    trusted: true,
                    anchor: Some(i),
                });
                continue;
            }
        }

        if self_signed {
            let code = if depth == 0 {
                VerifyCode::DEPTH_ZERO_SELF_SIGNED_CERT
            } else {
                VerifyCode::SELF_SIGNED_CERT_IN_CHAIN
            };
            return (path, Some(err(code, depth)), None);
        }

        // Once a trusted certificate is in the path, OpenSSL no longer takes issuers from
        // the peer's certificates: the rest of the path comes from the store or not at all.
        let reached_store = path.iter().any(|n| n.trusted);
        let untrusted = presented.iter().enumerate().filter_map(|(i, p)| {
            let p = p.as_ref()?;
            (!reached_store
                && used_presented.get(i) == Some(&false)
                && cur.cert.may_be_issued_by(p))
            .then(|| (i, p.clone()))
        });
        if let Some((i, p)) = prefer_valid(untrusted, now) {
            if let Some(u) = used_presented.get_mut(i) {
                *u = true;
            }
            path.push(Node {
                cert: p,
                trusted: false,
                anchor: None,
            });
            continue;
        }

        let missing = missing_issuer(&path, depth);
        return (path, missing, None);
    }
}

/// Of the candidate issuers, the first valid at `now`, else the one that expires last
/// (OpenSSL's `find_issuer()` preference).
fn prefer_valid<'a, T>(
    candidates: impl Iterator<Item = (T, ParsedCert<'a>)>,
    now: i64,
) -> Option<(T, ParsedCert<'a>)> {
    let mut best: Option<(T, ParsedCert<'a>)> = None;
    for (i, c) in candidates {
        if time_errors(&c, now) == [None, None] {
            return Some((i, c));
        }
        if best
            .as_ref()
            .is_none_or(|(_, b)| c.not_after.unwrap_or(i64::MIN) > b.not_after.unwrap_or(i64::MIN))
        {
            best = Some((i, c));
        }
    }
    best
}

/// The failure of a path whose top at `depth` has no issuer.
fn missing_issuer(path: &[Node<'_>], depth: usize) -> Option<VerifyError> {
    let code = if path.iter().any(|n| n.trusted) {
        VerifyCode::UNABLE_TO_GET_ISSUER_CERT
    } else {
        VerifyCode::UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    };
    Some(err(code, depth))
}

/// Critical extensions webpki understands (for certificates it parses strictly).
const WEBPKI_EXTENSIONS: &[&[u8]] = &[
    oid::KEY_USAGE,
    oid::SUBJECT_ALT_NAME,
    oid::BASIC_CONSTRAINTS,
    oid::NAME_CONSTRAINTS,
    oid::CRL_DISTRIBUTION_POINTS,
    oid::EXT_KEY_USAGE,
];

/// Further critical extensions OpenSSL accepts (`X509_supported_extension`); webpki ignores
/// unknown critical extensions in trust anchors, so these are tolerated there.
const OPENSSL_EXTRA_EXTENSIONS: &[&[u8]] = &[
    &[0x55, 0x1d, 0x20],                                     // certificatePolicies
    &[0x55, 0x1d, 0x21],                                     // policyMappings
    &[0x55, 0x1d, 0x24],                                     // policyConstraints
    &[0x55, 0x1d, 0x36],                                     // inhibitAnyPolicy
    &[0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x01, 0x01], // nsCertType
    &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x07],       // sbgp-ipAddrBlock
    &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x08],       // sbgp-autonomousSysNum
    &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x0e],       // proxyCertInfo
];

/// Netscape / Microsoft Server Gated Crypto purposes, accepted by OpenSSL for TLS servers.
const NS_SGC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x04, 0x01];
const MS_SGC: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x0a, 0x03, 0x03];

/// OpenSSL's `check_extensions()`: per certificate from the leaf up, critical extensions, CA
/// status, purpose and path length.
fn check_extensions(
    path: &[Node<'_>],
    purpose: Purpose,
    w: &mut Walk<'_>,
) -> Result<(), VerifyError> {
    let num = path.len();
    let mut plen: u64 = 0;
    for (i, node) in path.iter().enumerate() {
        let c = &node.cert;
        for ext in &c.extensions {
            let known = WEBPKI_EXTENSIONS.contains(&ext.oid)
                || (node.trusted && OPENSSL_EXTRA_EXTENSIONS.contains(&ext.oid));
            if ext.critical && !known {
                w.fail(VerifyCode::UNHANDLED_CRITICAL_EXTENSION, i)?;
                break;
            }
        }
        let bc = c.basic_constraints();
        let kus = c.key_usage();
        let eku = c.ext_key_usage();
        if matches!(bc, Some(Err(())))
            || matches!(kus, Some(Err(())))
            || matches!(eku, Some(Err(())))
            || matches!(c.alt_names(), Some(Err(())))
            || matches!(c.name_constraints(), Some(Err(())))
        {
            w.fail(VerifyCode::INVALID_EXTENSION, i)?;
        }
        let bc = bc.and_then(Result::ok);
        let kus = kus.and_then(Result::ok);
        let eku = eku.and_then(Result::ok);

        // check_purpose() on a CA certificate needs X509_check_ca() to pass as well.
        let mut ca_ok = true;
        if i > 0 {
            // X509_check_ca(): 1 = basicConstraints cA, 3 = v1 self-signed root, 4 = keyUsage
            // with keyCertSign; intermediates need 1, the top of the chain any of them.
            let level = if kus.is_some_and(|k| k & ku::KEY_CERT_SIGN == 0) {
                0
            } else {
                match bc {
                    Some((true, _)) => 1,
                    Some((false, _)) => 0,
                    None if c.version == 0 && c.self_signed() => 3,
                    None if kus.is_some() => 4,
                    None => 0,
                }
            };
            if level == 0 || (i + 1 < num && level != 1) {
                w.fail(VerifyCode::INVALID_CA, i)?;
            }
            ca_ok = level != 0;
        }

        // check_purpose(): extended key usage on every certificate, key usage on the leaf.
        let eku_ok = eku.as_ref().is_none_or(|purposes| match purpose {
            Purpose::ServerAuth => purposes
                .iter()
                .any(|p| *p == oid::SERVER_AUTH || *p == NS_SGC || *p == MS_SGC),
            Purpose::ClientAuth => purposes.contains(&oid::CLIENT_AUTH),
        });
        let needed = match purpose {
            Purpose::ServerAuth => ku::DIGITAL_SIGNATURE | ku::KEY_ENCIPHERMENT | ku::KEY_AGREEMENT,
            Purpose::ClientAuth => ku::DIGITAL_SIGNATURE | ku::KEY_AGREEMENT,
        };
        let ku_ok = i > 0 || kus.is_none_or(|k| k & needed != 0);
        if !eku_ok || !ku_ok || !ca_ok {
            w.fail(VerifyCode::INVALID_PURPOSE, i)?;
        }

        if i > 1 {
            if let Some((_, Some(max))) = bc {
                if plen > max.saturating_add(1) {
                    w.fail(VerifyCode::PATH_LENGTH_EXCEEDED, i)?;
                }
            }
        }
        if i == 0 || !c.self_issued() {
            plen += 1;
        }
    }
    Ok(())
}

/// rsaEncryption AlgorithmIdentifier contents (OID + NULL).
const RSA_ENCRYPTION: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

/// Signature algorithm OIDs whose digest is too weak (MD5, SHA-1).
const WEAK_SIG_OIDS: &[&[u8]] = &[
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x04], // md5WithRSAEncryption
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05], // sha1WithRSAEncryption
    &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01],             // ecdsa-with-SHA1
    &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x03],             // dsa-with-sha1
    &[0x2b, 0x0e, 0x03, 0x02, 0x1d],                         // sha1WithRSA (OIW)
];

/// Bit length of an rsaEncryption key's modulus.
fn rsa_modulus_bits(c: &ParsedCert<'_>) -> Option<usize> {
    if c.spki_alg != RSA_ENCRYPTION {
        return None;
    }
    let mut r = Reader::new(c.spki_key);
    let seq = r.expect(tag::SEQUENCE)?;
    let n = Reader::new(seq.value).expect(tag::INTEGER)?.value;
    let n = match n.split_first() {
        Some((0, rest)) => rest,
        _ => n,
    };
    let (first, _) = n.split_first()?;
    let lead = usize::try_from(first.leading_zeros()).ok()?;
    n.len().checked_mul(8)?.checked_sub(lead)
}

/// OpenSSL's `check_auth_level()` at security level 2 (what webpki's algorithms support):
/// RSA keys of at least 2048 bits, no MD5/SHA-1 signatures below the top of the chain.
fn check_auth_level(path: &[Node<'_>], w: &mut Walk<'_>) -> Result<(), VerifyError> {
    let num = path.len();
    for (i, node) in path.iter().enumerate() {
        // The leaf's key was checked before the path was built.
        if i > 0 && rsa_modulus_bits(&node.cert).is_some_and(|bits| bits < 2048) {
            w.fail(VerifyCode::CA_KEY_TOO_SMALL, i)?;
        }
        if i + 1 < num {
            let sig_oid = Reader::new(node.cert.sig_alg)
                .expect(tag::OID)
                .map(|o| o.value);
            if sig_oid.is_some_and(|o| WEAK_SIG_OIDS.contains(&o)) {
                w.fail(VerifyCode::CA_MD_TOO_WEAK, i)?;
            }
        }
    }
    Ok(())
}

/// OpenSSL's `internal_verify()`: from the top of the chain down, each signature (none for
/// a self-issued top, whose issuer is itself; and a top that is not self-issued, which only
/// a callback can have let through, is only an issuer) then each validity period, then
/// the callback's "passed" call for that certificate. The links of the first
/// `verified_links` certificates were verified by webpki on exactly this path; every
/// other link is verified here.
fn check_signatures_and_times(
    path: &[Node<'_>],
    now: i64,
    w: &mut Walk<'_>,
    verified_links: usize,
) -> Result<(), VerifyError> {
    let top = path.len().saturating_sub(1);
    let start = match path.get(top) {
        Some(t) if t.cert.self_signed() => top,
        _ if top > 0 => top - 1,
        _ => {
            w.fail(VerifyCode::UNABLE_TO_VERIFY_LEAF_SIGNATURE, 0)?;
            0
        }
    };
    for n in (0..=start).rev() {
        let Some(xs) = path.get(n) else { continue };
        if let Some(issuer) = path.get(n + 1) {
            // RFC 5280 6.1.4 (n), as OpenSSL's ossl_x509_signing_allowed(): an issuer whose
            // keyUsage lacks keyCertSign does not sign certificates (reported at its depth).
            let usage = issuer.cert.key_usage().and_then(Result::ok);
            if usage.is_some_and(|k| k & ku::KEY_CERT_SIGN == 0) {
                w.fail(VerifyCode::KEYUSAGE_NO_CERTSIGN, n + 1)?;
            }
            // webpki verified this link on this path already: do not pay twice.
            let sig = if xs.cert.sig_alg != xs.cert.tbs_sig_alg {
                Sig::Bad
            } else if n < verified_links {
                Sig::Good
            } else {
                check_signed(&xs.cert, &issuer.cert)
            };
            match sig {
                Sig::Good => {}
                Sig::Bad => w.fail(VerifyCode::CERT_SIGNATURE_FAILURE, n)?,
                Sig::Unsupported => w.fail(VerifyCode::UNSUPPORTED_SIGNATURE_ALGORITHM, n)?,
            }
        }
        for code in time_errors(&xs.cert, now).into_iter().flatten() {
            w.fail(code, n)?;
        }
        w.passed(n)?;
    }
    Ok(())
}

/// `x509_check_cert_time()`: not yet valid if notBefore > now, expired if notAfter <= now;
/// both are reported when both hold.
fn time_errors(c: &ParsedCert<'_>, now: i64) -> [Option<VerifyCode>; 2] {
    let before = match c.not_before {
        None => Some(VerifyCode::ERROR_IN_CERT_NOT_BEFORE_FIELD),
        Some(t) if t > now => Some(VerifyCode::CERT_NOT_YET_VALID),
        Some(_) => None,
    };
    let after = match c.not_after {
        None => Some(VerifyCode::ERROR_IN_CERT_NOT_AFTER_FIELD),
        Some(t) if t <= now => Some(VerifyCode::CERT_HAS_EXPIRED),
        Some(_) => None,
    };
    [before, after]
}

/// `X509_check_host()` / `X509_check_ip_asc()` semantics: IP literals against iPAddress SANs;
/// DNS names against dNSName SANs, or the subject CNs when there is no dNSName SAN.
pub(crate) fn check_host(
    leaf_der: &CertificateDer<'_>,
    leaf: &ParsedCert<'_>,
    host: &str,
) -> Result<(), VerifyCode> {
    let ee = EndEntityCert::try_from(leaf_der).ok();
    if let Ok(ip) = host.parse::<IpAddr>() {
        let name = ServerName::from(ip);
        return match ee.map(|ee| ee.verify_is_valid_for_subject_name(&name)) {
            Some(Ok(())) => Ok(()),
            _ => Err(VerifyCode::IP_ADDRESS_MISMATCH),
        };
    }
    if let (Some(ee), Ok(dns)) = (&ee, DnsName::try_from(host)) {
        if ee
            .verify_is_valid_for_subject_name(&ServerName::DnsName(dns))
            .is_ok()
        {
            return Ok(());
        }
    }
    if !leaf.has_dns_san()
        && leaf
            .subject_common_names()
            .iter()
            .any(|cn| cn_matches(cn, host))
    {
        return Ok(());
    }
    Err(VerifyCode::HOSTNAME_MISMATCH)
}

/// Matches a subject CN against a host name: exact (ASCII case-insensitive), or a wildcard
/// "*.rest" covering exactly one extra leftmost label when `rest` has at least two labels.
fn cn_matches(cn: &[u8], host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host).as_bytes();
    if host.is_empty() || !cn.is_ascii() {
        return false;
    }
    if cn.eq_ignore_ascii_case(host) {
        return true;
    }
    let Some(rest) = cn.strip_prefix(b"*.") else {
        return false;
    };
    if !rest.contains(&b'.') || rest.contains(&b'*') {
        return false;
    }
    match host.iter().position(|b| *b == b'.') {
        Some(dot) if dot > 0 => host
            .get(dot + 1..)
            .is_some_and(|tail| tail.eq_ignore_ascii_case(rest)),
        _ => false,
    }
}

/// Maps a webpki failure (on a chain the OpenSSL-order walk accepted) to a code and depth.
///
/// Called only when the walk verified every link of `path` itself and found nothing: a
/// signature failure webpki names then belongs to another path it tried (two candidates
/// share a name, as a key rollover's do), so the likely reason is its stricter path length
/// rule (a self-issued certificate counted against a pathLenConstraint, which RFC 5280 and
/// OpenSSL do not count), else a plain rejection.
fn map_webpki(e: &webpki::Error, path: &[Node<'_>], now: i64) -> VerifyError {
    let code = code_for(e);
    let top = path.len().saturating_sub(1);
    if matches!(
        code,
        VerifyCode::CERT_SIGNATURE_FAILURE
            | VerifyCode::UNSUPPORTED_SIGNATURE_ALGORITHM
            | VerifyCode::SIGNATURE_ALGORITHM_MISMATCH
    ) {
        return stricter_than_openssl(path);
    }
    let depth = match e {
        webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. } => (0..path
            .len())
            .rev()
            .find(|n| {
                path.get(*n).is_some_and(|node| {
                    node.cert.not_after.is_some_and(|t| t < now)
                        || node.cert.not_before.is_some_and(|t| t > now)
                })
            })
            .unwrap_or(0),
        webpki::Error::UnknownIssuer => top,
        webpki::Error::EndEntityUsedAsCa | webpki::Error::PathLenConstraintViolated => {
            usize::from(top > 0)
        }
        _ => 0,
    };
    err(code, depth)
}

/// Whether a CA of `path` has well-formed name constraints for which `f` holds.
fn any_constraints(
    path: &[Node<'_>],
    f: impl Fn(&name_constraints::NameConstraints<'_>) -> bool,
) -> bool {
    path.iter()
        .skip(1)
        .any(|n| matches!(n.cert.name_constraints(), Some(Ok(nc)) if f(&nc)))
}

/// Why webpki, stricter than OpenSSL in places, refuses a path the walk verified: a leaf
/// name with a partial-label wildcard (`w*.example.com`) under name constraints (webpki
/// cannot place it: UNSUPPORTED_NAME_SYNTAX), a wildcard that could cover an excluded
/// subtree (EXCLUDED_VIOLATION), an email name under email constraints, which webpki does
/// not evaluate (PERMITTED_VIOLATION), more than six intermediates (CERT_CHAIN_TOO_LONG), a
/// self-issued certificate counted against a
/// pathLenConstraint above it (PATH_LENGTH_EXCEEDED), else a plain CERT_REJECTED.
fn stricter_than_openssl(path: &[Node<'_>]) -> VerifyError {
    let constrained = path
        .iter()
        .skip(1)
        .any(|n| n.cert.name_constraints().is_some());
    let partial_wildcard = path.first().is_some_and(|leaf| {
        leaf.cert
            .dns_sans()
            .iter()
            .any(|n| n.contains(&b'*') && !n.starts_with(b"*."))
    });
    if constrained && partial_wildcard {
        return err(VerifyCode::UNSUPPORTED_NAME_SYNTAX, 0);
    }
    // A wildcard name (`*.example.com`) that could cover an excluded subtree: webpki
    // refuses it, OpenSSL compares the literal name.
    let wildcard = path
        .first()
        .is_some_and(|leaf| leaf.cert.dns_sans().iter().any(|n| n.starts_with(b"*.")));
    let excludes_dns = any_constraints(path, |nc| nc.excludes_dns());
    if wildcard && excludes_dns {
        return err(VerifyCode::EXCLUDED_VIOLATION, 0);
    }
    // An email name under email constraints: webpki does not evaluate those and refuses.
    let email_san = path
        .first()
        .and_then(|leaf| leaf.cert.alt_names().and_then(Result::ok))
        .is_some_and(|names| names.iter().any(|n| n.tag == 0x81));
    let email_constrained = any_constraints(path, |nc| nc.constrains_email());
    if email_san && email_constrained {
        return err(VerifyCode::PERMITTED_VIOLATION, 0);
    }
    // webpki builds paths of at most six intermediates (a bound on its work); OpenSSL's
    // default depth is 100.
    const WEBPKI_MAX_INTERMEDIATES: usize = 6;
    let anchor = path.iter().position(|n| n.trusted).unwrap_or(path.len());
    if anchor > WEBPKI_MAX_INTERMEDIATES + 1 {
        return err(
            VerifyCode::CERT_CHAIN_TOO_LONG,
            WEBPKI_MAX_INTERMEDIATES + 1,
        );
    }
    let top = path.len().saturating_sub(1);
    let capped = |from: usize| {
        path.iter()
            .skip(from + 1)
            .any(|n| matches!(n.cert.basic_constraints(), Some(Ok((true, Some(_))))))
    };
    let rollover = (1..top).any(|i| path.get(i).is_some_and(|n| n.cert.self_issued()) && capped(i));
    if rollover {
        err(VerifyCode::PATH_LENGTH_EXCEEDED, 1)
    } else {
        err(VerifyCode::CERT_REJECTED, 0)
    }
}

/// The `X509_V_ERR_*` code closest to a webpki error.
pub(crate) fn code_for(e: &webpki::Error) -> VerifyCode {
    use webpki::Error as E;
    #[allow(deprecated)]
    match e {
        E::CertExpired { .. } => VerifyCode::CERT_HAS_EXPIRED,
        E::CertNotValidYet { .. } | E::InvalidCertValidity => VerifyCode::CERT_NOT_YET_VALID,
        E::CertNotValidForName(ctx) => match ctx.expected {
            ServerName::IpAddress(_) => VerifyCode::IP_ADDRESS_MISMATCH,
            _ => VerifyCode::HOSTNAME_MISMATCH,
        },
        E::UnknownIssuer => VerifyCode::UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
        E::CertRevoked => VerifyCode::CERT_REVOKED,
        E::CertDistrusted => VerifyCode::CERT_REJECTED,
        E::UnknownRevocationStatus => VerifyCode::UNABLE_TO_GET_CRL,
        E::CrlExpired { .. } => VerifyCode::CRL_HAS_EXPIRED,
        E::InvalidCrlSignatureForPublicKey => VerifyCode::CRL_SIGNATURE_FAILURE,
        E::InvalidSignatureForPublicKey => VerifyCode::CERT_SIGNATURE_FAILURE,
        E::SignatureAlgorithmMismatch => VerifyCode::CERT_SIGNATURE_FAILURE,
        E::UnsupportedSignatureAlgorithm
        | E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedCrlSignatureAlgorithm
        | E::UnsupportedCrlSignatureAlgorithmContext(_) => {
            VerifyCode::UNSUPPORTED_SIGNATURE_ALGORITHM
        }
        E::UnsupportedSignatureAlgorithmForPublicKey
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
        | E::UnsupportedCrlSignatureAlgorithmForPublicKey
        | E::UnsupportedCrlSignatureAlgorithmForPublicKeyContext(_) => {
            VerifyCode::SIGNATURE_ALGORITHM_MISMATCH
        }
        E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) => VerifyCode::INVALID_PURPOSE,
        E::EmptyEkuExtension | E::MalformedExtensions | E::ExtensionValueInvalid => {
            VerifyCode::INVALID_EXTENSION
        }
        E::CaUsedAsEndEntity => VerifyCode::INVALID_NON_CA,
        E::EndEntityUsedAsCa => VerifyCode::INVALID_CA,
        E::PathLenConstraintViolated => VerifyCode::PATH_LENGTH_EXCEEDED,
        E::NameConstraintViolation => VerifyCode::PERMITTED_VIOLATION,
        E::MalformedNameConstraint | E::InvalidNetworkMaskConstraint => {
            VerifyCode::UNSUPPORTED_CONSTRAINT_SYNTAX
        }
        E::MalformedDnsIdentifier | E::UnsupportedNameType => VerifyCode::UNSUPPORTED_NAME_SYNTAX,
        E::UnsupportedCriticalExtension => VerifyCode::UNHANDLED_CRITICAL_EXTENSION,
        E::MaximumPathDepthExceeded
        | E::MaximumPathBuildCallsExceeded
        | E::MaximumSignatureChecksExceeded => VerifyCode::CERT_CHAIN_TOO_LONG,
        E::BadDerTime => VerifyCode::ERROR_IN_CERT_NOT_BEFORE_FIELD,
        E::BadDer | E::TrailingData(_) | E::InvalidSerialNumber | E::UnsupportedCertVersion => {
            VerifyCode::CERT_REJECTED
        }
        _ => VerifyCode::UNSPECIFIED,
    }
}
