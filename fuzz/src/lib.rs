//! The fuzz targets' harness lives in `harness.rs`, shared with the corpus-replay test in
//! `crates/oxssl/tests/fuzz_corpus.rs` (which includes the same file). The x509 differential
//! against OpenSSL lives in `x509_diff/`, shared with
//! `crates/oxssl/tests/x509_differential.rs`.
#[path = "harness.rs"]
pub mod harness;
pub mod x509_diff;
