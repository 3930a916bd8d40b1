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
use super::i18n::t;
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
            Failure::integrity(t!(
                "err-integrity-why",
                detail = super::errors::integrity(&ie),
                why = why
            ))
        }
        hyoka::error::Error::Invalid(m) => t!(
            "file-invalid",
            file = file.display(),
            problem = super::damage::invalid(&m)
        )
        .into(),
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
        // Numbers and units only: nothing to translate.
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    bar
}

fn read_text(path: &Path, max: usize, what: &str) -> Result<String, Failure> {
    String::from_utf8(read_small(path, max, what)?)
        .map_err(|_| t!("not-utf8", file = path.display(), what = what).into())
}

/// Writes `text` to `output` (replaced atomically) or stdout.
fn emit(text: &str, output: Option<&Path>, what: &str) -> Result<(), Failure> {
    match output {
        Some(path) => {
            replace_file(path, text)?;
            eprintln!("{}", t!("wrote", what = what, file = path.display()));
        }
        None => print_text(text),
    }
    Ok(())
}

fn signature_line(key: Option<&VerifierKey>, unchecked: &str) -> String {
    match key {
        Some(k) => t!(
            "signature-verified",
            key = format!("{}+{:08x}", text::escape(k.name()), k.key_id())
        ),
        None => t!("signature-unchecked", what = unchecked),
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
        return read_text(path, MAX_CHECKPOINT_BYTES, &t!("what-checkpoint"));
    }
    let signer = key.map(read_signer).transpose()?;
    let bar = output::progress(ledger.len(), &t!("progress-verifying"));
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
    let name = checkpoint.map_or_else(|| t!("the-fresh-checkpoint"), |p| p.display().to_string());
    match e {
        hyoka::error::Error::Integrity(ie) => Failure::integrity(t!(
            "prove-refused",
            detail = super::errors::integrity(&ie),
            name = name
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
        .map(|p| read_text(p, MAX_CHECKPOINT_BYTES, &t!("what-checkpoint")))
        .transpose()?;
    let ledger = match key {
        Some(_) => super::anchoring::open_write(ctx)?.into(),
        None => super::anchoring::open_read(ctx)?,
    };
    if let Some(seq) = seq
        && seq >= ledger.len()
    {
        return Err(t!(
            "prove-no-event",
            seq = seq,
            covers = super::errors::covers(ledger.len())
        )
        .into());
    }
    let new_text = new_checkpoint(&ledger, checkpoint, key)?;
    match (seq, old_text) {
        (_, Some(old_text)) => {
            let body = proof::prove_consistency(&ledger, &old_text, &new_text)
                .map_err(|e| not_provable(e, checkpoint.or(old)))?;
            emit(&body.to_text(), output, &t!("what-consistency-proof"))?;
            eprintln!(
                "{}",
                t!(
                    "prove-consistency-done",
                    old = body.old_size,
                    new = body.checkpoint().map(|(c, _)| c.size).unwrap_or_default()
                )
            );
        }
        (Some(seq), None) => {
            let p = proof::prove_inclusion(&ledger, seq, &new_text)
                .map_err(|e| not_provable(e, checkpoint))?;
            emit(&p.to_text(), output, &t!("what-inclusion-proof"))?;
            eprintln!("{}", t!("prove-inclusion-done", seq = seq));
        }
        (None, None) => return Err(Failure::usage(t!("prove-what"))),
    }
    if checkpoint.is_none() && key.is_none() {
        eprintln!("{}", t!("note-line", line = t!("prove-unsigned")));
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
    let bytes = read_small(file, MAX_PROOF_BYTES, &t!("what-proof"))?;
    let key = vkey.map(read_verifier).transpose()?;
    let why = t!("proof-does-not-show", file = file.display());
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
            out(t!(
                "proof-ok",
                seq = ev.seq,
                size = cp.size,
                origin = text::escape(&cp.origin),
                root = event::hex(&cp.root)
            ));
            out(signature_line(key.as_ref(), &t!("proof-unchecked-means")));
            out(t!("proof-event", seq = ev.seq));
            out(t!("proof-who", value = text::escape(&ev.author)));
            out(t!(
                "proof-what",
                value = text::escape(&super::words::change(&ev.change))
            ));
            out(t!("proof-when", value = when::format_text(ev.recorded_at)));
            out(t!("proof-why", value = text::escape(&ev.reason)));
            if let Some(s) = &ev.source {
                out(t!(
                    "proof-from",
                    file = text::escape(&s.file_name),
                    blake3 = event::hex(&s.blake3)
                ));
            }
            out(t!("proof-hash", value = event::hex(&inc.event.hash)));
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
    let body = read_small(
        file,
        MAX_CHECKPOINT_BYTES + 8192,
        &t!("what-a-consistency-proof"),
    )?;
    let old_bytes = read_small(old, MAX_CHECKPOINT_BYTES, &t!("what-checkpoint"))?;
    let key = vkey.map(read_verifier).transpose()?;
    let why = t!(
        "consistency-does-not-show",
        file = file.display(),
        old = old.display()
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
            out(t!(
                "consistency-ok",
                new = c.new.size,
                old = c.old.size,
                origin = text::escape(&c.new.origin)
            ));
            out(t!("consistency-old-root", hash = event::hex(&c.old.root)));
            out(t!("consistency-new-root", hash = event::hex(&c.new.root)));
            out(signature_line(
                key.as_ref(),
                &t!("consistency-unchecked-means"),
            ));
            if key.is_some() && !c.old_signature_checked {
                out(t!("consistency-old-unsigned"));
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
            true => Err(std::io::Error::other(t!("export-failed"))),
            false => w.flush(),
        }
    });
    let cannot = |e: String| t!("cannot-write-file", file = path.display(), error = e);
    match (written, exported) {
        (_, Some(Err(e))) => Err(e.into()),
        (Ok(()), Some(Ok(summary))) => Ok(summary),
        (Err(e), _) => Err(cannot(super::damage::os(&e)).into()),
        (Ok(()), None) => Err(cannot(t!("export-nothing")).into()),
    }
}

pub fn export(ctx: &Ctx, output: Option<&Path>) -> Result<(), Failure> {
    if let Some(path) = output {
        output::refuse_inside_ledger(&ctx.ledger, path, "--output")?;
    }
    let ledger = super::anchoring::open_read(ctx)?;
    let bar = output::progress(ledger.len(), &t!("progress-exporting"));
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
                .map_err(|e| t!("export-cannot-keep", error = super::damage::os(&e)))?;
            w.print()?;
            summary
        }
    };
    eprintln!("{}", exported(&summary, output));
    Ok(())
}

/// What `hyoka export` says it exported (on stderr), and where.
pub(super) fn exported(summary: &export::Summary, output: Option<&Path>) -> String {
    t!(
        "exported",
        count = summary.events,
        to = output.map_or(String::new(), |p| t!("exported-to", file = p.display())),
        origin = text::escape(&summary.origin),
        head = event::hex(&summary.head_hash),
        root = event::hex(&summary.root)
    )
}

pub(super) fn open_export(file: &Path) -> Result<(BufReader<File>, u64), Failure> {
    let f = File::open(file).map_err(|e| {
        t!(
            "cannot-read-file",
            file = file.display(),
            error = super::damage::os(&e)
        )
    })?;
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
    let why = t!("export-not-trusted", file = file.display());
    let cp = match checkpoint {
        Some(path) => {
            let bytes = read_small(path, MAX_CHECKPOINT_BYTES, &t!("what-checkpoint"))?;
            let (cp, note) = proof::parse_checkpoint(&bytes, hyoka::error::CheckpointOf::Given)
                .map_err(|e| failure(e, path, format, &why))?;
            if let Some(k) = &key {
                proof::check_signature(&cp, &note, k).map_err(|e| {
                    failure(
                        e,
                        path,
                        format,
                        &t!("checkpoint-not-vouching-export", file = path.display()),
                    )
                })?;
            }
            Some(cp)
        }
        None => None,
    };
    let (mut reader, len) = open_export(file)?;
    let bar = byte_progress(len, &t!("progress-verifying"));
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
            out(t!("export-verified", count = s.events));
            out(t!("init-origin", origin = text::escape(&s.origin)));
            out(output::head_line(&s.head_hash));
            out(output::root_line(&s.root));
            match &cp {
                Some(cp) => {
                    out(t!(
                        "export-checkpoint-consistent",
                        size = cp.size,
                        more = s.events - cp.size
                    ));
                    out(signature_line(
                        key.as_ref(),
                        &t!("checkpoint-unchecked-means"),
                    ));
                }
                None => out(t!("export-no-checkpoint")),
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
    let why = t!("restore-not-trusted", file = file.display());
    // With a checkpoint, the export is proved to hold the published history before anything is built.
    let cp_bytes = match checkpoint {
        Some(path) => {
            let bytes = read_small(path, MAX_CHECKPOINT_BYTES, &t!("what-checkpoint"))?;
            let key = vkey.map(read_verifier).transpose()?;
            let (cp, note) = proof::parse_checkpoint(&bytes, hyoka::error::CheckpointOf::Given)
                .map_err(|e| failure(e, path, TextOrJson::Text, &why))?;
            if let Some(k) = &key {
                proof::check_signature(&cp, &note, k)
                    .map_err(|e| failure(e, path, TextOrJson::Text, &why))?;
            }
            let (mut reader, len) = open_export(file)?;
            let bar = byte_progress(len, &t!("progress-checking"));
            let r = export::verify(&mut reader, Some(&cp), &mut |n| bar.set_position(n));
            bar.finish_and_clear();
            r.map_err(|e| failure(e, file, TextOrJson::Text, &why))?;
            Some((bytes, key))
        }
        None => None,
    };
    let (reader, len) = open_export(file)?;
    let bar = byte_progress(len, &t!("progress-restoring"));
    let mut events = export::events(reader, |n| bar.set_position(n));
    let r = Ledger::restore_from(&ctx.ledger, &mut events, ctx.access());
    bar.finish_and_clear();
    let ledger = r.map_err(|e| match e {
        hyoka::error::Error::Integrity(_) => failure(e, file, TextOrJson::Text, &why),
        e => e.into(),
    })?;
    let root = ledger.tree_root(ledger.len())?;
    out(t!(
        "restored",
        count = ledger.len(),
        dir = ctx.ledger.display()
    ));
    out(output::head_line(&ledger.head_hash()));
    out(output::root_line(&root));
    match cp_bytes {
        Some((bytes, key)) => {
            let checked = transparency::adopt(&ledger, &bytes, key.as_ref(), &mut |_, _| {})?;
            out(t!(
                "restore-extends",
                size = checked.checkpoint.size,
                signed = if is_signed(&bytes) { "yes" } else { "no" }
            ));
        }
        None => eprintln!("{}", t!("note-line", line = t!("restore-no-checkpoint"))),
    }
    Ok(())
}

/// Whether checkpoint text is a signed note.
pub(super) fn is_signed(bytes: &[u8]) -> bool {
    hyoka::tlog::checkpoint::parse_signed(bytes).is_ok_and(|(_, n)| n.is_signed())
}

/// `hyoka verify --mirror DIR|URL`: a static mirror checked from its files alone, read from a
/// directory or fetched over HTTP(S).
pub fn verify_mirror(target: &str, vkey: Option<&str>, format: TextOrJson) -> Result<(), Failure> {
    let key = vkey.map(read_verifier).transpose()?;
    let dir = Path::new(target);
    let http;
    let local;
    let source: &dyn hyoka::evidence::mirror::Source = if super::fetch::is_url(target) {
        http = super::fetch::Http::new(target);
        &http
    } else {
        if !dir.is_dir() {
            return Err(Failure::from(t!(
                "mirror-not-a-directory",
                dir = dir.display()
            )));
        }
        local = hyoka::evidence::mirror::Dir(dir);
        &local
    };
    let why = t!("mirror-not-trusted", dir = text::escape(target));
    let bar = output::progress(0, &t!("progress-verifying"));
    let r = hyoka::evidence::mirror::verify(source, key.as_ref(), &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done)
    });
    bar.finish_and_clear();
    let v = r.map_err(|e| failure(e, dir, format, &why))?;
    let items = v.state.items.len();
    let latest = v.state.latest_period();
    match format {
        TextOrJson::Json => {
            let j = serde_json::json!({
                "ok": true,
                "events": v.checkpoint.size,
                "files": v.files,
                "head_hash": event::hex(&v.head),
                "root": event::hex(&v.checkpoint.root),
                "origin": v.checkpoint.origin,
                "checkpoint": {
                    "size": v.checkpoint.size,
                    "root": event::hex(&v.checkpoint.root),
                    "signature_checked": v.signature_checked,
                },
                "table": {
                    "items": items,
                    "latest_point": latest.map(|p| p.id()),
                },
            });
            out(j.to_string());
        }
        TextOrJson::Text => {
            out(t!(
                "mirror-verified",
                count = v.checkpoint.size,
                files = v.files
            ));
            out(t!(
                "init-origin",
                origin = text::escape(&v.checkpoint.origin)
            ));
            out(output::head_line(&v.head));
            out(output::root_line(&v.checkpoint.root));
            out(t!(
                "mirror-table",
                items = items,
                latest = latest.map_or_else(|| "-".to_string(), |p| p.label())
            ));
            out(signature_line(key.as_ref(), &t!("mirror-unchecked-means")));
        }
    }
    Ok(())
}
