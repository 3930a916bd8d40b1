//! Offline proofs, export and restore: `prove`, `verify-proof`, `verify-consistency`, `export`,
//! `verify --export`, `restore`. The verifying commands never open a ledger.

use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::Path;

use hyoka::domain::{describe, event, text, when};
use hyoka::evidence::export;
use hyoka::evidence::proof::{self, MAX_PROOF_BYTES};
use hyoka::evidence::transparency;
use hyoka::ledger::Ledger;
use hyoka::ledger::anchor::MAX_CHECKPOINT_BYTES;
use hyoka::os::safe_fs;
use hyoka::tlog::checkpoint::Checkpoint;
use hyoka::tlog::note::VerifierKey;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::ctx::Ctx;
use super::failure::Failure;
use super::keys::{OUTPUT_MODE, read_signer, read_small, read_verifier, replace_file};
use super::options::TextOrJson;
use super::output::{self, out};
use super::tlog::{print_text, refusal};

/// A failure of a command that checks `file` without a ledger: integrity failures exit 3 with `why`
/// added (and, in JSON, the `{"ok": false, "error": ...}` object on stdout); input errors name the file.
fn failure(e: hyoka::error::Error, file: &Path, format: TextOrJson, why: &str) -> Failure {
    match e {
        hyoka::error::Error::Integrity(ie) => {
            if format == TextOrJson::Json {
                out(serde_json::json!({
                    "ok": false,
                    "error": {"kind": ie.kind(), "seq": ie.seq(), "message": ie.to_string()},
                })
                .to_string());
            }
            Failure::integrity(format!("integrity failure: {ie}; {why}"))
        }
        hyoka::error::Error::Invalid(m) => format!("{}: {m}", file.display()).into(),
        e => e.into(),
    }
}

/// A progress bar over the bytes of a file, on stderr when it is a terminal.
fn byte_progress(total: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() || total < (8 << 20) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{msg} {bar:30} {bytes}/{total_bytes} ({bytes_per_sec})")
    {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    bar
}

fn read_text(path: &Path, max: usize, what: &str) -> Result<String, Failure> {
    String::from_utf8(read_small(path, max, what)?)
        .map_err(|_| format!("{} is not UTF-8: it is not {what}", path.display()).into())
}

/// Writes `text` to `output` (replaced atomically) or stdout.
fn emit(text: &str, output: Option<&Path>, what: &str) -> Result<(), Failure> {
    match output {
        Some(path) => {
            replace_file(path, text)?;
            eprintln!("wrote {what} to {}", path.display());
        }
        None => print_text(text),
    }
    Ok(())
}

fn signature_line(key: Option<&VerifierKey>, unchecked: &str) -> String {
    match key {
        Some(k) => format!(
            "signature: verified (key {}+{:08x})",
            text::escape(k.name()),
            k.key_id()
        ),
        None => {
            format!("signature: not checked (no --vkey): authenticity was not checked; {unchecked}")
        }
    }
}

/// The checkpoint to prove against: the file given, else a fresh one of the head (signed with `key`
/// under the rules of `hyoka checkpoint --key`, else unsigned).
fn new_checkpoint(
    ledger: &Ledger,
    checkpoint: Option<&Path>,
    key: Option<&Path>,
) -> Result<String, Failure> {
    if let Some(path) = checkpoint {
        return read_text(path, MAX_CHECKPOINT_BYTES, "a checkpoint");
    }
    let signer = key.map(read_signer).transpose()?;
    let bar = output::progress(ledger.len(), "verifying");
    let mut progress = |done, _| bar.set_position(done);
    let r = match &signer {
        Some(k) => {
            transparency::sign(ledger, k, super::clock::file_time(), &mut progress).map(|s| s.note)
        }
        None => transparency::current(ledger, &mut progress).map(|(cp, _)| cp.to_text()),
    };
    bar.finish_and_clear();
    r.map_err(|e| refusal(e, ledger.dir()))
}

/// A refusal to prove: the checkpoint given is not one of this ledger (exit 3), or bad input.
fn not_provable(e: hyoka::error::Error, checkpoint: Option<&Path>) -> Failure {
    let name = checkpoint.map_or("the fresh checkpoint".to_string(), |p| {
        p.display().to_string()
    });
    match e {
        hyoka::error::Error::Integrity(ie) => Failure::integrity(format!(
            "refusing to prove: {ie}; {name} is not a checkpoint of this ledger as it stands"
        )),
        e => e.into(),
    }
}

pub fn prove(
    ctx: &Ctx,
    seq: Option<u64>,
    old: Option<&Path>,
    checkpoint: Option<&Path>,
    key: Option<&Path>,
    output: Option<&Path>,
) -> Result<(), Failure> {
    if let Some(path) = output {
        output::refuse_inside_ledger(&ctx.ledger, path, "--output")?;
    }
    let old_text = old
        .map(|p| read_text(p, MAX_CHECKPOINT_BYTES, "a checkpoint"))
        .transpose()?;
    let ledger = match key {
        Some(_) => super::anchoring::open_write(ctx)?.into(),
        None => super::anchoring::open_read(ctx)?,
    };
    if let Some(seq) = seq
        && seq >= ledger.len()
    {
        return Err(format!(
            "there is no event seq:{seq}: the ledger holds {}",
            hyoka::error::covers(ledger.len())
        )
        .into());
    }
    let new_text = new_checkpoint(&ledger, checkpoint, key)?;
    match (seq, old_text) {
        (_, Some(old_text)) => {
            let body = proof::prove_consistency(&ledger, &old_text, &new_text)
                .map_err(|e| not_provable(e, checkpoint.or(old)))?;
            emit(&body.to_text(), output, "the consistency proof")?;
            eprintln!(
                "consistency proof from {} to {} events; check it with `hyoka verify-consistency FILE --old OLD_CHECKPOINT --vkey VKEY`",
                body.old_size,
                body.checkpoint().map(|(c, _)| c.size).unwrap_or_default()
            );
        }
        (Some(seq), None) => {
            let p = proof::prove_inclusion(&ledger, seq, &new_text)
                .map_err(|e| not_provable(e, checkpoint))?;
            emit(&p.to_text(), output, "the inclusion proof")?;
            eprintln!(
                "inclusion proof of event seq:{seq}; check it with `hyoka verify-proof FILE --vkey VKEY` (no ledger needed)"
            );
        }
        (None, None) => return Err(Failure::usage("give SEQ or --consistency OLD_CHECKPOINT")),
    }
    if checkpoint.is_none() && key.is_none() {
        eprintln!(
            "note: the checkpoint in the proof is unsigned: it pins the content (integrity), not who vouches for it; sign it with --key FILE"
        );
    }
    Ok(())
}

fn checkpoint_json(cp: &Checkpoint, signature_checked: bool) -> serde_json::Value {
    serde_json::json!({
        "origin": cp.origin,
        "size": cp.size,
        "root": event::hex(&cp.root),
        "signature_checked": signature_checked,
    })
}

pub fn verify_proof(file: &Path, vkey: Option<&str>, format: TextOrJson) -> Result<(), Failure> {
    let bytes = read_small(file, MAX_PROOF_BYTES, "a proof")?;
    let key = vkey.map(read_verifier).transpose()?;
    let why = format!("the proof {} does not show what it claims", file.display());
    let inc =
        proof::check_inclusion(&bytes, key.as_ref()).map_err(|e| failure(e, file, format, &why))?;
    let (cp, ev) = (&inc.checkpoint, &inc.event.event);
    match format {
        TextOrJson::Json => out(serde_json::json!({
            "ok": true,
            "index": ev.seq,
            "event": describe::event_json(&inc.event),
            "checkpoint": checkpoint_json(cp, inc.signature_checked),
        })
        .to_string()),
        TextOrJson::Text => {
            out(format!(
                "ok: event {} is in the checkpoint of {} events (origin {}, root {})",
                ev.seq,
                cp.size,
                text::escape(&cp.origin),
                event::hex(&cp.root)
            ));
            out(signature_line(
                key.as_ref(),
                "this shows the event is in the tree with that root, not who published the checkpoint",
            ));
            out(format!("event {}", ev.seq));
            out(format!("  who:  {}", text::escape(&ev.author)));
            out(format!(
                "  what: {}",
                text::escape(&describe::change(&ev.change))
            ));
            out(format!("  when: {}", when::format_text(ev.recorded_at)));
            out(format!("  why:  {}", text::escape(&ev.reason)));
            if let Some(s) = &ev.source {
                out(format!(
                    "  from: {} (blake3 {})",
                    text::escape(&s.file_name),
                    event::hex(&s.blake3)
                ));
            }
            out(format!("  hash: {}", event::hex(&inc.event.hash)));
        }
    }
    Ok(())
}

pub fn verify_consistency(
    file: &Path,
    old: &Path,
    vkey: Option<&str>,
    format: TextOrJson,
) -> Result<(), Failure> {
    let body = read_small(file, MAX_CHECKPOINT_BYTES + 8192, "a consistency proof")?;
    let old_bytes = read_small(old, MAX_CHECKPOINT_BYTES, "a checkpoint")?;
    let key = vkey.map(read_verifier).transpose()?;
    let why = format!(
        "the proof {} does not show that the log extends {}",
        file.display(),
        old.display()
    );
    let c = proof::check_consistency(&body, &old_bytes, key.as_ref())
        .map_err(|e| failure(e, file, format, &why))?;
    match format {
        TextOrJson::Json => out(serde_json::json!({
            "ok": true,
            "origin": c.new.origin,
            "old": checkpoint_json(&c.old, c.old_signature_checked),
            "new": checkpoint_json(&c.new, c.new_signature_checked),
        })
        .to_string()),
        TextOrJson::Text => {
            out(format!(
                "ok: consistent: the checkpoint of {} events extends the checkpoint of {} events (origin {}): the first {} events are unchanged",
                c.new.size,
                c.old.size,
                text::escape(&c.new.origin),
                c.old.size
            ));
            out(format!("old root: {}", event::hex(&c.old.root)));
            out(format!("new root: {}", event::hex(&c.new.root)));
            out(signature_line(
                key.as_ref(),
                "this shows the two trees are consistent, not who published them",
            ));
            if key.is_some() && !c.old_signature_checked {
                out("old checkpoint: unsigned, taken as given");
            }
        }
    }
    Ok(())
}

/// Writes the ledger's export to `path` atomically (a temporary file beside it, fsync, rename, fsync of
/// the directory), checking every event as it goes.
pub(super) fn export_to_file(
    ledger: &Ledger,
    path: &Path,
    progress: &mut dyn FnMut(u64),
) -> Result<export::Summary, Failure> {
    // The export's own answer (a damaged ledger fails it: exit 3), kept apart from the file's errors.
    let mut exported = None;
    let written = safe_fs::replace_path(path, OUTPUT_MODE, &mut |f| {
        let mut w = BufWriter::with_capacity(1 << 20, f);
        let r = export::write(ledger, &mut w, &mut *progress);
        let failed = r.is_err();
        exported = Some(r);
        match failed {
            true => Err(std::io::Error::other("the export failed")),
            false => w.flush(),
        }
    });
    let cannot = |e: &dyn std::fmt::Display| format!("cannot write {}: {e}", path.display());
    match (written, exported) {
        (_, Some(Err(e))) => Err(e.into()),
        (Ok(()), Some(Ok(summary))) => Ok(summary),
        (Err(e), _) => Err(cannot(&e).into()),
        (Ok(()), None) => Err(cannot(&"nothing was exported").into()),
    }
}

pub fn export(ctx: &Ctx, output: Option<&Path>) -> Result<(), Failure> {
    if let Some(path) = output {
        output::refuse_inside_ledger(&ctx.ledger, path, "--output")?;
    }
    let ledger = super::anchoring::open_read(ctx)?;
    let bar = output::progress(ledger.len(), "exporting");
    let mut progress = |n| bar.set_position(n);
    let summary = match output {
        Some(path) => {
            let r = export_to_file(&ledger, path, &mut progress);
            bar.finish_and_clear();
            r?
        }
        None => {
            // Read, release, write (as `log`): kept while the ledger is read, printed once it is
            // released.
            let mut w = output::Spool::new();
            let summary = export::write(&ledger, &mut w, &mut progress);
            bar.finish_and_clear();
            let summary = summary?;
            drop(ledger);
            w.flush()
                .map_err(|e| format!("cannot keep the export to print it: {e}"))?;
            w.print()?;
            summary
        }
    };
    eprintln!("{}", exported(&summary, output));
    Ok(())
}

/// What `hyoka export` says it exported (on stderr), and where.
pub(super) fn exported(summary: &export::Summary, output: Option<&Path>) -> String {
    format!(
        "exported {} events{} (origin {}); head {}; root {}",
        summary.events,
        output.map_or(String::new(), |p| format!(" to {}", p.display())),
        text::escape(&summary.origin),
        event::hex(&summary.head_hash),
        event::hex(&summary.root)
    )
}

pub(super) fn open_export(file: &Path) -> Result<(BufReader<File>, u64), Failure> {
    let f = File::open(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    Ok((BufReader::with_capacity(1 << 20, f), len))
}

pub fn verify_export(
    file: &Path,
    checkpoint: Option<&Path>,
    vkey: Option<&str>,
    format: TextOrJson,
) -> Result<(), Failure> {
    let key = vkey.map(read_verifier).transpose()?;
    let why = format!("the export {} cannot be trusted", file.display());
    let cp = match checkpoint {
        Some(path) => {
            let bytes = read_small(path, MAX_CHECKPOINT_BYTES, "a checkpoint")?;
            let (cp, note) = proof::parse_checkpoint(&bytes, "the checkpoint")
                .map_err(|e| failure(e, path, format, &why))?;
            if let Some(k) = &key {
                proof::check_signature(&cp, &note, k).map_err(|e| {
                    failure(
                        e,
                        path,
                        format,
                        &format!(
                            "the checkpoint {} does not vouch for the export",
                            path.display()
                        ),
                    )
                })?;
            }
            Some(cp)
        }
        None => None,
    };
    let (mut reader, len) = open_export(file)?;
    let bar = byte_progress(len, "verifying");
    // The key given is also pinned: the ledger's people must begin with it (FORMAT.md section 13).
    let pinned = key.iter().map(|k| k.to_text()).collect();
    let r = export::verify_pinned(&mut reader, cp.as_ref(), pinned, &mut |n| {
        bar.set_position(n)
    });
    bar.finish_and_clear();
    let s = r.map_err(|e| failure(e, file, format, &why))?;
    match format {
        TextOrJson::Json => {
            let mut v = serde_json::json!({
                "ok": true,
                "events": s.events,
                "head_hash": event::hex(&s.head_hash),
                "root": event::hex(&s.root),
            });
            if let Some(cp) = &cp {
                v["checkpoint"] = serde_json::json!({
                    "size": cp.size,
                    "root": event::hex(&cp.root),
                    "signature_checked": key.is_some(),
                });
            }
            out(v.to_string());
        }
        TextOrJson::Text => {
            out(format!(
                "ok: {} events in the export verified: every line matches its stored bytes, the chain and the rules hold",
                s.events
            ));
            out(format!("origin: {}", text::escape(&s.origin)));
            out(format!("head: {}", event::hex(&s.head_hash)));
            out(format!("root: {} (RFC 6962, SHA-256)", event::hex(&s.root)));
            match &cp {
                Some(cp) => {
                    out(format!(
                        "checkpoint: consistent: the export's first {} events have the checkpoint's root; {} more events after them",
                        cp.size,
                        s.events - cp.size
                    ));
                    out(signature_line(
                        key.as_ref(),
                        "this shows consistency with the checkpoint, not who issued it",
                    ));
                }
                None => out(
                    "checkpoint: none given: an export alone cannot show that it is complete or the published history; give --checkpoint FILE",
                ),
            }
        }
    }
    Ok(())
}

pub fn restore(
    ctx: &Ctx,
    file: &Path,
    checkpoint: Option<&Path>,
    vkey: Option<&str>,
) -> Result<(), Failure> {
    let why = format!(
        "nothing was restored: the export {} cannot be trusted",
        file.display()
    );
    // With a checkpoint, the export is proved to hold the published history before anything is built.
    let cp_bytes = match checkpoint {
        Some(path) => {
            let bytes = read_small(path, MAX_CHECKPOINT_BYTES, "a checkpoint")?;
            let key = vkey.map(read_verifier).transpose()?;
            let (cp, note) = proof::parse_checkpoint(&bytes, "the checkpoint")
                .map_err(|e| failure(e, path, TextOrJson::Text, &why))?;
            if let Some(k) = &key {
                proof::check_signature(&cp, &note, k)
                    .map_err(|e| failure(e, path, TextOrJson::Text, &why))?;
            }
            let (mut reader, len) = open_export(file)?;
            let bar = byte_progress(len, "checking");
            let r = export::verify(&mut reader, Some(&cp), &mut |n| bar.set_position(n));
            bar.finish_and_clear();
            r.map_err(|e| failure(e, file, TextOrJson::Text, &why))?;
            Some((bytes, key))
        }
        None => None,
    };
    let (reader, len) = open_export(file)?;
    let bar = byte_progress(len, "restoring");
    let mut events = export::events(reader, |n| bar.set_position(n));
    let r = Ledger::restore_from(&ctx.ledger, &mut events, ctx.access());
    bar.finish_and_clear();
    let ledger = r.map_err(|e| match e {
        hyoka::error::Error::Integrity(_) => failure(e, file, TextOrJson::Text, &why),
        e => e.into(),
    })?;
    let root = ledger.tree_root(ledger.len())?;
    out(format!(
        "restored {} events into {}",
        ledger.len(),
        ctx.ledger.display()
    ));
    out(format!("head: {}", event::hex(&ledger.head_hash())));
    out(format!("root: {} (RFC 6962, SHA-256)", event::hex(&root)));
    match cp_bytes {
        Some((bytes, key)) => {
            let checked = transparency::adopt(&ledger, &bytes, key.as_ref(), &mut |_, _| {})?;
            out(format!(
                "it extends the checkpoint ({} events){}",
                checked.checkpoint.size,
                if is_signed(&bytes) {
                    "; recorded as the ledger's last signed checkpoint"
                } else {
                    ""
                }
            ));
        }
        None => eprintln!(
            "note: no --checkpoint: the export was checked in itself, not against a published checkpoint; the ledger's last signed checkpoint (CHECKPOINT) is not part of an export, give it with --checkpoint"
        ),
    }
    Ok(())
}

/// Whether checkpoint text is a signed note.
pub(super) fn is_signed(bytes: &[u8]) -> bool {
    hyoka::tlog::checkpoint::parse_signed(bytes).is_ok_and(|(_, n)| n.is_signed())
}
