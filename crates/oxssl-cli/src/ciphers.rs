//! `oxssl ciphers`: the suites a cipher string selects, printed as `openssl ciphers` does.

use oxssl::cipher_list::parse_cipher_list;
use oxssl::suites::CipherSuite;

/// `ciphers` flags.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Verbose listing (one line per suite with protocol, key exchange, ...)
    #[arg(short = 'v')]
    pub verbose: bool,
    /// Show the standard (IANA) names
    #[arg(long = "stdname")]
    pub stdname: bool,
    /// TLSv1.2 suites only
    #[arg(long = "tls1_2")]
    pub tls1_2: bool,
    /// TLSv1.3 suites only
    #[arg(long = "tls1_3")]
    pub tls1_3: bool,
    /// TLSv1.3 ciphersuites to list
    #[arg(long = "ciphersuites", value_name = "val")]
    pub ciphersuites: Option<String>,
    /// Cipher string for TLSv1.2 (default: DEFAULT)
    pub cipherstring: Option<String>,
}

/// Runs `ciphers`.
pub fn run(args: Args) -> Result<(), String> {
    let mut suites = Vec::new();
    if !args.tls1_2 {
        suites.extend(match &args.ciphersuites {
            Some(list) => CipherSuite::parse_list(list)?,
            None => CipherSuite::TLS13_DEFAULT.to_vec(),
        });
    }
    if !args.tls1_3 {
        let spec = args.cipherstring.as_deref().unwrap_or("DEFAULT");
        suites.extend(parse_cipher_list(spec).map_err(|e| format!("{spec}: {e}"))?);
    }
    if args.verbose {
        for s in suites {
            if args.stdname {
                print!("{} - ", s.std_name());
            }
            print!("{}", s.description());
        }
    } else {
        let names: Vec<&str> = suites
            .iter()
            .map(|s| if args.stdname { s.std_name() } else { s.name() })
            .collect();
        println!("{}", names.join(":"));
    }
    Ok(())
}
