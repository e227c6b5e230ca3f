//! The pool's policy under random sequences of requests, returns, failures,
//! cancellations and clock jumps, against a model of what each request
//! holds: limits never exceeded, no connection held twice, waiters served
//! in the order they came, no connection handed out past its idle time,
//! no waiter left waiting while its host has room, and a waiter that gives
//! up before or after its grant loses nothing: what it was granted passes
//! on.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use httpcore_client::pool::{Checkout, Grant, Pool, PoolConfig, PoolKey, WaiterId};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

#[derive(Debug, Clone)]
enum Op {
    /// A new request to host `k`.
    Request(u8),
    /// The `i`-th request holding a connection is done with it: reusable
    /// or not.
    Release(u8, bool),
    /// The `i`-th waiting or granted request gives up.
    Cancel(u8),
    /// The `i`-th granted request takes its grant.
    Take(u8),
    /// Time passes.
    Advance(u16),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..3).prop_map(Op::Request),
        4 => (any::<u8>(), any::<bool>()).prop_map(|(i, r)| Op::Release(i, r)),
        1 => any::<u8>().prop_map(Op::Cancel),
        2 => any::<u8>().prop_map(Op::Take),
        1 => (0u16..20_000).prop_map(Op::Advance),
    ]
}

fn key(k: u8) -> PoolKey {
    PoolKey {
        https: k == 2,
        host: format!("h{}", k % 2),
        port: 80,
        proxy: None,
        tls: usize::from(k == 2),
    }
}

/// What the test knows: each request's key, and what it holds.
#[derive(Default)]
struct Model {
    /// Requests holding a connection: (key, connection id).
    holding: Vec<(u8, u64)>,
    /// Waiting requests per key, in the order they started waiting.
    waiting: HashMap<u8, VecDeque<WaiterId>>,
    /// Requests granted something and not yet taking it: key, and the
    /// connection (or `None` for a slot).
    granted: HashMap<WaiterId, (u8, Option<u64>)>,
    /// Connections idle in the pool, with when they went idle.
    idle_since: HashMap<u64, Instant>,
    next_conn: u64,
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_pool_keeps_its_promises(
        ops in prop::collection::vec(op(), 1..200),
        per_host in 1usize..4,
        idle_per_host in 0usize..3,
        idle_total in 0usize..4,
    ) {
        let config = PoolConfig {
            max_per_host: per_host,
            max_idle_per_host: idle_per_host,
            max_idle: idle_total,
            idle_timeout: Duration::from_secs(10),
        };
        let mut pool: Pool<u64> = Pool::new(config);
        let mut m = Model::default();
        let mut now = Instant::now();
        for op in ops {
            match op {
                Op::Request(k) => match pool.checkout(&key(k), now) {
                    Checkout::Reuse(c) => {
                        let since = m.idle_since.remove(&c);
                        prop_assert!(since.is_some(), "reused a connection that was not idle");
                        prop_assert!(now.duration_since(since.unwrap()) < config.idle_timeout, "expired connection handed out");
                        m.holding.push((k, c));
                    }
                    Checkout::Connect => {
                        m.next_conn += 1;
                        m.holding.push((k, m.next_conn));
                    }
                    Checkout::Wait(w) => m.waiting.entry(k).or_default().push_back(w),
                },
                Op::Release(i, reusable) => {
                    if m.holding.is_empty() {
                        continue;
                    }
                    let (k, c) = m.holding.remove(i as usize % m.holding.len());
                    let woken = if reusable {
                        pool.checkin(&key(k), c, now)
                    } else {
                        pool.discard(&key(k))
                    };
                    passed_on(&mut m, k, reusable.then_some(c), woken, now)?;
                }
                Op::Cancel(i) => {
                    let mut all: Vec<(u8, WaiterId)> = m
                        .waiting
                        .iter()
                        .flat_map(|(&k, q)| q.iter().map(move |&w| (k, w)))
                        .chain(m.granted.iter().map(|(&w, &(k, _))| (k, w)))
                        .collect();
                    if all.is_empty() {
                        continue;
                    }
                    all.sort();
                    let (k, w) = all[i as usize % all.len()];
                    let woken = pool.cancel(&key(k), w, now);
                    match m.granted.remove(&w) {
                        // Its grant passes on as if given back.
                        Some((_, conn)) => passed_on(&mut m, k, conn, woken, now)?,
                        None => {
                            prop_assert_eq!(woken, None, "a waiter's cancel woke someone");
                            m.waiting.get_mut(&k).unwrap().retain(|&x| x != w);
                        }
                    }
                    prop_assert_eq!(pool.cancel(&key(k), w, now), None, "cancelled twice");
                    prop_assert_eq!(pool.take_grant(w), None, "a grant after giving up");
                }
                Op::Take(i) => {
                    let mut all: Vec<WaiterId> = m.granted.keys().copied().collect();
                    if all.is_empty() {
                        continue;
                    }
                    all.sort();
                    let w = all[i as usize % all.len()];
                    let (k, conn) = m.granted.remove(&w).unwrap();
                    match (pool.take_grant(w), conn) {
                        (Some(Grant::Reuse(got)), Some(c)) => {
                            prop_assert_eq!(got, c);
                            m.holding.push((k, c));
                        }
                        (Some(Grant::Connect), None) => {
                            m.next_conn += 1;
                            m.holding.push((k, m.next_conn));
                        }
                        (got, want) => prop_assert!(false, "granted {:?}, expected {:?}", got, want),
                    }
                }
                Op::Advance(ms) => {
                    now += Duration::from_millis(u64::from(ms));
                    if pool.poll_timeout().is_some_and(|t| t <= now) {
                        pool.handle_timeout(now);
                    }
                }
            }
            // What the pool lets go of was idle (or came back past a limit).
            while let Some(c) = pool.poll_close() {
                m.idle_since.remove(&c);
                prop_assert!(m.holding.iter().all(|&(_, h)| h != c), "closed a held connection");
            }
            // The invariants.
            let held: HashSet<u64> = m.holding.iter().map(|&(_, c)| c).collect();
            prop_assert_eq!(held.len(), m.holding.len(), "a connection held twice");
            prop_assert!(m.idle_since.keys().all(|c| !held.contains(c)), "idle and held at once");
            prop_assert!(pool.idle_total() <= config.max_idle);
            prop_assert_eq!(pool.idle_total(), m.idle_since.len());
            for k in 0..3 {
                let key = key(k);
                let in_use = m.holding.iter().filter(|&&(h, _)| h == k).count()
                    + m.granted.values().filter(|&&(h, _)| h == k).count();
                let waiting = m.waiting.get(&k).map_or(0, VecDeque::len);
                prop_assert_eq!(pool.in_use(&key), in_use);
                prop_assert_eq!(pool.waiting(&key), waiting);
                prop_assert!(pool.idle(&key) <= config.max_idle_per_host);
                prop_assert!(in_use + pool.idle(&key) <= per_host, "over the per-host limit");
                // Nobody waits while the host has room.
                prop_assert!(waiting == 0 || (in_use == per_host && pool.idle(&key) == 0));
            }
        }
    }
}

/// A connection (`Some`) or a slot (`None`) of host `k` came back: to the
/// first waiter the pool woke, or (a connection) idle.
fn passed_on(
    m: &mut Model,
    k: u8,
    conn: Option<u64>,
    woken: Option<WaiterId>,
    now: Instant,
) -> Result<(), TestCaseError> {
    match woken {
        None => {
            if let Some(c) = conn {
                m.idle_since.insert(c, now);
            }
        }
        Some(w) => {
            let first = m.waiting.get_mut(&k).and_then(VecDeque::pop_front);
            prop_assert_eq!(first, Some(w), "not the first waiter");
            m.granted.insert(w, (k, conn));
        }
    }
    Ok(())
}
