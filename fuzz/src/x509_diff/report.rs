//! Differences between the two verdicts: what kind, which category, whether it is a
//! known defect or a listed divergence, and a report over many cases.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use oxssl::x509::VerifyCode;

use super::build::Built;
use super::causes::{errors, Cause, Split, View, CAUSES};
use super::gen::Spec;
use super::oracle::{Call, Outcome, Policy, Verdict};

/// How two verdicts differ, the most serious first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// oxssl accepts what OpenSSL refuses: the dangerous kind.
    Accepts,
    /// oxssl refuses what OpenSSL accepts.
    Refuses,
    /// Same verdict, another final error code.
    Code,
    /// Same failure and code, another depth.
    Depth,
    /// Same result, other callback calls (preverify_ok, depth, error or certificate).
    Calls,
    /// Same calls, another chain shown to the callback.
    Chain,
}

/// One difference.
#[derive(Clone, Debug)]
pub struct Diff {
    /// How the verdicts differ.
    pub kind: Kind,
    /// Under which callback policy.
    pub policy: Policy,
    /// The category (kind, policy kind, codes).
    pub category: String,
    /// Its root cause, if recognised.
    pub cause: Option<&'static Cause>,
}

impl Diff {
    /// A listed divergence (never one that accepts what OpenSSL refuses).
    pub fn allowed(&self) -> bool {
        self.kind != Kind::Accepts && self.cause.is_some_and(|c| c.listed)
    }
}

fn code(c: i32) -> String {
    match VerifyCode(c).name() {
        Some(n) => format!("{c} {n}"),
        None => c.to_string(),
    }
}

fn verdict(v: &Verdict) -> String {
    match (v.ok, v.code) {
        (true, 0) => "OK".into(),
        (true, c) => format!("OK keeping {}", code(c)),
        (false, c) => format!("{} at depth {}", code(c), v.depth),
    }
}

fn call_key(c: Option<&Call>) -> String {
    match c {
        Some(c) => format!("({}, {})", u8::from(c.ok), code(c.error)),
        None => "no call".into(),
    }
}

/// Whether oxssl reports as good (preverify_ok = 1) a certificate OpenSSL never reports
/// as good: what a forged path looks like to the callback.
fn passes_other_cert(a: &Verdict, b: &Verdict) -> bool {
    b.calls
        .iter()
        .filter(|c| c.ok)
        .any(|c| !a.calls.iter().any(|o| o.ok && o.cert == c.cert))
}

fn brief(calls: &[Call]) -> Vec<(bool, u32, i32, &[u8])> {
    calls
        .iter()
        .map(|c| (c.ok, c.depth, c.error, c.cert.as_slice()))
        .collect()
}

fn kind_of(a: &Verdict, b: &Verdict) -> Option<Kind> {
    Some(if b.ok && !a.ok {
        Kind::Accepts
    } else if a.ok && !b.ok {
        Kind::Refuses
    } else if a.code != b.code {
        Kind::Code
    } else if a.depth != b.depth {
        Kind::Depth
    } else if brief(&a.calls) != brief(&b.calls) {
        Kind::Calls
    } else if a.calls != b.calls {
        Kind::Chain
    } else {
        return None;
    })
}

/// The path (spec indices) of the longest chain any of a library's calls showed.
fn path(spec: &Spec, built: &Built, outcomes: &[Outcome], ours: bool) -> Vec<usize> {
    let chain = outcomes
        .iter()
        .flat_map(|o| {
            if ours {
                &o.oxssl.calls
            } else {
                &o.openssl.calls
            }
        })
        .map(|c| &c.chain)
        .max_by_key(|c| c.len());
    chain
        .map(|c| {
            c.iter()
                .filter_map(|der| {
                    built
                        .certs
                        .iter()
                        .position(|x| x.as_ref() == der.as_slice())
                })
                .collect()
        })
        .unwrap_or_else(|| spec.chain.first().copied().into_iter().collect())
}

/// The differences in one case's outcomes, each with its cause if recognised.
pub fn compare(spec: &Spec, built: &Built, outcomes: &[Outcome]) -> Vec<Diff> {
    let view = View {
        spec,
        openssl_path: path(spec, built, outcomes, false),
        oxssl_path: path(spec, built, outcomes, true),
    };
    let mut out = Vec::new();
    for o in outcomes {
        let (a, b) = (&o.openssl, &o.oxssl);
        let Some(kind) = kind_of(a, b) else { continue };
        let policy = o.policy.kind();
        let mut category = match kind {
            Kind::Calls => {
                let i = (0..)
                    .find(|i| {
                        a.calls.get(*i).map(|c| (c.ok, c.depth, c.error, &c.cert))
                            != b.calls.get(*i).map(|c| (c.ok, c.depth, c.error, &c.cert))
                    })
                    .unwrap_or(0);
                let (x, y) = (a.calls.get(i), b.calls.get(i));
                match (x, y) {
                    (Some(x), Some(y)) if (x.ok, x.depth, x.error) == (y.ok, y.depth, y.error) => {
                        format!("Calls [{policy}] same call, another certificate")
                    }
                    _ => format!(
                        "Calls [{policy}] openssl {} / oxssl {}",
                        call_key(x),
                        call_key(y)
                    ),
                }
            }
            Kind::Chain => format!("Chain [{policy}]"),
            _ => format!(
                "{kind:?} [{policy}] openssl {} / oxssl {}",
                verdict(a),
                verdict(b)
            ),
        };
        if passes_other_cert(a, b) {
            category.push_str(" / oxssl passes a certificate OpenSSL does not");
        }
        out.push(Diff {
            kind,
            policy: o.policy,
            category,
            cause: {
                // A listed divergence explains a difference only if oxssl, when it passes,
                // reported every failure OpenSSL reported: it must not hide a defect.
                let split = Split::of(o);
                let hides = o.oxssl.ok && {
                    let failures = |v: &Verdict| -> Vec<(i32, u32)> {
                        if v.calls.is_empty() {
                            return errors(v);
                        }
                        v.calls
                            .iter()
                            .filter(|c| !c.ok)
                            .map(|c| (c.error, c.depth))
                            .collect()
                    };
                    // A signature failure is one whichever code says it (7 or 76).
                    let sig = |(c, d): (i32, u32)| (if c == 76 { 7 } else { c }, d);
                    let ours: Vec<_> = failures(&o.oxssl).into_iter().map(sig).collect();
                    // D7: OpenSSL's re-report of an earlier code where the chain has no
                    // anchor is oxssl's missing-anchor failure at that depth; not hidden.
                    let anchorless = |d: u32| {
                        ours.iter()
                            .any(|(c, at)| *at == d && matches!(c, 2 | 18 | 19 | 20 | 21 | 22))
                    };
                    let theirs = failures(&o.openssl);
                    theirs.iter().enumerate().any(|(i, e)| {
                        let re_report = theirs[..i].iter().any(|p| p.0 == e.0);
                        let explained = ours.contains(&sig(*e)) || (re_report && anchorless(e.1));
                        !explained
                    })
                };
                CAUSES
                    .iter()
                    .filter(|c| !(c.listed && (kind == Kind::Accepts || hides)))
                    .find(|c| (c.applies)(&view, o, &split))
            },
        });
    }
    out
}

/// A case's full story: the spec, and for one policy both verdicts and call sequences.
pub fn detail(spec: &Spec, built: &Built, o: &Outcome) -> String {
    let label = |der: &[u8]| {
        built
            .certs
            .iter()
            .position(|c| c.as_ref() == der)
            .map(|i| spec.label(i))
            .unwrap_or_else(|| {
                if der.is_empty() {
                    "-".into()
                } else {
                    "?".into()
                }
            })
    };
    let mut s = spec.describe();
    let _ = writeln!(s, "policy {:?}", o.policy);
    for (name, v) in [("openssl", &o.openssl), ("oxssl  ", &o.oxssl)] {
        let _ = writeln!(s, "{name}: {}", verdict(v));
        for c in &v.calls {
            let chain: Vec<String> = c.chain.iter().map(|d| label(d)).collect();
            let _ = writeln!(
                s,
                "    ok={} depth={} error={} cert={} chain=[{}]",
                u8::from(c.ok),
                c.depth,
                code(c.error),
                label(&c.cert),
                chain.join(", ")
            );
        }
    }
    s
}

/// One category's numbers and its smallest example.
#[derive(Clone, Debug)]
pub struct Category {
    /// The kind of its differences.
    pub kind: Kind,
    /// Its root cause's id ("?" if unrecognised).
    pub cause: &'static str,
    /// Whether it is a listed divergence.
    pub allowed: bool,
    /// Differences counted (one per case and policy).
    pub count: usize,
    /// Seed of the smallest case.
    pub seed: u64,
    /// Its size ([`Spec::size`]).
    pub size: usize,
    /// Its policy.
    pub policy: Policy,
}

/// Counts over many cases.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// Cases run.
    pub cases: usize,
    /// Verifications compared (cases x policies).
    pub comparisons: usize,
    /// Cases with at least one difference.
    pub differing_cases: usize,
    /// Cases with a difference that is not a listed divergence.
    pub failing_cases: usize,
    /// Cases with a difference of unrecognised cause.
    pub unexplained_cases: usize,
    /// Cases per cause id ("?" unrecognised).
    pub cases_by_cause: BTreeMap<&'static str, usize>,
    /// By (cause, category).
    pub categories: BTreeMap<(&'static str, String), Category>,
}

fn cause_id(d: &Diff) -> &'static str {
    d.cause.map_or("?", |c| c.id)
}

impl Tally {
    /// Adds one case.
    pub fn add(&mut self, seed: u64, spec: &Spec, policies: usize, diffs: &[Diff]) {
        self.cases += 1;
        self.comparisons += policies;
        if !diffs.is_empty() {
            self.differing_cases += 1;
        }
        if diffs.iter().any(|d| !d.allowed()) {
            self.failing_cases += 1;
        }
        if diffs.iter().any(|d| d.cause.is_none()) {
            self.unexplained_cases += 1;
        }
        let mut causes: Vec<&'static str> = diffs.iter().map(cause_id).collect();
        causes.sort_unstable();
        causes.dedup();
        for c in causes {
            *self.cases_by_cause.entry(c).or_default() += 1;
        }
        let size = spec.size();
        for d in diffs {
            let c = self
                .categories
                .entry((cause_id(d), d.category.clone()))
                .or_insert_with(|| Category {
                    kind: d.kind,
                    cause: cause_id(d),
                    allowed: d.allowed(),
                    count: 0,
                    seed,
                    size,
                    policy: d.policy,
                });
            c.count += 1;
            if size < c.size {
                c.seed = seed;
                c.size = size;
                c.policy = d.policy;
            }
        }
    }

    /// Adds another tally (from another thread).
    pub fn merge(&mut self, other: Tally) {
        self.cases += other.cases;
        self.comparisons += other.comparisons;
        self.differing_cases += other.differing_cases;
        self.failing_cases += other.failing_cases;
        self.unexplained_cases += other.unexplained_cases;
        for (k, n) in other.cases_by_cause {
            *self.cases_by_cause.entry(k).or_default() += n;
        }
        for (k, v) in other.categories {
            match self.categories.get_mut(&k) {
                None => {
                    self.categories.insert(k, v);
                }
                Some(c) => {
                    c.count += v.count;
                    if (v.size, v.seed) < (c.size, c.seed) {
                        c.seed = v.seed;
                        c.size = v.size;
                        c.policy = v.policy;
                    }
                }
            }
        }
    }

    /// The categories that are not listed divergences.
    pub fn failing(&self) -> impl Iterator<Item = (&String, &Category)> {
        self.categories
            .iter()
            .filter(|(_, c)| !c.allowed)
            .map(|((_, name), c)| (name, c))
    }

    /// The report: totals; per cause its cases, kinds and smallest case; then every
    /// category. `example` gives a case's story (seed, policy).
    pub fn markdown(&self, example: impl Fn(u64, Policy) -> String) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} cases, {} verifications per library, {} cases with a difference, {} with a \
             difference that is not a listed divergence, {} with one of unrecognised cause.\n",
            self.cases,
            self.comparisons,
            self.differing_cases,
            self.failing_cases,
            self.unexplained_cases
        );
        let _ = writeln!(s, "## Causes\n");
        let _ = writeln!(s, "| cause | listed | cases | differences by kind | smallest case (seed, policy) | what |");
        let _ = writeln!(s, "|---|---|---|---|---|---|");
        let ids: Vec<(&'static str, &'static str, bool)> = CAUSES
            .iter()
            .map(|c| (c.id, c.title, c.listed))
            .chain(std::iter::once(("?", "unrecognised", false)))
            .collect();
        for (id, title, listed) in &ids {
            let cats: Vec<&Category> = self
                .categories
                .values()
                .filter(|c| c.cause == *id)
                .collect();
            if cats.is_empty() {
                continue;
            }
            let mut kinds: BTreeMap<Kind, usize> = BTreeMap::new();
            for c in &cats {
                *kinds.entry(c.kind).or_default() += c.count;
            }
            let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k:?} {n}")).collect();
            let best = cats
                .iter()
                .min_by_key(|c| (c.size, c.seed))
                .expect("non-empty");
            let _ = writeln!(
                s,
                "| {id} | {} | {} | {} | {} {:?} | {title} |",
                if *listed { "yes" } else { "no" },
                self.cases_by_cause.get(id).copied().unwrap_or(0),
                kinds.join(", "),
                best.seed,
                best.policy
            );
        }
        for (id, title, _) in &ids {
            let mut cats: Vec<(&String, &Category)> = self
                .categories
                .iter()
                .filter(|((c, _), _)| c == id)
                .map(|((_, n), c)| (n, c))
                .collect();
            if cats.is_empty() {
                continue;
            }
            cats.sort_by_key(|(name, c)| (c.kind, std::cmp::Reverse(c.count), (*name).clone()));
            let _ = writeln!(s, "\n## Cause {id}: {title}\n");
            let _ = writeln!(s, "| kind | category | count | seed |");
            let _ = writeln!(s, "|---|---|---|---|");
            for (name, c) in &cats {
                let _ = writeln!(s, "| {:?} | {} | {} | {} |", c.kind, name, c.count, c.seed);
            }
            // The smallest case of each kind.
            let mut shown = Vec::new();
            for (_, c) in &cats {
                if shown.contains(&c.kind) {
                    continue;
                }
                shown.push(c.kind);
                let best = cats
                    .iter()
                    .filter(|(_, x)| x.kind == c.kind)
                    .min_by_key(|(_, x)| (x.size, x.seed))
                    .map(|(_, x)| *x)
                    .unwrap_or(c);
                let _ = writeln!(
                    s,
                    "\nSmallest {:?} case: seed {} ({:?})\n```\n{}```",
                    best.kind,
                    best.seed,
                    best.policy,
                    example(best.seed, best.policy)
                );
            }
        }
        s
    }
}
