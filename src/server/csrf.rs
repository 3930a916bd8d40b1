//! CSRF: every request that changes anything carries its session's token (a form's hidden `csrf`
//! field, or the API's `X-CSRF-Token` header), compared in constant time; and a request whose `Origin`
//! header names another site is refused whatever it carries (this covers the sign-in form, made
//! before a session exists). The session cookie is also `SameSite=Strict`.

use subtle::ConstantTimeEq;

/// The API's header.
pub const HEADER: &str = "x-csrf-token";

/// Whether `given` is the session's token `expected`.
pub fn matches(expected: &str, given: Option<&str>) -> bool {
    match given {
        Some(g) if !expected.is_empty() => expected.as_bytes().ct_eq(g.as_bytes()).into(),
        _ => false,
    }
}

/// Whether a request with this `Origin` header (if any) to this `Host` comes from the server's own
/// pages: no `Origin` (old browsers, non-browser clients, which have no ambient cookies to abuse
/// without the token anyway), or one whose host and port are the `Host`.
pub fn same_origin(origin: Option<&str>, host: Option<&str>) -> bool {
    let Some(origin) = origin else {
        return true;
    };
    let Some(host) = host else {
        return false;
    };
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    rest.is_some_and(|r| r.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_exactly() {
        assert!(matches("abc", Some("abc")));
        assert!(!matches("abc", Some("abd")));
        assert!(!matches("abc", Some("ab")));
        assert!(!matches("abc", None));
        assert!(!matches("", Some("")));
    }

    #[test]
    fn origins_are_compared_with_the_host() {
        assert!(same_origin(None, Some("127.0.0.1:8080")));
        assert!(same_origin(
            Some("http://127.0.0.1:8080"),
            Some("127.0.0.1:8080")
        ));
        assert!(same_origin(
            Some("https://Hyoka.city.lg.jp"),
            Some("hyoka.city.lg.jp")
        ));
        assert!(!same_origin(
            Some("http://evil.example"),
            Some("127.0.0.1:8080")
        ));
        assert!(!same_origin(Some("null"), Some("127.0.0.1:8080")));
        assert!(!same_origin(Some("http://127.0.0.1:8080"), None));
    }
}
