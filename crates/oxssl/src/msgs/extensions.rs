//! Hello extensions: the raw list with its duplicate check, and strict typed codecs for
//! the bodies the engine understands.

use super::codec::{u16_list, DecodeError, EncodeError, Prefix, Reader, Writer};
use super::enums::ExtensionType;

/// One extension: its type and undecoded body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    /// The extension type.
    pub typ: ExtensionType,
    /// The body, decoded on demand by the functions in this module.
    pub data: Vec<u8>,
}

/// An extension block as it appears in hellos and EncryptedExtensions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extensions(pub Vec<Extension>);

impl Extensions {
    /// Decodes a two-byte-prefixed extension list.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut list = Reader::new(r.vec_u16()?);
        let mut out = Vec::new();
        while !list.is_empty() {
            let typ = ExtensionType(list.u16()?);
            let data = list.vec_u16()?.to_vec();
            out.push(Extension { typ, data });
        }
        Ok(Extensions(out))
    }

    /// Encodes the list with its two-byte prefix.
    pub fn encode(&self, w: &mut Writer) {
        w.nested(Prefix::U16, |w| {
            for e in &self.0 {
                w.u16(e.typ.0);
                w.vec(Prefix::U16, &e.data);
            }
        });
    }

    /// An extension type that occurs twice (RFC 8446 4.2 forbids it). Sorting keeps the
    /// work O(n log n) in the attacker-chosen list length.
    pub fn duplicate(&self) -> Option<ExtensionType> {
        let mut types: Vec<ExtensionType> = self.0.iter().map(|e| e.typ).collect();
        types.sort_unstable();
        types.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
    }

    /// The body of the extension of type `typ`, if present.
    pub fn get(&self, typ: ExtensionType) -> Option<&[u8]> {
        self.0
            .iter()
            .find(|e| e.typ == typ)
            .map(|e| e.data.as_slice())
    }

    /// True if an extension of type `typ` is present.
    pub fn contains(&self, typ: ExtensionType) -> bool {
        self.0.iter().any(|e| e.typ == typ)
    }

    /// Appends an extension.
    pub fn push(&mut self, typ: ExtensionType, data: Vec<u8>) {
        self.0.push(Extension { typ, data });
    }

    /// The first extension whose type is not in `allowed`.
    pub fn first_not_in(&self, allowed: &[ExtensionType]) -> Option<ExtensionType> {
        self.0.iter().map(|e| e.typ).find(|t| !allowed.contains(t))
    }
}

fn build(f: impl FnOnce(&mut Writer)) -> Result<Vec<u8>, EncodeError> {
    let mut w = Writer::new();
    f(&mut w);
    w.finish()
}

/// server_name (RFC 6066): encodes a list with one host_name.
pub fn encode_server_name(host: &str) -> Result<Vec<u8>, EncodeError> {
    build(|w| {
        w.nested(Prefix::U16, |w| {
            w.u8(0);
            w.vec(Prefix::U16, host.as_bytes());
        })
    })
}

/// server_name: the host_name entry, if any. Rejects empty lists, two host names, and names
/// that are not printable ASCII.
pub fn decode_server_name(data: &[u8]) -> Result<Option<String>, DecodeError> {
    let mut r = Reader::new(data);
    let mut list = Reader::new(r.vec_u16()?);
    r.finish()?;
    if list.is_empty() {
        return Err(DecodeError("empty server_name list"));
    }
    let mut host = None;
    while !list.is_empty() {
        let typ = list.u8()?;
        let name = list.vec_u16()?;
        if typ != 0 {
            continue;
        }
        if host.is_some() {
            return Err(DecodeError("two host names"));
        }
        if name.is_empty() || !name.iter().all(|b| b.is_ascii_graphic()) {
            return Err(DecodeError("bad host name"));
        }
        host = Some(String::from_utf8_lossy(name).into_owned());
    }
    Ok(host)
}

/// A list of u16 code points with a two-byte prefix (supported_groups, signature_algorithms).
pub fn encode_u16_list(items: &[u16]) -> Result<Vec<u8>, EncodeError> {
    build(|w| w.list_u16(items))
}

/// Decodes a non-empty two-byte-prefixed u16 list.
pub fn decode_u16_list(data: &[u8]) -> Result<Vec<u16>, DecodeError> {
    let mut r = Reader::new(data);
    let list = r.list_u16()?;
    r.finish()?;
    if list.is_empty() {
        return Err(DecodeError("empty list"));
    }
    Ok(list)
}

/// supported_versions in a ClientHello: a one-byte-prefixed list.
pub fn encode_versions_client(versions: &[u16]) -> Result<Vec<u8>, EncodeError> {
    build(|w| w.nested(Prefix::U8, |w| versions.iter().for_each(|&v| w.u16(v))))
}

/// supported_versions in a ClientHello.
pub fn decode_versions_client(data: &[u8]) -> Result<Vec<u16>, DecodeError> {
    let mut r = Reader::new(data);
    let list = u16_list(r.vec_u8()?)?;
    r.finish()?;
    if list.is_empty() {
        return Err(DecodeError("empty supported_versions"));
    }
    Ok(list)
}

/// A single u16 body (supported_versions in ServerHello, key_share in HelloRetryRequest).
pub fn encode_u16(v: u16) -> Vec<u8> {
    v.to_be_bytes().to_vec()
}

/// Decodes a body that is exactly one u16.
pub fn decode_u16(data: &[u8]) -> Result<u16, DecodeError> {
    let mut r = Reader::new(data);
    let v = r.u16()?;
    r.finish()?;
    Ok(v)
}

/// One key share: a group and its public value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyShareEntry {
    /// NamedGroup code point.
    pub group: u16,
    /// The public key exchange value.
    pub payload: Vec<u8>,
}

fn encode_entry(w: &mut Writer, e: &KeyShareEntry) {
    w.u16(e.group);
    w.vec(Prefix::U16, &e.payload);
}

fn decode_entry(r: &mut Reader<'_>) -> Result<KeyShareEntry, DecodeError> {
    let group = r.u16()?;
    // An empty or wrong-sized share is judged against its group by the handshake
    // (illegal_parameter), not here.
    let payload = r.vec_u16()?;
    Ok(KeyShareEntry {
        group,
        payload: payload.to_vec(),
    })
}

/// key_share in a ClientHello: a two-byte-prefixed list of entries.
pub fn encode_key_shares(entries: &[KeyShareEntry]) -> Result<Vec<u8>, EncodeError> {
    build(|w| {
        w.nested(Prefix::U16, |w| {
            entries.iter().for_each(|e| encode_entry(w, e))
        })
    })
}

/// key_share in a ClientHello (may be empty, which asks for a HelloRetryRequest).
pub fn decode_key_shares(data: &[u8]) -> Result<Vec<KeyShareEntry>, DecodeError> {
    let mut r = Reader::new(data);
    let mut list = Reader::new(r.vec_u16()?);
    r.finish()?;
    let mut out = Vec::new();
    while !list.is_empty() {
        out.push(decode_entry(&mut list)?);
    }
    Ok(out)
}

/// key_share in a ServerHello: exactly one entry.
pub fn encode_key_share_server(e: &KeyShareEntry) -> Result<Vec<u8>, EncodeError> {
    build(|w| encode_entry(w, e))
}

/// key_share in a ServerHello.
pub fn decode_key_share_server(data: &[u8]) -> Result<KeyShareEntry, DecodeError> {
    let mut r = Reader::new(data);
    let e = decode_entry(&mut r)?;
    r.finish()?;
    Ok(e)
}

/// ALPN (RFC 7301): a list of non-empty protocol names.
pub fn encode_alpn(protocols: &[Vec<u8>]) -> Result<Vec<u8>, EncodeError> {
    build(|w| {
        w.nested(Prefix::U16, |w| {
            protocols.iter().for_each(|p| w.vec(Prefix::U8, p));
        })
    })
}

/// ALPN: the protocol list; empty lists and empty names are decode errors.
pub fn decode_alpn(data: &[u8]) -> Result<Vec<Vec<u8>>, DecodeError> {
    let mut r = Reader::new(data);
    let mut list = Reader::new(r.vec_u16()?);
    r.finish()?;
    let mut out = Vec::new();
    while !list.is_empty() {
        let p = list.vec_u8()?;
        if p.is_empty() {
            return Err(DecodeError("empty ALPN protocol name"));
        }
        out.push(p.to_vec());
    }
    if out.is_empty() {
        return Err(DecodeError("empty ALPN list"));
    }
    Ok(out)
}

/// certificate_authorities (RFC 8446 4.2.4): DER distinguished names.
pub fn encode_authorities(names: &[Vec<u8>]) -> Result<Vec<u8>, EncodeError> {
    build(|w| {
        w.nested(Prefix::U16, |w| {
            names.iter().for_each(|n| w.vec(Prefix::U16, n));
        })
    })
}

/// certificate_authorities: the names; an empty list or name is a decode error.
pub fn decode_authorities(data: &[u8]) -> Result<Vec<Vec<u8>>, DecodeError> {
    let mut r = Reader::new(data);
    let mut list = Reader::new(r.vec_u16()?);
    r.finish()?;
    let mut out = Vec::new();
    while !list.is_empty() {
        let n = list.vec_u16()?;
        if n.is_empty() {
            return Err(DecodeError("empty distinguished name"));
        }
        out.push(n.to_vec());
    }
    if out.is_empty() {
        return Err(DecodeError("empty certificate_authorities"));
    }
    Ok(out)
}

/// cookie (RFC 8446 4.2.2): a non-empty opaque value.
pub fn encode_cookie(cookie: &[u8]) -> Result<Vec<u8>, EncodeError> {
    build(|w| w.vec(Prefix::U16, cookie))
}

/// cookie: the opaque value.
pub fn decode_cookie(data: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut r = Reader::new(data);
    let c = r.vec_u16()?;
    r.finish()?;
    if c.is_empty() {
        return Err(DecodeError("empty cookie"));
    }
    Ok(c.to_vec())
}

/// A one-byte-prefixed list of bytes (psk_key_exchange_modes, ec_point_formats).
pub fn encode_u8_list(items: &[u8]) -> Result<Vec<u8>, EncodeError> {
    build(|w| w.vec(Prefix::U8, items))
}

/// Decodes a non-empty one-byte-prefixed list of bytes.
pub fn decode_u8_list(data: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut r = Reader::new(data);
    let l = r.vec_u8()?;
    r.finish()?;
    if l.is_empty() {
        return Err(DecodeError("empty list"));
    }
    Ok(l.to_vec())
}

/// renegotiation_info (RFC 5746): the renegotiated_connection value, empty in an initial
/// handshake.
pub fn decode_renegotiation_info(data: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut r = Reader::new(data);
    let v = r.vec_u8()?;
    r.finish()?;
    Ok(v.to_vec())
}

/// Requires an empty body (server_name acknowledgement, early_data, extended_master_secret).
pub fn decode_empty(data: &[u8]) -> Result<(), DecodeError> {
    Reader::new(data).finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_round_trips() {
        assert_eq!(
            decode_server_name(&encode_server_name("example.com").unwrap()).unwrap(),
            Some("example.com".to_string())
        );
        let shares = vec![
            KeyShareEntry {
                group: 0x1d,
                payload: vec![1; 32],
            },
            KeyShareEntry {
                group: 0x17,
                payload: vec![4; 65],
            },
        ];
        assert_eq!(
            decode_key_shares(&encode_key_shares(&shares).unwrap()).unwrap(),
            shares
        );
        let alpn = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        assert_eq!(decode_alpn(&encode_alpn(&alpn).unwrap()).unwrap(), alpn);
        assert_eq!(
            decode_versions_client(&encode_versions_client(&[0x0304, 0x0303]).unwrap()).unwrap(),
            vec![0x0304, 0x0303]
        );
        assert!(decode_alpn(&[0, 1, 0]).is_err());
        assert!(decode_u16_list(&[0, 0]).is_err());
        assert!(decode_server_name(&[0, 0]).is_err());
        assert!(decode_key_share_server(&[0, 0x1d, 0, 1]).is_err());
        assert!(decode_key_share_server(&[0, 0x1d, 0, 0])
            .unwrap()
            .payload
            .is_empty());
    }

    #[test]
    fn duplicates_found() {
        let mut e = Extensions::default();
        e.push(ExtensionType::ALPN, vec![]);
        e.push(ExtensionType::KEY_SHARE, vec![]);
        assert_eq!(e.duplicate(), None);
        e.push(ExtensionType::ALPN, vec![]);
        assert_eq!(e.duplicate(), Some(ExtensionType::ALPN));
    }
}
