//! The library's typed words about files, in the chosen language: what it was doing when the operating
//! system failed ([`IoDoing`]), how much room a write needs ([`Room`]), and what is wrong with the
//! ledger's own files (the head record, the anchor record, the log key, the store and its journal). The
//! English is the library's own `Display`, checked by a test.

use std::io;
use std::path::Path;

use hyoka::error::{
    AnchorDamage, HeadDamage, IoDoing, JournalDoing, LogKeyDamage, LowSpace, Room, SeqFound,
};
use hyoka::os::safe_fs::LinkRefused;
use hyoka::store::{AfterBadRecord, EngineDamage, JournalLoss, Loss, StoreDamage};

use super::i18n::t;

fn p(path: &Path) -> String {
    path.display().to_string()
}

/// What the library was doing, in words.
pub fn io_doing(d: &IoDoing) -> String {
    match d {
        IoDoing::Open(path) => t!("io-open", path = p(path)),
        IoDoing::Lock(path) => t!("io-lock", path = p(path)),
        IoDoing::Create(path) => t!("io-create", path = p(path)),
        IoDoing::CreateDirIn(path) => t!("io-create-dir-in", path = p(path)),
        IoDoing::Read(path) => t!("io-read", path = p(path)),
        IoDoing::Write(path) => t!("io-write", path = p(path)),
        IoDoing::Sync(path) => t!("io-sync", path = p(path)),
        IoDoing::MoveAside(path) => t!("io-move-aside", path = p(path)),
        IoDoing::RenameRestored(path) => t!("io-rename-restored", path = p(path)),
        IoDoing::OpenStore(path) => t!("io-open-store", path = p(path)),
        IoDoing::ReadStore(path) => t!("io-read-store", path = p(path)),
        IoDoing::WriteStore(path) => t!("io-write-store", path = p(path)),
        IoDoing::WriteHead(path) => t!("io-write-head", path = p(path)),
        IoDoing::CopyLedger(path) => t!("io-copy-ledger", path = p(path)),
        IoDoing::CopyToRead(path) => t!("io-copy-to-read", path = p(path)),
        IoDoing::FreeSpace(path) => t!("io-free-space", path = p(path)),
        IoDoing::Import { file, into } => {
            t!("io-import", file = file.as_str(), path = p(into))
        }
        IoDoing::StartVerifyThread => t!("io-start-verify-thread"),
        IoDoing::ReadExport => t!("io-read-export"),
        IoDoing::WriteExport => t!("io-write-export"),
        IoDoing::ReadMirror => t!("io-read-mirror"),
        IoDoing::WriteMirror => t!("io-write-mirror"),
        IoDoing::WriteMirrorCheckpoint => t!("io-write-mirror-checkpoint"),
        IoDoing::CreateMirrorDir => t!("io-create-mirror-dir"),
        IoDoing::ReadMirrorDir => t!("io-read-mirror-dir"),
        IoDoing::CreateMirrorSubdir => t!("io-create-mirror-subdir"),
        IoDoing::Journal { doing, path } => {
            let path = path
                .as_deref()
                .map_or_else(String::new, |x| format!(" {}", p(x)));
            match doing {
                JournalDoing::Open => t!("io-journal-open", path = path),
                JournalDoing::Read => t!("io-journal-read", path = path),
                JournalDoing::Write => t!("io-journal-write", path = path),
                JournalDoing::Create => t!("io-journal-create", path = path),
                JournalDoing::Sync => t!("io-journal-sync", path = path),
                JournalDoing::KeepCut => t!("io-journal-keep-cut", path = path),
                JournalDoing::Cut => t!("io-journal-cut", path = path),
                JournalDoing::Header => t!("io-journal-header", path = path),
                JournalDoing::NewGeneration => t!("io-journal-new-generation", path = path),
                JournalDoing::Share => t!("io-journal-share", path = path),
                _ => d.to_string(),
            }
        }
        IoDoing::Said(words) => words.clone(),
        _ => d.to_string(),
    }
}

/// hyoka's own I/O errors carried inside an OS error (a link refused, too little free space), in
/// words; `None` for any other.
pub fn own_io(e: &io::Error) -> Option<String> {
    let inner = e.get_ref()?;
    if let Some(l) = inner.downcast_ref::<LinkRefused>() {
        return Some(match l {
            LinkRefused::InLedger(path) => t!("link-refused-in-ledger", path = p(path)),
            LinkRefused::InMirror(path) => t!("link-refused-in-mirror", path = p(path)),
            _ => l.to_string(),
        });
    }
    if let Some(s) = inner.downcast_ref::<LowSpace>() {
        return Some(low_space(s));
    }
    None
}

fn low_space(s: &LowSpace) -> String {
    t!("low-space", free = s.free_kib, need = s.need_kib)
}

/// How full the disk is (the detail of a full disk).
pub fn disk_full(e: &io::Error) -> String {
    match own_io(e) {
        Some(words) => words,
        None => super::damage::os(e),
    }
}

/// How much room a write needs, in words.
pub fn room(r: &Room) -> String {
    use hyoka::error::mib;
    match r {
        Room::Copy {
            bytes,
            into,
            free,
            margin,
        } => t!(
            "room-copy",
            bytes = *bytes,
            path = p(into),
            free = *free,
            margin = *margin
        ),
        Room::Import {
            events,
            bytes,
            moved,
            snapshots,
            store,
            margin,
            free,
        } => {
            let mut what = t!("room-import-events", events = *events, size = mib(*bytes));
            if *moved > 0 {
                what.push_str(&t!("room-import-moved", moved = *moved));
            }
            if *snapshots > 0 {
                what.push_str(&t!("room-import-snapshots", snapshots = *snapshots));
            }
            t!(
                "room-import",
                what = what,
                store = mib(*store),
                margin = mib(*margin),
                need = mib(store.saturating_add(*margin)),
                free = mib(*free)
            )
        }
        _ => r.to_string(),
    }
}

/// What is wrong with the head record.
pub fn head_damage(d: &HeadDamage) -> String {
    match d {
        HeadDamage::Missing => t!("head-missing"),
        HeadDamage::TooBig(max) => t!("damage-too-big", max = *max),
        HeadDamage::NotUtf8 => t!("damage-not-utf8"),
        HeadDamage::NoCheckLine => t!("head-no-check-line"),
        HeadDamage::Checksum => t!("head-checksum"),
        HeadDamage::UnknownFormat => t!("head-unknown-format"),
        HeadDamage::NoEventCount => t!("head-no-event-count"),
        HeadDamage::NoHash => t!("head-no-hash"),
        HeadDamage::NoAnchoringLine => t!("head-no-anchoring-line"),
        HeadDamage::LineAfter => t!("head-line-after"),
        _ => d.to_string(),
    }
}

/// What is wrong with the anchor record.
pub fn anchor_damage(d: &AnchorDamage) -> String {
    match d {
        AnchorDamage::TooBig(max) => t!("damage-too-big", max = *max),
        AnchorDamage::Length { found, expected } => {
            t!("anchor-length", found = *found, expected = *expected)
        }
        AnchorDamage::NoValidRecord => t!("anchor-no-valid-record"),
        AnchorDamage::Missing => t!("anchor-missing"),
        AnchorDamage::CounterAtEnd => t!("anchor-counter-at-end"),
        _ => d.to_string(),
    }
}

/// What is wrong with the log key file.
pub fn log_key_damage(d: &LogKeyDamage) -> String {
    match &d.why {
        None => t!("log-key-not-utf8", path = p(&d.path)),
        Some(e) => t!(
            "log-key-malformed",
            path = p(&d.path),
            why = super::damage::note_error(e)
        ),
    }
}

fn after_bad_record(a: AfterBadRecord) -> String {
    match a {
        AfterBadRecord::WholeRecords => t!("after-bad-whole-records"),
        AfterBadRecord::TooManyBytes => t!("after-bad-too-many-bytes"),
        AfterBadRecord::Changed => t!("after-bad-changed"),
        _ => a.to_string(),
    }
}

fn engine_damage(d: &EngineDamage) -> String {
    match d {
        EngineDamage::BlobGone => t!("engine-blob-gone"),
        EngineDamage::DbGone => t!("engine-db-gone"),
        EngineDamage::CutShort(not_a_file) => match not_a_file {
            true => t!("engine-not-a-file"),
            false => t!("engine-cut-short"),
        },
        EngineDamage::Checksum => t!("engine-checksum"),
        EngineDamage::Unrecognised => t!("engine-unrecognised"),
        EngineDamage::PartMissing => t!("engine-part-missing"),
        EngineDamage::Failed(m) => t!("engine-failed", why = m.as_str()),
        EngineDamage::Crashed(m) => t!("engine-crashed", why = m.as_str()),
        EngineDamage::CrashedOpening => t!("engine-crashed-opening"),
        _ => d.to_string(),
    }
}

fn opt_path(path: Option<&Path>) -> String {
    path.map_or_else(String::new, |x| format!(" {}", p(x)))
}

/// What is wrong with the store, in words.
pub fn store_damage(d: &StoreDamage) -> String {
    use StoreDamage as S;
    match d {
        S::Engine { doing, why } => t!(
            "store-engine",
            doing = io_doing(doing),
            why = engine_damage(why)
        ),
        S::JournalRecordFails { path, at, then } => t!(
            "store-journal-record-fails",
            path = opt_path(path.as_deref()),
            at = *at,
            then = after_bad_record(*then)
        ),
        S::JournalRecordMalformed { path, at } => t!(
            "store-journal-record-malformed",
            path = opt_path(path.as_deref()),
            at = *at
        ),
        S::JournalTooBig { path, size } => {
            t!("store-journal-too-big", path = p(path), size = *size)
        }
        S::JournalDiffers { first, last } => {
            t!("store-journal-differs", first = *first, last = *last)
        }
        S::JournalAfterGap { first, store_ends } => t!(
            "store-journal-after-gap",
            first = *first,
            ends = *store_ends
        ),
        S::JournalStuck { why, path } => {
            t!("store-journal-stuck", why = why.as_str(), path = p(path))
        }
        S::JournalRecordTooLarge { field } => match field {
            true => t!("store-journal-field-too-large"),
            false => t!("store-journal-record-too-large"),
        },
        S::SnapshotKeyMalformed => t!("store-snapshot-key-malformed"),
        S::EventChunkMalformed { first, last } => {
            t!("store-event-chunk-malformed", first = *first, last = *last)
        }
        S::EventsMissing { first, last } => {
            t!("store-events-missing", first = *first, last = *last)
        }
        S::EventMissing(seq) => t!("store-event-missing", seq = *seq),
        S::GenerationRecord(len) => t!("store-generation-record", len = *len),
        S::NoGenerationRecord => t!("store-no-generation-record"),
        S::ItemIndexMalformed(item) => t!("store-item-index-malformed", item = *item),
        S::IndexRecordMalformed => t!("store-index-record-malformed"),
        S::SnapshotPieceMissing { piece, after } => {
            t!("store-snapshot-piece-missing", piece = *piece, seq = *after)
        }
        S::CommitRecord => t!("store-commit-record"),
        S::TreeHashMissing(i) => t!("store-tree-hash-missing", index = *i),
        S::TreeHashNotWritten(i) => t!("store-tree-hash-not-written", index = *i),
        S::TreeChunkMissing(c) => t!("store-tree-chunk-missing", chunk = *c),
        S::OpenChunkMissing(first) => t!("store-open-chunk-missing", first = *first),
        S::OpenEventChunkMalformed => t!("store-open-event-chunk-malformed"),
        S::OpenTreeChunkShort => t!("store-open-tree-chunk-short"),
        S::SnapshotUnwritable(why) => t!("store-snapshot-unwritable", why = why.as_str()),
        S::SnapshotTooLarge => t!("store-snapshot-too-large"),
        S::EventTooLarge => t!("store-event-too-large"),
        S::Other(why) => why.clone(),
        S::ReaderStopped(why) => t!("store-reader-stopped", why = why.as_str()),
        S::TreeDiffers => t!("store-tree-differs"),
        S::Tree(e) => t!("store-tree", why = super::damage::merkle(e)),
        S::TreeNotConsistent { size, why } => t!(
            "store-tree-not-consistent",
            size = *size,
            why = super::damage::merkle(why)
        ),
        _ => d.to_string(),
    }
}

/// How a journal shows that events are lost, in words.
pub fn journal_loss(l: &JournalLoss) -> String {
    let path = p(&l.path);
    match &l.why {
        Loss::TooFar { found, recorded } => t!(
            "loss-too-far",
            path = path,
            found = *found,
            recorded = *recorded
        ),
        Loss::Replaced { found, recorded } => t!(
            "loss-replaced",
            path = path,
            found = *found,
            recorded = *recorded
        ),
        Loss::Missing { recorded, after } => t!(
            "loss-missing",
            path = path,
            recorded = *recorded,
            after = *after
        ),
        Loss::Empty { recorded, after } => t!(
            "loss-empty",
            path = path,
            recorded = *recorded,
            after = *after
        ),
        Loss::Overwritten { recorded, after } => t!(
            "loss-overwritten",
            path = path,
            recorded = *recorded,
            after = *after
        ),
        Loss::Unrecorded(found) => t!("loss-unrecorded", path = path, found = *found),
        Loss::BadHeader => t!("loss-bad-header", path = path),
        Loss::LeftBehind { generation, from } => t!(
            "loss-left-behind",
            path = path,
            generation = *generation,
            from = *from
        ),
        _ => l.to_string(),
    }
}

/// What was found where an event was expected, in words.
pub fn seq_found(f: &SeqFound) -> String {
    match f {
        SeqFound::Elsewhere { found, belongs } => {
            t!("seq-found-elsewhere", found = *found, belongs = *belongs)
        }
        SeqFound::AtPosition { found, position } => {
            t!(
                "seq-found-at-position",
                found = *found,
                position = *position
            )
        }
        SeqFound::Store(d) => store_damage(d),
        _ => f.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::errors::tests::english_run;
    use super::super::i18n::{Lang, in_lang};
    use super::*;
    use hyoka::tlog::merkle::MerkleError;
    use hyoka::tlog::note::NoteError;
    use std::path::PathBuf;

    fn path() -> PathBuf {
        PathBuf::from("city/ledger/store")
    }

    fn every_journal_doing() -> Vec<JournalDoing> {
        use JournalDoing as J;
        vec![
            J::Open,
            J::Read,
            J::Write,
            J::Create,
            J::Sync,
            J::KeepCut,
            J::Cut,
            J::Header,
            J::NewGeneration,
            J::Share,
        ]
    }

    fn every_io_doing() -> Vec<IoDoing> {
        use IoDoing as D;
        let mut out = vec![
            D::Open(path()),
            D::Lock(path()),
            D::Create(path()),
            D::CreateDirIn(path()),
            D::Read(path()),
            D::Write(path()),
            D::Sync(path()),
            D::MoveAside(path()),
            D::RenameRestored(path()),
            D::OpenStore(path()),
            D::ReadStore(path()),
            D::WriteStore(path()),
            D::WriteHead(path()),
            D::CopyLedger(path()),
            D::CopyToRead(path()),
            D::FreeSpace(path()),
            D::Import {
                file: "sheet.csv".into(),
                into: path(),
            },
            D::StartVerifyThread,
            D::ReadExport,
            D::WriteExport,
            D::ReadMirror,
            D::WriteMirror,
            D::WriteMirrorCheckpoint,
            D::CreateMirrorDir,
            D::ReadMirrorDir,
            D::CreateMirrorSubdir,
            D::Said("取得できません".into()),
        ];
        out.extend(every_journal_doing().into_iter().map(|doing| D::Journal {
            doing,
            path: Some(path().join("JOURNAL")),
        }));
        out.push(D::Journal {
            doing: JournalDoing::Read,
            path: None,
        });
        out
    }

    fn every_engine_damage() -> Vec<EngineDamage> {
        use EngineDamage as E;
        vec![
            E::BlobGone,
            E::DbGone,
            E::CutShort(true),
            E::CutShort(false),
            E::Checksum,
            E::Unrecognised,
            E::PartMissing,
            E::Failed("x".into()),
            E::Crashed("x".into()),
            E::CrashedOpening,
        ]
    }

    fn every_after_bad_record() -> Vec<AfterBadRecord> {
        vec![
            AfterBadRecord::WholeRecords,
            AfterBadRecord::TooManyBytes,
            AfterBadRecord::Changed,
        ]
    }

    fn every_store_damage() -> Vec<StoreDamage> {
        use StoreDamage as S;
        let mut out: Vec<StoreDamage> = every_engine_damage()
            .into_iter()
            .map(|why| S::Engine {
                doing: IoDoing::ReadStore(path()),
                why,
            })
            .collect();
        for then in every_after_bad_record() {
            for p in [None, Some(path().join("JOURNAL"))] {
                out.push(S::JournalRecordFails {
                    path: p,
                    at: 64,
                    then,
                });
            }
        }
        out.extend([
            S::JournalRecordMalformed {
                path: Some(path().join("JOURNAL")),
                at: 64,
            },
            S::JournalTooBig {
                path: path().join("JOURNAL"),
                size: 1 << 40,
            },
            S::JournalDiffers { first: 3, last: 9 },
            S::JournalAfterGap {
                first: 12,
                store_ends: 10,
            },
            S::JournalStuck {
                why: "x".into(),
                path: path().join("JOURNAL"),
            },
            S::JournalRecordTooLarge { field: true },
            S::JournalRecordTooLarge { field: false },
            S::SnapshotKeyMalformed,
            S::EventChunkMalformed { first: 0, last: 63 },
            S::EventsMissing { first: 0, last: 63 },
            S::EventMissing(7),
            S::GenerationRecord(3),
            S::NoGenerationRecord,
            S::ItemIndexMalformed(12),
            S::IndexRecordMalformed,
            S::SnapshotPieceMissing { piece: 1, after: 5 },
            S::CommitRecord,
            S::TreeHashMissing(4),
            S::TreeHashNotWritten(4),
            S::TreeChunkMissing(2),
            S::OpenChunkMissing(64),
            S::OpenEventChunkMalformed,
            S::OpenTreeChunkShort,
            S::SnapshotUnwritable("x".into()),
            S::SnapshotTooLarge,
            S::EventTooLarge,
            S::Other("x".into()),
            S::ReaderStopped("x".into()),
            S::TreeDiffers,
            S::Tree(MerkleError::RootMismatch),
            S::TreeNotConsistent {
                size: 360,
                why: MerkleError::RootMismatch,
            },
        ]);
        out
    }

    fn every_loss() -> Vec<Loss> {
        vec![
            Loss::TooFar {
                found: 9,
                recorded: 2,
            },
            Loss::Replaced {
                found: 1,
                recorded: 2,
            },
            Loss::Missing {
                recorded: 2,
                after: 359,
            },
            Loss::Empty {
                recorded: 2,
                after: 359,
            },
            Loss::Overwritten {
                recorded: 2,
                after: 359,
            },
            Loss::Unrecorded(3),
            Loss::BadHeader,
            Loss::LeftBehind {
                generation: 2,
                from: 360,
            },
        ]
    }

    fn every_head_damage() -> Vec<HeadDamage> {
        use HeadDamage as H;
        vec![
            H::Missing,
            H::TooBig(4096),
            H::NotUtf8,
            H::NoCheckLine,
            H::Checksum,
            H::UnknownFormat,
            H::NoEventCount,
            H::NoHash,
            H::NoAnchoringLine,
            H::LineAfter,
        ]
    }

    fn every_anchor_damage() -> Vec<AnchorDamage> {
        vec![
            AnchorDamage::TooBig(8192),
            AnchorDamage::Length {
                found: 10,
                expected: 8192,
            },
            AnchorDamage::NoValidRecord,
            AnchorDamage::Missing,
            AnchorDamage::CounterAtEnd,
        ]
    }

    fn every_room() -> Vec<Room> {
        let import = |moved, snapshots| Room::Import {
            events: 30000,
            bytes: 5 << 20,
            moved,
            snapshots,
            store: 9 << 20,
            margin: 16 << 20,
            free: 1 << 20,
        };
        vec![
            Room::Copy {
                bytes: 1000,
                into: path(),
                free: 10,
                margin: 24 << 20,
            },
            import(0, 0),
            import(12, 0),
            import(0, 2),
            import(12, 2),
        ]
    }

    /// How many variants (`#[error]` lines) `enum name` declares in `source`.
    fn declared(source: &str, name: &str) -> usize {
        source
            .split(&format!("pub enum {name} "))
            .nth(1)
            .and_then(|rest| rest.split("\n}\n").next())
            .map_or(0, |body| {
                body.lines()
                    .filter(|l| l.starts_with("    #[error"))
                    .count()
            })
    }

    fn distinct<T>(samples: &[T]) -> usize {
        samples
            .iter()
            .map(std::mem::discriminant)
            .collect::<std::collections::HashSet<_>>()
            .len()
    }

    #[test]
    fn every_variant_has_a_sample() {
        let error = include_str!("../error.rs");
        let store = include_str!("../store/damage.rs");
        let cases = [
            (
                distinct(&every_io_doing()),
                declared(error, "IoDoing"),
                "IoDoing",
            ),
            (
                distinct(&every_journal_doing()),
                declared(error, "JournalDoing"),
                "JournalDoing",
            ),
            (distinct(&every_room()), declared(error, "Room"), "Room"),
            (
                distinct(&every_head_damage()),
                declared(error, "HeadDamage"),
                "HeadDamage",
            ),
            (
                distinct(&every_anchor_damage()),
                declared(error, "AnchorDamage"),
                "AnchorDamage",
            ),
            (
                distinct(&every_store_damage()),
                declared(store, "StoreDamage"),
                "StoreDamage",
            ),
            (
                distinct(&every_engine_damage()),
                declared(store, "EngineDamage"),
                "EngineDamage",
            ),
            (
                distinct(&every_after_bad_record()),
                declared(store, "AfterBadRecord"),
                "AfterBadRecord",
            ),
            (distinct(&every_loss()), declared(store, "Loss"), "Loss"),
        ];
        for (samples, declared, name) in cases {
            assert!(declared > 1, "{name}: no variants found in its source");
            assert_eq!(samples, declared, "a variant of {name} has no sample");
        }
    }

    /// Every typed context and damage: its English is the library's `Display`; its Japanese differs
    /// and holds no run of three English words (the data only).
    #[test]
    fn english_is_the_libraries_and_japanese_has_no_english() {
        let mut samples: Vec<(String, Box<dyn Fn() -> String>)> = Vec::new();
        for d in every_io_doing() {
            if matches!(d, IoDoing::Said(_)) {
                continue;
            }
            samples.push((d.to_string(), Box::new(move || io_doing(&d))));
        }
        for r in every_room() {
            samples.push((r.to_string(), Box::new(move || room(&r))));
        }
        for h in every_head_damage() {
            samples.push((h.to_string(), Box::new(move || head_damage(&h))));
        }
        for a in every_anchor_damage() {
            samples.push((a.to_string(), Box::new(move || anchor_damage(&a))));
        }
        for d in every_store_damage() {
            if matches!(d, StoreDamage::Other(_)) {
                continue;
            }
            samples.push((d.to_string(), Box::new(move || store_damage(&d))));
        }
        for why in every_loss() {
            let l = JournalLoss {
                path: path().join("JOURNAL"),
                why,
            };
            samples.push((l.to_string(), Box::new(move || journal_loss(&l))));
        }
        for why in [None, Some(NoteError::NoSignatures)] {
            let d = LogKeyDamage {
                path: path().join("LOGKEY"),
                why,
            };
            samples.push((d.to_string(), Box::new(move || log_key_damage(&d))));
        }
        for f in [
            SeqFound::Elsewhere {
                found: 5,
                belongs: 3,
            },
            SeqFound::AtPosition {
                found: 5,
                position: 3,
            },
            SeqFound::Store(StoreDamage::EventMissing(3)),
        ] {
            samples.push((f.to_string(), Box::new(move || seq_found(&f))));
        }
        for l in [
            LinkRefused::InLedger(path().join("conf")),
            LinkRefused::InMirror(path().join("tile")),
        ] {
            let e = io::Error::other(l.clone());
            samples.push((l.to_string(), Box::new(move || disk_full(&e))));
        }
        let low = LowSpace {
            free_kib: 10,
            need_kib: 16384,
        };
        let e = io::Error::new(io::ErrorKind::StorageFull, low);
        samples.push((low.to_string(), Box::new(move || disk_full(&e))));
        for (english, words) in &samples {
            assert_eq!(&in_lang(Lang::En, words), english);
            let ja = in_lang(Lang::Ja, words);
            assert_ne!(&ja, english, "{english}");
            assert!(english_run(&ja).is_none(), "{english} → {ja}");
        }
    }
}
