//! rustls (aws-lc-rs provider): `ClientConnection` / `ServerConnection` with
//! `read_tls` / `process_new_packets` / `write_tls` over the bench duplex.

use super::common::{duplex, Contender, End, Group, Pki, Suite, HOST};
use rustls::crypto::aws_lc_rs as provider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{
    ClientConfig, ClientConnection, Connection, RootCertStore, ServerConfig, ServerConnection,
};
use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;

pub struct Rtls {
    client: Arc<ClientConfig>,
    server: Arc<ServerConfig>,
}

impl Rtls {
    pub fn new(suite: Suite, group: Group, pki: &Pki) -> Self {
        let mut p = provider::default_provider();
        p.cipher_suites = vec![match suite {
            Suite::Aes128Gcm => provider::cipher_suite::TLS13_AES_128_GCM_SHA256,
            Suite::Aes256Gcm => provider::cipher_suite::TLS13_AES_256_GCM_SHA384,
            Suite::Chacha20 => provider::cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
        }];
        p.kx_groups = vec![match group {
            Group::X25519 => provider::kx_group::X25519,
            Group::X25519MlKem768 => provider::kx_group::X25519MLKEM768,
        }];
        let p = Arc::new(p);
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from(pki.ca_der.clone()))
            .expect("root");
        let client = ClientConfig::builder_with_provider(p.clone())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .expect("client versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut server = ServerConfig::builder_with_provider(p)
            .with_protocol_versions(&[&rustls::version::TLS13])
            .expect("server versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(pki.leaf_der.clone())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.key_der.clone())),
            )
            .expect("server cert");
        // oxssl does not issue tickets yet: neither side of the comparison should.
        server.send_tls13_tickets = 0;
        Rtls {
            client: Arc::new(client),
            server: Arc::new(server),
        }
    }
}

pub struct RtlsPair {
    c: Connection,
    s: Connection,
    ce: End,
    se: End,
}

/// Writes everything `conn` has queued to `end`.
fn flush(conn: &mut Connection, end: &mut End) {
    while conn.wants_write() {
        conn.write_tls(end).expect("rustls write_tls");
    }
}

/// Reads everything `end` holds into `conn`, processing it, and hands plaintext to `sink`.
fn feed(conn: &mut Connection, end: &mut End, buf: &mut [u8], sink: &mut dyn FnMut(&[u8])) {
    loop {
        match conn.read_tls(end) {
            Ok(0) => panic!("rustls: unexpected EOF"),
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => return,
            Err(e) => panic!("rustls read_tls: {e}"),
        }
        conn.process_new_packets().expect("rustls process");
        loop {
            match conn.reader().read(buf) {
                Ok(0) if !buf.is_empty() => panic!("rustls: unexpected close_notify"),
                Ok(0) => break,
                Ok(n) => sink(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => panic!("rustls read: {e}"),
            }
        }
    }
}

impl Contender for Rtls {
    type Pair = RtlsPair;

    fn connect(&self) -> RtlsPair {
        let (ce, se) = duplex();
        let name = ServerName::try_from(HOST).expect("name");
        let c = ClientConnection::new(self.client.clone(), name).expect("client");
        let s = ServerConnection::new(self.server.clone()).expect("server");
        let mut p = RtlsPair {
            c: c.into(),
            s: s.into(),
            ce,
            se,
        };
        let mut nothing = |_: &[u8]| {};
        for _ in 0..20 {
            flush(&mut p.c, &mut p.ce);
            feed(&mut p.s, &mut p.se, &mut [], &mut nothing);
            flush(&mut p.s, &mut p.se);
            feed(&mut p.c, &mut p.ce, &mut [], &mut nothing);
            if !p.c.is_handshaking() && !p.s.is_handshaking() && !p.c.wants_write() {
                return p;
            }
        }
        panic!("rustls handshake did not complete");
    }

    fn transfer(&self, p: &mut RtlsPair, chunk: &[u8], count: usize, sink: &mut dyn FnMut(&[u8])) {
        let mut buf = vec![0u8; 16 * 1024];
        for _ in 0..count {
            p.c.writer().write_all(chunk).expect("rustls write");
            flush(&mut p.c, &mut p.ce);
            feed(&mut p.s, &mut p.se, &mut buf, sink);
        }
    }

    fn release_transport(&self, p: &mut RtlsPair) {
        p.ce.release();
        p.se.release();
    }
}
