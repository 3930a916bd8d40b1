//! `hyoka publish POINT --out DIR`: the publication pack of a published round (the library's
//! `publish`), and `hyoka verify --publication DIR`: a pack checked from its files, and against the
//! ledger when there is one.

use std::path::{Path, PathBuf};

use hyoka::domain::{event, text};
use hyoka::evidence::transparency;
use hyoka::publish::forms::Encoding;
use hyoka::publish::pack::{self, Fate, PackProblem, VerifyError};
use hyoka::publish::{self, PublishError};
use hyoka::tlog::note::VerifierKey;

use super::ctx::Ctx;
use super::failure::Failure;
use super::i18n::t;
use super::keys::read_verifier;
use super::options::{CsvEncoding, TextOrJson};
use super::output::{self, out};

/// What `hyoka publish` was given.
pub struct PublishArgs {
    pub point: String,
    pub out: PathBuf,
    pub tiles: Option<PathBuf>,
    pub encoding: CsvEncoding,
    pub no_bom: bool,
    pub force: bool,
}

/// A pack's refusal in words.
fn refusal(e: PublishError, dir: &Path) -> Failure {
    match e {
        PublishError::Ledger(hyoka::error::Error::MirrorConflict(path)) => Failure::from(t!(
            "mirror-conflict",
            dir = dir.display(),
            path = text::escape(&path)
        )),
        PublishError::Ledger(e) => e.into(),
        PublishError::NotPublished {
            point,
            has_round: true,
        } => t!("pack-not-published", point = point.label()).into(),
        PublishError::NotPublished {
            point,
            has_round: false,
        } => t!("pack-no-round", point = point.label()).into(),
        PublishError::CheckpointBefore { size, published } => {
            t!("pack-checkpoint-before", size = size, seq = published).into()
        }
        PublishError::NotInCp932 { item, column, ch } => t!(
            "pack-not-cp932",
            item = text::escape(item.as_deref().unwrap_or("-")),
            column = column,
            ch = text::escape(&ch.to_string()),
            code = format!("U+{:04X}", u32::from(ch))
        )
        .into(),
        PublishError::Exists { path } => t!("pack-exists", path = path).into(),
        PublishError::NotAFile { path } => t!("pack-not-a-file", path = path).into(),
        PublishError::Io { what, error, .. } => t!(
            "err-io",
            context = super::file_words::io_doing(&what),
            error = super::damage::os(&error)
        )
        .into(),
        PublishError::Workbook(e) => t!("pack-failed", error = e).into(),
    }
}

/// `hyoka publish POINT --out DIR`.
pub fn publish(ctx: &Ctx, args: PublishArgs) -> Result<(), Failure> {
    output::refuse_inside_ledger(&ctx.ledger, &args.out, "--out")?;
    if let Some(t) = &args.tiles {
        output::refuse_inside_ledger(&ctx.ledger, t, "--tiles")?;
    }
    let encoding = match args.encoding {
        CsvEncoding::Cp932 => Encoding::Cp932,
        CsvEncoding::Utf8 => Encoding::Utf8 { bom: !args.no_bom },
    };
    let Some(log_key) = super::anchoring::held_log_key(ctx)? else {
        return Err(t!(
            "pack-no-log-key",
            file = super::anchoring::default_log_key(&ctx.ledger).display()
        )
        .into());
    };
    let ledger = super::anchoring::open_write(ctx)?;
    let period = super::commands::parse_period(&ledger.state()?, &args.point)?;
    // Everything that can refuse the pack (a round not published, a character CP932 cannot hold, a
    // different pack in DIR) is checked before a checkpoint is signed: with the ledger's size as a provisional checkpoint.
    let provisional = hyoka::tlog::checkpoint::Checkpoint {
        origin: ledger.origin()?,
        size: ledger.len(),
        root: [0; 32],
        extensions: Vec::new(),
    };
    let p = publish::gather(&ledger, period, provisional, String::new())
        .map_err(|e| refusal(e, &args.out))?;
    publish::forms::csv(&p, encoding).map_err(|e| refusal(e, &args.out))?;
    let last = transparency::last_signed(ledger.dir())?;
    let (cp, note) = match last {
        Some((cp, note)) if cp.size == ledger.len() => (cp, note),
        _ => {
            // A new checkpoint is to be signed: a pack in DIR that it would replace is refused first,
            // so a refusal changes nothing, not even the ledger's last signed checkpoint.
            if !args.force {
                pack::refuse_before_signing(&p, &args.out, encoding)
                    .map_err(|e| refusal(e, &args.out))?;
            }
            let bar = output::progress(ledger.len(), &t!("progress-verifying"));
            let signed = transparency::sign(
                &ledger,
                &log_key,
                super::clock::file_time(),
                &mut |done, _| bar.set_position(done),
            );
            bar.finish_and_clear();
            let signed = signed.map_err(|e| super::tlog::refusal(e, ledger.dir()))?;
            (signed.checkpoint, signed.note)
        }
    };
    let p = publish::gather(&ledger, period, cp, note).map_err(|e| refusal(e, &args.out))?;
    let bar = output::progress(p.checkpoint.size, &t!("progress-writing"));
    let w = pack::write(
        &ledger,
        &p,
        &args.out,
        &pack::Options {
            tiles: args.tiles.clone(),
            encoding,
            force: args.force,
        },
        &log_key,
        &mut |n| bar.set_position(n),
    );
    bar.finish_and_clear();
    let w = w.map_err(|e| refusal(e, &args.out))?;
    let count = |f: Fate| w.files.iter().filter(|(_, x)| *x == f).count();
    out(t!(
        "pack-wrote",
        point = p.point.label(),
        id = p.point.id(),
        dir = args.out.display(),
        written = count(Fate::Written) + count(Fate::Replaced),
        kept = count(Fate::Kept)
    ));
    out(t!(
        "pack-files",
        files = w
            .files
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    out(t!(
        "pack-tiles",
        dir = w.tiles_dir.display(),
        written = w.tiles.written,
        kept = w.tiles.kept
    ));
    out(t!(
        "pack-digest",
        sha256 = hex::encode(p.table_sha256),
        seq = p.published_seq
    ));
    out(t!(
        "pack-checkpoint",
        size = p.checkpoint.size,
        root = event::hex(&p.checkpoint.root)
    ));
    if !p.corrections.is_empty() {
        out(t!("pack-corrections", count = p.corrections.len()));
    }
    out(t!("pack-next", dir = args.out.display()));
    Ok(())
}

/// A pack's problem as a kind (JSON: `error.kind`).
fn kind(p: &PackProblem) -> &'static str {
    match p {
        PackProblem::Missing { .. } => "pack_file_missing",
        PackProblem::Damaged { .. } => "pack_file_damaged",
        PackProblem::Signature { .. } => "pack_bad_signature",
        PackProblem::Changed { .. } => "pack_file_changed",
        PackProblem::OtherCheckpoint { .. } => "pack_other_checkpoint",
        PackProblem::Digest { .. } => "pack_digest_differs",
    }
}

/// A pack's problem in words.
fn problem(p: &PackProblem) -> String {
    match p {
        PackProblem::Missing { name } => t!("pack-missing", name = name.as_str()),
        PackProblem::Damaged { name, why } => t!(
            "pack-damaged",
            name = name.as_str(),
            why = text::escape(why)
        ),
        PackProblem::Signature { name, why } => t!(
            "pack-bad-signature",
            name = name.as_str(),
            why = text::escape(why)
        ),
        PackProblem::Changed { name } => t!("pack-changed", name = name.as_str()),
        PackProblem::OtherCheckpoint { size } => t!("pack-other-checkpoint", size = *size),
        PackProblem::Digest { recorded, computed } => t!(
            "pack-digest-differs",
            recorded = recorded.as_str(),
            computed = computed.as_str()
        ),
    }
}

/// `hyoka verify --publication DIR`: the pack from its files; then, when the ledger directory exists,
/// the pack's checkpoint against the ledger and the publication it names against the ledger's.
pub fn verify_publication(
    ctx: &Ctx,
    dir: &Path,
    vkey: Option<&str>,
    format: TextOrJson,
) -> Result<(), Failure> {
    if !dir.is_dir() {
        return Err(t!("pack-not-a-directory", dir = dir.display()).into());
    }
    let has_ledger = ctx.ledger.is_dir();
    let key: Option<VerifierKey> = match vkey {
        Some(v) => Some(read_verifier(v)?),
        None if has_ledger => hyoka::ledger::anchor::log_key_if_readable(&ctx.ledger)?,
        None => None,
    };
    let fail = |kind: &str, detail: String| -> Failure {
        if format == TextOrJson::Json {
            out(
                serde_json::json!({"ok": false, "error": {"kind": kind, "message": detail}})
                    .to_string(),
            );
        }
        Failure::integrity(t!(
            "err-integrity-why",
            detail = detail,
            why = t!("pack-not-trusted", dir = dir.display())
        ))
    };
    let c = match pack::verify(dir, key.as_ref()) {
        Ok(c) => c,
        Err(VerifyError::Problem(p)) => return Err(fail(kind(&p), problem(&p))),
        Err(VerifyError::Io(e)) => return Err(refusal(e, dir)),
    };
    let m = &c.manifest;
    // Against the ledger: its checkpoint (a full verification, and the ledger extends it), and the
    // publication the ledger records for the point.
    let mut label = m.point.clone();
    if has_ledger {
        let ledger = super::anchoring::open_read(ctx)?;
        let bar = output::progress(ledger.len(), &t!("progress-verifying"));
        let r = transparency::check(&*ledger, &c.checkpoint_bytes, key.as_ref(), &mut |d, _| {
            bar.set_position(d)
        });
        bar.finish_and_clear();
        r.map_err(|e| match e {
            hyoka::error::Error::Integrity(ie) => fail(ie.kind(), super::errors::integrity(&ie)),
            e => e.into(),
        })?;
        let period = super::commands::parse_period(&ledger.state()?, &m.point)?;
        label = period.label();
        let notice = ledger.round_notice(period)?;
        let recorded = notice.published.as_ref();
        if recorded.map(|p| (p.seq, p.table_sha256.as_str()))
            != Some((m.published, hex::encode(m.table_sha256).as_str()))
        {
            return Err(fail(
                "pack_not_the_ledgers",
                t!(
                    "pack-not-the-ledgers",
                    point = label.as_str(),
                    ledger = ctx.ledger.display()
                ),
            ));
        }
    }
    match format {
        TextOrJson::Json => out(serde_json::json!({
            "ok": true,
            "files": m.files.len(),
            "point": m.point,
            "published_seq": m.published,
            "table_sha256": hex::encode(m.table_sha256),
            "origin": m.origin,
            "checkpoint": {
                "size": c.checkpoint.size,
                "root": event::hex(&c.checkpoint.root),
                "signature_checked": c.signature_checked,
            },
            "ledger": if has_ledger {
                serde_json::Value::String(ctx.ledger.display().to_string())
            } else {
                serde_json::Value::Null
            },
        })
        .to_string()),
        TextOrJson::Text => {
            out(t!(
                "pack-verified",
                dir = dir.display(),
                files = m.files.len()
            ));
            out(t!(
                "pack-verified-table",
                point = label.as_str(),
                sha256 = hex::encode(m.table_sha256),
                seq = m.published
            ));
            out(t!(
                "pack-checkpoint",
                size = c.checkpoint.size,
                root = event::hex(&c.checkpoint.root)
            ));
            out(match has_ledger {
                true => t!("pack-ledger-checked", ledger = ctx.ledger.display()),
                false => t!("pack-no-ledger", ledger = ctx.ledger.display()),
            });
            out(match &key {
                Some(k) => t!(
                    "signature-verified",
                    key = format!("{}+{:08x}", text::escape(k.name()), k.key_id())
                ),
                None => t!("signature-unchecked", what = t!("pack-unchecked-means")),
            });
        }
    }
    Ok(())
}
