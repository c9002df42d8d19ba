//! The record layer: framing, protection and handshake-message reassembly.
//!
//! Records are sealed where they will be sent ([`writer::RecordWriter`]) and opened where
//! they arrived ([`reader::RecordReader`]); plaintext is copied once in each direction.

pub mod joiner;
pub mod protect;
pub mod reader;
pub mod writer;

/// Record header length: type, version, length.
pub const HEADER_LEN: usize = 5;
/// Largest plaintext fragment (2^14).
pub const MAX_PLAINTEXT: usize = 16384;
/// Largest TLS 1.3 ciphertext (2^14 + 256).
pub const MAX_CIPHERTEXT_TLS13: usize = MAX_PLAINTEXT + 256;
/// Largest ciphertext any version allows (TLS 1.2: 2^14 + 2048).
pub const MAX_CIPHERTEXT: usize = MAX_PLAINTEXT + 2048;
/// TLS 1.3 record overhead beyond the plaintext: inner content type and AEAD tag.
pub const TLS13_OVERHEAD: usize = 1 + crate::crypto::aead::TAG_LEN;
