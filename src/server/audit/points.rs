//! An item's current values and who set them (`GET /audit/items/{ID}/blame`, as `hyoka blame`), and
//! what changed between two points (`GET /audit/diff?from=P&to=Q`, as `hyoka diff`, with every change
//! recorded between them as `hyoka diff --every` when both points are moments of the log: `seq:N` or
//! `at:TIME`); their JSON at `/api/audit/…` (schema/blame.schema.json, schema/diff.schema.json).
//!
//! Invariants: the views are the library's (`views::audit::blame`, `views::audit::diff`,
//! `Ledger::changes_between`) over snapshots folded from the log; the changes listed between two
//! moments are bounded ([`MAX_EVERY`] events), a wider range is refused with what to do.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{Bad, api_reader, bad, jst, page, page_reader};
use crate::domain::item_id::ItemId;
use crate::ledger::Ledger;
use crate::server::app::{App, Refusal, blocking};
use crate::server::guard::{PageError, segment};
use crate::views::audit::blame::{BlameEntry, blame};
use crate::views::audit::diff::{DiffEntry, diff};
use crate::views::audit::history::HistoryEntry;
use crate::views::audit::{Point, Selection, Snapshot};
use crate::views::audit_text::{field_label, value_text};

/// The most events whose changes a diff lists one by one.
pub const MAX_EVERY: u64 = 20_000;

fn escape(s: &str) -> String {
    crate::domain::text::escape(s)
}

fn field_ja(field: &str) -> String {
    match field {
        "not_evaluated" => "対象外".into(),
        "submitted" => "提出".into(),
        "review" => "審査".into(),
        "opinion" => "意見".into(),
        f => field_label(f).into(),
    }
}

/// An item's blame: the item, its title and department, and who set each current value.
struct Blamed {
    id: ItemId,
    title: String,
    department: String,
    entries: Vec<BlameEntry>,
}

async fn blamed(app: &Arc<App>, id: String) -> Result<Result<Blamed, Bad>, Refusal> {
    let l = Arc::clone(&app.ledger);
    blocking(move || {
        let found = l
            .current(|st| {
                ItemId::parse(&id).ok().and_then(|n| {
                    st.items
                        .get(&n)
                        .map(|i| (n, i.title.clone(), i.department.clone()))
                })
            })
            .map_err(|e| Refusal::from_error(&e))?;
        let Some((n, title, department)) = found else {
            return Ok(Err(bad(
                format!(
                    "項目「{}」は台帳にありません。項目番号を確かめてください。",
                    escape(&id)
                ),
                format!("no item `{}` in the ledger", escape(&id)),
            )));
        };
        let snap = l
            .read(|ledger| ledger.snapshot(&Selection::default()))
            .map_err(|e| Refusal::from_error(&e))?
            .map_err(|e| Refusal::from_error(&e))?;
        let mut entries = blame(&snap, None);
        entries.retain(|e| e.item.0 == n);
        Ok(Ok(Blamed {
            id: n,
            title,
            department,
            entries,
        }))
    })
    .await
}

#[derive(Serialize)]
struct BlameRow {
    period: String,
    field: String,
    value: String,
    seq: u64,
    time: String,
    author: String,
    reason: String,
}

/// `GET /audit/items/{ID}/blame`: who set each current value of the item, when and why.
pub async fn blame_page(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let s = match page_reader(&app, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let b = match blamed(&app, id).await {
        Ok(Ok(b)) => b,
        Ok(Err(b)) => return PageError::new(StatusCode::NOT_FOUND, b.ja).into_response(),
        Err(r) => return PageError::from_refusal(&r).into_response(),
    };
    let rows: Vec<BlameRow> = b
        .entries
        .iter()
        .map(|e| BlameRow {
            period: e.period.map(|p| p.label()).unwrap_or_default(),
            field: field_ja(e.field),
            value: value_text(&e.value),
            seq: e.seq,
            time: jst(e.recorded_at),
            author: e.author.clone(),
            reason: e.reason.clone(),
        })
        .collect();
    let id = b.id.as_str().to_string();
    page(
        StatusCode::OK,
        "audit_blame.html",
        context! {
            title => format!("項目 {id} の現在の値を設定した人"),
            here => "blame",
            id => id.clone(),
            item_title => b.title,
            department => b.department,
            rows => minijinja::value::Serde(&rows),
            history_href => format!("/audit/history?item={}", segment(&id)),
            json_href => format!("/api/audit/items/{}/blame", segment(&id)),
            person => s.person,
            csrf => s.csrf,
        },
    )
}

/// `GET /api/audit/items/{ID}/blame`: as `hyoka blame --format json`, the item's cells only
/// (schema/blame.schema.json).
pub async fn blame_json(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    api_reader(&app, &headers).await?;
    let b = blamed(&app, id)
        .await?
        .map_err(|b| Refusal::new(StatusCode::NOT_FOUND, "not_found", b.en))?;
    Ok(super::json_body(&b.entries))
}

/// The two points of a diff, as the form and the query string give them.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Points {
    /// The first point: a period (`FY2014-YE`, `平成26年度末`), `seq:N` or `at:TIME`.
    #[serde(default)]
    pub from: String,
    /// The second point.
    #[serde(default)]
    pub to: String,
}

/// What `hyoka diff --format json` prints (schema/diff.schema.json).
#[derive(Debug, Serialize)]
pub struct Diffed {
    /// The first point, as given (NFKC).
    pub from: String,
    /// The second point.
    pub to: String,
    /// The fields that differ.
    pub changes: Vec<DiffEntry>,
    /// Every change recorded between the two points, when both are moments of the log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub every: Option<Vec<HistoryEntry>>,
}

fn snapshot_at(ledger: &Ledger, p: Point) -> crate::error::Result<Snapshot> {
    let sel = match p {
        Point::Period(p) => Selection {
            as_of: Some(p),
            ..Selection::default()
        },
        Point::Seq(n) => Selection {
            through: Some(n),
            ..Selection::default()
        },
        Point::At(t) => Selection {
            at: Some(t),
            ..Selection::default()
        },
    };
    ledger.snapshot(&sel)
}

fn moment(p: Point) -> bool {
    !matches!(p, Point::Period(_))
}

async fn diffed(app: &Arc<App>, q: Points) -> Result<Result<Diffed, Bad>, Refusal> {
    let l = Arc::clone(&app.ledger);
    blocking(move || {
        let (from, to) = (
            crate::domain::ident::normalize(q.from.trim()),
            crate::domain::ident::normalize(q.to.trim()),
        );
        let era = l
            .current(|st| st.plan.as_ref().and_then(|p| p.default_era))
            .map_err(|e| Refusal::from_error(&e))?;
        let parse = |s: &str| {
            Point::parse(s, era).map_err(|e| {
                bad(
                    format!(
                        "時点「{}」を読めません。評価時点（例: FY2014-YE、平成26年度末）、イベント番号（例: seq:120）、日時（例: at:2015-11-05）のどれかで書いてください。",
                        escape(s)
                    ),
                    e,
                )
            })
        };
        let (a, b) = match (parse(&from), parse(&to)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => return Ok(Err(e)),
        };
        let out = l
            .read(|ledger| -> crate::error::Result<Result<Diffed, Bad>> {
                let len = ledger.len();
                for p in [a, b] {
                    if let Point::Seq(n) = p
                        && n >= len
                    {
                        return Ok(Err(bad(
                            format!("イベント #{n} はまだありません（台帳のイベントは #0〜#{} です）。", len.saturating_sub(1)),
                            format!("no event seq:{n}: the ledger holds {len} events"),
                        )));
                    }
                }
                let sa = snapshot_at(ledger, a)?;
                let sb = snapshot_at(ledger, b)?;
                let every = match moment(a) && moment(b) {
                    false => None,
                    true => {
                        let (lo, hi) = match (sa.last_seq, sb.last_seq) {
                            (x, y) if x <= y => (x, y),
                            (x, y) => (y, x),
                        };
                        match hi {
                            None => Some(Vec::new()),
                            Some(hi) => {
                                let span = hi - lo.map_or(0, |l| l + 1) + 1;
                                if span > MAX_EVERY {
                                    return Ok(Err(bad(
                                        format!("2つの時点の間のイベントが多すぎます（{span} 件、一度に {MAX_EVERY} 件まで）。時点を近づけてください。"),
                                        format!("{span} events lie between the two points; at most {MAX_EVERY} are listed at once: bring the points closer"),
                                    )));
                                }
                                Some(ledger.changes_between(lo, hi)?)
                            }
                        }
                    }
                };
                Ok(Ok(Diffed {
                    from: from.clone(),
                    to: to.clone(),
                    changes: diff(&sa, &sb),
                    every,
                }))
            })
            .map_err(|e| Refusal::from_error(&e))?
            .map_err(|e| Refusal::from_error(&e))?;
        Ok(out)
    })
    .await
}

#[derive(Serialize)]
struct DiffRow {
    item: String,
    item_href: String,
    period: String,
    field: String,
    from: String,
    to: String,
    seq: String,
    time: String,
    author: String,
    reason: String,
}

#[derive(Serialize)]
struct EveryRow {
    seq: u64,
    time: String,
    author: String,
    item: String,
    item_href: String,
    field: String,
    period: String,
    old: String,
    new: String,
    reason: String,
    correction: bool,
}

/// `GET /audit/diff?from=P&to=Q`: what differs between two points, and every change between them.
pub async fn diff_page(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<Points>, QueryRejection>,
) -> Response {
    let s = match page_reader(&app, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let asked = !q.from.trim().is_empty() || !q.to.trim().is_empty();
    let (status, found, error) = match asked {
        false => (StatusCode::OK, None, None),
        true => match diffed(&app, q.clone()).await {
            Ok(Ok(d)) => (StatusCode::OK, Some(d), None),
            Ok(Err(b)) => (StatusCode::BAD_REQUEST, None, Some(b.ja)),
            Err(r) => return PageError::from_refusal(&r).into_response(),
        },
    };
    let rows: Vec<DiffRow> = found
        .iter()
        .flat_map(|d| d.changes.iter())
        .map(|c| DiffRow {
            item: c.item.0.as_str().to_string(),
            item_href: segment(c.item.0.as_str()),
            period: c.period.map(|p| p.label()).unwrap_or_default(),
            field: field_ja(c.field),
            from: value_text(&c.from),
            to: value_text(&c.to),
            seq: c.seq.map(|n| format!("#{n}")).unwrap_or_default(),
            time: c.recorded_at.map(jst).unwrap_or_default(),
            author: c.author.clone().unwrap_or_default(),
            reason: c.reason.clone().unwrap_or_default(),
        })
        .collect();
    let every: Option<Vec<EveryRow>> = found.as_ref().and_then(|d| d.every.as_ref()).map(|v| {
        v.iter()
            .map(|e| EveryRow {
                seq: e.seq,
                time: jst(e.recorded_at),
                author: e.author.clone(),
                item: e.item.0.as_str().to_string(),
                item_href: segment(e.item.0.as_str()),
                field: field_ja(e.field),
                period: e.period.map(|p| p.label()).unwrap_or_default(),
                old: value_text(&e.old),
                new: value_text(&e.new),
                reason: e.reason.clone(),
                correction: e.correction,
            })
            .collect()
    });
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s.trim(), percent_encoding::NON_ALPHANUMERIC)
            .to_string()
    };
    page(
        status,
        "audit_diff.html",
        context! {
            title => "時点間の差分",
            here => "diff",
            q => minijinja::value::Serde(&q),
            shown => found.is_some(),
            from => found.as_ref().map(|d| d.from.clone()),
            to => found.as_ref().map(|d| d.to.clone()),
            rows => minijinja::value::Serde(&rows),
            every => every.as_ref().map(minijinja::value::Serde),
            json_href => format!("/api/audit/diff?from={}&to={}", enc(&q.from), enc(&q.to)),
            error => error,
            person => s.person,
            csrf => s.csrf,
        },
    )
}

/// `GET /api/audit/diff?from=P&to=Q`: as `hyoka diff P Q --format json` (with `--every` when both
/// are moments of the log; schema/diff.schema.json).
pub async fn diff_json(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<Points>, QueryRejection>,
) -> Result<Response, Refusal> {
    api_reader(&app, &headers).await?;
    let q = q.map(|Query(q)| q).map_err(|_| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            "the query string cannot be read",
        )
    })?;
    if q.from.trim().is_empty() || q.to.trim().is_empty() {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            "give both points: from=P&to=Q (a period, seq:N or at:TIME)",
        ));
    }
    let d = diffed(&app, q).await?.map_err(Bad::refusal)?;
    Ok(super::json_body(&d))
}
