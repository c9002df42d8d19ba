//! `oxssl demo`: the `SSL_write` story, step by step, with real return values and error
//! codes: the implicit handshake, a write of many records, WANT_WRITE and the retry with
//! the same buffer, partial writes, a moved buffer, a BIO-pair transfer, a TLS 1.2
//! renegotiation inside a client write, a TLS 1.3 KeyUpdate, a clean shutdown, and one
//! line of throughput over loopback. No files, no network beyond loopback.

use oxssl::bio::{BioPair, PairBio};
use oxssl::ssl::{
    Error, ErrorCode, KeyUpdateType, Ssl, SslAcceptor, SslConnector, SslContext, SslContextBuilder,
    SslMethod, SslMode, SslStream, SslVersion,
};
use std::io::{IsTerminal, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Instant;

const PAYLOAD: usize = 64 * 1024 * 1024;
/// The client writes this much, then reads the echo, so neither side's socket buffer fills.
const CHUNK: usize = 256 * 1024;

/// DER of the CA certificate, the server certificate and its PKCS#8 key.
struct DemoPki {
    ca: Vec<u8>,
    leaf: Vec<u8>,
    key: Vec<u8>,
}

fn pki() -> Result<DemoPki, String> {
    let err = |e: rcgen::Error| e.to_string();
    let ca_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(err)?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "oxssl demo CA");
    let ca = ca_params.self_signed(&ca_key).map_err(err)?;
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(err)?;
    let params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).map_err(err)?;
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf = params.signed_by(&key, &issuer).map_err(err)?;
    Ok(DemoPki {
        ca: ca.der().to_vec(),
        leaf: leaf.der().to_vec(),
        key: key.serialize_der(),
    })
}

/// Headings in colour on a terminal, plain when piped.
struct Out {
    colour: bool,
}

impl Out {
    fn step(&self, n: u32, title: &str) {
        if self.colour {
            println!("\n\x1b[1;36m{n:>2}. {title}\x1b[0m");
        } else {
            println!("\n{n:>2}. {title}");
        }
    }

    fn line(&self, text: &str) {
        println!("    {text}");
    }
}

/// What an `SSL_*` call returned, as a C programmer would see it: the return value and
/// `SSL_get_error`, with the reason of the first queued error.
fn shown<T: std::fmt::Display>(r: &Result<T, Error>) -> String {
    match r {
        Ok(v) => format!("{v}"),
        Err(e) => {
            let code = match e.code() {
                ErrorCode::WANT_READ => "SSL_ERROR_WANT_READ",
                ErrorCode::WANT_WRITE => "SSL_ERROR_WANT_WRITE",
                ErrorCode::ZERO_RETURN => "SSL_ERROR_ZERO_RETURN",
                ErrorCode::SYSCALL => "SSL_ERROR_SYSCALL",
                ErrorCode::SSL => "SSL_ERROR_SSL",
                _ => "SSL_ERROR_?",
            };
            match e.reason_code() {
                Some(r) => format!("-1, {code}, reason {} ({})", r.0, r),
                None => format!("-1, {code}"),
            }
        }
    }
}

fn contexts(p: &DemoPki, max: Option<SslVersion>) -> Result<(SslContext, SslContext), String> {
    let e = |e: oxssl::ssl::ErrorStack| e.to_string();
    let mut s = SslContext::builder(SslMethod::tls()).map_err(e)?;
    s.set_certificate_chain_der(vec![p.leaf.clone()])
        .map_err(e)?;
    s.set_private_key_der(&p.key).map_err(e)?;
    let mut c: SslContextBuilder = SslContext::builder(SslMethod::tls()).map_err(e)?;
    c.add_trusted_der(&p.ca).map_err(e)?;
    for b in [&mut s, &mut c] {
        b.set_max_proto_version(max).map_err(e)?;
    }
    Ok((c.build(), s.build()))
}

/// A client and a server `Ssl` over a BIO pair of `size` bytes per direction, and the
/// client's and the server's halves of the pair.
type Pair = (Ssl, Ssl, PairBio, PairBio);

fn pair(c: &SslContext, s: &SslContext, size: usize) -> Result<Pair, String> {
    let (a, b) = BioPair::new(size, size);
    let mut client = Ssl::new(c).map_err(|e| e.to_string())?;
    client.set_connect_state();
    client.set_verify_hostname("localhost");
    client.set_bio(a.clone());
    let mut server = Ssl::new(s).map_err(|e| e.to_string())?;
    server.set_accept_state();
    server.set_bio(b.clone());
    Ok((client, server, a, b))
}

/// Drives both handshakes over a pair.
fn handshake(c: &mut Ssl, s: &mut Ssl) -> Result<(), String> {
    for _ in 0..20 {
        let (rc, rs) = (c.do_handshake(), s.do_handshake());
        if rc.is_ok() && rs.is_ok() {
            return Ok(());
        }
    }
    Err("handshake over the BIO pair did not finish".into())
}

/// Everything the server can read now.
fn drain(s: &mut Ssl) -> usize {
    let mut buf = vec![0u8; 65536];
    let mut total = 0;
    while let Ok(n) = s.ssl_read(&mut buf) {
        total += n;
    }
    total
}

/// Runs the demo; returns a message on failure.
pub fn run() -> Result<(), String> {
    let out = Out {
        colour: std::io::stdout().is_terminal(),
    };
    let p = pki()?;
    println!("oxssl demo: the SSL_write story, with real return values (oxssl's client and server, generated certificates)");
    let (mut tls, server, addr) = tcp_session(&p)?;

    out.step(1, "The implicit handshake: the first SSL_write runs it");
    let t0 = Instant::now();
    let r = tls.ssl_write(b"hello");
    let ms = t0.elapsed().as_secs_f64() * 1e3;
    out.line(&format!(
        "SSL_write(\"hello\", 5) = {}   over TCP to {addr}, handshake inside it ({ms:.1} ms)",
        shown(&r)
    ));
    let ssl = tls.ssl();
    out.line(&format!(
        "negotiated {} {} {}, certificate verified: {} (X509_V_OK)",
        ssl.version_str(),
        ssl.current_cipher_name().unwrap_or("?"),
        ssl.group_name().unwrap_or("?"),
        ssl.verify_result()
    ));
    read_exact(&mut tls, 5)?;

    out.step(2, "A blocking write of many records");
    let mib = vec![0x5au8; 1 << 20];
    let r = tls.ssl_write(&mib);
    out.line(&format!(
        "SSL_write(1 MiB) = {}   as 64 records of 16384 bytes; returns only when all is sent",
        shown(&r)
    ));
    read_exact(&mut tls, 1 << 20)?;

    let (c13, s13) = contexts(&p, None)?;
    out.step(
        3,
        "A non-blocking write: WANT_WRITE, then a retry with the same buffer",
    );
    let (mut c, mut s, a, b) = pair(&c13, &s13, 17408)?;
    handshake(&mut c, &mut s)?;
    let data = vec![7u8; 40000];
    let mut total = 0;
    for attempt in 1.. {
        let r = c.ssl_write(&data);
        let note = match &r {
            Err(_) => format!(
                "   the 17408-byte BIO pair is full (peer's pending {}, our write guarantee {})",
                b.pending(),
                a.write_guarantee()
            ),
            Ok(_) => "   all 40000 bytes delivered".to_string(),
        };
        out.line(&format!("SSL_write(buf, 40000) = {}{note}", shown(&r)));
        total += drain(&mut s);
        if r.is_ok() || attempt > 10 {
            break;
        }
        out.line("    ...the peer reads; retry with the same buffer and length");
    }
    out.line(&format!("the peer read {total} bytes"));

    out.step(
        4,
        "Partial writes (SSL_MODE_ENABLE_PARTIAL_WRITE): one record at a time",
    );
    let (mut c, mut s, _, _) = pair(&c13, &s13, 1 << 20)?;
    handshake(&mut c, &mut s)?;
    c.set_mode(SslMode::ENABLE_PARTIAL_WRITE);
    let mut off = 0;
    while off < data.len() {
        let r = c.ssl_write(&data[off..]);
        out.line(&format!(
            "SSL_write(buf + {off}, {}) = {}",
            data.len() - off,
            shown(&r)
        ));
        off += r.map_err(|e| e.to_string())?;
    }
    drain(&mut s);

    out.step(5, "A retry from a moved buffer");
    for moving in [false, true] {
        let (mut c, mut s, _, _) = pair(&c13, &s13, 17408)?;
        handshake(&mut c, &mut s)?;
        if moving {
            c.set_mode(SslMode::ACCEPT_MOVING_WRITE_BUFFER);
        }
        let first = c.ssl_write(&data);
        drain(&mut s);
        let mut copy = data.clone();
        let mut retry = c.ssl_write(&copy);
        // With the mode, keep retrying from fresh copies until the write completes.
        while moving && retry.is_err() {
            drain(&mut s);
            copy = data.clone();
            retry = c.ssl_write(&copy);
        }
        out.line(&format!(
            "{}: SSL_write(buf) = {}, then SSL_write(copy of buf) = {}",
            if moving {
                "with ACCEPT_MOVING_WRITE_BUFFER"
            } else {
                "default"
            },
            shown(&first),
            shown(&retry)
        ));
        if !moving {
            let after = c.ssl_write(&data);
            out.line(&format!(
                "    the failure is fatal: the next SSL_write(buf) = {} (empty queue)",
                shown(&after)
            ));
        }
    }

    out.step(
        6,
        "A BIO-pair transfer: no sockets, the application moves the bytes",
    );
    let (mut c, mut s, _, b) = pair(&c13, &s13, 4096)?;
    let t = Instant::now();
    let mut sent = 0;
    let mut got = 0;
    let mut rounds = 0;
    while got < mib.len() {
        rounds += 1;
        if let Ok(n) = c.ssl_write(&mib[sent..]) {
            sent += n;
        }
        let _ = s.do_handshake();
        got += drain(&mut s);
        if rounds > 100_000 {
            return Err("BIO-pair transfer made no progress".into());
        }
    }
    out.line(&format!(
        "1 MiB through a 4096-byte pair in {rounds} rounds of WANT_WRITE/retry ({:.1} ms); peer read {got} bytes, pair now holds {}",
        t.elapsed().as_secs_f64() * 1e3,
        b.pending()
    ));

    out.step(
        7,
        "TLS 1.2: the server renegotiates in the middle of the client's writes",
    );
    let (c12, s12) = contexts(&p, Some(SslVersion::TLS1_2))?;
    let (mut c, mut s, _, _) = pair(&c12, &s12, 1 << 20)?;
    handshake(&mut c, &mut s)?;
    let r = s.renegotiate();
    out.line(&format!(
        "server: SSL_renegotiate() = {}, SSL_write(\"ping\") = {}   (HelloRequest + data)",
        if r.is_ok() { 1 } else { 0 },
        shown(&s.ssl_write(b"ping"))
    ));
    let mut buf = [0u8; 16];
    let r = c.ssl_read(&mut buf);
    out.line(&format!(
        "client: SSL_read = {}   (\"ping\"; the HelloRequest started a new handshake, renegotiate_pending = {})",
        shown(&r),
        c.renegotiate_pending() as u8
    ));
    for _ in 0..10 {
        let r = c.ssl_write(&data);
        out.line(&format!("client: SSL_write(buf, 40000) = {}", shown(&r)));
        let n = drain(&mut s);
        if r.is_ok() {
            out.line(&format!(
                "server read {n} bytes; renegotiation done inside the write (pending = {})",
                c.renegotiate_pending() as u8
            ));
            break;
        }
    }

    out.step(8, "TLS 1.3: a KeyUpdate before the next write");
    let (mut c, mut s, _, b) = pair(&c13, &s13, 1 << 20)?;
    handshake(&mut c, &mut s)?;
    let r = c.key_update(KeyUpdateType::Requested);
    let before = b.pending();
    let w = c.ssl_write(b"rekeyed");
    out.line(&format!(
        "SSL_key_update(REQUESTED) = {}, SSL_write(7) = {}   ({} bytes on the wire: KeyUpdate record, then data)",
        if r.is_ok() { 1 } else { 0 },
        shown(&w),
        b.pending() - before
    ));
    drain(&mut s);
    let answer = s.ssl_write(b"ack");
    out.line(&format!(
        "peer's next SSL_write(3) = {}   (its own KeyUpdate goes first, as asked)",
        shown(&answer)
    ));

    out.step(9, "A clean shutdown");
    let r = tls.shutdown();
    out.line(&format!(
        "SSL_shutdown() = {}   (close_notify sent)",
        match r {
            Ok(oxssl::ssl::ShutdownResult::Sent) => "0".into(),
            Ok(oxssl::ssl::ShutdownResult::Received) => "1".into(),
            Err(e) => shown::<u8>(&Err(e)),
        }
    ));
    let mut tail = [0u8; 1];
    let r = tls.ssl_read(&mut tail);
    out.line(&format!(
        "SSL_read = {}   (the server answered with its close_notify)",
        shown(&r)
    ));
    server
        .join()
        .map_err(|_| "server thread panicked".to_string())??;

    out.step(10, "Throughput over loopback");
    throughput(&p)
}

fn read_exact(tls: &mut SslStream<TcpStream>, n: usize) -> Result<(), String> {
    let mut buf = vec![0u8; n];
    tls.read_exact(&mut buf).map_err(|e| e.to_string())
}

type Server = std::thread::JoinHandle<Result<(), String>>;

/// A blocking TLS 1.3 connection over loopback to an echo server thread.
fn tcp_session(p: &DemoPki) -> Result<(SslStream<TcpStream>, Server, String), String> {
    let (c, s) = contexts(p, None)?;
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let server = std::thread::spawn(move || -> Result<(), String> {
        let (sock, _) = listener.accept().map_err(|e| e.to_string())?;
        sock.set_nodelay(true).map_err(|e| e.to_string())?;
        let mut ssl = Ssl::new(&s).map_err(|e| e.to_string())?;
        ssl.set_accept_state();
        let mut tls = SslStream::new(ssl, sock).map_err(|e| e.to_string())?;
        let mut buf = vec![0u8; 65536];
        loop {
            let n = tls.read(&mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            tls.write_all(&buf[..n]).map_err(|e| e.to_string())?;
        }
        tls.shutdown().map_err(|e| e.to_string())?;
        Ok(())
    });
    let sock = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    sock.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut ssl = Ssl::new(&c).map_err(|e| e.to_string())?;
    ssl.set_connect_state();
    ssl.set_hostname("localhost").map_err(|e| e.to_string())?;
    ssl.set_verify_hostname("localhost");
    let tls = SslStream::new(ssl, sock).map_err(|e| e.to_string())?;
    Ok((tls, server, addr.to_string()))
}

/// 64 MiB echoed through TLS 1.3 over loopback with `SslConnector` / `SslAcceptor`.
fn throughput(p: &DemoPki) -> Result<(), String> {
    let e = |e: oxssl::ssl::ErrorStack| e.to_string();
    let mut acceptor = SslAcceptor::mozilla_modern_v5(SslMethod::tls()).map_err(e)?;
    acceptor
        .set_certificate_chain_der(vec![p.leaf.clone()])
        .map_err(e)?;
    acceptor.set_private_key_der(&p.key).map_err(e)?;
    let acceptor = acceptor.build();
    let mut connector = SslConnector::builder(SslMethod::tls()).map_err(e)?;
    connector.add_trusted_der(&p.ca).map_err(e)?;
    let connector = connector.build();
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let server = std::thread::spawn(move || -> Result<usize, String> {
        let (sock, _) = listener.accept().map_err(|e| e.to_string())?;
        sock.set_nodelay(true).map_err(|e| e.to_string())?;
        let mut tls = acceptor.accept(sock).map_err(|e| e.to_string())?;
        let mut buf = vec![0u8; 64 * 1024];
        let mut echoed = 0;
        loop {
            let n = tls.read(&mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            tls.write_all(&buf[..n]).map_err(|e| e.to_string())?;
            echoed += n;
        }
        tls.shutdown().map_err(|e| e.to_string())?;
        Ok(echoed)
    });
    let sock = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    sock.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut tls = connector
        .connect("localhost", sock)
        .map_err(|e| e.to_string())?;
    let data: Vec<u8> = (0..PAYLOAD).map(|i| (i % 251) as u8).collect();
    let t1 = Instant::now();
    let mut received = vec![0u8; PAYLOAD];
    let mut got = 0;
    for chunk in data.chunks(CHUNK) {
        tls.write_all(chunk).map_err(|e| e.to_string())?;
        let want = got + chunk.len();
        while got < want {
            let k = tls
                .read(&mut received[got..want])
                .map_err(|e| e.to_string())?;
            if k == 0 {
                return Err("server closed early".into());
            }
            got += k;
        }
    }
    let secs = t1.elapsed().as_secs_f64();
    tls.shutdown().map_err(|e| e.to_string())?;
    let mut tail = [0u8; 16];
    let k = tls.read(&mut tail).map_err(|e| e.to_string())?;
    let echoed = server
        .join()
        .map_err(|_| "server thread panicked".to_string())??;
    if received != data || k != 0 || echoed != PAYLOAD {
        return Err("echoed data did not match".into());
    }
    println!(
        "    {} MiB echoed through TLS 1.3 in {:.3} s ({:.0} MiB/s each way), closed with close_notify both ways",
        PAYLOAD >> 20,
        secs,
        (PAYLOAD >> 20) as f64 / secs
    );
    Ok(())
}
