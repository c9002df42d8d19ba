//! A non-blocking loopback echo test: 200 oxssl clients and the 200 matching oxssl server
//! connections, 400 sockets (plus the listener) in ONE `mio::Poll` on ONE thread.
//!
//! - Every connection is an `SslStream` over a non-blocking mio `TcpStream` (wrapped in
//!   [`Sock`], which counts the system calls). Handshakes advance through
//!   `HandshakeError::WouldBlock` / `MidHandshakeSslStream::handshake`.
//! - Each client sends a seeded pseudo-random sequence of messages, sizes uniform in
//!   0..200000 (a few clients also send the edge sizes 0, 1, 16383, 16384, 16385, 199999).
//!   Odd clients and odd server connections run with `SslMode::ENABLE_PARTIAL_WRITE`.
//!   A write that returns WANT_WRITE is retried with the same slice (same pointer, same
//!   length), as the `SSL_write` contract requires.
//! - The server echoes everything; each client checks every byte (a position-dependent
//!   pattern, so loss, duplication and reordering all show) and then both sides close with
//!   close_notify, each seeing the other's.
//! - Interest is READABLE always, plus WRITABLE only while a write (or handshake or
//!   shutdown) is blocked with WANT_WRITE. mio is edge-triggered, so after every event the
//!   connection is driven until it blocks again.
//! - Wake-ups (poll returns) and events are counted and bounded (see [`check_bounds`]); a
//!   poll that returns no event is a failure (a stall if it waited its whole timeout, a
//!   spurious wake-up otherwise), and the whole run has a 60 s deadline.

#[allow(dead_code)]
#[path = "common/certs.rs"]
mod certs;

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use oxssl::ssl::{
    ErrorCode, HandshakeError, MidHandshakeSslStream, ShutdownResult, ShutdownState, Ssl,
    SslAcceptor, SslConnector, SslMethod, SslMode, SslStream,
};
use socket2::{Domain, Protocol, SockRef, Socket, Type};
use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

const CONNS: usize = 200;
/// Message sizes are uniform in `0..MAX_MSG`.
const MAX_MSG: usize = 200_000;
/// Messages per client: uniform in `1..=MAX_MSGS_PER_CONN`.
const MAX_MSGS_PER_CONN: usize = 2;
/// TLS plaintext record size (oxssl's default `max_send_fragment`).
const RECORD: usize = 16384;
/// The server's echo buffer: it reads up to this much, then writes it back in one call.
const ECHO_BUF: usize = 64 * 1024;
const SEED: u64 = 0x0e55_ec40_2024_0001;
const DEADLINE: Duration = Duration::from_secs(60);
/// Everything happens on this thread over loopback, so when poll finds nothing to report
/// nothing will ever happen: waiting this long means a lost wake-up.
const STALL: Duration = Duration::from_secs(10);
const LISTENER: Token = Token(0);
/// SO_SNDBUF / SO_RCVBUF asked for on the server sockets (Linux doubles it): small, so that
/// writes of 16 KiB records really block and WANT_WRITE retries happen all the time.
const SERVER_SOCKBUF: usize = 16 * 1024;
/// The same for client `i`: `CLIENT_SOCKBUF[i % 4]`.
const CLIENT_SOCKBUF: [usize; 4] = [4 * 1024, 8 * 1024, 16 * 1024, 48 * 1024];

#[cfg(target_os = "linux")]
const EINPROGRESS: i32 = 115;
#[cfg(not(target_os = "linux"))]
const EINPROGRESS: i32 = 36; // macOS and the BSDs

/// A non-blocking connect with small socket buffers (set before the SYN, so the window is
/// small from the start).
fn connect_small(addr: std::net::SocketAddr, bufsize: usize) -> TcpStream {
    let sock = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).unwrap();
    sock.set_send_buffer_size(bufsize).unwrap();
    sock.set_recv_buffer_size(bufsize).unwrap();
    sock.set_tcp_nodelay(true).unwrap();
    sock.set_nonblocking(true).unwrap();
    match sock.connect(&addr.into()) {
        Ok(()) => {}
        // The connect goes on in the background (EINPROGRESS has no stable ErrorKind yet).
        Err(e)
            if e.raw_os_error() == Some(EINPROGRESS) || e.kind() == io::ErrorKind::WouldBlock => {}
        Err(e) => panic!("connect: {e}"),
    }
    TcpStream::from_std(sock.into())
}

// ----- deterministic data -----

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = splitmix(self.0);
        (self.0 % n as u64) as usize
    }
}

/// The byte stream of one client: byte `off` is a hash of (client seed, off / 8).
fn fill_pattern(seed: u64, start: u64, out: &mut [u8]) {
    for (i, b) in out.iter_mut().enumerate() {
        let off = start + i as u64;
        *b = (splitmix(seed ^ (off >> 3)) >> ((off & 7) * 8)) as u8;
    }
}

fn message_sizes(client: usize) -> Vec<usize> {
    let mut rng = Rng(SEED ^ (client as u64).wrapping_mul(0x1000_0000_01b3));
    let mut sizes = Vec::new();
    if client % 40 == 0 {
        sizes.extend([0, 1, RECORD - 1, RECORD, RECORD + 1, MAX_MSG - 1]);
    }
    for _ in 0..1 + rng.below(MAX_MSGS_PER_CONN) {
        sizes.push(rng.below(MAX_MSG));
    }
    sizes
}

// ----- a counting socket -----

/// System calls on one socket.
#[derive(Clone, Copy, Debug, Default)]
struct IoCounts {
    /// Reads that returned data.
    reads: u64,
    read_bytes: u64,
    /// Reads that returned WouldBlock.
    read_blocked: u64,
    /// Reads that returned 0 (EOF).
    eofs: u64,
    /// Writes that took data.
    writes: u64,
    write_bytes: u64,
    /// Writes that returned WouldBlock.
    write_blocked: u64,
}

impl IoCounts {
    fn add(&mut self, o: &IoCounts) {
        self.reads += o.reads;
        self.read_bytes += o.read_bytes;
        self.read_blocked += o.read_blocked;
        self.eofs += o.eofs;
        self.writes += o.writes;
        self.write_bytes += o.write_bytes;
        self.write_blocked += o.write_blocked;
    }

    /// Calls that changed something in the kernel (moved bytes or saw EOF).
    fn progress(&self) -> u64 {
        self.reads + self.writes + self.eofs
    }
}

/// A mio `TcpStream` that counts its reads and writes; the `SslStream`'s transport.
struct Sock {
    tcp: TcpStream,
    io: IoCounts,
}

impl Read for Sock {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let r = self.tcp.read(buf);
        match &r {
            Ok(0) if !buf.is_empty() => self.io.eofs += 1,
            Ok(n) => {
                self.io.reads += 1;
                self.io.read_bytes += *n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.io.read_blocked += 1,
            Err(_) => {}
        }
        r
    }
}

impl Write for Sock {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.tcp.write(buf);
        match &r {
            Ok(n) => {
                self.io.writes += 1;
                self.io.write_bytes += *n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.io.write_blocked += 1,
            Err(_) => {}
        }
        r
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

// ----- statistics -----

#[derive(Debug, Default)]
struct Stats {
    /// `poll` calls that returned (with at least one event: anything else fails the test).
    wakeups: u64,
    /// `poll` calls interrupted by a signal (EINTR).
    interrupted: u64,
    events: u64,
    readable_events: u64,
    writable_events: u64,
    /// Events on the listener.
    accept_events: u64,
    /// Events whose handling made no system call progress (no byte moved, no EOF).
    idle_events: u64,
    /// Interest changes (`reregister` calls).
    reregisters: u64,
    hs_want_read: u64,
    hs_want_write: u64,
    read_want_read: u64,
    /// `ssl_write` WANT_WRITE results, without and with ENABLE_PARTIAL_WRITE.
    write_want_write: [u64; 2],
    shutdown_want_read: u64,
    shutdown_want_write: u64,
    /// Application-data records sent, both directions (each `Ok(n)` of `ssl_write` sent
    /// `ceil(n / 16384)` records: writes start at a record boundary of the slice passed).
    app_records: u64,
    /// Partial-mode writes that reported more than one record (a retry finishing the
    /// pending record and then the next one, as OpenSSL 3 does).
    multi_record_partial: u64,
    messages: u64,
    /// Payload bytes sent by the clients (the server echoes the same amount).
    payload: u64,
    /// System calls of the sockets, summed when each connection closes.
    io: IoCounts,
}

// ----- connections -----

enum Tls {
    /// Client: TCP connect in progress; the configured `Ssl` waits for it.
    Connecting(Box<Ssl>, Sock),
    Handshaking(MidHandshakeSslStream<Sock>),
    Open(Box<SslStream<Sock>>),
    /// Both close_notify alerts exchanged; the socket is closed.
    Closed,
    /// Placeholder while a state is being replaced.
    Moving,
}

struct ClientApp {
    seed: u64,
    sizes: Vec<usize>,
    /// Index of the next message to start.
    next: usize,
    /// The message being written: its buffer stays put until the write completes, so a
    /// retry after WANT_WRITE passes the same pointer and length.
    cur: Option<Vec<u8>>,
    /// Bytes of `cur` already written.
    off: usize,
    /// WANT_WRITE results since the last successful write (bounds a partial-mode result).
    blocked_retries: usize,
    /// Stream offset of the next byte to send.
    sent: u64,
    /// Echoed bytes received and checked.
    verified: u64,
    total: u64,
    shutting_down: bool,
}

struct ServerApp {
    buf: Box<[u8]>,
    /// Bytes read into `buf`.
    filled: usize,
    /// Bytes of `buf[..filled]` echoed.
    off: usize,
    blocked_retries: usize,
    /// The client's close_notify arrived.
    peer_closed: bool,
    echoed: u64,
}

enum App {
    Client(ClientApp),
    Server(ServerApp),
}

struct Conn {
    /// "client 17" / "server 17 (client port 40000)": for messages.
    name: String,
    partial: bool,
    tls: Tls,
    /// The interest currently registered.
    interest: Interest,
    /// The last operation returned WANT_WRITE: also wait for writability.
    write_blocked: bool,
    /// Client: its local port; server: its peer's port (pairs them up at the end).
    port: u16,
    app: App,
}

impl Conn {
    fn sock(&self) -> Option<&Sock> {
        match &self.tls {
            Tls::Connecting(_, s) => Some(s),
            Tls::Handshaking(m) => Some(m.get_ref()),
            Tls::Open(s) => Some(s.get_ref()),
            Tls::Closed | Tls::Moving => None,
        }
    }

    fn sock_mut(&mut self) -> Option<&mut Sock> {
        match &mut self.tls {
            Tls::Connecting(_, s) => Some(s),
            Tls::Handshaking(m) => Some(m.get_mut()),
            Tls::Open(s) => Some(s.get_mut()),
            Tls::Closed | Tls::Moving => None,
        }
    }

    fn progress(&self) -> u64 {
        self.sock().map_or(u64::MAX, |s| s.io.progress())
    }

    fn is_closed(&self) -> bool {
        matches!(self.tls, Tls::Closed)
    }

    /// Records the outcome of a handshake step.
    fn handshake_result(
        &mut self,
        r: Result<SslStream<Sock>, HandshakeError<Sock>>,
        st: &mut Stats,
    ) -> bool {
        match r {
            Ok(s) => {
                assert_eq!(s.ssl().version_str(), "TLSv1.3");
                self.tls = Tls::Open(Box::new(s));
                self.write_blocked = false;
                true
            }
            Err(HandshakeError::WouldBlock(m)) => {
                self.write_blocked = m.error().code() == ErrorCode::WANT_WRITE;
                if self.write_blocked {
                    st.hs_want_write += 1;
                } else {
                    st.hs_want_read += 1;
                }
                self.tls = Tls::Handshaking(m);
                false
            }
            Err(HandshakeError::Failure(m)) => {
                panic!("{}: handshake failed: {}", self.name, m.error())
            }
            Err(HandshakeError::SetupFailure(e)) => panic!("{}: setup failed: {e}", self.name),
        }
    }

    /// Drives the connection until it blocks (edge-triggered: nothing must be left that
    /// could proceed without a new event).
    fn drive(&mut self, st: &mut Stats, scratch: &mut Scratch) {
        loop {
            match std::mem::replace(&mut self.tls, Tls::Moving) {
                Tls::Connecting(ssl, sock) => {
                    if let Some(e) = sock.tcp.take_error().unwrap() {
                        panic!("{}: connect failed: {e}", self.name);
                    }
                    match sock.tcp.peer_addr() {
                        Ok(_) => {
                            self.port = sock.tcp.local_addr().unwrap().port();
                            if !self.handshake_result(ssl.connect(sock), st) {
                                return;
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                            self.tls = Tls::Connecting(ssl, sock);
                            return;
                        }
                        Err(e) => panic!("{}: connect failed: {e}", self.name),
                    }
                }
                Tls::Handshaking(m) => {
                    if !self.handshake_result(m.handshake(), st) {
                        return;
                    }
                }
                Tls::Open(mut s) => {
                    let done = match &mut self.app {
                        App::Client(app) => {
                            client_io(&self.name, self.partial, app, &mut s, st, scratch)
                        }
                        App::Server(app) => server_io(&self.name, self.partial, app, &mut s, st),
                    };
                    self.write_blocked = done == Flow::WriteBlocked;
                    if done == Flow::Finished {
                        assert_eq!(
                            s.ssl().get_shutdown(),
                            ShutdownState::SENT | ShutdownState::RECEIVED,
                            "{}: both close_notify alerts",
                            self.name
                        );
                        scratch.closed_io.add(&s.get_ref().io);
                        // `settle` deregisters the socket, then drops it.
                        scratch.finished = Some(*s);
                        self.tls = Tls::Closed;
                    } else {
                        self.tls = Tls::Open(s);
                    }
                    return;
                }
                Tls::Closed => {
                    self.tls = Tls::Closed;
                    return;
                }
                Tls::Moving => unreachable!(),
            }
        }
    }

    fn wanted_interest(&self) -> Interest {
        match self.tls {
            Tls::Connecting(..) => Interest::READABLE | Interest::WRITABLE,
            _ if self.write_blocked => Interest::READABLE | Interest::WRITABLE,
            _ => Interest::READABLE,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Flow {
    /// Waiting for data.
    Blocked,
    /// Waiting for the socket to become writable.
    WriteBlocked,
    /// Both close_notify alerts are through.
    Finished,
}

/// Per-loop scratch space shared by all connections (single thread).
struct Scratch {
    rbuf: Vec<u8>,
    expect: Vec<u8>,
    closed_io: IoCounts,
    /// A connection that just finished, to deregister and close.
    finished: Option<SslStream<Sock>>,
}

fn check_write_result(name: &str, partial: bool, rest: usize, n: usize, retries: usize) {
    if partial {
        // One record, or after a retry the pending record and then the next one(s).
        let max = rest.min((retries + 1) * RECORD);
        assert!(
            (rest == 0 || n >= 1) && n <= max && (n == rest || n % RECORD == 0),
            "{name}: partial write of {rest} returned {n} after {retries} retries"
        );
    } else {
        assert_eq!(n, rest, "{name}: a full write returns everything");
    }
}

fn client_io(
    name: &str,
    partial: bool,
    app: &mut ClientApp,
    s: &mut SslStream<Sock>,
    st: &mut Stats,
    scratch: &mut Scratch,
) -> Flow {
    if app.shutting_down {
        return client_shutdown(name, s, st);
    }
    // Everything that has arrived, checked against the pattern.
    loop {
        match s.ssl_read(&mut scratch.rbuf) {
            Ok(n) => {
                assert!(n > 0, "{name}: ssl_read returned 0 bytes");
                // Records of a blocked write may be out (and echoed) before it returns.
                let handed = app.sent + app.cur.as_ref().map_or(0, |m| m.len() - app.off) as u64;
                assert!(
                    app.verified + n as u64 <= handed,
                    "{name}: more echoed than sent"
                );
                let expect = &mut scratch.expect[..n];
                fill_pattern(app.seed, app.verified, expect);
                if scratch.rbuf[..n] != *expect {
                    let i = (0..n).find(|&i| scratch.rbuf[i] != expect[i]).unwrap();
                    panic!("{name}: echoed byte {} is wrong", app.verified + i as u64);
                }
                app.verified += n as u64;
            }
            Err(e) if e.code() == ErrorCode::WANT_READ => {
                st.read_want_read += 1;
                break;
            }
            Err(e) => panic!("{name}: ssl_read: {e}"),
        }
    }
    // Then as much of the messages as the socket takes.
    loop {
        if app.cur.is_none() {
            if app.next == app.sizes.len() {
                break;
            }
            let mut msg = vec![0u8; app.sizes[app.next]];
            fill_pattern(app.seed, app.sent, &mut msg);
            app.cur = Some(msg);
            app.off = 0;
            app.next += 1;
        }
        let msg = app.cur.as_ref().unwrap();
        let rest = &msg[app.off..];
        match s.ssl_write(rest) {
            Ok(n) => {
                check_write_result(name, partial, rest.len(), n, app.blocked_retries);
                if partial && n > RECORD {
                    st.multi_record_partial += 1;
                }
                app.blocked_retries = 0;
                st.app_records += n.div_ceil(RECORD) as u64;
                app.off += n;
                app.sent += n as u64;
                if app.off == msg.len() {
                    st.messages += 1;
                    st.payload += msg.len() as u64;
                    app.cur = None;
                }
            }
            Err(e) if e.code() == ErrorCode::WANT_WRITE => {
                st.write_want_write[partial as usize] += 1;
                app.blocked_retries += 1;
                return Flow::WriteBlocked;
            }
            Err(e) => panic!("{name}: ssl_write: {e}"),
        }
    }
    if app.verified < app.total {
        return Flow::Blocked;
    }
    assert_eq!(app.sent, app.total);
    app.shutting_down = true;
    client_shutdown(name, s, st)
}

/// Sends close_notify, then waits for the server's.
fn client_shutdown(name: &str, s: &mut SslStream<Sock>, st: &mut Stats) -> Flow {
    loop {
        match s.shutdown() {
            Ok(ShutdownResult::Sent) => {} // ours is out; call again to wait for theirs
            Ok(ShutdownResult::Received) => return Flow::Finished,
            Err(e) if e.code() == ErrorCode::WANT_READ => {
                st.shutdown_want_read += 1;
                return Flow::Blocked;
            }
            Err(e) if e.code() == ErrorCode::WANT_WRITE => {
                st.shutdown_want_write += 1;
                return Flow::WriteBlocked;
            }
            Err(e) => panic!("{name}: shutdown: {e}"),
        }
    }
}

fn server_io(
    name: &str,
    partial: bool,
    app: &mut ServerApp,
    s: &mut SslStream<Sock>,
    st: &mut Stats,
) -> Flow {
    loop {
        // Echo what was read; `buf` never moves, so a retry passes the same slice.
        while app.off < app.filled {
            let rest = &app.buf[app.off..app.filled];
            match s.ssl_write(rest) {
                Ok(n) => {
                    check_write_result(name, partial, rest.len(), n, app.blocked_retries);
                    if partial && n > RECORD {
                        st.multi_record_partial += 1;
                    }
                    app.blocked_retries = 0;
                    st.app_records += n.div_ceil(RECORD) as u64;
                    app.off += n;
                    app.echoed += n as u64;
                }
                Err(e) if e.code() == ErrorCode::WANT_WRITE => {
                    st.write_want_write[partial as usize] += 1;
                    app.blocked_retries += 1;
                    // Back-pressure: read nothing more until this is out.
                    return Flow::WriteBlocked;
                }
                Err(e) => panic!("{name}: ssl_write: {e}"),
            }
        }
        app.off = 0;
        app.filled = 0;
        if app.peer_closed {
            return match s.shutdown() {
                Ok(ShutdownResult::Received) => Flow::Finished,
                Ok(ShutdownResult::Sent) => panic!("{name}: close_notify was received"),
                Err(e) if e.code() == ErrorCode::WANT_WRITE => {
                    st.shutdown_want_write += 1;
                    Flow::WriteBlocked
                }
                Err(e) => panic!("{name}: shutdown: {e}"),
            };
        }
        // Read until the buffer is full or nothing is left.
        let mut blocked = false;
        while app.filled < app.buf.len() {
            match s.ssl_read(&mut app.buf[app.filled..]) {
                Ok(n) => {
                    assert!(n > 0, "{name}: ssl_read returned 0 bytes");
                    app.filled += n;
                }
                Err(e) if e.code() == ErrorCode::WANT_READ => {
                    st.read_want_read += 1;
                    blocked = true;
                    break;
                }
                Err(e) if e.code() == ErrorCode::ZERO_RETURN => {
                    app.peer_closed = true;
                    break;
                }
                Err(e) => panic!("{name}: ssl_read: {e}"),
            }
        }
        if blocked && app.filled == 0 {
            return Flow::Blocked;
        }
    }
}

// ----- the loop -----

struct World {
    poll: Poll,
    listener: TcpListener,
    conns: Vec<Conn>,
    acceptor: SslAcceptor,
    accepted: usize,
    closed: usize,
    st: Stats,
    scratch: Scratch,
}

fn token_of(index: usize) -> Token {
    Token(index + 1)
}

impl World {
    fn accept_all(&mut self) {
        loop {
            let (tcp, peer) = match self.listener.accept() {
                Ok(x) => x,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) => panic!("accept: {e}"),
            };
            tcp.set_nodelay(true).unwrap();
            let index = self.conns.len();
            let mut sock = Sock {
                tcp,
                io: IoCounts::default(),
            };
            self.poll
                .registry()
                .register(&mut sock.tcp, token_of(index), Interest::READABLE)
                .unwrap();
            let partial = self.accepted % 2 == 1;
            let mut ssl = Ssl::new(self.acceptor.context()).unwrap();
            // The acceptor sets partial writes, as the openssl crate's does.
            if !partial {
                ssl.clear_mode(SslMode::ENABLE_PARTIAL_WRITE);
            }
            self.conns.push(Conn {
                name: format!("server {} (client port {})", self.accepted, peer.port()),
                partial,
                tls: Tls::Moving,
                interest: Interest::READABLE,
                write_blocked: false,
                port: peer.port(),
                app: App::Server(ServerApp {
                    buf: vec![0u8; ECHO_BUF].into_boxed_slice(),
                    filled: 0,
                    off: 0,
                    blocked_retries: 0,
                    peer_closed: false,
                    echoed: 0,
                }),
            });
            self.accepted += 1;
            // The ClientHello may already be there: start at once (edge-triggered).
            let r = ssl.accept(sock);
            let conn = self.conns.last_mut().unwrap();
            if conn.handshake_result(r, &mut self.st) {
                conn.drive(&mut self.st, &mut self.scratch);
            }
            self.settle(index);
        }
    }

    /// After a connection was driven: close it if finished, else fix its interest.
    fn settle(&mut self, index: usize) {
        let registry = self.poll.registry();
        let conn = &mut self.conns[index];
        if conn.is_closed() {
            let mut s = self.scratch.finished.take().expect("the finished stream");
            registry.deregister(&mut s.get_mut().tcp).unwrap();
            self.closed += 1;
            return;
        }
        let want = conn.wanted_interest();
        if want != conn.interest {
            let tcp = &mut conn.sock_mut().unwrap().tcp;
            registry.reregister(tcp, token_of(index), want).unwrap();
            conn.interest = want;
            self.st.reregisters += 1;
        }
    }

    fn dump(&self) -> String {
        let mut out = String::new();
        for c in &self.conns {
            if c.is_closed() {
                continue;
            }
            let state = match &c.tls {
                Tls::Connecting(..) => "connecting".to_string(),
                Tls::Handshaking(m) => format!("handshaking ({})", m.error()),
                Tls::Open(s) => format!("open ({})", s.ssl().state_string_long()),
                _ => "?".to_string(),
            };
            let app = match &c.app {
                App::Client(a) => format!(
                    "sent {}/{} verified {} msg {}/{} off {} shutting_down {}",
                    a.sent,
                    a.total,
                    a.verified,
                    a.next,
                    a.sizes.len(),
                    a.off,
                    a.shutting_down
                ),
                App::Server(a) => format!(
                    "echoed {} buffered {}..{} peer_closed {}",
                    a.echoed, a.off, a.filled, a.peer_closed
                ),
            };
            let _ = writeln!(
                out,
                "  {}: {state}, {app}, interest {:?}, write_blocked {}, io {:?}",
                c.name,
                c.interest,
                c.write_blocked,
                c.sock().map(|s| s.io)
            );
        }
        out
    }
}

#[test]
fn echo_200_connections_one_poll_thread() {
    let pki = certs::server_pki(certs::KeyKind::EcdsaP256);

    let mut ab = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
    ab.set_certificate_chain_der(vec![pki.leaf_der.clone()])
        .unwrap();
    ab.set_private_key_der(&pki.key_der).unwrap();
    ab.check_private_key().unwrap();
    let acceptor = ab.build();

    let mut cb = SslConnector::builder(SslMethod::tls()).unwrap();
    cb.add_trusted_der(&pki.ca_der).unwrap();
    let connector = cb.build();

    let poll = Poll::new().unwrap();
    let mut listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = listener.local_addr().unwrap();
    // Accepted sockets inherit the listener's buffer sizes.
    SockRef::from(&listener)
        .set_send_buffer_size(SERVER_SOCKBUF)
        .unwrap();
    SockRef::from(&listener)
        .set_recv_buffer_size(SERVER_SOCKBUF)
        .unwrap();
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .unwrap();

    let mut world = World {
        poll,
        listener,
        conns: Vec::with_capacity(2 * CONNS),
        acceptor,
        accepted: 0,
        closed: 0,
        st: Stats::default(),
        scratch: Scratch {
            rbuf: vec![0u8; RECORD],
            expect: vec![0u8; RECORD],
            closed_io: IoCounts::default(),
            finished: None,
        },
    };

    for i in 0..CONNS {
        let tcp = connect_small(addr, CLIENT_SOCKBUF[i % 4]);
        let mut sock = Sock {
            tcp,
            io: IoCounts::default(),
        };
        // Writability tells that the connect finished (mio's documented pattern).
        let interest = Interest::READABLE | Interest::WRITABLE;
        world
            .poll
            .registry()
            .register(&mut sock.tcp, token_of(world.conns.len()), interest)
            .unwrap();
        let partial = i % 2 == 1;
        let mut ssl = connector
            .configure()
            .unwrap()
            .into_ssl("localhost")
            .unwrap();
        // The connector sets partial writes, as the openssl crate's does.
        if !partial {
            ssl.clear_mode(SslMode::ENABLE_PARTIAL_WRITE);
        }
        let sizes = message_sizes(i);
        let total = sizes.iter().sum::<usize>() as u64;
        world.conns.push(Conn {
            name: format!("client {i}"),
            partial,
            tls: Tls::Connecting(Box::new(ssl), sock),
            interest,
            write_blocked: false,
            port: 0,
            app: App::Client(ClientApp {
                seed: splitmix(SEED.wrapping_add(i as u64)),
                sizes,
                next: 0,
                cur: None,
                off: 0,
                blocked_retries: 0,
                sent: 0,
                verified: 0,
                total,
                shutting_down: false,
            }),
        });
    }

    let start = Instant::now();
    let deadline = start + DEADLINE;
    let mut events = Events::with_capacity(1024);
    while world.closed < 2 * CONNS {
        let now = Instant::now();
        assert!(
            now < deadline,
            "deadline passed with {} of {} connections open:\n{}",
            2 * CONNS - world.closed,
            2 * CONNS,
            world.dump()
        );
        let timeout = (deadline - now).min(STALL);
        let before = Instant::now();
        match world.poll.poll(&mut events, Some(timeout)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                world.st.interrupted += 1;
                continue;
            }
            Err(e) => panic!("poll: {e}"),
        }
        world.st.wakeups += 1;
        if events.is_empty() {
            let waited = before.elapsed();
            assert!(
                waited + Duration::from_millis(5) >= timeout,
                "poll returned no event after {waited:?}, before its {timeout:?} timeout"
            );
            panic!(
                "no event for {waited:?} with {} connections open (a lost wake-up):\n{}",
                2 * CONNS - world.closed,
                world.dump()
            );
        }
        for ev in events.iter() {
            world.st.events += 1;
            if ev.is_readable() || ev.is_read_closed() {
                world.st.readable_events += 1;
            }
            if ev.is_writable() || ev.is_write_closed() {
                world.st.writable_events += 1;
            }
            if ev.token() == LISTENER {
                world.st.accept_events += 1;
                world.accept_all();
                continue;
            }
            let index = ev.token().0 - 1;
            let conn = &mut world.conns[index];
            assert!(
                !conn.is_closed(),
                "{}: event after the socket was deregistered",
                conn.name
            );
            assert!(!ev.is_error(), "{}: socket error event", conn.name);
            let before = conn.progress();
            conn.drive(&mut world.st, &mut world.scratch);
            if conn.progress() == before {
                world.st.idle_events += 1;
            }
            world.settle(index);
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let st = &mut world.st;
    st.io.add(&world.scratch.closed_io);

    // Every client got back exactly what it sent, and its server connection echoed it.
    let mut echoed_by_port = std::collections::HashMap::new();
    for c in &world.conns {
        if let App::Server(a) = &c.app {
            echoed_by_port.insert(c.port, a.echoed);
        }
    }
    for c in &world.conns {
        if let App::Client(a) = &c.app {
            assert_eq!(a.sent, a.total, "{}", c.name);
            assert_eq!(a.verified, a.total, "{}", c.name);
            assert_eq!(echoed_by_port.get(&c.port), Some(&a.total), "{}", c.name);
        }
    }
    assert_eq!(
        st.messages,
        world
            .conns
            .iter()
            .map(|c| match &c.app {
                App::Client(a) => a.sizes.len() as u64,
                App::Server(_) => 0,
            })
            .sum::<u64>()
    );

    println!(
        "echo_poll: {CONNS} connections ({} sockets, one thread, one poll), {} messages, \
         {} bytes each way, {} wake-ups, {} events, {:.2} s",
        2 * CONNS,
        st.messages,
        st.payload,
        st.wakeups,
        st.events,
        secs
    );
    check_bounds(st);
}

/// Non-application flights per connection, each handed to the socket in one write:
/// ClientHello; the server's flight; the client's CCS + Finished; the server's
/// NewSessionTicket; two close_notify.
const FLIGHTS_PER_CONN: u64 = 6;

/// The bounds on wake-ups and events, and the reasoning behind them.
///
/// mio is edge-triggered (epoll `EPOLLET`), and one `poll` reports a socket at most once, so
/// an event needs a readiness edge on that socket since it was last reported, and epoll
/// drops an edge whose readiness is gone by the time `poll` collects it. On loopback every
/// edge comes from a system call of this thread:
///
/// - a *writable* edge can only be seen while WRITABLE is registered: during a connect
///   (one per client) or after a WANT_WRITE. The WRITABLE interest is dropped as soon as a
///   retry goes through, and each writable event leads to a retry that either goes through
///   or ends in a new WANT_WRITE. So `writable events <= CONNS + WANT_WRITEs`.
/// - a *readable* edge is an arrival. The data of one write syscall arrives at once (the
///   receiver's window refilling after its read is delivered inside that read, which then
///   reads it; the edge is gone by the next poll). A record goes out in one write unless the
///   write blocked, and each WANT_WRITE adds one write. So the arrivals that can wake us are
///   at most `U = application records + FLIGHTS_PER_CONN * CONNS + WANT_WRITEs`.
///
/// Hence `wake-ups <= events <= readable + writable <= U + CONNS + WANT_WRITEs <= 2 U`.
/// A busy loop (WRITABLE left registered, a zero timeout, interest re-armed for nothing)
/// breaks this, and shows more directly as *idle* events, whose handling moved no byte. An
/// idle event can only hit a connection that is blocked writing (it does not read while
/// its echo is stuck), so `idle events <= WANT_WRITEs` (one per blocked stretch, with
/// room to spare: the peer that fills our receive buffer also frees our send buffer).
fn check_bounds(st: &Stats) {
    let conns = CONNS as u64;
    let want_writes =
        st.write_want_write.iter().sum::<u64>() + st.hs_want_write + st.shutdown_want_write;
    let units = st.app_records + FLIGHTS_PER_CONN * conns + want_writes;
    println!(
        "echo_poll: {} readable + {} writable events ({} idle, {} on the listener), \
         {} app records, {} WANT_WRITE (full/partial writes {:?}, multi-record partial \
         results {}), {} WANT_READ, {} interest changes, U = {units}; {:.1} events per \
         wake-up; syscalls {:?}",
        st.readable_events,
        st.writable_events,
        st.idle_events,
        st.accept_events,
        st.app_records,
        want_writes,
        st.write_want_write,
        st.multi_record_partial,
        st.hs_want_read + st.read_want_read + st.shutdown_want_read,
        st.reregisters,
        st.events as f64 / st.wakeups as f64,
        st.io,
    );
    // The sockets' buffers are small: blocked writes must really have happened, in both
    // write modes, or this test would not test the retry path.
    assert!(
        st.write_want_write.iter().all(|&n| n > 0),
        "no WANT_WRITE in one of the modes: {:?}",
        st.write_want_write
    );
    assert_eq!(st.interrupted, 0, "poll interrupted");
    assert!(st.wakeups <= st.events, "a wake-up without an event");
    assert!(
        st.writable_events <= conns + want_writes,
        "{} writable events for {} connects and {want_writes} WANT_WRITEs",
        st.writable_events,
        conns
    );
    assert!(
        st.readable_events <= units + 2 * conns + st.accept_events,
        "{} readable events for {units} arrivals",
        st.readable_events
    );
    assert!(
        st.events <= 2 * units,
        "{} events for {units} records, flights and blocked writes",
        st.events
    );
    assert!(
        st.idle_events <= want_writes,
        "{} events did nothing (busy loop?), {want_writes} blocked writes",
        st.idle_events
    );
}

// ----- regressions for findings made while writing this test -----
//
// Checked against OpenSSL 3 through the `openssl` crate (the same steps over a stream
// whose writes can be switched off): it gives the results the test expects.

use oxssl::bio::{Bio, BioError, MemBio, RetryFlags};
use oxssl::ssl::{SslContext, SslVerifyMode};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A memory BIO whose writes can be switched off (retry-write, like a full socket).
struct GateBio {
    inner: MemBio,
    open: Arc<AtomicBool>,
    flags: RetryFlags,
}

impl Bio for GateBio {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, BioError> {
        self.inner.read(buf)
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize, BioError> {
        if self.open.load(Ordering::SeqCst) {
            self.flags = RetryFlags::NONE;
            self.inner.write(buf)
        } else {
            self.flags = RetryFlags::WRITE;
            Err(BioError::Retry)
        }
    }

    fn retry_flags(&self) -> RetryFlags {
        self.flags
    }
}

/// Regression (fixed): `SSL_shutdown` retried after WANT_WRITE must not turn into the
/// *second* call.
///
/// The first `shutdown()` sets SENT, queues close_notify and returns WANT_WRITE because
/// the transport is full. OpenSSL's `ssl3_shutdown` retries the alert dispatch on the next
/// call and, once it is out, returns 0 (`ShutdownResult::Sent`): the caller asked for a
/// unidirectional shutdown and got it. oxssl's `shutdown_inner` sees SENT already set and
/// goes on to wait for the peer's close_notify, returning WANT_READ. A non-blocking
/// program that loops "retry on WANT_*, stop on Ok" then waits for a close_notify the
/// peer may never send (many peers wait for the TCP close instead): a hang.
/// Expected (OpenSSL 3, checked): WANT_WRITE, then Ok(Sent), then WANT_READ.
/// oxssl before the fix: WANT_WRITE, then WANT_READ.
#[test]
fn shutdown_retry_after_want_write_returns_sent() {
    let pki = certs::server_pki(certs::KeyKind::EcdsaP256);
    let mut cb = SslContext::builder(SslMethod::tls()).unwrap();
    cb.add_trusted_der(&pki.ca_der).unwrap();
    cb.set_verify(SslVerifyMode::PEER);
    let mut sb = SslContext::builder(SslMethod::tls()).unwrap();
    sb.set_certificate_chain_der(vec![pki.leaf_der.clone()])
        .unwrap();
    sb.set_private_key_der(&pki.key_der).unwrap();
    let (c2s, s2c) = (MemBio::new(), MemBio::new());
    let open = Arc::new(AtomicBool::new(true));
    let mut c = Ssl::new(&cb.build()).unwrap();
    c.set_connect_state();
    c.set_verify_hostname("localhost");
    c.set_bios(
        s2c.clone(),
        GateBio {
            inner: c2s.clone(),
            open: open.clone(),
            flags: RetryFlags::NONE,
        },
    );
    let mut s = Ssl::new(&sb.build()).unwrap();
    s.set_accept_state();
    s.set_bios(c2s, s2c);
    for _ in 0..20 {
        let (rc, rs) = (c.do_handshake(), s.do_handshake());
        if rc.is_ok() && rs.is_ok() {
            break;
        }
    }
    assert!(c.is_init_finished() && s.is_init_finished());
    let _ = c.ssl_read(&mut [0u8; 16]); // take the session tickets

    open.store(false, Ordering::SeqCst);
    let e = c.shutdown().unwrap_err();
    assert_eq!(e.code(), ErrorCode::WANT_WRITE);
    open.store(true, Ordering::SeqCst);
    let r = c.shutdown();
    assert!(
        matches!(r, Ok(ShutdownResult::Sent)),
        "the retry should send close_notify and return Sent, got {:?}",
        r.map_err(|e| e.code())
    );
}
