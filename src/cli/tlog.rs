//! Keys and checkpoints: `key generate`, `checkpoint`, `verify --checkpoint`.

use std::path::Path;

use hyoka::domain::{event, text};
use hyoka::error::IntegrityError;
use hyoka::evidence::transparency;
use hyoka::ledger::Ledger;
use hyoka::ledger::anchor::MAX_CHECKPOINT_BYTES;
use hyoka::tlog::note::SignerKey;

use super::ctx::Ctx;
use super::failure::Failure;
use super::i18n::t;
use super::keys::{create_secret_file, read_signer, read_small, read_verifier, replace_file};
use super::options::TextOrJson;
use super::output::{self, out};

/// Prints `text` (which ends with a newline) to stdout as it is.
pub(super) fn print_text(text: &str) {
    out(text.strip_suffix('\n').unwrap_or(text));
}

pub fn key_generate(ctx: &Ctx, name: Option<&str>, output: &Path) -> Result<(), Failure> {
    output::refuse_inside_ledger(&ctx.ledger, output, "--output")?;
    // The ledger is only read for its origin: the default name, or a check of the name given.
    let origin = match (Ledger::open_read(&ctx.ledger, ctx.access()), name) {
        (Ok(l), _) => Some(transparency::origin(&l)?),
        (Err(_), Some(_)) => None,
        (Err(e), None) => {
            return Err(t!("key-name-from-origin", error = super::errors::error(&e)).into());
        }
    };
    let Some(name) = name.map(str::to_string).or_else(|| origin.clone()) else {
        return Err(t!("key-give-name").into());
    };
    let key = SignerKey::generate(&name).map_err(|e| super::damage::note_error(&e))?;
    create_secret_file(output, &format!("{}\n", key.to_text()))?;
    if let Some(o) = origin.as_deref().filter(|o| *o != name) {
        let line = t!(
            "key-name-not-origin",
            name = text::escape(&name),
            origin = text::escape(o)
        );
        eprintln!("{}", t!("warning-line", line = line));
    }
    eprintln!("{}", t!("key-wrote", file = output.display()));
    out(key.verifier().to_text());
    Ok(())
}

/// A refusal to sign: the ledger does not extend the last checkpoint signed for it.
pub(super) fn refusal(e: hyoka::error::Error, dir: &Path) -> Failure {
    match e {
        hyoka::error::Error::Integrity(
            ie @ (IntegrityError::CheckpointRootMismatch { .. }
            | IntegrityError::LedgerShorterThanCheckpoint { .. }
            | IntegrityError::CheckpointOtherOrigin { .. }
            | IntegrityError::SignedCheckpointDamaged(_)),
        ) => Failure::integrity(t!(
            "sign-refused",
            file = dir.join(hyoka::ledger::anchor::CHECKPOINT_FILE).display(),
            detail = super::errors::integrity(&ie)
        )),
        e => e.into(),
    }
}

pub fn checkpoint(ctx: &Ctx, key: Option<&Path>, output: Option<&Path>) -> Result<(), Failure> {
    if let Some(path) = output {
        output::refuse_inside_ledger(&ctx.ledger, path, "--output")?;
    }
    let signer = key.map(read_signer).transpose()?;
    let ledger = match signer {
        Some(_) => super::anchoring::open_write(ctx)?.into(),
        None => super::anchoring::open_read(ctx)?,
    };
    let bar = output::progress(ledger.len(), &t!("progress-verifying"));
    let mut progress = |done, _| bar.set_position(done);
    let result =
        match &signer {
            Some(k) => transparency::sign(&ledger, k, super::clock::file_time(), &mut progress)
                .map(|s| {
                    if let Some(name) = &s.moved_aside {
                        let line = t!(
                            "checkpoint-moved-aside",
                            file = ledger.dir().join(name).display()
                        );
                        eprintln!("{}", t!("note-line", line = line));
                    }
                    if s.log_key_set {
                        let file = ledger.dir().join(hyoka::ledger::anchor::LOG_KEY_FILE);
                        let line = t!("checkpoint-log-key-set", file = file.display());
                        eprintln!("{}", t!("note-line", line = line));
                    }
                    (s.note, s.checkpoint, s.previous)
                }),
            None => transparency::current(&ledger, &mut progress)
                .map(|(cp, _)| (cp.to_text(), cp, None)),
        };
    bar.finish_and_clear();
    let (text, cp, previous) = result.map_err(|e| refusal(e, ledger.dir()))?;
    match output {
        Some(path) => {
            replace_file(path, &text)?;
            eprintln!(
                "{}",
                t!("checkpoint-wrote", size = cp.size, file = path.display())
            );
        }
        None => print_text(&text),
    }
    match (&signer, previous) {
        (None, _) => eprintln!("{}", t!("note-line", line = t!("checkpoint-unsigned"))),
        (Some(k), previous) => eprintln!(
            "{}",
            t!(
                "checkpoint-signed",
                key = format!("{}+{:08x}", text::escape(k.name()), k.key_id()),
                previous = previous.map_or(String::new(), |m| t!("checkpoint-extends", size = m))
            )
        ),
    }
    Ok(())
}

pub fn verify(
    ctx: &Ctx,
    format: TextOrJson,
    file: &Path,
    vkey: Option<&str>,
) -> Result<(), Failure> {
    let bytes = read_small(file, MAX_CHECKPOINT_BYTES, &t!("what-checkpoint"))?;
    let key = vkey.map(read_verifier).transpose()?;
    let result = super::anchoring::open_reading(ctx, true).and_then(|ledger| {
        let bar = output::progress(ledger.len(), &t!("progress-verifying"));
        let r = transparency::check(&ledger, &bytes, key.as_ref(), &mut |done, _| {
            bar.set_position(done)
        });
        bar.finish_and_clear();
        r
    });
    let c = match result {
        Ok(c) => c,
        Err(hyoka::error::Error::Invalid(m)) => {
            return Err(t!(
                "file-invalid",
                file = file.display(),
                problem = super::damage::invalid(&m)
            )
            .into());
        }
        Err(hyoka::error::Error::Integrity(ie)) => {
            if format == TextOrJson::Json {
                out(serde_json::json!({
                    "ok": false,
                    "vouched_through": null,
                    "error": {"kind": ie.kind(), "seq": ie.seq(), "message": ie.to_string()},
                })
                .to_string());
            }
            return Err(match ie {
                IntegrityError::CheckpointBadSignature { .. }
                | IntegrityError::CheckpointNotSignedByKey { .. }
                | IntegrityError::CheckpointOtherOrigin { .. } => Failure::integrity(t!(
                    "err-integrity-why",
                    detail = super::errors::integrity(&ie),
                    why = t!("checkpoint-not-vouching", file = file.display())
                )),
                ie => hyoka::error::Error::Integrity(ie).into(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    let (cp, report) = (&c.checkpoint, &c.report);
    match format {
        TextOrJson::Json => {
            let mut v = output::verified_json(report);
            v["checkpoint"] = serde_json::json!({
                "size": cp.size,
                "root": event::hex(&cp.root),
                "signature_checked": c.signature_checked,
            });
            out(v.to_string());
        }
        TextOrJson::Text => {
            output::verified(report);
            out(t!(
                "checkpoint-consistent",
                size = cp.size,
                origin = text::escape(&cp.origin),
                root = event::hex(&cp.root),
                more = report.events.saturating_sub(cp.size)
            ));
            match &key {
                Some(k) => out(t!(
                    "signature-verified",
                    key = format!("{}+{:08x}", text::escape(k.name()), k.key_id())
                )),
                None => out(t!("signature-not-checked-consistency")),
            }
        }
    }
    Ok(())
}

/// `hyoka mirror DIR`: the static verifiable mirror of the last signed checkpoint.
pub fn mirror(ctx: &Ctx, dir: &Path) -> Result<(), Failure> {
    output::refuse_inside_ledger(&ctx.ledger, dir, "DIR")?;
    let ledger = super::anchoring::open_read(ctx)?;
    let Some((cp, signed)) = transparency::last_signed(ledger.dir())? else {
        return Err(Failure::from(t!("mirror-no-checkpoint")));
    };
    let bar = output::progress(cp.size, &t!("progress-writing"));
    let r =
        hyoka::evidence::mirror::write(&ledger, &cp, &signed, dir, &mut |n| bar.set_position(n));
    bar.finish_and_clear();
    let w = r.map_err(|e| match e {
        hyoka::error::Error::MirrorConflict(path) => Failure::from(t!(
            "mirror-conflict",
            dir = dir.display(),
            path = text::escape(&path)
        )),
        e => e.into(),
    })?;
    out(t!(
        "mirror-wrote",
        dir = dir.display(),
        size = w.size,
        written = w.written,
        kept = w.kept
    ));
    out(output::root_line(&cp.root));
    Ok(())
}
