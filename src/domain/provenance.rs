//! Who set each value: for every field of every item and cell, the event that last changed it.
//!
//! A fold over the log like [`crate::domain::state`], kept separate so the state stays small. The importer uses
//! it to tell a value changed by hand since the last import (a conflict) from one the file may update.

use std::collections::BTreeMap;

use crate::domain::event::{Change, Event};
use crate::domain::item_id::ItemId;
use crate::domain::period::Period;
use crate::domain::state::State;

/// A field whose last change is tracked.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// An item's title.
    Title(ItemId),
    /// An item's department.
    Department(ItemId),
    /// An item's heading.
    Category(ItemId),
    /// An item's re-listing target.
    Relisting(ItemId),
    /// An item's registration, withdrawal or reinstatement.
    Status(ItemId),
    /// The rating of an item in a period.
    Rating(ItemId, Period),
    /// The follow-up flag of an item in a period.
    FollowUp(ItemId, Period),
    /// The remark of an item in a period.
    Remark(ItemId, Period),
    /// Whether an item is not evaluated (対象外) in a period.
    Exclusion(ItemId, Period),
    /// An item's first point (`from`).
    From(ItemId),
    /// An item's place (`after`).
    After(ItemId),
    /// An item's merge into another (集約).
    Merge(ItemId),
    /// An item's review in a round.
    Review(ItemId, Period),
}

/// The event that last changed a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setter {
    /// Its seq.
    pub seq: u64,
    /// When, ns since the epoch.
    pub recorded_at: i64,
    /// Who.
    pub author: String,
    /// Why.
    pub reason: String,
    /// Whether it came from an import.
    pub imported: bool,
}

/// The last setter of every field, and the last import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    /// Last setter per field.
    pub fields: BTreeMap<Field, Setter>,
    /// Seq of the last event written by an import, if any.
    pub last_import: Option<u64>,
}

/// The fields an event changes.
pub fn fields_of(change: &Change) -> Vec<Field> {
    match change {
        Change::PlanDefined { .. }
        | Change::CategoryAdded { .. }
        | Change::ClockBehind { .. }
        | Change::PeopleEnabled { .. }
        | Change::PersonRegistered { .. }
        | Change::RoleGranted { .. }
        | Change::RoleRevoked { .. }
        | Change::KeyRotated { .. }
        | Change::KeyRevoked { .. }
        | Change::RoundOpened { .. }
        | Change::Submitted { .. }
        | Change::OpinionRecorded { .. }
        | Change::RoundClosed { .. }
        | Change::RoundPublished { .. } => Vec::new(),
        Change::Reviewed { item, period, .. } => vec![Field::Review(item.clone(), *period)],
        // The items it renames the heading of are known from the state: see `Provenance::apply`.
        Change::HeadingRenamed { .. } => Vec::new(),
        Change::ItemRegistered { id, .. } => vec![
            Field::Status(id.clone()),
            Field::Title(id.clone()),
            Field::Department(id.clone()),
            Field::Category(id.clone()),
            Field::Relisting(id.clone()),
            Field::From(id.clone()),
            Field::After(id.clone()),
        ],
        Change::ItemAmended {
            id,
            title,
            department,
            category,
            relisting_of,
            from,
            after,
        } => {
            let mut v = Vec::new();
            if title.is_some() {
                v.push(Field::Title(id.clone()));
            }
            if department.is_some() {
                v.push(Field::Department(id.clone()));
            }
            if category.is_some() {
                v.push(Field::Category(id.clone()));
            }
            if relisting_of.is_some() {
                v.push(Field::Relisting(id.clone()));
            }
            if from.is_some() {
                v.push(Field::From(id.clone()));
            }
            if after.is_some() {
                v.push(Field::After(id.clone()));
            }
            v
        }
        Change::ItemWithdrawn { id } | Change::ItemReinstated { id } => {
            vec![Field::Status(id.clone())]
        }
        Change::ItemMerged { item, .. } | Change::MergeWithdrawn { item } => {
            vec![Field::Merge(item.clone())]
        }
        Change::RatingRecorded { item, period, .. } | Change::RatingWithdrawn { item, period } => {
            vec![Field::Rating(item.clone(), *period)]
        }
        Change::FollowUpSet { item, period, .. } => vec![Field::FollowUp(item.clone(), *period)],
        Change::RemarkSet { item, period, .. } => vec![Field::Remark(item.clone(), *period)],
        Change::ItemExcluded { item, period } | Change::ExclusionWithdrawn { item, period } => {
            vec![Field::Exclusion(item.clone(), *period)]
        }
    }
}

impl Provenance {
    /// Folds one event, given the state after it (a heading rename sets the heading of every item
    /// listed under the new name).
    pub fn apply(&mut self, e: &Event, after: &State) {
        let imported = e.source.is_some();
        if imported {
            self.last_import = Some(e.seq);
        }
        let mut fields = fields_of(&e.change);
        if let Change::HeadingRenamed { to, .. } = &e.change {
            fields.extend(
                after
                    .items
                    .values()
                    .filter(|i| i.category == *to)
                    .map(|i| Field::Category(i.id.clone())),
            );
        }
        for f in fields {
            self.fields.insert(
                f,
                Setter {
                    seq: e.seq,
                    recorded_at: e.recorded_at,
                    author: e.author.clone(),
                    reason: e.reason.clone(),
                    imported,
                },
            );
        }
    }

    /// Whether a field was last changed by hand after the last import (or ever, without an import).
    pub fn changed_since_import(&self, f: &Field) -> Option<&Setter> {
        let s = self.fields.get(f)?;
        let after = match self.last_import {
            Some(last) => s.seq > last,
            None => true,
        };
        (after && !s.imported).then_some(s)
    }
}
