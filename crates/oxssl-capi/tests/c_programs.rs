//! Builds every C program in `tests/c/` twice — against OpenSSL 3.6 (the vendored build
//! of the `openssl` dev-dependency) and against oxssl's headers and static library — runs
//! both with the same certificate and key, and asserts the transcripts are identical.
//!
//! Binary drop-in: each program is also built once more against the system's OpenSSL 3
//! (its headers, `-lssl -lcrypto`) and run with `LD_LIBRARY_PATH` pointing at oxssl's
//! `libssl.so.3` / `libcrypto.so.3` (made by `dropin.sh`); its transcript must be the oxssl
//! build's. Skipped, with a notice, when the system has no OpenSSL development files.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{
    cc, compile_against_oxssl, make_cert, make_pki, oxssl_staticlib, run, target_profile_dir,
};

/// Programs whose transcripts are known to differ, with the reason (see the crate README).
/// The test fails if one of them starts to match, so the list stays honest.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    (
        "t15_defaults",
        "oxssl's contexts start with SSL_MODE_RELEASE_BUFFERS (0x10, DESIGN: released buffers are \
     the default) and SSL_OP_CIPHER_SERVER_PREFERENCE (1 << 22) set; OpenSSL 3.6 starts with \
     mode 0x4 and options 0x120000",
    ),
    (
        "t16_socket_fd",
        "an EOF without close_notify on a socket whose peer is gone: OpenSSL 3.6 sends a fatal \
         alert, which fails with EPIPE and queues ERR_LIB_SYS/32 after 294, and its next \
         SSL_write(1) then fails with SSL_ERROR_SSL / BAD_LENGTH (271) against the unsent \
         alert; oxssl queues only 294 and the next write is -1 / SSL_ERROR_SYSCALL with an \
         empty queue (SSL_WRITE.md section 1.4)",
    ),
    (
        "t25_pending_write",
        "SSL_shutdown called while a write is pending (-1 / WANT_WRITE in both), then the \
         write retried (-1 / SSL / 207 in both: close_notify is owed): OpenSSL 3.6's next \
         SSL_shutdown is -1 / SSL_ERROR_SYSCALL with an empty queue (the pending record can no \
         longer be finished, so close_notify never goes out); oxssl's finishes the pending \
         record, sends close_notify and returns 0",
    ),
];

/// The vendored OpenSSL install (`openssl-sys` with `vendored`): include/ and lib/.
fn openssl_install(profile: &Path) -> PathBuf {
    let build = profile.join("build");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&build)
        .expect("target build dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("out/openssl-build/install"))
        .filter(|p| p.join("include/openssl/ssl.h").exists() && p.join("lib/libssl.a").exists())
        // The oracle is OpenSSL 3.6 (SSL_WRITE.md): skip builds of other versions.
        .filter(|p| {
            std::fs::read_to_string(p.join("include/openssl/opensslv.h"))
                .is_ok_and(|v| v.contains("OPENSSL_VERSION_STR \"3.6."))
        })
        .collect();
    found.sort_by_key(|p| {
        std::fs::metadata(p.join("lib/libssl.a"))
            .and_then(|m| m.modified())
            .ok()
    });
    found
        .pop()
        .expect("vendored OpenSSL 3.6 build (openssl-sys, feature vendored) under target/*/build")
}

/// A hashed CA directory holding `cert` (named `<subject hash>.0`, as `openssl rehash`
/// names it) and an empty directory: the programs' third and fourth arguments.
fn ca_dirs(dir: &Path, cert: &Path) -> (PathBuf, PathBuf) {
    let cadir = dir.join("cadir");
    let empty = dir.join("emptydir");
    std::fs::create_dir_all(&cadir).unwrap();
    std::fs::create_dir_all(&empty).unwrap();
    let out = run(Command::new("openssl")
        .args(["x509", "-hash", "-noout", "-in"])
        .arg(cert));
    assert!(out.status.success(), "openssl x509 -hash");
    let hash = String::from_utf8_lossy(&out.stdout).trim().to_string();
    std::fs::copy(cert, cadir.join(format!("{hash}.0"))).unwrap();
    (cadir, empty)
}

/// oxssl's `libssl.so.3` / `libcrypto.so.3` made from the static library by `dropin.sh`.
fn build_dropin(manifest: &Path, staticlib: &Path, dir: &Path) -> PathBuf {
    let out = dir.join("dropin");
    let r = run(Command::new("sh")
        .arg(manifest.join("dropin.sh"))
        .arg(staticlib)
        .arg(&out));
    assert!(
        r.status.success(),
        "dropin.sh: {}",
        String::from_utf8_lossy(&r.stderr)
    );
    out
}

/// Whether a program can be built against the system's OpenSSL 3 (headers and -lssl).
fn system_openssl(dir: &Path) -> bool {
    let src = dir.join("sys_check.c");
    std::fs::write(
        &src,
        "#include <openssl/ssl.h>\nint main(void) { return SSL_CTX_new(TLS_method()) == NULL; }\n",
    )
    .unwrap();
    let ok = run(Command::new("cc")
        .arg(&src)
        .args(["-lssl", "-lcrypto", "-o"])
        .arg(dir.join("sys_check")))
    .status
    .success();
    if !ok {
        eprintln!("NOTICE: no system OpenSSL 3 development files: binary drop-in not checked");
    }
    ok
}

/// Runs a binary linked to the system's OpenSSL on oxssl's drop-in libraries, every
/// symbol bound at load time (so a missing one is named at once).
fn on_dropin(bin: &Path, dropin: &Path) -> Command {
    let mut c = Command::new("timeout");
    c.arg("60")
        .arg(bin)
        .env("LD_LIBRARY_PATH", dropin)
        .env("LD_BIND_NOW", "1");
    c
}

#[test]
fn c_programs_match_openssl() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let profile = target_profile_dir();
    let ossl = openssl_install(&profile);
    let oxlib = oxssl_staticlib(&profile);
    let work = std::env::temp_dir().join(format!("oxssl-capi-c-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let (cert, key) = make_cert(&work);
    let (cadir, empty) = ca_dirs(&work, &cert);
    let pki = make_pki(&work);
    let args = [&cert, &key, &cadir, &empty, &pki];
    let dropin = system_openssl(&work).then(|| build_dropin(&manifest, &oxlib, &work));
    let mut dropin_differ = Vec::new();

    let mut programs: Vec<PathBuf> = std::fs::read_dir(manifest.join("tests/c"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .collect();
    programs.sort();
    assert!(programs.len() >= 10, "expected at least 10 C programs");

    let only = std::env::var("OXSSL_C_PROGRAM").ok();
    let mut same = Vec::new();
    let mut differ = Vec::new();
    for src in &programs {
        let name = src.file_stem().unwrap().to_string_lossy().into_owned();
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let bin_o = work.join(format!("{name}.openssl"));
        let bin_x = work.join(format!("{name}.oxssl"));
        let out = run(cc()
            .arg("-I")
            .arg(ossl.join("include"))
            .arg(src)
            .arg(ossl.join("lib/libssl.a"))
            .arg(ossl.join("lib/libcrypto.a"))
            .args(["-lpthread", "-ldl", "-o"])
            .arg(&bin_o));
        assert!(
            out.status.success(),
            "{name} vs OpenSSL: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = compile_against_oxssl(&manifest, src, &oxlib, &bin_x);
        assert!(
            out.status.success(),
            "{name} vs oxssl: {}",
            String::from_utf8_lossy(&out.stderr)
        );

        // A program that hangs fails after a minute instead of stopping the suite.
        let ro = run(Command::new("timeout").arg("60").arg(&bin_o).args(args));
        let rx = run(Command::new("timeout").arg("60").arg(&bin_x).args(args));
        assert!(
            ro.status.code() != Some(124) && rx.status.code() != Some(124),
            "{name} timed out (OpenSSL {:?}, oxssl {:?})",
            ro.status.code(),
            rx.status.code()
        );
        let to = String::from_utf8_lossy(&ro.stdout).into_owned();
        let tx = String::from_utf8_lossy(&rx.stdout).into_owned();
        if let Some(dir) = &dropin {
            let bin_s = work.join(format!("{name}.system"));
            let out = run(cc().arg(src).args(["-lssl", "-lcrypto", "-o"]).arg(&bin_s));
            assert!(
                out.status.success(),
                "{name} vs system OpenSSL: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let rs = run(on_dropin(&bin_s, dir).args(args));
            let ts = String::from_utf8_lossy(&rs.stdout).into_owned();
            std::fs::write(work.join(format!("{name}.dropin.txt")), &ts).unwrap();
            if ts != tx || rs.status.code() != rx.status.code() {
                eprintln!(
                    "=== {name}: drop-in run differs from the oxssl build: {}",
                    String::from_utf8_lossy(&rs.stderr)
                );
                dropin_differ.push(name.clone());
            }
        }
        // The binaries are large (static, with debug information): only the transcripts stay.
        for b in [&bin_o, &bin_x, &work.join(format!("{name}.system"))] {
            let _ = std::fs::remove_file(b);
        }
        let ok = to == tx && ro.status.code() == rx.status.code();
        std::fs::write(work.join(format!("{name}.openssl.txt")), &to).unwrap();
        std::fs::write(work.join(format!("{name}.oxssl.txt")), &tx).unwrap();
        if ok {
            same.push(name);
        } else {
            eprintln!(
                "=== {name}: transcripts differ (OpenSSL status {:?}, oxssl status {:?})",
                ro.status.code(),
                rx.status.code()
            );
            for (i, (a, b)) in to.lines().zip(tx.lines()).enumerate() {
                if a != b {
                    eprintln!(
                        "  line {}: openssl: {a}\n  line {}:   oxssl: {b}",
                        i + 1,
                        i + 1
                    );
                }
            }
            let (lo, lx) = (to.lines().count(), tx.lines().count());
            if lo != lx {
                eprintln!("  openssl {lo} lines, oxssl {lx} lines");
            }
            if !rx.stderr.is_empty() {
                eprintln!("  oxssl stderr: {}", String::from_utf8_lossy(&rx.stderr));
            }
            differ.push(name);
        }
    }
    eprintln!(
        "identical: {same:?}\ndiffer: {differ:?}\ntranscripts in {}",
        work.display()
    );
    let known: Vec<&str> = KNOWN_DIFFERENCES.iter().map(|(n, _)| *n).collect();
    let unexpected: Vec<&String> = differ
        .iter()
        .filter(|d| !known.contains(&d.as_str()))
        .collect();
    let fixed: Vec<&&str> = known
        .iter()
        .filter(|k| same.iter().any(|s| s == *k))
        .collect();
    assert!(unexpected.is_empty(), "transcripts differ: {unexpected:?}");
    if let Some(dir) = &dropin {
        let _ = std::fs::remove_dir_all(dir);
    }
    assert!(
        dropin_differ.is_empty(),
        "binary drop-in transcripts differ: {dropin_differ:?}"
    );
    assert!(
        fixed.is_empty(),
        "now identical, remove from KNOWN_DIFFERENCES: {fixed:?}"
    );
}

/// The same programs linked to the shared library (`liboxssl_capi.so`, found next to the
/// static one) give the same transcripts as OpenSSL: a smoke test of the cdylib.
#[test]
fn cdylib_smoke() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let profile = target_profile_dir();
    let ossl = openssl_install(&profile);
    let libdir = oxssl_staticlib(&profile)
        .parent()
        .expect("lib dir")
        .to_path_buf();
    assert!(
        libdir.join("liboxssl_capi.so").exists(),
        "liboxssl_capi.so next to the static library in {}",
        libdir.display()
    );
    let work = std::env::temp_dir().join(format!("oxssl-capi-so-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let (cert, key) = make_cert(&work);
    for name in ["t01_mem_echo", "t05_pair_want_write", "t12_bio_refs"] {
        let src = manifest.join(format!("tests/c/{name}.c"));
        let bin_o = work.join(format!("{name}.openssl"));
        let bin_x = work.join(format!("{name}.so"));
        let out = run(Command::new("cc")
            .arg("-I")
            .arg(ossl.join("include"))
            .arg(&src)
            .arg(ossl.join("lib/libssl.a"))
            .arg(ossl.join("lib/libcrypto.a"))
            .args(["-lpthread", "-ldl", "-o"])
            .arg(&bin_o));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = run(Command::new("cc")
            .arg("-I")
            .arg(manifest.join("include"))
            .arg(&src)
            .arg("-L")
            .arg(&libdir)
            .arg("-loxssl_capi")
            .arg(format!("-Wl,-rpath,{}", libdir.display()))
            .arg("-o")
            .arg(&bin_x));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ro = run(Command::new(&bin_o).arg(&cert).arg(&key));
        let rx = run(Command::new(&bin_x).arg(&cert).arg(&key));
        assert_eq!(
            String::from_utf8_lossy(&ro.stdout),
            String::from_utf8_lossy(&rx.stdout),
            "{name} linked to liboxssl_capi.so"
        );
        assert!(rx.status.success(), "{name}: {:?}", rx.status);
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// The drop-in libraries are the ones a program linked to OpenSSL loads, and a function
/// oxssl does not provide is named by the loader.
#[test]
fn dropin_loads_and_names_missing_symbols() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let profile = target_profile_dir();
    let work = std::env::temp_dir().join(format!("oxssl-capi-dropin-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    if !system_openssl(&work) {
        return;
    }
    let dir = build_dropin(&manifest, &oxssl_staticlib(&profile), &work);
    let programs = [
        (
            "version",
            "#include <openssl/crypto.h>\n#include <stdio.h>\nint main(void) { puts(OpenSSL_version(OPENSSL_VERSION)); return 0; }\n",
        ),
        (
            "missing",
            "#include <openssl/rand.h>\nint main(void) { unsigned char b[4]; return RAND_bytes(b, 4) != 1; }\n",
        ),
    ];
    for (name, text) in programs {
        let src = work.join(format!("{name}.c"));
        std::fs::write(&src, text).unwrap();
        let bin = work.join(name);
        let out = run(Command::new("cc")
            .arg(&src)
            .args(["-lssl", "-lcrypto", "-o"])
            .arg(&bin));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let v = run(&mut on_dropin(&work.join("version"), &dir));
    assert!(
        String::from_utf8_lossy(&v.stdout).starts_with("oxssl"),
        "the drop-in libcrypto.so.3 is loaded: {:?}",
        String::from_utf8_lossy(&v.stdout)
    );
    let m = run(&mut on_dropin(&work.join("missing"), &dir));
    let _ = std::fs::remove_dir_all(&work);
    let err = String::from_utf8_lossy(&m.stderr);
    assert!(
        !m.status.success() && err.contains("RAND_bytes"),
        "the loader names the missing function: {err}"
    );
}

/// A function OpenSSL added after 3.0 has OpenSSL's version in the drop-in libraries
/// (`SSL_SESSION_get_time_ex` at OPENSSL_3.3.0, `SSL_CTX_flush_sessions_ex` at
/// OPENSSL_3.4.0): a program linked to a libssl.so.3 with those versions (a stub standing
/// for OpenSSL 3.4 or later) loads and calls oxssl's.
#[test]
fn dropin_gives_later_functions_their_versions() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let profile = target_profile_dir();
    let work = std::env::temp_dir().join(format!("oxssl-capi-versions-{}", std::process::id()));
    let stub = work.join("stub");
    std::fs::create_dir_all(&stub).unwrap();
    let dir = build_dropin(&manifest, &oxssl_staticlib(&profile), &work);
    std::fs::write(
        work.join("stub.c"),
        "long SSL_SESSION_get_time_ex(const void *s) { (void)s; return -1; }\n\
         void SSL_CTX_flush_sessions_ex(void *c, long t) { (void)c; (void)t; }\n",
    )
    .unwrap();
    std::fs::write(
        work.join("stub.map"),
        "OPENSSL_3.3.0 { global: SSL_SESSION_get_time_ex; local: *; };\n\
         OPENSSL_3.4.0 { global: SSL_CTX_flush_sessions_ex; } OPENSSL_3.3.0;\n",
    )
    .unwrap();
    std::fs::write(
        work.join("prog.c"),
        "#include <stdio.h>\n\
         long SSL_SESSION_get_time_ex(const void *s);\n\
         void SSL_CTX_flush_sessions_ex(void *c, long t);\n\
         int main(void) {\n\
             SSL_CTX_flush_sessions_ex(NULL, 0);\n\
             printf(\"%ld\\n\", SSL_SESSION_get_time_ex(NULL));\n\
             return 0;\n\
         }\n",
    )
    .unwrap();
    let out = run(Command::new("cc")
        .args(["-shared", "-fPIC", "-Wl,-soname,libssl.so.3"])
        .arg(format!(
            "-Wl,--version-script={}",
            work.join("stub.map").display()
        ))
        .arg(work.join("stub.c"))
        .arg("-o")
        .arg(stub.join("libssl.so.3")));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(Command::new("cc")
        .arg(work.join("prog.c"))
        .arg("-L")
        .arg(&stub)
        .args(["-l:libssl.so.3", "-o"])
        .arg(work.join("prog")));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = run(&mut on_dropin(&work.join("prog"), &dir));
    let _ = std::fs::remove_dir_all(&work);
    assert!(
        r.status.success() && String::from_utf8_lossy(&r.stdout) == "0\n",
        "oxssl's SSL_SESSION_get_time_ex (NULL: 0) is found at OPENSSL_3.3.0: {:?} {}",
        String::from_utf8_lossy(&r.stdout),
        String::from_utf8_lossy(&r.stderr)
    );
}
