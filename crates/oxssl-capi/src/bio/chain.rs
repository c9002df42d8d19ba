//! BIO chains: `BIO_push`, `BIO_pop`, `BIO_next`, `BIO_free_all`, and `NextOf`, the
//! transport a filter (buffer, SSL, accept) reads and writes through.
//!
//! A link holds the reference the caller gave to `BIO_push`, as OpenSSL's do: `BIO_pop`
//! hands it back, `BIO_free_all` releases it.

use std::ffi::{c_int, c_long};
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Arc;

use oxssl::bio::{Bio, BioError, RetryFlags};

use super::{BIO_ctrl, BIO};
use crate::guard;

const BIO_CTRL_PUSH: c_int = 6;
const BIO_CTRL_POP: c_int = 7;
const BIO_C_GET_BUFF_NUM_LINES: c_int = 116;
const BIO_C_SET_BUFF_SIZE: c_int = 117;

/// The next BIO of a filter's chain, looked up at each operation (the chain may change).
pub(crate) struct NextOf(pub(super) Arc<AtomicPtr<BIO>>);

impl NextOf {
    fn with<T>(&self, none: T, f: impl FnOnce(&BIO) -> T) -> T {
        let p = self.0.load(Ordering::Acquire);
        // SAFETY: the chain holds a reference of the next BIO while it is linked.
        match unsafe { p.as_ref() } {
            Some(b) => f(b),
            None => none,
        }
    }

    /// The next BIO, as a pointer for the C-level calls.
    pub(crate) fn ptr(&self) -> *mut BIO {
        self.0.load(Ordering::Acquire)
    }
}

impl Bio for NextOf {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, BioError> {
        self.with(Ok(0), |b| b.lock().read(buf))
    }
    fn write(&mut self, buf: &[u8]) -> Result<usize, BioError> {
        self.with(Ok(0), |b| b.lock().kind.bio().write(buf))
    }
    fn flush(&mut self) -> Result<(), BioError> {
        self.with(Ok(()), |b| b.lock().kind.bio().flush())
    }
    fn retry_flags(&self) -> RetryFlags {
        self.with(RetryFlags::NONE, |b| b.lock().kind.bio_ref().retry_flags())
    }
    fn pending(&self) -> usize {
        self.with(0, |b| b.lock().kind.bio_ref().pending())
    }
    fn wpending(&self) -> usize {
        self.with(0, |b| b.lock().kind.bio_ref().wpending())
    }
}

/// The buffering filter's own controls (sizes are fixed: accepted and ignored).
pub(super) fn buffer_ctrl(cmd: c_int) -> Option<c_long> {
    match cmd {
        BIO_C_SET_BUFF_SIZE => Some(1),
        BIO_C_GET_BUFF_NUM_LINES => Some(0),
        _ => None,
    }
}

/// `BIO_next`.
///
/// # Safety
/// `b` is NULL or a live `BIO *`.
#[no_mangle]
pub unsafe extern "C" fn BIO_next(b: *mut BIO) -> *mut BIO {
    // SAFETY: the caller's contract.
    guard(std::ptr::null_mut(), || {
        unsafe { b.as_ref() }.map_or(std::ptr::null_mut(), BIO::next_ptr)
    })
}

/// `BIO_push`: appends `append` (and its chain) at the end of `b`'s chain, taking the
/// caller's reference of it; returns `b`.
///
/// # Safety
/// `b` is NULL or live; `append` is NULL or a reference the caller hands over.
#[no_mangle]
pub unsafe extern "C" fn BIO_push(b: *mut BIO, append: *mut BIO) -> *mut BIO {
    guard(std::ptr::null_mut(), || {
        if b.is_null() {
            return append;
        }
        let mut last = b;
        // SAFETY: every BIO of a chain is live while linked (the links hold references).
        unsafe {
            while !(*last).next_ptr().is_null() {
                last = (*last).next_ptr();
            }
            (*last).next.store(append, Ordering::Release);
            if let Some(a) = append.as_ref() {
                a.prev.store(last, Ordering::Release);
            }
            // Tell the top BIO its chain changed (an SSL BIO adopts its new transport).
            BIO_ctrl(b, BIO_CTRL_PUSH, 0, last.cast());
        }
        b
    })
}

/// `BIO_pop`: takes `b` out of its chain and returns the BIO that followed it (whose
/// reference, held by the link, goes to the caller).
///
/// # Safety
/// `b` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn BIO_pop(b: *mut BIO) -> *mut BIO {
    guard(std::ptr::null_mut(), || {
        // SAFETY: the caller's contract; prev and next are live while linked.
        let Some(bio) = (unsafe { b.as_ref() }) else {
            return std::ptr::null_mut();
        };
        let next = bio.next_ptr();
        // SAFETY: b is live.
        unsafe { BIO_ctrl(b, BIO_CTRL_POP, 0, b.cast()) };
        let prev = bio.prev.load(Ordering::Acquire);
        // SAFETY: prev and next are live while linked.
        unsafe {
            if let Some(p) = prev.as_ref() {
                p.next.store(next, Ordering::Release);
            }
            if let Some(n) = next.as_ref() {
                n.prev.store(prev, Ordering::Release);
            }
        }
        bio.next.store(std::ptr::null_mut(), Ordering::Release);
        bio.prev.store(std::ptr::null_mut(), Ordering::Release);
        next
    })
}

/// `BIO_free_all`: frees `b` and the BIOs after it, stopping at one that is still
/// referenced elsewhere (as OpenSSL).
///
/// # Safety
/// `b` is NULL or a reference the caller owns; the chain's links hold theirs.
#[no_mangle]
pub unsafe extern "C" fn BIO_free_all(b: *mut BIO) {
    guard((), || {
        let mut cur = b;
        while !cur.is_null() {
            // SAFETY: cur is live: the caller's reference or the link's.
            let (next, shared) = unsafe {
                let a = std::mem::ManuallyDrop::new(Arc::from_raw(cur.cast_const()));
                ((*cur).next_ptr(), Arc::strong_count(&a) > 1)
            };
            if !shared {
                // The last reference: unlink before freeing, the link's reference of
                // next is now ours to release.
                // SAFETY: cur is live until the free below.
                unsafe { (*cur).next.store(std::ptr::null_mut(), Ordering::Release) };
            }
            // SAFETY: one reference of cur is given up (the caller's or the link's).
            unsafe { super::BIO_free(cur) };
            if shared {
                break;
            }
            cur = next;
        }
    })
}
