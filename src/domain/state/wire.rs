//! The serialized form of a [`State`](super::State): the four fields in order, the cells as a map from
//! `(item, period)` to [`Cell`](super::Cell) (grade and remark as strings), exactly as when the state
//! held them so; snapshots written before the compact form decode unchanged. Decoding groups the cells
//! by item as they come (in order) and builds the map of items at once.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Cells, Item, Period, Plan, Slot, State};

#[derive(Serialize)]
#[serde(rename = "Cell")]
struct CellOut<'a> {
    rating: Option<&'a str>,
    follow_up: bool,
    remark: &'a str,
}

#[derive(Deserialize)]
#[serde(rename = "Cell")]
struct CellIn {
    rating: Option<String>,
    follow_up: bool,
    remark: String,
}

struct CellsOut<'a>(&'a State);

impl Serialize for CellsOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The length first, as a map's serialization in bincode needs it.
        let mut m = s.serialize_map(Some(self.0.cells.len()))?;
        for (k, slot) in self.0.cells.iter() {
            let c = self.0.view(slot);
            let cell = CellOut {
                rating: c.rating,
                follow_up: c.follow_up,
                remark: c.remark,
            };
            m.serialize_entry(&k, &cell)?;
        }
        m.end()
    }
}

impl Serialize for State {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("State", 4)?;
        st.serialize_field("plan", &self.plan)?;
        st.serialize_field("categories", &self.categories)?;
        st.serialize_field("items", &self.items)?;
        st.serialize_field("cells", &CellsOut(self))?;
        st.end()
    }
}

/// Decodes the cells against the plan's scale (decoded before them).
struct CellsSeed<'a>(&'a [String]);

impl<'de> DeserializeSeed<'de> for CellsSeed<'_> {
    type Value = Cells;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for CellsSeed<'_> {
    type Value = Cells;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map of cells")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let mut out: Vec<(u32, Vec<(Period, Slot)>)> = Vec::new();
        let mut last: Option<(u32, Period)> = None;
        while let Some((k, c)) = m.next_entry::<(u32, Period), CellIn>()? {
            let grade = match &c.rating {
                None => 0,
                Some(g) => self
                    .0
                    .iter()
                    .position(|x| x == g)
                    .and_then(|i| u32::try_from(i).ok()?.checked_add(1))
                    .ok_or_else(|| {
                        de::Error::custom("a cell's grade is not in the plan's scale")
                    })?,
            };
            if last.is_some_and(|last| last >= k) {
                return Err(de::Error::custom("the cells are not in order"));
            }
            last = Some(k);
            let slot = Slot {
                grade,
                follow_up: c.follow_up,
                remark: (!c.remark.is_empty()).then(|| c.remark.into_boxed_str()),
            };
            match out.last_mut() {
                Some((n, row)) if *n == k.0 => row.push((k.1, slot)),
                _ => out.push((k.0, vec![(k.1, slot)])),
            }
        }
        for (_, row) in &mut out {
            row.shrink_to_fit();
        }
        // From sorted items: the map is built with full nodes.
        Ok(Cells(out.into_iter().collect()))
    }
}

struct StateVisitor;

const FIELDS: &[&str] = &["plan", "categories", "items", "cells"];

impl<'de> Visitor<'de> for StateVisitor {
    type Value = State;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a ledger state")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut q: A) -> Result<State, A::Error> {
        let missing = |i| de::Error::invalid_length(i, &"four fields");
        let plan: Option<Plan> = q.next_element()?.ok_or_else(|| missing(0))?;
        let categories: Vec<String> = q.next_element()?.ok_or_else(|| missing(1))?;
        let items: BTreeMap<u32, Item> = q.next_element()?.ok_or_else(|| missing(2))?;
        let grades = plan.as_ref().map_or(&[][..], |p| &p.grades[..]);
        let cells = q
            .next_element_seed(CellsSeed(grades))?
            .ok_or_else(|| missing(3))?;
        Ok(State {
            plan,
            categories,
            items,
            cells,
        })
    }
}

impl<'de> Deserialize<'de> for State {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<State, D::Error> {
        d.deserialize_struct("State", FIELDS, StateVisitor)
    }
}
