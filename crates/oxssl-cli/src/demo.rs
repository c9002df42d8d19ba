//! `oxssl demo`: a TLS 1.3 server and client on loopback, both oxssl through the
//! `SslAcceptor` / `SslConnector` API, with a certificate made on the spot. Prints what was
//! negotiated and how fast data moved.

use oxssl::ssl::{SslAcceptor, SslConnector, SslMethod};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Instant;

const PAYLOAD: usize = 64 * 1024 * 1024;
/// The client writes this much, then reads the echo, so neither side's socket buffer fills.
const CHUNK: usize = 256 * 1024;

/// DER of the CA certificate, the server certificate and its PKCS#8 key.
struct DemoPki {
    ca: Vec<u8>,
    leaf: Vec<u8>,
    key: Vec<u8>,
}

fn pki() -> Result<DemoPki, String> {
    let err = |e: rcgen::Error| e.to_string();
    let ca_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(err)?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "oxssl demo CA");
    let ca = ca_params.self_signed(&ca_key).map_err(err)?;
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(err)?;
    let params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).map_err(err)?;
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf = params.signed_by(&key, &issuer).map_err(err)?;
    Ok(DemoPki {
        ca: ca.der().to_vec(),
        leaf: leaf.der().to_vec(),
        key: key.serialize_der(),
    })
}

/// Runs the demo; returns a message on failure.
pub fn run() -> Result<(), String> {
    let DemoPki { ca, leaf, key } = pki()?;
    let e = |e: oxssl::ssl::ErrorStack| e.to_string();
    let mut acceptor = SslAcceptor::mozilla_modern_v5(SslMethod::tls()).map_err(e)?;
    acceptor.set_certificate_chain_der(vec![leaf]).map_err(e)?;
    acceptor.set_private_key_der(&key).map_err(e)?;
    acceptor.check_private_key().map_err(e)?;
    acceptor.set_alpn_protos(b"\x0aoxssl-demo").map_err(e)?;
    let acceptor = acceptor.build();

    let mut connector = SslConnector::builder(SslMethod::tls()).map_err(e)?;
    connector.add_trusted_der(&ca).map_err(e)?;
    connector.set_alpn_protos(b"\x0aoxssl-demo").map_err(e)?;
    let connector = connector.build();

    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("server: listening on {addr}");
    let server = std::thread::spawn(move || -> Result<usize, String> {
        let (sock, _) = listener.accept().map_err(|e| e.to_string())?;
        sock.set_nodelay(true).map_err(|e| e.to_string())?;
        let mut tls = acceptor.accept(sock).map_err(|e| e.to_string())?;
        let mut buf = vec![0u8; 64 * 1024];
        let mut echoed = 0;
        loop {
            let n = tls.read(&mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            tls.write_all(&buf[..n]).map_err(|e| e.to_string())?;
            echoed += n;
        }
        tls.shutdown().map_err(|e| e.to_string())?;
        Ok(echoed)
    });

    let sock = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    sock.set_nodelay(true).map_err(|e| e.to_string())?;
    let t0 = Instant::now();
    let mut tls = connector
        .connect("localhost", sock)
        .map_err(|e| e.to_string())?;
    let hs_time = t0.elapsed();
    let ssl = tls.ssl();
    let n = ssl
        .connection()
        .map(|c| c.negotiated().clone())
        .unwrap_or_default();
    println!(
        "client: handshake done in {:.2} ms",
        hs_time.as_secs_f64() * 1e3
    );
    println!("  protocol   : {}", ssl.version_str());
    println!(
        "  cipher     : {}",
        ssl.current_cipher_name().unwrap_or("?")
    );
    println!("  group      : {}", ssl.group_name().unwrap_or("?"));
    println!(
        "  signature  : {}",
        n.peer_signature_scheme.map_or("?", |s| s.name())
    );
    println!(
        "  ALPN       : {}",
        ssl.selected_alpn_protocol()
            .map_or("(none)".into(), |a| String::from_utf8_lossy(a).into_owned())
    );
    println!("  verify     : {} (X509_V_OK = 0)", ssl.verify_result());

    let data: Vec<u8> = (0..PAYLOAD).map(|i| (i % 251) as u8).collect();
    let t1 = Instant::now();
    let mut received = vec![0u8; PAYLOAD];
    let mut got = 0;
    for chunk in data.chunks(CHUNK) {
        tls.write_all(chunk).map_err(|e| e.to_string())?;
        let want = got + chunk.len();
        while got < want {
            let k = tls
                .read(&mut received[got..want])
                .map_err(|e| e.to_string())?;
            if k == 0 {
                return Err("server closed early".into());
            }
            got += k;
        }
    }
    let secs = t1.elapsed().as_secs_f64();
    tls.shutdown().map_err(|e| e.to_string())?;
    let mut tail = [0u8; 16];
    let k = tls.read(&mut tail).map_err(|e| e.to_string())?;
    let echoed = server
        .join()
        .map_err(|_| "server thread panicked".to_string())??;
    if received != data || k != 0 || echoed != PAYLOAD {
        return Err("echoed data did not match".into());
    }
    println!(
        "client: echoed {} MiB through TLS in {:.3} s ({:.0} MiB/s each way), closed with close_notify both ways",
        PAYLOAD >> 20,
        secs,
        (PAYLOAD >> 20) as f64 / secs
    );
    Ok(())
}
