//! One request through an axum router: without a layer, with a layer that does
//! nothing (what axum itself adds to any layer: a boxed route, a boxed body), and with
//! ours; then a bare tower service with and without ours (paths normalised). No peer
//! crate offers this middleware, so the comparison is with the router alone.

mod cpu_time;

use std::convert::Infallible;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response};
use axum::routing::get;
use cpu_time::ThreadTime;
use criterion::{Criterion, criterion_group, criterion_main};
use metrics_bench::OURS;
use metrics_runtime::Registry;
use metrics_runtime::layer::{HttpMetricsLayer, PathNormalizer};
use tower::{Layer, Service, ServiceExt};

fn request() -> Request<Body> {
    Request::builder().uri("/users/7").body(Body::empty()).unwrap_or_default()
}

fn one_request<S, B>(runtime: &tokio::runtime::Runtime, service: &S)
where
    S: Service<Request<Body>, Response = Response<B>, Error = Infallible> + Clone,
{
    let response = runtime.block_on(service.clone().oneshot(request()));
    std::hint::black_box(response.unwrap_or_else(|never| match never {}));
}

fn http_layer(c: &mut Criterion<ThreadTime>) {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let plain = Router::new().route("/users/{id}", get(|| async { "alice" }));
    let noop = plain.clone().layer(tower::layer::layer_fn(|route| route));
    let registry = Registry::new();
    let ours =
        plain.clone().layer(HttpMetricsLayer::builder().registry(&registry).build().unwrap());

    let mut group = c.benchmark_group("http_layer_axum_request");
    group.bench_function("axum router", |b| b.iter(|| one_request(&runtime, &plain)));
    group.bench_function("floor_noop_layer", |b| b.iter(|| one_request(&runtime, &noop)));
    group.bench_function(OURS, |b| b.iter(|| one_request(&runtime, &ours)));
    group.finish();

    let bare = tower::service_fn(|_: Request<Body>| async {
        Ok::<_, Infallible>(Response::new(Body::from("alice")))
    });
    let registry = Registry::new();
    let wrapped = HttpMetricsLayer::builder()
        .normalize_paths(PathNormalizer::new())
        .registry(&registry)
        .build()
        .unwrap()
        .layer(bare);
    let mut group = c.benchmark_group("http_layer_bare_service");
    group.bench_function("floor_bare_service", |b| b.iter(|| one_request(&runtime, &bare)));
    group.bench_function(OURS, |b| b.iter(|| one_request(&runtime, &wrapped)));
    group.finish();
}

criterion_group! {
    name = benches;
    config = cpu_time::criterion();
    targets = http_layer
}
criterion_main!(benches);
