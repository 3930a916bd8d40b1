//! The verification status (`GET /audit/verify`, and its JSON `GET /api/audit/verify`): what
//! `hyoka verify --format json` says of the ledger (ok or the first failure; events, head, root, how
//! far the directory vouches for them, the last checkpoint it signed), run when asked, with the time
//! it ran and how long it took.
//!
//! Invariants: the ledger is verified on a copy of its files ([`ReaderCopy`], the copy the CLI makes
//! of a ledger on a read-only medium), taken under the ledger's lock, which writers wait for only
//! while the files are copied, never while the copy is verified; one verification runs at a time;
//! the copy is removed afterwards.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Serialize;
use serde_json::{Value, json};

use super::{api_reader, jst, page, page_reader};
use crate::domain::event;
use crate::domain::when;
use crate::evidence::transparency::{self, KeptCheck, KeySource};
use crate::ledger::anchor::Signature;
use crate::ledger::reader_copy::ReaderCopy;
use crate::ledger::{Access, Ledger, VerifyReport};
use crate::server::app::{App, Refusal, blocking};
use crate::server::guard::PageError;

/// A verification as the server ran it (schema/audit-verify.schema.json).
#[derive(Debug, Serialize)]
pub struct Verification {
    /// When it started (RFC 3339, Japan time).
    pub run_at: String,
    /// The same, in ns.
    #[serde(skip)]
    pub ran_at: i64,
    /// How long the ledger's lock was held to copy its files (ms).
    pub held_ms: u64,
    /// How long the whole verification took (ms).
    pub took_ms: u64,
    /// What `hyoka verify --format json` prints (schema/verify.schema.json).
    pub result: Value,
}

/// As the CLI's `verified_json`: the object of a successful verification.
fn verified_json(report: &VerifyReport) -> Value {
    json!({
        "ok": true,
        "events": report.events,
        "vouched_through": report.vouched.events.checked_sub(1),
        "vouched_by": report.vouched.by.name(),
        "journal_only": report.events - report.vouched.events.min(report.events),
        "head_hash": event::hex(&report.head_hash),
        "root": event::hex(&report.root),
    })
}

/// As the CLI's `kept_json`: what was found of the last checkpoint the ledger signed.
fn kept_json(k: &KeptCheck) -> Value {
    let (signature, key) = match &k.signature {
        Signature::Verified { key } => ("verified", Some(key.as_str())),
        Signature::Failed { key, .. } => ("failed", Some(key.as_str())),
        Signature::Unchecked => ("unchecked", None),
    };
    json!({
        "size": k.size,
        "signature": signature,
        "key": key,
        "key_source": match k.key {
            KeySource::Given => "vkey",
            KeySource::LogKey => "log_key",
            KeySource::None => "none",
        },
        "extended": k.extended,
        "ignored": k.ignored,
    })
}

/// Verifies the server's ledger on a copy of its files (see the module's invariants).
fn run(app: &App, now: i64) -> Result<Verification, Refusal> {
    let started = Instant::now();
    let internal = |e: &dyn std::fmt::Display| {
        tracing::error!("verify: {e}");
        Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the ledger could not be copied to be verified",
        )
    };
    let tmp = tempfile::Builder::new()
        .prefix("hyoka-verify-")
        .tempdir()
        .map_err(|e| internal(&e))?;
    let dir = tmp.path().join("ledger");
    app.ledger
        .read(|l| ReaderCopy::plan(l.dir()).and_then(|c| c.make(l.dir(), &dir)))
        .map_err(|e| Refusal::from_error(&e))?
        .map_err(|e| Refusal::from_error(&e))?;
    let held_ms = started.elapsed().as_millis() as u64;
    let checked = Ledger::open_read(&dir, Access::default()).and_then(|ledger| {
        let report = ledger.verify(&mut |_, _| {})?;
        let kept = transparency::check_kept(&ledger, &report, None)?;
        Ok((report, kept, ledger.recovery().cloned()))
    });
    let result = match checked {
        Ok((report, kept, recovery)) => {
            let mut v = verified_json(&report);
            v["last_signed_checkpoint"] =
                json!(kept.as_ref().filter(|k| k.extended).and_then(|k| k.size));
            if let Some(k) = &kept {
                v["kept_checkpoint"] = kept_json(k);
            }
            if let Some(crate::store::journal::Recovery::Unfinished { bytes, first_seq }) =
                &recovery
            {
                v["unfinished_journal_record"] = json!({"bytes": bytes, "first_seq": first_seq});
            }
            v
        }
        Err(crate::error::Error::Integrity(ie)) => json!({
            "ok": false,
            "vouched_through": null,
            "error": {"kind": ie.kind(), "seq": ie.seq(), "message": ie.to_string()},
        }),
        Err(e) => return Err(Refusal::from_error(&e)),
    };
    Ok(Verification {
        run_at: when::format_shown(now),
        ran_at: now,
        held_ms,
        took_ms: started.elapsed().as_millis() as u64,
        result,
    })
}

/// Runs a verification, one at a time.
async fn verification(app: &Arc<App>) -> Result<Verification, Refusal> {
    static ONE: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    let _turn = ONE
        .get_or_init(|| tokio::sync::Semaphore::new(1))
        .acquire()
        .await
        .map_err(|_| {
            Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "the server is stopping",
            )
        })?;
    let a = Arc::clone(app);
    let now = (app.clock)();
    blocking(move || run(&a, now)).await
}

/// `GET /audit/verify`: the verification status, run now.
pub async fn verify_page(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let s = match page_reader(&app, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let v = match verification(&app).await {
        Ok(v) => v,
        Err(r) => return PageError::from_refusal(&r).into_response(),
    };
    let r = &v.result;
    let ok = r["ok"] == true;
    let kept = &r["kept_checkpoint"];
    let signature = match kept["signature"].as_str() {
        Some("verified") => "署名を検証済み",
        Some("failed") => "署名が検証できない（無視しました）",
        Some(_) => "署名は未検証（鍵がありません）",
        None => "",
    };
    page(
        StatusCode::OK,
        "audit_verify.html",
        context! {
            title => "検証",
            here => "verify",
            ok => ok,
            run_at => jst(v.ran_at),
            took_ms => v.took_ms,
            held_ms => v.held_ms,
            events => r["events"].as_u64(),
            last_seq => r["events"].as_u64().and_then(|n| n.checked_sub(1)),
            head => r["head_hash"].as_str(),
            root => r["root"].as_str(),
            vouched_through => r["vouched_through"].as_u64(),
            vouched_by => match r["vouched_by"].as_str() {
                Some("store") => "ストア（台帳のファイル）",
                Some("anchor") => "アンカー記録",
                Some("signed_anchor") => "ログ鍵で署名したアンカー",
                Some("signed_checkpoint") => "ログ鍵で署名したチェックポイント",
                Some(_) => "与えたチェックポイント",
                None => "",
            },
            journal_only => r["journal_only"].as_u64().unwrap_or(0),
            last_signed => r["last_signed_checkpoint"].as_u64(),
            kept_size => kept["size"].as_u64(),
            kept_signature => signature,
            kept_key => kept["key"].as_str(),
            kept_ignored => kept["ignored"].as_str(),
            failure_kind => r["error"]["kind"].as_str(),
            failure_seq => r["error"]["seq"].as_u64(),
            failure => r["error"]["message"].as_str(),
            person => s.person,
            csrf => s.csrf,
        },
    )
}

/// `GET /api/audit/verify`: the verification as JSON (schema/audit-verify.schema.json).
pub async fn verify_json(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    api_reader(&app, &headers).await?;
    let v = verification(&app).await?;
    Ok(super::json_body(&v))
}
