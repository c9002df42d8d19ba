//! The TLS flags `s_client` and `s_server` share, turned into an `SslContextBuilder` the
//! way OpenSSL's apps do.

use oxssl::ssl::{SslContext, SslContextBuilder, SslFiletype, SslMethod, SslVersion};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Protocol, algorithm, certificate and key-log flags.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct TlsArgs {
    /// Just use TLSv1.2
    #[arg(long = "tls1_2")]
    pub tls1_2: bool,
    /// Just use TLSv1.3
    #[arg(long = "tls1_3")]
    pub tls1_3: bool,
    /// Just use TLSv1.2 and below (no TLSv1.3)
    #[arg(long = "no_tls1_3")]
    pub no_tls1_3: bool,
    /// No TLSv1.2
    #[arg(long = "no_tls1_2")]
    pub no_tls1_2: bool,
    /// TLSv1.2 cipher list, in OpenSSL's cipher-string language
    #[arg(long = "cipher", value_name = "val")]
    pub cipher: Option<String>,
    /// TLSv1.3 ciphersuites (colon-separated)
    #[arg(long = "ciphersuites", value_name = "val")]
    pub ciphersuites: Option<String>,
    /// Groups to advertise (colon-separated list)
    #[arg(long = "groups", alias = "curves", value_name = "val")]
    pub groups: Option<String>,
    /// Signature algorithms to support (colon-separated list)
    #[arg(long = "sigalgs", value_name = "val")]
    pub sigalgs: Option<String>,
    /// Application-layer protocols, comma-separated (e.g. "h2,http/1.1")
    #[arg(long = "alpn", value_name = "val")]
    pub alpn: Option<String>,
    /// PEM file with trusted CA certificates
    #[arg(long = "CAfile", value_name = "infile")]
    pub ca_file: Option<PathBuf>,
    /// Directory of trusted CA certificates (PEM files)
    #[arg(long = "CApath", value_name = "dir")]
    pub ca_path: Option<PathBuf>,
    /// Certificate file to use (PEM)
    #[arg(long = "cert", value_name = "infile")]
    pub cert: Option<PathBuf>,
    /// Private key file to use (PEM); defaults to the certificate file
    #[arg(long = "key", value_name = "val")]
    pub key: Option<PathBuf>,
    /// Extra certificates to send after the end-entity certificate (PEM)
    #[arg(long = "cert_chain", value_name = "infile")]
    pub cert_chain: Option<PathBuf>,
    /// Write TLS secrets to this file (NSS key log format)
    #[arg(long = "keylogfile", value_name = "outfile")]
    pub keylogfile: Option<PathBuf>,
    /// Maximum send fragment size (512..16384)
    #[arg(long = "max_send_frag", value_name = "+int")]
    pub max_send_frag: Option<usize>,
    /// Size used to split data for encrypt pipelines
    #[arg(long = "split_send_frag", value_name = "+int")]
    pub split_send_frag: Option<usize>,
    /// Show the protocol messages (handshake, alerts, CCS) with a hex dump
    #[arg(long = "msg")]
    pub msg: bool,
    /// Print the handshake states
    #[arg(long = "state")]
    pub state: bool,
}

fn stack(what: &str) -> impl FnOnce(oxssl::ssl::ErrorStack) -> String + '_ {
    move |e| format!("{what}: {e}")
}

impl TlsArgs {
    /// A context builder with these flags applied.
    pub fn builder(&self) -> Result<SslContextBuilder, String> {
        let mut b = SslContext::builder(SslMethod::tls()).map_err(stack("context"))?;
        let (mut min, mut max) = (None, None);
        if self.tls1_2 {
            (min, max) = (Some(SslVersion::TLS1_2), Some(SslVersion::TLS1_2));
        }
        if self.tls1_3 {
            (min, max) = (Some(SslVersion::TLS1_3), Some(SslVersion::TLS1_3));
        }
        if self.no_tls1_3 {
            max = Some(SslVersion::TLS1_2);
        }
        if self.no_tls1_2 {
            min = Some(SslVersion::TLS1_3);
        }
        b.set_min_proto_version(min).map_err(stack("min version"))?;
        b.set_max_proto_version(max).map_err(stack("max version"))?;
        if let Some(c) = &self.cipher {
            b.set_cipher_list(c).map_err(stack("-cipher"))?;
        }
        if let Some(c) = &self.ciphersuites {
            b.set_ciphersuites(c).map_err(stack("-ciphersuites"))?;
        }
        if let Some(g) = &self.groups {
            b.set_groups_list(g).map_err(stack("-groups"))?;
        }
        if let Some(s) = &self.sigalgs {
            b.set_sigalgs_list(s).map_err(stack("-sigalgs"))?;
        }
        if let Some(a) = &self.alpn {
            b.set_alpn_protos(&alpn_wire(a)?).map_err(stack("-alpn"))?;
        }
        if let Some(f) = &self.ca_file {
            b.set_ca_file(f)
                .map_err(|e| format!("-CAfile {}: {e}", f.display()))?;
        }
        if let Some(dir) = &self.ca_path {
            add_ca_dir(&mut b, dir)?;
        }
        if let Some(n) = self.max_send_frag {
            b.set_max_send_fragment(n)
                .map_err(stack("-max_send_frag"))?;
        }
        if let Some(n) = self.split_send_frag {
            b.set_split_send_fragment(n)
                .map_err(stack("-split_send_frag"))?;
        }
        if let Some(cert) = &self.cert {
            self.use_certificate(&mut b, cert, self.key.as_ref())?;
        }
        if let Some(path) = &self.keylogfile {
            set_keylog_file(&mut b, path)?;
        }
        if self.msg || self.state {
            b.set_observer(Arc::new(crate::trace::Trace {
                msg: self.msg,
                state: self.state,
            }));
        }
        Ok(b)
    }

    /// Loads a certificate (plus `-cert_chain`) and its key, checking they match.
    pub fn use_certificate(
        &self,
        b: &mut SslContextBuilder,
        cert: &PathBuf,
        key: Option<&PathBuf>,
    ) -> Result<(), String> {
        let mut chain = read_pem_certs(cert)?;
        if let Some(extra) = &self.cert_chain {
            chain.extend(read_pem_certs(extra)?);
        }
        b.set_certificate_chain_der(chain)
            .map_err(|e| format!("{}: {e}", cert.display()))?;
        let key = key.unwrap_or(cert);
        b.set_private_key_file(key, SslFiletype::PEM)
            .map_err(|e| format!("unable to load private key {}: {e}", key.display()))?;
        b.check_private_key().map_err(|_| {
            format!(
                "private key {} does not match the certificate",
                key.display()
            )
        })
    }
}

/// Reads all certificates of a PEM file, as DER.
pub fn read_pem_certs(path: &PathBuf) -> Result<Vec<Vec<u8>>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let certs =
        oxssl::x509::certs_from_pem(&pem).map_err(|e| format!("{}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate found", path.display()));
    }
    Ok(certs.into_iter().map(|c| c.as_ref().to_vec()).collect())
}

fn add_ca_dir(b: &mut SslContextBuilder, dir: &PathBuf) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("-CApath {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let Ok(pem) = std::fs::read(entry.path()) else {
            continue;
        };
        for cert in oxssl::x509::certs_from_pem(&pem).unwrap_or_default() {
            // Files that are not CA certificates (hash links to the same file, CRLs) are
            // skipped, as OpenSSL's directory lookup does.
            let _ = b.add_trusted_der(cert.as_ref());
        }
    }
    Ok(())
}

/// "h2,http/1.1" in the wire form `SSL_CTX_set_alpn_protos` takes.
pub fn alpn_wire(list: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for p in list.split(',').filter(|p| !p.is_empty()) {
        let n = u8::try_from(p.len()).map_err(|_| format!("ALPN protocol too long: {p}"))?;
        out.push(n);
        out.extend_from_slice(p.as_bytes());
    }
    Ok(out)
}

fn set_keylog_file(b: &mut SslContextBuilder, path: &PathBuf) -> Result<(), String> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("-keylogfile {}: {e}", path.display()))?;
    let file = Arc::new(Mutex::new(file));
    b.set_keylog_callback(move |_ssl, line| {
        if let Ok(mut f) = file.lock() {
            let _ = writeln!(f, "{line}");
        }
    });
    Ok(())
}
