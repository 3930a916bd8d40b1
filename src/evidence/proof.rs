//! Offline proofs (`schema/FORMAT.md` section 9): that one event is in a checkpoint's tree (a C2SP
//! tlog-proof whose extra data carries the event), and that a checkpoint's tree extends an older one (a
//! C2SP tlog-witness add-checkpoint body). Made from a ledger; checked with nothing but the proof, the
//! checkpoint(s) and, for authenticity, the log's verifier key.

use crate::domain::event::{self, Hash, StoredEvent};
use crate::error::{CheckpointOf, Error, IntegrityError, Invalid, ProofProblem, Result};
use crate::evidence::prefix::{self, Log};
use crate::evidence::transparency;
use crate::ledger::Ledger;
use crate::ledger::anchor::MAX_CHECKPOINT_BYTES;
use crate::store::Store;
use crate::tlog::checkpoint::{self, Checkpoint};
use crate::tlog::merkle;
use crate::tlog::note::{Note, VerifierKey};
use crate::tlog::proof_text::{ConsistencyBody, TlogProof, TlogProofError};

/// The largest proof accepted: an event of at most 1 MiB in base64, proof lines and a checkpoint.
pub const MAX_PROOF_BYTES: usize = 2 << 20;

/// The extra data of an inclusion proof: `prev_hash (32 bytes) || stored bytes`, so that the event hash
/// is `BLAKE3(HASH_CONTEXT || extra)`.
pub fn extra(prev_hash: &Hash, stored_bytes: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(32 + stored_bytes.len());
    v.extend_from_slice(prev_hash);
    v.extend_from_slice(stored_bytes);
    v
}

/// Parses a checkpoint (signed note or bare text); malformed input is an input error.
pub fn parse_checkpoint(bytes: &[u8], of: CheckpointOf) -> Result<(Checkpoint, Note)> {
    if bytes.len() > MAX_CHECKPOINT_BYTES {
        return Err(Error::Invalid(Invalid::CheckpointTooBig {
            of,
            bytes: bytes.len(),
            max: MAX_CHECKPOINT_BYTES,
        }));
    }
    checkpoint::parse_signed(bytes).map_err(|why| Error::Invalid(Invalid::Checkpoint { of, why }))
}

/// Checks a checkpoint's signature by `key` (signatures by other keys are ignored) and that its origin is
/// the key's name (a log's key is named after its origin).
pub fn check_signature(cp: &Checkpoint, note: &Note, key: &VerifierKey) -> Result<()> {
    transparency::check_note_signature(note, key)?;
    if cp.origin != key.name() {
        return Err(IntegrityError::CheckpointOtherOrigin {
            ledger: key.name().to_string(),
            checkpoint: cp.origin.clone(),
        }
        .into());
    }
    Ok(())
}

/// Checks that `cp` is a checkpoint of this ledger: its origin, its size (not more events than the
/// ledger holds) and the ledger's root at its size.
pub fn check_against<S: Store>(ledger: &Ledger<S>, cp: &Checkpoint) -> Result<()> {
    let origin = transparency::origin(ledger)?;
    prefix::check(cp, Some(&origin), ledger.len(), Log::Ledger, |n| {
        ledger.tree_root(n)
    })
}

/// The inclusion proof of event `seq` against the checkpoint `checkpoint_text` (a checkpoint of this
/// ledger, included verbatim), checked offline before it is returned.
pub fn prove_inclusion<S: Store>(
    ledger: &Ledger<S>,
    seq: u64,
    checkpoint_text: &str,
) -> Result<TlogProof> {
    let (cp, _) = parse_checkpoint(checkpoint_text.as_bytes(), CheckpointOf::Given)?;
    check_against(ledger, &cp)?;
    if seq >= cp.size {
        return Err(Error::NotInCheckpoint { seq, size: cp.size });
    }
    let bytes = ledger.event_bytes(seq)?;
    let prev = ledger.event(seq)?.event.prev_hash;
    let proof = TlogProof {
        extra: Some(extra(&prev, &bytes)),
        index: seq,
        proof: ledger.prove_inclusion(seq, cp.size)?,
        checkpoint_text: checkpoint_text.to_string(),
    };
    check_inclusion(proof.to_text().as_bytes(), None)?;
    Ok(proof)
}

/// What [`check_inclusion`] established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Included {
    /// The checkpoint the event is in.
    pub checkpoint: Checkpoint,
    /// The event, decoded from the proof's extra data, with its hash.
    pub event: StoredEvent,
    /// Whether the checkpoint's signature was verified (a key was given).
    pub signature_checked: bool,
}

/// Verifies an inclusion proof without a ledger: the checkpoint's signature by `key` when given, the
/// extra data (`prev_hash || stored bytes`: the bytes decode, record that `prev_hash` and the proof's
/// index as their seq), and the inclusion proof of the event's leaf against the checkpoint's root.
pub fn check_inclusion(text: &[u8], key: Option<&VerifierKey>) -> Result<Included> {
    if text.len() > MAX_PROOF_BYTES {
        return Err(Error::Invalid(Invalid::ProofTooBig {
            bytes: text.len(),
            max: MAX_PROOF_BYTES,
        }));
    }
    let p = TlogProof::parse(text).map_err(|e| Error::Invalid(Invalid::Proof(e)))?;
    let (cp, note) = parse_checkpoint(p.checkpoint_text.as_bytes(), CheckpointOf::Proof)?;
    if let Some(k) = key {
        check_signature(&cp, &note, k)?;
    }
    let invalid = |why: ProofProblem| Error::from(IntegrityError::ProofInvalid(why));
    let extra = p
        .extra
        .as_deref()
        .ok_or_else(|| invalid(ProofProblem::NoExtra))?;
    if extra.len() < 32 {
        return Err(invalid(ProofProblem::ExtraTooShort(extra.len())));
    }
    let (prev, bytes) = extra.split_at(32);
    let decoded = event::decode(bytes).map_err(|e| IntegrityError::Undecodable {
        seq: p.index,
        why: e,
    })?;
    if decoded.prev_hash != prev {
        return Err(invalid(ProofProblem::PrevHashDiffers));
    }
    if decoded.seq != p.index {
        return Err(invalid(ProofProblem::IndexNotSeq {
            index: p.index,
            seq: decoded.seq,
        }));
    }
    if p.index >= cp.size {
        return Err(IntegrityError::EventNotInCheckpoint {
            seq: p.index,
            size: cp.size,
        }
        .into());
    }
    let hash = event::event_hash(&decoded.prev_hash, bytes);
    merkle::check_record(
        &p.proof,
        cp.size,
        &cp.root,
        p.index,
        &merkle::leaf_hash(&hash),
    )
    .map_err(|why| {
        invalid(ProofProblem::NotIncluded {
            index: p.index,
            size: cp.size,
            why,
        })
    })?;
    Ok(Included {
        checkpoint: cp,
        event: StoredEvent {
            event: decoded,
            hash,
        },
        signature_checked: key.is_some(),
    })
}

/// The consistency proof from the checkpoint `old_text` to `new_text` (both checkpoints of this ledger;
/// the new one is included verbatim), checked offline before it is returned.
pub fn prove_consistency<S: Store>(
    ledger: &Ledger<S>,
    old_text: &str,
    new_text: &str,
) -> Result<ConsistencyBody> {
    let (old, _) = parse_checkpoint(old_text.as_bytes(), CheckpointOf::Old)?;
    let (new, _) = parse_checkpoint(new_text.as_bytes(), CheckpointOf::New)?;
    check_against(ledger, &old)?;
    check_against(ledger, &new)?;
    if old.size > new.size {
        return Err(Error::Invalid(Invalid::OldLargerThanNew {
            old: old.size,
            new: new.size,
        }));
    }
    let proof = match old.size {
        0 => Vec::new(),
        n => ledger.prove_consistency(n, new.size)?,
    };
    let body = ConsistencyBody {
        old_size: old.size,
        proof,
        checkpoint_text: new_text.to_string(),
    };
    check_consistency(body.to_text().as_bytes(), old_text.as_bytes(), None)?;
    Ok(body)
}

/// What [`check_consistency`] established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consistent {
    /// The old checkpoint.
    pub old: Checkpoint,
    /// The new checkpoint, from the body.
    pub new: Checkpoint,
    /// Whether the new checkpoint's signature was verified (a key was given).
    pub new_signature_checked: bool,
    /// Whether the old checkpoint's signature was verified (a key was given and it is signed).
    pub old_signature_checked: bool,
}

/// Verifies a consistency proof (an add-checkpoint body) from the checkpoint `old` without a ledger, as
/// a C2SP witness does: with `key`, the new checkpoint's signature (and the old one's if it is signed);
/// the same origin; the body's old size is the old checkpoint's and not larger than the new size; equal
/// sizes have equal roots; size 0 has an empty proof; otherwise the RFC 6962 consistency proof.
pub fn check_consistency(body: &[u8], old: &[u8], key: Option<&VerifierKey>) -> Result<Consistent> {
    if body.len() > MAX_CHECKPOINT_BYTES + 64 * 64 {
        return Err(Error::Invalid(Invalid::ConsistencyProofTooBig {
            bytes: body.len(),
        }));
    }
    let b =
        ConsistencyBody::parse(body).map_err(|e| Error::Invalid(Invalid::ConsistencyProof(e)))?;
    let (new, new_note) = parse_checkpoint(b.checkpoint_text.as_bytes(), CheckpointOf::Proof)?;
    let (old, old_note) = parse_checkpoint(old, CheckpointOf::Old)?;
    let mut old_signature_checked = false;
    if let Some(k) = key {
        check_signature(&new, &new_note, k)?;
        if old_note.is_signed() {
            check_signature(&old, &old_note, k)?;
            old_signature_checked = true;
        }
    }
    if new.origin != old.origin {
        return Err(IntegrityError::CheckpointOtherOrigin {
            ledger: old.origin,
            checkpoint: new.origin,
        }
        .into());
    }
    let invalid = |why: ProofProblem| Error::from(IntegrityError::ProofInvalid(why));
    if b.old_size != old.size {
        return Err(invalid(ProofProblem::OldSizeDiffers {
            proof: b.old_size,
            old: old.size,
        }));
    }
    if old.size > new.size {
        return Err(invalid(ProofProblem::Shrinks {
            new: new.size,
            old: old.size,
        }));
    }
    if old.size == 0 && old.root != merkle::empty_tree_hash() {
        return Err(invalid(ProofProblem::EmptyRoot));
    }
    if old.size == new.size && old.root != new.root {
        return Err(IntegrityError::CheckpointRootMismatch {
            size: old.size,
            ledger: event::hex(&new.root),
            checkpoint: event::hex(&old.root),
        }
        .into());
    }
    b.check(&old.root).map_err(|e| match e {
        TlogProofError::Merkle(why) => invalid(ProofProblem::NotConsistent {
            old: old.size,
            new: new.size,
            why,
        }),
        e => Error::Invalid(Invalid::ConsistencyProof(e)),
    })?;
    Ok(Consistent {
        old,
        new,
        new_signature_checked: key.is_some(),
        old_signature_checked,
    })
}
