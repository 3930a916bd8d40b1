//! Blame: who set each current value of a snapshot's table, when and why.

use crate::domain::item_id::ItemId;
use crate::domain::period::Period;
use crate::domain::provenance::{Field, Setter};
use crate::domain::when;
use crate::views::ItemRef;
use serde::Serialize;
use serde_json::Value;

use super::Snapshot;
use super::value::ser_period;

/// Who set one current value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlameEntry {
    /// The item (JSON: `item`, its number for a numeric id, and `item_id`).
    #[serde(flatten)]
    pub item: ItemRef,
    /// The period (for cell fields).
    #[serde(serialize_with = "ser_period")]
    pub period: Option<Period>,
    /// The field.
    pub field: &'static str,
    /// The current value.
    pub value: Value,
    /// The event that set it.
    pub seq: u64,
    /// When (ns since the epoch; in JSON RFC 3339 in the shown zone, Japan time by default).
    #[serde(serialize_with = "when::serialize_shown")]
    pub recorded_at: i64,
    /// Who.
    pub author: String,
    /// Why.
    pub reason: String,
}

fn entry_of(
    item: &ItemId,
    period: Option<Period>,
    field: &'static str,
    value: Value,
    s: &Setter,
) -> BlameEntry {
    BlameEntry {
        item: ItemRef(item.clone()),
        period,
        field,
        value,
        seq: s.seq,
        recorded_at: s.recorded_at,
        author: s.author.clone(),
        reason: s.reason.clone(),
    }
}

/// For every cell of the snapshot's table (ratings of every shown period, or of `period` only; flag and
/// remark of the latest shown period, or of `period`), who set its current value.
pub fn blame(snap: &Snapshot, period: Option<Period>) -> Vec<BlameEntry> {
    let view = crate::views::table(&snap.state, snap.as_of);
    let periods: Vec<Period> = match period {
        Some(p) => vec![p],
        None => view.period_values.clone(),
    };
    let flag_period = period.or(view.latest);
    let mut out = Vec::new();
    for row in &view.items {
        let n = &row.id;
        for p in &periods {
            let cell = snap.state.cell(n, *p);
            if let (Some(g), Some(s)) = (
                &cell.rating,
                snap.provenance.fields.get(&Field::Rating(n.clone(), *p)),
            ) {
                out.push(entry_of(n, Some(*p), "rating", Value::String(g.clone()), s));
            }
            if snap.state.is_excluded(n, *p)
                && let Some(s) = snap.provenance.fields.get(&Field::Exclusion(n.clone(), *p))
            {
                out.push(entry_of(n, Some(*p), "not_evaluated", Value::Bool(true), s));
            }
        }
        if let Some(p) = flag_period {
            let cell = snap.state.cell(n, p);
            if let Some(s) = snap.provenance.fields.get(&Field::FollowUp(n.clone(), p)) {
                out.push(entry_of(
                    n,
                    Some(p),
                    "follow_up",
                    Value::Bool(cell.follow_up),
                    s,
                ));
            }
            if let Some(s) = snap.provenance.fields.get(&Field::Remark(n.clone(), p))
                && !cell.remark.is_empty()
            {
                out.push(entry_of(
                    n,
                    Some(p),
                    "remark",
                    Value::String(cell.remark.clone()),
                    s,
                ));
            }
        }
    }
    out
}
