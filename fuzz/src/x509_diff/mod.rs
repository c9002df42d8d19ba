//! The generative verification differential against OpenSSL 3.6 (issue 16): random
//! chains and trust stores ([`gen`]), verified by OpenSSL's `X509_verify_cert` and by
//! oxssl under each verify-callback policy ([`oracle`]), their differences attributed to
//! root causes ([`causes`]) and counted ([`report`]); the key pool is [`keys`]. Shared by
//! the integration test `crates/oxssl/tests/x509_differential.rs` (seeded cases) and the
//! fuzz target `x509_differential` (fuzzer-chosen choices).

pub mod build;
pub mod causes;
pub mod gen;
pub mod keys;
pub mod oracle;
pub mod report;

use build::Built;
use gen::{Source, Spec};
use oracle::Outcome;
use report::Diff;

/// One case, run and compared.
pub struct Checked {
    /// What was generated.
    pub spec: Spec,
    /// Its certificates.
    pub built: Built,
    /// Both verdicts under each policy.
    pub outcomes: Vec<Outcome>,
    /// Their differences.
    pub diffs: Vec<Diff>,
}

/// Generates, runs and compares one case.
pub fn check(src: &mut Source<'_>) -> Checked {
    let spec = gen::draw(src);
    let built = build::build(&spec);
    let outcomes = oracle::run(&spec, &built);
    let diffs = report::compare(&spec, &built, &outcomes);
    Checked {
        spec,
        built,
        outcomes,
        diffs,
    }
}

/// The case of one seed.
pub fn check_seed(seed: u64) -> Checked {
    check(&mut Source::Seed(seed))
}

/// The full story of a case under one policy (for reports and failure messages).
pub fn story(c: &Checked, policy: oracle::Policy) -> String {
    c.outcomes
        .iter()
        .find(|o| o.policy == policy)
        .map(|o| report::detail(&c.spec, &c.built, o))
        .unwrap_or_default()
}

/// The fuzz target: the generator's choices from `data`; panics on a difference that is
/// not a listed divergence. With `OXSSL_X509_DIFF_SKIP_KNOWN` set, differences whose cause
/// is recognised (the defects [`causes::CAUSES`] lists, being fixed) are skipped too, so a
/// campaign on code that still has them looks for new ones.
pub fn fuzz(data: &[u8]) {
    let c = check(&mut Source::Bytes(data));
    let skip_known = std::env::var_os("OXSSL_X509_DIFF_SKIP_KNOWN").is_some();
    for d in &c.diffs {
        if d.allowed() || (skip_known && d.cause.is_some()) {
            continue;
        }
        panic!(
            "difference from OpenSSL 3.6 [cause {}]: {}\n{}",
            d.cause.map_or("?", |c| c.id),
            d.category,
            story(&c, d.policy)
        );
    }
}
