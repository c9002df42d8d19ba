//! `SslAcceptor::mozilla_modern_v5` takes TLS 1.3 only; `mozilla_intermediate_v5` takes
//! TLS 1.2 too. A TLS 1.2-only client against each.

use std::error::Error;
use std::net::TcpStream;

use tls::error::ErrorStack;
use tls::ssl::{SslAcceptor, SslAcceptorBuilder, SslFiletype, SslMethod, SslVersion};

use super::support::{connector, files, join, serve_once};

pub fn run() -> Result<String, Box<dyn Error>> {
    let f = files();
    let mut out = String::new();
    type Profile = fn(SslMethod) -> Result<SslAcceptorBuilder, ErrorStack>;
    let profiles: [(&str, Profile); 2] = [
        ("modern v5", SslAcceptor::mozilla_modern_v5),
        ("intermediate v5", SslAcceptor::mozilla_intermediate_v5),
    ];
    for (name, profile) in profiles {
        let mut acceptor = profile(SslMethod::tls())?;
        acceptor.set_certificate_chain_file(&f.server_cert)?;
        acceptor.set_private_key_file(&f.server_key, SslFiletype::PEM)?;
        let acceptor = acceptor.build();
        let (addr, server) = serve_once(move |tcp| match acceptor.accept(tcp) {
            Ok(s) => format!("server: {}\n", s.ssl().version_str()),
            Err(_) => "server: refused\n".into(),
        })?;
        let mut connector = connector()?;
        connector.set_max_proto_version(Some(SslVersion::TLS1_2))?;
        let r = connector
            .build()
            .connect("localhost", TcpStream::connect(addr)?);
        out.push_str(&format!(
            "{name}: TLS 1.2 client {}\n",
            match r {
                Ok(s) => s.ssl().version_str().to_string(),
                Err(_) => "refused".into(),
            }
        ));
        out.push_str(&join(server));
    }
    Ok(out)
}
