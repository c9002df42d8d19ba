//! What each fuzz target does with its input. Shared by the libFuzzer targets (`fuzz/`,
//! `cargo fuzz run TARGET`) and the regression-corpus replay in `cargo test`
//! (`crates/oxssl/tests/fuzz_corpus.rs`), so a crash found by fuzzing stays a test.
//!
//! Every function must return normally for every input: a panic is the bug.

use oxssl::bio::{BioPair, PairBio};
use oxssl::config::{CertifiedKey, Config, SigningKey};
use oxssl::conn::ClientOptions;
use oxssl::msgs::codec::Reader;
use oxssl::msgs::enums::HandshakeType;
use oxssl::msgs::extensions as ext;
use oxssl::msgs::handshake::HandshakeMessage;
use oxssl::record::reader::RecordReader;
use oxssl::ssl::{ErrorCode, KeyUpdateType, Ssl, SslContext, SslMethod, SslMode, SslVersion};
use oxssl::x509::{self, CertificateDer, TrustStore, UnixTime};
use oxssl::{Connection, Event};
use std::sync::{Arc, OnceLock};

/// The wire codec: any bytes decode or fail cleanly, and what decodes re-encodes to
/// something that decodes to the same message (decode(encode(x)) == x).
pub fn codec(data: &[u8]) {
    let Some((&typ, body)) = data.split_first() else {
        return;
    };
    let typ = HandshakeType(typ);
    for tls12 in [false, true] {
        let decode = |b: &[u8]| {
            if tls12 {
                HandshakeMessage::decode_tls12(typ, b)
            } else {
                HandshakeMessage::decode(typ, b)
            }
        };
        if let Ok(m) = decode(body) {
            if let Ok(enc) = m.encode() {
                let again = decode(&enc[4..]).expect("an encoded message decodes");
                assert_eq!(again, m, "decode(encode(x)) != x");
            }
        }
    }
    let _ = ext::Extensions::decode(&mut Reader::new(body));
    let _ = ext::decode_server_name(body);
    let _ = ext::decode_alpn(body);
    let _ = ext::decode_key_shares(body);
    let _ = ext::decode_key_share_server(body);
    let _ = ext::decode_versions_client(body);
    let _ = ext::decode_u16_list(body);
    let _ = ext::decode_cookie(body);
    let _ = ext::decode_renegotiation_info(body);
}

/// The record layer without keys: framing, limits, first-bytes checks.
pub fn record(data: &[u8]) {
    let mut r = RecordReader::default();
    let mut rest = data;
    for _ in 0..10_000 {
        let n = r.read_tls(rest);
        rest = &rest[n..];
        match r.next_record() {
            Ok(Some(rec)) => {
                let _ = r.plaintext(&rec).len();
                if rec.typ == oxssl::msgs::enums::ContentType::APPLICATION_DATA {
                    r.hold_app(&rec);
                    let mut sink = [0u8; 64];
                    while r.read_app(&mut sink) > 0 {}
                } else {
                    r.consume(&rec);
                }
            }
            Ok(None) if n == 0 => return,
            Ok(None) => {}
            Err(_) => return,
        }
    }
}

fn feed(conn: &mut Connection, data: &[u8]) {
    let mut rest = data;
    for _ in 0..10_000 {
        let n = conn.read_tls(rest);
        rest = &rest[n..];
        match conn.process_all() {
            Ok(Event::ApplicationData) => {
                let mut sink = [0u8; 4096];
                while conn.read_app(&mut sink) > 0 {}
            }
            Ok(_) if n == 0 => return,
            Ok(_) => {}
            Err(_) => return,
        }
        let out = conn.pending_tls().len();
        conn.consume_tls(out);
    }
}

/// Fuzzing builds: every input starts from the same random state and the same clock, so
/// a crash reproduces (see `oxssl::crypto::rand`).
fn deterministic() {
    #[cfg(fuzzing)]
    oxssl::crypto::rand::reseed_for_fuzzing(0);
}

/// A fixed clock (2030-01-01), for ticket and certificate times that do not move.
fn fixed_time() -> oxssl::config::TimeSource {
    oxssl::config::TimeSource::Fixed(oxssl::x509::UnixTime::since_unix_epoch(
        std::time::Duration::from_secs(1_893_456_000),
    ))
}

/// A client (offering TLS 1.2 and 1.3) fed arbitrary bytes as the server's.
pub fn client(data: &[u8]) {
    deterministic();
    let mut c = Connection::client(
        Arc::new(Config {
            time: fixed_time(),
            ..Config::default()
        }),
        ClientOptions {
            sni: Some("example.com".into()),
            verify_host: Some("example.com".into()),
            ..Default::default()
        },
    );
    if c.start().is_err() {
        return;
    }
    feed(&mut c, data);
}

/// One server identity for the whole run (making one per input would dominate).
fn identity() -> &'static (Vec<u8>, Vec<u8>) {
    static ID: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    ID.get_or_init(|| {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        let cert = params.self_signed(&key).unwrap();
        (cert.der().to_vec(), key.serialize_der())
    })
}

fn server_config() -> Config {
    let (cert, key) = identity();
    Config {
        certified_key: Some(CertifiedKey {
            chain: vec![CertificateDer::from(cert.clone())],
            key: Arc::new(SigningKey::from_der(key).unwrap()),
        }),
        time: fixed_time(),
        ..Config::default()
    }
}

/// A server (TLS 1.2 and 1.3) fed arbitrary bytes as the client's.
pub fn server(data: &[u8]) {
    deterministic();
    let mut s = Connection::server(Arc::new(server_config()));
    feed(&mut s, data);
}

/// Certificate, key and PEM loading and chain verification on arbitrary bytes.
pub fn x509(data: &[u8]) {
    let _ = x509::certs_from_pem(data);
    let _ = x509::private_key_from_pem(data);
    let _ = SigningKey::from_der(data);
    let cert = CertificateDer::from(data.to_vec());
    let _ = x509::subject_oneline(&cert);
    let _ = x509::issuer_oneline(&cert);
    let _ = x509::validity_of(&cert);
    let _ = x509::spki_of(&cert);
    let _ = x509::check_hostname(&cert, "example.com");
    let mut trust = TrustStore::new();
    let _ = trust.add_der(data);
    let _ = x509::verify_server_chain(&trust, &[cert], Some("example.com"), UnixTime::now());
}

fn contexts() -> &'static [(SslContext, SslContext); 2] {
    static CTX: OnceLock<[(SslContext, SslContext); 2]> = OnceLock::new();
    CTX.get_or_init(|| {
        let (cert, key) = identity();
        let make = |max: Option<SslVersion>| {
            let mut c = SslContext::builder(SslMethod::tls()).unwrap();
            c.add_trusted_der(cert).unwrap();
            c.set_max_proto_version(max).unwrap();
            let mut s = SslContext::builder(SslMethod::tls()).unwrap();
            s.set_certificate_chain_der(vec![cert.clone()]).unwrap();
            s.set_private_key_der(key).unwrap();
            s.set_max_proto_version(max).unwrap();
            s.set_options(oxssl::ssl::SslOptions::ALLOW_CLIENT_RENEGOTIATION);
            (c.build(), s.build())
        };
        [make(None), make(Some(SslVersion::TLS1_2))]
    })
}

/// One side of the API fuzzer: what it wrote, what it read, a write to retry, and a
/// write that failed (some of whose records may have gone out before the failure).
struct End {
    ssl: Ssl,
    written: Vec<u8>,
    retry: Option<Vec<u8>>,
    failed: Option<Vec<u8>>,
    /// What was read, cut where this side called SSL_shutdown: a second SSL_shutdown
    /// discards application data while it waits for the peer's close_notify, so each
    /// piece continues somewhere later in the peer's stream.
    pieces: Vec<Vec<u8>>,
}

impl End {
    /// Checks `peer`'s delivery to this side: the first piece is a prefix of what the
    /// peer may have sent, and every later piece follows, in order, each contiguous.
    fn check_reads_from(&self, peer: &End) -> bool {
        let sent = peer.may_have_sent();
        let mut at = 0;
        for (i, piece) in self.pieces.iter().enumerate() {
            if piece.is_empty() {
                continue;
            }
            let found = if i == 0 {
                sent.starts_with(piece).then_some(0)
            } else {
                (at..=sent.len().saturating_sub(piece.len()))
                    .find(|&k| sent[k..].starts_with(piece))
            };
            match found {
                Some(k) => at = k + piece.len(),
                None => return false,
            }
        }
        true
    }

    /// What the peer may have received: the completed writes, then possibly part of the
    /// write under way (to retry) or the one that failed.
    fn may_have_sent(&self) -> Vec<u8> {
        let mut all = self.written.clone();
        if let Some(p) = self.retry.as_ref().or(self.failed.as_ref()) {
            all.extend_from_slice(p);
        }
        all
    }
}

/// Random `Ssl` calls (write, read, shutdown, renegotiate, KeyUpdate, handshake) on both
/// ends of a BIO pair of random size, in random modes. Model: each side reads what the
/// other wrote, in order and byte for byte (less what a second SSL_shutdown discards); a write that must be retried is retried with
/// the same bytes.
pub fn api(data: &[u8]) {
    deterministic();
    let Some((&head, ops)) = data.split_first() else {
        return;
    };
    let (cctx, sctx) = &contexts()[(head & 1) as usize];
    let size = [512usize, 4096, 17408][((head >> 1) % 3) as usize];
    let (a, b): (PairBio, PairBio) = BioPair::new(size, size);
    let mut ends = [
        End {
            ssl: Ssl::new(cctx).unwrap(),
            written: Vec::new(),
            retry: None,
            failed: None,
            pieces: vec![Vec::new()],
        },
        End {
            ssl: Ssl::new(sctx).unwrap(),
            written: Vec::new(),
            retry: None,
            failed: None,
            pieces: vec![Vec::new()],
        },
    ];
    ends[0].ssl.set_connect_state();
    ends[0].ssl.set_verify_hostname("localhost");
    ends[0].ssl.set_bio(a);
    ends[1].ssl.set_accept_state();
    ends[1].ssl.set_bio(b);
    if head & 0x10 != 0 {
        ends[0].ssl.set_mode(SslMode::ENABLE_PARTIAL_WRITE);
    }
    if head & 0x20 != 0 {
        ends[1].ssl.clear_mode(SslMode::AUTO_RETRY);
    }
    for (i, &op) in ops.iter().take(500).enumerate() {
        let who = (op & 1) as usize;
        let e = &mut ends[who];
        match op >> 1 {
            0..=59 => {
                let chunk = e.retry.take().unwrap_or_else(|| {
                    let n = (op as usize * 97 + i * 31) % 20000;
                    (0..n).map(|k| (k + i) as u8).collect()
                });
                if e.failed.is_some() {
                    // A failed connection stays failed; its write model is closed.
                    let _ = e.ssl.ssl_write(&chunk);
                    continue;
                }
                match e.ssl.ssl_write(&chunk) {
                    // In partial mode the rest of the chunk is simply not written.
                    Ok(n) => e.written.extend_from_slice(&chunk[..n]),
                    Err(err)
                        if matches!(err.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE) =>
                    {
                        e.retry = Some(chunk);
                    }
                    Err(_) => e.failed = Some(chunk),
                }
            }
            60..=109 => {
                let mut buf = vec![0u8; 1 + (op as usize * 131) % 20000];
                if let Ok(n) = e.ssl.ssl_read(&mut buf) {
                    if let Some(piece) = e.pieces.last_mut() {
                        piece.extend_from_slice(&buf[..n]);
                    }
                }
            }
            110..=114 => {
                e.pieces.push(Vec::new());
                let _ = e.ssl.shutdown();
            }
            115..=119 => {
                let _ = e.ssl.renegotiate();
            }
            120..=124 => {
                let _ = e.ssl.key_update(KeyUpdateType::Requested);
            }
            _ => {
                let _ = e.ssl.do_handshake();
            }
        }
        let [c, s] = &ends;
        assert!(
            s.check_reads_from(c),
            "server read bytes the client never wrote"
        );
        assert!(
            c.check_reads_from(s),
            "client read bytes the server never wrote"
        );
    }
}
