//! The ASN.1 value types certificate accessors return, shaped like the `openssl` crate's
//! `asn1` and `bn` types: times, integers, strings and object identifiers.

use std::cmp::Ordering;
use std::fmt;

use crate::nid::Nid;
use crate::ssl::{ErrorEntry, ErrorStack};

fn bad(what: &str) -> ErrorStack {
    ErrorStack::one(ErrorEntry::ssl(crate::reason::Reason::BAD_VALUE, what))
}

/// A certificate time (notBefore / notAfter), to the second, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Asn1Time(i64);

/// The `openssl` crate's borrowed time type: here the same as [`Asn1Time`].
pub type Asn1TimeRef = Asn1Time;

/// The difference between two times (`ASN1_TIME_diff`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeDiff {
    /// Whole days.
    pub days: i32,
    /// The remaining seconds (same sign as `days`).
    pub secs: i32,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Asn1Time {
    /// The time `secs` seconds after the Unix epoch.
    pub fn from_unix(secs: i64) -> Result<Asn1Time, ErrorStack> {
        Ok(Asn1Time(secs))
    }

    pub(crate) fn from_unix_secs(secs: i64) -> Asn1Time {
        Asn1Time(secs)
    }

    /// Now plus `days` days (`X509_gmtime_adj`).
    pub fn days_from_now(days: u32) -> Result<Asn1Time, ErrorStack> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|_| bad("clock before 1970"))?
            .as_secs();
        let now = i64::try_from(now).map_err(|_| bad("clock out of range"))?;
        Ok(Asn1Time(now + i64::from(days) * 86_400))
    }

    /// Seconds since the Unix epoch.
    pub fn unix_time(&self) -> i64 {
        self.0
    }

    /// `compare - self` as days and seconds (`ASN1_TIME_diff`).
    pub fn diff(&self, compare: &Asn1TimeRef) -> Result<TimeDiff, ErrorStack> {
        let d = compare.0 - self.0;
        let days = i32::try_from(d / 86_400).map_err(|_| bad("time difference too large"))?;
        Ok(TimeDiff {
            days,
            secs: (d % 86_400) as i32,
        })
    }

    /// Orders two times (`ASN1_TIME_compare`).
    pub fn compare(&self, other: &Asn1TimeRef) -> Result<Ordering, ErrorStack> {
        Ok(self.0.cmp(&other.0))
    }
}

impl Asn1Time {
    /// The calendar date and time of day (UTC): (year, month 1-12, day 1-31, seconds
    /// into the day).
    pub fn civil(&self) -> (i64, u32, u32, u32) {
        let days = self.0.div_euclid(86_400);
        let rem = self.0.rem_euclid(86_400) as u32;
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        (year, month, day, rem)
    }
}

impl fmt::Display for Asn1Time {
    /// "Jan  1 00:00:00 2000 GMT", as `ASN1_TIME_print` writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day, rem) = self.civil();
        let name = MONTHS.get(month as usize - 1).copied().unwrap_or("???");
        write!(
            f,
            "{name} {day:2} {:02}:{:02}:{:02} {year} GMT",
            rem / 3600,
            rem / 60 % 60,
            rem % 60
        )
    }
}

/// An ASN.1 INTEGER (a certificate's serial number), kept as its DER contents.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Asn1Integer(Vec<u8>);

/// The `openssl` crate's borrowed integer type: here the same as [`Asn1Integer`].
pub type Asn1IntegerRef = Asn1Integer;

impl Asn1Integer {
    pub(crate) fn from_der_contents(bytes: &[u8]) -> Asn1Integer {
        Asn1Integer(bytes.to_vec())
    }

    /// As a big number (`ASN1_INTEGER_to_BN`).
    pub fn to_bn(&self) -> Result<BigNum, ErrorStack> {
        let negative = self.0.first().is_some_and(|b| b & 0x80 != 0);
        let mut magnitude = self.0.clone();
        if negative {
            // Two's complement: invert and add one.
            for b in magnitude.iter_mut() {
                *b = !*b;
            }
            for b in magnitude.iter_mut().rev() {
                let (v, carry) = b.overflowing_add(1);
                *b = v;
                if !carry {
                    break;
                }
            }
        }
        let start = magnitude
            .iter()
            .position(|b| *b != 0)
            .unwrap_or(magnitude.len());
        Ok(BigNum {
            negative: negative && start < magnitude.len(),
            magnitude: magnitude[start..].to_vec(),
        })
    }

    /// The value if it fits in an `i64` (`ASN1_INTEGER_get`).
    pub fn get(&self) -> Option<i64> {
        if self.0.is_empty() || self.0.len() > 8 {
            return None;
        }
        let fill = if self.0[0] & 0x80 != 0 { 0xff } else { 0 };
        let mut buf = [fill; 8];
        buf[8 - self.0.len()..].copy_from_slice(&self.0);
        Some(i64::from_be_bytes(buf))
    }
}

/// An arbitrary-size integer, enough of `BIGNUM` to print serial numbers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BigNum {
    negative: bool,
    /// Big-endian, no leading zeros (empty for zero).
    magnitude: Vec<u8>,
}

impl BigNum {
    /// Upper-case hexadecimal, no leading zeros, "-" for negatives (`BN_bn2hex`).
    pub fn to_hex_str(&self) -> Result<String, ErrorStack> {
        if self.magnitude.is_empty() {
            return Ok("0".into());
        }
        let mut out = String::from(if self.negative { "-" } else { "" });
        for b in &self.magnitude {
            out.push_str(&format!("{b:02X}"));
        }
        Ok(out)
    }

    /// Decimal (`BN_bn2dec`).
    pub fn to_dec_str(&self) -> Result<String, ErrorStack> {
        let mut digits = Vec::new();
        let mut n = self.magnitude.clone();
        while n.iter().any(|b| *b != 0) {
            let mut rem = 0u32;
            for b in n.iter_mut() {
                let cur = (rem << 8) | u32::from(*b);
                *b = (cur / 10) as u8;
                rem = cur % 10;
            }
            digits.push(char::from(b'0' + rem as u8));
        }
        if digits.is_empty() {
            return Ok("0".into());
        }
        if self.negative {
            digits.push('-');
        }
        Ok(digits.iter().rev().collect())
    }

    /// The magnitude, big-endian (`BN_bn2bin`).
    pub fn to_vec(&self) -> Vec<u8> {
        self.magnitude.clone()
    }

    /// Significant bits (`BN_num_bits`).
    pub fn num_bits(&self) -> i32 {
        match self.magnitude.first() {
            None => 0,
            Some(b) => (self.magnitude.len() * 8 - b.leading_zeros() as usize) as i32,
        }
    }
}

/// An ASN.1 string value of a name attribute.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Asn1String {
    pub(crate) tag: u8,
    pub(crate) value: Vec<u8>,
}

/// The `openssl` crate's borrowed string type: here the same as [`Asn1String`].
pub type Asn1StringRef = Asn1String;

impl Asn1String {
    /// The value as UTF-8 (`ASN1_STRING_to_UTF8`): BMPString and UniversalString are
    /// converted, the 8-bit string types taken as Latin-1 unless they are valid UTF-8
    /// (UTF8String).
    pub fn as_utf8(&self) -> Result<String, ErrorStack> {
        let invalid = || bad("string is not valid in its ASN.1 type");
        match self.tag {
            0x0c => String::from_utf8(self.value.clone()).map_err(|_| invalid()),
            0x1e => {
                let units: Vec<u16> = self
                    .value
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                    .collect();
                String::from_utf16(&units).map_err(|_| invalid())
            }
            0x1c => self
                .value
                .chunks(4)
                .map(|c| {
                    let mut b = [0u8; 4];
                    b[..c.len()].copy_from_slice(c);
                    char::from_u32(u32::from_be_bytes(b)).ok_or_else(invalid)
                })
                .collect(),
            _ => Ok(self.value.iter().map(|b| char::from(*b)).collect()),
        }
    }

    /// The value as UTF-8, as the `openssl` crate's `to_string` (the same as
    /// [`Asn1String::as_utf8`]).
    #[allow(clippy::inherent_to_string)]
    pub fn to_string(&self) -> Result<String, ErrorStack> {
        self.as_utf8()
    }

    /// The raw contents octets (`ASN1_STRING_get0_data`).
    pub fn as_slice(&self) -> &[u8] {
        &self.value
    }

    /// Length of the contents (`ASN1_STRING_length`).
    pub fn len(&self) -> usize {
        self.value.len()
    }

    /// Whether the contents are empty.
    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }
}

/// An object identifier (an attribute type).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Asn1Object {
    pub(crate) oid: Vec<u8>,
}

/// The `openssl` crate's borrowed object type: here the same as [`Asn1Object`].
pub type Asn1ObjectRef = Asn1Object;

impl Asn1Object {
    /// Its NID ([`Nid::UNDEF`] for an OID OpenSSL would not name either, as far as this
    /// library's table goes).
    pub fn nid(&self) -> Nid {
        Nid::from_oid(&self.oid)
    }

    /// The OID's contents octets.
    pub fn as_slice(&self) -> &[u8] {
        &self.oid
    }
}

impl fmt::Display for Asn1Object {
    /// The long name when known, else the dotted OID (`OBJ_obj2txt(.., 0)`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.nid().long_name() {
            Ok(name) if self.nid() != Nid::UNDEF => f.write_str(name),
            _ => f.write_str(&super::name::dotted_oid(&self.oid)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_like_openssl() {
        let t = |s| Asn1Time(s).to_string();
        assert_eq!(t(0), "Jan  1 00:00:00 1970 GMT");
        assert_eq!(t(157_766_400), "Jan  1 00:00:00 1975 GMT");
        assert_eq!(t(1_795_773_559), "Nov 27 09:59:19 2026 GMT");
        assert_eq!(t(-1), "Dec 31 23:59:59 1969 GMT");
        let d = Asn1Time(0).diff(&Asn1Time(90_061)).unwrap();
        assert_eq!(
            d,
            TimeDiff {
                days: 1,
                secs: 3661
            }
        );
    }

    #[test]
    fn integers() {
        let i = |b: &[u8]| Asn1Integer(b.to_vec());
        assert_eq!(
            i(&[0x00, 0xff]).to_bn().unwrap().to_hex_str().unwrap(),
            "FF"
        );
        assert_eq!(
            i(&[0x01, 0x00]).to_bn().unwrap().to_dec_str().unwrap(),
            "256"
        );
        assert_eq!(i(&[0xff]).to_bn().unwrap().to_hex_str().unwrap(), "-01");
        assert_eq!(i(&[0xff]).get(), Some(-1));
        assert_eq!(i(&[0x00]).to_bn().unwrap().to_dec_str().unwrap(), "0");
        assert_eq!(i(&[0x12, 0x34]).to_bn().unwrap().num_bits(), 13);
    }

    #[test]
    fn strings() {
        let s = |tag, v: &[u8]| Asn1String {
            tag,
            value: v.to_vec(),
        };
        assert_eq!(s(0x0c, "é".as_bytes()).as_utf8().unwrap(), "é");
        assert_eq!(s(0x1e, &[0, b'h', 0, b'i']).as_utf8().unwrap(), "hi");
        assert_eq!(s(0x13, b"ab").as_utf8().unwrap(), "ab");
        assert!(s(0x0c, &[0xff]).as_utf8().is_err());
    }
}
