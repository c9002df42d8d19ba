//! TLS 1.2 in the engine: version negotiation with TLS 1.3 (both directions, downgrade
//! sentinels), old versions refused, RFC 5746 renegotiation_info checks in the initial
//! handshake, the extended master secret requirement, and TLS 1.2 record overhead.
mod common;

use common::certs::{server_pki, KeyKind};
use common::mitm;
use common::ox::{self, feed, handshake, take};
use oxssl::config::Config;
use oxssl::msgs::enums::{AlertDescription as AD, ExtensionType, HandshakeType, ProtocolVersion};
use oxssl::msgs::handshake::{ClientHello, HandshakeMessage, ServerHello};
use oxssl::reason::Reason;
use oxssl::{Connection, TlsError};

const V12: ProtocolVersion = ProtocolVersion::TLSV1_2;
const V13: ProtocolVersion = ProtocolVersion::TLSV1_3;

fn configs() -> (Config, Config) {
    let pki = server_pki(KeyKind::EcdsaP256);
    (ox::client_config(pki), ox::server_config(pki))
}

fn max(mut c: Config, v: ProtocolVersion) -> Config {
    c.max_version = v;
    c
}

fn pair(cc: Config, sc: Config) -> (Connection, Connection) {
    (ox::client(cc, "localhost"), ox::server(sc))
}

fn expect(err: &TlsError, alert: AD, reason: Reason) {
    assert_eq!((err.alert, err.reason), (Some(alert), reason), "{err:?}");
}

fn decode_ch(rec: &[u8]) -> ClientHello {
    let raw = &mitm::split_records(rec)[0].1;
    match HandshakeMessage::decode(HandshakeType(raw[0]), &raw[4..]).unwrap() {
        HandshakeMessage::ClientHello(ch) => ch,
        _ => panic!("not a ClientHello"),
    }
}

fn encode(m: HandshakeMessage) -> Vec<u8> {
    mitm::plain_record(22, &m.encode().unwrap())
}

/// The server's first record (its ServerHello), decoded, and the rest of its flight.
fn server_hello(flight: &[u8]) -> (ServerHello, Vec<u8>) {
    let recs = mitm::split_records(flight);
    let msgs = mitm::split_messages(&recs[0].1);
    let sh = match HandshakeMessage::decode(HandshakeType(msgs[0][0]), &msgs[0][4..]).unwrap() {
        HandshakeMessage::ServerHello(sh) => sh,
        _ => panic!("not a ServerHello"),
    };
    // The rest of the first record's messages, then the following records, re-framed.
    let mut rest: Vec<u8> = msgs[1..].concat();
    rest = if rest.is_empty() {
        Vec::new()
    } else {
        mitm::plain_record(22, &rest)
    };
    for (t, b) in &recs[1..] {
        rest.extend(mitm::plain_record(*t, b));
    }
    (sh, rest)
}

#[test]
fn versions_negotiate_both_ways() {
    for (cmax, smax, want) in [
        (V13, V12, V12),
        (V12, V13, V12),
        (V12, V12, V12),
        (V13, V13, V13),
    ] {
        let (cc, sc) = configs();
        let (mut c, mut s) = pair(max(cc, cmax), max(sc, smax));
        handshake(&mut c, &mut s).unwrap();
        assert_eq!(c.negotiated().version, Some(want));
        assert_eq!(s.negotiated().version, Some(want));
        // A 1.3-capable server negotiating 1.2 marks its random (RFC 8446 4.1.3).
        let sentinel = &s.negotiated().server_random[24..] == b"DOWNGRD\x01";
        assert_eq!(sentinel, want == V12 && smax == V13);
        ox::write_all(&mut c, b"over tls").unwrap();
        let mut got = Vec::new();
        let bytes = take(&mut c);
        feed(&mut s, &bytes).unwrap();
        ox::read_available(&mut s, &mut got).unwrap();
        assert_eq!(got, b"over tls");
    }
}

#[test]
fn stripping_tls13_from_the_hello_is_detected() {
    // An attacker removes supported_versions: the 1.3-capable server answers with TLS 1.2
    // and its downgrade sentinel, which the client (that offered 1.3) refuses.
    let (cc, sc) = configs();
    let (mut c, mut s) = pair(cc, sc);
    let mut ch = decode_ch(&take(&mut c));
    ch.extensions
        .0
        .retain(|e| e.typ != ExtensionType::SUPPORTED_VERSIONS);
    feed(&mut s, &encode(HandshakeMessage::ClientHello(ch))).unwrap();
    assert_eq!(s.negotiated().version, Some(V12));
    let err = feed(&mut c, &take(&mut s)).unwrap_err();
    expect(&err, AD::ILLEGAL_PARAMETER, Reason::INAPPROPRIATE_FALLBACK);

    // A sentinel set by a tampered TLS 1.2-only server's hello is detected the same way.
    let (cc, sc) = configs();
    let (mut c, mut s) = pair(cc, max(sc, V12));
    feed(&mut s, &take(&mut c)).unwrap();
    let (mut sh, rest) = server_hello(&take(&mut s));
    sh.random[24..].copy_from_slice(b"DOWNGRD\x01");
    let mut bytes = encode(HandshakeMessage::ServerHello(sh));
    bytes.extend(rest);
    let err = feed(&mut c, &bytes).unwrap_err();
    expect(&err, AD::ILLEGAL_PARAMETER, Reason::INAPPROPRIATE_FALLBACK);
}

#[test]
fn old_protocol_versions_are_refused() {
    for legacy in [0x0300u16, 0x0301, 0x0302] {
        let (cc, sc) = configs();
        let (mut c, mut s) = pair(cc, sc);
        let mut ch = decode_ch(&take(&mut c));
        ch.legacy_version = legacy;
        ch.extensions
            .0
            .retain(|e| e.typ != ExtensionType::SUPPORTED_VERSIONS);
        let err = feed(&mut s, &encode(HandshakeMessage::ClientHello(ch))).unwrap_err();
        expect(&err, AD::PROTOCOL_VERSION, Reason::UNSUPPORTED_PROTOCOL);
    }
    // supported_versions listing only old versions.
    let (cc, sc) = configs();
    let (mut c, mut s) = pair(cc, sc);
    let mut ch = decode_ch(&take(&mut c));
    for e in &mut ch.extensions.0 {
        if e.typ == ExtensionType::SUPPORTED_VERSIONS {
            e.data = oxssl::msgs::extensions::encode_versions_client(&[0x0302, 0x0301]).unwrap();
        }
    }
    let err = feed(&mut s, &encode(HandshakeMessage::ClientHello(ch))).unwrap_err();
    expect(&err, AD::PROTOCOL_VERSION, Reason::UNSUPPORTED_PROTOCOL);
}

/// Edits the TLS 1.2 ServerHello and returns the client's verdict.
fn client_after_server_hello(
    cc: Config,
    edit: impl FnOnce(&mut ServerHello),
) -> (Connection, Connection, Result<oxssl::Event, TlsError>) {
    let (_, sc) = configs();
    let (mut c, mut s) = pair(max(cc, V12), max(sc, V12));
    feed(&mut s, &take(&mut c)).unwrap();
    let (mut sh, rest) = server_hello(&take(&mut s));
    edit(&mut sh);
    let mut bytes = encode(HandshakeMessage::ServerHello(sh));
    bytes.extend(rest);
    let r = feed(&mut c, &bytes);
    (c, s, r)
}

fn drop_ext(sh: &mut ServerHello, t: ExtensionType) {
    sh.extensions.0.retain(|e| e.typ != t);
}

#[test]
fn server_renegotiation_info_is_checked() {
    // A server without RFC 5746 is refused ...
    let (cc, _) = configs();
    let (_, _, r) =
        client_after_server_hello(cc, |sh| drop_ext(sh, ExtensionType::RENEGOTIATION_INFO));
    expect(
        &r.unwrap_err(),
        AD::HANDSHAKE_FAILURE,
        Reason::UNSAFE_LEGACY_RENEGOTIATION_DISABLED,
    );
    // ... unless LEGACY_SERVER_CONNECT: then the handshake goes on (it fails later only
    // because the transcript no longer matches the server's), and we never renegotiate.
    let (mut cc, _) = configs();
    cc.renegotiation.legacy_server_connect = true;
    let (_, _, r) =
        client_after_server_hello(cc, |sh| drop_ext(sh, ExtensionType::RENEGOTIATION_INFO));
    assert!(r.is_ok(), "{r:?}");
    // A non-empty renegotiated_connection in an initial handshake is forged.
    let (cc, _) = configs();
    let (_, _, r) = client_after_server_hello(cc, |sh| {
        for e in &mut sh.extensions.0 {
            if e.typ == ExtensionType::RENEGOTIATION_INFO {
                e.data = vec![12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
            }
        }
    });
    expect(
        &r.unwrap_err(),
        AD::HANDSHAKE_FAILURE,
        Reason::RENEGOTIATION_MISMATCH,
    );
}

/// Edits the client's TLS 1.2 hello and runs the handshake on.
fn server_after_client_hello(
    sc: Config,
    edit: impl FnOnce(&mut ClientHello),
) -> (Connection, Connection, Result<(), TlsError>) {
    let (cc, _) = configs();
    let mut cc = max(cc, V12);
    cc.renegotiation.legacy_server_connect = true;
    let (mut c, mut s) = pair(cc, max(sc, V12));
    let mut ch = decode_ch(&take(&mut c));
    edit(&mut ch);
    // The client's transcript holds its own hello; give the server the edited one and
    // judge the server's reaction to it alone.
    let r = feed(&mut s, &encode(HandshakeMessage::ClientHello(ch))).map(|_| ());
    (c, s, r)
}

#[test]
fn client_renegotiation_info_is_checked() {
    let (_, sc) = configs();
    let (_, _, r) = server_after_client_hello(sc, |ch| {
        for e in &mut ch.extensions.0 {
            if e.typ == ExtensionType::RENEGOTIATION_INFO {
                e.data = vec![1, 9];
            }
        }
    });
    expect(
        &r.unwrap_err(),
        AD::HANDSHAKE_FAILURE,
        Reason::RENEGOTIATION_MISMATCH,
    );
    // Neither the extension nor the SCSV: a legacy client is served, without RFC 5746.
    let (_, sc) = configs();
    let (_, s, r) = server_after_client_hello(sc, |ch| {
        ch.extensions
            .0
            .retain(|e| e.typ != ExtensionType::RENEGOTIATION_INFO)
    });
    r.unwrap();
    let (sh, _) = server_hello(&{
        let mut s = s;
        take(&mut s)
    });
    assert!(!sh.extensions.contains(ExtensionType::RENEGOTIATION_INFO));
    // The SCSV alone announces support: the server answers with the extension.
    let (_, sc) = configs();
    let (_, mut s, r) = server_after_client_hello(sc, |ch| {
        ch.extensions
            .0
            .retain(|e| e.typ != ExtensionType::RENEGOTIATION_INFO);
        ch.cipher_suites.push(0x00ff);
    });
    r.unwrap();
    let (sh, _) = server_hello(&take(&mut s));
    assert_eq!(
        sh.extensions.get(ExtensionType::RENEGOTIATION_INFO),
        Some(&[0u8][..])
    );
}

#[test]
fn renegotiate_needs_a_finished_tls12_handshake() {
    // Before the handshake there is nothing to renegotiate (STILL_IN_INIT, not fatal).
    let (cc, sc) = configs();
    let (_, mut s) = pair(max(cc, V12), max(sc, V12));
    assert_eq!(
        s.renegotiate(false).unwrap_err().reason,
        Reason::STILL_IN_INIT
    );
    assert!(s.error().is_none());
    let (cc, sc) = configs();
    let (mut c, mut s) = pair(max(cc, V12), max(sc, V12));
    handshake(&mut c, &mut s).unwrap();
    // Both support RFC 5746 here: a server renegotiation is possible ...
    s.renegotiate(false).unwrap();
    assert!(s.renegotiate_pending());
    // ... and on TLS 1.3 it is refused with WRONG_SSL_VERSION, not fatally.
    let (cc, sc) = configs();
    let (mut c, mut s) = pair(cc, sc);
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(
        s.renegotiate(false).unwrap_err().reason,
        Reason::WRONG_SSL_VERSION
    );
    assert!(s.error().is_none());
}

#[test]
fn extended_master_secret_can_be_required() {
    let (_, mut sc) = configs();
    sc.require_ems = true;
    let (_, _, r) = server_after_client_hello(sc, |ch| {
        ch.extensions
            .0
            .retain(|e| e.typ != ExtensionType::EXTENDED_MASTER_SECRET)
    });
    expect(
        &r.unwrap_err(),
        AD::HANDSHAKE_FAILURE,
        Reason::INCONSISTENT_EXTMS,
    );
    // Without the requirement the handshake goes on without EMS.
    let (_, sc) = configs();
    let (_, mut s, r) = server_after_client_hello(sc, |ch| {
        ch.extensions
            .0
            .retain(|e| e.typ != ExtensionType::EXTENDED_MASTER_SECRET)
    });
    r.unwrap();
    let (sh, _) = server_hello(&take(&mut s));
    assert!(!sh
        .extensions
        .contains(ExtensionType::EXTENDED_MASTER_SECRET));
}

#[test]
fn tls12_record_overhead() {
    // AES-GCM: 8-byte explicit nonce + 16-byte tag; ChaCha20-Poly1305: 16-byte tag.
    use oxssl::suites::CipherSuite as S;
    for (suite, overhead) in [
        (S::Tls12EcdheEcdsaAes128GcmSha256, 24),
        (S::Tls12EcdheEcdsaAes256GcmSha384, 24),
        (S::Tls12EcdheEcdsaChacha20Poly1305, 16),
    ] {
        let (mut cc, sc) = configs();
        cc.tls12_cipher_suites = vec![suite];
        let (mut c, mut s) = pair(max(cc, V12), max(sc, V12));
        handshake(&mut c, &mut s).unwrap();
        assert_eq!(c.negotiated().suite, Some(suite));
        ox::write_all(&mut c, &[7u8; 40000]).unwrap();
        let wire = take(&mut c);
        let recs = mitm::split_records(&wire);
        let sizes: Vec<usize> = recs.iter().map(|(_, b)| b.len() - overhead).collect();
        assert_eq!(sizes, [16384, 16384, 7232], "{suite:?}");
    }
}

/// A connected TLS 1.2 pair with the server's key log, so a man in the middle can decrypt
/// and re-encrypt the client's records.
struct Mitm12 {
    c: Connection,
    s: Connection,
    keys: std::sync::Arc<mitm::Capture>,
}

fn connected12(sc_edit: impl FnOnce(&mut Config)) -> Mitm12 {
    let (cc, mut sc) = configs();
    sc_edit(&mut sc);
    let keys = mitm::Capture::new();
    sc.keylog = Some(keys.clone());
    let (mut c, mut s) = pair(max(cc, V12), max(sc, V12));
    handshake(&mut c, &mut s).unwrap();
    Mitm12 { c, s, keys }
}

impl Mitm12 {
    /// Decrypts the client's next flight (its write sequence is at `seq`), lets `edit`
    /// rewrite the handshake messages, and re-encrypts it for the server.
    fn rewrite_client_flight(
        &mut self,
        seq: u64,
        edit: impl FnOnce(&mut HandshakeMessage),
    ) -> Vec<u8> {
        let n = self.s.negotiated().clone();
        let suite = n.suite.unwrap();
        let master = self.keys.secret("CLIENT_RANDOM");
        let cipher =
            |s| mitm::tls12_cipher(suite, &master, &n.client_random, &n.server_random, true, s);
        let recs = mitm::split_records(&take(&mut self.c));
        let plain = mitm::open_tls12(&mut cipher(seq), &recs);
        let raw = &plain[0].1;
        let mut msg = HandshakeMessage::decode(HandshakeType(raw[0]), &raw[4..]).unwrap();
        edit(&mut msg);
        let mut out = Vec::new();
        cipher(seq)
            .seal(
                &mut out,
                oxssl::msgs::enums::ContentType::HANDSHAKE,
                0x0303,
                &msg.encode().unwrap(),
            )
            .unwrap();
        out
    }
}

/// A rewrite of a ClientHello.
type HelloEdit = Box<dyn FnOnce(&mut ClientHello)>;

fn ri_edit(edit: impl FnOnce(&mut ClientHello)) -> impl FnOnce(&mut HandshakeMessage) {
    move |m| match m {
        HandshakeMessage::ClientHello(ch) => edit(ch),
        _ => panic!("not a ClientHello"),
    }
}

#[test]
fn renegotiation_info_is_checked_when_renegotiating() {
    let allow = |sc: &mut Config| sc.renegotiation.allow_client_initiated = true;
    // The client's Finished was record 0 under the new keys: the renegotiating hello is
    // record 1.
    let cases: Vec<(HelloEdit, Reason)> = vec![
        (
            Box::new(|ch: &mut ClientHello| {
                for e in &mut ch.extensions.0 {
                    if e.typ == ExtensionType::RENEGOTIATION_INFO {
                        e.data[1] ^= 0x55; // forged verify_data
                    }
                }
            }),
            Reason::RENEGOTIATION_MISMATCH,
        ),
        (
            Box::new(|ch: &mut ClientHello| {
                ch.extensions
                    .0
                    .retain(|e| e.typ != ExtensionType::RENEGOTIATION_INFO)
            }),
            Reason::UNSAFE_LEGACY_RENEGOTIATION_DISABLED,
        ),
        (
            Box::new(|ch: &mut ClientHello| ch.cipher_suites.push(0x00ff)),
            Reason::SCSV_RECEIVED_WHEN_RENEGOTIATING,
        ),
    ];
    for (edit, reason) in cases {
        let mut m = connected12(allow);
        m.c.renegotiate(false).unwrap();
        let forged = m.rewrite_client_flight(1, ri_edit(edit));
        let err = feed(&mut m.s, &forged).unwrap_err();
        expect(&err, AD::HANDSHAKE_FAILURE, reason);
    }
    // Unmodified, the same renegotiation completes.
    let mut m = connected12(allow);
    m.c.renegotiate(false).unwrap();
    let same = m.rewrite_client_flight(1, |_| {});
    feed(&mut m.s, &same).unwrap();
    feed(&mut m.c, &take(&mut m.s)).unwrap();
    feed(&mut m.s, &take(&mut m.c)).unwrap();
    feed(&mut m.c, &take(&mut m.s)).unwrap();
    assert!(m.c.is_connected() && m.s.is_connected());
    assert!(!m.c.renegotiate_pending() && !m.s.renegotiate_pending());
}

#[test]
fn a_renegotiation_flood_is_cut_off() {
    // A server that keeps asking without sending data: the client renegotiates three
    // times in a row, then answers no_renegotiation, which fails the server (339).
    let mut m = connected12(|_| {});
    let mut done = 0;
    for _ in 0..10 {
        if m.s.renegotiate(false).is_err() {
            break;
        }
        let hr = take(&mut m.s);
        feed(&mut m.c, &hr).unwrap();
        if !m.c.renegotiate_pending() {
            // Refused: the client's answer is a warning no_renegotiation alert.
            let refusal = take(&mut m.c);
            let err = feed(&mut m.s, &refusal).unwrap_err();
            expect(&err, AD::HANDSHAKE_FAILURE, Reason::NO_RENEGOTIATION);
            break;
        }
        for _ in 0..4 {
            let out = take(&mut m.c);
            feed(&mut m.s, &out).unwrap();
            let out = take(&mut m.s);
            feed(&mut m.c, &out).unwrap();
        }
        assert!(m.c.is_connected());
        done += 1;
    }
    assert_eq!(done, 3, "renegotiations allowed before the cut-off");
    // Application data resets the count: after data, renegotiation works again.
    let mut m = connected12(|_| {});
    for _ in 0..5 {
        m.s.renegotiate(false).unwrap();
        let hr = take(&mut m.s);
        feed(&mut m.c, &hr).unwrap();
        assert!(m.c.renegotiate_pending());
        for _ in 0..4 {
            let out = take(&mut m.c);
            feed(&mut m.s, &out).unwrap();
            let out = take(&mut m.s);
            feed(&mut m.c, &out).unwrap();
        }
        ox::write_all(&mut m.s, b"data").unwrap();
        let out = take(&mut m.s);
        let mut got = Vec::new();
        feed(&mut m.c, &out).unwrap();
        ox::read_available(&mut m.c, &mut got).unwrap();
        assert_eq!(got, b"data");
    }
}

/// The server's plaintext TLS 1.2 flight, message by message.
fn server_flight12() -> (Connection, Connection, Vec<Vec<u8>>) {
    let (cc, sc) = configs();
    let (mut c, mut s) = pair(max(cc, V12), max(sc, V12));
    feed(&mut s, &take(&mut c)).unwrap();
    let recs = mitm::split_records(&take(&mut s));
    let hs: Vec<u8> = recs.iter().flat_map(|(_, b)| b.clone()).collect();
    (c, s, mitm::split_messages(&hs))
}

#[test]
fn client_rejects_out_of_order_messages_and_early_ccs() {
    // The flight is ServerHello, Certificate, ServerKeyExchange, ServerHelloDone.
    let (_, _, msgs) = server_flight12();
    let types: Vec<u8> = msgs.iter().map(|m| m[0]).collect();
    assert_eq!(types, [2, 11, 12, 14]);
    // Skipping a message between the ServerHello and the ServerHelloDone is
    // unexpected_message (skipping the last one just leaves the client waiting).
    for skip in 1..msgs.len() - 1 {
        let (mut c, _, msgs) = server_flight12();
        let mut bytes = Vec::new();
        for (i, m) in msgs.iter().enumerate() {
            if i != skip {
                bytes.extend(mitm::plain_record(22, m));
            }
        }
        let err = feed(&mut c, &bytes).unwrap_err();
        expect(&err, AD::UNEXPECTED_MESSAGE, Reason::UNEXPECTED_MESSAGE);
    }
    // A CCS before the server's Finished is due (the "early CCS" attack) is refused in
    // every state before it.
    for at in 1..msgs.len() {
        let (mut c, _, msgs) = server_flight12();
        let mut bytes = Vec::new();
        for m in &msgs[..at] {
            bytes.extend(mitm::plain_record(22, m));
        }
        bytes.extend(mitm::plain_record(20, &[1]));
        let err = feed(&mut c, &bytes).unwrap_err();
        expect(&err, AD::UNEXPECTED_MESSAGE, Reason::UNEXPECTED_CCS_MESSAGE);
    }
}

#[test]
fn server_rejects_early_ccs_and_bad_finished() {
    // CCS right after the ClientHello (before any key exchange).
    let (_, mut s, _) = server_flight12();
    let err = feed(&mut s, &mitm::plain_record(20, &[1])).unwrap_err();
    expect(&err, AD::UNEXPECTED_MESSAGE, Reason::UNEXPECTED_CCS_MESSAGE);
    // A Finished before the ClientKeyExchange.
    let (_, mut s, _) = server_flight12();
    let fin = HandshakeMessage::Finished(vec![0; 12]).encode().unwrap();
    let err = feed(&mut s, &mitm::plain_record(22, &fin)).unwrap_err();
    expect(&err, AD::UNEXPECTED_MESSAGE, Reason::UNEXPECTED_MESSAGE);
    // A tampered Finished from the client (re-encrypted by a man in the middle).
    let keys = mitm::Capture::new();
    let (cc, mut sc) = configs();
    sc.keylog = Some(keys.clone());
    let (mut c, mut s) = pair(max(cc, V12), max(sc, V12));
    feed(&mut s, &take(&mut c)).unwrap();
    feed(&mut c, &take(&mut s)).unwrap();
    let flight = mitm::split_records(&take(&mut c));
    // ClientKeyExchange (plaintext), CCS, then the encrypted Finished.
    assert_eq!(flight.iter().map(|r| r.0).collect::<Vec<_>>(), [22, 20, 22]);
    let mut bytes = mitm::plain_record(22, &flight[0].1);
    bytes.extend(mitm::plain_record(20, &[1]));
    feed(&mut s, &bytes).unwrap();
    let n = s.negotiated().clone();
    let master = keys.secret("CLIENT_RANDOM");
    let suite = n.suite.unwrap();
    let cipher = || mitm::tls12_cipher(suite, &master, &n.client_random, &n.server_random, true, 0);
    let plain = mitm::open_tls12(&mut cipher(), &flight[2..]);
    let mut fin = plain[0].1.clone();
    fin[5] ^= 1;
    let mut out = Vec::new();
    cipher()
        .seal(
            &mut out,
            oxssl::msgs::enums::ContentType::HANDSHAKE,
            0x0303,
            &fin,
        )
        .unwrap();
    let err = feed(&mut s, &out).unwrap_err();
    expect(&err, AD::DECRYPT_ERROR, Reason::DIGEST_CHECK_FAILED);
}

#[test]
fn cbc_rsa_key_exchange_dhe_and_compression_are_refused() {
    // Only suites oxssl does not implement: AES128-SHA (RSA key exchange, CBC),
    // DHE-RSA-AES128-GCM-SHA256, ECDHE-RSA-AES128-SHA (CBC), plus the SCSV.
    let (_, sc) = configs();
    let (_, _, r) = server_after_client_hello(sc, |ch| {
        ch.cipher_suites = vec![0x002f, 0x009e, 0xc013, 0x00ff];
    });
    expect(
        &r.unwrap_err(),
        AD::HANDSHAKE_FAILURE,
        Reason::NO_SHARED_CIPHER,
    );
    // Compression without the null method (OpenSSL: decode_error).
    let (_, sc) = configs();
    let (_, _, r) = server_after_client_hello(sc, |ch| ch.compression_methods = vec![1]);
    expect(
        &r.unwrap_err(),
        AD::DECODE_ERROR,
        Reason::NO_COMPRESSION_SPECIFIED,
    );
    // A server answering with a CBC suite the client never offered.
    let (cc, _) = configs();
    let (_, _, r) = client_after_server_hello(cc, |sh| sh.cipher_suite = 0xc013);
    expect(
        &r.unwrap_err(),
        AD::ILLEGAL_PARAMETER,
        Reason::WRONG_CIPHER_RETURNED,
    );
}

/// A server with an ECDSA and an RSA certificate serves each client the one it can use,
/// and a certificate per server name (SNI), in both versions.
#[test]
fn certificate_selection_by_suite_scheme_and_server_name() {
    use common::certs::KeyKind;
    use oxssl::config::CertifiedKey;
    use oxssl::crypto::sign::{SignatureScheme as S, SigningKey};
    use oxssl::suites::CipherSuite as CS;
    use oxssl::x509::CertificateDer;
    let ecdsa = server_pki(KeyKind::EcdsaP256);
    let rsa = server_pki(KeyKind::Rsa2048);
    let ck = |p: &common::certs::Pki| CertifiedKey {
        chain: vec![CertificateDer::from(p.leaf_der.clone())],
        key: std::sync::Arc::new(SigningKey::from_der(&p.key_der).unwrap()),
    };
    let server = || {
        let mut sc = ox::server_config(ecdsa);
        sc.extra_keys = vec![ck(rsa)];
        sc
    };
    let client = || {
        let mut cc = ox::client_config(ecdsa);
        let mut trust = oxssl::x509::TrustStore::new();
        trust.add_der(&ecdsa.ca_der).unwrap();
        trust.add_der(&rsa.ca_der).unwrap();
        cc.trust = std::sync::Arc::new(trust);
        cc
    };
    let leaf = |c: &Connection| c.negotiated().peer_chain[0].as_ref().to_vec();
    // TLS 1.2: the suite decides.
    for (suite, want) in [
        (CS::Tls12EcdheRsaAes128GcmSha256, &rsa.leaf_der),
        (CS::Tls12EcdheEcdsaAes128GcmSha256, &ecdsa.leaf_der),
    ] {
        let mut cc = max(client(), V12);
        cc.tls12_cipher_suites = vec![suite];
        let (mut c, mut s) = pair(cc, max(server(), V12));
        handshake(&mut c, &mut s).unwrap();
        assert_eq!(&leaf(&c), want, "{suite:?}");
    }
    // TLS 1.3: the signature algorithms decide.
    for (scheme, want) in [
        (S::RsaPssRsaeSha256, &rsa.leaf_der),
        (S::EcdsaSecp256r1Sha256, &ecdsa.leaf_der),
    ] {
        let mut cc = client();
        cc.signature_schemes = vec![scheme];
        let (mut c, mut s) = pair(cc, server());
        handshake(&mut c, &mut s).unwrap();
        assert_eq!(&leaf(&c), want, "{scheme:?}");
    }
    // SNI: "other.localhost" gets the RSA certificate only, everyone else the default.
    for (v, name, want) in [
        (V13, "localhost", &ecdsa.leaf_der),
        (V12, "localhost", &ecdsa.leaf_der),
    ] {
        let mut sc = server();
        sc.named_keys = vec![("unused.example".into(), vec![ck(rsa)])];
        let (mut c, mut s) = pair(max(client(), v), max(sc, v));
        handshake(&mut c, &mut s).unwrap();
        assert_eq!(&leaf(&c), want, "{name}");
    }
    for v in [V13, V12] {
        let mut sc = server();
        sc.named_keys = vec![("LOCALHOST".into(), vec![ck(rsa)])];
        let (mut c, mut s) = pair(max(client(), v), max(sc, v));
        handshake(&mut c, &mut s).unwrap();
        assert_eq!(leaf(&c), rsa.leaf_der, "{v:?}");
    }
}

/// A client identity trusted through its own CA, and a client config that holds it.
fn client_with_certificate(cc: Config) -> (Config, common::certs::Pki) {
    let mut spec = common::certs::LeafSpec::server(KeyKind::EcdsaP256);
    spec.names = vec!["client.test".into()];
    spec.client_auth = true;
    let id = common::certs::issue(&spec);
    let cc = Config {
        certified_key: Some(oxssl::config::CertifiedKey {
            chain: vec![oxssl::x509::CertificateDer::from(id.leaf_der.clone())],
            key: std::sync::Arc::new(oxssl::config::SigningKey::from_der(&id.key_der).unwrap()),
        }),
        ..cc
    };
    (cc, id)
}

/// A server config that asks for (and verifies) client certificates from `ca`.
fn asking(sc: Config, ca: &[u8]) -> Config {
    let mut trust = oxssl::x509::TrustStore::new();
    trust.add_der(ca).unwrap();
    let mut sc = Config {
        trust: std::sync::Arc::new(trust),
        ..sc
    };
    sc.verify.peer = true;
    sc.verify.fail_if_no_peer_cert = true;
    sc
}

/// A client certificate offered in a renegotiation becomes the peer's identity only at
/// that renegotiation's Finished (issue 16): the server takes the client's flight record by
/// record (Certificate, ClientKeyExchange, CertificateVerify, CCS, Finished) and shows no
/// certificate before the last one; the session it then makes carries it.
#[test]
fn a_certificate_offered_in_a_renegotiation_is_published_at_its_finished() {
    let (cc, sc) = configs();
    let (cc, id) = client_with_certificate(cc);
    let (mut c, mut s) = pair(max(cc, V12), max(sc.clone(), V12));
    handshake(&mut c, &mut s).unwrap();
    assert!(s.negotiated().peer_chain.is_empty());
    s.set_config(std::sync::Arc::new(max(asking(sc, &id.ca_der), V12)));
    s.renegotiate(false).unwrap();
    feed(&mut c, &take(&mut s)).unwrap();
    feed(&mut s, &take(&mut c)).unwrap();
    feed(&mut c, &take(&mut s)).unwrap();
    let records = mitm::split_records(&take(&mut c));
    assert_eq!(
        records.len(),
        5,
        "one record per message of the client's flight"
    );
    for (i, (typ, body)) in records.iter().enumerate() {
        assert!(s.negotiated().peer_chain.is_empty(), "before record {i}");
        feed(&mut s, &mitm::plain_record(*typ, body)).unwrap();
    }
    assert!(s.is_connected());
    let n = s.negotiated();
    assert_eq!(
        n.peer_chain,
        [oxssl::x509::CertificateDer::from(id.leaf_der.clone())]
    );
    assert_eq!(n.verify_result, 0);
    let session = n.session.as_ref().expect("the renegotiation's session");
    assert_eq!(
        session.peer_cert.as_ref().map(|c| c.as_ref()),
        Some(&id.leaf_der[..])
    );
}

/// Sessions made by a handshake carry the peer's certificate and its verification result
/// (they are made after the peer's Finished published them), in both versions and on both
/// sides.
#[test]
fn sessions_carry_the_peers_identity() {
    let pki = server_pki(KeyKind::EcdsaP256);
    for v in [V13, V12] {
        let (cc, sc) = configs();
        let (cc, id) = client_with_certificate(cc);
        let (mut c, mut s) = pair(max(cc, v), max(asking(sc, &id.ca_der), v));
        handshake(&mut c, &mut s).unwrap();
        // TLS 1.3: the server's tickets follow the client's Finished.
        let tickets = take(&mut s);
        if !tickets.is_empty() {
            feed(&mut c, &tickets).unwrap();
        }
        let client_session = c.negotiated().session.clone().expect("client session");
        let server_session = s.negotiated().session.clone().expect("server session");
        assert_eq!(
            client_session.peer_cert.as_ref().map(|c| c.as_ref()),
            Some(&pki.leaf_der[..]),
            "{v:?}"
        );
        assert_eq!(
            server_session.peer_cert.as_ref().map(|c| c.as_ref()),
            Some(&id.leaf_der[..]),
            "{v:?}"
        );
        assert_eq!(
            (client_session.verify_result, server_session.verify_result),
            (0, 0),
            "{v:?}"
        );
    }
}
