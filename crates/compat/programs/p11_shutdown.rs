//! An orderly close: `shutdown()` returns `Sent` then `Received`; reading after the
//! peer's close_notify gives `ErrorCode::ZERO_RETURN`, and `Read` gives 0.

use std::error::Error;
use std::io::{Read, Write};
use std::net::TcpStream;

use tls::ssl::{ErrorCode, ShutdownResult};

use super::support::{connector, files, intermediate_acceptor, join, serve_once};

fn result(r: &ShutdownResult) -> &'static str {
    match r {
        ShutdownResult::Sent => "Sent",
        ShutdownResult::Received => "Received",
    }
}

pub fn run() -> Result<String, Box<dyn Error>> {
    let _f = files();
    let acceptor = intermediate_acceptor()?;
    let acceptor = acceptor.build();
    let (addr, server) = serve_once(move |tcp| {
        let mut s = match acceptor.accept(tcp) {
            Ok(s) => s,
            Err(e) => return format!("server: {e}\n"),
        };
        let mut buf = [0u8; 4];
        let _ = s.read_exact(&mut buf);
        let mut out = format!("server: read {:?}\n", String::from_utf8_lossy(&buf));
        // The client's close_notify: ZERO_RETURN, then Read gives 0.
        let mut one = [0u8; 1];
        match s.ssl_read(&mut one) {
            Err(e) if e.code() == ErrorCode::ZERO_RETURN => out.push_str("server: ZERO_RETURN\n"),
            other => out.push_str(&format!(
                "server: {:?}\n",
                other.map_err(|e| e.code().as_raw())
            )),
        }
        out.push_str(&format!(
            "server: read() -> {:?}\n",
            s.read(&mut one).map_err(|e| e.kind())
        ));
        match s.shutdown() {
            Ok(r) => out.push_str(&format!("server: shutdown {}\n", result(&r))),
            Err(e) => out.push_str(&format!("server: shutdown error {}\n", e.code().as_raw())),
        }
        out
    })?;
    let connector = connector()?;
    let mut s = connector
        .build()
        .connect("localhost", TcpStream::connect(addr)?)?;
    s.write_all(b"ping")?;
    let mut out = String::new();
    let first = s.shutdown()?;
    out.push_str(&format!("client: first shutdown {}\n", result(&first)));
    let second = s.shutdown()?;
    out.push_str(&format!("client: second shutdown {}\n", result(&second)));
    out.push_str(&join(server));
    Ok(out)
}
