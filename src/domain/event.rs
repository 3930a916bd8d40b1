//! Events: the only truth in a ledger, their canonical bytes and their hash chain.
//!
//! An event's stored value is its canonical encoding (bincode 2 with the legacy configuration: fixed-width
//! little-endian integers, u64 length prefixes, u32 enum tags), produced in exactly one place, [`encode`].
//! Its hash is BLAKE3 over [`HASH_CONTEXT`], the previous event's hash and those stored bytes
//! ([`event_hash`]); the bytes are hashed as stored and never re-encoded. `schema/FORMAT.md` specifies every
//! byte, and the golden tests below pin it.

use bincode::config::{self, Config};
use serde::{Deserialize, Serialize};

use crate::domain::period::{Era, Period};

/// A 32-byte hash.
pub type Hash = [u8; 32];

/// The `prev_hash` of event 0.
pub const ZERO_HASH: Hash = [0; 32];

/// The version of the event layout written by this build.
pub const SCHEMA_VERSION: u16 = 1;

/// Domain-separation prefix of the event-hash preimage (15 bytes, ends in a NUL).
pub const HASH_CONTEXT: &[u8] = b"hyoka/event/v1\0";

/// The largest encoded event accepted, in bytes (1 MiB). The decoder refuses to allocate past it.
pub const MAX_EVENT_BYTES: usize = 1 << 20;

/// One change to a ledger, with who made it, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Layout version of this event ([`SCHEMA_VERSION`]).
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
    /// Reserved for a signature by the author's key; always `None` in schema version 1.
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

/// What an event changes. Variant order is part of the format (the u32 tag); only append new variants.
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
    },
    /// Tag 1. A heading under which items are grouped.
    CategoryAdded {
        /// The heading.
        name: String,
    },
    /// Tag 2. A new item of the plan.
    ItemRegistered {
        /// The item's number, unique in the plan.
        number: u32,
        /// Its title.
        title: String,
        /// The responsible department.
        department: String,
        /// The heading it is listed under.
        category: String,
        /// Set when the item re-lists another item under a second heading (再掲).
        relisting_of: Option<u32>,
    },
    /// Tag 3. A correction of an item's attributes; `None` leaves a field as it was.
    ItemAmended {
        /// The item's number.
        number: u32,
        /// New title.
        title: Option<String>,
        /// New department.
        department: Option<String>,
        /// New heading.
        category: Option<String>,
        /// New re-listing target (`Some(None)` clears it).
        relisting_of: Option<Option<u32>>,
    },
    /// Tag 4. The item is no longer part of the plan (kept in history).
    ItemWithdrawn {
        /// The item's number.
        number: u32,
    },
    /// Tag 5. A withdrawn item is part of the plan again.
    ItemReinstated {
        /// The item's number.
        number: u32,
    },
    /// Tag 6. A grade for an item in a period.
    RatingRecorded {
        /// The item's number.
        item: u32,
        /// The period rated.
        period: Period,
        /// A grade of the plan's scale.
        grade: String,
    },
    /// Tag 7. A rating recorded in error is withdrawn.
    RatingWithdrawn {
        /// The item's number.
        item: u32,
        /// The period.
        period: Period,
    },
    /// Tag 8. The follow-up flag of an item at a period's evaluation is set or cleared.
    FollowUpSet {
        /// The item's number.
        item: u32,
        /// The period.
        period: Period,
        /// Whether the item is flagged for follow-up.
        flagged: bool,
    },
    /// Tag 9. The remark of an item at a period's evaluation (empty clears it).
    RemarkSet {
        /// The item's number.
        item: u32,
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
    #[error("the reserved signature field is set, which schema version 1 does not allow")]
    ReservedField,
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
    /// Bigger than [`MAX_EVENT_BYTES`].
    #[error(
        "the event would be {0} bytes, over the limit of {MAX_EVENT_BYTES}; shorten the longest text"
    )]
    TooLarge(usize),
}

fn bincode_config() -> impl Config {
    config::legacy().with_limit::<MAX_EVENT_BYTES>()
}

/// The canonical bytes of an event: what is stored and hashed.
pub fn encode(event: &Event) -> Result<Vec<u8>, EncodeError> {
    let bytes = bincode::serde::encode_to_vec(event, bincode_config())
        .map_err(|e| EncodeError::Bincode(e.to_string()))?;
    if bytes.len() > MAX_EVENT_BYTES {
        return Err(EncodeError::TooLarge(bytes.len()));
    }
    Ok(bytes)
}

/// Decodes stored bytes; every byte must be consumed and nothing is allocated past [`MAX_EVENT_BYTES`].
pub fn decode(bytes: &[u8]) -> Result<Event, DecodeError> {
    if bytes.len() > MAX_EVENT_BYTES {
        return Err(DecodeError::TooLarge(bytes.len()));
    }
    // The version is the first field: check it before trusting the rest of the layout.
    if let Some(v) = bytes.get(..2) {
        let version = u16::from_le_bytes([v[0], v[1]]);
        if version != SCHEMA_VERSION {
            return Err(DecodeError::UnknownVersion(version));
        }
    }
    let (event, read): (Event, usize) = bincode::serde::decode_from_slice(bytes, bincode_config())
        .map_err(|e| DecodeError::Malformed(e.to_string()))?;
    if read != bytes.len() {
        return Err(DecodeError::TrailingBytes(bytes.len() - read));
    }
    if event.signature.is_some() {
        return Err(DecodeError::ReservedField);
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
    /// The item a change concerns, if any.
    pub fn item(&self) -> Option<u32> {
        match self {
            Change::PlanDefined { .. }
            | Change::CategoryAdded { .. }
            | Change::ClockBehind { .. } => None,
            Change::ItemRegistered { number, .. }
            | Change::ItemAmended { number, .. }
            | Change::ItemWithdrawn { number }
            | Change::ItemReinstated { number } => Some(*number),
            Change::RatingRecorded { item, .. }
            | Change::RatingWithdrawn { item, .. }
            | Change::FollowUpSet { item, .. }
            | Change::RemarkSet { item, .. } => Some(*item),
        }
    }

    /// The period a change concerns, if any.
    pub fn period(&self) -> Option<Period> {
        match self {
            Change::RatingRecorded { period, .. }
            | Change::RatingWithdrawn { period, .. }
            | Change::FollowUpSet { period, .. }
            | Change::RemarkSet { period, .. } => Some(*period),
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
                item: 5,
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
            },
            Change::CategoryAdded {
                name: "財政".into(),
            },
            Change::ItemRegistered {
                number: 39,
                title: "t".into(),
                department: "d".into(),
                category: "c".into(),
                relisting_of: Some(27),
            },
            Change::ItemAmended {
                number: 39,
                title: None,
                department: Some("d2".into()),
                category: None,
                relisting_of: Some(None),
            },
            Change::ItemWithdrawn { number: 1 },
            Change::ItemReinstated { number: 1 },
            Change::RatingRecorded {
                item: 1,
                period,
                grade: "S".into(),
            },
            Change::RatingWithdrawn { item: 1, period },
            Change::FollowUpSet {
                item: 1,
                period,
                flagged: true,
            },
            Change::RemarkSet {
                item: 1,
                period,
                text: "改行\nあり".into(),
            },
            Change::ClockBehind { clock: -1 },
        ];
        for (tag, change) in changes.into_iter().enumerate() {
            let mut e = golden_event();
            e.change = change;
            let bytes = encode(&e).unwrap();
            // The change's u32 tag sits right after the fixed envelope fields and the two strings.
            assert_eq!(decode(&bytes).unwrap(), e);
            assert!(bytes.windows(4).any(|w| w == (tag as u32).to_le_bytes()));
        }
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
        let mut v2 = bytes;
        v2[0] = 2;
        assert_eq!(decode(&v2), Err(DecodeError::UnknownVersion(2)));
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
