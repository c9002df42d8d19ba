//! [`X509StoreContextRef`]: what a verify callback sees, OpenSSL's `X509_STORE_CTX` during
//! `X509_verify_cert`.

use super::cert::X509;
use super::codes::VerifyCode;

/// A verify callback (`SSL_CTX_set_verify`'s `verify_callback`): called with
/// `preverify_ok = false` for each failure found, in OpenSSL's order, and with `true` for
/// each certificate that passed, from the top of the chain down to the leaf. Returning
/// `false` ends the verification (a failed handshake under `SslVerifyMode::PEER`);
/// returning `true` after a failure goes on as if it had not happened, though the code
/// stays what `Ssl::verify_result` reports unless the callback resets it with
/// [`X509StoreContextRef::set_error`].
pub type VerifyCallback = dyn Fn(bool, &mut X509StoreContextRef) -> bool + Send + Sync;

/// The state of a chain verification, given to a [`VerifyCallback`].
#[derive(Debug)]
pub struct X509StoreContextRef {
    pub(super) chain: Vec<X509>,
    pub(super) error: VerifyCode,
    pub(super) depth: u32,
    pub(super) current: Option<usize>,
}

impl X509StoreContextRef {
    pub(super) fn new() -> Self {
        X509StoreContextRef {
            chain: Vec::new(),
            error: VerifyCode::OK,
            depth: 0,
            current: None,
        }
    }

    /// The verification error so far (`X509_STORE_CTX_get_error`): the failure being
    /// reported, or the last one a callback let pass (errors are sticky), or `OK`.
    pub fn error(&self) -> VerifyCode {
        self.error
    }

    /// Replaces the error (`X509_STORE_CTX_set_error`), e.g. with `OK` to make an accepted
    /// failure invisible to `Ssl::verify_result`.
    pub fn set_error(&mut self, result: VerifyCode) {
        self.error = result;
    }

    /// Depth of the certificate being reported: 0 is the peer's own certificate
    /// (`X509_STORE_CTX_get_error_depth`).
    pub fn error_depth(&self) -> u32 {
        self.depth
    }

    /// The certificate being reported (`X509_STORE_CTX_get_current_cert`).
    pub fn current_cert(&self) -> Option<&X509> {
        self.current.and_then(|i| self.chain.get(i))
    }

    /// The chain built so far, leaf first (`X509_STORE_CTX_get0_chain`).
    pub fn chain(&self) -> Option<&[X509]> {
        Some(&self.chain)
    }
}
