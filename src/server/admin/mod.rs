//! The administrator's pages: people, their roles and keys (`/admin/people`), the rounds (open,
//! close, publish: `/admin/rounds`) and the plan, read-only (`/admin/plan`).
//!
//! Invariants: every page here is refused (403) to anyone but an administrator of the ledger (their
//! roles read from the ledger at each request); every form that changes anything carries the
//! session's CSRF token and is checked before it is acted on; every change is a signed event of the
//! signed-in person, checked by the ledger's own rules (`State::admit`, `State::authorize`, and again
//! by the append), and reported only once durable; a revocation (a role, a key) and a round's close
//! and publication are recorded only from their confirmation page; an enrolment link is shown once
//! and stored as its hash only (`WebDir::issue`).

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::app::{App, Refusal, blocking};
use super::guard::{
    PageError, changer, form_fields, no_store, point_of, record, refused_page, require, viewer,
    with_state,
};
use super::pages::page;
use super::sessions::Session;
use crate::domain::event::Change;
use crate::domain::people::{Role, RoundStatus};
use crate::domain::period::Period;
use crate::domain::state::{Refused, Rule, State as LedgerState};
use crate::views::round::status_label;

/// How long an enrolment link issued here is valid, in hours (as `hyoka person enrol`'s).
pub const ENROL_HOURS: i64 = 72;

/// The reason given in a form, or `default`.
fn reason_or(given: &str, default: &str) -> String {
    match given.trim() {
        "" => default.to_string(),
        r => r.to_string(),
    }
}

/// A confirmation page: `summary` says what will be done; the form posts `fields` (and
/// `confirm=yes`) to `action`.
fn confirm_page(
    s: &Session,
    title: &str,
    summary: String,
    action: String,
    fields: Vec<(&'static str, String)>,
    button: &str,
    back: &str,
) -> Response {
    let fields: Vec<minijinja::Value> = fields
        .into_iter()
        .map(|(name, value)| context! { name => name, value => value })
        .collect();
    let mut r = page(
        StatusCode::OK,
        "admin_confirm.html",
        context! {
            title => title,
            summary => summary,
            action => action,
            fields => fields,
            button => button,
            back => back,
            person => s.person.clone(),
            csrf => s.csrf.clone(),
        },
    );
    no_store(&mut r);
    r
}

// ---------------------------------------------------------------------------------------------------
// People

#[derive(Serialize)]
struct PersonRow {
    id: String,
    department: String,
    roles: Vec<String>,
    key: String,
    key_current: bool,
    web: bool,
}

#[derive(Serialize)]
struct RoleOption {
    id: &'static str,
    label: &'static str,
}

/// What a people page shows besides the people.
#[derive(Default)]
struct PeopleNote {
    notice: Option<String>,
    error: Option<String>,
    link: Option<String>,
}

async fn people_page(
    app: &Arc<App>,
    s: &Session,
    status: StatusCode,
    note: PeopleNote,
) -> Response {
    let web = app.web.clone();
    let rows = with_state(app, move |st| {
        let Some(people) = &st.people else {
            return Vec::new();
        };
        people
            .people
            .iter()
            .map(|(id, p)| PersonRow {
                id: id.clone(),
                department: p.department.clone(),
                roles: p
                    .roles
                    .iter()
                    .map(|r| format!("{}（{}）", r.label(), r.id()))
                    .collect(),
                key: match &p.vkey {
                    Some(k) => match crate::tlog::note::VerifierKey::parse(k) {
                        Ok(v) => format!("有効（鍵ID {:08x}）", v.key_id()),
                        Err(_) => "有効".to_string(),
                    },
                    None => "失効".to_string(),
                },
                key_current: p.vkey.is_some(),
                web: matches!(web.read_key(id), Ok(Some(_))),
            })
            .collect::<Vec<_>>()
    })
    .await;
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let roles: Vec<RoleOption> = Role::ALL
        .iter()
        .map(|r| RoleOption {
            id: r.id(),
            label: r.label(),
        })
        .collect();
    let mut r = page(
        status,
        "admin_people.html",
        context! {
            title => "人と役割・鍵",
            people => minijinja::value::Serde(&rows),
            roles => minijinja::value::Serde(&roles),
            notice => note.notice,
            error => note.error,
            link => note.link,
            enrol_hours => ENROL_HOURS,
            person => s.person.clone(),
            csrf => s.csrf.clone(),
        },
    );
    no_store(&mut r);
    r
}

/// `GET /admin/people`: the people, their roles and keys, with the forms to manage them.
pub async fn people(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (s, who) = viewer(&app, &headers).await?;
    require(&who, &[Role::Admin])?;
    Ok(people_page(&app, &s, StatusCode::OK, PeopleNote::default()).await)
}

/// The enrolment form of `/admin/people`.
#[derive(Deserialize)]
pub struct EnrolForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    person: String,
}

/// `POST /admin/people/enrol`: a one-time enrolment link for a person, shown once.
pub async fn enrol(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    form: Result<Form<EnrolForm>, FormRejection>,
) -> Result<Response, PageError> {
    let f = form_fields(&app, &headers, form).await?;
    let (s, who) = changer(&app, &headers, &f.csrf).await?;
    require(&who, &[Role::Admin])?;
    let person = f.person.trim().to_string();
    let p = person.clone();
    let has_key = with_state(&app, move |st| {
        st.people
            .as_ref()
            .and_then(|pp| pp.get(&p))
            .map(|x| x.vkey.is_some())
    })
    .await?;
    match has_key {
        Some(true) => {}
        Some(false) => {
            let note = PeopleNote {
                error: Some(format!(
                    "{person} さんの鍵は失効しています。先にコマンドラインで新しい鍵を設定してください（hyoka person key rotate）。"
                )),
                ..PeopleNote::default()
            };
            return Ok(people_page(&app, &s, StatusCode::CONFLICT, note).await);
        }
        None => {
            let note = PeopleNote {
                error: Some("その人は台帳に登録されていません。一覧から選んでください。".into()),
                ..PeopleNote::default()
            };
            return Ok(people_page(&app, &s, StatusCode::BAD_REQUEST, note).await);
        }
    }
    let now = (app.clock)();
    let web = app.web.clone();
    let p = person.clone();
    let token = blocking(move || {
        web.issue(&p, now, now + ENROL_HOURS * 3600 * 1_000_000_000)
            .map_err(|e| {
                tracing::error!("issuing an enrolment link: {e}");
                Refusal::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the server's directory failed",
                )
            })
    })
    .await
    .map_err(|r| PageError::from_refusal(&r))?;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        });
    let scheme = if app.secure { "https" } else { "http" };
    let link = match host {
        Some(h) => format!("{scheme}://{h}/enrol?token={token}"),
        None => format!("/enrol?token={token}"),
    };
    let note = PeopleNote {
        notice: Some(format!(
            "{person} さんの登録リンクを発行しました（{ENROL_HOURS}時間有効、1回限り）。このリンクは今だけ表示されます。本人に安全な方法で渡してください。"
        )),
        link: Some(link),
        ..PeopleNote::default()
    };
    Ok(people_page(&app, &s, StatusCode::OK, note).await)
}

/// The role form of `/admin/people`.
#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /admin/people/roles`: grants a role, or revokes one (from its confirmation page).
pub async fn roles(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    form: Result<Form<RoleForm>, FormRejection>,
) -> Result<Response, PageError> {
    let f = form_fields(&app, &headers, form).await?;
    let (s, who) = changer(&app, &headers, &f.csrf).await?;
    require(&who, &[Role::Admin])?;
    let person = f.person.trim().to_string();
    let bad = |message: &str| PeopleNote {
        error: Some(message.to_string()),
        ..PeopleNote::default()
    };
    let Ok(role) = Role::parse(&f.role) else {
        return Ok(people_page(
            &app,
            &s,
            StatusCode::BAD_REQUEST,
            bad("役割を一覧から選んでください。"),
        )
        .await);
    };
    let grant = match f.action.as_str() {
        "grant" => true,
        "revoke" => false,
        _ => {
            return Ok(people_page(
                &app,
                &s,
                StatusCode::BAD_REQUEST,
                bad("付与するか取り消すかを選んでください。"),
            )
            .await);
        }
    };
    if !grant && f.confirm != "yes" {
        return Ok(confirm_page(
            &s,
            "役割の取消しの確認",
            format!(
                "{person} さんから{}の役割を取り消します。取り消すと、その役割の操作はできなくなります。よろしいですか。",
                role.label()
            ),
            "/admin/people/roles".into(),
            vec![
                ("person", person.clone()),
                ("role", role.id().to_string()),
                ("action", "revoke".into()),
                ("reason", f.reason.clone()),
            ],
            "取り消す",
            "/admin/people",
        ));
    }
    let (change, reason) = match grant {
        true => (
            Change::RoleGranted {
                person: person.clone(),
                role,
            },
            reason_or(&f.reason, "役割の付与"),
        ),
        false => (
            Change::RoleRevoked {
                person: person.clone(),
                role,
            },
            reason_or(&f.reason, "役割の取消し"),
        ),
    };
    let note = match record(&app, &s, reason, None, vec![change]).await {
        Ok(r) => PeopleNote {
            notice: Some(format!(
                "{person} さんの{}の役割を{}ました（記録 #{}）。",
                role.label(),
                if grant { "付与し" } else { "取り消し" },
                r.first_seq
            )),
            ..PeopleNote::default()
        },
        Err(e) => {
            return Ok(people_page(&app, &s, e.status, bad(&e.message)).await);
        }
    };
    Ok(people_page(&app, &s, StatusCode::OK, note).await)
}

/// The key revocation form of `/admin/people`.
#[derive(Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /admin/people/keys/revoke`: revokes a person's key (from its confirmation page); their
/// sessions end.
pub async fn revoke_key(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    form: Result<Form<KeyForm>, FormRejection>,
) -> Result<Response, PageError> {
    let f = form_fields(&app, &headers, form).await?;
    let (s, who) = changer(&app, &headers, &f.csrf).await?;
    require(&who, &[Role::Admin])?;
    let person = f.person.trim().to_string();
    if f.confirm != "yes" {
        return Ok(confirm_page(
            &s,
            "鍵の失効の確認",
            format!(
                "{person} さんの鍵を失効させます。失効させると、新しい鍵が設定されるまで {person} さんは何も記録できず、Web のサインインも使えなくなります。元に戻すことはできません。よろしいですか。"
            ),
            "/admin/people/keys/revoke".into(),
            vec![("person", person.clone()), ("reason", f.reason.clone())],
            "失効させる",
            "/admin/people",
        ));
    }
    let change = Change::KeyRevoked {
        person: person.clone(),
    };
    let note = match record(
        &app,
        &s,
        reason_or(&f.reason, "鍵の失効"),
        None,
        vec![change],
    )
    .await
    {
        Ok(r) => {
            app.sessions.remove_person(&person);
            PeopleNote {
                notice: Some(format!(
                    "{person} さんの鍵を失効させました（記録 #{}）。",
                    r.first_seq
                )),
                ..PeopleNote::default()
            }
        }
        Err(e) => {
            let note = PeopleNote {
                error: Some(e.message),
                ..PeopleNote::default()
            };
            return Ok(people_page(&app, &s, e.status, note).await);
        }
    };
    Ok(people_page(&app, &s, StatusCode::OK, note).await)
}

// ---------------------------------------------------------------------------------------------------
// Rounds

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
    let f = form_fields(&app, &headers, form).await?;
    let (s, who) = changer(&app, &headers, &f.csrf).await?;
    require(&who, &[Role::Admin])?;
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
        Err(e) => Ok(rounds_page(&app, &s, e.status, again(e.message)).await),
    }
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
    let f = form_fields(&app, &headers, form).await?;
    let (s, who) = changer(&app, &headers, &f.csrf).await?;
    require(&who, &[Role::Admin])?;
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
    match record(&app, &s, reason, None, vec![Change::RoundClosed { period }]).await {
        Ok(r) => {
            let note = RoundsNote {
                notice: Some(format!(
                    "{}の評価ラウンドを締め切りました（記録 #{}）。",
                    period.label(),
                    r.first_seq
                )),
                ..RoundsNote::default()
            };
            Ok(rounds_page(&app, &s, StatusCode::OK, note).await)
        }
        Err(e) => {
            let note = RoundsNote {
                error: Some(e.message),
                ..RoundsNote::default()
            };
            Ok(rounds_page(&app, &s, e.status, note).await)
        }
    }
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
    let f = form_fields(&app, &headers, form).await?;
    let (s, who) = changer(&app, &headers, &f.csrf).await?;
    require(&who, &[Role::Admin])?;
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
    let mut changes = Vec::new();
    if pv.open {
        changes.push(Change::RoundClosed { period });
    }
    changes.push(Change::RoundPublished {
        period,
        table_sha256: pv.digest,
    });
    let reason = reason_or(&f.reason, "評価結果の公表");
    match record(&app, &s, reason, None, changes).await {
        Ok(r) => {
            let note = RoundsNote {
                notice: Some(format!(
                    "{}の評価結果を公表しました（記録 #{}、表の SHA-256 {digest}）。",
                    period.label(),
                    r.first_seq + r.count - 1
                )),
                ..RoundsNote::default()
            };
            Ok(rounds_page(&app, &s, StatusCode::OK, note).await)
        }
        Err(e) => {
            let note = RoundsNote {
                error: Some(e.message),
                ..RoundsNote::default()
            };
            Ok(rounds_page(&app, &s, e.status, note).await)
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// The plan

#[derive(Serialize)]
struct PlanItem {
    id: String,
    title: String,
    department: String,
    note: String,
}

#[derive(Serialize)]
struct Heading {
    name: String,
    items: Vec<PlanItem>,
}

/// `GET /admin/plan`: the plan, read-only: its scale, headings, items and their departments.
pub async fn plan(State(app): State<Arc<App>>, headers: HeaderMap) -> Result<Response, PageError> {
    let (s, who) = viewer(&app, &headers).await?;
    require(&who, &[Role::Admin])?;
    let (name, origin, grades, cadence, headings, departments) = with_state(&app, |st| {
        let plan = st.plan.clone();
        let mut headings: Vec<Heading> = st
            .categories
            .iter()
            .map(|c| Heading {
                name: c.clone(),
                items: Vec::new(),
            })
            .collect();
        let mut departments: Vec<String> = Vec::new();
        for item in st.items_in_order() {
            let mut notes = Vec::new();
            if item.withdrawn {
                notes.push("取り下げ".to_string());
            }
            if let Some(from) = item.from {
                notes.push(format!("{}から", from.label()));
            }
            if let Some((into, at)) = &item.merged {
                notes.push(format!("{}から項目 {into} に集約", at.label()));
            }
            if let Some(n) = &item.relisting_of {
                notes.push(format!("No.{n}の再掲"));
            }
            if !item.withdrawn
                && !departments
                    .iter()
                    .any(|d| crate::domain::ident::same(d, &item.department))
            {
                departments.push(item.department.clone());
            }
            let row = PlanItem {
                id: item.id.to_string(),
                title: item.title.clone(),
                department: item.department.clone(),
                note: notes.join("、"),
            };
            match headings.iter_mut().find(|h| h.name == item.category) {
                Some(h) => h.items.push(row),
                None => headings.push(Heading {
                    name: item.category.clone(),
                    items: vec![row],
                }),
            }
        }
        (
            plan.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
            plan.as_ref().map(|p| p.origin.clone()).unwrap_or_default(),
            plan.as_ref().map(|p| p.grades.clone()).unwrap_or_default(),
            plan.as_ref().map(|p| p.cadence.label()).unwrap_or_default(),
            headings,
            departments,
        )
    })
    .await?;
    Ok(page(
        StatusCode::OK,
        "admin_plan.html",
        context! {
            title => "計画",
            plan => name,
            origin => origin,
            grades => grades,
            cadence => cadence,
            headings => minijinja::value::Serde(&headings),
            departments => departments,
            person => s.person.clone(),
            csrf => s.csrf.clone(),
        },
    ))
}

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
