//! The behaviour suite shared with the other adapters (`testkit::behaviour`),
//! run on httpcore-std's `HttpConnection` / `HttpsConnection`: against the
//! scripted server, and (with `--ignored`, nginx started by
//! `.ci/nginx.sh`) against nginx.

use std::io::Read;

use httpcore_std::httpcore::Config;
use httpcore_std::{Error, HttpConnection, HttpsConnection};
use testkit::behaviour::{Client, Failure, Options, Reply};

struct Std(HttpConnection);

impl Std {
    fn run(
        &mut self,
        method: &str,
        target: &str,
        body: Option<&[u8]>,
        headers: &[(&str, &str)],
    ) -> Result<Reply, Error> {
        self.0.request(method, target, body, headers)?;
        let mut r = self.0.get_response()?;
        let body = r.read_all()?;
        Ok(Reply::new(r.head(), body))
    }

    fn switch(&mut self, target: &str, headers: &[(&str, &str)]) -> Result<(u16, Vec<u8>), Error> {
        self.0.request("GET", target, None, headers)?;
        let status = self.0.get_response()?.status();
        let mut rest = Vec::new();
        let mut stream = self.0.take_upgraded()?;
        stream
            .read_to_end(&mut rest)
            .map_err(|e| Error::io("reading the switched stream", e))?;
        Ok((status, rest))
    }
}

impl Client for Std {
    fn exchange(
        &mut self,
        method: &str,
        target: &str,
        body: Option<&[u8]>,
        headers: &[(&str, &str)],
    ) -> Result<Reply, Failure> {
        self.run(method, target, body, headers)
            .map_err(Failure::from)
    }

    fn upgrade(
        &mut self,
        target: &str,
        headers: &[(&str, &str)],
    ) -> Result<(u16, Vec<u8>), Failure> {
        self.switch(target, headers).map_err(Failure::from)
    }
}

fn make(addr: &str, options: &Options) -> Box<dyn Client> {
    let mut c = if options.https {
        HttpsConnection::with_options(addr, &options.tls())
            .unwrap()
            .into_inner()
    } else {
        HttpConnection::new(addr).unwrap()
    };
    c.set_timeouts(options.timeouts());
    c.set_config(options.config(Config::default()));
    if let Some(proxy) = options.proxy() {
        c.set_proxy(&proxy);
    }
    if let Some((host, port, _)) = &options.tunnel {
        c.set_tunnel(host, Some(*port), &options.tunnel_headers())
            .unwrap();
    }
    Box::new(Std(c))
}

testkit::behaviour_tests!(make);
testkit::nginx_tests!(make);
