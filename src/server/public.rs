//! The citizens' pages (no sign-in): a published round's table exactly as published, with its signed
//! checkpoint and table digest, subtotals by heading and their chart (`GET /rounds/{POINT}`); the notice
//! of its corrections (`GET /rounds/{POINT}/corrections`); an item's published values and the
//! corrections after each publication (`GET /items/{ID}`); and the round's files to download at stable
//! addresses (`/rounds/{POINT}/table.csv`, `table.xlsx`, `table.json`, `checkpoint`, and
//! `publication.tlog-proof`, the inclusion proof of the `round.published` event in the checkpoint, in
//! the format of `hyoka prove`). The pages are the publication pack's (`crate::publish::html`), the same
//! templates, with links into the server; the files are the pack's, byte for byte, for the same
//! checkpoint.
//!
//! The checkpoint used is the last one the ledger signed (`CHECKPOINT`), which `round publish` writes;
//! a round not published, or a ledger without a signed checkpoint covering its publication, is 404, as is
//! an item no published table holds: a page in Japanese saying what was not found.

use std::sync::{Arc, OnceLock};

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::app::{App, Refusal, blocking};
use super::page_cache;
use crate::domain::item_id::ItemId;
use crate::domain::period::{Cadence, Period};
use crate::error::Error;
use crate::evidence::{proof, transparency};
use crate::ledger::Ledger;
use crate::publish::forms::{self, Encoding};
use crate::publish::html::{self, Links, SiteLinks};
use crate::publish::item;
use crate::publish::{self, Publication, PublishError};

/// The server's addresses of the pages around a round's or an item's.
fn site() -> SiteLinks {
    SiteLinks {
        css: "/assets/public.css".into(),
        home: "/".into(),
        rounds: "/rounds/".into(),
    }
}

/// A 404 page in Japanese saying `what` is not found, with a link to the list of published rounds.
fn not_found(app: &App, what: &str) -> Response {
    let plan = app
        .ledger
        .current(|s| s.plan.as_ref().map(|p| p.name.clone()))
        .ok()
        .flatten()
        .unwrap_or_default();
    match html::not_found_page(&plan, what, &site()) {
        Ok(page) => (StatusCode::NOT_FOUND, Html(page)).into_response(),
        Err(e) => {
            tracing::error!("{e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// Why a public page or file is not served.
enum Missing {
    /// Not there (404, a page in Japanese saying so).
    NotFound(String),
    /// Anything else (the server's refusal).
    Refused(Refusal),
}

impl From<Refusal> for Missing {
    fn from(r: Refusal) -> Self {
        Missing::Refused(r)
    }
}

impl From<Error> for Missing {
    fn from(e: Error) -> Self {
        Missing::Refused(Refusal::from_error(&e))
    }
}

fn answer(app: &App, r: Result<Response, Missing>) -> Response {
    match r {
        Ok(resp) => resp,
        Err(Missing::NotFound(what)) => not_found(app, &what),
        Err(Missing::Refused(r)) => r.into_response(),
    }
}

/// The point named `point` in the server's plan.
fn period(app: &App, point: &str) -> Result<Period, Missing> {
    app.ledger
        .current(|s| {
            let plan = s.plan.as_ref();
            Period::parse_for(
                point,
                plan.and_then(|p| p.default_era),
                plan.map_or(Cadence::HalfYear, |p| p.cadence),
                plan.and_then(|p| p.years),
            )
        })?
        .map_err(|_| Missing::NotFound(format!("「{}」は評価の時点として読めません。", cut(point))))
}

/// At most 40 characters of what a visitor typed, for the page that says it is not found.
fn cut(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// Runs `f` on the publication of `point` as the server's ledger holds it now, bound to the last
/// signed checkpoint, and on the ledger.
fn with_publication<T>(
    app: &App,
    point: &str,
    f: impl FnOnce(&Ledger, Publication) -> Result<T, Missing>,
) -> Result<T, Missing> {
    let period = period(app, point)?;
    let not_published = || {
        Missing::NotFound(format!(
            "{}の評価結果は公表されていません。",
            period.label()
        ))
    };
    app.ledger.read(|l| {
        let Some((cp, note)) = transparency::last_signed(l.dir())? else {
            return Err(not_published());
        };
        match publish::gather(l, period, cp, note) {
            Ok(p) => f(l, p),
            Err(PublishError::Ledger(e)) => Err(e.into()),
            Err(_) => Err(not_published()),
        }
    })?
}

/// The links of the pages of `point` on the server.
fn links(point: &str) -> Links {
    let base = format!("/rounds/{point}");
    Links {
        css: "/assets/public.css".into(),
        table: base.clone(),
        corrections: format!("{base}/corrections"),
        downloads: DOWNLOADS
            .iter()
            .map(|d| (format!("{base}/{}", d.name), d.label.to_string()))
            .collect(),
        home: Some("/".into()),
        items: Some("/items/".into()),
    }
}

/// The body of a page, or the refusal of a page that could not be rendered.
fn rendered(r: Result<String, html::RenderError>) -> Result<String, Missing> {
    r.map_err(|e| {
        tracing::error!("{e}");
        Missing::Refused(Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the page could not be rendered",
        ))
    })
}

/// `GET /rounds/{POINT}`: the table as published (kept rendered in the page cache until the ledger or
/// its signed checkpoint moves).
pub async fn round(State(app): State<Arc<App>>, Path(point): Path<String>) -> Response {
    let r = page_cache::serve(
        Arc::clone(&app),
        "round",
        point,
        page_cache::HTML,
        |a, point| {
            with_publication(a, point, |_, p| {
                rendered(html::round_page(&p, &links(&p.point.id())))
            })
        },
    )
    .await;
    answer(&app, r)
}

/// `GET /rounds/{POINT}/corrections`: the notice of the corrections since the publication (cached as
/// the round's page).
pub async fn corrections(State(app): State<Arc<App>>, Path(point): Path<String>) -> Response {
    let r = page_cache::serve(
        Arc::clone(&app),
        "corrections",
        point,
        page_cache::HTML,
        |a, point| {
            with_publication(a, point, |_, p| {
                rendered(html::corrections_page(&p, &links(&p.point.id())))
            })
        },
    )
    .await;
    answer(&app, r)
}

/// `GET /items/{ID}`: the item's published values in each published round and the corrections made
/// to them after publication (the id read as the command line reads it, NFKC; kept rendered in the
/// page cache under the id's canonical form until the ledger or its signed checkpoint moves).
pub async fn item(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let shown = cut(&id);
    let unknown = move || {
        Missing::NotFound(format!(
            "項目「{shown}」は、公表した評価結果にありません。項目番号を確かめてください。"
        ))
    };
    let Ok(item_id) = ItemId::parse(&id) else {
        return answer(&app, Err(unknown()));
    };
    let r = page_cache::serve(
        Arc::clone(&app),
        "item",
        item_id.as_str().to_string(),
        page_cache::HTML,
        move |a, _| {
            a.ledger
                .read(|l| {
                    let Some((cp, note)) = transparency::last_signed(l.dir())? else {
                        return Err(unknown());
                    };
                    match item::item_record(l, &item_id, &cp, &note) {
                        Ok(Some(record)) => rendered(html::item_page(&record, &site())),
                        Ok(None) => Err(unknown()),
                        Err(PublishError::Ledger(e)) => Err(e.into()),
                        Err(e) => Err(Missing::Refused(Refusal::new(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "internal",
                            e.to_string(),
                        ))),
                    }
                })
                .map_err(Missing::from)
                .and_then(|x| x)
        },
    )
    .await;
    answer(&app, r)
}

/// A file of a published round to download.
struct Download {
    /// Its name in the round's address, and in the publication pack.
    name: &'static str,
    /// What the round's page calls it.
    label: &'static str,
    /// Its content type.
    content_type: &'static str,
}

/// The files of a round, in the order the page lists them.
const DOWNLOADS: [Download; 5] = [
    Download {
        name: "table.csv",
        label: "CSV（UTF-8、BOM 付き。表計算ソフト用）",
        content_type: "text/csv; charset=utf-8; header=present",
    },
    Download {
        name: "table.xlsx",
        label: "Excel ブック",
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    },
    Download {
        name: "table.json",
        label: "JSON（機械判読用）",
        content_type: "application/json",
    },
    Download {
        name: "checkpoint",
        label: "署名付きチェックポイント",
        content_type: "text/plain; charset=utf-8",
    },
    Download {
        name: "publication.tlog-proof",
        label: "公表の記録がチェックポイントに含まれることの証明（C2SP tlog-proof）",
        content_type: "text/plain; charset=utf-8",
    },
];

/// The bytes of download `name` of publication `p`.
fn file_bytes(l: &Ledger, p: &Publication, name: &str) -> Result<Vec<u8>, Missing> {
    let failed = |e: PublishError| match e {
        PublishError::Ledger(e) => Missing::from(e),
        e => Missing::Refused(Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            e.to_string(),
        )),
    };
    match name {
        "table.csv" => forms::csv(p, Encoding::Utf8 { bom: true }).map_err(failed),
        "table.xlsx" => forms::xlsx(p).map_err(failed),
        "table.json" => forms::json(p).map_err(failed),
        "checkpoint" => Ok(p.checkpoint_note.clone().into_bytes()),
        "publication.tlog-proof" => {
            Ok(
                proof::prove_inclusion(l, p.published_seq, &p.checkpoint_note)?
                    .to_text()
                    .into_bytes(),
            )
        }
        _ => Err(Missing::NotFound(format!(
            "「{}」というファイルはありません。",
            cut(name)
        ))),
    }
}

/// A file of the published round (one of [`DOWNLOADS`]), as an attachment named after the point.
async fn download(app: Arc<App>, point: String, name: &'static str) -> Response {
    let a = Arc::clone(&app);
    let r = blocking(move || {
        let Some(d) = DOWNLOADS.iter().find(|d| d.name == name) else {
            return Ok(Err(Missing::NotFound(format!(
                "「{}」というファイルはありません。",
                cut(name)
            ))));
        };
        Ok(with_publication(&a, &point, |l, p| {
            let bytes = file_bytes(l, &p, d.name)?;
            let disposition = format!("attachment; filename=\"{}-{}\"", p.point.id(), d.name);
            let mut resp = (StatusCode::OK, bytes).into_response();
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(d.content_type),
            );
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            Ok(resp)
        }))
    })
    .await;
    answer(&app, r.map_err(Missing::from).and_then(|x| x))
}

/// `GET /rounds/{POINT}/table.csv`: the table as published, UTF-8 with a BOM (the pack's `table.csv`).
pub async fn table_csv(State(app): State<Arc<App>>, Path(point): Path<String>) -> Response {
    download(app, point, "table.csv").await
}

/// `GET /rounds/{POINT}/table.xlsx`: the pack's workbook.
pub async fn table_xlsx(State(app): State<Arc<App>>, Path(point): Path<String>) -> Response {
    download(app, point, "table.xlsx").await
}

/// `GET /rounds/{POINT}/table.json`: the pack's `table.json`.
pub async fn table_json(State(app): State<Arc<App>>, Path(point): Path<String>) -> Response {
    download(app, point, "table.json").await
}

/// `GET /rounds/{POINT}/checkpoint`: the signed checkpoint the pages are bound to.
pub async fn checkpoint(State(app): State<Arc<App>>, Path(point): Path<String>) -> Response {
    download(app, point, "checkpoint").await
}

/// `GET /rounds/{POINT}/publication.tlog-proof`: the inclusion proof of the `round.published` event
/// in that checkpoint (checked by `hyoka verify-proof`).
pub async fn publication_proof(State(app): State<Arc<App>>, Path(point): Path<String>) -> Response {
    download(app, point, "publication.tlog-proof").await
}

/// `GET /assets/public.css`: the public pages' stylesheet.
pub async fn stylesheet() -> Response {
    static CSS: OnceLock<page_cache::Page> = OnceLock::new();
    page_cache::asset(&CSS, html::CSS, "text/css; charset=utf-8")
}
