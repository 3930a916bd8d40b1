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

use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use super::guard::no_store;
use super::render::page;
use super::sessions::Session;

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

/// The forms of these pages, each with its session's CSRF token (`guard::acting`).
macro_rules! with_csrf {
    ($($form:ty),*) => {
        $(impl WithCsrf for $form {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })*
    };
}

mod people;
mod plan;
mod rounds;

pub use people::{EnrolForm, KeyForm, RoleForm, enrol, people, revoke_key, roles};
pub use plan::plan;
pub use rounds::{OpenForm, RoundForm, close_round, open_round, publish_round, rounds};
