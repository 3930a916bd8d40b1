//! Errors of the library, one type per area below the front ends, each variant carrying data: what is
//! wrong and where, in one line. What to do next (a command, a flag) is the front end's to add, by kind.

use std::path::PathBuf;

use crate::domain::event::{DecodeError, EncodeError};
use crate::domain::state::Refused;
use crate::store::{JournalLoss, StoreDamage, StoreError};
use crate::tlog::checkpoint::CheckpointError;
use crate::tlog::merkle::MerkleError;
use crate::tlog::note::NoteError;
use crate::tlog::proof_text::TlogProofError;

/// Why the history of a ledger cannot be trusted. The CLI exits with a code reserved for these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IntegrityError {
    /// An event's bytes no longer hash to what its successor (or the head record) recorded.
    #[error(
        "event {seq}: hash mismatch: its stored bytes no longer hash to what {recorded_by} recorded"
    )]
    HashMismatch {
        /// The first event whose bytes changed.
        seq: u64,
        /// `event N+1` or `the head record`.
        recorded_by: String,
    },
    /// An event does not link to its predecessor.
    #[error("event {seq}: broken link: it does not record the hash of event {prev}", prev = seq.wrapping_sub(1))]
    BrokenLink {
        /// The event with the wrong link.
        seq: u64,
    },
    /// The first event does not start the chain.
    #[error("event 0: broken link: the first event must record a zero previous hash")]
    BadGenesis,
    /// An event is missing, or events are out of order.
    #[error("event {expected}: missing seq: {detail}")]
    MissingSeq {
        /// The seq that should be next.
        expected: u64,
        /// What was found instead.
        detail: SeqFound,
    },
    /// Stored bytes are not a valid event.
    #[error("event {seq}: undecodable bytes: {why}")]
    Undecodable {
        /// The event.
        seq: u64,
        /// The decoder's complaint.
        why: DecodeError,
    },
    /// The store has fewer events than its independent head record says were acknowledged.
    #[error(
        "the store is behind its head record: it holds {store} events but {head} were acknowledged ({} lost)",
        span(*.store, *.head)
    )]
    StoreBehindHead {
        /// Events in the store.
        store: u64,
        /// Events acknowledged.
        head: u64,
    },
    /// The store's head differs from the head record at the same length.
    #[error("event {seq}: the store's head hash differs from the head record's")]
    HeadMismatch {
        /// The last event.
        seq: u64,
    },
    /// The head record itself is missing or damaged.
    #[error("the head record is damaged: {0}")]
    HeadRecordDamaged(HeadDamage),
    /// The storage engine cannot read its files.
    #[error("the store is unreadable: {0}")]
    StoreUnreadable(StoreDamage),
    /// A file inside the store is gone (deleted or lost), e.g. one of the storage engine's blob files.
    #[error("the store is missing a file: {0}")]
    StoreFileMissing(StoreDamage),
    /// An event breaks a domain rule it passed when it was written.
    #[error("event {seq}: breaks a rule of the ledger: {why}")]
    RuleBroken {
        /// The event.
        seq: u64,
        /// The rule.
        why: Refused,
    },
    /// An event of a ledger with people whose signature is missing, malformed or not by its author's
    /// current key (forged, or altered after it was signed).
    #[error("event {seq}: bad signature: {why}")]
    SignatureInvalid {
        /// The event.
        seq: u64,
        /// What is wrong.
        why: String,
    },
    /// The ledger's people begin with a log key and administrator other than the key given to check
    /// against: the history was replaced from its start by someone without that key.
    #[error("event {seq}: {detail}")]
    PinnedKeyMismatch {
        /// The `people.enabled` event.
        seq: u64,
        /// What differs.
        detail: String,
    },
    /// Recorded times go backwards.
    #[error("event {seq}: recorded earlier than event {prev}", prev = seq.wrapping_sub(1))]
    TimeWentBackwards {
        /// The event.
        seq: u64,
    },
    /// A checkpoint's tree differs from the ledger's tree of the same size: the history it covers changed.
    #[error(
        "checkpoint mismatch: the checkpoint's tree of {size} events has root {checkpoint}, but the ledger's first {size} events have root {ledger}: history the checkpoint covers was rewritten"
    )]
    CheckpointRootMismatch {
        /// The checkpoint's tree size.
        size: u64,
        /// The ledger's root at that size (hex).
        ledger: String,
        /// The checkpoint's root (hex).
        checkpoint: String,
    },
    /// The ledger has fewer events than a checkpoint of it covers.
    #[error(
        "the ledger is shorter than the checkpoint: it holds {ledger} events but the checkpoint covers {checkpoint} ({} missing: a truncated ledger or an older copy)",
        span(*.ledger, *.checkpoint)
    )]
    LedgerShorterThanCheckpoint {
        /// Events in the ledger.
        ledger: u64,
        /// The checkpoint's tree size.
        checkpoint: u64,
    },
    /// A checkpoint names another log.
    #[error(
        "the checkpoint is of another ledger: its origin is {checkpoint}, this ledger's is {ledger}"
    )]
    CheckpointOtherOrigin {
        /// This ledger's origin.
        ledger: String,
        /// The checkpoint's origin.
        checkpoint: String,
    },
    /// A checkpoint's signature by the given key does not verify.
    #[error(
        "bad checkpoint signature: the signature by {key} does not verify (the checkpoint was altered or forged)"
    )]
    CheckpointBadSignature {
        /// The key (name+id).
        key: String,
    },
    /// A checkpoint carries no signature by the given key.
    #[error("the checkpoint has no signature by the key {key}")]
    CheckpointNotSignedByKey {
        /// The key (name+id).
        key: String,
    },
    /// The record of the last signed checkpoint (`CHECKPOINT` in the ledger directory) is damaged.
    #[error("the last signed checkpoint (the CHECKPOINT file) is damaged: {0}")]
    SignedCheckpointDamaged(CheckpointDamage),
    /// A line of an export is not an export line (schema/export.schema.json).
    #[error("export line {line}: damaged: {why}")]
    ExportLineDamaged {
        /// The 1-based line number.
        line: u64,
        /// What is wrong.
        why: LineDamage,
    },
    /// An export line's decoded fields (or seq, prev, hash) disagree with its stored bytes.
    #[error(
        "event {seq}: the export line's `{field}` does not match its stored bytes (the bytes are what is hashed: the line was edited)"
    )]
    ExportFieldMismatch {
        /// The event.
        seq: u64,
        /// The first field that differs.
        field: String,
    },
    /// An export has fewer events than a checkpoint covers.
    #[error(
        "the export is shorter than the checkpoint: it holds {export} events but the checkpoint covers {checkpoint} ({} missing: a truncated or older export)",
        span(*.export, *.checkpoint)
    )]
    ExportShorterThanCheckpoint {
        /// Events in the export.
        export: u64,
        /// The checkpoint's tree size.
        checkpoint: u64,
    },
    /// An event is not covered by the checkpoint a proof is asked against.
    #[error("event {seq} is not in the checkpoint: it covers {} only", covers(*.size))]
    EventNotInCheckpoint {
        /// The event.
        seq: u64,
        /// The checkpoint's tree size.
        size: u64,
    },
    /// An offline proof (inclusion or consistency) does not verify.
    #[error("the proof does not verify: {0}")]
    ProofInvalid(ProofProblem),
    /// The per-item index (derived data) disagrees with the log; the events themselves are intact.
    #[error(
        "index mismatch: the per-item index is damaged ({detail}); it is derived data and the events are intact"
    )]
    IndexMismatch {
        /// What differs.
        detail: String,
    },
    /// A stored state snapshot (derived data) disagrees with the log; the events themselves are intact.
    #[error(
        "event {seq}: snapshot mismatch: the stored state snapshot after this event is damaged ({detail}); it is derived data and the events are intact"
    )]
    SnapshotMismatch {
        /// The event the snapshot follows.
        seq: u64,
        /// What differs.
        detail: String,
    },
    /// The journal, or events acknowledged in it, are gone (missing, emptied or replaced file).
    #[error("acknowledged events are lost: {0}")]
    JournalLost(JournalLoss),
    /// An anchor (the head record's, or the signed checkpoint) covers events the ledger no longer holds.
    #[error(
        "events {} are missing: {by} records {anchored} events, but the ledger holds {ledger}",
        span(*.ledger, *.anchored)
    )]
    AnchoredEventsMissing {
        /// Events in the ledger.
        ledger: u64,
        /// Events the anchor covers.
        anchored: u64,
        /// Which anchor.
        by: String,
    },
    /// The ledger's tree at an anchor's size has another root than the anchor records.
    #[error(
        "the ledger's first {size} events differ from what {by} records (another Merkle root): history it covers was rewritten"
    )]
    AnchorRootMismatch {
        /// The anchor's tree size.
        size: u64,
        /// Which anchor.
        by: String,
    },
    /// The anchor record file (`ANCHOR`) is damaged, or missing while the ledger anchors.
    #[error("the anchor record (the ANCHOR file) is damaged: {0}")]
    AnchorRecordDamaged(AnchorDamage),
    /// The ledger's log key file (`LOGKEY`) is damaged.
    #[error("the ledger's log key (the LOGKEY file) is damaged: {0}")]
    LogKeyDamaged(LogKeyDamage),
    /// A file a mirror's checkpoint needs is not in the mirror.
    #[error("the mirror has no file {path}, which its checkpoint needs")]
    MirrorFileMissing {
        /// The file's path in the mirror (`tile/0/001`, `checkpoint`).
        path: String,
    },
    /// A tile of a mirror holds other hashes than the tree its events make.
    #[error(
        "the mirror's {path} differs from the tree its events make (from event seq:{first_seq})"
    )]
    MirrorFileMismatch {
        /// The tile's path in the mirror.
        path: String,
        /// The first event the tile covers.
        first_seq: u64,
    },
    /// A bundle of a mirror cannot be read as its kind.
    #[error("the mirror's {path} is damaged: {why}")]
    MirrorBundleDamaged {
        /// The bundle's path in the mirror.
        path: String,
        /// What is wrong with it.
        why: BundleDamage,
    },
    /// An entry of a mirror's entry bundle is not the hash of the event stored for it.
    #[error(
        "event seq:{seq}'s entry in the mirror's {path} is not the hash of the event stored for it"
    )]
    MirrorEntryMismatch {
        /// The event.
        seq: u64,
        /// The entry bundle's path in the mirror.
        path: String,
    },
}

impl IntegrityError {
    /// The first event the failure names, if any.
    pub fn seq(&self) -> Option<u64> {
        match self {
            IntegrityError::HashMismatch { seq, .. }
            | IntegrityError::BrokenLink { seq }
            | IntegrityError::Undecodable { seq, .. }
            | IntegrityError::HeadMismatch { seq }
            | IntegrityError::RuleBroken { seq, .. }
            | IntegrityError::SignatureInvalid { seq, .. }
            | IntegrityError::PinnedKeyMismatch { seq, .. }
            | IntegrityError::TimeWentBackwards { seq } => Some(*seq),
            IntegrityError::MissingSeq { expected, .. } => Some(*expected),
            IntegrityError::BadGenesis => Some(0),
            IntegrityError::StoreBehindHead { store, .. } => Some(*store),
            IntegrityError::LedgerShorterThanCheckpoint { ledger, .. } => Some(*ledger),
            IntegrityError::ExportFieldMismatch { seq, .. }
            | IntegrityError::EventNotInCheckpoint { seq, .. }
            | IntegrityError::SnapshotMismatch { seq, .. } => Some(*seq),
            IntegrityError::IndexMismatch { .. } => None,
            IntegrityError::ExportShorterThanCheckpoint { export, .. } => Some(*export),
            IntegrityError::ExportLineDamaged { .. } | IntegrityError::ProofInvalid(_) => None,
            IntegrityError::AnchoredEventsMissing { ledger, .. } => Some(*ledger),
            IntegrityError::JournalLost(_)
            | IntegrityError::AnchorRootMismatch { .. }
            | IntegrityError::LogKeyDamaged(_)
            | IntegrityError::AnchorRecordDamaged(_) => None,
            IntegrityError::MirrorFileMismatch { first_seq, .. } => Some(*first_seq),
            IntegrityError::MirrorEntryMismatch { seq, .. } => Some(*seq),
            IntegrityError::MirrorFileMissing { .. }
            | IntegrityError::MirrorBundleDamaged { .. } => None,
            IntegrityError::HeadRecordDamaged(_)
            | IntegrityError::StoreUnreadable(_)
            | IntegrityError::StoreFileMissing(_)
            | IntegrityError::CheckpointRootMismatch { .. }
            | IntegrityError::CheckpointOtherOrigin { .. }
            | IntegrityError::CheckpointBadSignature { .. }
            | IntegrityError::CheckpointNotSignedByKey { .. }
            | IntegrityError::SignedCheckpointDamaged(_) => None,
        }
    }

    /// A stable machine name of the failure (used in JSON output).
    pub fn kind(&self) -> &'static str {
        match self {
            IntegrityError::HashMismatch { .. } => "hash_mismatch",
            IntegrityError::BrokenLink { .. } | IntegrityError::BadGenesis => "broken_link",
            IntegrityError::MissingSeq { .. } => "missing_seq",
            IntegrityError::Undecodable { .. } => "undecodable",
            IntegrityError::StoreBehindHead { .. } => "store_behind_head",
            IntegrityError::HeadMismatch { .. } => "head_mismatch",
            IntegrityError::HeadRecordDamaged(_) => "head_record_damaged",
            IntegrityError::StoreUnreadable(_) => "store_unreadable",
            IntegrityError::StoreFileMissing(_) => "store_file_missing",
            IntegrityError::RuleBroken { .. } => "rule_broken",
            IntegrityError::SignatureInvalid { .. } => "signature_invalid",
            IntegrityError::PinnedKeyMismatch { .. } => "pinned_key_mismatch",
            IntegrityError::TimeWentBackwards { .. } => "time_went_backwards",
            IntegrityError::CheckpointRootMismatch { .. } => "checkpoint_root_mismatch",
            IntegrityError::LedgerShorterThanCheckpoint { .. } => "ledger_shorter_than_checkpoint",
            IntegrityError::CheckpointOtherOrigin { .. } => "checkpoint_other_origin",
            IntegrityError::CheckpointBadSignature { .. } => "checkpoint_bad_signature",
            IntegrityError::CheckpointNotSignedByKey { .. } => "checkpoint_not_signed_by_key",
            IntegrityError::SignedCheckpointDamaged(_) => "signed_checkpoint_damaged",
            IntegrityError::ExportLineDamaged { .. } => "export_line_damaged",
            IntegrityError::ExportFieldMismatch { .. } => "export_field_mismatch",
            IntegrityError::ExportShorterThanCheckpoint { .. } => "export_shorter_than_checkpoint",
            IntegrityError::EventNotInCheckpoint { .. } => "event_not_in_checkpoint",
            IntegrityError::ProofInvalid(_) => "proof_invalid",
            IntegrityError::IndexMismatch { .. } => "index_mismatch",
            IntegrityError::SnapshotMismatch { .. } => "snapshot_mismatch",
            IntegrityError::JournalLost(_) => "journal_lost",
            IntegrityError::AnchoredEventsMissing { .. } => "anchored_events_missing",
            IntegrityError::AnchorRootMismatch { .. } => "anchor_root_mismatch",
            IntegrityError::LogKeyDamaged(_) => "log_key_damaged",
            IntegrityError::AnchorRecordDamaged(_) => "anchor_record_damaged",
            IntegrityError::MirrorFileMissing { .. } => "mirror_file_missing",
            IntegrityError::MirrorFileMismatch { .. } => "mirror_file_mismatch",
            IntegrityError::MirrorBundleDamaged { .. } => "mirror_bundle_damaged",
            IntegrityError::MirrorEntryMismatch { .. } => "mirror_entry_mismatch",
        }
    }
}

/// What the library can fail with. Each message says what is wrong, with the data to find it; what to
/// do next (a command, a flag) is the front end's to add, by [`Error::kind`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No ledger in the directory.
    #[error("no ledger at {}", .0.display())]
    NotInitialised(PathBuf),
    /// Creating a ledger where one exists.
    #[error("a ledger already exists at {}", .0.display())]
    AlreadyInitialised(PathBuf),
    /// Another process holds the ledger: the directory, and who holds its lock as far as can be told
    /// ([`crate::os::lock::holders`]).
    #[error("the ledger at {} is busy: another process is using it", .0.display())]
    Busy(PathBuf, crate::os::lock::Holders),
    /// A change the domain rules refuse.
    #[error("{0}")]
    Refused(#[from] Refused),
    /// A change the domain rules refuse, decided from line `line` of an imported file.
    #[error("line {line}: {refused}")]
    RefusedAt {
        /// The file's line.
        line: u64,
        /// The refusal.
        refused: Refused,
    },
    /// A period column whose year is 元 without an era, where nothing gives the era: 元年 is the first
    /// year of both 平成 and 令和.
    #[error(
        "line {line}: period column `{label}`: 元年 without an era is the first year of both 平成 and 令和, and nothing says which"
    )]
    EraNeeded {
        /// The header's line.
        line: usize,
        /// The column's label, escaped.
        label: String,
    },
    /// A file's column of grades whose header does not say its point, where nothing gives the point.
    #[error(
        "line {line}, column {column} ({header}): the column's header does not say which reporting point its grades are for"
    )]
    PointNeeded {
        /// The header's line.
        line: usize,
        /// The column, 1-based.
        column: usize,
        /// Its header text.
        header: String,
    },
    /// A file that no known layout reads: each layout's name and what it expects.
    #[error(
        "line {line}: the file matches none of the known layouts ({}); write a layout for its sheet",
        tried.iter().map(|(name, expects)| format!("{name}: {expects}")).collect::<Vec<_>>().join("; ")
    )]
    NoLayout {
        /// The line where the header was looked for.
        line: usize,
        /// Each layout tried and what it expects.
        tried: Vec<(String, crate::table::layout::Expects)>,
    },
    /// Invalid input with several problems (an imported file's cells), each one line with its place, in
    /// the file's order: the first ones, and how many more were found.
    #[error(
        "{} problems: {}",
        problems.len() + omitted,
        problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    Problems {
        /// Each problem, one line.
        problems: Vec<crate::table::error::TableFileError>,
        /// How many more were found.
        omitted: usize,
    },
    /// A change to a ledger with people without its author's key, or with another key.
    #[error("{0}")]
    Unsigned(Unsigned),
    /// An event newer than the checkpoint a proof is asked against (the events it covers, `size`).
    #[error("event seq:{seq} is newer than the checkpoint: it covers {} only", covers(*.size))]
    NotInCheckpoint {
        /// The event.
        seq: u64,
        /// The checkpoint's tree size.
        size: u64,
    },
    /// A seq past the ledger's last event.
    #[error("there is no event seq:{seq}: the ledger holds {}", covers(*.len))]
    NoSuchSeq {
        /// The seq asked for.
        seq: u64,
        /// Events in the ledger.
        len: u64,
    },
    /// A signing key whose name is not the ledger's origin.
    #[error(
        "the key is named {key} but the ledger's origin is {origin}: a checkpoint is signed by a key named after its origin"
    )]
    KeyNotOfOrigin {
        /// The key's name.
        key: String,
        /// The ledger's origin.
        origin: String,
    },
    /// Events were made durable but what follows them (the head record, the anchor) was not written:
    /// the ledger is consistent on disk, and a full check tells whether anything else is wrong.
    #[error("{0}")]
    Unsettled(Unsettled),
    /// A text a person gave that breaks the rule on text (an empty reason, an author with a character
    /// that does not show).
    #[error("{0}")]
    Text(crate::domain::text::TextProblem),
    /// A mirror directory holds a file, or a non-directory, where writing this ledger's mirror needs
    /// another: it is another log's mirror, or was changed. Nothing more was written.
    #[error("the mirror's {0} differs from what this ledger's mirror holds there")]
    MirrorConflict(String),
    /// A table file (an import's) with one problem: its layout, a cell, its periods or its totals.
    #[error("{0}")]
    Table(Box<crate::table::error::TableFileError>),
    /// A table file (an import's) whose periods or totals are wrong.
    #[error("{0}")]
    Import(Box<crate::import::error::FileProblem>),
    /// Invalid input that is not a domain rule: a damaged file given (a proof, a checkpoint, an export),
    /// a key that does not fit, a request the ledger cannot serve.
    #[error("{0}")]
    Invalid(Invalid),
    /// A bug: something the library's own invariants rule out. Never caused by input.
    #[error("internal error: {0}")]
    Internal(String),
    /// The history cannot be trusted.
    #[error("integrity failure: {0}")]
    Integrity(#[from] IntegrityError),
    /// An operating-system error.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: IoDoing,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// An event could not be encoded.
    #[error("{0}")]
    Encode(#[from] EncodeError),
    /// The disk holding the ledger is full, or too full to use the ledger safely.
    #[error("the disk is full: {context}: {}", disk_full_detail(.source))]
    DiskFull {
        /// What was being done.
        context: IoDoing,
        /// The OS error (or the store's own check, its inner error a [`LowSpace`]).
        source: std::io::Error,
    },
    /// A write would take more space than the disk holding the ledger has to spare; nothing was written.
    #[error("not enough free space: {context}: {room}")]
    NoRoom {
        /// What was being done.
        context: IoDoing,
        /// Space needed against space free.
        room: Room,
    },
}

impl Error {
    /// A stable name for the kind of failure (snake case), for front ends and machine output.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::NotInitialised(_) => "not_initialised",
            Error::AlreadyInitialised(_) => "already_initialised",
            Error::Busy(..) => "busy",
            Error::Refused(r) | Error::RefusedAt { refused: r, .. } => r.kind(),
            Error::EraNeeded { .. } => "era_needed",
            Error::PointNeeded { .. } => "point_needed",
            Error::NoLayout { .. } => "no_layout",
            Error::Problems { .. } => "invalid",
            Error::Unsigned(_) => "unsigned",
            Error::NoSuchSeq { .. } => "no_such_seq",
            Error::NotInCheckpoint { .. } => "not_in_checkpoint",
            Error::KeyNotOfOrigin { .. } => "key_not_of_origin",
            Error::Unsettled(_) => "unsettled",
            Error::MirrorConflict(_) => "mirror_conflict",
            Error::Invalid(_) | Error::Text(_) | Error::Table(_) | Error::Import(_) => "invalid",
            Error::Internal(_) => "internal",
            Error::Integrity(e) => e.kind(),
            Error::Io { .. } => "io",
            Error::Encode(_) => "encode",
            Error::DiskFull { .. } => "disk_full",
            Error::NoRoom { .. } => "no_room",
        }
    }

    pub(crate) fn io(context: IoDoing) -> impl FnOnce(std::io::Error) -> Error {
        move |source| Error::Io { context, source }
    }

    pub(crate) fn from_store(e: StoreError, dir: &std::path::Path) -> Error {
        match e {
            StoreError::Locked => Error::Busy(dir.to_path_buf(), crate::os::lock::Holders::Unknown),
            StoreError::Io { context, source } if is_disk_full(&source) => {
                Error::DiskFull { context, source }
            }
            StoreError::Io { context, source } => Error::Io { context, source },
            StoreError::Damaged(m) => Error::Integrity(IntegrityError::StoreUnreadable(m)),
            StoreError::Missing(m) => Error::Integrity(IntegrityError::StoreUnreadable(m)),
            StoreError::JournalLost(m) => Error::Integrity(IntegrityError::JournalLost(m)),
            StoreError::FileMissing(m) => Error::Integrity(IntegrityError::StoreFileMissing(m)),
            StoreError::Internal(m) => Error::Internal(m),
        }
    }
}

/// What the library was doing when the operating system failed, and on which file: the first half of
/// an [`Error::Io`] (the OS error is the second). The `Display` is the library's English; a front end
/// words each variant in its own language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IoDoing {
    /// Opening a file.
    #[error("cannot open {}", .0.display())]
    Open(PathBuf),
    /// Locking a file.
    #[error("cannot lock {}", .0.display())]
    Lock(PathBuf),
    /// Creating a file or directory.
    #[error("cannot create {}", .0.display())]
    Create(PathBuf),
    /// Creating a directory in a directory.
    #[error("cannot create a directory in {}", .0.display())]
    CreateDirIn(PathBuf),
    /// Reading a file or directory.
    #[error("cannot read {}", .0.display())]
    Read(PathBuf),
    /// Writing a file.
    #[error("cannot write {}", .0.display())]
    Write(PathBuf),
    /// Making a directory's entries durable.
    #[error("cannot fsync {}", .0.display())]
    Sync(PathBuf),
    /// Moving a damaged file aside (never deleting it).
    #[error("cannot move {} aside", .0.display())]
    MoveAside(PathBuf),
    /// Renaming a restored ledger into place.
    #[error("cannot rename the restored ledger to {}", .0.display())]
    RenameRestored(PathBuf),
    /// Opening the store in a ledger's directory.
    #[error("cannot open the store in {}", .0.display())]
    OpenStore(PathBuf),
    /// Reading the store.
    #[error("cannot read the store in {}", .0.display())]
    ReadStore(PathBuf),
    /// Writing the store.
    #[error("cannot write the store in {}", .0.display())]
    WriteStore(PathBuf),
    /// Writing the head record.
    #[error("cannot write the head record in {}", .0.display())]
    WriteHead(PathBuf),
    /// Copying a ledger into a directory.
    #[error("cannot copy the ledger into {}", .0.display())]
    CopyLedger(PathBuf),
    /// Copying a ledger (the directory) to read it.
    #[error("cannot copy the ledger at {} to read it", .0.display())]
    CopyToRead(PathBuf),
    /// Telling the free space of a disk.
    #[error("cannot tell the free space of the disk holding {}", .0.display())]
    FreeSpace(PathBuf),
    /// Importing a file into a ledger.
    #[error("cannot import {file} into {}", .into.display())]
    Import {
        /// The file's name.
        file: String,
        /// The ledger's directory.
        into: PathBuf,
    },
    /// Starting the thread that reads events for a check.
    #[error("cannot start a thread to verify the ledger")]
    StartVerifyThread,
    /// Reading an export.
    #[error("cannot read the export")]
    ReadExport,
    /// Writing an export.
    #[error("cannot write the export")]
    WriteExport,
    /// Reading a mirror.
    #[error("cannot read the mirror")]
    ReadMirror,
    /// Writing a mirror.
    #[error("cannot write the mirror")]
    WriteMirror,
    /// Writing a mirror's checkpoint.
    #[error("cannot write the mirror's checkpoint")]
    WriteMirrorCheckpoint,
    /// Creating a mirror's directory.
    #[error("cannot create the mirror directory")]
    CreateMirrorDir,
    /// Reading a mirror's directory.
    #[error("cannot read the mirror directory")]
    ReadMirrorDir,
    /// Creating a directory inside a mirror.
    #[error("cannot create a directory of the mirror")]
    CreateMirrorSubdir,
    /// Something done with the journal.
    #[error("cannot {doing} the journal{}", .path.as_ref().map_or_else(String::new, |p| format!(" {}", p.display())))]
    Journal {
        /// What.
        doing: JournalDoing,
        /// The journal file (or, for the free-space check, its directory), when known.
        path: Option<PathBuf>,
    },
    /// A front end's own words for what it was doing (already in its language).
    #[error("{0}")]
    Said(String),
}

/// What was being done with the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JournalDoing {
    /// Opening it.
    #[error("open")]
    Open,
    /// Reading it.
    #[error("read")]
    Read,
    /// Writing it.
    #[error("write")]
    Write,
    /// Creating it.
    #[error("create")]
    Create,
    /// Making it durable.
    #[error("sync")]
    Sync,
    /// Keeping an unfinished last record beside it (nothing cut).
    #[error("keep the unfinished last record beside it; nothing was cut from")]
    KeepCut,
    /// Cutting an unfinished last record off it.
    #[error("cut the unfinished last record off")]
    Cut,
    /// Giving it a header.
    #[error("give a header to")]
    Header,
    /// Starting its next generation.
    #[error("start a new generation of")]
    NewGeneration,
    /// Sharing its open file.
    #[error("share")]
    Share,
}

/// How much room a write needs against what the disk has: the detail of an [`Error::NoRoom`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Room {
    /// A copy of a ledger's files.
    #[error(
        "its files take {bytes} bytes and {} has {free} bytes free (the storage engine needs {margin} more)",
        .into.display()
    )]
    Copy {
        /// The files' bytes.
        bytes: u64,
        /// Where they go.
        into: PathBuf,
        /// The bytes free there.
        free: u64,
        /// The engine's margin.
        margin: u64,
    },
    /// An import.
    #[error(
        "its {events} events ({}){}{} may take up to {} in the store, and hyoka keeps {} free besides: it needs {} free, the disk has {}; nothing was imported",
        mib(*.bytes),
        if *.moved > 0 { format!(" and the {} the journal moves in first", .moved) } else { String::new() },
        if *.snapshots > 0 { format!(" with {} state snapshot(s)", .snapshots) } else { String::new() },
        mib(*.store), mib(*.margin), mib(.store.saturating_add(*.margin)), mib(*.free)
    )]
    Import {
        /// The file's events.
        events: u64,
        /// Their bytes.
        bytes: u64,
        /// The journal's events moved into the store first.
        moved: u64,
        /// The state snapshots the import crosses.
        snapshots: u64,
        /// What the store may take.
        store: u64,
        /// The margin kept free.
        margin: u64,
        /// The bytes free.
        free: u64,
    },
}

/// Bytes in MiB with one decimal (`12.3 MiB`).
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
}

/// The disk has less free space than hyoka keeps to use a ledger safely: the inner error of the
/// [`std::io::ErrorKind::StorageFull`] error the store's check returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the disk has {free_kib} KiB free, and hyoka needs {need_kib} KiB free to use the ledger safely"
)]
pub struct LowSpace {
    /// KiB free.
    pub free_kib: u64,
    /// KiB needed.
    pub need_kib: u64,
}

/// What is wrong with the head record (the `HEAD` file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeadDamage {
    /// The file is missing.
    #[error("the HEAD file is missing")]
    Missing,
    /// Larger than any head record.
    #[error("it is larger than {0} bytes")]
    TooBig(u64),
    /// Not UTF-8.
    #[error("it is not UTF-8")]
    NotUtf8,
    /// No check line.
    #[error("no check line")]
    NoCheckLine,
    /// The checksum does not match.
    #[error("its checksum does not match")]
    Checksum,
    /// Not a known format.
    #[error("unknown format")]
    UnknownFormat,
    /// No event count.
    #[error("no event count")]
    NoEventCount,
    /// No head hash.
    #[error("no head hash")]
    NoHash,
    /// No anchoring line.
    #[error("no anchoring line")]
    NoAnchoringLine,
    /// A line after the last one.
    #[error("a line after the last one")]
    LineAfter,
}

/// What is wrong with the anchor record (the `ANCHOR` file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AnchorDamage {
    /// Larger than an anchor record.
    #[error("it is larger than {0} bytes")]
    TooBig(u64),
    /// Not two slots long.
    #[error("it is {found} bytes, not {expected}")]
    Length {
        /// Its size.
        found: usize,
        /// The size of an anchor record.
        expected: usize,
    },
    /// Neither slot holds a valid record.
    #[error("neither of its two records is valid")]
    NoValidRecord,
    /// Missing while the head record says the ledger has one.
    #[error("it is missing, but the head record says the ledger has one")]
    Missing,
    /// Its counter cannot go on.
    #[error("its counter is at its end: hyoka never counts that far; the file was altered")]
    CounterAtEnd,
}

/// What is wrong with the ledger's log key file (`LOGKEY`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}", .path.display(), match .why { Some(e) => format!(": {e}"), None => " is not UTF-8".to_string() })]
pub struct LogKeyDamage {
    /// The file.
    pub path: PathBuf,
    /// Why its key cannot be read (`None`: it is not UTF-8).
    pub why: Option<NoteError>,
}

/// What was found where an event was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SeqFound {
    /// Another event in the chain's next place.
    #[error("found event {found} where event {belongs} belongs")]
    Elsewhere {
        /// The event found.
        found: u64,
        /// The place.
        belongs: u64,
    },
    /// Another event at a position of the store.
    #[error("found event {found} at position {position}")]
    AtPosition {
        /// The event found.
        found: u64,
        /// The position.
        position: u64,
    },
    /// The store is missing what should be there.
    #[error("{0}")]
    Store(StoreDamage),
}

/// Which checkpoint a message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckpointOf {
    /// The checkpoint given.
    Given,
    /// The old checkpoint of a consistency proof.
    Old,
    /// The new checkpoint of a consistency proof.
    New,
    /// The checkpoint a proof carries.
    Proof,
}

impl std::fmt::Display for CheckpointOf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CheckpointOf::Given => "the checkpoint",
            CheckpointOf::Old => "the old checkpoint",
            CheckpointOf::New => "the new checkpoint",
            CheckpointOf::Proof => "the proof's checkpoint",
        })
    }
}

/// Invalid input that is not a domain rule: a file given that is not what it must be (a proof, a
/// checkpoint, an export), a key that does not fit the ledger, a request the ledger cannot serve. Each
/// variant carries its data; the front end words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Invalid {
    /// A checkpoint larger than any checkpoint.
    #[error("{of}: not a checkpoint: it has {bytes} bytes, more than {max}")]
    CheckpointTooBig {
        /// Which checkpoint.
        of: CheckpointOf,
        /// Its size.
        bytes: usize,
        /// The largest accepted.
        max: usize,
    },
    /// A checkpoint (or signed note) that cannot be read.
    #[error("{of}: not a valid checkpoint: {why}")]
    Checkpoint {
        /// Which checkpoint.
        of: CheckpointOf,
        /// What is wrong.
        why: CheckpointError,
    },
    /// A proof larger than any proof.
    #[error("not a proof: it has {bytes} bytes, more than {max}")]
    ProofTooBig {
        /// Its size.
        bytes: usize,
        /// The largest accepted.
        max: usize,
    },
    /// Not a c2sp.org/tlog-proof@v1 text.
    #[error("not a c2sp.org/tlog-proof@v1 proof: {0}")]
    Proof(TlogProofError),
    /// A consistency proof larger than any.
    #[error("not a consistency proof: it has {bytes} bytes")]
    ConsistencyProofTooBig {
        /// Its size.
        bytes: usize,
    },
    /// Not a consistency proof (an add-checkpoint body).
    #[error("not a consistency proof (old N, proof, checkpoint): {0}")]
    ConsistencyProof(TlogProofError),
    /// A signature that cannot be checked (the note or the key is malformed).
    #[error("cannot check the signature: {0}")]
    SignatureUncheckable(NoteError),
    /// The checkpoints of a consistency proof given the wrong way round.
    #[error(
        "the old checkpoint ({old} events) is larger than the new one ({new} events): swap them"
    )]
    OldLargerThanNew {
        /// The old checkpoint's size.
        old: u64,
        /// The new checkpoint's size.
        new: u64,
    },
    /// A key to sign checkpoints with that is not the ledger's log key.
    #[error(
        "the key {key} is not this ledger's log key ({log_key}): checkpoints are signed with the log key only"
    )]
    NotLogKeyToSign {
        /// The key given (name+id).
        key: String,
        /// The log key (name+id).
        log_key: String,
    },
    /// A key to write with that is not the ledger's log key.
    #[error("the key {key} is not this ledger's log key ({log_key}): give the log key's file")]
    NotLogKey {
        /// The key given (name+id).
        key: String,
        /// The log key (name+id).
        log_key: String,
    },
    /// The ledger has no log key to use.
    #[error("this ledger has no log key yet: record one first")]
    NoLogKey,
    /// A log key not named after the ledger's origin.
    #[error(
        "the key is named {key} but the ledger's origin is {origin}: a log key is named after the ledger's origin"
    )]
    LogKeyNotOfOrigin {
        /// The key's name.
        key: String,
        /// The ledger's origin.
        origin: String,
    },
    /// The ledger has another log key.
    #[error("the ledger already has another log key ({key}); give that key's file")]
    OtherLogKey {
        /// The log key (name+id).
        key: String,
    },
    /// Signing failed.
    #[error("cannot sign the checkpoint: {0}")]
    CannotSign(CheckpointError),
    /// An export without an event.
    #[error("the export holds no events")]
    EmptyExport,
    /// An import into a ledger without a plan.
    #[error("the ledger has no plan")]
    NoPlan,
    /// A restore into a directory that exists.
    #[error(
        "{} already exists: restore creates a new ledger; give a directory that does not exist",
        .0.display()
    )]
    RestoreTargetExists(PathBuf),
    /// A path that does not end in a directory name.
    #[error("{} is not a directory name", .0.display())]
    NotADirectoryName(PathBuf),
    /// A restore from no event.
    #[error("nothing to restore: no events")]
    NothingToRestore,
    /// A batch without an event.
    #[error("nothing to record")]
    NothingToRecord,
    /// A file in a ledger's directory that a ledger does not hold there (a link, a device).
    #[error(
        "{} is not what a ledger holds there (a regular file{}); nothing was copied",
        .path.display(),
        if *.top { "" } else { " or a directory" }
    )]
    NotLedgerFile {
        /// The file.
        path: PathBuf,
        /// Whether it is at the top of the ledger's directory (where only files are).
        top: bool,
    },
    /// A file of a ledger that changed while it was copied.
    #[error("{} changed while it was copied ({size} bytes, then {copied}); try again", .path.display())]
    ChangedWhileCopied {
        /// The file.
        path: PathBuf,
        /// Its size when listed.
        size: u64,
        /// The bytes copied.
        copied: u64,
    },
    /// A tree larger than the ledger.
    #[error("the ledger has {events} events, fewer than {size}")]
    FewerEvents {
        /// Events in the ledger.
        events: u64,
        /// The tree size asked for.
        size: u64,
    },
    /// A Merkle tree request out of range.
    #[error("{0}")]
    Merkle(MerkleError),
    /// A source file name that is not a file name.
    #[error(
        "the source file name `{}` is not a file name without directories",
        crate::domain::text::escape(.0)
    )]
    SourceFileName(String),
    /// A thread panicked while it held the shared ledger.
    #[error("another thread panicked while appending to the ledger; open it again")]
    Poisoned,
}

/// Why an offline proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofProblem {
    /// No extra line.
    #[error(
        "it has no extra line (hyoka's proofs carry the event there: prev_hash || stored bytes)"
    )]
    NoExtra,
    /// Extra data shorter than a hash.
    #[error("its extra data has {0} bytes, fewer than the 32 of the previous event's hash")]
    ExtraTooShort(usize),
    /// The previous hash differs from the event's.
    #[error("the previous hash in its extra data is not the one its event records")]
    PrevHashDiffers,
    /// The index is not the event's seq.
    #[error("it is a proof for index {index} but its event is seq {seq}")]
    IndexNotSeq {
        /// The proof's index.
        index: u64,
        /// The event's seq.
        seq: u64,
    },
    /// The inclusion proof does not lead to the root.
    #[error(
        "its inclusion proof does not lead from event {index}'s leaf to the root of the checkpoint of {size} events ({why}): the event, the proof or the checkpoint was altered"
    )]
    NotIncluded {
        /// The event.
        index: u64,
        /// The checkpoint's size.
        size: u64,
        /// What failed.
        why: MerkleError,
    },
    /// The proof's old size is not the old checkpoint's.
    #[error(
        "it proves consistency from a tree of {proof} events, but the old checkpoint has {old}"
    )]
    OldSizeDiffers {
        /// The proof's old size.
        proof: u64,
        /// The old checkpoint's size.
        old: u64,
    },
    /// The new checkpoint is smaller than the old one.
    #[error(
        "the new checkpoint ({new} events) is smaller than the old one ({old}): a log never shrinks"
    )]
    Shrinks {
        /// The new size.
        new: u64,
        /// The old size.
        old: u64,
    },
    /// An empty old checkpoint with another root.
    #[error("the old checkpoint has size 0 but not the root of the empty tree")]
    EmptyRoot,
    /// The consistency proof fails.
    #[error(
        "it does not show the tree of {old} events (the old checkpoint) to be a prefix of the tree of {new} ({why}): the history the old checkpoint covers was rewritten, or the proof was altered"
    )]
    NotConsistent {
        /// The old size.
        old: u64,
        /// The new size.
        new: u64,
        /// What failed.
        why: MerkleError,
    },
}

/// What is wrong with a line of an export.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LineDamage {
    /// Longer than any line.
    #[error("it is longer than {0} bytes")]
    TooLong(usize),
    /// The file ends inside it.
    #[error("the file ends inside it (no final newline): the export is truncated")]
    Truncated,
    /// A carriage return.
    #[error("it holds a carriage return at byte {0}: lines end in a newline alone")]
    CarriageReturn(usize),
    /// Not JSON: it ends too early (`eof`) or has a syntax error, at a column.
    #[error("not JSON: {}, at column {column}", if *.eof { "it ends too early" } else { "a syntax error" })]
    NotJson {
        /// Whether the text ends before the JSON does.
        eof: bool,
        /// The 1-based column.
        column: usize,
    },
    /// A member name given twice in one object.
    #[error("a member name appears twice in one object (column {0})")]
    DuplicateMember(usize),
    /// Not a JSON object.
    #[error("not a JSON object")]
    NotObject,
    /// A field an export line does not have.
    #[error("unknown field `{0}`")]
    UnknownField(String),
    /// A field missing or malformed.
    #[error("`{0}` is missing or malformed")]
    Missing(&'static str),
}

/// What is wrong with a bundle (or other file) of a mirror.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleDamage {
    /// Larger than any file of its kind.
    #[error("it holds more than the {0} bytes a file of its kind can")]
    TooBig(u64),
    /// An entry bundle's problem.
    #[error("{0}")]
    Entries(crate::tlog::tiles::BundleError),
    /// Ends inside an event.
    #[error("it ends inside event {0}")]
    EndsInsideEvent(usize),
    /// Bytes after its events.
    #[error("it holds bytes after its {0} events")]
    BytesAfter(usize),
    /// Another number of events than its tile has.
    #[error("it holds {found} events where its tile has {expected}")]
    EventCount {
        /// Events found.
        found: usize,
        /// Events its tile has.
        expected: usize,
    },
}

/// What is wrong with a kept signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointDamage {
    /// Larger than any checkpoint.
    #[error("it holds more than {0} bytes")]
    TooBig(u64),
    /// Not a signed checkpoint.
    #[error("{0}")]
    Malformed(CheckpointError),
}

/// Why a change to a ledger with people is not signed as it must be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unsigned {
    /// No key was given.
    #[error("the ledger has people: a change by {author} is signed with their key")]
    NoKey {
        /// The author.
        author: String,
    },
    /// A key other than the author's current one.
    #[error("the key given is not {author}'s current key")]
    NotCurrent {
        /// The author.
        author: String,
    },
}

/// What was not written after events were made durable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unsettled {
    /// The head record.
    #[error("the change was stored but the head record could not be updated ({why})")]
    Head {
        /// The error, in the library's words.
        why: String,
    },
    /// The anchor.
    #[error("the change was recorded (#{first}..#{last}) but could not be anchored ({why})")]
    Anchor {
        /// The first event written.
        first: u64,
        /// The last.
        last: u64,
        /// The error, in the library's words.
        why: String,
    },
}

/// An import's failure as the library's error: each kind of problem its own variant, typed.
impl From<crate::import::error::ImportError> for Error {
    fn from(e: crate::import::error::ImportError) -> Error {
        match e {
            crate::import::error::ImportError::NoPlan => Error::Invalid(Invalid::NoPlan),
            crate::import::error::ImportError::Problem(p) => Error::Import(Box::new(p)),
            crate::import::error::ImportError::Refused { line, refused } => Error::RefusedAt {
                line: line as u64,
                refused,
            },
            crate::import::error::ImportError::EraNeeded { line, label } => {
                Error::EraNeeded { line, label }
            }
            crate::import::error::ImportError::PointNeeded {
                line,
                column,
                header,
            } => Error::PointNeeded {
                line,
                column,
                header,
            },
            crate::import::error::ImportError::Table(e) => match *e {
                crate::table::error::TableFileError::Many { problems, omitted } => {
                    Error::Problems { problems, omitted }
                }
                crate::table::error::TableFileError::NoKnownLayout { line, tried } => {
                    Error::NoLayout { line, tried }
                }
                e => Error::Table(Box::new(e)),
            },
        }
    }
}

/// Whether an OS error means the disk (or the user's quota) is full.
pub(crate) fn is_disk_full(e: &std::io::Error) -> bool {
    // ENOSPC and EDQUOT on Linux.
    e.kind() == std::io::ErrorKind::StorageFull
        || e.kind() == std::io::ErrorKind::QuotaExceeded
        || matches!(e.raw_os_error(), Some(28 | 122))
}

/// The detail of a full disk: the OS error, or what the store's own check found.
pub fn disk_full_detail(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(_) => e.to_string(),
        // Our own free-space check: its message says how much is free.
        None => e
            .get_ref()
            .map_or_else(|| e.to_string(), |inner| inner.to_string()),
    }
}

/// The events from `from` up to, not including, `end`, as the command line names them: `#5..#9`, or
/// `#5` for one (`from..end` is never empty where it is used).
pub fn span(from: u64, end: u64) -> String {
    match end.saturating_sub(from) {
        0 | 1 => format!("#{from}"),
        _ => format!("#{from}..#{}", end - 1),
    }
}

/// The events a tree of `size` events holds, as the command line names them: `#0..#359 (360 events)`.
pub fn covers(size: u64) -> String {
    match size {
        0 => "no event".to_string(),
        1 => "#0 (1 event)".to_string(),
        n => format!("#0..#{} ({n} events)", n - 1),
    }
}

/// Result of library operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;
