//! `oxssl::cipher_list::parse_cipher_list` against OpenSSL 3.6 (vendored by `openssl-sys`)
//! as the oracle, in-process: for every cipher string below, `SSL_CTX_set_cipher_list` on a
//! fresh OpenSSL context, then its cipher list (`SSL_CTX_get_ciphers`) without the TLS 1.3
//! suites and filtered to the six TLS 1.2 suites oxssl implements, must be the list oxssl
//! parses, in the same order. When OpenSSL refuses the string, oxssl must refuse it with the
//! same reason; when OpenSSL accepts it but selects none of the six (`AES128-SHA`), oxssl
//! refuses it with `NO_CIPHER_MATCH`, since it has no other TLS 1.2 suite to fall back on.
//!
//! Also checks each suite's name, IANA name, bits, version and description against
//! OpenSSL's `SSL_CIPHER_*` accessors, and `TLS12_DEFAULT` / `TLS13_DEFAULT` against
//! OpenSSL's default lists.

use foreign_types::ForeignTypeRef;
use openssl::ssl::{SslCipherRef, SslContext, SslContextBuilder, SslContextRef, SslMethod};
use openssl_sys::{OPENSSL_sk_num, OPENSSL_sk_value, OPENSSL_STACK, SSL_CIPHER, SSL_CTX};
use oxssl::cipher_list::{parse_cipher_list, parse_cipher_list_with_level, CipherListError};
use oxssl::reason::Reason;
use oxssl::suites::CipherSuite;

extern "C" {
    fn SSL_CTX_get_ciphers(ctx: *const SSL_CTX) -> *mut OPENSSL_STACK;
}

/// The context's cipher list (TLS 1.3 suites first, then the TLS 1.2 ones), borrowed from it.
fn ctx_ciphers(ctx: &SslContextRef) -> Vec<&SslCipherRef> {
    // SAFETY: `ctx` is a live SSL_CTX; the stack and its SSL_CIPHERs (static tables) outlive
    // the borrow of `ctx`, which the returned references carry.
    unsafe {
        let sk = SSL_CTX_get_ciphers(ctx.as_ptr());
        if sk.is_null() {
            return Vec::new();
        }
        (0..OPENSSL_sk_num(sk))
            .map(|i| SslCipherRef::from_ptr(OPENSSL_sk_value(sk, i).cast::<SSL_CIPHER>()))
            .collect()
    }
}

/// What OpenSSL makes of a cipher string: the TLS 1.2 suites oxssl implements, in its
/// order, plus how many TLS 1.2 ciphers it selected in all; or the reason it refused.
fn openssl(spec: &str) -> Result<(Vec<CipherSuite>, usize), i32> {
    openssl_with_level(spec).map(|(suites, all, _)| (suites, all))
}

/// [`openssl`], plus the context's security level afterwards.
fn openssl_with_level(spec: &str) -> Result<(Vec<CipherSuite>, usize, u32), i32> {
    let mut b = SslContext::builder(SslMethod::tls()).expect("SSL_CTX_new");
    if let Err(stack) = b.set_cipher_list(spec) {
        let first = stack.errors().first().expect("an error on the queue");
        return Err((first.code() & 0x7f_ffff) as i32);
    }
    let ctx = b.build();
    let tls12: Vec<&str> = ctx_ciphers(&ctx)
        .into_iter()
        .filter(|c| c.version() != "TLSv1.3")
        .map(|c| c.name())
        .collect();
    let ours = tls12
        .iter()
        .filter_map(|n| {
            CipherSuite::TLS12_DEFAULT
                .into_iter()
                .find(|s| s.name() == *n)
        })
        .collect();
    Ok((ours, tls12.len(), ctx.security_level()))
}

/// The security level of a context nobody configured.
fn default_security_level() -> u32 {
    SslContext::builder(SslMethod::tls())
        .expect("SSL_CTX_new")
        .build()
        .security_level()
}

/// The reason oxssl's refusal carries, as an `ERR_GET_REASON` value.
fn reason(e: &CipherListError) -> i32 {
    e.reason().0
}

/// Compares oxssl with OpenSSL on `spec` (suites, order, security level, refusal reason);
/// returns a description of the mismatch, if any.
fn compare(spec: &str) -> Option<String> {
    let ours = parse_cipher_list_with_level(spec);
    let theirs = openssl_with_level(spec);
    let agree = match (&ours, &theirs) {
        (Ok(o), Ok((t, _, level))) => {
            o.suites == *t && o.security_level.map_or(default_security_level(), u32::from) == *level
        }
        (Err(e), Ok((t, _, _))) => t.is_empty() && *e == CipherListError::NoCipherMatch,
        (Err(e), Err(r)) => reason(e) == *r,
        (Ok(_), Err(_)) => false,
    };
    (!agree).then(|| format!("{spec:?}: oxssl {ours:?}, OpenSSL {theirs:?}"))
}

/// Cipher strings: names, aliases, combinations, prefixes, commands, orders, errors.
const STRINGS: &[&str] = &[
    // Defaults and the whole set.
    "DEFAULT",
    "ALL",
    "HIGH",
    "ALL:COMPLEMENTOFALL",
    "COMPLEMENTOFDEFAULT",
    "COMPLEMENTOFALL",
    "DEFAULT:",
    "DEFAULT::",
    "DEFAULTX",
    "DEFAULTDEFAULT",
    "DEFAULT:DEFAULT",
    "AES128:DEFAULT",
    " DEFAULT",
    "default",
    "all",
    "DEFAULT:-ECDSA",
    "DEFAULT-ECDSA",
    "DEFAULT+CHACHA20",
    "DEFAULT:+CHACHA20",
    "DEFAULT,!AES256",
    "DEFAULT:!ALL",
    "DEFAULT:@STRENGTH",
    "DEFAULT:+ECDSA:+AES128",
    // Single suites, OpenSSL and IANA names.
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "ecdhe-rsa-aes128-gcm-sha256",
    "tls_ecdhe_ecdsa_with_aes_256_gcm_sha384",
    "TLS_AES_128_GCM_SHA256",
    "AES128-SHA",
    "AES128-GCM-SHA256",
    "DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-CHACHA20-POLY1305",
    // Orders.
    "CHACHA20:AES128:AES256",
    "AES128:AES256:CHACHA20",
    "aRSA:aECDSA",
    "ECDHE+ECDSA:ECDHE+aRSA",
    "AES128;AES256",
    "AES128 , AES256",
    "ALL::::AES",
    "ALL,,AES",
    "ALL  AES",
    // Intersections.
    "AES128+ECDSA",
    "AES+AES128",
    "AESGCM+AES128",
    "kECDHE+aRSA",
    "ALL+ECDSA",
    "kEECDH+ECDSA+AES128:kEECDH+AESGCM",
    "TLSv1.2+AES128",
    "TLSv1.2+ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256+TLSv1.2",
    "ECDHE-RSA-AES128-GCM-SHA256+AES128",
    "ECDHE-RSA-AES128-GCM-SHA256+AES256",
    "ECDHE-RSA-AES128-GCM-SHA256+TLSv1",
    "ECDHE-RSA-AES128-GCM-SHA256+ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256+ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256+TLS_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256+AES128",
    "AES128+ECDHE-RSA-AES128-GCM-SHA256",
    "FIPS+HIGH",
    "HIGH+FIPS",
    "FIPS+AES128",
    "FIPS+CHACHA20",
    "FIPS+ALL",
    "ALL+FIPS",
    "FIPS+ECDSA",
    "MEDIUM+FIPS",
    "ECDHE-RSA-AES128-GCM-SHA256+FIPS",
    "ECDHE-RSA-CHACHA20-POLY1305+FIPS",
    "ECDHE-RSA-CHACHA20-POLY1305+HIGH",
    "HIGH+ECDHE-RSA-AES128-GCM-SHA256+FIPS",
    "HIGH+MEDIUM",
    "HIGH+ALL",
    "ECDSA+RSA",
    "aECDSA+aRSA",
    "TLSv1.2+TLSv1",
    "CHACHA20+AES",
    "AES128+AES256",
    "ECDHE+aNULL",
    "COMPLEMENTOFALL+AES",
    "COMPLEMENTOFDEFAULT+ALL",
    "ALL+COMPLEMENTOFALL",
    "TLSv1.0+AES",
    "UNKNOWN+AES",
    "AES+UNKNOWN",
    // '!', '-', '+'.
    "CHACHA20:AES128:-ECDSA:ECDSA",
    "CHACHA20:AES128:!ECDSA:ECDSA",
    "ALL:+AES128",
    "ALL:+CHACHA20",
    "ALL:-AES:AES256",
    "ALL:-AES:CHACHA20:AES256:AES128",
    "AES128:AES256:+ECDSA",
    "AES128:+AES256",
    "AES128:-AES256:+AES128",
    "HIGH:-ALL:AES128:ECDSA",
    "HIGH:-ALL:+AES128:ECDSA",
    "AES256:!AES256:AES256",
    "AES256:-AES256:AES256",
    "ALL:!ECDHE-RSA-AES128-GCM-SHA256",
    "ALL:-ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256",
    "ALL:+ECDHE-RSA-AES128-GCM-SHA256",
    "ALL:+TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "ALL:!AES:aRSA",
    "ECDHE:!aRSA:!ECDSA",
    "ECDHE:!CHACHA20:-AES128",
    "ALL:!HIGH",
    "HIGH:!TLSv1.2",
    "HIGH:!aNULL:!MD5",
    "HIGH:!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!PSK:!SRP:!CAMELLIA",
    "ECDHE+AESGCM:ECDHE+CHACHA20:!aRSA",
    "-ALL",
    "!ALL",
    "+ALL",
    "-ALL:ALL",
    "!ALL:ALL",
    "AES128!AES256",
    "AES128 !AES256",
    "AES128-AES256",
    "--AES",
    // @STRENGTH and @SECLEVEL.
    "ALL:@STRENGTH",
    "AES128:AES256:@STRENGTH",
    "AES128:AES256 @STRENGTH",
    "CHACHA20:AES128:AES256:@STRENGTH",
    "ALL:+CHACHA20:@STRENGTH",
    "CHACHA20:AES128:AES256:-CHACHA20:@STRENGTH:CHACHA20",
    "CHACHA20:AES128:AES256:-ECDSA:@STRENGTH:ECDSA",
    "AES128:-AES128:@STRENGTH:ALL",
    "AES128:@STRENGTH+AES",
    "ALL@STRENGTH",
    "AES128@STRENGTH",
    "@STRENGTH",
    "AES128:@SECLEVEL=0",
    "AES128:@SECLEVEL=5",
    "AES128:@SECLEVEL=5:AES256",
    "AES128:@SECLEVEL=5+AES",
    "@SECLEVEL=3",
    // Suite B.
    "SUITEB128",
    "SUITEB128ONLY",
    "SUITEB128C2",
    "SUITEB192",
    "SUITEB128XYZ",
    "SUITEB128ONLYX",
    "SUITEB192ONLY",
    "SUITEB128:AES",
    "SUITEB128:!ALL",
    "SUITEB128C2:HIGH",
    "AES:SUITEB128",
    "!SUITEB128",
    "ECDHE-ECDSA-AES256-GCM-SHA384:SUITEB128",
    // Nothing matches.
    "",
    ":",
    "UNKNOWN",
    "AES128:UNKNOWN",
    "UNKNOWN#:AES128",
    "FOO+#",
    "aNULL",
    "eNULL:NULL",
    "RSA:kRSA:DHE:PSK:SRP",
    "SHA256:SHA384:SHA1:MD5",
    "MEDIUM:LOW:EXPORT",
    "3DES:DES:RC4:CAMELLIA:ARIA",
    "TLSv1:TLSv1.0:SSLv3",
    // Malformed.
    "ALL:!",
    "ALL:-",
    "ALL:+",
    "ALL:@",
    "++AES",
    "!!AES",
    "-!AES",
    "AES128#",
    "#AES128",
    "AES128|AES256",
    "AES128+",
    "AES128+!AES256",
    "RSA+#",
    "DEFAULT+#",
    "AES128:AES256:@STRENGTHX",
    "AES128:@strength",
    "AES128:@SECLEVEL=6",
    "AES128:@SECLEVEL=10",
    "AES128:@SECLEVEL=",
    "AES128:@SECLEVEL=-1",
    "AES128:@SECLEVEL=a",
    "AES128:@STRENGTH=1",
    "AES128:@FOO",
    "AES128:\u{e9}",
];

/// Every alias name OpenSSL 3.6's headers define (`SSL_TXT_*`), plus the other names the
/// `ciphers(1)` manual and older releases use. Each is compared alone, with a suite
/// (`NAME+AES128`, order and intersection) and followed by a malformed word (`NAME+#`:
/// OpenSSL stops at an unknown name, so this tells known names from unknown ones).
const ALIASES: &[&str] = &[
    "LOW",
    "MEDIUM",
    "HIGH",
    "FIPS",
    "aNULL",
    "eNULL",
    "NULL",
    "kRSA",
    "kDHr",
    "kDHd",
    "kDH",
    "kEDH",
    "kDHE",
    "kECDHr",
    "kECDHe",
    "kECDH",
    "kEECDH",
    "kECDHE",
    "kPSK",
    "kRSAPSK",
    "kECDHEPSK",
    "kDHEPSK",
    "kGOST",
    "kGOST18",
    "kSRP",
    "aRSA",
    "aDSS",
    "aDH",
    "aECDH",
    "aECDSA",
    "aPSK",
    "aGOST94",
    "aGOST01",
    "aGOST12",
    "aGOST",
    "aSRP",
    "DSS",
    "DH",
    "DHE",
    "EDH",
    "ADH",
    "RSA",
    "ECDH",
    "EECDH",
    "ECDHE",
    "AECDH",
    "ECDSA",
    "PSK",
    "SRP",
    "DES",
    "3DES",
    "RC4",
    "RC2",
    "IDEA",
    "SEED",
    "AES128",
    "AES256",
    "AES",
    "AESGCM",
    "AESCCM",
    "AESCCM8",
    "CAMELLIA128",
    "CAMELLIA256",
    "CAMELLIA",
    "CHACHA20",
    "GOST89",
    "ARIA",
    "ARIAGCM",
    "ARIA128",
    "ARIA256",
    "GOST2012-GOST8912-GOST8912",
    "CBC",
    "MD5",
    "SHA1",
    "SHA",
    "GOST94",
    "GOST89MAC",
    "GOST12",
    "GOST89MAC12",
    "SHA256",
    "SHA384",
    "SSLv3",
    "TLSv1",
    "TLSv1.0",
    "TLSv1.1",
    "TLSv1.2",
    "TLSv1.3",
    "SSLv2",
    "ALL",
    "COMPLEMENTOFALL",
    "COMPLEMENTOFDEFAULT",
    "DEFAULT",
    "EXPORT",
    "EXP",
    "EXPORT40",
    "EXPORT56",
    "AEAD",
    "CCM",
    "CCM8",
    "SUITEB128",
    "SUITEB128ONLY",
    "SUITEB128C2",
    "SUITEB192",
];

/// Strings on which oxssl knowingly differs from OpenSSL (see the `cipher_list` module
/// documentation): a `+` chain of aliases that select none of oxssl's suites but contradict
/// each other in an algorithm class oxssl does not model, followed by a malformed word.
/// OpenSSL stops at the contradiction and skips the rest; oxssl reads on and rejects it.
const KNOWN_DIVERGENCES: &[&str] = &["kRSA+kPSK+#", "MEDIUM+LOW+#", "SHA256+SHA384+#"];

#[test]
fn cipher_strings_match_openssl() {
    assert!(STRINGS.len() >= 40);
    // The oracle is alive: most strings select suites, and some select several in an
    // order other than the default one.
    let selecting: Vec<Vec<CipherSuite>> = STRINGS
        .iter()
        .filter_map(|s| openssl(s).ok().map(|r| r.0))
        .filter(|v| !v.is_empty())
        .collect();
    assert!(selecting.len() >= 100, "{}", selecting.len());
    assert!(selecting
        .iter()
        .any(|v| v.len() == 6 && v[..] != CipherSuite::TLS12_DEFAULT[..]));
    let mismatches: Vec<String> = STRINGS.iter().filter_map(|s| compare(s)).collect();
    assert!(
        mismatches.is_empty(),
        "{} of {} strings differ:\n{}",
        mismatches.len(),
        STRINGS.len(),
        mismatches.join("\n")
    );
}

#[test]
fn aliases_match_openssl() {
    let mut mismatches = Vec::new();
    for alias in ALIASES {
        for spec in [
            alias.to_string(),
            format!("{alias}+AES128"),
            format!("AES128+{alias}"),
            format!("CHACHA20:{alias}:AES128"),
            format!("ALL:!{alias}"),
            format!("ALL:-{alias}:+AES256"),
            format!("{alias}+#"),
        ] {
            mismatches.extend(compare(&spec));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn known_divergences_still_diverge() {
    for spec in KNOWN_DIVERGENCES {
        assert_eq!(
            openssl(spec),
            Err(Reason::NO_CIPHER_MATCH.0),
            "{spec:?} on OpenSSL"
        );
        assert!(
            matches!(
                parse_cipher_list(spec),
                Err(CipherListError::InvalidCommand { .. })
            ),
            "{spec:?} on oxssl"
        );
    }
}

/// What a refused `SSL_CTX_set_cipher_list` leaves behind in OpenSSL: when nothing matches,
/// the context's TLS 1.2 list has already been replaced by the empty result (and an
/// `@SECLEVEL` applied); a malformed list leaves the context as it was. oxssl's `Err` has no
/// side effects, so whoever maps it onto a context must decide which of these to copy.
#[test]
fn openssl_state_after_refusal() {
    let mut b = SslContext::builder(SslMethod::tls()).expect("SSL_CTX_new");
    b.set_cipher_list("ALL").expect("ALL");
    // SAFETY: the builder owns a live SSL_CTX for as long as it is borrowed.
    let ctx = |b: &SslContextBuilder| unsafe { SslContextRef::from_ptr(b.as_ptr()) };
    let tls12 = |b: &SslContextBuilder| {
        ctx_ciphers(ctx(b))
            .into_iter()
            .filter(|c| c.version() != "TLSv1.3")
            .count()
    };
    assert!(tls12(&b) > 6);
    assert!(b.set_cipher_list("ALL:!").is_err());
    assert!(tls12(&b) > 6, "a malformed list changes nothing");
    assert!(b.set_cipher_list("@SECLEVEL=0:NOTHING-AT-ALL").is_err());
    assert_eq!(tls12(&b), 0, "no match empties the TLS 1.2 list");
    assert_eq!(ctx(&b).security_level(), 0, "and applies @SECLEVEL");
}

/// The refusals carry OpenSSL's reason codes, checked against the oracle directly.
#[test]
fn reasons_are_openssl_reasons() {
    assert_eq!(openssl("NOTHING-AT-ALL"), Err(Reason::NO_CIPHER_MATCH.0));
    assert_eq!(openssl("ALL:!"), Err(Reason::INVALID_COMMAND.0));
    assert_eq!(
        parse_cipher_list("NOTHING-AT-ALL").unwrap_err().reason(),
        Reason::NO_CIPHER_MATCH
    );
    assert_eq!(
        parse_cipher_list("ALL:!").unwrap_err().reason(),
        Reason::INVALID_COMMAND
    );
    // Accepted by OpenSSL with no suite oxssl has: refused here.
    let (ours, all) = openssl("AES128-SHA").expect("OpenSSL accepts AES128-SHA");
    assert!(ours.is_empty() && all == 1);
    assert_eq!(
        parse_cipher_list("AES128-SHA"),
        Err(CipherListError::NoCipherMatch)
    );
}

#[test]
fn default_orders_are_openssls() {
    let b = SslContext::builder(SslMethod::tls()).expect("SSL_CTX_new");
    let ctx = b.build();
    let names: Vec<&str> = ctx_ciphers(&ctx).iter().map(|c| c.name()).collect();
    let tls13: Vec<&str> = CipherSuite::TLS13_DEFAULT
        .iter()
        .map(|s| s.name())
        .collect();
    assert_eq!(names[..3], tls13[..], "TLS 1.3 defaults lead the list");
    let ours: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| CipherSuite::TLS12_DEFAULT.iter().any(|s| s.name() == *n))
        .collect();
    let expected: Vec<&str> = CipherSuite::TLS12_DEFAULT
        .iter()
        .map(|s| s.name())
        .collect();
    assert_eq!(ours, expected);
    assert_eq!(
        openssl("DEFAULT").map(|r| r.0),
        Ok(CipherSuite::TLS12_DEFAULT.to_vec())
    );
}

#[test]
fn suite_attributes_match_openssl() {
    let mut b = SslContext::builder(SslMethod::tls()).expect("SSL_CTX_new");
    b.set_cipher_list("ALL").expect("ALL");
    let ctx = b.build();
    let mut seen = Vec::new();
    for c in ctx_ciphers(&ctx) {
        let Some(s) = CipherSuite::from_name(c.name()) else {
            continue;
        };
        assert_eq!(s.name(), c.name());
        assert_eq!(Some(s.std_name()), c.standard_name(), "{}", s.name());
        assert_eq!(CipherSuite::from_name(s.std_name()), Some(s));
        assert_eq!(s.bits() as i32, c.bits().secret, "{}", s.name());
        assert_eq!(s.bits() as i32, c.bits().algorithm, "{}", s.name());
        assert_eq!(s.version(), c.version(), "{}", s.name());
        assert_eq!(s.description(), c.description(), "{}", s.name());
        assert_eq!(s.to_u16().to_be_bytes(), c.protocol_id(), "{}", s.name());
        seen.push(s);
    }
    assert_eq!(
        seen.len(),
        9,
        "all nine suites are in OpenSSL's list: {seen:?}"
    );
}
