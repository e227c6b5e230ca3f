//! tokio's pooled `Client` as the shared pooled suites drive it
//! (`testkit::pooled`, `testkit::faults`): blocking calls on one runtime.

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use httpcore_tokio::{Client, ClientResponse, ClientSettings};
use testkit::behaviour::Failure;
use testkit::pooled::{Held, Pooled};

/// One runtime for every blocking call of the suite: a pooled connection
/// belongs to the runtime that opened it.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

struct Tokio(Client);

impl Pooled for Tokio {
    fn request(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Box<dyn Held>, Failure> {
        let body = body.map(Bytes::copy_from_slice);
        let resp = runtime().block_on(self.0.request(method, url, headers, body))?;
        Ok(Box::new(Response(resp)))
    }
}

struct Response(ClientResponse);

impl Held for Response {
    fn status(&self) -> u16 {
        self.0.status()
    }

    fn header(&self, name: &str) -> Option<String> {
        self.0.header(name)
    }

    fn read_all(&mut self) -> Result<Vec<u8>, Failure> {
        Ok(runtime().block_on(self.0.read_all())?)
    }

    fn drain(&mut self) -> Result<u64, Failure> {
        runtime().block_on(async {
            let mut n = 0;
            while let Some(piece) = self.0.chunk().await? {
                n += piece.len() as u64;
            }
            Ok(n)
        })
    }
}

pub fn make(settings: ClientSettings) -> Arc<dyn Pooled> {
    Arc::new(Tokio(Client::with_settings(settings).unwrap()))
}
