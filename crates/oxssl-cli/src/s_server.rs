//! `oxssl s_server`: a TLS server like `openssl s_server`: one interactive connection at a
//! time relaying stdin and stdout (with the R, k, K and Q commands), or `-rev` / `-www`
//! services with a thread per connection. A client that fails never stops the server.
//!
//! Under load the services stay bounded: at most `-max_conns` connection threads (the next
//! client waits in the listen queue until one ends), each thread released when it ends, a
//! deadline for the handshake and the request (`-conn_timeout`) so a client that trickles
//! bytes cannot hold a thread, and requests and lines of bounded size.

use crate::bounded::{RequestHead, Timed, Workers};
use crate::console::{Console, Line};
use crate::summary;
use crate::tls_opts::TlsArgs;
use oxssl::ssl::{ErrorCode, KeyUpdateType, Ssl, SslContext, SslOptions, SslStream, SslVerifyMode};
use std::io::{BufRead, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

/// The longest an HTTP request head may be (`-www`, `-WWW`).
const MAX_REQUEST: usize = 16 * 1024;
/// The longest a `-rev` line may be.
const MAX_LINE: u64 = 16 * 1024;
/// How long an established connection may wait on one read or write.
const IDLE: Duration = Duration::from_secs(30);

/// `s_server` flags.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// TCP/IP optional host and port to listen on ([host:]port)
    #[arg(
        long = "accept",
        alias = "port",
        value_name = "val",
        default_value = "4433"
    )]
    pub accept: String,
    /// Ask for a client certificate (the depth is accepted and not enforced)
    #[arg(long = "verify", value_name = "int")]
    pub verify: Option<u32>,
    /// Require a client certificate
    #[arg(long = "Verify", value_name = "int")]
    pub verify_required: Option<u32>,
    /// Respond to a GET with a status page (HTML)
    #[arg(long = "www")]
    pub www: bool,
    /// Serve files from the current directory over HTTP (GET /path)
    #[arg(long = "WWW")]
    pub www_files: bool,
    /// Echo each line back reversed
    #[arg(long = "rev")]
    pub rev: bool,
    /// Exit after this many connections
    #[arg(long = "naccept", value_name = "+int")]
    pub naccept: Option<u64>,
    /// Allow renegotiations the client starts
    #[arg(long = "client_renegotiation")]
    pub client_renegotiation: bool,
    /// Refuse every renegotiation
    #[arg(long = "no_renegotiation")]
    pub no_renegotiation: bool,
    /// No connection summaries
    #[arg(long = "quiet")]
    pub quiet: bool,
    /// A second certificate (of another key type, e.g. RSA beside ECDSA), PEM
    #[arg(long = "dcert", value_name = "infile")]
    pub dcert: Option<PathBuf>,
    /// The second certificate's private key, PEM (default: the -dcert file)
    #[arg(long = "dkey", value_name = "infile")]
    pub dkey: Option<PathBuf>,
    /// A server name (SNI) that gets the -cert2/-key2 certificate instead
    #[arg(long = "servername", value_name = "val")]
    pub servername: Option<String>,
    /// The certificate for -servername, PEM
    #[arg(long = "cert2", value_name = "infile")]
    pub cert2: Option<PathBuf>,
    /// The private key for -cert2, PEM (default: the -cert2 file)
    #[arg(long = "key2", value_name = "infile")]
    pub key2: Option<PathBuf>,
    /// TLSv1.3 session tickets to send after each handshake (default 2)
    #[arg(long = "num_tickets", value_name = "val")]
    pub num_tickets: Option<usize>,
    /// No session tickets (TLSv1.2 resumes by session id only; TLSv1.3 does not resume)
    #[arg(long = "no_ticket")]
    pub no_ticket: bool,
    /// Accept early data (0-RTT, up to 16384 bytes) and print it
    #[arg(long = "early_data")]
    pub early_data: bool,
    /// Never resume a session in a renegotiation
    #[arg(long = "no_resumption_on_reneg")]
    pub no_resumption_on_reneg: bool,
    /// Session id context, for resumption across servers sharing it
    #[arg(long = "context", value_name = "val")]
    pub context: Option<String>,
    /// -www/-WWW/-rev: connections served at once; later clients wait to be accepted
    #[arg(long = "max_conns", value_name = "+int", default_value = "256",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_conns: u32,
    /// Seconds a client has to finish its handshake and (-www/-WWW) send its request
    #[arg(long = "conn_timeout", value_name = "+int", default_value = "10",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub conn_timeout: u64,
    #[command(flatten)]
    pub tls: TlsArgs,
}

/// A self-signed certificate for "localhost" made on the spot (no -cert given).
fn generated_identity() -> Result<(Vec<u8>, Vec<u8>), String> {
    let err = |e: rcgen::Error| e.to_string();
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(err)?;
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).map_err(err)?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    let cert = params.self_signed(&key).map_err(err)?;
    Ok((cert.der().to_vec(), key.serialize_der()))
}

fn context(args: &Args) -> Result<SslContext, String> {
    let mut b = args.tls.builder()?;
    if args.tls.cert.is_none() {
        let (cert, key) = generated_identity()?;
        eprintln!("Using a generated self-signed certificate for localhost:");
        eprint!("{}", summary::pem(&cert));
        b.set_certificate_chain_der(vec![cert])
            .map_err(|e| e.to_string())?;
        b.set_private_key_der(&key).map_err(|e| e.to_string())?;
    }
    if let Some(cert) = &args.dcert {
        let (chain, key) = read_pair(cert, args.dkey.as_ref())?;
        b.add_certificate_chain_der(chain, &key)
            .map_err(|e| format!("-dcert {}: {e}", cert.display()))?;
    }
    match (&args.servername, &args.cert2) {
        (Some(name), Some(cert)) => {
            let (chain, key) = read_pair(cert, args.key2.as_ref())?;
            b.add_server_name_certificate_der(name, chain, &key)
                .map_err(|e| format!("-cert2 {}: {e}", cert.display()))?;
        }
        (None, None) => {}
        _ => return Err("-servername and -cert2 go together".into()),
    }
    if args.verify_required.is_some() {
        b.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
    } else if args.verify.is_some() {
        b.set_verify(SslVerifyMode::PEER);
    }
    if args.client_renegotiation {
        b.set_options(SslOptions::ALLOW_CLIENT_RENEGOTIATION);
    }
    if args.no_renegotiation {
        b.set_options(SslOptions::NO_RENEGOTIATION);
    }
    if let Some(n) = args.num_tickets {
        b.set_num_tickets(n).map_err(|e| e.to_string())?;
    }
    if args.no_ticket {
        b.set_options(SslOptions::NO_TICKET);
    }
    if args.early_data {
        b.set_max_early_data(16384).map_err(|e| e.to_string())?;
    }
    if args.no_resumption_on_reneg {
        b.set_options(SslOptions::NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
    }
    if let Some(c) = &args.context {
        b.set_session_id_context(c.as_bytes())
            .map_err(|e| format!("-context: {e}"))?;
    }
    Ok(b.build())
}

/// A PEM certificate chain and its PEM private key (from `key`, or the same file), as DER.
fn read_pair(cert: &PathBuf, key: Option<&PathBuf>) -> Result<(Vec<Vec<u8>>, Vec<u8>), String> {
    let chain = crate::tls_opts::read_pem_certs(cert)?;
    let key_path = key.unwrap_or(cert);
    let pem = std::fs::read(key_path).map_err(|e| format!("{}: {e}", key_path.display()))?;
    let key = oxssl::x509::private_key_from_pem(&pem)
        .map_err(|e| format!("{}: {e}", key_path.display()))?;
    Ok((chain, key.secret_der().to_vec()))
}

fn listen(accept: &str) -> Result<TcpListener, String> {
    let addr = if accept.contains(':') {
        accept.to_string()
    } else {
        format!("0.0.0.0:{accept}")
    };
    TcpListener::bind(&addr).map_err(|e| format!("bind {addr}: {e}"))
}

/// Runs `s_server`; the error is the one line to print.
pub fn run(args: Args) -> Result<(), String> {
    let ctx = context(&args)?;
    let listener = listen(&args.accept)?;
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    println!("ACCEPT {port}");
    let _ = std::io::stdout().flush();
    let limit = Duration::from_secs(args.conn_timeout);
    let service = if args.www {
        Service::Www
    } else if args.www_files {
        Service::Files
    } else if args.rev {
        Service::Rev
    } else {
        return run_interactive(&ctx, &listener, &args, limit);
    };
    let mut workers = Workers::new(usize::try_from(args.max_conns).unwrap_or(usize::MAX));
    let mut served = 0u64;
    while args.naccept.is_none_or(|n| served < n) {
        workers.make_room();
        let tcp = match listener.accept() {
            Ok((tcp, _)) => tcp,
            Err(e) => {
                // Out of descriptors, say: do not spin; the client stays queued.
                eprintln!("accept: {e}");
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        served += 1;
        let (ctx, quiet) = (ctx.clone(), args.quiet);
        let work = move || {
            if let Err(e) = service.serve(&ctx, Timed::new(tcp, limit, IDLE), quiet) {
                eprintln!("{e}");
            }
        };
        if let Err(e) = workers.spawn(work) {
            eprintln!("no thread for a connection: {e}");
        }
    }
    workers.join_all();
    Ok(())
}

/// The default mode: one connection at a time, relayed to and from the terminal.
fn run_interactive(
    ctx: &SslContext,
    listener: &TcpListener,
    args: &Args,
    limit: Duration,
) -> Result<(), String> {
    let console = Console::spawn();
    let mut served = 0u64;
    while args.naccept.is_none_or(|n| served < n) {
        let Ok((tcp, _)) = listener.accept() else {
            std::thread::sleep(Duration::from_millis(100));
            continue;
        };
        served += 1;
        match interactive(ctx, Timed::new(tcp, limit, IDLE), &console, args.quiet) {
            Ok(Stop::Quit) => break,
            Ok(Stop::Closed) => {}
            Err(e) => eprintln!("{e}"),
        }
    }
    Ok(())
}

/// What `-www`, `-WWW` and `-rev` do with a connection.
#[derive(Clone, Copy)]
enum Service {
    Www,
    Files,
    Rev,
}

impl Service {
    fn serve(self, ctx: &SslContext, tcp: Timed, quiet: bool) -> Result<(), String> {
        match self {
            Service::Www => serve_www(ctx, tcp),
            Service::Files => serve_files(ctx, tcp),
            Service::Rev => serve_rev(ctx, tcp, quiet),
        }
    }
}

/// The server's side of the handshake, within the connection's deadline.
fn accept(ctx: &SslContext, tcp: Timed) -> Result<SslStream<Timed>, String> {
    let _ = tcp.tcp.set_nodelay(true);
    let mut ssl = Ssl::new(ctx).map_err(|e| e.to_string())?;
    ssl.set_accept_state();
    let mut s = SslStream::new(ssl, tcp).map_err(|e| e.to_string())?;
    if ctx.config().resumption.max_early_data > 0 {
        print_early_data(&mut s)?;
    }
    s.accept().map_err(|e| format!("handshake failed: {e}"))?;
    Ok(s)
}

/// `-early_data`: reads the client's early data before the handshake completes and
/// prints it as OpenSSL's s_server does.
fn print_early_data(s: &mut SslStream<Timed>) -> Result<(), String> {
    let mut buf = vec![0u8; 16384];
    let mut first = true;
    loop {
        let n = s
            .read_early_data(&mut buf)
            .map_err(|e| format!("read early data: {e}"))?;
        if n == 0 {
            break;
        }
        if first {
            println!("Early data received:");
            first = false;
        }
        let _ = std::io::stdout().write_all(&buf[..n]);
    }
    if !first {
        println!("\nEnd of early data");
    }
    let _ = std::io::stdout().flush();
    Ok(())
}

enum Stop {
    Quit,
    Closed,
}

/// One connection relayed to and from the terminal, as OpenSSL's default mode.
fn interactive(
    ctx: &SslContext,
    tcp: Timed,
    console: &Console,
    quiet: bool,
) -> Result<Stop, String> {
    let mut s = accept(ctx, tcp)?;
    if !quiet {
        print!("{}", summary::connection(s.ssl(), false, false, false));
        let _ = std::io::stdout().flush();
    }
    // Poll the socket and the console in turn, for as long as the client stays.
    let tcp = s.get_mut();
    tcp.deadline = None;
    tcp.idle = Duration::from_millis(20);
    tcp.poll = true;
    let mut buf = vec![0u8; 16384];
    let mut renegotiating = false;
    loop {
        // Say when a renegotiation (ours or the client's) has completed.
        let pending = s.ssl().renegotiate_pending();
        if renegotiating && !pending {
            eprintln!("RENEGOTIATION DONE");
        }
        renegotiating = pending;
        while let Some(line) = console.try_line() {
            let Line::Text(t) = line else { continue };
            match t.trim_end_matches(['\r', '\n']) {
                "Q" => {
                    let _ = s.shutdown();
                    return Ok(Stop::Quit);
                }
                "R" => {
                    let ok = s.ssl_mut().renegotiate().is_ok();
                    renegotiating |= ok;
                    eprintln!("SSL_renegotiate -> {ok:?}");
                    // The HelloRequest goes out with the next write or read.
                    let _ = s.do_handshake();
                }
                c @ ("k" | "K") => {
                    let typ = if c == "K" {
                        KeyUpdateType::Requested
                    } else {
                        KeyUpdateType::NotRequested
                    };
                    eprintln!("KEYUPDATE -> {:?}", s.ssl_mut().key_update(typ).is_ok());
                    let _ = s.do_handshake();
                }
                _ => write_all(&mut s, t.as_bytes())?,
            }
        }
        match s.ssl_read(&mut buf) {
            Ok(n) => {
                let mut out = std::io::stdout();
                let _ = out.write_all(&buf[..n]);
                let _ = out.flush();
            }
            Err(e) if matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE) => {}
            Err(e) if e.code() == ErrorCode::ZERO_RETURN => {
                let _ = s.shutdown();
                println!("DONE");
                return Ok(Stop::Closed);
            }
            Err(e) => return Err(format!("read: {e}")),
        }
    }
}

fn write_all(s: &mut SslStream<Timed>, mut data: &[u8]) -> Result<(), String> {
    while !data.is_empty() {
        match s.ssl_write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE) => {}
            Err(e) => return Err(format!("write: {e}")),
        }
    }
    Ok(())
}

/// `-rev`: every line (at most 16 KiB) comes back reversed; "CLOSE" ends the connection.
fn serve_rev(ctx: &SslContext, tcp: Timed, quiet: bool) -> Result<(), String> {
    let mut s = accept(ctx, tcp)?;
    if !quiet {
        println!("CONNECTION ESTABLISHED");
        print!("{}", summary::connection(s.ssl(), false, true, false));
    }
    // Lines come when the person at the client types them: no deadline, the idle limit.
    s.get_mut().deadline = None;
    let mut reader = std::io::BufReader::new(s);
    loop {
        let mut line = String::new();
        match (&mut reader).take(MAX_LINE).read_line(&mut line) {
            Ok(0) => return Ok(()),
            Ok(_) if !line.ends_with('\n') && line.len() as u64 >= MAX_LINE => {
                return Err("read: line too long".into())
            }
            Ok(_) => {}
            Err(e) => return Err(format!("read: {e}")),
        }
        if line.starts_with("CLOSE") {
            let _ = reader.get_mut().shutdown();
            return Ok(());
        }
        let body = line.trim_end_matches(['\r', '\n']);
        let mut rev: String = body.chars().rev().collect();
        rev.push('\n');
        write_all(reader.get_mut(), rev.as_bytes())?;
    }
}

/// Reads an HTTP request head (up to the blank line, at most [`MAX_REQUEST`] bytes) within
/// the connection's deadline, which then ends: the response has the idle limit per write.
fn read_request(s: &mut SslStream<Timed>) -> Result<Vec<u8>, String> {
    let mut head = RequestHead::default();
    let mut buf = [0u8; 4096];
    loop {
        let room = head.room(MAX_REQUEST).min(buf.len());
        if room == 0 {
            return Err("request too long".into());
        }
        let n = s
            .ssl_read(&mut buf[..room])
            .map_err(|e| format!("read: {e}"))?;
        if head.push(&buf[..n]) {
            s.get_mut().deadline = None;
            return Ok(head.bytes);
        }
    }
}

/// `-WWW`: serves a file below the current directory for `GET /path`; paths that would
/// leave it (`..`, absolute, backslashes) are refused with 404.
fn serve_files(ctx: &SslContext, tcp: Timed) -> Result<(), String> {
    let mut s = accept(ctx, tcp)?;
    let request = read_request(&mut s)?;
    let head = String::from_utf8_lossy(&request);
    let path = head
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("GET /"))
        .and_then(|l| l.split(' ').next())
        .unwrap_or("");
    let safe = !path.is_empty()
        && !path.contains('\\')
        && std::path::Path::new(path)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    let response = match safe.then(|| std::fs::read(path)) {
        Some(Ok(body)) => {
            let mut r = format!(
                "HTTP/1.0 200 ok\r\nContent-type: text/plain\r\nContent-length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes();
            r.extend_from_slice(&body);
            r
        }
        _ => format!("HTTP/1.0 404 '{path}' not found\r\n\r\n").into_bytes(),
    };
    write_all(&mut s, &response)?;
    let _ = s.shutdown();
    Ok(())
}

/// `-www`: answers a GET with an HTML page describing the connection.
fn serve_www(ctx: &SslContext, tcp: Timed) -> Result<(), String> {
    let mut s = accept(ctx, tcp)?;
    read_request(&mut s)?;
    let ssl = s.ssl();
    let page = format!(
        "HTTP/1.0 200 ok\r\nContent-type: text/html\r\n\r\n<HTML><BODY BGCOLOR=\"#ffffff\">\n<pre>\n\
         oxssl s_server -www\n{}{}\n</pre></BODY></HTML>\r\n\r\n",
        summary::connection(ssl, false, false, false)
            .replace('&', "&amp;")
            .replace('<', "&lt;"),
        summary::session_block(ssl)
    );
    write_all(&mut s, page.as_bytes())?;
    let _ = s.shutdown();
    Ok(())
}
