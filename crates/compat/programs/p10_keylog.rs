//! `set_keylog_callback`: the labels each side logs, TLS 1.3 and TLS 1.2, and that both
//! sides log the same secrets.

use std::collections::BTreeSet;
use std::error::Error;
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

use tls::ssl::{Ssl, SslContext, SslFiletype, SslMethod, SslVersion};

use super::support::{connector, files, join, serve_once};

type Lines = Arc<Mutex<Vec<String>>>;

fn labels(lines: &Lines) -> BTreeSet<String> {
    lines
        .lock()
        .map(|l| {
            l.iter()
                .filter_map(|x| x.split(' ').next().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub fn run() -> Result<String, Box<dyn Error>> {
    let f = files();
    let mut out = String::new();
    for (name, version) in [
        ("TLSv1.3", SslVersion::TLS1_3),
        ("TLSv1.2", SslVersion::TLS1_2),
    ] {
        let server_lines: Lines = Arc::default();
        let client_lines: Lines = Arc::default();
        let mut b = SslContext::builder(SslMethod::tls_server())?;
        b.set_certificate_chain_file(&f.server_cert)?;
        b.set_private_key_file(&f.server_key, SslFiletype::PEM)?;
        b.set_max_proto_version(Some(version))?;
        let log = server_lines.clone();
        b.set_keylog_callback(move |_, line| {
            if let Ok(mut l) = log.lock() {
                l.push(line.to_string());
            }
        });
        let ctx = b.build();
        let (addr, server) = serve_once(move |tcp| {
            let r = Ssl::new(&ctx)
                .map_err(|e| e.to_string())
                .and_then(|ssl| ssl.accept(tcp).map_err(|e| e.to_string()));
            match r {
                Ok(_) => "server: ok\n".into(),
                Err(e) => format!("server: {e}\n"),
            }
        })?;
        let mut connector = connector()?;
        let log = client_lines.clone();
        connector.set_keylog_callback(move |_, line| {
            if let Ok(mut l) = log.lock() {
                l.push(line.to_string());
            }
        });
        let _s = connector
            .build()
            .connect("localhost", TcpStream::connect(addr)?)?;
        out.push_str(&join(server));
        let (c, s) = (labels(&client_lines), labels(&server_lines));
        out.push_str(&format!("{name} client labels {c:?}\n"));
        out.push_str(&format!("{name} server labels {s:?}\n"));
        let mut cl = client_lines.lock().map_err(|_| "lock")?.clone();
        let mut sl = server_lines.lock().map_err(|_| "lock")?.clone();
        cl.sort();
        sl.sort();
        out.push_str(&format!("{name} same lines on both sides: {}\n", cl == sl));
    }
    Ok(out)
}
