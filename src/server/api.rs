//! The JSON API (schema/openapi.json): the CLI's JSON views and the round's actions. Errors are
//! `{"error": {"kind", "message"}}` with the CLI's error kinds.
//!
//! `GET /api/rounds/{point}/table` is, for a published round, the table as published: byte for byte
//! what `hyoka table --as-of POINT --seq S --format json` prints, S being the seq of the round's
//! (last) `round.published` event.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::app::{App, Refusal, blocking};
use crate::domain::event::Change;
use crate::domain::item_id::ItemId;
use crate::domain::people::RoundStatus;
use crate::domain::period::{Cadence, Period};
use crate::domain::state::State as LedgerState;
use crate::views::audit::Selection;
use crate::views::{self, Marks};

/// The OpenAPI document, served as is.
pub const OPENAPI: &str = include_str!("../../schema/openapi.json");

/// `GET /api/openapi.json`.
pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// `GET /api/head`: the number of events and the head hash.
pub async fn head(State(app): State<Arc<App>>) -> Result<Response, Refusal> {
    let l = Arc::clone(&app.ledger);
    let (events, hash) = blocking(move || {
        l.read(|l| (l.len(), l.head_hash()))
            .map_err(|e| Refusal::from_error(&e))
    })
    .await?;
    Ok(Json(serde_json::json!({ "events": events, "head": hex::encode(hash) })).into_response())
}

/// A point as the plan reads it.
pub fn parse_point(state: &LedgerState, s: &str) -> Result<Period, Refusal> {
    let plan = state.plan.as_ref();
    Period::parse_for(
        s,
        plan.and_then(|p| p.default_era),
        plan.map_or(Cadence::HalfYear, |p| p.cadence),
        plan.and_then(|p| p.years),
    )
    .map_err(|e| Refusal::new(StatusCode::BAD_REQUEST, "invalid", e.to_string()))
}

/// `GET /api/rounds/{point}/table`: the published table (404 for a round not published).
pub async fn round_table(
    State(app): State<Arc<App>>,
    Path(point): Path<String>,
) -> Result<Response, Refusal> {
    let l = Arc::clone(&app.ledger);
    let body = blocking(move || {
        let period = l
            .current(|s| parse_point(s, &point))
            .map_err(|e| Refusal::from_error(&e))??;
        l.read(|l| -> Result<String, Refusal> {
            let err = |e: crate::error::Error| Refusal::from_error(&e);
            let mut published = None;
            l.scan(0, u64::MAX, &mut |e| {
                if matches!(&e.event.change, Change::RoundPublished { period: p, .. } if *p == period)
                {
                    published = Some(e.event.seq);
                }
                Ok(true)
            })
            .map_err(err)?;
            let seq = published.ok_or_else(|| {
                Refusal::new(
                    StatusCode::NOT_FOUND,
                    "not_published",
                    format!("the round of {} is not published", period.id()),
                )
            })?;
            let sel = Selection {
                through: Some(seq),
                at: None,
                as_of: Some(period),
            };
            let (state, _) = l.state_for(&sel).map_err(err)?;
            let view = views::table_marked(&state, Some(period), Marks::Kept);
            let mut s = serde_json::to_string(&view).map_err(|e| {
                Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
            })?;
            s.push('\n');
            Ok(s)
        })
        .map_err(|e| Refusal::from_error(&e))?
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// `GET /api/rounds/{point}/status`: where the round stands (as `hyoka round status --format json`).
pub async fn round_status(
    State(app): State<Arc<App>>,
    Path(point): Path<String>,
) -> Result<Response, Refusal> {
    let l = Arc::clone(&app.ledger);
    let now = (app.clock)();
    let v = blocking(move || {
        l.current(|s| {
            let period = parse_point(s, &point)?;
            crate::views::round::round_status(s, period, now).ok_or_else(|| {
                Refusal::new(
                    StatusCode::NOT_FOUND,
                    "no_round",
                    format!("there is no round of {}", period.id()),
                )
            })
        })
        .map_err(|e| Refusal::from_error(&e))?
    })
    .await?;
    Ok(Json(v).into_response())
}

/// `GET /api/session`: who is signed in, and the CSRF token of their session.
pub async fn session(State(app): State<Arc<App>>, headers: HeaderMap) -> Result<Response, Refusal> {
    let (_, s) = app.session(&headers).ok_or_else(Refusal::unauthenticated)?;
    Ok(Json(serde_json::json!({ "person": s.person, "csrf_token": s.csrf })).into_response())
}

/// The body of `POST /api/signin`.
#[derive(Deserialize)]
pub struct SignIn {
    person: String,
    password: String,
}

/// `POST /api/signin`: a session (its cookie set) and its CSRF token.
pub async fn signin(
    State(app): State<Arc<App>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(body): Json<SignIn>,
) -> Result<Response, Refusal> {
    super::app::same_site(&headers)?;
    let a = Arc::clone(&app);
    let (id, s) =
        blocking(move || super::auth::sign_in(&a, &body.person, &body.password, client.ip()))
            .await?;
    Ok((
        [(header::SET_COOKIE, app.cookie_for(&id))],
        Json(serde_json::json!({ "person": s.person, "csrf_token": s.csrf })),
    )
        .into_response())
}

/// `POST /api/signout`: ends the session.
pub async fn signout(State(app): State<Arc<App>>, headers: HeaderMap) -> Result<Response, Refusal> {
    let (id, _) = app.signed_in_for_change(&headers, None)?;
    app.sessions.remove(&id);
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, app.cookie_cleared())],
    )
        .into_response())
}

/// The body of `POST /api/ratings`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    item: String,
    period: String,
    grade: String,
    reason: String,
}

/// `POST /api/ratings`: records a rating as the signed-in person, signed with their key; answered
/// once durable (201, with the event's seq).
pub async fn rate(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Refusal> {
    // The session and its token first: nothing of the body is looked at without them.
    let (_, s) = app.signed_in_for_change(&headers, None)?;
    let r: Rating = serde_json::from_slice(&body)
        .map_err(|e| Refusal::new(StatusCode::BAD_REQUEST, "invalid", e.to_string()))?;
    let l = Arc::clone(&app.ledger);
    let receipt = blocking(move || {
        let item = ItemId::parse(&r.item)
            .map_err(|e| Refusal::new(StatusCode::BAD_REQUEST, "invalid", e.to_string()))?;
        let change = l
            .current(|st| -> Result<Change, Refusal> {
                let period = parse_point(st, &r.period)?;
                let change = st
                    .admit(Change::RatingRecorded {
                        item,
                        period,
                        grade: crate::domain::ident::trim(&r.grade).to_string(),
                    })
                    .map_err(|e| Refusal::from_error(&crate::error::Error::Refused(e)))?;
                st.authorize(&s.person, &change)
                    .map_err(|e| Refusal::new(StatusCode::FORBIDDEN, "refused", e.to_string()))?;
                Ok(change)
            })
            .map_err(|e| Refusal::from_error(&e))??;
        l.append_signed(&s.person, &r.reason, Some(s.signer.clone()), &[change])
            .map_err(|e| Refusal::from_error(&e))
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "seq": receipt.first_seq,
            "head": hex::encode(receipt.head_hash),
        })),
    )
        .into_response())
}

/// Whether a round of `state` is open (for the pages).
pub fn open_rounds(state: &LedgerState) -> Vec<Period> {
    state
        .rounds
        .iter()
        .filter(|(_, r)| r.status == RoundStatus::Open)
        .map(|(p, _)| *p)
        .collect()
}
