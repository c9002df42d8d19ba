//! `oxssl s_client`: connect to a TLS server, print what was negotiated, then relay stdin
//! to the server and the server's data to stdout, like `openssl s_client`.

use crate::console::{Console, Line};
use crate::summary;
use crate::tls_opts::TlsArgs;
use oxssl::ssl::{
    ErrorCode, KeyUpdateType, Ssl, SslContext, SslSession, SslSessionCacheMode, SslStream,
    SslVerifyMode,
};
use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// `s_client` flags.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// TCP/IP where to connect: host:port, [v6addr]:port
    #[arg(long = "connect", value_name = "val", default_value = "localhost:4433")]
    pub connect: String,
    /// Set TLS extension servername (SNI) in ClientHello (default: the host)
    #[arg(long = "servername", value_name = "val")]
    pub servername: Option<String>,
    /// Do not send the server name (SNI) extension
    #[arg(long = "noservername")]
    pub noservername: bool,
    /// Check that the peer certificate matches this host name
    #[arg(long = "verify_hostname", value_name = "val")]
    pub verify_hostname: Option<String>,
    /// Turn on peer certificate verification (the depth is accepted and not enforced)
    #[arg(long = "verify", value_name = "+int")]
    pub verify: Option<u32>,
    /// Close the connection on verification errors
    #[arg(long = "verify_return_error")]
    pub verify_return_error: bool,
    /// Show the whole certificate chain
    #[arg(long = "showcerts")]
    pub showcerts: bool,
    /// No connection summary; implies -ign_eof
    #[arg(long = "quiet")]
    pub quiet: bool,
    /// Only a short connection summary
    #[arg(long = "brief")]
    pub brief: bool,
    /// Ignore input EOF (do not close the connection when stdin ends)
    #[arg(long = "ign_eof")]
    pub ign_eof: bool,
    /// Do not treat lines like R, k, K and Q as commands
    #[arg(long = "nocommands")]
    pub nocommands: bool,
    /// Use a non-blocking socket
    #[arg(long = "nbio")]
    pub nbio: bool,
    /// File to write the session to (PEM), each time the server sends one
    #[arg(long = "sess_out", value_name = "outfile")]
    pub sess_out: Option<std::path::PathBuf>,
    /// File to read a session from (PEM) and offer for resumption
    #[arg(long = "sess_in", value_name = "infile")]
    pub sess_in: Option<std::path::PathBuf>,
    /// File to send as early data (0-RTT) with the session from -sess_in
    #[arg(long = "early_data", value_name = "infile")]
    pub early_data: Option<std::path::PathBuf>,
    /// Drop and re-make the connection 5 times using the same session
    #[arg(long = "reconnect")]
    pub reconnect: bool,
    #[command(flatten)]
    pub tls: TlsArgs,
}

/// The host part of "host:port" or "[v6]:port".
fn host_of(connect: &str) -> &str {
    if let Some(rest) = connect.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    connect.rsplit_once(':').map_or(connect, |(h, _)| h)
}

fn tls_error(what: &str, e: &oxssl::ssl::Error) -> String {
    format!("{what}: {e}")
}

/// Runs `s_client`; the error is the one line to print.
pub fn run(args: Args) -> Result<(), String> {
    let mut b = args.tls.builder()?;
    // As OpenSSL's s_client: verification runs and is reported, and only aborts the
    // handshake with -verify_return_error.
    b.set_verify(if args.verify_return_error {
        SslVerifyMode::PEER
    } else {
        SslVerifyMode::NONE
    });
    if args.verify.is_some() && !args.verify_return_error {
        eprintln!("verify depth is {}", args.verify.unwrap_or(0));
    }
    // As OpenSSL's s_client: every new session is written to -sess_out, and a TLS 1.3
    // ticket arriving after the handshake is reported.
    b.set_session_cache_mode(SslSessionCacheMode::CLIENT | SslSessionCacheMode::NO_INTERNAL);
    let (sess_out, quiet) = (args.sess_out.clone(), args.quiet);
    b.set_new_session_callback(move |ssl, session| {
        if !quiet && ssl.version_str() == "TLSv1.3" {
            print!(
                "---\nPost-Handshake New Session Ticket arrived:\n{}---\n",
                summary::session_block(ssl)
            );
            let _ = std::io::stdout().flush();
        }
        if let Some(path) = &sess_out {
            if let Err(e) = crate::pem::write_session(path, &session) {
                eprintln!("oxssl: -sess_out: {e}");
            }
        }
    });
    let ctx = b.build();
    let mut session = args
        .sess_in
        .as_deref()
        .map(crate::pem::read_session)
        .transpose()?;
    let mut stream = connect_once(&args, &ctx, session.as_ref())?;
    if args.reconnect {
        for _ in 0..5 {
            wait_for_session(&mut stream);
            session = stream.ssl().session().or(session);
            let _ = stream.shutdown();
            if !args.quiet {
                println!("drop connection and then reconnect");
            }
            stream = connect_once(&args, &ctx, session.as_ref())?;
        }
    }
    relay(&mut stream, &args)
}

/// One TCP connection and handshake, offering `session`; prints the summary.
fn connect_once(
    args: &Args,
    ctx: &SslContext,
    session: Option<&SslSession>,
) -> Result<SslStream<TcpStream>, String> {
    let host = host_of(&args.connect).to_string();
    let addrs: Vec<_> = args
        .connect
        .to_socket_addrs()
        .map_err(|e| format!("connect {}: {e}", args.connect))?
        .collect();
    let tcp = addrs
        .iter()
        .find_map(|a| TcpStream::connect_timeout(a, Duration::from_secs(10)).ok())
        .ok_or_else(|| format!("connect:errno=111 ({}: connection refused)", args.connect))?;
    let _ = tcp.set_nodelay(true);
    if !args.quiet {
        println!("CONNECTED({:08X})", 3);
    }
    let mut ssl = Ssl::new(ctx).map_err(|e| e.to_string())?;
    ssl.set_connect_state();
    let sni = args.servername.clone().unwrap_or_else(|| host.clone());
    if !args.noservername && !sni.is_empty() {
        ssl.set_hostname(&sni).map_err(|e| e.to_string())?;
    }
    if let Some(h) = &args.verify_hostname {
        ssl.set_verify_hostname(h);
    }
    if let Some(s) = session {
        ssl.set_session(s).map_err(|e| e.to_string())?;
    }
    if args.nbio {
        if !args.quiet {
            println!("Turned on non-blocking io");
        }
        tcp.set_nonblocking(true).map_err(|e| e.to_string())?;
    }
    let mut stream = SslStream::new(ssl, tcp).map_err(|e| e.to_string())?;
    if let (Some(path), Some(_)) = (&args.early_data, session) {
        let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        stream
            .write_early_data(&data)
            .map_err(|e| tls_error("write early data", &e))?;
    }
    handshake(&mut stream, args.nbio)?;
    if !args.quiet {
        print!(
            "{}",
            summary::connection(stream.ssl(), args.showcerts, args.brief, true)
        );
        let _ = std::io::stdout().flush();
    }
    Ok(stream)
}

/// Reads for up to a second until the connection has a resumable session (a TLS 1.3
/// server sends its tickets after the handshake), printing any data that arrives.
fn wait_for_session(stream: &mut SslStream<TcpStream>) {
    let deadline = std::time::Instant::now() + Duration::from_secs(1);
    let _ = stream
        .get_ref()
        .set_read_timeout(Some(Duration::from_millis(20)));
    let mut buf = [0u8; 4096];
    while std::time::Instant::now() < deadline
        && !stream.ssl().session().is_some_and(|s| s.is_resumable())
    {
        match stream.ssl_read(&mut buf) {
            Ok(n) => {
                let _ = std::io::stdout().write_all(&buf[..n]);
            }
            Err(e) if matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE) => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(_) => return,
        }
    }
    let _ = stream.get_ref().set_read_timeout(None);
}

/// The handshake; on a non-blocking socket, retried (with a short sleep) while it wants
/// to read or write, for at most 30 seconds.
fn handshake(stream: &mut SslStream<TcpStream>, nbio: bool) -> Result<(), String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        match stream.connect() {
            Ok(()) => return Ok(()),
            Err(e)
                if nbio
                    && matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE)
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(e) => return Err(tls_error("handshake failed", &e)),
        }
    }
}

/// Relays stdin to the server and the server's data to stdout until either side ends.
fn relay(stream: &mut SslStream<TcpStream>, args: &Args) -> Result<(), String> {
    let ign_eof = args.ign_eof || args.quiet;
    let console = Console::spawn();
    if !args.nbio {
        stream
            .get_ref()
            .set_read_timeout(Some(Duration::from_millis(20)))
            .map_err(|e| e.to_string())?;
    }
    let mut buf = vec![0u8; 16384];
    loop {
        while let Some(line) = console.try_line() {
            match line {
                Line::Eof => {
                    if !ign_eof {
                        return close(stream);
                    }
                }
                Line::Text(t) => {
                    if !args.nocommands && command(stream, &t)? {
                        return close(stream);
                    }
                    if args.nocommands || !is_command(&t) {
                        write_all(stream, t.as_bytes())?;
                    }
                }
            }
        }
        match stream.ssl_read(&mut buf) {
            Ok(n) => {
                let mut out = std::io::stdout();
                let _ = out.write_all(&buf[..n]);
                let _ = out.flush();
            }
            Err(e) if e.code() == ErrorCode::WANT_READ || e.code() == ErrorCode::WANT_WRITE => {
                if args.nbio {
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
            Err(e) if e.code() == ErrorCode::ZERO_RETURN => {
                if !args.quiet {
                    println!("closed");
                }
                return Ok(());
            }
            Err(e) => return Err(tls_error("read", &e)),
        }
    }
}

fn is_command(line: &str) -> bool {
    matches!(line.trim_end_matches(['\r', '\n']), "R" | "k" | "K" | "Q")
}

/// Runs a one-letter command; returns true for Q (quit).
fn command(stream: &mut SslStream<TcpStream>, line: &str) -> Result<bool, String> {
    match line.trim_end_matches(['\r', '\n']) {
        "Q" => {
            eprintln!("DONE");
            Ok(true)
        }
        "R" => {
            eprintln!("RENEGOTIATING");
            stream
                .ssl_mut()
                .renegotiate()
                .map_err(|e| tls_error("renegotiate", &e))?;
            // Drive it now, so the server sees the request at once.
            drive(stream)?;
            Ok(false)
        }
        "k" | "K" => {
            eprintln!("KEYUPDATE");
            let typ = if line.starts_with('K') {
                KeyUpdateType::Requested
            } else {
                KeyUpdateType::NotRequested
            };
            stream
                .ssl_mut()
                .key_update(typ)
                .map_err(|e| tls_error("key update", &e))?;
            drive(stream)?;
            Ok(false)
        }
        _ => Ok(false),
    }
}

/// Runs `SSL_do_handshake` until it stops wanting to read (with the socket's short read
/// timeout, WANT_READ means "nothing yet").
fn drive(stream: &mut SslStream<TcpStream>) -> Result<(), String> {
    match stream.do_handshake() {
        Ok(()) => Ok(()),
        Err(e) if e.code() == ErrorCode::WANT_READ || e.code() == ErrorCode::WANT_WRITE => Ok(()),
        Err(e) => Err(tls_error("handshake", &e)),
    }
}

fn write_all(stream: &mut SslStream<TcpStream>, mut data: &[u8]) -> Result<(), String> {
    while !data.is_empty() {
        match stream.ssl_write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if e.code() == ErrorCode::WANT_READ || e.code() == ErrorCode::WANT_WRITE => {
                // Retried with the same buffer, as SSL_write requires.
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(e) => return Err(tls_error("write", &e)),
        }
    }
    Ok(())
}

fn close(stream: &mut SslStream<TcpStream>) -> Result<(), String> {
    let _ = stream.shutdown();
    Ok(())
}
