//! Helpers shared by the C-level tests: where cargo put the libraries, running commands,
//! a test certificate.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn target_profile_dir() -> PathBuf {
    // target/<profile>/deps/c_programs-<hash>
    let exe = std::env::current_exe().expect("current exe");
    exe.parent()
        .and_then(Path::parent)
        .expect("target profile dir")
        .to_path_buf()
}

/// oxssl's static library as built for this test run.
pub fn oxssl_staticlib(profile: &Path) -> PathBuf {
    let mut cands: Vec<PathBuf> = Vec::new();
    for dir in [profile.to_path_buf(), profile.join("deps")] {
        if let Ok(rd) = std::fs::read_dir(&dir) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with("liboxssl_capi") && name.ends_with(".a") {
                    cands.push(e.path());
                }
            }
        }
    }
    cands.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    cands
        .pop()
        .expect("liboxssl_capi.a (the staticlib crate type)")
}

pub fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    out
}

/// A self-signed P-256 certificate for "localhost" (rcgen's default key type), PEM files.
pub fn make_cert(dir: &Path) -> (PathBuf, PathBuf) {
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("rcgen");
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    (cert, key)
}

/// The C compiler with the flags every test program is built with.
pub fn cc() -> Command {
    let mut c = Command::new("cc");
    c.args([
        "-std=c99",
        "-D_POSIX_C_SOURCE=200809L",
        "-Wall",
        "-Wno-unused-function",
        "-Werror",
        "-O1",
    ]);
    c
}

/// Compiles a C test program against oxssl's headers and static library.
pub fn compile_against_oxssl(
    manifest: &Path,
    src: &Path,
    staticlib: &Path,
    bin: &Path,
) -> std::process::Output {
    run(cc()
        .arg("-g")
        .arg("-I")
        .arg(manifest.join("include"))
        .arg(src)
        .arg(staticlib)
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(bin))
}

/// Whether a program is on PATH (prints a notice when it is not).
pub fn have(tool: &str, why: &str) -> bool {
    let ok = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("NOTICE: {tool} not found: {why} skipped");
    }
    ok
}
