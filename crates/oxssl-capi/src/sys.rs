//! Small wrappers over the socket system calls the BIOs use.

use std::ffi::c_int;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::bio::BIO_ADDR;

/// This thread's `errno`.
pub(crate) fn errno() -> c_int {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Whether `e` means "try again" (`BIO_sock_should_retry`).
pub(crate) fn would_block(e: c_int) -> bool {
    matches!(
        e,
        libc::EINPROGRESS | libc::EAGAIN | libc::EINTR | libc::EALREADY
    )
}

/// Sets or clears O_NONBLOCK; false on failure.
pub(crate) fn set_nonblocking(fd: c_int, on: bool) -> bool {
    // SAFETY: fcntl on a caller's descriptor; failures are reported, not assumed away.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 {
            return false;
        }
        let new = if on {
            flags | libc::O_NONBLOCK
        } else {
            flags & !libc::O_NONBLOCK
        };
        libc::fcntl(fd, libc::F_SETFL, new) == 0
    }
}

fn set_flag(fd: c_int, level: c_int, name: c_int) {
    let one: c_int = 1;
    // SAFETY: setsockopt with a valid int option value of the right size.
    unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            std::ptr::from_ref(&one).cast(),
            std::mem::size_of::<c_int>() as libc::socklen_t,
        )
    };
}

/// Socket options of `BIO_connect` / `BIO_listen` (failures ignored, as the options are
/// hints).
pub(crate) fn sock_options(fd: c_int, keepalive: bool, nodelay: bool, reuseaddr: bool) {
    if keepalive {
        set_flag(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE);
    }
    if nodelay {
        set_flag(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY);
    }
    if reuseaddr {
        set_flag(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR);
    }
}

/// Whether a connecting socket is writable now (its connect finished), without waiting.
pub(crate) fn writable_now(fd: c_int) -> bool {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: one valid pollfd, no wait.
    unsafe { libc::poll(&mut p, 1, 0) == 1 }
}

/// The pending error of a socket (`SO_ERROR`).
pub(crate) fn so_error(fd: c_int) -> c_int {
    let mut e: c_int = 0;
    let mut len = std::mem::size_of::<c_int>() as libc::socklen_t;
    // SAFETY: getsockopt into an int of the right size.
    let r = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_ERROR,
            std::ptr::from_mut(&mut e).cast(),
            &mut len,
        )
    };
    if r == 0 {
        e
    } else {
        errno()
    }
}

/// A `BIO_ADDR` as a Rust address (IPv4 and IPv6 only).
pub(crate) fn to_std(a: &BIO_ADDR) -> Option<SocketAddr> {
    let p = std::ptr::from_ref(&a.storage);
    match c_int::from(a.storage.ss_family) {
        libc::AF_INET => {
            // SAFETY: the family says the storage holds a sockaddr_in.
            let sin = unsafe { &*p.cast::<libc::sockaddr_in>() };
            let ip = Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr));
            Some(SocketAddr::new(IpAddr::V4(ip), u16::from_be(sin.sin_port)))
        }
        libc::AF_INET6 => {
            // SAFETY: the family says the storage holds a sockaddr_in6.
            let sin6 = unsafe { &*p.cast::<libc::sockaddr_in6>() };
            let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
            Some(SocketAddr::new(
                IpAddr::V6(ip),
                u16::from_be(sin6.sin6_port),
            ))
        }
        _ => None,
    }
}

/// A Rust address as a `BIO_ADDR`.
pub(crate) fn from_std(a: &SocketAddr) -> BIO_ADDR {
    // SAFETY: an all-zero sockaddr_storage is valid; the writes below fill the variant
    // its family names, inside the storage.
    unsafe {
        let mut out = BIO_ADDR {
            storage: std::mem::zeroed(),
            len: 0,
        };
        let p = std::ptr::from_mut(&mut out.storage);
        match a {
            SocketAddr::V4(v4) => {
                let sin = &mut *p.cast::<libc::sockaddr_in>();
                sin.sin_family = libc::AF_INET as libc::sa_family_t;
                sin.sin_port = v4.port().to_be();
                sin.sin_addr.s_addr = u32::from(*v4.ip()).to_be();
                out.len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
            }
            SocketAddr::V6(v6) => {
                let sin6 = &mut *p.cast::<libc::sockaddr_in6>();
                sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                sin6.sin6_port = v6.port().to_be();
                sin6.sin6_addr.s6_addr = v6.ip().octets();
                out.len = std::mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t;
            }
        }
        out
    }
}
