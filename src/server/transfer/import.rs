//! An uploaded sheet read with the `sheet` layout and recorded as the signed-in person: only the
//! department's cells at the point, each change authorized; with any problem, nothing recorded.

use axum::http::StatusCode;

use super::super::app::App;
use super::super::guard::{PageError, error_page, refused_ja};
use super::super::sessions::Session;
use super::ChangeRow;
use super::problems::import_error_ja;
use crate::domain::event::Change;
use crate::domain::ident;
use crate::domain::period::Period;

/// What an upload came to.
pub(super) enum Outcome {
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
pub(super) fn import_sheet(
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
