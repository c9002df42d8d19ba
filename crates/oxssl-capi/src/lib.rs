//! libssl-compatible C ABI for oxssl: OpenSSL 3's function names over `oxssl::ssl` and
//! `oxssl::bio`, with the headers in `include/openssl/`.
//!
//! Every export catches panics (none crosses the boundary) and treats NULL and
//! out-of-range arguments as OpenSSL does: an error on the queue and its failure value.
//! This is the only crate of the project with `unsafe` code; each block states why it
//! is sound.

#![allow(non_snake_case)]

pub mod bio;
pub mod err;
pub mod evp;
pub mod ex_data;
mod handle;
pub mod init;
pub mod mem;
pub mod name_print;
pub mod pem;
pub mod ssl;
pub mod stack;
pub mod store_ctx;
mod sys;
pub mod x509;

/// Runs `f`, turning a panic into `fail` so that it never unwinds into C.
pub(crate) fn guard<T>(fail: T, f: impl FnOnce() -> T) -> T {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or(fail)
}
