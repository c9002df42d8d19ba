//! oxssl: a TLS 1.2 / TLS 1.3 library whose API has OpenSSL's semantics.
//!
//! The layers, from the bottom: [`crypto`] (a facade over aws-lc-rs), [`msgs`] (the wire codec),
//! [`record`] (framing and protection), [`tls13`] (handshake state machines), [`x509`]
//! (certificates and verification) and [`conn`] (the sans-IO connection).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod crypto;
pub mod x509;
pub mod msgs;
pub mod reason;
