//! Allocations per request on a kept-alive pooled connection: after the
//! first requests (which connect), an `Agent::get` and reading its body
//! stay within `testkit::bench::POOLED_REQUEST_ALLOCATIONS`. Counted on
//! this test's thread only, so the server thread does not count.

use std::io::Read;

use httpcore_std::Agent;
use testkit::bench::{allocations_per_call, check_pooled_request_allocations, CountingAlloc};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

#[test]
fn a_reused_pooled_request_allocates_little() {
    let addr = testkit::load::start(64);
    let url = format!("http://{addr}/");
    let agent = Agent::new().unwrap();
    let per_request = allocations_per_call(10, 200, || {
        let mut resp = agent.get(&url).unwrap();
        let (mut buf, mut len) = ([0u8; 64], 0);
        loop {
            match resp.read(&mut buf).unwrap() {
                0 => break,
                n => len += n,
            }
        }
        assert_eq!(len, 13);
    });
    check_pooled_request_allocations(per_request);
}
