//! `Ssl` pairs over BIO pairs, memory BIOs or sockets, for the SSL API tests.

use super::certs::{server_pki, KeyKind};
use oxssl::bio::{BioPair, PairBio};
use oxssl::ssl::{ErrorCode, Ssl, SslContext, SslContextBuilder, SslMethod, SslVerifyMode};

pub fn client_ctx_builder() -> SslContextBuilder {
    let pki = server_pki(KeyKind::EcdsaP256);
    let mut b = SslContext::builder(SslMethod::tls()).unwrap();
    b.add_trusted_der(&pki.ca_der).unwrap();
    b.set_verify(SslVerifyMode::PEER);
    b
}

pub fn server_ctx_builder() -> SslContextBuilder {
    let pki = server_pki(KeyKind::EcdsaP256);
    let mut b = SslContext::builder(SslMethod::tls()).unwrap();
    b.set_certificate_chain_der(vec![pki.leaf_der.clone()])
        .unwrap();
    b.set_private_key_der(&pki.key_der).unwrap();
    b.check_private_key().unwrap();
    b
}

/// A client and a server `Ssl` over a BIO pair of `size` bytes per direction; returns the
/// pair halves too (client's, server's) so tests can look at the buffers.
pub fn pair_with(
    size: usize,
    client: SslContextBuilder,
    server: SslContextBuilder,
) -> (Ssl, Ssl, PairBio, PairBio) {
    let (a, b) = BioPair::new(size, size);
    let mut c = Ssl::new(&client.build()).unwrap();
    c.set_connect_state();
    c.set_verify_hostname("localhost");
    c.set_hostname("localhost").unwrap();
    c.set_bio(a.clone());
    let mut s = Ssl::new(&server.build()).unwrap();
    s.set_accept_state();
    s.set_bio(b.clone());
    (c, s, a, b)
}

pub fn pair(size: usize) -> (Ssl, Ssl, PairBio, PairBio) {
    pair_with(size, client_ctx_builder(), server_ctx_builder())
}

/// Drives both handshakes to completion.
pub fn handshake(c: &mut Ssl, s: &mut Ssl) {
    for _ in 0..20 {
        let rc = c.do_handshake();
        let rs = s.do_handshake();
        if rc.is_ok() && rs.is_ok() {
            return;
        }
        for r in [&rc, &rs] {
            if let Err(e) = r {
                assert!(
                    matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE),
                    "handshake failed: {e}"
                );
            }
        }
    }
    panic!("handshake did not complete");
}

/// Reads everything `s` can read now.
pub fn read_now(s: &mut Ssl) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 65536];
    loop {
        match s.ssl_read(&mut buf) {
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.code() == ErrorCode::WANT_READ => return out,
            Err(e) => panic!("read failed: {e}"),
        }
    }
}

/// A client and server over two memory BIOs used as one-way pipes (client to server,
/// server to client), so tests can inspect and alter the raw bytes.
pub fn mem_pair(
    client: SslContextBuilder,
    server: SslContextBuilder,
) -> (Ssl, Ssl, oxssl::bio::MemBio, oxssl::bio::MemBio) {
    use oxssl::bio::MemBio;
    let (c2s, s2c) = (MemBio::new(), MemBio::new());
    let mut c = Ssl::new(&client.build()).unwrap();
    c.set_connect_state();
    c.set_verify_hostname("localhost");
    c.set_bios(s2c.clone(), c2s.clone());
    let mut s = Ssl::new(&server.build()).unwrap();
    s.set_accept_state();
    s.set_bios(c2s.clone(), s2c.clone());
    (c, s, c2s, s2c)
}
