//! `X509`, `X509_NAME` and `ASN1_TIME`: the certificate accessors programs use to print and
//! check a peer. An `X509 *` is a shared handle (an `Arc`) around the DER, with its
//! names and validity times decoded once (they live as long as the certificate, as the
//! pointers OpenSSL's `X509_get_subject_name` / `X509_get0_notBefore` return do).

use std::ffi::{c_char, c_int, c_long, c_uchar};
use std::sync::Arc;

use oxssl::x509::{self as ox, CertificateDer, NameEntry, VerifyCode};

use crate::err::{self, LIB_ASN1};
use crate::guard;
use crate::handle::{self, borrow};

use crate::err::ERR_R_PASSED_NULL_PARAMETER;
/// ASN1_R_HEADER_TOO_LONG: what `d2i_X509` queues for truncated input.
const ASN1_R_HEADER_TOO_LONG: c_int = 123;
/// ASN1_R_NESTED_ASN1_ERROR.
const ASN1_R_NESTED_ASN1_ERROR: c_int = 58;

/// `X509_NAME`: the attributes of a subject or issuer name.
#[allow(non_camel_case_types)]
pub struct X509_NAME {
    pub(crate) entries: Vec<NameEntry>,
}

impl X509_NAME {
    /// `X509_NAME_oneline`'s pieces, one per attribute: "/CN=x", or "+UID=y" inside a
    /// multi-valued RDN; bytes outside printable ASCII as "\\xHH".
    pub(crate) fn oneline_parts(&self) -> Vec<String> {
        let mut prev = None;
        self.entries
            .iter()
            .map(|e| {
                let sep = if prev == Some(e.set) { '+' } else { '/' };
                prev = Some(e.set);
                let mut out = format!("{sep}{}=", e.short_name);
                for b in oneline_bytes(e) {
                    if (b' '..=b'~').contains(&b) {
                        out.push(char::from(b));
                    } else {
                        out.push_str(&format!("\\x{b:02X}"));
                    }
                }
                out
            })
            .collect()
    }

    pub(crate) fn oneline(&self) -> String {
        self.oneline_parts().concat()
    }
}

/// The bytes `X509_NAME_oneline` prints for a value: the contents, except that a
/// GeneralString of 4-byte characters whose high bytes are all zero is narrowed.
fn oneline_bytes(e: &NameEntry) -> Vec<u8> {
    let v = &e.value;
    if e.tag == 27 && v.len() % 4 == 0 && v.chunks(4).all(|c| c[..3].iter().all(|b| *b == 0)) {
        return v.chunks(4).map(|c| c[3]).collect();
    }
    v.clone()
}

/// `ASN1_TIME`: a validity time, in seconds since the Unix epoch.
#[allow(non_camel_case_types)]
pub struct ASN1_TIME {
    secs: Option<i64>,
}

/// `X509`.
#[allow(clippy::upper_case_acronyms)]
pub struct X509 {
    der: Vec<u8>,
    subject: X509_NAME,
    issuer: X509_NAME,
    not_before: ASN1_TIME,
    not_after: ASN1_TIME,
}

impl X509 {
    /// A certificate from its DER, if well-formed.
    pub(crate) fn from_der(der: Vec<u8>) -> Option<Arc<X509>> {
        let c = CertificateDer::from(der.as_slice());
        if !ox::is_well_formed(&c) {
            return None;
        }
        let validity = ox::validity_of(&c);
        let x = X509 {
            subject: X509_NAME {
                entries: ox::subject_entries(&c),
            },
            issuer: X509_NAME {
                entries: ox::issuer_entries(&c),
            },
            not_before: ASN1_TIME {
                secs: validity.map(|v| v.0),
            },
            not_after: ASN1_TIME {
                secs: validity.map(|v| v.1),
            },
            der: Vec::new(),
        };
        Some(Arc::new(X509 { der, ..x }))
    }

    pub(crate) fn der(&self) -> &[u8] {
        &self.der
    }
}

/// The length of the DER element at the start of `data` (header and contents).
pub(crate) fn der_len(data: &[u8]) -> Option<usize> {
    let first = usize::from(*data.get(1)?);
    if first < 0x80 {
        return 2usize.checked_add(first);
    }
    let n = first & 0x7f;
    if n == 0 || n > 4 {
        return None;
    }
    let len = data
        .get(2..2 + n)?
        .iter()
        .fold(0usize, |a, b| (a << 8) | usize::from(*b));
    (2 + n).checked_add(len)
}

/// `d2i_*`: one DER object made by `make` from `*pp` (at most `length` bytes); `*pp` moves
/// past it and `*a`, if given, is replaced. `make` fails with `Err(true)` when it queued
/// its own errors, `Err(false)` for the ASN.1 errors OpenSSL queues for bad DER.
///
/// # Safety
/// `pp` points to a pointer to `length` readable bytes; `a` is NULL or a writable slot
/// holding NULL or a reference the caller gives up.
pub(crate) unsafe fn d2i_object<T>(
    a: *mut *mut T,
    pp: *mut *const c_uchar,
    length: c_long,
    make: impl FnOnce(Vec<u8>) -> Result<Arc<T>, bool>,
) -> *mut T {
    guard(std::ptr::null_mut(), || {
        // SAFETY: pp per the contract (checked for NULL).
        let Some(start) = (unsafe { pp.as_ref() }).copied().filter(|p| !p.is_null()) else {
            err::push(LIB_ASN1, ERR_R_PASSED_NULL_PARAMETER);
            return std::ptr::null_mut();
        };
        let avail = usize::try_from(length).unwrap_or(0);
        // SAFETY: *pp points to `length` readable bytes (contract).
        let data = unsafe { std::slice::from_raw_parts(start, avail) };
        let made = der_len(data)
            .filter(|n| *n <= data.len())
            .ok_or(false)
            .and_then(|n| Ok((n, make(data[..n].to_vec())?)));
        let (n, obj) = match made {
            Ok(made) => made,
            Err(queued) => {
                if !queued {
                    err::push(LIB_ASN1, ASN1_R_HEADER_TOO_LONG);
                    err::push(LIB_ASN1, ASN1_R_NESTED_ASN1_ERROR);
                }
                return std::ptr::null_mut();
            }
        };
        // SAFETY: the element lies inside the caller's buffer; *pp moves past it.
        unsafe { *pp = start.add(n) };
        let p = handle::into_raw(obj);
        // SAFETY: a is NULL or a writable slot whose old object is replaced.
        if let Some(slot) = unsafe { a.as_mut() } {
            // SAFETY: the slot's old value is NULL or a reference the caller gives up.
            unsafe { handle::release(*slot) };
            *slot = p;
        }
        p
    })
}

/// `d2i_X509`: one certificate from `*pp` (at most `length` bytes); `*pp` moves past it.
///
/// # Safety
/// `pp` points to a pointer to `length` readable bytes; `a` is NULL or a writable slot
/// holding NULL or an `X509 *` (freed and replaced on success).
#[no_mangle]
pub unsafe extern "C" fn d2i_X509(
    a: *mut *mut X509,
    pp: *mut *const c_uchar,
    length: c_long,
) -> *mut X509 {
    // SAFETY: forwarded contract.
    unsafe { d2i_object(a, pp, length, |d| X509::from_der(d).ok_or(false)) }
}

/// `i2d_X509`: the DER length; with `pp`, the DER is written to `*pp` (moved past it) or,
/// if `*pp` is NULL, to a new `OPENSSL_malloc` buffer stored in `*pp`.
///
/// # Safety
/// `x` is NULL or live; `pp` is NULL or points to NULL or to a buffer large enough.
#[no_mangle]
pub unsafe extern "C" fn i2d_X509(x: *const X509, pp: *mut *mut c_uchar) -> c_int {
    guard(-1, || {
        // SAFETY: the caller's contract.
        let Some(x) = (unsafe { borrow(x) }) else {
            return -1;
        };
        // SAFETY: pp per the contract.
        unsafe { i2d_out(x.der(), pp) }.unwrap_or(-1)
    })
}

/// `i2d_*`'s output convention: the DER length; with `pp`, the DER is written to `*pp`
/// (which moves past it) or, if `*pp` is NULL, to a new `OPENSSL_malloc` buffer stored in
/// `*pp`. None when that allocation fails or the length does not fit an `int`.
///
/// # Safety
/// `pp` is NULL or points to NULL or to a buffer with room for `der`.
pub(crate) unsafe fn i2d_out(der: &[u8], pp: *mut *mut c_uchar) -> Option<c_int> {
    let n = c_int::try_from(der.len()).ok()?;
    // SAFETY: pp is NULL or a writable slot (contract).
    if let Some(slot) = unsafe { pp.as_mut() } {
        if slot.is_null() {
            let p = crate::mem::c_copy(der, false);
            if p.is_null() {
                return None;
            }
            *slot = p;
        } else {
            // SAFETY: *slot has room for the DER (contract); it moves past it.
            unsafe {
                std::ptr::copy_nonoverlapping(der.as_ptr(), *slot, der.len());
                *slot = slot.add(der.len());
            }
        }
    }
    Some(n)
}

/// `X509_free`.
///
/// # Safety
/// `x` is NULL or a reference the caller owns.
#[no_mangle]
pub unsafe extern "C" fn X509_free(x: *mut X509) {
    // SAFETY: forwarded contract.
    unsafe { handle::release(x) }
}

/// `X509_up_ref`.
///
/// # Safety
/// `x` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn X509_up_ref(x: *mut X509) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { handle::up_ref(x) }
}

/// Runs `f` on a live certificate, or returns NULL.
fn field<T>(x: *const X509, f: impl FnOnce(&X509) -> &T) -> *mut T {
    guard(std::ptr::null_mut(), || {
        // SAFETY: a non-NULL X509 * is live while the caller uses it (OpenSSL's contract).
        unsafe { borrow(x) }.map_or(std::ptr::null_mut(), |x| {
            std::ptr::from_ref(f(x)).cast_mut()
        })
    })
}

/// `X509_get_subject_name`: owned by the certificate.
///
/// # Safety
/// `x` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn X509_get_subject_name(x: *const X509) -> *mut X509_NAME {
    field(x, |x| &x.subject)
}

/// `X509_get_issuer_name`: owned by the certificate.
///
/// # Safety
/// `x` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn X509_get_issuer_name(x: *const X509) -> *mut X509_NAME {
    field(x, |x| &x.issuer)
}

/// `X509_get0_notBefore`.
///
/// # Safety
/// `x` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn X509_get0_notBefore(x: *const X509) -> *const ASN1_TIME {
    field(x, |x| &x.not_before)
}

/// `X509_get0_notAfter`.
///
/// # Safety
/// `x` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn X509_get0_notAfter(x: *const X509) -> *const ASN1_TIME {
    field(x, |x| &x.not_after)
}

/// `X509_getm_notBefore` (what the `X509_get_notBefore` macro names); read-only here.
///
/// # Safety
/// `x` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn X509_getm_notBefore(x: *const X509) -> *mut ASN1_TIME {
    field(x, |x| &x.not_before)
}

/// `X509_getm_notAfter`; read-only here.
///
/// # Safety
/// `x` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn X509_getm_notAfter(x: *const X509) -> *mut ASN1_TIME {
    field(x, |x| &x.not_after)
}

/// `X509_NAME_oneline`: "/CN=x/O=y" into `buf` (the attributes that fit in `size - 1`
/// characters), or into a
/// new `OPENSSL_malloc` string when `buf` is NULL.
///
/// # Safety
/// `a` is NULL or live; `buf` is NULL or holds `size` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn X509_NAME_oneline(
    a: *const X509_NAME,
    buf: *mut c_char,
    size: c_int,
) -> *mut c_char {
    guard(std::ptr::null_mut(), || {
        // SAFETY: a is NULL or live (contract).
        let parts = match unsafe { a.as_ref() } {
            Some(n) => n.oneline_parts(),
            None => vec!["NO X509_NAME".to_string()],
        };
        if buf.is_null() {
            return crate::mem::c_copy(parts.concat().as_bytes(), true).cast();
        }
        let Ok(size) = usize::try_from(size) else {
            return std::ptr::null_mut();
        };
        if size == 0 {
            return buf;
        }
        // As OpenSSL: whole attributes only, as many as fit.
        let mut text = String::new();
        for p in &parts {
            if text.len() + p.len() > size - 1 {
                break;
            }
            text.push_str(p);
        }
        let n = text.len();
        // SAFETY: buf holds size writable bytes (contract) and n + 1 <= size.
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), n);
            *buf.add(n) = 0;
        }
        buf
    })
}

/// `X509_NAME_entry_count`.
///
/// # Safety
/// `a` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn X509_NAME_entry_count(a: *const X509_NAME) -> c_int {
    // SAFETY: a is NULL or live (contract).
    guard(0, || {
        unsafe { a.as_ref() }.map_or(0, |n| n.entries.len() as c_int)
    })
}

/// `X509_verify_cert_error_string`: OpenSSL's text for an `X509_V_ERR_*` code.
#[no_mangle]
pub extern "C" fn X509_verify_cert_error_string(n: c_long) -> *const c_char {
    guard(std::ptr::null(), || {
        let code = i32::try_from(n).map_or(VerifyCode(-1), VerifyCode);
        crate::err::intern_str(match code {
            // OpenSSL 3.6's wording (the library keeps 3.0's).
            VerifyCode::CERT_NOT_YET_VALID => {
                "certificate is not yet valid or the system clock is incorrect"
            }
            c => c.text(),
        })
    })
}

/// "Jan  1 00:00:00 1975 GMT", as `ASN1_TIME_print` writes it.
fn time_text(secs: i64) -> Option<String> {
    ox::Asn1Time::from_unix(secs).ok().map(|t| t.to_string())
}

/// `ASN1_TIME_print`: 1, or 0 (after printing "Bad time value") for a malformed time.
///
/// # Safety
/// `b` is NULL or a live `BIO *`; `t` is NULL or from this library.
#[no_mangle]
pub unsafe extern "C" fn ASN1_TIME_print(b: *mut crate::bio::BIO, t: *const ASN1_TIME) -> c_int {
    guard(0, || {
        // SAFETY: t is NULL or live (contract).
        match unsafe { t.as_ref() }
            .and_then(|t| t.secs)
            .and_then(time_text)
        {
            // SAFETY: b per the contract.
            Some(text) => c_int::from(unsafe { crate::bio::write_all(b, text.as_bytes()) }),
            None => {
                // SAFETY: b per the contract.
                unsafe { crate::bio::write_all(b, b"Bad time value") };
                0
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_as_openssl() {
        let text = |s| time_text(s).unwrap();
        assert_eq!(text(0), "Jan  1 00:00:00 1970 GMT");
        assert_eq!(text(157_766_400), "Jan  1 00:00:00 1975 GMT");
        assert_eq!(text(1_795_773_559), "Nov 27 09:59:19 2026 GMT");
        assert_eq!(text(-1), "Dec 31 23:59:59 1969 GMT");
    }

    #[test]
    fn der_lengths() {
        assert_eq!(der_len(&[0x30, 0x03, 1, 2, 3]), Some(5));
        assert_eq!(der_len(&[0x30, 0x82, 0x01, 0x00]), Some(260));
        assert_eq!(der_len(&[0x30]), None);
        assert_eq!(der_len(&[0x30, 0x80]), None);
    }
}
