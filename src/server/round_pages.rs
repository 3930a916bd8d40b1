//! What the round's pages share (the department's sheet, `sheet_page.rs`; the reviewers' queue and
//! the committee's opinions, `review.rs`): the signed-in person as the ledger knows them, the point
//! named in a URL, the link to a department's page, a batch recorded as the signed-in person, and a
//! refusal of the ledger's rules in one Japanese sentence that says what to do next.
//!
//! Invariants: a batch is recorded only through [`record`], which checks each change against the
//! ledger's rules (`State::admit`, `State::authorize`) before anything is written, signs the batch
//! with the signed-in person's key and returns once it is durable; nothing of a refused batch is
//! written. Every word a person reads here is Japanese.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::app::{App, Refusal};
use super::sessions::Session;
use crate::domain::event::Change;
use crate::domain::people::{Role, RoundStatus};
use crate::domain::period::Period;
use crate::domain::state::State;
use crate::ledger::Receipt;

/// The signed-in person as the ledger knows them now.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// Their id.
    pub id: String,
    /// Their department.
    pub department: String,
    /// Their roles.
    pub roles: BTreeSet<Role>,
}

impl Viewer {
    /// The person `id` of `state` (`None` when the ledger has no such person).
    pub fn of(state: &State, id: &str) -> Option<Viewer> {
        let p = state.people.as_ref()?.get(id)?;
        Some(Viewer {
            id: id.to_string(),
            department: p.department.clone(),
            roles: p.roles.clone(),
        })
    }

    /// Whether they hold `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// The page a request without a session is sent to: the sign-in page.
pub fn to_signin() -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, "/signin")]).into_response()
}

/// The live session of the request, if any.
pub fn session(app: &App, headers: &HeaderMap) -> Option<Session> {
    app.session(headers).map(|(_, s)| s)
}

/// The point a URL names (its canonical id, e.g. `FY2020-YE`, or as the plan reads a point).
pub fn point(state: &State, s: &str) -> Option<Period> {
    super::api::parse_point(state, s).ok()
}

pub use super::guard::segment;

/// The path of a department's page at a point.
pub fn department_path(point: Period, department: &str) -> String {
    format!("/rounds/{}/departments/{}", point.id(), segment(department))
}

/// The path of a round's review page.
pub fn review_path(point: Period) -> String {
    format!("/rounds/{}/review", point.id())
}

/// A round's status in Japanese.
pub fn status_ja(s: RoundStatus) -> &'static str {
    crate::views::round::status_label(s)
}

/// Records `changes` as one batch by the session's person, signed with their key, for `reason`:
/// each change is put in the ledger's form and authorized first (nothing is written when one is
/// refused), and the batch is answered once durable. A refusal comes back as a Japanese sentence.
pub fn record(
    app: &Arc<App>,
    s: &Session,
    reason: &str,
    changes: Vec<Change>,
) -> Result<Receipt, String> {
    let l = &app.ledger;
    let admitted = l
        .current(|st| super::guard::admitted(st, &s.person, changes).map_err(|e| refused_ja(&e)))
        .map_err(|e| error_ja(&e))??;
    l.append_signed(&s.person, reason, Some(s.signer.clone()), &admitted)
        .map_err(|e| error_ja(&e))
}

pub use super::refusals::refused_ja;

/// A library error met while recording, in Japanese (as [`super::guard::error_page`] words it).
pub fn error_ja(e: &crate::error::Error) -> String {
    super::guard::error_page(e).message
}

/// The refusal for a page that does not exist (an unknown point or department), in Japanese.
pub fn not_found(what: &str) -> Refusal {
    Refusal::new(StatusCode::NOT_FOUND, "not_found", what.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn departments_are_percent_encoded_as_one_segment() {
        assert_eq!(segment("総務課"), "%E7%B7%8F%E5%8B%99%E8%AA%B2");
        assert_eq!(segment("a/b c"), "a%2Fb%20c");
        assert_eq!(segment("x-y_z.~"), "x-y_z.~");
    }
}
