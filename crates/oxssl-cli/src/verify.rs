//! `oxssl verify`: certificate chain verification with OpenSSL's result codes and texts.

use crate::summary;
use crate::tls_opts::read_pem_certs;
use oxssl::x509::{self, CertificateDer, TrustStore, UnixTime};
use std::path::PathBuf;

/// `verify` flags.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// PEM file with trusted CA certificates
    #[arg(long = "CAfile", value_name = "infile")]
    pub ca_file: Option<PathBuf>,
    /// PEM file with untrusted intermediate certificates
    #[arg(long = "untrusted", value_name = "infile")]
    pub untrusted: Option<PathBuf>,
    /// Check that the certificate matches this host name
    #[arg(long = "verify_hostname", value_name = "val")]
    pub verify_hostname: Option<String>,
    /// Certificates to verify (PEM)
    #[arg(required = true)]
    pub certs: Vec<PathBuf>,
}

/// Runs `verify`; fails (exit 2 in OpenSSL, 1 here) if any certificate does not verify.
pub fn run(args: Args) -> Result<(), String> {
    let mut trust = TrustStore::new();
    if let Some(f) = &args.ca_file {
        trust
            .add_pem_file(f)
            .map_err(|e| format!("{}: {e}", f.display()))?;
    }
    let untrusted: Vec<CertificateDer<'static>> = match &args.untrusted {
        Some(f) => read_pem_certs(f)?
            .into_iter()
            .map(CertificateDer::from)
            .collect(),
        None => Vec::new(),
    };
    let mut failed = 0;
    for path in &args.certs {
        let leaf = read_pem_certs(path)?.remove(0);
        let mut chain = vec![CertificateDer::from(leaf)];
        chain.extend(untrusted.iter().cloned());
        let r = x509::verify_server_chain(
            &trust,
            &chain,
            args.verify_hostname.as_deref(),
            UnixTime::now(),
        );
        match r {
            Ok(()) => println!("{}: OK", path.display()),
            Err(e) => {
                failed += 1;
                let depth = e.depth as usize;
                let subject = chain
                    .get(depth)
                    .map(|c| summary::name(&x509::subject_oneline(c)))
                    .unwrap_or_default();
                eprintln!("{subject}");
                eprintln!(
                    "error {} at {} depth lookup: {}",
                    e.code.0,
                    e.depth,
                    e.code.text()
                );
                eprintln!("error {}: verification failed", path.display());
            }
        }
    }
    if failed > 0 {
        return Err(format!("{failed} certificate(s) failed verification"));
    }
    Ok(())
}
