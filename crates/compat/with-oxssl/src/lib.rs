//! The compat programs (`../../programs`) built against oxssl.
#![allow(missing_docs)]

extern crate oxssl as tls;

#[path = "../../programs/mod.rs"]
pub mod programs;
