//! The serialized form of a [`State`](super::State), in the state snapshots: the plan, the headings, the
//! items, the cells as a map from `(item, period)` to [`Cell`](super::Cell) (grade and remark as
//! strings), then the exclusions. Decoding groups the cells by item as they come (in order) and builds
//! the map of items at once.
//!
//! Snapshots taken before event schema version 2 ([`StateV1`]) hold four fields: a plan without
//! cadence or years, items and cells keyed by number (`u32`), no exclusions. They decode into the
//! state they mean, so that a ledger's stored snapshots stay usable and checkable.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Cells, Item, Period, Plan, Slot, State};
use crate::domain::item_id::ItemId;
use crate::domain::period::{Cadence, Era};

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
        let mut st = s.serialize_struct("State", 7)?;
        st.serialize_field("plan", &self.plan)?;
        st.serialize_field("categories", &self.categories)?;
        st.serialize_field("items", &self.items)?;
        st.serialize_field("cells", &CellsOut(self))?;
        st.serialize_field("excluded", &self.excluded)?;
        st.serialize_field("people", &self.people)?;
        st.serialize_field("rounds", &self.rounds)?;
        st.end()
    }
}

/// Decodes the cells against the plan's scale (decoded before them), their items keyed by `K` (an
/// [`ItemId`], or a number in a snapshot of before version 2).
struct CellsSeed<'a, K>(&'a [String], std::marker::PhantomData<K>);

impl<'de, K: Deserialize<'de> + Ord + Into<ItemId>> DeserializeSeed<'de> for CellsSeed<'_, K> {
    type Value = Cells;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, K: Deserialize<'de> + Ord + Into<ItemId>> Visitor<'de> for CellsSeed<'_, K> {
    type Value = Cells;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map of cells")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let mut out: Vec<(ItemId, Vec<(Period, Slot)>)> = Vec::new();
        let mut last: Option<(ItemId, Period)> = None;
        while let Some(((item, period), c)) = m.next_entry::<(K, Period), CellIn>()? {
            let k: (ItemId, Period) = (item.into(), period);
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
            if last.as_ref().is_some_and(|last| *last >= k) {
                return Err(de::Error::custom("the cells are not in order"));
            }
            last = Some(k.clone());
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
        Ok(Cells::from_rows(out.into_iter().collect()))
    }
}

struct StateVisitor;

const FIELDS: &[&str] = &[
    "plan",
    "categories",
    "items",
    "cells",
    "excluded",
    "people",
    "rounds",
];

impl<'de> Visitor<'de> for StateVisitor {
    type Value = State;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a ledger state")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut q: A) -> Result<State, A::Error> {
        let missing = |i| de::Error::invalid_length(i, &"seven fields");
        let plan: Option<Plan> = q.next_element()?.ok_or_else(|| missing(0))?;
        let categories: Vec<String> = q.next_element()?.ok_or_else(|| missing(1))?;
        let items: BTreeMap<ItemId, Item> = q.next_element()?.ok_or_else(|| missing(2))?;
        let grades = plan.as_ref().map_or(&[][..], |p| &p.grades[..]);
        let cells = q
            .next_element_seed(CellsSeed::<ItemId>(grades, Default::default()))?
            .ok_or_else(|| missing(3))?;
        let excluded = q.next_element()?.ok_or_else(|| missing(4))?;
        let people = q.next_element()?.ok_or_else(|| missing(5))?;
        let rounds = q.next_element()?.ok_or_else(|| missing(6))?;
        Ok(State {
            plan,
            categories,
            lookalikes: State::lookalikes_of(&items),
            items,
            cells,
            excluded,
            people,
            rounds,
        })
    }
}

impl<'de> Deserialize<'de> for State {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<State, D::Error> {
        d.deserialize_struct("State", FIELDS, StateVisitor)
    }
}

/// A state as snapshots of before event schema version 2 hold it; [`StateV1::into_state`] gives the
/// state it means.
pub(crate) struct StateV1(State);

impl StateV1 {
    /// The state.
    pub(crate) fn into_state(self) -> State {
        self.0
    }
}

#[derive(Deserialize)]
struct PlanV1 {
    name: String,
    grades: Vec<String>,
    default_era: Option<Era>,
    origin: String,
}

#[derive(Deserialize)]
struct ItemV1 {
    number: u32,
    title: String,
    department: String,
    category: String,
    relisting_of: Option<u32>,
    withdrawn: bool,
}

struct StateV1Visitor;

impl<'de> Visitor<'de> for StateV1Visitor {
    type Value = StateV1;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a ledger state of before version 2")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut q: A) -> Result<StateV1, A::Error> {
        let missing = |i| de::Error::invalid_length(i, &"four fields");
        let plan: Option<PlanV1> = q.next_element()?.ok_or_else(|| missing(0))?;
        let categories: Vec<String> = q.next_element()?.ok_or_else(|| missing(1))?;
        let items: BTreeMap<u32, ItemV1> = q.next_element()?.ok_or_else(|| missing(2))?;
        let plan = plan.map(|p| Plan {
            name: p.name,
            grades: p.grades,
            default_era: p.default_era,
            origin: p.origin,
            cadence: Cadence::HalfYear,
            years: None,
        });
        let grades = plan.as_ref().map_or(&[][..], |p| &p.grades[..]);
        let cells = q
            .next_element_seed(CellsSeed::<u32>(grades, Default::default()))?
            .ok_or_else(|| missing(3))?;
        let items = items
            .into_values()
            .map(|i| {
                let id = ItemId::from_number(i.number);
                let item = Item {
                    id: id.clone(),
                    title: i.title,
                    department: i.department,
                    category: i.category,
                    relisting_of: i.relisting_of.map(ItemId::from_number),
                    withdrawn: i.withdrawn,
                    from: None,
                    after: None,
                    merged: None,
                };
                (id, item)
            })
            .collect();
        Ok(StateV1(State {
            plan,
            categories,
            lookalikes: State::lookalikes_of(&items),
            items,
            cells,
            excluded: Default::default(),
            people: None,
            rounds: Default::default(),
        }))
    }
}

impl<'de> Deserialize<'de> for StateV1 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<StateV1, D::Error> {
        d.deserialize_struct("State", &FIELDS[..4], StateV1Visitor)
    }
}
