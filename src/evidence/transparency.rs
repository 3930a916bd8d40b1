//! The ledger as a transparency log: its checkpoint, signing it without ever signing two inconsistent
//! checkpoints, and checking a checkpoint (and its signature) against the ledger.
//!
//! The last checkpoint signed for a ledger is kept verbatim (the signed note) in the file `CHECKPOINT` of
//! the ledger directory. It is not part of the event log: it is the log operator's memory of what it has
//! published, written (fsync, rename, fsync of the directory) before a new signature is handed out, and
//! consulted before every signature: a checkpoint is signed only if the ledger is an append-only
//! extension of the last one signed (C2SP tlog-checkpoint: "A log MUST not sign any checkpoint which is
//! inconsistent with any checkpoint it previously signed").

use std::path::Path;

use crate::domain::event;
use crate::error::{CheckpointOf, Error, IntegrityError, Invalid, Result};
use crate::evidence::prefix::{self, Log};
use crate::ledger::anchor::MAX_CHECKPOINT_BYTES;
use crate::ledger::anchor::{self, Signature};
use crate::ledger::{Ledger, VerifyReport};
use crate::store::Store;
use crate::tlog::checkpoint::{self, Checkpoint};
use crate::tlog::merkle;
use crate::tlog::note::{self, NoteError, SignerKey, VerifierKey};

/// A checkpoint signed by [`sign`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The checkpoint.
    pub checkpoint: Checkpoint,
    /// The signed note (checkpoint text, blank line, signature line).
    pub note: String,
    /// The size of the previous signed checkpoint it was checked against, if there was one.
    pub previous: Option<u64>,
    /// Where a kept checkpoint that failed its check (damaged, forged, or by another key) was moved.
    pub moved_aside: Option<String>,
    /// Whether the key became the ledger's log key with this signature (it had none).
    pub log_key_set: bool,
}

/// What [`check`] established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The checkpoint.
    pub checkpoint: Checkpoint,
    /// Whether a signature by the given key was verified.
    pub signature_checked: bool,
    /// The full verification of the ledger.
    pub report: VerifyReport,
}

/// The ledger's origin, from its first event (the plan definition).
pub fn origin<S: Store>(ledger: &Ledger<S>) -> Result<String> {
    ledger.origin()
}

/// Verifies the whole ledger and returns its checkpoint (origin, number of events, root).
pub fn current<S: Store + Sync>(
    ledger: &Ledger<S>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(Checkpoint, VerifyReport)> {
    let report = ledger.verify(progress)?;
    let cp = Checkpoint {
        origin: origin(ledger)?,
        size: report.events,
        root: report.root,
        extensions: Vec::new(),
    };
    Ok((cp, report))
}

/// Checks that the ledger, verified to hold `report.events` events with root `report.root`, is an
/// append-only extension of the checkpoint `cp` (same origin assumed): the ledger's stored root at the
/// checkpoint's size is the checkpoint's root, and the consistency proof from the stored hashes verifies.
pub fn check_extends<S: Store>(
    ledger: &Ledger<S>,
    report: &VerifyReport,
    cp: &Checkpoint,
) -> Result<()> {
    extends(ledger, report.events, &report.root, cp)
}

/// Checks that `new`, a checkpoint of this ledger taken by a full verification ([`current`] or
/// [`sign`]), extends the older checkpoint `old` (e.g. a previous backup's): the same origin, and the
/// checks of [`check_extends`].
pub fn check_checkpoint_extends<S: Store>(
    ledger: &Ledger<S>,
    new: &Checkpoint,
    old: &Checkpoint,
) -> Result<()> {
    if old.origin != new.origin {
        return Err(IntegrityError::CheckpointOtherOrigin {
            ledger: new.origin.clone(),
            checkpoint: old.origin.clone(),
        }
        .into());
    }
    extends(ledger, new.size, &new.root, old)
}

/// [`check_extends`] for a ledger verified to hold `events` events with root `root`.
fn extends<S: Store>(
    ledger: &Ledger<S>,
    events: u64,
    root: &event::Hash,
    cp: &Checkpoint,
) -> Result<()> {
    prefix::check(cp, None, events, Log::Ledger, |n| ledger.tree_root(n))?;
    if cp.size == 0 {
        // The empty tree is a prefix of every tree.
        return Ok(());
    }
    let proof = ledger.prove_consistency(cp.size, events)?;
    merkle::check_tree(&proof, events, root, cp.size, &cp.root).map_err(|e| {
        IntegrityError::StoreUnreadable(crate::store::StoreDamage::TreeNotConsistent {
            size: cp.size,
            why: e,
        })
        .into()
    })
}

/// Checks the signature by `key` on a checkpoint's note (signatures by other keys are ignored): a bad
/// one, or none by that key, is an integrity failure naming the key.
pub fn check_note_signature(note: &note::Note, key: &VerifierKey) -> Result<()> {
    let label = anchor::key_label(key);
    match note::verify_note(note, key) {
        Ok(()) => Ok(()),
        Err(NoteError::BadSignature { .. }) => {
            Err(IntegrityError::CheckpointBadSignature { key: label }.into())
        }
        Err(NoteError::NoSignatureByKey { .. }) => {
            Err(IntegrityError::CheckpointNotSignedByKey { key: label }.into())
        }
        Err(e) => Err(Error::Invalid(Invalid::SignatureUncheckable(e))),
    }
}

/// Reads the last signed checkpoint of the ledger in `dir`, if any: the checkpoint and its note text.
pub fn last_signed(dir: &Path) -> Result<Option<(Checkpoint, String)>> {
    Ok(anchor::kept_checkpoint(dir)?.map(|k| (k.checkpoint, k.note.to_text())))
}

/// Which key checked the kept checkpoint's signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// The key given by the caller (`--vkey`).
    Given,
    /// The ledger's log key, kept in its directory.
    LogKey,
    /// No key: the signature was not checked.
    None,
}

/// What [`check_kept`] found of the kept checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptCheck {
    /// Its tree size (when it could be read).
    pub size: Option<u64>,
    /// Its signature.
    pub signature: Signature,
    /// Which key checked it.
    pub key: KeySource,
    /// Whether the ledger was proved to extend it (false when it was ignored).
    pub extended: bool,
    /// Why it was ignored, if it was: damaged, or its signature failed.
    pub ignored: Option<String>,
}

/// Checks the kept checkpoint (the last one the ledger signed) after a full verification: its
/// signature by `key`, else by the ledger's log key, then that the ledger extends it. One whose
/// signature fails, or that is damaged, is reported and ignored (it proves nothing); one whose
/// signature cannot be checked (no key) is still used, as it always was. `None`: there is none.
pub fn check_kept<S: Store>(
    ledger: &Ledger<S>,
    report: &VerifyReport,
    key: Option<&VerifierKey>,
) -> Result<Option<KeptCheck>> {
    let log_key = anchor::log_key(ledger.dir())?;
    let (key, source) = match (key, &log_key) {
        (Some(k), _) => (Some(k), KeySource::Given),
        (None, Some(k)) => (Some(k), KeySource::LogKey),
        (None, None) => (None, KeySource::None),
    };
    let kept = match anchor::kept_checkpoint(ledger.dir()) {
        Ok(None) => return Ok(None),
        Ok(Some(k)) => k,
        Err(Error::Integrity(IntegrityError::SignedCheckpointDamaged(why))) => {
            return Ok(Some(KeptCheck {
                size: None,
                signature: Signature::Unchecked,
                key: source,
                extended: false,
                ignored: Some(format!("it is damaged ({why})")),
            }));
        }
        Err(e) => return Err(e),
    };
    let signature = anchor::check_signature(&kept.note, key);
    if let Signature::Failed { key, why } = &signature {
        return Ok(Some(KeptCheck {
            size: Some(kept.checkpoint.size),
            ignored: Some(format!("its signature check by {key} failed: {why}")),
            signature,
            key: source,
            extended: false,
        }));
    }
    check_extends(ledger, report, &kept.checkpoint)?;
    Ok(Some(KeptCheck {
        size: Some(kept.checkpoint.size),
        signature,
        key: source,
        extended: true,
        ignored: None,
    }))
}

/// Verifies the ledger, checks that it extends the last checkpoint signed for it (refusing otherwise),
/// signs its checkpoint with `key` (whose name must be the ledger's origin), and records the signed
/// checkpoint durably as the last one before returning it.
///
/// `key` must be the ledger's log key; a ledger without one takes `key` as its log key. A kept
/// checkpoint that does not verify with the key (damaged, forged, or by another key) proves nothing
/// and is moved aside (to a name made with `now`), never deleted.
pub fn sign<S: Store + Sync>(
    ledger: &Ledger<S>,
    key: &SignerKey,
    now: i64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Signed> {
    let origin = origin(ledger)?;
    if key.name() != origin {
        return Err(Error::KeyNotOfOrigin {
            key: key.name().to_string(),
            origin: origin.to_string(),
        });
    }
    let verifier = key.verifier();
    if let Some(v) = anchor::log_key(ledger.dir())?
        && v.to_text() != verifier.to_text()
    {
        return Err(Error::Invalid(Invalid::NotLogKeyToSign {
            key: anchor::key_label(&verifier),
            log_key: anchor::key_label(&v),
        }));
    }
    let (cp, report) = current(ledger, progress)?;
    let mut moved_aside = None;
    let previous = match anchor::kept_checkpoint(ledger.dir()) {
        Ok(None) => None,
        Ok(Some(kept)) => match anchor::check_signature(&kept.note, Some(&verifier)) {
            Signature::Verified { .. } => Some(kept.checkpoint),
            _ => {
                moved_aside = Some(anchor::move_aside(ledger.dir(), now)?);
                None
            }
        },
        Err(Error::Integrity(IntegrityError::SignedCheckpointDamaged(_))) => {
            moved_aside = Some(anchor::move_aside(ledger.dir(), now)?);
            None
        }
        Err(e) => return Err(e),
    };
    if let Some(last) = &previous {
        if last.origin != origin {
            return Err(IntegrityError::CheckpointOtherOrigin {
                ledger: origin,
                checkpoint: last.origin.clone(),
            }
            .into());
        }
        check_extends(ledger, &report, last)?;
    }
    let log_key_set = anchor::set_log_key(ledger.dir(), &origin, &verifier)?;
    let note = anchor::sign_and_keep(ledger.dir(), &cp, key)?;
    Ok(Signed {
        checkpoint: cp,
        note,
        previous: previous.map(|c| c.size),
        moved_aside,
        log_key_set,
    })
}

/// Checks a checkpoint (a signed note, or a bare checkpoint text) against the ledger: its signature by
/// `key` when one is given (signatures by other keys are ignored, as the signed-note spec requires), its
/// origin, then a full verification of the ledger, then that the ledger is an append-only extension of
/// it (a consistency proof from the stored hashes, checked against the recomputed root).
pub fn check<S: Store + Sync>(
    ledger: &Ledger<S>,
    bytes: &[u8],
    key: Option<&VerifierKey>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Checked> {
    if bytes.len() > MAX_CHECKPOINT_BYTES {
        return Err(Error::Invalid(Invalid::CheckpointTooBig {
            of: CheckpointOf::Given,
            bytes: bytes.len(),
            max: MAX_CHECKPOINT_BYTES,
        }));
    }
    let (cp, note) = checkpoint::parse_signed(bytes).map_err(|why| {
        Error::Invalid(Invalid::Checkpoint {
            of: CheckpointOf::Given,
            why,
        })
    })?;
    if let Some(key) = key {
        check_note_signature(&note, key)?;
    }
    let origin = origin(ledger)?;
    if cp.origin != origin {
        return Err(IntegrityError::CheckpointOtherOrigin {
            ledger: origin,
            checkpoint: cp.origin,
        }
        .into());
    }
    let mut report = ledger.verify(progress)?;
    check_extends(ledger, &report, &cp)?;
    // The ledger extends the checkpoint given: the events it covers are proven against it.
    if cp.size > report.vouched.events {
        report.vouched = crate::ledger::Vouched {
            events: cp.size,
            by: crate::ledger::VouchedBy::GivenCheckpoint,
        };
    }
    Ok(Checked {
        checkpoint: cp,
        signature_checked: key.is_some(),
        report,
    })
}

/// After a restore: checks `bytes` (a checkpoint, signed or not) against the ledger as [`check`] does,
/// and, when it is a signed note, records it as the ledger's last signed checkpoint, so that the restored
/// ledger goes on refusing to sign anything inconsistent with what was published before. When `key`
/// verified its signature, `key` becomes the restored ledger's log key, and the checkpoint its anchor.
pub fn adopt<S: Store + Sync>(
    ledger: &Ledger<S>,
    bytes: &[u8],
    key: Option<&VerifierKey>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Checked> {
    let checked = check(ledger, bytes, key, progress)?;
    let (_, note) = checkpoint::parse_signed(bytes).map_err(|why| {
        Error::Invalid(Invalid::Checkpoint {
            of: CheckpointOf::Given,
            why,
        })
    })?;
    if note.is_signed() {
        anchor::keep_checkpoint(ledger.dir(), &note.to_text())?;
        // Its signature verified with `key`: that is the log key of the ledger it came from.
        if let Some(k) = key {
            anchor::set_log_key(ledger.dir(), &checked.checkpoint.origin, k)?;
        }
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::Change;
    use crate::domain::period::{Part, Period};
    use crate::ledger::anchor::CHECKPOINT_FILE;
    use crate::ledger::{Access, Meta};

    fn meta(at: i64) -> Meta {
        Meta {
            author: "山田".into(),
            reason: "評価".into(),
            source: None,
            recorded_at: at,
            // These ledgers rate points years apart (the new-point rule has its own tests).
            new_point: true,
            signer: None,
        }
    }

    /// A ledger of origin `origin` with a plan, a heading, an item and one rating per grade.
    fn ledger(dir: &Path, origin: &str, grades: &[&str]) -> Ledger {
        let plan = Change::PlanDefined {
            name: "plan".into(),
            grades: vec!["S".into(), "A".into(), "B".into()],
            default_era: None,
            origin: origin.into(),
            cadence: Default::default(),
            years: None,
        };
        let item = Change::ItemRegistered {
            id: crate::domain::item_id::ItemId::from_number(1),
            title: "t".into(),
            department: "d".into(),
            category: "c".into(),
            relisting_of: None,
            from: None,
            after: None,
        };
        let more = [Change::CategoryAdded { name: "c".into() }, item];
        let mut l = Ledger::create(dir, &meta(1), plan, &more, Access::default()).unwrap();
        for (i, g) in grades.iter().enumerate() {
            let change = Change::RatingRecorded {
                item: crate::domain::item_id::ItemId::from_number(1),
                period: Period {
                    fiscal_year: 2014 + i as u16,
                    part: Part::FirstHalf,
                },
                grade: (*g).into(),
            };
            l.append(&meta(2 + i as i64), &[change]).unwrap();
        }
        l
    }

    fn key(name: &str, seed: u8) -> SignerKey {
        SignerKey::from_seed(name, &[seed; 32]).unwrap()
    }

    fn integrity(r: Result<impl std::fmt::Debug>) -> IntegrityError {
        match r {
            Err(Error::Integrity(e)) => e,
            other => panic!("expected an integrity failure, got {other:?}"),
        }
    }

    #[test]
    fn signing_records_the_checkpoint_and_accepts_extensions() {
        let d = tempfile::tempdir().unwrap();
        let mut l = ledger(&d.path().join("a"), "ex/a", &["A", "B"]);
        assert_eq!(last_signed(l.dir()).unwrap(), None);
        let k = key("ex/a", 1);
        let s = sign(&l, &k, 0, &mut |_, _| {}).unwrap();
        assert_eq!((s.checkpoint.size, s.previous), (5, None));
        assert_eq!(s.checkpoint.root, l.tree_root(5).unwrap());
        let (cp, text) = last_signed(l.dir()).unwrap().unwrap();
        assert_eq!((cp, text.clone()), (s.checkpoint.clone(), s.note.clone()));
        checkpoint::open_signed(text.as_bytes(), &k.verifier()).unwrap();
        // Signing the same size again, then after appending, is consistent.
        assert_eq!(sign(&l, &k, 0, &mut |_, _| {}).unwrap().note, s.note);
        l.append(
            &meta(50),
            &[Change::ItemWithdrawn {
                id: crate::domain::item_id::ItemId::from_number(1),
            }],
        )
        .unwrap();
        let s2 = sign(&l, &k, 0, &mut |_, _| {}).unwrap();
        assert_eq!((s2.checkpoint.size, s2.previous), (6, Some(5)));
        let c = check(&l, s.note.as_bytes(), Some(&k.verifier()), &mut |_, _| {}).unwrap();
        assert!(c.signature_checked);
        assert_eq!(c.report.events, 6);
    }

    #[test]
    fn a_key_named_otherwise_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let l = ledger(&d.path().join("a"), "ex/a", &[]);
        let e = sign(&l, &key("ex/b", 1), 0, &mut |_, _| {}).unwrap_err();
        assert!(e.to_string().contains("origin is ex/a"), "{e}");
        assert!(!l.dir().join(CHECKPOINT_FILE).exists());
    }

    #[test]
    fn signing_refuses_a_ledger_inconsistent_with_the_last_signed_checkpoint() {
        let d = tempfile::tempdir().unwrap();
        let a = ledger(&d.path().join("a"), "ex/l", &["A", "B", "A"]);
        let k = key("ex/l", 1);
        sign(&a, &k, 0, &mut |_, _| {}).unwrap();
        let copy = |to: &Ledger| {
            std::fs::copy(
                a.dir().join(CHECKPOINT_FILE),
                to.dir().join(CHECKPOINT_FILE),
            )
            .unwrap()
        };
        // Same origin, same first events, another grade at seq 4 and longer: a rewritten history.
        let b = ledger(&d.path().join("b"), "ex/l", &["A", "S", "A", "B"]);
        copy(&b);
        let e = integrity(sign(&b, &k, 0, &mut |_, _| {}));
        assert_eq!(e.kind(), "checkpoint_root_mismatch", "{e}");
        // A shorter copy of the same history.
        let c = ledger(&d.path().join("c"), "ex/l", &["A", "B"]);
        copy(&c);
        let e = integrity(sign(&c, &k, 0, &mut |_, _| {}));
        assert_eq!(
            e,
            IntegrityError::LedgerShorterThanCheckpoint {
                ledger: 5,
                checkpoint: 6
            }
        );
        // The refusals left the recorded checkpoints alone, and set no log key.
        let before = std::fs::read(b.dir().join(CHECKPOINT_FILE)).unwrap();
        assert_eq!(
            before,
            std::fs::read(a.dir().join(CHECKPOINT_FILE)).unwrap()
        );
        assert_eq!(anchor::log_key(b.dir()).unwrap(), None);
        // A ledger of another origin holding that file: signed by another key, it proves nothing
        // about this ledger and is moved aside (kept), not obeyed.
        let other = ledger(&d.path().join("o"), "ex/o", &["A", "B", "A"]);
        copy(&other);
        let s = sign(&other, &key("ex/o", 2), 7, &mut |_, _| {}).unwrap();
        let aside = s.moved_aside.expect("moved aside");
        assert!(aside.starts_with(anchor::BAD_CHECKPOINT_PREFIX), "{aside}");
        assert_eq!(std::fs::read(other.dir().join(&aside)).unwrap(), before);
        assert!(s.log_key_set);
        // A damaged file, likewise.
        std::fs::write(b.dir().join(CHECKPOINT_FILE), b"ex/l\n3\n").unwrap();
        let s = sign(&b, &k, 0, &mut |_, _| {}).unwrap();
        let aside = s.moved_aside.expect("moved aside");
        assert_eq!(std::fs::read(b.dir().join(aside)).unwrap(), b"ex/l\n3\n");
        assert_eq!(s.previous, None);
        // Another key than the ledger's log key is refused.
        let e = sign(&b, &key("ex/l", 3), 0, &mut |_, _| {}).unwrap_err();
        assert!(e.to_string().contains("not this ledger's log key"), "{e}");
    }

    #[test]
    fn check_names_what_diverged() {
        let d = tempfile::tempdir().unwrap();
        let a = ledger(&d.path().join("a"), "ex/l", &["A", "B", "A"]);
        let k = key("ex/l", 1);
        let signed = sign(&a, &k, 0, &mut |_, _| {}).unwrap().note;
        let run = |l: &Ledger, text: &str, key: Option<&VerifierKey>| {
            check(l, text.as_bytes(), key, &mut |_, _| {})
        };
        // The ledger itself, with and without the key; a cosignature by another key is ignored.
        assert!(run(&a, &signed, Some(&k.verifier())).is_ok());
        assert!(!run(&a, &signed, None).unwrap().signature_checked);
        let mut note = note::parse_note(signed.as_bytes()).unwrap();
        note.add_signature(&key("witness.example", 9)).unwrap();
        assert!(run(&a, &note.to_text(), Some(&k.verifier())).is_ok());
        // A wrong key; a forged body under a real signature line.
        let e = integrity(run(&a, &signed, Some(&key("ex/l", 2).verifier())));
        assert_eq!(e.kind(), "checkpoint_not_signed_by_key", "{e}");
        let e = integrity(run(
            &a,
            &signed.replacen("\n6\n", "\n5\n", 1),
            Some(&k.verifier()),
        ));
        assert_eq!(e.kind(), "checkpoint_bad_signature", "{e}");
        let e = integrity(run(
            &a,
            &note::parse_note(signed.as_bytes()).unwrap().text,
            Some(&k.verifier()),
        ));
        assert_eq!(e.kind(), "checkpoint_not_signed_by_key", "{e}");
        // A rewritten history, at the same size and longer; a shorter one; another origin.
        for grades in [&["A", "S", "A"][..], &["A", "S", "A", "B"]] {
            let b = ledger(&d.path().join(grades.len().to_string()), "ex/l", grades);
            let e = integrity(run(&b, &signed, Some(&k.verifier())));
            assert_eq!(e.kind(), "checkpoint_root_mismatch", "{e}");
            assert!(e.to_string().contains("tree of 6 events"), "{e}");
        }
        let c = ledger(&d.path().join("c"), "ex/l", &["A"]);
        let e = integrity(run(&c, &signed, None));
        assert_eq!(
            (e.kind(), e.seq()),
            ("ledger_shorter_than_checkpoint", Some(4))
        );
        let o = ledger(&d.path().join("o"), "ex/o", &["A", "B", "A"]);
        let e = integrity(run(&o, &signed, None));
        assert_eq!(e.kind(), "checkpoint_other_origin", "{e}");
        // Malformed input is an input error, not an integrity failure.
        for bad in [
            "",
            "ex/l\n6\n",
            "ex/l\n6\nroot\n",
            &signed.replace("— ", "- "),
        ] {
            assert!(
                matches!(run(&a, bad, None), Err(Error::Invalid(_))),
                "{bad:?}"
            );
        }
    }
}
