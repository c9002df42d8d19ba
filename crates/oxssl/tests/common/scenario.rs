//! The differential scenario runner: one scripted scenario, run once with oxssl's `Ssl` as
//! the subject and once with OpenSSL's `SSL` (the `openssl` crate plus the raw calls of
//! [`super::ossl_ffi`]), against the same peer (OpenSSL, the `openssl` crate) over the same
//! kind of transport. Each run records a trace of observations; the two traces, the
//! plaintext the peer received, the plaintext the subject read and the record sizes seen on
//! the wire after the handshake must be equal.
//!
//! Normalised observation ([`Obs`]): the C return value, `SSL_get_error`'s code, the first
//! error-queue entry (library, reason) and errno (for SSL_ERROR_SYSCALL only). OpenSSL's values
//! are taken from the C calls as they are; oxssl's `Result`s are mapped to the C return value
//! the C ABI gives for them (SSL_WRITE.md):
//! - `SSL_write`: `Ok(n)` is `n`; `Ok(0)` (only for `num == 0`) is 0 with SSL_ERROR_SYSCALL
//!   and an empty queue (section 4: the Rust call is `SSL_write_ex`, which returns 1 with
//!   written = 0); any error is -1.
//! - `SSL_read` / `SSL_peek`: `Ok(n)` is `n` (also `Ok(0)` for a zero-length buffer, which
//!   is not normalised: OpenSSL's 0 / SSL_ERROR_SYSCALL there is a reported divergence);
//!   ZERO_RETURN and the unexpected-EOF error (294) are 0 (section 9), and so is a fatal
//!   alert from the peer (reason 1000 + alert) met outside a handshake, for which OpenSSL's
//!   ssl3_read_bytes returns 0 (inside a handshake its state machine makes it -1); other
//!   errors -1.
//! - `SSL_shutdown`: `Sent` is 0, `Received` is 1, errors -1. `SSL_do_handshake`: 1 / -1.
//!   `SSL_key_update` and `SSL_renegotiate`: 1 / 0.
//!
//! Differences the project decided on and that this harness normalises:
//! - oxssl sets `SSL_MODE_RELEASE_BUFFERS` by default; OpenSSL does not. The bit has no
//!   observable effect on results, and mode comparisons mask it.
//! - Session tickets differ in size between the libraries (each server seals its own
//!   session format), so both subjects' servers send none (`set_num_tickets(0)`) and both
//!   send the same records; resumption has its own tests (resumption.rs).
//! - Handshake flights differ in size (certificates, extensions), so the handshake is driven
//!   by a retry loop whose intermediate WANT_* results are not compared, and record sizes
//!   are compared only after it. TLS 1.2 renegotiations put handshake records on the wire
//!   after that point: each run of consecutive handshake records counts as one record of
//!   length 0 ([`wire_shape`]), so their order among application data, alerts and
//!   ChangeCipherSpec is compared but not their sizes.
//! - TLS 1.2: every side (peer and subjects) runs with `SSL_OP_NO_TICKET` and servers
//!   without a session cache, so an OpenSSL client's abbreviated renegotiation (its answer
//!   to a HelloRequest) is a full handshake on both subjects and the records compare.
//! - Blocking sockets: a read that took the socket's whole read timeout also records
//!   "blocked until the read timeout", so a read that should have returned (WANT_READ
//!   after a renegotiation with AUTO_RETRY cleared) differs from one that waited for data.
//!
//! Comparison ([`compare`]): step by step, to the end of the script. The entries each run
//! recorded at a step (one call, a whole retry loop, a peer read, ...) are compared as a
//! sequence; every step where they differ is one [`Divergence`] with both sequences, and the
//! comparison goes on with the next step. After the script the runner lets the peer read
//! everything left; that read is recorded as step `steps.len()`. Then the data (what the
//! peer received, what was written, what the subject read, the record sizes) is compared,
//! as step [`END`]. Harness failures and within-run invariants are [`Outcome::problems`].
//!
//! Scenarios run with one protocol version ([`Version`], TLS 1.3 by default) that the peer
//! and both subjects get as their minimum and maximum.

use super::certs::{server_pki, KeyKind};
use super::ossl_ffi::{self as c, BioIo, CBio, CCall};
use openssl::ssl as os;
use oxssl::bio::{Bio, BioError, BioPair, MemBio, PairBio, SocketBio};
use oxssl::ssl as ox;
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// `SSL_MODE_ENABLE_PARTIAL_WRITE`.
pub const PARTIAL: u64 = 0x1;
/// `SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER`.
pub const MOVING: u64 = 0x2;
/// `SSL_MODE_AUTO_RETRY`.
pub const AUTO_RETRY: u64 = 0x4;
/// `SSL_MODE_RELEASE_BUFFERS`.
pub const RELEASE_BUFFERS: u64 = 0x10;
/// `SSL_OP_IGNORE_UNEXPECTED_EOF`.
pub const IGNORE_UNEXPECTED_EOF: u64 = 1 << 7;
/// `SSL_OP_ALLOW_CLIENT_RENEGOTIATION`.
pub const ALLOW_CLIENT_RENEGOTIATION: u64 = 1 << 8;
/// `SSL_OP_NO_RENEGOTIATION`.
pub const NO_RENEGOTIATION: u64 = 1 << 30;

/// `SSL_get_error` codes.
pub const NONE: i32 = 0;
pub const SSL: i32 = 1;
pub const WANT_READ: i32 = 2;
pub const WANT_WRITE: i32 = 3;
pub const SYSCALL: i32 = 5;
pub const ZERO_RETURN: i32 = 6;

const SOCKET_TIMEOUT: Duration = Duration::from_secs(5);

/// `SSL_AD_REASON_OFFSET`: the reason code of a received alert is this plus the alert.
const SSL_AD_REASON_OFFSET: i32 = 1000;

/// What carries the records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// `BIO_new_bio_pair(size, size)`; the subject owns one half, the peer the other.
    Pair(usize),
    /// Two memory BIOs: the subject's rbio (the peer writes into it) and wbio (the peer
    /// reads from it).
    Mem,
    /// A loopback TCP socket, non-blocking on the subject's side.
    NonBlockingSocket,
    /// A loopback TCP socket, blocking on the subject's side (with 5 s timeouts).
    BlockingSocket,
}

impl Transport {
    pub fn is_socket(self) -> bool {
        matches!(
            self,
            Transport::NonBlockingSocket | Transport::BlockingSocket
        )
    }
}

/// The protocol version of a scenario: the peer and both subjects are configured with it as
/// their minimum and maximum version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Version {
    /// TLS 1.2 (with ECDHE-ECDSA-AES128-GCM-SHA256, the TLS 1.2 counterpart of the TLS 1.3
    /// suite).
    Tls12,
    /// TLS 1.3 (with TLS_AES_128_GCM_SHA256).
    #[default]
    Tls13,
}

impl Version {
    fn openssl(self) -> os::SslVersion {
        match self {
            Version::Tls12 => os::SslVersion::TLS1_2,
            Version::Tls13 => os::SslVersion::TLS1_3,
        }
    }

    fn oxssl(self) -> ox::SslVersion {
        match self {
            Version::Tls12 => ox::SslVersion::TLS1_2,
            Version::Tls13 => ox::SslVersion::TLS1_3,
        }
    }

    /// The supported groups. X25519 is the key exchange; TLS 1.2 also needs P-256 listed,
    /// because a TLS 1.2 server only uses its ECDSA P-256 certificate if the client's
    /// supported_groups names that curve (OpenSSL's server fails with NO_SHARED_CIPHER
    /// otherwise).
    fn groups(self) -> &'static str {
        match self {
            Version::Tls12 => "X25519:P-256",
            Version::Tls13 => "X25519",
        }
    }
}

/// The subject's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

/// How much the peer takes out of the transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drain {
    /// Everything there is.
    All,
    /// Up to this many bytes.
    Bytes(usize),
}

/// The buffer a write retry passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Buf {
    /// The same slice as the previous call.
    Same,
    /// A copy of the buffer at a new address, same contents and length.
    Moved,
    /// The same address, `n` bytes from the current start.
    Shortened(usize),
    /// The same address, `n` bytes from the current start (more than before).
    Extended(usize),
}

/// One step of a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Drive both handshakes to completion (results not compared).
    Handshake,
    /// Case 1: a write of `len` bytes that has to drive the handshake. The first call's
    /// result and the final result are compared, the retries in between are not.
    FirstWrite(usize),
    /// One `SSL_write` of a new buffer of `len` bytes.
    Write(usize),
    /// One `SSL_write` retrying the current buffer.
    Retry(Buf),
    /// Flips the current buffer's bytes from `from` (relative to its start) to its end
    /// (including any room for extension).
    ModifyTail(usize),
    /// Retries the current buffer until it succeeds or fails for good; after each
    /// WANT_* the peer drains the transport. Every result is compared.
    RetryLoop(Drain),
    /// Writes a new buffer of `len` bytes completely: after a partial success the rest
    /// is written from the advanced slice, after WANT_* the peer drains. Every result is
    /// compared.
    WriteAll(usize, Drain),
    /// Sockets: writes new `len`-byte buffers until WANT_WRITE (the kernel buffers are
    /// full). How many writes that takes is not compared, only the last result.
    FillSocket(usize),
    /// Sockets: writes new `len`-byte buffers (2 ms apart, at most 200) until one fails;
    /// only the failure is compared.
    WriteUntilError(usize),
    /// One `SSL_read` into a buffer of this size.
    Read(usize),
    /// One `SSL_peek` into a buffer of this size.
    Peek(usize),
    /// `SSL_read` calls until one fails without the peer having anything more to send.
    ReadAll(usize),
    /// `SSL_pending`.
    Pending,
    /// `SSL_get_shutdown`.
    GetShutdown,
    /// `SSL_get_mode` (without RELEASE_BUFFERS).
    Mode,
    /// `SSL_shutdown`.
    Shutdown,
    /// `SSL_do_handshake`.
    DoHandshake,
    /// `SSL_key_update(type)`.
    KeyUpdate(i32),
    /// `SSL_renegotiate` on the subject.
    Renegotiate,
    /// `SSL_renegotiate_abbreviated` on the subject.
    RenegotiateAbbreviated,
    /// `SSL_renegotiate_pending` on the subject (recorded as a value, 0 or 1).
    RenegotiatePending,
    /// `SSL_set_mode`.
    SetMode(u64),
    /// `SSL_clear_mode`.
    ClearMode(u64),
    /// `SSL_set_options`.
    SetOptions(u64),
    /// `SSL_set_max_send_fragment` (whether it was accepted is compared).
    SetMaxSendFragment(usize),
    /// `SSL_set_split_send_fragment` (whether it was accepted is compared).
    SetSplitSendFragment(usize),
    /// `SSL_set_connect_state` (true) / `SSL_set_accept_state` (false).
    SetState(bool),
    /// Memory transport: `BIO_set_mem_eof_return(subject's rbio, 0)`.
    SetEofReturn0,
    /// Pair transport: `BIO_shutdown_wr` on the subject's half.
    ShutdownWrOwnHalf,
    /// Pair transport: `BIO_ctrl_pending`, `BIO_ctrl_wpending`,
    /// `BIO_ctrl_get_write_guarantee`, `BIO_ctrl_get_read_request` of the subject's half.
    Counters,
    /// Socket transports: the subject socket's read timeout, in milliseconds.
    SubjectReadTimeout(u64),
    /// The peer moves bytes out of the transport (not decrypting them yet).
    PeerDrain(Drain),
    /// The peer reads (decrypts) until it would block.
    PeerRead,
    /// The peer writes `len` bytes of application data. If its `SSL_write` wants to read
    /// (the peer is renegotiating and waits for the subject), the rest of the buffer stays
    /// pending for [`Step::PeerDrive`] and the WANT_READ is recorded.
    PeerWrite(usize),
    /// The peer's `SSL_shutdown` (sends close_notify).
    PeerShutdown,
    /// The peer's `SSL_key_update(requested)` followed by `SSL_do_handshake` to send it.
    PeerKeyUpdate(bool),
    /// The peer's `SSL_renegotiate` (its result is recorded; a TLS 1.2 renegotiation it
    /// starts is driven by the peer's next read, write or [`Step::PeerDoHandshake`]).
    PeerRenegotiate,
    /// The peer's `SSL_renegotiate_pending` (recorded as a value).
    PeerRenegotiatePending,
    /// One `SSL_do_handshake` of the peer (after flushing what it queued): sends a
    /// HelloRequest / renegotiating ClientHello it was asked for, or moves a renegotiation
    /// on with what the subject sent. Its result is recorded.
    PeerDoHandshake,
    /// Drives the peer through a renegotiation: retries the peer's write that stopped on
    /// WANT_READ (a [`Step::PeerWrite`] that had to renegotiate first), reads (decrypts,
    /// which moves the handshake on) until it would block, and retries the write again.
    /// Records the read (bytes, last call) and, if a write was pending, its last result.
    PeerDrive,
    /// The peer's transport goes away without close_notify: pair `BIO_shutdown_wr` of the
    /// peer's half, memory EOF on the subject's rbio, socket closed.
    PeerClose,
    /// Blocking sockets: the peer reads `n` bytes in a thread while the script goes on.
    PeerBackground(usize),
    /// Waits for [`Step::PeerBackground`].
    PeerJoin,
}

/// A scenario: transport, side, configuration and script.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub transport: Transport,
    pub side: Side,
    /// The protocol version (default TLS 1.3).
    pub version: Version,
    pub mode_set: u64,
    pub mode_clear: u64,
    pub options: u64,
    /// `SSL_set_options` on the peer (for example ALLOW_CLIENT_RENEGOTIATION).
    pub peer_options: u64,
    pub max_send_fragment: Option<usize>,
    pub split_send_fragment: Option<usize>,
    /// Session tickets the peer sends when it is the server.
    pub peer_tickets: usize,
    /// Whether the subject gets its connect/accept state before the script starts.
    pub set_state: bool,
    pub steps: Vec<Step>,
}

impl Scenario {
    pub fn new(transport: Transport, side: Side, steps: Vec<Step>) -> Self {
        Scenario {
            transport,
            side,
            version: Version::default(),
            mode_set: 0,
            mode_clear: 0,
            options: 0,
            peer_options: 0,
            max_send_fragment: None,
            split_send_fragment: None,
            peer_tickets: 0,
            set_state: true,
            steps,
        }
    }

    pub fn version(mut self, v: Version) -> Self {
        self.version = v;
        self
    }

    pub fn mode(mut self, bits: u64) -> Self {
        self.mode_set |= bits;
        self
    }

    pub fn clear_mode(mut self, bits: u64) -> Self {
        self.mode_clear |= bits;
        self
    }

    pub fn options(mut self, bits: u64) -> Self {
        self.options |= bits;
        self
    }

    pub fn peer_options(mut self, bits: u64) -> Self {
        self.peer_options |= bits;
        self
    }

    pub fn max_send_fragment(mut self, n: usize) -> Self {
        self.max_send_fragment = Some(n);
        self
    }

    pub fn split_send_fragment(mut self, n: usize) -> Self {
        self.split_send_fragment = Some(n);
        self
    }

    pub fn peer_tickets(mut self, n: usize) -> Self {
        self.peer_tickets = n;
        self
    }

    pub fn no_state(mut self) -> Self {
        self.set_state = false;
        self
    }

    /// The largest buffer the script writes (a write buffer is allocated at this size so
    /// that extended retries keep the address).
    fn buffer_capacity(&self) -> usize {
        self.steps
            .iter()
            .map(|s| match *s {
                Step::FirstWrite(n)
                | Step::Write(n)
                | Step::WriteAll(n, _)
                | Step::FillSocket(n)
                | Step::WriteUntilError(n)
                | Step::Retry(Buf::Extended(n)) => n,
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }
}

/// Which implementation is the subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Impl {
    Oxssl,
    Openssl,
}

/// One call's normalised outcome (see the module documentation). Its `Debug` form is the
/// expression that builds it (`Obs::fail(-1, WANT_WRITE).err(20, 127)`), so a divergence
/// printed by a failing test can be pasted into a list of known divergences.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Obs {
    pub ret: i64,
    pub code: i32,
    /// The first error-queue entry: (library, reason).
    pub err: Option<(i32, i32)>,
    /// errno, for SSL_ERROR_SYSCALL from the transport.
    pub errno: Option<i32>,
}

impl std::fmt::Debug for Obs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let code = match self.code {
            NONE => "NONE",
            SSL => "SSL",
            WANT_READ => "WANT_READ",
            WANT_WRITE => "WANT_WRITE",
            SYSCALL => "SYSCALL",
            ZERO_RETURN => "ZERO_RETURN",
            _ => "",
        };
        match (self.code, code) {
            (NONE, _) if self.err.is_none() && self.errno.is_none() => {
                write!(f, "Obs::ok({})", self.ret)?
            }
            (_, "") => write!(f, "Obs::fail({}, {})", self.ret, self.code)?,
            (_, name) => write!(f, "Obs::fail({}, {name})", self.ret)?,
        }
        if let Some((lib, reason)) = self.err {
            write!(f, ".err({lib}, {reason})")?;
        }
        if let Some(e) = self.errno {
            write!(f, ".errno({e})")?;
        }
        Ok(())
    }
}

impl Obs {
    /// A call that returned `ret` with SSL_ERROR_NONE.
    pub const fn ok(ret: i64) -> Obs {
        Obs {
            ret,
            code: NONE,
            err: None,
            errno: None,
        }
    }

    /// A call that returned `ret` with `SSL_get_error` code `code`, an empty error queue and
    /// no errno (add them with [`Obs::err`] and [`Obs::errno`]).
    pub const fn fail(ret: i64, code: i32) -> Obs {
        Obs {
            ret,
            code,
            err: None,
            errno: None,
        }
    }

    /// The first error-queue entry: (library, reason).
    pub const fn err(mut self, library: i32, reason: i32) -> Obs {
        self.err = Some((library, reason));
        self
    }

    /// errno (SSL_ERROR_SYSCALL from the transport).
    pub const fn errno(mut self, errno: i32) -> Obs {
        self.errno = Some(errno);
        self
    }

    fn is_want(&self) -> bool {
        self.code == WANT_READ || self.code == WANT_WRITE
    }

    fn from_c(c: CCall) -> Obs {
        if c.code == NONE {
            return Obs::ok(c.ret as i64);
        }
        Obs {
            ret: c.ret as i64,
            code: c.code,
            err: c.err,
            errno: (c.code == SYSCALL && c.errno != 0).then_some(c.errno),
        }
    }

    fn from_ox_err(e: &ox::Error, ret: i64) -> Obs {
        let code = e.code().as_raw();
        Obs {
            ret,
            code,
            err: e
                .error_stack()
                .errors()
                .first()
                .map(|x| (x.library, x.reason.0)),
            errno: if code == SYSCALL {
                e.io_error().and_then(|io| io.raw_os_error())
            } else {
                None
            },
        }
    }

    fn from_peer_err(e: &os::Error) -> Obs {
        Obs {
            ret: -1,
            code: e.code().as_raw(),
            err: e
                .ssl_error()
                .and_then(|s| s.errors().first())
                .map(|x| (x.library_code(), x.reason_code())),
            errno: None,
        }
    }
}

/// One trace entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A subject call.
    Call(Obs),
    /// A subject read or peek: its outcome and a checksum of the bytes it returned.
    Data(Obs, u64),
    /// A value the subject reported.
    Value(&'static str, i64),
    /// Pair counters of the subject's half: pending, wpending, write guarantee, read request.
    Counters([usize; 4]),
    /// A peer call.
    Peer(&'static str, Obs),
    /// A peer read step: bytes read and the call that ended it.
    PeerRead(usize, Obs),
    /// Data compared after the script (step [`END`]): what (see [`compare`]), its length
    /// (bytes, or records for a record sequence) and its [`checksum`] (for a record
    /// sequence, of its (type, length) pairs).
    Final(&'static str, usize, u64),
}

/// [`checksum`] of no bytes, for [`Entry::Data`] of calls that returned nothing.
pub const EMPTY_SUM: u64 = 0xcbf2_9ce4_8422_2325;

/// Record (type, length) sequences: subject to peer, peer to subject.
pub type Wire = (Vec<(u8, usize)>, Vec<(u8, usize)>);

/// Everything a run observed.
pub struct RunResult {
    pub trace: Vec<(usize, Entry)>,
    pub peer_received: Vec<u8>,
    pub subject_read: Vec<u8>,
    /// What the subject's successful writes reported as written, in order.
    pub committed: Vec<u8>,
    /// Record (type, length) sequences after the handshake: subject to peer, peer to subject.
    pub wire: Option<Wire>,
    /// True if the amount written depends on the kernel (socket fills): then the data is
    /// checked within each run only.
    pub volume_varies: bool,
    /// True if some writes went into a socket the peer had closed (their number depends on
    /// the kernel): what was written is not compared, what the peer received still is.
    pub committed_varies: bool,
    /// A failure of the harness or of an invariant within this run.
    pub problem: Option<String>,
}

/// The step index [`Divergence::step`] uses for the data compared after the script.
pub const END: usize = usize::MAX;

/// How two runs differ at one step: everything each run recorded at that step (for [`END`],
/// only the [`Entry::Final`] items that differ, in the same order on both sides).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The script step, `steps.len()` for the peer's final read, or [`END`].
    pub step: usize,
    pub oxssl: Vec<Entry>,
    pub openssl: Vec<Entry>,
}

/// The outcome of one differential run of a scenario.
pub struct Outcome {
    /// Every step at which the two runs differ, in step order.
    pub divergences: Vec<Divergence>,
    /// Failures of the harness or of an invariant within one run: always a test failure.
    pub problems: Vec<String>,
    pub oxssl: RunResult,
    pub openssl: RunResult,
}

// ----- subjects -----

trait Subject {
    fn write(&mut self, buf: &[u8]) -> Obs;
    fn read(&mut self, buf: &mut [u8], peek: bool) -> Obs;
    fn do_handshake(&mut self) -> Obs;
    fn shutdown(&mut self) -> Obs;
    fn key_update(&mut self, typ: i32) -> Obs;
    fn renegotiate(&mut self) -> Obs;
    fn renegotiate_abbreviated(&mut self) -> Obs;
    fn renegotiate_pending(&self) -> i32;
    fn pending(&self) -> usize;
    fn get_shutdown(&self) -> i32;
    fn mode(&self) -> u64;
    fn set_mode(&mut self, bits: u64);
    fn clear_mode(&mut self, bits: u64);
    fn set_options(&mut self, bits: u64);
    fn set_max_send_fragment(&mut self, n: usize) -> bool;
    fn set_split_send_fragment(&mut self, n: usize) -> bool;
    fn set_state(&mut self, client: bool);
    fn counters(&self) -> Option<[usize; 4]>;
    fn shutdown_wr_own_half(&mut self);
    fn set_eof_return(&mut self, v: i32);
}

enum OxTransport {
    Pair(PairBio),
    Mem(MemBio),
    Socket,
}

struct OxSubject {
    ssl: ox::Ssl,
    t: OxTransport,
}

fn ox_unit(r: Result<(), ox::Error>, ok: i64, fail: i64) -> Obs {
    match r {
        Ok(()) => Obs::ok(ok),
        Err(e) => Obs::from_ox_err(&e, fail),
    }
}

impl Subject for OxSubject {
    fn write(&mut self, buf: &[u8]) -> Obs {
        match self.ssl.ssl_write(buf) {
            // SSL_write(num = 0): 0 with SSL_ERROR_SYSCALL and an empty queue.
            Ok(0) => Obs {
                ret: 0,
                code: SYSCALL,
                err: None,
                errno: None,
            },
            Ok(n) => Obs::ok(n as i64),
            Err(e) => Obs::from_ox_err(&e, -1),
        }
    }

    fn read(&mut self, buf: &mut [u8], peek: bool) -> Obs {
        let idle = self.ssl.is_init_finished();
        let r = if peek {
            self.ssl.ssl_peek(buf)
        } else {
            self.ssl.ssl_read(buf)
        };
        match r {
            Ok(n) => Obs::ok(n as i64),
            Err(e) => {
                let reason = e.reason_code();
                let eof = e.code() == ox::ErrorCode::ZERO_RETURN
                    || (e.code() == ox::ErrorCode::SSL
                        && reason == Some(oxssl::reason::Reason::UNEXPECTED_EOF_WHILE_READING));
                // A fatal alert from the peer (reason SSL_AD_REASON_OFFSET + alert) seen by
                // a read outside a handshake: OpenSSL's ssl3_read_bytes returns 0.
                let alert = idle
                    && e.code() == ox::ErrorCode::SSL
                    && reason.is_some_and(|r| r.0 >= SSL_AD_REASON_OFFSET);
                Obs::from_ox_err(&e, if eof || alert { 0 } else { -1 })
            }
        }
    }

    fn do_handshake(&mut self) -> Obs {
        ox_unit(self.ssl.do_handshake(), 1, -1)
    }

    fn shutdown(&mut self) -> Obs {
        match self.ssl.shutdown() {
            Ok(ox::ShutdownResult::Sent) => Obs::ok(0),
            Ok(ox::ShutdownResult::Received) => Obs::ok(1),
            Err(e) => Obs::from_ox_err(&e, -1),
        }
    }

    fn key_update(&mut self, typ: i32) -> Obs {
        ox_unit(self.ssl.key_update_raw(typ), 1, 0)
    }

    fn renegotiate(&mut self) -> Obs {
        ox_unit(self.ssl.renegotiate(), 1, 0)
    }

    fn renegotiate_abbreviated(&mut self) -> Obs {
        ox_unit(self.ssl.renegotiate_abbreviated(), 1, 0)
    }

    fn renegotiate_pending(&self) -> i32 {
        self.ssl.renegotiate_pending() as i32
    }

    fn pending(&self) -> usize {
        self.ssl.pending()
    }

    fn get_shutdown(&self) -> i32 {
        self.ssl.get_shutdown().bits()
    }

    fn mode(&self) -> u64 {
        self.ssl.mode().bits()
    }

    fn set_mode(&mut self, bits: u64) {
        self.ssl.set_mode(ox::SslMode::from_bits_retain(bits));
    }

    fn clear_mode(&mut self, bits: u64) {
        self.ssl.clear_mode(ox::SslMode::from_bits_retain(bits));
    }

    fn set_options(&mut self, bits: u64) {
        self.ssl.set_options(ox::SslOptions::from_bits_retain(bits));
    }

    fn set_max_send_fragment(&mut self, n: usize) -> bool {
        self.ssl.set_max_send_fragment(n).is_ok()
    }

    fn set_split_send_fragment(&mut self, n: usize) -> bool {
        self.ssl.set_split_send_fragment(n).is_ok()
    }

    fn set_state(&mut self, client: bool) {
        if client {
            self.ssl.set_connect_state()
        } else {
            self.ssl.set_accept_state()
        }
    }

    fn counters(&self) -> Option<[usize; 4]> {
        match &self.t {
            OxTransport::Pair(h) => Some([
                h.pending(),
                h.wpending(),
                h.write_guarantee(),
                h.read_request(),
            ]),
            _ => None,
        }
    }

    fn shutdown_wr_own_half(&mut self) {
        match &self.t {
            OxTransport::Pair(h) => h.shutdown_wr(),
            _ => panic!("ShutdownWrOwnHalf needs a pair transport"),
        }
    }

    fn set_eof_return(&mut self, v: i32) {
        match &self.t {
            OxTransport::Mem(r) => r.set_eof_return(v),
            _ => panic!("SetEofReturn0 needs a memory transport"),
        }
    }
}

enum CTransport {
    Pair(CBio),
    Mem(CBio),
    Socket,
}

struct OsSubject {
    // Field order is drop order: the SSL (and its BIO references) goes first.
    ssl: os::Ssl,
    t: CTransport,
}

impl Subject for OsSubject {
    fn write(&mut self, buf: &[u8]) -> Obs {
        Obs::from_c(c::write(&self.ssl, buf))
    }

    fn read(&mut self, buf: &mut [u8], peek: bool) -> Obs {
        Obs::from_c(if peek {
            c::peek(&self.ssl, buf)
        } else {
            c::read(&self.ssl, buf)
        })
    }

    fn do_handshake(&mut self) -> Obs {
        Obs::from_c(c::do_handshake(&self.ssl))
    }

    fn shutdown(&mut self) -> Obs {
        Obs::from_c(c::shutdown(&self.ssl))
    }

    fn key_update(&mut self, typ: i32) -> Obs {
        Obs::from_c(c::key_update(&self.ssl, typ))
    }

    fn renegotiate(&mut self) -> Obs {
        Obs::from_c(c::renegotiate(&self.ssl))
    }

    fn renegotiate_abbreviated(&mut self) -> Obs {
        Obs::from_c(c::renegotiate_abbreviated(&self.ssl))
    }

    fn renegotiate_pending(&self) -> i32 {
        c::renegotiate_pending(&self.ssl)
    }

    fn pending(&self) -> usize {
        c::pending(&self.ssl)
    }

    fn get_shutdown(&self) -> i32 {
        c::get_shutdown(&self.ssl)
    }

    fn mode(&self) -> u64 {
        c::get_mode(&self.ssl)
    }

    fn set_mode(&mut self, bits: u64) {
        c::set_mode(&self.ssl, bits);
    }

    fn clear_mode(&mut self, bits: u64) {
        c::clear_mode(&self.ssl, bits);
    }

    fn set_options(&mut self, bits: u64) {
        c::set_options(&self.ssl, bits);
    }

    fn set_max_send_fragment(&mut self, n: usize) -> bool {
        c::set_max_send_fragment(&self.ssl, n)
    }

    fn set_split_send_fragment(&mut self, n: usize) -> bool {
        c::set_split_send_fragment(&self.ssl, n)
    }

    fn set_state(&mut self, client: bool) {
        c::set_state(&self.ssl, client)
    }

    fn counters(&self) -> Option<[usize; 4]> {
        match &self.t {
            CTransport::Pair(h) => Some([
                h.pending(),
                h.wpending(),
                h.write_guarantee(),
                h.read_request(),
            ]),
            _ => None,
        }
    }

    fn shutdown_wr_own_half(&mut self) {
        match &self.t {
            CTransport::Pair(h) => h.shutdown_wr(),
            _ => panic!("ShutdownWrOwnHalf needs a pair transport"),
        }
    }

    fn set_eof_return(&mut self, v: i32) {
        match &self.t {
            CTransport::Mem(r) => r.set_mem_eof_return(v),
            _ => panic!("SetEofReturn0 needs a memory transport"),
        }
    }
}

// ----- the peer's end of the transport -----

/// The peer's raw access to the transport.
trait RawEnd: Send {
    /// `Err(WouldBlock)` when nothing is there, `Ok(0)` at end of file.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize>;
    /// `Err(WouldBlock)` when full.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize>;
    /// Goes away without close_notify.
    fn close(&mut self);
}

fn would_block() -> io::Error {
    io::ErrorKind::WouldBlock.into()
}

fn from_ox_bio(r: Result<usize, BioError>) -> io::Result<usize> {
    match r {
        Ok(n) => Ok(n),
        Err(BioError::Retry) => Err(would_block()),
        Err(BioError::Io(e)) => Err(e),
        Err(BioError::Closed) => Err(io::ErrorKind::BrokenPipe.into()),
    }
}

fn from_c_bio(r: BioIo) -> io::Result<usize> {
    match r {
        BioIo::Done(n) => Ok(n),
        BioIo::Retry => Err(would_block()),
        BioIo::Eof => Ok(0),
        BioIo::Error => Err(io::ErrorKind::BrokenPipe.into()),
    }
}

struct OxPairEnd(PairBio);

impl RawEnd for OxPairEnd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        from_ox_bio(self.0.read(buf))
    }
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        from_ox_bio(self.0.write(buf))
    }
    fn close(&mut self) {
        self.0.shutdown_wr();
    }
}

/// The peer's side of two memory BIOs: it reads the subject's wbio and writes the
/// subject's rbio.
struct OxMemEnd {
    from_subject: MemBio,
    to_subject: MemBio,
}

impl RawEnd for OxMemEnd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        from_ox_bio(self.from_subject.read(buf))
    }
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        from_ox_bio(self.to_subject.write(buf))
    }
    fn close(&mut self) {
        self.to_subject.set_eof_return(0);
    }
}

struct CPairEnd(CBio);

impl RawEnd for CPairEnd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        from_c_bio(self.0.read(buf))
    }
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        from_c_bio(self.0.write(buf))
    }
    fn close(&mut self) {
        self.0.shutdown_wr();
    }
}

struct CMemEnd {
    from_subject: CBio,
    to_subject: CBio,
}

impl RawEnd for CMemEnd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        from_c_bio(self.from_subject.read(buf))
    }
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        from_c_bio(self.to_subject.write(buf))
    }
    fn close(&mut self) {
        self.to_subject.set_mem_eof_return(0);
    }
}

/// The peer's socket, non-blocking. A read that finds nothing waits a few milliseconds
/// before reporting WouldBlock, so loopback latency cannot make a run differ.
struct SockEnd(Option<TcpStream>);

impl RawEnd for SockEnd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(s) = self.0.as_mut() else {
            return Err(io::ErrorKind::NotConnected.into());
        };
        for i in 0..4 {
            match s.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && i < 3 => {
                    std::thread::sleep(Duration::from_millis(1))
                }
                r => return r,
            }
        }
        unreachable!()
    }
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.0.as_mut() {
            Some(s) => s.write(buf),
            None => Err(io::ErrorKind::NotConnected.into()),
        }
    }
    fn close(&mut self) {
        if let Some(s) = self.0.take() {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

/// Splits a byte stream into TLS records, logging (type, length).
#[derive(Default)]
struct RecordLog {
    hdr: Vec<u8>,
    body_left: usize,
    records: Vec<(u8, usize)>,
}

impl RecordLog {
    fn feed(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            if self.body_left > 0 {
                let k = self.body_left.min(data.len());
                self.body_left -= k;
                data = &data[k..];
                continue;
            }
            let k = (5 - self.hdr.len()).min(data.len());
            self.hdr.extend_from_slice(&data[..k]);
            data = &data[k..];
            if self.hdr.len() == 5 {
                let len = u16::from_be_bytes([self.hdr[3], self.hdr[4]]) as usize;
                self.records.push((self.hdr[0], len));
                self.body_left = len;
                self.hdr.clear();
            }
        }
    }
}

/// The peer's I/O: bytes drained from the transport but not yet decrypted, and bytes the
/// peer wrote that the transport has not taken yet (the peer never blocks on writes).
struct PeerIo {
    raw: Box<dyn RawEnd>,
    inbound: VecDeque<u8>,
    outbound: VecDeque<u8>,
    /// Records the subject sent / the peer sent.
    log_in: RecordLog,
    log_out: RecordLog,
}

impl PeerIo {
    fn raw_read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let r = self.raw.read(buf);
        if let Ok(n) = r {
            self.log_in.feed(&buf[..n]);
        }
        r
    }

    /// Pushes queued output into the transport; returns the bytes moved.
    fn flush_out(&mut self) -> usize {
        let mut moved = 0;
        while !self.outbound.is_empty() {
            let (a, _) = self.outbound.as_slices();
            let chunk = a.len().min(64 * 1024);
            match self.raw.write(&a[..chunk]) {
                Ok(n) if n > 0 => {
                    let bytes: Vec<u8> = self.outbound.drain(..n).collect();
                    self.log_out.feed(&bytes);
                    moved += n;
                }
                _ => break,
            }
        }
        moved
    }

    /// Moves up to `drain` bytes out of the transport into the inbound queue.
    fn drain(&mut self, drain: Drain) -> usize {
        let mut limit = match drain {
            Drain::All => usize::MAX,
            Drain::Bytes(n) => n,
        };
        let mut total = 0;
        let mut buf = vec![0u8; 64 * 1024];
        while limit > 0 {
            let k = limit.min(buf.len());
            match self.raw_read(&mut buf[..k]) {
                Ok(n) if n > 0 => {
                    self.inbound.extend(&buf[..n]);
                    total += n;
                    limit -= n;
                }
                _ => break,
            }
        }
        total
    }
}

impl Read for PeerIo {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.inbound.is_empty() {
            let n = buf.len().min(self.inbound.len());
            for (d, s) in buf.iter_mut().zip(self.inbound.drain(..n)) {
                *d = s;
            }
            return Ok(n);
        }
        self.raw_read(buf)
    }
}

impl Write for PeerIo {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.outbound.extend(buf);
        self.flush_out();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The peer: OpenSSL through the `openssl` crate, the same in both runs.
struct Peer {
    stream: os::SslStream<PeerIo>,
    received: Vec<u8>,
    writes: usize,
    connected: bool,
    /// A write that stopped on WANT_READ: its buffer (kept at the same address for the
    /// retry) and how much of it was written.
    pending_write: Option<(Vec<u8>, usize)>,
}

fn peer_context(subject_side: Side, version: Version, tickets: usize) -> os::SslContext {
    let mut b = os::SslContext::builder(os::SslMethod::tls()).unwrap();
    configure_openssl(&mut b, subject_side == Side::Client, version);
    if subject_side == Side::Client {
        // The peer is the server.
        b.set_num_tickets(tickets).unwrap();
    }
    b.build()
}

/// Exactly `version`, one suite per version and one group, the test PKI; `server` presents
/// the leaf, otherwise trusts the CA and verifies.
fn configure_openssl(b: &mut os::SslContextBuilder, server: bool, version: Version) {
    let pki = server_pki(KeyKind::EcdsaP256);
    b.set_min_proto_version(Some(version.openssl())).unwrap();
    b.set_max_proto_version(Some(version.openssl())).unwrap();
    b.set_ciphersuites("TLS_AES_128_GCM_SHA256").unwrap();
    b.set_cipher_list("ECDHE-ECDSA-AES128-GCM-SHA256").unwrap();
    b.set_groups_list(version.groups()).unwrap();
    if version == Version::Tls12 {
        // Without tickets and (servers) without a session cache, renegotiations are full
        // handshakes on both subjects (an OpenSSL client answers a HelloRequest with an
        // abbreviated renegotiation, which a server with a cache would resume).
        b.set_options(os::SslOptions::NO_TICKET);
        if server {
            b.set_session_cache_mode(os::SslSessionCacheMode::OFF);
        }
    }
    if server {
        let cert = openssl::x509::X509::from_der(&pki.leaf_der).unwrap();
        let key = openssl::pkey::PKey::private_key_from_der(&pki.key_der).unwrap();
        b.set_certificate(&cert).unwrap();
        b.set_private_key(&key).unwrap();
        b.set_verify(os::SslVerifyMode::NONE);
    } else {
        let ca = openssl::x509::X509::from_der(&pki.ca_der).unwrap();
        b.cert_store_mut().add_cert(ca).unwrap();
        b.set_verify(os::SslVerifyMode::PEER);
    }
}

fn pattern(seed: usize, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(31) ^ (i >> 7) ^ seed.wrapping_mul(97)) as u8)
        .collect()
}

fn checksum(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

impl Peer {
    fn new(sc: &Scenario, raw: Box<dyn RawEnd>) -> Peer {
        let subject_side = sc.side;
        let ctx = peer_context(subject_side, sc.version, sc.peer_tickets);
        let mut ssl = os::Ssl::new(&ctx).unwrap();
        if sc.peer_options != 0 {
            c::set_options(&ssl, sc.peer_options);
        }
        if subject_side == Side::Client {
            ssl.set_accept_state();
        } else {
            ssl.set_hostname("localhost").unwrap();
            ssl.param_mut().set_host("localhost").unwrap();
            ssl.set_connect_state();
        }
        let io = PeerIo {
            raw,
            inbound: VecDeque::new(),
            outbound: VecDeque::new(),
            log_in: RecordLog::default(),
            log_out: RecordLog::default(),
        };
        Peer {
            stream: os::SslStream::new(ssl, io).unwrap(),
            received: Vec::new(),
            writes: 0,
            connected: false,
            pending_write: None,
        }
    }

    fn io(&mut self) -> &mut PeerIo {
        self.stream.get_mut()
    }

    fn handshake_step(&mut self) -> Result<bool, String> {
        if self.connected {
            return Ok(true);
        }
        match self.stream.do_handshake() {
            Ok(()) => {
                self.connected = true;
                Ok(true)
            }
            Err(e) if matches!(e.code().as_raw(), WANT_READ | WANT_WRITE) => Ok(false),
            Err(e) => Err(format!("peer handshake failed: {e}")),
        }
    }

    /// Reads until the peer would block (or fails); returns the bytes and the last call.
    fn read_all(&mut self) -> (usize, Obs) {
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0;
        loop {
            match self.stream.ssl_read(&mut buf) {
                Ok(n) => {
                    self.received.extend_from_slice(&buf[..n]);
                    total += n;
                }
                Err(e) => return (total, Obs::from_peer_err(&e)),
            }
        }
    }

    fn write(&mut self, len: usize) -> Obs {
        self.writes += 1;
        let data = pattern(0x5000 + self.writes, len);
        self.resume_write(data, 0)
    }

    /// Writes `data[off..]`; on WANT_READ / WANT_WRITE the rest stays pending.
    fn resume_write(&mut self, data: Vec<u8>, mut off: usize) -> Obs {
        while off < data.len() {
            match self.stream.ssl_write(&data[off..]) {
                Ok(n) => off += n,
                Err(e) => {
                    let o = Obs::from_peer_err(&e);
                    if o.is_want() {
                        self.pending_write = Some((data, off));
                    }
                    return o;
                }
            }
        }
        Obs::ok(data.len() as i64)
    }

    /// Retries the pending write, if any.
    fn retry_write(&mut self) -> Option<Obs> {
        let (data, off) = self.pending_write.take()?;
        Some(self.resume_write(data, off))
    }

    /// [`Step::PeerDrive`]: write, read until blocked, write.
    fn drive(&mut self) -> (usize, Obs, Option<Obs>) {
        let mut w = self.retry_write();
        let (n, o) = self.read_all();
        if self.pending_write.is_some() {
            w = self.retry_write();
        }
        (n, o, w)
    }
}

// ----- building a run -----

fn tcp_pair() -> (TcpStream, TcpStream) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let a = TcpStream::connect(l.local_addr().unwrap()).unwrap();
    let (b, _) = l.accept().unwrap();
    for s in [&a, &b] {
        s.set_nodelay(true).unwrap();
        s.set_read_timeout(Some(SOCKET_TIMEOUT)).unwrap();
        s.set_write_timeout(Some(SOCKET_TIMEOUT)).unwrap();
    }
    b.set_nonblocking(true).unwrap();
    (a, b)
}

fn ox_subject(sc: &Scenario, sock: Option<&TcpStream>) -> (Box<dyn Subject>, Box<dyn RawEnd>) {
    let mut b = match sc.side {
        Side::Client => super::sslpair::client_ctx_builder(),
        Side::Server => super::sslpair::server_ctx_builder(),
    };
    b.set_min_proto_version(Some(sc.version.oxssl())).unwrap();
    b.set_max_proto_version(Some(sc.version.oxssl())).unwrap();
    b.set_ciphersuites("TLS_AES_128_GCM_SHA256").unwrap();
    b.set_groups_list(sc.version.groups()).unwrap();
    // Full handshakes only, as the OpenSSL subject (see the module documentation).
    b.set_num_tickets(0).unwrap();
    if sc.version == Version::Tls12 {
        b.set_options(ox::SslOptions::NO_TICKET);
        b.set_session_cache_mode(ox::SslSessionCacheMode::OFF);
    }
    let mut ssl = ox::Ssl::new(&b.build()).unwrap();
    if sc.side == Side::Client {
        ssl.set_verify_hostname("localhost");
        ssl.set_hostname("localhost").unwrap();
    }
    let (t, raw): (OxTransport, Box<dyn RawEnd>) = match sc.transport {
        Transport::Pair(size) => {
            let (a, p) = BioPair::new(size, size);
            ssl.set_bio(a.clone());
            (OxTransport::Pair(a), Box::new(OxPairEnd(p)))
        }
        Transport::Mem => {
            let (r, w) = (MemBio::new(), MemBio::new());
            ssl.set_bios(r.clone(), w.clone());
            (
                OxTransport::Mem(r.clone()),
                Box::new(OxMemEnd {
                    from_subject: w,
                    to_subject: r,
                }),
            )
        }
        Transport::NonBlockingSocket | Transport::BlockingSocket => {
            let s = sock.expect("socket");
            ssl.set_bio(SocketBio::new(s.try_clone().unwrap()));
            (OxTransport::Socket, Box::new(SockEnd(None)))
        }
    };
    let mut s = OxSubject { ssl, t };
    configure_subject(&mut s, sc);
    (Box::new(s), raw)
}

fn os_subject(sc: &Scenario, sock: Option<&TcpStream>) -> (Box<dyn Subject>, Box<dyn RawEnd>) {
    let mut b = os::SslContext::builder(os::SslMethod::tls()).unwrap();
    configure_openssl(&mut b, sc.side == Side::Server, sc.version);
    if sc.side == Side::Server {
        // No tickets, as the oxssl subject (see the module documentation).
        b.set_num_tickets(0).unwrap();
    }
    let ctx = b.build();
    let mut ssl = os::Ssl::new(&ctx).unwrap();
    if sc.side == Side::Client {
        ssl.set_hostname("localhost").unwrap();
        ssl.param_mut().set_host("localhost").unwrap();
    }
    let (t, raw): (CTransport, Box<dyn RawEnd>) = match sc.transport {
        Transport::Pair(size) => {
            let (a, p) = CBio::pair(size, size);
            c::set_bio(&ssl, &a, &a);
            (CTransport::Pair(a), Box::new(CPairEnd(p)))
        }
        Transport::Mem => {
            let (r, w) = (CBio::mem(), CBio::mem());
            c::set_bio(&ssl, &r, &w);
            (
                CTransport::Mem(r.clone()),
                Box::new(CMemEnd {
                    from_subject: w,
                    to_subject: r,
                }),
            )
        }
        Transport::NonBlockingSocket | Transport::BlockingSocket => {
            use std::os::fd::AsRawFd;
            let s = sock.expect("socket");
            let bio = CBio::socket(s.as_raw_fd());
            c::set_bio(&ssl, &bio, &bio);
            (CTransport::Socket, Box::new(SockEnd(None)))
        }
    };
    let mut s = OsSubject { ssl, t };
    configure_subject(&mut s, sc);
    (Box::new(s), raw)
}

fn configure_subject(s: &mut dyn Subject, sc: &Scenario) {
    if sc.mode_set != 0 {
        s.set_mode(sc.mode_set);
    }
    if sc.mode_clear != 0 {
        s.clear_mode(sc.mode_clear);
    }
    if sc.options != 0 {
        s.set_options(sc.options);
    }
    if let Some(n) = sc.max_send_fragment {
        assert!(s.set_max_send_fragment(n), "max_send_fragment {n}");
    }
    if let Some(n) = sc.split_send_fragment {
        assert!(s.set_split_send_fragment(n), "split_send_fragment {n}");
    }
    if sc.set_state {
        s.set_state(sc.side == Side::Client);
    }
}

/// The buffer writes and retries pass: `data[off..len]`.
struct WriteBuf {
    data: Vec<u8>,
    off: usize,
    len: usize,
    /// Buffers replaced by moved retries, kept alive so no later buffer reuses an address.
    graveyard: Vec<Vec<u8>>,
}

struct Runner {
    sc: Scenario,
    subject: Box<dyn Subject>,
    /// The subject's socket (the subject's BIO uses the same file description).
    sock: Option<TcpStream>,
    peer: Option<Peer>,
    background: Option<JoinHandle<(Peer, usize, Obs)>>,
    trace: Vec<(usize, Entry)>,
    step: usize,
    buf: WriteBuf,
    capacity: usize,
    write_seq: usize,
    committed: Vec<u8>,
    subject_read: Vec<u8>,
    wire_mark: Option<(usize, usize)>,
    volume_varies: bool,
    committed_varies: bool,
}

const LOOP_LIMIT: usize = 100_000;

impl Runner {
    fn peer(&mut self) -> &mut Peer {
        self.peer
            .as_mut()
            .expect("the peer is reading in the background")
    }

    fn record(&mut self, e: Entry) {
        let e = match e {
            // After a socket fill the amount the peer reads depends on the kernel.
            Entry::PeerRead(_, o) if self.volume_varies => Entry::PeerRead(0, o),
            e => e,
        };
        self.trace.push((self.step, e));
    }

    fn flush_peer(&mut self) -> usize {
        match self.peer.as_mut() {
            Some(p) => p.io().flush_out(),
            None => 0,
        }
    }

    fn new_buffer(&mut self, len: usize) {
        self.write_seq += 1;
        let mut data = pattern(self.write_seq, self.capacity.max(len));
        data.truncate(self.capacity.max(len));
        self.buf.data = data;
        self.buf.off = 0;
        self.buf.len = len;
    }

    /// One write of the current buffer slice.
    fn write_current(&mut self) -> Obs {
        self.flush_peer();
        let (off, len) = (self.buf.off, self.buf.len);
        let o = self.subject.write(&self.buf.data[off..len]);
        if o.ret > 0 {
            let n = o.ret as usize;
            self.committed
                .extend_from_slice(&self.buf.data[off..off + n]);
        }
        o
    }

    fn drain(&mut self, d: Drain) -> usize {
        self.flush_peer();
        self.peer().io().drain(d)
    }

    fn set_blocking(&mut self, blocking: bool) {
        if self.sc.transport == Transport::BlockingSocket {
            self.sock
                .as_ref()
                .unwrap()
                .set_nonblocking(!blocking)
                .unwrap();
        }
    }

    /// Blocking sockets: true if a call that started at `t0` took the socket's whole read
    /// timeout (it waited for data that never came rather than returning).
    fn blocked_until_timeout(&self, t0: Instant) -> bool {
        if self.sc.transport != Transport::BlockingSocket {
            return false;
        }
        let timeout = self
            .sock
            .as_ref()
            .and_then(|s| s.read_timeout().ok().flatten())
            .unwrap_or(SOCKET_TIMEOUT);
        // SO_RCVTIMEO may wake up a little early.
        t0.elapsed() >= timeout * 9 / 10
    }

    fn pause_if_socket(&self, i: usize) {
        if self.sc.transport.is_socket() && i > 20 {
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn handshake(&mut self) -> Result<(), String> {
        self.set_blocking(false);
        let mut sdone = false;
        let mut pdone = false;
        for i in 0..LOOP_LIMIT {
            self.flush_peer();
            if !sdone {
                let o = self.subject.do_handshake();
                if o.ret == 1 {
                    sdone = true;
                } else if !o.is_want() {
                    return Err(format!("subject handshake failed: {o:?}"));
                }
            }
            self.flush_peer();
            pdone = self.peer().handshake_step()?;
            if sdone && pdone {
                break;
            }
            self.pause_if_socket(i);
        }
        self.set_blocking(true);
        if !(sdone && pdone) {
            return Err("handshake did not complete".into());
        }
        let io = self.peer().io();
        self.wire_mark = Some((io.log_in.records.len(), io.log_out.records.len()));
        Ok(())
    }

    fn first_write(&mut self, len: usize) -> Result<(), String> {
        self.new_buffer(len);
        let mut o = self.write_current();
        self.record(Entry::Call(o));
        let mut i = 0;
        while o.is_want() && i < LOOP_LIMIT {
            self.flush_peer();
            self.peer().handshake_step()?;
            o = self.write_current();
            self.pause_if_socket(i);
            i += 1;
        }
        if i > 0 {
            self.record(Entry::Call(o));
        }
        for i in 0..LOOP_LIMIT {
            self.flush_peer();
            if self.peer().handshake_step()? {
                break;
            }
            self.pause_if_socket(i);
        }
        Ok(())
    }

    fn exec(&mut self, step: &Step) -> Result<(), String> {
        match *step {
            Step::Handshake => self.handshake()?,
            Step::FirstWrite(len) => self.first_write(len)?,
            Step::Write(len) => {
                self.new_buffer(len);
                let o = self.write_current();
                self.record(Entry::Call(o));
            }
            Step::Retry(b) => {
                match b {
                    Buf::Same => {}
                    Buf::Moved => {
                        let copy = self.buf.data.clone();
                        let old = std::mem::replace(&mut self.buf.data, copy);
                        self.buf.graveyard.push(old);
                    }
                    Buf::Shortened(n) | Buf::Extended(n) => {
                        assert!(self.buf.off + n <= self.buf.data.len(), "buffer capacity");
                        self.buf.len = self.buf.off + n;
                    }
                }
                let o = self.write_current();
                self.record(Entry::Call(o));
            }
            Step::ModifyTail(from) => {
                let start = self.buf.off + from;
                for b in &mut self.buf.data[start..] {
                    *b ^= 0xa5;
                }
            }
            Step::RetryLoop(d) => {
                for _ in 0..LOOP_LIMIT {
                    let o = self.write_current();
                    self.record(Entry::Call(o));
                    if !o.is_want() {
                        break;
                    }
                    self.drain(d);
                }
            }
            Step::WriteAll(len, d) => {
                self.new_buffer(len);
                for _ in 0..LOOP_LIMIT {
                    let o = self.write_current();
                    self.record(Entry::Call(o));
                    if o.ret > 0 {
                        self.buf.off += o.ret as usize;
                        if self.buf.off >= self.buf.len {
                            break;
                        }
                    } else if o.is_want() {
                        self.drain(d);
                    } else {
                        break;
                    }
                }
            }
            Step::FillSocket(len) => {
                self.volume_varies = true;
                let mut last = None;
                for _ in 0..20_000 {
                    self.new_buffer(len);
                    let o = self.write_current();
                    if o.ret <= 0 {
                        last = Some(o);
                        break;
                    }
                }
                match last {
                    Some(o) => self.record(Entry::Call(o)),
                    None => return Err("the socket never filled up".into()),
                }
            }
            Step::WriteUntilError(len) => {
                self.committed_varies = true;
                let mut last = None;
                for _ in 0..200 {
                    self.new_buffer(len);
                    let o = self.write_current();
                    if o.ret <= 0 {
                        last = Some(o);
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
                match last {
                    Some(o) => self.record(Entry::Call(o)),
                    None => self.record(Entry::Value("writes never failed", 0)),
                }
            }
            Step::Read(max) | Step::Peek(max) => {
                self.flush_peer();
                let peek = matches!(step, Step::Peek(_));
                let mut b = vec![0u8; max];
                let t0 = Instant::now();
                let o = self.subject.read(&mut b, peek);
                let timed_out = self.blocked_until_timeout(t0);
                let got = &b[..o.ret.max(0) as usize];
                let sum = checksum(got);
                if !peek {
                    self.subject_read.extend_from_slice(got);
                }
                self.record(Entry::Data(o, sum));
                if timed_out {
                    self.record(Entry::Value("blocked until the read timeout", 1));
                }
            }
            Step::ReadAll(max) => {
                let mut b = vec![0u8; max];
                for _ in 0..LOOP_LIMIT {
                    self.flush_peer();
                    let o = self.subject.read(&mut b, false);
                    let got = &b[..o.ret.max(0) as usize];
                    self.subject_read.extend_from_slice(got);
                    self.record(Entry::Data(o, checksum(got)));
                    if o.ret > 0 {
                        continue;
                    }
                    if o.code == WANT_READ && self.flush_peer() > 0 {
                        continue;
                    }
                    break;
                }
            }
            Step::Pending => {
                let n = self.subject.pending();
                self.record(Entry::Value("pending", n as i64));
            }
            Step::GetShutdown => {
                let v = self.subject.get_shutdown();
                self.record(Entry::Value("get_shutdown", v as i64));
            }
            Step::Mode => {
                let m = self.subject.mode() & !RELEASE_BUFFERS;
                self.record(Entry::Value("mode", m as i64));
            }
            Step::Shutdown => {
                self.flush_peer();
                let o = self.subject.shutdown();
                self.record(Entry::Call(o));
            }
            Step::DoHandshake => {
                self.flush_peer();
                let o = self.subject.do_handshake();
                self.record(Entry::Call(o));
            }
            Step::KeyUpdate(t) => {
                let o = self.subject.key_update(t);
                self.record(Entry::Call(o));
            }
            Step::Renegotiate => {
                let o = self.subject.renegotiate();
                self.record(Entry::Call(o));
            }
            Step::RenegotiateAbbreviated => {
                let o = self.subject.renegotiate_abbreviated();
                self.record(Entry::Call(o));
            }
            Step::RenegotiatePending => {
                let v = self.subject.renegotiate_pending();
                self.record(Entry::Value("renegotiate_pending", v as i64));
            }
            Step::SetMode(m) => self.subject.set_mode(m),
            Step::ClearMode(m) => self.subject.clear_mode(m),
            Step::SetOptions(o) => self.subject.set_options(o),
            Step::SetMaxSendFragment(n) => {
                let ok = self.subject.set_max_send_fragment(n);
                self.record(Entry::Value("set_max_send_fragment", ok as i64));
            }
            Step::SetSplitSendFragment(n) => {
                let ok = self.subject.set_split_send_fragment(n);
                self.record(Entry::Value("set_split_send_fragment", ok as i64));
            }
            Step::SetState(client) => self.subject.set_state(client),
            Step::SetEofReturn0 => self.subject.set_eof_return(0),
            Step::ShutdownWrOwnHalf => self.subject.shutdown_wr_own_half(),
            Step::Counters => {
                let c = self
                    .subject
                    .counters()
                    .expect("Counters needs a pair transport");
                self.record(Entry::Counters(c));
            }
            Step::SubjectReadTimeout(ms) => {
                let s = self
                    .sock
                    .as_ref()
                    .expect("SubjectReadTimeout needs a socket");
                s.set_read_timeout(Some(Duration::from_millis(ms))).unwrap();
            }
            Step::PeerDrain(d) => {
                let n = self.drain(d);
                self.record(Entry::Value("peer drained", n as i64));
            }
            Step::PeerRead => {
                self.flush_peer();
                let (n, o) = self.peer().read_all();
                self.record(Entry::PeerRead(n, o));
            }
            Step::PeerWrite(len) => {
                let o = self.peer().write(len);
                self.record(Entry::Peer("write", o));
            }
            Step::PeerShutdown => {
                let o = match self.peer().stream.shutdown() {
                    Ok(os::ShutdownResult::Sent) => Obs::ok(0),
                    Ok(os::ShutdownResult::Received) => Obs::ok(1),
                    Err(e) => Obs::from_peer_err(&e),
                };
                self.record(Entry::Peer("shutdown", o));
            }
            Step::PeerKeyUpdate(requested) => {
                let p = self.peer();
                let o = Obs::from_c(c::key_update(p.stream.ssl(), requested as i32));
                let h = match p.stream.do_handshake() {
                    Ok(()) => Obs::ok(1),
                    Err(e) => Obs::from_peer_err(&e),
                };
                self.record(Entry::Peer("key_update", o));
                self.record(Entry::Peer("do_handshake", h));
            }
            Step::PeerRenegotiate => {
                let o = Obs::from_c(c::renegotiate(self.peer().stream.ssl()));
                self.record(Entry::Peer("renegotiate", o));
            }
            Step::PeerRenegotiatePending => {
                let v = c::renegotiate_pending(self.peer().stream.ssl());
                self.record(Entry::Value("peer renegotiate_pending", v as i64));
            }
            Step::PeerDoHandshake => {
                self.flush_peer();
                let o = Obs::from_c(c::do_handshake(self.peer().stream.ssl()));
                self.flush_peer();
                self.record(Entry::Peer("do_handshake", o));
            }
            Step::PeerDrive => {
                self.flush_peer();
                let (n, o, w) = self.peer().drive();
                self.flush_peer();
                self.record(Entry::PeerRead(n, o));
                if let Some(w) = w {
                    self.record(Entry::Peer("write", w));
                }
            }
            Step::PeerClose => {
                self.flush_peer();
                self.peer().io().raw.close();
            }
            Step::PeerBackground(bytes) => {
                let mut p = self.peer.take().expect("peer");
                self.background = Some(std::thread::spawn(move || {
                    let deadline = Instant::now() + SOCKET_TIMEOUT;
                    let mut buf = vec![0u8; 64 * 1024];
                    let mut total = 0;
                    let mut last = Obs::ok(0);
                    while total < bytes && Instant::now() < deadline {
                        match p.stream.ssl_read(&mut buf) {
                            Ok(n) => {
                                p.received.extend_from_slice(&buf[..n]);
                                total += n;
                            }
                            Err(e) if e.code().as_raw() == WANT_READ => {
                                std::thread::sleep(Duration::from_millis(1))
                            }
                            Err(e) => {
                                last = Obs::from_peer_err(&e);
                                break;
                            }
                        }
                    }
                    (p, total, last)
                }));
            }
            Step::PeerJoin => self.join()?,
        }
        Ok(())
    }

    fn join(&mut self) -> Result<(), String> {
        if let Some(h) = self.background.take() {
            let (p, n, o) = h.join().map_err(|_| "background peer panicked")?;
            self.peer = Some(p);
            self.record(Entry::PeerRead(n, o));
        }
        Ok(())
    }
}

/// Runs `sc` with `imp` as the subject.
pub fn run(sc: &Scenario, imp: Impl) -> RunResult {
    let (sock, peer_sock) = if sc.transport.is_socket() {
        let (a, b) = tcp_pair();
        a.set_nonblocking(sc.transport == Transport::NonBlockingSocket)
            .unwrap();
        (Some(a), Some(b))
    } else {
        (None, None)
    };
    let (subject, mut raw) = match imp {
        Impl::Oxssl => ox_subject(sc, sock.as_ref()),
        Impl::Openssl => os_subject(sc, sock.as_ref()),
    };
    if let Some(b) = peer_sock {
        raw = Box::new(SockEnd(Some(b)));
    }
    let peer = Peer::new(sc, raw);
    let capacity = sc.buffer_capacity();
    let mut r = Runner {
        sc: sc.clone(),
        subject,
        sock,
        peer: Some(peer),
        background: None,
        trace: Vec::new(),
        step: 0,
        buf: WriteBuf {
            data: Vec::new(),
            off: 0,
            len: 0,
            graveyard: Vec::new(),
        },
        capacity,
        write_seq: 0,
        committed: Vec::new(),
        subject_read: Vec::new(),
        wire_mark: None,
        volume_varies: false,
        committed_varies: false,
    };
    let mut problem = None;
    for (i, step) in sc.steps.iter().enumerate() {
        r.step = i;
        if let Err(e) = r.exec(step) {
            problem = Some(format!("step {i} ({step:?}): {e}"));
            break;
        }
    }
    // Final: the peer takes and decrypts everything left in the transport.
    r.step = sc.steps.len();
    if let Err(e) = r.join() {
        problem.get_or_insert(e);
    }
    r.flush_peer();
    let (n, o) = r.peer().read_all();
    r.record(Entry::PeerRead(n, o));
    let peer = r.peer.take().unwrap();
    let wire = r.wire_mark.map(|(i, o)| {
        let io = peer.stream.get_ref();
        (
            io.log_in.records[i..].to_vec(),
            io.log_out.records[o..].to_vec(),
        )
    });
    let peer_received = peer.received.clone();
    // Within one run: the peer received exactly what the subject reported as written
    // (after a fatal error it may hold more: whole records of the failed call).
    if problem.is_none()
        && !peer_received.starts_with(&r.committed)
        && !r.committed.starts_with(&peer_received)
    {
        problem = Some(format!(
            "peer received {} bytes that are not a prefix of / prefixed by the {} bytes written",
            peer_received.len(),
            r.committed.len()
        ));
    }
    RunResult {
        trace: r.trace,
        peer_received,
        subject_read: r.subject_read,
        committed: r.committed,
        wire,
        volume_varies: r.volume_varies,
        committed_varies: r.committed_varies,
        problem,
    }
}

fn records_sum(records: &[(u8, usize)]) -> u64 {
    let bytes: Vec<u8> = records
        .iter()
        .flat_map(|&(t, l)| [t].into_iter().chain((l as u32).to_be_bytes()))
        .collect();
    checksum(&bytes)
}

/// A record sequence as compared: TLS 1.2 renegotiation handshakes are plaintext-typed
/// handshake records whose sizes and split into records depend on the implementation (its
/// extensions; OpenSSL sends one record per message), so each run of consecutive handshake
/// records (content type 22) counts as one record of length 0. Application data, alerts
/// and ChangeCipherSpec records keep their sizes.
fn wire_shape(records: &[(u8, usize)]) -> Vec<(u8, usize)> {
    const HANDSHAKE: u8 = 22;
    let mut out: Vec<(u8, usize)> = Vec::with_capacity(records.len());
    for &(t, l) in records {
        if t != HANDSHAKE {
            out.push((t, l));
        } else if out.last() != Some(&(HANDSHAKE, 0)) {
            out.push((HANDSHAKE, 0));
        }
    }
    out
}

fn bytes_entry(what: &'static str, data: &[u8]) -> Entry {
    Entry::Final(what, data.len(), checksum(data))
}

/// The data compared after the script, the same items in the same order for both runs:
/// what the peer received, what the subject's writes reported as written, what the subject
/// read, and the record sequences after the handshake (each direction). The first two and
/// the records are left out when they depend on the kernel (socket fills; writes into a
/// closed socket), the records also when the script has no [`Step::Handshake`].
fn finals(ox: &RunResult, os: &RunResult) -> [Vec<Entry>; 2] {
    let varies = ox.volume_varies || os.volume_varies;
    let committed_varies = ox.committed_varies || os.committed_varies;
    let wire = !varies && !committed_varies && ox.wire.is_some() && os.wire.is_some();
    [ox, os].map(|r| {
        let mut v = Vec::new();
        if !varies {
            v.push(bytes_entry("peer received", &r.peer_received));
        }
        if !varies && !committed_varies {
            v.push(bytes_entry("written", &r.committed));
        }
        v.push(bytes_entry("subject read", &r.subject_read));
        if let (true, Some((to_peer, to_subject))) = (wire, &r.wire) {
            let (to_peer, to_subject) = (wire_shape(to_peer), wire_shape(to_subject));
            v.push(Entry::Final(
                "records subject->peer",
                to_peer.len(),
                records_sum(&to_peer),
            ));
            v.push(Entry::Final(
                "records peer->subject",
                to_subject.len(),
                records_sum(&to_subject),
            ));
        }
        v
    })
}

/// The entries a trace recorded at each step.
fn by_step(trace: &[(usize, Entry)]) -> std::collections::BTreeMap<usize, Vec<Entry>> {
    let mut m = std::collections::BTreeMap::<usize, Vec<Entry>>::new();
    for (step, e) in trace {
        m.entry(*step).or_default().push(e.clone());
    }
    m
}

/// Compares an oxssl run with an OpenSSL run step by step, to the end: every step whose
/// entries differ (count or value) is a [`Divergence`] listing both runs' entries at that
/// step, and the comparison goes on with the next step (steps realign the traces, so a
/// retry loop that took another number of calls does not shift the later steps). Then the
/// data after the script ([`finals`]) is compared item by item (step [`END`]).
pub fn compare(ox: &RunResult, os: &RunResult) -> Vec<Divergence> {
    let (a, b) = (by_step(&ox.trace), by_step(&os.trace));
    let mut steps: Vec<usize> = a.keys().chain(b.keys()).copied().collect();
    steps.sort_unstable();
    steps.dedup();
    let mut out = Vec::new();
    for step in steps {
        let (x, y) = (a.get(&step), b.get(&step));
        if x != y {
            out.push(Divergence {
                step,
                oxssl: x.cloned().unwrap_or_default(),
                openssl: y.cloned().unwrap_or_default(),
            });
        }
    }
    let [fx, fy] = finals(ox, os);
    let (dx, dy): (Vec<Entry>, Vec<Entry>) = fx.into_iter().zip(fy).filter(|(x, y)| x != y).unzip();
    if !dx.is_empty() {
        out.push(Divergence {
            step: END,
            oxssl: dx,
            openssl: dy,
        });
    }
    out
}

/// Failures within the runs: harness errors, and (when the written volume depends on the
/// kernel, so it is not compared between the runs) a peer that did not receive everything
/// its subject reported as written (after a fatal error it may hold more: whole records of
/// the failed call).
fn problems(ox: &RunResult, os: &RunResult) -> Vec<String> {
    let varies = ox.volume_varies || os.volume_varies;
    let mut out = Vec::new();
    for (name, r) in [("oxssl", ox), ("OpenSSL", os)] {
        if let Some(p) = &r.problem {
            out.push(format!("{name} run: {p}"));
        }
        if varies && !r.peer_received.starts_with(&r.committed) {
            out.push(format!(
                "{name} run: the peer received {} bytes, not all of the {} written",
                r.peer_received.len(),
                r.committed.len()
            ));
        }
    }
    out
}

/// Runs `sc` against both subjects and compares.
pub fn differential(sc: &Scenario) -> Outcome {
    let oxssl = run(sc, Impl::Oxssl);
    let openssl = run(sc, Impl::Openssl);
    Outcome {
        divergences: compare(&oxssl, &openssl),
        problems: problems(&oxssl, &openssl),
        oxssl,
        openssl,
    }
}
