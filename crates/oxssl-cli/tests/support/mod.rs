//! Child processes for command-line tests: spawned with piped stdio, their output
//! collected by threads and offered line by line, killed and reaped on drop, every wait
//! bounded by a deadline.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A running program, killed on drop.
pub struct Proc {
    child: Child,
    output: Arc<Mutex<String>>,
    lines: mpsc::Receiver<String>,
    readers: Vec<JoinHandle<()>>,
}

impl Proc {
    /// Starts `program` with `args`; stdout and stderr are both collected, and their
    /// lines offered to [`Proc::wait_for`].
    pub fn spawn(program: &str, args: &[&str]) -> Proc {
        Self::spawn_in(&std::env::current_dir().unwrap(), program, args)
    }

    /// [`Proc::spawn`] with `dir` as the working directory.
    pub fn spawn_in(dir: &std::path::Path, program: &str, args: &[&str]) -> Proc {
        let mut child = Command::new(program)
            .current_dir(dir)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {program} {args:?}: {e}"));
        let output = Arc::new(Mutex::new(String::new()));
        let (tx, lines) = mpsc::channel();
        let streams: [Box<dyn Read + Send>; 2] = [
            Box::new(child.stdout.take().unwrap()),
            Box::new(child.stderr.take().unwrap()),
        ];
        let readers = streams
            .into_iter()
            .map(|stream| {
                let (output, tx) = (output.clone(), tx.clone());
                std::thread::spawn(move || {
                    let mut r = BufReader::new(stream);
                    let mut line = Vec::new();
                    while matches!(r.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                        let s = String::from_utf8_lossy(&line).into_owned();
                        output.lock().unwrap().push_str(&s);
                        let _ = tx.send(s);
                        line.clear();
                    }
                })
            })
            .collect();
        Proc {
            child,
            output,
            lines,
            readers,
        }
    }

    /// Waits for an output line containing `needle`; returns it.
    pub fn wait_for(&self, needle: &str, timeout: Duration) -> String {
        let until = Instant::now() + timeout;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line.trim_end().to_string(),
                Ok(_) => continue,
                Err(_) => panic!("no line with {needle:?}; output so far:\n{}", self.output()),
            }
        }
    }

    /// Writes to stdin (kept open).
    pub fn send(&mut self, data: &str) {
        if let Some(stdin) = self.child.stdin.as_mut() {
            let _ = stdin.write_all(data.as_bytes());
            let _ = stdin.flush();
        }
    }

    /// Closes stdin.
    pub fn close_stdin(&mut self) {
        self.child.stdin.take();
    }

    /// Waits up to `timeout` for the exit; kills on timeout. Returns (exit code, output).
    pub fn finish(&mut self, timeout: Duration) -> (Option<i32>, String) {
        let until = Instant::now() + timeout;
        let code = loop {
            match self.child.try_wait() {
                Ok(Some(st)) => break st.code(),
                Ok(None) if Instant::now() < until => std::thread::sleep(Duration::from_millis(10)),
                _ => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break None;
                }
            }
        };
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        (code, self.output())
    }

    /// The process id (for /proc/<pid>/status).
    #[allow(dead_code)] // not every test binary that includes this module reads /proc
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Everything printed so far.
    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port free right now on 127.0.0.1 (for servers that need one named up front).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A temporary directory, removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "oxssl-cli-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// The path of `name` inside the directory.
    pub fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
