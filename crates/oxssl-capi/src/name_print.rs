//! `X509_NAME_print_ex` and `X509_NAME_print`: a name in OpenSSL's formats
//! (`XN_FLAG_ONELINE` "C = US, O = Ex, CN = host", `XN_FLAG_RFC2253` "CN=host,O=Ex,C=US",
//! `XN_FLAG_MULTILINE`, and the flags they are made of), with its escaping rules.

use std::ffi::{c_int, c_ulong};

use oxssl::x509::NameEntry;

use crate::bio::BIO;
use crate::guard;
use crate::x509::X509_NAME;

const ESC_2253: c_ulong = 0x1;
const ESC_CTRL: c_ulong = 0x2;
const ESC_MSB: c_ulong = 0x4;
const ESC_QUOTE: c_ulong = 0x8;
const UTF8_CONVERT: c_ulong = 0x10;
const IGNORE_TYPE: c_ulong = 0x20;
const DUMP_ALL: c_ulong = 0x80;
const DUMP_UNKNOWN: c_ulong = 0x100;
const DUMP_DER: c_ulong = 0x200;
const ESC_2254: c_ulong = 0x400;
/// Per-character marks (OpenSSL's CHARTYPE_FIRST/LAST_ESC_2253).
const FIRST_ESC: c_ulong = 0x20;
const LAST_ESC: c_ulong = 0x40;
const BS_ESC: c_ulong = ESC_2253 | FIRST_ESC | LAST_ESC;
const ESC_FLAGS: c_ulong = ESC_2253 | ESC_2254 | ESC_QUOTE | ESC_CTRL | ESC_MSB;

const SEP_MASK: c_ulong = 0xf << 16;
const SEP_COMMA_PLUS: c_ulong = 1 << 16;
const SEP_CPLUS_SPC: c_ulong = 2 << 16;
const SEP_SPLUS_SPC: c_ulong = 3 << 16;
const SEP_MULTILINE: c_ulong = 4 << 16;
const DN_REV: c_ulong = 1 << 20;
const FN_MASK: c_ulong = 0x3 << 21;
const FN_LN: c_ulong = 1 << 21;
const FN_OID: c_ulong = 2 << 21;
const FN_NONE: c_ulong = 3 << 21;
const SPC_EQ: c_ulong = 1 << 23;
const DUMP_UNKNOWN_FIELDS: c_ulong = 1 << 24;
const FN_ALIGN: c_ulong = 1 << 25;

/// Long names and OIDs of the attribute types OpenSSL knows by short name.
const KNOWN: &[(&str, &str, &str)] = &[
    ("CN", "commonName", "2.5.4.3"),
    ("SN", "surname", "2.5.4.4"),
    ("serialNumber", "serialNumber", "2.5.4.5"),
    ("C", "countryName", "2.5.4.6"),
    ("L", "localityName", "2.5.4.7"),
    ("ST", "stateOrProvinceName", "2.5.4.8"),
    ("street", "streetAddress", "2.5.4.9"),
    ("O", "organizationName", "2.5.4.10"),
    ("OU", "organizationalUnitName", "2.5.4.11"),
    ("title", "title", "2.5.4.12"),
    ("description", "description", "2.5.4.13"),
    ("businessCategory", "businessCategory", "2.5.4.15"),
    ("postalCode", "postalCode", "2.5.4.17"),
    ("name", "name", "2.5.4.41"),
    ("GN", "givenName", "2.5.4.42"),
    ("initials", "initials", "2.5.4.43"),
    ("generationQualifier", "generationQualifier", "2.5.4.44"),
    ("dnQualifier", "dnQualifier", "2.5.4.46"),
    ("pseudonym", "pseudonym", "2.5.4.65"),
    (
        "organizationIdentifier",
        "organizationIdentifier",
        "2.5.4.97",
    ),
    ("emailAddress", "emailAddress", "1.2.840.113549.1.9.1"),
    ("DC", "domainComponent", "0.9.2342.19200300.100.1.25"),
    ("UID", "userId", "0.9.2342.19200300.100.1.1"),
    (
        "jurisdictionL",
        "jurisdictionLocalityName",
        "1.3.6.1.4.1.311.60.2.1.1",
    ),
    (
        "jurisdictionST",
        "jurisdictionStateOrProvinceName",
        "1.3.6.1.4.1.311.60.2.1.2",
    ),
    (
        "jurisdictionC",
        "jurisdictionCountryName",
        "1.3.6.1.4.1.311.60.2.1.3",
    ),
];

/// How many bytes a character of a string type takes (OpenSSL's tag2nbyte): 0 for UTF-8,
/// None for types printed as a hex dump.
fn char_width(tag: u8) -> Option<usize> {
    match tag {
        12 => Some(0),
        18 | 19 | 20 | 22 | 23 | 24 | 26 => Some(1),
        28 => Some(4),
        30 => Some(2),
        _ => None,
    }
}

/// The characters of a value, decoded by its string type (None: malformed).
fn chars(value: &[u8], width: usize) -> Option<Vec<u32>> {
    match width {
        0 => std::str::from_utf8(value)
            .ok()
            .map(|s| s.chars().map(u32::from).collect()),
        1 => Some(value.iter().map(|b| u32::from(*b)).collect()),
        w => {
            if value.len() % w != 0 {
                return None;
            }
            Some(
                value
                    .chunks(w)
                    .map(|c| c.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b)))
                    .collect(),
            )
        }
    }
}

/// OpenSSL's per-character class (charmap.h) for the ASCII characters that matter.
fn char_class(c: u8) -> c_ulong {
    match c {
        b',' | b'+' | b'"' | b'\\' | b'<' | b'>' | b';' => ESC_2253,
        b' ' => FIRST_ESC | LAST_ESC,
        b'#' => FIRST_ESC,
        0..=0x1f | 0x7f => ESC_CTRL,
        _ => 0,
    }
}

/// One character, escaped per `flags`; sets `quotes` when quoting replaces escaping.
fn esc_char(out: &mut Vec<u8>, c: u32, flags: c_ulong, quotes: &mut bool) {
    if c > 0xffff {
        out.extend_from_slice(format!("\\W{c:08X}").as_bytes());
        return;
    }
    if c > 0xff {
        out.extend_from_slice(format!("\\U{c:04X}").as_bytes());
        return;
    }
    let ch = c as u8;
    let class = if ch > 0x7f {
        flags & ESC_MSB
    } else {
        char_class(ch) & flags
    };
    if class & BS_ESC != 0 {
        if flags & ESC_QUOTE != 0 {
            *quotes = true;
            out.push(ch);
        } else {
            out.extend_from_slice(&[b'\\', ch]);
        }
    } else if class & (ESC_CTRL | ESC_MSB | ESC_2254) != 0 {
        out.extend_from_slice(format!("\\{ch:02X}").as_bytes());
    } else if ch == b'\\' && flags & ESC_FLAGS != 0 {
        out.extend_from_slice(b"\\\\");
    } else {
        out.push(ch);
    }
}

/// A value as `do_print_ex` renders it (None: it cannot be printed).
fn value_text(e: &NameEntry, flags: c_ulong) -> Option<Vec<u8>> {
    let width = if flags & DUMP_ALL != 0 {
        None
    } else if flags & IGNORE_TYPE != 0 {
        Some(1)
    } else {
        match char_width(e.tag) {
            None if flags & DUMP_UNKNOWN == 0 => Some(1),
            w => w,
        }
    };
    let Some(width) = width else {
        let bytes = if flags & DUMP_DER != 0 {
            &e.der
        } else {
            &e.value
        };
        let mut out = b"#".to_vec();
        for b in bytes {
            out.extend_from_slice(format!("{b:02X}").as_bytes());
        }
        return Some(out);
    };
    let cs = chars(&e.value, width)?;
    let mut out = Vec::new();
    let mut quotes = false;
    let last = cs.len().saturating_sub(1);
    for (i, c) in cs.iter().enumerate() {
        // The first/last-character rules are RFC 2253's, so they need its flag.
        let mut f = flags;
        if i == 0 && flags & ESC_2253 != 0 {
            f |= FIRST_ESC;
        }
        if i == last && flags & ESC_2253 != 0 {
            f |= LAST_ESC;
        }
        if flags & UTF8_CONVERT != 0 {
            let mut buf = [0u8; 4];
            let utf8: &[u8] = match char::from_u32(*c) {
                Some(ch) => ch.encode_utf8(&mut buf).as_bytes(),
                None => return None,
            };
            // Multi-byte sequences are all above 0x7f, so first/last marks cannot apply.
            for b in utf8 {
                esc_char(&mut out, u32::from(*b), f, &mut quotes);
            }
        } else {
            esc_char(&mut out, *c, f, &mut quotes);
        }
    }
    if quotes {
        out.insert(0, b'"');
        out.push(b'"');
    }
    Some(out)
}

/// The field name of an entry per the FN_* flags, and whether the type is unknown.
fn field_name(e: &NameEntry, flags: c_ulong) -> (String, usize, bool) {
    let known = KNOWN.iter().find(|k| k.0 == e.short_name);
    let unknown = known.is_none() && e.short_name.starts_with(|c: char| c.is_ascii_digit());
    let oid = || known.map_or(e.short_name.clone(), |k| k.2.to_string());
    match flags & FN_MASK {
        FN_OID => (oid(), 0, unknown),
        _ if unknown => (e.short_name.clone(), 0, true),
        FN_LN => (
            known.map_or(e.short_name.clone(), |k| k.1.to_string()),
            25,
            false,
        ),
        _ => (e.short_name.clone(), 10, false),
    }
}

/// `do_name_ex`: the whole name, or None where OpenSSL returns -1.
fn name_ex(entries: &[NameEntry], indent: usize, flags: c_ulong) -> Option<Vec<u8>> {
    let (sep_dn, sep_mv, indent_after): (&[u8], &[u8], usize) = match flags & SEP_MASK {
        SEP_MULTILINE => (b"\n", b" + ", indent),
        SEP_COMMA_PLUS => (b",", b"+", 0),
        SEP_CPLUS_SPC => (b", ", b" + ", 0),
        SEP_SPLUS_SPC => (b"; ", b" + ", 0),
        _ => return None,
    };
    let sep_eq: &[u8] = if flags & SPC_EQ != 0 { b" = " } else { b"=" };
    let mut out = vec![b' '; indent];
    let mut prev: Option<usize> = None;
    let n = entries.len();
    for i in 0..n {
        let e = if flags & DN_REV != 0 {
            &entries[n - 1 - i]
        } else {
            &entries[i]
        };
        if let Some(p) = prev {
            if p == e.set {
                out.extend_from_slice(sep_mv);
            } else {
                out.extend_from_slice(sep_dn);
                out.extend(std::iter::repeat_n(b' ', indent_after));
            }
        }
        prev = Some(e.set);
        let (name, width, unknown) = field_name(e, flags);
        if flags & FN_MASK != FN_NONE {
            out.extend_from_slice(name.as_bytes());
            if flags & FN_ALIGN != 0 && name.len() < width {
                out.extend(std::iter::repeat_n(b' ', width - name.len()));
            }
            out.extend_from_slice(sep_eq);
        }
        let extra = if unknown && flags & DUMP_UNKNOWN_FIELDS != 0 {
            DUMP_ALL
        } else {
            0
        };
        out.extend_from_slice(&value_text(e, flags | extra)?);
    }
    Some(out)
}

/// `X509_NAME_print`'s format: the one-line form with ", " between attributes.
fn compat(oneline: &str) -> Vec<u8> {
    let s = oneline.as_bytes();
    let Some(body) = s.strip_prefix(b"/") else {
        return s.to_vec();
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let up = |k: usize| body.get(k).is_some_and(u8::is_ascii_uppercase);
        let eq = |k: usize| body.get(k) == Some(&b'=');
        if body[i] == b'/' && up(i + 1) && (eq(i + 2) || (up(i + 2) && eq(i + 3))) {
            out.extend_from_slice(b", ");
        } else {
            out.push(body[i]);
        }
        i += 1;
    }
    out
}

/// The text `X509_NAME_print_ex` writes and its return value.
fn print_ex(nm: &X509_NAME, indent: c_int, flags: c_ulong) -> Option<(Vec<u8>, c_int)> {
    if flags == 0 {
        return Some((compat(&nm.oneline()), 1));
    }
    let text = name_ex(&nm.entries, usize::try_from(indent).unwrap_or(0), flags)?;
    let n = text.len() as c_int;
    Some((text, n))
}

/// Renders `nm` and hands the text to `write`: the return value of the print calls.
fn print_with(
    nm: *const X509_NAME,
    indent: c_int,
    flags: c_ulong,
    write: impl FnOnce(&[u8]) -> bool,
) -> c_int {
    guard(-1, || {
        // SAFETY: nm is NULL or live (the print calls' contract).
        match unsafe { nm.as_ref() }.and_then(|n| print_ex(n, indent, flags)) {
            Some((text, ret)) if write(&text) => ret,
            _ => -1,
        }
    })
}

/// `X509_NAME_print_ex`: the number of characters written (1 with flags 0, as
/// `X509_NAME_print`), -1 on failure.
///
/// # Safety
/// `out` is NULL or a live `BIO *`; `nm` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn X509_NAME_print_ex(
    out: *mut BIO,
    nm: *const X509_NAME,
    indent: c_int,
    flags: c_ulong,
) -> c_int {
    // SAFETY: out per the contract.
    print_with(nm, indent, flags, |t| unsafe {
        crate::bio::write_all(out, t)
    })
}

/// `X509_NAME_print`: the `/`-separated one-line form with ", " between attributes.
///
/// # Safety
/// As [`X509_NAME_print_ex`].
#[no_mangle]
pub unsafe extern "C" fn X509_NAME_print(
    out: *mut BIO,
    nm: *const X509_NAME,
    _obase: c_int,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { X509_NAME_print_ex(out, nm, 0, 0) }
}

/// `X509_NAME_print_ex_fp`.
///
/// # Safety
/// `fp` is NULL or a `FILE *`; `nm` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn X509_NAME_print_ex_fp(
    fp: *mut libc::FILE,
    nm: *const X509_NAME,
    indent: c_int,
    flags: c_ulong,
) -> c_int {
    print_with(nm, indent, flags, |t| {
        // SAFETY: fp is a FILE * (contract), checked non-NULL; t is readable.
        !fp.is_null() && unsafe { libc::fwrite(t.as_ptr().cast(), 1, t.len(), fp) } == t.len()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(short: &str, tag: u8, value: &str, set: usize) -> NameEntry {
        NameEntry {
            short_name: short.into(),
            tag,
            value: value.as_bytes().to_vec(),
            der: Vec::new(),
            set,
        }
    }

    const ONELINE: c_ulong = 0x317 | ESC_QUOTE | SEP_CPLUS_SPC | SPC_EQ;
    const RFC2253: c_ulong = 0x317 | SEP_COMMA_PLUS | DN_REV | DUMP_UNKNOWN_FIELDS;

    #[test]
    fn formats() {
        let n = [
            entry("C", 19, "US", 0),
            entry("O", 12, "Ex, Inc.", 1),
            entry("CN", 12, " host#", 2),
        ];
        assert_eq!(
            name_ex(&n, 0, ONELINE).unwrap(),
            b"C = US, O = \"Ex, Inc.\", CN = \" host#\""
        );
        assert_eq!(
            name_ex(&n, 0, RFC2253).unwrap(),
            b"CN=\\ host#,O=Ex\\, Inc.,C=US"
        );
        assert_eq!(compat("/C=US/O=a/b/CN=x"), b"C=US, O=a/b, CN=x");
        assert!(name_ex(&n, 0, ESC_2253).is_none());
    }
}
