//! Where the private nginx started by `.ci/nginx.sh` listens, and what it
//! serves: shared by every adapter's nginx suite.

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: start nginx with `eval \"$(.ci/nginx.sh start DIR)\"`")
    })
}

/// `127.0.0.1:port` of the plain HTTP server.
pub fn http_addr() -> String {
    env("HTTPCORE_NGINX")
}

/// `localhost:port` of the HTTPS server.
pub fn https_addr() -> String {
    env("HTTPCORE_NGINX_TLS")
}

/// The PEM file of the CA that signed the HTTPS server's certificate.
pub fn ca_file() -> String {
    env("HTTPCORE_NGINX_CA")
}

/// The file nginx serves as /big.bin (written by .ci/nginx.sh).
pub fn big() -> Vec<u8> {
    (0..(1u64 << 20))
        .map(|i| ((i * 2_654_435_761) >> 24) as u8)
        .collect()
}
