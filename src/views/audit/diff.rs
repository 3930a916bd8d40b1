//! Diff: every cell that differs between two snapshots, with who last changed it and why.

use crate::domain::item_id::ItemId;
use crate::domain::period::Period;
use crate::domain::provenance::Field;
use crate::domain::when;
use crate::views::ItemRef;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

use super::Snapshot;
use super::value::{id_or_null, merged_json, ser_period};

/// One cell that differs between two points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffEntry {
    /// The item (JSON: `item`, its number for a numeric id, and `item_id`).
    #[serde(flatten)]
    pub item: ItemRef,
    /// The period (for cell fields).
    #[serde(serialize_with = "ser_period")]
    pub period: Option<Period>,
    /// The field.
    pub field: &'static str,
    /// The value at the first point.
    pub from: Value,
    /// The value at the second point.
    pub to: Value,
    /// The event that last changed the field at the second point (or the first, if only it has one).
    pub seq: Option<u64>,
    /// When it was recorded (ns since the epoch; in JSON RFC 3339 in the shown zone, Japan time by default).
    #[serde(serialize_with = "when::serialize_shown_opt")]
    pub recorded_at: Option<i64>,
    /// Who recorded it.
    pub author: Option<String>,
    /// Why.
    pub reason: Option<String>,
}

/// Every field value of a snapshot, keyed for comparison.
type Fields = BTreeMap<(ItemId, Option<Period>, &'static str), (Value, Field)>;

/// Every field value of a snapshot, keyed for comparison.
fn cells(snap: &Snapshot) -> Fields {
    let mut m = Fields::new();
    for (n, item) in &snap.state.items {
        let mut put = |field: &'static str, v: Value, f: Field| {
            m.insert((n.clone(), None, field), (v, f));
        };
        if item.withdrawn {
            put("status", "withdrawn".into(), Field::Status(n.clone()));
        }
        put(
            "title",
            Value::String(item.title.clone()),
            Field::Title(n.clone()),
        );
        put(
            "department",
            Value::String(item.department.clone()),
            Field::Department(n.clone()),
        );
        put(
            "category",
            Value::String(item.category.clone()),
            Field::Category(n.clone()),
        );
        if let Some(r) = &item.relisting_of {
            put(
                "relisting_of",
                id_or_null(Some(r)),
                Field::Relisting(n.clone()),
            );
        }
        if let Some(f) = item.from {
            put("from", Value::String(f.id()), Field::From(n.clone()));
        }
        if let Some(a) = &item.after {
            put("after", id_or_null(Some(a)), Field::After(n.clone()));
        }
        if let Some((into, from)) = &item.merged {
            put(
                "merged_into",
                merged_json(into, *from),
                Field::Merge(n.clone()),
            );
        }
    }
    for ((n, p), cell) in snap.state.cells() {
        if snap.as_of.is_some_and(|a| p > a) {
            continue;
        }
        let mut put = |field: &'static str, v: Value, f: Field| {
            m.insert((n.clone(), Some(p), field), (v, f));
        };
        if let Some(g) = cell.rating {
            put(
                "rating",
                Value::String(g.to_string()),
                Field::Rating(n.clone(), p),
            );
        }
        if cell.follow_up {
            put(
                "follow_up",
                Value::Bool(true),
                Field::FollowUp(n.clone(), p),
            );
        }
        if !cell.remark.is_empty() {
            put(
                "remark",
                Value::String(cell.remark.to_string()),
                Field::Remark(n.clone(), p),
            );
        }
    }
    for (n, p) in &snap.state.excluded {
        if snap.as_of.is_some_and(|a| *p > a) {
            continue;
        }
        m.insert(
            (n.clone(), Some(*p), "not_evaluated"),
            (Value::Bool(true), Field::Exclusion(n.clone(), *p)),
        );
    }
    m
}

/// Every field that differs between two snapshots, with who last changed it and why.
pub fn diff(from: &Snapshot, to: &Snapshot) -> Vec<DiffEntry> {
    let a = cells(from);
    let b = cells(to);
    let keys: BTreeSet<_> = a.keys().chain(b.keys()).cloned().collect();
    let mut out = Vec::new();
    for key in keys {
        let va = a.get(&key);
        let vb = b.get(&key);
        let (fa, fb) = (va.map(|v| &v.0), vb.map(|v| &v.0));
        if fa == fb {
            continue;
        }
        let absent = |f: &str| {
            if f == "follow_up" || f == "not_evaluated" {
                Value::Bool(false)
            } else {
                Value::Null
            }
        };
        let field = va.or(vb).map(|v| v.1.clone());
        let setter = field.and_then(|f| {
            to.provenance
                .fields
                .get(&f)
                .or_else(|| from.provenance.fields.get(&f))
        });
        out.push(DiffEntry {
            item: ItemRef(key.0.clone()),
            period: key.1,
            field: key.2,
            from: fa.cloned().unwrap_or_else(|| absent(key.2)),
            to: fb.cloned().unwrap_or_else(|| absent(key.2)),
            seq: setter.map(|s| s.seq),
            recorded_at: setter.map(|s| s.recorded_at),
            author: setter.map(|s| s.author.clone()),
            reason: setter.map(|s| s.reason.clone()),
        });
    }
    out
}
