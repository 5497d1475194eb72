//! The grouping key as a URL path: `/metrics/job/<job>{/<label>/<value>}`, each
//! value percent-encoded, or in the `@base64` form where the Pushgateway's path
//! handling would otherwise lose it.
//!
//! <https://github.com/prometheus/pushgateway/blob/master/README.md#url>

use std::fmt::Write as _;

use crate::base64::{self, Alphabet};

/// Appends `/metrics/job/<job>` and a `/<name>/<value>` pair per grouping label.
pub(crate) fn grouping_path(path: &mut String, job: &str, labels: &[(String, String)]) {
    path.push_str("/metrics");
    segment(path, "job", job);
    for (name, value) in labels {
        segment(path, name, value);
    }
}

/// `/<name>/<value>`, or `/<name>@base64/<value in base64url>` when the plain form
/// would not survive: a `/` (a separator even percent-encoded, as the Pushgateway
/// decodes the path before routing), an empty value (a `//` that path cleaning
/// removes; the spec asks for a single `=`), and `.` or `..` (segments that
/// path cleaning resolves).
fn segment(path: &mut String, name: &str, value: &str) {
    path.push('/');
    path.push_str(name);
    if value.is_empty() {
        path.push_str("@base64/=");
    } else if value.contains('/') || value == "." || value == ".." {
        path.push_str("@base64/");
        // base64url has only ASCII letters, digits, `-` and `_`.
        path.extend(
            base64::encode(value.as_bytes(), Alphabet::UrlSafe).into_iter().map(char::from),
        );
    } else {
        path.push('/');
        percent_encode(path, value);
    }
}

/// Every byte but RFC 3986's unreserved characters as `%XX`: a path segment that
/// any decoder reads back as `value`.
fn percent_encode(out: &mut String, value: &str) {
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(job: &str, labels: &[(&str, &str)]) -> String {
        let labels: Vec<(String, String)> =
            labels.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
        let mut path = String::new();
        grouping_path(&mut path, job, &labels);
        path
    }

    #[test]
    fn plain_values_are_percent_encoded() {
        assert_eq!(path("backup", &[]), "/metrics/job/backup");
        assert_eq!(
            path("backup job", &[("instance", "db-1:5432"), ("team", "ops é~")]),
            "/metrics/job/backup%20job/instance/db-1%3A5432/team/ops%20%C3%A9~"
        );
    }

    #[test]
    fn slashes_empty_and_dot_values_use_base64() {
        // The spec's own examples: `/var/tmp` and an empty value.
        assert_eq!(
            path("directory_cleaner", &[("path", "/var/tmp")]),
            "/metrics/job/directory_cleaner/path@base64/L3Zhci90bXA"
        );
        assert_eq!(
            path("example", &[("first_label", "")]),
            "/metrics/job/example/first_label@base64/="
        );
        assert_eq!(
            path("a/b", &[("dir", ".."), ("here", ".")]),
            "/metrics/job@base64/YS9i/dir@base64/Li4/here@base64/Lg"
        );
    }
}
