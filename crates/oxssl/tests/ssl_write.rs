//! The SSL_write contract (SSL_WRITE.md): the worked cases of section 10 that apply to
//! TLS 1.3, and the rules of sections 1-6 and 9, against oxssl's `Ssl` over BIOs.
mod common;

use common::sslpair::{
    client_ctx_builder, handshake, mem_pair, pair, pair_with, read_now, server_ctx_builder,
};
use oxssl::bio::{Bio, MemBio};
use oxssl::reason::Reason;
use oxssl::ssl::{
    ErrorCode, KeyUpdateType, ShutdownResult, ShutdownState, Ssl, SslMode, SslOptions,
};

fn code(r: Result<usize, oxssl::ssl::Error>) -> (ErrorCode, Option<Reason>) {
    let e = r.expect_err("expected an error");
    (e.code(), e.reason_code())
}

/// Application-data records in raw TLS bytes (type 23 headers).
fn count_records(bytes: &[u8]) -> usize {
    let mut n = 0;
    let mut rest = bytes;
    while rest.len() >= 5 {
        let len = u16::from_be_bytes([rest[3], rest[4]]) as usize;
        if rest[0] == 23 {
            n += 1;
        }
        rest = &rest[5 + len..];
    }
    n
}

fn raw_from(half: &mut oxssl::bio::PairBio) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = half.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    out
}

/// Case 1: the first write sends ClientHello and wants to read; the same call repeated
/// after the server's flight returns num.
#[test]
fn case1_implicit_handshake_nonblocking() {
    let (mut c, mut s, _a, b) = pair(0);
    let msg = b"hello";
    assert_eq!(code(c.ssl_write(msg)), (ErrorCode::WANT_READ, None));
    assert!(b.pending() > 0, "ClientHello is in the pipe");
    assert_eq!(c.last_error_code(), ErrorCode::WANT_READ);
    assert!(s.do_handshake().is_err());
    assert_eq!(c.ssl_write(msg).unwrap(), 5);
    assert_eq!(read_now(&mut s), msg);
    assert!(s.is_init_finished());
}

/// Case 3 (and section 4): a 40000-byte write through a 17408-byte pair.
#[test]
fn case3_write_blocks_on_full_pair_and_resumes() {
    let (mut c, mut s, a, b) = pair(17408);
    handshake(&mut c, &mut s);
    let data: Vec<u8> = (0..40000u32).map(|i| (i * 7) as u8).collect();
    assert_eq!(code(c.ssl_write(&data)).0, ErrorCode::WANT_WRITE);
    assert_eq!(b.pending(), 17408);
    assert_eq!(a.write_guarantee(), 0);
    let mut got = read_now(&mut s);
    assert_eq!(code(c.ssl_write(&data)).0, ErrorCode::WANT_WRITE);
    got.extend(read_now(&mut s));
    assert_eq!(c.ssl_write(&data).unwrap(), 40000);
    got.extend(read_now(&mut s));
    assert!(got == data, "peer read {} bytes", got.len());
}

/// Case 4: retry from another address is fatal BAD_WRITE_RETRY; afterwards SYSCALL with no
/// cause. With ACCEPT_MOVING_WRITE_BUFFER the same retry is accepted.
#[test]
fn case4_moved_buffer() {
    let (mut c, mut s, _a, _b) = pair(17408);
    handshake(&mut c, &mut s);
    let data = vec![5u8; 40000];
    let copy = data.clone();
    assert_eq!(code(c.ssl_write(&data)).0, ErrorCode::WANT_WRITE);
    read_now(&mut s);
    assert_eq!(
        code(c.ssl_write(&copy)),
        (ErrorCode::SSL, Some(Reason::BAD_WRITE_RETRY))
    );
    let e = c.ssl_write(&data).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SYSCALL);
    assert!(e.ssl_error().is_none() && e.io_error().is_none());
    assert_eq!(code(c.ssl_read(&mut [0u8; 10])).0, ErrorCode::SYSCALL);

    let mut cb = client_ctx_builder();
    cb.set_mode(SslMode::ACCEPT_MOVING_WRITE_BUFFER);
    let (mut c, mut s, _a, _b) = pair_with(17408, cb, server_ctx_builder());
    handshake(&mut c, &mut s);
    assert_eq!(code(c.ssl_write(&data)).0, ErrorCode::WANT_WRITE);
    let mut got = read_now(&mut s);
    let mut moved = copy.clone();
    loop {
        match c.ssl_write(&moved) {
            Ok(n) => {
                assert_eq!(n, 40000);
                break;
            }
            Err(e) => assert_eq!(e.code(), ErrorCode::WANT_WRITE),
        }
        got.extend(read_now(&mut s));
        moved = moved.clone(); // a new address every retry
    }
    got.extend(read_now(&mut s));
    assert_eq!(got.len(), 40000);
}

/// Section 4: a retry shorter than what is pending is fatal BAD_LENGTH; a longer one
/// writes up to the new length.
#[test]
fn retry_length_rules() {
    let (mut c, mut s, _a, _b) = pair(17408);
    handshake(&mut c, &mut s);
    let data = vec![9u8; 60000];
    assert_eq!(code(c.ssl_write(&data[..40000])).0, ErrorCode::WANT_WRITE);
    read_now(&mut s);
    assert_eq!(
        code(c.ssl_write(&data[..100])),
        (ErrorCode::SSL, Some(Reason::BAD_LENGTH))
    );

    let (mut c, mut s, _a, _b) = pair(17408);
    handshake(&mut c, &mut s);
    assert_eq!(code(c.ssl_write(&data[..40000])).0, ErrorCode::WANT_WRITE);
    let mut got = read_now(&mut s);
    loop {
        match c.ssl_write(&data) {
            Ok(n) => {
                assert_eq!(n, 60000);
                break;
            }
            Err(e) => assert_eq!(e.code(), ErrorCode::WANT_WRITE),
        }
        got.extend(read_now(&mut s));
    }
    got.extend(read_now(&mut s));
    assert_eq!(got.len(), 60000);
}

/// Case 5: partial-write mode returns after each record.
#[test]
fn case5_partial_writes() {
    let mut cb = client_ctx_builder();
    cb.set_mode(SslMode::ENABLE_PARTIAL_WRITE);
    let (mut c, mut s, _a, _b) = pair_with(1 << 20, cb, server_ctx_builder());
    handshake(&mut c, &mut s);
    let data = vec![1u8; 40000];
    assert_eq!(c.ssl_write(&data).unwrap(), 16384);
    assert_eq!(c.ssl_write(&data[16384..]).unwrap(), 16384);
    assert_eq!(c.ssl_write(&data[32768..]).unwrap(), 7232);
    assert_eq!(read_now(&mut s).len(), 40000);
}

/// Case 6 (and section 3): max_send_fragment 512 gives 79 records; 511 and 16385 are refused.
#[test]
fn case6_max_send_fragment() {
    let (mut c, mut s, _a, mut b) = pair(1 << 20);
    handshake(&mut c, &mut s);
    assert!(c.set_max_send_fragment(511).is_err());
    assert!(c.set_max_send_fragment(16385).is_err());
    c.set_max_send_fragment(512).unwrap();
    assert_eq!(c.ssl_write(&vec![2u8; 40000]).unwrap(), 40000);
    let raw = raw_from(&mut b);
    assert_eq!(count_records(&raw), 79);
    // Default: 16384 + 16384 + 7232, each with 22 bytes of TLS 1.3 overhead.
    let (mut c, mut s, _a, mut b) = pair(1 << 20);
    handshake(&mut c, &mut s);
    c.ssl_write(&vec![2u8; 40000]).unwrap();
    let raw = raw_from(&mut b);
    assert_eq!(raw.len(), 40000 + 3 * 22);
    // split_send_fragment caps further.
    let (mut c, mut s, _a, mut b) = pair(1 << 20);
    handshake(&mut c, &mut s);
    c.set_split_send_fragment(1000).unwrap();
    c.ssl_write(&vec![2u8; 40000]).unwrap();
    assert_eq!(count_records(&raw_from(&mut b)), 40);
}

/// Case 7 (section 1.3): after our shutdown writes fail with PROTOCOL_IS_SHUTDOWN; after the
/// peer's close_notify writes still work.
#[test]
fn case7_shutdown_and_half_close() {
    let (mut c, mut s, _a, _b) = pair(0);
    handshake(&mut c, &mut s);
    assert_eq!(c.shutdown().unwrap(), ShutdownResult::Sent);
    assert_eq!(
        code(c.ssl_write(b"abc")),
        (ErrorCode::SSL, Some(Reason::PROTOCOL_IS_SHUTDOWN))
    );
    // The server sees close_notify, and can still write to the client.
    assert_eq!(code(s.ssl_read(&mut [0u8; 16])).0, ErrorCode::ZERO_RETURN);
    assert!(s.get_shutdown().contains(ShutdownState::RECEIVED));
    assert_eq!(s.ssl_write(b"after close").unwrap(), 11);
    assert_eq!(read_now(&mut c), b"after close");
    assert_eq!(s.shutdown().unwrap(), ShutdownResult::Received);
    assert_eq!(c.shutdown().unwrap(), ShutdownResult::Received);
}

/// Case 8 (section 9): a memory rbio with EOF return 0 gives 0 / SSL / 294, then SYSCALL.
#[test]
fn case8_memory_bio_eof() {
    let (mut c, mut s, _a, _b) = pair(0);
    handshake(&mut c, &mut s);
    let rbio = MemBio::new();
    rbio.set_eof_return(0);
    c.set_bios(rbio, MemBio::new());
    assert_eq!(
        code(c.ssl_read(&mut [0u8; 16])),
        (ErrorCode::SSL, Some(Reason::UNEXPECTED_EOF_WHILE_READING))
    );
    let e = c.ssl_write(b"x").unwrap_err();
    assert_eq!(e.code(), ErrorCode::SYSCALL);
    assert!(e.ssl_error().is_none());

    // With IGNORE_UNEXPECTED_EOF it is a clean close and writes keep working.
    let (mut c, mut s, _a, _b) = pair(0);
    handshake(&mut c, &mut s);
    c.set_options(SslOptions::IGNORE_UNEXPECTED_EOF);
    let rbio = MemBio::new();
    rbio.set_eof_return(0);
    let wbio = MemBio::new();
    c.set_bios(rbio, wbio.clone());
    assert_eq!(code(c.ssl_read(&mut [0u8; 16])).0, ErrorCode::ZERO_RETURN);
    assert_eq!(c.ssl_write(b"still").unwrap(), 5);
    assert!(!wbio.is_empty());
}

/// Memory BIO default: an empty read is WANT_READ; writes never block.
#[test]
fn memory_bio_retry_semantics() {
    let cb = client_ctx_builder().build();
    let mut c = Ssl::new(&cb).unwrap();
    c.set_connect_state();
    let (r, w) = (MemBio::new(), MemBio::new());
    c.set_bios(r, w.clone());
    assert_eq!(code(c.ssl_write(b"x")).0, ErrorCode::WANT_READ);
    assert!(w.len() > 100, "ClientHello written");
}

/// Section 1: entry checks.
#[test]
fn entry_checks() {
    let ctx = client_ctx_builder().build();
    let mut c = Ssl::new(&ctx).unwrap();
    c.set_bios(MemBio::new(), MemBio::new());
    assert_eq!(
        code(c.ssl_write(b"x")),
        (ErrorCode::SSL, Some(Reason::UNINITIALIZED))
    );
    assert_eq!(
        code(c.ssl_read(&mut [0u8; 4])),
        (ErrorCode::SSL, Some(Reason::UNINITIALIZED))
    );
    // Not fatal: setting the state makes the connection usable.
    c.set_connect_state();
    assert_eq!(code(c.ssl_write(b"x")).0, ErrorCode::WANT_READ);
}

/// Section 4: num == 0 after the handshake returns 0 and sends nothing.
#[test]
fn zero_length_write() {
    let (mut c, mut s, _a, b) = pair(0);
    handshake(&mut c, &mut s);
    assert_eq!(c.ssl_write(b"").unwrap(), 0);
    assert_eq!(b.pending(), 0);
}

/// Section 4: shutdown while a write is pending wants to write first.
#[test]
fn shutdown_with_pending_write() {
    let (mut c, mut s, _a, _b) = pair(17408);
    handshake(&mut c, &mut s);
    let data = vec![3u8; 40000];
    assert_eq!(code(c.ssl_write(&data)).0, ErrorCode::WANT_WRITE);
    assert_eq!(c.shutdown().unwrap_err().code(), ErrorCode::WANT_WRITE);
    let mut got = read_now(&mut s);
    let mut done = false;
    for _ in 0..10 {
        match c.shutdown() {
            Ok(ShutdownResult::Sent) => {
                done = true;
                break;
            }
            Ok(r) => panic!("{r:?}"),
            Err(e) => assert_eq!(e.code(), ErrorCode::WANT_WRITE),
        }
        got.extend(read_now(&mut s));
    }
    assert!(done);
    loop {
        let mut buf = [0u8; 65536];
        match s.ssl_read(&mut buf) {
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::ZERO_RETURN);
                break;
            }
        }
    }
    // The first record and the pending second one went out before close_notify; the
    // unsent tail of the write did not.
    assert_eq!(got.len(), 32768);
}

/// Section 4 and 8: key_update with a pending write is BAD_WRITE_RETRY (not fatal).
#[test]
fn key_update_rules() {
    let (mut c, mut s, _a, _b) = pair(17408);
    assert_eq!(
        c.key_update(KeyUpdateType::Requested)
            .unwrap_err()
            .reason_code(),
        Some(Reason::WRONG_SSL_VERSION)
    );
    handshake(&mut c, &mut s);
    assert_eq!(
        code(c.ssl_write(&vec![0u8; 40000])).0,
        ErrorCode::WANT_WRITE
    );
    assert_eq!(
        c.key_update(KeyUpdateType::Requested)
            .unwrap_err()
            .reason_code(),
        Some(Reason::BAD_WRITE_RETRY)
    );
}

/// Case 11: a KeyUpdate record precedes the data; the peer answers on its next write.
#[test]
fn case11_key_update() {
    let (mut c, mut s, c2s, s2c) = mem_pair(client_ctx_builder(), server_ctx_builder());
    handshake(&mut c, &mut s);
    // The client takes the server's session tickets first (quiet pipes to count on).
    assert_eq!(
        c.ssl_read(&mut [0u8; 16]).unwrap_err().code(),
        ErrorCode::WANT_READ
    );
    c.key_update(KeyUpdateType::Requested).unwrap();
    assert!(c.key_update_pending());
    assert_eq!(c.ssl_write(b"data").unwrap(), 4);
    assert!(!c.key_update_pending());
    let raw = c2s.take_all();
    assert_eq!(count_records(&raw), 2, "KeyUpdate, then data");
    c2s.push(&raw);
    assert_eq!(read_now(&mut s), b"data");
    // The server owes a KeyUpdate; it goes out before its next data, never from the read.
    assert_eq!(s2c.len(), 0);
    assert_eq!(s.ssl_write(b"reply").unwrap(), 5);
    let raw = s2c.take_all();
    assert_eq!(count_records(&raw), 2, "KeyUpdate answer, then data");
    s2c.push(&raw);
    assert_eq!(read_now(&mut c), b"reply");
    // Both sides keep working on the new keys.
    assert_eq!(c.ssl_write(b"more").unwrap(), 4);
    assert_eq!(read_now(&mut s), b"more");
}

/// Section 6: without AUTO_RETRY a read that only processed a post-handshake message
/// returns WANT_READ, even with data sent later.
#[test]
fn auto_retry_off_returns_want_read_after_key_update() {
    let (mut c, mut s, _c2s, _s2c) = mem_pair(client_ctx_builder(), server_ctx_builder());
    handshake(&mut c, &mut s);
    s.clear_mode(SslMode::AUTO_RETRY);
    c.key_update(KeyUpdateType::NotRequested).unwrap();
    c.do_handshake().unwrap();
    assert_eq!(code(s.ssl_read(&mut [0u8; 8])).0, ErrorCode::WANT_READ);
    assert_eq!(c.ssl_write(b"x").unwrap(), 1);
    assert_eq!(read_now(&mut s), b"x");
}

/// Section 5: ssl_read reports ZERO_RETURN after close_notify, and a fatal error latches.
#[test]
fn get_error_codes() {
    let (mut c, mut s, c2s, _s2c) = mem_pair(client_ctx_builder(), server_ctx_builder());
    handshake(&mut c, &mut s);
    assert_eq!(c.ssl_write(b"abc").unwrap(), 3);
    let mut raw = c2s.take_all();
    let n = raw.len();
    raw[n - 1] ^= 1;
    c2s.push(&raw);
    assert_eq!(
        code(s.ssl_read(&mut [0u8; 8])),
        (
            ErrorCode::SSL,
            Some(Reason::DECRYPTION_FAILED_OR_BAD_RECORD_MAC)
        )
    );
    assert_eq!(s.last_error_code(), ErrorCode::SSL);
    assert_eq!(code(s.ssl_read(&mut [0u8; 8])), (ErrorCode::SYSCALL, None));
    assert_eq!(code(s.ssl_write(b"x")), (ErrorCode::SYSCALL, None));
    // The client gets the bad_record_mac alert.
    let e = c.ssl_read(&mut [0u8; 8]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SSL);
    assert_eq!(e.reason_code(), Some(Reason::SSLV3_ALERT_BAD_RECORD_MAC));
}

/// Case 12 analogue for TLS 1.3: peek does not consume; pending counts held bytes.
#[test]
fn peek_and_pending() {
    let (mut c, mut s, _c2s, _s2c) = mem_pair(client_ctx_builder(), server_ctx_builder());
    handshake(&mut c, &mut s);
    c.ssl_write(b"peekaboo").unwrap();
    let mut buf = [0u8; 4];
    assert_eq!(s.ssl_peek(&mut buf).unwrap(), 4);
    assert_eq!(&buf, b"peek");
    assert_eq!(s.pending(), 8);
    assert_eq!(s.ssl_read(&mut buf).unwrap(), 4);
    assert_eq!(s.pending(), 4);
    assert_eq!(s.ssl_read(&mut buf).unwrap(), 4);
    assert_eq!(&buf, b"aboo");
}

/// Case 12: SSL_renegotiate on TLS 1.3 is 0 / WRONG_SSL_VERSION, not fatal.
#[test]
fn case12_renegotiate_on_tls13() {
    let (mut c, mut s, _a, _b) = pair(0);
    handshake(&mut c, &mut s);
    let e = c.renegotiate().unwrap_err();
    assert_eq!(
        (e.code(), e.reason_code()),
        (ErrorCode::SSL, Some(Reason::WRONG_SSL_VERSION))
    );
    assert_eq!(c.ssl_write(b"fine").unwrap(), 4);
    assert_eq!(read_now(&mut s), b"fine");
}

/// Section 9, sockets: a peer that vanished without close_notify. Reading gives
/// UNEXPECTED_EOF_WHILE_READING; writing into the dead socket gives SYSCALL with errno
/// (EPIPE or ECONNRESET; SIGPIPE is ignored by the Rust runtime).
#[test]
fn socket_peer_gone_without_close_notify() {
    use oxssl::ssl::SslStream;
    use std::net::{TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server_ctx = server_ctx_builder().build();
    let server = std::thread::spawn(move || {
        let (sock, _) = listener.accept().unwrap();
        sock.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let mut ssl = Ssl::new(&server_ctx).unwrap();
        ssl.set_accept_state();
        let mut s = SslStream::new(ssl, sock).unwrap();
        s.do_handshake().unwrap();
        // Drop the socket without close_notify.
    });
    let sock = TcpStream::connect(addr).unwrap();
    sock.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut ssl = Ssl::new(&client_ctx_builder().build()).unwrap();
    ssl.set_verify_hostname("localhost");
    let mut c = ssl.connect(sock).unwrap();
    server.join().unwrap();
    let e = c.ssl_read(&mut [0u8; 16]).unwrap_err();
    assert_eq!(
        (e.code(), e.reason_code()),
        (ErrorCode::SSL, Some(Reason::UNEXPECTED_EOF_WHILE_READING))
    );
    // Through std::io::Read the failure keeps being reported: Ok(0) would make the
    // truncation look like a clean close to a caller that retries.
    for _ in 0..3 {
        let e = std::io::Read::read(&mut c, &mut [0u8; 16]).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionAborted);
    }
    assert_eq!(std::io::Read::read(&mut c, &mut []).unwrap(), 0);

    // A fresh connection whose peer is gone: keep writing until the kernel reports it.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server_ctx = server_ctx_builder().build();
    let server = std::thread::spawn(move || {
        let (sock, _) = listener.accept().unwrap();
        let mut ssl = Ssl::new(&server_ctx).unwrap();
        ssl.set_accept_state();
        let mut s = SslStream::new(ssl, sock).unwrap();
        s.do_handshake().unwrap();
    });
    let sock = TcpStream::connect(addr).unwrap();
    let mut ssl = Ssl::new(&client_ctx_builder().build()).unwrap();
    ssl.set_verify_hostname("localhost");
    let mut c = ssl.connect(sock).unwrap();
    server.join().unwrap();
    let chunk = vec![0u8; 16384];
    let mut last = None;
    for _ in 0..1000 {
        if let Err(e) = c.ssl_write(&chunk) {
            last = Some(e);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let e = last.expect("writes into a closed socket must fail");
    assert_eq!(e.code(), ErrorCode::SYSCALL);
    let errno = e.io_error().and_then(|io| io.raw_os_error());
    assert!(matches!(errno, Some(32) | Some(104)), "errno {errno:?}");
    assert_eq!(c.ssl_write(&chunk).unwrap_err().code(), ErrorCode::SYSCALL);
}

/// Like the `openssl` crate's types, ours can cross threads and live in `dyn Error + Send + Sync`.
#[test]
fn api_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Ssl>();
    check::<oxssl::ssl::SslStream<std::net::TcpStream>>();
    check::<oxssl::ssl::HandshakeError<std::net::TcpStream>>();
    check::<oxssl::ssl::Error>();
    check::<oxssl::ssl::SslContext>();
}

/// An idle connection holds no record buffers (RELEASE_BUFFERS, on by default).
#[test]
fn idle_connections_release_record_buffers() {
    let (mut c, mut s, _a, _b) = pair(1 << 20);
    handshake(&mut c, &mut s);
    c.ssl_write(&vec![1u8; 50000]).unwrap();
    assert_eq!(read_now(&mut s).len(), 50000);
    for ssl in [&c, &s] {
        let held = ssl.connection().unwrap().buffer_memory();
        assert_eq!(
            held, 0,
            "idle connection holds {held} bytes of record buffers"
        );
    }
}
