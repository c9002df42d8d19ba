//! Valgrind (memcheck) over the C test programs built against oxssl: no error, no leak
//! (definitely or indirectly lost). Skipped, with a notice, when valgrind is absent.
//! `OXSSL_C_PROGRAM=t05` runs one.

use std::path::PathBuf;
use std::process::Command;

mod common;
use common::{
    compile_against_oxssl, have, make_cert, make_pki, oxssl_staticlib, run, target_profile_dir,
};

#[test]
fn c_programs_under_valgrind() {
    if !have("valgrind", "the memcheck run over the C programs") {
        return;
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let oxlib = oxssl_staticlib(&target_profile_dir());
    let work = std::env::temp_dir().join(format!("oxssl-valgrind-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let (cert, key) = make_cert(&work);
    let cadir = work.join("cadir");
    let empty = work.join("emptydir");
    std::fs::create_dir_all(&cadir).unwrap();
    std::fs::create_dir_all(&empty).unwrap();
    let pki = make_pki(&work);
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
        let out = compile_against_oxssl(&manifest, src, &oxlib, &bin);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r = run(Command::new("timeout")
            .arg("600")
            .arg("valgrind")
            .args([
                "--quiet",
                "--error-exitcode=99",
                "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect",
                "--child-silent-after-fork=yes",
            ])
            .arg(&bin)
            .args([&cert, &key, &cadir, &empty, &pki]));
        let _ = std::fs::remove_file(&bin);
        if r.status.code() == Some(99) {
            eprintln!("=== {name}:\n{}", String::from_utf8_lossy(&r.stderr));
            failed.push(name);
        }
    }
    eprintln!(
        "valgrind: {} programs in {:.0?}",
        programs.len(),
        started.elapsed()
    );
    assert!(
        failed.is_empty(),
        "valgrind reports errors or leaks: {failed:?}"
    );
}
