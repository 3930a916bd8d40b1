//! Rendering of the views as text: the table aligned for the terminal and as Markdown, the summary, the
//! cells of the aligned audit views and the corrections report. Nothing here prints: every function
//! returns a `String`, and the caller decides where it goes. (The table's TSV and CSV files are written
//! beside their reader, in `table::write`.)
//!
//! Text output measures Japanese by display width ([`crate::views::width`]), never splits a character,
//! and uses no box-drawing characters. Every piece of user data in text and Markdown output goes through
//! [`crate::domain::text::escape`] first, so no raw control character reaches a terminal.

use crate::domain::period::Period;
use crate::domain::text;
use crate::views::width::{display_width, pad, pad_left, truncate, wrap};
use crate::views::{self, SummaryView, TableRow, TableView};

/// A short period label for narrow columns ([`Period::short_label`]).
pub fn short_label(p: Period) -> String {
    p.short_label()
}

// ------------------------------------------------------------------------------------------ text

/// The space between two columns of every aligned view.
pub(crate) const GAP: &str = "  ";
const FLAG_HEADER: &str = "フォロー";
/// The follow-up mark of the table, in every output.
pub const MARK: &str = "○";

/// Column widths of the flexible columns: at least their minimum, at most their natural width, sharing
/// `avail` by weight.
fn share(avail: usize, natural: [usize; 3], min: [usize; 3], weight: [usize; 3]) -> [usize; 3] {
    let mut w = [0; 3];
    for i in 0..3 {
        w[i] = min[i].min(natural[i]);
    }
    let mut left = avail.saturating_sub(w.iter().sum());
    while left > 0 {
        let open: Vec<usize> = (0..3).filter(|&i| w[i] < natural[i]).collect();
        if open.is_empty() {
            break;
        }
        let total: usize = open.iter().map(|&i| weight[i]).sum();
        let round = left;
        for &i in &open {
            let give = (round * weight[i] / total.max(1))
                .max(1)
                .min(natural[i] - w[i])
                .min(left);
            w[i] += give;
            left -= give;
        }
    }
    w
}

/// The table as aligned text of at most `width` columns per line (80 is the usual terminal): a header
/// with the plan and its periods, a legend of the short period labels, then per heading (`■ 見出し`) one
/// line per item: No., 項目 (re-listings marked `〔再掲No.27〕`), 担当課, one column per period, フォロー
/// (`○`) and 理由等 of the latest period. Long cells are cut with `…`. With `full` nothing is cut:
/// titles and departments wrap onto continuation lines within their columns, and the remark follows the
/// row on lines of its own (`理由等: …`, wrapped with a hanging indent). When even the narrow columns do
/// not fit, only the latest periods are shown (and the legend says so) unless `full`. `width` is taken
/// as at least 20.
pub fn table_text(view: &TableView, width: usize, full: bool) -> String {
    table_text_with(view, width, full, "")
}

/// [`table_text`], with `show_all` appended to the legend's note that older periods are left out (a
/// front end says there how to show them all, e.g. ` (--full で全期間)`).
pub fn table_text_with(view: &TableView, width: usize, full: bool, show_all: &str) -> String {
    // Below 20 columns nothing useful fits; far above any screen the arithmetic need not go.
    let width = width.clamp(20, 4096);
    let mut out = String::new();
    let mut line = |s: &str| {
        for l in if full {
            wrap(s, width)
        } else {
            vec![truncate(s, width)]
        } {
            out.push_str(l.trim_end());
            out.push('\n');
        }
    };

    let periods: Vec<Period> = view.period_values.clone();
    let span = match (periods.first(), periods.last()) {
        (Some(a), Some(b)) if a == b => a.label(),
        (Some(a), Some(b)) => format!("{}〜{}", a.label(), b.label()),
        _ => "評価なし".to_string(),
    };
    line(&format!(
        "{}  {span}  {}項目",
        text::escape(&view.plan),
        view.items.len()
    ));

    // Columns.
    let rows: Vec<RowText> = view.items.iter().map(row_text).collect();
    let no_w = rows
        .iter()
        .map(|r| display_width(&r.number))
        .chain([display_width("No.")])
        .max()
        .unwrap_or(3);
    let grade_w = view
        .grades
        .iter()
        .map(|g| display_width(&text::escape(g)))
        .chain(
            view.items
                .iter()
                .flat_map(|r| r.ratings.values().map(|g| display_width(&text::escape(g)))),
        )
        .max()
        .unwrap_or(1);
    let period_w: Vec<usize> = periods
        .iter()
        .map(|p| {
            view.items
                .iter()
                .map(|r| display_width(&r.shown_text(*p)))
                .max()
                .unwrap_or(0)
                .max(display_width(&short_label(*p)))
                .max(grade_w)
        })
        .collect();
    let flag_w = display_width(FLAG_HEADER);
    let natural = [
        rows.iter()
            .map(|r| display_width(&r.title))
            .chain([display_width("項目")])
            .max()
            .unwrap_or(4),
        rows.iter()
            .map(|r| display_width(&r.department))
            .chain([display_width("担当課")])
            .max()
            .unwrap_or(6),
        // With `full` the remark is not a column: it follows the row.
        if full {
            0
        } else {
            rows.iter()
                .map(|r| display_width(&r.remark))
                .chain([display_width("理由等")])
                .max()
                .unwrap_or(6)
        },
    ];
    let min = [10, 6, if full { 0 } else { 8 }];
    let gaps = if full { 4 } else { 5 };
    let fixed = |shown: &[usize]| -> usize {
        // No. + title + dept + periods (1-space gaps between them) + flag (+ remark), 2-space gaps.
        no_w + shown.iter().sum::<usize>()
            + shown.len().saturating_sub(1)
            + flag_w
            + gaps * GAP.len()
    };
    // Drop the oldest periods while the table cannot fit (not with `full`).
    let mut first_shown = 0;
    while !full
        && first_shown + 1 < periods.len()
        && fixed(period_w.get(first_shown..).unwrap_or_default()) + min.iter().sum::<usize>()
            > width
    {
        first_shown += 1;
    }
    let shown_periods = periods.get(first_shown..).unwrap_or_default();
    let shown_w = period_w.get(first_shown..).unwrap_or_default();
    let [title_w, dept_w, remark_w] = share(
        width.saturating_sub(fixed(shown_w)),
        natural,
        min,
        [3, 2, 3],
    );

    // Legend.
    let mut legend: Vec<String> = shown_periods
        .iter()
        .map(|p| format!("{}={}", short_label(*p), p.label()))
        .collect();
    if let Some(marks) = view.marks {
        legend.push(format!("フォロー・理由等は{}", marks.label()));
    }
    if first_shown > 0 {
        legend.push(format!("古い{first_shown}期は省略{show_all}"));
    }
    let mut current = String::new();
    for entry in legend {
        if !current.is_empty() && display_width(&current) + 2 + display_width(&entry) > width {
            line(&current);
            current.clear();
        }
        if !current.is_empty() {
            current.push_str(GAP);
        }
        current.push_str(&entry);
    }
    if !current.is_empty() {
        line(&current);
    }
    out.push('\n');

    // Header and rule.
    let cols = Layout {
        no_w,
        title_w,
        dept_w,
        period_w: shown_w.to_vec(),
        flag_w,
    };
    let header = Cells {
        number: vec!["No.".into()],
        title: vec!["項目".into()],
        department: vec!["担当課".into()],
        ratings: shown_periods.iter().map(|p| short_label(*p)).collect(),
        flag: FLAG_HEADER.into(),
        remark: if full {
            vec![]
        } else {
            vec!["理由等".into()]
        },
    };
    cols.emit(&header, &mut out, width, full);
    let rule = Cells {
        number: vec!["-".repeat(no_w)],
        title: vec!["-".repeat(title_w)],
        department: vec!["-".repeat(dept_w)],
        ratings: shown_w.iter().map(|w| "-".repeat(*w)).collect(),
        flag: "-".repeat(flag_w),
        remark: if full {
            vec![]
        } else {
            vec!["-".repeat(remark_w)]
        },
    };
    cols.emit(&rule, &mut out, width, full);

    if rows.is_empty() {
        out.push_str("(項目なし)\n");
        return out;
    }
    let mut heading: Option<&str> = None;
    for (row, rt) in view.items.iter().zip(&rows) {
        if heading != Some(row.category.as_str()) {
            heading = Some(row.category.as_str());
            let h = format!("■ {}", text::escape(&row.category));
            // `■` is ambiguous in width: leave it a spare column.
            for l in if full {
                wrap(&h, width - 1)
            } else {
                vec![truncate(&h, width - 1)]
            } {
                out.push_str(&l);
                out.push('\n');
            }
        }
        let cut = |s: &str, w: usize| -> Vec<String> {
            if full {
                wrap(s, w)
            } else {
                vec![truncate(s, w)]
            }
        };
        let remark: Vec<String> = if full {
            vec![]
        } else {
            vec![truncate(&rt.remark, remark_w)]
        };
        let cells = Cells {
            number: vec![rt.number.clone()],
            title: cut(&rt.title, title_w),
            department: cut(&rt.department, dept_w),
            ratings: shown_periods
                .iter()
                .map(|p| text::escape(&row.shown_text(*p)))
                .collect(),
            flag: if row.follow_up {
                MARK.into()
            } else {
                String::new()
            },
            remark,
        };
        cols.emit(&cells, &mut out, width, full);
        if full && !row.remark.is_empty() {
            // The remark below the row, indented to the title column, each of its lines wrapped with a
            // hanging indent.
            let indent = no_w + GAP.len();
            let label = "理由等: ";
            let hang = indent + display_width(label);
            let room = width.saturating_sub(hang).max(10);
            let mut first = true;
            for para in row.remark.split('\n') {
                for l in wrap(&text::escape(para), room) {
                    let lead = if first {
                        format!("{}{label}", " ".repeat(indent))
                    } else {
                        " ".repeat(hang)
                    };
                    first = false;
                    out.push_str(format!("{lead}{l}").trim_end());
                    out.push('\n');
                }
            }
        }
    }
    out
}

/// One row's texts, escaped.
struct RowText {
    number: String,
    title: String,
    department: String,
    remark: String,
}

fn row_text(row: &TableRow) -> RowText {
    let title = match &row.relisting_of_id {
        Some(n) => format!(
            "〔再掲No.{}〕{}",
            text::escape(n.as_str()),
            text::escape(&row.title)
        ),
        None => text::escape(&row.title),
    };
    RowText {
        number: text::escape(row.id.as_str()),
        title,
        department: text::escape(&row.department),
        remark: text::escape(&row.remark),
    }
}

struct Layout {
    no_w: usize,
    title_w: usize,
    dept_w: usize,
    period_w: Vec<usize>,
    flag_w: usize,
}

/// The cells of one table row; multi-line cells are already cut or wrapped to their column.
struct Cells {
    number: Vec<String>,
    title: Vec<String>,
    department: Vec<String>,
    ratings: Vec<String>,
    flag: String,
    remark: Vec<String>,
}

impl Layout {
    fn emit(&self, c: &Cells, out: &mut String, width: usize, full: bool) {
        let height = c
            .title
            .len()
            .max(c.department.len())
            .max(c.remark.len())
            .max(1);
        let get = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
        for i in 0..height {
            let mut l = String::new();
            l.push_str(&pad_left(&get(&c.number, i), self.no_w));
            l.push_str(GAP);
            l.push_str(&pad(&get(&c.title, i), self.title_w));
            l.push_str(GAP);
            l.push_str(&pad(&get(&c.department, i), self.dept_w));
            l.push_str(GAP);
            for (k, w) in self.period_w.iter().enumerate() {
                if k > 0 {
                    l.push(' ');
                }
                let r = if i == 0 {
                    c.ratings.get(k).cloned().unwrap_or_default()
                } else {
                    String::new()
                };
                l.push_str(&pad(&r, *w));
            }
            l.push_str(GAP);
            l.push_str(&pad(if i == 0 { &c.flag } else { "" }, self.flag_w));
            if !full {
                l.push_str(GAP);
                l.push_str(&get(&c.remark, i));
            }
            let l = l.trim_end();
            let l = if full {
                l.to_string()
            } else {
                truncate(l, width)
            };
            out.push_str(&l);
            out.push('\n');
        }
    }
}

// ------------------------------------------------------------------------------------------ Markdown

/// Text for a Markdown table cell or heading: control characters escaped, tabs as spaces, Markdown
/// and HTML markup characters backslash-escaped or turned into entities (so `|` cannot end the cell),
/// a leading block marker (`#`, `>`, `-`, `+`, `=`, `1.`) escaped, and line breaks as `<br>`.
pub fn md_escape(s: &str) -> String {
    s.split('\n')
        .map(|line| {
            let line = text::escape(&line.replace('\t', " "));
            let mut out = String::with_capacity(line.len());
            let mut chars = line.chars().peekable();
            let mut first = true;
            while let Some(c) = chars.next() {
                match c {
                    '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '~' => {
                        out.push('\\');
                        out.push(c);
                    }
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '&' => out.push_str("&amp;"),
                    '#' | '-' | '+' | '=' if first => {
                        out.push('\\');
                        out.push(c);
                    }
                    c if first && c.is_ascii_digit() => {
                        out.push(c);
                        while let Some(d) = chars.next_if(char::is_ascii_digit) {
                            out.push(d);
                        }
                        if let Some(m) = chars.next_if(|m| *m == '.' || *m == ')') {
                            out.push('\\');
                            out.push(m);
                        }
                    }
                    c => out.push(c),
                }
                first = false;
            }
            out
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

/// The table as Markdown: the plan as a title, then per heading a `##` section with a table (No., 項目,
/// 主な推進担当課, one column per period, フォローアップ対象, 理由等), then the totals.
pub fn table_markdown(view: &TableView) -> String {
    let mut out = format!("# {}\n", md_escape(&view.plan));
    if let Some(marks) = view.marks.filter(|m| Some(*m) != view.latest) {
        out.push_str(&format!(
            "\nフォローアップ対象・理由等は{}\n",
            md_escape(&marks.label())
        ));
    }
    let labels: Vec<String> = view.period_values.iter().map(|p| p.label()).collect();
    let header = {
        let mut h = vec!["No.".to_string(), "項目".into(), "主な推進担当課".into()];
        h.extend(labels.iter().cloned());
        h.extend(["フォローアップ対象".to_string(), "理由等".into()]);
        h
    };
    let table_start = |out: &mut String| {
        out.push_str(&format!("| {} |\n", header.join(" | ")));
        let mut rule = vec!["--:"];
        rule.extend(std::iter::repeat_n("---", 2));
        rule.extend(std::iter::repeat_n(":-:", labels.len() + 1));
        rule.push("---");
        out.push_str(&format!("| {} |\n", rule.join(" | ")));
    };
    let mut heading: Option<&str> = None;
    for row in &view.items {
        if heading != Some(row.category.as_str()) {
            heading = Some(row.category.as_str());
            out.push_str(&format!("\n## {}\n\n", md_escape(&row.category)));
            table_start(&mut out);
        }
        let mut cells = vec![
            md_escape(row.id.as_str()),
            md_escape(&views::title_with_marker(row)),
            md_escape(&row.department),
        ];
        cells.extend(
            view.period_values
                .iter()
                .map(|p| md_escape(&row.shown_text(*p))),
        );
        cells.push(if row.follow_up {
            MARK.into()
        } else {
            String::new()
        });
        cells.push(md_escape(&row.remark));
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    let summary = views::summary(view);
    out.push_str("\n## 集計\n\n");
    let mut h = vec!["評価".to_string()];
    h.extend(labels.iter().cloned());
    out.push_str(&format!("| {} |\n", h.join(" | ")));
    let mut rule = vec!["---"];
    rule.extend(std::iter::repeat_n("--:", labels.len()));
    out.push_str(&format!("| {} |\n", rule.join(" | ")));
    for g in &views::shares::columns(&view.grades) {
        let mut cells = vec![md_escape(g)];
        cells.extend(
            summary
                .periods
                .iter()
                .map(|p| p.bands.as_ref().unwrap_or(&p.counts).get(g).to_string()),
        );
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    let mut cells = vec!["計".to_string()];
    cells.extend(summary.periods.iter().map(|p| p.total.to_string()));
    out.push_str(&format!("| {} |\n", cells.join(" | ")));
    out.push_str(&format!(
        "\nフォローアップ対象項目: {}\n",
        summary.follow_up
    ));
    out
}

// ------------------------------------------------------------------------------------------ summary

/// The summary as text: one line per period with the count of each grade of `grades` (the plan's scale,
/// zeros included; a progress scale's bands, and its average) and the total, then the number of
/// follow-up items.
pub fn summary_text(s: &SummaryView, grades: &[String]) -> String {
    let cols = crate::views::shares::columns(grades);
    let progress = crate::domain::scale::is_progress(grades);
    let mut header: Vec<String> = vec!["期間".into()];
    header.extend(cols.iter().map(|g| text::escape(g)));
    header.push("計".into());
    if progress {
        header.push("平均%".into());
    }
    let mut rows = vec![header];
    for p in &s.periods {
        let counts = p.bands.as_ref().unwrap_or(&p.counts);
        let mut cells = vec![text::escape(&p.label)];
        cells.extend(cols.iter().map(|g| counts.get(g).to_string()));
        cells.push(p.total.to_string());
        if progress {
            cells.push(crate::views::shares::share_text(p.average));
        }
        rows.push(cells);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|i| {
            rows.iter()
                .map(|r| display_width(&r[i]))
                .chain([if i == 0 { 4 } else { 3 }])
                .max()
                .unwrap_or(3)
        })
        .collect();
    let mut out = String::new();
    for r in &rows {
        let mut l = pad(&r[0], widths[0]);
        for (c, w) in r.iter().zip(&widths).skip(1) {
            l.push_str(GAP);
            l.push_str(&pad_left(c, *w));
        }
        out.push_str(l.trim_end());
        out.push('\n');
    }
    let when = s
        .follow_up_period
        .map_or(String::new(), |p| format!(" ({})", p.label()));
    out.push_str(&format!("フォローアップ対象項目: {}{when}\n", s.follow_up));
    out
}

#[cfg(test)]
pub(crate) mod tests {
    //! Its fixtures (the seed's state, a view of hostile text) serve the writer's tests too
    //! (`table::write`): they check that the TSV and CSV of these views import back, and hold the tests
    //! that need a renderer and a writer both, so that no file here imports the writer.

    use super::*;
    use crate::domain::event::Change;
    use crate::domain::item_id::ItemId;
    use crate::domain::period::Part;
    use crate::domain::provenance::Provenance;
    use crate::domain::state::State;
    use crate::import;

    const SEED: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/kodaira-followup-h26-h27.tsv"
    );
    pub(crate) const PLAN: &str = "第2次行財政改革推進プラン";

    pub(crate) fn apply_all(state: &mut State, changes: &[Change]) {
        for c in changes {
            if let Err(e) = state.apply(c) {
                panic!("{c:?}: {e}");
            }
        }
    }

    /// A fresh state holding what `bytes` (a table file named `name`) says.
    pub(crate) fn import_new(bytes: &[u8], name: &str) -> State {
        let prepared = match import::prepare::prepare(bytes, name, None, None) {
            Ok(p) => p,
            Err(e) => panic!("{name}: {e}"),
        };
        let mut state = State::default();
        apply_all(
            &mut state,
            &[import::plan_for_new_ledger(
                &prepared,
                PLAN,
                "city.kodaira.example/reform-plan-2",
            )],
        );
        let planned =
            match import::plan::plan_changes(&state, &Provenance::default(), &prepared, false) {
                Ok(p) => p,
                Err(e) => panic!("{name}: {e}"),
            };
        assert!(planned.conflicts.is_empty());
        apply_all(&mut state, &planned.changes);
        state
    }

    pub(crate) fn seed_state() -> State {
        let bytes = match std::fs::read(SEED) {
            Ok(b) => b,
            Err(e) => panic!("cannot read the seed fixture: {e}"),
        };
        import_new(&bytes, "kodaira-followup-h26-h27.tsv")
    }

    fn seed_view() -> TableView {
        views::table(&seed_state(), None)
    }

    /// A small view with hostile content, built by hand.
    pub(crate) fn hostile_view() -> TableView {
        let mut state = State::default();
        let p = Period::new(2019, Part::FirstHalf).unwrap_or(Period {
            fiscal_year: 2019,
            part: Part::FirstHalf,
        });
        apply_all(
            &mut state,
            &[
                Change::PlanDefined {
                    name: "plan | \u{202e}".into(),
                    grades: vec!["S".into(), "A".into(), "B".into()],
                    default_era: None,
                    origin: "example/plan".into(),
                    cadence: Default::default(),
                    years: None,
                },
                Change::CategoryAdded {
                    name: "# 見出し".into(),
                },
                Change::ItemRegistered {
                    id: ItemId::from_number(1),
                    title: "=SUM(A1)".into(),
                    department: "-課".into(),
                    category: "# 見出し".into(),
                    relisting_of: None,
                    from: None,
                    after: None,
                },
                Change::RatingRecorded {
                    item: ItemId::from_number(1),
                    period: p,
                    grade: "A".into(),
                },
                Change::FollowUpSet {
                    item: ItemId::from_number(1),
                    period: p,
                    flagged: true,
                },
                Change::RemarkSet {
                    item: ItemId::from_number(1),
                    period: p,
                    text: "一行目 | a\\b *x*\n2. 二行目\t<b>&".into(),
                },
            ],
        );
        let mut view = views::table(&state, None);
        // Views are plain data: a control character the state would refuse must still be escaped.
        view.plan.push_str(" \u{1b}[31m");
        view
    }

    #[test]
    fn text_fits_the_width_and_escapes_controls() {
        let view = seed_view();
        for w in [60, 80, 100, 132] {
            let t = table_text(&view, w, false);
            for l in t.lines() {
                assert!(display_width(l) <= w, "width {w}: {l:?}");
            }
            let mut groups = view.items.iter().map(|r| &r.category).collect::<Vec<_>>();
            groups.dedup();
            assert_eq!(
                t.lines().filter(|l| l.starts_with("■ ")).count(),
                groups.len()
            );
        }
        // --full shows every remark whole, on lines still within the width.
        let full = table_text(&view, 80, true);
        for l in full.lines() {
            assert!(display_width(l) <= 80, "{l:?}");
        }
        let joined: String = full.split_whitespace().collect();
        for row in &view.items {
            let remark: String = row.remark.split_whitespace().collect();
            assert!(joined.contains(&remark), "item {}", row.id);
        }
        let hostile = table_text(&hostile_view(), 80, true);
        assert!(!hostile.chars().any(|c| c.is_control() && c != '\n'));
        assert!(hostile.contains("\\u{1b}[31m") && hostile.contains("\\u{202e}"));
        assert!(hostile.contains("一行目") && hostile.contains("2. 二行目\\t"));
        let short = table_text(&hostile_view(), 80, false);
        assert!(!short.chars().any(|c| c.is_control() && c != '\n'));
    }

    #[test]
    fn extreme_widths_do_not_panic() {
        let view = seed_view();
        for w in [0, 1, 19, usize::MAX] {
            for full in [false, true] {
                assert!(table_text(&view, w, full).contains("■ "));
            }
        }
    }

    #[test]
    fn narrow_text_drops_the_oldest_periods() {
        let view = seed_view();
        let t = table_text(&view, 40, false);
        assert!(t.contains("古い"), "{t}");
        assert!(t.contains("H27上") && !t.contains("H26上"), "{t}");
        let full = table_text(&view, 40, true);
        assert!(full.contains("H26上"));
    }

    #[test]
    fn markdown_escapes_markup() {
        assert_eq!(md_escape("a|b\\c"), "a\\|b\\\\c");
        assert_eq!(md_escape("# h"), "\\# h");
        assert_eq!(md_escape("- x\n+ y\n12. z"), "\\- x<br>\\+ y<br>12\\. z");
        assert_eq!(
            md_escape("*x* _y_ `z` [l](u) ~s~"),
            "\\*x\\* \\_y\\_ \\`z\\` \\[l\\](u) \\~s\\~"
        );
        assert_eq!(md_escape("<b>&"), "&lt;b&gt;&amp;");
        assert_eq!(md_escape("a\u{1b}b\tc"), "a\\\\u{1b}b c");
        assert_eq!(md_escape("2020年"), "2020年");
        let md = table_markdown(&hostile_view());
        assert!(
            md.starts_with("# plan \\| \\\\u{202e} \\\\u{1b}\\[31m\n"),
            "{md}"
        );
        assert!(md.contains("\n## \\# 見出し\n"), "{md}");
        assert!(
            md.contains("| 一行目 \\| a\\\\b \\*x\\*<br>2\\. 二行目 &lt;b&gt;&amp; |"),
            "{md}"
        );
        assert!(md.lines().all(|l| !l.starts_with('|') || l.ends_with('|')));
    }

    #[test]
    fn summary_of_the_seed_matches_the_document() {
        let view = seed_view();
        let s = views::summary(&view);
        let count = |g: &str| -> Vec<u64> { s.periods.iter().map(|p| p.counts.get(g)).collect() };
        assert_eq!(count("S"), [1, 3, 0]);
        assert_eq!(count("A"), [59, 49, 59]);
        assert_eq!(count("B"), [2, 10, 3]);
        assert!(s.periods.iter().all(|p| p.total == 62));
        assert_eq!(s.follow_up, 41);
        assert_eq!(view.grades, ["S", "A", "B"]);
    }

    #[test]
    fn golden_text_table() {
        insta::assert_snapshot!("seed_table_80", table_text(&seed_view(), 80, false));
    }

    #[test]
    fn golden_text_table_full() {
        let view = seed_view();
        let mut first = view.clone();
        first.items.truncate(6);
        insta::assert_snapshot!("seed_table_full_first_items", table_text(&first, 80, true));
    }

    #[test]
    fn golden_summary() {
        let view = seed_view();
        insta::assert_snapshot!(
            "seed_summary",
            summary_text(&views::summary(&view), &view.grades)
        );
    }

    #[test]
    fn golden_json() {
        let mut view = seed_view();
        view.items.truncate(2);
        insta::assert_json_snapshot!("seed_table_json_first_items", view);
        insta::assert_json_snapshot!("seed_summary_json", views::summary(&seed_view()));
    }
}
