//! The SSL API, shaped like the `openssl` crate's `ssl` module: [`SslContext`], [`Ssl`],
//! [`SslStream`], [`Error`] with [`ErrorCode`], modes and options. Operations follow
//! OpenSSL's `SSL_write` / `SSL_read` contract over [`crate::bio`] transports.

mod callbacks;
mod cipher;
mod connection;
mod connector;
mod context;
mod error;
mod flags;
pub(crate) mod io;
mod session;
pub(crate) mod stream;

pub use callbacks::{select_next_proto, AlpnError, NameType, SniError, SslAlert};
pub use cipher::{CipherBits, SslCipher, SslCipherRef};
pub use connection::Ssl;

/// The `openssl` crate's borrowed connection type: here the same as [`Ssl`], so callbacks
/// written for `&mut SslRef` read the same.
pub type SslRef = Ssl;
/// The `openssl` crate's borrowed context type: here the same as [`SslContext`].
pub type SslContextRef = SslContext;
pub use connector::{
    ConnectConfiguration, SslAcceptor, SslAcceptorBuilder, SslConnector, SslConnectorBuilder,
};
pub use context::{SslContext, SslContextBuilder, SslFiletype, SslMethod, SslVersion};
pub use error::{Error, ErrorCode, ErrorEntry, ErrorStack, InnerError, LIB_BIO, LIB_SSL, LIB_SYS};
pub use flags::{
    KeyUpdateType, ShutdownResult, ShutdownState, SslMode, SslOptions, SslSessionCacheMode,
    SslVerifyMode,
};
pub use session::SslSession;
/// The `openssl` crate's borrowed session type: here the same as [`SslSession`].
pub type SslSessionRef = SslSession;
pub use stream::{HandshakeError, MidHandshakeSslStream, SslStream};
