//! OpenSSL (the `openssl` crate, vendored OpenSSL 3.6): `SslStream` over the bench duplex,
//! driven with `do_handshake` / `ssl_write` / `ssl_read` like oxssl's `Ssl`.

use super::common::{duplex, Contender, End, Group, Negotiated, Pki, Resume, Suite, HOST};
use openssl::pkey::{Id, PKey};
use openssl::ssl::{
    ErrorCode, Ssl, SslContext, SslContextBuilder, SslMethod, SslMode, SslOptions, SslSession,
    SslSessionCacheMode, SslStream, SslVerifyMode, SslVersion,
};
use openssl::x509::X509;

pub struct Ossl {
    client: SslContext,
    server: SslContext,
    resume: Resume,
}

fn common(
    b: &mut SslContextBuilder,
    suite: Suite,
    group: Group,
    release_buffers: bool,
    resume: Resume,
) {
    let version = if suite.is_tls12() {
        SslVersion::TLS1_2
    } else {
        SslVersion::TLS1_3
    };
    b.set_min_proto_version(Some(version)).expect("min version");
    b.set_max_proto_version(Some(version)).expect("max version");
    if suite.is_tls12() {
        b.set_cipher_list(suite.openssl_name())
            .expect("cipher list");
    } else {
        b.set_ciphersuites(suite.iana()).expect("suite");
    }
    // Tickets and the session cache only where the row resumes with them (a TLS 1.2
    // server would otherwise cache every session and send a ticket).
    match resume {
        Resume::Off => {
            b.set_session_cache_mode(SslSessionCacheMode::OFF);
        }
        // OpenSSL resumes TLS 1.3 tickets only with its default cache mode.
        Resume::Tickets => {}
        Resume::SessionIds => {
            b.set_session_cache_mode(SslSessionCacheMode::BOTH);
        }
    }
    if resume != Resume::Tickets {
        b.set_options(SslOptions::NO_TICKET);
    }
    b.set_groups_list(&group.list(suite)).expect("group");
    if release_buffers {
        b.set_mode(SslMode::RELEASE_BUFFERS);
    }
}

impl Ossl {
    /// `release_buffers` sets `SSL_MODE_RELEASE_BUFFERS` (off in OpenSSL by default; oxssl
    /// has it on by default).
    pub fn new(
        suite: Suite,
        group: Group,
        pki: &Pki,
        release_buffers: bool,
        resume: Resume,
    ) -> Self {
        let mut c = SslContext::builder(SslMethod::tls_client()).expect("client ctx");
        common(&mut c, suite, group, release_buffers, resume);
        c.set_verify(SslVerifyMode::PEER);
        c.cert_store_mut()
            .add_cert(X509::from_der(&pki.ca_der).expect("CA"))
            .expect("add CA");
        let mut s = SslContext::builder(SslMethod::tls_server()).expect("server ctx");
        common(&mut s, suite, group, release_buffers, resume);
        s.set_session_id_context(b"bench").expect("sid ctx");
        let leaf = pki.leaf(suite.key());
        s.set_certificate(&X509::from_der(&leaf.der).expect("leaf"))
            .expect("cert");
        s.set_private_key(&PKey::private_key_from_der(&leaf.key_der).expect("key"))
            .expect("key");
        s.check_private_key().expect("key matches");
        // One ticket per handshake where the row uses them, as every contender.
        s.set_num_tickets(usize::from(resume == Resume::Tickets))
            .expect("tickets");
        Ossl {
            client: c.build(),
            server: s.build(),
            resume,
        }
    }

    /// A connected pair, the client offering `session`.
    fn pair(&self, session: Option<&SslSession>) -> OsslPair {
        let (a, b) = duplex();
        let mut cs = Ssl::new(&self.client).expect("SSL_new");
        cs.set_hostname(HOST).expect("SNI");
        cs.param_mut().set_host(HOST).expect("set1_host");
        cs.set_connect_state();
        if let Some(sess) = session {
            // SAFETY: the session comes from this contender's own client context.
            unsafe { cs.set_session(sess).expect("set_session") };
        }
        let mut c = SslStream::new(cs, a).expect("stream");
        let mut ss = Ssl::new(&self.server).expect("SSL_new");
        ss.set_accept_state();
        let mut s = SslStream::new(ss, b).expect("stream");
        for _ in 0..20 {
            let rc = c.do_handshake();
            let rs = s.do_handshake();
            match (&rc, &rs) {
                (Ok(()), Ok(())) => return OsslPair { c, s },
                (Err(e), _) | (_, Err(e)) if !want(e) => panic!("openssl handshake: {e}"),
                _ => {}
            }
        }
        panic!("openssl handshake did not complete");
    }
}

/// The client reads what the server sent after the handshake (tickets).
fn read_tickets(c: &mut SslStream<End>) {
    let mut buf = [0u8; 64];
    match c.ssl_read(&mut buf) {
        Err(e) if e.code() == ErrorCode::WANT_READ => {}
        Err(e) => panic!("openssl: unexpected read error {e}"),
        Ok(n) => panic!("openssl: unexpected {n} bytes"),
    }
}

pub struct OsslPair {
    c: SslStream<End>,
    s: SslStream<End>,
}

fn want(e: &openssl::ssl::Error) -> bool {
    matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE)
}

impl Contender for Ossl {
    type Pair = OsslPair;

    fn connect(&self) -> OsslPair {
        self.pair(None)
    }

    fn transfer(&self, p: &mut OsslPair, chunk: &[u8], count: usize, sink: &mut dyn FnMut(&[u8])) {
        let mut buf = vec![0u8; 16 * 1024];
        for _ in 0..count {
            let mut rest = chunk;
            while !rest.is_empty() {
                let n = p.c.ssl_write(rest).expect("openssl ssl_write");
                rest = &rest[n..];
            }
            loop {
                match p.s.ssl_read(&mut buf) {
                    Ok(n) => sink(&buf[..n]),
                    Err(e) if e.code() == ErrorCode::WANT_READ => break,
                    Err(e) => panic!("openssl ssl_read: {e}"),
                }
            }
        }
    }

    fn release_transport(&self, p: &mut OsslPair) {
        p.c.get_ref().release();
        p.s.get_ref().release();
    }

    fn negotiated(&self, p: &OsslPair) -> Negotiated {
        let ssl = p.c.ssl();
        let suite = ssl
            .current_cipher()
            .and_then(|c| c.standard_name())
            .unwrap_or("none");
        // The `openssl` crate does not wrap SSL_get0_group_name; the server's ephemeral
        // key tells X25519 from an EC curve (and nothing for the hybrid).
        let group = match ssl.peer_tmp_key().map(|k| k.id()) {
            Ok(Id::X25519) => Some("x25519".to_string()),
            Ok(Id::EC) => Some("an EC curve".to_string()),
            _ => None,
        };
        Negotiated {
            version: ssl.version_str().to_string(),
            suite: suite.to_string(),
            group,
        }
    }

    fn resumption(&self) -> Resume {
        self.resume
    }

    type Session = SslSession;

    fn session(&self) -> SslSession {
        let mut p = self.pair(None);
        read_tickets(&mut p.c);
        // OpenSSL marks the session of a connection freed without SSL_shutdown as not
        // resumable, so every resumption row closes both ends (all contenders do).
        let _ = p.c.shutdown();
        let _ = p.s.shutdown();
        p.c.ssl().session().expect("openssl session").to_owned()
    }

    fn resume(&self, session: &SslSession) -> OsslPair {
        let mut p = self.pair(Some(session));
        assert!(
            p.c.ssl().session_reused() && p.s.ssl().session_reused(),
            "openssl resumed"
        );
        read_tickets(&mut p.c);
        let _ = p.c.shutdown();
        let _ = p.s.shutdown();
        p
    }
}
