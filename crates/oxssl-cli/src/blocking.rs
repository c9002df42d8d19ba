//! A minimal blocking driver for a sans-IO connection over a TCP socket. (The `ssl`
//! layer's `SslStream` replaces this once it exists.)

use oxssl::{Connection, Event, TlsError};
use std::io::{self, Read, Write};
use std::net::TcpStream;

/// A connection and its socket.
pub struct BlockingTls {
    pub conn: Connection,
    pub sock: TcpStream,
}

/// An error from either side of the driver.
#[derive(Debug)]
pub enum DriveError {
    Tls(TlsError),
    Io(io::Error),
}

impl std::fmt::Display for DriveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DriveError::Tls(e) => write!(f, "TLS error: {e}"),
            DriveError::Io(e) => write!(f, "I/O error: {e}"),
        }
    }
}

impl From<TlsError> for DriveError {
    fn from(e: TlsError) -> Self {
        DriveError::Tls(e)
    }
}

impl From<io::Error> for DriveError {
    fn from(e: io::Error) -> Self {
        DriveError::Io(e)
    }
}

impl BlockingTls {
    /// Sends everything the connection has queued.
    pub fn flush(&mut self) -> Result<(), DriveError> {
        while self.conn.wants_write() {
            let n = self.sock.write(self.conn.pending_tls())?;
            self.conn.consume_tls(n);
        }
        Ok(())
    }

    /// Reads from the socket once and processes what arrived. Returns false at EOF.
    fn fill(&mut self) -> Result<bool, DriveError> {
        let want = self.conn.wanted().max(16 * 1024);
        let space = self.conn.tls_read_space(want);
        let len = space.len();
        let n = self.sock.read(space)?;
        self.conn.commit_tls_read(len, n);
        Ok(n > 0)
    }

    /// Runs the handshake to completion.
    pub fn handshake(&mut self) -> Result<(), DriveError> {
        self.conn.start()?;
        while self.conn.is_handshaking() {
            self.flush()?;
            match self.conn.process_one() {
                Ok(Event::NeedData) => {
                    if !self.fill()? {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "peer closed during handshake",
                        )
                        .into());
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    let _ = self.flush();
                    return Err(e.into());
                }
            }
        }
        self.flush()
    }

    /// Writes all of `data` in records of up to 16 KiB.
    pub fn write_all(&mut self, mut data: &[u8]) -> Result<(), DriveError> {
        while !data.is_empty() {
            let n = self.conn.write_app_record(data, 16384)?;
            data = &data[n..];
            if self.conn.pending_tls().len() >= 64 * 1024 {
                self.flush()?;
            }
        }
        self.flush()
    }

    /// Reads some application data; Ok(0) after the peer's close_notify or EOF.
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize, DriveError> {
        loop {
            let n = self.conn.read_app(buf);
            if n > 0 {
                return Ok(n);
            }
            match self.conn.process_one() {
                Ok(Event::NeedData) => {
                    self.flush()?;
                    if !self.fill()? {
                        return Ok(0);
                    }
                }
                Ok(Event::CloseNotify) => return Ok(0),
                Ok(_) => {}
                Err(e) => {
                    let _ = self.flush();
                    return Err(e.into());
                }
            }
        }
    }

    /// Sends close_notify.
    pub fn close(&mut self) -> Result<(), DriveError> {
        self.conn.send_close_notify()?;
        self.flush()
    }
}
