//! BIOs as shared, reference-counted handles (`BIO *` is an `Arc<BIO>` turned into a raw
//! pointer): one BIO can be an SSL's read and write side, be returned by `SSL_get_rbio`,
//! stay with the caller after `SSL_set_bio`, and is freed when the last holder lets go.

use std::ffi::{c_int, c_long, c_void};
use std::fs::File;
use std::io::{Read, Write};
use std::mem::ManuallyDrop;
use std::os::fd::{FromRawFd, RawFd};
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use oxssl::bio::{Bio, BioError, BioPair, BufferBio, MemBio, PairBio, RetryFlags, StreamBio};

use crate::err::{self, LIB_BIO};
use crate::guard;

pub mod addr;
pub mod chain;
pub use addr::{BIO_ADDR, BIO_ADDRINFO};
pub mod sock;
pub mod ssl_filter;
pub mod text;

pub(crate) use chain::NextOf;
use sock::{Accept, Connect};
use ssl_filter::SslFilter;

const BIO_R_BROKEN_PIPE: c_int = 124;
const BIO_R_INVALID_ARGUMENT: c_int = 125;
const BIO_R_NULL_PARAMETER: c_int = 115;
const BIO_R_WRITE_TO_READ_ONLY_BIO: c_int = 126;

const BIO_CTRL_EOF: c_int = 2;
const BIO_CTRL_GET_CLOSE: c_int = 8;
const BIO_CTRL_SET_CLOSE: c_int = 9;
const BIO_CTRL_PENDING: c_int = 10;
const BIO_CTRL_FLUSH: c_int = 11;
const BIO_CTRL_WPENDING: c_int = 13;
const BIO_C_SET_NBIO: c_int = 102;
const BIO_C_SET_FD: c_int = 104;
const BIO_C_GET_FD: c_int = 105;
const BIO_C_SET_BUF_MEM_EOF_RETURN: c_int = 130;
const BIO_C_GET_WRITE_GUARANTEE: c_int = 140;
const BIO_C_GET_READ_REQUEST: c_int = 141;
const BIO_C_SHUTDOWN_WR: c_int = 142;

const BIO_FLAGS_READ: c_int = 0x01;
const BIO_FLAGS_WRITE: c_int = 0x02;
const BIO_FLAGS_IO_SPECIAL: c_int = 0x04;
const BIO_FLAGS_SHOULD_RETRY: c_int = 0x08;

/// A file descriptor used through `read(2)`/`write(2)`, closed on drop only if owned.
pub(crate) struct Fd {
    pub(crate) fd: RawFd,
}

impl Fd {
    fn with<T>(&self, f: impl FnOnce(&mut File) -> T) -> T {
        // SAFETY: the fd is the caller's open descriptor (BIO_new_socket / SSL_set_fd); the
        // File is wrapped in ManuallyDrop so it is never closed here.
        let mut file = ManuallyDrop::new(unsafe { File::from_raw_fd(self.fd) });
        f(&mut file)
    }
}

impl Read for Fd {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.with(|f| f.read(buf))
    }
}

impl Write for Fd {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.with(|f| f.write(buf))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub(crate) enum Kind {
    Mem(MemBio),
    Pair(PairBio),
    Fd(StreamBio<Fd>),
    /// `BIO_f_buffer` over the next BIO of the chain.
    Buffer(BufferBio<NextOf>),
    /// `BIO_f_ssl`.
    Ssl(SslFilter),
    /// `BIO_s_connect`.
    Connect(Connect),
    /// `BIO_s_accept`.
    Accept(Accept),
}

impl Kind {
    fn bio(&mut self) -> &mut dyn Bio {
        match self {
            Kind::Mem(b) => b,
            Kind::Pair(b) => b,
            Kind::Fd(b) => b,
            Kind::Buffer(b) => b,
            Kind::Ssl(b) => b,
            Kind::Connect(b) => b,
            Kind::Accept(b) => b,
        }
    }
    fn bio_ref(&self) -> &dyn Bio {
        match self {
            Kind::Mem(b) => b,
            Kind::Pair(b) => b,
            Kind::Fd(b) => b,
            Kind::Buffer(b) => b,
            Kind::Ssl(b) => b,
            Kind::Connect(b) => b,
            Kind::Accept(b) => b,
        }
    }

    /// Filters pass the controls they do not know to the next BIO.
    fn is_filter(&self) -> bool {
        matches!(self, Kind::Buffer(_) | Kind::Ssl(_) | Kind::Accept(_))
    }
}

pub(crate) struct State {
    pub(crate) kind: Kind,
    close: bool,
    /// A socket/fd read returned end of file (OpenSSL's BIO_FLAGS_IN_EOF).
    in_eof: bool,
    /// For a pair half: the other half's handle (not owned, as OpenSSL's `peer`).
    peer: Option<Weak<BIO>>,
    /// `BIO_new_mem_buf`: writes are refused (BIO_FLAGS_MEM_RDONLY).
    read_only: bool,
}

impl State {
    /// Reads, noting end of file for socket and fd BIOs.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, BioError> {
        let r = self.kind.bio().read(buf);
        if matches!(self.kind, Kind::Fd(_)) && !buf.is_empty() && matches!(r, Ok(0)) {
            self.in_eof = true;
        }
        r
    }
}

/// `BIO`.
#[allow(clippy::upper_case_acronyms)]
pub struct BIO {
    state: Mutex<State>,
    /// The next BIO of the chain (`BIO_push`): the reference the caller handed over, which
    /// `BIO_free_all` gives back; shared with a filter's [`NextOf`].
    next: Arc<AtomicPtr<BIO>>,
    /// The previous BIO of the chain (no reference).
    prev: AtomicPtr<BIO>,
}

impl BIO {
    fn new(kind: Kind, close: bool) -> *mut BIO {
        Arc::into_raw(Self::new_arc(kind, close)).cast_mut()
    }

    fn new_arc(kind: Kind, close: bool) -> Arc<BIO> {
        Self::new_with(|_| kind, close)
    }

    /// A BIO whose kind may read and write through the next BIO of its chain.
    fn new_with(kind: impl FnOnce(NextOf) -> Kind, close: bool) -> Arc<BIO> {
        let next = Arc::new(AtomicPtr::new(std::ptr::null_mut()));
        Arc::new(BIO {
            state: Mutex::new(State {
                kind: kind(NextOf(next.clone())),
                close,
                in_eof: false,
                peer: None,
                read_only: false,
            }),
            next,
            prev: AtomicPtr::new(std::ptr::null_mut()),
        })
    }

    pub(crate) fn next_ptr(&self) -> *mut BIO {
        self.next.load(Ordering::Acquire)
    }

    /// `BIO_CTRL_EOF` of a pair half: nothing buffered and the other half shut down for
    /// writing (or freed). Locks one half at a time.
    fn pair_eof(&self) -> Option<bool> {
        let (pending, peer) = {
            let st = self.lock();
            match &st.kind {
                Kind::Pair(p) => (p.pending(), st.peer.clone()),
                _ => return None,
            }
        };
        Some(match peer.and_then(|w| w.upgrade()) {
            // An empty incoming buffer whose writer has no room left is a closed one.
            Some(other) => match &other.lock().kind {
                Kind::Pair(o) => pending == 0 && o.write_guarantee() == 0,
                _ => false,
            },
            None => pending == 0,
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn fd(&self) -> Option<RawFd> {
        match &self.lock().kind {
            Kind::Fd(s) => Some(s.get_ref().fd),
            _ => None,
        }
    }
}

impl Drop for BIO {
    fn drop(&mut self) {
        let st = self.state.get_mut().unwrap_or_else(|p| p.into_inner());
        match (&st.kind, st.close) {
            (Kind::Fd(s), true) => {
                // SAFETY: BIO_CLOSE hands the descriptor to the BIO; this is its last user.
                drop(unsafe { File::from_raw_fd(s.get_ref().fd) });
            }
            (Kind::Ssl(f), true) => f.free_ssl(),
            _ => {}
        }
    }
}

/// Takes one reference from the caller: the `Arc` behind a `BIO *`.
///
/// # Safety
/// `b` is a non-NULL `BIO *` from this library whose reference the caller gives away.
pub(crate) unsafe fn adopt(b: *mut BIO) -> Arc<BIO> {
    // SAFETY: per the contract, b came from Arc::into_raw and one count is ours now.
    unsafe { Arc::from_raw(b.cast_const()) }
}

/// The handle an `Ssl` holds: the shared BIO, or nothing (every operation fails with
/// no retry flag, as OpenSSL's NULL BIO gives SSL_ERROR_SYSCALL).
pub(crate) struct SharedBio(pub(crate) Option<Arc<BIO>>);

impl Bio for SharedBio {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, BioError> {
        match &self.0 {
            Some(b) => b.lock().read(buf),
            None => Err(BioError::Retry),
        }
    }
    fn write(&mut self, buf: &[u8]) -> Result<usize, BioError> {
        match &self.0 {
            Some(b) => b.lock().kind.bio().write(buf),
            None => Err(BioError::Retry),
        }
    }
    fn flush(&mut self) -> Result<(), BioError> {
        match &self.0 {
            Some(b) => b.lock().kind.bio().flush(),
            None => Ok(()),
        }
    }
    fn retry_flags(&self) -> RetryFlags {
        match &self.0 {
            Some(b) => b.lock().kind.bio_ref().retry_flags(),
            None => RetryFlags::NONE,
        }
    }
    fn pending(&self) -> usize {
        self.0
            .as_ref()
            .map_or(0, |b| b.lock().kind.bio_ref().pending())
    }
    fn wpending(&self) -> usize {
        self.0
            .as_ref()
            .map_or(0, |b| b.lock().kind.bio_ref().wpending())
    }
}

/// `BIO_METHOD`.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct BIO_METHOD {
    typ: c_int,
}

static MEM_METHOD: BIO_METHOD = BIO_METHOD { typ: 1 | 0x0400 };
/// `BIO_TYPE_SOCKET`: 5 | source/sink | descriptor.
static SOCKET_METHOD: BIO_METHOD = BIO_METHOD {
    typ: 5 | 0x0400 | 0x0100,
};
static BUFFER_METHOD: BIO_METHOD = BIO_METHOD { typ: 9 | 0x0200 };
static SSL_METHOD: BIO_METHOD = BIO_METHOD { typ: 7 | 0x0200 };
static CONNECT_METHOD: BIO_METHOD = BIO_METHOD {
    typ: 12 | 0x0400 | 0x0100,
};
static ACCEPT_METHOD: BIO_METHOD = BIO_METHOD {
    typ: 13 | 0x0400 | 0x0100,
};

/// `BIO_f_buffer`.
#[no_mangle]
pub extern "C" fn BIO_f_buffer() -> *const BIO_METHOD {
    &BUFFER_METHOD
}

/// `BIO_f_ssl`.
#[no_mangle]
pub extern "C" fn BIO_f_ssl() -> *const BIO_METHOD {
    &SSL_METHOD
}

/// `BIO_s_connect`.
#[no_mangle]
pub extern "C" fn BIO_s_connect() -> *const BIO_METHOD {
    &CONNECT_METHOD
}

/// `BIO_s_accept`.
#[no_mangle]
pub extern "C" fn BIO_s_accept() -> *const BIO_METHOD {
    &ACCEPT_METHOD
}

/// `BIO_s_mem`.
#[no_mangle]
pub extern "C" fn BIO_s_mem() -> *const BIO_METHOD {
    &MEM_METHOD
}

/// `BIO_s_socket`: a socket BIO without a descriptor until `BIO_set_fd`.
#[no_mangle]
pub extern "C" fn BIO_s_socket() -> *const BIO_METHOD {
    &SOCKET_METHOD
}

/// `BIO_new_mem_buf`: a read-only memory BIO over a copy of `len` bytes of `buf` (a
/// negative `len`: up to the NUL); at the end a read returns 0 (no retry) and writes fail
/// with BIO_R_WRITE_TO_READ_ONLY_BIO.
///
/// # Safety
/// `buf` is NULL or holds `len` readable bytes (or a NUL-terminated string if `len` < 0).
#[no_mangle]
pub unsafe extern "C" fn BIO_new_mem_buf(buf: *const c_void, len: c_int) -> *mut BIO {
    guard(std::ptr::null_mut(), || {
        if buf.is_null() {
            err::push(LIB_BIO, err::ERR_R_PASSED_NULL_PARAMETER);
            return std::ptr::null_mut();
        }
        let data: &[u8] = match usize::try_from(len) {
            // SAFETY: buf holds len readable bytes (contract).
            Ok(n) => unsafe { std::slice::from_raw_parts(buf.cast::<u8>(), n) },
            // SAFETY: a negative length means a NUL-terminated string (contract).
            Err(_) => unsafe { std::ffi::CStr::from_ptr(buf.cast()) }.to_bytes(),
        };
        let mut mem = MemBio::new();
        if mem.write(data).is_err() {
            return std::ptr::null_mut();
        }
        mem.set_eof_return(0);
        let bio = BIO::new_arc(Kind::Mem(mem), true);
        bio.lock().read_only = true;
        Arc::into_raw(bio).cast_mut()
    })
}

/// `BIO_new`: memory, buffering, SSL, connect and accept BIOs.
#[no_mangle]
pub extern "C" fn BIO_new(method: *const BIO_METHOD) -> *mut BIO {
    guard(std::ptr::null_mut(), || {
        if method.is_null() {
            err::push(LIB_BIO, BIO_R_NULL_PARAMETER);
            return std::ptr::null_mut();
        }
        let kind: fn(NextOf) -> Kind = if std::ptr::eq(method, &MEM_METHOD) {
            |_| Kind::Mem(MemBio::new())
        } else if std::ptr::eq(method, &SOCKET_METHOD) {
            |_| Kind::Fd(StreamBio::new(Fd { fd: -1 }))
        } else if std::ptr::eq(method, &BUFFER_METHOD) {
            |n| Kind::Buffer(BufferBio::new(n, 0))
        } else if std::ptr::eq(method, &SSL_METHOD) {
            |_| Kind::Ssl(SslFilter::default())
        } else if std::ptr::eq(method, &CONNECT_METHOD) {
            |_| Kind::Connect(Connect::default())
        } else if std::ptr::eq(method, &ACCEPT_METHOD) {
            |n| Kind::Accept(Accept::new(n))
        } else {
            err::push(LIB_BIO, BIO_R_INVALID_ARGUMENT);
            return std::ptr::null_mut();
        };
        Arc::into_raw(BIO::new_with(kind, true)).cast_mut()
    })
}

/// `BIO_new_socket`: a socket BIO on `sock`, closed on free only with BIO_CLOSE.
#[no_mangle]
pub extern "C" fn BIO_new_socket(sock: c_int, close_flag: c_int) -> *mut BIO {
    guard(std::ptr::null_mut(), || new_fd_bio(sock, close_flag))
}

/// `BIO_new_fd`.
#[no_mangle]
pub extern "C" fn BIO_new_fd(fd: c_int, close_flag: c_int) -> *mut BIO {
    guard(std::ptr::null_mut(), || new_fd_bio(fd, close_flag))
}

pub(crate) fn new_fd_bio(fd: c_int, close_flag: c_int) -> *mut BIO {
    BIO::new(Kind::Fd(StreamBio::new(Fd { fd })), close_flag & 1 != 0)
}

/// `BIO_up_ref`.
///
/// # Safety
/// `b` is NULL or a live `BIO *`.
#[no_mangle]
pub unsafe extern "C" fn BIO_up_ref(b: *mut BIO) -> c_int {
    guard(0, || {
        if b.is_null() {
            return 0;
        }
        // SAFETY: b is a live BIO from Arc::into_raw.
        unsafe { Arc::increment_strong_count(b.cast_const()) };
        1
    })
}

/// `BIO_free`: drops one reference.
///
/// # Safety
/// `b` is NULL or a `BIO *` whose reference the caller owns.
#[no_mangle]
pub unsafe extern "C" fn BIO_free(b: *mut BIO) -> c_int {
    guard(0, || {
        if b.is_null() {
            return 0;
        }
        // SAFETY: the caller gives up one reference of a BIO from Arc::into_raw.
        drop(unsafe { adopt(b) });
        1
    })
}

/// `BIO_read`.
///
/// # Safety
/// `b` is NULL or a live `BIO *`; `data` holds `dlen` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn BIO_read(b: *mut BIO, data: *mut c_void, dlen: c_int) -> c_int {
    guard(-1, || {
        let len = match checked_len(b, data.is_null(), dlen) {
            Ok(len) => len,
            Err(ret) => return ret,
        };
        let buf: &mut [u8] = if len == 0 {
            &mut []
        } else {
            // SAFETY: data holds dlen writable bytes (caller's contract), checked non-NULL.
            unsafe { std::slice::from_raw_parts_mut(data.cast::<u8>(), len) }
        };
        // SAFETY: b is live (caller's contract).
        let bio = unsafe { &*b };
        let r = bio.lock().read(buf);
        io_result(r)
    })
}

/// `BIO_write`.
///
/// # Safety
/// `b` is NULL or a live `BIO *`; `data` holds `dlen` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn BIO_write(b: *mut BIO, data: *const c_void, dlen: c_int) -> c_int {
    guard(-1, || {
        let len = match checked_len(b, data.is_null(), dlen) {
            Ok(len) => len,
            Err(ret) => return ret,
        };
        let buf: &[u8] = if len == 0 {
            &[]
        } else {
            // SAFETY: data holds dlen readable bytes (caller's contract), checked non-NULL.
            unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) }
        };
        // SAFETY: b is live (caller's contract).
        let bio = unsafe { &*b };
        let mut st = bio.lock();
        if st.read_only {
            err::push(LIB_BIO, BIO_R_WRITE_TO_READ_ONLY_BIO);
            return -1;
        }
        let r = st.kind.bio().write(buf);
        drop(st);
        io_result(r)
    })
}

/// The argument checks `BIO_read` and `BIO_write` share: the byte count, or what to
/// return (0 without an error for a negative length, as OpenSSL 3.6; -1 with
/// BIO_R_NULL_PARAMETER for a NULL BIO or buffer).
fn checked_len(b: *mut BIO, data_null: bool, dlen: c_int) -> Result<usize, c_int> {
    let Ok(len) = usize::try_from(dlen) else {
        return Err(0);
    };
    if b.is_null() || (data_null && len > 0) {
        err::push(LIB_BIO, BIO_R_NULL_PARAMETER);
        return Err(-1);
    }
    Ok(len)
}

fn io_result(r: Result<usize, BioError>) -> c_int {
    match r {
        Ok(n) => c_int::try_from(n).unwrap_or(c_int::MAX),
        Err(BioError::Retry) | Err(BioError::Io(_)) => -1,
        Err(BioError::Closed) => {
            err::push(LIB_BIO, BIO_R_BROKEN_PIPE);
            -1
        }
    }
}

/// `BIO_ctrl` for the controls of memory, pair and socket BIOs.
///
/// # Safety
/// `b` is NULL or a live `BIO *`; `parg` as the control requires.
#[no_mangle]
pub unsafe extern "C" fn BIO_ctrl(
    b: *mut BIO,
    cmd: c_int,
    larg: c_long,
    parg: *mut c_void,
) -> c_long {
    guard(0, || {
        if b.is_null() {
            err::push(LIB_BIO, BIO_R_NULL_PARAMETER);
            return -1;
        }
        // SAFETY: b is live (caller's contract).
        let bio = unsafe { &*b };
        if cmd == BIO_CTRL_EOF {
            if let Some(eof) = bio.pair_eof() {
                return eof as c_long;
            }
        }
        let mut st = bio.lock();
        let State { kind, close, .. } = &mut *st;
        let own = match kind {
            Kind::Ssl(f) => f.ctrl(bio, close, cmd, larg, parg),
            Kind::Connect(c) => c.ctrl(cmd, larg, parg),
            Kind::Accept(a) => a.ctrl(b, cmd, larg, parg),
            Kind::Buffer(_) => chain::buffer_ctrl(cmd),
            _ => None,
        };
        if let Some(r) = own {
            return r;
        }
        if st.kind.is_filter() && !matches!(cmd, BIO_CTRL_GET_CLOSE | BIO_CTRL_SET_CLOSE) {
            let filter_own = match cmd {
                BIO_CTRL_PENDING => Some(st.kind.bio_ref().pending() as c_long),
                BIO_CTRL_WPENDING => Some(st.kind.bio_ref().wpending() as c_long),
                BIO_CTRL_FLUSH => Some(st.kind.bio().flush().is_ok() as c_long),
                _ => None,
            };
            if let Some(r) = filter_own {
                return r;
            }
            drop(st);
            let next = bio.next_ptr();
            if next.is_null() {
                return 0;
            }
            // SAFETY: the chain holds a reference of next while it is linked.
            return unsafe { BIO_ctrl(next, cmd, larg, parg) };
        }
        match cmd {
            BIO_CTRL_GET_CLOSE => st.close as c_long,
            BIO_CTRL_SET_CLOSE => {
                st.close = larg & 1 != 0;
                1
            }
            BIO_CTRL_PENDING => st.kind.bio_ref().pending() as c_long,
            BIO_CTRL_WPENDING => st.kind.bio_ref().wpending() as c_long,
            BIO_CTRL_FLUSH => match st.kind.bio().flush() {
                Ok(()) => 1,
                Err(_) => 0,
            },
            BIO_CTRL_EOF => match &st.kind {
                Kind::Mem(m) => m.is_empty() as c_long,
                Kind::Fd(_) => st.in_eof as c_long,
                _ => 0, // a pair is answered by pair_eof above
            },
            BIO_C_SET_BUF_MEM_EOF_RETURN => match &st.kind {
                Kind::Mem(m) => {
                    m.set_eof_return(larg as i32);
                    1
                }
                _ => 0,
            },
            BIO_C_GET_WRITE_GUARANTEE => match &st.kind {
                Kind::Pair(p) => p.write_guarantee() as c_long,
                _ => 0,
            },
            BIO_C_GET_READ_REQUEST => match &st.kind {
                Kind::Pair(p) => p.read_request() as c_long,
                _ => 0,
            },
            BIO_C_SHUTDOWN_WR => match &st.kind {
                Kind::Pair(p) => {
                    p.shutdown_wr();
                    1
                }
                _ => 0,
            },
            BIO_C_SET_NBIO => match &st.kind {
                Kind::Fd(s) => crate::sys::set_nonblocking(s.get_ref().fd, larg != 0) as c_long,
                _ => 1,
            },
            BIO_C_SET_FD => match &mut st.kind {
                Kind::Fd(s) if !parg.is_null() => {
                    // SAFETY: BIO_set_fd passes the descriptor by address (BIO_int_ctrl).
                    s.get_mut().fd = unsafe { *parg.cast::<c_int>() };
                    st.close = larg & 1 != 0;
                    st.in_eof = false;
                    1
                }
                _ => 0,
            },
            BIO_C_GET_FD => match &st.kind {
                Kind::Fd(s) => {
                    let fd = s.get_ref().fd;
                    if !parg.is_null() {
                        // SAFETY: BIO_get_fd passes an int * (or NULL).
                        unsafe { *parg.cast::<c_int>() = fd };
                    }
                    fd as c_long
                }
                _ => -1,
            },
            _ => 0,
        }
    })
}

/// `BIO_ptr_ctrl`: a control whose answer is a pointer (`BIO_get_conn_hostname`, ...).
///
/// # Safety
/// `b` is NULL or a live `BIO *`.
#[no_mangle]
pub unsafe extern "C" fn BIO_ptr_ctrl(b: *mut BIO, cmd: c_int, larg: c_long) -> *mut c_void {
    let mut p: *mut c_void = std::ptr::null_mut();
    // SAFETY: forwarded contract; the controls that answer in parg write a pointer there.
    if unsafe { BIO_ctrl(b, cmd, larg, std::ptr::from_mut(&mut p).cast()) } <= 0 {
        return std::ptr::null_mut();
    }
    p
}

/// `BIO_int_ctrl`: a control with an int argument passed by address.
///
/// # Safety
/// `b` is NULL or a live `BIO *`.
#[no_mangle]
pub unsafe extern "C" fn BIO_int_ctrl(
    b: *mut BIO,
    cmd: c_int,
    larg: c_long,
    iarg: c_int,
) -> c_long {
    let mut i = iarg;
    // SAFETY: forwarded contract; parg points to an int, as OpenSSL's.
    unsafe { BIO_ctrl(b, cmd, larg, std::ptr::from_mut(&mut i).cast()) }
}

fn ctrl_size(b: *mut BIO, cmd: c_int) -> usize {
    // SAFETY: forwarded from the caller of the public wrapper, same contract.
    let r = unsafe { BIO_ctrl(b, cmd, 0, std::ptr::null_mut()) };
    usize::try_from(r).unwrap_or(0)
}

/// `BIO_ctrl_pending`.
///
/// # Safety
/// `b` is NULL or a live `BIO *`.
#[no_mangle]
pub unsafe extern "C" fn BIO_ctrl_pending(b: *mut BIO) -> usize {
    ctrl_size(b, BIO_CTRL_PENDING)
}

/// `BIO_ctrl_wpending`.
///
/// # Safety
/// `b` is NULL or a live `BIO *`.
#[no_mangle]
pub unsafe extern "C" fn BIO_ctrl_wpending(b: *mut BIO) -> usize {
    ctrl_size(b, BIO_CTRL_WPENDING)
}

/// `BIO_ctrl_get_write_guarantee`.
///
/// # Safety
/// `b` is NULL or a live `BIO *`.
#[no_mangle]
pub unsafe extern "C" fn BIO_ctrl_get_write_guarantee(b: *mut BIO) -> usize {
    ctrl_size(b, BIO_C_GET_WRITE_GUARANTEE)
}

/// `BIO_ctrl_get_read_request`.
///
/// # Safety
/// `b` is NULL or a live `BIO *`.
#[no_mangle]
pub unsafe extern "C" fn BIO_ctrl_get_read_request(b: *mut BIO) -> usize {
    ctrl_size(b, BIO_C_GET_READ_REQUEST)
}

/// `BIO_test_flags`: the retry flags left by the last operation.
///
/// # Safety
/// `b` is NULL or a live `BIO *`.
#[no_mangle]
pub unsafe extern "C" fn BIO_test_flags(b: *const BIO, flags: c_int) -> c_int {
    guard(0, || {
        if b.is_null() {
            return 0;
        }
        // SAFETY: b is live (caller's contract).
        let bio = unsafe { &*b };
        let f = bio.lock().kind.bio_ref().retry_flags();
        let mut v = 0;
        if f.read {
            v |= BIO_FLAGS_READ;
        }
        if f.write {
            v |= BIO_FLAGS_WRITE;
        }
        if f.special {
            v |= BIO_FLAGS_IO_SPECIAL;
        }
        if v != 0 {
            v |= BIO_FLAGS_SHOULD_RETRY;
        }
        v & flags
    })
}

/// `BIO_get_retry_reason`: why a special retry was asked for: BIO_RR_CONNECT (2) for a
/// connecting connect BIO, BIO_RR_ACCEPT (3) for an accept BIO waiting for a connection; a
/// filter reports its next BIO's reason. 0 otherwise.
///
/// # Safety
/// `b` is NULL or a live `BIO *`.
#[no_mangle]
pub unsafe extern "C" fn BIO_get_retry_reason(b: *mut BIO) -> c_int {
    guard(0, || {
        // SAFETY: the caller's contract; chain members are live while linked.
        let Some(bio) = (unsafe { b.as_ref() }) else {
            return 0;
        };
        let (special, reason) = {
            let st = bio.lock();
            let special = st.kind.bio_ref().retry_flags().special;
            let reason = match &st.kind {
                Kind::Connect(_) => Some(2),
                Kind::Accept(_) => Some(3),
                _ => None,
            };
            (special, reason)
        };
        match (special, reason) {
            (false, _) => 0,
            (true, Some(r)) => r,
            // SAFETY: the next BIO is live while linked.
            (true, None) => unsafe { BIO_get_retry_reason(bio.next_ptr()) },
        }
    })
}

/// `BIO_new_bio_pair`: two connected halves; a size of 0 means 17408.
///
/// # Safety
/// `bio1` and `bio2` point to writable `BIO *` slots.
#[no_mangle]
pub unsafe extern "C" fn BIO_new_bio_pair(
    bio1: *mut *mut BIO,
    writebuf1: usize,
    bio2: *mut *mut BIO,
    writebuf2: usize,
) -> c_int {
    guard(0, || {
        if bio1.is_null() || bio2.is_null() {
            err::push(LIB_BIO, BIO_R_NULL_PARAMETER);
            return 0;
        }
        let (a, b) = BioPair::new(writebuf1, writebuf2);
        let a = BIO::new_arc(Kind::Pair(a), true);
        let b = BIO::new_arc(Kind::Pair(b), true);
        a.lock().peer = Some(Arc::downgrade(&b));
        b.lock().peer = Some(Arc::downgrade(&a));
        // SAFETY: both slots are writable (caller's contract), checked non-NULL.
        unsafe {
            *bio1 = Arc::into_raw(a).cast_mut();
            *bio2 = Arc::into_raw(b).cast_mut();
        }
        1
    })
}

/// Writes all of `data` to `b` (what the print calls do); false if the BIO took less.
///
/// # Safety
/// `b` is NULL or a live `BIO *`.
pub(crate) unsafe fn write_all(b: *mut BIO, data: &[u8]) -> bool {
    let mut rest = data;
    while !rest.is_empty() {
        let n = rest.len().min(c_int::MAX as usize) as c_int;
        // SAFETY: rest holds n readable bytes; b per the contract.
        let w = unsafe { BIO_write(b, rest.as_ptr().cast(), n) };
        if w <= 0 {
            return false;
        }
        rest = &rest[w as usize..];
    }
    true
}
