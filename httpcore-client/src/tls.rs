//! TLS settings: rustls client configurations with verification on by
//! default, extra roots and client certificates from PEM files, and a
//! loudly named way to switch verification off.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::Error;

/// How an HTTPS connection sets up TLS. The default verifies the server's
/// certificate chain and host name against the built-in roots.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// Extra trusted roots, from a PEM file (`--cacert`).
    pub ca_file: Option<PathBuf>,
    /// Leave the built-in root store out (trust only `ca_file`).
    pub no_builtin_roots: bool,
    /// A client certificate chain and its private key, PEM (httplib's
    /// `cert_file` and `key_file`).
    pub client_cert: Option<(PathBuf, PathBuf)>,
    /// Accept any certificate for any name. Only for testing against
    /// servers you control: the connection is then open to anyone in the
    /// middle.
    pub danger_accept_invalid_certs: bool,
    /// Verify with the operating system's verifier and trust store (feature
    /// `platform-verifier`) instead of the built-in roots; `ca_file` is
    /// then ignored.
    #[cfg(feature = "platform-verifier")]
    pub platform_verifier: bool,
}

/// The crypto provider chosen by cargo feature: aws-lc-rs (the default,
/// and the one used when both are enabled), or *ring* when it is the only
/// one enabled.
///
/// aws-lc-rs offers the post-quantum hybrid key exchange X25519MLKEM768
/// first, as rustls does by default; *ring* has no post-quantum key
/// exchange (rustls deprecated its *ring* `default_provider` for that in
/// 0.23.48) but builds in about a third of the time. Both verify
/// certificates the same way.
pub fn provider() -> Arc<CryptoProvider> {
    #[cfg(feature = "aws-lc-rs")]
    {
        Arc::new(rustls::crypto::aws_lc_rs::default_provider())
    }
    #[cfg(all(not(feature = "aws-lc-rs"), feature = "ring"))]
    {
        // A chosen trade-off, not an oversight: see this function's doc.
        #[allow(deprecated)]
        Arc::new(rustls::crypto::ring::default_provider())
    }
    #[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
    compile_error!(
        "httpcore-client needs a rustls crypto provider: enable the `aws-lc-rs` or `ring` feature"
    )
}

fn pem_error(what: &str, path: &std::path::Path, e: impl std::fmt::Display) -> Error {
    Error::TlsConfig(format!("{what} {}: {e}", path.display()))
}

impl TlsOptions {
    /// Build the rustls configuration these options describe, with ALPN
    /// `http/1.1`.
    pub fn build(&self) -> Result<Arc<ClientConfig>, Error> {
        let provider = provider();
        let mut roots = RootCertStore::empty();
        #[cfg(feature = "webpki-roots")]
        if !self.no_builtin_roots {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        if let Some(path) = &self.ca_file {
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| pem_error("cannot read CA file", path, e))?;
            let mut n = 0;
            for cert in certs {
                let cert = cert.map_err(|e| pem_error("bad certificate in", path, e))?;
                roots
                    .add(cert)
                    .map_err(|e| pem_error("unusable CA certificate in", path, e))?;
                n += 1;
            }
            if n == 0 {
                return Err(pem_error("no certificate in", path, "empty"));
            }
        }
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(Error::Tls)?
            .with_root_certificates(roots);
        let mut config = match &self.client_cert {
            None => builder.with_no_client_auth(),
            Some((cert, key)) => {
                let chain = CertificateDer::pem_file_iter(cert)
                    .map_err(|e| pem_error("cannot read certificate file", cert, e))?
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| pem_error("bad certificate in", cert, e))?;
                let key = PrivateKeyDer::from_pem_file(key)
                    .map_err(|e| pem_error("cannot read key file", key, e))?;
                builder
                    .with_client_auth_cert(chain, key)
                    .map_err(Error::Tls)?
            }
        };
        #[cfg(feature = "platform-verifier")]
        if self.platform_verifier {
            let verifier =
                rustls_platform_verifier::Verifier::new(provider.clone()).map_err(Error::Tls)?;
            config
                .dangerous()
                .set_certificate_verifier(Arc::new(verifier));
        }
        if self.danger_accept_invalid_certs {
            config
                .dangerous()
                .set_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)));
        }
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// The server name to verify for `host` (a zone id is dropped).
pub fn server_name(host: &str) -> Result<ServerName<'static>, Error> {
    let host = host.split('%').next().unwrap_or(host);
    ServerName::try_from(host.to_string())
        .map_err(|e| Error::TlsConfig(format!("invalid server name {host:?}: {e}")))
}

/// Accepts every certificate; still checks the handshake signatures so the
/// session itself is sound.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default provider offers the post-quantum hybrid group first, so
    /// a handshake with a server that supports it uses it.
    #[cfg(feature = "aws-lc-rs")]
    #[test]
    fn the_default_provider_offers_post_quantum_key_exchange_first() {
        let groups = &provider().kx_groups;
        assert_eq!(groups[0].name(), rustls::NamedGroup::X25519MLKEM768);
    }

    /// With `ring` alone the provider still builds a verifying
    /// configuration (its key exchange is classical).
    #[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
    #[test]
    fn ring_alone_builds_a_verifying_configuration() {
        let groups = &provider().kx_groups;
        assert!(groups
            .iter()
            .all(|g| g.name() != rustls::NamedGroup::X25519MLKEM768));
        assert!(TlsOptions::default().build().is_ok());
    }
}
