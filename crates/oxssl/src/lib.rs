//! oxssl: a TLS 1.2 / TLS 1.3 library whose API has OpenSSL's semantics.
//!
//! The public surface: [`ssl`] (the OpenSSL-shaped API: `SslContext`, `Ssl`, `SslStream`),
//! [`bio`] (transports with OpenSSL's retry semantics), [`x509`] (certificates and
//! verification), [`conn`] (the sans-IO connection under them, with its [`config`]),
//! [`suites`] and [`cipher_list`], [`error`] and [`reason`]. With the feature `tokio`,
//! `tokio` holds an async stream for tokio (`oxssl::tokio::SslStream`).
//!
//! Underneath, from the bottom: a facade over aws-lc-rs (`crypto`), the wire codec
//! (`msgs`), record framing and protection (`record`), the version-neutral handshake
//! layer (`handshake`) with the TLS 1.3 and TLS 1.2 state machines (`tls13`, `tls12`).
//! Those modules are not part of the API (hidden from the documentation, open to this
//! crate's own tests and benchmarks, which look inside the engine); the types the API
//! needs from them are re-exported where they are used ([`config`], [`conn`]).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bio;
pub mod cipher_list;
pub mod config;
pub mod conn;
#[doc(hidden)]
pub mod crypto;
pub mod error;
pub mod hash;
#[doc(hidden)]
#[macro_use]
pub mod handshake;
#[doc(hidden)]
pub mod msgs;
pub mod negotiated;
pub mod nid;
pub mod pkey;
pub mod reason;
#[doc(hidden)]
pub mod record;
#[doc(hidden)]
pub mod session;
pub mod ssl;
pub mod stack;
pub mod suites;
#[doc(hidden)]
pub mod tls12;
#[doc(hidden)]
pub mod tls13;
#[cfg(feature = "tokio")]
pub mod tokio;
pub mod x509;

pub use config::Config;
pub use conn::{Connection, Event};
pub use error::TlsError;
