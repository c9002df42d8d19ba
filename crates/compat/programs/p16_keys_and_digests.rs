//! Keys and digests without a connection: loading the PEM files, key types and sizes,
//! matching a key to its certificate, hashing, a certificate chain from PEM.

use std::error::Error;
use std::fmt::Write as _;

use tls::hash::{hash, MessageDigest};
use tls::pkey::{Id, PKey};
use tls::x509::X509;

use super::support::files;

pub fn run() -> Result<String, Box<dyn Error>> {
    let f = files();
    let mut out = String::new();
    let key = PKey::private_key_from_pem(&std::fs::read(&f.server_key)?)?;
    let cert = X509::from_pem(&std::fs::read(&f.server_cert)?)?;
    writeln!(
        out,
        "server key: EC {} bits {}",
        key.id() == Id::EC,
        key.bits()
    )?;
    writeln!(
        out,
        "certificate key matches: {}",
        cert.public_key()?.public_key_to_der()? == key.public_key_to_der()?
    )?;
    let other = PKey::private_key_from_pem(&std::fs::read(&f.other_key)?)?;
    writeln!(
        out,
        "other key matches: {}",
        cert.public_key()?.public_key_to_der()? == other.public_key_to_der()?
    )?;
    let stack = X509::stack_from_pem(
        format!("{}{}", f.ca_pem, std::fs::read_to_string(&f.server_cert)?).as_bytes(),
    )?;
    writeln!(out, "stack of {}", stack.len())?;
    for (i, c) in stack.iter().enumerate() {
        writeln!(
            out,
            "  {i}: {:?} issued by {:?}",
            c.subject_name(),
            c.issuer_name()
        )?;
    }
    let round = X509::from_der(&cert.to_der()?)?;
    writeln!(
        out,
        "DER round trip equal: {}",
        round.to_der()? == cert.to_der()?
    )?;
    let pem = cert.to_pem()?;
    writeln!(out, "PEM starts {:?}", String::from_utf8_lossy(&pem[..27]))?;
    for (name, md) in [
        ("sha1", MessageDigest::sha1()),
        ("sha256", MessageDigest::sha256()),
        ("sha384", MessageDigest::sha384()),
        ("sha512", MessageDigest::sha512()),
    ] {
        let d = hash(md, b"abc")?;
        let hex: String = d.iter().take(6).map(|b| format!("{b:02x}")).collect();
        writeln!(
            out,
            "{name}(abc) = {hex}... ({} bytes, size {})",
            d.len(),
            md.size()
        )?;
    }
    writeln!(
        out,
        "bad key refused: {}",
        PKey::private_key_from_pem(b"nope").is_err()
    )?;
    Ok(out)
}
