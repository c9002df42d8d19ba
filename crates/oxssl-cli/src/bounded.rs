//! What keeps `s_server`'s services bounded under load: a cap on connection threads, a
//! transport with a deadline, and an HTTP request reader that scans each byte once.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Connection threads in flight, at most `max`. The accept loop takes a [`Slot`] before it
/// accepts, so the clients beyond the cap wait in the kernel's listen queue, where they cost
/// no thread; a slot comes back when its thread ends, however it ends.
pub struct Slots {
    busy: Mutex<usize>,
    changed: Condvar,
    max: usize,
}

/// One connection thread's place; dropping it frees the place.
pub struct Slot(Arc<Slots>);

impl Slots {
    pub fn new(max: usize) -> Arc<Slots> {
        Arc::new(Slots {
            busy: Mutex::new(0),
            changed: Condvar::new(),
            max: max.max(1),
        })
    }

    /// Waits for a free place and takes it.
    pub fn acquire(self: &Arc<Self>) -> Slot {
        let mut busy = self.lock();
        while *busy >= self.max {
            busy = self.changed.wait(busy).unwrap_or_else(|p| p.into_inner());
        }
        *busy += 1;
        Slot(self.clone())
    }

    /// Waits until every slot has been given back.
    pub fn wait_idle(&self) {
        let mut busy = self.lock();
        while *busy > 0 {
            busy = self.changed.wait(busy).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// The count, also after a thread panicked holding the lock (it only counts).
    fn lock(&self) -> std::sync::MutexGuard<'_, usize> {
        self.busy.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        *self.0.lock() -= 1;
        self.0.changed.notify_all();
    }
}

/// A TCP connection whose every read and write waits at most `idle`, and none past
/// `deadline` when one is set: a client trickling a byte at a time resets a plain read
/// timeout forever, but not a deadline. A wait that runs out fails with `TimedOut`, which
/// ends the connection, or with `WouldBlock` (a retry) when `poll` is set.
pub struct Timed {
    pub tcp: TcpStream,
    pub deadline: Option<Instant>,
    pub idle: Duration,
    pub poll: bool,
}

impl Timed {
    /// `tcp` with `limit` to go from now.
    pub fn new(tcp: TcpStream, limit: Duration, idle: Duration) -> Timed {
        Timed {
            tcp,
            deadline: Some(Instant::now() + limit),
            idle,
            poll: false,
        }
    }

    /// What a socket timeout becomes (the kernel reports it as `WouldBlock`).
    fn timed_out<T>(&self, r: io::Result<T>) -> io::Result<T> {
        match r {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && !self.poll => {
                Err(io::Error::new(io::ErrorKind::TimedOut, "client too slow"))
            }
            r => r,
        }
    }

    /// The wait allowed for the next operation, or TimedOut past the deadline.
    fn wait(&self) -> io::Result<Duration> {
        let Some(deadline) = self.deadline else {
            return Ok(self.idle);
        };
        match deadline.saturating_duration_since(Instant::now()) {
            left if left.is_zero() => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "client too slow (-conn_timeout)",
            )),
            left => Ok(left.min(self.idle)),
        }
    }
}

impl Read for Timed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.tcp.set_read_timeout(Some(self.wait()?))?;
        let r = self.tcp.read(buf);
        self.timed_out(r)
    }
}

impl Write for Timed {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tcp.set_write_timeout(Some(self.wait()?))?;
        let r = self.tcp.write(buf);
        self.timed_out(r)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

/// An HTTP request head read piece by piece: each new piece is scanned once, with the
/// three bytes before it (a blank line may straddle two pieces), never the whole head again.
#[derive(Default)]
pub struct RequestHead {
    pub bytes: Vec<u8>,
}

impl RequestHead {
    /// Room left before `max` bytes.
    pub fn room(&self, max: usize) -> usize {
        max.saturating_sub(self.bytes.len())
    }

    /// Appends `piece`; true once the head is complete (a blank line, `\r\n\r\n` or `\n\n`).
    pub fn push(&mut self, piece: &[u8]) -> bool {
        let from = self.bytes.len().saturating_sub(3);
        self.bytes.extend_from_slice(piece);
        let new = &self.bytes[from..];
        new.windows(2).any(|w| w == b"\n\n") || new.windows(4).any(|w| w == b"\r\n\r\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_end_found_across_every_split() {
        let req = b"GET / HTTP/1.0\r\nHost: x\r\n\r\n";
        for size in 1..=req.len() {
            let mut head = RequestHead::default();
            let done: Vec<bool> = req.chunks(size).map(|c| head.push(c)).collect();
            assert_eq!(done.iter().filter(|d| **d).count(), 1, "{size}");
            assert!(done.last().unwrap(), "{size}");
        }
        let mut head = RequestHead::default();
        assert!(!head.push(b"GET / HTTP/1.0\n"));
        assert!(head.push(b"\n"));
        let mut head = RequestHead::default();
        assert!(!head.push(b"GET / HTTP/1.0\r\nA: b\r\n"));
        assert_eq!(head.room(30), 8);
    }

    #[test]
    fn slots_cap_threads_and_come_back() {
        let slots = Slots::new(2);
        let (a, b) = (slots.acquire(), slots.acquire());
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = {
            let slots = slots.clone();
            std::thread::spawn(move || {
                let _c = slots.acquire();
                tx.send(()).unwrap();
            })
        };
        let blocked = rx.recv_timeout(Duration::from_millis(200));
        assert!(blocked.is_err(), "a third slot was handed out");
        drop(a);
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
        waiter.join().unwrap();
        drop(b);
        slots.wait_idle();
        assert_eq!(*slots.lock(), 0);
    }

    #[test]
    fn deadline_ends_a_trickling_peer() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let mut timed = Timed::new(server, Duration::from_millis(300), IDLE_FOR_TEST);
        let start = Instant::now();
        let mut buf = [0u8; 1];
        let mut got = 0;
        let err = loop {
            client.write_all(b"x").unwrap();
            match timed.read(&mut buf) {
                Ok(n) => got += n,
                Err(e) => break e,
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(got >= 2, "{got}");
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_silent_peer_times_out_or_polls() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let _client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let mut timed = Timed::new(server, Duration::from_secs(30), Duration::from_millis(20));
        let mut buf = [0u8; 1];
        assert_eq!(
            timed.read(&mut buf).unwrap_err().kind(),
            io::ErrorKind::TimedOut
        );
        timed.poll = true;
        assert_eq!(
            timed.read(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
    }

    const IDLE_FOR_TEST: Duration = Duration::from_secs(30);
}
