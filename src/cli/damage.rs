//! Damaged and wrong files in words, in the chosen language: a proof, a checkpoint or signed note, an
//! export line, a key, a mirror's file (the library's typed errors, [`hyoka::error::Invalid`] and the
//! errors of the transparency-log formats), and the operating system's errors, worded by their kind
//! (the OS's own text, in English, only where no kind says it). The English says what the library's own
//! `Display` says (checked by a test).

use std::io;

use hyoka::domain::event::DecodeError;
use hyoka::error::{
    BundleDamage, CheckpointDamage, CheckpointOf, Invalid, LineDamage, ProofProblem,
};
use hyoka::table::layout::{LayoutError, LayoutRule};
use hyoka::tlog::checkpoint::CheckpointError;
use hyoka::tlog::merkle::MerkleError;
use hyoka::tlog::note::{KeyProblem, LineProblem, NoteError};
use hyoka::tlog::proof_text::TlogProofError;
use hyoka::tlog::tiles::BundleError;

use super::i18n::t;

/// Text quoted as the library quotes it (Rust's `{:?}`).
fn q(s: &str) -> String {
    format!("{s:?}")
}

fn hex2(b: u8) -> String {
    format!("{b:02x}")
}

fn hex8(n: u32) -> String {
    format!("{n:08x}")
}

/// Which checkpoint, in words.
pub fn checkpoint_of(of: CheckpointOf) -> String {
    match of {
        CheckpointOf::Given => t!("cp-of-given"),
        CheckpointOf::Old => t!("cp-of-old"),
        CheckpointOf::New => t!("cp-of-new"),
        CheckpointOf::Proof => t!("cp-of-proof"),
        _ => of.to_string(),
    }
}

/// An invalid input (a file given, a key, a request), in words.
pub fn invalid(i: &Invalid) -> String {
    use Invalid as V;
    match i {
        V::CheckpointTooBig { of, bytes, max } => t!(
            "inv-checkpoint-too-big",
            of = checkpoint_of(*of),
            bytes = *bytes,
            max = *max
        ),
        V::Checkpoint { of, why } => t!(
            "inv-checkpoint",
            of = checkpoint_of(*of),
            why = checkpoint_error(why)
        ),
        V::ProofTooBig { bytes, max } => {
            t!("inv-proof-too-big", bytes = *bytes, max = *max)
        }
        V::Proof(e) => t!("inv-proof", why = proof_text(e)),
        V::ConsistencyProofTooBig { bytes } => {
            t!("inv-consistency-too-big", bytes = *bytes)
        }
        V::ConsistencyProof(e) => t!("inv-consistency", why = proof_text(e)),
        V::SignatureUncheckable(e) => t!("inv-signature-uncheckable", why = note_error(e)),
        V::OldLargerThanNew { old, new } => {
            t!("inv-old-larger", old = *old, new = *new)
        }
        V::NotLogKeyToSign { key, log_key } => t!(
            "inv-not-log-key-to-sign",
            key = key.as_str(),
            log_key = log_key.as_str()
        ),
        V::NotLogKey { key, log_key } => t!(
            "inv-not-log-key",
            key = key.as_str(),
            log_key = log_key.as_str()
        ),
        V::NoLogKey => t!("inv-no-log-key"),
        V::LogKeyNotOfOrigin { key, origin } => t!(
            "inv-log-key-not-of-origin",
            key = key.as_str(),
            origin = origin.as_str()
        ),
        V::OtherLogKey { key } => t!("inv-other-log-key", key = key.as_str()),
        V::CannotSign(e) => t!("inv-cannot-sign", why = checkpoint_error(e)),
        V::EmptyExport => t!("inv-empty-export"),
        V::NoPlan => t!("inv-no-plan"),
        V::RestoreTargetExists(dir) => t!("inv-restore-target-exists", dir = dir.display()),
        V::NotADirectoryName(dir) => t!("inv-not-a-directory-name", dir = dir.display()),
        V::NothingToRestore => t!("inv-nothing-to-restore"),
        V::NothingToRecord => t!("inv-nothing-to-record"),
        V::NotLedgerFile { path, top: true } => {
            t!("inv-not-ledger-file-top", path = path.display())
        }
        V::NotLedgerFile { path, top: false } => {
            t!("inv-not-ledger-file", path = path.display())
        }
        V::ChangedWhileCopied { path, size, copied } => t!(
            "inv-changed-while-copied",
            path = path.display(),
            size = *size,
            copied = *copied
        ),
        V::FewerEvents { events, size } => {
            t!("inv-fewer-events", events = *events, size = *size)
        }
        V::Merkle(e) => merkle(e),
        V::SourceFileName(name) => t!(
            "inv-source-file-name",
            name = hyoka::domain::text::escape(name)
        ),
        V::Poisoned => t!("inv-poisoned"),
        _ => i.to_string(),
    }
}

/// Why a checkpoint cannot be read, in words.
pub fn checkpoint_error(e: &CheckpointError) -> String {
    use CheckpointError as C;
    match e {
        C::NotUtf8 => t!("cp-not-utf8"),
        C::MissingFinalNewline => t!("cp-missing-final-newline"),
        C::ControlCharacter { offset, byte } => {
            t!("cp-control-character", byte = hex2(*byte), offset = *offset)
        }
        C::TooFewLines { found } => t!("cp-too-few-lines", found = *found),
        C::BadOrigin => t!("cp-bad-origin"),
        C::MalformedSize(s) => t!("cp-malformed-size", size = q(s)),
        C::MalformedRoot => t!("cp-malformed-root"),
        C::BadExtension { line } => t!("cp-bad-extension", line = *line),
        C::Note(n) => t!("cp-note", why = note_error(n)),
        C::Unsigned => t!("cp-unsigned"),
        _ => e.to_string(),
    }
}

/// Why a key or a signed note cannot be read or checked, in words.
pub fn note_error(e: &NoteError) -> String {
    use NoteError as N;
    match e {
        N::InvalidKeyName(name) => t!("nerr-invalid-key-name", name = q(name)),
        N::MalformedVerifierKey(k) => t!("nerr-malformed-verifier-key", why = key_problem(*k)),
        N::MalformedSignerKey(k) => t!("nerr-malformed-signer-key", why = key_problem(*k)),
        N::UnsupportedAlgorithm(a) => t!("nerr-unsupported-algorithm", alg = hex2(*a)),
        N::KeyIdMismatch { declared, computed } => t!(
            "nerr-key-id-mismatch",
            declared = hex8(*declared),
            computed = hex8(*computed)
        ),
        N::Random(m) => t!("nerr-random", detail = m.as_str()),
        N::NotUtf8 => t!("nerr-not-utf8"),
        N::ControlCharacter { offset, byte } => {
            t!(
                "nerr-control-character",
                byte = hex2(*byte),
                offset = *offset
            )
        }
        N::TextMissingNewline => t!("nerr-text-missing-newline"),
        N::MissingSignatureBlock => t!("nerr-missing-signature-block"),
        N::NoSignatures => t!("nerr-no-signatures"),
        N::MissingFinalNewline => t!("nerr-missing-final-newline"),
        N::MalformedSignatureLine { line, reason } => t!(
            "nerr-malformed-signature-line",
            line = *line,
            why = line_problem(*reason)
        ),
        N::TooManySignatures { max } => t!("nerr-too-many-signatures", max = *max),
        N::NoSignatureByKey { name, key_id } => t!(
            "nerr-no-signature-by-key",
            name = name.as_str(),
            id = hex8(*key_id)
        ),
        N::BadSignature { name, key_id } => t!(
            "nerr-bad-signature",
            name = name.as_str(),
            id = hex8(*key_id)
        ),
        _ => e.to_string(),
    }
}

/// What is wrong with a key text, in words.
fn key_problem(k: KeyProblem) -> String {
    match k {
        KeyProblem::NoPrivatePrefix => t!("keyp-no-private-prefix"),
        KeyProblem::PrivateParts => t!("keyp-private-parts"),
        KeyProblem::VerifierParts => t!("keyp-verifier-parts"),
        KeyProblem::KeyId => t!("keyp-key-id"),
        KeyProblem::Seed => t!("keyp-seed"),
        KeyProblem::Public => t!("keyp-public"),
        KeyProblem::NotAPoint => t!("keyp-not-a-point"),
        _ => k.to_string(),
    }
}

/// What is wrong with a signature line, in words.
fn line_problem(l: LineProblem) -> String {
    match l {
        LineProblem::NoDash => t!("sigline-no-dash"),
        LineProblem::NoSpace => t!("sigline-no-space"),
        LineProblem::KeyName => t!("sigline-key-name"),
        LineProblem::NotBase64 => t!("sigline-not-base64"),
        LineProblem::TooShort => t!("sigline-too-short"),
        _ => l.to_string(),
    }
}

/// Why a proof text cannot be read, in words.
pub fn proof_text(e: &TlogProofError) -> String {
    use TlogProofError as P;
    match e {
        P::NotUtf8 => t!("tproof-not-utf8"),
        P::BadHeader => t!(
            "tproof-bad-header",
            header = hyoka::tlog::proof_text::TLOG_PROOF_HEADER
        ),
        P::MalformedExtra => t!("tproof-malformed-extra"),
        P::MalformedIndex => t!("tproof-malformed-index"),
        P::MalformedOldSize => t!("tproof-malformed-old-size"),
        P::MalformedHash { line } => t!("tproof-malformed-hash", line = *line),
        P::TooManyProofLines { max } => t!("tproof-too-many-lines", max = *max),
        P::Truncated => t!("tproof-truncated"),
        P::MissingCheckpoint => t!("tproof-missing-checkpoint"),
        P::Checkpoint(c) => t!("tproof-checkpoint", why = checkpoint_error(c)),
        P::Merkle(m) => t!("tproof-merkle", why = merkle(m)),
        _ => e.to_string(),
    }
}

/// Why a Merkle tree request or proof fails, in words.
pub fn merkle(e: &MerkleError) -> String {
    use MerkleError as M;
    match e {
        M::Storage(m) => t!("merkle-storage", detail = m.as_str()),
        M::ReadMismatch {
            requested,
            returned,
        } => t!(
            "merkle-read-mismatch",
            requested = *requested,
            returned = *returned
        ),
        M::IndexOutOfRange { index, size } => {
            t!("merkle-index-out-of-range", index = *index, size = *size)
        }
        M::InvalidSizes { old, new } => t!("merkle-invalid-sizes", old = *old, new = *new),
        M::EmptyOldTree { new } => t!("merkle-empty-old-tree", new = *new),
        M::TreeTooLarge(n) => t!("merkle-tree-too-large", size = *n),
        M::ProofLength { expected, actual } => t!(
            "merkle-proof-length",
            expected = *expected,
            actual = *actual
        ),
        M::HashLength { what, len } => t!("merkle-hash-length", what = *what, len = *len),
        M::ProofHashLength { index, len } => {
            t!("merkle-proof-hash-length", index = *index, len = *len)
        }
        M::RootMismatch => t!("merkle-root-mismatch"),
        M::OldRootMismatch => t!("merkle-old-root-mismatch"),
        M::Internal(m) => t!("merkle-internal", detail = *m),
        _ => e.to_string(),
    }
}

/// Why an offline proof does not verify, in words.
pub fn proof_problem(p: &ProofProblem) -> String {
    use ProofProblem as P;
    match p {
        P::NoExtra => t!("proofp-no-extra"),
        P::ExtraTooShort(n) => t!("proofp-extra-too-short", bytes = *n),
        P::PrevHashDiffers => t!("proofp-prev-hash-differs"),
        P::IndexNotSeq { index, seq } => {
            t!("proofp-index-not-seq", index = *index, seq = *seq)
        }
        P::NotIncluded { index, size, why } => t!(
            "proofp-not-included",
            index = *index,
            size = *size,
            why = merkle(why)
        ),
        P::OldSizeDiffers { proof, old } => {
            t!("proofp-old-size-differs", proof = *proof, old = *old)
        }
        P::Shrinks { new, old } => t!("proofp-shrinks", new = *new, old = *old),
        P::EmptyRoot => t!("proofp-empty-root"),
        P::NotConsistent { old, new, why } => t!(
            "proofp-not-consistent",
            old = *old,
            new = *new,
            why = merkle(why)
        ),
        _ => p.to_string(),
    }
}

/// What is wrong with an export line, in words.
pub fn line_damage(d: &LineDamage) -> String {
    use LineDamage as L;
    match d {
        L::TooLong(max) => t!("line-too-long", max = *max),
        L::Truncated => t!("line-truncated"),
        L::CarriageReturn(at) => t!("line-carriage-return", at = *at),
        L::NotJson { eof: true, column } => t!("line-not-json-eof", column = *column),
        L::NotJson { eof: false, column } => t!("line-not-json", column = *column),
        L::DuplicateMember(column) => t!("line-duplicate-member", column = *column),
        L::NotObject => t!("line-not-object"),
        L::UnknownField(k) => t!("line-unknown-field", field = k.as_str()),
        L::Missing(k) => t!("line-missing", field = *k),
        _ => d.to_string(),
    }
}

/// What is wrong with a file of a mirror, in words.
pub fn bundle_damage(d: &BundleDamage) -> String {
    use BundleDamage as B;
    match d {
        B::TooBig(max) => t!("bundle-too-big", max = *max),
        B::Entries(BundleError::Truncated { index }) => {
            t!("bundle-entries-truncated", index = *index)
        }
        B::Entries(BundleError::Count { expected, found }) => {
            t!("bundle-entries-count", expected = *expected, found = *found)
        }
        B::EndsInsideEvent(n) => t!("bundle-ends-inside-event", index = *n),
        B::BytesAfter(n) => t!("bundle-bytes-after", count = *n),
        B::EventCount { found, expected } => {
            t!("bundle-event-count", found = *found, expected = *expected)
        }
        _ => d.to_string(),
    }
}

/// What is wrong with the kept signed checkpoint (or a mirror's), in words.
pub fn checkpoint_damage(d: &CheckpointDamage) -> String {
    match d {
        CheckpointDamage::TooBig(max) => t!("cpd-too-big", max = *max),
        CheckpointDamage::Malformed(e) => checkpoint_error(e),
        _ => d.to_string(),
    }
}

/// Why a layout file cannot be used, in words: the TOML reader's unknown and missing keys worded, its
/// other messages (English) passed on with their place.
pub fn layout(e: &LayoutError) -> String {
    match e {
        LayoutError::Toml { at, message } => {
            let field = |prefix: &str| {
                message
                    .strip_prefix(prefix)
                    .and_then(|rest| rest.split('`').next())
                    .map(str::to_string)
            };
            let why = match (field("unknown field `"), field("missing field `")) {
                (Some(key), _) => t!("layout-unknown-key", key = key),
                (_, Some(key)) => t!("layout-missing-key", key = key),
                _ => message.clone(),
            };
            match at {
                Some((line, column)) => {
                    t!("layout-toml-at", line = *line, column = *column, why = why)
                }
                None => t!("layout-toml", why = why),
            }
        }
        LayoutError::Rule(r) => t!("layout-invalid", why = layout_rule(r)),
        _ => e.to_string(),
    }
}

/// A rule of layouts broken, in words.
fn layout_rule(r: &LayoutRule) -> String {
    use LayoutRule as R;
    let max = hyoka::table::layout::MAX_COLUMN;
    match r {
        R::NoHeaderText(key) => t!("layout-no-header-text", key = key.as_str()),
        R::EmptyHeaderText(key) => t!("layout-empty-header-text", key = key.as_str()),
        R::BadColumn(key) => t!(
            "layout-bad-column",
            key = key.as_str(),
            column = "{ column = N }",
            after = "{ after_points = N }",
            max = max
        ),
        R::Name => t!("layout-name"),
        R::IdAndTitle => t!("layout-id-and-title"),
        R::PointsHeader => t!("layout-points-header", point = "{point}"),
        R::PointsFrom => t!("layout-points-from", max = max),
        R::PointsByPosition => t!("layout-points-by-position", point = "{point}"),
        R::DataShift => t!("layout-data-shift"),
        R::FirstCellEmpty => t!("layout-first-cell-empty"),
        R::NoHeaderRow => t!("layout-no-header-row"),
        R::AfterPointsNeedsPositions => {
            t!("layout-after-points", after = "{ after_points = N }")
        }
        R::MarkInRemark => t!("layout-mark-in-remark"),
        _ => r.to_string(),
    }
}

/// Why stored bytes are not an event, in words (the decoder's own detail, in English, only in the
/// English).
pub fn decode(e: &DecodeError) -> String {
    use DecodeError as D;
    match e {
        D::Malformed(m) => t!("decode-malformed", detail = m.as_str()),
        D::TrailingBytes(n) => t!("decode-trailing-bytes", count = *n),
        D::UnknownVersion(v) => t!("decode-unknown-version", version = *v),
        D::ReservedField => t!(
            "decode-reserved-field",
            len = hyoka::domain::event::SIGNATURE_LEN
        ),
        D::NotVersion1(m) => t!("decode-not-version1", detail = m.as_str()),
        D::TooLarge(n) => t!(
            "decode-too-large",
            bytes = *n,
            max = hyoka::domain::event::MAX_EVENT_BYTES
        ),
        _ => e.to_string(),
    }
}

/// An operating system's error, worded by its kind (not found, permission denied, ...); one no kind
/// says is the OS's own text in English, its error number in Japanese.
pub fn os(e: &io::Error) -> String {
    use io::ErrorKind as K;
    if let Some(words) = super::file_words::own_io(e) {
        return words;
    }
    let Some(code) = e.raw_os_error() else {
        // hyoka's own I/O errors: the command line's are already in the chosen language.
        return match e.kind() {
            K::FileTooLarge => t!("os-too-large"),
            K::UnexpectedEof => t!("os-unexpected-eof"),
            _ => e.to_string(),
        };
    };
    match e.kind() {
        K::NotFound => t!("os-not-found"),
        K::PermissionDenied => t!("os-permission-denied"),
        K::AlreadyExists => t!("os-already-exists"),
        K::IsADirectory => t!("os-is-a-directory"),
        K::NotADirectory => t!("os-not-a-directory"),
        K::StorageFull | K::QuotaExceeded => t!("os-no-space"),
        K::ReadOnlyFilesystem => t!("os-read-only"),
        K::DirectoryNotEmpty => t!("os-directory-not-empty"),
        K::FileTooLarge => t!("os-too-large"),
        K::InvalidFilename => t!("os-invalid-filename"),
        K::Interrupted => t!("os-interrupted"),
        _ if code == libc::ELOOP => t!("os-link"),
        // The OS's own text in English; its error number in Japanese.
        _ => t!(
            "os-other",
            error = match super::i18n::lang() {
                super::i18n::Lang::En => e.to_string(),
                _ => code.to_string(),
            }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::errors::tests::english_run;
    use super::super::i18n::{Lang, in_lang};
    use super::*;
    use std::path::PathBuf;

    /// How many variants the enum `name` declares in `source`: its `#[error(...)]` lines.
    fn declared(source: &str, name: &str) -> usize {
        let start = format!("pub enum {name} {{");
        source
            .lines()
            .skip_while(|l| *l != start)
            .take_while(|l| *l != "}")
            .filter(|l| l.trim_start().starts_with("#[error"))
            .count()
    }

    /// Distinct variants among samples.
    fn distinct<T>(samples: &[T]) -> usize {
        samples
            .iter()
            .map(std::mem::discriminant)
            .collect::<std::collections::HashSet<_>>()
            .len()
    }

    fn every_checkpoint_error() -> Vec<CheckpointError> {
        use CheckpointError as C;
        vec![
            C::NotUtf8,
            C::MissingFinalNewline,
            C::ControlCharacter { offset: 4, byte: 9 },
            C::TooFewLines { found: 2 },
            C::BadOrigin,
            C::MalformedSize("01".into()),
            C::MalformedRoot,
            C::BadExtension { line: 4 },
            C::Note(NoteError::NoSignatures),
            C::Unsigned,
        ]
    }

    fn every_note_error() -> Vec<NoteError> {
        use NoteError as N;
        vec![
            N::InvalidKeyName("a b".into()),
            N::MalformedVerifierKey(KeyProblem::VerifierParts),
            N::MalformedSignerKey(KeyProblem::NoPrivatePrefix),
            N::UnsupportedAlgorithm(2),
            N::KeyIdMismatch {
                declared: 1,
                computed: 0xabcdef01,
            },
            N::Random("no entropy".into()),
            N::NotUtf8,
            N::ControlCharacter {
                offset: 3,
                byte: 0x1b,
            },
            N::TextMissingNewline,
            N::MissingSignatureBlock,
            N::NoSignatures,
            N::MissingFinalNewline,
            N::MalformedSignatureLine {
                line: 2,
                reason: LineProblem::NoDash,
            },
            N::TooManySignatures { max: 100 },
            N::NoSignatureByKey {
                name: "city.example/plan".into(),
                key_id: 7,
            },
            N::BadSignature {
                name: "city.example/plan".into(),
                key_id: 7,
            },
        ]
    }

    fn every_key_problem() -> Vec<KeyProblem> {
        use KeyProblem as K;
        vec![
            K::NoPrivatePrefix,
            K::PrivateParts,
            K::VerifierParts,
            K::KeyId,
            K::Seed,
            K::Public,
            K::NotAPoint,
        ]
    }

    fn every_line_problem() -> Vec<LineProblem> {
        use LineProblem as L;
        vec![L::NoDash, L::NoSpace, L::KeyName, L::NotBase64, L::TooShort]
    }

    fn every_proof_text_error() -> Vec<TlogProofError> {
        use TlogProofError as P;
        vec![
            P::NotUtf8,
            P::BadHeader,
            P::MalformedExtra,
            P::MalformedIndex,
            P::MalformedOldSize,
            P::MalformedHash { line: 3 },
            P::TooManyProofLines { max: 63 },
            P::Truncated,
            P::MissingCheckpoint,
            P::Checkpoint(CheckpointError::MalformedRoot),
            P::Merkle(MerkleError::RootMismatch),
        ]
    }

    fn every_merkle_error() -> Vec<MerkleError> {
        use MerkleError as M;
        vec![
            M::Storage("disk".into()),
            M::ReadMismatch {
                requested: 3,
                returned: 2,
            },
            M::IndexOutOfRange { index: 9, size: 3 },
            M::InvalidSizes { old: 5, new: 3 },
            M::EmptyOldTree { new: 3 },
            M::TreeTooLarge(1 << 63),
            M::ProofLength {
                expected: 4,
                actual: 3,
            },
            M::HashLength {
                what: "root",
                len: 31,
            },
            M::ProofHashLength { index: 2, len: 31 },
            M::RootMismatch,
            M::OldRootMismatch,
            M::Internal("split"),
        ]
    }

    fn every_invalid() -> Vec<Invalid> {
        use Invalid as V;
        vec![
            V::CheckpointTooBig {
                of: CheckpointOf::Old,
                bytes: 70_000,
                max: 65_536,
            },
            V::Checkpoint {
                of: CheckpointOf::Proof,
                why: CheckpointError::MissingFinalNewline,
            },
            V::ProofTooBig {
                bytes: 3 << 20,
                max: 2 << 20,
            },
            V::Proof(TlogProofError::BadHeader),
            V::ConsistencyProofTooBig { bytes: 80_000 },
            V::ConsistencyProof(TlogProofError::MalformedOldSize),
            V::SignatureUncheckable(NoteError::NoSignatures),
            V::OldLargerThanNew { old: 9, new: 3 },
            V::NotLogKeyToSign {
                key: "a+00000001".into(),
                log_key: "a+00000002".into(),
            },
            V::NotLogKey {
                key: "a+00000001".into(),
                log_key: "a+00000002".into(),
            },
            V::NoLogKey,
            V::LogKeyNotOfOrigin {
                key: "a".into(),
                origin: "b".into(),
            },
            V::OtherLogKey {
                key: "a+00000002".into(),
            },
            V::CannotSign(CheckpointError::Note(NoteError::TextMissingNewline)),
            V::EmptyExport,
            V::NoPlan,
            V::RestoreTargetExists(PathBuf::from("l")),
            V::NotADirectoryName(PathBuf::from("..")),
            V::NothingToRestore,
            V::NothingToRecord,
            V::NotLedgerFile {
                path: PathBuf::from("l/x"),
                top: true,
            },
            V::NotLedgerFile {
                path: PathBuf::from("l/store/x"),
                top: false,
            },
            V::ChangedWhileCopied {
                path: PathBuf::from("l/store/db"),
                size: 5,
                copied: 7,
            },
            V::FewerEvents { events: 3, size: 5 },
            V::Merkle(MerkleError::IndexOutOfRange { index: 9, size: 3 }),
            V::SourceFileName("a/b.csv".into()),
            V::Poisoned,
        ]
    }

    fn every_proof_problem() -> Vec<ProofProblem> {
        use ProofProblem as P;
        vec![
            P::NoExtra,
            P::ExtraTooShort(4),
            P::PrevHashDiffers,
            P::IndexNotSeq { index: 3, seq: 4 },
            P::NotIncluded {
                index: 3,
                size: 9,
                why: MerkleError::RootMismatch,
            },
            P::OldSizeDiffers { proof: 3, old: 4 },
            P::Shrinks { new: 3, old: 4 },
            P::EmptyRoot,
            P::NotConsistent {
                old: 3,
                new: 9,
                why: MerkleError::OldRootMismatch,
            },
        ]
    }

    fn every_line_damage() -> Vec<LineDamage> {
        use LineDamage as L;
        vec![
            L::TooLong(4 << 20),
            L::Truncated,
            L::CarriageReturn(9),
            L::NotJson {
                eof: true,
                column: 30,
            },
            L::NotJson {
                eof: false,
                column: 3,
            },
            L::DuplicateMember(12),
            L::NotObject,
            L::UnknownField("extra".into()),
            L::Missing("prev"),
        ]
    }

    fn every_bundle_damage() -> Vec<BundleDamage> {
        use BundleDamage as B;
        vec![
            B::TooBig(8192),
            B::Entries(BundleError::Truncated { index: 3 }),
            B::Entries(BundleError::Count {
                expected: 256,
                found: 3,
            }),
            B::EndsInsideEvent(3),
            B::BytesAfter(256),
            B::EventCount {
                found: 3,
                expected: 256,
            },
        ]
    }

    fn every_decode_error() -> Vec<DecodeError> {
        use DecodeError as D;
        vec![
            D::Malformed("unexpected end".into()),
            D::TrailingBytes(3),
            D::UnknownVersion(9),
            D::ReservedField,
            D::NotVersion1("a quarter".into()),
            D::TooLarge(2 << 20),
        ]
    }

    fn every_layout_rule() -> Vec<LayoutRule> {
        use LayoutRule as R;
        vec![
            R::NoHeaderText("id".into()),
            R::EmptyHeaderText("department".into()),
            R::BadColumn("heading".into()),
            R::Name,
            R::IdAndTitle,
            R::PointsHeader,
            R::PointsFrom,
            R::PointsByPosition,
            R::DataShift,
            R::FirstCellEmpty,
            R::NoHeaderRow,
            R::AfterPointsNeedsPositions,
            R::MarkInRemark,
        ]
    }

    /// Every variant of each typed error of damaged files has a sample above.
    #[test]
    fn every_variant_has_a_sample() {
        let error = include_str!("../error.rs");
        let note = include_str!("../tlog/note.rs");
        for (name, samples, declared) in [
            (
                "Invalid",
                distinct(&every_invalid()),
                declared(error, "Invalid"),
            ),
            (
                "ProofProblem",
                distinct(&every_proof_problem()),
                declared(error, "ProofProblem"),
            ),
            (
                "LineDamage",
                distinct(&every_line_damage()),
                declared(error, "LineDamage"),
            ),
            (
                "BundleDamage",
                distinct(&every_bundle_damage()),
                declared(error, "BundleDamage"),
            ),
            (
                "CheckpointError",
                distinct(&every_checkpoint_error()),
                declared(include_str!("../tlog/checkpoint.rs"), "CheckpointError"),
            ),
            (
                "NoteError",
                distinct(&every_note_error()),
                declared(note, "NoteError"),
            ),
            (
                "KeyProblem",
                distinct(&every_key_problem()),
                declared(note, "KeyProblem"),
            ),
            (
                "LineProblem",
                distinct(&every_line_problem()),
                declared(note, "LineProblem"),
            ),
            (
                "TlogProofError",
                distinct(&every_proof_text_error()),
                declared(include_str!("../tlog/proof_text.rs"), "TlogProofError"),
            ),
            (
                "MerkleError",
                distinct(&every_merkle_error()),
                declared(include_str!("../tlog/merkle.rs"), "MerkleError"),
            ),
            (
                "LayoutRule",
                distinct(&every_layout_rule()),
                declared(include_str!("../table/layout.rs"), "LayoutRule"),
            ),
            (
                "DecodeError",
                distinct(&every_decode_error()),
                declared(include_str!("../domain/event/mod.rs"), "DecodeError"),
            ),
        ] {
            assert!(declared > 0, "{name}: no variant found in its source");
            assert_eq!(samples, declared, "a variant of {name} has no sample");
        }
    }

    /// Each sample's words: in English the library's own `Display`; in Japanese other words, with
    /// kana and no run of three English words.
    fn check<T: std::fmt::Display + std::fmt::Debug>(samples: &[T], words: impl Fn(&T) -> String) {
        for s in samples {
            assert_eq!(in_lang(Lang::En, || words(s)), s.to_string(), "{s:?}");
            let ja = in_lang(Lang::Ja, || words(s));
            assert_ne!(ja, s.to_string(), "{s:?}");
            assert!(
                ja.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)),
                "{s:?}: {ja}"
            );
            assert_eq!(english_run(&ja), None, "{s:?}: {ja}");
        }
    }

    #[test]
    fn damaged_files_are_worded_in_both_languages() {
        check(&every_invalid(), invalid);
        check(&every_proof_problem(), proof_problem);
        check(&every_line_damage(), line_damage);
        check(&every_bundle_damage(), bundle_damage);
        check(&every_checkpoint_error(), checkpoint_error);
        check(&every_note_error(), note_error);
        check(&every_key_problem(), |k| key_problem(*k));
        check(&every_line_problem(), |l| line_problem(*l));
        check(&every_proof_text_error(), proof_text);
        check(&every_merkle_error(), merkle);
        check(&every_decode_error(), decode);
        let rules: Vec<LayoutError> = every_layout_rule()
            .into_iter()
            .map(LayoutError::Rule)
            .collect();
        check(&rules, layout);
        check(
            &[
                CheckpointDamage::TooBig(65_536),
                CheckpointDamage::Malformed(CheckpointError::Unsigned),
            ],
            checkpoint_damage,
        );
    }

    /// A layout that is not TOML of the layout format: its place, and the unknown or missing key
    /// worded.
    #[test]
    fn layout_toml_errors_say_where_and_which_key() {
        let base = "name = \"x\"\n[columns]\nheading = \"見出し\"\nid = \"番号\"\ntitle = \"項目\"\ndepartment = \"課\"\n[points]\nheader = \"{point}\"\n";
        let Err(e) = hyoka::table::layout::Layout::parse(&format!("{base}colour = 1\n")) else {
            panic!("a layout with an unknown key was accepted");
        };
        let ja = in_lang(Lang::Ja, || layout(&e));
        assert!(ja.contains("知らないキー `colour` があります"), "{ja}");
        assert!(ja.contains("行目"), "{ja}");
        assert_eq!(english_run(&ja), None, "{ja}");
        let en = in_lang(Lang::En, || layout(&e));
        assert!(
            en.starts_with("the layout is not valid: unknown key `colour`"),
            "{en}"
        );
    }

    /// The OS's errors by kind: in Japanese without the OS's English, the error number where no kind
    /// says it.
    #[test]
    fn os_errors_are_worded_by_kind() {
        for (code, words) in [
            (libc::ENOENT, "ファイルやディレクトリがありません"),
            (libc::EACCES, "アクセスが許可されていません"),
            (libc::EEXIST, "すでにあります"),
            (libc::EISDIR, "ファイルではなくディレクトリです"),
            (libc::ENOTDIR, "ディレクトリではありません"),
            (libc::ENOSPC, "ディスクに空きがありません"),
            (libc::EROFS, "読み取り専用のファイルシステムです"),
            (libc::ELOOP, "シンボリックリンクです (hyoka はたどりません)"),
            (libc::EIO, "OS のエラー (番号 5)"),
        ] {
            let e = io::Error::from_raw_os_error(code);
            assert_eq!(in_lang(Lang::Ja, || os(&e)), words, "{e}");
            let en = in_lang(Lang::En, || os(&e));
            assert!(en.is_ascii() && !en.is_empty(), "{en}");
        }
        let en = in_lang(Lang::En, || os(&io::Error::from_raw_os_error(libc::ENOENT)));
        assert_eq!(en, "no such file or directory");
        let eio = io::Error::from_raw_os_error(libc::EIO);
        assert_eq!(in_lang(Lang::En, || os(&eio)), eio.to_string());
        // hyoka's own: the command line's words pass as they are.
        let own = io::Error::other("エクスポートを書けません");
        assert_eq!(in_lang(Lang::Ja, || os(&own)), "エクスポートを書けません");
    }
}
