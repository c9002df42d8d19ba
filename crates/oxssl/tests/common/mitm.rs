//! A man in the middle for negative tests: it learns the handshake secrets through the key
//! log, decrypts a flight, lets a test rewrite its messages, and re-encrypts it.

use oxssl::config::KeyLog;
use oxssl::msgs::enums::ContentType;
use oxssl::record::protect::Protection;
use oxssl::suites::CipherSuite;
use oxssl::tls13::key_schedule;
use std::sync::{Arc, Mutex};

/// Captures key log lines.
#[derive(Default)]
pub struct Capture {
    lines: Mutex<Vec<(String, Vec<u8>)>>,
}

impl KeyLog for Capture {
    fn log(&self, label: &str, _client_random: &[u8], secret: &[u8]) {
        self.lines
            .lock()
            .unwrap()
            .push((label.to_string(), secret.to_vec()));
    }
}

impl Capture {
    pub fn new() -> Arc<Self> {
        Arc::new(Capture::default())
    }

    pub fn secret(&self, label: &str) -> Vec<u8> {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|(l, _)| l == label)
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| panic!("no {label} logged"))
    }
}

/// Splits a byte stream into (type, body) records.
pub fn split_records(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while bytes.len() >= 5 {
        let len = u16::from_be_bytes([bytes[3], bytes[4]]) as usize;
        out.push((bytes[0], bytes[5..5 + len].to_vec()));
        bytes = &bytes[5 + len..];
    }
    assert!(bytes.is_empty(), "trailing partial record");
    out
}

/// Frames a plaintext record.
pub fn plain_record(typ: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![typ, 3, 3, (body.len() >> 8) as u8, body.len() as u8];
    v.extend_from_slice(body);
    v
}

/// Splits concatenated handshake messages.
pub fn split_messages(mut bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while bytes.len() >= 4 {
        let len = u32::from_be_bytes([0, bytes[1], bytes[2], bytes[3]]) as usize;
        out.push(bytes[..4 + len].to_vec());
        bytes = &bytes[4 + len..];
    }
    out
}

/// A record cipher for a traffic secret, sequence number 0.
pub fn cipher(suite: CipherSuite, secret: &[u8]) -> Protection {
    Protection::Tls13(key_schedule::cipher(suite, secret).unwrap())
}

/// Decrypts the protected records of a flight (skipping plaintext ones, which are
/// returned separately) and returns (plaintext records, handshake bytes).
pub fn open_flight(
    records: &[(u8, Vec<u8>)],
    suite: CipherSuite,
    secret: &[u8],
) -> (Vec<(u8, Vec<u8>)>, Vec<u8>) {
    let Protection::Tls13(mut c) = cipher(suite, secret) else {
        unreachable!()
    };
    let mut plain = Vec::new();
    let mut hs = Vec::new();
    for (typ, body) in records {
        if *typ != 23 {
            plain.push((*typ, body.clone()));
            continue;
        }
        let mut b = body.clone();
        let header = [23, 3, 3, (b.len() >> 8) as u8, b.len() as u8];
        let (inner, len) = c.open(&header, &mut b).unwrap();
        assert_eq!(inner, ContentType::HANDSHAKE);
        hs.extend_from_slice(&b[..len]);
    }
    (plain, hs)
}

/// Seals records of `typ` with a fresh cipher for `secret` (sequence numbers from 0).
pub fn seal_records(
    suite: CipherSuite,
    secret: &[u8],
    items: &[(ContentType, Vec<u8>)],
) -> Vec<u8> {
    seal_records_from(suite, secret, 0, items)
}

/// [`seal_records`] from record sequence number `seq`.
pub fn seal_records_from(
    suite: CipherSuite,
    secret: &[u8],
    seq: u64,
    items: &[(ContentType, Vec<u8>)],
) -> Vec<u8> {
    let mut prot = cipher(suite, secret);
    prot.set_sequence(seq);
    let mut out = Vec::new();
    for (typ, body) in items {
        prot.seal(&mut out, *typ, 0x0303, body).unwrap();
    }
    out
}

/// A TLS 1.2 record cipher for one direction, from the master secret the key log gave
/// (`CLIENT_RANDOM`) and both randoms, at sequence number `seq`.
pub fn tls12_cipher(
    suite: CipherSuite,
    master: &[u8],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
    client_write: bool,
    seq: u64,
) -> Protection {
    use oxssl::record::protect::Tls12Cipher;
    let aead = suite.aead();
    let (key_len, iv_len) = (aead.key_len(), Tls12Cipher::iv_len(aead));
    let mut block = vec![0u8; 2 * (key_len + iv_len)];
    oxssl::crypto::hash::tls12_prf(
        suite.hash(),
        master,
        b"key expansion",
        &[server_random, client_random],
        &mut block,
    );
    let (ck, rest) = block.split_at(key_len);
    let (sk, rest) = rest.split_at(key_len);
    let (civ, siv) = rest.split_at(iv_len);
    let (key, iv) = if client_write { (ck, civ) } else { (sk, siv) };
    let mut p = Protection::Tls12(Tls12Cipher::new(aead, key, iv).unwrap());
    p.set_sequence(seq);
    p
}

/// Opens TLS 1.2 records with `prot`, returning (type, plaintext) for each.
pub fn open_tls12(prot: &mut Protection, records: &[(u8, Vec<u8>)]) -> Vec<(u8, Vec<u8>)> {
    records
        .iter()
        .map(|(typ, body)| {
            let mut b = body.clone();
            let header = [*typ, 3, 3, (b.len() >> 8) as u8, b.len() as u8];
            let o = prot.open(&header, &mut b).unwrap();
            (*typ, b[o.start..o.start + o.len].to_vec())
        })
        .collect()
}
