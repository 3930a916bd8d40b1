//! The administrator's page of people: their roles and keys (`/admin/people`), enrolment links, a
//! role granted or revoked, a key revoked.

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::super::app::{App, Refusal, blocking};
use super::super::guard::{PageError, no_store, record, require, viewer, with_state};
use super::super::guard::{WithCsrf, acting};
use super::super::render::page;
use super::super::sessions::Session;
use super::{ENROL_HOURS, confirm_page, reason_or};
use crate::domain::event::Change;
use crate::domain::people::Role;

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
    let (f, s, _) = acting(&app, &headers, form, &[Role::Admin]).await?;
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
    let (f, s, _) = acting(&app, &headers, form, &[Role::Admin]).await?;
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
    let (f, s, _) = acting(&app, &headers, form, &[Role::Admin]).await?;
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

with_csrf!(EnrolForm, KeyForm, RoleForm);
