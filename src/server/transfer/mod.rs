//! A department's sheet, downloaded and uploaded: `GET /rounds/{point}/departments/{dept}/sheet.xlsx`
//! and `…/sheet.csv` (the bytes `hyoka sheets` writes for that department and point), `GET …/sheet`
//! (the page with both links and the upload form) and `POST …/sheet` (a filled sheet, multipart,
//! imported with the `sheet` layout as the signed-in person).
//!
//! Invariants: the sheet is made by the library's writers (`views::sheet`, `table::sheet`), at the
//! time of the ledger's last event, so the same ledger gives the same bytes as the CLI; its file name
//! reaches `Content-Disposition` only as an ASCII fallback and RFC 5987 `filename*=UTF-8''…`
//! percent-encoding. An upload is read only after its session's CSRF token (the form's first field)
//! is checked; it is bounded (the router's body limit, and [`MAX_UPLOAD`]); it may change only this
//! department's cells at this point (never the plan: titles, departments, headings), each change
//! authorized for the person; empty cells change nothing (the importer's rule); with any problem
//! nothing is recorded and every problem is shown, cell by cell, in Japanese.

use std::sync::Arc;

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Serialize;

use super::app::{App, blocking};
use super::guard::{
    PageError, changer, error_page, no_store, point_of, refused_ja, viewer, with_state,
};
use super::pages::page;
use super::sessions::Session;
use crate::domain::event::Change;
use crate::domain::ident;
use crate::domain::people::{PersonState, Role};
use crate::domain::period::Period;
use crate::domain::state::State as LedgerState;
use crate::import::error::{FileProblem, ImportError, TotalProblem};
use crate::table::error::TableFileError;

/// The largest sheet accepted, in bytes (a department's sheet is a few tens of kilobytes).
pub const MAX_UPLOAD: usize = 900 * 1024;

/// Who may download a department's sheet: its own staff and head, 行革本部 and administrators.
fn may_download(who: &PersonState, department: &str) -> bool {
    who.has(Role::Admin)
        || who.has(Role::Hq)
        || ((who.has(Role::Staff) || who.has(Role::Head))
            && ident::same(&who.department, department))
}

/// Who may upload it: its own staff and head (the ledger's rules check each change again).
fn may_upload(who: &PersonState, department: &str) -> bool {
    (who.has(Role::Staff) || who.has(Role::Head)) && ident::same(&who.department, department)
}

/// The point of the URL, which must have a round, and the department of the URL among those with
/// items at it (its spelling in the ledger).
fn round_and_department(
    st: &LedgerState,
    point: &str,
    department: &str,
) -> Result<(Period, String), PageError> {
    let period = point_of(st, point)?;
    if !st.rounds.contains_key(&period) {
        return Err(PageError::new(
            StatusCode::NOT_FOUND,
            format!(
                "{}の評価ラウンドはありません。管理者にラウンドの開始を依頼してください。",
                period.label()
            ),
        ));
    }
    let known = crate::views::sheet::departments(st, period);
    let found = known
        .iter()
        .find(|d| ident::same(d, department.trim()))
        .cloned()
        .ok_or_else(|| {
            PageError::new(
                StatusCode::NOT_FOUND,
                format!(
                    "{}に「{}」の項目はありません。課の名前を確かめてください。",
                    period.label(),
                    crate::domain::text::escape(department)
                ),
            )
        })?;
    Ok((period, found))
}

fn forbidden_department(department: &str) -> PageError {
    PageError::new(
        StatusCode::FORBIDDEN,
        format!(
            "{department}のシートは、{department}の担当・課長と、行革本部・管理者だけが扱えます。"
        ),
    )
}

/// The sheet of a department as `hyoka sheets` writes it: its file stem and the CSV or workbook.
fn sheet_bytes(
    app: &App,
    point: String,
    department: String,
    xlsx: bool,
) -> Result<(String, Vec<u8>), PageError> {
    let l = &app.ledger;
    let (view, stem) = l
        .current(|st| -> Result<_, PageError> {
            let (period, dept) = round_and_department(st, &point, &department)?;
            let views = crate::views::sheet::sheets(st, period, &[]);
            let names: Vec<String> = views.iter().map(|v| v.department.clone()).collect();
            let stems = crate::table::sheet::unique_stems(period, &names);
            match names.iter().position(|n| *n == dept) {
                Some(i) => Ok((views[i].clone(), stems[i].clone())),
                None => Err(PageError::new(
                    StatusCode::NOT_FOUND,
                    "この課のシートはありません。",
                )),
            }
        })
        .map_err(|e| error_page(&e))??;
    // The workbook's time: the last event's (as `hyoka sheets`), so the same ledger gives the same
    // bytes.
    let created = l
        .read(|l| match l.len() {
            0 => Ok(0),
            n => l
                .event(n - 1)
                .map(|e| e.event.recorded_at.div_euclid(1_000_000_000)),
        })
        .and_then(|r| r)
        .map_err(|e| error_page(&e))?;
    let bytes = match xlsx {
        false => crate::table::sheet::csv(&view),
        true => crate::table::sheet::xlsx(&view, created).map_err(|e| {
            tracing::error!("making a sheet: {e}");
            PageError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "シートを作れませんでした。サーバーの管理者に連絡してください。",
            )
        })?,
    };
    Ok((stem, bytes))
}

/// The `Content-Disposition` of an attachment named `name`: an ASCII fallback (`filename`, each other
/// character `_`) and the name itself (`filename*`, RFC 5987 / RFC 6266).
pub fn content_disposition(name: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    // RFC 5987 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`"
    // / "|" / "~".
    const ATTR: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'!')
        .remove(b'#')
        .remove(b'$')
        .remove(b'&')
        .remove(b'+')
        .remove(b'-')
        .remove(b'.')
        .remove(b'^')
        .remove(b'_')
        .remove(b'`')
        .remove(b'|')
        .remove(b'~');
    let ascii: String = name
        .chars()
        .map(|c| match c {
            c if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') => c,
            _ => '_',
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8_percent_encode(name, ATTR)
    )
}

async fn download(
    app: Arc<App>,
    headers: HeaderMap,
    point: String,
    department: String,
    xlsx: bool,
) -> Result<Response, PageError> {
    let (_, who) = viewer(&app, &headers).await?;
    let d = department.clone();
    let p = point.clone();
    let (_, dept) = with_state(&app, move |st| round_and_department(st, &p, &d)).await??;
    if !may_download(&who, &dept) {
        return Err(forbidden_department(&dept));
    }
    let a = Arc::clone(&app);
    let (stem, bytes) = blocking(move || Ok(sheet_bytes(&a, point, department, xlsx)))
        .await
        .map_err(|r| PageError::from_refusal(&r))??;
    let (ext, mime) = match xlsx {
        true => (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        false => ("csv", "text/csv; charset=utf-8"),
    };
    let disposition = HeaderValue::from_str(&content_disposition(&format!("{stem}.{ext}")))
        .map_err(|_| PageError::new(StatusCode::INTERNAL_SERVER_ERROR, "シートを送れません。"))?;
    let mut r = (
        [(header::CONTENT_TYPE, HeaderValue::from_static(mime))],
        bytes,
    )
        .into_response();
    r.headers_mut()
        .insert(header::CONTENT_DISPOSITION, disposition);
    no_store(&mut r);
    Ok(r)
}

/// `GET /rounds/{point}/departments/{dept}/sheet.xlsx`.
pub async fn sheet_xlsx(
    State(app): State<Arc<App>>,
    Path((point, department)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    download(app, headers, point, department, true).await
}

/// `GET /rounds/{point}/departments/{dept}/sheet.csv`.
pub async fn sheet_csv(
    State(app): State<Arc<App>>,
    Path((point, department)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    download(app, headers, point, department, false).await
}

/// One change an upload recorded, for the page.
#[derive(Serialize)]
struct ChangeRow {
    id: String,
    title: String,
    what: &'static str,
    value: String,
}

/// What the upload page shows.
#[derive(Default)]
struct UploadView {
    notice: Option<String>,
    error: Option<String>,
    problems: Vec<String>,
    omitted: usize,
    changes: Vec<ChangeRow>,
}

fn upload_page(
    s: &Session,
    period: Period,
    department: &str,
    status: StatusCode,
    v: UploadView,
) -> Response {
    let base = format!(
        "/rounds/{}/departments/{}",
        period.id(),
        super::guard::segment(department)
    );
    let mut r = page(
        status,
        "sheet_upload.html",
        context! {
            title => format!("{department}のシート（{}）", period.label()),
            label => period.label(),
            department => department,
            base => base,
            notice => v.notice,
            error => v.error,
            problems => v.problems,
            omitted => v.omitted,
            changes => minijinja::value::Serde(&v.changes),
            max_kib => MAX_UPLOAD / 1024,
            person => s.person.clone(),
            csrf => s.csrf.clone(),
        },
    );
    no_store(&mut r);
    r
}

/// `GET /rounds/{point}/departments/{dept}/sheet`: the download links and the upload form.
pub async fn sheet_page(
    State(app): State<Arc<App>>,
    Path((point, department)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (s, who) = viewer(&app, &headers).await?;
    let (period, dept) = with_state(&app, move |st| {
        round_and_department(st, &point, &department)
    })
    .await??;
    if !may_download(&who, &dept) {
        return Err(forbidden_department(&dept));
    }
    Ok(upload_page(
        &s,
        period,
        &dept,
        StatusCode::OK,
        UploadView::default(),
    ))
}

/// A file name from a browser made safe: its last path component, without control or invisible
/// characters, at most 100 characters; by its bytes, `.xlsx` for a workbook and `.csv` else when its
/// name says neither.
fn file_name(given: Option<&str>, bytes: &[u8]) -> String {
    let base = given
        .unwrap_or("")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control() && !crate::domain::invisible::is_invisible(*c))
        .take(100)
        .collect::<String>();
    let base = base.trim().to_string();
    let lower = base.to_ascii_lowercase();
    let workbook = crate::table::grid::is_workbook(bytes);
    match (workbook, lower.ends_with(".xlsx"), lower.ends_with(".csv")) {
        (true, true, _) | (false, _, true) => base,
        (true, false, _) => format!("{}.xlsx", if base.is_empty() { "sheet" } else { &base }),
        (false, _, false) => format!("{}.csv", if base.is_empty() { "sheet" } else { &base }),
    }
}

/// `POST /rounds/{point}/departments/{dept}/sheet`: a filled sheet imported as the signed-in person.
pub async fn upload(
    State(app): State<Arc<App>>,
    Path((point, department)): Path<(String, String)>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let bad_form = || {
        PageError::new(
            StatusCode::BAD_REQUEST,
            "送られたフォームを読めません。シートのページを開き直して、ファイルを選んでから送ってください。",
        )
    };
    let mut mp = multipart.map_err(|_| bad_form())?;
    let too_big = || {
        PageError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "ファイルが大きすぎます（{} KiB まで）。この課のシートだけを送ってください。",
                MAX_UPLOAD / 1024
            ),
        )
    };
    let field_error = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_big()
        } else {
            bad_form()
        }
    };
    // The CSRF token comes first: nothing of the file is read before it is checked.
    let mut signed: Option<(Session, PersonState)> = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(mut field) = mp.next_field().await.map_err(&field_error)? {
        let name = field.name().map(str::to_string);
        match (name.as_deref(), signed.is_some()) {
            (Some("csrf"), false) => {
                let token = field.text().await.map_err(&field_error)?;
                if token.len() > 200 {
                    return Err(bad_form());
                }
                signed = Some(changer(&app, &headers, &token).await?);
            }
            (Some("file"), true) if file.is_none() => {
                let name = field.file_name().map(str::to_string);
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(&field_error)? {
                    if bytes.len() + chunk.len() > MAX_UPLOAD {
                        return Err(too_big());
                    }
                    bytes.extend_from_slice(&chunk);
                }
                file = Some((file_name(name.as_deref(), &bytes), bytes));
            }
            (_, false) => {
                // Anything before the token: the session and its token are checked as for any
                // change (without a token, refused).
                changer(&app, &headers, "").await?;
                return Err(bad_form());
            }
            _ => return Err(bad_form()),
        }
    }
    let Some((s, who)) = signed else {
        changer(&app, &headers, "").await?;
        return Err(bad_form());
    };
    let d = department.clone();
    let (period, dept) = with_state(&app, move |st| round_and_department(st, &point, &d)).await??;
    if !may_upload(&who, &dept) {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            format!("{dept}のシートを取り込めるのは、{dept}の担当と課長だけです。"),
        ));
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let v = UploadView {
            error: Some("ファイルを選んでから送ってください。".into()),
            ..UploadView::default()
        };
        return Ok(upload_page(&s, period, &dept, StatusCode::BAD_REQUEST, v));
    };
    let a = Arc::clone(&app);
    let person = s.clone();
    let d = dept.clone();
    let outcome = blocking(move || Ok(import_sheet(&a, &person, period, &d, &name, &bytes)))
        .await
        .map_err(|r| PageError::from_refusal(&r))?;
    Ok(match outcome {
        Ok(Outcome::Recorded { seq, changes }) => {
            let v = UploadView {
                notice: Some(format!(
                    "シートを取り込み、{}件の変更を記録しました（記録 #{seq} から）。",
                    changes.len()
                )),
                changes,
                ..UploadView::default()
            };
            upload_page(&s, period, &dept, StatusCode::OK, v)
        }
        Ok(Outcome::Nothing) => {
            let v = UploadView {
                notice: Some(
                    "シートを読みました。台帳と違うところはなく、何も記録していません（空欄は何も変えません）。"
                        .into(),
                ),
                ..UploadView::default()
            };
            upload_page(&s, period, &dept, StatusCode::OK, v)
        }
        Ok(Outcome::Problems { list, omitted }) => {
            let v = UploadView {
                error: Some(format!(
                    "シートに直すところが{}件あります。何も記録していません。直してからもう一度送ってください。",
                    list.len() + omitted
                )),
                problems: list,
                omitted,
                ..UploadView::default()
            };
            upload_page(&s, period, &dept, StatusCode::BAD_REQUEST, v)
        }
        Err(e) => {
            let v = UploadView {
                error: Some(e.message),
                ..UploadView::default()
            };
            upload_page(&s, period, &dept, e.status, v)
        }
    })
}

/// What an upload came to.
enum Outcome {
    /// Recorded, from `seq`.
    Recorded { seq: u64, changes: Vec<ChangeRow> },
    /// Nothing differs.
    Nothing,
    /// Problems, nothing recorded (the first ones, and how many more).
    Problems { list: Vec<String>, omitted: usize },
}

/// The most problems listed on the page.
const MAX_SHOWN: usize = 100;

fn problems(all: Vec<String>) -> Outcome {
    let omitted = all.len().saturating_sub(MAX_SHOWN);
    let list = all.into_iter().take(MAX_SHOWN).collect();
    Outcome::Problems { list, omitted }
}

/// Reads `bytes` (the file `name`) with the `sheet` layout and records, as the person of `s`, what
/// it changes of `department`'s cells at `period`.
fn import_sheet(
    app: &App,
    s: &Session,
    period: Period,
    department: &str,
    name: &str,
    bytes: &[u8],
) -> Result<Outcome, PageError> {
    use crate::import::prepare::{Reading, check_grades, check_totals, prepare_with};
    let layout = crate::table::layout::known_by_name("sheet").ok_or_else(|| {
        PageError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "シートの様式が見つかりません。",
        )
    })?;
    let (state, provenance) = app
        .ledger
        .read(|l| l.state_and_provenance())
        .and_then(|r| r)
        .map_err(|e| error_page(&e))?;
    let plan_era = state.plan.as_ref().and_then(|p| p.default_era);
    let grades = state
        .plan
        .as_ref()
        .map(|p| p.grades.clone())
        .unwrap_or_default();
    let reading = Reading {
        file_name: name,
        layout: Some(&layout),
        sheet: None,
        point: None,
    };
    let prepared = match prepare_with(bytes, &reading, None, plan_era) {
        Ok(p) => p,
        Err(e) => return Ok(problems(import_error_ja(&e))),
    };
    if let Err(e) = check_grades(&prepared, &grades).and_then(|()| check_totals(&prepared)) {
        return Ok(problems(import_error_ja(&e)));
    }
    let mut found = Vec::new();
    if prepared.periods != [period] {
        let labels: Vec<String> = prepared.periods.iter().map(|p| p.label()).collect();
        found.push(format!(
            "{}行目: このシートは{}のものです。{}のシートをダウンロードして使ってください。",
            prepared.table.header_line,
            labels.join("・"),
            period.label()
        ));
    }
    for row in &prepared.table.rows {
        match state.items.get(&row.id) {
            None => found.push(format!(
                "{}行目: 項目 {} は台帳にありません。シートに行を足さないでください。",
                row.line, row.id
            )),
            Some(item) if !ident::same(&item.department, department) => found.push(format!(
                "{}行目: 項目 {} は{}の項目です。{department}のシートにない行は消してください。",
                row.line, row.id, item.department
            )),
            Some(_) => {}
        }
    }
    if !found.is_empty() {
        return Ok(problems(found));
    }
    let planned = match crate::import::plan::plan_changes(&state, &provenance, &prepared, false) {
        Ok(p) => p,
        Err(e) => return Ok(problems(import_error_ja(&e))),
    };
    for c in &planned.conflicts {
        found.push(format!(
            "{}行目: この欄は、前に取り込んだ後に画面などで変更されています（台帳では「{}」、シートでは「{}」）。シートをダウンロードし直してから記入してください。",
            c.line, c.ledger, c.file
        ));
    }
    let mut rows = Vec::new();
    for (c, line) in planned.changes.iter().zip(&planned.lines) {
        let (item, at, what, value) = match c {
            Change::RatingRecorded {
                item,
                period,
                grade,
            } => (item, period, "評価", grade.clone()),
            Change::RatingWithdrawn { item, period } => {
                (item, period, "評価の取消し", String::new())
            }
            Change::FollowUpSet {
                item,
                period,
                flagged,
            } => (
                item,
                period,
                "フォローアップ対象",
                (if *flagged { "○" } else { "（外す）" }).to_string(),
            ),
            Change::RemarkSet { item, period, text } => (item, period, "理由等", text.clone()),
            Change::ItemExcluded { item, period } => (item, period, "対象外", String::new()),
            Change::ExclusionWithdrawn { item, period } => {
                (item, period, "対象外の取消し", String::new())
            }
            _ => {
                found.push(format!(
                    "{line}行目: 区分・項目・所管課の欄は変えられません（計画の変更は管理者が行います）。シートをダウンロードし直して、評価・フォローアップ対象・理由等の欄だけに記入してください。"
                ));
                continue;
            }
        };
        if *at != period {
            found.push(format!(
                "{line}行目: {}の欄は取り込めません。{}の欄だけに記入してください。",
                at.label(),
                period.label()
            ));
            continue;
        }
        if let Err(r) = state.authorize(&s.person, c) {
            found.push(format!("{line}行目: {}", refused_ja(&r)));
            continue;
        }
        rows.push(ChangeRow {
            id: item.to_string(),
            title: state
                .items
                .get(item)
                .map(|i| i.title.clone())
                .unwrap_or_default(),
            what,
            value,
        });
    }
    if !found.is_empty() {
        return Ok(problems(found));
    }
    if planned.changes.is_empty() {
        return Ok(Outcome::Nothing);
    }
    let receipt = app
        .ledger
        .append_from(
            &s.person,
            &format!("シートの取り込み: {name}"),
            Some(s.signer.clone()),
            Some(prepared.source.clone()),
            &planned.changes,
        )
        .map_err(|e| error_page(&e))?;
    Ok(Outcome::Recorded {
        seq: receipt.first_seq,
        changes: rows,
    })
}

/// An import's problems in Japanese, one sentence each (a cell's: its line, column and header).
pub fn import_error_ja(e: &ImportError) -> Vec<String> {
    match e {
        ImportError::Table(t) => table_error_ja(t),
        ImportError::Refused { line, refused } => {
            vec![format!("{line}行目: {}", refused_ja(refused))]
        }
        ImportError::Problem(p) => vec![file_problem_ja(p)],
        ImportError::PointNeeded {
            line,
            column,
            header,
        } => vec![format!(
            "{line}行目、{column}列目（{header}）: 見出しにどの時点の評価かが書かれていません。ダウンロードしたシートの見出しのまま使ってください。"
        )],
        ImportError::EraNeeded { line, label } => vec![format!(
            "{line}行目: 時点の列「{label}」の元年が平成か令和か分かりません。元号を書いてください。"
        )],
        ImportError::NoPlan => {
            vec!["この台帳には計画がありません。管理者に計画の取り込みを依頼してください。".into()]
        }
    }
}

fn file_problem_ja(p: &FileProblem) -> String {
    match p {
        FileProblem::PointGiven { line, .. } => format!(
            "{line}行目: 見出しがすべての評価の列の時点を示しています。見出しは変えずに使ってください。"
        ),
        FileProblem::PeriodColumn { line, label, .. } => format!(
            "{line}行目: 時点の列「{label}」は、この計画の評価時点として読めません。ダウンロードしたシートの見出しのまま使ってください。"
        ),
        FileProblem::PeriodTwice { line, period } => {
            format!("{line}行目: {period}の列が2つあります。1つにしてください。")
        }
        FileProblem::Totals { problems } => {
            let lines: Vec<String> = problems
                .iter()
                .map(|t| match t {
                    TotalProblem::Count { line, .. }
                    | TotalProblem::Columns { line, .. }
                    | TotalProblem::FollowUp { line, .. } => line.to_string(),
                })
                .collect();
            format!(
                "{}行目: 集計の行がシートの行と合いません。集計の行を消すか直してください。",
                lines.join("・")
            )
        }
    }
}

/// Where a cell is: `12行目、8列目（評価（令和2年度末））`.
fn place(line: usize, column: usize, header: &str) -> String {
    match header.is_empty() {
        true => format!("{line}行目、{column}列目"),
        false => format!("{line}行目、{column}列目（{header}）"),
    }
}

/// A table file's problems in Japanese (each of several on its own).
pub fn table_error_ja(e: &TableFileError) -> Vec<String> {
    use TableFileError as T;
    let one = |s: String| vec![s];
    match e {
        T::Many { problems, omitted } => {
            let mut out: Vec<String> = problems.iter().flat_map(table_error_ja).collect();
            if *omitted > 0 {
                out.push(format!("ほかに{omitted}件の問題があります。"));
            }
            out
        }
        T::InvalidUtf8 { line } | T::InvalidUtf16 { line } => one(format!(
            "{line}行目: 文字コードを読めません。Excel で「CSV UTF-8」として保存し直すか、.xlsx のまま送ってください。"
        )),
        T::NotText { line, .. } => one(format!(
            "{line}行目: 文字として読めないファイルです。ダウンロードしたシート（.xlsx か .csv）を使ってください。"
        )),
        T::Workbook { .. } => one(
            "1行目: ファイルを表として読めません。Excel ブック（.xlsx）か CSV（UTF-8）で保存し直してください。".into(),
        ),
        T::NoSuchSheet { .. } => one("1行目: ブックに読み込むシートがありません。".into()),
        T::Empty { line } => one(format!("{line}行目: ファイルが空です。")),
        T::StrayBom { line } => one(format!(
            "{line}行目: 行の先頭に余計な印（BOM）があります。2つのファイルをつなげていないか確かめてください。"
        )),
        T::NoHeader { line, .. } | T::NoKnownLayout { line, .. } => one(format!(
            "{line}行目: シートの見出しの行が見つかりません。ダウンロードしたシートの見出し（区分・No.・項目・所管課・評価（時点）…）を消さずに使ってください。"
        )),
        T::UnknownColumn {
            line,
            column,
            header,
            ..
        } => one(format!(
            "{line}行目、{column}列目: 見出し「{header}」はシートの列ではありません。足した列は消してください。"
        )),
        T::DuplicateColumn {
            line,
            first_column,
            column,
            header,
            ..
        } => one(format!(
            "{line}行目: {first_column}列目と{column}列目が同じ列（{header}）です。1つにしてください。"
        )),
        T::NoPeriods { line } | T::PeriodWithoutYear { line, .. } => one(format!(
            "{line}行目: 評価の列の見出しに時点がありません。ダウンロードしたシートの見出しのまま使ってください。"
        )),
        T::HeaderMismatch { line, .. } => one(format!(
            "{line}行目: 見出しが最初の見出しと違います。見出しは1行にしてください。"
        )),
        T::NoDataRows { line } => one(format!("{line}行目: 見出しの後に項目の行がありません。")),
        T::TooFewColumns {
            line,
            expected,
            found,
            ..
        } => one(format!(
            "{line}行目: 列が足りません（{expected}列以上のところ{found}列）。行が途中で切れていないか確かめてください。"
        )),
        T::TooManyColumns {
            line,
            column,
            header,
            cell,
            ..
        } => one(format!(
            "{}: 余計な値「{cell}」があります。消してください。",
            place(*line, *column, header)
        )),
        T::BadId {
            line,
            column,
            header,
            cell,
        }
        | T::IdWithNo {
            line,
            column,
            header,
            cell,
        } => one(format!(
            "{}: 「{cell}」は項目番号として読めません。ダウンロードしたときの番号のままにしてください。",
            place(*line, *column, header)
        )),
        T::MissingTitle {
            line,
            column,
            header,
            id,
            ..
        } => one(format!(
            "{}: 項目 {id} の名前がありません。",
            place(*line, *column, header)
        )),
        T::DuplicateId {
            line,
            column,
            header,
            first_line,
            id,
            ..
        } => one(format!(
            "{}: 項目 {id} は{first_line}行目にもあります。1行にしてください。",
            place(*line, *column, header)
        )),
        T::MissingHeading {
            line,
            column,
            header,
        } => one(format!(
            "{}: 最初の項目の行に区分がありません。",
            place(*line, *column, header)
        )),
        T::BadMark {
            line,
            column,
            header,
            cell,
        } => one(format!(
            "{}: フォローアップ対象の欄の「{cell}」は読めません。対象なら ○ を、そうでなければ空欄にしてください。",
            place(*line, *column, header)
        )),
        T::BadCount {
            line,
            column,
            header,
            cell,
            ..
        } => one(format!(
            "{}: 集計の「{cell}」は数として読めません。集計の行は消してください。",
            place(*line, *column, header)
        )),
        T::NotInScale(n) => one(format!(
            "{}: 項目 {} の{}の評価「{}」は計画の評価段階にありません。{}、対象外のいずれかにするか、空欄にしてください。",
            place(n.line, n.column, &n.header),
            n.id,
            n.point,
            n.grade,
            n.scale.join("・")
        )),
        T::DuplicateFollowUpTotal { line, .. } | T::RowAfterTotals { line, .. } => one(format!(
            "{line}行目: 集計の行があります。シートには集計の行は要りません。消してください。"
        )),
        T::CsvQuoting { line, .. } | T::Csv { line, .. } => one(format!(
            "{line}行目: CSV の引用符（\"）の使い方が正しくありません。Excel で「CSV UTF-8」として保存し直してください。"
        )),
        T::Identifier {
            line,
            column,
            header,
            ..
        } => one(format!(
            "{}: 使えない文字（制御文字や見えない文字など）があるか、書き方が正しくありません。書き直してください。",
            place(*line, *column, header)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_department_name_gives_a_safe_content_disposition() {
        let d = content_disposition("FY2020-YE_総務課\"; x=\r\n.csv");
        assert!(d.is_ascii(), "{d}");
        assert!(
            d.starts_with("attachment; filename=\"FY2020-YE_______x___.csv\"; filename*=UTF-8''FY2020-YE_%E7%B7%8F%E5%8B%99%E8%AA%B2%22%3B%20x%3D%0D%0A.csv"),
            "{d}"
        );
        assert!(HeaderValue::from_str(&d).is_ok());
    }

    #[test]
    fn a_file_name_from_a_browser_is_its_last_component() {
        assert_eq!(
            file_name(Some("C:\\Users\\a\\総務課.csv"), b"a"),
            "総務課.csv"
        );
        assert_eq!(file_name(Some("../../x"), b"a"), "x.csv");
        assert_eq!(file_name(None, b"PK\x03\x04"), "sheet.xlsx");
        assert_eq!(file_name(Some("a.xlsx"), b"PK\x03\x04"), "a.xlsx");
    }

    #[test]
    fn cell_problems_are_japanese_with_their_place() {
        let e = TableFileError::BadMark {
            line: 3,
            column: 9,
            header: "フォローアップ対象（令和2年度末）".into(),
            cell: "x".into(),
        };
        let ja = table_error_ja(&TableFileError::Many {
            problems: vec![e.clone(), e],
            omitted: 2,
        });
        assert_eq!(ja.len(), 3);
        assert!(
            ja[0].starts_with("3行目、9列目（フォローアップ対象（令和2年度末））: "),
            "{ja:?}"
        );
        assert_eq!(ja[2], "ほかに2件の問題があります。");
    }
}
