//! `BIO_s_socket`: a TCP socket, blocking or non-blocking.

use super::{io_outcome, Bio, BioError, RetryFlags};
use std::io::{Read, Write};
use std::net::TcpStream;

/// A socket BIO. On a non-blocking socket, `WouldBlock` becomes a retry with the read or
/// write flag; a socket still connecting asks for a retry with the special flag
/// (`SSL_ERROR_WANT_CONNECT`).
#[derive(Debug)]
pub struct SocketBio {
    sock: TcpStream,
    flags: RetryFlags,
}

impl SocketBio {
    /// Wraps a connected (or connecting) socket.
    pub fn new(sock: TcpStream) -> Self {
        SocketBio {
            sock,
            flags: RetryFlags::NONE,
        }
    }

    /// The socket.
    pub fn get_ref(&self) -> &TcpStream {
        &self.sock
    }

    /// Gives the socket back.
    pub fn into_inner(self) -> TcpStream {
        self.sock
    }
}

impl Bio for SocketBio {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, BioError> {
        match self.sock.read(buf) {
            Ok(n) => {
                self.flags = RetryFlags::NONE;
                Ok(n)
            }
            Err(e) => Err(io_outcome(e, &mut self.flags, RetryFlags::READ)),
        }
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize, BioError> {
        match self.sock.write(buf) {
            Ok(n) => {
                self.flags = RetryFlags::NONE;
                Ok(n)
            }
            Err(e) => Err(io_outcome(e, &mut self.flags, RetryFlags::WRITE)),
        }
    }

    fn retry_flags(&self) -> RetryFlags {
        self.flags
    }
}
