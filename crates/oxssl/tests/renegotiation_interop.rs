//! TLS 1.2 renegotiation against real peers (SSL_WRITE.md section 7):
//! - OpenSSL 3.6 in process (the vendored library; `SSL_renegotiate`,
//!   `SSL_renegotiate_pending` and `SSL_set_options` through openssl-sys) over an in-memory
//!   duplex wire that also records the content type of every record each side sends;
//! - rustls, which answers every renegotiation request with a no_renegotiation warning;
//! - loopback sockets (oxssl on both ends, or against OpenSSL): blocking, non-blocking and
//!   with AUTO_RETRY off (section 6);
//! - a client certificate asked for only in the renegotiation (the IIS pattern), a new
//!   server certificate in the renegotiation, and a renegotiation flood.
//!
//! The `openssl s_server` / `s_client` command-line cases are in interop_cli.rs.
//!
//! Every loop is bounded (rounds or a deadline), every socket has read and write timeouts,
//! and every socket is on 127.0.0.1.
mod common;

use common::certs::{self, server_pki, KeyKind, LeafSpec, Pki};
use common::ossl_ffi::{self as c, CCall};
use common::sslpair::{client_ctx_builder, server_ctx_builder};
use foreign_types::ForeignTypeRef;
use openssl::ssl as os;
use oxssl::bio::StreamBio;
use oxssl::reason::Reason;
use oxssl::ssl::{
    ErrorCode, Ssl, SslContextBuilder, SslMode, SslOptions, SslVerifyMode, SslVersion,
};
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::raw::c_int;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// OpenSSL constants and the calls ossl_ffi does not have
// ---------------------------------------------------------------------------------------

/// `SSL_OP_ALLOW_CLIENT_RENEGOTIATION` (OpenSSL 3: bit 8; not in openssl-sys).
const SSL_OP_ALLOW_CLIENT_RENEGOTIATION: u64 = 1 << 8;
/// `SSL_MODE_AUTO_RETRY`.
const SSL_MODE_AUTO_RETRY: u64 = 0x4;
/// `ERR_LIB_SSL`.
const LIB_SSL: i32 = 20;
/// `SSL_R_NO_RENEGOTIATION`.
const R_NO_RENEGOTIATION: i32 = 339;
/// `SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE` (1000 + handshake_failure).
const R_ALERT_HANDSHAKE_FAILURE: i32 = 1040;
/// `SSL_get_error` codes.
const SSL_ERROR_SSL: i32 = 1;
const SSL_ERROR_WANT_READ: i32 = 2;
const SSL_ERROR_WANT_WRITE: i32 = 3;
const SSL_ERROR_SYSCALL: i32 = 5;
const SSL_ERROR_ZERO_RETURN: i32 = 6;

extern "C" {
    fn SSL_set_options(s: *mut openssl_sys::SSL, op: u64) -> u64;
    fn SSL_renegotiate_pending(s: *const openssl_sys::SSL) -> c_int;
    fn SSL_in_init(s: *const openssl_sys::SSL) -> c_int;
}

/// `SSL_renegotiate_pending`.
fn ossl_renegotiate_pending(ssl: &os::SslRef) -> bool {
    // SAFETY: `ssl` is a live SSL object for the duration of the call.
    unsafe { SSL_renegotiate_pending(ssl.as_ptr()) != 0 }
}

/// `SSL_in_init`.
fn ossl_in_init(ssl: &os::SslRef) -> bool {
    // SAFETY: as above.
    unsafe { SSL_in_init(ssl.as_ptr()) != 0 }
}

// ---------------------------------------------------------------------------------------
// An in-memory duplex wire with a record tap
// ---------------------------------------------------------------------------------------

/// Content types of the records that crossed one direction, read from the record headers
/// (TLS 1.2 does not hide them).
#[derive(Default)]
struct Tap {
    header: Vec<u8>,
    skip: usize,
    types: Vec<u8>,
}

impl Tap {
    fn feed(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            if self.skip > 0 {
                let n = self.skip.min(data.len());
                self.skip -= n;
                data = &data[n..];
                continue;
            }
            let n = (5 - self.header.len()).min(data.len());
            self.header.extend_from_slice(&data[..n]);
            data = &data[n..];
            if self.header.len() == 5 {
                self.types.push(self.header[0]);
                self.skip = u16::from_be_bytes([self.header[3], self.header[4]]) as usize;
                self.header.clear();
            }
        }
    }
}

#[derive(Default)]
struct Direction {
    bytes: VecDeque<u8>,
    tap: Tap,
}

/// One end of the wire: writes go to the other end, reads come from it; an empty read
/// is `WouldBlock` (so both libraries report WANT_READ). `Send + Sync`, as oxssl's BIOs
/// must be.
#[derive(Clone)]
struct WireEnd {
    rx: Arc<Mutex<Direction>>,
    tx: Arc<Mutex<Direction>>,
}

fn wire() -> (WireEnd, WireEnd) {
    let a: Arc<Mutex<Direction>> = Default::default();
    let b: Arc<Mutex<Direction>> = Default::default();
    (
        WireEnd {
            rx: a.clone(),
            tx: b.clone(),
        },
        WireEnd { rx: b, tx: a },
    )
}

impl WireEnd {
    /// Content types of every record this end sent so far.
    fn sent_types(&self) -> Vec<u8> {
        self.tx.lock().unwrap().tap.types.clone()
    }

    /// Number of records this end sent so far.
    fn sent_count(&self) -> usize {
        self.tx.lock().unwrap().tap.types.len()
    }
}

impl Read for WireEnd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut d = self.rx.lock().unwrap();
        if d.bytes.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = buf.len().min(d.bytes.len());
        for (dst, src) in buf.iter_mut().zip(d.bytes.drain(..n)) {
            *dst = src;
        }
        Ok(n)
    }
}

impl Write for WireEnd {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut d = self.tx.lock().unwrap();
        d.tap.feed(buf);
        d.bytes.extend(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Record content types as a short text: runs collapsed ("hs*3 ccs hs app*64 alert").
fn describe(types: &[u8]) -> String {
    let name = |t: u8| match t {
        20 => "ccs".to_string(),
        21 => "alert".to_string(),
        22 => "hs".to_string(),
        23 => "app".to_string(),
        t => format!("type{t}"),
    };
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < types.len() {
        let mut j = i;
        while j < types.len() && types[j] == types[i] {
            j += 1;
        }
        let n = j - i;
        out.push(if n == 1 {
            name(types[i])
        } else {
            format!("{}*{n}", name(types[i]))
        });
        i = j;
    }
    out.join(" ")
}

fn count(types: &[u8], t: u8) -> usize {
    types.iter().filter(|&&x| x == t).count()
}

const CCS: u8 = 20;
const ALERT: u8 = 21;
const HANDSHAKE: u8 = 22;

// ---------------------------------------------------------------------------------------
// Endpoints
// ---------------------------------------------------------------------------------------

/// A failed call: who, `SSL_get_error`'s code, the first SSL-library reason on the error
/// queue, and the error text.
#[derive(Clone, Debug)]
struct Failure {
    who: String,
    code: i32,
    reason: Option<i32>,
    text: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: SSL_get_error {} reason {:?}: {}",
            self.who, self.code, self.reason, self.text
        )
    }
}

fn harness(text: impl Into<String>) -> Failure {
    Failure {
        who: "harness".into(),
        code: 0,
        reason: None,
        text: text.into(),
    }
}

/// What the tests need from either library's endpoint.
trait Peer {
    fn label(&self) -> String;
    /// One `SSL_write` of `chunk`: `Some(n)`, or `None` for WANT_READ / WANT_WRITE.
    fn write(&mut self, chunk: &[u8]) -> Result<Option<usize>, Failure>;
    /// `SSL_read` until WANT_READ (or the peer's close_notify), appending to `out`.
    fn read(&mut self, out: &mut Vec<u8>) -> Result<(), Failure>;
    /// One `SSL_do_handshake`: true once it returned 1.
    fn handshake(&mut self) -> Result<bool, Failure>;
    /// `SSL_renegotiate`.
    fn renegotiate(&mut self) -> Result<(), Failure>;
    /// `SSL_renegotiate_pending`.
    fn pending(&self) -> bool;
    /// The DER of the peer's end-entity certificate.
    fn peer_cert(&self) -> Option<Vec<u8>>;
}

struct OxPeer {
    ssl: Ssl,
    who: &'static str,
}

fn ox_failure(who: &str, e: &oxssl::ssl::Error) -> Failure {
    Failure {
        who: who.into(),
        code: e.code().as_raw(),
        reason: e.reason_code().map(|r| r.0),
        text: e.to_string(),
    }
}

impl Peer for OxPeer {
    fn label(&self) -> String {
        self.who.into()
    }

    fn write(&mut self, chunk: &[u8]) -> Result<Option<usize>, Failure> {
        match self.ssl.ssl_write(chunk) {
            Ok(n) => Ok(Some(n)),
            Err(e) if matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE) => Ok(None),
            Err(e) => Err(ox_failure(self.who, &e)),
        }
    }

    fn read(&mut self, out: &mut Vec<u8>) -> Result<(), Failure> {
        let mut buf = vec![0u8; 32 * 1024];
        for _ in 0..10_000 {
            match self.ssl.ssl_read(&mut buf) {
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) if matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::ZERO_RETURN) => {
                    return Ok(())
                }
                Err(e) => return Err(ox_failure(self.who, &e)),
            }
        }
        Err(harness("read loop did not end"))
    }

    fn handshake(&mut self) -> Result<bool, Failure> {
        match self.ssl.do_handshake() {
            Ok(()) => Ok(true),
            Err(e) if matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE) => Ok(false),
            Err(e) => Err(ox_failure(self.who, &e)),
        }
    }

    fn renegotiate(&mut self) -> Result<(), Failure> {
        self.ssl.renegotiate().map_err(|e| ox_failure(self.who, &e))
    }

    fn pending(&self) -> bool {
        self.ssl.renegotiate_pending()
    }

    fn peer_cert(&self) -> Option<Vec<u8>> {
        self.ssl.peer_cert_chain_der().into_iter().next()
    }
}

struct OsslPeer {
    stream: os::SslStream<WireEnd>,
    who: &'static str,
}

fn ossl_failure(who: &str, call: &str, r: CCall) -> Failure {
    Failure {
        who: who.into(),
        code: r.code,
        reason: r
            .err
            .and_then(|(lib, reason)| (lib == LIB_SSL).then_some(reason)),
        text: format!("{call} returned {} (error queue {:?})", r.ret, r.err),
    }
}

impl OsslPeer {
    fn ssl(&self) -> &os::SslRef {
        self.stream.ssl()
    }
}

impl Peer for OsslPeer {
    fn label(&self) -> String {
        self.who.into()
    }

    fn write(&mut self, chunk: &[u8]) -> Result<Option<usize>, Failure> {
        let r = c::write(self.ssl(), chunk);
        match r.ret {
            n if n > 0 => Ok(Some(n as usize)),
            _ if r.code == SSL_ERROR_WANT_READ || r.code == SSL_ERROR_WANT_WRITE => Ok(None),
            _ => Err(ossl_failure(self.who, "SSL_write", r)),
        }
    }

    fn read(&mut self, out: &mut Vec<u8>) -> Result<(), Failure> {
        let mut buf = vec![0u8; 32 * 1024];
        for _ in 0..10_000 {
            let r = c::read(self.ssl(), &mut buf);
            match r.ret {
                n if n > 0 => out.extend_from_slice(&buf[..n as usize]),
                _ if r.code == SSL_ERROR_WANT_READ || r.code == SSL_ERROR_ZERO_RETURN => {
                    return Ok(())
                }
                _ => return Err(ossl_failure(self.who, "SSL_read", r)),
            }
        }
        Err(harness("read loop did not end"))
    }

    fn handshake(&mut self) -> Result<bool, Failure> {
        let r = c::do_handshake(self.ssl());
        match r.ret {
            1 => Ok(true),
            _ if r.code == SSL_ERROR_WANT_READ || r.code == SSL_ERROR_WANT_WRITE => Ok(false),
            _ => Err(ossl_failure(self.who, "SSL_do_handshake", r)),
        }
    }

    fn renegotiate(&mut self) -> Result<(), Failure> {
        let r = c::renegotiate(self.ssl());
        if r.ret == 1 {
            Ok(())
        } else {
            Err(ossl_failure(self.who, "SSL_renegotiate", r))
        }
    }

    fn pending(&self) -> bool {
        ossl_renegotiate_pending(self.ssl())
    }

    fn peer_cert(&self) -> Option<Vec<u8>> {
        self.ssl().peer_certificate().and_then(|c| c.to_der().ok())
    }
}

// ----- construction -----

fn tls12(mut b: SslContextBuilder) -> SslContextBuilder {
    b.set_min_proto_version(Some(SslVersion::TLS1_2)).unwrap();
    b.set_max_proto_version(Some(SslVersion::TLS1_2)).unwrap();
    b
}

fn ox_client_ctx() -> SslContextBuilder {
    tls12(client_ctx_builder())
}

fn ox_server_ctx() -> SslContextBuilder {
    let mut b = tls12(server_ctx_builder());
    // For client certificates (all test certificates share one CA).
    b.add_trusted_der(&server_pki(KeyKind::EcdsaP256).ca_der)
        .unwrap();
    b
}

fn ox_client(b: SslContextBuilder, end: WireEnd) -> OxPeer {
    let mut ssl = Ssl::new(&b.build()).unwrap();
    ssl.set_connect_state();
    ssl.set_verify_hostname("localhost");
    ssl.set_hostname("localhost").unwrap();
    ssl.set_bio(StreamBio::new(end));
    OxPeer {
        ssl,
        who: "oxssl client",
    }
}

fn ox_server(b: SslContextBuilder, end: WireEnd) -> OxPeer {
    let mut ssl = Ssl::new(&b.build()).unwrap();
    ssl.set_accept_state();
    ssl.set_bio(StreamBio::new(end));
    OxPeer {
        ssl,
        who: "oxssl server",
    }
}

/// A TLS 1.2-only OpenSSL context: `identity` presented (server always, client when
/// asked), the test CA trusted, servers verify nobody, clients verify the server.
fn ossl_ctx(server: bool, identity: Option<&Pki>) -> os::SslContext {
    let mut b = os::SslContext::builder(os::SslMethod::tls()).unwrap();
    b.set_min_proto_version(Some(os::SslVersion::TLS1_2))
        .unwrap();
    b.set_max_proto_version(Some(os::SslVersion::TLS1_2))
        .unwrap();
    if let Some(id) = identity {
        let cert = openssl::x509::X509::from_der(&id.leaf_der).unwrap();
        let key = openssl::pkey::PKey::private_key_from_der(&id.key_der).unwrap();
        b.set_certificate(&cert).unwrap();
        b.set_private_key(&key).unwrap();
        b.check_private_key().unwrap();
    }
    let ca = openssl::x509::X509::from_der(&server_pki(KeyKind::EcdsaP256).ca_der).unwrap();
    b.cert_store_mut().add_cert(ca).unwrap();
    b.set_verify(if server {
        os::SslVerifyMode::NONE
    } else {
        os::SslVerifyMode::PEER
    });
    b.build()
}

fn ossl_ssl(server: bool, identity: Option<&Pki>) -> os::Ssl {
    let ctx = ossl_ctx(server, identity);
    let mut ssl = os::Ssl::new(&ctx).unwrap();
    if server {
        ssl.set_accept_state();
    } else {
        ssl.set_hostname("localhost").unwrap();
        ssl.param_mut().set_host("localhost").unwrap();
        ssl.set_connect_state();
    }
    ssl
}

fn ossl_client(identity: Option<&Pki>, end: WireEnd) -> OsslPeer {
    OsslPeer {
        stream: os::SslStream::new(ossl_ssl(false, identity), end).unwrap(),
        who: "OpenSSL client",
    }
}

fn ossl_server(end: WireEnd) -> OsslPeer {
    OsslPeer {
        stream: os::SslStream::new(ossl_ssl(true, Some(server_pki(KeyKind::EcdsaP256))), end)
            .unwrap(),
        who: "OpenSSL server",
    }
}

fn client_pki() -> &'static Pki {
    static P: std::sync::OnceLock<Pki> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        certs::issue(&LeafSpec {
            kind: KeyKind::EcdsaP256,
            names: vec!["client.example".into()],
            validity_years: None,
            client_auth: true,
        })
    })
}

// ----- drivers -----

/// Runs both handshakes to completion.
fn connect(a: &mut dyn Peer, b: &mut dyn Peer) -> Result<(), Failure> {
    let (mut da, mut db) = (false, false);
    for _ in 0..50 {
        if !da {
            da = a.handshake()?;
        }
        if !db {
            db = b.handshake()?;
        }
        if da && db {
            return Ok(());
        }
    }
    Err(harness("handshake did not complete in 50 rounds"))
}

/// Data for one direction of a transfer: a recognisable byte pattern.
fn pattern(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| {
            (i as u32)
                .wrapping_mul(2654435761)
                .rotate_left(seed as u32 % 32) as u8
                ^ seed
        })
        .collect()
}

/// Progress of a two-way transfer, handed to the hook each round.
struct Progress {
    round: usize,
    b_sent: usize,
}

/// Sends `a_data` from a to b and `b_data` from b to a, `chunk` bytes per `SSL_write`, in
/// rounds of (a reads, a writes, b reads, b writes): an endpoint always reads what is there
/// before it writes, as an event loop does, so a client never has application data from
/// before its renegotiation waiting when its write drives the new handshake (which both
/// OpenSSL and oxssl would fail with UNEXPECTED_RECORD, SSL_WRITE.md section 7). The hook
/// runs at the start of every round. Returns (what b received, what a received).
fn exchange(
    a: &mut dyn Peer,
    b: &mut dyn Peer,
    a_data: &[u8],
    b_data: &[u8],
    chunk: usize,
    mut hook: impl FnMut(&mut dyn Peer, &mut dyn Peer, &Progress) -> Result<(), Failure>,
) -> Result<(Vec<u8>, Vec<u8>), Failure> {
    let (mut a_sent, mut b_sent) = (0, 0);
    let (mut a_got, mut b_got) = (Vec::new(), Vec::new());
    let mut idle = 0;
    for round in 0..20_000 {
        hook(a, b, &Progress { round, b_sent })?;
        let before = (a_sent, b_sent, a_got.len(), b_got.len());
        a.read(&mut a_got)?;
        if a_sent < a_data.len() {
            let end = (a_sent + chunk).min(a_data.len());
            if let Some(n) = a.write(&a_data[a_sent..end])? {
                a_sent += n;
            }
        }
        b.read(&mut b_got)?;
        if b_sent < b_data.len() {
            let end = (b_sent + chunk).min(b_data.len());
            if let Some(n) = b.write(&b_data[b_sent..end])? {
                b_sent += n;
            }
        }
        if a_sent == a_data.len()
            && b_sent == b_data.len()
            && b_got.len() >= a_data.len()
            && a_got.len() >= b_data.len()
        {
            return Ok((b_got, a_got));
        }
        if before == (a_sent, b_sent, a_got.len(), b_got.len()) {
            idle += 1;
            if idle > 200 {
                return Err(harness(format!(
                    "transfer stalled at round {round}: {} sent {a_sent}/{} (pending {}), {} sent \
                     {b_sent}/{} (pending {}), received {} and {}",
                    a.label(),
                    a_data.len(),
                    a.pending(),
                    b.label(),
                    b_data.len(),
                    b.pending(),
                    b_got.len(),
                    a_got.len()
                )));
            }
        } else {
            idle = 0;
        }
    }
    Err(harness("transfer did not finish in 20000 rounds"))
}

/// Reads on both sides until neither has a renegotiation pending.
fn settle(a: &mut dyn Peer, b: &mut dyn Peer) -> Result<(Vec<u8>, Vec<u8>), Failure> {
    let (mut ga, mut gb) = (Vec::new(), Vec::new());
    for _ in 0..50 {
        if !a.pending() && !b.pending() {
            return Ok((ga, gb));
        }
        a.read(&mut ga)?;
        b.read(&mut gb)?;
    }
    Err(harness(format!(
        "renegotiation still pending after 50 rounds ({}: {}, {}: {})",
        a.label(),
        a.pending(),
        b.label(),
        b.pending()
    )))
}

fn check_data(what: &str, got: &[u8], want: &[u8]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    if let Some(i) = got.iter().zip(want).position(|(x, y)| x != y) {
        panic!("{what}: first difference at byte {i}");
    }
}

const MIB: usize = 1 << 20;
const CHUNK: usize = 16 * 1024;

// ---------------------------------------------------------------------------------------
// 1. OpenSSL 3.6 in process
// ---------------------------------------------------------------------------------------

/// An OpenSSL server renegotiates in the middle of a 1 MiB transfer each way; the oxssl
/// client follows transparently inside its reads and writes; all data arrives intact.
#[test]
fn openssl_server_renegotiates_oxssl_client_during_transfer() {
    let (ce, se) = wire();
    let mut client = ox_client(ox_client_ctx(), ce.clone());
    let mut server = ossl_server(se.clone());
    connect(&mut client, &mut server).unwrap();
    assert_eq!(client.ssl.version_str(), "TLSv1.2");
    let (c_mark, s_mark) = (ce.sent_count(), se.sent_count());

    let up = pattern(1, MIB);
    let down = pattern(2, MIB);
    let mut asked_at = None;
    let mut client_saw_pending = false;
    let (server_got, client_got) =
        exchange(&mut client, &mut server, &up, &down, CHUNK, |a, b, p| {
            client_saw_pending |= a.pending();
            if asked_at.is_none() && p.b_sent >= MIB / 2 {
                b.renegotiate()?;
                assert!(b.pending(), "SSL_renegotiate_pending after SSL_renegotiate");
                asked_at = Some(p.round);
            }
            Ok(())
        })
        .unwrap_or_else(|f| {
            panic!(
                "{f}\nwire c->s: {}\nwire s->c: {}",
                describe(&ce.sent_types()),
                describe(&se.sent_types())
            )
        });
    let (more_c, more_s) = settle(&mut client, &mut server).unwrap();
    assert!(more_c.is_empty() && more_s.is_empty());
    assert!(asked_at.is_some());
    assert!(
        client_saw_pending,
        "the oxssl client never had the renegotiation pending"
    );
    assert!(!client.pending() && !server.pending());
    check_data("server received", &server_got, &up);
    check_data("client received", &client_got, &down);
    // One new handshake: a ClientHello flight and one ChangeCipherSpec each way.
    let c_after = &ce.sent_types()[c_mark..];
    let s_after = &se.sent_types()[s_mark..];
    assert_eq!(
        count(c_after, CCS),
        1,
        "client records after the handshake: {}",
        describe(c_after)
    );
    assert_eq!(
        count(s_after, CCS),
        1,
        "server records after the handshake: {}",
        describe(s_after)
    );
    assert_eq!(count(c_after, ALERT) + count(s_after, ALERT), 0);
    assert!(
        count(s_after, HANDSHAKE) >= 2,
        "HelloRequest and the server flight"
    );
}

/// An oxssl server renegotiates in the middle of a 1 MiB transfer each way; the OpenSSL
/// client follows inside its reads; all data arrives intact.
#[test]
fn oxssl_server_renegotiates_openssl_client_during_transfer() {
    let (ce, se) = wire();
    let mut client = ossl_client(None, ce.clone());
    let mut server = ox_server(ox_server_ctx(), se.clone());
    connect(&mut client, &mut server).unwrap();
    let (c_mark, s_mark) = (ce.sent_count(), se.sent_count());

    let up = pattern(3, MIB);
    let down = pattern(4, MIB);
    let mut asked = false;
    let mut client_saw_pending = false;
    let (server_got, client_got) =
        exchange(&mut client, &mut server, &up, &down, CHUNK, |a, b, p| {
            client_saw_pending |= a.pending();
            if !asked && p.b_sent >= MIB / 2 {
                b.renegotiate()?;
                assert!(b.pending(), "renegotiate_pending after renegotiate");
                asked = true;
            }
            Ok(())
        })
        .unwrap_or_else(|f| {
            panic!(
                "{f}\nwire c->s: {}\nwire s->c: {}",
                describe(&ce.sent_types()),
                describe(&se.sent_types())
            )
        });
    settle(&mut client, &mut server).unwrap();
    assert!(asked && client_saw_pending);
    assert!(!client.pending() && !server.pending());
    check_data("server received", &server_got, &up);
    check_data("client received", &client_got, &down);
    let c_after = &ce.sent_types()[c_mark..];
    let s_after = &se.sent_types()[s_mark..];
    assert_eq!(count(c_after, CCS), 1, "client: {}", describe(c_after));
    assert_eq!(count(s_after, CCS), 1, "server: {}", describe(s_after));
    assert_eq!(count(c_after, ALERT) + count(s_after, ALERT), 0);
}

/// Drives a client-started renegotiation through the client's `SSL_write(data)`, letting
/// the server read in between. Returns the write's result and how many times it returned
/// WANT_READ / WANT_WRITE first.
fn client_write_through_renegotiation(
    client: &mut dyn Peer,
    server: &mut dyn Peer,
    data: &[u8],
    server_got: &mut Vec<u8>,
) -> (Result<usize, Failure>, usize) {
    let mut retries = 0;
    for _ in 0..50 {
        match client.write(data) {
            Ok(Some(n)) => return (Ok(n), retries),
            Ok(None) => retries += 1,
            Err(f) => return (Err(f), retries),
        }
        if let Err(f) = server.read(server_got) {
            return (Err(f), retries);
        }
    }
    (Err(harness("client write did not finish")), retries)
}

/// oxssl client-initiated renegotiation, accepted by an OpenSSL server with
/// SSL_OP_ALLOW_CLIENT_RENEGOTIATION: the client's write returns WANT_READ until the new
/// handshake is done, then all of it; a transfer both ways follows.
#[test]
fn oxssl_client_renegotiation_accepted_by_openssl_server_with_option() {
    let (ce, se) = wire();
    let mut client = ox_client(ox_client_ctx(), ce.clone());
    let mut server = ossl_server(se.clone());
    c::set_options(server.ssl(), SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
    connect(&mut client, &mut server).unwrap();
    let (c_mark, s_mark) = (ce.sent_count(), se.sent_count());

    client.renegotiate().unwrap();
    assert!(client.pending());
    let mut got = Vec::new();
    let (r, retries) =
        client_write_through_renegotiation(&mut client, &mut server, b"after", &mut got);
    assert_eq!(
        r.unwrap_or_else(|f| panic!("{f}\ns->c: {}", describe(&se.sent_types()[s_mark..]))),
        5
    );
    assert!(
        retries >= 1,
        "the write returned WANT_READ while the handshake ran"
    );
    assert!(!client.pending());
    server.read(&mut got).unwrap();
    assert_eq!(got, b"after");
    assert!(!server.pending());
    let c_after = &ce.sent_types()[c_mark..];
    let s_after = &se.sent_types()[s_mark..];
    assert_eq!(count(c_after, CCS), 1, "client: {}", describe(c_after));
    assert_eq!(count(s_after, CCS), 1, "server: {}", describe(s_after));

    let up = pattern(5, 256 * 1024);
    let down = pattern(6, 256 * 1024);
    let (sg, cg) = exchange(
        &mut client,
        &mut server,
        &up,
        &down,
        CHUNK,
        |_, _, _| Ok(()),
    )
    .unwrap();
    check_data("server received", &sg, &up);
    check_data("client received", &cg, &down);
}

/// oxssl client-initiated renegotiation against a default OpenSSL 3 server: OpenSSL sends
/// a no_renegotiation warning and the oxssl client fails with NO_RENEGOTIATION (339), as
/// an OpenSSL client would; the OpenSSL server then sees oxssl's fatal handshake_failure.
#[test]
fn oxssl_client_renegotiation_refused_by_default_openssl_server() {
    let (ce, se) = wire();
    let mut client = ox_client(ox_client_ctx(), ce.clone());
    let mut server = ossl_server(se.clone());
    connect(&mut client, &mut server).unwrap();
    let (c_mark, s_mark) = (ce.sent_count(), se.sent_count());

    client.renegotiate().unwrap();
    let mut got = Vec::new();
    let (r, _) = client_write_through_renegotiation(&mut client, &mut server, b"data", &mut got);
    let f = r.expect_err("the renegotiation must be refused");
    assert_eq!(
        (f.code, f.reason),
        (SSL_ERROR_SSL, Some(R_NO_RENEGOTIATION)),
        "{f}"
    );
    assert_eq!(f.who, "oxssl client");
    // On the wire: the server's one warning alert answers the ClientHello; the client
    // then sends one (fatal) alert.
    let c_after = ce.sent_types()[c_mark..].to_vec();
    let s_after = se.sent_types()[s_mark..].to_vec();
    assert_eq!(s_after, [ALERT], "server: {}", describe(&s_after));
    assert_eq!(
        c_after,
        [HANDSHAKE, ALERT],
        "client: {}",
        describe(&c_after)
    );
    let f = server
        .read(&mut got)
        .expect_err("OpenSSL sees the fatal alert");
    assert_eq!(f.reason, Some(R_ALERT_HANDSHAKE_FAILURE), "{f}");
    assert!(got.is_empty());
    // The failure is fatal for the oxssl client: later calls fail as after any fatal error.
    let f = client.write(b"more").expect_err("the connection is dead");
    assert_eq!((f.code, f.reason), (SSL_ERROR_SYSCALL, None), "{f}");
}

/// OpenSSL client-initiated renegotiation against a default oxssl server: oxssl answers
/// with a no_renegotiation warning and OpenSSL fails with 339.
#[test]
fn openssl_client_renegotiation_refused_by_default_oxssl_server() {
    let (ce, se) = wire();
    let mut client = ossl_client(None, ce.clone());
    let mut server = ox_server(ox_server_ctx(), se.clone());
    connect(&mut client, &mut server).unwrap();
    let (c_mark, s_mark) = (ce.sent_count(), se.sent_count());

    client.renegotiate().unwrap();
    assert!(client.pending());
    let mut got = Vec::new();
    let (r, _) = client_write_through_renegotiation(&mut client, &mut server, b"data", &mut got);
    let f = r.expect_err("the renegotiation must be refused");
    assert_eq!(f.who, "OpenSSL client", "{f}");
    assert_eq!(
        (f.code, f.reason),
        (SSL_ERROR_SSL, Some(R_NO_RENEGOTIATION)),
        "{f}"
    );
    let s_after = se.sent_types()[s_mark..].to_vec();
    assert_eq!(s_after, [ALERT], "oxssl server: {}", describe(&s_after));
    let c_after = ce.sent_types()[c_mark..].to_vec();
    assert_eq!(
        c_after,
        [HANDSHAKE, ALERT],
        "OpenSSL client: {}",
        describe(&c_after)
    );
    // oxssl then reads OpenSSL's fatal handshake_failure.
    let f = server.read(&mut got).expect_err("the fatal alert");
    assert_eq!(
        f.reason,
        Some(Reason::SSLV3_ALERT_HANDSHAKE_FAILURE.0),
        "{f}"
    );
    assert!(got.is_empty());
    // The oracle for what a connection failed this way reports next.
    let f = client.write(b"more").expect_err("the connection is dead");
    assert_eq!((f.code, f.reason), (SSL_ERROR_SYSCALL, None), "{f}");
}

/// OpenSSL client-initiated renegotiation against an oxssl server with
/// ALLOW_CLIENT_RENEGOTIATION: accepted; data flows both ways afterwards.
#[test]
fn openssl_client_renegotiation_accepted_by_oxssl_server_with_option() {
    let (ce, se) = wire();
    let mut client = ossl_client(None, ce.clone());
    let mut sb = ox_server_ctx();
    sb.set_options(SslOptions::ALLOW_CLIENT_RENEGOTIATION);
    let mut server = ox_server(sb, se.clone());
    connect(&mut client, &mut server).unwrap();
    let (c_mark, s_mark) = (ce.sent_count(), se.sent_count());

    client.renegotiate().unwrap();
    let mut got = Vec::new();
    let (r, retries) =
        client_write_through_renegotiation(&mut client, &mut server, b"data", &mut got);
    assert_eq!(
        r.unwrap_or_else(|f| panic!("{f}\ns->c: {}", describe(&se.sent_types()[s_mark..]))),
        4
    );
    assert!(retries >= 1);
    server.read(&mut got).unwrap();
    assert_eq!(got, b"data");
    assert!(!client.pending() && !server.pending());
    let c_after = &ce.sent_types()[c_mark..];
    let s_after = &se.sent_types()[s_mark..];
    assert_eq!(count(c_after, CCS), 1, "client: {}", describe(c_after));
    assert_eq!(count(s_after, CCS), 1, "server: {}", describe(s_after));
    assert_eq!(count(c_after, ALERT) + count(s_after, ALERT), 0);

    let up = pattern(7, 256 * 1024);
    let down = pattern(8, 256 * 1024);
    let (sg, cg) = exchange(
        &mut client,
        &mut server,
        &up,
        &down,
        CHUNK,
        |_, _, _| Ok(()),
    )
    .unwrap();
    check_data("server received", &sg, &up);
    check_data("client received", &cg, &down);
}

/// Application data the server sent after its HelloRequest but before it saw the
/// ClientHello reaches the client while the client's renegotiation runs: a read hands it
/// over (and the renegotiation then completes), but a write that drives the handshake
/// fails with UNEXPECTED_RECORD (245) - OpenSSL 3.6 (the oracle) and oxssl alike. This is
/// why the transfer drivers here read before they write.
#[test]
fn data_in_the_renegotiation_window_read_accepts_write_fails() {
    for client_kind in ["OpenSSL", "oxssl"] {
        for via_write in [false, true] {
            let case = format!(
                "{client_kind} client, data met by a {}",
                if via_write { "write" } else { "read" }
            );
            let (ce, se) = wire();
            let mut client: Box<dyn Peer> = if client_kind == "OpenSSL" {
                Box::new(ossl_client(None, ce.clone()))
            } else {
                Box::new(ox_client(ox_client_ctx(), ce.clone()))
            };
            let mut server = ox_server(ox_server_ctx(), se.clone());
            connect(client.as_mut(), &mut server).unwrap();
            server.renegotiate().unwrap();
            assert!(server.handshake().unwrap(), "{case}: HelloRequest sent");
            let mut got = Vec::new();
            client.read(&mut got).unwrap();
            assert!(
                got.is_empty() && client.pending(),
                "{case}: ClientHello sent"
            );
            // The server has not read the ClientHello: its data goes out.
            assert_eq!(server.write(b"window").unwrap(), Some(6), "{case}");
            if via_write {
                let f = client
                    .write(b"x")
                    .expect_err("data in a handshake driven by a write");
                assert_eq!(
                    (f.code, f.reason),
                    (SSL_ERROR_SSL, Some(245)),
                    "{case}: {f}"
                );
            } else {
                client.read(&mut got).unwrap();
                assert_eq!(got, b"window", "{case}");
                settle(client.as_mut(), &mut server).unwrap_or_else(|f| panic!("{case}: {f}"));
                assert_eq!(client.write(b"x").unwrap(), Some(1), "{case}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// 2. rustls (TLS 1.2), which refuses every renegotiation with a no_renegotiation warning
// ---------------------------------------------------------------------------------------

struct RustlsEnd {
    conn: rustls::Connection,
    end: WireEnd,
    who: &'static str,
}

impl RustlsEnd {
    fn provider() -> Arc<rustls::crypto::CryptoProvider> {
        Arc::new(rustls::crypto::aws_lc_rs::default_provider())
    }

    fn client(end: WireEnd) -> Self {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(rustls::pki_types::CertificateDer::from(
                server_pki(KeyKind::EcdsaP256).ca_der.clone(),
            ))
            .unwrap();
        let cfg = rustls::ClientConfig::builder_with_provider(Self::provider())
            .with_protocol_versions(&[&rustls::version::TLS12])
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let conn = rustls::ClientConnection::new(Arc::new(cfg), name).unwrap();
        RustlsEnd {
            conn: conn.into(),
            end,
            who: "rustls client",
        }
    }

    fn server(end: WireEnd) -> Self {
        let pki = server_pki(KeyKind::EcdsaP256);
        let cfg = rustls::ServerConfig::builder_with_provider(Self::provider())
            .with_protocol_versions(&[&rustls::version::TLS12])
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![rustls::pki_types::CertificateDer::from(
                    pki.leaf_der.clone(),
                )],
                rustls::pki_types::PrivateKeyDer::Pkcs8(pki.key_der.clone().into()),
            )
            .unwrap();
        let conn = rustls::ServerConnection::new(Arc::new(cfg)).unwrap();
        RustlsEnd {
            conn: conn.into(),
            end,
            who: "rustls server",
        }
    }

    fn fail(&self, e: impl std::fmt::Display) -> Failure {
        Failure {
            who: self.who.into(),
            code: SSL_ERROR_SSL,
            reason: None,
            text: e.to_string(),
        }
    }

    fn flush(&mut self) -> Result<(), Failure> {
        while self.conn.wants_write() {
            self.conn
                .write_tls(&mut self.end)
                .map_err(|e| harness(format!("rustls write_tls: {e}")))?;
        }
        Ok(())
    }

    /// Feeds what arrived through rustls, collecting plaintext; sends what it queued
    /// (its alerts included, before reporting a failure).
    fn pump(&mut self, out: &mut Vec<u8>) -> Result<(), Failure> {
        self.flush()?;
        let mut buf = vec![0u8; 32 * 1024];
        for _ in 0..10_000 {
            let n = match self.conn.read_tls(&mut self.end) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
                Err(e) => return Err(harness(format!("rustls read_tls: {e}"))),
            };
            let processed = self.conn.process_new_packets();
            self.flush()?;
            processed.map_err(|e| self.fail(e))?;
            loop {
                match self.conn.reader().read(&mut buf) {
                    Ok(0) => break,
                    Ok(k) => out.extend_from_slice(&buf[..k]),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(self.fail(e)),
                }
            }
            if n == 0 {
                return Ok(());
            }
        }
        Err(harness("rustls pump did not end"))
    }
}

impl Peer for RustlsEnd {
    fn label(&self) -> String {
        self.who.into()
    }

    fn write(&mut self, chunk: &[u8]) -> Result<Option<usize>, Failure> {
        if self.conn.is_handshaking() {
            self.pump(&mut Vec::new())?;
            return Ok(None);
        }
        self.conn
            .writer()
            .write_all(chunk)
            .map_err(|e| self.fail(e))?;
        self.flush()?;
        Ok(Some(chunk.len()))
    }

    fn read(&mut self, out: &mut Vec<u8>) -> Result<(), Failure> {
        self.pump(out)
    }

    fn handshake(&mut self) -> Result<bool, Failure> {
        self.pump(&mut Vec::new())?;
        Ok(!self.conn.is_handshaking())
    }

    fn renegotiate(&mut self) -> Result<(), Failure> {
        Err(harness("rustls cannot renegotiate"))
    }

    fn pending(&self) -> bool {
        false
    }

    fn peer_cert(&self) -> Option<Vec<u8>> {
        self.conn
            .peer_certificates()
            .and_then(|c| c.first())
            .map(|c| c.to_vec())
    }
}

/// An oxssl server asks a rustls client to renegotiate: rustls answers the HelloRequest
/// with a no_renegotiation warning and carries on; oxssl fails with NO_RENEGOTIATION (339)
/// as OpenSSL does, sending a fatal handshake_failure alert that ends the connection.
#[test]
fn rustls_client_refuses_oxssl_server_renegotiation() {
    let (ce, se) = wire();
    let mut client = RustlsEnd::client(ce.clone());
    let mut server = ox_server(ox_server_ctx(), se.clone());
    connect(&mut client, &mut server).unwrap();
    assert_eq!(server.ssl.version_str(), "TLSv1.2");
    let (c_mark, s_mark) = (ce.sent_count(), se.sent_count());

    server.renegotiate().unwrap();
    assert!(server.pending());
    // HelloRequest plus the data (SSL_WRITE.md case 9).
    assert_eq!(server.write(b"ping").unwrap(), Some(4));
    let mut client_got = Vec::new();
    client.read(&mut client_got).unwrap();
    assert_eq!(
        client_got, b"ping",
        "rustls delivers the data and keeps going"
    );
    let c_after = ce.sent_types()[c_mark..].to_vec();
    assert_eq!(c_after, [ALERT], "rustls: {}", describe(&c_after));

    let mut server_got = Vec::new();
    let f = server
        .read(&mut server_got)
        .expect_err("oxssl must fail on the refusal");
    assert_eq!(f.who, "oxssl server");
    assert_eq!(
        (f.code, f.reason),
        (SSL_ERROR_SSL, Some(R_NO_RENEGOTIATION)),
        "{f}"
    );
    assert!(server_got.is_empty());
    // oxssl's answer on the wire: HelloRequest, data, then one alert (fatal).
    let s_after = se.sent_types()[s_mark..].to_vec();
    assert_eq!(
        s_after,
        [HANDSHAKE, 23, ALERT],
        "oxssl: {}",
        describe(&s_after)
    );
    let f = client
        .read(&mut client_got)
        .expect_err("rustls reads the fatal alert");
    assert!(f.text.contains("HandshakeFailure"), "{f}");
    // Fatal on the oxssl side: later calls fail as after any fatal error (-1 /
    // SSL_ERROR_SYSCALL with an empty queue, as OpenSSL 3).
    let f = server.write(b"more").expect_err("the connection is dead");
    assert_eq!((f.code, f.reason), (SSL_ERROR_SYSCALL, None), "{f}");
}

/// An oxssl client starts a renegotiation with a rustls server: rustls refuses with a
/// no_renegotiation warning and the oxssl client fails with 339.
#[test]
fn rustls_server_refuses_oxssl_client_renegotiation() {
    let (ce, se) = wire();
    let mut client = ox_client(ox_client_ctx(), ce.clone());
    let mut server = RustlsEnd::server(se.clone());
    connect(&mut client, &mut server).unwrap();
    let s_mark = se.sent_count();

    client.renegotiate().unwrap();
    let mut got = Vec::new();
    let (r, _) = client_write_through_renegotiation(&mut client, &mut server, b"data", &mut got);
    let f = r.expect_err("refused");
    assert_eq!(f.who, "oxssl client", "{f}");
    assert_eq!(
        (f.code, f.reason),
        (SSL_ERROR_SSL, Some(R_NO_RENEGOTIATION)),
        "{f}"
    );
    let s_after = se.sent_types()[s_mark..].to_vec();
    assert_eq!(s_after, [ALERT], "rustls: {}", describe(&s_after));
    let f = server
        .read(&mut got)
        .expect_err("rustls reads the fatal alert");
    assert!(f.text.contains("HandshakeFailure"), "{f}");
}

// ---------------------------------------------------------------------------------------
// 4. Certificates that change in the renegotiation
// ---------------------------------------------------------------------------------------

/// The server renegotiates (sending `data` both ways so the handshake runs inside reads
/// and writes) and both sides settle.
fn renegotiate_with_traffic(
    server: &mut dyn Peer,
    client: &mut dyn Peer,
    ce: &WireEnd,
    se: &WireEnd,
) {
    server.renegotiate().unwrap();
    let up = pattern(9, 64 * 1024);
    let down = pattern(10, 64 * 1024);
    let (sg, cg) = exchange(client, server, &up, &down, CHUNK, |_, _, _| Ok(()))
        .and_then(|r| settle(client, server).map(|_| r))
        .unwrap_or_else(|f| {
            panic!(
                "{f}\nwire c->s: {}\nwire s->c: {}",
                describe(&ce.sent_types()),
                describe(&se.sent_types())
            )
        });
    check_data("server received", &sg, &up);
    check_data("client received", &cg, &down);
    assert!(!client.pending() && !server.pending());
}

/// The IIS pattern: the oxssl server does not ask for a client certificate in the first
/// handshake, then sets SSL_VERIFY_PEER and renegotiates; the OpenSSL client presents its
/// certificate in the new handshake and the server sees it, verified.
#[test]
fn client_certificate_only_in_renegotiation_openssl_client() {
    let (ce, se) = wire();
    let mut client = ossl_client(Some(client_pki()), ce.clone());
    let mut server = ox_server(ox_server_ctx(), se.clone());
    connect(&mut client, &mut server).unwrap();
    assert_eq!(
        server.peer_cert(),
        None,
        "no certificate requested at first"
    );
    server
        .ssl
        .set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
    renegotiate_with_traffic(&mut server, &mut client, &ce, &se);
    assert_eq!(
        server.peer_cert().as_deref(),
        Some(client_pki().leaf_der.as_slice())
    );
    assert_eq!(server.ssl.verify_result().as_raw(), 0);
}

/// The same with an oxssl client that has a client certificate configured: it presents it
/// only when the renegotiation asks for it.
#[test]
fn client_certificate_only_in_renegotiation_oxssl_client() {
    let (ce, se) = wire();
    let mut cb = ox_client_ctx();
    cb.set_certificate_chain_der(vec![client_pki().leaf_der.clone()])
        .unwrap();
    cb.set_private_key_der(&client_pki().key_der).unwrap();
    let mut client = ox_client(cb, ce.clone());
    let mut server = ox_server(ox_server_ctx(), se.clone());
    connect(&mut client, &mut server).unwrap();
    assert_eq!(server.peer_cert(), None);
    server
        .ssl
        .set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
    renegotiate_with_traffic(&mut server, &mut client, &ce, &se);
    assert_eq!(
        server.peer_cert().as_deref(),
        Some(client_pki().leaf_der.as_slice())
    );
    assert_eq!(server.ssl.verify_result().as_raw(), 0);
}

/// The IIS pattern the other way round: an OpenSSL server asks for a client certificate
/// only in its renegotiation, and the oxssl client (certificate configured) presents it.
#[test]
fn openssl_server_asks_oxssl_client_certificate_in_renegotiation() {
    let (ce, se) = wire();
    let mut cb = ox_client_ctx();
    cb.set_certificate_chain_der(vec![client_pki().leaf_der.clone()])
        .unwrap();
    cb.set_private_key_der(&client_pki().key_der).unwrap();
    let mut client = ox_client(cb, ce.clone());
    let mut server = ossl_server(se.clone());
    connect(&mut client, &mut server).unwrap();
    assert_eq!(server.peer_cert(), None);
    // oxssl's client answers the HelloRequest as OpenSSL's does, with an abbreviated
    // handshake offering its session: an OpenSSL server asking for a certificate now needs
    // SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION (bit 16), or it would resume (here,
    // without a session id context, it would fail with 277).
    // SAFETY: a live SSL; no callback.
    unsafe {
        SSL_set_options(server.ssl().as_ptr(), 1 << 16);
        openssl_sys::SSL_set_verify(
            server.ssl().as_ptr(),
            openssl_sys::SSL_VERIFY_PEER | openssl_sys::SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
            None,
        )
    };
    renegotiate_with_traffic(&mut server, &mut client, &ce, &se);
    assert_eq!(
        server.peer_cert().as_deref(),
        Some(client_pki().leaf_der.as_slice())
    );
    assert_eq!(
        server.ssl().verify_result(),
        openssl::x509::X509VerifyResult::OK
    );
}

/// A new server certificate (and key, of another type) set on the connection before
/// `renegotiate`: the client sees the new one after the renegotiation.
fn new_server_certificate(client: &mut dyn Peer, ce: &WireEnd, se: &WireEnd, kind: KeyKind) {
    let mut server = ox_server(ox_server_ctx(), se.clone());
    connect(client, &mut server).unwrap();
    let first = server_pki(KeyKind::EcdsaP256);
    assert_eq!(
        client.peer_cert().as_deref(),
        Some(first.leaf_der.as_slice())
    );
    let second = certs::issue(&LeafSpec::server(kind));
    server
        .ssl
        .set_certificate_chain_der(vec![second.leaf_der.clone()])
        .unwrap();
    server.ssl.set_private_key_der(&second.key_der).unwrap();
    server.ssl.check_private_key().unwrap();
    renegotiate_with_traffic(&mut server, client, ce, se);
    assert_eq!(
        client.peer_cert().as_deref(),
        Some(second.leaf_der.as_slice())
    );
}

#[test]
fn new_server_certificate_in_renegotiation_openssl_client() {
    let (ce, se) = wire();
    let mut client = ossl_client(None, ce.clone());
    new_server_certificate(&mut client, &ce, &se, KeyKind::Rsa2048);
    assert!(
        client
            .ssl()
            .current_cipher()
            .unwrap()
            .name()
            .contains("RSA"),
        "an RSA key means an ECDHE-RSA suite: {:?}",
        client.ssl().current_cipher().map(|c| c.name())
    );
    assert_eq!(
        client.ssl().verify_result(),
        openssl::x509::X509VerifyResult::OK
    );
}

#[test]
fn new_server_certificate_in_renegotiation_oxssl_client() {
    let (ce, se) = wire();
    let mut client = ox_client(ox_client_ctx(), ce.clone());
    new_server_certificate(&mut client, &ce, &se, KeyKind::EcdsaP384);
    assert_eq!(client.ssl.verify_result().as_raw(), 0);
}

// ---------------------------------------------------------------------------------------
// 5. A renegotiation flood
// ---------------------------------------------------------------------------------------

/// One server-started renegotiation without application data: SSL_renegotiate,
/// SSL_do_handshake (the HelloRequest), then reads on both sides until it is over. The
/// client's reads must return no data.
fn bare_renegotiation(client: &mut dyn Peer, server: &mut dyn Peer) -> Result<(), Failure> {
    server.renegotiate()?;
    server.handshake()?;
    let (mut cg, mut sg) = (Vec::new(), Vec::new());
    for _ in 0..20 {
        client.read(&mut cg)?;
        server.read(&mut sg)?;
        if !client.pending() && !server.pending() {
            assert!(cg.is_empty() && sg.is_empty(), "no application data");
            return Ok(());
        }
    }
    Err(harness("renegotiation did not complete"))
}

/// An OpenSSL server calls SSL_renegotiate over and over without sending application
/// data: oxssl follows three times (`Renegotiation::max_in_a_row`), then answers with a
/// no_renegotiation warning, and OpenSSL fails with NO_RENEGOTIATION (339).
#[test]
fn openssl_server_renegotiation_flood_is_cut_off() {
    let (ce, se) = wire();
    let mut client = ox_client(ox_client_ctx(), ce.clone());
    let mut server = ossl_server(se.clone());
    connect(&mut client, &mut server).unwrap();
    let limit = client.ssl.config().renegotiation.max_in_a_row;
    assert_eq!(limit, 3);
    for i in 0..limit {
        bare_renegotiation(&mut client, &mut server)
            .unwrap_or_else(|f| panic!("renegotiation {i}: {f}"));
    }
    let mark = ce.sent_count();
    let f = bare_renegotiation(&mut client, &mut server).expect_err("the flood is refused");
    assert_eq!(f.who, "OpenSSL server", "{f}");
    assert_eq!(
        (f.code, f.reason),
        (SSL_ERROR_SSL, Some(R_NO_RENEGOTIATION)),
        "{f}"
    );
    let c_after = ce.sent_types()[mark..].to_vec();
    assert_eq!(
        c_after,
        [ALERT],
        "oxssl answers with one alert: {}",
        describe(&c_after)
    );
    let f = client
        .read(&mut Vec::new())
        .expect_err("OpenSSL's fatal handshake_failure");
    assert_eq!(f.reason, Some(R_ALERT_HANDSHAKE_FAILURE), "{f}");
}

/// Renegotiations with application data in between are not a flood: the count of
/// renegotiations in a row starts again when data arrives.
#[test]
fn renegotiations_separated_by_data_are_not_a_flood() {
    let (ce, se) = wire();
    let mut client = ox_client(ox_client_ctx(), ce.clone());
    let mut server = ossl_server(se.clone());
    connect(&mut client, &mut server).unwrap();
    let mark = ce.sent_count();
    for i in 0..8 {
        bare_renegotiation(&mut client, &mut server)
            .unwrap_or_else(|f| panic!("renegotiation {i}: {f}"));
        assert_eq!(server.write(b"tick").unwrap(), Some(4));
        let mut got = Vec::new();
        client.read(&mut got).unwrap();
        assert_eq!(got, b"tick");
    }
    let c_after = &ce.sent_types()[mark..];
    assert_eq!(count(c_after, CCS), 8, "{}", describe(c_after));
    assert_eq!(count(c_after, ALERT), 0, "{}", describe(c_after));
}

/// A lifetime limit too (`Renegotiation::max_total`, here lowered to 4): even with
/// application data in between, the renegotiation after the limit is refused.
#[test]
fn lifetime_renegotiation_limit() {
    let (ce, se) = wire();
    let mut cb = ox_client_ctx();
    cb.config_mut().renegotiation.max_total = 4;
    let mut client = ox_client(cb, ce.clone());
    let mut server = ossl_server(se.clone());
    connect(&mut client, &mut server).unwrap();
    for i in 0..4 {
        bare_renegotiation(&mut client, &mut server)
            .unwrap_or_else(|f| panic!("renegotiation {i}: {f}"));
        assert_eq!(server.write(b"tick").unwrap(), Some(4));
        let mut got = Vec::new();
        client.read(&mut got).unwrap();
        assert_eq!(got, b"tick");
    }
    let f = bare_renegotiation(&mut client, &mut server).expect_err("over the limit");
    assert_eq!(
        (f.who.as_str(), f.reason),
        ("OpenSSL server", Some(R_NO_RENEGOTIATION)),
        "{f}"
    );
}

// ---------------------------------------------------------------------------------------
// 3. Sockets: blocking, non-blocking, AUTO_RETRY off
// ---------------------------------------------------------------------------------------

/// Longest any socket read or write may block.
const SOCK_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest a whole socket scenario may take.
const DEADLINE: Duration = Duration::from_secs(30);
/// What the server sends right after its HelloRequest.
const MARKER: &[u8] = b"renegotiate, please";

/// A connected loopback pair (client, server) with timeouts and small buffers (the
/// client's send buffer, the server's receive buffer), so a long write really blocks.
fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    for s in [&client, &server] {
        s.set_read_timeout(Some(SOCK_TIMEOUT)).unwrap();
        s.set_write_timeout(Some(SOCK_TIMEOUT)).unwrap();
        s.set_nodelay(true).unwrap();
    }
    socket2::SockRef::from(&client)
        .set_send_buffer_size(64 * 1024)
        .unwrap();
    socket2::SockRef::from(&server)
        .set_recv_buffer_size(64 * 1024)
        .unwrap();
    (client, server)
}

/// The server end of a socket scenario, blocking.
trait SockServer: Send {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, String>;
    fn write_all(&mut self, data: &[u8]) -> Result<(), String>;
    fn renegotiate(&mut self) -> Result<(), String>;
    fn pending(&self) -> bool;
    /// Waits for the peer's close_notify.
    fn wait_close(&mut self) -> Result<(), String>;
}

struct OxSock(Ssl);

impl SockServer for OxSock {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, String> {
        self.0
            .ssl_read(buf)
            .map_err(|e| format!("oxssl server read: {}", ox_failure("oxssl server", &e)))
    }

    fn write_all(&mut self, data: &[u8]) -> Result<(), String> {
        let mut off = 0;
        while off < data.len() {
            let end = (off + CHUNK).min(data.len());
            off += self
                .0
                .ssl_write(&data[off..end])
                .map_err(|e| format!("oxssl server write: {}", ox_failure("oxssl server", &e)))?;
        }
        Ok(())
    }

    fn renegotiate(&mut self) -> Result<(), String> {
        self.0.renegotiate().map_err(|e| e.to_string())
    }

    fn pending(&self) -> bool {
        self.0.renegotiate_pending()
    }

    fn wait_close(&mut self) -> Result<(), String> {
        let mut buf = [0u8; 64];
        match self.0.ssl_read(&mut buf) {
            Err(e) if e.code() == ErrorCode::ZERO_RETURN => Ok(()),
            other => Err(format!("oxssl server expected close_notify, got {other:?}")),
        }
    }
}

struct OsslSock(os::SslStream<TcpStream>);

impl SockServer for OsslSock {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, String> {
        let r = c::read(self.0.ssl(), buf);
        if r.ret > 0 {
            Ok(r.ret as usize)
        } else {
            Err(format!("OpenSSL server SSL_read: {r:?}"))
        }
    }

    fn write_all(&mut self, data: &[u8]) -> Result<(), String> {
        let mut off = 0;
        while off < data.len() {
            let end = (off + CHUNK).min(data.len());
            let r = c::write(self.0.ssl(), &data[off..end]);
            if r.ret <= 0 {
                return Err(format!("OpenSSL server SSL_write: {r:?}"));
            }
            off += r.ret as usize;
        }
        Ok(())
    }

    fn renegotiate(&mut self) -> Result<(), String> {
        match c::renegotiate(self.0.ssl()) {
            r if r.ret == 1 => Ok(()),
            r => Err(format!("SSL_renegotiate: {r:?}")),
        }
    }

    fn pending(&self) -> bool {
        ossl_renegotiate_pending(self.0.ssl())
    }

    fn wait_close(&mut self) -> Result<(), String> {
        let r = c::read(self.0.ssl(), &mut [0u8; 64]);
        if r.ret == 0 && r.code == SSL_ERROR_ZERO_RETURN {
            Ok(())
        } else {
            Err(format!("OpenSSL server expected close_notify, got {r:?}"))
        }
    }
}

fn ox_sock_server(sock: TcpStream) -> Result<OxSock, String> {
    let mut ssl = Ssl::new(&ox_server_ctx().build()).unwrap();
    ssl.set_accept_state();
    ssl.set_bio(StreamBio::new(sock));
    ssl.do_handshake()
        .map_err(|e| format!("oxssl server handshake: {e}"))?;
    Ok(OxSock(ssl))
}

fn ossl_sock_server(sock: TcpStream) -> Result<OsslSock, String> {
    let stream = os::SslStream::new(ossl_ssl(true, Some(server_pki(KeyKind::EcdsaP256))), sock)
        .map_err(|e| e.to_string())?;
    let r = c::do_handshake(stream.ssl());
    if r.ret != 1 {
        return Err(format!("OpenSSL server handshake: {r:?}"));
    }
    Ok(OsslSock(stream))
}

fn ox_sock_client(sock: TcpStream) -> Ssl {
    let mut ssl = Ssl::new(&ox_client_ctx().build()).unwrap();
    ssl.set_connect_state();
    ssl.set_verify_hostname("localhost");
    ssl.set_hostname("localhost").unwrap();
    ssl.set_bio(StreamBio::new(sock));
    ssl
}

/// What the server of a long-write scenario saw.
struct ServerSaw {
    received: Vec<u8>,
    pending_after_request: bool,
    pending_at_end: bool,
}

/// Optional gates that hold the server back until the client saw a retry: before its first
/// read (so the client's long write fills the socket: WANT_WRITE) and before it reads the
/// ClientHello (so the client's next write must wait: WANT_READ).
struct Gates {
    before_reading: mpsc::Receiver<()>,
    before_client_hello: mpsc::Receiver<()>,
}

/// The server: reads `first` bytes of the client's long write, asks for a renegotiation
/// with [`MARKER`] as data, reads the rest (its reads run the new handshake when the
/// ClientHello comes), sends `back`, and waits for the client's close_notify.
fn long_write_server(
    mut s: impl SockServer,
    first: usize,
    phase1: usize,
    total: usize,
    back: Vec<u8>,
    gates: Option<Gates>,
) -> Result<ServerSaw, String> {
    let wait = |rx: &mpsc::Receiver<()>| {
        rx.recv_timeout(DEADLINE)
            .map_err(|_| "the client never opened the gate".to_string())
    };
    let mut received = Vec::with_capacity(total);
    let mut buf = vec![0u8; 32 * 1024];
    if let Some(g) = &gates {
        wait(&g.before_reading)?;
    }
    while received.len() < first {
        let n = s.read(&mut buf)?;
        received.extend_from_slice(&buf[..n]);
    }
    s.renegotiate()?;
    let pending_after_request = s.pending();
    s.write_all(MARKER)?;
    while received.len() < phase1 {
        let n = s.read(&mut buf)?;
        received.extend_from_slice(&buf[..n]);
    }
    if let Some(g) = &gates {
        wait(&g.before_client_hello)?;
    }
    while received.len() < total {
        let n = s.read(&mut buf)?;
        received.extend_from_slice(&buf[..n]);
    }
    s.write_all(&back)?;
    s.wait_close()?;
    Ok(ServerSaw {
        received,
        pending_after_request,
        pending_at_end: s.pending(),
    })
}

fn join<T>(h: JoinHandle<Result<T, String>>) -> T {
    h.join()
        .expect("server thread panicked")
        .unwrap_or_else(|e| panic!("server: {e}"))
}

/// Blocking sockets: the server's HelloRequest arrives while the oxssl client is inside a
/// long `SSL_write` (4 MiB); that write returns all of it. The client's next read returns
/// the server's data and starts the renegotiation; the next long write completes the new
/// handshake first (blocking) and returns `num`. Data is intact both ways.
fn blocking_long_write(server_kind: &str) {
    let (cs, ss) = tcp_pair();
    let up = pattern(11, 8 * MIB);
    let down = pattern(12, MIB);
    let half = up.len() / 2;
    let (total, back) = (up.len(), down.clone());
    let server = match server_kind {
        "oxssl" => std::thread::spawn(move || {
            long_write_server(ox_sock_server(ss)?, 64 * 1024, half, total, back, None)
        }),
        _ => std::thread::spawn(move || {
            long_write_server(ossl_sock_server(ss)?, 64 * 1024, half, total, back, None)
        }),
    };
    let mut c = ox_sock_client(cs);
    c.do_handshake().unwrap();
    assert_eq!(c.version_str(), "TLSv1.2");
    // Phase 1: one long write; the HelloRequest arrives meanwhile (a write does not read).
    assert_eq!(c.ssl_write(&up[..half]).unwrap(), half);
    assert!(!c.renegotiate_pending());
    // Phase 2: the read sees the HelloRequest, sends the ClientHello, and returns the data
    // that followed the HelloRequest.
    let mut got = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    while got.len() < MARKER.len() {
        let n = c.ssl_read(&mut buf).unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, MARKER);
    assert!(
        c.renegotiate_pending(),
        "the read started the renegotiation"
    );
    // Phase 3: a long write that first completes the renegotiation.
    assert_eq!(c.ssl_write(&up[half..]).unwrap(), up.len() - half);
    assert!(!c.renegotiate_pending());
    // Phase 4: the server's answer.
    got.clear();
    while got.len() < down.len() {
        let n = c.ssl_read(&mut buf).unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    check_data("client received", &got, &down);
    c.shutdown().unwrap();
    let saw = join(server);
    check_data("server received", &saw.received, &up);
    assert!(saw.pending_after_request && !saw.pending_at_end);
}

#[test]
fn blocking_socket_renegotiation_during_long_write_oxssl_server() {
    blocking_long_write("oxssl");
}

#[test]
fn blocking_socket_renegotiation_during_long_write_openssl_server() {
    blocking_long_write("openssl");
}

/// Calls `op` until it succeeds, counting WANT_READ and WANT_WRITE; `on_retry` runs after
/// each retry (with the counts so far). Bounded by [`DEADLINE`].
fn retry_loop<T>(
    what: &str,
    mut op: impl FnMut() -> Result<T, oxssl::ssl::Error>,
    mut on_retry: impl FnMut(ErrorCode, usize, usize),
) -> (T, usize, usize) {
    let until = Instant::now() + DEADLINE;
    let (mut wr, mut ww) = (0, 0);
    loop {
        match op() {
            Ok(v) => return (v, wr, ww),
            Err(e) if e.code() == ErrorCode::WANT_READ => wr += 1,
            Err(e) if e.code() == ErrorCode::WANT_WRITE => ww += 1,
            Err(e) => panic!("{what}: {}", ox_failure("oxssl client", &e)),
        }
        let code = if ww > 0 && wr == 0 {
            ErrorCode::WANT_WRITE
        } else {
            ErrorCode::WANT_READ
        };
        on_retry(code, wr, ww);
        assert!(
            Instant::now() < until,
            "{what}: no progress before the deadline"
        );
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// A non-blocking client socket: the long write returns WANT_WRITE while the socket is
/// full, then `num`; after the read that starts the renegotiation, the next long write
/// returns WANT_READ while the server has not answered the ClientHello, then WANT_WRITE /
/// WANT_READ as it goes, then `num`. Gates make the first WANT_WRITE and WANT_READ certain.
fn nonblocking_long_write(server_kind: &'static str) {
    let (cs, ss) = tcp_pair();
    let up = pattern(13, 8 * MIB);
    let down = pattern(14, MIB);
    let half = up.len() / 2;
    let (total, back) = (up.len(), down.clone());
    let (open_reading, before_reading) = mpsc::channel();
    let (open_client_hello, before_client_hello) = mpsc::channel();
    let server = std::thread::spawn(move || {
        let gates = Gates {
            before_reading,
            before_client_hello,
        };
        if server_kind == "oxssl" {
            long_write_server(
                ox_sock_server(ss)?,
                64 * 1024,
                half,
                total,
                back,
                Some(gates),
            )
        } else {
            long_write_server(
                ossl_sock_server(ss)?,
                64 * 1024,
                half,
                total,
                back,
                Some(gates),
            )
        }
    });
    cs.set_nonblocking(true).unwrap();
    let mut c = ox_sock_client(cs);
    retry_loop("handshake", || c.do_handshake(), |_, _, _| {});

    // Phase 1: WANT_WRITE (the server is not reading yet), then all of it.
    let mut opened = false;
    let (n, wr1, ww1) = retry_loop(
        "long write",
        || c.ssl_write(&up[..half]),
        |_, _, ww| {
            if ww > 0 && !opened {
                open_reading.send(()).unwrap();
                opened = true;
            }
        },
    );
    assert_eq!(n, half);
    assert!(ww1 >= 1, "the long write returned WANT_WRITE");
    assert_eq!(wr1, 0, "no reading needed yet");

    // Phase 2: reads until the data after the HelloRequest.
    let mut buf = vec![0u8; 64 * 1024];
    let (n, _, _) = retry_loop("read", || c.ssl_read(&mut buf), |_, _, _| {});
    assert_eq!(&buf[..n], MARKER);
    assert!(c.renegotiate_pending());

    // Phase 3: the first call must wait for the server's answer to the ClientHello.
    let e = c
        .ssl_write(&up[half..])
        .expect_err("the renegotiation is not finished");
    assert_eq!(e.code(), ErrorCode::WANT_READ, "{e}");
    open_client_hello.send(()).unwrap();
    let (n, wr3, ww3) = retry_loop(
        "write after renegotiation",
        || c.ssl_write(&up[half..]),
        |_, _, _| {},
    );
    assert_eq!(n, up.len() - half);
    assert!(!c.renegotiate_pending());
    eprintln!("phase 3 retries after the first WANT_READ: {wr3} WANT_READ, {ww3} WANT_WRITE");

    // Phase 4.
    let mut got = Vec::new();
    while got.len() < down.len() {
        let (n, _, _) = retry_loop("read back", || c.ssl_read(&mut buf), |_, _, _| {});
        got.extend_from_slice(&buf[..n]);
    }
    check_data("client received", &got, &down);
    retry_loop("shutdown", || c.shutdown(), |_, _, _| {});
    let saw = join(server);
    check_data("server received", &saw.received, &up);
    assert!(saw.pending_after_request && !saw.pending_at_end);
}

#[test]
fn nonblocking_socket_renegotiation_during_long_write_oxssl_server() {
    nonblocking_long_write("oxssl");
}

#[test]
fn nonblocking_socket_renegotiation_during_long_write_openssl_server() {
    nonblocking_long_write("openssl");
}

/// The server side of the AUTO_RETRY scenario: HelloRequest via SSL_do_handshake, then
/// reads (running the new handshake) until the client's "after", answers "x", waits for
/// close_notify.
fn auto_retry_server(sock: TcpStream) -> Result<Vec<u8>, String> {
    let mut s = ox_sock_server(sock)?;
    s.renegotiate()?;
    s.0.do_handshake()
        .map_err(|e| format!("do_handshake (HelloRequest): {e}"))?;
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    while got.len() < 5 {
        let n = s.read(&mut buf)?;
        got.extend_from_slice(&buf[..n]);
    }
    s.write_all(b"x")?;
    s.wait_close()?;
    Ok(got)
}

/// AUTO_RETRY off on a blocking socket (SSL_WRITE.md section 6), with OpenSSL 3.6 as the
/// oracle: the read that meets the HelloRequest runs the whole renegotiation (blocking),
/// then returns -1 / WANT_READ instead of waiting for data.
#[test]
fn auto_retry_off_blocking_read_openssl_client_oracle() {
    let (cs, ss) = tcp_pair();
    let server = std::thread::spawn(move || auto_retry_server(ss));
    let stream = os::SslStream::new(ossl_ssl(false, None), cs).unwrap();
    let ssl = stream.ssl();
    assert_eq!(c::do_handshake(ssl).ret, 1);
    c::clear_mode(ssl, SSL_MODE_AUTO_RETRY);
    let start = Instant::now();
    let r = c::read(ssl, &mut [0u8; 64]);
    let took = start.elapsed();
    assert_eq!((r.ret, r.code), (-1, SSL_ERROR_WANT_READ), "{r:?}");
    assert!(took < Duration::from_secs(3), "returned after {took:?}");
    assert!(
        !ossl_renegotiate_pending(ssl),
        "the renegotiation finished inside the read"
    );
    assert!(!ossl_in_init(ssl));
    assert_eq!(c::write(ssl, b"after").ret, 5);
    let mut buf = [0u8; 8];
    let r = c::read(ssl, &mut buf);
    assert_eq!(r.ret, 1, "{r:?}");
    assert_eq!(buf[0], b'x');
    c::shutdown(ssl);
    assert_eq!(join(server), b"after");
}

/// The same with the oxssl client: the read runs the renegotiation to its end and then
/// returns WANT_READ at once (a regression test: it used to go on reading the blocking
/// socket until SO_RCVTIMEO expired).
#[test]
fn auto_retry_off_blocking_read_oxssl_client() {
    let (cs, ss) = tcp_pair();
    let server = std::thread::spawn(move || auto_retry_server(ss));
    let mut c = ox_sock_client(cs);
    c.do_handshake().unwrap();
    c.clear_mode(SslMode::AUTO_RETRY);
    let start = Instant::now();
    let r = c.ssl_read(&mut [0u8; 64]);
    let took = start.elapsed();
    let e = r.expect_err("no application data");
    assert_eq!(e.code(), ErrorCode::WANT_READ, "{e}");
    assert!(
        took < Duration::from_secs(3),
        "returned after {took:?} (socket timeout: {SOCK_TIMEOUT:?})"
    );
    assert!(
        !c.renegotiate_pending(),
        "the renegotiation finished inside the read"
    );
    assert_eq!(c.ssl_write(b"after").unwrap(), 5);
    let mut buf = [0u8; 8];
    assert_eq!(c.ssl_read(&mut buf).unwrap(), 1);
    assert_eq!(buf[0], b'x');
    c.shutdown().unwrap();
    assert_eq!(join(server), b"after");
}
