//! The address helpers: `BIO_lookup_ex` / `BIO_ADDRINFO_*` over `getaddrinfo`,
//! `BIO_socket`, `BIO_connect`, `BIO_closesocket`, `BIO_sock_init`, `BIO_ADDR_*`.

use std::ffi::{c_char, c_int};

use oxssl::ssl::LIB_SYS;

use crate::err::{self, LIB_BIO};
use crate::guard;
use crate::sys;

const BIO_R_UNABLE_TO_CREATE_SOCKET: c_int = 118;
const BIO_R_CONNECT_ERROR: c_int = 103;
const BIO_R_LOOKUP_RETURNED_NOTHING: c_int = 142;
/// ERR_R_SYS_LIB, as `BIO_lookup_ex` queues for a `getaddrinfo` failure.
const ERR_R_SYS_LIB: c_int = 2 | (0x2 << 18);
const BIO_LOOKUP_SERVER: c_int = 1;
const BIO_SOCK_REUSEADDR: c_int = 0x01;
const BIO_SOCK_KEEPALIVE: c_int = 0x04;
const BIO_SOCK_NONBLOCK: c_int = 0x08;
const BIO_SOCK_NODELAY: c_int = 0x10;

/// `BIO_ADDR`: a socket address.
#[allow(non_camel_case_types)]
pub struct BIO_ADDR {
    pub(crate) storage: libc::sockaddr_storage,
    pub(crate) len: libc::socklen_t,
}

/// `BIO_ADDRINFO`: one result of a lookup, and the rest of the list.
#[allow(non_camel_case_types)]
pub struct BIO_ADDRINFO {
    family: c_int,
    socktype: c_int,
    protocol: c_int,
    addr: BIO_ADDR,
    next: Option<Box<BIO_ADDRINFO>>,
}

/// `BIO_lookup_ex`: resolves `host` / `service` with `getaddrinfo`; 1 and `*res`, or 0.
///
/// # Safety
/// `host` and `service` are NULL or C strings; `res` is writable.
#[no_mangle]
pub unsafe extern "C" fn BIO_lookup_ex(
    host: *const c_char,
    service: *const c_char,
    lookup_type: c_int,
    family: c_int,
    socktype: c_int,
    protocol: c_int,
    res: *mut *mut BIO_ADDRINFO,
) -> c_int {
    guard(0, || {
        if res.is_null() || (host.is_null() && service.is_null()) {
            err::push(LIB_BIO, 144); // BIO_R_NO_HOSTNAME_OR_SERVICE_SPECIFIED
            return 0;
        }
        // SAFETY: an all-zero addrinfo is a valid hints value.
        let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
        hints.ai_family = family;
        hints.ai_socktype = socktype;
        hints.ai_protocol = protocol;
        hints.ai_flags = libc::AI_ADDRCONFIG;
        if lookup_type == BIO_LOOKUP_SERVER {
            hints.ai_flags |= libc::AI_PASSIVE;
        }
        let mut list: *mut libc::addrinfo = std::ptr::null_mut();
        // SAFETY: host/service are NULL or C strings (contract); list receives the result.
        let rc = unsafe { libc::getaddrinfo(host, service, &hints, &mut list) };
        if rc != 0 {
            err::push(LIB_BIO, ERR_R_SYS_LIB);
            return 0;
        }
        let mut out: Vec<BIO_ADDRINFO> = Vec::new();
        let mut cur = list;
        // SAFETY: list is getaddrinfo's list, walked and then freed once.
        unsafe {
            while let Some(ai) = cur.as_ref() {
                let mut a = BIO_ADDR {
                    storage: std::mem::zeroed(),
                    len: ai.ai_addrlen,
                };
                let n = (ai.ai_addrlen as usize).min(std::mem::size_of::<libc::sockaddr_storage>());
                std::ptr::copy_nonoverlapping(
                    ai.ai_addr.cast::<u8>(),
                    std::ptr::from_mut(&mut a.storage).cast::<u8>(),
                    n,
                );
                out.push(BIO_ADDRINFO {
                    family: ai.ai_family,
                    socktype: ai.ai_socktype,
                    protocol: ai.ai_protocol,
                    addr: a,
                    next: None,
                });
                cur = ai.ai_next;
            }
            libc::freeaddrinfo(list);
        }
        let head = out.into_iter().rev().fold(None, |next, mut ai| {
            ai.next = next;
            Some(Box::new(ai))
        });
        match head {
            Some(h) => {
                // SAFETY: res is writable (checked non-NULL).
                unsafe { *res = Box::into_raw(h) };
                1
            }
            None => {
                err::push(LIB_BIO, BIO_R_LOOKUP_RETURNED_NOTHING);
                0
            }
        }
    })
}

/// `BIO_lookup`: [`BIO_lookup_ex`] with protocol 0.
///
/// # Safety
/// As [`BIO_lookup_ex`].
#[no_mangle]
pub unsafe extern "C" fn BIO_lookup(
    host: *const c_char,
    service: *const c_char,
    lookup_type: c_int,
    family: c_int,
    socktype: c_int,
    res: *mut *mut BIO_ADDRINFO,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { BIO_lookup_ex(host, service, lookup_type, family, socktype, 0, res) }
}

fn info<T: Default>(ai: *const BIO_ADDRINFO, f: impl FnOnce(&BIO_ADDRINFO) -> T) -> T {
    // SAFETY: a non-NULL BIO_ADDRINFO * comes from BIO_lookup_ex and is live.
    guard(T::default(), || {
        unsafe { ai.as_ref() }.map_or_else(T::default, f)
    })
}

/// `BIO_ADDRINFO_next`.
///
/// # Safety
/// `ai` is NULL or from `BIO_lookup_ex`, not freed.
#[no_mangle]
pub unsafe extern "C" fn BIO_ADDRINFO_next(ai: *const BIO_ADDRINFO) -> *const BIO_ADDRINFO {
    guard(std::ptr::null(), || {
        // SAFETY: the caller's contract.
        unsafe { ai.as_ref() }
            .and_then(|a| a.next.as_deref())
            .map_or(std::ptr::null(), std::ptr::from_ref)
    })
}

/// `BIO_ADDRINFO_family`.
///
/// # Safety
/// As [`BIO_ADDRINFO_next`].
#[no_mangle]
pub unsafe extern "C" fn BIO_ADDRINFO_family(ai: *const BIO_ADDRINFO) -> c_int {
    info(ai, |a| a.family)
}

/// `BIO_ADDRINFO_socktype`.
///
/// # Safety
/// As [`BIO_ADDRINFO_next`].
#[no_mangle]
pub unsafe extern "C" fn BIO_ADDRINFO_socktype(ai: *const BIO_ADDRINFO) -> c_int {
    info(ai, |a| a.socktype)
}

/// `BIO_ADDRINFO_protocol`: the protocol, or the usual one for the socket type.
///
/// # Safety
/// As [`BIO_ADDRINFO_next`].
#[no_mangle]
pub unsafe extern "C" fn BIO_ADDRINFO_protocol(ai: *const BIO_ADDRINFO) -> c_int {
    info(ai, |a| match (a.protocol, a.socktype) {
        (0, libc::SOCK_STREAM) => libc::IPPROTO_TCP,
        (0, libc::SOCK_DGRAM) => libc::IPPROTO_UDP,
        (p, _) => p,
    })
}

/// `BIO_ADDRINFO_address`: owned by the list.
///
/// # Safety
/// As [`BIO_ADDRINFO_next`].
#[no_mangle]
pub unsafe extern "C" fn BIO_ADDRINFO_address(ai: *const BIO_ADDRINFO) -> *const BIO_ADDR {
    guard(std::ptr::null(), || {
        // SAFETY: the caller's contract.
        unsafe { ai.as_ref() }.map_or(std::ptr::null(), |a| std::ptr::from_ref(&a.addr))
    })
}

/// `BIO_ADDRINFO_free`: frees the whole list.
///
/// # Safety
/// `ai` is NULL or the head of a list from `BIO_lookup_ex`, not freed yet.
#[no_mangle]
pub unsafe extern "C" fn BIO_ADDRINFO_free(ai: *mut BIO_ADDRINFO) {
    guard((), || {
        if !ai.is_null() {
            // SAFETY: ai came from Box::into_raw in BIO_lookup_ex.
            let mut cur = Some(unsafe { Box::from_raw(ai) });
            // Iteratively, so a long list cannot exhaust the stack.
            while let Some(mut n) = cur {
                cur = n.next.take();
            }
        }
    })
}

/// `BIO_ADDR_family`.
///
/// # Safety
/// `ap` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn BIO_ADDR_family(ap: *const BIO_ADDR) -> c_int {
    // SAFETY: the caller's contract.
    guard(libc::AF_UNSPEC, || {
        unsafe { ap.as_ref() }.map_or(libc::AF_UNSPEC, |a| c_int::from(a.storage.ss_family))
    })
}

/// `BIO_ADDR_rawport`: the port in network byte order.
///
/// # Safety
/// `ap` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn BIO_ADDR_rawport(ap: *const BIO_ADDR) -> u16 {
    // SAFETY: the caller's contract.
    guard(0, || {
        unsafe { ap.as_ref() }
            .and_then(sys::to_std)
            .map_or(0, |a| a.port().to_be())
    })
}

/// `BIO_socket`: a new socket, or -1 (INVALID_SOCKET) with the error queued.
#[no_mangle]
pub extern "C" fn BIO_socket(
    domain: c_int,
    socktype: c_int,
    protocol: c_int,
    options: c_int,
) -> c_int {
    guard(-1, || {
        // SAFETY: socket(2) with caller-chosen values; failure is checked.
        let fd = unsafe { libc::socket(domain, socktype, protocol) };
        if fd < 0 {
            err::push(LIB_SYS, sys::errno());
            err::push(LIB_BIO, BIO_R_UNABLE_TO_CREATE_SOCKET);
            return -1;
        }
        if options & BIO_SOCK_NONBLOCK != 0 {
            sys::set_nonblocking(fd, true);
        }
        fd
    })
}

/// `BIO_connect`: 1, or 0 (an in-progress non-blocking connect queues nothing).
///
/// # Safety
/// `addr` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn BIO_connect(sock: c_int, addr: *const BIO_ADDR, options: c_int) -> c_int {
    guard(0, || {
        // SAFETY: the caller's contract.
        let Some(a) = (unsafe { addr.as_ref() }) else {
            err::push(LIB_BIO, 115);
            return 0;
        };
        if options & BIO_SOCK_NONBLOCK != 0 {
            sys::set_nonblocking(sock, true);
        }
        sys::sock_options(
            sock,
            options & BIO_SOCK_KEEPALIVE != 0,
            options & BIO_SOCK_NODELAY != 0,
            options & BIO_SOCK_REUSEADDR != 0,
        );
        // SAFETY: a.storage holds a.len bytes of a socket address.
        let r = unsafe { libc::connect(sock, std::ptr::from_ref(&a.storage).cast(), a.len) };
        if r == 0 {
            return 1;
        }
        let e = sys::errno();
        if !sys::would_block(e) {
            err::push(LIB_SYS, e);
            err::push(LIB_BIO, BIO_R_CONNECT_ERROR);
        }
        0
    })
}

/// `BIO_closesocket`.
#[no_mangle]
pub extern "C" fn BIO_closesocket(sock: c_int) -> c_int {
    // SAFETY: closing a descriptor the caller owns.
    guard(0, || c_int::from(unsafe { libc::close(sock) } == 0))
}

/// `BIO_sock_init`: nothing to set up on Unix.
#[no_mangle]
pub extern "C" fn BIO_sock_init() -> c_int {
    1
}

/// `BIO_ADDR_hostname_string` / `BIO_ADDR_service_string` helper: an `OPENSSL_malloc`
/// string.
fn addr_string(ap: *const BIO_ADDR, f: impl FnOnce(std::net::SocketAddr) -> String) -> *mut c_char {
    guard(std::ptr::null_mut(), || {
        // SAFETY: ap is NULL or live (the callers' contract).
        match unsafe { ap.as_ref() }.and_then(sys::to_std) {
            Some(a) => crate::mem::c_copy(f(a).as_bytes(), true).cast(),
            None => std::ptr::null_mut(),
        }
    })
}

/// `BIO_ADDR_hostname_string`: the numeric host (names are not looked up).
///
/// # Safety
/// `ap` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn BIO_ADDR_hostname_string(
    ap: *const BIO_ADDR,
    _numeric: c_int,
) -> *mut c_char {
    addr_string(ap, |a| a.ip().to_string())
}

/// `BIO_ADDR_service_string`: the numeric port.
///
/// # Safety
/// `ap` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn BIO_ADDR_service_string(
    ap: *const BIO_ADDR,
    _numeric: c_int,
) -> *mut c_char {
    addr_string(ap, |a| a.port().to_string())
}
