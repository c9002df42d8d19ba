//! Secrets are zeroized when dropped (issue 16): a global allocator that, while armed,
//! keeps every block freed instead of giving it back (so nothing overwrites what it held),
//! and afterwards searches those blocks for secrets. A secret found there was freed
//! without being cleared: dropped unzeroized, left behind by a move out of a freed box, or
//! in a buffer that grew (a `Vec` that reallocates leaves its old block as it was).
//!
//! The secrets searched for come from the connections themselves: the key log (every
//! TLS 1.3 traffic, handshake, early and exporter secret; the TLS 1.2 master secret), the
//! sessions' PSKs and master secrets, and the fixed ticket key. The copies the test keeps
//! are never freed before the search, and the key log lines are hex, not the raw bytes.
//! Everything in this file runs under one lock: the allocator is global to the binary.
mod common;

use common::certs::{server_pki, KeyKind};
use common::sslpair::{client_ctx_builder, handshake, read_now, server_ctx_builder};
use oxssl::crypto::hash::{self, HashAlgorithm, Output, Secret};
use oxssl::ssl::{
    ErrorCode, KeyUpdateType, Ssl, SslContext, SslContextBuilder, SslSession, SslVersion,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Freed blocks kept while armed (each slot: address, size, alignment; 0 = empty).
const SLOTS: usize = 1 << 20;
static ARMED: AtomicBool = AtomicBool::new(false);
static USED: AtomicUsize = AtomicUsize::new(0);
static OVERFLOWED: AtomicBool = AtomicBool::new(false);
static KEPT: [[AtomicUsize; 3]; SLOTS] = [const { [const { AtomicUsize::new(0) }; 3] }; SLOTS];

/// The system allocator, except that blocks freed while armed are kept, untouched.
struct Quarantine;

// SAFETY: forwards to the system allocator; a block freed while armed is not handed back
// (so it stays valid and unused) until `release` frees it with its own layout.
unsafe impl GlobalAlloc for Quarantine {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::Acquire) {
            let i = USED.fetch_add(1, Ordering::AcqRel);
            if let Some(slot) = KEPT.get(i) {
                slot[1].store(layout.size(), Ordering::Relaxed);
                slot[2].store(layout.align(), Ordering::Relaxed);
                slot[0].store(ptr as usize, Ordering::Release);
                return;
            }
            OVERFLOWED.store(true, Ordering::Relaxed);
        }
        // SAFETY: `ptr` came from this allocator with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !ARMED.load(Ordering::Acquire) {
            // SAFETY: the caller's realloc contract.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // Armed: always move, and keep the old block, as a reallocation that moves would
        // leave it (one that grows in place is counted too: a conservative search).
        // SAFETY: `new_size` is non-zero and valid for this alignment (realloc contract).
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as above.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are valid for the smaller size and do not overlap.
            unsafe { std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
            // SAFETY: `ptr` came from this allocator with `layout`.
            unsafe { self.dealloc(ptr, layout) };
        }
        new
    }
}

#[global_allocator]
static ALLOC: Quarantine = Quarantine;

/// One test at a time: the quarantine is global.
static SERIAL: Mutex<()> = Mutex::new(());

/// The test lock, taken first thing in each test and held to its very end: a test's own
/// copies of the secrets it searches for are freed when it returns, and must not land in
/// the quarantine of the next test (which may search for the same key).
fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// Arms the quarantine (emptied of what a failed test left); the caller holds [`serial`].
fn arm() {
    disarm_and_search(&[]);
    OVERFLOWED.store(false, Ordering::Relaxed);
    ARMED.store(true, Ordering::Release);
}

/// Disarms, searches every kept block for each `(label, secret)`, frees the blocks and
/// returns the labels found (with the block size, to tell what held them).
fn disarm_and_search(secrets: &[(String, Vec<u8>)]) -> Vec<String> {
    ARMED.store(false, Ordering::Release);
    let used = USED.load(Ordering::Acquire).min(SLOTS);
    assert!(
        !OVERFLOWED.load(Ordering::Relaxed),
        "more than {SLOTS} blocks freed: some were not searched"
    );
    let mut found = Vec::with_capacity(secrets.len() * 4);
    for slot in &KEPT[..used] {
        let ptr = slot[0].swap(0, Ordering::Acquire) as *mut u8;
        if ptr.is_null() {
            continue;
        }
        let (size, align) = (
            slot[1].load(Ordering::Relaxed),
            slot[2].load(Ordering::Relaxed),
        );
        // SAFETY: a block of `size` bytes the allocator kept back; nothing else uses it.
        let block = unsafe { std::slice::from_raw_parts(ptr, size) };
        for (label, secret) in secrets {
            if !secret.is_empty() && block.windows(secret.len()).any(|w| w == &secret[..]) {
                found.push(format!("{label} in a freed block of {size} bytes"));
            }
        }
        // SAFETY: allocated with this size and alignment, now really freed.
        unsafe { System.dealloc(ptr, Layout::from_size_align_unchecked(size, align)) };
    }
    USED.store(0, Ordering::Release);
    found
}

fn unhex(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() / 2);
    for i in (0..s.len()).step_by(2) {
        out.push(u8::from_str_radix(&s[i..i + 2], 16).unwrap());
    }
    out
}

/// The secrets a context's key log callback reported, as raw bytes, with their labels.
type Logged = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

fn log_secrets(b: &mut SslContextBuilder) -> Logged {
    let logged: Logged = Arc::new(Mutex::new(Vec::with_capacity(64)));
    let sink = logged.clone();
    b.set_keylog_callback(move |_, line| {
        let mut parts = line.split(' ');
        let (label, secret) = (parts.next().unwrap(), parts.nth(1).unwrap());
        sink.lock()
            .unwrap()
            .push((label.to_string(), unhex(secret)));
    });
    logged
}

/// A session's secret (TLS 1.3 PSK, TLS 1.2 master secret).
fn session_secret(s: &SslSession) -> Vec<u8> {
    let mut buf = vec![0u8; s.master_key_len()];
    s.master_key(&mut buf);
    buf
}

#[test]
fn the_search_finds_a_secret_freed_without_zeroizing() {
    let _serial = serial();
    let pattern: Vec<u8> = (0..48u8).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
    arm();
    let plain = std::hint::black_box(pattern.clone());
    drop(plain);
    let wiped = zeroize::Zeroizing::new(pattern.clone());
    drop(std::hint::black_box(wiped));
    let found = disarm_and_search(&[("pattern".into(), pattern)]);
    // The plain copy is found; the zeroized one is not.
    assert_eq!(found.len(), 1, "{found:?}");
}

#[test]
fn secret_types_clear_their_bytes_on_drop() {
    let _serial = serial();
    let pattern: Vec<u8> = (0..48u8).map(|i| i.wrapping_mul(29) ^ 0x3c).collect();
    let hmac = hash::hmac(HashAlgorithm::Sha384, b"key", &[b"data"]);
    let prk = hash::hkdf_extract(HashAlgorithm::Sha256, b"salt", &pattern);
    let key_der = server_pki(KeyKind::EcdsaP256).key_der.clone();
    let secrets = vec![
        ("private key".to_string(), key_der.clone()),
        ("pattern".to_string(), pattern.clone()),
        ("hmac".to_string(), hmac.as_bytes().to_vec()),
        ("prk".to_string(), prk.as_bytes().to_vec()),
    ];
    arm();
    {
        // A boxed secret, its clone, and an inline Output in a box (a handshake state).
        let secret = Secret::from_slice(&pattern).unwrap();
        let copy = secret.clone();
        assert_eq!(copy.as_bytes(), &pattern[..]);
        let in_box = Box::new((Output::from_slice(&pattern).unwrap(), 7u8));
        let outputs = vec![
            hash::hmac(HashAlgorithm::Sha384, b"key", &[b"data"]),
            hash::hkdf_extract(HashAlgorithm::Sha256, b"salt", &pattern),
        ];
        // A session's secret and its clone, and a session decoded from DER.
        let der = {
            let mut s = oxssl::session::der::decode(&sample_session_der()).unwrap();
            s.secret = pattern.clone().into();
            let again = s.clone();
            oxssl::session::der::encode(&again)
        };
        let decoded = oxssl::session::der::decode(&der).unwrap();
        assert_eq!(&decoded.secret[..], &pattern[..]);
        // A ticket sealed and opened: the plaintext holds the secret.
        let keys = oxssl::session::ticket::TicketKeys::new(0);
        let ticket = keys.seal(&der, 1).unwrap();
        assert_eq!(keys.open(&ticket, 1).unwrap().as_slice(), &der[..]);
        // A private key loaded into a `PKey` keeps its DER.
        let pkey = oxssl::pkey::PKey::private_key_from_der(&key_der).unwrap();
        drop((
            secret, copy, in_box, outputs, decoded, der, keys, ticket, pkey,
        ));
    }
    let found = disarm_and_search(&secrets);
    assert!(
        found.is_empty(),
        "secrets freed without zeroizing: {found:?}"
    );
}

/// A TLS 1.2 session in DER, for the decoder (any valid one).
fn sample_session_der() -> Vec<u8> {
    let s = oxssl::session::Session {
        version: oxssl::config::ProtocolVersion::TLSV1_2,
        suite: oxssl::suites::CipherSuite::Tls12EcdheEcdsaAes128GcmSha256,
        id: vec![1; 32],
        secret: vec![2; 48].into(),
        ems: true,
        time: 1_800_000_000,
        timeout: 7200,
        ticket: Vec::new(),
        age_add: 0,
        max_early_data: 0,
        sni: Some("localhost".into()),
        alpn: None,
        sid_ctx: Vec::new(),
        peer_cert: Some(vec![0x30, 3, 2, 1, 0].into()),
        verify_result: 0,
    };
    oxssl::session::der::encode(&s).to_vec()
}

/// Builders for one version, the server with a fixed ticket key (`ticket_key`) and early
/// data allowed in TLS 1.3.
fn builders(v: SslVersion, ticket_key: &[u8; 48]) -> (SslContextBuilder, SslContextBuilder) {
    let (mut c, mut s) = (client_ctx_builder(), server_ctx_builder());
    for b in [&mut c, &mut s] {
        b.set_min_proto_version(Some(v)).unwrap();
        b.set_max_proto_version(Some(v)).unwrap();
    }
    s.set_ticket_key_secret(ticket_key).unwrap();
    if v == SslVersion::TLS1_3 {
        s.set_max_early_data(1024).unwrap();
    }
    (c, s)
}

/// Data both ways, an exporter, a key update (TLS 1.3) or a renegotiation (TLS 1.2: the
/// old master secret is dropped) and a clean close; returns the client's session (TLS 1.3:
/// after reading the tickets).
fn exchange(v: SslVersion, c: &mut Ssl, s: &mut Ssl) -> SslSession {
    c.ssl_write(b"ping").unwrap();
    assert_eq!(read_now(s), b"ping");
    let mut ekm = [0u8; 32];
    c.export_keying_material(&mut ekm, "EXPORTER-test", Some(b"ctx"))
        .unwrap();
    if v == SslVersion::TLS1_3 {
        c.key_update(KeyUpdateType::Requested).unwrap();
    } else {
        renegotiate(c, s);
    }
    s.ssl_write(b"pong").unwrap();
    c.ssl_write(b"ping2").unwrap();
    assert_eq!(read_now(c), b"pong");
    assert_eq!(read_now(s), b"ping2");
    s.ssl_write(b"pong2").unwrap();
    assert_eq!(read_now(c), b"pong2");
    let _ = c.shutdown();
    let _ = s.shutdown();
    c.session().expect("a session")
}

/// The server asks for a renegotiation; the client's next write completes it.
fn renegotiate(c: &mut Ssl, s: &mut Ssl) {
    s.renegotiate().unwrap();
    s.ssl_write(b"reneg").unwrap();
    assert_eq!(read_now(c), b"reneg");
    for _ in 0..20 {
        match c.ssl_write(b"done") {
            Ok(_) => break,
            Err(e) if e.code() == ErrorCode::WANT_READ => assert!(read_now(s).is_empty()),
            Err(e) => panic!("renegotiation failed: {e}"),
        }
    }
    assert_eq!(read_now(s), b"done");
    assert!(!c.renegotiate_pending() && !s.renegotiate_pending());
}

/// A full handshake and a resumed one (TLS 1.3 with early data), all connections and
/// contexts dropped; then no secret any of them held may sit in a freed block.
fn handshakes_leave_no_secret(v: SslVersion) {
    let _serial = serial();
    let ticket_key: [u8; 48] = std::array::from_fn(|i| (i as u8).wrapping_mul(151) ^ 0x5a);
    let mut secrets: Vec<(String, Vec<u8>)> = Vec::with_capacity(64);
    // Made (by rcgen) before arming; the server loads its key inside.
    let key_der = server_pki(KeyKind::EcdsaP256).key_der.clone();
    secrets.push(("server private key".into(), key_der));
    arm();
    let (logged, sessions) = {
        let (mut cb, sb) = builders(v, &ticket_key);
        let logged = log_secrets(&mut cb);
        let (cctx, sctx) = (cb.build(), sb.build());
        let mut sessions = Vec::with_capacity(4);
        let (mut c, mut s) = connect(&cctx, &sctx, None);
        handshake(&mut c, &mut s);
        sessions.push(exchange(v, &mut c, &mut s));
        drop((c, s));
        let (mut c, mut s) = connect(&cctx, &sctx, Some(&sessions[0]));
        if v == SslVersion::TLS1_3 {
            early_data(&mut c, &mut s);
        }
        handshake(&mut c, &mut s);
        assert!(c.session_reused() && s.session_reused());
        sessions.push(exchange(v, &mut c, &mut s));
        drop((c, s, cctx, sctx));
        (logged, sessions)
    };
    // What the test keeps is read out now: allocations, but none freed holds a secret.
    let logged = std::mem::take(&mut *logged.lock().unwrap());
    let labels: Vec<&str> = logged.iter().map(|(l, _)| l.as_str()).collect();
    let expected: &[&str] = if v == SslVersion::TLS1_3 {
        &[
            "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            "CLIENT_TRAFFIC_SECRET_0",
            "EXPORTER_SECRET",
            "CLIENT_EARLY_TRAFFIC_SECRET",
        ]
    } else {
        &["CLIENT_RANDOM"]
    };
    for want in expected {
        assert!(labels.contains(want), "{want} not logged: {labels:?}");
    }
    // TLS 1.2: two handshakes and their renegotiations; TLS 1.3: 5 secrets per handshake
    // and the early one.
    assert!(logged.len() >= 4, "{labels:?}");
    secrets.extend(logged);
    for (i, s) in sessions.iter().enumerate() {
        secrets.push((format!("session {i} secret"), session_secret(s)));
    }
    secrets.push(("ticket AES key".into(), ticket_key[16..].to_vec()));
    drop(sessions);
    let found = disarm_and_search(&secrets);
    assert!(
        found.is_empty(),
        "{v:?}: secrets freed without zeroizing: {found:#?}"
    );
}

fn connect(cctx: &SslContext, sctx: &SslContext, session: Option<&SslSession>) -> (Ssl, Ssl) {
    let (a, b) = oxssl::bio::BioPair::new(1 << 16, 1 << 16);
    let mut c = Ssl::new(cctx).unwrap();
    c.set_connect_state();
    c.set_verify_hostname("localhost");
    c.set_hostname("localhost").unwrap();
    if let Some(s) = session {
        c.set_session(s).unwrap();
    }
    c.set_bio(a);
    let mut s = Ssl::new(sctx).unwrap();
    s.set_accept_state();
    s.set_bio(b);
    (c, s)
}

/// 0-RTT: the client's early data is read by the server before the handshake ends.
fn early_data(c: &mut Ssl, s: &mut Ssl) {
    assert_eq!(c.write_early_data(b"early").unwrap(), 5);
    let mut buf = [0u8; 64];
    let mut got = Vec::new();
    for _ in 0..10 {
        match s.read_early_data(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.code() == ErrorCode::WANT_READ => {
                let _ = c.do_handshake();
            }
            Err(e) => panic!("read_early_data: {e}"),
        }
    }
    assert_eq!(got, b"early");
}

#[test]
fn tls13_handshakes_leave_no_secret_in_freed_memory() {
    handshakes_leave_no_secret(SslVersion::TLS1_3);
}

#[test]
fn tls12_handshakes_leave_no_secret_in_freed_memory() {
    handshakes_leave_no_secret(SslVersion::TLS1_2);
}
