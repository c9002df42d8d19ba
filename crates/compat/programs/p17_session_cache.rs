//! Server-side session handling: a session id context, the new-session callback, the
//! server cache size, and a client that reads the session of its connection.

use std::error::Error;
use std::io::Read;
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tls::ssl::{SslAcceptor, SslFiletype, SslMethod, SslSessionCacheMode, SslVersion};

use super::support::{connector, files, join, serve_once};

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
        acceptor.set_session_id_context(b"compat")?;
        acceptor.set_max_proto_version(Some(version))?;
        let acceptor = acceptor.build();
        let (addr, server) = serve_once(move |tcp| match acceptor.accept(tcp) {
            Ok(mut s) => {
                let _ = std::io::Write::write_all(&mut s, b"x");
                let _ = s.shutdown();
                "server: ok\n".into()
            }
            Err(_) => "server: failed\n".into(),
        })?;
        let sessions = Arc::new(AtomicUsize::new(0));
        let count = sessions.clone();
        let mut connector = connector()?;
        connector.set_session_cache_mode(SslSessionCacheMode::CLIENT);
        connector.set_new_session_callback(move |_, _session| {
            count.fetch_add(1, Ordering::SeqCst);
        });
        let mut s = connector
            .build()
            .connect("localhost", TcpStream::connect(addr)?)?;
        let mut x = [0u8; 1];
        s.read_exact(&mut x)?;
        let session = s.ssl().session().ok_or("no session")?;
        out.push_str(&format!(
            "{name}: reused {}, session protocol {:?}, id length {}, callbacks {}\n",
            s.ssl().session_reused(),
            session.protocol_version() == version,
            session.id().len(),
            sessions.load(Ordering::SeqCst)
        ));
        out.push_str(&join(server));
    }
    Ok(out)
}
