//! Who set each value: for every field of every item and cell, the event that last changed it.
//!
//! A fold over the log like [`crate::domain::state`], kept separate so the state stays small. The importer uses
//! it to tell a value changed by hand since the last import (a conflict) from one the file may update.

use std::collections::BTreeMap;

use crate::domain::event::{Change, Event};
use crate::domain::item_id::ItemId;
use crate::domain::period::Period;

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
    /// An item's first point, place and merge.
    Placement(ItemId),
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
        | Change::HeadingRenamed { .. }
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
        Change::ItemRegistered { id, .. } => vec![
            Field::Status(id.clone()),
            Field::Title(id.clone()),
            Field::Department(id.clone()),
            Field::Category(id.clone()),
            Field::Relisting(id.clone()),
            Field::Placement(id.clone()),
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
            if from.is_some() || after.is_some() {
                v.push(Field::Placement(id.clone()));
            }
            v
        }
        Change::ItemWithdrawn { id } | Change::ItemReinstated { id } => {
            vec![Field::Status(id.clone())]
        }
        Change::ItemMerged { item, .. } | Change::MergeWithdrawn { item } => {
            vec![Field::Placement(item.clone())]
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
    /// Folds one event.
    pub fn apply(&mut self, e: &Event) {
        let imported = e.source.is_some();
        if imported {
            self.last_import = Some(e.seq);
        }
        for f in fields_of(&e.change) {
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
