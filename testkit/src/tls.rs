//! A TLS server on 127.0.0.1 with an rcgen test certificate, shared by the
//! adapters' TLS tests.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A rustls server configuration with a fresh self-signed certificate for
/// `names`, and that certificate in PEM (to trust it).
fn server_config(names: &[&str]) -> (Arc<rustls::ServerConfig>, String) {
    let key =
        rcgen::generate_simple_self_signed(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap();
    let ca_pem = key.cert.pem();
    let chain = vec![CertificateDer::from(key.cert.der().to_vec())];
    let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.signing_key.serialize_der()));
    let config = rustls::ServerConfig::builder_with_provider(httpcore_client::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .unwrap();
    (Arc::new(config), ca_pem)
}

/// A TLS server on 127.0.0.1 (see [`tls_server`]).
pub struct TlsServer {
    pub port: u16,
    /// The server's self-signed certificate, PEM: trust it to connect.
    pub ca_pem: String,
    pub handle: thread::JoinHandle<()>,
}

/// A TLS server for `names`, answering `responses` (one per request, on as
/// many connections as it takes) with `body`.
pub fn tls_server(names: &[&str], requests: usize, body: Vec<u8>) -> TlsServer {
    let (config, ca_pem) = server_config(names);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let mut answered = 0;
        while answered < requests {
            let Ok((tcp, _)) = listener.accept() else {
                return;
            };
            tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let stream = rustls::StreamOwned::new(conn, tcp);
            let mut reader = BufReader::new(stream);
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break, // handshake refused, or closed
                    Ok(_) => {}
                }
                if line != "\r\n" {
                    continue;
                }
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
                let out = reader.get_mut();
                out.write_all(head.as_bytes()).unwrap();
                out.write_all(&body).unwrap();
                out.flush().unwrap();
                answered += 1;
                if answered == requests {
                    break;
                }
            }
        }
    });
    TlsServer {
        port,
        ca_pem,
        handle,
    }
}

/// A TLS server for `names` that reads one request head, writes
/// `response`, and then closes the TCP connection — after TLS
/// `close_notify` when `close_notify` is true, without it otherwise (what
/// an attacker truncating the stream looks like).
pub fn tls_server_that_closes(names: &[&str], response: Vec<u8>, close_notify: bool) -> TlsServer {
    let (config, ca_pem) = server_config(names);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let Ok((tcp, _)) = listener.accept() else {
            return;
        };
        tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let conn = rustls::ServerConnection::new(config).unwrap();
        let mut reader = BufReader::new(rustls::StreamOwned::new(conn, tcp));
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) if line == "\r\n" => break,
                Ok(_) => {}
            }
        }
        let stream = reader.get_mut();
        let _ = stream.write_all(&response);
        let _ = stream.flush();
        if close_notify {
            stream.conn.send_close_notify();
            let _ = stream.conn.complete_io(&mut stream.sock);
        }
        let _ = stream.sock.shutdown(std::net::Shutdown::Both);
    });
    TlsServer {
        port,
        ca_pem,
        handle,
    }
}

/// Write `pem` to a temporary file and return its path. Each call gets a
/// file of its own: tests run in parallel, and two certificates' PEM texts
/// often have the same length (a name built from it once let one test
/// overwrite another's CA file mid-handshake).
pub fn ca_file(pem: &str) -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path =
        std::env::temp_dir().join(format!("httpcore-test-ca-{}-{n}.pem", std::process::id()));
    std::fs::write(&path, pem).unwrap();
    path
}

/// The body size [`bulk_server`] answers with: 1 GiB.
pub const BULK: u64 = 1 << 30;

/// The bytes of a whole answer to `GET /big` from [`bulk_server`] or the
/// load server (`crate::load`): its head and [`BULK`] body bytes.
pub fn bulk_answer_len() -> u64 {
    format!("HTTP/1.1 200 OK\r\nContent-Length: {BULK}\r\n\r\n").len() as u64 + BULK
}

/// A TLS server for `names` answering every GET on every connection (a
/// thread each) with a [`BULK`]-byte body, streamed from one 256 KiB
/// buffer: the bulk benches' TLS peer. It runs until the process ends.
pub fn bulk_server(names: &[&str]) -> TlsServer {
    let (config, ca_pem) = server_config(names);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(tcp) = tcp else { return };
            let config = config.clone();
            thread::spawn(move || {
                // The bench's client runs on CPU 1.
                crate::bench::pin_to_cpu(0);
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut reader = BufReader::new(rustls::StreamOwned::new(conn, tcp));
                let chunk = vec![b'x'; 256 * 1024];
                loop {
                    let mut line = String::new();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) if line == "\r\n" => {}
                        Ok(_) => continue,
                    }
                    let out = reader.get_mut();
                    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {BULK}\r\n\r\n");
                    if out.write_all(head.as_bytes()).is_err() {
                        return;
                    }
                    let mut left = BULK;
                    while left > 0 {
                        let n = left.min(chunk.len() as u64) as usize;
                        if out.write_all(&chunk[..n]).is_err() {
                            return;
                        }
                        left -= n as u64;
                    }
                    if out.flush().is_err() {
                        return;
                    }
                }
            });
        }
    });
    TlsServer {
        port,
        ca_pem,
        handle,
    }
}
