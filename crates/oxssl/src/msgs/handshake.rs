//! Handshake messages (RFC 8446 section 4) and their strict codec.

use super::codec::{DecodeError, EncodeError, Prefix, Reader, Writer};
use super::enums::HandshakeType;
use super::extensions::Extensions;

/// ClientHello.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHello {
    /// legacy_version (0x0303 from TLS 1.2+ clients).
    pub legacy_version: u16,
    /// Client random.
    pub random: [u8; 32],
    /// legacy_session_id, 0..=32 bytes.
    pub session_id: Vec<u8>,
    /// Offered cipher suites, client preference first.
    pub cipher_suites: Vec<u16>,
    /// Offered compression methods (must include null).
    pub compression_methods: Vec<u8>,
    /// Extensions.
    pub extensions: Extensions,
}

/// ServerHello, and HelloRetryRequest (a ServerHello with [`super::enums::HRR_RANDOM`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHello {
    /// legacy_version.
    pub legacy_version: u16,
    /// Server random.
    pub random: [u8; 32],
    /// Echo of the client's legacy_session_id.
    pub session_id: Vec<u8>,
    /// The chosen cipher suite.
    pub cipher_suite: u16,
    /// The chosen compression method.
    pub compression_method: u8,
    /// Extensions.
    pub extensions: Extensions,
}

/// One certificate in a TLS 1.3 Certificate message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateEntry {
    /// DER certificate.
    pub cert: Vec<u8>,
    /// Per-certificate extensions (OCSP, SCT).
    pub extensions: Extensions,
}

/// TLS 1.3 Certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate13 {
    /// certificate_request_context (empty in the handshake).
    pub context: Vec<u8>,
    /// The chain, end entity first.
    pub entries: Vec<CertificateEntry>,
}

/// TLS 1.3 CertificateRequest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRequest13 {
    /// certificate_request_context.
    pub context: Vec<u8>,
    /// Extensions (signature_algorithms is mandatory).
    pub extensions: Extensions,
}

/// CertificateVerify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateVerify {
    /// SignatureScheme code point.
    pub scheme: u16,
    /// The signature.
    pub signature: Vec<u8>,
}

/// TLS 1.3 NewSessionTicket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSessionTicket13 {
    /// Lifetime in seconds.
    pub lifetime: u32,
    /// Obfuscation value for the ticket age.
    pub age_add: u32,
    /// Per-ticket nonce.
    pub nonce: Vec<u8>,
    /// The opaque ticket.
    pub ticket: Vec<u8>,
    /// Extensions (early_data).
    pub extensions: Extensions,
}

/// TLS 1.2 CertificateRequest (RFC 5246 7.4.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRequest12 {
    /// ClientCertificateType values (rsa_sign 1, ecdsa_sign 64).
    pub certificate_types: Vec<u8>,
    /// Signature schemes the server accepts.
    pub signature_schemes: Vec<u16>,
    /// DER distinguished names of acceptable CAs.
    pub authorities: Vec<Vec<u8>>,
}

/// TLS 1.2 NewSessionTicket (RFC 5077).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSessionTicket12 {
    /// Lifetime hint in seconds.
    pub lifetime_hint: u32,
    /// The opaque ticket.
    pub ticket: Vec<u8>,
}

/// A decoded handshake message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HandshakeMessage {
    /// ClientHello.
    ClientHello(ClientHello),
    /// ServerHello or HelloRetryRequest.
    ServerHello(ServerHello),
    /// EncryptedExtensions.
    EncryptedExtensions(Extensions),
    /// Certificate (TLS 1.3 form).
    Certificate(Certificate13),
    /// CertificateRequest (TLS 1.3 form).
    CertificateRequest(CertificateRequest13),
    /// CertificateVerify.
    CertificateVerify(CertificateVerify),
    /// Finished: verify_data (its length is checked against the hash by the handshake).
    Finished(Vec<u8>),
    /// NewSessionTicket (TLS 1.3 form).
    NewSessionTicket(NewSessionTicket13),
    /// KeyUpdate: the request_update value (0 or 1).
    KeyUpdate(u8),
    /// EndOfEarlyData.
    EndOfEarlyData,
    /// HelloRequest (TLS 1.2).
    HelloRequest,
    /// Certificate (TLS 1.2 form): the chain, end entity first.
    Certificate12(Vec<Vec<u8>>),
    /// CertificateRequest (TLS 1.2 form).
    CertificateRequest12(CertificateRequest12),
    /// ServerKeyExchange (TLS 1.2): the body, parsed by the handshake (its shape depends
    /// on the key exchange).
    ServerKeyExchange(Vec<u8>),
    /// ServerHelloDone (TLS 1.2).
    ServerHelloDone,
    /// ClientKeyExchange (TLS 1.2): the body (an ECDHE public value with its length).
    ClientKeyExchange(Vec<u8>),
    /// NewSessionTicket (TLS 1.2 form).
    NewSessionTicket12(NewSessionTicket12),
    /// A message of a type the engine does not decode; rejected by the state machines.
    Unknown(HandshakeType, Vec<u8>),
}

impl HandshakeMessage {
    /// The message's handshake type.
    pub fn typ(&self) -> HandshakeType {
        match self {
            Self::ClientHello(_) => HandshakeType::CLIENT_HELLO,
            Self::ServerHello(_) => HandshakeType::SERVER_HELLO,
            Self::EncryptedExtensions(_) => HandshakeType::ENCRYPTED_EXTENSIONS,
            Self::Certificate(_) => HandshakeType::CERTIFICATE,
            Self::CertificateRequest(_) => HandshakeType::CERTIFICATE_REQUEST,
            Self::CertificateVerify(_) => HandshakeType::CERTIFICATE_VERIFY,
            Self::Finished(_) => HandshakeType::FINISHED,
            Self::NewSessionTicket(_) => HandshakeType::NEW_SESSION_TICKET,
            Self::KeyUpdate(_) => HandshakeType::KEY_UPDATE,
            Self::EndOfEarlyData => HandshakeType::END_OF_EARLY_DATA,
            Self::HelloRequest => HandshakeType::HELLO_REQUEST,
            Self::Certificate12(_) => HandshakeType::CERTIFICATE,
            Self::CertificateRequest12(_) => HandshakeType::CERTIFICATE_REQUEST,
            Self::ServerKeyExchange(_) => HandshakeType::SERVER_KEY_EXCHANGE,
            Self::ServerHelloDone => HandshakeType::SERVER_HELLO_DONE,
            Self::ClientKeyExchange(_) => HandshakeType::CLIENT_KEY_EXCHANGE,
            Self::NewSessionTicket12(_) => HandshakeType::NEW_SESSION_TICKET,
            Self::Unknown(t, _) => *t,
        }
    }

    /// Decodes a message of a TLS 1.2 handshake: Certificate, CertificateRequest and
    /// NewSessionTicket have their TLS 1.2 shapes; everything else as [`Self::decode`].
    pub fn decode_tls12(typ: HandshakeType, body: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let msg = match typ {
            HandshakeType::CERTIFICATE => {
                let mut list = Reader::new(r.vec_u24()?);
                let mut chain = Vec::new();
                while !list.is_empty() {
                    let cert = list.vec_u24()?;
                    if cert.is_empty() {
                        return Err(DecodeError("empty certificate"));
                    }
                    chain.push(cert.to_vec());
                }
                Self::Certificate12(chain)
            }
            HandshakeType::CERTIFICATE_REQUEST => {
                let certificate_types = r.vec_u8()?.to_vec();
                if certificate_types.is_empty() {
                    return Err(DecodeError("no certificate types"));
                }
                let signature_schemes = r.list_u16()?;
                let mut list = Reader::new(r.vec_u16()?);
                let mut authorities = Vec::new();
                while !list.is_empty() {
                    authorities.push(list.vec_u16()?.to_vec());
                }
                Self::CertificateRequest12(CertificateRequest12 {
                    certificate_types,
                    signature_schemes,
                    authorities,
                })
            }
            HandshakeType::NEW_SESSION_TICKET => Self::NewSessionTicket12(NewSessionTicket12 {
                lifetime_hint: r.u32()?,
                ticket: r.vec_u16()?.to_vec(),
            }),
            HandshakeType::SERVER_KEY_EXCHANGE => {
                Self::ServerKeyExchange(r.take(body.len())?.to_vec())
            }
            HandshakeType::CLIENT_KEY_EXCHANGE => {
                Self::ClientKeyExchange(r.take(body.len())?.to_vec())
            }
            HandshakeType::SERVER_HELLO_DONE => Self::ServerHelloDone,
            _ => return Self::decode(typ, body),
        };
        r.finish()?;
        Ok(msg)
    }

    /// Decodes a message body of type `typ` (the 4-byte header already removed).
    pub fn decode(typ: HandshakeType, body: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let msg = match typ {
            HandshakeType::CLIENT_HELLO => Self::ClientHello(decode_client_hello(&mut r)?),
            HandshakeType::SERVER_HELLO => Self::ServerHello(decode_server_hello(&mut r)?),
            HandshakeType::ENCRYPTED_EXTENSIONS => {
                Self::EncryptedExtensions(Extensions::decode(&mut r)?)
            }
            HandshakeType::CERTIFICATE => Self::Certificate(decode_certificate(&mut r)?),
            HandshakeType::CERTIFICATE_REQUEST => Self::CertificateRequest(CertificateRequest13 {
                context: r.vec_u8()?.to_vec(),
                extensions: Extensions::decode(&mut r)?,
            }),
            HandshakeType::CERTIFICATE_VERIFY => Self::CertificateVerify(CertificateVerify {
                scheme: r.u16()?,
                signature: r.vec_u16()?.to_vec(),
            }),
            HandshakeType::FINISHED => Self::Finished(r.take(body.len())?.to_vec()),
            HandshakeType::NEW_SESSION_TICKET => {
                let lifetime = r.u32()?;
                let age_add = r.u32()?;
                let nonce = r.vec_u8()?.to_vec();
                let ticket = r.vec_u16()?.to_vec();
                if ticket.is_empty() {
                    return Err(DecodeError("empty ticket"));
                }
                Self::NewSessionTicket(NewSessionTicket13 {
                    lifetime,
                    age_add,
                    nonce,
                    ticket,
                    extensions: Extensions::decode(&mut r)?,
                })
            }
            HandshakeType::KEY_UPDATE => Self::KeyUpdate(r.u8()?),
            HandshakeType::END_OF_EARLY_DATA => Self::EndOfEarlyData,
            HandshakeType::HELLO_REQUEST => Self::HelloRequest,
            other => Self::Unknown(other, r.take(body.len())?.to_vec()),
        };
        r.finish()?;
        Ok(msg)
    }

    /// Encodes the message with its 4-byte header. Fails if a field we were given does not
    /// fit its length prefix.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut w = Writer::new();
        w.u8(self.typ().0);
        w.nested(Prefix::U24, |w| self.encode_body(w));
        w.finish()
    }

    fn encode_body(&self, w: &mut Writer) {
        match self {
            Self::ClientHello(ch) => {
                w.u16(ch.legacy_version);
                w.bytes(&ch.random);
                w.vec(Prefix::U8, &ch.session_id);
                w.list_u16(&ch.cipher_suites);
                w.vec(Prefix::U8, &ch.compression_methods);
                ch.extensions.encode(w);
            }
            Self::ServerHello(sh) => {
                w.u16(sh.legacy_version);
                w.bytes(&sh.random);
                w.vec(Prefix::U8, &sh.session_id);
                w.u16(sh.cipher_suite);
                w.u8(sh.compression_method);
                sh.extensions.encode(w);
            }
            Self::EncryptedExtensions(e) => e.encode(w),
            Self::Certificate(c) => {
                w.vec(Prefix::U8, &c.context);
                w.nested(Prefix::U24, |w| {
                    for e in &c.entries {
                        w.vec(Prefix::U24, &e.cert);
                        e.extensions.encode(w);
                    }
                });
            }
            Self::CertificateRequest(c) => {
                w.vec(Prefix::U8, &c.context);
                c.extensions.encode(w);
            }
            Self::CertificateVerify(cv) => {
                w.u16(cv.scheme);
                w.vec(Prefix::U16, &cv.signature);
            }
            Self::Finished(v) => w.bytes(v),
            Self::NewSessionTicket(t) => {
                w.bytes(&t.lifetime.to_be_bytes());
                w.bytes(&t.age_add.to_be_bytes());
                w.vec(Prefix::U8, &t.nonce);
                w.vec(Prefix::U16, &t.ticket);
                t.extensions.encode(w);
            }
            Self::KeyUpdate(v) => w.u8(*v),
            Self::EndOfEarlyData | Self::HelloRequest | Self::ServerHelloDone => {}
            Self::Certificate12(chain) => w.nested(Prefix::U24, |w| {
                for c in chain {
                    w.vec(Prefix::U24, c);
                }
            }),
            Self::CertificateRequest12(cr) => {
                w.vec(Prefix::U8, &cr.certificate_types);
                w.list_u16(&cr.signature_schemes);
                w.nested(Prefix::U16, |w| {
                    for a in &cr.authorities {
                        w.vec(Prefix::U16, a);
                    }
                });
            }
            Self::ServerKeyExchange(b) | Self::ClientKeyExchange(b) => w.bytes(b),
            Self::NewSessionTicket12(t) => {
                w.bytes(&t.lifetime_hint.to_be_bytes());
                w.vec(Prefix::U16, &t.ticket);
            }
            Self::Unknown(_, body) => w.bytes(body),
        }
    }
}

fn decode_client_hello(r: &mut Reader<'_>) -> Result<ClientHello, DecodeError> {
    let legacy_version = r.u16()?;
    let random = r.array()?;
    let session_id = r.vec_u8()?;
    if session_id.len() > 32 {
        return Err(DecodeError("session id too long"));
    }
    let suites = r.vec_u16()?;
    if suites.is_empty() || suites.len() % 2 != 0 {
        return Err(DecodeError("bad cipher suite list"));
    }
    let cipher_suites = super::codec::u16_list(suites)?;
    let compression_methods = r.vec_u8()?.to_vec();
    if compression_methods.is_empty() {
        return Err(DecodeError("no compression methods"));
    }
    // A ClientHello may legally end without an extension block (SSLv3-era clients).
    let extensions = if r.is_empty() {
        Extensions::default()
    } else {
        Extensions::decode(r)?
    };
    Ok(ClientHello {
        legacy_version,
        random,
        session_id: session_id.to_vec(),
        cipher_suites,
        compression_methods,
        extensions,
    })
}

fn decode_server_hello(r: &mut Reader<'_>) -> Result<ServerHello, DecodeError> {
    let legacy_version = r.u16()?;
    let random = r.array()?;
    let session_id = r.vec_u8()?;
    if session_id.len() > 32 {
        return Err(DecodeError("session id too long"));
    }
    let cipher_suite = r.u16()?;
    let compression_method = r.u8()?;
    let extensions = if r.is_empty() {
        Extensions::default()
    } else {
        Extensions::decode(r)?
    };
    Ok(ServerHello {
        legacy_version,
        random,
        session_id: session_id.to_vec(),
        cipher_suite,
        compression_method,
        extensions,
    })
}

fn decode_certificate(r: &mut Reader<'_>) -> Result<Certificate13, DecodeError> {
    let context = r.vec_u8()?.to_vec();
    let mut list = Reader::new(r.vec_u24()?);
    let mut entries = Vec::new();
    while !list.is_empty() {
        let cert = list.vec_u24()?;
        if cert.is_empty() {
            return Err(DecodeError("empty certificate"));
        }
        entries.push(CertificateEntry {
            cert: cert.to_vec(),
            extensions: Extensions::decode(&mut list)?,
        });
    }
    Ok(Certificate13 { context, entries })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::enums::ExtensionType;

    fn round_trip(m: HandshakeMessage) {
        let enc = m.encode().unwrap();
        let body = &enc[4..];
        assert_eq!(
            enc.len() - 4,
            ((enc[1] as usize) << 16) | ((enc[2] as usize) << 8) | enc[3] as usize
        );
        assert_eq!(
            HandshakeMessage::decode(HandshakeType(enc[0]), body).unwrap(),
            m
        );
        for cut in 0..body.len() {
            // Truncations either fail or (Finished, Unknown) decode to something shorter; never panic.
            let _ = HandshakeMessage::decode(HandshakeType(enc[0]), &body[..cut]);
        }
    }

    #[test]
    fn messages_round_trip() {
        let mut ext = Extensions::default();
        ext.push(ExtensionType::SUPPORTED_VERSIONS, vec![2, 3, 4]);
        round_trip(HandshakeMessage::ClientHello(ClientHello {
            legacy_version: 0x0303,
            random: [7; 32],
            session_id: vec![1; 32],
            cipher_suites: vec![0x1301, 0x1302],
            compression_methods: vec![0],
            extensions: ext.clone(),
        }));
        round_trip(HandshakeMessage::ServerHello(ServerHello {
            legacy_version: 0x0303,
            random: [9; 32],
            session_id: vec![],
            cipher_suite: 0x1301,
            compression_method: 0,
            extensions: ext.clone(),
        }));
        round_trip(HandshakeMessage::Certificate(Certificate13 {
            context: vec![],
            entries: vec![CertificateEntry {
                cert: vec![0x30, 0],
                extensions: Extensions::default(),
            }],
        }));
        round_trip(HandshakeMessage::CertificateVerify(CertificateVerify {
            scheme: 0x0804,
            signature: vec![1, 2],
        }));
        round_trip(HandshakeMessage::KeyUpdate(1));
        for m in [
            HandshakeMessage::Certificate12(vec![vec![0x30, 1, 2], vec![0x30]]),
            HandshakeMessage::CertificateRequest12(CertificateRequest12 {
                certificate_types: vec![1, 64],
                signature_schemes: vec![0x0403, 0x0804],
                authorities: vec![vec![0x30, 0]],
            }),
            HandshakeMessage::ServerHelloDone,
            HandshakeMessage::ClientKeyExchange(vec![32, 1, 2]),
            HandshakeMessage::NewSessionTicket12(NewSessionTicket12 {
                lifetime_hint: 7200,
                ticket: vec![1, 2, 3],
            }),
        ] {
            let enc = m.encode().unwrap();
            let back = HandshakeMessage::decode_tls12(HandshakeType(enc[0]), &enc[4..]).unwrap();
            assert_eq!(back, m);
        }
        round_trip(HandshakeMessage::EncryptedExtensions(ext));
    }

    #[test]
    fn rejects_trailing_and_bad_lengths() {
        assert!(HandshakeMessage::decode(HandshakeType::KEY_UPDATE, &[1, 0]).is_err());
        assert!(
            HandshakeMessage::decode(HandshakeType::CERTIFICATE_VERIFY, &[8, 4, 0, 5, 1]).is_err()
        );
        assert!(
            HandshakeMessage::decode(HandshakeType::CERTIFICATE, &[0, 0, 0, 3, 0, 0, 0]).is_err()
        );
    }
}
