//! Hostile peers (issue 11): each case asserts the alert sent, the reason reported, and
//! that the work and memory a peer made us spend stayed bounded.
mod common;

use common::certs::{server_pki, KeyKind};
use common::mitm::{self, Capture};
use common::ox::{self, feed, handshake, take};
use oxssl::config::{AlertDescription as AD, Config, ContentType, ProtocolVersion};
use oxssl::reason::Reason;
use oxssl::{Connection, Event, TlsError};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn expect(err: &TlsError, alert: AD, reason: Reason) {
    assert_eq!((err.alert, err.reason), (Some(alert), reason), "{err:?}");
}

fn configs() -> (Config, Config) {
    let pki = server_pki(KeyKind::EcdsaP256);
    (ox::client_config(pki), ox::server_config(pki))
}

/// A connected TLS 1.3 pair whose client traffic secret the test knows.
fn connected13() -> (Connection, Connection, Arc<Capture>) {
    let (mut cc, sc) = configs();
    let keys = Capture::new();
    cc.keylog = Some(keys.clone());
    let mut c = ox::client(cc, "localhost");
    let mut s = ox::server(sc);
    handshake(&mut c, &mut s).unwrap();
    (c, s, keys)
}

/// Records from the client to the server under the client's application key (sequence
/// numbers from 0, so the client must not have sent anything yet).
fn client_records(c: &Connection, keys: &Capture, items: &[(ContentType, Vec<u8>)]) -> Vec<u8> {
    let suite = c.negotiated().suite.unwrap();
    mitm::seal_records(suite, &keys.secret("CLIENT_TRAFFIC_SECRET_0"), items)
}

#[test]
fn a_16_mib_handshake_message_is_refused_from_its_header() {
    let (_, sc) = configs();
    let mut s = ox::server(sc);
    let before = s.buffer_memory();
    // A ClientHello header claiming 16 MiB - 1, and the first bytes of its body.
    let mut rec = vec![1u8, 0xff, 0xff, 0xff];
    rec.extend_from_slice(&[3, 3]);
    let err = feed(&mut s, &mitm::plain_record(22, &rec)).unwrap_err();
    expect(&err, AD::DECODE_ERROR, Reason::EXCESSIVE_MESSAGE_SIZE);
    assert!(
        s.buffer_memory() <= before + 64 * 1024,
        "nothing near 16 MiB was allocated"
    );
}

#[test]
fn a_certificate_chain_over_the_limit_is_refused() {
    let (mut cc, sc) = configs();
    cc.max_cert_list = 256;
    let mut c = ox::client(cc, "localhost");
    let mut s = ox::server(sc);
    let err = handshake(&mut c, &mut s).unwrap_err();
    expect(&err, AD::DECODE_ERROR, Reason::EXCESSIVE_MESSAGE_SIZE);
}

#[test]
fn endless_empty_records_and_warning_alerts_are_cut_off() {
    let (c, mut s, keys) = connected13();
    let empties: Vec<_> = (0..40)
        .map(|_| (ContentType::APPLICATION_DATA, Vec::new()))
        .collect();
    let err = feed(&mut s, &client_records(&c, &keys, &empties)).unwrap_err();
    expect(&err, AD::UNEXPECTED_MESSAGE, Reason::RECORD_TOO_SMALL);

    // user_canceled warnings (the one TLS 1.3 warning that is not fatal).
    let (c, mut s, keys) = connected13();
    let warnings: Vec<_> = (0..10)
        .map(|_| (ContentType::ALERT, vec![1, AD::USER_CANCELED.0]))
        .collect();
    let err = feed(&mut s, &client_records(&c, &keys, &warnings)).unwrap_err();
    expect(&err, AD::UNEXPECTED_MESSAGE, Reason::TOO_MANY_WARN_ALERTS);

    // Application data in between resets both counts.
    let (c, mut s, keys) = connected13();
    let mut mixed = Vec::new();
    for _ in 0..20 {
        mixed.push((ContentType::APPLICATION_DATA, Vec::new()));
        mixed.push((ContentType::ALERT, vec![1, AD::USER_CANCELED.0]));
        mixed.push((ContentType::APPLICATION_DATA, b"x".to_vec()));
    }
    let mut got = Vec::new();
    let bytes = client_records(&c, &keys, &mixed);
    let mut rest = &bytes[..];
    while !rest.is_empty() {
        let n = s.read_tls(rest);
        rest = &rest[n..];
        ox::read_available(&mut s, &mut got).unwrap();
    }
    assert_eq!(got, vec![b'x'; 20]);
}

/// A connected TLS 1.3 pair whose server sent no tickets (so the test seals records under
/// the server's application key from sequence 0), and that key's secret.
fn connected13_server_keys(collect: bool) -> (Connection, oxssl::suites::CipherSuite, Vec<u8>) {
    let (mut cc, mut sc) = configs();
    cc.resumption.collect_new = collect;
    sc.resumption.num_tickets = 0;
    let keys = Capture::new();
    sc.keylog = Some(keys.clone());
    let mut c = ox::client(cc, "localhost");
    let mut s = ox::server(sc);
    handshake(&mut c, &mut s).unwrap();
    let suite = c.negotiated().suite.unwrap();
    (c, suite, keys.secret("SERVER_TRAFFIC_SECRET_0"))
}

fn ticket(n: usize, len: usize) -> Vec<u8> {
    oxssl::msgs::handshake::HandshakeMessage::NewSessionTicket(
        oxssl::msgs::handshake::NewSessionTicket13 {
            lifetime: 7200,
            age_add: n as u32,
            nonce: (n as u32).to_be_bytes().to_vec(),
            ticket: vec![7; len],
            extensions: Default::default(),
        },
    )
    .encode()
    .unwrap()
}

#[test]
fn a_flood_of_session_tickets_is_cut_off() {
    let (mut c, suite, secret) = connected13_server_keys(false);
    let items: Vec<_> = (0..40)
        .map(|n| (ContentType::HANDSHAKE, ticket(n, 64)))
        .collect();
    let flood = mitm::seal_records(suite, &secret, &items);
    let err = feed(&mut c, &flood).unwrap_err();
    assert_eq!(err.alert, Some(AD::UNEXPECTED_MESSAGE), "{err:?}");
}

#[test]
fn thousands_of_tickets_between_data_keep_memory_bounded() {
    // 3,000 large tickets (16,000 bytes each), each followed by a byte of data (which resets the
    // flood count): the client keeps the latest session only, or a bounded queue of new
    // sessions for a caller that collects them.
    for collect in [false, true] {
        let (mut c, suite, secret) = connected13_server_keys(collect);
        let mut got = Vec::new();
        for chunk in 0..30 {
            let items: Vec<_> = (0..100)
                .flat_map(|n| {
                    [
                        (ContentType::HANDSHAKE, ticket(chunk * 100 + n, 16_000)),
                        (ContentType::APPLICATION_DATA, b"x".to_vec()),
                    ]
                })
                .collect();
            // Sequence numbers continue across chunks.
            let bytes = mitm::seal_records_from(suite, &secret, chunk as u64 * 200, &items);
            let mut rest = &bytes[..];
            while !rest.is_empty() {
                let n = c.read_tls(rest);
                rest = &rest[n..];
                ox::read_available(&mut c, &mut got).unwrap();
            }
        }
        assert_eq!(got.len(), 3000);
        let latest = c.negotiated().session.clone().expect("a session");
        assert_eq!(latest.age_add, 2999, "the latest ticket's session is kept");
        let kept = c.take_new_sessions();
        assert!(
            kept.len() <= 16,
            "collect={collect}: {} sessions kept",
            kept.len()
        );
        assert!(c.buffer_memory() < 200 * 1024, "{}", c.buffer_memory());
    }
}

#[test]
fn a_handshake_split_across_thousands_of_reads_completes() {
    let (cc, sc) = configs();
    let mut c = ox::client(cc, "localhost");
    let mut s = ox::server(sc);
    /// Hands `bytes` over one byte per read.
    fn trickle(to: &mut Connection, bytes: Vec<u8>) {
        for b in bytes {
            assert_eq!(to.read_tls(&[b]), 1);
            while to.process_one().unwrap() != Event::NeedData {}
        }
    }
    let started = Instant::now();
    for _ in 0..10 {
        let out = take(&mut c);
        trickle(&mut s, out);
        let out = take(&mut s);
        trickle(&mut c, out);
        if c.is_connected() && s.is_connected() {
            break;
        }
    }
    assert!(c.is_connected() && s.is_connected());
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn data_after_close_notify_is_ignored() {
    let (c, mut s, keys) = connected13();
    let items = vec![
        (ContentType::APPLICATION_DATA, b"before".to_vec()),
        (ContentType::ALERT, vec![1, 0]),
        (ContentType::APPLICATION_DATA, b"after".to_vec()),
    ];
    let bytes = client_records(&c, &keys, &items);
    let mut got = Vec::new();
    s.read_tls(&bytes);
    ox::read_available(&mut s, &mut got).unwrap();
    assert_eq!(got, b"before");
    assert!(s.received_close_notify());
    assert_eq!(s.process_one().unwrap(), Event::CloseNotify);
    assert_eq!(s.app_pending(), 0);
}

#[test]
fn change_cipher_spec_in_wrong_places() {
    // After the handshake (TLS 1.3): unexpected_message.
    let (_c, mut s, _) = connected13();
    let err = feed(&mut s, &mitm::plain_record(20, &[1])).unwrap_err();
    assert_eq!(err.alert, Some(AD::UNEXPECTED_MESSAGE), "{err:?}");
    // TLS 1.2, after the handshake, in the clear: every record is protected now, so it
    // fails authentication (bad_record_mac, as with OpenSSL).
    let (mut cc, mut sc) = configs();
    cc.max_version = ProtocolVersion::TLSV1_2;
    sc.max_version = ProtocolVersion::TLSV1_2;
    let mut c = ox::client(cc, "localhost");
    let mut s = ox::server(sc);
    handshake(&mut c, &mut s).unwrap();
    let err = feed(&mut s, &mitm::plain_record(20, &[1])).unwrap_err();
    assert_eq!(err.alert, Some(AD::BAD_RECORD_MAC), "{err:?}");
}

#[test]
fn garbage_records_of_every_type_never_panic_or_hang() {
    // Random bodies under every content type, at every point of a handshake, on both
    // sides: each ends in an error or a wait, quickly.
    let mut seed = 0x1234_5678_9abc_def1u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let started = Instant::now();
    for round in 0..400 {
        let (cc, sc) = configs();
        let mut c = ox::client(cc, "localhost");
        let mut s = ox::server(sc);
        let steps = (next() % 4) as usize;
        for _ in 0..steps {
            let out = take(&mut c);
            let _ = feed(&mut s, &out);
            let out = take(&mut s);
            let _ = feed(&mut c, &out);
        }
        let typ = [20u8, 21, 22, 23, 24, 99][(next() % 6) as usize];
        let len = (next() % 300) as usize;
        let body: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        let target = if round % 2 == 0 { &mut c } else { &mut s };
        let _ = feed(target, &mitm::plain_record(typ, &body));
    }
    assert!(started.elapsed() < Duration::from_secs(60));
}
