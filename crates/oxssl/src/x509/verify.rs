//! [`X509VerifyParam`]: the checks a verification makes beyond the chain itself (the
//! peer's host name or IP address, the depth limit), as the `openssl` crate's
//! `x509::verify` module names them.

use std::net::IpAddr;

use crate::ssl::{ErrorEntry, ErrorStack};

/// Host-name matching flags (`X509_CHECK_FLAG_*`).
///
/// Matching is always what these flags ask for with `NO_PARTIAL_WILDCARDS`: a wildcard
/// is a whole leftmost label ("*.example.com"), never part of one; the other flags are kept
/// and reported but change nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct X509CheckFlags(u32);

impl X509CheckFlags {
    /// `X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT`.
    pub const ALWAYS_CHECK_SUBJECT: X509CheckFlags = X509CheckFlags(0x1);
    /// `X509_CHECK_FLAG_NO_WILDCARDS`.
    pub const NO_WILDCARDS: X509CheckFlags = X509CheckFlags(0x2);
    /// `X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS` (always in effect).
    pub const NO_PARTIAL_WILDCARDS: X509CheckFlags = X509CheckFlags(0x4);
    /// `X509_CHECK_FLAG_MULTI_LABEL_WILDCARDS`.
    pub const MULTI_LABEL_WILDCARDS: X509CheckFlags = X509CheckFlags(0x8);
    /// `X509_CHECK_FLAG_SINGLE_LABEL_SUBDOMAINS`.
    pub const SINGLE_LABEL_SUBDOMAINS: X509CheckFlags = X509CheckFlags(0x10);
    /// `X509_CHECK_FLAG_NEVER_CHECK_SUBJECT`.
    pub const NEVER_CHECK_SUBJECT: X509CheckFlags = X509CheckFlags(0x20);

    /// The bits.
    pub fn bits(&self) -> u32 {
        self.0
    }

    /// Whether all of `other`'s bits are set.
    pub fn contains(&self, other: X509CheckFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for X509CheckFlags {
    type Output = X509CheckFlags;
    fn bitor(self, rhs: Self) -> Self {
        X509CheckFlags(self.0 | rhs.0)
    }
}

/// Verification parameters (`X509_VERIFY_PARAM`): what `Ssl::param_mut` and
/// `SslContextBuilder::verify_param_mut` give.
///
/// ```
/// use oxssl::ssl::{Ssl, SslContext, SslMethod};
/// let ctx = SslContext::builder(SslMethod::tls_client()).unwrap().build();
/// let mut ssl = Ssl::new(&ctx).unwrap();
/// ssl.param_mut().set_host("example.com").unwrap();
/// assert_eq!(ssl.param_mut().host(), Some("example.com"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct X509VerifyParam {
    host: Option<String>,
    ip: Option<IpAddr>,
    hostflags: X509CheckFlags,
    depth: Option<u32>,
}

/// The `openssl` crate's borrowed parameter type: here the same as [`X509VerifyParam`].
pub type X509VerifyParamRef = X509VerifyParam;

impl X509VerifyParam {
    /// Empty parameters (`X509_VERIFY_PARAM_new`).
    pub fn new() -> Result<X509VerifyParam, ErrorStack> {
        Ok(Self::default())
    }

    /// The host name the peer's certificate must match (`X509_VERIFY_PARAM_set1_host`);
    /// an empty name clears it. A connection enforces it only in verify mode PEER; under
    /// the default NONE a mismatch is only recorded in `verify_result`.
    pub fn set_host(&mut self, host: &str) -> Result<(), ErrorStack> {
        if host.contains('\0') {
            return Err(ErrorStack::one(ErrorEntry::ssl(
                crate::reason::Reason::BAD_VALUE,
                "host name with a NUL byte",
            )));
        }
        self.host = (!host.is_empty()).then(|| host.to_string());
        Ok(())
    }

    /// The IP address the peer's certificate must carry (`X509_VERIFY_PARAM_set1_ip`).
    pub fn set_ip(&mut self, ip: IpAddr) -> Result<(), ErrorStack> {
        self.ip = Some(ip);
        Ok(())
    }

    /// Host-name matching flags (`X509_VERIFY_PARAM_set_hostflags`).
    pub fn set_hostflags(&mut self, flags: X509CheckFlags) {
        self.hostflags = flags;
    }

    /// The most intermediate certificates a chain may have (`X509_VERIFY_PARAM_set_depth`).
    pub fn set_depth(&mut self, depth: i32) {
        self.depth = u32::try_from(depth).ok();
    }

    /// The host name set, if any.
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// The host-name flags.
    pub fn hostflags(&self) -> X509CheckFlags {
        self.hostflags
    }

    /// The depth limit set, if any.
    pub fn depth(&self) -> Option<u32> {
        self.depth
    }

    /// What the peer's certificate is checked against: the IP address if one is set, else
    /// the host name.
    pub(crate) fn identity(&self) -> Option<String> {
        self.ip
            .map(|ip| ip.to_string())
            .or_else(|| self.host.clone())
    }
}
