//! A server's cache of TLS 1.2 sessions by session id: bounded in entries (oldest evicted
//! first, OpenSSL's default size of 20,480) and in time (each session's own timeout).

use super::Session;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

/// OpenSSL's `SSL_SESSION_CACHE_MAX_SIZE_DEFAULT`.
pub const DEFAULT_SIZE: usize = 20 * 1024;

struct Inner {
    map: HashMap<Vec<u8>, Arc<Session>>,
    /// Insertion order, oldest first (may name ids already removed).
    order: VecDeque<Vec<u8>>,
    max: usize,
}

/// The session cache of a server context, shared by its connections.
pub struct SessionCache {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionCache")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl Default for SessionCache {
    fn default() -> Self {
        Self::new(DEFAULT_SIZE)
    }
}

impl SessionCache {
    /// An empty cache holding at most `max` sessions (0: no limit, as OpenSSL).
    pub fn new(max: usize) -> Self {
        SessionCache {
            inner: Mutex::new(Inner {
                map: HashMap::new(),
                order: VecDeque::new(),
                max,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every update leaves the maps consistent before it can panic.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sessions held now.
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// True when no session is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most sessions held (`SSL_CTX_sess_get_cache_size`).
    pub fn max_size(&self) -> usize {
        self.lock().max
    }

    /// Changes the bound (`SSL_CTX_sess_set_cache_size`), evicting the oldest if needed.
    pub fn set_max_size(&self, max: usize) {
        let mut g = self.lock();
        g.max = max;
        Self::evict(&mut g);
    }

    fn evict(g: &mut Inner) {
        while g.max != 0 && g.map.len() > g.max {
            let Some(old) = g.order.pop_front() else {
                break;
            };
            g.map.remove(&old);
        }
        // Keep the order list from growing with ids removed by other paths.
        if g.order.len() > 2 * g.map.len() + 16 {
            let map = &g.map;
            let live: VecDeque<Vec<u8>> = g
                .order
                .iter()
                .filter(|id| map.contains_key(*id))
                .cloned()
                .collect();
            g.order = live;
        }
    }

    /// Adds a session under its id (one without an id is not cached).
    pub fn insert(&self, s: Arc<Session>) {
        if s.id.is_empty() {
            return;
        }
        let mut g = self.lock();
        if g.map.insert(s.id.clone(), s.clone()).is_none() {
            g.order.push_back(s.id.clone());
        }
        Self::evict(&mut g);
    }

    /// The session with this id, if cached and not expired at `now` (an expired one is
    /// dropped).
    pub fn get(&self, id: &[u8], now: u64) -> Option<Arc<Session>> {
        let mut g = self.lock();
        let s = g.map.get(id)?.clone();
        if s.is_expired(now) {
            g.map.remove(id);
            return None;
        }
        Some(s)
    }

    /// Removes a session (`SSL_CTX_remove_session`); true if it was there.
    pub fn remove(&self, id: &[u8]) -> bool {
        self.lock().map.remove(id).is_some()
    }

    /// Drops every session expired at `now` (`SSL_CTX_flush_sessions`).
    pub fn flush(&self, now: u64) {
        let mut g = self.lock();
        g.map.retain(|_, s| !s.is_expired(now));
        Self::evict(&mut g);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::enums::ProtocolVersion;
    use crate::suites::CipherSuite;

    fn session(id: u8, time: u64) -> Arc<Session> {
        Arc::new(Session {
            version: ProtocolVersion::TLSV1_2,
            suite: CipherSuite::Tls12EcdheEcdsaAes128GcmSha256,
            id: vec![id; 32],
            secret: vec![1; 48].into(),
            ems: true,
            time,
            timeout: 100,
            ticket: Vec::new(),
            age_add: 0,
            max_early_data: 0,
            sni: None,
            alpn: None,
            sid_ctx: Vec::new(),
            peer_cert: None,
            verify_result: 0,
        })
    }

    #[test]
    fn bounded_in_size_and_time() {
        let c = SessionCache::new(3);
        for i in 0..10 {
            c.insert(session(i, 1000));
        }
        assert_eq!(c.len(), 3);
        assert!(c.get(&[6; 32], 1000).is_none());
        assert!(c.get(&[9; 32], 1050).is_some());
        assert!(c.get(&[9; 32], 1100).is_none(), "expired");
        assert_eq!(c.len(), 2);
        assert!(c.remove(&[8; 32]));
        c.flush(2000);
        assert!(c.is_empty());
        for i in 0..200 {
            c.insert(session(i, 1000));
            c.remove(&[i; 32]);
        }
        assert!(c.lock().order.len() <= 16 + 2);
    }
}
