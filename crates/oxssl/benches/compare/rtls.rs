//! rustls (aws-lc-rs provider): `ClientConnection` / `ServerConnection` with
//! `read_tls` / `process_new_packets` / `write_tls` over the bench duplex.

use super::common::{duplex, Contender, End, Group, Negotiated, Pki, Resume, Suite, HOST};
use rustls::client::Resumption;
use rustls::crypto::aws_lc_rs as provider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::server::NoServerSessionStorage;
use rustls::{
    ClientConfig, ClientConnection, Connection, RootCertStore, ServerConfig, ServerConnection,
};
use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;

pub struct Rtls {
    client: Arc<ClientConfig>,
    server: Arc<ServerConfig>,
    resume: Resume,
}

impl Rtls {
    pub fn new(suite: Suite, group: Group, pki: &Pki, resume: Resume) -> Self {
        let mut p = provider::default_provider();
        p.cipher_suites = vec![match suite {
            Suite::Aes128Gcm => provider::cipher_suite::TLS13_AES_128_GCM_SHA256,
            Suite::Aes256Gcm => provider::cipher_suite::TLS13_AES_256_GCM_SHA384,
            Suite::Chacha20 => provider::cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
            Suite::Tls12EcdsaAes128Gcm => {
                provider::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
            }
            Suite::Tls12RsaAes128Gcm => {
                provider::cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
            }
        }];
        p.kx_groups = vec![match group {
            Group::X25519 => provider::kx_group::X25519,
            Group::X25519MlKem768 => provider::kx_group::X25519MLKEM768,
        }];
        if suite.is_tls12() {
            // The same list as the others (see `Group::list`).
            p.kx_groups.push(provider::kx_group::SECP256R1);
        }
        let p = Arc::new(p);
        let versions: &[&rustls::SupportedProtocolVersion] = if suite.is_tls12() {
            &[&rustls::version::TLS12]
        } else {
            &[&rustls::version::TLS13]
        };
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from(pki.ca_der.clone()))
            .expect("root");
        let mut client = ClientConfig::builder_with_provider(p.clone())
            .with_protocol_versions(versions)
            .expect("client versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let leaf = pki.leaf(suite.key());
        let mut server = ServerConfig::builder_with_provider(p)
            .with_protocol_versions(versions)
            .expect("server versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(leaf.der.clone())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf.key_der.clone())),
            )
            .expect("server cert");
        // Tickets (stateless, one per handshake) and the session cache only where the
        // row resumes with them, as every contender.
        server.send_tls13_tickets = usize::from(resume == Resume::Tickets);
        match resume {
            Resume::Off => {
                server.session_storage = Arc::new(NoServerSessionStorage {});
                client.resumption = Resumption::disabled();
            }
            Resume::Tickets => {
                server.session_storage = Arc::new(NoServerSessionStorage {});
                server.ticketer = provider::Ticketer::new().expect("ticketer");
            }
            Resume::SessionIds => {}
        }
        Rtls {
            client: Arc::new(client),
            server: Arc::new(server),
            resume,
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
                // The client takes what the server sent after the handshake (tickets).
                flush(&mut p.s, &mut p.se);
                feed(&mut p.c, &mut p.ce, &mut [], &mut nothing);
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

    fn negotiated(&self, p: &RtlsPair) -> Negotiated {
        let version = match p.c.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2",
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3",
            _ => "unknown",
        };
        // rustls spells TLS 1.3 suites "TLS13_AES_128_GCM_SHA256".
        let suite =
            p.c.negotiated_cipher_suite()
                .and_then(|s| s.suite().as_str())
                .map_or("none".to_string(), |n| n.replacen("TLS13_", "TLS_", 1));
        let group =
            p.c.negotiated_key_exchange_group()
                .map(|g| format!("{:?}", g.name()).to_ascii_lowercase());
        Negotiated {
            version: version.to_string(),
            suite,
            group,
        }
    }

    fn resumption(&self) -> Resume {
        self.resume
    }

    /// rustls keeps the client's sessions in its configuration's store.
    type Session = ();

    fn session(&self) {
        drop(self.connect());
    }

    fn resume(&self, _: &()) -> RtlsPair {
        let mut p = self.connect();
        assert_eq!(
            p.c.handshake_kind(),
            Some(rustls::HandshakeKind::Resumed),
            "rustls resumed"
        );
        // Both ends closed, as every contender's resumed pair.
        p.c.send_close_notify();
        p.s.send_close_notify();
        flush(&mut p.c, &mut p.ce);
        flush(&mut p.s, &mut p.se);
        p
    }
}
