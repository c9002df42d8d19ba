//! The `openssl`-crate-shaped API against the `openssl` crate itself (vendored OpenSSL
//! 3.6): certificate, name, key and digest accessors give the same answers for the same
//! input; keying material exported on both ends of a connection agrees; the key log
//! callback sees the secrets OpenSSL logs on the other end; cipher and state accessors.

mod common;

use common::certs::{issue, KeyKind, LeafSpec};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};

fn certs() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for kind in KeyKind::ALL {
        let mut spec = LeafSpec::server(kind);
        spec.names = vec![
            "example.com".into(),
            "*.wild.example.com".into(),
            "10.0.0.1".into(),
            "::1".into(),
        ];
        out.push(issue(&spec).leaf_der);
    }
    // One made by OpenSSL with a multi-attribute subject, an RSA key and a long serial.
    let rsa = openssl::rsa::Rsa::generate(2048).unwrap();
    let key = openssl::pkey::PKey::from_rsa(rsa).unwrap();
    let mut name = openssl::x509::X509NameBuilder::new().unwrap();
    name.append_entry_by_text("C", "FR").unwrap();
    name.append_entry_by_text("O", "Exämple Ltd").unwrap();
    name.append_entry_by_text("OU", "Ops").unwrap();
    name.append_entry_by_text("CN", "ossl.test").unwrap();
    let name = name.build();
    let mut b = openssl::x509::X509Builder::new().unwrap();
    b.set_version(2).unwrap();
    let serial = openssl::bn::BigNum::from_hex_str("00FEDCBA98765432100123456789").unwrap();
    b.set_serial_number(&serial.to_asn1_integer().unwrap())
        .unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_issuer_name(&name).unwrap();
    b.set_pubkey(&key).unwrap();
    b.set_not_before(&openssl::asn1::Asn1Time::from_unix(946_684_800).unwrap())
        .unwrap();
    b.set_not_after(&openssl::asn1::Asn1Time::from_unix(4_102_444_800).unwrap())
        .unwrap();
    b.sign(&key, openssl::hash::MessageDigest::sha256())
        .unwrap();
    out.push(b.build().to_der().unwrap());
    out
}

#[test]
fn certificate_accessors_match_openssl() {
    use openssl::hash::MessageDigest as OD;
    use oxssl::hash::MessageDigest as XD;
    for der in certs() {
        let o = openssl::x509::X509::from_der(&der).unwrap();
        let x = oxssl::x509::X509::from_der(&der).unwrap();
        // Names, entry by entry.
        for (on, xn) in [
            (o.subject_name(), x.subject_name()),
            (o.issuer_name(), x.issuer_name()),
        ] {
            let theirs: Vec<(i32, String)> = on
                .entries()
                .map(|e| (e.object().nid().as_raw(), e.data().to_string().unwrap()))
                .collect();
            let ours: Vec<(i32, String)> = xn
                .entries()
                .map(|e| (e.object().nid().as_raw(), e.data().as_utf8().unwrap()))
                .collect();
            assert_eq!(ours, theirs);
            let cn_o: Vec<String> = on
                .entries_by_nid(openssl::nid::Nid::COMMONNAME)
                .map(|e| e.data().to_string().unwrap())
                .collect();
            let cn_x: Vec<String> = xn
                .entries_by_nid(oxssl::nid::Nid::COMMONNAME)
                .map(|e| e.data().as_utf8().unwrap())
                .collect();
            assert_eq!(cn_x, cn_o);
            assert_eq!(xn.to_der().unwrap(), on.to_der().unwrap());
        }
        assert_eq!(x.not_before().to_string(), o.not_before().to_string());
        assert_eq!(x.not_after().to_string(), o.not_after().to_string());
        assert_eq!(
            x.serial_number().to_bn().unwrap().to_hex_str().unwrap(),
            o.serial_number()
                .to_bn()
                .unwrap()
                .to_hex_str()
                .unwrap()
                .to_string()
        );
        assert_eq!(
            x.serial_number().to_bn().unwrap().to_dec_str().unwrap(),
            o.serial_number()
                .to_bn()
                .unwrap()
                .to_dec_str()
                .unwrap()
                .to_string()
        );
        for (xd, od) in [
            (XD::sha1(), OD::sha1()),
            (XD::sha256(), OD::sha256()),
            (XD::sha384(), OD::sha384()),
            (XD::sha512(), OD::sha512()),
        ] {
            assert_eq!(&*x.digest(xd).unwrap(), &*o.digest(od).unwrap());
        }
        type Sans = Option<Vec<(Option<String>, Option<Vec<u8>>)>>;
        let sans = |names: Sans| names;
        let theirs = sans(o.subject_alt_names().map(|s| {
            s.iter()
                .map(|g| {
                    (
                        g.dnsname().map(str::to_string),
                        g.ipaddress().map(<[u8]>::to_vec),
                    )
                })
                .collect()
        }));
        let ours = sans(x.subject_alt_names().map(|s| {
            s.iter()
                .map(|g| {
                    (
                        g.dnsname().map(str::to_string),
                        g.ipaddress().map(<[u8]>::to_vec),
                    )
                })
                .collect()
        }));
        assert_eq!(ours, theirs);
        let (xk, ok) = (x.public_key().unwrap(), o.public_key().unwrap());
        assert_eq!(xk.id().as_raw(), ok.id().as_raw());
        assert_eq!(xk.bits(), ok.bits());
        assert_eq!(
            xk.public_key_to_der().unwrap(),
            ok.public_key_to_der().unwrap()
        );
        assert_eq!(x.to_pem().unwrap(), o.to_pem().unwrap());
        // X509_check_host / X509_check_ip_asc (the openssl crate has no wrapper): the
        // SANs, or the CN of a certificate without DNS SANs.
        let made_by_openssl = x.subject_alt_names().is_none();
        for (host, with_sans) in [
            ("example.com", true),
            ("a.wild.example.com", true),
            ("b.a.wild.example.com", false),
            ("b.example.com", false),
            ("10.0.0.1", true),
            ("::1", true),
            ("10.0.0.2", false),
            ("ossl.test", false),
        ] {
            let expected = if made_by_openssl {
                host == "ossl.test"
            } else {
                with_sans
            };
            assert_eq!(x.check_host(host).unwrap(), expected, "{host}");
        }
    }
}

#[test]
fn private_keys_match_openssl() {
    for kind in KeyKind::ALL {
        let pki = issue(&LeafSpec::server(kind));
        let x = oxssl::pkey::PKey::private_key_from_pem(pki.key_pem.as_bytes()).unwrap();
        let o = openssl::pkey::PKey::private_key_from_pem(pki.key_pem.as_bytes()).unwrap();
        assert_eq!(x.id().as_raw(), o.id().as_raw(), "{kind:?}");
        assert_eq!(x.bits(), o.bits(), "{kind:?}");
        assert_eq!(
            x.public_key_to_der().unwrap(),
            o.public_key_to_der().unwrap()
        );
        assert_eq!(
            x.public_key_to_pem().unwrap(),
            o.public_key_to_pem().unwrap()
        );
        let leaf = oxssl::x509::X509::from_der(&pki.leaf_der).unwrap();
        assert!(leaf.public_key().unwrap().public_eq(&x));
    }
    assert!(oxssl::pkey::PKey::private_key_from_pem(b"not a key").is_err());
}

/// An oxssl client and an OpenSSL server (and the reverse), exporting keying material
/// and logging keys on both ends.
#[test]
fn exporter_keylog_cipher_and_state_agree_with_openssl() {
    use openssl::ssl::{SslContext as OContext, SslMethod as OMethod, SslVersion as OVersion};
    use oxssl::ssl::{SslContext, SslMethod, SslVerifyMode, SslVersion};
    let pki = issue(&LeafSpec::server(KeyKind::EcdsaP256));
    for tls12 in [false, true] {
        let (a, b) = UnixStream::pair().unwrap();
        let ossl_lines = Arc::new(Mutex::new(Vec::new()));
        let seen = ossl_lines.clone();
        let leaf = pki.leaf_der.clone();
        let key = pki.key_der.clone();
        let server = std::thread::spawn(move || {
            let mut sb = OContext::builder(OMethod::tls_server()).unwrap();
            sb.set_certificate(&openssl::x509::X509::from_der(&leaf).unwrap())
                .unwrap();
            sb.set_private_key(&openssl::pkey::PKey::private_key_from_der(&key).unwrap())
                .unwrap();
            if tls12 {
                sb.set_max_proto_version(Some(OVersion::TLS1_2)).unwrap();
            }
            sb.set_keylog_callback(move |_, line| seen.lock().unwrap().push(line.to_string()));
            let ctx = sb.build();
            let mut s = openssl::ssl::Ssl::new(&ctx).unwrap().accept(b).unwrap();
            let mut out = Vec::new();
            for (label, context) in [
                ("EXPORTER-test", Some(&b"ctx"[..])),
                ("EXPORTER-none", None),
            ] {
                let mut buf = [0u8; 42];
                s.ssl()
                    .export_keying_material(&mut buf, label, context)
                    .unwrap();
                out.push(buf.to_vec());
            }
            let mut byte = [0u8; 1];
            let _ = std::io::Read::read(&mut s, &mut byte);
            (out, s.ssl().current_cipher().unwrap().name().to_string())
        });
        let ox_lines = Arc::new(Mutex::new(Vec::new()));
        let seen = ox_lines.clone();
        let mut cb = SslContext::builder(SslMethod::tls_client()).unwrap();
        cb.add_trusted_der(&pki.ca_der).unwrap();
        cb.set_verify(SslVerifyMode::PEER);
        if tls12 {
            cb.set_max_proto_version(Some(SslVersion::TLS1_2)).unwrap();
        }
        cb.set_keylog_callback(move |_ssl, line| seen.lock().unwrap().push(line.to_string()));
        let ctx = cb.build();
        let mut ssl = oxssl::ssl::Ssl::new(&ctx).unwrap();
        assert_eq!(ssl.state_string(), "PINIT");
        ssl.param_mut().set_host("localhost").unwrap();
        let mut s = ssl.connect(a).unwrap();
        assert_eq!(s.ssl().state_string(), "SSLOK");
        let mut ours = Vec::new();
        for (label, context) in [
            ("EXPORTER-test", Some(&b"ctx"[..])),
            ("EXPORTER-none", None),
        ] {
            let mut buf = [0u8; 42];
            s.ssl()
                .export_keying_material(&mut buf, label, context)
                .unwrap();
            ours.push(buf.to_vec());
        }
        let cipher = s.ssl().current_cipher().unwrap();
        assert_eq!(cipher.version(), if tls12 { "TLSv1.2" } else { "TLSv1.3" });
        assert!(cipher.bits().secret == 128 || cipher.bits().secret == 256);
        let cipher_name = cipher.name().to_string();
        std::io::Write::write_all(&mut s, b"x").unwrap();
        let (theirs, their_cipher) = server.join().unwrap();
        assert_eq!(ours, theirs, "tls12 {tls12}");
        assert_eq!(cipher_name, their_cipher);
        let mut ours = ox_lines.lock().unwrap().clone();
        let mut theirs = ossl_lines.lock().unwrap().clone();
        ours.sort();
        theirs.sort();
        assert!(!ours.is_empty());
        assert_eq!(ours, theirs, "tls12 {tls12}");
        if tls12 {
            // RFC 5705: labels the protocol uses are refused.
            let mut buf = [0u8; 8];
            let e = s
                .ssl()
                .export_keying_material(&mut buf, "key expansion", None)
                .unwrap_err();
            assert_eq!(e.errors()[0].reason(), Some("tls illegal exporter label"));
        }
    }
}

#[test]
fn error_stack_queue_and_names() {
    let _ = oxssl::error::ErrorStack::get();
    let e = oxssl::x509::X509::from_pem(b"garbage").unwrap_err();
    assert!(!e.to_string().is_empty());
    let err = oxssl::pkey::PKey::private_key_from_der(b"\x30\x00").unwrap_err();
    let first = &err.errors()[0];
    assert_eq!(first.library(), Some("SSL routines"));
    assert_eq!(first.library_code(), 20);
    assert!(first.reason().is_some());
    let queued = oxssl::error::ErrorStack::get();
    assert!(queued.errors().iter().any(|q| q == first));
    assert!(oxssl::error::ErrorStack::get().errors().is_empty());
}

/// `set_client_ca_list` / `client_ca_list`: the CA names a server lists in its
/// CertificateRequest reach the client, both ways, TLS 1.3 and 1.2.
#[test]
fn client_ca_list_reaches_the_other_side() {
    use openssl::ssl::{SslContext as OContext, SslMethod as OMethod, SslVersion as OVersion};
    use oxssl::ssl::{SslContext, SslMethod, SslVerifyMode, SslVersion};
    let pki = issue(&LeafSpec::server(KeyKind::EcdsaP256));
    let other = issue(&LeafSpec::server(KeyKind::EcdsaP384));
    let mut spec = LeafSpec::server(KeyKind::EcdsaP256);
    spec.client_auth = true;
    let client_id = issue(&spec);
    let ca = oxssl::x509::X509::from_der(&pki.ca_der).unwrap();
    let leaf = oxssl::x509::X509::from_der(&other.leaf_der).unwrap();
    let expected = vec![
        ca.subject_name().to_der().unwrap(),
        leaf.subject_name().to_der().unwrap(),
    ];
    for tls12 in [false, true] {
        // oxssl server -> OpenSSL client (whose end stays open until the server is done:
        // it still sends tickets after the client's handshake ends).
        let (a, b) = UnixStream::pair().unwrap();
        let keep = b.try_clone().unwrap();
        let (leaf_der, key_der) = (client_id.leaf_der.clone(), client_id.key_der.clone());
        let client = std::thread::spawn(move || {
            let mut cb = OContext::builder(OMethod::tls_client()).unwrap();
            if tls12 {
                cb.set_max_proto_version(Some(OVersion::TLS1_2)).unwrap();
            }
            cb.set_certificate(&openssl::x509::X509::from_der(&leaf_der).unwrap())
                .unwrap();
            cb.set_private_key(&openssl::pkey::PKey::private_key_from_der(&key_der).unwrap())
                .unwrap();
            let s = openssl::ssl::Ssl::new(&cb.build())
                .unwrap()
                .connect(b)
                .unwrap();
            let names = common::ossl_ffi::client_ca_names(s.ssl());
            (!names.is_empty()).then_some(names)
        });
        let mut sb = SslContext::builder(SslMethod::tls_server()).unwrap();
        sb.set_certificate_chain_der(vec![pki.leaf_der.clone()])
            .unwrap();
        sb.set_private_key_der(&pki.key_der).unwrap();
        sb.add_trusted_der(&pki.ca_der).unwrap();
        sb.set_verify(SslVerifyMode::PEER);
        let mut list = oxssl::stack::Stack::new().unwrap();
        list.push(ca.subject_name().clone()).unwrap();
        sb.set_client_ca_list(list);
        sb.add_client_ca(&leaf).unwrap();
        if tls12 {
            sb.set_max_proto_version(Some(SslVersion::TLS1_2)).unwrap();
        }
        let _s = oxssl::ssl::Ssl::new(&sb.build())
            .unwrap()
            .accept(a)
            .unwrap();
        drop(keep);
        assert_eq!(
            client.join().unwrap(),
            Some(expected.clone()),
            "tls12 {tls12}"
        );

        // OpenSSL server -> oxssl client.
        let (a, b) = UnixStream::pair().unwrap();
        let (leaf_der, key_der, names) =
            (pki.leaf_der.clone(), pki.key_der.clone(), expected.clone());
        let server = std::thread::spawn(move || {
            let mut sb = OContext::builder(OMethod::tls_server()).unwrap();
            sb.set_certificate(&openssl::x509::X509::from_der(&leaf_der).unwrap())
                .unwrap();
            sb.set_private_key(&openssl::pkey::PKey::private_key_from_der(&key_der).unwrap())
                .unwrap();
            sb.set_verify(openssl::ssl::SslVerifyMode::PEER);
            let mut st = openssl::stack::Stack::new().unwrap();
            for der in &names {
                st.push(openssl::x509::X509Name::from_der(der).unwrap())
                    .unwrap();
            }
            sb.set_client_ca_list(st);
            let _ = openssl::ssl::Ssl::new(&sb.build()).unwrap().accept(b);
        });
        let mut cb = SslContext::builder(SslMethod::tls_client()).unwrap();
        if tls12 {
            cb.set_max_proto_version(Some(SslVersion::TLS1_2)).unwrap();
        }
        let s = oxssl::ssl::Ssl::new(&cb.build())
            .unwrap()
            .connect(a)
            .unwrap();
        let got: Vec<Vec<u8>> = s
            .ssl()
            .client_ca_list()
            .map(|l| l.iter().map(|n| n.to_der().unwrap()).collect())
            .unwrap_or_default();
        drop(s);
        server.join().unwrap();
        assert_eq!(got, expected, "tls12 {tls12}");
    }
}
