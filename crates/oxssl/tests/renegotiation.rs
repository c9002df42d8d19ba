//! TLS 1.2 renegotiation through the SSL API (SSL_WRITE.md section 7): server-initiated
//! renegotiation carried transparently by the client's reads and writes, client-initiated
//! renegotiation refused by default and accepted with ALLOW_CLIENT_RENEGOTIATION.
mod common;

use common::sslpair::{client_ctx_builder, handshake, pair_with, read_now, server_ctx_builder};
use oxssl::reason::Reason;
use oxssl::ssl::{ErrorCode, SslContextBuilder, SslOptions, SslVersion};

fn tls12(mut b: SslContextBuilder) -> SslContextBuilder {
    b.set_max_proto_version(Some(SslVersion::TLS1_2)).unwrap();
    b
}

#[test]
fn server_initiated_renegotiation_is_transparent() {
    let (mut c, mut s, _, _) = pair_with(
        17408,
        tls12(client_ctx_builder()),
        tls12(server_ctx_builder()),
    );
    handshake(&mut c, &mut s);
    assert_eq!(c.version_str(), "TLSv1.2");
    // The server asks; its next write carries the HelloRequest and the data (case 9).
    s.renegotiate().unwrap();
    assert!(s.renegotiate_pending());
    assert_eq!(s.ssl_write(b"ping").unwrap(), 4);
    // The client's read sees the HelloRequest, starts the new handshake and still hands
    // over the data sent before the server saw the ClientHello.
    assert_eq!(read_now(&mut c), b"ping");
    assert!(c.renegotiate_pending());
    // The client's write completes the renegotiation before its data: WANT_READ while
    // the server answers, then the whole write.
    let mut written = None;
    for _ in 0..20 {
        match c.ssl_write(b"pong") {
            Ok(n) => {
                written = Some(n);
                break;
            }
            Err(e) if e.code() == ErrorCode::WANT_READ => assert!(read_now(&mut s).is_empty()),
            Err(e) => panic!("client write failed: {e}"),
        }
    }
    assert_eq!(written, Some(4));
    assert_eq!(read_now(&mut s), b"pong");
    assert!(!c.renegotiate_pending() && !s.renegotiate_pending());
    assert!(c.is_init_finished() && s.is_init_finished());
}

#[test]
fn client_initiated_renegotiation_refused_by_default() {
    let (mut c, mut s, _, _) = pair_with(
        17408,
        tls12(client_ctx_builder()),
        tls12(server_ctx_builder()),
    );
    handshake(&mut c, &mut s);
    c.renegotiate().unwrap();
    assert!(c.renegotiate_pending());
    // The client's write drives the renegotiation; the server refuses with a
    // no_renegotiation warning, which fails the client with NO_RENEGOTIATION (case 10).
    let mut failure = None;
    for _ in 0..20 {
        match c.ssl_write(b"data") {
            Ok(_) => panic!("renegotiation was not refused"),
            Err(e) if e.code() == ErrorCode::WANT_READ => {
                let _ = read_now(&mut s);
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let e = failure.expect("the client must fail");
    assert_eq!(e.code(), ErrorCode::SSL);
    assert_eq!(e.reason_code(), Some(Reason::NO_RENEGOTIATION));
}

#[test]
fn client_initiated_renegotiation_allowed_by_option() {
    let mut sb = tls12(server_ctx_builder());
    sb.set_options(SslOptions::ALLOW_CLIENT_RENEGOTIATION);
    let (mut c, mut s, _, _) = pair_with(17408, tls12(client_ctx_builder()), sb);
    handshake(&mut c, &mut s);
    for round in 0..3 {
        c.renegotiate().unwrap();
        let mut written = None;
        for _ in 0..20 {
            match c.ssl_write(b"after") {
                Ok(n) => {
                    written = Some(n);
                    break;
                }
                Err(e) if e.code() == ErrorCode::WANT_READ => {
                    assert!(read_now(&mut s).is_empty())
                }
                Err(e) => panic!("round {round}: {e}"),
            }
        }
        assert_eq!(written, Some(5));
        assert_eq!(read_now(&mut s), b"after");
        assert!(!c.renegotiate_pending());
    }
}

#[test]
fn renegotiate_on_tls13_and_with_no_renegotiation() {
    let (mut c, mut s, _, _) = pair_with(17408, client_ctx_builder(), server_ctx_builder());
    handshake(&mut c, &mut s);
    let e = c.renegotiate().unwrap_err();
    assert_eq!(e.reason_code(), Some(Reason::WRONG_SSL_VERSION));
    let mut cb = tls12(client_ctx_builder());
    cb.set_options(SslOptions::NO_RENEGOTIATION);
    let (mut c, mut s, _, _) = pair_with(17408, cb, tls12(server_ctx_builder()));
    handshake(&mut c, &mut s);
    let e = c.renegotiate().unwrap_err();
    assert_eq!(e.reason_code(), Some(Reason::NO_RENEGOTIATION));
    // A HelloRequest is answered with a no_renegotiation warning, which the server (as
    // OpenSSL does) treats as fatal.
    s.renegotiate().unwrap();
    assert_eq!(s.ssl_write(b"x").unwrap(), 1);
    assert_eq!(read_now(&mut c), b"x");
    let e = s.ssl_read(&mut [0u8; 8]).unwrap_err();
    assert_eq!(e.reason_code(), Some(Reason::NO_RENEGOTIATION));
}

#[test]
fn client_then_server_initiated_renegotiation() {
    let mut sb = tls12(server_ctx_builder());
    sb.set_options(SslOptions::ALLOW_CLIENT_RENEGOTIATION);
    let (mut c, mut s, _, _) = pair_with(17408, tls12(client_ctx_builder()), sb);
    handshake(&mut c, &mut s);
    // The client asks first.
    c.renegotiate().unwrap();
    let mut done = false;
    for _ in 0..20 {
        match c.ssl_write(b"one") {
            Ok(_) => {
                done = true;
                break;
            }
            Err(e) if e.code() == ErrorCode::WANT_READ => assert!(read_now(&mut s).is_empty()),
            Err(e) => panic!("{e}"),
        }
    }
    assert!(done);
    assert_eq!(read_now(&mut s), b"one");
    // Then the server.
    s.renegotiate().unwrap();
    assert_eq!(s.ssl_write(b"two").unwrap(), 3);
    assert_eq!(read_now(&mut c), b"two");
    assert!(c.renegotiate_pending());
    // The server reads the ClientHello and answers; the client finishes in its read.
    for _ in 0..10 {
        let _ = read_now(&mut s);
        let _ = read_now(&mut c);
    }
    assert!(
        !c.renegotiate_pending(),
        "client renegotiation did not finish"
    );
    assert!(
        !s.renegotiate_pending(),
        "server renegotiation did not finish"
    );
    assert_eq!(s.ssl_write(b"three").unwrap(), 5);
    assert_eq!(read_now(&mut c), b"three");
}
