//! Hostile and broken peers: every case must end in the right alert and reason code, with
//! no panic and no hang. A man in the middle (tests/common/mitm.rs) rewrites encrypted
//! flights using secrets from the key log.
mod common;

use common::certs::{self, server_pki, KeyKind, LeafSpec};
use common::mitm::{self, Capture};
use common::ox::{self, feed, handshake, take};
use oxssl::config::{Config, VerifyMode};
use oxssl::crypto::kx::KxGroup;
use oxssl::crypto::sign::SignatureScheme;
use oxssl::msgs::enums::{AlertDescription as AD, ContentType, ExtensionType, HandshakeType};
use oxssl::msgs::handshake::HandshakeMessage;
use oxssl::reason::Reason;
use oxssl::suites::CipherSuite;
use oxssl::{Connection, Event, TlsError};
use std::sync::Arc;

struct Flow {
    c: Connection,
    s: Connection,
    ccap: Arc<Capture>,
    scap: Arc<Capture>,
}

fn configs() -> (Config, Config) {
    let pki = server_pki(KeyKind::EcdsaP256);
    (ox::client_config(pki), ox::server_config(pki))
}

fn flow_with(mut cc: Config, mut sc: Config, host: &str) -> Flow {
    let ccap = Capture::new();
    let scap = Capture::new();
    cc.keylog = Some(ccap.clone());
    sc.keylog = Some(scap.clone());
    Flow {
        c: ox::client(cc, host),
        s: ox::server(sc),
        ccap,
        scap,
    }
}

fn flow() -> Flow {
    let (cc, sc) = configs();
    flow_with(cc, sc, "localhost")
}

fn expect(err: &TlsError, alert: AD, reason: Reason) {
    assert_eq!(err.alert, Some(alert), "alert for {err:?}");
    assert_eq!(err.reason, reason, "reason for {err:?}");
}

/// The failing side's alert must reach the peer and fail it with SSL_AD_REASON_OFFSET+alert.
fn peer_sees_alert(failed: &mut Connection, peer: &mut Connection, alert: AD) {
    let out = take(failed);
    assert!(!out.is_empty(), "no alert was sent");
    let err = feed(peer, &out).unwrap_err();
    assert_eq!(err.reason, Reason(1000 + alert.0 as i32), "{err:?}");
    assert_eq!(err.alert, None);
}

/// Runs ClientHello -> server flight, and returns the server flight split into its
/// plaintext records and decrypted handshake messages.
/// Plaintext records (type, body) of a flight.
type PlainRecords = Vec<(u8, Vec<u8>)>;

fn server_flight(f: &mut Flow) -> (PlainRecords, Vec<Vec<u8>>, CipherSuite) {
    let ch = take(&mut f.c);
    assert_eq!(feed(&mut f.s, &ch).unwrap(), Event::NeedData);
    let flight = take(&mut f.s);
    let suite = f.s.negotiated().suite.unwrap();
    let recs = mitm::split_records(&flight);
    let (plain, hs) = mitm::open_flight(
        &recs,
        suite,
        &f.scap.secret("SERVER_HANDSHAKE_TRAFFIC_SECRET"),
    );
    (plain, mitm::split_messages(&hs), suite)
}

/// Delivers a (rewritten) server flight to the client.
fn deliver_server_flight(
    f: &mut Flow,
    plain: &[(u8, Vec<u8>)],
    msgs: &[Vec<u8>],
    suite: CipherSuite,
) -> Result<Event, TlsError> {
    let mut bytes = Vec::new();
    for (t, b) in plain {
        bytes.extend(mitm::plain_record(*t, b));
    }
    let items: Vec<_> = msgs
        .iter()
        .map(|m| (ContentType::HANDSHAKE, m.clone()))
        .collect();
    bytes.extend(mitm::seal_records(
        suite,
        &f.scap.secret("SERVER_HANDSHAKE_TRAFFIC_SECRET"),
        &items,
    ));
    feed(&mut f.c, &bytes)
}

fn msg_type(m: &[u8]) -> HandshakeType {
    HandshakeType(m[0])
}

/// Mutates the server's encrypted flight (EE, [CR], Certificate, CertificateVerify, Finished)
/// and returns the client's error.
fn client_error_after(mutate: impl FnOnce(&mut Vec<Vec<u8>>)) -> (Flow, TlsError) {
    let mut f = flow();
    let (plain, mut msgs, suite) = server_flight(&mut f);
    assert_eq!(
        msgs.iter().map(|m| msg_type(m)).collect::<Vec<_>>(),
        [
            HandshakeType::ENCRYPTED_EXTENSIONS,
            HandshakeType::CERTIFICATE,
            HandshakeType::CERTIFICATE_VERIFY,
            HandshakeType::FINISHED
        ]
    );
    mutate(&mut msgs);
    let err = deliver_server_flight(&mut f, &plain, &msgs, suite).unwrap_err();
    (f, err)
}

#[test]
fn client_rejects_unexpected_message_in_each_state() {
    // ExpectServerHello: an EncryptedExtensions in the clear.
    let mut f = flow();
    take(&mut f.c);
    let ee = HandshakeMessage::EncryptedExtensions(Default::default())
        .encode()
        .unwrap();
    let err = feed(&mut f.c, &mitm::plain_record(22, &ee)).unwrap_err();
    expect(&err, AD::UNEXPECTED_MESSAGE, Reason::UNEXPECTED_MESSAGE);

    // ExpectEncryptedExtensions: Certificate arrives first.
    let (_, err) = client_error_after(|m| {
        m.remove(0);
    });
    expect(&err, AD::UNEXPECTED_MESSAGE, Reason::UNEXPECTED_MESSAGE);
    // ExpectCertificate: CertificateVerify arrives.
    let (_, err) = client_error_after(|m| {
        m.remove(1);
    });
    expect(&err, AD::UNEXPECTED_MESSAGE, Reason::UNEXPECTED_MESSAGE);
    // ExpectCertificateVerify: Finished arrives.
    let (_, err) = client_error_after(|m| {
        m.remove(2);
    });
    expect(&err, AD::UNEXPECTED_MESSAGE, Reason::UNEXPECTED_MESSAGE);
    // ExpectFinished: another EncryptedExtensions arrives; the server sees our alert.
    let (mut f, err) = client_error_after(|m| {
        m[3] = m[0].clone();
    });
    expect(&err, AD::UNEXPECTED_MESSAGE, Reason::UNEXPECTED_MESSAGE);
    peer_sees_alert(&mut f.c, &mut f.s, AD::UNEXPECTED_MESSAGE);
}

#[test]
fn client_rejects_bad_finished_and_bad_signature() {
    let (mut f, err) = client_error_after(|m| {
        let last = m[3].len() - 1;
        m[3][last] ^= 1;
    });
    expect(&err, AD::DECRYPT_ERROR, Reason::DIGEST_CHECK_FAILED);
    peer_sees_alert(&mut f.c, &mut f.s, AD::DECRYPT_ERROR);

    let (_, err) = client_error_after(|m| {
        let last = m[2].len() - 1;
        m[2][last] ^= 1;
    });
    expect(&err, AD::DECRYPT_ERROR, Reason::BAD_SIGNATURE);

    // A Finished of the wrong length is a decode error.
    let (_, err) = client_error_after(|m| {
        m[3] = vec![20, 0, 0, 3, 1, 2, 3];
    });
    expect(&err, AD::DECODE_ERROR, Reason::BAD_DIGEST_LENGTH);
}

/// Runs the handshake to the client's second flight and returns its decrypted messages.
fn client_flight(f: &mut Flow) -> (Vec<Vec<u8>>, CipherSuite) {
    let (plain, msgs, suite) = server_flight(f);
    deliver_server_flight(f, &plain, &msgs, suite).unwrap();
    assert!(f.c.is_connected());
    let out = take(&mut f.c);
    let recs = mitm::split_records(&out);
    let (_, hs) = mitm::open_flight(
        &recs,
        suite,
        &f.ccap.secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
    );
    (mitm::split_messages(&hs), suite)
}

fn deliver_client_flight(
    f: &mut Flow,
    msgs: &[Vec<u8>],
    suite: CipherSuite,
) -> Result<Event, TlsError> {
    let items: Vec<_> = msgs
        .iter()
        .map(|m| (ContentType::HANDSHAKE, m.clone()))
        .collect();
    let bytes = mitm::seal_records(
        suite,
        &f.ccap.secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
        &items,
    );
    feed(&mut f.s, &bytes)
}

fn client_auth_flow() -> Flow {
    let pki = server_pki(KeyKind::EcdsaP256);
    let client_pki = certs::issue(&LeafSpec {
        client_auth: true,
        ..LeafSpec::server(KeyKind::EcdsaP256)
    });
    let mut cc = ox::client_config(pki);
    cc.certified_key = ox::server_config(&client_pki).certified_key;
    let mut sc = ox::server_config(pki);
    sc.verify = VerifyMode {
        peer: true,
        fail_if_no_peer_cert: true,
        ..Default::default()
    };
    sc.trust = ox::client_config(pki).trust;
    flow_with(cc, sc, "localhost")
}

#[test]
fn server_rejects_unexpected_message_in_each_state() {
    // ExpectClientHello: a ServerHello-typed message.
    let mut f = flow();
    let fin = HandshakeMessage::Finished(vec![0; 32]).encode().unwrap();
    let err = feed(&mut f.s, &mitm::plain_record(22, &fin)).unwrap_err();
    expect(&err, AD::UNEXPECTED_MESSAGE, Reason::UNEXPECTED_MESSAGE);

    // ExpectFinished: a KeyUpdate instead.
    let mut f = flow();
    let (mut msgs, suite) = client_flight(&mut f);
    assert_eq!(msgs.len(), 1);
    msgs[0] = vec![24, 0, 0, 1, 0];
    let err = deliver_client_flight(&mut f, &msgs, suite).unwrap_err();
    expect(&err, AD::UNEXPECTED_MESSAGE, Reason::UNEXPECTED_MESSAGE);

    // With client authentication: ExpectCertificate gets CertificateVerify, and
    // ExpectCertificateVerify gets Finished.
    for drop in [0, 1] {
        let mut f = client_auth_flow();
        let (mut msgs, suite) = client_flight(&mut f);
        assert_eq!(msgs.len(), 3);
        msgs.remove(drop);
        let err = deliver_client_flight(&mut f, &msgs, suite).unwrap_err();
        expect(&err, AD::UNEXPECTED_MESSAGE, Reason::UNEXPECTED_MESSAGE);
    }
    // The complete client-auth flight is accepted.
    let mut f = client_auth_flow();
    let (msgs, suite) = client_flight(&mut f);
    deliver_client_flight(&mut f, &msgs, suite).unwrap();
    assert!(f.s.is_connected());
    assert_eq!(f.s.negotiated().peer_chain.len(), 1);
}

#[test]
fn server_rejects_bad_client_finished() {
    let mut f = flow();
    let (mut msgs, suite) = client_flight(&mut f);
    let last = msgs[0].len() - 1;
    msgs[0][last] ^= 0x80;
    let err = deliver_client_flight(&mut f, &msgs, suite).unwrap_err();
    expect(&err, AD::DECRYPT_ERROR, Reason::DIGEST_CHECK_FAILED);
}

#[test]
fn server_requires_client_certificate_when_told() {
    let pki = server_pki(KeyKind::EcdsaP256);
    let cc = ox::client_config(pki);
    let mut sc = ox::server_config(pki);
    sc.verify = VerifyMode {
        peer: true,
        fail_if_no_peer_cert: true,
        ..Default::default()
    };
    let mut f = flow_with(cc, sc, "localhost");
    let (msgs, suite) = client_flight(&mut f);
    let err = deliver_client_flight(&mut f, &msgs, suite).unwrap_err();
    expect(
        &err,
        AD::CERTIFICATE_REQUIRED,
        Reason::PEER_DID_NOT_RETURN_A_CERTIFICATE,
    );
}

fn handshake_error(cc: Config, sc: Config, host: &str) -> (Flow, TlsError, bool) {
    let mut f = flow_with(cc, sc, host);
    for _ in 0..10 {
        let out = take(&mut f.c);
        if let Err(e) = feed(&mut f.s, &out) {
            return (f, e, false);
        }
        let out = take(&mut f.s);
        if let Err(e) = feed(&mut f.c, &out) {
            return (f, e, true);
        }
    }
    panic!("handshake did not fail");
}

#[test]
fn certificate_verification_failures() {
    let pki = server_pki(KeyKind::EcdsaP256);
    // Untrusted CA.
    let (mut f, err, on_client) = handshake_error(
        ox::client_config(&certs::untrusted_pki()),
        ox::server_config(pki),
        "localhost",
    );
    assert!(on_client);
    expect(&err, AD::UNKNOWN_CA, Reason::CERTIFICATE_VERIFY_FAILED);
    assert_eq!(err.verify_result, Some(20));
    assert_eq!(f.c.negotiated().verify_result, 20);
    peer_sees_alert(&mut f.c, &mut f.s, AD::UNKNOWN_CA);

    // Wrong host name.
    let (_, err, _) = handshake_error(
        ox::client_config(pki),
        ox::server_config(pki),
        "example.com",
    );
    assert_eq!(err.reason, Reason::CERTIFICATE_VERIFY_FAILED);
    assert_eq!(err.verify_result, Some(62));

    // Expired leaf.
    let expired = certs::issue(&LeafSpec {
        validity_years: Some((2000, 2001)),
        ..LeafSpec::server(KeyKind::EcdsaP256)
    });
    let (_, err, _) = handshake_error(
        ox::client_config(&expired),
        ox::server_config(&expired),
        "localhost",
    );
    expect(
        &err,
        AD::CERTIFICATE_EXPIRED,
        Reason::CERTIFICATE_VERIFY_FAILED,
    );
    assert_eq!(err.verify_result, Some(10));

    // SSL_VERIFY_NONE: the handshake completes and the result is recorded.
    let mut cc = ox::client_config(&certs::untrusted_pki());
    cc.verify = VerifyMode::default();
    let mut f = flow_with(cc, ox::server_config(pki), "localhost");
    let (plain, msgs, suite) = server_flight(&mut f);
    deliver_server_flight(&mut f, &plain, &msgs, suite).unwrap();
    assert!(f.c.is_connected());
    assert_eq!(f.c.negotiated().verify_result, 20);
}

#[test]
fn no_common_parameters() {
    let (mut cc, mut sc) = configs();
    cc.cipher_suites = vec![CipherSuite::Tls13Aes256GcmSha384];
    sc.cipher_suites = vec![CipherSuite::Tls13Aes128GcmSha256];
    let (mut f, err, on_client) = handshake_error(cc, sc, "localhost");
    assert!(!on_client);
    expect(&err, AD::HANDSHAKE_FAILURE, Reason::NO_SHARED_CIPHER);
    peer_sees_alert(&mut f.s, &mut f.c, AD::HANDSHAKE_FAILURE);

    let (mut cc, mut sc) = configs();
    cc.groups = vec![KxGroup::X25519];
    sc.groups = vec![KxGroup::Secp384r1];
    let (_, err, _) = handshake_error(cc, sc, "localhost");
    expect(&err, AD::HANDSHAKE_FAILURE, Reason::NO_SHARED_GROUPS);

    let (mut cc, sc) = configs();
    cc.signature_schemes = vec![SignatureScheme::Ed25519];
    let (_, err, _) = handshake_error(cc, sc, "localhost");
    expect(
        &err,
        AD::HANDSHAKE_FAILURE,
        Reason::NO_SUITABLE_SIGNATURE_ALGORITHM,
    );
}

/// Re-encodes the client's ClientHello after `edit` and returns the server's error.
fn server_error_for_hello(edit: impl FnOnce(&mut oxssl::msgs::handshake::ClientHello)) -> TlsError {
    let (cc, sc) = configs();
    server_error_for_hello_with(cc, sc, edit)
}

fn server_error_for_hello_with(
    cc: Config,
    sc: Config,
    edit: impl FnOnce(&mut oxssl::msgs::handshake::ClientHello),
) -> TlsError {
    let mut f = flow_with(cc, sc, "localhost");
    let ch = take(&mut f.c);
    let recs = mitm::split_records(&ch);
    let raw = &recs[0].1;
    let HandshakeMessage::ClientHello(mut hello) =
        HandshakeMessage::decode(HandshakeType(raw[0]), &raw[4..]).unwrap()
    else {
        panic!()
    };
    edit(&mut hello);
    let bytes = HandshakeMessage::ClientHello(hello).encode().unwrap();
    feed(&mut f.s, &mitm::plain_record(22, &bytes)).unwrap_err()
}

#[test]
fn server_rejects_malformed_client_hello() {
    let drop_ext = |t: ExtensionType| {
        move |h: &mut oxssl::msgs::handshake::ClientHello| h.extensions.0.retain(|e| e.typ != t)
    };
    expect(
        &server_error_for_hello(drop_ext(ExtensionType::SIGNATURE_ALGORITHMS)),
        AD::MISSING_EXTENSION,
        Reason::MISSING_SIGALGS_EXTENSION,
    );
    expect(
        &server_error_for_hello(drop_ext(ExtensionType::SUPPORTED_GROUPS)),
        AD::MISSING_EXTENSION,
        Reason::MISSING_SUPPORTED_GROUPS_EXTENSION,
    );
    // Without supported_versions the hello offers TLS 1.2 only: refused by a server
    // that has TLS 1.2 disabled.
    let (cc, mut sc) = configs();
    sc.min_version = oxssl::msgs::enums::ProtocolVersion::TLSV1_3;
    expect(
        &server_error_for_hello_with(cc, sc, drop_ext(ExtensionType::SUPPORTED_VERSIONS)),
        AD::PROTOCOL_VERSION,
        Reason::UNSUPPORTED_PROTOCOL,
    );
    expect(
        &server_error_for_hello(|h| {
            let dup = h.extensions.0[0].clone();
            h.extensions.0.push(dup);
        }),
        AD::ILLEGAL_PARAMETER,
        Reason::BAD_EXTENSION,
    );
    expect(
        &server_error_for_hello(|h| h.compression_methods = vec![1, 0]),
        AD::ILLEGAL_PARAMETER,
        Reason::INVALID_COMPRESSION_ALGORITHM,
    );
    // A key share for a group missing from supported_groups.
    expect(
        &server_error_for_hello(|h| {
            let groups =
                oxssl::msgs::extensions::encode_u16_list(&[KxGroup::Secp384r1.to_u16()]).unwrap();
            for e in &mut h.extensions.0 {
                if e.typ == ExtensionType::SUPPORTED_GROUPS {
                    e.data = groups.clone();
                }
            }
        }),
        AD::ILLEGAL_PARAMETER,
        Reason::BAD_KEY_SHARE,
    );
    // A truncated extension body.
    let err = server_error_for_hello(|h| {
        for e in &mut h.extensions.0 {
            if e.typ == ExtensionType::KEY_SHARE {
                e.data.truncate(e.data.len() - 3);
            }
        }
    });
    assert_eq!(err.alert, Some(AD::DECODE_ERROR));
}

/// Rewrites the plaintext ServerHello and returns the client's error.
fn client_error_for_server_hello(
    edit: impl FnOnce(&mut oxssl::msgs::handshake::ServerHello) -> Option<Vec<u8>>,
) -> TlsError {
    let mut f = flow();
    let (plain, _, _) = server_flight(&mut f);
    let raw = &plain[0].1;
    let HandshakeMessage::ServerHello(mut sh) =
        HandshakeMessage::decode(HandshakeType(raw[0]), &raw[4..]).unwrap()
    else {
        panic!()
    };
    let bytes =
        edit(&mut sh).unwrap_or_else(|| HandshakeMessage::ServerHello(sh).encode().unwrap());
    feed(&mut f.c, &mitm::plain_record(22, &bytes)).unwrap_err()
}

#[test]
fn client_rejects_bad_server_hello() {
    // A suite the client did not offer.
    let (mut cc, sc) = configs();
    cc.cipher_suites = vec![CipherSuite::Tls13Aes128GcmSha256];
    let mut f = flow_with(cc, sc, "localhost");
    let (plain, _, _) = server_flight(&mut f);
    let raw = &plain[0].1;
    let HandshakeMessage::ServerHello(mut sh) =
        HandshakeMessage::decode(HandshakeType(raw[0]), &raw[4..]).unwrap()
    else {
        panic!()
    };
    sh.cipher_suite = 0x1302;
    let err = feed(
        &mut f.c,
        &mitm::plain_record(22, &HandshakeMessage::ServerHello(sh).encode().unwrap()),
    )
    .unwrap_err();
    expect(&err, AD::ILLEGAL_PARAMETER, Reason::WRONG_CIPHER_RETURNED);

    // Truncated ServerHello (length header consistent, structure cut short).
    let err = client_error_for_server_hello(|sh| {
        let mut enc = HandshakeMessage::ServerHello(sh.clone()).encode().unwrap();
        enc.truncate(enc.len() - 10);
        let len = enc.len() - 4;
        enc[1..4].copy_from_slice(&(len as u32).to_be_bytes()[1..]);
        Some(enc)
    });
    assert_eq!(err.alert, Some(AD::DECODE_ERROR), "{err:?}");

    // Session id not echoed.
    let err = client_error_for_server_hello(|sh| {
        sh.session_id[0] ^= 1;
        None
    });
    expect(&err, AD::ILLEGAL_PARAMETER, Reason::INVALID_SESSION_ID);

    // TLS 1.2 answer with the downgrade sentinel: an attack.
    let err = client_error_for_server_hello(|sh| {
        sh.extensions
            .0
            .retain(|e| e.typ != ExtensionType::SUPPORTED_VERSIONS);
        sh.random[24..].copy_from_slice(b"DOWNGRD\x01");
        None
    });
    expect(&err, AD::ILLEGAL_PARAMETER, Reason::INAPPROPRIATE_FALLBACK);
    // A TLS 1.2 answer still carrying a TLS 1.3 key_share.
    let err = client_error_for_server_hello(|sh| {
        sh.extensions
            .0
            .retain(|e| e.typ != ExtensionType::SUPPORTED_VERSIONS);
        None
    });
    expect(&err, AD::ILLEGAL_PARAMETER, Reason::BAD_EXTENSION);
    // A plain TLS 1.2 answer to a client with TLS 1.2 disabled.
    let (mut cc, sc) = configs();
    cc.min_version = oxssl::msgs::enums::ProtocolVersion::TLSV1_3;
    let mut f = flow_with(cc, sc, "localhost");
    let (plain, _, _) = server_flight(&mut f);
    let raw = &plain[0].1;
    let HandshakeMessage::ServerHello(mut sh) =
        HandshakeMessage::decode(HandshakeType(raw[0]), &raw[4..]).unwrap()
    else {
        panic!()
    };
    sh.extensions.0.retain(|e| {
        e.typ != ExtensionType::SUPPORTED_VERSIONS && e.typ != ExtensionType::KEY_SHARE
    });
    let bytes = HandshakeMessage::ServerHello(sh).encode().unwrap();
    let err = feed(&mut f.c, &mitm::plain_record(22, &bytes)).unwrap_err();
    expect(&err, AD::PROTOCOL_VERSION, Reason::UNSUPPORTED_PROTOCOL);

    // An extension the client never offered.
    let err = client_error_for_server_hello(|sh| {
        sh.extensions
            .push(ExtensionType::SIGNATURE_ALGORITHMS, vec![0, 2, 4, 3]);
        None
    });
    expect(&err, AD::ILLEGAL_PARAMETER, Reason::BAD_EXTENSION);
    let err = client_error_for_server_hello(|sh| {
        sh.extensions.push(ExtensionType(0x1234), vec![]);
        None
    });
    expect(
        &err,
        AD::UNSUPPORTED_EXTENSION,
        Reason::UNSOLICITED_EXTENSION,
    );

    // A key share for a group the client sent no share for.
    let err = client_error_for_server_hello(|sh| {
        for e in &mut sh.extensions.0 {
            if e.typ == ExtensionType::KEY_SHARE {
                e.data[0..2].copy_from_slice(&KxGroup::Secp384r1.to_u16().to_be_bytes());
            }
        }
        None
    });
    expect(&err, AD::ILLEGAL_PARAMETER, Reason::BAD_KEY_SHARE);
}

/// A connected pair plus their key logs.
fn connected() -> Flow {
    let mut f = flow();
    let (plain, msgs, suite) = server_flight(&mut f);
    deliver_server_flight(&mut f, &plain, &msgs, suite).unwrap();
    let out = take(&mut f.c);
    feed(&mut f.s, &out).unwrap();
    assert!(f.c.is_connected() && f.s.is_connected());
    f
}

#[test]
fn tampered_application_data_is_bad_record_mac() {
    let mut f = connected();
    ox::write_all(&mut f.c, b"attack at dawn").unwrap();
    let mut out = take(&mut f.c);
    let n = out.len();
    out[n - 3] ^= 0x20;
    let err = feed(&mut f.s, &out).unwrap_err();
    expect(
        &err,
        AD::BAD_RECORD_MAC,
        Reason::DECRYPTION_FAILED_OR_BAD_RECORD_MAC,
    );
    peer_sees_alert(&mut f.s, &mut f.c, AD::BAD_RECORD_MAC);
    // The failure is latched: later calls report the same error.
    assert_eq!(
        f.s.process_one().unwrap_err().reason,
        Reason::DECRYPTION_FAILED_OR_BAD_RECORD_MAC
    );
    assert!(f.s.write_app_record(b"x", 16384).is_err());
}

#[test]
fn oversize_records_are_record_overflow() {
    // Ciphertext longer than 2^14 + 256.
    let mut f = connected();
    let mut rec = vec![23, 3, 3, 0x41, 0x01];
    rec.extend(vec![0u8; 0x4101]);
    let err = feed(&mut f.s, &rec).unwrap_err();
    expect(&err, AD::RECORD_OVERFLOW, Reason::ENCRYPTED_LENGTH_TOO_LONG);

    // Authentic ciphertext whose inner plaintext exceeds 2^14.
    let mut f = connected();
    let suite = f.c.negotiated().suite.unwrap();
    let secret = f.ccap.secret("CLIENT_TRAFFIC_SECRET_0");
    let rec = mitm::seal_records(
        suite,
        &secret,
        &[(ContentType::APPLICATION_DATA, vec![7u8; 16385])],
    );
    let err = feed(&mut f.s, &rec).unwrap_err();
    expect(&err, AD::RECORD_OVERFLOW, Reason::DATA_LENGTH_TOO_LONG);

    // A plaintext handshake record over 2^14.
    let mut f = flow();
    let err = feed(&mut f.s, &mitm::plain_record(22, &vec![1u8; 16385])).unwrap_err();
    expect(&err, AD::RECORD_OVERFLOW, Reason::DATA_LENGTH_TOO_LONG);
}

#[test]
fn record_layer_ordering_rules() {
    // Application data before any keys exist.
    let mut f = flow();
    let err = feed(&mut f.s, &mitm::plain_record(23, b"early")).unwrap_err();
    expect(&err, AD::UNEXPECTED_MESSAGE, Reason::UNEXPECTED_RECORD);

    // A handshake message spanning the key change after ServerHello.
    let mut f = flow();
    let (plain, _, _) = server_flight(&mut f);
    let mut sh = plain[0].1.clone();
    sh.extend_from_slice(&[8, 0]);
    let err = feed(&mut f.c, &mitm::plain_record(22, &sh)).unwrap_err();
    expect(&err, AD::UNEXPECTED_MESSAGE, Reason::NOT_ON_RECORD_BOUNDARY);

    // change_cipher_spec with a bad body, and before any ClientHello.
    let mut f = flow();
    take(&mut f.c);
    let err = feed(&mut f.c, &mitm::plain_record(20, &[2])).unwrap_err();
    expect(&err, AD::UNEXPECTED_MESSAGE, Reason::BAD_CHANGE_CIPHER_SPEC);
    let mut f = flow();
    let err = feed(&mut f.s, &mitm::plain_record(20, &[1])).unwrap_err();
    expect(&err, AD::UNEXPECTED_MESSAGE, Reason::UNEXPECTED_CCS_MESSAGE);

    // Empty handshake record; alert of the wrong size; unknown record type.
    let mut f = flow();
    let err = feed(&mut f.s, &mitm::plain_record(22, &[])).unwrap_err();
    assert_eq!(err.alert, Some(AD::UNEXPECTED_MESSAGE));
    let mut f = flow();
    let err = feed(&mut f.s, &mitm::plain_record(21, &[2, 40, 0])).unwrap_err();
    expect(&err, AD::DECODE_ERROR, Reason::INVALID_ALERT);
    let mut f = flow();
    let err = feed(&mut f.s, &mitm::plain_record(99, &[0])).unwrap_err();
    assert_eq!(err.alert, Some(AD::UNEXPECTED_MESSAGE));

    // A handshake message split across many one-byte records is fine.
    let mut f = flow();
    let ch = take(&mut f.c);
    let body = &mitm::split_records(&ch)[0].1;
    let mut bytes = Vec::new();
    for b in body {
        bytes.extend(mitm::plain_record(22, &[*b]));
    }
    assert_eq!(feed(&mut f.s, &bytes).unwrap(), Event::NeedData);
    assert!(f.s.pending_tls().len() > 100, "server answered");

    // Handshake message too large.
    let mut f = flow();
    let err = feed(&mut f.s, &mitm::plain_record(22, &[1, 0x10, 0, 0])).unwrap_err();
    expect(&err, AD::DECODE_ERROR, Reason::EXCESSIVE_MESSAGE_SIZE);
}

#[test]
fn post_handshake_key_update_and_limits() {
    let mut f = connected();
    // Server asks for a KeyUpdate; the client answers on its next write.
    f.s.send_key_update(true).unwrap();
    ox::write_all(&mut f.s, b"after update").unwrap();
    let out = take(&mut f.s);
    assert_eq!(feed(&mut f.c, &out).unwrap(), Event::ApplicationData);
    let mut buf = [0u8; 64];
    let n = f.c.read_app(&mut buf);
    assert_eq!(&buf[..n], b"after update");
    assert!(f.c.key_update_owed());
    ox::write_all(&mut f.c, b"reply").unwrap();
    assert!(!f.c.key_update_owed());
    let out = take(&mut f.c);
    assert_eq!(feed(&mut f.s, &out).unwrap(), Event::ApplicationData);
    let n = f.s.read_app(&mut buf);
    assert_eq!(&buf[..n], b"reply");

    // A flood of KeyUpdates without data is cut off.
    let mut f = connected();
    for _ in 0..40 {
        f.s.send_key_update(false).unwrap();
    }
    let out = take(&mut f.s);
    let err = feed(&mut f.c, &out).unwrap_err();
    expect(&err, AD::UNEXPECTED_MESSAGE, Reason::TOO_MANY_KEY_UPDATES);

    // close_notify: the reader sees it, writes in the other direction still work.
    let mut f = connected();
    f.c.send_close_notify().unwrap();
    let out = take(&mut f.c);
    assert_eq!(feed(&mut f.s, &out).unwrap(), Event::CloseNotify);
    assert!(f.s.received_close_notify());
    ox::write_all(&mut f.s, b"half-close").unwrap();
    let out = take(&mut f.s);
    assert_eq!(feed(&mut f.c, &out).unwrap(), Event::ApplicationData);
    assert_eq!(
        f.c.write_app_record(b"x", 100).unwrap_err().reason,
        Reason::PROTOCOL_IS_SHUTDOWN
    );
}

/// Random and mutated input never panics and always ends in an error or a wait.
#[test]
fn garbage_never_panics() {
    let mut seed = 0x9e3779b97f4a7c15u64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut f = flow();
    let hello = take(&mut f.c);
    for i in 0..3000 {
        let mut input = if i % 2 == 0 {
            let mut h = hello.clone();
            for _ in 0..(1 + rnd() % 4) {
                let at = (rnd() as usize) % h.len();
                h[at] = rnd() as u8;
            }
            h
        } else {
            let len = (rnd() % 300) as usize;
            let mut v: Vec<u8> = (0..len).map(|_| rnd() as u8).collect();
            if len > 5 && i % 4 == 1 {
                v[0] = 22;
                v[1] = 3;
                v[2] = 3;
            }
            v
        };
        if i % 7 == 0 {
            input.truncate((rnd() as usize) % (input.len() + 1));
        }
        let (cc, sc) = configs();
        let mut s = ox::server(sc);
        let _ = feed(&mut s, &input);
        let mut c = ox::client(cc, "localhost");
        take(&mut c);
        let _ = feed(&mut c, &input);
    }
}

// ----- Defects found in review (issue 11), each with its regression test -----

#[test]
fn client_accepts_a_cookie_in_hello_retry_request() {
    let (cc, mut sc) = configs();
    // The server only has P-384, which the client sends no share for: HRR, with a cookie.
    sc.groups = vec![KxGroup::Secp384r1];
    sc.hrr_cookie = true;
    let mut c = ox::client(cc, "localhost");
    let mut s = ox::server(sc);
    handshake(&mut c, &mut s).unwrap();
    assert!(c.negotiated().hello_retry && s.negotiated().hello_retry);
    assert_eq!(c.negotiated().group, Some(KxGroup::Secp384r1));
}

/// The server's state after its flight, with the client's CCS and handshake key known.
fn server_waiting_for_client_finished() -> (Flow, CipherSuite) {
    let mut f = flow();
    let (_, _, suite) = server_flight(&mut f);
    (f, suite)
}

#[test]
fn encrypted_or_repeated_change_cipher_spec_is_unexpected_message() {
    // A CCS inside a protected record (RFC 8446 5).
    let (mut f, suite) = server_waiting_for_client_finished();
    let secret = f.scap.secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET");
    let rec = mitm::seal_records(
        suite,
        &secret,
        &[(ContentType::CHANGE_CIPHER_SPEC, vec![1])],
    );
    let err = feed(&mut f.s, &rec).unwrap_err();
    expect(&err, AD::UNEXPECTED_MESSAGE, Reason::UNEXPECTED_CCS_MESSAGE);

    // A second plaintext CCS in one handshake.
    let (mut f, _) = server_waiting_for_client_finished();
    let mut two = mitm::plain_record(20, &[1]);
    assert_eq!(feed(&mut f.s, &two).unwrap(), Event::NeedData);
    two = mitm::plain_record(20, &[1]);
    let err = feed(&mut f.s, &two).unwrap_err();
    expect(&err, AD::UNEXPECTED_MESSAGE, Reason::UNEXPECTED_CCS_MESSAGE);
}

#[test]
fn plaintext_alerts_after_the_peer_encrypts_are_refused() {
    // Client: once the server's handshake key is in, a plaintext alert is forged.
    let mut f = flow();
    let (plain, _, _) = server_flight(&mut f);
    let sh = mitm::plain_record(22, &plain[0].1);
    assert_eq!(feed(&mut f.c, &sh).unwrap(), Event::NeedData);
    let err = feed(&mut f.c, &mitm::plain_record(21, &[2, 40])).unwrap_err();
    expect(&err, AD::UNEXPECTED_MESSAGE, Reason::UNEXPECTED_MESSAGE);

    // Server: a plaintext alert is still the client's own before its first protected
    // record (it may fail on our flight before installing keys) ...
    let (mut f, _) = server_waiting_for_client_finished();
    let err = feed(&mut f.s, &mitm::plain_record(21, &[2, 42])).unwrap_err();
    assert_eq!(err.reason, Reason(1042));
    // ... and forged after it.
    let (mut f, suite) = server_waiting_for_client_finished();
    let secret = f.scap.secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET");
    // A protected (empty-bodied is not allowed, so a 1-byte) fragment of the Finished.
    let rec = mitm::seal_records(suite, &secret, &[(ContentType::HANDSHAKE, vec![20])]);
    assert_eq!(feed(&mut f.s, &rec).unwrap(), Event::NeedData);
    let err = feed(&mut f.s, &mitm::plain_record(21, &[2, 42])).unwrap_err();
    assert_eq!(err.alert, Some(AD::UNEXPECTED_MESSAGE), "{err:?}");
}

#[test]
fn inner_plaintext_with_padding_over_the_limit_is_record_overflow() {
    let mut f = connected();
    let suite = f.c.negotiated().suite.unwrap();
    let secret = f.ccap.secret("CLIENT_TRAFFIC_SECRET_0");
    // 16,000 bytes of data, its content type, then zero padding up to 2^14 + 2 in all:
    // the content alone is within 2^14, the TLSInnerPlaintext is not.
    let mut inner = vec![7u8; 16000];
    inner.push(ContentType::APPLICATION_DATA.0);
    inner.resize(16384 + 1, 0);
    let rec = mitm::seal_records(suite, &secret, &[(ContentType(0), inner)]);
    let err = feed(&mut f.s, &rec).unwrap_err();
    expect(&err, AD::RECORD_OVERFLOW, Reason::DATA_LENGTH_TOO_LONG);
}

#[test]
fn oversized_finished_is_refused_from_its_header() {
    let (mut f, suite) = server_waiting_for_client_finished();
    let secret = f.scap.secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET");
    // A Finished header claiming 200 KiB; no body follows.
    let rec = mitm::seal_records(
        suite,
        &secret,
        &[(ContentType::HANDSHAKE, vec![20, 0x03, 0x20, 0x00])],
    );
    let err = feed(&mut f.s, &rec).unwrap_err();
    expect(&err, AD::DECODE_ERROR, Reason::EXCESSIVE_MESSAGE_SIZE);
}

#[test]
fn key_share_of_the_wrong_size_is_illegal_parameter() {
    for bad in [Vec::new(), vec![9u8; 31], vec![9u8; 33]] {
        let err = server_error_for_hello(|h| {
            let x = KxGroup::X25519.to_u16();
            let shares = oxssl::msgs::extensions::encode_key_shares(&[
                oxssl::msgs::extensions::KeyShareEntry {
                    group: x,
                    payload: bad.clone(),
                },
            ])
            .unwrap();
            for e in &mut h.extensions.0 {
                if e.typ == ExtensionType::KEY_SHARE {
                    e.data = shares.clone();
                }
            }
        });
        expect(&err, AD::ILLEGAL_PARAMETER, Reason::BAD_KEY_SHARE);
    }
}

/// Sends a (possibly huge) ClientHello in as many records as it needs.
fn hello_records(hello: oxssl::msgs::handshake::ClientHello) -> Vec<u8> {
    let bytes = HandshakeMessage::ClientHello(hello).encode().unwrap();
    bytes
        .chunks(16384)
        .flat_map(|c| mitm::plain_record(22, c))
        .collect()
}

fn client_hello(f: &mut Flow) -> oxssl::msgs::handshake::ClientHello {
    let ch = take(&mut f.c);
    let raw = &mitm::split_records(&ch)[0].1;
    let HandshakeMessage::ClientHello(hello) =
        HandshakeMessage::decode(HandshakeType(raw[0]), &raw[4..]).unwrap()
    else {
        panic!()
    };
    hello
}

#[test]
fn huge_client_hellos_are_processed_with_bounded_work() {
    // 32,000 signature algorithms (as OpenSSL accepts): processed, not refused.
    let mut f = flow();
    let mut hello = client_hello(&mut f);
    let mut schemes: Vec<u16> = (0..32_000u16).map(|i| 0x0a00 + (i % 0x5000)).collect();
    schemes.push(SignatureScheme::EcdsaSecp256r1Sha256.to_u16());
    for e in &mut hello.extensions.0 {
        if e.typ == ExtensionType::SIGNATURE_ALGORITHMS {
            e.data = oxssl::msgs::extensions::encode_u16_list(&schemes).unwrap();
        }
    }
    assert_eq!(
        feed(&mut f.s, &hello_records(hello)).unwrap(),
        Event::NeedData
    );
    assert!(f.s.pending_tls().len() > 100, "the server answered");

    // 16,000 extensions (all the u16 block holds) with a duplicate at the end, and 8,000 key shares against
    // 8,000 groups: refused quickly (the checks are not quadratic).
    let mut f = flow();
    let mut hello = client_hello(&mut f);
    for t in 0..16_000u16 {
        hello.extensions.push(ExtensionType(0x4000 + t), Vec::new());
    }
    hello.extensions.push(ExtensionType(0x4000), Vec::new());
    let started = std::time::Instant::now();
    let err = feed(&mut f.s, &hello_records(hello)).unwrap_err();
    expect(&err, AD::ILLEGAL_PARAMETER, Reason::BAD_EXTENSION);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));

    let mut f = flow();
    let mut hello = client_hello(&mut f);
    let groups: Vec<u16> = (0..8_000u16).map(|i| 0x2000 + i).collect();
    let shares: Vec<_> = groups
        .iter()
        .rev()
        .map(|&g| oxssl::msgs::extensions::KeyShareEntry {
            group: g,
            payload: vec![1],
        })
        .chain([oxssl::msgs::extensions::KeyShareEntry {
            group: 0x2000,
            payload: vec![1],
        }])
        .collect();
    for e in &mut hello.extensions.0 {
        if e.typ == ExtensionType::SUPPORTED_GROUPS {
            e.data = oxssl::msgs::extensions::encode_u16_list(&groups).unwrap();
        }
        if e.typ == ExtensionType::KEY_SHARE {
            e.data = oxssl::msgs::extensions::encode_key_shares(&shares).unwrap();
        }
    }
    let started = std::time::Instant::now();
    let err = feed(&mut f.s, &hello_records(hello)).unwrap_err();
    expect(&err, AD::ILLEGAL_PARAMETER, Reason::BAD_KEY_SHARE);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn overlong_configured_alpn_fails_instead_of_truncating() {
    let (mut cc, sc) = configs();
    cc.alpn_protocols = vec![vec![b'a'; 300]];
    let mut f = flow_with(cc, sc, "localhost");
    let err = f.c.start().unwrap_err();
    assert_eq!(err.alert, Some(AD::INTERNAL_ERROR));
    assert!(f.c.error().is_some());
}

#[test]
fn a_failed_key_update_fails_the_connection() {
    let mut f = connected();
    f.c.test_set_write_sequence(u64::MAX);
    assert!(f.c.send_key_update(false).is_err());
    assert!(f.c.error().is_some(), "the failure must be latched");
    assert!(f.c.write_app_record(b"x", 100).is_err());
}
