//! `oxssl::tokio::SslStream` (feature `tokio`):
//!
//! - 1,000 concurrent connections over loopback TCP through one runtime (2 workers): random
//!   sizes and chunking, split halves (joined in one task or in two tasks), some sockets
//!   with small buffers so writes block mid-record, TLS 1.2 and 1.3; every byte checked.
//! - A transport that returns `Pending` and short reads and writes at random, with a writer
//!   that changes buffer (address, length and contents) after every `Pending`: what the
//!   peer gets is exactly what `poll_write` reported as written.
//! - Interop: the async client against an OpenSSL 3.6 server, a rustls client against the
//!   async server, data and close_notify both ways.
//! - Shutdown: close_notify reaches the peer's read as 0, reads after it return 0 again,
//!   half-close, truncation is an error, a failed handshake fails both ends without hanging.
//! - Early data read by the async server; hyper 1 client and server (the examples' code).
//!
//! Every test runs under a deadline, and the blocking peers have socket timeouts.
//! `CHAOS_SEED=<n>` runs the random-transport test with other seeds.
#![cfg(feature = "tokio")]

#[allow(dead_code)]
#[path = "common/certs.rs"]
mod certs;
#[allow(dead_code)]
#[path = "../examples/hyper_client.rs"]
mod hyper_client;
#[allow(dead_code)]
#[path = "../examples/hyper_server.rs"]
mod hyper_server;

use certs::{server_pki, KeyKind, Pki};
use oxssl::ssl::{ShutdownState, Ssl, SslAcceptor, SslConnector, SslMethod, SslVersion};
use oxssl::tokio::SslStream;
use std::future::{poll_fn, Future};
use std::io::{self, Read, Write};
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// Runs `f` on a multi-thread runtime with two workers; fails if it takes over `limit`.
fn run<F: Future>(limit: Duration, f: F) -> F::Output {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let out = rt.block_on(async { tokio::time::timeout(limit, f).await });
    rt.shutdown_timeout(Duration::from_secs(5));
    out.unwrap_or_else(|_| panic!("deadline of {limit:?} passed"))
}

/// splitmix64: reproducible randomness without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A chunk length in `1..=max`: often tiny, often around a record, sometimes large.
    fn chunk(&mut self, max: usize) -> usize {
        let cap = [17, 1500, 16 * 1024 + 5, 40_000][self.below(4)];
        1 + self.below(cap.min(max))
    }

    /// Random bytes, [`Rng::chunk`] of them.
    fn random_chunk(&mut self, max: usize) -> Vec<u8> {
        let n = self.chunk(max);
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// Position-dependent bytes, so loss, duplication and reordering all show.
fn pattern(conn: u64, len: usize) -> Vec<u8> {
    (0..len as u64)
        .map(|i| (i.wrapping_mul(31) ^ (i >> 9) ^ conn.wrapping_mul(0x9d)) as u8)
        .collect()
}

fn assert_same(got: &[u8], want: &[u8], what: &str) {
    if got != want {
        let at = got.iter().zip(want).position(|(a, b)| a != b);
        panic!(
            "{what}: got {} bytes, want {}; first difference at {at:?}",
            got.len(),
            want.len()
        );
    }
}

fn ox_acceptor(pki: &Pki) -> SslAcceptor {
    hyper_server::acceptor(pki.leaf_der.clone(), &pki.key_der).unwrap()
}

fn connector(pki: &Pki, max: Option<SslVersion>) -> SslConnector {
    let mut b = SslConnector::builder(SslMethod::tls()).unwrap();
    b.add_trusted_der(&pki.ca_der).unwrap();
    b.set_max_proto_version(max).unwrap();
    b.build()
}

/// Echoes until the peer's close_notify, then sends ours. Returns the bytes echoed and
/// whether the peer's close_notify was seen (not a bare EOF).
async fn echo<S: AsyncRead + AsyncWrite + Unpin>(tls: &mut SslStream<S>) -> io::Result<usize> {
    let mut buf = vec![0u8; 20_000];
    let mut total = 0;
    loop {
        let n = tls.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        // No flush: a record the transport did not take goes out with the next read or
        // with the shutdown.
        tls.write_all(&buf[..n]).await?;
        total += n;
    }
    assert!(
        tls.ssl().get_shutdown().contains(ShutdownState::RECEIVED),
        "read returned 0 only after close_notify"
    );
    tls.shutdown().await?;
    Ok(total)
}

/// Writes `data` in random chunks (flushing now and then), then shuts down, while
/// reading everything back; returns what was read. The halves are joined in this task
/// or (`two_tasks`) the writer runs in a task of its own.
async fn exchange<S>(tls: SslStream<S>, data: Vec<u8>, mut rng: Rng, two_tasks: bool) -> Vec<u8>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut rd, mut wr) = tokio::io::split(tls);
    let writer = async move {
        let mut pos = 0;
        while pos < data.len() {
            let n = rng.chunk(data.len() - pos);
            wr.write_all(&data[pos..pos + n]).await?;
            pos += n;
            if rng.below(4) == 0 {
                wr.flush().await?;
            }
        }
        wr.shutdown().await
    };
    let reader = async move {
        let mut got = Vec::new();
        rd.read_to_end(&mut got).await.map(|_| got)
    };
    let (w, r) = if two_tasks {
        let w = tokio::spawn(writer);
        let r = reader.await;
        (w.await.unwrap(), r)
    } else {
        tokio::join!(writer, reader)
    };
    w.expect("writer");
    r.expect("reader")
}

const CONNS: usize = 1000;
const MAX_PER_CONN: usize = 64 * 1024;

/// How many connections can be open at once: all of them, unless the soft limit on open
/// files (two sockets per connection here) is lower, as it often is on a workstation
/// (1024); then fewer at a time, and the test says so.
fn max_in_flight() -> usize {
    let soft = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
            line.split_whitespace().nth(3)?.parse::<usize>().ok()
        });
    match soft {
        Some(n) if n < 2 * CONNS + 200 => {
            let k = n.saturating_sub(200) / 2;
            eprintln!("open files limited to {n}: {k} connections at a time");
            k.max(1)
        }
        _ => CONNS,
    }
}

#[test]
fn thousand_concurrent_echo_connections_over_loopback() {
    let pki = server_pki(KeyKind::EcdsaP256);
    let acceptor = ox_acceptor(pki);
    let tls13 = connector(pki, None);
    let tls12 = connector(pki, Some(SslVersion::TLS1_2));
    let start = Instant::now();
    let (echoed, checked) = run(Duration::from_secs(120), async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            for i in 0..CONNS {
                let (tcp, _) = listener.accept().await.unwrap();
                tcp.set_nodelay(true).unwrap();
                if i % 3 == 0 {
                    // Echoes into a small send buffer block mid-record.
                    socket2::SockRef::from(&tcp)
                        .set_send_buffer_size(8 * 1024)
                        .unwrap();
                }
                let acceptor = acceptor.clone();
                conns.spawn(async move {
                    let mut tls = oxssl::tokio::accept(&acceptor, tcp).await.unwrap();
                    echo(&mut tls).await.unwrap()
                });
            }
            let mut total = 0;
            while let Some(n) = conns.join_next().await {
                total += n.unwrap();
            }
            total
        });
        let mut clients = tokio::task::JoinSet::new();
        let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(max_in_flight()));
        for i in 0..CONNS as u64 {
            let connector = (if i % 4 == 3 { &tls12 } else { &tls13 }).clone();
            let slot = slots.clone().acquire_owned().await.unwrap();
            clients.spawn(async move {
                let _slot = slot;
                let mut rng = Rng(0x70c1_0000 + i);
                let tcp = if i % 5 == 0 {
                    // Small buffers: our writes block mid-record too.
                    let s = TcpSocket::new_v4().unwrap();
                    s.set_send_buffer_size(4096).unwrap();
                    s.set_recv_buffer_size(4096).unwrap();
                    s.connect(addr).await.unwrap()
                } else {
                    TcpStream::connect(addr).await.unwrap()
                };
                tcp.set_nodelay(true).unwrap();
                let tls = oxssl::tokio::connect(&connector, "localhost", tcp)
                    .await
                    .unwrap();
                let want = if i % 4 == 3 { "TLSv1.2" } else { "TLSv1.3" };
                assert_eq!(tls.ssl().version_str(), want);
                let data = pattern(i, rng.below(MAX_PER_CONN + 1));
                let got = exchange(tls, data.clone(), rng, i % 2 == 1).await;
                assert_same(&got, &data, &format!("connection {i}"));
                data.len()
            });
        }
        let mut checked = 0;
        while let Some(n) = clients.join_next().await {
            checked += n.unwrap();
        }
        (server.await.unwrap(), checked)
    });
    assert_eq!(echoed, checked);
    eprintln!(
        "{CONNS} connections, {:.1} MiB echoed, in {:.2?}",
        checked as f64 / (1 << 20) as f64,
        start.elapsed()
    );
}

/// A transport that, at random, returns `Pending` (waking the task at once) and reads or
/// writes only a few bytes.
struct Chaos<S> {
    inner: S,
    rng: Rng,
    max_io: usize,
}

impl<S> Chaos<S> {
    fn stall(&mut self, cx: &mut Context<'_>) -> bool {
        let stall = self.rng.below(4) == 0;
        if stall {
            cx.waker().wake_by_ref();
        }
        stall
    }

    /// How much of `len` bytes this call moves.
    fn io_len(&mut self, len: usize) -> usize {
        (1 + self.rng.below(self.max_io)).min(len)
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Chaos<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.stall(cx) {
            return Poll::Pending;
        }
        let n = self.io_len(buf.remaining());
        let mut part = ReadBuf::new(buf.initialize_unfilled_to(n));
        ready!(Pin::new(&mut self.inner).poll_read(cx, &mut part))?;
        let got = part.filled().len();
        buf.advance(got);
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Chaos<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.stall(cx) {
            return Poll::Pending;
        }
        let n = self.io_len(buf.len());
        Pin::new(&mut self.inner).poll_write(cx, &buf[..n])
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.stall(cx) {
            return Poll::Pending;
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.stall(cx) {
            return Poll::Pending;
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Writes about `total` random bytes; after every `Pending` the next poll offers a new
/// buffer (another address, length and contents), as `AsyncWrite` allows. Returns the
/// bytes `poll_write` reported as written, in order.
async fn fickle_writer<W: AsyncWrite + Unpin>(w: &mut W, total: usize, rng: &mut Rng) -> Vec<u8> {
    let mut sent = Vec::new();
    while sent.len() < total {
        let mut buf = rng.random_chunk(total - sent.len());
        let n = poll_fn(|cx| match Pin::new(&mut *w).poll_write(cx, &buf) {
            Poll::Pending => {
                buf = rng.random_chunk(total - sent.len());
                Poll::Pending
            }
            ready => ready,
        })
        .await
        .expect("write");
        assert!(n > 0 && n <= buf.len());
        sent.extend_from_slice(&buf[..n]);
    }
    w.flush().await.expect("flush");
    sent
}

#[test]
fn chaotic_transport_and_a_writer_that_changes_buffers() {
    let pki = server_pki(KeyKind::EcdsaP256);
    let server_ctx = ox_acceptor(pki);
    let connectors = [
        connector(pki, None),
        connector(pki, Some(SslVersion::TLS1_2)),
    ];
    run(Duration::from_secs(60), async move {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..40u64 {
            let mut rng =
                Rng(std::env::var("CHAOS_SEED").map_or(0xc4a0_5000, |v| v.parse().unwrap()) + i);
            let (a, b) = tokio::io::duplex([64, 1024, 20_000][rng.below(3)]);
            let a = Chaos {
                inner: a,
                rng: Rng(rng.next()),
                max_io: [7, 300, 5000][rng.below(3)],
            };
            let b = Chaos {
                inner: b,
                rng: Rng(rng.next()),
                max_io: [7, 300, 5000][rng.below(3)],
            };
            let server_ctx = server_ctx.clone();
            let connector = connectors[i as usize % 2].clone();
            tasks.spawn(async move {
                let server = tokio::spawn(async move {
                    // The poll API directly, without the helpers.
                    let mut s = SslStream::new(Ssl::new(server_ctx.context()).unwrap(), b).unwrap();
                    Pin::new(&mut s).accept().await.expect("accept");
                    echo(&mut s).await.expect("echo")
                });
                let ssl = connector
                    .configure()
                    .unwrap()
                    .into_ssl("localhost")
                    .unwrap();
                let mut c = SslStream::new(ssl, a).unwrap();
                Pin::new(&mut c).connect().await.expect("connect");
                let total = rng.below(150_000);
                let (mut rd, mut wr) = tokio::io::split(c);
                let reader = tokio::spawn(async move {
                    let mut got = Vec::new();
                    rd.read_to_end(&mut got).await.map(|_| got)
                });
                let sent = fickle_writer(&mut wr, total, &mut rng).await;
                wr.shutdown().await.expect("shutdown");
                let got = reader.await.unwrap().expect("read");
                assert_same(&got, &sent, &format!("pair {i}"));
                assert_eq!(server.await.unwrap(), sent.len());
            });
        }
        while let Some(r) = tasks.join_next().await {
            r.unwrap();
        }
    });
}

fn openssl_acceptor(pki: &Pki) -> openssl::ssl::SslAcceptor {
    use openssl::ssl::{SslAcceptor as OsslAcceptor, SslMethod as OsslMethod};
    let mut b = OsslAcceptor::mozilla_intermediate_v5(OsslMethod::tls()).unwrap();
    b.set_certificate(&openssl::x509::X509::from_der(&pki.leaf_der).unwrap())
        .unwrap();
    b.set_private_key(&openssl::pkey::PKey::private_key_from_der(&pki.key_der).unwrap())
        .unwrap();
    b.build()
}

fn blocking_timeouts(tcp: &std::net::TcpStream) {
    tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    tcp.set_write_timeout(Some(Duration::from_secs(30)))
        .unwrap();
}

#[test]
fn async_client_against_openssl_server() {
    let pki = server_pki(KeyKind::EcdsaP256);
    let ossl = openssl_acceptor(pki);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let versions = [None, Some(SslVersion::TLS1_2)];
    // OpenSSL in a thread with blocking sockets: echo until close_notify, then answer it.
    let server = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for _ in versions {
            let (tcp, _) = listener.accept().unwrap();
            blocking_timeouts(&tcp);
            let mut s = ossl.accept(tcp).expect("OpenSSL accept");
            let mut buf = [0u8; 16384];
            let mut total = 0;
            loop {
                match s.ssl_read(&mut buf) {
                    Ok(n) => {
                        s.write_all(&buf[..n]).unwrap();
                        total += n;
                    }
                    Err(e) if e.code() == openssl::ssl::ErrorCode::ZERO_RETURN => break,
                    Err(e) => panic!("OpenSSL read: {e}"),
                }
            }
            s.shutdown().expect("OpenSSL shutdown");
            seen.push((s.ssl().version_str().to_string(), total));
        }
        seen
    });
    let sizes = run(Duration::from_secs(60), async move {
        let mut sizes = Vec::new();
        for (i, max) in versions.into_iter().enumerate() {
            let tcp = TcpStream::connect(addr).await.unwrap();
            let mut tls = oxssl::tokio::connect(&connector(pki, max), "localhost", tcp)
                .await
                .expect("connect to OpenSSL");
            tls.write_all(b"hello").await.unwrap();
            let mut hello = [0u8; 5];
            tls.read_exact(&mut hello).await.unwrap();
            assert_eq!(&hello, b"hello");
            let data = pattern(i as u64, 300_000);
            let mut got = exchange(tls, data.clone(), Rng(i as u64), false).await;
            got.splice(0..0, hello);
            let mut want = b"hello".to_vec();
            want.extend_from_slice(&data);
            assert_same(&got, &want, "echo from OpenSSL");
            sizes.push(want.len());
        }
        sizes
    });
    let seen = server.join().expect("OpenSSL server");
    assert_eq!(seen[0], ("TLSv1.3".to_string(), sizes[0]));
    assert_eq!(seen[1], ("TLSv1.2".to_string(), sizes[1]));
}

#[test]
fn rustls_client_against_async_server() {
    use rustls::pki_types::{CertificateDer, ServerName};
    let pki = server_pki(KeyKind::EcdsaP256);
    let acceptor = ox_acceptor(pki);
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = std_listener.local_addr().unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let versions: [&'static rustls::SupportedProtocolVersion; 2] =
        [&rustls::version::TLS13, &rustls::version::TLS12];
    let data = pattern(7, 200_000);
    // rustls in a thread with a blocking socket: a chunk, its echo, the next chunk; then
    // close_notify, and the server's close_notify is read as the end of the stream.
    let client_data = data.clone();
    let client = std::thread::spawn(move || {
        for v in versions {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(CertificateDer::from(pki.ca_der.clone())).unwrap();
            let provider = rustls::crypto::aws_lc_rs::default_provider();
            let config = rustls::ClientConfig::builder_with_provider(provider.into())
                .with_protocol_versions(&[v])
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth();
            let name = ServerName::try_from("localhost").unwrap();
            let conn = rustls::ClientConnection::new(config.into(), name).unwrap();
            let tcp = std::net::TcpStream::connect(addr).unwrap();
            blocking_timeouts(&tcp);
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            for chunk in client_data.chunks(23_456) {
                tls.write_all(chunk).unwrap();
                let mut back = vec![0u8; chunk.len()];
                tls.read_exact(&mut back).unwrap();
                assert_same(&back, chunk, "echo to rustls");
            }
            tls.conn.send_close_notify();
            tls.flush().unwrap();
            let mut rest = Vec::new();
            // Ok only with the server's close_notify (a bare EOF is an error in rustls).
            tls.read_to_end(&mut rest)
                .expect("close_notify from the server");
            assert!(rest.is_empty());
        }
    });
    let served = run(Duration::from_secs(60), async move {
        let listener = TcpListener::from_std(std_listener).unwrap();
        let mut served = Vec::new();
        for _ in versions {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut tls = oxssl::tokio::accept(&acceptor, tcp)
                .await
                .expect("accept rustls");
            let n = echo(&mut tls).await.expect("echo to rustls");
            served.push((tls.ssl().version_str(), n));
        }
        served
    });
    client.join().expect("rustls client");
    assert_eq!(served, [("TLSv1.3", data.len()), ("TLSv1.2", data.len())]);
}

#[test]
fn shutdown_close_notify_half_close_and_truncation() {
    let pki = server_pki(KeyKind::EcdsaP256);
    let acceptor = ox_acceptor(pki);
    let good = connector(pki, None);
    let untrusting = {
        let other = certs::untrusted_pki();
        let mut b = SslConnector::builder(SslMethod::tls()).unwrap();
        b.add_trusted_der(&other.ca_der).unwrap();
        b.build()
    };
    run(Duration::from_secs(60), async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            // 1. The client's close_notify is a read of 0, again and again; then the
            //    server still writes (half-close) and closes.
            let (tcp, _) = listener.accept().await.unwrap();
            let mut tls = oxssl::tokio::accept(&acceptor, tcp).await.unwrap();
            let mut buf = Vec::new();
            tls.read_to_end(&mut buf).await.unwrap();
            assert_eq!(buf, b"hello");
            assert!(tls.ssl().get_shutdown().contains(ShutdownState::RECEIVED));
            assert_eq!(tls.read(&mut [0u8; 10]).await.unwrap(), 0);
            tls.write_all(b"bye").await.unwrap();
            tls.shutdown().await.unwrap();
            // 2. Truncation: data, then TCP FIN without close_notify.
            let (tcp, _) = listener.accept().await.unwrap();
            let mut tls = oxssl::tokio::accept(&acceptor, tcp).await.unwrap();
            tls.write_all(b"x").await.unwrap();
            tls.flush().await.unwrap();
            tls.get_mut().shutdown().await.unwrap();
            drop(tls);
            // 3. A client that does not trust us: both sides fail.
            let (tcp, _) = listener.accept().await.unwrap();
            let err = oxssl::tokio::accept(&acceptor, tcp).await.unwrap_err();
            eprintln!("server side of the refused handshake: {err}");
        });

        // 1.
        let tcp = TcpStream::connect(addr).await.unwrap();
        let mut tls = oxssl::tokio::connect(&good, "localhost", tcp)
            .await
            .unwrap();
        tls.write_all(b"hello").await.unwrap();
        tls.shutdown().await.unwrap();
        assert!(tls.ssl().get_shutdown().contains(ShutdownState::SENT));
        let err = tls.write_all(b"more").await.unwrap_err();
        eprintln!("write after shutdown: {err}");
        tls.shutdown().await.expect("a second shutdown is harmless");
        let mut buf = Vec::new();
        tls.read_to_end(&mut buf).await.unwrap();
        assert_eq!(buf, b"bye");
        assert_eq!(tls.read(&mut [0u8; 10]).await.unwrap(), 0);
        assert_eq!(tls.read(&mut [0u8; 10]).await.unwrap(), 0);

        // 2.
        let tcp = TcpStream::connect(addr).await.unwrap();
        let mut tls = oxssl::tokio::connect(&good, "localhost", tcp)
            .await
            .unwrap();
        let mut x = [0u8; 1];
        tls.read_exact(&mut x).await.unwrap();
        let err = tls.read(&mut [0u8; 10]).await.unwrap_err();
        eprintln!("EOF without close_notify: {err}");
        let err = tls.read(&mut [0u8; 10]).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionAborted, "{err}");
        drop(tls);

        // 3.
        let tcp = TcpStream::connect(addr).await.unwrap();
        let err = oxssl::tokio::connect(&untrusting, "localhost", tcp)
            .await
            .unwrap_err();
        assert_eq!(err.code(), oxssl::ssl::ErrorCode::SSL, "{err}");
        eprintln!("client side of the refused handshake: {err}");
        server.await.unwrap();
    });
}

#[test]
fn early_data_read_by_the_async_server() {
    use oxssl::negotiated::EarlyData;
    let pki = server_pki(KeyKind::EcdsaP256);
    let server_ctx = {
        let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
        b.set_certificate_chain_der(vec![pki.leaf_der.clone()])
            .unwrap();
        b.set_private_key_der(&pki.key_der).unwrap();
        b.set_max_early_data(16384).unwrap();
        b.build()
    };
    let client_ctx = connector(pki, None);
    run(Duration::from_secs(60), async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // The client: oxssl's blocking stream in a thread (write_early_data is sync only).
        let client = tokio::task::spawn_blocking(move || {
            let tcp = std::net::TcpStream::connect(addr).unwrap();
            blocking_timeouts(&tcp);
            let mut s = client_ctx.connect("localhost", tcp).unwrap();
            let mut x = [0u8; 1];
            s.read_exact(&mut x).unwrap(); // the tickets came before it
            let session = s.ssl().session().expect("a ticket");
            s.shutdown().unwrap();

            let tcp = std::net::TcpStream::connect(addr).unwrap();
            blocking_timeouts(&tcp);
            let mut ssl = client_ctx
                .configure()
                .unwrap()
                .into_ssl("localhost")
                .unwrap();
            ssl.set_session(&session).unwrap();
            ssl.set_connect_state();
            let mut s = oxssl::ssl::SslStream::new(ssl, tcp).unwrap();
            assert_eq!(s.write_early_data(b"early bytes").unwrap(), 11);
            s.connect().unwrap();
            let mut reply = Vec::new();
            s.read_to_end(&mut reply).unwrap();
            s.ssl().early_data_status()
        });
        let (tcp, _) = listener.accept().await.unwrap();
        let mut tls = oxssl::tokio::accept(&server_ctx, tcp).await.unwrap();
        tls.write_all(b"x").await.unwrap();
        assert_eq!(tls.read(&mut [0u8; 1]).await.unwrap(), 0);

        let (tcp, _) = listener.accept().await.unwrap();
        let mut ssl = Ssl::new(server_ctx.context()).unwrap();
        ssl.set_accept_state();
        let mut tls = SslStream::new(ssl, tcp).unwrap();
        let mut early = Vec::new();
        let mut buf = [0u8; 4];
        loop {
            match Pin::new(&mut tls).read_early_data(&mut buf).await.unwrap() {
                0 => break,
                n => early.extend_from_slice(&buf[..n]),
            }
        }
        assert_eq!(early, b"early bytes");
        Pin::new(&mut tls).accept().await.unwrap();
        assert_eq!(tls.ssl().early_data_status(), EarlyData::Accepted);
        tls.write_all(b"got it").await.unwrap();
        tls.shutdown().await.unwrap();
        assert_eq!(client.await.unwrap(), EarlyData::Accepted);
    });
}

#[test]
fn hyper_client_and_server_over_oxssl() {
    let pki = server_pki(KeyKind::EcdsaP256);
    let acceptor = ox_acceptor(pki);
    run(Duration::from_secs(60), async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(hyper_server::serve(listener, acceptor));
        for (max, version) in [(None, "TLSv1.3"), (Some(SslVersion::TLS1_2), "TLSv1.2")] {
            let url = format!("https://localhost:{port}/hello?x=1");
            let (host, port, path) = hyper_client::parse_url(&url).unwrap();
            let page = hyper_client::fetch(&connector(pki, max), &host, port, &path)
                .await
                .expect("fetch");
            assert_eq!(page.status, hyper::StatusCode::OK);
            assert_eq!(page.version, version);
            assert_eq!(&page.body[..], b"hello from oxssl over hyper: GET /hello\n");
        }
        // Host verification: a server whose certificate is for another name is refused.
        let other = certs::issue(&certs::LeafSpec {
            names: vec!["other.test".into()],
            ..certs::LeafSpec::server(KeyKind::EcdsaP256)
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let impostor = tokio::spawn(hyper_server::serve(listener, ox_acceptor(&other)));
        let err = hyper_client::fetch(&connector(pki, None), "localhost", port, "/")
            .await
            .unwrap_err();
        let err = err.downcast::<oxssl::ssl::Error>().expect("a TLS error");
        let verify = err.ssl_error().and_then(|s| s.errors()[0].verify_result);
        assert_eq!(verify, Some(62), "X509_V_ERR_HOSTNAME_MISMATCH: {err}");
        impostor.abort();
        server.abort();
    });
}
