//! `examples/c` built the way its README says: oxssl installed with `install.sh`, the
//! Makefile asking pkg-config for `oxssl`; the client talks to the server (TLS 1.3, host
//! name verification). Then the client built against the system's OpenSSL
//! (`make PKG=openssl`, PKG_CONFIG_PATH unchanged) talks to the oxssl server.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod common;
use common::{have, make_cert, oxssl_staticlib, run, target_profile_dir};

fn install(manifest: &Path, prefix: &Path) {
    let profile = target_profile_dir();
    let out = run(Command::new("sh")
        .arg(manifest.join("install.sh"))
        .arg(prefix)
        .arg(
            profile
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("debug"),
        )
        .env("OXSSL_NO_BUILD", "1")
        .env("OXSSL_STATICLIB", oxssl_staticlib(&profile))
        .env("CARGO_TARGET_DIR", profile.parent().expect("target dir")));
    assert!(
        out.status.success(),
        "install.sh: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn build(examples: &Path, dir: &Path, env: &[(&str, String)], args: &[&str]) {
    std::fs::create_dir_all(dir).unwrap();
    for f in ["Makefile", "client.c", "server.c"] {
        std::fs::copy(examples.join(f), dir.join(f)).unwrap();
    }
    let mut cmd = Command::new("make");
    cmd.arg("-C").arg(dir).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = run(&mut cmd);
    assert!(
        out.status.success(),
        "make in {}: {}{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Runs `server` for one connection and `client` against it; the client's output.
fn talk(server: &Path, client: &Path, cert: &Path, key: &Path) -> String {
    let port = free_port().to_string();
    let mut srv = Command::new(server)
        .args([port.as_str()])
        .arg(cert)
        .arg(key)
        .arg("1")
        .stdout(Stdio::piped())
        .spawn()
        .expect("server");
    let mut first = String::new();
    BufReader::new(srv.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("listening"), "server: {first}");
    let out = run(Command::new("timeout")
        .arg("30")
        .arg(client)
        .args(["localhost", port.as_str()])
        .arg(cert));
    let status = srv.wait().expect("server exit");
    assert!(status.success(), "server: {status:?}");
    assert!(
        out.status.success(),
        "client: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn examples_build_with_pkg_config_and_talk() {
    if !have("make", "the examples/c test") || !have("pkg-config", "the examples/c test") {
        return;
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let examples = manifest.join("../../examples/c");
    let work = std::env::temp_dir().join(format!("oxssl-examples-{}", std::process::id()));
    let prefix = work.join("prefix");
    install(&manifest, &prefix);
    let (cert, key) = make_cert(&work);

    let ox = work.join("oxssl");
    let pc = prefix.join("lib/pkgconfig").display().to_string();
    build(&examples, &ox, &[("PKG_CONFIG_PATH", pc)], &[]);
    let said = talk(&ox.join("server"), &ox.join("client"), &cert, &key);
    assert!(said.contains("connected: TLSv1.3"), "{said}");
    assert!(said.contains("hello from the C client"), "{said}");

    // The same Makefile and sources against the system's OpenSSL.
    let sys = work.join("openssl");
    if Command::new("pkg-config")
        .args(["--exists", "openssl"])
        .status()
        .is_ok_and(|s| s.success())
    {
        build(&examples, &sys, &[], &["PKG=openssl"]);
        let said = talk(&ox.join("server"), &sys.join("client"), &cert, &key);
        assert!(said.contains("connected: TLSv1.3"), "{said}");
    } else {
        eprintln!("NOTICE: pkg-config knows no system openssl: OpenSSL client not checked");
    }
    let _ = std::fs::remove_dir_all(&work);
}
