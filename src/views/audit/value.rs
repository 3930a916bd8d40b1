//! A cell's value as the audit views' JSON gives it: an id or null, a text or null, a merge.

use serde_json::Value;

use crate::domain::item_id::ItemId;
use crate::domain::period::Period;

/// A period as its id (`FY2015-H1`), or null.
pub(super) fn ser_period<S: serde::Serializer>(
    p: &Option<Period>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match p {
        Some(p) => s.serialize_str(&p.id()),
        None => s.serialize_none(),
    }
}

/// The value of `merged_into`, as the table's JSON gives it: `{"id", "number" (numeric ids), "from"}`.
pub(super) fn merged_json(into: &ItemId, from: Period) -> Value {
    let mut v = serde_json::json!({"id": into.as_str(), "from": from.id()});
    if let Some(n) = into.number() {
        v["number"] = Value::from(n);
    }
    v
}

/// An item id: its number when it is numeric, else its text; or null.
pub(super) fn id_or_null(id: Option<&ItemId>) -> Value {
    id.map_or(Value::Null, |id| match id.number() {
        Some(n) => Value::from(n),
        None => Value::String(id.to_string()),
    })
}

/// A text, or null when it is empty.
pub(super) fn text_or_null(s: &str) -> Value {
    if s.is_empty() {
        Value::Null
    } else {
        Value::String(s.to_string())
    }
}
