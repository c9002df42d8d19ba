//! [`Nid`]: OpenSSL's numeric identifiers of the object types programs name (name
//! attributes, key types, digests, curves, signature algorithms), with their OIDs.

use crate::ssl::{ErrorEntry, ErrorStack};

/// An OpenSSL object identifier number (`NID_*`), as the `openssl` crate's `Nid`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nid(i32);

macro_rules! nids {
    ($($name:ident = $n:literal, $short:literal, $long:literal, [$($oid:literal),*];)*) => {
        impl Nid {
            $(
                #[doc = concat!("`", $short, "` / `", $long, "` (", stringify!($n), ").")]
                pub const $name: Nid = Nid($n);
            )*
        }

        /// (nid, short name, long name, OID contents octets)
        const TABLE: &[(i32, &str, &str, &[u8])] = &[$(($n, $short, $long, &[$($oid),*]),)*];
    };
}

nids! {
    UNDEF = 0, "UNDEF", "undefined", [];
    MD5 = 4, "MD5", "md5", [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05];
    RSAENCRYPTION = 6, "rsaEncryption", "rsaEncryption", [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    COMMONNAME = 13, "CN", "commonName", [0x55, 0x04, 0x03];
    COUNTRYNAME = 14, "C", "countryName", [0x55, 0x04, 0x06];
    LOCALITYNAME = 15, "L", "localityName", [0x55, 0x04, 0x07];
    STATEORPROVINCENAME = 16, "ST", "stateOrProvinceName", [0x55, 0x04, 0x08];
    ORGANIZATIONNAME = 17, "O", "organizationName", [0x55, 0x04, 0x0a];
    ORGANIZATIONALUNITNAME = 18, "OU", "organizationalUnitName", [0x55, 0x04, 0x0b];
    PKCS9_EMAILADDRESS = 48, "emailAddress", "emailAddress", [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01];
    SHA1 = 64, "SHA1", "sha1", [0x2b, 0x0e, 0x03, 0x02, 0x1a];
    SHA1WITHRSAENCRYPTION = 65, "RSA-SHA1", "sha1WithRSAEncryption", [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05];
    KEY_USAGE = 83, "keyUsage", "X509v3 Key Usage", [0x55, 0x1d, 0x0f];
    SUBJECT_ALT_NAME = 85, "subjectAltName", "X509v3 Subject Alternative Name", [0x55, 0x1d, 0x11];
    BASIC_CONSTRAINTS = 87, "basicConstraints", "X509v3 Basic Constraints", [0x55, 0x1d, 0x13];
    GIVENNAME = 99, "GN", "givenName", [0x55, 0x04, 0x2a];
    SURNAME = 100, "SN", "surname", [0x55, 0x04, 0x04];
    SERIALNUMBER = 105, "serialNumber", "serialNumber", [0x55, 0x04, 0x05];
    TITLE = 106, "title", "title", [0x55, 0x04, 0x0c];
    EXT_KEY_USAGE = 126, "extendedKeyUsage", "X509v3 Extended Key Usage", [0x55, 0x1d, 0x25];
    SERVER_AUTH = 129, "serverAuth", "TLS Web Server Authentication", [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
    CLIENT_AUTH = 130, "clientAuth", "TLS Web Client Authentication", [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];
    DOMAINCOMPONENT = 391, "DC", "domainComponent", [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19];
    X9_62_ID_ECPUBLICKEY = 408, "id-ecPublicKey", "id-ecPublicKey", [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    X9_62_PRIME256V1 = 415, "prime256v1", "prime256v1", [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    ECDSA_WITH_SHA1 = 416, "ecdsa-with-SHA1", "ecdsa-with-SHA1", [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01];
    USERID = 458, "UID", "userId", [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01];
    SHA256WITHRSAENCRYPTION = 668, "RSA-SHA256", "sha256WithRSAEncryption", [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
    SHA384WITHRSAENCRYPTION = 669, "RSA-SHA384", "sha384WithRSAEncryption", [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
    SHA512WITHRSAENCRYPTION = 670, "RSA-SHA512", "sha512WithRSAEncryption", [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d];
    SHA256 = 672, "SHA256", "sha256", [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    SHA384 = 673, "SHA384", "sha384", [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
    SHA512 = 674, "SHA512", "sha512", [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
    SECP384R1 = 715, "secp384r1", "secp384r1", [0x2b, 0x81, 0x04, 0x00, 0x22];
    SECP521R1 = 716, "secp521r1", "secp521r1", [0x2b, 0x81, 0x04, 0x00, 0x23];
    ECDSA_WITH_SHA256 = 794, "ecdsa-with-SHA256", "ecdsa-with-SHA256", [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
    ECDSA_WITH_SHA384 = 795, "ecdsa-with-SHA384", "ecdsa-with-SHA384", [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
    ECDSA_WITH_SHA512 = 796, "ecdsa-with-SHA512", "ecdsa-with-SHA512", [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04];
    RSASSAPSS = 912, "RSASSA-PSS", "rsassaPss", [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
    ED25519 = 1087, "ED25519", "ED25519", [0x2b, 0x65, 0x70];
    ED448 = 1088, "ED448", "ED448", [0x2b, 0x65, 0x71];
}

impl Nid {
    /// A NID from its number.
    pub const fn from_raw(raw: i32) -> Nid {
        Nid(raw)
    }

    /// The number.
    pub const fn as_raw(self) -> i32 {
        self.0
    }

    fn entry(self) -> Option<&'static (i32, &'static str, &'static str, &'static [u8])> {
        TABLE.iter().find(|e| e.0 == self.0)
    }

    /// OpenSSL's short name ("CN", "SHA256"); an error for a NID this table lacks.
    pub fn short_name(self) -> Result<&'static str, ErrorStack> {
        self.entry().map(|e| e.1).ok_or_else(|| unknown(self))
    }

    /// OpenSSL's long name ("commonName", "sha256").
    pub fn long_name(self) -> Result<&'static str, ErrorStack> {
        self.entry().map(|e| e.2).ok_or_else(|| unknown(self))
    }

    /// The NID of an OID (its contents octets), [`Nid::UNDEF`] when unknown.
    pub(crate) fn from_oid(oid: &[u8]) -> Nid {
        TABLE
            .iter()
            .find(|e| e.0 != 0 && e.3 == oid)
            .map_or(Nid::UNDEF, |e| Nid(e.0))
    }
}

fn unknown(nid: Nid) -> ErrorStack {
    ErrorStack::one(ErrorEntry::ssl(
        crate::reason::Reason::BAD_VALUE,
        format!("unknown NID {}", nid.0),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_oids() {
        assert_eq!(Nid::COMMONNAME.short_name().ok(), Some("CN"));
        assert_eq!(Nid::SHA256.long_name().ok(), Some("sha256"));
        assert_eq!(Nid::from_oid(&[0x55, 0x04, 0x03]), Nid::COMMONNAME);
        assert_eq!(Nid::from_oid(&[0x55, 0x04, 0x7f]), Nid::UNDEF);
        assert!(Nid::from_raw(99999).short_name().is_err());
    }
}
