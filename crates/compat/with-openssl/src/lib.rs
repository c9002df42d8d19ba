//! The compat programs (`../../programs`) built against the `openssl` crate.
#![allow(missing_docs)]

extern crate openssl as tls;

#[path = "../../programs/mod.rs"]
pub mod programs;
