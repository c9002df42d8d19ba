//! What keeps `s_server`'s services bounded under load: a cap on connection threads, which
//! are joined as they end, a transport with a deadline, and an HTTP request reader that
//! scans each byte once.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Connection threads, at most `max` at once, each joined as soon as it ends (a thread
/// never joined keeps its stack: ~25 KiB of resident memory per connection, for good).
/// The accept loop calls [`Workers::make_room`] before it accepts, so the clients beyond the
/// cap wait in the kernel's listen queue, where they cost no thread.
pub struct Workers {
    live: HashMap<u64, JoinHandle<()>>,
    next: u64,
    ended_tx: Sender<u64>,
    ended: Receiver<u64>,
    max: usize,
}

/// Tells the accept loop that its worker ended, however it ended (also by a panic).
struct Ended(u64, Sender<u64>);

impl Drop for Ended {
    fn drop(&mut self) {
        let _ = self.1.send(self.0);
    }
}

impl Workers {
    pub fn new(max: usize) -> Workers {
        let (ended_tx, ended) = mpsc::channel();
        Workers {
            live: HashMap::new(),
            next: 0,
            ended_tx,
            ended,
            max: max.max(1),
        }
    }

    /// Joins the workers that ended; while `max` still run, waits for one to end.
    pub fn make_room(&mut self) {
        while let Ok(id) = self.ended.try_recv() {
            self.join(id);
        }
        while self.live.len() >= self.max {
            match self.ended.recv() {
                Ok(id) => self.join(id),
                Err(_) => return,
            }
        }
    }

    /// Runs `work` on a new thread (dropped, with what it holds, if none can be made).
    pub fn spawn(&mut self, work: impl FnOnce() + Send + 'static) -> std::io::Result<()> {
        let ended = Ended(self.next, self.ended_tx.clone());
        let handle = std::thread::Builder::new().spawn(move || {
            let _ended = ended;
            work();
        })?;
        self.live.insert(self.next, handle);
        self.next += 1;
        Ok(())
    }

    /// Waits for every worker.
    pub fn join_all(&mut self) {
        for (_, handle) in self.live.drain() {
            let _ = handle.join();
        }
    }

    /// Threads running (or ended and not yet joined).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.live.len()
    }

    fn join(&mut self, id: u64) {
        // The thread is past its work; join waits only for its exit, and frees its stack.
        if let Some(handle) = self.live.remove(&id) {
            let _ = handle.join();
        }
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
    fn workers_are_capped_and_joined() {
        let mut workers = Workers::new(2);
        let (release_tx, release) = mpsc::channel::<()>();
        let release = std::sync::Arc::new(std::sync::Mutex::new(release));
        for _ in 0..2 {
            workers.make_room();
            let release = release.clone();
            workers
                .spawn(move || {
                    let _ = release.lock().unwrap().recv();
                })
                .unwrap();
        }
        // make_room waits while two run: it returns once one has been let go and joined.
        let letting_go = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            release_tx.send(()).unwrap();
            release_tx
        });
        let start = Instant::now();
        workers.make_room();
        assert!(start.elapsed() >= Duration::from_millis(150));
        assert_eq!(workers.len(), 1);
        // A panicking worker is reaped too.
        workers.spawn(|| panic!("worker panics")).unwrap();
        drop(letting_go.join().unwrap()); // the last waiting worker ends
        workers.make_room();
        workers.join_all();
        assert_eq!(workers.len(), 0);
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
