//! The audit views (history, blame, diff, the correction report) as text: each cell escaped and cut,
//! each column as wide as its widest cut cell and, on a terminal, the columns fitted to its width, an
//! old → new cell keeping both sides in view, whole records for `--full`, and the printable correction
//! report in Markdown. Nothing here prints: every function returns a `String`.

use crate::domain::item_id::ItemId;
use crate::domain::text;
use crate::views::render::{GAP, md_escape};
use crate::views::width::{clip, display_width, pad};

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

/// The width below which free text (a reason, an `old → new` cell) is no longer useful to read: when
/// one line would cut it narrower (and it is wider), the rows go on two lines ([`Stacked`]).
pub const MIN_FREE_TEXT: usize = 20;

impl Columns {
    /// Whether, fitted from `natural`, one of the `free` columns (by index) was cut below
    /// [`MIN_FREE_TEXT`] columns (or below its own width, when that is smaller).
    pub fn cramped(&self, natural: &Columns, free: &[usize]) -> bool {
        free.iter()
            .any(|&i| match (self.widths.get(i), natural.widths.get(i)) {
                (Some(&w), Some(&n)) => w < n.min(MIN_FREE_TEXT),
                _ => false,
            })
    }

    /// The widths of the columns `of` (by index), in that order.
    fn pick(&self, of: &[usize]) -> Columns {
        Columns {
            widths: of
                .iter()
                .filter_map(|&i| self.widths.get(i).copied())
                .collect(),
        }
    }
}

/// Rows of an audit view laid out on two lines each, for a terminal too narrow to give free text a
/// useful width on one line: the first line the columns `head` (by index: the seq, the time, the
/// author, what changed), the second, indented by [`Stacked::INDENT`], the others in their order (the
/// item and the point, old → new, the reason). Each line's columns are aligned and fitted to the width
/// as [`Columns`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stacked {
    head: Vec<usize>,
    body: Vec<usize>,
    top: Columns,
    bottom: Columns,
}

impl Stacked {
    /// The indent of a row's second line.
    pub const INDENT: usize = 4;

    /// Splits the measured `natural` columns: `head` (by index, in the order given) on the first line,
    /// the others on the second.
    pub fn new(natural: &Columns, head: &[usize]) -> Stacked {
        let n = natural.widths.len();
        let head: Vec<usize> = head.iter().copied().filter(|&i| i < n).collect();
        let body: Vec<usize> = (0..n).filter(|i| !head.contains(i)).collect();
        Stacked {
            top: natural.pick(&head),
            bottom: natural.pick(&body),
            head,
            body,
        }
    }

    /// Fitted to `width`: each line as [`Columns::fit_keeping`] fits it, `flexible` and `keep` by
    /// the index of the whole row.
    pub fn fit(mut self, width: usize, flexible: &[usize], keep: &[usize]) -> Stacked {
        let local = |of: &[usize], set: &[usize]| -> Vec<usize> {
            (0..of.len()).filter(|k| set.contains(&of[*k])).collect()
        };
        self.top = self.top.fit_keeping(
            width,
            &local(&self.head, flexible),
            &local(&self.head, keep),
        );
        self.bottom = self.bottom.fit_keeping(
            width.saturating_sub(Self::INDENT),
            &local(&self.body, flexible),
            &local(&self.body, keep),
        );
        self
    }

    /// One row (or the header) as its two lines, each ending in a newline.
    pub fn line(&self, row: &[String]) -> String {
        let cells = |of: &[usize]| -> Vec<String> {
            of.iter()
                .map(|&i| row.get(i).cloned().unwrap_or_default())
                .collect()
        };
        let mut out = self.top.line(&cells(&self.head));
        let second = self.bottom.line(&cells(&self.body));
        if !second.trim().is_empty() {
            out.push_str(&" ".repeat(Self::INDENT));
            out.push_str(&second);
        }
        out
    }
}

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
    entries: &[crate::views::audit::history::HistoryEntry],
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
mod tests {
    use super::*;

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

    /// Two lines a row where one would leave the reason a few columns: each line fits the width, the
    /// second indented, the reason whole when the second line has room for it.
    #[test]
    fn stacked_rows_fit_and_keep_free_text_readable() {
        let header = [
            "seq",
            "time",
            "author",
            "field",
            "period",
            "old → new",
            "reason",
        ];
        let reason = "所管課からの報告により評価を訂正した";
        let rows = [vec![
            "#359".to_string(),
            "2015-11-06 08:30:00 +09:00".to_string(),
            "鈴木一郎".to_string(),
            "評価 [訂正]".to_string(),
            "平成27年度上半期".to_string(),
            "A → B".to_string(),
            reason.to_string(),
        ]];
        let natural = Columns::measure(&header, rows.iter().cloned());
        let one_line = natural.clone().fit_keeping(80, &[5, 6], &[1]);
        // On one line at 80 columns the reason is cut below MIN_FREE_TEXT: cramped.
        assert!(one_line.cramped(&natural, &[5, 6]));
        assert!(
            !natural
                .clone()
                .fit_keeping(200, &[5, 6], &[1])
                .cramped(&natural, &[5, 6])
        );
        let stacked = Stacked::new(&natural, &[0, 1, 2, 3]).fit(80, &[5, 6], &[1]);
        let out = stacked.line(&rows[0]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(
            lines[0].starts_with("#359  2015-11-06 08:30:00 +09:00  鈴木一郎"),
            "{out}"
        );
        assert!(
            lines[1].starts_with("    平成27年度上半期  A → B  "),
            "{out}"
        );
        assert!(lines[1].ends_with(reason), "{out}");
        for l in &lines {
            assert!(display_width(l) <= 80, "{l}");
        }
        // Narrower still: every line fits, the reason cut with `…`.
        let narrow = Stacked::new(&natural, &[0, 1, 2, 3]).fit(40, &[5, 6], &[1]);
        let out = narrow.line(&rows[0]);
        for l in out.lines() {
            assert!(display_width(l) <= 40, "{l}");
        }
        assert!(out.contains('…'), "{out}");
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
