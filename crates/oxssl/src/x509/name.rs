//! X509_NAME_oneline-style rendering of distinguished names.

use super::asn1::{Asn1Object, Asn1ObjectRef, Asn1String, Asn1StringRef};
use super::der::{tag, Reader, Tlv};
use crate::nid::Nid;
use crate::ssl::ErrorStack;

/// Short names OpenSSL prints for common attribute types (OID contents octets).
const ATTRIBUTES: &[(&[u8], &str)] = &[
    (&[0x55, 0x04, 0x03], "CN"),
    (&[0x55, 0x04, 0x04], "SN"),
    (&[0x55, 0x04, 0x05], "serialNumber"),
    (&[0x55, 0x04, 0x06], "C"),
    (&[0x55, 0x04, 0x07], "L"),
    (&[0x55, 0x04, 0x08], "ST"),
    (&[0x55, 0x04, 0x09], "street"),
    (&[0x55, 0x04, 0x0a], "O"),
    (&[0x55, 0x04, 0x0b], "OU"),
    (&[0x55, 0x04, 0x0c], "title"),
    (&[0x55, 0x04, 0x0d], "description"),
    (&[0x55, 0x04, 0x0f], "businessCategory"),
    (&[0x55, 0x04, 0x11], "postalCode"),
    (&[0x55, 0x04, 0x29], "name"),
    (&[0x55, 0x04, 0x2a], "GN"),
    (&[0x55, 0x04, 0x2b], "initials"),
    (&[0x55, 0x04, 0x2c], "generationQualifier"),
    (&[0x55, 0x04, 0x2e], "dnQualifier"),
    (&[0x55, 0x04, 0x41], "pseudonym"),
    (&[0x55, 0x04, 0x61], "organizationIdentifier"),
    (
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01],
        "emailAddress",
    ),
    (
        &[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19],
        "DC",
    ),
    (
        &[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01],
        "UID",
    ),
    (
        &[
            0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x01,
        ],
        "jurisdictionL",
    ),
    (
        &[
            0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x02,
        ],
        "jurisdictionST",
    ),
    (
        &[
            0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x03,
        ],
        "jurisdictionC",
    ),
];

/// The attributes of a Name SEQUENCE's contents, in order: (index of their
/// RelativeDistinguishedName, attribute type OID, value). Malformed data ends the walk.
fn attributes(name: &[u8]) -> impl Iterator<Item = (usize, &[u8], Tlv<'_>)> {
    let mut rdns = Reader::new(name);
    let mut set = 0usize;
    let mut atvs: Option<Reader<'_>> = None;
    let mut broken = false;
    std::iter::from_fn(move || loop {
        if broken {
            return None;
        }
        if let Some(atv) = atvs.as_mut().and_then(|r| r.expect(tag::SEQUENCE)) {
            let mut r = Reader::new(atv.value);
            match (r.expect(tag::OID), r.read()) {
                (Some(oid), Some(value)) => return Some((set - 1, oid.value, value)),
                _ => {
                    broken = true;
                    return None;
                }
            }
        }
        let rdn = rdns.expect(tag::SET)?;
        atvs = Some(Reader::new(rdn.value));
        set += 1;
    })
}

/// Renders the contents of a Name SEQUENCE as "/CN=x/O=y". Malformed trailing data ends the
/// output early; the result is always printable ASCII.
pub(crate) fn oneline(name: &[u8]) -> String {
    let mut out = String::new();
    for (_, oid, value) in attributes(name) {
        out.push('/');
        match ATTRIBUTES.iter().find(|(o, _)| *o == oid) {
            Some((_, short)) => out.push_str(short),
            None => out.push_str(&dotted_oid(oid)),
        }
        out.push('=');
        push_value(&mut out, value.tag, value.value, value.full);
    }
    out
}

/// The attributes of a Name SEQUENCE's contents, in order (see [`super::NameEntry`]).
/// Malformed trailing data ends the list early.
pub(crate) fn entries(name: &[u8]) -> Vec<super::NameEntry> {
    attributes(name)
        .map(|(set, oid, value)| super::NameEntry {
            short_name: short_name(oid),
            tag: value.tag,
            value: value.value.to_vec(),
            der: value.full.to_vec(),
            set,
        })
        .collect()
}

/// OpenSSL's short name of an attribute type, or its dotted OID.
fn short_name(oid: &[u8]) -> String {
    match ATTRIBUTES.iter().find(|(o, _)| *o == oid) {
        Some((_, short)) => (*short).to_string(),
        None => dotted_oid(oid),
    }
}

fn push_value(out: &mut String, tag: u8, value: &[u8], full: &[u8]) {
    match tag {
        // UTF8String, NumericString, PrintableString, T61String, IA5String, VisibleString,
        // GeneralString: printed byte by byte, like OpenSSL does.
        0x0c | 0x12 | 0x13 | 0x14 | 0x16 | 0x1a | 0x1b => push_escaped(out, value),
        // BMPString / UniversalString: narrowed when every high byte is zero.
        0x1e => push_wide(out, value, 2),
        0x1c => push_wide(out, value, 4),
        _ => {
            out.push('#');
            for b in full {
                out.push_str(&format!("{b:02X}"));
            }
        }
    }
}

fn push_wide(out: &mut String, value: &[u8], width: usize) {
    let narrow = value.chunks_exact(width).remainder().is_empty()
        && value
            .chunks(width)
            .all(|c| c.iter().take(width - 1).all(|b| *b == 0));
    if narrow {
        let bytes: Vec<u8> = value
            .chunks(width)
            .filter_map(|c| c.last().copied())
            .collect();
        push_escaped(out, &bytes);
    } else {
        push_escaped(out, value);
    }
}

fn push_escaped(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        if (0x20..=0x7e).contains(b) {
            out.push(char::from(*b));
        } else {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
}

/// Dotted-decimal form of an OID's contents octets ("?" on malformed input).
pub(crate) fn dotted_oid(oid: &[u8]) -> String {
    let mut arcs: Vec<u128> = Vec::new();
    let mut acc: u128 = 0;
    let mut in_arc = false;
    for b in oid {
        if !in_arc && *b == 0x80 {
            return "?".into(); // non-minimal arc encoding
        }
        acc = match acc.checked_mul(128) {
            Some(v) => v | u128::from(b & 0x7f),
            None => return "?".into(),
        };
        if b & 0x80 == 0 {
            arcs.push(acc);
            acc = 0;
            in_arc = false;
        } else {
            in_arc = true;
        }
    }
    if in_arc || arcs.is_empty() {
        return "?".into();
    }
    let mut parts = Vec::with_capacity(arcs.len() + 1);
    let first = arcs.first().copied().unwrap_or(0);
    let (a, b) = match first {
        0..=39 => (0, first),
        40..=79 => (1, first - 40),
        _ => (2, first - 80),
    };
    parts.push(a.to_string());
    parts.push(b.to_string());
    parts.extend(arcs.iter().skip(1).map(|v| v.to_string()));
    parts.join(".")
}

/// A distinguished name (a certificate's subject or issuer), as the `openssl` crate's
/// `X509Name`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct X509Name {
    /// Contents of the Name SEQUENCE.
    der: Vec<u8>,
    entries: Vec<X509NameEntry>,
}

/// The `openssl` crate's borrowed name type: here the same as [`X509Name`].
pub type X509NameRef = X509Name;

/// One attribute of a name (`X509_NAME_ENTRY`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct X509NameEntry {
    object: Asn1Object,
    data: Asn1String,
}

/// The `openssl` crate's borrowed entry type: here the same as [`X509NameEntry`].
pub type X509NameEntryRef = X509NameEntry;

impl X509NameEntry {
    /// The value (`X509_NAME_ENTRY_get_data`).
    pub fn data(&self) -> &Asn1StringRef {
        &self.data
    }

    /// The attribute type (`X509_NAME_ENTRY_get_object`).
    pub fn object(&self) -> &Asn1ObjectRef {
        &self.object
    }
}

impl X509Name {
    /// The name whose Name SEQUENCE has `contents`.
    pub(crate) fn from_contents(contents: &[u8]) -> X509Name {
        let entries = attributes(contents)
            .map(|(_, oid, value)| X509NameEntry {
                object: Asn1Object { oid: oid.to_vec() },
                data: Asn1String {
                    tag: value.tag,
                    value: value.value.to_vec(),
                },
            })
            .collect();
        X509Name {
            der: contents.to_vec(),
            entries,
        }
    }

    /// The attributes in order (`X509_NAME_get_entry` over every index).
    pub fn entries(&self) -> std::slice::Iter<'_, X509NameEntry> {
        self.entries.iter()
    }

    /// The attributes of one type, e.g. [`Nid::COMMONNAME`].
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let pem = rcgen::generate_simple_self_signed(vec!["example.com".into()])?.cert.pem();
    /// use oxssl::nid::Nid;
    /// use oxssl::x509::X509;
    /// let cert = X509::from_pem(pem.as_bytes())?;
    /// let cn = cert.subject_name().entries_by_nid(Nid::COMMONNAME).next().unwrap();
    /// assert_eq!(cn.data().as_utf8()?, "rcgen self signed cert");
    /// # Ok(()) }
    /// ```
    pub fn entries_by_nid(&self, nid: Nid) -> impl Iterator<Item = &X509NameEntryRef> {
        self.entries.iter().filter(move |e| e.object.nid() == nid)
    }

    /// The DER encoding of the Name (`i2d_X509_NAME`).
    pub fn to_der(&self) -> Result<Vec<u8>, ErrorStack> {
        let mut out = vec![tag::SEQUENCE];
        let len = self.der.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes: Vec<u8> = len
                .to_be_bytes()
                .into_iter()
                .skip_while(|b| *b == 0)
                .collect();
            out.push(0x80 | bytes.len() as u8);
            out.extend(bytes);
        }
        out.extend_from_slice(&self.der);
        Ok(out)
    }

    /// The subject names of the certificates in a PEM file
    /// (`SSL_load_client_CA_file`), for [`crate::ssl::SslContextBuilder::set_client_ca_list`].
    pub fn load_client_ca_file(
        file: impl AsRef<std::path::Path>,
    ) -> Result<crate::stack::Stack<X509Name>, ErrorStack> {
        let certs = super::certs_from_pem_file(file).map_err(|e| {
            ErrorStack::one(crate::ssl::ErrorEntry::ssl(
                crate::reason::Reason::BAD_VALUE,
                e.to_string(),
            ))
        })?;
        let names: Vec<X509Name> = certs
            .iter()
            .filter_map(|c| super::der::ParsedCert::parse(c.as_ref()))
            .map(|p| X509Name::from_contents(p.subject))
            .collect();
        Ok(names.into())
    }

    /// A name from its DER encoding (a Name SEQUENCE).
    pub fn from_der(der: &[u8]) -> Result<X509Name, ErrorStack> {
        let seq = super::der::single(der, tag::SEQUENCE).ok_or_else(|| {
            ErrorStack::one(crate::ssl::ErrorEntry::ssl(
                crate::reason::Reason::BAD_VALUE,
                "malformed distinguished name",
            ))
        })?;
        Ok(X509Name::from_contents(seq.value))
    }

    /// The name as `X509_NAME_oneline` writes it ("/C=US/O=Example/CN=example.com").
    pub fn oneline(&self) -> String {
        oneline(&self.der)
    }
}

impl std::fmt::Debug for X509Name {
    /// `[commonName = "example.com"]`, as the `openssl` crate prints a name.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[")?;
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            let value = e.data.as_utf8().unwrap_or_default();
            write!(f, "{} = {:?}", e.object, value)?;
        }
        f.write_str("]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids() {
        assert_eq!(dotted_oid(&[0x55, 0x04, 0x03]), "2.5.4.3");
        assert_eq!(
            dotted_oid(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]),
            "1.2.840.113549.1.1.11"
        );
        assert_eq!(dotted_oid(&[0x88, 0x37, 0x01]), "2.999.1");
        assert_eq!(dotted_oid(&[0x55, 0x84]), "?");
        assert_eq!(dotted_oid(&[]), "?");
    }
}
