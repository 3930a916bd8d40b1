//! `hyoka backup DIR`: a verified export and its checkpoint, the way back from a damaged store.

use std::io::Read;
use std::path::Path;

use hyoka::error::IntegrityError;
use hyoka::evidence::transparency;
use hyoka::evidence::{export, proof};
use hyoka::ledger::Ledger;
use hyoka::ledger::anchor::MAX_CHECKPOINT_BYTES;
use hyoka::tlog::checkpoint::{self, Checkpoint};
use hyoka::tlog::note::{Note, VerifierKey};

use super::ctx::Ctx;
use super::failure::Failure;
use super::i18n::t;
use super::keys::{read_signer, replace_file};
use super::offline::{export_to_file, open_export};
use super::output::{self, out};

/// The export's file name in a backup directory.
pub const EXPORT_FILE: &str = "ledger.jsonl";
/// The checkpoint's file name in a backup directory.
pub const CHECKPOINT_FILE: &str = "checkpoint.txt";

/// The backup already in a backup directory: its checkpoint (`checkpoint.txt`).
struct OldBackup {
    checkpoint: Checkpoint,
    note: Note,
}

/// A refusal to replace the backup in `dir` (exit 3): `why`, then what to do.
fn keep_old(dir: &Path, why: String, todo: &str) -> Failure {
    Failure::integrity(t!(
        "backup-keep-old",
        dir = dir.display(),
        why = why,
        todo = todo
    ))
}

/// The backup in `dir`, if it holds one (`ledger.jsonl` or `checkpoint.txt`). A backup that cannot be
/// checked (no checkpoint, or a damaged one) is refused: it is never overwritten unseen.
fn old_backup(dir: &Path) -> Result<Option<OldBackup>, Failure> {
    let cp_path = dir.join(CHECKPOINT_FILE);
    let present = |p: &Path| p.symlink_metadata().is_ok();
    let move_away = t!("backup-todo-move-away");
    let move_away = move_away.as_str();
    if !present(&cp_path) {
        if present(&dir.join(EXPORT_FILE)) {
            return Err(keep_old(
                dir,
                t!(
                    "backup-no-checkpoint",
                    export = EXPORT_FILE,
                    checkpoint = CHECKPOINT_FILE
                ),
                move_away,
            ));
        }
        return Ok(None);
    }
    let cannot_read = |e: std::io::Error| {
        Failure::from(t!(
            "backup-cannot-read-old",
            file = cp_path.display(),
            error = super::damage::os(&e)
        ))
    };
    let mut bytes = Vec::new();
    std::fs::File::open(&cp_path)
        .map_err(cannot_read)?
        .take(MAX_CHECKPOINT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    let damaged = |why: String| {
        keep_old(
            dir,
            t!("backup-damaged", checkpoint = CHECKPOINT_FILE, why = why),
            move_away,
        )
    };
    if bytes.len() > MAX_CHECKPOINT_BYTES {
        return Err(damaged(t!("backup-too-big", max = MAX_CHECKPOINT_BYTES)));
    }
    let (checkpoint, note) = checkpoint::parse_signed(&bytes)
        .map_err(|e| damaged(super::damage::checkpoint_error(&e)))?;
    Ok(Some(OldBackup { checkpoint, note }))
}

/// The old backup's signature, when it is signed and the key of `--key` is at hand.
fn check_old_signature(dir: &Path, old: &OldBackup, key: &VerifierKey) -> Result<(), Failure> {
    if !old.note.is_signed() {
        return Ok(());
    }
    proof::check_signature(&old.checkpoint, &old.note, key).map_err(|e| {
        let why = match e {
            hyoka::error::Error::Integrity(IntegrityError::CheckpointNotSignedByKey { key }) => {
                t!("backup-other-key", checkpoint = CHECKPOINT_FILE, key = key)
            }
            hyoka::error::Error::Integrity(ie) => t!(
                "backup-fails-check",
                checkpoint = CHECKPOINT_FILE,
                error = super::errors::integrity(&ie)
            ),
            e => t!(
                "backup-cannot-check",
                checkpoint = CHECKPOINT_FILE,
                error = super::errors::error(&e)
            ),
        };
        keep_old(dir, why, &t!("backup-todo-other-key"))
    })
}

/// What to do when this ledger does not extend the backup in `dir`.
fn restore_instead(dir: &Path) -> String {
    t!(
        "backup-todo-restore",
        export = dir.join(EXPORT_FILE).display(),
        checkpoint = dir.join(CHECKPOINT_FILE).display()
    )
}

/// The refusal to replace a backup of `old` events by one of a ledger of `new` (fewer) events.
fn refuse_shorter(dir: &Path, old: u64, new: u64) -> Failure {
    keep_old(
        dir,
        t!("backup-shorter", old = old, new = new),
        &restore_instead(dir),
    )
}

/// The refusal to replace a backup of another ledger (origin) by one of this ledger.
fn refuse_other(dir: &Path, old: &Checkpoint, origin: &str, events: u64) -> Failure {
    keep_old(
        dir,
        t!(
            "backup-other-ledger",
            old_origin = old.origin.as_str(),
            old = old.size,
            origin = origin,
            events = events
        ),
        &t!("backup-todo-elsewhere"),
    )
}

/// Whether the ledger, verified to have the checkpoint `new`, extends the old backup (exit 3 if not).
fn check_extends_old(
    ledger: &Ledger,
    dir: &Path,
    old: &OldBackup,
    new: &Checkpoint,
) -> Result<(), Failure> {
    let (o, n) = (&old.checkpoint, new);
    let shorter = || refuse_shorter(dir, o.size, n.size);
    if o.size > n.size {
        return Err(shorter());
    }
    transparency::check_checkpoint_extends(ledger, n, o).map_err(|e| match e {
        hyoka::error::Error::Integrity(IntegrityError::LedgerShorterThanCheckpoint { .. }) => {
            shorter()
        }
        hyoka::error::Error::Integrity(IntegrityError::CheckpointOtherOrigin { .. }) => {
            refuse_other(dir, o, &n.origin, n.size)
        }
        hyoka::error::Error::Integrity(IntegrityError::CheckpointRootMismatch {
            ledger,
            checkpoint,
            ..
        }) => keep_old(
            dir,
            t!(
                "backup-rewritten",
                old = o.size,
                new = n.size,
                ledger = ledger,
                checkpoint = checkpoint
            ),
            &restore_instead(dir),
        ),
        e => e.into(),
    })
}

pub fn backup(ctx: &Ctx, dir: &Path, key: Option<&Path>) -> Result<(), Failure> {
    output::refuse_inside_ledger(&ctx.ledger, dir, &t!("flag-backup-dir"))?;
    for name in [EXPORT_FILE, CHECKPOINT_FILE] {
        output::refuse_inside_ledger(&ctx.ledger, &dir.join(name), &t!("flag-backup-file"))?;
    }
    let signer = key.map(read_signer).transpose()?;
    // A backup already there is replaced only by one that extends it.
    let old = old_backup(dir)?;
    if let (Some(old), Some(k)) = (&old, &signer) {
        check_old_signature(dir, old, &k.verifier())?;
    }
    let ledger = match signer {
        Some(_) => super::anchoring::open_write(ctx)?.into(),
        None => super::anchoring::open_read(ctx)?,
    };
    // Plain mismatches are refused before anything is signed; the full check follows the verification
    // (an origin that cannot be read is left to it).
    if let Some(old) = &old {
        let o = &old.checkpoint;
        if let Ok(origin) = transparency::origin(&ledger)
            && origin != o.origin
        {
            return Err(refuse_other(dir, o, &origin, ledger.len()));
        }
        if o.size > ledger.len() {
            return Err(refuse_shorter(dir, o.size, ledger.len()));
        }
    }
    // Verify (and sign) first: a damaged ledger must never replace a good backup.
    let bar = output::progress(ledger.len(), &t!("progress-verifying"));
    let (cp, note) = match &signer {
        Some(k) => {
            let s = transparency::sign(&ledger, k, super::clock::file_time(), &mut |n, _| {
                bar.set_position(n)
            })?;
            (s.checkpoint, s.note)
        }
        None => {
            let (cp, _) = transparency::current(&ledger, &mut |n, _| bar.set_position(n))?;
            let text = cp.to_text();
            (cp, text)
        }
    };
    bar.finish_and_clear();
    if let Some(old) = &old {
        check_extends_old(&ledger, dir, old, &cp)?;
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        t!(
            "backup-cannot-create",
            dir = dir.display(),
            error = super::damage::os(&e)
        )
    })?;
    let export_path = dir.join(EXPORT_FILE);
    // The checkpoint first: a crash before the export is replaced leaves a checkpoint ahead of the old
    // export, which the next backup and a restore against it notice; the other order would leave a
    // newer export beside an older checkpoint, which a shorter ledger could then replace unseen.
    replace_file(&dir.join(CHECKPOINT_FILE), &note)?;
    let bar = output::progress(ledger.len(), &t!("progress-exporting"));
    let summary = export_to_file(&ledger, &export_path, &mut |n| bar.set_position(n));
    bar.finish_and_clear();
    let summary = summary?;
    // Read the written export back and prove it against the checkpoint.
    let (mut reader, _) = open_export(&export_path)?;
    let check = export::verify(&mut reader, Some(&cp), &mut |_| {}).map_err(|e| {
        Failure::from(t!(
            "backup-read-back",
            dir = dir.display(),
            error = super::errors::error(&e)
        ))
    })?;
    if check.events != cp.size || check.root != cp.root {
        return Err(Failure::from(t!("backup-mismatch", dir = dir.display())));
    }
    out(t!(
        "backup-written",
        count = summary.events,
        dir = dir.display(),
        export = EXPORT_FILE,
        checkpoint = CHECKPOINT_FILE,
        signed = if signer.is_some() { "yes" } else { "no" }
    ));
    if let Some(old) = &old {
        out(t!("backup-extends", size = old.checkpoint.size));
    }
    out(output::head_line(&summary.head_hash));
    out(output::root_line(&summary.root));
    out(t!(
        "backup-restore-with",
        export = export_path.display(),
        checkpoint = dir.join(CHECKPOINT_FILE).display()
    ));
    Ok(())
}
