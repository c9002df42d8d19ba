//! Registry values used on the wire: content types, handshake types, alerts, versions,
//! extensions. Newtypes over the raw integer so unknown values survive decoding.

macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident($ty:ty) { $($(#[$vdoc:meta])* $var:ident = $val:expr),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub $ty);
        #[allow(missing_docs)]
        impl $name {
            $($(#[$vdoc])* pub const $var: $name = $name($val);)*
            /// The registry name, if this value is known.
            pub fn name(self) -> Option<&'static str> {
                match self.0 { $($val => Some(stringify!($var)),)* _ => None }
            }
        }
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "{}({:#x})", stringify!($name), self.0),
                }
            }
        }
    };
}

wire_enum!(
    /// TLS record content type.
    ContentType(u8) {
        CHANGE_CIPHER_SPEC = 20,
        ALERT = 21,
        HANDSHAKE = 22,
        APPLICATION_DATA = 23,
        HEARTBEAT = 24,
    }
);

wire_enum!(
    /// Handshake message type.
    HandshakeType(u8) {
        HELLO_REQUEST = 0,
        CLIENT_HELLO = 1,
        SERVER_HELLO = 2,
        NEW_SESSION_TICKET = 4,
        END_OF_EARLY_DATA = 5,
        ENCRYPTED_EXTENSIONS = 8,
        CERTIFICATE = 11,
        SERVER_KEY_EXCHANGE = 12,
        CERTIFICATE_REQUEST = 13,
        SERVER_HELLO_DONE = 14,
        CERTIFICATE_VERIFY = 15,
        CLIENT_KEY_EXCHANGE = 16,
        FINISHED = 20,
        CERTIFICATE_STATUS = 22,
        KEY_UPDATE = 24,
        MESSAGE_HASH = 254,
    }
);

wire_enum!(
    /// Alert description (RFC 8446 section 6).
    AlertDescription(u8) {
        CLOSE_NOTIFY = 0,
        UNEXPECTED_MESSAGE = 10,
        BAD_RECORD_MAC = 20,
        RECORD_OVERFLOW = 22,
        HANDSHAKE_FAILURE = 40,
        BAD_CERTIFICATE = 42,
        UNSUPPORTED_CERTIFICATE = 43,
        CERTIFICATE_REVOKED = 44,
        CERTIFICATE_EXPIRED = 45,
        CERTIFICATE_UNKNOWN = 46,
        ILLEGAL_PARAMETER = 47,
        UNKNOWN_CA = 48,
        ACCESS_DENIED = 49,
        DECODE_ERROR = 50,
        DECRYPT_ERROR = 51,
        PROTOCOL_VERSION = 70,
        INSUFFICIENT_SECURITY = 71,
        INTERNAL_ERROR = 80,
        INAPPROPRIATE_FALLBACK = 86,
        USER_CANCELED = 90,
        NO_RENEGOTIATION = 100,
        MISSING_EXTENSION = 109,
        UNSUPPORTED_EXTENSION = 110,
        UNRECOGNIZED_NAME = 112,
        BAD_CERTIFICATE_STATUS_RESPONSE = 113,
        UNKNOWN_PSK_IDENTITY = 115,
        CERTIFICATE_REQUIRED = 116,
        NO_APPLICATION_PROTOCOL = 120,
    }
);

impl AlertDescription {
    /// OpenSSL's description text (`SSL_alert_desc_string_long`).
    pub fn text(self) -> &'static str {
        match self.0 {
            0 => "close notify",
            10 => "unexpected_message",
            20 => "bad record mac",
            22 => "record overflow",
            40 => "handshake failure",
            42 => "bad certificate",
            43 => "unsupported certificate",
            44 => "certificate revoked",
            45 => "certificate expired",
            46 => "certificate unknown",
            47 => "illegal parameter",
            48 => "unknown CA",
            49 => "access denied",
            50 => "decode error",
            51 => "decrypt error",
            70 => "protocol version",
            71 => "insufficient security",
            80 => "internal error",
            86 => "inappropriate fallback",
            90 => "user canceled",
            100 => "no renegotiation",
            109 => "missing extension",
            110 => "unsupported extension",
            112 => "unrecognized name",
            113 => "bad certificate status response",
            115 => "unknown PSK identity",
            116 => "certificate required",
            120 => "no application protocol",
            _ => "unknown",
        }
    }
}

wire_enum!(
    /// Protocol version as it appears on the wire.
    ProtocolVersion(u16) {
        SSLV3 = 0x0300,
        TLSV1_0 = 0x0301,
        TLSV1_1 = 0x0302,
        TLSV1_2 = 0x0303,
        TLSV1_3 = 0x0304,
    }
);

impl ProtocolVersion {
    /// OpenSSL's name (`SSL_get_version`): "TLSv1.3", ...
    pub fn openssl_name(self) -> &'static str {
        match self.0 {
            0x0300 => "SSLv3",
            0x0301 => "TLSv1",
            0x0302 => "TLSv1.1",
            0x0303 => "TLSv1.2",
            0x0304 => "TLSv1.3",
            _ => "unknown",
        }
    }
}

wire_enum!(
    /// Extension type code points.
    ExtensionType(u16) {
        SERVER_NAME = 0,
        MAX_FRAGMENT_LENGTH = 1,
        STATUS_REQUEST = 5,
        SUPPORTED_GROUPS = 10,
        EC_POINT_FORMATS = 11,
        SIGNATURE_ALGORITHMS = 13,
        USE_SRTP = 14,
        HEARTBEAT = 15,
        ALPN = 16,
        SIGNED_CERTIFICATE_TIMESTAMP = 18,
        PADDING = 21,
        ENCRYPT_THEN_MAC = 22,
        EXTENDED_MASTER_SECRET = 23,
        RECORD_SIZE_LIMIT = 28,
        SESSION_TICKET = 35,
        PRE_SHARED_KEY = 41,
        EARLY_DATA = 42,
        SUPPORTED_VERSIONS = 43,
        COOKIE = 44,
        PSK_KEY_EXCHANGE_MODES = 45,
        CERTIFICATE_AUTHORITIES = 47,
        POST_HANDSHAKE_AUTH = 49,
        SIGNATURE_ALGORITHMS_CERT = 50,
        KEY_SHARE = 51,
        RENEGOTIATION_INFO = 0xff01,
    }
);

/// `SHA-256("HelloRetryRequest")`: the ServerHello.random that marks a HelloRetryRequest.
pub const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// The last 8 bytes of ServerHello.random from a TLS 1.3 server negotiating TLS 1.2.
pub const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";
/// The last 8 bytes of ServerHello.random from a TLS 1.2+ server negotiating TLS 1.1 or older.
pub const DOWNGRADE_TLS11: [u8; 8] = *b"DOWNGRD\x00";
