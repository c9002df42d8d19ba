//! ALPN: the server picks h2 with `select_next_proto`, as an HTTP/2 server does; a client
//! offering only http/1.1 gets it; one offering nothing gets no protocol.

use std::error::Error;
use std::net::TcpStream;

use tls::ssl::{select_next_proto, AlpnError, SslAcceptor, SslFiletype, SslMethod};

use super::support::{connector, files, join, serve_n};

pub fn run() -> Result<String, Box<dyn Error>> {
    let f = files();
    let mut acceptor = SslAcceptor::mozilla_modern_v5(SslMethod::tls())?;
    acceptor.set_certificate_chain_file(&f.server_cert)?;
    acceptor.set_private_key_file(&f.server_key, SslFiletype::PEM)?;
    acceptor.set_alpn_select_callback(|_, client| {
        select_next_proto(b"\x02h2\x08http/1.1", client).ok_or(AlpnError::NOACK)
    });
    let acceptor = acceptor.build();
    let (addr, server) = serve_n(3, move |tcp| match acceptor.accept(tcp) {
        Ok(s) => format!(
            "server: selected {:?}\n",
            s.ssl()
                .selected_alpn_protocol()
                .map(String::from_utf8_lossy)
        ),
        Err(e) => format!("server: {e}\n"),
    })?;
    let mut out = String::new();
    for offer in [&b"\x08http/1.1\x02h2"[..], b"\x08http/1.1", b""] {
        let mut connector = connector()?;
        if !offer.is_empty() {
            connector.set_alpn_protos(offer)?;
        }
        let s = connector
            .build()
            .connect("localhost", TcpStream::connect(addr)?)?;
        out.push_str(&format!(
            "client offering {:?}: {:?}\n",
            String::from_utf8_lossy(offer),
            s.ssl()
                .selected_alpn_protocol()
                .map(String::from_utf8_lossy)
        ));
    }
    out.push_str(&join(server));
    Ok(out)
}
