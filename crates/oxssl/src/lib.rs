//! oxssl: a TLS 1.2 / TLS 1.3 library whose API has OpenSSL's semantics.
//!
//! The layers, from the bottom: [`crypto`] (a facade over aws-lc-rs), [`msgs`] (the wire
//! codec), [`record`] (framing and protection), [`tls13`] (handshake state machines),
//! [`x509`] (certificates and verification), [`conn`] (the sans-IO connection), and on top
//! [`bio`] (transports with OpenSSL's retry semantics) and [`ssl`] (the OpenSSL-shaped API:
//! `SslContext`, `Ssl`, `SslStream`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bio;
pub mod cipher_list;
pub mod config;
pub mod conn;
pub mod crypto;
pub mod error;
#[macro_use]
pub mod handshake;
pub mod msgs;
pub mod negotiated;
pub mod reason;
pub mod record;
pub mod ssl;
pub mod suites;
pub mod tls12;
pub mod tls13;
pub mod x509;

pub use config::Config;
pub use conn::{Connection, Event};
pub use error::TlsError;
