//! Per-direction record protection: TLS 1.3 AEAD with per-record nonces.

use crate::crypto::aead::{AeadAlgorithm, AeadKey, NONCE_LEN, TAG_LEN};
use crate::error::TlsError;
use crate::msgs::enums::{AlertDescription, ContentType};
use crate::reason::Reason;

/// AES-GCM confidentiality limit per key (RFC 8446 5.5: 2^24.5 full records); we update
/// keys well before it.
pub const AES_GCM_RECORD_LIMIT: u64 = 1 << 24;

/// TLS 1.3 protection for one direction: an AEAD key, its static IV and the sequence number.
pub struct Tls13Cipher {
    key: AeadKey,
    iv: [u8; NONCE_LEN],
    seq: u64,
}

impl std::fmt::Debug for Tls13Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls13Cipher")
            .field("alg", &self.key.algorithm())
            .field("seq", &self.seq)
            .finish()
    }
}

impl Tls13Cipher {
    /// A cipher from derived traffic key and IV; the sequence number starts at 0.
    pub fn new(alg: AeadAlgorithm, key: &[u8], iv: [u8; NONCE_LEN]) -> Result<Self, TlsError> {
        let key = AeadKey::new(alg, key).map_err(|e| TlsError::internal(e.0))?;
        Ok(Tls13Cipher { key, iv, seq: 0 })
    }

    /// True once this key has protected enough records that it should be updated.
    pub fn wants_update(&self) -> bool {
        self.key.algorithm() != AeadAlgorithm::ChaCha20Poly1305 && self.seq >= AES_GCM_RECORD_LIMIT
    }

    /// Test hook: moves the sequence number (to reach its exhaustion without 2^64 records).
    #[doc(hidden)]
    pub fn set_sequence(&mut self, seq: u64) {
        self.seq = seq;
    }

    fn next_nonce(&mut self) -> Result<[u8; NONCE_LEN], TlsError> {
        if self.seq == u64::MAX {
            return Err(TlsError::internal("sequence number exhausted"));
        }
        let mut nonce = self.iv;
        for (n, s) in nonce[NONCE_LEN - 8..]
            .iter_mut()
            .zip(self.seq.to_be_bytes())
        {
            *n ^= s;
        }
        self.seq += 1;
        Ok(nonce)
    }

    /// Appends one protected record carrying `typ` and `plaintext` to `out`: header,
    /// plaintext copied once, inner type, then sealed in place with the tag appended.
    pub fn seal(
        &mut self,
        out: &mut Vec<u8>,
        typ: ContentType,
        plaintext: &[u8],
    ) -> Result<(), TlsError> {
        let len = plaintext.len() + 1 + TAG_LEN;
        let start = out.len();
        out.reserve(super::HEADER_LEN + len);
        let header = [
            ContentType::APPLICATION_DATA.0,
            0x03,
            0x03,
            (len >> 8) as u8,
            len as u8,
        ];
        out.extend_from_slice(&header);
        out.extend_from_slice(plaintext);
        out.push(typ.0);
        let nonce = self.next_nonce()?;
        let body = start + super::HEADER_LEN;
        let tag = self
            .key
            .seal_in_place(nonce, &header, &mut out[body..])
            .map_err(|e| TlsError::internal(e.0))?;
        out.extend_from_slice(&tag);
        Ok(())
    }

    /// Opens a record in place. `payload` is the record body after `header`; on success the
    /// plaintext is `payload[..len]` and its real content type is returned.
    pub fn open(
        &mut self,
        header: &[u8; 5],
        payload: &mut [u8],
    ) -> Result<(ContentType, usize), TlsError> {
        if payload.len() > super::MAX_CIPHERTEXT_TLS13 {
            return Err(TlsError::fatal(
                AlertDescription::RECORD_OVERFLOW,
                Reason::ENCRYPTED_LENGTH_TOO_LONG,
                "TLS 1.3 ciphertext longer than 2^14+256",
            ));
        }
        if payload.len() < TAG_LEN + 1 {
            // Too short to hold a tag and a content type: it cannot authenticate.
            return Err(bad_record_mac());
        }
        let nonce = self.next_nonce()?;
        let plain = self
            .key
            .open_in_place(nonce, header, payload)
            .map_err(|_| bad_record_mac())?;
        // Strip zero padding; the last non-zero byte is the real content type.
        let Some(type_at) = plain.iter().rposition(|&b| b != 0) else {
            return Err(TlsError::unexpected(
                "protected record without a content type",
            ));
        };
        // RFC 8446 5.4: TLSInnerPlaintext (content, type and padding) is at most 2^14 + 1.
        if plain.len() > super::MAX_PLAINTEXT + 1 {
            return Err(TlsError::fatal(
                AlertDescription::RECORD_OVERFLOW,
                Reason::DATA_LENGTH_TOO_LONG,
                "TLS 1.3 inner plaintext longer than 2^14 + 1",
            ));
        }
        Ok((ContentType(plain[type_at]), type_at))
    }
}

fn bad_record_mac() -> TlsError {
    TlsError::fatal(
        AlertDescription::BAD_RECORD_MAC,
        Reason::DECRYPTION_FAILED_OR_BAD_RECORD_MAC,
        "record authentication failed",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (Tls13Cipher, Tls13Cipher) {
        let key = [7u8; 16];
        let iv = [3u8; 12];
        (
            Tls13Cipher::new(AeadAlgorithm::Aes128Gcm, &key, iv).unwrap(),
            Tls13Cipher::new(AeadAlgorithm::Aes128Gcm, &key, iv).unwrap(),
        )
    }

    #[test]
    fn seal_open_and_tamper() {
        let (mut tx, mut rx) = pair();
        for msg in [&b"hello"[..], b"", &[0u8; 100]] {
            let mut out = Vec::new();
            tx.seal(&mut out, ContentType::HANDSHAKE, msg).unwrap();
            assert_eq!(out.len(), 5 + msg.len() + 17);
            let header: [u8; 5] = out[..5].try_into().unwrap();
            let (typ, len) = rx.open(&header, &mut out[5..]).unwrap();
            assert_eq!(typ, ContentType::HANDSHAKE);
            assert_eq!(&out[5..5 + len], msg);
        }
        let mut out = Vec::new();
        tx.seal(&mut out, ContentType::APPLICATION_DATA, b"data")
            .unwrap();
        out[6] ^= 1;
        let header: [u8; 5] = out[..5].try_into().unwrap();
        let err = rx.open(&header, &mut out[5..]).unwrap_err();
        assert_eq!(err.alert, Some(AlertDescription::BAD_RECORD_MAC));
    }
}

/// The protection state of one direction.
#[derive(Debug, Default)]
pub enum Protection {
    /// Before keys exist: records travel in plaintext.
    #[default]
    None,
    /// TLS 1.3 AEAD protection.
    Tls13(Tls13Cipher),
}

impl Protection {
    /// True once records in this direction are encrypted.
    pub fn is_protected(&self) -> bool {
        !matches!(self, Protection::None)
    }

    /// Appends one record of `typ` carrying `plaintext` to `out`. `version` is the record
    /// header's legacy version for unprotected records.
    pub fn seal(
        &mut self,
        out: &mut Vec<u8>,
        typ: ContentType,
        version: u16,
        plaintext: &[u8],
    ) -> Result<(), TlsError> {
        match self {
            Protection::None => {
                let v = version.to_be_bytes();
                let len = plaintext.len();
                out.extend_from_slice(&[typ.0, v[0], v[1], (len >> 8) as u8, len as u8]);
                out.extend_from_slice(plaintext);
                Ok(())
            }
            Protection::Tls13(c) => c.seal(out, typ, plaintext),
        }
    }
}
