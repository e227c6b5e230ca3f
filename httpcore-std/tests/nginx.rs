//! httpcore-std against a real nginx on 127.0.0.1, over HTTP and HTTPS:
//! what only httpcore-std's API does (step by step, `Read`, uploads). The
//! cases every adapter shares are in `tests/behaviour.rs`.
//!
//! `.ci/run` starts a private nginx with `.ci/nginx.sh` and runs these with
//! `--ignored`; by hand:
//!
//! ```sh
//! eval "$(.ci/nginx.sh start /tmp/httpcore-nginx)"
//! cargo test -p httpcore-std --test nginx -- --ignored
//! .ci/nginx.sh stop /tmp/httpcore-nginx
//! ```

use std::io::Read;
use std::time::Duration;

use httpcore_std::{BodyLength, HttpConnection, HttpsConnection, TlsOptions};

const H: &[(&str, &str)] = &[];

fn http() -> HttpConnection {
    HttpConnection::new(&testkit::nginx::http_addr())
        .unwrap()
        .with_timeout(Duration::from_secs(10))
}

fn https() -> HttpsConnection {
    let opts = TlsOptions {
        ca_file: Some(testkit::nginx::ca_file().into()),
        ..TlsOptions::default()
    };
    HttpsConnection::with_options(&testkit::nginx::https_addr(), &opts)
        .unwrap()
        .with_timeout(Duration::from_secs(10))
}

use testkit::nginx::big;

fn get(c: &mut HttpConnection, path: &str) -> (u16, Vec<u8>) {
    c.request("GET", path, None, H).unwrap();
    let mut r = c.get_response().unwrap();
    (r.status(), r.read_all().unwrap())
}

/// nginx's `$connection $connection_requests` for this request.
fn connection_id(c: &mut HttpConnection) -> (String, u32) {
    let (_, body) = get(c, "/connection");
    let text = String::from_utf8(body).unwrap();
    let mut it = text.split_whitespace();
    (
        it.next().unwrap().to_string(),
        it.next().unwrap().parse().unwrap(),
    )
}

#[test]
#[ignore = "needs nginx: run by .ci/run"]
fn no_content_not_modified_and_head() {
    let mut c = http();
    c.request("GET", "/nocontent", None, H).unwrap();
    let mut r = c.get_response().unwrap();
    assert_eq!(r.status(), 204);
    assert!(r.read_all().unwrap().is_empty());
    drop(r);
    // 304: ask again with the Last-Modified nginx gave.
    c.request("GET", "/big.bin", None, H).unwrap();
    let mut r = c.get_response().unwrap();
    let modified = r.header("last-modified").unwrap();
    r.read_all().unwrap();
    drop(r);
    c.request(
        "GET",
        "/big.bin",
        None,
        &[("If-Modified-Since", modified.as_str())],
    )
    .unwrap();
    let mut r = c.get_response().unwrap();
    assert_eq!(r.status(), 304);
    assert!(r.read_all().unwrap().is_empty());
    drop(r);
    c.request("HEAD", "/big.bin", None, H).unwrap();
    let mut r = c.get_response().unwrap();
    assert_eq!(r.header("content-length").as_deref(), Some("1048576"));
    assert!(r.read_all().unwrap().is_empty());
    drop(r);
    let (_, n) = connection_id(&mut c);
    assert_eq!(n, 5, "all on one connection");
}

#[test]
#[ignore = "needs nginx: run by .ci/run"]
fn gzip_responses_come_chunked() {
    let mut c = http();
    c.put_request("GET", "/text.txt", false, false).unwrap();
    c.put_header("Accept-Encoding", "gzip").unwrap();
    c.end_headers().unwrap();
    let mut r = c.get_response().unwrap();
    assert_eq!(r.header("content-encoding").as_deref(), Some("gzip"));
    assert_eq!(r.header("transfer-encoding").as_deref(), Some("chunked"));
    let body = r.read_all().unwrap();
    assert_eq!(&body[..2], &[0x1f, 0x8b], "a gzip stream");
    drop(r);
    // Without it (the automatic identity), the plain file.
    let (status, body) = get(&mut c, "/text.txt");
    assert_eq!(status, 200);
    assert!(body.starts_with(b"httpcore says hello to nginx\n"));
    assert_eq!(body.len(), 29 * 2000);
}

#[test]
#[ignore = "needs nginx: run by .ci/run"]
fn a_mebibyte_over_http_and_tls_is_byte_identical() {
    let want = big();
    let mut c = http();
    assert!(get(&mut c, "/big.bin").1 == want);
    let mut c = https();
    c.request("GET", "/big.bin", None, H).unwrap();
    let mut r = c.get_response().unwrap();
    let mut got = Vec::new();
    r.read_to_end(&mut got).unwrap();
    assert!(got == want, "TLS body differs");
}

#[test]
#[ignore = "needs nginx: run by .ci/run"]
fn put_uploads_with_content_length_and_chunked() {
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 241) as u8).collect();
    for (i, mut c) in [http(), https().into_inner()].into_iter().enumerate() {
        let path = format!("/dav/cl-{i}-{}.bin", std::process::id());
        c.request("PUT", &path, Some(&data), H).unwrap();
        let status = c.get_response().unwrap().status();
        assert!(status == 201 || status == 204, "{status}");
        assert!(get(&mut c, &path).1 == data);

        let path = format!("/dav/chunked-{i}-{}.bin", std::process::id());
        c.put_request("PUT", &path, false, false).unwrap();
        c.end_headers_with(BodyLength::Unknown).unwrap();
        for part in data.chunks(10_000) {
            c.send(part).unwrap();
        }
        let status = c.get_response().unwrap().status();
        assert!(status == 201 || status == 204, "{status}");
        assert!(get(&mut c, &path).1 == data);
    }
}
