//! `export_keying_material` (RFC 5705 / RFC 8446 7.5): both ends derive the same bytes,
//! with and without a context, TLS 1.3 and TLS 1.2.

use std::error::Error;
use std::net::TcpStream;
use std::sync::mpsc;

use tls::ssl::{SslAcceptor, SslFiletype, SslMethod, SslVersion};

use super::support::{connector, files, join, serve_once};

fn export(ssl: &tls::ssl::SslRef) -> Result<Vec<Vec<u8>>, tls::error::ErrorStack> {
    let mut out = Vec::new();
    for context in [Some(&b"app context"[..]), None] {
        let mut key = vec![0u8; 48];
        ssl.export_keying_material(&mut key, "EXPORTER-compat", context)?;
        out.push(key);
    }
    Ok(out)
}

pub fn run() -> Result<String, Box<dyn Error>> {
    let f = files();
    let mut out = String::new();
    for (name, version) in [
        ("TLSv1.3", SslVersion::TLS1_3),
        ("TLSv1.2", SslVersion::TLS1_2),
    ] {
        let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls())?;
        acceptor.set_certificate_chain_file(&f.server_cert)?;
        acceptor.set_private_key_file(&f.server_key, SslFiletype::PEM)?;
        acceptor.set_max_proto_version(Some(version))?;
        let acceptor = acceptor.build();
        let (tx, rx) = mpsc::channel();
        let (addr, server) = serve_once(move |tcp| match acceptor.accept(tcp) {
            Ok(s) => {
                let _ = tx.send(export(s.ssl()).ok());
                "server: ok\n".into()
            }
            Err(_) => "server: failed\n".into(),
        })?;
        let connector = connector()?;
        let s = connector
            .build()
            .connect("localhost", TcpStream::connect(addr)?)?;
        let ours = export(s.ssl())?;
        out.push_str(&join(server));
        let theirs = rx.recv()?.ok_or("server export failed")?;
        out.push_str(&format!(
            "{name}: {} keys of {} bytes, same on both ends {}, context matters {}\n",
            ours.len(),
            ours[0].len(),
            ours == theirs,
            ours[0] != ours[1]
        ));
    }
    Ok(out)
}
