//! oxssl talking to itself over an in-memory pipe: the smallest end-to-end check.
mod common;

use common::certs::{server_pki, KeyKind};
use common::{ox, pipe};

#[test]
fn oxssl_to_oxssl_handshake_and_data() {
    for kind in KeyKind::ALL {
        let pki = server_pki(kind);
        let mut c = ox::client(ox::client_config(pki), "localhost");
        let mut s = ox::server(ox::server_config(pki));
        let (ce, se) = pipe::pipe();
        for _ in 0..20 {
            ox::pump(&mut c, &ce).unwrap();
            ox::pump(&mut s, &se).unwrap();
            if c.is_connected() && s.is_connected() {
                break;
            }
        }
        assert!(c.is_connected() && s.is_connected(), "{kind:?}");
        let data: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
        ox::write_all(&mut c, &data).unwrap();
        let mut got = Vec::new();
        for _ in 0..100 {
            ox::pump(&mut c, &ce).unwrap();
            ox::pump(&mut s, &se).unwrap();
            ox::read_available(&mut s, &mut got).unwrap();
            if got.len() >= data.len() {
                break;
            }
        }
        assert!(
            got == data,
            "{kind:?}: got {} of {} bytes",
            got.len(),
            data.len()
        );
        assert_eq!(c.negotiated().suite, s.negotiated().suite);
    }
}
