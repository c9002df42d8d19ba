//! The server's guard against replayed early data (RFC 8446 8): each ticket's early data
//! is accepted once. A ticket's identity (its SHA-256 prefix) is remembered until the
//! ticket expires; the set is bounded, and when it is full of live entries early data is
//! refused (the handshake still resumes, the client resends its data after it), so a
//! flood of tickets costs bounded memory and never lets a replay through.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

/// Most tickets remembered at once (about 4 MiB).
pub const DEFAULT_CAPACITY: usize = 100_000;

struct Inner {
    /// Ticket identity -> time (seconds) after which it can no longer be used.
    seen: HashMap<[u8; 16], u64>,
    /// Insertion order, for expiry.
    order: VecDeque<([u8; 16], u64)>,
    capacity: usize,
}

/// Single-use early data, shared by the connections of a server context.
pub struct ReplayGuard {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for ReplayGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplayGuard").finish_non_exhaustive()
    }
}

impl Default for ReplayGuard {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl ReplayGuard {
    /// A guard remembering at most `capacity` tickets.
    pub fn new(capacity: usize) -> Self {
        ReplayGuard {
            inner: Mutex::new(Inner {
                seen: HashMap::new(),
                order: VecDeque::new(),
                capacity,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Each update is complete before anything can panic.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// True the first time `ticket` is presented before `expires` (seconds); false for a
    /// replay, or when the guard is full of live tickets.
    pub fn first_use(&self, ticket: &[u8], now: u64, expires: u64) -> bool {
        let digest =
            crate::crypto::hash::digest(crate::crypto::hash::HashAlgorithm::Sha256, ticket);
        let mut id = [0u8; 16];
        id.copy_from_slice(&digest.as_bytes()[..16]);
        let mut g = self.lock();
        while let Some(&(old, until)) = g.order.front() {
            if until > now {
                break;
            }
            g.order.pop_front();
            if g.seen.get(&old) == Some(&until) {
                g.seen.remove(&old);
            }
        }
        if let Some(&until) = g.seen.get(&id) {
            if until > now {
                return false;
            }
        }
        if g.seen.len() >= g.capacity {
            return false;
        }
        g.seen.insert(id, expires);
        g.order.push_back((id, expires));
        // Entries expire in insertion order only roughly; keep the queue from growing
        // past the map by much.
        if g.order.len() > 2 * g.capacity.max(1) {
            let seen = &g.seen;
            let live: VecDeque<_> = g
                .order
                .iter()
                .filter(|(k, u)| seen.get(k) == Some(u))
                .copied()
                .collect();
            g.order = live;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_per_ticket_bounded() {
        let g = ReplayGuard::new(3);
        assert!(g.first_use(b"a", 100, 200));
        assert!(!g.first_use(b"a", 150, 200), "replay");
        assert!(g.first_use(b"a", 200, 300), "expired, so a new use");
        assert!(g.first_use(b"b", 201, 300));
        assert!(g.first_use(b"c", 201, 300));
        assert!(
            !g.first_use(b"d", 201, 300),
            "full of live tickets: refused"
        );
        assert!(g.first_use(b"d", 301, 400), "space again after expiry");
    }
}
