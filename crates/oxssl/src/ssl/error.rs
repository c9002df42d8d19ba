//! Errors as the `openssl` crate shapes them: an [`ErrorCode`] (what `SSL_get_error`
//! returns) and a cause, either an [`ErrorStack`] of (library, reason, text) entries or an
//! I/O error.

use crate::reason::Reason;
use std::fmt;
use std::io;

/// `SSL_get_error`'s result, with OpenSSL's values.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorCode(i32);

impl ErrorCode {
    /// `SSL_ERROR_NONE`.
    pub const NONE: ErrorCode = ErrorCode(0);
    /// `SSL_ERROR_SSL`: a protocol or library error; see the error stack.
    pub const SSL: ErrorCode = ErrorCode(1);
    /// `SSL_ERROR_WANT_READ`: retry when the transport is readable.
    pub const WANT_READ: ErrorCode = ErrorCode(2);
    /// `SSL_ERROR_WANT_WRITE`: retry when the transport is writable.
    pub const WANT_WRITE: ErrorCode = ErrorCode(3);
    /// `SSL_ERROR_WANT_X509_LOOKUP`: a certificate callback asked to retry.
    pub const WANT_X509_LOOKUP: ErrorCode = ErrorCode(4);
    /// `SSL_ERROR_SYSCALL`: a transport error (or EOF), or any call after a fatal error.
    pub const SYSCALL: ErrorCode = ErrorCode(5);
    /// `SSL_ERROR_ZERO_RETURN`: the peer sent close_notify.
    pub const ZERO_RETURN: ErrorCode = ErrorCode(6);
    /// `SSL_ERROR_WANT_CONNECT`: the socket is still connecting.
    pub const WANT_CONNECT: ErrorCode = ErrorCode(7);
    /// `SSL_ERROR_WANT_ACCEPT`: the socket is still accepting.
    pub const WANT_ACCEPT: ErrorCode = ErrorCode(8);
    /// `SSL_ERROR_WANT_CLIENT_HELLO_CB`: the ClientHello callback asked to retry.
    pub const WANT_CLIENT_HELLO_CB: ErrorCode = ErrorCode(11);

    /// The raw value.
    pub fn as_raw(self) -> i32 {
        self.0
    }

    /// From a raw value.
    pub fn from_raw(v: i32) -> ErrorCode {
        ErrorCode(v)
    }

    fn name(self) -> &'static str {
        match self.0 {
            0 => "NONE",
            1 => "SSL",
            2 => "WANT_READ",
            3 => "WANT_WRITE",
            4 => "WANT_X509_LOOKUP",
            5 => "SYSCALL",
            6 => "ZERO_RETURN",
            7 => "WANT_CONNECT",
            8 => "WANT_ACCEPT",
            11 => "WANT_CLIENT_HELLO_CB",
            _ => "UNKNOWN",
        }
    }
}

impl fmt::Debug for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ErrorCode::{}({})", self.name(), self.0)
    }
}

/// `ERR_LIB_SSL`.
pub const LIB_SSL: i32 = 20;
/// `ERR_LIB_BIO`.
pub const LIB_BIO: i32 = 32;
/// `ERR_LIB_SYS`.
pub const LIB_SYS: i32 = 2;

/// One error-queue entry.
#[derive(Clone, PartialEq, Eq)]
pub struct ErrorEntry {
    /// The library (`ERR_GET_LIB`): [`LIB_SSL`], [`LIB_BIO`], [`LIB_SYS`].
    pub library: i32,
    /// The reason (`ERR_GET_REASON`).
    pub reason: Reason,
    /// Extra detail (`ERR_get_error_all`'s data).
    pub detail: String,
    /// For certificate failures, the `X509_V_ERR_*` code.
    pub verify_result: Option<i32>,
}

impl ErrorEntry {
    /// An SSL-library entry.
    pub fn ssl(reason: Reason, detail: impl Into<String>) -> Self {
        ErrorEntry {
            library: LIB_SSL,
            reason,
            detail: detail.into(),
            verify_result: None,
        }
    }

    /// OpenSSL's packed error code (`ERR_PACK(lib, 0, reason)`), as `ERR_get_error` returns.
    pub fn packed(&self) -> u64 {
        ((self.library as u64 & 0xff) << 23) | (self.reason.0 as u64 & 0x7f_ffff)
    }

    /// The packed code (the `openssl` crate's `Error::code`).
    pub fn code(&self) -> u64 {
        self.packed()
    }

    /// The library's name, e.g. "SSL routines" (`ERR_lib_error_string`).
    pub fn library(&self) -> Option<&'static str> {
        Some(library_name(self.library))
    }

    /// The library number (`ERR_GET_LIB`).
    pub fn library_code(&self) -> i32 {
        self.library
    }

    /// The reason's text, e.g. "certificate verify failed" (`ERR_reason_error_string`).
    pub fn reason(&self) -> Option<&'static str> {
        Some(self.reason.static_text())
    }

    /// The reason number (`ERR_GET_REASON`).
    pub fn reason_code(&self) -> i32 {
        self.reason.0
    }

    /// The function name: OpenSSL 3 records none.
    pub fn function(&self) -> Option<&'static str> {
        None
    }

    /// Source file of the error: oxssl records none.
    pub fn file(&self) -> &'static str {
        ""
    }

    /// Source line of the error: oxssl records none.
    pub fn line(&self) -> u32 {
        0
    }

    /// The detail text, if any (`ERR_get_error_all`'s data).
    pub fn data(&self) -> Option<&str> {
        (!self.detail.is_empty()).then_some(self.detail.as_str())
    }
}

fn library_name(library: i32) -> &'static str {
    match library {
        LIB_SSL => "SSL routines",
        LIB_BIO => "BIO routines",
        LIB_SYS => "system library",
        _ => "lib",
    }
}

impl fmt::Debug for ErrorEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{{lib: {}, reason: {:?}, detail: {:?}}}",
            self.library, self.reason, self.detail
        )
    }
}

impl fmt::Display for ErrorEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Like ERR_error_string_n: "error:0A000086:SSL routines::certificate verify failed"
        let lib = library_name(self.library);
        write!(
            f,
            "error:{:08X}:{lib}::{}",
            self.packed(),
            self.reason.text()
        )?;
        if !self.detail.is_empty() {
            write!(f, ":{}", self.detail)?;
        }
        Ok(())
    }
}

/// A stack of error entries, oldest first (`ERR_get_error` order).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ErrorStack(Vec<ErrorEntry>);

thread_local! {
    /// The errors of this thread not yet taken by [`ErrorStack::get`] (bounded, oldest
    /// dropped first): every error stack made here is also queued, like OpenSSL's
    /// per-thread error queue.
    static QUEUE: std::cell::RefCell<std::collections::VecDeque<ErrorEntry>> =
        const { std::cell::RefCell::new(std::collections::VecDeque::new()) };
}

/// Most entries the thread's queue keeps.
const QUEUE_LIMIT: usize = 16;

impl ErrorStack {
    /// A stack of one entry (also queued for [`ErrorStack::get`]).
    pub fn one(entry: ErrorEntry) -> Self {
        QUEUE.with(|q| {
            let mut q = q.borrow_mut();
            if q.len() == QUEUE_LIMIT {
                q.pop_front();
            }
            q.push_back(entry.clone());
        });
        ErrorStack(vec![entry])
    }

    /// Takes this thread's queued errors, oldest first (`ERR_get_error` until empty):
    /// what the `openssl` crate's `ErrorStack::get` does. The `Result`s of this library
    /// carry their errors too; this is for code written against the queue.
    pub fn get() -> ErrorStack {
        ErrorStack(QUEUE.with(|q| q.borrow_mut().drain(..).collect()))
    }

    /// The entries.
    pub fn errors(&self) -> &[ErrorEntry] {
        &self.0
    }

    /// The first entry's reason.
    pub fn reason(&self) -> Option<Reason> {
        self.0.first().map(|e| e.reason)
    }

    pub(crate) fn from_tls(e: &crate::error::TlsError) -> Self {
        ErrorStack::one(ErrorEntry {
            library: LIB_SSL,
            reason: e.reason,
            detail: e.detail.to_string(),
            verify_result: e.verify_result,
        })
    }
}

impl fmt::Debug for ErrorStack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.0).finish()
    }
}

impl fmt::Display for ErrorStack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ErrorStack {}

impl From<ErrorStack> for io::Error {
    fn from(e: ErrorStack) -> io::Error {
        io::Error::other(e)
    }
}

/// What caused an [`Error`].
#[derive(Debug)]
pub enum InnerError {
    /// Library errors.
    Ssl(ErrorStack),
    /// A transport error.
    Io(io::Error),
}

/// The error of an SSL operation: the `SSL_get_error` code and its cause.
#[derive(Debug)]
pub struct Error {
    code: ErrorCode,
    cause: Option<InnerError>,
}

impl Error {
    pub(crate) fn new(code: ErrorCode, cause: Option<InnerError>) -> Self {
        Error { code, cause }
    }

    pub(crate) fn ssl(stack: ErrorStack) -> Self {
        Error::new(ErrorCode::SSL, Some(InnerError::Ssl(stack)))
    }

    pub(crate) fn reason(reason: Reason, detail: impl Into<String>) -> Self {
        Error::ssl(ErrorStack::one(ErrorEntry::ssl(reason, detail)))
    }

    /// `SSL_get_error`'s code for this failure.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The I/O error, if the transport failed.
    pub fn io_error(&self) -> Option<&io::Error> {
        match &self.cause {
            Some(InnerError::Io(e)) => Some(e),
            _ => None,
        }
    }

    /// Takes the I/O error out.
    pub fn into_io_error(self) -> Result<io::Error, Error> {
        match self.cause {
            Some(InnerError::Io(e)) => Ok(e),
            _ => Err(self),
        }
    }

    /// The library error stack, if any.
    pub fn ssl_error(&self) -> Option<&ErrorStack> {
        match &self.cause {
            Some(InnerError::Ssl(s)) => Some(s),
            _ => None,
        }
    }

    /// The error queue OpenSSL would hold after this failure: the library errors, or for a
    /// system call failure one `ERR_LIB_SYS` entry whose reason is errno.
    pub fn error_stack(&self) -> ErrorStack {
        match &self.cause {
            Some(InnerError::Ssl(s)) => s.clone(),
            Some(InnerError::Io(e)) => match e.raw_os_error() {
                Some(errno) => ErrorStack::one(ErrorEntry {
                    library: LIB_SYS,
                    reason: Reason(errno),
                    detail: e.to_string(),
                    verify_result: None,
                }),
                None => ErrorStack::default(),
            },
            None => ErrorStack::default(),
        }
    }

    /// The first reason code on the error queue (`ERR_GET_REASON(ERR_peek_error())`); for a
    /// system call failure, errno.
    pub fn reason_code(&self) -> Option<Reason> {
        self.error_stack().reason()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            ErrorCode::ZERO_RETURN => f.write_str("the TLS connection was closed by the peer")?,
            ErrorCode::WANT_READ => f.write_str("the operation should be retried when readable")?,
            ErrorCode::WANT_WRITE => {
                f.write_str("the operation should be retried when writable")?
            }
            ErrorCode::SYSCALL if self.cause.is_none() => {
                f.write_str("unexpected EOF or error after a fatal error")?
            }
            ErrorCode::SYSCALL => f.write_str("I/O error")?,
            ErrorCode::SSL => f.write_str("TLS error")?,
            c => write!(f, "error code {}", c.0)?,
        }
        match &self.cause {
            Some(InnerError::Ssl(s)) => write!(f, ": {s}"),
            Some(InnerError::Io(e)) => write!(f, ": {e}"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.cause {
            Some(InnerError::Ssl(s)) => Some(s),
            Some(InnerError::Io(e)) => Some(e),
            None => None,
        }
    }
}

impl From<ErrorStack> for Error {
    fn from(s: ErrorStack) -> Self {
        Error::ssl(s)
    }
}
