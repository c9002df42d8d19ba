//! Reassembles handshake messages from record fragments: one message may span records,
//! and one record may hold several messages.

use crate::error::TlsError;
use crate::msgs::enums::HandshakeType;
use crate::reason::Reason;

/// The largest body a handshake message of type `typ` may have (OpenSSL's per-message
/// limits): a message longer than its type allows is refused from its header.
pub fn max_message_len(typ: HandshakeType, max_cert_list: usize) -> usize {
    match typ {
        HandshakeType::HELLO_REQUEST
        | HandshakeType::SERVER_HELLO_DONE
        | HandshakeType::END_OF_EARLY_DATA => 0,
        HandshakeType::KEY_UPDATE => 1,
        // verify_data: 12 bytes in TLS 1.2, the hash length (at most 48) in TLS 1.3.
        HandshakeType::FINISHED => 64,
        // As large as OpenSSL accepts (e.g. 32,000 signature algorithms).
        HandshakeType::CLIENT_HELLO => 131_396,
        HandshakeType::SERVER_HELLO | HandshakeType::ENCRYPTED_EXTENSIONS => 20_000,
        HandshakeType::CERTIFICATE => max_cert_list,
        HandshakeType::SERVER_KEY_EXCHANGE
        | HandshakeType::CERTIFICATE_REQUEST
        | HandshakeType::NEW_SESSION_TICKET => 102_400,
        HandshakeType::CLIENT_KEY_EXCHANGE => 2048,
        _ => crate::record::MAX_PLAINTEXT,
    }
}

/// Buffered handshake bytes not yet forming a whole message. Bounded: a message longer than
/// its limit is refused from its header, before its body is buffered.
#[derive(Debug, Default)]
pub struct HandshakeJoiner {
    buf: Vec<u8>,
    /// Largest Certificate message accepted (OpenSSL's `max_cert_list`, default 100 KiB).
    pub max_cert_list: usize,
}

impl HandshakeJoiner {
    /// A joiner accepting certificate messages up to `max_cert_list` bytes.
    pub fn new(max_cert_list: usize) -> Self {
        HandshakeJoiner {
            buf: Vec::new(),
            max_cert_list,
        }
    }

    /// True when no partial message is buffered.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Adds a record's handshake payload.
    pub fn push(&mut self, fragment: &[u8]) -> Result<(), TlsError> {
        self.buf.extend_from_slice(fragment);
        self.check_header()
    }

    fn check_header(&self) -> Result<(), TlsError> {
        if self.buf.len() < 4 {
            return Ok(());
        }
        let typ = HandshakeType(self.buf[0]);
        let len = u32::from_be_bytes([0, self.buf[1], self.buf[2], self.buf[3]]) as usize;
        let limit = max_message_len(typ, self.max_cert_list);
        if len > limit {
            // Decided from the header, before the body is buffered.
            return Err(TlsError::decode(
                Reason::EXCESSIVE_MESSAGE_SIZE,
                format!("{typ:?} of {len} bytes exceeds the {limit}-byte limit for its type"),
            ));
        }
        Ok(())
    }

    /// Takes the next complete message (type and raw bytes including the 4-byte header).
    pub fn pop(&mut self) -> Result<Option<(HandshakeType, Vec<u8>)>, TlsError> {
        self.check_header()?;
        if self.buf.len() < 4 {
            return Ok(None);
        }
        let len = u32::from_be_bytes([0, self.buf[1], self.buf[2], self.buf[3]]) as usize;
        if self.buf.len() < 4 + len {
            return Ok(None);
        }
        let typ = HandshakeType(self.buf[0]);
        let raw: Vec<u8> = self.buf.drain(..4 + len).collect();
        if self.buf.is_empty() {
            self.buf = Vec::new();
        }
        Ok(Some((typ, raw)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_joins() {
        let mut j = HandshakeJoiner::new(100 * 1024);
        let msg = [20u8, 0, 0, 3, 1, 2, 3];
        j.push(&msg[..2]).unwrap();
        assert!(j.pop().unwrap().is_none());
        j.push(&msg[2..]).unwrap();
        j.push(&msg).unwrap();
        assert_eq!(j.pop().unwrap().unwrap().1, msg.to_vec());
        assert_eq!(j.pop().unwrap().unwrap().1, msg.to_vec());
        assert!(j.is_empty());
        let err = j.push(&[1, 0x10, 0, 0]).unwrap_err();
        assert_eq!(err.reason, Reason::EXCESSIVE_MESSAGE_SIZE);
    }

    #[test]
    fn per_type_limits_from_the_header() {
        // A Finished claiming 200 KiB is refused on its 4-byte header.
        let mut j = HandshakeJoiner::new(100 * 1024);
        let err = j.push(&[20, 0x03, 0x20, 0x00]).unwrap_err();
        assert_eq!(err.reason, Reason::EXCESSIVE_MESSAGE_SIZE);
        assert_eq!(
            err.alert,
            Some(crate::msgs::enums::AlertDescription::DECODE_ERROR)
        );
        let mut j = HandshakeJoiner::new(100 * 1024);
        assert!(j.push(&[24, 0, 0, 2]).is_err());
        let mut j = HandshakeJoiner::new(100 * 1024);
        assert!(j.push(&[1, 0x01, 0x00, 0x00]).is_ok());
    }
}
