//! The generative verification differential against OpenSSL 3.6 (issue 16): seeded random
//! chains and trust stores (decoys, self-issued and cross-signed certificates, name
//! constraints, EKU/keyUsage/basicConstraints, validity windows, bad signatures, SHA-1 and
//! RSA-1024 links, shuffled and duplicated extras, host and IP checks), each verified by
//! OpenSSL's `X509_verify_cert` and by oxssl under seven verify-callback policies; the
//! verdict, the error depth and the callback's calls must match, except for the listed
//! divergences (`x509_diff::causes::CAUSES`, `listed: true`).
//!
//! The generator and oracle live in `fuzz/src/x509_diff/`, shared with the fuzz target
//! `x509_differential`; oxssl is reached through `oxssl::x509::verify_chain_with_callback`
//! (a `#[doc(hidden)]` hook), the same entry point the fuzz target uses.
//!
//! * `cargo test -p oxssl --test x509_differential`: 500 seeds (`X509_DIFF_QUICK`), and
//!   the fuzz corpus of the target.
//! * `X509_DIFF_SEED=n` (same command, add `-- --nocapture`): only seed `n`, with the
//!   full story of every difference.
//! * `cargo test -p oxssl --test x509_differential -- --ignored`: `X509_DIFF_CASES`
//!   seeds (default 20,000) from `X509_DIFF_START` (default 0) on `X509_DIFF_THREADS`
//!   threads (default 2); `X509_DIFF_REPORT=file` writes the classified report.

#[allow(dead_code)]
#[path = "../../../fuzz/src/x509_diff/mod.rs"]
mod x509_diff;

use std::path::Path;

use x509_diff::causes::CAUSES;
use x509_diff::gen::{DecoyKind, Role, Validity};
use x509_diff::keys::RSA1024;
use x509_diff::report::Tally;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs seeds `start..start + count` on `threads` threads.
fn run(start: u64, count: u64, threads: u64) -> Tally {
    let threads = threads.max(1);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let mut tally = Tally::default();
                    let mut seed = start + t;
                    while seed < start + count {
                        let c = x509_diff::check_seed(seed);
                        tally.add(seed, &c.spec, c.outcomes.len(), &c.diffs);
                        seed += threads;
                    }
                    tally
                })
            })
            .collect();
        let mut all = Tally::default();
        for w in workers {
            all.merge(w.join().expect("worker"));
        }
        all
    })
}

fn example(seed: u64, policy: x509_diff::oracle::Policy) -> String {
    x509_diff::story(&x509_diff::check_seed(seed), policy)
}

/// Every difference must be a listed divergence (none of which accepts what OpenSSL
/// refuses); the failure names each cause with its count and smallest case to replay.
fn assert_no_unlisted(tally: &Tally) {
    let mut by_cause: std::collections::BTreeMap<&str, (usize, u64, usize, Vec<&str>)> =
        Default::default();
    for (name, c) in tally.failing() {
        let e = by_cause
            .entry(c.cause)
            .or_insert((0, c.seed, usize::MAX, Vec::new()));
        e.0 += c.count;
        if c.size < e.2 {
            e.1 = c.seed;
            e.2 = c.size;
        }
        if e.3.len() < 3 {
            e.3.push(name);
        }
    }
    let lines: Vec<String> = by_cause
        .iter()
        .map(|(cause, (count, seed, _, names))| {
            let title = CAUSES
                .iter()
                .find(|c| c.id == *cause)
                .map_or("unrecognised", |c| c.title);
            format!(
                "  cause {cause} ({} cases): {count} differences, smallest X509_DIFF_SEED={seed}; {title}\n      e.g. {}",
                tally.cases_by_cause.get(cause).copied().unwrap_or(0),
                names.join("\n      e.g. ")
            )
        })
        .collect();
    assert!(
        lines.is_empty(),
        "{} of {} cases differ from OpenSSL 3.6 other than by a listed divergence:\n{}",
        tally.failing_cases,
        tally.cases,
        lines.join("\n")
    );
}

#[test]
fn generated_chains_verify_as_openssl_does() {
    if let Ok(seed) = std::env::var("X509_DIFF_SEED") {
        let seed: u64 = seed.parse().expect("X509_DIFF_SEED is a number");
        let c = x509_diff::check_seed(seed);
        for d in &c.diffs {
            let cause = d.cause.map_or("?", |c| c.id);
            eprintln!(
                "== [cause {cause}] {}\n{}",
                d.category,
                x509_diff::story(&c, d.policy)
            );
        }
        assert!(
            c.diffs.iter().all(|d| d.allowed()),
            "seed {seed} differs from OpenSSL 3.6"
        );
        return;
    }
    let count = env_u64("X509_DIFF_QUICK", 500);
    let tally = run(0, count, 2);
    eprintln!(
        "{} cases, {} comparisons, {} cases with a difference",
        tally.cases, tally.comparisons, tally.differing_cases
    );
    assert_eq!(tally.cases as u64, count);
    assert_no_unlisted(&tally);
}

/// The fuzz target's corpus (inputs it found interesting or that once failed) replayed
/// through the same comparison.
#[test]
fn fuzz_corpus_verifies_as_openssl_does() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/x509_differential");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus in {}", dir.display());
    let mut failures = Vec::new();
    for path in &files {
        let data = std::fs::read(path).expect("read");
        let c = x509_diff::check(&mut x509_diff::gen::Source::Bytes(&data));
        for d in c.diffs.iter().filter(|d| !d.allowed()) {
            failures.push(format!(
                "  {}: [cause {}] {}",
                path.display(),
                d.cause.map_or("?", |c| c.id),
                d.category
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "differences from OpenSSL 3.6 that are not listed divergences:\n{}",
        failures.join("\n")
    );
}

/// The same seed gives the same case and the same verdicts; the seeds the quick test runs
/// contain every ingredient of the generator.
#[test]
fn generator_is_reproducible_and_covers_its_ingredients() {
    let a = x509_diff::check_seed(7);
    let b = x509_diff::check_seed(7);
    assert_eq!(format!("{:?}", a.spec), format!("{:?}", b.spec));
    for (x, y) in a.outcomes.iter().zip(&b.outcomes) {
        assert_eq!(
            (x.openssl.ok, x.openssl.code),
            (y.openssl.ok, y.openssl.code)
        );
        assert_eq!((x.oxssl.ok, x.oxssl.code), (y.oxssl.ok, y.oxssl.code));
    }

    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    let mut outcomes = std::collections::BTreeSet::new();
    for seed in 0..300 {
        let spec = x509_diff::gen::draw(&mut x509_diff::gen::Source::Seed(seed));
        let leaf = spec.leaf();
        let mut mark = |what: &'static str, cond: bool| {
            if cond {
                *seen.entry(what).or_default() += 1;
            }
        };
        let inters = spec
            .certs
            .iter()
            .filter(|c| matches!(c.role, Role::Inter(_)))
            .count();
        mark("5 intermediates", inters == 5);
        for kind in [
            DecoyKind::ByRealIssuer,
            DecoyKind::SelfSigned,
            DecoyKind::Forged,
            DecoyKind::SelfIssuedForged,
        ] {
            mark(
                match kind {
                    DecoyKind::ByRealIssuer => "decoy by real issuer",
                    DecoyKind::SelfSigned => "self-signed decoy",
                    DecoyKind::Forged => "forged decoy",
                    DecoyKind::SelfIssuedForged => "self-issued decoy",
                },
                spec.certs
                    .iter()
                    .any(|c| matches!(c.role, Role::Decoy { kind: k, .. } if k == kind)),
            );
        }
        mark(
            "rollover",
            spec.certs
                .iter()
                .any(|c| matches!(c.role, Role::Rollover { .. })),
        );
        mark(
            "cross-signed root",
            spec.certs.iter().any(|c| c.role == Role::Cross),
        );
        mark(
            "name constraints",
            spec.certs.iter().any(|c| c.nc.is_some()),
        );
        mark(
            "CN-only leaf",
            leaf.sans.is_empty() && leaf.subject.is_some(),
        );
        mark(
            "expired",
            spec.certs.iter().any(|c| c.validity == Validity::Expired),
        );
        mark(
            "not yet valid",
            spec.certs
                .iter()
                .any(|c| c.validity == Validity::NotYetValid),
        );
        mark("sha1", spec.certs.iter().any(|c| c.sha1));
        mark("bad signature", spec.certs.iter().any(|c| c.corrupt));
        mark("rsa-1024", spec.certs.iter().any(|c| c.key == RSA1024));
        mark(
            "pathLen",
            spec.certs
                .iter()
                .any(|c| matches!(c.bc, x509_diff::gen::Bc::Ca(Some(_)))),
        );
        mark(
            "CA:false CA",
            spec.certs
                .iter()
                .any(|c| c.ca_name && c.bc == x509_diff::gen::Bc::NotCa),
        );
        mark("EKU", spec.certs.iter().any(|c| !c.eku.is_empty()));
        mark("client purpose", spec.client_auth);
        mark(
            "IP host",
            spec.host
                .as_deref()
                .is_some_and(|h| h.parse::<std::net::IpAddr>().is_ok()),
        );
        mark(
            "wildcard SAN",
            leaf.sans
                .iter()
                .any(|s| matches!(s, rcgen::SanType::DnsName(n) if n.as_str().contains('*'))),
        );
        mark("depth limit", spec.depth.is_some());
        let mut tail = spec.chain[1..].to_vec();
        let n = tail.len();
        tail.sort();
        tail.dedup();
        mark("duplicate in chain", tail.len() < n);
        if seed < 40 {
            let c = x509_diff::check_seed(seed);
            for o in &c.outcomes {
                outcomes.insert((o.openssl.ok, o.openssl.code));
            }
        }
    }
    for what in [
        "5 intermediates",
        "decoy by real issuer",
        "self-signed decoy",
        "forged decoy",
        "self-issued decoy",
        "rollover",
        "cross-signed root",
        "name constraints",
        "CN-only leaf",
        "expired",
        "not yet valid",
        "sha1",
        "bad signature",
        "rsa-1024",
        "pathLen",
        "CA:false CA",
        "EKU",
        "client purpose",
        "IP host",
        "wildcard SAN",
        "depth limit",
        "duplicate in chain",
    ] {
        assert!(
            seen.get(what).copied().unwrap_or(0) > 0,
            "no case with {what}: {seen:?}"
        );
    }
    // Accepted and refused chains both, with several distinct OpenSSL codes.
    assert!(outcomes.contains(&(true, 0)), "{outcomes:?}");
    assert!(
        outcomes.iter().filter(|(ok, _)| !ok).count() >= 5,
        "{outcomes:?}"
    );
}

#[test]
#[ignore = "20,000 generated cases (minutes); X509_DIFF_CASES / X509_DIFF_REPORT"]
fn generated_chains_verify_as_openssl_does_at_scale() {
    let start = env_u64("X509_DIFF_START", 0);
    let count = env_u64("X509_DIFF_CASES", 20_000);
    let threads = env_u64("X509_DIFF_THREADS", 2);
    let began = std::time::Instant::now();
    let tally = run(start, count, threads);
    eprintln!(
        "{} cases ({} comparisons) in {:?}; {} with a difference",
        tally.cases,
        tally.comparisons,
        began.elapsed(),
        tally.differing_cases
    );
    if let Ok(path) = std::env::var("X509_DIFF_REPORT") {
        let text = format!(
            "# x509 generative differential: seeds {start}..{}\n\n{}",
            start + count,
            tally.markdown(example)
        );
        std::fs::write(&path, text).expect("write report");
        eprintln!("report: {path}");
    }
    assert_eq!(tally.cases as u64, count);
    assert_no_unlisted(&tally);
}
