//! Events: the only truth in a ledger, their canonical bytes and their hash chain.
//!
//! An event's stored value is its canonical encoding (bincode 2 with the legacy configuration: fixed-width
//! little-endian integers, u64 length prefixes, u32 enum tags), produced in exactly one place, [`encode`].
//! Its hash is BLAKE3 over [`HASH_CONTEXT`], the previous event's hash and those stored bytes
//! ([`event_hash`]); the bytes are hashed as stored and never re-encoded. `schema/FORMAT.md` specifies every
//! byte, and the golden tests below pin it.

use bincode::config::{self, Config};
use serde::{Deserialize, Serialize};

use crate::domain::item_id::ItemId;
use crate::domain::people::{Person, Role, Stage, Verdict};
use crate::domain::period::{Cadence, Era, Period};

pub mod v1;

pub use v1::{V2Only, Version1};

/// A 32-byte hash.
pub type Hash = [u8; 32];

/// The `prev_hash` of event 0.
pub const ZERO_HASH: Hash = [0; 32];

/// The version of the event layout of a new ledger (`schema/FORMAT.md`, "Event schema versions"). A
/// ledger's events all have the version of its event 0: a ledger of version 1 takes appends as version 1
/// events.
pub const SCHEMA_VERSION: u16 = 2;

/// Every event layout this build reads and writes.
pub const SCHEMA_VERSIONS: [u16; 2] = [1, 2];

/// Domain-separation prefix of the event-hash preimage (15 bytes, ends in a NUL).
pub const HASH_CONTEXT: &[u8] = b"hyoka/event/v1\0";

/// The bytes of a filled signature slot: the signer key's C2SP key id (4) and an Ed25519 signature
/// (64). Only version 2 events may have one (`schema/FORMAT.md`, "Signed events").
pub const SIGNATURE_LEN: usize = 4 + 64;

/// The largest encoded event accepted, in bytes (1 MiB). The decoder refuses to allocate past it.
pub const MAX_EVENT_BYTES: usize = 1 << 20;

/// One change to a ledger, with who made it, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Layout version of this event (one of [`SCHEMA_VERSIONS`]).
    pub version: u16,
    /// Position in the log, dense from 0.
    pub seq: u64,
    /// The previous event's hash ([`ZERO_HASH`] for seq 0).
    pub prev_hash: Hash,
    /// When it was recorded: nanoseconds since the Unix epoch, UTC. Never earlier than the previous event's.
    pub recorded_at: i64,
    /// Who made the change (non-empty).
    pub author: String,
    /// Why (non-empty).
    pub reason: String,
    /// The file an import took this change from, if any.
    pub source: Option<Source>,
    /// What changed.
    pub change: Change,
    /// The author's signature ([`SIGNATURE_LEN`] bytes: key id, Ed25519 signature): set on every event
    /// of a ledger with people from its `people.enabled` event on, `None` on every other (and always in
    /// version 1).
    pub signature: Option<Vec<u8>>,
}

/// One event as read back from a store or an export: decoded, with its hash computed from the stored
/// bytes ([`event_hash`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// The decoded event.
    pub event: Event,
    /// Its hash, computed from the stored bytes.
    pub hash: Hash,
}

/// The file a batch of events was imported from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The file's name (without its directory).
    pub file_name: String,
    /// BLAKE3 of the file's bytes.
    pub blake3: Hash,
}

/// What an event changes: the changes of event schema version 2, which hold every change of version 1
/// (whose encoding is in `v1`). Variant order is part of the format (the u32 tag); only append new
/// variants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// Tag 0. The plan the ledger evaluates; always event 0, and only once.
    PlanDefined {
        /// The plan's name.
        name: String,
        /// The grade scale, best first (e.g. S, A, B).
        grades: Vec<String>,
        /// Era for era-less fiscal years in input (`26年度上半期`).
        default_era: Option<Era>,
        /// Stable identifier of this ledger: checkpoint origin and key name.
        origin: String,
        /// When the plan reports (version 2; version 1 plans report at 上半期 and 年度末).
        cadence: Cadence,
        /// The plan's first and last fiscal years, if declared (version 2).
        years: Option<(u16, u16)>,
    },
    /// Tag 1. A heading under which items are grouped.
    CategoryAdded {
        /// The heading.
        name: String,
    },
    /// Tag 2. A new item of the plan.
    ItemRegistered {
        /// The item's id, unique in the plan.
        id: ItemId,
        /// Its title.
        title: String,
        /// The responsible department.
        department: String,
        /// The heading it is listed under.
        category: String,
        /// Set when the item re-lists another item under a second heading (再掲).
        relisting_of: Option<ItemId>,
        /// The point from which the item belongs to the plan; `None`: every point (version 2).
        from: Option<Period>,
        /// The item it is listed right after, instead of its id's natural place (version 2).
        after: Option<ItemId>,
    },
    /// Tag 3. A correction of an item's attributes; `None` leaves a field as it was.
    ItemAmended {
        /// The item's id.
        id: ItemId,
        /// New title.
        title: Option<String>,
        /// New department.
        department: Option<String>,
        /// New heading.
        category: Option<String>,
        /// New re-listing target (`Some(None)` clears it).
        relisting_of: Option<Option<ItemId>>,
        /// New first point (`Some(None)`: every point) (version 2).
        from: Option<Option<Period>>,
        /// New place (`Some(None)`: its id's natural place) (version 2).
        after: Option<Option<ItemId>>,
    },
    /// Tag 4. The item is no longer part of the plan (kept in history).
    ItemWithdrawn {
        /// The item's id.
        id: ItemId,
    },
    /// Tag 5. A withdrawn item is part of the plan again.
    ItemReinstated {
        /// The item's id.
        id: ItemId,
    },
    /// Tag 6. A grade for an item in a period.
    RatingRecorded {
        /// The item's id.
        item: ItemId,
        /// The period rated.
        period: Period,
        /// A grade of the plan's scale.
        grade: String,
    },
    /// Tag 7. A rating recorded in error is withdrawn.
    RatingWithdrawn {
        /// The item's id.
        item: ItemId,
        /// The period.
        period: Period,
    },
    /// Tag 8. The follow-up flag of an item at a period's evaluation is set or cleared.
    FollowUpSet {
        /// The item's id.
        item: ItemId,
        /// The period.
        period: Period,
        /// Whether the item is flagged for follow-up.
        flagged: bool,
    },
    /// Tag 9. The remark of an item at a period's evaluation (empty clears it).
    RemarkSet {
        /// The item's id.
        item: ItemId,
        /// The period.
        period: Period,
        /// The remark.
        text: String,
    },
    /// Tag 10. Written by the ledger itself, never given by a caller: the batch it begins was recorded
    /// at the previous event's time because the recording clock read earlier than that. Concerns no
    /// item and changes nothing.
    ClockBehind {
        /// What the recording clock read: nanoseconds since the Unix epoch, UTC.
        clock: i64,
    },
    /// Tag 11 (version 2). The item is not evaluated at a point (対象外); the event's reason says why.
    ItemExcluded {
        /// The item's id.
        item: ItemId,
        /// The point.
        period: Period,
    },
    /// Tag 12 (version 2). An exclusion recorded in error is withdrawn: the item is evaluated at that
    /// point again.
    ExclusionWithdrawn {
        /// The item's id.
        item: ItemId,
        /// The point.
        period: Period,
    },
    /// Tag 13 (version 2). From a point on, the item is folded into another (集約): it is no longer
    /// evaluated on its own.
    ItemMerged {
        /// The item folded in.
        item: ItemId,
        /// The item it is folded into.
        into: ItemId,
        /// The first point at which it is part of `into`.
        from: Period,
    },
    /// Tag 14 (version 2). A merge recorded in error is withdrawn: the item stands on its own again.
    MergeWithdrawn {
        /// The item.
        item: ItemId,
    },
    /// Tag 15 (version 2). A heading is renamed, for every item listed under it.
    HeadingRenamed {
        /// The heading's name.
        from: String,
        /// Its new name.
        to: String,
    },
    /// Tag 16 (version 2). The ledger has people from here on: it records its log key and its first
    /// administrator, and this event and every later one is signed by a registered person's key (this
    /// one by the administrator's own).
    PeopleEnabled {
        /// The log key's verifier key (C2SP signed-note encoding), which signs the ledger's checkpoints.
        log_vkey: String,
        /// The first administrator (who holds at least the admin role).
        admin: Person,
    },
    /// Tag 17 (version 2). A person is registered.
    PersonRegistered {
        /// The person.
        person: Person,
    },
    /// Tag 18 (version 2). A role is granted to a person.
    RoleGranted {
        /// The person's id.
        person: String,
        /// The role.
        role: Role,
    },
    /// Tag 19 (version 2). A role is revoked from a person.
    RoleRevoked {
        /// The person's id.
        person: String,
        /// The role.
        role: Role,
    },
    /// Tag 20 (version 2). A person's key is replaced by a new one (rotation; the old key signs no more).
    KeyRotated {
        /// The person's id.
        person: String,
        /// The new verifier key (C2SP signed-note encoding).
        vkey: String,
    },
    /// Tag 21 (version 2). A person's key is revoked (lost or compromised): the person signs nothing until
    /// a new key is set.
    KeyRevoked {
        /// The person's id.
        person: String,
    },
    /// Tag 22 (version 2). The evaluation round of a point is opened: ratings for it may be recorded.
    RoundOpened {
        /// The point.
        period: Period,
        /// The due date, `YYYY-MM-DD`.
        due: String,
    },
    /// Tag 23 (version 2). A department submits its items of a round for review.
    Submitted {
        /// The round's point.
        period: Period,
        /// The department.
        department: String,
    },
    /// Tag 24 (version 2). A reviewer approves an item of a round, or returns it for revision (差し戻し);
    /// the event's reason says why.
    Reviewed {
        /// The round's point.
        period: Period,
        /// The item.
        item: ItemId,
        /// 1次評価 or 2次評価.
        stage: Stage,
        /// Approve or return.
        verdict: Verdict,
    },
    /// Tag 25 (version 2). An opinion (意見) of the outside committee on an item of a round, or on the
    /// round as a whole.
    OpinionRecorded {
        /// The round's point.
        period: Period,
        /// The item, or `None` for the whole round.
        item: Option<ItemId>,
        /// The opinion.
        text: String,
    },
    /// Tag 26 (version 2). A round is closed: no more ratings.
    RoundClosed {
        /// The round's point.
        period: Period,
    },
    /// Tag 27 (version 2). A round is published: the SHA-256 of its table in the canonical form of
    /// `schema/FORMAT.md` is recorded. Later changes to its point are corrections (訂正).
    RoundPublished {
        /// The round's point.
        period: Period,
        /// SHA-256 of the published table.
        table_sha256: [u8; 32],
    },
}

/// Why stored bytes are not a valid event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// bincode refused the bytes.
    #[error("undecodable bytes: {0}")]
    Malformed(String),
    /// The event ended before the bytes did.
    #[error("{0} trailing bytes after the event")]
    TrailingBytes(usize),
    /// An event layout this build does not know.
    #[error("unknown event schema version {0}")]
    UnknownVersion(u16),
    /// The reserved signature field is set.
    #[error(
        "the signature slot is set where this event schema version has none, or is not {SIGNATURE_LEN} bytes"
    )]
    ReservedField,
    /// A version 1 event holding what version 1 cannot (a quarter or a whole plan's point).
    #[error("not a valid event of schema version 1: {0}")]
    NotVersion1(String),
    /// Bigger than [`MAX_EVENT_BYTES`].
    #[error("event of {0} bytes exceeds the limit of {MAX_EVENT_BYTES} bytes")]
    TooLarge(usize),
}

/// Why an event could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// bincode failed (should not happen for valid values).
    #[error("cannot encode event: {0}")]
    Bincode(String),
    /// The event's version cannot say its change (a version 1 ledger and a change of version 2).
    #[error("{0}")]
    NotInVersion(String),
    /// A version this build does not write.
    #[error("unknown event schema version {0}")]
    UnknownVersion(u16),
    /// Bigger than [`MAX_EVENT_BYTES`].
    #[error(
        "the event would be {0} bytes, over the limit of {MAX_EVENT_BYTES}; shorten the longest text"
    )]
    TooLarge(usize),
}

fn bincode_config() -> impl Config {
    config::legacy().with_limit::<MAX_EVENT_BYTES>()
}

/// The canonical bytes of an event in its version's layout: what is stored and hashed.
pub fn encode(event: &Event) -> Result<Vec<u8>, EncodeError> {
    let bytes = match event.version {
        1 => {
            let v1 = v1::from_event(event).map_err(EncodeError::NotInVersion)?;
            bincode::serde::encode_to_vec(&v1, bincode_config())
        }
        2 => bincode::serde::encode_to_vec(event, bincode_config()),
        v => return Err(EncodeError::UnknownVersion(v)),
    }
    .map_err(|e| EncodeError::Bincode(e.to_string()))?;
    if bytes.len() > MAX_EVENT_BYTES {
        return Err(EncodeError::TooLarge(bytes.len()));
    }
    Ok(bytes)
}

/// Whether a change can be written in an event of `version` (a version 1 ledger cannot hold text item
/// ids, new kinds of change, quarters ...): `Err` says why not.
pub fn check_version(version: u16, change: &Change) -> Result<(), Version1> {
    match version {
        1 => v1::from_change(change).map(drop),
        2 => Ok(()),
        v => Err(Version1::Unknown(v)),
    }
}

/// Decodes stored bytes in the layout their version names; every byte must be consumed and nothing
/// is allocated past [`MAX_EVENT_BYTES`].
pub fn decode(bytes: &[u8]) -> Result<Event, DecodeError> {
    if bytes.len() > MAX_EVENT_BYTES {
        return Err(DecodeError::TooLarge(bytes.len()));
    }
    // The version is the first field: check it before trusting the rest of the layout.
    let version = match bytes.get(..2) {
        Some(v) => u16::from_le_bytes([v[0], v[1]]),
        None => return Err(DecodeError::Malformed("shorter than a version".into())),
    };
    let malformed = |e: bincode::error::DecodeError| DecodeError::Malformed(e.to_string());
    let (event, read) = match version {
        1 => {
            let (e, read): (v1::EventV1, usize) =
                bincode::serde::decode_from_slice(bytes, bincode_config()).map_err(malformed)?;
            (v1::into_event(e).map_err(DecodeError::NotVersion1)?, read)
        }
        2 => bincode::serde::decode_from_slice::<Event, _>(bytes, bincode_config())
            .map_err(malformed)?,
        v => return Err(DecodeError::UnknownVersion(v)),
    };
    if read != bytes.len() {
        return Err(DecodeError::TrailingBytes(bytes.len() - read));
    }
    match &event.signature {
        None => {}
        // A signature slot holds a key id and an Ed25519 signature, only in version 2.
        Some(s) if version == 2 && s.len() == SIGNATURE_LEN => {}
        Some(_) => return Err(DecodeError::ReservedField),
    }
    Ok(event)
}

/// BLAKE3(`HASH_CONTEXT` || `prev_hash` || `stored_bytes`).
///
/// ```
/// use hyoka::domain::event::{event_hash, HASH_CONTEXT, ZERO_HASH};
/// let stored = b"any stored bytes";
/// let mut preimage = HASH_CONTEXT.to_vec();
/// preimage.extend_from_slice(&ZERO_HASH);
/// preimage.extend_from_slice(stored);
/// assert_eq!(event_hash(&ZERO_HASH, stored), *blake3::hash(&preimage).as_bytes());
/// ```
pub fn event_hash(prev_hash: &Hash, stored_bytes: &[u8]) -> Hash {
    let mut h = blake3::Hasher::new();
    h.update(HASH_CONTEXT);
    h.update(prev_hash);
    h.update(stored_bytes);
    *h.finalize().as_bytes()
}

/// Hex of a hash, lower case.
pub fn hex(hash: &Hash) -> String {
    ::hex::encode(hash)
}

impl Change {
    /// The item a change concerns, if any (for a merge, the item folded in).
    pub fn item(&self) -> Option<&ItemId> {
        match self {
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
            | Change::RoundClosed { .. }
            | Change::RoundPublished { .. }
            | Change::OpinionRecorded { item: None, .. } => None,
            Change::Reviewed { item, .. }
            | Change::OpinionRecorded {
                item: Some(item), ..
            } => Some(item),
            Change::ItemRegistered { id, .. }
            | Change::ItemAmended { id, .. }
            | Change::ItemWithdrawn { id }
            | Change::ItemReinstated { id } => Some(id),
            Change::RatingRecorded { item, .. }
            | Change::RatingWithdrawn { item, .. }
            | Change::FollowUpSet { item, .. }
            | Change::RemarkSet { item, .. }
            | Change::ItemExcluded { item, .. }
            | Change::ExclusionWithdrawn { item, .. }
            | Change::ItemMerged { item, .. }
            | Change::MergeWithdrawn { item } => Some(item),
        }
    }

    /// The period of the cell a change concerns, if any.
    pub fn period(&self) -> Option<Period> {
        match self {
            Change::RatingRecorded { period, .. }
            | Change::RatingWithdrawn { period, .. }
            | Change::FollowUpSet { period, .. }
            | Change::RemarkSet { period, .. }
            | Change::ItemExcluded { period, .. }
            | Change::ExclusionWithdrawn { period, .. } => Some(*period),
            _ => None,
        }
    }

    /// A short name of the kind of change, as shown in logs (`rating`, `item.registered`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Change::PlanDefined { .. } => "plan.defined",
            Change::CategoryAdded { .. } => "category.added",
            Change::ItemRegistered { .. } => "item.registered",
            Change::ItemAmended { .. } => "item.amended",
            Change::ItemWithdrawn { .. } => "item.withdrawn",
            Change::ItemReinstated { .. } => "item.reinstated",
            Change::RatingRecorded { .. } => "rating.recorded",
            Change::RatingWithdrawn { .. } => "rating.withdrawn",
            Change::FollowUpSet { .. } => "follow_up.set",
            Change::RemarkSet { .. } => "remark.set",
            Change::ClockBehind { .. } => "clock.behind",
            Change::ItemExcluded { .. } => "item.excluded",
            Change::ExclusionWithdrawn { .. } => "exclusion.withdrawn",
            Change::ItemMerged { .. } => "item.merged",
            Change::MergeWithdrawn { .. } => "merge.withdrawn",
            Change::HeadingRenamed { .. } => "heading.renamed",
            Change::PeopleEnabled { .. } => "people.enabled",
            Change::PersonRegistered { .. } => "person.registered",
            Change::RoleGranted { .. } => "role.granted",
            Change::RoleRevoked { .. } => "role.revoked",
            Change::KeyRotated { .. } => "key.rotated",
            Change::KeyRevoked { .. } => "key.revoked",
            Change::RoundOpened { .. } => "round.opened",
            Change::Submitted { .. } => "round.submitted",
            Change::Reviewed { .. } => "review.recorded",
            Change::OpinionRecorded { .. } => "opinion.recorded",
            Change::RoundClosed { .. } => "round.closed",
            Change::RoundPublished { .. } => "round.published",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::period::Part;

    /// The golden event of `schema/FORMAT.md`.
    pub(crate) fn golden_event() -> Event {
        Event {
            version: 1,
            seq: 1,
            prev_hash: [0x11; 32],
            recorded_at: 1_420_070_400_000_000_000, // 2015-01-01T00:00:00Z
            author: "山田".to_string(),
            reason: "上半期評価".to_string(),
            source: None,
            change: Change::RatingRecorded {
                item: ItemId::from_number(5),
                period: Period {
                    fiscal_year: 2014,
                    part: Part::FirstHalf,
                },
                grade: "A".to_string(),
            },
            signature: None,
        }
    }

    const GOLDEN_HEX: &str = concat!(
        "0100",                                                             // version u16
        "0100000000000000",                                                 // seq u64
        "1111111111111111111111111111111111111111111111111111111111111111", // prev_hash
        "00000c44811ab513",                                                 // recorded_at i64
        "0600000000000000",
        "e5b1b1e794b0", // author
        "0f00000000000000",
        "e4b88ae58d8ae69c9fe8a995e4bea1", // reason
        "00",                             // source: None
        "06000000",                       // Change tag 6
        "05000000",                       // item u32
        "de07",
        "00000000", // period
        "0100000000000000",
        "41", // grade
        "00", // signature: None
    );

    #[test]
    fn golden_bytes_and_hash_are_pinned() {
        let bytes = encode(&golden_event()).unwrap();
        assert_eq!(::hex::encode(&bytes), GOLDEN_HEX);
        // Cross-checked with the reference BLAKE3 implementation (Python `blake3`) over the same preimage.
        assert_eq!(
            hex(&event_hash(&[0x11; 32], &bytes)),
            "bdbee52c4c8768899b034103a6e1dd75da31681b92112bcdacb7c0f828e87659"
        );
        assert_eq!(decode(&bytes).unwrap(), golden_event());
    }

    /// A `clock.behind` event (tag 10, schema/FORMAT.md section 3): the golden event's envelope, recorded
    /// at 2015-01-01T00:00:00Z while the clock read an hour earlier, 2014-12-31T23:00:00Z.
    const CLOCK_BEHIND_HEX: &str = concat!(
        "0100",                                                             // version u16
        "0100000000000000",                                                 // seq u64
        "1111111111111111111111111111111111111111111111111111111111111111", // prev_hash
        "00000c44811ab513",                                                 // recorded_at i64
        "0600000000000000",
        "e5b1b1e794b0", // author
        "0f00000000000000",
        "e4b88ae58d8ae69c9fe8a995e4bea1", // reason
        "00",                             // source: None
        "0a000000",                       // Change tag 10 ClockBehind
        "006053133b17b513",               // clock i64: 1,420,066,800,000,000,000 ns
        "00",                             // signature: None
    );

    #[test]
    fn a_clock_behind_event_is_pinned_byte_for_byte() {
        let mut e = golden_event();
        e.change = Change::ClockBehind {
            clock: 1_420_066_800_000_000_000, // 2014-12-31T23:00:00Z
        };
        let bytes = encode(&e).unwrap();
        assert_eq!(::hex::encode(&bytes), CLOCK_BEHIND_HEX);
        assert_eq!(bytes.len(), 101);
        // Cross-checked with a BLAKE3 written from its specification (not this crate's dependency).
        assert_eq!(
            hex(&event_hash(&[0x11; 32], &bytes)),
            "121c70d24c768cd2b195a3a62dbf94e5716425e676919940dcb4cc1afb7b08cd"
        );
        assert_eq!(decode(&bytes).unwrap(), e);
        assert_eq!(e.change.kind(), "clock.behind");
        assert_eq!((e.change.item(), e.change.period()), (None, None));
    }

    #[test]
    fn every_change_kind_round_trips() {
        let period = Period {
            fiscal_year: 2015,
            part: Part::YearEnd,
        };
        let changes = vec![
            Change::PlanDefined {
                name: "第2次行財政改革".into(),
                grades: vec!["S".into(), "A".into(), "B".into()],
                default_era: Some(Era::Heisei),
                origin: "city.example/plan".into(),
                cadence: Cadence::Quarterly,
                years: Some((2014, 2018)),
            },
            Change::CategoryAdded {
                name: "財政".into(),
            },
            Change::ItemRegistered {
                id: id("39"),
                title: "t".into(),
                department: "d".into(),
                category: "c".into(),
                relisting_of: Some(id("27")),
                from: Some(period),
                after: Some(id("R1-1")),
            },
            Change::ItemAmended {
                id: id("39"),
                title: None,
                department: Some("d2".into()),
                category: None,
                relisting_of: Some(None),
                from: Some(None),
                after: Some(Some(id("2"))),
            },
            Change::ItemWithdrawn { id: id("1") },
            Change::ItemReinstated { id: id("1") },
            Change::RatingRecorded {
                item: id("1"),
                period,
                grade: "S".into(),
            },
            Change::RatingWithdrawn {
                item: id("1"),
                period,
            },
            Change::FollowUpSet {
                item: id("1"),
                period,
                flagged: true,
            },
            Change::RemarkSet {
                item: id("1"),
                period,
                text: "改行\nあり".into(),
            },
            Change::ClockBehind { clock: -1 },
            Change::ItemExcluded {
                item: id("1-1-1"),
                period,
            },
            Change::ExclusionWithdrawn {
                item: id("1-1-1"),
                period,
            },
            Change::ItemMerged {
                item: id("25"),
                into: id("24"),
                from: Period::new(2015, Part::WholePlan { first_year: 2011 }).unwrap(),
            },
            Change::MergeWithdrawn { item: id("25") },
            Change::HeadingRenamed {
                from: "a".into(),
                to: "b".into(),
            },
        ];
        for (tag, change) in changes.into_iter().enumerate() {
            let mut e = golden_v2(Change::ClockBehind { clock: 0 });
            e.change = change;
            let bytes = encode(&e).unwrap();
            // The change's u32 tag sits right after the fixed envelope fields and the two strings.
            assert_eq!(decode(&bytes).unwrap(), e);
            assert!(bytes.windows(4).any(|w| w == (tag as u32).to_le_bytes()));
        }
    }

    /// The golden events of event schema version 2 (`schema/FORMAT.md`, "Event schema versions"): the
    /// golden event's envelope with version 2, and changes that only version 2 can hold. Each hash was
    /// computed with the Python `blake3` package over the same preimage, independently of this crate.
    fn golden_v2(change: Change) -> Event {
        Event {
            version: 2,
            change,
            ..golden_event()
        }
    }

    const ENVELOPE_V2: &str = concat!(
        "0200",                                                             // version u16 = 2
        "0100000000000000",                                                 // seq u64
        "1111111111111111111111111111111111111111111111111111111111111111", // prev_hash
        "00000c44811ab513",                                                 // recorded_at i64
        "0600000000000000",
        "e5b1b1e794b0", // author
        "0f00000000000000",
        "e4b88ae58d8ae69c9fe8a995e4bea1", // reason
        "00",                             // source: None
    );

    fn id(s: &str) -> ItemId {
        ItemId::parse(s).unwrap()
    }

    fn fy2019_ye() -> Period {
        Period::new(2019, Part::YearEnd).unwrap()
    }

    #[test]
    fn version_2_events_are_pinned_byte_for_byte() {
        let cases: Vec<(Change, String, &str)> = vec![
            (
                // A rating of item R1-1 at 令和元年度末: the item id is a string.
                Change::RatingRecorded {
                    item: id("R1-1"),
                    period: fy2019_ye(),
                    grade: "A".into(),
                },
                [
                    "06000000",                 // tag 6
                    "040000000000000052312d31", // item id "R1-1"
                    "e307",                     // fiscal_year 2019
                    "01000000",                 // part: YearEnd (tag 1)
                    "010000000000000041",       // grade "A"
                    "00",                       // signature: None
                ]
                .concat(),
                "7fa45239ba61fa6350963ff954a563d2d565c3a16f0cc76f97a8b4a22faaa0b8",
            ),
            (
                // Item R1-1 joins at 令和元年度末, listed after item 9.
                Change::ItemRegistered {
                    id: id("R1-1"),
                    title: "高槻市との連携".into(),
                    department: "学研企画課".into(),
                    category: "1. 協働の市政の推進".into(),
                    relisting_of: None,
                    from: Some(fy2019_ye()),
                    after: Some(id("9")),
                },
                [
                    "02000000",
                    "040000000000000052312d31",
                    "1500000000000000e9ab98e6a7bbe5b882e381a8e381aee980a3e690ba",
                    "0f00000000000000e5ada6e7a094e4bc81e794bbe8aab2",
                    "1b00000000000000312e20e58d94e5838de381aee5b882e694bfe381aee68ea8e980b2",
                    "00",                   // relisting_of: None
                    "01e30701000000",       // from: Some(FY2019-YE)
                    "01010000000000000039", // after: Some("9")
                    "00",
                ]
                .concat(),
                "e36453d81b048b627e894e4e7086a5dad62f3182291b5949be14b10c298ed22d",
            ),
            (
                // A year-end-only plan of fiscal years 2018-2022.
                Change::PlanDefined {
                    name: "第3次行財政改革".into(),
                    grades: vec!["S".into(), "A".into(), "B".into(), "C".into()],
                    default_era: Some(Era::Reiwa),
                    origin: "city.kizugawa.example/plan-3".into(),
                    cadence: Cadence::YearEnd,
                    years: Some((2018, 2022)),
                },
                [
                    "00000000",
                    "1600000000000000e7acac33e6aca1e8a18ce8b2a1e694bfe694b9e99da9",
                    "0400000000000000", // four grades
                    "010000000000000053010000000000000041010000000000000042010000000000000043",
                    "0101000000", // default_era: Some(Reiwa)
                    "1c00000000000000636974792e6b697a75676177612e6578616d706c652f706c616e2d33",
                    "01000000",   // cadence: YearEnd (tag 1)
                    "01e207e607", // years: Some((2018, 2022))
                    "00",
                ]
                .concat(),
                "5107a8816e106e736dd55a3523110c7fffb54fb6124bdb6dae5759d16bf3d525",
            ),
            (
                Change::ItemExcluded {
                    item: id("25"),
                    period: Period::new(2015, Part::YearEnd).unwrap(),
                },
                ["0b000000", "02000000000000003235", "df0701000000", "00"].concat(),
                "c9f9dd7ba507d45a08722a838a8e11cbca06239f85f981280fc92740237fb83d",
            ),
            (
                Change::ItemMerged {
                    item: id("25"),
                    into: id("24"),
                    from: Period::new(2015, Part::YearEnd).unwrap(),
                },
                [
                    "0d000000",
                    "02000000000000003235",
                    "02000000000000003234",
                    "df0701000000",
                    "00",
                ]
                .concat(),
                "5f7dbd5b4480e4691c2b94837f42462a46ae4508e91026f5de77c0af5975b2cf",
            ),
            (
                Change::HeadingRenamed {
                    from: "財政".into(),
                    to: "財政の健全化".into(),
                },
                [
                    "0f000000",
                    "0600000000000000e8b2a1e694bf",
                    "1200000000000000e8b2a1e694bfe381aee581a5e585a8e58c96",
                    "00",
                ]
                .concat(),
                "9bc7823f8fbd588b8ead6cbf5cc2b13eeaf728914f9136b8ef84353931d95ff6",
            ),
        ];
        for (change, tail, hash) in cases {
            let e = golden_v2(change);
            let bytes = encode(&e).unwrap();
            assert_eq!(
                ::hex::encode(&bytes),
                format!("{ENVELOPE_V2}{tail}"),
                "{e:?}"
            );
            assert_eq!(hex(&event_hash(&[0x11; 32], &bytes)), hash, "{e:?}");
            assert_eq!(decode(&bytes).unwrap(), e);
        }
    }

    #[test]
    fn a_version_1_event_reads_as_the_version_2_change_it_means() {
        // The v1 golden bytes (item as a u32) decode to item id "5", and encode back to the same bytes.
        let bytes = ::hex::decode(GOLDEN_HEX).unwrap();
        let e = decode(&bytes).unwrap();
        assert_eq!(e.version, 1);
        assert_eq!(e.change.item(), Some(&id("5")));
        assert_eq!(encode(&e).unwrap(), bytes);
    }

    #[test]
    fn version_1_cannot_hold_what_version_2_added() {
        let v1 = |change: Change| Event {
            change,
            ..golden_event()
        };
        for (change, why) in [
            (
                Change::RatingRecorded {
                    item: id("R1-1"),
                    period: fy2019_ye(),
                    grade: "A".into(),
                },
                "not a number",
            ),
            (
                Change::RatingRecorded {
                    item: id("5"),
                    period: Period::new(2019, Part::ThirdQuarter).unwrap(),
                    grade: "A".into(),
                },
                "not 上半期 or 年度末",
            ),
            (
                Change::ItemExcluded {
                    item: id("5"),
                    period: fy2019_ye(),
                },
                "needs event schema version 2",
            ),
        ] {
            let e = v1(change);
            match encode(&e) {
                Err(EncodeError::NotInVersion(m)) => assert!(m.contains(why), "{m}"),
                other => panic!("{other:?}"),
            }
            assert!(check_version(1, &e.change).is_err());
            assert!(check_version(2, &e.change).is_ok());
        }
        // A version 1 event whose period has a part version 1 does not have is not a valid event.
        let mut bytes = ::hex::decode(GOLDEN_HEX).unwrap();
        let part_at = GOLDEN_HEX.find("de07").unwrap() / 2 + 2;
        bytes[part_at] = 3; // ThirdQuarter
        assert!(matches!(decode(&bytes), Err(DecodeError::NotVersion1(_))));
        // A version 2 id that is not in its stored form is refused.
        let e = golden_v2(Change::ItemWithdrawn { id: id("12") });
        let mut bytes = encode(&e).unwrap();
        let at = bytes.len() - 3;
        bytes[at] = b'0'; // "12" -> "02"
        assert!(matches!(decode(&bytes), Err(DecodeError::Malformed(_))));
    }

    #[test]
    fn trailing_bytes_are_corruption() {
        let mut bytes = encode(&golden_event()).unwrap();
        bytes.push(0);
        assert_eq!(decode(&bytes), Err(DecodeError::TrailingBytes(1)));
    }

    #[test]
    fn truncation_and_bad_tags_are_refused() {
        let bytes = encode(&golden_event()).unwrap();
        for n in 0..bytes.len() {
            assert!(decode(&bytes[..n]).is_err(), "prefix of {n} bytes decoded");
        }
        let mut bad = bytes.clone();
        let tag_at = GOLDEN_HEX.find("06000000").unwrap() / 2;
        bad[tag_at] = 0xee;
        assert!(matches!(decode(&bad), Err(DecodeError::Malformed(_))));
        let mut v3 = bytes;
        v3[0] = 3;
        assert_eq!(decode(&v3), Err(DecodeError::UnknownVersion(3)));
    }

    #[test]
    fn a_huge_length_prefix_does_not_allocate() {
        // version 1, then a string length of 2^60 where the author should be.
        let mut bytes = encode(&golden_event()).unwrap();
        let author_len_at = 2 + 8 + 32 + 8;
        bytes[author_len_at..author_len_at + 8].copy_from_slice(&(1u64 << 60).to_le_bytes());
        assert!(matches!(decode(&bytes), Err(DecodeError::Malformed(_))));
    }

    #[test]
    fn oversized_events_are_refused_on_encode() {
        let mut e = golden_event();
        e.reason = "x".repeat(MAX_EVENT_BYTES);
        assert!(matches!(encode(&e), Err(EncodeError::TooLarge(_))));
    }

    #[test]
    fn the_hash_covers_context_link_and_bytes() {
        let bytes = encode(&golden_event()).unwrap();
        let h = event_hash(&[0x11; 32], &bytes);
        assert_ne!(h, event_hash(&[0x12; 32], &bytes));
        let mut flipped = bytes.clone();
        flipped[20] ^= 1;
        assert_ne!(h, event_hash(&[0x11; 32], &flipped));
        let mut manual = blake3::Hasher::new();
        manual.update(b"hyoka/event/v1\0");
        manual.update(&[0x11; 32]);
        manual.update(&bytes);
        assert_eq!(h, *manual.finalize().as_bytes());
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let _ = decode(&bytes);
        }

        #[test]
        fn mutated_golden_bytes_never_panic(pos in 0usize..150, val in proptest::num::u8::ANY) {
            let mut bytes = encode(&golden_event()).unwrap();
            if let Some(b) = bytes.get_mut(pos) { *b = val; }
            let _ = decode(&bytes);
        }
    }
}
