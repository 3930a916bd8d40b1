//! Rendering of the views as text: the table aligned for the terminal and as Markdown, the summary, the
//! cells of the aligned audit views and the corrections report. Nothing here prints: every function
//! returns a `String`, and the caller decides where it goes. (The table's TSV and CSV files are written
//! beside their reader, in `table::write`.)
//!
//! Text output measures Japanese by display width ([`crate::views::width`]), never splits a character,
//! and uses no box-drawing characters. Every piece of user data in text and Markdown output goes through
//! [`crate::domain::text::escape`] first, so no raw control character reaches a terminal.

use crate::domain::item_id::ItemId;
use crate::domain::period::Period;
use crate::domain::text;
use crate::views::width::{clip, display_width, pad, pad_left, truncate, wrap};
use crate::views::{self, SummaryView, TableRow, TableView};

/// A short period label for narrow columns ([`Period::short_label`]).
pub fn short_label(p: Period) -> String {
    p.short_label()
}

// ------------------------------------------------------------------------------------------ text

const GAP: &str = "  ";
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

// ------------------------------------------------------------------------------------------ audit views

/// Display width at which a cell of the aligned audit views (history, blame, diff) is cut, with `…`:
/// two lines of an 80-column terminal, so that the remarks of published tables stay whole (the longest
/// of the bundled table's is 130 columns) while one long text cannot widen every row of the view.
pub const CELL_MAX: usize = 160;

/// Bytes at which such a cell is cut whatever its width (text of zero-width characters takes no column).
const CELL_MAX_BYTES: usize = 4 * CELL_MAX;

/// A cell of the aligned audit views: escaped for the terminal, then cut to [`CELL_MAX`] columns (and
/// `CELL_MAX_BYTES` bytes).
pub fn cell(s: &str) -> String {
    clip(&text::escape(s), CELL_MAX, CELL_MAX_BYTES)
}

/// Aligned columns: each cell cut by [`cell`], each column padded to its widest cut cell by display
/// width, two spaces apart, the last column unpadded. So no line is wider than the header's columns
/// times [`CELL_MAX`] (plus the gaps), however long a text in the ledger is: one long remark no longer
/// pads every row to its width. Cells are escaped for the terminal here. [`Columns`] does the same a
/// line at a time.
pub fn columns(header: &[&str], rows: &[Vec<String>]) -> String {
    let layout = Columns::measure(header, rows.iter().cloned());
    let mut out = layout.line(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    for row in rows {
        out.push_str(&layout.line(row));
    }
    out
}

/// The column widths of aligned audit rows (see [`columns`]), measured in one pass over the rows, so
/// that the lines can then be rendered and printed one at a time: nothing holds the whole view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    widths: Vec<usize>,
}

impl Columns {
    /// The widths of the cut cells of `header` and `rows`.
    pub fn measure(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Columns {
        let mut widths: Vec<usize> = header.iter().map(|h| display_width(&cell(h))).collect();
        for row in rows {
            for (w, c) in widths.iter_mut().zip(&row) {
                *w = (*w).max(display_width(&cell(c)));
            }
        }
        Columns { widths }
    }

    /// The widths narrowed so that a line takes at most `width` display columns, gaps included: the
    /// `flexible` columns (by index: free text such as a reason) first, then, if that is not enough,
    /// all of them; the widest are narrowed first (to one width, the widest that fits), none below
    /// [`MIN_FIT`] columns or its own width, so a view of `n` columns fits any width of at least
    /// `n * (MIN_FIT + 2) - 2`. Their cells are then cut with `…` ([`Columns::line`]).
    pub fn fit(self, width: usize, flexible: &[usize]) -> Columns {
        self.fit_keeping(width, flexible, &[])
    }

    /// [`Columns::fit`], narrowing the `keep` columns (by index: a time people read whole) only when
    /// narrowing every other one is not enough.
    pub fn fit_keeping(mut self, width: usize, flexible: &[usize], keep: &[usize]) -> Columns {
        let n = self.widths.len();
        let room = width.saturating_sub(GAP.len() * n.saturating_sub(1));
        let all: Vec<usize> = (0..n).collect();
        let not_kept: Vec<usize> = (0..n).filter(|i| !keep.contains(i)).collect();
        for set in [flexible, &not_kept[..], &all[..]] {
            let fixed: usize = (0..n)
                .filter(|i| !set.contains(i))
                .map(|i| self.widths[i])
                .sum();
            self.narrow(set, room.saturating_sub(fixed));
            if self.widths.iter().sum::<usize>() <= room {
                break;
            }
        }
        self
    }

    /// Narrows the columns of `set` to take `room` columns in all, if they can.
    fn narrow(&mut self, set: &[usize], room: usize) {
        let set: Vec<usize> = set
            .iter()
            .copied()
            .filter(|i| *i < self.widths.len())
            .collect();
        let capped = |widths: &[usize], cap: usize| -> usize {
            set.iter().map(|i| widths[*i].min(cap)).sum()
        };
        if capped(&self.widths, usize::MAX) <= room {
            return;
        }
        // The widest cap at which they fit (the sum grows with the cap).
        let max = set.iter().map(|i| self.widths[*i]).max().unwrap_or(0);
        let (mut lo, mut hi) = (MIN_FIT.min(max), max);
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if capped(&self.widths, mid) <= room {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        let mut left = room.saturating_sub(capped(&self.widths, lo));
        for i in set {
            let w = &mut self.widths[i];
            if *w > lo {
                // What the cap leaves over goes to the narrowed columns, left to right.
                let extra = left.min(*w - lo);
                left -= extra;
                *w = lo + extra;
            }
        }
    }

    /// One row (or the header) as a line, cells cut to their column's width (after [`Columns::fit`]:
    /// an `old → new` cell keeps both sides, the shorter whole when it can) and padded, ending in a
    /// newline.
    pub fn line(&self, row: &[String]) -> String {
        let n = self.widths.len();
        let mut line = String::new();
        for (i, (c, w)) in row.iter().zip(&self.widths).enumerate() {
            let c = fit_cell(cell(c), *w);
            line.push_str(&c);
            if i + 1 < n {
                line.push_str(&" ".repeat(w.saturating_sub(display_width(&c)) + 2));
            }
        }
        let end = line.trim_end().len();
        line.truncate(end);
        line.push('\n');
        line
    }
}

/// The narrowest width to which [`Columns::fit`] narrows a column.
pub const MIN_FIT: usize = 3;

const ARROW: &str = " → ";

/// The columns of `room` given to the old and the new side of an `old → new` cell (`wo` and `wn`
/// wide): the shorter side whole when it takes at most half, else half each.
fn share_sides(wo: usize, wn: usize, room: usize) -> (usize, usize) {
    let half = room / 2;
    match (wo <= half, wn <= half) {
        (true, _) => (wo, room - wo),
        (_, true) => (room - wn, wn),
        _ => (half, room - half),
    }
}

/// A cut cell further cut to `w` columns: an `old → new` cell on both sides of its arrow (the shorter
/// side whole when it can be, as [`change_cell`] does), any other at its end.
fn fit_cell(c: String, w: usize) -> String {
    if display_width(&c) <= w {
        return c;
    }
    match c.split_once(ARROW) {
        Some((old, new)) if w >= display_width(ARROW) + 2 => {
            let room = w - display_width(ARROW);
            let (ko, kn) = share_sides(display_width(old), display_width(new), room);
            format!(
                "{}{ARROW}{}",
                clip(old, ko, usize::MAX),
                clip(new, kn, usize::MAX)
            )
        }
        _ => clip(&c, w, usize::MAX),
    }
}

/// One row of an audit view in full (`--full`): one line per column, `name  value`, the names padded
/// to the widest name only, every value whole and escaped (a value's line breaks continue it on lines
/// indented to the values), never padded to any other row. Rows are rendered one at a time, so a view
/// of any length is printed row by row.
pub fn record(header: &[&str], row: &[String]) -> String {
    let name_w = header.iter().map(|h| display_width(h)).max().unwrap_or(0);
    let indent = " ".repeat(name_w + GAP.len());
    let mut out = String::new();
    for (name, value) in header.iter().zip(row) {
        for (k, part) in value.split('\n').enumerate() {
            match (k, part.is_empty()) {
                (0, true) => out.push_str(&text::escape(name)),
                (0, false) => out.push_str(&pad(&text::escape(name), name_w + GAP.len())),
                (_, true) => {}
                (_, false) => out.push_str(&indent),
            }
            out.push_str(&text::escape(part));
            out.push('\n');
        }
    }
    out
}

/// `old → new` for the `change` column of the aligned views: each side a value as [`value_text`] shows
/// it, escaped, and cut so that the whole fits [`CELL_MAX`] columns (the shorter side kept whole when
/// it can be), so that a long old value never hides the new one.
pub fn change_cell(old: &serde_json::Value, new: &serde_json::Value) -> String {
    let (old, new) = (
        text::escape(&value_text(old)),
        text::escape(&value_text(new)),
    );
    let (wo, wn) = (display_width(&old), display_width(&new));
    let room = CELL_MAX - display_width(ARROW);
    if wo + wn <= room && old.len() + new.len() <= CELL_MAX_BYTES - ARROW.len() {
        return format!("{old}{ARROW}{new}");
    }
    let (ko, kn) = share_sides(wo, wn, room);
    let bytes = (CELL_MAX_BYTES - ARROW.len()) / 2;
    format!("{}{ARROW}{}", clip(&old, ko, bytes), clip(&new, kn, bytes))
}

/// A field value as people read it: grades and texts as they are, flags ○ / ×, nothing as `—`.
pub fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".to_string(),
        serde_json::Value::Bool(true) => "○".to_string(),
        serde_json::Value::Bool(false) => "×".to_string(),
        serde_json::Value::String(s) => s.clone(),
        // A merge (`merged_into`): `24に集約 (平成27年度末から)`.
        serde_json::Value::Object(m) if m.contains_key("id") && m.contains_key("from") => {
            let id = m.get("id").and_then(|v| v.as_str()).unwrap_or("");
            let from = m
                .get("from")
                .and_then(|v| v.as_str())
                .and_then(|p| p.parse::<crate::domain::period::Period>().ok())
                .map_or_else(String::new, |p| format!(" ({}から)", p.label()));
            format!("{id}に集約{from}")
        }
        other => other.to_string(),
    }
}

/// The Japanese name of a field, as printed reports use it.
pub fn field_label(field: &str) -> &'static str {
    match field {
        "rating" => "評価",
        "follow_up" => "フォローアップ",
        "remark" => "理由等",
        "title" => "項目名",
        "department" => "担当課",
        "category" => "分類",
        "relisting_of" => "再掲元",
        "status" => "状態",
        "not_evaluated" => "対象外",
        "from" => "対象となる時点",
        "after" => "表示位置",
        "merged_into" => "集約先",
        "submitted" => "提出",
        "review" => "審査",
        "opinion" => "意見",
        _ => "その他",
    }
}

/// The note on a change recorded in a batch whose clock was behind (`clock` is what it read), e.g.
/// `(時計遅れ: 端末の時計は 2016-01-01 09:00:00 +09:00、直前の記録時刻で記録)`.
pub fn clock_behind_note(clock: i64) -> String {
    format!(
        "(時計遅れ: 端末の時計は {}、直前の記録時刻で記録)",
        crate::domain::when::format_text(clock)
    )
}

/// How a report's column header names the zone its times are in: `日本時間` for Japan time, else the
/// zone's name (`UTC`, `America/New_York`, `+05:30`).
pub fn zone_label(zone: &crate::domain::when::Zone) -> String {
    match zone.is_japan() {
        true => "日本時間".to_string(),
        false => zone.name().to_string(),
    }
}

/// The mark of a change to a published round's point (a correction, 訂正) in the audit views.
pub const CORRECTION_MARK: &str = "[訂正]";

/// The sentences of the correction report around its tables, in the front end's language (the library
/// words no sentence of its own).
#[derive(Debug, Clone, Copy)]
pub struct ReportWords<'a> {
    /// The paragraph under the title: what the report holds, the ledger's head, what checks it.
    pub intro: &'a str,
    /// The paragraph said when some entry is marked [`CORRECTION_MARK`].
    pub marked: &'a str,
    /// The line said when there is no entry.
    pub none: &'a str,
}

/// The printable correction report (訂正・削除履歴): every correction, grouped by item, as Markdown, with
/// the front end's `words` around the tables.
pub fn corrections_markdown(
    plan: &str,
    words: &ReportWords<'_>,
    entries: &[crate::views::audit::HistoryEntry],
    state: &crate::domain::state::State,
) -> String {
    let mut out = String::new();
    out.push_str(&format!("# 訂正・削除履歴: {}\n\n", md_escape(plan)));
    out.push_str(words.intro);
    out.push_str("\n\n");
    if entries.iter().any(|e| e.correction) {
        out.push_str(words.marked);
        out.push_str("\n\n");
    }
    if entries.is_empty() {
        out.push_str(words.none);
        out.push('\n');
        return out;
    }
    let mut items: Vec<&ItemId> = entries.iter().map(|e| &e.item.0).collect();
    items.sort_unstable();
    items.dedup();
    for n in items {
        let (title, dept) = state
            .items
            .get(n)
            .map_or((String::new(), String::new()), |i| {
                (i.title.clone(), i.department.clone())
            });
        let n = md_escape(n.as_str());
        out.push_str(&format!(
            "## No.{n} {} ({})\n\n",
            md_escape(&title),
            md_escape(&dept)
        ));
        out.push_str(&format!(
            "| seq | 日時 ({}) | 記録者 | 内容 | 期間 | 訂正前 | 訂正後 | 理由 |\n",
            zone_label(&crate::domain::when::shown_zone())
        ));
        out.push_str("| ---: | --- | --- | --- | --- | --- | --- | --- |\n");
        for e in entries.iter().filter(|e| md_escape(e.item.0.as_str()) == n) {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                e.seq,
                md_escape(&match &e.clock_behind {
                    Some(clock) => format!(
                        "{} {}",
                        crate::domain::when::format_text(e.recorded_at),
                        clock_behind_note(*clock)
                    ),
                    None => crate::domain::when::format_text(e.recorded_at),
                }),
                md_escape(&e.author),
                match e.correction {
                    true => format!("{} {CORRECTION_MARK}", field_label(e.field)),
                    false => field_label(e.field).to_string(),
                },
                e.period.map(|p| p.label()).unwrap_or_default(),
                md_escape(&value_text(&e.old)),
                md_escape(&value_text(&e.new)),
                md_escape(&e.reason)
            ));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    //! Its fixtures (the seed's state, a view of hostile text) serve the writer's tests too
    //! (`table::write`): they check that the TSV and CSV of these views import back, and hold the tests
    //! that need a renderer and a writer both, so that no file here imports the writer.

    use super::*;
    use crate::domain::event::Change;
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
    fn audit_columns_pad_to_the_widest_short_cell() {
        let rows = vec![
            vec!["1".to_string(), "評価".to_string(), "x".to_string()],
            vec!["12".to_string(), "A\u{1b}".to_string(), String::new()],
        ];
        assert_eq!(
            columns(&["no", "value", "why"], &rows),
            "no  value    why\n1   評価     x\n12  A\\u{1b}\n"
        );
    }

    /// One 120 KB text in one row of many used to pad every row to its width (a 200,000-event ledger:
    /// a 5 GB string). Cells are cut at CELL_MAX columns and widths come from the cut cells.
    #[test]
    fn audit_columns_never_pad_rows_to_the_longest_text() {
        let long = "長".repeat(40_000);
        let mut rows: Vec<Vec<String>> = (0..1000)
            .map(|i| vec![i.to_string(), "A".to_string(), "import".to_string()])
            .collect();
        rows[500][1] = long.clone();
        rows[501][2] = long.clone();
        let out = columns(&["item", "value", "reason"], &rows);
        // Every line: 4 + 2 + CELL_MAX + 2 + at most CELL_MAX columns.
        for l in out.lines() {
            assert!(display_width(l) <= 8 + 2 * CELL_MAX, "{}", l.len());
        }
        assert!(out.len() < 1001 * (8 + 2 * CELL_MAX), "{}", out.len());
        let cut = format!("{}…", "長".repeat(CELL_MAX / 2 - 1));
        assert_eq!(display_width(&cut), CELL_MAX - 1);
        let line = |i: usize| out.lines().nth(i + 1).unwrap_or_default().to_string();
        // The value column is as wide as the cut cell (CELL_MAX - 1: a wide character does not fit the
        // last column).
        let gap = " ".repeat(CELL_MAX - 1 - 1 + 2);
        assert_eq!(line(500), format!("500   {cut}  import"));
        assert_eq!(line(501), format!("501   A{gap}{cut}"));
        assert_eq!(line(0), format!("0     A{gap}import"));
        // Text of zero-width characters takes no column, and is cut by its bytes.
        let marks = format!("e{}", "\u{301}".repeat(60_000));
        let out = columns(&["value"], &[vec![marks]]);
        assert!(
            out.len() <= "value\n".len() + 4 * CELL_MAX + 1,
            "{}",
            out.len()
        );
        assert!(out.ends_with("…\n"));
    }

    #[test]
    fn change_cells_keep_both_sides_in_view() {
        let v = |s: &str| serde_json::Value::String(s.to_string());
        assert_eq!(change_cell(&serde_json::Value::Null, &v("A")), "— → A");
        assert_eq!(
            change_cell(&v("a\u{1b}"), &serde_json::Value::Bool(true)),
            "a\\u{1b} → ○"
        );
        let long = "長".repeat(40_000);
        // A short side stays whole; the long one takes the rest of CELL_MAX.
        for (old, new) in [(v(&long), v("地域連絡会")), (v("地域連絡会"), v(&long))] {
            let c = change_cell(&old, &new);
            assert!(
                (CELL_MAX - 1..=CELL_MAX).contains(&display_width(&c)),
                "{c}"
            );
            assert!(c.contains("地域連絡会") && c.contains("… → ") != c.ends_with('…'));
        }
        // Two long sides share it.
        let c = change_cell(&v(&long), &v(&"x".repeat(1000)));
        assert!(display_width(&c) <= CELL_MAX, "{c}");
        assert!(c.starts_with("長長") && c.contains("… → xx") && c.ends_with("x…"));
        assert_eq!(cell(&c), c, "a change cell is a cell already");
    }

    #[test]
    fn full_records_show_every_value_whole_and_unpadded() {
        let long = "長".repeat(40_000);
        let r = record(
            &["item", "value", "reason"],
            &[
                "3".to_string(),
                long.clone(),
                "一行目\n\n二行目\u{1b}".to_string(),
            ],
        );
        assert_eq!(
            r,
            format!("item    3\nvalue   {long}\nreason  一行目\n\n        二行目\\u{{1b}}\n")
        );
        assert_eq!(
            record(&["a", "bbb"], &[String::new(), "x".into()]),
            "a\nbbb  x\n"
        );
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

#[cfg(test)]
mod fit_tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn fitted_columns_take_at_most_the_width_free_text_first() {
        let header = ["seq", "time", "old → new", "reason"];
        let rows = [
            row(&[
                "#1",
                "2015-11-06 08:30:00 +09:00",
                "B → A",
                "所管課からの報告により訂正",
            ]),
            row(&[
                "#2",
                "2015-11-06 08:31:00 +09:00",
                "長い旧い値の文章 → 新しい値",
                "再評価",
            ]),
        ];
        let natural = Columns::measure(&header, rows.iter().cloned());
        for width in [20, 40, 60, 80, 200] {
            let layout = natural.clone().fit(width, &[2, 3]);
            for r in std::iter::once(row(&header)).chain(rows.iter().cloned()) {
                let line = layout.line(&r);
                let w = display_width(line.trim_end());
                assert!(w <= width.max(4 * (MIN_FIT + 2) - 2), "{width}: {w} {line}");
            }
        }
        // Wide enough: nothing changes.
        assert_eq!(natural.clone().fit(200, &[2, 3]), natural);
        // At 60 the seq and time stay whole; the free text gives way.
        let layout = natural.clone().fit(60, &[2, 3]);
        let line = layout.line(&rows[0]);
        assert!(
            line.starts_with("#1   2015-11-06 08:30:00 +09:00  "),
            "{line}"
        );
        let line = layout.line(&rows[1]);
        assert!(
            line.contains(" → 新"),
            "an old → new cell keeps its new side: {line}"
        );
        // The time kept whole while the other columns can give way.
        let layout = natural.clone().fit_keeping(42, &[2, 3], &[1]);
        let line = layout.line(&rows[0]);
        assert!(line.contains("2015-11-06 08:30:00 +09:00"), "{line}");
        assert!(display_width(line.trim_end()) <= 42, "{line}");
        // Narrower than the fixed columns: every column gives way.
        let layout = natural.clone().fit(30, &[2, 3]);
        let line = layout.line(&rows[0]);
        assert!(display_width(line.trim_end()) <= 30, "{line}");
        assert!(line.contains('…'), "{line}");
    }
}
