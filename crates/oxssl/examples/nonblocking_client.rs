//! A non-blocking TLS client: an [`SslStream`] over a non-blocking mio `TcpStream`, driven
//! by a poll loop.
//!
//! The rules (the same as OpenSSL's `SSL_ERROR_WANT_*` contract):
//!
//! - Every TLS call may return `ErrorCode::WANT_READ` or `ErrorCode::WANT_WRITE`: nothing
//!   is lost, call it again once the socket is readable (WANT_READ) or writable
//!   (WANT_WRITE). This holds for the handshake, `ssl_read`, `ssl_write` and `shutdown`.
//! - After WANT_WRITE, retry `ssl_write` with the SAME slice: same pointer, same (or
//!   greater) length. Records of that buffer may already be on the wire; the library
//!   checks the address and fails with BAD_WRITE_RETRY if it moved (unless
//!   `SslMode::ACCEPT_MOVING_WRITE_BUFFER` is set). Keep the buffer alive and unchanged
//!   until the write returns `Ok`.
//! - `Ok(n)` from `ssl_write` is the whole slice, or with `SslMode::ENABLE_PARTIAL_WRITE`
//!   at least one record (16 KiB): advance by `n` and write the rest as a new write.
//! - mio is edge-triggered: after an event, keep calling until you get WANT_*; an event is
//!   not repeated for data you left in the socket. Ask for WRITABLE only while a call is
//!   blocked on WANT_WRITE, or every ACK wakes the loop for nothing.
//!
//! Run it:
//!
//! ```text
//! cargo run -p oxssl --example nonblocking_client                  # self-contained
//! cargo run -p oxssl --example nonblocking_client -- example.com   # a real server
//! ```
//!
//! With no arguments it makes a certificate for `localhost` with rcgen, starts a blocking
//! oxssl echo server on a thread on 127.0.0.1, sends it 16 MiB (more than the loopback
//! socket buffers hold, so the write does block) in one `ssl_write` and reads the echo
//! back concurrently, in one poll loop. Set `PARTIAL_WRITE=1` to run the same loop with
//! `SslMode::ENABLE_PARTIAL_WRITE`. With a host name (and optional port) it
//! sends an HTTP/1.0 `GET /` and reads the response until the server closes.

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use oxssl::ssl::{
    ErrorCode, ShutdownResult, SslAcceptor, SslConnector, SslMethod, SslMode, SslStream,
};
use std::error::Error;
use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::thread;
use std::time::Duration;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const CONN: Token = Token(0);
const TIMEOUT: Duration = Duration::from_secs(30);

/// What the application sends, and when it is done.
struct Job {
    request: Vec<u8>,
    /// `Some(n)`: done after `n` bytes came back (the echo); `None`: done when the server
    /// closes (HTTP/1.0).
    expect: Option<usize>,
}

/// The loop's wake-ups and the WANT_* results, to show what happened.
#[derive(Debug, Default)]
struct Counts {
    wakeups: u64,
    want_read: u64,
    want_write: u64,
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut builder = SslConnector::builder(SslMethod::tls())?;
    let (host, addr, job) = match args.first() {
        Some(host) => {
            let port: u16 = args.get(1).map_or(Ok(443), |p| p.parse())?;
            let addr = (host.as_str(), port)
                .to_socket_addrs()?
                .next()
                .ok_or("no address")?;
            let request = format!("GET / HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n");
            let job = Job {
                request: request.into_bytes(),
                expect: None,
            };
            (host.clone(), addr, job)
        }
        None => {
            let (cert_der, key_der) = localhost_certificate()?;
            builder.add_trusted_der(&cert_der)?;
            let addr = start_echo_server(cert_der, key_der)?;
            let request: Vec<u8> = (0..16 << 20).map(|i: u32| (i % 251) as u8).collect();
            let job = Job {
                expect: Some(request.len()),
                request,
            };
            ("localhost".to_string(), addr, job)
        }
    };
    let connector = builder.build();

    let mut poll = Poll::new()?;
    let mut events = Events::with_capacity(8);
    let mut counts = Counts::default();

    // 1. A non-blocking connect. mio's way to learn that it finished: wait for WRITABLE,
    //    then look at take_error / peer_addr.
    let mut tcp = TcpStream::connect(addr)?;
    tcp.set_nodelay(true)?;
    poll.registry()
        .register(&mut tcp, CONN, Interest::READABLE | Interest::WRITABLE)?;
    loop {
        wait(&mut poll, &mut events, &mut counts)?;
        if let Some(e) = tcp.take_error()? {
            return Err(e.into());
        }
        match tcp.peer_addr() {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::NotConnected => continue,
            Err(e) => return Err(e.into()),
        }
    }

    // 2. The handshake: `connect()` until it stops asking to wait.
    let mut ssl = connector.configure()?.into_ssl(&host)?;
    // Optional: return after each record instead of after the whole buffer.
    if std::env::var_os("PARTIAL_WRITE").is_some() {
        ssl.set_mode(SslMode::ENABLE_PARTIAL_WRITE);
    }
    let mut tls = SslStream::new(ssl, tcp)?;
    loop {
        match tls.connect() {
            Ok(()) => break,
            Err(e) if is_want(e.code()) => {
                count(&mut counts, e.code());
                wait_for(&mut poll, &mut events, &mut tls, e.code(), &mut counts)?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    println!(
        "connected to {host} ({addr}) with {} / {}",
        tls.ssl().version_str(),
        tls.ssl().current_cipher_name().unwrap_or("?")
    );

    // 3. Write the request and read the answer at the same time.
    let mut written = 0;
    let mut received: Vec<u8> = Vec::new();
    let mut peer_closed = false;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let mut write_blocked = false;
        while written < job.request.len() {
            // After WANT_WRITE the loop comes back here with the same `written`, so the
            // retry passes exactly the same slice: same pointer, same length.
            match tls.ssl_write(&job.request[written..]) {
                Ok(n) => written += n,
                Err(e) if e.code() == ErrorCode::WANT_WRITE => {
                    counts.want_write += 1;
                    write_blocked = true;
                    break;
                }
                // (TLS 1.2 renegotiation could make a write wait for data; TLS 1.3 never.)
                Err(e) if e.code() == ErrorCode::WANT_READ => {
                    counts.want_read += 1;
                    break;
                }
                Err(e) => return Err(e.into()),
            }
        }
        // Edge-triggered: read until WANT_READ, or this data would never be announced again.
        while !peer_closed {
            match tls.ssl_read(&mut buf) {
                Ok(n) => received.extend_from_slice(&buf[..n]),
                Err(e) if e.code() == ErrorCode::WANT_READ => {
                    counts.want_read += 1;
                    break;
                }
                Err(e) if e.code() == ErrorCode::ZERO_RETURN => peer_closed = true,
                // EOF without close_notify (some HTTP servers do this).
                Err(e) if e.code() == ErrorCode::SYSCALL && job.expect.is_none() => {
                    println!("note: the server closed without close_notify ({e})");
                    peer_closed = true;
                }
                Err(e) => return Err(e.into()),
            }
        }
        let done = match job.expect {
            Some(n) => received.len() >= n,
            None => peer_closed,
        };
        if done {
            break;
        }
        if peer_closed {
            return Err("the server closed early".into());
        }
        let code = if write_blocked {
            ErrorCode::WANT_WRITE
        } else {
            ErrorCode::WANT_READ
        };
        wait_for(&mut poll, &mut events, &mut tls, code, &mut counts)?;
    }
    if job.expect.is_some() {
        if received != job.request {
            return Err("the echo differs from what was sent".into());
        }
        println!("{} bytes sent and echoed back intact", received.len());
    } else {
        let text = String::from_utf8_lossy(&received);
        let status = text.lines().next().unwrap_or("");
        println!("response: {} bytes; status line: {status}", received.len());
    }

    // 4. close_notify both ways: the first call sends ours, later calls wait for theirs.
    loop {
        match tls.shutdown() {
            Ok(ShutdownResult::Received) => break,
            Ok(ShutdownResult::Sent) if job.expect.is_none() => break, // don't wait on HTTP
            Ok(ShutdownResult::Sent) => {}
            Err(e) if is_want(e.code()) => {
                count(&mut counts, e.code());
                wait_for(&mut poll, &mut events, &mut tls, e.code(), &mut counts)?;
            }
            Err(e) if job.expect.is_none() => {
                println!("note: close_notify not exchanged ({e})");
                break;
            }
            Err(e) => return Err(e.into()),
        }
    }
    println!(
        "closed; {} wake-ups, {} WANT_READ, {} WANT_WRITE",
        counts.wakeups, counts.want_read, counts.want_write
    );
    Ok(())
}

fn is_want(code: ErrorCode) -> bool {
    code == ErrorCode::WANT_READ || code == ErrorCode::WANT_WRITE
}

fn count(counts: &mut Counts, code: ErrorCode) {
    if code == ErrorCode::WANT_WRITE {
        counts.want_write += 1;
    } else {
        counts.want_read += 1;
    }
}

/// Registers the interest a WANT_* code asks for (always READABLE, plus WRITABLE for
/// WANT_WRITE) and waits for an event. Re-registering re-checks readiness, so an edge that
/// happened before this call is not lost.
fn wait_for(
    poll: &mut Poll,
    events: &mut Events,
    tls: &mut SslStream<TcpStream>,
    code: ErrorCode,
    counts: &mut Counts,
) -> Result<()> {
    let interest = if code == ErrorCode::WANT_WRITE {
        Interest::READABLE | Interest::WRITABLE
    } else {
        Interest::READABLE
    };
    poll.registry().reregister(tls.get_mut(), CONN, interest)?;
    wait(poll, events, counts)
}

fn wait(poll: &mut Poll, events: &mut Events, counts: &mut Counts) -> Result<()> {
    loop {
        match poll.poll(events, Some(TIMEOUT)) {
            Ok(()) if events.is_empty() => return Err("timed out".into()),
            Ok(()) => {
                counts.wakeups += 1;
                return Ok(());
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// A self-signed certificate for "localhost" / 127.0.0.1 and its PKCS#8 key (DER), made
/// with rcgen.
fn localhost_certificate() -> Result<(Vec<u8>, Vec<u8>)> {
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let ck = rcgen::generate_simple_self_signed(names)?;
    Ok((ck.cert.der().to_vec(), ck.signing_key.serialize_der()))
}

/// A blocking oxssl echo server for one connection, on a thread. Returns its address.
fn start_echo_server(cert_der: Vec<u8>, key_der: Vec<u8>) -> Result<SocketAddr> {
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls())?;
    b.set_certificate_chain_der(vec![cert_der])?;
    b.set_private_key_der(&key_der)?;
    b.check_private_key()?;
    let acceptor = b.build();
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
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
    Ok(addr)
}
