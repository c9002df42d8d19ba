//! A blocking TLS echo server: `SslAcceptor` over a `std::net::TcpListener`, one thread per
//! connection.
//!
//! The pattern, as with the `openssl` crate:
//!
//! 1. Build one [`SslAcceptor`] with the certificate chain and private key
//!    (`mozilla_intermediate_v5` gives sane defaults), check that the key matches, and
//!    clone it into each connection's thread (clones share one context).
//! 2. For each accepted `TcpStream`, `acceptor.accept(tcp)` runs the handshake and gives an
//!    [`SslStream`]. A failed handshake only ends that connection.
//! 3. Echo with `ssl_read` / `write_all`. `ssl_read` reports the client's close_notify as
//!    `ErrorCode::ZERO_RETURN`, which tells a clean end from a cut connection (plain
//!    `Read::read` returns 0 for both). Answer it with `shutdown()`.
//!
//! Run it:
//!
//! ```text
//! cargo run -p oxssl --example blocking_server                       # self-test
//! cargo run -p oxssl --example blocking_server -- 127.0.0.1:8443     # serve, generated cert
//! cargo run -p oxssl --example blocking_server -- 127.0.0.1:8443 cert.pem key.pem
//! openssl s_client -connect 127.0.0.1:8443                           # then type lines
//! ```
//!
//! With no arguments it makes a certificate for `localhost` with rcgen, serves on an
//! ephemeral port of 127.0.0.1, runs a few `SslConnector` clients against itself on other
//! threads (each sends messages of several sizes and checks the echo), and exits. With an
//! address it serves until killed.

use oxssl::ssl::{
    ErrorCode, ShutdownResult, SslAcceptor, SslConnector, SslFiletype, SslMethod, SslStream,
};
use std::error::Error;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut builder = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls())?;
    let self_test = args.is_empty();
    let mut generated_cert = None;
    match (args.get(1), args.get(2)) {
        (Some(cert), Some(key)) => {
            builder.set_certificate_chain_file(cert)?;
            builder.set_private_key_file(key, SslFiletype::PEM)?;
        }
        _ => {
            let (cert_der, key_der) = localhost_certificate()?;
            builder.set_certificate_chain_der(vec![cert_der.clone()])?;
            builder.set_private_key_der(&key_der)?;
            generated_cert = Some(cert_der);
        }
    }
    builder.check_private_key()?;
    let acceptor = builder.build();

    let addr = args.first().map_or("127.0.0.1:0", String::as_str);
    let listener = TcpListener::bind(addr)?;
    let local = listener.local_addr()?;
    println!("echo server on {local}");

    if self_test {
        // The server runs on its own thread; the clients run here and then we exit.
        thread::spawn(move || serve(listener, acceptor));
        return run_clients(local.port(), &generated_cert.expect("generated"));
    }
    serve(listener, acceptor);
    Ok(())
}

/// The accept loop: one thread per connection.
fn serve(listener: TcpListener, acceptor: SslAcceptor) {
    for tcp in listener.incoming() {
        let tcp = match tcp {
            Ok(tcp) => tcp,
            Err(e) => {
                eprintln!("accept: {e}");
                continue;
            }
        };
        let acceptor = acceptor.clone();
        thread::spawn(move || {
            let peer = tcp.peer_addr().map(|a| a.to_string()).unwrap_or_default();
            match handle(&acceptor, tcp) {
                Ok(n) => println!("[server] {peer}: echoed {n} bytes, closed cleanly"),
                Err(e) => eprintln!("[server] {peer}: {e}"),
            }
        });
    }
}

/// One connection: handshake, echo until close_notify, answer it.
fn handle(acceptor: &SslAcceptor, tcp: TcpStream) -> Result<u64> {
    let mut tls: SslStream<TcpStream> = acceptor.accept(tcp)?;
    let mut buf = vec![0u8; 16 * 1024];
    let mut total = 0u64;
    loop {
        match tls.ssl_read(&mut buf) {
            Ok(n) => {
                tls.write_all(&buf[..n])?;
                total += n as u64;
            }
            // The client's close_notify: everything it sent has arrived.
            Err(e) if e.code() == ErrorCode::ZERO_RETURN => break,
            Err(e) => return Err(e.into()),
        }
    }
    // Our close_notify; the client's is already in, so this completes the shutdown.
    tls.shutdown()?;
    Ok(total)
}

/// The self-test: clients on threads, each checking its echo.
fn run_clients(port: u16, cert_der: &[u8]) -> Result<()> {
    let mut builder = SslConnector::builder(SslMethod::tls())?;
    builder.add_trusted_der(cert_der)?;
    let connector = builder.build();
    let clients: Vec<_> = (0..4)
        .map(|i| {
            let connector = connector.clone();
            thread::spawn(move || client(i, port, &connector).map_err(|e| e.to_string()))
        })
        .collect();
    for (i, c) in clients.into_iter().enumerate() {
        let bytes = c.join().map_err(|_| "client panicked")??;
        println!("[client {i}] {bytes} bytes echoed and checked");
    }
    println!("self-test passed");
    Ok(())
}

fn client(i: usize, port: u16, connector: &SslConnector) -> Result<u64> {
    let tcp = TcpStream::connect(("127.0.0.1", port))?;
    let mut tls = connector.connect("localhost", tcp)?;
    let mut total = 0u64;
    for size in [1usize, 100, 16384, 16385, 100_000] {
        let msg: Vec<u8> = (0..size).map(|k| (k * 31 + i * 7) as u8).collect();
        tls.write_all(&msg)?;
        // Read the echo before sending more: a blocking client that only writes could
        // fill both directions' socket buffers and wait forever for the server.
        let mut echo = vec![0u8; size];
        tls.read_exact(&mut echo)?;
        if echo != msg {
            return Err(format!("client {i}: echo of {size} bytes differs").into());
        }
        total += size as u64;
    }
    // close_notify both ways: the first call sends ours, the second waits for the server's.
    if tls.shutdown()? == ShutdownResult::Sent {
        tls.shutdown()?;
    }
    Ok(total)
}

/// A self-signed certificate for "localhost" / 127.0.0.1 and its PKCS#8 key (DER), made
/// with rcgen.
fn localhost_certificate() -> Result<(Vec<u8>, Vec<u8>)> {
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let ck = rcgen::generate_simple_self_signed(names)?;
    Ok((ck.cert.der().to_vec(), ck.signing_key.serialize_der()))
}
