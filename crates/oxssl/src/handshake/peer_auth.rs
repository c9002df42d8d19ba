//! Peer authentication both versions share: chain verification results reported as
//! OpenSSL reports them.

use super::Context;
use crate::error::TlsError;
use crate::msgs::enums::AlertDescription;
use crate::reason::Reason;
use crate::x509;

/// Records a verification outcome; with verify-peer set a failure aborts the handshake
/// with OpenSSL's alert for that failure and CERTIFICATE_VERIFY_FAILED.
pub(crate) fn record_verify_result(
    cx: &mut Context<'_>,
    result: Result<(), x509::VerifyError>,
) -> Result<(), TlsError> {
    match result {
        Ok(()) => {
            cx.info.verify_result = 0;
            Ok(())
        }
        Err(e) => {
            cx.info.verify_result = e.code.0;
            if cx.config.verify.peer {
                let mut err = TlsError::fatal(
                    AlertDescription(e.code.alert()),
                    Reason::CERTIFICATE_VERIFY_FAILED,
                    format!(
                        "certificate verify failed at depth {}: {}",
                        e.depth,
                        e.code.text()
                    ),
                );
                err.verify_result = Some(e.code.0);
                Err(err)
            } else {
                Ok(())
            }
        }
    }
}
