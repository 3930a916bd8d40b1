//! The reviewers' page: `GET /rounds/{point}/review` shows the signed-in person the queue of their
//! stage (1次評価 for a head (課長): the submitted items of their department not yet approved;
//! 2次評価 for 行革本部: the items approved at 1次評価 and not yet at 2次評価, by department), and the
//! committee's opinion form; `POST /rounds/{point}/review` approves a department's waiting items or
//! approves or returns (差し戻し, a reason required) one item; `POST /rounds/{point}/opinions` records
//! an opinion on an item or on the round.
//!
//! Invariants: reviews are the ledger's, per item (`Change::Reviewed`); approving a department is one
//! batch of its waiting items at the stage; every change is authorized by the ledger's rules and
//! signed by the signed-in person (`round_pages::record`); a refused request records nothing and shows
//! the page again with what the person typed.

use std::sync::Arc;

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};
use serde::Deserialize;

use super::app::{App, Refusal, blocking};
use super::render::{japanese, page};
use super::round_pages::{self as rp, Viewer};
use super::sessions::Session;
use crate::domain::event::Change;
use crate::domain::item_id::ItemId;
use crate::domain::people::{Role, Stage, Verdict};
use crate::domain::period::Period;
use crate::domain::state::State as LedgerState;
use crate::views::sheet;

/// What the person typed, kept when their request is refused.
#[derive(Debug, Clone, Default)]
struct Kept {
    item: String,
    reason: String,
    text: String,
}

/// The items of `department` waiting at `stage` of the round of `point`, in the plan's order.
fn waiting(st: &LedgerState, point: Period, department: &str, stage: Stage) -> Vec<ItemId> {
    let Some(round) = st.rounds.get(&point) else {
        return Vec::new();
    };
    st.items_of(department, point)
        .into_iter()
        .filter(|i| !st.is_excluded(i, point))
        .filter(|i| {
            let r = round.review(i);
            r.submitted
                && match stage {
                    Stage::First => !r.first,
                    Stage::Second => r.first && !r.second,
                }
        })
        .cloned()
        .collect()
}

/// The page's queue at `stage`: per department with items waiting, its items.
fn queue(st: &LedgerState, point: Period, viewer: &Viewer, stage: Stage) -> Vec<Value> {
    sheet::departments(st, point)
        .into_iter()
        .filter(|d| stage == Stage::Second || crate::domain::ident::same(d, &viewer.department))
        .filter_map(|d| {
            let items = waiting(st, point, &d, stage);
            if items.is_empty() {
                return None;
            }
            let rows: Vec<Value> = items
                .iter()
                .map(|id| {
                    let cell = st.cell(id, point);
                    let title = st
                        .items
                        .get(id)
                        .map(|i| i.title.clone())
                        .unwrap_or_default();
                    context! {
                        id => id.as_str(),
                        title => title,
                        grade => cell.rating,
                        follow_up => cell.follow_up,
                        remark => cell.remark,
                    }
                })
                .collect();
            Some(context! {
                sheet => rp::department_path(point, &d),
                department => d,
                items => rows,
            })
        })
        .collect()
}

/// The review page of `point` for `session`.
fn render(
    app: &App,
    status: StatusCode,
    point: &str,
    session: &Session,
    kept: &Kept,
    error: Option<String>,
    notice: Option<&str>,
) -> Result<Response, Refusal> {
    let ctx = app
        .ledger
        .current(|st| -> Option<Value> {
            let point = rp::point(st, point)?;
            let round = st.rounds.get(&point)?;
            let viewer = Viewer::of(st, &session.person)?;
            let stages: Vec<Value> = [(Role::Head, Stage::First), (Role::Hq, Stage::Second)]
                .into_iter()
                .filter(|(role, _)| viewer.has(*role))
                .map(|(_, stage)| {
                    context! {
                        number => stage.number(),
                        label => match stage {
                            Stage::First => "1次評価（課長）",
                            Stage::Second => "2次評価（行革本部）",
                        },
                        departments => queue(st, point, &viewer, stage),
                    }
                })
                .collect();
            let items: Vec<Value> = st
                .items_in_order()
                .into_iter()
                .filter(|i| i.in_plan_at(point))
                .map(|i| context! { id => i.id.as_str(), title => i.title.clone() })
                .collect();
            Some(context! {
                title => format!("{}の審査", point.label()),
                person => session.person.clone(),
                csrf => session.csrf.clone(),
                point => point.label(),
                round_status => rp::status_ja(round.status),
                action => rp::review_path(point),
                opinions => format!("/rounds/{}/opinions", point.id()),
                stages => stages,
                committee => viewer.has(Role::Committee),
                items => items,
                kept_item => kept.item.clone(),
                kept_reason => kept.reason.clone(),
                kept_text => kept.text.clone(),
                error => error.clone(),
                notice => notice,
            })
        })
        .map_err(|e| Refusal::from_error(&e))?;
    Ok(match ctx {
        Some(ctx) => page(status, "review.html", ctx),
        None => page(
            StatusCode::NOT_FOUND,
            "message.html",
            context! {
                title => "ページが見つかりません",
                person => session.person.clone(),
                csrf => session.csrf.clone(),
                error => "この時点の評価ラウンドはありません。トップページから選び直してください。",
            },
        ),
    })
}

/// The query of the page after a change.
#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// `GET /rounds/{point}/review`.
pub async fn show(
    State(app): State<Arc<App>>,
    Path(point): Path<String>,
    Query(q): Query<Done>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let Some(session) = rp::session(&app, &headers) else {
        return Ok(rp::to_signin());
    };
    let notice = match q.done.as_deref() {
        Some("approved") => Some("承認しました。"),
        Some("returned") => Some("差し戻しました。課に理由とともに知らされます。"),
        Some("opinion") => Some("意見を記録しました。"),
        _ => None,
    };
    let a = Arc::clone(&app);
    blocking(move || {
        render(
            &a,
            StatusCode::OK,
            &point,
            &session,
            &Kept::default(),
            None,
            notice,
        )
    })
    .await
}

/// The review form.
#[derive(Deserialize)]
pub struct ReviewForm {
    csrf: String,
    stage: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    item: String,
    verdict: String,
    #[serde(default)]
    reason: String,
}

/// The session of a form that changes something, or the page to answer with.
fn form_session(app: &App, headers: &HeaderMap, csrf: &str) -> Result<Session, Box<Response>> {
    match app.signed_in_for_change(headers, Some(csrf)) {
        Ok((_, s)) => Ok(s),
        Err(r) if r.kind == "unauthenticated" => Err(Box::new(rp::to_signin())),
        Err(r) => Err(Box::new(page(
            r.status,
            "message.html",
            context! { title => "送信できませんでした", error => japanese(&r) },
        ))),
    }
}

/// Back to the review page after a change (303).
fn done(point: Period, what: &str) -> Response {
    let to = format!("{}?done={what}", rp::review_path(point));
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

/// `POST /rounds/{point}/review`: approve a department's waiting items (`department`, no `item`), or
/// approve or return one item (`item`; a return needs its `reason`).
pub async fn decide(
    State(app): State<Arc<App>>,
    Path(point): Path<String>,
    headers: HeaderMap,
    Form(f): Form<ReviewForm>,
) -> Result<Response, Refusal> {
    let session = match form_session(&app, &headers, &f.csrf) {
        Ok(s) => s,
        Err(page) => return Ok(*page),
    };
    let a = Arc::clone(&app);
    blocking(move || {
        let kept = Kept {
            item: f.item.trim().to_string(),
            reason: f.reason.trim().to_string(),
            text: String::new(),
        };
        let again =
            |status, error: String| render(&a, status, &point, &session, &kept, Some(error), None);
        let stage = match f.stage.as_str() {
            "1" => Stage::First,
            "2" => Stage::Second,
            _ => {
                return again(
                    StatusCode::BAD_REQUEST,
                    "審査の段階がわかりません。ページを開き直してください。".into(),
                );
            }
        };
        let verdict = match f.verdict.as_str() {
            "approve" => Verdict::Approve,
            "return" => Verdict::Return,
            _ => {
                return again(
                    StatusCode::BAD_REQUEST,
                    "承認か差し戻しかを選んでください。".into(),
                );
            }
        };
        let plan = a
            .ledger
            .current(|st| -> Result<(Period, Vec<ItemId>), String> {
                let period = rp::point(st, &point).ok_or(
                    "この時点の評価ラウンドはありません。トップページから選び直してください。",
                )?;
                if !kept.item.is_empty() {
                    let id = ItemId::parse(&kept.item)
                        .ok()
                        .filter(|id| st.items.contains_key(id))
                        .ok_or("その取組は計画にありません。ページを開き直してください。")?;
                    return Ok((period, vec![id]));
                }
                let department = sheet::departments(st, period)
                    .into_iter()
                    .find(|d| crate::domain::ident::same(d, &f.department))
                    .ok_or("その課はこの時点の計画にありません。ページを開き直してください。")?;
                let items = waiting(st, period, &department, stage);
                if items.is_empty() {
                    return Err(
                        "この課に審査を待っている取組はありません。ページを開き直してください。"
                            .into(),
                    );
                }
                Ok((period, items))
            })
            .map_err(|e| Refusal::from_error(&e))?;
        let (period, items) = match plan {
            Ok(p) => p,
            Err(e) => return again(StatusCode::BAD_REQUEST, e),
        };
        if verdict == Verdict::Return && (kept.item.is_empty() || kept.reason.is_empty()) {
            return again(
                StatusCode::UNPROCESSABLE_ENTITY,
                "差し戻すときは、取組ごとに理由を書いてください。".into(),
            );
        }
        let reason = match (kept.reason.is_empty(), verdict) {
            (false, _) => kept.reason.clone(),
            (true, _) => format!("{} 承認", stage.label()),
        };
        let changes = items
            .into_iter()
            .map(|item| Change::Reviewed {
                period,
                item,
                stage,
                verdict,
            })
            .collect();
        match rp::record(&a, &session, &reason, changes) {
            Ok(_) => Ok(done(
                period,
                match verdict {
                    Verdict::Approve => "approved",
                    Verdict::Return => "returned",
                },
            )),
            Err(e) => again(StatusCode::CONFLICT, e),
        }
    })
    .await
}

/// The opinion form.
#[derive(Deserialize)]
pub struct OpinionForm {
    csrf: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    text: String,
}

/// `POST /rounds/{point}/opinions`: the committee's opinion on an item (`item`) or on the round.
pub async fn opinion(
    State(app): State<Arc<App>>,
    Path(point): Path<String>,
    headers: HeaderMap,
    Form(f): Form<OpinionForm>,
) -> Result<Response, Refusal> {
    let session = match form_session(&app, &headers, &f.csrf) {
        Ok(s) => s,
        Err(page) => return Ok(*page),
    };
    let a = Arc::clone(&app);
    blocking(move || {
        let kept = Kept {
            item: f.item.trim().to_string(),
            reason: String::new(),
            text: f.text.trim().to_string(),
        };
        let again = |status, error: &str| {
            render(
                &a,
                status,
                &point,
                &session,
                &kept,
                Some(error.to_string()),
                None,
            )
        };
        if kept.text.is_empty() {
            return again(StatusCode::UNPROCESSABLE_ENTITY, "意見を書いてください。");
        }
        let found = a
            .ledger
            .current(|st| {
                let period = rp::point(st, &point)?;
                match kept.item.is_empty() {
                    true => Some((period, None)),
                    false => ItemId::parse(&kept.item)
                        .ok()
                        .filter(|id| st.items.contains_key(id))
                        .map(|id| (period, Some(id))),
                }
            })
            .map_err(|e| Refusal::from_error(&e))?;
        let Some((period, item)) = found else {
            return again(
                StatusCode::BAD_REQUEST,
                "その時点か取組がありません。ページを開き直してください。",
            );
        };
        let change = Change::OpinionRecorded {
            period,
            item,
            text: kept.text.clone(),
        };
        match rp::record(&a, &session, "外部委員の意見", vec![change]) {
            Ok(_) => Ok(done(period, "opinion")),
            Err(e) => again(StatusCode::CONFLICT, &e),
        }
    })
    .await
}
