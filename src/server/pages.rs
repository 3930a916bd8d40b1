//! The pages, in Japanese, made from the templates in `templates/` (minijinja, HTML auto-escaped: every
//! value reaches the page escaped); they work without JavaScript and load nothing from elsewhere.
//! The server's words live in the templates and in this file's Japanese messages.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Environment, context};
use serde::Deserialize;

use super::app::{App, Refusal, blocking};

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut e = Environment::new();
        for (name, text) in [
            ("base.html", include_str!("templates/base.html")),
            ("home.html", include_str!("templates/home.html")),
            ("signin.html", include_str!("templates/signin.html")),
            ("enrol.html", include_str!("templates/enrol.html")),
            ("admin_nav.html", include_str!("templates/admin_nav.html")),
            (
                "admin_refused.html",
                include_str!("templates/admin_refused.html"),
            ),
            (
                "admin_confirm.html",
                include_str!("templates/admin_confirm.html"),
            ),
            (
                "admin_people.html",
                include_str!("templates/admin_people.html"),
            ),
            (
                "admin_rounds.html",
                include_str!("templates/admin_rounds.html"),
            ),
            (
                "admin_publish.html",
                include_str!("templates/admin_publish.html"),
            ),
            ("admin_plan.html", include_str!("templates/admin_plan.html")),
            ("tracker.html", include_str!("templates/tracker.html")),
            (
                "sheet_upload.html",
                include_str!("templates/sheet_upload.html"),
            ),
            ("message.html", include_str!("templates/message.html")),
            ("sheet.html", include_str!("templates/sheet.html")),
            ("review.html", include_str!("templates/review.html")),
        ] {
            if let Err(err) = e.add_template(name, text) {
                tracing::error!("template {name}: {err}");
            }
        }
        e
    })
}

/// A page from template `name` with `ctx`, with `status`.
pub(crate) fn page(status: StatusCode, name: &str, ctx: minijinja::Value) -> Response {
    match env().get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!("rendering {name}: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// The message of a refusal on a page, in Japanese.
pub(crate) fn japanese(r: &Refusal) -> String {
    match r.kind {
        "unauthenticated" => "サインインしてください。".into(),
        "csrf" => "このフォームは古いか、ほかのサイトから送られました。ページを開き直してください。".into(),
        "sign_in_failed" => "職員IDかパスワードが違います。".into(),
        "rate_limited" => "サインインの失敗が続いたため、しばらく受け付けません。15分後にやり直してください。".into(),
        "enrol_token" => "この登録リンクは無効です（使用済み・期限切れ・不明）。管理者に新しいリンクを依頼してください。".into(),
        "password" if r.message.contains("differ") => "2つのパスワードが一致しません。".into(),
        "password" => "パスワードは10文字以上にしてください。".into(),
        "key" => "署名鍵が正しくないか、台帳に登録されたこの人の現在の鍵ではありません。".into(),
        "busy" => "サインインが混み合っています。数秒待ってからやり直してください。".into(),
        _ => format!("処理できませんでした（{}）。", r.kind),
    }
}

/// `GET /`: the plan and the rounds published (for everyone: each round whose publication the last
/// signed checkpoint covers, linked to its table); for a signed-in person also every round and what
/// they have to do.
pub async fn home(State(app): State<Arc<App>>, headers: HeaderMap) -> Result<Response, Refusal> {
    let session = app.session(&headers).map(|(_, s)| s);
    let l = Arc::clone(&app.ledger);
    let who = session.as_ref().map(|s| s.person.clone());
    let (plan, rounds, links, published) = blocking(move || {
        let published = l
            .read(|ledger| -> crate::error::Result<Vec<minijinja::Value>> {
                let Some((cp, _)) = crate::evidence::transparency::last_signed(ledger.dir())?
                else {
                    return Ok(Vec::new());
                };
                let rounds = crate::publish::item::published_rounds(ledger, cp.size)?;
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
