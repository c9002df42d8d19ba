//! An HTTPS server: hyper 1 over `oxssl::tokio::SslStream` (feature `tokio`).
//!
//! ```text
//! cargo run -p oxssl --features tokio --example hyper_server                    # 127.0.0.1:4433
//! cargo run -p oxssl --features tokio --example hyper_server -- 127.0.0.1:8443
//! ```
//!
//! It makes a throwaway certificate for `localhost` with rcgen, writes it to
//! `oxssl-hyper-server.pem` in the system's temporary directory (the path is printed) and
//! answers every request with one line of text. Fetch a page with the client example,
//! which verifies the server against that certificate:
//!
//! ```text
//! cargo run -p oxssl --features tokio --example hyper_client -- https://localhost:4433/ /tmp/oxssl-hyper-server.pem
//! ```
//!
//! `tests/tokio_stream.rs` runs [`serve`] in-process against the client example's
//! `fetch`.

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use oxssl::ssl::{SslAcceptor, SslMethod};
use std::convert::Infallible;
use tokio::net::TcpListener;

/// The error type of the example.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A server context (Mozilla's intermediate profile: TLS 1.2 and 1.3) with one
/// certificate and its key, as DER.
pub fn acceptor(cert_der: Vec<u8>, key_der: &[u8]) -> Result<SslAcceptor, BoxError> {
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls())?;
    b.set_certificate_chain_der(vec![cert_der])?;
    b.set_private_key_der(key_der)?;
    b.check_private_key()?;
    Ok(b.build())
}

/// Accepts connections on `listener` forever: a TLS handshake, then HTTP/1.1 with hyper,
/// each connection in its own task. A failed handshake or connection is reported and
/// dropped; the server goes on.
pub async fn serve(listener: TcpListener, acceptor: SslAcceptor) -> std::io::Result<()> {
    loop {
        let (tcp, peer) = listener.accept().await?;
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let tls = match oxssl::tokio::accept(&acceptor, tcp).await {
                Ok(tls) => tls,
                Err(e) => return eprintln!("{peer}: TLS handshake failed: {e}"),
            };
            let served = http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service_fn(hello))
                .await;
            if let Err(e) = served {
                eprintln!("{peer}: {e}");
            }
        });
    }
}

/// The one page: the request's method and path.
async fn hello(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let text = format!(
        "hello from oxssl over hyper: {} {}\n",
        req.method(),
        req.uri().path()
    );
    Ok(Response::new(Full::new(Bytes::from(text))))
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:4433".into());
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let ck = rcgen::generate_simple_self_signed(names)?;
    let pem_path = std::env::temp_dir().join("oxssl-hyper-server.pem");
    std::fs::write(&pem_path, ck.cert.pem())?;
    let acceptor = acceptor(ck.cert.der().to_vec(), &ck.signing_key.serialize_der())?;
    let listener = TcpListener::bind(&addr).await?;
    println!(
        "listening on https://{} (certificate for localhost in {})",
        listener.local_addr()?,
        pem_path.display()
    );
    serve(listener, acceptor).await?;
    Ok(())
}
