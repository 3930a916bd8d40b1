//! The round's tracker (`GET /rounds/{point}/tracker`): per department, whether its staff have
//! submitted, where 1次評価 and 2次評価 stand, the items returned to it, and whether it is overdue
//! against the round's due date, with the counts at the top. For reviewers (課長, 行革本部) and
//! administrators.
//!
//! Invariants: built from `views::round::round_status` (the same counts as `hyoka round status`) at
//! the server's clock; every state is said in words (期限超過, 提出済み, …), never by colour alone.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;
use serde::Serialize;

use super::app::App;
use super::guard::{PageError, point_of, require, segment, viewer, with_state};
use super::render::page;
use crate::domain::people::Role;
use crate::views::round::{round_status, status_label};

/// Where one department stands in the round.
#[derive(Serialize)]
struct Row {
    department: String,
    /// The department's sheet page (the pages' URL), percent-encoded.
    href: String,
    items: usize,
    excluded: usize,
    rated: usize,
    submitted: String,
    first: String,
    second: String,
    returned: Vec<String>,
    overdue: bool,
    done: bool,
}

/// The counts at the top.
#[derive(Serialize, Default)]
struct Totals {
    departments: usize,
    submitted_departments: usize,
    items: usize,
    awaiting_first: usize,
    awaiting_second: usize,
    returned: usize,
    overdue: usize,
    done: usize,
}

/// `a of b` in words: `済み`, `未`, or `n / b 件`.
fn progress(done: usize, of: usize) -> String {
    match (done, of) {
        (_, 0) => "対象なし".into(),
        (d, o) if d >= o => format!("済み（{o}件）"),
        (0, o) => format!("未（{o}件中0件）"),
        (d, o) => format!("途中（{o}件中{d}件）"),
    }
}

/// `GET /rounds/{point}/tracker`.
pub async fn tracker(
    State(app): State<Arc<App>>,
    Path(point): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (s, who) = viewer(&app, &headers).await?;
    require(&who, &[Role::Head, Role::Hq, Role::Admin])?;
    let now = (app.clock)();
    let view = with_state(&app, move |st| -> Result<_, PageError> {
        let period = point_of(st, &point)?;
        let v = round_status(st, period, now).ok_or_else(|| {
            PageError::new(
                StatusCode::NOT_FOUND,
                format!("{}の評価ラウンドはありません。", period.label()),
            )
        })?;
        let round = st.rounds.get(&period).cloned();
        let mut rows = Vec::new();
        let mut totals = Totals::default();
        for d in &v.departments {
            let c = &d.counts;
            let evaluated = c.items - c.excluded;
            let mut returned = Vec::new();
            let mut awaiting_first = 0;
            let mut awaiting_second = 0;
            if let Some(r) = &round {
                for id in st.items_of(&d.department, period) {
                    if st.is_excluded(id, period) {
                        continue;
                    }
                    let review = r.review(id);
                    if review.returned {
                        let title = st.items.get(id).map(|i| i.title.as_str()).unwrap_or("");
                        returned.push(format!("{id} {title}"));
                    }
                    awaiting_first += usize::from(review.submitted && !review.first);
                    awaiting_second += usize::from(review.first && !review.second);
                }
            }
            let done = c.pending == 0;
            totals.departments += 1;
            totals.submitted_departments += usize::from(evaluated > 0 && c.submitted >= evaluated);
            totals.items += c.items;
            totals.awaiting_first += awaiting_first;
            totals.awaiting_second += awaiting_second;
            totals.returned += returned.len();
            totals.overdue += usize::from(d.overdue);
            totals.done += usize::from(done);
            rows.push(Row {
                href: format!(
                    "/rounds/{}/departments/{}",
                    period.id(),
                    segment(&d.department)
                ),
                department: d.department.clone(),
                items: c.items,
                excluded: c.excluded,
                rated: c.rated,
                submitted: progress(c.submitted, evaluated),
                first: progress(c.approved_first, evaluated),
                second: progress(c.approved_second, evaluated),
                returned,
                overdue: d.overdue,
                done,
            });
        }
        let status = st
            .rounds
            .get(&period)
            .map(|r| status_label(r.status))
            .unwrap_or_default();
        Ok((period, v, status, rows, totals))
    })
    .await??;
    let (period, v, status, rows, totals) = view;
    Ok(page(
        StatusCode::OK,
        "tracker.html",
        context! {
            title => format!("{}の進み具合", period.label()),
            label => period.label(),
            id => period.id(),
            plan => v.plan.clone(),
            status => status,
            due => v.due,
            today => v.today,
            rows => minijinja::value::Serde(&rows),
            totals => minijinja::value::Serde(&totals),
            person => s.person.clone(),
            csrf => s.csrf.clone(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_said_in_words_and_names_are_encoded() {
        assert_eq!(progress(2, 2), "済み（2件）");
        assert_eq!(progress(0, 3), "未（3件中0件）");
        assert_eq!(progress(1, 3), "途中（3件中1件）");
        assert_eq!(progress(0, 0), "対象なし");
        assert_eq!(
            super::super::guard::segment("総務 課/x"),
            "%E7%B7%8F%E5%8B%99%20%E8%AA%B2%2Fx"
        );
    }
}
