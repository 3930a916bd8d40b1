//! The department's sheet page: `GET /rounds/{point}/departments/{dept}` lays out the department's
//! items for the round as the sheet it fills in (item no., title, the previous point's grade, mark and
//! remark for reference, this point's grade as a choice of the plan's scale, follow-up, remark), with
//! each item's review (差し戻し marked in words, with the reviewer's reason beside it); `POST` saves the
//! changed cells ("下書き保存") or saves them and submits the department ("提出").
//!
//! Invariants: any signed-in person may read the page; a cell is editable only when the ledger would
//! let the person rate it now (`State::authorize`: their own department, staff or head, an open round
//! and an item not under review, or one returned in a closed round) and the round is not published;
//! a save records only the cells that differ from the ledger's, as one batch signed by the person
//! (`round_pages::record`); a refused save records nothing and shows the form again with what the
//! person typed.

use std::collections::HashMap;
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
use crate::domain::ident;
use crate::domain::item_id::ItemId;
use crate::domain::people::{ItemReview, RoundStatus};
use crate::domain::period::Period;
use crate::domain::state::State as LedgerState;
use crate::views::sheet;

/// What a row of the form said (the person's input, kept when a save is refused).
#[derive(Debug, Clone, Default)]
struct Input {
    grade: String,
    follow_up: bool,
    remark: String,
}

/// The sheet's form: its fields by name (`csrf`, `action`, `reason`, and per item shown `shown.ID`,
/// `g.ID`, `f.ID`, `r.ID`).
type Fields = Vec<(String, String)>;

/// One row as the page shows it.
struct Row {
    id: ItemId,
    heading: String,
    title: String,
    reference: Option<sheet::Reference>,
    excluded: bool,
    current: Input,
    review: ItemReview,
    editable: bool,
    returned: Option<(String, String)>,
}

/// The sheet of a department at a point, as the ledger has it now.
struct Sheet {
    point: Period,
    department: String,
    status: RoundStatus,
    reference: Option<Period>,
    grades: Vec<String>,
    rows: Vec<Row>,
}

/// The department of `state` at `point` named `name` (compared under NFKC).
fn department(state: &LedgerState, point: Period, name: &str) -> Option<String> {
    sheet::departments(state, point)
        .into_iter()
        .find(|d| ident::same(d, name))
}

/// The item's state at the round in words.
fn review_label(r: &ItemReview, excluded: bool) -> &'static str {
    match () {
        _ if excluded => "対象外",
        _ if r.second => "2次評価で承認済み",
        _ if r.first => "1次評価で承認済み（2次評価待ち）",
        _ if r.submitted => "提出済み（1次評価待ち）",
        _ if r.returned => "差し戻し（要修正）",
        _ if r.reopened => "差し戻し（修正済み・未提出）",
        _ => "未提出",
    }
}

/// Reads the sheet of `name` at `point` for `viewer`: `None` when the point has no round or the
/// department no item there.
fn load(app: &App, point: &str, name: &str, viewer: &str) -> Result<Option<Sheet>, Refusal> {
    let l = &app.ledger;
    let found = l
        .current(|st| -> Option<(Sheet, Vec<ItemId>)> {
            let point = rp::point(st, point)?;
            let round = st.rounds.get(&point)?;
            let department = department(st, point, name)?;
            let view = sheet::sheets(st, point, std::slice::from_ref(&department))
                .into_iter()
                .next()?;
            let mut returned = Vec::new();
            let rows = view
                .rows
                .into_iter()
                .map(|r| {
                    let cell = st.cell(&r.id, point);
                    let review = round.review(&r.id);
                    let probe = Change::RatingRecorded {
                        item: r.id.clone(),
                        period: point,
                        grade: view.grades.first().cloned().unwrap_or_default(),
                    };
                    let editable = !r.excluded
                        && round.status != RoundStatus::Published
                        && st.authorize(viewer, &probe).is_ok();
                    if review.returned || (review.reopened && !review.submitted) {
                        returned.push(r.id.clone());
                    }
                    Row {
                        id: r.id,
                        heading: r.heading,
                        title: r.title,
                        reference: r.reference,
                        excluded: r.excluded,
                        current: Input {
                            grade: cell.rating.unwrap_or_default(),
                            follow_up: cell.follow_up,
                            remark: cell.remark,
                        },
                        review,
                        editable,
                        returned: None,
                    }
                })
                .collect();
            Some((
                Sheet {
                    point,
                    department,
                    status: round.status,
                    reference: view.reference,
                    grades: view.grades,
                    rows,
                },
                returned,
            ))
        })
        .map_err(|e| Refusal::from_error(&e))?;
    let Some((mut sheet, returned)) = found else {
        return Ok(None);
    };
    // The reviewer's reason of each returned item: its last 差し戻し in its history.
    for id in returned {
        let last = l
            .read(|l| l.history(&id, Some(sheet.point)))
            .map_err(|e| Refusal::from_error(&e))?
            .map_err(|e| Refusal::from_error(&e))?
            .into_iter()
            .rev()
            .find(|h| {
                h.field == "review" && h.new.as_str().is_some_and(|v| v.contains("差し戻し"))
            });
        if let (Some(h), Some(row)) = (last, sheet.rows.iter_mut().find(|r| r.id == id)) {
            let stage = h.new.as_str().unwrap_or_default().replace(" 差し戻し", "");
            row.returned = Some((h.reason, format!("{}（{}）", h.author, stage)));
        }
    }
    Ok(Some(sheet))
}

/// The input of the form for row `id`, if the form showed it.
fn input_of(fields: &HashMap<&str, &str>, id: &ItemId) -> Option<Input> {
    let key = |p: &str| format!("{p}.{}", id.as_str());
    fields.get(key("shown").as_str())?;
    Some(Input {
        grade: fields
            .get(key("g").as_str())
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
        follow_up: fields.contains_key(key("f").as_str()),
        remark: fields
            .get(key("r").as_str())
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
    })
}

/// The page of `sheet` for `session`, with the person's `input` in place of the ledger's cells where
/// given.
fn render(
    status: StatusCode,
    sheet: &Sheet,
    session: &Session,
    input: &HashMap<ItemId, Input>,
    reason: &str,
    error: Option<String>,
    notice: Option<&str>,
) -> Response {
    let path = rp::department_path(sheet.point, &sheet.department);
    let rows: Vec<Value> = sheet
        .rows
        .iter()
        .map(|r| {
            let shown = input
                .get(&r.id)
                .filter(|_| r.editable)
                .unwrap_or(&r.current);
            let reference = r.reference.clone().unwrap_or_default();
            context! {
                id => r.id.as_str(),
                heading => &r.heading,
                title => &r.title,
                ref_grade => reference.grade,
                ref_follow_up => reference.follow_up,
                ref_remark => reference.remark,
                grade => &shown.grade,
                follow_up => shown.follow_up,
                remark => &shown.remark,
                excluded => r.excluded,
                editable => r.editable,
                state => review_label(&r.review, r.excluded),
                returned => r.returned.is_some(),
                return_reason => r.returned.as_ref().map(|(reason, _)| reason.clone()),
                return_by => r.returned.as_ref().map(|(_, by)| by.clone()),
            }
        })
        .collect();
    let editable = sheet.rows.iter().any(|r| r.editable);
    page(
        status,
        "sheet.html",
        context! {
            title => format!("{}の評価シート（{}）", sheet.department, sheet.point.label()),
            person => &session.person,
            csrf => &session.csrf,
            point => sheet.point.label(),
            department => &sheet.department,
            round_status => rp::status_ja(sheet.status),
            reference => sheet.reference.map(|p| p.label()),
            grades => &sheet.grades,
            rows => rows,
            editable => editable,
            action => &path,
            download_xlsx => format!("{path}/sheet.xlsx"),
            download_csv => format!("{path}/sheet.csv"),
            upload => format!("{path}/sheet"),
            review => rp::review_path(sheet.point),
            reason => reason,
            error => error,
            notice => notice,
        },
    )
}

/// The query of the page after a save.
#[derive(Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

/// `GET /rounds/{point}/departments/{dept}`.
pub async fn show(
    State(app): State<Arc<App>>,
    Path((point, name)): Path<(String, String)>,
    Query(q): Query<Saved>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let Some(session) = rp::session(&app, &headers) else {
        return Ok(rp::to_signin());
    };
    let a = Arc::clone(&app);
    let who = session.person.clone();
    let sheet = blocking(move || load(&a, &point, &name, &who)).await?;
    let Some(sheet) = sheet else {
        return Ok(not_found(&session));
    };
    let notice = match q.saved.as_deref() {
        Some("draft") => Some("下書きを保存しました。"),
        Some("submitted") => Some("提出しました。課長の1次評価を待ってください。"),
        Some("none") => Some("変更はありませんでした。"),
        _ => None,
    };
    Ok(render(
        StatusCode::OK,
        &sheet,
        &session,
        &HashMap::new(),
        "",
        None,
        notice,
    ))
}

/// The page for a point without a round or a department without items there.
fn not_found(session: &Session) -> Response {
    page(
        StatusCode::NOT_FOUND,
        "message.html",
        context! {
            title => "ページが見つかりません",
            person => &session.person,
            csrf => &session.csrf,
            error => "この時点の評価ラウンドか、この課の取組がありません。トップページから選び直してください。",
        },
    )
}

/// `POST /rounds/{point}/departments/{dept}`: "下書き保存" (`action=draft`) records the changed cells;
/// "提出" (`action=submit`) records them and submits the department, refused (nothing recorded) while
/// an item has no grade.
pub async fn save(
    State(app): State<Arc<App>>,
    Path((point, name)): Path<(String, String)>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Result<Response, Refusal> {
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str());
    let session = match app.signed_in_for_change(&headers, csrf) {
        Ok((_, s)) => s,
        Err(r) if r.kind == "unauthenticated" => return Ok(rp::to_signin()),
        Err(r) => return Ok(refused_page(&r)),
    };
    let a = Arc::clone(&app);
    blocking(move || save_blocking(&a, &point, &name, session, &fields)).await
}

/// A refused request before anything is read (a stale form, another site's page), in Japanese.
fn refused_page(r: &Refusal) -> Response {
    page(
        r.status,
        "message.html",
        context! { title => "送信できませんでした", error => japanese(r) },
    )
}

fn save_blocking(
    app: &Arc<App>,
    point: &str,
    name: &str,
    session: Session,
    fields: &Fields,
) -> Result<Response, Refusal> {
    let Some(sheet) = load(app, point, name, &session.person)? else {
        return Ok(not_found(&session));
    };
    let map: HashMap<&str, &str> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let submit = map.get("action") == Some(&"submit");
    let reason = map.get("reason").map_or("", |s| s.trim()).to_string();
    let input: HashMap<ItemId, Input> = sheet
        .rows
        .iter()
        .filter(|r| r.editable)
        .filter_map(|r| input_of(&map, &r.id).map(|i| (r.id.clone(), i)))
        .collect();
    let refuse = |status: StatusCode, error: String| {
        Ok(render(
            status,
            &sheet,
            &session,
            &input,
            &reason,
            Some(error),
            None,
        ))
    };
    let viewer = app
        .ledger
        .current(|st| Viewer::of(st, &session.person))
        .map_err(|e| Refusal::from_error(&e))?;
    if !sheet.rows.iter().any(|r| r.editable) && !submit {
        return refuse(
            StatusCode::FORBIDDEN,
            "このシートはいま入力できません（提出済み・締切後・ほかの課のシート）。".into(),
        );
    }
    let mut changes = Vec::new();
    for r in sheet.rows.iter().filter(|r| r.editable) {
        let Some(i) = input.get(&r.id) else { continue };
        let (item, period) = (r.id.clone(), sheet.point);
        if i.grade != r.current.grade {
            changes.push(match i.grade.is_empty() {
                true => Change::RatingWithdrawn { item, period },
                false => Change::RatingRecorded {
                    item,
                    period,
                    grade: i.grade.clone(),
                },
            });
        }
        if i.follow_up != r.current.follow_up {
            changes.push(Change::FollowUpSet {
                item: r.id.clone(),
                period,
                flagged: i.follow_up,
            });
        }
        if i.remark != r.current.remark {
            changes.push(Change::RemarkSet {
                item: r.id.clone(),
                period,
                text: i.remark.clone(),
            });
        }
    }
    if submit {
        let missing: Vec<&str> = sheet
            .rows
            .iter()
            .filter(|r| !r.excluded)
            .filter(|r| {
                let grade = input.get(&r.id).filter(|_| r.editable).map(|i| &i.grade);
                grade.unwrap_or(&r.current.grade).is_empty()
            })
            .map(|r| r.id.as_str())
            .collect();
        if !missing.is_empty() {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "評価が選ばれていない取組があります（{}）。評価を選んでから提出してください。",
                    missing.join("、")
                ),
            );
        }
        let own = viewer
            .as_ref()
            .is_some_and(|v| ident::same(&v.department, &sheet.department));
        if !own {
            return refuse(
                StatusCode::FORBIDDEN,
                "この課の取組は、その課の担当者か課長が提出します。".into(),
            );
        }
        changes.push(Change::Submitted {
            period: sheet.point,
            department: sheet.department.clone(),
        });
    } else if changes.is_empty() {
        return Ok(saved(&sheet, "none"));
    }
    let reason = match (reason.is_empty(), submit) {
        (false, _) => reason.clone(),
        (true, false) => "評価の入力".to_string(),
        (true, true) => "評価の提出".to_string(),
    };
    match rp::record(app, &session, &reason, changes) {
        Ok(_) => Ok(saved(&sheet, if submit { "submitted" } else { "draft" })),
        Err(e) => refuse(StatusCode::CONFLICT, e),
    }
}

/// The page again after a save (303, so that reloading it does not save twice).
fn saved(sheet: &Sheet, what: &str) -> Response {
    let to = format!(
        "{}?saved={what}",
        rp::department_path(sheet.point, &sheet.department)
    );
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}
