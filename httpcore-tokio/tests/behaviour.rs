//! The behaviour suite shared with the other adapters (`testkit::behaviour`),
//! run on httpcore-tokio's `Client` (each exchange on a current-thread
//! runtime): against the scripted server, and (with `--ignored`, nginx
//! started by `.ci/nginx.sh`) against nginx.

use httpcore_tokio::{Client, Error, Timeouts, TlsOptions};
use testkit::behaviour::{Failure, Options, Reply};

struct Tokio {
    rt: tokio::runtime::Runtime,
    client: Client,
}

async fn run(
    client: &mut Client,
    method: &str,
    target: &str,
    body: Option<&[u8]>,
    headers: &[(&str, &str)],
) -> Result<Reply, Error> {
    let mut r = client.request(method, target, body, headers).await?;
    let body = r.read_all().await?;
    Ok(Reply::new(r.head(), body))
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
            .map_err(|e| Failure {
                name: e.name().to_string(),
                message: e.to_string(),
            })
    }
}

fn make(addr: &str, options: &Options) -> Box<dyn testkit::behaviour::Client> {
    let client = if options.https {
        let tls = TlsOptions {
            ca_file: options.ca_file.clone(),
            ..TlsOptions::default()
        };
        Client::https(addr, &tls).unwrap()
    } else {
        Client::http(addr).unwrap()
    };
    let mut client = client.with_timeouts(Timeouts {
        read: options.read_timeout,
        ..Timeouts::default()
    });
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
