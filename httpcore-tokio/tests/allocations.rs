//! Allocations per request on a kept-alive pooled connection: after the
//! first requests (which connect), a `Client::get` and reading its body
//! stay within `testkit::bench::POOLED_REQUEST_ALLOCATIONS`. Counted on
//! this test's thread only (the current-thread runtime runs the client
//! here), so the server thread does not count; all requests run in one
//! `block_on`, as in an application that runs on one runtime.

use httpcore_tokio::Client;
use testkit::bench::{check_pooled_request_allocations, thread_allocations, CountingAlloc};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

#[test]
fn a_reused_pooled_request_allocates_little() {
    let addr = testkit::load::start(64);
    let url = format!("http://{addr}/");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = Client::new().unwrap();
    let get = || async {
        let mut resp = client.get(&url).await.unwrap();
        let mut len = 0;
        while let Some(piece) = resp.chunk().await.unwrap() {
            len += piece.len();
        }
        assert_eq!(len, 13);
    };
    let per_request = rt.block_on(async {
        for _ in 0..10 {
            get().await;
        }
        let (before, n) = (thread_allocations(), 200);
        for _ in 0..n {
            get().await;
        }
        (thread_allocations() - before) as f64 / f64::from(n)
    });
    check_pooled_request_allocations(per_request);
}
