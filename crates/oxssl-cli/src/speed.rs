//! `oxssl speed`: bulk throughput per cipher suite and full handshakes per second, between
//! an oxssl client and server in memory (the sans-IO engine, no sockets), like a TLS-level
//! `openssl speed`. For comparisons with OpenSSL and rustls use the benchmark
//! (`cargo bench -p oxssl --bench compare`).

use oxssl::config::{CertifiedKey, Config, VerifyMode};
use oxssl::crypto::sign::SigningKey;
use oxssl::handshake::client::ClientOptions;
use oxssl::msgs::enums::ProtocolVersion;
use oxssl::suites::{CipherSuite, SuiteAuth};
use oxssl::x509::{CertificateDer, TrustStore};
use oxssl::{Connection, Event};
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `speed` flags.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Seconds per measurement
    #[arg(long = "seconds", value_name = "+int", default_value_t = 1)]
    pub seconds: u64,
    /// Print the results as JSON
    #[arg(long = "json")]
    pub json: bool,
    /// Cipher suites to measure (OpenSSL or IANA names; default: all)
    pub suites: Vec<String>,
}

/// A certificate and key of each kind the suites need, and a trust store for them.
struct Identities {
    ecdsa: CertifiedKey,
    rsa: CertifiedKey,
    trust: Arc<TrustStore>,
}

fn identity(
    alg: &'static rcgen::SignatureAlgorithm,
    trust: &mut TrustStore,
) -> Result<CertifiedKey, String> {
    let err = |e: rcgen::Error| e.to_string();
    let key = rcgen::KeyPair::generate_for(alg).map_err(err)?;
    let params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).map_err(err)?;
    let cert = params.self_signed(&key).map_err(err)?;
    trust.add_der(cert.der()).map_err(|e| e.to_string())?;
    Ok(CertifiedKey {
        chain: vec![CertificateDer::from(cert.der().to_vec())],
        key: Arc::new(SigningKey::from_der(&key.serialize_der()).map_err(|e| e.0.to_string())?),
    })
}

impl Identities {
    fn new() -> Result<Self, String> {
        let mut trust = TrustStore::new();
        let ecdsa = identity(&rcgen::PKCS_ECDSA_P256_SHA256, &mut trust)?;
        let rsa = identity(&rcgen::PKCS_RSA_SHA256, &mut trust)?;
        Ok(Identities {
            ecdsa,
            rsa,
            trust: Arc::new(trust),
        })
    }

    /// Client and server configurations that can only agree on `suite`.
    fn configs(&self, suite: CipherSuite) -> (Arc<Config>, Arc<Config>) {
        let v = if suite.is_tls13() {
            ProtocolVersion::TLSV1_3
        } else {
            ProtocolVersion::TLSV1_2
        };
        let base = Config {
            min_version: v,
            max_version: v,
            cipher_suites: if suite.is_tls13() {
                vec![suite]
            } else {
                CipherSuite::TLS13_DEFAULT.to_vec()
            },
            tls12_cipher_suites: if suite.is_tls13() {
                CipherSuite::TLS12_DEFAULT.to_vec()
            } else {
                vec![suite]
            },
            // X25519 is used; P-256 is listed because a TLS 1.2 client must support the
            // curve of an ECDSA certificate (RFC 8422 5.1).
            groups: vec![
                oxssl::crypto::kx::KxGroup::X25519,
                oxssl::crypto::kx::KxGroup::Secp256r1,
            ],
            ..Config::default()
        };
        let client = Config {
            trust: self.trust.clone(),
            verify: VerifyMode {
                peer: true,
                fail_if_no_peer_cert: false,
                ..Default::default()
            },
            ..base.clone()
        };
        let key = if suite.auth() == SuiteAuth::Rsa {
            &self.rsa
        } else {
            &self.ecdsa
        };
        let server = Config {
            certified_key: Some(key.clone()),
            ..base
        };
        (Arc::new(client), Arc::new(server))
    }
}

/// Moves everything one side has queued to the other and processes it.
fn pump(from: &mut Connection, to: &mut Connection) -> Result<usize, String> {
    let _ = from.start();
    let out = from.pending_tls().len();
    let mut off = 0;
    while off < out {
        let n = to.read_tls(&from.pending_tls()[off..]);
        off += n;
        loop {
            match to.process_one().map_err(|e| e.to_string())? {
                Event::ApplicationData => {
                    let mut sink = [0u8; 16384];
                    while to.read_app(&mut sink) > 0 {}
                }
                Event::NeedData | Event::CloseNotify | Event::ClientHello => break,
                Event::Handshake | Event::Ignored => {}
            }
        }
        if n == 0 && off < out {
            return Err("peer stopped taking data".into());
        }
    }
    from.consume_tls(out);
    Ok(out)
}

fn pair(c: &Arc<Config>, s: &Arc<Config>) -> Result<(Connection, Connection), String> {
    let mut client = Connection::client(
        c.clone(),
        ClientOptions {
            sni: Some("localhost".into()),
            verify_host: Some("localhost".into()),
            ..Default::default()
        },
    );
    let mut server = Connection::server(s.clone());
    for _ in 0..8 {
        pump(&mut client, &mut server)?;
        pump(&mut server, &mut client)?;
        if client.is_connected() && server.is_connected() {
            return Ok((client, server));
        }
    }
    Err("handshake did not complete".into())
}

/// One result row.
struct Row {
    what: String,
    value: f64,
    unit: &'static str,
}

struct Progress {
    on: bool,
}

impl Progress {
    fn show(&self, what: &str, done: f64) {
        if self.on {
            eprint!("\r  {what:<42} {:>3.0}%", done * 100.0);
            let _ = std::io::stderr().flush();
        }
    }
    fn clear(&self) {
        if self.on {
            eprint!("\r{:<60}\r", "");
        }
    }
}

fn bulk(ids: &Identities, suite: CipherSuite, secs: Duration, p: &Progress) -> Result<Row, String> {
    let (c, s) = ids.configs(suite);
    let (mut client, mut server) = pair(&c, &s)?;
    let chunk = vec![0x42u8; 16384];
    let start = Instant::now();
    let mut bytes = 0u64;
    while start.elapsed() < secs {
        for _ in 0..64 {
            client
                .write_app_record(&chunk, 16384)
                .map_err(|e| e.to_string())?;
        }
        pump(&mut client, &mut server)?;
        bytes += 64 * 16384;
        p.show(
            &format!("bulk {}", suite.name()),
            start.elapsed().as_secs_f64() / secs.as_secs_f64(),
        );
    }
    let mb = bytes as f64 / 1e6 / start.elapsed().as_secs_f64();
    Ok(Row {
        what: format!("bulk {}", suite.name()),
        value: mb,
        unit: "MB/s",
    })
}

fn handshakes(
    ids: &Identities,
    suite: CipherSuite,
    secs: Duration,
    p: &Progress,
) -> Result<Row, String> {
    let (c, s) = ids.configs(suite);
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < secs {
        pair(&c, &s)?;
        n += 1;
        p.show(
            &format!("handshakes {}", suite.name()),
            start.elapsed().as_secs_f64() / secs.as_secs_f64(),
        );
    }
    Ok(Row {
        what: format!("handshakes {}", suite.name()),
        value: n as f64 / start.elapsed().as_secs_f64(),
        unit: "hs/s",
    })
}

/// Runs `speed`.
pub fn run(args: Args) -> Result<(), String> {
    let suites: Vec<CipherSuite> = if args.suites.is_empty() {
        CipherSuite::TLS13_DEFAULT
            .into_iter()
            .chain(CipherSuite::TLS12_DEFAULT)
            .collect()
    } else {
        args.suites
            .iter()
            .map(|n| CipherSuite::from_name(n).ok_or_else(|| format!("unknown cipher suite {n}")))
            .collect::<Result<_, _>>()?
    };
    let secs = Duration::from_secs(args.seconds.max(1));
    let p = Progress {
        on: std::io::stderr().is_terminal() && !args.json,
    };
    let ids = Identities::new()?;
    let mut rows = Vec::new();
    for &suite in &suites {
        rows.push(bulk(&ids, suite, secs, &p)?);
    }
    // Handshakes: one TLS 1.3 suite, and TLS 1.2 with each authentication.
    let mut hs_suites = Vec::new();
    for s in &suites {
        let key = (s.is_tls13(), s.auth());
        if !hs_suites
            .iter()
            .any(|h: &CipherSuite| (h.is_tls13(), h.auth()) == key)
        {
            hs_suites.push(*s);
        }
    }
    for suite in hs_suites {
        rows.push(handshakes(&ids, suite, secs, &p)?);
    }
    p.clear();
    if args.json {
        let items: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "  {{\"test\": {:?}, \"value\": {:.1}, \"unit\": {:?}}}",
                    r.what, r.value, r.unit
                )
            })
            .collect();
        println!("[\n{}\n]", items.join(",\n"));
    } else {
        println!("oxssl speed ({} s per test, in memory, one core, X25519; P-256 or RSA-2048 certificates)", secs.as_secs());
        println!("{:<48} {:>12}", "test", "result");
        for r in &rows {
            println!("{:<48} {:>9.1} {}", r.what, r.value, r.unit);
        }
    }
    Ok(())
}
