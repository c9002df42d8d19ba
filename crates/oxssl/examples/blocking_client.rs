//! A blocking TLS client: `SslConnector` over a `std::net::TcpStream`.
//!
//! The pattern, as with the `openssl` crate:
//!
//! 1. Build one [`SslConnector`] per program (it is cheap to clone and share between
//!    threads). `SslConnector::builder` turns certificate verification on and loads the
//!    system's trusted CAs; add more with `add_trusted_der` / `set_ca_file`.
//! 2. Open the TCP connection yourself, then `connector.connect(host, tcp)`: it sends the
//!    host name (SNI), runs the handshake and checks that the certificate is valid for
//!    `host`. The result is an [`SslStream`] that is `Read + Write`.
//! 3. Close with `shutdown()`: the first call sends our close_notify; once the peer's has
//!    arrived (a read returned 0, or a second `shutdown()` call), the TLS session ended
//!    cleanly and nothing was truncated.
//!
//! Run it:
//!
//! ```text
//! cargo run -p oxssl --example blocking_client                    # self-contained
//! cargo run -p oxssl --example blocking_client -- example.com     # a real server
//! cargo run -p oxssl --example blocking_client -- example.com 443 /
//! ```
//!
//! With no arguments it makes a throwaway certificate for `localhost` with rcgen, starts a
//! tiny oxssl HTTPS server on a thread on 127.0.0.1 and trusts that one certificate. With
//! a host name it sends `GET /` over HTTP/1.0 and verifies the server against the system's
//! CAs.

use oxssl::ssl::{ErrorCode, ShutdownResult, SslAcceptor, SslConnector, SslMethod, SslStream};
use std::error::Error;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut builder = SslConnector::builder(SslMethod::tls())?;

    let (host, port, path) = match args.first() {
        Some(host) => (
            host.clone(),
            args.get(1).map_or(Ok(443), |p| p.parse())?,
            args.get(2).cloned().unwrap_or_else(|| "/".into()),
        ),
        None => {
            // Self-contained mode: our own server, and trust in its certificate only.
            let (cert_der, key_der) = localhost_certificate()?;
            builder.add_trusted_der(&cert_der)?;
            let port = start_local_server(cert_der, key_der)?;
            ("localhost".to_string(), port, "/".to_string())
        }
    };
    let connector = builder.build();

    // 1. TCP, then TLS on top of it.
    let tcp = TcpStream::connect((host.as_str(), port))?;
    let mut tls = connector.connect(&host, tcp)?;
    println!(
        "connected to {host}:{port} with {} / {}",
        tls.ssl().version_str(),
        tls.ssl().current_cipher_name().unwrap_or("?")
    );

    // 2. A request; `write_all` loops over `write` as with any `Write`.
    let request = format!("GET {path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    tls.write_all(request.as_bytes())?;
    tls.flush()?;

    // 3. The response: read until the server closes.
    let response = read_until_close(&mut tls)?;
    let text = String::from_utf8_lossy(&response);
    println!(
        "response: {} bytes; status line: {}",
        response.len(),
        text.lines().next().unwrap_or("")
    );

    // 4. Our close_notify. The peer's is in already (read_until_close saw it), so this
    //    reports both done; otherwise a second call would wait for the peer's.
    match tls.shutdown() {
        Ok(ShutdownResult::Received) => println!("closed: close_notify sent and received"),
        Ok(ShutdownResult::Sent) => println!("closed: close_notify sent"),
        // A server that already dropped the TCP connection cannot take our alert.
        Err(e) => println!("closed (our close_notify could not be sent: {e})"),
    }
    Ok(())
}

/// Reads until the peer's close_notify. `ssl_read` tells a clean close (`ZERO_RETURN`) from
/// a connection that just ended; `Read::read` would return 0 for both.
fn read_until_close(tls: &mut SslStream<TcpStream>) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match tls.ssl_read(&mut buf) {
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.code() == ErrorCode::ZERO_RETURN => return Ok(out),
            // EOF without close_notify: many HTTP/1.0 servers do this after the body; the
            // response may be truncated, so say so.
            Err(e) if e.code() == ErrorCode::SYSCALL => {
                println!("note: the server closed without close_notify ({e})");
                return Ok(out);
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// A certificate for "localhost" / 127.0.0.1 and its PKCS#8 key, both DER, made with rcgen.
/// Self-signed: the client trusts exactly this certificate.
fn localhost_certificate() -> Result<(Vec<u8>, Vec<u8>)> {
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let ck = rcgen::generate_simple_self_signed(names)?;
    Ok((ck.cert.der().to_vec(), ck.signing_key.serialize_der()))
}

/// A one-connection HTTPS server on 127.0.0.1 (an ephemeral port), for the self-contained
/// run. Returns the port.
fn start_local_server(cert_der: Vec<u8>, key_der: Vec<u8>) -> Result<u16> {
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls())?;
    b.set_certificate_chain_der(vec![cert_der])?;
    b.set_private_key_der(&key_der)?;
    b.check_private_key()?;
    let acceptor = b.build();
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    thread::spawn(move || {
        if let Err(e) = serve_one(&listener, &acceptor) {
            eprintln!("local server: {e}");
        }
    });
    Ok(port)
}

/// Answers one HTTP request with a fixed body.
fn serve_one(listener: &TcpListener, acceptor: &SslAcceptor) -> Result<()> {
    let (tcp, _) = listener.accept()?;
    let mut tls = acceptor.accept(tcp)?;
    // Read the request head.
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tls.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let body = "hello from the oxssl example server\n";
    let response = format!(
        "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    tls.write_all(response.as_bytes())?;
    // close_notify, then wait for the client's.
    if tls.shutdown()? == ShutdownResult::Sent {
        tls.shutdown()?;
    }
    Ok(())
}
