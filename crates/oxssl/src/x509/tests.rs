//! Tests of the x509 module with rcgen-made certificates (and the openssl crate where rcgen
//! cannot produce the input).

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SignatureAlgorithm, SigningKey, PKCS_ECDSA_P256_SHA256,
    PKCS_ECDSA_P384_SHA384, PKCS_ED25519,
};

use super::*;
use crate::crypto::sign::SignatureScheme as S;

struct Ca {
    issuer: Issuer<'static, KeyPair>,
    der: CertificateDer<'static>,
    pem: String,
}

fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, name);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "oxssl tests");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

fn root_with(
    name: &str,
    alg: &'static SignatureAlgorithm,
    edit: impl FnOnce(&mut CertificateParams),
) -> Ca {
    let mut params = ca_params(name);
    edit(&mut params);
    let key = KeyPair::generate_for(alg).expect("key");
    let cert = params.self_signed(&key).expect("self sign");
    Ca {
        der: cert.der().clone(),
        pem: cert.pem(),
        issuer: Issuer::new(params, key),
    }
}

fn root(name: &str) -> Ca {
    root_with(name, &PKCS_ECDSA_P256_SHA256, |_| {})
}

fn intermediate_with(parent: &Ca, name: &str, edit: impl FnOnce(&mut CertificateParams)) -> Ca {
    let mut params = ca_params(name);
    params.use_authority_key_identifier_extension = true;
    edit(&mut params);
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("key");
    let cert = params.signed_by(&key, &parent.issuer).expect("sign");
    Ca {
        der: cert.der().clone(),
        pem: cert.pem(),
        issuer: Issuer::new(params, key),
    }
}

fn intermediate(parent: &Ca, name: &str) -> Ca {
    intermediate_with(parent, name, |_| {})
}

fn leaf_with(
    ca: &Ca,
    names: &[&str],
    alg: &'static SignatureAlgorithm,
    edit: impl FnOnce(&mut CertificateParams),
) -> (CertificateDer<'static>, KeyPair) {
    let mut params =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .expect("params");
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, names.first().copied().unwrap_or("leaf"));
    params.use_authority_key_identifier_extension = true;
    edit(&mut params);
    let key = KeyPair::generate_for(alg).expect("key");
    let cert = params.signed_by(&key, &ca.issuer).expect("sign");
    (cert.der().clone(), key)
}

fn leaf(ca: &Ca, names: &[&str]) -> CertificateDer<'static> {
    leaf_with(ca, names, &PKCS_ECDSA_P256_SHA256, |_| {}).0
}

fn store_of(cas: &[&Ca]) -> TrustStore {
    let mut store = TrustStore::new();
    for ca in cas {
        store.add_der(ca.der.as_ref()).expect("add");
    }
    store
}

fn now() -> UnixTime {
    UnixTime::now()
}

fn code(r: Result<(), VerifyError>) -> (i32, u32) {
    match r {
        Ok(()) => (0, 0),
        Err(e) => (e.code.0, e.depth),
    }
}

/// A three-level PKI used by several tests.
struct Pki {
    root: Ca,
    inter: Ca,
    leaf: CertificateDer<'static>,
}

fn pki() -> Pki {
    let root = root("Test Root");
    let inter = intermediate(&root, "Test Intermediate");
    let leaf = leaf(
        &inter,
        &["example.com", "*.wild.example.com", "127.0.0.1", "::1"],
    );
    Pki { root, inter, leaf }
}

#[test]
fn load_pem_chain_and_der() {
    let p = pki();
    let leaf_pem = pem_of(&p.leaf);
    let bundle = format!("junk before\n{}{}trailing\n", leaf_pem, p.inter.pem);
    let certs = certs_from_pem(bundle.as_bytes()).expect("chain");
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[0], p.leaf);
    assert_eq!(certs[1], p.inter.der);

    let der = certs_from_pem(p.leaf.as_ref()).expect("der");
    assert_eq!(der, vec![p.leaf.clone()]);

    assert_eq!(certs_from_pem(b"hello"), Err(X509Error::NoCertificates));
    assert_eq!(certs_from_pem(b""), Err(X509Error::NoCertificates));
    assert!(matches!(
        certs_from_pem(b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"),
        Err(X509Error::Pem(_))
    ));
    assert!(matches!(
        certs_from_pem(b"-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n"),
        Err(X509Error::BadCertificate(_))
    ));
    let key_only = KeyPair::generate().expect("key").serialize_pem();
    assert_eq!(
        certs_from_pem(key_only.as_bytes()),
        Err(X509Error::NoCertificates)
    );

    let dir = std::env::temp_dir().join(format!("oxssl-x509-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let file = dir.join("chain.pem");
    std::fs::write(&file, &bundle).expect("write");
    assert_eq!(certs_from_pem_file(&file).expect("file").len(), 2);
    let mut store = TrustStore::new();
    std::fs::write(dir.join("root.pem"), &p.root.pem).expect("write");
    assert_eq!(store.add_pem_file(dir.join("root.pem")).expect("store"), 1);
    assert!(matches!(
        certs_from_pem_file(dir.join("missing.pem")),
        Err(X509Error::Io(_))
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

fn pem_of(der: &CertificateDer<'_>) -> String {
    super::pem_encode("CERTIFICATE", der.as_ref()).expect("pem")
}

#[test]
fn load_private_keys_of_each_kind() {
    use openssl::pkey::PKey;

    // PKCS#8 (rcgen writes "PRIVATE KEY").
    let ec = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("key");
    let key = private_key_from_pem(ec.serialize_pem().as_bytes()).expect("pkcs8");
    assert!(matches!(key, PrivateKeyDer::Pkcs8(_)));
    assert_eq!(key.secret_der(), ec.serialized_der());

    // DER input.
    let key = private_key_from_pem(ec.serialized_der()).expect("der");
    assert!(matches!(key, PrivateKeyDer::Pkcs8(_)));

    // SEC1 "EC PRIVATE KEY", with the "EC PARAMETERS" block `openssl ecparam -genkey` adds.
    let pkey = PKey::private_key_from_pkcs8(ec.serialized_der()).expect("openssl");
    let sec1 = pkey
        .ec_key()
        .expect("ec")
        .private_key_to_pem()
        .expect("pem");
    let with_params = format!(
        "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{}",
        String::from_utf8(sec1.clone()).expect("utf8")
    );
    let key = private_key_from_pem(with_params.as_bytes()).expect("sec1");
    assert!(matches!(key, PrivateKeyDer::Sec1(_)));

    // PKCS#1 "RSA PRIVATE KEY".
    let rsa = openssl::rsa::Rsa::generate(2048).expect("rsa");
    let pkcs1 = rsa.private_key_to_pem().expect("pem");
    let key = private_key_from_pem(&pkcs1).expect("pkcs1");
    assert!(matches!(key, PrivateKeyDer::Pkcs1(_)));
    assert_eq!(
        key.secret_der(),
        rsa.private_key_to_der().expect("der").as_slice()
    );

    // Key after a certificate in the same file.
    let p = pki();
    let combined = format!("{}{}", p.root.pem, ec.serialize_pem());
    assert!(matches!(
        private_key_from_pem(combined.as_bytes()),
        Ok(PrivateKeyDer::Pkcs8(_))
    ));

    // Encrypted keys and missing keys.
    let encrypted = PKey::from_rsa(rsa)
        .expect("pkey")
        .private_key_to_pem_pkcs8_passphrase(openssl::symm::Cipher::aes_128_cbc(), b"pw")
        .expect("enc");
    assert!(matches!(
        private_key_from_pem(&encrypted),
        Err(X509Error::Pem(_))
    ));
    assert_eq!(
        private_key_from_pem(p.root.pem.as_bytes()),
        Err(X509Error::NoPrivateKey)
    );
    assert_eq!(
        private_key_from_pem(b"nothing"),
        Err(X509Error::NoPrivateKey)
    );

    let dir = std::env::temp_dir().join(format!("oxssl-x509-key-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("k.pem"), &sec1).expect("write");
    assert!(matches!(
        private_key_from_pem_file(dir.join("k.pem")),
        Ok(PrivateKeyDer::Sec1(_))
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn good_chain_and_hostnames() {
    let p = pki();
    let store = store_of(&[&p.root]);
    let chain = [p.leaf.clone(), p.inter.der.clone()];
    let ok = |host: Option<&str>| code(verify_server_chain(&store, &chain, host, now()));
    assert_eq!(ok(None), (0, 0));
    assert_eq!(ok(Some("example.com")), (0, 0));
    assert_eq!(ok(Some("EXAMPLE.com")), (0, 0));
    assert_eq!(ok(Some("a.wild.example.com")), (0, 0));
    assert_eq!(ok(Some("b.a.wild.example.com")), (62, 0));
    assert_eq!(ok(Some("other.example")), (62, 0));
    assert_eq!(ok(Some("127.0.0.1")), (0, 0));
    assert_eq!(ok(Some("::1")), (0, 0));
    assert_eq!(ok(Some("127.0.0.2")), (64, 0));
    assert_eq!(ok(Some("not a host name")), (62, 0));
    assert_eq!(VerifyCode::HOSTNAME_MISMATCH.text(), "hostname mismatch");
    // The presented intermediates may come in any order, with extra certificates.
    let other = root("Unrelated");
    let shuffled = [
        p.leaf.clone(),
        other.der.clone(),
        p.inter.der.clone(),
        p.root.der.clone(),
    ];
    assert_eq!(
        code(verify_server_chain(
            &store,
            &shuffled,
            Some("example.com"),
            now()
        )),
        (0, 0)
    );
    // A trust store holding the intermediate and the root also works without the intermediate
    // being sent.
    let both = store_of(&[&p.root, &p.inter]);
    assert_eq!(
        code(verify_server_chain(
            &both,
            &chain[..1],
            Some("example.com"),
            now()
        )),
        (0, 0)
    );
    assert_eq!(check_hostname(&p.leaf, "example.com"), Ok(()));
    assert_eq!(
        check_hostname(&p.leaf, "10.0.0.1"),
        Err(VerifyCode::IP_ADDRESS_MISMATCH)
    );
}

#[test]
fn untrusted_issuer() {
    let p = pki();
    let other = root("Other Root");
    let store = store_of(&[&other]);
    let chain = [p.leaf.clone(), p.inter.der.clone()];
    // OpenSSL reports the top of the chain it could build.
    assert_eq!(
        code(verify_server_chain(&store, &chain, None, now())),
        (20, 1)
    );
    assert_eq!(
        code(verify_server_chain(&store, &chain[..1], None, now())),
        (20, 0)
    );
    assert_eq!(
        code(verify_server_chain(
            &TrustStore::new(),
            &chain,
            Some("example.com"),
            now()
        )),
        (20, 1)
    );
    // The untrusted root sent along: self-signed certificate in chain.
    let with_root = [p.leaf.clone(), p.inter.der.clone(), p.root.der.clone()];
    assert_eq!(
        code(verify_server_chain(&store, &with_root, None, now())),
        (19, 2)
    );
    // Intermediate trusted, root missing: not a trust anchor without partial-chain.
    let inter_only = store_of(&[&p.inter]);
    assert_eq!(
        code(verify_server_chain(&inter_only, &chain, None, now())),
        (2, 1)
    );
    // An empty chain.
    assert_eq!(
        code(verify_server_chain(&store, &[], None, now())),
        (VerifyCode::INVALID_CALL.0, 0)
    );
    assert_eq!(VerifyCode::UNABLE_TO_GET_ISSUER_CERT_LOCALLY.alert(), 48);
}

#[test]
fn self_signed_leaf() {
    // A typical `openssl req -x509` server certificate: self-signed, CA:TRUE, CN only.
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("key");
    let mut params = ca_params("localhost");
    params.key_usages = vec![];
    let cert = params.self_signed(&key).expect("sign").der().clone();
    let chain = [cert.clone()];
    assert_eq!(
        code(verify_server_chain(&TrustStore::new(), &chain, None, now())),
        (18, 0)
    );
    let store = store_of(&[&Ca {
        issuer: Issuer::new(ca_params("unused"), KeyPair::generate().expect("key")),
        der: cert.clone(),
        pem: String::new(),
    }]);
    assert_eq!(
        code(verify_server_chain(
            &store,
            &chain,
            Some("localhost"),
            now()
        )),
        (0, 0)
    );
    assert_eq!(
        code(verify_server_chain(
            &store,
            &chain,
            Some("example.com"),
            now()
        )),
        (62, 0)
    );

    // A self-signed leaf with a SAN and no CA bit (rcgen's default).
    let simple = rcgen::generate_simple_self_signed(vec!["self.test".to_string()]).expect("gen");
    let der = simple.cert.der().clone();
    let mut store = TrustStore::new();
    assert_eq!(
        code(verify_server_chain(
            &store,
            std::slice::from_ref(&der),
            Some("self.test"),
            now()
        )),
        (18, 0)
    );
    store.add_der(der.as_ref()).expect("add");
    assert_eq!(
        code(verify_server_chain(
            &store,
            std::slice::from_ref(&der),
            Some("self.test"),
            now()
        )),
        (0, 0)
    );
    assert_eq!(VerifyCode::DEPTH_ZERO_SELF_SIGNED_CERT.alert(), 48);
}

#[test]
fn validity_periods() {
    let root = root("Time Root");
    let store = store_of(&[&root]);
    let (expired, _) = leaf_with(&root, &["old.test"], &PKCS_ECDSA_P256_SHA256, |p| {
        p.not_before = date_time_ymd(2000, 1, 1);
        p.not_after = date_time_ymd(2001, 1, 1);
    });
    assert_eq!(
        code(verify_server_chain(
            &store,
            std::slice::from_ref(&expired),
            Some("old.test"),
            now()
        )),
        (10, 0)
    );
    // OpenSSL checks the host name before validity periods.
    assert_eq!(
        code(verify_server_chain(
            &store,
            &[expired],
            Some("new.test"),
            now()
        )),
        (62, 0)
    );
    let (future, _) = leaf_with(&root, &["new.test"], &PKCS_ECDSA_P256_SHA256, |p| {
        p.not_before = date_time_ymd(2090, 1, 1);
        p.not_after = date_time_ymd(2091, 1, 1);
    });
    assert_eq!(
        code(verify_server_chain(
            &store,
            std::slice::from_ref(&future),
            Some("new.test"),
            now()
        )),
        (9, 0)
    );
    // At a time inside its validity period it is fine.
    let in_2090 = UnixTime::since_unix_epoch(std::time::Duration::from_secs(3_800_000_000));
    assert_eq!(
        code(verify_server_chain(
            &store,
            &[future],
            Some("new.test"),
            in_2090
        )),
        (0, 0)
    );

    // An expired intermediate is reported at its depth (from the top down).
    let old_inter = intermediate_with(&root, "Old Intermediate", |p| {
        p.not_before = date_time_ymd(2000, 1, 1);
        p.not_after = date_time_ymd(2001, 1, 1);
    });
    let (l, _) = leaf_with(&old_inter, &["x.test"], &PKCS_ECDSA_P256_SHA256, |p| {
        p.not_before = date_time_ymd(2000, 1, 1);
        p.not_after = date_time_ymd(2001, 1, 1);
    });
    assert_eq!(
        code(verify_server_chain(
            &store,
            &[l, old_inter.der.clone()],
            None,
            now()
        )),
        (10, 1)
    );
    // An expired trust anchor is reported too (OpenSSL checks the root's dates).
    let old_root = root_with("Old Root", &PKCS_ECDSA_P256_SHA256, |p| {
        p.not_before = date_time_ymd(2000, 1, 1);
        p.not_after = date_time_ymd(2001, 1, 1);
    });
    let l = leaf(&old_root, &["y.test"]);
    assert_eq!(
        code(verify_server_chain(
            &store_of(&[&old_root]),
            &[l],
            None,
            now()
        )),
        (10, 1)
    );
    assert_eq!(VerifyCode::CERT_HAS_EXPIRED.alert(), 45);
}

#[test]
fn purposes_and_ca_flags() {
    let p = pki();
    let store = store_of(&[&p.root]);

    let (client_only, _) = leaf_with(&p.inter, &["c.test"], &PKCS_ECDSA_P256_SHA256, |p| {
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    });
    let chain = [client_only, p.inter.der.clone()];
    assert_eq!(
        code(verify_server_chain(&store, &chain, None, now())),
        (26, 0)
    );
    assert_eq!(code(verify_client_chain(&store, &chain, now())), (0, 0));

    let (server_only, _) = leaf_with(&p.inter, &["s.test"], &PKCS_ECDSA_P256_SHA256, |p| {
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    });
    let chain = [server_only, p.inter.der.clone()];
    assert_eq!(
        code(verify_server_chain(&store, &chain, Some("s.test"), now())),
        (0, 0)
    );
    assert_eq!(code(verify_client_chain(&store, &chain, now())), (26, 0));

    // Key usage without any TLS usage.
    let (cert_sign_only, _) = leaf_with(&p.inter, &["k.test"], &PKCS_ECDSA_P256_SHA256, |p| {
        p.key_usages = vec![KeyUsagePurpose::CrlSign];
    });
    assert_eq!(
        code(verify_server_chain(
            &store,
            &[cert_sign_only, p.inter.der.clone()],
            None,
            now()
        )),
        (26, 0)
    );

    // An intermediate that is not a CA.
    let not_ca = intermediate_with(&p.root, "Not A CA", |p| {
        p.is_ca = IsCa::ExplicitNoCa;
    });
    let l = leaf(&not_ca, &["n.test"]);
    assert_eq!(
        code(verify_server_chain(
            &store,
            &[l, not_ca.der.clone()],
            None,
            now()
        )),
        (79, 1)
    );

    // Path length: a root allowing no intermediate.
    let strict_root = root_with("Strict Root", &PKCS_ECDSA_P256_SHA256, |p| {
        p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    });
    let inter = intermediate(&strict_root, "Under Strict");
    let l = leaf(&inter, &["p.test"]);
    assert_eq!(
        code(verify_server_chain(
            &store_of(&[&strict_root]),
            &[l.clone(), inter.der.clone()],
            None,
            now()
        )),
        (25, 2)
    );
    let direct = leaf(&strict_root, &["p.test"]);
    assert_eq!(
        code(verify_server_chain(
            &store_of(&[&strict_root]),
            &[direct],
            None,
            now()
        )),
        (0, 0)
    );
}

#[test]
fn bad_signature_in_chain() {
    let p = pki();
    let store = store_of(&[&p.root]);
    let mut bytes = p.leaf.as_ref().to_vec();
    let n = bytes.len();
    // Flip a bit inside the TBSCertificate's serial number area (after the headers).
    bytes[20] ^= 0x01;
    let tampered = CertificateDer::from(bytes);
    assert_eq!(
        code(verify_server_chain(
            &store,
            &[tampered, p.inter.der.clone()],
            None,
            now()
        )),
        (7, 0)
    );
    // Damage the last byte of the intermediate's signature instead: depth 1.
    let mut inter = p.inter.der.as_ref().to_vec();
    let last = inter.len() - 1;
    inter[last] ^= 0x55;
    let res = verify_server_chain(
        &store,
        &[p.leaf.clone(), CertificateDer::from(inter)],
        None,
        now(),
    );
    assert_eq!(code(res), (7, 1));
    assert_eq!(VerifyCode::CERT_SIGNATURE_FAILURE.alert(), 51);
    assert!(n > 20);
}

#[test]
fn rsa_and_mixed_chains() {
    let rsa_key =
        KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048).expect("rsa");
    let params = ca_params("RSA Root");
    let cert = params.self_signed(&rsa_key).expect("sign");
    let rsa_root = Ca {
        der: cert.der().clone(),
        pem: cert.pem(),
        issuer: Issuer::new(params, rsa_key),
    };
    let (l, _) = leaf_with(&rsa_root, &["rsa.test"], &PKCS_ED25519, |_| {});
    assert_eq!(
        code(verify_server_chain(
            &store_of(&[&rsa_root]),
            &[l],
            Some("rsa.test"),
            now()
        )),
        (0, 0)
    );
    let p384 = root_with("P384 Root", &PKCS_ECDSA_P384_SHA384, |_| {});
    let (l, _) = leaf_with(&p384, &["p384.test"], &PKCS_ECDSA_P384_SHA384, |_| {});
    assert_eq!(
        code(verify_server_chain(
            &store_of(&[&p384]),
            &[l],
            Some("p384.test"),
            now()
        )),
        (0, 0)
    );
}

fn sign(key: &KeyPair, msg: &[u8]) -> Vec<u8> {
    SigningKey::sign(key, msg).expect("sign")
}

#[test]
fn handshake_signatures() {
    let root = root("Sig Root");
    let msg = b"TLS 1.3, server CertificateVerify\x00 transcript hash";

    for (alg, scheme) in [
        (&PKCS_ECDSA_P256_SHA256, S::EcdsaSecp256r1Sha256),
        (&PKCS_ECDSA_P384_SHA384, S::EcdsaSecp384r1Sha384),
        (&PKCS_ED25519, S::Ed25519),
    ] {
        let (cert, key) = leaf_with(&root, &["sig.test"], alg, |_| {});
        let sig = sign(&key, msg);
        assert_eq!(
            verify_signature(&cert, scheme, msg, &sig),
            Ok(()),
            "{scheme:?}"
        );
        assert_eq!(
            verify_signature(&cert, scheme, b"other message", &sig),
            Err(X509Error::BadSignature),
            "{scheme:?}"
        );
        let mut bad = sig.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert_eq!(
            verify_signature(&cert, scheme, msg, &bad),
            Err(X509Error::BadSignature),
            "{scheme:?}"
        );
        // A scheme for another key type.
        assert_eq!(
            verify_signature(&cert, S::RsaPssRsaeSha256, msg, &sig),
            Err(X509Error::UnsupportedSignatureScheme)
        );
        assert_eq!(
            verify_signature(&cert, S::EcdsaSha1, msg, &sig),
            Err(X509Error::UnsupportedSignatureScheme)
        );
    }

    // TLS 1.3 fixes the curve, TLS 1.2 does not.
    let (p384, key) = leaf_with(&root, &["sig.test"], &PKCS_ECDSA_P384_SHA384, |_| {});
    let sig256 = {
        let pkey = openssl::pkey::PKey::private_key_from_pkcs8(key.serialized_der()).expect("pk");
        let mut signer =
            openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &pkey).expect("s");
        signer.sign_oneshot_to_vec(msg).expect("sign")
    };
    assert_eq!(
        verify_signature(&p384, S::EcdsaSecp256r1Sha256, msg, &sig256),
        Err(X509Error::UnsupportedSignatureScheme)
    );
    assert_eq!(
        verify_signature_tls12(&p384, S::EcdsaSecp256r1Sha256, msg, &sig256),
        Ok(())
    );

    // RSA: PKCS#1 v1.5 from rcgen, PSS (rsaEncryption key) from OpenSSL.
    let rsa_key =
        KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048).expect("rsa");
    let mut params = CertificateParams::new(vec!["rsa.test".to_string()]).expect("params");
    params.use_authority_key_identifier_extension = true;
    let rsa_cert = params
        .signed_by(&rsa_key, &root.issuer)
        .expect("sign")
        .der()
        .clone();
    let sig = sign(&rsa_key, msg);
    assert_eq!(
        verify_signature(&rsa_cert, S::RsaPkcs1Sha256, msg, &sig),
        Ok(())
    );
    assert_eq!(
        verify_signature(&rsa_cert, S::RsaPkcs1Sha384, msg, &sig),
        Err(X509Error::BadSignature)
    );
    assert_eq!(
        verify_signature(&rsa_cert, S::RsaPkcs1Sha1, msg, &sig),
        Err(X509Error::UnsupportedSignatureScheme)
    );
    let pkey = openssl::pkey::PKey::private_key_from_pkcs8(rsa_key.serialized_der()).expect("pk");
    for (md, scheme) in [
        (openssl::hash::MessageDigest::sha256(), S::RsaPssRsaeSha256),
        (openssl::hash::MessageDigest::sha384(), S::RsaPssRsaeSha384),
        (openssl::hash::MessageDigest::sha512(), S::RsaPssRsaeSha512),
    ] {
        let sig = pss_sign(&pkey, md, msg);
        assert_eq!(
            verify_signature(&rsa_cert, scheme, msg, &sig),
            Ok(()),
            "{scheme:?}"
        );
        assert_eq!(
            verify_signature(&rsa_cert, scheme, b"tampered", &sig),
            Err(X509Error::BadSignature)
        );
        // The PSS-PSS variant needs an RSASSA-PSS key.
        assert_eq!(
            verify_signature(&rsa_cert, S::RsaPssPssSha256, msg, &sig),
            Err(X509Error::UnsupportedSignatureScheme)
        );
    }
    assert!(verify_signature(&CertificateDer::from(vec![1, 2, 3]), S::Ed25519, msg, b"x").is_err());
}

fn pss_sign(
    pkey: &openssl::pkey::PKeyRef<openssl::pkey::Private>,
    md: openssl::hash::MessageDigest,
    msg: &[u8],
) -> Vec<u8> {
    let mut signer = openssl::sign::Signer::new(md, pkey).expect("signer");
    signer
        .set_rsa_padding(openssl::rsa::Padding::PKCS1_PSS)
        .expect("pad");
    signer
        .set_rsa_pss_saltlen(openssl::sign::RsaPssSaltlen::DIGEST_LENGTH)
        .expect("salt");
    signer.sign_oneshot_to_vec(msg).expect("sign")
}

#[test]
fn rsa_pss_pss_key() {
    use openssl::pkey::{Id, PKey};
    use openssl::pkey_ctx::PkeyCtx;

    let mut ctx = PkeyCtx::new_id(Id::RSA_PSS).expect("ctx");
    ctx.keygen_init().expect("init");
    ctx.set_rsa_keygen_bits(2048).expect("bits");
    let pkey: PKey<openssl::pkey::Private> = ctx.keygen().expect("keygen");
    let mut b = openssl::x509::X509Builder::new().expect("builder");
    b.set_version(2).expect("v");
    let mut name = openssl::x509::X509NameBuilder::new().expect("name");
    name.append_entry_by_text("CN", "pss.test").expect("cn");
    let name = name.build();
    b.set_subject_name(&name).expect("subject");
    b.set_issuer_name(&name).expect("issuer");
    b.set_pubkey(&pkey).expect("pubkey");
    b.set_not_before(&openssl::asn1::Asn1Time::days_from_now(0).expect("t"))
        .expect("nb");
    b.set_not_after(&openssl::asn1::Asn1Time::days_from_now(30).expect("t"))
        .expect("na");
    b.sign(&pkey, openssl::hash::MessageDigest::sha256())
        .expect("sign");
    let cert = CertificateDer::from(b.build().to_der().expect("der"));

    let msg = b"rsa_pss_pss_sha256 message";
    let sig = pss_sign(&pkey, openssl::hash::MessageDigest::sha256(), msg);
    assert_eq!(
        verify_signature(&cert, S::RsaPssPssSha256, msg, &sig),
        Ok(())
    );
    assert_eq!(
        verify_signature(&cert, S::RsaPssPssSha256, b"other", &sig),
        Err(X509Error::BadSignature)
    );
    assert_eq!(
        verify_signature(&cert, S::RsaPssRsaeSha256, msg, &sig),
        Err(X509Error::UnsupportedSignatureScheme)
    );
    let sig384 = pss_sign(&pkey, openssl::hash::MessageDigest::sha384(), msg);
    assert_eq!(
        verify_signature(&cert, S::RsaPssPssSha384, msg, &sig384),
        Ok(())
    );
    assert_eq!(subject_oneline(&cert), "/CN=pss.test");
}

#[test]
fn spki_and_names() {
    let root = root("Name Root");
    let (cert, key) = leaf_with(&root, &["names.test"], &PKCS_ECDSA_P256_SHA256, |p| {
        p.distinguished_name = rcgen::DistinguishedName::new();
        p.distinguished_name.push(DnType::CountryName, "FR");
        p.distinguished_name
            .push(DnType::StateOrProvinceName, "Ile-de-France");
        p.distinguished_name.push(DnType::LocalityName, "Paris");
        p.distinguished_name
            .push(DnType::OrganizationName, "Ex\u{e9}mple");
        p.distinguished_name
            .push(DnType::OrganizationalUnitName, "Unit");
        p.distinguished_name.push(DnType::CommonName, "names.test");
        p.distinguished_name
            .push(DnType::CustomDnType(vec![1, 2, 3, 4]), "custom");
    });
    assert_eq!(
        spki_of(&cert).expect("spki"),
        rcgen::PublicKeyData::subject_public_key_info(&key)
    );
    assert_eq!(
        subject_oneline(&cert),
        "/C=FR/ST=Ile-de-France/L=Paris/O=Ex\\xC3\\xA9mple/OU=Unit/CN=names.test/1.2.3.4=custom"
    );
    assert_eq!(issuer_oneline(&cert), "/CN=Name Root/O=oxssl tests");
    // Same as OpenSSL's X509_NAME_oneline.
    let x = openssl::x509::X509::from_der(cert.as_ref()).expect("openssl parse");
    let entries: Vec<String> = x
        .issuer_name()
        .entries()
        .map(|e| {
            format!(
                "/{}={}",
                e.object().nid().short_name().expect("sn"),
                e.data().to_string().expect("utf8")
            )
        })
        .collect();
    assert_eq!(issuer_oneline(&cert), entries.concat());
    assert!(is_well_formed(&cert));
    let (nb, na) = validity_of(&cert).expect("validity");
    assert!(nb < na);
    assert_eq!(subject_oneline(&CertificateDer::from(vec![0x30, 0x00])), "");
    assert!(spki_of(&CertificateDer::from(vec![0x30, 0x00])).is_err());
}

#[test]
fn trust_store_basics() {
    let p = pki();
    let mut store = TrustStore::new();
    assert!(store.is_empty());
    let two = format!("{}{}", p.root.pem, p.inter.pem);
    assert_eq!(store.add_pem(two.as_bytes()).expect("add"), 2);
    assert_eq!(store.len(), 2);
    // Duplicates are counted as read but stored once.
    assert_eq!(store.add_pem(p.root.pem.as_bytes()).expect("add"), 1);
    assert_eq!(store.len(), 2);
    assert_eq!(format!("{store:?}"), "TrustStore { anchors: 2 }");
    assert!(store.add_der(b"\x30\x03\x02\x01\x00").is_err());
    assert!(store.add_pem(b"no pem here").is_err());
    let clone = store.clone();
    store.add_der(root("Third").der.as_ref()).expect("add");
    assert_eq!((clone.len(), store.len()), (2, 3));

    let mut system = TrustStore::new();
    let n = system.add_system_roots();
    assert_eq!(n, system.len());
    if std::env::var_os("SSL_CERT_FILE").is_none()
        && std::path::Path::new("/etc/ssl/certs/ca-certificates.crt").exists()
    {
        assert!(n > 0);
    }
}

/// xorshift64*: a tiny deterministic generator for the fuzz-style tests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % (n as u64).max(1)) as usize
    }
}

fn exercise(store: &TrustStore, data: &[u8], good: &CertificateDer<'_>) {
    let cert = CertificateDer::from(data.to_vec());
    let _ = subject_oneline(&cert);
    let _ = issuer_oneline(&cert);
    let _ = spki_of(&cert);
    let _ = is_well_formed(&cert);
    let _ = validity_of(&cert);
    let _ = certs_from_pem(data);
    let _ = private_key_from_pem(data);
    let _ = verify_server_chain(
        store,
        std::slice::from_ref(&cert),
        Some("example.com"),
        now(),
    );
    let _ = verify_server_chain(
        store,
        &[good.clone(), cert.clone()],
        Some("127.0.0.1"),
        now(),
    );
    let _ = verify_client_chain(store, &[cert.clone(), cert.clone()], now());
    let _ = verify_signature(&cert, S::EcdsaSecp256r1Sha256, data, data);
    let _ = verify_signature(&cert, S::RsaPssPssSha256, data, data);
    let _ = check_hostname(&cert, "example.com");
    let mut s = TrustStore::new();
    let _ = s.add_der(data);
    let _ = s.add_pem(data);
}

#[test]
fn garbage_never_panics() {
    let p = pki();
    let store = store_of(&[&p.root, &p.inter]);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let sources = [p.leaf.as_ref().to_vec(), p.inter.der.as_ref().to_vec()];

    // Every truncation of a real certificate.
    for src in &sources {
        for end in 0..src.len() {
            exercise(&store, &src[..end], &p.leaf);
        }
    }
    // Random bit flips and byte overwrites.
    for _ in 0..1500 {
        let mut data = sources[rng.below(2)].clone();
        for _ in 0..=rng.below(4) {
            let i = rng.below(data.len());
            data[i] = if rng.next() & 1 == 0 {
                data[i] ^ (1 << rng.below(8))
            } else {
                rng.next() as u8
            };
        }
        exercise(&store, &data, &p.leaf);
    }
    // Pure noise, some of it starting like DER or PEM.
    for _ in 0..500 {
        let len = rng.below(300);
        let mut data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        match rng.below(3) {
            0 => {
                if let Some(b) = data.first_mut() {
                    *b = 0x30;
                }
            }
            1 => {
                let mut pem = b"-----BEGIN CERTIFICATE-----\n".to_vec();
                pem.extend_from_slice(&data);
                data = pem;
            }
            _ => {}
        }
        exercise(&store, &data, &p.leaf);
    }
    // Names made of random DER.
    for _ in 0..2000 {
        let len = rng.below(64);
        let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let _ = name::oneline(&data);
        let _ = name::dotted_oid(&data);
    }
}

/// What OpenSSL's own `X509_verify_cert` (the vendored openssl crate) says for the same input,
/// with the purpose, host and time set like an `SSL` object at security level 2 would.
fn openssl_verdict(
    anchors: &[&CertificateDer<'_>],
    chain: &[CertificateDer<'_>],
    server: bool,
    host: Option<&str>,
    at: UnixTime,
) -> (i32, u32) {
    use openssl::stack::Stack;
    use openssl::x509::store::X509StoreBuilder;
    use openssl::x509::verify::X509VerifyParam;
    use openssl::x509::{X509PurposeId, X509StoreContext, X509};

    let mut builder = X509StoreBuilder::new().expect("store");
    for a in anchors {
        builder
            .add_cert(X509::from_der(a.as_ref()).expect("anchor"))
            .expect("add");
    }
    let mut param = X509VerifyParam::new().expect("param");
    param
        .set_purpose(if server {
            X509PurposeId::SSL_SERVER
        } else {
            X509PurposeId::SSL_CLIENT
        })
        .expect("purpose");
    param.set_time(at.as_secs() as _);
    param.set_auth_level(2);
    match host.map(|h| (h, h.parse::<std::net::IpAddr>())) {
        Some((_, Ok(ip))) => param.set_ip(ip).expect("ip"),
        Some((h, Err(_))) => param.set_host(h).expect("host"),
        None => {}
    }
    builder.set_param(&param).expect("set param");
    let store = builder.build();
    let leaf = X509::from_der(chain[0].as_ref()).expect("leaf");
    let mut untrusted = Stack::new().expect("stack");
    for c in &chain[1..] {
        untrusted
            .push(X509::from_der(c.as_ref()).expect("cert"))
            .expect("push");
    }
    let mut ctx = X509StoreContext::new().expect("ctx");
    ctx.init(&store, &leaf, &untrusted, |ctx| {
        let ok = ctx.verify_cert()?;
        Ok(if ok {
            (0, 0)
        } else {
            (ctx.error().as_raw(), ctx.error_depth())
        })
    })
    .expect("verify")
}

#[test]
fn same_verdicts_as_openssl() {
    let p = pki();
    let other = root("Other Root");
    let t = now();
    let ok_chain = vec![p.leaf.clone(), p.inter.der.clone()];

    let (expired, _) = leaf_with(&p.inter, &["old.test"], &PKCS_ECDSA_P256_SHA256, |c| {
        c.not_before = date_time_ymd(2000, 1, 1);
        c.not_after = date_time_ymd(2001, 1, 1);
    });
    let (future, _) = leaf_with(&p.inter, &["new.test"], &PKCS_ECDSA_P256_SHA256, |c| {
        c.not_before = date_time_ymd(2090, 1, 1);
    });
    let old_inter = intermediate_with(&p.root, "Old Intermediate", |c| {
        c.not_before = date_time_ymd(2000, 1, 1);
        c.not_after = date_time_ymd(2001, 1, 1);
    });
    let under_old = leaf(&old_inter, &["u.test"]);
    let old_root = root_with("Old Root", &PKCS_ECDSA_P256_SHA256, |c| {
        c.not_before = date_time_ymd(2000, 1, 1);
        c.not_after = date_time_ymd(2001, 1, 1);
    });
    let under_old_root = leaf(&old_root, &["r.test"]);
    let (client_only, _) = leaf_with(&p.inter, &["c.test"], &PKCS_ECDSA_P256_SHA256, |c| {
        c.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    });
    let (crl_only, _) = leaf_with(&p.inter, &["k.test"], &PKCS_ECDSA_P256_SHA256, |c| {
        c.key_usages = vec![KeyUsagePurpose::CrlSign];
    });
    let not_ca = intermediate_with(&p.root, "Not A CA", |c| c.is_ca = IsCa::ExplicitNoCa);
    let under_not_ca = leaf(&not_ca, &["n.test"]);
    let strict_root = root_with("Strict Root", &PKCS_ECDSA_P256_SHA256, |c| {
        c.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    });
    let under_strict_inter = intermediate(&strict_root, "Under Strict");
    let under_strict = leaf(&under_strict_inter, &["p.test"]);
    let self_signed = {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("key");
        let mut params = ca_params("localhost");
        params.key_usages = vec![];
        params.self_signed(&key).expect("sign").der().clone()
    };
    let mut bad_leaf = p.leaf.as_ref().to_vec();
    bad_leaf[20] ^= 1;
    let bad_leaf = CertificateDer::from(bad_leaf);
    let mut bad_inter = p.inter.der.as_ref().to_vec();
    let last = bad_inter.len() - 1;
    bad_inter[last] ^= 0x55;
    let bad_inter = CertificateDer::from(bad_inter);

    let ossl_key = |bits: u32| {
        openssl::pkey::PKey::from_rsa(openssl::rsa::Rsa::generate(bits).expect("rsa")).expect("pk")
    };
    let weak_key = openssl_leaf(
        &p.inter,
        &ossl_key(1024),
        openssl::hash::MessageDigest::sha256(),
        "weak.test",
        Some("weak.test"),
    );
    let sha1_leaf = openssl_leaf(
        &p.inter,
        &ossl_key(2048),
        openssl::hash::MessageDigest::sha1(),
        "sha1.test",
        Some("sha1.test"),
    );
    let cn_only = openssl_leaf(
        &p.inter,
        &ossl_key(2048),
        openssl::hash::MessageDigest::sha256(),
        "cn.test",
        None,
    );
    let cn_and_san = openssl_leaf(
        &p.inter,
        &ossl_key(2048),
        openssl::hash::MessageDigest::sha256(),
        "cn.test",
        Some("san.test"),
    );

    // Name constraints on the intermediate: permitted example.com, excluded bad.example.com.
    let constrained = intermediate_with(&p.root, "Constrained", |c| {
        c.name_constraints = Some(rcgen::NameConstraints {
            permitted_subtrees: vec![rcgen::GeneralSubtree::DnsName("example.com".into())],
            excluded_subtrees: vec![rcgen::GeneralSubtree::DnsName("bad.example.com".into())],
        });
    });
    let inside = leaf(&constrained, &["www.example.com"]);
    let outside = leaf(&constrained, &["www.example.org"]);
    let excluded = leaf(&constrained, &["x.bad.example.com"]);

    type Case<'a> = (
        &'a str,
        Vec<&'a CertificateDer<'static>>,
        Vec<CertificateDer<'static>>,
        bool,
        Option<&'a str>,
    );
    let cases: Vec<Case<'_>> = vec![
        (
            "good",
            vec![&p.root.der],
            ok_chain.clone(),
            true,
            Some("example.com"),
        ),
        (
            "wildcard",
            vec![&p.root.der],
            ok_chain.clone(),
            true,
            Some("x.wild.example.com"),
        ),
        (
            "wrong host",
            vec![&p.root.der],
            ok_chain.clone(),
            true,
            Some("other.test"),
        ),
        (
            "ip",
            vec![&p.root.der],
            ok_chain.clone(),
            true,
            Some("127.0.0.1"),
        ),
        (
            "wrong ip",
            vec![&p.root.der],
            ok_chain.clone(),
            true,
            Some("10.1.2.3"),
        ),
        (
            "client purpose, no EKU",
            vec![&p.root.der],
            ok_chain.clone(),
            false,
            None,
        ),
        (
            "unknown issuer",
            vec![&other.der],
            ok_chain.clone(),
            true,
            None,
        ),
        (
            "unknown issuer, leaf only",
            vec![&other.der],
            ok_chain[..1].to_vec(),
            true,
            None,
        ),
        (
            "no anchors",
            vec![],
            ok_chain.clone(),
            true,
            Some("example.com"),
        ),
        (
            "untrusted root sent",
            vec![&other.der],
            vec![p.leaf.clone(), p.inter.der.clone(), p.root.der.clone()],
            true,
            None,
        ),
        (
            "intermediate only trusted",
            vec![&p.inter.der],
            ok_chain.clone(),
            true,
            None,
        ),
        (
            "root and intermediate trusted",
            vec![&p.root.der, &p.inter.der],
            ok_chain[..1].to_vec(),
            true,
            None,
        ),
        (
            "self-signed",
            vec![&other.der],
            vec![self_signed.clone()],
            true,
            None,
        ),
        (
            "self-signed trusted",
            vec![&self_signed],
            vec![self_signed.clone()],
            true,
            Some("localhost"),
        ),
        (
            "self-signed trusted, wrong host",
            vec![&self_signed],
            vec![self_signed.clone()],
            true,
            Some("x.test"),
        ),
        (
            "expired",
            vec![&p.root.der],
            vec![expired.clone(), p.inter.der.clone()],
            true,
            None,
        ),
        (
            "expired + wrong host",
            vec![&p.root.der],
            vec![expired.clone(), p.inter.der.clone()],
            true,
            Some("x.test"),
        ),
        (
            "expired + untrusted",
            vec![&other.der],
            vec![expired.clone(), p.inter.der.clone()],
            true,
            None,
        ),
        (
            "not yet valid",
            vec![&p.root.der],
            vec![future.clone(), p.inter.der.clone()],
            true,
            None,
        ),
        (
            "expired intermediate",
            vec![&p.root.der],
            vec![under_old.clone(), old_inter.der.clone()],
            true,
            None,
        ),
        (
            "expired root",
            vec![&old_root.der],
            vec![under_old_root.clone()],
            true,
            None,
        ),
        (
            "client EKU for server",
            vec![&p.root.der],
            vec![client_only.clone(), p.inter.der.clone()],
            true,
            None,
        ),
        (
            "client EKU for client",
            vec![&p.root.der],
            vec![client_only.clone(), p.inter.der.clone()],
            false,
            None,
        ),
        (
            "key usage crlSign only",
            vec![&p.root.der],
            vec![crl_only.clone(), p.inter.der.clone()],
            true,
            None,
        ),
        (
            "intermediate not CA",
            vec![&p.root.der],
            vec![under_not_ca.clone(), not_ca.der.clone()],
            true,
            None,
        ),
        (
            "path length",
            vec![&strict_root.der],
            vec![under_strict.clone(), under_strict_inter.der.clone()],
            true,
            None,
        ),
        (
            "bad leaf signature",
            vec![&p.root.der],
            vec![bad_leaf.clone(), p.inter.der.clone()],
            true,
            None,
        ),
        (
            "bad intermediate signature",
            vec![&p.root.der],
            vec![p.leaf.clone(), bad_inter.clone()],
            true,
            None,
        ),
        (
            "RSA-1024 leaf",
            vec![&p.root.der],
            vec![weak_key.clone(), p.inter.der.clone()],
            true,
            None,
        ),
        (
            "SHA-1 signed leaf",
            vec![&p.root.der],
            vec![sha1_leaf.clone(), p.inter.der.clone()],
            true,
            None,
        ),
        (
            "CN only",
            vec![&p.root.der],
            vec![cn_only.clone(), p.inter.der.clone()],
            true,
            Some("cn.test"),
        ),
        (
            "CN only, wrong host",
            vec![&p.root.der],
            vec![cn_only.clone(), p.inter.der.clone()],
            true,
            Some("CN.test.other"),
        ),
        (
            "SAN present, CN ignored",
            vec![&p.root.der],
            vec![cn_and_san.clone(), p.inter.der.clone()],
            true,
            Some("cn.test"),
        ),
        (
            "SAN present, SAN used",
            vec![&p.root.der],
            vec![cn_and_san.clone(), p.inter.der.clone()],
            true,
            Some("san.test"),
        ),
        (
            "name constraints, permitted",
            vec![&p.root.der],
            vec![inside.clone(), constrained.der.clone()],
            true,
            Some("www.example.com"),
        ),
        (
            "name constraints, outside the permitted subtree",
            vec![&p.root.der],
            vec![outside.clone(), constrained.der.clone()],
            true,
            None,
        ),
        (
            "name constraints, excluded subtree",
            vec![&p.root.der],
            vec![excluded.clone(), constrained.der.clone()],
            true,
            None,
        ),
        (
            "missing intermediate",
            vec![&p.root.der],
            vec![p.leaf.clone()],
            true,
            Some("example.com"),
        ),
        (
            "shuffled with extras",
            vec![&p.root.der],
            vec![
                p.leaf.clone(),
                other.der.clone(),
                p.inter.der.clone(),
                p.root.der.clone(),
            ],
            true,
            Some("example.com"),
        ),
    ];

    for (what, anchors, chain, server, host) in cases {
        let mut store = TrustStore::new();
        for a in &anchors {
            store.add_der(a.as_ref()).expect("add");
        }
        let ours = if server {
            code(verify_server_chain(&store, &chain, host, t))
        } else {
            code(verify_client_chain(&store, &chain, t))
        };
        let theirs = openssl_verdict(&anchors, &chain, server, host, t);
        assert_eq!(ours, theirs, "{what}");
    }
}

/// A leaf made by OpenSSL (for keys and digests rcgen refuses), issued by `ca`.
fn openssl_leaf(
    ca: &Ca,
    key: &openssl::pkey::PKeyRef<openssl::pkey::Private>,
    md: openssl::hash::MessageDigest,
    cn: &str,
    san: Option<&str>,
) -> CertificateDer<'static> {
    use openssl::x509::{extension::SubjectAlternativeName, X509Builder, X509NameBuilder, X509};
    let ca_cert = X509::from_der(ca.der.as_ref()).expect("ca");
    let ca_key =
        openssl::pkey::PKey::private_key_from_pkcs8(ca.issuer.key().serialized_der()).expect("k");
    let mut b = X509Builder::new().expect("builder");
    b.set_version(2).expect("v");
    let serial = openssl::bn::BigNum::from_u32(7)
        .expect("bn")
        .to_asn1_integer()
        .expect("int");
    b.set_serial_number(&serial).expect("serial");
    let mut name = X509NameBuilder::new().expect("name");
    name.append_entry_by_text("CN", cn).expect("cn");
    b.set_subject_name(&name.build()).expect("subject");
    b.set_issuer_name(ca_cert.subject_name()).expect("issuer");
    b.set_pubkey(key).expect("pubkey");
    b.set_not_before(&openssl::asn1::Asn1Time::days_from_now(0).expect("t"))
        .expect("nb");
    b.set_not_after(&openssl::asn1::Asn1Time::days_from_now(30).expect("t"))
        .expect("na");
    if let Some(san) = san {
        let ext = SubjectAlternativeName::new()
            .dns(san)
            .build(&b.x509v3_context(Some(&ca_cert), None))
            .expect("san");
        b.append_extension(ext).expect("ext");
    }
    b.sign(&ca_key, md).expect("sign");
    CertificateDer::from(b.build().to_der().expect("der"))
}

/// A chain built to make path building expensive: 150 self-signed CAs that all share the
/// leaf's issuer name (none of them its real issuer, none trusted). Every one is a
/// candidate issuer at every level, so an unbounded path builder would try 150^depth
/// paths; the verification must end quickly with an error (issue 11).
#[test]
fn path_building_is_bounded() {
    let real_issuer = root("Maze");
    let decoys: Vec<Ca> = (0..150).map(|_| root("Maze")).collect();
    let store = store_of(&[&root("Trusted Root")]);
    // With the leaf's authority key id (found in none of the decoys), and without it (every
    // decoy is then a candidate by name alone, and only signatures tell them apart).
    for akid in [true, false] {
        let (leaf, _) = leaf_with(
            &real_issuer,
            &["maze.example"],
            &PKCS_ECDSA_P256_SHA256,
            |p| {
                p.use_authority_key_identifier_extension = akid;
            },
        );
        let mut chain = vec![leaf];
        chain.extend(decoys.iter().map(|d| d.der.clone()));
        let started = std::time::Instant::now();
        let r = verify_server_chain(&store, &chain, Some("maze.example"), now());
        let took = started.elapsed();
        let (code, _) = code(r);
        eprintln!("path building over 150 decoys (akid {akid}): code {code} in {took:?}");
        assert!(
            took < std::time::Duration::from_secs(2),
            "path building took {took:?}"
        );
        // OpenSSL's answers: an issuer it cannot find (by key id), a self-signed untrusted
        // certificate met by name, or the path builder's budget running out.
        assert!(
            code == VerifyCode::UNABLE_TO_GET_ISSUER_CERT_LOCALLY.0
                || code == VerifyCode::SELF_SIGNED_CERT_IN_CHAIN.0
                || code == VerifyCode::CERT_CHAIN_TOO_LONG.0,
            "code {code} after {took:?}"
        );
    }
}

/// Issue 10's hostile chain: ~100 KiB of certificates whose names chain up to a trusted
/// root but whose signatures are all bad. OpenSSL builds the path by name and fails at the
/// first signature it checks (the top link); so does the walk, without spending a
/// signature check per candidate.
#[test]
fn chain_of_bad_signatures_is_cheap_and_reported_as_openssl_does() {
    let root = root("Hostile Root");
    // One RSA-3072 key for every intermediate keeps the test fast and each certificate
    // about 1 KiB: 100 of them make a ~100 KiB Certificate message.
    let rsa =
        KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_3072).expect("rsa");
    let mut cas: Vec<Ca> = Vec::new();
    for i in 0..99 {
        let mut params = ca_params(&format!("Hostile {i}"));
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::from_pkcs8_der_and_sign_algo(
            &rustls_pki_types::PrivatePkcs8KeyDer::from(rsa.serialize_der()),
            &rcgen::PKCS_RSA_SHA256,
        )
        .expect("key");
        let cert = match cas.last() {
            Some(parent) => params.signed_by(&key, &parent.issuer),
            None => params.signed_by(&key, &root.issuer),
        }
        .expect("sign");
        cas.push(Ca {
            der: cert.der().clone(),
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        });
    }
    let leaf = leaf(cas.last().expect("ca"), &["hostile.example"]);
    let corrupt = |der: &CertificateDer<'_>| {
        let mut d = der.as_ref().to_vec();
        let last = d.len() - 1;
        d[last] ^= 0x5a;
        CertificateDer::from(d)
    };
    let mut chain = vec![corrupt(&leaf)];
    chain.extend(cas.iter().rev().map(|c| corrupt(&c.der)));
    let size: usize = chain.iter().map(|c| c.as_ref().len() + 3).sum();
    assert!(size > 100_000, "{size} bytes");
    let store = store_of(&[&root]);
    let t = now();
    let started = std::time::Instant::now();
    let ours = code(verify_server_chain(
        &store,
        &chain,
        Some("hostile.example"),
        t,
    ));
    let took = started.elapsed();
    eprintln!(
        "{} certificates, {size} bytes of bad signatures: {ours:?} in {took:?}",
        chain.len()
    );
    let theirs = openssl_verdict(&[&root.der], &chain, true, Some("hostile.example"), t);
    assert_eq!(ours, theirs);
    assert!(took < std::time::Duration::from_millis(50), "{took:?}");
}

#[path = "tests_callback.rs"]
mod callback;

#[path = "tests_security.rs"]
mod security;
