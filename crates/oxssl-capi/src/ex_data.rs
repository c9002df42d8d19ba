//! Application data on objects (`CRYPTO_get_ex_new_index`, `SSL_set_ex_data`,
//! `SSL_CTX_get_ex_data`, ...): per-class indexes with their new/free callbacks, and a
//! table of pointers per object (`CRYPTO_EX_DATA`).

use std::collections::HashMap;
use std::ffi::{c_int, c_long, c_void};
use std::sync::Mutex;

use crate::guard;

/// `CRYPTO_EX_INDEX_SSL`.
pub(crate) const CLASS_SSL: c_int = 0;
/// `CRYPTO_EX_INDEX_SSL_CTX`.
pub(crate) const CLASS_SSL_CTX: c_int = 1;
/// `CRYPTO_EX_INDEX_X509_STORE_CTX`.
pub(crate) const CLASS_X509_STORE_CTX: c_int = 5;
const CLASS_COUNT: c_int = 18;

type NewFn =
    unsafe extern "C" fn(*mut c_void, *mut c_void, *mut CRYPTO_EX_DATA, c_int, c_long, *mut c_void);
type FreeFn = NewFn;
type DupFn = unsafe extern "C" fn(
    *mut CRYPTO_EX_DATA,
    *const CRYPTO_EX_DATA,
    *mut *mut c_void,
    c_int,
    c_long,
    *mut c_void,
) -> c_int;

/// One registered index: its argument and callbacks (pointers kept as plain values).
#[derive(Clone, Copy)]
struct Index {
    argl: c_long,
    argp: usize,
    new: Option<NewFn>,
    free: Option<FreeFn>,
}

/// The indexes of each class; index 0 is reserved (the `*_set_app_data` macros use it).
static INDEXES: Mutex<Vec<Vec<Option<Index>>>> = Mutex::new(Vec::new());

fn indexes<T>(f: impl FnOnce(&mut Vec<Vec<Option<Index>>>) -> T) -> T {
    let mut g = INDEXES.lock().unwrap_or_else(|p| p.into_inner());
    if g.is_empty() {
        *g = (0..CLASS_COUNT).map(|_| vec![None]).collect();
    }
    f(&mut g)
}

/// `CRYPTO_EX_DATA`: an object's application pointers by index.
#[allow(non_camel_case_types)]
#[derive(Default)]
pub struct CRYPTO_EX_DATA {
    slots: Mutex<HashMap<c_int, usize>>,
}

impl CRYPTO_EX_DATA {
    pub(crate) fn set(&self, idx: c_int, v: *mut c_void) -> c_int {
        if idx < 0 {
            return 0;
        }
        self.slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(idx, v as usize);
        1
    }

    pub(crate) fn get(&self, idx: c_int) -> *mut c_void {
        let g = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        g.get(&idx)
            .map_or(std::ptr::null_mut(), |v| *v as *mut c_void)
    }

    /// Calls the class's new callbacks for a fresh object.
    pub(crate) fn created(&self, class: c_int, parent: *mut c_void) {
        self.each(class, parent, |i| i.new);
    }

    /// Calls the class's free callbacks for an object going away.
    pub(crate) fn freed(&self, class: c_int, parent: *mut c_void) {
        self.each(class, parent, |i| i.free);
    }

    fn each(&self, class: c_int, parent: *mut c_void, which: impl Fn(&Index) -> Option<NewFn>) {
        let list: Vec<(c_int, Index)> = indexes(|all| {
            all.get(class as usize).map_or(Vec::new(), |v| {
                v.iter()
                    .enumerate()
                    .filter_map(|(n, i)| i.map(|i| (n as c_int, i)))
                    .collect()
            })
        });
        for (idx, i) in list {
            if let Some(f) = which(&i) {
                let ptr = self.get(idx);
                let ad = std::ptr::from_ref(self).cast_mut();
                // SAFETY: the application's callback, called with OpenSSL's arguments;
                // no lock of ours is held, so it may call back into the library.
                unsafe { f(parent, ptr, ad, idx, i.argl, i.argp as *mut c_void) };
            }
        }
    }
}

/// `CRYPTO_get_ex_new_index`: a new index of `class_index`, or -1.
#[no_mangle]
pub extern "C" fn CRYPTO_get_ex_new_index(
    class_index: c_int,
    argl: c_long,
    argp: *mut c_void,
    new_func: Option<NewFn>,
    _dup_func: Option<DupFn>,
    free_func: Option<FreeFn>,
) -> c_int {
    guard(-1, || {
        if !(0..CLASS_COUNT).contains(&class_index) {
            crate::err::push(15, 7 | (0x2 << 18)); // CRYPTO, ERR_R_PASSED_INVALID_ARGUMENT
            return -1;
        }
        indexes(|all| {
            let v = &mut all[class_index as usize];
            v.push(Some(Index {
                argl,
                argp: argp as usize,
                new: new_func,
                free: free_func,
            }));
            (v.len() - 1) as c_int
        })
    })
}

/// `CRYPTO_free_ex_index`: the index's callbacks are no longer called.
#[no_mangle]
pub extern "C" fn CRYPTO_free_ex_index(class_index: c_int, idx: c_int) -> c_int {
    guard(0, || {
        indexes(|all| {
            let slot = usize::try_from(class_index)
                .ok()
                .and_then(|c| all.get_mut(c))
                .and_then(|v| usize::try_from(idx).ok().and_then(|i| v.get_mut(i)));
            match slot {
                Some(s @ Some(_)) => {
                    *s = None;
                    1
                }
                _ => 0,
            }
        })
    })
}

/// `CRYPTO_set_ex_data`.
///
/// # Safety
/// `ad` is NULL or an object's `CRYPTO_EX_DATA` (as given to the callbacks).
#[no_mangle]
pub unsafe extern "C" fn CRYPTO_set_ex_data(
    ad: *mut CRYPTO_EX_DATA,
    idx: c_int,
    val: *mut c_void,
) -> c_int {
    // SAFETY: the caller's contract.
    guard(0, || unsafe { ad.as_ref() }.map_or(0, |d| d.set(idx, val)))
}

/// `CRYPTO_get_ex_data`.
///
/// # Safety
/// As [`CRYPTO_set_ex_data`].
#[no_mangle]
pub unsafe extern "C" fn CRYPTO_get_ex_data(ad: *const CRYPTO_EX_DATA, idx: c_int) -> *mut c_void {
    // SAFETY: the caller's contract.
    guard(std::ptr::null_mut(), || {
        unsafe { ad.as_ref() }.map_or(std::ptr::null_mut(), |d| d.get(idx))
    })
}
