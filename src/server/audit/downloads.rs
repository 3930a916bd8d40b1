//! The auditors' downloads, each an attachment with its content type: the export (`GET
//! /api/audit/export`: every event as `hyoka export` writes it, schema/FORMAT.md section 10, which
//! `hyoka verify --export` and `hyoka restore` read), the last checkpoint the ledger signed (`GET
//! /api/audit/checkpoint`, its signed note as `CHECKPOINT` holds it), and the inclusion proof of an
//! event in it (`GET /api/audit/proof?seq=N`, the file `hyoka prove` writes, which `hyoka
//! verify-proof` checks).
//!
//! Invariants: the export is written under the ledger's lock into a private temporary file (checked
//! event by event as `hyoka export` checks it), then streamed from that file, so the server holds a
//! buffer of it, never the whole; a proof is checked before it is sent.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::api_reader;
use crate::evidence::{export, proof, transparency};
use crate::server::app::{App, Refusal, blocking};

/// A download: `body` as an attachment named `name`, of `content_type`.
fn attachment(content_type: &'static str, name: &str, body: Body) -> Response {
    let mut r = (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn no_checkpoint() -> Refusal {
    Refusal::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "the ledger has signed no checkpoint yet (hyoka checkpoint, or a round's publication, signs one)",
    )
}

/// `GET /api/audit/export`: every event, as `hyoka export` writes them (`application/jsonl`).
pub async fn export(State(app): State<Arc<App>>, headers: HeaderMap) -> Result<Response, Refusal> {
    api_reader(&app, &headers).await?;
    let l = Arc::clone(&app.ledger);
    let (file, events) = blocking(move || {
        let mut tmp = tempfile::Builder::new()
            .prefix("hyoka-export-")
            .tempfile()
            .map_err(|e| {
                tracing::error!("export: {e}");
                Refusal::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the export could not be written",
                )
            })?;
        let summary = {
            let mut w = std::io::BufWriter::new(tmp.as_file_mut());
            let s = l
                .read(|ledger| export::write(ledger, &mut w, &mut |_| {}))
                .map_err(|e| Refusal::from_error(&e))?
                .map_err(|e| Refusal::from_error(&e))?;
            std::io::Write::flush(&mut w).map_err(|e| {
                Refusal::from_error(&crate::error::Error::io(crate::error::IoDoing::WriteExport)(e))
            })?;
            s
        };
        // The open file is read from its start; its name is removed at once (the open file lives on).
        let file = tmp.reopen().map_err(|e| {
            Refusal::from_error(&crate::error::Error::io(crate::error::IoDoing::ReadExport)(
                e,
            ))
        })?;
        Ok((file, summary.events))
    })
    .await?;
    let stream = tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file));
    let mut r = attachment(
        "application/jsonl",
        "hyoka-export.jsonl",
        Body::from_stream(stream),
    );
    if let Ok(v) = HeaderValue::from_str(&events.to_string()) {
        r.headers_mut().insert("x-hyoka-events", v);
    }
    Ok(r)
}

/// The last checkpoint the ledger signed: its note's text.
async fn last_signed(app: &Arc<App>) -> Result<String, Refusal> {
    let l = Arc::clone(&app.ledger);
    blocking(move || {
        l.read(|ledger| transparency::last_signed(ledger.dir()))
            .map_err(|e| Refusal::from_error(&e))?
            .map_err(|e| Refusal::from_error(&e))?
            .map(|(_, note)| note)
            .ok_or_else(no_checkpoint)
    })
    .await
}

/// `GET /api/audit/checkpoint`: the last checkpoint the ledger signed (a C2SP signed note).
pub async fn checkpoint(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    api_reader(&app, &headers).await?;
    let note = last_signed(&app).await?;
    Ok(attachment(
        "text/plain; charset=utf-8",
        "checkpoint.txt",
        Body::from(note),
    ))
}

/// The event of a proof.
#[derive(Debug, Deserialize)]
pub struct ProofQuery {
    /// The event's seq (`N` or `seq:N`).
    #[serde(default)]
    seq: String,
}

/// `GET /api/audit/proof?seq=N`: the inclusion proof of event N in the last signed checkpoint, as
/// `hyoka prove seq:N --checkpoint CHECKPOINT` writes it.
pub async fn inclusion(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<ProofQuery>, QueryRejection>,
) -> Result<Response, Refusal> {
    api_reader(&app, &headers).await?;
    let text = q.map(|Query(q)| q.seq).unwrap_or_default();
    let normalized = crate::domain::ident::normalize(text.trim());
    let digits = normalized
        .strip_prefix("seq:")
        .unwrap_or(&normalized)
        .trim();
    let seq = digits.parse::<u64>().map_err(|_| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            format!(
                "`{}` is not an event: give seq=N, N an event's number (as hyoka log shows #N)",
                crate::domain::text::escape(&normalized)
            ),
        )
    })?;
    let note = last_signed(&app).await?;
    let l = Arc::clone(&app.ledger);
    let text = blocking(move || {
        l.read(|ledger| proof::prove_inclusion(ledger, seq, &note))
            .map_err(|e| Refusal::from_error(&e))?
            .map(|p| p.to_text())
            .map_err(|e| match e {
                crate::error::Error::NotInCheckpoint { seq, size } => Refusal::new(
                    StatusCode::NOT_FOUND,
                    "not_in_checkpoint",
                    format!(
                        "event #{seq} is not in the last signed checkpoint, which holds #0..#{}: sign a new one first (hyoka checkpoint)",
                        size.saturating_sub(1)
                    ),
                ),
                e => Refusal::from_error(&e),
            })
    })
    .await?;
    Ok(attachment(
        "text/plain; charset=utf-8",
        &format!("proof-{seq}.txt"),
        Body::from(text),
    ))
}
