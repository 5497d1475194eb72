//! HTTPS (feature `tls`): rustls with the ring provider, TLS 1.2 and 1.3, ALPN
//! `http/1.1`. The handshake must finish within the header read timeout, so a
//! client that opens a connection and stalls in the handshake is closed like one
//! that stalls in its headers.

use std::sync::Arc;

use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};

/// A server configuration from a PEM certificate chain (leaf first) and a PEM
/// private key (PKCS#8, PKCS#1 or SEC1); `Err` says what is wrong.
pub(crate) fn config_from_pem(
    cert_chain: &[u8],
    private_key: &[u8],
) -> Result<Arc<ServerConfig>, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_chain)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("the certificate chain is not valid PEM: {e}"))?;
    if certs.is_empty() {
        return Err("the certificate chain holds no `CERTIFICATE` block".to_owned());
    }
    let key = PrivateKeyDer::from_pem_slice(private_key)
        .map_err(|e| format!("no usable private key in the PEM given: {e}"))?;
    let mut config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("the key does not fit the certificate: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Takes TLS handshakes; `Debug` shows nothing of the configuration (it holds the
/// private key).
#[derive(Clone)]
pub(crate) struct Acceptor(pub(crate) TlsAcceptor);

impl core::fmt::Debug for Acceptor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Acceptor(<redacted>)")
    }
}

/// The acceptor for a configuration, with `http/1.1` offered by ALPN when the
/// configuration offers nothing.
pub(crate) fn acceptor(config: Arc<ServerConfig>) -> Acceptor {
    if config.alpn_protocols.is_empty() {
        let mut config = rustls::ServerConfig::clone(&config);
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        return Acceptor(TlsAcceptor::from(Arc::new(config)));
    }
    Acceptor(TlsAcceptor::from(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_pem_is_refused_with_a_reason() {
        let error = config_from_pem(b"not pem", b"not pem").unwrap_err();
        assert!(error.contains("no `CERTIFICATE`"), "{error}");
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let pem = cert.cert.pem();
        let error = config_from_pem(pem.as_bytes(), b"nothing").unwrap_err();
        assert!(error.contains("private key"), "{error}");
        let other = rcgen::generate_simple_self_signed(vec!["other".to_owned()]).unwrap();
        let error =
            config_from_pem(pem.as_bytes(), other.key_pair.serialize_pem().as_bytes()).unwrap_err();
        assert!(error.contains("does not fit"), "{error}");
        let config =
            config_from_pem(pem.as_bytes(), cert.key_pair.serialize_pem().as_bytes()).unwrap();
        assert_eq!(config.alpn_protocols, [b"http/1.1".to_vec()]);
    }
}
