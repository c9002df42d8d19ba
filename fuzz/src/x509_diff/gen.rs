//! The generator: a [`Spec`] (certificates as data, the presented chain, the trust store,
//! purpose, host, depth) drawn from a [`Source`] of choices; [`super::build`] makes it DER.
//!
//! Every choice is `Source::below(n)`; the first alternative of each choice is the common,
//! benign one, so a fuzzer's short input (the source answers 0 once it runs dry) is a
//! plain valid chain and every extra byte adds an ingredient.

use std::fmt::Write as _;
use std::net::IpAddr;

use rcgen::{
    CidrSubnet, ExtendedKeyUsagePurpose as Eku, GeneralSubtree, KeyUsagePurpose as Ku,
    NameConstraints, SanType,
};

use super::keys::{P256_KEYS, P384, RSA1024, RSA2048};

/// Where the generator's choices come from: a seeded generator (tests) or fuzzer bytes.
pub enum Source<'a> {
    /// SplitMix64 state.
    Seed(u64),
    /// Fuzzer input; 0 once exhausted.
    Bytes(&'a [u8]),
}

impl Source<'_> {
    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u32) -> u32 {
        if n <= 1 {
            return 0;
        }
        let v = match self {
            Source::Seed(s) => {
                *s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = *s;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                z ^ (z >> 31)
            }
            Source::Bytes(b) => {
                let take = if n <= 256 { 1 } else { 4 }.min(b.len());
                let (head, rest) = b.split_at(take);
                *b = rest;
                head.iter().fold(0u64, |a, x| (a << 8) | u64::from(*x))
            }
        };
        u32::try_from(v % u64::from(n)).unwrap_or(0)
    }

    /// True with `percent`% probability (false when the bytes have run out).
    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) >= 100 - percent.min(100)
    }

    /// One of `items` by weight; the first is what an exhausted source picks.
    pub fn weighted<T: Clone>(&mut self, items: &[(u32, T)]) -> T {
        let total = items.iter().map(|(w, _)| w).sum();
        let mut r = self.below(total);
        for (w, v) in items {
            if r < *w {
                return v.clone();
            }
            r -= w;
        }
        items[0].1.clone()
    }

    /// Any element of a non-empty slice.
    pub fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u32) as usize].clone()
    }
}

// ---------------------------------------------------------------------------------------
// The specification

/// The verification time of every case: 2026-06-01T00:00:00Z.
pub const NOW: u64 = 1_780_272_000;

/// A certificate's validity window relative to [`NOW`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    /// 2025..2028.
    Valid,
    /// 2020..2025.
    Expired,
    /// 2027..2030.
    NotYetValid,
}

/// basicConstraints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bc {
    /// No extension.
    Absent,
    /// CA:FALSE.
    NotCa,
    /// CA:TRUE with an optional pathLenConstraint.
    Ca(Option<u8>),
}

/// What a certificate is in the scenario (for reports and the known-defect detectors).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// The real trust anchor.
    Root,
    /// The real intermediate at this depth from the root (1 = under the root).
    Inter(usize),
    /// The end entity.
    Leaf,
    /// A root of its own (cross-signer, unrelated anchor).
    OtherRoot,
    /// The real root's name and key, issued by another root.
    Cross,
    /// Subject and key identifier of certificate `of`, another key.
    Decoy {
        /// The certificate imitated.
        of: usize,
        /// How it is signed.
        kind: DecoyKind,
    },
    /// Self-issued (subject == issuer == certificate `of`'s name), new key, signed by
    /// `of`'s key: a key rollover the real path goes through.
    Rollover {
        /// The certificate whose name it carries.
        of: usize,
    },
}

/// How a decoy is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecoyKind {
    /// By the imitated certificate's real issuer (a valid certificate for the wrong key).
    ByRealIssuer,
    /// By its own key (a self-signed look-alike).
    SelfSigned,
    /// Claims the real issuer's name, signed by an unrelated key.
    Forged,
    /// Self-issued (subject == issuer), forged.
    SelfIssuedForged,
}

/// A certificate as data.
#[derive(Clone, Debug)]
pub struct CertSpec {
    /// What it is.
    pub role: Role,
    /// Subject CN; CA names also get `O=oxssl generative`.
    pub subject: Option<String>,
    /// Whether the subject is a CA-style name (with the O attribute).
    pub ca_name: bool,
    /// Issuer CN (always a CA-style name).
    pub issuer: String,
    /// subjectKeyIdentifier value tag (`None`: rcgen's hash of the key).
    pub skid: Option<u32>,
    /// authorityKeyIdentifier value tag (`None`: no extension).
    pub akid: Option<u32>,
    /// Pool index of the subject key.
    pub key: usize,
    /// Pool index of the signing key.
    pub signer: usize,
    /// basicConstraints.
    pub bc: Bc,
    /// keyUsage (empty: no extension).
    pub ku: Vec<Ku>,
    /// extendedKeyUsage (empty: no extension).
    pub eku: Vec<Eku>,
    /// nameConstraints.
    pub nc: Option<NameConstraints>,
    /// subjectAltName entries.
    pub sans: Vec<SanType>,
    /// Validity window.
    pub validity: Validity,
    /// Signed with SHA-1.
    pub sha1: bool,
    /// Last signature byte flipped.
    pub corrupt: bool,
}

/// One generated case.
#[derive(Clone, Debug)]
pub struct Spec {
    /// Every certificate made.
    pub certs: Vec<CertSpec>,
    /// The presented chain, leaf first (indices into `certs`).
    pub chain: Vec<usize>,
    /// The trust store (indices into `certs`).
    pub store: Vec<usize>,
    /// Client-auth purpose instead of server-auth.
    pub client_auth: bool,
    /// Host name or IP literal to check.
    pub host: Option<String>,
    /// `SSL_CTX_set_verify_depth` (None: default 100).
    pub depth: Option<u32>,
    /// The depth the "forgive at one depth" policy forgives.
    pub forgive_depth: u32,
    /// Whether forgiving policies also clear the error (`set_error(OK)`).
    pub clear: bool,
}

const DNS_SANS: &[&str] = &[
    "www.example.com",
    "example.com",
    "a.b.example.com",
    "*.example.com",
    "w*.example.com",
    "www.victim.org",
    "victim.org",
    "*.victim.org",
    "example.com.victim.org",
];
const IPS: &[&str] = &[
    "10.1.2.3",
    "192.168.1.5",
    "10.200.0.1",
    "2001:db8::1",
    "fe80::1",
    "127.0.0.1",
];
const EMAILS: &[&str] = &[
    "user@example.com",
    "user@victim.org",
    "admin@mail.example.com",
];
const HOSTS: &[&str] = &[
    "www.example.com",
    "example.com",
    "foo.example.com",
    "a.b.example.com",
    "www.victim.org",
    "victim.org",
    "WWW.Example.COM",
    "wx.example.com",
    "example.com.victim.org",
    "10.9.9.9",
];

/// Who a certificate is and who signs it.
struct Link<'n> {
    subject: &'n str,
    issuer: &'n str,
    skid: u32,
    akid: Option<u32>,
    key: usize,
    signer: usize,
}

impl<'n> Link<'n> {
    /// A self-signed certificate.
    fn root(name: &'n str, kid: u32, key: usize) -> Self {
        Link {
            subject: name,
            issuer: name,
            skid: kid,
            akid: Some(kid),
            key,
            signer: key,
        }
    }
}

struct Gen<'s, 'a> {
    src: &'s mut Source<'a>,
    certs: Vec<CertSpec>,
    next_kid: u32,
    used_keys: Vec<usize>,
}

impl Gen<'_, '_> {
    fn kid(&mut self) -> u32 {
        self.next_kid += 1;
        self.next_kid
    }

    /// A key for a new identity: mostly a P-256 key no other identity uses yet.
    fn key(&mut self) -> usize {
        let k = self
            .src
            .weighted(&[(82, 0), (6, P384), (8, RSA2048), (4, RSA1024)]);
        if k != 0 {
            return k;
        }
        let fresh: Vec<usize> = (0..P256_KEYS)
            .filter(|k| !self.used_keys.contains(k))
            .collect();
        let k = if fresh.is_empty() {
            self.src.below(P256_KEYS as u32) as usize
        } else {
            self.src.pick(&fresh)
        };
        self.used_keys.push(k);
        k
    }

    /// A key other than `not`.
    fn other_key(&mut self, not: usize) -> usize {
        let k = self.key();
        if k == not {
            (k + 1) % P256_KEYS
        } else {
            k
        }
    }

    fn validity(&mut self) -> Validity {
        self.src.weighted(&[
            (90, Validity::Valid),
            (6, Validity::Expired),
            (4, Validity::NotYetValid),
        ])
    }

    /// A plain CA certificate (unconstrained, keyCertSign, valid).
    fn ca(&mut self, role: Role, l: Link<'_>) -> usize {
        let Link {
            subject,
            issuer,
            skid,
            akid,
            key,
            signer,
        } = l;
        self.certs.push(CertSpec {
            role,
            subject: Some(subject.to_string()),
            ca_name: true,
            issuer: issuer.to_string(),
            skid: Some(skid),
            akid,
            key,
            signer,
            bc: Bc::Ca(None),
            ku: vec![Ku::KeyCertSign, Ku::CrlSign, Ku::DigitalSignature],
            eku: Vec::new(),
            nc: None,
            sans: Vec::new(),
            validity: Validity::Valid,
            sha1: false,
            corrupt: false,
        });
        self.certs.len() - 1
    }

    /// The CA ingredients: basicConstraints, keyUsage, EKU, name constraints, validity,
    /// digest, signature.
    fn mutate_ca(&mut self, i: usize) {
        let bc = self.src.weighted(&[(80, 0), (12, 1), (4, 2), (4, 3)]);
        let bc = match bc {
            1 => Bc::Ca(Some(self.src.below(3) as u8)),
            2 => Bc::NotCa,
            3 => Bc::Absent,
            _ => Bc::Ca(None),
        };
        let ku = self.src.weighted(&[
            (90, vec![Ku::KeyCertSign, Ku::CrlSign, Ku::DigitalSignature]),
            (5, vec![]),
            (5, vec![Ku::DigitalSignature]),
        ]);
        let eku = self.src.weighted(&[
            (80, vec![]),
            (8, vec![Eku::ServerAuth]),
            (6, vec![Eku::ClientAuth]),
            (6, vec![Eku::ServerAuth, Eku::ClientAuth]),
        ]);
        let nc = self.src.chance(15).then(|| self.name_constraints());
        let validity = self.validity();
        let sha1 = self.src.chance(4);
        let corrupt = self.src.chance(3);
        let c = &mut self.certs[i];
        c.bc = bc;
        c.ku = ku;
        c.eku = eku;
        c.nc = nc;
        c.validity = validity;
        c.sha1 = sha1;
        c.corrupt = corrupt;
    }

    fn subtree(&mut self) -> GeneralSubtree {
        match self.src.below(3) {
            0 => GeneralSubtree::DnsName(
                self.src
                    .pick(&[
                        "example.com",
                        ".example.com",
                        "victim.org",
                        "www.example.com",
                        "b.example.com",
                    ])
                    .to_string(),
            ),
            1 => {
                let (addr, prefix) = self.src.pick(&[
                    ("10.0.0.0", 8),
                    ("192.168.1.0", 24),
                    ("2001:db8::", 32),
                    ("10.1.2.3", 32),
                ]);
                GeneralSubtree::IpAddress(CidrSubnet::from_addr_prefix(
                    addr.parse::<IpAddr>().expect("ip"),
                    prefix,
                ))
            }
            _ => GeneralSubtree::Rfc822Name(
                self.src
                    .pick(&["example.com", ".example.com", "user@victim.org"])
                    .to_string(),
            ),
        }
    }

    fn name_constraints(&mut self) -> NameConstraints {
        let mut nc = NameConstraints {
            permitted_subtrees: Vec::new(),
            excluded_subtrees: Vec::new(),
        };
        for _ in 0..self.src.below(3) {
            let t = self.subtree();
            nc.permitted_subtrees.push(t);
        }
        for _ in 0..self.src.below(3) {
            let t = self.subtree();
            nc.excluded_subtrees.push(t);
        }
        if nc.permitted_subtrees.is_empty() && nc.excluded_subtrees.is_empty() {
            nc.permitted_subtrees
                .push(GeneralSubtree::DnsName("example.com".to_string()));
        }
        nc
    }

    /// The leaf's names: SANs of some kinds, and a CN.
    fn leaf_names(&mut self) -> (Vec<SanType>, Option<String>) {
        let dns = |g: &mut Self| SanType::DnsName(g.src.pick(DNS_SANS).try_into().expect("ia5"));
        let ip = |g: &mut Self| SanType::IpAddress(g.src.pick(IPS).parse().expect("ip"));
        let email = |g: &mut Self| SanType::Rfc822Name(g.src.pick(EMAILS).try_into().expect("ia5"));
        let mode = self
            .src
            .weighted(&[(50, 0), (10, 1), (10, 2), (8, 3), (17, 4), (5, 5)]);
        let mut sans = Vec::new();
        let count = 1 + self.src.below(3);
        for _ in 0..count {
            let s = match mode {
                0 => dns(self),
                1 => ip(self),
                2 if sans.is_empty() => dns(self),
                2 => ip(self),
                3 if sans.is_empty() => dns(self),
                3 => email(self),
                5 => email(self),
                _ => break,
            };
            sans.push(s);
        }
        let first_dns = sans.iter().find_map(|s| match s {
            SanType::DnsName(n) => Some(n.as_str().to_string()),
            _ => None,
        });
        let cn = match self.src.weighted(&[(60, 0), (25, 1), (10, 2), (5, 3)]) {
            0 => Some(first_dns.unwrap_or_else(|| self.src.pick(DNS_SANS).to_string())),
            1 => Some(self.src.pick(DNS_SANS).to_string()),
            2 => Some(
                self.src
                    .pick(&["Leaf", "10.1.2.3", "user@example.com"])
                    .to_string(),
            ),
            _ => None,
        };
        (sans, cn)
    }

    fn leaf(&mut self, issuer: usize) -> usize {
        let (sans, cn) = self.leaf_names();
        let key = self.key();
        let (iss_name, iss_kid, iss_key) = {
            let c = &self.certs[issuer];
            (c.subject.clone().unwrap_or_default(), c.skid, c.key)
        };
        let bc = self
            .src
            .weighted(&[(85, Bc::Absent), (10, Bc::NotCa), (5, Bc::Ca(None))]);
        let ku = self.src.weighted(&[
            (50, vec![]),
            (25, vec![Ku::DigitalSignature]),
            (10, vec![Ku::KeyEncipherment]),
            (7, vec![Ku::DigitalSignature, Ku::KeyEncipherment]),
            (4, vec![Ku::KeyCertSign]),
            (4, vec![Ku::KeyAgreement]),
        ]);
        let eku = self.src.weighted(&[
            (50, vec![]),
            (25, vec![Eku::ServerAuth]),
            (10, vec![Eku::ClientAuth]),
            (10, vec![Eku::ServerAuth, Eku::ClientAuth]),
            (5, vec![Eku::CodeSigning]),
        ]);
        let validity = self.validity();
        let sha1 = self.src.chance(4);
        let corrupt = self.src.chance(3);
        self.certs.push(CertSpec {
            role: Role::Leaf,
            subject: cn,
            ca_name: false,
            issuer: iss_name,
            skid: None,
            akid: iss_kid,
            key,
            signer: iss_key,
            bc,
            ku,
            eku,
            nc: None,
            sans,
            validity,
            sha1,
            corrupt,
        });
        self.certs.len() - 1
    }

    /// A decoy of certificate `of` (subject and key identifier, another key).
    fn decoy(&mut self, of: usize, parent: Option<usize>) -> usize {
        let kind = self.src.weighted(&[
            (35, DecoyKind::ByRealIssuer),
            (30, DecoyKind::SelfSigned),
            (20, DecoyKind::Forged),
            (15, DecoyKind::SelfIssuedForged),
        ]);
        let t = self.certs[of].clone();
        let key = self.other_key(t.key);
        let name = t.subject.clone().unwrap_or_default();
        let (issuer, akid, signer) = match (kind, parent) {
            (DecoyKind::ByRealIssuer, Some(p)) => {
                let p = &self.certs[p];
                (p.subject.clone().unwrap_or_default(), p.skid, p.key)
            }
            // The root's real issuer is itself: signed by the root's key.
            (DecoyKind::ByRealIssuer, None) => (name.clone(), t.skid, t.key),
            (DecoyKind::SelfSigned, _) => (name.clone(), t.skid, key),
            (DecoyKind::Forged, _) => {
                let k = self.other_key(t.signer);
                (t.issuer.clone(), t.akid, k)
            }
            (DecoyKind::SelfIssuedForged, _) => {
                let k = self.other_key(t.key);
                (name.clone(), t.skid, k)
            }
        };
        let i = self.ca(
            Role::Decoy { of, kind },
            Link {
                subject: &name,
                issuer: &issuer,
                skid: t.skid.unwrap_or(0),
                akid,
                key,
                signer,
            },
        );
        self.certs[i].validity = self
            .src
            .weighted(&[(80, Validity::Valid), (20, Validity::Expired)]);
        if self.src.chance(20) {
            self.certs[i].bc = Bc::Ca(Some(0));
        }
        i
    }
}

/// Draws one case.
pub fn draw(src: &mut Source<'_>) -> Spec {
    let mut g = Gen {
        src,
        certs: Vec::new(),
        next_kid: 0,
        used_keys: Vec::new(),
    };
    // The real PKI: root, 1-5 intermediates, leaf.
    let n = 1 + g.src.below(5) as usize;
    let root_kid = g.kid();
    let root_key = g.key();
    let root = g.ca(Role::Root, Link::root("Root A", root_kid, root_key));
    if g.src.chance(30) {
        g.mutate_ca(root);
    }
    let mut path = vec![root];
    for d in 1..=n {
        let parent = path[d - 1];
        let (pname, pkid, pkey) = {
            let p = &g.certs[parent];
            (p.subject.clone().unwrap_or_default(), p.skid, p.key)
        };
        let kid = g.kid();
        let key = g.key();
        let i = g.ca(
            Role::Inter(d),
            Link {
                subject: &format!("Inter {d}"),
                issuer: &pname,
                skid: kid,
                akid: pkid,
                key,
                signer: pkey,
            },
        );
        if g.src.chance(35) {
            g.mutate_ca(i);
        }
        path.push(i);
    }
    let leaf = g.leaf(path[n]);
    let mut extras = Vec::new();
    let mut store = vec![root];

    // A key rollover under an intermediate (often one with pathLen 0): the real path goes
    // through a self-issued certificate.
    if g.src.chance(10) {
        let at = 1 + g.src.below(n as u32) as usize;
        let ca = path[at];
        if g.src.chance(50) {
            g.certs[ca].bc = Bc::Ca(Some(0));
        }
        let (name, kid, key) = {
            let c = &g.certs[ca];
            (c.subject.clone().unwrap_or_default(), c.skid, c.key)
        };
        let new_kid = g.kid();
        let new_key = g.other_key(key);
        let s = g.ca(
            Role::Rollover { of: ca },
            Link {
                subject: &name,
                issuer: &name,
                skid: new_kid,
                akid: kid,
                key: new_key,
                signer: key,
            },
        );
        let child = if at == n { leaf } else { path[at + 1] };
        g.certs[child].akid = Some(new_kid);
        g.certs[child].signer = new_key;
        extras.push(s);
    }
    // Decoys of real CAs, sometimes in the trust store.
    if g.src.chance(20) {
        for _ in 0..1 + g.src.below(3) {
            let at = g.src.below(n as u32 + 1) as usize;
            let parent = at.checked_sub(1).map(|p| path[p]);
            let d = g.decoy(path[at], parent);
            if g.src.chance(85) {
                extras.push(d);
            } else {
                store.push(d);
            }
        }
    }
    // A cross-signed root: the real root's name and key under another root.
    if g.src.chance(10) {
        let kid = g.kid();
        let key = g.other_key(root_key);
        let other = g.ca(Role::OtherRoot, Link::root("Root B", kid, key));
        let cross = g.ca(
            Role::Cross,
            Link {
                subject: "Root A",
                issuer: "Root B",
                skid: root_kid,
                akid: Some(kid),
                key: root_key,
                signer: key,
            },
        );
        g.certs[cross].validity = g.validity();
        // Trusted: the other root instead of the real one, both, or only the real one.
        match g.src.weighted(&[(50, 0), (30, 1), (20, 2)]) {
            0 => {
                store.retain(|c| *c != root);
                store.push(other);
            }
            1 => store.push(other),
            _ => {}
        }
        if g.src.chance(90) {
            extras.push(cross);
        }
        if g.src.chance(20) {
            extras.push(other);
        }
    }
    // The trust store's other contents.
    if g.src.chance(5) {
        store.retain(|c| *c != root);
    }
    if g.src.chance(5) {
        let at = 1 + g.src.below(n as u32) as usize;
        store.push(path[at]);
    }
    if g.src.chance(20) {
        let kid = g.kid();
        let key = g.key();
        let z = g.ca(Role::OtherRoot, Link::root("Root Z", kid, key));
        store.push(z);
    }

    // The presented chain: leaf, intermediates (some missing), root, extras; shuffled and
    // duplicated.
    let mut tail: Vec<usize> = (1..=n)
        .rev()
        .map(|d| path[d])
        .filter(|_| !g.src.chance(7))
        .collect();
    if g.src.chance(10) {
        tail.push(root);
    }
    tail.extend(extras);
    if g.src.chance(25) {
        for i in (1..tail.len()).rev() {
            let j = g.src.below(i as u32 + 1) as usize;
            tail.swap(i, j);
        }
    }
    if g.src.chance(8) && !tail.is_empty() {
        let c = g.src.pick(&tail);
        let at = g.src.below(tail.len() as u32 + 1) as usize;
        tail.insert(at, c);
    }
    let mut chain = vec![leaf];
    chain.extend(tail);

    let client_auth = g.src.chance(15);
    let host = match g.src.weighted(&[(35, 0), (25, 1), (20, 2), (20, 3)]) {
        0 => Some(g.src.pick(HOSTS).to_string()),
        1 => own_name(&mut g),
        2 => Some(g.src.pick(IPS).to_string()),
        _ => None,
    };
    let depth = g.src.chance(15).then(|| g.src.below(6));
    let forgive_depth = g.src.below(n as u32 + 2);
    let clear = g.src.chance(50);
    Spec {
        certs: g.certs,
        chain,
        store,
        client_auth,
        host,
        depth,
        forgive_depth,
        clear,
    }
}

/// One of the leaf's own names as a host (a wildcard's `*` filled in), so that host
/// checks often match.
fn own_name(g: &mut Gen<'_, '_>) -> Option<String> {
    let leaf = g.certs.iter().find(|c| c.role == Role::Leaf)?;
    let mut names: Vec<String> = leaf
        .sans
        .iter()
        .filter_map(|s| match s {
            SanType::DnsName(n) => Some(n.as_str().to_string()),
            SanType::IpAddress(ip) => Some(ip.to_string()),
            _ => None,
        })
        .collect();
    names.extend(leaf.subject.clone());
    if names.is_empty() {
        return None;
    }
    Some(g.src.pick(&names).replace('*', "foo"))
}

impl Spec {
    /// A short label for certificate `i` ("L", "I2", "R", "decoy(I1,forged)", ...).
    pub fn label(&self, i: usize) -> String {
        let Some(c) = self.certs.get(i) else {
            return "?".into();
        };
        match &c.role {
            Role::Root => "R".into(),
            Role::Inter(d) => format!("I{d}"),
            Role::Leaf => "L".into(),
            Role::OtherRoot => c.subject.clone().unwrap_or_default().replace("Root ", "R"),
            Role::Cross => "X(R by RB)".into(),
            Role::Decoy { of, kind } => format!("decoy({},{kind:?})", self.label(*of)),
            Role::Rollover { of } => format!("rollover({})", self.label(*of)),
        }
    }

    /// Number of certificates made: how big a reproducer is.
    pub fn size(&self) -> usize {
        self.certs.len() * 4 + self.chain.len() + self.store.len()
    }

    /// Whether some certificate imitates another (decoys and self-issued forgeries).
    pub fn has_decoy(&self) -> bool {
        self.certs
            .iter()
            .any(|c| matches!(c.role, Role::Decoy { .. }))
    }

    /// Whether certificate `i` is self-issued (subject == issuer).
    pub fn self_issued(&self, i: usize) -> bool {
        self.certs
            .get(i)
            .is_some_and(|c| c.ca_name && c.subject.as_deref() == Some(c.issuer.as_str()))
    }

    /// The leaf's spec.
    pub fn leaf(&self) -> &CertSpec {
        &self.certs[self.chain[0]]
    }

    /// A readable description of the case (for reports and replay).
    pub fn describe(&self) -> String {
        let mut s = String::new();
        let labels = |v: &[usize]| {
            v.iter()
                .map(|i| self.label(*i))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            s,
            "purpose {}, host {:?}, depth {:?}; chain [{}]; store [{}]",
            if self.client_auth { "client" } else { "server" },
            self.host,
            self.depth,
            labels(&self.chain),
            labels(&self.store)
        );
        for (i, c) in self.certs.iter().enumerate() {
            let _ = write!(
                s,
                "  {}: subject {:?} issuer {:?} key {} signer {} skid {:?} akid {:?} bc {:?}",
                self.label(i),
                c.subject,
                c.issuer,
                c.key,
                c.signer,
                c.skid,
                c.akid,
                c.bc
            );
            if !c.ku.is_empty() {
                let _ = write!(s, " ku {:?}", c.ku);
            }
            if !c.eku.is_empty() {
                let _ = write!(s, " eku {:?}", c.eku);
            }
            if let Some(nc) = &c.nc {
                let _ = write!(
                    s,
                    " nc permitted {:?} excluded {:?}",
                    nc.permitted_subtrees, nc.excluded_subtrees
                );
            }
            if !c.sans.is_empty() {
                let _ = write!(s, " san {:?}", c.sans);
            }
            if c.validity != Validity::Valid {
                let _ = write!(s, " {:?}", c.validity);
            }
            if c.sha1 {
                s.push_str(" sha1");
            }
            if c.corrupt {
                s.push_str(" bad-signature");
            }
            s.push('\n');
        }
        s
    }
}
