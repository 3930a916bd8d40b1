//! The one checkpoint-prefix check: that a checkpoint describes a prefix of a log (a ledger, or an
//! export) — its origin, its size, and the log's root at that size. Proofs, signing, `verify
//! --checkpoint` and `verify --export --checkpoint` all ask it, so they agree on what "this checkpoint
//! covers this log" means and on which failure is reported first (`schema/FORMAT.md` section 10):
//! another origin, then a log shorter than the checkpoint, then a different root.

use crate::domain::event::{self, Hash};
use crate::error::{IntegrityError, Result};
use crate::tlog::checkpoint::Checkpoint;

/// What the log is, for the failure reported when it is shorter than the checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Log {
    /// A ledger (`ledger_shorter_than_checkpoint`).
    Ledger,
    /// An export (`export_shorter_than_checkpoint`).
    Export,
}

/// Checks that `cp` covers a prefix of a log named `origin` (not checked when `None`: the caller
/// compared origins already) that holds `events` events: `cp.size` is at most `events`, and the log's
/// root at `cp.size`, asked of `root_at` only then, is `cp.root`.
pub fn check(
    cp: &Checkpoint,
    origin: Option<&str>,
    events: u64,
    log: Log,
    root_at: impl FnOnce(u64) -> Result<Hash>,
) -> Result<()> {
    if let Some(origin) = origin
        && cp.origin != origin
    {
        return Err(IntegrityError::CheckpointOtherOrigin {
            ledger: origin.to_string(),
            checkpoint: cp.origin.clone(),
        }
        .into());
    }
    if cp.size > events {
        return Err(match log {
            Log::Ledger => IntegrityError::LedgerShorterThanCheckpoint {
                ledger: events,
                checkpoint: cp.size,
            },
            Log::Export => IntegrityError::ExportShorterThanCheckpoint {
                export: events,
                checkpoint: cp.size,
            },
        }
        .into());
    }
    let at = root_at(cp.size)?;
    if at != cp.root {
        return Err(IntegrityError::CheckpointRootMismatch {
            size: cp.size,
            ledger: event::hex(&at),
            checkpoint: event::hex(&cp.root),
        }
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn cp(size: u64, root: Hash) -> Checkpoint {
        Checkpoint {
            origin: "city.example/plan".into(),
            size,
            root,
            extensions: Vec::new(),
        }
    }

    fn kind(r: Result<()>) -> &'static str {
        match r {
            Ok(()) => "ok",
            Err(Error::Integrity(e)) => e.kind(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn origin_then_size_then_root() {
        let root = [7; 32];
        let asked = |_| -> Result<Hash> { Ok([7; 32]) };
        let c = cp(5, root);
        assert_eq!(
            kind(check(&c, Some("city.example/plan"), 5, Log::Ledger, asked)),
            "ok"
        );
        assert_eq!(kind(check(&c, None, 9, Log::Ledger, asked)), "ok");
        // Another origin is reported even when the log is also shorter.
        assert_eq!(
            kind(check(&c, Some("other.example/x"), 2, Log::Ledger, asked)),
            "checkpoint_other_origin"
        );
        assert_eq!(
            kind(check(&c, None, 4, Log::Ledger, asked)),
            "ledger_shorter_than_checkpoint"
        );
        assert_eq!(
            kind(check(&c, None, 4, Log::Export, asked)),
            "export_shorter_than_checkpoint"
        );
        // The root is asked at the checkpoint's size, and only when the log is long enough.
        let at_five = |n| -> Result<Hash> {
            assert_eq!(n, 5);
            Ok([8; 32])
        };
        assert_eq!(
            kind(check(&c, None, 9, Log::Ledger, at_five)),
            "checkpoint_root_mismatch"
        );
        let never = |_| -> Result<Hash> { panic!("root asked of a shorter log") };
        assert_eq!(
            kind(check(&c, None, 4, Log::Export, never)),
            "export_shorter_than_checkpoint"
        );
    }
}
