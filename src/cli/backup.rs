//! `hyoka backup DIR`: a verified export and its checkpoint, the way back from a damaged store.

use std::path::Path;

use hyoka::{Ledger, event, export, transparency};

use super::offline::{export_to_file, open_export};
use super::output::{self, out};
use super::tlog::{read_signer, replace_file};
use super::{Ctx, Failure};

/// The export's file name in a backup directory.
pub const EXPORT_FILE: &str = "ledger.jsonl";
/// The checkpoint's file name in a backup directory.
pub const CHECKPOINT_FILE: &str = "checkpoint.txt";

pub fn backup(ctx: &Ctx, dir: &Path, key: Option<&Path>) -> Result<(), Failure> {
    output::refuse_inside_ledger(&ctx.ledger, dir, "the backup directory")?;
    for name in [EXPORT_FILE, CHECKPOINT_FILE] {
        output::refuse_inside_ledger(&ctx.ledger, &dir.join(name), "the backup file")?;
    }
    let signer = key.map(read_signer).transpose()?;
    let ledger = Ledger::open(&ctx.ledger, ctx.access())?;
    // Verify (and sign) first: a damaged ledger must never replace a good backup.
    let bar = output::progress(ledger.len(), "verifying");
    let (cp, note) = match &signer {
        Some(k) => {
            let s = transparency::sign(&ledger, k, &mut |n, _| bar.set_position(n))?;
            (s.checkpoint, s.note)
        }
        None => {
            let (cp, _) = transparency::current(&ledger, &mut |n, _| bar.set_position(n))?;
            let text = cp.to_text();
            (cp, text)
        }
    };
    bar.finish_and_clear();
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "cannot create {}: {e}; check the path and permissions",
            dir.display()
        )
    })?;
    let export_path = dir.join(EXPORT_FILE);
    let bar = output::progress(ledger.len(), "exporting");
    let summary = export_to_file(&ledger, &export_path, &mut |n| bar.set_position(n));
    bar.finish_and_clear();
    let summary = summary?;
    replace_file(&dir.join(CHECKPOINT_FILE), &note)?;
    // Read the written export back and prove it against the checkpoint.
    let (mut reader, _) = open_export(&export_path)?;
    let check = export::verify(&mut reader, Some(&cp), &mut |_| {}).map_err(|e| {
        Failure::from(format!(
            "the backup in {} does not read back correctly ({e}); the disk may be failing: try another",
            dir.display()
        ))
    })?;
    if check.events != cp.size || check.root != cp.root {
        return Err(Failure::from(format!(
            "the backup in {} does not match the ledger's checkpoint; try again",
            dir.display()
        )));
    }
    out(format!(
        "backup of {} events written to {} and read back: {EXPORT_FILE} (export), {CHECKPOINT_FILE} ({} checkpoint)",
        summary.events,
        dir.display(),
        if signer.is_some() {
            "signed"
        } else {
            "unsigned"
        }
    ));
    out(format!("head: {}", event::hex(&summary.head_hash)));
    out(format!(
        "root: {} (RFC 6962, SHA-256)",
        event::hex(&summary.root)
    ));
    out(format!(
        "restore with: hyoka restore {} --checkpoint {} --ledger NEW_DIR",
        export_path.display(),
        dir.join(CHECKPOINT_FILE).display()
    ));
    Ok(())
}
