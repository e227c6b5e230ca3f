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
