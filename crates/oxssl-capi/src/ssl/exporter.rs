//! `SSL_export_keying_material` (RFC 5705 for TLS 1.2, RFC 8446 section 7.5 for TLS 1.3).

use std::ffi::{c_char, c_int, c_uchar};

use super::{null_param, with_ssl_quiet, SSL};
use crate::err;

/// `SSL_export_keying_material`: fills `out` with `olen` bytes bound to the connection's
/// keys, the label (`llen` bytes) and, when `use_context` is not 0, the context
/// (`contextlen` bytes; TLS 1.2 tells an empty context from none, TLS 1.3 does not).
/// 1 on success; 0 with the reason queued (no keys yet, a label TLS 1.2 reserves, a label
/// that is not UTF-8, which the library cannot take); -1 for a NULL `SSL` or a connection
/// whose handshake has not started (OpenSSL: no session yet).
///
/// # Safety
/// `s` is NULL or live; `out` holds `olen` writable bytes; `label` holds `llen` readable
/// bytes; `context` holds `contextlen` readable bytes when `use_context` is not 0.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // OpenSSL's signature
pub unsafe extern "C" fn SSL_export_keying_material(
    s: *mut SSL,
    out: *mut c_uchar,
    olen: usize,
    label: *const c_char,
    llen: usize,
    context: *const c_uchar,
    contextlen: usize,
    use_context: c_int,
) -> c_int {
    with_ssl_quiet(s, -1, |st| {
        if !st.started {
            return -1;
        }
        if (out.is_null() && olen > 0)
            || (label.is_null() && llen > 0)
            || (use_context != 0 && context.is_null() && contextlen > 0)
        {
            null_param();
            return 0;
        }
        let bytes = |p: *const u8, n: usize| -> &[u8] {
            if n == 0 {
                &[]
            } else {
                // SAFETY: p holds n readable bytes (the caller's contract), checked non-NULL.
                unsafe { std::slice::from_raw_parts(p, n) }
            }
        };
        let Ok(label) = std::str::from_utf8(bytes(label.cast(), llen)) else {
            err::push(err::LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
            return 0;
        };
        let ctx = (use_context != 0).then(|| bytes(context, contextlen));
        let dst: &mut [u8] = if olen == 0 {
            &mut []
        } else {
            // SAFETY: out holds olen writable bytes (the caller's contract), checked non-NULL.
            unsafe { std::slice::from_raw_parts_mut(out, olen) }
        };
        match st.ssl.export_keying_material(dst, label, ctx) {
            Ok(()) => 1,
            Err(e) => {
                err::push_stack(&e);
                0
            }
        }
    })
}

/// ERR_R_PASSED_INVALID_ARGUMENT (7 | ERR_RFLAG_COMMON).
const ERR_R_PASSED_INVALID_ARGUMENT: c_int = 7 | (0x2 << 18);
