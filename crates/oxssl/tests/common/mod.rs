//! Shared test helpers: PKI, in-memory pipes, oxssl drivers, and peers (OpenSSL, rustls).
#![allow(dead_code)]

pub mod certs;
pub mod mitm;
pub mod openssl_peer;
pub mod ossl_ffi;
pub mod ox;
pub mod pipe;
pub mod rustls_peer;
pub mod scenario;
pub mod sslpair;
