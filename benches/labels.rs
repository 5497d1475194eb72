//! Label types shared by the bench targets: one pair of enums and one label struct
//! that every crate's typed families key on, and each peer's string label sets.
//!
//! Not every bench target uses every type here.
#![allow(dead_code)]

use fastmetrics::encoder::{
    EncodeLabelSet as FmLabelSet, EncodeLabelValue as FmLabelValue, LabelEncoder, LabelSetEncoder,
};
use fastmetrics::raw::LabelSetSchema;
use measured::{FixedCardinalityLabel, LabelGroup};
use paracord::ParaCord;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};

/// The request method, one of four.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, FixedCardinalityLabel, EncodeLabelValue)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

/// The response class, one of three.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, FixedCardinalityLabel, EncodeLabelValue)]
pub enum Status {
    Ok,
    ClientError,
    ServerError,
}

/// Two enum labels: 12 series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, LabelGroup, EncodeLabelSet)]
#[label(set = RequestLabelsSet)]
pub struct RequestLabels {
    pub method: Method,
    pub status: Status,
}

/// The label sets the typed benches cycle through.
pub const REQUESTS: [RequestLabels; 8] = [
    RequestLabels { method: Method::Get, status: Status::Ok },
    RequestLabels { method: Method::Post, status: Status::Ok },
    RequestLabels { method: Method::Get, status: Status::ClientError },
    RequestLabels { method: Method::Put, status: Status::Ok },
    RequestLabels { method: Method::Delete, status: Status::ServerError },
    RequestLabels { method: Method::Get, status: Status::ServerError },
    RequestLabels { method: Method::Post, status: Status::ClientError },
    RequestLabels { method: Method::Put, status: Status::ServerError },
];

/// Every one of the 12 label sets, in our index order.
pub fn all_requests() -> [RequestLabels; 12] {
    const METHODS: [Method; 4] = [Method::Get, Method::Post, Method::Put, Method::Delete];
    const STATUSES: [Status; 3] = [Status::Ok, Status::ClientError, Status::ServerError];
    std::array::from_fn(|i| RequestLabels { method: METHODS[i / 3], status: STATUSES[i % 3] })
}

// --- metrics-runtime: by hand, since these types also derive measured's traits and
// both crates' derives read `#[label(..)]` attributes ---

impl metrics_runtime::LabelValue for Method {
    const CARDINALITY: usize = 4;
    #[inline]
    fn index(self) -> usize {
        self as usize
    }
    fn value(index: usize) -> &'static str {
        ["get", "post", "put", "delete"][index]
    }
}

impl metrics_runtime::LabelValue for Status {
    const CARDINALITY: usize = 3;
    #[inline]
    fn index(self) -> usize {
        self as usize
    }
    fn value(index: usize) -> &'static str {
        ["ok", "client_error", "server_error"][index]
    }
}

impl metrics_runtime::LabelSet for RequestLabels {
    const NAMES: &'static [&'static str] = &["method", "status"];
    const CARDINALITY: usize = 12;
    #[inline]
    fn index(&self) -> usize {
        use metrics_runtime::LabelValue as _;
        self.method.index() * Status::CARDINALITY + self.status.index()
    }
    fn value(index: usize, label: usize) -> &'static str {
        use metrics_runtime::LabelValue as _;
        match label {
            0 => Method::value(index / Status::CARDINALITY),
            _ => Status::value(index % Status::CARDINALITY),
        }
    }
}

// --- fastmetrics (by hand, as its crate docs show without the `derive` feature) ---

impl FmLabelValue for Method {
    fn encode(&self, encoder: &mut dyn LabelEncoder) -> fastmetrics::error::Result<()> {
        encoder.encode_str_value(<Self as metrics_runtime::LabelValue>::value(*self as usize))
    }
}

impl FmLabelValue for Status {
    fn encode(&self, encoder: &mut dyn LabelEncoder) -> fastmetrics::error::Result<()> {
        encoder.encode_str_value(<Self as metrics_runtime::LabelValue>::value(*self as usize))
    }
}

impl LabelSetSchema for RequestLabels {
    fn names() -> Option<&'static [&'static str]> {
        Some(&["method", "status"])
    }
}

impl FmLabelSet for RequestLabels {
    fn encode(&self, encoder: &mut dyn LabelSetEncoder) -> fastmetrics::error::Result<()> {
        encoder.encode(&("method", &self.method))?;
        encoder.encode(&("status", &self.status))
    }
}

// --- string labels ---

/// Two string labels as measured keys them: each value interned in a `ParaCord`.
#[derive(Clone, Copy, Debug, LabelGroup)]
#[label(set = RouteMethodSet)]
pub struct RouteMethod<'a> {
    #[label(dynamic_with = ParaCord, default)]
    pub route: &'a str,
    #[label(dynamic_with = ParaCord, default)]
    pub method: &'a str,
}

/// One string label as measured keys it.
#[derive(Clone, Copy, Debug, LabelGroup)]
#[label(set = RouteSet)]
pub struct Route<'a> {
    #[label(dynamic_with = ParaCord, default)]
    pub route: &'a str,
}

/// Two string labels as prometheus-client and fastmetrics key them: a lookup must
/// own its key, so each call allocates both strings.
#[derive(Clone, Debug, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct OwnedRouteMethod {
    pub route: String,
    pub method: String,
}

impl OwnedRouteMethod {
    pub fn new([route, method]: [&str; 2]) -> Self {
        Self { route: route.to_owned(), method: method.to_owned() }
    }
}

impl LabelSetSchema for OwnedRouteMethod {
    fn names() -> Option<&'static [&'static str]> {
        Some(&["route", "method"])
    }
}

impl FmLabelSet for OwnedRouteMethod {
    fn encode(&self, encoder: &mut dyn LabelSetEncoder) -> fastmetrics::error::Result<()> {
        encoder.encode(&("route", &self.route))?;
        encoder.encode(&("method", &self.method))
    }
}

/// One string label as prometheus-client and fastmetrics key it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct OwnedRoute {
    pub route: String,
}

impl LabelSetSchema for OwnedRoute {
    fn names() -> Option<&'static [&'static str]> {
        Some(&["route"])
    }
}

impl FmLabelSet for OwnedRoute {
    fn encode(&self, encoder: &mut dyn LabelSetEncoder) -> fastmetrics::error::Result<()> {
        encoder.encode(&("route", &self.route))
    }
}

/// Benchmarks `record` called with each of `inputs` in turn, so that a lookup is not
/// answered from the same entry every time.
pub fn cycling<M: criterion::measurement::Measurement, T: Copy, const N: usize>(
    b: &mut criterion::Bencher<'_, M>,
    inputs: &[T; N],
    mut record: impl FnMut(T),
) {
    let mut i = 0;
    b.iter(|| {
        i = (i + 1) % N;
        record(std::hint::black_box(inputs[i]));
    });
}
