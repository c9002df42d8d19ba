//! Differences between the two verdicts: what kind, which category, whether it is a
//! known defect or a listed divergence, and a report over many cases.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use oxssl::x509::VerifyCode;

use super::gen::{Built, Spec};
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

/// The defects issue 16 lists (being fixed in `validate.rs`), recognised from the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Known {
    /// (a) A CN-only leaf escapes a DNS name constraint through the host name fallback.
    CnFallback,
    /// (b) Decoys make the walk's path differ from the one webpki verified.
    DecoyPath,
    /// (c) A forgiven error hides the failures only webpki detects.
    ForgivenHides,
}

/// A difference OpenSSL and oxssl are allowed to have, with its argument.
pub struct Divergence {
    /// Short name.
    pub name: &'static str,
    /// Why it is acceptable (never: oxssl accepts what OpenSSL refuses).
    pub argument: &'static str,
    /// Whether a difference is this one.
    pub applies: fn(&Spec, &Outcome, Kind) -> bool,
}

/// The listed, argued divergences. None may be of kind [`Kind::Accepts`].
pub static DIVERGENCES: &[Divergence] = &[];

/// One difference.
#[derive(Clone, Debug)]
pub struct Diff {
    /// How the verdicts differ.
    pub kind: Kind,
    /// Under which callback policy.
    pub policy: Policy,
    /// The category (kind, policy kind, codes).
    pub category: String,
    /// The known defect it looks like.
    pub known: Option<Known>,
    /// The listed divergence it is.
    pub allowed: Option<&'static str>,
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

fn errors(v: &Verdict) -> Vec<(i32, u32)> {
    let mut e: Vec<(i32, u32)> = v
        .calls
        .iter()
        .filter(|c| !c.ok)
        .map(|c| (c.error, c.depth))
        .collect();
    if !v.ok || v.code != 0 {
        e.push((v.code, v.depth));
    }
    e
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

fn known(spec: &Spec, o: &Outcome, default_agrees: bool) -> Option<Known> {
    let (a, b) = (&o.openssl, &o.oxssl);
    let nc_codes = |v: &Verdict| {
        errors(v)
            .iter()
            .any(|(c, d)| *d == 0 && (*c == 47 || *c == 48))
    };
    let leaf = spec.leaf();
    let dns_host = spec
        .host
        .as_deref()
        .is_some_and(|h| h.parse::<std::net::IpAddr>().is_err());
    let no_dns_san = !leaf
        .sans
        .iter()
        .any(|s| matches!(s, rcgen::SanType::DnsName(_)));
    if dns_host && no_dns_san && nc_codes(a) && !nc_codes(b) {
        return Some(Known::CnFallback);
    }
    let theirs = errors(a);
    let ours = errors(b);
    if o.policy.forgives()
        && default_agrees
        && theirs.iter().any(|(c, _)| !ours.iter().any(|(x, _)| x == c))
    {
        return Some(Known::ForgivenHides);
    }
    spec.has_decoy().then_some(Known::DecoyPath)
}

/// The differences in one case's outcomes.
pub fn compare(spec: &Spec, outcomes: &[Outcome]) -> Vec<Diff> {
    let default_agrees = outcomes
        .iter()
        .filter(|o| o.policy == Policy::Default)
        .all(|o| kind_of(&o.openssl, &o.oxssl).is_none());
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
        let allowed = DIVERGENCES
            .iter()
            .find(|d| kind != Kind::Accepts && (d.applies)(spec, o, kind))
            .map(|d| d.name);
        out.push(Diff {
            kind,
            policy: o.policy,
            category,
            known: known(spec, o, default_agrees),
            allowed,
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
            .unwrap_or_else(|| if der.is_empty() { "-".into() } else { "?".into() })
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
    /// Differences counted (one per case and policy).
    pub count: usize,
    /// Known defects among them.
    pub known: BTreeMap<Known, usize>,
    /// The listed divergence, if it is one.
    pub allowed: Option<&'static str>,
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
    /// Cases with a difference that is neither a listed divergence nor a known defect.
    pub unexplained_cases: usize,
    /// By category.
    pub categories: BTreeMap<String, Category>,
}

impl Tally {
    /// Adds one case.
    pub fn add(&mut self, seed: u64, spec: &Spec, policies: usize, diffs: &[Diff]) {
        self.cases += 1;
        self.comparisons += policies;
        if !diffs.is_empty() {
            self.differing_cases += 1;
        }
        if diffs.iter().any(|d| d.allowed.is_none() && d.known.is_none()) {
            self.unexplained_cases += 1;
        }
        let size = spec.size();
        for d in diffs {
            let c = self
                .categories
                .entry(d.category.clone())
                .or_insert_with(|| Category {
                    kind: d.kind,
                    count: 0,
                    known: BTreeMap::new(),
                    allowed: d.allowed,
                    seed,
                    size,
                    policy: d.policy,
                });
            c.count += 1;
            if let Some(k) = d.known {
                *c.known.entry(k).or_default() += 1;
            }
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
        self.unexplained_cases += other.unexplained_cases;
        for (k, v) in other.categories {
            match self.categories.get_mut(&k) {
                None => {
                    self.categories.insert(k, v);
                }
                Some(c) => {
                    c.count += v.count;
                    for (known, n) in v.known {
                        *c.known.entry(known).or_default() += n;
                    }
                    if v.size < c.size || (v.size == c.size && v.seed < c.seed) {
                        c.seed = v.seed;
                        c.size = v.size;
                        c.policy = v.policy;
                    }
                }
            }
        }
    }

    /// Whether a difference neither listed nor known was seen.
    pub fn unlisted(&self) -> impl Iterator<Item = (&String, &Category)> {
        self.categories.iter().filter(|(_, c)| c.allowed.is_none())
    }

    /// The report: totals, then each category (most serious kind first) with its count,
    /// direction, known-defect share and the seed of its smallest case; `example` gives
    /// the smallest case's story.
    pub fn markdown(&self, example: impl Fn(u64, Policy) -> String) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} cases, {} verifications compared per library, {} cases with a difference \
             ({} with one that is neither a listed divergence nor a recognised known defect).\n",
            self.cases, self.comparisons, self.differing_cases, self.unexplained_cases
        );
        let mut cats: Vec<(&String, &Category)> = self.categories.iter().collect();
        cats.sort_by_key(|(name, c)| (c.kind, std::cmp::Reverse(c.count), (*name).clone()));
        let _ = writeln!(s, "| kind | category | count | known defect | listed | seed |");
        let _ = writeln!(s, "|---|---|---|---|---|---|");
        for (name, c) in &cats {
            let known: Vec<String> = c.known.iter().map(|(k, n)| format!("{k:?} {n}")).collect();
            let _ = writeln!(
                s,
                "| {:?} | {} | {} | {} | {} | {} |",
                c.kind,
                name,
                c.count,
                known.join(", "),
                c.allowed.unwrap_or(""),
                c.seed
            );
        }
        for (name, c) in &cats {
            let _ = writeln!(
                s,
                "\n### {name}\n{} differences; smallest case: seed {} ({:?})\n```\n{}```",
                c.count,
                c.seed,
                c.policy,
                example(c.seed, c.policy)
            );
        }
        s
    }
}
