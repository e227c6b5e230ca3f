//! `Agent`: many threads, one pool. Every body checked against its
//! request, connections opened never past the per-host limit (counted by
//! the server), waiters served, a half-read response never reused, idle
//! connections expired, whole-body reads capped.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use httpcore_client::pool::PoolConfig;
use httpcore_std::{Agent, AgentConfig, Timeouts};

mod support;
use support::{answer, Action, Server};

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

fn agent(per_host: usize) -> Agent {
    Agent::with_config(AgentConfig {
        pool: PoolConfig {
            max_per_host: per_host,
            ..PoolConfig::default()
        },
        timeouts: Timeouts::all(Duration::from_secs(10)),
        ..AgentConfig::default()
    })
    .unwrap()
}

#[test]
fn an_agent_is_send_sync_and_clone() {
    fn shared<T: Send + Sync + Clone + 'static>() {}
    shared::<Agent>();
}

#[test]
fn eight_threads_share_one_pool_within_the_per_host_limit() {
    let (addr, accepted) = testkit::load::start_counted(1024);
    let agent = agent(4);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let agent = agent.clone();
            let addr = addr.clone();
            std::thread::spawn(move || {
                for i in 0..250 {
                    let target = format!("/echo/{t}-{i}");
                    let mut r = agent.get(&format!("http://{addr}{target}")).unwrap();
                    assert_eq!(r.status(), 200);
                    assert_eq!(r.read_to_vec().unwrap(), target.as_bytes());
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let opened = accepted.load(Ordering::Relaxed);
    assert!(
        (1..=4).contains(&opened),
        "{opened} connections for a limit of 4"
    );
}

#[test]
fn a_request_waits_for_the_one_connection_then_reuses_it() {
    let server = Server::start(vec![[answer(OK), answer(OK)].concat()]);
    let agent = agent(1);
    let url = server.url("/");
    let mut first = agent.get(&url).unwrap();
    let waiter = {
        let agent = agent.clone();
        let url = url.clone();
        std::thread::spawn(move || agent.get(&url).unwrap().read_to_vec().unwrap())
    };
    std::thread::sleep(Duration::from_millis(100));
    assert!(!waiter.is_finished(), "the second request did not wait");
    assert_eq!(first.read_to_vec().unwrap(), b"hello");
    assert_eq!(waiter.join().unwrap(), b"hello");
    drop(agent);
    assert_eq!(server.connections(), 1);
}

#[test]
fn a_waiter_gives_up_at_the_connect_timeout() {
    let server = Server::start(vec![answer(OK)]);
    let agent = Agent::with_config(AgentConfig {
        pool: PoolConfig {
            max_per_host: 1,
            ..PoolConfig::default()
        },
        timeouts: Timeouts {
            connect: Some(Duration::from_millis(200)),
            ..Timeouts::default()
        },
        ..AgentConfig::default()
    })
    .unwrap();
    let _held = agent.get(&server.url("/")).unwrap();
    let started = Instant::now();
    let e = agent.get(&server.url("/")).unwrap_err();
    assert_eq!(e.name(), "Timeout", "{e}");
    assert!(e.to_string().contains("pooled connection"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_response_dropped_before_its_end_closes_its_connection() {
    let server = Server::start(vec![
        answer(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
        answer(OK),
    ]);
    let agent = agent(1);
    let r = agent.get(&server.url("/1")).unwrap();
    drop(r);
    assert_eq!(
        agent.get(&server.url("/2")).unwrap().read_to_vec().unwrap(),
        b"hello"
    );
    drop(agent);
    assert_eq!(
        server.connections(),
        2,
        "the half-read connection was reused"
    );
}

#[test]
fn an_idle_connection_expires_and_a_closed_one_is_replaced() {
    let server = Server::start(vec![answer(OK), answer(OK)]);
    let agent = Agent::with_config(AgentConfig {
        pool: PoolConfig {
            idle_timeout: Duration::from_millis(100),
            ..PoolConfig::default()
        },
        ..AgentConfig::default()
    })
    .unwrap();
    let url = server.url("/");
    assert_eq!(agent.get(&url).unwrap().read_to_vec().unwrap(), b"hello");
    std::thread::sleep(Duration::from_millis(250));
    assert_eq!(agent.get(&url).unwrap().read_to_vec().unwrap(), b"hello");
    drop(agent);
    assert_eq!(server.connections(), 2, "the expired connection was reused");
    // The server closes while idle: the next request gets a new connection.
    let server = Server::start(vec![
        vec![
            Action::Read,
            Action::Write(OK.to_vec()),
            Action::Sleep(Duration::from_millis(20)),
            Action::Close,
        ],
        answer(OK),
    ]);
    let agent = agent_default();
    let url = server.url("/");
    assert_eq!(agent.get(&url).unwrap().read_to_vec().unwrap(), b"hello");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(agent.get(&url).unwrap().read_to_vec().unwrap(), b"hello");
    drop(agent);
    assert_eq!(server.connections(), 2);
}

fn agent_default() -> Agent {
    Agent::new().unwrap()
}

#[test]
fn a_whole_body_read_is_capped() {
    let addr = testkit::load::start(16);
    let agent = Agent::with_config(AgentConfig {
        max_body: 8,
        ..AgentConfig::default()
    })
    .unwrap();
    let e = agent
        .get(&format!("http://{addr}/echo/longer-than-eight"))
        .unwrap()
        .read_to_vec()
        .unwrap_err();
    assert_eq!(e.name(), "BodyTooLarge", "{e}");
    let r = agent
        .get(&format!("http://{addr}/echo/8"))
        .unwrap()
        .read_to_vec();
    assert_eq!(r.unwrap(), b"/echo/8");
}

#[test]
fn a_post_is_never_sent_twice_through_the_agent_either() {
    let server = Server::start(vec![
        testkit::behaviour::closes_after_reading_the_second_request(),
        answer(OK),
    ]);
    let agent = agent_default();
    agent.get(&server.url("/1")).unwrap().read_to_vec().unwrap();
    let e = agent
        .request("POST", &server.url("/2"), &[], Some(b"order"))
        .unwrap_err();
    assert_eq!(e.name(), "MaybeProcessed", "{e}");
    let posts = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.head.starts_with("POST"))
        .count();
    assert_eq!(posts, 1);
}
