//! The `oxssl` command-line tool.
#![forbid(unsafe_code)]

mod demo;

const USAGE: &str = "usage: oxssl <command>

commands:
  demo     run an oxssl TLS 1.3 server and client on loopback and report what they negotiated
  help     show this message";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("demo") | None => match demo::run() {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("demo failed: {e}");
                1
            }
        },
        Some("help") | Some("-h") | Some("--help") => {
            println!("{USAGE}");
            0
        }
        Some(other) => {
            eprintln!("unknown command {other:?}\n{USAGE}");
            2
        }
    };
    std::process::exit(code);
}
