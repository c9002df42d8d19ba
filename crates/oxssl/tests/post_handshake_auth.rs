//! TLS 1.3 post-handshake client authentication against OpenSSL 3.6, both ways: an oxssl
//! server asking an OpenSSL client (`SSL_set_post_handshake_auth`) for its certificate
//! after the handshake, and an OpenSSL server (`SSL_verify_client_post_handshake`) asking
//! an oxssl client; refusals with OpenSSL's reason codes.

mod common;

use common::certs::{issue, KeyKind, LeafSpec, Pki};
use common::ossl_ffi;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::thread;

fn client_pki() -> Pki {
    let mut spec = LeafSpec::server(KeyKind::EcdsaP256);
    spec.names = vec!["client.test".into()];
    spec.client_auth = true;
    issue(&spec)
}

fn ossl_ctx(identity: &Pki, ca: &[u8], server: bool) -> openssl::ssl::SslContext {
    use openssl::ssl::{SslContext, SslMethod, SslVerifyMode};
    let mut b = SslContext::builder(if server {
        SslMethod::tls_server()
    } else {
        SslMethod::tls_client()
    })
    .unwrap();
    b.set_certificate(&openssl::x509::X509::from_der(&identity.leaf_der).unwrap())
        .unwrap();
    b.set_private_key(&openssl::pkey::PKey::private_key_from_der(&identity.key_der).unwrap())
        .unwrap();
    b.cert_store_mut()
        .add_cert(openssl::x509::X509::from_der(ca).unwrap())
        .unwrap();
    b.set_verify(if server {
        SslVerifyMode::PEER | SslVerifyMode::POST_HANDSHAKE
    } else {
        SslVerifyMode::PEER
    });
    b.build()
}

fn ox_ctx(identity: Option<&Pki>, ca: &[u8], server: bool) -> oxssl::ssl::SslContext {
    use oxssl::ssl::{SslContext, SslMethod, SslVerifyMode};
    let mut b = SslContext::builder(if server {
        SslMethod::tls_server()
    } else {
        SslMethod::tls_client()
    })
    .unwrap();
    if let Some(id) = identity {
        b.set_certificate_chain_der(vec![id.leaf_der.clone()])
            .unwrap();
        b.set_private_key_der(&id.key_der).unwrap();
    }
    b.add_trusted_der(ca).unwrap();
    if server {
        b.set_verify(
            SslVerifyMode::PEER
                | SslVerifyMode::FAIL_IF_NO_PEER_CERT
                | SslVerifyMode::POST_HANDSHAKE,
        );
    } else {
        b.set_verify(SslVerifyMode::PEER);
        b.set_post_handshake_auth(true);
    }
    b.build()
}

#[test]
fn oxssl_server_asks_an_openssl_client_after_the_handshake() {
    let server_pki = issue(&LeafSpec::server(KeyKind::EcdsaP256));
    let client = client_pki();
    let (a, b) = UnixStream::pair().unwrap();
    let (cp, ca) = (client.clone(), server_pki.ca_der.clone());
    let peer = thread::spawn(move || {
        let ctx = ossl_ctx(&cp, &ca, false);
        let mut ssl = openssl::ssl::Ssl::new(&ctx).unwrap();
        ossl_ffi::set_post_handshake_auth(&ssl, true);
        ssl.param_mut().set_host("localhost").unwrap();
        let mut s = ssl.connect(b).unwrap();
        // The request arrives with the server's data; SSL_read answers it on the way.
        let mut buf = [0u8; 3];
        s.read_exact(&mut buf).unwrap();
        s.write_all(b"after").unwrap();
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
        buf.to_vec()
    });
    let ctx = ox_ctx(Some(&server_pki), &client.ca_der, true);
    let mut s = oxssl::ssl::Ssl::new(&ctx).unwrap().accept(a).unwrap();
    // SSL_VERIFY_POST_HANDSHAKE: no certificate in the handshake.
    assert!(s.ssl().peer_certificate().is_none());
    s.ssl_mut().verify_client_post_handshake().unwrap();
    // A second request while the first waits is refused.
    assert!(s.ssl_mut().verify_client_post_handshake().is_err());
    s.write_all(b"req").unwrap();
    let mut after = [0u8; 5];
    s.read_exact(&mut after).unwrap();
    assert_eq!(&after, b"after");
    let cert = s
        .ssl()
        .peer_certificate()
        .expect("client certificate after the request");
    assert_eq!(cert.to_der().unwrap(), client.leaf_der);
    assert_eq!(s.ssl().verify_result().as_raw(), 0);
    // Another request once the first is answered.
    s.ssl_mut().verify_client_post_handshake().unwrap();
    s.write_all(b"again").unwrap();
    s.shutdown().unwrap();
    assert_eq!(peer.join().unwrap(), b"req");
}

#[test]
fn openssl_server_asks_an_oxssl_client_after_the_handshake() {
    let server_pki = issue(&LeafSpec::server(KeyKind::EcdsaP256));
    let client = client_pki();
    let (a, b) = UnixStream::pair().unwrap();
    let (sp, ca) = (server_pki.clone(), client.ca_der.clone());
    let peer = thread::spawn(move || {
        let ctx = ossl_ctx(&sp, &ca, true);
        let mut s = openssl::ssl::Ssl::new(&ctx).unwrap().accept(b).unwrap();
        assert!(s.ssl().peer_certificate().is_none());
        let r = ossl_ffi::verify_client_post_handshake(s.ssl());
        assert_eq!(r.ret, 1, "{r:?}");
        s.write_all(b"req").unwrap();
        let mut after = [0u8; 5];
        s.read_exact(&mut after).unwrap();
        let cert = s.ssl().peer_certificate().map(|c| c.to_der().unwrap());
        let verify = s.ssl().verify_result().as_raw();
        let _ = s.shutdown();
        (after.to_vec(), cert, verify)
    });
    let ctx = ox_ctx(Some(&client), &server_pki.ca_der, false);
    let mut ssl = oxssl::ssl::Ssl::new(&ctx).unwrap();
    ssl.set_verify_hostname("localhost");
    let mut s = ssl.connect(a).unwrap();
    let mut req = [0u8; 3];
    s.read_exact(&mut req).unwrap();
    assert_eq!(&req, b"req");
    s.write_all(b"after").unwrap();
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    let (after, cert, verify) = peer.join().unwrap();
    assert_eq!(after, b"after");
    assert_eq!(cert, Some(client.leaf_der));
    assert_eq!(verify, 0);
}

/// The refusals of `SSL_verify_client_post_handshake`, with OpenSSL's reasons: before the
/// handshake and on TLS 1.2 (WRONG_SSL_VERSION 266: the version is not TLS 1.3), when the
/// client did not offer it (EXTENSION_NOT_RECEIVED 279).
#[test]
fn refusals_have_openssl_reasons() {
    use oxssl::reason::Reason;
    let server_pki = issue(&LeafSpec::server(KeyKind::EcdsaP256));
    let ctx = ox_ctx(Some(&server_pki), &server_pki.ca_der, true);
    let mut before = oxssl::ssl::Ssl::new(&ctx).unwrap();
    let e = before.verify_client_post_handshake().unwrap_err();
    assert_eq!(e.reason(), Some(Reason::WRONG_SSL_VERSION));

    // No FAIL_IF_NO_PEER_CERT here: a TLS 1.2 server asks in the handshake (as OpenSSL's
    // does under SSL_VERIFY_POST_HANDSHAKE) and these clients have no certificate.
    let lenient = {
        use oxssl::ssl::{SslContext, SslMethod, SslVerifyMode};
        let mut b = SslContext::builder(SslMethod::tls_server()).unwrap();
        b.set_certificate_chain_der(vec![server_pki.leaf_der.clone()])
            .unwrap();
        b.set_private_key_der(&server_pki.key_der).unwrap();
        b.set_verify(SslVerifyMode::PEER | SslVerifyMode::POST_HANDSHAKE);
        b.build()
    };
    for (tls12, expected) in [
        (true, Reason::WRONG_SSL_VERSION),
        (false, Reason::EXTENSION_NOT_RECEIVED),
    ] {
        let (a, b) = UnixStream::pair().unwrap();
        let ca = server_pki.ca_der.clone();
        let peer = thread::spawn(move || {
            use openssl::ssl::{SslContext, SslMethod, SslVersion};
            let mut cb = SslContext::builder(SslMethod::tls_client()).unwrap();
            cb.cert_store_mut()
                .add_cert(openssl::x509::X509::from_der(&ca).unwrap())
                .unwrap();
            if tls12 {
                cb.set_max_proto_version(Some(SslVersion::TLS1_2)).unwrap();
            }
            let mut s = openssl::ssl::Ssl::new(&cb.build())
                .unwrap()
                .connect(b)
                .unwrap();
            let mut buf = [0u8; 2];
            let _ = s.read_exact(&mut buf);
        });
        let mut s = oxssl::ssl::Ssl::new(&lenient).unwrap().accept(a).unwrap();
        let e = s.ssl_mut().verify_client_post_handshake().unwrap_err();
        assert_eq!(e.reason(), Some(expected), "tls12 {tls12}");
        s.write_all(b"ok").unwrap();
        peer.join().unwrap();
    }

    // OpenSSL's own answers for the same two cases, as the reference.
    for (tls12, expected) in [(true, 266), (false, 279)] {
        let (a, b) = UnixStream::pair().unwrap();
        let sp = server_pki.clone();
        let ca = server_pki.ca_der.clone();
        let peer = thread::spawn(move || {
            let ctx = ossl_ctx(&sp, &ca, true);
            let mut s = openssl::ssl::Ssl::new(&ctx).unwrap().accept(b).unwrap();
            let r = ossl_ffi::verify_client_post_handshake(s.ssl());
            let _ = s.write_all(b"ok");
            r
        });
        let mut cb = oxssl::ssl::SslContext::builder(oxssl::ssl::SslMethod::tls_client()).unwrap();
        cb.add_trusted_der(&server_pki.ca_der).unwrap();
        if tls12 {
            cb.set_max_proto_version(Some(oxssl::ssl::SslVersion::TLS1_2))
                .unwrap();
        }
        let mut s = oxssl::ssl::Ssl::new(&cb.build())
            .unwrap()
            .connect(a)
            .unwrap();
        let mut buf = [0u8; 2];
        let _ = s.read_exact(&mut buf);
        let r = peer.join().unwrap();
        assert_eq!(r.ret, 0);
        assert_eq!(
            r.err.map(|(_, reason)| reason),
            Some(expected),
            "tls12 {tls12}"
        );
    }
}

/// A client that offered post-handshake authentication but has no certificate answers
/// with an empty one; a server that requires one fails with certificate_required.
#[test]
fn empty_answer_to_a_server_that_requires_a_certificate() {
    let server_pki = issue(&LeafSpec::server(KeyKind::EcdsaP256));
    let (a, b) = UnixStream::pair().unwrap();
    let ca = server_pki.ca_der.clone();
    let peer = thread::spawn(move || {
        let ctx = ox_ctx(None, &ca, false);
        let mut s = oxssl::ssl::Ssl::new(&ctx).unwrap().connect(b).unwrap();
        let mut buf = [0u8; 3];
        let first = s.read_exact(&mut buf).map(|_| buf);
        let mut more = [0u8; 1];
        let second = s
            .ssl_read(&mut more)
            .map_err(|e| e.ssl_error().and_then(|st| st.reason()));
        (first.ok(), second)
    });
    let ctx = ox_ctx(Some(&server_pki), &server_pki.ca_der, true);
    let mut s = oxssl::ssl::Ssl::new(&ctx).unwrap().accept(a).unwrap();
    s.ssl_mut().verify_client_post_handshake().unwrap();
    s.write_all(b"req").unwrap();
    let mut buf = [0u8; 1];
    let e = s.ssl_read(&mut buf).unwrap_err();
    assert_eq!(
        e.ssl_error().and_then(|st| st.reason()),
        Some(oxssl::reason::Reason::PEER_DID_NOT_RETURN_A_CERTIFICATE)
    );
    let (first, second) = peer.join().unwrap();
    assert_eq!(first, Some(*b"req"));
    assert_eq!(
        second,
        Err(Some(
            oxssl::reason::Reason::TLSV13_ALERT_CERTIFICATE_REQUIRED
        ))
    );
}
