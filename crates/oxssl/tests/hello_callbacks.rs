//! The server's ClientHello callbacks against real clients (OpenSSL 3.6 and rustls), and
//! the same callbacks on an OpenSSL server as the reference: a servername callback that
//! switches to another context's certificate, acknowledges or not, or refuses with an
//! alert; an ALPN select callback that picks, declines or refuses; both across a
//! HelloRetryRequest.

mod common;

use common::certs::{issue, KeyKind, LeafSpec, Pki};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::thread;

/// A leaf for `name` from the shared test CA.
fn pki_for(name: &str) -> Pki {
    let mut spec = LeafSpec::server(KeyKind::EcdsaP256);
    spec.names = vec![name.to_string()];
    issue(&spec)
}

/// How the servername callback answers a client asking for "other.test" (any other name
/// gets the default certificate and Ok).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sni {
    Switch,
    NoAck,
    Warning,
    Fatal,
    FatalAccessDenied,
}

/// How the ALPN callback answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Alpn {
    /// No callback.
    None,
    /// `select_next_proto` with the server's list h2, http/1.1.
    Select,
    NoAck,
    Fatal,
}

const SERVER_PROTOS: &[u8] = b"\x02h2\x08http/1.1";

/// What a client saw: handshake Ok (ALPN protocol) or the error text, and what the
/// server's callback saw (server name, callback calls).
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    client: Result<Option<Vec<u8>>, String>,
    server_ok: bool,
    seen: Vec<String>,
}

struct Setup {
    tls12: bool,
    sni: Sni,
    alpn: Alpn,
    /// The client's groups (OpenSSL list syntax); it sends a key share for the first.
    client_groups: &'static str,
}

/// A server with the callbacks `setup` asks for, the same source for both libraries:
/// `$lib` is `oxssl` or `openssl`, whose `ssl`, `x509` and `pkey` modules have the same
/// names.
macro_rules! server {
    ($name:ident, $lib:ident) => {
        fn $name(setup: &Setup, seen: Arc<Mutex<Vec<String>>>, sock: UnixStream) -> bool {
            use $lib::ssl::{
                select_next_proto, AlpnError, NameType, SniError, Ssl, SslAlert, SslContext,
                SslContextBuilder, SslMethod, SslVersion,
            };
            let context = |pki: &Pki| -> SslContextBuilder {
                let mut b = SslContext::builder(SslMethod::tls_server()).unwrap();
                b.set_certificate(&$lib::x509::X509::from_der(&pki.leaf_der).unwrap())
                    .unwrap();
                b.set_private_key(&$lib::pkey::PKey::private_key_from_der(&pki.key_der).unwrap())
                    .unwrap();
                if setup.tls12 {
                    b.set_max_proto_version(Some(SslVersion::TLS1_2)).unwrap();
                }
                b
            };
            let other = context(&pki_for("other.test")).build();
            let mut b = context(&pki_for("default.test"));
            b.set_groups_list("P-256").unwrap();
            let sni = setup.sni;
            let log = seen.clone();
            b.set_servername_callback(move |ssl, alert| {
                let name = ssl.servername(NameType::HOST_NAME).map(str::to_string);
                log.lock().unwrap().push(format!("sni {name:?}"));
                if name.as_deref() != Some("other.test") {
                    return Ok(());
                }
                match sni {
                    Sni::Switch => ssl
                        .set_ssl_context(&other)
                        .map_err(|_| SniError::ALERT_FATAL),
                    Sni::NoAck => Err(SniError::NOACK),
                    Sni::Warning => Err(SniError::ALERT_WARNING),
                    Sni::Fatal => Err(SniError::ALERT_FATAL),
                    Sni::FatalAccessDenied => {
                        *alert = SslAlert::ACCESS_DENIED;
                        Err(SniError::ALERT_FATAL)
                    }
                }
            });
            let alpn = setup.alpn;
            let log = seen;
            if alpn != Alpn::None {
                b.set_alpn_select_callback(move |_, client| {
                    log.lock().unwrap().push(format!("alpn {client:?}"));
                    match alpn {
                        Alpn::Select => {
                            select_next_proto(SERVER_PROTOS, client).ok_or(AlpnError::NOACK)
                        }
                        Alpn::NoAck | Alpn::None => Err(AlpnError::NOACK),
                        Alpn::Fatal => Err(AlpnError::ALERT_FATAL),
                    }
                });
            }
            let ctx = b.build();
            Ssl::new(&ctx).unwrap().accept(sock).is_ok()
        }
    };
}

server!(oxssl_server, oxssl);
server!(openssl_server, openssl);

/// An OpenSSL client asking for `name`, verifying the certificate is for `name`, offering
/// h2 and http/1.1.
fn openssl_client(
    setup: &Setup,
    name: &str,
    ca: &[u8],
    sock: UnixStream,
) -> Result<Option<Vec<u8>>, String> {
    use openssl::ssl::{Ssl, SslContext, SslMethod, SslVerifyMode};
    let mut b = SslContext::builder(SslMethod::tls_client()).unwrap();
    b.cert_store_mut()
        .add_cert(openssl::x509::X509::from_der(ca).unwrap())
        .unwrap();
    b.set_verify(SslVerifyMode::PEER);
    b.set_alpn_protos(b"\x08http/1.1\x02h2").unwrap();
    b.set_groups_list(setup.client_groups).unwrap();
    let ctx = b.build();
    let mut ssl = Ssl::new(&ctx).unwrap();
    ssl.set_hostname(name).unwrap();
    ssl.param_mut().set_host(name).unwrap();
    match ssl.connect(sock) {
        Ok(s) => Ok(s.ssl().selected_alpn_protocol().map(<[u8]>::to_vec)),
        Err(e) => Err(reason_of(&e.to_string())),
    }
}

/// The OpenSSL reason text in an error message ("... :tlsv1 unrecognized name:...").
fn reason_of(text: &str) -> String {
    [
        "unrecognized name",
        "access denied",
        "no application protocol",
        "certificate verify failed",
    ]
    .iter()
    .find(|r| text.contains(*r))
    .map_or_else(|| text.to_string(), |r| r.to_string())
}

/// A rustls client asking for `name` (verifying it), offering h2 and http/1.1.
fn rustls_client(
    setup: &Setup,
    name: &str,
    ca: &[u8],
    sock: UnixStream,
) -> Result<Option<Vec<u8>>, String> {
    use rustls::pki_types::{CertificateDer, ServerName};
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(ca.to_vec())).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = if setup.tls12 {
        &[&rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13]
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec(), b"h2".to_vec()];
    let server_name = ServerName::try_from(name.to_string()).unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(config), server_name).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, sock);
    match tls.conn.complete_io(&mut tls.sock) {
        Ok(_) if !tls.conn.is_handshaking() => Ok(tls.conn.alpn_protocol().map(<[u8]>::to_vec)),
        Ok(_) => Err("handshake did not finish".into()),
        Err(e) => Err(e.to_string()),
    }
}

type Server = fn(&Setup, Arc<Mutex<Vec<String>>>, UnixStream) -> bool;
type Client = fn(&Setup, &str, &[u8], UnixStream) -> Result<Option<Vec<u8>>, String>;

fn run(setup: Setup, server: Server, client: Client, name: &'static str) -> Outcome {
    let ca = pki_for("x").ca_der;
    let (a, b) = UnixStream::pair().unwrap();
    // The client's end stays open until the server is done (a client that closes at once
    // would race the server's last writes, its session tickets).
    let keep = a.try_clone().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let setup = Arc::new(setup);
    let s2 = setup.clone();
    let t = thread::spawn(move || server(&s2, log, b));
    let client = client(&setup, name, &ca, a);
    let server_ok = t.join().unwrap();
    drop(keep);
    let seen = seen.lock().unwrap().clone();
    Outcome {
        client,
        server_ok,
        seen,
    }
}

fn setup(tls12: bool, sni: Sni, alpn: Alpn) -> Setup {
    Setup {
        tls12,
        sni,
        alpn,
        client_groups: "P-256",
    }
}

#[test]
fn servername_callback_switches_and_refuses_like_openssl() {
    for tls12 in [false, true] {
        for sni in [
            Sni::Switch,
            Sni::NoAck,
            Sni::Warning,
            Sni::Fatal,
            Sni::FatalAccessDenied,
        ] {
            for name in ["default.test", "other.test"] {
                let ours = run(
                    setup(tls12, sni, Alpn::None),
                    oxssl_server,
                    openssl_client,
                    name,
                );
                let theirs = run(
                    setup(tls12, sni, Alpn::None),
                    openssl_server,
                    openssl_client,
                    name,
                );
                assert_eq!(ours, theirs, "tls12 {tls12} {sni:?} {name}");
                // Only a switch serves other.test's certificate, so only it verifies.
                let verified = name == "default.test" || sni == Sni::Switch;
                assert_eq!(ours.client.is_ok(), verified, "{ours:?}");
            }
        }
    }
    // The refusal's alert as the client reports it.
    let refused = run(
        setup(false, Sni::Fatal, Alpn::None),
        oxssl_server,
        openssl_client,
        "other.test",
    );
    assert_eq!(refused.client, Err("unrecognized name".into()));
    let denied = run(
        setup(true, Sni::FatalAccessDenied, Alpn::None),
        oxssl_server,
        openssl_client,
        "other.test",
    );
    assert_eq!(denied.client, Err("access denied".into()));
}

#[test]
fn servername_switch_serves_rustls_clients() {
    for tls12 in [false, true] {
        for name in ["default.test", "other.test"] {
            let out = run(
                setup(tls12, Sni::Switch, Alpn::None),
                oxssl_server,
                rustls_client,
                name,
            );
            assert_eq!(out.client, Ok(None), "tls12 {tls12} {name}");
            assert_eq!(out.seen, vec![format!("sni Some({name:?})")]);
        }
    }
}

#[test]
fn alpn_callback_of_the_switched_context_is_the_one_that_runs() {
    // "other.test" switches to a context without an ALPN callback: as in OpenSSL, the
    // switched-to context's callbacks are the ones that run from then on.
    for tls12 in [false, true] {
        let ours = run(
            setup(tls12, Sni::Switch, Alpn::Select),
            oxssl_server,
            openssl_client,
            "other.test",
        );
        let theirs = run(
            setup(tls12, Sni::Switch, Alpn::Select),
            openssl_server,
            openssl_client,
            "other.test",
        );
        assert_eq!(ours, theirs);
        assert_eq!(ours.client, Ok(None));
        assert_eq!(ours.seen, vec!["sni Some(\"other.test\")".to_string()]);
    }
}

#[test]
fn alpn_select_callback_like_openssl() {
    for tls12 in [false, true] {
        for alpn in [Alpn::None, Alpn::Select, Alpn::NoAck, Alpn::Fatal] {
            let ours = run(
                setup(tls12, Sni::Switch, alpn),
                oxssl_server,
                openssl_client,
                "default.test",
            );
            let theirs = run(
                setup(tls12, Sni::Switch, alpn),
                openssl_server,
                openssl_client,
                "default.test",
            );
            assert_eq!(ours, theirs, "tls12 {tls12} {alpn:?}");
            let expected = match alpn {
                Alpn::Select => Ok(Some(b"h2".to_vec())),
                Alpn::Fatal => Err("no application protocol".to_string()),
                Alpn::None | Alpn::NoAck => Ok(None),
            };
            assert_eq!(ours.client, expected, "tls12 {tls12} {alpn:?}");
            let rustls = run(
                setup(tls12, Sni::Switch, alpn),
                oxssl_server,
                rustls_client,
                "default.test",
            );
            assert_eq!(rustls.client.is_ok(), alpn != Alpn::Fatal, "{rustls:?}");
            if alpn == Alpn::Select {
                assert_eq!(rustls.client, Ok(Some(b"h2".to_vec())));
            }
        }
    }
}

#[test]
fn callbacks_run_once_across_a_hello_retry() {
    // The client's first share is X25519, the servers only take P-256: HelloRetryRequest.
    let hrr = |alpn| Setup {
        tls12: false,
        sni: Sni::Switch,
        alpn,
        client_groups: "X25519:P-256",
    };
    let ours = run(
        hrr(Alpn::Select),
        oxssl_server,
        openssl_client,
        "default.test",
    );
    let theirs = run(
        hrr(Alpn::Select),
        openssl_server,
        openssl_client,
        "default.test",
    );
    assert_eq!(ours.client, Ok(Some(b"h2".to_vec())), "{ours:?} {theirs:?}");
    assert_eq!(ours.seen.len(), 2, "{:?}", ours.seen);
    // OpenSSL runs its callbacks for the second ClientHello too; oxssl asks once and keeps
    // the answers (RFC 8446 4.1.2: the second ClientHello repeats the first's).
    assert_eq!(theirs.client, ours.client);
    assert!(theirs.seen.len() >= ours.seen.len(), "{:?}", theirs.seen);
}
