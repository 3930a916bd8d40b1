//! Publishing a round, the same way from every front end (`hyoka round publish`, the administrator's
//! page and the JSON API of `hyoka serve`): [`prepare`] checks that the round exists and that the
//! writer holds the ledger's log key, and gives the batch that publishes it (closing it first, in the
//! same batch, if it is open; the publication is the batch's last change, with the SHA-256 of the
//! table as published); once the batch is recorded, [`sign`] signs the ledger's checkpoint with the
//! log key and keeps it as the last one signed (`CHECKPOINT`), which the publication pack and the
//! citizens' pages (`GET /rounds/{POINT}`) are bound to.
//!
//! Invariants: nothing is recorded for a round that cannot be signed for (no round, no log key, or a
//! log key other than the one the ledger's people were enabled with); the table whose digest is
//! recorded is the table of the state the batch is checked against (closing changes no cell).

use crate::domain::event::Change;
use crate::domain::people::RoundStatus;
use crate::domain::period::Period;
use crate::domain::state::State;
use crate::error::Result;
use crate::evidence::transparency::{self, Signed};
use crate::ledger::Ledger;
use crate::store::Store;
use crate::tlog::note::SignerKey;

/// The publication of a round, ready to be recorded.
#[derive(Debug, Clone)]
pub struct Publishing {
    /// The round's point.
    pub period: Period,
    /// The batch: `round.closed` (if the round is open), then `round.published`.
    pub changes: Vec<Change>,
    /// The table as published (its canonical text).
    pub table: String,
    /// Its SHA-256, which the `round.published` event records.
    pub table_sha256: [u8; 32],
    /// The log key the checkpoint is signed with once the batch is recorded.
    pub log_key: SignerKey,
}

/// Why a round cannot be published (nothing is recorded).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotPublishable {
    /// The point has no round.
    #[error("there is no round at this point")]
    NoRound,
    /// The writer does not hold the log key the checkpoint is signed with.
    #[error(
        "publishing signs a checkpoint with the ledger's log key, which this writer does not hold"
    )]
    NoLogKey,
    /// The log key held is not the one the ledger's people were enabled with.
    #[error("the log key held is not the one the ledger's people were enabled with")]
    OtherLogKey,
}

/// The publication of the round of `period` in `state`, by a writer holding `log_key` (see the
/// module's documentation). A round already published is refused by the ledger's rules when the
/// batch is recorded.
pub fn prepare(
    state: &State,
    period: Period,
    log_key: Option<&SignerKey>,
) -> std::result::Result<Publishing, NotPublishable> {
    let (changes, table, table_sha256) = batch(state, period)?;
    Ok(Publishing {
        period,
        changes,
        table,
        table_sha256,
        log_key: signing_key(state, log_key)?,
    })
}

/// The log key a publication's checkpoint is signed with: `held`, the key the writer holds, which
/// must be the one the ledger's people were enabled with.
pub fn signing_key(
    state: &State,
    held: Option<&SignerKey>,
) -> std::result::Result<SignerKey, NotPublishable> {
    let log_key = held.ok_or(NotPublishable::NoLogKey)?;
    if let Some(people) = &state.people
        && people.log_vkey != log_key.verifier().to_text()
    {
        return Err(NotPublishable::OtherLogKey);
    }
    Ok(log_key.clone())
}

/// The batch that publishes the round of `period`, the table as published and its SHA-256.
pub fn batch(
    state: &State,
    period: Period,
) -> std::result::Result<(Vec<Change>, String, [u8; 32]), NotPublishable> {
    let round = state.rounds.get(&period).ok_or(NotPublishable::NoRound)?;
    let mut changes = Vec::new();
    if round.status == RoundStatus::Open {
        changes.push(Change::RoundClosed { period });
    }
    let table = state.published_table(period);
    let table_sha256 = state.published_table_sha256(period);
    changes.push(Change::RoundPublished {
        period,
        table_sha256,
    });
    Ok((changes, table, table_sha256))
}

/// Signs the checkpoint of `ledger` (the publication recorded) with `log_key` and keeps it as the last
/// one signed ([`transparency::sign`]: the ledger is verified first, and must extend the last
/// checkpoint signed); `now` names a damaged kept checkpoint moved aside.
pub fn sign<S: Store + Sync>(
    ledger: &Ledger<S>,
    log_key: &SignerKey,
    now: i64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Signed> {
    transparency::sign(ledger, log_key, now, progress)
}
