//! Why a server could not start.

use std::io;
use std::net::SocketAddr;

/// Why [`MetricsServerBuilder::bind`](super::MetricsServerBuilder::bind) failed.
/// Each message says what to change.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The address could not be resolved to any socket address.
    #[error(
        "could not resolve the listen address `{address}`: {source}; give an IP address and a \
         port, such as `127.0.0.1:9898`, `0.0.0.0:9898` or `[::1]:9898`"
    )]
    Resolve {
        /// The address as given.
        address: String,
        /// What the resolver said.
        source: io::Error,
    },
    /// The socket could not be bound.
    #[error(
        "could not listen on {address}: {source}; another process may hold the port (pick another, \
         or port 0 for any free one), ports below 1024 need privileges, and an IPv6 address \
         needs IPv6 enabled on the host"
    )]
    Bind {
        /// The address tried last.
        address: SocketAddr,
        /// What the operating system said.
        source: io::Error,
    },
    /// `bind` was called outside a tokio runtime.
    #[error(
        "the metrics server needs a tokio runtime with IO and time enabled: call `bind` from async \
         code running on one (`#[tokio::main]` builds such a runtime)"
    )]
    NoRuntime,
    /// A builder setting is out of range.
    #[error("invalid metrics server setting `{setting}`: {reason}")]
    InvalidSetting {
        /// The builder method.
        setting: &'static str,
        /// What is wrong and what would do.
        reason: String,
    },
    /// Exposing process or runtime metrics in the registry was refused.
    #[error(transparent)]
    Registry(#[from] crate::RegistryError),
}
