//! Valgrind (memcheck) over the C test programs built against oxssl: no error, no leak
//! (definitely or indirectly lost). Skipped, with a notice, when valgrind is absent.
//! `OXSSL_C_PROGRAM=t05` runs one.

use std::process::Command;

mod common;
use common::{check_each_program, have};

#[test]
fn c_programs_under_valgrind() {
    if !have("valgrind", "the memcheck run over the C programs") {
        return;
    }
    let failed = check_each_program("valgrind", &[], |bin, args| {
        let mut c = Command::new("timeout");
        c.arg("600")
            .arg("valgrind")
            .args([
                "--quiet",
                "--error-exitcode=99",
                "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect",
                "--child-silent-after-fork=yes",
            ])
            .arg(bin)
            .args(args);
        c
    });
    assert!(
        failed.is_empty(),
        "valgrind reports errors or leaks: {failed:?}"
    );
}
