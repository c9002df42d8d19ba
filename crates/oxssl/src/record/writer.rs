//! The outgoing side: records are built and sealed in one buffer that the transport drains.

use super::protect::Protection;
use super::MAX_PLAINTEXT;
use crate::config::Observer;
use crate::error::TlsError;
use crate::msgs::enums::ContentType;
use crate::msgs::enums::ProtocolVersion;
use std::sync::Arc;

/// Sealed records waiting for the transport, and the current write protection.
pub struct RecordWriter {
    buf: Vec<u8>,
    start: usize,
    /// Write-side protection.
    pub prot: Protection,
    /// legacy_record_version for unprotected records (0x0301 for an initial ClientHello,
    /// as OpenSSL sends it; 0x0303 afterwards).
    pub plaintext_version: u16,
    /// Told of every non-application record sent (one call per `send`: a whole handshake
    /// message, alert or CCS), under `version`.
    pub observer: Option<Arc<dyn Observer>>,
    /// The negotiated version, for the observer.
    pub version: ProtocolVersion,
}

impl std::fmt::Debug for RecordWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordWriter")
            .field("pending", &self.pending_len())
            .field("prot", &self.prot)
            .finish_non_exhaustive()
    }
}

impl Default for RecordWriter {
    fn default() -> Self {
        RecordWriter {
            buf: Vec::new(),
            start: 0,
            prot: Protection::None,
            plaintext_version: 0x0303,
            observer: None,
            version: ProtocolVersion::TLSV1_2,
        }
    }
}

impl RecordWriter {
    /// Appends `data` as records of `typ`, at most `max_fragment` plaintext bytes each.
    pub fn send(
        &mut self,
        typ: ContentType,
        data: &[u8],
        max_fragment: usize,
    ) -> Result<(), TlsError> {
        if let Some(o) = &self.observer {
            if typ != ContentType::APPLICATION_DATA {
                o.message(true, self.version, typ, data);
            }
        }
        let max = max_fragment.clamp(1, MAX_PLAINTEXT);
        if data.is_empty() {
            return self.seal(typ, data);
        }
        for chunk in data.chunks(max) {
            self.seal(typ, chunk)?;
        }
        Ok(())
    }

    /// Appends exactly one record of `typ` carrying `data` (at most 2^14 bytes).
    pub fn seal(&mut self, typ: ContentType, data: &[u8]) -> Result<(), TlsError> {
        debug_assert!(data.len() <= MAX_PLAINTEXT);
        if self.start > 0 && self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
        self.prot
            .seal(&mut self.buf, typ, self.plaintext_version, data)
    }

    /// Ciphertext not yet taken by the transport.
    pub fn pending(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// Number of bytes not yet taken by the transport.
    pub fn pending_len(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Marks `n` bytes as handed to the transport.
    pub fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.buf.len());
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
    }

    /// Frees the buffer's memory if nothing is pending (RELEASE_BUFFERS behaviour).
    pub fn release(&mut self) {
        if self.pending_len() == 0 {
            self.buf = Vec::new();
            self.start = 0;
        }
    }

    /// Bytes of memory held by the buffer.
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }
}
