//! The library's errors in words, in the chosen language: what is wrong, from each variant's data (the
//! library's own `Display` is its English for embedders; the English here says the same, checked by a
//! test). What to do next is added by `hints`. Free text the library carries inside an error (a rule's
//! words, an OS error, a detail) is passed on as it is; a variant added to the library later is shown
//! with its own `Display` until it is worded here.

use hyoka::domain::state::Refused;
use hyoka::error::{Error, IntegrityError};

use super::i18n::t;

/// What is wrong, in words.
pub fn error(e: &Error) -> String {
    match e {
        Error::NotInitialised(dir) => t!("err-not-initialised", dir = dir.display()),
        Error::AlreadyInitialised(dir) => t!("err-already-initialised", dir = dir.display()),
        Error::Busy(dir, _) => t!("err-busy", dir = dir.display()),
        Error::Refused(r) => refused(r),
        Error::RefusedAt { line, refused: r } => {
            t!("err-refused-at", line = *line, refused = refused(r))
        }
        Error::NotInCheckpoint { seq, size } => {
            t!("err-not-in-checkpoint", seq = *seq, covers = covers(*size))
        }
        Error::NoSuchSeq { seq, len } => {
            t!("err-no-such-seq", seq = *seq, covers = covers(*len))
        }
        Error::KeyNotOfOrigin { key, origin } => {
            t!(
                "err-key-not-of-origin",
                key = key.as_str(),
                origin = origin.as_str()
            )
        }
        Error::Internal(detail) => t!("err-internal", detail = detail.as_str()),
        Error::MirrorConflict(path) => t!("err-mirror-conflict", path = path.as_str()),
        Error::Integrity(ie) => t!("err-integrity", detail = integrity(ie)),
        Error::DiskFull { context, detail } => t!(
            "err-disk-full",
            context = context.as_str(),
            detail = detail.as_str()
        ),
        Error::NoRoom { context, detail } => t!(
            "err-no-room",
            context = context.as_str(),
            detail = detail.as_str()
        ),
        Error::Problems { problems, omitted } => t!(
            "err-problems",
            count = problems.len() + omitted,
            problems = problems.join("; ")
        ),
        // Free text: the library's words (a rule, an OS error, an input check).
        _ => e.to_string(),
    }
}

/// A refusal of the domain rules, in words.
pub fn refused(r: &Refused) -> String {
    match r {
        Refused::NoPlan => t!("refused-no-plan"),
        Refused::NoSuchItem(id) => t!("refused-no-such-item", id = id.as_str()),
        Refused::ItemWithdrawn(id) => t!("refused-item-withdrawn", id = id.as_str()),
        Refused::ItemExists(id) => t!("refused-item-exists", id = id.as_str()),
        Refused::EarlyPoint { period, earliest } => t!(
            "refused-early-point",
            period = period.as_str(),
            earliest = earliest.as_str()
        ),
        Refused::NewPoint { period, latest, .. } => t!(
            "refused-new-point",
            period = period.as_str(),
            latest = latest.as_str()
        ),
        // The rule's own words.
        _ => r.to_string(),
    }
}

/// The events a tree of `size` events holds: `#0..#359 (360 events)`.
pub fn covers(size: u64) -> String {
    match size {
        0 => t!("covers-none"),
        n => t!("covers", last = n - 1, count = n),
    }
}

/// What recorded an event's hash or an anchor, as the library names it (`event 5`, `the head
/// record`), in words.
fn recorder(by: &str) -> String {
    if let Some(n) = by
        .strip_prefix("event ")
        .and_then(|n| n.parse::<u64>().ok())
    {
        return t!("by-event", seq = n);
    }
    match by {
        "the head record" => t!("by-head-record"),
        "the store's commit record" => t!("by-commit-record"),
        "the `hash` of its export line" => t!("by-export-hash"),
        "the anchor record" => t!("by-anchor-record"),
        "the anchor record signed with the log key" => t!("by-signed-anchor"),
        "the checkpoint signed with the log key" => t!("by-signed-checkpoint"),
        other => other.to_string(),
    }
}

/// Why the history cannot be trusted, in words.
pub fn integrity(e: &IntegrityError) -> String {
    use IntegrityError as I;
    match e {
        I::HashMismatch { seq, recorded_by } => t!(
            "integrity-hash-mismatch",
            seq = *seq,
            by = recorder(recorded_by)
        ),
        I::BrokenLink { seq } => t!(
            "integrity-broken-link",
            seq = *seq,
            prev = seq.wrapping_sub(1)
        ),
        I::BadGenesis => t!("integrity-bad-genesis"),
        I::MissingSeq { expected, detail } => t!(
            "integrity-missing-seq",
            seq = *expected,
            detail = detail.as_str()
        ),
        I::Undecodable { seq, why } => {
            t!("integrity-undecodable", seq = *seq, why = why.as_str())
        }
        I::StoreBehindHead { store, head } => t!(
            "integrity-store-behind-head",
            store = *store,
            head = *head,
            span = hyoka::error::span(*store, *head)
        ),
        I::HeadMismatch { seq } => t!("integrity-head-mismatch", seq = *seq),
        I::HeadRecordDamaged(d) => t!("integrity-head-record-damaged", detail = d.as_str()),
        I::StoreUnreadable(d) => t!("integrity-store-unreadable", detail = d.as_str()),
        I::StoreFileMissing(d) => t!("integrity-store-file-missing", detail = d.as_str()),
        I::RuleBroken { seq, why } => {
            t!("integrity-rule-broken", seq = *seq, why = why.as_str())
        }
        I::SignatureInvalid { seq, why } => {
            t!(
                "integrity-signature-invalid",
                seq = *seq,
                why = why.as_str()
            )
        }
        I::PinnedKeyMismatch { seq, detail } => t!(
            "integrity-pinned-key-mismatch",
            seq = *seq,
            detail = detail.as_str()
        ),
        I::TimeWentBackwards { seq } => t!(
            "integrity-time-went-backwards",
            seq = *seq,
            prev = seq.wrapping_sub(1)
        ),
        I::CheckpointRootMismatch {
            size,
            ledger,
            checkpoint,
        } => t!(
            "integrity-checkpoint-root-mismatch",
            size = *size,
            ledger = ledger.as_str(),
            checkpoint = checkpoint.as_str()
        ),
        I::LedgerShorterThanCheckpoint { ledger, checkpoint } => t!(
            "integrity-ledger-shorter",
            ledger = *ledger,
            checkpoint = *checkpoint,
            span = hyoka::error::span(*ledger, *checkpoint)
        ),
        I::CheckpointOtherOrigin { ledger, checkpoint } => t!(
            "integrity-checkpoint-other-origin",
            ledger = ledger.as_str(),
            checkpoint = checkpoint.as_str()
        ),
        I::CheckpointBadSignature { key } => {
            t!("integrity-checkpoint-bad-signature", key = key.as_str())
        }
        I::CheckpointNotSignedByKey { key } => {
            t!("integrity-checkpoint-not-signed", key = key.as_str())
        }
        I::SignedCheckpointDamaged(d) => {
            t!("integrity-signed-checkpoint-damaged", detail = d.as_str())
        }
        I::ExportLineDamaged { line, why } => t!(
            "integrity-export-line-damaged",
            line = *line,
            why = why.as_str()
        ),
        I::ExportFieldMismatch { seq, field } => t!(
            "integrity-export-field-mismatch",
            seq = *seq,
            field = field.as_str()
        ),
        I::ExportShorterThanCheckpoint { export, checkpoint } => t!(
            "integrity-export-shorter",
            export = *export,
            checkpoint = *checkpoint,
            span = hyoka::error::span(*export, *checkpoint)
        ),
        I::EventNotInCheckpoint { seq, size } => t!(
            "integrity-event-not-in-checkpoint",
            seq = *seq,
            covers = covers(*size)
        ),
        I::ProofInvalid(d) => t!("integrity-proof-invalid", detail = d.as_str()),
        I::IndexMismatch { detail } => {
            t!("integrity-index-mismatch", detail = detail.as_str())
        }
        I::SnapshotMismatch { seq, detail } => t!(
            "integrity-snapshot-mismatch",
            seq = *seq,
            detail = detail.as_str()
        ),
        I::JournalLost(d) => t!("integrity-journal-lost", detail = d.as_str()),
        I::AnchoredEventsMissing {
            ledger,
            anchored,
            by,
        } => t!(
            "integrity-anchored-events-missing",
            ledger = *ledger,
            span = hyoka::error::span(*ledger, *anchored),
            anchored = *anchored,
            by = recorder(by)
        ),
        I::AnchorRootMismatch { size, by } => {
            t!(
                "integrity-anchor-root-mismatch",
                size = *size,
                by = recorder(by)
            )
        }
        I::AnchorRecordDamaged(d) => t!("integrity-anchor-record-damaged", detail = d.as_str()),
        I::LogKeyDamaged(d) => t!("integrity-log-key-damaged", detail = d.as_str()),
        I::MirrorFileMissing { path } => {
            t!("integrity-mirror-file-missing", path = path.as_str())
        }
        I::MirrorFileMismatch { path, first_seq } => t!(
            "integrity-mirror-file-mismatch",
            path = path.as_str(),
            seq = *first_seq
        ),
        I::MirrorBundleDamaged { path, why } => t!(
            "integrity-mirror-bundle-damaged",
            path = path.as_str(),
            detail = why.as_str()
        ),
        I::MirrorEntryMismatch { seq, path } => t!(
            "integrity-mirror-entry-mismatch",
            seq = *seq,
            path = path.as_str()
        ),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::i18n::{Lang, in_lang};
    use super::*;
    use std::path::PathBuf;

    /// One error of each kind worded here.
    fn every_kind() -> Vec<Error> {
        use IntegrityError as I;
        let integrity = vec![
            I::HashMismatch {
                seq: 4,
                recorded_by: "event 5".into(),
            },
            I::HashMismatch {
                seq: 4,
                recorded_by: "the head record".into(),
            },
            I::BrokenLink { seq: 7 },
            I::BadGenesis,
            I::MissingSeq {
                expected: 3,
                detail: "found 5".into(),
            },
            I::Undecodable {
                seq: 2,
                why: "bad tag".into(),
            },
            I::StoreBehindHead { store: 3, head: 5 },
            I::HeadMismatch { seq: 9 },
            I::HeadRecordDamaged("short".into()),
            I::StoreUnreadable("x".into()),
            I::StoreFileMissing("blob 3".into()),
            I::RuleBroken {
                seq: 1,
                why: "no plan".into(),
            },
            I::SignatureInvalid {
                seq: 1,
                why: "forged".into(),
            },
            I::PinnedKeyMismatch {
                seq: 1,
                detail: "another key".into(),
            },
            I::TimeWentBackwards { seq: 8 },
            I::CheckpointRootMismatch {
                size: 3,
                ledger: "aa".into(),
                checkpoint: "bb".into(),
            },
            I::LedgerShorterThanCheckpoint {
                ledger: 3,
                checkpoint: 9,
            },
            I::CheckpointOtherOrigin {
                ledger: "a/b".into(),
                checkpoint: "c/d".into(),
            },
            I::CheckpointBadSignature { key: "k+1".into() },
            I::CheckpointNotSignedByKey { key: "k+1".into() },
            I::SignedCheckpointDamaged("cut".into()),
            I::ExportLineDamaged {
                line: 4,
                why: "not JSON".into(),
            },
            I::ExportFieldMismatch {
                seq: 4,
                field: "author".into(),
            },
            I::ExportShorterThanCheckpoint {
                export: 3,
                checkpoint: 4,
            },
            I::EventNotInCheckpoint { seq: 9, size: 360 },
            I::EventNotInCheckpoint { seq: 9, size: 1 },
            I::EventNotInCheckpoint { seq: 9, size: 0 },
            I::ProofInvalid("root".into()),
            I::IndexMismatch {
                detail: "item 3".into(),
            },
            I::SnapshotMismatch {
                seq: 65535,
                detail: "x".into(),
            },
            I::JournalLost("gone".into()),
            I::AnchoredEventsMissing {
                ledger: 3,
                anchored: 5,
                by: "the anchor record".into(),
            },
            I::AnchorRootMismatch {
                size: 5,
                by: "the checkpoint signed with the log key".into(),
            },
            I::AnchorRecordDamaged("x".into()),
            I::LogKeyDamaged("x".into()),
            I::MirrorFileMissing {
                path: "tile/0/000".into(),
            },
            I::MirrorFileMismatch {
                path: "tile/1/000".into(),
                first_seq: 0,
            },
            I::MirrorBundleDamaged {
                path: "events/000.p/7".into(),
                why: "x".into(),
            },
            I::MirrorEntryMismatch {
                seq: 3,
                path: "tile/entries/000.p/7".into(),
            },
        ];
        let mut out = vec![
            Error::NotInitialised(PathBuf::from("l")),
            Error::AlreadyInitialised(PathBuf::from("l")),
            Error::Busy(PathBuf::from("l"), hyoka::os::lock::Holders::Unknown),
            Error::Refused(Refused::NoPlan),
            Error::Refused(Refused::NoSuchItem(999.into())),
            Error::Refused(Refused::ItemWithdrawn(4.into())),
            Error::Refused(Refused::ItemExists(4.into())),
            Error::Refused(Refused::EarlyPoint {
                period: "平成9年度上半期".into(),
                earliest: "平成26年度上半期".into(),
            }),
            Error::Refused(Refused::NewPoint {
                period: "令和7年度上半期".into(),
                latest: "平成27年度上半期".into(),
                next: "平成27年度末".into(),
            }),
            Error::RefusedAt {
                line: 9,
                refused: Refused::NoSuchItem(4.into()),
            },
            Error::NotInCheckpoint {
                seq: 400,
                size: 360,
            },
            Error::NoSuchSeq { seq: 9, len: 3 },
            Error::KeyNotOfOrigin {
                key: "a".into(),
                origin: "b".into(),
            },
            Error::Internal("no state".into()),
            Error::MirrorConflict("tile/0/000".into()),
            Error::DiskFull {
                context: "writing".into(),
                detail: "0 bytes free".into(),
            },
            Error::NoRoom {
                context: "import".into(),
                detail: "needs 5 MiB".into(),
            },
            Error::Problems {
                problems: vec!["line 5: 評価 `Z`".into(), "line 6: 評価 `Y`".into()],
                omitted: 3,
            },
        ];
        out.extend(integrity.into_iter().map(Error::Integrity));
        out
    }

    /// In English the words are the library's own, so that an embedder and the command line say the
    /// same.
    #[test]
    fn the_english_is_the_libraries() {
        in_lang(Lang::En, || {
            for e in every_kind() {
                assert_eq!(error(&e), e.to_string(), "{e:?}");
            }
        });
    }

    /// In Japanese every kind has its own words (no English sentence is left but the data).
    #[test]
    fn every_kind_is_worded_in_japanese() {
        in_lang(Lang::Ja, || {
            for e in every_kind() {
                let ja = error(&e);
                assert_ne!(ja, e.to_string(), "{e:?}");
                assert!(
                    ja.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)),
                    "{e:?}: {ja}"
                );
            }
            assert_eq!(
                error(&Error::Refused(Refused::NoSuchItem(999.into()))),
                "項目 999 はありません"
            );
            assert_eq!(covers(360), "#0..#359 (360 イベント)");
        });
    }
}
