//! Event schema version 1: the layout every ledger was written in before version 2, kept so that those
//! ledgers keep opening, verifying, exporting, restoring and taking appends (as version 1 events).
//!
//! Version 1 is version 2 without what version 2 added (`schema/FORMAT.md`, section "Event schema
//! versions"): items are numbered (`u32`, not text), the plan reports at 上半期 and 年度末 only and
//! declares no cadence or years, an item belongs to the plan at every point and sits at its number's
//! place, and there are no exclusions, merges or heading renames (tags 0-10 only). Its envelope is the
//! same field for field. A version 1 event reads as the version 2 [`Change`] it means
//! ([`into_change`]); a change is written as version 1 only if version 1 can say it ([`from_change`]).

use serde::{Deserialize, Serialize};

use super::{Change, Event, Hash, Source};
use crate::domain::item_id::ItemId;
use crate::domain::period::{Cadence, Era, Period};

/// An event in the layout of version 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct EventV1 {
    pub version: u16,
    pub seq: u64,
    pub prev_hash: Hash,
    pub recorded_at: i64,
    pub author: String,
    pub reason: String,
    pub source: Option<Source>,
    pub change: ChangeV1,
    pub signature: Option<Vec<u8>>,
}

/// The changes of version 1, tags 0-10, as they were.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum ChangeV1 {
    PlanDefined {
        name: String,
        grades: Vec<String>,
        default_era: Option<Era>,
        origin: String,
    },
    CategoryAdded {
        name: String,
    },
    ItemRegistered {
        number: u32,
        title: String,
        department: String,
        category: String,
        relisting_of: Option<u32>,
    },
    ItemAmended {
        number: u32,
        title: Option<String>,
        department: Option<String>,
        category: Option<String>,
        relisting_of: Option<Option<u32>>,
    },
    ItemWithdrawn {
        number: u32,
    },
    ItemReinstated {
        number: u32,
    },
    RatingRecorded {
        item: u32,
        period: Period,
        grade: String,
    },
    RatingWithdrawn {
        item: u32,
        period: Period,
    },
    FollowUpSet {
        item: u32,
        period: Period,
        flagged: bool,
    },
    RemarkSet {
        item: u32,
        period: Period,
        text: String,
    },
    ClockBehind {
        clock: i64,
    },
}

/// A decoded version 1 event as the event it means, or why it is not a valid version 1 event (a
/// period that version 1 cannot hold: a quarter or a whole plan).
pub(super) fn into_event(e: EventV1) -> Result<Event, String> {
    Ok(Event {
        version: e.version,
        seq: e.seq,
        prev_hash: e.prev_hash,
        recorded_at: e.recorded_at,
        author: e.author,
        reason: e.reason,
        source: e.source,
        change: into_change(e.change)?,
        signature: e.signature,
    })
}

/// The version 1 layout of an event, or why version 1 cannot say it.
pub(super) fn from_event(e: &Event) -> Result<EventV1, String> {
    Ok(EventV1 {
        version: e.version,
        seq: e.seq,
        prev_hash: e.prev_hash,
        recorded_at: e.recorded_at,
        author: e.author.clone(),
        reason: e.reason.clone(),
        source: e.source.clone(),
        change: from_change(&e.change).map_err(|e| e.to_string())?,
        signature: e.signature.clone(),
    })
}

fn half_year(p: Period) -> Result<Period, Version1> {
    if p.part.is_half_year() {
        Ok(p)
    } else {
        Err(Version1::NotHalfYear(p.id()))
    }
}

fn into_change(c: ChangeV1) -> Result<Change, String> {
    let id = ItemId::from_number;
    Ok(match c {
        ChangeV1::PlanDefined {
            name,
            grades,
            default_era,
            origin,
        } => Change::PlanDefined {
            name,
            grades,
            default_era,
            origin,
            cadence: Cadence::HalfYear,
            years: None,
        },
        ChangeV1::CategoryAdded { name } => Change::CategoryAdded { name },
        ChangeV1::ItemRegistered {
            number,
            title,
            department,
            category,
            relisting_of,
        } => Change::ItemRegistered {
            id: id(number),
            title,
            department,
            category,
            relisting_of: relisting_of.map(id),
            from: None,
            after: None,
        },
        ChangeV1::ItemAmended {
            number,
            title,
            department,
            category,
            relisting_of,
        } => Change::ItemAmended {
            id: id(number),
            title,
            department,
            category,
            relisting_of: relisting_of.map(|r| r.map(id)),
            from: None,
            after: None,
        },
        ChangeV1::ItemWithdrawn { number } => Change::ItemWithdrawn { id: id(number) },
        ChangeV1::ItemReinstated { number } => Change::ItemReinstated { id: id(number) },
        ChangeV1::RatingRecorded {
            item,
            period,
            grade,
        } => Change::RatingRecorded {
            item: id(item),
            period: half_year(period).map_err(|e| e.to_string())?,
            grade,
        },
        ChangeV1::RatingWithdrawn { item, period } => Change::RatingWithdrawn {
            item: id(item),
            period: half_year(period).map_err(|e| e.to_string())?,
        },
        ChangeV1::FollowUpSet {
            item,
            period,
            flagged,
        } => Change::FollowUpSet {
            item: id(item),
            period: half_year(period).map_err(|e| e.to_string())?,
            flagged,
        },
        ChangeV1::RemarkSet { item, period, text } => Change::RemarkSet {
            item: id(item),
            period: half_year(period).map_err(|e| e.to_string())?,
            text,
        },
        ChangeV1::ClockBehind { clock } => Change::ClockBehind { clock },
    })
}

/// What a ledger of event schema version 1 cannot hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum V2Only {
    /// An item's first point.
    From,
    /// An item's place.
    After,
    /// A plan's cadence or years.
    Cadence,
    /// 対象外.
    Exclusion,
    /// 集約.
    Merge,
    /// A heading rename.
    HeadingRename,
    /// People and keys.
    People,
    /// Rounds.
    Round,
}

impl std::fmt::Display for V2Only {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            V2Only::From => "an item that joins the plan at a point (from)",
            V2Only::After => "an item placed after another (after)",
            V2Only::Cadence => "a plan's cadence or years",
            V2Only::Exclusion => "an exclusion (対象外)",
            V2Only::Merge => "a merge (集約)",
            V2Only::HeadingRename => "a heading rename",
            V2Only::People => "people and their keys",
            V2Only::Round => "an evaluation round",
        })
    }
}

/// Why a change cannot be written in an event of schema version 1 (the ledger keeps its version).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Version1 {
    /// A kind of change or field only version 2 has.
    #[error("{0} needs event schema version 2, and this ledger is of version 1")]
    NeedsVersion2(V2Only),
    /// A text item id.
    #[error(
        "the item id `{0}` is not a number, and a ledger of event schema version 1 numbers its items"
    )]
    TextId(ItemId),
    /// A point other than 上半期 and 年度末 (its id).
    #[error("the point {0} is not 上半期 or 年度末, the only points of event schema version 1")]
    NotHalfYear(String),
    /// An unknown version.
    #[error("unknown event schema version {0}")]
    Unknown(u16),
}

/// The number of an item in version 1, or why it has none.
fn number(id: &ItemId) -> Result<u32, Version1> {
    id.number().ok_or_else(|| Version1::TextId(id.clone()))
}

/// A change as version 1 writes it, or why version 1 cannot say it.
pub(super) fn from_change(c: &Change) -> Result<ChangeV1, Version1> {
    let only_v2 = Version1::NeedsVersion2;
    // What version 1 has no field for: an item's first point and its place.
    let placed = |from: bool, after: bool| match (from, after) {
        (true, _) => Err(only_v2(V2Only::From)),
        (_, true) => Err(only_v2(V2Only::After)),
        _ => Ok(()),
    };
    Ok(match c {
        Change::PlanDefined {
            name,
            grades,
            default_era,
            origin,
            cadence,
            years,
        } => {
            if *cadence != Cadence::HalfYear || years.is_some() {
                return Err(only_v2(V2Only::Cadence));
            }
            ChangeV1::PlanDefined {
                name: name.clone(),
                grades: grades.clone(),
                default_era: *default_era,
                origin: origin.clone(),
            }
        }
        Change::CategoryAdded { name } => ChangeV1::CategoryAdded { name: name.clone() },
        Change::ItemRegistered {
            id,
            title,
            department,
            category,
            relisting_of,
            from,
            after,
        } => {
            placed(from.is_some(), after.is_some())?;
            ChangeV1::ItemRegistered {
                number: number(id)?,
                title: title.clone(),
                department: department.clone(),
                category: category.clone(),
                relisting_of: relisting_of.as_ref().map(number).transpose()?,
            }
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
            placed(from.is_some(), after.is_some())?;
            ChangeV1::ItemAmended {
                number: number(id)?,
                title: title.clone(),
                department: department.clone(),
                category: category.clone(),
                relisting_of: match relisting_of {
                    None => None,
                    Some(None) => Some(None),
                    Some(Some(r)) => Some(Some(number(r)?)),
                },
            }
        }
        Change::ItemWithdrawn { id } => ChangeV1::ItemWithdrawn {
            number: number(id)?,
        },
        Change::ItemReinstated { id } => ChangeV1::ItemReinstated {
            number: number(id)?,
        },
        Change::RatingRecorded {
            item,
            period,
            grade,
        } => ChangeV1::RatingRecorded {
            item: number(item)?,
            period: half_year(*period)?,
            grade: grade.clone(),
        },
        Change::RatingWithdrawn { item, period } => ChangeV1::RatingWithdrawn {
            item: number(item)?,
            period: half_year(*period)?,
        },
        Change::FollowUpSet {
            item,
            period,
            flagged,
        } => ChangeV1::FollowUpSet {
            item: number(item)?,
            period: half_year(*period)?,
            flagged: *flagged,
        },
        Change::RemarkSet { item, period, text } => ChangeV1::RemarkSet {
            item: number(item)?,
            period: half_year(*period)?,
            text: text.clone(),
        },
        Change::ClockBehind { clock } => ChangeV1::ClockBehind { clock: *clock },
        Change::ItemExcluded { .. } | Change::ExclusionWithdrawn { .. } => {
            return Err(only_v2(V2Only::Exclusion));
        }
        Change::ItemMerged { .. } | Change::MergeWithdrawn { .. } => {
            return Err(only_v2(V2Only::Merge));
        }
        Change::HeadingRenamed { .. } => return Err(only_v2(V2Only::HeadingRename)),
        Change::PeopleEnabled { .. }
        | Change::PersonRegistered { .. }
        | Change::RoleGranted { .. }
        | Change::RoleRevoked { .. }
        | Change::KeyRotated { .. }
        | Change::KeyRevoked { .. } => return Err(only_v2(V2Only::People)),
        Change::RoundOpened { .. }
        | Change::Submitted { .. }
        | Change::Reviewed { .. }
        | Change::OpinionRecorded { .. }
        | Change::RoundClosed { .. }
        | Change::RoundPublished { .. } => return Err(only_v2(V2Only::Round)),
    })
}
