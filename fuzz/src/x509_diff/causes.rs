//! The root causes the classifier knows: listed divergences (accepted by the tests, never
//! for a chain oxssl accepts and OpenSSL refuses) and defects, each recognised from a case's
//! ingredients, the path each library showed its callback, and where the two verdicts part.

use rcgen::GeneralSubtree;

use super::gen::{Bc, CertSpec, Role, Spec};
use super::keys::{is_rsa, RSA1024};
use super::oracle::{Call, Outcome, Verdict};

/// Every failure a verification reported: the callback's error calls, then the final code
/// (code, depth).
pub(super) fn errors(v: &Verdict) -> Vec<(i32, u32)> {
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

/// What a case looks like to the cause detectors: the spec and the path each library
/// built (spec indices of the longest chain any of its callback calls showed).
pub struct View<'a> {
    /// The case.
    pub spec: &'a Spec,
    /// OpenSSL's path.
    pub openssl_path: Vec<usize>,
    /// oxssl's path.
    pub oxssl_path: Vec<usize>,
}

/// One event of a verification: a callback call or, past the calls, the verdict
/// (preverify_ok or passed, depth, error).
pub type Event = (bool, u32, i32);

/// Where two verdicts first part: each side's event at the first call that differs (in
/// preverify_ok, depth, error or certificate), or the verdicts when the calls agree;
/// `None` on a side that has no event there.
#[derive(Clone, Copy, Debug)]
pub struct Split {
    /// OpenSSL's event.
    pub openssl: Option<Event>,
    /// oxssl's event.
    pub oxssl: Option<Event>,
}

impl Split {
    /// Where `o`'s two verdicts part.
    pub fn of(o: &Outcome) -> Split {
        let (a, b) = (&o.openssl.calls, &o.oxssl.calls);
        let key = |c: &Call| (c.ok, c.depth, c.error, c.cert.clone());
        let ev = |c: &Call| (c.ok, c.depth, c.error);
        match (0..a.len().max(b.len())).find(|i| a.get(*i).map(key) != b.get(*i).map(key)) {
            Some(i) => Split {
                openssl: a.get(i).map(ev),
                oxssl: b.get(i).map(ev),
            },
            None => Split {
                openssl: Some((o.openssl.ok, o.openssl.depth, o.openssl.code)),
                oxssl: Some((o.oxssl.ok, o.oxssl.depth, o.oxssl.code)),
            },
        }
    }

    /// The error oxssl reports where OpenSSL does something else.
    fn oxssl_error(&self) -> Option<(u32, i32)> {
        match self.oxssl {
            Some((false, d, e)) if e != 0 => Some((d, e)),
            _ => None,
        }
    }

    /// The error OpenSSL reports where oxssl does something else.
    fn openssl_error(&self) -> Option<(u32, i32)> {
        match self.openssl {
            Some((false, d, e)) if e != 0 => Some((d, e)),
            _ => None,
        }
    }
}

/// A root cause of differences: a defect of oxssl (to fix) or a listed, argued
/// divergence (the tests accept it, unless it would make oxssl accept what OpenSSL
/// refuses).
#[derive(Debug)]
pub struct Cause {
    /// Short id: "a".."c" are issue 16's known defects, "d".. found by this
    /// differential, "D1".. listed divergences.
    pub id: &'static str,
    /// What happens.
    pub title: &'static str,
    /// A listed divergence (accepted by the tests) rather than a defect.
    pub listed: bool,
    /// Whether a difference is this one (heuristic: the case's ingredients, the paths,
    /// and where the verdicts first part).
    pub applies: fn(&View<'_>, &Outcome, &Split) -> bool,
}

/// OpenSSL's errors (code, depth) matching `want` that oxssl's errors lack.
fn missing(o: &Outcome, want: impl Fn(i32, u32) -> bool) -> Vec<(i32, u32)> {
    let ours = errors(&o.oxssl);
    errors(&o.openssl)
        .into_iter()
        .filter(|(c, d)| want(*c, *d) && !ours.contains(&(*c, *d)))
        .collect()
}

fn partial_wildcard(n: &str) -> bool {
    n.contains('*') && !n.starts_with("*.")
}

/// Whether the certificate at `depth` of `path` is a link auth level 2 refuses (SHA-1
/// signature, RSA key under 2048 bits as signer).
fn weak_link(spec: &Spec, path: &[usize], depth: u32) -> bool {
    path.get(depth as usize)
        .is_some_and(|i| spec.certs[*i].sha1 || spec.certs[*i].signer == RSA1024)
}

/// The causes, listed divergences first, then defects (issue 16's a-c, then those this
/// differential found), the catch-all last; a difference is attributed to the first that
/// applies.
pub static CAUSES: &[Cause] = &[
    Cause {
        id: "D1",
        title: "partial-label wildcards (w*.example.com) are not matched (HOSTNAME_MISMATCH), \
                and under name constraints are UNSUPPORTED_NAME_SYNTAX (webpki; RFC 6125 6.4.3 \
                lets a client refuse them; OpenSSL matches them unless \
                X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS)",
        listed: true,
        applies: |v, _, split| {
            let leaf = v.spec.leaf();
            let has = leaf.subject.as_deref().is_some_and(partial_wildcard)
                || leaf.sans.iter().any(
                    |s| matches!(s, rcgen::SanType::DnsName(n) if partial_wildcard(n.as_str())),
                );
            has && matches!(split.oxssl_error(), Some((0, 62 | 53)))
        },
    },
    Cause {
        id: "D2",
        title: "a leaf with basicConstraints CA:TRUE is refused with INVALID_NON_CA (webpki \
                CaUsedAsEndEntity); OpenSSL accepts it for TLS",
        listed: true,
        applies: |v, _, split| {
            v.spec.leaf().bc == Bc::Ca(None) && matches!(split.oxssl_error(), Some((0, 37)))
        },
    },
    Cause {
        id: "D3",
        title: "a self-issued intermediate (key rollover) counts against a pathLenConstraint \
                above it (webpki; RFC 5280 6.1.4 (l) does not count it, nor does OpenSSL): \
                refused with PATH_LENGTH_EXCEEDED (or, see cause k, a wrong code)",
        listed: true,
        applies: |v, _, split| {
            let on_path =
                |f: &dyn Fn(&CertSpec) -> bool| v.oxssl_path.iter().any(|i| f(&v.spec.certs[*i]));
            on_path(&|c| matches!(c.role, Role::Rollover { .. }))
                && on_path(&|c| matches!(c.bc, Bc::Ca(Some(_))))
                && matches!(split.oxssl_error(), Some((_, 25)))
        },
    },
    Cause {
        id: "D4",
        title: "a link auth level 2 refuses (SHA-1 signature: CA_MD_TOO_WEAK; RSA issuer key \
                under 2048 bits: CA_KEY_TOO_SMALL) that a callback let through is verified \
                with aws-lc's legacy verifiers, except where aws-lc has none (ECDSA P-384 \
                with SHA-1, RSA-1024 with SHA-384): that link is then reported \
                UNSUPPORTED_SIGNATURE_ALGORITHM (or CERT_SIGNATURE_FAILURE) where OpenSSL \
                verifies the signature",
        listed: true,
        applies: |v, _, split| match split.oxssl_error() {
            Some((d, 7 | 76)) => weak_link(v.spec, &v.oxssl_path, d),
            _ => false,
        },
    },
    Cause {
        id: "D5",
        title: "email (rfc822Name) name constraints are not evaluated: a leaf with an email \
                SAN under any email constraint is refused with PERMITTED_VIOLATION (webpki \
                fails closed, as RFC 5280 4.2.1.10 allows for a name form it does not \
                process); OpenSSL evaluates them",
        listed: true,
        applies: |v, _, split| {
            let email_san = v
                .spec
                .leaf()
                .sans
                .iter()
                .any(|s| matches!(s, rcgen::SanType::Rfc822Name(_)));
            let email_nc = v.oxssl_path.iter().any(|i| {
                v.spec.certs[*i].nc.as_ref().is_some_and(|nc| {
                    nc.permitted_subtrees
                        .iter()
                        .chain(&nc.excluded_subtrees)
                        .any(|t| matches!(t, rcgen::GeneralSubtree::Rfc822Name(_)))
                })
            });
            email_san && email_nc && matches!(split.oxssl_error(), Some((0, 47)))
        },
    },
    Cause {
        id: "D6",
        title: "a wildcard SAN (*.example.com) that could cover an excluded DNS subtree \
                (www.example.com) is refused (webpki); OpenSSL compares the literal name, \
                which is not inside the subtree, and accepts",
        listed: true,
        applies: |v, _, split| {
            let wildcard =
                v.spec.leaf().sans.iter().any(
                    |s| matches!(s, rcgen::SanType::DnsName(n) if n.as_str().starts_with("*.")),
                );
            let excluded = v.oxssl_path.iter().any(|i| {
                v.spec.certs[*i].nc.as_ref().is_some_and(|nc| {
                    nc.excluded_subtrees
                        .iter()
                        .any(|t| matches!(t, rcgen::GeneralSubtree::DnsName(_)))
                })
            });
            wildcard
                && excluded
                && split.openssl_error().is_none()
                && matches!(split.oxssl_error(), Some((0, 47 | 48)))
        },
    },
    Cause {
        id: "D7",
        title: "after a callback let an error through, OpenSSL reports a chain it cannot \
                complete with that same (sticky) code at the top (build_chain(): \"a \
                preliminary error has become final\"), so a callback forgiving that code \
                accepts a chain without a trust anchor; oxssl reports the missing issuer \
                (UNABLE_TO_GET_ISSUER_CERT(_LOCALLY), SELF_SIGNED_CERT_IN_CHAIN, \
                CERT_CHAIN_TOO_LONG) and the callback decides on that",
        listed: true,
        applies: |_, o, _| {
            // OpenSSL's re-report: a failure code it reported before, reported again (at the
            // top, which may be the same depth), more often than oxssl reports it there,
            // where oxssl reports the missing anchor instead.
            let calls = &o.openssl.calls;
            let reused = calls.iter().enumerate().find_map(|(i, c)| {
                let again = !c.ok && calls[..i].iter().any(|e| !e.ok && e.error == c.error);
                again.then_some((c.error, c.depth))
            });
            reused.is_some_and(|(code, depth)| {
                let reports = |calls: &[Call]| {
                    calls
                        .iter()
                        .filter(|c| !c.ok && c.depth == depth && c.error == code)
                        .count()
                };
                o.oxssl.calls.iter().any(|c| {
                    !c.ok && c.depth == depth && matches!(c.error, 2 | 18 | 19 | 20 | 21 | 22)
                }) && reports(&o.oxssl.calls) < reports(&o.openssl.calls)
            })
        },
    },
    Cause {
        id: "D8",
        title: "a path with more than six intermediates is refused with CERT_CHAIN_TOO_LONG \
                (webpki bounds its path building at six; OpenSSL's default depth is 100)",
        listed: true,
        applies: |v, _, split| {
            let anchor = v.oxssl_path.len().saturating_sub(1);
            anchor > 7 && matches!(split.oxssl_error(), Some((_, 22)))
        },
    },
    Cause {
        id: "a",
        title: "a leaf without a DNS SAN escapes DNS name constraints through its CN: \
                OpenSSL checks a CN that looks like a host name against them \
                (NAME_CONSTRAINTS_check_CN: 47/48 at depth 0) whether or not a host is checked",
        listed: false,
        applies: |v, o, _| {
            // Only the CN can be what OpenSSL finds outside the constraints: no DNS SAN, a
            // DNS constraint, and (when a callback may have let webpki's own failures
            // through) no IP or email SAN under a constraint of its kind.
            let sans = &v.spec.leaf().sans;
            let has_san = |f: fn(&rcgen::SanType) -> bool| sans.iter().any(f);
            let constrained = |f: fn(&GeneralSubtree) -> bool| {
                v.oxssl_path.iter().any(|i| {
                    v.spec.certs[*i].nc.as_ref().is_some_and(|nc| {
                        nc.permitted_subtrees
                            .iter()
                            .chain(&nc.excluded_subtrees)
                            .any(f)
                    })
                })
            };
            let no_dns_san = !has_san(|s| matches!(s, rcgen::SanType::DnsName(_)));
            let other_names_constrained = (has_san(|s| matches!(s, rcgen::SanType::IpAddress(_)))
                && constrained(|t| matches!(t, GeneralSubtree::IpAddress(_))))
                || (has_san(|s| matches!(s, rcgen::SanType::Rfc822Name(_)))
                    && constrained(|t| matches!(t, GeneralSubtree::Rfc822Name(_))));
            let cn_only = no_dns_san
                && constrained(|t| matches!(t, GeneralSubtree::DnsName(_)))
                && (!o.policy.forgives() || !other_names_constrained);
            cn_only && !missing(o, |c, d| d == 0 && (c == 47 || c == 48)).is_empty()
        },
    },
    Cause {
        id: "b",
        title: "the walk trusts webpki's answer for its own path: when webpki verified another \
                path (a trusted decoy or a trusted intermediate gives it a shortcut), the \
                callback gets preverify_ok=1 for a certificate whose signature on the reported \
                path is bad, and a forged chain is reported as verified (OpenSSL: 7)",
        listed: false,
        applies: |v, o, split| {
            let bad = forged_links(v.spec, &v.oxssl_path);
            let verdict = o.oxssl.ok
                && matches!(split.openssl_error(), Some((d, 7)) if bad.contains(&(d as usize)));
            // A bad link OpenSSL reports and oxssl does not, whatever else it reports there.
            let ours = errors(&o.oxssl);
            let unseen = bad.iter().any(|d| {
                let d = *d as u32;
                errors(&o.openssl).contains(&(7, d))
                    && !ours.contains(&(7, d))
                    && !ours.contains(&(76, d))
            });
            verdict
                || unseen
                || o.oxssl.calls.iter().enumerate().any(|(i, c)| {
                    c.ok && c.chain.len() == v.oxssl_path.len()
                        && bad.contains(&(c.depth as usize))
                        && !o.oxssl.calls[..i]
                            .iter()
                            .any(|e| !e.ok && e.depth == c.depth)
                })
        },
    },
    Cause {
        id: "o",
        title: "a trusted intermediate ends webpki's path: the name constraints of the CAs \
                above it (on the chain the walk and OpenSSL report, up to a self-signed root) \
                are never applied, so a leaf outside them is accepted (OpenSSL: 47/48)",
        listed: false,
        applies: |v, o, _| {
            let cut = v.oxssl_path.iter().enumerate().any(|(n, i)| {
                v.spec.store.contains(i) && !v.spec.self_issued(*i) && n + 1 < v.oxssl_path.len()
            });
            cut && !missing(o, |c, d| d == 0 && (c == 47 || c == 48)).is_empty()
        },
    },
    Cause {
        id: "c",
        title: "once a callback forgives an error, the name-constraint failures only webpki \
                detects are not reported",
        listed: false,
        applies: |_, o, _| o.policy.forgives() && !missing(o, |c, _| c == 47 || c == 48).is_empty(),
    },
    Cause {
        id: "d",
        title: "after a trusted certificate that is not self-signed, OpenSSL looks for further \
                issuers in the trust store only (UNABLE_TO_GET_ISSUER_CERT when there is none); \
                oxssl goes on with the presented certificates",
        listed: false,
        applies: |v, _, _| {
            v.oxssl_path.windows(2).any(|w| {
                v.spec.store.contains(&w[0])
                    && !v.spec.self_issued(w[0])
                    && !v.spec.store.contains(&w[1])
            })
        },
    },
    Cause {
        id: "f",
        title: "issuer and self-signed checks ignore the signature algorithm: OpenSSL's \
                ossl_x509_likely_issued() (also behind \"self-signed\") skips a candidate whose \
                key type cannot have made the child's signature; oxssl picks it (or takes a \
                self-issued certificate signed by another key type for self-signed) and fails \
                the link",
        listed: false,
        applies: |v, _, _| {
            mismatched_top(v.spec, &v.oxssl_path)
                || (mismatched_link(v.spec, &v.oxssl_path) && v.oxssl_path != v.openssl_path)
        },
    },
    Cause {
        id: "h",
        title: "the issuer of a self-issued certificate (a key rollover) is not looked up in \
                the trust store (OpenSSL: get1_trusted_issuer() \"must be used even if \
                self-signed\"): oxssl takes it from the presented chain (untrusted: \
                UNABLE_TO_GET_ISSUER_CERT_LOCALLY instead of UNABLE_TO_GET_ISSUER_CERT) or \
                finds none",
        listed: false,
        applies: |v, _, _| {
            v.oxssl_path.iter().any(|i| {
                let c = &v.spec.certs[*i];
                let name = Some(c.issuer.clone());
                let issuer_trusted = v.spec.store.iter().any(|t| {
                    let t = &v.spec.certs[*t];
                    t.subject == name && t.skid == c.akid
                });
                v.spec.self_issued(*i) && c.akid != c.skid && issuer_trusted
            })
        },
    },
    Cause {
        id: "i",
        title: "a self-issued top that is not self-signed (its authority key identifier names \
                another key) is taken for self-signed: with its issuer missing and the error \
                forgiven, the callback gets preverify_ok=1 for it though no signature of it \
                was checked (OpenSSL's internal_verify() starts below it)",
        listed: false,
        applies: |v, o, _| {
            let Some(&top) = v.oxssl_path.last() else {
                return false;
            };
            let c = &v.spec.certs[top];
            let der_of = |calls: &[Call]| {
                calls.iter().any(|x| {
                    x.ok && x.chain.len() == v.oxssl_path.len()
                        && x.depth as usize + 1 == v.oxssl_path.len()
                })
            };
            v.spec.self_issued(top)
                && c.akid != c.skid
                && der_of(&o.oxssl.calls)
                && !der_of(&o.openssl.calls)
        },
    },
    Cause {
        id: "e",
        title: "OpenSSL 3.x checks the leaf's key size (EE_KEY_TOO_SMALL) before building \
                the chain (the callback's chain then holds the leaf only); oxssl after path \
                building and the extension checks",
        listed: false,
        applies: |v, o, _| {
            v.spec.leaf().key == RSA1024
                && errors(&o.openssl).first() == Some(&(66, 0))
                && (errors(&o.oxssl).first() != Some(&(66, 0))
                    || o.oxssl.calls.first().map(|c| c.chain.len())
                        != o.openssl.calls.first().map(|c| c.chain.len()))
        },
    },
    Cause {
        id: "g",
        title: "KEYUSAGE_NO_CERTSIGN (32), which OpenSSL reports in the signature stage for an \
                issuer whose keyUsage lacks keyCertSign, is never reported (visible when a \
                callback lets the earlier INVALID_CA through)",
        listed: false,
        applies: |_, o, _| !missing(o, |c, _| c == 32).is_empty(),
    },
    Cause {
        id: "k",
        title: "CERT_SIGNATURE_FAILURE or SIGNATURE_ALGORITHM_MISMATCH reported for a link \
                whose signature is good: webpki, having tried more than one path (a rollover \
                or a decoy offers a second candidate), returns the error of another attempt, \
                which map_webpki() reports (at depth 0) instead of the failure of the path the \
                walk reports (OpenSSL: that failure, e.g. PERMITTED_VIOLATION, or none)",
        listed: false,
        applies: |v, _, split| match split.oxssl_error() {
            Some((d, 7 | 77)) => {
                !forged_links(v.spec, &v.oxssl_path).contains(&(d as usize))
                    && !weak_link(v.spec, &v.oxssl_path, d)
            }
            _ => false,
        },
    },
    Cause {
        id: "l",
        title: "PERMITTED_VIOLATION and EXCLUDED_VIOLATION chosen unlike OpenSSL's nc_match() \
                (which checks a name against the permitted subtrees first; and exclusions of IP \
                addresses and emails are not considered by map_webpki)",
        listed: false,
        applies: |_, _, split| {
            matches!(
                (split.openssl_error(), split.oxssl_error()),
                (Some((0, 47)), Some((0, 48))) | (Some((0, 48)), Some((0, 47)))
            )
        },
    },
    Cause {
        id: "m",
        title: "after CERT_CHAIN_TOO_LONG, a self-signed untrusted top is reported as \
                UNABLE_TO_GET_ISSUER_CERT(_LOCALLY); OpenSSL: SELF_SIGNED_CERT_IN_CHAIN",
        listed: false,
        applies: |_, o, split| {
            matches!(split.openssl_error(), Some((_, 18 | 19)))
                && matches!(split.oxssl_error(), Some((_, 2 | 20)))
                && errors(&o.oxssl).iter().any(|(c, _)| *c == 22)
        },
    },
    Cause {
        id: "n",
        title: "a name that violates the constraints of several CAs is reported once; OpenSSL's \
                check_name_constraints() calls the callback once per constraining CA",
        listed: false,
        applies: |_, o, _| {
            let count = |v: &Verdict| {
                v.calls
                    .iter()
                    .filter(|c| !c.ok && (c.error == 47 || c.error == 48))
                    .count()
            };
            count(&o.openssl) > count(&o.oxssl) && count(&o.oxssl) > 0
        },
    },
    Cause {
        id: "j",
        title: "with decoys (a real CA's name and key identifier, another key) the path \
                differs from OpenSSL's (catch-all after the causes above)",
        listed: false,
        applies: |v, _, _| v.spec.has_decoy() && v.oxssl_path != v.openssl_path,
    },
];

/// Whether the self-issued top of `path` was signed by another key type than its own
/// (so OpenSSL does not take it for self-signed).
fn mismatched_top(spec: &Spec, path: &[usize]) -> bool {
    path.last().is_some_and(|i| {
        let c = &spec.certs[*i];
        spec.self_issued(*i) && is_rsa(c.signer) != is_rsa(c.key)
    })
}

/// The depths of `path` whose certificate's signature does not verify with the next
/// one's key (signed by another key, or corrupted).
fn forged_links(spec: &Spec, path: &[usize]) -> Vec<usize> {
    path.windows(2)
        .enumerate()
        .filter(|(_, w)| {
            let (child, parent) = (&spec.certs[w[0]], &spec.certs[w[1]]);
            child.corrupt || child.signer != parent.key
        })
        .map(|(d, _)| d)
        .collect()
}

/// Whether a link of `path` pairs a child with an issuer whose key type cannot have made
/// the child's signature.
fn mismatched_link(spec: &Spec, path: &[usize]) -> bool {
    path.windows(2).any(|w| {
        let (child, parent) = (&spec.certs[w[0]], &spec.certs[w[1]]);
        w[0] != w[1] && is_rsa(child.signer) != is_rsa(parent.key)
    })
}
