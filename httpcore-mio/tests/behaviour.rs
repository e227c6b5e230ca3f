//! The behaviour suite shared with the other adapters (`testkit::behaviour`),
//! run on httpcore-mio's `Driver` with one connection: against the scripted
//! server, and (with `--ignored`, nginx started by `.ci/nginx.sh`) against
//! nginx.

use std::io::Read;
use std::time::{Duration, Instant};

use httpcore_client::Endpoint;
use httpcore_mio::{Connection, Driver, Error};
use mio::Token;
use testkit::behaviour::{Client, Failure, Options, Reply};

struct Mio {
    driver: Driver,
    token: Token,
}

impl Mio {
    /// Send one request and turn the loop until it ended.
    fn run(
        &mut self,
        method: &str,
        target: &str,
        body: Option<&[u8]>,
        headers: &[(&str, &str)],
    ) -> Result<(httpcore_mio::ResponseHead, Vec<u8>), Error> {
        let id = self
            .driver
            .request(self.token, method, target, body, headers)?;
        let finished = self.driver.run().map_err(|e| Error::io("polling", e))?;
        assert_eq!(finished.len(), 1, "one request, one outcome");
        assert_eq!(finished[0].id, id, "reported under the id it was given");
        finished.into_iter().next().expect("one").result
    }
}

impl Client for Mio {
    fn exchange(
        &mut self,
        method: &str,
        target: &str,
        body: Option<&[u8]>,
        headers: &[(&str, &str)],
    ) -> Result<Reply, Failure> {
        let (head, body) = self
            .run(method, target, body, headers)
            .map_err(Failure::from)?;
        Ok(Reply::new(&head, body))
    }

    fn upgrade(
        &mut self,
        target: &str,
        headers: &[(&str, &str)],
    ) -> Result<(u16, Vec<u8>), Failure> {
        let (head, _) = self
            .run("GET", target, None, headers)
            .map_err(Failure::from)?;
        let conn = self.driver.remove(self.token).expect("still there");
        let (mut socket, _tls, first) = conn.into_parts();
        let mut rest = first.to_vec();
        // The switched stream, read to its end (non-blocking: wait a little
        // between tries; bounded).
        let started = Instant::now();
        let mut buf = [0u8; 1024];
        while started.elapsed() < Duration::from_secs(5) {
            match socket.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => rest.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                Err(e) => return Err(Failure::from(Error::io("reading the switched stream", e))),
            }
        }
        Ok((head.status(), rest))
    }
}

fn make(addr: &str, options: &Options) -> Box<dyn Client> {
    let mut endpoint = Endpoint::new(addr, options.https).unwrap();
    if let Some((host, port, _)) = &options.tunnel {
        endpoint
            .set_tunnel(host, Some(*port), &options.tunnel_headers())
            .unwrap();
    }
    if let Some(proxy) = options.proxy() {
        endpoint.set_proxy(&proxy);
    }
    let tls = options.https.then(|| options.tls().build().unwrap());
    let config = options.config(Connection::default_config());
    let conn = Connection::open(&endpoint, tls, config)
        .unwrap()
        .with_timeouts(options.timeouts());
    let mut driver = Driver::new().unwrap();
    let token = driver.add(conn).unwrap();
    Box::new(Mio { driver, token })
}

testkit::behaviour_tests!(make);
testkit::nginx_tests!(make);
