//! The citizens' pages (no sign-in): a published round's table exactly as published, with its signed
//! checkpoint and table digest (`GET /rounds/{POINT}`), and the notice of its corrections
//! (`GET /rounds/{POINT}/corrections`): the pages of the publication pack (`crate::publish::html`),
//! the same templates, with links into the server.
//!
//! The checkpoint shown is the last one the ledger signed (`CHECKPOINT`), which `round publish` writes;
//! a round not published, or a ledger without a signed checkpoint covering its publication, is 404.

use std::sync::{Arc, OnceLock};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::app::{App, Refusal};
use super::page_cache;
use crate::domain::period::{Cadence, Period};
use crate::evidence::transparency;
use crate::publish::html::{self, Links};
use crate::publish::{self, Publication, PublishError};

/// The publication of `point` as the server's ledger holds it now.
fn publication(app: &App, point: &str) -> Result<Publication, Refusal> {
    let period = app
        .ledger
        .current(|s| {
            let plan = s.plan.as_ref();
            Period::parse_for(
                point,
                plan.and_then(|p| p.default_era),
                plan.map_or(Cadence::HalfYear, |p| p.cadence),
                plan.and_then(|p| p.years),
            )
        })
        .map_err(|e| Refusal::from_error(&e))?
        .map_err(|e| Refusal::new(StatusCode::BAD_REQUEST, "invalid", e.to_string()))?;
    let not_found = |what: String| Refusal::new(StatusCode::NOT_FOUND, "not_published", what);
    app.ledger
        .read(|l| {
            let Some((cp, note)) =
                transparency::last_signed(l.dir()).map_err(|e| Refusal::from_error(&e))?
            else {
                return Err(not_found("the ledger has no signed checkpoint".into()));
            };
            publish::gather(l, period, cp, note).map_err(|e| match e {
                PublishError::Ledger(e) => Refusal::from_error(&e),
                e => not_found(e.to_string()),
            })
        })
        .map_err(|e| Refusal::from_error(&e))?
}

/// The links of the pages of `point` on the server.
fn links(point: &str) -> Links {
    Links {
        css: "/assets/public.css".into(),
        table: format!("/rounds/{point}"),
        corrections: format!("/rounds/{point}/corrections"),
        downloads: vec![(
            format!("/api/rounds/{point}/table"),
            "JSON（機械判読用）".into(),
        )],
    }
}

fn rendered(r: Result<String, html::RenderError>) -> Result<String, Refusal> {
    r.map_err(|e| {
        tracing::error!("{e}");
        Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error",
        )
    })
}

/// `GET /rounds/{POINT}`: the table as published.
pub async fn round(
    State(app): State<Arc<App>>,
    Path(point): Path<String>,
) -> Result<Response, Refusal> {
    page_cache::serve(app, "round", point, page_cache::HTML, |app, point| {
        let p = publication(app, point)?;
        rendered(html::round_page(&p, &links(&p.point.id())))
    })
    .await
}

/// `GET /rounds/{POINT}/corrections`: the notice of the corrections since the publication.
pub async fn corrections(
    State(app): State<Arc<App>>,
    Path(point): Path<String>,
) -> Result<Response, Refusal> {
    page_cache::serve(app, "corrections", point, page_cache::HTML, |app, point| {
        let p = publication(app, point)?;
        rendered(html::corrections_page(&p, &links(&p.point.id())))
    })
    .await
}

/// `GET /assets/public.css`: the public pages' stylesheet.
pub async fn stylesheet() -> Response {
    static CSS: OnceLock<page_cache::Page> = OnceLock::new();
    page_cache::asset(&CSS, html::CSS, "text/css; charset=utf-8")
}
