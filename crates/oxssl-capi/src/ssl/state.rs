//! Handshake state and alert strings: `SSL_state_string`, `SSL_in_init`/`SSL_in_before`,
//! `SSL_renegotiate_abbreviated`, `SSL_alert_type_string(_long)`,
//! `SSL_alert_desc_string(_long)` (what info callbacks print).

use std::ffi::{c_char, c_int};

use super::{fail, with_ssl, SSL};

/// `SSL_state_string`: the six-character state code ("PINIT", "TRCH", "SSLOK", ...).
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_state_string(s: *const SSL) -> *const c_char {
    with_ssl(s, std::ptr::null(), |st| {
        crate::err::intern_str(st.ssl.state_string())
    })
}

/// `SSL_in_init`: 1 while a handshake is under way or has not started.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_in_init(s: *const SSL) -> c_int {
    with_ssl(s, 0, |st| c_int::from(!st.ssl.is_init_finished()))
}

/// `SSL_in_before`: 1 before the first handshake message.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_in_before(s: *const SSL) -> c_int {
    with_ssl(s, 0, |st| {
        c_int::from(
            st.ssl
                .connection()
                .is_none_or(|c| c.handshake_messages() == 0 && !c.is_connected()),
        )
    })
}

/// `SSL_renegotiate_abbreviated`: 1, or 0 with the reason queued.
///
/// # Safety
/// `s` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn SSL_renegotiate_abbreviated(s: *mut SSL) -> c_int {
    with_ssl(s, 0, |st| match st.ssl.renegotiate_abbreviated() {
        Ok(()) => 1,
        Err(e) => {
            fail(&e);
            0
        }
    })
}

fn c_str(s: &'static [u8]) -> *const c_char {
    s.as_ptr().cast()
}

/// `SSL_alert_type_string_long(level << 8 | desc)`: "warning", "fatal" or "unknown".
#[no_mangle]
pub extern "C" fn SSL_alert_type_string_long(value: c_int) -> *const c_char {
    c_str(match value >> 8 {
        1 => b"warning\0",
        2 => b"fatal\0",
        _ => b"unknown\0",
    })
}

/// `SSL_alert_type_string`: "W", "F" or "U".
#[no_mangle]
pub extern "C" fn SSL_alert_type_string(value: c_int) -> *const c_char {
    c_str(match value >> 8 {
        1 => b"W\0",
        2 => b"F\0",
        _ => b"U\0",
    })
}

/// OpenSSL's (short, long) texts of an alert description.
fn alert_texts(desc: c_int) -> (&'static [u8], &'static [u8]) {
    match desc & 0xff {
        0 => (b"CN\0", b"close notify\0"),
        10 => (b"UM\0", b"unexpected message\0"),
        20 => (b"BM\0", b"bad record mac\0"),
        21 => (b"DC\0", b"decryption failed\0"),
        22 => (b"RO\0", b"record overflow\0"),
        30 => (b"DF\0", b"decompression failure\0"),
        40 => (b"HF\0", b"handshake failure\0"),
        41 => (b"NC\0", b"no certificate\0"),
        42 => (b"BC\0", b"bad certificate\0"),
        43 => (b"UC\0", b"unsupported certificate\0"),
        44 => (b"CR\0", b"certificate revoked\0"),
        45 => (b"CE\0", b"certificate expired\0"),
        46 => (b"CU\0", b"certificate unknown\0"),
        47 => (b"IP\0", b"illegal parameter\0"),
        48 => (b"CA\0", b"unknown CA\0"),
        49 => (b"AD\0", b"access denied\0"),
        50 => (b"DE\0", b"decode error\0"),
        51 => (b"CY\0", b"decrypt error\0"),
        60 => (b"ER\0", b"export restriction\0"),
        70 => (b"PV\0", b"protocol version\0"),
        71 => (b"IS\0", b"insufficient security\0"),
        80 => (b"IE\0", b"internal error\0"),
        90 => (b"US\0", b"user canceled\0"),
        100 => (b"NR\0", b"no renegotiation\0"),
        110 => (b"UE\0", b"unsupported extension\0"),
        111 => (b"CO\0", b"certificate unobtainable\0"),
        112 => (b"UN\0", b"unrecognized name\0"),
        113 => (b"BR\0", b"bad certificate status response\0"),
        114 => (b"BH\0", b"bad certificate hash value\0"),
        115 => (b"UP\0", b"unknown PSK identity\0"),
        120 => (b"UK\0", b"no application protocol\0"),
        _ => (b"UK\0", b"unknown\0"),
    }
}

/// `SSL_alert_desc_string`: the two-letter code ("HF", "UN", ...; "UK" when unknown).
#[no_mangle]
pub extern "C" fn SSL_alert_desc_string(value: c_int) -> *const c_char {
    c_str(alert_texts(value).0)
}

/// `SSL_alert_desc_string_long`: the alert's name ("handshake failure", ...).
#[no_mangle]
pub extern "C" fn SSL_alert_desc_string_long(value: c_int) -> *const c_char {
    c_str(alert_texts(value).1)
}
