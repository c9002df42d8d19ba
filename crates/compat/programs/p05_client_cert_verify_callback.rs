//! Client certificates: the server requires one and watches the verification with a
//! verify callback (depth, preverify result, subject); a client without a certificate is
//! refused.

use std::error::Error;
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

use tls::ssl::{Ssl, SslContext, SslFiletype, SslMethod, SslVerifyMode};

use super::support::{connector, files, join, serve_n};

pub fn run() -> Result<String, Box<dyn Error>> {
    let f = files();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let mut b = SslContext::builder(SslMethod::tls_server())?;
    b.set_certificate_chain_file(&f.server_cert)?;
    b.set_private_key_file(&f.server_key, SslFiletype::PEM)?;
    b.set_ca_file(&f.ca)?;
    b.set_verify_callback(
        SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT,
        move |ok, ctx| {
            let subject = ctx
                .current_cert()
                .map(|c| format!("{:?}", c.subject_name()))
                .unwrap_or_default();
            if let Ok(mut l) = log.lock() {
                l.push(format!(
                    "verify ok={ok} depth={} error={} subject={subject}",
                    ctx.error_depth(),
                    ctx.error().as_raw()
                ));
            }
            ok
        },
    );
    let ctx = b.build();
    let (addr, server) = serve_n(2, move |tcp| {
        let r = Ssl::new(&ctx)
            .map_err(|e| e.to_string())
            .and_then(|ssl| ssl.accept(tcp).map_err(|e| e.to_string()));
        match r {
            Ok(mut s) => {
                let _ = std::io::Write::write_all(&mut s, b"k");
                let _ = s.shutdown();
                let peer = s
                    .ssl()
                    .peer_certificate()
                    .map(|c| format!("{:?}", c.subject_name()));
                format!("server: client certificate {peer:?}\n")
            }
            Err(_) => "server: refused the client\n".into(),
        }
    })?;
    let mut out = String::new();
    for with_cert in [true, false] {
        let mut connector = connector()?;
        if with_cert {
            connector.set_certificate_file(&f.client_cert, SslFiletype::PEM)?;
            connector.set_private_key_file(&f.client_key, SslFiletype::PEM)?;
        }
        let connector = connector.build();
        let result = connector.connect("localhost", TcpStream::connect(addr)?);
        // TLS 1.3: the client finishes before the server judges its certificate; a read
        // tells whether the server kept the connection.
        let kept = match result {
            Ok(mut s) => {
                let mut b = [0u8; 1];
                matches!(s.ssl_read(&mut b), Ok(1))
            }
            Err(_) => false,
        };
        out.push_str(&format!(
            "client with certificate {with_cert}: kept {kept}\n"
        ));
    }
    out.push_str(&join(server));
    for line in seen.lock().map_err(|_| "lock")?.iter() {
        out.push_str(line);
        out.push('\n');
    }
    Ok(out)
}
