//! The signed-in person's home page, sign-in, sign-out and enrolment (rendered by `render.rs`); they
//! work without JavaScript and load nothing from elsewhere.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use super::app::{App, Refusal, blocking};
use super::render::{japanese, page};

/// `GET /`: the plan and the rounds published (for everyone: each round whose publication the last
/// signed checkpoint covers, linked to its table); for a signed-in person also every round and what
/// they have to do.
pub async fn home(State(app): State<Arc<App>>, headers: HeaderMap) -> Result<Response, Refusal> {
    let session = app.session(&headers).map(|(_, s)| s);
    let l = Arc::clone(&app.ledger);
    let a = Arc::clone(&app);
    let who = session.as_ref().map(|s| s.person.clone());
    let (plan, rounds, links, published) = blocking(move || {
        let published = l
            .read(|ledger| -> crate::error::Result<Vec<minijinja::Value>> {
                let Some((cp, _)) = crate::evidence::transparency::last_signed(ledger.dir())?
                else {
                    return Ok(Vec::new());
                };
                let rounds = a.published.up_to(ledger, cp.size)?;
                Ok(rounds
                    .iter()
                    .rev()
                    .map(|r| {
                        context! {
                            label => r.point.label(),
                            id => r.point.id(),
                            href => format!("/rounds/{}", r.point.id()),
                            at => crate::publish::text_japan(r.recorded_at),
                        }
                    })
                    .collect())
            })
            .and_then(|x| x)
            .map_err(|e| Refusal::from_error(&e))?;
        l.current(|s| {
            let links = who
                .and_then(|w| super::round_pages::Viewer::of(s, &w))
                .map(|v| links_for(s, &v))
                .unwrap_or_default();
            let plan = s.plan.as_ref().map(|p| p.name.clone()).unwrap_or_default();
            let rounds: Vec<minijinja::Value> = s
                .rounds
                .iter()
                .map(|(p, r)| {
                    context! {
                        label => p.label(),
                        status => crate::views::round::status_label(r.status),
                        due => r.due.clone(),
                    }
                })
                .collect();
            (plan, rounds, links, published)
        })
        .map_err(|e| Refusal::from_error(&e))
    })
    .await?;
    Ok(page(
        StatusCode::OK,
        "home.html",
        context! {
            title => "評価台帳",
            plan => plan,
            rounds => rounds,
            published => published,
            links => links,
            person => session.as_ref().map(|s| s.person.clone()),
            csrf => session.as_ref().map(|s| s.csrf.clone()),
        },
    ))
}

/// The links of the signed-in person's home page: for each round under way, their department's
/// sheet (staff and heads) and the review page (heads, 行革本部, the committee).
fn links_for(
    s: &crate::domain::state::State,
    v: &super::round_pages::Viewer,
) -> Vec<minijinja::Value> {
    use super::round_pages as rp;
    use crate::domain::people::{Role, RoundStatus};
    let mut out = Vec::new();
    for (point, round) in &s.rounds {
        if round.status == RoundStatus::Published {
            continue;
        }
        let own = crate::views::sheet::departments(s, *point)
            .into_iter()
            .find(|d| crate::domain::ident::same(d, &v.department));
        if let Some(d) = own.filter(|_| v.has(Role::Staff) || v.has(Role::Head)) {
            out.push(context! {
                href => rp::department_path(*point, &d),
                text => format!("{d}の評価シート（{}）", point.label()),
            });
        }
        if v.has(Role::Head) || v.has(Role::Hq) || v.has(Role::Committee) {
            out.push(context! {
                href => rp::review_path(*point),
                text => format!("{}の審査・意見", point.label()),
            });
        }
    }
    out
}

/// `GET /signin`.
pub async fn signin_form() -> Response {
    page(
        StatusCode::OK,
        "signin.html",
        context! { title => "サインイン" },
    )
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct SignInForm {
    person: String,
    password: String,
}

/// `POST /signin`: a session, then the home page; else the form again with what was wrong.
pub async fn signin(
    State(app): State<Arc<App>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<SignInForm>,
) -> Response {
    if let Err(r) = super::app::same_site(&headers) {
        return page(
            r.status,
            "signin.html",
            context! { title => "サインイン", error => japanese(&r) },
        );
    }
    let a = Arc::clone(&app);
    let who = f.person.clone();
    match blocking(move || super::auth::sign_in(&a, &f.person, &f.password, client.ip())).await {
        Ok((id, _)) => (
            StatusCode::SEE_OTHER,
            [
                (header::SET_COOKIE, app.cookie_for(&id)),
                (header::LOCATION, "/".to_string()),
            ],
        )
            .into_response(),
        Err(r) => {
            let mut res = page(
                r.status,
                "signin.html",
                context! { title => "サインイン", error => japanese(&r), who => who },
            );
            super::app::retry_after(&mut res);
            res
        }
    }
}

/// A form that carries only its CSRF token.
#[derive(Deserialize)]
pub struct TokenForm {
    csrf: String,
}

/// `POST /signout`.
pub async fn signout(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(f): Form<TokenForm>,
) -> Result<Response, Refusal> {
    let (id, _) = app.signed_in_for_change(&headers, Some(&f.csrf))?;
    app.sessions.remove(&id);
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, app.cookie_cleared()),
            (header::LOCATION, "/".to_string()),
        ],
    )
        .into_response())
}

/// The enrolment link's query.
#[derive(Deserialize)]
pub struct EnrolQuery {
    token: String,
}

/// `GET /enrol?token=…`: the enrolment form of the link's person.
pub async fn enrol_form(State(app): State<Arc<App>>, Query(q): Query<EnrolQuery>) -> Response {
    let now = (app.clock)();
    match app.web.peek(&q.token, now) {
        Ok(Some(person)) => page(
            StatusCode::OK,
            "enrol.html",
            context! { title => "Web サインインの登録", enrolee => person, token => q.token },
        ),
        _ => page(
            StatusCode::NOT_FOUND,
            "enrol.html",
            context! {
                title => "Web サインインの登録",
                error => "この登録リンクは無効です（使用済み・期限切れ・不明）。管理者に新しいリンクを依頼してください。",
            },
        ),
    }
}

/// The enrolment form.
#[derive(Deserialize)]
pub struct EnrolForm {
    token: String,
    key: String,
    password: String,
    again: String,
}

/// `POST /enrol`: the key wrapped and stored; then the sign-in page.
pub async fn enrol(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(f): Form<EnrolForm>,
) -> Response {
    let title = "Web サインインの登録";
    if let Err(r) = super::app::same_site(&headers) {
        return page(
            r.status,
            "enrol.html",
            context! { title => title, error => japanese(&r) },
        );
    }
    let a = Arc::clone(&app);
    let token = f.token.clone();
    match blocking(move || super::auth::enrol(&a, &f.token, &f.key, &f.password, &f.again)).await {
        Ok(person) => page(
            StatusCode::OK,
            "signin.html",
            context! {
                title => "サインイン",
                notice => format!("{person} さんを登録しました。パスワードでサインインしてください。"),
                who => person,
            },
        ),
        Err(r) => {
            let enrolee = app.web.peek(&token, (app.clock)()).ok().flatten();
            page(
                r.status,
                "enrol.html",
                context! { title => title, error => japanese(&r), enrolee => enrolee, token => token },
            )
        }
    }
}

/// `GET /assets/hyoka.css`.
pub async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("templates/hyoka.css"),
    )
        .into_response()
}
