//! `BIO_s_mem`: a growable in-memory buffer shared between handles.

use super::{Bio, BioError, RetryFlags};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

#[derive(Debug, Default)]
struct Inner {
    data: VecDeque<u8>,
    /// What an empty read returns: -1 (retry, the default) or 0 (EOF), as `BIO_set_mem_eof_return`.
    eof_return: i32,
}

/// A memory BIO. Clones are handles to the same buffer, so a test or a driver can feed
/// and drain it while an `Ssl` owns another handle.
///
/// Writes always succeed. An empty read asks for a retry (WANT_READ) unless
/// [`MemBio::set_eof_return`] set it to 0, in which case it reports end of file.
///
/// ```
/// use oxssl::bio::{Bio, MemBio};
/// let mut a = MemBio::new();
/// let mut b = a.clone();
/// a.write(b"hello").unwrap();
/// let mut buf = [0u8; 8];
/// assert_eq!(b.read(&mut buf).unwrap(), 5);
/// assert!(b.read(&mut buf).is_err()); // empty: retry
/// ```
#[derive(Clone, Debug)]
pub struct MemBio {
    inner: Arc<Mutex<Inner>>,
    flags: RetryFlags,
}

impl Default for MemBio {
    fn default() -> Self {
        Self::new()
    }
}

impl MemBio {
    /// An empty memory BIO whose empty reads ask for a retry.
    pub fn new() -> Self {
        MemBio {
            inner: Arc::new(Mutex::new(Inner {
                data: VecDeque::new(),
                eof_return: -1,
            })),
            flags: RetryFlags::NONE,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `BIO_set_mem_eof_return`: 0 makes an empty read report EOF; any negative value
    /// makes it ask for a retry.
    pub fn set_eof_return(&self, v: i32) {
        self.lock().eof_return = v;
    }

    /// Appends bytes (what a peer would have written).
    pub fn push(&self, data: &[u8]) {
        self.lock().data.extend(data);
    }

    /// Removes and returns everything buffered.
    pub fn take_all(&self) -> Vec<u8> {
        self.lock().data.drain(..).collect()
    }

    /// Bytes buffered.
    pub fn len(&self) -> usize {
        self.lock().data.len()
    }

    /// True when nothing is buffered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Bio for MemBio {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, BioError> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if inner.data.is_empty() {
            if buf.is_empty() {
                self.flags = RetryFlags::NONE;
                return Ok(0);
            }
            if inner.eof_return == 0 {
                self.flags = RetryFlags::NONE;
                return Ok(0);
            }
            self.flags = RetryFlags::READ;
            return Err(BioError::Retry);
        }
        self.flags = RetryFlags::NONE;
        Ok(super::take_front(&mut inner.data, buf))
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize, BioError> {
        self.flags = RetryFlags::NONE;
        self.lock().data.extend(buf);
        Ok(buf.len())
    }

    fn retry_flags(&self) -> RetryFlags {
        self.flags
    }

    fn pending(&self) -> usize {
        self.len()
    }
}
