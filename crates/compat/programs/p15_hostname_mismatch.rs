//! Host name verification: the connector checks the name it was given; a mismatch fails
//! with X509_V_ERR_HOSTNAME_MISMATCH; `verify_hostname(false)` skips the check; an IP
//! address is checked against the certificate's IP SANs through `param_mut().set_ip`.

use std::error::Error;
use std::net::TcpStream;

use tls::ssl::HandshakeError;

use super::support::{connector, files, intermediate_acceptor, join, serve_n};

pub fn run() -> Result<String, Box<dyn Error>> {
    let _f = files();
    let acceptor = intermediate_acceptor()?;
    let acceptor = acceptor.build();
    let (addr, server) = serve_n(4, move |tcp| match acceptor.accept(tcp) {
        Ok(_) => "server: ok\n".into(),
        Err(_) => "server: failed\n".into(),
    })?;
    let connector = connector()?;
    let connector = connector.build();
    let mut out = String::new();
    for (what, name, check, ip) in [
        ("right name", "localhost", true, false),
        ("wrong name", "example.org", true, false),
        ("wrong name, unchecked", "example.org", false, false),
        ("IP address", "127.0.0.1", true, true),
    ] {
        let mut cfg = connector.configure()?;
        cfg.set_verify_hostname(check);
        if ip {
            cfg.set_verify_hostname(false);
            cfg.param_mut().set_ip("127.0.0.1".parse()?)?;
        }
        let r = cfg.connect(name, TcpStream::connect(addr)?);
        match r {
            Ok(s) => out.push_str(&format!(
                "{what}: ok ({})\n",
                s.ssl().verify_result().error_string()
            )),
            Err(HandshakeError::Failure(m)) => out.push_str(&format!(
                "{what}: failed, {} ({})\n",
                m.ssl().verify_result().as_raw(),
                m.ssl().verify_result().error_string()
            )),
            Err(_) => out.push_str(&format!("{what}: other error\n")),
        }
    }
    out.push_str(&join(server));
    Ok(out)
}
