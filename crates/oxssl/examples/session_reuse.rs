//! Client-side session reuse, keyed by server name, as with the `openssl` crate.
//!
//! The pattern:
//!
//! 1. On the client context, turn client session caching on
//!    (`set_session_cache_mode(CLIENT)`) and keep each new session in a store keyed by the
//!    server name (`set_new_session_callback`). With TLS 1.3 the sessions come from the
//!    server's tickets, which arrive after the handshake: they reach the callback as the
//!    connection reads.
//! 2. Before connecting, look the server name up and offer what is there
//!    (`Ssl::set_session`). If the server cannot resume it (another server, expired, a new
//!    ticket key), the handshake is simply a full one.
//! 3. `session_reused()` tells which it was.
//!
//! Run it: `cargo run -p oxssl --example session_reuse` (a local server on 127.0.0.1 with a
//! throwaway certificate; three connections, the last two resumed).

use oxssl::ssl::{
    NameType, SslAcceptor, SslConnector, SslMethod, SslSession, SslSessionCacheMode, SslStream,
};
use std::collections::HashMap;
use std::error::Error;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// Sessions by server name.
type Store = Arc<Mutex<HashMap<String, SslSession>>>;

fn main() -> Result<()> {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()])?;
    let (cert_der, key_der) = (ck.cert.der().to_vec(), ck.signing_key.serialize_der());
    let port = start_local_server(cert_der.clone(), key_der, 3)?;

    // 1. The store and the callback that fills it.
    let store: Store = Arc::default();
    let mut builder = SslConnector::builder(SslMethod::tls())?;
    builder.add_trusted_der(&cert_der)?;
    builder.set_session_cache_mode(SslSessionCacheMode::CLIENT);
    let s = store.clone();
    builder.set_new_session_callback(move |ssl, session| {
        if let Some(name) = ssl.servername(NameType::HOST_NAME) {
            s.lock().unwrap().insert(name.to_string(), session);
        }
    });
    let connector = builder.build();

    for round in 1..=3 {
        // 2. Offer the session kept for this server name, if any.
        let mut config = connector.configure()?;
        if let Some(session) = store.lock().unwrap().get("localhost") {
            config.ssl_mut().set_session(session)?;
        }
        let tcp = TcpStream::connect(("127.0.0.1", port))?;
        let mut tls = config.connect("localhost", tcp)?;
        tls.write_all(b"hello\n")?;
        let mut reply = [0u8; 6];
        tls.read_exact(&mut reply)?;
        // 3. Resumed or not.
        println!(
            "connection {round}: {} {}, resumed: {}",
            tls.ssl().version_str(),
            tls.ssl().current_cipher_name().unwrap_or("?"),
            tls.ssl().session_reused()
        );
        let _ = tls.shutdown();
    }
    Ok(())
}

/// An echo server on 127.0.0.1 for `count` connections (one at a time). Returns the port.
fn start_local_server(cert_der: Vec<u8>, key_der: Vec<u8>, count: usize) -> Result<u16> {
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls())?;
    b.set_certificate_chain_der(vec![cert_der])?;
    b.set_private_key_der(&key_der)?;
    let acceptor = b.build();
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    thread::spawn(move || {
        for _ in 0..count {
            let echo = |tcp: TcpStream| -> Result<()> {
                let mut tls: SslStream<TcpStream> = acceptor.accept(tcp)?;
                let mut line = [0u8; 6];
                tls.read_exact(&mut line)?;
                tls.write_all(&line)?;
                let _ = tls.shutdown();
                Ok(())
            };
            match listener.accept() {
                Ok((tcp, _)) => {
                    if let Err(e) = echo(tcp) {
                        eprintln!("server: {e}");
                    }
                }
                Err(e) => eprintln!("accept: {e}"),
            }
        }
    });
    Ok(port)
}
