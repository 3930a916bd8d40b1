//! The staff pages, in Japanese, made from the templates in `templates/` (minijinja, HTML
//! auto-escaped: every value reaches the page escaped), and the Japanese words of the server's own
//! refusals (session, CSRF, sign-in). Every signed-in page renders through [`page`]; this file imports
//! nothing of the server but `app.rs`, so any page may use it.

use std::sync::OnceLock;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::Environment;

use super::app::Refusal;

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
