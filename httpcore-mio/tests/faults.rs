//! The fault-injection suite (`testkit::faults`) on mio's `Driver`, in a
//! process of its own so that its memory figure is its own.

mod pooled;
use pooled::make;

/// The fault-injection suite (`testkit::faults`) on the Driver's pool.
#[test]
fn faults_injected_by_a_proxy_lose_and_duplicate_nothing() {
    testkit::faults::check(&make, "mio", 1500);
}
