//! The server's state: what every handler shares (the ledger behind group commit, the sessions, the
//! sign-in limits, the server's directory, the clock), the refusal every handler answers with, and the
//! checks of a request (its session, its CSRF token, its `Origin`). The routes are `router.rs`'s.
//!
//! Invariants: every request that changes anything goes through [`App::signed_in_for_change`] (a live
//! session, then its CSRF token, then a same-site `Origin`) before it reads its body's meaning or
//! touches the ledger; authorization is the ledger's own (`State::authorize`, checked again by every
//! append); the ledger is touched only on blocking threads (`spawn_blocking`), never on the async
//! workers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::csrf;
use super::keywrap::{Derivations, Params};
use super::ratelimit::Limiter;
use super::sessions::{Session, Sessions};
use super::webdir::WebDir;
use crate::ledger::shared::SharedLedger;

/// The clock events are recorded with (ns since the epoch, UTC).
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// What every handler shares.
pub struct App {
    /// The ledger, with group commit.
    pub ledger: Arc<SharedLedger>,
    /// The signed-in sessions.
    pub sessions: Sessions,
    /// Failed sign-ins per account.
    pub per_account: Limiter,
    /// Failed sign-ins per client address.
    pub per_client: Limiter,
    /// The server's directory (enrolment tokens, wrapped keys).
    pub web: WebDir,
    /// Served over HTTPS (the cookie is then `Secure` and `__Host-` prefixed).
    pub secure: bool,
    /// Argon2id's parameters for keys wrapped from now on.
    pub kdf: Params,
    /// The key derivations of sign-ins and enrolments: bounded, their memory pooled.
    pub derivations: Arc<Derivations>,
    /// The clock events are recorded with.
    pub clock: Clock,
    /// The public pages, rendered once per version of the ledger (`page_cache.rs`).
    pub pages: super::page_cache::PageCache,
    /// The rounds published so far, read from the events added since the last look (the home page).
    pub published: crate::publish::item::PublishedMemo,
}

/// The session cookie's name over HTTP.
pub const COOKIE: &str = "hyoka_session";
/// Its name over HTTPS.
pub const COOKIE_SECURE: &str = "__Host-hyoka_session";

/// A refusal of the API or the pages: status, the CLI's error kind, and the message.
#[derive(Debug)]
pub struct Refusal {
    /// The HTTP status.
    pub status: StatusCode,
    /// The error kind (`unauthenticated`, `csrf`, `forbidden`, or one of the library's kinds).
    pub kind: &'static str,
    /// What is wrong.
    pub message: String,
}

impl Refusal {
    /// A refusal.
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            kind,
            message: message.into(),
        }
    }

    /// No session (401).
    pub fn unauthenticated() -> Refusal {
        Refusal::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "sign in first: this request needs a session",
        )
    }

    /// A library error, with the status its kind calls for.
    pub fn from_error(e: &crate::error::Error) -> Refusal {
        use crate::error::Error;
        let status = match e {
            Error::Busy(..) | Error::Unsettled(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Refused(_) | Error::RefusedAt { .. } => StatusCode::CONFLICT,
            Error::NoSuchSeq { .. } => StatusCode::NOT_FOUND,
            Error::Invalid(_)
            | Error::Text(_)
            | Error::EraNeeded { .. }
            | Error::PointNeeded { .. } => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!("{e}");
        }
        Refusal::new(status, e.kind(), e.to_string())
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": { "kind": self.kind, "message": self.message }
        });
        let mut r = (self.status, axum::Json(body)).into_response();
        retry_after(&mut r);
        r
    }
}

/// How many seconds a client refused as busy (503) is told to wait before trying again.
pub const RETRY_AFTER_SECS: u32 = 5;

/// Adds `Retry-After` to a busy response (503).
pub fn retry_after(r: &mut Response) {
    if r.status() == StatusCode::SERVICE_UNAVAILABLE {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    }
}

impl App {
    /// The session cookie's name.
    pub fn cookie_name(&self) -> &'static str {
        if self.secure { COOKIE_SECURE } else { COOKIE }
    }

    /// The `Set-Cookie` value of a new session `id`.
    pub fn cookie_for(&self, id: &str) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
            self.cookie_name(),
            self.sessions.absolute.as_secs()
        )
    }

    /// The `Set-Cookie` value that ends the session cookie.
    pub fn cookie_cleared(&self) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
            self.cookie_name()
        )
    }

    /// The session id the request's cookie carries, if any.
    pub fn session_id(&self, headers: &HeaderMap) -> Option<String> {
        let name = self.cookie_name();
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(n, v)| *n == name && v.len() == 64)
            .map(|(_, v)| v.to_string())
    }

    /// The live session of the request, if any.
    pub fn session(&self, headers: &HeaderMap) -> Option<(String, Session)> {
        let id = self.session_id(headers)?;
        let s = self.sessions.get(&id, Instant::now())?;
        Some((id, s))
    }

    /// The session of a request that changes something: refused without a live session (401), with
    /// a CSRF token other than the session's (403: `token`, the form's field or the API's header), or
    /// from another site's page (403).
    pub fn signed_in_for_change(
        &self,
        headers: &HeaderMap,
        token: Option<&str>,
    ) -> Result<(String, Session), Refusal> {
        let (id, s) = self.session(headers).ok_or_else(Refusal::unauthenticated)?;
        let token = token.or_else(|| headers.get(csrf::HEADER).and_then(|v| v.to_str().ok()));
        if !csrf::matches(&s.csrf, token) {
            return Err(Refusal::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "the request lacks its session's CSRF token (the X-CSRF-Token header, or the form's field)",
            ));
        }
        same_site(headers)?;
        Ok((id, s))
    }
}

/// Refuses a request whose `Origin` is another site.
pub fn same_site(headers: &HeaderMap) -> Result<(), Refusal> {
    let text = |h| headers.get(h).and_then(|v: &HeaderValue| v.to_str().ok());
    match csrf::same_origin(text(header::ORIGIN), text(header::HOST)) {
        true => Ok(()),
        false => Err(Refusal::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "the request comes from another site's page",
        )),
    }
}

/// Runs `f` on a blocking thread (the ledger's reads and writes).
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Refusal> + Send + 'static,
) -> Result<T, Refusal> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        tracing::error!("a request's task failed: {e}");
        Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the request failed",
        )
    })?
}

/// Sessions' lifetimes: 30 minutes idle, 10 hours in all; at most 10,000 at once.
pub fn default_sessions() -> Sessions {
    Sessions::new(
        Duration::from_secs(30 * 60),
        Duration::from_secs(10 * 3600),
        10_000,
    )
}

/// Sign-in limits: 5 failures in 15 minutes per account, 20 per client address.
pub fn default_limits() -> (Limiter, Limiter) {
    let window = Duration::from_secs(15 * 60);
    (
        Limiter::new(5, window, 10_000),
        Limiter::new(20, window, 10_000),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_refusal_says_when_to_try_again_and_no_other_does() {
        let busy = Refusal::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "busy").into_response();
        assert_eq!(
            busy.headers().get(header::RETRY_AFTER),
            Some(&HeaderValue::from(RETRY_AFTER_SECS))
        );
        let other = Refusal::new(StatusCode::CONFLICT, "refused", "no").into_response();
        assert!(other.headers().get(header::RETRY_AFTER).is_none());
    }

    #[test]
    fn cookies_are_read_by_name_and_set_with_their_attributes() {
        let app = crate::server::app(
            Arc::new(test_ledger()),
            WebDir::beside(std::path::Path::new("/nonexistent/l")),
            true,
            Arc::new(|| 0),
        );
        let id = "a".repeat(64);
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("x=1; hyoka_session=b; {COOKIE_SECURE}={id}")).unwrap(),
        );
        assert_eq!(app.session_id(&h), Some(id.clone()));
        let c = app.cookie_for(&id);
        assert!(c.starts_with("__Host-hyoka_session="), "{c}");
        for part in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
            assert!(c.contains(part), "{c}");
        }
        assert!(app.cookie_cleared().contains("Max-Age=0"));
    }

    fn test_ledger() -> SharedLedger {
        let d = tempfile::tempdir().unwrap();
        let meta = crate::ledger::Meta {
            author: "a".into(),
            reason: "r".into(),
            source: None,
            recorded_at: 1,
            new_point: false,
            signer: None,
        };
        let plan = crate::domain::event::Change::PlanDefined {
            name: "p".into(),
            grades: vec!["A".into()],
            default_era: None,
            origin: "example/p".into(),
            cadence: Default::default(),
            years: None,
        };
        let dir = d.keep().join("l");
        let l = crate::ledger::Ledger::create(&dir, &meta, plan, &[], Default::default()).unwrap();
        SharedLedger::new(l, || 2).unwrap()
    }
}
