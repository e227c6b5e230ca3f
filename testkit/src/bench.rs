//! What the adapters' load benches share: clients timed against each other
//! in alternating rounds in one process (the machine is noisy, so only a
//! ratio measured round by round means anything), the medians, and the CPU
//! each client costs per request.
//!
//! A [`Contest`] runs every entrant once per round, in an order reversed
//! every round, after one warm-up round that is not counted. An entrant is
//! a closure doing a fixed amount of work and returning how many requests
//! it made. [`Contest::ratio`] is the median over rounds of `b`'s time over
//! `a`'s: above 1, `a` did the same work faster.

use std::time::{Duration, Instant};

/// The median (the upper one of an even count); `NaN` when empty.
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// CPU time this process has used so far, all threads (those that ended
/// too), user and system.
pub fn process_cpu() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a valid pointer to a rusage, RUSAGE_SELF is always valid.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(rc, 0, "getrusage failed");
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// One thread's CPU clock, readable from any thread of the process (Linux:
/// `/proc/self/task/<tid>/schedstat`, nanoseconds).
#[derive(Debug, Clone)]
pub struct ThreadCpu {
    path: Option<String>,
}

impl ThreadCpu {
    /// The calling thread's clock.
    pub fn current() -> ThreadCpu {
        let path = std::fs::read_link("/proc/thread-self")
            .ok()
            .and_then(|p| p.to_str().map(|p| format!("/proc/{p}/schedstat")));
        ThreadCpu { path }
    }

    /// CPU time the thread has used so far (zero where it cannot be read).
    pub fn now(&self) -> Duration {
        self.path
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|s| s.split_whitespace().next()?.parse().ok())
            .map_or(Duration::ZERO, Duration::from_nanos)
    }
}

/// One client in a [`Contest`]: its name and one round's work.
pub struct Entrant<'a> {
    name: &'static str,
    run: Box<dyn FnMut() -> usize + 'a>,
    times: Vec<Duration>,
    requests: usize,
    cpu: Duration,
}

/// Clients timed against each other in alternating rounds.
pub struct Contest<'a> {
    entrants: Vec<Entrant<'a>>,
    server: Option<ThreadCpu>,
}

impl<'a> Contest<'a> {
    /// A contest whose CPU figures leave out `server`'s thread (the
    /// in-process server every client talks to).
    pub fn new(server: Option<ThreadCpu>) -> Contest<'a> {
        Contest {
            entrants: Vec::new(),
            server,
        }
    }

    /// Add a client: `run` does one round's work and returns the number
    /// of requests it made.
    pub fn entrant(&mut self, name: &'static str, run: impl FnMut() -> usize + 'a) -> &mut Self {
        self.entrants.push(Entrant {
            name,
            run: Box::new(run),
            times: Vec::new(),
            requests: 0,
            cpu: Duration::ZERO,
        });
        self
    }

    /// Drop every entrant but the one named `name`, or, when none is,
    /// every entrant whose name does not contain it (to profile one client
    /// alone, or compare a few).
    pub fn keep_only(&mut self, name: &str) -> &mut Self {
        if self.entrants.iter().any(|e| e.name == name) {
            self.entrants.retain(|e| e.name == name);
        } else {
            self.entrants.retain(|e| e.name.contains(name));
        }
        assert!(!self.entrants.is_empty(), "no entrant {name}");
        self
    }

    /// Run one warm-up round and then `rounds` counted ones.
    pub fn run(&mut self, rounds: usize) -> &mut Self {
        let count = self.entrants.len();
        for round in 0..=rounds {
            for k in 0..count {
                let i = if round % 2 == 0 { k } else { count - 1 - k };
                let server = self.server.as_ref().map_or(Duration::ZERO, ThreadCpu::now);
                let cpu = process_cpu();
                let start = Instant::now();
                let e = &mut self.entrants[i];
                let requests = (e.run)();
                let elapsed = start.elapsed();
                let server = self.server.as_ref().map_or(Duration::ZERO, ThreadCpu::now) - server;
                let cpu = process_cpu().saturating_sub(cpu).saturating_sub(server);
                if round > 0 {
                    e.times.push(elapsed);
                    e.requests += requests;
                    e.cpu += cpu;
                }
            }
        }
        self
    }

    fn get(&self, name: &str) -> &Entrant<'a> {
        self.entrants
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("no entrant {name}"))
    }

    /// The median over rounds of `b`'s time over `a`'s (both do the same
    /// work each round): how many times faster `a` was.
    pub fn ratio(&self, a: &str, b: &str) -> f64 {
        let (a, b) = (self.get(a), self.get(b));
        let per_round: Vec<f64> = a
            .times
            .iter()
            .zip(&b.times)
            .map(|(ta, tb)| tb.as_secs_f64() / ta.as_secs_f64())
            .collect();
        median(&per_round)
    }

    /// `name`'s requests per second, the median over rounds.
    pub fn per_second(&self, name: &str) -> f64 {
        let e = self.get(name);
        let per_round = e.requests as f64 / e.times.len().max(1) as f64;
        let rates: Vec<f64> = e
            .times
            .iter()
            .map(|t| per_round / t.as_secs_f64())
            .collect();
        median(&rates)
    }

    /// The client side's CPU per request, microseconds: the process's CPU
    /// minus the server thread's, over every counted round.
    pub fn cpu_per_request(&self, name: &str) -> f64 {
        let e = self.get(name);
        e.cpu.as_secs_f64() * 1e6 / e.requests.max(1) as f64
    }

    /// Print `ratio NAME VALUE` for `a` over `b`.
    pub fn print_ratio(&self, name: &str, a: &str, b: &str) {
        println!("ratio {name} {:.3}", self.ratio(a, b));
    }

    /// Print every entrant's rate in MiB/s (to stderr), for contests whose
    /// entrants move one GiB per request (the bulk benches).
    pub fn print_mib_per_second(&self) {
        for e in &self.entrants {
            eprintln!(
                "  {:<16} {:>6.0} MiB/s",
                e.name,
                self.per_second(e.name) * 1024.0
            );
        }
    }

    /// Print every entrant's requests per second and CPU per request (to
    /// stderr, beside the ratio lines).
    pub fn print_figures(&self, label: &str) {
        for e in &self.entrants {
            eprintln!(
                "  {label} {:<16} {:>9.0} req/s  {:>6.2} us CPU/request (client side)",
                e.name,
                self.per_second(e.name),
                self.cpu_per_request(e.name)
            );
        }
    }
}

/// Raise this process's open-file limit to its hard limit (benches that
/// hold thousands of loopback connections, both ends in one process); the
/// limit now in force.
pub fn raise_fd_limit() -> u64 {
    // SAFETY: getrlimit/setrlimit only read and write the struct given.
    let mut limit: libc::rlimit = unsafe { std::mem::zeroed() };
    // SAFETY: a valid pointer to an rlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return 0;
    }
    limit.rlim_cur = limit.rlim_max;
    // SAFETY: a valid pointer to an rlimit no higher than the hard limit.
    unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
    // SAFETY: as above.
    unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    limit.rlim_cur as u64
}

/// A global allocator that counts the heap bytes in use (requested sizes,
/// not the allocator's own overhead) and each thread's allocations: a
/// bench or test declares it with `#[global_allocator]` and reads
/// [`live_heap`] or [`thread_allocations`] before and after.
#[derive(Debug, Default)]
pub struct CountingAlloc;

static LIVE_HEAP: std::sync::atomic::AtomicIsize = std::sync::atomic::AtomicIsize::new(0);

thread_local! {
    // Const-initialised and without a destructor: safe to touch from the
    // allocator, at any point of a thread's life.
    static THREAD_ALLOCATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Allocations (and reallocations) this thread has made so far, as counted
/// by [`CountingAlloc`] (zero unless it is the global allocator). Other
/// threads — a test server, other tests — do not move it.
pub fn thread_allocations() -> u64 {
    THREAD_ALLOCATIONS.with(std::cell::Cell::get)
}

/// The allocations per call of `f` on this thread (under
/// [`CountingAlloc`]), over `n` calls after `warm` calls that are not
/// counted (connections opened, buffers grown).
pub fn allocations_per_call(warm: usize, n: u32, mut f: impl FnMut()) -> f64 {
    for _ in 0..warm {
        f();
    }
    let before = thread_allocations();
    for _ in 0..n {
        f();
    }
    (thread_allocations() - before) as f64 / f64::from(n)
}

/// What a request on a kept-alive pooled connection may allocate, in std's
/// `Agent` and tokio's `Client` alike: the URL split (two strings), the
/// route's host (parsed, and lower-cased for the pool key), the response
/// head's two vectors.
pub const POOLED_REQUEST_ALLOCATIONS: f64 = 6.0;

/// Fail unless `per_request` is within [`POOLED_REQUEST_ALLOCATIONS`].
pub fn check_pooled_request_allocations(per_request: f64) {
    assert!(
        per_request <= POOLED_REQUEST_ALLOCATIONS,
        "{per_request} allocations per request (at most {POOLED_REQUEST_ALLOCATIONS})"
    );
    eprintln!("{per_request} allocations per request");
}

fn count_allocation() {
    let _ = THREAD_ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

/// Heap bytes in use now, as counted by [`CountingAlloc`] (zero unless it
/// is the global allocator).
pub fn live_heap() -> isize {
    LIVE_HEAP.load(std::sync::atomic::Ordering::Relaxed)
}

// SAFETY: every call goes to the system allocator unchanged; the counter
// only observes the sizes.
unsafe impl std::alloc::GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        count_allocation();
        LIVE_HEAP.fetch_add(layout.size() as isize, std::sync::atomic::Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        count_allocation();
        LIVE_HEAP.fetch_add(layout.size() as isize, std::sync::atomic::Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { std::alloc::System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        LIVE_HEAP.fetch_sub(layout.size() as isize, std::sync::atomic::Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        count_allocation();
        LIVE_HEAP.fetch_add(
            new_size as isize - layout.size() as isize,
            std::sync::atomic::Ordering::Relaxed,
        );
        // SAFETY: the caller's contract, passed on.
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }
}

/// This process's resident memory now (VmRSS), bytes; zero where it
/// cannot be read.
pub fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("VmRSS:")
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            })
        })
        .map_or(0, |kib| kib * 1024)
}

/// Keep the calling thread on CPU `cpu` (modulo the CPUs there are), so
/// that a bench's client and server threads stay on CPUs of their own
/// instead of wherever the scheduler's wake-ups pull them. False where it
/// cannot be set.
pub fn pin_to_cpu(cpu: usize) -> bool {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    // SAFETY: a zeroed cpu_set_t is an empty set; CPU_SET writes inside it.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: the index is below the set's size (CPU_SETSIZE ≥ any count
    // of CPUs available_parallelism reports here).
    unsafe { libc::CPU_SET(cpu % cpus, &mut set) };
    // SAFETY: a valid set of the size given, for the calling thread (0).
    unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0 }
}

/// The value after `flag` on the bench's command line (`-- --only NAME`),
/// if it was given.
pub fn arg(flag: &str) -> Option<String> {
    let mut args = std::env::args().skip_while(|a| a != flag);
    args.next()?;
    args.next()
}

/// Whether `flag` is on the bench's command line (`-- --sweep`).
pub fn has_flag(flag: &str) -> bool {
    std::env::args().any(|a| a == flag)
}
