//! The `oxssl` tool against the `openssl` command-line tool over loopback (TLS 1.2 and
//! 1.3, renegotiation and KeyUpdate from stdin, client certificates), its `-rev` and
//! `-www` services, `verify`, and one-line errors. Skipped with a notice when the
//! openssl tool is missing.
mod support;

use std::path::Path;
use std::time::Duration;
use support::{free_port, Proc, TempDir};

const OPENSSL: &str = "/usr/bin/openssl";
const OXSSL: &str = env!("CARGO_BIN_EXE_oxssl");
const T: Duration = Duration::from_secs(10);

fn have_openssl() -> bool {
    let ok = Path::new(OPENSSL).exists();
    if !ok {
        eprintln!("NOTICE: {OPENSSL} not found; skipping");
    }
    ok
}

/// A self-signed P-256 certificate for localhost: (dir, cert path, key path).
fn identity() -> (TempDir, String, String) {
    let dir = TempDir::new("id");
    let (cert, key) = (dir.path("cert.pem"), dir.path("key.pem"));
    let st = std::process::Command::new(OPENSSL)
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &cert,
            "-subj",
            "/CN=localhost",
            "-days",
            "2",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    (dir, cert, key)
}

/// Starts `oxssl s_server` on a free port; returns it and the port.
fn oxssl_server(args: &[&str]) -> (Proc, u16) {
    let mut all = vec!["s_server", "-accept", "127.0.0.1:0"];
    all.extend_from_slice(args);
    let p = Proc::spawn(OXSSL, &all);
    let line = p.wait_for("ACCEPT", T);
    let port = line.rsplit(' ').next().unwrap().parse().unwrap();
    (p, port)
}

#[test]
fn oxssl_client_against_openssl_server() {
    if !have_openssl() {
        return;
    }
    let (_dir, cert, key) = identity();
    for (version, command, says) in [
        ("-tls1_2", "R", "RENEGOTIATING"),
        ("-tls1_3", "K", "KEYUPDATE"),
    ] {
        let port = free_port().to_string();
        let mut server = Proc::spawn(
            OPENSSL,
            &[
                "s_server",
                "-accept",
                &port,
                "-cert",
                &cert,
                "-key",
                &key,
                version,
                "-naccept",
                "1",
                "-client_renegotiation",
            ],
        );
        server.wait_for("ACCEPT", T);
        let connect = format!("127.0.0.1:{port}");
        let mut client = Proc::spawn(
            OXSSL,
            &[
                "s_client",
                "-connect",
                &connect,
                "-CAfile",
                &cert,
                "-verify_return_error",
                "-brief",
                version,
            ],
        );
        client.wait_for("CONNECTION ESTABLISHED", T);
        let proto = client.wait_for("Protocol version", T);
        assert!(
            proto.ends_with(&version[1..].replace("tls1_", "TLSv1.")),
            "{proto}"
        );
        client.send("hello over the wire\n");
        server.wait_for("hello over the wire", T);
        client.send(&format!("{command}\n"));
        client.wait_for(says, T);
        client.send("after the update\n");
        server.wait_for("after the update", T);
        // Data the other way, then Q.
        server.send("from openssl\n");
        client.wait_for("from openssl", T);
        client.send("Q\n");
        let (code, out) = client.finish(T);
        assert_eq!(code, Some(0), "{out}");
        let (_, sout) = server.finish(T);
        assert!(!sout.contains(":error:"), "{sout}");
    }
}

#[test]
fn openssl_client_against_oxssl_server() {
    if !have_openssl() {
        return;
    }
    let (_dir, cert, key) = identity();
    // (version, who renegotiates or updates keys: the client's R / the server's R or K).
    // One per connection: openssl s_client 3.0 stops reading its stdin after it took part
    // in two renegotiations, whoever the server is.
    for (version, client_cmd, server_cmd) in [
        ("-tls1_2", Some("R"), None),
        ("-tls1_2", None, Some("R")),
        ("-tls1_3", None, Some("K")),
    ] {
        let (mut server, port) = oxssl_server(&[
            "-cert",
            &cert,
            "-key",
            &key,
            version,
            "-naccept",
            "1",
            "-client_renegotiation",
        ]);
        let connect = format!("127.0.0.1:{port}");
        let mut client = Proc::spawn(
            OPENSSL,
            &[
                "s_client",
                "-connect",
                &connect,
                "-CAfile",
                &cert,
                "-verify_return_error",
                version,
            ],
        );
        client.wait_for("Verify return code: 0", T);
        client.send("ping from openssl\n");
        server.wait_for("ping from openssl", T);
        if let Some(cmd) = client_cmd {
            client.send(&format!("{cmd}\n"));
            client.wait_for("RENEGOTIATING", T);
            client.send("after renegotiation\n");
            server.wait_for("after renegotiation", T);
        }
        if let Some(cmd) = server_cmd {
            server.send(&format!("{cmd}\n"));
            server.wait_for(" -> true", T);
        }
        server.send("pong from oxssl\n");
        client.wait_for("pong from oxssl", T);
        if server_cmd == Some("R") {
            // The client answers the HelloRequest in its reads; only then may it write
            // again (openssl s_client loses a write made while its renegotiation runs).
            server.wait_for("RENEGOTIATION DONE", T);
        } else {
            client.send("ping again\n");
            server.wait_for("ping again", T);
        }
        client.close_stdin();
        if server_cmd == Some("R") {
            // After a renegotiation openssl s_client (3.0) no longer acts on the end of
            // its input; stop it, which the server sees as the peer going away.
            client.finish(Duration::from_millis(500));
        }
        let (code, out) = server.finish(T);
        assert_eq!(code, Some(0), "{out}");
        let want = format!("New, {}", &version[1..].replace("tls1_", "TLSv1."));
        assert!(out.contains(&want), "{out}");
        let (_, cout) = client.finish(T);
        assert!(!cout.contains(":error:"), "{cout}");
    }
}

#[test]
fn client_certificates_both_ways() {
    if !have_openssl() {
        return;
    }
    let (_dir, cert, key) = identity();
    // openssl s_client presents a certificate to an oxssl server that requires one.
    let (mut server, port) = oxssl_server(&[
        "-cert", &cert, "-key", &key, "-Verify", "1", "-CAfile", &cert, "-naccept", "1",
    ]);
    let connect = format!("127.0.0.1:{port}");
    let mut client = Proc::spawn(
        OPENSSL,
        &[
            "s_client", "-connect", &connect, "-CAfile", &cert, "-cert", &cert, "-key", &key,
        ],
    );
    client.wait_for("Verify return code: 0", T);
    let subject = server.wait_for(" 0 s:", T);
    assert!(subject.contains("CN = localhost"), "{subject}");
    client.close_stdin();
    server.finish(T);
    // Without one, the oxssl server refuses the client (and keeps no connection).
    let (mut server, port) = oxssl_server(&[
        "-cert", &cert, "-key", &key, "-Verify", "1", "-CAfile", &cert, "-naccept", "1",
    ]);
    let connect = format!("127.0.0.1:{port}");
    let mut client = Proc::spawn(
        OPENSSL,
        &["s_client", "-connect", &connect, "-CAfile", &cert],
    );
    client.close_stdin();
    server.wait_for("handshake failed", T);
    client.finish(T);
    server.finish(T);
    // oxssl s_client presents one to an openssl server that requires it.
    let port = free_port().to_string();
    let mut server = Proc::spawn(
        OPENSSL,
        &[
            "s_server", "-accept", &port, "-cert", &cert, "-key", &key, "-Verify", "1", "-CAfile",
            &cert, "-naccept", "1",
        ],
    );
    server.wait_for("ACCEPT", T);
    let connect = format!("127.0.0.1:{port}");
    let mut client = Proc::spawn(
        OXSSL,
        &[
            "s_client", "-connect", &connect, "-CAfile", &cert, "-cert", &cert, "-key", &key,
            "-brief",
        ],
    );
    client.wait_for("CONNECTION ESTABLISHED", T);
    client.send("Q\n");
    client.finish(T);
    let (_, out) = server.finish(T);
    assert!(
        out.contains("CN = localhost") || out.contains("CN=localhost"),
        "{out}"
    );
}

#[test]
fn rev_through_pipes_and_a_garbage_client() {
    let (_dir, cert, key) = if have_openssl() { identity() } else { return };
    let (mut server, port) = oxssl_server(&[
        "-cert", &cert, "-key", &key, "-rev", "-naccept", "2", "-quiet",
    ]);
    // A client that sends garbage instead of a ClientHello ...
    {
        use std::io::Write;
        let mut raw = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        raw.write_all(b"\x16\x03\x01\x00\x05hello, this is not TLS")
            .unwrap();
    }
    // ... does not stop the server from serving the next one, driven through pipes.
    let connect = format!("127.0.0.1:{port}");
    let mut client = Proc::spawn(
        OXSSL,
        &["s_client", "-connect", &connect, "-CAfile", &cert, "-quiet"],
    );
    client.send("stressed\n");
    client.wait_for("desserts", T);
    client.send("oxssl\n");
    client.wait_for("lssxo", T);
    client.send("Q\n");
    let (code, out) = client.finish(T);
    assert_eq!(code, Some(0), "{out}");
    let (code, _) = server.finish(T);
    assert_eq!(code, Some(0));
}

#[test]
fn www_status_page() {
    if !have_openssl() {
        return;
    }
    let (_dir, cert, key) = identity();
    for version in ["-tls1_2", "-tls1_3"] {
        let (mut server, port) =
            oxssl_server(&["-cert", &cert, "-key", &key, "-www", "-naccept", "1"]);
        let connect = format!("127.0.0.1:{port}");
        let mut client = Proc::spawn(
            OPENSSL,
            &[
                "s_client", "-connect", &connect, "-CAfile", &cert, "-quiet", version,
            ],
        );
        client.send("GET / HTTP/1.0\r\n\r\n");
        client.wait_for("HTTP/1.0 200 ok", T);
        let line = client.wait_for("Cipher is", T);
        assert!(
            line.contains(&version[1..].replace("tls1_", "TLSv1.")),
            "{line}"
        );
        client.finish(T);
        server.finish(T);
    }
}

#[test]
fn verify_command() {
    if !have_openssl() {
        return;
    }
    let (_dir, cert, _) = identity();
    let mut ok = Proc::spawn(OXSSL, &["verify", "-CAfile", &cert, &cert]);
    let (code, out) = ok.finish(T);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains(": OK"), "{out}");
    let mut bad = Proc::spawn(OXSSL, &["verify", &cert]);
    let (code, out) = bad.finish(T);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("error 18 at 0 depth lookup: self-signed certificate"),
        "{out}"
    );
    let mut host = Proc::spawn(
        OXSSL,
        &[
            "verify",
            "-CAfile",
            &cert,
            "-verify_hostname",
            "example.com",
            &cert,
        ],
    );
    let (code, out) = host.finish(T);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("error 62"), "{out}");
}

#[test]
fn errors_are_one_line_with_a_nonzero_exit() {
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "s_server",
                "-accept",
                "127.0.0.1:0",
                "-cert",
                "/nonexistent/cert.pem",
            ],
            "/nonexistent/cert.pem",
        ),
        (&["s_client", "-connect", "127.0.0.1:1"], "connect"),
        (&["verify", "/nonexistent.pem"], "/nonexistent.pem"),
        (&["ciphers", "RC4-MD5"], "no cipher match"),
    ];
    for (args, needle) in cases {
        let mut p = Proc::spawn(OXSSL, args);
        let (code, out) = p.finish(T);
        assert_eq!(code, Some(1), "{args:?}: {out}");
        assert_eq!(out.lines().count(), 1, "{args:?}: {out}");
        assert!(out.contains(needle), "{args:?}: {out}");
        assert!(!out.contains("panicked"), "{out}");
    }
    // A port in use.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let mut p = Proc::spawn(OXSSL, &["s_server", "-accept", &addr]);
    let (code, out) = p.finish(T);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("bind"), "{out}");
    // An unknown flag: clap's usage error, exit 2.
    let mut p = Proc::spawn(OXSSL, &["s_client", "-bogus"]);
    let (code, _) = p.finish(T);
    assert_eq!(code, Some(2));
}

/// `oxssl demo` tells every step of the SSL_write story with the codes OpenSSL gives.
#[test]
fn demo_shows_every_step() {
    let started = std::time::Instant::now();
    let mut p = Proc::spawn(OXSSL, &["demo"]);
    let (code, out) = p.finish(Duration::from_secs(120));
    assert_eq!(code, Some(0), "{out}");
    let expected = [
        "SSL_write(\"hello\", 5) = 5",
        "negotiated TLSv1.3",
        "SSL_write(1 MiB) = 1048576",
        "SSL_write(buf, 40000) = -1, SSL_ERROR_WANT_WRITE",
        "our write guarantee 0",
        "SSL_write(buf, 40000) = 40000",
        "SSL_write(buf + 0, 40000) = 16384",
        "SSL_write(buf + 16384, 23616) = 16384",
        "SSL_write(buf + 32768, 7232) = 7232",
        "reason 127 (bad write retry)",
        "the next SSL_write(buf) = -1, SSL_ERROR_SYSCALL",
        "with ACCEPT_MOVING_WRITE_BUFFER: SSL_write(buf) = -1, SSL_ERROR_WANT_WRITE, then SSL_write(copy of buf) = 40000",
        "peer read 1048576 bytes",
        "SSL_renegotiate() = 1, SSL_write(\"ping\") = 4",
        "renegotiate_pending = 1",
        "client: SSL_write(buf, 40000) = -1, SSL_ERROR_WANT_READ",
        "renegotiation done inside the write (pending = 0)",
        "SSL_key_update(REQUESTED) = 1, SSL_write(7) = 7",
        "peer's next SSL_write(3) = 3",
        "SSL_shutdown() = 0",
        "SSL_read = -1, SSL_ERROR_ZERO_RETURN",
        "MiB echoed through TLS 1.3",
    ];
    for e in expected {
        assert!(out.contains(e), "missing {e:?} in:\n{out}");
    }
    // Piped output has no colour codes.
    assert!(!out.contains('\x1b'));
    assert!(started.elapsed() < Duration::from_secs(120));
}

/// Real clients against `oxssl s_server -www`: curl (TLS 1.2 and 1.3) and Python's ssl.
#[test]
fn real_clients_against_www() {
    if !have_openssl() {
        return;
    }
    let (_dir, cert, key) = identity();
    let (mut server, port) = oxssl_server(&[
        "-cert", &cert, "-key", &key, "-www", "-naccept", "3", "-quiet",
    ]);
    let url = format!("https://localhost:{port}/");
    let mut clients = 0;
    if Path::new("/usr/bin/curl").exists() {
        for (flags, version) in [
            (["--tlsv1.2", "--tls-max", "1.2"], "TLSv1.2"),
            (["--tlsv1.3", "--tls-max", "1.3"], "TLSv1.3"),
        ] {
            let resolve = format!("localhost:{port}:127.0.0.1");
            let mut args = vec![
                "-sS",
                "--max-time",
                "10",
                "--cacert",
                &cert,
                "--resolve",
                &resolve,
            ];
            args.extend_from_slice(&flags);
            args.push(&url);
            let mut curl = Proc::spawn("/usr/bin/curl", &args);
            let (code, out) = curl.finish(T);
            assert_eq!(code, Some(0), "curl {version}: {out}");
            assert!(out.contains(&format!("New, {version}, Cipher is")), "{out}");
            clients += 1;
        }
    } else {
        eprintln!("NOTICE: curl not found; skipping the curl client");
    }
    let script = format!(
        "import ssl, socket\n\
         ctx = ssl.create_default_context(cafile={cert:?})\n\
         with socket.create_connection(('127.0.0.1', {port}), timeout=10) as raw:\n\
         \x20   with ctx.wrap_socket(raw, server_hostname='localhost') as s:\n\
         \x20       s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')\n\
         \x20       data = b''\n\
         \x20       while True:\n\
         \x20           chunk = s.recv(65536)\n\
         \x20           if not chunk: break\n\
         \x20           data += chunk\n\
         \x20       print(s.version(), s.cipher()[0])\n\
         \x20       print(data.decode())\n"
    );
    match std::process::Command::new("python3")
        .arg("--version")
        .output()
    {
        Ok(_) => {
            let mut py = Proc::spawn("python3", &["-c", &script]);
            let (code, out) = py.finish(T);
            assert_eq!(code, Some(0), "python: {out}");
            assert!(
                out.contains("HTTP/1.0 200 ok") && out.contains("TLSv1.3"),
                "{out}"
            );
            clients += 1;
        }
        Err(_) => eprintln!("NOTICE: python3 not found; skipping the Python client"),
    }
    if clients < 3 {
        // Let the server finish its naccept count.
        for _ in clients..3 {
            let _ = std::net::TcpStream::connect(("127.0.0.1", port));
        }
    }
    server.finish(T);
}

/// `oxssl s_client` against `gnutls-serv --echo` when GnuTLS's tools are installed.
#[test]
fn oxssl_client_against_gnutls_server() {
    let gnutls = "/usr/bin/gnutls-serv";
    if !Path::new(gnutls).exists() || !have_openssl() {
        eprintln!("NOTICE: {gnutls} not found; skipping the GnuTLS server");
        return;
    }
    let (_dir, cert, key) = identity();
    for version in ["-tls1_2", "-tls1_3"] {
        let port = free_port().to_string();
        let server = Proc::spawn(
            gnutls,
            &[
                "--echo",
                "-p",
                &port,
                "--x509certfile",
                &cert,
                "--x509keyfile",
                &key,
            ],
        );
        server.wait_for("listening", T);
        let connect = format!("127.0.0.1:{port}");
        let mut client = Proc::spawn(
            OXSSL,
            &[
                "s_client",
                "-connect",
                &connect,
                "-CAfile",
                &cert,
                "-verify_return_error",
                "-brief",
                version,
            ],
        );
        client.wait_for("CONNECTION ESTABLISHED", T);
        client.send("echo me\n");
        client.wait_for("echo me", T);
        client.send("Q\n");
        let (code, out) = client.finish(T);
        assert_eq!(code, Some(0), "{out}");
    }
}

/// `oxssl speed -json` measures the suites asked for (both versions) and handshakes.
#[test]
fn speed_reports_each_suite() {
    let mut p = Proc::spawn(
        OXSSL,
        &[
            "speed",
            "-seconds",
            "1",
            "-json",
            "TLS_AES_128_GCM_SHA256",
            "ECDHE-ECDSA-CHACHA20-POLY1305",
        ],
    );
    let (code, out) = p.finish(Duration::from_secs(60));
    assert_eq!(code, Some(0), "{out}");
    for test in [
        "bulk TLS_AES_128_GCM_SHA256",
        "bulk ECDHE-ECDSA-CHACHA20-POLY1305",
        "handshakes TLS_AES_128_GCM_SHA256",
        "handshakes ECDHE-ECDSA-CHACHA20-POLY1305",
    ] {
        let line = out
            .lines()
            .find(|l| l.contains(&format!("\"{test}\"")))
            .unwrap_or_else(|| panic!("no {test} in {out}"));
        let value: f64 = line
            .split("\"value\": ")
            .nth(1)
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.parse().ok())
            .unwrap();
        assert!(value > 0.0, "{line}");
    }
    let mut p = Proc::spawn(OXSSL, &["speed", "NOT-A-SUITE"]);
    let (code, out) = p.finish(T);
    assert_eq!(code, Some(1), "{out}");
}

/// `-nbio` drives the same session over a non-blocking socket.
#[test]
fn nbio_client() {
    let (_dir, cert, key) = if have_openssl() { identity() } else { return };
    let (mut server, port) = oxssl_server(&[
        "-cert", &cert, "-key", &key, "-rev", "-naccept", "1", "-quiet",
    ]);
    let connect = format!("127.0.0.1:{port}");
    let mut client = Proc::spawn(
        OXSSL,
        &[
            "s_client", "-connect", &connect, "-CAfile", &cert, "-nbio", "-brief",
        ],
    );
    client.wait_for("Turned on non-blocking io", T);
    client.wait_for("CONNECTION ESTABLISHED", T);
    client.send("non-blocking\n");
    client.wait_for("gnikcolb-non", T);
    client.send("Q\n");
    let (code, out) = client.finish(T);
    assert_eq!(code, Some(0), "{out}");
    server.finish(T);
}

/// `-WWW` serves files below the current directory and nothing outside it.
#[test]
fn www_files_without_path_escapes() {
    if !have_openssl() {
        return;
    }
    let (dir, cert, key) = identity();
    std::fs::write(dir.0.join("hello.txt"), "file served over TLS\n").unwrap();
    let mut server = Proc::spawn_in(
        &dir.0,
        OXSSL,
        &[
            "s_server",
            "-accept",
            "127.0.0.1:0",
            "-cert",
            &cert,
            "-key",
            &key,
            "-WWW",
            "-naccept",
            "2",
        ],
    );
    let port: u16 = server
        .wait_for("ACCEPT", T)
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let connect = format!("127.0.0.1:{port}");
    for (path, want) in [
        ("/hello.txt", "file served over TLS"),
        ("/../etc/passwd", "404"),
    ] {
        let mut client = Proc::spawn(
            OPENSSL,
            &["s_client", "-connect", &connect, "-CAfile", &cert, "-quiet"],
        );
        client.send(&format!("GET {path} HTTP/1.0\r\n\r\n"));
        client.wait_for(want, T);
        let (_, out) = client.finish(T);
        assert!(!out.contains("root:"), "{out}");
    }
    server.finish(T);
}

/// `-msg` and `-state` print every handshake message and state as OpenSSL's tools do.
#[test]
fn msg_and_state_traces() {
    let (_dir, cert, key) = if have_openssl() { identity() } else { return };
    for (version, expect) in [
        (
            "-tls1_2",
            &[
                "<<< TLS 1.2, Handshake [length",
                "ServerKeyExchange",
                ">>> TLS 1.2, ChangeCipherSpec [length 0001]",
                "SSL_connect:SSLv3/TLS read server done",
            ][..],
        ),
        (
            "-tls1_3",
            &[
                "<<< TLS 1.3, Handshake [length",
                "EncryptedExtensions",
                "CertificateVerify",
                "SSL_connect:TLSv1.3 read finished",
            ][..],
        ),
    ] {
        let (mut server, port) = oxssl_server(&[
            "-cert", &cert, "-key", &key, "-rev", "-naccept", "1", "-quiet",
        ]);
        let connect = format!("127.0.0.1:{port}");
        let mut client = Proc::spawn(
            OXSSL,
            &[
                "s_client", "-connect", &connect, "-CAfile", &cert, "-msg", "-state", "-quiet",
                version,
            ],
        );
        client.wait_for("SSL_connect:SSL negotiation finished successfully", T);
        client.send("Q\n");
        let (code, out) = client.finish(T);
        assert_eq!(code, Some(0), "{out}");
        assert!(out.contains(">>> TLS 1.2, Handshake [length"), "{out}");
        assert!(out.contains("ClientHello"), "{out}");
        for e in expect {
            assert!(out.contains(e), "missing {e:?}:\n{out}");
        }
        server.finish(T);
    }
}

/// A second certificate of another key type (`-dcert`) and a certificate per server name
/// (`-servername` / `-cert2`), chosen as openssl s_client asks.
#[test]
fn dual_certificates_and_sni() {
    if !have_openssl() {
        return;
    }
    let (_d1, ec_cert, ec_key) = identity();
    // An RSA identity for "other.test" (also usable as -dcert for localhost clients).
    let dir = TempDir::new("rsa");
    let (rsa_cert, rsa_key) = (dir.path("rsa.pem"), dir.path("rsa-key.pem"));
    let st = std::process::Command::new(OPENSSL)
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &rsa_key,
            "-out",
            &rsa_cert,
            "-subj",
            "/CN=other.test",
            "-days",
            "2",
            "-addext",
            "subjectAltName=DNS:other.test,DNS:localhost",
        ])
        .output()
        .unwrap();
    assert!(st.status.success());
    // -dcert: an ECDHE-RSA-only client gets the RSA certificate, an ECDSA one the other.
    let (mut server, port) = oxssl_server(&[
        "-cert", &ec_cert, "-key", &ec_key, "-dcert", &rsa_cert, "-dkey", &rsa_key, "-www",
        "-naccept", "2", "-tls1_2",
    ]);
    let connect = format!("127.0.0.1:{port}");
    for (cipher, subject) in [
        ("ECDHE-RSA-AES128-GCM-SHA256", "CN = other.test"),
        ("ECDHE-ECDSA-AES128-GCM-SHA256", "CN = localhost"),
    ] {
        let mut client = Proc::spawn(
            OPENSSL,
            &[
                "s_client",
                "-connect",
                &connect,
                "-cipher",
                cipher,
                "-tls1_2",
                "-servername",
                "localhost",
            ],
        );
        client.send("GET / HTTP/1.0\r\n\r\n");
        let line = client.wait_for("subject=", T);
        assert!(line.contains(subject), "{cipher}: {line}");
        client.finish(T);
    }
    server.finish(T);
    // -servername: "other.test" gets -cert2, "localhost" the default, in TLS 1.3.
    let (mut server, port) = oxssl_server(&[
        "-cert",
        &ec_cert,
        "-key",
        &ec_key,
        "-servername",
        "other.test",
        "-cert2",
        &rsa_cert,
        "-key2",
        &rsa_key,
        "-www",
        "-naccept",
        "2",
    ]);
    let connect = format!("127.0.0.1:{port}");
    for (name, subject) in [
        ("other.test", "CN = other.test"),
        ("localhost", "CN = localhost"),
    ] {
        let mut client = Proc::spawn(
            OPENSSL,
            &["s_client", "-connect", &connect, "-servername", name],
        );
        client.send("GET / HTTP/1.0\r\n\r\n");
        let line = client.wait_for("subject=", T);
        assert!(line.contains(subject), "{name}: {line}");
        client.finish(T);
    }
    server.finish(T);
}

/// Starts `openssl s_server` (TLS 1.2 and 1.3) on a free port with stdin kept open.
fn openssl_server(cert: &str, key: &str) -> (Proc, String) {
    let port = free_port().to_string();
    let server = Proc::spawn(
        OPENSSL,
        &["s_server", "-accept", &port, "-cert", cert, "-key", key],
    );
    server.wait_for("ACCEPT", T);
    (server, format!("127.0.0.1:{port}"))
}

/// One client run to completion: it sends a line (so a TLS 1.3 client reads the tickets
/// that follow the handshake), waits a moment and ends; returns its output.
fn client_run(program: &str, args: &[&str]) -> String {
    let mut c = Proc::spawn(program, args);
    c.wait_for("Verify return code", T);
    c.send("hello\n");
    std::thread::sleep(Duration::from_millis(300));
    c.close_stdin();
    let (_, out) = c.finish(T);
    out
}

fn count(out: &str, needle: &str) -> usize {
    out.matches(needle).count()
}

#[test]
fn session_resumption_with_openssl_tools() {
    if !have_openssl() {
        return;
    }
    let (dir, cert, key) = identity();

    // openssl s_client -reconnect against oxssl s_server (TLS 1.2: openssl s_client 3.0
    // drops each TLS 1.3 connection before reading its tickets, so it never resumes a
    // TLS 1.3 session this way, whoever the server is).
    let (mut server, port) = oxssl_server(&["-cert", &cert, "-key", &key]);
    let connect = format!("127.0.0.1:{port}");
    let out = client_run(
        OPENSSL,
        &[
            "s_client",
            "-connect",
            &connect,
            "-CAfile",
            &cert,
            "-tls1_2",
            "-reconnect",
        ],
    );
    assert_eq!(count(&out, "Reused, TLSv1.2"), 5, "{out}");
    // openssl s_client -sess_out / -sess_in against oxssl s_server, both versions.
    for v in ["-tls1_3", "-tls1_2"] {
        let sess = dir.path(&format!("openssl{v}.pem"));
        let first = client_run(
            OPENSSL,
            &[
                "s_client",
                "-connect",
                &connect,
                "-CAfile",
                &cert,
                v,
                "-sess_out",
                &sess,
            ],
        );
        assert!(first.contains("New, TLSv1."), "{first}");
        let second = client_run(
            OPENSSL,
            &[
                "s_client", "-connect", &connect, "-CAfile", &cert, v, "-sess_in", &sess,
            ],
        );
        assert!(second.contains("Reused, TLSv1."), "{v}: {second}");
    }
    server.close_stdin();
    let (_, sout) = server.finish(T);
    assert!(count(&sout, "Reused, TLSv1.") >= 7, "{sout}");

    // oxssl s_client -reconnect and -sess_out / -sess_in against openssl s_server.
    let (mut server, connect) = openssl_server(&cert, &key);
    for v in ["-tls1_3", "-tls1_2"] {
        let out = client_run(
            OXSSL,
            &[
                "s_client",
                "-connect",
                &connect,
                "-CAfile",
                &cert,
                v,
                "-reconnect",
            ],
        );
        assert_eq!(
            count(&out, "drop connection and then reconnect"),
            5,
            "{out}"
        );
        assert_eq!(count(&out, "Reused, TLSv1."), 5, "{v}: {out}");
        // A session file written by one tool is resumed by the other, both ways.
        let ours = dir.path(&format!("oxssl{v}.pem"));
        let theirs = dir.path(&format!("theirs{v}.pem"));
        client_run(
            OXSSL,
            &[
                "s_client",
                "-connect",
                &connect,
                "-CAfile",
                &cert,
                v,
                "-sess_out",
                &ours,
            ],
        );
        let out = client_run(
            OPENSSL,
            &[
                "s_client", "-connect", &connect, "-CAfile", &cert, v, "-sess_in", &ours,
            ],
        );
        assert!(
            out.contains("Reused, TLSv1."),
            "{v}: openssl reads oxssl's file: {out}"
        );
        client_run(
            OPENSSL,
            &[
                "s_client",
                "-connect",
                &connect,
                "-CAfile",
                &cert,
                v,
                "-sess_out",
                &theirs,
            ],
        );
        let out = client_run(
            OXSSL,
            &[
                "s_client", "-connect", &connect, "-CAfile", &cert, v, "-sess_in", &theirs,
            ],
        );
        assert!(
            out.contains("Reused, TLSv1."),
            "{v}: oxssl reads openssl's file: {out}"
        );
    }
    server.close_stdin();
    server.finish(T);
}

#[test]
fn early_data_with_openssl_tools() {
    if !have_openssl() {
        return;
    }
    let (dir, cert, key) = identity();
    let early = dir.path("early.txt");
    std::fs::write(&early, "early bird\n").unwrap();
    // openssl s_client -early_data against oxssl s_server -early_data.
    let (mut server, port) = oxssl_server(&["-cert", &cert, "-key", &key, "-early_data"]);
    let connect = format!("127.0.0.1:{port}");
    let sess = dir.path("openssl.pem");
    client_run(
        OPENSSL,
        &[
            "s_client",
            "-connect",
            &connect,
            "-CAfile",
            &cert,
            "-sess_out",
            &sess,
        ],
    );
    let out = client_run(
        OPENSSL,
        &[
            "s_client",
            "-connect",
            &connect,
            "-CAfile",
            &cert,
            "-sess_in",
            &sess,
            "-early_data",
            &early,
        ],
    );
    assert!(out.contains("Early data was accepted"), "{out}");
    server.wait_for("early bird", T);
    server.close_stdin();
    let (_, sout) = server.finish(T);
    assert!(sout.contains("Early data received:"), "{sout}");

    // oxssl s_client -early_data against openssl s_server -early_data.
    let port = free_port().to_string();
    let mut server = Proc::spawn(
        OPENSSL,
        &[
            "s_server",
            "-accept",
            &port,
            "-cert",
            &cert,
            "-key",
            &key,
            "-early_data",
        ],
    );
    server.wait_for("ACCEPT", T);
    let connect = format!("127.0.0.1:{port}");
    let sess = dir.path("oxssl.pem");
    client_run(
        OXSSL,
        &[
            "s_client",
            "-connect",
            &connect,
            "-CAfile",
            &cert,
            "-sess_out",
            &sess,
        ],
    );
    let out = client_run(
        OXSSL,
        &[
            "s_client",
            "-connect",
            &connect,
            "-CAfile",
            &cert,
            "-sess_in",
            &sess,
            "-early_data",
            &early,
        ],
    );
    assert!(out.contains("Early data was accepted"), "{out}");
    server.wait_for("early bird", T);
    server.close_stdin();
    server.finish(T);
}
