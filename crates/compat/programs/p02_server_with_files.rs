//! A server configured from files the way the crate docs' `SslAcceptor` example does, and
//! a client that checks what it negotiated and who the server is.

use std::error::Error;
use std::io::{Read, Write};
use std::net::TcpStream;

use tls::nid::Nid;
use tls::ssl::{SslAcceptor, SslConnector, SslFiletype, SslMethod, SslVersion};

use super::support::{files, join, serve_once};

pub fn run() -> Result<String, Box<dyn Error>> {
    let f = files();
    let mut out = String::new();
    for max in [SslVersion::TLS1_2, SslVersion::TLS1_3] {
        let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server())?;
        acceptor.set_certificate_file(&f.server_cert, SslFiletype::PEM)?;
        acceptor.set_private_key_file(&f.server_key, SslFiletype::PEM)?;
        acceptor.set_max_proto_version(Some(max))?;
        let acceptor = acceptor.build();
        let (addr, server) = serve_once(move |tcp| match acceptor.accept(tcp) {
            Ok(mut s) => {
                let mut buf = [0u8; 5];
                let _ = s.read_exact(&mut buf);
                let _ = s.write_all(&buf);
                format!(
                    "server: echoed {:?} over {}\n",
                    String::from_utf8_lossy(&buf),
                    s.ssl().version_str()
                )
            }
            Err(e) => format!("server: {e}\n"),
        })?;
        let mut connector = SslConnector::builder(SslMethod::tls_client())?;
        connector.set_ca_file(&f.ca)?;
        let mut stream = connector
            .build()
            .connect("localhost", TcpStream::connect(addr)?)?;
        stream.write_all(b"hello")?;
        let mut echo = [0u8; 5];
        stream.read_exact(&mut echo)?;
        let peer = stream
            .ssl()
            .peer_certificate()
            .ok_or("no peer certificate")?;
        let cn = peer
            .subject_name()
            .entries_by_nid(Nid::COMMONNAME)
            .next()
            .ok_or("no CN")?
            .data()
            .to_string()?;
        out.push_str(&format!(
            "client: {} echo {:?} peer CN {cn} verify {}\n",
            stream.ssl().version_str(),
            String::from_utf8_lossy(&echo),
            stream.ssl().verify_result().error_string()
        ));
        out.push_str(&join(server));
    }
    Ok(out)
}
