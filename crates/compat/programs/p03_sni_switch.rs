//! A server with two names: its servername callback switches the connection to the
//! second name's context (the crate's `set_servername_callback` + `set_ssl_context`).

use std::error::Error;
use std::net::TcpStream;

use tls::nid::Nid;
use tls::ssl::{NameType, SniError, Ssl, SslAlert, SslContext, SslFiletype, SslMethod};

use super::support::{connector, files, join, serve_n};

pub fn run() -> Result<String, Box<dyn Error>> {
    let f = files();
    let mut other = SslContext::builder(SslMethod::tls_server())?;
    other.set_certificate_chain_file(&f.other_cert)?;
    other.set_private_key_file(&f.other_key, SslFiletype::PEM)?;
    let other = other.build();

    let mut b = SslContext::builder(SslMethod::tls_server())?;
    b.set_certificate_chain_file(&f.server_cert)?;
    b.set_private_key_file(&f.server_key, SslFiletype::PEM)?;
    b.set_servername_callback(move |ssl, alert| {
        match ssl
            .servername(NameType::HOST_NAME)
            .map(str::to_string)
            .as_deref()
        {
            Some("other.test") => ssl
                .set_ssl_context(&other)
                .map_err(|_| SniError::ALERT_FATAL),
            Some("default.test") | None => Ok(()),
            Some(_) => {
                *alert = SslAlert::UNRECOGNIZED_NAME;
                Err(SniError::ALERT_FATAL)
            }
        }
    });
    let ctx = b.build();
    let (addr, server) = serve_n(3, move |tcp| {
        let result = Ssl::new(&ctx)
            .map_err(|e| e.to_string())
            .and_then(|ssl| ssl.accept(tcp).map_err(|e| e.to_string()));
        match result {
            Ok(s) => format!(
                "server: served {:?}\n",
                s.ssl().servername(NameType::HOST_NAME)
            ),
            Err(_) => "server: handshake failed\n".into(),
        }
    })?;

    let mut out = String::new();
    let connector = connector()?;
    let connector = connector.build();
    for name in ["default.test", "other.test", "unknown.test"] {
        match connector.connect(name, TcpStream::connect(addr)?) {
            Ok(s) => {
                let cert = s.ssl().peer_certificate().ok_or("no certificate")?;
                let cn = cert
                    .subject_name()
                    .entries_by_nid(Nid::COMMONNAME)
                    .next()
                    .ok_or("no CN")?
                    .data()
                    .to_string()?;
                out.push_str(&format!("client {name}: certificate for {cn}\n"));
            }
            Err(_) => out.push_str(&format!("client {name}: refused\n")),
        }
    }
    out.push_str(&join(server));
    Ok(out)
}
