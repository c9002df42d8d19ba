//! oxssl endpoints for tests: configs from a test PKI, and a driver that moves bytes
//! between a sans-IO connection and an in-memory pipe.

use super::certs::Pki;
use super::pipe::PipeEnd;
use oxssl::config::{CertifiedKey, Config, VerifyMode};
use oxssl::crypto::sign::SigningKey;
use oxssl::handshake::client::ClientOptions;
use oxssl::x509::{CertificateDer, TrustStore};
use oxssl::{Connection, Event, TlsError};
use std::sync::Arc;

/// A client config trusting the test CA, verifying the peer.
pub fn client_config(pki: &Pki) -> Config {
    let mut trust = TrustStore::new();
    trust.add_der(&pki.ca_der).unwrap();
    Config {
        trust: Arc::new(trust),
        verify: VerifyMode {
            peer: true,
            fail_if_no_peer_cert: false,
            ..Default::default()
        },
        ..Config::default()
    }
}

/// A server config with the leaf and key of `pki`.
pub fn server_config(pki: &Pki) -> Config {
    Config {
        certified_key: Some(CertifiedKey {
            chain: vec![CertificateDer::from(pki.leaf_der.clone())],
            key: Arc::new(SigningKey::from_der(&pki.key_der).unwrap()),
        }),
        ..Config::default()
    }
}

pub fn client(config: Config, host: &str) -> Connection {
    Connection::client(
        Arc::new(config),
        ClientOptions {
            sni: Some(host.into()),
            verify_host: Some(host.into()),
            ..Default::default()
        },
    )
}

pub fn server(config: Config) -> Connection {
    Connection::server(Arc::new(config))
}

/// Moves a connection's output to the pipe, and the pipe's input through the connection.
/// Returns true if anything moved.
pub fn pump(conn: &mut Connection, end: &PipeEnd) -> Result<bool, TlsError> {
    let mut moved = false;
    conn.start()?;
    let out = conn.pending_tls().to_vec();
    if !out.is_empty() {
        end.send(&out);
        conn.consume_tls(out.len());
        moved = true;
    }
    let incoming = end.peek_all();
    if !incoming.is_empty() {
        let n = conn.read_tls(&incoming);
        end.discard(n);
        moved |= n > 0;
    }
    loop {
        match conn.process_one() {
            Ok(Event::NeedData) | Ok(Event::ApplicationData) | Ok(Event::CloseNotify) => break,
            Ok(_) => moved = true,
            Err(e) => {
                // Flush the alert the failure queued, so the peer sees it.
                let out = conn.pending_tls().to_vec();
                end.send(&out);
                conn.consume_tls(out.len());
                return Err(e);
            }
        }
    }
    let out = conn.pending_tls().to_vec();
    if !out.is_empty() {
        end.send(&out);
        conn.consume_tls(out.len());
        moved = true;
    }
    Ok(moved)
}

/// Writes all of `data` as records (16 KiB each).
pub fn write_all(conn: &mut Connection, mut data: &[u8]) -> Result<(), TlsError> {
    while !data.is_empty() {
        let n = conn.write_app_record(data, 16384)?;
        data = &data[n..];
    }
    Ok(())
}

/// Reads whatever application data is held, processing records as needed.
pub fn read_available(conn: &mut Connection, out: &mut Vec<u8>) -> Result<bool, TlsError> {
    let mut got = false;
    let mut buf = [0u8; 16384];
    loop {
        let n = conn.read_app(&mut buf);
        if n > 0 {
            out.extend_from_slice(&buf[..n]);
            got = true;
            continue;
        }
        match conn.process_one()? {
            Event::ApplicationData | Event::Handshake | Event::Ignored => continue,
            Event::NeedData | Event::CloseNotify | Event::ClientHello => return Ok(got),
        }
    }
}

/// Takes what a connection has queued for the transport (starting it if needed).
pub fn take(conn: &mut Connection) -> Vec<u8> {
    // start() is idempotent; on a failed connection it reports the latched error, and
    // what is pending is then the alert.
    let _ = conn.start();
    let out = conn.pending_tls().to_vec();
    conn.consume_tls(out.len());
    out
}

pub fn feed(conn: &mut Connection, bytes: &[u8]) -> Result<Event, TlsError> {
    let mut rest = bytes;
    loop {
        let n = conn.read_tls(rest);
        rest = &rest[n..];
        let ev = conn.process_all()?;
        if rest.is_empty() || n == 0 && ev != Event::ApplicationData {
            return Ok(ev);
        }
        let mut sink = vec![0u8; 1 << 16];
        while conn.read_app(&mut sink) > 0 {}
    }
}

/// Runs a whole handshake between two sans-IO connections.
pub fn handshake(c: &mut Connection, s: &mut Connection) -> Result<(), TlsError> {
    for _ in 0..20 {
        let out = take(c);
        if !out.is_empty() {
            feed(s, &out)?;
        }
        let out = take(s);
        if !out.is_empty() {
            feed(c, &out)?;
        }
        if c.is_connected() && s.is_connected() {
            return Ok(());
        }
    }
    panic!("handshake did not finish");
}
