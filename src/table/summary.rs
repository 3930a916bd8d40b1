//! The summary's subtotals and shares as CSV (`summary --by … --format csv`): one row per point and
//! group, then the point's overall row (全体), for spreadsheets and open data. UTF-8 with a BOM (Excel
//! needs it), CRLF line ends, every cell neutralised against formula injection as the table's CSV is.

use crate::domain::scale;
use crate::table::cells::neutralise_cell;
use crate::views::SummaryView;
use crate::views::shares::{self, GroupBy, OVERALL, Tally};

/// The CSV: `期間ID,期間,<見出し|担当課>,<each grade>,評価対象,対象外,合計,フォロー,<each grade>%`
/// (a progress scale: its bands, then `平均%`); shares with one decimal, empty where nothing is rated.
pub fn grouped_csv(s: &SummaryView, grades: &[String], by: GroupBy) -> String {
    let cols = shares::columns(grades);
    let progress = scale::is_progress(grades);
    let mut header: Vec<String> = vec!["期間ID".into(), "期間".into(), by.header().into()];
    header.extend(cols.iter().cloned());
    header.extend(["評価対象", "対象外", "合計", "フォロー"].map(String::from));
    header.extend(cols.iter().map(|c| format!("{c}%")));
    if progress {
        header.push("平均%".into());
    }
    let share = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.1}"));
    let mut out = Vec::new();
    out.extend_from_slice("\u{FEFF}".as_bytes());
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        let mut rows = vec![header];
        for p in &s.periods {
            let (Some(groups), Some(overall)) = (&p.groups, &p.overall) else {
                continue;
            };
            let row = |name: &str, t: &Tally| {
                let mut cells = vec![p.id.clone(), p.label.clone(), name.to_string()];
                cells.extend(shares::column_counts(t, &cols).iter().map(u64::to_string));
                cells.extend(
                    [t.rated, t.not_evaluated, t.items, t.follow_up].map(|n| n.to_string()),
                );
                cells.extend(cols.iter().map(|c| share(t.percent.get(c))));
                if progress {
                    cells.push(share(t.average));
                }
                cells
            };
            rows.extend(
                groups
                    .iter()
                    .map(|t| row(t.name.as_deref().unwrap_or(""), t)),
            );
            rows.push(row(OVERALL, overall));
        }
        for r in rows {
            // Writing to a Vec cannot fail, and every record has the header's length.
            if w.write_record(r.iter().map(|c| neutralise_cell(c).into_owned()))
                .is_err()
            {
                break;
            }
        }
        let _ = w.flush();
    }
    String::from_utf8_lossy(&out).into_owned()
}
