//! Trust from an `X509Store` built in memory from PEM, set on the context; and a store
//! without the CA, which fails verification with the code OpenSSL gives.

use std::error::Error;
use std::net::TcpStream;

use tls::ssl::{SslConnector, SslMethod};
use tls::x509::store::X509StoreBuilder;
use tls::x509::X509;

use super::support::{files, intermediate_acceptor, join, serve_n};

pub fn run() -> Result<String, Box<dyn Error>> {
    let f = files();
    let acceptor = intermediate_acceptor()?;
    let acceptor = acceptor.build();
    let (addr, server) = serve_n(3, move |tcp| match acceptor.accept(tcp) {
        Ok(_) => "server: ok\n".into(),
        Err(_) => "server: failed\n".into(),
    })?;
    let mut out = String::new();
    let ca = X509::from_pem(f.ca_pem.as_bytes())?;
    for trust in ["store with the CA", "empty store", "cert_store_mut"] {
        let mut connector = SslConnector::builder(SslMethod::tls())?;
        match trust {
            "store with the CA" => {
                let mut store = X509StoreBuilder::new()?;
                store.add_cert(ca.clone())?;
                connector.set_cert_store(store.build());
            }
            "empty store" => connector.set_cert_store(X509StoreBuilder::new()?.build()),
            _ => connector.cert_store_mut().add_cert(ca.clone())?,
        }
        let connector = connector.build();
        let mut cfg = connector.configure()?;
        cfg.set_verify_hostname(true);
        match cfg.connect("localhost", TcpStream::connect(addr)?) {
            Ok(s) => out.push_str(&format!(
                "{trust}: verified ({})\n",
                s.ssl().verify_result().error_string()
            )),
            Err(tls::ssl::HandshakeError::Failure(m)) => out.push_str(&format!(
                "{trust}: refused, verify result {}\n",
                m.ssl().verify_result().as_raw()
            )),
            Err(_) => out.push_str(&format!("{trust}: other error\n")),
        }
    }
    out.push_str(&join(server));
    Ok(out)
}
