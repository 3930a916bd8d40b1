//! Words and JSON for events: how a change reads in `hyoka log`, and its machine form.
//!
//! Text here is not yet escaped for a terminal; the CLI escapes everything it prints.

use serde_json::{Value, json};

use crate::domain::event::StoredEvent;
use crate::domain::event::{self, Change};
use crate::domain::item_id::ItemId;
use crate::domain::people::{Person, Role, Verdict};
use crate::domain::when;

/// One line saying what a change does, e.g. `item 5 平成26年度上半期: rating A`.
pub fn change(c: &Change) -> String {
    match c {
        Change::PlanDefined {
            name,
            grades,
            default_era,
            origin,
            cadence,
            years,
        } => {
            let years = years.map_or(String::new(), |(a, b)| format!(", years FY{a}-FY{b}"));
            format!(
                "plan defined: {name} (grades {}, era {}, origin {origin}, cadence {cadence}{years})",
                grades.join(","),
                default_era.map_or("none".to_string(), |e| e.romaji().to_string())
            )
        }
        Change::CategoryAdded { name } => format!("heading added: {name}"),
        Change::HeadingRenamed { from, to } => format!("heading renamed: {from} → {to}"),
        Change::ItemRegistered {
            id,
            title,
            department,
            category,
            relisting_of,
            from,
            after,
        } => {
            let relist = relisting_of
                .as_ref()
                .map_or(String::new(), |n| format!(", re-listing of item {n}"));
            let from = from.map_or(String::new(), |p| format!(", from {}", p.label()));
            let after = after
                .as_ref()
                .map_or(String::new(), |a| format!(", after item {a}"));
            format!("item {id} registered: {title} ({department}; {category}{relist}{from}{after})")
        }
        Change::ItemAmended {
            id,
            title,
            department,
            category,
            relisting_of,
            from,
            after,
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
            if let Some(f) = from {
                parts.push(match f {
                    Some(p) => format!("from {}", p.label()),
                    None => "at every point".to_string(),
                });
            }
            if let Some(a) = after {
                parts.push(match a {
                    Some(a) => format!("after item {a}"),
                    None => "at its id's place".to_string(),
                });
            }
            format!("item {id} amended: {}", parts.join("; "))
        }
        Change::ItemWithdrawn { id } => format!("item {id} withdrawn"),
        Change::ItemReinstated { id } => format!("item {id} reinstated"),
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
        Change::ItemExcluded { item, period } => {
            format!("item {item} {}: 対象外 (not evaluated)", period.label())
        }
        Change::ExclusionWithdrawn { item, period } => {
            format!("item {item} {}: 対象外 withdrawn", period.label())
        }
        Change::ItemMerged { item, into, from } => {
            format!(
                "item {item} merged into item {into} from {} (集約)",
                from.label()
            )
        }
        Change::MergeWithdrawn { item } => format!("item {item}: merge withdrawn"),
        Change::PeopleEnabled { admin, .. } => format!(
            "people enabled: administrator {} ({}), the log key recorded",
            admin.id, admin.department
        ),
        Change::PersonRegistered { person } => format!(
            "person {} registered: {}, {}",
            person.id,
            person.department,
            roles_text(&person.roles)
        ),
        Change::RoleGranted { person, role } => {
            format!(
                "person {person}: role {} ({}) granted",
                role.id(),
                role.label()
            )
        }
        Change::RoleRevoked { person, role } => {
            format!(
                "person {person}: role {} ({}) revoked",
                role.id(),
                role.label()
            )
        }
        Change::KeyRotated { person, .. } => format!("person {person}: key rotated"),
        Change::KeyRevoked { person } => format!("person {person}: key revoked"),
        Change::RoundOpened { period, due } => {
            format!("round {} opened (due {due})", period.label())
        }
        Change::Submitted { period, department } => {
            format!("round {}: {department} submitted", period.label())
        }
        Change::Reviewed {
            period,
            item,
            stage,
            verdict,
        } => format!(
            "item {item} {}: {} {}",
            period.label(),
            stage.label(),
            match verdict {
                Verdict::Approve => "承認 approved",
                Verdict::Return => "差し戻し returned",
            }
        ),
        Change::OpinionRecorded { period, item, text } => match item {
            Some(i) => format!("item {i} {}: 意見 {text}", period.label()),
            None => format!("round {}: 意見 {text}", period.label()),
        },
        Change::RoundClosed { period } => format!("round {} closed", period.label()),
        Change::RoundPublished {
            period,
            table_sha256,
        } => format!(
            "round {} published (table SHA-256 {})",
            period.label(),
            hex::encode(table_sha256)
        ),
    }
}

/// `staff, head`.
fn roles_text(roles: &[Role]) -> String {
    roles.iter().map(|r| r.id()).collect::<Vec<_>>().join(", ")
}

/// The JSON of a person as registered.
fn person_json(p: &Person) -> Value {
    json!({
        "id": p.id,
        "name_commitment": hex::encode(p.name_commitment),
        "department": p.department,
        "roles": p.roles.iter().map(|r| r.id()).collect::<Vec<_>>(),
        "vkey": p.vkey,
    })
}

/// Sets `key` to the id's number (for a numeric id) and `key_id` to its text: the JSON of an item
/// reference, which kept the number as an integer before ids were text.
fn put_id(v: &mut Value, key: &str, id: &ItemId) {
    if let Some(n) = id.number() {
        v[key] = json!(n);
    }
    v[format!("{key}_id")] = json!(id.as_str());
}

/// The JSON form of a change (`schema/event.schema.json`, property `change`).
pub fn change_json(c: &Change) -> Value {
    let kind = c.kind();
    let mut v = json!({"kind": kind});
    if let Some(item) = c.item() {
        put_id(&mut v, "item", item);
    }
    if let Some(p) = c.period() {
        v["period"] = json!(p.id());
    }
    match c {
        Change::PlanDefined {
            name,
            grades,
            default_era,
            origin,
            cadence,
            years,
        } => {
            v["name"] = json!(name);
            v["grades"] = json!(grades);
            v["default_era"] = json!(default_era.map(|e| e.romaji()));
            v["origin"] = json!(origin);
            v["cadence"] = json!(cadence.id());
            v["years"] = json!(years.map(|(a, b)| [a, b]));
        }
        Change::CategoryAdded { name } => v["name"] = json!(name),
        Change::HeadingRenamed { from, to } => {
            v["from"] = json!(from);
            v["to"] = json!(to);
        }
        Change::ItemRegistered {
            title,
            department,
            category,
            relisting_of,
            from,
            after,
            ..
        } => {
            v["title"] = json!(title);
            v["department"] = json!(department);
            v["category"] = json!(category);
            match relisting_of {
                Some(r) => put_id(&mut v, "relisting_of", r),
                None => v["relisting_of"] = Value::Null,
            }
            if let Some(f) = from {
                v["from"] = json!(f.id());
            }
            if let Some(a) = after {
                put_id(&mut v, "after", a);
            }
        }
        Change::ItemAmended {
            title,
            department,
            category,
            relisting_of,
            from,
            after,
            ..
        } => {
            if let Some(t) = title {
                v["title"] = json!(t);
            }
            if let Some(d) = department {
                v["department"] = json!(d);
            }
            if let Some(c) = category {
                v["category"] = json!(c);
            }
            match relisting_of {
                Some(Some(r)) => put_id(&mut v, "relisting_of", r),
                Some(None) => v["relisting_of"] = Value::Null,
                None => {}
            }
            match from {
                Some(Some(f)) => v["from"] = json!(f.id()),
                Some(None) => v["from"] = Value::Null,
                None => {}
            }
            match after {
                Some(Some(a)) => put_id(&mut v, "after", a),
                Some(None) => v["after"] = Value::Null,
                None => {}
            }
        }
        Change::RatingRecorded { grade, .. } => v["grade"] = json!(grade),
        Change::FollowUpSet { flagged, .. } => v["flagged"] = json!(flagged),
        Change::RemarkSet { text, .. } => v["text"] = json!(text),
        Change::ClockBehind { clock } => v["clock"] = json!(when::format(*clock)),
        Change::ItemMerged { into, from, .. } => {
            put_id(&mut v, "into", into);
            v["from"] = json!(from.id());
        }
        Change::PeopleEnabled { log_vkey, admin } => {
            v["log_vkey"] = json!(log_vkey);
            v["admin"] = person_json(admin);
        }
        Change::PersonRegistered { person } => v["person"] = person_json(person),
        Change::RoleGranted { person, role } | Change::RoleRevoked { person, role } => {
            v["person"] = json!(person);
            v["role"] = json!(role.id());
        }
        Change::KeyRotated { person, vkey } => {
            v["person"] = json!(person);
            v["vkey"] = json!(vkey);
        }
        Change::KeyRevoked { person } => v["person"] = json!(person),
        Change::RoundOpened { period, due } => {
            v["period"] = json!(period.id());
            v["due"] = json!(due);
        }
        Change::Submitted { period, department } => {
            v["period"] = json!(period.id());
            v["department"] = json!(department);
        }
        Change::Reviewed {
            period,
            stage,
            verdict,
            ..
        } => {
            v["period"] = json!(period.id());
            v["stage"] = json!(stage.number());
            v["verdict"] = json!(match verdict {
                Verdict::Approve => "approve",
                Verdict::Return => "return",
            });
        }
        Change::OpinionRecorded { period, text, .. } => {
            v["period"] = json!(period.id());
            v["text"] = json!(text);
        }
        Change::RoundClosed { period } => v["period"] = json!(period.id()),
        Change::RoundPublished {
            period,
            table_sha256,
        } => {
            v["period"] = json!(period.id());
            v["table_sha256"] = json!(hex::encode(table_sha256));
        }
        Change::ItemWithdrawn { .. }
        | Change::ItemReinstated { .. }
        | Change::RatingWithdrawn { .. }
        | Change::ItemExcluded { .. }
        | Change::ExclusionWithdrawn { .. }
        | Change::MergeWithdrawn { .. } => {}
    }
    v
}

/// The JSON form of a change as a version 1 event gives it: as it was before event schema version 2
/// (no `*_id` members, no cadence or years), so that the JSON of a version 1 ledger, and the exports
/// written from one, read and check as they always did.
fn change_json_v1(c: &Change) -> Value {
    let mut v = change_json(c);
    if let Some(m) = v.as_object_mut() {
        m.retain(|k, _| !k.ends_with("_id") && k != "cadence" && k != "years");
    }
    v
}

/// The JSON form of a stored event (`schema/event.schema.json`): one line of `hyoka log --format jsonl`.
pub fn event_json(e: &StoredEvent) -> Value {
    let ev = &e.event;
    let change = match ev.version {
        1 => change_json_v1(&ev.change),
        _ => change_json(&ev.change),
    };
    let mut v = json!({
        "seq": ev.seq,
        "recorded_at": when::format(ev.recorded_at),
        "author": ev.author,
        "reason": ev.reason,
        "source": ev.source.as_ref().map(|s| json!({"file_name": s.file_name, "blake3": event::hex(&s.blake3)})),
        "change": change,
        "prev_hash": event::hex(&ev.prev_hash),
        "hash": event::hex(&e.hash),
    });
    // A version 1 event's JSON is as it always was: without `version` (which is 1 when absent).
    if ev.version != 1 {
        v["version"] = json!(ev.version);
    }
    v
}
