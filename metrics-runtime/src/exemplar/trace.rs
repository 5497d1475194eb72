//! Trace ids: where the exemplars of `#[timed(exemplars)]` and of the HTTP layer come
//! from.

use std::sync::OnceLock;

use super::labels::Exemplar;

/// A W3C trace id (16 bytes), written as 32 lowercase hexadecimal digits under the
/// exemplar label `trace_id`, the name Grafana and Prometheus look for.
///
/// ```
/// use metrics_runtime::exemplar::TraceId;
///
/// let id = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
/// assert_eq!(id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// assert_eq!(TraceId::from_hex("00000000000000000000000000000000"), None); // invalid per W3C
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TraceId(u128);

impl TraceId {
    /// The id from its 16 bytes (big-endian, as on the wire); `None` for all zeros,
    /// which W3C Trace Context makes invalid.
    pub const fn from_bytes(bytes: [u8; 16]) -> Option<Self> {
        Self::from_u128(u128::from_be_bytes(bytes))
    }

    /// The id from its value as a number; `None` for zero.
    pub const fn from_u128(id: u128) -> Option<Self> {
        if id == 0 { None } else { Some(Self(id)) }
    }

    /// The id from 32 hexadecimal digits; `None` for anything else or all zeros.
    pub fn from_hex(hex: &str) -> Option<Self> {
        if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u128::from_str_radix(hex, 16).ok().and_then(Self::from_u128)
    }

    /// The 16 bytes, big-endian.
    pub const fn to_bytes(self) -> [u8; 16] {
        self.0.to_be_bytes()
    }

    /// `trace_id`, the separator, the hex digits, the separator: the labels of
    /// [`Exemplar::from_trace_id`] as it encodes them, made on the stack.
    pub(crate) fn encoded_exemplar(self) -> [u8; 42] {
        let mut out = [0u8; 42];
        out[..8].copy_from_slice(b"trace_id");
        out[8] = 0xFF;
        out[9..41].copy_from_slice(&self.hex());
        out[41] = 0xFF;
        out
    }

    fn hex(self) -> [u8; 32] {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 32];
        for (i, byte) in self.to_bytes().iter().enumerate() {
            out[2 * i] = DIGITS[usize::from(byte >> 4)];
            out[2 * i + 1] = DIGITS[usize::from(byte & 0xF)];
        }
        out
    }
}

impl core::fmt::Display for TraceId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Hexadecimal digits are ASCII.
        f.write_str(core::str::from_utf8(&self.hex()).map_err(|_| core::fmt::Error)?)
    }
}

impl Exemplar {
    /// The exemplar `{trace_id="<32 hex digits>"}`: always valid, so made without
    /// checks or allocation.
    ///
    /// ```
    /// use metrics_runtime::exemplar::{Exemplar, TraceId};
    ///
    /// let id = TraceId::from_u128(0x4bf92f3577b34da6a3ce929d0e0e4736).unwrap();
    /// let exemplar = Exemplar::from_trace_id(id);
    /// assert_eq!(exemplar.labels().next(), Some(("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")));
    /// ```
    pub fn from_trace_id(id: TraceId) -> Self {
        Self::ascii_label("trace_id", &id.hex())
    }
}

/// Where trace ids come from when no OpenTelemetry context gives one.
pub type TraceIdSource = fn() -> Option<TraceId>;

static SOURCE: OnceLock<TraceIdSource> = OnceLock::new();

/// Sets, once, the function `#[timed(exemplars)]` and the HTTP layer's exemplars ask
/// for the current trace id, for programs that carry trace ids some other way than
/// an OpenTelemetry context in a `tracing` span (a task-local, a request header
/// copied into a thread-local...). Returns `false` if a source was already set (the
/// first one stays). It takes precedence over the `opentelemetry` feature's.
///
/// ```
/// use metrics_runtime::exemplar::{self, TraceId};
///
/// thread_local! {
///     static CURRENT: std::cell::Cell<Option<TraceId>> = const { std::cell::Cell::new(None) };
/// }
/// fn from_thread_local() -> Option<TraceId> {
///     CURRENT.with(|c| c.get())
/// }
///
/// assert!(exemplar::set_trace_id_source(from_thread_local));
/// assert_eq!(exemplar::current_trace_id(), None);
/// CURRENT.with(|c| c.set(TraceId::from_u128(7)));
/// assert_eq!(exemplar::current_trace_id(), TraceId::from_u128(7));
/// ```
pub fn set_trace_id_source(source: TraceIdSource) -> bool {
    SOURCE.set(source).is_ok()
}

/// The current trace id: from the source set with [`set_trace_id_source`], else
/// (with the `opentelemetry` feature) from the OpenTelemetry context of the current
/// `tracing` span, else `None`.
#[inline]
pub fn current_trace_id() -> Option<TraceId> {
    match SOURCE.get() {
        Some(source) => source(),
        None => default_source(),
    }
}

/// [`current_trace_id`] as an exemplar, `None` when there is no trace.
#[inline]
pub fn current_exemplar() -> Option<Exemplar> {
    current_trace_id().map(Exemplar::from_trace_id)
}

#[cfg(feature = "opentelemetry")]
fn default_source() -> Option<TraceId> {
    super::otel::span_trace_id()
}

#[cfg(not(feature = "opentelemetry"))]
fn default_source() -> Option<TraceId> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_what_is_no_trace_id() {
        let id = TraceId::from_hex("4BF92F3577B34DA6A3CE929D0E0E4736").unwrap();
        assert_eq!(id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(TraceId::from_bytes(id.to_bytes()), Some(id));
        for bad in
            ["", "4bf9", "+bf92f3577b34da6a3ce929d0e0e4736", "4bf92f3577b34da6a3ce929d0e0e473g"]
        {
            assert_eq!(TraceId::from_hex(bad), None, "{bad}");
        }
        assert_eq!(TraceId::from_bytes([0; 16]), None);
        let low = TraceId::from_u128(1).unwrap();
        assert_eq!(low.to_string(), "00000000000000000000000000000001");
    }

    #[test]
    fn a_trace_id_exemplar_is_the_one_new_would_make() {
        let id = TraceId::from_u128(0xabc).unwrap();
        let checked = Exemplar::new(&[("trace_id", &id.to_string())]).unwrap();
        assert_eq!(Exemplar::from_trace_id(id), checked);
        assert_eq!(id.encoded_exemplar()[..], *checked.encoded());
    }
}
