//! What every contender shares: the versions, suites and groups measured, the test PKI, the
//! in-memory duplex transport, and the [`Contender`] trait the harness drives.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, PKCS_ECDSA_P256_SHA256,
    PKCS_RSA_SHA256,
};
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};

/// The server name every client connects to and verifies.
pub const HOST: &str = "localhost";

/// What a measurement negotiates: the protocol version, the cipher suite and (through
/// [`Suite::key`]) the server's certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suite {
    /// TLS 1.3 TLS_AES_128_GCM_SHA256, ECDSA P-256 certificate.
    Aes128Gcm,
    /// TLS 1.3 TLS_AES_256_GCM_SHA384, ECDSA P-256 certificate.
    Aes256Gcm,
    /// TLS 1.3 TLS_CHACHA20_POLY1305_SHA256, ECDSA P-256 certificate.
    Chacha20,
    /// TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256, ECDSA P-256 certificate.
    Tls12EcdsaAes128Gcm,
    /// TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256, RSA 2048 certificate.
    Tls12RsaAes128Gcm,
}

impl Suite {
    /// The bulk table's columns.
    pub const BULK: [Suite; 4] = [
        Suite::Aes128Gcm,
        Suite::Aes256Gcm,
        Suite::Chacha20,
        Suite::Tls12EcdsaAes128Gcm,
    ];

    /// TLS 1.2 (otherwise TLS 1.3).
    pub fn is_tls12(self) -> bool {
        matches!(self, Suite::Tls12EcdsaAes128Gcm | Suite::Tls12RsaAes128Gcm)
    }

    /// The server certificate's key type.
    pub fn key(self) -> KeyKind {
        match self {
            Suite::Tls12RsaAes128Gcm => KeyKind::Rsa2048,
            _ => KeyKind::EcdsaP256,
        }
    }

    /// The IANA name (what OpenSSL's `set_ciphersuites` takes for TLS 1.3, and what
    /// `SSL_CIPHER_standard_name` reports).
    pub fn iana(self) -> &'static str {
        match self {
            Suite::Aes128Gcm => "TLS_AES_128_GCM_SHA256",
            Suite::Aes256Gcm => "TLS_AES_256_GCM_SHA384",
            Suite::Chacha20 => "TLS_CHACHA20_POLY1305_SHA256",
            Suite::Tls12EcdsaAes128Gcm => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            Suite::Tls12RsaAes128Gcm => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        }
    }

    /// OpenSSL's name (the IANA name for TLS 1.3, what `set_cipher_list` takes for 1.2).
    pub fn openssl_name(self) -> &'static str {
        match self {
            Suite::Tls12EcdsaAes128Gcm => "ECDHE-ECDSA-AES128-GCM-SHA256",
            Suite::Tls12RsaAes128Gcm => "ECDHE-RSA-AES128-GCM-SHA256",
            _ => self.iana(),
        }
    }

    /// A short column heading.
    pub fn short(self) -> &'static str {
        match self {
            Suite::Aes128Gcm => "AES-128-GCM",
            Suite::Aes256Gcm => "AES-256-GCM",
            Suite::Chacha20 => "ChaCha20-Poly1305",
            Suite::Tls12EcdsaAes128Gcm => "TLS 1.2 AES-128-GCM",
            Suite::Tls12RsaAes128Gcm => "TLS 1.2 RSA AES-128-GCM",
        }
    }
}

/// Whether (and how) the handshakes of a row resume a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resume {
    /// Full handshakes; no tickets are issued and no sessions cached.
    Off,
    /// Tickets (TLS 1.3 PSK with ECDHE; TLS 1.2 RFC 5077), one per handshake, no cache.
    Tickets,
    /// TLS 1.2 session ids with the server's cache, no tickets.
    SessionIds,
}

/// Key exchange groups measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    X25519,
    X25519MlKem768,
}

impl Group {
    /// The name in OpenSSL's (and oxssl's) groups list.
    pub fn name(self) -> &'static str {
        match self {
            Group::X25519 => "X25519",
            Group::X25519MlKem768 => "X25519MLKEM768",
        }
    }

    /// The groups list every side is configured with: this group alone for TLS 1.3; for
    /// TLS 1.2 this group then P-256, because OpenSSL's TLS 1.2 server takes an ECDSA
    /// certificate only on a curve the client lists (RFC 8422 5.1), so P-256 must be
    /// there. It costs nothing: TLS 1.2 sends no key share in the ClientHello, and the
    /// first group, this one, is what every side picks.
    pub fn list(self, suite: Suite) -> String {
        if suite.is_tls12() {
            format!("{}:P-256", self.name())
        } else {
            self.name().to_string()
        }
    }
}

/// What a pair negotiated, as the client sees it.
#[derive(Debug, PartialEq, Eq)]
pub struct Negotiated {
    /// "TLSv1.2" or "TLSv1.3".
    pub version: String,
    /// The suite's IANA name.
    pub suite: String,
    /// The key exchange group, lower case ("x25519"), if the library tells.
    pub group: Option<String>,
}

/// Server certificate key types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    EcdsaP256,
    Rsa2048,
}

/// A server certificate for "localhost" and its key.
pub struct Leaf {
    pub der: Vec<u8>,
    /// PKCS#8 DER of the key.
    pub key_der: Vec<u8>,
}

/// An ECDSA P-256 CA and two server leaves for "localhost" it issued: ECDSA P-256 and
/// RSA 2048.
pub struct Pki {
    pub ca_der: Vec<u8>,
    ecdsa: Leaf,
    rsa: Leaf,
}

impl Pki {
    /// The leaf a server with this key type presents.
    pub fn leaf(&self, kind: KeyKind) -> &Leaf {
        match kind {
            KeyKind::EcdsaP256 => &self.ecdsa,
            KeyKind::Rsa2048 => &self.rsa,
        }
    }
}

/// Makes a fresh test PKI with rcgen (as the tests do): an ECDSA P-256 CA, an ECDSA P-256
/// leaf and an RSA 2048 leaf.
pub fn make_pki() -> Pki {
    let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "oxssl bench CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_der = ca_params.self_signed(&ca_key).expect("CA").der().to_vec();
    let issuer = Issuer::from_params(&ca_params, &ca_key);

    let leaf = |alg| {
        let key = KeyPair::generate_for(alg).expect("leaf key");
        let mut params = CertificateParams::new(vec![HOST.to_string()]).expect("leaf params");
        params.distinguished_name.push(DnType::CommonName, HOST);
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let der = params
            .signed_by(&key, &issuer)
            .expect("leaf")
            .der()
            .to_vec();
        Leaf {
            der,
            key_der: key.serialize_der(),
        }
    };
    Pki {
        ca_der,
        ecdsa: leaf(&PKCS_ECDSA_P256_SHA256),
        rsa: leaf(&PKCS_RSA_SHA256),
    }
}

/// One direction of the duplex: bytes written and not yet read. Reads and writes are
/// single `memcpy`s, so the transport costs every library the same little.
#[derive(Default)]
struct Queue {
    data: Vec<u8>,
    head: usize,
}

impl Queue {
    fn len(&self) -> usize {
        self.data.len() - self.head
    }

    fn read(&mut self, buf: &mut [u8]) -> usize {
        let avail = &self.data[self.head..];
        let n = buf.len().min(avail.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.head += n;
        if self.head == self.data.len() {
            self.data.clear();
            self.head = 0;
        }
        n
    }

    fn write(&mut self, buf: &[u8]) {
        if self.head > 0 && self.head * 2 >= self.data.len() {
            self.data.drain(..self.head);
            self.head = 0;
        }
        self.data.extend_from_slice(buf);
    }
}

/// One end of an in-memory duplex: writes go to the peer, reads come from the peer; an
/// empty read would block. `Send + Sync` so oxssl can own it as a BIO.
#[derive(Clone)]
pub struct End {
    rx: Arc<Mutex<Queue>>,
    tx: Arc<Mutex<Queue>>,
}

fn lock(q: &Mutex<Queue>) -> MutexGuard<'_, Queue> {
    q.lock().unwrap_or_else(|p| p.into_inner())
}

/// A connected pair of ends (client's, server's).
pub fn duplex() -> (End, End) {
    let a: Arc<Mutex<Queue>> = Default::default();
    let b: Arc<Mutex<Queue>> = Default::default();
    (
        End {
            rx: a.clone(),
            tx: b.clone(),
        },
        End { rx: b, tx: a },
    )
}

impl End {
    /// Reads up to `buf.len()` bytes; 0 when nothing is there.
    pub fn read_some(&self, buf: &mut [u8]) -> usize {
        lock(&self.rx).read(buf)
    }

    /// Queues `buf` for the peer (always takes all of it).
    pub fn write_all_now(&self, buf: &[u8]) {
        lock(&self.tx).write(buf)
    }

    /// Bytes waiting to be read at this end.
    pub fn pending(&self) -> usize {
        lock(&self.rx).len()
    }

    /// Frees the buffers of both directions if they are empty, so a memory measurement
    /// counts the TLS objects and not the transport's spare capacity.
    pub fn release(&self) {
        for q in [&self.rx, &self.tx] {
            let mut q = lock(q);
            if q.len() == 0 {
                *q = Queue::default();
            }
        }
    }
}

impl io::Read for End {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        match self.read_some(buf) {
            0 => Err(io::ErrorKind::WouldBlock.into()),
            n => Ok(n),
        }
    }
}

impl io::Write for End {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all_now(buf);
        Ok(buf.len())
    }

    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        let mut q = lock(&self.tx);
        let mut n = 0;
        for b in bufs {
            q.write(b);
            n += b.len();
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One library (or one way of using it) under test: a client and a server of the same
/// library, talking to each other over memory in this thread.
pub trait Contender {
    /// An established client + server pair.
    type Pair: 'static;

    /// A new pair with the full handshake completed (and the server's certificate verified
    /// by the client, host name included).
    fn connect(&self) -> Self::Pair;

    /// The client writes `chunk` `count` times (one write call each); the server reads
    /// everything, handing what it read to `sink`.
    fn transfer(
        &self,
        pair: &mut Self::Pair,
        chunk: &[u8],
        count: usize,
        sink: &mut dyn FnMut(&[u8]),
    );

    /// Frees the transport's idle buffers (the memory measurement counts TLS state only).
    fn release_transport(&self, pair: &mut Self::Pair);

    /// What the client negotiated, so the harness can check each contender runs what its
    /// row says.
    fn negotiated(&self, pair: &Self::Pair) -> Negotiated;

    /// How this contender's handshakes resume (set when it was made).
    fn resumption(&self) -> Resume;

    /// A client session to resume: what a full handshake left, read after it (so TLS 1.3
    /// tickets are in).
    type Session: 'static;
    fn session(&self) -> Self::Session;

    /// A pair whose handshake resumed `session` (checked), with the client having read
    /// what the server sent after it (a new ticket).
    fn resume(&self, session: &Self::Session) -> Self::Pair;
}
