//! Replays the fuzzing regression corpus (`fuzz/corpus/TARGET/*`) through the same harness
//! the fuzz targets use, so every input that once crashed (and the seeds) stays a test.
//! Fuzzing itself: see the README ("Fuzzing").
#[path = "../../../fuzz/src/harness.rs"]
mod harness;

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_file() {
            let data = std::fs::read(&path).unwrap();
            let r = std::panic::catch_unwind(|| run(&data));
            assert!(r.is_ok(), "{target}: {} panicked", path.display());
            n += 1;
        }
    }
    assert!(n > 0, "no corpus for {target}");
}

#[test]
fn corpus_codec() {
    replay("codec", harness::codec);
}

#[test]
fn corpus_record() {
    replay("record", harness::record);
}

#[test]
fn corpus_client() {
    replay("client", harness::client);
}

#[test]
fn corpus_server() {
    replay("server", harness::server);
}

#[test]
fn corpus_x509() {
    replay("x509", harness::x509);
}

#[test]
fn corpus_api() {
    replay("api", harness::api);
}

/// Writes seed inputs from real handshakes (`cargo test --test fuzz_corpus -- --ignored`).
#[test]
#[ignore = "regenerates the seed corpus"]
fn write_seeds() {
    use oxssl::config::Config;
    use std::sync::Arc;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let (cert, key) = harness_identity();
    for (name, max) in [
        ("tls13", None),
        ("tls12", Some(oxssl::config::ProtocolVersion::TLSV1_2)),
    ] {
        let mut cc = Config::default();
        let mut sc = Config {
            certified_key: Some(oxssl::config::CertifiedKey {
                chain: vec![oxssl::x509::CertificateDer::from(cert.clone())],
                key: Arc::new(oxssl::config::SigningKey::from_der(&key).unwrap()),
            }),
            ..Config::default()
        };
        if let Some(v) = max {
            cc.max_version = v;
            sc.max_version = v;
        }
        let mut c = oxssl::Connection::client(
            Arc::new(cc),
            oxssl::conn::ClientOptions {
                sni: Some("localhost".into()),
                verify_host: None,
                ..Default::default()
            },
        );
        let mut s = oxssl::Connection::server(Arc::new(sc));
        c.start().unwrap();
        let ch = c.pending_tls().to_vec();
        c.consume_tls(ch.len());
        s.read_tls(&ch);
        let _ = s.process_all();
        let flight = s.pending_tls().to_vec();
        std::fs::write(
            root.join("server").join(format!("{name}-client-hello")),
            &ch,
        )
        .unwrap();
        std::fs::write(
            root.join("client").join(format!("{name}-server-flight")),
            &flight,
        )
        .unwrap();
        std::fs::write(root.join("record").join(format!("{name}-records")), &flight).unwrap();
        // The ClientHello message body with its type byte in front, for the codec.
        let mut msg = vec![ch[5]];
        msg.extend_from_slice(&ch[9..]);
        std::fs::write(
            root.join("codec").join(format!("{name}-client-hello")),
            &msg,
        )
        .unwrap();
    }
    std::fs::write(root.join("x509").join("cert.der"), &cert).unwrap();
    std::fs::write(root.join("x509").join("key.der"), &key).unwrap();
    std::fs::write(
        root.join("api").join("writes-and-reads"),
        [0x11u8, 2, 3, 130, 131, 4, 5, 132, 133, 240, 241, 2, 130],
    )
    .unwrap();
    std::fs::write(
        root.join("api").join("renegotiate"),
        [0x01u8, 2, 130, 131, 232, 233, 2, 3, 130, 131],
    )
    .unwrap();
}

fn harness_identity() -> (Vec<u8>, Vec<u8>) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert.der().to_vec(), key.serialize_der())
}
