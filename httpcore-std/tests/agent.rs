//! The pooled clients' suite (`testkit::pooled`) on httpcore-std's
//! `Agent`: many threads, one pool, every body checked against its
//! request, limits counted by the server, waiters served, a half-read
//! response never reused, idle connections expired, whole-body reads
//! capped, redirects.

use std::sync::Arc;

use httpcore_std::{Agent, AgentResponse, ClientSettings, Error};
use testkit::behaviour::Failure;
use testkit::pooled::{Held, Pooled};

#[test]
fn an_agent_is_send_sync_and_clone() {
    fn shared<T: Send + Sync + Clone + 'static>() {}
    shared::<Agent>();
}

struct Std(Agent);

impl Pooled for Std {
    fn request(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Box<dyn Held>, Failure> {
        Ok(Box::new(Response(
            self.0.request(method, url, headers, body)?,
        )))
    }
}

struct Response(AgentResponse);

impl Held for Response {
    fn status(&self) -> u16 {
        self.0.status()
    }

    fn header(&self, name: &str) -> Option<String> {
        self.0.header(name)
    }

    fn read_all(&mut self) -> Result<Vec<u8>, Failure> {
        self.0.read_to_vec().map_err(|e: Error| e.into())
    }
}

fn make(settings: ClientSettings) -> Arc<dyn Pooled> {
    Arc::new(Std(Agent::with_config(settings).unwrap()))
}

testkit::pooled_tests!(make);
testkit::pooled_nginx_tests!(make);

/// The fault-injection suite (`testkit::faults`): a seeded proxy resets,
/// stalls, drips, truncates and corrupts the Agent's connections; every
/// request ends complete or with a typed error, no POST reaches the server
/// twice, no deadline is overrun.
#[test]
fn faults_injected_by_a_proxy_lose_and_duplicate_nothing() {
    testkit::faults::check(&make, "std", 1500);
}
