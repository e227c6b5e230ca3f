//! std's `Agent` as the shared pooled suites drive it (`testkit::pooled`,
//! `testkit::faults`).

use std::sync::Arc;

use httpcore_std::{Agent, AgentResponse, ClientSettings, Error};
use testkit::behaviour::Failure;
use testkit::pooled::{Held, Pooled};

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

    fn drain(&mut self) -> Result<u64, Failure> {
        let mut n = 0;
        while let Some(piece) = self.0.next_chunk()? {
            n += piece.len() as u64;
        }
        Ok(n)
    }
}

pub fn make(settings: ClientSettings) -> Arc<dyn Pooled> {
    Arc::new(Std(Agent::with_config(settings).unwrap()))
}
