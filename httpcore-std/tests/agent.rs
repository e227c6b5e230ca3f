//! `Agent`: many threads, one pool. Every body checked against its
//! request, connections opened never past the per-host limit (counted by
//! the server), waiters served, a half-read response never reused, idle
//! connections expired, whole-body reads capped.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use httpcore_client::pool::PoolConfig;
use httpcore_std::{Agent, ClientSettings, Timeouts};

mod support;
use support::{answer, Action, Server};

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

fn agent(per_host: usize) -> Agent {
    Agent::with_config(ClientSettings {
        pool: PoolConfig {
            max_per_host: per_host,
            ..PoolConfig::default()
        },
        timeouts: Timeouts::all(Duration::from_secs(10)),
        ..ClientSettings::default()
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
    let agent = Agent::with_config(ClientSettings {
        pool: PoolConfig {
            max_per_host: 1,
            ..PoolConfig::default()
        },
        timeouts: Timeouts {
            connect: Some(Duration::from_millis(200)),
            ..Timeouts::default()
        },
        ..ClientSettings::default()
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
    let agent = Agent::with_config(ClientSettings {
        pool: PoolConfig {
            idle_timeout: Duration::from_millis(100),
            ..PoolConfig::default()
        },
        ..ClientSettings::default()
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
    let agent = Agent::with_config(ClientSettings {
        max_body: 8,
        ..ClientSettings::default()
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

fn following(max: usize) -> Agent {
    Agent::with_config(ClientSettings {
        redirects: httpcore_client::redirect::Redirects::follow(max),
        timeouts: Timeouts::all(Duration::from_secs(10)),
        ..ClientSettings::default()
    })
    .unwrap()
}

fn redirect(status: u16, location: &str) -> Vec<u8> {
    format!("HTTP/1.1 {status} Moved\r\nLocation: {location}\r\nContent-Length: 3\r\n\r\nbye")
        .into_bytes()
}

#[test]
fn redirects_are_off_by_default_and_followed_when_asked() {
    let server = Server::start(vec![answer(&redirect(302, "/b"))]);
    let r = agent_default().get(&server.url("/a")).unwrap();
    assert_eq!(
        (r.status(), r.header("location").as_deref()),
        (302, Some("/b"))
    );
    // Followed: 302 turns the POST into a GET without its body, on the
    // same kept-alive connection; 307 keeps method and body.
    let server = Server::start(vec![[
        answer(&redirect(302, "/b")),
        answer(&redirect(307, "c")),
        answer(OK),
    ]
    .concat()]);
    let mut r = following(5)
        .request("POST", &server.url("/a"), &[("X-Keep", "1")], Some(b"form"))
        .unwrap();
    assert_eq!(
        (r.status(), r.read_to_vec().unwrap()),
        (200, b"hello".to_vec())
    );
    let requests = server.requests.lock().unwrap().clone();
    let lines: Vec<&str> = requests
        .iter()
        .map(|r| r.head.lines().next().unwrap())
        .collect();
    assert_eq!(
        lines,
        ["POST /a HTTP/1.1", "GET /b HTTP/1.1", "GET /c HTTP/1.1"]
    );
    assert_eq!(requests[1].body, b"");
    assert!(requests.iter().all(|r| r.head.contains("X-Keep: 1\r\n")));
    assert!(requests.iter().all(|r| r.connection == 0), "one connection");
    let server = Server::start(vec![[answer(&redirect(307, "/b")), answer(OK)].concat()]);
    following(5)
        .request("PUT", &server.url("/a"), &[], Some(b"data"))
        .unwrap()
        .read_to_vec()
        .unwrap();
    let requests = server.requests.lock().unwrap().clone();
    assert!(requests[1].head.starts_with("PUT /b "));
    assert_eq!(requests[1].body, b"data");
}

#[test]
fn credentials_stay_behind_on_another_origin() {
    let other = Server::start(vec![answer(OK)]);
    let first = Server::start(vec![
        [answer(&redirect(302, &other.url("/x"))), answer(OK)].concat()
    ]);
    let headers = [
        ("Authorization", "Bearer t"),
        ("Cookie", "s=1"),
        ("Accept", "*/*"),
    ];
    following(5)
        .request("GET", &first.url("/a"), &headers, None)
        .unwrap()
        .read_to_vec()
        .unwrap();
    let at_first = first.requests.lock().unwrap()[0].head.clone();
    let at_other = other.requests.lock().unwrap()[0].head.clone();
    assert!(at_first.contains("Authorization: Bearer t") && at_first.contains("Cookie: s=1"));
    assert!(
        !at_other.contains("Authorization") && !at_other.contains("Cookie"),
        "{at_other}"
    );
    assert!(at_other.contains("Accept: */*"));
}

#[test]
fn loops_and_long_chains_are_errors_naming_the_chain() {
    let server = Server::start(vec![[
        answer(&redirect(302, "/b")),
        answer(&redirect(301, "/a")),
    ]
    .concat()]);
    let e = following(10).get(&server.url("/a")).unwrap_err();
    assert_eq!(e.name(), "RedirectLoop", "{e}");
    assert!(e.to_string().contains("/a -> "), "{e}");
    let server = Server::start(vec![[
        answer(&redirect(302, "/1")),
        answer(&redirect(302, "/2")),
        answer(&redirect(302, "/3")),
    ]
    .concat()]);
    let e = following(2).get(&server.url("/0")).unwrap_err();
    assert_eq!(e.name(), "TooManyRedirects", "{e}");
    assert!(e.to_string().ends_with("/3"), "{e}");
}
