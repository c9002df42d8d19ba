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

/// More certificates for the programs that need a chain (their fifth argument, a
/// directory): `root.pem` (a CA), and, issued by its intermediate, `chain.pem` (a leaf for
/// "localhost", then the intermediate) with `leaf.key`, `expired.pem` (the same name,
/// expired in 2002) with `expired.key`, `other.pem` (a leaf for "other.example") with
/// `other.key`. ECDSA P-256; the leaves have no extended key usage (client or server).
pub fn make_pki(dir: &Path) -> PathBuf {
    use rcgen::{BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer};
    let pki = dir.join("pki");
    std::fs::create_dir_all(&pki).unwrap();
    let name = |cn: &str| {
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, cn);
        dn.push(DnType::OrganizationName, "oxssl tests");
        dn
    };
    let ca = |cn: &str| {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name = name(cn);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p
    };
    let key = || rcgen::KeyPair::generate().expect("key");
    let (root_key, root_params) = (key(), ca("oxssl capi test root"));
    let root = root_params.self_signed(&root_key).unwrap();
    let (int_key, int_params) = (key(), ca("oxssl capi test intermediate"));
    let int = int_params
        .signed_by(&int_key, &Issuer::from_params(&root_params, &root_key))
        .unwrap();
    let issuer = Issuer::from_params(&int_params, &int_key);
    std::fs::write(pki.join("root.pem"), root.pem()).unwrap();
    for (file, host, expired) in [
        ("chain", "localhost", false),
        ("expired", "localhost", true),
        ("other", "other.example", false),
    ] {
        let k = key();
        let mut p = CertificateParams::new(vec![host.to_string()]).unwrap();
        p.distinguished_name = name(host);
        if expired {
            p.not_before = rcgen::date_time_ymd(2001, 1, 1);
            p.not_after = rcgen::date_time_ymd(2002, 1, 1);
        }
        let leaf = p.signed_by(&k, &issuer).unwrap();
        std::fs::write(
            pki.join(format!("{file}.pem")),
            format!("{}{}", leaf.pem(), int.pem()),
        )
        .unwrap();
        let key_file = if file == "chain" { "leaf" } else { file };
        std::fs::write(pki.join(format!("{key_file}.key")), k.serialize_pem()).unwrap();
    }
    pki
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
    compile_against_oxssl_with(manifest, src, staticlib, bin, &[])
}

/// [`compile_against_oxssl`] with extra compiler flags (a sanitizer).
pub fn compile_against_oxssl_with(
    manifest: &Path,
    src: &Path,
    staticlib: &Path,
    bin: &Path,
    extra: &[&str],
) -> std::process::Output {
    run(cc()
        .arg("-g")
        .args(extra)
        .arg("-I")
        .arg(manifest.join("include"))
        .arg(src)
        .arg(staticlib)
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(bin))
}

/// Builds every C test program against oxssl (`OXSSL_C_PROGRAM=t05` picks some) with
/// `flags`, runs each through `checker` (given the binary and the programs' arguments:
/// certificate, key, CA directory, an empty directory, the PKI directory), and returns
/// the names of those whose run exits with 99, after printing their stderr.
pub fn check_each_program(
    label: &str,
    flags: &[&str],
    checker: impl Fn(&Path, &[PathBuf]) -> Command,
) -> Vec<String> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let oxlib = oxssl_staticlib(&target_profile_dir());
    let work = std::env::temp_dir().join(format!("oxssl-{label}-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let (cert, key) = make_cert(&work);
    let cadir = work.join("cadir");
    let empty = work.join("emptydir");
    std::fs::create_dir_all(&cadir).unwrap();
    std::fs::create_dir_all(&empty).unwrap();
    let pki = make_pki(&work);
    let args = [cert, key, cadir, empty, pki];
    let only = std::env::var("OXSSL_C_PROGRAM").ok();
    let mut programs: Vec<PathBuf> = std::fs::read_dir(manifest.join("tests/c"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .filter(|p| {
            only.as_deref()
                .is_none_or(|o| p.to_string_lossy().contains(o))
        })
        .collect();
    programs.sort();
    let mut failed = Vec::new();
    let started = std::time::Instant::now();
    for src in &programs {
        let name = src.file_stem().unwrap().to_string_lossy().into_owned();
        let bin = work.join(&name);
        let out = compile_against_oxssl_with(&manifest, src, &oxlib, &bin, flags);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r = run(&mut checker(&bin, &args));
        let _ = std::fs::remove_file(&bin);
        if r.status.code() == Some(99) {
            eprintln!("=== {name}:\n{}", String::from_utf8_lossy(&r.stderr));
            failed.push(name);
        }
    }
    eprintln!(
        "{label}: {} programs in {:.0?}",
        programs.len(),
        started.elapsed()
    );
    let _ = std::fs::remove_dir_all(&work);
    failed
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
