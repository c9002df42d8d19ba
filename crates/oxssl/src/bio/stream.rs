//! A BIO over any `Read + Write` value (what `SslStream` uses for its stream).

use super::{io_outcome, Bio, BioError, RetryFlags};
use std::io::{Read, Write};

/// Adapts a `Read + Write` value: `WouldBlock` becomes a retry, other errors pass through.
#[derive(Debug)]
pub struct StreamBio<S> {
    stream: S,
    flags: RetryFlags,
}

impl<S> StreamBio<S> {
    /// Wraps `stream`.
    pub fn new(stream: S) -> Self {
        StreamBio {
            stream,
            flags: RetryFlags::NONE,
        }
    }

    /// The stream.
    pub fn get_ref(&self) -> &S {
        &self.stream
    }

    /// The stream, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// Gives the stream back.
    pub fn into_inner(self) -> S {
        self.stream
    }
}

impl<S: Read + Write> Bio for StreamBio<S> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, BioError> {
        match self.stream.read(buf) {
            Ok(n) => {
                self.flags = RetryFlags::NONE;
                Ok(n)
            }
            Err(e) => Err(io_outcome(e, &mut self.flags, RetryFlags::READ)),
        }
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize, BioError> {
        match self.stream.write(buf) {
            Ok(n) => {
                self.flags = RetryFlags::NONE;
                Ok(n)
            }
            Err(e) => Err(io_outcome(e, &mut self.flags, RetryFlags::WRITE)),
        }
    }

    fn flush(&mut self) -> Result<(), BioError> {
        self.stream
            .flush()
            .map_err(|e| io_outcome(e, &mut self.flags, RetryFlags::WRITE))
    }

    fn retry_flags(&self) -> RetryFlags {
        self.flags
    }
}
