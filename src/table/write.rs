//! Writing a table view as the files the reader reads: TSV in exactly the layout
//! [`crate::table::read::parse`] reads (two header rows, heading on the first row of each group,
//! `ID title【No.M の再掲】` (`27 …`, `R1-1 …`), `対象外` at a point where the item is not evaluated, an
//! empty cell at one where it is not part of the plan, total rows at the end), and CSV (the id in the
//! `番号` column), hyoka's open-data export (one value per cell,
//! heading on every row, cells neutralised against formula injection). Beside the reader, so that a
//! format is changed on both sides at once.
//!
//! Invariants: re-importing what is written records nothing (the round-trip tests below); a value a TSV
//! cell cannot hold (a tab, a line break, a control character) is refused naming the item and field,
//! never written; nothing here prints: every function returns a `String` (or writes to a
//! `&mut dyn Write`), and the caller decides where it goes.

use std::io::Write;

use crate::domain::item_id::ItemId;
use crate::domain::period::Period;
use crate::table::TableFormat;
use crate::table::cells::{NOT_EVALUATED, neutralise_cell};
use crate::views::render::MARK;
use crate::views::{self, TableView};

/// A table that cannot be written in the asked format: a text a TSV cell cannot hold. One line, naming
/// the item and field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("item {id}, {field}: the text contains {what}, which a TSV cell cannot hold")]
pub struct RenderError {
    /// The item's id.
    pub id: ItemId,
    /// The field (`title`, `department`, `remark`, …).
    pub field: String,
    /// What the text contains: `a tab`, `a line break`, `a control character`.
    pub what: &'static str,
}

/// The table as a file of `format`: [`table_tsv`] or [`table_csv`] (`bom` only matters to CSV).
///
/// # Errors
///
/// Those of [`table_tsv`]; CSV holds any value.
pub fn table_file(view: &TableView, format: TableFormat, bom: bool) -> Result<String, RenderError> {
    match format {
        TableFormat::Tsv => table_tsv(view),
        TableFormat::Csv => Ok(table_csv(view, bom)),
    }
}

fn year_and_term(p: Period) -> (String, &'static str) {
    p.year_and_term()
}

/// A row's grade cell at a point: empty where the item is not part of the plan, [`NOT_EVALUATED`]
/// where it is not evaluated, else its grade (empty when not rated).
fn grade_cell(row: &views::TableRow, p: Period) -> &str {
    if row.outside.contains(&p) {
        ""
    } else if row.not_evaluated.contains(&p) {
        NOT_EVALUATED
    } else {
        row.ratings.of(p).unwrap_or_default()
    }
}

// ------------------------------------------------------------------------------------------ TSV

/// Refuses a value a TSV cell cannot hold.
fn tsv_cell(id: &ItemId, field: &str, value: &str) -> Result<String, RenderError> {
    let what = if value.contains('\t') {
        Some("a tab")
    } else if value.contains('\n') || value.contains('\r') {
        Some("a line break")
    } else if value.chars().any(char::is_control) {
        Some("a control character")
    } else {
        None
    };
    match what {
        Some(what) => Err(RenderError {
            id: id.clone(),
            field: field.to_string(),
            what,
        }),
        None => Ok(value.to_string()),
    }
}

/// The table as TSV in the layout the importer reads (see [`crate::table::read`]): two header
/// rows shifted one column left, one row per item (heading on the first row of each group), then the
/// total rows per grade and 計, the number of follow-up items on the first of them. Line ends `\n`.
///
/// # Errors
///
/// A cell containing a tab or a line break, which TSV cannot hold; the message names the item and field.
pub fn table_tsv(view: &TableView) -> Result<String, RenderError> {
    let mut lines: Vec<Vec<String>> = Vec::new();
    let mut years = Vec::new();
    let mut terms = Vec::new();
    let mut last_year = None;
    for p in &view.period_values {
        let (year, term) = year_and_term(*p);
        years.push(if last_year == Some(p.fiscal_year) {
            String::new()
        } else {
            year
        });
        last_year = Some(p.fiscal_year);
        terms.push(term.to_string());
    }
    let mut h1 = vec!["項目".to_string(), "主な推進担当課".to_string()];
    h1.extend(years);
    h1.extend(["フォローアップ対象項目".to_string(), "理由等".to_string()]);
    let mut h2 = vec![String::new(), String::new()];
    h2.extend(terms);
    h2.extend([String::new(), String::new()]);
    lines.push(h1);
    lines.push(h2);
    let mut heading: Option<&str> = None;
    for row in &view.items {
        let n = &row.id;
        let first = heading != Some(row.category.as_str());
        heading = Some(row.category.as_str());
        let mut cells = vec![
            if first {
                tsv_cell(n, "heading", &row.category)?
            } else {
                String::new()
            },
            format!(
                "{n} {}",
                tsv_cell(n, "title", &views::title_with_marker(row))?
            ),
            tsv_cell(n, "department", &row.department)?,
        ];
        for p in &view.period_values {
            cells.push(tsv_cell(n, "grade", grade_cell(row, *p))?);
        }
        cells.push(if row.follow_up {
            MARK.into()
        } else {
            String::new()
        });
        cells.push(tsv_cell(n, "remark", &row.remark)?);
        lines.push(cells);
    }
    let summary = views::summary(view);
    let mut labels: Vec<String> = view.grades.clone();
    labels.push("計".to_string());
    for (k, label) in labels.iter().enumerate() {
        let is_total = k + 1 == labels.len();
        let mut cells = vec![String::new(), label.clone()];
        for pc in &summary.periods {
            cells.push(if is_total {
                pc.total.to_string()
            } else {
                pc.counts.get(label).to_string()
            });
        }
        cells.push(if k == 0 {
            summary.follow_up.to_string()
        } else {
            String::new()
        });
        cells.push(String::new());
        lines.push(cells);
    }
    let mut out = String::new();
    for cells in lines {
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
    Ok(out)
}

// ------------------------------------------------------------------------------------------ CSV

/// The CSV header: `分類,番号,項目,主な推進担当課,<period labels>,フォローアップ対象,理由等`.
fn csv_header(view: &TableView) -> Vec<String> {
    let mut h: Vec<String> = ["分類", "番号", "項目", "主な推進担当課"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    h.extend(view.period_values.iter().map(|p| p.label()));
    h.extend(["フォローアップ対象".to_string(), "理由等".to_string()]);
    h
}

/// Writes the table as CSV (RFC 4180, CRLF line ends; a UTF-8 BOM first when `bom`, which Excel needs to
/// read UTF-8): one header row, then one row per item with its heading repeated, the title with its
/// re-listing marker, `○` for a follow-up item. Every cell is neutralised against formula injection
/// ([`neutralise_cell`]); the importer undoes it.
///
/// # Errors
///
/// Only those of the writer.
pub fn write_table_csv(view: &TableView, bom: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if bom {
        out.write_all("\u{FEFF}".as_bytes())?;
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(
        csv_header(view)
            .iter()
            .map(|c| neutralise_cell(c).into_owned()),
    )?;
    for row in &view.items {
        let mut cells = vec![
            row.category.clone(),
            row.id.to_string(),
            views::title_with_marker(row),
            row.department.clone(),
        ];
        cells.extend(
            view.period_values
                .iter()
                .map(|p| grade_cell(row, *p).to_string()),
        );
        cells.push(if row.follow_up {
            MARK.into()
        } else {
            String::new()
        });
        cells.push(row.remark.clone());
        w.write_record(cells.iter().map(|c| neutralise_cell(c).into_owned()))?;
    }
    w.flush()?;
    Ok(())
}

/// [`write_table_csv`] into a string.
pub fn table_csv(view: &TableView, bom: bool) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail, and every record has the header's length.
    if write_table_csv(view, bom, &mut out).is_err() {
        out.clear();
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::Change;
    use crate::domain::period::{Cadence, Part};
    use crate::domain::provenance::Provenance;
    use crate::domain::state::State;
    use crate::import;
    use crate::table::read as table_file;
    use crate::views::render::tests::{PLAN, apply_all, hostile_view, import_new, seed_state};
    use crate::views::render::{short_label, summary_text, table_markdown, table_text};

    /// The changes re-importing `bytes` into `state` would record.
    fn reimport_changes(state: &State, bytes: &[u8], name: &str) -> Vec<Change> {
        let era = state.plan.as_ref().and_then(|p| p.default_era);
        let prepared = match import::prepare::prepare(bytes, name, None, era) {
            Ok(p) => p,
            Err(e) => panic!("{name}: {e}"),
        };
        // The written total rows agree with the written rows, as the importer checks them.
        if let Err(e) = import::prepare::check_totals(&prepared) {
            panic!("{name}: {e}");
        }
        match import::plan::plan_changes(state, &Provenance::default(), &prepared, false) {
            Ok(p) => {
                assert!(p.conflicts.is_empty(), "{:?}", p.conflicts);
                p.changes
            }
            Err(e) => panic!("{name}: {e}"),
        }
    }

    fn tsv(view: &TableView) -> String {
        match table_tsv(view) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn tsv_refuses_tabs_and_line_breaks() {
        let view = hostile_view();
        let err = match table_tsv(&view) {
            Ok(s) => panic!("accepted: {s}"),
            Err(e) => e.to_string(),
        };
        assert!(err.starts_with("item 1, remark: "), "{err}");
        assert!(err.contains("a tab") && !err.contains('\n'), "{err}");
        let mut view = view;
        if let Some(r) = view.items.first_mut() {
            r.remark = "a\nb".into();
        }
        let err = table_tsv(&view).map(|_| ()).unwrap_err().to_string();
        assert!(err.contains("a line break"), "{err}");
        if let Some(r) = view.items.first_mut() {
            r.remark = String::new();
            r.department = "課\t係".into();
        }
        let err = table_tsv(&view).map(|_| ()).unwrap_err().to_string();
        assert!(err.starts_with("item 1, department: "), "{err}");
    }

    #[test]
    fn csv_neutralises_formulas_and_keeps_line_breaks() {
        let view = hostile_view();
        let csv = table_csv(&view, true);
        assert!(csv.starts_with('\u{FEFF}'));
        assert!(!table_csv(&view, false).starts_with('\u{FEFF}'));
        assert!(csv.contains(",'=SUM(A1),'-課,"), "{csv}");
        assert!(
            csv.contains("\"一行目 | a\\b *x*\n2. 二行目\t<b>&\""),
            "{csv}"
        );
        assert!(csv.ends_with("\r\n"));
        // And the importer undoes it.
        let table = match table_file::parse(csv.as_bytes(), Some(TableFormat::Csv)) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        let row = &table.rows[0];
        assert_eq!(row.title, "=SUM(A1)");
        assert_eq!(row.department, "-課");
        assert_eq!(row.category, "# 見出し");
        assert_eq!(row.remark, "一行目 | a\\b *x*\n2. 二行目\t<b>&");
        assert!(row.follow_up);
    }

    #[test]
    fn tsv_round_trips() {
        let state = seed_state();
        let view = views::table(&state, None);
        let out = tsv(&view);
        assert!(!out.contains('\r'));
        assert!(reimport_changes(&state, out.as_bytes(), "export.tsv").is_empty());
        let again = import_new(out.as_bytes(), "export.tsv");
        assert_eq!(views::table(&again, None), view);
        // Its total rows are checked on import, and say what the document says.
        assert!(
            out.ends_with(
                "\tS\t1\t3\t0\t41\t\n\tA\t59\t49\t59\t\t\n\tB\t2\t10\t3\t\t\n\t計\t62\t62\t62\t\t\n"
            ),
            "{out}"
        );
        // Idempotent.
        assert_eq!(tsv(&views::table(&again, None)), out);
    }

    #[test]
    fn csv_round_trips() {
        let state = seed_state();
        let view = views::table(&state, None);
        for bom in [true, false] {
            let out = table_csv(&view, bom);
            assert!(reimport_changes(&state, out.as_bytes(), "export.csv").is_empty());
            let again = import_new(out.as_bytes(), "export.csv");
            assert_eq!(views::table(&again, None).items, view.items);
            assert_eq!(views::table(&again, None).periods, view.periods);
        }
        let header = table_csv(&view, false);
        assert!(header.starts_with(
            "分類,番号,項目,主な推進担当課,平成26年度上半期,平成26年度末,平成27年度上半期,フォローアップ対象,理由等\r\n"
        ));
    }

    #[test]
    fn reiwa_periods_and_relistings_round_trip() {
        let mut state = State::default();
        let p1 = Period {
            fiscal_year: 2018,
            part: Part::YearEnd,
        };
        let p2 = Period {
            fiscal_year: 2019,
            part: Part::YearEnd,
        };
        let mut changes = vec![
            Change::PlanDefined {
                name: PLAN.into(),
                grades: vec!["A".into(), "B".into(), "C".into(), "D".into()],
                default_era: None,
                origin: "example/plan".into(),
                cadence: Cadence::HalfYear,
                years: None,
            },
            Change::CategoryAdded { name: "甲".into() },
            Change::CategoryAdded { name: "乙".into() },
        ];
        for (n, cat, rel) in [(1, "甲", None), (2, "乙", None), (3, "甲", Some(2))] {
            changes.push(Change::ItemRegistered {
                id: ItemId::from_number(n),
                title: format!("項目{n}"),
                department: "課".into(),
                category: cat.into(),
                relisting_of: rel.map(ItemId::from_number),
                from: None,
                after: None,
            });
            changes.push(Change::RatingRecorded {
                item: ItemId::from_number(n),
                period: p2,
                grade: "D".into(),
            });
        }
        changes.push(Change::RatingRecorded {
            item: ItemId::from_number(1),
            period: p1,
            grade: "A".into(),
        });
        changes.push(Change::FollowUpSet {
            item: ItemId::from_number(3),
            period: p2,
            flagged: true,
        });
        apply_all(&mut state, &changes);
        let view = views::table(&state, None);
        let out = tsv(&view);
        assert!(
            out.starts_with("項目\t主な推進担当課\t平成30年度\t令和元年度\t"),
            "{out}"
        );
        assert!(
            out.contains("\n甲\t3 項目3【No.2の再掲】\t課\t\tD\t○\t\n"),
            "{out}"
        );
        assert!(reimport_changes(&state, out.as_bytes(), "x.tsv").is_empty());
        let csv = table_csv(&view, true);
        assert!(reimport_changes(&state, csv.as_bytes(), "x.csv").is_empty());
        let text = table_text(&view, 80, false);
        assert!(text.contains("〔再掲No.2〕項目3"), "{text}");
        assert!(
            text.contains("H30末=平成30年度末  R1末=令和元年度末"),
            "{text}"
        );
        let summary = summary_text(&views::summary(&view), &view.grades);
        assert!(summary.contains("令和元年度末"), "{summary}");
        assert!(
            summary.contains("フォローアップ対象項目: 1 (令和元年度末)"),
            "{summary}"
        );
    }

    fn id(s: &str) -> ItemId {
        match ItemId::parse(s) {
            Ok(id) => id,
            Err(e) => panic!("{e}"),
        }
    }

    /// A ledger of text ids: `R1-1`, `1-1-1`, `12` and `R1-10` (re-listing `R1-1`), rated at two
    /// points, `1-1-1` not evaluated (対象外) at the second, and, with `joins`, an item `R2-1` that joins
    /// the plan at the second point.
    fn text_id_state(joins: bool) -> (State, Period, Period) {
        let p1 = Period {
            fiscal_year: 2019,
            part: Part::FirstHalf,
        };
        let p2 = Period {
            fiscal_year: 2019,
            part: Part::YearEnd,
        };
        let mut changes = vec![
            Change::PlanDefined {
                name: PLAN.into(),
                grades: vec!["S".into(), "A".into(), "B".into()],
                default_era: None,
                origin: "example/plan".into(),
                cadence: Cadence::HalfYear,
                years: None,
            },
            Change::CategoryAdded { name: "甲".into() },
            Change::CategoryAdded { name: "乙".into() },
        ];
        let mut items = vec![
            ("R1-1", "甲", None, None),
            ("1-1-1", "甲", None, None),
            ("12", "乙", None, None),
            ("R1-10", "乙", Some("R1-1"), None),
        ];
        if joins {
            items.push(("R2-1", "乙", None, Some(p2)));
        }
        for (n, cat, rel, from) in items {
            changes.push(Change::ItemRegistered {
                id: id(n),
                title: format!("項目{n}"),
                department: "課".into(),
                category: cat.into(),
                relisting_of: rel.map(id),
                from,
                after: None,
            });
            if from.is_none() {
                changes.push(Change::RatingRecorded {
                    item: id(n),
                    period: p1,
                    grade: "A".into(),
                });
            }
            if n != "1-1-1" {
                changes.push(Change::RatingRecorded {
                    item: id(n),
                    period: p2,
                    grade: "S".into(),
                });
            }
        }
        changes.push(Change::ItemExcluded {
            item: id("1-1-1"),
            period: p2,
        });
        changes.push(Change::FollowUpSet {
            item: id("R1-10"),
            period: p2,
            flagged: true,
        });
        let mut state = State::default();
        apply_all(&mut state, &changes);
        (state, p1, p2)
    }

    #[test]
    fn text_ids_not_evaluated_points_and_points_outside_the_plan_round_trip() {
        let (state, _, p2) = text_id_state(false);
        let view = views::table(&state, None);
        let out = tsv(&view);
        for line in [
            "\n甲\t1-1-1 項目1-1-1\t課\tA\t対象外\t\t\n",
            "\n乙\t12 項目12\t課\tA\tS\t\t\n",
            "\n甲\tR1-1 項目R1-1\t課\tA\tS\t\t\n",
            "\n乙\tR1-10 項目R1-10【No.R1-1の再掲】\t課\tA\tS\t○\t\n",
        ] {
            assert!(out.contains(line), "{line:?} in\n{out}");
        }
        // Rows in the ids' natural order; 対象外 is not counted.
        assert!(
            out.ends_with("\tS\t0\t3\t1\t\n\tA\t4\t0\t\t\n\tB\t0\t0\t\t\n\t計\t4\t3\t\t\n"),
            "{out}"
        );
        assert!(reimport_changes(&state, out.as_bytes(), "x.tsv").is_empty());
        let again = import_new(out.as_bytes(), "x.tsv");
        assert_eq!(views::table(&again, None), view);
        assert!(again.is_excluded(&id("1-1-1"), p2));
        assert_eq!(tsv(&views::table(&again, None)), out);

        let csv = table_csv(&view, false);
        for line in [
            "\r\n甲,R1-1,項目R1-1,課,A,S,,\r\n",
            "\r\n甲,1-1-1,項目1-1-1,課,A,対象外,,\r\n",
            "\r\n乙,R1-10,項目R1-10【No.R1-1の再掲】,課,A,S,○,\r\n",
        ] {
            assert!(csv.contains(line), "{line:?} in\n{csv}");
        }
        assert!(reimport_changes(&state, csv.as_bytes(), "x.csv").is_empty());
        let again = import_new(csv.as_bytes(), "x.csv");
        assert_eq!(views::table(&again, None).items, view.items);

        // An item joining the plan at the second point: an empty cell at the first, which says nothing.
        let (state, _, _) = text_id_state(true);
        let view = views::table(&state, None);
        let out = tsv(&view);
        assert!(out.contains("\n\tR2-1 項目R2-1\t課\t\tS\t\t\n"), "{out}");
        assert!(reimport_changes(&state, out.as_bytes(), "x.tsv").is_empty());
        let csv = table_csv(&view, false);
        assert!(csv.contains("\r\n乙,R2-1,項目R2-1,課,,S,,\r\n"), "{csv}");
        assert!(reimport_changes(&state, csv.as_bytes(), "x.csv").is_empty());
    }

    #[test]
    fn a_render_error_names_the_text_id() {
        let (state, _, _) = text_id_state(false);
        let mut view = views::table(&state, None);
        if let Some(r) = view.items.iter_mut().find(|r| r.id == "1-1-1") {
            r.remark = "a\tb".into();
        }
        let err = table_tsv(&view).map(|_| ()).unwrap_err();
        assert_eq!(err.id, id("1-1-1"));
        assert!(err.to_string().starts_with("item 1-1-1, remark: "), "{err}");
    }

    #[test]
    fn short_labels() {
        let p = |fy, half| Period {
            fiscal_year: fy,
            part: half,
        };
        assert_eq!(short_label(p(2014, Part::FirstHalf)), "H26上");
        assert_eq!(short_label(p(2014, Part::YearEnd)), "H26末");
        assert_eq!(short_label(p(2019, Part::FirstHalf)), "R1上");
        assert_eq!(short_label(p(1900, Part::FirstHalf)), "FY1900-H1");
        assert_eq!(
            year_and_term(p(2019, Part::YearEnd)),
            ("令和元年度".to_string(), "年度末")
        );
        // Every label a view prints is read back as the period it names.
        for fy in crate::domain::period::MIN_FISCAL_YEAR..=crate::domain::period::MAX_FISCAL_YEAR {
            for half in [Part::FirstHalf, Part::YearEnd] {
                let period = p(fy, half);
                for label in [short_label(period), period.label(), period.id()] {
                    assert_eq!(Period::parse(&label, None), Ok(period), "{label}");
                }
            }
        }
    }

    #[test]
    fn an_empty_table_renders() {
        let view = views::table(&State::default(), None);
        assert!(table_text(&view, 80, false).contains("(項目なし)"));
        assert!(table_tsv(&view).is_ok());
        assert!(table_csv(&view, false).starts_with("分類,番号,項目"));
        assert!(table_markdown(&view).contains("## 集計"));
    }
}
