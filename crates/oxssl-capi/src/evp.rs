//! `EVP_PKEY`: a private key as the certificate calls take it (`SSL_CTX_use_PrivateKey`),
//! a shared handle around its DER (PKCS#8, PKCS#1 or SEC1).

use std::ffi::c_int;
use std::sync::Arc;

use oxssl::config::{KeyType, SigningKey};

use crate::guard;
use crate::handle::{self, borrow};

const EVP_PKEY_RSA: c_int = 6;
const EVP_PKEY_EC: c_int = 408;
const EVP_PKEY_ED25519: c_int = 1087;

/// `EVP_PKEY`.
#[allow(non_camel_case_types)]
pub struct EVP_PKEY {
    der: Vec<u8>,
    kind: KeyType,
}

impl EVP_PKEY {
    /// A key from its DER, if oxssl can sign with it.
    pub(crate) fn from_der(der: Vec<u8>) -> Option<Arc<EVP_PKEY>> {
        let kind = SigningKey::from_der(&der).ok()?.key_type();
        Some(Arc::new(EVP_PKEY { der, kind }))
    }

    pub(crate) fn der(&self) -> &[u8] {
        &self.der
    }
}

/// `EVP_PKEY_free`.
///
/// # Safety
/// `k` is NULL or a reference the caller owns.
#[no_mangle]
pub unsafe extern "C" fn EVP_PKEY_free(k: *mut EVP_PKEY) {
    // SAFETY: forwarded contract.
    unsafe { handle::release(k) }
}

/// `EVP_PKEY_up_ref`.
///
/// # Safety
/// `k` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn EVP_PKEY_up_ref(k: *mut EVP_PKEY) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { handle::up_ref(k) }
}

fn key_info(k: *const EVP_PKEY, f: impl FnOnce(KeyType) -> c_int) -> c_int {
    // SAFETY: a non-NULL EVP_PKEY * is live while the caller uses it.
    guard(0, || unsafe { borrow(k) }.map_or(0, |k| f(k.kind)))
}

/// `EVP_PKEY_get_id` (`EVP_PKEY_id`): EVP_PKEY_RSA, EVP_PKEY_EC or EVP_PKEY_ED25519.
///
/// # Safety
/// `k` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn EVP_PKEY_get_id(k: *const EVP_PKEY) -> c_int {
    key_info(k, |t| match t {
        KeyType::Rsa { .. } => EVP_PKEY_RSA,
        KeyType::EcP256 | KeyType::EcP384 => EVP_PKEY_EC,
        KeyType::Ed25519 => EVP_PKEY_ED25519,
    })
}

/// `EVP_PKEY_get_base_id` (`EVP_PKEY_base_id`): the same as the id for these key types.
///
/// # Safety
/// `k` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn EVP_PKEY_get_base_id(k: *const EVP_PKEY) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { EVP_PKEY_get_id(k) }
}

/// `EVP_PKEY_get_bits` (`EVP_PKEY_bits`).
///
/// # Safety
/// `k` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn EVP_PKEY_get_bits(k: *const EVP_PKEY) -> c_int {
    key_info(k, |t| match t {
        KeyType::Rsa { bits } => bits as c_int,
        KeyType::EcP256 => 256,
        KeyType::EcP384 => 384,
        KeyType::Ed25519 => 253,
    })
}

/// `d2i_AutoPrivateKey`: a private key (PKCS#8, PKCS#1 RSA or SEC1 EC DER) from `*pp`;
/// `*pp` moves past it.
///
/// # Safety
/// As `d2i_X509`.
#[no_mangle]
pub unsafe extern "C" fn d2i_AutoPrivateKey(
    a: *mut *mut EVP_PKEY,
    pp: *mut *const std::ffi::c_uchar,
    length: std::ffi::c_long,
) -> *mut EVP_PKEY {
    // SAFETY: forwarded contract.
    unsafe { crate::x509::d2i_object(a, pp, length, |d| EVP_PKEY::from_der(d).ok_or(false)) }
}

/// `d2i_PrivateKey`: as `d2i_AutoPrivateKey` (the key's own type decides; `type` is not
/// checked).
///
/// # Safety
/// As `d2i_X509`.
#[no_mangle]
pub unsafe extern "C" fn d2i_PrivateKey(
    _type: std::ffi::c_int,
    a: *mut *mut EVP_PKEY,
    pp: *mut *const std::ffi::c_uchar,
    length: std::ffi::c_long,
) -> *mut EVP_PKEY {
    // SAFETY: forwarded contract.
    unsafe { d2i_AutoPrivateKey(a, pp, length) }
}

/// `i2d_PrivateKey`: the key's DER in the form it was loaded in (see `i2d_X509` for `pp`).
///
/// # Safety
/// `k` is NULL or live; `pp` as for `i2d_X509`.
#[no_mangle]
pub unsafe extern "C" fn i2d_PrivateKey(
    k: *const EVP_PKEY,
    pp: *mut *mut std::ffi::c_uchar,
) -> std::ffi::c_int {
    crate::guard(-1, || {
        // SAFETY: k is NULL or live (contract).
        let Some(k) = (unsafe { k.as_ref() }) else {
            return -1;
        };
        // SAFETY: pp per the contract.
        unsafe { crate::x509::i2d_out(k.der(), pp) }.unwrap_or(-1)
    })
}
