//! The server's ticket keys: tickets are sessions sealed with AES-256-GCM under a key only
//! the server knows, so the server keeps no state per ticket (RFC 5077 4, RFC 8446 4.6.1).
//!
//! A ticket is `key_name (16) || nonce (12) || ciphertext || tag (16)`, the key name as
//! additional data. Keys rotate: a new one seals after `rotate_after` seconds, the previous
//! one still opens what it sealed for one more period, so a ticket outlives its key's
//! sealing period by at most one period. Fixed keys ([`TicketKeys::from_secret`], for
//! several servers sharing tickets) never rotate.

use crate::crypto::aead::{AeadAlgorithm, AeadKey, NONCE_LEN, TAG_LEN};
use crate::crypto::{rand, CryptoError};
use std::sync::Mutex;
use zeroize::Zeroizing;

/// Length of a key name.
pub const NAME_LEN: usize = 16;
/// Length of a key's secret as given to [`TicketKeys::from_secret`]: name and AES-256 key.
pub const SECRET_LEN: usize = NAME_LEN + 32;
/// The largest ticket a server tries to open; anything longer is not ours.
pub const MAX_TICKET_LEN: usize = 16 * 1024;

struct TicketKey {
    name: [u8; NAME_LEN],
    key: AeadKey,
    created: u64,
}

impl TicketKey {
    fn generate(now: u64) -> Result<Self, CryptoError> {
        // Filled in place, so no copy of the key outlives this call.
        let mut secret = Zeroizing::new([0u8; SECRET_LEN]);
        rand::fill(&mut secret[..])?;
        Self::from_secret(&secret, now)
    }

    fn from_secret(secret: &[u8; SECRET_LEN], now: u64) -> Result<Self, CryptoError> {
        let (name, key) = secret.split_at(NAME_LEN);
        Ok(TicketKey {
            name: name.try_into().map_err(|_| CryptoError("key name"))?,
            key: AeadKey::new(AeadAlgorithm::Aes256Gcm, key)?,
            created: now,
        })
    }
}

struct Keyring {
    current: Option<TicketKey>,
    previous: Option<TicketKey>,
}

/// A server's ticket keys, shared by every connection of its context.
pub struct TicketKeys {
    ring: Mutex<Keyring>,
    /// Seconds a key seals tickets before a new one takes over (0: never rotate).
    rotate_after: u64,
}

impl std::fmt::Debug for TicketKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TicketKeys")
            .field("rotate_after", &self.rotate_after)
            .finish_non_exhaustive()
    }
}

impl TicketKeys {
    /// Random keys, made when the first ticket is sealed and replaced every
    /// `rotate_after` seconds.
    pub fn new(rotate_after: u64) -> Self {
        TicketKeys {
            ring: Mutex::new(Keyring {
                current: None,
                previous: None,
            }),
            rotate_after,
        }
    }

    /// A fixed key (a 16-byte name and a 32-byte AES-256 key), shared by servers that
    /// accept each other's tickets; it never rotates.
    pub fn from_secret(secret: &[u8; SECRET_LEN]) -> Result<Self, CryptoError> {
        Ok(TicketKeys {
            ring: Mutex::new(Keyring {
                current: Some(TicketKey::from_secret(secret, 0)?),
                previous: None,
            }),
            rotate_after: 0,
        })
    }

    fn ring(&self) -> std::sync::MutexGuard<'_, Keyring> {
        // A panic while holding the lock cannot leave the ring half-updated (every update
        // is one assignment), so a poisoned lock is still usable.
        self.ring.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Seals `plaintext` into a ticket at time `now` (seconds), rotating keys when due.
    pub fn seal(&self, plaintext: &[u8], now: u64) -> Result<Vec<u8>, CryptoError> {
        let mut ring = self.ring();
        let due = match &ring.current {
            None => true,
            Some(k) => self.rotate_after != 0 && now >= k.created.saturating_add(self.rotate_after),
        };
        if due {
            let fresh = TicketKey::generate(now)?;
            ring.previous = ring.current.replace(fresh);
        }
        let key = ring.current.as_ref().ok_or(CryptoError("no ticket key"))?;
        let nonce: [u8; NONCE_LEN] = rand::array()?;
        // The plaintext (a session and its secret) is copied in and sealed in place; a
        // failed seal leaves it there, hence the wrapper. Sized up front: no regrowth.
        let mut out = Zeroizing::new(Vec::with_capacity(
            NAME_LEN + NONCE_LEN + plaintext.len() + TAG_LEN,
        ));
        out.extend_from_slice(&key.name);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plaintext);
        let tag = key
            .key
            .seal_in_place(nonce, &key.name, &mut out[NAME_LEN + NONCE_LEN..])?;
        out.extend_from_slice(&tag);
        Ok(std::mem::take(&mut *out))
    }

    /// Opens a ticket sealed by the current or the previous key; None for anything else
    /// (another server's, an expired key's, tampered or truncated). The plaintext holds a
    /// session's secret: zeroized on drop.
    pub fn open(&self, ticket: &[u8], now: u64) -> Option<Zeroizing<Vec<u8>>> {
        if ticket.len() < NAME_LEN + NONCE_LEN + TAG_LEN || ticket.len() > MAX_TICKET_LEN {
            return None;
        }
        let (name, rest) = ticket.split_at(NAME_LEN);
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let ring = self.ring();
        let key = [&ring.current, &ring.previous]
            .into_iter()
            .flatten()
            .find(|k| k.name == name)?;
        // The previous key opens tickets only for one period after it stopped sealing.
        if self.rotate_after != 0 && now >= key.created.saturating_add(2 * self.rotate_after) {
            return None;
        }
        let mut buf = Zeroizing::new(sealed.to_vec());
        let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
        let plain = key.key.open_in_place(nonce, &key.name, &mut buf).ok()?;
        let n = plain.len();
        buf.truncate(n);
        Some(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_rotate() {
        let keys = TicketKeys::new(100);
        let t0 = keys.seal(b"session", 1000).unwrap();
        assert_eq!(keys.open(&t0, 1000).unwrap().as_slice(), b"session");
        // Rotated at 1100: the old key still opens until 1200.
        let t1 = keys.seal(b"later", 1100).unwrap();
        assert_ne!(t0[..NAME_LEN], t1[..NAME_LEN]);
        assert_eq!(keys.open(&t0, 1150).unwrap().as_slice(), b"session");
        assert_eq!(keys.open(&t1, 1150).unwrap().as_slice(), b"later");
        assert!(keys.open(&t0, 1200).is_none());
        // Tampering, truncation and other servers' keys are refused.
        let mut bad = t1.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(keys.open(&bad, 1150).is_none());
        assert!(keys.open(&t1[..t1.len() - 1], 1150).is_none());
        assert!(TicketKeys::new(100).open(&t1, 1150).is_none());
        assert!(keys.open(&[0; 20], 1150).is_none());
    }

    #[test]
    fn fixed_keys_are_shared() {
        let secret = [5u8; SECRET_LEN];
        let a = TicketKeys::from_secret(&secret).unwrap();
        let b = TicketKeys::from_secret(&secret).unwrap();
        let t = a.seal(b"x", 10).unwrap();
        assert_eq!(b.open(&t, 1 << 40).unwrap().as_slice(), b"x");
    }
}
