//! Shared test helpers: PKI, in-memory pipes, oxssl drivers, and peers (OpenSSL, rustls).
#![allow(dead_code)]

pub mod certs;
pub mod ox;
pub mod pipe;
