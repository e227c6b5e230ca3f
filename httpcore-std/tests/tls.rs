//! HTTPS against a rustls server on 127.0.0.1 with a test certificate made
//! by rcgen: verification on by default (an untrusted certificate fails and
//! says so), a certificate for another name fails, `ca_file` makes it work,
//! the insecure opt-out makes it work, and a 1 MiB body over TLS arrives
//! byte for byte on a kept-alive connection.

use std::io::Read;
use std::time::Duration;

use httpcore_std::{Error, HttpsConnection, TlsOptions};
use testkit::tls::{ca_file, tls_server};

mod support;

const H: &[(&str, &str)] = &[];

#[test]
fn an_untrusted_certificate_fails_by_default_and_says_so() {
    let server = tls_server(&["localhost"], 1, b"secret".to_vec());
    let mut c = HttpsConnection::new(&format!("localhost:{}", server.port))
        .unwrap()
        .with_timeout(Duration::from_secs(5));
    let e = c.request("GET", "/", None, H).unwrap_err();
    assert_eq!(e.name(), "CertificateError", "{e:?}");
    assert!(e.to_string().to_lowercase().contains("certificate"), "{e}");
    // Now trust it: the same server works.
    let opts = TlsOptions {
        ca_file: Some(ca_file(&server.ca_pem)),
        ..TlsOptions::default()
    };
    let mut c =
        HttpsConnection::with_options(&format!("localhost:{}", server.port), &opts).unwrap();
    c.request("GET", "/", None, H).unwrap();
    assert_eq!(c.get_response().unwrap().read_all().unwrap(), b"secret");
    drop(c);
    server.handle.join().unwrap();
}

#[test]
fn a_certificate_for_another_name_fails_even_when_trusted() {
    let server = tls_server(&["other.example"], 1, b"x".to_vec());
    let opts = TlsOptions {
        ca_file: Some(ca_file(&server.ca_pem)),
        ..TlsOptions::default()
    };
    let mut c =
        HttpsConnection::with_options(&format!("localhost:{}", server.port), &opts).unwrap();
    let e = c.request("GET", "/", None, H).unwrap_err();
    assert_eq!(e.name(), "CertificateError", "{e:?}");
    // The insecure opt-out accepts it (the server then answers).
    let opts = TlsOptions {
        danger_accept_invalid_certs: true,
        ..TlsOptions::default()
    };
    let mut c =
        HttpsConnection::with_options(&format!("localhost:{}", server.port), &opts).unwrap();
    c.request("GET", "/", None, H).unwrap();
    assert_eq!(c.get_response().unwrap().read_all().unwrap(), b"x");
    drop(c);
    server.handle.join().unwrap();
}

#[test]
fn a_mebibyte_over_tls_arrives_intact_on_a_kept_alive_connection() {
    let body: Vec<u8> = (0..(1u32 << 20))
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let server = tls_server(&["localhost"], 2, body.clone());
    let opts = TlsOptions {
        ca_file: Some(ca_file(&server.ca_pem)),
        ..TlsOptions::default()
    };
    let mut c = HttpsConnection::with_options(&format!("localhost:{}", server.port), &opts)
        .unwrap()
        .with_timeout(Duration::from_secs(10));
    for _ in 0..2 {
        c.request("GET", "/big", None, H).unwrap();
        let mut r = c.get_response().unwrap();
        let mut got = Vec::new();
        r.read_to_end(&mut got).unwrap();
        assert!(got == body, "body differs");
    }
    assert_eq!(c.responses_on_connection(), 2);
    drop(c);
    server.handle.join().unwrap();
}

#[test]
fn tls_configuration_errors_name_the_file() {
    let opts = TlsOptions {
        ca_file: Some("/nonexistent/ca.pem".into()),
        ..TlsOptions::default()
    };
    let e = HttpsConnection::with_options("localhost", &opts).unwrap_err();
    assert!(matches!(e, Error::TlsConfig(_)));
    assert!(e.to_string().contains("/nonexistent/ca.pem"), "{e}");
}

#[test]
fn fetch_verifies_by_default_and_k_warns() {
    let server = tls_server(&["localhost"], 2, b"via fetch".to_vec());
    let url = format!("https://localhost:{}/", server.port);
    let run = |args: &[&str]| {
        std::process::Command::new(support::fetch_binary())
            .args(args)
            .arg(&url)
            .output()
            .unwrap()
    };
    let refused = run(&["--timeout", "5"]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.starts_with(&format!("fetch: {url}: CertificateError: ")),
        "{stderr}"
    );
    let ca = ca_file(&server.ca_pem);
    let trusted = run(&["--cacert", ca.to_str().unwrap()]);
    assert_eq!(
        (trusted.status.code(), &trusted.stdout[..]),
        (Some(0), &b"via fetch"[..])
    );
    let insecure = run(&["-k"]);
    assert_eq!(
        (insecure.status.code(), &insecure.stdout[..]),
        (Some(0), &b"via fetch"[..])
    );
    assert!(
        String::from_utf8_lossy(&insecure.stderr).contains("warning"),
        "-k must warn"
    );
    server.handle.join().unwrap();
}

#[cfg(feature = "platform-verifier")]
#[test]
fn the_platform_verifier_does_not_trust_a_test_certificate() {
    let server = tls_server(&["localhost"], 1, b"x".to_vec());
    let opts = TlsOptions {
        platform_verifier: true,
        ..TlsOptions::default()
    };
    let mut c =
        HttpsConnection::with_options(&format!("localhost:{}", server.port), &opts).unwrap();
    let e = c.request("GET", "/", None, H).unwrap_err();
    assert_eq!(e.name(), "CertificateError", "{e:?}");
    // Let the server finish.
    let mut c = HttpsConnection::with_options(
        &format!("localhost:{}", server.port),
        &TlsOptions {
            danger_accept_invalid_certs: true,
            ..TlsOptions::default()
        },
    )
    .unwrap();
    c.request("GET", "/", None, H).unwrap();
    c.get_response().unwrap().read_all().unwrap();
    server.handle.join().unwrap();
}
