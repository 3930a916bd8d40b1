//! What the pages of a signed-in person share: the person of a page request and the check of their
//! roles (read from the ledger at each request), the check of a form that changes something (its
//! session, CSRF token and `Origin`, before anything else), a refusal as a Japanese page with what to
//! do next, and recording changes as that person (checked by the ledger's rules, answered once
//! durable).

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;

use super::app::{App, Refusal, blocking};
pub use super::refusals::refused_ja;
use super::refusals::roles_ja;
use super::render::{japanese, page};
use super::sessions::Session;
use crate::domain::event::{Change, Source};
use crate::domain::people::{PersonState, Role};
use crate::domain::period::Period;
use crate::domain::state::{Refused, Rule, State as LedgerState};
use crate::ledger::Receipt;

const SIGN_IN_FIRST: &str =
    "サインインしてください。サインインのページから職員IDとパスワードで入れます。";

/// A refusal shown as a page: its status and one Japanese sentence saying what to do next.
#[derive(Debug)]
pub struct PageError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What is wrong and what to do, in Japanese.
    pub message: String,
}

impl PageError {
    /// A refusal.
    pub fn new(status: StatusCode, message: impl Into<String>) -> PageError {
        PageError {
            status,
            message: message.into(),
        }
    }

    /// A refusal of the server's checks (session, CSRF, `Origin`) or of a library error.
    pub fn from_refusal(r: &Refusal) -> PageError {
        let message = match r.kind {
            "unauthenticated" => SIGN_IN_FIRST.to_string(),
            "csrf" | "busy" | "rate_limited" | "sign_in_failed" => japanese(r),
            "not_found" | "no_round" | "not_published" => {
                "お探しのページや評価ラウンドは見つかりません。".to_string()
            }
            _ if r.status == StatusCode::SERVICE_UNAVAILABLE => BUSY.to_string(),
            _ if r.status == StatusCode::BAD_REQUEST => {
                "送られた内容を読めません。ページを開き直して、入力を確かめてからやり直してください。"
                    .to_string()
            }
            _ => FAILED.to_string(),
        };
        PageError::new(r.status, message)
    }
}

const BUSY: &str = "台帳が混み合っています。少し待ってからやり直してください。";
const FAILED: &str = "台帳に書き込めませんでした。時間をおいてやり直し、続くときはサーバーの管理者に連絡してください。";

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let signin = self.status == StatusCode::UNAUTHORIZED;
        let mut r = page(
            self.status,
            "admin_refused.html",
            context! { title => "処理できませんでした", error => self.message, signin => signin },
        );
        super::app::retry_after(&mut r);
        r
    }
}

/// A library error as a page: a refusal by the ledger's rules in Japanese (403 for a person's lack
/// of a role or another department's item, else 409), a busy ledger (503), anything else logged
/// (500).
pub fn error_page(e: &crate::error::Error) -> PageError {
    use crate::error::Error;
    match e {
        Error::Refused(r) | Error::RefusedAt { refused: r, .. } => refused_page(r),
        Error::Busy(..) | Error::Unsettled(_) => {
            PageError::new(StatusCode::SERVICE_UNAVAILABLE, BUSY)
        }
        _ => {
            tracing::error!("{e}");
            PageError::new(StatusCode::INTERNAL_SERVER_ERROR, FAILED)
        }
    }
}

/// A refusal by the ledger's rules as a page (see [`error_page`]).
pub fn refused_page(r: &Refused) -> PageError {
    let status = match r {
        Refused::Rule(
            Rule::NeedsRole { .. }
            | Rule::OtherDepartment { .. }
            | Rule::SubmitOther { .. }
            | Rule::NotAPerson { .. }
            | Rule::NoKey { .. },
        ) => StatusCode::FORBIDDEN,
        _ => StatusCode::CONFLICT,
    };
    PageError::new(status, refused_ja(r))
}

/// The person of a live session, still registered with a current key.
async fn person_state(app: &Arc<App>, person: &str) -> Result<PersonState, PageError> {
    let l = Arc::clone(&app.ledger);
    let p = person.to_string();
    let found = blocking(move || {
        l.current(|st| st.people.as_ref().and_then(|pp| pp.get(&p)).cloned())
            .map_err(|e| Refusal::from_error(&e))
    })
    .await
    .map_err(|r| PageError::from_refusal(&r))?;
    found.filter(|p| p.vkey.is_some()).ok_or_else(|| {
        PageError::new(
            StatusCode::FORBIDDEN,
            "この人は台帳に登録されていないか、鍵が失効しています。管理者に相談してください。",
        )
    })
}

/// The signed-in person of a page request (401 without a session) and their state in the ledger.
pub async fn viewer(
    app: &Arc<App>,
    headers: &HeaderMap,
) -> Result<(Session, PersonState), PageError> {
    let (_, s) = app
        .session(headers)
        .ok_or_else(|| PageError::new(StatusCode::UNAUTHORIZED, SIGN_IN_FIRST))?;
    let who = person_state(app, &s.person).await?;
    Ok((s, who))
}

/// The signed-in person of a form that changes something: a live session, its CSRF token `csrf`
/// and a same-site `Origin` first ([`App::signed_in_for_change`]).
pub async fn changer(
    app: &Arc<App>,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<(Session, PersonState), PageError> {
    let (_, s) = app
        .signed_in_for_change(headers, Some(csrf))
        .map_err(|r| PageError::from_refusal(&r))?;
    let who = person_state(app, &s.person).await?;
    Ok((s, who))
}

/// A form's fields, or, for a body that is not a form of these fields (another content type, a
/// field of another type), the refusal of a change without its CSRF token (the token cannot be read
/// from it): 401 without a session, else 403, in Japanese.
pub async fn form_fields<T>(
    app: &Arc<App>,
    headers: &HeaderMap,
    form: Result<axum::extract::Form<T>, axum::extract::rejection::FormRejection>,
) -> Result<T, PageError> {
    match form {
        Ok(axum::extract::Form(f)) => Ok(f),
        Err(_) => match changer(app, headers, "").await {
            Err(e) => Err(e),
            Ok(_) => Err(PageError::new(
                StatusCode::BAD_REQUEST,
                "送られたフォームを読めません。ページを開き直してからやり直してください。",
            )),
        },
    }
}

/// A form that carries its session's CSRF token.
pub trait WithCsrf {
    /// The token the form carries.
    fn csrf(&self) -> &str;
}

/// What every form that changes something begins with: its fields ([`form_fields`]), its session,
/// CSRF token and `Origin` ([`changer`]), and its person holding one of `roles` ([`require`]).
pub async fn acting<T: WithCsrf>(
    app: &Arc<App>,
    headers: &HeaderMap,
    form: Result<axum::extract::Form<T>, axum::extract::rejection::FormRejection>,
    roles: &[Role],
) -> Result<(T, Session, PersonState), PageError> {
    let f = form_fields(app, headers, form).await?;
    let (s, who) = changer(app, headers, f.csrf()).await?;
    require(&who, roles)?;
    Ok((f, s, who))
}

/// Refuses (403) a person holding none of `roles`.
pub fn require(who: &PersonState, roles: &[Role]) -> Result<(), PageError> {
    match roles.iter().any(|r| who.has(*r)) {
        true => Ok(()),
        false => Err(PageError::new(
            StatusCode::FORBIDDEN,
            format!(
                "このページは{}の役割を持つ人だけが使えます。必要なら管理者に依頼してください。",
                roles_ja(roles)
            ),
        )),
    }
}

/// Records `changes` as one batch by the signed-in person of `s`, signed with their key, for
/// `reason` (from the file `source`, if any): each admitted and authorized on the current state
/// first; answered once durable.
pub async fn record(
    app: &Arc<App>,
    s: &Session,
    reason: String,
    source: Option<Source>,
    changes: Vec<Change>,
) -> Result<Receipt, PageError> {
    let l = Arc::clone(&app.ledger);
    let s = s.clone();
    blocking(move || {
        Ok((|| {
            let admitted = l
                .current(|st| admitted(st, &s.person, changes).map_err(|r| refused_page(&r)))
                .map_err(|e| error_page(&e))??;
            l.append_from(
                &s.person,
                &reason,
                Some(s.signer.clone()),
                source,
                &admitted,
            )
            .map_err(|e| error_page(&e))
        })())
    })
    .await
    .map_err(|r| PageError::from_refusal(&r))?
}

/// `changes` in the ledger's form ([`LedgerState::admit`]), each authorized for `person`
/// ([`LedgerState::authorize`]): the first refusal, else the batch to append.
pub fn admitted(
    st: &LedgerState,
    person: &str,
    changes: Vec<Change>,
) -> Result<Vec<Change>, Refused> {
    let mut out = Vec::with_capacity(changes.len());
    for c in changes {
        let c = st.admit(c)?;
        st.authorize(person, &c)?;
        out.push(c);
    }
    Ok(out)
}

/// Reads the ledger's current state on a blocking thread.
pub async fn with_state<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&LedgerState) -> T + Send + 'static,
) -> Result<T, PageError> {
    let l = Arc::clone(&app.ledger);
    blocking(move || l.current(f).map_err(|e| Refusal::from_error(&e)))
        .await
        .map_err(|r| PageError::from_refusal(&r))
}

/// A point as the plan reads it, or a Japanese refusal (400).
pub fn point_of(state: &LedgerState, s: &str) -> Result<Period, PageError> {
    super::api::parse_point(state, s).map_err(|_| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "時点「{}」を読めません。例: 令和2年度末、FY2020-YE。",
                crate::domain::text::escape(s)
            ),
        )
    })
}

/// Marks a response not to be stored by the browser or a proxy (it shows a token or a form's token).
pub fn no_store(r: &mut Response) {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// The characters of a path segment left as they are (RFC 3986's unreserved ones).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A path segment percent-encoded (a department's name in a URL): all but RFC 3986's unreserved
/// characters.
pub fn segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_a_page_meets_is_japanese_and_names_no_english_rule() {
        let samples = [
            Refused::Rule(Rule::LastAdminKey),
            Refused::Rule(Rule::LacksRole {
                person: "s0".into(),
                role: Role::Head,
            }),
            Refused::Rule(Rule::NeedsRole {
                person: "s0".into(),
                action: crate::domain::state::Action::ManageRounds,
                roles: vec![Role::Admin],
            }),
            Refused::Rule(Rule::Unfinished {
                period: "令和2年度末".into(),
                items: vec!["1".into()],
            }),
            Refused::NoPlan,
        ];
        for r in &samples {
            let ja = refused_ja(r);
            assert!(
                !ja.chars().any(|c| c.is_ascii_lowercase() && c != 's'),
                "{ja}"
            );
            assert!(ja.ends_with('。'), "{ja}");
        }
        assert_eq!(refused_page(&samples[2]).status, StatusCode::FORBIDDEN);
        assert_eq!(refused_page(&samples[0]).status, StatusCode::CONFLICT);
    }
}
