//! Certificates written to a directory once per process, and a loopback server thread.

use std::error::Error;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::thread::JoinHandle;

/// A program: what it printed.
pub type Program = fn() -> Result<String, Box<dyn Error>>;

/// Files of a small PKI: a CA, a server for "localhost" (also "default.test"), a server
/// for "other.test", a client certificate, an expired server certificate.
pub struct Files {
    pub dir: PathBuf,
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub other_cert: PathBuf,
    pub other_key: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
    pub ca_pem: String,
}

/// The same certificates for both builds of a program: they are made by a fixed seed-free
/// generator once per process, and each program prints only what does not depend on
/// the keys' random bits.
pub fn files() -> &'static Files {
    static FILES: OnceLock<Files> = OnceLock::new();
    FILES.get_or_init(|| make().expect("test PKI"))
}

fn make() -> Result<Files, Box<dyn Error>> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, SerialNumber,
    };
    // One directory per build of the programs (both builds run in one test process).
    let dir =
        std::env::temp_dir().join(format!("{}-{}", env!("CARGO_PKG_NAME"), std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.distinguished_name.push(DnType::CommonName, "Compat CA");
    ca.distinguished_name
        .push(DnType::OrganizationName, "oxssl compat");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca, ca_key);
    let leaf =
        |names: &[&str], client: bool, serial: u64| -> Result<(String, String), Box<dyn Error>> {
            let key = KeyPair::generate()?;
            let mut p =
                CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
            p.distinguished_name.push(DnType::CommonName, names[0]);
            p.distinguished_name
                .push(DnType::OrganizationName, "oxssl compat");
            p.serial_number = Some(SerialNumber::from(serial));
            p.not_before = rcgen::date_time_ymd(2025, 1, 1);
            p.not_after = rcgen::date_time_ymd(2035, 1, 1);
            p.extended_key_usages = vec![if client {
                ExtendedKeyUsagePurpose::ClientAuth
            } else {
                ExtendedKeyUsagePurpose::ServerAuth
            }];
            let cert = p.signed_by(&key, &issuer)?;
            Ok((cert.pem(), key.serialize_pem()))
        };
    let write = |name: &str, text: &str| -> Result<PathBuf, Box<dyn Error>> {
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        Ok(path)
    };
    let (server, server_key) = leaf(&["localhost", "default.test", "127.0.0.1"], false, 0x1001)?;
    let (other, other_key) = leaf(&["other.test"], false, 0x1002)?;
    let (client, client_key) = leaf(&["client.test"], true, 0x1003)?;
    let ca_pem = ca_cert.pem();
    Ok(Files {
        ca: write("ca.pem", &ca_pem)?,
        server_cert: write("server.pem", &server)?,
        server_key: write("server.key", &server_key)?,
        other_cert: write("other.pem", &other)?,
        other_key: write("other.key", &other_key)?,
        client_cert: write("client.pem", &client)?,
        client_key: write("client.key", &client_key)?,
        ca_pem,
        dir,
    })
}

/// Runs `serve` on one accepted loopback connection in a thread.
pub fn serve_once<F>(serve: F) -> Result<(SocketAddr, JoinHandle<String>), Box<dyn Error>>
where
    F: FnOnce(TcpStream) -> String + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let handle = std::thread::spawn(move || match listener.accept() {
        Ok((stream, _)) => serve(stream),
        Err(e) => format!("accept failed: {e}"),
    });
    Ok((addr, handle))
}

/// Runs `serve` on `n` accepted loopback connections, one after the other, in a thread.
pub fn serve_n<F>(n: usize, serve: F) -> Result<(SocketAddr, JoinHandle<String>), Box<dyn Error>>
where
    F: Fn(TcpStream) -> String + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let handle = std::thread::spawn(move || {
        let mut out = String::new();
        for _ in 0..n {
            match listener.accept() {
                Ok((stream, _)) => out.push_str(&serve(stream)),
                Err(e) => out.push_str(&format!("accept failed: {e}\n")),
            }
        }
        out
    });
    Ok((addr, handle))
}

/// The thread's output, or what went wrong.
pub fn join(handle: JoinHandle<String>) -> String {
    handle
        .join()
        .unwrap_or_else(|_| "server thread panicked\n".into())
}

/// Mozilla's intermediate profile with the test server's certificate and key (the first
/// programs spell this out; the others start from here).
pub fn intermediate_acceptor() -> Result<tls::ssl::SslAcceptorBuilder, Box<dyn Error>> {
    use tls::ssl::{SslAcceptor, SslFiletype, SslMethod};
    let f = files();
    let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls())?;
    acceptor.set_certificate_chain_file(&f.server_cert)?;
    acceptor.set_private_key_file(&f.server_key, SslFiletype::PEM)?;
    Ok(acceptor)
}

/// A connector trusting the test CA.
pub fn connector() -> Result<tls::ssl::SslConnectorBuilder, Box<dyn Error>> {
    use tls::ssl::{SslConnector, SslMethod};
    let mut connector = SslConnector::builder(SslMethod::tls())?;
    connector.set_ca_file(&files().ca)?;
    Ok(connector)
}
