//! Every compat program, built against the `openssl` crate and against oxssl, prints the
//! same thing.

#[test]
fn every_program_prints_the_same_with_both_libraries() {
    let theirs = compat_openssl::programs::all();
    let ours = compat_oxssl::programs::all();
    assert_eq!(theirs.len(), ours.len());
    assert!(ours.len() >= 15);
    let mut failures = Vec::new();
    for ((name, reference), (_, program)) in theirs.into_iter().zip(ours) {
        let expected = reference().unwrap_or_else(|e| format!("error: {e}\n"));
        let got = program().unwrap_or_else(|e| format!("error: {e}\n"));
        if expected != got {
            failures.push(format!(
                "== {name}\n-- openssl:\n{expected}-- oxssl:\n{got}"
            ));
        } else {
            eprintln!("== {name}: same\n{got}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
