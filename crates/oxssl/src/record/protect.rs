//! Per-direction record protection, one type per version behind [`Protection`]: TLS 1.3
//! AEAD with an inner content type and padding, TLS 1.2 AEAD with an explicit (AES-GCM) or
//! implicit (ChaCha20-Poly1305, RFC 7905) nonce. The reader and writer know no version.

use crate::crypto::aead::{AeadAlgorithm, AeadKey, NONCE_LEN, TAG_LEN};
use crate::error::TlsError;
use crate::msgs::enums::{AlertDescription, ContentType};
use crate::reason::Reason;
use zeroize::Zeroizing;

/// AES-GCM confidentiality limit per key (RFC 8446 5.5: 2^24.5 full records); we update
/// keys well before it.
pub const AES_GCM_RECORD_LIMIT: u64 = 1 << 24;

/// TLS 1.3 protection for one direction: an AEAD key, its static IV and the sequence number.
pub struct Tls13Cipher {
    key: AeadKey,
    /// Key-schedule output, cleared on drop (aws-lc clears the key).
    iv: Zeroizing<[u8; NONCE_LEN]>,
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
        Ok(Tls13Cipher {
            key,
            iv: Zeroizing::new(iv),
            seq: 0,
        })
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

    /// The nonce for the current sequence number.
    fn nonce(&self) -> Result<[u8; NONCE_LEN], TlsError> {
        if self.seq == u64::MAX {
            return Err(TlsError::internal("sequence number exhausted"));
        }
        let mut nonce = *self.iv;
        for (n, s) in nonce[NONCE_LEN - 8..]
            .iter_mut()
            .zip(self.seq.to_be_bytes())
        {
            *n ^= s;
        }
        Ok(nonce)
    }

    fn next_nonce(&mut self) -> Result<[u8; NONCE_LEN], TlsError> {
        let nonce = self.nonce()?;
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
    /// plaintext is `payload[..len]` and its real content type (the inner one) is returned.
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
        // The sequence number moves only for a record that opens: a server skipping the
        // client's rejected early data (records it cannot open) keeps its count.
        let nonce = self.nonce()?;
        let plain = self
            .key
            .open_in_place(nonce, header, payload)
            .map_err(|_| bad_record_mac())?;
        self.seq += 1;
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

/// TLS 1.2 AEAD protection for one direction (RFC 5288 AES-GCM, RFC 7905 ChaCha20-Poly1305).
pub struct Tls12Cipher {
    key: AeadKey,
    /// AES-GCM: the 4-byte implicit salt in the first bytes; ChaCha20: the 12-byte IV.
    /// Key-block output, cleared on drop.
    iv: Zeroizing<[u8; NONCE_LEN]>,
    explicit_nonce: bool,
    seq: u64,
}

impl std::fmt::Debug for Tls12Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls12Cipher")
            .field("alg", &self.key.algorithm())
            .field("seq", &self.seq)
            .finish()
    }
}

/// Length of the explicit nonce AES-GCM records carry in TLS 1.2.
pub const TLS12_EXPLICIT_NONCE_LEN: usize = 8;

impl Tls12Cipher {
    /// A cipher from the key block's key and IV (4 bytes for AES-GCM, 12 for ChaCha20).
    pub fn new(alg: AeadAlgorithm, key: &[u8], iv: &[u8]) -> Result<Self, TlsError> {
        let explicit_nonce = alg != AeadAlgorithm::ChaCha20Poly1305;
        let iv_len = if explicit_nonce { 4 } else { NONCE_LEN };
        if iv.len() != iv_len {
            return Err(TlsError::internal("TLS 1.2 IV of the wrong length"));
        }
        let key = AeadKey::new(alg, key).map_err(|e| TlsError::internal(e.0))?;
        let mut full = Zeroizing::new([0u8; NONCE_LEN]);
        full[..iv_len].copy_from_slice(iv);
        Ok(Tls12Cipher {
            key,
            iv: full,
            explicit_nonce,
            seq: 0,
        })
    }

    /// The IV length the key block provides for `alg`.
    pub fn iv_len(alg: AeadAlgorithm) -> usize {
        if alg == AeadAlgorithm::ChaCha20Poly1305 {
            NONCE_LEN
        } else {
            4
        }
    }

    /// The per-record nonce: salt || explicit part (the sequence number, which is unique per
    /// key, as OpenSSL and Go use), or IV XOR sequence for ChaCha20.
    fn nonce(&self) -> [u8; NONCE_LEN] {
        let mut nonce = *self.iv;
        let seq = self.seq.to_be_bytes();
        if self.explicit_nonce {
            nonce[4..].copy_from_slice(&seq);
        } else {
            for (n, s) in nonce[4..].iter_mut().zip(seq) {
                *n ^= s;
            }
        }
        nonce
    }

    fn aad(&self, typ: ContentType, len: usize) -> [u8; 13] {
        let mut aad = [0u8; 13];
        aad[..8].copy_from_slice(&self.seq.to_be_bytes());
        aad[8] = typ.0;
        aad[9] = 3;
        aad[10] = 3;
        aad[11] = (len >> 8) as u8;
        aad[12] = len as u8;
        aad
    }

    fn advance(&mut self) -> Result<(), TlsError> {
        self.seq = self
            .seq
            .checked_add(1)
            .ok_or_else(|| TlsError::internal("sequence number exhausted"))?;
        Ok(())
    }

    /// Appends one protected record: header, explicit nonce (AES-GCM), plaintext copied
    /// once and sealed in place, tag.
    pub fn seal(
        &mut self,
        out: &mut Vec<u8>,
        typ: ContentType,
        plaintext: &[u8],
    ) -> Result<(), TlsError> {
        if self.seq == u64::MAX {
            return Err(TlsError::internal("sequence number exhausted"));
        }
        let explicit = if self.explicit_nonce {
            TLS12_EXPLICIT_NONCE_LEN
        } else {
            0
        };
        let len = explicit + plaintext.len() + TAG_LEN;
        out.reserve(super::HEADER_LEN + len);
        out.extend_from_slice(&[typ.0, 3, 3, (len >> 8) as u8, len as u8]);
        let nonce = self.nonce();
        if self.explicit_nonce {
            out.extend_from_slice(&nonce[4..]);
        }
        let body = out.len();
        out.extend_from_slice(plaintext);
        let aad = self.aad(typ, plaintext.len());
        let tag = self
            .key
            .seal_in_place(nonce, &aad, &mut out[body..])
            .map_err(|e| TlsError::internal(e.0))?;
        out.extend_from_slice(&tag);
        self.advance()
    }

    /// Opens a record in place; on success the plaintext is `payload[start..start + len]`.
    pub fn open(
        &mut self,
        header: &[u8; 5],
        payload: &mut [u8],
    ) -> Result<(usize, usize), TlsError> {
        let start = if self.explicit_nonce {
            TLS12_EXPLICIT_NONCE_LEN
        } else {
            0
        };
        if payload.len() < start + TAG_LEN {
            return Err(bad_record_mac());
        }
        let mut nonce = self.nonce();
        if self.explicit_nonce {
            nonce[4..].copy_from_slice(&payload[..start]);
        }
        let plain_len = payload.len() - start - TAG_LEN;
        if plain_len > super::MAX_PLAINTEXT {
            return Err(TlsError::fatal(
                AlertDescription::RECORD_OVERFLOW,
                Reason::DATA_LENGTH_TOO_LONG,
                "TLS 1.2 plaintext longer than 2^14",
            ));
        }
        let aad = self.aad(ContentType(header[0]), plain_len);
        self.key
            .open_in_place(nonce, &aad, &mut payload[start..])
            .map_err(|_| bad_record_mac())?;
        self.advance()?;
        Ok((start, plain_len))
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
    /// TLS 1.2 AEAD protection.
    Tls12(Tls12Cipher),
}

/// Where an opened record's plaintext lies in its payload, and its real content type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Opened {
    /// The content type (TLS 1.3: the inner type).
    pub typ: ContentType,
    /// Offset of the plaintext in the payload.
    pub start: usize,
    /// Plaintext length.
    pub len: usize,
}

impl Protection {
    /// True once records in this direction are encrypted.
    pub fn is_protected(&self) -> bool {
        !matches!(self, Protection::None)
    }

    /// True if a record of outer type `typ` is decrypted by this protection (otherwise it
    /// travels in the clear, or is refused by the reader). TLS 1.3 protects everything
    /// inside application_data records, with change_cipher_spec left in the clear; TLS 1.2
    /// protects every type once keys are on (also a renegotiation's CCS).
    pub fn opens(&self, typ: ContentType) -> bool {
        match self {
            Protection::None => false,
            Protection::Tls13(_) => typ == ContentType::APPLICATION_DATA,
            Protection::Tls12(_) => true,
        }
    }

    /// Opens a record this protection [`Protection::opens`], in place.
    pub fn open(&mut self, header: &[u8; 5], payload: &mut [u8]) -> Result<Opened, TlsError> {
        match self {
            Protection::None => Err(TlsError::internal("open without keys")),
            Protection::Tls13(c) => {
                let (typ, len) = c.open(header, payload)?;
                Ok(Opened { typ, start: 0, len })
            }
            Protection::Tls12(c) => {
                let (start, len) = c.open(header, payload)?;
                Ok(Opened {
                    typ: ContentType(header[0]),
                    start,
                    len,
                })
            }
        }
    }

    /// True when the write key has protected so many records that it must be updated
    /// (TLS 1.3 AES-GCM; TLS 1.2 has no KeyUpdate).
    pub fn wants_update(&self) -> bool {
        matches!(self, Protection::Tls13(c) if c.wants_update())
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
            Protection::Tls12(c) => c.seal(out, typ, plaintext),
        }
    }

    /// Test hook: moves the sequence number.
    #[doc(hidden)]
    pub fn set_sequence(&mut self, seq: u64) {
        match self {
            Protection::None => {}
            Protection::Tls13(c) => c.set_sequence(seq),
            Protection::Tls12(c) => c.seq = seq,
        }
    }
}

#[cfg(test)]
mod tls12_tests {
    use super::*;

    #[test]
    fn seal_open_both_nonce_styles() {
        for (alg, iv) in [
            (AeadAlgorithm::Aes128Gcm, &[1u8, 2, 3, 4][..]),
            (AeadAlgorithm::Aes256Gcm, &[1u8, 2, 3, 4][..]),
            (AeadAlgorithm::ChaCha20Poly1305, &[5u8; 12][..]),
        ] {
            let key = vec![9u8; alg.key_len()];
            let mut tx = Tls12Cipher::new(alg, &key, iv).unwrap();
            let mut rx = Protection::Tls12(Tls12Cipher::new(alg, &key, iv).unwrap());
            for msg in [&b"hello"[..], b"", &[0u8; 1000]] {
                let mut out = Vec::new();
                tx.seal(&mut out, ContentType::APPLICATION_DATA, msg)
                    .unwrap();
                let overhead = if alg == AeadAlgorithm::ChaCha20Poly1305 {
                    16
                } else {
                    24
                };
                assert_eq!(out.len(), 5 + msg.len() + overhead);
                let header: [u8; 5] = out[..5].try_into().unwrap();
                let o = rx.open(&header, &mut out[5..]).unwrap();
                assert_eq!(o.typ, ContentType::APPLICATION_DATA);
                assert_eq!(&out[5 + o.start..5 + o.start + o.len], msg);
            }
            // The type is authenticated: changing the header's type fails.
            let mut out = Vec::new();
            tx.seal(&mut out, ContentType::HANDSHAKE, b"x").unwrap();
            out[0] = ContentType::APPLICATION_DATA.0;
            let header: [u8; 5] = out[..5].try_into().unwrap();
            let e = rx.open(&header, &mut out[5..]).unwrap_err();
            assert_eq!(e.alert, Some(AlertDescription::BAD_RECORD_MAC));
        }
    }
}
