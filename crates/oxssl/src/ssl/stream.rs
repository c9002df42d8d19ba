//! `SslStream`: a TLS connection over any `Read + Write` stream, implementing
//! `std::io::Read` and `Write`, with the `openssl` crate's handshake error types.

use super::connection::Ssl;
use super::error::{Error, ErrorCode, ErrorStack};
use super::flags::ShutdownResult;
use crate::bio::StreamBio;
use std::fmt;
use std::io::{self, Read, Write};

/// A TLS stream over `S`.
///
/// ```no_run
/// use oxssl::ssl::{SslConnector, SslMethod};
/// use std::io::{Read, Write};
/// use std::net::TcpStream;
///
/// let connector = SslConnector::builder(SslMethod::tls()).unwrap().build();
/// let tcp = TcpStream::connect("example.com:443").unwrap();
/// let mut tls = connector.connect("example.com", tcp).unwrap();
/// tls.write_all(b"GET / HTTP/1.0\r\nHost: example.com\r\n\r\n").unwrap();
/// let mut page = Vec::new();
/// tls.read_to_end(&mut page).unwrap();
/// ```
pub struct SslStream<S> {
    ssl: Ssl,
    bio: StreamBio<S>,
}

impl<S> fmt::Debug for SslStream<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SslStream")
            .field("ssl", &self.ssl)
            .finish_non_exhaustive()
    }
}

impl<S: Read + Write> SslStream<S> {
    /// Pairs a configured `Ssl` with a stream (no I/O yet).
    pub fn new(ssl: Ssl, stream: S) -> Result<Self, ErrorStack> {
        Ok(SslStream {
            ssl,
            bio: StreamBio::new(stream),
        })
    }

    /// `SSL_connect`.
    pub fn connect(&mut self) -> Result<(), Error> {
        self.ssl.set_connect_state();
        self.do_handshake()
    }

    /// `SSL_accept`.
    pub fn accept(&mut self) -> Result<(), Error> {
        self.ssl.set_accept_state();
        self.do_handshake()
    }

    /// Runs one operation, then hands new sessions to the context's callback.
    fn op<T>(&mut self, f: impl FnOnce(&mut Ssl, &mut StreamBio<S>) -> T) -> T {
        let r = f(&mut self.ssl, &mut self.bio);
        self.ssl.deliver_callbacks();
        r
    }

    /// `SSL_write_early_data` (client); see [`Ssl::write_early_data`].
    pub fn write_early_data(&mut self, buf: &[u8]) -> Result<usize, Error> {
        self.op(|ssl, io| ssl.write_early_data_io(io, buf))
    }

    /// `SSL_read_early_data` (server); see [`Ssl::read_early_data`].
    pub fn read_early_data(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.op(|ssl, io| ssl.read_early_data_io(io, buf))
    }

    /// `SSL_do_handshake`.
    pub fn do_handshake(&mut self) -> Result<(), Error> {
        self.op(|ssl, io| ssl.do_handshake_io(io))
    }

    /// `SSL_read_ex`; see [`Ssl::ssl_read`].
    pub fn ssl_read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.op(|ssl, io| ssl.read_io(io, buf, false))
    }

    /// `SSL_peek_ex`.
    pub fn ssl_peek(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.op(|ssl, io| ssl.read_io(io, buf, true))
    }

    /// `SSL_write_ex`; see [`Ssl::ssl_write`].
    pub fn ssl_write(&mut self, buf: &[u8]) -> Result<usize, Error> {
        self.op(|ssl, io| ssl.write_io(io, buf))
    }

    /// `SSL_shutdown`.
    pub fn shutdown(&mut self) -> Result<ShutdownResult, Error> {
        self.op(|ssl, io| ssl.shutdown_io(io))
    }

    /// The `Ssl`.
    pub fn ssl(&self) -> &Ssl {
        &self.ssl
    }

    /// The `Ssl`, mutably (modes, key updates).
    pub fn ssl_mut(&mut self) -> &mut Ssl {
        &mut self.ssl
    }

    /// The stream.
    pub fn get_ref(&self) -> &S {
        self.bio.get_ref()
    }

    /// The stream, mutably. Reading or writing it directly corrupts the TLS stream.
    pub fn get_mut(&mut self) -> &mut S {
        self.bio.get_mut()
    }
}

/// An SSL error as an `io::Error`: the transport's own error when it has one.
pub(crate) fn to_io(e: Error) -> io::Error {
    e.into_io_error().unwrap_or_else(io::Error::other)
}

/// What a `read` on a stream makes of an `ssl_read` result (shared by this stream and the
/// async one): `None` means "call `ssl_read` again at once".
pub(crate) fn read_outcome(r: Result<usize, Error>, buf_empty: bool) -> Option<io::Result<usize>> {
    match r {
        Ok(n) => Some(Ok(n)),
        Err(e) if e.code() == ErrorCode::ZERO_RETURN => Some(Ok(0)),
        Err(e) if e.code() == ErrorCode::SYSCALL && e.io_error().is_none() => {
            // SYSCALL without an I/O error: an empty buffer, or a connection that failed
            // earlier. The latter must keep failing: Ok(0) would make a truncation look
            // like a clean close.
            if buf_empty {
                return Some(Ok(0));
            }
            Some(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the TLS connection failed earlier; nothing more can be read",
            )))
        }
        // WANT_READ without an I/O error: a record other than application data was
        // processed (AUTO_RETRY off); the transport was not asked to wait for anything.
        Err(e) if e.code() == ErrorCode::WANT_READ && e.io_error().is_none() => None,
        Err(e) => Some(Err(to_io(e))),
    }
}

/// What a `write` on a stream makes of an `ssl_write` result: `None` means "call
/// `ssl_write` again at once" (with the same buffer).
pub(crate) fn write_outcome(r: Result<usize, Error>) -> Option<io::Result<usize>> {
    match r {
        Ok(n) => Some(Ok(n)),
        Err(e) if e.code() == ErrorCode::WANT_READ && e.io_error().is_none() => None,
        Err(e) => Some(Err(to_io(e))),
    }
}

impl<S: Read + Write> Read for SslStream<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let r = self.ssl_read(buf);
            if let Some(out) = read_outcome(r, buf.is_empty()) {
                return out;
            }
        }
    }
}

impl<S: Read + Write> Write for SslStream<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            let r = self.ssl_write(buf);
            if let Some(out) = write_outcome(r) {
                return out;
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.bio.get_mut().flush()
    }
}

/// A handshake that stopped: it failed, or it would block and can be resumed.
pub enum HandshakeError<S> {
    /// The `Ssl` could not be set up.
    SetupFailure(ErrorStack),
    /// The handshake failed.
    Failure(MidHandshakeSslStream<S>),
    /// The handshake needs the stream to become readable or writable; call
    /// [`MidHandshakeSslStream::handshake`] then.
    WouldBlock(MidHandshakeSslStream<S>),
}

impl<S> fmt::Debug for HandshakeError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandshakeError::SetupFailure(e) => write!(f, "SetupFailure({e:?})"),
            HandshakeError::Failure(m) => write!(f, "Failure({:?})", m.error),
            HandshakeError::WouldBlock(m) => write!(f, "WouldBlock({:?})", m.error),
        }
    }
}

impl<S> fmt::Display for HandshakeError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandshakeError::SetupFailure(e) => write!(f, "TLS setup failed: {e}"),
            HandshakeError::Failure(m) => write!(f, "TLS handshake failed: {}", m.error),
            HandshakeError::WouldBlock(m) => write!(f, "TLS handshake would block: {}", m.error),
        }
    }
}

impl<S> std::error::Error for HandshakeError<S> {}

impl<S> From<ErrorStack> for HandshakeError<S> {
    fn from(e: ErrorStack) -> Self {
        HandshakeError::SetupFailure(e)
    }
}

/// A stream whose handshake has not finished.
pub struct MidHandshakeSslStream<S> {
    stream: Box<SslStream<S>>,
    error: Error,
}

impl<S: Read + Write> MidHandshakeSslStream<S> {
    /// The stream.
    pub fn get_ref(&self) -> &S {
        self.stream.get_ref()
    }

    /// The stream, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        self.stream.get_mut()
    }

    /// The `Ssl`.
    pub fn ssl(&self) -> &Ssl {
        self.stream.ssl()
    }

    /// Why the handshake stopped.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// Takes the error.
    pub fn into_error(self) -> Error {
        self.error
    }

    /// Resumes the handshake.
    pub fn handshake(mut self) -> Result<SslStream<S>, HandshakeError<S>> {
        match self.stream.do_handshake() {
            Ok(()) => Ok(*self.stream),
            Err(error) => Err(mid(*self.stream, error)),
        }
    }
}

fn mid<S>(stream: SslStream<S>, error: Error) -> HandshakeError<S> {
    let blocked = matches!(error.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE);
    let m = MidHandshakeSslStream {
        stream: Box::new(stream),
        error,
    };
    if blocked {
        HandshakeError::WouldBlock(m)
    } else {
        HandshakeError::Failure(m)
    }
}

impl Ssl {
    /// Runs a client handshake over `stream` (the `openssl` crate's `Ssl::connect`).
    pub fn connect<S: Read + Write>(
        mut self,
        stream: S,
    ) -> Result<SslStream<S>, HandshakeError<S>> {
        self.set_connect_state();
        let mut s = SslStream::new(self, stream)?;
        match s.do_handshake() {
            Ok(()) => Ok(s),
            Err(e) => Err(mid(s, e)),
        }
    }

    /// Runs a server handshake over `stream` (the `openssl` crate's `Ssl::accept`).
    pub fn accept<S: Read + Write>(mut self, stream: S) -> Result<SslStream<S>, HandshakeError<S>> {
        self.set_accept_state();
        let mut s = SslStream::new(self, stream)?;
        match s.do_handshake() {
            Ok(()) => Ok(s),
            Err(e) => Err(mid(s, e)),
        }
    }
}
