//! The mio `Driver`'s pool (`Driver::send`): any URL, many hosts, one
//! thread. Every body checked against its request by ticket, connections
//! per host within the limit (counted by the servers), waiters served in
//! order on the one connection, a connection the server closed while idle
//! replaced, idle connections expired, a connection that cannot be opened
//! reported with its ticket.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use httpcore_mio::httpcore_client::pool::PoolConfig;
use httpcore_mio::{ClientSettings, Driver, Finished, Ticket, Timeouts};
use testkit::{answer, Action, Server};

const H: &[(&str, &str)] = &[];
const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

fn driver(per_host: usize, idle: Duration) -> Driver {
    Driver::with_settings(ClientSettings {
        pool: PoolConfig {
            max_per_host: per_host,
            idle_timeout: idle,
            ..PoolConfig::default()
        },
        timeouts: Timeouts::all(Duration::from_secs(10)),
        ..ClientSettings::default()
    })
    .unwrap()
}

/// Turn until nothing is in flight, within 20 s.
fn run(d: &mut Driver) -> Vec<Finished> {
    let end = Instant::now() + Duration::from_secs(20);
    let mut finished = Vec::new();
    while d.in_flight() > 0 {
        assert!(
            Instant::now() < end,
            "not finished: {} in flight",
            d.in_flight()
        );
        d.turn(Some(Duration::from_millis(100)), &mut finished)
            .unwrap();
    }
    finished
}

#[test]
fn three_hosts_one_thread_every_body_its_own_within_the_limit() {
    let servers: Vec<_> = (0..3).map(|_| testkit::load::start_counted(1024)).collect();
    let mut d = driver(4, Duration::from_secs(30));
    let mut expect: HashMap<Ticket, String> = HashMap::new();
    for round in 0..5 {
        for i in 0..300 {
            let (addr, _) = &servers[i % 3];
            let target = format!("/echo/{round}-{i}");
            let t = d
                .send("GET", &format!("http://{addr}{target}"), H, None)
                .unwrap();
            expect.insert(t, target);
        }
        assert!(
            d.waiting() > 0,
            "300 requests over 12 connections: most wait"
        );
        for done in run(&mut d) {
            let ticket = done.ticket.expect("a pooled request has a ticket");
            let (head, body) = done.result.unwrap();
            assert_eq!(head.status(), 200);
            assert_eq!(body, expect.remove(&ticket).unwrap().as_bytes());
        }
    }
    assert!(
        expect.is_empty(),
        "{} requests never finished",
        expect.len()
    );
    for (addr, accepted) in &servers {
        let n = accepted.load(Ordering::Relaxed);
        assert!(
            (1..=4).contains(&n),
            "{addr}: {n} connections for a limit of 4"
        );
    }
}

#[test]
fn waiters_go_in_order_on_the_one_connection() {
    let server = Server::start(vec![(0..6).flat_map(|_| answer(OK)).collect()]);
    let mut d = driver(1, Duration::from_secs(30));
    let tickets: Vec<Ticket> = (0..6)
        .map(|i| {
            d.send("GET", &server.url(&format!("/{i}")), H, None)
                .unwrap()
        })
        .collect();
    assert_eq!(d.waiting(), 5);
    let done: Vec<Ticket> = run(&mut d).into_iter().map(|f| f.ticket.unwrap()).collect();
    assert_eq!(done, tickets, "answered in the order sent");
    let targets: Vec<String> = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.head.split(' ').nth(1).unwrap().to_string())
        .collect();
    assert_eq!(targets, ["/0", "/1", "/2", "/3", "/4", "/5"]);
    drop(d);
    assert_eq!(server.connections(), 1);
}

#[test]
fn a_closed_idle_connection_is_replaced_and_an_idle_one_expires() {
    let server = Server::start(vec![
        vec![
            Action::Read,
            Action::Write(OK.to_vec()),
            Action::Sleep(Duration::from_millis(20)),
            Action::Close,
        ],
        answer(OK),
        answer(OK),
    ]);
    let mut d = driver(4, Duration::from_millis(150));
    d.send("GET", &server.url("/1"), H, None).unwrap();
    assert!(run(&mut d)[0].result.is_ok());
    std::thread::sleep(Duration::from_millis(100));
    // Closed by the server while idle: a new connection, not an error.
    d.send("GET", &server.url("/2"), H, None).unwrap();
    assert_eq!(run(&mut d)[0].result.as_ref().unwrap().1, b"hello");
    // Idle past its time: closed by the driver's turns, not reused.
    let end = Instant::now() + Duration::from_millis(300);
    let mut none = Vec::new();
    while Instant::now() < end {
        d.turn(Some(Duration::from_millis(50)), &mut none).unwrap();
    }
    d.send("GET", &server.url("/3"), H, None).unwrap();
    assert_eq!(run(&mut d)[0].result.as_ref().unwrap().1, b"hello");
    drop(d);
    assert_eq!(server.connections(), 3);
}

#[test]
fn a_connection_that_cannot_be_opened_ends_its_request_with_the_error() {
    let refusing = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut d = driver(1, Duration::from_secs(30));
    let a = d
        .send("GET", &format!("http://{refusing}/a"), H, None)
        .unwrap();
    let b = d
        .send("GET", &format!("http://{refusing}/b"), H, None)
        .unwrap();
    let done = run(&mut d);
    let mut tickets: Vec<Ticket> = done.iter().map(|f| f.ticket.unwrap()).collect();
    tickets.sort();
    assert_eq!(tickets, [a, b]);
    for f in done {
        let e = f.result.unwrap_err();
        assert_eq!(e.name(), "ConnectionRefused", "{e}");
    }
    let e = d.send("GET", "ftp://example.test/", H, None).unwrap_err();
    assert_eq!(e.name(), "InvalidURL", "{e}");
}
