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
use super::page_cache;
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
    page_cache::serve(app, "api-table", point, page_cache::JSON, |app, point| {
        let l = &app.ledger;
        let period = l
            .current(|s| parse_point(s, point))
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
    .await
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

/// Records the changes `build` makes from the request's body, as the signed-in person, signed with
/// their key: the session and its CSRF token are checked before the body is read; each change is
/// authorized (403 when the person's roles do not allow it) and the batch is answered once durable
/// (201, with the first event's seq and the head).
async fn record<B: serde::de::DeserializeOwned + Send + 'static>(
    app: Arc<App>,
    headers: HeaderMap,
    body: axum::body::Bytes,
    build: impl FnOnce(&LedgerState, &str, B) -> Result<(Vec<Change>, String), Refusal> + Send + 'static,
) -> Result<Response, Refusal> {
    // The session and its token first: nothing of the body is looked at without them.
    let (_, s) = app.signed_in_for_change(&headers, None)?;
    let b: B = serde_json::from_slice(&body)
        .map_err(|e| Refusal::new(StatusCode::BAD_REQUEST, "invalid", e.to_string()))?;
    let l = Arc::clone(&app.ledger);
    let receipt = blocking(move || {
        let (changes, reason) = l
            .current(|st| -> Result<(Vec<Change>, String), Refusal> {
                let (changes, reason) = build(st, &s.person, b)?;
                let mut admitted = Vec::with_capacity(changes.len());
                for c in changes {
                    let c = st
                        .admit(c)
                        .map_err(|e| Refusal::from_error(&crate::error::Error::Refused(e)))?;
                    st.authorize(&s.person, &c).map_err(|e| {
                        Refusal::new(StatusCode::FORBIDDEN, "refused", e.to_string())
                    })?;
                    admitted.push(c);
                }
                Ok((admitted, reason))
            })
            .map_err(|e| Refusal::from_error(&e))??;
        l.append_signed(&s.person, &reason, Some(s.signer.clone()), &changes)
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

fn bad(e: impl std::fmt::Display) -> Refusal {
    Refusal::new(StatusCode::BAD_REQUEST, "invalid", e.to_string())
}

/// `POST /api/ratings`: records a rating.
pub async fn rate(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Refusal> {
    record(app, headers, body, |st, _, r: Rating| {
        let change = Change::RatingRecorded {
            item: ItemId::parse(&r.item).map_err(bad)?,
            period: parse_point(st, &r.period)?,
            grade: crate::domain::ident::trim(&r.grade).to_string(),
        };
        Ok((vec![change], r.reason))
    })
    .await
}

/// The body of `POST /api/rounds/{point}/submit`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submit {
    department: Option<String>,
    reason: String,
}

/// `POST /api/rounds/{point}/submit`: submits a department's items (default: the person's own).
pub async fn submit(
    State(app): State<Arc<App>>,
    Path(point): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Refusal> {
    record(app, headers, body, move |st, person, b: Submit| {
        let period = parse_point(st, &point)?;
        let department = match b.department {
            Some(d) => d,
            None => st
                .people
                .as_ref()
                .and_then(|p| p.get(person))
                .map(|p| p.department.clone())
                .ok_or_else(|| bad("no department: give one"))?,
        };
        Ok((vec![Change::Submitted { period, department }], b.reason))
    })
    .await
}

/// The body of `POST /api/reviews`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    period: String,
    item: String,
    stage: u8,
    verdict: String,
    reason: String,
}

/// `POST /api/reviews`: approves an item at 1次評価 or 2次評価, or returns it with the reason.
pub async fn review(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Refusal> {
    use crate::domain::people::{Stage, Verdict};
    record(app, headers, body, |st, _, b: Review| {
        let stage = match b.stage {
            1 => Stage::First,
            2 => Stage::Second,
            _ => return Err(bad("stage is 1 or 2")),
        };
        let verdict = match b.verdict.as_str() {
            "approve" => Verdict::Approve,
            "return" => Verdict::Return,
            _ => return Err(bad("verdict is approve or return")),
        };
        let change = Change::Reviewed {
            period: parse_point(st, &b.period)?,
            item: ItemId::parse(&b.item).map_err(bad)?,
            stage,
            verdict,
        };
        Ok((vec![change], b.reason))
    })
    .await
}

/// The body of `POST /api/opinions`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Opinion {
    period: String,
    item: Option<String>,
    text: String,
    reason: String,
}

/// `POST /api/opinions`: the committee's opinion on an item or on the round.
pub async fn opinion(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Refusal> {
    record(app, headers, body, |st, _, b: Opinion| {
        let change = Change::OpinionRecorded {
            period: parse_point(st, &b.period)?,
            item: b
                .item
                .as_deref()
                .map(ItemId::parse)
                .transpose()
                .map_err(bad)?,
            text: b.text,
        };
        Ok((vec![change], b.reason))
    })
    .await
}

/// The body of `POST /api/rounds/{point}/close`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Close {
    reason: String,
}

/// `POST /api/rounds/{point}/close`: closes a round (no more ratings).
pub async fn close(
    State(app): State<Arc<App>>,
    Path(point): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Refusal> {
    record(app, headers, body, move |st, _, b: Close| {
        let period = parse_point(st, &point)?;
        Ok((vec![Change::RoundClosed { period }], b.reason))
    })
    .await
}

/// The body of `POST /api/rounds/{point}/open`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Open {
    due: String,
    reason: String,
}

/// `POST /api/rounds/{point}/open`: opens the round of a point, due on a date (Japan time; written
/// as people write dates: 2021-04-30, 2021/4/30, 令和3年4月30日).
pub async fn open(
    State(app): State<Arc<App>>,
    Path(point): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Refusal> {
    record(app, headers, body, move |st, _, b: Open| {
        use crate::domain::when;
        let period = parse_point(st, &point)?;
        let due = when::parse_instant_in(&b.due, &when::Zone::japan()).map_err(bad)?;
        let change = Change::RoundOpened {
            period,
            due: crate::views::round::jst_date(due),
        };
        Ok((vec![change], b.reason))
    })
    .await
}

/// `POST /api/rounds/{point}/publish`: publishes a round (closing it first, in the same batch, if it
/// is open), with the SHA-256 of its published table as the ledger has it now, then signs the
/// ledger's checkpoint with the log key the server holds, as `hyoka round publish` does
/// (`publishing.rs`); a server without the log key refuses (409 `no_log_key`), recording nothing.
pub async fn publish(
    State(app): State<Arc<App>>,
    Path(point): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Refusal> {
    // The session and its token first: nothing of the body is looked at without them.
    let (_, s) = app.signed_in_for_change(&headers, None)?;
    let b: Close = serde_json::from_slice(&body).map_err(bad)?;
    let a = Arc::clone(&app);
    let p = blocking(move || {
        let period = a
            .ledger
            .current(|st| parse_point(st, &point))
            .map_err(|e| Refusal::from_error(&e))??;
        super::publishing::publish(&a, &s, period, &b.reason, None).map_err(|f| publish_refusal(&f))
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "seq": p.receipt.first_seq,
            "head": hex::encode(p.receipt.head_hash),
            "table_sha256": hex::encode(p.table_sha256),
            "checkpoint_size": p.checkpoint_size,
        })),
    )
        .into_response())
}

/// A publication's failure as the API's refusal.
fn publish_refusal(f: &super::publishing::Failure) -> Refusal {
    use super::publishing::Failure;
    use crate::publish::round::NotPublishable;
    let conflict = |kind, message: &str| Refusal::new(StatusCode::CONFLICT, kind, message);
    match f {
        Failure::Not(NotPublishable::NoRound) => Refusal::new(
            StatusCode::NOT_FOUND,
            "no_round",
            "there is no round at this point",
        ),
        Failure::Not(NotPublishable::NoLogKey) => conflict(
            "no_log_key",
            "publishing signs a checkpoint with the ledger's log key, and this server does not hold it: restart the server holding the ledger's log key (see the README's section on serving)",
        ),
        Failure::Not(NotPublishable::OtherLogKey) => conflict(
            "other_log_key",
            "the log key this server holds is not the one the ledger's people were enabled with: restart the server holding the ledger's log key",
        ),
        Failure::Changed => conflict("changed", "the table has changed since it was confirmed"),
        Failure::Refused {
            refused,
            authorizing: true,
        } => Refusal::new(StatusCode::FORBIDDEN, "refused", refused.to_string()),
        Failure::Refused { refused, .. } => {
            Refusal::from_error(&crate::error::Error::Refused(refused.clone()))
        }
        Failure::Ledger(e) => Refusal::from_error(e),
        Failure::NotSigned { seq, error } => {
            tracing::error!(
                "the publication (#{seq}) is recorded, its checkpoint not signed: {error}"
            );
            Refusal::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "not_signed",
                format!(
                    "the publication is recorded (event {seq}), but its checkpoint was not signed: {error}; sign the checkpoint with the log key once the server is stopped"
                ),
            )
        }
    }
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
