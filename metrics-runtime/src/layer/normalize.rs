//! Route labels for routers without templates: identifiers in a path become
//! placeholders, so `/accounts/123` and `/accounts/456` are one series.

use std::borrow::Cow;

/// A kind of path segment that [`PathNormalizer`] recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// ASCII digits only: `123`. Placeholder `{id}` by default.
    Numeric,
    /// A UUID in its hyphenated form, any case: `0f8fad5b-d9cb-469f-a165-70867728950e`.
    /// Placeholder `{uuid}` by default.
    Uuid,
    /// Hexadecimal digits only, at least [`PathNormalizer::hex_min_len`] of them (16
    /// by default): a hash, an object id. Placeholder `{hex}` by default.
    Hex,
}

/// Turns the identifier segments of a request path into placeholders: numbers into
/// `{id}`, UUIDs into `{uuid}`, long hexadecimal strings into `{hex}`.
///
/// A path with nothing to replace is returned borrowed: no allocation. Segments are
/// compared whole (`v2` and `abc123` stay), and the query string is not part of a
/// path.
///
/// ```
/// use metrics_runtime::layer::{PathNormalizer, Segment};
///
/// let paths = PathNormalizer::new();
/// assert_eq!(paths.normalize("/api/v1/accounts/123"), "/api/v1/accounts/{id}");
/// assert_eq!(
///     paths.normalize("/orders/0f8fad5b-d9cb-469f-a165-70867728950e/items/7"),
///     "/orders/{uuid}/items/{id}",
/// );
/// assert_eq!(paths.normalize("/blobs/9f86d081884c7d659a2feaa0c55ad015"), "/blobs/{hex}");
///
/// let custom = PathNormalizer::new().replace(Segment::Numeric, ":n").keep(Segment::Hex);
/// assert_eq!(custom.normalize("/users/42/9f86d081884c7d65"), "/users/:n/9f86d081884c7d65");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathNormalizer {
    numeric: Option<Box<str>>,
    uuid: Option<Box<str>>,
    hex: Option<Box<str>>,
    hex_min_len: usize,
}

impl Default for PathNormalizer {
    fn default() -> Self {
        Self::new()
    }
}

impl PathNormalizer {
    /// Numbers to `{id}`, UUIDs to `{uuid}`, 16 or more hex digits to `{hex}`.
    pub fn new() -> Self {
        Self {
            numeric: Some("{id}".into()),
            uuid: Some("{uuid}".into()),
            hex: Some("{hex}".into()),
            hex_min_len: 16,
        }
    }

    /// Replaces segments of this kind with `placeholder`.
    pub fn replace(mut self, kind: Segment, placeholder: &str) -> Self {
        *self.slot(kind) = Some(placeholder.into());
        self
    }

    /// Leaves segments of this kind as they are.
    pub fn keep(mut self, kind: Segment) -> Self {
        *self.slot(kind) = None;
        self
    }

    /// How many hex digits make a [`Segment::Hex`] (at least 1). Shorter runs such as
    /// `cafe` or `beef` are more likely words than identifiers.
    pub fn hex_min_len(mut self, len: usize) -> Self {
        self.hex_min_len = len.max(1);
        self
    }

    fn slot(&mut self, kind: Segment) -> &mut Option<Box<str>> {
        match kind {
            Segment::Numeric => &mut self.numeric,
            Segment::Uuid => &mut self.uuid,
            Segment::Hex => &mut self.hex,
        }
    }

    /// `path` with its identifier segments replaced; borrowed when none is.
    pub fn normalize<'a>(&self, path: &'a str) -> Cow<'a, str> {
        let mut out: Option<String> = None;
        // `path[..copied]` is already in `out`.
        let mut copied = 0;
        let mut start = 0;
        for segment in path.split('/') {
            let end = start + segment.len();
            if let Some(placeholder) = self.placeholder(segment) {
                // Placeholders are usually longer than the ids they replace.
                let out = out.get_or_insert_with(|| String::with_capacity(path.len() + 16));
                out.push_str(&path[copied..start]);
                out.push_str(placeholder);
                copied = end;
            }
            start = end + 1;
        }
        match out {
            None => Cow::Borrowed(path),
            Some(mut out) => {
                out.push_str(&path[copied..]);
                Cow::Owned(out)
            }
        }
    }

    fn placeholder(&self, segment: &str) -> Option<&str> {
        let kind = classify(segment, self.hex_min_len)?;
        match kind {
            Segment::Numeric => self.numeric.as_deref(),
            Segment::Uuid => self.uuid.as_deref(),
            Segment::Hex => self.hex.as_deref(),
        }
    }
}

fn classify(segment: &str, hex_min_len: usize) -> Option<Segment> {
    let bytes = segment.as_bytes();
    if bytes.is_empty() {
        return None;
    }
    if bytes.iter().all(u8::is_ascii_digit) {
        return Some(Segment::Numeric);
    }
    if is_uuid(bytes) {
        return Some(Segment::Uuid);
    }
    if bytes.len() >= hex_min_len && bytes.iter().all(u8::is_ascii_hexdigit) {
        return Some(Segment::Hex);
    }
    None
}

/// `8-4-4-4-12` hex digits.
fn is_uuid(bytes: &[u8]) -> bool {
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn normalized(path: &str) -> String {
        PathNormalizer::new().normalize(path).into_owned()
    }

    #[test]
    fn numbers_become_id() {
        assert_eq!(normalized("/api/v1/accounts/123"), "/api/v1/accounts/{id}");
        assert_eq!(normalized("/a/1/b/22/c/333"), "/a/{id}/b/{id}/c/{id}");
        assert_eq!(normalized("/1"), "/{id}");
        assert_eq!(normalized("/users/42/"), "/users/{id}/");
        assert_eq!(normalized("7/x"), "{id}/x");
        // Thirty digits: still a number, not hex.
        assert_eq!(normalized("/n/123456789012345678901234567890"), "/n/{id}");
    }

    #[test]
    fn uuids_in_either_case() {
        assert_eq!(normalized("/o/0F8FAD5B-D9CB-469F-A165-70867728950E/x"), "/o/{uuid}/x");
        assert_eq!(normalized("/o/0f8fad5b-d9cb-469f-a165-70867728950e"), "/o/{uuid}");
        // Wrong group lengths or a non-hex digit: neither UUID nor hex.
        assert_eq!(
            normalized("/o/0f8fad5bd-9cb-469f-a165-70867728950e"),
            "/o/0f8fad5bd-9cb-469f-a165-70867728950e"
        );
        assert_eq!(
            normalized("/o/0f8fad5b-d9cb-469f-a165-70867728950g"),
            "/o/0f8fad5b-d9cb-469f-a165-70867728950g"
        );
    }

    #[test]
    fn long_hex_becomes_hex() {
        assert_eq!(
            normalized("/commits/da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            "/commits/{hex}"
        );
        assert_eq!(normalized("/x/507f1f77bcf86cd7"), "/x/{hex}");
        // Fifteen digits is under the default threshold; words stay.
        assert_eq!(normalized("/x/507f1f77bcf86cd"), "/x/507f1f77bcf86cd");
        assert_eq!(normalized("/cafe/beef/facade"), "/cafe/beef/facade");
        let short = PathNormalizer::new().hex_min_len(4);
        assert_eq!(short.normalize("/cafe/beef/v2"), "/{hex}/{hex}/v2");
    }

    #[test]
    fn nothing_to_do_borrows() {
        let paths = PathNormalizer::new();
        for path in ["/", "", "/health", "/api/v1/users", "/users/me/", "/v2/abc123", "//a//b"] {
            assert!(matches!(paths.normalize(path), Cow::Borrowed(p) if p == path), "{path}");
        }
    }

    #[test]
    fn kinds_can_be_kept_or_renamed() {
        let paths = PathNormalizer::new().keep(Segment::Numeric).replace(Segment::Uuid, ":uuid");
        assert_eq!(paths.normalize("/u/42/0f8fad5b-d9cb-469f-a165-70867728950e"), "/u/42/:uuid");
        assert!(matches!(paths.normalize("/u/42"), Cow::Borrowed(_)));
        // A kept kind is not re-read as another kind: digits are not hex.
        assert_eq!(paths.normalize("/n/12345678901234567890"), "/n/12345678901234567890");
    }

    #[test]
    fn non_ascii_paths_are_sliced_on_boundaries() {
        assert_eq!(normalized("/café/12/naïve"), "/café/{id}/naïve");
    }
}
