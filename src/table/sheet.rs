//! A department's sheet for a point ([`crate::views::sheet::SheetView`]) as a file: CSV (UTF-8 with a
//! BOM, as Excel in Japan opens it; CRLF) and an `.xlsx` workbook (rust_xlsxwriter), in the layout
//! `sheet` (`fixtures/layouts/sheet.toml`), which the importer knows: one header row, one value per
//! cell, no merged cells.
//!
//! The columns: 区分 | No. | 項目 | 所管課 | （参考）評価（<previous point>） | （参考）フォローアップ対象（…）
//! | （参考）理由等（…） | 評価（<point>） | フォローアップ対象（<point>） | 理由等（<point>）. The reference
//! columns (only when there is a previous rated point) start with `（参考）`, which the layout ignores:
//! nothing in them is ever read. The header of the grade column names the point, so the importer needs
//! no point given.
//!
//! Invariants: the same view gives the same bytes (the workbook's times are the `created` time given,
//! its zip entries dated as rust_xlsxwriter dates them, at a fixed time); CSV cells are escaped against
//! formulas as hyoka's CSV is ([`neutralise_cell`]; the layout undoes it); a workbook holds text
//! cells only, never a formula; file names and sheet names are made safe here ([`file_stem`],
//! [`sheet_name`]); nothing here touches the file system.

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties,
    ExcelDateTime, Format, FormatBorder, ProtectionOptions, Workbook, XlsxError,
};

use crate::table::cells::neutralise_cell;
use crate::views::NOT_EVALUATED;
use crate::views::render::MARK;
use crate::views::sheet::{SheetRow, SheetView};

/// The heading column's header.
pub const HEADING: &str = "区分";
/// The id column's header.
pub const ID: &str = "No.";
/// The title column's header.
pub const TITLE: &str = "項目";
/// The department column's header.
pub const DEPARTMENT: &str = "所管課";
/// What a reference column's header starts with (the layout ignores such columns).
pub const REFERENCE: &str = "（参考）";

/// A sheet that could not be made (rust_xlsxwriter's refusal, in its words).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the workbook could not be made: {0}")]
pub struct SheetError(pub String);

impl From<XlsxError> for SheetError {
    fn from(e: XlsxError) -> Self {
        SheetError(e.to_string())
    }
}

/// What a column of a sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Fixed,
    Reference,
    Grade,
    FollowUp,
    Remark,
}

/// The header row: its texts and what each column holds.
fn columns(view: &SheetView) -> Vec<(String, Kind, f64)> {
    let mut out = vec![
        (HEADING.to_string(), Kind::Fixed, 22.0),
        (ID.to_string(), Kind::Fixed, 7.0),
        (TITLE.to_string(), Kind::Fixed, 40.0),
        (DEPARTMENT.to_string(), Kind::Fixed, 14.0),
    ];
    if let Some(r) = view.reference {
        let r = r.label();
        out.push((format!("{REFERENCE}評価（{r}）"), Kind::Reference, 14.0));
        out.push((
            format!("{REFERENCE}フォローアップ対象（{r}）"),
            Kind::Reference,
            14.0,
        ));
        out.push((format!("{REFERENCE}理由等（{r}）"), Kind::Reference, 36.0));
    }
    let p = view.point.label();
    out.push((format!("評価（{p}）"), Kind::Grade, 14.0));
    out.push((format!("フォローアップ対象（{p}）"), Kind::FollowUp, 14.0));
    out.push((format!("理由等（{p}）"), Kind::Remark, 40.0));
    out
}

/// The header row's texts.
#[must_use]
pub fn header(view: &SheetView) -> Vec<String> {
    columns(view).into_iter().map(|(h, _, _)| h).collect()
}

/// A row's cells, in the header's order.
fn cells(row: &SheetRow, reference: bool) -> Vec<String> {
    let mut out = vec![
        row.heading.clone(),
        row.id.to_string(),
        row.title.clone(),
        row.department.clone(),
    ];
    if reference {
        let r = row.reference.clone().unwrap_or_default();
        out.push(r.grade);
        out.push(if r.follow_up {
            MARK.into()
        } else {
            String::new()
        });
        out.push(r.remark);
    }
    out.push(if row.excluded {
        NOT_EVALUATED.into()
    } else {
        String::new()
    });
    out.push(String::new());
    out.push(String::new());
    out
}

/// The sheet as CSV: a UTF-8 BOM, then RFC 4180 with CRLF line ends, every cell escaped against
/// formulas.
#[must_use]
pub fn csv(view: &SheetView) -> Vec<u8> {
    let mut out = "\u{FEFF}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        let reference = view.reference.is_some();
        let rows =
            std::iter::once(header(view)).chain(view.rows.iter().map(|r| cells(r, reference)));
        for record in rows {
            // Writing to a Vec cannot fail, and every record has the header's length.
            let _ = w.write_record(record.iter().map(|c| neutralise_cell(c).into_owned()));
        }
        let _ = w.flush();
    }
    out
}

/// Grades joined for a list validation: Excel keeps at most 255 characters.
const MAX_LIST_CHARS: usize = 255;

/// The sheet as an `.xlsx` workbook of one worksheet named for the department ([`sheet_name`]): the
/// header bold, wrapped and frozen; the reference columns shaded grey and locked, the cells to fill
/// unlocked and tinted (the sheet protected without a password, so that only they change); a drop-down
/// of the plan's grades and 対象外 on the grade cells (a whole number from 0 to 100 for a progress
/// scale), of ○ on the follow-up cells; column widths set; the document's properties and times fixed
/// (`created`, seconds since the Unix epoch), so that the same view gives the same bytes.
///
/// # Errors
///
/// [`SheetError`] when rust_xlsxwriter refuses something (a value past Excel's limits).
pub fn xlsx(view: &SheetView, created: i64) -> Result<Vec<u8>, SheetError> {
    let mut book = Workbook::new();
    let when = ExcelDateTime::from_timestamp(created.clamp(0, 253_402_300_799))?;
    let props = DocProperties::new()
        .set_title(format!(
            "{} {} {}",
            view.plan,
            view.point.label(),
            view.department
        ))
        .set_subject(format!("{} ({})", view.point.label(), view.point.id()))
        .set_author("hyoka")
        .set_comment("hyoka sheets")
        .set_creation_datetime(&when);
    book.set_properties(&props);
    let cols = columns(view);
    let border = |f: Format| f.set_border(FormatBorder::Thin);
    let head = border(Format::new().set_bold().set_text_wrap());
    let head_ref = head.clone().set_background_color(Color::RGB(0x00D9_D9D9));
    let head_fill = head.clone().set_background_color(Color::RGB(0x00FF_F2CC));
    let fixed = border(Format::new().set_text_wrap());
    let reference = fixed.clone().set_background_color(Color::RGB(0x00EE_EEEE));
    let fill = border(Format::new().set_text_wrap().set_unlocked())
        .set_background_color(Color::RGB(0x00FF_FBE6));
    let sheet = book.add_worksheet();
    // A name rust_xlsxwriter still refuses (a rule of Excel's not known here) falls back to a plain one.
    if sheet.set_name(sheet_name(&view.department)).is_err() {
        sheet.set_name("sheet")?;
    }
    for (c, (text, kind, width)) in cols.iter().enumerate() {
        let c = u16::try_from(c).map_err(|_| SheetError("too many columns".into()))?;
        let f = match kind {
            Kind::Fixed => &head,
            Kind::Reference => &head_ref,
            _ => &head_fill,
        };
        sheet.write_string_with_format(0, c, text, f)?;
        sheet.set_column_width(c, *width)?;
    }
    let with_reference = view.reference.is_some();
    for (r, row) in view.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| SheetError("too many rows".into()))?;
        for (c, (text, (_, kind, _))) in cells(row, with_reference).iter().zip(&cols).enumerate() {
            let c = u16::try_from(c).map_err(|_| SheetError("too many columns".into()))?;
            let f = match kind {
                Kind::Fixed => &fixed,
                Kind::Reference => &reference,
                _ => &fill,
            };
            match text.is_empty() {
                true => sheet.write_blank(r, c, f)?,
                false => sheet.write_string_with_format(r, c, text, f)?,
            };
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let last = u32::try_from(view.rows.len()).map_err(|_| SheetError("too many rows".into()))?;
    let at = |k: Kind| {
        cols.iter()
            .position(|(_, kind, _)| *kind == k)
            .and_then(|c| u16::try_from(c).ok())
    };
    if last > 0 {
        if let Some(c) = at(Kind::Grade)
            && let Some(v) = grade_validation(view)?
        {
            sheet.add_data_validation(1, c, last, c, &v)?;
        }
        if let Some(c) = at(Kind::FollowUp) {
            let v = DataValidation::new().allow_list_strings(&[MARK])?;
            sheet.add_data_validation(1, c, last, c, &v)?;
        }
    }
    sheet.protect_with_options(&ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::default()
    });
    Ok(book.save_to_buffer()?)
}

/// The validation of the grade cells: the plan's grades and 対象外 as a drop-down (none when they do
/// not fit Excel's 255 characters), or for a progress scale a whole number from 0 to 100 (a warning
/// only, so that 対象外 can still be written).
fn grade_validation(view: &SheetView) -> Result<Option<DataValidation>, SheetError> {
    if view.progress {
        return Ok(Some(
            DataValidation::new()
                .allow_whole_number(DataValidationRule::Between(0, 100))
                .set_error_style(DataValidationErrorStyle::Warning),
        ));
    }
    let mut list: Vec<&str> = view.grades.iter().map(String::as_str).collect();
    list.push(NOT_EVALUATED);
    let chars: usize = list.iter().map(|g| g.chars().count() + 1).sum();
    // A grade with a comma or a quote cannot stand in Excel's list.
    if chars > MAX_LIST_CHARS || list.iter().any(|g| g.contains([',', '"'])) {
        return Ok(None);
    }
    Ok(Some(DataValidation::new().allow_list_strings(&list)?))
}

/// The longest department part of a file name, in characters (a name stays well under the 255 bytes
/// file systems allow).
const MAX_NAME_CHARS: usize = 60;

/// The stem of a sheet's file name: the point's canonical id and the department, `FY2015-YE_市民協働課`,
/// made safe on Windows and Linux: no path separator, no control or invisible character, none of
/// `<>:"/\|?*`, no trailing dot or space (Windows drops them), and never a reserved device name (`CON`, `NUL`: the
/// point's id comes first); each character refused is `_` (white space too), trailing ones dropped.
/// Two departments whose stems are equal (also ignoring case, as Windows does) are told apart by the
/// caller ([`unique_stems`]).
#[must_use]
pub fn file_stem(point: crate::domain::period::Period, department: &str) -> String {
    let mut dept: String = department
        .chars()
        .map(|c| {
            if c.is_control()
                || crate::domain::invisible::is_invisible(c)
                || c.is_whitespace()
                || matches!(c, '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*')
            {
                '_'
            } else {
                c
            }
        })
        .take(MAX_NAME_CHARS)
        .collect();
    dept = dept.trim_end_matches(['.', ' ', '_']).to_string();
    if dept.trim_matches('_').is_empty() {
        dept = "dept".to_string();
    }
    format!("{}_{dept}", point.id())
}

/// The stems of the sheets of `departments` ([`file_stem`]), each unique, also ignoring case: a stem
/// met before gets `-2`, `-3`, … in the order given.
#[must_use]
pub fn unique_stems(point: crate::domain::period::Period, departments: &[String]) -> Vec<String> {
    let mut taken: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for d in departments {
        let base = file_stem(point, d);
        let mut stem = base.clone();
        let mut n = 2;
        while taken.contains(&stem.to_lowercase()) {
            stem = format!("{base}-{n}");
            n += 1;
        }
        taken.push(stem.to_lowercase());
        out.push(stem);
    }
    out
}

/// A worksheet's name for a department, by Excel's rules: 1 to 31 characters, none of `[]:*?/\`, not
/// starting or ending with `'`, not `History`; each character refused is `_`.
#[must_use]
pub fn sheet_name(department: &str) -> String {
    let mut name: String = department
        .chars()
        .map(|c| {
            if c.is_control()
                || crate::domain::invisible::is_invisible(c)
                || matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\')
            {
                '_'
            } else {
                c
            }
        })
        .take(31)
        .collect();
    name = name.trim_matches('\'').trim().to_string();
    if name.is_empty() || name.eq_ignore_ascii_case("history") {
        name = format!("{name}_").trim_start_matches('_').to_string();
        if name.is_empty() {
            name = "sheet".into();
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::period::{Part, Period};

    const YE: Period = Period {
        fiscal_year: 2015,
        part: Part::YearEnd,
    };

    #[test]
    fn file_names_are_safe_and_unique() {
        assert_eq!(file_stem(YE, "市民協働課"), "FY2015-YE_市民協働課");
        assert_eq!(file_stem(YE, "総務/財政"), "FY2015-YE_総務_財政");
        assert_eq!(file_stem(YE, "a\\b:c*?\"<>|"), "FY2015-YE_a_b_c");
        assert_eq!(file_stem(YE, "課.. "), "FY2015-YE_課");
        assert_eq!(file_stem(YE, "../.."), "FY2015-YE_dept");
        assert_eq!(file_stem(YE, "CON"), "FY2015-YE_CON");
        assert_eq!(file_stem(YE, "市民 協働課\n"), "FY2015-YE_市民_協働課");
        assert_eq!(file_stem(YE, "\u{202E}\u{7}"), "FY2015-YE_dept");
        assert_eq!(file_stem(YE, &"課".repeat(300)).chars().count(), 70);
        assert_eq!(
            unique_stems(
                YE,
                &[
                    "総務/課".into(),
                    "総務:課".into(),
                    "ABC".into(),
                    "abc".into()
                ]
            ),
            [
                "FY2015-YE_総務_課",
                "FY2015-YE_総務_課-2",
                "FY2015-YE_ABC",
                "FY2015-YE_abc-2"
            ]
        );
    }

    #[test]
    fn sheet_names_follow_excels_rules() {
        assert_eq!(sheet_name("市民協働課"), "市民協働課");
        assert_eq!(sheet_name("[総務]:課?"), "_総務__課_");
        assert_eq!(sheet_name("'課'"), "課");
        assert_eq!(sheet_name(&"課".repeat(40)).chars().count(), 31);
        assert_eq!(sheet_name("History"), "History_");
        assert_eq!(sheet_name("''"), "sheet");
    }
}
