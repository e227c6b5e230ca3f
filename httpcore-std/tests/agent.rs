//! The pooled clients' suite (`testkit::pooled`) on httpcore-std's
//! `Agent`: many threads, one pool, every body checked against its
//! request, limits counted by the server, waiters served, a half-read
//! response never reused, idle connections expired, whole-body reads
//! capped, redirects.

use httpcore_std::Agent;

mod pooled;
use pooled::make;

#[test]
fn an_agent_is_send_sync_and_clone() {
    fn shared<T: Send + Sync + Clone + 'static>() {}
    shared::<Agent>();
}

testkit::pooled_tests!(make);
testkit::pooled_nginx_tests!(make);

/// `http` types at the Agent's edges: an `http::Request` in, an
/// `http::Response` out whose body is the Agent's response.
#[cfg(feature = "http")]
#[test]
fn http_requests_in_and_http_responses_out() {
    use testkit::{answer, Server};
    let server = Server::start(vec![answer(
        b"HTTP/1.1 202 Accepted\r\nX-Reply: yes\r\nContent-Length: 2\r\n\r\nok",
    )]);
    let agent = Agent::new().unwrap();
    let req = http::Request::put(server.url("/x"))
        .header("X-Asked", "1")
        .body(b"data".to_vec())
        .unwrap();
    let mut resp = agent.send(req).unwrap();
    assert_eq!(resp.status(), http::StatusCode::ACCEPTED);
    assert_eq!(resp.headers()["x-reply"], "yes");
    assert_eq!(resp.body_mut().read_to_vec().unwrap(), b"ok");
    let seen = server.requests.lock().unwrap()[0].clone();
    assert!(seen.head.starts_with("PUT /x HTTP/1.1\r\n"));
    assert_eq!(seen.body, b"data");
}
