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
use super::guard::{PageError, changer, error_page, no_store, point_of, viewer, with_state};
use super::render::page;
use super::sessions::Session;
use crate::domain::ident;
use crate::domain::people::{PersonState, Role};
use crate::domain::period::Period;
use crate::domain::state::State as LedgerState;

mod import;
mod problems;

use import::{Outcome, import_sheet};
pub use problems::{import_error_ja, table_error_ja};

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
}
