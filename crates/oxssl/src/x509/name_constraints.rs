//! Name constraints as OpenSSL enforces them (`check_name_constraints()` with
//! `NAME_CONSTRAINTS_check` and `NAME_CONSTRAINTS_check_CN`): every certificate of the path
//! that is not self-issued (and the leaf always) is checked against the constraints of
//! every CA above it — its subject DN, the emailAddress attributes of its subject, each
//! subjectAltName entry, and for the leaf without a dNSName the subject CNs that look like
//! host names. The last rule is why this lives here and not in webpki: webpki applies name
//! constraints to SANs only, so a CN-only leaf would escape a constrained CA through the
//! host name fallback.
//!
//! Pure byte comparisons, bounded like OpenSSL (names x constraints <= 2^20).

use super::codes::VerifyCode;
use super::der::{oid, single, tag, Reader, Tlv};

/// GeneralName choice numbers (RFC 5280 4.2.1.6), the low bits of the context tag.
mod kind {
    pub const OTHER: u8 = 0;
    pub const EMAIL: u8 = 1;
    pub const DNS: u8 = 2;
    pub const DIRNAME: u8 = 4;
    pub const URI: u8 = 6;
    pub const IP: u8 = 7;
}

/// id-on-SmtpUTF8Mailbox (RFC 8398): an otherName checked as an email address.
const SMTP_UTF8_MAILBOX: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x09];
/// pkcs-9 emailAddress, an attribute OpenSSL checks against rfc822Name constraints.
const EMAIL_ADDRESS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01];
/// OpenSSL's bound on names x constraints for one check.
const NAME_CHECK_MAX: usize = 1 << 20;

type Check = Result<(), VerifyCode>;

/// One GeneralName, as a constraint base or as a name to check.
#[derive(Clone, Debug)]
struct GeneralName<'a> {
    kind: u8,
    /// Contents: the string (email, DNS, URI), the address (IP), the canonical encoding
    /// of the name (directoryName), the value's TLV (otherName).
    value: std::borrow::Cow<'a, [u8]>,
    /// otherName type-id.
    type_id: &'a [u8],
}

impl<'a> GeneralName<'a> {
    fn parse(tlv: Tlv<'a>) -> Option<Self> {
        if tlv.tag & 0x80 == 0 {
            return None;
        }
        let kind = tlv.tag & 0x1f;
        let mut type_id: &[u8] = &[];
        let value = match kind {
            kind::DIRNAME => {
                let name = single(tlv.value, tag::SEQUENCE)?;
                canonical_name(name.value)?.into()
            }
            kind::OTHER => {
                let mut r = Reader::new(tlv.value);
                type_id = r.expect(tag::OID)?.value;
                r.expect(0xa0)?.value.into()
            }
            _ => tlv.value.into(),
        };
        Some(GeneralName {
            kind,
            value,
            type_id,
        })
    }

    /// The type constraints are looked up by (an SmtpUTF8Mailbox counts as an email).
    fn effective_kind(&self) -> u8 {
        if self.kind == kind::OTHER && self.type_id == SMTP_UTF8_MAILBOX {
            kind::EMAIL
        } else {
            self.kind
        }
    }
}

/// A GeneralSubtree: its base, and whether minimum/maximum are absent (or minimum 0), the
/// only form OpenSSL supports.
#[derive(Clone, Debug)]
struct Subtree<'a> {
    base: GeneralName<'a>,
    minmax_ok: bool,
}

/// A parsed nameConstraints extension.
#[derive(Clone, Debug, Default)]
pub(crate) struct NameConstraints<'a> {
    permitted: Vec<Subtree<'a>>,
    excluded: Vec<Subtree<'a>>,
}

impl<'a> NameConstraints<'a> {
    /// Parses the extension's value; `None` if it is malformed.
    pub(crate) fn parse(value: &'a [u8]) -> Option<Self> {
        let seq = single(value, tag::SEQUENCE)?;
        let mut r = Reader::new(seq.value);
        let permitted = match r.optional(0xa0) {
            Some(t) => subtrees(t)?,
            None => Vec::new(),
        };
        let excluded = match r.optional(0xa1) {
            Some(t) => subtrees(t)?,
            None => Vec::new(),
        };
        r.is_empty().then_some(NameConstraints {
            permitted,
            excluded,
        })
    }

    /// Whether a dNSName subtree is excluded.
    pub(crate) fn excludes_dns(&self) -> bool {
        self.excluded.iter().any(|s| s.base.kind == kind::DNS)
    }

    /// Whether any subtree is an rfc822Name (email) one.
    pub(crate) fn constrains_email(&self) -> bool {
        self.permitted
            .iter()
            .chain(&self.excluded)
            .any(|s| s.base.kind == kind::EMAIL)
    }

    fn len(&self) -> usize {
        self.permitted.len() + self.excluded.len()
    }

    /// `nc_match()`: if subtrees of the name's type are permitted, one must match; no
    /// excluded subtree of its type may match.
    fn check(&self, name: &GeneralName<'_>) -> Check {
        let effective = name.effective_kind();
        let applies = |s: &&Subtree<'_>| {
            s.base.kind == effective && (effective != kind::OTHER || s.base.type_id == name.type_id)
        };
        let mut matched = None;
        for sub in self.permitted.iter().filter(applies) {
            if !sub.minmax_ok {
                return Err(VerifyCode::SUBTREE_MINMAX);
            }
            if matched == Some(true) {
                continue;
            }
            matched = Some(false);
            match match_single(name, &sub.base) {
                Ok(()) => matched = Some(true),
                Err(VerifyCode::PERMITTED_VIOLATION) => {}
                Err(e) => return Err(e),
            }
        }
        if matched == Some(false) {
            return Err(VerifyCode::PERMITTED_VIOLATION);
        }
        for sub in self.excluded.iter().filter(applies) {
            if !sub.minmax_ok {
                return Err(VerifyCode::SUBTREE_MINMAX);
            }
            match match_single(name, &sub.base) {
                Ok(()) => return Err(VerifyCode::EXCLUDED_VIOLATION),
                Err(VerifyCode::PERMITTED_VIOLATION) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

fn subtrees(t: Tlv<'_>) -> Option<Vec<Subtree<'_>>> {
    let mut r = Reader::new(t.value);
    let mut out = Vec::new();
    while !r.is_empty() {
        let sub = r.expect(tag::SEQUENCE)?;
        let mut s = Reader::new(sub.value);
        let base = GeneralName::parse(s.read()?)?;
        let minimum_zero = s
            .optional(0x80)
            .is_none_or(|m| m.value.iter().all(|b| *b == 0));
        let maximum = s.optional(0x81).is_some();
        if !s.is_empty() {
            return None;
        }
        out.push(Subtree {
            base,
            minmax_ok: minimum_zero && !maximum,
        });
    }
    Some(out)
}

/// What is checked of one certificate: its subject (the contents of the Name SEQUENCE)
/// and its subjectAltName entries (already parsed; a malformed extension is reported by
/// the extension checks, as OpenSSL flags it invalid).
pub(crate) struct Subject<'a> {
    pub subject: &'a [u8],
    pub alt_names: Vec<Tlv<'a>>,
}

/// `NAME_CONSTRAINTS_check()`: the subject DN, its emailAddress attributes and every SAN.
pub(crate) fn check(cert: &Subject<'_>, nc: &NameConstraints<'_>) -> Check {
    let entries = attributes(cert.subject).count();
    let names = entries + cert.alt_names.len();
    if names > 0 && nc.len() > NAME_CHECK_MAX / names {
        return Err(VerifyCode::UNSPECIFIED);
    }
    if entries > 0 {
        let dn = canonical_name(cert.subject).ok_or(VerifyCode::UNSUPPORTED_NAME_SYNTAX)?;
        nc.check(&GeneralName {
            kind: kind::DIRNAME,
            value: dn.into(),
            type_id: &[],
        })?;
        for (_, value) in attributes(cert.subject).filter(|(o, _)| *o == EMAIL_ADDRESS) {
            if value.tag != 0x16 {
                return Err(VerifyCode::UNSUPPORTED_NAME_SYNTAX);
            }
            nc.check(&GeneralName {
                kind: kind::EMAIL,
                value: value.value.into(),
                type_id: &[],
            })?;
        }
    }
    for san in &cert.alt_names {
        let name = GeneralName::parse(*san).ok_or(VerifyCode::UNSUPPORTED_NAME_SYNTAX)?;
        nc.check(&name)?;
    }
    Ok(())
}

/// `NAME_CONSTRAINTS_check_CN()`: each subject commonName that looks like a host name (two
/// or more labels) is checked as a dNSName.
pub(crate) fn check_cn(cert: &Subject<'_>, nc: &NameConstraints<'_>) -> Check {
    for (_, value) in attributes(cert.subject).filter(|(o, _)| *o == oid::COMMON_NAME) {
        let mut text = to_utf8(value).ok_or(VerifyCode::UNSUPPORTED_NAME_SYNTAX)?;
        while text.last() == Some(&0) {
            text.pop();
        }
        if text.contains(&0) {
            return Err(VerifyCode::UNSUPPORTED_NAME_SYNTAX);
        }
        if looks_like_dns_name(&text) {
            nc.check(&GeneralName {
                kind: kind::DNS,
                value: text.into(),
                type_id: &[],
            })?;
        }
    }
    Ok(())
}

/// `cn2dnsid()`: letters, digits and '_', with internal '-' and '.', and at least one '.'
/// not next to another '.' or a '-'.
fn looks_like_dns_name(s: &[u8]) -> bool {
    let mut dns = false;
    for (i, &c) in s.iter().enumerate() {
        if c.is_ascii_alphanumeric() || c == b'_' {
            continue;
        }
        if i > 0 && i + 1 < s.len() {
            if c == b'-' {
                continue;
            }
            let (prev, next) = (s[i - 1], s[i + 1]);
            if c == b'.' && next != b'.' && prev != b'-' && next != b'-' {
                dns = true;
                continue;
            }
        }
        return false;
    }
    dns
}

/// The (OID, value) attributes of a Name's contents, in order.
fn attributes<'a>(name: &'a [u8]) -> impl Iterator<Item = (&'a [u8], Tlv<'a>)> + 'a {
    let mut rdns = Reader::new(name);
    let mut atvs = Reader::new(&[]);
    std::iter::from_fn(move || loop {
        if let Some(atv) = atvs.expect(tag::SEQUENCE) {
            let mut a = Reader::new(atv.value);
            if let (Some(o), Some(v)) = (a.expect(tag::OID), a.read()) {
                return Some((o.value, v));
            }
            continue;
        }
        atvs = Reader::new(rdns.expect(tag::SET)?.value);
    })
}

/// The string types OpenSSL canonicalises in names.
const CANON_STRINGS: [u8; 7] = [0x0c, 0x1e, 0x1c, 0x13, 0x14, 0x16, 0x1a];

/// A string attribute as UTF-8 (`ASN1_STRING_to_UTF8`): BMP and Universal strings are
/// decoded, T61 is read as Latin-1, the rest are taken as they are.
fn to_utf8(v: Tlv<'_>) -> Option<Vec<u8>> {
    let chars: Vec<char> = match v.tag {
        0x1e => {
            let units: Vec<u16> = chunks::<2>(v.value)?.map(u16::from_be_bytes).collect();
            char::decode_utf16(units).collect::<Result<_, _>>().ok()?
        }
        0x1c => chunks::<4>(v.value)?
            .map(|c| char::from_u32(u32::from_be_bytes(c)))
            .collect::<Option<_>>()?,
        0x14 => v.value.iter().map(|b| char::from(*b)).collect(),
        0x0c => {
            return std::str::from_utf8(v.value)
                .ok()
                .map(|s| s.as_bytes().to_vec())
        }
        _ => return Some(v.value.to_vec()),
    };
    Some(chars.into_iter().collect::<String>().into_bytes())
}

fn chunks<const N: usize>(b: &[u8]) -> Option<impl Iterator<Item = [u8; N]> + '_> {
    (b.len() % N == 0).then(|| {
        b.chunks_exact(N)
            .map(|c| std::array::from_fn(|i| c.get(i).copied().unwrap_or(0)))
    })
}

/// OpenSSL's canonical encoding of a Name (`x509_name_canon`): each string value as
/// UTF-8, trimmed, inner white space collapsed to one space, ASCII lower-cased; each RDN a
/// DER SET of the canonical attributes; the RDNs concatenated without the outer SEQUENCE.
/// `nc_dn()` then asks whether the constraint's encoding is a prefix of the name's.
fn canonical_name(name: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut rdns = Reader::new(name);
    while !rdns.is_empty() {
        let rdn = rdns.expect(tag::SET)?;
        let mut entries = Vec::new();
        let mut atvs = Reader::new(rdn.value);
        while !atvs.is_empty() {
            let atv = atvs.expect(tag::SEQUENCE)?;
            let mut a = Reader::new(atv.value);
            let o = a.expect(tag::OID)?;
            let v = a.read()?;
            let mut entry = o.full.to_vec();
            if CANON_STRINGS.contains(&v.tag) {
                push_tlv(&mut entry, 0x0c, &canonical_string(&to_utf8(v)?));
            } else {
                entry.extend_from_slice(v.full);
            }
            let mut seq = Vec::new();
            push_tlv(&mut seq, tag::SEQUENCE, &entry);
            entries.push(seq);
        }
        // DER orders a SET OF by its elements' encodings.
        entries.sort();
        push_tlv(&mut out, tag::SET, &entries.concat());
    }
    Some(out)
}

fn canonical_string(s: &[u8]) -> Vec<u8> {
    // OpenSSL's ossl_isspace: space, \t, \n, \v, \f, \r.
    let space = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let start = s.iter().position(|c| !space(c)).unwrap_or(s.len());
    let end = s.iter().rposition(|c| !space(c)).map_or(start, |i| i + 1);
    let mut out = Vec::with_capacity(end.saturating_sub(start));
    let mut in_space = false;
    for c in s.get(start..end).unwrap_or_default() {
        if space(c) {
            if !in_space {
                out.push(b' ');
            }
            in_space = true;
        } else {
            in_space = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

fn push_tlv(out: &mut Vec<u8>, tag: u8, contents: &[u8]) {
    out.push(tag);
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(contents);
}

/// `nc_match_single()`: compares a name with a base of the same type.
fn match_single(name: &GeneralName<'_>, base: &GeneralName<'_>) -> Check {
    let (n, b) = (name.value.as_ref(), base.value.as_ref());
    match name.kind {
        kind::OTHER if name.effective_kind() == kind::EMAIL => email_eai(n, b),
        kind::DIRNAME => prefix(n, b),
        kind::DNS => dns(n, b),
        kind::EMAIL => email(n, b),
        kind::URI => uri(n, b),
        kind::IP => ip(n, b),
        _ => Err(VerifyCode::UNSUPPORTED_CONSTRAINT_TYPE),
    }
}

const VIOLATION: Check = Err(VerifyCode::PERMITTED_VIOLATION);

/// The ".domain" base form of email and URI constraints: `name` is longer than `base` and
/// ends with it (ASCII case-insensitive).
fn longer_with_suffix(name: &[u8], base: &[u8]) -> Check {
    match name.len().checked_sub(base.len()) {
        Some(split) if split > 0 && name[split..].eq_ignore_ascii_case(base) => Ok(()),
        _ => VIOLATION,
    }
}

/// `nc_dn()`: the base's canonical encoding is a prefix of the name's.
fn prefix(name: &[u8], base: &[u8]) -> Check {
    if name.starts_with(base) {
        Ok(())
    } else {
        VIOLATION
    }
}

/// `nc_dns()`: an empty base matches everything; otherwise the name ends with the base,
/// at a label boundary unless the base starts with '.'.
fn dns(name: &[u8], base: &[u8]) -> Check {
    if base.is_empty() {
        return Ok(());
    }
    let Some(split) = name.len().checked_sub(base.len()) else {
        return VIOLATION;
    };
    let (head, tail) = name.split_at(split);
    let boundary = head.is_empty() || base.first() == Some(&b'.') || head.last() == Some(&b'.');
    if boundary && tail.eq_ignore_ascii_case(base) {
        Ok(())
    } else {
        VIOLATION
    }
}

/// `nc_email()`: a base ".domain" matches any address ending with it; "local@host" the
/// address (local part case-sensitive); "host" any address at that host.
fn email(name: &[u8], base: &[u8]) -> Check {
    let Some(at) = name.iter().rposition(|c| *c == b'@') else {
        return Err(VerifyCode::UNSUPPORTED_NAME_SYNTAX);
    };
    let base_at = base.iter().rposition(|c| *c == b'@');
    if base_at.is_none() && base.first() == Some(&b'.') {
        return longer_with_suffix(name, base);
    }
    let mut base_host = base;
    if let Some(base_at) = base_at {
        if base_at != 0 {
            let (bl, nl) = (&base[..base_at], &name[..at]);
            if bl.len() != nl.len() {
                return VIOLATION;
            }
            if bl.contains(&0) || nl.contains(&0) {
                return Err(VerifyCode::UNSUPPORTED_NAME_SYNTAX);
            }
            if bl != nl {
                return VIOLATION;
            }
        }
        base_host = &base[base_at + 1..];
    }
    if base_host.eq_ignore_ascii_case(&name[at + 1..]) {
        Ok(())
    } else {
        VIOLATION
    }
}

/// `nc_email_eai()` for an SmtpUTF8Mailbox (a UTF8String value) against an rfc822Name
/// base. Bases in A-label form (`xn--`) would need IDNA decoding, which is not done:
/// they never match (refusing, where OpenSSL might accept).
fn email_eai(value: &[u8], base: &[u8]) -> Check {
    if base.contains(&0) {
        return Err(VerifyCode::UNSUPPORTED_NAME_SYNTAX);
    }
    let Some(v) = single(value, 0x0c) else {
        return Err(VerifyCode::UNSUPPORTED_NAME_SYNTAX);
    };
    let eml = v.value;
    let Some(at) = eml.iter().rposition(|c| *c == b'@') else {
        return Err(VerifyCode::UNSUPPORTED_NAME_SYNTAX);
    };
    if base.windows(4).any(|w| w.eq_ignore_ascii_case(b"xn--")) {
        return VIOLATION;
    }
    if base.first() == Some(&b'.') {
        return longer_with_suffix(eml, base);
    }
    if eml[at + 1..].eq_ignore_ascii_case(base) {
        Ok(())
    } else {
        VIOLATION
    }
}

/// `nc_uri()`: the URI's host (as `OSSL_parse_url` finds it) against a host or ".domain".
fn uri(name: &[u8], base: &[u8]) -> Check {
    // C string semantics: the URI ends at a NUL.
    let name = name.split(|c| *c == 0).next().unwrap_or_default();
    let host = uri_host(name).ok_or(VerifyCode::UNSUPPORTED_NAME_SYNTAX)?;
    if base.first() == Some(&b'.') {
        return longer_with_suffix(host, base);
    }
    if host.eq_ignore_ascii_case(base) {
        Ok(())
    } else {
        VIOLATION
    }
}

/// The host of "scheme://[user@]host[:port][/path|?query|#frag]"; `None` where
/// `OSSL_parse_url` fails or the scheme is missing.
fn uri_host(url: &[u8]) -> Option<&[u8]> {
    let sep = url.windows(3).position(|w| w == b"://")?;
    if sep == 0 {
        return None;
    }
    let rest = &url[sep + 3..];
    let authority_end = rest
        .iter()
        .position(|c| matches!(c, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let host_start = rest[..authority_end]
        .iter()
        .position(|c| *c == b'@')
        .map_or(0, |i| i + 1);
    let from_host = &rest[host_start..];
    let (host, after) = if from_host.first() == Some(&b'[') {
        let close = from_host.iter().position(|c| *c == b']')?;
        (&from_host[1..close], &from_host[close + 1..])
    } else {
        let end = from_host
            .iter()
            .position(|c| matches!(c, b':' | b'/' | b'?' | b'#'))
            .unwrap_or(from_host.len());
        from_host.split_at(end)
    };
    let after = match after.strip_prefix(b":") {
        Some(port) => {
            let digits = port.iter().take_while(|c| c.is_ascii_digit()).count();
            let number = std::str::from_utf8(&port[..digits])
                .ok()?
                .parse::<u32>()
                .ok()?;
            if number > 65535 {
                return None;
            }
            &port[digits..]
        }
        None => after,
    };
    matches!(after.first(), None | Some(b'/' | b'?' | b'#')).then_some(host)
}

/// `nc_ip()`: an IPv4/IPv6 address inside an address/mask base of the same family.
fn ip(name: &[u8], base: &[u8]) -> Check {
    if !matches!(name.len(), 4 | 16) || !matches!(base.len(), 8 | 32) {
        return Err(VerifyCode::UNSUPPORTED_NAME_SYNTAX);
    }
    if name.len() * 2 != base.len() {
        return VIOLATION;
    }
    let (addr, mask) = base.split_at(name.len());
    if name
        .iter()
        .zip(addr)
        .zip(mask)
        .all(|((n, a), m)| n & m == a & m)
    {
        Ok(())
    } else {
        VIOLATION
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_subtrees() {
        assert_eq!(dns(b"www.example.com", b"example.com"), Ok(()));
        assert_eq!(dns(b"example.com", b"EXAMPLE.com"), Ok(()));
        assert_eq!(dns(b"badexample.com", b"example.com"), VIOLATION);
        assert_eq!(dns(b"www.example.com", b".example.com"), Ok(()));
        assert_eq!(dns(b"anything", b""), Ok(()));
        assert_eq!(dns(b"com", b"example.com"), VIOLATION);
    }

    #[test]
    fn email_subtrees() {
        assert_eq!(email(b"a@example.com", b"example.com"), Ok(()));
        assert_eq!(email(b"a@mail.example.com", b"example.com"), VIOLATION);
        assert_eq!(email(b"a@mail.example.com", b".example.com"), Ok(()));
        assert_eq!(email(b"a@example.com", b"a@example.com"), Ok(()));
        assert_eq!(email(b"A@example.com", b"a@example.com"), VIOLATION);
        assert_eq!(
            email(b"no-at", b"example.com"),
            Err(VerifyCode::UNSUPPORTED_NAME_SYNTAX)
        );
    }

    #[test]
    fn ip_subtrees() {
        let base = [10, 0, 0, 0, 255, 0, 0, 0];
        assert_eq!(ip(&[10, 1, 2, 3], &base), Ok(()));
        assert_eq!(ip(&[11, 1, 2, 3], &base), VIOLATION);
        assert_eq!(ip(&[0; 16], &base), VIOLATION);
        assert_eq!(
            ip(&[1, 2, 3], &base),
            Err(VerifyCode::UNSUPPORTED_NAME_SYNTAX)
        );
    }

    #[test]
    fn uri_hosts() {
        assert_eq!(
            uri_host(b"https://user@host.test:443/p"),
            Some(&b"host.test"[..])
        );
        assert_eq!(uri_host(b"ldap://[::1]/x"), Some(&b"::1"[..]));
        assert_eq!(uri_host(b"host.test/p"), None);
        assert_eq!(uri_host(b"https://host:99999/"), None);
        assert_eq!(uri(b"https://a.example.com/", b".example.com"), Ok(()));
        assert_eq!(uri(b"https://example.com/", b".example.com"), VIOLATION);
    }

    #[test]
    fn host_like_common_names() {
        assert!(looks_like_dns_name(b"victim.org"));
        assert!(looks_like_dns_name(b"a_b.example-1.com"));
        assert!(!looks_like_dns_name(b"localhost"));
        assert!(!looks_like_dns_name(b"Example Corp"));
        assert!(!looks_like_dns_name(b"a..b"));
        assert!(!looks_like_dns_name(b".a.b"));
        assert!(!looks_like_dns_name(b"a-.b"));
    }

    #[test]
    fn canonical_strings() {
        assert_eq!(canonical_string(b"  Foo \t  Bar  "), b"foo bar");
        assert_eq!(canonical_string(b"   "), b"");
    }
}
