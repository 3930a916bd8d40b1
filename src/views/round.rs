//! Where an evaluation round stands (`round status`), and the notice of the corrections made to a
//! published round (訂正のお知らせ): plain data (serialisable to `schema/round-status.schema.json` and
//! `schema/round-notice.schema.json`) built from the state, the clock and the log, and their text.
//!
//! Invariants: the status is a pure function of the state and the time given (no clock is read here);
//! a department is *done* when each of its items at the point is 対象外, or rated and approved at
//! 2次評価 (what publication needs), and *overdue* when the round is not published, its due date has
//! passed in Japan time, and it is not done. Every piece of user data in the text goes through
//! [`crate::domain::text::escape`] (or [`crate::views::render::md_escape`] for Markdown).

use serde::Serialize;
use serde_json::Value;

use crate::domain::event::Change;
use crate::domain::people::RoundStatus;
use crate::domain::period::Period;
use crate::domain::state::State;
use crate::domain::{text, when};
use crate::error::{IntegrityError, Result};
use crate::ledger::Ledger;
use crate::store::Store;
use crate::views::audit::history::{HistoryEntry, HistoryFold};
use crate::views::audit_text::{field_label, value_text};
use crate::views::render::md_escape;
use crate::views::width::{display_width, pad, pad_left, truncate};
use crate::views::{ItemRef, PeriodRef};

/// A round's status in Japanese: 受付中 (open), 締切済 (closed), 公表済 (published).
pub fn status_label(s: RoundStatus) -> &'static str {
    match s {
        RoundStatus::Open => "受付中",
        RoundStatus::Closed => "締切済",
        RoundStatus::Published => "公表済",
    }
}

/// Counts of a department's items (or of all items) at a round's point.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Items part of the plan at the point.
    pub items: usize,
    /// Rated.
    pub rated: usize,
    /// Not evaluated at the point (対象外).
    pub excluded: usize,
    /// Submitted for review since their last rating.
    pub submitted: usize,
    /// Approved at 1次評価 since their last rating.
    pub approved_first: usize,
    /// Approved at 2次評価 since their last rating.
    pub approved_second: usize,
    /// Returned for revision (差し戻し) and not rated again since.
    pub returned: usize,
    /// Neither 対象外 nor rated and approved at 2次評価: what publication still waits for.
    pub pending: usize,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.items += o.items;
        self.rated += o.rated;
        self.excluded += o.excluded;
        self.submitted += o.submitted;
        self.approved_first += o.approved_first;
        self.approved_second += o.approved_second;
        self.returned += o.returned;
        self.pending += o.pending;
    }
}

/// One department's part of a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepartmentStatus {
    /// The department.
    pub department: String,
    /// Its items' counts.
    #[serde(flatten)]
    pub counts: Counts,
    /// The due date has passed (Japan time), the round is not published, and items are pending.
    pub overdue: bool,
}

/// Where a round stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundStatusView {
    /// The plan's name.
    pub plan: String,
    /// The round's point.
    pub point: PeriodRef,
    /// `open`, `closed` or `published`.
    pub status: &'static str,
    /// The due date (`YYYY-MM-DD`, Japan time).
    pub due: String,
    /// The day the status was taken on (`YYYY-MM-DD`, Japan time).
    pub today: String,
    /// SHA-256 (hex) of the published table, once published.
    pub published_sha256: Option<String>,
    /// Per department, in the order the plan first lists them.
    pub departments: Vec<DepartmentStatus>,
    /// Every department's counts added.
    pub total: Counts,
    /// How many departments are overdue.
    pub overdue: usize,
}

/// The day (Japan time) of an instant, as `YYYY-MM-DD`.
pub fn jst_date(ns: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns))
        .ok()
        .map(|t| t.to_offset(when::JST))
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_default()
}

/// The day (Japan time) of an instant as notices write it: `令和3年5月10日` (`令和元年`, and 平成 before
/// 1 May 2019), or `2021年5月10日` outside those eras.
pub fn jst_date_japanese(ns: i64) -> String {
    let Some(t) = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns))
        .ok()
        .map(|t| t.to_offset(when::JST))
    else {
        return String::new();
    };
    let (y, m, d) = (t.year(), u8::from(t.month()), t.day());
    let era = match (y, m, d) {
        _ if (y, m, d) >= (2019, 5, 1) => Some(("令和", y - 2018)),
        _ if (y, m, d) >= (1989, 1, 8) => Some(("平成", y - 1988)),
        _ => None,
    };
    match era {
        Some((name, 1)) => format!("{name}元年{m}月{d}日"),
        Some((name, n)) => format!("{name}{n}年{m}月{d}日"),
        None => format!("{y}年{m}月{d}日"),
    }
}

/// Where the round of `point` stands at the instant `now` (ns), or `None` when the point has no round.
pub fn round_status(state: &State, point: Period, now: i64) -> Option<RoundStatusView> {
    let round = state.rounds.get(&point)?;
    let today = jst_date(now);
    let past_due = round.status != RoundStatus::Published && !today.is_empty() && today > round.due;
    let mut departments: Vec<DepartmentStatus> = Vec::new();
    for item in state.items_in_order() {
        if !item.in_plan_at(point) {
            continue;
        }
        let i = match departments
            .iter()
            .position(|d| d.department == item.department)
        {
            Some(i) => i,
            None => {
                departments.push(DepartmentStatus {
                    department: item.department.clone(),
                    counts: Counts::default(),
                    overdue: false,
                });
                departments.len() - 1
            }
        };
        let c = &mut departments[i].counts;
        let review = round.review(&item.id);
        let rated = state.rating(&item.id, point).is_some();
        let excluded = state.is_excluded(&item.id, point);
        c.items += 1;
        c.rated += usize::from(rated);
        c.excluded += usize::from(excluded);
        c.submitted += usize::from(review.submitted);
        c.approved_first += usize::from(review.first);
        c.approved_second += usize::from(review.second);
        c.returned += usize::from(review.returned);
        c.pending += usize::from(!(excluded || rated && review.second));
    }
    let mut total = Counts::default();
    for d in &mut departments {
        d.overdue = past_due && d.counts.pending > 0;
        total.add(&d.counts);
    }
    Some(RoundStatusView {
        plan: state
            .plan
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        point: point.into(),
        status: round.status.id(),
        due: round.due.clone(),
        today,
        published_sha256: round.published.map(hex::encode),
        overdue: departments.iter().filter(|d| d.overdue).count(),
        departments,
        total,
    })
}

/// The status as aligned text of about `width` columns (the department column takes what the counts
/// leave): the plan and point, the round's state, due date and digest, then one line per department
/// (`担当課 項目 評価済 対象外 提出 1次承認 2次承認 差し戻し 期限超過`) and the totals.
pub fn round_status_text(v: &RoundStatusView, width: usize) -> String {
    let width = width.clamp(20, 4096);
    let status = match v.status {
        "open" => status_label(RoundStatus::Open),
        "closed" => status_label(RoundStatus::Closed),
        _ => status_label(RoundStatus::Published),
    };
    let mut out = String::new();
    let mut line = |s: &str| {
        out.push_str(truncate(s, width).trim_end());
        out.push('\n');
    };
    line(&format!(
        "{}  {}の評価",
        text::escape(&v.plan),
        text::escape(&v.point.label)
    ));
    let overdue = match v.overdue {
        0 => String::new(),
        n => format!(" (期限超過 {n}課)"),
    };
    line(&format!(
        "状況: {status}  締切: {}{overdue}  基準日: {}",
        text::escape(&v.due),
        text::escape(&v.today)
    ));
    if let Some(d) = &v.published_sha256 {
        line(&format!("公表した表の SHA-256: {d}"));
    }
    const HEADS: [&str; 8] = [
        "項目",
        "評価済",
        "対象外",
        "提出",
        "1次承認",
        "2次承認",
        "差し戻し",
        "期限超過",
    ];
    // For a narrow terminal.
    const SHORT: [&str; 8] = [
        "項目",
        "評価",
        "対象外",
        "提出",
        "1次",
        "2次",
        "戻し",
        "超過",
    ];
    const DEPT: &str = "担当課";
    const MARK: &str = "○";
    let numbers = |c: &Counts| {
        [
            c.items,
            c.rated,
            c.excluded,
            c.submitted,
            c.approved_first,
            c.approved_second,
            c.returned,
        ]
    };
    // Each count column as wide as its header or its widest number.
    let widths = |heads: &[&str; 8]| -> [usize; 8] {
        let mut w = heads.map(display_width);
        for c in v.departments.iter().map(|d| &d.counts).chain([&v.total]) {
            for (w, n) in w.iter_mut().zip(numbers(c)) {
                *w = (*w).max(n.to_string().len());
            }
        }
        w
    };
    let natural = v
        .departments
        .iter()
        .map(|d| display_width(&text::escape(&d.department)))
        .chain([display_width(DEPT), display_width("合計")])
        .max()
        .unwrap_or(6);
    let fits = |w: &[usize; 8]| w.iter().map(|w| w + 2).sum::<usize>();
    let (heads, col) = match fits(&widths(&HEADS)) + natural <= width {
        true => (HEADS, widths(&HEADS)),
        false => (SHORT, widths(&SHORT)),
    };
    let dept_w = natural.min(width.saturating_sub(fits(&col)).max(display_width(DEPT)));
    let row = |name: &str, c: &Counts, overdue: bool| -> String {
        let mut s = pad(&truncate(&text::escape(name), dept_w), dept_w);
        for (n, w) in numbers(c).iter().zip(col) {
            s.push_str("  ");
            s.push_str(&pad_left(&n.to_string(), w));
        }
        if overdue {
            s.push_str("  ");
            s.push_str(&pad_left(MARK, col[7]));
        }
        s
    };
    let mut header = pad(DEPT, dept_w);
    for (h, w) in heads.iter().zip(col) {
        header.push_str("  ");
        header.push_str(&pad_left(h, w));
    }
    out.push_str(header.trim_end());
    out.push('\n');
    for d in &v.departments {
        out.push_str(row(&d.department, &d.counts, d.overdue).trim_end());
        out.push('\n');
    }
    if v.departments.is_empty() {
        out.push_str("(この時点の項目はありません)\n");
    } else {
        out.push_str(row("合計", &v.total, false).trim_end());
        out.push('\n');
    }
    out
}

// ------------------------------------------------------------------------------ corrections' notice

/// The publication of a round, as the log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Publication {
    /// The `round.published` event.
    pub seq: u64,
    /// When (ns; in JSON RFC 3339 in the shown zone, Japan time by default).
    #[serde(serialize_with = "when::serialize_shown")]
    pub recorded_at: i64,
    /// SHA-256 (hex) of the published table.
    pub table_sha256: String,
}

/// One correction of a published round, as its notice names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoticeEntry {
    /// The event.
    pub seq: u64,
    /// When (ns; in JSON RFC 3339 in the shown zone, Japan time by default).
    #[serde(serialize_with = "when::serialize_shown")]
    pub recorded_at: i64,
    /// Who.
    pub author: String,
    /// Why.
    pub reason: String,
    /// The item (JSON: `item`, its number for a numeric id, and `item_id`).
    #[serde(flatten)]
    pub item: ItemRef,
    /// The item's title.
    pub title: String,
    /// The item's department.
    pub department: String,
    /// `rating`, `follow_up`, `remark` or `not_evaluated`.
    pub field: &'static str,
    /// The value before.
    pub old: Value,
    /// The value after.
    pub new: Value,
}

/// The notice of the corrections made to a published round (訂正のお知らせ).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    /// The plan's name.
    pub plan: String,
    /// The round's point.
    pub point: PeriodRef,
    /// The publication (`None` when the round is not published).
    pub published: Option<Publication>,
    /// Every correction, oldest first.
    pub corrections: Vec<NoticeEntry>,
}

impl NoticeEntry {
    /// The entry of a history entry (a correction), with the item's title and department from `state`.
    pub fn of(h: &HistoryEntry, state: &State) -> NoticeEntry {
        let (title, department) = state
            .items
            .get(&h.item.0)
            .map_or((String::new(), String::new()), |i| {
                (i.title.clone(), i.department.clone())
            });
        NoticeEntry {
            seq: h.seq,
            recorded_at: h.recorded_at,
            author: h.author.clone(),
            reason: h.reason.clone(),
            item: h.item.clone(),
            title,
            department,
            field: h.field,
            old: h.old.clone(),
            new: h.new.clone(),
        }
    }
}

/// The field and value of the cell a change sets (rating, follow-up flag, remark, 対象外), as `state`
/// holds it; `None` for a change that sets no cell.
pub fn cell_value(state: &State, change: &Change) -> Option<(&'static str, Value)> {
    let (item, period) = (change.item()?, change.period()?);
    let cell = state.cell(item, period);
    Some(match change {
        Change::RatingRecorded { .. } | Change::RatingWithdrawn { .. } => {
            ("rating", cell.rating.map_or(Value::Null, Value::String))
        }
        Change::FollowUpSet { .. } => ("follow_up", Value::Bool(cell.follow_up)),
        Change::RemarkSet { .. } => (
            "remark",
            match cell.remark.is_empty() {
                true => Value::Null,
                false => Value::String(cell.remark),
            },
        ),
        Change::ItemExcluded { .. } | Change::ExclusionWithdrawn { .. } => (
            "not_evaluated",
            Value::Bool(state.is_excluded(item, period)),
        ),
        _ => return None,
    })
}

/// Whether `change` sets a cell of a point whose round is published in `state` (the state before it):
/// a correction (訂正).
pub fn is_correction(state: &State, change: &Change) -> bool {
    change
        .period()
        .and_then(|p| state.rounds.get(&p))
        .is_some_and(|r| r.status == RoundStatus::Published)
}

impl<S: Store> Ledger<S> {
    /// The notice of every correction made to the round of `point` after its publication: the
    /// `round.published` event, then each later change to a cell of that point, from the log.
    pub fn round_notice(&self, point: Period) -> Result<Notice> {
        let mut fold = HistoryFold::default();
        let mut published = None;
        let mut found = Vec::new();
        self.scan(0, u64::MAX, &mut |e| {
            if let Change::RoundPublished {
                period,
                table_sha256,
            } = &e.event.change
                && *period == point
            {
                published = Some(Publication {
                    seq: e.event.seq,
                    recorded_at: e.event.recorded_at,
                    table_sha256: hex::encode(table_sha256),
                });
            }
            fold.step(&e.event, &mut |h| {
                if h.correction && h.period == Some(point) {
                    found.push(h);
                }
            })
            .map_err(|r| IntegrityError::RuleBroken {
                seq: e.event.seq,
                why: r,
            })?;
            Ok(true)
        })?;
        let state = &fold.state;
        Ok(Notice {
            plan: state
                .plan
                .as_ref()
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            point: point.into(),
            published,
            corrections: found.iter().map(|h| NoticeEntry::of(h, state)).collect(),
        })
    }
}

/// The notice as Markdown, ready to edit and publish: a title, the date (Japan time) of the latest
/// correction, a sentence naming the plan, the point and the publication, a table of the corrections
/// (item, title, department, what, before → after, reason, date), and the record behind each (seq,
/// recorder, time) and the published table's digest.
pub fn notice_markdown(n: &Notice) -> String {
    let mut out = String::from("# 訂正のお知らせ\n\n");
    let Some(latest) = n.corrections.iter().map(|c| c.recorded_at).max() else {
        out.push_str(&format!(
            "{}の{}の評価結果について、公表後の訂正はありません。\n",
            md_escape(&n.plan),
            md_escape(&n.point.label)
        ));
        return out;
    };
    out.push_str(&format!("{}\n\n", jst_date_japanese(latest)));
    let published = n.published.as_ref().map_or(String::new(), |p| {
        format!("（{}公表）", jst_date_japanese(p.recorded_at))
    });
    out.push_str(&format!(
        "{}の{}の評価結果{published}について、次のとおり訂正します。\n\n",
        md_escape(&n.plan),
        md_escape(&n.point.label)
    ));
    out.push_str("| No. | 項目 | 担当課 | 内容 | 訂正前 | 訂正後 | 理由 | 訂正日 |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for c in &n.corrections {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            md_escape(c.item.0.as_str()),
            md_escape(&c.title),
            md_escape(&c.department),
            field_label(c.field),
            md_escape(&value_text(&c.old)),
            md_escape(&value_text(&c.new)),
            md_escape(&c.reason),
            jst_date_japanese(c.recorded_at)
        ));
    }
    out.push('\n');
    let records: Vec<String> = n
        .corrections
        .iter()
        .map(|c| {
            format!(
                "#{} ({}、{})",
                c.seq,
                md_escape(&c.author),
                when::format_text_in(c.recorded_at, &when::Zone::japan())
            )
        })
        .collect();
    out.push_str(&format!("記録: {}\n", records.join("、")));
    if let Some(p) = &n.published {
        out.push_str(&format!(
            "\n公表時の表の SHA-256: `{}`（記録 #{}）\n",
            p.table_sha256, p.seq
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::people::{Person, Role, Stage, Verdict};
    use crate::domain::period::Part;

    fn ye() -> Period {
        Period {
            fiscal_year: 2020,
            part: Part::YearEnd,
        }
    }

    fn id(n: u32) -> crate::domain::item_id::ItemId {
        crate::domain::item_id::ItemId::from_number(n)
    }

    /// Items 1-2 of 総務課, 3 of a department with a hostile name; a round of 令和2年度末 where 総務課
    /// is rated, submitted and approved at both stages, and item 3 is rated only.
    fn state() -> State {
        let mut s = State::default();
        let mut changes = vec![
            Change::PlanDefined {
                name: "計画".into(),
                grades: vec!["A".into(), "B".into()],
                default_era: None,
                origin: "example/plan".into(),
                cadence: Default::default(),
                years: None,
            },
            Change::CategoryAdded {
                name: "見出し".into(),
            },
        ];
        for (n, dept) in [(1, "総務課"), (2, "総務課"), (3, "企画課 | *x*")] {
            changes.push(Change::ItemRegistered {
                id: id(n),
                title: format!("取組{n}"),
                department: dept.into(),
                category: "見出し".into(),
                relisting_of: None,
                from: None,
                after: None,
            });
        }
        changes.push(Change::PeopleEnabled {
            log_vkey: "log+00000001+AAAA".into(),
            admin: Person {
                id: "admin".into(),
                name_commitment: [0; 32],
                department: "行政経営課".into(),
                roles: vec![Role::Admin],
                vkey: "admin+00000002+AAAA".into(),
            },
        });
        changes.push(Change::RoundOpened {
            period: ye(),
            due: "2021-04-30".into(),
        });
        for n in 1..=3 {
            changes.push(Change::RatingRecorded {
                item: id(n),
                period: ye(),
                grade: "A".into(),
            });
        }
        changes.push(Change::Submitted {
            period: ye(),
            department: "総務課".into(),
        });
        for stage in [Stage::First, Stage::Second] {
            for n in 1..=2 {
                changes.push(Change::Reviewed {
                    period: ye(),
                    item: id(n),
                    stage,
                    verdict: Verdict::Approve,
                });
            }
        }
        for c in &changes {
            if let Err(e) = s.apply(c) {
                panic!("{c:?}: {e}");
            }
        }
        s
    }

    #[test]
    fn a_status_counts_each_department_and_marks_the_overdue() {
        let s = state();
        let at = |t: &str| when::parse_rfc3339(t).unwrap_or(0);
        let v = round_status(&s, ye(), at("2021-05-01T00:00:00+09:00")).unwrap();
        assert_eq!(v.status, "open");
        assert_eq!(v.today, "2021-05-01");
        let done = &v.departments[0];
        assert_eq!(done.department, "総務課");
        assert_eq!((done.counts.approved_second, done.counts.pending), (2, 0));
        assert!(!done.overdue);
        let late = &v.departments[1];
        assert_eq!((late.counts.rated, late.counts.submitted), (1, 0));
        assert!(late.overdue);
        assert_eq!((v.overdue, v.total.items, v.total.pending), (1, 3, 1));
        // The due day itself (until midnight, Japan time) is not late; 15:00 UTC is the next day there.
        let v = round_status(&s, ye(), at("2021-04-30T14:59:00Z")).unwrap();
        assert_eq!(v.overdue, 0);
        let v = round_status(&s, ye(), at("2021-04-30T15:00:00Z")).unwrap();
        assert_eq!(v.overdue, 1);
        assert!(
            round_status(
                &s,
                Period {
                    fiscal_year: 2021,
                    part: Part::YearEnd
                },
                0
            )
            .is_none()
        );
    }

    #[test]
    fn status_text_fits_the_width_and_escapes() {
        let mut s = state();
        s.items
            .entry(id(3))
            .and_modify(|i| i.department = "企画課\u{1b}[31m".into());
        let v = round_status(
            &s,
            ye(),
            when::parse_rfc3339("2021-05-01T00:00:00+09:00").unwrap_or(0),
        )
        .unwrap();
        for w in [60, 80, 120] {
            let t = round_status_text(&v, w);
            assert!(!t.contains('\u{1b}'), "{t}");
            for l in t.lines() {
                assert!(display_width(l) <= w, "{w}: {l}");
            }
        }
        let t = round_status_text(&v, 80);
        assert!(
            t.contains("状況: 受付中  締切: 2021-04-30 (期限超過 1課)"),
            "{t}"
        );
        assert!(
            t.lines()
                .any(|l| l.starts_with("総務課") && l.ends_with(" 0")),
            "{t}"
        );
    }

    #[test]
    fn a_notice_escapes_markdown_and_names_each_correction() {
        let n = Notice {
            plan: "計画 | *x*".into(),
            point: ye().into(),
            published: Some(Publication {
                seq: 9,
                recorded_at: when::parse_rfc3339("2021-05-01T10:00:00+09:00").unwrap_or(0),
                table_sha256: "ab".repeat(32),
            }),
            corrections: vec![NoticeEntry {
                seq: 12,
                recorded_at: when::parse_rfc3339("2021-05-10T10:00:00+09:00").unwrap_or(0),
                author: "hq".into(),
                reason: "報告 | 訂正".into(),
                item: ItemRef(id(3)),
                title: "取組3".into(),
                department: "企画課".into(),
                field: "rating",
                old: Value::String("A".into()),
                new: Value::String("B".into()),
            }],
        };
        let md = notice_markdown(&n);
        assert!(
            md.starts_with("# 訂正のお知らせ\n\n令和3年5月10日\n\n"),
            "{md}"
        );
        assert!(md.contains("（令和3年5月1日公表）"), "{md}");
        assert!(md.contains("計画 \\| \\*x\\*"), "{md}");
        assert!(
            md.contains("| 3 | 取組3 | 企画課 | 評価 | A | B | 報告 \\| 訂正 | 令和3年5月10日 |"),
            "{md}"
        );
        assert!(md.contains("#12 (hq、2021-05-10 10:00:00 +09:00)"), "{md}");
        let none = Notice {
            corrections: Vec::new(),
            ..n
        };
        assert!(notice_markdown(&none).contains("公表後の訂正はありません"));
    }

    #[test]
    fn japanese_dates_follow_the_eras_in_japan_time() {
        let at = |s: &str| when::parse_rfc3339(s).unwrap();
        assert_eq!(
            jst_date_japanese(at("2021-05-10T10:00:00+09:00")),
            "令和3年5月10日"
        );
        assert_eq!(
            jst_date_japanese(at("2019-05-01T00:00:00+09:00")),
            "令和元年5月1日"
        );
        assert_eq!(
            jst_date_japanese(at("2019-04-30T23:59:59+09:00")),
            "平成31年4月30日"
        );
        // 15:30 UTC is the next day in Japan.
        assert_eq!(jst_date(at("2021-04-30T15:30:00Z")), "2021-05-01");
        assert_eq!(
            jst_date_japanese(at("1988-12-31T12:00:00+09:00")),
            "1988年12月31日"
        );
    }
}
