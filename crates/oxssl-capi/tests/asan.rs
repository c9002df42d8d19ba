//! AddressSanitizer and LeakSanitizer over the C test programs built against oxssl: each
//! program is compiled with `-fsanitize=address` (the C side instrumented; every
//! allocation, the library's included, goes through ASan's allocator, so double and
//! invalid frees across the boundary, use of freed C memory and leaks are caught).
//! Skipped, with a notice, when the C compiler cannot build with ASan.
//! `OXSSL_C_PROGRAM=t05` runs one.

use std::process::Command;

mod common;
use common::{cc, check_each_program, run};

/// Whether `cc -fsanitize=address` links a trivial program here.
fn asan_available() -> bool {
    let dir = std::env::temp_dir().join(format!("oxssl-asan-probe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("probe.c");
    std::fs::write(&src, "int main(void) { return 0; }\n").unwrap();
    let ok = run(cc()
        .arg("-fsanitize=address")
        .arg(&src)
        .arg("-o")
        .arg(dir.join("probe")))
    .status
    .success();
    let _ = std::fs::remove_dir_all(&dir);
    if !ok {
        eprintln!("NOTICE: cc -fsanitize=address does not link here: the ASan run is skipped");
    }
    ok
}

#[test]
fn c_programs_under_address_sanitizer() {
    if !asan_available() {
        return;
    }
    let failed = check_each_program(
        "asan",
        &["-fsanitize=address", "-fno-omit-frame-pointer"],
        |bin, args| {
            let mut c = Command::new("timeout");
            c.arg("600")
                .arg(bin)
                .args(args)
                .env(
                    "ASAN_OPTIONS",
                    "exitcode=99:detect_leaks=1:halt_on_error=1:abort_on_error=0",
                )
                .env("LSAN_OPTIONS", "exitcode=99");
            c
        },
    );
    assert!(
        failed.is_empty(),
        "ASan reports errors or leaks: {failed:?}"
    );
}
