//! TLS 1.3 early data (0-RTT): `SSL_write_early_data` (client, before its handshake),
//! `SSL_read_early_data` (server: SUCCESS / ERROR / FINISH) and
//! `SSL_get_early_data_status`, with OpenSSL's rules for when each may be called (its
//! `early_data_state`): a call out of place fails with ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED.

use std::ffi::{c_int, c_void};

use oxssl::negotiated::EarlyData;
use oxssl::ssl::SslMethod;

use super::{fail, null_param, take_side, with_ssl, with_ssl_quiet, SslState, SSL};
use crate::err::{self, LIB_SSL};

/// ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED (257 | ERR_R_FATAL).
const ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED: c_int = 257 | (0x3 << 18);

const SSL_READ_EARLY_DATA_ERROR: c_int = 0;
const SSL_READ_EARLY_DATA_SUCCESS: c_int = 1;
const SSL_READ_EARLY_DATA_FINISH: c_int = 2;

/// Where a connection is with early data (OpenSSL's `early_data_state`, simplified).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum EarlyState {
    /// Not used.
    #[default]
    None,
    /// A client wrote early data.
    Writing,
    /// A server is reading early data.
    Reading,
    /// A server's `SSL_read_early_data` returned FINISH.
    FinishedReading,
}

fn not_now() {
    err::push(LIB_SSL, ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED);
}

/// The side of a connection; with none set, the one OpenSSL's `SSL_new` gives: a client
/// for `TLS_client_method`, a server otherwise.
fn is_client(st: &SslState) -> bool {
    st.side
        .unwrap_or_else(|| st.session_ctx.lock().method == SslMethod::tls_client())
}

/// `SSL_write_early_data`: 1 with `*written` set, or 0 (`SSL_get_error` tells why). Only a
/// client, before its handshake started by other calls, with a session (`SSL_set_session`)
/// whose ticket allows early data; then until its handshake completes.
///
/// # Safety
/// `s` is NULL or live; `buf` holds `num` readable bytes; `written` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SSL_write_early_data(
    s: *mut SSL,
    buf: *const c_void,
    num: usize,
    written: *mut usize,
) -> c_int {
    with_ssl_quiet(s, 0, |st| {
        let allowed = match st.early {
            EarlyState::None => {
                let max = st
                    .sessions
                    .offered()
                    .map_or(0, |h| h.get().max_early_data());
                is_client(st) && !st.started && max > 0
            }
            EarlyState::Writing => !st.ssl.is_init_finished(),
            _ => false,
        };
        if !allowed {
            not_now();
            return 0;
        }
        if buf.is_null() && num > 0 {
            null_param();
            return 0;
        }
        take_side(st, true);
        let slice: &[u8] = if num == 0 {
            &[]
        } else {
            // SAFETY: buf holds num readable bytes (caller's contract), checked non-NULL.
            unsafe { std::slice::from_raw_parts(buf.cast::<u8>(), num) }
        };
        st.early = EarlyState::Writing;
        match st.entering(|ssl| ssl.write_early_data(slice)) {
            Ok(n) => {
                // SAFETY: written is NULL or writable (caller's contract).
                if let Some(w) = unsafe { written.as_mut() } {
                    *w = n;
                }
                1
            }
            Err(e) => {
                fail(&e);
                0
            }
        }
    })
}

/// `SSL_read_early_data`: SSL_READ_EARLY_DATA_SUCCESS (1) with data, _ERROR (0; see
/// `SSL_get_error`) or _FINISH (2: no more early data, `*readbytes` is 0; the handshake is
/// finished with `SSL_do_handshake`, `SSL_accept` or a read). Only a server, before its
/// handshake started by other calls, and not after FINISH.
///
/// # Safety
/// `s` is NULL or live; `buf` holds `num` writable bytes; `readbytes` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn SSL_read_early_data(
    s: *mut SSL,
    buf: *mut c_void,
    num: usize,
    readbytes: *mut usize,
) -> c_int {
    if s.is_null() {
        crate::guard((), not_now);
        return SSL_READ_EARLY_DATA_ERROR;
    }
    with_ssl(s, SSL_READ_EARLY_DATA_ERROR, |st| {
        let allowed = match st.early {
            EarlyState::None => !is_client(st) && !st.started,
            EarlyState::Reading => true,
            _ => false,
        };
        if !allowed {
            not_now();
            return SSL_READ_EARLY_DATA_ERROR;
        }
        if buf.is_null() && num > 0 {
            null_param();
            return SSL_READ_EARLY_DATA_ERROR;
        }
        take_side(st, false);
        let slice: &mut [u8] = if num == 0 {
            &mut []
        } else {
            // SAFETY: buf holds num writable bytes (caller's contract), checked non-NULL.
            unsafe { std::slice::from_raw_parts_mut(buf.cast::<u8>(), num) }
        };
        st.early = EarlyState::Reading;
        let (ret, n) = match st.entering(|ssl| ssl.read_early_data(slice)) {
            Ok(0) => {
                st.early = EarlyState::FinishedReading;
                (SSL_READ_EARLY_DATA_FINISH, 0)
            }
            Ok(n) => (SSL_READ_EARLY_DATA_SUCCESS, n),
            Err(e) => {
                fail(&e);
                return SSL_READ_EARLY_DATA_ERROR;
            }
        };
        // SAFETY: readbytes is NULL or writable (caller's contract).
        if let Some(r) = unsafe { readbytes.as_mut() } {
            *r = n;
        }
        ret
    })
}

/// `SSL_get_early_data_status`: SSL_EARLY_DATA_NOT_SENT (0), _REJECTED (1: also a client's
/// answer while the server has not answered yet, as OpenSSL's) or _ACCEPTED (2).
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_early_data_status(s: *const SSL) -> c_int {
    with_ssl_quiet(s, 0, |st| match st.ssl.early_data_status() {
        EarlyData::NotSent => 0,
        EarlyData::Offered | EarlyData::Rejected => 1,
        EarlyData::Accepted => 2,
    })
}
