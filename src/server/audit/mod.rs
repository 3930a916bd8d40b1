//! The auditors' pages (`/audit/…`) and their JSON (`/api/audit/…`): who changed what, when and why,
//! searched and paginated (`changes.rs`: the history and the correction report, 訂正・削除履歴); who
//! set each current value of an item and what changed between two points (`points.rs`: blame and
//! diff); the verification status run on a copy of the ledger (`verify.rs`); and the downloads: the
//! export, the last signed checkpoint and an inclusion proof (`downloads.rs`).
//!
//! Invariants: every request is checked on the server, each time, against the ledger's people: a
//! live session (pages: else to the sign-in page; JSON: 401) of a person who holds `auditor` (監査),
//! `hq` or `admin` (else 403); nothing here records anything. The data are the library's views
//! (`Ledger::changes_where`, `views::audit`), the same as the CLI's `history`, `blame`, `diff` and
//! `verify`, never new logic; every value reaches the page escaped (minijinja's HTML auto-escape);
//! what a request holds in memory is bounded (a page of rows, a bounded range of events).

pub mod changes;
pub mod downloads;
pub mod points;
pub mod verify;

use std::sync::{Arc, OnceLock};

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::Environment;

use super::app::{App, Refusal, blocking};
use super::guard;
use super::sessions::Session;
use crate::domain::people::Role;
use crate::domain::when;

/// The roles that may read the auditors' pages: the auditor, and 行革本部 and the administrators.
pub const READERS: [Role; 3] = [Role::Auditor, Role::Hq, Role::Admin];

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut e = Environment::new();
        for (name, text) in [
            (
                "audit_base.html",
                include_str!("../templates/audit_base.html"),
            ),
            (
                "audit_home.html",
                include_str!("../templates/audit_home.html"),
            ),
            (
                "audit_history.html",
                include_str!("../templates/audit_history.html"),
            ),
            (
                "audit_blame.html",
                include_str!("../templates/audit_blame.html"),
            ),
            (
                "audit_diff.html",
                include_str!("../templates/audit_diff.html"),
            ),
            (
                "audit_verify.html",
                include_str!("../templates/audit_verify.html"),
            ),
        ] {
            if let Err(err) = e.add_template(name, text) {
                tracing::error!("template {name}: {err}");
            }
        }
        e
    })
}

/// A page from the auditors' template `name` with `ctx`, with `status`.
pub(crate) fn page(status: StatusCode, name: &str, ctx: minijinja::Value) -> Response {
    match env().get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!("rendering {name}: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// The signed-in reader of an auditors' page: without a session, the sign-in page (303); without
/// one of [`READERS`], a refusal in Japanese (403).
pub(crate) async fn page_reader(app: &Arc<App>, headers: &HeaderMap) -> Result<Session, Response> {
    match guard::viewer(app, headers).await {
        Err(e) if e.status == StatusCode::UNAUTHORIZED => Err(super::round_pages::to_signin()),
        Err(e) => Err(e.into_response()),
        Ok((s, who)) => match guard::require(&who, &READERS) {
            Ok(()) => Ok(s),
            Err(e) => Err(e.into_response()),
        },
    }
}

/// The signed-in reader of an auditors' JSON request: 401 without a session, 403 without one of
/// [`READERS`] (or without a current key).
pub(crate) async fn api_reader(app: &Arc<App>, headers: &HeaderMap) -> Result<Session, Refusal> {
    let (_, s) = app.session(headers).ok_or_else(Refusal::unauthenticated)?;
    let l = Arc::clone(&app.ledger);
    let person = s.person.clone();
    let reads = blocking(move || {
        l.current(|st| {
            st.people
                .as_ref()
                .and_then(|pp| pp.get(&person))
                .is_some_and(|p| p.vkey.is_some() && READERS.iter().any(|r| p.has(*r)))
        })
        .map_err(|e| Refusal::from_error(&e))
    })
    .await?;
    match reads {
        true => Ok(s),
        false => Err(Refusal::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the auditors' views need the role auditor, hq or admin",
        )),
    }
}

/// A time as the pages show it: Japan time, to the second (`2015-11-05 15:30:00 +09:00`).
pub(crate) fn jst(ns: i64) -> String {
    when::format_text_in(ns, &when::Zone::japan())
}

/// A JSON body (the views' JSON, serialized by serde).
pub(crate) fn json_body<T: serde::Serialize>(v: &T) -> Response {
    match serde_json::to_vec(v) {
        Ok(body) => (
            [(header::CONTENT_TYPE, "application/json")],
            axum::body::Body::from(body),
        )
            .into_response(),
        Err(e) => {
            tracing::error!("JSON: {e}");
            Refusal::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the view could not be written as JSON",
            )
            .into_response()
        }
    }
}

/// What is wrong with a request's query: in Japanese for the page, in English for the JSON.
#[derive(Debug)]
pub struct Bad {
    /// For the page.
    pub ja: String,
    /// For the JSON's error message.
    pub en: String,
}

/// A [`Bad`] query.
pub(crate) fn bad(ja: impl Into<String>, en: impl Into<String>) -> Bad {
    Bad {
        ja: ja.into(),
        en: en.into(),
    }
}

impl Bad {
    /// As the JSON's refusal (400, `invalid`).
    pub(crate) fn refusal(self) -> Refusal {
        Refusal::new(StatusCode::BAD_REQUEST, "invalid", self.en)
    }
}

/// `GET /audit`: the auditors' pages and downloads.
pub async fn home(
    axum::extract::State(app): axum::extract::State<Arc<App>>,
    headers: HeaderMap,
) -> Response {
    let s = match page_reader(&app, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    page(
        StatusCode::OK,
        "audit_home.html",
        minijinja::context! {
            title => "監査",
            person => s.person,
            csrf => s.csrf,
        },
    )
}

/// `GET /assets/audit.css`: the auditors' pages' stylesheet (screen and print: A4 landscape).
pub async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../templates/audit.css"),
    )
        .into_response()
}
