//! A real rustls session held in memory, the client side configured as the
//! adapters configure it (`TlsOptions::build`): the handshake's key
//! exchange, and `read_plaintext` — records of every size come out whole
//! and in order, and the three ways a read can end (nothing yet,
//! `close_notify`, a close without it) answer as rustls's own
//! `Reader::read` does.

use std::io::{ErrorKind, Write};
use std::sync::Arc;

use httpcore_client::plaintext::read_plaintext;
use httpcore_client::TlsOptions;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConnection, ServerConnection};

fn pair() -> (ClientConnection, ServerConnection) {
    let key = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let der = CertificateDer::from(key.cert.der().to_vec());
    let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.signing_key.serialize_der()));
    let server = rustls::ServerConfig::builder_with_provider(httpcore_client::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![der], private)
        .unwrap();
    // The certificate trusted as a user trusts one: a PEM file.
    let ca = testkit::tls::ca_file(&key.cert.pem());
    let client = TlsOptions {
        ca_file: Some(ca.clone()),
        no_builtin_roots: true,
        ..TlsOptions::default()
    }
    .build()
    .unwrap();
    std::fs::remove_file(ca).unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let mut client = ClientConnection::new(client, name).unwrap();
    let mut server = ServerConnection::new(Arc::new(server)).unwrap();
    while client.is_handshaking() || server.is_handshaking() {
        move_records(&mut client, &mut server);
    }
    (client, server)
}

/// Carry every pending record each way.
fn move_records(client: &mut ClientConnection, server: &mut ServerConnection) {
    let mut wire = Vec::new();
    while client.wants_write() {
        client.write_tls(&mut wire).unwrap();
    }
    server.read_tls(&mut &wire[..]).unwrap();
    server.process_new_packets().unwrap();
    wire.clear();
    while server.wants_write() {
        server.write_tls(&mut wire).unwrap();
    }
    let mut rest = &wire[..];
    while !rest.is_empty() {
        client.read_tls(&mut rest).unwrap();
        client.process_new_packets().unwrap();
    }
}

/// With a server that has it (rustls with the same provider), the default
/// configuration's handshake uses the post-quantum hybrid group.
#[cfg(feature = "aws-lc-rs")]
#[test]
fn the_handshake_uses_post_quantum_key_exchange_when_the_server_has_it() {
    let (client, server) = pair();
    for group in [
        client.negotiated_key_exchange_group(),
        server.negotiated_key_exchange_group(),
    ] {
        let name = group.map(|g| g.name());
        assert_eq!(name, Some(rustls::NamedGroup::X25519MLKEM768));
    }
}

fn body(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

#[test]
fn records_come_out_whole_and_in_order_through_any_window() {
    let (mut client, mut server) = pair();
    // Records of several sizes, a full 16 KiB one among them.
    let sent = body(60_000);
    let mut at = 0;
    for len in [5_000, 1, 9_000, 16_384, 3_000, 7_000] {
        server.writer().write_all(&sent[at..at + len]).unwrap();
        at += len;
    }
    server.writer().write_all(&sent[at..]).unwrap();
    let mut wire = Vec::new();
    while server.wants_write() {
        server.write_tls(&mut wire).unwrap();
    }
    let mut wire = &wire[..];
    let mut got = Vec::new();
    // Windows shorter than a record, then longer than several.
    let mut windows = [1, 7_000, 20_000, 100_000].into_iter().cycle();
    while got.len() < sent.len() {
        // Hand the client what it takes (rustls holds at most ~16 KiB of
        // plaintext unread).
        while !wire.is_empty() && client.read_tls(&mut wire).is_ok() {
            client.process_new_packets().unwrap();
        }
        let mut buf = vec![0u8; windows.next().unwrap()];
        let buffered = client
            .process_new_packets()
            .unwrap()
            .plaintext_bytes_to_read();
        let n = read_plaintext(client.reader(), &mut buf).unwrap();
        assert_eq!(n, buf.len().min(buffered));
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, sent);
}

#[test]
fn nothing_buffered_is_would_block_and_close_notify_is_zero() {
    let (mut client, mut server) = pair();
    let mut buf = [0u8; 64];
    let e = read_plaintext(client.reader(), &mut buf).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WouldBlock);
    server.writer().write_all(b"last").unwrap();
    server.send_close_notify();
    move_records(&mut client, &mut server);
    assert_eq!(read_plaintext(client.reader(), &mut buf).unwrap(), 4);
    assert_eq!(&buf[..4], b"last");
    assert_eq!(read_plaintext(client.reader(), &mut buf).unwrap(), 0);
}

#[test]
fn a_close_without_close_notify_is_unexpected_eof_after_the_data() {
    let (mut client, mut server) = pair();
    server.writer().write_all(b"cut").unwrap();
    move_records(&mut client, &mut server);
    // The TCP stream ends: read_tls reads nothing.
    assert_eq!(client.read_tls(&mut &[][..]).unwrap(), 0);
    client.process_new_packets().unwrap();
    let mut buf = [0u8; 64];
    assert_eq!(read_plaintext(client.reader(), &mut buf).unwrap(), 3);
    let e = read_plaintext(client.reader(), &mut buf).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnexpectedEof);
}
