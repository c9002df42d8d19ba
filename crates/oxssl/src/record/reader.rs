//! The incoming side: buffers transport bytes, frames records, opens them in place, and
//! keeps an application-data record's plaintext where it was decrypted until it is read.

use super::protect::Protection;
use super::{HEADER_LEN, MAX_CIPHERTEXT, MAX_PLAINTEXT};
use crate::error::TlsError;
use crate::msgs::enums::{AlertDescription, ContentType};
use crate::reason::Reason;

/// Most bytes buffered before the engine consumes them: two largest records, so a reader
/// may read ahead by one record. This bounds what a peer can make us hold.
pub const MAX_BUFFERED: usize = 2 * (HEADER_LEN + MAX_CIPHERTEXT);

/// An opened record: its real content type and where its plaintext lies in the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenedRecord {
    /// Content type (the inner type for TLS 1.3 protected records).
    pub typ: ContentType,
    /// True if the record was decrypted.
    pub protected: bool,
    start: usize,
    end: usize,
    record_end: usize,
}

impl OpenedRecord {
    /// Plaintext length.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True for a record without plaintext.
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// How a server that did not accept the client's early data skips it (RFC 8446 4.2.10),
/// within a budget of bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SkipEarly {
    /// Nothing to skip.
    #[default]
    Off,
    /// Rejected early data under the handshake key: application_data records that fail
    /// to open are dropped, until one opens.
    Undecryptable(usize),
    /// After a HelloRetryRequest: every application_data record is dropped (the client's
    /// early data for the first ClientHello), until the second ClientHello.
    AppData(usize),
}

/// What framing one record gave.
enum Frame {
    Record(OpenedRecord),
    Incomplete,
    /// A skipped early-data record; frame the next one.
    Skipped,
}

/// Incoming bytes and the read-side protection.
#[derive(Debug, Default)]
pub struct RecordReader {
    buf: Vec<u8>,
    start: usize,
    /// Application data held in place: (read position, end, end of its record).
    app: Option<(usize, usize, usize)>,
    /// Read-side protection.
    pub prot: Protection,
    /// While the handshake runs, a peer that failed before installing its keys sends its
    /// alert in plaintext; accept such alerts so the real cause is reported. Cleared by
    /// the first protected record (after it nobody may send a plaintext alert, so one is
    /// forged) and by the connection when it knows the peer encrypts from now on.
    pub allow_plaintext_alerts: bool,
    /// Set once any record has been framed (the first may be an SSLv2-style or HTTP probe).
    seen_record: bool,
    /// Early data being skipped (server).
    pub skip_early: SkipEarly,
}

impl RecordReader {
    /// Bytes buffered but not yet framed into records (excludes held application data).
    pub fn buffered(&self) -> usize {
        let from = self.app.map_or(self.start, |(_, _, rec_end)| rec_end);
        self.buf.len().saturating_sub(from)
    }

    /// How many more bytes complete the next record (5 for a header; the rest of the body
    /// once the header is in). What an exact-reading transport should read next.
    pub fn wanted(&self) -> usize {
        let from = self.app.map_or(self.start, |(_, _, rec_end)| rec_end);
        let have = &self.buf[from..];
        if have.len() < HEADER_LEN {
            return HEADER_LEN - have.len();
        }
        let len = u16::from_be_bytes([have[3], have[4]]) as usize;
        (HEADER_LEN + len).saturating_sub(have.len())
    }

    /// Room left before [`MAX_BUFFERED`].
    pub fn room(&self) -> usize {
        let held = self.buf.len() - self.start;
        MAX_BUFFERED.saturating_sub(held)
    }

    fn compact(&mut self) {
        if self.start == 0 {
            return;
        }
        self.buf.drain(..self.start);
        if let Some((pos, end, rec_end)) = self.app.as_mut() {
            *pos -= self.start;
            *end -= self.start;
            *rec_end -= self.start;
        }
        self.start = 0;
    }

    /// Accepts transport bytes; returns how many were taken (fewer when the buffer is full).
    pub fn read_tls(&mut self, data: &[u8]) -> usize {
        let n = data.len().min(self.room());
        if n > 0 {
            self.compact();
            self.buf.extend_from_slice(&data[..n]);
        }
        n
    }

    /// A writable region of up to `want` bytes (capped by the room left) for a transport
    /// to read into directly; follow with [`RecordReader::commit`].
    pub fn space(&mut self, want: usize) -> &mut [u8] {
        let n = want.min(self.room());
        self.compact();
        let at = self.buf.len();
        self.buf.resize(at + n, 0);
        &mut self.buf[at..]
    }

    /// Keeps `n` bytes of the region returned by the last [`RecordReader::space`] call.
    pub fn commit(&mut self, space_len: usize, n: usize) {
        let keep = self.buf.len() - space_len + n.min(space_len);
        self.buf.truncate(keep);
    }

    /// Frames and opens the next record, if a whole one is buffered. Must not be called
    /// while application data is held (read it or discard it first).
    pub fn next_record(&mut self) -> Result<Option<OpenedRecord>, TlsError> {
        loop {
            match self.frame()? {
                Frame::Record(r) => return Ok(Some(r)),
                Frame::Incomplete => return Ok(None),
                Frame::Skipped => continue,
            }
        }
    }

    /// Charges a skipped early-data record of `len` bytes to the budget.
    fn skip(&mut self, len: usize, record_end: usize) -> Result<Frame, TlsError> {
        let budget = match &mut self.skip_early {
            SkipEarly::Undecryptable(b) | SkipEarly::AppData(b) => b,
            SkipEarly::Off => return Err(TlsError::internal("not skipping early data")),
        };
        if len > *budget {
            return Err(TlsError::unexpected("more early data than allowed")
                .with_reason(Reason::TOO_MUCH_EARLY_DATA));
        }
        *budget -= len;
        self.start = record_end;
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
        Ok(Frame::Skipped)
    }

    fn frame(&mut self) -> Result<Frame, TlsError> {
        debug_assert!(self.app.is_none());
        let have = &self.buf[self.start..];
        if have.len() < HEADER_LEN {
            if !self.seen_record {
                check_first_bytes(have)?;
            }
            return Ok(Frame::Incomplete);
        }
        let header: [u8; HEADER_LEN] = [have[0], have[1], have[2], have[3], have[4]];
        let typ = ContentType(header[0]);
        let len = u16::from_be_bytes([header[3], header[4]]) as usize;
        if !self.seen_record {
            check_first_bytes(have)?;
        }
        if !(20..=23).contains(&typ.0) {
            return Err(TlsError::unexpected(format!(
                "record of unknown type {}",
                typ.0
            )));
        }
        if header[1] != 3 {
            return Err(TlsError::fatal(
                AlertDescription::PROTOCOL_VERSION,
                Reason::WRONG_VERSION_NUMBER,
                "record version is not 3.x",
            ));
        }
        let opens = self.prot.opens(typ);
        let limit = if opens { MAX_CIPHERTEXT } else { MAX_PLAINTEXT };
        if len > limit {
            return Err(TlsError::fatal(
                AlertDescription::RECORD_OVERFLOW,
                if limit == MAX_PLAINTEXT {
                    Reason::DATA_LENGTH_TOO_LONG
                } else {
                    Reason::ENCRYPTED_LENGTH_TOO_LONG
                },
                format!("record of {len} bytes"),
            ));
        }
        if have.len() < HEADER_LEN + len {
            return Ok(Frame::Incomplete);
        }
        self.seen_record = true;
        let body = self.start + HEADER_LEN;
        let record_end = body + len;
        let early_app = typ == ContentType::APPLICATION_DATA;
        if early_app && matches!(self.skip_early, SkipEarly::AppData(_)) {
            return self.skip(len, record_end);
        }
        let plain = OpenedRecord {
            typ,
            protected: false,
            start: body,
            end: record_end,
            record_end,
        };
        let rec = if opens {
            let opened = self.prot.open(&header, &mut self.buf[body..record_end]);
            let o = match opened {
                Err(_) if early_app && matches!(self.skip_early, SkipEarly::Undecryptable(_)) => {
                    return self.skip(len, record_end);
                }
                other => other?,
            };
            if matches!(self.skip_early, SkipEarly::Undecryptable(_)) {
                self.skip_early = SkipEarly::Off;
            }
            self.allow_plaintext_alerts = false;
            OpenedRecord {
                typ: o.typ,
                protected: true,
                start: body + o.start,
                end: body + o.start + o.len,
                record_end,
            }
        } else if !self.prot.is_protected()
            // TLS 1.3 change_cipher_spec always travels in the clear.
            || typ == ContentType::CHANGE_CIPHER_SPEC
            || (typ == ContentType::ALERT && self.allow_plaintext_alerts)
        {
            plain
        } else {
            return Err(TlsError::unexpected(format!(
                "unprotected {typ:?} record after keys were set"
            )));
        };
        Ok(Frame::Record(rec))
    }

    /// The plaintext of an opened record.
    pub fn plaintext(&self, rec: &OpenedRecord) -> &[u8] {
        &self.buf[rec.start..rec.end]
    }

    /// Discards an opened record that has been fully processed.
    pub fn consume(&mut self, rec: &OpenedRecord) {
        self.start = rec.record_end;
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
    }

    /// Keeps an application-data record's plaintext in place for [`RecordReader::read_app`].
    pub fn hold_app(&mut self, rec: &OpenedRecord) {
        self.app = Some((rec.start, rec.end, rec.record_end));
        if rec.is_empty() {
            self.app = None;
            self.consume(rec);
        }
    }

    /// Application bytes held and not yet read (`SSL_pending`).
    pub fn app_pending(&self) -> usize {
        self.app.map_or(0, |(pos, end, _)| end - pos)
    }

    /// Copies held application data into `out`, releasing the record once drained.
    pub fn read_app(&mut self, out: &mut [u8]) -> usize {
        let Some((pos, end, rec_end)) = self.app else {
            return 0;
        };
        let n = out.len().min(end - pos);
        out[..n].copy_from_slice(&self.buf[pos..pos + n]);
        if pos + n == end {
            self.app = None;
            self.start = rec_end;
            if self.start == self.buf.len() {
                self.buf.clear();
                self.start = 0;
            }
        } else {
            self.app = Some((pos + n, end, rec_end));
        }
        n
    }

    /// Copies held application data into `out` without consuming it (`SSL_peek`).
    pub fn peek_app(&self, out: &mut [u8]) -> usize {
        let Some((pos, end, _)) = self.app else {
            return 0;
        };
        let n = out.len().min(end - pos);
        out[..n].copy_from_slice(&self.buf[pos..pos + n]);
        n
    }

    /// Frees the buffer's memory when it holds nothing (RELEASE_BUFFERS behaviour).
    pub fn release(&mut self) {
        if self.app.is_none() && self.start == self.buf.len() {
            self.buf = Vec::new();
            self.start = 0;
        }
    }

    /// Bytes of memory held by the buffer.
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }
}

/// Recognises non-TLS traffic on the first bytes, as OpenSSL does: an HTTP request, a
/// CONNECT to a proxy, or an SSLv2-format ClientHello.
fn check_first_bytes(have: &[u8]) -> Result<(), TlsError> {
    for (prefix, reason) in [
        (&b"GET "[..], Reason::HTTP_REQUEST),
        (b"POST", Reason::HTTP_REQUEST),
        (b"HEAD", Reason::HTTP_REQUEST),
        (b"PUT ", Reason::HTTP_REQUEST),
        (b"CONN", Reason::HTTPS_PROXY_REQUEST),
    ] {
        if have.len() >= 4 && have.starts_with(prefix) {
            return Err(TlsError::local(reason, "plaintext HTTP instead of TLS"));
        }
    }
    if have.len() >= 3 && have[0] & 0x80 != 0 && have[2] == 1 {
        return Err(TlsError::fatal(
            AlertDescription::PROTOCOL_VERSION,
            Reason::UNSUPPORTED_PROTOCOL,
            "SSLv2-format ClientHello",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain_record(typ: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![typ, 3, 3, (body.len() >> 8) as u8, body.len() as u8];
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn frames_partial_and_whole_records() {
        let mut r = RecordReader::default();
        let rec = plain_record(22, b"abc");
        assert_eq!(r.wanted(), 5);
        r.read_tls(&rec[..3]);
        assert!(r.next_record().unwrap().is_none());
        r.read_tls(&rec[3..6]);
        assert_eq!(r.wanted(), 2);
        r.read_tls(&rec[6..]);
        let o = r.next_record().unwrap().unwrap();
        assert_eq!(r.plaintext(&o), b"abc");
        r.consume(&o);
        assert_eq!(r.buffered(), 0);
    }

    #[test]
    fn rejects_oversize_and_bad_version() {
        let mut r = RecordReader::default();
        r.read_tls(&[22, 3, 3, 0x40, 0x01]);
        let e = r.next_record().unwrap_err();
        assert_eq!(e.alert, Some(AlertDescription::RECORD_OVERFLOW));
        let mut r = RecordReader::default();
        r.read_tls(&[22, 2, 0, 0, 1, 0]);
        assert_eq!(
            r.next_record().unwrap_err().reason,
            Reason::WRONG_VERSION_NUMBER
        );
        let mut r = RecordReader::default();
        r.read_tls(b"GET / HTTP/1.0\r\n");
        assert_eq!(r.next_record().unwrap_err().reason, Reason::HTTP_REQUEST);
    }

    #[test]
    fn holds_application_data_and_bounds_buffering() {
        let mut r = RecordReader::default();
        let mut two = plain_record(23, b"hello");
        two.extend(plain_record(23, b"world"));
        r.read_tls(&two);
        let o = r.next_record().unwrap().unwrap();
        r.hold_app(&o);
        let mut out = [0u8; 3];
        assert_eq!(r.read_app(&mut out), 3);
        assert_eq!(r.app_pending(), 2);
        // Compaction while data is held keeps it intact.
        r.read_tls(&[]);
        let mut rest = [0u8; 8];
        assert_eq!(r.read_app(&mut rest), 2);
        assert_eq!(&rest[..2], b"lo");
        let o = r.next_record().unwrap().unwrap();
        assert_eq!(r.plaintext(&o), b"world");
        let big = vec![0u8; MAX_BUFFERED + 100];
        let mut r = RecordReader::default();
        assert_eq!(r.read_tls(&big), MAX_BUFFERED);
        assert_eq!(r.read_tls(&big), 0);
    }
}
