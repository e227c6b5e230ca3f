//! The fault-injection suite (`testkit::faults`) on std's `Agent`, in a
//! process of its own so that its memory figure is its own.

mod pooled;
use pooled::make;

/// The fault-injection suite (`testkit::faults`): a seeded proxy resets,
/// stalls, drips, truncates and corrupts the Agent's connections; every
/// request ends complete or with a typed error, no POST reaches the server
/// twice, no deadline is overrun.
#[test]
fn faults_injected_by_a_proxy_lose_and_duplicate_nothing() {
    testkit::faults::check(&make, "std", 1500);
}
