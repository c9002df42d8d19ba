//! An async TLS stream for tokio (feature `tokio`), shaped like the `tokio-openssl` crate:
//! [`SslStream`] over any `S: AsyncRead + AsyncWrite + Unpin`, plus [`connect`] and
//! [`accept`] helpers in the manner of `tokio-rustls`.
//!
//! The stream drives the same [`Ssl`] state machine as the blocking [`crate::ssl::SslStream`].
//! During each poll the transport is seen through a BIO that polls `S` with the task's
//! waker and turns `Poll::Pending` into a BIO retry, so the operation returns
//! `WANT_READ`/`WANT_WRITE`, which the stream returns as `Poll::Pending`.
//!
//! ```no_run
//! use oxssl::ssl::{SslConnector, SslMethod};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let connector = SslConnector::builder(SslMethod::tls())?.build();
//! let tcp = tokio::net::TcpStream::connect("example.com:443").await?;
//! let mut tls = oxssl::tokio::connect(&connector, "example.com", tcp).await?;
//! tls.write_all(b"GET / HTTP/1.0\r\nHost: example.com\r\n\r\n").await?;
//! let mut page = Vec::new();
//! tls.read_to_end(&mut page).await?;
//! tls.shutdown().await?; // close_notify, then the TCP write side
//! # Ok(())
//! # }
//! ```
//!
//! # Writes
//!
//! OpenSSL requires a write that returned `WANT_WRITE` to be retried with the same bytes,
//! while `AsyncWrite::poll_write` may be called again with any buffer after
//! `Poll::Pending`, or not at all. So `poll_write` returns `Pending` only when it took
//! nothing, and a write whose record the transport took only part of reports its bytes
//! as written and keeps a copy of them (one record, at most 16 KiB): later writes,
//! flushes and the shutdown first finish that record. As with any buffered `AsyncWrite`,
//! call `flush` (or `shutdown`) to know that everything went out. [`SslStream::new`] sets
//! [`SslMode::ACCEPT_MOVING_WRITE_BUFFER`] (the retry comes from the copy) and
//! [`SslMode::ENABLE_PARTIAL_WRITE`] (a write encrypts one record per call, so the copy
//! is one record), as the `openssl` crate's connector and acceptor do.
//!
//! Reads push unfinished output along (that record, the end of a flight, an alert) but
//! do not wait for the transport to take it: a peer that stops reading until we read what
//! it sent cannot deadlock the stream.
//!
//! # Tasks
//!
//! The stream can be read in one task and written in another (`tokio::io::split`): the
//! transport's wake-ups go to both the last reading and the last writing task, since a
//! read may have to write (the end of a flight, an alert) and a handshake does both.

use crate::bio::{Bio, BioError, RetryFlags};
use crate::ssl::io::Io;
use crate::ssl::stream::{read_outcome, to_io, write_outcome};
use crate::ssl::{
    Error, ErrorCode, ErrorStack, ShutdownState, Ssl, SslAcceptor, SslConnector, SslMode,
};
use ::tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{ready, Context, Poll, Wake, Waker};

/// The most of the caller's buffer a read hands the `Ssl` (a read returns at most one
/// record, 16 KiB; this spares zeroing a large uninitialized buffer on every read).
const READ_CHUNK: usize = 64 * 1024;

/// An async TLS stream over `S` (the `tokio-openssl` crate's `SslStream`).
///
/// Create it with [`SslStream::new`] from a configured [`Ssl`], run the handshake with
/// [`SslStream::connect`] or [`SslStream::accept`], then use it through tokio's
/// `AsyncReadExt`/`AsyncWriteExt`. `shutdown` sends close_notify and then shuts the
/// transport's write side down; a read after the peer's close_notify returns 0 bytes.
///
/// ```no_run
/// use oxssl::ssl::{Ssl, SslAcceptor, SslFiletype, SslMethod};
/// use oxssl::tokio::SslStream;
/// use std::pin::Pin;
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls())?;
/// acceptor.set_certificate_chain_file("cert.pem")?;
/// acceptor.set_private_key_file("key.pem", SslFiletype::PEM)?;
/// let acceptor = acceptor.build();
///
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:4433").await?;
/// let (tcp, _) = listener.accept().await?;
/// let mut tls = SslStream::new(Ssl::new(acceptor.context())?, tcp)?;
/// Pin::new(&mut tls).accept().await?;
/// let mut line = [0u8; 256];
/// let n = tls.read(&mut line).await?;
/// tls.write_all(&line[..n]).await?;
/// tls.shutdown().await?;
/// # Ok(())
/// # }
/// ```
pub struct SslStream<S> {
    ssl: Ssl,
    stream: S,
    /// The bytes of a write already reported as written whose record the transport has
    /// not fully taken: what the `Ssl` must be given again (empty when none).
    unsent: Vec<u8>,
    /// The tasks to wake when the transport is ready.
    tasks: Arc<Tasks>,
    /// The waker the transport is polled with: it wakes `tasks`.
    waker: Waker,
}

impl<S> fmt::Debug for SslStream<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SslStream")
            .field("ssl", &self.ssl)
            .field("unsent", &self.unsent.len())
            .finish_non_exhaustive()
    }
}

/// Which kind of operation a task polled.
#[derive(Clone, Copy)]
enum Side {
    /// Reads and handshakes.
    Read = 0,
    /// Writes, flushes and shutdowns.
    Write = 1,
}

/// The last reading and the last writing task. The transport keeps one waker per
/// direction, but a read may write and a handshake does both, so the transport gets one
/// waker that wakes both tasks: a task that split the stream is never left asleep because
/// the other one registered in its place.
#[derive(Default)]
struct Tasks(Mutex<[Option<Waker>; 2]>);

impl Tasks {
    fn register(&self, side: Side, waker: &Waker) {
        let mut tasks = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = &mut tasks[side as usize];
        if !slot.as_ref().is_some_and(|w| w.will_wake(waker)) {
            *slot = Some(waker.clone());
        }
    }
}

impl Wake for Tasks {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let [reader, writer] = {
            let mut tasks = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            [tasks[0].take(), tasks[1].take()]
        };
        if let Some(r) = &reader {
            if writer.as_ref().is_some_and(|w| w.will_wake(r)) {
                r.wake_by_ref();
                return;
            }
        }
        for w in [reader, writer].into_iter().flatten() {
            w.wake();
        }
    }
}

/// The transport as a BIO for one operation: `S` polled with the stream's waker.
struct Transport<'a, 'b, S> {
    stream: &'a mut S,
    cx: &'a mut Context<'b>,
    flags: RetryFlags,
    /// The transport returned `Poll::Pending` (and so will wake the stream's tasks).
    blocked: bool,
}

impl<S> Transport<'_, '_, S> {
    fn outcome<T>(&mut self, p: Poll<io::Result<T>>, want: RetryFlags) -> Result<T, BioError> {
        match p {
            Poll::Ready(Ok(v)) => {
                self.flags = RetryFlags::NONE;
                Ok(v)
            }
            Poll::Ready(Err(e)) => {
                self.flags = RetryFlags::NONE;
                Err(BioError::Io(e))
            }
            Poll::Pending => {
                self.flags = want;
                self.blocked = true;
                Err(BioError::Retry)
            }
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Bio for Transport<'_, '_, S> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, BioError> {
        let mut rb = ReadBuf::new(buf);
        let p = Pin::new(&mut *self.stream).poll_read(self.cx, &mut rb);
        let n = rb.filled().len();
        self.outcome(p.map_ok(|()| n), RetryFlags::READ)
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize, BioError> {
        let p = Pin::new(&mut *self.stream).poll_write(self.cx, buf);
        // Ok(0) for a non-empty buffer: the transport takes nothing more. An error, never
        // a retry (nothing would wake us).
        let p = p.map(|r| match r {
            Ok(0) if !buf.is_empty() => Err(io::ErrorKind::WriteZero.into()),
            r => r,
        });
        self.outcome(p, RetryFlags::WRITE)
    }

    fn flush(&mut self) -> Result<(), BioError> {
        let p = Pin::new(&mut *self.stream).poll_flush(self.cx);
        self.outcome(p, RetryFlags::WRITE)
    }

    fn retry_flags(&self) -> RetryFlags {
        self.flags
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Io for Transport<'_, '_, S> {
    fn rbio(&mut self) -> Option<&mut dyn Bio> {
        Some(self)
    }

    fn wbio(&mut self) -> Option<&mut dyn Bio> {
        Some(self)
    }
}

impl<S> SslStream<S> {
    /// The `Ssl` (negotiated version, cipher, peer certificate, ...).
    pub fn ssl(&self) -> &Ssl {
        &self.ssl
    }

    /// The `Ssl`, mutably (modes, key updates).
    pub fn ssl_mut(&mut self) -> &mut Ssl {
        &mut self.ssl
    }

    /// The underlying stream.
    pub fn get_ref(&self) -> &S {
        &self.stream
    }

    /// The underlying stream, mutably. Reading or writing it directly corrupts the TLS
    /// stream.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> SslStream<S> {
    /// Pairs a configured `Ssl` with a stream (no I/O yet). Sets
    /// [`SslMode::ACCEPT_MOVING_WRITE_BUFFER`] and [`SslMode::ENABLE_PARTIAL_WRITE`] on
    /// `ssl` (see the [module documentation](self)).
    pub fn new(mut ssl: Ssl, stream: S) -> Result<Self, ErrorStack> {
        ssl.set_mode(SslMode::ACCEPT_MOVING_WRITE_BUFFER | SslMode::ENABLE_PARTIAL_WRITE);
        ssl.set_read_skips_blocked_output(true);
        let tasks = Arc::new(Tasks::default());
        Ok(SslStream {
            ssl,
            stream,
            unsent: Vec::new(),
            waker: Waker::from(tasks.clone()),
            tasks,
        })
    }

    /// The underlying stream, pinned.
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut S> {
        Pin::new(&mut self.get_mut().stream)
    }

    /// Runs one `Ssl` operation with the transport polled on behalf of the task of `cx`.
    /// `Poll::Pending` only when the transport returned it (so a wake-up will come).
    fn poll_op<T>(
        &mut self,
        cx: &mut Context<'_>,
        side: Side,
        op: impl FnOnce(&mut Ssl, &mut dyn Io) -> Result<T, Error>,
    ) -> Poll<Result<T, Error>> {
        self.tasks.register(side, cx.waker());
        let mut inner = Context::from_waker(&self.waker);
        let mut io = Transport {
            stream: &mut self.stream,
            cx: &mut inner,
            flags: RetryFlags::NONE,
            blocked: false,
        };
        let r = op(&mut self.ssl, &mut io);
        let blocked = io.blocked;
        self.ssl.deliver_callbacks();
        match r {
            Err(e)
                if blocked && matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE) =>
            {
                Poll::Pending
            }
            r => Poll::Ready(r),
        }
    }

    /// Polls the underlying stream directly (flush, shutdown) through the stream's waker.
    fn poll_inner<T>(
        &mut self,
        cx: &mut Context<'_>,
        f: impl FnOnce(Pin<&mut S>, &mut Context<'_>) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        self.tasks.register(Side::Write, cx.waker());
        f(
            Pin::new(&mut self.stream),
            &mut Context::from_waker(&self.waker),
        )
    }

    /// Hands the `Ssl` the bytes of the write reported as written earlier, so that it
    /// finishes their record.
    fn poll_unsent(&mut self, cx: &mut Context<'_>, side: Side) -> Poll<Result<(), Error>> {
        if self.unsent.is_empty() {
            return Poll::Ready(Ok(()));
        }
        let unsent = std::mem::take(&mut self.unsent);
        let r = self.poll_op(cx, side, |ssl, io| ssl.write_io(io, &unsent));
        if !matches!(r, Poll::Ready(Ok(_))) {
            // Still owed (or failed: then every later write and flush fails too).
            self.unsent = unsent;
        }
        r.map_ok(|_| ())
    }

    /// `SSL_connect`, polled: sets the connect state and runs the handshake.
    pub fn poll_connect(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let this = self.get_mut();
        this.ssl.set_connect_state();
        this.poll_op(cx, Side::Read, |ssl, io| ssl.do_handshake_io(io))
    }

    /// `SSL_connect`: the client handshake (a wrapper of [`SslStream::poll_connect`]).
    pub async fn connect(mut self: Pin<&mut Self>) -> Result<(), Error> {
        poll_fn(|cx| self.as_mut().poll_connect(cx)).await
    }

    /// `SSL_accept`, polled: sets the accept state and runs the handshake.
    pub fn poll_accept(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let this = self.get_mut();
        this.ssl.set_accept_state();
        this.poll_op(cx, Side::Read, |ssl, io| ssl.do_handshake_io(io))
    }

    /// `SSL_accept`: the server handshake (a wrapper of [`SslStream::poll_accept`]).
    pub async fn accept(mut self: Pin<&mut Self>) -> Result<(), Error> {
        poll_fn(|cx| self.as_mut().poll_accept(cx)).await
    }

    /// `SSL_do_handshake`, polled: runs the handshake in the state already set on the
    /// `Ssl` (or, on an established connection, a renegotiation asked for).
    pub fn poll_do_handshake(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), Error>> {
        self.get_mut()
            .poll_op(cx, Side::Read, |ssl, io| ssl.do_handshake_io(io))
    }

    /// `SSL_do_handshake` (a wrapper of [`SslStream::poll_do_handshake`]).
    pub async fn do_handshake(mut self: Pin<&mut Self>) -> Result<(), Error> {
        poll_fn(|cx| self.as_mut().poll_do_handshake(cx)).await
    }

    /// `SSL_read_early_data` (server), polled; see [`Ssl::read_early_data`].
    pub fn poll_read_early_data(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<Result<usize, Error>> {
        self.get_mut()
            .poll_op(cx, Side::Read, |ssl, io| ssl.read_early_data_io(io, buf))
    }

    /// `SSL_read_early_data` (server): the client's early data before the handshake
    /// completes; `Ok(0)` when there is no more (then finish with
    /// [`SslStream::accept`]). See [`Ssl::read_early_data`].
    pub async fn read_early_data(mut self: Pin<&mut Self>, buf: &mut [u8]) -> Result<usize, Error> {
        poll_fn(|cx| self.as_mut().poll_read_early_data(cx, buf)).await
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for SslStream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        // An unfinished record of ours goes out when the transport takes it, but the read
        // does not wait for it: the peer may be waiting for us to read.
        let _ = this.poll_unsent(cx, Side::Read);
        let dst = buf.initialize_unfilled_to(buf.remaining().min(READ_CHUNK));
        loop {
            let r = ready!(this.poll_op(cx, Side::Read, |ssl, io| ssl.read_io(io, dst, false)));
            if let Some(out) = read_outcome(r, dst.is_empty()) {
                let n = out?;
                buf.advance(n);
                return Poll::Ready(Ok(()));
            }
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for SslStream<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_unsent(cx, Side::Write)).map_err(to_io)?;
        loop {
            match this.poll_op(cx, Side::Write, |ssl, io| ssl.write_io(io, buf)) {
                Poll::Ready(r) => {
                    if let Some(out) = write_outcome(r) {
                        return Poll::Ready(out);
                    }
                }
                Poll::Pending => {
                    // The record is built from `buf` but not fully sent: it counts as
                    // written, and its bytes are kept to finish it (see the module docs).
                    let Some(n) = this.ssl.pending_write_len() else {
                        return Poll::Pending;
                    };
                    let Some(taken) = buf.get(..n) else {
                        return Poll::Ready(Err(io::Error::other(
                            "pending TLS write longer than the buffer",
                        )));
                    };
                    this.unsent = taken.to_vec();
                    return Poll::Ready(Ok(n));
                }
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_unsent(cx, Side::Write)).map_err(to_io)?;
        ready!(this.poll_op(cx, Side::Write, |ssl, io| ssl.flush_io(io))).map_err(to_io)?;
        this.poll_inner(cx, |s, cx| s.poll_flush(cx))
    }

    /// Sends close_notify (once; the peer's is not waited for), then shuts the underlying
    /// stream down. Fails if the handshake has not completed or the connection failed.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_unsent(cx, Side::Write)).map_err(to_io)?;
        if !this.ssl.get_shutdown().contains(ShutdownState::SENT) {
            ready!(this.poll_op(cx, Side::Write, |ssl, io| ssl.shutdown_io(io))).map_err(to_io)?;
        }
        // The rest of close_notify, if the transport took only part of it.
        ready!(this.poll_op(cx, Side::Write, |ssl, io| ssl.flush_io(io))).map_err(to_io)?;
        this.poll_inner(cx, |s, cx| s.poll_shutdown(cx))
    }
}

/// Connects to `domain` over `stream` with `connector`'s settings: sends SNI, runs the
/// handshake and checks the certificate for `domain` (like
/// [`SslConnector::connect`], async).
///
/// ```no_run
/// use oxssl::ssl::{SslConnector, SslMethod};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let connector = SslConnector::builder(SslMethod::tls())?.build();
/// let tcp = tokio::net::TcpStream::connect("example.com:443").await?;
/// let tls = oxssl::tokio::connect(&connector, "example.com", tcp).await?;
/// println!("{}", tls.ssl().version_str());
/// # Ok(())
/// # }
/// ```
pub async fn connect<S: AsyncRead + AsyncWrite + Unpin>(
    connector: &SslConnector,
    domain: &str,
    stream: S,
) -> Result<SslStream<S>, Error> {
    let ssl = connector.configure()?.into_ssl(domain)?;
    let mut tls = SslStream::new(ssl, stream)?;
    Pin::new(&mut tls).connect().await?;
    Ok(tls)
}

/// Runs a server handshake over `stream` with `acceptor`'s settings (like
/// [`SslAcceptor::accept`], async).
///
/// ```no_run
/// use oxssl::ssl::{SslAcceptor, SslFiletype, SslMethod};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls())?;
/// acceptor.set_certificate_chain_file("cert.pem")?;
/// acceptor.set_private_key_file("key.pem", SslFiletype::PEM)?;
/// let acceptor = acceptor.build();
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:4433").await?;
/// loop {
///     let (tcp, _) = listener.accept().await?;
///     let acceptor = acceptor.clone();
///     tokio::spawn(async move {
///         match oxssl::tokio::accept(&acceptor, tcp).await {
///             Ok(tls) => println!("{} with {}", tls.ssl().version_str(), tls.get_ref().peer_addr().unwrap()),
///             Err(e) => eprintln!("handshake failed: {e}"),
///         }
///     });
/// }
/// # }
/// ```
pub async fn accept<S: AsyncRead + AsyncWrite + Unpin>(
    acceptor: &SslAcceptor,
    stream: S,
) -> Result<SslStream<S>, Error> {
    let ssl = Ssl::new(acceptor.context())?;
    let mut tls = SslStream::new(ssl, stream)?;
    Pin::new(&mut tls).accept().await?;
    Ok(tls)
}
