//! The behaviour suite shared with the other adapters (`testkit::behaviour`),
//! run on httpcore-tokio's `HttpConnection` (each exchange on a current-thread
//! runtime): against the scripted server, and (with `--ignored`, nginx
//! started by `.ci/nginx.sh`) against nginx.

use httpcore_tokio::httpcore::Config;
use httpcore_tokio::{Error, HttpConnection};
use testkit::behaviour::{Failure, Options, Reply};
use tokio::io::AsyncReadExt;

struct Tokio {
    rt: tokio::runtime::Runtime,
    client: HttpConnection,
}

async fn run(
    client: &mut HttpConnection,
    method: &str,
    target: &str,
    body: Option<&[u8]>,
    headers: &[(&str, &str)],
) -> Result<Reply, Error> {
    let mut r = client.request(method, target, body, headers).await?;
    let body = r.read_all().await?;
    Ok(Reply::new(r.head(), body))
}

async fn switch(
    client: &mut HttpConnection,
    target: &str,
    headers: &[(&str, &str)],
) -> Result<(u16, Vec<u8>), Error> {
    let status = client.request("GET", target, None, headers).await?.status();
    let (mut stream, first) = client.take_upgraded()?;
    let mut rest = first.to_vec();
    stream
        .read_to_end(&mut rest)
        .await
        .map_err(|e| Error::io("reading the switched stream", e))?;
    Ok((status, rest))
}

impl testkit::behaviour::Client for Tokio {
    fn exchange(
        &mut self,
        method: &str,
        target: &str,
        body: Option<&[u8]>,
        headers: &[(&str, &str)],
    ) -> Result<Reply, Failure> {
        self.rt
            .block_on(run(&mut self.client, method, target, body, headers))
            .map_err(Failure::from)
    }

    fn upgrade(
        &mut self,
        target: &str,
        headers: &[(&str, &str)],
    ) -> Result<(u16, Vec<u8>), Failure> {
        self.rt
            .block_on(switch(&mut self.client, target, headers))
            .map_err(Failure::from)
    }
}

fn make(addr: &str, options: &Options) -> Box<dyn testkit::behaviour::Client> {
    let client = if options.https {
        HttpConnection::https(addr, &options.tls()).unwrap()
    } else {
        HttpConnection::http(addr).unwrap()
    };
    let mut client = client
        .with_timeouts(options.timeouts())
        .with_config(options.config(Config::default()));
    if let Some(proxy) = options.proxy() {
        client = client.with_proxy(&proxy);
    }
    if let Some((host, port, _)) = &options.tunnel {
        client
            .set_tunnel(host, Some(*port), &options.tunnel_headers())
            .unwrap();
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    Box::new(Tokio { rt, client })
}

testkit::behaviour_tests!(make);
testkit::nginx_tests!(make);
