//! In-process interoperability: oxssl against OpenSSL (the `openssl` crate, vendored 3.6) and
//! rustls (aws-lc-rs), both directions, over an in-memory pipe.
//!
//! The matrix tests run every cipher suite x group x server key type, move 1 MiB each way,
//! close with close_notify both ways, and report every failing combination at the end.
//! The rest cover ALPN, HelloRetryRequest (with and without a cookie) and client
//! certificates.
mod common;

use common::certs::{self, server_pki, KeyKind, LeafSpec, Pki};
use common::openssl_peer::{group_matches, OpensslPeer, PeerOpts};
use common::ox;
use common::pipe::{pipe, PipeEnd};
use common::rustls_peer::RustlsPeer;
use oxssl::config::{CertifiedKey, Config, VerifyMode};
use oxssl::crypto::kx::KxGroup;
use oxssl::crypto::sign::{SignatureScheme, SigningKey};
use oxssl::msgs::enums::ProtocolVersion;
use oxssl::suites::CipherSuite;
use oxssl::x509::{CertificateDer, TrustStore};
use oxssl::{Connection, Event, TlsError};
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, OnceLock};

const MIB: usize = 1024 * 1024;

const SUITES: [CipherSuite; 3] = [
    CipherSuite::Tls13Aes128GcmSha256,
    CipherSuite::Tls13Aes256GcmSha384,
    CipherSuite::Tls13Chacha20Poly1305Sha256,
];

const GROUPS: [KxGroup; 4] = [
    KxGroup::X25519MlKem768,
    KxGroup::X25519,
    KxGroup::Secp256r1,
    KxGroup::Secp384r1,
];

// ---------------------------------------------------------------------------------------
// Test data
// ---------------------------------------------------------------------------------------

/// `len` deterministic pseudo-random bytes (xorshift64*), different per seed.
fn pattern(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// What the client sends (1 MiB).
fn client_data() -> &'static [u8] {
    static D: OnceLock<Vec<u8>> = OnceLock::new();
    D.get_or_init(|| pattern(1, MIB))
}

/// What the server sends (1 MiB).
fn server_data() -> &'static [u8] {
    static D: OnceLock<Vec<u8>> = OnceLock::new();
    D.get_or_init(|| pattern(2, MIB))
}

/// Compares received bytes with what was sent, without printing either.
fn check_bytes(what: &str, got: &[u8], want: &[u8]) -> Result<(), String> {
    if got == want {
        return Ok(());
    }
    let first_diff = got.iter().zip(want).position(|(a, b)| a != b);
    Err(format!(
        "{what}: received {} bytes, expected {}; first difference at {:?}",
        got.len(),
        want.len(),
        first_diff
    ))
}

// ---------------------------------------------------------------------------------------
// The oxssl endpoint
// ---------------------------------------------------------------------------------------

/// An oxssl connection on one end of a pipe, with the application data it received.
struct Ox {
    conn: Connection,
    end: PipeEnd,
    received: Vec<u8>,
    /// The first bytes this endpoint sent (up to 16 KiB), for inspecting the wire.
    sent_head: Vec<u8>,
}

impl Ox {
    fn new(conn: Connection, end: PipeEnd) -> Self {
        Ox {
            conn,
            end,
            received: Vec::new(),
            sent_head: Vec::new(),
        }
    }

    fn flush(&mut self) {
        let out = self.conn.pending_tls();
        if !out.is_empty() {
            let n = out.len();
            let keep = n.min(16384 - self.sent_head.len().min(16384));
            self.sent_head.extend_from_slice(&out[..keep]);
            self.end.send(out);
            self.conn.consume_tls(n);
        }
    }

    /// Sends queued records, takes in what the pipe holds (as much as the engine's bounded
    /// buffer allows, repeatedly) and processes it, collecting application data.
    fn pump(&mut self) -> Result<(), TlsError> {
        let r = self.pump_inner();
        // Whatever happened, send what is queued (for a failure: its alert).
        self.flush();
        r
    }

    fn pump_inner(&mut self) -> Result<(), TlsError> {
        self.conn.start()?;
        let mut buf = [0u8; 16384];
        loop {
            self.flush();
            let mut progress = false;
            let pending = self.end.pending();
            if pending > 0 {
                let space = self.conn.tls_read_space(pending);
                let len = space.len();
                let n = if len > 0 {
                    self.end.read(space).unwrap_or(0)
                } else {
                    0
                };
                self.conn.commit_tls_read(len, n);
                progress |= n > 0;
            }
            loop {
                match self.conn.process_one()? {
                    Event::ApplicationData => loop {
                        let n = self.conn.read_app(&mut buf);
                        if n == 0 {
                            break;
                        }
                        self.received.extend_from_slice(&buf[..n]);
                        progress = true;
                    },
                    Event::Handshake | Event::Ignored => progress = true,
                    Event::NeedData | Event::CloseNotify | Event::ClientHello => break,
                }
            }
            if !progress {
                return Ok(());
            }
        }
    }

    fn write_all(&mut self, data: &[u8]) -> Result<(), TlsError> {
        ox::write_all(&mut self.conn, data)?;
        self.flush();
        Ok(())
    }
}

fn ox_client(config: Config, end: PipeEnd) -> Ox {
    Ox::new(ox::client(config, "localhost"), end)
}

fn ox_server(config: Config, end: PipeEnd) -> Ox {
    Ox::new(ox::server(config), end)
}

/// A config with its suites and groups restricted to one each (and, for a TLS 1.2
/// suite, its version range to TLS 1.2).
fn only(mut c: Config, suite: CipherSuite, group: KxGroup) -> Config {
    if suite.is_tls13() {
        c.cipher_suites = vec![suite];
    } else {
        c.tls12_cipher_suites = vec![suite];
        c.min_version = ProtocolVersion::TLSV1_2;
        c.max_version = ProtocolVersion::TLSV1_2;
    }
    c.groups = vec![group];
    c
}

fn certified_key(pki: &Pki) -> CertifiedKey {
    CertifiedKey {
        chain: vec![CertificateDer::from(pki.leaf_der.clone())],
        key: Arc::new(SigningKey::from_der(&pki.key_der).unwrap()),
    }
}

/// A client certificate issued by the test CA.
fn client_pki(kind: KeyKind) -> Pki {
    certs::issue(&LeafSpec {
        kind,
        names: vec!["client.example".into()],
        validity_years: None,
        client_auth: true,
    })
}

// ---------------------------------------------------------------------------------------
// Peers behind one interface
// ---------------------------------------------------------------------------------------

trait Peer {
    fn name(&self) -> &'static str;
    fn pump(&mut self) -> Result<(), String>;
    fn is_connected(&self) -> bool;
    fn write_all(&mut self, data: &[u8]) -> Result<(), String>;
    fn close(&mut self) -> Result<(), String>;
    fn received(&self) -> &[u8];
    /// True once the peer saw our close_notify as a clean close.
    fn saw_clean_close(&mut self) -> bool;
    fn suite(&self) -> Option<CipherSuite>;
    fn group(&self) -> Result<KxGroup, String>;
    fn alpn(&self) -> Option<Vec<u8>>;
    /// Whether the handshake had a HelloRetryRequest, if the peer can tell.
    fn hello_retry(&self) -> Option<bool>;
    /// The DER of the certificate the other side presented.
    fn peer_cert(&self) -> Option<Vec<u8>>;
}

impl Peer for OpensslPeer {
    fn name(&self) -> &'static str {
        "openssl"
    }
    fn pump(&mut self) -> Result<(), String> {
        OpensslPeer::pump(self)
    }
    fn is_connected(&self) -> bool {
        OpensslPeer::is_connected(self)
    }
    fn write_all(&mut self, data: &[u8]) -> Result<(), String> {
        OpensslPeer::write_all(self, data)
    }
    fn close(&mut self) -> Result<(), String> {
        OpensslPeer::close(self)
    }
    fn received(&self) -> &[u8] {
        &self.received
    }
    fn saw_clean_close(&mut self) -> bool {
        self.saw_close && self.received_shutdown()
    }
    fn suite(&self) -> Option<CipherSuite> {
        CipherSuite::from_name(&OpensslPeer::suite(self)?)
    }
    fn group(&self) -> Result<KxGroup, String> {
        let name = OpensslPeer::group(self).ok_or("openssl reports no group")?;
        GROUPS
            .into_iter()
            .find(|g| group_matches(&name, *g))
            .ok_or_else(|| format!("openssl reports unknown group {name:?}"))
    }
    fn alpn(&self) -> Option<Vec<u8>> {
        OpensslPeer::alpn(self)
    }
    fn hello_retry(&self) -> Option<bool> {
        None
    }
    fn peer_cert(&self) -> Option<Vec<u8>> {
        self.peer_cert_der()
    }
}

impl Peer for RustlsPeer {
    fn name(&self) -> &'static str {
        "rustls"
    }
    fn pump(&mut self) -> Result<(), String> {
        RustlsPeer::pump(self)
    }
    fn is_connected(&self) -> bool {
        RustlsPeer::is_connected(self)
    }
    fn write_all(&mut self, data: &[u8]) -> Result<(), String> {
        RustlsPeer::write_all(self, data)
    }
    fn close(&mut self) -> Result<(), String> {
        RustlsPeer::close(self)
    }
    fn received(&self) -> &[u8] {
        &self.received
    }
    fn saw_clean_close(&mut self) -> bool {
        self.saw_close
    }
    fn suite(&self) -> Option<CipherSuite> {
        RustlsPeer::suite(self)
    }
    fn group(&self) -> Result<KxGroup, String> {
        RustlsPeer::group(self).ok_or_else(|| "rustls reports no group".into())
    }
    fn alpn(&self) -> Option<Vec<u8>> {
        RustlsPeer::alpn(self)
    }
    fn hello_retry(&self) -> Option<bool> {
        Some(RustlsPeer::hello_retry(self))
    }
    fn peer_cert(&self) -> Option<Vec<u8>> {
        self.peer_certs().into_iter().next()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PeerKind {
    Openssl,
    Rustls,
}

fn make_peer(
    kind: PeerKind,
    opts: &PeerOpts,
    end: PipeEnd,
    client: bool,
) -> Result<Box<dyn Peer>, String> {
    Ok(match (kind, client) {
        (PeerKind::Openssl, true) => Box::new(OpensslPeer::client(opts, end)?),
        (PeerKind::Openssl, false) => Box::new(OpensslPeer::server(opts, end)?),
        (PeerKind::Rustls, true) => Box::new(RustlsPeer::client(opts, end)?),
        (PeerKind::Rustls, false) => Box::new(RustlsPeer::server(opts, end)?),
    })
}

// ---------------------------------------------------------------------------------------
// A session: handshake, data both ways, close both ways
// ---------------------------------------------------------------------------------------

/// An oxssl failure, with what the peer then reported (after seeing our alert).
fn ox_failed(e: TlsError, peer: &mut dyn Peer) -> String {
    let peer_said = match peer.pump() {
        Ok(()) => "nothing".to_string(),
        Err(p) => p,
    };
    format!("oxssl: {e:?}; {} then reported: {peer_said}", peer.name())
}

/// A peer failure, with what oxssl then reported (after seeing the peer's alert).
fn peer_failed(p: String, ox: &mut Ox) -> String {
    let ox_said = match ox.pump() {
        Ok(()) => "nothing".to_string(),
        Err(e) => format!("{e:?}"),
    };
    format!("{p}; oxssl then reported: {ox_said}")
}

/// Pumps both sides (oxssl first) until `done` holds; fails after `rounds` rounds.
fn drive(
    ox: &mut Ox,
    peer: &mut dyn Peer,
    what: &str,
    rounds: usize,
    mut done: impl FnMut(&mut Ox, &mut dyn Peer) -> bool,
) -> Result<(), String> {
    let mut idle = 0;
    for _ in 0..rounds {
        if done(ox, peer) {
            return Ok(());
        }
        let before = (
            ox.end.pending(),
            ox.end.in_flight(),
            ox.received.len(),
            peer.received().len(),
        );
        ox.pump().map_err(|e| ox_failed(e, peer))?;
        peer.pump().map_err(|p| peer_failed(p, ox))?;
        let after = (
            ox.end.pending(),
            ox.end.in_flight(),
            ox.received.len(),
            peer.received().len(),
        );
        idle = if before == after { idle + 1 } else { 0 };
        if idle > 3 {
            break;
        }
    }
    if done(ox, peer) {
        return Ok(());
    }
    Err(format!(
        "{what}: stalled (oxssl state {:?}, connected {}; {} connected {}; oxssl got {} bytes, {} got {})",
        ox.conn.state_name(),
        ox.conn.is_connected(),
        peer.name(),
        peer.is_connected(),
        ox.received.len(),
        peer.name(),
        peer.received().len()
    ))
}

fn handshake(ox: &mut Ox, peer: &mut dyn Peer) -> Result<(), String> {
    drive(ox, peer, "handshake", 50, |ox, peer| {
        ox.conn.is_connected() && peer.is_connected()
    })
}

/// Both sides send their data at once; each checks every byte it received.
fn exchange(
    ox: &mut Ox,
    peer: &mut dyn Peer,
    ox_is_client: bool,
    len: usize,
) -> Result<(), String> {
    let (ox_sends, peer_sends) = if ox_is_client {
        (&client_data()[..len], &server_data()[..len])
    } else {
        (&server_data()[..len], &client_data()[..len])
    };
    ox.write_all(ox_sends).map_err(|e| ox_failed(e, peer))?;
    peer.write_all(peer_sends).map_err(|p| peer_failed(p, ox))?;
    drive(ox, peer, "data exchange", 10_000, |ox, peer| {
        ox.received.len() >= len && peer.received().len() >= len
    })?;
    check_bytes("oxssl received", &ox.received, peer_sends)?;
    let name = peer.name();
    check_bytes(&format!("{name} received"), peer.received(), ox_sends)
}

/// close_notify both ways: oxssl first, then the peer.
fn close_both(ox: &mut Ox, peer: &mut dyn Peer) -> Result<(), String> {
    ox.conn
        .send_close_notify()
        .map_err(|e| format!("oxssl send_close_notify: {e:?}"))?;
    ox.flush();
    drive(ox, peer, "peer sees close_notify", 20, |_, peer| {
        peer.saw_clean_close()
    })?;
    peer.close().map_err(|p| peer_failed(p, ox))?;
    drive(ox, peer, "oxssl sees close_notify", 20, |ox, _| {
        ox.conn.received_close_notify()
    })
}

/// A whole session: handshake, `len` bytes each way, close both ways.
fn session(ox: &mut Ox, peer: &mut dyn Peer, ox_is_client: bool, len: usize) -> Result<(), String> {
    handshake(ox, peer)?;
    exchange(ox, peer, ox_is_client, len)?;
    close_both(ox, peer)
}

/// The signature scheme the server's key must have produced (TLS 1.2 also allows PKCS#1).
fn scheme_fits(kind: KeyKind, s: Option<SignatureScheme>, tls12: bool) -> bool {
    let pkcs1 = matches!(
        s,
        Some(SignatureScheme::RsaPkcs1Sha256 | SignatureScheme::RsaPkcs1Sha384)
    );
    if tls12 && kind == KeyKind::Rsa2048 && pkcs1 {
        return true;
    }
    // In TLS 1.2 an ECDSA scheme names only the hash: a P-384 key may sign with SHA-256.
    let ecdsa = matches!(
        s,
        Some(SignatureScheme::EcdsaSecp256r1Sha256 | SignatureScheme::EcdsaSecp384r1Sha384)
    );
    if tls12 && matches!(kind, KeyKind::EcdsaP256 | KeyKind::EcdsaP384) && ecdsa {
        return true;
    }
    match kind {
        KeyKind::EcdsaP256 => s == Some(SignatureScheme::EcdsaSecp256r1Sha256),
        KeyKind::EcdsaP384 => s == Some(SignatureScheme::EcdsaSecp384r1Sha384),
        KeyKind::Rsa2048 => matches!(
            s,
            Some(
                SignatureScheme::RsaPssRsaeSha256
                    | SignatureScheme::RsaPssRsaeSha384
                    | SignatureScheme::RsaPssRsaeSha512
            )
        ),
        KeyKind::Ed25519 => s == Some(SignatureScheme::Ed25519),
    }
}

/// Checks what both sides say they negotiated.
fn check_negotiated(
    ox: &Ox,
    peer: &dyn Peer,
    suite: CipherSuite,
    group: KxGroup,
) -> Result<(), String> {
    let n = ox.conn.negotiated();
    let version = if suite.is_tls13() {
        ProtocolVersion::TLSV1_3
    } else {
        ProtocolVersion::TLSV1_2
    };
    if n.version != Some(version) {
        return Err(format!("oxssl version {:?}", n.version));
    }
    if n.suite != Some(suite) || n.group != Some(group) {
        return Err(format!("oxssl negotiated {:?} / {:?}", n.suite, n.group));
    }
    let (ps, pg) = (peer.suite(), peer.group()?);
    if ps != Some(suite) || pg != group {
        return Err(format!("{} negotiated {ps:?} / {pg:?}", peer.name()));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The matrix
// ---------------------------------------------------------------------------------------

/// One matrix combination: oxssl as client (or server) against `peer_kind`, both sides
/// restricted to `suite` and `group`, the server with a `kind` key.
fn matrix_case(
    peer_kind: PeerKind,
    ox_is_client: bool,
    suite: CipherSuite,
    group: KxGroup,
    kind: KeyKind,
    scheme: Option<SignatureScheme>,
) -> Result<(), String> {
    let pki = server_pki(kind);
    let (oe, pe) = pipe();
    let tls12 = !suite.is_tls13();
    // TLS 1.2 (RFC 8422 5.1): the client must also list the curve of an ECDSA server
    // certificate, which OpenSSL enforces; the tested group stays first.
    let cert_curve = match kind {
        KeyKind::EcdsaP256 if tls12 => Some(KxGroup::Secp256r1),
        KeyKind::EcdsaP384 if tls12 => Some(KxGroup::Secp384r1),
        _ => None,
    }
    .filter(|g| *g != group);
    let with_curve = |mut groups: Vec<KxGroup>| {
        groups.extend(cert_curve);
        groups
    };
    let peer_opts = |o: PeerOpts| {
        let o = o.only(suite, group);
        PeerOpts {
            tls12,
            groups: with_curve(o.groups.clone()),
            ..o
        }
    };
    let only = |c: Config, suite, group| {
        let mut c = only(c, suite, group);
        c.groups = with_curve(c.groups);
        // One signature scheme: offered by the oxssl client, signed with by the server.
        if let Some(s) = scheme {
            c.signature_schemes = vec![s];
        }
        c
    };
    let (mut ox, mut peer) = if ox_is_client {
        let ox = ox_client(only(ox::client_config(pki), suite, group), oe);
        (
            ox,
            make_peer(peer_kind, &peer_opts(PeerOpts::server(pki)), pe, false)?,
        )
    } else {
        let ox = ox_server(only(ox::server_config(pki), suite, group), oe);
        (
            ox,
            make_peer(peer_kind, &peer_opts(PeerOpts::client(pki)), pe, true)?,
        )
    };
    let peer = peer.as_mut();
    handshake(&mut ox, peer)?;
    check_negotiated(&ox, peer, suite, group)?;
    let n = ox.conn.negotiated();
    if n.hello_retry {
        return Err("unexpected HelloRetryRequest".into());
    }
    if ox_is_client {
        if scheme.is_some() && n.peer_signature_scheme != scheme {
            return Err(format!("server signed with {:?}", n.peer_signature_scheme));
        }
        if !scheme_fits(kind, n.peer_signature_scheme, tls12) {
            return Err(format!("server signed with {:?}", n.peer_signature_scheme));
        }
        if n.peer_chain.first().map(|c| c.as_ref()) != Some(pki.leaf_der.as_slice()) {
            return Err("oxssl client did not record the server's certificate".into());
        }
        if n.verify_result != 0 {
            return Err(format!("oxssl verify_result {}", n.verify_result));
        }
    } else {
        if scheme.is_some() && n.our_signature_scheme != scheme {
            return Err(format!(
                "oxssl server signed with {:?}",
                n.our_signature_scheme
            ));
        }
        if !scheme_fits(kind, n.our_signature_scheme, tls12) {
            return Err(format!(
                "oxssl server signed with {:?}",
                n.our_signature_scheme
            ));
        }
        if peer.peer_cert().as_deref() != Some(pki.leaf_der.as_slice()) {
            return Err(format!("{} did not see our certificate", peer.name()));
        }
    }
    exchange(&mut ox, peer, ox_is_client, MIB)?;
    close_both(&mut ox, peer)
}

/// Runs all 48 combinations, collecting failures (panics included).
fn run_matrix(peer_kind: PeerKind, ox_is_client: bool) {
    let started = std::time::Instant::now();
    let mut failures = Vec::new();
    let mut total = 0;
    for suite in SUITES {
        for group in GROUPS {
            for kind in KeyKind::ALL {
                total += 1;
                let r = catch_unwind(AssertUnwindSafe(|| {
                    matrix_case(peer_kind, ox_is_client, suite, group, kind, None)
                }));
                let err = match r {
                    Ok(Ok(())) => continue,
                    Ok(Err(e)) => e,
                    Err(panic) => format!(
                        "panicked: {}",
                        panic
                            .downcast_ref::<String>()
                            .map(String::as_str)
                            .or_else(|| panic.downcast_ref::<&str>().copied())
                            .unwrap_or("?")
                    ),
                };
                failures.push(format!(
                    "{} / {} / {kind:?}: {err}",
                    suite.name(),
                    group.name()
                ));
            }
        }
    }
    let dir = if ox_is_client {
        "oxssl client -> {peer} server"
    } else {
        "{peer} client -> oxssl server"
    }
    .replace("{peer}", &format!("{peer_kind:?}"));
    eprintln!("{dir}: {total} combinations in {:?}", started.elapsed());
    assert!(
        failures.is_empty(),
        "{dir}: {} of {total} combinations failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// TLS 1.2: every suite with every classical group and each key type its
/// authentication allows (ECDSA P-256/P-384 for ECDHE-ECDSA; RSA 2048 for ECDHE-RSA,
/// signing once with PKCS#1 v1.5 and once with PSS): 36 combinations.
fn run_matrix12(peer_kind: PeerKind, ox_is_client: bool) {
    let mut failures = Vec::new();
    let mut total = 0;
    for suite in CipherSuite::TLS12_DEFAULT {
        // RSA both ways a TLS 1.2 server signs: PKCS#1 v1.5 and PSS.
        let kinds: &[(KeyKind, Option<SignatureScheme>)] = match suite.auth() {
            oxssl::suites::SuiteAuth::Rsa => &[
                (KeyKind::Rsa2048, Some(SignatureScheme::RsaPkcs1Sha256)),
                (KeyKind::Rsa2048, Some(SignatureScheme::RsaPssRsaeSha256)),
            ],
            _ => &[(KeyKind::EcdsaP256, None), (KeyKind::EcdsaP384, None)],
        };
        for group in [KxGroup::X25519, KxGroup::Secp256r1, KxGroup::Secp384r1] {
            for &(kind, scheme) in kinds {
                total += 1;
                if let Err(e) = matrix_case(peer_kind, ox_is_client, suite, group, kind, scheme) {
                    failures.push(format!(
                        "{} / {} / {kind:?} / {scheme:?}: {e}",
                        suite.name(),
                        group.name()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "TLS 1.2 {peer_kind:?} (oxssl client: {ox_is_client}): {} of {total} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn matrix12_oxssl_client_openssl_server() {
    run_matrix12(PeerKind::Openssl, true);
}

#[test]
fn matrix12_openssl_client_oxssl_server() {
    run_matrix12(PeerKind::Openssl, false);
}

#[test]
fn matrix12_oxssl_client_rustls_server() {
    run_matrix12(PeerKind::Rustls, true);
}

#[test]
fn matrix12_rustls_client_oxssl_server() {
    run_matrix12(PeerKind::Rustls, false);
}

/// TLS 1.2 with an OpenSSL peer that does not do the extended master secret: both
/// directions derive the classic master secret (RFC 5246 8.1) and agree; an oxssl side
/// that requires EMS refuses the peer.
#[test]
fn tls12_without_extended_master_secret_openssl() {
    let pki = server_pki(KeyKind::EcdsaP256);
    let suite = CipherSuite::Tls12EcdheEcdsaAes128GcmSha256;
    let group = KxGroup::Secp256r1;
    for ox_is_client in [true, false] {
        for require in [false, true] {
            let (oe, pe) = pipe();
            let base = if ox_is_client {
                ox::client_config(pki)
            } else {
                ox::server_config(pki)
            };
            let mut cfg = only(base, suite, group);
            cfg.require_ems = require;
            let opts = if ox_is_client {
                PeerOpts::server(pki)
            } else {
                PeerOpts::client(pki)
            };
            let opts = PeerOpts {
                tls12: true,
                no_ems: true,
                ..opts.only(suite, group)
            };
            let mut ox = if ox_is_client {
                ox_client(cfg, oe)
            } else {
                ox_server(cfg, oe)
            };
            let mut peer = make_peer(PeerKind::Openssl, &opts, pe, !ox_is_client).unwrap();
            let r = session(&mut ox, peer.as_mut(), ox_is_client, 64 * 1024);
            match require {
                false => r.unwrap(),
                true => {
                    let e = r.unwrap_err();
                    assert!(e.contains("INCONSISTENT_EXTMS"), "{e}");
                }
            }
        }
    }
}

#[test]
fn matrix_oxssl_client_openssl_server() {
    run_matrix(PeerKind::Openssl, true);
}

#[test]
fn matrix_openssl_client_oxssl_server() {
    run_matrix(PeerKind::Openssl, false);
}

#[test]
fn matrix_oxssl_client_rustls_server() {
    run_matrix(PeerKind::Rustls, true);
}

#[test]
fn matrix_rustls_client_oxssl_server() {
    run_matrix(PeerKind::Rustls, false);
}

// ---------------------------------------------------------------------------------------
// ALPN
// ---------------------------------------------------------------------------------------

fn protos(list: &[&str]) -> Vec<Vec<u8>> {
    list.iter().map(|p| p.as_bytes().to_vec()).collect()
}

/// What an ALPN case must end in.
#[derive(Clone, Copy, Debug)]
enum AlpnExpect {
    /// The handshake succeeds and both sides report this protocol (or none).
    Selected(Option<&'static str>),
    /// The server refuses with a no_application_protocol alert (rustls' behaviour when
    /// nothing overlaps; OpenSSL and oxssl continue without ALPN).
    Refused,
}

/// The client offers `client`, the server accepts `server` (in its preference order).
fn alpn_case(
    peer_kind: PeerKind,
    ox_is_client: bool,
    client: &[&str],
    server: &[&str],
    expect: AlpnExpect,
) -> Result<(), String> {
    let pki = server_pki(KeyKind::EcdsaP256);
    let (oe, pe) = pipe();
    let (mut ox, mut peer) = if ox_is_client {
        let mut c = ox::client_config(pki);
        c.alpn_protocols = protos(client);
        let opts = PeerOpts {
            alpn: protos(server),
            ..PeerOpts::server(pki)
        };
        (ox_client(c, oe), make_peer(peer_kind, &opts, pe, false)?)
    } else {
        let mut c = ox::server_config(pki);
        c.alpn_protocols = protos(server);
        let opts = PeerOpts {
            alpn: protos(client),
            ..PeerOpts::client(pki)
        };
        (ox_server(c, oe), make_peer(peer_kind, &opts, pe, true)?)
    };
    let peer = peer.as_mut();
    let result = session(&mut ox, peer, ox_is_client, 64 * 1024);
    let want = match (expect, result) {
        (AlpnExpect::Selected(want), Ok(())) => want.map(|w| w.as_bytes().to_vec()),
        (AlpnExpect::Selected(_), Err(e)) => return Err(e),
        (AlpnExpect::Refused, Ok(())) => {
            return Err("handshake succeeded; expected no_application_protocol".into())
        }
        (AlpnExpect::Refused, Err(e)) => {
            // The alert must have reached oxssl as no_application_protocol (120).
            let reason = ox.conn.error().map(|e| e.reason.0);
            if ox_is_client && reason != Some(1120) {
                return Err(format!("expected a no_application_protocol alert: {e}"));
            }
            return Ok(());
        }
    };
    let ours = ox.conn.negotiated().alpn.clone();
    let theirs = peer.alpn();
    if ours != want || theirs != want {
        return Err(format!(
            "ALPN: wanted {:?}, oxssl says {:?}, {} says {:?}",
            want.map(String::from_utf8),
            ours.map(String::from_utf8),
            peer.name(),
            theirs.map(String::from_utf8)
        ));
    }
    Ok(())
}

fn run_alpn(peer_kind: PeerKind) {
    use AlpnExpect::*;
    let mut failures = Vec::new();
    let cases: [(&[&str], &[&str], AlpnExpect); 4] = [
        (
            &["h2", "http/1.1"],
            &["http/1.1", "h2"],
            Selected(Some("http/1.1")),
        ),
        (
            &["http/1.1", "h2"],
            &["h2", "http/1.1"],
            Selected(Some("h2")),
        ),
        (
            &["h2", "http/1.1"],
            &["http/1.1"],
            Selected(Some("http/1.1")),
        ),
        (&["h2"], &["http/1.1"], Selected(None)),
    ];
    for ox_is_client in [true, false] {
        for (client, server, mut expect) in cases {
            if ox_is_client && peer_kind == PeerKind::Rustls && matches!(expect, Selected(None)) {
                expect = Refused;
            }
            if let Err(e) = alpn_case(peer_kind, ox_is_client, client, server, expect) {
                failures.push(format!(
                    "oxssl {} / client {client:?} / server {server:?}: {e}",
                    if ox_is_client { "client" } else { "server" }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn alpn_openssl() {
    run_alpn(PeerKind::Openssl);
}

#[test]
fn alpn_rustls() {
    run_alpn(PeerKind::Rustls);
}

// ---------------------------------------------------------------------------------------
// HelloRetryRequest
// ---------------------------------------------------------------------------------------

/// oxssl client offering [X25519MLKEM768, X25519, P-256] (shares for the first two) to a
/// peer server that only accepts P-256: the peer must send a HelloRetryRequest.
fn hrr_peer_server(peer_kind: PeerKind) -> Result<(), String> {
    let pki = server_pki(KeyKind::EcdsaP256);
    let (oe, pe) = pipe();
    let mut c = ox::client_config(pki);
    c.groups = vec![KxGroup::X25519MlKem768, KxGroup::X25519, KxGroup::Secp256r1];
    let mut ox = ox_client(c, oe);
    let opts = PeerOpts {
        groups: vec![KxGroup::Secp256r1],
        ..PeerOpts::server(pki)
    };
    let mut peer = make_peer(peer_kind, &opts, pe, false)?;
    let peer = peer.as_mut();
    session(&mut ox, peer, true, 64 * 1024)?;
    check_hrr(&ox, peer, KxGroup::Secp256r1)
}

/// A peer client with groups [X25519, P-384] (a share for X25519 only) against an oxssl
/// server accepting only P-384: oxssl must send a HelloRetryRequest (with a cookie if
/// `cookie`).
fn hrr_ox_server(peer_kind: PeerKind, cookie: bool) -> Result<(), String> {
    let pki = server_pki(KeyKind::EcdsaP384);
    let (oe, pe) = pipe();
    let mut c = ox::server_config(pki);
    c.groups = vec![KxGroup::Secp384r1];
    c.hrr_cookie = cookie;
    let mut ox = ox_server(c, oe);
    let opts = PeerOpts {
        groups: vec![KxGroup::X25519, KxGroup::Secp384r1],
        ..PeerOpts::client(pki)
    };
    let mut peer = make_peer(peer_kind, &opts, pe, true)?;
    let peer = peer.as_mut();
    session(&mut ox, peer, false, 64 * 1024)?;
    check_hrr(&ox, peer, KxGroup::Secp384r1)?;
    // The HelloRetryRequest on the wire carries a cookie exactly when configured (and the
    // handshake only completed because the peer echoed it).
    const COOKIE: u16 = 44;
    let types = hrr_extension_types(&ox.sent_head)?;
    if types.contains(&COOKIE) != cookie {
        return Err(format!(
            "HelloRetryRequest extensions {types:?}, cookie wanted: {cookie}"
        ));
    }
    Ok(())
}

/// The extension types of the HelloRetryRequest that starts `flight` (a server's first
/// bytes on the wire: a plaintext handshake record holding a ServerHello whose random is
/// the HRR magic).
fn hrr_extension_types(flight: &[u8]) -> Result<Vec<u16>, String> {
    const HRR_RANDOM: [u8; 32] = [
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8,
        0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8,
        0x33, 0x9C,
    ];
    let bad = |why: &str| format!("server's first flight is not a HelloRetryRequest: {why}");
    let rec_len = match flight {
        [22, 3, _, hi, lo, ..] => u16::from_be_bytes([*hi, *lo]) as usize,
        _ => return Err(bad("no handshake record")),
    };
    let msg = flight
        .get(5..5 + rec_len)
        .ok_or_else(|| bad("short record"))?;
    if msg.first() != Some(&2) {
        return Err(bad("not a ServerHello"));
    }
    // type(1) len(3) legacy_version(2) random(32) session_id<1>
    if msg.get(6..38) != Some(&HRR_RANDOM[..]) {
        return Err(bad("random is not the HRR magic"));
    }
    let sid_len = *msg.get(38).ok_or_else(|| bad("short"))? as usize;
    // session_id, cipher_suite(2), compression(1), extensions<2>
    let mut at = 39 + sid_len + 3;
    let ext_len = u16::from_be_bytes([
        *msg.get(at).ok_or_else(|| bad("short"))?,
        *msg.get(at + 1).ok_or_else(|| bad("short"))?,
    ]) as usize;
    at += 2;
    let end = at + ext_len;
    let mut types = Vec::new();
    while at + 4 <= end.min(msg.len()) {
        types.push(u16::from_be_bytes([msg[at], msg[at + 1]]));
        let len = u16::from_be_bytes([msg[at + 2], msg[at + 3]]) as usize;
        at += 4 + len;
    }
    Ok(types)
}

fn check_hrr(ox: &Ox, peer: &dyn Peer, group: KxGroup) -> Result<(), String> {
    let n = ox.conn.negotiated();
    if !n.hello_retry {
        return Err("oxssl reports no HelloRetryRequest".into());
    }
    if peer.hello_retry() == Some(false) {
        return Err(format!("{} reports no HelloRetryRequest", peer.name()));
    }
    if n.group != Some(group) {
        return Err(format!("oxssl negotiated group {:?}", n.group));
    }
    let pg = peer.group()?;
    if pg != group {
        return Err(format!("{} negotiated group {pg:?}", peer.name()));
    }
    Ok(())
}

#[test]
fn hrr_from_openssl_server() {
    hrr_peer_server(PeerKind::Openssl).unwrap();
}

#[test]
fn hrr_from_rustls_server() {
    hrr_peer_server(PeerKind::Rustls).unwrap();
}

#[test]
fn hrr_to_openssl_client() {
    hrr_ox_server(PeerKind::Openssl, false).unwrap();
}

#[test]
fn hrr_to_rustls_client() {
    hrr_ox_server(PeerKind::Rustls, false).unwrap();
}

#[test]
fn hrr_cookie_to_openssl_client() {
    hrr_ox_server(PeerKind::Openssl, true).unwrap();
}

#[test]
fn hrr_cookie_to_rustls_client() {
    hrr_ox_server(PeerKind::Rustls, true).unwrap();
}

// ---------------------------------------------------------------------------------------
// Client certificates
// ---------------------------------------------------------------------------------------

/// A peer client presenting a `kind` client certificate to an oxssl server that requires
/// one; the oxssl server must see and verify it.
fn client_auth_to_ox_server(peer_kind: PeerKind, kind: KeyKind) -> Result<(), String> {
    let pki = server_pki(KeyKind::EcdsaP256);
    let cli = client_pki(kind);
    let (oe, pe) = pipe();
    let mut trust = TrustStore::new();
    trust.add_der(&cli.ca_der).unwrap();
    let c = Config {
        trust: Arc::new(trust),
        verify: VerifyMode {
            peer: true,
            fail_if_no_peer_cert: true,
            ..Default::default()
        },
        ..ox::server_config(pki)
    };
    let mut ox = ox_server(c, oe);
    let opts = PeerOpts {
        identity: Some(cli.clone()),
        ..PeerOpts::client(pki)
    };
    let mut peer = make_peer(peer_kind, &opts, pe, true)?;
    let peer = peer.as_mut();
    session(&mut ox, peer, false, 64 * 1024)?;
    let n = ox.conn.negotiated();
    if n.peer_chain.first().map(|c| c.as_ref()) != Some(cli.leaf_der.as_slice()) {
        return Err(format!(
            "oxssl server saw {} client certificates, not ours",
            n.peer_chain.len()
        ));
    }
    if n.verify_result != 0 {
        return Err(format!("oxssl verify_result {}", n.verify_result));
    }
    Ok(())
}

/// An oxssl client presenting a `kind` client certificate to a peer server that requires
/// one.
fn client_auth_from_ox_client(peer_kind: PeerKind, kind: KeyKind) -> Result<(), String> {
    let pki = server_pki(KeyKind::EcdsaP256);
    let cli = client_pki(kind);
    let (oe, pe) = pipe();
    let c = Config {
        certified_key: Some(certified_key(&cli)),
        ..ox::client_config(pki)
    };
    let mut ox = ox_client(c, oe);
    let opts = PeerOpts {
        require_client_cert: true,
        ..PeerOpts::server(pki)
    };
    let mut peer = make_peer(peer_kind, &opts, pe, false)?;
    let peer = peer.as_mut();
    session(&mut ox, peer, true, 64 * 1024)?;
    if peer.peer_cert().as_deref() != Some(cli.leaf_der.as_slice()) {
        return Err(format!(
            "{} did not see our client certificate",
            peer.name()
        ));
    }
    Ok(())
}

/// A peer client without a certificate against an oxssl server that requires one: the
/// handshake must fail on both sides.
fn client_auth_missing(peer_kind: PeerKind) -> Result<(), String> {
    let pki = server_pki(KeyKind::EcdsaP256);
    let (oe, pe) = pipe();
    let mut trust = TrustStore::new();
    trust.add_der(&pki.ca_der).unwrap();
    let c = Config {
        trust: Arc::new(trust),
        verify: VerifyMode {
            peer: true,
            fail_if_no_peer_cert: true,
            ..Default::default()
        },
        ..ox::server_config(pki)
    };
    let mut ox = ox_server(c, oe);
    let mut peer = make_peer(peer_kind, &PeerOpts::client(pki), pe, true)?;
    let peer = peer.as_mut();
    match session(&mut ox, peer, false, 1024) {
        Ok(()) => Err("session without the required client certificate succeeded".into()),
        Err(e) => {
            if ox.conn.error().is_none() {
                return Err(format!("oxssl server did not fail: {e}"));
            }
            Ok(())
        }
    }
}

fn run_client_auth(peer_kind: PeerKind) {
    let mut failures = Vec::new();
    for kind in KeyKind::ALL {
        if let Err(e) = client_auth_to_ox_server(peer_kind, kind) {
            failures.push(format!(
                "{peer_kind:?} client with {kind:?} cert -> oxssl server: {e}"
            ));
        }
        if let Err(e) = client_auth_from_ox_client(peer_kind, kind) {
            failures.push(format!(
                "oxssl client with {kind:?} cert -> {peer_kind:?} server: {e}"
            ));
        }
    }
    if let Err(e) = client_auth_missing(peer_kind) {
        failures.push(format!(
            "{peer_kind:?} client without cert -> oxssl server: {e}"
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn client_auth_openssl() {
    run_client_auth(PeerKind::Openssl);
}

#[test]
fn client_auth_rustls() {
    run_client_auth(PeerKind::Rustls);
}
