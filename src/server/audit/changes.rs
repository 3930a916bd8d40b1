//! Every change, searched: `GET /audit/history` (and its JSON, `GET /api/audit/history`) by item,
//! person, department, a range of Japan days and corrections only, a page at a time; and the
//! correction report, 訂正・削除履歴 (`GET /audit/corrections`: every correction, printable).
//!
//! Invariants: the rows are `Ledger::changes_where`'s, one fold of the log, keeping only the rows of
//! the page asked for (at most [`MAX_PER_PAGE`]) and counting the others; a correction is what
//! `Ledger::corrections` keeps (a value replaced or withdrawn, or a change to a published round's
//! point); the department is the item's as the ledger holds it now, as `hyoka history --department`
//! compares it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{Bad, api_reader, bad, jst, page, page_reader};
use crate::domain::ident;
use crate::domain::item_id::ItemId;
use crate::domain::when;
use crate::server::app::{App, Refusal, blocking};
use crate::server::guard::{PageError, segment};
use crate::views::audit::history::HistoryEntry;
use crate::views::audit_text::{field_label, value_text};

/// Rows a page shows unless asked for another number.
pub const PER_PAGE: u64 = 50;
/// The most rows a page shows.
pub const MAX_PER_PAGE: u64 = 200;

/// A search as the form and the query string give it (every field optional; empty is no filter).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Search {
    /// An item's id.
    #[serde(default)]
    pub item: String,
    /// The id of the person who recorded the change.
    #[serde(default)]
    pub person: String,
    /// The item's department.
    #[serde(default)]
    pub department: String,
    /// The first Japan day (`YYYY-MM-DD`, or any date `hyoka history --since` reads).
    #[serde(default)]
    pub from: String,
    /// The last Japan day.
    #[serde(default)]
    pub to: String,
    /// `1`: corrections only.
    #[serde(default)]
    pub corrections: String,
    /// The page, from 1.
    #[serde(default)]
    pub page: String,
    /// Rows per page (at most [`MAX_PER_PAGE`]).
    #[serde(default)]
    pub per_page: String,
}

/// A search read and checked.
#[derive(Debug, Clone)]
struct Filter {
    item: Option<ItemId>,
    person: Option<String>,
    /// The items of the department asked for.
    department: Option<BTreeSet<ItemId>>,
    from: Option<i64>,
    to: Option<i64>,
    corrections: bool,
    page: u64,
    per_page: u64,
}

impl Filter {
    fn keeps(&self, e: &HistoryEntry) -> bool {
        self.item.as_ref().is_none_or(|n| e.item.0 == *n)
            && self
                .person
                .as_ref()
                .is_none_or(|p| ident::same(&e.author, p))
            && self
                .department
                .as_ref()
                .is_none_or(|items| items.contains(&e.item.0))
            && self.from.is_none_or(|t| e.recorded_at >= t)
            && self.to.is_none_or(|t| e.recorded_at <= t)
            && (!self.corrections || e.correction || !e.old.is_null())
    }
}

/// One page of the changes a search finds (schema/audit-history.schema.json): `entries` as
/// `hyoka history --format json` writes them (schema/history.schema.json).
#[derive(Debug, Serialize)]
pub struct HistoryPage {
    /// How many changes the search finds in all.
    pub total: u64,
    /// This page (from 1).
    pub page: u64,
    /// Rows per page.
    pub per_page: u64,
    /// How many pages the search fills (0 when it finds nothing).
    pub pages: u64,
    /// The rows of this page, in log order.
    pub entries: Vec<HistoryEntry>,
}

/// The items' titles and the departments, for the page.
#[derive(Debug, Default)]
struct Names {
    titles: BTreeMap<ItemId, String>,
    departments: Vec<String>,
}

fn number(s: &str, what: &str, default: u64) -> Result<u64, Bad> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(default);
    }
    s.parse::<u64>().ok().filter(|n| *n >= 1).ok_or_else(|| {
        bad(
            format!("{what}は1以上の整数で書いてください。"),
            format!(
                "`{}` is not a whole number from 1",
                crate::domain::text::escape(s)
            ),
        )
    })
}

fn day(s: &str, start: bool) -> Result<Option<i64>, Bad> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let zone = when::Zone::japan();
    let r = match start {
        true => when::parse_instant_start_in(s, &zone),
        false => when::parse_instant_in(s, &zone),
    };
    r.map(Some).map_err(|_| {
        bad(
            format!(
                "日付「{}」を読めません。例: 2015-11-05、平成27年11月5日。",
                crate::domain::text::escape(s)
            ),
            format!(
                "`{}` is not a date: write e.g. 2015-11-05",
                crate::domain::text::escape(s)
            ),
        )
    })
}

/// Reads `q` against the ledger's current state: the filter, and the names the page shows.
fn filter(
    st: &crate::domain::state::State,
    q: &Search,
    report: bool,
) -> Result<(Filter, Names), Bad> {
    let mut names = Names::default();
    let mut departments = BTreeSet::new();
    for (id, i) in &st.items {
        names.titles.insert(id.clone(), i.title.clone());
        departments.insert(i.department.clone());
    }
    names.departments = departments.into_iter().collect();
    let item = match q.item.trim() {
        "" => None,
        s => {
            let id = ItemId::parse(s).ok().filter(|id| st.items.contains_key(id));
            Some(id.ok_or_else(|| {
                bad(
                    format!(
                        "項目「{}」は台帳にありません。項目番号を確かめてください。",
                        crate::domain::text::escape(s)
                    ),
                    format!("no item `{}` in the ledger", crate::domain::text::escape(s)),
                )
            })?)
        }
    };
    let department = match q.department.trim() {
        "" => None,
        d => {
            let items: BTreeSet<ItemId> = st
                .items
                .iter()
                .filter(|(_, i)| ident::same(&i.department, d))
                .map(|(id, _)| id.clone())
                .collect();
            if items.is_empty() {
                return Err(bad(
                    format!(
                        "担当課「{}」の項目は台帳にありません。一覧から選んでください。",
                        crate::domain::text::escape(d)
                    ),
                    format!(
                        "no item of department `{}` in the ledger",
                        crate::domain::text::escape(d)
                    ),
                ));
            }
            Some(items)
        }
    };
    let person = Some(q.person.trim().to_string()).filter(|p| !p.is_empty());
    let (from, to) = (day(&q.from, true)?, day(&q.to, false)?);
    if let (Some(a), Some(b)) = (from, to)
        && a > b
    {
        return Err(bad(
            "「から」の日付が「まで」の日付より後です。",
            "`from` is after `to`",
        ));
    }
    let per_page = number(&q.per_page, "1ページの件数", PER_PAGE)?.min(MAX_PER_PAGE);
    let page = number(&q.page, "ページ", 1)?;
    let corrections = report || matches!(q.corrections.trim(), "1" | "on" | "true");
    Ok((
        Filter {
            item,
            person,
            department,
            from,
            to,
            corrections,
            page,
            per_page,
        },
        names,
    ))
}

/// Runs the search `q`: the page of changes and the names to show them with.
async fn run(
    app: &Arc<App>,
    q: Search,
    report: bool,
) -> Result<Result<(HistoryPage, Names), Bad>, Refusal> {
    let l = Arc::clone(&app.ledger);
    blocking(move || {
        let read = l
            .current(|st| filter(st, &q, report))
            .map_err(|e| Refusal::from_error(&e))?;
        let (f, names) = match read {
            Ok(x) => x,
            Err(b) => return Ok(Err(b)),
        };
        let first = (f.page - 1).saturating_mul(f.per_page);
        let last = first.saturating_add(f.per_page);
        let mut total = 0u64;
        let entries = l
            .read(|ledger| {
                ledger.changes_where(&mut |e| {
                    if !f.keeps(e) {
                        return false;
                    }
                    total += 1;
                    (first..last).contains(&(total - 1))
                })
            })
            .map_err(|e| Refusal::from_error(&e))?
            .map_err(|e| Refusal::from_error(&e))?;
        Ok(Ok((
            HistoryPage {
                total,
                page: f.page,
                per_page: f.per_page,
                pages: total.div_ceil(f.per_page),
                entries,
            },
            names,
        )))
    })
    .await
}

/// `q` as a query string (the fields given), with `page` for the page.
fn query(q: &Search, page: Option<u64>) -> String {
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let page = page.map(|p| p.to_string());
    let mut parts = Vec::new();
    for (k, v) in [
        ("item", q.item.trim()),
        ("person", q.person.trim()),
        ("department", q.department.trim()),
        ("from", q.from.trim()),
        ("to", q.to.trim()),
        ("corrections", q.corrections.trim()),
        ("per_page", q.per_page.trim()),
        ("page", page.as_deref().unwrap_or(q.page.trim())),
    ] {
        if !v.is_empty() {
            parts.push(format!("{k}={}", enc(v)));
        }
    }
    match parts.is_empty() {
        true => String::new(),
        false => format!("?{}", parts.join("&")),
    }
}

/// One row of the page.
#[derive(Serialize)]
struct Row {
    seq: u64,
    time: String,
    clock_behind: Option<String>,
    author: String,
    item: String,
    item_href: String,
    title: String,
    field: String,
    period: String,
    old: String,
    new: String,
    reason: String,
    correction: bool,
}

fn row(e: &HistoryEntry, names: &Names) -> Row {
    Row {
        seq: e.seq,
        time: jst(e.recorded_at),
        clock_behind: e.clock_behind.map(jst),
        author: e.author.clone(),
        item: e.item.0.as_str().to_string(),
        item_href: segment(e.item.0.as_str()),
        title: names.titles.get(&e.item.0).cloned().unwrap_or_default(),
        field: match e.field {
            "not_evaluated" => "対象外".into(),
            "submitted" => "提出".into(),
            "review" => "審査".into(),
            "opinion" => "意見".into(),
            f => field_label(f).into(),
        },
        period: e.period.map(|p| p.label()).unwrap_or_default(),
        old: value_text(&e.old),
        new: value_text(&e.new),
        reason: e.reason.clone(),
        correction: e.correction,
    }
}

fn search_of(q: Result<Query<Search>, QueryRejection>) -> Result<Search, Bad> {
    q.map(|Query(q)| q).map_err(|_| {
        bad(
            "検索の条件を読めません。フォームから検索し直してください。",
            "the query string cannot be read",
        )
    })
}

async fn history_page(
    app: Arc<App>,
    headers: HeaderMap,
    q: Result<Query<Search>, QueryRejection>,
    report: bool,
) -> Response {
    let s = match page_reader(&app, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (here, title, action) = match report {
        true => ("corrections", "訂正・削除履歴", "/audit/corrections"),
        false => ("history", "変更履歴", "/audit/history"),
    };
    let shown = |status: StatusCode,
                 q: &Search,
                 found: Option<(HistoryPage, Names)>,
                 error: Option<String>| {
        let (rows, summary, caption, departments, pager) = match &found {
            Some((p, names)) => {
                let rows: Vec<Row> = p.entries.iter().map(|e| row(e, names)).collect();
                let first = (p.page - 1) * p.per_page + 1;
                let summary = match (p.total, rows.len()) {
                    (0, _) => "該当する変更はありません。".to_string(),
                    (_, 0) => format!(
                        "該当する変更は {} 件です（このページにはありません）。",
                        p.total
                    ),
                    (t, n) => format!(
                        "該当する変更は {t} 件です。{first}〜{} 件目を表示しています。",
                        first + n as u64 - 1
                    ),
                };
                let caption = format!(
                    "{title}（{}件中 {}〜{}件目）",
                    p.total,
                    first,
                    first + rows.len() as u64 - 1
                );
                let prev = (p.page > 1 && p.total > 0)
                    .then(|| format!("{action}{}", query(q, Some(p.page - 1))));
                let next =
                    (p.page < p.pages).then(|| format!("{action}{}", query(q, Some(p.page + 1))));
                (
                    rows,
                    Some(summary),
                    caption,
                    names.departments.clone(),
                    (prev, next, p.page, p.pages, p.per_page),
                )
            }
            None => (
                Vec::new(),
                None,
                String::new(),
                Vec::new(),
                (None, None, 1, 0, PER_PAGE),
            ),
        };
        let json_href = match report {
            true => {
                let mut q = q.clone();
                q.corrections = "1".into();
                format!("/api/audit/history{}", query(&q, None))
            }
            false => format!("/api/audit/history{}", query(q, None)),
        };
        page(
            status,
            "audit_history.html",
            context! {
                title => title,
                here => here,
                action => action,
                report => report,
                q => minijinja::value::Serde(q),
                departments => departments,
                rows => minijinja::value::Serde(&rows),
                summary => summary,
                caption => caption,
                prev_href => pager.0,
                next_href => pager.1,
                page => pager.2,
                pages => pager.3,
                per_page => pager.4,
                json_href => json_href,
                error => error,
                person => s.person.clone(),
                csrf => s.csrf.clone(),
            },
        )
    };
    let q = match search_of(q) {
        Ok(q) => q,
        Err(b) => {
            return shown(
                StatusCode::BAD_REQUEST,
                &Search::default(),
                None,
                Some(b.ja),
            );
        }
    };
    match run(&app, q.clone(), report).await {
        Ok(Ok(found)) => shown(StatusCode::OK, &q, Some(found), None),
        Ok(Err(b)) => shown(StatusCode::BAD_REQUEST, &q, None, Some(b.ja)),
        Err(r) => PageError::from_refusal(&r).into_response(),
    }
}

/// `GET /audit/history`: every change, searched, a page at a time.
pub async fn history(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<Search>, QueryRejection>,
) -> Response {
    history_page(app, headers, q, false).await
}

/// `GET /audit/corrections`: the correction report (訂正・削除履歴), searched as the history is.
pub async fn corrections(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<Search>, QueryRejection>,
) -> Response {
    history_page(app, headers, q, true).await
}

/// `GET /api/audit/history`: the same search as JSON (schema/audit-history.schema.json).
pub async fn history_json(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<Search>, QueryRejection>,
) -> Result<Response, Refusal> {
    api_reader(&app, &headers).await?;
    let invalid = |b: Bad| Refusal::new(StatusCode::BAD_REQUEST, "invalid", b.en);
    let q = search_of(q).map_err(invalid)?;
    let (p, _) = run(&app, q, false).await?.map_err(invalid)?;
    Ok(super::json_body(&p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_string_keeps_the_filters_given_and_encodes_them() {
        let q = Search {
            item: "12".into(),
            department: "総務課".into(),
            corrections: "1".into(),
            ..Search::default()
        };
        assert_eq!(
            query(&q, Some(3)),
            "?item=12&department=%E7%B7%8F%E5%8B%99%E8%AA%B2&corrections=1&page=3"
        );
        assert_eq!(query(&Search::default(), None), "");
        assert!(number("0", "ページ", 1).is_err());
        assert!(number("x", "ページ", 1).is_err());
        assert_eq!(number(" ", "ページ", 7).unwrap(), 7);
        assert_eq!(
            day("2015-11-05", true).unwrap(),
            Some(when::parse_rfc3339("2015-11-05T00:00:00+09:00").unwrap())
        );
        assert!(
            day("2015-11-05", false).unwrap().unwrap()
                > when::parse_rfc3339("2015-11-05T23:59:59+09:00").unwrap()
        );
        assert!(day("いつか", true).is_err());
    }
}
