//! The DER form of a session, in OpenSSL's `SSL_SESSION` ASN.1 layout (what
//! `i2d_SSL_SESSION` writes and `openssl sess_id` reads), so a session saved by one
//! library loads in the other:
//!
//! ```text
//! SEQUENCE { version INTEGER (1), ssl_version INTEGER, cipher OCTET STRING (2 bytes),
//!   session_id OCTET STRING, master_key OCTET STRING, key_arg [0] IMPLICIT OPTIONAL,
//!   time [1], timeout [2], peer [3] Certificate, session_id_context [4],
//!   verify_result [5], hostname [6], psk_identity_hint [7], psk_identity [8],
//!   ticket_lifetime_hint [9], ticket [10], comp_id [11], srp_username [12], flags [13],
//!   ticket_age_add [14], max_early_data [15], alpn_selected [16], max_fragment_len [17],
//!   ticket_appdata [18], ... }   -- [n] EXPLICIT, integers omitted when zero
//! ```
//!
//! Fields oxssl has no use for are skipped when reading and never written.

use super::Session;
use crate::msgs::enums::ProtocolVersion;
use crate::suites::CipherSuite;
use crate::x509::der::{tag, Reader};
use crate::x509::CertificateDer;
use zeroize::Zeroizing;

/// `SSL_SESSION_ASN1_VERSION`.
const ASN1_VERSION: u64 = 1;
/// `SSL_SESS_FLAG_EXTMS`: the session used the extended master secret.
const FLAG_EXTMS: u64 = 1;
/// Largest fields a session may hold (OpenSSL's limits: 32-byte ids, 64-byte keys).
const MAX_ID: usize = 32;
const MAX_SECRET: usize = 64;

/// Why a DER session was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionDecodeError(pub &'static str);

impl std::fmt::Display for SessionDecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let bytes = (len as u64).to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    out.push(0x80 | (8 - skip) as u8);
    out.extend_from_slice(&bytes[skip..]);
}

fn tlv(out: &mut Vec<u8>, tag: u8, value: &[u8]) {
    out.push(tag);
    push_len(out, value.len());
    out.extend_from_slice(value);
}

/// A non-negative INTEGER, minimal two's complement.
fn integer(v: u64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(7);
    let mut out = Vec::with_capacity(11);
    let body = &bytes[skip..];
    let pad = body[0] & 0x80 != 0;
    let mut value = Vec::with_capacity(9);
    if pad {
        value.push(0);
    }
    value.extend_from_slice(body);
    tlv(&mut out, tag::INTEGER, &value);
    out
}

fn octets(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len() + 4);
    tlv(&mut out, tag::OCTET_STRING, v);
    out
}

/// `[n] EXPLICIT` around an encoded element.
fn explicit(out: &mut Vec<u8>, n: u8, inner: &[u8]) {
    tlv(out, 0xa0 | n, inner);
}

/// Encodes `s` as OpenSSL's `SSL_SESSION`. The encoding holds the secret, so it is
/// zeroized on drop, and both buffers are sized up front: a `Vec` that grows leaves the
/// bytes it had in the block it frees.
pub fn encode(s: &Session) -> Zeroizing<Vec<u8>> {
    // Every fixed field and tag fits in 256 bytes; the variable ones are added.
    let variable = [
        s.id.len(),
        s.secret.len(),
        s.ticket.len(),
        s.sid_ctx.len(),
        s.sni.as_ref().map_or(0, |h| h.len()),
        s.alpn.as_ref().map_or(0, |a| a.len()),
        s.peer_cert.as_ref().map_or(0, |c| c.as_ref().len()),
    ];
    let mut body = Zeroizing::new(Vec::with_capacity(256 + variable.iter().sum::<usize>()));
    body.extend(integer(ASN1_VERSION));
    body.extend(integer(u64::from(s.version.0)));
    body.extend(octets(&s.suite.to_u16().to_be_bytes()));
    body.extend(octets(&s.id));
    // Straight into `body`: no temporary copy of the secret.
    tlv(&mut body, tag::OCTET_STRING, &s.secret);
    let mut opt_int = |n: u8, v: u64| {
        if v != 0 {
            explicit(&mut body, n, &integer(v));
        }
    };
    opt_int(1, s.time);
    opt_int(2, u64::from(s.timeout));
    if let Some(cert) = &s.peer_cert {
        explicit(&mut body, 3, cert.as_ref());
    }
    if !s.sid_ctx.is_empty() {
        explicit(&mut body, 4, &octets(&s.sid_ctx));
    }
    if s.verify_result != 0 {
        // verify_result is a signed INT32; X509_V_* codes are all non-negative.
        explicit(&mut body, 5, &integer(s.verify_result.max(0) as u64));
    }
    if let Some(host) = &s.sni {
        explicit(&mut body, 6, &octets(host.as_bytes()));
    }
    if !s.ticket.is_empty() {
        explicit(&mut body, 9, &integer(u64::from(s.timeout)));
        explicit(&mut body, 10, &octets(&s.ticket));
    }
    if s.ems {
        explicit(&mut body, 13, &integer(FLAG_EXTMS));
    }
    if s.age_add != 0 {
        explicit(&mut body, 14, &integer(u64::from(s.age_add)));
    }
    if s.max_early_data != 0 {
        explicit(&mut body, 15, &integer(u64::from(s.max_early_data)));
    }
    if let Some(alpn) = &s.alpn {
        explicit(&mut body, 16, &octets(alpn));
    }
    // Tag and a length of up to 4 bytes (the fields are bounded far below 2^32).
    let mut out = Zeroizing::new(Vec::with_capacity(body.len() + 6));
    tlv(&mut out, tag::SEQUENCE, &body);
    out
}

fn bad(what: &'static str) -> SessionDecodeError {
    SessionDecodeError(what)
}

/// A non-negative INTEGER that fits in 64 bits.
fn read_uint(value: &[u8]) -> Result<u64, SessionDecodeError> {
    let v = match value {
        [] => return Err(bad("empty INTEGER")),
        [0, rest @ ..] if !rest.is_empty() => rest,
        [first, ..] if first & 0x80 != 0 => return Err(bad("negative INTEGER")),
        v => v,
    };
    if v.len() > 8 {
        return Err(bad("INTEGER too large"));
    }
    Ok(v.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

fn expect_uint(r: &mut Reader<'_>) -> Result<u64, SessionDecodeError> {
    let t = r.expect(tag::INTEGER).ok_or(bad("INTEGER expected"))?;
    read_uint(t.value)
}

fn expect_octets<'a>(r: &mut Reader<'a>, max: usize) -> Result<&'a [u8], SessionDecodeError> {
    let t = r
        .expect(tag::OCTET_STRING)
        .ok_or(bad("OCTET STRING expected"))?;
    if t.value.len() > max {
        return Err(bad("field too long"));
    }
    Ok(t.value)
}

/// The single element inside an `[n] EXPLICIT` field, which must carry `want`.
fn inner<'a>(value: &'a [u8], want: u8) -> Result<Reader<'a>, SessionDecodeError> {
    let mut r = Reader::new(value);
    let copy = r;
    let t = r.read().ok_or(bad("malformed field"))?;
    if t.tag != want || !r.is_empty() {
        return Err(bad("unexpected field contents"));
    }
    Ok(copy)
}

fn u32_field(value: &[u8]) -> Result<u32, SessionDecodeError> {
    let v = expect_uint(&mut inner(value, tag::INTEGER)?)?;
    u32::try_from(v).map_err(|_| bad("value out of range"))
}

fn octets_field(value: &[u8], max: usize) -> Result<Vec<u8>, SessionDecodeError> {
    Ok(expect_octets(&mut inner(value, tag::OCTET_STRING)?, max)?.to_vec())
}

/// Decodes OpenSSL's `SSL_SESSION` DER. Only TLS 1.2 and 1.3 sessions with a cipher
/// suite oxssl implements are accepted.
pub fn decode(der: &[u8]) -> Result<Session, SessionDecodeError> {
    let mut outer = Reader::new(der);
    let seq = outer
        .expect(tag::SEQUENCE)
        .ok_or(bad("not a DER SEQUENCE"))?;
    if !outer.is_empty() {
        return Err(bad("trailing data after the session"));
    }
    let mut r = Reader::new(seq.value);
    if expect_uint(&mut r)? != ASN1_VERSION {
        return Err(bad("unknown SSL_SESSION version"));
    }
    let version = match expect_uint(&mut r)? {
        0x0303 => ProtocolVersion::TLSV1_2,
        0x0304 => ProtocolVersion::TLSV1_3,
        _ => return Err(bad("unsupported protocol version")),
    };
    let cipher = expect_octets(&mut r, 2)?;
    let suite = match cipher {
        [a, b] => CipherSuite::from_u16(u16::from_be_bytes([*a, *b])),
        _ => None,
    }
    .filter(|s| s.is_tls13() == (version == ProtocolVersion::TLSV1_3))
    .ok_or(bad("unsupported cipher suite"))?;
    let id = expect_octets(&mut r, MAX_ID)?.to_vec();
    let secret = expect_octets(&mut r, MAX_SECRET)?.to_vec().into();
    let mut s = Session {
        version,
        suite,
        id,
        secret,
        ems: false,
        time: 0,
        timeout: 0,
        ticket: Vec::new(),
        age_add: 0,
        max_early_data: 0,
        sni: None,
        alpn: None,
        sid_ctx: Vec::new(),
        peer_cert: None,
        verify_result: 0,
    };
    let mut last = 0u8;
    while !r.is_empty() {
        let t = r.read().ok_or(bad("malformed field"))?;
        let n = match t.tag {
            0x80 => 0, // key_arg, [0] IMPLICIT (SSLv2 only)
            0xa1..=0xbe => t.tag & 0x1f,
            _ => return Err(bad("unexpected element")),
        };
        if n <= last && last != 0 {
            return Err(bad("fields out of order"));
        }
        last = n;
        match n {
            1 => s.time = expect_uint(&mut inner(t.value, tag::INTEGER)?)?,
            2 => s.timeout = u32_field(t.value).unwrap_or(u32::MAX),
            3 => {
                inner(t.value, tag::SEQUENCE)?;
                s.peer_cert = Some(CertificateDer::from(t.value.to_vec()));
            }
            4 => s.sid_ctx = octets_field(t.value, MAX_ID)?,
            5 => {
                let v = u32_field(t.value)?;
                s.verify_result = i32::try_from(v).map_err(|_| bad("verify_result"))?;
            }
            6 => {
                let host = octets_field(t.value, 255)?;
                s.sni = Some(String::from_utf8(host).map_err(|_| bad("host name not UTF-8"))?);
            }
            10 => s.ticket = octets_field(t.value, usize::from(u16::MAX))?,
            13 => s.ems = expect_uint(&mut inner(t.value, tag::INTEGER)?)? & FLAG_EXTMS != 0,
            14 => s.age_add = u32_field(t.value)?,
            15 => s.max_early_data = u32_field(t.value)?,
            16 => s.alpn = Some(octets_field(t.value, 255)?),
            _ => {} // hint, PSK identities, comp_id, SRP, fragment mode, appdata, later fields
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Session {
        Session {
            version: ProtocolVersion::TLSV1_3,
            suite: CipherSuite::Tls13Aes128GcmSha256,
            id: vec![7; 32],
            secret: vec![9; 32].into(),
            ems: true,
            time: 1_800_000_000,
            timeout: 7200,
            ticket: vec![1; 200],
            age_add: 0x8000_0001,
            max_early_data: 16384,
            sni: Some("example.com".into()),
            alpn: Some(b"h2".to_vec()),
            sid_ctx: b"ctx".to_vec(),
            peer_cert: None,
            verify_result: 20,
        }
    }

    #[test]
    fn round_trip() {
        let s = sample();
        assert_eq!(decode(&encode(&s)).unwrap(), s);
        let mut plain = sample();
        plain.version = ProtocolVersion::TLSV1_2;
        plain.suite = CipherSuite::Tls12EcdheEcdsaAes128GcmSha256;
        plain.ticket.clear();
        plain.age_add = 0;
        plain.sni = None;
        plain.alpn = None;
        assert_eq!(decode(&encode(&plain)).unwrap(), plain);
    }

    #[test]
    fn malformed_input_is_refused_without_panic() {
        let der = encode(&sample());
        for cut in 0..der.len() {
            assert!(decode(&der[..cut]).is_err());
        }
        for i in 0..der.len() {
            for bit in [1u8, 0x80] {
                let mut d = der.clone();
                d[i] ^= bit;
                let _ = decode(&d);
            }
        }
    }

    #[test]
    fn integers_are_minimal() {
        assert_eq!(integer(0), [2, 1, 0]);
        assert_eq!(integer(0x80), [2, 2, 0, 0x80]);
        assert_eq!(integer(0x0303), [2, 2, 3, 3]);
        assert_eq!(read_uint(&[0, 0x80]).unwrap(), 0x80);
        assert!(read_uint(&[0x80]).is_err());
    }
}
