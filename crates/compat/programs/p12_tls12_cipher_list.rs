//! TLS 1.2 with a cipher list in OpenSSL's language, server preference, and what the
//! client sees of the suite.

use std::error::Error;
use std::net::TcpStream;

use tls::ssl::{SslAcceptor, SslConnector, SslFiletype, SslMethod, SslOptions, SslVersion};

use super::support::{files, join, serve_n};

pub fn run() -> Result<String, Box<dyn Error>> {
    let f = files();
    let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls())?;
    acceptor.set_certificate_chain_file(&f.server_cert)?;
    acceptor.set_private_key_file(&f.server_key, SslFiletype::PEM)?;
    acceptor.set_max_proto_version(Some(SslVersion::TLS1_2))?;
    acceptor.set_cipher_list("ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384")?;
    acceptor.set_options(SslOptions::CIPHER_SERVER_PREFERENCE);
    let acceptor = acceptor.build();
    let (addr, server) = serve_n(2, move |tcp| match acceptor.accept(tcp) {
        Ok(s) => format!(
            "server: {} {}\n",
            s.ssl().version_str(),
            s.ssl().current_cipher().map(|c| c.name()).unwrap_or("?")
        ),
        Err(_) => "server: failed\n".into(),
    })?;
    let mut out = String::new();
    for list in [
        "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
    ] {
        let mut connector = SslConnector::builder(SslMethod::tls())?;
        connector.set_ca_file(&f.ca)?;
        connector.set_cipher_list(list)?;
        let s = connector
            .build()
            .connect("localhost", TcpStream::connect(addr)?)?;
        let c = s.ssl().current_cipher().ok_or("no cipher")?;
        out.push_str(&format!(
            "client offering {list}: {} {} bits {} version {}\n",
            s.ssl().version_str(),
            c.name(),
            c.bits().secret,
            c.version()
        ));
    }
    out.push_str(&join(server));
    Ok(out)
}
