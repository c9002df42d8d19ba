//! Test PKI made with rcgen: a CA and a leaf of each key type, cached per process.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SignatureAlgorithm,
};
use std::sync::OnceLock;

/// Leaf key types the interop matrix covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    EcdsaP256,
    EcdsaP384,
    Rsa2048,
    Ed25519,
}

impl KeyKind {
    pub const ALL: [KeyKind; 4] = [
        KeyKind::EcdsaP256,
        KeyKind::EcdsaP384,
        KeyKind::Rsa2048,
        KeyKind::Ed25519,
    ];

    fn alg(self) -> &'static SignatureAlgorithm {
        match self {
            KeyKind::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            KeyKind::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
            KeyKind::Rsa2048 => &rcgen::PKCS_RSA_SHA256,
            KeyKind::Ed25519 => &rcgen::PKCS_ED25519,
        }
    }
}

/// A CA and one leaf it issued.
#[derive(Clone)]
pub struct Pki {
    pub ca_der: Vec<u8>,
    pub ca_pem: String,
    pub leaf_der: Vec<u8>,
    pub leaf_pem: String,
    /// PKCS#8 DER of the leaf key.
    pub key_der: Vec<u8>,
    pub key_pem: String,
}

/// How to make a leaf.
pub struct LeafSpec {
    pub kind: KeyKind,
    pub names: Vec<String>,
    /// Validity as (not_before, not_after) years; None = rcgen's default (1975..4096).
    pub validity_years: Option<(i32, i32)>,
    pub client_auth: bool,
}

impl LeafSpec {
    pub fn server(kind: KeyKind) -> Self {
        LeafSpec {
            kind,
            names: vec!["localhost".into(), "127.0.0.1".into()],
            validity_years: None,
            client_auth: false,
        }
    }
}

fn ca() -> &'static (KeyPair, CertificateParams, Vec<u8>) {
    static CA: OnceLock<(KeyPair, CertificateParams, Vec<u8>)> = OnceLock::new();
    CA.get_or_init(|| {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "oxssl test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).unwrap();
        let der = cert.der().to_vec();
        (key, params, der)
    })
}

fn pem(label: &str, der: &[u8]) -> String {
    oxssl::x509::pem_encode(label, der).unwrap()
}

/// Issues a leaf from the shared test CA.
pub fn issue(spec: &LeafSpec) -> Pki {
    let (ca_key, ca_params, ca_der) = ca();
    let key = KeyPair::generate_for(spec.kind.alg()).unwrap();
    let mut params = CertificateParams::new(spec.names.clone()).unwrap();
    params.distinguished_name.push(
        DnType::CommonName,
        spec.names.first().cloned().unwrap_or_default(),
    );
    if let Some((from, to)) = spec.validity_years {
        params.not_before = rcgen::date_time_ymd(from, 1, 1);
        params.not_after = rcgen::date_time_ymd(to, 1, 1);
    }
    params.extended_key_usages = vec![if spec.client_auth {
        rcgen::ExtendedKeyUsagePurpose::ClientAuth
    } else {
        rcgen::ExtendedKeyUsagePurpose::ServerAuth
    }];
    let issuer = Issuer::from_params(ca_params, ca_key);
    let cert = params.signed_by(&key, &issuer).unwrap();
    let key_der = key.serialize_der();
    Pki {
        ca_der: ca_der.clone(),
        ca_pem: pem("CERTIFICATE", ca_der),
        leaf_der: cert.der().to_vec(),
        leaf_pem: pem("CERTIFICATE", cert.der()),
        key_pem: pem("PRIVATE KEY", &key_der),
        key_der,
    }
}

/// The cached server PKI for a key kind.
pub fn server_pki(kind: KeyKind) -> &'static Pki {
    static CACHE: OnceLock<std::sync::Mutex<Vec<(KeyKind, &'static Pki)>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut c = cache.lock().unwrap();
    if let Some((_, p)) = c.iter().find(|(k, _)| *k == kind) {
        return p;
    }
    let p: &'static Pki = Box::leak(Box::new(issue(&LeafSpec::server(kind))));
    c.push((kind, p));
    p
}

/// A self-signed certificate from a CA nobody trusts, for negative tests.
pub fn untrusted_pki() -> Pki {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    let key_der = key.serialize_der();
    Pki {
        ca_der: cert.der().to_vec(),
        ca_pem: pem("CERTIFICATE", cert.der()),
        leaf_der: cert.der().to_vec(),
        leaf_pem: pem("CERTIFICATE", cert.der()),
        key_pem: pem("PRIVATE KEY", &key_der),
        key_der,
    }
}
