//! The `oxssl` command-line tool: `s_client`, `s_server`, `ciphers`, `verify`, `speed`
//! and `demo`,
//! with OpenSSL's single-dash flags.
#![forbid(unsafe_code)]

mod bounded;
mod ciphers;
mod console;
mod demo;
mod pem;
mod s_client;
mod s_server;
mod speed;
mod summary;
mod tls_opts;
mod trace;
mod verify;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "oxssl",
    version,
    about = "TLS tools with OpenSSL's flags, on oxssl"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run an oxssl server and client on loopback and show what they negotiated
    Demo,
    /// Connect to a TLS server (like openssl s_client)
    #[command(name = "s_client")]
    SClient(s_client::Args),
    /// Run a TLS server (like openssl s_server)
    #[command(name = "s_server")]
    SServer(s_server::Args),
    /// List the cipher suites a cipher string selects (like openssl ciphers)
    Ciphers(ciphers::Args),
    /// Verify certificate chains (like openssl verify)
    Verify(verify::Args),
    /// TLS throughput per cipher suite and handshakes per second, in memory
    Speed(speed::Args),
}

/// OpenSSL spells long flags with one dash (`-connect`); clap wants two.
fn openssl_style(args: impl Iterator<Item = String>) -> Vec<String> {
    args.enumerate()
        .map(|(i, a)| {
            let single = a.starts_with('-') && !a.starts_with("--") && a.len() > 2;
            if i > 0 && single && !a[1..].starts_with(|c: char| c.is_ascii_digit()) {
                format!("-{a}")
            } else {
                a
            }
        })
        .collect()
}

fn main() {
    let cli = Cli::parse_from(openssl_style(std::env::args()));
    let result = match cli.command {
        None | Some(Command::Demo) => demo::run(),
        Some(Command::SClient(a)) => s_client::run(a),
        Some(Command::SServer(a)) => s_server::run(a),
        Some(Command::Ciphers(a)) => ciphers::run(a),
        Some(Command::Verify(a)) => verify::run(a),
        Some(Command::Speed(a)) => speed::run(a),
    };
    if let Err(e) = result {
        eprintln!("oxssl: {e}");
        std::process::exit(1);
    }
}
