//! `BIO_s_socket`: a TCP socket, blocking or non-blocking.

use super::StreamBio;
use std::net::TcpStream;

/// A socket BIO: a [`StreamBio`] over a `TcpStream`. On a non-blocking socket,
/// `WouldBlock` becomes a retry with the read or write flag; a socket still connecting
/// asks for a retry with the special flag (`SSL_ERROR_WANT_CONNECT`).
pub type SocketBio = StreamBio<TcpStream>;
