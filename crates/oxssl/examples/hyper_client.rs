//! An HTTPS client: hyper 1 over `oxssl::tokio::SslStream` (feature `tokio`), with the
//! server's certificate and host name verified.
//!
//! ```text
//! cargo run -p oxssl --features tokio --example hyper_client -- https://example.com/
//! cargo run -p oxssl --features tokio --example hyper_client -- https://localhost:4433/ /tmp/oxssl-hyper-server.pem
//! ```
//!
//! The first argument is the URL (`https://HOST[:PORT][/PATH]`); the optional second one
//! a PEM file of CA certificates to trust besides the system's (for the `hyper_server`
//! example, the certificate it wrote). Prints the status, the TLS version and cipher, and
//! the body.
//!
//! `tests/tokio_stream.rs` runs [`fetch`] against the server example's `serve`.

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1;
use hyper::{header, Request, StatusCode};
use hyper_util::rt::TokioIo;
use oxssl::ssl::{SslConnector, SslMethod};
use tokio::net::TcpStream;

/// The error type of the example.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What [`fetch`] got.
#[derive(Debug)]
pub struct Page {
    /// The HTTP status.
    pub status: StatusCode,
    /// The negotiated TLS version ("TLSv1.3").
    pub version: &'static str,
    /// The negotiated cipher suite.
    pub cipher: Option<&'static str>,
    /// The response body.
    pub body: Bytes,
}

/// Splits `https://HOST[:PORT][/PATH]` into host, port (443 by default) and path.
pub fn parse_url(url: &str) -> Result<(String, u16, String), BoxError> {
    let rest = url
        .strip_prefix("https://")
        .ok_or("the URL must start with https://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, port.parse()?),
        None => (authority, 443),
    };
    if host.is_empty() {
        return Err("no host in the URL".into());
    }
    Ok((host.to_string(), port, path.to_string()))
}

/// GETs `path` from `host:port` over HTTPS/1.1: TCP, the TLS handshake with `connector`
/// (SNI and the certificate checked for `host`), one request with hyper, the whole body,
/// then the connection is closed (close_notify).
pub async fn fetch(
    connector: &SslConnector,
    host: &str,
    port: u16,
    path: &str,
) -> Result<Page, BoxError> {
    let tcp = TcpStream::connect((host, port)).await?;
    let tls = oxssl::tokio::connect(connector, host, tcp).await?;
    let (version, cipher) = (tls.ssl().version_str(), tls.ssl().current_cipher_name());
    let (mut sender, conn) = http1::handshake(TokioIo::new(tls)).await?;
    // The connection future does the I/O; it ends once `sender` is dropped.
    let driver = tokio::spawn(conn);
    let authority = if port == 443 {
        host.to_string()
    } else {
        format!("{host}:{port}")
    };
    let req = Request::get(path)
        .header(header::HOST, authority)
        .body(Empty::<Bytes>::new())?;
    let resp = sender.send_request(req).await?;
    let status = resp.status();
    let body = resp.into_body().collect().await?.to_bytes();
    drop(sender);
    driver.await??;
    Ok(Page {
        status,
        version,
        cipher,
        body,
    })
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(url) = args.first() else {
        eprintln!("usage: hyper_client https://HOST[:PORT][/PATH] [CA.pem]");
        std::process::exit(2);
    };
    let (host, port, path) = parse_url(url)?;
    let mut builder = SslConnector::builder(SslMethod::tls())?;
    if let Some(ca) = args.get(1) {
        builder.set_ca_file(ca)?;
    }
    let page = fetch(&builder.build(), &host, port, &path).await?;
    eprintln!(
        "{} over {} ({})",
        page.status,
        page.version,
        page.cipher.unwrap_or("?")
    );
    println!("{}", String::from_utf8_lossy(&page.body));
    Ok(())
}
