//! Interoperability over loopback TCP with the `openssl` command-line tool (the system's,
//! OpenSSL 3.0 on CI) as the peer: oxssl client against `openssl s_server`, and
//! `openssl s_client` against an oxssl server, with a small blocking socket driver.
//!
//! Every child process is killed when its test ends (even on failure), every socket read
//! has a timeout, and every wait has a deadline, so nothing here can hang. The tests are
//! skipped (with a notice) only when /usr/bin/openssl is missing.
mod common;

use common::certs::{self, server_pki, KeyKind, LeafSpec, Pki};
use common::ox;
use oxssl::config::{CertifiedKey, Config, VerifyMode};
use oxssl::crypto::kx::KxGroup;
use oxssl::crypto::sign::SigningKey;
use oxssl::negotiated::Negotiated;
use oxssl::suites::CipherSuite;
use oxssl::x509::{CertificateDer, TrustStore};
use oxssl::{Connection, Event};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const OPENSSL: &str = "/usr/bin/openssl";
/// Longest any single socket read may block.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest a whole exchange with one child process may take.
const DEADLINE: Duration = Duration::from_secs(10);

const SUITES: [CipherSuite; 3] = [
    CipherSuite::Tls13Aes128GcmSha256,
    CipherSuite::Tls13Aes256GcmSha384,
    CipherSuite::Tls13Chacha20Poly1305Sha256,
];

/// False (after printing a notice) when the openssl tool is missing.
fn have_openssl() -> bool {
    if Path::new(OPENSSL).exists() {
        return true;
    }
    eprintln!("NOTICE: {OPENSSL} not found; skipping the openssl command-line interop tests");
    false
}

// ---------------------------------------------------------------------------------------
// Files and processes
// ---------------------------------------------------------------------------------------

/// A temporary directory holding PEM files, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "oxssl-interop-cli-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// Writes `contents` to `name` in the directory; returns its path as a string.
    fn write(&self, name: &str, contents: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, contents).unwrap();
        p.to_str().unwrap().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The PEM files of a PKI: (ca, cert, key) paths.
///
/// The key is re-encoded by (vendored) OpenSSL: rcgen's Ed25519 keys come from aws-lc as
/// PKCS#8 v2 (OneAsymmetricKey with the public key), which the OpenSSL 3.0 command-line
/// tool refuses to load ("unsupported"); OpenSSL writes the v1 form every version reads.
fn write_pki(dir: &TempDir, prefix: &str, pki: &Pki) -> (String, String, String) {
    let key = openssl::pkey::PKey::private_key_from_der(&pki.key_der)
        .and_then(|k| k.private_key_to_pem_pkcs8())
        .expect("re-encoding the test key");
    (
        dir.write(&format!("{prefix}-ca.pem"), &pki.ca_pem),
        dir.write(&format!("{prefix}-cert.pem"), &pki.leaf_pem),
        dir.write(
            &format!("{prefix}-key.pem"),
            std::str::from_utf8(&key).unwrap(),
        ),
    )
}

/// A running openssl process, killed and reaped on drop. Its stdout and stderr are
/// collected by threads; stdout lines are also sent over a channel as they arrive.
struct ChildGuard {
    child: Child,
    output: Arc<Mutex<String>>,
    lines: mpsc::Receiver<String>,
    readers: Vec<JoinHandle<()>>,
}

impl ChildGuard {
    fn spawn(args: &[&str]) -> Self {
        let mut child = Command::new(OPENSSL)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawning openssl {args:?}: {e}"));
        let output = Arc::new(Mutex::new(String::new()));
        let (tx, lines) = mpsc::channel();
        let mut readers = Vec::new();
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        for (stream, tx) in [
            (Box::new(stdout) as Box<dyn Read + Send>, Some(tx)),
            (Box::new(stderr) as Box<dyn Read + Send>, None),
        ] {
            let output = output.clone();
            readers.push(std::thread::spawn(move || {
                let mut r = BufReader::new(stream);
                let mut line = Vec::new();
                loop {
                    line.clear();
                    match r.read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {
                            let s = String::from_utf8_lossy(&line).into_owned();
                            output.lock().unwrap().push_str(&s);
                            if let Some(tx) = &tx {
                                let _ = tx.send(s);
                            }
                        }
                    }
                }
            }));
        }
        ChildGuard {
            child,
            output,
            lines,
            readers,
        }
    }

    /// Waits for a stdout line starting with `prefix`; returns it.
    fn wait_line(&self, prefix: &str, timeout: Duration) -> Result<String, String> {
        let until = Instant::now() + timeout;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return Ok(line.trim_end().to_string()),
                Ok(_) => continue,
                Err(_) => {
                    return Err(format!(
                        "no {prefix:?} line from openssl; it printed:\n{}",
                        self.output()
                    ))
                }
            }
        }
    }

    /// Writes to the child's stdin and closes it.
    fn send_stdin(&mut self, data: &[u8]) {
        if let Some(mut stdin) = self.child.stdin.take() {
            let _ = stdin.write_all(data);
        }
    }

    /// Waits up to `timeout` for the child to exit; then (or on timeout) collects what it
    /// printed once its output pipes closed. Returns (exited successfully, output).
    fn finish(&mut self, timeout: Duration) -> (Option<bool>, String) {
        let until = Instant::now() + timeout;
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(st)) => break Some(st.success()),
                Ok(None) if Instant::now() < until => std::thread::sleep(Duration::from_millis(10)),
                _ => break None,
            }
        };
        if status.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        (status, self.output())
    }

    fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Writes to the child's stdin and keeps it open.
    fn write_stdin(&mut self, data: &[u8]) -> Result<(), String> {
        let stdin = self.child.stdin.as_mut().ok_or("stdin already closed")?;
        stdin
            .write_all(data)
            .and_then(|_| stdin.flush())
            .map_err(|e| format!("writing to openssl's stdin: {e}"))
    }

    /// Closes the child's stdin (EOF).
    fn close_stdin(&mut self) {
        drop(self.child.stdin.take());
    }

    /// Waits until the child's output (stdout and stderr) contains `needle`, while
    /// `pump` keeps the caller's side of the connection moving.
    fn wait_output(
        &self,
        needle: &str,
        timeout: Duration,
        mut pump: impl FnMut() -> Result<(), String>,
    ) -> Result<(), String> {
        let until = Instant::now() + timeout;
        while !self.output().contains(needle) {
            if Instant::now() > until {
                return Err(format!(
                    "openssl never printed {needle:?}; it printed:\n{}",
                    self.output()
                ));
            }
            pump()?;
            std::thread::sleep(Duration::from_millis(2));
        }
        Ok(())
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------
// A blocking oxssl driver over a TcpStream
// ---------------------------------------------------------------------------------------

struct Tls {
    conn: Connection,
    sock: TcpStream,
    received: Vec<u8>,
    eof: bool,
    deadline: Instant,
}

impl Tls {
    fn new(conn: Connection, sock: TcpStream) -> Self {
        sock.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        sock.set_write_timeout(Some(READ_TIMEOUT)).unwrap();
        sock.set_nodelay(true).unwrap();
        Tls {
            conn,
            sock,
            received: Vec::new(),
            eof: false,
            deadline: Instant::now() + DEADLINE,
        }
    }

    fn flush(&mut self) -> Result<(), String> {
        while !self.conn.pending_tls().is_empty() {
            let n = self
                .sock
                .write(self.conn.pending_tls())
                .map_err(|e| format!("socket write: {e}"))?;
            self.conn.consume_tls(n);
        }
        Ok(())
    }

    /// Processes every buffered record, collecting application data; sends what that
    /// queued (including the alert of a failure).
    fn process(&mut self) -> Result<(), String> {
        let mut buf = [0u8; 16384];
        let r = loop {
            match self.conn.process_one() {
                Ok(Event::ApplicationData) => loop {
                    let n = self.conn.read_app(&mut buf);
                    if n == 0 {
                        break;
                    }
                    self.received.extend_from_slice(&buf[..n]);
                },
                Ok(Event::Handshake | Event::Ignored) => {}
                Ok(Event::NeedData | Event::CloseNotify | Event::ClientHello) => break Ok(()),
                Err(e) => break Err(format!("oxssl: {e:?}")),
            }
        };
        let flushed = self.flush();
        r.and(flushed)
    }

    /// One blocking read from the socket into the engine.
    fn read_once(&mut self) -> Result<(), String> {
        let space = self.conn.tls_read_space(32 * 1024);
        let len = space.len();
        match self.sock.read(space) {
            Ok(n) => {
                self.conn.commit_tls_read(len, n);
                self.eof = n == 0;
                Ok(())
            }
            Err(e) => {
                self.conn.commit_tls_read(len, 0);
                Err(format!("socket read: {e}"))
            }
        }
    }

    /// Drives the connection until `cond` holds.
    fn run_until(&mut self, what: &str, cond: impl Fn(&Tls) -> bool) -> Result<(), String> {
        self.conn
            .start()
            .map_err(|e| format!("oxssl start: {e:?}"))?;
        loop {
            self.flush()?;
            self.process()?;
            if cond(self) {
                return Ok(());
            }
            if self.eof {
                return Err(format!("connection closed before {what}"));
            }
            if Instant::now() > self.deadline {
                return Err(format!("timed out waiting for {what}"));
            }
            self.read_once()
                .map_err(|e| format!("waiting for {what}: {e}"))?;
        }
    }

    fn handshake(&mut self) -> Result<(), String> {
        self.run_until("the handshake", |t| t.conn.is_connected())
    }

    fn write_all(&mut self, mut data: &[u8]) -> Result<(), String> {
        while !data.is_empty() {
            let n = self
                .conn
                .write_app_record(data, 16384)
                .map_err(|e| format!("oxssl write: {e:?}"))?;
            data = &data[n..];
        }
        self.flush()
    }

    /// Reads until `n` bytes of application data have arrived.
    fn read_at_least(&mut self, n: usize) -> Result<(), String> {
        self.run_until(&format!("{n} bytes of data"), |t| t.received.len() >= n)
    }

    /// Sends close_notify and waits for the peer's.
    fn close(&mut self) -> Result<(), String> {
        self.conn
            .send_close_notify()
            .map_err(|e| format!("oxssl close: {e:?}"))?;
        self.flush()?;
        self.run_until("the peer's close_notify", |t| {
            t.conn.received_close_notify()
        })
    }
}

fn certified_key(pki: &Pki) -> CertifiedKey {
    CertifiedKey {
        chain: vec![CertificateDer::from(pki.leaf_der.clone())],
        key: Arc::new(SigningKey::from_der(&pki.key_der).unwrap()),
    }
}

fn client_pki() -> Pki {
    certs::issue(&LeafSpec {
        kind: KeyKind::EcdsaP256,
        names: vec!["client.example".into()],
        validity_years: None,
        client_auth: true,
    })
}

fn protos(list: &[&str]) -> Vec<Vec<u8>> {
    list.iter().map(|p| p.as_bytes().to_vec()).collect()
}

/// Test lines: printable, distinct, newline-terminated.
fn lines(n: usize, width: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            let mut l: Vec<u8> = (0..width)
                .map(|j| b"abcdefghijklmnopqrstuvwxyz0123456789"[(i * 7 + j * 13) % 36])
                .collect();
            l.extend_from_slice(format!(" line {i}\n").as_bytes());
            l
        })
        .collect()
}

/// A line reversed as `s_server -rev` sends it back (the newline stays at the end).
fn reversed(line: &[u8]) -> Vec<u8> {
    let body = line.strip_suffix(b"\n").unwrap_or(line);
    let mut r: Vec<u8> = body.iter().rev().copied().collect();
    r.push(b'\n');
    r
}

// ---------------------------------------------------------------------------------------
// oxssl client -> openssl s_server
// ---------------------------------------------------------------------------------------

/// A check of what oxssl negotiated.
type Check = Box<dyn Fn(&Negotiated) -> Result<(), String>>;

/// What one s_server case sets up and expects.
struct ServerCase {
    name: String,
    kind: KeyKind,
    /// Extra s_server arguments.
    args: Vec<String>,
    /// Adjusts the oxssl client config.
    client: fn(&mut Config),
    /// Checks what oxssl negotiated.
    check: Check,
    /// A substring s_server's output must contain.
    server_says: Option<String>,
}

fn run_s_server_case(case: &ServerCase) -> Result<(), String> {
    let dir = TempDir::new();
    let pki = server_pki(case.kind);
    let (ca, cert, key) = write_pki(&dir, "server", pki);
    let mut args = vec![
        "s_server",
        "-accept",
        "127.0.0.1:0",
        "-naccept",
        "1",
        "-cert",
        &cert,
        "-key",
        &key,
        "-CAfile",
        &ca,
        "-tls1_3",
        "-rev",
    ];
    args.extend(case.args.iter().map(String::as_str));
    let mut server = ChildGuard::spawn(&args);
    let accept = server.wait_line("ACCEPT", DEADLINE)?;
    let addr = accept.trim_start_matches("ACCEPT").trim().to_string();
    let sock = TcpStream::connect(&addr).map_err(|e| format!("connect {addr}: {e}"))?;

    let mut config = ox::client_config(pki);
    (case.client)(&mut config);
    let mut tls = Tls::new(ox::client(config, "localhost"), sock);
    let result = (|| {
        tls.handshake()?;
        let sent = lines(40, 200);
        let mut want = Vec::new();
        for l in &sent {
            tls.write_all(l)?;
            want.extend(reversed(l));
        }
        tls.read_at_least(want.len())?;
        if tls.received != want {
            return Err(format!(
                "s_server -rev sent back {} bytes, not the {} reversed lines expected",
                tls.received.len(),
                want.len()
            ));
        }
        tls.close()?;
        (case.check)(tls.conn.negotiated())
    })();
    // Close our socket first so that after a failure s_server sees EOF and exits.
    drop(tls);
    let (_, output) = server.finish(Duration::from_secs(5));
    result.map_err(|e| format!("{e}\n--- s_server output:\n{output}"))?;
    if let Some(s) = &case.server_says {
        if !output.contains(s.as_str()) {
            return Err(format!("s_server output lacks {s:?}:\n{output}"));
        }
    }
    Ok(())
}

fn run_server_cases(cases: Vec<ServerCase>) {
    if !have_openssl() {
        return;
    }
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(e) = run_s_server_case(case) {
            failures.push(format!("[{}] {e}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn expect_group(g: KxGroup, hrr: bool) -> Check {
    Box::new(move |n| {
        if n.group != Some(g) || n.hello_retry != hrr {
            return Err(format!(
                "oxssl negotiated group {:?} (HRR: {}); expected {g:?} (HRR: {hrr})",
                n.group, n.hello_retry
            ));
        }
        Ok(())
    })
}

#[test]
fn cli_oxssl_client_to_s_server_key_types_and_suites() {
    let mut cases = Vec::new();
    for kind in KeyKind::ALL {
        // oxssl offers X25519MLKEM768 and X25519 shares; OpenSSL 3.0 takes X25519.
        cases.push(ServerCase {
            name: format!("{kind:?}"),
            kind,
            args: vec![],
            client: |_| {},
            check: expect_group(KxGroup::X25519, false),
            server_says: Some("Protocol version: TLSv1.3".into()),
        });
    }
    for suite in SUITES {
        cases.push(ServerCase {
            name: suite.name().into(),
            kind: KeyKind::EcdsaP256,
            args: vec!["-ciphersuites".into(), suite.name().into()],
            client: |_| {},
            check: Box::new(move |n| {
                if n.suite != Some(suite) {
                    return Err(format!("oxssl negotiated {:?}", n.suite));
                }
                Ok(())
            }),
            server_says: Some(format!("Ciphersuite: {}", suite.name())),
        });
    }
    run_server_cases(cases);
}

#[test]
fn cli_oxssl_client_to_s_server_hrr() {
    run_server_cases(vec![
        // s_server accepts only P-256; oxssl's first shares are X25519MLKEM768 + X25519.
        ServerCase {
            name: "HRR to P-256".into(),
            kind: KeyKind::EcdsaP256,
            args: vec!["-groups".into(), "P-256".into()],
            client: |_| {},
            check: expect_group(KxGroup::Secp256r1, true),
            server_says: None,
        },
        // Only P-384 in common, with oxssl's groups [X25519, P-256, P-384].
        ServerCase {
            name: "HRR to P-384".into(),
            kind: KeyKind::EcdsaP384,
            args: vec!["-groups".into(), "P-384".into()],
            client: |c| c.groups = vec![KxGroup::X25519, KxGroup::Secp256r1, KxGroup::Secp384r1],
            check: expect_group(KxGroup::Secp384r1, true),
            server_says: None,
        },
    ]);
}

#[test]
fn cli_oxssl_client_to_s_server_alpn_and_client_cert() {
    run_server_cases(vec![
        ServerCase {
            name: "ALPN server prefers http/1.1".into(),
            kind: KeyKind::EcdsaP256,
            args: vec!["-alpn".into(), "http/1.1,h2".into()],
            client: |c| c.alpn_protocols = protos(&["h2", "http/1.1"]),
            check: Box::new(|n| match n.alpn.as_deref() {
                Some(b"http/1.1") => Ok(()),
                other => Err(format!(
                    "oxssl ALPN {:?}",
                    other.map(String::from_utf8_lossy)
                )),
            }),
            server_says: None,
        },
        ServerCase {
            name: "ALPN server prefers h2".into(),
            kind: KeyKind::Rsa2048,
            args: vec!["-alpn".into(), "h2,http/1.1".into()],
            client: |c| c.alpn_protocols = protos(&["http/1.1", "h2"]),
            check: Box::new(|n| match n.alpn.as_deref() {
                Some(b"h2") => Ok(()),
                other => Err(format!(
                    "oxssl ALPN {:?}",
                    other.map(String::from_utf8_lossy)
                )),
            }),
            server_says: None,
        },
        // s_server requires a client certificate (-Verify) and verifies it against the CA.
        ServerCase {
            name: "client certificate".into(),
            kind: KeyKind::Ed25519,
            args: vec!["-Verify".into(), "1".into(), "-verify_return_error".into()],
            client: |c| {
                static CLIENT: std::sync::OnceLock<Pki> = std::sync::OnceLock::new();
                c.certified_key = Some(certified_key(CLIENT.get_or_init(client_pki)));
            },
            check: Box::new(|_| Ok(())),
            server_says: Some("Peer certificate: CN = client.example".into()),
        },
    ]);
}

// ---------------------------------------------------------------------------------------
// openssl s_client -> oxssl server
// ---------------------------------------------------------------------------------------

/// What one s_client case sets up and expects.
struct ClientCase {
    name: String,
    kind: KeyKind,
    /// Extra s_client arguments.
    args: Vec<String>,
    /// Adjusts the oxssl server config.
    server: fn(&mut Config),
    /// Whether s_client presents the test client certificate.
    client_cert: bool,
    /// Checks what the oxssl server negotiated.
    check: Check,
    /// Substrings s_client's output must contain.
    client_says: Vec<String>,
}

/// The oxssl server thread: accepts one connection, answers one line with it reversed,
/// closes with close_notify and waits for the client's.
fn serve_one(listener: TcpListener, config: Config) -> Result<(Negotiated, Vec<u8>), String> {
    listener.set_nonblocking(true).unwrap();
    let until = Instant::now() + DEADLINE;
    let sock = loop {
        match listener.accept() {
            Ok((s, _)) => break s,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && Instant::now() < until => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(e) => return Err(format!("accept: {e}")),
        }
    };
    sock.set_nonblocking(false).unwrap();
    let mut tls = Tls::new(ox::server(config), sock);
    tls.handshake()?;
    tls.run_until("a line from s_client", |t| t.received.contains(&b'\n'))?;
    let line = tls.received.clone();
    tls.write_all(&reversed(&line))?;
    tls.close()?;
    Ok((tls.conn.negotiated().clone(), line))
}

fn run_s_client_case(case: &ClientCase) -> Result<(), String> {
    let dir = TempDir::new();
    let pki = server_pki(case.kind);
    let (ca, _, _) = write_pki(&dir, "server", pki);
    let cli = client_pki();
    let (_, cli_cert, cli_key) = write_pki(&dir, "client", &cli);

    let mut config = ox::server_config(pki);
    if case.client_cert {
        let mut trust = TrustStore::new();
        trust.add_der(&cli.ca_der).unwrap();
        config.trust = Arc::new(trust);
        config.verify = VerifyMode {
            peer: true,
            fail_if_no_peer_cert: true,
            ..Default::default()
        };
    }
    (case.server)(&mut config);
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || serve_one(listener, config));

    let mut args = vec![
        "s_client",
        "-connect",
        &addr,
        "-servername",
        "localhost",
        "-CAfile",
        &ca,
        "-verify_return_error",
        "-verify_hostname",
        "localhost",
        "-tls1_3",
        "-ign_eof",
    ];
    if case.client_cert {
        args.extend(["-cert", &cli_cert, "-key", &cli_key]);
    }
    args.extend(case.args.iter().map(String::as_str));
    let mut client = ChildGuard::spawn(&args);
    let line = format!("hello from s_client, case {}\n", case.name);
    client.send_stdin(line.as_bytes());
    let (status, output) = client.finish(DEADLINE);
    // The server thread ends by itself: its reads time out and its accept has a deadline.
    let served = server
        .join()
        .map_err(|_| "oxssl server thread panicked".to_string())?;
    let with_output = |e: String| format!("{e}\n--- s_client output:\n{output}");
    let (negotiated, got) = served.map_err(with_output)?;
    if got != line.as_bytes() {
        return Err(with_output(format!(
            "oxssl server received {:?}",
            String::from_utf8_lossy(&got)
        )));
    }
    let back = String::from_utf8(reversed(line.as_bytes())).unwrap();
    let mut want = vec!["Verify return code: 0 (ok)".to_string(), back];
    want.extend(case.client_says.iter().cloned());
    for w in &want {
        if !output.contains(w.as_str()) {
            return Err(with_output(format!("s_client output lacks {w:?}")));
        }
    }
    if status != Some(true) {
        return Err(with_output(format!("s_client exit: {status:?}")));
    }
    (case.check)(&negotiated).map_err(with_output)
}

fn run_client_cases(cases: Vec<ClientCase>) {
    if !have_openssl() {
        return;
    }
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(e) = run_s_client_case(case) {
            failures.push(format!("[{}] {e}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn cli_s_client_to_oxssl_server_key_types_and_suites() {
    let mut cases = Vec::new();
    for kind in KeyKind::ALL {
        cases.push(ClientCase {
            name: format!("{kind:?}"),
            kind,
            args: vec![],
            server: |_| {},
            client_cert: false,
            check: expect_group(KxGroup::X25519, false),
            client_says: vec!["New, TLSv1.3".into(), "Server Temp Key: X25519".into()],
        });
    }
    for suite in SUITES {
        cases.push(ClientCase {
            name: suite.name().into(),
            kind: KeyKind::EcdsaP384,
            args: vec!["-ciphersuites".into(), suite.name().into()],
            server: |_| {},
            client_cert: false,
            check: Box::new(move |n| {
                if n.suite != Some(suite) {
                    return Err(format!("oxssl negotiated {:?}", n.suite));
                }
                Ok(())
            }),
            client_says: vec![format!("Cipher is {}", suite.name())],
        });
    }
    run_client_cases(cases);
}

#[test]
fn cli_s_client_to_oxssl_server_hrr() {
    run_client_cases(vec![
        // s_client sends a share for X25519 only; oxssl accepts only P-256.
        ClientCase {
            name: "HRR to P-256".into(),
            kind: KeyKind::EcdsaP256,
            args: vec!["-groups".into(), "X25519:P-256".into()],
            server: |c| c.groups = vec![KxGroup::Secp256r1],
            client_cert: false,
            check: expect_group(KxGroup::Secp256r1, true),
            client_says: vec!["Server Temp Key: ECDH, prime256v1".into()],
        },
        // The same with a cookie in the HelloRetryRequest.
        ClientCase {
            name: "HRR with cookie to P-384".into(),
            kind: KeyKind::Rsa2048,
            args: vec!["-groups".into(), "X25519:P-384".into()],
            server: |c| {
                c.groups = vec![KxGroup::Secp384r1];
                c.hrr_cookie = true;
            },
            client_cert: false,
            check: expect_group(KxGroup::Secp384r1, true),
            client_says: vec!["Server Temp Key: ECDH, secp384r1".into()],
        },
    ]);
}

#[test]
fn cli_s_client_to_oxssl_server_alpn_and_client_cert() {
    run_client_cases(vec![
        ClientCase {
            name: "ALPN server prefers http/1.1".into(),
            kind: KeyKind::EcdsaP256,
            args: vec!["-alpn".into(), "h2,http/1.1".into()],
            server: |c| c.alpn_protocols = protos(&["http/1.1", "h2"]),
            client_cert: false,
            check: Box::new(|n| match n.alpn.as_deref() {
                Some(b"http/1.1") => Ok(()),
                other => Err(format!(
                    "oxssl ALPN {:?}",
                    other.map(String::from_utf8_lossy)
                )),
            }),
            client_says: vec!["ALPN protocol: http/1.1".into()],
        },
        ClientCase {
            name: "ALPN server prefers h2".into(),
            kind: KeyKind::Ed25519,
            args: vec!["-alpn".into(), "http/1.1,h2".into()],
            server: |c| c.alpn_protocols = protos(&["h2", "http/1.1"]),
            client_cert: false,
            check: Box::new(|n| match n.alpn.as_deref() {
                Some(b"h2") => Ok(()),
                other => Err(format!(
                    "oxssl ALPN {:?}",
                    other.map(String::from_utf8_lossy)
                )),
            }),
            client_says: vec!["ALPN protocol: h2".into()],
        },
        ClientCase {
            name: "client certificate".into(),
            kind: KeyKind::EcdsaP256,
            args: vec![],
            server: |_| {},
            client_cert: true,
            check: Box::new(|n| {
                if n.peer_chain.is_empty() || n.verify_result != 0 {
                    return Err(format!(
                        "oxssl server: {} client certificates, verify result {}",
                        n.peer_chain.len(),
                        n.verify_result
                    ));
                }
                Ok(())
            }),
            client_says: vec![],
        },
    ]);
}

// ---------------------------------------------------------------------------------------
// TLS 1.2 renegotiation with the command-line tools: the `r` / `R` stdin commands of
// s_server and the `R` command of s_client, in the middle of a transfer both ways. The
// oxssl side uses the SSL API (`Ssl`) over a non-blocking socket, so the renegotiation
// runs inside its ordinary reads and writes.
// ---------------------------------------------------------------------------------------

use oxssl::ssl::{ErrorCode, Ssl, SslContext, SslMethod, SslOptions, SslVerifyMode, SslVersion};

/// An oxssl `Ssl` over a non-blocking loopback socket, pumped by hand.
struct SslPump {
    ssl: Ssl,
    received: Vec<u8>,
    /// The peer's close_notify arrived.
    closed: bool,
    /// `renegotiate_pending` was seen true at some point.
    saw_pending: bool,
}

impl SslPump {
    fn new(mut ssl: Ssl, sock: TcpStream) -> Self {
        sock.set_nonblocking(true).unwrap();
        sock.set_nodelay(true).unwrap();
        ssl.set_bio(oxssl::bio::SocketBio::new(sock));
        SslPump {
            ssl,
            received: Vec::new(),
            closed: false,
            saw_pending: false,
        }
    }

    /// A TLS 1.2 client for "localhost" trusting `pki`'s CA, presenting `identity` when
    /// asked.
    fn client(sock: TcpStream, pki: &Pki, identity: Option<&Pki>) -> Self {
        let mut b = SslContext::builder(SslMethod::tls()).unwrap();
        b.set_max_proto_version(Some(SslVersion::TLS1_2)).unwrap();
        b.add_trusted_der(&pki.ca_der).unwrap();
        b.set_verify(SslVerifyMode::PEER);
        if let Some(id) = identity {
            b.set_certificate_chain_der(vec![id.leaf_der.clone()])
                .unwrap();
            b.set_private_key_der(&id.key_der).unwrap();
        }
        let mut ssl = Ssl::new(&b.build()).unwrap();
        ssl.set_connect_state();
        ssl.set_hostname("localhost").unwrap();
        ssl.set_verify_hostname("localhost");
        Self::new(ssl, sock)
    }

    /// A TLS 1.2 server presenting `pki`'s leaf.
    fn server(sock: TcpStream, pki: &Pki, options: SslOptions) -> Self {
        let mut b = SslContext::builder(SslMethod::tls()).unwrap();
        b.set_max_proto_version(Some(SslVersion::TLS1_2)).unwrap();
        b.set_certificate_chain_der(vec![pki.leaf_der.clone()])
            .unwrap();
        b.set_private_key_der(&pki.key_der).unwrap();
        b.set_options(options);
        let mut ssl = Ssl::new(&b.build()).unwrap();
        ssl.set_accept_state();
        Self::new(ssl, sock)
    }

    fn fail(&self, what: &str, e: &oxssl::ssl::Error) -> String {
        format!(
            "oxssl {what}: code {:?}, reason {:?}: {e}",
            e.code(),
            e.reason_code()
        )
    }

    fn handshake(&mut self) -> Result<(), String> {
        let until = Instant::now() + DEADLINE;
        loop {
            match self.ssl.do_handshake() {
                Ok(()) => return Ok(()),
                Err(e) if matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE) => {}
                Err(e) => return Err(self.fail("handshake", &e)),
            }
            if Instant::now() > until {
                return Err("oxssl handshake timed out".into());
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Reads everything available.
    fn read_some(&mut self) -> Result<(), String> {
        let mut buf = [0u8; 16384];
        loop {
            self.saw_pending |= self.ssl.renegotiate_pending();
            match self.ssl.ssl_read(&mut buf) {
                Ok(n) => self.received.extend_from_slice(&buf[..n]),
                Err(e) if e.code() == ErrorCode::WANT_READ => return Ok(()),
                Err(e) if e.code() == ErrorCode::ZERO_RETURN => {
                    self.closed = true;
                    return Ok(());
                }
                Err(e) => return Err(self.fail("read", &e)),
            }
        }
    }

    /// One `ssl_write(data)`: true once written, false to retry later with the same slice.
    fn try_write(&mut self, data: &[u8]) -> Result<bool, String> {
        self.saw_pending |= self.ssl.renegotiate_pending();
        match self.ssl.ssl_write(data) {
            Ok(n) if n == data.len() => Ok(true),
            Ok(n) => Err(format!("short write {n} of {}", data.len())),
            Err(e) if matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE) => Ok(false),
            Err(e) => Err(self.fail("write", &e)),
        }
    }

    /// One step: the next queued line (if any) and whatever can be read. While a
    /// renegotiation is pending it only reads (which drives the new handshake): as in
    /// OpenSSL, a write that drives the handshake fails with UNEXPECTED_RECORD if the peer's
    /// data sent before it saw our ClientHello comes in, and only a read accepts that data.
    fn step(&mut self, queue: &mut std::collections::VecDeque<Vec<u8>>) -> Result<(), String> {
        self.saw_pending |= self.ssl.renegotiate_pending();
        if self.ssl.renegotiate_pending() {
            return self.read_some();
        }
        if let Some(line) = queue.front() {
            let line = line.clone();
            if self.try_write(&line)? {
                queue.pop_front();
            }
        }
        self.read_some()
    }

    fn client_random(&self) -> [u8; 32] {
        self.ssl
            .connection()
            .map(|c| c.negotiated().client_random)
            .unwrap_or_default()
    }

    /// Sends close_notify (one retry loop).
    fn close(&mut self) -> Result<(), String> {
        let until = Instant::now() + DEADLINE;
        loop {
            match self.ssl.shutdown() {
                Ok(_) => return Ok(()),
                Err(e) if matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE) => {}
                Err(e) => return Err(self.fail("shutdown", &e)),
            }
            if Instant::now() > until {
                return Err("oxssl shutdown timed out".into());
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// Numbered lines starting with a digit, so that no stdin line is an s_server / s_client
/// command letter.
fn numbered(prefix: &str, n: usize, width: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            let mut l = format!("{i:04} {prefix} ").into_bytes();
            l.extend((0..width).map(|j| b"abcdefghijklmnopqrstuvwxyz"[(i * 7 + j * 3) % 26]));
            l.push(b'\n');
            l
        })
        .collect()
}

/// `openssl s_server -tls1_2`: the oxssl client sends lines while s_server sends the
/// lines typed on its stdin; in the middle the `command` line (`r`: renegotiate, `R`:
/// renegotiate asking for a client certificate) goes to s_server's stdin. The oxssl client
/// follows transparently; all data arrives; the new handshake happened (the client random
/// changed).
fn run_s_server_renegotiation(command: &str) -> Result<(), String> {
    let with_cert = command == "R";
    let dir = TempDir::new();
    let pki = server_pki(KeyKind::EcdsaP256);
    let (ca, cert, key) = write_pki(&dir, "server", pki);
    let mut server = ChildGuard::spawn(&[
        "s_server",
        "-accept",
        "127.0.0.1:0",
        "-naccept",
        "1",
        "-cert",
        &cert,
        "-key",
        &key,
        "-CAfile",
        &ca,
        "-tls1_2",
        // An OpenSSL client, and oxssl's as OpenSSL, answers the HelloRequest with an
        // abbreviated handshake offering its session; without this option s_server would
        // resume it and ask for no certificate.
        "-no_resumption_on_reneg",
    ]);
    let accept = server.wait_line("ACCEPT", DEADLINE)?;
    let addr = accept.trim_start_matches("ACCEPT").trim().to_string();
    let sock = TcpStream::connect(&addr).map_err(|e| format!("connect {addr}: {e}"))?;
    let cli = client_pki();
    let mut c = SslPump::client(sock, pki, with_cert.then_some(&cli));
    let result = (|| {
        c.handshake()?;
        if c.ssl.version_str() != "TLSv1.2" {
            return Err(format!("negotiated {}", c.ssl.version_str()));
        }
        let first_random = c.client_random();
        let client_lines = numbered("from the oxssl client", 120, 80);
        let server_lines = numbered("from s_server", 60, 80);
        let server_text: Vec<u8> = server_lines.concat();
        let half = server_lines[..30].concat();
        let mut queue: std::collections::VecDeque<Vec<u8>> = client_lines.iter().cloned().collect();
        let until = Instant::now() + DEADLINE;
        let pump_until = |c: &mut SslPump,
                          queue: &mut std::collections::VecDeque<Vec<u8>>,
                          what: &str,
                          done: &dyn Fn(&SslPump, usize) -> bool|
         -> Result<(), String> {
            while !done(c, queue.len()) {
                if Instant::now() > until {
                    return Err(format!("timed out waiting for {what}"));
                }
                c.step(queue)?;
                std::thread::sleep(Duration::from_millis(1));
            }
            Ok(())
        };
        // First half each way.
        server.write_stdin(&half)?;
        pump_until(&mut c, &mut queue, "the first half", &|c, left| {
            c.received.len() >= half.len() && left <= 60
        })?;
        // The command, alone in its read (s_server looks at the first byte of a read).
        server.write_stdin(format!("{command}\n").as_bytes())?;
        server.wait_output("SSL_do_handshake -> 1", DEADLINE, || c.step(&mut queue))?;
        // The rest each way, while the renegotiation runs.
        server.write_stdin(&server_lines[30..].concat())?;
        let last = String::from_utf8(client_lines.last().unwrap().clone()).unwrap();
        pump_until(&mut c, &mut queue, "the rest", &|c, left| {
            left == 0 && c.received.len() >= server_text.len() && !c.ssl.renegotiate_pending()
        })?;
        server.wait_output(&last, DEADLINE, || c.read_some())?;
        if c.received != server_text {
            return Err(format!(
                "the oxssl client received {} bytes, not the {} s_server sent",
                c.received.len(),
                server_text.len()
            ));
        }
        // A new client random means a new handshake ran. (`renegotiate_pending` is only
        // sampled between calls; a fast server lets the whole renegotiation finish inside
        // one `ssl_read`, so it may never be seen true.)
        if c.client_random() == first_random {
            return Err(format!(
                "no renegotiation seen by oxssl (pending seen: {})",
                c.saw_pending
            ));
        }
        let output = server.output();
        for l in &client_lines {
            let l = String::from_utf8_lossy(l);
            if !output.contains(l.as_ref()) {
                return Err(format!("s_server did not print {l:?}"));
            }
        }
        if with_cert
            && !(output.contains("depth=0 CN = client.example")
                && output.contains("verify return:1"))
        {
            return Err("s_server did not verify the client certificate".into());
        }
        c.close()
    })();
    drop(c);
    server.close_stdin();
    let (_, output) = server.finish(Duration::from_secs(5));
    result.map_err(|e| format!("{e}\n--- s_server output:\n{output}"))
}

#[test]
fn cli_s_server_renegotiates_oxssl_client_mid_transfer() {
    if !have_openssl() {
        return;
    }
    run_s_server_renegotiation("r").unwrap();
}

#[test]
fn cli_s_server_renegotiates_asking_oxssl_client_for_certificate() {
    if !have_openssl() {
        return;
    }
    run_s_server_renegotiation("R").unwrap();
}

/// What the oxssl server of the s_client case saw.
struct RenegServerSaw {
    received: Vec<u8>,
    renegotiated: bool,
    /// The error that ended the connection, if not close_notify.
    error: Option<String>,
}

/// The oxssl server for s_client: sends `lines[..half]` at once, the rest after the
/// renegotiation (once the client random changed), and reads until close_notify or an
/// error. `progress` tracks the bytes received.
fn serve_renegotiation(
    listener: TcpListener,
    options: SslOptions,
    lines: Vec<Vec<u8>>,
    progress: Arc<Mutex<usize>>,
) -> Result<RenegServerSaw, String> {
    listener.set_nonblocking(true).unwrap();
    let until = Instant::now() + DEADLINE;
    let sock = loop {
        match listener.accept() {
            Ok((s, _)) => break s,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && Instant::now() < until => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(e) => return Err(format!("accept: {e}")),
        }
    };
    let mut s = SslPump::server(sock, server_pki(KeyKind::EcdsaP256), options);
    s.handshake()?;
    let first_random = s.client_random();
    let renegotiated =
        |s: &SslPump| s.client_random() != first_random && !s.ssl.renegotiate_pending();
    let half = lines.len() / 2;
    let mut queue: std::collections::VecDeque<Vec<u8>> = lines[..half].iter().cloned().collect();
    let mut rest = Some(lines[half..].to_vec());
    let until = Instant::now() + 2 * DEADLINE;
    let error = loop {
        if let Err(e) = s.step(&mut queue) {
            break Some(e);
        }
        *progress.lock().unwrap() = s.received.len();
        if renegotiated(&s) {
            if let Some(r) = rest.take() {
                queue.extend(r);
            }
        }
        if s.closed {
            break None;
        }
        if Instant::now() > until {
            return Err("oxssl server: no close_notify before the deadline".into());
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    Ok(RenegServerSaw {
        received: s.received.clone(),
        renegotiated: renegotiated(&s),
        error,
    })
}

/// `openssl s_client -tls1_2` sends the lines typed on its stdin and, in the middle, the
/// `R` command (client-initiated renegotiation) to an oxssl server. With
/// ALLOW_CLIENT_RENEGOTIATION it completes and the transfer goes on both ways; by default
/// oxssl refuses with a no_renegotiation warning and s_client fails with
/// NO_RENEGOTIATION (0A000153, "no renegotiation").
fn run_s_client_renegotiation(allow: bool) -> Result<(), String> {
    let dir = TempDir::new();
    let pki = server_pki(KeyKind::EcdsaP256);
    let (ca, _, _) = write_pki(&dir, "server", pki);
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    let addr = listener.local_addr().unwrap().to_string();
    let server_lines = numbered("from the oxssl server", 40, 80);
    let progress = Arc::new(Mutex::new(0usize));
    let options = if allow {
        SslOptions::ALLOW_CLIENT_RENEGOTIATION
    } else {
        SslOptions::empty()
    };
    let server = {
        let (lines, progress) = (server_lines.clone(), progress.clone());
        std::thread::spawn(move || serve_renegotiation(listener, options, lines, progress))
    };
    // No -ign_eof: it would turn the stdin commands off.
    let mut client = ChildGuard::spawn(&[
        "s_client",
        "-connect",
        &addr,
        "-servername",
        "localhost",
        "-CAfile",
        &ca,
        "-verify_return_error",
        "-verify_hostname",
        "localhost",
        "-tls1_2",
    ]);
    let client_lines = numbered("from s_client", 60, 80);
    let first: Vec<u8> = client_lines[..30].concat();
    let all: Vec<u8> = client_lines.concat();
    let received = |n: usize| {
        let until = Instant::now() + DEADLINE;
        while *progress.lock().unwrap() < n {
            if Instant::now() > until {
                return Err(format!("the oxssl server did not receive {n} bytes"));
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        Ok(())
    };
    let script = (|| {
        client.write_stdin(&first)?;
        received(first.len())?;
        // Nothing of the server's first half may still be in flight when s_client starts
        // its renegotiation (OpenSSL's write path would fail with UNEXPECTED_RECORD).
        let last_first =
            String::from_utf8(server_lines[server_lines.len() / 2 - 1].clone()).unwrap();
        client.wait_output(&last_first, DEADLINE, || Ok(()))?;
        client.write_stdin(b"R\n")?;
        client.wait_output("RENEGOTIATING", DEADLINE, || Ok(()))?;
        if !allow {
            client.wait_output("no renegotiation", DEADLINE, || Ok(()))?;
            return Ok(());
        }
        client.write_stdin(&client_lines[30..].concat())?;
        received(all.len())?;
        // Wait for the server's second half before ending s_client with EOF.
        let last = String::from_utf8(server_lines.last().unwrap().clone()).unwrap();
        client.wait_output(&last, DEADLINE, || Ok(()))
    })();
    client.close_stdin();
    let (status, output) = client.finish(DEADLINE);
    let saw = server
        .join()
        .map_err(|_| "oxssl server thread panicked".to_string())?;
    let with_output = |e: String| format!("{e}\n--- s_client output:\n{output}");
    script.map_err(with_output)?;
    let saw = saw.map_err(with_output)?;
    if !output.contains("Verify return code: 0 (ok)") {
        return Err(with_output("s_client did not verify the server".into()));
    }
    if allow {
        if let Some(e) = &saw.error {
            return Err(with_output(format!("oxssl server failed: {e}")));
        }
        if saw.received != all || !saw.renegotiated {
            return Err(with_output(format!(
                "oxssl server received {} of {} bytes; renegotiated: {}",
                saw.received.len(),
                all.len(),
                saw.renegotiated
            )));
        }
        for l in &server_lines {
            let l = String::from_utf8_lossy(l);
            if !output.contains(l.as_ref()) {
                return Err(with_output(format!("s_client did not print {l:?}")));
            }
        }
        if output.contains(":error:") || status != Some(true) {
            return Err(with_output(format!("s_client failed: exit {status:?}")));
        }
    } else {
        // s_client: 0A000153 (reason 339), exit status 1; oxssl: the fatal
        // handshake_failure alert s_client sends after the refusal.
        if !output.contains("0A000153") || status != Some(false) {
            return Err(with_output(format!(
                "expected s_client to fail with 0A000153 (exit {status:?})"
            )));
        }
        match &saw.error {
            Some(e) if e.contains("1040") || e.contains("SSLV3_ALERT_HANDSHAKE_FAILURE") => {}
            other => {
                return Err(with_output(format!(
                    "oxssl server should have read the fatal handshake_failure, got {other:?}"
                )))
            }
        }
        if saw.received != first || saw.renegotiated {
            return Err(with_output(format!(
                "oxssl server received {} bytes (want {}), renegotiated: {}",
                saw.received.len(),
                first.len(),
                saw.renegotiated
            )));
        }
    }
    Ok(())
}

#[test]
fn cli_s_client_renegotiates_with_oxssl_server_allowing_it() {
    if !have_openssl() {
        return;
    }
    run_s_client_renegotiation(true).unwrap();
}

#[test]
fn cli_s_client_renegotiation_refused_by_default_oxssl_server() {
    if !have_openssl() {
        return;
    }
    run_s_client_renegotiation(false).unwrap();
}
