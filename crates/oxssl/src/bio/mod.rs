//! BIOs: the transports an [`crate::ssl::Ssl`] reads records from and writes records to,
//! with OpenSSL's retry semantics.
//!
//! A BIO operation that cannot proceed now fails with [`BioError::Retry`] and leaves retry
//! flags ([`RetryFlags`]) saying why (`BIO_should_read`, `BIO_should_write`,
//! `BIO_should_io_special`); `SSL_get_error` reads them to tell WANT_READ from WANT_WRITE.
//!
//! - [`MemBio`]: an in-memory buffer (`BIO_s_mem`), with the EOF-return switch;
//! - [`BioPair`]: two halves with fixed-size ring buffers (`BIO_new_bio_pair`);
//! - [`SocketBio`]: a `TcpStream`, blocking or non-blocking (`BIO_s_socket`);
//! - [`BufferBio`]: a write-buffering filter (`BIO_f_buffer`);
//! - [`StreamBio`]: any `Read + Write`.

mod buffer;
mod mem;
mod pair;
mod socket;
mod stream;

pub use buffer::BufferBio;
pub use mem::MemBio;
pub use pair::{BioPair, PairBio};
pub use socket::SocketBio;
pub use stream::StreamBio;

use std::io;

/// Why the last operation asked to be retried (`BIO_get_retry_flags`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RetryFlags {
    /// `BIO_should_read`: retry when the transport is readable.
    pub read: bool,
    /// `BIO_should_write`: retry when the transport is writable.
    pub write: bool,
    /// `BIO_should_io_special`: retry for another reason (a connecting socket).
    pub special: bool,
}

impl RetryFlags {
    /// No retry requested.
    pub const NONE: RetryFlags = RetryFlags {
        read: false,
        write: false,
        special: false,
    };
    /// Retry reading.
    pub const READ: RetryFlags = RetryFlags {
        read: true,
        write: false,
        special: false,
    };
    /// Retry writing.
    pub const WRITE: RetryFlags = RetryFlags {
        read: false,
        write: true,
        special: false,
    };

    /// `BIO_should_retry`.
    pub fn should_retry(self) -> bool {
        self.read || self.write || self.special
    }
}

/// A failed BIO operation.
#[derive(Debug)]
pub enum BioError {
    /// Not possible now; [`Bio::retry_flags`] says what to wait for.
    Retry,
    /// A transport error (errno is in the `io::Error`).
    Io(io::Error),
    /// Writing into a half whose writer side was shut down, or similar misuse.
    Closed,
}

impl std::fmt::Display for BioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BioError::Retry => f.write_str("operation would block; retry"),
            BioError::Io(e) => write!(f, "I/O error: {e}"),
            BioError::Closed => f.write_str("BIO is shut down for writing"),
        }
    }
}

impl std::error::Error for BioError {}

/// A byte transport with OpenSSL BIO semantics.
///
/// `read` returns `Ok(0)` at end of file; a would-block condition is
/// `Err(BioError::Retry)` with [`Bio::retry_flags`] set. Writes may be short.
pub trait Bio {
    /// Reads up to `buf.len()` bytes (`BIO_read`).
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, BioError>;
    /// Writes up to `buf.len()` bytes, returning how many were taken (`BIO_write`).
    fn write(&mut self, buf: &[u8]) -> Result<usize, BioError>;
    /// Pushes buffered output down (`BIO_flush`).
    fn flush(&mut self) -> Result<(), BioError> {
        Ok(())
    }
    /// The retry flags left by the last operation.
    fn retry_flags(&self) -> RetryFlags;
    /// Bytes ready to be read (`BIO_ctrl_pending`).
    fn pending(&self) -> usize {
        0
    }
    /// Bytes written but not yet passed on (`BIO_ctrl_wpending`).
    fn wpending(&self) -> usize {
        0
    }
}

/// Maps an `io::Error` from a stream to a BIO outcome, recording retry flags.
pub(crate) fn io_outcome(e: io::Error, flags: &mut RetryFlags, want: RetryFlags) -> BioError {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => {
            *flags = want;
            BioError::Retry
        }
        io::ErrorKind::NotConnected => {
            *flags = RetryFlags {
                special: true,
                ..want
            };
            BioError::Retry
        }
        _ => {
            *flags = RetryFlags::NONE;
            BioError::Io(e)
        }
    }
}

/// Moves up to `out.len()` bytes from the front of `queue` into `out` with two memcpys
/// (a ring buffer has at most two contiguous parts). Returns the count.
pub(crate) fn take_front(queue: &mut std::collections::VecDeque<u8>, out: &mut [u8]) -> usize {
    let n = out.len().min(queue.len());
    let (a, b) = queue.as_slices();
    let from_a = n.min(a.len());
    out[..from_a].copy_from_slice(&a[..from_a]);
    out[from_a..n].copy_from_slice(&b[..n - from_a]);
    queue.drain(..n);
    n
}
