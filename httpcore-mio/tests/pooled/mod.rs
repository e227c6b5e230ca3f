//! mio's `Driver` as the shared fault suite drives a pooled client.

use std::time::Duration;

use httpcore_mio::{ClientSettings, Driver};

/// The Driver as the fault suite drives a pooled client: one request at a
/// time, turned until its ticket ends.
pub struct Mio(std::sync::Mutex<Driver>);

pub struct Done(u16, Vec<(String, String)>, Vec<u8>);

impl testkit::pooled::Held for Done {
    fn status(&self) -> u16 {
        self.0
    }

    fn header(&self, name: &str) -> Option<String> {
        self.1
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }

    fn read_all(&mut self) -> Result<Vec<u8>, testkit::behaviour::Failure> {
        Ok(std::mem::take(&mut self.2))
    }

    fn drain(&mut self) -> Result<u64, testkit::behaviour::Failure> {
        Ok(std::mem::take(&mut self.2).len() as u64)
    }
}

impl testkit::pooled::Pooled for Mio {
    fn request(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Box<dyn testkit::pooled::Held>, testkit::behaviour::Failure> {
        let mut d = self.0.lock().unwrap();
        let ticket = d.send(method, url, headers, body)?;
        loop {
            let mut out = Vec::new();
            d.turn(Some(Duration::from_millis(100)), &mut out).unwrap();
            if let Some(done) = out.into_iter().find(|f| f.ticket == Some(ticket)) {
                let (head, body) = done.result?;
                let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
                let headers = head.headers().map(|(n, v)| (text(n), text(v))).collect();
                return Ok(Box::new(Done(head.status(), headers, body)));
            }
        }
    }
}

/// A Driver with `settings`, shared by the suite's threads.
pub fn make(settings: ClientSettings) -> std::sync::Arc<dyn testkit::pooled::Pooled> {
    std::sync::Arc::new(Mio(std::sync::Mutex::new(
        Driver::with_settings(settings).unwrap(),
    )))
}
