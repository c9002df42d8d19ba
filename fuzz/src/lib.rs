//! The fuzz targets' harness lives in `harness.rs`, shared with the corpus-replay test in
//! `crates/oxssl/tests/fuzz_corpus.rs` (which includes the same file).
#[path = "harness.rs"]
pub mod harness;
