//! Modes, options, verify modes and shutdown state, with OpenSSL 3's bit values.

macro_rules! bitflags_like {
    ($(#[$doc:meta])* $name:ident($ty:ty) { $($(#[$vdoc:meta])* $var:ident = $val:expr;)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name($ty);
        impl $name {
            $($(#[$vdoc])* pub const $var: $name = $name($val);)*
            /// No bits.
            pub const fn empty() -> Self { $name(0) }
            /// The raw bits.
            pub const fn bits(self) -> $ty { self.0 }
            /// From raw bits (unknown bits are kept).
            pub const fn from_bits_retain(bits: $ty) -> Self { $name(bits) }
            /// True if every bit of `other` is set.
            pub const fn contains(self, other: Self) -> bool { self.0 & other.0 == other.0 }
            /// Sets the bits of `other`.
            pub fn insert(&mut self, other: Self) { self.0 |= other.0 }
            /// Clears the bits of `other`.
            pub fn remove(&mut self, other: Self) { self.0 &= !other.0 }
            /// True if no bit is set.
            pub const fn is_empty(self) -> bool { self.0 == 0 }
        }
        impl std::ops::BitOr for $name {
            type Output = Self;
            fn bitor(self, o: Self) -> Self { $name(self.0 | o.0) }
        }
        impl std::ops::BitOrAssign for $name {
            fn bitor_assign(&mut self, o: Self) { self.0 |= o.0 }
        }
        impl std::ops::BitAnd for $name {
            type Output = Self;
            fn bitand(self, o: Self) -> Self { $name(self.0 & o.0) }
        }
        impl std::ops::BitAndAssign for $name {
            fn bitand_assign(&mut self, o: Self) { self.0 &= o.0 }
        }
        impl std::ops::Not for $name {
            type Output = Self;
            fn not(self) -> Self { $name(!self.0) }
        }
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({:#x})", stringify!($name), self.0)
            }
        }
    };
}

bitflags_like!(
    /// `SSL_MODE_*` (`SSL_set_mode`).
    SslMode(u64) {
        /// Return after each record written (`SSL_MODE_ENABLE_PARTIAL_WRITE`).
        ENABLE_PARTIAL_WRITE = 0x1;
        /// Allow a retry from a different buffer address (`SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER`).
        ACCEPT_MOVING_WRITE_BUFFER = 0x2;
        /// Reads retry after non-application records (`SSL_MODE_AUTO_RETRY`, on by default).
        AUTO_RETRY = 0x4;
        /// `SSL_MODE_NO_AUTO_CHAIN`.
        NO_AUTO_CHAIN = 0x8;
        /// Free idle record buffers (`SSL_MODE_RELEASE_BUFFERS`, on by default in oxssl).
        RELEASE_BUFFERS = 0x10;
        /// `SSL_MODE_SEND_FALLBACK_SCSV`.
        SEND_FALLBACK_SCSV = 0x80;
        /// `SSL_MODE_ASYNC`.
        ASYNC = 0x100;
    }
);

bitflags_like!(
    /// `SSL_OP_*` (`SSL_set_options`).
    SslOptions(u64) {
        /// `SSL_OP_LEGACY_SERVER_CONNECT`.
        LEGACY_SERVER_CONNECT = 1 << 2;
        /// `SSL_OP_TLSEXT_PADDING` (accepted; oxssl sends no padding extension).
        TLSEXT_PADDING = 1 << 4;
        /// `SSL_OP_SAFARI_ECDHE_ECDSA_BUG` (accepted; no effect).
        SAFARI_ECDHE_ECDSA_BUG = 1 << 6;
        /// EOF without close_notify reads as a clean close (`SSL_OP_IGNORE_UNEXPECTED_EOF`).
        IGNORE_UNEXPECTED_EOF = 1 << 7;
        /// `SSL_OP_ALLOW_CLIENT_RENEGOTIATION`.
        ALLOW_CLIENT_RENEGOTIATION = 1 << 8;
        /// `SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS` (CBC only; oxssl has no CBC).
        DONT_INSERT_EMPTY_FRAGMENTS = 1 << 11;
        /// `SSL_OP_NO_QUERY_MTU` (DTLS; no effect).
        NO_QUERY_MTU = 1 << 12;
        /// `SSL_OP_COOKIE_EXCHANGE` (DTLS; no effect).
        COOKIE_EXCHANGE = 1 << 13;
        /// `SSL_OP_NO_TICKET`.
        NO_TICKET = 1 << 14;
        /// `SSL_OP_CISCO_ANYCONNECT` (DTLS; no effect).
        CISCO_ANYCONNECT = 1 << 15;
        /// A server never resumes a session in a renegotiation
        /// (`SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION`).
        NO_SESSION_RESUMPTION_ON_RENEGOTIATION = 1 << 16;
        /// `SSL_OP_NO_COMPRESSION` (compression is never supported).
        NO_COMPRESSION = 1 << 17;
        /// `SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION`.
        ALLOW_UNSAFE_LEGACY_RENEGOTIATION = 1 << 18;
        /// Middlebox compatibility mode (`SSL_OP_ENABLE_MIDDLEBOX_COMPAT`, on by default).
        ENABLE_MIDDLEBOX_COMPAT = 1 << 20;
        /// `SSL_OP_PRIORITIZE_CHACHA` (accepted; server preference decides).
        PRIORITIZE_CHACHA = 1 << 21;
        /// Server picks the cipher suite by its own preference (`SSL_OP_CIPHER_SERVER_PREFERENCE`).
        CIPHER_SERVER_PREFERENCE = 1 << 22;
        /// `SSL_OP_TLS_ROLLBACK_BUG` (no effect: versions are negotiated by RFC 8446).
        TLS_ROLLBACK_BUG = 1 << 23;
        /// `SSL_OP_NO_ANTI_REPLAY` (accepted; oxssl's early data is always single-use).
        NO_ANTI_REPLAY = 1 << 24;
        /// `SSL_OP_NO_SSLv3`.
        NO_SSLV3 = 1 << 25;
        /// `SSL_OP_NO_TLSv1`.
        NO_TLSV1 = 1 << 26;
        /// `SSL_OP_NO_TLSv1_2`.
        NO_TLSV1_2 = 1 << 27;
        /// `SSL_OP_NO_TLSv1_1`.
        NO_TLSV1_1 = 1 << 28;
        /// `SSL_OP_NO_TLSv1_3`.
        NO_TLSV1_3 = 1 << 29;
        /// `SSL_OP_NO_RENEGOTIATION`.
        NO_RENEGOTIATION = 1 << 30;
        /// `SSL_OP_CRYPTOPRO_TLSEXT_BUG` (no effect).
        CRYPTOPRO_TLSEXT_BUG = 1 << 31;
        /// `SSL_OP_NO_DTLSv1` (DTLS; shares `NO_TLSV1`'s bit, as in OpenSSL).
        NO_DTLSV1 = 1 << 26;
        /// `SSL_OP_NO_DTLSv1_2` (DTLS; shares `NO_TLSV1_2`'s bit, as in OpenSSL).
        NO_DTLSV1_2 = 1 << 27;
        /// `SSL_OP_NO_SSLv2`: 0 in OpenSSL 3 (SSLv2 is gone everywhere).
        NO_SSLV2 = 0;
        /// `SSL_OP_SINGLE_DH_USE`: 0 in OpenSSL 3 (ephemeral keys are always single-use).
        SINGLE_DH_USE = 0;
        /// `SSL_OP_SINGLE_ECDH_USE`: 0 in OpenSSL 3.
        SINGLE_ECDH_USE = 0;
        /// `SSL_OP_ALL`: OpenSSL 3's harmless bug workarounds.
        ALL = (1 << 31) | (1 << 11) | (1 << 4) | (1 << 6);
        /// `SSL_OP_NO_SSL_MASK`: every protocol version.
        NO_SSL_MASK = (1 << 25) | (1 << 26) | (1 << 28) | (1 << 27) | (1 << 29);
    }
);

bitflags_like!(
    /// `SSL_VERIFY_*` (`SSL_CTX_set_verify`).
    SslVerifyMode(i32) {
        /// Verify the peer (client: the server's chain must verify; server: request a certificate).
        PEER = 0x1;
        /// Server: fail if the client sends no certificate.
        FAIL_IF_NO_PEER_CERT = 0x2;
        /// Server: request a certificate only on the first handshake.
        CLIENT_ONCE = 0x4;
        /// Server, TLS 1.3: request a certificate only after the handshake, with
        /// `Ssl::verify_client_post_handshake`.
        POST_HANDSHAKE = 0x8;
    }
);

impl SslVerifyMode {
    /// `SSL_VERIFY_NONE`.
    pub const NONE: SslVerifyMode = SslVerifyMode(0);
}

bitflags_like!(
    /// `SSL_get_shutdown` bits.
    ShutdownState(i32) {
        /// We sent close_notify.
        SENT = 1;
        /// We received close_notify.
        RECEIVED = 2;
    }
);

/// What `shutdown` achieved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShutdownResult {
    /// Our close_notify is sent; the peer's has not arrived (`SSL_shutdown` returned 0).
    Sent,
    /// Both close_notify alerts are done (returned 1).
    Received,
}

/// `SSL_key_update`'s type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyUpdateType {
    /// `SSL_KEY_UPDATE_NOT_REQUESTED`: update our sending key only.
    NotRequested,
    /// `SSL_KEY_UPDATE_REQUESTED`: also ask the peer to update.
    Requested,
}

bitflags_like!(
    /// `SSL_SESS_CACHE_*` (`SSL_CTX_set_session_cache_mode`).
    SslSessionCacheMode(i64) {
        /// Client sessions go to the new-session callback (`SSL_SESS_CACHE_CLIENT`).
        CLIENT = 0x1;
        /// A server caches TLS 1.2 sessions by id and resumes them (`SSL_SESS_CACHE_SERVER`,
        /// the default).
        SERVER = 0x2;
        /// `SSL_SESS_CACHE_BOTH`.
        BOTH = 0x3;
        /// `SSL_SESS_CACHE_NO_AUTO_CLEAR` (expired sessions are dropped when met anyway).
        NO_AUTO_CLEAR = 0x80;
        /// The server does not look ids up in its cache (`SSL_SESS_CACHE_NO_INTERNAL_LOOKUP`).
        NO_INTERNAL_LOOKUP = 0x100;
        /// The server does not store sessions in its cache (`SSL_SESS_CACHE_NO_INTERNAL_STORE`).
        NO_INTERNAL_STORE = 0x200;
        /// `SSL_SESS_CACHE_NO_INTERNAL`: both of the above.
        NO_INTERNAL = 0x300;
    }
);

impl SslSessionCacheMode {
    /// `SSL_SESS_CACHE_OFF`: no caching; tickets still work unless `SSL_OP_NO_TICKET`.
    pub const OFF: SslSessionCacheMode = SslSessionCacheMode(0);
}
