//! The programs, each `run() -> Result<String, Box<dyn Error>>` printing what it saw, and
//! what they share (certificates on disk, a loopback server thread). Nothing here names
//! the TLS library except through `tls::`.

pub mod support;

pub mod p01_blocking_client;
pub mod p02_server_with_files;
pub mod p03_sni_switch;
pub mod p04_alpn_h2;
pub mod p05_client_cert_verify_callback;
pub mod p06_peer_certificate_fields;
pub mod p07_error_handling;
pub mod p08_nonblocking_handshake;
pub mod p09_x509_store;
pub mod p10_keylog;
pub mod p11_shutdown;
pub mod p12_tls12_cipher_list;
pub mod p13_export_keying_material;
pub mod p14_mozilla_profiles;
pub mod p15_hostname_mismatch;
pub mod p16_keys_and_digests;
pub mod p17_session_cache;

/// Every program, by name.
pub fn all() -> Vec<(&'static str, support::Program)> {
    vec![
        ("p01_blocking_client", p01_blocking_client::run),
        ("p02_server_with_files", p02_server_with_files::run),
        ("p03_sni_switch", p03_sni_switch::run),
        ("p04_alpn_h2", p04_alpn_h2::run),
        (
            "p05_client_cert_verify_callback",
            p05_client_cert_verify_callback::run,
        ),
        (
            "p06_peer_certificate_fields",
            p06_peer_certificate_fields::run,
        ),
        ("p07_error_handling", p07_error_handling::run),
        ("p08_nonblocking_handshake", p08_nonblocking_handshake::run),
        ("p09_x509_store", p09_x509_store::run),
        ("p10_keylog", p10_keylog::run),
        ("p11_shutdown", p11_shutdown::run),
        ("p12_tls12_cipher_list", p12_tls12_cipher_list::run),
        (
            "p13_export_keying_material",
            p13_export_keying_material::run,
        ),
        ("p14_mozilla_profiles", p14_mozilla_profiles::run),
        ("p15_hostname_mismatch", p15_hostname_mismatch::run),
        ("p16_keys_and_digests", p16_keys_and_digests::run),
        ("p17_session_cache", p17_session_cache::run),
    ]
}
