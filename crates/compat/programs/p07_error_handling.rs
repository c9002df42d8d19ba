//! Error handling as the crate docs show it: `ErrorStack` from loading bad input, a
//! handshake failure with its verify result, `Error::code()` on I/O.

use std::error::Error;
use std::net::TcpStream;

use tls::ssl::{ErrorCode, HandshakeError, SslConnector, SslMethod};
use tls::x509::X509;

use super::support::{files, intermediate_acceptor, join, serve_once};

pub fn run() -> Result<String, Box<dyn Error>> {
    let f = files();
    let mut out = String::new();
    match X509::from_pem(b"this is not a certificate") {
        Ok(_) => out.push_str("garbage parsed?\n"),
        Err(stack) => out.push_str(&format!(
            "garbage refused, errors queued: {}\n",
            !stack.errors().is_empty()
        )),
    }
    let mut b = SslConnector::builder(SslMethod::tls())?;
    out.push_str(&format!(
        "missing CA file refused: {}\n",
        b.set_ca_file(f.dir.join("missing.pem")).is_err()
    ));

    // A client that trusts nothing: certificate verify failed, with the reason why.
    let acceptor = intermediate_acceptor()?;
    let acceptor = acceptor.build();
    let (addr, server) = serve_once(move |tcp| match acceptor.accept(tcp) {
        Ok(_) => "server: accepted?\n".into(),
        Err(HandshakeError::Failure(_)) => "server: handshake failed\n".into(),
        Err(_) => "server: other error\n".into(),
    })?;
    let connector = b.build();
    match connector.connect("localhost", TcpStream::connect(addr)?) {
        Ok(_) => out.push_str("client: connected?\n"),
        Err(HandshakeError::Failure(mid)) => {
            out.push_str(&format!(
                "client: failure, code {:?}, verify result {} ({})\n",
                mid.error().code() == ErrorCode::SSL,
                mid.ssl().verify_result().as_raw(),
                mid.ssl().verify_result().error_string()
            ));
            let reasons: Vec<String> = mid
                .error()
                .ssl_error()
                .map(|s| {
                    s.errors()
                        .iter()
                        .filter_map(|e| e.reason().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            out.push_str(&format!("client: reasons {reasons:?}\n"));
        }
        Err(_) => out.push_str("client: other error\n"),
    }
    out.push_str(&join(server));
    Ok(out)
}
