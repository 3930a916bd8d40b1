//! Keys and checkpoints: `key generate`, `checkpoint`, `verify --checkpoint`.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use hyoka::note::{SignerKey, VerifierKey};
use hyoka::transparency::{self, MAX_CHECKPOINT_BYTES};
use hyoka::{IntegrityError, Ledger, event, text};

use super::output::{self, out};
use super::{Ctx, EXIT_INTEGRITY, Failure, TextOrJson};

/// The largest key file read (a key text is under 200 bytes).
const MAX_KEY_BYTES: usize = 4096;

/// Reads a small file, refusing one larger than `max` bytes.
pub(super) fn read_small(path: &Path, max: usize, what: &str) -> Result<Vec<u8>, Failure> {
    let file =
        File::open(path).map_err(|e| format!("cannot read {what} {}: {e}", path.display()))?;
    read_open(file, path, max, what)
}

/// Reads the open file `file` (from `path`), refusing one larger than `max` bytes.
fn read_open(file: File, path: &Path, max: usize, what: &str) -> Result<Vec<u8>, Failure> {
    let mut buf = Vec::new();
    file.take(max as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot read {what} {}: {e}", path.display()))?;
    if buf.len() > max {
        return Err(format!(
            "{} is larger than {max} bytes: it is not {what}",
            path.display()
        )
        .into());
    }
    Ok(buf)
}

/// Key file bytes as trimmed UTF-8 text.
fn key_text(bytes: Vec<u8>, path: &Path, what: &str) -> Result<String, Failure> {
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{} is not UTF-8: it is not {what}", path.display()))?;
    Ok(text.trim().to_string())
}

/// Reads a key file as trimmed UTF-8 text.
fn read_key_text(path: &Path, what: &str) -> Result<String, Failure> {
    key_text(read_small(path, MAX_KEY_BYTES, what)?, path, what)
}

/// Reads a private (signing) key file: the one way every command reads one (`checkpoint --key`,
/// `prove --key`, `backup --key`, and any later key). As ssh does, a key file that its group or others
/// may access in any way (mode & 0o077) is refused: a key others can read may no longer be secret. The
/// user's path is followed (a symlink is fine); the mode checked is that of the file itself, taken from
/// the open file, so it is the file that is read.
pub(super) fn read_signer(path: &Path) -> Result<SignerKey, Failure> {
    const WHAT: &str = "a private key";
    let file =
        File::open(path).map_err(|e| format!("cannot read {WHAT} {}: {e}", path.display()))?;
    let mode = file_mode(&file, path)?;
    let text = key_text(read_open(file, path, MAX_KEY_BYTES, WHAT)?, path, WHAT)?;
    let key = SignerKey::parse(&text).map_err(|e| {
        Failure::from(format!(
            "{}: {e}; give the file written by `hyoka key generate`",
            path.display()
        ))
    })?;
    // Checked once the file is known to hold a private key: a file of another kind gets the clearer
    // message above.
    if let Some(mode) = mode.filter(|m| m & 0o077 != 0) {
        return Err(format!(
            "the private key file {} can be accessed by others (mode {:04o}): refusing to use it, a signing key must be readable by its owner only; run `chmod 600 {}` and try again (and make a new key if others may have copied it)",
            path.display(),
            mode & 0o7777,
            path.display()
        )
        .into());
    }
    Ok(key)
}

/// The permission bits of an open file (`None` where the platform has none).
fn file_mode(file: &File, path: &Path) -> Result<Option<u32>, Failure> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = file
            .metadata()
            .map_err(|e| format!("cannot read a private key {}: {e}", path.display()))?;
        Ok(Some(meta.permissions().mode()))
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        Ok(None)
    }
}

/// `--vkey`: the verifier key text itself, or a file holding it.
pub(super) fn read_verifier(arg: &str) -> Result<VerifierKey, Failure> {
    let as_text = match VerifierKey::parse(arg.trim()) {
        Ok(k) => return Ok(k),
        Err(e) => e,
    };
    let path = Path::new(arg);
    if !path.is_file() {
        return Err(format!(
            "--vkey: {as_text}; give the verifier key text (NAME+ID+KEY, as printed by `hyoka key generate`) or a file holding it"
        )
        .into());
    }
    let text = read_key_text(path, "a verifier key")?;
    if text.trim_start().starts_with("PRIVATE+KEY+") {
        return Err(format!(
            "--vkey: {} holds a private (signing) key; give the verifier key instead, the line `hyoka key generate` printed (it does not start with PRIVATE+KEY), and keep the private key secret",
            path.display()
        )
        .into());
    }
    VerifierKey::parse(&text).map_err(|e| format!("{}: {e}", path.display()).into())
}

/// Creates `path` with mode 0600 (never overwriting) and writes `contents`, durably.
pub(super) fn create_secret_file(path: &Path, contents: &str) -> Result<(), Failure> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => format!(
            "{} already exists: refusing to overwrite it (it may be a key); choose another --output",
            path.display()
        ),
        _ => format!("cannot create {}: {e}", path.display()),
    })?;
    if let Err(e) = f.write_all(contents.as_bytes()).and_then(|_| f.sync_all()) {
        drop(f);
        let _ = std::fs::remove_file(path);
        return Err(format!("cannot write {}: {e}", path.display()).into());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| format!("cannot fsync {}: {e}", dir.display()).into())
}

/// Replaces `path` with `contents` atomically and durably (a temporary file beside it, synced, then
/// renamed, then the directory synced).
pub(super) fn replace_file(path: &Path, contents: &str) -> Result<(), Failure> {
    let cannot = |e: &dyn std::fmt::Display| format!("cannot write {}: {e}", path.display());
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| cannot(&e))?;
    tmp.write_all(contents.as_bytes())
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| cannot(&e))?;
    tmp.persist(path).map_err(|e| cannot(&e.error))?;
    // The new name must survive a power cut too.
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| cannot(&e).into())
}

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
            return Err(format!(
                "the key name defaults to the ledger's origin, but: {e}; or give the name with --name NAME"
            )
            .into());
        }
    };
    let Some(name) = name.map(str::to_string).or_else(|| origin.clone()) else {
        return Err("give the key name with --name NAME".to_string().into());
    };
    let key = SignerKey::generate(&name).map_err(|e| e.to_string())?;
    create_secret_file(output, &format!("{}\n", key.to_text()))?;
    if let Some(o) = origin.as_deref().filter(|o| *o != name) {
        eprintln!(
            "warning: the key name {} is not the ledger's origin {}: `hyoka checkpoint` will refuse this key for this ledger",
            text::escape(&name),
            text::escape(o)
        );
    }
    eprintln!(
        "wrote the private key to {} (keep it secret); the verifier key, to publish, is:",
        output.display()
    );
    out(key.verifier().to_text());
    Ok(())
}

/// A refusal to sign: the ledger does not extend the last checkpoint signed for it.
pub(super) fn refusal(e: hyoka::Error, dir: &Path) -> Failure {
    match e {
        hyoka::Error::Integrity(
            ie @ (IntegrityError::CheckpointRootMismatch { .. }
            | IntegrityError::LedgerShorterThanCheckpoint { .. }
            | IntegrityError::CheckpointOtherOrigin { .. }
            | IntegrityError::SignedCheckpointDamaged(_)),
        ) => Failure {
            code: EXIT_INTEGRITY,
            message: format!(
                "refusing to sign: this ledger is not an append-only extension of the last checkpoint signed for it ({}): {ie}; a log must never sign two inconsistent checkpoints: restore the ledger that checkpoint was signed from",
                dir.join(transparency::CHECKPOINT_FILE).display()
            ),
        },
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
    let bar = output::progress(ledger.len(), "verifying");
    let mut progress = |done, _| bar.set_position(done);
    let result = match &signer {
        Some(k) => transparency::sign(&ledger, k, super::commands::file_time(), &mut progress).map(|s| {
            if let Some(name) = &s.moved_aside {
                eprintln!(
                    "note: the last signed checkpoint kept in the ledger directory failed its check (damaged, forged, or signed by another key): moved aside to {}",
                    ledger.dir().join(name).display()
                );
            }
            if s.log_key_set {
                eprintln!(
                    "note: this key is now the ledger's log key (its verifier key is kept in {}); checkpoints are signed with it only",
                    ledger.dir().join(hyoka::anchor::LOG_KEY_FILE).display()
                );
            }
            (s.note, s.checkpoint, s.previous)
        }),
        None => {
            transparency::current(&ledger, &mut progress).map(|(cp, _)| (cp.to_text(), cp, None))
        }
    };
    bar.finish_and_clear();
    let (text, cp, previous) = result.map_err(|e| refusal(e, ledger.dir()))?;
    match output {
        Some(path) => {
            replace_file(path, &text)?;
            eprintln!(
                "wrote the checkpoint of {} events to {}",
                cp.size,
                path.display()
            );
        }
        None => print_text(&text),
    }
    match (&signer, previous) {
        (None, _) => eprintln!(
            "note: this checkpoint is unsigned: it pins the ledger's content (integrity) but does not show who vouches for it (authenticity); sign it with --key FILE"
        ),
        (Some(k), previous) => eprintln!(
            "signed by {}+{:08x}; recorded as the ledger's last signed checkpoint{}",
            text::escape(k.name()),
            k.key_id(),
            previous.map_or(String::new(), |m| format!(
                " (it extends the previous one, of {m} events)"
            ))
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
    let bytes = read_small(file, MAX_CHECKPOINT_BYTES, "a checkpoint")?;
    let key = vkey.map(read_verifier).transpose()?;
    let result = super::anchoring::open_reading(ctx, true).and_then(|ledger| {
        let bar = output::progress(ledger.len(), "verifying");
        let r = transparency::check(&ledger, &bytes, key.as_ref(), &mut |done, _| {
            bar.set_position(done)
        });
        bar.finish_and_clear();
        r
    });
    let c = match result {
        Ok(c) => c,
        Err(hyoka::Error::Invalid(m)) => return Err(format!("{}: {m}", file.display()).into()),
        Err(hyoka::Error::Integrity(ie)) => {
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
                | IntegrityError::CheckpointOtherOrigin { .. } => Failure {
                    code: EXIT_INTEGRITY,
                    message: format!(
                        "integrity failure: {ie}; the checkpoint {} does not vouch for this ledger",
                        file.display()
                    ),
                },
                ie => hyoka::Error::Integrity(ie).into(),
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
            out(format!(
                "checkpoint: consistent: the ledger extends the checkpoint of {} events (origin {}, root {}); {} events appended since",
                cp.size,
                text::escape(&cp.origin),
                event::hex(&cp.root),
                report.events.saturating_sub(cp.size)
            ));
            match &key {
                Some(k) => out(format!(
                    "signature: verified (key {}+{:08x})",
                    text::escape(k.name()),
                    k.key_id()
                )),
                None => out(
                    "signature: not checked (no --vkey): this shows consistency with the checkpoint, not who issued it",
                ),
            }
        }
    }
    Ok(())
}
