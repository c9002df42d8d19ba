//! A [`Spec`] made into DER: rcgen certificates signed with the pool's keys, then re-signed
//! with SHA-1 or corrupted as the spec says.

use oxssl::x509::CertificateDer;
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyIdMethod,
    SerialNumber,
};

use super::gen::{Bc, Source, Spec, Validity};
use super::keys::{keys, resign_sha1};

/// A case as DER.
pub struct Built {
    /// One per [`Spec::certs`].
    pub certs: Vec<CertificateDer<'static>>,
    /// The presented chain.
    pub chain: Vec<CertificateDer<'static>>,
    /// The trusted certificates.
    pub anchors: Vec<CertificateDer<'static>>,
}

fn key_id(tag: u32) -> Vec<u8> {
    let mut s = Source::Seed(u64::from(tag));
    (0..20).map(|_| s.below(256) as u8).collect()
}

fn dn(cn: Option<&str>, ca: bool) -> rcgen::DistinguishedName {
    let mut dn = rcgen::DistinguishedName::new();
    if let Some(cn) = cn {
        dn.push(DnType::CommonName, cn);
    }
    if ca {
        dn.push(DnType::OrganizationName, "oxssl generative");
    }
    dn
}

/// Makes every certificate of `spec`.
pub fn build(spec: &Spec) -> Built {
    let keys = keys();
    let certs: Vec<CertificateDer<'static>> = spec
        .certs
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut p = CertificateParams::default();
            p.distinguished_name = dn(c.subject.as_deref(), c.ca_name);
            let (nb, na) = match c.validity {
                Validity::Valid => ((2025, 1, 1), (2028, 1, 1)),
                Validity::Expired => ((2020, 1, 1), (2025, 1, 1)),
                Validity::NotYetValid => ((2027, 1, 1), (2030, 1, 1)),
            };
            p.not_before = date_time_ymd(nb.0, nb.1, nb.2);
            p.not_after = date_time_ymd(na.0, na.1, na.2);
            p.serial_number = Some(SerialNumber::from_slice(&[0x10, i as u8 + 1]));
            p.is_ca = match c.bc {
                Bc::Absent => IsCa::NoCa,
                Bc::NotCa => IsCa::ExplicitNoCa,
                Bc::Ca(None) => IsCa::Ca(BasicConstraints::Unconstrained),
                Bc::Ca(Some(n)) => IsCa::Ca(BasicConstraints::Constrained(n)),
            };
            p.key_usages = c.ku.clone();
            p.extended_key_usages = c.eku.clone();
            p.name_constraints = c.nc.clone();
            p.subject_alt_names = c.sans.clone();
            if let Some(k) = c.skid {
                p.key_identifier_method = KeyIdMethod::PreSpecified(key_id(k));
            }
            p.use_authority_key_identifier_extension = c.akid.is_some();
            let mut ip = CertificateParams::default();
            ip.distinguished_name = dn(Some(&c.issuer), true);
            if let Some(k) = c.akid {
                ip.key_identifier_method = KeyIdMethod::PreSpecified(key_id(k));
            }
            let signer = &keys[c.signer];
            let issuer = Issuer::from_params(&ip, signer);
            let der = p.signed_by(&keys[c.key], &issuer).expect("rcgen signs");
            let mut der = der.der().to_vec();
            if c.sha1 {
                der = resign_sha1(&der, signer);
            }
            if c.corrupt {
                if let Some(last) = der.last_mut() {
                    *last ^= 0x55;
                }
            }
            CertificateDer::from(der)
        })
        .collect();
    Built {
        chain: spec.chain.iter().map(|i| certs[*i].clone()).collect(),
        anchors: spec.store.iter().map(|i| certs[*i].clone()).collect(),
        certs,
    }
}
