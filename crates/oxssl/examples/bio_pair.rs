//! The BIO-pair pump: the TLS engine never touches the socket; the application moves the
//! ciphertext itself.
//!
//! `BioPair::new` gives two connected halves (`BIO_new_bio_pair`). The `Ssl` gets one
//! (`set_bio`); the application keeps the other, the "network" half, and after every TLS
//! call runs the loop OpenSSL users know:
//!
//! 1. Call the TLS operation (`do_handshake`, `ssl_write`, `ssl_read`, `shutdown`).
//! 2. Whatever the result, flush: while `net.pending() > 0` (`BIO_ctrl_pending`), read the
//!    ciphertext from the network half and send it on the socket. Do this BEFORE waiting
//!    for input, or the peer never sees our ClientHello / Finished / data and both wait.
//! 3. On WANT_READ, feed: read from the socket at most `net.write_guarantee()` bytes
//!    (`BIO_ctrl_get_write_guarantee`, the room in the pair) and, to take no more than the
//!    engine asked for, at most `net.read_request()` (`BIO_ctrl_get_read_request`: the
//!    size of its failed read, e.g. 5 for a record header); write them into the network
//!    half. At end of file, `net.shutdown_wr()` (`BIO_shutdown_wr`) so the engine sees EOF.
//! 4. On WANT_WRITE the pair's buffer is full: step 2 emptied it, so just retry, with the
//!    SAME buffer for `ssl_write` (same pointer, same length).
//! 5. Repeat until the operation returns `Ok`.
//!
//! The socket here is an ordinary blocking `TcpStream`, but it could be anything: a
//! non-blocking socket in an event loop, a QUIC-like framing, a test harness.
//!
//! Run it:
//!
//! ```text
//! cargo run -p oxssl --example bio_pair                  # self-contained
//! cargo run -p oxssl --example bio_pair -- example.com   # GET / from a real server
//! ```
//!
//! With no arguments it makes a certificate for `localhost` with rcgen, starts a blocking
//! oxssl echo server on a thread on 127.0.0.1, and sends it messages larger than the
//! pair's 17 KiB buffer (so writes hit WANT_WRITE), checking each echo.

use oxssl::bio::{Bio, BioPair, PairBio};
use oxssl::ssl::{
    Error as SslError, ErrorCode, ShutdownResult, Ssl, SslAcceptor, SslConnector, SslMethod,
    SslMode,
};
use std::error::Error;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The application's side: the pair's network half and the real transport.
struct Pump {
    net: PairBio,
    sock: TcpStream,
    buf: Vec<u8>,
    /// What moved, to show the loop at work.
    flushed: u64,
    fed: u64,
    want_read: u64,
    want_write: u64,
}

impl Pump {
    /// Steps 1-5: runs `op` until it succeeds, moving ciphertext in both directions.
    /// `op` is called again unchanged after WANT_*, so a write retries the same slice.
    fn run<T>(
        &mut self,
        ssl: &mut Ssl,
        mut op: impl FnMut(&mut Ssl) -> std::result::Result<T, SslError>,
    ) -> Result<T> {
        loop {
            let r = op(ssl);
            // Step 2, always: a failed call can still have produced output (an alert, the
            // first part of a flight).
            self.flush()?;
            match r {
                Ok(v) => return Ok(v),
                Err(e) if e.code() == ErrorCode::WANT_READ => {
                    self.want_read += 1;
                    self.feed()?;
                }
                Err(e) if e.code() == ErrorCode::WANT_WRITE => self.want_write += 1,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Network half -> socket.
    fn flush(&mut self) -> io::Result<()> {
        while self.net.pending() > 0 {
            let n = self.net.read(&mut self.buf).map_err(io::Error::other)?;
            self.sock.write_all(&self.buf[..n])?;
            self.flushed += n as u64;
        }
        Ok(())
    }

    /// Socket -> network half, as much as the engine asked for and the pair can take.
    fn feed(&mut self) -> io::Result<()> {
        let room = self.net.write_guarantee();
        let asked = self.net.read_request();
        let want = room
            .min(if asked > 0 { asked } else { room })
            .min(self.buf.len());
        if want == 0 {
            return Err(io::Error::other("WANT_READ with a full pair"));
        }
        let n = self.sock.read(&mut self.buf[..want])?;
        if n == 0 {
            self.net.shutdown_wr(); // EOF: the engine reads 0 and reports it
            return Ok(());
        }
        let taken = self.net.write(&self.buf[..n]).map_err(io::Error::other)?;
        assert_eq!(taken, n, "write_guarantee promised the room");
        self.fed += n as u64;
        Ok(())
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut builder = SslConnector::builder(SslMethod::tls())?;
    let (host, port) = match args.first() {
        Some(host) => (host.clone(), args.get(1).map_or(Ok(443), |p| p.parse())?),
        None => {
            let (cert_der, key_der) = localhost_certificate()?;
            builder.add_trusted_der(&cert_der)?;
            (
                "localhost".to_string(),
                start_echo_server(cert_der, key_der)?,
            )
        }
    };
    let connector = builder.build();
    let local = args.is_empty();

    // The engine gets one half (17408-byte buffers, OpenSSL's default); we keep the other.
    let (ssl_half, net) = BioPair::new(0, 0);
    let mut ssl = connector.configure()?.into_ssl(&host)?;
    // The connector enables partial writes (as the openssl crate's); this example shows a
    // whole-buffer write retried after WANT_WRITE, so it turns them off.
    ssl.clear_mode(SslMode::ENABLE_PARTIAL_WRITE);
    ssl.set_connect_state();
    ssl.set_bio(ssl_half);
    let mut pump = Pump {
        net,
        sock: TcpStream::connect((host.as_str(), port))?,
        buf: vec![0u8; 32 * 1024],
        flushed: 0,
        fed: 0,
        want_read: 0,
        want_write: 0,
    };

    pump.run(&mut ssl, |s| s.do_handshake())?;
    println!(
        "handshake with {host}:{port} done: {} / {}",
        ssl.version_str(),
        ssl.current_cipher_name().unwrap_or("?")
    );

    if local {
        // Each message is larger than the pair, so `ssl_write` returns WANT_WRITE at least
        // once and is retried with the same slice. The echo is read before the next
        // message: with a blocking socket, a client that only writes could fill both
        // directions' buffers while the server waits to write its echo.
        let mut buf = vec![0u8; 16 * 1024];
        for size in [10usize, 40_000, 100_000] {
            let msg: Vec<u8> = (0..size).map(|i| (i % 253) as u8).collect();
            let n = pump.run(&mut ssl, |s| s.ssl_write(&msg))?;
            assert_eq!(n, size);
            let mut echo = Vec::with_capacity(size);
            while echo.len() < size {
                let n = pump.run(&mut ssl, |s| s.ssl_read(&mut buf))?;
                echo.extend_from_slice(&buf[..n]);
            }
            if echo != msg {
                return Err(format!("the echo of {size} bytes differs").into());
            }
            println!("{size} bytes echoed");
        }
    } else {
        let request = format!("GET / HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        pump.run(&mut ssl, |s| s.ssl_write(request.as_bytes()))?;
        let mut response = Vec::new();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match pump.run(&mut ssl, |s| s.ssl_read(&mut buf)) {
                Ok(n) => response.extend_from_slice(&buf[..n]),
                Err(e) => {
                    // ZERO_RETURN (close_notify) or EOF: the response is complete.
                    println!("end of response: {e}");
                    break;
                }
            }
        }
        let text = String::from_utf8_lossy(&response);
        println!(
            "response: {} bytes; status line: {}",
            response.len(),
            text.lines().next().unwrap_or("")
        );
    }

    // close_notify both ways (for a real server, only ours: it may just drop the socket).
    match pump.run(&mut ssl, |s| s.shutdown()) {
        Ok(ShutdownResult::Sent) if local => {
            pump.run(&mut ssl, |s| s.shutdown())?;
            println!("closed: close_notify sent and received");
        }
        Ok(r) => println!("closed: {r:?}"),
        Err(e) => println!("closed (close_notify not exchanged: {e})"),
    }
    println!(
        "pump: {} bytes out, {} bytes in, {} WANT_READ, {} WANT_WRITE",
        pump.flushed, pump.fed, pump.want_read, pump.want_write
    );
    Ok(())
}

/// A self-signed certificate for "localhost" / 127.0.0.1 and its PKCS#8 key (DER), made
/// with rcgen.
fn localhost_certificate() -> Result<(Vec<u8>, Vec<u8>)> {
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let ck = rcgen::generate_simple_self_signed(names)?;
    Ok((ck.cert.der().to_vec(), ck.signing_key.serialize_der()))
}

/// A blocking oxssl echo server for one connection, on a thread. Returns its port.
fn start_echo_server(cert_der: Vec<u8>, key_der: Vec<u8>) -> Result<u16> {
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls())?;
    b.set_certificate_chain_der(vec![cert_der])?;
    b.set_private_key_der(&key_der)?;
    b.check_private_key()?;
    let acceptor = b.build();
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    thread::spawn(move || {
        let run = || -> Result<()> {
            let (tcp, _) = listener.accept()?;
            let mut tls = acceptor.accept(tcp)?;
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                match tls.ssl_read(&mut buf) {
                    Ok(n) => tls.write_all(&buf[..n])?,
                    Err(e) if e.code() == ErrorCode::ZERO_RETURN => break,
                    Err(e) => return Err(e.into()),
                }
            }
            tls.shutdown()?;
            Ok(())
        };
        if let Err(e) = run() {
            eprintln!("echo server: {e}");
        }
    });
    Ok(port)
}
