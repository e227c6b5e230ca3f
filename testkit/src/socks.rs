//! A SOCKS5 proxy on 127.0.0.1 (RFC 1928, RFC 1929) that records each
//! handshake — the methods offered, the credentials, the target as sent —
//! then connects to 127.0.0.1 at the target's port (whatever its host) and
//! relays bytes both ways. With `credentials` it insists on them.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// One handshake, as the proxy saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// The methods the client offered.
    pub methods: Vec<u8>,
    /// The username and password it sent, if any.
    pub credentials: Option<(String, String)>,
    /// The target: a name, or an address, as sent.
    pub target: String,
    /// The target's port.
    pub port: u16,
}

/// A running SOCKS5 proxy.
pub struct SocksProxy {
    pub addr: String,
    pub handshakes: Arc<Mutex<Vec<Handshake>>>,
}

impl SocksProxy {
    /// Serve `connections` connections, demanding `credentials` if given.
    pub fn start(connections: usize, credentials: Option<(&str, &str)>) -> SocksProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let handshakes = Arc::new(Mutex::new(Vec::new()));
        let log = handshakes.clone();
        let want = credentials.map(|(u, p)| (u.to_string(), p.to_string()));
        thread::spawn(move || {
            for _ in 0..connections {
                let Ok((client, _)) = listener.accept() else {
                    return;
                };
                let (log, want) = (log.clone(), want.clone());
                thread::spawn(move || serve(client, &log, want));
            }
        });
        SocksProxy { addr, handshakes }
    }
}

fn read_n(s: &mut TcpStream, n: usize) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; n];
    s.read_exact(&mut buf).ok()?;
    Some(buf)
}

fn serve(
    mut client: TcpStream,
    log: &Mutex<Vec<Handshake>>,
    want: Option<(String, String)>,
) -> Option<()> {
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let head = read_n(&mut client, 2)?;
    let methods = read_n(&mut client, usize::from(head[1]))?;
    let mut credentials = None;
    if want.is_some() {
        if !methods.contains(&2) {
            client.write_all(&[5, 0xFF]).ok()?;
            return None;
        }
        client.write_all(&[5, 2]).ok()?;
        let ver_ulen = read_n(&mut client, 2)?;
        let user = read_n(&mut client, usize::from(ver_ulen[1]))?;
        let plen = read_n(&mut client, 1)?;
        let password = read_n(&mut client, usize::from(plen[0]))?;
        let got = (
            String::from_utf8_lossy(&user).into_owned(),
            String::from_utf8_lossy(&password).into_owned(),
        );
        let ok = Some(&got) == want.as_ref();
        credentials = Some(got);
        client.write_all(&[1, if ok { 0 } else { 1 }]).ok()?;
        if !ok {
            log.lock().unwrap().push(Handshake {
                methods,
                credentials,
                target: String::new(),
                port: 0,
            });
            return None;
        }
    } else {
        client.write_all(&[5, 0]).ok()?;
    }
    let req = read_n(&mut client, 4)?;
    let target = match req[3] {
        1 => read_n(&mut client, 4)?
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join("."),
        3 => {
            let len = read_n(&mut client, 1)?;
            String::from_utf8_lossy(&read_n(&mut client, usize::from(len[0]))?).into_owned()
        }
        4 => {
            let b: [u8; 16] = read_n(&mut client, 16)?.try_into().ok()?;
            std::net::Ipv6Addr::from(b).to_string()
        }
        _ => return None,
    };
    let port_bytes = read_n(&mut client, 2)?;
    let port = u16::from_be_bytes([port_bytes[0], port_bytes[1]]);
    log.lock().unwrap().push(Handshake {
        methods,
        credentials,
        target,
        port,
    });
    let upstream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    client.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]).ok()?;
    let (mut c_in, mut u_out) = (client.try_clone().ok()?, upstream.try_clone().ok()?);
    let pump = thread::spawn(move || relay(&mut c_in, &mut u_out));
    let (mut u_in, mut c_out) = (upstream, client);
    relay(&mut u_in, &mut c_out);
    let _ = pump.join();
    Some(())
}

fn relay(from: &mut TcpStream, to: &mut TcpStream) {
    let mut buf = [0u8; 16 * 1024];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 || to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}
