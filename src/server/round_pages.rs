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
use crate::domain::state::{Refused, Rule, State};
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

/// A library error met while recording, in Japanese.
pub fn error_ja(e: &crate::error::Error) -> String {
    use crate::error::Error;
    match e {
        Error::Refused(r) | Error::RefusedAt { refused: r, .. } => refused_ja(r),
        Error::Busy(..) | Error::Unsettled(_) => {
            "台帳が混み合っています。しばらくしてからもう一度送ってください。".into()
        }
        other => {
            tracing::error!("recording from a page: {other}");
            "台帳に記録できませんでした。時間をおいてやり直し、続くときは管理者に連絡してください。"
                .into()
        }
    }
}

/// A refusal of the ledger's rules in one Japanese sentence, with what to do next.
pub fn refused_ja(r: &Refused) -> String {
    let items = |v: &[String]| v.join("、");
    match r {
        Refused::NoSuchItem(id) => format!("取組 {id} は計画にありません。ページを開き直してください。"),
        Refused::ItemWithdrawn(id) => format!("取組 {id} は廃止されています。管理者に確認してください。"),
        Refused::Rule(rule) => match rule {
            Rule::Text(_) => "入力に使えない文字（制御文字など）が含まれているか、長すぎます。入力を見直してください。".into(),
            Rule::GradeNotInScale { grade, scale } => format!(
                "評価「{grade}」は計画の評価区分にありません。{} から選んでください。",
                scale.join("・")
            ),
            Rule::RatingExcluded { id, .. } => format!("取組 {id} はこの時点で対象外のため評価できません。"),
            Rule::NoRating { id, .. } => format!("取組 {id} には取り消す評価がありません。ページを開き直してください。"),
            Rule::NoRound { period, .. } => format!("{period}の評価ラウンドはありません。管理者に確認してください。"),
            Rule::RoundClosed { period } => format!("{period}の評価ラウンドは締め切られました。差し戻された項目だけを修正できます。"),
            Rule::UnderReview { id, .. } => format!("取組 {id} は提出済みで審査中のため変更できません。差し戻されたら修正できます。"),
            Rule::OtherDepartment { id, owner, review, .. } => match review {
                true => format!("取組 {id} は{owner}の項目のため、あなたは審査できません。"),
                false => format!("取組 {id} は{owner}の項目のため、あなたは入力できません。"),
            },
            Rule::NeedsRole { roles, .. } => format!(
                "この操作には{}の役割が必要です。必要なら管理者に役割の付与を依頼してください。",
                roles.iter().map(|r| r.label()).collect::<Vec<_>>().join("・")
            ),
            Rule::NoKey { .. } => "あなたの署名鍵は失効しています。管理者に新しい鍵の設定を依頼してください。".into(),
            Rule::NotAPerson { .. } => "あなたは台帳に登録されていません。管理者に確認してください。".into(),
            Rule::CannotSubmit { period, status } => format!(
                "{period}の評価ラウンドは{}のため提出できません。",
                status_ja(*status)
            ),
            Rule::DepartmentEmpty { department, period } => format!("{department}には{period}の取組がありません。"),
            Rule::NotRated { items: v, .. } => format!(
                "評価が入っていない取組があります（{}）。評価を入れてから提出してください。",
                items(v)
            ),
            Rule::ReturnedNotRated { items: v, .. } => format!(
                "差し戻された取組（{}）の評価を入れ直してから提出してください。",
                items(v)
            ),
            Rule::AlreadySubmitted { .. } => "この課の取組はすでに提出済みです。差し戻されるまで提出し直す必要はありません。".into(),
            Rule::SubmitOther { other, .. } => format!("{other}の取組はその課の担当者が提出します。"),
            Rule::ReviewPublished { period } => format!("{period}の評価結果は公表済みのため、審査できません。"),
            Rule::NotSubmitted { id, .. } => format!("取組 {id} はまだ提出されていません。課からの提出を待ってください。"),
            Rule::FirstOver { id, .. } => format!("取組 {id} は2次評価で承認済みのため、1次評価はもう変えられません。"),
            Rule::FirstApproved { id, .. } => format!("取組 {id} は1次評価で承認済みです。ページを開き直してください。"),
            Rule::FirstNeeded { id, .. } => format!("取組 {id} は1次評価がまだです。課長の承認を待ってください。"),
            Rule::SecondApproved { id, .. } => format!("取組 {id} は2次評価で承認済みです。ページを開き直してください。"),
            Rule::RoundNotOpen { period, status } => format!(
                "{period}の評価ラウンドは{}のため締め切れません。",
                status_ja(*status)
            ),
            Rule::RoundExists { period, status } => format!(
                "{period}の評価ラウンドはすでにあります（{}）。",
                status_ja(*status)
            ),
            Rule::BadDue { due } => format!("提出期限「{due}」は日付として読めません。2021-04-30 のように書いてください。"),
            Rule::AlreadyPublished { period } => format!("{period}の評価結果はすでに公表されています。"),
            Rule::Unfinished { items: v, .. } => format!(
                "2次評価で承認されていない取組があるため公表できません（{}）。審査を終えてから公表してください。",
                items(v)
            ),
            _ => other_rule(r),
        },
        _ => other_rule(r),
    }
}

/// A refusal no page expects: its English kept in the error log, the person told in Japanese.
fn other_rule(r: &Refused) -> String {
    tracing::warn!("a page's change refused: {r}");
    "台帳の規則により受け付けられませんでした。入力を見直し、わからないときは管理者に連絡してください。"
        .into()
}

/// The refusal for a page that does not exist (an unknown point or department), in Japanese.
pub fn not_found(what: &str) -> Refusal {
    Refusal::new(StatusCode::NOT_FOUND, "not_found", what.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::item_id::ItemId;

    #[test]
    fn departments_are_percent_encoded_as_one_segment() {
        assert_eq!(segment("総務課"), "%E7%B7%8F%E5%8B%99%E8%AA%B2");
        assert_eq!(segment("a/b c"), "a%2Fb%20c");
        assert_eq!(segment("x-y_z.~"), "x-y_z.~");
    }

    #[test]
    fn refusals_are_japanese_sentences() {
        let id = ItemId::parse("3").unwrap();
        for r in [
            Refused::NoSuchItem(id.clone()),
            Refused::Rule(Rule::UnderReview {
                id: id.clone(),
                period: "令和2年度末".into(),
            }),
            Refused::Rule(Rule::NotRated {
                department: "総務課".into(),
                period: "令和2年度末".into(),
                items: vec!["1".into(), "2".into()],
            }),
            Refused::Rule(Rule::AlreadyPublished {
                period: "令和2年度末".into(),
            }),
        ] {
            let s = refused_ja(&r);
            assert!(s.ends_with('。'), "{s}");
            assert!(
                !s.chars().any(|c| c.is_ascii_lowercase()),
                "no English words: {s}"
            );
        }
        let s = refused_ja(&Refused::Rule(Rule::NotRated {
            department: "総務課".into(),
            period: "令和2年度末".into(),
            items: vec!["1".into(), "2".into()],
        }));
        assert!(s.contains("1、2"), "{s}");
    }
}
