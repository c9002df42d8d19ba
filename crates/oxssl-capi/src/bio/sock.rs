//! The connect BIO (`BIO_s_connect`, `BIO_new_connect`, `BIO_set_conn_hostname`,
//! `BIO_do_connect`, non-blocking with `BIO_set_nbio`) and the accept BIO
//! (`BIO_s_accept`, `BIO_new_accept`, `BIO_do_accept`: the first call binds and listens,
//! each next one accepts a connection and chains a socket BIO for it).

use std::ffi::{c_char, c_int, c_long, c_void, CStr, CString};
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::os::fd::{AsRawFd, IntoRawFd, RawFd};
use std::sync::atomic::Ordering;

use oxssl::bio::{Bio, BioError, RetryFlags, StreamBio};
use oxssl::ssl::LIB_SYS;

use super::{Fd, NextOf, BIO};
use crate::err::{self, LIB_BIO};
use crate::guard;
use crate::sys;

const BIO_C_SET_CONNECT: c_int = 100;
const BIO_C_DO_STATE_MACHINE: c_int = 101;
const BIO_C_SET_NBIO: c_int = 102;
const BIO_C_GET_FD: c_int = 105;
const BIO_C_SET_ACCEPT: c_int = 118;
const BIO_C_GET_CONNECT: c_int = 123;
const BIO_C_GET_ACCEPT: c_int = 124;
const BIO_C_SET_BIND_MODE: c_int = 131;
const BIO_C_GET_BIND_MODE: c_int = 132;
const BIO_R_CONNECT_ERROR: c_int = 103;
const BIO_R_NBIO_CONNECT_ERROR: c_int = 110;
const BIO_R_NO_HOSTNAME_OR_SERVICE_SPECIFIED: c_int = 144;
const BIO_R_NO_ACCEPT_ADDR_OR_SERVICE_SPECIFIED: c_int = 143;
const BIO_R_UNABLE_TO_BIND_SOCKET: c_int = 117;
const BIO_R_LOOKUP_RETURNED_NOTHING: c_int = 142;
const BIO_R_ACCEPT_ERROR: c_int = 100;

fn special() -> RetryFlags {
    RetryFlags {
        special: true,
        ..RetryFlags::NONE
    }
}

fn c_arg(p: *mut c_void) -> Option<String> {
    // SAFETY: the name/port controls pass a C string (or NULL).
    (!p.is_null()).then(|| {
        unsafe { CStr::from_ptr(p.cast::<c_char>()) }
            .to_string_lossy()
            .into_owned()
    })
}

/// "host:port" (or "[v6]:port") split as `BIO_parse_hostserv` does; a lone value is the
/// host for a connect BIO and the port for an accept BIO.
fn split_host_port(s: &str, lone_is_host: bool) -> (Option<String>, Option<String>) {
    if let Some(rest) = s.strip_prefix('[') {
        if let Some((h, p)) = rest.split_once("]:") {
            return (Some(h.to_string()), Some(p.to_string()));
        }
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (Some(h.to_string()), Some(p.to_string())),
        _ if lone_is_host => (Some(s.to_string()), None),
        _ => (None, Some(s.to_string())),
    }
}

/// The host and port of a connect or accept BIO, as their name controls set and get them.
#[derive(Default)]
struct HostPort {
    host: Option<CString>,
    port: Option<CString>,
}

impl HostPort {
    /// "host:port", or a lone host (connect BIO) / port (accept BIO).
    fn set_name(&mut self, parg: *mut c_void, lone_is_host: bool) -> c_long {
        let Some(v) = c_arg(parg) else { return 0 };
        let (h, p) = split_host_port(&v, lone_is_host);
        self.host = h.and_then(|s| CString::new(s).ok());
        if p.is_some() || !lone_is_host {
            self.port = p.and_then(|s| CString::new(s).ok());
        }
        1
    }

    fn set_port(&mut self, parg: *mut c_void) -> c_long {
        self.port = c_arg(parg).and_then(|s| CString::new(s).ok());
        1
    }

    fn strings(&self) -> Option<(String, String)> {
        let h = self.host.as_ref().map(|h| h.to_string_lossy().into_owned());
        let p = self.port.as_ref()?.to_string_lossy().into_owned();
        Some((h.unwrap_or_default(), p))
    }

    /// The GET control: the string's address in `*parg` (as `BIO_ptr_ctrl` reads it).
    fn answer(&self, larg: c_long, parg: *mut c_void) -> c_long {
        let s = match larg {
            0 => &self.host,
            1 => &self.port,
            _ => return 0,
        };
        let p = s.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
        if !parg.is_null() {
            // SAFETY: BIO_ptr_ctrl passes a char ** (or NULL).
            unsafe { *parg.cast::<*const c_char>() = p };
        }
        c_long::from(!p.is_null())
    }
}

/// `BIO_get_fd`'s answer: the descriptor, also in `*parg`.
fn answer_fd(fd: RawFd, parg: *mut c_void) -> c_long {
    if !parg.is_null() && fd >= 0 {
        // SAFETY: BIO_get_fd passes an int * (or NULL).
        unsafe { *parg.cast::<c_int>() = fd };
    }
    fd as c_long
}

fn resolve(host: &str, port: &str) -> Vec<SocketAddr> {
    let host = if host.is_empty() || host == "*" {
        "0.0.0.0"
    } else {
        host
    };
    let port: u16 = port.parse().unwrap_or(0);
    (host, port)
        .to_socket_addrs()
        .map(Iterator::collect)
        .unwrap_or_default()
}

/// `BIO_s_connect`'s state.
#[derive(Default)]
pub(crate) struct Connect {
    name: HostPort,
    nbio: bool,
    /// The socket while its non-blocking connect is in progress.
    connecting: Option<RawFd>,
    sock: Option<StreamBio<Fd>>,
    flags: RetryFlags,
}

impl Drop for Connect {
    fn drop(&mut self) {
        if let Some(s) = &self.sock {
            // As OpenSSL: a connected socket is shut down, then closed.
            // SAFETY: the connect BIO owns its socket.
            unsafe { libc::shutdown(s.get_ref().fd, libc::SHUT_RDWR) };
        }
        let fd = self
            .connecting
            .take()
            .or(self.sock.as_ref().map(|s| s.get_ref().fd));
        if let Some(fd) = fd {
            // SAFETY: the connect BIO owns its socket.
            unsafe { libc::close(fd) };
        }
    }
}

impl Connect {
    fn fail(&mut self, e: c_int, reason: c_int) -> Result<(), BioError> {
        if let Some(fd) = self.connecting.take() {
            // SAFETY: the socket of the failed attempt is ours.
            unsafe { libc::close(fd) };
        }
        err::push(LIB_SYS, e);
        err::push(LIB_BIO, reason);
        self.flags = RetryFlags::NONE;
        Err(BioError::Io(std::io::Error::from_raw_os_error(e)))
    }

    /// Runs the connection state machine: Ok once connected, Retry while a non-blocking
    /// connect is in progress.
    fn connect(&mut self) -> Result<(), BioError> {
        if self.sock.is_some() {
            return Ok(());
        }
        // As OpenSSL: finishing a connect leaves the retry flags of the last attempt.
        if let Some(fd) = self.connecting {
            if !sys::writable_now(fd) {
                self.flags = special();
                return Err(BioError::Retry);
            }
            let e = sys::so_error(fd);
            if e != 0 {
                return self.fail(e, BIO_R_NBIO_CONNECT_ERROR);
            }
            self.connecting = None;
            self.sock = Some(StreamBio::new(Fd { fd }));
            return Ok(());
        }
        self.flags = RetryFlags::NONE;
        let Some((host, port)) = self.name.strings().filter(|(h, _)| !h.is_empty()) else {
            err::push(LIB_BIO, BIO_R_NO_HOSTNAME_OR_SERVICE_SPECIFIED);
            return Err(BioError::Closed);
        };
        let Some(addr) = resolve(&host, &port).into_iter().next() else {
            err::push(LIB_BIO, BIO_R_LOOKUP_RETURNED_NOTHING);
            return Err(BioError::Closed);
        };
        let family = if addr.is_ipv4() {
            libc::AF_INET
        } else {
            libc::AF_INET6
        };
        // SAFETY: a new TCP socket; failure is checked.
        let fd = unsafe { libc::socket(family, libc::SOCK_STREAM, 0) };
        if fd < 0 {
            let e = sys::errno();
            return self.fail(e, 118);
        }
        self.connecting = Some(fd);
        sys::sock_options(fd, true, false, false);
        if self.nbio {
            sys::set_nonblocking(fd, true);
        }
        let a = sys::from_std(&addr);
        // SAFETY: a.storage holds a.len bytes of a socket address.
        let r = unsafe { libc::connect(fd, std::ptr::from_ref(&a.storage).cast(), a.len) };
        if r == 0 {
            self.connecting = None;
            self.sock = Some(StreamBio::new(Fd { fd }));
            return Ok(());
        }
        let e = sys::errno();
        if sys::would_block(e) {
            self.flags = special();
            return Err(BioError::Retry);
        }
        // As OpenSSL: BIO_connect's two entries, then the state machine's two.
        err::push(LIB_SYS, e);
        err::push(LIB_BIO, BIO_R_CONNECT_ERROR);
        self.fail(e, BIO_R_CONNECT_ERROR)
    }

    pub(super) fn ctrl(&mut self, cmd: c_int, larg: c_long, parg: *mut c_void) -> Option<c_long> {
        Some(match cmd {
            BIO_C_SET_CONNECT => match larg {
                0 => self.name.set_name(parg, true),
                1 => self.name.set_port(parg),
                3 => 1,
                _ => 0,
            },
            BIO_C_GET_CONNECT => self.name.answer(larg, parg),
            BIO_C_SET_NBIO => {
                self.nbio = larg != 0;
                1
            }
            BIO_C_DO_STATE_MACHINE => match self.connect() {
                Ok(()) => 1,
                Err(BioError::Retry) => -1,
                Err(_) => 0,
            },
            BIO_C_GET_FD => {
                let fd = self
                    .sock
                    .as_ref()
                    .map(|s| s.get_ref().fd)
                    .or(self.connecting);
                answer_fd(fd.unwrap_or(-1), parg)
            }
            _ => return None,
        })
    }
}

impl Bio for Connect {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, BioError> {
        self.flags = RetryFlags::NONE;
        self.connect()?;
        let s = self.sock.as_mut().ok_or(BioError::Closed)?;
        let r = s.read(buf);
        self.flags = s.retry_flags();
        r
    }
    fn write(&mut self, buf: &[u8]) -> Result<usize, BioError> {
        self.flags = RetryFlags::NONE;
        self.connect()?;
        let s = self.sock.as_mut().ok_or(BioError::Closed)?;
        let r = s.write(buf);
        self.flags = s.retry_flags();
        r
    }
    fn retry_flags(&self) -> RetryFlags {
        self.flags
    }
}

/// `BIO_s_accept`'s state.
pub(crate) struct Accept {
    name: HostPort,
    /// `BIO_set_nbio_accept`: the listening socket does not block.
    nbio_accept: bool,
    /// `BIO_set_nbio`: accepted sockets do not block.
    nbio: bool,
    bind_mode: c_long,
    listener: Option<TcpListener>,
    next: NextOf,
    flags: RetryFlags,
}

impl Drop for Accept {
    fn drop(&mut self) {
        if let Some(l) = &self.listener {
            // As OpenSSL: the listening socket is shut down before it is closed, which
            // also stops a copy held by a forked process from accepting.
            // SAFETY: the accept BIO owns its listening socket (closed by the listener).
            unsafe { libc::shutdown(l.as_raw_fd(), libc::SHUT_RDWR) };
        }
    }
}

impl Accept {
    pub(super) fn new(next: NextOf) -> Self {
        Accept {
            name: HostPort::default(),
            nbio_accept: false,
            nbio: false,
            bind_mode: 0,
            listener: None,
            next,
            flags: RetryFlags::NONE,
        }
    }

    fn listen(&mut self) -> Result<(), BioError> {
        let Some((host, port)) = self.name.strings() else {
            err::push(LIB_BIO, BIO_R_NO_ACCEPT_ADDR_OR_SERVICE_SPECIFIED);
            return Err(BioError::Closed);
        };
        let addrs = resolve(&host, &port);
        let l = match TcpListener::bind(addrs.as_slice()) {
            Ok(l) => l,
            Err(e) => {
                err::push(LIB_SYS, e.raw_os_error().unwrap_or(0));
                err::push(LIB_BIO, BIO_R_UNABLE_TO_BIND_SOCKET);
                return Err(BioError::Io(e));
            }
        };
        if self.nbio_accept {
            let _ = l.set_nonblocking(true);
        }
        // The actual port (also for port 0), as BIO_get_accept_port reports it.
        if let Ok(a) = l.local_addr() {
            self.name.port = CString::new(a.port().to_string()).ok();
            self.name.host = CString::new(a.ip().to_string()).ok();
        }
        self.listener = Some(l);
        Ok(())
    }

    /// Accepts one connection and chains a socket BIO for it after `me`.
    fn accept(&mut self, me: *mut BIO) -> Result<(), BioError> {
        self.flags = RetryFlags::NONE;
        let Some(l) = &self.listener else {
            return self.listen();
        };
        match l.accept() {
            Ok((s, _)) => {
                let _ = s.set_nonblocking(self.nbio);
                let b = super::new_fd_bio(s.into_raw_fd(), 1);
                // SAFETY: b is fresh; the link takes its reference.
                unsafe { (*b).prev.store(me, Ordering::Release) };
                self.next.0.store(b, Ordering::Release);
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                self.flags = special();
                Err(BioError::Retry)
            }
            Err(e) => {
                err::push(LIB_SYS, e.raw_os_error().unwrap_or(0));
                err::push(LIB_BIO, BIO_R_ACCEPT_ERROR);
                Err(BioError::Io(e))
            }
        }
    }

    pub(super) fn ctrl(
        &mut self,
        me: *mut BIO,
        cmd: c_int,
        larg: c_long,
        parg: *mut c_void,
    ) -> Option<c_long> {
        Some(match cmd {
            BIO_C_SET_ACCEPT => match larg {
                0 => self.name.set_name(parg, false),
                1 => self.name.set_port(parg),
                2 => {
                    self.nbio_accept = !parg.is_null();
                    1
                }
                4 => 1,
                _ => 0,
            },
            BIO_C_GET_ACCEPT => self.name.answer(larg, parg),
            BIO_C_SET_NBIO => {
                self.nbio = larg != 0;
                1
            }
            BIO_C_SET_BIND_MODE => {
                self.bind_mode = larg;
                1
            }
            BIO_C_GET_BIND_MODE => self.bind_mode,
            BIO_C_DO_STATE_MACHINE => match self.accept(me) {
                Ok(()) => 1,
                Err(BioError::Retry) => -1,
                Err(_) => 0,
            },
            BIO_C_GET_FD => answer_fd(self.listener.as_ref().map_or(-1, |l| l.as_raw_fd()), parg),
            _ => return None,
        })
    }

    fn ensure_accepted(&mut self) -> Result<(), BioError> {
        while self.next.ptr().is_null() {
            self.accept(std::ptr::null_mut())?;
        }
        Ok(())
    }
}

impl Bio for Accept {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, BioError> {
        self.ensure_accepted()?;
        let r = self.next.read(buf);
        self.flags = self.next.retry_flags();
        r
    }
    fn write(&mut self, buf: &[u8]) -> Result<usize, BioError> {
        self.ensure_accepted()?;
        let r = self.next.write(buf);
        self.flags = self.next.retry_flags();
        r
    }
    fn retry_flags(&self) -> RetryFlags {
        self.flags
    }
}

fn new_with(method: *const super::BIO_METHOD, cmd: c_int, s: *const c_char) -> *mut BIO {
    guard(std::ptr::null_mut(), || {
        let b = super::BIO_new(method);
        // SAFETY: b is fresh (or NULL, which BIO_ctrl refuses); s is a C string or NULL.
        unsafe { super::BIO_ctrl(b, cmd, 0, s.cast_mut().cast()) };
        b
    })
}

/// `BIO_new_connect`: a connect BIO for "host:port".
///
/// # Safety
/// `host_port` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn BIO_new_connect(host_port: *const c_char) -> *mut BIO {
    new_with(super::BIO_s_connect(), BIO_C_SET_CONNECT, host_port)
}

/// `BIO_new_accept`: an accept BIO for "port" or "host:port".
///
/// # Safety
/// `host_port` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn BIO_new_accept(host_port: *const c_char) -> *mut BIO {
    new_with(super::BIO_s_accept(), BIO_C_SET_ACCEPT, host_port)
}
