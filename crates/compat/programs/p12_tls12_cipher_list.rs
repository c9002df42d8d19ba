//! TLS 1.2 with a cipher list in OpenSSL's language, server preference, and what the
//! client sees of the suite.

use std::error::Error;
use std::net::TcpStream;

use tls::ssl::{SslOptions, SslVersion};

use super::support::{connector, files, intermediate_acceptor, join, serve_n};

pub fn run() -> Result<String, Box<dyn Error>> {
    let _f = files();
    let mut acceptor = intermediate_acceptor()?;
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
        let mut connector = connector()?;
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
