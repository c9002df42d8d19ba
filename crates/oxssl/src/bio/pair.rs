//! `BIO_new_bio_pair`: two connected halves, each writing into its own fixed-size ring
//! buffer that the other half reads.

use super::{Bio, BioError, RetryFlags};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

/// OpenSSL's default pair buffer size (17 KiB, `BIO_new_bio_pair(..., 0, ...)`).
pub const DEFAULT_PAIR_SIZE: usize = 17 * 1024;

#[derive(Debug)]
struct Half {
    /// Bytes this half wrote and its peer has not read.
    buf: VecDeque<u8>,
    size: usize,
    /// `BIO_shutdown_wr` was called on this half.
    closed: bool,
    /// The size of the peer's last failed read (`BIO_ctrl_get_read_request` on this half).
    request: usize,
}

#[derive(Debug)]
struct Inner {
    halves: [Half; 2],
}

/// One half of a BIO pair. Clones are handles to the same half.
#[derive(Clone, Debug)]
pub struct PairBio {
    inner: Arc<Mutex<Inner>>,
    side: usize,
    flags: RetryFlags,
}

/// Constructor for BIO pairs.
pub struct BioPair;

impl BioPair {
    /// Two connected halves with buffers of `size1` and `size2` bytes (0 means the
    /// default 17408), like `BIO_new_bio_pair`.
    ///
    /// ```
    /// use oxssl::bio::{Bio, BioPair};
    /// let (mut a, mut b) = BioPair::new(8, 0);
    /// assert_eq!(a.write(b"0123456789").unwrap(), 8); // short write: the buffer is full
    /// assert_eq!(a.write_guarantee(), 0);
    /// let mut buf = [0u8; 16];
    /// assert_eq!(b.read(&mut buf).unwrap(), 8);
    /// ```
    #[allow(clippy::new_ret_no_self)]
    pub fn new(size1: usize, size2: usize) -> (PairBio, PairBio) {
        let half = |size: usize| Half {
            buf: VecDeque::new(),
            size: if size == 0 { DEFAULT_PAIR_SIZE } else { size },
            closed: false,
            request: 0,
        };
        let inner = Arc::new(Mutex::new(Inner {
            halves: [half(size1), half(size2)],
        }));
        (
            PairBio {
                inner: inner.clone(),
                side: 0,
                flags: RetryFlags::NONE,
            },
            PairBio {
                inner,
                side: 1,
                flags: RetryFlags::NONE,
            },
        )
    }
}

impl PairBio {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `BIO_ctrl_pending`: bytes this half can read now.
    pub fn pending(&self) -> usize {
        self.lock().halves[1 - self.side].buf.len()
    }

    /// `BIO_ctrl_wpending`: bytes this half wrote that the peer has not read.
    pub fn wpending(&self) -> usize {
        self.lock().halves[self.side].buf.len()
    }

    /// `BIO_ctrl_get_write_guarantee`: how much a write would take now (0 once shut down).
    pub fn write_guarantee(&self) -> usize {
        let g = self.lock();
        let h = &g.halves[self.side];
        if h.closed {
            0
        } else {
            h.size - h.buf.len()
        }
    }

    /// `BIO_ctrl_get_read_request`: how many bytes the peer's last failed read asked for.
    pub fn read_request(&self) -> usize {
        self.lock().halves[self.side].request
    }

    /// `BIO_shutdown_wr`: no more writes from this half; the peer reads EOF once drained.
    pub fn shutdown_wr(&self) {
        self.lock().halves[self.side].closed = true;
    }
}

impl Bio for PairBio {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, BioError> {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let peer = &mut g.halves[1 - self.side];
        peer.request = 0;
        if buf.is_empty() {
            self.flags = RetryFlags::NONE;
            return Ok(0);
        }
        if peer.buf.is_empty() {
            if peer.closed {
                self.flags = RetryFlags::NONE;
                return Ok(0);
            }
            peer.request = buf.len().min(peer.size);
            self.flags = RetryFlags::READ;
            return Err(BioError::Retry);
        }
        self.flags = RetryFlags::NONE;
        Ok(super::take_front(&mut peer.buf, buf))
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize, BioError> {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let me = &mut g.halves[self.side];
        // Writing answers (or supersedes) the peer's last read request, as in OpenSSL.
        me.request = 0;
        if me.closed {
            self.flags = RetryFlags::NONE;
            return Err(BioError::Closed);
        }
        if buf.is_empty() {
            self.flags = RetryFlags::NONE;
            return Ok(0);
        }
        let room = me.size - me.buf.len();
        if room == 0 {
            self.flags = RetryFlags::WRITE;
            return Err(BioError::Retry);
        }
        self.flags = RetryFlags::NONE;
        let n = room.min(buf.len());
        me.buf.extend(&buf[..n]);
        Ok(n)
    }

    fn retry_flags(&self) -> RetryFlags {
        self.flags
    }

    fn pending(&self) -> usize {
        PairBio::pending(self)
    }

    fn wpending(&self) -> usize {
        PairBio::wpending(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_semantics() {
        let (mut a, mut b) = BioPair::new(10, 0);
        let mut buf = [0u8; 5];
        assert!(matches!(b.read(&mut buf), Err(BioError::Retry)));
        assert!(b.retry_flags().read);
        assert_eq!(a.read_request(), 5);
        assert_eq!(a.write(b"hello world!").unwrap(), 10);
        assert!(matches!(a.write(b"x"), Err(BioError::Retry)));
        assert!(a.retry_flags().write);
        assert_eq!(b.pending(), 10);
        assert_eq!(a.wpending(), 10);
        assert_eq!(b.read(&mut buf).unwrap(), 5);
        assert_eq!(a.write_guarantee(), 5);
        a.shutdown_wr();
        assert_eq!(a.write_guarantee(), 0);
        assert!(matches!(a.write(b"x"), Err(BioError::Closed)));
        assert_eq!(b.read(&mut buf).unwrap(), 5);
        assert_eq!(b.read(&mut buf).unwrap(), 0, "EOF after shutdown_wr");
    }
}
