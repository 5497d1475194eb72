//! `Accept-Encoding` → gzip or not. (`Accept` → [`Format`](crate::Format) is
//! [`Format::from_accept`](crate::Format::from_accept).)

/// Whether the client takes gzip: an explicit `gzip` (or `x-gzip`) coding decides;
/// otherwise `*` does. A `q` of 0 refuses; unparseable parts are skipped.
pub(crate) fn accepts_gzip<'a>(headers: impl Iterator<Item = &'a str>) -> bool {
    let mut explicit: Option<bool> = None;
    let mut wildcard: Option<bool> = None;
    for coding in headers.flat_map(|h| h.split(',')) {
        let mut params = coding.split(';');
        let name = params.next().unwrap_or("").trim();
        let mut q = 1.0f32;
        for param in params {
            if let Some((key, value)) = param.split_once('=')
                && key.trim().eq_ignore_ascii_case("q")
            {
                q = value.trim().parse().unwrap_or(0.0);
            }
        }
        let accepted = q > 0.0;
        if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
            explicit = Some(explicit.unwrap_or(false) || accepted);
        } else if name == "*" {
            wildcard = Some(wildcard.unwrap_or(false) || accepted);
        }
    }
    explicit.or(wildcard).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::accepts_gzip;

    fn gzip(header: &str) -> bool {
        accepts_gzip([header].into_iter())
    }

    #[test]
    fn explicit_gzip_wins_over_the_wildcard() {
        assert!(gzip("gzip"));
        assert!(gzip("deflate, gzip;q=0.5"));
        assert!(gzip("GZIP"));
        assert!(gzip("x-gzip"));
        assert!(gzip("br;q=1.0, gzip;q=0.8, *;q=0.1"));
        assert!(gzip("*"));
        assert!(!gzip("gzip;q=0"));
        assert!(!gzip("gzip;q=0, *"));
        assert!(!gzip("*;q=0"));
        assert!(!gzip("identity"));
        assert!(!gzip("deflate, br"));
        assert!(!gzip(""));
        assert!(!gzip("gzip;q=nope"));
        assert!(!gzip(";;,,=;q"));
        assert!(accepts_gzip(["identity", "gzip"].into_iter()));
        assert!(!accepts_gzip(core::iter::empty()));
    }
}
