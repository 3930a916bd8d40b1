//! Words and JSON for events: how a change reads in `hyoka log`, and its machine form.
//!
//! Text here is not yet escaped for a terminal; the CLI escapes everything it prints.

use serde_json::{Value, json};

use crate::domain::event::StoredEvent;
use crate::domain::event::{self, Change};
use crate::domain::when;

/// One line saying what a change does, e.g. `item 5 平成26年度上半期: rating A`.
pub fn change(c: &Change) -> String {
    match c {
        Change::PlanDefined {
            name,
            grades,
            default_era,
            origin,
        } => format!(
            "plan defined: {name} (grades {}, era {}, origin {origin})",
            grades.join(","),
            default_era.map_or("none".to_string(), |e| e.romaji().to_string())
        ),
        Change::CategoryAdded { name } => format!("heading added: {name}"),
        Change::ItemRegistered {
            number,
            title,
            department,
            category,
            relisting_of,
        } => {
            let relist =
                relisting_of.map_or(String::new(), |n| format!(", re-listing of item {n}"));
            format!("item {number} registered: {title} ({department}; {category}{relist})")
        }
        Change::ItemAmended {
            number,
            title,
            department,
            category,
            relisting_of,
        } => {
            let mut parts = Vec::new();
            if let Some(t) = title {
                parts.push(format!("title → {t}"));
            }
            if let Some(d) = department {
                parts.push(format!("department → {d}"));
            }
            if let Some(c) = category {
                parts.push(format!("heading → {c}"));
            }
            if let Some(r) = relisting_of {
                parts.push(match r {
                    Some(n) => format!("re-listing of item {n}"),
                    None => "not a re-listing".to_string(),
                });
            }
            format!("item {number} amended: {}", parts.join("; "))
        }
        Change::ItemWithdrawn { number } => format!("item {number} withdrawn"),
        Change::ItemReinstated { number } => format!("item {number} reinstated"),
        Change::RatingRecorded {
            item,
            period,
            grade,
        } => format!("item {item} {}: rating {grade}", period.label()),
        Change::RatingWithdrawn { item, period } => {
            format!("item {item} {}: rating withdrawn", period.label())
        }
        Change::FollowUpSet {
            item,
            period,
            flagged,
        } => format!(
            "item {item} {}: follow-up {}",
            period.label(),
            if *flagged { "on" } else { "off" }
        ),
        Change::RemarkSet { item, period, text } => {
            if text.is_empty() {
                format!("item {item} {}: remark cleared", period.label())
            } else {
                format!("item {item} {}: remark {text}", period.label())
            }
        }
        Change::ClockBehind { clock } => format!(
            "時計遅れ clock behind: the clock read {}, earlier than the previous event; recorded at its time",
            when::format_text(*clock)
        ),
    }
}

/// The JSON form of a change (`schema/event.schema.json`, property `change`).
pub fn change_json(c: &Change) -> Value {
    let kind = c.kind();
    match c {
        Change::PlanDefined {
            name,
            grades,
            default_era,
            origin,
        } => json!({"kind": kind, "name": name, "grades": grades,
            "default_era": default_era.map(|e| e.romaji()), "origin": origin}),
        Change::CategoryAdded { name } => json!({"kind": kind, "name": name}),
        Change::ItemRegistered {
            number,
            title,
            department,
            category,
            relisting_of,
        } => json!({"kind": kind, "item": number, "title": title, "department": department,
            "category": category, "relisting_of": relisting_of}),
        Change::ItemAmended {
            number,
            title,
            department,
            category,
            relisting_of,
        } => {
            let mut v = json!({"kind": kind, "item": number});
            if let Some(t) = title {
                v["title"] = json!(t);
            }
            if let Some(d) = department {
                v["department"] = json!(d);
            }
            if let Some(c) = category {
                v["category"] = json!(c);
            }
            if let Some(r) = relisting_of {
                v["relisting_of"] = json!(r);
            }
            v
        }
        Change::ItemWithdrawn { number } | Change::ItemReinstated { number } => {
            json!({"kind": kind, "item": number})
        }
        Change::RatingRecorded {
            item,
            period,
            grade,
        } => json!({"kind": kind, "item": item, "period": period.id(), "grade": grade}),
        Change::RatingWithdrawn { item, period } => {
            json!({"kind": kind, "item": item, "period": period.id()})
        }
        Change::FollowUpSet {
            item,
            period,
            flagged,
        } => json!({"kind": kind, "item": item, "period": period.id(), "flagged": flagged}),
        Change::RemarkSet { item, period, text } => {
            json!({"kind": kind, "item": item, "period": period.id(), "text": text})
        }
        Change::ClockBehind { clock } => json!({"kind": kind, "clock": when::format(*clock)}),
    }
}

/// The JSON form of a stored event (`schema/event.schema.json`): one line of `hyoka log --format jsonl`.
pub fn event_json(e: &StoredEvent) -> Value {
    let ev = &e.event;
    json!({
        "seq": ev.seq,
        "recorded_at": when::format(ev.recorded_at),
        "author": ev.author,
        "reason": ev.reason,
        "source": ev.source.as_ref().map(|s| json!({"file_name": s.file_name, "blake3": event::hex(&s.blake3)})),
        "change": change_json(&ev.change),
        "prev_hash": event::hex(&ev.prev_hash),
        "hash": event::hex(&e.hash),
    })
}
