//! The wire codec: records, handshake messages, extensions and alerts. Strict and
//! length-checked; decoding never panics and reports [`codec::DecodeError`].

pub mod codec;
pub mod enums;
pub mod extensions;
pub mod handshake;
