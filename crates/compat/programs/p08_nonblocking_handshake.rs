//! A non-blocking handshake with `MidHandshakeSslStream`: the client's socket is
//! non-blocking, `connect` returns `WouldBlock`, and the handshake is retried until done.

use std::error::Error;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use tls::ssl::HandshakeError;

use super::support::{connector, files, intermediate_acceptor, join, serve_once};

pub fn run() -> Result<String, Box<dyn Error>> {
    let _f = files();
    let acceptor = intermediate_acceptor()?;
    let acceptor = acceptor.build();
    let (addr, server) = serve_once(move |tcp| {
        // Let the client see WouldBlock before the server says anything.
        std::thread::sleep(Duration::from_millis(50));
        match acceptor.accept(tcp) {
            Ok(mut s) => {
                let _ = s.write_all(b"pong");
                let _ = s.shutdown();
                "server: ok\n".into()
            }
            Err(e) => format!("server: {e}\n"),
        }
    })?;
    let connector = connector()?;
    let tcp = TcpStream::connect(addr)?;
    tcp.set_nonblocking(true)?;
    let mut would_block = false;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut result = connector.build().connect("localhost", tcp);
    let mut stream = loop {
        match result {
            Ok(s) => break s,
            Err(HandshakeError::WouldBlock(mid)) => {
                would_block = true;
                if Instant::now() > deadline {
                    return Err("handshake timed out".into());
                }
                std::thread::sleep(Duration::from_millis(2));
                result = mid.handshake();
            }
            Err(e) => return Err(e.to_string().into()),
        }
    };
    stream.get_ref().set_nonblocking(false)?;
    let mut pong = [0u8; 4];
    stream.read_exact(&mut pong)?;
    let mut out = format!(
        "client: saw WouldBlock {would_block}, handshake done, read {:?}\n",
        String::from_utf8_lossy(&pong)
    );
    out.push_str(&join(server));
    Ok(out)
}
