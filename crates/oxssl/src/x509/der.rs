//! A small, strict DER reader and an X.509 certificate field splitter.
//!
//! Only what the rest of the module needs: the fields of a `Certificate`, its extensions,
//! validity times and a few extension decoders. Every accessor is bounds-checked and returns
//! `None` on malformed input; nothing here panics.

/// ASN.1 universal tags used below.
pub(crate) mod tag {
    pub const BOOLEAN: u8 = 0x01;
    pub const INTEGER: u8 = 0x02;
    pub const BIT_STRING: u8 = 0x03;
    pub const OCTET_STRING: u8 = 0x04;
    pub const NULL: u8 = 0x05;
    pub const OID: u8 = 0x06;
    pub const UTC_TIME: u8 = 0x17;
    pub const GENERALIZED_TIME: u8 = 0x18;
    pub const SEQUENCE: u8 = 0x30;
    pub const SET: u8 = 0x31;
    pub const CTX0: u8 = 0xa0;
    pub const CTX3: u8 = 0xa3;
}

/// One DER element.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet (only low-tag-number form is accepted).
    pub tag: u8,
    /// The contents octets.
    pub value: &'a [u8],
    /// The whole encoding: identifier, length and contents.
    pub full: &'a [u8],
}

/// A cursor over a sequence of DER elements.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Reads the next element, enforcing definite, minimal lengths.
    pub fn read(&mut self) -> Option<Tlv<'a>> {
        let data = self.data;
        let tag = *data.first()?;
        if tag & 0x1f == 0x1f {
            return None; // high-tag-number form: never used in certificates
        }
        let first = usize::from(*data.get(1)?);
        let (len, header) = if first < 0x80 {
            (first, 2usize)
        } else {
            let n = first & 0x7f;
            if n == 0 || n > 4 {
                return None; // indefinite or absurdly long
            }
            let bytes = data.get(2..2 + n)?;
            if bytes.first() == Some(&0) {
                return None; // non-minimal
            }
            let mut len = 0usize;
            for b in bytes {
                len = len.checked_mul(256)?.checked_add(usize::from(*b))?;
            }
            if len < 0x80 {
                return None; // should have used the short form
            }
            (len, 2 + n)
        };
        let end = header.checked_add(len)?;
        let full = data.get(..end)?;
        let value = data.get(header..end)?;
        self.data = data.get(end..)?;
        Some(Tlv { tag, value, full })
    }

    /// Reads the next element and requires its tag to be `tag`.
    pub fn expect(&mut self, tag: u8) -> Option<Tlv<'a>> {
        let mut copy = *self;
        let tlv = copy.read()?;
        if tlv.tag != tag {
            return None;
        }
        *self = copy;
        Some(tlv)
    }

    /// Reads the next element only if it has tag `tag`.
    pub fn optional(&mut self, tag: u8) -> Option<Tlv<'a>> {
        if self.data.first() == Some(&tag) {
            self.expect(tag)
        } else {
            None
        }
    }
}

/// Parses `data` as exactly one element with tag `tag`.
pub(crate) fn single(data: &[u8], tag: u8) -> Option<Tlv<'_>> {
    let mut r = Reader::new(data);
    let tlv = r.expect(tag)?;
    r.is_empty().then_some(tlv)
}

/// The contents of a BIT STRING with no unused bits.
pub(crate) fn bit_string_bytes<'a>(tlv: &Tlv<'a>) -> Option<&'a [u8]> {
    if tlv.tag != tag::BIT_STRING {
        return None;
    }
    match tlv.value.split_first() {
        Some((0, rest)) => Some(rest),
        _ => None,
    }
}

/// One certificate extension.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Extension<'a> {
    /// The OID's contents octets.
    pub oid: &'a [u8],
    pub critical: bool,
    /// The contents of the extnValue OCTET STRING.
    pub value: &'a [u8],
}

/// The fields of an X.509 certificate, as borrowed slices.
#[derive(Clone, Debug)]
pub(crate) struct ParsedCert<'a> {
    /// The whole DER of the certificate.
    pub der: &'a [u8],
    /// The whole TBSCertificate element (the signed bytes).
    pub tbs: &'a [u8],
    /// 0 for v1, 1 for v2, 2 for v3.
    pub version: u8,
    /// Contents of the serialNumber INTEGER (two's complement, big-endian).
    pub serial: &'a [u8],
    /// Contents of the TBSCertificate `signature` AlgorithmIdentifier.
    pub tbs_sig_alg: &'a [u8],
    /// Contents of the issuer Name SEQUENCE.
    pub issuer: &'a [u8],
    /// Contents of the subject Name SEQUENCE.
    pub subject: &'a [u8],
    /// notBefore as seconds since the Unix epoch (`None` if the time is malformed).
    pub not_before: Option<i64>,
    /// notAfter as seconds since the Unix epoch (`None` if the time is malformed).
    pub not_after: Option<i64>,
    /// The whole SubjectPublicKeyInfo element.
    pub spki: &'a [u8],
    /// Contents of the SPKI AlgorithmIdentifier.
    pub spki_alg: &'a [u8],
    /// The subjectPublicKey bits.
    pub spki_key: &'a [u8],
    /// Contents of the outer signatureAlgorithm AlgorithmIdentifier.
    pub sig_alg: &'a [u8],
    /// The signature bits.
    pub signature: &'a [u8],
    /// The extensions (empty for v1/v2 certificates).
    pub extensions: Vec<Extension<'a>>,
}

/// OID contents octets of the extensions we look at.
pub(crate) mod oid {
    pub const KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];
    pub const SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];
    pub const BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
    pub const NAME_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x1e];
    pub const CRL_DISTRIBUTION_POINTS: &[u8] = &[0x55, 0x1d, 0x1f];
    pub const EXT_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25];
    pub const SUBJECT_KEY_ID: &[u8] = &[0x55, 0x1d, 0x0e];
    pub const AUTHORITY_KEY_ID: &[u8] = &[0x55, 0x1d, 0x23];
    pub const SERVER_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
    pub const CLIENT_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];
    pub const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
    /// id-RSASSA-PSS (1.2.840.113549.1.1.10).
    pub const RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
    pub const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    pub const SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
    pub const SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
}

impl<'a> ParsedCert<'a> {
    /// Splits a DER certificate into its fields. `None` if it is not well-formed.
    pub fn parse(der: &'a [u8]) -> Option<Self> {
        let cert = single(der, tag::SEQUENCE)?;
        let mut outer = Reader::new(cert.value);
        let tbs = outer.expect(tag::SEQUENCE)?;
        let sig_alg = outer.expect(tag::SEQUENCE)?;
        let signature = outer.expect(tag::BIT_STRING)?;
        if !outer.is_empty() {
            return None;
        }
        let signature = bit_string_bytes(&signature)?;

        let mut r = Reader::new(tbs.value);
        let version = match r.optional(tag::CTX0) {
            Some(v) => {
                let int = single(v.value, tag::INTEGER)?;
                match int.value {
                    [v @ 0..=2] => *v,
                    _ => return None,
                }
            }
            None => 0,
        };
        let serial = r.expect(tag::INTEGER)?;
        if serial.value.is_empty() {
            return None;
        }
        let tbs_sig_alg = r.expect(tag::SEQUENCE)?.value;
        let issuer = r.expect(tag::SEQUENCE)?.value;
        let validity = r.expect(tag::SEQUENCE)?;
        let subject = r.expect(tag::SEQUENCE)?.value;
        let spki = r.expect(tag::SEQUENCE)?;
        let _issuer_uid = r.optional(0x81);
        let _subject_uid = r.optional(0x82);
        let mut extensions = Vec::new();
        if let Some(exts) = r.optional(tag::CTX3) {
            let seq = single(exts.value, tag::SEQUENCE)?;
            let mut er = Reader::new(seq.value);
            while !er.is_empty() {
                let ext = er.expect(tag::SEQUENCE)?;
                let mut x = Reader::new(ext.value);
                let oid = x.expect(tag::OID)?.value;
                let critical = match x.optional(tag::BOOLEAN) {
                    Some(b) => match b.value {
                        [0x00] => false,
                        [0xff] => true,
                        _ => return None,
                    },
                    None => false,
                };
                let value = x.expect(tag::OCTET_STRING)?.value;
                if !x.is_empty() {
                    return None;
                }
                extensions.push(Extension {
                    oid,
                    critical,
                    value,
                });
            }
        }
        if !r.is_empty() {
            return None;
        }

        let mut vr = Reader::new(validity.value);
        let not_before = vr.read()?;
        let not_after = vr.read()?;
        if !vr.is_empty() {
            return None;
        }

        let mut sr = Reader::new(spki.value);
        let spki_alg = sr.expect(tag::SEQUENCE)?.value;
        let spki_key = bit_string_bytes(&sr.expect(tag::BIT_STRING)?)?;
        if !sr.is_empty() {
            return None;
        }

        Some(Self {
            der,
            tbs: tbs.full,
            version,
            serial: serial.value,
            tbs_sig_alg,
            issuer,
            subject,
            not_before: parse_time(&not_before),
            not_after: parse_time(&not_after),
            spki: spki.full,
            spki_alg,
            spki_key,
            sig_alg: sig_alg.value,
            signature,
            extensions,
        })
    }

    /// Subject and issuer names are byte-identical.
    pub fn self_issued(&self) -> bool {
        self.subject == self.issuer
    }

    /// The first extension with this OID.
    pub fn extension(&self, oid: &[u8]) -> Option<&Extension<'a>> {
        self.extensions.iter().find(|e| e.oid == oid)
    }

    /// basicConstraints: `None` if absent, `Some(Err(()))` if malformed, else (cA, pathLen).
    pub fn basic_constraints(&self) -> Option<Result<(bool, Option<u64>), ()>> {
        let ext = self.extension(oid::BASIC_CONSTRAINTS)?;
        Some(parse_basic_constraints(ext.value).ok_or(()))
    }

    /// keyUsage bits (bit 0 = digitalSignature in the low bit of the result) if present.
    pub fn key_usage(&self) -> Option<Result<u16, ()>> {
        let ext = self.extension(oid::KEY_USAGE)?;
        Some(parse_key_usage(ext.value).ok_or(()))
    }

    /// extKeyUsage purposes (OID contents) if present.
    pub fn ext_key_usage(&self) -> Option<Result<Vec<&'a [u8]>, ()>> {
        let ext = self.extension(oid::EXT_KEY_USAGE)?;
        Some(parse_oid_sequence(ext.value).ok_or(()))
    }

    /// The subjectKeyIdentifier, if present and well-formed.
    pub fn subject_key_id(&self) -> Option<&'a [u8]> {
        let ext = self.extension(oid::SUBJECT_KEY_ID)?;
        Some(single(ext.value, tag::OCTET_STRING)?.value)
    }

    /// The keyIdentifier of the authorityKeyIdentifier, if present and well-formed.
    pub fn authority_key_id(&self) -> Option<&'a [u8]> {
        let ext = self.extension(oid::AUTHORITY_KEY_ID)?;
        let seq = single(ext.value, tag::SEQUENCE)?;
        Some(Reader::new(seq.value).optional(0x80)?.value)
    }

    /// OpenSSL's `X509_check_issued()` name and key-identifier test: `issuer`'s subject is this
    /// certificate's issuer, and the key identifiers do not contradict each other.
    /// OpenSSL's `ossl_x509_likely_issued()` name and key-identifier test, plus its
    /// `check_sig_alg_match()`: `issuer`'s subject is this certificate's issuer, the key
    /// identifiers do not contradict each other, and `issuer`'s key is of the type this
    /// certificate's signature algorithm needs (a candidate that cannot have signed it is
    /// not one).
    pub fn may_be_issued_by(&self, issuer: &ParsedCert<'_>) -> bool {
        if self.issuer != issuer.subject {
            return false;
        }
        let ids_agree = match (self.authority_key_id(), issuer.subject_key_id()) {
            (Some(akid), Some(skid)) => akid == skid,
            _ => true,
        };
        ids_agree && signature_fits_key(self.tbs_sig_alg, issuer.spki_alg)
    }

    /// OpenSSL's "self-signed" (`EXFLAG_SS`): self-issued, and its own key could have
    /// signed it by key identifier and key type.
    pub fn self_signed(&self) -> bool {
        self.self_issued() && self.may_be_issued_by(self)
    }

    /// Whether the subjectAltName extension holds at least one dNSName.
    pub fn has_dns_san(&self) -> bool {
        !self.dns_sans().is_empty()
    }

    /// The dNSName entries of the subjectAltName extension (none if it is malformed, as
    /// OpenSSL then ignores it).
    pub fn dns_sans(&self) -> Vec<&'a [u8]> {
        let names = self.alt_names().and_then(Result::ok).unwrap_or_default();
        names
            .into_iter()
            .filter(|name| name.tag == 0x82)
            .map(|name| name.value)
            .collect()
    }

    /// The subjectAltName entries (GeneralName elements): `None` if absent, `Some(Err(()))`
    /// if malformed.
    pub fn alt_names(&self) -> Option<Result<Vec<Tlv<'a>>, ()>> {
        let ext = self.extension(oid::SUBJECT_ALT_NAME)?;
        let Some(seq) = single(ext.value, tag::SEQUENCE) else {
            return Some(Err(()));
        };
        let mut r = Reader::new(seq.value);
        let mut names = Vec::new();
        while !r.is_empty() {
            match r.read() {
                Some(name) if name.tag & 0x80 != 0 => names.push(name),
                _ => return Some(Err(())),
            }
        }
        Some(Ok(names))
    }

    /// The nameConstraints extension: `None` if absent, `Some(Err(()))` if malformed.
    pub fn name_constraints(
        &self,
    ) -> Option<Result<super::name_constraints::NameConstraints<'a>, ()>> {
        let ext = self.extension(oid::NAME_CONSTRAINTS)?;
        Some(super::name_constraints::NameConstraints::parse(ext.value).ok_or(()))
    }

    /// The values of the subject's commonName attributes that are byte strings.
    pub fn subject_common_names(&self) -> Vec<&'a [u8]> {
        let mut out = Vec::new();
        let mut rdns = Reader::new(self.subject);
        while let Some(rdn) = rdns.expect(tag::SET) {
            let mut atvs = Reader::new(rdn.value);
            while let Some(atv) = atvs.expect(tag::SEQUENCE) {
                let mut a = Reader::new(atv.value);
                if let (Some(o), Some(v)) = (a.expect(tag::OID), a.read()) {
                    if o.value == oid::COMMON_NAME {
                        out.push(v.value);
                    }
                }
            }
        }
        out
    }
}

/// `check_sig_alg_match()`: whether a key with the `spki_alg` AlgorithmIdentifier can make
/// signatures of the `sig_alg` AlgorithmIdentifier (an RSA key also makes RSASSA-PSS ones).
/// An unknown signature algorithm fits no key.
fn signature_fits_key(sig_alg: &[u8], spki_alg: &[u8]) -> bool {
    const EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    const RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    const DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];
    const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
    const ED448: &[u8] = &[0x2b, 0x65, 0x71];
    fn first_oid(alg: &[u8]) -> Option<&[u8]> {
        Reader::new(alg).expect(tag::OID).map(|o| o.value)
    }
    let (Some(sig), Some(key)) = (first_oid(sig_alg), first_oid(spki_alg)) else {
        return false;
    };
    let rsa_sig = |last: u8| matches!(last, 2..=5 | 11..=16);
    let needs: &[&[u8]] = match sig {
        // ecdsa-with-SHA1, -SHA224/256/384/512
        [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01]
        | [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x01..=0x04] => &[EC],
        // md2/md4/md5/sha1/sha224..512 WithRSAEncryption
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, last] if rsa_sig(*last) => &[RSA],
        oid::RSASSA_PSS => &[oid::RSASSA_PSS, RSA],
        // dsa-with-sha1, dsa-with-sha224/256 (NIST)
        [0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x03]
        | [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x01 | 0x02] => &[DSA],
        ED25519 => &[ED25519],
        ED448 => &[ED448],
        _ => &[],
    };
    needs.contains(&key)
}

/// Key usage bit numbers, as numbered in RFC 5280.
pub(crate) mod ku {
    pub const DIGITAL_SIGNATURE: u16 = 1 << 0;
    pub const KEY_ENCIPHERMENT: u16 = 1 << 2;
    pub const KEY_AGREEMENT: u16 = 1 << 4;
    pub const KEY_CERT_SIGN: u16 = 1 << 5;
}

fn parse_basic_constraints(value: &[u8]) -> Option<(bool, Option<u64>)> {
    let seq = single(value, tag::SEQUENCE)?;
    let mut r = Reader::new(seq.value);
    let ca = match r.optional(tag::BOOLEAN) {
        Some(b) => match b.value {
            [0x00] => false,
            [0xff] => true,
            _ => return None,
        },
        None => false,
    };
    let path_len = match r.optional(tag::INTEGER) {
        Some(i) => Some(small_uint(i.value)?),
        None => None,
    };
    r.is_empty().then_some((ca, path_len))
}

/// A non-negative INTEGER that fits in a u64.
fn small_uint(bytes: &[u8]) -> Option<u64> {
    let (first, _) = bytes.split_first()?;
    if first & 0x80 != 0 {
        return None;
    }
    let bytes = if bytes.len() > 1 && *first == 0 {
        bytes.get(1..)?
    } else {
        bytes
    };
    if bytes.len() > 8 {
        return None;
    }
    Some(bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

fn parse_key_usage(value: &[u8]) -> Option<u16> {
    let bits = single(value, tag::BIT_STRING)?;
    let (unused, rest) = bits.value.split_first()?;
    if *unused > 7 {
        return None;
    }
    let mut out = 0u16;
    for (i, byte) in rest.iter().take(2).enumerate() {
        for bit in 0..8u16 {
            if byte & (0x80 >> bit) != 0 {
                let n = u16::try_from(i).ok()?.checked_mul(8)?.checked_add(bit)?;
                out |= 1u16.checked_shl(u32::from(n))?;
            }
        }
    }
    Some(out)
}

fn parse_oid_sequence(value: &[u8]) -> Option<Vec<&[u8]>> {
    let seq = single(value, tag::SEQUENCE)?;
    let mut r = Reader::new(seq.value);
    let mut out = Vec::new();
    while !r.is_empty() {
        out.push(r.expect(tag::OID)?.value);
    }
    Some(out)
}

/// Parses a UTCTime or GeneralizedTime ("...Z" forms only) to Unix seconds.
pub(crate) fn parse_time(tlv: &Tlv<'_>) -> Option<i64> {
    let s = tlv.value;
    let (year, rest) = match (tlv.tag, s.len()) {
        (tag::UTC_TIME, 13) => {
            let yy = digits(s.get(0..2)?)?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, s.get(2..)?)
        }
        (tag::GENERALIZED_TIME, 15) => (digits(s.get(0..4)?)?, s.get(4..)?),
        _ => return None,
    };
    if rest.get(10) != Some(&b'Z') {
        return None;
    }
    let month = digits(rest.get(0..2)?)?;
    let day = digits(rest.get(2..4)?)?;
    let hour = digits(rest.get(4..6)?)?;
    let minute = digits(rest.get(6..8)?)?;
    let second = digits(rest.get(8..10)?)?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

fn digits(s: &[u8]) -> Option<i64> {
    s.iter().try_fold(0i64, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (year in 0..=9999).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let t = |tag, s: &[u8]| {
            parse_time(&Tlv {
                tag,
                value: s,
                full: s,
            })
        };
        assert_eq!(t(tag::UTC_TIME, b"700101000000Z"), Some(0));
        assert_eq!(t(tag::UTC_TIME, b"000229000000Z"), Some(951_782_400));
        assert_eq!(
            t(tag::GENERALIZED_TIME, b"20380119031408Z"),
            Some(2_147_483_648)
        );
        assert_eq!(t(tag::GENERALIZED_TIME, b"19691231235959Z"), Some(-1));
        assert_eq!(t(tag::UTC_TIME, b"010229000000Z"), None);
        assert_eq!(t(tag::UTC_TIME, b"70010100000Z"), None);
        assert_eq!(t(tag::UTC_TIME, b"7001010000000"), None);
        assert_eq!(t(tag::GENERALIZED_TIME, b"2038011903140+Z"), None);
    }

    #[test]
    fn lengths() {
        assert!(Reader::new(&[0x30, 0x80, 0, 0]).read().is_none());
        assert!(Reader::new(&[0x30, 0x81, 0x05, 1, 2, 3, 4, 5])
            .read()
            .is_none());
        assert!(Reader::new(&[0x30, 0x82, 0x00, 0x85]).read().is_none());
        assert!(Reader::new(&[0x30, 0x03, 1, 2]).read().is_none());
        assert!(Reader::new(&[0x30]).read().is_none());
        assert!(Reader::new(&[0x04, 0x01, 0xaa]).read().is_some());
    }
}
