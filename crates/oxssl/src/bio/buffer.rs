//! `BIO_f_buffer`: a filter that collects small writes and passes them on in larger
//! pieces, on flush or when full. Reads pass through a read buffer.

use super::{Bio, BioError, RetryFlags};

/// Default buffer size, as OpenSSL's `DEFAULT_BUFFER_SIZE` (4096).
pub const DEFAULT_BUFFER_SIZE: usize = 4096;

/// A buffering filter over another BIO.
pub struct BufferBio<B> {
    next: B,
    out: Vec<u8>,
    input: Vec<u8>,
    in_pos: usize,
    size: usize,
    flags: RetryFlags,
}

impl<B: Bio> BufferBio<B> {
    /// A filter with `size`-byte buffers (0 for the default) in front of `next`.
    pub fn new(next: B, size: usize) -> Self {
        let size = if size == 0 { DEFAULT_BUFFER_SIZE } else { size };
        BufferBio {
            next,
            out: Vec::with_capacity(size),
            input: Vec::new(),
            in_pos: 0,
            size,
            flags: RetryFlags::NONE,
        }
    }

    /// The BIO below.
    pub fn get_ref(&self) -> &B {
        &self.next
    }

    /// The BIO below, mutably.
    pub fn get_mut(&mut self) -> &mut B {
        &mut self.next
    }

    fn drain_out(&mut self) -> Result<(), BioError> {
        while !self.out.is_empty() {
            match self.next.write(&self.out) {
                Ok(0) => return Err(BioError::Closed),
                Ok(n) => {
                    self.out.drain(..n);
                }
                Err(e) => {
                    self.flags = self.next.retry_flags();
                    return Err(e);
                }
            }
        }
        Ok(())
    }
}

impl<B: Bio> Bio for BufferBio<B> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, BioError> {
        if self.in_pos == self.input.len() {
            self.input.resize(self.size, 0);
            self.in_pos = 0;
            match self.next.read(&mut self.input) {
                Ok(n) => self.input.truncate(n),
                Err(e) => {
                    self.input.clear();
                    self.flags = self.next.retry_flags();
                    return Err(e);
                }
            }
            if self.input.is_empty() {
                self.flags = RetryFlags::NONE;
                return Ok(0);
            }
        }
        self.flags = RetryFlags::NONE;
        let n = buf.len().min(self.input.len() - self.in_pos);
        buf[..n].copy_from_slice(&self.input[self.in_pos..self.in_pos + n]);
        self.in_pos += n;
        Ok(n)
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize, BioError> {
        if self.out.len() + buf.len() > self.size {
            self.drain_out()?;
        }
        self.flags = RetryFlags::NONE;
        if buf.len() >= self.size {
            // Large writes go straight through once the buffer is empty.
            return match self.next.write(buf) {
                Ok(n) => Ok(n),
                Err(e) => {
                    self.flags = self.next.retry_flags();
                    Err(e)
                }
            };
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), BioError> {
        self.drain_out()?;
        self.next.flush()
    }

    fn retry_flags(&self) -> RetryFlags {
        self.flags
    }

    fn pending(&self) -> usize {
        self.input.len() - self.in_pos + self.next.pending()
    }

    fn wpending(&self) -> usize {
        self.out.len() + self.next.wpending()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bio::MemBio;

    #[test]
    fn buffers_until_flush() {
        let mem = MemBio::new();
        let mut b = BufferBio::new(mem.clone(), 16);
        b.write(b"abc").unwrap();
        b.write(b"def").unwrap();
        assert_eq!(mem.len(), 0);
        assert_eq!(b.wpending(), 6);
        b.flush().unwrap();
        assert_eq!(mem.take_all(), b"abcdef");
        mem.push(b"xyz");
        let mut buf = [0u8; 2];
        assert_eq!(b.read(&mut buf).unwrap(), 2);
        assert_eq!(b.read(&mut buf).unwrap(), 1);
        assert!(matches!(b.read(&mut buf), Err(BioError::Retry)));
        assert!(b.retry_flags().read);
    }
}
