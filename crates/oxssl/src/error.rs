//! Errors: the engine's [`TlsError`] (an OpenSSL reason code, the alert we sent, a
//! detail), and, under the `openssl` crate's names, the error-queue types the API returns:
//! [`ErrorStack`] and one queued [`Error`].

pub use crate::ssl::{ErrorEntry as Error, ErrorStack};

use crate::msgs::enums::AlertDescription;
use crate::reason::Reason;
use std::borrow::Cow;

/// A TLS failure: fatal to the connection unless it came from a caller's bad argument.
#[derive(Clone, PartialEq, Eq)]
pub struct TlsError {
    /// OpenSSL's reason code (`ERR_GET_REASON`).
    pub reason: Reason,
    /// The fatal alert we sent (or will send) to the peer because of this error.
    pub alert: Option<AlertDescription>,
    /// A human detail, such as which check failed.
    pub detail: Cow<'static, str>,
    /// For certificate verification failures: OpenSSL's `X509_V_ERR_*` code.
    pub verify_result: Option<i32>,
}

impl TlsError {
    /// A failure we detected: we send `alert` and report `reason`.
    pub fn fatal(
        alert: AlertDescription,
        reason: Reason,
        detail: impl Into<Cow<'static, str>>,
    ) -> Self {
        TlsError {
            reason,
            alert: Some(alert),
            detail: detail.into(),
            verify_result: None,
        }
    }

    /// The peer sent a fatal alert; reason is OpenSSL's `SSL_AD_REASON_OFFSET + alert`.
    pub fn peer_alert(alert: AlertDescription) -> Self {
        TlsError {
            reason: Reason(1000 + alert.0 as i32),
            alert: None,
            detail: Cow::Borrowed(alert.text()),
            verify_result: None,
        }
    }

    /// An error without an alert (bad API use, or the connection is already dead).
    pub fn local(reason: Reason, detail: impl Into<Cow<'static, str>>) -> Self {
        TlsError {
            reason,
            alert: None,
            detail: detail.into(),
            verify_result: None,
        }
    }

    /// Shorthand for a `decode_error` alert with `reason`.
    pub fn decode(reason: Reason, detail: impl Into<Cow<'static, str>>) -> Self {
        Self::fatal(AlertDescription::DECODE_ERROR, reason, detail)
    }

    /// Shorthand for an `illegal_parameter` alert with `reason`.
    pub fn illegal(reason: Reason, detail: impl Into<Cow<'static, str>>) -> Self {
        Self::fatal(AlertDescription::ILLEGAL_PARAMETER, reason, detail)
    }

    /// Shorthand for an `unexpected_message` alert with UNEXPECTED_MESSAGE.
    pub fn unexpected(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::fatal(
            AlertDescription::UNEXPECTED_MESSAGE,
            Reason::UNEXPECTED_MESSAGE,
            detail,
        )
    }

    /// The same error with another reason code.
    pub fn with_reason(mut self, reason: Reason) -> Self {
        self.reason = reason;
        self
    }

    /// Shorthand for an `internal_error` alert (a local failure, such as randomness).
    pub fn internal(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::fatal(
            AlertDescription::INTERNAL_ERROR,
            Reason::INTERNAL_ERROR,
            detail,
        )
    }
}

impl From<crate::msgs::codec::DecodeError> for TlsError {
    fn from(e: crate::msgs::codec::DecodeError) -> Self {
        Self::decode(Reason::BAD_PACKET, e.0)
    }
}

impl From<crate::msgs::codec::EncodeError> for TlsError {
    fn from(e: crate::msgs::codec::EncodeError) -> Self {
        Self::internal(e.0)
    }
}

impl std::fmt::Debug for TlsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TlsError({:?}", self.reason)?;
        if let Some(a) = self.alert {
            write!(f, ", sent {a:?}")?;
        }
        write!(f, ": {})", self.detail)
    }
}

impl std::fmt::Display for TlsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.reason)?;
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}

impl std::error::Error for TlsError {}
