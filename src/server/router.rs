//! The one list of routes ([`routes`]), from which the router is built and against which the OpenAPI
//! document is checked, and the access log with the headers every response carries.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};

use super::app::{App, Refusal};
use super::{admin, api, audit, pages, public, review, sheet_page, tracker, transfer};

/// Every route: method, path (axum's syntax, as in the OpenAPI document) and handler.
pub fn routes() -> Vec<(Method, &'static str, MethodRouter<Arc<App>>)> {
    vec![
        (Method::GET, "/", get(pages::home)),
        (Method::GET, "/signin", get(pages::signin_form)),
        (Method::POST, "/signin", post(pages::signin)),
        (Method::POST, "/signout", post(pages::signout)),
        (Method::GET, "/enrol", get(pages::enrol_form)),
        (Method::POST, "/enrol", post(pages::enrol)),
        (Method::GET, "/assets/hyoka.css", get(pages::stylesheet)),
        (Method::GET, "/rounds/{point}", get(public::round)),
        (
            Method::GET,
            "/rounds/{point}/corrections",
            get(public::corrections),
        ),
        (Method::GET, "/assets/public.css", get(public::stylesheet)),
        (
            Method::GET,
            "/rounds/{point}/table.csv",
            get(public::table_csv),
        ),
        (
            Method::GET,
            "/rounds/{point}/table.xlsx",
            get(public::table_xlsx),
        ),
        (
            Method::GET,
            "/rounds/{point}/table.json",
            get(public::table_json),
        ),
        (
            Method::GET,
            "/rounds/{point}/checkpoint",
            get(public::checkpoint),
        ),
        (
            Method::GET,
            "/rounds/{point}/publication.tlog-proof",
            get(public::publication_proof),
        ),
        (Method::GET, "/items/{id}", get(public::item)),
        (Method::GET, "/api/openapi.json", get(api::openapi)),
        (Method::GET, "/api/head", get(api::head)),
        (Method::GET, "/api/session", get(api::session)),
        (Method::POST, "/api/signin", post(api::signin)),
        (Method::POST, "/api/signout", post(api::signout)),
        (
            Method::GET,
            "/api/rounds/{point}/table",
            get(api::round_table),
        ),
        (
            Method::GET,
            "/api/rounds/{point}/status",
            get(api::round_status),
        ),
        (Method::POST, "/api/ratings", post(api::rate)),
        (
            Method::POST,
            "/api/rounds/{point}/submit",
            post(api::submit),
        ),
        (Method::POST, "/api/rounds/{point}/close", post(api::close)),
        (Method::POST, "/api/reviews", post(api::review)),
        (Method::POST, "/api/opinions", post(api::opinion)),
        (
            Method::GET,
            "/rounds/{point}/tracker",
            get(tracker::tracker),
        ),
        (Method::GET, "/admin/people", get(admin::people)),
        (Method::POST, "/admin/people/enrol", post(admin::enrol)),
        (Method::POST, "/admin/people/roles", post(admin::roles)),
        (
            Method::POST,
            "/admin/people/keys/revoke",
            post(admin::revoke_key),
        ),
        (Method::GET, "/admin/rounds", get(admin::rounds)),
        (Method::POST, "/admin/rounds/open", post(admin::open_round)),
        (
            Method::POST,
            "/admin/rounds/{point}/close",
            post(admin::close_round),
        ),
        (
            Method::POST,
            "/admin/rounds/{point}/publish",
            post(admin::publish_round),
        ),
        (Method::GET, "/admin/plan", get(admin::plan)),
        (
            Method::GET,
            "/rounds/{point}/departments/{dept}/sheet.xlsx",
            get(transfer::sheet_xlsx),
        ),
        (
            Method::GET,
            "/rounds/{point}/departments/{dept}/sheet.csv",
            get(transfer::sheet_csv),
        ),
        (
            Method::GET,
            "/rounds/{point}/departments/{dept}/sheet",
            get(transfer::sheet_page),
        ),
        (
            Method::POST,
            "/rounds/{point}/departments/{dept}/sheet",
            post(transfer::upload),
        ),
        (Method::POST, "/api/rounds/{point}/open", post(api::open)),
        (
            Method::POST,
            "/api/rounds/{point}/publish",
            post(api::publish),
        ),
        (
            Method::GET,
            "/rounds/{point}/departments/{dept}",
            get(sheet_page::show),
        ),
        (
            Method::POST,
            "/rounds/{point}/departments/{dept}",
            post(sheet_page::save),
        ),
        (Method::GET, "/rounds/{point}/review", get(review::show)),
        (Method::POST, "/rounds/{point}/review", post(review::decide)),
        (
            Method::POST,
            "/rounds/{point}/opinions",
            post(review::opinion),
        ),
        (Method::GET, "/audit", get(audit::home)),
        (Method::GET, "/audit/history", get(audit::changes::history)),
        (
            Method::GET,
            "/audit/corrections",
            get(audit::changes::corrections),
        ),
        (
            Method::GET,
            "/audit/items/{id}/blame",
            get(audit::points::blame_page),
        ),
        (Method::GET, "/audit/diff", get(audit::points::diff_page)),
        (
            Method::GET,
            "/audit/verify",
            get(audit::verify::verify_page),
        ),
        (Method::GET, "/assets/audit.css", get(audit::stylesheet)),
        (
            Method::GET,
            "/api/audit/history",
            get(audit::changes::history_json),
        ),
        (
            Method::GET,
            "/api/audit/items/{id}/blame",
            get(audit::points::blame_json),
        ),
        (
            Method::GET,
            "/api/audit/diff",
            get(audit::points::diff_json),
        ),
        (
            Method::GET,
            "/api/audit/verify",
            get(audit::verify::verify_json),
        ),
        (
            Method::GET,
            "/api/audit/export",
            get(audit::downloads::export),
        ),
        (
            Method::GET,
            "/api/audit/checkpoint",
            get(audit::downloads::checkpoint),
        ),
        (
            Method::GET,
            "/api/audit/proof",
            get(audit::downloads::inclusion),
        ),
    ]
}

/// The router over `app`, with the access log and the security headers.
pub fn router(app: Arc<App>) -> Router {
    let mut r = Router::new();
    for (_, path, handler) in routes() {
        r = r.route(path, handler);
    }
    r.fallback(|| async { Refusal::new(StatusCode::NOT_FOUND, "not_found", "no such page") })
        .layer(axum::middleware::from_fn(super::page_cache::conditional))
        .layer(axum::middleware::from_fn(access_log))
        .layer(axum::extract::DefaultBodyLimit::max(1 << 20))
        .with_state(app)
}

/// Logs each request (method, the route or the path without its query, status, time, client) and sets
/// the headers every response carries.
async fn access_log(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| req.uri().path().chars().take(200).collect());
    let client = req
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'; form-action 'self'"),
    );
    // Not `no-referrer`: under it a browser sends `Origin: null` with a form's POST, which the
    // same-site check refuses; `same-origin` still sends nothing to other sites.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    tracing::info!(
        target: super::logs::ACCESS,
        "{client} {method} {path} {} {:.1}ms",
        res.status().as_u16(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_api_route_is_in_the_openapi_document_and_back() {
        let doc: serde_json::Value = serde_json::from_str(api::OPENAPI).unwrap();
        let mut documented: Vec<(String, String)> = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                documented.push((method.to_uppercase(), path.clone()));
            }
        }
        documented.sort();
        let mut routed: Vec<(String, String)> = routes()
            .into_iter()
            .filter(|(_, p, _)| p.starts_with("/api/"))
            .map(|(m, p, _)| (m.to_string(), p.to_string()))
            .collect();
        routed.sort();
        assert_eq!(routed, documented);
    }
}
