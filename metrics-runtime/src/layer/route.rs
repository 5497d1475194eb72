//! How a request gets its `route` label: a template the router left in the
//! request's extensions, else the normalised path if asked for, else `unmatched`.

use std::borrow::Cow;

use http::{Extensions, Request};

use super::normalize::PathNormalizer;

/// The route of requests no template or normaliser names.
pub(crate) const UNMATCHED: &str = "unmatched";

/// Reads a route template out of a request's extensions.
trait RouteTemplate: Send + Sync {
    fn route<'a>(&self, extensions: &'a Extensions) -> Option<&'a str>;
}

/// The template is a `T` in the extensions (axum's `MatchedPath`), read with `as_str`.
struct ExtensionTemplate<T> {
    as_str: fn(&T) -> &str,
}

impl<T: Send + Sync + 'static> RouteTemplate for ExtensionTemplate<T> {
    #[inline]
    fn route<'a>(&self, extensions: &'a Extensions) -> Option<&'a str> {
        extensions.get::<T>().map(self.as_str)
    }
}

/// The route sources of one layer.
#[derive(Default)]
pub(crate) struct Routes {
    template: Option<(Box<dyn RouteTemplate>, &'static str)>,
    normalizer: Option<PathNormalizer>,
}

impl Routes {
    /// The sources of a new layer: with the `axum` feature, axum's `MatchedPath`,
    /// which axum's router puts in the extensions of every request it routes;
    /// without it, none.
    pub(crate) fn new() -> Self {
        #[allow(unused_mut)] // mutated with the `axum` feature only
        let mut routes = Self::default();
        #[cfg(feature = "axum")]
        routes.set_template(axum::extract::MatchedPath::as_str);
        routes
    }

    pub(crate) fn set_template<T: Send + Sync + 'static>(&mut self, as_str: fn(&T) -> &str) {
        let template: Box<dyn RouteTemplate> = Box::new(ExtensionTemplate { as_str });
        self.template = Some((template, core::any::type_name::<T>()));
    }

    pub(crate) fn set_normalizer(&mut self, normalizer: PathNormalizer) {
        self.normalizer = Some(normalizer);
    }

    /// The `route` label of `request`.
    #[inline]
    pub(crate) fn route<'a, B>(&self, request: &'a Request<B>) -> Cow<'a, str> {
        if let Some((template, _)) = &self.template
            && let Some(route) = template.route(request.extensions())
        {
            return Cow::Borrowed(route);
        }
        match &self.normalizer {
            Some(normalizer) => normalizer.normalize(request.uri().path()),
            None => Cow::Borrowed(UNMATCHED),
        }
    }
}

impl core::fmt::Debug for Routes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Routes")
            .field("template", &self.template.as_ref().map(|(_, name)| name))
            .field("normalizer", &self.normalizer)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone)]
    struct Template(&'static str);

    fn request(path: &str, template: Option<&'static str>) -> Request<()> {
        let mut request = Request::builder().uri(path).body(()).unwrap();
        if let Some(t) = template {
            request.extensions_mut().insert(Template(t));
        }
        request
    }

    #[test]
    fn template_then_normalised_path_then_unmatched() {
        let mut routes = Routes::default();
        assert_eq!(routes.route(&request("/users/7", Some("/users/{id}"))), UNMATCHED);
        routes.set_template(|t: &Template| t.0);
        assert_eq!(routes.route(&request("/users/7", Some("/users/{id}"))), "/users/{id}");
        assert_eq!(routes.route(&request("/users/7", None)), UNMATCHED);
        routes.set_normalizer(PathNormalizer::new());
        assert_eq!(routes.route(&request("/users/7", Some("/users/{id}"))), "/users/{id}");
        assert_eq!(routes.route(&request("/users/7?full=1", None)), "/users/{id}");
    }
}
