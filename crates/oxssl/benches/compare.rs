//! oxssl against OpenSSL and rustls, in one run on one machine, printing ratios.
//!
//! ```sh
//! cargo bench -p oxssl --bench compare                 # full run (under a minute of measuring)
//! cargo bench -p oxssl --bench compare -- --quick      # smoke run, seconds (OXSSL_BENCH_QUICK=1 too)
//! cargo bench -p oxssl --bench compare -- --only=bulk  # handshake | bulk | memory
//! OXSSL_BENCH_RAW=1 cargo bench -p oxssl --bench compare  # also every sample, on stderr
//! OXSSL_BENCH_WALL=1 cargo bench -p oxssl --bench compare # wall time, not CPU time
//! # one contender alone, for `perf record`: LIB = oxssl | oxssl-membio | oxssl-conn |
//! # openssl | openssl-release | rustls; WHAT = handshake | bulk | bulk-chacha
//! target/release/deps/compare-* --profile LIB WHAT SECONDS
//! # WHAT also: handshake12-ecdsa | handshake12-rsa | bulk12 (TLS 1.2)
//! ```
//!
//! Every library talks to itself (its client to its server) over memory in one thread,
//! one protocol version per measurement (TLS 1.3, or TLS 1.2 for the rows that say so),
//! the server certificate (ECDSA P-256, or RSA 2048 for ECDHE-RSA) verified by the client
//! (chain and host name), no session tickets and no session caches except in the resumed
//! rows. Three measurements:
//!
//! 1. handshakes per second, client and server CPU together, median of batches: full
//!    handshakes (TLS 1.3 with X25519 and X25519MLKEM768, TLS 1.2 ECDHE-ECDSA and
//!    ECDHE-RSA with X25519), and resumed ones (TLS 1.3 PSK with X25519 from a ticket,
//!    TLS 1.2 from an RFC 5077 ticket and from the server's session cache: each batch
//!    makes one session and resumes it; the server sends one ticket per handshake and the
//!    client reads it);
//! 2. one-way bulk throughput: the client writes 64 MiB in 16 KiB writes and the server
//!    reads it all, median of runs (the three TLS 1.3 suites and TLS 1.2 AES-128-GCM);
//! 3. memory held by an idle established pair: the RSS growth of a fresh child process
//!    holding N pairs, divided by N (the same method for all three, since OpenSSL's C
//!    allocations bypass the Rust allocator), and the Rust heap bytes those pairs hold
//!    (counted by this bench's allocator wrapper; OpenSSL's own memory is not visible
//!    there).
//!
//! Contenders are interleaved batch by batch, so a noisy neighbour hits all of them, and
//! timed on the measuring thread's CPU time (wall time minus the time it waited for a CPU,
//! from `/proc/thread-self/schedstat`), so being descheduled does not count; a neighbour
//! on the same core still slows the CPU itself, so only ratios from one run are worth
//! comparing.

// Helper modules live in benches/compare/ (so cargo does not take them for benches).
#[path = "compare/common.rs"]
mod common;
#[path = "compare/ossl.rs"]
mod ossl;
#[path = "compare/ox.rs"]
mod ox;
#[path = "compare/rtls.rs"]
mod rtls;

use common::{make_pki, Contender, Group, Negotiated, Pki, Resume, Suite};
use std::alloc::{GlobalAlloc, Layout, System};
use std::any::Any;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

// ----- heap accounting -----

/// `System` with a live-bytes counter, switched on only in the memory child process so
/// timed runs pay one relaxed load per allocation and nothing else.
struct CountingAlloc;

static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicIsize = AtomicIsize::new(0);

fn count(delta: isize) {
    if COUNTING.load(Ordering::Relaxed) {
        LIVE.fetch_add(delta, Ordering::Relaxed);
    }
}

// SAFETY: the one `unsafe` in the bench (allowed for this purpose only): every call is
// forwarded unchanged to `System`, which upholds `GlobalAlloc`'s contract; the wrapper
// only adds to a counter.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        count(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

// ----- the clock -----

/// How long this thread has waited for a CPU so far (ns): the second field of
/// `/proc/thread-self/schedstat`, which the kernel adds to each time the thread gets a
/// CPU back, so it is exact whenever the thread itself reads it.
fn run_delay_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().nth(1)?.parse().ok()
}

/// Measurements take wall time minus the time the measuring thread spent waiting for a
/// CPU where Linux reports it (every contender runs on this one thread and never sleeps,
/// so that is its CPU time, to within a fraction of a percent, and a neighbour taking the
/// core for a while no longer counts). Plain wall time elsewhere, or with
/// `OXSSL_BENCH_WALL=1`.
fn run_clock() -> bool {
    static RUN: OnceLock<bool> = OnceLock::new();
    *RUN.get_or_init(|| std::env::var_os("OXSSL_BENCH_WALL").is_none() && run_delay_ns().is_some())
}

/// A point in time on the measuring clock.
#[derive(Clone, Copy)]
struct Stamp {
    wall: Instant,
    /// `run_delay_ns` then, if the run clock is in use.
    delay: Option<u64>,
}

impl Stamp {
    fn now() -> Stamp {
        let delay = run_clock().then(run_delay_ns).flatten();
        Stamp {
            wall: Instant::now(),
            delay,
        }
    }

    fn elapsed(self) -> Duration {
        let wall = self.wall.elapsed();
        let waited = match (self.delay, run_delay_ns()) {
            (Some(d0), Some(d1)) => Duration::from_nanos(d1.saturating_sub(d0)),
            _ => Duration::ZERO,
        };
        // At least 1 ns: rates divide by it.
        wall.saturating_sub(waited).max(Duration::from_nanos(1))
    }
}

// ----- contenders -----

/// Every way of running a library that the tables show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lib {
    /// oxssl `Ssl` over its `MemBio`s: the public API as a user would drive it.
    OxMem,
    /// oxssl `Ssl` over the bench duplex: the same transport the others get.
    OxPipe,
    /// oxssl's sans-IO `Connection`, records handed over directly.
    OxConn,
    /// OpenSSL `SslStream` over the bench duplex, default modes.
    Openssl,
    /// OpenSSL with `SSL_MODE_RELEASE_BUFFERS` (oxssl's default), for the memory table.
    OpensslRelease,
    /// rustls over the bench duplex.
    Rustls,
}

impl Lib {
    fn label(self) -> &'static str {
        match self {
            Lib::OxMem => "oxssl `Ssl` + `MemBio`",
            Lib::OxPipe => "oxssl `Ssl` + bench duplex BIO",
            Lib::OxConn => "oxssl `Connection` (sans-IO)",
            Lib::Openssl => "OpenSSL 3.6 `SslStream`",
            Lib::OpensslRelease => "OpenSSL 3.6, RELEASE_BUFFERS",
            Lib::Rustls => "rustls 0.23 (aws-lc-rs)",
        }
    }

    fn arg(self) -> &'static str {
        match self {
            Lib::OxMem => "oxssl-membio",
            Lib::OxPipe => "oxssl",
            Lib::OxConn => "oxssl-conn",
            Lib::Openssl => "openssl",
            Lib::OpensslRelease => "openssl-release",
            Lib::Rustls => "rustls",
        }
    }

    fn from_arg(s: &str) -> Option<Lib> {
        [
            Lib::OxMem,
            Lib::OxPipe,
            Lib::OxConn,
            Lib::Openssl,
            Lib::OpensslRelease,
            Lib::Rustls,
        ]
        .into_iter()
        .find(|l| l.arg() == s)
    }
}

/// Handshake and bulk rows (the baseline, OpenSSL, first).
const TIMED: [Lib; 5] = [
    Lib::Openssl,
    Lib::OxMem,
    Lib::OxPipe,
    Lib::OxConn,
    Lib::Rustls,
];
/// Memory rows.
const MEMORY: [Lib; 6] = [
    Lib::Openssl,
    Lib::OpensslRelease,
    Lib::OxMem,
    Lib::OxPipe,
    Lib::OxConn,
    Lib::Rustls,
];

/// What the harness does with a contender, object-safe so the libraries can share a list.
trait Bench {
    /// `n` full handshakes (pairs made, connected and dropped).
    fn handshakes(&self, n: usize);
    /// Time to move `count` × `chunk` from client to server on a fresh pair.
    fn bulk(&self, chunk: &[u8], count: usize) -> Duration;
    /// Sends `count` × `chunk` and returns what the server read (correctness check).
    fn echo(&self, chunk: &[u8], count: usize) -> Vec<u8>;
    /// `n` established pairs with idle transports, held until dropped.
    fn hold(&self, n: usize) -> Box<dyn Any>;
    /// What a fresh pair negotiated.
    fn negotiated(&self) -> Negotiated;
}

impl<C: Contender> Bench for C {
    fn handshakes(&self, n: usize) {
        if self.resumption() == Resume::Off {
            for _ in 0..n {
                drop(std::hint::black_box(self.connect()));
            }
            return;
        }
        // One full handshake makes the session the batch resumes.
        let session = self.session();
        for _ in 0..n {
            drop(std::hint::black_box(self.resume(&session)));
        }
    }

    fn bulk(&self, chunk: &[u8], count: usize) -> Duration {
        let mut p = self.connect();
        let mut got = 0usize;
        let t = Stamp::now();
        self.transfer(&mut p, chunk, count, &mut |d| got += d.len());
        let e = t.elapsed();
        assert_eq!(got, chunk.len() * count, "server read everything");
        e
    }

    fn echo(&self, chunk: &[u8], count: usize) -> Vec<u8> {
        let mut p = self.connect();
        let mut out = Vec::new();
        self.transfer(&mut p, chunk, count, &mut |d| out.extend_from_slice(d));
        out
    }

    fn hold(&self, n: usize) -> Box<dyn Any> {
        let mut pairs = Vec::with_capacity(n);
        for _ in 0..n {
            let mut p = self.connect();
            self.release_transport(&mut p);
            pairs.push(p);
        }
        Box::new(pairs)
    }

    fn negotiated(&self) -> Negotiated {
        Contender::negotiated(self, &self.connect())
    }
}

fn build(lib: Lib, suite: Suite, group: Group, pki: &Pki) -> Box<dyn Bench> {
    build_resuming(lib, suite, group, Resume::Off, pki)
}

fn build_resuming(lib: Lib, suite: Suite, group: Group, r: Resume, pki: &Pki) -> Box<dyn Bench> {
    let b: Box<dyn Bench> = match lib {
        Lib::OxMem => Box::new(ox::OxSsl::new(suite, group, pki, ox::Transport::MemBio, r)),
        Lib::OxPipe => Box::new(ox::OxSsl::new(suite, group, pki, ox::Transport::Pipe, r)),
        Lib::OxConn => Box::new(ox::OxConn::new(suite, group, pki, r)),
        Lib::Openssl => Box::new(ossl::Ossl::new(suite, group, pki, false, r)),
        Lib::OpensslRelease => Box::new(ossl::Ossl::new(suite, group, pki, true, r)),
        Lib::Rustls => Box::new(rtls::Rtls::new(suite, group, pki, r)),
    };
    // Every row measures what it says: version, suite and group, checked once per
    // contender (the group where the library tells).
    let want = Negotiated {
        version: if suite.is_tls12() {
            "TLSv1.2"
        } else {
            "TLSv1.3"
        }
        .into(),
        suite: suite.iana().into(),
        group: Some(group.name().to_ascii_lowercase()),
    };
    let mut got = b.negotiated();
    if got.group.is_none() {
        got.group.clone_from(&want.group);
    }
    assert_eq!(got, want, "{lib:?} negotiated something else");
    b
}

// ----- settings -----

struct Settings {
    /// "full", "quick" or "smoke" (the `cargo test` run).
    mode: &'static str,
    /// Print every sample to stderr (`OXSSL_BENCH_RAW=1`).
    raw: bool,
    only: Option<String>,
    /// Handshake batches per contender and group.
    hs_rounds: usize,
    /// Target duration of one handshake batch.
    hs_batch: Duration,
    /// Bulk runs per contender and suite.
    bulk_rounds: usize,
    /// Bytes per bulk run.
    bulk_bytes: usize,
    /// Pairs held by a memory child.
    mem_pairs: usize,
}

impl Settings {
    fn from_args(args: &[String]) -> Settings {
        let env_quick = std::env::var("OXSSL_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
        let quick = env_quick || args.iter().any(|a| a == "--quick");
        let only = args
            .iter()
            .find_map(|a| a.strip_prefix("--only="))
            .map(str::to_string);
        let raw = std::env::var_os("OXSSL_BENCH_RAW").is_some();
        // `cargo bench` passes --bench; `cargo test --benches` does not and gets a smoke
        // run that only checks every contender works.
        if !args.iter().any(|a| a == "--bench") {
            return Settings {
                mode: "smoke",
                raw,
                only,
                hs_rounds: 1,
                hs_batch: Duration::from_millis(10),
                bulk_rounds: 1,
                bulk_bytes: 1 << 20,
                mem_pairs: 20,
            };
        }
        if quick {
            Settings {
                mode: "quick",
                raw,
                only,
                hs_rounds: 3,
                hs_batch: Duration::from_millis(100),
                bulk_rounds: 3,
                bulk_bytes: 8 << 20,
                mem_pairs: 300,
            }
        } else {
            Settings {
                mode: "full",
                raw,
                only,
                hs_rounds: 11,
                hs_batch: Duration::from_millis(300),
                bulk_rounds: 11,
                bulk_bytes: 64 << 20,
                mem_pairs: 2000,
            }
        }
    }

    fn runs(&self, part: &str) -> bool {
        self.only.as_deref().is_none_or(|o| o == part)
    }
}

// ----- statistics and formatting -----

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

/// Half the min-max spread as a percentage of the median.
fn spread(v: &[f64]) -> f64 {
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(0.0, f64::max);
    (hi - lo) / 2.0 / median(v) * 100.0
}

fn ratio(x: f64, base: f64) -> String {
    format!("{:.2}", x / base)
}

/// Today's date (UTC) as YYYY-MM-DD, from the system clock.
fn today() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (y, m, d, _) = oxssl::x509::Asn1Time::from_unix(secs)
        .map(|t| t.civil())
        .unwrap_or((1970, 1, 1, 0));
    format!("{y:04}-{m:02}-{d:02}")
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

fn progress(msg: &str) {
    eprintln!("[compare] {msg}");
}

// ----- the measurements -----

/// The handshake tables: a title and the (suite, group, heading) of each column.
type HandshakeTable = (
    &'static str,
    &'static [(Suite, Group, Resume, &'static str)],
);

const HANDSHAKE_TABLES: [HandshakeTable; 3] = [
    (
        "TLS 1.3, TLS_AES_128_GCM_SHA256, ECDSA P-256",
        &[
            (Suite::Aes128Gcm, Group::X25519, Resume::Off, "X25519"),
            (
                Suite::Aes128Gcm,
                Group::X25519MlKem768,
                Resume::Off,
                "X25519MLKEM768",
            ),
        ],
    ),
    (
        "TLS 1.2, X25519",
        &[
            (
                Suite::Tls12EcdsaAes128Gcm,
                Group::X25519,
                Resume::Off,
                "ECDHE-ECDSA-AES128-GCM-SHA256 (P-256)",
            ),
            (
                Suite::Tls12RsaAes128Gcm,
                Group::X25519,
                Resume::Off,
                "ECDHE-RSA-AES128-GCM-SHA256 (RSA 2048)",
            ),
        ],
    ),
    (
        "one ticket per handshake or the server's cache, AES-128-GCM, ECDSA P-256",
        &[
            (
                Suite::Aes128Gcm,
                Group::X25519,
                Resume::Tickets,
                "TLS 1.3 PSK + X25519",
            ),
            (
                Suite::Tls12EcdsaAes128Gcm,
                Group::X25519,
                Resume::Tickets,
                "TLS 1.2 ticket",
            ),
            (
                Suite::Tls12EcdsaAes128Gcm,
                Group::X25519,
                Resume::SessionIds,
                "TLS 1.2 session id",
            ),
        ],
    ),
];

fn run_handshakes(s: &Settings, pki: &Pki) {
    for (title, columns) in HANDSHAKE_TABLES {
        run_handshake_table(s, pki, title, columns);
    }
}

fn run_handshake_table(
    s: &Settings,
    pki: &Pki,
    title: &str,
    columns: &[(Suite, Group, Resume, &str)],
) {
    let mut cols: Vec<Vec<(f64, f64)>> = Vec::new();
    for &(suite, group, resume, heading) in columns {
        progress(&format!("handshakes, {title}, {heading}"));
        let benches: Vec<Box<dyn Bench>> = TIMED
            .iter()
            .map(|&l| build_resuming(l, suite, group, resume, pki))
            .collect();
        // Warm up, then size each contender's batch to about `hs_batch`.
        let sizes: Vec<usize> = benches
            .iter()
            .map(|b| {
                b.handshakes(5);
                let t = Stamp::now();
                b.handshakes(20);
                let per = t.elapsed().as_secs_f64() / 20.0;
                ((s.hs_batch.as_secs_f64() / per) as usize).max(10)
            })
            .collect();
        let mut rates = vec![Vec::new(); benches.len()];
        for round in 0..s.hs_rounds {
            for i in 0..benches.len() {
                let k = (round + i) % benches.len();
                let t = Stamp::now();
                benches[k].handshakes(sizes[k]);
                let rate = sizes[k] as f64 / t.elapsed().as_secs_f64();
                if s.raw {
                    eprintln!(
                        "raw handshake {} {} {:?} {rate:.0} hs/s",
                        suite.openssl_name(),
                        group.name(),
                        TIMED[k]
                    );
                }
                rates[k].push(rate);
            }
        }
        cols.push(rates.iter().map(|r| (median(r), spread(r))).collect());
    }
    let kind = if columns.iter().any(|c| c.2 != Resume::Off) {
        "Resumed"
    } else {
        "Full"
    };
    println!(
        "\n### {kind} handshakes per second, {title} (client + server, one core; median of {} \
         batches)\n",
        s.hs_rounds
    );
    let mut head = String::from("| contender |");
    let mut rule = String::from("| --- |");
    for (_, _, _, heading) in columns {
        head += &format!(" {heading} hs/s | ± | vs OpenSSL |");
        rule += " ---: | ---: | ---: |";
    }
    println!("{head}\n{rule}");
    for (i, lib) in TIMED.iter().enumerate() {
        let mut row = format!("| {} |", lib.label());
        for col in &cols {
            let (m, sp) = col[i];
            row += &format!(" {:.0} | {:.0}% | {} |", m, sp, ratio(m, col[0].0));
        }
        println!("{row}");
    }
}

fn pattern(n: usize) -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

fn run_bulk(s: &Settings, pki: &Pki) {
    const CHUNK: usize = 16 * 1024;
    let chunk = pattern(CHUNK);
    let count = s.bulk_bytes / CHUNK;
    let mut cols: Vec<Vec<(f64, f64)>> = Vec::new();
    for suite in Suite::BULK {
        progress(&format!("bulk, {}", suite.iana()));
        let benches: Vec<Box<dyn Bench>> = TIMED
            .iter()
            .map(|&l| build(l, suite, Group::X25519, pki))
            .collect();
        for (b, lib) in benches.iter().zip(TIMED) {
            // Correctness (and warm-up): the server reads exactly what the client wrote.
            let got = b.echo(&chunk, 8);
            assert!(
                got.len() == CHUNK * 8 && got.chunks(CHUNK).all(|c| c == chunk),
                "{lib:?} corrupted the stream"
            );
        }
        let mut rates = vec![Vec::new(); benches.len()];
        for round in 0..s.bulk_rounds {
            for i in 0..benches.len() {
                let k = (round + i) % benches.len();
                let t = benches[k].bulk(&chunk, count);
                let rate = (CHUNK * count) as f64 / t.as_secs_f64() / 1e6;
                if s.raw {
                    eprintln!("raw bulk {} {:?} {rate:.0} MB/s", suite.short(), TIMED[k]);
                }
                rates[k].push(rate);
            }
        }
        cols.push(rates.iter().map(|r| (median(r), spread(r))).collect());
    }
    println!(
        "\n### Bulk throughput, one direction, MB/s (client writes {} MiB in 16 KiB writes, \
         server reads it; encrypt + decrypt on one core; TLS 1.3 unless marked, TLS 1.2 with \
         ECDHE-ECDSA; X25519; median of {} runs)\n",
        s.bulk_bytes >> 20,
        s.bulk_rounds
    );
    let mut head = String::from("| contender |");
    let mut rule = String::from("| --- |");
    for suite in Suite::BULK {
        head += &format!(" {} | ± | vs OpenSSL |", suite.short());
        rule += " ---: | ---: | ---: |";
    }
    println!("{head}\n{rule}");
    for (i, lib) in TIMED.iter().enumerate() {
        let mut row = format!("| {} |", lib.label());
        for col in &cols {
            let (m, sp) = col[i];
            row += &format!(" {:.0} | {:.0}% | {} |", m, sp, ratio(m, col[0].0));
        }
        println!("{row}");
    }
}

/// Resident set size of this process, from /proc/self/status (bytes).
fn rss_bytes() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
        .expect("VmRSS")
        * 1024
}

/// In a fresh process: RSS and Rust-heap growth per established idle pair.
fn memory_child(lib: Lib, n: usize) {
    COUNTING.store(true, Ordering::Relaxed);
    let pki = make_pki();
    let b = build(lib, Suite::Aes128Gcm, Group::X25519, &pki);
    // Warm up (lazy statics, first-use tables) one pair at a time: holding many pairs
    // here would leave freed resident pages that the measured pairs then fill unseen.
    b.handshakes(20);
    let (rss0, heap0) = (rss_bytes(), LIVE.load(Ordering::Relaxed));
    let held = b.hold(n);
    let (rss1, heap1) = (rss_bytes(), LIVE.load(Ordering::Relaxed));
    println!(
        "{} {}",
        (rss1 as f64 - rss0 as f64) / n as f64,
        (heap1 - heap0) as f64 / n as f64
    );
    drop(held);
}

fn run_memory(s: &Settings) {
    let exe = std::env::current_exe().expect("current_exe");
    let mut rows = Vec::new();
    for lib in MEMORY {
        progress(&format!("memory, {} ({} pairs)", lib.arg(), s.mem_pairs));
        let out = Command::new(&exe)
            .args(["--memory-child", lib.arg(), &s.mem_pairs.to_string()])
            .output()
            .expect("memory child");
        assert!(
            out.status.success(),
            "memory child {} failed: {}",
            lib.arg(),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let v: Vec<f64> = text
            .split_whitespace()
            .map(|x| x.parse().expect("number"))
            .collect();
        rows.push((lib, v[0], v[1]));
    }
    println!(
        "\n### Memory per idle established connection (TLS_AES_128_GCM_SHA256, X25519; \
         growth of a fresh process holding {} client+server pairs, ÷ {} pairs ÷ 2 sides)\n",
        s.mem_pairs, s.mem_pairs
    );
    println!("| contender | RSS per connection | vs OpenSSL | Rust heap per connection |");
    println!("| --- | ---: | ---: | ---: |");
    let base = rows[0].1;
    for (lib, rss, heap) in rows {
        let heap = if matches!(lib, Lib::Openssl | Lib::OpensslRelease) {
            format!("({:.1} KiB, wrapper only)", heap / 2.0 / 1024.0)
        } else {
            format!("{:.1} KiB", heap / 2.0 / 1024.0)
        };
        println!(
            "| {} | {:.1} KiB | {} | {} |",
            lib.label(),
            rss / 2.0 / 1024.0,
            ratio(rss, base),
            heap
        );
    }
}

/// One contender alone, for `perf record`: `--profile LIB WHAT SECONDS`, WHAT one of
/// handshake | handshake12-ecdsa | handshake12-rsa | bulk | bulk-chacha | bulk12.
fn profile_loop(lib: Lib, what: &str, secs: f64) {
    let pki = make_pki();
    let (suite, handshake) = match what {
        "handshake" => (Suite::Aes128Gcm, true),
        "handshake12-ecdsa" => (Suite::Tls12EcdsaAes128Gcm, true),
        "handshake12-rsa" => (Suite::Tls12RsaAes128Gcm, true),
        "bulk" => (Suite::Aes128Gcm, false),
        "bulk-chacha" => (Suite::Chacha20, false),
        "bulk12" => (Suite::Tls12EcdsaAes128Gcm, false),
        _ => panic!("--profile: unknown measurement {what}"),
    };
    let b = build(lib, suite, Group::X25519, &pki);
    let chunk = pattern(16 * 1024);
    let t = Instant::now();
    let cpu = Stamp::now();
    let mut n = 0usize;
    while t.elapsed().as_secs_f64() < secs {
        if handshake {
            b.handshakes(50);
        } else {
            let _ = b.bulk(&chunk, 1024);
        }
        n += 1;
    }
    eprintln!(
        "{n} iterations in {:.1} s ({:.3} s on the measuring clock)",
        t.elapsed().as_secs_f64(),
        cpu.elapsed().as_secs_f64()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--memory-child") {
        let lib = Lib::from_arg(&args[i + 1]).expect("library name");
        let n = args[i + 2].parse().expect("pair count");
        memory_child(lib, n);
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--profile") {
        let lib = Lib::from_arg(&args[i + 1]).expect("library name");
        profile_loop(lib, &args[i + 2], args[i + 3].parse().expect("seconds"));
        return;
    }
    let s = Settings::from_args(&args);
    let started = Instant::now();
    let pki = make_pki();
    println!(
        "## oxssl vs OpenSSL vs rustls — {} — {} ({} threads available) — {} mode",
        today(),
        cpu_model(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        s.mode
    );
    println!(
        "\nEach library's client talks to its own server over memory in one thread, one \
         protocol version per measurement (TLS 1.3 unless marked TLS 1.2), server \
         certificate verified, no session tickets or caches except in the resumed rows. \
         \"vs OpenSSL\" = contender / {} \
         (higher is better for rates, lower for memory); \"±\" = half the min–max spread of \
         the runs. Time: {}.",
        openssl::version::version(),
        if run_clock() {
            "wall time minus the time the thread waited for a CPU (its CPU time)"
        } else {
            "wall time"
        }
    );
    if s.runs("handshake") {
        run_handshakes(&s, &pki);
    }
    if s.runs("bulk") {
        run_bulk(&s, &pki);
    }
    if s.runs("memory") {
        run_memory(&s);
    }
    println!("\n(measured in {:.0} s)", started.elapsed().as_secs_f64());
}
