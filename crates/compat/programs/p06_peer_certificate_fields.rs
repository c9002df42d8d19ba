//! Printing a peer certificate as programs do: names entry by entry, validity, serial
//! number, subjectAltNames, fingerprint, key type and size, the chain.

use std::error::Error;
use std::fmt::Write as _;
use std::net::TcpStream;

use tls::hash::MessageDigest;

use super::support::{connector, files, intermediate_acceptor, join, serve_once};

pub fn run() -> Result<String, Box<dyn Error>> {
    let _f = files();
    let acceptor = intermediate_acceptor()?;
    let acceptor = acceptor.build();
    let (addr, server) = serve_once(move |tcp| match acceptor.accept(tcp) {
        Ok(_) => "server: ok\n".into(),
        Err(e) => format!("server: {e}\n"),
    })?;
    let connector = connector()?;
    let stream = connector
        .build()
        .connect("localhost", TcpStream::connect(addr)?)?;
    let cert = stream
        .ssl()
        .peer_certificate()
        .ok_or("no peer certificate")?;
    let mut out = String::new();
    for entry in cert.subject_name().entries() {
        writeln!(
            out,
            "subject {} ({}) = {}",
            entry.object().nid().short_name()?,
            entry.object().nid().as_raw(),
            entry.data().to_string()?
        )?;
    }
    for entry in cert.issuer_name().entries() {
        writeln!(
            out,
            "issuer {} = {}",
            entry.object().nid().long_name()?,
            entry.data().to_string()?
        )?;
    }
    writeln!(out, "not before {}", cert.not_before())?;
    writeln!(out, "not after {}", cert.not_after())?;
    writeln!(
        out,
        "serial {}",
        cert.serial_number().to_bn()?.to_hex_str()?
    )?;
    if let Some(names) = cert.subject_alt_names() {
        for name in names.iter() {
            if let Some(dns) = name.dnsname() {
                writeln!(out, "DNS:{dns}")?;
            }
            if let Some(ip) = name.ipaddress() {
                writeln!(out, "IP:{ip:?}")?;
            }
        }
    }
    let digest = cert.digest(MessageDigest::sha256())?;
    writeln!(out, "sha256 fingerprint has {} bytes", digest.len())?;
    let key = cert.public_key()?;
    writeln!(out, "key id {} bits {}", key.id().as_raw(), key.bits())?;
    if let Some(chain) = stream.ssl().peer_cert_chain() {
        writeln!(out, "chain of {}", chain.len())?;
        for c in chain.iter() {
            writeln!(out, "  {:?}", c.subject_name())?;
        }
    }
    out.push_str(&join(server));
    Ok(out)
}
