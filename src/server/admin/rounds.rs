//! The administrator's page of rounds (`/admin/rounds`): a round opened, closed (from its
//! confirmation page) and published (from the page that shows what will be published).

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::super::app::{App, blocking};
use super::super::guard::{
    PageError, no_store, point_of, record, refused_page, require, viewer, with_state,
};
use super::super::guard::{WithCsrf, acting};
use super::super::render::page;
use super::super::sessions::Session;
use super::{confirm_page, reason_or};
use crate::domain::event::Change;
use crate::domain::people::{Role, RoundStatus};
use crate::domain::period::Period;
use crate::domain::state::{Refused, Rule, State as LedgerState};
use crate::views::round::status_label;

#[derive(Serialize)]
struct RoundRow {
    id: String,
    label: String,
    status: &'static str,
    due: String,
    digest: Option<String>,
    open: bool,
    publishable: bool,
}

/// What the rounds page shows besides the rounds: a notice or an error, and the open form's input.
#[derive(Default)]
struct RoundsNote {
    notice: Option<String>,
    error: Option<String>,
    point: String,
    due: String,
}

async fn rounds_page(
    app: &Arc<App>,
    s: &Session,
    status: StatusCode,
    note: RoundsNote,
) -> Response {
    let rows = with_state(app, |st| {
        st.rounds
            .iter()
            .map(|(p, r)| RoundRow {
                id: p.id(),
                label: p.label(),
                status: status_label(r.status),
                due: r.due.clone(),
                digest: r.published.map(hex::encode),
                open: r.status == RoundStatus::Open,
                publishable: r.status != RoundStatus::Published,
            })
            .collect::<Vec<_>>()
    })
    .await;
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let mut r = page(
        status,
        "admin_rounds.html",
        context! {
            title => "評価ラウンドの管理",
            rounds => minijinja::value::Serde(&rows),
            notice => note.notice,
            error => note.error,
            point => note.point,
            due => note.due,
            person => s.person.clone(),
            csrf => s.csrf.clone(),
        },
    );
    no_store(&mut r);
    r
}

/// `GET /admin/rounds`: the rounds, with the forms to open, close and publish.
pub async fn rounds(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (s, who) = viewer(&app, &headers).await?;
    require(&who, &[Role::Admin])?;
    Ok(rounds_page(&app, &s, StatusCode::OK, RoundsNote::default()).await)
}

/// The form that opens a round.
#[derive(Deserialize)]
pub struct OpenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    point: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    reason: String,
}

/// A due date as people write it (2021-04-30, 2021/4/30, 令和3年4月30日): the day in Japan time.
fn due_date(s: &str) -> Option<String> {
    use crate::domain::when;
    let ns = when::parse_instant_in(s.trim(), &when::Zone::japan()).ok()?;
    Some(crate::views::round::jst_date(ns)).filter(|d| !d.is_empty())
}

/// `POST /admin/rounds/open`: opens the round of a point with its due date.
pub async fn open_round(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    form: Result<Form<OpenForm>, FormRejection>,
) -> Result<Response, PageError> {
    let (f, s, _) = acting(&app, &headers, form, &[Role::Admin]).await?;
    let again = |error: String| RoundsNote {
        error: Some(error),
        point: f.point.clone(),
        due: f.due.clone(),
        ..RoundsNote::default()
    };
    let given = f.point.clone();
    let period = match with_state(&app, move |st| point_of(st, &given)).await? {
        Ok(p) => p,
        Err(e) => return Ok(rounds_page(&app, &s, e.status, again(e.message)).await),
    };
    let Some(due) = due_date(&f.due) else {
        let e = "提出期限を日付で入れてください（例: 2021-04-30、令和3年4月30日）。".to_string();
        return Ok(rounds_page(&app, &s, StatusCode::BAD_REQUEST, again(e)).await);
    };
    let change = Change::RoundOpened {
        period,
        due: due.clone(),
    };
    let reason = reason_or(&f.reason, "評価ラウンドの開始");
    match record(&app, &s, reason, None, vec![change]).await {
        Ok(r) => {
            let note = RoundsNote {
                notice: Some(format!(
                    "{}の評価ラウンドを開始しました（提出期限 {due}、記録 #{}）。",
                    period.label(),
                    r.first_seq
                )),
                ..RoundsNote::default()
            };
            Ok(rounds_page(&app, &s, StatusCode::OK, note).await)
        }
        // Refused: the form again, with what was typed.
        Err(e) => Ok(rounds_page(&app, &s, e.status, again(e.message)).await),
    }
}

/// The rounds page after an action: its notice (`said` of what was done) or its refusal.
async fn answered<T>(
    app: &Arc<App>,
    s: &Session,
    done: Result<T, PageError>,
    said: impl FnOnce(T) -> String,
) -> Response {
    let (status, note) = match done {
        Ok(t) => (
            StatusCode::OK,
            RoundsNote {
                notice: Some(said(t)),
                ..RoundsNote::default()
            },
        ),
        Err(e) => (
            e.status,
            RoundsNote {
                error: Some(e.message),
                ..RoundsNote::default()
            },
        ),
    };
    rounds_page(app, s, status, note).await
}

/// The forms that close or publish a round.
#[derive(Deserialize)]
pub struct RoundForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    sha256: String,
}

/// `POST /admin/rounds/{point}/close`: closes a round (from its confirmation page).
pub async fn close_round(
    State(app): State<Arc<App>>,
    Path(point): Path<String>,
    headers: HeaderMap,
    form: Result<Form<RoundForm>, FormRejection>,
) -> Result<Response, PageError> {
    let (f, s, _) = acting(&app, &headers, form, &[Role::Admin]).await?;
    let period = with_state(&app, move |st| point_of(st, &point)).await??;
    if f.confirm != "yes" {
        return Ok(confirm_page(
            &s,
            "評価ラウンドの締切の確認",
            format!(
                "{}の評価ラウンドを締め切ります。締め切ると、差し戻された項目のほかは評価を記録できなくなります。よろしいですか。",
                period.label()
            ),
            format!("/admin/rounds/{}/close", period.id()),
            vec![("reason", f.reason.clone())],
            "締め切る",
            "/admin/rounds",
        ));
    }
    let reason = reason_or(&f.reason, "評価ラウンドの締切");
    let done = record(&app, &s, reason, None, vec![Change::RoundClosed { period }]).await;
    Ok(answered(&app, &s, done, |r| {
        format!(
            "{}の評価ラウンドを締め切りました（記録 #{}）。",
            period.label(),
            r.first_seq
        )
    })
    .await)
}

#[derive(Serialize)]
struct GradeCount {
    grade: String,
    count: usize,
}

/// What publishing the round of a point would publish: counts per grade (with 対象外 and 未評価),
/// the items that keep it from being published, the table's SHA-256, and whether it is open.
struct Preview {
    counts: Vec<GradeCount>,
    items: usize,
    pending: Vec<String>,
    digest: [u8; 32],
    open: bool,
    published: bool,
}

fn preview(st: &LedgerState, period: Period) -> Option<Preview> {
    let round = st.rounds.get(&period)?;
    let grades = st
        .plan
        .as_ref()
        .map(|p| p.grades.clone())
        .unwrap_or_default();
    let mut counts: Vec<GradeCount> = grades
        .iter()
        .map(|g| GradeCount {
            grade: g.clone(),
            count: 0,
        })
        .collect();
    let (mut excluded, mut unrated, mut items) = (0, 0, 0);
    let mut pending = Vec::new();
    for item in st.items_in_order() {
        if !item.in_plan_at(period) {
            continue;
        }
        items += 1;
        let is_excluded = st.is_excluded(&item.id, period);
        let rating = st.rating(&item.id, period);
        match (rating, is_excluded) {
            (Some(g), _) => match counts.iter_mut().find(|c| c.grade == g) {
                Some(c) => c.count += 1,
                None => counts.push(GradeCount {
                    grade: g.to_string(),
                    count: 1,
                }),
            },
            (None, true) => excluded += 1,
            (None, false) => unrated += 1,
        }
        if !(is_excluded || rating.is_some() && round.review(&item.id).second) {
            pending.push(item.id.to_string());
        }
    }
    counts.push(GradeCount {
        grade: crate::views::NOT_EVALUATED.to_string(),
        count: excluded,
    });
    counts.push(GradeCount {
        grade: "未評価".into(),
        count: unrated,
    });
    Some(Preview {
        counts,
        items,
        pending,
        digest: st.published_table_sha256(period),
        open: round.status == RoundStatus::Open,
        published: round.status == RoundStatus::Published,
    })
}

/// `POST /admin/rounds/{point}/publish`: without `confirm`, the confirmation page (what will be
/// published: counts per grade and the table's SHA-256); with it and the digest confirmed, the
/// round is closed (if open) and published in one batch.
pub async fn publish_round(
    State(app): State<Arc<App>>,
    Path(point): Path<String>,
    headers: HeaderMap,
    form: Result<Form<RoundForm>, FormRejection>,
) -> Result<Response, PageError> {
    let (f, s, _) = acting(&app, &headers, form, &[Role::Admin]).await?;
    let (period, preview) = with_state(&app, move |st| {
        point_of(st, &point).map(|p| (p, preview(st, p)))
    })
    .await??;
    let Some(pv) = preview else {
        return Err(PageError::new(
            StatusCode::NOT_FOUND,
            format!(
                "{}の評価ラウンドはありません。先に評価ラウンドを開始してください。",
                period.label()
            ),
        ));
    };
    if pv.published {
        return Err(refused_page(&Refused::Rule(Rule::AlreadyPublished {
            period: period.label(),
        })));
    }
    let digest = hex::encode(pv.digest);
    if f.confirm != "yes" {
        let mut r = page(
            StatusCode::OK,
            "admin_publish.html",
            context! {
                title => "評価結果の公表の確認",
                label => period.label(),
                id => period.id(),
                counts => minijinja::value::Serde(&pv.counts),
                items => pv.items,
                pending => pv.pending,
                digest => digest,
                open => pv.open,
                reason => f.reason,
                person => s.person.clone(),
                csrf => s.csrf.clone(),
            },
        );
        no_store(&mut r);
        return Ok(r);
    }
    if f.sha256 != digest {
        return Err(PageError::new(
            StatusCode::CONFLICT,
            format!(
                "確認したときから{}の表が変わりました。確認画面を開き直して、公表する内容を確かめてください。",
                period.label()
            ),
        ));
    }
    let reason = reason_or(&f.reason, "評価結果の公表");
    let (a, who) = (Arc::clone(&app), s.clone());
    let published = blocking(move || {
        Ok(super::super::publishing::publish(
            &a,
            &who,
            period,
            &reason,
            Some(pv.digest),
        ))
    })
    .await
    .map_err(|r| PageError::from_refusal(&r))?;
    let done = published.map_err(|f| publish_failure_page(period, &f));
    Ok(answered(&app, &s, done, |p| {
        format!(
            "{}の評価結果を公表しました（記録 #{}、表の SHA-256 {digest}）。ログ鍵でチェックポイント（{}件）に署名し、市民向けのページ /rounds/{} で公開しています。",
            period.label(),
            p.receipt.first_seq + p.receipt.count - 1,
            p.checkpoint_size,
            period.id()
        )
    })
    .await)
}

/// Why a round was not published, as a page (nothing recorded, except where it says so).
fn publish_failure_page(period: Period, f: &super::super::publishing::Failure) -> PageError {
    use super::super::publishing::Failure;
    use crate::publish::round::NotPublishable;
    match f {
        Failure::Not(NotPublishable::NoRound) => PageError::new(
            StatusCode::NOT_FOUND,
            format!(
                "{}の評価ラウンドはありません。先に評価ラウンドを開始してください。",
                period.label()
            ),
        ),
        Failure::Not(NotPublishable::NoLogKey) => PageError::new(
            StatusCode::CONFLICT,
            "公表では台帳のログ鍵でチェックポイントに署名しますが、このサーバーはログ鍵を持っていないため公表できません（何も記録していません）。サーバーの管理者に、ログ鍵を持たせてサーバーを起動し直すよう依頼してください（台帳ディレクトリの隣の「台帳名.log-key」に置くか、--log-key で指定します）。",
        ),
        Failure::Not(NotPublishable::OtherLogKey) => PageError::new(
            StatusCode::CONFLICT,
            "このサーバーが持つログ鍵は、この台帳の職員の登録を始めたときのログ鍵ではないため公表できません（何も記録していません）。サーバーの管理者に、台帳のログ鍵でサーバーを起動し直すよう依頼してください。",
        ),
        Failure::Changed => PageError::new(
            StatusCode::CONFLICT,
            format!(
                "確認したときから{}の表が変わりました。確認画面を開き直して、公表する内容を確かめてください。",
                period.label()
            ),
        ),
        Failure::Refused { refused, .. } => refused_page(refused),
        Failure::Ledger(e) => super::super::guard::error_page(e),
        Failure::NotSigned { seq, error } => {
            tracing::error!(
                "the publication (#{seq}) is recorded, its checkpoint not signed: {error}"
            );
            PageError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!(
                    "{}の公表は記録しました（記録 #{seq}）が、チェックポイントに署名できませんでした。サーバーの管理者に連絡してください（サーバーを止めてからログ鍵でチェックポイントに署名できます）。",
                    period.label()
                ),
            )
        }
    }
}

with_csrf!(OpenForm, RoundForm);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_dates_are_read_as_people_write_them() {
        assert_eq!(due_date("2021-04-30").as_deref(), Some("2021-04-30"));
        assert_eq!(due_date("令和3年4月30日").as_deref(), Some("2021-04-30"));
        assert_eq!(due_date("あした"), None);
    }
}
