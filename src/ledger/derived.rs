//! Derived data persisted beside the events: a per-item index and periodic state snapshots.
//!
//! Both are written by the store's writer in the same durable commit as the events they derive
//! from, are never hashed, and are never trusted without a check against the log: a snapshot is used only
//! if the hash it records is the hash of the event it follows, history re-reads the indexed events
//! themselves, and `Ledger::verify` recomputes both while it folds the log and compares them with what is
//! stored. A store written before derived data existed has none (no `D` record): every view then folds the
//! log, as it always did.
//!
//! - Per-item index: for each event, `(item, seq)` with `item` = [`crate::domain::event::Change::item`], or 0 for
//!   the events that concern no item (the plan and the headings, which history needs to fold one item).
//! - Snapshots: the state after each event `m * K - 1` (K recorded in the `D` record, normally
//!   [`SNAPSHOT_EVERY`]): magic, seq (u64 LE), that event's hash, then the state in bincode's legacy
//!   configuration (as events are).

use bincode::config;

use crate::domain::event::Hash;
use crate::domain::state::{State, StateV1};

/// Events between two state snapshots in a new ledger, unless it is created with another interval
/// ([`crate::ledger::Access::snapshot_interval`], a setting for tests and tuning).
pub const SNAPSHOT_EVERY: u64 = 65_536;

/// Pseudo-item of the index under which the events that concern no item are listed.
pub const NO_ITEM: u32 = 0;

const META_MAGIC: &[u8; 16] = b"hyoka-derived-v1";
/// Snapshots of the state as event schema version 2 holds it.
const SNAP_MAGIC: &[u8; 16] = b"hyoka-snapshot-2";
/// Snapshots taken before version 2 (items keyed by number): still read, never written.
const SNAP_MAGIC_V1: &[u8; 16] = b"hyoka-snapshot-1";
/// Upper bound on a decoded snapshot's allocations (damaged bytes never allocate past it).
const SNAP_LIMIT: usize = 1 << 31;

/// What a ledger's store holds of derived data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derived {
    /// None (a store that predates derived data): every view folds the log.
    Absent,
    /// The index, and a snapshot every this many events.
    Every(u64),
    /// The `D` record is unreadable: views fold the log, `verify` reports it.
    Damaged,
}

impl Derived {
    pub(crate) fn from_record(r: Option<&[u8]>) -> Derived {
        let Some(r) = r else { return Derived::Absent };
        match (r.get(..16), r.get(16..24)) {
            (Some(m), Some(k)) if m == META_MAGIC && r.len() == 24 => {
                match k.try_into().map(u64::from_le_bytes) {
                    Ok(k) if k > 0 => Derived::Every(k),
                    _ => Derived::Damaged,
                }
            }
            _ => Derived::Damaged,
        }
    }

    pub(crate) fn record(k: u64) -> Vec<u8> {
        let mut v = META_MAGIC.to_vec();
        v.extend_from_slice(&k.to_le_bytes());
        v
    }
}

/// The stored bytes of the snapshot taken after event `seq` (whose hash is `hash`).
pub(crate) fn encode_snapshot(seq: u64, hash: &Hash, state: &State) -> Result<Vec<u8>, String> {
    // Sized first: a vector grown by doubling would take up to twice a large state's size.
    let mut v = Vec::with_capacity(usize::try_from(snapshot_len(state)).unwrap_or(0));
    v.extend_from_slice(SNAP_MAGIC);
    v.extend_from_slice(&seq.to_le_bytes());
    v.extend_from_slice(hash);
    bincode::serde::encode_into_std_write(state, &mut v, config::legacy())
        .map_err(|e| format!("cannot encode a state snapshot: {e}"))?;
    Ok(v)
}

/// Writes the stored bytes of the snapshot taken after event `seq` ([`encode_snapshot`]) to `out`.
pub(crate) fn write_snapshot(
    seq: u64,
    hash: &Hash,
    state: &State,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    out.write_all(SNAP_MAGIC)?;
    out.write_all(&seq.to_le_bytes())?;
    out.write_all(hash)?;
    let mut out = out;
    bincode::serde::encode_into_std_write(state, &mut out, config::legacy())
        .map(drop)
        .map_err(|e| std::io::Error::other(format!("cannot encode a state snapshot: {e}")))
}

/// The length of a snapshot of `state` ([`encode_snapshot`]), counted without building it.
pub(crate) fn snapshot_len(state: &State) -> u64 {
    struct Count(u64);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len() as u64;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut n = Count((SNAP_MAGIC.len() + 8 + 32) as u64);
    // Counting cannot fail; a state bincode cannot encode would fail the append itself.
    let _ = bincode::serde::encode_into_std_write(state, &mut n, config::legacy());
    n.0
}

/// A stored snapshot's seq, event hash and state (of either layout); `None` if the bytes are not a
/// snapshot.
pub(crate) fn decode_snapshot(bytes: &[u8]) -> Option<(u64, Hash, State)> {
    let magic = bytes.get(..16)?;
    let seq = u64::from_le_bytes(bytes.get(16..24)?.try_into().ok()?);
    let hash: Hash = bytes.get(24..56)?.try_into().ok()?;
    let body = bytes.get(56..)?;
    let limit = config::legacy().with_limit::<SNAP_LIMIT>();
    let (state, read) = if magic == SNAP_MAGIC {
        bincode::serde::decode_from_slice::<State, _>(body, limit).ok()?
    } else if magic == SNAP_MAGIC_V1 {
        let (s, read) = bincode::serde::decode_from_slice::<StateV1, _>(body, limit).ok()?;
        (s.into_state(), read)
    } else {
        return None;
    };
    (read == body.len()).then_some((seq, hash, state))
}

/// Whether stored snapshot bytes are of the layout of before event schema version 2, which is
/// checked by the state it decodes to rather than byte for byte.
pub(crate) fn is_v1_snapshot(bytes: &[u8]) -> bool {
    bytes.get(..16) == Some(&SNAP_MAGIC_V1[..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_garbage_is_refused() {
        assert_eq!(
            Derived::from_record(Some(&Derived::record(8))),
            Derived::Every(8)
        );
        assert_eq!(Derived::from_record(None), Derived::Absent);
        assert_eq!(Derived::from_record(Some(b"x")), Derived::Damaged);
        assert_eq!(
            Derived::from_record(Some(&Derived::record(0))),
            Derived::Damaged
        );
        let s = State::default();
        let b = encode_snapshot(7, &[3; 32], &s).unwrap();
        assert_eq!(decode_snapshot(&b), Some((7, [3; 32], s)));
        assert_eq!(decode_snapshot(&b[..b.len() - 1]), None);
        let mut long = b.clone();
        long.push(0);
        assert_eq!(decode_snapshot(&long), None);
        assert_eq!(decode_snapshot(b"hyoka-snapshot-1"), None);
    }
}
