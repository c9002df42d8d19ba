//! The crate docs' first example: a blocking HTTPS-like client with `SslConnector`,
//! trusting a CA file, against a server built with `SslAcceptor`.

use std::error::Error;
use std::io::{Read, Write};
use std::net::TcpStream;

use tls::ssl::{SslAcceptor, SslConnector, SslFiletype, SslMethod};

use super::support::{files, join, serve_once};

pub fn run() -> Result<String, Box<dyn Error>> {
    let f = files();
    let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls())?;
    acceptor.set_private_key_file(&f.server_key, SslFiletype::PEM)?;
    acceptor.set_certificate_chain_file(&f.server_cert)?;
    acceptor.check_private_key()?;
    let acceptor = acceptor.build();
    let (addr, server) = serve_once(move |tcp| {
        let mut stream = match acceptor.accept(tcp) {
            Ok(s) => s,
            Err(e) => return format!("server: accept failed: {e}\n"),
        };
        let mut request = [0u8; 18];
        if stream.read_exact(&mut request).is_err() {
            return "server: short request\n".into();
        }
        let _ = stream.write_all(b"HTTP/1.0 200 OK\r\n\r\nhello from the server");
        let _ = stream.shutdown();
        format!("server: got {:?}\n", String::from_utf8_lossy(&request))
    })?;

    let mut connector = SslConnector::builder(SslMethod::tls())?;
    connector.set_ca_file(&f.ca)?;
    let connector = connector.build();
    let tcp = TcpStream::connect(addr)?;
    let mut stream = connector.connect("localhost", tcp)?;
    stream.write_all(b"GET / HTTP/1.0\r\n\r\n")?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let mut out = String::new();
    out.push_str(&format!(
        "client: {} {}\n",
        stream.ssl().version_str(),
        stream
            .ssl()
            .current_cipher()
            .map(|c| c.name())
            .unwrap_or("none")
    ));
    out.push_str(&format!(
        "client: response {:?}\n",
        String::from_utf8_lossy(&response)
    ));
    out.push_str(&join(server));
    Ok(out)
}
