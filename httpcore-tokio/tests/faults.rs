//! The fault-injection suite (`testkit::faults`) on tokio's pooled
//! `Client`, in a process of its own so that its memory figure is its own.

mod pooled;
use pooled::make;

/// The fault-injection suite (`testkit::faults`) on the pooled Client.
#[test]
fn faults_injected_by_a_proxy_lose_and_duplicate_nothing() {
    testkit::faults::check(&make, "tokio", 1500);
}
