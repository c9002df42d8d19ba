//! oxssl contenders: the OpenSSL-shaped `Ssl` API over its own memory BIOs (what a user
//! writes), the same over the bench's duplex (the transport the other libraries get), and
//! the sans-IO `Connection` underneath.

use super::common::{duplex, Contender, End, Group, Negotiated, Pki, Resume, Suite, HOST};
use oxssl::bio::{Bio, BioError, MemBio, RetryFlags};
use oxssl::handshake::client::ClientOptions;
use oxssl::ssl::{
    ErrorCode, Ssl, SslContext, SslContextBuilder, SslMethod, SslOptions, SslSession,
    SslSessionCacheMode, SslVerifyMode, SslVersion,
};
use oxssl::suites::CipherSuite;
use oxssl::{Config, Connection, Event};
use std::sync::Arc;

/// Client and server contexts: one version, one suite, one group, the server key the
/// suite needs; the client verifies the chain and the host name; tickets and the session
/// cache as `resume` says (one ticket per handshake, as the other contenders).
fn contexts(suite: Suite, group: Group, pki: &Pki, resume: Resume) -> (SslContext, SslContext) {
    let version = if suite.is_tls12() {
        SslVersion::TLS1_2
    } else {
        SslVersion::TLS1_3
    };
    let common = |b: &mut SslContextBuilder| {
        b.set_min_proto_version(Some(version)).expect("min version");
        b.set_max_proto_version(Some(version)).expect("max version");
        if suite.is_tls12() {
            // oxssl has no `set_cipher_list` on the context yet: the engine's list.
            let s = CipherSuite::from_name(suite.iana()).expect("TLS 1.2 suite");
            b.config_mut().tls12_cipher_suites = vec![s];
        } else {
            b.set_ciphersuites(suite.iana()).expect("suite");
        }
        b.set_groups_list(&group.list(suite)).expect("group");
        if resume != Resume::Tickets {
            b.set_options(SslOptions::NO_TICKET);
        }
        if resume != Resume::SessionIds {
            b.set_session_cache_mode(SslSessionCacheMode::OFF);
        }
        b.set_num_tickets(usize::from(resume == Resume::Tickets))
            .expect("tickets");
    };
    let mut c = SslContext::builder(SslMethod::tls_client()).expect("client ctx");
    common(&mut c);
    c.add_trusted_der(&pki.ca_der).expect("CA");
    c.set_verify(SslVerifyMode::PEER);
    let mut s = SslContext::builder(SslMethod::tls_server()).expect("server ctx");
    common(&mut s);
    let leaf = pki.leaf(suite.key());
    s.set_certificate_chain_der(vec![leaf.der.clone()])
        .expect("chain");
    s.set_private_key_der(&leaf.key_der).expect("key");
    s.check_private_key().expect("key matches");
    (c.build(), s.build())
}

/// The bench duplex as an oxssl BIO: an empty read asks for a retry (WANT_READ).
struct PipeBio {
    end: End,
    flags: RetryFlags,
}

impl Bio for PipeBio {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, BioError> {
        if buf.is_empty() {
            self.flags = RetryFlags::NONE;
            return Ok(0);
        }
        match self.end.read_some(buf) {
            0 => {
                self.flags = RetryFlags::READ;
                Err(BioError::Retry)
            }
            n => {
                self.flags = RetryFlags::NONE;
                Ok(n)
            }
        }
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize, BioError> {
        self.flags = RetryFlags::NONE;
        self.end.write_all_now(buf);
        Ok(buf.len())
    }

    fn retry_flags(&self) -> RetryFlags {
        self.flags
    }

    fn pending(&self) -> usize {
        self.end.pending()
    }
}

/// Which transport the `Ssl` pair uses.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Two `oxssl::bio::MemBio`s (client-to-server, server-to-client).
    MemBio,
    /// The bench duplex, the same transport OpenSSL and rustls get.
    Pipe,
}

/// oxssl through `Ssl::do_handshake` / `ssl_write` / `ssl_read`.
pub struct OxSsl {
    client: SslContext,
    server: SslContext,
    transport: Transport,
    resume: Resume,
}

impl OxSsl {
    pub fn new(
        suite: Suite,
        group: Group,
        pki: &Pki,
        transport: Transport,
        resume: Resume,
    ) -> Self {
        let (client, server) = contexts(suite, group, pki, resume);
        OxSsl {
            client,
            server,
            transport,
            resume,
        }
    }

    /// A connected pair, the client offering `session`.
    fn pair(&self, session: Option<&SslSession>) -> SslPair {
        let mut c = Ssl::new(&self.client).expect("Ssl::new");
        c.set_connect_state();
        c.set_hostname(HOST).expect("SNI");
        c.set_verify_hostname(HOST);
        if let Some(sess) = session {
            c.set_session(sess).expect("set_session");
        }
        let mut s = Ssl::new(&self.server).expect("Ssl::new");
        s.set_accept_state();
        let ends = match self.transport {
            Transport::MemBio => {
                let (c2s, s2c) = (MemBio::new(), MemBio::new());
                c.set_bios(s2c.clone(), c2s.clone());
                s.set_bios(c2s, s2c);
                None
            }
            Transport::Pipe => {
                let (a, b) = duplex();
                let bio = |end: &End| PipeBio {
                    end: end.clone(),
                    flags: RetryFlags::NONE,
                };
                c.set_bio(bio(&a));
                s.set_bio(bio(&b));
                Some((a, b))
            }
        };
        for _ in 0..20 {
            let rc = c.do_handshake();
            let rs = s.do_handshake();
            match (&rc, &rs) {
                (Ok(()), Ok(())) => return SslPair { c, s, ends },
                (Err(e), _) | (_, Err(e)) if !want(e) => panic!("oxssl handshake: {e}"),
                _ => {}
            }
        }
        panic!("oxssl handshake did not complete");
    }
}

/// The client reads what the server sent after the handshake (tickets).
fn read_tickets(c: &mut Ssl) {
    let mut buf = [0u8; 64];
    match c.ssl_read(&mut buf) {
        Err(e) if e.code() == ErrorCode::WANT_READ => {}
        other => panic!("oxssl: unexpected read result {other:?}"),
    }
}

pub struct SslPair {
    c: Ssl,
    s: Ssl,
    /// The duplex ends, kept to release their buffers (Pipe transport only).
    ends: Option<(End, End)>,
}

fn want(e: &oxssl::ssl::Error) -> bool {
    matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE)
}

impl Contender for OxSsl {
    type Pair = SslPair;

    fn connect(&self) -> SslPair {
        self.pair(None)
    }

    fn transfer(&self, p: &mut SslPair, chunk: &[u8], count: usize, sink: &mut dyn FnMut(&[u8])) {
        let mut buf = vec![0u8; 16 * 1024];
        for _ in 0..count {
            let n = p.c.ssl_write(chunk).expect("oxssl ssl_write");
            assert_eq!(n, chunk.len(), "ssl_write writes all without partial mode");
            loop {
                match p.s.ssl_read(&mut buf) {
                    Ok(n) => sink(&buf[..n]),
                    Err(e) if e.code() == ErrorCode::WANT_READ => break,
                    Err(e) => panic!("oxssl ssl_read: {e}"),
                }
            }
        }
    }

    fn release_transport(&self, p: &mut SslPair) {
        if let Some((a, b)) = &p.ends {
            a.release();
            b.release();
        }
    }

    fn negotiated(&self, p: &SslPair) -> Negotiated {
        let suite = p.c.current_cipher_name().and_then(CipherSuite::from_name);
        Negotiated {
            version: p.c.version_str().to_string(),
            suite: suite.map_or("none", |s| s.std_name()).to_string(),
            group: p.c.group_name().map(str::to_ascii_lowercase),
        }
    }

    fn resumption(&self) -> Resume {
        self.resume
    }

    type Session = SslSession;

    fn session(&self) -> SslSession {
        let mut p = self.pair(None);
        read_tickets(&mut p.c);
        p.c.session().expect("oxssl session")
    }

    fn resume(&self, session: &SslSession) -> SslPair {
        let mut p = self.pair(Some(session));
        assert!(
            p.c.session_reused() && p.s.session_reused(),
            "oxssl resumed"
        );
        read_tickets(&mut p.c);
        // Both ends closed, as every contender's resumed pair (OpenSSL needs it to keep
        // its sessions resumable).
        let _ = p.c.shutdown();
        let _ = p.s.shutdown();
        p
    }
}

/// oxssl's sans-IO engine: records move straight from one `Connection`'s output to the
/// other's input, with no BIO and no `Ssl` layer.
pub struct OxConn {
    client: Arc<Config>,
    server: Arc<Config>,
    resume: Resume,
}

impl OxConn {
    pub fn new(suite: Suite, group: Group, pki: &Pki, resume: Resume) -> Self {
        let (c, s) = contexts(suite, group, pki, resume);
        OxConn {
            client: c.config().clone(),
            server: s.config().clone(),
            resume,
        }
    }

    /// A connected pair, the client offering `session`; the client has read what the
    /// server sent after the handshake.
    fn pair(&self, session: Option<Arc<oxssl::session::Session>>) -> ConnPair {
        let mut c = Connection::client(
            self.client.clone(),
            ClientOptions {
                sni: Some(HOST.into()),
                verify_host: Some(HOST.into()),
                session,
                early_data: false,
            },
        );
        let mut s = Connection::server(self.server.clone());
        c.start().expect("client start");
        let mut nothing = |_: &[u8]| {};
        let mut buf = [0u8; 0];
        for _ in 0..20 {
            let a = pump(&mut c, &mut s, &mut buf, &mut nothing);
            let b = pump(&mut s, &mut c, &mut buf, &mut nothing);
            if !c.is_handshaking() && !s.is_handshaking() && !c.wants_write() && !s.wants_write() {
                return ConnPair { c, s };
            }
            assert!(a || b, "oxssl handshake stalled");
        }
        panic!("oxssl handshake did not complete");
    }
}

pub struct ConnPair {
    c: Connection,
    s: Connection,
}

/// Moves `from`'s output into `to` and processes it until `to` needs more data (handing
/// application data to `sink`). Returns true if anything moved.
fn pump(
    from: &mut Connection,
    to: &mut Connection,
    buf: &mut [u8],
    sink: &mut dyn FnMut(&[u8]),
) -> bool {
    let mut moved = false;
    loop {
        let out = from.pending_tls();
        if out.is_empty() {
            return moved;
        }
        let k = to.read_tls(out);
        from.consume_tls(k);
        moved |= k > 0;
        loop {
            match to.process_one().expect("oxssl process") {
                Event::NeedData => break,
                Event::ApplicationData => loop {
                    assert!(!buf.is_empty(), "application data during the handshake");
                    let n = to.read_app(buf);
                    if n == 0 {
                        break;
                    }
                    sink(&buf[..n]);
                },
                Event::Handshake | Event::Ignored => moved = true,
                Event::CloseNotify => panic!("unexpected close_notify"),
                Event::ClientHello => panic!("no ClientHello callbacks here"),
            }
        }
        if k == 0 {
            return moved;
        }
    }
}

impl Contender for OxConn {
    type Pair = ConnPair;

    fn connect(&self) -> ConnPair {
        self.pair(None)
    }

    fn transfer(&self, p: &mut ConnPair, chunk: &[u8], count: usize, sink: &mut dyn FnMut(&[u8])) {
        let mut buf = vec![0u8; 16 * 1024];
        for _ in 0..count {
            let mut rest = chunk;
            while !rest.is_empty() {
                let n = p.c.write_app_record(rest, 16 * 1024).expect("oxssl write");
                rest = &rest[n..];
            }
            pump(&mut p.c, &mut p.s, &mut buf, sink);
        }
    }

    fn release_transport(&self, p: &mut ConnPair) {
        p.c.release_buffers();
        p.s.release_buffers();
    }

    fn negotiated(&self, p: &ConnPair) -> Negotiated {
        let n = p.c.negotiated();
        Negotiated {
            version: n
                .version
                .map_or("unknown", |v| v.openssl_name())
                .to_string(),
            suite: n.suite.map_or("none", |s| s.std_name()).to_string(),
            group: n.group.map(|g| g.name().to_ascii_lowercase()),
        }
    }

    fn resumption(&self) -> Resume {
        self.resume
    }

    type Session = Arc<oxssl::session::Session>;

    fn session(&self) -> Self::Session {
        let p = self.pair(None);
        p.c.negotiated().session.clone().expect("oxssl session")
    }

    fn resume(&self, session: &Self::Session) -> ConnPair {
        let mut p = self.pair(Some(session.clone()));
        assert!(p.c.negotiated().resumed, "oxssl resumed");
        // Both ends closed, as every contender's resumed pair.
        p.c.send_close_notify().expect("close_notify");
        p.s.send_close_notify().expect("close_notify");
        p
    }
}
