//! The thread-local error queue (`ERR_*`) with OpenSSL 3's packing.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::ffi::{c_char, c_int, c_ulong, CStr, CString};
use std::sync::Mutex;

use oxssl::reason::Reason;
use oxssl::ssl::{ErrorStack, LIB_SYS};

use crate::guard;

/// `ERR_R_PASSED_NULL_PARAMETER`: a common reason, fatal (ERR_RFLAG_FATAL | ERR_RFLAG_COMMON).
pub(crate) const ERR_R_PASSED_NULL_PARAMETER: c_int = 258 | (0x3 << 18);

/// `ERR_LIB_SSL`.
pub const LIB_SSL: c_int = 20;
/// `ERR_LIB_BIO`.
pub const LIB_BIO: c_int = 32;
/// `ERR_LIB_PEM`.
pub const LIB_PEM: c_int = 9;
/// `ERR_LIB_X509`.
pub const LIB_X509: c_int = 11;
/// `ERR_LIB_ASN1`.
pub const LIB_ASN1: c_int = 13;
const SYSTEM_FLAG: c_ulong = 0x8000_0000;

/// One queued error: the packed code and its detail text (`ERR_get_error_all`'s data).
struct Entry {
    code: c_ulong,
    data: CString,
}

thread_local! {
    static QUEUE: RefCell<VecDeque<Entry>> = const { RefCell::new(VecDeque::new()) };
    /// The data of the entry `ERR_get_error_all` removed last: valid until the next call,
    /// as OpenSSL's.
    static LAST_DATA: RefCell<CString> = RefCell::new(CString::default());
}

/// `ERR_PACK(lib, 0, reason)` as OpenSSL 3 packs it; system errors carry `ERR_SYSTEM_FLAG`.
pub fn pack(lib: c_int, reason: c_int) -> c_ulong {
    if lib == LIB_SYS {
        SYSTEM_FLAG | (reason as c_ulong & 0x7fff_ffff)
    } else {
        ((lib as c_ulong & 0xff) << 23) | (reason as c_ulong & 0x7f_ffff)
    }
}

fn get_lib(e: c_ulong) -> c_int {
    if e & SYSTEM_FLAG != 0 {
        LIB_SYS
    } else {
        ((e >> 23) & 0xff) as c_int
    }
}

fn get_reason(e: c_ulong) -> c_int {
    if e & SYSTEM_FLAG != 0 {
        (e & 0x7fff_ffff) as c_int
    } else {
        (e & 0x7f_ffff) as c_int
    }
}

/// Queues one error.
pub fn push(lib: c_int, reason: c_int) {
    push_data(lib, reason, "");
}

fn push_data(lib: c_int, reason: c_int, data: &str) {
    let e = Entry {
        code: pack(lib, reason),
        data: CString::new(data.replace('\0', "")).unwrap_or_default(),
    };
    QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        // OpenSSL keeps at most 16 entries, dropping the oldest.
        if q.len() == 16 {
            q.pop_front();
        }
        q.push_back(e);
    });
}

/// Queues the entries of a Rust error stack, oldest first, with their detail texts.
pub fn push_stack(s: &ErrorStack) {
    for e in s.errors() {
        push_data(e.library, e.reason.0, &e.detail);
    }
}

/// Empties this thread's queue (`ERR_clear_error`).
pub fn clear() {
    QUEUE.with(|q| q.borrow_mut().clear());
}

/// True if the queue holds an entry; Some(true) if the first one is a system error.
pub fn peek_first_is_sys() -> Option<bool> {
    QUEUE.with(|q| q.borrow().front().map(|e| get_lib(e.code) == LIB_SYS))
}

/// `ERR_get_error`.
#[no_mangle]
pub extern "C" fn ERR_get_error() -> c_ulong {
    guard(0, || {
        QUEUE.with(|q| q.borrow_mut().pop_front().map_or(0, |e| e.code))
    })
}

/// `ERR_peek_error`.
#[no_mangle]
pub extern "C" fn ERR_peek_error() -> c_ulong {
    guard(0, || {
        QUEUE.with(|q| q.borrow().front().map_or(0, |e| e.code))
    })
}

/// `ERR_peek_last_error`.
#[no_mangle]
pub extern "C" fn ERR_peek_last_error() -> c_ulong {
    guard(0, || {
        QUEUE.with(|q| q.borrow().back().map_or(0, |e| e.code))
    })
}

/// `ERR_clear_error`.
#[no_mangle]
pub extern "C" fn ERR_clear_error() {
    guard((), || QUEUE.with(|q| q.borrow_mut().clear()))
}

/// Interned C strings for the `const char *` answers (a bounded set: library names,
/// reason texts and errno texts).
pub(crate) fn intern(s: String) -> *const c_char {
    static STRINGS: Mutex<Option<HashMap<String, &'static CStr>>> = Mutex::new(None);
    let mut g = STRINGS.lock().unwrap_or_else(|p| p.into_inner());
    let map = g.get_or_insert_with(HashMap::new);
    if let Some(c) = map.get(&s) {
        return c.as_ptr();
    }
    let c: &'static CStr = Box::leak(
        CString::new(s.replace('\0', ""))
            .unwrap_or_default()
            .into_boxed_c_str(),
    );
    map.insert(s, c);
    c.as_ptr()
}

/// A `'static` C string for a Rust `'static` text (interned, so bounded by the set of texts).
pub(crate) fn intern_str(s: &'static str) -> *const c_char {
    intern(s.to_string())
}

fn lib_text(e: c_ulong) -> Option<&'static str> {
    match get_lib(e) {
        LIB_SSL => Some("SSL routines"),
        LIB_BIO => Some("BIO routines"),
        LIB_PEM => Some("PEM routines"),
        LIB_X509 => Some("x509 certificate routines"),
        LIB_ASN1 => Some("asn1 encoding routines"),
        60 => Some("DECODER routines"),
        LIB_SYS => Some("system library"),
        _ => None,
    }
}

fn reason_text(e: c_ulong) -> Option<String> {
    let r = get_reason(e);
    match get_lib(e) {
        LIB_SYS => {
            let s = std::io::Error::from_raw_os_error(r).to_string();
            Some(match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            })
        }
        LIB_SSL => {
            let reason = Reason(r);
            reason.name().map(|_| reason.text())
        }
        LIB_BIO => match r {
            124 => Some("broken pipe".into()),
            125 => Some("invalid argument".into()),
            115 => Some("null parameter".into()),
            _ => None,
        },
        LIB_PEM => match r {
            108 => Some("no start line".into()),
            _ => None,
        },
        LIB_X509 => match r {
            116 => Some("key values mismatch".into()),
            _ => None,
        },
        60 => match r {
            268 => Some("unsupported".into()),
            _ => None,
        },
        LIB_ASN1 => match r {
            123 => Some("header too long".into()),
            58 => Some("nested asn1 error".into()),
            _ => None,
        },
        _ => None,
    }
}

/// `ERR_lib_error_string`.
#[no_mangle]
pub extern "C" fn ERR_lib_error_string(e: c_ulong) -> *const c_char {
    guard(std::ptr::null(), || match lib_text(e) {
        Some(s) => intern(s.to_string()),
        None => std::ptr::null(),
    })
}

/// `ERR_reason_error_string`.
#[no_mangle]
pub extern "C" fn ERR_reason_error_string(e: c_ulong) -> *const c_char {
    guard(std::ptr::null(), || {
        // As OpenSSL 3.6: no text for system errors here (ERR_error_string_n has it).
        if get_lib(e) == LIB_SYS {
            return std::ptr::null();
        }
        match reason_text(e) {
            Some(s) => intern(s),
            None => std::ptr::null(),
        }
    })
}

fn error_string(e: c_ulong) -> String {
    let ls = lib_text(e)
        .map(str::to_string)
        .unwrap_or_else(|| format!("lib({})", get_lib(e)));
    let rs = reason_text(e).unwrap_or_else(|| format!("reason({})", get_reason(e)));
    format!("error:{e:08X}:{ls}::{rs}")
}

/// `ERR_error_string_n`: "error:0A00010F:SSL routines::bad length", truncated to `len - 1`.
///
/// # Safety
/// `buf` must point to `len` writable bytes (or be NULL).
#[no_mangle]
pub unsafe extern "C" fn ERR_error_string_n(e: c_ulong, buf: *mut c_char, len: usize) {
    guard((), || {
        if buf.is_null() || len == 0 {
            return;
        }
        let mut s = error_string(e);
        if s.len() >= len - 1 {
            // Didn't fit (or just fit): OpenSSL's minimal format.
            s = format!("err:{e:x}:{:x}:0:{:x}", get_lib(e), get_reason(e));
        }
        let n = s.len().min(len - 1);
        // SAFETY: the caller gives `len` writable bytes at `buf`; we write n + 1 <= len.
        unsafe {
            std::ptr::copy_nonoverlapping(s.as_ptr(), buf.cast::<u8>(), n);
            *buf.add(n) = 0;
        }
    })
}

/// `ERR_error_string`: into `buf` (at least 256 bytes) or a static buffer when NULL.
///
/// # Safety
/// `buf` is NULL or points to at least 256 writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ERR_error_string(e: c_ulong, buf: *mut c_char) -> *mut c_char {
    guard(std::ptr::null_mut(), || {
        if buf.is_null() {
            return intern(error_string(e)).cast_mut();
        }
        // SAFETY: OpenSSL's contract: a non-NULL buf has room for 256 bytes.
        unsafe { ERR_error_string_n(e, buf, 256) };
        buf
    })
}

/// `ERR_TXT_STRING`: the data is a string.
const ERR_TXT_STRING: c_int = 0x02;

/// `ERR_get_error_all`: removes the oldest entry; `file` is "oxssl", `line` 0, `func` "",
/// `data` the entry's detail text (valid until the next call on this thread).
///
/// # Safety
/// Each out-pointer is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ERR_get_error_all(
    file: *mut *const c_char,
    line: *mut c_int,
    func: *mut *const c_char,
    data: *mut *const c_char,
    flags: *mut c_int,
) -> c_ulong {
    guard(0, || {
        let Some(e) = QUEUE.with(|q| q.borrow_mut().pop_front()) else {
            return 0;
        };
        let has_data = !e.data.as_bytes().is_empty();
        let code = e.code;
        let data_ptr = LAST_DATA.with(|d| {
            *d.borrow_mut() = e.data;
            d.borrow().as_ptr()
        });
        // SAFETY: each pointer is NULL or writable (caller's contract); the strings are
        // static, or LAST_DATA's, which lives until the next call on this thread.
        unsafe {
            if !file.is_null() {
                *file = c"oxssl".as_ptr();
            }
            if !line.is_null() {
                *line = 0;
            }
            if !func.is_null() {
                *func = c"".as_ptr();
            }
            if !data.is_null() {
                *data = if has_data { data_ptr } else { c"".as_ptr() };
            }
            if !flags.is_null() {
                *flags = if has_data { ERR_TXT_STRING } else { 0 };
            }
        }
        code
    })
}

/// Empties the queue, handing each entry's line to `emit` (OpenSSL's
/// "<thread>:error:<code>:<lib>::<reason>:<file>:<line>:<data>" form) until it returns
/// false.
fn print_errors(mut emit: impl FnMut(&CStr) -> bool) {
    let tid = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        std::thread::current().id().hash(&mut h);
        h.finish()
    };
    while let Some(entry) = QUEUE.with(|q| q.borrow_mut().pop_front()) {
        let line = format!(
            "{tid:016X}:{}:oxssl:0:{}\n",
            error_string(entry.code),
            entry.data.to_string_lossy()
        );
        if !emit(&CString::new(line).unwrap_or_default()) {
            break;
        }
    }
}

/// `ERR_print_errors_fp`: prints and empties the queue, one line per entry.
///
/// # Safety
/// `fp` must be a valid `FILE *`.
#[no_mangle]
pub unsafe extern "C" fn ERR_print_errors_fp(fp: *mut libc::FILE) {
    guard((), || {
        if fp.is_null() {
            return;
        }
        // SAFETY: fp is a FILE * from the caller; the line is NUL-terminated.
        print_errors(|line| unsafe { libc::fputs(line.as_ptr(), fp) } >= 0);
    })
}

/// `ERR_print_errors_cb`: hands each line (with its length) to `cb` until it returns a
/// value <= 0; the queue is emptied as it goes.
///
/// # Safety
/// `cb` is NULL or a function taking OpenSSL's arguments; `u` is passed to it.
#[no_mangle]
pub unsafe extern "C" fn ERR_print_errors_cb(
    cb: Option<unsafe extern "C" fn(*const c_char, usize, *mut std::ffi::c_void) -> c_int>,
    u: *mut std::ffi::c_void,
) {
    guard((), || {
        let Some(cb) = cb else { return };
        // SAFETY: the application's callback with a NUL-terminated line and its length.
        print_errors(|line| unsafe { cb(line.as_ptr(), line.to_bytes().len(), u) } > 0);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_is_openssl_3s() {
        assert_eq!(pack(LIB_SSL, 271), 0x0A00_010F);
        assert_eq!(pack(LIB_BIO, 124), 0x1000_007C);
        assert_eq!(pack(LIB_SYS, 32), 0x8000_0020);
        assert_eq!(get_lib(0x8000_0020), LIB_SYS);
        assert_eq!(get_reason(0x8000_0020), 32);
        assert_eq!(get_lib(0x0A00_010F), LIB_SSL);
        assert_eq!(get_reason(0x0A00_010F), 271);
    }

    #[test]
    fn queue_is_per_thread_and_ordered() {
        ERR_clear_error();
        push(LIB_SSL, 271);
        push(LIB_BIO, 124);
        std::thread::spawn(|| assert_eq!(ERR_peek_error(), 0))
            .join()
            .unwrap();
        assert_eq!(ERR_peek_error(), pack(LIB_SSL, 271));
        assert_eq!(ERR_peek_last_error(), pack(LIB_BIO, 124));
        assert_eq!(ERR_get_error(), pack(LIB_SSL, 271));
        assert_eq!(ERR_get_error(), pack(LIB_BIO, 124));
        assert_eq!(ERR_get_error(), 0);
    }

    #[test]
    fn strings() {
        let mut buf = [0 as c_char; 128];
        // SAFETY: buf has 128 writable bytes.
        unsafe { ERR_error_string_n(pack(LIB_SSL, 271), buf.as_mut_ptr(), buf.len()) };
        // SAFETY: ERR_error_string_n NUL-terminated buf.
        let s = unsafe { CStr::from_ptr(buf.as_ptr()) };
        assert_eq!(
            s.to_str().unwrap(),
            "error:0A00010F:SSL routines::bad length"
        );
        // SAFETY: buf has 12 writable bytes at least.
        unsafe { ERR_error_string_n(pack(LIB_SSL, 271), buf.as_mut_ptr(), 12) };
        // SAFETY: NUL-terminated above.
        let s = unsafe { CStr::from_ptr(buf.as_ptr()) };
        assert_eq!(s.to_str().unwrap(), "err:a00010f");
    }

    #[test]
    fn panics_do_not_escape() {
        assert_eq!(guard(7, || panic!("boom")), 7);
    }
}
