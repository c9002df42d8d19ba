//! Per-connection configuration: `Ssl::set_*` changes one connection only, never its
//! context or the other connections made from it. Each setting is checked by handshaking
//! two `Ssl`s from one `SslContext` (one changed, one not) against an OpenSSL or rustls
//! peer and looking at what was negotiated or sent.
mod common;

use common::certs::{server_pki, KeyKind};
use common::openssl_peer::{OpensslPeer, PeerOpts};
use common::pipe::{pipe, PipeEnd};
use common::rustls_peer::RustlsPeer;
use oxssl::reason::Reason;
use oxssl::ssl::{
    ErrorCode, Ssl, SslContext, SslContextBuilder, SslMethod, SslOptions, SslStream, SslVerifyMode,
};
use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::rc::Rc;
use std::sync::Arc;

/// A pipe end that keeps a copy of every byte written to it and read from it.
struct Tap {
    end: PipeEnd,
    sent: Rc<RefCell<Vec<u8>>>,
    received: Rc<RefCell<Vec<u8>>>,
}

impl Read for Tap {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.end.read(buf)?;
        self.received.borrow_mut().extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

impl Write for Tap {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.end.write(buf)?;
        self.sent.borrow_mut().extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

extern "C" {
    fn SSL_clear_options(s: *mut openssl_sys::SSL, op: u64) -> u64;
}

/// `SSL_clear_options` (the `openssl` crate has no per-`SSL` form).
fn ossl_clear_options(ssl: &openssl::ssl::SslRef, op: u64) {
    use foreign_types::ForeignTypeRef;
    // SAFETY: `ssl` is a live SSL for the duration of the call.
    unsafe { SSL_clear_options(ssl.as_ptr(), op) };
}

/// The other side of a handshake.
trait Peer {
    fn pump(&mut self) -> Result<(), String>;
    fn is_connected(&self) -> bool;
}

impl Peer for OpensslPeer {
    fn pump(&mut self) -> Result<(), String> {
        OpensslPeer::pump(self)
    }
    fn is_connected(&self) -> bool {
        OpensslPeer::is_connected(self)
    }
}

impl Peer for RustlsPeer {
    fn pump(&mut self) -> Result<(), String> {
        RustlsPeer::pump(self)
    }
    fn is_connected(&self) -> bool {
        RustlsPeer::is_connected(self)
    }
}

/// An OpenSSL server with its own context (for settings `PeerOpts` does not have).
struct OsslServer(openssl::ssl::SslStream<PipeEnd>, bool);

impl Peer for OsslServer {
    fn pump(&mut self) -> Result<(), String> {
        if !self.1 {
            match self.0.do_handshake() {
                Ok(()) => self.1 = true,
                Err(e) if e.code() == openssl::ssl::ErrorCode::WANT_READ => {}
                Err(e) => return Err(format!("openssl server: {e}")),
            }
        }
        Ok(())
    }
    fn is_connected(&self) -> bool {
        self.1
    }
}

/// An oxssl endpoint after a handshake attempt, with the bytes it sent and received.
struct Ours {
    stream: SslStream<Tap>,
    sent: Rc<RefCell<Vec<u8>>>,
    received: Rc<RefCell<Vec<u8>>>,
}

impl Ours {
    fn ssl(&self) -> &Ssl {
        self.stream.ssl()
    }

    fn sent(&self) -> Vec<u8> {
        self.sent.borrow().clone()
    }

    fn received(&self) -> Vec<u8> {
        self.received.borrow().clone()
    }
}

/// Wraps `ssl` around one end of a fresh pipe; the peer gets the other end.
fn ours(ssl: Ssl) -> (Ours, PipeEnd) {
    let (mine, theirs) = pipe();
    let sent = Rc::new(RefCell::new(Vec::new()));
    let received = Rc::new(RefCell::new(Vec::new()));
    let tap = Tap {
        end: mine,
        sent: sent.clone(),
        received: received.clone(),
    };
    let stream = SslStream::new(ssl, tap).unwrap();
    (
        Ours {
            stream,
            sent,
            received,
        },
        theirs,
    )
}

/// Why a handshake failed: our reason code (if we failed or saw the peer's alert) and the
/// peer's error (if it failed first).
#[derive(Debug)]
struct Failure {
    ours: Option<Reason>,
    peer: Option<String>,
}

/// Runs the handshake of `ours` against `peer`. When the peer fails, our side gets one
/// more step to read its alert.
fn run(ours: &mut Ours, peer: &mut dyn Peer) -> Result<(), Failure> {
    let mut done = false;
    let ours_failed = |e: oxssl::ssl::Error, peer: Option<String>| Failure {
        ours: e.reason_code(),
        peer,
    };
    for _ in 0..50 {
        if !done {
            match ours.stream.do_handshake() {
                Ok(()) => done = true,
                Err(e) if matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE) => {}
                Err(e) => return Err(ours_failed(e, None)),
            }
        }
        if let Err(p) = peer.pump() {
            return Err(match ours.stream.do_handshake() {
                Err(e) => ours_failed(e, Some(p)),
                Ok(()) => Failure {
                    ours: None,
                    peer: Some(p),
                },
            });
        }
        if done && peer.is_connected() {
            return Ok(());
        }
    }
    panic!("handshake did not finish");
}

fn client_ctx() -> SslContextBuilder {
    let pki = server_pki(KeyKind::EcdsaP256);
    let mut b = SslContext::builder(SslMethod::tls()).unwrap();
    b.add_trusted_der(&pki.ca_der).unwrap();
    b.set_verify(SslVerifyMode::PEER);
    b
}

fn server_ctx() -> SslContextBuilder {
    let pki = server_pki(KeyKind::EcdsaP256);
    let mut b = SslContext::builder(SslMethod::tls()).unwrap();
    b.set_certificate_chain_der(vec![pki.leaf_der.clone()])
        .unwrap();
    b.set_private_key_der(&pki.key_der).unwrap();
    b
}

fn client(ctx: &SslContext) -> Ssl {
    let mut ssl = Ssl::new(ctx).unwrap();
    ssl.set_connect_state();
    ssl.set_hostname("localhost").unwrap();
    ssl.set_verify_hostname("localhost");
    ssl
}

fn server(ctx: &SslContext) -> Ssl {
    let mut ssl = Ssl::new(ctx).unwrap();
    ssl.set_accept_state();
    ssl
}

/// Handshakes an oxssl client against an OpenSSL server.
fn vs_openssl_server(ssl: Ssl, opts: &PeerOpts) -> (Ours, OpensslPeer, Result<(), Failure>) {
    let (mut o, end) = ours(ssl);
    let mut peer = OpensslPeer::server(opts, end).unwrap();
    let r = run(&mut o, &mut peer);
    (o, peer, r)
}

/// Handshakes an oxssl server against an OpenSSL client.
fn vs_openssl_client(ssl: Ssl, opts: &PeerOpts) -> (Ours, OpensslPeer, Result<(), Failure>) {
    let (mut o, end) = ours(ssl);
    let mut peer = OpensslPeer::client(opts, end).unwrap();
    let r = run(&mut o, &mut peer);
    (o, peer, r)
}

/// Handshakes an oxssl client against a rustls server.
fn vs_rustls_server(ssl: Ssl, opts: &PeerOpts) -> (Ours, RustlsPeer, Result<(), Failure>) {
    let (mut o, end) = ours(ssl);
    let mut peer = RustlsPeer::server(opts, end).unwrap();
    let r = run(&mut o, &mut peer);
    (o, peer, r)
}

/// TLS records in raw bytes: (content type, length).
fn records(mut bytes: &[u8]) -> Vec<(u8, usize)> {
    let mut out = Vec::new();
    while bytes.len() >= 5 {
        let len = u16::from_be_bytes([bytes[3], bytes[4]]) as usize;
        out.push((bytes[0], len));
        bytes = &bytes[(5 + len).min(bytes.len())..];
    }
    out
}

fn count_ccs(bytes: &[u8]) -> usize {
    records(bytes).iter().filter(|(t, _)| *t == 20).count()
}

/// The legacy_session_id length of the ClientHello at the start of `bytes` (record header
/// 5, handshake header 4, version 2, random 32).
fn client_hello_session_id_len(bytes: &[u8]) -> usize {
    assert_eq!((bytes[0], bytes[5]), (22, 1), "a ClientHello record");
    bytes[43] as usize
}

/// The configuration is shared with the context until a setter changes it, then copied
/// once; the context and a sibling connection keep theirs.
#[test]
fn configuration_is_shared_until_a_connection_changes_it() {
    let ctx = server_ctx().build();
    let mut a = Ssl::new(&ctx).unwrap();
    let b = Ssl::new(&ctx).unwrap();
    assert!(Arc::ptr_eq(a.config(), ctx.config()));
    assert!(Arc::ptr_eq(b.config(), ctx.config()));

    // Options the engine does not act on, or that are already set, copy nothing.
    a.set_options(SslOptions::NO_COMPRESSION | SslOptions::CIPHER_SERVER_PREFERENCE);
    a.set_verify(SslVerifyMode::NONE);
    a.set_max_cert_list(ctx.config().max_cert_list);
    assert!(Arc::ptr_eq(a.config(), ctx.config()));
    // Refused values leave everything as it was.
    assert_eq!(
        a.set_ciphersuites("TLS_NOPE").unwrap_err().reason(),
        Some(Reason::NO_CIPHER_MATCH)
    );
    assert_eq!(
        a.set_groups_list("P-999").unwrap_err().reason(),
        Some(Reason::UNSUPPORTED_ELLIPTIC_CURVE)
    );
    assert_eq!(
        a.set_sigalgs_list("").unwrap_err().reason(),
        Some(Reason::BAD_VALUE)
    );
    assert_eq!(
        a.set_alpn_protos(b"\x05h2").unwrap_err().reason(),
        Some(Reason::BAD_VALUE)
    );
    assert!(Arc::ptr_eq(a.config(), ctx.config()));

    a.clear_options(SslOptions::CIPHER_SERVER_PREFERENCE | SslOptions::ENABLE_MIDDLEBOX_COMPAT);
    assert!(!Arc::ptr_eq(a.config(), ctx.config()));
    let copied = Arc::as_ptr(a.config());
    a.set_alpn_protos(b"\x02h2").unwrap();
    a.set_groups_list("P-256").unwrap();
    a.set_max_cert_list(200_000);
    assert_eq!(
        Arc::as_ptr(a.config()),
        copied,
        "copied once, then changed in place"
    );
    assert!(!a.config().server_preference && !a.config().middlebox_compat);
    assert_eq!(a.config().alpn_protocols, vec![b"h2".to_vec()]);
    assert_eq!(a.max_cert_list(), 200_000);

    // The context and the other connection did not move.
    for cfg in [ctx.config(), b.config()] {
        assert!(cfg.server_preference && cfg.middlebox_compat);
        assert!(cfg.alpn_protocols.is_empty());
        assert_eq!(cfg.groups.len(), 4);
        assert_eq!(cfg.max_cert_list, 100 * 1024);
    }
    assert!(Arc::ptr_eq(b.config(), ctx.config()));
    assert!(ctx.options().contains(SslOptions::CIPHER_SERVER_PREFERENCE));
    assert!(b.options().contains(SslOptions::CIPHER_SERVER_PREFERENCE));
    assert!(!a.options().contains(SslOptions::CIPHER_SERVER_PREFERENCE));

    // Setting an option back makes the engine setting agree again.
    a.set_options(SslOptions::CIPHER_SERVER_PREFERENCE);
    assert!(a.config().server_preference);
}

/// CIPHER_SERVER_PREFERENCE per connection: the server's order wins on one connection, the
/// client's on the other, and a later connection from the context still has the default.
#[test]
fn server_preference_per_connection() {
    let mut b = server_ctx();
    b.set_ciphersuites("TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256")
        .unwrap();
    let ctx = b.build();
    let pki = server_pki(KeyKind::EcdsaP256);
    let mut opts = PeerOpts::client(pki);
    opts.suites = vec![
        oxssl::suites::CipherSuite::Tls13Chacha20Poly1305Sha256,
        oxssl::suites::CipherSuite::Tls13Aes128GcmSha256,
    ];

    let pref_on = server(&ctx);
    let mut pref_off = server(&ctx);
    pref_off.clear_options(SslOptions::CIPHER_SERVER_PREFERENCE);

    let (on, peer_on, r) = vs_openssl_client(pref_on, &opts);
    r.unwrap();
    let (off, peer_off, r) = vs_openssl_client(pref_off, &opts);
    r.unwrap();
    assert_eq!(
        on.ssl().current_cipher_name(),
        Some("TLS_AES_128_GCM_SHA256")
    );
    assert_eq!(peer_on.suite().as_deref(), Some("TLS_AES_128_GCM_SHA256"));
    assert_eq!(
        off.ssl().current_cipher_name(),
        Some("TLS_CHACHA20_POLY1305_SHA256")
    );
    assert_eq!(
        peer_off.suite().as_deref(),
        Some("TLS_CHACHA20_POLY1305_SHA256")
    );

    let (later, _, r) = vs_openssl_client(server(&ctx), &opts);
    r.unwrap();
    assert_eq!(
        later.ssl().current_cipher_name(),
        Some("TLS_AES_128_GCM_SHA256")
    );
}

/// ENABLE_MIDDLEBOX_COMPAT per connection, client side: with it, our ClientHello carries
/// a 32-byte session id and we send a change_cipher_spec record; without it, neither.
/// (OpenSSL's server sends its own CCS either way: that follows its own option.)
#[test]
fn client_middlebox_compat_per_connection() {
    let ctx = client_ctx().build();
    let opts = PeerOpts::server(server_pki(KeyKind::EcdsaP256));
    let compat = client(&ctx);
    let mut plain = client(&ctx);
    plain.clear_options(SslOptions::ENABLE_MIDDLEBOX_COMPAT);

    let (compat, _, r) = vs_openssl_server(compat, &opts);
    r.unwrap();
    let (plain, _, r) = vs_openssl_server(plain, &opts);
    r.unwrap();

    assert_eq!(client_hello_session_id_len(&compat.sent()), 32);
    assert_eq!(count_ccs(&compat.sent()), 1);
    assert_eq!(client_hello_session_id_len(&plain.sent()), 0);
    assert_eq!(count_ccs(&plain.sent()), 0);
    assert_eq!(count_ccs(&compat.received()), 1);
    assert_eq!(count_ccs(&plain.received()), 1);
    assert!(ctx.options().contains(SslOptions::ENABLE_MIDDLEBOX_COMPAT));
}

/// ENABLE_MIDDLEBOX_COMPAT per connection, server side, against an OpenSSL client (which
/// uses the compatibility mode): only the connection that keeps it sends a CCS.
#[test]
fn server_middlebox_compat_per_connection() {
    let ctx = server_ctx().build();
    let opts = PeerOpts::client(server_pki(KeyKind::EcdsaP256));
    let mut plain = server(&ctx);
    plain.clear_options(SslOptions::ENABLE_MIDDLEBOX_COMPAT);

    let (compat, _, r) = vs_openssl_client(server(&ctx), &opts);
    r.unwrap();
    let (plain, _, r) = vs_openssl_client(plain, &opts);
    r.unwrap();
    assert_eq!(client_hello_session_id_len(&compat.received()), 32);
    assert_eq!(count_ccs(&compat.received()), 1);
    assert_eq!(count_ccs(&compat.sent()), 1);
    assert_eq!(count_ccs(&plain.received()), 1);
    assert_eq!(count_ccs(&plain.sent()), 0);
}

/// ALPN per connection against a rustls server that speaks h2 and http/1.1.
#[test]
fn alpn_per_connection() {
    let ctx = client_ctx().build();
    let mut opts = PeerOpts::server(server_pki(KeyKind::EcdsaP256));
    opts.alpn = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let mut with = client(&ctx);
    with.set_alpn_protos(b"\x08http/1.1").unwrap();
    let without = client(&ctx);

    let (with, peer_with, r) = vs_rustls_server(with, &opts);
    r.unwrap();
    let (without, peer_without, r) = vs_rustls_server(without, &opts);
    r.unwrap();
    assert_eq!(with.ssl().selected_alpn_protocol(), Some(&b"http/1.1"[..]));
    assert_eq!(peer_with.alpn().as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(without.ssl().selected_alpn_protocol(), None);
    assert_eq!(peer_without.alpn(), None);
}

/// Suites and groups per connection, against rustls (which follows the client's order).
#[test]
fn ciphersuites_and_groups_per_connection() {
    let ctx = client_ctx().build();
    let opts = PeerOpts::server(server_pki(KeyKind::EcdsaP256));
    let mut narrowed = client(&ctx);
    narrowed
        .set_ciphersuites("TLS_CHACHA20_POLY1305_SHA256")
        .unwrap();
    narrowed.set_groups_list("P-256").unwrap();
    let default = client(&ctx);

    let (narrowed, peer_n, r) = vs_rustls_server(narrowed, &opts);
    r.unwrap();
    let (default, peer_d, r) = vs_rustls_server(default, &opts);
    r.unwrap();
    assert_eq!(
        narrowed.ssl().current_cipher_name(),
        Some("TLS_CHACHA20_POLY1305_SHA256")
    );
    assert_eq!(narrowed.ssl().group_name(), Some("secp256r1"));
    assert_eq!(
        peer_n.suite(),
        Some(oxssl::suites::CipherSuite::Tls13Chacha20Poly1305Sha256)
    );
    assert_eq!(
        default.ssl().current_cipher_name(),
        Some("TLS_AES_256_GCM_SHA384")
    );
    assert_eq!(default.ssl().group_name(), Some("X25519MLKEM768"));
    assert_eq!(
        peer_d.group(),
        Some(oxssl::crypto::kx::KxGroup::X25519MlKem768)
    );
}

/// Signature algorithms per connection: offering only ecdsa_secp384r1_sha384 to an
/// OpenSSL server with a P-256 key leaves it nothing to sign with.
#[test]
fn sigalgs_per_connection() {
    let ctx = client_ctx().build();
    let opts = PeerOpts::server(server_pki(KeyKind::EcdsaP256));
    let mut narrowed = client(&ctx);
    narrowed.set_sigalgs_list("ecdsa_secp384r1_sha384").unwrap();

    let f = vs_openssl_server(narrowed, &opts).2.unwrap_err();
    assert!(
        f.peer.unwrap().contains("no suitable signature algorithm"),
        "OpenSSL's reason"
    );
    // Its handshake_failure alert (40) reaches us: reason 1040.
    assert_eq!(f.ours, Some(Reason(1040)));
    let (_, _, r) = vs_openssl_server(client(&ctx), &opts);
    r.unwrap();
}

/// SSL_set_verify per connection, client side: without the CA, verification fails the
/// handshake unless this connection turned it off.
#[test]
fn client_verify_mode_per_connection() {
    let mut b = SslContext::builder(SslMethod::tls()).unwrap();
    b.set_verify(SslVerifyMode::PEER);
    let ctx = b.build();
    let opts = PeerOpts::server(server_pki(KeyKind::EcdsaP256));
    let mut lax = client(&ctx);
    lax.set_verify(SslVerifyMode::NONE);
    assert_eq!(lax.verify_mode(), SslVerifyMode::NONE);
    let strict = client(&ctx);
    assert_eq!(strict.verify_mode(), SslVerifyMode::PEER);

    let (lax, _, r) = vs_openssl_server(lax, &opts);
    r.unwrap();
    // OpenSSL sends its chain up to the (untrusted) root:
    // X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, recorded but not fatal.
    assert_eq!(lax.ssl().verify_result().as_raw(), 19);
    let f = vs_openssl_server(strict, &opts).2.unwrap_err();
    assert_eq!(f.ours, Some(Reason::CERTIFICATE_VERIFY_FAILED));
}

/// SSL_set_verify per connection, server side: one connection requires a client
/// certificate, the other does not ask.
#[test]
fn server_verify_mode_per_connection() {
    let ctx = server_ctx().build();
    let opts = PeerOpts::client(server_pki(KeyKind::EcdsaP256));
    let mut demanding = server(&ctx);
    demanding.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);

    let f = vs_openssl_client(demanding, &opts).2.unwrap_err();
    assert_eq!(f.ours, Some(Reason::PEER_DID_NOT_RETURN_A_CERTIFICATE));
    let (_, _, r) = vs_openssl_client(server(&ctx), &opts);
    r.unwrap();
}

/// SSL_use_certificate / SSL_use_PrivateKey per connection: one connection presents a
/// P-384 certificate, its sibling the context's P-256 one; a context without any
/// certificate can serve a connection that has its own.
#[test]
fn certificate_and_key_per_connection() {
    let p256 = server_pki(KeyKind::EcdsaP256);
    let p384 = server_pki(KeyKind::EcdsaP384);
    let ctx = server_ctx().build();
    let opts = PeerOpts::client(p256);

    let mut own = server(&ctx);
    own.set_certificate_chain_der(vec![p384.leaf_der.clone()])
        .unwrap();
    // The new certificate with the context's key: a mismatch until the key follows.
    assert_eq!(
        own.check_private_key().unwrap_err().reason(),
        Some(Reason::PRIVATE_KEY_MISMATCH)
    );
    own.set_private_key_der(&p384.key_der).unwrap();
    own.check_private_key().unwrap();
    let sibling = server(&ctx);
    sibling.check_private_key().unwrap();

    let (_, peer, r) = vs_openssl_client(own, &opts);
    r.unwrap();
    assert_eq!(peer.peer_cert_der().as_deref(), Some(&p384.leaf_der[..]));
    let (_, peer, r) = vs_openssl_client(sibling, &opts);
    r.unwrap();
    assert_eq!(peer.peer_cert_der().as_deref(), Some(&p256.leaf_der[..]));

    // The same validation as the context builder's.
    let mut s = server(&ctx);
    assert_eq!(
        s.set_certificate_chain_der(Vec::new())
            .unwrap_err()
            .reason(),
        Some(Reason::NO_CERTIFICATE_ASSIGNED)
    );
    assert_eq!(
        s.set_private_key_der(b"not a key").unwrap_err().reason(),
        Some(Reason::BAD_VALUE)
    );
    assert!(Arc::ptr_eq(s.config(), ctx.config()));

    // A context with no certificate: only the connection given one can serve.
    let bare = SslContext::builder(SslMethod::tls()).unwrap().build();
    let mut given = server(&bare);
    given.set_private_key_der(&p384.key_der).unwrap();
    assert!(
        given.config().certified_key.is_none(),
        "key alone is not enough"
    );
    given
        .set_certificate_chain_der(vec![p384.leaf_der.clone()])
        .unwrap();
    assert!(bare.config().certified_key.is_none());
    let (_, peer, r) = vs_openssl_client(given, &opts);
    r.unwrap();
    assert_eq!(peer.peer_cert_der().as_deref(), Some(&p384.leaf_der[..]));
    let f = vs_openssl_client(server(&bare), &opts).2.unwrap_err();
    assert!(
        f.ours.is_some() && f.peer.is_none(),
        "no certificate to serve: {f:?}"
    );
}

/// SSL_set_max_cert_list per connection: an OpenSSL server sends an ~85 KB certificate
/// message (its leaf plus copies of the CA as extra chain certificates); a connection
/// that lowered its limit to 70000 refuses it, its sibling (100 KiB default) takes it.
#[test]
fn max_cert_list_per_connection() {
    let pki = server_pki(KeyKind::EcdsaP256);
    let ca = openssl::x509::X509::from_der(&pki.ca_der).unwrap();
    let copies = 85_000 / (pki.ca_der.len() + 5);
    let server_ctx = {
        use openssl::ssl::{SslContext as OCtx, SslMethod as OMethod};
        let mut b = OCtx::builder(OMethod::tls()).unwrap();
        b.set_certificate(&openssl::x509::X509::from_der(&pki.leaf_der).unwrap())
            .unwrap();
        b.set_private_key(&openssl::pkey::PKey::private_key_from_der(&pki.key_der).unwrap())
            .unwrap();
        for _ in 0..copies {
            b.add_extra_chain_cert(ca.clone()).unwrap();
        }
        b.build()
    };
    let handshake = |ssl: Ssl| {
        let (mut o, end) = ours(ssl);
        let mut s = openssl::ssl::Ssl::new(&server_ctx).unwrap();
        s.set_accept_state();
        let mut peer = OsslServer(openssl::ssl::SslStream::new(s, end).unwrap(), false);
        let r = run(&mut o, &mut peer);
        (o, r)
    };
    // Verification is off: the point is the size limit, not path building through a
    // hundred copies of the CA.
    let mut b = SslContext::builder(SslMethod::tls()).unwrap();
    b.set_verify(SslVerifyMode::NONE);
    let ctx = b.build();
    let mut small = client(&ctx);
    small.set_max_cert_list(70_000);

    let f = handshake(small).1.unwrap_err();
    assert_eq!(f.ours, Some(Reason::EXCESSIVE_MESSAGE_SIZE));
    let (big, r) = handshake(client(&ctx));
    r.unwrap();
    let got = big.ssl().peer_cert_chain_der();
    assert_eq!(got.len(), 1 + copies);
    assert!(got.iter().map(|c| c.len() + 5).sum::<usize>() > 70_000);
}

/// A setter called once the handshake has started (here: the server's engine exists and
/// waits for the ClientHello) changes the configuration for a later handshake only; the
/// running one keeps what it started with. (OpenSSL reads most settings when it uses
/// them, so there the change would still reach this handshake; asserted below.)
#[test]
fn setter_after_the_handshake_started_applies_to_later_handshakes_only() {
    let mut b = server_ctx();
    b.set_ciphersuites("TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256")
        .unwrap();
    let ctx = b.build();
    let mut opts = PeerOpts::client(server_pki(KeyKind::EcdsaP256));
    opts.suites = vec![
        oxssl::suites::CipherSuite::Tls13Chacha20Poly1305Sha256,
        oxssl::suites::CipherSuite::Tls13Aes128GcmSha256,
    ];
    let (mut o, end) = ours(server(&ctx));
    assert_eq!(
        o.stream.do_handshake().unwrap_err().code(),
        ErrorCode::WANT_READ
    );
    o.stream
        .ssl_mut()
        .clear_options(SslOptions::CIPHER_SERVER_PREFERENCE);
    assert!(!o.ssl().config().server_preference);
    let running = o.ssl().connection().unwrap().config();
    assert!(running.server_preference);
    let mut peer = OpensslPeer::client(&opts, end).unwrap();
    run(&mut o, &mut peer).unwrap();
    assert_eq!(
        o.ssl().current_cipher_name(),
        Some("TLS_AES_128_GCM_SHA256")
    );

    // OpenSSL: the same steps, and the option cleared after SSL_do_handshake already
    // ran still decides this handshake.
    use openssl::ssl::{SslContext as OCtx, SslMethod as OMethod, SslOptions as OOpts};
    let pki = server_pki(KeyKind::EcdsaP256);
    let mut sb = OCtx::builder(OMethod::tls()).unwrap();
    sb.set_certificate(&openssl::x509::X509::from_der(&pki.leaf_der).unwrap())
        .unwrap();
    sb.set_private_key(&openssl::pkey::PKey::private_key_from_der(&pki.key_der).unwrap())
        .unwrap();
    sb.set_ciphersuites("TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256")
        .unwrap();
    sb.set_options(OOpts::CIPHER_SERVER_PREFERENCE);
    let sctx = sb.build();
    let (theirs, end) = pipe();
    let mut s = openssl::ssl::Ssl::new(&sctx).unwrap();
    s.set_accept_state();
    let mut srv = OsslServer(openssl::ssl::SslStream::new(s, theirs).unwrap(), false);
    srv.pump().unwrap();
    ossl_clear_options(srv.0.ssl(), OOpts::CIPHER_SERVER_PREFERENCE.bits());
    let mut peer = OpensslPeer::client(&opts, end).unwrap();
    for _ in 0..10 {
        peer.pump().unwrap();
        srv.pump().unwrap();
    }
    assert!(srv.is_connected() && peer.is_connected());
    assert_eq!(
        peer.suite().as_deref(),
        Some("TLS_CHACHA20_POLY1305_SHA256")
    );
}

/// `SslConnector` and `SslAcceptor` set the `openssl` crate's modes, and Mozilla's
/// profiles their versions: intermediate takes a TLS 1.2 client, modern refuses it.
#[test]
fn connector_and_acceptor_match_the_openssl_crate() {
    use oxssl::bio::BioPair;
    use oxssl::ssl::{SslAcceptor, SslConnector, SslMode, SslVersion};
    let crate_modes = SslMode::AUTO_RETRY
        | SslMode::ACCEPT_MOVING_WRITE_BUFFER
        | SslMode::ENABLE_PARTIAL_WRITE
        | SslMode::RELEASE_BUFFERS;
    let pki = server_pki(KeyKind::EcdsaP256);
    let acceptor = |modern: bool| {
        let mut b = if modern {
            SslAcceptor::mozilla_modern_v5(SslMethod::tls()).unwrap()
        } else {
            SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap()
        };
        b.set_certificate_chain_der(vec![pki.leaf_der.clone()])
            .unwrap();
        b.set_private_key_der(&pki.key_der).unwrap();
        b.build()
    };
    let mut cb = SslConnector::builder(SslMethod::tls()).unwrap();
    cb.add_trusted_der(&pki.ca_der).unwrap();
    cb.set_max_proto_version(Some(SslVersion::TLS1_2)).unwrap();
    let connector = cb.build();
    assert_eq!(connector.context().mode(), crate_modes);
    for modern in [false, true] {
        let a = acceptor(modern);
        assert_eq!(a.context().mode(), crate_modes);
        let (x, y) = BioPair::new(17 * 1024, 17 * 1024);
        let mut c = connector
            .configure()
            .unwrap()
            .into_ssl("localhost")
            .unwrap();
        c.set_connect_state();
        c.set_bio(x);
        let mut s = Ssl::new(a.context()).unwrap();
        s.set_accept_state();
        s.set_bio(y);
        let mut result = None;
        for _ in 0..10 {
            let rc = c.do_handshake();
            let rs = s.do_handshake();
            if rc.is_ok() && rs.is_ok() {
                result = Some(Ok(c.version_str()));
                break;
            }
            if let Err(e) = &rs {
                if !matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE) {
                    result = Some(Err(e.reason_code()));
                    break;
                }
            }
        }
        if modern {
            assert_eq!(
                result,
                Some(Err(Some(Reason::UNSUPPORTED_PROTOCOL))),
                "modern refuses TLS 1.2"
            );
        } else {
            assert_eq!(result, Some(Ok("TLSv1.2")), "intermediate takes TLS 1.2");
        }
    }
}

/// `SslOptions` has the `openssl` crate's constants with OpenSSL 3's values, and its
/// idiom (`ALL | ... ` then `&= !...`) compiles and leaves a working context.
#[test]
fn options_have_openssl_values() {
    use openssl::ssl::SslOptions as O;
    use oxssl::ssl::SslOptions as X;
    let pairs = [
        (X::ALL, O::ALL),
        (X::NO_SSLV2, O::NO_SSLV2),
        (X::NO_SSLV3, O::NO_SSLV3),
        (X::NO_TLSV1, O::NO_TLSV1),
        (X::NO_TLSV1_1, O::NO_TLSV1_1),
        (X::NO_TLSV1_2, O::NO_TLSV1_2),
        (X::NO_TLSV1_3, O::NO_TLSV1_3),
        (X::NO_SSL_MASK, O::NO_SSL_MASK),
        (X::NO_DTLSV1, O::NO_DTLSV1),
        (X::NO_DTLSV1_2, O::NO_DTLSV1_2),
        (X::SINGLE_DH_USE, O::SINGLE_DH_USE),
        (X::SINGLE_ECDH_USE, O::SINGLE_ECDH_USE),
        (
            X::DONT_INSERT_EMPTY_FRAGMENTS,
            O::DONT_INSERT_EMPTY_FRAGMENTS,
        ),
        (X::NO_QUERY_MTU, O::NO_QUERY_MTU),
        (X::COOKIE_EXCHANGE, O::COOKIE_EXCHANGE),
        (X::NO_TICKET, O::NO_TICKET),
        (
            X::NO_SESSION_RESUMPTION_ON_RENEGOTIATION,
            O::NO_SESSION_RESUMPTION_ON_RENEGOTIATION,
        ),
        (X::NO_COMPRESSION, O::NO_COMPRESSION),
        (
            X::ALLOW_UNSAFE_LEGACY_RENEGOTIATION,
            O::ALLOW_UNSAFE_LEGACY_RENEGOTIATION,
        ),
        (X::ENABLE_MIDDLEBOX_COMPAT, O::ENABLE_MIDDLEBOX_COMPAT),
        (X::PRIORITIZE_CHACHA, O::PRIORITIZE_CHACHA),
        (X::CIPHER_SERVER_PREFERENCE, O::CIPHER_SERVER_PREFERENCE),
        (X::TLS_ROLLBACK_BUG, O::TLS_ROLLBACK_BUG),
        (X::NO_RENEGOTIATION, O::NO_RENEGOTIATION),
        (X::IGNORE_UNEXPECTED_EOF, O::IGNORE_UNEXPECTED_EOF),
    ];
    for (i, (x, o)) in pairs.iter().enumerate() {
        assert_eq!(x.bits(), o.bits(), "option {i}");
    }
    // Options the crate does not name, against OpenSSL 3's ssl.h.
    assert_eq!(X::LEGACY_SERVER_CONNECT.bits(), 1 << 2);
    assert_eq!(X::ALLOW_CLIENT_RENEGOTIATION.bits(), 1 << 8);
    assert_eq!(X::CISCO_ANYCONNECT.bits(), 1 << 15);
    assert_eq!(X::NO_ANTI_REPLAY.bits(), 1 << 24);
    let mut opts = X::ALL
        | X::NO_COMPRESSION
        | X::NO_SSLV2
        | X::NO_SSLV3
        | X::SINGLE_DH_USE
        | X::SINGLE_ECDH_USE;
    opts &= !X::DONT_INSERT_EMPTY_FRAGMENTS;
    assert!(!opts.contains(X::DONT_INSERT_EMPTY_FRAGMENTS));
    let mut b = SslContext::builder(SslMethod::tls()).unwrap();
    b.set_options(opts);
    let ctx = b.build();
    assert!(ctx.options().contains(X::NO_SSLV3 | X::TLSEXT_PADDING));
    assert_eq!(
        ctx.config().max_version,
        oxssl::config::ProtocolVersion::TLSV1_3
    );
}
