//! The header rows, which say how many period columns every row has and what the periods are called:
//! TSV's two rows (fiscal years over terms, shifted one column left of the data, a year carried over the
//! empty cells after it) or one row of full labels, and CSV's one row
//! `分類,番号,項目,主な推進担当課,<periods>,フォローアップ対象,理由等`. Apart from the rows, which they
//! shape.
//!
//! Invariants: a header read has at least one period; a label is the year cell followed by the term
//! cell, or the label cell, as written (the importer resolves eras); an error names the header's line.

use super::cells::{cell, shown, trim};
use super::error::{Result, TableFileError};

/// Period labels from the header row(s). Returns the labels and how many
/// lines the header takes (1 or 2).
pub(super) fn tsv_header(
    line: usize,
    row1: &[&str],
    row2: Option<&[&str]>,
) -> Result<(Vec<String>, usize)> {
    let looks_like_year = |s: &str| s.contains('年');
    let mut periods = Vec::new();
    let two_rows = row2.filter(|r2| {
        cell(r2, 0).is_empty()
            && cell(r2, 1).is_empty()
            && r2.iter().skip(2).any(|c| !trim(c).is_empty())
    });
    let used = match two_rows {
        Some(r2) => {
            let mut year: Option<&str> = None;
            for column in 2..row1.len().max(r2.len()) {
                let y = cell(row1, column);
                let term = cell(r2, column);
                if term.is_empty() && !looks_like_year(y) {
                    break;
                }
                if !y.is_empty() {
                    year = Some(y);
                }
                let Some(year) = year else {
                    return Err(TableFileError::PeriodWithoutYear {
                        line,
                        column: column + 1,
                    });
                };
                periods.push(format!("{year}{term}"));
            }
            2
        }
        None => {
            for column in 2..row1.len() {
                let label = cell(row1, column);
                if !looks_like_year(label) {
                    break;
                }
                periods.push(label.to_owned());
            }
            1
        }
    };
    if periods.is_empty() {
        return Err(TableFileError::NoPeriods { line });
    }
    Ok((periods, used))
}

/// The columns of a TSV item row with `p` periods, as error messages show them.
pub(super) fn tsv_layout(p: usize) -> String {
    format!("heading, id and title, department, {p} ratings, remark")
}

/// The CSV header, as error messages show it.
pub(super) const CSV_LAYOUT: &str =
    "分類,番号,項目,主な推進担当課,<periods>,フォローアップ対象,理由等";

/// The CSV header row on `line`: its line, its number of columns and its period labels.
pub(super) fn csv_header(line: usize, cells: &[&str]) -> Result<(usize, usize, Vec<String>)> {
    if cell(cells, 0) != "分類" {
        return Err(TableFileError::NoHeader {
            line,
            expected: "分類",
        });
    }
    let columns = cells
        .iter()
        .rposition(|c| !trim(c).is_empty())
        .map_or(0, |i| i + 1);
    let expect = |column: usize, expected: &'static str, ok: bool| -> Result<()> {
        if ok {
            Ok(())
        } else {
            Err(TableFileError::CsvHeader {
                line,
                column: column + 1,
                expected,
                found: shown(cell(cells, column)),
                layout: CSV_LAYOUT,
            })
        }
    };
    expect(1, "番号", cell(cells, 1) == "番号")?;
    expect(2, "項目", cell(cells, 2) == "項目")?;
    expect(3, "主な推進担当課", cell(cells, 3) == "主な推進担当課")?;
    if columns < 7 {
        return Err(TableFileError::NoPeriods { line });
    }
    let follow = columns - 2;
    expect(
        follow,
        "フォローアップ対象",
        cell(cells, follow).starts_with("フォローアップ"),
    )?;
    expect(columns - 1, "理由等", cell(cells, columns - 1) == "理由等")?;
    let mut periods = Vec::new();
    for column in 4..follow {
        let label = cell(cells, column);
        if label.is_empty() {
            return Err(TableFileError::NoPeriods { line });
        }
        periods.push(label.to_owned());
    }
    Ok((line, columns, periods))
}
