//! The public pages of a published round, in Japanese: the table as published (`round.html`), and the
//! notice of its corrections (`corrections.html`), from the templates in `templates/` (minijinja, HTML
//! auto-escaped) and one stylesheet (`public.css`). The publication pack writes them as `index.html`
//! and `corrections.html`; `hyoka serve` serves the same pages as `GET /rounds/{POINT}` and
//! `GET /rounds/{POINT}/corrections`, only the links differ ([`Links`]).
//!
//! Accessibility (JIS X 8341-3:2016 AA, WCAG 2.1 AA) by construction: `<html lang="ja">`, a skip link,
//! tables with `<caption>` and `<th scope>`, a chart (SVG) whose every bar is labelled with its grade
//! and count in text and which has a text equivalent (its `<desc>` and the subtotals' table), nothing
//! told by colour alone, a visible focus, contrast of at least 4.5:1, reflow at 320 px (wide tables
//! scroll inside a focusable region), and a print stylesheet (A4 landscape). No script, no style
//! attribute, nothing loaded from elsewhere.

use std::sync::OnceLock;

use minijinja::{Environment, Value as Jinja, context};
use serde_json::Value;

use super::item::ItemRecord;
use super::{Publication, Tally, UNRATED, text_japan};
use crate::domain::state::NOT_EVALUATED;

/// The stylesheet of the public pages.
pub const CSS: &str = include_str!("templates/public.css");

/// Where the pages link to.
#[derive(Debug, Clone)]
pub struct Links {
    /// The stylesheet.
    pub css: String,
    /// The table's page.
    pub table: String,
    /// The corrections' page.
    pub corrections: String,
    /// The files to download: address and label.
    pub downloads: Vec<(String, String)>,
    /// The list of published rounds (the server's home page; none in a pack).
    pub home: Option<String>,
    /// Where an item's page is, before its id (`/items/`; none in a pack).
    pub items: Option<String>,
}

impl Links {
    /// The links as the templates read them.
    fn value(&self) -> Jinja {
        let downloads: Vec<Jinja> = self
            .downloads
            .iter()
            .map(|(href, label)| context! { href => href.clone(), label => label.clone() })
            .collect();
        context! {
            css => self.css.clone(),
            table => self.table.clone(),
            corrections => self.corrections.clone(),
            downloads => downloads,
            home => self.home.clone(),
        }
    }

    /// The address of item `id`'s page, if the pages have one.
    fn item(&self, id: &str) -> Option<String> {
        self.items.as_ref().map(|prefix| {
            format!(
                "{prefix}{}",
                percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC)
            )
        })
    }

    /// The links of a publication pack: every file beside the page.
    pub fn pack() -> Links {
        Links {
            css: "style.css".into(),
            table: "index.html".into(),
            corrections: "corrections.html".into(),
            downloads: [
                ("table.csv", "CSV（表計算ソフト用）"),
                ("table.xlsx", "Excel ブック"),
                ("table.json", "JSON（機械判読用）"),
                ("checkpoint", "署名付きチェックポイント"),
                ("manifest", "署名付きファイル一覧（manifest）"),
                ("tiles/checkpoint", "ログのタイル（C2SP tlog-tiles）"),
            ]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
            home: None,
            items: None,
        }
    }
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut e = Environment::new();
        for (name, text) in [
            ("base.html", include_str!("templates/base.html")),
            ("round.html", include_str!("templates/round.html")),
            (
                "corrections.html",
                include_str!("templates/corrections.html"),
            ),
            ("item.html", include_str!("templates/item.html")),
            ("not_found.html", include_str!("templates/not_found.html")),
        ] {
            // The templates are compiled in and checked by the tests: a broken one renders as an error.
            let _ = e.add_template(name, text);
        }
        e
    })
}

/// A page could not be rendered (a template's error, in minijinja's words).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the page could not be rendered: {0}")]
pub struct RenderError(pub String);

fn render(name: &str, ctx: minijinja::Value) -> Result<String, RenderError> {
    env()
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| RenderError(e.to_string()))
}

/// One bar of the chart.
#[derive(Debug)]
struct Bar {
    label: String,
    count: u64,
    y: u64,
    width: u64,
    text_x: u64,
}

impl Bar {
    fn value(&self) -> Jinja {
        context! {
            label => self.label.clone(),
            count => self.count,
            y => self.y,
            width => self.width,
            text_x => self.text_x,
        }
    }
}

/// The labels of the subtotals' count columns, and each tally's counts in that order.
fn tally_columns(grades: &[String], all: &Tally) -> Vec<String> {
    let mut cols: Vec<String> = all.counts.iter().map(|(g, _)| g.clone()).collect();
    if cols.is_empty() {
        cols = grades.to_vec();
    }
    cols.push(NOT_EVALUATED.into());
    if all.unrated > 0 {
        cols.push(UNRATED.into());
    }
    cols
}

fn tally_cells(t: &Tally, cols: &[String]) -> Vec<u64> {
    let mut out: Vec<u64> = cols
        .iter()
        .map(|c| match c.as_str() {
            NOT_EVALUATED => t.outside,
            UNRATED => t.unrated,
            g => t.counts.iter().find(|(k, _)| k == g).map_or(0, |(_, n)| *n),
        })
        .collect();
    out.push(t.total);
    out.push(t.follow_up);
    out
}

/// The chart's geometry: a bar per column, as long as its count (the longest 360 units).
fn bars(cols: &[String], all: &Tally) -> Vec<Bar> {
    let counts = tally_cells(all, cols);
    let max = counts[..cols.len()]
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    cols.iter()
        .zip(&counts)
        .enumerate()
        .map(|(i, (label, &count))| {
            let width = count * 360 / max;
            Bar {
                label: label.clone(),
                count,
                y: 10 + 34 * i as u64,
                width,
                text_x: 110 + width + 8,
            }
        })
        .collect()
}

/// A heading's group in the chart of subtotals by heading: its name (cut to fit the chart; the whole
/// name is in the chart's description and the table) and its bars.
struct HeadingBars {
    name: String,
    y: u64,
    bars: Vec<Bar>,
}

/// The longest heading name the chart writes whole (its text runs 600 units at 16 a character).
const CHART_NAME_CHARS: usize = 36;

/// The chart of subtotals by heading: a group per heading, a bar per column labelled with its grade
/// and count (so nothing is told by colour), all on one scale (the longest bar 360 units). Returns the
/// groups, the chart's height and its description in words.
fn heading_bars(
    cols: &[String],
    by_heading: &[(String, Tally)],
) -> (Vec<HeadingBars>, u64, String) {
    let counts: Vec<Vec<u64>> = by_heading
        .iter()
        .map(|(_, t)| tally_cells(t, cols)[..cols.len()].to_vec())
        .collect();
    let max = counts.iter().flatten().copied().max().unwrap_or(0).max(1);
    let mut y = 10;
    let mut groups = Vec::with_capacity(by_heading.len());
    let mut desc = Vec::with_capacity(by_heading.len());
    for ((heading, _), counts) in by_heading.iter().zip(&counts) {
        let name = if heading.chars().count() > CHART_NAME_CHARS {
            let cut: String = heading.chars().take(CHART_NAME_CHARS - 1).collect();
            format!("{cut}…")
        } else {
            heading.clone()
        };
        let top = y;
        let bars = cols
            .iter()
            .zip(counts)
            .enumerate()
            .map(|(i, (label, &count))| {
                let width = count * 360 / max;
                Bar {
                    label: label.clone(),
                    count,
                    y: top + 28 + 26 * i as u64,
                    width,
                    text_x: 110 + width + 8,
                }
            })
            .collect::<Vec<_>>();
        desc.push(format!(
            "{heading}: {}",
            bars.iter()
                .map(|b| format!("{} {}件", b.label, b.count))
                .collect::<Vec<_>>()
                .join("、")
        ));
        y += 28 + 26 * cols.len() as u64 + 14;
        groups.push(HeadingBars { name, y: top, bars });
    }
    (groups, y, desc.join("。"))
}

/// What a corrected field is called, and a value of it, in Japanese.
fn field_name(field: &str) -> &'static str {
    match field {
        "rating" => "評価",
        "follow_up" => "フォローアップ対象",
        "remark" => "理由等",
        "not_evaluated" => "対象外",
        _ => "その他",
    }
}

fn value_text(field: &str, v: &Value) -> String {
    match (field, v) {
        (_, Value::Null) => "（なし）".into(),
        ("follow_up", Value::Bool(true)) => "○（対象）".into(),
        ("follow_up", Value::Bool(false)) => "（対象でない）".into(),
        ("not_evaluated", Value::Bool(true)) => "対象外".into(),
        ("not_evaluated", Value::Bool(false)) => "評価対象".into(),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

fn common(p: &Publication, links: &Links) -> minijinja::Value {
    context! {
        plan => p.plan.clone(),
        origin => p.origin.clone(),
        point_label => p.point.label(),
        point_id => p.point.id(),
        published_at => text_japan(p.published_at),
        published_seq => p.published_seq,
        table_sha256 => hex::encode(p.table_sha256),
        checkpoint => p.checkpoint_note.clone(),
        checkpoint_size => p.checkpoint.size,
        corrections_count => p.corrections.len(),
        links => links.value(),
    }
}

/// The table's page (`index.html`, `GET /rounds/{POINT}`).
pub fn round_page(p: &Publication, links: &Links) -> Result<String, RenderError> {
    let (by_heading, all) = p.subtotals();
    let cols = tally_columns(&p.grades, &all);
    let subtotals: Vec<Jinja> = by_heading
        .iter()
        .map(|(h, t)| {
            context! {
                heading => h.clone(),
                cells => tally_cells(t, &cols),
            }
        })
        .collect();
    let total = tally_cells(&all, &cols);
    let bars = bars(&cols, &all);
    let chart_height = 20 + 34 * bars.len() as u64;
    let (heading_groups, heading_chart_height, heading_chart_desc) =
        heading_bars(&cols, &by_heading);
    let heading_groups: Vec<Jinja> = heading_groups
        .iter()
        .map(|g| {
            context! {
                name => g.name.clone(),
                y => g.y,
                bars => g.bars.iter().map(Bar::value).collect::<Vec<_>>(),
            }
        })
        .collect();
    let chart_desc = bars
        .iter()
        .map(|b| format!("{} {}件", b.label, b.count))
        .collect::<Vec<_>>()
        .join("、");
    // The rows grouped under their headings, in the plan's order.
    let mut grouped: Vec<(String, Vec<Jinja>)> = Vec::new();
    for r in &p.rows {
        let row = context! {
            id => r.id.clone(),
            href => links.item(&r.id),
            title => r.title.clone(),
            department => r.department.clone(),
            grade => r.grade.clone(),
            follow_up => r.follow_up,
            remark => r.remark.clone(),
        };
        match grouped.last_mut() {
            Some((h, rows)) if *h == r.heading => rows.push(row),
            _ => grouped.push((r.heading.clone(), vec![row])),
        }
    }
    let groups: Vec<Jinja> = grouped
        .into_iter()
        .map(|(heading, rows)| context! { heading => heading, rows => rows })
        .collect();
    render(
        "round.html",
        context! {
            groups => groups,
            items => p.rows.len(),
            columns => cols,
            subtotals => subtotals,
            total => total,
            bars => bars.iter().map(Bar::value).collect::<Vec<_>>(),
            chart_height => chart_height,
            chart_desc => chart_desc,
            heading_groups => heading_groups,
            heading_chart_height => heading_chart_height,
            heading_chart_desc => heading_chart_desc,
            title => format!("{}の評価結果", p.point.label()),
            ..common(p, links)
        },
    )
}

/// The corrections' page (`corrections.html`, `GET /rounds/{POINT}/corrections`): each correction
/// made after the publication, up to the checkpoint (item, before and after, reason), and that
/// checkpoint.
pub fn corrections_page(p: &Publication, links: &Links) -> Result<String, RenderError> {
    let rows: Vec<minijinja::Value> = p
        .corrections
        .iter()
        .map(|c| {
            context! {
                seq => c.seq,
                at => text_japan(c.recorded_at),
                item => c.item.0.as_str(),
                title => c.title.clone(),
                department => c.department.clone(),
                field => field_name(c.field),
                old => value_text(c.field, &c.old),
                new => value_text(c.field, &c.new),
                reason => c.reason.clone(),
            }
        })
        .collect();
    render(
        "corrections.html",
        context! {
            corrections => rows,
            title => format!("{}の評価結果の訂正のお知らせ", p.point.label()),
            ..common(p, links)
        },
    )
}

/// Where the pages beside an item's page (and a page not found) are on the server.
#[derive(Debug, Clone)]
pub struct SiteLinks {
    /// The stylesheet.
    pub css: String,
    /// The list of published rounds.
    pub home: String,
    /// Where a round's table is, before its point's id (`/rounds/`).
    pub rounds: String,
}

impl SiteLinks {
    fn value(&self) -> Jinja {
        context! { css => self.css.clone(), home => self.home.clone() }
    }
}

/// An item's page (`GET /items/{ID}`): its values in each published table, as published, and the
/// corrections made to them after each publication, with the checkpoint that covers them.
pub fn item_page(r: &ItemRecord, links: &SiteLinks) -> Result<String, RenderError> {
    let rounds: Vec<Jinja> = r
        .rounds
        .iter()
        .map(|x| {
            let p = &x.publication;
            context! {
                point_label => p.point.label(),
                point_id => p.point.id(),
                href => format!("{}{}", links.rounds, p.point.id()),
                published_at => text_japan(p.published_at),
                published_seq => p.published_seq,
                table_sha256 => hex::encode(p.table_sha256),
                grade => x.row.grade.clone(),
                follow_up => x.row.follow_up,
                remark => x.row.remark.clone(),
                corrections_count => x.corrections.len(),
            }
        })
        .collect();
    let corrections: Vec<Jinja> = r
        .rounds
        .iter()
        .flat_map(|x| {
            x.corrections.iter().map(move |c| {
                context! {
                    point_label => x.publication.point.label(),
                    seq => c.seq,
                    at => text_japan(c.recorded_at),
                    field => field_name(c.field),
                    old => value_text(c.field, &c.old),
                    new => value_text(c.field, &c.new),
                    reason => c.reason.clone(),
                }
            })
        })
        .collect();
    render(
        "item.html",
        context! {
            title => format!("項目 {} {}", r.id, r.title),
            plan => r.plan.clone(),
            id => r.id.clone(),
            item_title => r.title.clone(),
            heading => r.heading.clone(),
            department => r.department.clone(),
            rounds => rounds,
            corrections => corrections,
            checkpoint => r.checkpoint_note.clone(),
            checkpoint_size => r.checkpoint.size,
            links => links.value(),
        },
    )
}

/// The page of something not found (404), in Japanese: `what` says what was asked for and is not
/// there, and the page links to the list of published rounds.
pub fn not_found_page(plan: &str, what: &str, links: &SiteLinks) -> Result<String, RenderError> {
    render(
        "not_found.html",
        context! {
            title => "お探しのページは見つかりません",
            plan => plan,
            what => what,
            links => links.value(),
        },
    )
}
